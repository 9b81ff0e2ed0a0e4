#!/usr/bin/env python3
"""cpumap_rr — spread an interface's frames over CPUs with a CPUMAP, round
robin, and count where they really ran.

The control loop of bpf/cpumap_rr.c: it loads xdpkit_cpumap_rr (redirects
every frame to the next CPU of cpus_available[0..cpus_count-1] through
cpu_map) and xdpkit_cpumap_count (the program each CPUMAP entry runs on its
CPU: counts frames in the per-CPU array cpu_rx, then drops them), fills
the maps, attaches, and prints the per-CPU counts every second.

    sudo python3 examples/python/cpumap_rr.py -i eth0 -m drv --cpus 0,1 -d 10
"""
from __future__ import annotations

import argparse
import os
import time

from _common import REPO, Runner, xdpkit

PROG = "cpumap_rr"


def main() -> int:
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[1])
    p.add_argument("-i", "--interface", required=True)
    p.add_argument("-m", "--mode", choices=["auto", "skb", "drv"], default="auto")
    p.add_argument("-d", "--duration", type=float, default=0, help="seconds (0: until Ctrl-C)")
    p.add_argument("--cpus", default=None, help="CPUs to use, e.g. 0,1 (all possible CPUs)")
    p.add_argument("--qsize", type=int, default=192, help="CPUMAP queue size per CPU (192)")
    p.add_argument("-o", "--object", default=os.path.join(REPO, "bpf", "objs", "cpumap_rr_bpfel.o"))
    args = p.parse_args()
    ncpus = xdpkit.possible_cpus()
    cpus = [int(c) for c in args.cpus.split(",")] if args.cpus else list(range(ncpus))

    with xdpkit.Program.load(args.object, "xdpkit_cpumap_rr") as rr, \
            xdpkit.Program.load(args.object, "xdpkit_cpumap_count") as count:
        cpu_map = rr.map("cpu_map")
        avail = rr.map("cpus_available").typed(key=int, value=int)
        for i, cpu in enumerate(cpus):
            cpu_map.set(cpu, args.qsize, count)  # enable the CPU, running `count` there
            avail[i] = cpu
        rr.map("cpus_count").typed(key=int, value=int)[0] = len(cpus)
        cpu_rx = count.map("cpu_rx").typed(key=int, value=int)
        for cpu in cpus:
            qsize, prog_id = cpu_map.get(cpu)
            print(f"{PROG}: cpu {cpu}: queue {qsize}, program id {prog_id}")
        with rr.attach(args.interface, args.mode) as link:
            print(f"{PROG}: redirecting {args.interface} ({link.mode} mode) over CPUs {cpus}", flush=True)
            run = Runner(PROG, args.duration)
            last = cpu_rx[0]
            while run.running():
                time.sleep(min(1.0, max(0.0, run.t_end - time.monotonic())) if run.t_end != float("inf") else 1.0)
                now = cpu_rx[0]
                rates = "  ".join(f"cpu{c} {now[c] - last[c]:8d}/s" for c in cpus)
                print(f"{PROG}: {rates}", flush=True)
                last = now
        per_cpu = cpu_rx[0]
    print(f"{PROG}: {sum(per_cpu)} packets on CPUs " + ", ".join(f"{c}: {per_cpu[c]}" for c in cpus), flush=True)
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except xdpkit.XdpkitError as e:
        raise SystemExit(f"{PROG}: {e.strerror}")
