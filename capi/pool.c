/* Frame pool and fill-ring prefill: pure C, used on the data path. */
#include <errno.h>
#include <stdlib.h>
#include "internal.h"

#define CHECK_POOL(p) do { int e_ = xdpkit__check(p, XDPKIT_MAGIC_POOL, __func__); if (e_) return e_; } while (0)

int xdpkit_pool_create(struct xdpkit_frame_pool **out, struct xdpkit_umem *umem)
{
	struct xdpkit_frame_pool *p;
	uint32_t frame, i, n;
	int err;

	if (!out)
		return xdpkit__fail(EINVAL, "xdpkit_pool_create: out is NULL");
	*out = NULL;
	CHECK_UMEM(umem);
	frame = umem->frame_size;
	n = (uint32_t)(umem->size / frame);
	p = calloc(1, sizeof(*p));
	if (p)
		p->addrs = malloc((size_t)n * sizeof(uint64_t));
	if (!p || !p->addrs) {
		free(p);
		return xdpkit__fail(ENOMEM, "xdpkit_pool_create: out of memory for %u frames", n);
	}
	/* Frame 0 on top: the stack hands out low addresses first. */
	for (i = 0; i < n; i++)
		p->addrs[i] = (uint64_t)(n - 1 - i) * frame;
	p->count = p->capacity = n;
	p->umem_size = umem->size;
	if ((err = xdpkit__registry_add(p))) {
		free(p->addrs);
		free(p);
		return xdpkit__fail(err, "xdpkit_pool_create: out of memory");
	}
	p->magic = XDPKIT_MAGIC_POOL;
	*out = p;
	return 0;
}

int xdpkit_pool_alloc(struct xdpkit_frame_pool *p, uint64_t *addrs, uint32_t n)
{
	uint32_t i;

	CHECK_POOL(p);
	if (!addrs && n)
		return xdpkit__fail(EINVAL, "xdpkit_pool_alloc: addrs is NULL");
	if (n > p->count)
		n = p->count;
	for (i = 0; i < n; i++)
		addrs[i] = p->addrs[--p->count];
	return (int)n;
}

int xdpkit_pool_free(struct xdpkit_frame_pool *p, const uint64_t *addrs, uint32_t n)
{
	uint32_t i;

	CHECK_POOL(p);
	if (!addrs && n)
		return xdpkit__fail(EINVAL, "xdpkit_pool_free: addrs is NULL");
	if (n > p->capacity - p->count)
		return xdpkit__fail(EINVAL, "xdpkit_pool_free: %u frames would exceed the pool's %u", n, p->capacity);
	for (i = 0; i < n; i++) {
		if (xdpkit_umem_addr(addrs[i]) >= p->umem_size)
			return xdpkit__fail(EINVAL, "xdpkit_pool_free: address %#llx lies outside the UMEM",
					    (unsigned long long)addrs[i]);
	}
	for (i = 0; i < n; i++)
		p->addrs[p->count++] = addrs[i];
	return 0;
}

int xdpkit_pool_count(struct xdpkit_frame_pool *p)
{
	CHECK_POOL(p);
	return (int)p->count;
}

int xdpkit_umem_prefill(struct xdpkit_umem *u, struct xdpkit_frame_pool *p, uint32_t n)
{
	uint32_t idx = 0, i;

	CHECK_UMEM(u);
	CHECK_POOL(p);
	if (n > p->count)
		n = p->count;
	if (n > xdpkit_ring_prod_free(u->fill, n))
		n = xdpkit_ring_prod_free(u->fill, n);
	if (!n)
		return 0;
	xdpkit_ring_prod_reserve(u->fill, n, &idx);
	for (i = 0; i < n; i++)
		*xdpkit_ring_fill_addr(u->fill, idx + i) = p->addrs[--p->count];
	xdpkit_ring_prod_submit(u->fill, n);
	return (int)n;
}

int xdpkit_pool_delete(struct xdpkit_frame_pool *p)
{
	CHECK_POOL(p);
	if (!xdpkit__registry_remove(p))
		return xdpkit__fail(EBADF, "xdpkit_pool_delete: pool already deleted");
	p->magic = 0;
	free(p->addrs);
	xdpkit__handle_free(p);
	return 0;
}
