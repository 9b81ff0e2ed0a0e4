/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * callcost — what a call into libxdpkit costs from C:
 *   - a pure-C export (xdpkit_version; xdpkit_socket_fd, with its handle
 *     check) against a Go-backed one (xdpkit_socket_queue, which calls an
 *     exported Go function): the difference is one C->Go transition;
 *   - the batch calls (xdpkit_rx_batch, _tx_batch, _fill_batch,
 *     _comp_batch) per packet at several batch sizes, against the inline
 *     ring helpers doing the same work.
 *
 *   callcost -i IFNAME [-n ITERATIONS]
 * The socket is bound with INHIBIT_PROG_LOAD (no XDP program, no traffic),
 * so the kernel never touches its rings and this program plays the
 * kernel's side itself (moving the producer/consumer words). Each figure
 * is the best of 5 rounds. Output: "callcost: NAME NS" lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xdpkit.h>

#define ROUNDS 5
#define NUM_FRAMES 4096

static struct xdpkit_ring_prod fill, tx;
static struct xdpkit_ring_cons comp, rx;
static struct xdpkit_umem *umem;
static struct xdpkit_socket *sock;
static volatile int sink;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The kernel's side: publish n entries / take n entries. */
static void kernel_produce(struct xdpkit_ring_cons *r, uint32_t n)
{
	__atomic_store_n(r->producer, *r->producer + n, __ATOMIC_RELEASE);
}

static void kernel_consume(struct xdpkit_ring_prod *r, uint32_t n)
{
	__atomic_store_n(r->consumer, *r->consumer + n, __ATOMIC_RELEASE);
}

typedef void (*step_fn)(uint32_t batch);

/* Inputs (never written by the calls) and outputs, kept apart. */
static uint64_t addrs[256], out_addrs[256];
static struct xdpkit_desc descs[256], out_descs[256];

static void check(int got, uint32_t want, const char *fn)
{
	if (got != (int)want) {
		fprintf(stderr, "callcost: %s returned %d, want %u: %s\n", fn, got, want, xdpkit_last_error());
		exit(1);
	}
}

static void step_version(uint32_t b)
{
	(void)b;
	sink += xdpkit_version();
}

static void step_fd(uint32_t b)
{
	(void)b;
	sink += xdpkit_socket_fd(sock);
}

static void step_queue(uint32_t b)
{
	(void)b;
	sink += xdpkit_socket_queue(sock);
}

static void step_rx_batch(uint32_t b)
{
	kernel_produce(&rx, b);
	check(xdpkit_rx_batch(sock, out_descs, b), b, "xdpkit_rx_batch");
}

static void step_fill_batch(uint32_t b)
{
	check(xdpkit_fill_batch(umem, addrs, b), b, "xdpkit_fill_batch");
	kernel_consume(&fill, b);
}

static void step_comp_batch(uint32_t b)
{
	kernel_produce(&comp, b);
	check(xdpkit_comp_batch(umem, out_addrs, b), b, "xdpkit_comp_batch");
}

static void step_tx_batch(uint32_t b)
{
	check(xdpkit_tx_batch(sock, descs, b, 0), b, "xdpkit_tx_batch");
	kernel_consume(&tx, b);
}

/* The rxdrop step with the inline helpers, for comparison. */
static void step_inline_rxdrop(uint32_t b)
{
	uint32_t idx_rx = 0, idx_fq = 0, n, i;

	kernel_produce(&rx, b);
	n = xdpkit_ring_cons_peek(&rx, b, &idx_rx);
	if (xdpkit_ring_prod_reserve(&fill, n, &idx_fq) != n)
		abort();
	for (i = 0; i < n; i++)
		*xdpkit_ring_fill_addr(&fill, idx_fq++) = xdpkit_ring_rx_desc(&rx, idx_rx++)->addr;
	xdpkit_ring_prod_submit(&fill, n);
	xdpkit_ring_cons_release(&rx, n);
	kernel_consume(&fill, n);
}

/* The same rxdrop step with two batch calls (what Python does). */
static void step_batch_rxdrop(uint32_t b)
{
	uint32_t i;

	kernel_produce(&rx, b);
	check(xdpkit_rx_batch(sock, out_descs, b), b, "xdpkit_rx_batch");
	for (i = 0; i < b; i++)
		out_addrs[i] = out_descs[i].addr;
	check(xdpkit_fill_batch(umem, out_addrs, b), b, "xdpkit_fill_batch");
	kernel_consume(&fill, b);
}

/* Best-of-ROUNDS nanoseconds per call of fn. */
static double measure(step_fn fn, uint32_t batch, long iters)
{
	double best = 1e30;
	int r;
	long i;

	for (r = 0; r < ROUNDS; r++) {
		double t0 = now_ns(), t;

		for (i = 0; i < iters; i++)
			fn(batch);
		t = (now_ns() - t0) / (double)iters;
		if (t < best)
			best = t;
	}
	return best;
}

int main(int argc, char **argv)
{
	static const uint32_t batches[] = { 1, 8, 64, 256 };
	static const struct {
		const char *name;
		step_fn fn;
	} batch_steps[] = {
		{ "rx_batch", step_rx_batch },
		{ "tx_batch", step_tx_batch },
		{ "fill_batch", step_fill_batch },
		{ "comp_batch", step_comp_batch },
		{ "rxdrop_batch_calls", step_batch_rxdrop },
		{ "rxdrop_inline", step_inline_rxdrop },
	};
	const char *ifname = NULL;
	long iters = 2000000;
	double fd_ns, queue_ns;
	unsigned s, b, i;
	int c, err;

	while ((c = getopt(argc, argv, "i:n:")) != -1) {
		switch (c) {
		case 'i':
			ifname = optarg;
			break;
		case 'n':
			iters = atol(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (!ifname || iters <= 0)
		goto usage;

	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .fill_size = NUM_FRAMES, .comp_size = NUM_FRAMES);
	err = xdpkit_umem_create(&umem, NULL, (uint64_t)NUM_FRAMES * XDPKIT_DEFAULT_FRAME_SIZE, &fill, &comp, &ucfg);
	if (err) {
		fprintf(stderr, "callcost: %s\n", xdpkit_last_error());
		return 1;
	}
	XDPKIT_OPTS(xdpkit_socket_config, scfg, .libxdp_flags = XDPKIT_LIBXDP_FLAGS_INHIBIT_PROG_LOAD,
		    .bind_flags = XDPKIT_BIND_COPY);
	err = xdpkit_socket_create(&sock, ifname, 0, umem, &rx, &tx, &scfg);
	if (err) {
		fprintf(stderr, "callcost: %s\n", xdpkit_last_error());
		return 1;
	}
	for (i = 0; i < 256; i++) {
		addrs[i] = (uint64_t)i * XDPKIT_DEFAULT_FRAME_SIZE;
		descs[i].addr = addrs[i];
		descs[i].len = 64;
		descs[i].options = 0;
	}
	/* What the kernel would have written into the RX ring. */
	for (i = 0; i < rx.size; i++) {
		struct xdpkit_desc *d = &((struct xdpkit_desc *)rx.ring)[i];

		d->addr = (uint64_t)(i % NUM_FRAMES) * XDPKIT_DEFAULT_FRAME_SIZE;
		d->len = 64;
	}

	printf("callcost: version %.2f\n", measure(step_version, 0, iters * 5));
	fd_ns = measure(step_fd, 0, iters * 5);
	queue_ns = measure(step_queue, 0, iters);
	printf("callcost: socket_fd %.2f\n", fd_ns);
	printf("callcost: socket_queue %.2f\n", queue_ns);
	printf("callcost: c_to_go %.2f\n", queue_ns - fd_ns);
	for (s = 0; s < sizeof(batch_steps) / sizeof(batch_steps[0]); s++) {
		for (b = 0; b < sizeof(batches) / sizeof(batches[0]); b++) {
			double ns = measure(batch_steps[s].fn, batches[b], iters / batches[b] + 1000);

			printf("callcost: %s/%u %.2f %.3f\n", batch_steps[s].name, batches[b], ns,
			       ns / batches[b]);
		}
	}
	xdpkit_socket_delete(sock);
	xdpkit_umem_delete(umem);
	return 0;
usage:
	fprintf(stderr, "usage: callcost -i IFNAME [-n ITERATIONS]\n");
	return 2;
}
