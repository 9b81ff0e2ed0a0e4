/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * xskbench — the C benchmark of `make bench`: rxdrop, txonly and l2fwd in
 * one program written against libxdp's AF_XDP API (<xdp/xsk.h>) only.
 *
 * The same source builds two ways, and the benchmark compares the two:
 *   cc -DUSE_LIBXDP xskbench.c -lxdp -lbpf        (libxdp + libbpf)
 *   cc -Iinclude xskbench.c -lxdpkit              (<xdpkit/xsk.h>)
 * The data path (everything in the loops) is the same text for both.
 *
 * Program loading differs, because libxdp's own loader (the multi-program
 * dispatcher, freplace) fails with EPERM on the kernels this runs on: the
 * libxdp build creates its socket with INHIBIT_PROG_LOAD and attaches
 * xdpkit's redirect program (xsk/redirect_bpfel.o, the same object the
 * xdpkit library loads) with libbpf, then stores the socket in its XSKMAP;
 * the xdpkit build lets the library attach its default program.
 *
 *   xskbench rxdrop|txonly|l2fwd -i IFNAME [-q QUEUE] [-m skb|drv|auto] [-c]
 *            [-d SECONDS] [-l LEN] [-S SRCMAC] [-D DSTMAC] [-a SRCIP] [-b DSTIP]
 *            [-P REDIRECT_OBJ]
 * It ends with one line "xskbench: received|sent|forwarded N packets".
 */
#ifdef USE_LIBXDP
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/xsk.h>
#else
#include <xdpkit/xsk.h>
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#ifndef SOL_XDP
#define SOL_XDP 283
#endif
#include <time.h>
#include <unistd.h>

#ifndef REDIRECT_OBJ
#define REDIRECT_OBJ "xsk/redirect_bpfel.o"
#endif

#define NUM_FRAMES 4096
#define FRAME_SIZE XSK_UMEM__DEFAULT_FRAME_SIZE
#define BATCH_SIZE 64
#define IDLE_SPINS 1024

enum mode { RXDROP, TXONLY, L2FWD };

static const char *mode_names[] = { "rxdrop", "txonly", "l2fwd" };

struct opts {
	enum mode mode;
	const char *ifname;
	__u32 queue;
	__u32 xdp_flags;
	__u16 bind_flags;
	double duration;
	__u32 pkt_len;
	__u8 src_mac[6], dst_mac[6];
	struct in_addr src_ip, dst_ip;
	const char *obj_path;
};

struct bench {
	struct xsk_ring_prod fq, tx;
	struct xsk_ring_cons cq, rx;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	void *area;
	int fd;
	__u32 outstanding;
	__u64 count;
};

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

static void fail(const char *what, int err)
{
	fprintf(stderr, "xskbench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: xskbench rxdrop|txonly|l2fwd -i IFNAME [-q QUEUE] [-m skb|drv|auto] [-c] "
			"[-d SECONDS] [-l LEN] [-S SRCMAC] [-D DSTMAC] [-a SRCIP] [-b DSTIP] [-P REDIRECT_OBJ]\n");
	exit(2);
}

static int parse_mac(const char *s, __u8 mac[6])
{
	unsigned int b[6];
	char c;
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &c) != 6)
		return -1;
	for (i = 0; i < 6; i++) {
		if (b[i] > 0xff)
			return -1;
		mac[i] = (__u8)b[i];
	}
	return 0;
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	static const __u8 src[6] = { 2, 0, 0, 0, 0, 2 }, dst[6] = { 2, 0, 0, 0, 0, 1 };
	char *end;
	int c, i;

	memset(o, 0, sizeof(*o));
	if (argc < 2)
		usage();
	for (i = 0; i < 3; i++)
		if (!strcmp(argv[1], mode_names[i]))
			break;
	if (i == 3)
		usage();
	o->mode = (enum mode)i;
	o->pkt_len = 64;
	o->obj_path = REDIRECT_OBJ;
	memcpy(o->src_mac, src, 6);
	memcpy(o->dst_mac, dst, 6);
	inet_pton(AF_INET, "10.77.0.2", &o->src_ip);
	inet_pton(AF_INET, "10.77.0.1", &o->dst_ip);
	optind = 2;
	while ((c = getopt(argc, argv, "i:q:m:czd:l:S:D:a:b:P:")) != -1) {
		switch (c) {
		case 'i':
			o->ifname = optarg;
			break;
		case 'q':
			o->queue = (__u32)strtoul(optarg, &end, 0);
			if (*end)
				usage();
			break;
		case 'm':
			if (!strcmp(optarg, "skb"))
				o->xdp_flags = XDP_FLAGS_SKB_MODE;
			else if (!strcmp(optarg, "drv"))
				o->xdp_flags = XDP_FLAGS_DRV_MODE;
			else if (strcmp(optarg, "auto"))
				usage();
			break;
		case 'c':
			o->bind_flags |= XDP_COPY;
			break;
		case 'z':
			o->bind_flags |= XDP_ZEROCOPY;
			break;
		case 'd':
			o->duration = strtod(optarg, &end);
			if (*end || o->duration < 0)
				usage();
			break;
		case 'l':
			o->pkt_len = (__u32)strtoul(optarg, &end, 0);
			if (*end || o->pkt_len < 42 || o->pkt_len > 1514)
				usage();
			break;
		case 'S':
			if (parse_mac(optarg, o->src_mac))
				usage();
			break;
		case 'D':
			if (parse_mac(optarg, o->dst_mac))
				usage();
			break;
		case 'a':
			if (inet_pton(AF_INET, optarg, &o->src_ip) != 1)
				usage();
			break;
		case 'b':
			if (inet_pton(AF_INET, optarg, &o->dst_ip) != 1)
				usage();
			break;
		case 'P':
			o->obj_path = optarg;
			break;
		default:
			usage();
		}
	}
	if (!o->ifname || optind != argc)
		usage();
}

#ifdef USE_LIBXDP
/* libxdp's loader cannot run here: attach the redirect program with libbpf
 * and store the socket in its XSKMAP, as programs with their own XDP
 * program do. */
static struct bpf_object *attach_redirect(const struct opts *o, struct bench *b)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	int ifindex = (int)if_nametoindex(o->ifname), map_fd, err;

	if (!ifindex)
		fail(o->ifname, errno);
	obj = bpf_object__open_file(o->obj_path, NULL);
	if (!obj)
		fail(o->obj_path, errno);
	err = bpf_object__load(obj);
	if (err)
		fail("bpf_object__load", err);
	prog = bpf_object__find_program_by_name(obj, "xdpkit_redirect");
	if (!prog)
		fail("find program xdpkit_redirect", ENOENT);
	err = bpf_xdp_attach(ifindex, bpf_program__fd(prog), o->xdp_flags, NULL);
	if (err)
		fail("bpf_xdp_attach", err);
	map_fd = bpf_object__find_map_fd_by_name(obj, "xsks_map");
	if (map_fd < 0)
		fail("find map xsks_map", map_fd);
	err = xsk_socket__update_xskmap(b->xsk, map_fd);
	if (err)
		fail("xsk_socket__update_xskmap", err);
	return obj;
}

static void detach_redirect(const struct opts *o, struct bpf_object *obj)
{
	bpf_xdp_detach((int)if_nametoindex(o->ifname), o->xdp_flags, NULL);
	bpf_object__close(obj);
}
#endif

static void put16(__u8 *p, __u16 v)
{
	p[0] = (__u8)(v >> 8);
	p[1] = (__u8)v;
}

/* An Ethernet + IPv4 + UDP frame of len bytes (UDP checksum 0). */
static void build_frame(const struct opts *o, __u8 *f, __u32 len)
{
	__u8 *ip = f + 14, *udp = ip + 20;
	__u32 sum = 0, i;

	memcpy(f, o->dst_mac, 6);
	memcpy(f + 6, o->src_mac, 6);
	put16(f + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (__u16)(len - 14));
	put16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, &o->src_ip, 4);
	memcpy(ip + 16, &o->dst_ip, 4);
	for (i = 0; i < 20; i += 2)
		sum += (__u32)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(ip + 10, (__u16)~sum);
	put16(udp, 1234);
	put16(udp + 2, 9);
	put16(udp + 4, (__u16)(len - 34));
	put16(udp + 6, 0);
	for (i = 42; i < len; i++)
		f[i] = (__u8)i;
}

static void kick_tx(struct bench *b)
{
	if (sendto(b->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 && errno != EAGAIN && errno != EBUSY &&
	    errno != ENOBUFS && errno != ENETDOWN)
		fail("sendto", errno);
}

static void wakeup_rx(struct bench *b)
{
	recvfrom(b->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
}

static void wait_rx(struct bench *b)
{
	struct pollfd pfd = { .fd = b->fd, .events = POLLIN };

	poll(&pfd, 1, 100);
}

/* The kernel's XDP_STATISTICS of the socket, on one line. */
static void print_stats(struct bench *b)
{
	struct xdp_statistics st;
	socklen_t len = sizeof(st);

	memset(&st, 0, sizeof(st));
	if (getsockopt(b->fd, SOL_XDP, XDP_STATISTICS, &st, &len))
		return;
	printf("xskbench: rx_dropped %llu rx_invalid %llu tx_invalid %llu rx_ring_full %llu fill_empty %llu tx_empty %llu\n",
	       (unsigned long long)st.rx_dropped, (unsigned long long)st.rx_invalid_descs,
	       (unsigned long long)st.tx_invalid_descs, (unsigned long long)st.rx_ring_full,
	       (unsigned long long)st.rx_fill_ring_empty_descs, (unsigned long long)st.tx_ring_empty_descs);
}

/* ---- the data path: identical for both builds ---- */

static void rxdrop(struct bench *b, __u64 t_end)
{
	unsigned idle = 0;
	__u32 i;

	while (!stop_flag) {
		__u32 idx_rx = 0, idx_fq = 0, rcvd;

		rcvd = xsk_ring_cons__peek(&b->rx, BATCH_SIZE, &idx_rx);
		if (rcvd) {
			idle = 0;
			while (xsk_ring_prod__reserve(&b->fq, rcvd, &idx_fq) != rcvd) {
				if (xsk_ring_prod__needs_wakeup(&b->fq))
					wakeup_rx(b);
				if (stop_flag)
					return;
			}
			for (i = 0; i < rcvd; i++)
				*xsk_ring_prod__fill_addr(&b->fq, idx_fq++) =
					xsk_ring_cons__rx_desc(&b->rx, idx_rx++)->addr;
			xsk_ring_prod__submit(&b->fq, rcvd);
			xsk_ring_cons__release(&b->rx, rcvd);
			b->count += rcvd;
		} else {
			if (xsk_ring_prod__needs_wakeup(&b->fq))
				wakeup_rx(b);
			if (++idle >= IDLE_SPINS) {
				idle = 0;
				wait_rx(b);
			}
		}
		if (now_ns() >= t_end)
			break;
	}
}

static void txonly(struct bench *b, const struct opts *o, __u64 t_end)
{
	static __u64 free_frames[NUM_FRAMES];
	__u32 nfree = NUM_FRAMES, idx = 0, i, n;
	__u64 drain_end = 0;

	for (i = 0; i < NUM_FRAMES; i++) {
		free_frames[i] = (__u64)i * FRAME_SIZE;
		build_frame(o, xsk_umem__get_data(b->area, free_frames[i]), o->pkt_len);
	}
	for (;;) {
		__u64 now = now_ns();

		if (b->outstanding) {
			n = xsk_ring_cons__peek(&b->cq, NUM_FRAMES, &idx);
			for (i = 0; i < n; i++)
				free_frames[nfree++] = *xsk_ring_cons__comp_addr(&b->cq, idx++);
			if (n) {
				xsk_ring_cons__release(&b->cq, n);
				b->outstanding -= n;
				b->count += n;
			}
		}
		if (stop_flag || now >= t_end) {
			/* Let the kernel finish what is queued, briefly. */
			if (!drain_end)
				drain_end = now + 200000000ULL;
			if (!b->outstanding || now >= drain_end)
				break;
			kick_tx(b);
			continue;
		}
		n = nfree < BATCH_SIZE ? nfree : BATCH_SIZE;
		if (n && xsk_ring_prod__reserve(&b->tx, n, &idx) == n) {
			for (i = 0; i < n; i++) {
				struct xdp_desc *d = xsk_ring_prod__tx_desc(&b->tx, idx++);

				d->addr = free_frames[--nfree];
				d->len = o->pkt_len;
				d->options = 0;
			}
			xsk_ring_prod__submit(&b->tx, n);
			b->outstanding += n;
		}
		if (xsk_ring_prod__needs_wakeup(&b->tx))
			kick_tx(b);
	}
}

static void swap_macs(__u8 *eth)
{
	__u8 tmp[6];

	memcpy(tmp, eth, 6);
	memcpy(eth, eth + 6, 6);
	memcpy(eth + 6, tmp, 6);
}

/* Kicks TX when needed and moves completed frames to the fill ring. */
static void complete_tx(struct bench *b)
{
	__u32 idx_cq = 0, idx_fq = 0, n, i;

	if (!b->outstanding)
		return;
	if (xsk_ring_prod__needs_wakeup(&b->tx))
		kick_tx(b);
	n = xsk_ring_cons__peek(&b->cq, BATCH_SIZE, &idx_cq);
	if (!n)
		return;
	while (xsk_ring_prod__reserve(&b->fq, n, &idx_fq) != n) {
		if (xsk_ring_prod__needs_wakeup(&b->fq))
			wakeup_rx(b);
		if (stop_flag) {
			xsk_ring_cons__cancel(&b->cq, n);
			return;
		}
	}
	for (i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&b->fq, idx_fq++) = *xsk_ring_cons__comp_addr(&b->cq, idx_cq++);
	xsk_ring_prod__submit(&b->fq, n);
	xsk_ring_cons__release(&b->cq, n);
	b->outstanding -= n;
	b->count += n;
}

static void l2fwd(struct bench *b, __u64 t_end)
{
	unsigned idle = 0;
	__u32 i;

	while (!stop_flag) {
		__u32 idx_rx = 0, idx_tx = 0, rcvd;

		complete_tx(b);
		rcvd = xsk_ring_cons__peek(&b->rx, BATCH_SIZE, &idx_rx);
		if (rcvd) {
			idle = 0;
			while (xsk_ring_prod__reserve(&b->tx, rcvd, &idx_tx) != rcvd) {
				complete_tx(b);
				if (stop_flag) {
					xsk_ring_cons__cancel(&b->rx, rcvd);
					return;
				}
			}
			for (i = 0; i < rcvd; i++) {
				const struct xdp_desc *in = xsk_ring_cons__rx_desc(&b->rx, idx_rx++);
				struct xdp_desc *out = xsk_ring_prod__tx_desc(&b->tx, idx_tx++);

				swap_macs(xsk_umem__get_data(b->area, in->addr));
				out->addr = in->addr;
				out->len = in->len;
				out->options = 0;
			}
			xsk_ring_prod__submit(&b->tx, rcvd);
			xsk_ring_cons__release(&b->rx, rcvd);
			b->outstanding += rcvd;
		} else {
			if (xsk_ring_prod__needs_wakeup(&b->fq))
				wakeup_rx(b);
			if (!b->outstanding && ++idle >= IDLE_SPINS) {
				idle = 0;
				wait_rx(b);
			}
		}
		if (now_ns() >= t_end)
			break;
	}
}

/* ---- set-up ---- */

int main(int argc, char **argv)
{
	struct xsk_umem_config ucfg = {
		.fill_size = NUM_FRAMES,
		.comp_size = XSK_RING_CONS__DEFAULT_NUM_DESCS,
		.frame_size = FRAME_SIZE,
		.frame_headroom = XSK_UMEM__DEFAULT_FRAME_HEADROOM,
		.flags = XSK_UMEM__DEFAULT_FLAGS,
	};
	struct xsk_socket_config scfg;
	struct sigaction sa;
	struct bench b;
	struct opts o;
	__u32 idx = 0, i;
	__u64 t_end;
	int err;
#ifdef USE_LIBXDP
	struct bpf_object *obj = NULL;
#endif

	parse_opts(argc, argv, &o);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	memset(&b, 0, sizeof(b));
	b.area = mmap(NULL, (size_t)NUM_FRAMES * FRAME_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (b.area == MAP_FAILED)
		fail("mmap", errno);
	err = xsk_umem__create(&b.umem, b.area, (__u64)NUM_FRAMES * FRAME_SIZE, &b.fq, &b.cq, &ucfg);
	if (err)
		fail("xsk_umem__create", err);

	memset(&scfg, 0, sizeof(scfg));
	scfg.rx_size = XSK_RING_CONS__DEFAULT_NUM_DESCS;
	scfg.tx_size = XSK_RING_PROD__DEFAULT_NUM_DESCS;
	scfg.xdp_flags = o.xdp_flags;
	scfg.bind_flags = (__u16)(o.bind_flags | XDP_USE_NEED_WAKEUP);
#ifdef USE_LIBXDP
	scfg.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD;
#else
	if (o.mode == TXONLY)
		scfg.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD;
#endif
	err = xsk_socket__create(&b.xsk, o.ifname, o.queue, b.umem, o.mode == TXONLY ? NULL : &b.rx,
				 o.mode == RXDROP ? NULL : &b.tx, &scfg);
	if (err)
		fail("xsk_socket__create", err);
	b.fd = xsk_socket__fd(b.xsk);
#ifdef USE_LIBXDP
	if (o.mode != TXONLY)
		obj = attach_redirect(&o, &b);
#endif

	if (o.mode != TXONLY) {
		if (xsk_ring_prod__reserve(&b.fq, NUM_FRAMES, &idx) != NUM_FRAMES)
			fail("fill ring reserve", ENOSPC);
		for (i = 0; i < NUM_FRAMES; i++)
			*xsk_ring_prod__fill_addr(&b.fq, idx++) = (__u64)i * FRAME_SIZE;
		xsk_ring_prod__submit(&b.fq, NUM_FRAMES);
	}

	printf("xskbench: %s on %s queue %u (%s)\n", mode_names[o.mode], o.ifname, o.queue,
#ifdef USE_LIBXDP
	       "libxdp"
#else
	       "xdpkit"
#endif
	);
	fflush(stdout);

	t_end = o.duration > 0 ? now_ns() + (__u64)(o.duration * 1e9) : UINT64_MAX;
	switch (o.mode) {
	case RXDROP:
		rxdrop(&b, t_end);
		break;
	case TXONLY:
		txonly(&b, &o, t_end);
		break;
	case L2FWD:
		l2fwd(&b, t_end);
		break;
	}

	print_stats(&b);
	xsk_socket__delete(b.xsk);
#ifdef USE_LIBXDP
	if (obj)
		detach_redirect(&o, obj);
#endif
	err = xsk_umem__delete(b.umem);
	if (err)
		fail("xsk_umem__delete", err);
	munmap(b.area, (size_t)NUM_FRAMES * FRAME_SIZE);
	printf("xskbench: %s %llu packets\n",
	       o.mode == RXDROP ? "received" : o.mode == TXONLY ? "sent" : "forwarded",
	       (unsigned long long)b.count);
	return 0;
}
