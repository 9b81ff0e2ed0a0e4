/* test_maps.c — tests the map and program exports of libxdpkit.so through
 * its C API (include/xdpkit.h), with the exact errnos.
 *
 *   test_maps [IFNAME PEER_NETNS PEER_IFNAME]
 *
 * The map and program-load tests need nothing but root. The attach and
 * XSKMAP tests need IFNAME, one end of a veth pair in the namespace the
 * test runs in, whose other end PEER_IFNAME lives in namespace PEER_NETNS
 * (/run/netns/PEER_NETNS); tests/c/run.sh sets that up. Without them those
 * tests are skipped (said on stderr). Frames are sent from the peer with
 * an AF_PACKET socket created there (setns on this thread) and used from
 * here; frames that reach our kernel stack are seen by an AF_PACKET
 * socket on IFNAME (it sees what XDP passed, not what XDP redirected).
 *
 * BPF objects are found from the current directory (the repository root)
 * or two levels above the binary (build/tests): bpf/objs/NAME_bpfel.o and
 * xsk/redirect_bpfel.o.
 *
 *   test_maps --pinned-child PATH   (internal) opens the map pinned at
 *   PATH, prints "value N" for key 7 and exits; the PIN_CHILD test runs
 *   it in a child process (fork + exec: the Go runtime is not usable in
 *   a forked child that has not exec'd).
 *
 * Prints "ok NAME" or "FAIL NAME: detail" per test and "N passed, M failed"
 * at the end; exits 1 when a test failed, 2 when the setup failed. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <limits.h>
#include <poll.h>
#include <sys/wait.h>

#define TEST_NAME "test_maps"
#include "common.h"

#define MAGIC_SOCK 0x786b736bU /* capi/internal.h: a forged handle carries it */
#define BPF_F_NO_PREALLOC 1u
#define FRAME_SIZE 2048u
#define NUM_FRAMES 512u
#define NPKTS 32u      /* frames per traffic check */
#define WAIT_MS 2000   /* longest wait for them */
#define PAYLOAD_OFF 42 /* Ethernet + IPv4 + UDP */

#define OBJ_CPUMAP "bpf/objs/cpumap_rr_bpfel.o"
#define OBJ_QS "bpf/objs/queue_stack_bpfel.o"
#define OBJ_REDIRECT "xsk/redirect_bpfel.o"

static const char *g_if, *g_peer_ns, *g_peer_if;
static int g_ifindex, g_peer_fd = -1, g_obs_fd = -1, g_ncpus;
static uint8_t g_mac[6], g_peer_mac[6];
static uint32_t g_tag = 0x7a900000;
static int g_skipped;

/* ------------------------------------------------------------------ */
/* Reporting: common.h, and */

/* call must return a non-negative value, stored in var. */
#define CHECK_OK(var, call) do {                                                         \
	long r_ = (long)(call);                                                          \
	if (r_ < 0)                                                                      \
		FAIL("line %d: %s = %s (last error: \"%s\")", __LINE__, #call, errstr(r_),\
		     xdpkit_last_error());                                               \
	var = (int)r_;                                                                   \
} while (0)

/* Runs fn when an interface was given, else skips it (not counted). */
static void run_if(const char *name, int (*fn)(void))
{
	if (!g_if) {
		g_skipped++;
		return;
	}
	run(name, fn);
}

/* Closes a library map if open; for the out: paths. */
static void mclose(int *fd)
{
	if (*fd >= 0)
		xdpkit_map_close(*fd);
	*fd = -1;
}

static void pdelete(struct xdpkit_prog **p)
{
	if (*p)
		xdpkit_prog_delete(*p);
	*p = NULL;
}

static void ldetach(struct xdpkit_link **l)
{
	if (*l)
		xdpkit_link_detach(*l);
	*l = NULL;
}

/* Number of possible CPUs: the slots of a per-CPU value. */
static int possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	int lo, hi, max = -1;
	char sep;

	if (!f)
		return -1;
	while (fscanf(f, "%d", &lo) == 1) {
		hi = lo;
		if (fscanf(f, "%c", &sep) == 1 && sep == '-') {
			if (fscanf(f, "%d", &hi) != 1)
				break;
			if (fscanf(f, "%c", &sep) != 1)
				sep = '\n';
		}
		if (hi > max)
			max = hi;
		if (sep != ',')
			break;
	}
	fclose(f);
	return max + 1;
}

/* rel from the current directory, or from two levels above the binary. */
static const char *obj(const char *rel)
{
	static char paths[4][PATH_MAX];
	static int next;
	char *path = paths[next++ & 3];
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (access(rel, R_OK) == 0)
		return rel;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			if (snprintf(path, PATH_MAX, "%s/../../%s", exe, rel) < PATH_MAX &&
			    access(path, R_OK) == 0)
				return path;
		}
	}
	return rel;
}

/* ------------------------------------------------------------------ */
/* Hash maps */

static int t_hash_info(void)
{
	struct xdpkit_map_info info;
	int fd = -1, rc = -1;

	CHECK_OK(fd, xdpkit_map_create(XDPKIT_MAP_HASH, 4, 8, 16, BPF_F_NO_PREALLOC, "xk_hash"));
	memset(&info, 0xa5, sizeof(info));
	info.sz = sizeof(info);
	CHECK_RET(xdpkit_map_info(fd, &info), 0);
	CHECK(info.sz == sizeof(info), "sz %zu", info.sz);
	CHECK(info.type == XDPKIT_MAP_HASH, "type %u", info.type);
	CHECK(info.key_size == 4 && info.value_size == 8 && info.max_entries == 16,
	      "sizes %u/%u/%u", info.key_size, info.value_size, info.max_entries);
	CHECK(info.flags == BPF_F_NO_PREALLOC, "flags %#x", info.flags);
	CHECK(info.id != 0, "id 0");
	CHECK(!strcmp(info.name, "xk_hash"), "name \"%.16s\"", info.name);

	/* An older, shorter struct: only the fields it has are written. */
	memset(&info, 0xa5, sizeof(info));
	info.sz = offsetof(struct xdpkit_map_info, key_size);
	CHECK_RET(xdpkit_map_info(fd, &info), 0);
	CHECK(info.type == XDPKIT_MAP_HASH, "short struct: type %u", info.type);
	CHECK(info.key_size == 0xa5a5a5a5u, "short struct: key_size written (%#x)", info.key_size);
	info.sz = 4;
	CHECK_RET(xdpkit_map_info(fd, &info), -EINVAL);
	info.sz = 0;
	CHECK_RET(xdpkit_map_info(fd, &info), -EINVAL);
	CHECK_RET(xdpkit_map_info(fd, NULL), -EINVAL);

	/* Without a name. */
	mclose(&fd);
	CHECK_OK(fd, xdpkit_map_create(XDPKIT_MAP_ARRAY, 4, 4, 1, 0, NULL));
	memset(&info, 0xa5, sizeof(info));
	info.sz = sizeof(info);
	CHECK_RET(xdpkit_map_info(fd, &info), 0);
	CHECK(info.name[0] == '\0', "NULL name gave \"%.16s\"", info.name);
	CHECK(info.type == XDPKIT_MAP_ARRAY, "type %u", info.type);
	rc = 0;
out:
	mclose(&fd);
	return rc;
}

static int t_hash_update_flags(void)
{
	uint32_t k = 1;
	uint64_t v = 0x1111, got = 0;
	int fd = -1, rc = -1;

	CHECK_OK(fd, xdpkit_map_create(XDPKIT_MAP_HASH, 4, 8, 16, 0, "xk_flags"));
	/* EXIST on a missing key, NOEXIST on a present one. */
	CHECK_RET(xdpkit_map_update(fd, &k, 4, &v, 8, XDPKIT_MAP_EXIST), -ENOENT);
	CHECK_RET(xdpkit_map_update(fd, &k, 4, &v, 8, XDPKIT_MAP_NOEXIST), 0);
	v = 0x2222;
	CHECK_RET(xdpkit_map_update(fd, &k, 4, &v, 8, XDPKIT_MAP_NOEXIST), -EEXIST);
	CHECK_RET(xdpkit_map_lookup(fd, &k, 4, &got, 8), 0);
	CHECK(got == 0x1111, "NOEXIST overwrote: %#llx", (unsigned long long)got);
	CHECK_RET(xdpkit_map_update(fd, &k, 4, &v, 8, XDPKIT_MAP_EXIST), 0);
	CHECK_RET(xdpkit_map_lookup(fd, &k, 4, &got, 8), 0);
	CHECK(got == 0x2222, "EXIST did not update: %#llx", (unsigned long long)got);
	v = 0x3333;
	CHECK_RET(xdpkit_map_update(fd, &k, 4, &v, 8, XDPKIT_MAP_ANY), 0);
	k = 2;
	CHECK_RET(xdpkit_map_update(fd, &k, 4, &v, 8, XDPKIT_MAP_ANY), 0);
	/* Unknown flags; BPF_F_LOCK (4) on a map without a spin lock. */
	CHECK_RET(xdpkit_map_update(fd, &k, 4, &v, 8, 99), -EINVAL);
	CHECK_RET(xdpkit_map_update(fd, &k, 4, &v, 8, 4), -EINVAL);
	rc = 0;
out:
	mclose(&fd);
	return rc;
}

static int t_hash_lookup_delete(void)
{
	uint32_t k;
	uint64_t v, got;
	int fd = -1, rc = -1;

	CHECK_OK(fd, xdpkit_map_create(XDPKIT_MAP_HASH, 4, 8, 16, 0, "xk_ld"));
	for (k = 1; k <= 3; k++) {
		v = k * 1000;
		CHECK_RET(xdpkit_map_update(fd, &k, 4, &v, 8, XDPKIT_MAP_ANY), 0);
	}
	k = 2;
	CHECK_RET(xdpkit_map_lookup(fd, &k, 4, &got, 8), 0);
	CHECK(got == 2000, "lookup 2: %llu", (unsigned long long)got);
	k = 9;
	CHECK_RET(xdpkit_map_lookup(fd, &k, 4, &got, 8), -ENOENT);
	k = 1;
	CHECK_RET(xdpkit_map_delete(fd, &k, 4), 0);
	CHECK_RET(xdpkit_map_delete(fd, &k, 4), -ENOENT);
	CHECK_RET(xdpkit_map_lookup(fd, &k, 4, &got, 8), -ENOENT);
	k = 3;
	got = 0;
	CHECK_RET(xdpkit_map_lookup_and_delete(fd, &k, 4, &got, 8), 0);
	CHECK(got == 3000, "lookup_and_delete 3: %llu", (unsigned long long)got);
	CHECK_RET(xdpkit_map_lookup_and_delete(fd, &k, 4, &got, 8), -ENOENT);
	CHECK_RET(xdpkit_map_lookup(fd, &k, 4, &got, 8), -ENOENT);
	k = 2;
	CHECK_RET(xdpkit_map_lookup(fd, &k, 4, &got, 8), 0);
	rc = 0;
out:
	mclose(&fd);
	return rc;
}

static int t_hash_full(void)
{
	uint32_t k;
	uint64_t v = 7;
	int fd = -1, rc = -1;

	CHECK_OK(fd, xdpkit_map_create(XDPKIT_MAP_HASH, 4, 8, 2, 0, "xk_full"));
	k = 1;
	CHECK_RET(xdpkit_map_update(fd, &k, 4, &v, 8, XDPKIT_MAP_ANY), 0);
	k = 2;
	CHECK_RET(xdpkit_map_update(fd, &k, 4, &v, 8, XDPKIT_MAP_ANY), 0);
	k = 3;
	CHECK_RET(xdpkit_map_update(fd, &k, 4, &v, 8, XDPKIT_MAP_ANY), -E2BIG);
	/* Updating a present key still works in a full map. */
	k = 2;
	v = 8;
	CHECK_RET(xdpkit_map_update(fd, &k, 4, &v, 8, XDPKIT_MAP_EXIST), 0);
	rc = 0;
out:
	mclose(&fd);
	return rc;
}

static int t_hash_next_key(void)
{
	uint32_t k, next = 0, seen = 0, n = 0, missing = 999;
	uint64_t v = 1;
	int fd = -1, rc = -1, r;

	CHECK_OK(fd, xdpkit_map_create(XDPKIT_MAP_HASH, 4, 8, 16, 0, "xk_next"));
	CHECK_RET(xdpkit_map_next_key(fd, NULL, &next, 4), -ENOENT); /* empty */
	for (k = 10; k < 15; k++)
		CHECK_RET(xdpkit_map_update(fd, &k, 4, &v, 8, XDPKIT_MAP_ANY), 0);
	r = xdpkit_map_next_key(fd, NULL, &next, 4);
	while (r == 0) {
		CHECK(next >= 10 && next < 15, "key %u was never set", next);
		CHECK(!(seen & (1u << (next - 10))), "key %u seen twice", next);
		seen |= 1u << (next - 10);
		n++;
		CHECK(n <= 5, "more than 5 keys");
		k = next;
		r = xdpkit_map_next_key(fd, &k, &next, 4);
	}
	CHECK_RET(r, -ENOENT);
	CHECK(n == 5 && seen == 0x1f, "iterated %u keys (mask %#x)", n, seen);
	/* A key that is not in the map: the kernel restarts at the first. */
	CHECK_RET(xdpkit_map_next_key(fd, &missing, &next, 4), 0);
	CHECK(next >= 10 && next < 15, "next of a missing key: %u", next);
	rc = 0;
out:
	mclose(&fd);
	return rc;
}

static int t_hash_batch(void)
{
	uint32_t keys[10], vals[10], ko[4], vo[4], seen = 0, total = 0, i;
	struct xdpkit_map_cursor cur;
	int fd = -1, rc = -1, n, calls = 0;
	uint32_t k = 3, v;

	CHECK_OK(fd, xdpkit_map_create(XDPKIT_MAP_HASH, 4, 4, 64, 0, "xk_batch"));
	for (i = 0; i < 10; i++) {
		keys[i] = i;
		vals[i] = i * 10 + 1;
	}
	CHECK_RET(xdpkit_map_update_batch(fd, keys, vals, 10, 4, 4, XDPKIT_MAP_ANY), 10);
	/* The kernel takes no BPF_ANY/NOEXIST/EXIST in a batch update: its
	 * elem_flags may only be BPF_F_LOCK. */
	CHECK_RET(xdpkit_map_update_batch(fd, keys, vals, 10, 4, 4, XDPKIT_MAP_NOEXIST), -EINVAL);
	CHECK_RET(xdpkit_map_update_batch(fd, keys, vals, 10, 4, 4, XDPKIT_MAP_EXIST), -EINVAL);
	CHECK_RET(xdpkit_map_lookup(fd, &k, 4, &v, 4), 0);
	CHECK(v == 31, "batch-updated value of 3: %u", v);

	/* Read it all, 4 at a time, through the cursor. */
	memset(&cur, 0, sizeof(cur));
	while (!cur.ended) {
		CHECK(++calls <= 10, "cursor never ended (%u read)", total);
		CHECK_OK(n, xdpkit_map_lookup_batch(fd, &cur, ko, vo, 4, 4, 4));
		CHECK(n <= 4, "read %d > 4", n);
		CHECK(cur.started, "cursor not started after a call");
		for (i = 0; i < (uint32_t)n; i++) {
			CHECK(ko[i] < 10, "batch key %u", ko[i]);
			CHECK(vo[i] == ko[i] * 10 + 1, "batch value of %u: %u", ko[i], vo[i]);
			CHECK(!(seen & (1u << ko[i])), "key %u read twice", ko[i]);
			seen |= 1u << ko[i];
		}
		total += (uint32_t)n;
	}
	CHECK(total == 10 && seen == 0x3ff, "read %u entries (mask %#x)", total, seen);
	CHECK_RET(xdpkit_map_lookup_batch(fd, &cur, ko, vo, 4, 4, 4), 0); /* after the end */
	CHECK(cur.ended, "ended cleared");

	/* Argument checks. */
	memset(&cur, 0, sizeof(cur));
	CHECK_RET(xdpkit_map_lookup_batch(fd, NULL, ko, vo, 4, 4, 4), -EINVAL);
	CHECK_RET(xdpkit_map_lookup_batch(fd, &cur, ko, vo, 4, 8, 4), -EINVAL);
	CHECK_RET(xdpkit_map_lookup_batch(fd, &cur, ko, vo, 4, 4, 8), -EINVAL);
	CHECK_RET(xdpkit_map_update_batch(fd, keys, vals, 2, 8, 4, 0), -EINVAL);
	CHECK_RET(xdpkit_map_update_batch(fd, keys, vals, 2, 4, 2, 0), -EINVAL);
	CHECK_RET(xdpkit_map_update_batch(fd, NULL, vals, 2, 4, 4, 0), -EINVAL);
	CHECK_RET(xdpkit_map_update_batch(fd, keys, NULL, 2, 4, 4, 0), -EINVAL);
	CHECK_RET(xdpkit_map_delete_batch(fd, NULL, 2, 4), -EINVAL);
	CHECK_RET(xdpkit_map_delete_batch(fd, keys, 2, 2), -EINVAL);
	CHECK_RET(xdpkit_map_update_batch(fd, keys, vals, 0, 4, 4, 0), 0);
	CHECK_RET(xdpkit_map_delete_batch(fd, keys, 0, 4), 0);

	CHECK_RET(xdpkit_map_delete_batch(fd, keys, 10, 4), 10);
	CHECK_RET(xdpkit_map_lookup(fd, &k, 4, &v, 4), -ENOENT);
	CHECK_RET(xdpkit_map_delete_batch(fd, keys, 10, 4), -ENOENT);
	memset(&cur, 0, sizeof(cur));
	CHECK_RET(xdpkit_map_lookup_batch(fd, &cur, ko, vo, 4, 4, 4), 0); /* empty */
	CHECK(cur.ended, "empty map: cursor not ended");
	rc = 0;
out:
	mclose(&fd);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Arrays and per-CPU values */

static int t_array(void)
{
	uint32_t k, next, n = 0;
	uint64_t v, got;
	int fd = -1, rc = -1, r;

	CHECK_OK(fd, xdpkit_map_create(XDPKIT_MAP_ARRAY, 4, 8, 4, 0, "xk_array"));
	k = 2;
	got = 0xdead;
	CHECK_RET(xdpkit_map_lookup(fd, &k, 4, &got, 8), 0); /* elements always exist */
	CHECK(got == 0, "fresh element %#llx", (unsigned long long)got);
	v = 0xabcdef;
	CHECK_RET(xdpkit_map_update(fd, &k, 4, &v, 8, XDPKIT_MAP_EXIST), 0);
	CHECK_RET(xdpkit_map_update(fd, &k, 4, &v, 8, XDPKIT_MAP_NOEXIST), -EEXIST);
	CHECK_RET(xdpkit_map_lookup(fd, &k, 4, &got, 8), 0);
	CHECK(got == 0xabcdef, "element 2: %#llx", (unsigned long long)got);
	k = 4; /* == max_entries */
	CHECK_RET(xdpkit_map_update(fd, &k, 4, &v, 8, XDPKIT_MAP_ANY), -E2BIG);
	CHECK_RET(xdpkit_map_lookup(fd, &k, 4, &got, 8), -ENOENT);
	k = 2;
	CHECK_RET(xdpkit_map_delete(fd, &k, 4), -EINVAL); /* arrays cannot delete */
	r = xdpkit_map_next_key(fd, NULL, &next, 4);
	while (r == 0) {
		CHECK(next == n, "next key %u, want %u", next, n);
		n++;
		CHECK(n <= 4, "more than 4 keys");
		k = next;
		r = xdpkit_map_next_key(fd, &k, &next, 4);
	}
	CHECK_RET(r, -ENOENT);
	CHECK(n == 4, "iterated %u keys", n);
	rc = 0;
out:
	mclose(&fd);
	return rc;
}

static int t_array_batch(void)
{
	uint32_t keys[6] = {0, 1, 2, 3, 4, 5}, vals[6] = {10, 11, 12, 13, 14, 15}, ko[4], vo[4];
	struct xdpkit_map_cursor cur;
	uint32_t total = 0, i;
	int fd = -1, rc = -1, n, calls = 0;

	CHECK_OK(fd, xdpkit_map_create(XDPKIT_MAP_ARRAY, 4, 4, 6, 0, "xk_abatch"));
	CHECK_RET(xdpkit_map_update_batch(fd, keys, vals, 6, 4, 4, XDPKIT_MAP_ANY), 6);
	memset(&cur, 0, sizeof(cur));
	while (!cur.ended) {
		CHECK(++calls <= 10, "cursor never ended");
		CHECK_OK(n, xdpkit_map_lookup_batch(fd, &cur, ko, vo, 4, 4, 4));
		for (i = 0; i < (uint32_t)n; i++) {
			/* Arrays are read in key order. */
			CHECK(ko[i] == total + i && vo[i] == 10 + ko[i], "entry %u: key %u value %u",
			      total + i, ko[i], vo[i]);
		}
		total += (uint32_t)n;
	}
	CHECK(total == 6, "read %u of 6", total);
	rc = 0;
out:
	mclose(&fd);
	return rc;
}

static int t_percpu_value_size(void)
{
	uint64_t *vals = NULL, *got = NULL;
	uint32_t k = 0, i, sz = (uint32_t)(8 * g_ncpus);
	struct xdpkit_map_info info;
	uint8_t *big = NULL;
	int fd = -1, rc = -1;

	vals = calloc((size_t)g_ncpus, 8);
	got = calloc((size_t)g_ncpus, 8);
	big = calloc((size_t)g_ncpus, 16);
	CHECK(vals && got && big, "out of memory");
	/* value_size 4: round_up(4, 8) = 8 bytes per possible CPU. */
	CHECK_OK(fd, xdpkit_map_create(XDPKIT_MAP_PERCPU_ARRAY, 4, 4, 2, 0, "xk_pcpu"));
	memset(&info, 0, sizeof(info));
	info.sz = sizeof(info);
	CHECK_RET(xdpkit_map_info(fd, &info), 0);
	CHECK(info.value_size == 4 && info.type == XDPKIT_MAP_PERCPU_ARRAY, "info: type %u value_size %u",
	      info.type, info.value_size);
	for (i = 0; i < (uint32_t)g_ncpus; i++)
		vals[i] = 0x100 + i;
	CHECK_RET(xdpkit_map_update(fd, &k, 4, vals, 4, XDPKIT_MAP_ANY), -EINVAL);
	CHECK_RET(xdpkit_map_update(fd, &k, 4, vals, sz - 4, XDPKIT_MAP_ANY), -EINVAL);
	CHECK_RET(xdpkit_map_update(fd, &k, 4, vals, sz + 8, XDPKIT_MAP_ANY), -EINVAL);
	CHECK_RET(xdpkit_map_update(fd, &k, 4, vals, sz, XDPKIT_MAP_ANY), 0);
	CHECK_RET(xdpkit_map_lookup(fd, &k, 4, got, 4), -EINVAL);
	CHECK_RET(xdpkit_map_lookup(fd, &k, 4, got, sz), 0);
	for (i = 0; i < (uint32_t)g_ncpus; i++)
		CHECK(got[i] == 0x100 + i, "cpu %u: %#llx", i, (unsigned long long)got[i]);
	mclose(&fd);

	/* value_size 12: 16 bytes per CPU, in a per-CPU hash. */
	CHECK_OK(fd, xdpkit_map_create(XDPKIT_MAP_PERCPU_HASH, 4, 12, 2, 0, "xk_pcpuh"));
	memset(big, 0x5a, (size_t)g_ncpus * 16);
	CHECK_RET(xdpkit_map_update(fd, &k, 4, big, (uint32_t)(12 * g_ncpus), XDPKIT_MAP_ANY), -EINVAL);
	CHECK_RET(xdpkit_map_update(fd, &k, 4, big, (uint32_t)(16 * g_ncpus), XDPKIT_MAP_ANY), 0);
	memset(big, 0, (size_t)g_ncpus * 16);
	CHECK_RET(xdpkit_map_lookup(fd, &k, 4, big, (uint32_t)(16 * g_ncpus)), 0);
	for (i = 0; i < (uint32_t)g_ncpus; i++)
		CHECK(big[i * 16] == 0x5a && big[i * 16 + 11] == 0x5a, "cpu %u: value not read back", i);
	rc = 0;
out:
	mclose(&fd);
	free(vals);
	free(got);
	free(big);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Argument checks */

static int t_wrong_sizes(void)
{
	uint64_t k8 = 1, v = 5, got;
	uint32_t k = 1;
	int fd = -1, rc = -1;

	CHECK_OK(fd, xdpkit_map_create(XDPKIT_MAP_HASH, 4, 8, 4, 0, "xk_sizes"));
	CHECK_RET(xdpkit_map_update(fd, &k, 2, &v, 8, 0), -EINVAL);
	CHECK_RET(xdpkit_map_update(fd, &k8, 8, &v, 8, 0), -EINVAL);
	CHECK_RET(xdpkit_map_update(fd, &k, 4, &v, 4, 0), -EINVAL);
	CHECK_RET(xdpkit_map_update(fd, &k, 4, &v, 0, 0), -EINVAL);
	/* Nothing was written by the failed updates. */
	CHECK_RET(xdpkit_map_lookup(fd, &k, 4, &got, 8), -ENOENT);
	CHECK_RET(xdpkit_map_update(fd, &k, 4, &v, 8, 0), 0);
	CHECK_RET(xdpkit_map_lookup(fd, &k, 4, &got, 7), -EINVAL);
	CHECK_RET(xdpkit_map_lookup(fd, &k, 3, &got, 8), -EINVAL);
	CHECK_RET(xdpkit_map_delete(fd, &k, 5), -EINVAL);
	CHECK_RET(xdpkit_map_lookup_and_delete(fd, &k, 4, &got, 16), -EINVAL);
	CHECK_RET(xdpkit_map_lookup_and_delete(fd, &k8, 8, &got, 8), -EINVAL);
	CHECK_RET(xdpkit_map_next_key(fd, &k8, &k8, 8), -EINVAL);
	CHECK_RET(xdpkit_map_next_key(fd, NULL, &k8, 8), -EINVAL);
	/* The entry survived every failed call. */
	CHECK_RET(xdpkit_map_lookup(fd, &k, 4, &got, 8), 0);
	CHECK(got == 5, "value %llu", (unsigned long long)got);
	rc = 0;
out:
	mclose(&fd);
	return rc;
}

static int t_null_args(void)
{
	uint32_t k = 1, next;
	uint64_t v = 5;
	int fd = -1, rc = -1;

	CHECK_OK(fd, xdpkit_map_create(XDPKIT_MAP_HASH, 4, 8, 4, 0, "xk_null"));
	CHECK_RET(xdpkit_map_update(fd, NULL, 4, &v, 8, 0), -EINVAL);
	CHECK_RET(xdpkit_map_update(fd, NULL, 0, &v, 8, 0), -EINVAL);
	CHECK_RET(xdpkit_map_update(fd, &k, 4, NULL, 8, 0), -EINVAL);
	CHECK_RET(xdpkit_map_lookup(fd, NULL, 4, &v, 8), -EINVAL);
	CHECK_RET(xdpkit_map_lookup(fd, &k, 4, NULL, 8), -EINVAL);
	CHECK_RET(xdpkit_map_delete(fd, NULL, 4), -EINVAL);
	CHECK_RET(xdpkit_map_lookup_and_delete(fd, NULL, 4, &v, 8), -EINVAL);
	CHECK_RET(xdpkit_map_lookup_and_delete(fd, &k, 4, NULL, 8), -EINVAL);
	CHECK_RET(xdpkit_map_next_key(fd, &k, NULL, 4), -EINVAL);
	CHECK_RET(xdpkit_map_update(fd, &k, 4, &v, 8, 0), 0);
	CHECK_RET(xdpkit_map_next_key(fd, NULL, &next, 4), 0); /* NULL key: the first */
	CHECK(next == 1, "first key %u", next);
	CHECK_RET(xdpkit_map_pin(fd, NULL), -EINVAL);
	CHECK_RET(xdpkit_map_unpin(NULL), -EINVAL);
	CHECK_RET(xdpkit_map_open_pinned(NULL), -EINVAL);
	rc = 0;
out:
	mclose(&fd);
	return rc;
}

static int t_create_errors(void)
{
	int rc = -1, fd = -1;

	CHECK_RET(xdpkit_map_create(0, 4, 8, 1, 0, NULL), -EINVAL);             /* no type */
	CHECK_RET(xdpkit_map_create(999, 4, 8, 1, 0, NULL), -EINVAL);           /* unknown type */
	CHECK_RET(xdpkit_map_create(XDPKIT_MAP_HASH, 4, 8, 0, 0, NULL), -EINVAL); /* no entries */
	CHECK_RET(xdpkit_map_create(XDPKIT_MAP_HASH, 0, 8, 1, 0, NULL), -EINVAL); /* keyless hash */
	CHECK_RET(xdpkit_map_create(XDPKIT_MAP_QUEUE, 4, 4, 4, 0, NULL), -EINVAL); /* keyed queue */
	CHECK_RET(xdpkit_map_create(XDPKIT_MAP_ARRAY, 8, 8, 1, 0, NULL), -EINVAL); /* array key != 4 */
	CHECK_RET(xdpkit_map_create(XDPKIT_MAP_XSKMAP, 4, 8, 1, 0, NULL), -EINVAL); /* XSKMAP value != 4 */
	/* A name of 15 characters is the longest; it comes back whole. */
	CHECK_OK(fd, xdpkit_map_create(XDPKIT_MAP_ARRAY, 4, 4, 1, 0, "abcdefghijklmno"));
	rc = 0;
out:
	mclose(&fd);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Ownership: close, foreign fds */

static int t_map_close(void)
{
	uint32_t k = 0, v = 0;
	int fd = -1, other = -1, rc = -1, saved;

	CHECK_OK(fd, xdpkit_map_create(XDPKIT_MAP_ARRAY, 4, 4, 1, 0, "xk_close"));
	saved = fd;
	CHECK_RET(xdpkit_map_close(fd), 0);
	fd = -1;
	CHECK_RET(xdpkit_map_close(saved), -EBADF);
	/* The fd is closed for real: element calls see EBADF. */
	CHECK(fcntl(saved, F_GETFD) < 0 && errno == EBADF, "fd %d still open after close", saved);
	CHECK_RET(xdpkit_map_lookup(saved, &k, 4, &v, 4), -EBADF);
	CHECK_RET(xdpkit_map_close(-1), -EBADF);
	CHECK_RET(xdpkit_map_close(100000), -EBADF);
	/* Not a map the library opened: it stays open. */
	other = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CHECK(other >= 0, "open /dev/null: %s", strerror(errno));
	CHECK_RET(xdpkit_map_close(other), -EBADF);
	CHECK(fcntl(other, F_GETFD) >= 0, "xdpkit_map_close closed a file that is not its map");
	rc = 0;
out:
	if (other >= 0)
		close(other);
	mclose(&fd);
	return rc;
}

static int t_foreign_fd(void)
{
	struct xdpkit_map_info a, b;
	uint32_t k = 0, v = 41, got = 0;
	int fd = -1, dupfd = -1, null = -1, rc = -1;

	CHECK_OK(fd, xdpkit_map_create(XDPKIT_MAP_ARRAY, 4, 4, 2, 0, "xk_foreign"));
	dupfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	CHECK(dupfd >= 0, "dup: %s", strerror(errno));
	/* Element calls take any map fd. */
	CHECK_RET(xdpkit_map_update(dupfd, &k, 4, &v, 4, 0), 0);
	CHECK_RET(xdpkit_map_lookup(fd, &k, 4, &got, 4), 0);
	CHECK(got == 41, "value through the library's fd: %u", got);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.sz = b.sz = sizeof(a);
	CHECK_RET(xdpkit_map_info(fd, &a), 0);
	CHECK_RET(xdpkit_map_info(dupfd, &b), 0);
	CHECK(a.id == b.id && a.id != 0, "ids %u / %u", a.id, b.id);
	/* But only the library's own can be closed by it... */
	CHECK_RET(xdpkit_map_close(dupfd), -EBADF);
	CHECK(fcntl(dupfd, F_GETFD) >= 0, "xdpkit_map_close closed a foreign fd");
	/* ...and the foreign fd was left usable by the calls. */
	CHECK_RET(xdpkit_map_lookup(dupfd, &k, 4, &got, 4), 0);
	/* Not a map at all: no fd, a file. */
	CHECK_RET(xdpkit_map_lookup(-5, &k, 4, &got, 4), -EBADF);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CHECK(null >= 0, "open /dev/null: %s", strerror(errno));
	CHECK_RET(xdpkit_map_lookup(null, &k, 4, &got, 4), -EINVAL);
	rc = 0;
out:
	if (null >= 0)
		close(null);
	if (dupfd >= 0)
		close(dupfd);
	mclose(&fd);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Pinning and opening */

static char g_pin[128];

static int t_pin(void)
{
	struct xdpkit_map_info a, b;
	uint32_t k = 7;
	uint64_t v = 4242, got = 0;
	int fd = -1, fd2 = -1, other = -1, rc = -1;

	snprintf(g_pin, sizeof(g_pin), "/sys/fs/bpf/xdpkit_test_maps_%d", (int)getpid());
	CHECK_OK(fd, xdpkit_map_create(XDPKIT_MAP_HASH, 4, 8, 4, 0, "xk_pin"));
	CHECK_RET(xdpkit_map_update(fd, &k, 4, &v, 8, 0), 0);
	CHECK_RET(xdpkit_map_pin(fd, g_pin), 0);
	CHECK(access(g_pin, F_OK) == 0, "%s does not exist after pin", g_pin);
	/* Another map cannot take the path. */
	CHECK_OK(other, xdpkit_map_create(XDPKIT_MAP_HASH, 4, 8, 4, 0, "xk_pin2"));
	CHECK_RET(xdpkit_map_pin(other, g_pin), -EEXIST);
	/* The pin is the same map. */
	CHECK_OK(fd2, xdpkit_map_open_pinned(g_pin));
	CHECK(fd2 != fd, "open_pinned returned the same fd");
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.sz = b.sz = sizeof(a);
	CHECK_RET(xdpkit_map_info(fd, &a), 0);
	CHECK_RET(xdpkit_map_info(fd2, &b), 0);
	CHECK(a.id == b.id, "ids %u / %u", a.id, b.id);
	CHECK(b.type == XDPKIT_MAP_HASH && b.key_size == 4 && b.value_size == 8 && b.max_entries == 4,
	      "pinned map info %u %u %u %u", b.type, b.key_size, b.value_size, b.max_entries);
	CHECK_RET(xdpkit_map_lookup(fd2, &k, 4, &got, 8), 0);
	CHECK(got == 4242, "value through the pin: %llu", (unsigned long long)got);
	v = 4343;
	k = 8;
	CHECK_RET(xdpkit_map_update(fd2, &k, 4, &v, 8, 0), 0);
	CHECK_RET(xdpkit_map_lookup(fd, &k, 4, &got, 8), 0);
	CHECK(got == 4343, "update through the pin not seen: %llu", (unsigned long long)got);
	CHECK_RET(xdpkit_map_close(fd2), 0);
	fd2 = -1;
	/* Errors. */
	CHECK_RET(xdpkit_map_pin(fd, "/sys/fs/bpf/xdpkit-no-such-dir/x"), -ENOENT);
	CHECK(xdpkit_map_pin(fd, "/tmp/xdpkit_not_bpffs") < 0, "pinned outside bpffs");
	CHECK(access("/tmp/xdpkit_not_bpffs", F_OK) != 0, "a file appeared outside bpffs");
	CHECK_RET(xdpkit_map_open_pinned("/sys/fs/bpf/xdpkit-no-such-pin"), -ENOENT);
	rc = 0;
out:
	mclose(&fd2);
	mclose(&other);
	mclose(&fd);
	return rc;
}

/* Another process opens the pin (fork + exec of this binary). */
static int t_pin_child(void)
{
	char buf[128], exe[PATH_MAX];
	int pfd[2] = {-1, -1}, status, rc = -1;
	ssize_t n, len = 0;
	pid_t pid;

	CHECK(g_pin[0] && access(g_pin, F_OK) == 0, "no pin from the PIN test");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	CHECK(n > 0, "readlink /proc/self/exe: %s", strerror(errno));
	exe[n] = '\0';
	CHECK(pipe2(pfd, O_CLOEXEC) == 0, "pipe: %s", strerror(errno));
	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		/* Only async-signal-safe calls until exec. */
		if (dup2(pfd[1], 1) < 0)
			_exit(126);
		execl(exe, exe, "--pinned-child", g_pin, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	pfd[1] = -1;
	while (len < (ssize_t)sizeof(buf) - 1 && (n = read(pfd[0], buf + len, sizeof(buf) - 1 - (size_t)len)) > 0)
		len += n;
	buf[len] = '\0';
	CHECK(waitpid(pid, &status, 0) == pid, "waitpid: %s", strerror(errno));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x, output \"%s\"", status, buf);
	CHECK(!strcmp(buf, "value 4242\n"), "child printed \"%s\"", buf);
	rc = 0;
out:
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	return rc;
}

static int pinned_child(const char *path)
{
	uint32_t k = 7;
	uint64_t v = 0;
	int fd = xdpkit_map_open_pinned(path), r;

	if (fd < 0) {
		printf("open %s: %s\n", path, xdpkit_last_error());
		return 1;
	}
	r = xdpkit_map_lookup(fd, &k, 4, &v, 8);
	if (r < 0) {
		printf("lookup: %s\n", xdpkit_last_error());
		return 1;
	}
	printf("value %llu\n", (unsigned long long)v);
	return xdpkit_map_close(fd) == 0 ? 0 : 1;
}

static int t_unpin(void)
{
	int rc = -1;

	CHECK(g_pin[0], "no pin from the PIN test");
	CHECK_RET(xdpkit_map_unpin(g_pin), 0);
	CHECK(access(g_pin, F_OK) != 0, "%s still exists", g_pin);
	CHECK_RET(xdpkit_map_unpin(g_pin), -ENOENT);
	CHECK_RET(xdpkit_map_open_pinned(g_pin), -ENOENT);
	rc = 0;
out:
	return rc;
}

static int t_open_id(void)
{
	struct xdpkit_map_info a, b;
	uint32_t k = 1, v = 77, got = 0;
	int fd = -1, fd2 = -1, rc = -1;

	CHECK_OK(fd, xdpkit_map_create(XDPKIT_MAP_ARRAY, 4, 4, 2, 0, "xk_byid"));
	CHECK_RET(xdpkit_map_update(fd, &k, 4, &v, 4, 0), 0);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.sz = b.sz = sizeof(a);
	CHECK_RET(xdpkit_map_info(fd, &a), 0);
	CHECK_OK(fd2, xdpkit_map_open_id(a.id));
	CHECK(fd2 != fd, "same fd");
	CHECK_RET(xdpkit_map_info(fd2, &b), 0);
	CHECK(b.id == a.id && !strcmp(b.name, "xk_byid"), "opened id %u name %.16s", b.id, b.name);
	CHECK_RET(xdpkit_map_lookup(fd2, &k, 4, &got, 4), 0);
	CHECK(got == 77, "value by id %u", got);
	/* Both fds are the library's: both close once. */
	CHECK_RET(xdpkit_map_close(fd2), 0);
	CHECK_RET(xdpkit_map_close(fd2), -EBADF);
	fd2 = -1;
	CHECK_RET(xdpkit_map_lookup(fd, &k, 4, &got, 4), 0);
	CHECK_RET(xdpkit_map_open_id(0), -ENOENT);
	CHECK_RET(xdpkit_map_open_id(0x7ffffff0u), -ENOENT);
	rc = 0;
out:
	mclose(&fd2);
	mclose(&fd);
	return rc;
}

/* ------------------------------------------------------------------ */
/* QUEUE and STACK */

/* Pops everything into out (at most max); returns the count, -1 on error. */
static int pop_all(int fd, uint32_t *out, int max)
{
	uint32_t v;
	int n = 0, r;

	while ((r = xdpkit_queue_pop(fd, &v, 4)) == 0) {
		if (n == max) {
			set_detail("more than %d values", max);
			return -1;
		}
		out[n++] = v;
	}
	if (r != -ENOENT) {
		set_detail("pop = %s", errstr(r));
		return -1;
	}
	return n;
}

static int check_seq(const uint32_t *got, int n, const uint32_t *want, int wn, const char *what)
{
	char g[128] = "", w[128] = "";
	int i, ok = n == wn;

	for (i = 0; i < n; i++) {
		snprintf(g + strlen(g), sizeof(g) - strlen(g), " %u", got[i]);
		if (i < wn && got[i] != want[i])
			ok = 0;
	}
	if (ok)
		return 0;
	for (i = 0; i < wn; i++)
		snprintf(w + strlen(w), sizeof(w) - strlen(w), " %u", want[i]);
	set_detail("%s popped%s, want%s", what, g, w);
	return -1;
}

/* fifo: QUEUE (1 2 3 4 5) or STACK (5 4 3 2 1). */
static int queue_or_stack(uint32_t type, int fifo)
{
	static const uint32_t fifo_want[] = {1, 2, 3, 4, 5}, lifo_want[] = {5, 4, 3, 2, 1};
	static const uint32_t fifo_evict[] = {2, 3, 4, 5, 6}, lifo_evict[] = {6, 5, 4, 3, 2};
	uint32_t v, got[8];
	int fd = -1, rc = -1, n;

	CHECK_OK(fd, xdpkit_map_create(type, 0, 4, 5, 0, fifo ? "xk_queue" : "xk_stack"));
	CHECK_RET(xdpkit_queue_peek(fd, &v, 4), -ENOENT);
	CHECK_RET(xdpkit_queue_pop(fd, &v, 4), -ENOENT);
	for (v = 1; v <= 5; v++)
		CHECK_RET(xdpkit_queue_push(fd, &v, 4, XDPKIT_MAP_ANY), 0);
	v = 6;
	CHECK_RET(xdpkit_queue_push(fd, &v, 4, XDPKIT_MAP_ANY), -E2BIG);
	CHECK_RET(xdpkit_queue_peek(fd, &v, 4), 0);
	CHECK(v == (fifo ? 1u : 5u), "peek %u", v);
	CHECK_RET(xdpkit_queue_peek(fd, &v, 4), 0); /* peek does not remove */
	CHECK(v == (fifo ? 1u : 5u), "second peek %u", v);
	n = pop_all(fd, got, 8);
	if (n < 0 || check_seq(got, n, fifo ? fifo_want : lifo_want, 5, fifo ? "QUEUE" : "STACK"))
		goto out;
	CHECK_RET(xdpkit_queue_pop(fd, &v, 4), -ENOENT);
	CHECK_RET(xdpkit_queue_peek(fd, &v, 4), -ENOENT);

	/* XDPKIT_MAP_EXIST on a full map drops the oldest value (1). */
	for (v = 1; v <= 5; v++)
		CHECK_RET(xdpkit_queue_push(fd, &v, 4, XDPKIT_MAP_ANY), 0);
	v = 6;
	CHECK_RET(xdpkit_queue_push(fd, &v, 4, XDPKIT_MAP_EXIST), 0);
	n = pop_all(fd, got, 8);
	if (n < 0 || check_seq(got, n, fifo ? fifo_evict : lifo_evict, 5,
			       fifo ? "QUEUE after eviction" : "STACK after eviction"))
		goto out;

	/* The generic element calls do the same with a NULL key. */
	v = 9;
	CHECK_RET(xdpkit_map_update(fd, NULL, 0, &v, 4, XDPKIT_MAP_ANY), 0);
	v = 0;
	CHECK_RET(xdpkit_map_lookup(fd, NULL, 0, &v, 4), 0);
	CHECK(v == 9, "map_lookup (peek) %u", v);
	CHECK_RET(xdpkit_map_lookup_and_delete(fd, NULL, 0, &v, 4), 0);
	CHECK(v == 9, "map_lookup_and_delete (pop) %u", v);
	CHECK_RET(xdpkit_map_lookup_and_delete(fd, NULL, 0, &v, 4), -ENOENT);
	rc = 0;
out:
	mclose(&fd);
	return rc;
}

static int t_queue(void) { return queue_or_stack(XDPKIT_MAP_QUEUE, 1); }
static int t_stack(void) { return queue_or_stack(XDPKIT_MAP_STACK, 0); }

static int t_queue_errors(void)
{
	uint64_t v8 = 1;
	uint32_t v = 1;
	int q = -1, h = -1, rc = -1;

	CHECK_OK(q, xdpkit_map_create(XDPKIT_MAP_QUEUE, 0, 4, 2, 0, "xk_qerr"));
	CHECK_OK(h, xdpkit_map_create(XDPKIT_MAP_HASH, 4, 4, 2, 0, "xk_qerrh"));
	CHECK_RET(xdpkit_queue_push(q, &v, 4, XDPKIT_MAP_NOEXIST), -EINVAL);
	CHECK_RET(xdpkit_queue_push(q, &v8, 8, 0), -EINVAL);
	CHECK_RET(xdpkit_queue_push(q, NULL, 4, 0), -EINVAL);
	CHECK_RET(xdpkit_queue_push(q, &v, 0, 0), -EINVAL);
	CHECK_RET(xdpkit_queue_peek(q, NULL, 4), -EINVAL);
	CHECK_RET(xdpkit_queue_pop(q, &v8, 8), -EINVAL);
	CHECK_RET(xdpkit_queue_push(h, &v, 4, 0), -EINVAL); /* not a QUEUE/STACK */
	CHECK_RET(xdpkit_queue_pop(h, &v, 4), -EINVAL);
	CHECK_RET(xdpkit_queue_peek(h, &v, 4), -EINVAL);
	CHECK_RET(xdpkit_queue_push(-1, &v, 4, 0), -EBADF);
	CHECK_RET(xdpkit_map_next_key(q, NULL, &v, 0), -EINVAL); /* keyless */
	rc = 0;
out:
	mclose(&q);
	mclose(&h);
	return rc;
}

/* ------------------------------------------------------------------ */
/* CPUMAP, DEVMAP, XSKMAP without sockets */

static int t_cpumap(void)
{
	struct xdpkit_map_info info;
	uint32_t qsize = 0, id = 77;
	int fd = -1, fd4 = -1, h = -1, rc = -1;

	/* max_entries is clamped to the possible CPUs (cilium/ebpf does it). */
	CHECK_OK(fd, xdpkit_map_create(XDPKIT_MAP_CPUMAP, 4, 8, 64, 0, "xk_cpumap"));
	memset(&info, 0, sizeof(info));
	info.sz = sizeof(info);
	CHECK_RET(xdpkit_map_info(fd, &info), 0);
	CHECK(info.max_entries == (uint32_t)g_ncpus, "CPUMAP of 64 entries has %u (%d CPUs)", info.max_entries,
	      g_ncpus);
	CHECK_RET(xdpkit_cpumap_get(fd, 0, &qsize, &id), -ENOENT);
	CHECK_RET(xdpkit_cpumap_set(fd, 0, 192, 0), 0);
	CHECK_RET(xdpkit_cpumap_get(fd, 0, &qsize, &id), 0);
	CHECK(qsize == 192 && id == 0, "cpu 0: qsize %u prog id %u", qsize, id);
	CHECK_RET(xdpkit_cpumap_get(fd, 0, NULL, NULL), 0);
	CHECK_RET(xdpkit_cpumap_set(fd, (uint32_t)g_ncpus - 1, 64, -1), 0); /* fd <= 0: no program */
	CHECK_RET(xdpkit_cpumap_get(fd, (uint32_t)g_ncpus - 1, &qsize, NULL), 0);
	CHECK(qsize == 64, "last cpu: qsize %u", qsize);
	CHECK_RET(xdpkit_cpumap_set(fd, 0, 16385, 0), -EOVERFLOW); /* the kernel's limit is 16384 */
	CHECK_RET(xdpkit_cpumap_set(fd, (uint32_t)g_ncpus, 64, 0), -E2BIG);
	CHECK_RET(xdpkit_cpumap_get(fd, (uint32_t)g_ncpus, &qsize, &id), -ENOENT);
	/* qsize 0 removes the entry. */
	CHECK_RET(xdpkit_cpumap_set(fd, 0, 0, 0), 0);
	CHECK_RET(xdpkit_cpumap_get(fd, 0, &qsize, &id), -ENOENT);
	/* 4-byte values (qsize only) have no room for a program. */
	CHECK_OK(fd4, xdpkit_map_create(XDPKIT_MAP_CPUMAP, 4, 4, 1, 0, "xk_cpumap4"));
	CHECK_RET(xdpkit_cpumap_set(fd4, 0, 32, 0), 0);
	CHECK_RET(xdpkit_cpumap_get(fd4, 0, &qsize, &id), 0);
	CHECK(qsize == 32 && id == 0, "4-byte CPUMAP: qsize %u prog id %u", qsize, id);
	CHECK_RET(xdpkit_cpumap_set(fd4, 0, 32, 3), -EINVAL);
	/* Not a CPUMAP. */
	CHECK_OK(h, xdpkit_map_create(XDPKIT_MAP_ARRAY, 4, 8, 1, 0, "xk_notcpu"));
	CHECK_RET(xdpkit_cpumap_set(h, 0, 32, 0), -EINVAL);
	CHECK_RET(xdpkit_cpumap_get(h, 0, &qsize, &id), -EINVAL);
	CHECK_RET(xdpkit_cpumap_set(-1, 0, 32, 0), -EBADF);
	rc = 0;
out:
	mclose(&fd);
	mclose(&fd4);
	mclose(&h);
	return rc;
}

static int t_cpumap_prog(void)
{
	struct xdpkit_prog *count = NULL, *rr = NULL;
	uint32_t qsize = 0, id = 0;
	int fd = -1, rc = -1, pid;

	CHECK_OK(fd, xdpkit_map_create(XDPKIT_MAP_CPUMAP, 4, 8, (uint32_t)g_ncpus, 0, "xk_cpumapp"));
	/* By section name: "xdp/cpumap" loads for BPF_XDP_CPUMAP. */
	CHECK_RET(xdpkit_prog_load_file(&count, obj(OBJ_CPUMAP), "xdp/cpumap"), 0);
	CHECK_OK(pid, xdpkit_prog_id(count));
	CHECK_RET(xdpkit_cpumap_set(fd, 0, 256, xdpkit_prog_fd(count)), 0);
	CHECK_RET(xdpkit_cpumap_get(fd, 0, &qsize, &id), 0);
	CHECK(qsize == 256 && id == (uint32_t)pid, "qsize %u prog id %u, want 256 and %d", qsize, id, pid);
	/* A plain XDP program is refused; the kernel reports -ENOMEM for it
	 * (__cpu_map_entry_alloc fails and cpu_map_update_elem says ENOMEM). */
	CHECK_RET(xdpkit_prog_load_file(&rr, obj(OBJ_CPUMAP), "xdpkit_cpumap_rr"), 0);
	CHECK_RET(xdpkit_cpumap_set(fd, 0, 256, xdpkit_prog_fd(rr)), -ENOMEM);
	/* The entry kept its program. */
	CHECK_RET(xdpkit_cpumap_get(fd, 0, &qsize, &id), 0);
	CHECK(id == (uint32_t)pid, "prog id %u after a refused update", id);
	/* The entry holds the program: it outlives the handle. */
	CHECK_RET(xdpkit_prog_delete(count), 0);
	count = NULL;
	CHECK_RET(xdpkit_cpumap_get(fd, 0, &qsize, &id), 0);
	CHECK(id == (uint32_t)pid, "prog id %u after prog_delete", id);
	rc = 0;
out:
	pdelete(&count);
	pdelete(&rr);
	mclose(&fd);
	return rc;
}

static int devmap_common(uint32_t type, uint32_t key, uint32_t max)
{
	uint32_t ifindex = 0, id = 77, lo;
	int fd = -1, c = -1, rc = -1, r;

	CHECK_OK(r, xdpkit_if_index("lo"));
	lo = (uint32_t)r;
	CHECK_OK(fd, xdpkit_map_create(type, 4, 8, max, 0, "xk_devmap"));
	CHECK_RET(xdpkit_devmap_get(fd, key, &ifindex, &id), -ENOENT);
	CHECK_RET(xdpkit_devmap_set(fd, key, lo, 0), 0);
	CHECK_RET(xdpkit_devmap_get(fd, key, &ifindex, &id), 0);
	CHECK(ifindex == lo && id == 0, "key %u: ifindex %u prog id %u, want %u and 0", key, ifindex, id, lo);
	CHECK_RET(xdpkit_devmap_get(fd, key, NULL, NULL), 0);
	CHECK_RET(xdpkit_devmap_set(fd, key + 1, 0x7ffffff0u, 0), -EINVAL); /* no such device */
	CHECK_RET(xdpkit_devmap_get(fd, key + 1, &ifindex, &id), -ENOENT);
	CHECK_RET(xdpkit_map_delete(fd, &key, 4), 0);
	CHECK_RET(xdpkit_devmap_get(fd, key, &ifindex, &id), -ENOENT);
	/* Not a DEVMAP. */
	CHECK_OK(c, xdpkit_map_create(XDPKIT_MAP_CPUMAP, 4, 8, 1, 0, "xk_notdev"));
	CHECK_RET(xdpkit_devmap_set(c, 0, lo, 0), -EINVAL);
	CHECK_RET(xdpkit_devmap_get(c, 0, &ifindex, &id), -EINVAL);
	rc = 0;
out:
	mclose(&fd);
	mclose(&c);
	return rc;
}

static int t_devmap(void)
{
	uint32_t lo, ifindex = 0;
	int fd = -1, rc = -1, r;

	if (devmap_common(XDPKIT_MAP_DEVMAP, 2, 4))
		return -1;
	CHECK_OK(r, xdpkit_if_index("lo"));
	lo = (uint32_t)r;
	CHECK_OK(fd, xdpkit_map_create(XDPKIT_MAP_DEVMAP, 4, 4, 4, 0, "xk_devmap4"));
	CHECK_RET(xdpkit_devmap_set(fd, 4, lo, 0), -E2BIG); /* key == max_entries */
	CHECK_RET(xdpkit_devmap_set(fd, 0, lo, 0), 0);      /* 4-byte values: ifindex only */
	CHECK_RET(xdpkit_devmap_get(fd, 0, &ifindex, NULL), 0);
	CHECK(ifindex == lo, "ifindex %u", ifindex);
	CHECK_RET(xdpkit_devmap_set(fd, 0, lo, 3), -EINVAL); /* no room for a program */
	rc = 0;
out:
	mclose(&fd);
	return rc;
}

static int t_devmap_hash(void)
{
	return devmap_common(XDPKIT_MAP_DEVMAP_HASH, 1000, 4);
}

static int t_xskmap_no_socket(void)
{
	unsigned char forged[512];
	uint32_t k = 0, v = 0, next = 99;
	int fd = -1, h = -1, udp = -1, rc = -1;

	CHECK_OK(fd, xdpkit_map_create(XDPKIT_MAP_XSKMAP, 4, 4, 4, 0, "xk_xskmap"));
	/* User space cannot read XSKMAP entries on this kernel. */
	CHECK_RET(xdpkit_map_lookup(fd, &k, 4, &v, 4), -EOPNOTSUPP);
	/* Clearing an empty slot succeeds; a slot past the end does not. */
	CHECK_RET(xdpkit_xskmap_clear(fd, 0), 0);
	CHECK_RET(xdpkit_xskmap_clear(fd, 4), -EINVAL);
	/* next_key walks slots, set or not. */
	CHECK_RET(xdpkit_map_next_key(fd, NULL, &next, 4), 0);
	CHECK(next == 0, "first key %u", next);
	/* Only AF_XDP sockets go in. */
	udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(udp >= 0, "socket: %s", strerror(errno));
	v = (uint32_t)udp;
	CHECK_RET(xdpkit_map_update(fd, &k, 4, &v, 4, 0), -EOPNOTSUPP);
	/* Bad handles. */
	CHECK_RET(xdpkit_xskmap_set(fd, 0, NULL), -EINVAL);
	memset(forged, 0, sizeof(forged));
	*(uint32_t *)(void *)forged = MAGIC_SOCK;
	CHECK_RET(xdpkit_xskmap_set(fd, 0, (struct xdpkit_socket *)(void *)forged), -EBADF);
	CHECK_RET(xdpkit_socket_update_xskmap(NULL, fd), -EINVAL);
	CHECK_RET(xdpkit_socket_update_xskmap((struct xdpkit_socket *)(void *)forged, fd), -EBADF);
	/* Not an XSKMAP. */
	CHECK_OK(h, xdpkit_map_create(XDPKIT_MAP_HASH, 4, 4, 4, 0, "xk_notxsk"));
	CHECK_RET(xdpkit_xskmap_clear(h, 0), -EINVAL);
	rc = 0;
out:
	if (udp >= 0)
		close(udp);
	mclose(&fd);
	mclose(&h);
	return rc;
}

/* ENOTSUPP (524) is the kernel's internal errno for "this map type has no
 * such operation" and leaks out of bpf(2); the header promises
 * -EOPNOTSUPP for batch calls a map type does not support, and a negative
 * errno (a userspace one) everywhere. */
static int t_enotsupp(void)
{
	uint32_t keys[1] = {0}, vals[2] = {0, 0}, v;
	struct xdpkit_map_cursor cur;
	int c = -1, a = -1, rc = -1;

	CHECK_OK(c, xdpkit_map_create(XDPKIT_MAP_CPUMAP, 4, 8, 1, 0, "xk_nobatch"));
	memset(&cur, 0, sizeof(cur));
	CHECK_RET(xdpkit_map_lookup_batch(c, &cur, keys, vals, 1, 4, 8), -EOPNOTSUPP);
	CHECK_RET(xdpkit_map_update_batch(c, keys, vals, 1, 4, 8, 0), -EOPNOTSUPP);
	CHECK_RET(xdpkit_map_delete_batch(c, keys, 1, 4), -EOPNOTSUPP);
	CHECK_OK(a, xdpkit_map_create(XDPKIT_MAP_ARRAY, 4, 4, 1, 0, "xk_nodel"));
	CHECK_RET(xdpkit_map_delete_batch(a, keys, 1, 4), -EOPNOTSUPP);
	CHECK_RET(xdpkit_map_lookup_and_delete(a, keys, 4, &v, 4), -EOPNOTSUPP);
	rc = 0;
out:
	mclose(&c);
	mclose(&a);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Programs */

static int t_prog_load_names(void)
{
	struct xdpkit_prog *a = NULL, *b = NULL, *c = NULL, *d = NULL;
	int rc = -1, ida, idb, fd;

	/* By function name and by section name. */
	CHECK_RET(xdpkit_prog_load_file(&a, obj(OBJ_CPUMAP), "xdpkit_cpumap_rr"), 0);
	CHECK(a != NULL, "NULL handle");
	CHECK_OK(fd, xdpkit_prog_fd(a));
	CHECK(fd > 2, "prog fd %d", fd);
	CHECK_OK(ida, xdpkit_prog_id(a));
	CHECK(ida > 0, "prog id %d", ida);
	CHECK_RET(xdpkit_prog_load_file(&b, obj(OBJ_CPUMAP), "xdp"), 0); /* section of xdpkit_cpumap_rr */
	CHECK_OK(idb, xdpkit_prog_id(b));
	CHECK(idb != ida, "two loads, one id %d", ida);
	CHECK_RET(xdpkit_prog_load_file(&c, obj(OBJ_REDIRECT), "xdp.frags"), 0);
	/* NULL: the object's only XDP program. */
	CHECK_RET(xdpkit_prog_load_file(&d, obj(OBJ_QS), NULL), 0);
	rc = 0;
out:
	pdelete(&a);
	pdelete(&b);
	pdelete(&c);
	pdelete(&d);
	return rc;
}

static int t_prog_load_errors(void)
{
	struct xdpkit_prog *p = (struct xdpkit_prog *)(uintptr_t)1;
	int rc = -1;

	CHECK_RET(xdpkit_prog_load_file(&p, obj(OBJ_CPUMAP), "no_such_program"), -ENOENT);
	CHECK(p == NULL, "*out not NULL after a failure");
	/* Two XDP programs and no name. */
	CHECK_RET(xdpkit_prog_load_file(&p, obj(OBJ_CPUMAP), NULL), -EINVAL);
	CHECK_RET(xdpkit_prog_load_file(&p, "/nonexistent/xdpkit.o", "xdp"), -ENOENT);
	CHECK_RET(xdpkit_prog_load_file(&p, NULL, "xdp"), -EINVAL);
	CHECK_RET(xdpkit_prog_load_file(NULL, obj(OBJ_QS), NULL), -EINVAL);
	CHECK(xdpkit_prog_load_file(&p, "/proc/self/cmdline", NULL) < 0, "loaded a non-ELF file");
	CHECK(p == NULL, "*out not NULL after a failure");
	CHECK_RET(xdpkit_prog_load_default(NULL, 1), -EINVAL);
	CHECK_RET(xdpkit_prog_fd(NULL), -EINVAL);
	CHECK_RET(xdpkit_prog_id(NULL), -EINVAL);
	CHECK_RET(xdpkit_prog_map_fd(NULL, "xsks_map"), -EINVAL);
	CHECK_RET(xdpkit_prog_delete(NULL), -EINVAL);
	CHECK_RET(xdpkit_link_mode(NULL), -EINVAL);
	CHECK_RET(xdpkit_link_detach(NULL), -EINVAL);
	rc = 0;
out:
	if (p && p != (struct xdpkit_prog *)(uintptr_t)1)
		xdpkit_prog_delete(p);
	return rc;
}

static int t_prog_map_fd(void)
{
	struct xdpkit_prog *p = NULL;
	struct xdpkit_map_info info;
	uint32_t k = 0, v = 3, got = 0;
	int rc = -1, fd, fd2;

	CHECK_RET(xdpkit_prog_load_file(&p, obj(OBJ_CPUMAP), "xdpkit_cpumap_rr"), 0);
	CHECK_OK(fd, xdpkit_prog_map_fd(p, "cpus_count"));
	CHECK_OK(fd2, xdpkit_prog_map_fd(p, "cpus_count"));
	CHECK(fd == fd2, "the same map twice: fds %d and %d", fd, fd2);
	memset(&info, 0, sizeof(info));
	info.sz = sizeof(info);
	CHECK_RET(xdpkit_map_info(fd, &info), 0);
	CHECK(info.type == XDPKIT_MAP_ARRAY && info.max_entries == 1 && !strcmp(info.name, "cpus_count"),
	      "cpus_count: type %u max %u name %.16s", info.type, info.max_entries, info.name);
	CHECK_RET(xdpkit_map_update(fd, &k, 4, &v, 4, 0), 0);
	CHECK_RET(xdpkit_map_lookup(fd, &k, 4, &got, 4), 0);
	CHECK(got == 3, "value %u", got);
	/* The object's CPUMAP is clamped to the possible CPUs too. */
	CHECK_OK(fd2, xdpkit_prog_map_fd(p, "cpu_map"));
	CHECK_RET(xdpkit_map_info(fd2, &info), 0);
	CHECK(info.type == XDPKIT_MAP_CPUMAP && info.max_entries == (uint32_t)g_ncpus,
	      "cpu_map: type %u max_entries %u", info.type, info.max_entries);
	CHECK_RET(xdpkit_prog_map_fd(p, "no_such_map"), -ENOENT);
	CHECK_RET(xdpkit_prog_map_fd(p, NULL), -EINVAL);
	/* The map belongs to the program, not to xdpkit_map_close. */
	CHECK_RET(xdpkit_map_close(fd), -EBADF);
	CHECK(fcntl(fd, F_GETFD) >= 0, "xdpkit_map_close closed the program's map");
	CHECK_RET(xdpkit_prog_delete(p), 0);
	/* ...and goes with it. */
	CHECK(fcntl(fd, F_GETFD) < 0, "map fd %d still open after prog_delete", fd);
	CHECK_RET(xdpkit_prog_map_fd(p, "cpus_count"), -EBADF);
	p = NULL;
	rc = 0;
out:
	pdelete(&p);
	return rc;
}

static int t_prog_default(void)
{
	struct xdpkit_prog *p = NULL;
	struct xdpkit_map_info info;
	int rc = -1, fd;

	CHECK_RET(xdpkit_prog_load_default(&p, 3), 0);
	CHECK_OK(fd, xdpkit_prog_map_fd(p, "xsks_map"));
	memset(&info, 0, sizeof(info));
	info.sz = sizeof(info);
	CHECK_RET(xdpkit_map_info(fd, &info), 0);
	CHECK(info.type == XDPKIT_MAP_XSKMAP && info.max_entries == 3 && info.key_size == 4 && info.value_size == 4,
	      "xsks_map: type %u max %u sizes %u/%u", info.type, info.max_entries, info.key_size, info.value_size);
	CHECK(xdpkit_prog_id(p) > 0, "prog id %d", xdpkit_prog_id(p));
	CHECK_RET(xdpkit_prog_delete(p), 0);
	p = NULL;
	/* max_queues 0 means 1. */
	CHECK_RET(xdpkit_prog_load_default(&p, 0), 0);
	CHECK_OK(fd, xdpkit_prog_map_fd(p, "xsks_map"));
	CHECK_RET(xdpkit_map_info(fd, &info), 0);
	CHECK(info.max_entries == 1, "max_queues 0: %u entries", info.max_entries);
	rc = 0;
out:
	pdelete(&p);
	return rc;
}

static int t_prog_delete_twice(void)
{
	struct xdpkit_prog *p = NULL;
	int rc = -1;

	CHECK_RET(xdpkit_prog_load_file(&p, obj(OBJ_QS), "xdpkit_queue_stack"), 0);
	CHECK_RET(xdpkit_prog_delete(p), 0);
	CHECK_RET(xdpkit_prog_delete(p), -EBADF);
	CHECK_RET(xdpkit_prog_fd(p), -EBADF);
	CHECK_RET(xdpkit_prog_id(p), -EBADF);
	rc = 0;
out:
	return rc;
}

/* ------------------------------------------------------------------ */
/* Traffic: the peer sends, an observer sees what reaches our stack. */

/* An Ethernet/IPv4/UDP frame of len bytes from the peer to us, its payload
 * "XKMAPS!!", tag, seq. */
static uint32_t build_frame(uint8_t *p, uint32_t len, uint32_t tag, uint32_t seq)
{
	uint8_t *ip = p + 14, *udp = ip + 20, *pl = udp + 8;
	uint32_t sum = 0, i;

	memset(p, 0, len);
	memcpy(p, g_mac, 6);
	memcpy(p + 6, g_peer_mac, 6);
	put16(p + 12, ETHERTYPE_IP);
	ip[0] = 0x45;
	put16(ip + 2, len - 14);
	put16(ip + 4, seq);
	put16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	put32(ip + 12, 0x0a4d0002); /* 10.77.0.2 */
	put32(ip + 16, 0x0a4d0001); /* 10.77.0.1 */
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)ip[i] << 8 | ip[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(ip + 10, ~sum & 0xffff);
	put16(udp, 40100);
	put16(udp + 2, 9); /* discard */
	put16(udp + 4, len - 34);
	memcpy(pl, "XKMAPS!!", 8);
	put32(pl + 8, tag);
	put32(pl + 12, seq);
	return len;
}

/* The seq of a frame of this tag, or -1. */
static int frame_seq(const uint8_t *p, uint32_t len, uint32_t tag)
{
	if (len < PAYLOAD_OFF + 16 || memcmp(p + PAYLOAD_OFF, "XKMAPS!!", 8) || get32(p + PAYLOAD_OFF + 8) != tag)
		return -1;
	return (int)get32(p + PAYLOAD_OFF + 12);
}

/* Sends n frames of this tag, of lengths len0, len0 + step, ... */
static int send_frames(uint32_t tag, uint32_t n, uint32_t len0, uint32_t step)
{
	uint8_t frame[2048];
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (peer_send(g_peer_fd, frame, build_frame(frame, len0 + i * step, tag, i)))
			return -1;
	}
	return 0;
}

/* Counts the frames of tag the observer sees within ms. */
static uint32_t observe(uint32_t tag, uint32_t want, int ms)
{
	uint8_t buf[2048];
	long long deadline = now_ms() + ms;
	uint32_t n = 0;
	ssize_t len;

	while (n < want && now_ms() < deadline) {
		struct pollfd pfd = { g_obs_fd, POLLIN, 0 };

		if (poll(&pfd, 1, 20) <= 0)
			continue;
		while ((len = recv(g_obs_fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
			if (frame_seq(buf, (uint32_t)len, tag) >= 0)
				n++;
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* Attaching */

/* Attaches the QUEUE/STACK program in mode, sends frames of 3 lengths
 * and checks the program saw them in order. */
static int attach_traffic(uint32_t mode)
{
	static const uint32_t lens[3] = {111, 222, 333};
	struct xdpkit_prog *p = NULL;
	struct xdpkit_link *l = NULL;
	uint32_t got[64], mine[8], tag = ++g_tag;
	int q, s, n, i, m = 0, rc = -1;

	CHECK_RET(xdpkit_prog_load_file(&p, obj(OBJ_QS), "xdpkit_queue_stack"), 0);
	CHECK_OK(q, xdpkit_prog_map_fd(p, "len_queue"));
	CHECK_OK(s, xdpkit_prog_map_fd(p, "len_stack"));
	CHECK_RET(xdpkit_prog_attach(p, g_if, mode, &l), 0);
	CHECK(l != NULL, "NULL link");
	CHECK_RET(xdpkit_link_mode(l), mode);
	drain(g_obs_fd);
	if (send_frames(tag, 3, 111, 111))
		goto out;
	/* The program passes them on to the stack. */
	CHECK(observe(tag, 3, WAIT_MS) == 3, "the stack did not get the 3 frames");
	CHECK_RET(xdpkit_link_detach(l), 0);
	l = NULL;

	/* Other frames may be in the maps too: keep those of our lengths. */
	n = pop_all(q, got, 64);
	if (n < 0)
		goto out;
	for (i = 0; i < n; i++)
		if ((got[i] == 111 || got[i] == 222 || got[i] == 333) && m < 8)
			mine[m++] = got[i];
	if (check_seq(mine, m, lens, 3, "len_queue"))
		goto out;
	n = pop_all(s, got, 64);
	if (n < 0)
		goto out;
	for (m = 0, i = 0; i < n; i++)
		if ((got[i] == 111 || got[i] == 222 || got[i] == 333) && m < 8)
			mine[m++] = got[i];
	{
		static const uint32_t rev[3] = {333, 222, 111};

		if (check_seq(mine, m, rev, 3, "len_stack"))
			goto out;
	}
	rc = 0;
out:
	ldetach(&l);
	pdelete(&p);
	return rc;
}

static int t_attach_skb(void) { return attach_traffic(XDPKIT_XDP_FLAGS_SKB_MODE); }
static int t_attach_drv(void) { return attach_traffic(XDPKIT_XDP_FLAGS_DRV_MODE); }

static int t_attach_errors(void)
{
	struct xdpkit_prog *p = NULL, *p2 = NULL, *cpu = NULL;
	struct xdpkit_link *l = NULL, *l2 = (struct xdpkit_link *)(uintptr_t)1;
	int rc = -1, mode;

	CHECK_RET(xdpkit_prog_load_file(&p, obj(OBJ_QS), NULL), 0);
	CHECK_RET(xdpkit_prog_load_file(&p2, obj(OBJ_REDIRECT), "xdpkit_redirect"), 0);
	CHECK_RET(xdpkit_prog_attach(p, "xdpkit-nodev0", XDPKIT_XDP_FLAGS_SKB_MODE, &l2), -ENODEV);
	CHECK(l2 == NULL, "*out not NULL after a failure");
	CHECK_RET(xdpkit_prog_attach(p, NULL, XDPKIT_XDP_FLAGS_SKB_MODE, &l2), -EINVAL);
	CHECK_RET(xdpkit_prog_attach(p, g_if, XDPKIT_XDP_FLAGS_SKB_MODE, NULL), -EINVAL);
	CHECK_RET(xdpkit_prog_attach(p, g_if, XDPKIT_XDP_FLAGS_SKB_MODE | XDPKIT_XDP_FLAGS_DRV_MODE, &l2), -EINVAL);
	CHECK_RET(xdpkit_prog_attach(p, g_if, 0x100, &l2), -EINVAL);
	CHECK_RET(xdpkit_prog_attach(p, g_if, XDPKIT_XDP_FLAGS_HW_MODE, &l2), -EINVAL); /* veth: no offload */
	/* A CPUMAP program cannot go on a device. */
	CHECK_RET(xdpkit_prog_load_file(&cpu, obj(OBJ_CPUMAP), "xdpkit_cpumap_count"), 0);
	CHECK_RET(xdpkit_prog_attach(cpu, g_if, XDPKIT_XDP_FLAGS_SKB_MODE, &l2), -EINVAL);

	/* One link per mode; generic and native exclude each other. */
	CHECK_RET(xdpkit_prog_attach(p, g_if, XDPKIT_XDP_FLAGS_SKB_MODE, &l), 0);
	CHECK_RET(xdpkit_prog_attach(p2, g_if, XDPKIT_XDP_FLAGS_SKB_MODE, &l2), -EBUSY);
	CHECK_RET(xdpkit_prog_attach(p2, g_if, XDPKIT_XDP_FLAGS_DRV_MODE, &l2), -EEXIST);
	CHECK_RET(xdpkit_link_detach(l), 0);
	l = NULL;

	/* Auto mode: native on veth. */
	CHECK_RET(xdpkit_prog_attach(p, g_if, 0, &l), 0);
	CHECK_OK(mode, xdpkit_link_mode(l));
	CHECK(mode == XDPKIT_XDP_FLAGS_DRV_MODE, "auto mode attached in %d", mode);
	/* Deleting the program leaves the link (and the program) in place. */
	CHECK_RET(xdpkit_prog_delete(p), 0);
	p = NULL;
	CHECK_RET(xdpkit_link_mode(l), XDPKIT_XDP_FLAGS_DRV_MODE);
	CHECK_RET(xdpkit_prog_attach(p2, g_if, XDPKIT_XDP_FLAGS_DRV_MODE, &l2), -EBUSY);
	CHECK_RET(xdpkit_link_detach(l), 0);
	l = NULL;
	rc = 0;
out:
	ldetach(&l);
	pdelete(&p);
	pdelete(&p2);
	pdelete(&cpu);
	return rc;
}

static int t_detach_twice(void)
{
	struct xdpkit_prog *p = NULL;
	struct xdpkit_link *l = NULL, *l2 = NULL;
	int rc = -1;

	CHECK_RET(xdpkit_prog_load_file(&p, obj(OBJ_QS), NULL), 0);
	CHECK_RET(xdpkit_prog_attach(p, g_if, XDPKIT_XDP_FLAGS_SKB_MODE, &l), 0);
	CHECK_RET(xdpkit_link_mode(l), XDPKIT_XDP_FLAGS_SKB_MODE);
	CHECK_RET(xdpkit_link_detach(l), 0);
	CHECK_RET(xdpkit_link_detach(l), -EBADF);
	CHECK_RET(xdpkit_link_mode(l), -EBADF);
	l = NULL;
	/* The device is free again, in the other mode too. */
	CHECK_RET(xdpkit_prog_attach(p, g_if, XDPKIT_XDP_FLAGS_DRV_MODE, &l2), 0);
	CHECK_RET(xdpkit_link_mode(l2), XDPKIT_XDP_FLAGS_DRV_MODE);
	CHECK_RET(xdpkit_link_detach(l2), 0);
	l2 = NULL;
	rc = 0;
out:
	ldetach(&l);
	ldetach(&l2);
	pdelete(&p);
	return rc;
}

/* ------------------------------------------------------------------ */
/* XSKMAP with a real socket */

struct xsk {
	struct xdpkit_umem *u;
	struct xdpkit_socket *s;
	struct xdpkit_ring_prod fill;
	struct xdpkit_ring_cons comp, rx;
	uint8_t *area;
};

static void xsk_close(struct xsk *x)
{
	release(x->s, x->u);
	x->s = NULL;
	x->u = NULL;
}

/* A socket on queue 0 that loads no program, every frame on the fill ring. */
static int xsk_open(struct xsk *x)
{
	uint32_t idx = 0, i;
	int r;

	memset(x, 0, sizeof(*x));
	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .fill_size = NUM_FRAMES, .comp_size = NUM_FRAMES,
		    .frame_size = FRAME_SIZE);
	r = xdpkit_umem_create(&x->u, NULL, (uint64_t)NUM_FRAMES * FRAME_SIZE, &x->fill, &x->comp, &ucfg);
	if (r) {
		set_detail("xdpkit_umem_create = %s (%s)", errstr(r), xdpkit_last_error());
		return -1;
	}
	x->area = xdpkit_umem_area(x->u);
	XDPKIT_OPTS(xdpkit_socket_config, scfg, .rx_size = NUM_FRAMES,
		    .libxdp_flags = XDPKIT_LIBXDP_FLAGS_INHIBIT_PROG_LOAD,
		    .bind_flags = XDPKIT_BIND_COPY, .flags = XDPKIT_SOCKET_NO_TX);
	/* A socket closed just before may still hold the queue for a moment. */
	for (i = 0; i < 50; i++) {
		r = xdpkit_socket_create(&x->s, g_if, 0, x->u, &x->rx, NULL, &scfg);
		if (r != -EBUSY)
			break;
		sleep_ms(20);
	}
	if (r) {
		set_detail("xdpkit_socket_create = %s (%s)", errstr(r), xdpkit_last_error());
		xsk_close(x);
		return -1;
	}
	if (xdpkit_ring_prod_reserve(&x->fill, NUM_FRAMES, &idx) != NUM_FRAMES) {
		set_detail("cannot fill the fill ring");
		xsk_close(x);
		return -1;
	}
	for (i = 0; i < NUM_FRAMES; i++)
		*xdpkit_ring_fill_addr(&x->fill, idx + i) = (uint64_t)i * FRAME_SIZE;
	xdpkit_ring_prod_submit(&x->fill, NUM_FRAMES);
	return 0;
}

/* Counts the frames of tag the socket receives within ms, recycling them. */
static uint32_t xsk_receive(struct xsk *x, uint32_t tag, uint32_t want, int ms)
{
	long long deadline = now_ms() + ms;
	uint32_t n = 0, got, idx = 0, fidx = 0, i;

	while (n < want && now_ms() < deadline) {
		got = xdpkit_ring_cons_peek(&x->rx, 64, &idx);
		if (!got) {
			xdpkit_socket_poll(x->s, POLLIN, 20);
			continue;
		}
		if (xdpkit_ring_prod_reserve(&x->fill, got, &fidx) != got) {
			xdpkit_ring_cons_cancel(&x->rx, got);
			break;
		}
		for (i = 0; i < got; i++) {
			const struct xdpkit_desc *d = xdpkit_ring_rx_desc(&x->rx, idx + i);

			if (frame_seq(xdpkit_umem_data(x->area, d->addr), d->len, tag) >= 0)
				n++;
			*xdpkit_ring_fill_addr(&x->fill, fidx + i) = xdpkit_umem_addr_base(d->addr) & ~(uint64_t)(FRAME_SIZE - 1);
		}
		xdpkit_ring_prod_submit(&x->fill, got);
		xdpkit_ring_cons_release(&x->rx, got);
	}
	return n;
}

/* Where NPKTS frames of a new tag go: *to_sock to the socket (if x is
 * open), *to_stack to the kernel stack. */
static int where_frames_go(struct xsk *x, uint32_t *to_sock, uint32_t *to_stack)
{
	uint32_t tag = ++g_tag;

	drain(g_obs_fd);
	if (send_frames(tag, NPKTS, 100, 0))
		return -1;
	*to_sock = x && x->s ? xsk_receive(x, tag, NPKTS, 400) : 0;
	*to_stack = observe(tag, NPKTS, 400);
	return 0;
}

struct xdp_setup {
	struct xdpkit_prog *p;
	struct xdpkit_link *l;
	int map;
};

/* The default program in skb mode with an XSKMAP of 2 queues. */
static int xdp_setup(struct xdp_setup *xs)
{
	int r;

	memset(xs, 0, sizeof(*xs));
	r = xdpkit_prog_load_default(&xs->p, 2);
	if (!r)
		r = xdpkit_prog_attach(xs->p, g_if, XDPKIT_XDP_FLAGS_SKB_MODE, &xs->l);
	if (!r)
		r = xs->map = xdpkit_prog_map_fd(xs->p, "xsks_map");
	if (r < 0) {
		set_detail("set-up: %s (%s)", errstr(r), xdpkit_last_error());
		return -1;
	}
	return 0;
}

static void xdp_teardown(struct xdp_setup *xs)
{
	ldetach(&xs->l);
	pdelete(&xs->p);
}

static int t_xskmap_set_clear(void)
{
	struct xdp_setup xs;
	struct xsk x;
	uint32_t k = 0, v, sock_n, stack_n;
	int rc = -1;

	memset(&x, 0, sizeof(x));
	if (xdp_setup(&xs) || xsk_open(&x))
		goto out;
	CHECK_RET(xdpkit_socket_prog_id(x.s), 0); /* inhibited: no program of its own */
	/* Empty XSKMAP: the program passes frames to the stack. */
	if (where_frames_go(&x, &sock_n, &stack_n))
		goto out;
	CHECK(sock_n == 0 && stack_n == NPKTS, "before set: socket %u, stack %u of %u", sock_n, stack_n, NPKTS);
	CHECK_RET(xdpkit_xskmap_set(xs.map, 0, x.s), 0);
	/* The entry cannot be read back from user space (-EOPNOTSUPP). */
	CHECK_RET(xdpkit_map_lookup(xs.map, &k, 4, &v, 4), -EOPNOTSUPP);
	if (where_frames_go(&x, &sock_n, &stack_n))
		goto out;
	CHECK(sock_n == NPKTS && stack_n == 0, "after set: socket %u, stack %u of %u", sock_n, stack_n, NPKTS);
	CHECK_RET(xdpkit_xskmap_clear(xs.map, 0), 0);
	if (where_frames_go(&x, &sock_n, &stack_n))
		goto out;
	CHECK(sock_n == 0 && stack_n == NPKTS, "after clear: socket %u, stack %u of %u", sock_n, stack_n, NPKTS);
	CHECK_RET(xdpkit_xskmap_clear(xs.map, 0), 0); /* already clear */
	/* Errors. */
	CHECK_RET(xdpkit_xskmap_set(xs.map, 2, x.s), -E2BIG); /* max_entries 2 */
	CHECK_RET(xdpkit_xskmap_clear(xs.map, 2), -EINVAL);
	{
		int h = xdpkit_map_create(XDPKIT_MAP_HASH, 4, 4, 2, 0, "xk_notxsk2");

		CHECK(h >= 0, "create: %s", errstr(h));
		v = (uint32_t)xdpkit_xskmap_set(h, 0, x.s);
		k = (uint32_t)xdpkit_socket_update_xskmap(x.s, h);
		xdpkit_map_close(h);
		CHECK_RET((int)v, -EINVAL);
		CHECK_RET((int)k, -EINVAL);
	}
	CHECK_RET(xdpkit_socket_update_xskmap(x.s, -1), -EBADF);
	rc = 0;
out:
	xsk_close(&x);
	xdp_teardown(&xs);
	return rc;
}

/* use_update: xdpkit_socket_update_xskmap, else xdpkit_xskmap_set.
 *
 * update_xskmap: the library removes the entry when the socket is deleted.
 * xskmap_set: the kernel removes it when the socket is released. The
 * first socket of a UMEM is the UMEM's fd, which xdpkit_socket_delete
 * leaves open (it is closed with the UMEM, as in libxdp): until
 * xdpkit_umem_delete the socket still exists, bound, and the entry stays,
 * so frames keep going to it. Only the state after both is checked. */
static int removed_on_close(int use_update)
{
	struct xdpkit_socket *dead;
	struct xdp_setup xs;
	struct xsk x;
	uint32_t sock_n, stack_n;
	int rc = -1;

	memset(&x, 0, sizeof(x));
	if (xdp_setup(&xs) || xsk_open(&x))
		goto out;
	if (use_update)
		CHECK_RET(xdpkit_socket_update_xskmap(x.s, xs.map), 0);
	else
		CHECK_RET(xdpkit_xskmap_set(xs.map, 0, x.s), 0);
	if (where_frames_go(&x, &sock_n, &stack_n))
		goto out;
	CHECK(sock_n == NPKTS && stack_n == 0, "socket in the map: socket %u, stack %u of %u", sock_n, stack_n,
	      NPKTS);
	dead = x.s;
	CHECK_RET(xdpkit_socket_delete(x.s), 0);
	x.s = NULL;
	if (use_update) {
		/* The program still runs; with the entry gone it passes frames on. */
		if (where_frames_go(NULL, &sock_n, &stack_n))
			goto out;
		CHECK(stack_n == NPKTS, "after xdpkit_socket_delete: the stack got %u of %u", stack_n, NPKTS);
	}
	CHECK_RET(xdpkit_xskmap_set(xs.map, 0, dead), -EBADF);
	CHECK_RET(xdpkit_socket_update_xskmap(dead, xs.map), -EBADF);
	CHECK_RET(xdpkit_umem_delete(x.u), 0);
	x.u = NULL;
	if (where_frames_go(NULL, &sock_n, &stack_n))
		goto out;
	CHECK(stack_n == NPKTS, "after xdpkit_umem_delete: the stack got %u of %u", stack_n, NPKTS);
	rc = 0;
out:
	xsk_close(&x);
	xdp_teardown(&xs);
	return rc;
}

static int t_xskmap_update_removed(void) { return removed_on_close(1); }
static int t_xskmap_set_removed(void) { return removed_on_close(0); }

/* ------------------------------------------------------------------ */

int main(int argc, char **argv)
{

	if (argc == 3 && !strcmp(argv[1], "--pinned-child"))
		return pinned_child(argv[2]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	g_if = argc > 1 ? argv[1] : getenv("XDPKIT_TEST_IF");
	g_peer_ns = argc > 2 ? argv[2] : getenv("XDPKIT_TEST_PEER_NETNS");
	g_peer_if = argc > 3 ? argv[3] : getenv("XDPKIT_TEST_PEER_IF");
	if (g_if && (!g_peer_ns || !g_peer_if)) {
		fprintf(stderr, "usage: %s [IFNAME PEER_NETNS PEER_IFNAME] (see tests/c/run.sh)\n", argv[0]);
		return 2;
	}
	g_ncpus = possible_cpus();
	if (g_ncpus <= 0) {
		fprintf(stderr, "test_maps: cannot read /sys/devices/system/cpu/possible\n");
		return 2;
	}
	if (g_if) {
		if (if_open(g_if, &g_ifindex, g_mac))
			return 2;
		g_obs_fd = packet_socket(g_if, 8 << 20);
		if (g_obs_fd < 0) {
			fprintf(stderr, TEST_NAME ": packet socket on %s: %s\n", g_if, strerror(errno));
			return 2;
		}
		g_peer_fd = peer_open(g_peer_ns, g_peer_if, 8 << 20, g_peer_mac);
		if (g_peer_fd < 0)
			return 2;
	}

	run("HASH_INFO", t_hash_info);
	run("HASH_UPDATE_FLAGS", t_hash_update_flags);
	run("HASH_LOOKUP_DELETE", t_hash_lookup_delete);
	run("HASH_FULL", t_hash_full);
	run("HASH_NEXT_KEY", t_hash_next_key);
	run("HASH_BATCH", t_hash_batch);
	run("ARRAY", t_array);
	run("ARRAY_BATCH", t_array_batch);
	run("PERCPU_VALUE_SIZE", t_percpu_value_size);
	run("WRONG_SIZES", t_wrong_sizes);
	run("NULL_ARGS", t_null_args);
	run("CREATE_ERRORS", t_create_errors);
	run("MAP_CLOSE", t_map_close);
	run("FOREIGN_FD", t_foreign_fd);
	run("PIN", t_pin);
	run("PIN_CHILD", t_pin_child);
	run("UNPIN", t_unpin);
	run("OPEN_ID", t_open_id);
	run("QUEUE", t_queue);
	run("STACK", t_stack);
	run("QUEUE_ERRORS", t_queue_errors);
	run("CPUMAP", t_cpumap);
	run("CPUMAP_PROG", t_cpumap_prog);
	run("DEVMAP", t_devmap);
	run("DEVMAP_HASH", t_devmap_hash);
	run("XSKMAP_NO_SOCKET", t_xskmap_no_socket);
	run("ENOTSUPP_IS_EOPNOTSUPP", t_enotsupp);
	run("PROG_LOAD_NAMES", t_prog_load_names);
	run("PROG_LOAD_ERRORS", t_prog_load_errors);
	run("PROG_MAP_FD", t_prog_map_fd);
	run("PROG_DEFAULT", t_prog_default);
	run("PROG_DELETE_TWICE", t_prog_delete_twice);
	run_if("ATTACH_SKB", t_attach_skb);
	run_if("ATTACH_DRV", t_attach_drv);
	run_if("ATTACH_ERRORS", t_attach_errors);
	run_if("DETACH_TWICE", t_detach_twice);
	run_if("XSKMAP_SET_CLEAR", t_xskmap_set_clear);
	run_if("XSKMAP_UPDATE_REMOVED_ON_CLOSE", t_xskmap_update_removed);
	run_if("XSKMAP_SET_REMOVED_ON_CLOSE", t_xskmap_set_removed);

	if (g_pin[0])
		unlink(g_pin); /* in case UNPIN failed */
	if (g_skipped)
		fprintf(stderr, "test_maps: %d interface tests skipped (no IFNAME PEER_NETNS PEER_IFNAME)\n",
			g_skipped);
	printf("%d passed, %d failed\n", g_passed, g_failed);
	return g_failed ? 1 : 0;
}
