/* rel_signals.c — a host's signal handlers keep working with the library.
 *
 *   rel_signals LIBPATH before|after
 *
 * The Go runtime of a c-shared library installs handlers of its own when
 * it starts (at load time): SIGSEGV, SIGBUS, SIGFPE, SIGPIPE and SIGURG
 * (preemption) where the host had the default, and none for SIGINT,
 * SIGTERM, SIGHUP (it only watches them if Go code asks, and xdpkit does
 * not). For a fault in C code it calls the handler the host had before.
 *
 *   before: the host installs SIGINT and SIGSEGV handlers, then dlopen()s
 *           the library (Go finds them and chains to them);
 *   after:  the library is loaded first (dlopen, as a program linked with
 *           -lxdpkit has it before main), then the host installs them
 *           (replacing Go's SIGSEGV handler: Go faults in the library would
 *           then reach the host's handler — hosts should chain, see
 *           tests/RELIABILITY.md).
 * Handlers use SA_ONSTACK, as the Go documentation asks of any host
 * handler (a signal may arrive on a thread running Go code).
 *
 *   SIGNAL_HANDLERS_INSTALLED  which dispositions the library changed
 *   SIGINT_RAISE               raise(SIGINT) -> the host handler
 *   SIGINT_PROCESS             kill(getpid(), SIGINT) x20 while two threads
 *                              call into the library -> handler each time
 *   SIGINT_THREAD_IN_LIBRARY   pthread_kill(SIGINT) x20 at a thread looping
 *                              on library calls -> handler, calls still fine
 *   SIGSEGV_HOST_MAIN          a write to a PROT_NONE page in host code
 *   SIGSEGV_HOST_THREAD        ... on a thread that has called the library
 *   SIGPIPE_IGNORED            SIG_IGN before loading: EPIPE, no signal
 *   LIBRARY_STILL_WORKS        map create/update/lookup/close afterwards */
#include <dlfcn.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include "common.h"

static struct {
	int (*version)(void);
	int (*map_create)(uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, const char *);
	int (*map_update)(int, const void *, uint32_t, const void *, uint32_t, uint64_t);
	int (*map_lookup)(int, const void *, uint32_t, void *, uint32_t);
	int (*map_close)(int);
	const char *(*last_error)(void);
} L;

static int g_before;
static struct sigaction g_pre[65]; /* dispositions before the library */
static volatile sig_atomic_t g_int, g_segv;
static __thread sigjmp_buf t_jmp;
static __thread volatile int t_armed;

static void on_int(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)si, (void)uc;
	g_int++;
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)si, (void)uc;
	g_segv++;
	if (t_armed) {
		t_armed = 0;
		siglongjmp(t_jmp, 1);
	}
	_exit(99); /* a fault we did not make */
}

static int install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_sigaction = on_int;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	if (sigaction(SIGINT, &sa, NULL))
		return -1;
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	return sigaction(SIGSEGV, &sa, NULL);
}

static int load(const char *path)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		fprintf(stderr, "rel_signals: dlopen %s: %s\n", path, dlerror());
		return -1;
	}
#define SYM(f, n) do { *(void **)&L.f = dlsym(h, n); if (!L.f) return -1; } while (0)
	SYM(version, "xdpkit_version");
	SYM(map_create, "xdpkit_map_create");
	SYM(map_update, "xdpkit_map_update");
	SYM(map_lookup, "xdpkit_map_lookup");
	SYM(map_close, "xdpkit_map_close");
	SYM(last_error, "xdpkit_last_error");
	return 0;
}

/* One round trip through Go: 0 when it worked. */
static int map_roundtrip(uint32_t k)
{
	uint64_t v = (uint64_t)k * 3, got = 0;
	int fd = L.map_create(XDPKIT_MAP_HASH, 4, 8, 8, 0, "rel_signals"), r;

	if (fd < 0)
		return fd;
	r = L.map_update(fd, &k, 4, &v, 8, 0);
	if (!r)
		r = L.map_lookup(fd, &k, 4, &got, 8);
	if (!r && got != v)
		r = -EIO;
	L.map_close(fd);
	return r;
}

static volatile int g_stop;
static volatile int g_busy_err;
static volatile unsigned long g_busy_calls;

static void *busy(void *arg)
{
	uint32_t k = 0;

	(void)arg;
	while (!g_stop) {
		int r = map_roundtrip(k++);

		if (r && !g_busy_err)
			g_busy_err = r;
		g_busy_calls++;
	}
	return NULL;
}

static int wait_int(sig_atomic_t want)
{
	long long deadline = now_ms() + 2000;

	while (g_int < want) {
		if (now_ms() > deadline)
			return -1;
		sleep_ms(1);
	}
	return 0;
}

static char g_changed[256]; /* what loading the library changed */

static void note_changes(void)
{
	int s;

	for (s = 1; s < 65; s++) {
		struct sigaction now;

		if (s == SIGKILL || s == SIGSTOP || sigaction(s, NULL, &now))
			continue;
		if (now.sa_handler != g_pre[s].sa_handler)
			snprintf(g_changed + strlen(g_changed), sizeof(g_changed) - strlen(g_changed), " %s",
				 sigabbrev_np(s) ? sigabbrev_np(s) : "?");
	}
}

static int t_installed(void)
{
	struct sigaction now;
	int rc = -1;

	note("%s: dispositions loading the library changed:%s", g_before ? "handlers installed before loading" :
	     "handlers installed after loading", g_changed[0] ? g_changed : " none");
	sigaction(SIGINT, NULL, &now);
	CHECK(now.sa_sigaction == on_int, "SIGINT handler is %p, not the host's", (void *)now.sa_sigaction);
	CHECK(!strstr(g_changed, " INT") && !strstr(g_changed, " TERM") && !strstr(g_changed, " HUP"),
	      "the library changed SIGINT, SIGTERM or SIGHUP:%s", g_changed);
	sigaction(SIGSEGV, NULL, &now);
	if (g_before)
		note("SIGSEGV handler now: %s", now.sa_sigaction == on_segv ? "the host's" :
		     "Go's, which calls the host's for faults in non-Go code");
	else
		CHECK(now.sa_sigaction == on_segv, "SIGSEGV handler is not the host's");
	rc = 0;
out:
	return rc;
}

static int t_raise(void)
{
	sig_atomic_t n = g_int;
	int rc = -1;

	CHECK(raise(SIGINT) == 0, "raise: %s", strerror(errno));
	CHECK(g_int == n + 1, "the host's SIGINT handler ran %d times for one raise()", (int)(g_int - n));
	rc = 0;
out:
	return rc;
}

static int t_process(void)
{
	pthread_t th[2];
	int i, rc = -1, started = 0;

	g_stop = 0;
	g_busy_err = 0;
	for (i = 0; i < 2; i++, started++)
		CHECK(pthread_create(&th[i], NULL, busy, NULL) == 0, "pthread_create");
	while (g_busy_calls < 10)
		sleep_ms(1);
	for (i = 0; i < 20; i++) {
		sig_atomic_t n = g_int;

		CHECK(kill(getpid(), SIGINT) == 0, "kill: %s", strerror(errno));
		CHECK(wait_int(n + 1) == 0, "SIGINT %d to the process: the host's handler did not run within 2 s", i);
	}
	rc = 0;
out:
	g_stop = 1;
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	if (!rc && g_busy_err) {
		set_detail_at(__LINE__, "a library call failed meanwhile: %s (%s)", errname(g_busy_err), L.last_error());
		rc = -1;
	}
	return rc;
}

static int t_thread_in_library(void)
{
	pthread_t th;
	unsigned long calls;
	int i, rc = -1, started = 0;

	g_stop = 0;
	g_busy_err = 0;
	CHECK(pthread_create(&th, NULL, busy, NULL) == 0, "pthread_create");
	started = 1;
	for (i = 0; i < 20; i++) {
		sig_atomic_t n = g_int;

		calls = g_busy_calls;
		while (g_busy_calls == calls)
			sleep_ms(1);
		CHECK(pthread_kill(th, SIGINT) == 0, "pthread_kill");
		CHECK(wait_int(n + 1) == 0, "SIGINT %d to a thread in the library: no handler within 2 s", i);
	}
	calls = g_busy_calls;
	sleep_ms(50);
	CHECK(g_busy_calls > calls, "the thread stopped making calls after the signals");
	rc = 0;
out:
	g_stop = 1;
	if (started)
		pthread_join(th, NULL);
	if (!rc && g_busy_err) {
		set_detail_at(__LINE__, "a library call failed meanwhile: %s (%s)", errname(g_busy_err), L.last_error());
		rc = -1;
	}
	return rc;
}

/* A page with no access: writing to it faults (a NULL write would too,
 * but UBSan stops a store through NULL before it happens). */
static volatile int *g_noaccess;

/* A write to that page in C, caught by the host's handler (siglongjmp
 * back). */
static int host_fault(void)
{
	volatile int *volatile p = g_noaccess;
	sig_atomic_t n = g_segv;

	if (sigsetjmp(t_jmp, 1) == 0) {
		t_armed = 1;
		*p = 1;
		t_armed = 0;
		return -1; /* no fault? */
	}
	return g_segv == n + 1 ? 0 : -1;
}

static int t_segv_main(void)
{
	int rc = -1;

	CHECK(map_roundtrip(1) == 0, "library call: %s", L.last_error());
	CHECK(host_fault() == 0, "the host's SIGSEGV handler did not catch a fault in host code (main thread)");
	CHECK(host_fault() == 0, "... nor a second one");
	rc = 0;
out:
	return rc;
}

static void *segv_thread(void *arg)
{
	int *res = arg;

	if (map_roundtrip(7)) { /* the thread has been in Go */
		*res = -2;
		return NULL;
	}
	*res = host_fault();
	if (!*res && map_roundtrip(8))
		*res = -3;
	return NULL;
}

static int t_segv_thread(void)
{
	pthread_t th;
	int res = -9, rc = -1;

	CHECK(pthread_create(&th, NULL, segv_thread, &res) == 0, "pthread_create");
	pthread_join(th, NULL);
	CHECK(res == 0, "thread result %d (-1: no handler, -2/-3: library call failed: %s)", res, L.last_error());
	rc = 0;
out:
	return rc;
}

static int t_sigpipe_ignored(void)
{
	int p[2], rc = -1;
	ssize_t n;

	CHECK(pipe(p) == 0, "pipe");
	close(p[0]);
	n = write(p[1], "x", 1);
	CHECK(n < 0 && errno == EPIPE, "write to a closed pipe = %zd (%s), want EPIPE", n, strerror(errno));
	close(p[1]);
	rc = 0;
out:
	return rc;
}

static int t_still_works(void)
{
	int rc = -1, i, r;

	CHECK(L.version() == XDPKIT_VERSION, "version %#x", L.version());
	for (i = 0; i < 100; i++) {
		r = map_roundtrip((uint32_t)i);
		CHECK(r == 0, "map round trip %d: %s (%s)", i, errname(r), L.last_error());
	}
	note("SIGINT handled %d times, SIGSEGV %d times", (int)g_int, (int)g_segv);
	rc = 0;
out:
	return rc;
}

int main(int argc, char **argv)
{
	int s;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 3 || (strcmp(argv[2], "before") && strcmp(argv[2], "after"))) {
		fprintf(stderr, "usage: %s LIBPATH before|after\n", argv[0]);
		return 2;
	}
	g_before = !strcmp(argv[2], "before");
	alarm(120);
	g_noaccess = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g_noaccess == MAP_FAILED)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	if (g_before && install())
		return 2;
	for (s = 1; s < 65; s++)
		sigaction(s, NULL, &g_pre[s]);
	if (load(argv[1]))
		return 2;
	note_changes();
	if (!g_before && install())
		return 2;
	run("SIGNAL_HANDLERS_INSTALLED", t_installed);
	run("SIGINT_RAISE", t_raise);
	run("SIGINT_PROCESS", t_process);
	run("SIGINT_THREAD_IN_LIBRARY", t_thread_in_library);
	run("SIGSEGV_HOST_MAIN", t_segv_main);
	run("SIGSEGV_HOST_THREAD", t_segv_thread);
	run("SIGPIPE_IGNORED", t_sigpipe_ignored);
	run("LIBRARY_STILL_WORKS", t_still_works);
	return summary();
}
