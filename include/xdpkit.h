/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * xdpkit.h — AF_XDP sockets and eBPF maps, the C API of libxdpkit.so.
 *
 * This header is the contract of the library (ABI version XDPKIT_0.1).
 *
 * Conventions
 *  - Every int-returning function returns 0 (or a non-negative count or
 *    file descriptor) on success and a negative errno on failure (errno
 *    itself is left unspecified). xdpkit_last_error() gives the calling
 *    thread's detailed message of its last failure, xdpkit_strerror() the
 *    text of an errno. Functions returning pointers return NULL on failure
 *    and set the message likewise.
 *  - Handles (struct xdpkit_umem, struct xdpkit_socket) are opaque. NULL,
 *    forged, closed and double-closed handles are detected: -EINVAL for
 *    NULL, -EBADF for the others.
 *  - -EPERM (or -EACCES) for want of privilege: the message names the
 *    capabilities the call needs and those the process lacks: CAP_NET_RAW
 *    for AF_XDP sockets, CAP_BPF for maps and programs, CAP_NET_ADMIN for
 *    XDP programs, CAP_SYS_ADMIN for xdpkit_map_open_id.
 *  - In a child forked (without exec) from a process that has loaded the
 *    library, every function fails with -ECHILD (NULL for pointers) at
 *    once, without entering the library's Go runtime, which does not
 *    survive fork(); xdpkit_version, xdpkit_strerror, xdpkit_last_error and
 *    xdpkit_errmsg still work. The inline ring helpers cannot check: a
 *    child must not touch inherited rings. Exec (spawn) a new process.
 *  - Config structs start with their size (`sz`): fill it with sizeof(),
 *    or use XDPKIT_OPTS(). Passing NULL selects every default.
 *  - The data path is the ring helpers below: static inline functions over
 *    the rings the kernel shares with user space, as in libxdp. They make
 *    no call into the library. The same helpers exist as real exported
 *    symbols (for bindings that cannot inline), and the batch calls move
 *    many descriptors per call for bindings that pay per call.
 *  - Like libxdp's, the ring helpers do no locking: one thread per ring.
 */
#ifndef XDPKIT_H
#define XDPKIT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the library: (major << 16) | (minor << 8) | patch. */
#define XDPKIT_VERSION_MAJOR 0
#define XDPKIT_VERSION_MINOR 1
#define XDPKIT_VERSION_PATCH 0
#define XDPKIT_VERSION \
	((XDPKIT_VERSION_MAJOR << 16) | (XDPKIT_VERSION_MINOR << 8) | XDPKIT_VERSION_PATCH)

/* The version of the loaded library, as XDPKIT_VERSION. */
int xdpkit_version(void);
/* The text of an errno (either sign). Never NULL; static storage. */
const char *xdpkit_strerror(int err);
/* The calling thread's message for its last failed call ("" if none).
 * Valid until the thread's next failing call. */
const char *xdpkit_last_error(void);
/* Copies the last error message into buf (NUL-terminated). Returns its
 * length, or -ERANGE when it did not fit (buf then holds a truncated,
 * terminated copy), -EINVAL for a NULL buf with len > 0. */
int xdpkit_errmsg(char *buf, size_t len);

/* ------------------------------------------------------------------ */
/* Constants (values of the kernel UAPI, linux/if_xdp.h, linux/if_link.h) */

/* bind_flags of struct xdpkit_socket_config */
#define XDPKIT_BIND_COPY        (1 << 1) /* XDP_COPY: force copy mode */
#define XDPKIT_BIND_ZEROCOPY    (1 << 2) /* XDP_ZEROCOPY: require zero-copy */
#define XDPKIT_BIND_NEED_WAKEUP (1 << 3) /* XDP_USE_NEED_WAKEUP */
#define XDPKIT_BIND_SG          (1 << 4) /* XDP_USE_SG: multi-buffer */

/* xdp_flags of struct xdpkit_socket_config: where the default program
 * runs. 0 tries native (driver) mode and falls back to generic mode. */
#define XDPKIT_XDP_FLAGS_SKB_MODE (1U << 1) /* XDP_FLAGS_SKB_MODE */
#define XDPKIT_XDP_FLAGS_DRV_MODE (1U << 2) /* XDP_FLAGS_DRV_MODE */
#define XDPKIT_XDP_FLAGS_HW_MODE  (1U << 3) /* XDP_FLAGS_HW_MODE */

/* libxdp_flags of struct xdpkit_socket_config */
#define XDPKIT_LIBXDP_FLAGS_INHIBIT_PROG_LOAD (1 << 0) /* load no program */

/* flags of struct xdpkit_socket_config */
#define XDPKIT_SOCKET_NO_RX (1 << 0) /* create no RX ring */
#define XDPKIT_SOCKET_NO_TX (1 << 1) /* create no TX ring */

/* flags of struct xdpkit_umem_config */
#define XDPKIT_UMEM_UNALIGNED_CHUNK_FLAG (1 << 0)
#define XDPKIT_UMEM_TX_SW_CSUM           (1 << 1)
#define XDPKIT_UMEM_TX_METADATA_LEN      (1 << 2)

/* options of struct xdpkit_desc */
#define XDPKIT_PKT_CONTD (1 << 0) /* XDP_PKT_CONTD: packet continues */

/* xdpkit_socket_options() bits */
#define XDPKIT_OPTIONS_ZEROCOPY (1 << 0)

/* Ring flag: the kernel asks to be woken (XDP_RING_NEED_WAKEUP). */
#define XDPKIT_RING_NEED_WAKEUP (1 << 0)

/* Unaligned mode addresses: low 48 bits base, high 16 bits offset. */
#define XDPKIT_UNALIGNED_BUF_OFFSET_SHIFT 48
#define XDPKIT_UNALIGNED_BUF_ADDR_MASK \
	((1ULL << XDPKIT_UNALIGNED_BUF_OFFSET_SHIFT) - 1)

#define XDPKIT_DEFAULT_RING_SIZE  2048
#define XDPKIT_DEFAULT_FRAME_SIZE 4096
#define XDPKIT_DEFAULT_NUM_FRAMES 4096

/* ------------------------------------------------------------------ */
/* Descriptors and rings */

/* An RX/TX descriptor, laid out as the kernel's struct xdp_desc. */
struct xdpkit_desc {
	uint64_t addr;    /* frame address: offset into the UMEM area */
	uint32_t len;     /* frame length */
	uint32_t options; /* XDPKIT_PKT_CONTD, ... */
};

/* Ring state over kernel-shared memory. Do not access the fields: use the
 * helpers below. Same layout as libxdp's struct xsk_ring_prod/_cons. */
#define XDPKIT_DEFINE_RING(name)   \
	struct name {              \
		uint32_t cached_prod; \
		uint32_t cached_cons; \
		uint32_t mask;        \
		uint32_t size;        \
		uint32_t *producer;   \
		uint32_t *consumer;   \
		void *ring;           \
		uint32_t *flags;      \
	}

XDPKIT_DEFINE_RING(xdpkit_ring_prod); /* fill and TX rings */
XDPKIT_DEFINE_RING(xdpkit_ring_cons); /* completion and RX rings */

/* The library itself defines XDPKIT_API_INLINE as nothing to emit one
 * real copy of each helper; programs get static inline ones. */
#ifndef XDPKIT_API_INLINE
#define XDPKIT_API_INLINE static inline
#endif

/* Slot idx of a fill ring: write a frame address into it. */
XDPKIT_API_INLINE uint64_t *xdpkit_ring_fill_addr(struct xdpkit_ring_prod *fill, uint32_t idx)
{
	return &((uint64_t *)fill->ring)[idx & fill->mask];
}

/* Entry idx of a completion ring: the address of a frame that was sent. */
XDPKIT_API_INLINE const uint64_t *xdpkit_ring_comp_addr(const struct xdpkit_ring_cons *comp, uint32_t idx)
{
	return &((const uint64_t *)comp->ring)[idx & comp->mask];
}

/* Slot idx of a TX ring: fill in the descriptor to send. */
XDPKIT_API_INLINE struct xdpkit_desc *xdpkit_ring_tx_desc(struct xdpkit_ring_prod *tx, uint32_t idx)
{
	return &((struct xdpkit_desc *)tx->ring)[idx & tx->mask];
}

/* Entry idx of an RX ring: a received frame. */
XDPKIT_API_INLINE const struct xdpkit_desc *xdpkit_ring_rx_desc(const struct xdpkit_ring_cons *rx, uint32_t idx)
{
	return &((const struct xdpkit_desc *)rx->ring)[idx & rx->mask];
}

/* Non-zero when the kernel must be woken for this producer ring: after
 * submitting to TX call xdpkit_socket_kick(), after filling the fill ring
 * call xdpkit_socket_wakeup_rx() or poll(). Needs XDPKIT_BIND_NEED_WAKEUP;
 * without it the kernel never sets the flag and always needs the kick. */
XDPKIT_API_INLINE int xdpkit_ring_prod_needs_wakeup(const struct xdpkit_ring_prod *r)
{
	return __atomic_load_n(r->flags, __ATOMIC_RELAXED) & XDPKIT_RING_NEED_WAKEUP;
}

/* Number of free entries, at least nb if that many are free. Reads the
 * kernel's consumer index (acquire) only when the cache shows fewer. */
XDPKIT_API_INLINE uint32_t xdpkit_ring_prod_free(struct xdpkit_ring_prod *r, uint32_t nb)
{
	uint32_t free_entries = r->cached_cons - r->cached_prod;

	if (free_entries >= nb)
		return free_entries;
	r->cached_cons = __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE);
	r->cached_cons += r->size;
	return r->cached_cons - r->cached_prod;
}

/* Number of entries ready to consume, at most nb. Reads the kernel's
 * producer index (acquire) only when the cache is empty. */
XDPKIT_API_INLINE uint32_t xdpkit_ring_cons_avail(struct xdpkit_ring_cons *r, uint32_t nb)
{
	uint32_t entries = r->cached_prod - r->cached_cons;

	if (entries == 0) {
		r->cached_prod = __atomic_load_n(r->producer, __ATOMIC_ACQUIRE);
		entries = r->cached_prod - r->cached_cons;
	}
	return entries > nb ? nb : entries;
}

/* Reserves exactly nb entries or none. Returns nb or 0; *idx is the first. */
XDPKIT_API_INLINE uint32_t xdpkit_ring_prod_reserve(struct xdpkit_ring_prod *prod, uint32_t nb, uint32_t *idx)
{
	if (xdpkit_ring_prod_free(prod, nb) < nb)
		return 0;
	*idx = prod->cached_prod;
	prod->cached_prod += nb;
	return nb;
}

/* Publishes nb reserved entries to the kernel (release ordering). */
XDPKIT_API_INLINE void xdpkit_ring_prod_submit(struct xdpkit_ring_prod *prod, uint32_t nb)
{
	__atomic_store_n(prod->producer, *prod->producer + nb, __ATOMIC_RELEASE);
}

/* Gives back the last nb reserved, not yet submitted entries. */
XDPKIT_API_INLINE void xdpkit_ring_prod_cancel(struct xdpkit_ring_prod *prod, uint32_t nb)
{
	prod->cached_prod -= nb;
}

/* Takes up to nb ready entries. Returns how many; *idx is the first. */
XDPKIT_API_INLINE uint32_t xdpkit_ring_cons_peek(struct xdpkit_ring_cons *cons, uint32_t nb, uint32_t *idx)
{
	uint32_t entries = xdpkit_ring_cons_avail(cons, nb);

	if (entries > 0) {
		*idx = cons->cached_cons;
		cons->cached_cons += entries;
	}
	return entries;
}

/* Puts back the last nb peeked, not yet released entries. */
XDPKIT_API_INLINE void xdpkit_ring_cons_cancel(struct xdpkit_ring_cons *cons, uint32_t nb)
{
	cons->cached_cons -= nb;
}

/* Hands nb consumed entries back to the kernel (release ordering). */
XDPKIT_API_INLINE void xdpkit_ring_cons_release(struct xdpkit_ring_cons *cons, uint32_t nb)
{
	__atomic_store_n(cons->consumer, *cons->consumer + nb, __ATOMIC_RELEASE);
}

/* Unaligned mode: the base address (low 48 bits) of a descriptor address. */
XDPKIT_API_INLINE uint64_t xdpkit_umem_addr_base(uint64_t addr)
{
	return addr & XDPKIT_UNALIGNED_BUF_ADDR_MASK;
}

/* Unaligned mode: the offset (high 16 bits) of a descriptor address. */
XDPKIT_API_INLINE uint64_t xdpkit_umem_addr_offset(uint64_t addr)
{
	return addr >> XDPKIT_UNALIGNED_BUF_OFFSET_SHIFT;
}

/* The UMEM offset of a descriptor address in either mode (base + offset). */
XDPKIT_API_INLINE uint64_t xdpkit_umem_addr(uint64_t addr)
{
	return xdpkit_umem_addr_base(addr) + xdpkit_umem_addr_offset(addr);
}

/* Pointer to the data of a frame, given the UMEM area and its address. */
XDPKIT_API_INLINE void *xdpkit_umem_data(void *area, uint64_t addr)
{
	return &((char *)area)[xdpkit_umem_addr(addr)];
}

/* ------------------------------------------------------------------ */
/* Config structs */

/* Sets up a config struct on the stack with its size filled in:
 *   XDPKIT_OPTS(xdpkit_umem_config, cfg, .frame_size = 2048); */
#ifndef __cplusplus
#define XDPKIT_OPTS(TYPE, NAME, ...) \
	struct TYPE NAME = { .sz = sizeof(struct TYPE), __VA_ARGS__ }
#else
/* g++ before 14 warns (-Wextra) about every field a designated initialiser
 * leaves out; those fields are zero, as intended. */
#define XDPKIT_OPTS(TYPE, NAME, ...) \
	_Pragma("GCC diagnostic push") \
	_Pragma("GCC diagnostic ignored \"-Wmissing-field-initializers\"") \
	struct TYPE NAME = { .sz = sizeof(struct TYPE), __VA_ARGS__ }; \
	_Pragma("GCC diagnostic pop") \
	static_assert(sizeof(NAME) == sizeof(struct TYPE), "XDPKIT_OPTS")
#endif

/* UMEM configuration; zero fields take the defaults. */
struct xdpkit_umem_config {
	size_t sz;                /* sizeof(struct xdpkit_umem_config) */
	uint32_t fill_size;       /* fill ring entries, power of two (2048) */
	uint32_t comp_size;       /* completion ring entries (2048) */
	uint32_t frame_size;      /* 2048..page size, power of two (4096) */
	uint32_t frame_headroom;  /* bytes reserved before RX data (0) */
	uint32_t flags;           /* XDPKIT_UMEM_* */
	uint32_t tx_metadata_len; /* XDP_UMEM_TX_METADATA_LEN room (0) */
};

/* Socket configuration; zero fields take the defaults. */
struct xdpkit_socket_config {
	size_t sz;                 /* sizeof(struct xdpkit_socket_config) */
	uint32_t rx_size;          /* RX ring entries, power of two (2048) */
	uint32_t tx_size;          /* TX ring entries, power of two (2048) */
	uint32_t libxdp_flags;     /* XDPKIT_LIBXDP_FLAGS_* */
	uint32_t xdp_flags;        /* XDPKIT_XDP_FLAGS_*_MODE (0: auto) */
	uint16_t bind_flags;       /* XDPKIT_BIND_* */
	uint16_t reserved;         /* must be 0 */
	uint32_t flags;            /* XDPKIT_SOCKET_NO_RX / _NO_TX */
	uint32_t fill_size;        /* own fill ring when sharing a UMEM bound elsewhere */
	uint32_t comp_size;        /* own completion ring, likewise */
	uint32_t busy_poll_usecs;  /* SO_BUSY_POLL when non-zero */
	uint32_t busy_poll_budget; /* SO_BUSY_POLL_BUDGET when non-zero */
	uint32_t prefer_busy_poll; /* SO_PREFER_BUSY_POLL when non-zero */
	uint32_t max_tx_skb_budget;/* XDP_MAX_TX_SKB_BUDGET when non-zero */
};

/* Kernel XDP_STATISTICS of a socket. */
struct xdpkit_stats {
	size_t sz;                          /* sizeof(struct xdpkit_stats) */
	uint64_t rx_dropped;                /* dropped for other reasons */
	uint64_t rx_invalid_descs;          /* dropped for invalid descriptors */
	uint64_t tx_invalid_descs;          /* TX descriptors found invalid */
	uint64_t rx_ring_full;              /* dropped: RX ring full */
	uint64_t rx_fill_ring_empty_descs;  /* fill ring empty when needed */
	uint64_t tx_ring_empty_descs;       /* TX ring empty when looked at */
};

/* ------------------------------------------------------------------ */
/* UMEM */

struct xdpkit_umem;

/* Registers a UMEM. area: page-aligned memory of size bytes that stays
 * mapped until xdpkit_umem_delete, or NULL to have the library mmap one of
 * size bytes (0: DEFAULT_NUM_FRAMES frames). fill and comp, when not NULL,
 * are initialised to the UMEM's fill and completion rings and must outlive
 * the UMEM (the batch calls use them too). cfg: NULL for defaults.
 * Errors: -EINVAL (NULL out, bad size/frame size/headroom/ring size/flags,
 * unaligned area), -ENOMEM, -EPERM (capability), other kernel errors. */
int xdpkit_umem_create(struct xdpkit_umem **out, void *area, uint64_t size,
		       struct xdpkit_ring_prod *fill, struct xdpkit_ring_cons *comp,
		       const struct xdpkit_umem_config *cfg);
/* As xdpkit_umem_create, registering the UMEM on the caller's AF_XDP
 * socket fd (libxdp's xsk_umem__create_with_fd). On success the UMEM owns
 * fd (closed by xdpkit_umem_delete); on failure the caller keeps it.
 * -EINVAL when fd is not an AF_XDP socket, -EBADF when it is not open. */
int xdpkit_umem_create_with_fd(struct xdpkit_umem **out, int fd, void *area, uint64_t size,
			       struct xdpkit_ring_prod *fill, struct xdpkit_ring_cons *comp,
			       const struct xdpkit_umem_config *cfg);
/* The UMEM's memory; frame addresses are offsets into it. NULL if bad. */
void *xdpkit_umem_area(struct xdpkit_umem *umem);
/* The UMEM's size in bytes, or a negative errno. */
int64_t xdpkit_umem_size(struct xdpkit_umem *umem);
/* The UMEM's socket fd (the first socket bound on it uses it). */
int xdpkit_umem_fd(struct xdpkit_umem *umem);
/* The fill and completion rings the UMEM uses (the caller's, if given at
 * create, else the library's own). NULL for a bad handle. */
struct xdpkit_ring_prod *xdpkit_umem_fill_ring(struct xdpkit_umem *umem);
struct xdpkit_ring_cons *xdpkit_umem_comp_ring(struct xdpkit_umem *umem);
/* Unregisters and frees the UMEM. -EBUSY while sockets use it. */
int xdpkit_umem_delete(struct xdpkit_umem *umem);

/* ------------------------------------------------------------------ */
/* Sockets */

struct xdpkit_socket;

/* Creates an AF_XDP socket on queue of ifname over umem and binds it.
 * rx and tx, when not NULL, are initialised to the socket's rings and
 * must outlive it. Unless cfg->libxdp_flags inhibits it, the default
 * program (queue -> XSKMAP -> socket, else XDP_PASS) is attached through a
 * bpf_link and the socket stored in its XSKMAP; both are undone on delete.
 * The first socket of a UMEM uses its fill/comp rings; later ones share
 * the UMEM (XDP_SHARED_UMEM) and, on another queue or device, get their
 * own fill/comp rings (see xdpkit_socket_create_shared).
 * Errors: -EINVAL (NULL out/ifname/umem, bad config, queue out of range),
 * -EBADF (closed or forged umem), -ENODEV (no such interface), -EBUSY
 * (queue in use, other XDP program attached), -EOPNOTSUPP (zero-copy
 * required but not supported), -EPERM. */
int xdpkit_socket_create(struct xdpkit_socket **out, const char *ifname, uint32_t queue,
			 struct xdpkit_umem *umem, struct xdpkit_ring_cons *rx,
			 struct xdpkit_ring_prod *tx, const struct xdpkit_socket_config *cfg);
/* As xdpkit_socket_create, also initialising fill and comp (when not NULL)
 * to the fill/completion rings the socket uses: its own when it shares
 * the UMEM on another queue or device, else the UMEM's. */
int xdpkit_socket_create_shared(struct xdpkit_socket **out, const char *ifname, uint32_t queue,
				struct xdpkit_umem *umem, struct xdpkit_ring_cons *rx,
				struct xdpkit_ring_prod *tx, struct xdpkit_ring_prod *fill,
				struct xdpkit_ring_cons *comp, const struct xdpkit_socket_config *cfg);
/* Opens one socket per RX queue of ifname over umem (queue 0's uses the
 * UMEM's fill/completion rings, the others their own, reachable with
 * xdpkit_socket_fill_ring/comp_ring) into out[0..n-1]; returns n, the
 * number of RX queues. Either all are created or none; -ERANGE when the
 * interface has more than max queues. */
int xdpkit_socket_create_all_queues(struct xdpkit_socket **out, uint32_t max, const char *ifname,
				    struct xdpkit_umem *umem, const struct xdpkit_socket_config *cfg);
/* The socket's file descriptor (for poll/epoll), or a negative errno. */
int xdpkit_socket_fd(struct xdpkit_socket *sock);
/* The rings the socket uses. NULL for a bad handle or an absent ring. */
struct xdpkit_ring_cons *xdpkit_socket_rx_ring(struct xdpkit_socket *sock);
struct xdpkit_ring_prod *xdpkit_socket_tx_ring(struct xdpkit_socket *sock);
struct xdpkit_ring_prod *xdpkit_socket_fill_ring(struct xdpkit_socket *sock);
struct xdpkit_ring_cons *xdpkit_socket_comp_ring(struct xdpkit_socket *sock);
/* Removes the socket from the XSKMAPs the library put it in (the default
 * program's, or the map of xdpkit_socket_update_xskmap), detaches the
 * default program with its last socket, unmaps the rings and closes the
 * socket. As in libxdp, the first socket of a UMEM is the UMEM's own fd:
 * it stays bound until xdpkit_umem_delete closes it (an entry the caller
 * stored with xdpkit_xskmap_set keeps pointing at it until then). */
int xdpkit_socket_delete(struct xdpkit_socket *sock);
/* Wakes the kernel to send what the TX ring holds (sendto, MSG_DONTWAIT).
 * EAGAIN, EBUSY, ENOBUFS and ENETDOWN count as success, as in libxdp. */
int xdpkit_socket_kick(struct xdpkit_socket *sock);
/* Wakes the kernel to take frames from the fill ring (recvfrom,
 * MSG_DONTWAIT); for need_wakeup on RX. EAGAIN counts as success. */
int xdpkit_socket_wakeup_rx(struct xdpkit_socket *sock);
/* poll() on the socket: events are POLLIN/POLLOUT; returns the ready
 * events (0 on timeout) or a negative errno. EINTR is retried. */
int xdpkit_socket_poll(struct xdpkit_socket *sock, short events, int timeout_ms);
/* Reads XDP_STATISTICS. stats->sz must be set. */
int xdpkit_socket_stats(struct xdpkit_socket *sock, struct xdpkit_stats *stats);
/* Reads XDP_OPTIONS into *opts (XDPKIT_OPTIONS_ZEROCOPY). */
int xdpkit_socket_options(struct xdpkit_socket *sock, uint32_t *opts);
/* The queue and interface index the socket is bound to. */
int xdpkit_socket_queue(struct xdpkit_socket *sock);
int xdpkit_socket_ifindex(struct xdpkit_socket *sock);
/* The mode of the default program serving the socket: XDPKIT_XDP_FLAGS_
 * SKB_MODE, _DRV_MODE or _HW_MODE; 0 when it has none. */
int xdpkit_socket_xdp_mode(struct xdpkit_socket *sock);
/* The kernel id of the default program serving the socket, 0 if none. */
int xdpkit_socket_prog_id(struct xdpkit_socket *sock);

/* ------------------------------------------------------------------ */
/* Batch calls: one call moves many descriptors; for bindings. They use
 * the rings the handles hold and do not enter the Go runtime. */

/* Takes up to max received descriptors into out and releases them.
 * Returns the number taken (0 when none). */
int xdpkit_rx_batch(struct xdpkit_socket *sock, struct xdpkit_desc *out, uint32_t max);
/* Queues up to n descriptors for sending (as many as fit; every one is
 * checked against the UMEM first, -EINVAL if one lies outside it) and,
 * when kick is non-zero, wakes the kernel if it needs it. Returns the
 * number queued; a failed kick is returned as its errno only when nothing
 * was queued (its message is in xdpkit_last_error() either way). */
int xdpkit_tx_batch(struct xdpkit_socket *sock, const struct xdpkit_desc *in, uint32_t n, int kick);
/* Puts up to n frame addresses on the UMEM's fill ring (as many as fit).
 * Returns the number put. */
int xdpkit_fill_batch(struct xdpkit_umem *umem, const uint64_t *addrs, uint32_t n);
/* Takes up to max sent frame addresses from the UMEM's completion ring.
 * Returns the number taken. */
int xdpkit_comp_batch(struct xdpkit_umem *umem, uint64_t *addrs, uint32_t max);

/* The same on the fill/completion rings a socket uses: its own when it
 * shares the UMEM on another queue or device, else the UMEM's. */
int xdpkit_socket_fill_batch(struct xdpkit_socket *sock, const uint64_t *addrs, uint32_t n);
int xdpkit_socket_comp_batch(struct xdpkit_socket *sock, uint64_t *addrs, uint32_t max);

/* ------------------------------------------------------------------ */
/* Interfaces */

/* Active RX and TX queue counts of an interface (ethtool channels; 1/1
 * for drivers without them). Either pointer may be NULL. -ENODEV. */
int xdpkit_if_queues(const char *ifname, uint32_t *rx, uint32_t *tx);
/* Index of an interface, or -ENODEV. */
int xdpkit_if_index(const char *ifname);

/* XDP feature bits (enum netdev_xdp_act) and AF_XDP TX metadata bits
 * (enum netdev_xsk_flags) as xdpkit_if_xdp_features reports them. */
#define XDPKIT_XDP_FEATURE_BASIC        (1ULL << 0)
#define XDPKIT_XDP_FEATURE_REDIRECT     (1ULL << 1)
#define XDPKIT_XDP_FEATURE_NDO_XMIT     (1ULL << 2)
#define XDPKIT_XDP_FEATURE_XSK_ZEROCOPY (1ULL << 3)
#define XDPKIT_XDP_FEATURE_HW_OFFLOAD   (1ULL << 4)
#define XDPKIT_XDP_FEATURE_RX_SG        (1ULL << 5)
#define XDPKIT_XDP_FEATURE_NDO_XMIT_SG  (1ULL << 6)
#define XDPKIT_XSK_FEATURE_TX_TIMESTAMP (1ULL << 0)
#define XDPKIT_XSK_FEATURE_TX_CHECKSUM  (1ULL << 1)
#define XDPKIT_XSK_FEATURE_TX_LAUNCH_TIME_FIFO (1ULL << 2)

/* An interface's XDP features from the kernel's netdev netlink family
 * (kernel 6.3+; -EOPNOTSUPP before): XDPKIT_XDP_FEATURE_* bits, the
 * zero-copy fragment limit and, when xsk_features is not NULL, the
 * XDPKIT_XSK_FEATURE_* bits. Any pointer may be NULL. -ENODEV. */
int xdpkit_if_xdp_features(const char *ifname, uint64_t *features, uint32_t *zc_max_segs,
			   uint64_t *xsk_features);

/* ------------------------------------------------------------------ */
/* Frame pool: the free frames of a UMEM (aligned mode), a LIFO stack in C.
 * No locking: one thread per pool. */

struct xdpkit_frame_pool;

/* A pool holding every frame of umem. */
int xdpkit_pool_create(struct xdpkit_frame_pool **out, struct xdpkit_umem *umem);
/* Takes up to n free frames into addrs; returns how many. */
int xdpkit_pool_alloc(struct xdpkit_frame_pool *pool, uint64_t *addrs, uint32_t n);
/* Returns n frames; -EINVAL (nothing added) for an address outside the
 * UMEM or more frames than the UMEM has. */
int xdpkit_pool_free(struct xdpkit_frame_pool *pool, const uint64_t *addrs, uint32_t n);
/* Number of free frames. */
int xdpkit_pool_count(struct xdpkit_frame_pool *pool);
/* Moves up to n frames from the pool onto the UMEM's fill ring (prefill
 * before receiving, or for TX-only sockets on drivers that want it).
 * Returns the number moved. */
int xdpkit_umem_prefill(struct xdpkit_umem *umem, struct xdpkit_frame_pool *pool, uint32_t n);
int xdpkit_pool_delete(struct xdpkit_frame_pool *pool);

/* ------------------------------------------------------------------ */
/* Maps. A map is named by its file descriptor. Maps the library creates
 * or opens (create, open_pinned, open_id) belong to it until
 * xdpkit_map_close(); the element calls take any map fd, the library's or
 * one from elsewhere. Key and value sizes are checked against the map
 * before any system call: a wrong size is -EINVAL. For per-CPU maps a
 * value is round_up(value_size, 8) * possible CPUs bytes. Missing keys
 * are -ENOENT, existing ones with XDPKIT_MAP_NOEXIST -EEXIST, a full map
 * -E2BIG (or -ENOSPC). */

/* Map types: the kernel's BPF_MAP_TYPE_* values (any of them works). */
#define XDPKIT_MAP_HASH        1
#define XDPKIT_MAP_ARRAY       2
#define XDPKIT_MAP_PERCPU_HASH 5
#define XDPKIT_MAP_PERCPU_ARRAY 6
#define XDPKIT_MAP_LRU_HASH    9
#define XDPKIT_MAP_DEVMAP      14
#define XDPKIT_MAP_CPUMAP      16
#define XDPKIT_MAP_XSKMAP      17
#define XDPKIT_MAP_QUEUE       22
#define XDPKIT_MAP_STACK       23
#define XDPKIT_MAP_DEVMAP_HASH 25

/* Update flags: BPF_ANY, BPF_NOEXIST, BPF_EXIST. */
#define XDPKIT_MAP_ANY     0
#define XDPKIT_MAP_NOEXIST 1
#define XDPKIT_MAP_EXIST   2

/* What xdpkit_map_info() reports. */
struct xdpkit_map_info {
	size_t sz;            /* sizeof(struct xdpkit_map_info) */
	uint32_t type;        /* XDPKIT_MAP_* */
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t flags;       /* BPF_F_* map flags */
	uint32_t id;          /* kernel map id */
	char name[16];        /* NUL-terminated */
};

/* Creates a map; returns its fd. name may be NULL. Keyless maps (QUEUE,
 * STACK) take key_size 0. A CPUMAP's max_entries is capped at the number
 * of possible CPUs. */
int xdpkit_map_create(uint32_t type, uint32_t key_size, uint32_t value_size,
		      uint32_t max_entries, uint32_t flags, const char *name);
/* Opens a map pinned in bpffs; returns its fd. */
int xdpkit_map_open_pinned(const char *path);
/* Opens a map by kernel id; returns its fd. */
int xdpkit_map_open_id(uint32_t id);
/* Pins a map in bpffs (mounting bpffs at /sys/fs/bpf if the path is under
 * it and nothing is mounted there). */
int xdpkit_map_pin(int fd, const char *path);
/* Removes a pin (unlinks the path). */
int xdpkit_map_unpin(const char *path);
/* Closes a map the library created or opened. -EBADF for another fd. */
int xdpkit_map_close(int fd);
/* Type, sizes, flags, id and name of any map fd. info->sz must be set. */
int xdpkit_map_info(int fd, struct xdpkit_map_info *info);

int xdpkit_map_update(int fd, const void *key, uint32_t key_size,
		      const void *value, uint32_t value_size, uint64_t flags);
int xdpkit_map_lookup(int fd, const void *key, uint32_t key_size,
		      void *value, uint32_t value_size);
int xdpkit_map_delete(int fd, const void *key, uint32_t key_size);
int xdpkit_map_lookup_and_delete(int fd, const void *key, uint32_t key_size,
				 void *value, uint32_t value_size);
/* Writes the key after key into next (key NULL: the first key).
 * -ENOENT after the last key. */
int xdpkit_map_next_key(int fd, const void *key, void *next, uint32_t key_size);

/* Batch calls: count entries of key_size/value_size bytes packed in
 * keys/values. They return the number of entries done; -EOPNOTSUPP when
 * the map type has no batch support. */
int xdpkit_map_update_batch(int fd, const void *keys, const void *values, uint32_t count,
			    uint32_t key_size, uint32_t value_size, uint64_t flags);
int xdpkit_map_delete_batch(int fd, const void *keys, uint32_t count, uint32_t key_size);
/* Position of a batch lookup; zero it to start from the beginning. */
struct xdpkit_map_cursor {
	uint8_t token[32]; /* the kernel's position (opaque) */
	uint32_t started;
	uint32_t ended;    /* non-zero once the whole map has been read */
};
/* Reads up to count entries from cursor's position and advances it.
 * Returns the number read; 0 (with cursor->ended set) at the end. */
int xdpkit_map_lookup_batch(int fd, struct xdpkit_map_cursor *cursor, void *keys, void *values,
			    uint32_t count, uint32_t key_size, uint32_t value_size);

/* XSKMAP: stores the socket at queue / removes the entry. */
int xdpkit_xskmap_set(int fd, uint32_t queue, struct xdpkit_socket *sock);
int xdpkit_xskmap_clear(int fd, uint32_t queue);
/* Stores the socket in the caller's XSKMAP at the socket's queue (libxdp's
 * xsk_socket__update_xskmap); the entry is removed when the socket closes. */
int xdpkit_socket_update_xskmap(struct xdpkit_socket *sock, int map_fd);

/* CPUMAP (struct bpf_cpumap_val): enables cpu with a queue of qsize frames
 * and, when prog_fd > 0, an XDP program loaded for CPUMAP run on it. */
int xdpkit_cpumap_set(int fd, uint32_t cpu, uint32_t qsize, int prog_fd);
/* Reads a CPUMAP entry: queue size and program id (0: none). Either
 * pointer may be NULL. */
int xdpkit_cpumap_get(int fd, uint32_t cpu, uint32_t *qsize, uint32_t *prog_id);
/* DEVMAP / DEVMAP_HASH (struct bpf_devmap_val): key -> ifindex, with an
 * XDP program loaded for DEVMAP when prog_fd > 0. */
int xdpkit_devmap_set(int fd, uint32_t key, uint32_t ifindex, int prog_fd);
int xdpkit_devmap_get(int fd, uint32_t key, uint32_t *ifindex, uint32_t *prog_id);

/* QUEUE / STACK. push: flags XDPKIT_MAP_EXIST makes a full map drop its
 * oldest value, otherwise a full map is -E2BIG. peek/pop: -ENOENT when
 * empty; QUEUE gives the oldest value, STACK the newest. */
int xdpkit_queue_push(int fd, const void *value, uint32_t value_size, uint64_t flags);
int xdpkit_queue_peek(int fd, void *value, uint32_t value_size);
int xdpkit_queue_pop(int fd, void *value, uint32_t value_size);

/* ------------------------------------------------------------------ */
/* XDP programs */

struct xdpkit_prog;
struct xdpkit_link;

/* Loads the ELF object at path with its maps and selects the program
 * name: a function or section name, or NULL for the object's only XDP
 * program. -ENOENT when there is no such program. */
int xdpkit_prog_load_file(struct xdpkit_prog **out, const char *path, const char *name);
/* Loads xdpkit's default program (rx_queue_index -> xsks_map -> socket,
 * else XDP_PASS) for a caller who manages it: attach it and use
 * xdpkit_prog_map_fd(prog, "xsks_map"). max_queues sizes the XSKMAP. */
int xdpkit_prog_load_default(struct xdpkit_prog **out, uint32_t max_queues);
/* The program's fd and kernel id. */
int xdpkit_prog_fd(struct xdpkit_prog *prog);
int xdpkit_prog_id(struct xdpkit_prog *prog);
/* The fd of the object's map called name (e.g. "xsks_map"); it belongs to
 * the program and stays valid until xdpkit_prog_delete. */
int xdpkit_prog_map_fd(struct xdpkit_prog *prog, const char *name);
/* Attaches through a bpf_link; xdp_flags: XDPKIT_XDP_FLAGS_*_MODE or 0
 * (auto: native, falling back to generic). The link detaches on
 * xdpkit_link_detach and when the process exits. */
int xdpkit_prog_attach(struct xdpkit_prog *prog, const char *ifname, uint32_t xdp_flags,
		       struct xdpkit_link **out);
/* The mode a link attached in (XDPKIT_XDP_FLAGS_*_MODE). */
int xdpkit_link_mode(struct xdpkit_link *link);
/* Detaches and frees a link. */
int xdpkit_link_detach(struct xdpkit_link *link);
/* Unloads the program and closes the object's maps (attached links keep
 * the program running until detached). */
int xdpkit_prog_delete(struct xdpkit_prog *prog);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* XDPKIT_H */
