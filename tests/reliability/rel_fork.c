/* rel_fork.c — libxdpkit.so after fork().
 *
 *   rel_fork IFNAME FORKS
 *
 * The Go runtime in the library does not survive fork() without exec (the
 * child has one thread; locks other threads held stay locked: before the
 * guard, 39 of 40 children hung in their first call while two parent
 * threads were calling the library). The library's fork guard (capi/
 * fork.c) makes every function fail with -ECHILD in such a child, before
 * touching Go, the handle registry or the rings.
 *
 *   FORK_CHILD_GETS_ECHILD   FORKS children, forked while two threads call
 *                            into the library: each calls every function
 *                            of xdpkit.h (the inline ring helpers aside:
 *                            they cannot be guarded) on the inherited
 *                            handles and on fresh arguments; each returns
 *                            -ECHILD (NULL for pointers) with a message
 *                            naming fork, except xdpkit_version/strerror/
 *                            last_error/errmsg, which work. A child that is
 *                            not done in 10 s is a hang and fails the test.
 *   FORK_PARENT_UNAFFECTED   the parent's handles still work afterwards.
 *   FORK_EXEC_CHILD_WORKS    fork + exec: the new program uses the library. */
#include <pthread.h>
#include <signal.h>
#include "common.h"

#define FRAME_SIZE 2048u

static const char *g_if;
static int g_forks;
static char g_self[4096];

static struct xdpkit_umem *g_u;
static struct xdpkit_socket *g_s;
static struct xdpkit_frame_pool *g_pool;
static struct xdpkit_prog *g_prog;
static struct xdpkit_link *g_link;
static int g_map = -1;

/* ------------------------------------------------------------------ */
/* In the child. */

static int g_bad;
static char g_why[2048];

static void child_bad(const char *call, long got, const char *want)
{
	if (!g_bad)
		snprintf(g_why, sizeof(g_why), "%s = %ld, want %s (message \"%s\")", call, got, want, xdpkit_last_error());
	g_bad++;
}

#define ECHILD_RET(call) do {                                                          \
	long r_ = (long)(call);                                                        \
	if (r_ != -ECHILD || !strstr(xdpkit_last_error(), "fork"))                     \
		child_bad(#call, r_, "-ECHILD with a message naming fork");            \
	n_calls++;                                                                     \
} while (0)
#define ECHILD_NULL(call) do {                                                         \
	const void *p_ = (const void *)(call);                                         \
	if (p_ != NULL || !strstr(xdpkit_last_error(), "fork"))                        \
		child_bad(#call, (long)(uintptr_t)p_, "NULL with a message naming fork"); \
	n_calls++;                                                                     \
} while (0)

static int child_calls(void)
{
	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .frame_size = FRAME_SIZE);
	XDPKIT_OPTS(xdpkit_socket_config, scfg, .xdp_flags = XDPKIT_XDP_FLAGS_SKB_MODE);
	struct xdpkit_umem *u = NULL;
	struct xdpkit_socket *s = NULL, *all[4];
	struct xdpkit_frame_pool *p = NULL;
	struct xdpkit_prog *pr = NULL;
	struct xdpkit_link *l = NULL;
	struct xdpkit_ring_prod fill, tx;
	struct xdpkit_ring_cons comp, rx;
	struct xdpkit_stats st = { .sz = sizeof(st) };
	struct xdpkit_map_info mi = { .sz = sizeof(mi) };
	struct xdpkit_map_cursor cur;
	struct xdpkit_desc d = { .addr = 0, .len = 64 };
	uint64_t a64[4] = { 0 }, f = 0, v = 0;
	uint32_t k = 0, x = 0, y = 0, opts;
	char buf[256];
	int n_calls = 0;

	memset(&cur, 0, sizeof(cur));
	/* These four work in a forked child: no Go, no handles. */
	if (xdpkit_version() != XDPKIT_VERSION)
		child_bad("xdpkit_version()", xdpkit_version(), "XDPKIT_VERSION");
	if (!xdpkit_strerror(-ECHILD) || !xdpkit_strerror(-ECHILD)[0])
		child_bad("xdpkit_strerror(-ECHILD)", 0, "a text");
	n_calls += 2;

	ECHILD_RET(xdpkit_umem_create(&u, NULL, 0, NULL, NULL, &ucfg));
	ECHILD_RET(xdpkit_umem_create(&u, NULL, 0, &fill, &comp, NULL));
	ECHILD_RET(xdpkit_umem_create_with_fd(&u, 0, NULL, 0, NULL, NULL, NULL));
	ECHILD_NULL(xdpkit_umem_area(g_u));
	ECHILD_RET(xdpkit_umem_size(g_u));
	ECHILD_RET(xdpkit_umem_fd(g_u));
	ECHILD_NULL(xdpkit_umem_fill_ring(g_u));
	ECHILD_NULL(xdpkit_umem_comp_ring(g_u));
	ECHILD_RET(xdpkit_umem_delete(g_u));
	ECHILD_RET(xdpkit_umem_delete(NULL));

	ECHILD_RET(xdpkit_socket_create(&s, g_if, 1, g_u, &rx, &tx, &scfg));
	ECHILD_RET(xdpkit_socket_create(NULL, NULL, 0, NULL, NULL, NULL, NULL));
	ECHILD_RET(xdpkit_socket_create_shared(&s, g_if, 1, g_u, &rx, &tx, &fill, &comp, &scfg));
	ECHILD_RET(xdpkit_socket_create_all_queues(all, 4, g_if, g_u, &scfg));
	ECHILD_RET(xdpkit_socket_fd(g_s));
	ECHILD_NULL(xdpkit_socket_rx_ring(g_s));
	ECHILD_NULL(xdpkit_socket_tx_ring(g_s));
	ECHILD_NULL(xdpkit_socket_fill_ring(g_s));
	ECHILD_NULL(xdpkit_socket_comp_ring(g_s));
	ECHILD_RET(xdpkit_socket_kick(g_s));
	ECHILD_RET(xdpkit_socket_wakeup_rx(g_s));
	ECHILD_RET(xdpkit_socket_poll(g_s, POLLIN, 0));
	ECHILD_RET(xdpkit_socket_stats(g_s, &st));
	ECHILD_RET(xdpkit_socket_options(g_s, &opts));
	ECHILD_RET(xdpkit_socket_queue(g_s));
	ECHILD_RET(xdpkit_socket_ifindex(g_s));
	ECHILD_RET(xdpkit_socket_xdp_mode(g_s));
	ECHILD_RET(xdpkit_socket_prog_id(g_s));
	ECHILD_RET(xdpkit_socket_update_xskmap(g_s, g_map));
	ECHILD_RET(xdpkit_socket_delete(g_s));

	ECHILD_RET(xdpkit_rx_batch(g_s, &d, 1));
	ECHILD_RET(xdpkit_tx_batch(g_s, &d, 1, 1));
	ECHILD_RET(xdpkit_fill_batch(g_u, a64, 1));
	ECHILD_RET(xdpkit_comp_batch(g_u, a64, 4));
	ECHILD_RET(xdpkit_socket_fill_batch(g_s, a64, 1));
	ECHILD_RET(xdpkit_socket_comp_batch(g_s, a64, 4));

	ECHILD_RET(xdpkit_if_queues(g_if, &x, &y));
	ECHILD_RET(xdpkit_if_index(g_if));
	ECHILD_RET(xdpkit_if_xdp_features(g_if, &f, &x, &f));

	ECHILD_RET(xdpkit_pool_create(&p, g_u));
	ECHILD_RET(xdpkit_pool_alloc(g_pool, a64, 4));
	ECHILD_RET(xdpkit_pool_free(g_pool, a64, 1));
	ECHILD_RET(xdpkit_pool_count(g_pool));
	ECHILD_RET(xdpkit_umem_prefill(g_u, g_pool, 1));
	ECHILD_RET(xdpkit_pool_delete(g_pool));

	ECHILD_RET(xdpkit_map_create(XDPKIT_MAP_HASH, 4, 8, 8, 0, "child"));
	ECHILD_RET(xdpkit_map_open_pinned("/sys/fs/bpf/nonexistent"));
	ECHILD_RET(xdpkit_map_open_id(1));
	ECHILD_RET(xdpkit_map_pin(g_map, "/sys/fs/bpf/rel_fork_child"));
	ECHILD_RET(xdpkit_map_unpin("/sys/fs/bpf/rel_fork_child"));
	ECHILD_RET(xdpkit_map_info(g_map, &mi));
	ECHILD_RET(xdpkit_map_update(g_map, &k, 4, &v, 8, 0));
	ECHILD_RET(xdpkit_map_lookup(g_map, &k, 4, &v, 8));
	ECHILD_RET(xdpkit_map_delete(g_map, &k, 4));
	ECHILD_RET(xdpkit_map_lookup_and_delete(g_map, &k, 4, &v, 8));
	ECHILD_RET(xdpkit_map_next_key(g_map, NULL, &k, 4));
	ECHILD_RET(xdpkit_map_update_batch(g_map, &k, &v, 1, 4, 8, 0));
	ECHILD_RET(xdpkit_map_delete_batch(g_map, &k, 1, 4));
	ECHILD_RET(xdpkit_map_lookup_batch(g_map, &cur, &k, &v, 1, 4, 8));
	ECHILD_RET(xdpkit_xskmap_set(g_map, 0, g_s));
	ECHILD_RET(xdpkit_xskmap_clear(g_map, 0));
	ECHILD_RET(xdpkit_cpumap_set(g_map, 0, 64, 0));
	ECHILD_RET(xdpkit_cpumap_get(g_map, 0, &x, &y));
	ECHILD_RET(xdpkit_devmap_set(g_map, 0, 1, 0));
	ECHILD_RET(xdpkit_devmap_get(g_map, 0, &x, &y));
	ECHILD_RET(xdpkit_queue_push(g_map, &v, 8, 0));
	ECHILD_RET(xdpkit_queue_peek(g_map, &v, 8));
	ECHILD_RET(xdpkit_queue_pop(g_map, &v, 8));
	ECHILD_RET(xdpkit_map_close(g_map));

	ECHILD_RET(xdpkit_prog_load_file(&pr, "/nonexistent.o", NULL));
	ECHILD_RET(xdpkit_prog_load_default(&pr, 1));
	ECHILD_RET(xdpkit_prog_fd(g_prog));
	ECHILD_RET(xdpkit_prog_id(g_prog));
	ECHILD_RET(xdpkit_prog_map_fd(g_prog, "xsks_map"));
	ECHILD_RET(xdpkit_prog_attach(g_prog, g_if, 0, &l));
	ECHILD_RET(xdpkit_link_mode(g_link));
	ECHILD_RET(xdpkit_link_detach(g_link));
	ECHILD_RET(xdpkit_prog_delete(g_prog));

	/* The message is the thread's, as usual. */
	if (xdpkit_errmsg(buf, sizeof(buf)) <= 0 || !strstr(buf, "fork"))
		child_bad("xdpkit_errmsg", 0, "the fork message");
	n_calls++;
	return n_calls;
}

/* ------------------------------------------------------------------ */

static volatile int g_stop;
static volatile unsigned long g_busy;
static volatile int g_busy_err;

static void *busy(void *arg)
{
	uint32_t k = 0;

	(void)arg;
	while (!g_stop) {
		uint64_t v = k;
		int fd = xdpkit_map_create(XDPKIT_MAP_HASH, 4, 8, 8, 0, "rel_fork"), r;

		if (fd < 0) {
			g_busy_err = fd;
			break;
		}
		r = xdpkit_map_update(fd, &k, 4, &v, 8, 0);
		xdpkit_map_close(fd);
		if (r) {
			g_busy_err = r;
			break;
		}
		g_busy++;
		k++;
	}
	return NULL;
}

static int setup(void)
{
	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .frame_size = FRAME_SIZE);
	XDPKIT_OPTS(xdpkit_socket_config, scfg, .xdp_flags = XDPKIT_XDP_FLAGS_SKB_MODE);
	int rc = -1;

	CHECK_RET(xdpkit_umem_create(&g_u, NULL, (uint64_t)FRAME_SIZE * 256, NULL, NULL, &ucfg), 0);
	CHECK_RET(xdpkit_socket_create(&g_s, g_if, 0, g_u, NULL, NULL, &scfg), 0);
	CHECK_RET(xdpkit_pool_create(&g_pool, g_u), 0);
	g_map = xdpkit_map_create(XDPKIT_MAP_HASH, 4, 8, 8, 0, "rel_fork");
	CHECK(g_map >= 0, "map_create %s", errname(g_map));
	CHECK_RET(xdpkit_prog_load_default(&g_prog, 2), 0);
	rc = 0;
out:
	return rc;
}

static int t_child(void)
{
	pthread_t th[2];
	int i, rc = -1, started = 0, hangs = 0, bad = 0, calls = 0;
	char first[2048] = "";
	long long t0 = now_ms();

	g_stop = 0;
	for (i = 0; i < 2; i++, started++)
		CHECK(pthread_create(&th[i], NULL, busy, NULL) == 0, "pthread_create");
	while (g_busy < 20)
		sleep_ms(1);
	for (i = 0; i < g_forks; i++) {
		int pfd[2], st = 0;
		pid_t pid, w;
		long long deadline;
		char buf[2100];
		ssize_t n, len = 0;

		CHECK(pipe2(pfd, O_CLOEXEC) == 0, "pipe");
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			int nc;

			alarm(10);
			nc = child_calls();
			len = snprintf(buf, sizeof(buf), "%d %d %s", nc, g_bad, g_why);
			if (write(pfd[1], buf, (size_t)len) < 0)
				_exit(3);
			_exit(g_bad ? 1 : 0);
		}
		close(pfd[1]);
		CHECK(pid > 0, "fork: %s", strerror(errno));
		deadline = now_ms() + 10000;
		while ((w = waitpid(pid, &st, WNOHANG)) == 0 && now_ms() < deadline)
			sleep_ms(2);
		if (w == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
		}
		while ((n = read(pfd[0], buf + len, sizeof(buf) - 1 - (size_t)len)) > 0)
			len += n;
		buf[len] = '\0';
		close(pfd[0]);
		if (w == 0 || (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)) {
			hangs++;
			continue;
		}
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			if (!bad++)
				snprintf(first, sizeof(first), "child %d: status %#x: %.1900s", i, st, buf);
			continue;
		}
		calls = atoi(buf);
	}
	note("%d forks while 2 threads called the library: %d children hung, %d wrong, %d calls each checked, %.1f s",
	     g_forks, hangs, bad, calls, (double)(now_ms() - t0) / 1000);
	CHECK(hangs == 0, "%d of %d forked children hung (killed after 10 s)", hangs, g_forks);
	CHECK(bad == 0, "%d of %d children: %s", bad, g_forks, first);
	CHECK(g_busy_err == 0, "parent thread error %s", errname(g_busy_err));
	rc = 0;
out:
	g_stop = 1;
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	return rc;
}

static int t_parent(void)
{
	struct xdpkit_stats st = { .sz = sizeof(st) };
	struct xdpkit_map_info mi = { .sz = sizeof(mi) };
	uint32_t k = 3;
	uint64_t v = 9, got = 0;
	uint64_t a[4];
	int rc = -1, r;

	CHECK_RET(xdpkit_socket_stats(g_s, &st), 0);
	CHECK_RET(xdpkit_socket_kick(g_s), 0);
	CHECK_RET(xdpkit_socket_queue(g_s), 0);
	CHECK_RET(xdpkit_pool_alloc(g_pool, a, 4), 4);
	CHECK_RET(xdpkit_fill_batch(g_u, a, 4), 4);
	CHECK_RET(xdpkit_map_update(g_map, &k, 4, &v, 8, 0), 0);
	CHECK_RET(xdpkit_map_lookup(g_map, &k, 4, &got, 8), 0);
	CHECK(got == 9, "lookup %llu", (unsigned long long)got);
	CHECK_RET(xdpkit_map_info(g_map, &mi), 0);
	/* The socket's default program holds the interface: a real answer
	 * from the Go side, not -ECHILD. */
	r = xdpkit_prog_attach(g_prog, g_if, XDPKIT_XDP_FLAGS_SKB_MODE, &g_link);
	CHECK(r == -EBUSY, "prog_attach = %s, want -EBUSY (%s)", errname(r), xdpkit_last_error());
	CHECK_RET(xdpkit_prog_delete(g_prog), 0);
	g_prog = NULL;
	CHECK_RET(xdpkit_map_close(g_map), 0);
	g_map = -1;
	CHECK_RET(xdpkit_pool_delete(g_pool), 0);
	g_pool = NULL;
	CHECK_RET(xdpkit_socket_delete(g_s), 0);
	g_s = NULL;
	CHECK_RET(xdpkit_umem_delete(g_u), 0);
	g_u = NULL;
	CHECK(if_has_xdp(g_if) == 0, "%s still has an XDP program", g_if);
	rc = 0;
out:
	return rc;
}

static int t_exec_child(void)
{
	int st = 0, rc = -1;
	pid_t pid, w;
	long long deadline;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl(g_self, g_self, "--exec-child", g_if, (char *)NULL);
		_exit(127);
	}
	CHECK(pid > 0, "fork: %s", strerror(errno));
	deadline = now_ms() + 20000;
	while ((w = waitpid(pid, &st, WNOHANG)) == 0 && now_ms() < deadline)
		sleep_ms(5);
	if (w == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	CHECK(w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "exec'd child: status %#x%s", st, w ? "" : " (hung)");
	rc = 0;
out:
	return rc;
}

/* The exec'd child: a fresh process image, so the library works. */
static int exec_child_main(const char *ifname)
{
	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .frame_size = FRAME_SIZE);
	XDPKIT_OPTS(xdpkit_socket_config, scfg, .xdp_flags = XDPKIT_XDP_FLAGS_SKB_MODE);
	struct xdpkit_umem *u = NULL;
	struct xdpkit_socket *s = NULL;
	int fd, r;

	alarm(15);
	fd = xdpkit_map_create(XDPKIT_MAP_ARRAY, 4, 4, 4, 0, "exec_child");
	r = fd < 0 ? fd : xdpkit_map_close(fd);
	if (!r)
		r = xdpkit_umem_create(&u, NULL, (uint64_t)FRAME_SIZE * 64, NULL, NULL, &ucfg);
	if (!r)
		r = xdpkit_socket_create(&s, ifname, 1, u, NULL, NULL, &scfg);
	if (r)
		fprintf(stderr, "exec child: %s\n", xdpkit_last_error());
	if (s)
		xdpkit_socket_delete(s);
	if (u)
		xdpkit_umem_delete(u);
	return r ? 1 : 0;
}

int main(int argc, char **argv)
{
	ssize_t n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "--exec-child"))
		return exec_child_main(argv[2]);
	if (argc != 3 || (g_forks = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: %s IFNAME FORKS\n", argv[0]);
		return 2;
	}
	g_if = argv[1];
	n = readlink("/proc/self/exe", g_self, sizeof(g_self) - 1);
	if (n <= 0)
		return 2;
	g_self[n] = '\0';
	alarm(600);
	run("FORK_SETUP", setup);
	if (g_failed)
		return summary();
	run("FORK_CHILD_GETS_ECHILD", t_child);
	run("FORK_PARENT_UNAFFECTED", t_parent);
	run("FORK_EXEC_CHILD_WORKS", t_exec_child);
	return summary();
}
