/* fuzz_batch.c — fuzzes the C data path of libxdpkit.so: the batch calls
 * (xdpkit_rx_batch, _tx_batch, _fill_batch, _comp_batch, xdpkit_socket_
 * fill_batch, _comp_batch), the frame pool
 * (xdpkit_pool_*, xdpkit_umem_prefill), the handle checks, and under them
 * the inline ring helpers of xdpkit.h — over fake kernel rings whose
 * indices start just below 2^32, with the kernel's side played by a model.
 *
 * The library's own C files are compiled in (capi/batch.c, pool.c,
 * registry.c, errors.c, ring.c, sockops.c, fork.c: no Go), with fake UMEM
 * and socket handles put in the real handle registry.
 *
 * Input: 6 header bytes (ring size 2^1..2^6, start index 2^32 - k, UMEM of
 * 2..64 frames of 2048 bytes), then operations. Checked after each one:
 *   - every call returns what the model says (count, -EINVAL, -EBADF);
 *   - a rejected batch (one bad descriptor or address) changes no ring;
 *   - what the kernel reads from the fill and TX rings is exactly what was
 *     put there, in order, and always inside the UMEM (descriptor
 *     validation); what user space reads from the RX and completion rings
 *     is exactly what the kernel put there, in order;
 *   - for every ring, producer - consumer <= size (modulo 2^32), and the
 *     producer rings' cached producer index equals the published one;
 *   - the pool never holds more than its capacity, and hands out exactly
 *     the frames it was given (LIFO);
 *   - ASan/UBSan (fuzz and sanitizer builds): no out-of-bounds slot, no
 *     overflow, no leak.
 *
 * Built three ways (Makefile):
 *   libFuzzer (clang -fsanitize=fuzzer,address,undefined): `make fuzz`;
 *   a replay driver (this main): built-in seeds + 20000 pseudo-random
 *     inputs (fixed seed), or the files given as arguments: `make test`
 *     and, with ASan+UBSan, `make test-sanitize`. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

#define FRAME 2048u
#define MAXQ 4096 /* model queue capacity (more than any ring) */

/* A fake kernel ring: the words the kernel shares, and the entries. */
struct fring {
	uint32_t producer, consumer, flags;
	uint32_t size;
	void *desc; /* size entries, malloc'd exactly: ASan sees any overrun */
};

/* A FIFO of 64-bit values or descriptors (the model). */
struct fifo {
	struct xdpkit_desc v[MAXQ];
	uint32_t head, n;
};

static void push(struct fifo *q, struct xdpkit_desc d)
{
	if (q->n == MAXQ)
		abort();
	q->v[(q->head + q->n++) % MAXQ] = d;
}

static struct xdpkit_desc pop(struct fifo *q)
{
	struct xdpkit_desc d;

	if (!q->n)
		abort();
	d = q->v[q->head];
	q->head = (q->head + 1) % MAXQ;
	q->n--;
	return d;
}

#define FAILF(...) do { fprintf(stderr, "fuzz_batch: " __VA_ARGS__); fprintf(stderr, "\n"); abort(); } while (0)
#define ASSERT(c, ...) do { if (!(c)) FAILF(__VA_ARGS__); } while (0)

struct world {
	struct xdpkit_umem *u;
	struct xdpkit_socket *s;
	struct xdpkit_frame_pool *pool;
	struct fring fill, comp, rx, tx;
	struct fifo fillq;     /* on the fill ring, not yet read by the kernel */
	struct fifo rxfree;    /* addresses the kernel has for RX */
	struct fifo rxq;       /* on the RX ring */
	struct fifo txq;       /* on the TX ring */
	struct fifo compwait;  /* sent, to complete */
	struct fifo compq;     /* on the completion ring */
	uint64_t pool_model[4096];
	uint32_t pool_n, pool_cap;
	uint64_t umem_size;
};

static int fring_init(struct fring *r, uint32_t size, size_t elem, uint32_t start)
{
	memset(r, 0, sizeof(*r));
	r->size = size;
	r->producer = r->consumer = start;
	r->desc = calloc(size, elem);
	return r->desc ? 0 : -1;
}

static void check_ring_prod(const char *name, const struct fring *f, const struct xdpkit_ring_prod *r)
{
	ASSERT(f->producer - f->consumer <= f->size, "%s: producer %u - consumer %u > size %u", name, f->producer,
	       f->consumer, f->size);
	ASSERT(r->cached_prod == f->producer, "%s: cached producer %u, published %u", name, r->cached_prod, f->producer);
	ASSERT(r->cached_cons - r->cached_prod <= f->size, "%s: cached free %u > size", name, r->cached_cons - r->cached_prod);
}

static void check_ring_cons(const char *name, const struct fring *f, const struct xdpkit_ring_cons *r)
{
	ASSERT(f->producer - f->consumer <= f->size, "%s: producer %u - consumer %u > size %u", name, f->producer,
	       f->consumer, f->size);
	ASSERT(r->cached_cons == f->consumer, "%s: cached consumer %u, released %u", name, r->cached_cons, f->consumer);
	ASSERT(r->cached_prod - r->cached_cons <= f->size, "%s: cached entries %u > size", name,
	       r->cached_prod - r->cached_cons);
}

static void check_all(struct world *w)
{
	check_ring_prod("fill", &w->fill, w->u->fill);
	check_ring_prod("tx", &w->tx, w->s->tx);
	check_ring_cons("comp", &w->comp, w->u->comp);
	check_ring_cons("rx", &w->rx, w->s->rx);
	ASSERT(w->fill.producer - w->fill.consumer == w->fillq.n, "fill ring holds %u, model %u",
	       w->fill.producer - w->fill.consumer, w->fillq.n);
	ASSERT(w->tx.producer - w->tx.consumer == w->txq.n, "tx ring holds %u, model %u", w->tx.producer - w->tx.consumer,
	       w->txq.n);
	ASSERT(w->rx.producer - w->rx.consumer == w->rxq.n, "rx ring holds %u, model %u", w->rx.producer - w->rx.consumer,
	       w->rxq.n);
	ASSERT(w->comp.producer - w->comp.consumer == w->compq.n, "comp ring holds %u, model %u",
	       w->comp.producer - w->comp.consumer, w->compq.n);
	ASSERT(xdpkit_pool_count(w->pool) == (int)w->pool_n, "pool count %d, model %u", xdpkit_pool_count(w->pool), w->pool_n);
}

/* The input as a byte stream. */
struct in {
	const uint8_t *p;
	size_t n;
};

static uint8_t u8(struct in *in)
{
	uint8_t v;

	if (!in->n)
		return 0;
	v = *in->p++;
	in->n--;
	return v;
}

static uint64_t u64(struct in *in)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v |= (uint64_t)u8(in) << (8 * i);
	return v;
}

/* An address: mostly frame addresses, often at the edges of the UMEM,
 * sometimes with an unaligned-mode offset, sometimes anything. */
static uint64_t addr_from(struct in *in, uint64_t size)
{
	uint8_t kind = u8(in);
	uint64_t off;

	switch (kind & 7) {
	case 0:
	case 1:
	case 2:
		return ((uint64_t)u8(in) * FRAME) % (size + FRAME); /* in range or just past */
	case 3:
		return size - 1 - u8(in) % 4; /* the last bytes */
	case 4:
		return size + u8(in) % 4; /* just past */
	case 5:
		/* base + offset (unaligned mode): around the end too */
		off = (uint64_t)(u8(in) | u8(in) << 8);
		return off << XDPKIT_UNALIGNED_BUF_OFFSET_SHIFT | ((size - (off & 0xfff) - (u8(in) % 3)) & XDPKIT_UNALIGNED_BUF_ADDR_MASK);
	case 6:
		return (uint64_t)u8(in) << XDPKIT_UNALIGNED_BUF_OFFSET_SHIFT | ((uint64_t)u8(in) * FRAME);
	}
	return u64(in);
}

/* A length for a descriptor at addr: at the edge of what is left of the
 * UMEM from there, or small, zero, or anything. */
static uint32_t len_from(struct in *in, uint64_t addr, uint64_t size)
{
	uint64_t a = xdpkit_umem_addr(addr), left = a < size ? size - a : 0;

	switch (u8(in) % 8) {
	case 0:
	case 1:
		return (uint32_t)u8(in) << 4;
	case 2:
		return (uint32_t)(left - 1);
	case 3:
		return (uint32_t)left;
	case 4:
		return (uint32_t)(left + 1);
	case 5:
		return 0;
	}
	return (uint32_t)u64(in);
}

static int addr_ok(uint64_t a, uint64_t size)
{
	return xdpkit_umem_addr(a) < size;
}

static int desc_ok(const struct xdpkit_desc *d, uint64_t size)
{
	uint64_t a = xdpkit_umem_addr(d->addr);

	return d->len != 0 && a < size && d->len <= size - a;
}

static void op_fill(struct world *w, struct in *in)
{
	uint64_t a[16];
	uint32_t n = u8(in) % 17, i, room = w->fill.size - (w->fill.producer - w->fill.consumer), want;
	int bad = 0, r;

	for (i = 0; i < n; i++) {
		a[i] = addr_from(in, w->umem_size);
		bad |= !addr_ok(a[i], w->umem_size);
	}
	/* The UMEM's fill ring, through the UMEM or the socket (the first
	 * socket of a UMEM shares its rings). */
	r = u8(in) & 1 ? xdpkit_socket_fill_batch(w->s, n ? a : NULL, n) : xdpkit_fill_batch(w->u, n ? a : NULL, n);
	if (bad) {
		ASSERT(r == -EINVAL, "fill_batch with a bad address = %d", r);
		return;
	}
	want = n < room ? n : room;
	ASSERT(r == (int)want, "fill_batch(%u) with %u free = %d", n, room, r);
	for (i = 0; i < want; i++)
		push(&w->fillq, (struct xdpkit_desc){ .addr = a[i] });
}

static void op_tx(struct world *w, struct in *in)
{
	struct xdpkit_desc d[16];
	uint32_t n = u8(in) % 17, i, room = w->tx.size - (w->tx.producer - w->tx.consumer), want;
	int bad = 0, r, kick = u8(in) & 1;

	for (i = 0; i < n; i++) {
		d[i].addr = addr_from(in, w->umem_size);
		d[i].len = len_from(in, d[i].addr, w->umem_size);
		d[i].options = u8(in) & XDPKIT_PKT_CONTD;
		bad |= !desc_ok(&d[i], w->umem_size);
	}
	/* Kick only when the kernel does not ask to be woken: the fake
	 * socket has no fd to wake (need_wakeup bound, flag clear). */
	w->tx.flags = 0;
	r = xdpkit_tx_batch(w->s, n ? d : NULL, n, kick);
	if (bad) {
		ASSERT(r == -EINVAL, "tx_batch with a bad descriptor = %d", r);
		return;
	}
	want = n < room ? n : room;
	ASSERT(r == (int)want, "tx_batch(%u) with %u free = %d", n, room, r);
	for (i = 0; i < want; i++)
		push(&w->txq, d[i]);
}

static void op_rx(struct world *w, struct in *in)
{
	struct xdpkit_desc out[32];
	/* What the ring struct's cache shows, or (cache empty) what is there:
	 * the producer index is read only when the cache is empty. */
	uint32_t cached = w->s->rx->cached_prod - w->s->rx->cached_cons, ready = cached ? cached : w->rxq.n;
	uint32_t max = u8(in) % 33, i, want = max < ready ? max : ready;
	int r = xdpkit_rx_batch(w->s, max ? out : NULL, max);

	ASSERT(r == (int)want, "rx_batch(%u) with %u ready = %d", max, w->rxq.n, r);
	for (i = 0; i < want; i++) {
		struct xdpkit_desc e = pop(&w->rxq);

		ASSERT(out[i].addr == e.addr && out[i].len == e.len && out[i].options == e.options,
		       "rx desc %u: got %#llx/%u, want %#llx/%u", i, (unsigned long long)out[i].addr, out[i].len,
		       (unsigned long long)e.addr, e.len);
	}
}

static void op_comp(struct world *w, struct in *in)
{
	uint64_t out[32];
	uint32_t cached = w->u->comp->cached_prod - w->u->comp->cached_cons, ready = cached ? cached : w->compq.n;
	uint32_t max = u8(in) % 33, i, want = max < ready ? max : ready;
	int r = u8(in) & 1 ? xdpkit_socket_comp_batch(w->s, max ? out : NULL, max) : xdpkit_comp_batch(w->u, max ? out : NULL, max);

	ASSERT(r == (int)want, "comp_batch(%u) with %u ready = %d", max, w->compq.n, r);
	for (i = 0; i < want; i++) {
		struct xdpkit_desc e = pop(&w->compq);

		ASSERT(out[i] == e.addr, "completion %u: got %#llx, want %#llx", i, (unsigned long long)out[i],
		       (unsigned long long)e.addr);
	}
}

/* The kernel takes k addresses off the fill ring. */
static void k_fill(struct world *w, struct in *in)
{
	uint32_t k = u8(in) % 17, i;

	for (i = 0; i < k && w->fill.producer != w->fill.consumer; i++) {
		uint64_t a = ((uint64_t *)w->fill.desc)[w->fill.consumer & (w->fill.size - 1)];
		struct xdpkit_desc e = pop(&w->fillq);

		ASSERT(a == e.addr, "kernel read fill entry %#llx, user put %#llx", (unsigned long long)a,
		       (unsigned long long)e.addr);
		ASSERT(addr_ok(a, w->umem_size), "an address outside the UMEM reached the fill ring: %#llx",
		       (unsigned long long)a);
		w->fill.consumer++;
		push(&w->rxfree, e);
	}
}

/* The kernel sends k descriptors off the TX ring. */
static void k_tx(struct world *w, struct in *in)
{
	uint32_t k = u8(in) % 17, i;

	for (i = 0; i < k && w->tx.producer != w->tx.consumer; i++) {
		struct xdpkit_desc d = ((struct xdpkit_desc *)w->tx.desc)[w->tx.consumer & (w->tx.size - 1)];
		struct xdpkit_desc e = pop(&w->txq);

		ASSERT(d.addr == e.addr && d.len == e.len && d.options == e.options, "kernel read TX desc %#llx/%u, user put %#llx/%u",
		       (unsigned long long)d.addr, d.len, (unsigned long long)e.addr, e.len);
		ASSERT(desc_ok(&d, w->umem_size), "a descriptor outside the UMEM reached the TX ring: %#llx/%u",
		       (unsigned long long)d.addr, d.len);
		w->tx.consumer++;
		push(&w->compwait, d);
	}
}

/* The kernel receives k frames into addresses it took from the fill ring. */
static void k_rx(struct world *w, struct in *in)
{
	uint32_t k = u8(in) % 17, i;

	for (i = 0; i < k && w->rxfree.n && w->rx.producer - w->rx.consumer < w->rx.size; i++) {
		struct xdpkit_desc d = pop(&w->rxfree);

		d.len = 60 + u8(in);
		d.options = 0;
		((struct xdpkit_desc *)w->rx.desc)[w->rx.producer & (w->rx.size - 1)] = d;
		__atomic_store_n(&w->rx.producer, w->rx.producer + 1, __ATOMIC_RELEASE);
		push(&w->rxq, d);
	}
}

/* The kernel completes k sent frames. */
static void k_comp(struct world *w, struct in *in)
{
	uint32_t k = u8(in) % 17, i;

	for (i = 0; i < k && w->compwait.n && w->comp.producer - w->comp.consumer < w->comp.size; i++) {
		struct xdpkit_desc d = pop(&w->compwait);

		((uint64_t *)w->comp.desc)[w->comp.producer & (w->comp.size - 1)] = d.addr;
		__atomic_store_n(&w->comp.producer, w->comp.producer + 1, __ATOMIC_RELEASE);
		push(&w->compq, d);
	}
}

static void op_pool(struct world *w, struct in *in)
{
	uint64_t a[16], out[16];
	uint32_t n = u8(in) % 17, i, want;
	int r, bad = 0;

	switch (u8(in) % 3) {
	case 0:
		want = n < w->pool_n ? n : w->pool_n;
		r = xdpkit_pool_alloc(w->pool, n ? out : NULL, n);
		ASSERT(r == (int)want, "pool_alloc(%u) with %u = %d", n, w->pool_n, r);
		for (i = 0; i < want; i++)
			ASSERT(out[i] == w->pool_model[--w->pool_n], "pool_alloc gave %#llx", (unsigned long long)out[i]);
		break;
	case 1:
		for (i = 0; i < n; i++) {
			a[i] = addr_from(in, w->umem_size);
			bad |= !addr_ok(a[i], w->umem_size);
		}
		r = xdpkit_pool_free(w->pool, n ? a : NULL, n);
		if (bad || n > w->pool_cap - w->pool_n) {
			ASSERT(r == -EINVAL, "pool_free of a bad address or past capacity = %d", r);
			break;
		}
		ASSERT(r == 0, "pool_free = %d", r);
		for (i = 0; i < n; i++)
			w->pool_model[w->pool_n++] = a[i];
		break;
	default: {
		uint32_t room = w->fill.size - (w->fill.producer - w->fill.consumer);

		want = n < w->pool_n ? n : w->pool_n;
		want = want < room ? want : room;
		r = xdpkit_umem_prefill(w->u, w->pool, n);
		ASSERT(r == (int)want, "umem_prefill(%u) with %u in the pool and %u free = %d", n, w->pool_n, room, r);
		for (i = 0; i < want; i++)
			push(&w->fillq, (struct xdpkit_desc){ .addr = w->pool_model[--w->pool_n] });
	}
	}
}

/* Handles that are not live: NULL, forged (right magic, never
 * registered), and one taken out of the registry. */
static void op_handles(struct world *w, struct in *in)
{
	struct xdpkit_socket forged_s;
	struct xdpkit_umem forged_u;
	struct xdpkit_desc d = { .addr = 0, .len = 64 };
	uint64_t a = 0;

	memcpy(&forged_s, w->s, sizeof(forged_s));
	memcpy(&forged_u, w->u, sizeof(forged_u));
	switch (u8(in) % 4) {
	case 0:
		ASSERT(xdpkit_rx_batch(NULL, &d, 1) == -EINVAL, "rx_batch(NULL)");
		ASSERT(xdpkit_fill_batch(NULL, &a, 1) == -EINVAL, "fill_batch(NULL)");
		break;
	case 1:
		ASSERT(xdpkit_tx_batch(&forged_s, &d, 1, 0) == -EBADF, "tx_batch(forged)");
		ASSERT(xdpkit_comp_batch(&forged_u, &a, 1) == -EBADF, "comp_batch(forged)");
		break;
	case 2:
		ASSERT(xdpkit_pool_count((struct xdpkit_frame_pool *)w->u) == -EBADF, "pool_count(a umem)");
		ASSERT(xdpkit_rx_batch((struct xdpkit_socket *)w->u, &d, 1) == -EBADF, "rx_batch(a umem)");
		break;
	default:
		ASSERT(xdpkit__registry_remove(w->s) == 1, "registry_remove");
		ASSERT(xdpkit_tx_batch(w->s, &d, 1, 0) == -EBADF, "tx_batch(removed)");
		ASSERT(xdpkit__registry_add(w->s) == 0, "registry_add");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	struct world *w = calloc(1, sizeof(*w));
	uint32_t rsize, start, frames, i;
	int ops = 0;

	if (!w)
		abort();
	rsize = 1u << (1 + u8(&in) % 6);
	start = (uint32_t)0 - (uint32_t)(u8(&in) | u8(&in) << 8);
	frames = 1u << (1 + u8(&in) % 6);
	(void)u8(&in);
	w->umem_size = (uint64_t)frames * FRAME;
	w->u = calloc(1, sizeof(*w->u));
	w->s = calloc(1, sizeof(*w->s));
	if (!w->u || !w->s || fring_init(&w->fill, rsize, 8, start) || fring_init(&w->comp, rsize, 8, start + 7) ||
	    fring_init(&w->rx, rsize, 16, start + 3) || fring_init(&w->tx, rsize, 16, start - 5))
		abort();
	/* A UMEM and a socket as capi/umem.go and socket.go set them up. */
	w->u->fd = -1;
	w->u->size = w->umem_size;
	w->u->frame_size = FRAME;
	w->u->fill = &w->u->fill_own;
	w->u->comp = &w->u->comp_own;
	xdpkit__ring_init_prod(w->u->fill, &w->fill.producer, &w->fill.consumer, &w->fill.flags, w->fill.desc, rsize);
	xdpkit__ring_init_cons(w->u->comp, &w->comp.producer, &w->comp.consumer, &w->comp.flags, w->comp.desc, rsize);
	w->s->fd = -1;
	w->s->umem = w->u;
	w->s->bind_flags = XDPKIT_BIND_NEED_WAKEUP;
	w->s->rx = &w->s->rx_own;
	w->s->tx = &w->s->tx_own;
	w->s->fill = w->u->fill;
	w->s->comp = w->u->comp;
	xdpkit__ring_init_cons(w->s->rx, &w->rx.producer, &w->rx.consumer, &w->rx.flags, w->rx.desc, rsize);
	xdpkit__ring_init_prod(w->s->tx, &w->tx.producer, &w->tx.consumer, &w->tx.flags, w->tx.desc, rsize);
	if (xdpkit__registry_add(w->u) || xdpkit__registry_add(w->s))
		abort();
	w->u->magic = XDPKIT_MAGIC_UMEM;
	w->s->magic = XDPKIT_MAGIC_SOCK;
	if (xdpkit_pool_create(&w->pool, w->u))
		abort();
	w->pool_cap = w->pool_n = frames;
	for (i = 0; i < frames; i++)
		w->pool_model[i] = (uint64_t)(frames - 1 - i) * FRAME;
	check_all(w);

	while (in.n && ops++ < 4096) {
		switch (u8(&in) % 10) {
		case 0: op_fill(w, &in); break;
		case 1: op_tx(w, &in); break;
		case 2: op_rx(w, &in); break;
		case 3: op_comp(w, &in); break;
		case 4: k_fill(w, &in); break;
		case 5: k_tx(w, &in); break;
		case 6: k_rx(w, &in); break;
		case 7: k_comp(w, &in); break;
		case 8: op_pool(w, &in); break;
		default: op_handles(w, &in);
		}
		check_all(w);
	}

	ASSERT(xdpkit_pool_delete(w->pool) == 0, "pool_delete");
	ASSERT(xdpkit_pool_delete(w->pool) == -EBADF, "pool_delete twice");
	xdpkit__registry_remove(w->s);
	xdpkit__registry_remove(w->u);
	free(w->fill.desc);
	free(w->comp.desc);
	free(w->rx.desc);
	free(w->tx.desc);
	free(w->s);
	free(w->u);
	free(w);
	return 0;
}

#ifndef XDPKIT_LIBFUZZER
/* Replay driver: files given as arguments, or the built-in seeds and
 * RUNS pseudo-random inputs from a fixed seed. */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

int main(int argc, char **argv)
{
	static const uint8_t seeds[][24] = {
		{ 0, 0, 0, 0 },                                   /* nothing but setup */
		{ 5, 3, 0, 5, 0, 0, 16, 4, 16, 6, 16, 2, 16 },    /* fill, kernel, rx */
		{ 2, 255, 255, 3, 0, 1, 8, 0, 5, 8, 7, 8, 3, 8 }, /* tx across 2^32 */
		{ 0, 1, 0, 0, 0, 8, 1, 0, 9, 3, 9, 2, 9, 0 },     /* pool, handles */
	};
	long runs = getenv("FUZZ_BATCH_RUNS") ? atol(getenv("FUZZ_BATCH_RUNS")) : 20000, r;
	uint8_t buf[2048];
	size_t i;

	if (argc > 1) {
		for (i = 1; i < (size_t)argc; i++) {
			FILE *f = fopen(argv[i], "rb");
			size_t n;

			if (!f) {
				perror(argv[i]);
				return 2;
			}
			n = fread(buf, 1, sizeof(buf), f);
			fclose(f);
			LLVMFuzzerTestOneInput(buf, n);
		}
		printf("fuzz_batch: %d inputs replayed\n", argc - 1);
		return 0;
	}
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		LLVMFuzzerTestOneInput(seeds[i], sizeof(seeds[i]));
	for (r = 0; r < runs; r++) {
		size_t n = 6 + next() % (sizeof(buf) - 6);

		for (i = 0; i < n; i++)
			buf[i] = (uint8_t)next();
		LLVMFuzzerTestOneInput(buf, n);
	}
	printf("ok FUZZ_BATCH_REPLAY: %zu seeds and %ld pseudo-random inputs, every check held\n",
	       sizeof(seeds) / sizeof(seeds[0]), runs);
	return 0;
}
#endif
