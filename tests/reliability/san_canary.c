/* san_canary.c — positive control of the sanitizer and valgrind runs: a
 * deliberate heap overflow inside the library's C layer. make test-asan
 * and make test-valgrind check that it is reported, naming
 * xdpkit_pool_alloc (capi/pool.c), so a run that reports nothing has
 * shown something.
 *
 *   san_canary overflow   (needs CAP_NET_RAW for the UMEM)
 *
 * xdpkit_pool_alloc is asked for 3 frames into room for 2: it writes one
 * address (8 bytes) past the end of the caller's buffer, inside the
 * redzone both ASan and memcheck keep around heap blocks. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xdpkit.h"

int main(int argc, char **argv)
{
	XDPKIT_OPTS(xdpkit_umem_config, cfg, .frame_size = 2048);
	struct xdpkit_umem *u = NULL;
	struct xdpkit_frame_pool *p = NULL;
	uint64_t *room;
	int r;

	if (argc != 2 || strcmp(argv[1], "overflow")) {
		fprintf(stderr, "usage: %s overflow\n", argv[0]);
		return 2;
	}
	r = xdpkit_umem_create(&u, NULL, 2048 * 16, NULL, NULL, &cfg);
	if (!r)
		r = xdpkit_pool_create(&p, u);
	if (r) {
		fprintf(stderr, "san_canary: %s\n", xdpkit_last_error());
		return 2;
	}
	room = malloc(2 * sizeof(*room));
	if (!room)
		return 2;
	r = xdpkit_pool_alloc(p, room, 3); /* the overflow: one address past the end */
	printf("pool_alloc = %d\n", r);
	free(room);
	xdpkit_pool_delete(p);
	xdpkit_umem_delete(u);
	return 0;
}
