/* C tests of the frame pool, fill-ring prefill, interface features,
 * sockets on all queues and UMEMs on a caller's fd. Run inside namespace
 * A by run.sh: test_pool IFNAME (IFNAME has two RX queues). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "xdpkit.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif

static int passed, failed;

#define CHECK(cond, ...) do { if (!(cond)) { printf("FAIL %s: ", __func__); printf(__VA_ARGS__); \
	printf(" (%s)\n", xdpkit_last_error()); return 1; } } while (0)

static void run(const char *name, int (*fn)(void))
{
	if (fn() == 0) {
		printf("ok %s\n", name);
		passed++;
	} else {
		failed++;
	}
}

static const char *g_if;

static int fcntl_closed(int fd)
{
	return fcntl(fd, F_GETFD) < 0 && errno == EBADF;
}

static int t_pool(void)
{
	XDPKIT_OPTS(xdpkit_umem_config, cfg, .fill_size = 8, .comp_size = 8);
	struct xdpkit_frame_pool *pool;
	struct xdpkit_umem *umem;
	uint64_t addrs[32];
	int n;

	CHECK(xdpkit_umem_create(&umem, NULL, 16 * 4096, NULL, NULL, &cfg) == 0, "umem");
	CHECK(xdpkit_pool_create(&pool, umem) == 0, "pool create");
	CHECK(xdpkit_pool_count(pool) == 16, "pool of %d frames", xdpkit_pool_count(pool));
	n = xdpkit_pool_alloc(pool, addrs, 3);
	CHECK(n == 3 && addrs[0] == 0 && addrs[1] == 4096 && addrs[2] == 8192, "alloc order");
	CHECK(xdpkit_pool_free(pool, addrs, 3) == 0 && xdpkit_pool_count(pool) == 16, "free");
	CHECK(xdpkit_pool_free(pool, addrs, 1) == -EINVAL, "over-free must be -EINVAL");
	n = xdpkit_pool_alloc(pool, addrs, 1);
	addrs[0] = 16 * 4096;
	CHECK(xdpkit_pool_free(pool, addrs, 1) == -EINVAL && xdpkit_pool_count(pool) == 15, "foreign address");
	CHECK(xdpkit_umem_prefill(umem, pool, 100) == 8, "prefill stops at the fill ring size");
	CHECK(xdpkit_umem_prefill(umem, pool, 1) == 0, "prefill into a full ring");
	CHECK(xdpkit_pool_count(pool) == 7, "%d left", xdpkit_pool_count(pool));
	CHECK(xdpkit_pool_alloc(pool, addrs, 32) == 7 && xdpkit_pool_alloc(pool, addrs, 32) == 0, "exhaustion");
	CHECK(xdpkit_pool_alloc(NULL, addrs, 1) == -EINVAL, "NULL pool");
	CHECK(xdpkit_pool_alloc((struct xdpkit_frame_pool *)addrs, addrs, 1) == -EBADF, "forged pool");
	CHECK(xdpkit_pool_delete(pool) == 0 && xdpkit_pool_delete(pool) == -EBADF, "double delete");
	CHECK(xdpkit_umem_delete(umem) == 0, "umem delete");
	return 0;
}

static int t_features(void)
{
	uint64_t xdp = 0, xsk = 0;
	uint32_t segs = 0;

	CHECK(xdpkit_if_xdp_features(g_if, &xdp, &segs, &xsk) == 0, "features of %s", g_if);
	CHECK(xdp & XDPKIT_XDP_FEATURE_BASIC && xdp & XDPKIT_XDP_FEATURE_REDIRECT, "veth features %#llx", (unsigned long long)xdp);
	CHECK(!(xdp & XDPKIT_XDP_FEATURE_XSK_ZEROCOPY), "veth claims zero-copy");
	CHECK(xdpkit_if_xdp_features(g_if, NULL, NULL, NULL) == 0, "NULL outputs");
	CHECK(xdpkit_if_xdp_features("nonexistent0", &xdp, NULL, NULL) == -ENODEV, "unknown interface");
	CHECK(xdpkit_if_xdp_features(NULL, &xdp, NULL, NULL) == -EINVAL, "NULL ifname");
	return 0;
}

static int t_all_queues(void)
{
	XDPKIT_OPTS(xdpkit_socket_config, scfg, .rx_size = 64, .tx_size = 64, .fill_size = 64, .comp_size = 64,
		    .bind_flags = XDPKIT_BIND_COPY);
	struct xdpkit_socket *socks[4];
	struct xdpkit_umem *umem;
	int n, i;

	CHECK(xdpkit_umem_create(&umem, NULL, 0, NULL, NULL, NULL) == 0, "umem");
	CHECK(xdpkit_socket_create_all_queues(socks, 1, g_if, umem, &scfg) == -ERANGE, "too small out");
	n = xdpkit_socket_create_all_queues(socks, 4, g_if, umem, &scfg);
	CHECK(n == 2, "got %d sockets, want 2", n);
	for (i = 0; i < n; i++)
		CHECK(xdpkit_socket_queue(socks[i]) == i, "socket %d on queue %d", i, xdpkit_socket_queue(socks[i]));
	CHECK(xdpkit_socket_fill_ring(socks[0]) == xdpkit_umem_fill_ring(umem), "queue 0 uses the UMEM's fill ring");
	CHECK(xdpkit_socket_fill_ring(socks[1]) != xdpkit_umem_fill_ring(umem), "queue 1 has its own fill ring");
	CHECK(xdpkit_socket_fill_ring(socks[1])->size == 64, "own fill ring size");
	for (i = n - 1; i >= 0; i--)
		CHECK(xdpkit_socket_delete(socks[i]) == 0, "delete %d", i);
	CHECK(xdpkit_umem_delete(umem) == 0, "umem delete");
	return 0;
}

static int t_umem_with_fd(void)
{
	struct xdpkit_socket *sock;
	struct xdpkit_umem *umem;
	int fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0), other;

	CHECK(fd >= 0, "socket(AF_XDP)");
	other = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(xdpkit_umem_create_with_fd(&umem, other, NULL, 0, NULL, NULL, NULL) == -EINVAL, "not an AF_XDP fd");
	close(other);
	CHECK(xdpkit_umem_create_with_fd(&umem, -1, NULL, 0, NULL, NULL, NULL) == -EBADF, "negative fd");
	CHECK(xdpkit_umem_create_with_fd(&umem, fd, NULL, 0, NULL, NULL, NULL) == 0, "umem on fd");
	CHECK(xdpkit_umem_fd(umem) == fd, "umem fd %d, want %d", xdpkit_umem_fd(umem), fd);
	CHECK(xdpkit_socket_create(&sock, g_if, 0, umem, NULL, NULL, NULL) == 0, "socket");
	CHECK(xdpkit_socket_fd(sock) == fd, "the first socket uses the caller's fd");
	CHECK(xdpkit_socket_delete(sock) == 0 && xdpkit_umem_delete(umem) == 0, "delete");
	CHECK(fcntl_closed(fd), "the UMEM closed the fd it owned");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s IFNAME\n", argv[0]);
		return 2;
	}
	g_if = argv[1];
	run("POOL", t_pool);
	run("IF_FEATURES", t_features);
	run("ALL_QUEUES", t_all_queues);
	run("UMEM_WITH_FD", t_umem_with_fd);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
