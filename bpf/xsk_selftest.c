// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Programs of the kernel's AF_XDP selftests, for xdpkit's tests and for
 * users who want the same behaviours: each redirects to the socket at
 * xsks_map[rx_queue_index] like the default program, and
 *  - xdpkit_drop_half drops every other frame (XDP_DROP_HALF);
 *  - xdpkit_meta_count writes a running frame count into the metadata
 *    area in front of each frame (XDP_METADATA_COPY): user space finds it
 *    in the 4 bytes before the frame data. */
#include "xdpkit_bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} frame_count SEC(".maps");

/* The count is not atomic across CPUs: the tests use one RX queue. */
static __u32 next_count(void)
{
	__u32 key = 0, *n = bpf_map_lookup_elem(&frame_count, &key), v;

	if (!n)
		return 0;
	v = *n;
	*n = v + 1;
	return v;
}

SEC("xdp")
int xdpkit_drop_half(struct xdp_md *ctx)
{
	if (next_count() & 1)
		return XDP_DROP;
	return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
}

SEC("xdp")
int xdpkit_meta_count(struct xdp_md *ctx)
{
	__u32 *meta;

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(__u32)))
		return XDP_ABORTED;
	meta = (void *)(long)ctx->data_meta;
	if ((void *)(meta + 1) > (void *)(long)ctx->data)
		return XDP_ABORTED;
	*meta = next_count();
	return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
}

char _license[] SEC("license") = "Dual BSD/GPL";
