/* Batch calls: many descriptors per call over the rings a handle holds,
 * for bindings that pay per call (ctypes). Pure C: no Go on the data path. */
#include <errno.h>
#include "internal.h"

int xdpkit_rx_batch(struct xdpkit_socket *s, struct xdpkit_desc *out, uint32_t max)
{
	uint32_t idx = 0, n, i;

	CHECK_SOCK(s);
	if (!s->rx)
		return xdpkit__fail(EINVAL, "xdpkit_rx_batch: the socket has no RX ring");
	if (!out && max)
		return xdpkit__fail(EINVAL, "xdpkit_rx_batch: out is NULL");
	n = xdpkit_ring_cons_peek(s->rx, max, &idx);
	for (i = 0; i < n; i++)
		out[i] = *xdpkit_ring_rx_desc(s->rx, idx + i);
	if (n)
		xdpkit_ring_cons_release(s->rx, n);
	return (int)n;
}

int xdpkit_tx_batch(struct xdpkit_socket *s, const struct xdpkit_desc *in, uint32_t n, int kick)
{
	uint32_t idx = 0, i, fit;
	uint64_t size;

	CHECK_SOCK(s);
	if (!s->tx)
		return xdpkit__fail(EINVAL, "xdpkit_tx_batch: the socket has no TX ring");
	if (!in && n)
		return xdpkit__fail(EINVAL, "xdpkit_tx_batch: in is NULL");
	size = s->umem->size;
	for (i = 0; i < n; i++) {
		uint64_t a = xdpkit_umem_addr(in[i].addr);

		if (in[i].len == 0 || a >= size || in[i].len > size - a)
			return xdpkit__fail(EINVAL, "xdpkit_tx_batch: descriptor %u (addr %#llx len %u) lies outside the UMEM of %llu bytes",
					    i, (unsigned long long)in[i].addr, in[i].len, (unsigned long long)size);
	}
	fit = xdpkit_ring_prod_free(s->tx, n);
	if (fit > n)
		fit = n;
	if (fit) {
		xdpkit_ring_prod_reserve(s->tx, fit, &idx);
		for (i = 0; i < fit; i++)
			*xdpkit_ring_tx_desc(s->tx, idx + i) = in[i];
		xdpkit_ring_prod_submit(s->tx, fit);
	}
	if (kick && (!(s->bind_flags & XDPKIT_BIND_NEED_WAKEUP) || xdpkit_ring_prod_needs_wakeup(s->tx))) {
		int err = xdpkit__kick(s);

		/* What is on the ring stays there: report it, not the kick's
		 * error (whose message stays in xdpkit_last_error()). */
		if (err && !fit)
			return err;
	}
	return (int)fit;
}

static int fill_batch(const char *fn, struct xdpkit_ring_prod *fill, uint64_t size, const uint64_t *addrs, uint32_t n)
{
	uint32_t idx = 0, i, fit;

	if (!addrs && n)
		return xdpkit__fail(EINVAL, "%s: addrs is NULL", fn);
	for (i = 0; i < n; i++) {
		if (xdpkit_umem_addr(addrs[i]) >= size)
			return xdpkit__fail(EINVAL, "%s: address %u (%#llx) lies outside the UMEM of %llu bytes",
					    fn, i, (unsigned long long)addrs[i], (unsigned long long)size);
	}
	fit = xdpkit_ring_prod_free(fill, n);
	if (fit > n)
		fit = n;
	if (fit) {
		xdpkit_ring_prod_reserve(fill, fit, &idx);
		for (i = 0; i < fit; i++)
			*xdpkit_ring_fill_addr(fill, idx + i) = addrs[i];
		xdpkit_ring_prod_submit(fill, fit);
	}
	return (int)fit;
}

static int comp_batch(const char *fn, struct xdpkit_ring_cons *comp, uint64_t *addrs, uint32_t max)
{
	uint32_t idx = 0, n, i;

	if (!addrs && max)
		return xdpkit__fail(EINVAL, "%s: addrs is NULL", fn);
	n = xdpkit_ring_cons_peek(comp, max, &idx);
	for (i = 0; i < n; i++)
		addrs[i] = *xdpkit_ring_comp_addr(comp, idx + i);
	if (n)
		xdpkit_ring_cons_release(comp, n);
	return (int)n;
}

int xdpkit_fill_batch(struct xdpkit_umem *u, const uint64_t *addrs, uint32_t n)
{
	CHECK_UMEM(u);
	return fill_batch(__func__, u->fill, u->size, addrs, n);
}

int xdpkit_comp_batch(struct xdpkit_umem *u, uint64_t *addrs, uint32_t max)
{
	CHECK_UMEM(u);
	return comp_batch(__func__, u->comp, addrs, max);
}

int xdpkit_socket_fill_batch(struct xdpkit_socket *s, const uint64_t *addrs, uint32_t n)
{
	CHECK_SOCK(s);
	return fill_batch(__func__, s->fill, s->umem->size, addrs, n);
}

int xdpkit_socket_comp_batch(struct xdpkit_socket *s, uint64_t *addrs, uint32_t max)
{
	CHECK_SOCK(s);
	return comp_batch(__func__, s->comp, addrs, max);
}
