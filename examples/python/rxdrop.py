#!/usr/bin/env python3
"""rxdrop — receive on one queue of an interface, count and drop.

Every frame of the UMEM goes on the fill ring; received frames go straight
back onto it. One library call per batch each way (xdpkit_rx_batch,
xdpkit_fill_batch), none per packet.

    sudo python3 examples/python/rxdrop.py -i eth0 -q 0 -m drv -d 10
"""
from __future__ import annotations

import select

from _common import Runner, parser, xdpkit, zerocopy_arg

PROG = "rxdrop"
NUM_FRAMES = 4096


def main() -> int:
    args = parser(PROG, __doc__.splitlines()[1]).parse_args()
    umem = xdpkit.Umem(num_frames=NUM_FRAMES, fill_size=NUM_FRAMES)
    sock = xdpkit.Socket(args.interface, args.queue, umem, mode=args.mode,
                         zerocopy=zerocopy_arg(args), tx=False)
    with umem, sock:
        sock.fill(umem.frame_addrs())
        print(f"{PROG}: receiving on {args.interface} queue {args.queue} "
              f"({sock.xdp_mode} mode, prog id {sock.prog_id})", flush=True)
        run = Runner(PROG, args.duration)
        received = 0
        batch = args.batch
        recv, fill = sock.recv, sock.fill
        while run.running():
            descs = recv(batch)
            if descs:
                fill([a for a, _ in descs])
                received += len(descs)
            else:
                sock.poll(select.POLLIN, 100)  # idle: block a little
            run.tick(sock, "received", received)
        run.tick(sock, "received", received, force=True)
    print(f"{PROG}: received {received} packets", flush=True)
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except xdpkit.XdpkitError as e:
        raise SystemExit(f"{PROG}: {e.strerror}")
