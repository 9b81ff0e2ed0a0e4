/* rel_threads.c — libxdpkit.so from many threads at once (C pthreads).
 *
 *   rel_threads IFNAME ITERATIONS
 *
 * IFNAME: a veth end with 2 RX queues in the current namespace (tests/
 * reliability/run.sh). The test makes its own veth pairs as well.
 *
 *   THREADS_MANY_SOCKETS  7 threads for ITERATIONS loops each, all at once:
 *       4 threads, each on a veth pair of its own: UMEM create, socket
 *         create (SKB and DRV mode in turn), stats, options, fill, kick,
 *         wakeup, poll, TX of 4 frames, RX, completions, delete;
 *       2 threads on queues 0 and 1 of IFNAME: socket create/delete, so
 *         the default program they share is attached and detached under
 *         them concurrently;
 *       1 thread: map create / update / lookup / close.
 *     No call fails, nothing is left attached, fds come back.
 *   THREADS_RX_TX_ONE_SOCKET  one socket (need_wakeup), its RX side (fill
 *     and RX rings, inline helpers) on one thread and its TX side (TX and
 *     completion rings, batch calls) on another, with traffic both ways
 *     (an AF_PACKET sender and receiver on the peer): every frame sent
 *     to the socket is received once and in order, every frame it sends
 *     is completed and seen by the peer (200 x ITERATIONS frames each way).
 * Every wait is bounded; threads are joined with a 60 s limit. */
#include <pthread.h>
#include <signal.h>
#include "common.h"

#define FRAME_SIZE 2048u
#define NFRAMES 512u
#define TAG 0x7e1b0000u

static const char *g_if;
static int g_iters;
static volatile int g_abort;

struct worker {
	int id;
	char a[IFNAMSIZ], b[IFNAMSIZ]; /* own veth pair (kind 0) */
	int kind;                      /* 0 own veth, 1 shared IFNAME queue, 2 maps */
	uint32_t queue;
	int err;                       /* first error (negative errno), 0 if none */
	char msg[512];
	int loops;
};

static void worker_fail(struct worker *w, int err, int line, const char *what)
{
	if (w->err)
		return;
	w->err = err ? err : -1;
	snprintf(w->msg, sizeof(w->msg), "thread %d line %d: %s = %s (%s)", w->id, line, what, errname(err),
		 xdpkit_last_error());
	g_abort = 1;
}

#define WCHECK(w, call, cond) do {                                      \
	long r_ = (long)(call);                                         \
	if (!(cond)) {                                                  \
		worker_fail(w, (int)r_, __LINE__, #call);               \
		goto out;                                               \
	}                                                               \
} while (0)

static void *veth_worker(void *arg)
{
	struct worker *w = arg;
	uint8_t mac_a[6], mac_b[6];
	int i;

	if (mac_of(w->a, mac_a) || mac_of(w->b, mac_b)) {
		worker_fail(w, -errno, __LINE__, "mac_of");
		return NULL;
	}
	for (i = 0; i < g_iters && !g_abort; i++) {
		XDPKIT_OPTS(xdpkit_umem_config, ucfg, .frame_size = FRAME_SIZE, .fill_size = 64, .comp_size = 64);
		XDPKIT_OPTS(xdpkit_socket_config, scfg, .rx_size = 64, .tx_size = 64, .bind_flags = XDPKIT_BIND_NEED_WAKEUP,
			    .xdp_flags = (i + w->id) & 1 ? XDPKIT_XDP_FLAGS_DRV_MODE : XDPKIT_XDP_FLAGS_SKB_MODE);
		struct xdpkit_umem *u = NULL;
		struct xdpkit_socket *s = NULL;
		struct xdpkit_stats st = { .sz = sizeof(st) };
		struct xdpkit_desc d[4], rx[16];
		uint64_t fill[32], comp[16];
		uint32_t opts, j;
		uint8_t *area;
		int r;

		WCHECK(w, xdpkit_umem_create(&u, NULL, (uint64_t)FRAME_SIZE * NFRAMES, NULL, NULL, &ucfg), r_ == 0);
		WCHECK(w, xdpkit_socket_create(&s, w->a, 0, u, NULL, NULL, &scfg), r_ == 0);
		WCHECK(w, xdpkit_socket_stats(s, &st), r_ == 0);
		WCHECK(w, xdpkit_socket_options(s, &opts), r_ == 0);
		for (j = 0; j < 32; j++)
			fill[j] = (uint64_t)j * FRAME_SIZE;
		WCHECK(w, xdpkit_fill_batch(u, fill, 32), r_ == 32);
		WCHECK(w, xdpkit_socket_wakeup_rx(s), r_ == 0);
		area = xdpkit_umem_area(u);
		for (j = 0; j < 4; j++) {
			build_frame(area + (uint64_t)(100 + j) * FRAME_SIZE, mac_b, mac_a, TAG + (uint32_t)w->id, j);
			d[j] = (struct xdpkit_desc){ .addr = (uint64_t)(100 + j) * FRAME_SIZE, .len = FRAME_LEN };
		}
		WCHECK(w, xdpkit_tx_batch(s, d, 4, 1), r_ == 4);
		WCHECK(w, xdpkit_socket_kick(s), r_ == 0);
		WCHECK(w, xdpkit_socket_poll(s, POLLIN | POLLOUT, 0), r_ >= 0);
		WCHECK(w, xdpkit_rx_batch(s, rx, 16), r_ >= 0);
		WCHECK(w, xdpkit_comp_batch(u, comp, 16), r_ >= 0 && r_ <= 4);
		WCHECK(w, xdpkit_socket_prog_id(s), r_ > 0);
		r = xdpkit_socket_delete(s);
		s = NULL;
		WCHECK(w, r, r_ == 0);
		r = xdpkit_umem_delete(u);
		u = NULL;
		WCHECK(w, r, r_ == 0);
		w->loops++;
		continue;
out:
		if (s)
			xdpkit_socket_delete(s);
		if (u)
			xdpkit_umem_delete(u);
		break;
	}
	return NULL;
}

static void *queue_worker(void *arg)
{
	struct worker *w = arg;
	int i;

	for (i = 0; i < g_iters && !g_abort; i++) {
		XDPKIT_OPTS(xdpkit_umem_config, ucfg, .frame_size = FRAME_SIZE, .fill_size = 64, .comp_size = 64);
		XDPKIT_OPTS(xdpkit_socket_config, scfg, .rx_size = 64, .tx_size = 64, .xdp_flags = XDPKIT_XDP_FLAGS_SKB_MODE);
		struct xdpkit_umem *u = NULL;
		struct xdpkit_socket *s = NULL;
		int r;

		WCHECK(w, xdpkit_umem_create(&u, NULL, (uint64_t)FRAME_SIZE * 64, NULL, NULL, &ucfg), r_ == 0);
		WCHECK(w, xdpkit_socket_create(&s, g_if, w->queue, u, NULL, NULL, &scfg), r_ == 0);
		WCHECK(w, xdpkit_socket_queue(s), r_ == (long)w->queue);
		WCHECK(w, xdpkit_socket_xdp_mode(s), r_ == XDPKIT_XDP_FLAGS_SKB_MODE);
		r = xdpkit_socket_delete(s);
		s = NULL;
		WCHECK(w, r, r_ == 0);
		r = xdpkit_umem_delete(u);
		u = NULL;
		WCHECK(w, r, r_ == 0);
		w->loops++;
		continue;
out:
		if (s)
			xdpkit_socket_delete(s);
		if (u)
			xdpkit_umem_delete(u);
		break;
	}
	return NULL;
}

static void *map_worker(void *arg)
{
	struct worker *w = arg;
	int i;

	for (i = 0; i < g_iters * 10 && !g_abort; i++) {
		uint32_t k = (uint32_t)i;
		uint64_t v = (uint64_t)i * 7, got = 0;
		int fd;

		WCHECK(w, fd = xdpkit_map_create(XDPKIT_MAP_HASH, 4, 8, 16, 0, "rel_threads"), r_ >= 0);
		WCHECK(w, xdpkit_map_update(fd, &k, 4, &v, 8, XDPKIT_MAP_NOEXIST), r_ == 0);
		WCHECK(w, xdpkit_map_lookup(fd, &k, 4, &got, 8), r_ == 0 && got == v);
		WCHECK(w, xdpkit_map_update(fd, &k, 4, &v, 8, XDPKIT_MAP_NOEXIST), r_ == -EEXIST);
		WCHECK(w, xdpkit_map_close(fd), r_ == 0);
		w->loops++;
		continue;
out:
		break;
	}
	return NULL;
}

static int join_within(pthread_t th, int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return pthread_timedjoin_np(th, NULL, &ts) == 0 ? 0 : -1;
}

static int t_many_sockets(void)
{
	struct worker w[7];
	pthread_t th[7];
	int n = 0, i, rc = -1, fds0, fds1, veths = 0;
	long long t0;

	memset(w, 0, sizeof(w));
	g_abort = 0;
	for (i = 0; i < 7; i++) {
		w[i].id = i;
		w[i].kind = i < 4 ? 0 : i < 6 ? 1 : 2;
		w[i].queue = (uint32_t)(i - 4);
		snprintf(w[i].a, sizeof(w[i].a), "rt%da%d", i, (int)getpid() % 10000);
		snprintf(w[i].b, sizeof(w[i].b), "rt%db%d", i, (int)getpid() % 10000);
	}
	for (i = 0; i < 4; i++, veths++)
		CHECK(veth_add(w[i].a, w[i].b, 1) == 0, "cannot create veth %s", w[i].a);
	fds0 = count_fds();
	t0 = now_ms();
	for (i = 0; i < 7; i++, n++)
		CHECK(pthread_create(&th[i], NULL, w[i].kind == 0 ? veth_worker : w[i].kind == 1 ? queue_worker : map_worker,
				     &w[i]) == 0, "pthread_create");
	for (i = 0; i < n; i++)
		CHECK(join_within(th[i], 60000) == 0, "thread %d did not finish within 60 s (a call hangs?)", i);
	n = 0;
	note("%d threads: loops %d %d %d %d (own veths), %d %d (queues 0/1 of %s), %d (maps) in %.1f s", 7, w[0].loops,
	     w[1].loops, w[2].loops, w[3].loops, w[4].loops, w[5].loops, g_if, w[6].loops, (double)(now_ms() - t0) / 1000);
	for (i = 0; i < 7; i++)
		CHECK(w[i].err == 0, "%s", w[i].msg);
	for (i = 0; i < 6; i++)
		CHECK(w[i].loops == g_iters, "thread %d did %d of %d loops", i, w[i].loops, g_iters);
	fds1 = count_fds();
	CHECK(fds1 == fds0, "%d fds before, %d after", fds0, fds1);
	for (i = 0; i < 4; i++)
		CHECK(if_has_xdp(w[i].a) == 0, "%s still has an XDP program", w[i].a);
	CHECK(if_has_xdp(g_if) == 0, "%s still has an XDP program", g_if);
	rc = 0;
out:
	g_abort = 1;
	for (i = 0; i < n; i++)
		join_within(th[i], 60000);
	for (i = 0; i < veths; i++)
		veth_del(w[i].a);
	return rc;
}

/* ------------------------------------------------------------------ */
/* One socket, RX and TX on two threads. */

/* Frames each way: 200 per ITERATION (4000 in make test). */
static uint32_t NRX, NTX;
#define RXF 256u  /* frames 0..255 for RX, 256..511 for TX */

struct duplex {
	struct xdpkit_umem *u;
	struct xdpkit_socket *s;
	struct xdpkit_ring_prod fill, tx;
	struct xdpkit_ring_cons comp, rx;
	uint8_t mac_a[6], mac_b[6];
	int peer_fd; /* AF_PACKET on the peer end, open before any thread starts */
	volatile int stop;
	volatile uint32_t rx_count, rx_bad, tx_done, peer_seen, sent;
	volatile int rx_err, tx_err;
	uint8_t *rx_seen, *peer_bits;
	uint32_t rx_next; /* in-order check */
	volatile uint32_t rx_out_of_order;
};

static void *duplex_rx(void *arg)
{
	struct duplex *d = arg;
	uint8_t *area = xdpkit_umem_area(d->u);
	long long deadline = now_ms() + 30000;

	while (!d->stop && d->rx_count < NRX && now_ms() < deadline) {
		uint32_t idx = 0, fidx = 0, n, i, seq;
		int ev = xdpkit_socket_poll(d->s, POLLIN, 20);

		if (ev < 0) {
			d->rx_err = ev;
			break;
		}
		n = xdpkit_ring_cons_peek(&d->rx, 64, &idx);
		if (!n)
			continue;
		while (xdpkit_ring_prod_reserve(&d->fill, n, &fidx) != n) {
			if (d->stop || now_ms() > deadline)
				return NULL;
		}
		for (i = 0; i < n; i++) {
			const struct xdpkit_desc *desc = xdpkit_ring_rx_desc(&d->rx, idx + i);
			uint64_t a = desc->addr;

			if (parse_frame(area + xdpkit_umem_addr(a), desc->len, TAG + 100, &seq) && seq < NRX) {
				d->rx_seen[seq]++;
				if (seq != d->rx_next)
					d->rx_out_of_order++;
				d->rx_next = seq + 1;
			} else {
				d->rx_bad++;
			}
			*xdpkit_ring_fill_addr(&d->fill, fidx + i) = a & ~(uint64_t)(FRAME_SIZE - 1);
		}
		xdpkit_ring_prod_submit(&d->fill, n);
		xdpkit_ring_cons_release(&d->rx, n);
		d->rx_count += n;
		if (xdpkit_ring_prod_needs_wakeup(&d->fill)) {
			int r = xdpkit_socket_wakeup_rx(d->s);

			if (r) {
				d->rx_err = r;
				break;
			}
		}
	}
	return NULL;
}

static void *duplex_tx(void *arg)
{
	struct duplex *d = arg;
	uint8_t *area = xdpkit_umem_area(d->u);
	uint64_t frames[NFRAMES - RXF], comp[64];
	uint32_t nfree = 0, seq = 0, i;
	long long deadline = now_ms() + 30000;

	for (i = RXF; i < NFRAMES; i++)
		frames[nfree++] = (uint64_t)i * FRAME_SIZE;
	while (!d->stop && d->tx_done < NTX && now_ms() < deadline) {
		struct xdpkit_desc desc[32];
		int n = xdpkit_comp_batch(d->u, comp, 64), r;

		if (n < 0) {
			d->tx_err = n;
			break;
		}
		for (i = 0; i < (uint32_t)n; i++)
			frames[nfree++] = comp[i];
		d->tx_done += (uint32_t)n;
		/* Stay within what the peer's socket buffer takes. */
		for (i = 0; i < 32 && nfree && seq < NTX && seq < d->peer_seen + 128; i++) {
			uint64_t a = frames[--nfree];

			build_frame(area + a, d->mac_b, d->mac_a, TAG + 200, seq++);
			desc[i] = (struct xdpkit_desc){ .addr = a, .len = FRAME_LEN };
		}
		r = xdpkit_tx_batch(d->s, desc, i, 1);
		if (r < 0) {
			d->tx_err = r;
			break;
		}
		while (i > (uint32_t)r) { /* did not fit: give back, resend later */
			frames[nfree++] = desc[--i].addr;
			seq--;
		}
		if (r == 0)
			sleep_ms(1);
	}
	return NULL;
}

/* The peer: sends NRX frames to the socket (paced by what it received)
 * and counts the socket's frames. */
static void *duplex_peer(void *arg)
{
	struct duplex *d = arg;
	uint8_t f[2048];
	uint32_t seq = 0;
	long long deadline = now_ms() + 30000;
	int fd = d->peer_fd;

	while (!d->stop && (seq < NRX || d->peer_seen < NTX) && now_ms() < deadline) {
		ssize_t n;
		uint32_t s, i;

		for (i = 0; i < 32 && seq < NRX && seq < d->rx_count + 128; i++) {
			build_frame(f, d->mac_a, d->mac_b, TAG + 100, seq);
			if (send(fd, f, FRAME_LEN, MSG_DONTWAIT) == FRAME_LEN)
				seq++;
		}
		d->sent = seq;
		while ((n = recv(fd, f, sizeof(f), MSG_DONTWAIT)) > 0)
			if (parse_frame(f, (uint32_t)n, TAG + 200, &s) && s < NTX && !d->peer_bits[s]) {
				d->peer_bits[s] = 1;
				d->peer_seen++;
			}
		sleep_ms(1);
	}
	return NULL;
}

static int t_rx_tx_one_socket(void)
{
	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .frame_size = FRAME_SIZE, .fill_size = 256, .comp_size = 256);
	XDPKIT_OPTS(xdpkit_socket_config, scfg, .rx_size = 256, .tx_size = 256, .bind_flags = XDPKIT_BIND_NEED_WAKEUP,
		    .xdp_flags = XDPKIT_XDP_FLAGS_DRV_MODE);
	char a[IFNAMSIZ], b[IFNAMSIZ];
	struct duplex *d = calloc(1, sizeof(*d));
	pthread_t th[3];
	uint32_t idx = 0, i, missing = 0, dup = 0;
	int n = 0, rc = -1, veth = 0, rcv = 4 << 20;
	long long t0;

	CHECK(d, "out of memory");
	d->peer_fd = -1;
	d->rx_seen = calloc(NRX, 1);
	d->peer_bits = calloc(NTX, 1);
	CHECK(d->rx_seen && d->peer_bits, "out of memory");
	snprintf(a, sizeof(a), "rtda%d", (int)getpid() % 100000);
	snprintf(b, sizeof(b), "rtdb%d", (int)getpid() % 100000);
	CHECK(veth_add(a, b, 1) == 0, "cannot create veth %s", a);
	veth = 1;
	d->peer_fd = packet_open(b);
	CHECK(d->peer_fd >= 0, "AF_PACKET on %s: %s", b, strerror(errno));
	/* Root: past net.core.rmem_max, so the peer drops nothing. */
	CHECK(setsockopt(d->peer_fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) == 0, "SO_RCVBUFFORCE: %s", strerror(errno));
	CHECK(mac_of(a, d->mac_a) == 0 && mac_of(b, d->mac_b) == 0, "MAC: %s", strerror(errno));
	CHECK_RET(xdpkit_umem_create(&d->u, NULL, (uint64_t)FRAME_SIZE * NFRAMES, &d->fill, &d->comp, &ucfg), 0);
	CHECK_RET(xdpkit_socket_create(&d->s, a, 0, d->u, &d->rx, &d->tx, &scfg), 0);
	CHECK(xdpkit_ring_prod_reserve(&d->fill, RXF, &idx) == RXF, "cannot fill the fill ring");
	for (i = 0; i < RXF; i++)
		*xdpkit_ring_fill_addr(&d->fill, idx + i) = (uint64_t)i * FRAME_SIZE;
	xdpkit_ring_prod_submit(&d->fill, RXF);
	t0 = now_ms();
	CHECK(pthread_create(&th[0], NULL, duplex_rx, d) == 0, "pthread_create");
	n++;
	CHECK(pthread_create(&th[1], NULL, duplex_tx, d) == 0, "pthread_create");
	n++;
	CHECK(pthread_create(&th[2], NULL, duplex_peer, d) == 0, "pthread_create");
	n++;
	for (i = 0; i < 3; i++)
		CHECK(join_within(th[i], 60000) == 0, "thread %u did not finish within 60 s", i);
	n = 0;
	for (i = 0; i < NRX; i++) {
		missing += d->rx_seen[i] == 0;
		dup += d->rx_seen[i] > 1;
	}
	note("one socket, RX thread + TX thread: received %u/%u (missing %u, duplicated %u, out of order %u, foreign %u), "
	     "sent %u/%u completed, %u seen by the peer, in %.1f s",
	     d->rx_count, NRX, missing, dup, d->rx_out_of_order, d->rx_bad, d->tx_done, NTX, d->peer_seen,
	     (double)(now_ms() - t0) / 1000);
	CHECK(d->rx_err == 0 && d->tx_err == 0, "errors: rx %s, tx %s (%s)", errname(d->rx_err), errname(d->tx_err),
	      xdpkit_last_error());
	CHECK(missing == 0 && dup == 0 && d->rx_out_of_order == 0, "RX: %u missing, %u duplicated, %u out of order", missing,
	      dup, d->rx_out_of_order);
	CHECK(d->tx_done == NTX, "TX: %u of %u completed", d->tx_done, NTX);
	CHECK(d->peer_seen == NTX, "the peer saw %u of %u frames", d->peer_seen, NTX);
	rc = 0;
out:
	if (d) {
		d->stop = 1;
		for (i = 0; i < (uint32_t)n; i++)
			join_within(th[i], 60000);
		if (d->s)
			xdpkit_socket_delete(d->s);
		if (d->u)
			xdpkit_umem_delete(d->u);
		if (d->peer_fd >= 0)
			close(d->peer_fd);
		free(d->rx_seen);
		free(d->peer_bits);
	}
	if (veth)
		veth_del(a);
	free(d);
	return rc;
}

/* One socket before any count is taken: the Go runtime opens its
 * netpoller fds on first use and keeps them. */
static int warm_up(void)
{
	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .frame_size = FRAME_SIZE);
	struct xdpkit_umem *u = NULL;
	struct xdpkit_socket *s = NULL;
	int r;

	r = xdpkit_umem_create(&u, NULL, (uint64_t)FRAME_SIZE * 64, NULL, NULL, &ucfg);
	if (!r)
		r = xdpkit_socket_create(&s, g_if, 0, u, NULL, NULL, NULL);
	if (r)
		fprintf(stderr, "rel_threads: warm-up socket on %s: %s\n", g_if, xdpkit_last_error());
	if (s)
		xdpkit_socket_delete(s);
	if (u)
		xdpkit_umem_delete(u);
	return r;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 3 || (g_iters = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: %s IFNAME ITERATIONS\n", argv[0]);
		return 2;
	}
	g_if = argv[1];
	NRX = NTX = 200u * (uint32_t)(g_iters < 5000 ? g_iters : 5000);
	alarm(600);
	if (warm_up())
		return 2;
	run("THREADS_MANY_SOCKETS", t_many_sockets);
	run("THREADS_RX_TX_ONE_SOCKET", t_rx_tx_one_socket);
	return summary();
}
