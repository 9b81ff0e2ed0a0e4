/* rel_perms.c — libxdpkit.so without the capabilities it needs.
 *
 *   rel_perms unpriv IFNAME BPF_OBJECT   (run as nobody with no capability:
 *                                         setpriv --reuid=65534 --regid=65534
 *                                         --clear-groups --inh-caps=-all)
 *   rel_perms drop IFNAME                (run as root: makes handles, then
 *                                         drops to uid/gid 65534, which
 *                                         clears every capability of every
 *                                         thread, Go's included)
 *
 * Every call that needs a privilege fails with -EPERM and a message that
 * names the capabilities it needs and those the process lacks (capi/
 * main.go capabilityHint): AF_XDP sockets CAP_NET_RAW, BPF maps and
 * programs CAP_BPF, XDP programs also CAP_NET_ADMIN (CAP_SYS_ADMIN stands
 * in for those two), a map by id CAP_SYS_ADMIN; with kernel.unprivileged_
 * bpf_disabled set, the message says so. Calls that need none (version,
 * interface queries, closing what was opened with privileges) keep
 * working — and, the kernel's choice (6.18), so do attaching a program and
 * using a map by fd that were made with privileges: the fd is the right. */
#include <grp.h>
#include "common.h"

#define FRAME_SIZE 2048u

static const char *g_if, *g_obj;
static int g_unpriv_bpf; /* kernel.unprivileged_bpf_disabled */

/* The call failed with -EPERM and the message names every capability in
 * caps (space-separated) as lacking. */
static int eperm_names(const char *what, int r, const char *caps)
{
	char buf[256], *tok, *save = NULL;
	const char *msg = xdpkit_last_error(), *lacks = strstr(msg, "lacks");

	if (r != -EPERM)
		return set_detail_at(__LINE__, "%s = %s, want -EPERM (\"%s\")", what, errname(r), msg), -1;
	if (!lacks)
		return set_detail_at(__LINE__, "%s: message \"%s\" names no missing capability", what, msg), -1;
	snprintf(buf, sizeof(buf), "%s", caps);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if (!strstr(lacks, tok))
			return set_detail_at(__LINE__, "%s: message \"%s\" does not name %s as missing", what, msg, tok), -1;
	if (strstr(caps, "CAP_BPF") && g_unpriv_bpf && !strstr(msg, "unprivileged_bpf_disabled"))
		return set_detail_at(__LINE__, "%s: message \"%s\" does not mention kernel.unprivileged_bpf_disabled=%d", what,
				     msg, g_unpriv_bpf), -1;
	note("%s = -EPERM: \"%s\"", what, msg);
	return 0;
}

#define EPERM_NAMES(call, caps) do { if (eperm_names(#call, (int)(call), caps)) goto out; } while (0)

/* Effective capabilities of every thread of the process are empty. */
static int all_threads_unprivileged(int *threads)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int bad = 0;

	*threads = 0;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[300], line[256];
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/status", e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		(*threads)++;
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "CapEff:", 7) && strtoull(line + 7, NULL, 16) != 0)
				bad++;
		fclose(f);
	}
	closedir(d);
	return bad ? -1 : 0;
}

static int t_unpriv(void)
{
	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .frame_size = FRAME_SIZE);
	struct xdpkit_umem *u = NULL;
	struct xdpkit_prog *p = NULL;
	uint32_t rx = 0, tx = 0;
	int rc = -1, threads;

	CHECK(getuid() != 0 && geteuid() != 0, "runs as root: use setpriv (see tests/reliability/run.sh)");
	CHECK(all_threads_unprivileged(&threads) == 0, "a thread has capabilities");
	/* What needs no privilege works. */
	CHECK_RET(xdpkit_version(), XDPKIT_VERSION);
	CHECK_RET(xdpkit_if_queues(g_if, &rx, &tx), 0);
	CHECK(xdpkit_if_index(g_if) > 0, "if_index");
	/* What does fails, naming what is missing. */
	EPERM_NAMES(xdpkit_umem_create(&u, NULL, FRAME_SIZE * 64, NULL, NULL, &ucfg), "CAP_NET_RAW");
	CHECK(u == NULL, "out set on failure");
	EPERM_NAMES(xdpkit_map_create(XDPKIT_MAP_XSKMAP, 4, 4, 4, 0, "perm"), "CAP_BPF");
	if (g_unpriv_bpf) {
		EPERM_NAMES(xdpkit_map_create(XDPKIT_MAP_HASH, 4, 8, 4, 0, "perm"), "CAP_BPF");
	}
	EPERM_NAMES(xdpkit_map_open_id(1), "CAP_SYS_ADMIN");
	EPERM_NAMES(xdpkit_prog_load_default(&p, 1), "CAP_BPF CAP_NET_ADMIN");
	EPERM_NAMES(xdpkit_prog_load_file(&p, g_obj, "xdpkit_redirect"), "CAP_BPF CAP_NET_ADMIN");
	CHECK(p == NULL, "out set on failure");
	note("%d threads, none with a capability; kernel.unprivileged_bpf_disabled=%d", threads, g_unpriv_bpf);
	rc = 0;
out:
	return rc;
}

static int t_drop(void)
{
	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .frame_size = FRAME_SIZE);
	XDPKIT_OPTS(xdpkit_socket_config, scfg, .xdp_flags = XDPKIT_XDP_FLAGS_SKB_MODE);
	XDPKIT_OPTS(xdpkit_socket_config, nocfg, .libxdp_flags = XDPKIT_LIBXDP_FLAGS_INHIBIT_PROG_LOAD);
	struct xdpkit_umem *u = NULL, *u2 = NULL;
	struct xdpkit_socket *s = NULL, *s2 = NULL;
	struct xdpkit_prog *p = NULL, *p2 = NULL;
	struct xdpkit_link *l = NULL;
	struct xdpkit_stats st = { .sz = sizeof(st) };
	uint32_t k = 1;
	uint64_t v = 2;
	int rc = -1, map = -1, threads, r;

	CHECK(getuid() == 0, "the drop test starts as root");
	/* With privileges: a UMEM, a socket (no program: the interface
	 * stays free for the attach below), a spare UMEM, a program, a map. */
	CHECK_RET(xdpkit_umem_create(&u, NULL, FRAME_SIZE * 64, NULL, NULL, &ucfg), 0);
	CHECK_RET(xdpkit_socket_create(&s, g_if, 0, u, NULL, NULL, &nocfg), 0);
	CHECK_RET(xdpkit_umem_create(&u2, NULL, FRAME_SIZE * 64, NULL, NULL, &ucfg), 0);
	CHECK_RET(xdpkit_prog_load_default(&p, 2), 0);
	map = xdpkit_map_create(XDPKIT_MAP_HASH, 4, 8, 4, 0, "perm");
	CHECK(map >= 0, "map_create %s", errname(map));
	/* Drop: uid 0 -> 65534 on every thread (glibc's setxid broadcast). */
	CHECK(setgroups(0, NULL) == 0 && setresgid(65534, 65534, 65534) == 0 && setresuid(65534, 65534, 65534) == 0,
	      "dropping privileges: %s", strerror(errno));
	CHECK(all_threads_unprivileged(&threads) == 0, "a thread kept capabilities after setresuid");
	note("dropped to uid 65534: %d threads, none with a capability", threads);
	/* A socket made with privileges keeps working. */
	CHECK_RET(xdpkit_socket_stats(s, &st), 0);
	CHECK_RET(xdpkit_socket_kick(s), 0);
	/* New privileged work fails, naming the capabilities. */
	EPERM_NAMES(xdpkit_socket_create(&s2, g_if, 1, u, NULL, NULL, &scfg), "CAP_NET_RAW");
	EPERM_NAMES(xdpkit_prog_load_default(&p2, 1), "CAP_BPF CAP_NET_ADMIN");
	EPERM_NAMES(xdpkit_map_create(XDPKIT_MAP_HASH, 4, 8, 4, 0, "perm"), "CAP_BPF");
	/* The kernel checks no capability to attach an XDP program through a
	 * bpf_link (BPF_LINK_CREATE) or to use a map by fd: holding the fd of
	 * a program or map loaded with privileges is enough. */
	r = xdpkit_prog_attach(p, g_if, XDPKIT_XDP_FLAGS_SKB_MODE, &l);
	note("attach of a program loaded with privileges, unprivileged: %s%s%s", errname(r), r ? ": " : "",
	     r ? xdpkit_last_error() : "");
	if (r == 0) {
		CHECK_RET(xdpkit_link_detach(l), 0);
		l = NULL;
	} else if (eperm_names("xdpkit_prog_attach", r, "CAP_NET_ADMIN")) {
		goto out;
	}
	/* On the UMEM's own fd (no new socket): the program load fails. */
	r = xdpkit_socket_create(&s2, g_if, 1, u2, NULL, NULL, &scfg);
	if (eperm_names("xdpkit_socket_create (default program, first socket of a UMEM made with privileges)", r,
			"CAP_BPF CAP_NET_ADMIN"))
		goto out;
	r = xdpkit_socket_create(&s2, g_if, 1, u2, NULL, NULL, &nocfg);
	note("socket on a UMEM made with privileges, no program, unprivileged: %s%s%s", errname(r), r ? ": " : "",
	     r ? xdpkit_last_error() : " (bind needs no capability)");
	if (r == 0) {
		CHECK_RET(xdpkit_socket_delete(s2), 0);
		s2 = NULL;
	}
	r = xdpkit_map_update(map, &k, 4, &v, 8, 0);
	note("update of a map made with privileges, unprivileged: %s%s%s", errname(r), r ? ": " : "", r ? xdpkit_last_error() : "");
	if (r && eperm_names("xdpkit_map_update", r, "CAP_BPF"))
		goto out;
	/* Releasing needs no privilege. */
	CHECK_RET(xdpkit_map_close(map), 0);
	map = -1;
	CHECK_RET(xdpkit_prog_delete(p), 0);
	p = NULL;
	CHECK_RET(xdpkit_socket_delete(s), 0);
	s = NULL;
	CHECK_RET(xdpkit_umem_delete(u), 0);
	u = NULL;
	CHECK_RET(xdpkit_umem_delete(u2), 0);
	u2 = NULL;
	CHECK(if_has_xdp(g_if) == 0, "%s still has an XDP program after the unprivileged close", g_if);
	rc = 0;
out:
	if (l)
		xdpkit_link_detach(l);
	if (s2)
		xdpkit_socket_delete(s2);
	if (s)
		xdpkit_socket_delete(s);
	if (u)
		xdpkit_umem_delete(u);
	if (u2)
		xdpkit_umem_delete(u2);
	if (p)
		xdpkit_prog_delete(p);
	if (map >= 0)
		xdpkit_map_close(map);
	return rc;
}

int main(int argc, char **argv)
{
	FILE *f;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!((argc == 4 && !strcmp(argv[1], "unpriv")) || (argc == 3 && !strcmp(argv[1], "drop")))) {
		fprintf(stderr, "usage: %s unpriv IFNAME BPF_OBJECT | drop IFNAME\n", argv[0]);
		return 2;
	}
	g_if = argv[2];
	g_obj = argc == 4 ? argv[3] : NULL;
	f = fopen("/proc/sys/kernel/unprivileged_bpf_disabled", "re");
	if (f) {
		if (fscanf(f, "%d", &g_unpriv_bpf) != 1)
			g_unpriv_bpf = 0;
		fclose(f);
	}
	alarm(60);
	if (!strcmp(argv[1], "unpriv"))
		run("PERM_UNPRIVILEGED_PROCESS", t_unpriv);
	else
		run("PERM_DROPPED_PRIVILEGES", t_drop);
	return summary();
}
