/* test_xsk.c — tests libxdpkit.so through its C API (include/xdpkit.h).
 *
 *   test_xsk IFNAME PEER_NETNS PEER_IFNAME
 *
 * Runs inside network namespace A, where IFNAME is one end of a veth pair
 * (2 RX queues); the other end, PEER_IFNAME, lives in namespace PEER_NETNS
 * (/run/netns/PEER_NETNS). tests/c/run.sh sets all of this up. Frames are
 * sent from and received in the peer namespace with an AF_PACKET socket
 * that is created there (setns on this thread) and used from here.
 *
 * Prints "ok NAME" or "FAIL NAME: detail" per test and "N passed, M failed"
 * at the end; exits 1 when a test failed, 2 when the setup failed. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <linux/bpf.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define TEST_NAME "test_xsk"
#include "common.h"

#define FRAME_SIZE 2048u
#define NUM_FRAMES 1024u
#define UMEM_SIZE ((uint64_t)FRAME_SIZE * NUM_FRAMES)
#define NPKTS 256u        /* frames per traffic test */
#define BURST 32u         /* frames sent before waiting for them */
#define PRIME 64u         /* frames put on the fill ring up front */
#define WAIT_MS 3000      /* longest wait for a burst */
#define PAYLOAD_OFF 42    /* Ethernet + IPv4 + UDP */
#define LEAK_CYCLES 100

/* Values of capi/internal.h: forged handles carry the right magic, so only
 * the registry can tell them apart. */
#define MAGIC_UMEM 0x786b756dU
#define MAGIC_SOCK 0x786b736bU

static const char *g_if, *g_peer_ns, *g_peer_if;
static int g_ifindex, g_peer_fd = -1;
static uint8_t g_mac[6], g_peer_mac[6];
static uint32_t g_tag = 0x5eed0000;
static uint8_t g_inherited[1024]; /* fds open when main started */

/* ------------------------------------------------------------------ */
/* Reporting: common.h, and */

#define CHECK_NULL(call) do {                                                            \
	if ((call) != NULL)                                                              \
		FAIL("line %d: %s is not NULL", __LINE__, #call);                       \
} while (0)

/* ------------------------------------------------------------------ */
/* Frames: Ethernet/IPv4/UDP, a payload naming the test (tag) and the
 * frame's number (seq), then a pattern. dir 0 goes peer -> us, dir 1 us
 * -> peer (to an address nobody has, so the peer's stack stays quiet). */

static uint32_t frame_len(uint32_t seq)
{
	return 64 + (seq * 37u) % 1300u;
}

static uint32_t build_frame(uint8_t *p, int dir, uint32_t tag, uint32_t seq)
{
	uint32_t len = frame_len(seq), sum = 0, i;
	uint8_t *ip = p + 14, *udp = ip + 20, *pl = udp + 8;

	memcpy(p, dir ? g_peer_mac : g_mac, 6);
	memcpy(p + 6, dir ? g_mac : g_peer_mac, 6);
	put16(p + 12, ETHERTYPE_IP);
	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, len - 14);
	put16(ip + 4, seq);
	put16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	put16(ip + 10, 0);
	put32(ip + 12, dir ? 0x0a4d0001 : 0x0a4d0002); /* 10.77.0.1 / .2 */
	put32(ip + 16, dir ? 0x0a4d00fe : 0x0a4d0001); /* 10.77.0.254 / .1 */
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)ip[i] << 8 | ip[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(ip + 10, ~sum & 0xffff);
	put16(udp, 40000 + dir);
	put16(udp + 2, 41000 + dir);
	put16(udp + 4, len - 34);
	put16(udp + 6, 0);
	memcpy(pl, "XDPKITT!", 8);
	put32(pl + 8, tag);
	put32(pl + 12, seq);
	for (i = PAYLOAD_OFF + 16; i < len; i++)
		p[i] = (uint8_t)(seq * 31u + i * 7u + tag);
	return len;
}

/* 1: a frame of this test, checked byte for byte and marked in seen;
 * 0: some other frame; -1: a frame of this test that is wrong (detail set). */
static int check_frame(const uint8_t *p, uint32_t len, int dir, uint32_t tag, uint32_t n, uint8_t *seen)
{
	uint8_t want[2048];
	uint32_t seq, wlen, i;

	if (len < PAYLOAD_OFF + 16 || memcmp(p + PAYLOAD_OFF, "XDPKITT!", 8) || get32(p + PAYLOAD_OFF + 8) != tag)
		return 0;
	seq = get32(p + PAYLOAD_OFF + 12);
	if (seq >= n) {
		set_detail("frame with seq %u, only %u were sent", seq, n);
		return -1;
	}
	if (seen[seq]) {
		set_detail("frame %u received twice", seq);
		return -1;
	}
	wlen = build_frame(want, dir, tag, seq);
	if (len != wlen) {
		set_detail("frame %u: length %u, sent %u", seq, len, wlen);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (p[i] != want[i]) {
			set_detail("frame %u: byte %u is %#x, sent %#x", seq, i, p[i], want[i]);
			return -1;
		}
	}
	seen[seq] = 1;
	return 1;
}

/* ------------------------------------------------------------------ */
/* The peer: an AF_PACKET socket in the peer namespace (common.h). */

/* Sends frames first..first+n-1 of this tag from the peer to us. */
static int send_frames(uint32_t tag, uint32_t first, uint32_t n)
{
	uint8_t frame[2048];
	uint32_t i;

	for (i = first; i < first + n; i++) {
		if (peer_send(g_peer_fd, frame, build_frame(frame, 0, tag, i)))
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Receiving through a socket, with the inline helpers or the batch calls. */

struct rxer {
	struct xdpkit_socket *s;
	struct xdpkit_umem *u;
	uint8_t *area;
	struct xdpkit_ring_cons *rx;   /* inline: the RX ring */
	struct xdpkit_ring_prod *fill; /* inline: the fill ring */
	int batch;                     /* use xdpkit_rx_batch/xdpkit_fill_batch */
};

/* Puts frames first..first+n-1 on the fill ring. */
static int prime_fill(struct rxer *r, uint32_t first, uint32_t n)
{
	uint64_t addrs[NUM_FRAMES];
	uint32_t idx = 0, i;
	int m;

	for (i = 0; i < n; i++)
		addrs[i] = (uint64_t)(first + i) * FRAME_SIZE;
	if (r->batch) {
		m = xdpkit_fill_batch(r->u, addrs, n);
		if (m != (int)n) {
			set_detail("xdpkit_fill_batch(%u) = %s", n, errstr(m));
			return -1;
		}
		return 0;
	}
	if (xdpkit_ring_prod_reserve(r->fill, n, &idx) != n) {
		set_detail("fill ring: cannot reserve %u entries", n);
		return -1;
	}
	for (i = 0; i < n; i++)
		*xdpkit_ring_fill_addr(r->fill, idx + i) = addrs[i];
	xdpkit_ring_prod_submit(r->fill, n);
	return 0;
}

/* Takes what the RX ring holds, checks it and gives the frames back to
 * the fill ring. Returns the number of descriptors or -1. */
static int rx_once(struct rxer *r, uint32_t tag, uint32_t n, uint8_t *seen, uint32_t *got, uint32_t *foreign)
{
	struct xdpkit_desc d[64];
	uint64_t addrs[64];
	uint32_t idx = 0, cnt, i;
	int m;

	if (r->batch) {
		m = xdpkit_rx_batch(r->s, d, 64);
		if (m < 0) {
			set_detail("xdpkit_rx_batch = %s (%s)", errstr(m), xdpkit_last_error());
			return -1;
		}
		cnt = (uint32_t)m;
	} else {
		cnt = xdpkit_ring_cons_peek(r->rx, 64, &idx);
		for (i = 0; i < cnt; i++)
			d[i] = *xdpkit_ring_rx_desc(r->rx, idx + i);
	}
	for (i = 0; i < cnt; i++) {
		uint64_t off = xdpkit_umem_addr(d[i].addr);
		int c;

		if (off + d[i].len > UMEM_SIZE || (off & (FRAME_SIZE - 1)) + d[i].len > FRAME_SIZE) {
			set_detail("RX descriptor addr %#llx len %u outside its frame",
				 (unsigned long long)d[i].addr, d[i].len);
			return -1;
		}
		if (d[i].options) {
			set_detail("RX descriptor options %#x", d[i].options);
			return -1;
		}
		c = check_frame(xdpkit_umem_data(r->area, d[i].addr), d[i].len, 0, tag, n, seen);
		if (c < 0)
			return -1;
		if (c)
			(*got)++;
		else
			(*foreign)++;
		addrs[i] = off & ~(uint64_t)(FRAME_SIZE - 1);
	}
	if (!cnt)
		return 0;
	if (!r->batch)
		xdpkit_ring_cons_release(r->rx, cnt);
	if (r->batch) {
		m = xdpkit_fill_batch(r->u, addrs, cnt);
		if (m != (int)cnt) {
			set_detail("refill: xdpkit_fill_batch(%u) = %s", cnt, errstr(m));
			return -1;
		}
	} else {
		if (xdpkit_ring_prod_reserve(r->fill, cnt, &idx) != cnt) {
			set_detail("refill: cannot reserve %u fill entries", cnt);
			return -1;
		}
		for (i = 0; i < cnt; i++)
			*xdpkit_ring_fill_addr(r->fill, idx + i) = addrs[i];
		xdpkit_ring_prod_submit(r->fill, cnt);
		if (xdpkit_ring_prod_needs_wakeup(r->fill) && (m = xdpkit_socket_wakeup_rx(r->s)) < 0) {
			set_detail("xdpkit_socket_wakeup_rx = %s", errstr(m));
			return -1;
		}
	}
	return (int)cnt;
}

/* Sends n frames from the peer in bursts and receives every one of them,
 * byte for byte, on r. */
static int rx_traffic(struct rxer *r, uint32_t n, uint32_t burst)
{
	uint8_t *seen = calloc(n, 1);
	uint32_t tag = ++g_tag, sent = 0, got = 0, foreign = 0, k;
	long long deadline = 0;
	int rc = -1, m;

	CHECK(seen, "out of memory");
	while (got < n) {
		if (sent == got) {
			k = n - sent < burst ? n - sent : burst;
			if (send_frames(tag, sent, k))
				goto out;
			sent += k;
			deadline = now_ms() + WAIT_MS;
		}
		m = rx_once(r, tag, n, seen, &got, &foreign);
		if (m < 0)
			goto out;
		if (m == 0) {
			CHECK(now_ms() < deadline, "received %u of %u frames (%u sent, %u foreign)", got, n, sent, foreign);
			m = xdpkit_socket_poll(r->s, POLLIN, 20);
			CHECK(m >= 0, "xdpkit_socket_poll = %s", errstr(m));
		}
	}
	rc = 0;
out:
	free(seen);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The XDP program on the interface, seen from outside the library. */

/* The `ip link show` line of our interface, or "" if it cannot be read. */
static void ip_link_show(char *buf, size_t len)
{
	char cmd[128];
	FILE *f;
	size_t n;

	buf[0] = '\0';
	snprintf(cmd, sizeof(cmd), "ip -d link show dev %s 2>&1", g_if);
	f = popen(cmd, "r");
	if (!f)
		return;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	pclose(f);
}

/* 1 while the program of this id exists in the kernel. */
static int prog_exists(uint32_t id)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_id = id;
	fd = (int)syscall(__NR_bpf, BPF_PROG_GET_FD_BY_ID, &attr, sizeof(attr));
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	return errno == ENOENT ? 0 : -1;
}

/* 1 when `ip -d link show` reports an XDP program: "prog/xdp id N" and
 * the mode word (xdp, xdpgeneric, xdpdrv, xdpoffload) after the MTU. */
static int ip_shows_xdp(const char *out)
{
	return strstr(out, "prog/xdp") || strstr(out, " xdp ") || strstr(out, " xdpgeneric") ||
	       strstr(out, " xdpdrv") || strstr(out, " xdpoffload") || strstr(out, " xdp/");
}

/* Detail set and -1 unless the interface has no XDP program and program
 * id is gone (freed within two seconds). */
static int check_detached(uint32_t id)
{
	char out[4096];
	long long deadline = now_ms() + 2000;
	int e;

	ip_link_show(out, sizeof(out));
	if (!strstr(out, g_if) || ip_shows_xdp(out)) {
		set_detail("after the last socket: `ip -d link show` says: %s", out);
		return -1;
	}
	while ((e = prog_exists(id)) != 0) {
		if (now_ms() > deadline) {
			set_detail("program id %u still exists after its last socket (%s)",
				 id, e < 0 ? strerror(errno) : "BPF_PROG_GET_FD_BY_ID works");
			return -1;
		}
		sleep_ms(20);
	}
	return 0;
}

/* Checks the socket's queries for a socket on queue with the default program. */
static int check_socket_info(struct xdpkit_socket *s, uint32_t queue, uint32_t mode)
{
	uint32_t opts = 0xffffffff;
	int rc = -1;

	CHECK_RET(xdpkit_socket_queue(s), queue);
	CHECK_RET(xdpkit_socket_ifindex(s), g_ifindex);
	CHECK_RET(xdpkit_socket_xdp_mode(s), mode);
	CHECK(xdpkit_socket_prog_id(s) > 0, "prog_id = %s", errstr(xdpkit_socket_prog_id(s)));
	CHECK_RET(xdpkit_socket_options(s, &opts), 0);
	CHECK(!(opts & XDPKIT_OPTIONS_ZEROCOPY), "XDP_OPTIONS %#x has the zero-copy bit on veth", opts);
	CHECK(xdpkit_socket_fd(s) >= 0, "socket fd %d", xdpkit_socket_fd(s));
	rc = 0;
out:
	return rc;
}

/* Deletes *s, then *u, NULLing each: both must succeed. */
static int delete_socket_umem(struct xdpkit_socket **s, struct xdpkit_umem **u)
{
	int rc = -1;

	CHECK_RET(xdpkit_socket_delete(*s), 0);
	*s = NULL;
	CHECK_RET(xdpkit_umem_delete(*u), 0);
	*u = NULL;
	rc = 0;
out:
	return rc;
}

/* ------------------------------------------------------------------ */
/* Traffic tests */

static int rx_inline(uint32_t mode)
{
	struct xdpkit_ring_prod fill, tx;
	struct xdpkit_ring_cons comp, rx;
	struct xdpkit_umem *u = NULL;
	struct xdpkit_socket *s = NULL;
	struct rxer r;
	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .frame_size = FRAME_SIZE);
	XDPKIT_OPTS(xdpkit_socket_config, scfg, .xdp_flags = mode);
	uint32_t prog = 0;
	int rc = -1;

	memset(&fill, 0, sizeof(fill));
	memset(&tx, 0, sizeof(tx));
	memset(&comp, 0, sizeof(comp));
	memset(&rx, 0, sizeof(rx));
	CHECK_RET(xdpkit_umem_create(&u, NULL, UMEM_SIZE, &fill, &comp, &ucfg), 0);
	CHECK(xdpkit_umem_fill_ring(u) == &fill && xdpkit_umem_comp_ring(u) == &comp, "the UMEM does not use the caller's rings");
	CHECK(fill.size == XDPKIT_DEFAULT_RING_SIZE && fill.mask == fill.size - 1 && fill.producer && fill.ring,
	      "fill ring not initialised (size %u)", fill.size);
	CHECK_RET(xdpkit_umem_size(u), (long)UMEM_SIZE);
	CHECK(xdpkit_umem_area(u) && (uintptr_t)xdpkit_umem_area(u) % 4096 == 0, "umem area %p", xdpkit_umem_area(u));
	CHECK_RET(xdpkit_socket_create(&s, g_if, 0, u, &rx, &tx, &scfg), 0);
	CHECK(xdpkit_socket_rx_ring(s) == &rx && xdpkit_socket_tx_ring(s) == &tx, "the socket does not use the caller's rings");
	CHECK(xdpkit_socket_fill_ring(s) == &fill && xdpkit_socket_comp_ring(s) == &comp, "the socket does not share the UMEM's rings");
	CHECK(rx.size == XDPKIT_DEFAULT_RING_SIZE && tx.size == XDPKIT_DEFAULT_RING_SIZE, "ring sizes %u/%u", rx.size, tx.size);
	if (check_socket_info(s, 0, mode))
		goto out;
	prog = (uint32_t)xdpkit_socket_prog_id(s);
	r = (struct rxer){ s, u, xdpkit_umem_area(u), &rx, &fill, 0 };
	if (prime_fill(&r, 0, PRIME) || rx_traffic(&r, NPKTS, BURST))
		goto out;
	if (delete_socket_umem(&s, &u) || check_detached(prog))
		goto out;
	rc = 0;
out:
	release(s, u);
	return rc;
}

static int rx_batch(uint32_t mode)
{
	struct xdpkit_umem *u = NULL;
	struct xdpkit_socket *s = NULL;
	struct rxer r;
	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .frame_size = FRAME_SIZE, .fill_size = 1024, .comp_size = 512);
	XDPKIT_OPTS(xdpkit_socket_config, scfg, .xdp_flags = mode, .rx_size = 512,
		    .bind_flags = XDPKIT_BIND_COPY | XDPKIT_BIND_NEED_WAKEUP);
	void *area;
	uint32_t prog = 0;
	int rc = -1;

	/* The caller's own page-aligned area this time. */
	area = mmap(NULL, UMEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(area != MAP_FAILED, "mmap: %s", strerror(errno));
	CHECK_RET(xdpkit_umem_create(&u, area, UMEM_SIZE, NULL, NULL, &ucfg), 0);
	CHECK(xdpkit_umem_area(u) == area, "xdpkit_umem_area %p, gave %p", xdpkit_umem_area(u), area);
	CHECK(xdpkit_umem_fill_ring(u) && xdpkit_umem_comp_ring(u), "the UMEM has no rings of its own");
	CHECK(xdpkit_umem_fill_ring(u)->size == 1024 && xdpkit_umem_comp_ring(u)->size == 512, "fill/comp ring sizes");
	CHECK_RET(xdpkit_socket_create(&s, g_if, 0, u, NULL, NULL, &scfg), 0);
	CHECK(xdpkit_socket_rx_ring(s) && xdpkit_socket_rx_ring(s)->size == 512, "RX ring");
	CHECK(xdpkit_socket_tx_ring(s) && xdpkit_socket_tx_ring(s)->size == XDPKIT_DEFAULT_RING_SIZE, "TX ring");
	CHECK(xdpkit_socket_fill_ring(s) == xdpkit_umem_fill_ring(u), "the socket does not share the UMEM's fill ring");
	if (check_socket_info(s, 0, mode))
		goto out;
	prog = (uint32_t)xdpkit_socket_prog_id(s);
	r = (struct rxer){ s, u, area, NULL, NULL, 1 };
	CHECK_RET(xdpkit_fill_batch(u, NULL, 0), 0);
	CHECK_RET(xdpkit_rx_batch(s, NULL, 0), 0);
	if (prime_fill(&r, 0, PRIME) || rx_traffic(&r, NPKTS, BURST))
		goto out;
	if (delete_socket_umem(&s, &u) || check_detached(prog))
		goto out;
	rc = 0;
out:
	release(s, u);
	if (area != MAP_FAILED)
		munmap(area, UMEM_SIZE);
	return rc;
}

static int tx_batch(uint32_t mode)
{
	static struct xdpkit_desc descs[NPKTS];
	uint8_t seen_rx[NPKTS], seen_comp[NPKTS], buf[2048];
	uint64_t caddrs[64];
	struct xdpkit_umem *u = NULL;
	struct xdpkit_socket *s = NULL;
	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .frame_size = FRAME_SIZE);
	XDPKIT_OPTS(xdpkit_socket_config, scfg, .xdp_flags = mode, .tx_size = 64);
	XDPKIT_OPTS(xdpkit_stats, st);
	uint32_t tag = ++g_tag, queued = 0, completed = 0, received = 0, i, prog = 0;
	int rc = -1, partial = 0, m, c;
	uint8_t *area;
	long long deadline;
	ssize_t len;

	memset(seen_rx, 0, sizeof(seen_rx));
	memset(seen_comp, 0, sizeof(seen_comp));
	CHECK_RET(xdpkit_umem_create(&u, NULL, UMEM_SIZE, NULL, NULL, &ucfg), 0);
	CHECK_RET(xdpkit_socket_create(&s, g_if, 0, u, NULL, NULL, &scfg), 0);
	if (check_socket_info(s, 0, mode))
		goto out;
	prog = (uint32_t)xdpkit_socket_prog_id(s);
	area = xdpkit_umem_area(u);
	for (i = 0; i < NPKTS; i++) {
		descs[i].addr = (uint64_t)(NUM_FRAMES - NPKTS + i) * FRAME_SIZE;
		descs[i].len = build_frame(area + descs[i].addr, 1, tag, i);
		descs[i].options = 0;
	}
	drain(g_peer_fd);
	CHECK_RET(xdpkit_tx_batch(s, descs, 0, 0), 0);
	deadline = now_ms() + 2 * WAIT_MS;
	while (completed < NPKTS || received < NPKTS) {
		int progress = 0;

		if (queued < NPKTS) {
			m = xdpkit_tx_batch(s, descs + queued, NPKTS - queued, 1);
			CHECK(m >= 0, "xdpkit_tx_batch = %s (%s)", errstr(m), xdpkit_last_error());
			if ((uint32_t)m < NPKTS - queued)
				partial = 1;
			queued += (uint32_t)m;
			progress |= m > 0;
		}
		m = xdpkit_comp_batch(u, caddrs, 64);
		CHECK(m >= 0, "xdpkit_comp_batch = %s", errstr(m));
		for (c = 0; c < m; c++) {
			uint64_t k = caddrs[c] / FRAME_SIZE - (NUM_FRAMES - NPKTS);

			CHECK(caddrs[c] % FRAME_SIZE == 0 && k < NPKTS && !seen_comp[k],
			      "completion of address %#llx: not a frame sent once", (unsigned long long)caddrs[c]);
			seen_comp[k] = 1;
		}
		completed += (uint32_t)m;
		progress |= m > 0;
		CHECK(completed <= queued, "%u completions for %u queued frames", completed, queued);
		if (completed < queued)
			CHECK_RET(xdpkit_socket_kick(s), 0);
		while ((len = recv(g_peer_fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
			c = check_frame(buf, (uint32_t)len, 1, tag, NPKTS, seen_rx);
			if (c < 0)
				goto out;
			received += (uint32_t)c;
			progress = 1;
		}
		if (!progress) {
			struct pollfd pfd = { g_peer_fd, POLLIN, 0 };

			CHECK(now_ms() < deadline, "queued %u, completed %u, peer received %u of %u frames",
			      queued, completed, received, NPKTS);
			poll(&pfd, 1, 5);
		}
	}
	CHECK(partial, "xdpkit_tx_batch never queued fewer than asked with a 64-entry TX ring");
	CHECK_RET(xdpkit_socket_stats(s, &st), 0);
	CHECK(st.tx_invalid_descs == 0, "tx_invalid_descs %llu", (unsigned long long)st.tx_invalid_descs);
	if (delete_socket_umem(&s, &u) || check_detached(prog))
		goto out;
	rc = 0;
out:
	release(s, u);
	return rc;
}

static int t_rx_inline_skb(void) { return rx_inline(XDPKIT_XDP_FLAGS_SKB_MODE); }
static int t_rx_inline_drv(void) { return rx_inline(XDPKIT_XDP_FLAGS_DRV_MODE); }
static int t_rx_batch_skb(void) { return rx_batch(XDPKIT_XDP_FLAGS_SKB_MODE); }
static int t_rx_batch_drv(void) { return rx_batch(XDPKIT_XDP_FLAGS_DRV_MODE); }
static int t_tx_batch_skb(void) { return tx_batch(XDPKIT_XDP_FLAGS_SKB_MODE); }
static int t_tx_batch_drv(void) { return tx_batch(XDPKIT_XDP_FLAGS_DRV_MODE); }

/* Statistics: an empty fill ring shows in the counters; sz is honoured. */
static int t_stats(void)
{
	struct {
		struct xdpkit_stats st;
		uint64_t extra;
	} big;
	struct xdpkit_ring_prod fill;
	struct xdpkit_ring_cons comp, rx;
	struct xdpkit_stats small, st1;
	struct xdpkit_umem *u = NULL;
	struct xdpkit_socket *s = NULL;
	struct rxer r;
	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .frame_size = FRAME_SIZE);
	XDPKIT_OPTS(xdpkit_socket_config, scfg, .xdp_flags = XDPKIT_XDP_FLAGS_SKB_MODE);
	XDPKIT_OPTS(xdpkit_stats, st);
	long long deadline;
	int rc = -1;

	CHECK_RET(xdpkit_umem_create(&u, NULL, UMEM_SIZE, &fill, &comp, &ucfg), 0);
	CHECK_RET(xdpkit_socket_create(&s, g_if, 0, u, &rx, NULL, &scfg), 0);
	CHECK_RET(xdpkit_socket_stats(s, &st), 0);
	CHECK(st.sz == sizeof(st), "sz %zu after the call", st.sz);
	CHECK(!st.rx_dropped && !st.rx_invalid_descs && !st.tx_invalid_descs && !st.rx_ring_full &&
	      !st.rx_fill_ring_empty_descs, "a new socket has non-zero counters");
	/* Nothing on the fill ring: frames are dropped and counted. */
	if (send_frames(++g_tag, 0, 8))
		goto out;
	deadline = now_ms() + WAIT_MS;
	do {
		sleep_ms(10);
		st.sz = sizeof(st);
		CHECK_RET(xdpkit_socket_stats(s, &st), 0);
	} while (st.rx_dropped < 8 && now_ms() < deadline);
	CHECK(st.rx_dropped == 8 && st.rx_fill_ring_empty_descs >= 1,
	      "8 frames to an empty fill ring: rx_dropped %llu rx_fill_ring_empty_descs %llu",
	      (unsigned long long)st.rx_dropped, (unsigned long long)st.rx_fill_ring_empty_descs);
	CHECK(!st.rx_invalid_descs && !st.tx_invalid_descs && !st.rx_ring_full, "other counters moved");
	/* A larger struct (newer caller): the tail is left alone. */
	memset(&big, 0xa5, sizeof(big));
	big.st.sz = sizeof(big);
	CHECK_RET(xdpkit_socket_stats(s, &big.st), 0);
	CHECK(big.extra == 0xa5a5a5a5a5a5a5a5ULL, "the library wrote past its struct xdpkit_stats");
	CHECK(big.st.rx_dropped == st.rx_dropped && big.st.tx_ring_empty_descs == st.tx_ring_empty_descs,
	      "counters differ with a larger sz");
	/* A smaller struct (older caller): only what fits is written. */
	memset(&small, 0xa5, sizeof(small));
	small.sz = offsetof(struct xdpkit_stats, rx_invalid_descs);
	CHECK_RET(xdpkit_socket_stats(s, &small), 0);
	CHECK(small.sz == offsetof(struct xdpkit_stats, rx_invalid_descs), "small sz changed to %zu", small.sz);
	CHECK(small.rx_dropped == st.rx_dropped, "rx_dropped %llu with a small sz", (unsigned long long)small.rx_dropped);
	CHECK(small.rx_invalid_descs == 0xa5a5a5a5a5a5a5a5ULL && small.tx_ring_empty_descs == 0xa5a5a5a5a5a5a5a5ULL,
	      "the library wrote past the caller's sz");
	/* Too small. */
	memset(&st1, 0, sizeof(st1));
	CHECK_RET(xdpkit_socket_stats(s, &st1), -EINVAL);
	st1.sz = sizeof(size_t);
	CHECK_RET(xdpkit_socket_stats(s, &st1), -EINVAL);
	CHECK_RET(xdpkit_socket_stats(s, NULL), -EINVAL);
	/* With frames on the fill ring the next ones arrive and nothing more drops. */
	r = (struct rxer){ s, u, xdpkit_umem_area(u), &rx, &fill, 0 };
	if (prime_fill(&r, 0, PRIME) || rx_traffic(&r, 16, 16))
		goto out;
	st1.sz = sizeof(st1);
	CHECK_RET(xdpkit_socket_stats(s, &st1), 0);
	CHECK(st1.rx_dropped == st.rx_dropped, "rx_dropped went from %llu to %llu with a filled ring",
	      (unsigned long long)st.rx_dropped, (unsigned long long)st1.rx_dropped);
	CHECK(xdpkit_socket_tx_ring(s) && xdpkit_socket_tx_ring(s)->size == XDPKIT_DEFAULT_RING_SIZE,
	      "tx = NULL: the socket should have a TX ring of its own");
	rc = 0;
out:
	release(s, u);
	return rc;
}

/* Two sockets on two queues share the default program; it goes away with
 * the last one. */
static int t_xdp_detach(void)
{
	struct xdpkit_umem *u0 = NULL, *u1 = NULL;
	struct xdpkit_socket *s0 = NULL, *s1 = NULL;
	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .frame_size = FRAME_SIZE);
	XDPKIT_OPTS(xdpkit_socket_config, scfg, .xdp_flags = XDPKIT_XDP_FLAGS_SKB_MODE);
	XDPKIT_OPTS(xdpkit_socket_config, acfg, .xdp_flags = 0);
	char out[4096], want[64];
	uint32_t prog;
	int rc = -1;

	CHECK_RET(xdpkit_umem_create(&u0, NULL, UMEM_SIZE, NULL, NULL, &ucfg), 0);
	CHECK_RET(xdpkit_umem_create(&u1, NULL, UMEM_SIZE, NULL, NULL, &ucfg), 0);
	CHECK_RET(xdpkit_socket_create(&s0, g_if, 0, u0, NULL, NULL, &scfg), 0);
	if (check_socket_info(s0, 0, XDPKIT_XDP_FLAGS_SKB_MODE))
		goto out;
	prog = (uint32_t)xdpkit_socket_prog_id(s0);
	/* Auto mode joins the program already there, in its mode. */
	CHECK_RET(xdpkit_socket_create(&s1, g_if, 1, u1, NULL, NULL, &acfg), 0);
	if (check_socket_info(s1, 1, XDPKIT_XDP_FLAGS_SKB_MODE))
		goto out;
	CHECK_RET(xdpkit_socket_prog_id(s1), prog);
	CHECK(prog_exists(prog) == 1, "program %u not found with BPF_PROG_GET_FD_BY_ID", prog);
	ip_link_show(out, sizeof(out));
	snprintf(want, sizeof(want), "prog/xdp id %u", prog);
	CHECK(ip_shows_xdp(out) && strstr(out, " xdpgeneric") && strstr(out, want),
	      "`ip -d link show` lacks xdpgeneric / %s: %s", want, out);
	CHECK_RET(xdpkit_socket_delete(s0), 0);
	s0 = NULL;
	ip_link_show(out, sizeof(out));
	CHECK(ip_shows_xdp(out) && strstr(out, want), "the program went away with the first of two sockets: %s", out);
	CHECK_RET(xdpkit_socket_prog_id(s1), prog);
	CHECK_RET(xdpkit_socket_delete(s1), 0);
	s1 = NULL;
	if (check_detached(prog))
		goto out;
	rc = 0;
out:
	if (s0)
		xdpkit_socket_delete(s0);
	if (s1)
		xdpkit_socket_delete(s1);
	if (u0)
		xdpkit_umem_delete(u0);
	if (u1)
		xdpkit_umem_delete(u1);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Bad input. The survivor socket lives through all of it and must still
 * receive afterwards. */

static struct {
	struct xdpkit_umem *u;
	struct xdpkit_socket *s;
	struct xdpkit_ring_prod fill, tx;
	struct xdpkit_ring_cons comp, rx;
	struct rxer r;
} g_sv;

static int t_survivor_create(void)
{
	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .frame_size = FRAME_SIZE);
	XDPKIT_OPTS(xdpkit_socket_config, scfg, .xdp_flags = XDPKIT_XDP_FLAGS_SKB_MODE);
	int rc = -1;

	CHECK_RET(xdpkit_umem_create(&g_sv.u, NULL, UMEM_SIZE, &g_sv.fill, &g_sv.comp, &ucfg), 0);
	CHECK_RET(xdpkit_socket_create(&g_sv.s, g_if, 0, g_sv.u, &g_sv.rx, &g_sv.tx, &scfg), 0);
	g_sv.r = (struct rxer){ g_sv.s, g_sv.u, xdpkit_umem_area(g_sv.u), &g_sv.rx, &g_sv.fill, 0 };
	if (prime_fill(&g_sv.r, 0, PRIME) || rx_traffic(&g_sv.r, BURST, BURST))
		goto out;
	rc = 0;
out:
	return rc;
}

/* A scratch UMEM for the tests that need one. */
static struct xdpkit_umem *scratch_umem(void)
{
	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .frame_size = FRAME_SIZE, .fill_size = 64, .comp_size = 64);
	struct xdpkit_umem *u = NULL;
	int err = xdpkit_umem_create(&u, NULL, (uint64_t)FRAME_SIZE * 64, NULL, NULL, &ucfg);

	if (err)
		set_detail("scratch umem: %s (%s)", errstr(err), xdpkit_last_error());
	return u;
}

static int t_bad_null_out(void)
{
	struct xdpkit_socket *s = (struct xdpkit_socket *)&s;
	struct xdpkit_umem *u = scratch_umem();
	int rc = -1;

	CHECK(u, "%s", g_detail);
	CHECK_RET(xdpkit_umem_create(NULL, NULL, UMEM_SIZE, NULL, NULL, NULL), -EINVAL);
	CHECK_RET(xdpkit_socket_create(NULL, g_if, 1, u, NULL, NULL, NULL), -EINVAL);
	CHECK_RET(xdpkit_socket_create_shared(NULL, g_if, 1, u, NULL, NULL, NULL, NULL, NULL), -EINVAL);
	CHECK_RET(xdpkit_socket_create(&s, NULL, 1, u, NULL, NULL, NULL), -EINVAL);
	CHECK(s == NULL, "*out not cleared on failure");
	CHECK_RET(xdpkit_socket_stats(g_sv.s, NULL), -EINVAL);
	CHECK_RET(xdpkit_socket_options(g_sv.s, NULL), -EINVAL);
	CHECK_RET(xdpkit_rx_batch(g_sv.s, NULL, 4), -EINVAL);
	CHECK_RET(xdpkit_tx_batch(g_sv.s, NULL, 4, 1), -EINVAL);
	CHECK_RET(xdpkit_fill_batch(u, NULL, 4), -EINVAL);
	CHECK_RET(xdpkit_comp_batch(u, NULL, 4), -EINVAL);
	CHECK_RET(xdpkit_if_queues(NULL, NULL, NULL), -EINVAL);
	CHECK_RET(xdpkit_if_index(NULL), -EINVAL);
	CHECK_RET(xdpkit_umem_delete(u), 0);
	u = NULL;
	rc = 0;
out:
	if (u)
		xdpkit_umem_delete(u);
	return rc;
}

/* The socket calls that only look at their handle all fail with want on
 * bs (NULL or not a live socket). */
static int bad_socket_calls(struct xdpkit_socket *bs, int want)
{
	struct xdpkit_desc d = { 0, 64, 0 };
	XDPKIT_OPTS(xdpkit_stats, st);
	uint32_t o;
	int rc = -1;

	CHECK_RET(xdpkit_socket_fd(bs), want);
	CHECK_RET(xdpkit_socket_kick(bs), want);
	CHECK_RET(xdpkit_socket_wakeup_rx(bs), want);
	CHECK_RET(xdpkit_socket_poll(bs, POLLIN, 0), want);
	CHECK_RET(xdpkit_socket_stats(bs, &st), want);
	CHECK_RET(xdpkit_socket_options(bs, &o), want);
	CHECK_RET(xdpkit_socket_queue(bs), want);
	CHECK_RET(xdpkit_socket_xdp_mode(bs), want);
	CHECK_RET(xdpkit_socket_prog_id(bs), want);
	CHECK_RET(xdpkit_rx_batch(bs, &d, 1), want);
	CHECK_RET(xdpkit_tx_batch(bs, &d, 1, 1), want);
	CHECK_NULL(xdpkit_socket_rx_ring(bs));
	rc = 0;
out:
	return rc;
}

/* The same for the UMEM calls, on bu. */
static int bad_umem_calls(struct xdpkit_umem *bu, int want)
{
	uint64_t a = 0;
	int rc = -1;

	CHECK_RET(xdpkit_umem_fd(bu), want);
	CHECK_RET(xdpkit_umem_size(bu), want);
	CHECK_RET(xdpkit_fill_batch(bu, &a, 1), want);
	CHECK_RET(xdpkit_comp_batch(bu, &a, 1), want);
	CHECK_NULL(xdpkit_umem_area(bu));
	rc = 0;
out:
	return rc;
}

static int t_bad_null_handle(void)
{
	struct xdpkit_socket *s = NULL;
	int rc = -1;

	CHECK_RET(xdpkit_socket_create(&s, g_if, 1, NULL, NULL, NULL, NULL), -EINVAL);
	CHECK_RET(xdpkit_socket_delete(NULL), -EINVAL);
	if (bad_socket_calls(NULL, -EINVAL))
		goto out;
	CHECK_RET(xdpkit_socket_ifindex(NULL), -EINVAL);
	CHECK_NULL(xdpkit_socket_tx_ring(NULL));
	CHECK_NULL(xdpkit_socket_fill_ring(NULL));
	CHECK_NULL(xdpkit_socket_comp_ring(NULL));
	CHECK_RET(xdpkit_umem_delete(NULL), -EINVAL);
	if (bad_umem_calls(NULL, -EINVAL))
		goto out;
	CHECK_NULL(xdpkit_umem_fill_ring(NULL));
	CHECK_NULL(xdpkit_umem_comp_ring(NULL));
	rc = 0;
out:
	return rc;
}

/* Handles the library never made: one on the stack and one on the heap,
 * both carrying the right magic; and a socket passed as a UMEM. */
static int forged_calls(struct xdpkit_socket *fs, struct xdpkit_umem *fu)
{
	struct xdpkit_socket *s = NULL;
	int rc = -1;

	if (bad_socket_calls(fs, -EBADF))
		goto out;
	CHECK_RET(xdpkit_socket_delete(fs), -EBADF);
	if (bad_umem_calls(fu, -EBADF))
		goto out;
	CHECK_RET(xdpkit_socket_create(&s, g_if, 1, fu, NULL, NULL, NULL), -EBADF);
	CHECK_RET(xdpkit_umem_delete(fu), -EBADF);
	rc = 0;
out:
	return rc;
}

static int t_bad_forged_handle(void)
{
	struct { uint32_t magic; uint32_t pad[255]; } ss, su;
	uint32_t *hs = malloc(1024), *hu = malloc(1024);
	int rc = -1, i;

	CHECK(hs && hu, "out of memory");
	srand((unsigned)time(NULL));
	for (i = 0; i < 255; i++) {
		ss.pad[i] = su.pad[i] = (uint32_t)rand();
		hs[i + 1] = hu[i + 1] = (uint32_t)rand();
	}
	ss.magic = hs[0] = MAGIC_SOCK;
	su.magic = hu[0] = MAGIC_UMEM;
	if (forged_calls((struct xdpkit_socket *)&ss, (struct xdpkit_umem *)&su) ||
	    forged_calls((struct xdpkit_socket *)hs, (struct xdpkit_umem *)hu))
		goto out;
	/* Live handles of the wrong kind. */
	if (forged_calls((struct xdpkit_socket *)g_sv.u, (struct xdpkit_umem *)g_sv.s))
		goto out;
	rc = 0;
out:
	free(hs);
	free(hu);
	return rc;
}

static int t_bad_closed_handle(void)
{
	struct xdpkit_umem *u = scratch_umem();
	struct xdpkit_socket *s = NULL;
	struct xdpkit_desc d = { 0, 64, 0 };
	uint64_t a = 0;
	int rc = -1;

	CHECK(u, "%s", g_detail);
	CHECK_RET(xdpkit_socket_create(&s, g_if, 1, u, NULL, NULL, NULL), 0);
	CHECK_RET(xdpkit_socket_delete(s), 0);
	CHECK_RET(xdpkit_socket_fd(s), -EBADF);
	CHECK_RET(xdpkit_socket_stats(s, NULL), -EBADF);
	CHECK_RET(xdpkit_rx_batch(s, &d, 1), -EBADF);
	CHECK_RET(xdpkit_tx_batch(s, &d, 1, 1), -EBADF);
	CHECK_RET(xdpkit_socket_prog_id(s), -EBADF);
	CHECK_NULL(xdpkit_socket_rx_ring(s));
	s = NULL;
	CHECK_RET(xdpkit_umem_delete(u), 0);
	CHECK_RET(xdpkit_umem_fd(u), -EBADF);
	CHECK_RET(xdpkit_fill_batch(u, &a, 1), -EBADF);
	CHECK_RET(xdpkit_comp_batch(u, &a, 1), -EBADF);
	CHECK_NULL(xdpkit_umem_area(u));
	CHECK_RET(xdpkit_socket_create(&s, g_if, 1, u, NULL, NULL, NULL), -EBADF);
	u = NULL;
	rc = 0;
out:
	release(s, u);
	return rc;
}

static int t_bad_double_delete(void)
{
	struct xdpkit_umem *u = scratch_umem();
	struct xdpkit_socket *s = NULL;
	int rc = -1;

	CHECK(u, "%s", g_detail);
	CHECK_RET(xdpkit_socket_create(&s, g_if, 1, u, NULL, NULL, NULL), 0);
	CHECK_RET(xdpkit_socket_delete(s), 0);
	CHECK_RET(xdpkit_socket_delete(s), -EBADF);
	CHECK_RET(xdpkit_socket_delete(s), -EBADF);
	s = NULL;
	CHECK_RET(xdpkit_umem_delete(u), 0);
	CHECK_RET(xdpkit_umem_delete(u), -EBADF);
	u = NULL;
	rc = 0;
out:
	release(s, u);
	return rc;
}

/* A deleted handle stays dead after new handles are made: malloc reuses
 * freed memory at once, and a stale pointer that lands on a new handle
 * would pass for it (a late double delete would destroy someone else's
 * UMEM or socket). */
static int t_bad_stale_handle(void)
{
	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .frame_size = FRAME_SIZE, .fill_size = 64, .comp_size = 64);
	struct xdpkit_umem *old_u = NULL, *u = NULL;
	struct xdpkit_socket *old_s = NULL, *s = NULL;
	int i, rc = -1;

	for (i = 0; i < 64; i++) {
		CHECK_RET(xdpkit_umem_create(&old_u, NULL, (uint64_t)FRAME_SIZE * 64, NULL, NULL, &ucfg), 0);
		CHECK_RET(xdpkit_socket_create(&old_s, g_if, 1, old_u, NULL, NULL, NULL), 0);
		CHECK_RET(xdpkit_socket_delete(old_s), 0);
		CHECK_RET(xdpkit_umem_delete(old_u), 0);
		CHECK_RET(xdpkit_umem_create(&u, NULL, (uint64_t)FRAME_SIZE * 64, NULL, NULL, &ucfg), 0);
		CHECK_RET(xdpkit_socket_create(&s, g_if, 1, u, NULL, NULL, NULL), 0);
		CHECK(u != old_u && s != old_s, "cycle %d: a new handle has the address of a deleted one", i);
		CHECK_RET(xdpkit_socket_delete(old_s), -EBADF);
		CHECK_RET(xdpkit_umem_delete(old_u), -EBADF);
		CHECK_RET(xdpkit_socket_queue(s), 1);
		CHECK_RET(xdpkit_umem_size(u), (long)FRAME_SIZE * 64);
		if (delete_socket_umem(&s, &u))
			goto out;
	}
	rc = 0;
out:
	release(s, u);
	return rc;
}

static int t_bad_umem_busy(void)
{
	int rc = -1;

	CHECK_RET(xdpkit_umem_delete(g_sv.u), -EBUSY);
	CHECK(xdpkit_last_error()[0], "no message for EBUSY");
	CHECK_RET(xdpkit_umem_size(g_sv.u), (long)UMEM_SIZE);
	CHECK_RET(xdpkit_socket_queue(g_sv.s), 0);
	rc = 0;
out:
	return rc;
}

static int t_bad_no_device(void)
{
	struct xdpkit_umem *u = scratch_umem();
	struct xdpkit_socket *s = (struct xdpkit_socket *)&s;
	uint32_t rxq = 7, txq = 7;
	int rc = -1;

	CHECK(u, "%s", g_detail);
	CHECK_RET(xdpkit_socket_create(&s, "xdpkit-nodev0", 0, u, NULL, NULL, NULL), -ENODEV);
	CHECK(s == NULL, "*out not cleared on failure");
	CHECK(strstr(xdpkit_last_error(), "xdpkit-nodev0"), "message does not name the interface: %s", xdpkit_last_error());
	CHECK_RET(xdpkit_if_index("xdpkit-nodev0"), -ENODEV);
	CHECK_RET(xdpkit_if_queues("xdpkit-nodev0", &rxq, &txq), -ENODEV);
	CHECK_RET(xdpkit_if_index(g_if), g_ifindex);
	CHECK_RET(xdpkit_if_queues(g_if, &rxq, &txq), 0);
	CHECK(rxq == 2 && txq == 2, "%s has %u/%u queues, run.sh made 2/2", g_if, rxq, txq);
	CHECK_RET(xdpkit_if_queues(g_if, NULL, NULL), 0);
	/* The failed create left no reference on the UMEM. */
	CHECK_RET(xdpkit_umem_delete(u), 0);
	u = NULL;
	rc = 0;
out:
	if (u)
		xdpkit_umem_delete(u);
	return rc;
}

static int t_bad_queue(void)
{
	struct xdpkit_umem *u = scratch_umem();
	struct xdpkit_socket *s = NULL;
	int rc = -1;

	CHECK(u, "%s", g_detail);
	CHECK_RET(xdpkit_socket_create(&s, g_if, 2, u, NULL, NULL, NULL), -EINVAL);
	CHECK_RET(xdpkit_socket_create(&s, g_if, 4096, u, NULL, NULL, NULL), -EINVAL);
	CHECK_RET(xdpkit_socket_create(&s, g_if, 0xffffffffu, u, NULL, NULL, NULL), -EINVAL);
	CHECK_RET(xdpkit_umem_delete(u), 0);
	u = NULL;
	rc = 0;
out:
	release(s, u);
	return rc;
}

/* socket_create with cfg on queue 1 of a scratch UMEM must fail with want. */
static int socket_cfg_fails(const struct xdpkit_socket_config *cfg, int want, const char *what)
{
	struct xdpkit_umem *u = scratch_umem();
	struct xdpkit_socket *s = NULL;
	int rc = -1, err;

	CHECK(u, "%s", g_detail);
	err = xdpkit_socket_create(&s, g_if, 1, u, NULL, NULL, cfg);
	CHECK(err == want, "%s: xdpkit_socket_create = %s, want %s (%s)", what, errstr(err), errstr(want),
	      xdpkit_last_error());
	if (want && err == want)
		CHECK(xdpkit_last_error()[0], "%s: no message", what);
	CHECK_RET(xdpkit_umem_delete(u), want ? 0 : -EBUSY);
	if (!want) {
		CHECK_RET(xdpkit_socket_delete(s), 0);
		s = NULL;
		CHECK_RET(xdpkit_umem_delete(u), 0);
	}
	u = NULL;
	rc = 0;
out:
	release(s, u);
	return rc;
}

/* umem_create with cfg (and size, area) must fail with want. */
static int umem_cfg_fails(void *area, uint64_t size, const struct xdpkit_umem_config *cfg, int want, const char *what)
{
	struct xdpkit_umem *u = (struct xdpkit_umem *)&u;
	int rc = -1, err;

	err = xdpkit_umem_create(&u, area, size, NULL, NULL, cfg);
	CHECK(err == want, "%s: xdpkit_umem_create = %s, want %s (%s)", what, errstr(err), errstr(want), xdpkit_last_error());
	if (want) {
		CHECK(u == NULL, "%s: *out not cleared on failure", what);
		CHECK(xdpkit_last_error()[0], "%s: no message", what);
	} else {
		CHECK_RET(xdpkit_umem_delete(u), 0);
	}
	u = NULL;
	rc = 0;
out:
	if (u)
		xdpkit_umem_delete(u);
	return rc;
}

static int t_bad_ring_size(void)
{
	XDPKIT_OPTS(xdpkit_socket_config, c1, .rx_size = 1000);
	XDPKIT_OPTS(xdpkit_socket_config, c2, .tx_size = 3);
	XDPKIT_OPTS(xdpkit_socket_config, c3, .rx_size = 64, .tx_size = 128);
	XDPKIT_OPTS(xdpkit_umem_config, u1, .frame_size = FRAME_SIZE, .fill_size = 1000);
	XDPKIT_OPTS(xdpkit_umem_config, u2, .frame_size = FRAME_SIZE, .comp_size = 6);

	if (socket_cfg_fails(&c1, -EINVAL, "rx_size 1000") || socket_cfg_fails(&c2, -EINVAL, "tx_size 3") ||
	    socket_cfg_fails(&c3, 0, "rx_size 64 tx_size 128") ||
	    umem_cfg_fails(NULL, UMEM_SIZE, &u1, -EINVAL, "fill_size 1000") ||
	    umem_cfg_fails(NULL, UMEM_SIZE, &u2, -EINVAL, "comp_size 6"))
		return -1;
	return 0;
}

static int t_bad_frame_size(void)
{
	XDPKIT_OPTS(xdpkit_umem_config, f1000, .frame_size = 1000);
	XDPKIT_OPTS(xdpkit_umem_config, f3000, .frame_size = 3000);
	XDPKIT_OPTS(xdpkit_umem_config, f8192, .frame_size = 8192);
	XDPKIT_OPTS(xdpkit_umem_config, f2048, .frame_size = 2048);
	XDPKIT_OPTS(xdpkit_umem_config, f4096, .frame_size = 4096);
	uint8_t *area;
	int rc = -1;

	area = mmap(NULL, UMEM_SIZE + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(area != MAP_FAILED, "mmap: %s", strerror(errno));
	if (umem_cfg_fails(NULL, UMEM_SIZE, &f1000, -EINVAL, "frame_size 1000") ||
	    umem_cfg_fails(NULL, UMEM_SIZE, &f3000, -EINVAL, "frame_size 3000") ||
	    umem_cfg_fails(NULL, UMEM_SIZE, &f8192, -EINVAL, "frame_size 8192") ||
	    umem_cfg_fails(NULL, UMEM_SIZE + 100, &f2048, -EINVAL, "size not a multiple of the frame size") ||
	    umem_cfg_fails(NULL, 1024, &f2048, -EINVAL, "size below one frame") ||
	    umem_cfg_fails(area + 64, UMEM_SIZE, &f2048, -EINVAL, "area not page aligned") ||
	    umem_cfg_fails(area, 0, &f2048, -EINVAL, "caller's area of size 0") ||
	    umem_cfg_fails(NULL, UMEM_SIZE, &f2048, 0, "frame_size 2048") ||
	    umem_cfg_fails(NULL, UMEM_SIZE, &f4096, 0, "frame_size 4096") ||
	    umem_cfg_fails(area, UMEM_SIZE, &f4096, 0, "caller's area"))
		goto out;
	rc = 0;
out:
	if (area != MAP_FAILED)
		munmap(area, UMEM_SIZE + 4096);
	return rc;
}

/* Headroom must leave room for XDP_PACKET_HEADROOM (256) in the frame; the
 * library checks that. Kernels since 6.x also keep room for the
 * skb_shared_info tailroom (chunk - 256 - 448 is the largest headroom 6.18
 * takes): between the two limits the kernel's EINVAL comes through. */
static int t_bad_headroom(void)
{
	XDPKIT_OPTS(xdpkit_umem_config, h1, .frame_size = 2048, .frame_headroom = 2048 - 256);
	XDPKIT_OPTS(xdpkit_umem_config, h2, .frame_size = 4096, .frame_headroom = 8192);
	XDPKIT_OPTS(xdpkit_umem_config, h3, .frame_size = 2048, .frame_headroom = 2048 - 256 - 1);
	XDPKIT_OPTS(xdpkit_umem_config, h4, .frame_size = 4096, .frame_headroom = 0xffffffffu);
	XDPKIT_OPTS(xdpkit_umem_config, h5, .frame_size = 2048, .frame_headroom = 256);

	if (umem_cfg_fails(NULL, UMEM_SIZE, &h1, -EINVAL, "headroom frame_size - 256") ||
	    umem_cfg_fails(NULL, UMEM_SIZE, &h2, -EINVAL, "headroom 8192") ||
	    umem_cfg_fails(NULL, UMEM_SIZE, &h3, -EINVAL, "headroom frame_size - 257") ||
	    umem_cfg_fails(NULL, UMEM_SIZE * 2, &h4, -EINVAL, "headroom 2^32-1") ||
	    umem_cfg_fails(NULL, UMEM_SIZE, &h5, 0, "headroom 256"))
		return -1;
	return 0;
}

static int t_bad_flags(void)
{
	XDPKIT_OPTS(xdpkit_socket_config, b1, .bind_flags = 1 << 5);
	XDPKIT_OPTS(xdpkit_socket_config, b2, .bind_flags = 1 << 15);
	XDPKIT_OPTS(xdpkit_socket_config, b3, .bind_flags = 1 /* XDP_SHARED_UMEM */);
	XDPKIT_OPTS(xdpkit_socket_config, b4, .bind_flags = XDPKIT_BIND_COPY | XDPKIT_BIND_ZEROCOPY);
	XDPKIT_OPTS(xdpkit_socket_config, f1, .flags = 1 << 2);
	XDPKIT_OPTS(xdpkit_socket_config, f2, .flags = XDPKIT_SOCKET_NO_RX | XDPKIT_SOCKET_NO_TX);
	XDPKIT_OPTS(xdpkit_socket_config, r1, .reserved = 1);
	XDPKIT_OPTS(xdpkit_socket_config, x1, .xdp_flags = XDPKIT_XDP_FLAGS_SKB_MODE | XDPKIT_XDP_FLAGS_DRV_MODE);
	XDPKIT_OPTS(xdpkit_socket_config, x2, .xdp_flags = 1 << 4);
	XDPKIT_OPTS(xdpkit_socket_config, l1, .libxdp_flags = 1 << 1);
	XDPKIT_OPTS(xdpkit_socket_config, ok1, .bind_flags = XDPKIT_BIND_COPY | XDPKIT_BIND_NEED_WAKEUP,
		    .flags = XDPKIT_SOCKET_NO_TX);
	XDPKIT_OPTS(xdpkit_umem_config, u1, .frame_size = FRAME_SIZE, .flags = 1 << 3);

	if (socket_cfg_fails(&b1, -EINVAL, "bind_flags 1<<5") || socket_cfg_fails(&b2, -EINVAL, "bind_flags 1<<15") ||
	    socket_cfg_fails(&b3, -EINVAL, "bind_flags XDP_SHARED_UMEM") ||
	    socket_cfg_fails(&b4, -EINVAL, "bind_flags COPY|ZEROCOPY") ||
	    socket_cfg_fails(&f1, -EINVAL, "flags 1<<2") || socket_cfg_fails(&f2, -EINVAL, "flags NO_RX|NO_TX") ||
	    socket_cfg_fails(&r1, -EINVAL, "reserved 1") || socket_cfg_fails(&x1, -EINVAL, "xdp_flags SKB|DRV") ||
	    socket_cfg_fails(&x2, -EINVAL, "xdp_flags 1<<4") || socket_cfg_fails(&l1, -EINVAL, "libxdp_flags 1<<1") ||
	    socket_cfg_fails(&ok1, 0, "COPY|NEED_WAKEUP, NO_TX") ||
	    umem_cfg_fails(NULL, UMEM_SIZE, &u1, -EINVAL, "umem flags 1<<3"))
		return -1;
	return 0;
}

/* The sz of the config structs: too small fails, an older (smaller) struct
 * gets defaults past its end, a newer (larger) one needs a zero tail. */
static int t_bad_opts_sz(void)
{
	struct {
		struct xdpkit_umem_config c;
		uint64_t extra[2];
	} ub;
	struct {
		struct xdpkit_socket_config c;
		uint64_t extra[2];
	} sb;
	struct xdpkit_umem_config uc;
	struct xdpkit_socket_config sc;
	int rc = -1;

	memset(&uc, 0, sizeof(uc));
	uc.frame_size = FRAME_SIZE;
	if (umem_cfg_fails(NULL, UMEM_SIZE, &uc, -EINVAL, "umem sz 0"))
		goto out;
	uc.sz = 4;
	if (umem_cfg_fails(NULL, UMEM_SIZE, &uc, -EINVAL, "umem sz 4"))
		goto out;
	/* Older caller: frame_size lies past sz and is not read. */
	uc.sz = offsetof(struct xdpkit_umem_config, frame_size);
	uc.frame_size = 1000;
	if (umem_cfg_fails(NULL, (uint64_t)XDPKIT_DEFAULT_FRAME_SIZE * 64, &uc, 0, "umem sz before frame_size"))
		goto out;
	memset(&ub, 0, sizeof(ub));
	ub.c.sz = sizeof(ub);
	ub.c.frame_size = FRAME_SIZE;
	ub.extra[1] = 1;
	if (umem_cfg_fails(NULL, UMEM_SIZE, &ub.c, -EINVAL, "umem sz larger, tail not zero"))
		goto out;
	ub.extra[1] = 0;
	if (umem_cfg_fails(NULL, UMEM_SIZE, &ub.c, 0, "umem sz larger, tail zero"))
		goto out;

	memset(&sc, 0, sizeof(sc));
	if (socket_cfg_fails(&sc, -EINVAL, "socket sz 0"))
		goto out;
	sc.sz = sizeof(size_t) - 1;
	if (socket_cfg_fails(&sc, -EINVAL, "socket sz 7"))
		goto out;
	sc.sz = offsetof(struct xdpkit_socket_config, rx_size) + sizeof(uint32_t);
	sc.rx_size = 64;
	sc.tx_size = 1000; /* past sz: not read */
	if (socket_cfg_fails(&sc, 0, "socket sz up to rx_size"))
		goto out;
	memset(&sb, 0, sizeof(sb));
	sb.c.sz = sizeof(sb);
	sb.extra[0] = 0xff;
	if (socket_cfg_fails(&sb.c, -EINVAL, "socket sz larger, tail not zero"))
		goto out;
	sb.extra[0] = 0;
	if (socket_cfg_fails(&sb.c, 0, "socket sz larger, tail zero"))
		goto out;
	rc = 0;
out:
	return rc;
}

/* Descriptors outside the UMEM are refused before anything is queued. */
static int t_bad_tx_desc(void)
{
	struct xdpkit_desc d[2];
	uint64_t a[2];
	uint32_t prod = g_sv.tx.cached_prod, kprod = *g_sv.tx.producer;
	uint32_t fprod = g_sv.fill.cached_prod, fkprod = *g_sv.fill.producer;
	int rc = -1;

	d[0] = (struct xdpkit_desc){ 0, 64, 0 };
	d[1] = (struct xdpkit_desc){ UMEM_SIZE, 64, 0 };
	CHECK_RET(xdpkit_tx_batch(g_sv.s, d + 1, 1, 1), -EINVAL);
	CHECK_RET(xdpkit_tx_batch(g_sv.s, d, 2, 1), -EINVAL);
	d[1] = (struct xdpkit_desc){ UMEM_SIZE - 10, 100, 0 };
	CHECK_RET(xdpkit_tx_batch(g_sv.s, d, 2, 0), -EINVAL);
	d[1] = (struct xdpkit_desc){ ~0ULL - 63, 64, 0 };
	CHECK_RET(xdpkit_tx_batch(g_sv.s, d, 2, 0), -EINVAL);
	d[1] = (struct xdpkit_desc){ (1ULL << 48) * 100 + (UMEM_SIZE - 64), 64, 0 }; /* unaligned-mode offset past the end */
	CHECK_RET(xdpkit_tx_batch(g_sv.s, d, 2, 0), -EINVAL);
	d[1] = (struct xdpkit_desc){ 0, 0, 0 };
	CHECK_RET(xdpkit_tx_batch(g_sv.s, d + 1, 1, 0), -EINVAL);
	CHECK(g_sv.tx.cached_prod == prod && *g_sv.tx.producer == kprod, "a refused batch queued descriptors");
	a[0] = 0;
	a[1] = UMEM_SIZE;
	CHECK_RET(xdpkit_fill_batch(g_sv.u, a, 2), -EINVAL);
	CHECK(g_sv.fill.cached_prod == fprod && *g_sv.fill.producer == fkprod, "a refused fill batch queued addresses");
	rc = 0;
out:
	return rc;
}

/* veth has no zero-copy: requiring it fails with the kernel's error, and
 * the UMEM is still good for a copy-mode socket afterwards. */
static int t_zerocopy_veth(void)
{
	struct xdpkit_umem *u = scratch_umem();
	struct xdpkit_socket *s = (struct xdpkit_socket *)&s;
	XDPKIT_OPTS(xdpkit_socket_config, zc, .bind_flags = XDPKIT_BIND_ZEROCOPY);
	XDPKIT_OPTS(xdpkit_socket_config, cp, .bind_flags = XDPKIT_BIND_COPY);
	uint32_t opts = 0;
	int rc = -1;

	CHECK(u, "%s", g_detail);
	CHECK_RET(xdpkit_socket_create(&s, g_if, 1, u, NULL, NULL, &zc), -EOPNOTSUPP);
	CHECK(s == NULL, "*out not cleared on failure");
	CHECK(strstr(xdpkit_last_error(), "zero-copy"), "message: %s", xdpkit_last_error());
	CHECK_RET(xdpkit_socket_create(&s, g_if, 1, u, NULL, NULL, &cp), 0);
	CHECK_RET(xdpkit_socket_options(s, &opts), 0);
	CHECK(!(opts & XDPKIT_OPTIONS_ZEROCOPY), "options %#x", opts);
	if (delete_socket_umem(&s, &u))
		goto out;
	rc = 0;
out:
	release(s, u);
	return rc;
}

/* The program is attached in skb mode (the survivor): another socket
 * cannot ask for driver mode. */
static int t_bad_mode_conflict(void)
{
	XDPKIT_OPTS(xdpkit_socket_config, drv, .xdp_flags = XDPKIT_XDP_FLAGS_DRV_MODE);

	return socket_cfg_fails(&drv, -EBUSY, "xdp_flags DRV_MODE while SKB_MODE is attached");
}

/* A second socket on another queue shares the survivor's UMEM with its
 * own fill and completion rings. */
static int t_shared_umem(void)
{
	struct xdpkit_ring_prod fill;
	struct xdpkit_ring_cons comp;
	struct xdpkit_socket *s = NULL;
	int rc = -1;

	memset(&fill, 0, sizeof(fill));
	memset(&comp, 0, sizeof(comp));
	CHECK_RET(xdpkit_socket_create_shared(&s, g_if, 1, g_sv.u, NULL, NULL, &fill, &comp, NULL), 0);
	CHECK(xdpkit_socket_fill_ring(s) == &fill && xdpkit_socket_comp_ring(s) == &comp, "own rings not the caller's");
	CHECK(fill.size == XDPKIT_DEFAULT_RING_SIZE && fill.producer && fill.producer != g_sv.fill.producer,
	      "the shared socket has no fill ring of its own");
	CHECK(xdpkit_socket_fd(s) != xdpkit_umem_fd(g_sv.u), "the second socket uses the UMEM's fd");
	CHECK_RET(xdpkit_socket_queue(s), 1);
	CHECK_RET(xdpkit_umem_delete(g_sv.u), -EBUSY);
	CHECK_RET(xdpkit_socket_delete(s), 0);
	s = NULL;
	rc = 0;
out:
	if (s)
		xdpkit_socket_delete(s);
	return rc;
}

static void *errmsg_thread(void *arg)
{
	(void)arg;
	xdpkit_if_index("xdpkit-thread0");
	return strstr(xdpkit_last_error(), "xdpkit-thread0") ? arg : NULL;
}

static int t_errmsg(void)
{
	char buf[1100], small[8], last[1100];
	pthread_t th;
	void *res = NULL;
	int rc = -1, n;

	CHECK_RET(xdpkit_if_index("xdpkit-nodev0"), -ENODEV);
	snprintf(last, sizeof(last), "%s", xdpkit_last_error());
	CHECK(last[0], "xdpkit_last_error() is empty after a failure");
	n = (int)strlen(last);
	CHECK(n >= (int)sizeof(small), "message too short for the test: %s", last);
	CHECK_RET(xdpkit_errmsg(NULL, 0), n);
	CHECK_RET(xdpkit_errmsg(NULL, 5), -EINVAL);
	CHECK_RET(xdpkit_errmsg(buf, sizeof(buf)), n);
	CHECK(!strcmp(buf, last), "xdpkit_errmsg copied \"%s\", want \"%s\"", buf, last);
	memset(small, 'x', sizeof(small));
	CHECK_RET(xdpkit_errmsg(small, sizeof(small)), -ERANGE);
	CHECK(small[sizeof(small) - 1] == '\0' && !strncmp(small, last, sizeof(small) - 1),
	      "truncated copy is not the terminated start of the message");
	CHECK_RET(xdpkit_errmsg(small, 0), -ERANGE);
	CHECK_RET(xdpkit_errmsg(buf, (size_t)n), -ERANGE);
	CHECK_RET(xdpkit_errmsg(buf, (size_t)n + 1), n);
	/* The message is per thread. */
	CHECK(pthread_create(&th, NULL, errmsg_thread, &res) == 0, "pthread_create");
	pthread_join(th, &res);
	CHECK(res, "the other thread did not see its own message");
	CHECK(!strcmp(xdpkit_last_error(), last), "another thread's failure changed this thread's message: %s",
	      xdpkit_last_error());
	CHECK(!strcmp(xdpkit_strerror(-EBADF), strerror(EBADF)) && !strcmp(xdpkit_strerror(EBUSY), strerror(EBUSY)),
	      "xdpkit_strerror");
	CHECK(xdpkit_strerror(123456) != NULL, "xdpkit_strerror returned NULL");
	rc = 0;
out:
	return rc;
}

static int t_survivor_rx(void)
{
	uint32_t prog = (uint32_t)xdpkit_socket_prog_id(g_sv.s);
	int rc = -1;

	CHECK(g_sv.s, "no survivor socket");
	if (check_socket_info(g_sv.s, 0, XDPKIT_XDP_FLAGS_SKB_MODE) || rx_traffic(&g_sv.r, NPKTS, BURST))
		goto out;
	if (delete_socket_umem(&g_sv.s, &g_sv.u) || check_detached(prog))
		goto out;
	rc = 0;
out:
	return rc;
}

/* ------------------------------------------------------------------ */
/* Resources */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Lines of /proc/self/maps; *rings gets those mapping a socket (the
 * AF_XDP rings). */
static int count_maps(int *rings)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	int n = 0;

	*rings = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strchr(line, '\n'))
			n++;
		*rings += strstr(line, " socket:[") != NULL;
	}
	fclose(f);
	return n;
}

static int leak_cycle(void)
{
	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .frame_size = FRAME_SIZE, .fill_size = 64, .comp_size = 64);
	XDPKIT_OPTS(xdpkit_socket_config, scfg, .xdp_flags = XDPKIT_XDP_FLAGS_SKB_MODE, .rx_size = 64, .tx_size = 64);
	struct xdpkit_umem *u = NULL;
	struct xdpkit_socket *s = NULL;
	int rc = -1;

	CHECK_RET(xdpkit_umem_create(&u, NULL, (uint64_t)FRAME_SIZE * 64, NULL, NULL, &ucfg), 0);
	CHECK_RET(xdpkit_socket_create(&s, g_if, 0, u, NULL, NULL, &scfg), 0);
	if (delete_socket_umem(&s, &u))
		goto out;
	rc = 0;
out:
	release(s, u);
	return rc;
}

/* fds and mappings come back after LEAK_CYCLES cycles of UMEM + socket
 * (+ program, map, link) create/delete: fds and ring mappings exactly.
 * The Go heap keeps growing into a few more anonymous mappings over the
 * first hundreds of cycles (seen: 1-4 per 100, never one per cycle), so
 * for all mappings the test only rules out a per-cycle leak. */
static int t_leak(void)
{
	int fds0, maps0, rings0, fds1, maps1, rings1, i, rc = -1;

	if (leak_cycle()) /* warm-up: Go runtime, cilium/ebpf caches */
		goto out;
	fds0 = count_fds();
	maps0 = count_maps(&rings0);
	for (i = 0; i < LEAK_CYCLES; i++) {
		if (leak_cycle())
			goto out;
	}
	fds1 = count_fds();
	maps1 = count_maps(&rings1);
	CHECK(fds0 > 0 && fds1 == fds0, "%d fds before %d cycles, %d after", fds0, LEAK_CYCLES, fds1);
	CHECK(maps0 > 0 && rings1 == rings0, "%d ring mappings before %d cycles, %d after", rings0, LEAK_CYCLES, rings1);
	CHECK(maps1 >= maps0 && maps1 - maps0 < LEAK_CYCLES / 10, "%d mappings before %d cycles, %d after",
	      maps0, LEAK_CYCLES, maps1);
	rc = 0;
out:
	return rc;
}

/* ns per handle lookup: a batch call that moves nothing is the registry
 * check and little else. Best of three rounds. */
static double lookup_ns(struct xdpkit_umem *u)
{
	double best = 1e12;
	int round, i;

	for (round = 0; round < 3; round++) {
		struct timespec a, b;
		double ns;

		clock_gettime(CLOCK_MONOTONIC, &a);
		for (i = 0; i < 100000; i++)
			xdpkit_fill_batch(u, NULL, 0);
		clock_gettime(CLOCK_MONOTONIC, &b);
		ns = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / 100000;
		if (ns < best)
			best = ns;
	}
	return best;
}

/* Bytes malloc has handed out, in the heap and in mmap'd chunks. */
static size_t malloc_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/* Many handles come and go: the library's C memory and its handle checks
 * on the data path stay as they were. The handle registry used to keep
 * every deleted entry until its table doubled (16000 cycles: a 512 KiB
 * table, and checks ~100 times slower when malloc reused addresses). */
static int t_registry_churn(void)
{
	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .frame_size = FRAME_SIZE, .fill_size = 64, .comp_size = 64);
	struct xdpkit_umem *u = NULL, *v = NULL;
	double before, after;
	size_t heap0, heap1;
	int i, fds, rc = -1;

	CHECK_RET(xdpkit_umem_create(&u, NULL, (uint64_t)FRAME_SIZE * 16, NULL, NULL, &ucfg), 0);
	before = lookup_ns(u);
	CHECK_RET(xdpkit_umem_delete(u), 0);
	u = NULL;
	/* Past the library's quarantine of freed handles (1024) first. */
	for (i = 0; i < 2000; i++) {
		CHECK_RET(xdpkit_umem_create(&v, NULL, (uint64_t)FRAME_SIZE * 16, NULL, NULL, &ucfg), 0);
		CHECK_RET(xdpkit_umem_delete(v), 0);
	}
	v = NULL;
	fds = count_fds();
	heap0 = malloc_bytes();
	for (i = 0; i < 16000; i++) {
		CHECK_RET(xdpkit_umem_create(&v, NULL, (uint64_t)FRAME_SIZE * 16, NULL, NULL, &ucfg), 0);
		CHECK_RET(xdpkit_umem_delete(v), 0);
	}
	v = NULL;
	heap1 = malloc_bytes();
	CHECK(count_fds() == fds, "%d fds before 16000 UMEM cycles, %d after", fds, count_fds());
	CHECK(heap1 < heap0 + 64 * 1024, "malloc'd memory grew by %zd bytes over 16000 UMEM cycles",
	      (ssize_t)(heap1 - heap0));
	CHECK_RET(xdpkit_umem_create(&u, NULL, (uint64_t)FRAME_SIZE * 16, NULL, NULL, &ucfg), 0);
	after = lookup_ns(u);
	CHECK(after < 10 * before + 500, "a handle check took %.0f ns before 18000 create/delete cycles, %.0f ns after",
	      before, after);
	rc = 0;
out:
	if (u)
		xdpkit_umem_delete(u);
	if (v)
		xdpkit_umem_delete(v);
	return rc;
}

/* Every fd the library opened is close-on-exec. */
static int t_cloexec(void)
{
	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .frame_size = FRAME_SIZE);
	XDPKIT_OPTS(xdpkit_socket_config, scfg, .xdp_flags = XDPKIT_XDP_FLAGS_SKB_MODE);
	struct xdpkit_umem *u = NULL;
	struct xdpkit_socket *s = NULL;
	struct dirent *e;
	DIR *d = NULL;
	int rc = -1, fd, fl, n = 0;

	CHECK_RET(xdpkit_umem_create(&u, NULL, UMEM_SIZE, NULL, NULL, &ucfg), 0);
	fd = xdpkit_umem_fd(u);
	CHECK(fd > 2, "umem fd %d", fd);
	fl = fcntl(fd, F_GETFD);
	CHECK(fl >= 0 && (fl & FD_CLOEXEC), "umem fd %d: F_GETFD %#x", fd, fl);
	CHECK_RET(xdpkit_socket_create(&s, g_if, 0, u, NULL, NULL, &scfg), 0);
	fd = xdpkit_socket_fd(s);
	fl = fcntl(fd, F_GETFD);
	CHECK(fl >= 0 && (fl & FD_CLOEXEC), "socket fd %d: F_GETFD %#x", fd, fl);
	/* And every other fd opened since main started (program, link, map,
	 * Go runtime, the test's own). */
	d = opendir("/proc/self/fd");
	CHECK(d, "opendir: %s", strerror(errno));
	while ((e = readdir(d))) {
		char path[64], target[256];
		ssize_t len;

		if (e->d_name[0] == '.')
			continue;
		fd = atoi(e->d_name);
		if (fd <= 2 || fd == dirfd(d) || (fd < (int)sizeof(g_inherited) && g_inherited[fd]))
			continue;
		fl = fcntl(fd, F_GETFD);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		len = readlink(path, target, sizeof(target) - 1);
		target[len > 0 ? len : 0] = '\0';
		CHECK(fl >= 0 && (fl & FD_CLOEXEC), "fd %d (%s) is not close-on-exec", fd, target);
		n++;
	}
	CHECK(n >= 4, "only %d fds checked: expected socket, program, map, link", n);
	rc = 0;
out:
	if (d)
		closedir(d);
	release(s, u);
	return rc;
}

static int t_version(void)
{
	int rc = -1;

	CHECK_RET(xdpkit_version(), XDPKIT_VERSION);
	CHECK(XDPKIT_VERSION == 0x000100, "XDPKIT_VERSION %#x, the header says 0.1.0", XDPKIT_VERSION);
	rc = 0;
out:
	return rc;
}

/* ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* fds inherited from the caller are not the library's to mark. */
	for (fd = 0; fd < (int)sizeof(g_inherited); fd++)
		g_inherited[fd] = fcntl(fd, F_GETFD) >= 0;
	g_if = argc > 1 ? argv[1] : getenv("XDPKIT_TEST_IF");
	g_peer_ns = argc > 2 ? argv[2] : getenv("XDPKIT_TEST_PEER_NETNS");
	g_peer_if = argc > 3 ? argv[3] : getenv("XDPKIT_TEST_PEER_IF");
	if (!g_if || !g_peer_ns || !g_peer_if) {
		fprintf(stderr, "usage: %s IFNAME PEER_NETNS PEER_IFNAME (see tests/c/run.sh)\n", argv[0]);
		return 2;
	}
	if (if_open(g_if, &g_ifindex, g_mac))
		return 2;
	g_peer_fd = peer_open(g_peer_ns, g_peer_if, 32 << 20, g_peer_mac);
	if (g_peer_fd < 0)
		return 2;

	run("VERSION", t_version);
	run("RX_INLINE_SKB", t_rx_inline_skb);
	run("RX_INLINE_DRV", t_rx_inline_drv);
	run("RX_BATCH_SKB", t_rx_batch_skb);
	run("RX_BATCH_DRV", t_rx_batch_drv);
	run("TX_BATCH_SKB", t_tx_batch_skb);
	run("TX_BATCH_DRV", t_tx_batch_drv);
	run("STATS", t_stats);
	run("XDP_DETACH", t_xdp_detach);

	run("SURVIVOR_CREATE", t_survivor_create);
	if (g_sv.s) {
		run("BAD_NULL_OUT", t_bad_null_out);
		run("BAD_NULL_HANDLE", t_bad_null_handle);
		run("BAD_FORGED_HANDLE", t_bad_forged_handle);
		run("BAD_CLOSED_HANDLE", t_bad_closed_handle);
		run("BAD_DOUBLE_DELETE", t_bad_double_delete);
		run("BAD_STALE_HANDLE", t_bad_stale_handle);
		run("BAD_UMEM_BUSY", t_bad_umem_busy);
		run("BAD_NO_DEVICE", t_bad_no_device);
		run("BAD_QUEUE", t_bad_queue);
		run("BAD_RING_SIZE", t_bad_ring_size);
		run("BAD_FRAME_SIZE", t_bad_frame_size);
		run("BAD_HEADROOM", t_bad_headroom);
		run("BAD_FLAGS", t_bad_flags);
		run("BAD_OPTS_SZ", t_bad_opts_sz);
		run("BAD_TX_DESC", t_bad_tx_desc);
		run("BAD_MODE_CONFLICT", t_bad_mode_conflict);
		run("ZEROCOPY_VETH", t_zerocopy_veth);
		run("SHARED_UMEM", t_shared_umem);
		run("ERRMSG", t_errmsg);
		run("SURVIVOR_RX", t_survivor_rx);
	}

	run("LEAK", t_leak);
	run("REGISTRY_CHURN", t_registry_churn);
	run("CLOEXEC", t_cloexec);

	printf("%d passed, %d failed\n", g_passed, g_failed);
	return g_failed ? 1 : 0;
}
