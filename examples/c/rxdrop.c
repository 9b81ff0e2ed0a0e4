/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * rxdrop — receive on one queue of an interface, count and drop.
 *
 * Every frame of the UMEM goes on the fill ring; received frames go
 * straight back onto it (rx_loop in common.h). The per-packet path uses
 * only the header's inline ring helpers.
 */
#include "common.h"

#define PROG "rxdrop"

int main(int argc, char **argv)
{
	struct xdpkit_ring_prod fill;
	struct xdpkit_ring_cons comp, rx;
	struct xdpkit_umem *umem;
	struct xdpkit_socket *sock;
	uint64_t received;
	struct opts o;
	int err;

	parse_opts(argc, argv, &o, PROG, NULL, NULL, NULL);
	install_signals();

	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .fill_size = NUM_FRAMES, .frame_size = o.frame_size);
	err = xdpkit_umem_create(&umem, NULL, (uint64_t)NUM_FRAMES * o.frame_size, &fill, &comp, &ucfg);
	if (err)
		die(PROG, "xdpkit_umem_create", err);

	XDPKIT_OPTS(xdpkit_socket_config, scfg,
		    .xdp_flags = o.xdp_flags,
		    .bind_flags = (uint16_t)(o.bind_flags | XDPKIT_BIND_NEED_WAKEUP),
		    .flags = XDPKIT_SOCKET_NO_TX);
	err = xdpkit_socket_create(&sock, o.ifname, o.queue, umem, &rx, NULL, &scfg);
	if (err)
		die(PROG, "xdpkit_socket_create", err);

	/* All frames on the fill ring. */
	fill_all_frames(PROG, &fill, o.frame_size);

	printf(PROG ": receiving on %s queue %u (%s mode, prog id %d)\n", o.ifname, o.queue,
	       mode_name(xdpkit_socket_xdp_mode(sock)), xdpkit_socket_prog_id(sock));
	fflush(stdout);

	received = rx_loop(PROG, &o, sock, &fill, &rx, NULL, NULL);

	delete_socket_umem(PROG, sock, umem);
	printf(PROG ": received %llu packets\n", (unsigned long long)received);
	return 0;
}
