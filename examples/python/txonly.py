#!/usr/bin/env python3
"""txonly — send Ethernet/IPv4/UDP frames as fast as possible, in batches.

Every UMEM frame is written once; the loop only moves addresses between a
free list, the TX ring (one xdpkit_tx_batch call per batch) and the
completion ring (one xdpkit_comp_batch call). No RX ring, no XDP program.

    sudo python3 examples/python/txonly.py -i eth0 -S 02:..:01 -D 02:..:02 -a 10.0.0.1 -b 10.0.0.2
"""
from __future__ import annotations

import time

from _common import Runner, parser, xdpkit, zerocopy_arg
from xdpkit.frames import udp_frame

PROG = "txonly"
NUM_FRAMES = 4096


def main() -> int:
    p = parser(PROG, __doc__.splitlines()[1])
    p.add_argument("-S", "--src-mac", default="02:00:00:00:00:02")
    p.add_argument("-D", "--dst-mac", default="02:00:00:00:00:01")
    p.add_argument("-a", "--src-ip", default="10.77.0.2")
    p.add_argument("-b", "--dst-ip", default="10.77.0.1")
    p.add_argument("-l", "--length", type=int, default=64, help="frame length (64)")
    args = p.parse_args()
    umem = xdpkit.Umem(num_frames=NUM_FRAMES, comp_size=NUM_FRAMES)
    sock = xdpkit.Socket(args.interface, args.queue, umem, zerocopy=zerocopy_arg(args),
                         rx=False, program=False)
    with umem, sock:
        free = umem.frame_addrs()
        for i, addr in enumerate(free):
            f = udp_frame(args.src_mac, args.dst_mac, args.src_ip, args.dst_ip, args.length, seq=i)
            umem[addr:addr + len(f)] = f
        length = len(f)
        print(f"{PROG}: sending {length}-byte frames on {args.interface} queue {args.queue}", flush=True)
        run = Runner(PROG, args.duration)
        sent = outstanding = 0
        batch = args.batch
        send, complete = sock.send, sock.complete
        while run.running():
            if outstanding:
                done = complete(NUM_FRAMES)
                if done:
                    free.extend(done)
                    outstanding -= len(done)
                    sent += len(done)
            if free:
                addrs = free[-batch:]
                n = send([(a, length) for a in addrs])
                if n:
                    del free[len(free) - len(addrs):len(free) - len(addrs) + n]
                    outstanding += n
            run.tick(sock, "sent", sent)
        # let the kernel finish what is queued, briefly
        drain_end = time.monotonic() + 0.2
        while outstanding and time.monotonic() < drain_end:
            sock.kick()
            done = complete(NUM_FRAMES)
            outstanding -= len(done)
            sent += len(done)
        run.tick(sock, "sent", sent, force=True)
    print(f"{PROG}: sent {sent} packets", flush=True)
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except xdpkit.XdpkitError as e:
        raise SystemExit(f"{PROG}: {e.strerror}")
