/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * rxdrop — receive on one queue of an interface, count and drop.
 *
 * Every frame of the UMEM goes on the fill ring; received frames go
 * straight back onto it. The per-packet path uses only the header's
 * inline ring helpers.
 */
#include <poll.h>

#include "common.h"

#define PROG "rxdrop"

/* Empty peeks in a row before blocking in poll() while idle. */
#define IDLE_SPINS 1024

int main(int argc, char **argv)
{
	struct xdpkit_ring_prod fill;
	struct xdpkit_ring_cons comp, rx;
	struct xdpkit_umem *umem;
	struct xdpkit_socket *sock;
	uint64_t received = 0, last_received = 0, t_last, t_end, now;
	unsigned idle = 0;
	struct opts o;
	uint32_t idx = 0, i;
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
	if (xdpkit_ring_prod_reserve(&fill, NUM_FRAMES, &idx) != NUM_FRAMES) {
		fprintf(stderr, PROG ": cannot reserve %d fill ring entries\n", NUM_FRAMES);
		return 1;
	}
	for (i = 0; i < NUM_FRAMES; i++)
		*xdpkit_ring_fill_addr(&fill, idx++) = (uint64_t)i * o.frame_size;
	xdpkit_ring_prod_submit(&fill, NUM_FRAMES);

	printf(PROG ": receiving on %s queue %u (%s mode, prog id %d)\n", o.ifname, o.queue,
	       mode_name(xdpkit_socket_xdp_mode(sock)), xdpkit_socket_prog_id(sock));
	fflush(stdout);

	t_last = now_ns();
	t_end = deadline_ns(&o);
	while (!stop_flag) {
		uint32_t idx_rx = 0, idx_fq = 0, rcvd;

		rcvd = xdpkit_ring_cons_peek(&rx, BATCH_SIZE, &idx_rx);
		if (rcvd) {
			idle = 0;
			while (xdpkit_ring_prod_reserve(&fill, rcvd, &idx_fq) != rcvd) {
				/* Cannot happen with a fill ring as large as the
				 * UMEM, but be safe. */
				if (xdpkit_ring_prod_needs_wakeup(&fill))
					xdpkit_socket_wakeup_rx(sock);
				if (stop_flag)
					break;
			}
			if (stop_flag)
				break;
			for (i = 0; i < rcvd; i++)
				*xdpkit_ring_fill_addr(&fill, idx_fq++) =
					xdpkit_ring_rx_desc(&rx, idx_rx++)->addr;
			xdpkit_ring_prod_submit(&fill, rcvd);
			xdpkit_ring_cons_release(&rx, rcvd);
			received += rcvd;
		} else {
			if (xdpkit_ring_prod_needs_wakeup(&fill))
				xdpkit_socket_wakeup_rx(sock);
			if (++idle >= IDLE_SPINS) {
				/* Nothing arrives: block a little instead of spinning. */
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
	err = xdpkit_socket_delete(sock);
	if (err)
		die(PROG, "xdpkit_socket_delete", err);
	err = xdpkit_umem_delete(umem);
	if (err)
		die(PROG, "xdpkit_umem_delete", err);
	printf(PROG ": received %llu packets\n", (unsigned long long)received);
	return 0;
}
