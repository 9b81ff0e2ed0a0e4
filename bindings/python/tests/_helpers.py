"""Shared helpers of the xdpkit Python tests (real kernel, namespaces)."""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import List, Tuple

import xdpkit

REPO = Path(__file__).resolve().parents[3]
OBJS = REPO / "bpf" / "objs"


def fd_count() -> int:
    return len(os.listdir("/proc/self/fd"))


def maps_count() -> int:
    with open("/proc/self/maps") as f:
        return sum(1 for _ in f)


def recv_n(sock: xdpkit.Socket, n: int, timeout: float = 3.0) -> List[Tuple[int, bytes]]:
    """Receives until n frames arrived (or timeout): (addr, bytes) each;
    the frames go back on the fill ring."""
    out: List[Tuple[int, bytes]] = []
    deadline = time.monotonic() + timeout
    while len(out) < n and time.monotonic() < deadline:
        got = sock.recv_frames(64, timeout=0.05)
        out.extend((a, bytes(v)) for a, v in got)
        if got:
            sock.fill([a for a, _ in got])
    return out


def complete_n(sock: xdpkit.Socket, n: int, timeout: float = 3.0) -> List[int]:
    """Kicks TX and reaps completions until n frames were sent."""
    done: List[int] = []
    deadline = time.monotonic() + timeout
    while len(done) < n and time.monotonic() < deadline:
        sock.kick()
        c = sock.complete(256)
        done.extend(c)
        if not c:
            time.sleep(0.001)
    return done


def wait_for(cond, timeout: float = 3.0) -> bool:
    """Polls cond() until it is true or timeout seconds pass."""
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.005)
    return True
