"""XDP programs: loading, maps by name, attaching through bpf_links, and
real traffic through the repository's BPF objects (CPUMAP round robin,
QUEUE/STACK, xdpkit's default program managed by hand)."""
from __future__ import annotations

import errno
import gc
import time

import pytest

import xdpkit
from xdpkit import CpuMap, Map, PerCpuMap, Program, Queue, Stack, XdpkitError, XskMap
from xdpkit.frames import udp_frame
from xdpkit.testing import enter, send_frames

from _helpers import OBJS, recv_n, wait_for

CPUMAP_RR = OBJS / "cpumap_rr_bpfel.o"
QUEUE_STACK = OBJS / "queue_stack_bpfel.o"


def xdp_attached(ns) -> bool:
    return "prog/xdp" in ns.run("ip", "-d", "link", "show", ns.ifname).stdout


def test_load_and_maps():
    with Program.load(CPUMAP_RR, "xdpkit_cpumap_rr") as p:
        assert p.fd > 0 and p.id > 0 and "cpumap_rr" in repr(p)
        assert isinstance(p.map("cpu_map"), CpuMap)
        assert type(p.map("cpus_available")) is Map and p.map("cpus_available").max_entries == 64
        assert isinstance(p.map("cpu_rx"), PerCpuMap)
        cm = p.map("cpus_count").typed(key=int, value=int)
        cm[0] = 2
        assert p.map("cpus_count").typed(key=int, value=int)[0] == 2  # the same map
        m = p.map("cpu_map")
        m.close()  # not ours: only forgotten
        assert p.map("cpu_map").max_entries == m.max_entries
    with pytest.raises(xdpkit.XdpkitClosedError):
        cm[0]  # the program closed its maps


def test_load_by_section_and_only_program():
    with Program.load(CPUMAP_RR, "xdp/cpumap") as p:
        assert p.id > 0
    with Program.load(QUEUE_STACK) as q:  # its only XDP program
        assert isinstance(q.map("len_queue"), Queue) and isinstance(q.map("len_stack"), Stack)


def test_load_errors():
    with pytest.raises(FileNotFoundError):
        Program.load(OBJS / "no-such-object.o")
    with pytest.raises(FileNotFoundError, match="no program or section"):
        Program.load(CPUMAP_RR, "no_such_program")
    with pytest.raises(xdpkit.XdpkitInvalidArgumentError, match="2 XDP programs"):
        Program.load(CPUMAP_RR)  # two programs: name one
    with Program.load(QUEUE_STACK) as q:
        with pytest.raises(FileNotFoundError) as ei:
            q.map("no_such_map")
        assert ei.value.errno == errno.ENOENT


def test_closed_program_raises_ebadf():
    p = Program.default(1)
    p.close()
    p.close()
    for call in (lambda: p.fd, lambda: p.id, lambda: p.map("xsks_map"), lambda: p.attach("lo")):
        with pytest.raises(xdpkit.XdpkitClosedError) as ei:
            call()
        assert ei.value.errno == errno.EBADF


@pytest.mark.parametrize("mode", ["skb", "drv"])
def test_attach_detach(netns_pair, mode):
    a = netns_pair.a
    with Program.load(QUEUE_STACK) as p:
        with enter(a):
            link = p.attach(a.ifname, mode)
        with link:
            assert link.mode == mode and xdp_attached(a) and a.ifname in repr(link)
            with enter(a):
                with pytest.raises(XdpkitError) as ei:
                    p.attach(a.ifname, mode)  # one XDP program per interface
            assert ei.value.errno in (errno.EBUSY, errno.EEXIST)
        assert not xdp_attached(a) and link.closed and "detached" in repr(link)
        link.detach()  # again: harmless
        with pytest.raises(xdpkit.XdpkitClosedError):
            link.mode


def test_attach_errors(netns_pair):
    with Program.default(1) as p:
        with pytest.raises(XdpkitError) as ei:
            p.attach("xknoif0")
        assert ei.value.errno == errno.ENODEV
        with pytest.raises(xdpkit.XdpkitInvalidArgumentError):
            p.attach("lo", "bogus")
        with pytest.raises(xdpkit.XdpkitInvalidArgumentError):
            p.attach("lo", 1 << 9)


def test_link_outlives_program_and_gc_detaches(netns_pair):
    a = netns_pair.a
    p = Program.load(QUEUE_STACK)
    with enter(a):
        link = p.attach(a.ifname, "skb")
    p.close()  # the link keeps the program running
    assert xdp_attached(a)
    del link
    gc.collect()
    assert not xdp_attached(a)


def test_queue_stack_program(netns_pair):
    a, b = netns_pair.a, netns_pair.b
    with Program.load(QUEUE_STACK) as p:
        q = p.map("len_queue").typed(value=int)
        s = p.map("len_stack").typed(value=int)
        with enter(a):
            link = p.attach(a.ifname, "drv")
        with link:
            sizes = [60, 100, 200, 300]
            send_frames(b, b.ifname, [udp_frame(b.mac, a.mac, b.ip, a.ip, n) for n in sizes])
            deadline = time.monotonic() + 3
            while q.pop(None) is None and time.monotonic() < deadline:
                time.sleep(0.01)
            # the first was popped above; the rest in order
            rest = list(q.drain())
            assert rest == sizes[1:]
            assert list(s.drain()) == sizes[::-1]


def test_default_program_managed_by_hand(netns_pair):
    """Program.default + Socket(program=False) + XskMap.set: the libxdp
    'custom XDP program' flow."""
    a, b = netns_pair.a, netns_pair.b
    with Program.default(max_queues=4) as p:
        xsks = p.map("xsks_map")
        assert isinstance(xsks, XskMap) and xsks.max_entries == 4
        with enter(a):
            link = p.attach(a.ifname, "drv")
            sock = xdpkit.Socket(a.ifname, 0, program=False)
        with link, sock:
            assert sock.prog_id == 0
            xsks.set(0, sock)
            sock.fill(sock.umem.frame_addrs()[:64])
            frames = [udp_frame(b.mac, a.mac, b.ip, a.ip, 64, seq=i) for i in range(5)]
            send_frames(b, b.ifname, frames)
            assert [d for _, d in recv_n(sock, 5)] == frames
            xsks.clear(0)  # back to XDP_PASS
            before = a.stat("rx_packets")
            send_frames(b, b.ifname, frames[:1])
            assert wait_for(lambda: a.stat("rx_packets") == before + 1)
            assert sock.recv() == []


def test_cpumap_round_robin_delivers_on_the_chosen_cpus(netns_pair):
    """CPUMAP redirect: frames of veth RX go round robin to the CPUs in
    cpus_available, where xdpkit_cpumap_count counts them per CPU."""
    a, b = netns_pair.a, netns_pair.b
    ncpus = xdpkit.possible_cpus()
    with Program.load(CPUMAP_RR, "xdpkit_cpumap_rr") as rr, \
            Program.load(CPUMAP_RR, "xdpkit_cpumap_count") as count:
        cpu_map = rr.map("cpu_map")
        avail = rr.map("cpus_available").typed(key=int, value=int)
        cpus = list(range(ncpus))
        for i, cpu in enumerate(cpus):
            cpu_map.set(cpu, 192, count)
            avail[i] = cpu
            assert cpu_map.get(cpu) == (192, count.id)
        rr.map("cpus_count").typed(key=int, value=int)[0] = len(cpus)
        with enter(a):
            link = rr.attach(a.ifname, "drv")
        with link:
            n = 10 * ncpus
            send_frames(b, b.ifname, [udp_frame(b.mac, a.mac, b.ip, a.ip, 64, seq=i) for i in range(n)])
            cpu_rx = count.map("cpu_rx").typed(key=int, value=int)
            deadline = time.monotonic() + 3
            while sum(cpu_rx[0]) < n and time.monotonic() < deadline:
                time.sleep(0.01)
            per_cpu = cpu_rx[0]
            assert sum(per_cpu) == n
            assert per_cpu == [10] * ncpus  # round robin over every CPU
