"""No fd or mapping survives its object: 200 create/close cycles, and
garbage collection of objects never closed."""
from __future__ import annotations

import gc
import os

import pytest

import xdpkit
from xdpkit.testing import enter, run

from _helpers import fd_count, maps_count

# A closed AF_XDP socket's queue is released asynchronously (RCU), and a
# bind to it right after waits for that: rotate over several devices.
EXTRA_VETH_PAIRS = 3
ANON_SLACK = 20


def named_maps() -> int:
    """Lines of /proc/self/maps with a name (files, socket:[..] rings,
    /dev/zero of the shared anonymous UMEM areas): allocator arenas,
    which come and go with the heap, have none."""
    with open("/proc/self/maps") as f:
        return sum(1 for line in f if len(line.split()) >= 6)


@pytest.fixture
def devices(netns_pair):
    a = netns_pair.a
    devs = [a.ifname]
    for i in range(EXTRA_VETH_PAIRS):
        run(a, "ip", "link", "add", f"lk{i}a", "type", "veth", "peer", "name", f"lk{i}b")
        devs += [f"lk{i}a", f"lk{i}b"]
    for d in devs[1:]:
        run(a, "ip", "link", "set", d, "up")
    return a, devs


def cycle(ns, dev: str, with_program: bool) -> None:
    with enter(ns):
        with xdpkit.Umem(num_frames=37, fill_size=64, comp_size=64) as umem, \
                xdpkit.Socket(dev, 0, umem, program=with_program, mode="skb", rx_size=64, tx_size=64) as sock:
            sock.fill(umem.frame_addrs())
            sock.recv()
            sock.send([(0, 64)])
            sock.complete()
            sock.stats()
            sock.poll(timeout_ms=0)
            frame = umem.frame(0, 64)
            frame[0:2] = b"ok"
        if with_program:
            with xdpkit.Program.default(2) as prog:
                with prog.attach(dev, "skb"):
                    prog.map("xsks_map").clear(0)
    with xdpkit.Map.create(xdpkit.MapType.HASH, 4, 4, 8) as m:
        m[1] = 2
        list(m.items())
    with xdpkit.Queue.create(4, 4) as q:
        q.push(1)
        q.pop()


def test_200_create_close_cycles_leak_nothing(devices):
    """200 cycles of Umem + Socket (+ data path calls) + maps; every 10th
    also with the default program and a Program attached and detached
    (the costly part: each attach/detach waits for RCU)."""
    ns, devs = devices
    for i in range(2):  # warm up both kinds of cycle
        cycle(ns, devs[i], with_program=bool(i))
    gc.collect()
    fds, named, total = fd_count(), named_maps(), maps_count()
    for i in range(200):
        cycle(ns, devs[i % len(devs)], with_program=i % 10 == 0)
    gc.collect()
    assert fd_count() == fds
    # Everything xdpkit maps is named: UMEM areas (/dev/zero, shared
    # anonymous) and ring mmaps (socket:[...]). Exact.
    assert named_maps() == named
    # Anonymous mappings: the Go runtime inside the library may start one
    # more thread (stack, guard page, glibc arena: +4 lines) or grow its
    # heap metadata now and then; a leak per cycle would add 200 or more.
    assert maps_count() - total <= ANON_SLACK, (maps_count(), total, len(os.listdir("/proc/self/task")))


def test_garbage_collection_releases_unclosed_objects(netns_pair):
    a = netns_pair.a
    gc.collect()
    fds, named = fd_count(), named_maps()

    def make():
        with enter(a):
            umem = xdpkit.Umem(num_frames=37)
            sock = xdpkit.Socket(a.ifname, 0, umem)
            own = xdpkit.Socket(a.ifname, 0, umem)  # shares the UMEM: the same rings
        prog = xdpkit.Program.default(1)
        xsks = prog.map("xsks_map")
        link = None
        with enter(a):
            lo_prog = xdpkit.Program.default(1)
            link = lo_prog.attach("lo", "skb")
        m = xdpkit.Map.create("hash", 4, 4, 4)
        q = xdpkit.Queue.create(4, 4)
        view = umem.frame(0, 16)
        assert fd_count() > fds
        return [umem, sock, own, prog, xsks, lo_prog, link, m, q, view]

    objs = make()
    # A cycle: the socket referenced from its own UMEM's user data.
    objs[0].cycle = objs  # type: ignore[attr-defined]
    del objs
    gc.collect()
    assert fd_count() == fds
    assert named_maps() == named
    assert "prog/xdp" not in run(a, "ip", "-d", "link", "show", "lo").stdout


def test_view_keeps_the_area_mapped_after_gc():
    gc.collect()
    named = named_maps()
    u = xdpkit.Umem(num_frames=37)
    v = u.frame(0, 4)
    v[:] = b"live"
    del u
    gc.collect()
    assert bytes(v) == b"live"  # still mapped: the view holds the memory
    assert named_maps() == named + 1
    del v
    gc.collect()
    assert named_maps() == named
