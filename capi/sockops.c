/* Socket calls that are plain system calls on the fd: kick, wakeup, poll,
 * statistics, options and handle accessors. They stay in C so the data
 * path never enters Go. */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include "internal.h"

#ifndef SOL_XDP
#define SOL_XDP 283
#endif
#define XDPKIT_XDP_STATISTICS 7
#define XDPKIT_XDP_OPTIONS 8


int xdpkit__kick(struct xdpkit_socket *s)
{
	ssize_t ret;

	do
		ret = sendto(s->fd, NULL, 0, MSG_DONTWAIT, NULL, 0);
	while (ret < 0 && errno == EINTR);
	if (ret >= 0 || errno == EAGAIN || errno == EBUSY || errno == ENOBUFS || errno == ENETDOWN)
		return 0;
	return xdpkit__fail(errno, "xdpkit_socket_kick: sendto: %s", strerror(errno));
}

int xdpkit_socket_kick(struct xdpkit_socket *s)
{
	CHECK_SOCK(s);
	return xdpkit__kick(s);
}

int xdpkit_socket_wakeup_rx(struct xdpkit_socket *s)
{
	ssize_t ret;

	CHECK_SOCK(s);
	do
		ret = recvfrom(s->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
	while (ret < 0 && errno == EINTR);
	if (ret >= 0 || errno == EAGAIN || errno == EBUSY || errno == ENETDOWN)
		return 0;
	return xdpkit__fail(errno, "xdpkit_socket_wakeup_rx: recvfrom: %s", strerror(errno));
}

int xdpkit_socket_poll(struct xdpkit_socket *s, short events, int timeout_ms)
{
	struct pollfd pfd;
	int ret;

	CHECK_SOCK(s);
	pfd.fd = s->fd;
	pfd.events = events;
	pfd.revents = 0;
	do
		ret = poll(&pfd, 1, timeout_ms);
	while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return xdpkit__fail(errno, "xdpkit_socket_poll: %s", strerror(errno));
	return ret == 0 ? 0 : pfd.revents;
}

int xdpkit_socket_stats(struct xdpkit_socket *s, struct xdpkit_stats *stats)
{
	uint64_t v[6] = {0};
	socklen_t len = sizeof(v);
	struct xdpkit_stats out;
	size_t sz;

	CHECK_SOCK(s);
	if (!stats)
		return xdpkit__fail(EINVAL, "xdpkit_socket_stats: stats is NULL");
	sz = stats->sz;
	if (sz < offsetof(struct xdpkit_stats, rx_dropped) + sizeof(uint64_t))
		return xdpkit__fail(EINVAL, "xdpkit_socket_stats: stats->sz %zu is too small (set it to sizeof)", sz);
	if (getsockopt(s->fd, SOL_XDP, XDPKIT_XDP_STATISTICS, v, &len) < 0)
		return xdpkit__fail(errno, "xdpkit_socket_stats: getsockopt(XDP_STATISTICS): %s", strerror(errno));
	out.sz = sz < sizeof(out) ? sz : sizeof(out);
	out.rx_dropped = v[0];
	out.rx_invalid_descs = v[1];
	out.tx_invalid_descs = v[2];
	out.rx_ring_full = v[3];
	out.rx_fill_ring_empty_descs = v[4];
	out.tx_ring_empty_descs = v[5];
	memcpy(stats, &out, out.sz);
	return 0;
}

int xdpkit_socket_options(struct xdpkit_socket *s, uint32_t *opts)
{
	socklen_t len = sizeof(*opts);

	CHECK_SOCK(s);
	if (!opts)
		return xdpkit__fail(EINVAL, "xdpkit_socket_options: opts is NULL");
	if (getsockopt(s->fd, SOL_XDP, XDPKIT_XDP_OPTIONS, opts, &len) < 0)
		return xdpkit__fail(errno, "xdpkit_socket_options: getsockopt(XDP_OPTIONS): %s", strerror(errno));
	return 0;
}

int xdpkit_socket_fd(struct xdpkit_socket *s)
{
	CHECK_SOCK(s);
	return s->fd;
}

struct xdpkit_ring_cons *xdpkit_socket_rx_ring(struct xdpkit_socket *s)
{
	CHECK_SOCK_NULL(s);
	return s->rx;
}

struct xdpkit_ring_prod *xdpkit_socket_tx_ring(struct xdpkit_socket *s)
{
	CHECK_SOCK_NULL(s);
	return s->tx;
}

struct xdpkit_ring_prod *xdpkit_socket_fill_ring(struct xdpkit_socket *s)
{
	CHECK_SOCK_NULL(s);
	return s->fill;
}

struct xdpkit_ring_cons *xdpkit_socket_comp_ring(struct xdpkit_socket *s)
{
	CHECK_SOCK_NULL(s);
	return s->comp;
}

void *xdpkit_umem_area(struct xdpkit_umem *u)
{
	CHECK_UMEM_NULL(u);
	return u->area;
}

int64_t xdpkit_umem_size(struct xdpkit_umem *u)
{
	CHECK_UMEM(u);
	return (int64_t)u->size;
}

int xdpkit_umem_fd(struct xdpkit_umem *u)
{
	CHECK_UMEM(u);
	return u->fd;
}

struct xdpkit_ring_prod *xdpkit_umem_fill_ring(struct xdpkit_umem *u)
{
	CHECK_UMEM_NULL(u);
	return u->fill;
}

struct xdpkit_ring_cons *xdpkit_umem_comp_ring(struct xdpkit_umem *u)
{
	CHECK_UMEM_NULL(u);
	return u->comp;
}

int xdpkit_if_index(const char *ifname)
{
	unsigned int idx;

	FORK_GUARD();
	if (!ifname)
		return xdpkit__fail(EINVAL, "xdpkit_if_index: ifname is NULL");
	idx = if_nametoindex(ifname);
	if (!idx)
		return xdpkit__fail(ENODEV, "xdpkit_if_index: no interface %s", ifname);
	return (int)idx;
}
