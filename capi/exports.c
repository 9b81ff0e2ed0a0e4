/* Public constructors and destructors: they own the C handle memory and
 * the registry, and call into Go (xsk/) for the control path. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "_cgo_export.h"

static int umem_create(const char *fn, struct xdpkit_umem **out, int fd, void *area, uint64_t size,
		       struct xdpkit_ring_prod *fill, struct xdpkit_ring_cons *comp,
		       const struct xdpkit_umem_config *cfg)
{
	struct xdpkit_umem_config c;
	struct xdpkit_umem *u;
	int err;

	if (!out)
		return xdpkit__fail(EINVAL, "%s: out is NULL", fn);
	*out = NULL;
	memset(&c, 0, sizeof(c));
	if (cfg && (err = xdpkit__copy_opts(&c, sizeof(c), cfg, "xdpkit_umem_config")))
		return err;
	u = calloc(1, sizeof(*u));
	if (!u)
		return xdpkit__fail(ENOMEM, "%s: out of memory", fn);
	u->fd = -1;
	u->fill = fill ? fill : &u->fill_own;
	u->comp = comp ? comp : &u->comp_own;
	err = xdpkitGoUmemCreate(u, fd, area, size, &c);
	if (err < 0) {
		free(u);
		return err;
	}
	err = xdpkit__registry_add(u);
	if (err) {
		xdpkitGoUmemDelete(u);
		free(u);
		return xdpkit__fail(err, "%s: out of memory", fn);
	}
	u->magic = XDPKIT_MAGIC_UMEM;
	*out = u;
	return 0;
}

int xdpkit_umem_create(struct xdpkit_umem **out, void *area, uint64_t size,
		       struct xdpkit_ring_prod *fill, struct xdpkit_ring_cons *comp,
		       const struct xdpkit_umem_config *cfg)
{
	FORK_GUARD();
	return umem_create(__func__, out, -1, area, size, fill, comp, cfg);
}

int xdpkit_umem_create_with_fd(struct xdpkit_umem **out, int fd, void *area, uint64_t size,
			       struct xdpkit_ring_prod *fill, struct xdpkit_ring_cons *comp,
			       const struct xdpkit_umem_config *cfg)
{
	FORK_GUARD();
	if (fd < 0)
		return xdpkit__fail(EBADF, "%s: fd %d is not valid", __func__, fd);
	return umem_create(__func__, out, fd, area, size, fill, comp, cfg);
}

int xdpkit_umem_delete(struct xdpkit_umem *u)
{
	int err;

	CHECK_UMEM(u);
	err = xdpkitGoUmemDelete(u);
	if (err < 0)
		return err;
	if (xdpkit__registry_remove(u)) {
		u->magic = 0;
		xdpkit__handle_free(u);
	}
	return 0;
}

static int socket_create(const char *fn, struct xdpkit_socket **out, const char *ifname, uint32_t queue,
			 struct xdpkit_umem *umem, struct xdpkit_ring_cons *rx, struct xdpkit_ring_prod *tx,
			 struct xdpkit_ring_prod *fill, struct xdpkit_ring_cons *comp,
			 const struct xdpkit_socket_config *cfg)
{
	struct xdpkit_socket_config c;
	struct xdpkit_socket *s;
	int err;

	if (__builtin_expect(xdpkit__forked, 0))
		return xdpkit__forked_fail(fn);
	if (!out)
		return xdpkit__fail(EINVAL, "%s: out is NULL", fn);
	*out = NULL;
	if (!ifname)
		return xdpkit__fail(EINVAL, "%s: ifname is NULL", fn);
	if ((err = xdpkit__check(umem, XDPKIT_MAGIC_UMEM, fn)))
		return err;
	memset(&c, 0, sizeof(c));
	if (cfg && (err = xdpkit__copy_opts(&c, sizeof(c), cfg, "xdpkit_socket_config")))
		return err;
	if (c.flags & ~(uint32_t)(XDPKIT_SOCKET_NO_RX | XDPKIT_SOCKET_NO_TX))
		return xdpkit__fail(EINVAL, "%s: unknown config flags %#x", fn, c.flags);
	if (c.reserved)
		return xdpkit__fail(EINVAL, "%s: config field 'reserved' must be 0", fn);
	s = calloc(1, sizeof(*s));
	if (!s)
		return xdpkit__fail(ENOMEM, "%s: out of memory", fn);
	s->fd = -1;
	s->umem = umem;
	s->rx = (c.flags & XDPKIT_SOCKET_NO_RX) ? NULL : rx ? rx : &s->rx_own;
	s->tx = (c.flags & XDPKIT_SOCKET_NO_TX) ? NULL : tx ? tx : &s->tx_own;
	s->fill = fill ? fill : &s->fill_own;
	s->comp = comp ? comp : &s->comp_own;
	err = xdpkitGoSocketCreate(s, (char *)ifname, queue, umem, &c);
	if (err < 0) {
		free(s);
		return err;
	}
	err = xdpkit__registry_add(s);
	if (err) {
		xdpkitGoSocketDelete(s);
		free(s);
		return xdpkit__fail(err, "%s: out of memory", fn);
	}
	s->magic = XDPKIT_MAGIC_SOCK;
	*out = s;
	return 0;
}

int xdpkit_socket_create(struct xdpkit_socket **out, const char *ifname, uint32_t queue,
			 struct xdpkit_umem *umem, struct xdpkit_ring_cons *rx,
			 struct xdpkit_ring_prod *tx, const struct xdpkit_socket_config *cfg)
{
	return socket_create(__func__, out, ifname, queue, umem, rx, tx, NULL, NULL, cfg);
}

int xdpkit_socket_create_shared(struct xdpkit_socket **out, const char *ifname, uint32_t queue,
				struct xdpkit_umem *umem, struct xdpkit_ring_cons *rx,
				struct xdpkit_ring_prod *tx, struct xdpkit_ring_prod *fill,
				struct xdpkit_ring_cons *comp, const struct xdpkit_socket_config *cfg)
{
	return socket_create(__func__, out, ifname, queue, umem, rx, tx, fill, comp, cfg);
}

int xdpkit_socket_create_all_queues(struct xdpkit_socket **out, uint32_t max, const char *ifname,
				    struct xdpkit_umem *umem, const struct xdpkit_socket_config *cfg)
{
	uint32_t rxq = 0, q;
	int err;

	FORK_GUARD();
	if (!out)
		return xdpkit__fail(EINVAL, "%s: out is NULL", __func__);
	if (!ifname)
		return xdpkit__fail(EINVAL, "%s: ifname is NULL", __func__);
	if ((err = xdpkit_if_queues(ifname, &rxq, NULL)))
		return err;
	if (rxq > max)
		return xdpkit__fail(ERANGE, "%s: %s has %u RX queues, out has room for %u", __func__, ifname, rxq, max);
	for (q = 0; q < rxq; q++) {
		err = socket_create(__func__, &out[q], ifname, q, umem, NULL, NULL, NULL, NULL, cfg);
		if (err) {
			while (q > 0)
				xdpkit_socket_delete(out[--q]);
			return err;
		}
	}
	return (int)rxq;
}

int xdpkit_socket_delete(struct xdpkit_socket *s)
{
	int err;

	CHECK_SOCK(s);
	err = xdpkitGoSocketDelete(s);
	if (err < 0)
		return err;
	if (xdpkit__registry_remove(s)) {
		s->magic = 0;
		xdpkit__handle_free(s);
	}
	return 0;
}

int xdpkit_socket_queue(struct xdpkit_socket *s)
{
	CHECK_SOCK(s);
	return xdpkitGoSocketInfo(s, 0);
}

int xdpkit_socket_ifindex(struct xdpkit_socket *s)
{
	CHECK_SOCK(s);
	return xdpkitGoSocketInfo(s, 1);
}

int xdpkit_socket_xdp_mode(struct xdpkit_socket *s)
{
	CHECK_SOCK(s);
	return xdpkitGoSocketInfo(s, 2);
}

int xdpkit_socket_prog_id(struct xdpkit_socket *s)
{
	CHECK_SOCK(s);
	return xdpkitGoSocketInfo(s, 3);
}

int xdpkit_if_queues(const char *ifname, uint32_t *rx, uint32_t *tx)
{
	FORK_GUARD();
	if (!ifname)
		return xdpkit__fail(EINVAL, "xdpkit_if_queues: ifname is NULL");
	return xdpkitGoIfQueues((char *)ifname, rx, tx);
}

int xdpkit_if_xdp_features(const char *ifname, uint64_t *features, uint32_t *zc_max_segs,
			   uint64_t *xsk_features)
{
	FORK_GUARD();
	if (!ifname)
		return xdpkit__fail(EINVAL, "xdpkit_if_xdp_features: ifname is NULL");
	return xdpkitGoIfFeatures((char *)ifname, features, zc_max_segs, xsk_features);
}
