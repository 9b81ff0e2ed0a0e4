/* rel_faults.c — faults under the C API of libxdpkit.so.
 *
 *   rel_faults IFNAME ROUNDS
 *
 * IFNAME: a veth end with 2 RX queues in the current namespace (tests/
 * reliability/run.sh). The link-fault tests make veth pairs of their own
 * in the namespace and remove them.
 *
 *   LINK_DOWN_UNDER_TRAFFIC    RX, TX and a sender run (three threads) while
 *                              the veth goes down and up again: calls keep
 *                              returning (0, or the errno the header lists),
 *                              RX resumes after up, close releases all.
 *   LINK_DELETE_UNDER_TRAFFIC  the veth is deleted under traffic: kick,
 *                              TX and wakeup_rx return -ENXIO (socket
 *                              unbound), SO_ERROR is ENETDOWN, poll returns
 *                              at its timeout (the kernel reports no event
 *                              on an unbound socket: never poll with -1),
 *                              nothing blocks, and delete still works and
 *                              frees fds, rings, program and maps.
 *   QUEUE_BUSY_OTHER_PROCESS   another process holds queue 0: a socket on it
 *                              fails with -EBUSY and a message after the
 *                              library's 0.5 s bind retry (well under 3 s),
 *                              leaves no program behind, and binds once the
 *                              other process has gone.
 *   PROGRAM_OF_OTHER_PROCESS   another process's default program is on the
 *                              interface: -EBUSY with a message, at once.
 *   SIGKILL_HOLDER             a C process holding a socket (default program,
 *                              DRV then SKB mode, ROUNDS times) is killed
 *                              with SIGKILL: its program is detached and
 *                              freed, and a new socket binds the queue.
 *
 * Every library call in the traffic threads is timed: a call longer than
 * 1 s fails the test; threads are joined with a 10 s limit. The program
 * arms alarm(300) against anything else. */
#include <pthread.h>
#include <signal.h>
#include "common.h"

#define FRAME_SIZE 2048u
#define NFRAMES 1024u
#define RX_FRAMES 512u /* frames 0..511 receive, 512..1023 send */
#define CALL_LIMIT_MS 1000
#define TAG 0x7e1a0000u

static const char *g_if;
static int g_rounds;
static char g_self[4096];

/* ------------------------------------------------------------------ */
/* Traffic over a socket on A, sent from B, while the link changes. */

struct traffic {
	const char *a, *b;
	struct xdpkit_umem *u;
	struct xdpkit_socket *s;
	uint8_t mac_a[6], mac_b[6];
	volatile int stop;
	/* Results, each written by one thread. */
	volatile unsigned long rx, tx, sent, send_err;
	volatile long long rx_max_ms, tx_max_ms;
	volatile int rx_err, tx_err, poll_err_seen;
	volatile int last_kick, last_tx, last_poll, last_wake;
};

static long long timed_start(void) { return now_ms(); }
static void timed_end(long long t0, volatile long long *max)
{
	long long d = now_ms() - t0;

	if (d > *max)
		*max = d;
}

static void *rx_thread(void *arg)
{
	struct traffic *t = arg;
	struct xdpkit_desc d[64];
	uint64_t addrs[64];

	while (!t->stop) {
		long long t0 = timed_start();
		int ev = xdpkit_socket_poll(t->s, POLLIN, 50), n, i, f;

		timed_end(t0, &t->rx_max_ms);
		t->last_poll = ev;
		if (ev < 0) {
			t->rx_err = ev;
			sleep_ms(5);
			continue;
		}
		if (ev & POLLERR)
			t->poll_err_seen = 1;
		t0 = timed_start();
		n = xdpkit_rx_batch(t->s, d, 64);
		timed_end(t0, &t->rx_max_ms);
		if (n < 0) {
			t->rx_err = n;
			sleep_ms(5);
			continue;
		}
		for (i = 0; i < n; i++)
			addrs[i] = d[i].addr & ~(uint64_t)(FRAME_SIZE - 1);
		t->rx += (unsigned long)n;
		if (n) {
			t0 = timed_start();
			f = xdpkit_fill_batch(t->u, addrs, (uint32_t)n);
			timed_end(t0, &t->rx_max_ms);
			if (f != n)
				t->rx_err = f < 0 ? f : -ENOSPC;
		}
		t0 = timed_start();
		t->last_wake = xdpkit_socket_wakeup_rx(t->s);
		timed_end(t0, &t->rx_max_ms);
		if (ev == 0 || (ev & POLLERR))
			sleep_ms(2); /* a dead socket polls ready at once */
	}
	return NULL;
}

static void *tx_thread(void *arg)
{
	struct traffic *t = arg;
	uint64_t free_frames[NFRAMES - RX_FRAMES], comp[64];
	uint32_t nfree = 0, seq = 0, i;
	uint8_t *area = xdpkit_umem_area(t->u);

	for (i = RX_FRAMES; i < NFRAMES; i++)
		free_frames[nfree++] = (uint64_t)i * FRAME_SIZE;
	while (!t->stop) {
		struct xdpkit_desc d[8];
		long long t0 = timed_start();
		int n = xdpkit_comp_batch(t->u, comp, 64), r;

		timed_end(t0, &t->tx_max_ms);
		for (i = 0; n > 0 && i < (uint32_t)n; i++)
			free_frames[nfree++] = comp[i];
		t->tx += n > 0 ? (unsigned long)n : 0;
		for (i = 0; i < 8 && nfree; i++) {
			uint64_t a = free_frames[--nfree];

			build_frame(area + a, t->mac_b, t->mac_a, TAG + 1, seq++);
			d[i] = (struct xdpkit_desc){ .addr = a, .len = FRAME_LEN };
		}
		t0 = timed_start();
		r = xdpkit_tx_batch(t->s, d, i, 1);
		timed_end(t0, &t->tx_max_ms);
		t->last_tx = r;
		if (r < 0) {
			/* The kick failed after the descriptors were queued
			 * (how many is not told): count them as in flight. */
			t->tx_err = r;
			r = (int)i;
		}
		/* Those that did not fit go back to the free list. */
		while (i > (uint32_t)r)
			free_frames[nfree++] = d[--i].addr;
		t0 = timed_start();
		t->last_kick = xdpkit_socket_kick(t->s);
		timed_end(t0, &t->tx_max_ms);
		sleep_ms(1);
	}
	return NULL;
}

static void *send_thread(void *arg)
{
	struct traffic *t = arg;
	uint8_t f[FRAME_LEN];
	uint32_t seq = 0;
	int fd = -1;

	while (!t->stop) {
		int i;

		if (fd < 0 && (fd = packet_open(t->b)) < 0) {
			t->send_err++;
			sleep_ms(10); /* B is gone (deleted): keep trying, bounded by stop */
			continue;
		}
		for (i = 0; i < 16; i++) {
			build_frame(f, t->mac_a, t->mac_b, TAG, seq++);
			if (send(fd, f, FRAME_LEN, MSG_DONTWAIT) == FRAME_LEN)
				t->sent++;
			else
				t->send_err++;
		}
		sleep_ms(1);
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* Joins with a limit; -1 when the thread did not end within ms. */
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

/* Waits (bounded) until *counter reaches want. */
static int wait_count(volatile unsigned long *counter, unsigned long want, int ms)
{
	long long deadline = now_ms() + ms;

	while (*counter < want) {
		if (now_ms() > deadline)
			return -1;
		sleep_ms(10);
	}
	return 0;
}

/* Waits (bounded) until a program id is gone from the kernel. */
static int wait_prog_gone(uint32_t id, int ms)
{
	long long deadline = now_ms() + ms;
	int fd;

	while ((fd = bpf_fd_by_id(KIND_PROG, id)) >= 0) {
		close(fd);
		if (now_ms() > deadline)
			return -1;
		sleep_ms(20);
	}
	return 0;
}

static int traffic_start(struct traffic *t, pthread_t th[3], int *nth, uint32_t mode)
{
	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .frame_size = FRAME_SIZE, .fill_size = 512, .comp_size = 512);
	XDPKIT_OPTS(xdpkit_socket_config, scfg, .xdp_flags = mode, .rx_size = 512, .tx_size = 512);
	uint64_t addrs[RX_FRAMES];
	uint32_t i;
	int rc = -1;

	CHECK(mac_of(t->a, t->mac_a) == 0 && mac_of(t->b, t->mac_b) == 0, "MAC of %s/%s: %s", t->a, t->b, strerror(errno));
	CHECK_RET(xdpkit_umem_create(&t->u, NULL, (uint64_t)FRAME_SIZE * NFRAMES, NULL, NULL, &ucfg), 0);
	CHECK_RET(xdpkit_socket_create(&t->s, t->a, 0, t->u, NULL, NULL, &scfg), 0);
	for (i = 0; i < RX_FRAMES; i++)
		addrs[i] = (uint64_t)i * FRAME_SIZE;
	CHECK_RET(xdpkit_fill_batch(t->u, addrs, RX_FRAMES), RX_FRAMES);
	CHECK(pthread_create(&th[0], NULL, rx_thread, t) == 0, "pthread_create");
	(*nth)++;
	CHECK(pthread_create(&th[1], NULL, tx_thread, t) == 0, "pthread_create");
	(*nth)++;
	CHECK(pthread_create(&th[2], NULL, send_thread, t) == 0, "pthread_create");
	(*nth)++;
	rc = 0;
out:
	return rc;
}

static int traffic_stop(struct traffic *t, pthread_t th[3], int nth)
{
	int i, rc = 0;

	t->stop = 1;
	for (i = 0; i < nth; i++)
		if (join_within(th[i], 10000)) {
			set_detail_at(__LINE__, "traffic thread %d did not stop within 10 s (a call hangs)", i);
			rc = -1;
		}
	return rc;
}

/* Counts to compare before and after a test's own resources. */
struct base {
	int fds;
	struct maps_count m;
};

static void base_take(struct base *b)
{
	b->fds = count_fds();
	count_maps(&b->m);
}

static int base_check(const struct base *b)
{
	struct base a;
	long long deadline = now_ms() + 2000;

	/* The AF_PACKET fd of a sender closes as its thread ends, already
	 * joined; nothing else is deferred, but allow the kernel a moment. */
	for (;;) {
		base_take(&a);
		if ((a.fds == b->fds && a.m.rings == b->m.rings) || now_ms() > deadline)
			break;
		sleep_ms(20);
	}
	if (a.fds != b->fds)
		return set_detail_at(__LINE__, "%d fds before, %d after close", b->fds, a.fds), -1;
	if (a.m.rings != b->m.rings)
		return set_detail_at(__LINE__, "%d ring mappings before, %d after close", b->m.rings, a.m.rings), -1;
	return 0;
}

static int link_fault(int delete_link)
{
	char a[IFNAMSIZ], b[IFNAMSIZ];
	struct traffic t;
	pthread_t th[3];
	struct base base;
	unsigned long rx0;
	uint32_t prog = 0;
	int nth = 0, rc = -1, stopped = 0, created = 0, kick, r, ev;
	struct xdpkit_stats st = { .sz = sizeof(st) };
	long long t0, dt;
	int soerr = 0;
	socklen_t slen = sizeof(soerr);

	memset(&t, 0, sizeof(t));
	snprintf(a, sizeof(a), "rfa%d", (int)getpid() % 100000);
	snprintf(b, sizeof(b), "rfb%d", (int)getpid() % 100000);
	t.a = a;
	t.b = b;
	base_take(&base);
	CHECK(veth_add(a, b, 1) == 0, "cannot create veth %s/%s", a, b);
	created = 1;
	if (traffic_start(&t, th, &nth, delete_link ? XDPKIT_XDP_FLAGS_DRV_MODE : XDPKIT_XDP_FLAGS_SKB_MODE))
		goto out;
	prog = (uint32_t)xdpkit_socket_prog_id(t.s);
	CHECK(wait_count(&t.rx, 200, 5000) == 0, "received %lu of 200 frames in 5 s before the fault (sent %lu)", t.rx, t.sent);
	CHECK(wait_count(&t.tx, 200, 5000) == 0, "sent %lu of 200 frames in 5 s before the fault", t.tx);
	CHECK(t.rx_err == 0 && t.tx_err == 0, "errors before the fault: rx %s, tx %s (%s)", errname(t.rx_err), errname(t.tx_err),
	      xdpkit_last_error());
	if (!delete_link) {
		CHECK(sh("ip link set dev %s down", a) == 0, "ip link set down failed");
		sleep_ms(300);
		rx0 = t.rx;
		sleep_ms(500);
		note("link down: rx %lu -> %lu in 0.5 s; last kick %s, tx_batch %s, poll %s, wakeup_rx %s; rx/tx errors %s/%s",
		     rx0, t.rx, errname(t.last_kick), errname(t.last_tx), errname(t.last_poll), errname(t.last_wake),
		     errname(t.rx_err), errname(t.tx_err));
		CHECK(t.rx == rx0, "frames kept arriving on a down link (%lu -> %lu)", rx0, t.rx);
		/* ENETDOWN from sendto counts as success (libxdp semantics). */
		CHECK(t.rx_err == 0 && t.tx_err == 0, "errors on a down link: rx %s, tx %s", errname(t.rx_err), errname(t.tx_err));
		CHECK_RET(xdpkit_socket_stats(t.s, &st), 0);
		CHECK(sh("ip link set dev %s up", a) == 0, "ip link set up failed");
		rx0 = t.rx;
		CHECK(wait_count(&t.rx, rx0 + 200, 5000) == 0, "RX did not resume after link up: %lu -> %lu in 5 s", rx0, t.rx);
		CHECK(wait_count(&t.tx, t.tx + 100, 5000) == 0, "TX did not resume after link up");
	} else {
		t0 = now_ms();
		CHECK(sh("ip link del dev %s", a) == 0, "ip link del failed");
		note("ip link del took %lld ms", now_ms() - t0);
		created = 0;
		sleep_ms(500);
		note("link deleted: last kick %s, tx_batch %s, poll %#x, wakeup_rx %s; rx/tx errors %s/%s; POLLERR seen %d",
		     errname(t.last_kick), errname(t.last_tx), t.last_poll, errname(t.last_wake), errname(t.rx_err),
		     errname(t.tx_err), t.poll_err_seen);
		CHECK(t.last_kick == -ENXIO, "kick on a socket whose device is gone = %s, want -ENXIO", errname(t.last_kick));
		CHECK(t.tx_err == -ENXIO, "tx_batch on a socket whose device is gone: %s, want -ENXIO", errname(t.tx_err));
		/* And from this thread, with the traffic threads still running. */
		kick = xdpkit_socket_kick(t.s);
		CHECK(kick == -ENXIO, "kick = %s, want -ENXIO", errname(kick));
		CHECK(strstr(xdpkit_last_error(), "sendto"), "message \"%s\"", xdpkit_last_error());
		r = xdpkit_socket_wakeup_rx(t.s);
		CHECK(r == -ENXIO, "wakeup_rx = %s, want -ENXIO", errname(r));
		/* The kernel's xsk_poll reports no event at all for an unbound
		 * socket (no POLLERR): poll returns at its timeout, so a
		 * poll(-1) would never return. SO_ERROR says ENETDOWN. */
		t0 = now_ms();
		ev = xdpkit_socket_poll(t.s, POLLIN | POLLOUT, 300);
		dt = now_ms() - t0;
		note("after the device went: poll(300 ms) = %#x after %lld ms (POLLERR seen by the RX thread: %d)", ev, dt,
		     t.poll_err_seen);
		CHECK(ev >= 0 && dt < 1000, "poll = %s after %lld ms", errname(ev), dt);
		CHECK(getsockopt(xdpkit_socket_fd(t.s), SOL_SOCKET, SO_ERROR, &soerr, &slen) == 0 && soerr == ENETDOWN,
		      "SO_ERROR = %d (%s), want ENETDOWN", soerr, strerror(soerr));
		CHECK_RET(xdpkit_socket_stats(t.s, &st), 0);
		CHECK(xdpkit_socket_queue(t.s) == 0, "socket_queue = %d", xdpkit_socket_queue(t.s));
	}
	CHECK(traffic_stop(&t, th, nth) == 0, "%s", g_detail);
	stopped = 1;
	note("rx %lu, tx %lu, sent by the peer %lu; longest call: rx thread %lld ms, tx thread %lld ms",
	     t.rx, t.tx, t.sent, t.rx_max_ms, t.tx_max_ms);
	CHECK(t.rx_max_ms < CALL_LIMIT_MS && t.tx_max_ms < CALL_LIMIT_MS, "a call took %lld ms (rx) / %lld ms (tx)",
	      t.rx_max_ms, t.tx_max_ms);
	t0 = now_ms();
	CHECK_RET(xdpkit_socket_delete(t.s), 0);
	t.s = NULL;
	CHECK_RET(xdpkit_umem_delete(t.u), 0);
	t.u = NULL;
	CHECK(now_ms() - t0 < 2000, "delete took %lld ms", now_ms() - t0);
	if (created) {
		CHECK(if_has_xdp(a) == 0, "%s still has an XDP program after close", a);
		veth_del(a);
		created = 0;
	}
	CHECK(prog > 0 && wait_prog_gone(prog, 5000) == 0, "program %u still exists 5 s after close", prog);
	if (base_check(&base))
		goto out;
	rc = 0;
out:
	if (!stopped)
		traffic_stop(&t, th, nth);
	if (t.s)
		xdpkit_socket_delete(t.s);
	if (t.u)
		xdpkit_umem_delete(t.u);
	if (created)
		veth_del(a);
	return rc;
}

static int t_link_down(void) { return link_fault(0); }
static int t_link_delete(void) { return link_fault(1); }

/* ------------------------------------------------------------------ */
/* Another process: this program with --hold. */

struct holder {
	pid_t pid;
	int out; /* its stdout */
	int in;  /* its stdin: closing it makes it exit */
	uint32_t prog;
};

/* Starts `self --hold IFNAME QUEUE MODE` (MODE: none, skb, drv) and waits
 * (5 s) for its "ready PROG_ID" line. */
static int holder_start(struct holder *h, uint32_t queue, const char *mode)
{
	int po[2], pi[2], rc = -1;
	char buf[256], q[16];
	ssize_t n, len = 0;
	long long deadline;

	memset(h, 0, sizeof(*h));
	h->out = h->in = -1;
	if (pipe2(po, O_CLOEXEC) || pipe2(pi, O_CLOEXEC))
		return set_detail_at(__LINE__, "pipe: %s", strerror(errno)), -1;
	snprintf(q, sizeof(q), "%u", queue);
	fflush(stdout);
	h->pid = fork();
	if (h->pid == 0) {
		dup2(po[1], 1);
		dup2(pi[0], 0);
		execl(g_self, g_self, "--hold", g_if, q, mode, (char *)NULL);
		_exit(127);
	}
	close(po[1]);
	close(pi[0]);
	h->out = po[0];
	h->in = pi[1];
	CHECK(h->pid > 0, "fork: %s", strerror(errno));
	deadline = now_ms() + 5000;
	while (len < (ssize_t)sizeof(buf) - 1 && !memchr(buf, '\n', (size_t)len)) {
		struct pollfd p = { .fd = h->out, .events = POLLIN };
		int left = (int)(deadline - now_ms());

		CHECK(left > 0 && poll(&p, 1, left) == 1, "the holder process said nothing in 5 s");
		n = read(h->out, buf + len, sizeof(buf) - 1 - (size_t)len);
		CHECK(n > 0, "the holder process exited: \"%.*s\"", (int)len, buf);
		len += n;
		buf[len] = '\0';
	}
	CHECK(sscanf(buf, "ready %u", &h->prog) == 1, "holder: \"%s\"", buf);
	rc = 0;
out:
	return rc;
}

/* Ends the holder: closes its stdin (it cleans up and exits) or kills it. */
static int holder_end(struct holder *h, int sig, int *status)
{
	long long deadline = now_ms() + 5000;
	int st = 0;
	pid_t r;

	if (h->pid <= 0)
		return 0;
	if (sig)
		kill(h->pid, sig);
	if (h->in >= 0)
		close(h->in);
	h->in = -1;
	while ((r = waitpid(h->pid, &st, WNOHANG)) == 0 && now_ms() < deadline)
		sleep_ms(10);
	if (r == 0) {
		kill(h->pid, SIGKILL);
		waitpid(h->pid, &st, 0);
	}
	h->pid = 0;
	if (h->out >= 0)
		close(h->out);
	h->out = -1;
	if (status)
		*status = st;
	return r == 0 ? -1 : 0;
}

static int hold_main(const char *ifname, uint32_t queue, const char *mode)
{
	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .frame_size = FRAME_SIZE);
	XDPKIT_OPTS(xdpkit_socket_config, scfg,
		    .libxdp_flags = !strcmp(mode, "none") ? XDPKIT_LIBXDP_FLAGS_INHIBIT_PROG_LOAD : 0,
		    .xdp_flags = !strcmp(mode, "drv") ? XDPKIT_XDP_FLAGS_DRV_MODE : XDPKIT_XDP_FLAGS_SKB_MODE);
	struct xdpkit_umem *u = NULL;
	struct xdpkit_socket *s = NULL;
	struct pollfd p = { .fd = 0, .events = POLLIN };
	int r;

	alarm(60);
	r = xdpkit_umem_create(&u, NULL, (uint64_t)FRAME_SIZE * 64, NULL, NULL, &ucfg);
	if (!r)
		r = xdpkit_socket_create(&s, ifname, queue, u, NULL, NULL, &scfg);
	if (r) {
		printf("error %d %s\n", r, xdpkit_last_error());
		return 1;
	}
	printf("ready %d\n", xdpkit_socket_prog_id(s));
	fflush(stdout);
	poll(&p, 1, 30000); /* until the parent closes our stdin, 30 s at most */
	xdpkit_socket_delete(s);
	xdpkit_umem_delete(u);
	return 0;
}

static int t_queue_busy(void)
{
	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .frame_size = FRAME_SIZE);
	XDPKIT_OPTS(xdpkit_socket_config, nocfg, .libxdp_flags = XDPKIT_LIBXDP_FLAGS_INHIBIT_PROG_LOAD);
	XDPKIT_OPTS(xdpkit_socket_config, progcfg, .xdp_flags = XDPKIT_XDP_FLAGS_SKB_MODE);
	struct xdpkit_umem *u = NULL;
	struct xdpkit_socket *s = NULL;
	struct holder h = { .pid = 0, .out = -1, .in = -1 };
	long long t0, dt;
	int rc = -1, r, i;

	CHECK(if_has_xdp(g_if) == 0, "%s has an XDP program before the test", g_if);
	if (holder_start(&h, 0, "none"))
		goto out;
	for (i = 0; i < 2; i++) {
		/* Without, then with the default program (attached, then
		 * detached again when the bind fails). */
		CHECK_RET(xdpkit_umem_create(&u, NULL, (uint64_t)FRAME_SIZE * 64, NULL, NULL, &ucfg), 0);
		t0 = now_ms();
		r = xdpkit_socket_create(&s, g_if, 0, u, NULL, NULL, i ? &progcfg : &nocfg);
		dt = now_ms() - t0;
		note("queue 0 held by process %d, %s: socket_create = %s after %lld ms: \"%s\"", (int)h.pid,
		     i ? "default program" : "no program", errname(r), dt, xdpkit_last_error());
		CHECK(r == -EBUSY, "socket_create on a queue another process holds = %s, want -EBUSY", errname(r));
		CHECK(dt >= 400 && dt < 3000, "-EBUSY came after %lld ms; the bind retry lasts 0.5 s", dt);
		CHECK(strstr(xdpkit_last_error(), "in use"), "message \"%s\" does not say the queue is in use", xdpkit_last_error());
		CHECK(s == NULL, "out set on failure");
		CHECK(if_has_xdp(g_if) == 0, "a failed socket_create left an XDP program on %s", g_if);
		/* The queue of the other process is busy, queue 1 is not. */
		CHECK_RET(xdpkit_socket_create(&s, g_if, 1, u, NULL, NULL, i ? &progcfg : &nocfg), 0);
		CHECK_RET(xdpkit_socket_delete(s), 0);
		s = NULL;
		CHECK_RET(xdpkit_umem_delete(u), 0);
		u = NULL;
	}
	CHECK(holder_end(&h, 0, NULL) == 0, "the holder did not exit");
	CHECK_RET(xdpkit_umem_create(&u, NULL, (uint64_t)FRAME_SIZE * 64, NULL, NULL, &ucfg), 0);
	t0 = now_ms();
	CHECK_RET(xdpkit_socket_create(&s, g_if, 0, u, NULL, NULL, &progcfg), 0);
	note("after the other process exited: bound queue 0 in %lld ms", now_ms() - t0);
	rc = 0;
out:
	holder_end(&h, SIGKILL, NULL);
	if (s)
		xdpkit_socket_delete(s);
	if (u)
		xdpkit_umem_delete(u);
	return rc;
}

static int t_other_program(void)
{
	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .frame_size = FRAME_SIZE);
	XDPKIT_OPTS(xdpkit_socket_config, scfg, .xdp_flags = XDPKIT_XDP_FLAGS_SKB_MODE);
	struct xdpkit_umem *u = NULL;
	struct xdpkit_socket *s = NULL;
	struct holder h = { .pid = 0, .out = -1, .in = -1 };
	long long t0, dt;
	int rc = -1, r;

	if (holder_start(&h, 0, "skb"))
		goto out;
	CHECK_RET(xdpkit_umem_create(&u, NULL, (uint64_t)FRAME_SIZE * 64, NULL, NULL, &ucfg), 0);
	t0 = now_ms();
	r = xdpkit_socket_create(&s, g_if, 1, u, NULL, NULL, &scfg);
	dt = now_ms() - t0;
	note("program %u of process %d on %s: socket_create on queue 1 = %s after %lld ms: \"%s\"", h.prog, (int)h.pid, g_if,
	     errname(r), dt, xdpkit_last_error());
	CHECK(r == -EBUSY, "socket_create = %s, want -EBUSY", errname(r));
	CHECK(dt < 3000, "took %lld ms", dt);
	CHECK(xdpkit_last_error()[0], "no message");
	CHECK(holder_end(&h, 0, NULL) == 0, "the holder did not exit");
	CHECK(wait_prog_gone(h.prog, 5000) == 0, "the holder's program %u outlived it by 5 s", h.prog);
	CHECK_RET(xdpkit_socket_create(&s, g_if, 1, u, NULL, NULL, &scfg), 0);
	rc = 0;
out:
	holder_end(&h, SIGKILL, NULL);
	if (s)
		xdpkit_socket_delete(s);
	if (u)
		xdpkit_umem_delete(u);
	return rc;
}

static int t_sigkill(void)
{
	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .frame_size = FRAME_SIZE);
	struct xdpkit_umem *u = NULL;
	struct xdpkit_socket *s = NULL;
	struct holder h = { .pid = 0, .out = -1, .in = -1 };
	int rc = -1, round, st = 0;

	for (round = 0; round < g_rounds; round++) {
		const char *mode = round & 1 ? "skb" : "drv";
		XDPKIT_OPTS(xdpkit_socket_config, scfg,
			    .xdp_flags = round & 1 ? XDPKIT_XDP_FLAGS_SKB_MODE : XDPKIT_XDP_FLAGS_DRV_MODE);
		long long t0;

		if (holder_start(&h, 0, mode))
			goto out;
		CHECK(h.prog > 0 && if_has_xdp(g_if) == 1, "holder program %u not on %s", h.prog, g_if);
		t0 = now_ms();
		CHECK(holder_end(&h, SIGKILL, &st) == 0, "the killed holder was not reaped in 5 s");
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "holder status %#x", st);
		CHECK(wait_prog_gone(h.prog, 5000) == 0, "program %u still exists 5 s after SIGKILL", h.prog);
		CHECK(if_has_xdp(g_if) == 0, "%s still has an XDP program after SIGKILL", g_if);
		if (round == 0)
			note("SIGKILL (%s mode): program %u detached and freed within %lld ms", mode, h.prog, now_ms() - t0);
		CHECK_RET(xdpkit_umem_create(&u, NULL, (uint64_t)FRAME_SIZE * 64, NULL, NULL, &ucfg), 0);
		CHECK_RET(xdpkit_socket_create(&s, g_if, 0, u, NULL, NULL, &scfg), 0);
		CHECK_RET(xdpkit_socket_delete(s), 0);
		s = NULL;
		CHECK_RET(xdpkit_umem_delete(u), 0);
		u = NULL;
	}
	note("%d rounds of SIGKILL and rebind", g_rounds);
	rc = 0;
out:
	holder_end(&h, SIGKILL, NULL);
	if (s)
		xdpkit_socket_delete(s);
	if (u)
		xdpkit_umem_delete(u);
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
		fprintf(stderr, "rel_faults: warm-up socket on %s: %s\n", g_if, xdpkit_last_error());
	if (s)
		xdpkit_socket_delete(s);
	if (u)
		xdpkit_umem_delete(u);
	return r;
}

int main(int argc, char **argv)
{
	ssize_t n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && !strcmp(argv[1], "--hold"))
		return hold_main(argv[2], (uint32_t)atoi(argv[3]), argv[4]);
	if (argc != 3 || (g_rounds = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: %s IFNAME ROUNDS\n", argv[0]);
		return 2;
	}
	g_if = argv[1];
	n = readlink("/proc/self/exe", g_self, sizeof(g_self) - 1);
	if (n <= 0)
		return 2;
	g_self[n] = '\0';
	signal(SIGPIPE, SIG_IGN);
	alarm(300);
	if (warm_up())
		return 2;
	run("LINK_DOWN_UNDER_TRAFFIC", t_link_down);
	run("LINK_DELETE_UNDER_TRAFFIC", t_link_delete);
	run("QUEUE_BUSY_OTHER_PROCESS", t_queue_busy);
	run("PROGRAM_OF_OTHER_PROCESS", t_other_program);
	run("SIGKILL_HOLDER", t_sigkill);
	return summary();
}
