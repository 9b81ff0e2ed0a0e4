// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The traffic generator's program: run with BPF_PROG_RUN and
 * BPF_F_TEST_XDP_LIVE_FRAMES, it sends every frame it is given out of
 * the interface whose index user space writes into target_ifindex before
 * loading (a constant in .rodata, so the verifier sees its value). */
#include "xdpkit_bpf.h"

static long (*bpf_redirect)(__u32 ifindex, __u64 flags) = (void *)23;

volatile const __u32 target_ifindex = 0;

SEC("xdp")
int xdpkit_gen_redirect(struct xdp_md *ctx)
{
	return bpf_redirect(target_ifindex, 0);
}

char _license[] SEC("license") = "Dual BSD/GPL";
