/* rel_embed.c — libxdpkit.so in a process that also links libbpf and libxdp.
 *
 *   rel_embed IFNAME
 *
 * Built twice, with -lxdpkit -lxdp -lbpf and with -lxdp -lbpf -lxdpkit
 * (tests/reliability/run.sh), in the namespace of a 2-queue veth IFNAME.
 *
 *   EMBED_SYMBOLS      xdpkit_version, xsk_umem__create and bpf_map_create
 *                      each resolve (dladdr) to their own library: no name
 *                      of libxdpkit shadows one of libbpf/libxdp or back.
 *   EMBED_MAPS         a map made by libbpf is used through xdpkit, one made
 *                      by xdpkit through libbpf.
 *   EMBED_SOCKETS      xdpkit's default program (xdpkit_prog_load_default +
 *                      attach) serves two sockets: queue 0 an xdpkit socket,
 *                      queue 1 a libxdp socket (INHIBIT_PROG_LOAD), each put
 *                      in the XSKMAP by its own library; then all closed in
 *                      the reverse order and nothing left on the interface. */
#include <dlfcn.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/xsk.h>
#include "common.h"

static const char *g_if;

static const char *lib_of(void *fn)
{
	Dl_info info;

	if (!dladdr(fn, &info) || !info.dli_fname)
		return "?";
	return strrchr(info.dli_fname, '/') ? strrchr(info.dli_fname, '/') + 1 : info.dli_fname;
}

static int t_symbols(void)
{
	const char *x = lib_of((void *)xdpkit_version), *u = lib_of((void *)xsk_umem__create),
		   *b = lib_of((void *)bpf_map_create), *s = lib_of((void *)xsk_socket__create);
	int rc = -1;

	note("xdpkit_version in %s, xsk_umem__create in %s, xsk_socket__create in %s, bpf_map_create in %s; libbpf %u.%u",
	     x, u, s, b, libbpf_major_version(), libbpf_minor_version());
	CHECK(!strncmp(x, "libxdpkit.so", 12), "xdpkit_version resolves to %s", x);
	CHECK(!strncmp(u, "libxdp.so", 9) && !strncmp(s, "libxdp.so", 9), "xsk_* resolve to %s / %s", u, s);
	CHECK(!strncmp(b, "libbpf.so", 9), "bpf_map_create resolves to %s", b);
	CHECK(xdpkit_version() == XDPKIT_VERSION, "xdpkit_version");
	rc = 0;
out:
	return rc;
}

static int t_maps(void)
{
	int bfd = -1, xfd = -1, rc = -1;
	uint32_t k = 5;
	uint64_t v = 55, got = 0;

	bfd = bpf_map_create(BPF_MAP_TYPE_HASH, "libbpf_map", 4, 8, 16, NULL);
	CHECK(bfd >= 0, "bpf_map_create: %s", strerror(errno));
	CHECK_RET(xdpkit_map_update(bfd, &k, 4, &v, 8, XDPKIT_MAP_ANY), 0);
	CHECK(bpf_map_lookup_elem(bfd, &k, &got) == 0 && got == 55, "libbpf lookup of xdpkit's update: %llu",
	      (unsigned long long)got);
	xfd = xdpkit_map_create(XDPKIT_MAP_ARRAY, 4, 8, 4, 0, "xdpkit_map");
	CHECK(xfd >= 0, "xdpkit_map_create: %s", xdpkit_last_error());
	k = 2;
	v = 77;
	CHECK(bpf_map_update_elem(xfd, &k, &v, BPF_ANY) == 0, "bpf_map_update_elem: %s", strerror(errno));
	got = 0;
	CHECK_RET(xdpkit_map_lookup(xfd, &k, 4, &got, 8), 0);
	CHECK(got == 77, "xdpkit lookup of libbpf's update: %llu", (unsigned long long)got);
	CHECK_RET(xdpkit_map_close(bfd), -EBADF); /* not the library's to close */
	rc = 0;
out:
	if (xfd >= 0)
		xdpkit_map_close(xfd);
	if (bfd >= 0)
		close(bfd);
	return rc;
}

static int t_sockets(void)
{
	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .frame_size = 2048);
	XDPKIT_OPTS(xdpkit_socket_config, scfg, .libxdp_flags = XDPKIT_LIBXDP_FLAGS_INHIBIT_PROG_LOAD);
	struct xsk_umem_config lucfg = { .fill_size = 64, .comp_size = 64, .frame_size = 2048 };
	struct xsk_socket_config lscfg = { .rx_size = 64, .tx_size = 64,
					   .libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD };
	struct xdpkit_prog *p = NULL;
	struct xdpkit_link *l = NULL;
	struct xdpkit_umem *u = NULL;
	struct xdpkit_socket *s = NULL;
	struct xsk_umem *lu = NULL;
	struct xsk_socket *ls = NULL;
	struct xsk_ring_prod lfill, ltx;
	struct xsk_ring_cons lcomp, lrx;
	size_t lsize = 2048 * 64;
	void *larea = MAP_FAILED;
	int rc = -1, mapfd, r;

	CHECK_RET(xdpkit_prog_load_default(&p, 2), 0);
	mapfd = xdpkit_prog_map_fd(p, "xsks_map");
	CHECK(mapfd >= 0, "xsks_map: %s", xdpkit_last_error());
	CHECK_RET(xdpkit_prog_attach(p, g_if, XDPKIT_XDP_FLAGS_SKB_MODE, &l), 0);
	CHECK_RET(xdpkit_umem_create(&u, NULL, 2048 * 64, NULL, NULL, &ucfg), 0);
	CHECK_RET(xdpkit_socket_create(&s, g_if, 0, u, NULL, NULL, &scfg), 0);
	CHECK_RET(xdpkit_socket_update_xskmap(s, mapfd), 0);
	larea = mmap(NULL, lsize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(larea != MAP_FAILED, "mmap");
	r = xsk_umem__create(&lu, larea, lsize, &lfill, &lcomp, &lucfg);
	CHECK(r == 0, "libxdp xsk_umem__create: %s", strerror(-r));
	r = xsk_socket__create(&ls, g_if, 1, lu, &lrx, &ltx, &lscfg);
	CHECK(r == 0, "libxdp xsk_socket__create on queue 1: %s", strerror(-r));
	r = xsk_socket__update_xskmap(ls, mapfd);
	CHECK(r == 0, "libxdp xsk_socket__update_xskmap into xdpkit's XSKMAP: %s", strerror(-r));
	note("xdpkit program %d on %s serves an xdpkit socket (queue 0, fd %d) and a libxdp socket (queue 1, fd %d)",
	     xdpkit_prog_id(p), g_if, xdpkit_socket_fd(s), xsk_socket__fd(ls));
	xsk_socket__delete(ls);
	ls = NULL;
	CHECK((r = xsk_umem__delete(lu)) == 0, "xsk_umem__delete: %s", strerror(-r));
	lu = NULL;
	CHECK_RET(xdpkit_socket_delete(s), 0);
	s = NULL;
	CHECK_RET(xdpkit_umem_delete(u), 0);
	u = NULL;
	CHECK_RET(xdpkit_link_detach(l), 0);
	l = NULL;
	CHECK_RET(xdpkit_prog_delete(p), 0);
	p = NULL;
	CHECK(if_has_xdp(g_if) == 0, "%s still has an XDP program", g_if);
	rc = 0;
out:
	if (ls)
		xsk_socket__delete(ls);
	if (lu)
		xsk_umem__delete(lu);
	if (larea != MAP_FAILED)
		munmap(larea, lsize);
	if (s)
		xdpkit_socket_delete(s);
	if (u)
		xdpkit_umem_delete(u);
	if (l)
		xdpkit_link_detach(l);
	if (p)
		xdpkit_prog_delete(p);
	return rc;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 2) {
		fprintf(stderr, "usage: %s IFNAME\n", argv[0]);
		return 2;
	}
	g_if = argv[1];
	alarm(60);
	run("EMBED_SYMBOLS", t_symbols);
	run("EMBED_MAPS", t_maps);
	run("EMBED_SOCKETS", t_sockets);
	return summary();
}
