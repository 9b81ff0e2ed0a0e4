"""Maps: every type's operations and errors, with the kernel's errnos."""
from __future__ import annotations

import ctypes
import errno
import os
import secrets
import sys

import pytest

import xdpkit
from xdpkit import (EXIST, NOEXIST, CpuMap, DevMap, Map, MapType, PerCpuMap, Queue, Stack, XdpkitError,
                    XdpkitKeyError, XskMap)
from xdpkit.testing import enter


def errno_of(excinfo) -> int:
    return excinfo.value.errno


# -- generic maps ----------------------------------------------------------------


def test_hash_dict_protocol():
    with Map.create(MapType.HASH, 4, 8, 16, name="py_hash") as m:
        assert type(m) is Map and m.type == MapType.HASH and m.name == "py_hash"
        assert (m.key_size, m.value_size, m.max_entries) == (4, 8, 16)
        m.typed(key=int, value=int)
        assert len(m) == 0 and list(m) == [] and m.items() == [] and m.next_key() is None
        m[1] = 10
        m[2] = 20
        m.update(3, 30, NOEXIST)
        assert m[1] == 10 and m.lookup(2) == 20 and m.get(3) == 30 and m.get(4, "x") == "x"
        assert 1 in m and 4 not in m
        assert sorted(m) == [1, 2, 3] and len(m) == 3
        assert sorted(m.items()) == [(1, 10), (2, 20), (3, 30)] and sorted(m.values()) == [10, 20, 30]
        assert m.next_key() in (1, 2, 3)
        m.update(1, 11, EXIST)
        assert m[1] == 11
        del m[1]
        assert 1 not in m
        assert m.lookup_and_delete(2) == 20 and 2 not in m
        assert m.pop(3) == 30 and m.pop(3, None) is None
        m[5] = 5
        m.clear()
        assert len(m) == 0
        info = m.info
        assert info.type == MapType.HASH and info.name == "py_hash" and info.id > 0 and m.id == info.id


def test_hash_errors():
    with Map.create("hash", 4, 4, 2) as m:
        m.typed(key=int, value=int)
        with pytest.raises(KeyError) as ei:
            m[7]
        assert errno_of(ei) == errno.ENOENT and isinstance(ei.value, FileNotFoundError)
        with pytest.raises(XdpkitKeyError):
            del m[7]
        with pytest.raises(XdpkitKeyError):
            m.lookup_and_delete(7)
        with pytest.raises(XdpkitKeyError):
            m.update(7, 1, EXIST)
        m[1] = 1
        with pytest.raises(FileExistsError) as ei:
            m.update(1, 2, NOEXIST)
        assert errno_of(ei) == errno.EEXIST
        m[2] = 2
        with pytest.raises(XdpkitError) as ei:
            m[3] = 3  # full
        assert errno_of(ei) == errno.E2BIG
        for bad_key in (b"abc", b"abcde", 1 << 32, -(1 << 31) - 1):
            with pytest.raises(xdpkit.XdpkitInvalidArgumentError) as ei:
                m[bad_key]
            assert errno_of(ei) == errno.EINVAL
        with pytest.raises(xdpkit.XdpkitInvalidArgumentError) as ei:
            m[1] = b"too long value"
        assert "value" in ei.value.strerror
        with pytest.raises(TypeError):
            m["one"] = 1
        del m[2]
        m[-1] = -1  # negative ints pack as two's complement
        assert m[b"\xff\xff\xff\xff"] == 0xFFFFFFFF


def test_bytes_and_ctypes_keys_values():
    class Flow(ctypes.Structure):
        _fields_ = [("saddr", ctypes.c_uint32), ("dport", ctypes.c_uint16), ("pad", ctypes.c_uint16)]

    class Counters(ctypes.Structure):
        _fields_ = [("packets", ctypes.c_uint64), ("bytes", ctypes.c_uint64)]

    with Map.create(MapType.HASH, ctypes.sizeof(Flow), ctypes.sizeof(Counters), 8) as m:
        m[Flow(0x0A4D0001, 80)] = Counters(3, 300)
        raw = m[bytes(Flow(0x0A4D0001, 80))]
        assert raw == bytes(Counters(3, 300))
        m.typed(key=Flow, value=Counters)
        (k, v), = m.items()
        assert (k.saddr, k.dport, v.packets, v.bytes) == (0x0A4D0001, 80, 3, 300)
        m.typed(value=lambda b: int.from_bytes(b[:8], sys.byteorder))
        assert m[Flow(0x0A4D0001, 80)] == 3
    with Map.create(MapType.HASH, 4, 4, 8).typed(key=ctypes.c_uint32, value=ctypes.c_int32) as m:
        m[ctypes.c_uint32(9)] = ctypes.c_int32(-5)
        assert m[9] == -5 and list(m) == [9]


def test_array():
    with Map.create(MapType.ARRAY, 4, 8, 4).typed(key=int, value=int) as m:
        assert len(m) == 4 and list(m) == [0, 1, 2, 3] and m[3] == 0
        m[2] = 7
        assert m.items() == [(0, 0), (1, 0), (2, 7), (3, 0)]
        with pytest.raises(XdpkitKeyError):
            m[4]
        with pytest.raises(XdpkitError) as ei:
            m[4] = 1
        assert errno_of(ei) == errno.E2BIG
        with pytest.raises(FileExistsError):
            m.update(0, 1, NOEXIST)
        with pytest.raises(xdpkit.XdpkitInvalidArgumentError):
            del m[0]  # array entries cannot be deleted
        with pytest.raises(XdpkitError) as ei:
            m.lookup_and_delete(0)
        assert errno_of(ei) == errno.EOPNOTSUPP


def test_lru_hash_evicts_instead_of_e2big():
    with Map.create(MapType.LRU_HASH, 4, 4, 8).typed(key=int, value=int) as m:
        for i in range(100):
            m[i] = i
        assert 0 < len(m) <= 8 and 99 in m


@pytest.mark.parametrize("t", [MapType.PERCPU_ARRAY, MapType.PERCPU_HASH])
def test_percpu(t):
    n = xdpkit.possible_cpus()
    with Map.create(t, 4, 4, 4).typed(key=int, value=int) as m:
        assert isinstance(m, PerCpuMap) and m.ncpus == n
        m[1] = list(range(10, 10 + n))
        assert m[1] == list(range(10, 10 + n))
        m[2] = 5  # the same value on every CPU
        assert m[2] == [5] * n
        assert dict(m.items())[1] == list(range(10, 10 + n))
        assert dict(m.lookup_batch())[2] == [5] * n
        with pytest.raises(xdpkit.XdpkitInvalidArgumentError):
            m[1] = [1] * (n + 1)
        with pytest.raises(xdpkit.XdpkitInvalidArgumentError):
            m[1] = b"\x01\x02"
        raw = b"".join(i.to_bytes(8, sys.byteorder) for i in range(n))  # whole per-CPU buffer
        m.update(3, raw)
        assert m[3] == list(range(n))


def test_batch_operations():
    with Map.create(MapType.HASH, 4, 4, 64).typed(key=int, value=int) as m:
        assert m.update_batch(list(range(20)), [i * i for i in range(20)]) == 20
        got = dict(m.lookup_batch(count=7))
        assert got == {i: i * i for i in range(20)}
        with pytest.raises(xdpkit.XdpkitInvalidArgumentError):
            m.update_batch([1], [1], NOEXIST)  # the kernel takes only BPF_F_LOCK here
        assert m.delete_batch(list(range(10))) == 10
        assert sorted(m) == list(range(10, 20))
        with pytest.raises(XdpkitKeyError):
            m.delete_batch([0])
        with pytest.raises(xdpkit.XdpkitInvalidArgumentError):
            m.update_batch([1, 2], [1])
        with pytest.raises(xdpkit.XdpkitInvalidArgumentError):
            m.update_batch([b"abc"], [1])
    with DevMap.create(4) as d:
        with pytest.raises(XdpkitError) as ei:
            list(d.lookup_batch())
        assert errno_of(ei) == errno.EOPNOTSUPP


def test_create_errors():
    for args in [(999, 4, 4, 4), (MapType.HASH, 0, 4, 4), (MapType.HASH, 4, 0, 4), (MapType.HASH, 4, 4, 0),
                 (MapType.QUEUE, 4, 4, 4), ("nosuchtype", 4, 4, 4)]:
        with pytest.raises(xdpkit.XdpkitInvalidArgumentError):
            Map.create(*args)


def test_closed_map_raises_ebadf():
    m = Map.create(MapType.HASH, 4, 4, 4).typed(key=int, value=int)
    m[1] = 1
    fd = m.fd
    m.close()
    m.close()
    assert not os.path.exists(f"/proc/self/fd/{fd}") or os.readlink(f"/proc/self/fd/{fd}") != "anon_inode:bpf-map"
    for call in (lambda: m[1], lambda: m.update(1, 1), lambda: m.delete(1), lambda: 1 in m,
                 lambda: list(m), lambda: len(m), lambda: m.info, lambda: m.fd, lambda: m.pin("/sys/fs/bpf/x"),
                 lambda: m.update_batch([1], [1]), lambda: list(m.lookup_batch()), lambda: m.next_key()):
        with pytest.raises(xdpkit.XdpkitClosedError) as ei:
            call()
        assert errno_of(ei) == errno.EBADF and isinstance(ei.value, ValueError)
    q = Queue.create(4, 4)
    q.close()
    for call in (lambda: q.push(1), q.pop, q.peek):
        with pytest.raises(xdpkit.XdpkitClosedError):
            call()


# -- pinning and opening ---------------------------------------------------------


def test_pin_open_by_path_id_and_fd():
    path = f"/sys/fs/bpf/xkpy_{secrets.token_hex(4)}"
    with Map.create(MapType.HASH, 4, 4, 4).typed(key=int, value=int) as m:
        m[1] = 42
        m.pin(path)
        try:
            with Map.pinned(path).typed(key=int, value=int) as p:
                assert p.id == m.id and p[1] == 42 and p.fd != m.fd
            with Map.create(MapType.HASH, 4, 4, 4) as other:
                with pytest.raises(FileExistsError):
                    other.pin(path)
            with pytest.raises(xdpkit.XdpkitInvalidArgumentError):
                Queue.pinned(path)  # not a queue
        finally:
            Map.unpin(path)
        with pytest.raises(FileNotFoundError):
            Map.unpin(path)
        with pytest.raises(FileNotFoundError):
            Map.pinned(path)
        with Map.from_id(m.id).typed(key=int, value=int) as byid:
            assert byid[1] == 42
        borrowed = Map.from_fd(m.fd).typed(key=int, value=int)
        assert borrowed[1] == 42
        borrowed.close()  # not ours: the fd stays open
        assert m[1] == 42
    with pytest.raises(FileNotFoundError):
        Map.from_id(0x7FFFFFF0)
    with pytest.raises(xdpkit.XdpkitClosedError):
        Map.from_fd(987654)
    with pytest.raises(XdpkitError):
        Map.create(MapType.HASH, 4, 4, 4).pin("/tmp/not-bpffs")


# -- typed maps ----------------------------------------------------------------------


def test_queue_and_stack():
    with Queue.create(value_size=4, max_entries=3) as q, Stack.create(4, 3) as s:
        assert isinstance(q, Queue) and q.type == MapType.QUEUE and q.key_size == 0
        q.typed(value=int)
        s.typed(value=int)
        for m in (q, s):
            for v in (1, 2, 3):
                m.push(v)
            with pytest.raises(XdpkitError) as ei:
                m.push(4)
            assert errno_of(ei) == errno.E2BIG
        assert q.peek() == 1 and s.peek() == 3  # peek does not remove
        assert [q.pop() for _ in range(3)] == [1, 2, 3]  # FIFO
        assert [s.pop() for _ in range(3)] == [3, 2, 1]  # LIFO
        for m in (q, s):
            with pytest.raises(FileNotFoundError) as ei:
                m.pop()
            assert errno_of(ei) == errno.ENOENT
            with pytest.raises(FileNotFoundError):
                m.peek()
            assert m.pop(None) is None
        for v in (1, 2, 3, 4, 5):
            q.push(v, EXIST)  # full: drop the oldest
        assert list(q.drain()) == [3, 4, 5]
        with pytest.raises(xdpkit.XdpkitInvalidArgumentError):
            q.push(b"abc")
        with pytest.raises(TypeError):
            len(q)
        with pytest.raises(TypeError):
            iter(s)
        assert bool(q)
    # Map.create dispatches to the class of the type
    with Map.create(MapType.STACK, 0, 8, 2) as s:
        assert isinstance(s, Stack)


def test_cpumap():
    n = xdpkit.possible_cpus()
    with CpuMap.create() as c:
        assert c.max_entries == n and c.value_size == 8
        c.set(0, 256)
        assert c.get(0) == (256, 0) and c[0] == (256, 0)
        c[n - 1] = 512
        assert c[n - 1] == (512, 0)
        assert c.get(n, "none") == "none"
        with pytest.raises(XdpkitError) as ei:
            c.set(n, 256)  # no such CPU slot
        assert errno_of(ei) == errno.E2BIG
        with pytest.raises(XdpkitError) as ei:
            c.set(0, 1 << 20)  # queue too large
        assert errno_of(ei) == errno.EOVERFLOW
        del c[0]
        with pytest.raises(XdpkitKeyError):
            c[0]
    with Map.create(MapType.HASH, 4, 8, 4) as h:
        with pytest.raises(xdpkit.XdpkitInvalidArgumentError, match="wrong map type"):
            CpuMap.set(h, 0, 64)  # type: ignore[arg-type]
        with pytest.raises(xdpkit.XdpkitInvalidArgumentError):
            CpuMap.__getitem__(h, 0)  # type: ignore[arg-type]


@pytest.mark.parametrize("hashed", [False, True])
def test_devmap(netns_pair, hashed):
    a = netns_pair.a
    with DevMap.create(8, hash=hashed) as d, enter(a):
        assert d.type == (MapType.DEVMAP_HASH if hashed else MapType.DEVMAP)
        key = 5 if not hashed else 1000
        d.set(key, a.ifname)
        assert d[key] == (xdpkit.if_index(a.ifname), 0)
        d[0] = 1
        assert d.get(0) == (1, 0)
        assert d.get(3 if not hashed else 3000) is None
        with pytest.raises(XdpkitError) as ei:
            d.set(key, "xknoif0")
        assert errno_of(ei) == errno.ENODEV
        del d[key]
        with pytest.raises(XdpkitKeyError):
            d[key]
        if not hashed:
            with pytest.raises(XdpkitError) as ei:
                d.set(8, 1)
            assert errno_of(ei) == errno.E2BIG
            with pytest.raises(xdpkit.XdpkitInvalidArgumentError):
                d.set(key, 1, prog_fd=987654)  # not a program fd


def test_xskmap(netns_pair):
    a = netns_pair.a
    with XskMap.create(4) as x:
        assert isinstance(x, XskMap) and x.max_entries == 4
        with enter(a):
            sock = xdpkit.Socket(a.ifname, 0, program=False)
        with sock:
            x.set(0, sock)
            x[1] = sock
            with pytest.raises(XdpkitError) as ei:
                0 in x  # XSKMAP values cannot be read from user space
            assert errno_of(ei) == errno.EOPNOTSUPP
            x.clear(1)
            del x[0]
            x.clear()
            with pytest.raises(xdpkit.XdpkitInvalidArgumentError):
                x.clear(4)
            with pytest.raises(XdpkitError) as ei:
                x.set(4, sock)
            assert errno_of(ei) == errno.E2BIG
            sock.update_xskmap(x)
        with pytest.raises(xdpkit.XdpkitClosedError):
            x.set(0, sock)
    with Map.create(MapType.HASH, 4, 4, 4) as h:
        with pytest.raises(xdpkit.XdpkitInvalidArgumentError, match="wrong map type"):
            XskMap.clear(h, 0)  # type: ignore[arg-type]
