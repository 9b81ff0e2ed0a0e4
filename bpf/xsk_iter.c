// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* AF_XDP socket listing for kernels built without CONFIG_XDP_SOCKETS_DIAG:
 * a task_file iterator that writes one record per open AF_XDP socket with
 * what sock_diag would report (interface, queue, ring sizes, UMEM, the
 * XDP_STATISTICS counters) plus its owner. Kernel structures are read with
 * CO-RE relocations, so only the fields named below must exist. */
#include "xdpkit_bpf.h"

#define __core __attribute__((preserve_access_index))
#define AF_XDP 44

/* Just the kernel fields this program reads; CO-RE matches them by name. */
struct seq_file;
struct bpf_iter_meta {
	struct seq_file *seq;
} __core;
struct task_struct {
	int tgid;
	char comm[16];
} __core;
struct inode {
	unsigned long i_ino;
} __core;
struct file {
	struct inode *f_inode;
} __core;
struct bpf_iter__task_file {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
	__u32 fd;
	struct file *file;
} __core;
struct ns_common {
	unsigned int inum;
} __core;
struct net {
	struct ns_common ns;
} __core;
typedef struct {
	struct net *net;
} __core possible_net_t;
typedef struct {
	__u32 val;
} __core kuid_t;
struct sock_common {
	unsigned short skc_family;
	possible_net_t skc_net;
} __core;
struct sock {
	struct sock_common __sk_common;
	__u16 sk_type;
	kuid_t sk_uid;
} __core;
struct socket {
	struct sock *sk;
} __core;
struct net_device {
	int ifindex;
} __core;
struct xsk_queue {
	__u32 nentries;
	__u64 invalid_descs;
	__u64 queue_empty_descs;
} __core;
typedef struct {
	int counter;
} __core atomic_t;
typedef struct refcount_struct {
	atomic_t refs;
} __core refcount_t;
struct xdp_umem {
	__u64 size;
	__u32 headroom;
	__u32 chunk_size;
	__u32 npgs;
	refcount_t users;
	int id;
	_Bool zc;
} __core;
struct xsk_buff_pool {
	struct net_device *netdev;
	__u16 queue_id;
	struct xsk_queue *fq;
	struct xsk_queue *cq;
	_Bool uses_need_wakeup;
} __core;
struct xdp_sock {
	struct sock sk;
	struct xsk_queue *rx;
	struct net_device *dev;
	struct xdp_umem *umem;
	struct xsk_buff_pool *pool;
	__u16 queue_id;
	_Bool zc;
	enum { XSK_READY = 0, XSK_BOUND, XSK_UNBOUND } state;
	struct xsk_queue *tx;
	__u64 rx_dropped;
	__u64 rx_queue_full;
	struct xsk_queue *fq_tmp;
	struct xsk_queue *cq_tmp;
} __core;

/* One record per (task, fd) holding an AF_XDP socket. Keep in sync with
 * iterRecord in internal/xskdiag/iter.go. */
struct xsk_record {
	__u64 netns;
	__u64 ino;
	__u32 pid;
	__u32 fd;
	char comm[16];
	__u32 ifindex;
	__u32 queue_id;
	__u32 uid;
	__u32 type;
	__u32 state;
	__u32 flags; /* XSK_REC_F_* */
	__u32 rx_entries;
	__u32 tx_entries;
	__u32 fill_entries;
	__u32 comp_entries;
	__u32 umem_id;
	__u32 umem_npgs;
	__u32 umem_chunk;
	__u32 umem_headroom;
	__u32 umem_ifindex;
	__u32 umem_queue;
	__u32 umem_refs;
	__u32 pad;
	__u64 umem_size;
	__u64 rx_dropped;
	__u64 rx_invalid;
	__u64 rx_full;
	__u64 fill_empty;
	__u64 tx_invalid;
	__u64 tx_empty;
};

#define XSK_REC_F_ZEROCOPY 1
#define XSK_REC_F_NEED_WAKEUP 2
#define XSK_REC_F_UMEM 4

static long (*bpf_probe_read_kernel)(void *dst, __u32 size, const void *src) = (void *)113;
static long (*bpf_seq_write)(struct seq_file *m, const void *data, __u32 len) = (void *)127;
static struct socket *(*bpf_sock_from_file)(struct file *file) = (void *)162;

/* READ(dst, expr) copies the kernel field expr into dst (zero on failure). */
#define READ(dst, expr) \
	bpf_probe_read_kernel(&(dst), sizeof(dst), __builtin_preserve_access_index(&(expr)))

static __u32 ring_entries(struct xsk_queue *q)
{
	__u32 n = 0;

	if (q)
		READ(n, q->nentries);
	return n;
}

static __u64 queue_u64(struct xsk_queue *q, int empty)
{
	__u64 v = 0;

	if (!q)
		return 0;
	if (empty)
		READ(v, q->queue_empty_descs);
	else
		READ(v, q->invalid_descs);
	return v;
}

SEC("iter/task_file")
int xdpkit_xsk_iter(struct bpf_iter__task_file *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct xsk_record r = {};
	struct xsk_queue *rx = 0, *tx = 0, *fq = 0, *cq = 0;
	struct xsk_buff_pool *pool = 0;
	struct net_device *dev = 0;
	struct xdp_umem *umem = 0;
	struct inode *inode = 0;
	struct net *net = 0;
	struct socket *sock;
	struct xdp_sock *xs;
	struct sock *sk = 0;
	unsigned short family = 0;
	__u16 u16v = 0;
	_Bool b = 0;

	if (!task || !file)
		return 0;
	sock = bpf_sock_from_file(file);
	if (!sock)
		return 0;
	READ(sk, sock->sk);
	if (!sk)
		return 0;
	READ(family, sk->__sk_common.skc_family);
	if (family != AF_XDP)
		return 0;
	xs = (struct xdp_sock *)sk;

	READ(net, sk->__sk_common.skc_net.net);
	if (net) {
		unsigned int inum = 0;

		READ(inum, net->ns.inum);
		r.netns = inum;
	}
	READ(inode, file->f_inode);
	if (inode)
		READ(r.ino, inode->i_ino);
	READ(r.pid, task->tgid);
	bpf_probe_read_kernel(r.comm, sizeof(r.comm), __builtin_preserve_access_index(&task->comm));
	r.fd = ctx->fd;
	READ(u16v, sk->sk_type);
	r.type = u16v;
	READ(r.uid, sk->sk_uid.val);
	READ(r.state, xs->state);

	READ(dev, xs->dev);
	if (dev)
		READ(r.ifindex, dev->ifindex);
	READ(u16v, xs->queue_id);
	r.queue_id = u16v;

	READ(rx, xs->rx);
	READ(tx, xs->tx);
	READ(pool, xs->pool);
	if (pool) {
		READ(fq, pool->fq);
		READ(cq, pool->cq);
		READ(b, pool->uses_need_wakeup);
		if (b)
			r.flags |= XSK_REC_F_NEED_WAKEUP;
		dev = 0;
		READ(dev, pool->netdev);
		if (dev)
			READ(r.umem_ifindex, dev->ifindex);
		READ(u16v, pool->queue_id);
		r.umem_queue = u16v;
	} else {
		READ(fq, xs->fq_tmp);
		READ(cq, xs->cq_tmp);
	}
	r.rx_entries = ring_entries(rx);
	r.tx_entries = ring_entries(tx);
	r.fill_entries = ring_entries(fq);
	r.comp_entries = ring_entries(cq);

	READ(umem, xs->umem);
	if (umem) {
		int id = 0;

		r.flags |= XSK_REC_F_UMEM;
		READ(id, umem->id);
		r.umem_id = (__u32)id;
		READ(r.umem_size, umem->size);
		READ(r.umem_npgs, umem->npgs);
		READ(r.umem_chunk, umem->chunk_size);
		READ(r.umem_headroom, umem->headroom);
		READ(r.umem_refs, umem->users.refs.counter);
		b = 0;
		READ(b, umem->zc);
		if (b)
			r.flags |= XSK_REC_F_ZEROCOPY;
	}

	READ(r.rx_dropped, xs->rx_dropped);
	READ(r.rx_full, xs->rx_queue_full);
	r.rx_invalid = queue_u64(rx, 0);
	r.tx_invalid = queue_u64(tx, 0);
	r.tx_empty = queue_u64(tx, 1);
	r.fill_empty = queue_u64(fq, 1);

	bpf_seq_write(seq, &r, sizeof(r));
	return 0;
}

char _license[] SEC("license") = "Dual BSD/GPL";
