/* rel_leak.c — resource leak check of libxdpkit.so through its C API.
 *
 *   rel_leak IFNAME CYCLES
 *
 * IFNAME: a veth end with 2 RX queues in the current namespace (tests/
 * reliability/run.sh sets it up). Three loops of CYCLES cycles each:
 *
 *   LEAK_SOCKET  UMEM create (library-mapped area of 4 MiB) / frame pool /
 *                socket create + bind (default program, SKB and DRV mode,
 *                queues 0 and 1 in turn) / stats / delete / UMEM delete
 *   LEAK_PROG    default program load / XSKMAP fd / attach (SKB, DRV) /
 *                detach / delete
 *   LEAK_MAP     HASH, ARRAY, PERCPU_ARRAY, QUEUE, XSKMAP, DEVMAP: create /
 *                update / info / close
 *
 * After each loop, against a snapshot taken after 10 warm-up cycles:
 *   - open fds (/proc/self/fd): exactly as before;
 *   - AF_XDP ring mappings (socket:[...] in /proc/self/maps): exactly;
 *   - all mappings: fewer than 10 + CYCLES/10 more (the Go heap grows into
 *     a few new mappings over the first cycles; a leak of one mapping per
 *     cycle fails), and private anonymous memory less than 32 MiB more
 *     (the Go heap settles within ~14 MiB of growth over 1000 socket
 *     cycles; a leaked UMEM area is 4 MiB per cycle).
 * Then, system-wide, by BPF id iteration (BPF_{PROG,MAP,LINK}_GET_NEXT_ID):
 *   - every program and map id the test created (recorded as it went:
 *     xdpkit_socket_prog_id, xdpkit_prog_id, the programs' map ids,
 *     xdpkit_map_info) is gone within 5 s of the last close;
 *   - no live link refers to one of those programs; IFNAME has no XDP
 *     program;
 *   - the live ids after equal the live ids before, except ids the test
 *     did not create that other processes created meanwhile: those are
 *     listed as foreign (with XDPKIT_LEAK_STRICT=1 any difference fails,
 *     for a machine where nothing else uses BPF). BPF ids are global, so
 *     an id set — not a bare count — is what tells our objects from
 *     another process's.
 * Prints "ok NAME"/"FAIL NAME: detail" and the figures. */
#include "common.h"

#define FRAME_SIZE 2048u
#define UMEM_FRAMES 2048u /* 4 MiB */
#define ANON_SLACK_KIB (32u * 1024)
#define WARMUP 10

static const char *g_if;
static int g_cycles;
static struct idset g_progs, g_maps; /* ids this test created */
static struct idset g_before[KIND_N];

struct snapshot {
	int fds;
	struct maps_count m;
};

static int take(struct snapshot *s)
{
	s->fds = count_fds();
	return s->fds < 0 || count_maps(&s->m) < 0 ? -1 : 0;
}

/* Detail set and -1 unless now is back to before, after CYCLES cycles. */
static int compare(const char *what, const struct snapshot *b)
{
	struct snapshot a;

	if (take(&a))
		return set_detail_at(__LINE__, "cannot read /proc/self"), -1;
	note("%s: %d cycles: fds %d -> %d, ring mappings %d -> %d, mappings %d -> %d, anonymous memory %llu -> %llu KiB",
	     what, g_cycles, b->fds, a.fds, b->m.rings, a.m.rings, b->m.lines, a.m.lines, b->m.anon_kib, a.m.anon_kib);
	if (a.fds != b->fds)
		return set_detail_at(__LINE__, "%d fds before %d cycles, %d after", b->fds, g_cycles, a.fds), -1;
	if (a.m.rings != b->m.rings)
		return set_detail_at(__LINE__, "%d ring mappings before %d cycles, %d after", b->m.rings, g_cycles, a.m.rings), -1;
	if (a.m.lines - b->m.lines >= 10 + g_cycles / 10)
		return set_detail_at(__LINE__, "%d mappings before %d cycles, %d after", b->m.lines, g_cycles, a.m.lines), -1;
	if (a.m.anon_kib > b->m.anon_kib + ANON_SLACK_KIB)
		return set_detail_at(__LINE__, "anonymous memory grew from %llu to %llu KiB over %d cycles",
				     b->m.anon_kib, a.m.anon_kib, g_cycles), -1;
	return 0;
}

/* ------------------------------------------------------------------ */

static int socket_cycle(int i)
{
	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .frame_size = FRAME_SIZE, .fill_size = 64, .comp_size = 64);
	XDPKIT_OPTS(xdpkit_socket_config, scfg, .rx_size = 64, .tx_size = 64,
		    .xdp_flags = (i & 1) ? XDPKIT_XDP_FLAGS_DRV_MODE : XDPKIT_XDP_FLAGS_SKB_MODE);
	struct xdpkit_umem *u = NULL;
	struct xdpkit_socket *s = NULL;
	struct xdpkit_frame_pool *p = NULL;
	struct xdpkit_stats st = { .sz = sizeof(st) };
	int rc = -1, id;

	CHECK_RET(xdpkit_umem_create(&u, NULL, (uint64_t)FRAME_SIZE * UMEM_FRAMES, NULL, NULL, &ucfg), 0);
	CHECK_RET(xdpkit_pool_create(&p, u), 0);
	CHECK_RET(xdpkit_umem_prefill(u, p, 32), 32);
	CHECK_RET(xdpkit_socket_create(&s, g_if, (uint32_t)(i / 2) & 1, u, NULL, NULL, &scfg), 0);
	id = xdpkit_socket_prog_id(s);
	CHECK(id > 0, "socket prog id %s", errname(id));
	CHECK(idset_add(&g_progs, (uint32_t)id) == 0 && prog_map_ids((uint32_t)id, &g_maps) == 0,
	      "cannot record program %d and its maps: %s", id, strerror(errno));
	CHECK_RET(xdpkit_socket_stats(s, &st), 0);
	CHECK_RET(xdpkit_socket_kick(s), 0);
	CHECK_RET(xdpkit_socket_delete(s), 0);
	s = NULL;
	CHECK_RET(xdpkit_pool_delete(p), 0);
	p = NULL;
	CHECK_RET(xdpkit_umem_delete(u), 0);
	u = NULL;
	rc = 0;
out:
	if (s)
		xdpkit_socket_delete(s);
	if (p)
		xdpkit_pool_delete(p);
	if (u)
		xdpkit_umem_delete(u);
	return rc;
}

static int prog_cycle(int i)
{
	struct xdpkit_prog *p = NULL;
	struct xdpkit_link *l = NULL;
	struct xdpkit_map_info info = { .sz = sizeof(info) };
	uint32_t mode = (i & 1) ? XDPKIT_XDP_FLAGS_DRV_MODE : XDPKIT_XDP_FLAGS_SKB_MODE;
	int rc = -1, id, mfd;

	CHECK_RET(xdpkit_prog_load_default(&p, 4), 0);
	id = xdpkit_prog_id(p);
	CHECK(id > 0 && idset_add(&g_progs, (uint32_t)id) == 0, "prog id %s", errname(id));
	mfd = xdpkit_prog_map_fd(p, "xsks_map");
	CHECK(mfd >= 0, "xsks_map fd %s (%s)", errname(mfd), xdpkit_last_error());
	CHECK_RET(xdpkit_map_info(mfd, &info), 0);
	CHECK(idset_add(&g_maps, info.id) == 0 && prog_map_ids((uint32_t)id, &g_maps) == 0, "cannot record maps");
	CHECK_RET(xdpkit_prog_attach(p, g_if, mode, &l), 0);
	CHECK_RET(xdpkit_link_mode(l), mode);
	CHECK_RET(xdpkit_link_detach(l), 0);
	l = NULL;
	CHECK_RET(xdpkit_prog_delete(p), 0);
	p = NULL;
	rc = 0;
out:
	if (l)
		xdpkit_link_detach(l);
	if (p)
		xdpkit_prog_delete(p);
	return rc;
}

static int map_cycle(int i)
{
	static const struct { uint32_t type, ks, vs, n; } specs[] = {
		{ XDPKIT_MAP_HASH, 4, 8, 64 },
		{ XDPKIT_MAP_ARRAY, 4, 8, 16 },
		{ XDPKIT_MAP_PERCPU_ARRAY, 4, 8, 4 },
		{ XDPKIT_MAP_QUEUE, 0, 8, 8 },
		{ XDPKIT_MAP_XSKMAP, 4, 4, 4 },
		{ XDPKIT_MAP_DEVMAP, 4, 4, 4 },
	};
	uint64_t vals[64];
	uint32_t k = (uint32_t)i % 4, j;
	int fd = -1, rc = -1;

	memset(vals, 0, sizeof(vals));
	for (j = 0; j < sizeof(specs) / sizeof(specs[0]); j++) {
		struct xdpkit_map_info info = { .sz = sizeof(info) };

		fd = xdpkit_map_create(specs[j].type, specs[j].ks, specs[j].vs, specs[j].n, 0, "rel_leak");
		CHECK(fd >= 0, "map_create type %u: %s (%s)", specs[j].type, errname(fd), xdpkit_last_error());
		CHECK_RET(xdpkit_map_info(fd, &info), 0);
		CHECK(idset_add(&g_maps, info.id) == 0, "out of memory");
		switch (specs[j].type) {
		case XDPKIT_MAP_HASH:
		case XDPKIT_MAP_ARRAY:
			CHECK_RET(xdpkit_map_update(fd, &k, 4, &vals[0], 8, XDPKIT_MAP_ANY), 0);
			CHECK_RET(xdpkit_map_lookup(fd, &k, 4, &vals[0], 8), 0);
			break;
		case XDPKIT_MAP_PERCPU_ARRAY: {
			int n = xdpkit_map_lookup(fd, &k, 4, vals, 0);

			CHECK(n == -EINVAL, "per-CPU lookup with a 0-byte value = %s", errname(n));
			break;
		}
		case XDPKIT_MAP_QUEUE:
			CHECK_RET(xdpkit_queue_push(fd, &vals[0], 8, 0), 0);
			CHECK_RET(xdpkit_queue_pop(fd, &vals[0], 8), 0);
			break;
		case XDPKIT_MAP_XSKMAP: {
			int r = xdpkit_xskmap_clear(fd, k);

			CHECK(r == 0 || r == -ENOENT, "xskmap_clear of an empty slot = %s (%s)", errname(r), xdpkit_last_error());
			break;
		}
		default:
			CHECK_RET(xdpkit_map_lookup(fd, &k, 4, &vals[0], 4), -ENOENT);
		}
		CHECK_RET(xdpkit_map_close(fd), 0);
		fd = -1;
	}
	rc = 0;
out:
	if (fd >= 0)
		xdpkit_map_close(fd);
	return rc;
}

static int loop(const char *what, int (*cycle)(int))
{
	struct snapshot b;
	long long t0;
	int i;

	/* Warm-up: Go runtime and heap, cilium/ebpf caches, feature probes. */
	for (i = 0; i < WARMUP; i++)
		if (cycle(i))
			return -1;
	if (take(&b))
		return set_detail_at(__LINE__, "cannot read /proc/self"), -1;
	t0 = now_ms();
	for (i = WARMUP; i < WARMUP + g_cycles; i++) {
		if (cycle(i)) {
			char d[sizeof(g_detail)];

			snprintf(d, sizeof(d), "%s", g_detail);
			set_detail_at(__LINE__, "cycle %d: %s", i, d);
			return -1;
		}
	}
	note("%s: %d cycles in %.1f s", what, g_cycles, (double)(now_ms() - t0) / 1000);
	return compare(what, &b);
}

static int t_socket(void) { return loop("socket", socket_cycle); }
static int t_prog(void) { return loop("program", prog_cycle); }
static int t_map(void) { return loop("map", map_cycle); }

/* The BPF objects: see the header comment. */
static int t_bpf_objects(void)
{
	struct idset after[KIND_N] = { { 0 } };
	long long deadline = now_ms() + 5000;
	size_t i, alive;
	int rc = -1, k, strict = getenv("XDPKIT_LEAK_STRICT") && !strcmp(getenv("XDPKIT_LEAK_STRICT"), "1");

	idset_sort(&g_progs);
	idset_sort(&g_maps);
	/* Objects are freed when their last reference goes, links and maps
	 * partly from deferred work: wait (bounded) for the ids to go. */
	for (;;) {
		for (k = 0; k < KIND_N; k++) {
			idset_free(&after[k]);
			CHECK(ids_live((enum bpf_kind)k, &after[k]) == 0, "BPF id iteration: %s", strerror(errno));
		}
		alive = 0;
		for (i = 0; i < after[KIND_PROG].n; i++)
			alive += idset_has(&g_progs, after[KIND_PROG].ids[i]);
		for (i = 0; i < after[KIND_MAP].n; i++)
			alive += idset_has(&g_maps, after[KIND_MAP].ids[i]);
		for (i = 0; i < after[KIND_LINK].n; i++)
			alive += idset_has(&g_progs, link_prog_id(after[KIND_LINK].ids[i]));
		if (alive == 0 || now_ms() > deadline)
			break;
		sleep_ms(50);
	}
	note("BPF objects created by the test: %zu programs, %zu maps (recorded by id)", g_progs.n, g_maps.n);
	for (k = 0; k < KIND_N; k++) {
		size_t foreign = 0, gone = 0, ours = 0;
		char list[256] = "";

		for (i = 0; i < after[k].n; i++) {
			uint32_t id = after[k].ids[i];

			if (idset_has(&g_before[k], id))
				continue;
			if ((k == KIND_PROG && idset_has(&g_progs, id)) || (k == KIND_MAP && idset_has(&g_maps, id)) ||
			    (k == KIND_LINK && idset_has(&g_progs, link_prog_id(id)))) {
				ours++;
				continue;
			}
			foreign++;
			if (strlen(list) < sizeof(list) - 16)
				snprintf(list + strlen(list), sizeof(list) - strlen(list), " %u", id);
		}
		for (i = 0; i < g_before[k].n; i++)
			gone += !idset_has(&after[k], g_before[k].ids[i]);
		note("%ss: %zu live before, %zu after; still alive of ours: %zu; new from other processes: %zu%s%s; gone meanwhile: %zu",
		     kind_name[k], g_before[k].n, after[k].n, ours, foreign, foreign ? ":" : "", list, gone);
		CHECK(ours == 0, "%zu %s(s) the test created are still alive 5 s after the last close", ours, kind_name[k]);
		CHECK(!strict || (foreign == 0 && gone == 0 && after[k].n == g_before[k].n),
		      "XDPKIT_LEAK_STRICT=1: %zu %ss before, %zu after (%zu new, %zu gone)", g_before[k].n, kind_name[k],
		      after[k].n, foreign, gone);
	}
	CHECK(if_has_xdp(g_if) == 0, "%s still has an XDP program (or cannot be shown)", g_if);
	rc = 0;
out:
	for (k = 0; k < KIND_N; k++)
		idset_free(&after[k]);
	return rc;
}

int main(int argc, char **argv)
{
	int k;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 3 || (g_cycles = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: %s IFNAME CYCLES\n", argv[0]);
		return 2;
	}
	g_if = argv[1];
	for (k = 0; k < KIND_N; k++) {
		if (ids_live((enum bpf_kind)k, &g_before[k])) {
			fprintf(stderr, "rel_leak: BPF id iteration: %s\n", strerror(errno));
			return 2;
		}
	}
	run("LEAK_SOCKET", t_socket);
	run("LEAK_PROG", t_prog);
	run("LEAK_MAP", t_map);
	run("LEAK_BPF_OBJECTS", t_bpf_objects);
	return summary();
}
