/* An AF_XDP receiver written against libxdp's <xdp/xsk.h> API only, in the
 * style of the xdp-tutorial's af_xdp_user.c and the kernel's xdpsock.
 * It builds unchanged against libxdp (-DUSE_LIBXDP, -lxdp -lbpf) and
 * against xdpkit (<xdpkit/xsk.h>, -lxdpkit): that is the point of it.
 *
 *   xsk_user IFNAME QUEUE SECONDS MIN_PACKETS [setup]
 * receives for up to SECONDS and exits 0 once MIN_PACKETS arrived. With
 * "setup" it loads the program itself (xsk_setup_xdp_prog), creates the
 * socket with INHIBIT_PROG_LOAD and stores it with
 * xsk_socket__update_xskmap, as programs with their own XDP program do. */
#ifdef USE_LIBXDP
#include <xdp/xsk.h>
#else
#include <xdpkit/xsk.h>
#endif
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define NUM_FRAMES 4096
#define FRAME_SIZE XSK_UMEM__DEFAULT_FRAME_SIZE
#define RX_BATCH_SIZE 64

struct xsk_umem_info {
	struct xsk_ring_prod fq;
	struct xsk_ring_cons cq;
	struct xsk_umem *umem;
	void *buffer;
};

struct xsk_socket_info {
	struct xsk_ring_cons rx;
	struct xsk_ring_prod tx;
	struct xsk_umem_info *umem;
	struct xsk_socket *xsk;
	unsigned long rx_packets;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct xsk_umem_info *configure_xsk_umem(void *buffer, __u64 size)
{
	struct xsk_umem_info *umem = calloc(1, sizeof(*umem));
	int ret;

	if (!umem)
		return NULL;
	ret = xsk_umem__create(&umem->umem, buffer, size, &umem->fq, &umem->cq, NULL);
	if (ret) {
		fprintf(stderr, "xsk_umem__create: %s\n", strerror(-ret));
		free(umem);
		return NULL;
	}
	umem->buffer = buffer;
	return umem;
}

static int fill_all(struct xsk_umem_info *umem)
{
	__u32 idx = 0, i;

	if (xsk_ring_prod__reserve(&umem->fq, XSK_RING_PROD__DEFAULT_NUM_DESCS, &idx) !=
	    XSK_RING_PROD__DEFAULT_NUM_DESCS)
		return -1;
	for (i = 0; i < XSK_RING_PROD__DEFAULT_NUM_DESCS; i++)
		*xsk_ring_prod__fill_addr(&umem->fq, idx++) = (__u64)i * FRAME_SIZE;
	xsk_ring_prod__submit(&umem->fq, XSK_RING_PROD__DEFAULT_NUM_DESCS);
	return 0;
}

static void handle_receive_packets(struct xsk_socket_info *xsk)
{
	__u32 idx_rx = 0, idx_fq = 0, i;
	unsigned int rcvd = xsk_ring_cons__peek(&xsk->rx, RX_BATCH_SIZE, &idx_rx);

	if (!rcvd)
		return;
	while (xsk_ring_prod__reserve(&xsk->umem->fq, rcvd, &idx_fq) != rcvd)
		;
	for (i = 0; i < rcvd; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&xsk->rx, idx_rx++);
		__u64 addr = xsk_umem__add_offset_to_addr(d->addr);
		unsigned char *pkt = xsk_umem__get_data(xsk->umem->buffer, addr);

		(void)pkt[0];
		*xsk_ring_prod__fill_addr(&xsk->umem->fq, idx_fq++) = xsk_umem__extract_addr(d->addr);
	}
	xsk_ring_prod__submit(&xsk->umem->fq, rcvd);
	xsk_ring_cons__release(&xsk->rx, rcvd);
	xsk->rx_packets += rcvd;
}

int main(int argc, char **argv)
{
	struct xsk_socket_config cfg;
	struct xsk_socket_info xsk;
	struct xsk_umem_info *umem;
	struct pollfd fds[1];
	int ret, xsks_map_fd = -1, setup;
	unsigned long min_packets;
	double end;
	void *buf;

	if (argc < 5) {
		fprintf(stderr, "usage: %s IFNAME QUEUE SECONDS MIN_PACKETS [setup]\n", argv[0]);
		return 2;
	}
	setup = argc > 5 && strcmp(argv[5], "setup") == 0;
	min_packets = strtoul(argv[4], NULL, 0);
	buf = mmap(NULL, NUM_FRAMES * FRAME_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	umem = configure_xsk_umem(buf, NUM_FRAMES * FRAME_SIZE);
	if (!umem)
		return 1;
	if (setup) {
		ret = xsk_setup_xdp_prog((int)if_nametoindex(argv[1]), &xsks_map_fd);
		if (ret) {
			fprintf(stderr, "xsk_setup_xdp_prog: %s\n", strerror(-ret));
			return 1;
		}
	}
	memset(&xsk, 0, sizeof(xsk));
	memset(&cfg, 0, sizeof(cfg));
	xsk.umem = umem;
	cfg.rx_size = XSK_RING_CONS__DEFAULT_NUM_DESCS;
	cfg.tx_size = XSK_RING_PROD__DEFAULT_NUM_DESCS;
	cfg.libxdp_flags = setup ? XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD : 0;
	cfg.bind_flags = XDP_COPY | XDP_USE_NEED_WAKEUP;
	ret = xsk_socket__create(&xsk.xsk, argv[1], (__u32)atoi(argv[2]), umem->umem, &xsk.rx, &xsk.tx, &cfg);
	if (ret) {
		fprintf(stderr, "xsk_socket__create: %s\n", strerror(-ret));
		return 1;
	}
	if (setup && (ret = xsk_socket__update_xskmap(xsk.xsk, xsks_map_fd))) {
		fprintf(stderr, "xsk_socket__update_xskmap: %s\n", strerror(-ret));
		return 1;
	}
	if (fill_all(umem))
		return 1;
	printf("xsk_user: listening on %s queue %s (fd %d)\n", argv[1], argv[2], xsk_socket__fd(xsk.xsk));
	fflush(stdout);
	fds[0].fd = xsk_socket__fd(xsk.xsk);
	fds[0].events = POLLIN;
	end = now() + atof(argv[3]);
	while (now() < end && xsk.rx_packets < min_packets) {
		if (xsk_ring_prod__needs_wakeup(&umem->fq))
			recvfrom(xsk_socket__fd(xsk.xsk), NULL, 0, MSG_DONTWAIT, NULL, NULL);
		ret = poll(fds, 1, 100);
		if (ret > 0)
			handle_receive_packets(&xsk);
	}
	printf("xsk_user: received %lu packets\n", xsk.rx_packets);
	xsk_socket__delete(xsk.xsk);
	ret = xsk_umem__delete(umem->umem);
	if (ret)
		fprintf(stderr, "xsk_umem__delete: %s\n", strerror(-ret));
	munmap(buf, NUM_FRAMES * FRAME_SIZE);
	free(umem);
	return xsk.rx_packets >= min_packets && !ret ? 0 : 1;
}
