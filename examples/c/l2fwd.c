/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * l2fwd — receive, swap the Ethernet addresses and send the frame back out
 * of the same socket. Sent frames go from the completion ring back to the
 * fill ring. The per-packet path uses only the header's inline helpers.
 */
#include <poll.h>

#include "common.h"

#define PROG "l2fwd"
#define IDLE_SPINS 1024

struct fwd {
	struct xdpkit_ring_prod fill, tx;
	struct xdpkit_ring_cons comp, rx;
	struct xdpkit_socket *sock;
	uint32_t outstanding;
	uint64_t forwarded;
};

static void swap_macs(uint8_t *eth)
{
	uint8_t tmp[6];

	memcpy(tmp, eth, 6);
	memcpy(eth, eth + 6, 6);
	memcpy(eth + 6, tmp, 6);
}

/* Kicks TX when needed and moves completed frames to the fill ring. */
static void complete_tx(struct fwd *f)
{
	uint32_t idx_cq = 0, idx_fq = 0, n, i;

	if (!f->outstanding)
		return;
	if (xdpkit_ring_prod_needs_wakeup(&f->tx))
		xdpkit_socket_kick(f->sock);
	n = xdpkit_ring_cons_peek(&f->comp, BATCH_SIZE, &idx_cq);
	if (!n)
		return;
	/* The fill ring holds every frame of the UMEM, so this fits. */
	while (xdpkit_ring_prod_reserve(&f->fill, n, &idx_fq) != n) {
		if (xdpkit_ring_prod_needs_wakeup(&f->fill))
			xdpkit_socket_wakeup_rx(f->sock);
		if (stop_flag) {
			xdpkit_ring_cons_cancel(&f->comp, n);
			return;
		}
	}
	for (i = 0; i < n; i++)
		*xdpkit_ring_fill_addr(&f->fill, idx_fq++) = *xdpkit_ring_comp_addr(&f->comp, idx_cq++);
	xdpkit_ring_prod_submit(&f->fill, n);
	xdpkit_ring_cons_release(&f->comp, n);
	f->outstanding -= n;
	f->forwarded += n;
}

int main(int argc, char **argv)
{
	struct fwd f;
	struct xdpkit_umem *umem;
	uint64_t last = 0, t_last, t_end, now;
	unsigned idle = 0;
	struct opts o;
	uint32_t idx = 0, i;
	void *area;
	int err;

	memset(&f, 0, sizeof(f));
	parse_opts(argc, argv, &o, PROG, NULL, NULL, NULL);
	install_signals();

	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .fill_size = NUM_FRAMES, .frame_size = o.frame_size);
	err = xdpkit_umem_create(&umem, NULL, (uint64_t)NUM_FRAMES * o.frame_size, &f.fill, &f.comp, &ucfg);
	if (err)
		die(PROG, "xdpkit_umem_create", err);

	XDPKIT_OPTS(xdpkit_socket_config, scfg,
		    .xdp_flags = o.xdp_flags,
		    .bind_flags = (uint16_t)(o.bind_flags | XDPKIT_BIND_NEED_WAKEUP));
	err = xdpkit_socket_create(&f.sock, o.ifname, o.queue, umem, &f.rx, &f.tx, &scfg);
	if (err)
		die(PROG, "xdpkit_socket_create", err);
	area = xdpkit_umem_area(umem);

	if (xdpkit_ring_prod_reserve(&f.fill, NUM_FRAMES, &idx) != NUM_FRAMES) {
		fprintf(stderr, PROG ": cannot reserve %d fill ring entries\n", NUM_FRAMES);
		return 1;
	}
	for (i = 0; i < NUM_FRAMES; i++)
		*xdpkit_ring_fill_addr(&f.fill, idx++) = (uint64_t)i * o.frame_size;
	xdpkit_ring_prod_submit(&f.fill, NUM_FRAMES);

	printf(PROG ": forwarding on %s queue %u (%s mode, prog id %d)\n", o.ifname, o.queue,
	       mode_name(xdpkit_socket_xdp_mode(f.sock)), xdpkit_socket_prog_id(f.sock));
	fflush(stdout);

	t_last = now_ns();
	t_end = deadline_ns(&o);
	while (!stop_flag) {
		uint32_t idx_rx = 0, idx_tx = 0, rcvd;

		complete_tx(&f);
		rcvd = xdpkit_ring_cons_peek(&f.rx, BATCH_SIZE, &idx_rx);
		if (rcvd) {
			idle = 0;
			while (xdpkit_ring_prod_reserve(&f.tx, rcvd, &idx_tx) != rcvd) {
				/* TX ring full: push it out and reap completions. */
				complete_tx(&f);
				if (stop_flag)
					break;
			}
			if (stop_flag) {
				xdpkit_ring_cons_cancel(&f.rx, rcvd);
				break;
			}
			for (i = 0; i < rcvd; i++) {
				const struct xdpkit_desc *in = xdpkit_ring_rx_desc(&f.rx, idx_rx++);
				struct xdpkit_desc *out = xdpkit_ring_tx_desc(&f.tx, idx_tx++);

				swap_macs(xdpkit_umem_data(area, in->addr));
				out->addr = in->addr;
				out->len = in->len;
				out->options = 0;
			}
			xdpkit_ring_prod_submit(&f.tx, rcvd);
			xdpkit_ring_cons_release(&f.rx, rcvd);
			f.outstanding += rcvd;
		} else {
			if (xdpkit_ring_prod_needs_wakeup(&f.fill))
				xdpkit_socket_wakeup_rx(f.sock);
			if (!f.outstanding && ++idle >= IDLE_SPINS) {
				idle = 0;
				xdpkit_socket_poll(f.sock, POLLIN, 100);
			}
		}

		now = now_ns();
		if (now - t_last >= 1000000000ULL) {
			print_stats(PROG, f.sock, "forwarded", f.forwarded, f.forwarded - last, now - t_last);
			last = f.forwarded;
			t_last = now;
		}
		if (now >= t_end)
			break;
	}

	print_stats(PROG, f.sock, "forwarded", f.forwarded, f.forwarded - last, now_ns() - t_last);
	err = xdpkit_socket_delete(f.sock);
	if (err)
		die(PROG, "xdpkit_socket_delete", err);
	err = xdpkit_umem_delete(umem);
	if (err)
		die(PROG, "xdpkit_umem_delete", err);
	printf(PROG ": forwarded %llu packets\n", (unsigned long long)f.forwarded);
	return 0;
}
