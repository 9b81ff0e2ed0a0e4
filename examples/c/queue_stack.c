/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * queue_stack — BPF QUEUE (FIFO) and STACK (LIFO) maps.
 *
 * Part 1, always: creates a QUEUE and a STACK of 5 u32 values, pushes
 * 1..5 onto both, peeks, pops everything (queue: 1 2 3 4 5, stack:
 * 5 4 3 2 1), shows -ENOENT when empty, -E2BIG when full and the eviction
 * of the oldest value by a push with XDPKIT_MAP_EXIST.
 *
 * Part 2, with -i IFNAME: loads bpf/objs/queue_stack_bpfel.o, attaches
 * xdpkit_queue_stack (it pushes every frame's length onto len_queue and
 * len_stack, evicting the oldest when full, and passes the frame on),
 * waits -d seconds (or until SIGINT), detaches and pops both maps.
 *
 * usage: queue_stack [-i IFNAME [-m skb|drv|auto] [-d SECONDS] [-o OBJECT]]
 */
#include "common.h"

#define PROG "queue_stack"
#define OBJ_REL "bpf/objs/queue_stack_bpfel.o"
#define DEPTH 5
#define PROG_DEPTH 64 /* max_entries of len_queue and len_stack */

static void check(const char *what, int err)
{
	if (err < 0)
		die(PROG, what, err);
}

static const char *errname(int err)
{
	switch (err) {
	case 0:
		return "0";
	case -ENOENT:
		return "-ENOENT";
	case -E2BIG:
		return "-E2BIG";
	case -EINVAL:
		return "-EINVAL";
	}
	return xdpkit_strerror(err);
}

/* Pops every value of fd and prints them on one line; returns how many. */
static int pop_all(int fd, const char *label)
{
	uint32_t v;
	int n = 0, err;

	printf(PROG ": %s pop:", label);
	while ((err = xdpkit_queue_pop(fd, &v, sizeof(v))) == 0) {
		printf(" %u", v);
		n++;
	}
	printf("\n");
	if (err != -ENOENT)
		die(PROG, "xdpkit_queue_pop", err);
	return n;
}

static void map_demo(void)
{
	int q, s, err;
	uint32_t v;

	q = xdpkit_map_create(XDPKIT_MAP_QUEUE, 0, sizeof(uint32_t), DEPTH, 0, "xk_demo_queue");
	check("xdpkit_map_create QUEUE", q);
	s = xdpkit_map_create(XDPKIT_MAP_STACK, 0, sizeof(uint32_t), DEPTH, 0, "xk_demo_stack");
	check("xdpkit_map_create STACK", s);

	printf(PROG ": push 1 2 3 4 5 onto a QUEUE and a STACK of %d entries\n", DEPTH);
	for (v = 1; v <= DEPTH; v++) {
		check("xdpkit_queue_push", xdpkit_queue_push(q, &v, sizeof(v), XDPKIT_MAP_ANY));
		check("xdpkit_queue_push", xdpkit_queue_push(s, &v, sizeof(v), XDPKIT_MAP_ANY));
	}
	check("xdpkit_queue_peek", xdpkit_queue_peek(q, &v, sizeof(v)));
	printf(PROG ": queue peek: %u\n", v);
	check("xdpkit_queue_peek", xdpkit_queue_peek(s, &v, sizeof(v)));
	printf(PROG ": stack peek: %u\n", v);

	v = 6;
	err = xdpkit_queue_push(q, &v, sizeof(v), XDPKIT_MAP_ANY);
	printf(PROG ": queue push 6 when full: %s\n", errname(err));
	if (err != -E2BIG)
		die(PROG, "xdpkit_queue_push on a full QUEUE", err);
	err = xdpkit_queue_push(s, &v, sizeof(v), XDPKIT_MAP_ANY);
	printf(PROG ": stack push 6 when full: %s\n", errname(err));
	if (err != -E2BIG)
		die(PROG, "xdpkit_queue_push on a full STACK", err);

	pop_all(q, "queue (FIFO)");
	pop_all(s, "stack (LIFO)");

	err = xdpkit_queue_pop(q, &v, sizeof(v));
	printf(PROG ": queue pop when empty: %s\n", errname(err));
	err = xdpkit_queue_peek(s, &v, sizeof(v));
	printf(PROG ": stack peek when empty: %s\n", errname(err));

	/* With XDPKIT_MAP_EXIST a full map drops its oldest value. */
	for (v = 1; v <= DEPTH; v++) {
		check("xdpkit_queue_push", xdpkit_queue_push(q, &v, sizeof(v), XDPKIT_MAP_ANY));
		check("xdpkit_queue_push", xdpkit_queue_push(s, &v, sizeof(v), XDPKIT_MAP_ANY));
	}
	v = 6;
	check("xdpkit_queue_push EXIST", xdpkit_queue_push(q, &v, sizeof(v), XDPKIT_MAP_EXIST));
	check("xdpkit_queue_push EXIST", xdpkit_queue_push(s, &v, sizeof(v), XDPKIT_MAP_EXIST));
	printf(PROG ": push 1..5, then 6 with XDPKIT_MAP_EXIST (evicts the oldest, 1)\n");
	pop_all(q, "queue after eviction");
	pop_all(s, "stack after eviction");

	check("xdpkit_map_close", xdpkit_map_close(q));
	check("xdpkit_map_close", xdpkit_map_close(s));
}

static void prog_demo(const char *ifname, uint32_t xdp_flags, double duration, const char *obj)
{
	struct xdpkit_prog *prog;
	struct xdpkit_link *link;
	uint64_t t_end;
	int q, s, nq, ns;

	prog = load_prog(PROG, obj, "xdpkit_queue_stack");
	q = prog_map_fd(PROG, prog, "len_queue");
	s = prog_map_fd(PROG, prog, "len_stack");
	link = attach_prog(PROG, prog, ifname, xdp_flags);
	printf(PROG ": recording frame lengths on %s (%s mode, prog id %d) for %g s\n", ifname,
	       mode_name(xdpkit_link_mode(link)), xdpkit_prog_id(prog), duration);
	fflush(stdout);

	t_end = duration > 0 ? now_ns() + (uint64_t)(duration * 1e9) : UINT64_MAX;
	while (!stop_flag && now_ns() < t_end) {
		struct timespec ts = {0, 50 * 1000 * 1000};

		nanosleep(&ts, NULL);
	}
	check("xdpkit_link_detach", xdpkit_link_detach(link));

	printf(PROG ": up to the last %d frame lengths, oldest first / newest first:\n", PROG_DEPTH);
	nq = pop_all(q, "len_queue (FIFO)");
	ns = pop_all(s, "len_stack (LIFO)");
	printf(PROG ": popped %d lengths from len_queue, %d from len_stack\n", nq, ns);
	check("xdpkit_prog_delete", xdpkit_prog_delete(prog));
}

static void qs_usage(void)
{
	fprintf(stderr, "usage: " PROG " [-i IFNAME [-m skb|drv|auto] [-d SECONDS] [-o OBJECT]]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *ifname = NULL, *obj = NULL;
	uint32_t xdp_flags = 0;
	double duration = 0;
	char *end;
	int c;

	while ((c = getopt(argc, argv, "i:m:d:o:h")) != -1) {
		switch (c) {
		case 'i':
			ifname = optarg;
			break;
		case 'm':
			if (!strcmp(optarg, "skb"))
				xdp_flags = XDPKIT_XDP_FLAGS_SKB_MODE;
			else if (!strcmp(optarg, "drv"))
				xdp_flags = XDPKIT_XDP_FLAGS_DRV_MODE;
			else if (strcmp(optarg, "auto"))
				qs_usage();
			break;
		case 'd':
			duration = strtod(optarg, &end);
			if (*end || duration < 0)
				qs_usage();
			break;
		case 'o':
			obj = optarg;
			break;
		default:
			qs_usage();
		}
	}
	if (optind != argc)
		qs_usage();
	install_signals();

	map_demo();
	if (ifname)
		prog_demo(ifname, xdp_flags, duration, find_object(obj, OBJ_REL));
	return 0;
}
