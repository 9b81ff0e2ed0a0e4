#!/usr/bin/env python3
"""l2fwd — receive, swap the Ethernet addresses in place and send each frame
back out of the same socket. Sent frames go from the completion ring back
to the fill ring. Frames are edited through zero-copy memoryviews.

    sudo python3 examples/python/l2fwd.py -i eth0 -q 0 -m drv
"""
from __future__ import annotations

import select

from _common import Runner, parser, xdpkit, zerocopy_arg

PROG = "l2fwd"
NUM_FRAMES = 4096


def main() -> int:
    args = parser(PROG, __doc__.splitlines()[1]).parse_args()
    umem = xdpkit.Umem(num_frames=NUM_FRAMES, fill_size=NUM_FRAMES, comp_size=NUM_FRAMES)
    sock = xdpkit.Socket(args.interface, args.queue, umem, mode=args.mode, zerocopy=zerocopy_arg(args))
    with umem, sock:
        sock.fill(umem.frame_addrs())
        area = umem.area
        print(f"{PROG}: forwarding on {args.interface} queue {args.queue} "
              f"({sock.xdp_mode} mode, prog id {sock.prog_id})", flush=True)
        run = Runner(PROG, args.duration)
        forwarded = outstanding = 0
        batch = args.batch
        pending = []  # received, not yet on the TX ring (TX ring full)
        while run.running():
            if outstanding:
                done = sock.complete(NUM_FRAMES)
                if done:
                    sock.fill(done)
                    outstanding -= len(done)
                    forwarded += len(done)
            if not pending:
                pending = sock.recv(batch)
                for addr, _ in pending:
                    dst = area[addr:addr + 6].tobytes()
                    area[addr:addr + 6] = area[addr + 6:addr + 12]
                    area[addr + 6:addr + 12] = dst
            if pending:
                n = sock.send(pending)
                outstanding += n
                pending = pending[n:]
            elif not outstanding:
                sock.poll(select.POLLIN, 100)
            run.tick(sock, "forwarded", forwarded)
        run.tick(sock, "forwarded", forwarded, force=True)
    print(f"{PROG}: forwarded {forwarded} packets", flush=True)
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except xdpkit.XdpkitError as e:
        raise SystemExit(f"{PROG}: {e.strerror}")
