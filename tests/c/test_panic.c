/* test_panic.c — a Go panic inside an export must not take the process
 * down: the call returns -ENOTRECOVERABLE with a message that says
 * "panic", and the library keeps working (capi/main.go enter/guard).
 *
 *   XDPKIT_TEST_PANIC=<Go export> test_panic IFNAME
 *
 * The library reads XDPKIT_TEST_PANIC when it loads and panics on entry to
 * the named export; tests/c/run.sh runs this once per export it knows:
 * xdpkitGoUmemCreate, xdpkitGoSocketCreate, xdpkitGoUmemDelete. IFNAME is
 * an interface with XDP support (veth) in the current namespace.
 *
 * Prints "ok NAME" / "FAIL NAME: detail" and "N passed, M failed". */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#define TEST_NAME "test_panic"
#include "common.h"

#define FRAME_SIZE 2048u
#define UMEM_SIZE ((uint64_t)FRAME_SIZE * 64)

static const char *g_if;

/* The thread's message after a recovered panic names the call and says
 * "panic"; xdpkit_errmsg hands out the same text. */
static int check_panic_message(const char *fn)
{
	char buf[1100];
	int rc = -1, n;

	CHECK(strstr(xdpkit_last_error(), "panic"), "message \"%s\" does not mention the panic", xdpkit_last_error());
	CHECK(strstr(xdpkit_last_error(), fn), "message \"%s\" does not name %s", xdpkit_last_error(), fn);
	n = xdpkit_errmsg(buf, sizeof(buf));
	CHECK(n > 0 && !strcmp(buf, xdpkit_last_error()), "xdpkit_errmsg = %d \"%s\"", n, buf);
	rc = 0;
out:
	return rc;
}

static struct xdpkit_umem *new_umem(int *err)
{
	XDPKIT_OPTS(xdpkit_umem_config, cfg, .frame_size = FRAME_SIZE, .fill_size = 64, .comp_size = 64);
	struct xdpkit_umem *u = NULL;

	*err = xdpkit_umem_create(&u, NULL, UMEM_SIZE, NULL, NULL, &cfg);
	return u;
}

static int new_socket(struct xdpkit_socket **s, struct xdpkit_umem *u)
{
	XDPKIT_OPTS(xdpkit_socket_config, cfg, .rx_size = 64, .tx_size = 64,
		    .xdp_flags = XDPKIT_XDP_FLAGS_SKB_MODE);

	return xdpkit_socket_create(s, g_if, 0, u, NULL, NULL, &cfg);
}

/* Calls that never enter the panicking export must work: Go (if_queues)
 * and C (if_index, version). */
static int check_library_alive(void)
{
	uint32_t rxq = 0, txq = 0;
	int rc = -1;

	CHECK_RET(xdpkit_if_queues(g_if, &rxq, &txq), 0);
	CHECK(rxq >= 1 && txq >= 1, "queues %u/%u", rxq, txq);
	CHECK(xdpkit_if_index(g_if) > 0, "xdpkit_if_index(%s) = %d", g_if, xdpkit_if_index(g_if));
	CHECK_RET(xdpkit_version(), XDPKIT_VERSION);
	rc = 0;
out:
	return rc;
}

static int panic_umem_create(void)
{
	struct xdpkit_umem *u;
	int err, i, rc = -1;

	u = new_umem(&err);
	CHECK(err == -ENOTRECOVERABLE, "xdpkit_umem_create = %d (%s), want -ENOTRECOVERABLE", err, xdpkit_last_error());
	CHECK(u == NULL, "*out set after a panic");
	if (check_panic_message("xdpkit_umem_create"))
		goto out;
	report("PANIC_RETURNS_ENOTRECOVERABLE", 0);
	/* Again and again: every call recovers on its own. */
	for (i = 0; i < 100; i++) {
		u = new_umem(&err);
		CHECK(err == -ENOTRECOVERABLE && !u, "call %d: xdpkit_umem_create = %d", i + 2, err);
	}
	if (check_library_alive())
		goto out;
	rc = 0;
out:
	return rc;
}

static int panic_socket_create(void)
{
	struct xdpkit_socket *s = (struct xdpkit_socket *)&s;
	struct xdpkit_umem *u;
	int err, rc = -1;

	u = new_umem(&err);
	CHECK(err == 0, "xdpkit_umem_create = %d (%s)", err, xdpkit_last_error());
	CHECK_RET(new_socket(&s, u), -ENOTRECOVERABLE);
	CHECK(s == NULL, "*out set after a panic");
	if (check_panic_message("xdpkit_socket_create"))
		goto out;
	report("PANIC_RETURNS_ENOTRECOVERABLE", 0);
	/* The panic left no reference on the UMEM behind. */
	CHECK_RET(xdpkit_umem_delete(u), 0);
	u = new_umem(&err);
	CHECK(err == 0, "xdpkit_umem_create after the panic = %d (%s)", err, xdpkit_last_error());
	CHECK_RET(xdpkit_umem_delete(u), 0);
	u = NULL;
	if (check_library_alive())
		goto out;
	rc = 0;
out:
	release(NULL, u);
	return rc;
}

static int panic_umem_delete(void)
{
	struct xdpkit_socket *s = NULL;
	struct xdpkit_umem *u;
	int err, rc = -1;

	u = new_umem(&err);
	CHECK(err == 0, "xdpkit_umem_create = %d (%s)", err, xdpkit_last_error());
	CHECK_RET(xdpkit_umem_delete(u), -ENOTRECOVERABLE);
	if (check_panic_message("xdpkit_umem_delete"))
		goto out;
	report("PANIC_RETURNS_ENOTRECOVERABLE", 0);
	/* The failed delete left the handle live and usable. */
	CHECK(xdpkit_umem_fd(u) >= 0, "xdpkit_umem_fd = %d after the failed delete", xdpkit_umem_fd(u));
	CHECK_RET(xdpkit_umem_delete(u), -ENOTRECOVERABLE);
	CHECK_RET(new_socket(&s, u), 0);
	CHECK_RET(xdpkit_socket_queue(s), 0);
	CHECK_RET(xdpkit_socket_delete(s), 0);
	s = NULL;
	if (check_library_alive())
		goto out;
	rc = 0;
out:
	release(s, NULL);
	return rc;
}

int main(int argc, char **argv)
{
	const char *fn = getenv("XDPKIT_TEST_PANIC");
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	g_if = argc > 1 ? argv[1] : getenv("XDPKIT_TEST_IF");
	if (!fn || !g_if) {
		fprintf(stderr, "usage: XDPKIT_TEST_PANIC=<Go export> %s IFNAME (see tests/c/run.sh)\n", argv[0]);
		return 2;
	}
	if (!strcmp(fn, "xdpkitGoUmemCreate")) {
		rc = panic_umem_create();
	} else if (!strcmp(fn, "xdpkitGoSocketCreate")) {
		rc = panic_socket_create();
	} else if (!strcmp(fn, "xdpkitGoUmemDelete")) {
		rc = panic_umem_delete();
	} else {
		fprintf(stderr, TEST_NAME ": no test for XDPKIT_TEST_PANIC=%s\n", fn);
		return 2;
	}
	report("PROCESS_SURVIVES_AND_LIBRARY_WORKS", rc);
	printf("%d passed, %d failed\n", g_passed, g_failed);
	return g_failed ? 1 : 0;
}
