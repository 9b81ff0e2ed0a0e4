/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * xdpkit/xsk.h — libxdp's AF_XDP API (<xdp/xsk.h>) over xdpkit.
 *
 * A program written for libxdp's AF_XDP sockets builds against xdpkit by
 * changing only its include (<xdp/xsk.h> -> <xdpkit/xsk.h>) and its link
 * line (-lxdp -lbpf -> -lxdpkit). Names, structs, constants and the
 * inline ring helpers keep libxdp's meaning; everything forwards to
 * xdpkit.h, so no libxdp or libbpf is needed.
 *
 * Differences: functions return negative errnos as libxdp does and also
 * leave a message in xdpkit_last_error(); xsk_umem__create accepts a NULL
 * area (the library then allocates it); xsk_setup_xdp_prog's program stays
 * attached until the process exits.
 */
#ifndef XDPKIT_XSK_COMPAT_H
#define XDPKIT_XSK_COMPAT_H

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <linux/if_xdp.h>
#include "../xdpkit.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The ring structs are xdpkit's (same layout as libxdp's). */
#define xsk_ring_prod xdpkit_ring_prod
#define xsk_ring_cons xdpkit_ring_cons

/* Opaque, as in libxdp; they are xdpkit's handles. */
struct xsk_umem;
struct xsk_socket;

#ifndef XSK_UNALIGNED_BUF_OFFSET_SHIFT
#define XSK_UNALIGNED_BUF_OFFSET_SHIFT 48
#endif
#ifndef XSK_UNALIGNED_BUF_ADDR_MASK
#define XSK_UNALIGNED_BUF_ADDR_MASK ((1ULL << XSK_UNALIGNED_BUF_OFFSET_SHIFT) - 1)
#endif

#define XSK_RING_CONS__DEFAULT_NUM_DESCS 2048
#define XSK_RING_PROD__DEFAULT_NUM_DESCS 2048
#define XSK_UMEM__DEFAULT_FRAME_SHIFT    12 /* 4096 bytes */
#define XSK_UMEM__DEFAULT_FRAME_SIZE     (1 << XSK_UMEM__DEFAULT_FRAME_SHIFT)
#define XSK_UMEM__DEFAULT_FRAME_HEADROOM 0
#define XSK_UMEM__DEFAULT_FLAGS          0

#define XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD XDPKIT_LIBXDP_FLAGS_INHIBIT_PROG_LOAD
#define XSK_LIBBPF_FLAGS__INHIBIT_PROG_LOAD XDPKIT_LIBXDP_FLAGS_INHIBIT_PROG_LOAD

struct xsk_umem_config {
	__u32 fill_size;
	__u32 comp_size;
	__u32 frame_size;
	__u32 frame_headroom;
	__u32 flags;
};

struct xsk_socket_config {
	__u32 rx_size;
	__u32 tx_size;
	union {
		__u32 libbpf_flags;
		__u32 libxdp_flags;
	};
	__u32 xdp_flags;
	__u16 bind_flags;
};

/* Ring helpers: libxdp's names over xdpkit's inline helpers. */
static inline __u64 *xsk_ring_prod__fill_addr(struct xsk_ring_prod *fill, __u32 idx)
{
	return &((__u64 *)fill->ring)[idx & fill->mask];
}

static inline const __u64 *xsk_ring_cons__comp_addr(const struct xsk_ring_cons *comp, __u32 idx)
{
	return &((const __u64 *)comp->ring)[idx & comp->mask];
}

static inline struct xdp_desc *xsk_ring_prod__tx_desc(struct xsk_ring_prod *tx, __u32 idx)
{
	return &((struct xdp_desc *)tx->ring)[idx & tx->mask];
}

static inline const struct xdp_desc *xsk_ring_cons__rx_desc(const struct xsk_ring_cons *rx, __u32 idx)
{
	return &((const struct xdp_desc *)rx->ring)[idx & rx->mask];
}

static inline int xsk_ring_prod__needs_wakeup(const struct xsk_ring_prod *r)
{
	return xdpkit_ring_prod_needs_wakeup(r);
}

static inline __u32 xsk_prod_nb_free(struct xsk_ring_prod *r, __u32 nb)
{
	return xdpkit_ring_prod_free(r, nb);
}

static inline __u32 xsk_cons_nb_avail(struct xsk_ring_cons *r, __u32 nb)
{
	return xdpkit_ring_cons_avail(r, nb);
}

static inline __u32 xsk_ring_prod__reserve(struct xsk_ring_prod *prod, __u32 nb, __u32 *idx)
{
	return xdpkit_ring_prod_reserve(prod, nb, idx);
}

static inline void xsk_ring_prod__submit(struct xsk_ring_prod *prod, __u32 nb)
{
	xdpkit_ring_prod_submit(prod, nb);
}

static inline void xsk_ring_prod__cancel(struct xsk_ring_prod *prod, __u32 nb)
{
	xdpkit_ring_prod_cancel(prod, nb);
}

static inline __u32 xsk_ring_cons__peek(struct xsk_ring_cons *cons, __u32 nb, __u32 *idx)
{
	return xdpkit_ring_cons_peek(cons, nb, idx);
}

static inline void xsk_ring_cons__cancel(struct xsk_ring_cons *cons, __u32 nb)
{
	xdpkit_ring_cons_cancel(cons, nb);
}

static inline void xsk_ring_cons__release(struct xsk_ring_cons *cons, __u32 nb)
{
	xdpkit_ring_cons_release(cons, nb);
}

static inline void *xsk_umem__get_data(void *umem_area, __u64 addr)
{
	return &((char *)umem_area)[addr];
}

static inline __u64 xsk_umem__extract_addr(__u64 addr)
{
	return xdpkit_umem_addr_base(addr);
}

static inline __u64 xsk_umem__extract_offset(__u64 addr)
{
	return xdpkit_umem_addr_offset(addr);
}

static inline __u64 xsk_umem__add_offset_to_addr(__u64 addr)
{
	return xdpkit_umem_addr(addr);
}

/* UMEM and sockets. */
static inline int xsk_umem__fd(const struct xsk_umem *umem)
{
	return xdpkit_umem_fd((struct xdpkit_umem *)umem);
}

static inline int xsk_socket__fd(const struct xsk_socket *xsk)
{
	return xdpkit_socket_fd((struct xdpkit_socket *)xsk);
}

static inline void xsk__umem_opts(struct xdpkit_umem_config *c, const struct xsk_umem_config *config)
{
	memset(c, 0, sizeof(*c));
	c->sz = sizeof(*c);
	if (config) {
		c->fill_size = config->fill_size;
		c->comp_size = config->comp_size;
		c->frame_size = config->frame_size;
		c->frame_headroom = config->frame_headroom;
		c->flags = config->flags;
	}
}

static inline int xsk_umem__create(struct xsk_umem **umem, void *umem_area, __u64 size,
				   struct xsk_ring_prod *fill, struct xsk_ring_cons *comp,
				   const struct xsk_umem_config *config)
{
	struct xdpkit_umem_config c;

	xsk__umem_opts(&c, config);
	return xdpkit_umem_create((struct xdpkit_umem **)umem, umem_area, size, fill, comp, &c);
}

/* As xsk_umem__create, registering the UMEM on the caller's AF_XDP socket
 * fd, which the UMEM then owns (closed by xsk_umem__delete). */
static inline int xsk_umem__create_with_fd(struct xsk_umem **umem, int fd, void *umem_area, __u64 size,
					   struct xsk_ring_prod *fill, struct xsk_ring_cons *comp,
					   const struct xsk_umem_config *config)
{
	struct xdpkit_umem_config c;

	xsk__umem_opts(&c, config);
	return xdpkit_umem_create_with_fd((struct xdpkit_umem **)umem, fd, umem_area, size, fill, comp, &c);
}

static inline int xsk__socket_create(struct xsk_socket **xsk, const char *ifname, __u32 queue_id,
				     struct xsk_umem *umem, struct xsk_ring_cons *rx,
				     struct xsk_ring_prod *tx, struct xsk_ring_prod *fill,
				     struct xsk_ring_cons *comp, const struct xsk_socket_config *config)
{
	struct xdpkit_socket_config c;

	memset(&c, 0, sizeof(c));
	c.sz = sizeof(c);
	if (config) {
		c.rx_size = config->rx_size;
		c.tx_size = config->tx_size;
		c.libxdp_flags = config->libxdp_flags;
		c.xdp_flags = config->xdp_flags;
		c.bind_flags = config->bind_flags;
	}
	if (!rx)
		c.flags |= XDPKIT_SOCKET_NO_RX;
	if (!tx)
		c.flags |= XDPKIT_SOCKET_NO_TX;
	return xdpkit_socket_create_shared((struct xdpkit_socket **)xsk, ifname, queue_id,
					   (struct xdpkit_umem *)umem, rx, tx, fill, comp, &c);
}

static inline int xsk_socket__create(struct xsk_socket **xsk, const char *ifname, __u32 queue_id,
				     struct xsk_umem *umem, struct xsk_ring_cons *rx,
				     struct xsk_ring_prod *tx, const struct xsk_socket_config *config)
{
	return xsk__socket_create(xsk, ifname, queue_id, umem, rx, tx, NULL, NULL, config);
}

static inline int xsk_socket__create_shared(struct xsk_socket **xsk, const char *ifname, __u32 queue_id,
					    struct xsk_umem *umem, struct xsk_ring_cons *rx,
					    struct xsk_ring_prod *tx, struct xsk_ring_prod *fill,
					    struct xsk_ring_cons *comp, const struct xsk_socket_config *config)
{
	return xsk__socket_create(xsk, ifname, queue_id, umem, rx, tx, fill, comp, config);
}

/* Returns 0, or -EBUSY while sockets still use the UMEM. */
static inline int xsk_umem__delete(struct xsk_umem *umem)
{
	return umem ? xdpkit_umem_delete((struct xdpkit_umem *)umem) : 0;
}

static inline void xsk_socket__delete(struct xsk_socket *xsk)
{
	if (xsk)
		xdpkit_socket_delete((struct xdpkit_socket *)xsk);
}

static inline int xsk_socket__update_xskmap(struct xsk_socket *xsk, int xsks_map_fd)
{
	return xdpkit_socket_update_xskmap((struct xdpkit_socket *)xsk, xsks_map_fd);
}

/* Loads and attaches the default program to ifindex and returns its
 * XSKMAP's fd in *xsks_map_fd. The program stays attached until the
 * process exits. */
static inline int xsk_setup_xdp_prog(int ifindex, int *xsks_map_fd)
{
	char ifname[IF_NAMESIZE];
	struct xdpkit_prog *prog;
	struct xdpkit_link *link;
	uint32_t rxq = 0;
	int err, fd;

	if (!xsks_map_fd || !if_indextoname((unsigned int)ifindex, ifname))
		return xsks_map_fd ? -ENODEV : -EINVAL;
	err = xdpkit_if_queues(ifname, &rxq, NULL);
	if (err)
		return err;
	err = xdpkit_prog_load_default(&prog, rxq);
	if (err)
		return err;
	fd = xdpkit_prog_map_fd(prog, "xsks_map");
	if (fd < 0 || (err = xdpkit_prog_attach(prog, ifname, 0, &link))) {
		xdpkit_prog_delete(prog);
		return fd < 0 ? fd : err;
	}
	*xsks_map_fd = fd;
	return 0;
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* XDPKIT_XSK_COMPAT_H */
