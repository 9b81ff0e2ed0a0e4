/* common.h — helpers shared by the reliability tests (tests/reliability/
 * *.c): reporting, bounded waits, resource counters (fds, mappings, BPF
 * objects by id), frames and AF_PACKET peers, interface helpers.
 * Every function is static: each test is one translation unit. */
#ifndef XDPKIT_RELIABILITY_COMMON_H
#define XDPKIT_RELIABILITY_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xdpkit.h"

/* Not every test uses every helper. */
#define HELPER static __attribute__((unused))

/* ------------------------------------------------------------------ */
/* Reporting: "ok NAME" / "FAIL NAME: detail", "N passed, M failed". */

static char g_detail[4096];
static int g_passed __attribute__((unused)), g_failed __attribute__((unused));

HELPER const char *errname(long v)
{
	static __thread char bufs[4][48];
	static __thread int next;
	char *b = bufs[next++ & 3];
	const char *name = NULL;

	if (v < 0) {
		switch (-v) {
		case EINVAL: name = "EINVAL"; break;
		case EBADF: name = "EBADF"; break;
		case EBUSY: name = "EBUSY"; break;
		case ENODEV: name = "ENODEV"; break;
		case ENOENT: name = "ENOENT"; break;
		case ENXIO: name = "ENXIO"; break;
		case ENETDOWN: name = "ENETDOWN"; break;
		case EPERM: name = "EPERM"; break;
		case EACCES: name = "EACCES"; break;
		case ECHILD: name = "ECHILD"; break;
		case EAGAIN: name = "EAGAIN"; break;
		case ENOBUFS: name = "ENOBUFS"; break;
		case EOPNOTSUPP: name = "EOPNOTSUPP"; break;
		case ENOTRECOVERABLE: name = "ENOTRECOVERABLE"; break;
		case ENOMEM: name = "ENOMEM"; break;
		case ERANGE: name = "ERANGE"; break;
		}
	}
	if (name)
		snprintf(b, sizeof(bufs[0]), "%ld (-%s)", v, name);
	else
		snprintf(b, sizeof(bufs[0]), "%ld", v);
	return b;
}

static void set_detail_at(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
HELPER void set_detail_at(int line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(g_detail, sizeof(g_detail), "line %d: ", line);

	va_start(ap, fmt);
	vsnprintf(g_detail + n, sizeof(g_detail) - (size_t)n, fmt, ap);
	va_end(ap);
}

#define CHECK(cond, ...) do { if (!(cond)) { set_detail_at(__LINE__, __VA_ARGS__); goto out; } } while (0)
#define CHECK_RET(call, want) do {                                                         \
	long r_ = (long)(call), w_ = (long)(want);                                         \
	if (r_ != w_) {                                                                    \
		set_detail_at(__LINE__, "%s = %s, want %s (last error: \"%s\")", #call,    \
			      errname(r_), errname(w_), xdpkit_last_error());              \
		goto out;                                                                  \
	}                                                                                  \
} while (0)

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
HELPER void note(const char *fmt, ...)
{
	va_list ap;

	printf("  # ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

HELPER void run(const char *name, int (*fn)(void))
{
	int rc;

	g_detail[0] = '\0';
	fflush(stdout);
	rc = fn();
	if (rc == 0) {
		printf("ok %s\n", name);
		g_passed++;
	} else {
		printf("FAIL %s: %s\n", name, g_detail[0] ? g_detail : "(no detail)");
		g_failed++;
	}
	fflush(stdout);
}

HELPER int summary(void)
{
	printf("%d passed, %d failed\n", g_passed, g_failed);
	return g_failed ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* Time */

HELPER long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

HELPER void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ------------------------------------------------------------------ */
/* Shell commands (ip link ...), bounded by timeout(1). */

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
HELPER int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int n, st;

	n = snprintf(cmd, sizeof(cmd), "timeout -k 2 20 ");
	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
	va_end(ap);
	fflush(stdout);
	st = system(cmd);
	return st == 0 ? 0 : -1;
}

/* A veth pair a <-> b in the current namespace, both up, IPv6 quiet. */
HELPER int veth_add(const char *a, const char *b, int queues)
{
	return sh("ip link add %s numtxqueues %d numrxqueues %d type veth peer name %s numtxqueues %d numrxqueues %d"
		  " && ip link set %s up && ip link set %s up", a, queues, queues, b, queues, queues, a, b);
}

HELPER void veth_del(const char *a)
{
	sh("ip link del dev %s 2>/dev/null", a);
}

HELPER int mac_of(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	rc = ioctl(fd, SIOCGIFHWADDR, &ifr);
	close(fd);
	if (rc < 0)
		return -1;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

/* 1 when `ip link show dev IF` shows an XDP program, 0 when not, -1 if
 * the interface cannot be shown. */
HELPER int if_has_xdp(const char *ifname)
{
	char cmd[128], buf[4096];
	FILE *f;
	size_t n;
	int st;

	snprintf(cmd, sizeof(cmd), "ip -d link show dev %s 2>/dev/null", ifname);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	st = pclose(f);
	if (st != 0 || n == 0)
		return -1;
	return strstr(buf, "prog/xdp") || strstr(buf, " xdpgeneric") || strstr(buf, " xdpdrv") ||
	       strstr(buf, " xdp ") || strstr(buf, " xdpoffload");
}

/* ------------------------------------------------------------------ */
/* Frames: Ethernet with the local experimental EtherType 0x88b5, a tag
 * and a sequence number, padded to 64 bytes. */

#define FRAME_LEN 64u
#define ETH_P_RELTEST 0x88b5

HELPER void build_frame(uint8_t *p, const uint8_t dst[6], const uint8_t src[6], uint32_t tag, uint32_t seq)
{
	memset(p, 0, FRAME_LEN);
	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	p[12] = ETH_P_RELTEST >> 8;
	p[13] = ETH_P_RELTEST & 0xff;
	memcpy(p + 14, &tag, 4);
	memcpy(p + 18, &seq, 4);
}

/* 1 and *seq when p is one of our frames with this tag. */
HELPER int parse_frame(const uint8_t *p, uint32_t len, uint32_t tag, uint32_t *seq)
{
	uint32_t t;

	if (len < 22 || p[12] != (ETH_P_RELTEST >> 8) || p[13] != (ETH_P_RELTEST & 0xff))
		return 0;
	memcpy(&t, p + 14, 4);
	if (t != tag)
		return 0;
	memcpy(seq, p + 18, 4);
	return 1;
}

/* An AF_PACKET socket bound to ifname (all protocols), non-blocking. */
HELPER int packet_open(const char *ifname)
{
	struct sockaddr_ll sll;
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ALL));

	if (fd < 0)
		return -1;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ------------------------------------------------------------------ */
/* Resources of this process */

HELPER int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own fd */
}

struct maps_count {
	int lines;            /* mappings */
	int rings;            /* mappings of a socket: AF_XDP rings */
	unsigned long long anon_kib; /* private anonymous writable memory */
};

HELPER int count_maps(struct maps_count *c)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];

	memset(c, 0, sizeof(*c));
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi;
		char perms[8] = "";
		unsigned long long off;
		unsigned int maj, min;
		unsigned long inode;
		int pathpos = 0;

		if (!strchr(line, '\n'))
			continue;
		c->lines++;
		if (strstr(line, " socket:["))
			c->rings++;
		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %lu %n", &lo, &hi, perms, &off, &maj, &min, &inode, &pathpos) >= 7 &&
		    inode == 0 && perms[0] == 'r' && perms[1] == 'w' &&
		    (pathpos == 0 || line[pathpos] == '\n' || line[pathpos] == '\0'))
			c->anon_kib += (hi - lo) / 1024;
	}
	fclose(f);
	return 0;
}

/* ------------------------------------------------------------------ */
/* BPF objects, system-wide, by id (bpf(2) *_GET_NEXT_ID). */

enum bpf_kind { KIND_PROG, KIND_MAP, KIND_LINK, KIND_N };
static const char *const kind_name[KIND_N] __attribute__((unused)) = { "program", "map", "link" };

HELPER long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

struct idset {
	uint32_t *ids;
	size_t n, cap;
};

HELPER int idset_add(struct idset *s, uint32_t id)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		uint32_t *p = realloc(s->ids, cap * sizeof(*p));

		if (!p)
			return -1;
		s->ids = p;
		s->cap = cap;
	}
	s->ids[s->n++] = id;
	return 0;
}

HELPER int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

HELPER void idset_sort(struct idset *s)
{
	size_t i, j = 0;

	if (s->n == 0)
		return;
	qsort(s->ids, s->n, sizeof(uint32_t), cmp_u32);
	for (i = 0; i < s->n; i++)
		if (j == 0 || s->ids[j - 1] != s->ids[i])
			s->ids[j++] = s->ids[i];
	s->n = j;
}

HELPER int idset_has(const struct idset *s, uint32_t id)
{
	return s->n && bsearch(&id, s->ids, s->n, sizeof(uint32_t), cmp_u32) != NULL;
}

HELPER void idset_free(struct idset *s)
{
	free(s->ids);
	memset(s, 0, sizeof(*s));
}

/* Every live id of a kind, sorted; -1 on error. */
HELPER int ids_live(enum bpf_kind k, struct idset *out)
{
	static const int cmd[KIND_N] = { BPF_PROG_GET_NEXT_ID, BPF_MAP_GET_NEXT_ID, BPF_LINK_GET_NEXT_ID };
	union bpf_attr attr;
	uint32_t id = 0;

	memset(out, 0, sizeof(*out));
	for (;;) {
		memset(&attr, 0, sizeof(attr));
		attr.start_id = id;
		if (sys_bpf(cmd[k], &attr) < 0) {
			if (errno == ENOENT)
				break;
			return -1;
		}
		id = attr.next_id;
		if (idset_add(out, id))
			return -1;
	}
	idset_sort(out);
	return 0;
}

/* An fd for a live object of kind k, or -1 (errno ENOENT when gone). */
HELPER int bpf_fd_by_id(enum bpf_kind k, uint32_t id)
{
	static const int cmd[KIND_N] = { BPF_PROG_GET_FD_BY_ID, BPF_MAP_GET_FD_BY_ID, BPF_LINK_GET_FD_BY_ID };
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	if (k == KIND_PROG)
		attr.prog_id = id;
	else if (k == KIND_MAP)
		attr.map_id = id;
	else
		attr.link_id = id;
	return (int)sys_bpf(cmd[k], &attr);
}

/* The maps a program uses (by id), added to out. */
HELPER int prog_map_ids(uint32_t prog_id, struct idset *out)
{
	struct bpf_prog_info info;
	uint32_t ids[64];
	union bpf_attr attr;
	int fd = bpf_fd_by_id(KIND_PROG, prog_id), rc = -1;
	uint32_t i;

	if (fd < 0)
		return -1;
	memset(&info, 0, sizeof(info));
	memset(ids, 0, sizeof(ids));
	info.nr_map_ids = 64;
	info.map_ids = (uint64_t)(uintptr_t)ids;
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = (uint32_t)fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (uint64_t)(uintptr_t)&info;
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) == 0) {
		rc = 0;
		for (i = 0; i < info.nr_map_ids && i < 64; i++)
			if (idset_add(out, ids[i]))
				rc = -1;
	}
	close(fd);
	return rc;
}

/* The program id of a live link, 0 if it is gone or cannot be read. */
HELPER uint32_t link_prog_id(uint32_t link_id)
{
	struct bpf_link_info info;
	union bpf_attr attr;
	int fd = bpf_fd_by_id(KIND_LINK, link_id);
	uint32_t id = 0;

	if (fd < 0)
		return 0;
	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = (uint32_t)fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (uint64_t)(uintptr_t)&info;
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) == 0)
		id = info.prog_id;
	close(fd);
	return id;
}

#endif
