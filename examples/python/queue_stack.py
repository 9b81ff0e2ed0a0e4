#!/usr/bin/env python3
"""queue_stack — QUEUE (FIFO) and STACK (LIFO) maps.

Without -i: a user-space tour of the Queue and Stack classes (push, peek,
pop, full and empty errors, overwrite on full).

With -i IF: loads bpf/queue_stack.c (xdpkit_queue_stack pushes every
frame's length onto len_queue and len_stack, dropping the oldest when
full, and passes the frame on), attaches it, and each second pops what
arrived: in arrival order from the queue, newest first from the stack.

    sudo python3 examples/python/queue_stack.py
    sudo python3 examples/python/queue_stack.py -i eth0 -d 10
"""
from __future__ import annotations

import argparse
import errno
import os
import time

from _common import REPO, Runner, xdpkit

PROG = "queue_stack"


def tour() -> None:
    with xdpkit.Queue.create(value_size=4, max_entries=3).typed(value=int) as q, \
            xdpkit.Stack.create(value_size=4, max_entries=3).typed(value=int) as s:
        for m in (q, s):
            for v in (1, 2, 3):
                m.push(v)
            try:
                m.push(4)
            except xdpkit.XdpkitError as e:
                assert e.errno == errno.E2BIG
                print(f"{PROG}: {type(m).__name__} full: {e.strerror}")
            print(f"{PROG}: {type(m).__name__} peek -> {m.peek()}, pops -> {list(m.drain())}")
            try:
                m.pop()
            except FileNotFoundError as e:
                print(f"{PROG}: {type(m).__name__} empty: {e.strerror}")
        for v in range(1, 6):
            q.push(v, xdpkit.EXIST)  # full: drop the oldest to make room
        print(f"{PROG}: Queue after pushing 1..5 with EXIST -> {list(q.drain())}")


def main() -> int:
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[1])
    p.add_argument("-i", "--interface", help="attach the BPF program here (else: user-space tour)")
    p.add_argument("-m", "--mode", choices=["auto", "skb", "drv"], default="auto")
    p.add_argument("-d", "--duration", type=float, default=0)
    p.add_argument("-o", "--object", default=os.path.join(REPO, "bpf", "objs", "queue_stack_bpfel.o"))
    args = p.parse_args()
    if not args.interface:
        tour()
        return 0
    total = 0
    with xdpkit.Program.load(args.object) as prog:
        q = prog.map("len_queue").typed(value=int)
        s = prog.map("len_stack").typed(value=int)
        with prog.attach(args.interface, args.mode) as link:
            print(f"{PROG}: counting frame lengths on {args.interface} ({link.mode} mode)", flush=True)
            run = Runner(PROG, args.duration)
            while run.running():
                time.sleep(0.5)
                fifo, lifo = list(q.drain()), list(s.drain())
                total += len(fifo)
                if fifo:
                    print(f"{PROG}: queue (oldest first): {fifo[:8]}{' ...' if len(fifo) > 8 else ''}  "
                          f"stack (newest first): {lifo[:8]}{' ...' if len(lifo) > 8 else ''}", flush=True)
    print(f"{PROG}: popped {total} frame lengths", flush=True)
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except xdpkit.XdpkitError as e:
        raise SystemExit(f"{PROG}: {e.strerror}")
