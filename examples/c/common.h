/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * common.h — option parsing and small helpers shared by the C examples.
 *
 * Common options:
 *   -i IFNAME   interface (required)
 *   -q QUEUE    queue index (0)
 *   -m MODE     XDP program mode: skb, drv or auto (auto)
 *   -c          force copy mode (XDP_COPY)
 *   -z          require zero-copy (XDP_ZEROCOPY)
 *   -d SECONDS  stop after this many seconds (0: run until SIGINT/SIGTERM)
 *   -s SIZE     UMEM frame size (4096)
 * Each example may accept more options through a callback.
 */
#ifndef XDPKIT_EXAMPLES_COMMON_H
#define XDPKIT_EXAMPLES_COMMON_H

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xdpkit.h>

#define NUM_FRAMES 4096
#define BATCH_SIZE 64

struct opts {
	const char *ifname;
	uint32_t queue;
	uint32_t xdp_flags;  /* XDPKIT_XDP_FLAGS_*_MODE, 0: auto */
	uint16_t bind_flags; /* XDPKIT_BIND_COPY / _ZEROCOPY */
	double duration;     /* seconds, 0: until a signal */
	uint32_t frame_size;
};

static volatile sig_atomic_t stop_flag;

static inline void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* Installs the SIGINT/SIGTERM handlers that set stop_flag. */
static inline void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Monotonic time in nanoseconds. */
static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static inline const char *mode_name(int xdp_flags)
{
	switch (xdp_flags) {
	case XDPKIT_XDP_FLAGS_SKB_MODE:
		return "skb";
	case XDPKIT_XDP_FLAGS_DRV_MODE:
		return "drv";
	case XDPKIT_XDP_FLAGS_HW_MODE:
		return "hw";
	}
	return "none";
}

/* Prints the last library failure and exits. */
static inline void die(const char *prog, const char *what, int err)
{
	const char *msg = xdpkit_last_error();

	/* The library's message names the call and the cause already. */
	if (msg[0])
		fprintf(stderr, "%s: %s\n", prog, msg);
	else
		fprintf(stderr, "%s: %s: %s\n", prog, what, xdpkit_strerror(err));
	exit(1);
}

static inline void usage(const char *prog, const char *extra_usage)
{
	fprintf(stderr,
		"usage: %s -i IFNAME [-q QUEUE] [-m skb|drv|auto] [-c|-z] [-d SECONDS] [-s FRAME_SIZE]%s\n",
		prog, extra_usage ? extra_usage : "");
	exit(2);
}

/* Parses the common options; letters in extra_opts (getopt syntax) go to
 * extra(), which returns 0 when it took the option. */
static inline void parse_opts(int argc, char **argv, struct opts *o, const char *prog,
			      const char *extra_opts, const char *extra_usage,
			      int (*extra)(int c, const char *arg))
{
	char optstr[64];
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->frame_size = XDPKIT_DEFAULT_FRAME_SIZE;
	snprintf(optstr, sizeof(optstr), "i:q:m:czd:s:h%s", extra_opts ? extra_opts : "");
	while ((c = getopt(argc, argv, optstr)) != -1) {
		switch (c) {
		case 'i':
			o->ifname = optarg;
			break;
		case 'q':
			o->queue = (uint32_t)strtoul(optarg, &end, 0);
			if (*end)
				usage(prog, extra_usage);
			break;
		case 'm':
			if (!strcmp(optarg, "skb"))
				o->xdp_flags = XDPKIT_XDP_FLAGS_SKB_MODE;
			else if (!strcmp(optarg, "drv"))
				o->xdp_flags = XDPKIT_XDP_FLAGS_DRV_MODE;
			else if (!strcmp(optarg, "auto"))
				o->xdp_flags = 0;
			else
				usage(prog, extra_usage);
			break;
		case 'c':
			o->bind_flags |= XDPKIT_BIND_COPY;
			break;
		case 'z':
			o->bind_flags |= XDPKIT_BIND_ZEROCOPY;
			break;
		case 'd':
			o->duration = strtod(optarg, &end);
			if (*end || o->duration < 0)
				usage(prog, extra_usage);
			break;
		case 's':
			o->frame_size = (uint32_t)strtoul(optarg, &end, 0);
			if (*end)
				usage(prog, extra_usage);
			break;
		default:
			if (extra && c != '?' && c != 'h' && extra(c, optarg) == 0)
				break;
			usage(prog, extra_usage);
		}
	}
	if (!o->ifname || optind != argc)
		usage(prog, extra_usage);
	if ((o->bind_flags & XDPKIT_BIND_COPY) && (o->bind_flags & XDPKIT_BIND_ZEROCOPY)) {
		fprintf(stderr, "%s: -c and -z are exclusive\n", prog);
		exit(2);
	}
}

/* Deadline in now_ns() time for o->duration, or UINT64_MAX. */
static inline uint64_t deadline_ns(const struct opts *o)
{
	if (o->duration <= 0)
		return UINT64_MAX;
	return now_ns() + (uint64_t)(o->duration * 1e9);
}

/* Prints one line of rate and XDP statistics. */
static inline void print_stats(const char *prog, struct xdpkit_socket *sock, const char *what,
			       uint64_t total, uint64_t delta, uint64_t interval_ns)
{
	struct xdpkit_stats st;
	double pps = interval_ns ? (double)delta * 1e9 / (double)interval_ns : 0;

	memset(&st, 0, sizeof(st));
	st.sz = sizeof(st);
	printf("%s: %10.0f pps  %s %llu", prog, pps, what, (unsigned long long)total);
	if (xdpkit_socket_stats(sock, &st) == 0)
		printf("  rx_dropped %llu rx_invalid %llu tx_invalid %llu rx_ring_full %llu "
		       "fill_empty %llu tx_empty %llu",
		       (unsigned long long)st.rx_dropped, (unsigned long long)st.rx_invalid_descs,
		       (unsigned long long)st.tx_invalid_descs, (unsigned long long)st.rx_ring_full,
		       (unsigned long long)st.rx_fill_ring_empty_descs,
		       (unsigned long long)st.tx_ring_empty_descs);
	printf("\n");
	fflush(stdout);
}

#endif /* XDPKIT_EXAMPLES_COMMON_H */
