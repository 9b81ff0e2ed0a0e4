/* Private definitions of libxdpkit's C layer: the handle structs behind
 * the opaque types of xdpkit.h, the handle registry and error helpers. */
#ifndef XDPKIT_INTERNAL_H
#define XDPKIT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "xdpkit.h"

#define XDPKIT_MAGIC_UMEM 0x786b756dU /* "xkum" */
#define XDPKIT_MAGIC_SOCK 0x786b736bU /* "xksk" */
#define XDPKIT_MAGIC_PROG 0x786b7067U /* "xkpg" */
#define XDPKIT_MAGIC_LINK 0x786b6c6eU /* "xkln" */
#define XDPKIT_MAGIC_POOL 0x786b706cU /* "xkpl" */

/* A UMEM handle. gohandle is the cgo.Handle of the Go *xsk.Umem. fill/comp
 * point at the caller's ring structs or at the handle's own. */
struct xdpkit_umem {
	uint32_t magic;
	int fd;
	uintptr_t gohandle;
	void *area;
	uint64_t size;
	uint32_t frame_size;
	struct xdpkit_ring_prod *fill;
	struct xdpkit_ring_cons *comp;
	struct xdpkit_ring_prod fill_own;
	struct xdpkit_ring_cons comp_own;
};

/* A socket handle; rx/tx are NULL when the socket has no such ring. */
struct xdpkit_socket {
	uint32_t magic;
	int fd;
	uintptr_t gohandle;
	struct xdpkit_umem *umem;
	uint16_t bind_flags;
	struct xdpkit_ring_cons *rx;
	struct xdpkit_ring_prod *tx;
	struct xdpkit_ring_prod *fill;
	struct xdpkit_ring_cons *comp;
	struct xdpkit_ring_cons rx_own;
	struct xdpkit_ring_prod tx_own;
	struct xdpkit_ring_prod fill_own;
	struct xdpkit_ring_cons comp_own;
};

/* Program and link handles: just the Go object behind them. */
struct xdpkit_prog {
	uint32_t magic;
	uintptr_t gohandle;
};

struct xdpkit_link {
	uint32_t magic;
	uintptr_t gohandle;
};

/* A frame pool: free frame addresses, a stack. */
struct xdpkit_frame_pool {
	uint32_t magic;
	uint32_t count;
	uint32_t capacity;
	uint64_t umem_size;
	uint64_t *addrs;
};

/* Registry of live handles, so NULL, forged and closed handles are told
 * apart without dereferencing them. */
int xdpkit__registry_add(void *h);
int xdpkit__registry_remove(void *h); /* 1 when h was live */
int xdpkit__registry_has(const void *h);
/* Frees a handle taken out of the registry. Its memory is reused only
 * after many more handles have been freed, so a stale pointer to it keeps
 * failing the check (-EBADF) instead of passing as a newer handle that
 * malloc put at the same address. */
void xdpkit__handle_free(void *h);

/* Set in a child forked (without exec) from a process that has loaded the
 * library (capi/fork.c): every public function then fails with -ECHILD
 * before touching Go, the registry or the rings. */
extern volatile int xdpkit__forked;
int xdpkit__forked_fail(const char *fn);
#define FORK_GUARD() do { if (__builtin_expect(xdpkit__forked, 0)) return xdpkit__forked_fail(__func__); } while (0)

/* Checks a handle: 0, -EINVAL (NULL) or -EBADF (not live or wrong kind),
 * with the message set; -ECHILD in a forked child. */
int xdpkit__check(const void *h, uint32_t magic, const char *fn);

/* Return -EINVAL/-EBADF (or NULL) from the calling export for a bad handle. */
#define CHECK_SOCK(s) do { int e_ = xdpkit__check(s, XDPKIT_MAGIC_SOCK, __func__); if (e_) return e_; } while (0)
#define CHECK_UMEM(u) do { int e_ = xdpkit__check(u, XDPKIT_MAGIC_UMEM, __func__); if (e_) return e_; } while (0)
#define CHECK_SOCK_NULL(s) do { if (xdpkit__check(s, XDPKIT_MAGIC_SOCK, __func__)) return NULL; } while (0)
#define CHECK_UMEM_NULL(u) do { if (xdpkit__check(u, XDPKIT_MAGIC_UMEM, __func__)) return NULL; } while (0)

/* Wakes the kernel's TX (sendto, MSG_DONTWAIT), libxdp's ok errnos => 0. */
int xdpkit__kick(struct xdpkit_socket *s);

/* Sets the thread's error message and returns -err (err of either sign). */
int xdpkit__fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Sets the thread's error message from a Go string. */
void xdpkit__set_error(const char *msg, size_t len);
/* Clears the thread's error message. */
void xdpkit__clear_error(void);

/* Copies a caller's config struct (size in its first size_t) into dst of
 * dst_size bytes, zero-filling what an older caller's struct lacks.
 * -EINVAL when the size is too small or an unknown tail is not zero. */
int xdpkit__copy_opts(void *dst, size_t dst_size, const void *src, const char *type);

/* Initialise ring structs over kernel ring memory, as libxdp does. */
void xdpkit__ring_init_prod(struct xdpkit_ring_prod *r, uint32_t *producer, uint32_t *consumer,
			    uint32_t *flags, void *desc, uint32_t size);
void xdpkit__ring_init_cons(struct xdpkit_ring_cons *r, uint32_t *producer, uint32_t *consumer,
			    uint32_t *flags, void *desc, uint32_t size);

#endif
