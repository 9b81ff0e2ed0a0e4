// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* QUEUE/STACK demo: every frame's length is pushed onto a QUEUE and a
 * STACK map (with BPF_EXIST, so full maps drop their oldest entry) and the
 * frame passes on. User space pops them: FIFO from the queue, LIFO from
 * the stack. */
#include "xdpkit_bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 64);
	__type(value, __u32);
} len_queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 64);
	__type(value, __u32);
} len_stack SEC(".maps");

SEC("xdp")
int xdpkit_queue_stack(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;

	bpf_map_push_elem(&len_queue, &len, BPF_EXIST);
	bpf_map_push_elem(&len_stack, &len, BPF_EXIST);
	return XDP_PASS;
}

char _license[] SEC("license") = "Dual BSD/GPL";
