/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * af_xdp_user — the xdp-tutorial's advanced03-AF_XDP flow with xdpkit.
 *
 * The caller manages the XDP program instead of the socket:
 *   1. load an ELF object and pick its program (xdpkit_prog_load_file),
 *   2. attach it (xdpkit_prog_attach),
 *   3. find its XSKMAP, "xsks_map" (xdpkit_prog_map_fd),
 *   4. create the UMEM and the socket with
 *      XDPKIT_LIBXDP_FLAGS_INHIBIT_PROG_LOAD (the library loads nothing),
 *   5. store the socket in the map (xdpkit_socket_update_xskmap),
 *   6. receive: print the first frames, count them all.
 *
 * Extra options: -o OBJECT   ELF object (xsk/redirect_bpfel.o, from the
 *                            current directory or relative to the binary's
 *                            build/examples directory)
 *                -p PROGRAM  function or section name (xdpkit_redirect)
 *                -n COUNT    frames to print (8)
 * The program must redirect through an XSKMAP called xsks_map keyed by
 * queue, as the tutorial's and xdpkit's default program do.
 */
#include <limits.h>
#include <poll.h>
#include <unistd.h>

#include "common.h"

#define PROG "af_xdp_user"
#define OBJ_REL "xsk/redirect_bpfel.o"
#define IDLE_SPINS 1024

static const char *obj_path;
static const char *prog_name = "xdpkit_redirect";
static unsigned long print_max = 8;

/* The object path: given, or OBJ_REL from the current directory (the
 * repository root), or from two levels above the binary (build/examples). */
static const char *find_object(const char *given, const char *rel)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (given)
		return given;
	if (access(rel, R_OK) == 0)
		return rel;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			if (snprintf(path, sizeof(path), "%s/../../%s", exe, rel) < (int)sizeof(path) &&
			    access(path, R_OK) == 0)
				return path;
		}
	}
	return rel; /* let the load report it */
}

static int extra_opt(int c, const char *arg)
{
	char *end;

	switch (c) {
	case 'o':
		obj_path = arg;
		return 0;
	case 'p':
		prog_name = arg;
		return 0;
	case 'n':
		print_max = strtoul(arg, &end, 0);
		return *end ? -1 : 0;
	}
	return -1;
}

/* One line about a received frame: Ethernet, and IPv4 if it is that. */
static void print_frame(uint64_t nr, const uint8_t *p, uint32_t len)
{
	uint16_t type;

	printf(PROG ": frame %llu: %u bytes", (unsigned long long)nr, len);
	if (len < 14) {
		printf("\n");
		return;
	}
	type = (uint16_t)(p[12] << 8 | p[13]);
	printf(" %02x:%02x:%02x:%02x:%02x:%02x > %02x:%02x:%02x:%02x:%02x:%02x type 0x%04x", p[6],
	       p[7], p[8], p[9], p[10], p[11], p[0], p[1], p[2], p[3], p[4], p[5], type);
	if (type == 0x0800 && len >= 34)
		printf(" %u.%u.%u.%u > %u.%u.%u.%u proto %u", p[26], p[27], p[28], p[29], p[30], p[31],
		       p[32], p[33], p[23]);
	printf("\n");
}

int main(int argc, char **argv)
{
	struct xdpkit_ring_prod fill;
	struct xdpkit_ring_cons comp, rx;
	struct xdpkit_umem *umem;
	struct xdpkit_socket *sock;
	struct xdpkit_prog *prog;
	struct xdpkit_link *link;
	uint64_t received = 0, last_received = 0, t_last, t_end, now;
	unsigned idle = 0;
	struct opts o;
	uint32_t idx = 0, i;
	int xsks_map, err;
	void *area;

	parse_opts(argc, argv, &o, PROG, "o:p:n:", " [-o OBJECT] [-p PROGRAM] [-n PRINT]", extra_opt);
	install_signals();
	obj_path = find_object(obj_path, OBJ_REL);

	/* 1-3: the program, attached, and its XSKMAP. */
	err = xdpkit_prog_load_file(&prog, obj_path, prog_name);
	if (err)
		die(PROG, "xdpkit_prog_load_file", err);
	err = xdpkit_prog_attach(prog, o.ifname, o.xdp_flags, &link);
	if (err)
		die(PROG, "xdpkit_prog_attach", err);
	xsks_map = xdpkit_prog_map_fd(prog, "xsks_map");
	if (xsks_map < 0)
		die(PROG, "xdpkit_prog_map_fd xsks_map", xsks_map);

	/* 4: UMEM and socket; the library must not load its own program. */
	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .fill_size = NUM_FRAMES, .frame_size = o.frame_size);
	err = xdpkit_umem_create(&umem, NULL, (uint64_t)NUM_FRAMES * o.frame_size, &fill, &comp, &ucfg);
	if (err)
		die(PROG, "xdpkit_umem_create", err);
	area = xdpkit_umem_area(umem);

	XDPKIT_OPTS(xdpkit_socket_config, scfg,
		    .libxdp_flags = XDPKIT_LIBXDP_FLAGS_INHIBIT_PROG_LOAD,
		    .bind_flags = (uint16_t)(o.bind_flags | XDPKIT_BIND_NEED_WAKEUP),
		    .flags = XDPKIT_SOCKET_NO_TX);
	err = xdpkit_socket_create(&sock, o.ifname, o.queue, umem, &rx, NULL, &scfg);
	if (err)
		die(PROG, "xdpkit_socket_create", err);

	/* 5: the socket goes into xsks_map at its queue. */
	err = xdpkit_socket_update_xskmap(sock, xsks_map);
	if (err)
		die(PROG, "xdpkit_socket_update_xskmap", err);

	if (xdpkit_ring_prod_reserve(&fill, NUM_FRAMES, &idx) != NUM_FRAMES) {
		fprintf(stderr, PROG ": cannot reserve %d fill ring entries\n", NUM_FRAMES);
		return 1;
	}
	for (i = 0; i < NUM_FRAMES; i++)
		*xdpkit_ring_fill_addr(&fill, idx++) = (uint64_t)i * o.frame_size;
	xdpkit_ring_prod_submit(&fill, NUM_FRAMES);

	printf(PROG ": receiving on %s queue %u (%s from %s, %s mode, prog id %d; socket's own program: %s)\n",
	       o.ifname, o.queue, prog_name, obj_path, mode_name(xdpkit_link_mode(link)),
	       xdpkit_prog_id(prog), mode_name(xdpkit_socket_xdp_mode(sock)));
	fflush(stdout);

	/* 6: receive. */
	t_last = now_ns();
	t_end = deadline_ns(&o);
	while (!stop_flag) {
		uint32_t idx_rx = 0, idx_fq = 0, rcvd;

		rcvd = xdpkit_ring_cons_peek(&rx, BATCH_SIZE, &idx_rx);
		if (rcvd) {
			idle = 0;
			/* The fill ring holds every frame of the UMEM: this fits. */
			while (xdpkit_ring_prod_reserve(&fill, rcvd, &idx_fq) != rcvd) {
				if (xdpkit_ring_prod_needs_wakeup(&fill))
					xdpkit_socket_wakeup_rx(sock);
				if (stop_flag)
					break;
			}
			if (stop_flag)
				break;
			for (i = 0; i < rcvd; i++) {
				const struct xdpkit_desc *d = xdpkit_ring_rx_desc(&rx, idx_rx++);

				received++;
				if (received <= print_max)
					print_frame(received, xdpkit_umem_data(area, d->addr), d->len);
				*xdpkit_ring_fill_addr(&fill, idx_fq++) = xdpkit_umem_addr_base(d->addr);
			}
			xdpkit_ring_prod_submit(&fill, rcvd);
			xdpkit_ring_cons_release(&rx, rcvd);
		} else {
			if (xdpkit_ring_prod_needs_wakeup(&fill))
				xdpkit_socket_wakeup_rx(sock);
			if (++idle >= IDLE_SPINS) {
				idle = 0;
				xdpkit_socket_poll(sock, POLLIN, 100);
			}
		}

		now = now_ns();
		if (now - t_last >= 1000000000ULL) {
			print_stats(PROG, sock, "received", received, received - last_received, now - t_last);
			last_received = received;
			t_last = now;
		}
		if (now >= t_end)
			break;
	}

	print_stats(PROG, sock, "received", received, received - last_received, now_ns() - t_last);
	/* The socket leaves xsks_map when it is deleted. */
	err = xdpkit_socket_delete(sock);
	if (err)
		die(PROG, "xdpkit_socket_delete", err);
	err = xdpkit_umem_delete(umem);
	if (err)
		die(PROG, "xdpkit_umem_delete", err);
	err = xdpkit_link_detach(link);
	if (err)
		die(PROG, "xdpkit_link_detach", err);
	err = xdpkit_prog_delete(prog);
	if (err)
		die(PROG, "xdpkit_prog_delete", err);
	printf(PROG ": received %llu packets\n", (unsigned long long)received);
	return 0;
}
