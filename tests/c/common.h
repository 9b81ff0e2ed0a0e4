/* common.h — what the C tests share: reporting (ok/FAIL lines and the
 * CHECK macros), time, byte order, the peer's AF_PACKET socket in another
 * network namespace, and cleanup.
 *
 * Define TEST_NAME (the program's name, for messages on stderr) before
 * including it. Everything is static inline: a test uses what it needs. */
#ifndef XDPKIT_TESTS_COMMON_H
#define XDPKIT_TESTS_COMMON_H

#ifndef TEST_NAME
#error "define TEST_NAME before including common.h"
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "xdpkit.h"

/* ------------------------------------------------------------------ */
/* Reporting */

static char g_detail[2048];
static int g_passed, g_failed;

/* v as a number, with the errno's name when it is a known -errno. */
static inline const char *errstr(long v)
{
	static char bufs[4][64];
	static int next;
	char *b = bufs[next++ & 3];
	const char *name = NULL;

	if (v < 0) {
		switch (-v) {
		case EINVAL: name = "EINVAL"; break;
		case EBADF: name = "EBADF"; break;
		case EBUSY: name = "EBUSY"; break;
		case ENODEV: name = "ENODEV"; break;
		case ENOENT: name = "ENOENT"; break;
		case ERANGE: name = "ERANGE"; break;
		case EOPNOTSUPP: name = "EOPNOTSUPP"; break;
		case EPROTONOSUPPORT: name = "EPROTONOSUPPORT"; break;
		case ENOTRECOVERABLE: name = "ENOTRECOVERABLE"; break;
		case ENOMEM: name = "ENOMEM"; break;
		case EPERM: name = "EPERM"; break;
		case EEXIST: name = "EEXIST"; break;
		case ENXIO: name = "ENXIO"; break;
		case EAGAIN: name = "EAGAIN"; break;
		case EIO: name = "EIO"; break;
		case E2BIG: name = "E2BIG"; break;
		case ENOSPC: name = "ENOSPC"; break;
		case EOVERFLOW: name = "EOVERFLOW"; break;
		case 524: name = "ENOTSUPP (kernel-internal 524)"; break;
		}
	}
	if (name)
		snprintf(b, sizeof(bufs[0]), "%ld (-%s)", v, name);
	else
		snprintf(b, sizeof(bufs[0]), "%ld", v);
	return b;
}

static inline void set_detail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void set_detail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(g_detail, sizeof(g_detail), fmt, ap);
	va_end(ap);
}

static inline void set_detail_at(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void set_detail_at(int line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(g_detail, sizeof(g_detail), "line %d: ", line);

	va_start(ap, fmt);
	vsnprintf(g_detail + n, sizeof(g_detail) - (size_t)n, fmt, ap);
	va_end(ap);
}

/* The checks of a test function: on failure they set the detail and jump
 * to its out: label, where it cleans up and returns rc (-1 until the end). */
#define FAIL(...) do { set_detail(__VA_ARGS__); goto out; } while (0)
#define CHECK(cond, ...) do { if (!(cond)) { set_detail_at(__LINE__, __VA_ARGS__); goto out; } } while (0)
/* call must return want exactly; on failure the detail names the call,
 * both values and the library's last error message. */
#define CHECK_RET(call, want) do {                                                       \
	long r_ = (long)(call), w_ = (long)(want);                                       \
	if (r_ != w_)                                                                    \
		FAIL("line %d: %s = %s, want %s (last error: \"%s\")", __LINE__, #call,  \
		     errstr(r_), errstr(w_), xdpkit_last_error());                       \
} while (0)

/* Prints "ok NAME" or "FAIL NAME: detail" for rc and counts it. */
static inline void report(const char *name, int rc)
{
	if (rc == 0) {
		printf("ok %s\n", name);
		g_passed++;
	} else {
		printf("FAIL %s: %s\n", name, g_detail[0] ? g_detail : "(no detail)");
		g_failed++;
	}
	fflush(stdout);
	g_detail[0] = '\0';
}

static inline void run(const char *name, int (*fn)(void))
{
	g_detail[0] = '\0';
	report(name, fn());
}

/* ------------------------------------------------------------------ */
/* Time */

static inline long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* ------------------------------------------------------------------ */
/* Big-endian fields of frames */

static inline void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v); }
static inline uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

/* ------------------------------------------------------------------ */
/* Interfaces and the peer: an AF_PACKET socket in the peer namespace. */

/* fd: any socket of ifname's namespace. */
static inline int mac_of(int fd, const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		return -1;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

/* ifname of the test's namespace: its index and MAC. Returns -1 after a
 * message on stderr. */
static inline int if_open(const char *ifname, int *ifindex, uint8_t mac[6])
{
	int fd;

	*ifindex = (int)if_nametoindex(ifname);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (!*ifindex || fd < 0 || mac_of(fd, ifname, mac) < 0) {
		fprintf(stderr, TEST_NAME ": interface %s: %s\n", ifname, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static inline ino_t netns_ino(void)
{
	struct stat st;

	return stat("/proc/thread-self/ns/net", &st) ? 0 : st.st_ino;
}

/* A packet socket bound to ifname in the current namespace that does not
 * see its own frames, with a receive buffer of rcvbuf bytes; -1 (errno)
 * on failure. */
static inline int packet_socket(const char *ifname, int rcvbuf)
{
	struct sockaddr_ll sll;
	int fd, ifindex, one = 1;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0)
		return -1;
	ifindex = (int)if_nametoindex(ifname);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = ifindex;
	if (!ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A packet socket (packet_socket) on ifname in network namespace ns
 * (/run/netns/ns), made there and used from here; mac gets ifname's MAC.
 * Returns the fd, or -1 after a message on stderr; exits 2 when it cannot
 * come back to the test's namespace. */
static inline int peer_open(const char *ns, const char *ifname, int rcvbuf, uint8_t mac[6])
{
	char path[300];
	int self, nsfd, fd;
	ino_t home = netns_ino();

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (self < 0 || nsfd < 0) {
		fprintf(stderr, TEST_NAME ": open netns %s: %s\n", self < 0 ? "self" : path, strerror(errno));
		return -1;
	}
	/* Only this thread moves; no Go code runs on it until it is back. */
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		fprintf(stderr, TEST_NAME ": setns %s: %s\n", path, strerror(errno));
		return -1;
	}
	fd = packet_socket(ifname, rcvbuf);
	if (fd < 0 || mac_of(fd, ifname, mac) < 0) {
		fprintf(stderr, TEST_NAME ": peer socket on %s: %s\n", ifname, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	if (setns(self, CLONE_NEWNET) < 0 || netns_ino() != home) {
		fprintf(stderr, TEST_NAME ": cannot return to the test namespace: %s\n", strerror(errno));
		exit(2);
	}
	close(self);
	close(nsfd);
	return fd;
}

/* Sends one frame on the peer's socket fd, retrying while its queue is
 * full; -1 with the detail set. */
static inline int peer_send(int fd, const uint8_t *buf, uint32_t len)
{
	int tries;

	for (tries = 0; tries < 1000; tries++) {
		if (send(fd, buf, len, 0) == (ssize_t)len)
			return 0;
		if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR)
			break;
		sleep_ms(1);
	}
	set_detail("peer send: %s", strerror(errno));
	return -1;
}

/* Throws away what a packet socket has received so far. */
static inline void drain(int fd)
{
	uint8_t buf[2048];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		;
}

/* ------------------------------------------------------------------ */
/* Cleanup */

/* For the out: paths: deletes the socket, then the UMEM, when there. */
static inline void release(struct xdpkit_socket *s, struct xdpkit_umem *u)
{
	if (s)
		xdpkit_socket_delete(s);
	if (u)
		xdpkit_umem_delete(u);
}

#endif /* XDPKIT_TESTS_COMMON_H */
