// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The default AF_XDP program: a frame received on RX queue q goes to the
 * AF_XDP socket stored at xsks_map[q]; with no socket there it passes on to
 * the kernel stack (the XDP_PASS in the flags of bpf_redirect_map). */
#include "xdpkit_bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

SEC("xdp")
int xdpkit_redirect(struct xdp_md *ctx)
{
	return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
}

/* The same program for multi-buffer sockets (XDP_USE_SG): the xdp.frags
 * section tells the kernel the program accepts frames of several buffers. */
SEC("xdp.frags")
int xdpkit_redirect_frags(struct xdp_md *ctx)
{
	return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
}

char _license[] SEC("license") = "Dual BSD/GPL";
