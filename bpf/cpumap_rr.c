// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* CPUMAP round-robin: every frame received is redirected to the next CPU
 * of a list user space fills (cpus_available[0..cpus_count-1]), as in the
 * kernel's CPUMAP documentation. The CPUMAP entries may run
 * xdpkit_cpumap_count on the target CPU: it counts frames per CPU in
 * cpu_rx (a per-CPU array), so user space sees where frames really ran. */
#include "xdpkit_bpf.h"

#define MAX_CPUS 64

struct bpf_cpumap_val {
	__u32 qsize;
	union {
		int fd;
		__u32 id;
	} bpf_prog;
};

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, MAX_CPUS);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
} cpu_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_CPUS);
	__type(key, __u32);
	__type(value, __u32);
} cpus_available SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cpus_count SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cpus_iter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} cpu_rx SEC(".maps");

SEC("xdp")
int xdpkit_cpumap_rr(struct xdp_md *ctx)
{
	__u32 key = 0, *count, *iter, *cpu, idx;

	count = bpf_map_lookup_elem(&cpus_count, &key);
	iter = bpf_map_lookup_elem(&cpus_iter, &key);
	if (!count || !iter || *count == 0)
		return XDP_PASS;
	idx = (*iter)++;
	if (*iter >= *count)
		*iter = 0;
	if (idx >= MAX_CPUS)
		return XDP_ABORTED;
	cpu = bpf_map_lookup_elem(&cpus_available, &idx);
	if (!cpu)
		return XDP_ABORTED;
	return bpf_redirect_map(&cpu_map, *cpu, 0);
}

SEC("xdp/cpumap")
int xdpkit_cpumap_count(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&cpu_rx, &key);

	if (n)
		(*n)++;
	return XDP_DROP;
}

char _license[] SEC("license") = "Dual BSD/GPL";
