/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * common.h — option parsing and the helpers shared by the C examples: BPF
 * objects and programs, the fill ring, the receive loop, teardown.
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
 *
 * The helpers that can fail print the library's error and exit (die()).
 */
#ifndef XDPKIT_EXAMPLES_COMMON_H
#define XDPKIT_EXAMPLES_COMMON_H

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xdpkit.h>

#define NUM_FRAMES 4096
#define BATCH_SIZE 64

/* Empty peeks in a row before blocking in poll() while idle. */
#define IDLE_SPINS 1024

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

/* The object path: given, or rel from the current directory (the
 * repository root), or from two levels above the binary (build/examples). */
static inline const char *find_object(const char *given, const char *rel)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (given)
		return given;
	if (access(rel, R_OK) == 0)
		return rel;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			if (snprintf(path, sizeof(path), "%s/../../%s", exe, rel) < (int)sizeof(path) &&
			    access(path, R_OK) == 0)
				return path;
		}
	}
	return rel; /* let the load report it */
}

/* Loads the program called name (function or section) from the object at
 * path. */
static inline struct xdpkit_prog *load_prog(const char *prog, const char *path, const char *name)
{
	struct xdpkit_prog *p;
	int err = xdpkit_prog_load_file(&p, path, name);

	if (err)
		die(prog, "xdpkit_prog_load_file", err);
	return p;
}

/* Attaches p to ifname in the xdp_flags mode. */
static inline struct xdpkit_link *attach_prog(const char *prog, struct xdpkit_prog *p,
					      const char *ifname, uint32_t xdp_flags)
{
	struct xdpkit_link *link;
	int err = xdpkit_prog_attach(p, ifname, xdp_flags, &link);

	if (err)
		die(prog, "xdpkit_prog_attach", err);
	return link;
}

/* The fd of p's map called name. */
static inline int prog_map_fd(const char *prog, struct xdpkit_prog *p, const char *name)
{
	char what[128];
	int fd = xdpkit_prog_map_fd(p, name);

	if (fd < 0) {
		snprintf(what, sizeof(what), "xdpkit_prog_map_fd %s", name);
		die(prog, what, fd);
	}
	return fd;
}

/* Puts every frame of a UMEM of NUM_FRAMES frames on its fill ring. */
static inline void fill_all_frames(const char *prog, struct xdpkit_ring_prod *fill, uint32_t frame_size)
{
	uint32_t idx = 0, i;

	if (xdpkit_ring_prod_reserve(fill, NUM_FRAMES, &idx) != NUM_FRAMES) {
		fprintf(stderr, "%s: cannot reserve %d fill ring entries\n", prog, NUM_FRAMES);
		exit(1);
	}
	for (i = 0; i < NUM_FRAMES; i++)
		*xdpkit_ring_fill_addr(fill, idx++) = (uint64_t)i * frame_size;
	xdpkit_ring_prod_submit(fill, NUM_FRAMES);
}

/* Deletes a socket, then its UMEM. */
static inline void delete_socket_umem(const char *prog, struct xdpkit_socket *sock,
				      struct xdpkit_umem *umem)
{
	int err = xdpkit_socket_delete(sock);

	if (err)
		die(prog, "xdpkit_socket_delete", err);
	err = xdpkit_umem_delete(umem);
	if (err)
		die(prog, "xdpkit_umem_delete", err);
}

/* Called by rx_loop for every received frame, nr counting from 1. */
typedef void (*rx_frame_fn)(void *ctx, uint64_t nr, const struct xdpkit_desc *d);

/* Receives on sock until a signal or o's deadline: every frame goes
 * straight back onto the fill ring (after on_frame, when not NULL).
 * Prints statistics every second and at the end; returns the number of
 * frames received. The fill ring must hold every frame of the UMEM
 * (fill_all_frames). */
static inline uint64_t rx_loop(const char *prog, const struct opts *o, struct xdpkit_socket *sock,
			       struct xdpkit_ring_prod *fill, struct xdpkit_ring_cons *rx,
			       rx_frame_fn on_frame, void *ctx)
{
	uint64_t received = 0, last_received = 0, t_last, t_end, now;
	unsigned idle = 0;
	uint32_t i;

	t_last = now_ns();
	t_end = deadline_ns(o);
	while (!stop_flag) {
		uint32_t idx_rx = 0, idx_fq = 0, rcvd;

		rcvd = xdpkit_ring_cons_peek(rx, BATCH_SIZE, &idx_rx);
		if (rcvd) {
			idle = 0;
			while (xdpkit_ring_prod_reserve(fill, rcvd, &idx_fq) != rcvd) {
				/* Cannot happen with a fill ring as large as the
				 * UMEM, but be safe. */
				if (xdpkit_ring_prod_needs_wakeup(fill))
					xdpkit_socket_wakeup_rx(sock);
				if (stop_flag)
					break;
			}
			if (stop_flag)
				break;
			for (i = 0; i < rcvd; i++) {
				const struct xdpkit_desc *d = xdpkit_ring_rx_desc(rx, idx_rx++);

				if (on_frame)
					on_frame(ctx, received + i + 1, d);
				/* Aligned UMEM: no offset in the address's top bits. */
				*xdpkit_ring_fill_addr(fill, idx_fq++) = d->addr;
			}
			xdpkit_ring_prod_submit(fill, rcvd);
			xdpkit_ring_cons_release(rx, rcvd);
			received += rcvd;
		} else {
			if (xdpkit_ring_prod_needs_wakeup(fill))
				xdpkit_socket_wakeup_rx(sock);
			if (++idle >= IDLE_SPINS) {
				/* Nothing arrives: block a little instead of spinning. */
				idle = 0;
				xdpkit_socket_poll(sock, POLLIN, 100);
			}
		}

		now = now_ns();
		if (now - t_last >= 1000000000ULL) {
			print_stats(prog, sock, "received", received, received - last_received, now - t_last);
			last_received = received;
			t_last = now;
		}
		if (now >= t_end)
			break;
	}
	print_stats(prog, sock, "received", received, received - last_received, now_ns() - t_last);
	return received;
}

#endif /* XDPKIT_EXAMPLES_COMMON_H */
