"""Shared bits of the Python examples: finding the in-tree package when
xdpkit is not installed, option parsing and the per-second report."""
from __future__ import annotations

import argparse
import os
import signal
import sys
import time

try:
    import xdpkit  # noqa: F401
except ImportError:  # run from a source tree: use bindings/python
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bindings", "python"))
    import xdpkit  # noqa: F401

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def parser(prog: str, doc: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description=doc)
    p.add_argument("-i", "--interface", required=True, help="interface")
    p.add_argument("-q", "--queue", type=int, default=0, help="queue index (0)")
    p.add_argument("-m", "--mode", choices=["auto", "skb", "drv"], default="auto",
                   help="XDP program mode (auto)")
    p.add_argument("-d", "--duration", type=float, default=0,
                   help="stop after this many seconds (0: until Ctrl-C)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("-c", "--copy", action="store_true", help="force copy mode")
    g.add_argument("-z", "--zerocopy", action="store_true", help="require zero-copy")
    p.add_argument("--batch", type=int, default=64, help="descriptors per library call (64)")
    return p


def zerocopy_arg(args: argparse.Namespace):
    return True if args.zerocopy else False if args.copy else None


class Runner:
    """Stop flag (SIGINT/SIGTERM or duration) and the once-a-second line."""

    def __init__(self, prog: str, duration: float) -> None:
        self.prog = prog
        self.stop = False
        self.t_end = time.monotonic() + duration if duration > 0 else float("inf")
        self.t_last = time.monotonic()
        self.last = 0
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)

    def _on_signal(self, *_: object) -> None:
        self.stop = True

    def running(self) -> bool:
        return not self.stop and time.monotonic() < self.t_end

    def tick(self, sock: "xdpkit.Socket", what: str, total: int, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.t_last < 1.0:
            return
        dt = now - self.t_last
        pps = (total - self.last) / dt if dt > 0 else 0.0
        st = sock.stats()
        print(f"{self.prog}: {pps:10.0f} pps  {what} {total}  rx_dropped {st.rx_dropped} "
              f"rx_ring_full {st.rx_ring_full} fill_empty {st.rx_fill_ring_empty_descs} "
              f"tx_invalid {st.tx_invalid_descs}", flush=True)
        self.last = total
        self.t_last = now
