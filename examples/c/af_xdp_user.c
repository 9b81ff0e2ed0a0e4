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
#include "common.h"

#define PROG "af_xdp_user"
#define OBJ_REL "xsk/redirect_bpfel.o"

static const char *obj_path;
static const char *prog_name = "xdpkit_redirect";
static unsigned long print_max = 8;

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

/* rx_loop's on_frame: prints the first print_max frames; ctx is the UMEM
 * area. */
static void on_frame(void *ctx, uint64_t nr, const struct xdpkit_desc *d)
{
	if (nr <= print_max)
		print_frame(nr, xdpkit_umem_data(ctx, d->addr), d->len);
}

int main(int argc, char **argv)
{
	struct xdpkit_ring_prod fill;
	struct xdpkit_ring_cons comp, rx;
	struct xdpkit_umem *umem;
	struct xdpkit_socket *sock;
	struct xdpkit_prog *prog;
	struct xdpkit_link *link;
	uint64_t received;
	struct opts o;
	int xsks_map, err;
	void *area;

	parse_opts(argc, argv, &o, PROG, "o:p:n:", " [-o OBJECT] [-p PROGRAM] [-n PRINT]", extra_opt);
	install_signals();
	obj_path = find_object(obj_path, OBJ_REL);

	/* 1-3: the program, attached, and its XSKMAP. */
	prog = load_prog(PROG, obj_path, prog_name);
	link = attach_prog(PROG, prog, o.ifname, o.xdp_flags);
	xsks_map = prog_map_fd(PROG, prog, "xsks_map");

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

	fill_all_frames(PROG, &fill, o.frame_size);

	printf(PROG ": receiving on %s queue %u (%s from %s, %s mode, prog id %d; socket's own program: %s)\n",
	       o.ifname, o.queue, prog_name, obj_path, mode_name(xdpkit_link_mode(link)),
	       xdpkit_prog_id(prog), mode_name(xdpkit_socket_xdp_mode(sock)));
	fflush(stdout);

	/* 6: receive. */
	received = rx_loop(PROG, &o, sock, &fill, &rx, on_frame, area);

	/* The socket leaves xsks_map when it is deleted. */
	delete_socket_umem(PROG, sock, umem);
	err = xdpkit_link_detach(link);
	if (err)
		die(PROG, "xdpkit_link_detach", err);
	err = xdpkit_prog_delete(prog);
	if (err)
		die(PROG, "xdpkit_prog_delete", err);
	printf(PROG ": received %llu packets\n", (unsigned long long)received);
	return 0;
}
