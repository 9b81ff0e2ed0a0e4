/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * cpumap_rr — spread received frames over CPUs with a CPUMAP.
 *
 * Loads bpf/objs/cpumap_rr_bpfel.o and attaches xdpkit_cpumap_rr to the
 * interface: every frame is redirected, round robin, to the next CPU of
 * the -C list. Each CPUMAP entry runs xdpkit_cpumap_count on its CPU,
 * which counts the frame in the per-CPU array cpu_rx and drops it; the
 * counts are printed every second and at the end.
 *
 * Extra options: -C CPU,CPU,...  target CPUs (0,1)
 *                -o OBJECT       the BPF object (bpf/objs/cpumap_rr_bpfel.o,
 *                                from the current directory or relative to
 *                                the binary's build/examples directory)
 *
 * A program run by CPUMAP entries must be loaded with the expected attach
 * type BPF_XDP_CPUMAP (section "xdp/cpumap"), and xdpkit_prog_load_file
 * gives the fd of one program per load: the object is loaded a second
 * time to get xdpkit_cpumap_count. Each load has its own maps, so the
 * counters (cpu_rx) are the second load's, while cpu_map, cpus_available
 * and cpus_count are the first's (the redirecting program's).
 */
#include "common.h"

#define PROG "cpumap_rr"
#define OBJ_REL "bpf/objs/cpumap_rr_bpfel.o"
#define MAX_CPUS 64 /* max_entries of the object's cpu_map/cpus_available */
#define QSIZE 192

static uint32_t cpus[MAX_CPUS];
static uint32_t ncpus_sel;
static const char *obj_path;

/* Number of possible CPUs (the slots of a per-CPU map value). */
static int possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	int lo, hi, max = -1, n;
	char sep;

	if (!f)
		return -1;
	/* "0-1", "0", "0-3,5-7" */
	while ((n = fscanf(f, "%d", &lo)) == 1) {
		hi = lo;
		if (fscanf(f, "%c", &sep) == 1 && sep == '-') {
			if (fscanf(f, "%d", &hi) != 1)
				break;
			if (fscanf(f, "%c", &sep) != 1)
				sep = '\n';
		}
		if (hi > max)
			max = hi;
		if (sep != ',')
			break;
	}
	fclose(f);
	return max + 1;
}

static int parse_cpus(const char *arg)
{
	char *end;
	unsigned long c;

	ncpus_sel = 0;
	for (;;) {
		c = strtoul(arg, &end, 10);
		if (end == arg || c >= MAX_CPUS || ncpus_sel == MAX_CPUS)
			return -1;
		cpus[ncpus_sel++] = (uint32_t)c;
		if (*end == '\0')
			return 0;
		if (*end != ',')
			return -1;
		arg = end + 1;
	}
}

static int extra_opt(int c, const char *arg)
{
	switch (c) {
	case 'C':
		return parse_cpus(arg);
	case 'o':
		obj_path = arg;
		return 0;
	}
	return -1;
}

/* Reads cpu_rx[0] on every possible CPU into counts. */
static int read_counts(int fd, uint64_t *values, int ncpus)
{
	uint32_t key = 0;

	/* Per-CPU values: round_up(value_size 8, 8) bytes per possible CPU. */
	return xdpkit_map_lookup(fd, &key, sizeof(key), values, (uint32_t)(8 * ncpus));
}

int main(int argc, char **argv)
{
	struct xdpkit_prog *rr, *count;
	struct xdpkit_link *link;
	uint64_t *values, *last, t_last, t_end, now;
	int cpu_map, cpus_available, cpus_count, cpu_rx, ncpus, err, i;
	uint32_t key, qsize, prog_id;
	struct opts o;

	cpus[0] = 0;
	cpus[1] = 1;
	ncpus_sel = 2;
	parse_opts(argc, argv, &o, PROG, "C:o:", " [-C CPU,CPU...] [-o OBJECT]", extra_opt);
	install_signals();
	obj_path = find_object(obj_path, OBJ_REL);

	ncpus = possible_cpus();
	if (ncpus <= 0) {
		fprintf(stderr, PROG ": cannot read /sys/devices/system/cpu/possible\n");
		return 1;
	}
	for (i = 0; i < (int)ncpus_sel; i++) {
		if (cpus[i] >= (uint32_t)ncpus) {
			fprintf(stderr, PROG ": CPU %u is not possible here (%d CPUs)\n", cpus[i], ncpus);
			return 2;
		}
	}
	values = calloc((size_t)ncpus, sizeof(*values));
	last = calloc((size_t)ncpus, sizeof(*last));
	if (!values || !last) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}

	/* The redirecting program, with cpu_map, cpus_available and cpus_count. */
	rr = load_prog(PROG, obj_path, "xdpkit_cpumap_rr");
	/* The CPUMAP program (loaded for BPF_XDP_CPUMAP), with its cpu_rx. */
	count = load_prog(PROG, obj_path, "xdpkit_cpumap_count");

	cpu_map = prog_map_fd(PROG, rr, "cpu_map");
	cpus_available = prog_map_fd(PROG, rr, "cpus_available");
	cpus_count = prog_map_fd(PROG, rr, "cpus_count");
	cpu_rx = prog_map_fd(PROG, count, "cpu_rx");

	for (key = 0; key < ncpus_sel; key++) {
		err = xdpkit_cpumap_set(cpu_map, cpus[key], QSIZE, xdpkit_prog_fd(count));
		if (err)
			die(PROG, "xdpkit_cpumap_set", err);
		err = xdpkit_cpumap_get(cpu_map, cpus[key], &qsize, &prog_id);
		if (err)
			die(PROG, "xdpkit_cpumap_get", err);
		printf(PROG ": cpu_map[%u]: qsize %u, prog id %u\n", cpus[key], qsize, prog_id);
		err = xdpkit_map_update(cpus_available, &key, sizeof(key), &cpus[key], sizeof(cpus[key]),
					XDPKIT_MAP_ANY);
		if (err)
			die(PROG, "xdpkit_map_update cpus_available", err);
	}
	key = 0;
	err = xdpkit_map_update(cpus_count, &key, sizeof(key), &ncpus_sel, sizeof(ncpus_sel), XDPKIT_MAP_ANY);
	if (err)
		die(PROG, "xdpkit_map_update cpus_count", err);

	link = attach_prog(PROG, rr, o.ifname, o.xdp_flags);
	printf(PROG ": redirecting on %s (%s mode, prog id %d) round robin to CPUs", o.ifname,
	       mode_name(xdpkit_link_mode(link)), xdpkit_prog_id(rr));
	for (key = 0; key < ncpus_sel; key++)
		printf("%s%u", key ? "," : " ", cpus[key]);
	printf("\n");
	fflush(stdout);

	t_last = now_ns();
	t_end = deadline_ns(&o);
	while (!stop_flag) {
		struct timespec ts = {0, 50 * 1000 * 1000};

		nanosleep(&ts, NULL);
		now = now_ns();
		if (now - t_last >= 1000000000ULL || now >= t_end) {
			err = read_counts(cpu_rx, values, ncpus);
			if (err)
				die(PROG, "xdpkit_map_lookup cpu_rx", err);
			printf(PROG ":");
			for (i = 0; i < ncpus; i++)
				printf("  cpu %d %llu (+%llu)", i, (unsigned long long)values[i],
				       (unsigned long long)(values[i] - last[i]));
			printf("\n");
			fflush(stdout);
			memcpy(last, values, (size_t)ncpus * sizeof(*values));
			t_last = now;
		}
		if (now >= t_end)
			break;
	}

	err = xdpkit_link_detach(link);
	if (err)
		die(PROG, "xdpkit_link_detach", err);
	/* Frames still queued for a CPU are counted shortly after. */
	usleep(100 * 1000);
	err = read_counts(cpu_rx, values, ncpus);
	if (err)
		die(PROG, "xdpkit_map_lookup cpu_rx", err);
	for (i = 0; i < ncpus; i++)
		printf("cpu %d: %llu packets\n", i, (unsigned long long)values[i]);
	err = xdpkit_prog_delete(rr);
	if (err)
		die(PROG, "xdpkit_prog_delete", err);
	err = xdpkit_prog_delete(count);
	if (err)
		die(PROG, "xdpkit_prog_delete", err);
	free(values);
	free(last);
	return 0;
}
