/* One real, exported copy of each inline ring helper of xdpkit.h, for
 * bindings that cannot inline C (Python's ctypes, Rust without the
 * header), plus ring initialisation. None of this enters Go. */
#define XDPKIT_API_INLINE
#include "internal.h"

void xdpkit__ring_init_prod(struct xdpkit_ring_prod *r, uint32_t *producer, uint32_t *consumer,
			    uint32_t *flags, void *desc, uint32_t size)
{
	r->producer = producer;
	r->consumer = consumer;
	r->flags = flags;
	r->ring = desc;
	r->size = size;
	r->mask = size - 1;
	r->cached_prod = __atomic_load_n(producer, __ATOMIC_ACQUIRE);
	r->cached_cons = __atomic_load_n(consumer, __ATOMIC_ACQUIRE) + size;
}

void xdpkit__ring_init_cons(struct xdpkit_ring_cons *r, uint32_t *producer, uint32_t *consumer,
			    uint32_t *flags, void *desc, uint32_t size)
{
	r->producer = producer;
	r->consumer = consumer;
	r->flags = flags;
	r->ring = desc;
	r->size = size;
	r->mask = size - 1;
	r->cached_prod = __atomic_load_n(producer, __ATOMIC_ACQUIRE);
	r->cached_cons = __atomic_load_n(consumer, __ATOMIC_ACQUIRE);
}
