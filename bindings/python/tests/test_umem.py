"""Umem and FramePool without traffic: memory views, rings, bad input."""
from __future__ import annotations

import errno
import gc

import pytest

import xdpkit
from xdpkit import FramePool, Umem, XdpkitError


def test_defaults_and_area():
    with Umem() as u:
        assert u.size == 4096 * 4096 and u.frame_size == 4096 and u.num_frames == 4096
        assert len(u) == len(u.area) == u.size
        assert u.area.format == "B" and not u.area.readonly
        u.area[100:104] = b"abcd"
        assert bytes(u[100:104]) == b"abcd"
        u[200:202] = b"xy"
        assert bytes(u.frame(200, 2)) == b"xy"
        assert len(u.frame(4096 + 10)) == 4096 - 10  # to the end of its frame
        assert u.fd >= 0
        assert u.frame_addrs()[:3] == [0, 4096, 8192] and len(u.frame_addrs()) == 4096


def test_size_frame_size_headroom():
    with Umem(64 * 2048, frame_size=2048, headroom=128, fill_size=64, comp_size=32) as u:
        assert u.num_frames == 64 and u.size == 128 * 1024 and u.headroom == 128
    with Umem(num_frames=16) as u:
        assert u.size == 16 * 4096


def test_views_stay_valid_after_close():
    u = Umem(num_frames=8)
    v = u.frame(0, 8)
    v[:] = b"12345678"
    u.close()
    assert bytes(v) == b"12345678"  # the mapping lives as long as the view
    with pytest.raises(xdpkit.XdpkitClosedError):
        u.area
    del v


def test_fill_and_complete_without_socket():
    with Umem(num_frames=64, fill_size=32, comp_size=32) as u:
        assert u.fill([]) == 0
        assert u.fill(u.frame_addrs()) == 32  # as many as fit
        assert u.fill([0]) == 0
        assert u.complete() == [] and u.complete(1000) == []
        assert u.needs_wakeup() in (False, True)


def test_fill_outside_the_umem_is_einval():
    with Umem(num_frames=4) as u:
        with pytest.raises(xdpkit.XdpkitInvalidArgumentError) as ei:
            u.fill([0, 4 * 4096])
        assert ei.value.errno == errno.EINVAL and "outside the UMEM" in ei.value.strerror
        with pytest.raises(ValueError):
            u.fill([-1])
        with pytest.raises(ValueError):
            u.fill(["x"])  # type: ignore[list-item]
        with pytest.raises(ValueError):
            u.frame(4 * 4096 - 10, 11)


@pytest.mark.parametrize("kw", [
    dict(frame_size=3000),                  # not a power of two
    dict(frame_size=1024),                  # below 2048
    dict(frame_size=8192),                  # above the page size
    dict(fill_size=1000),                   # ring size not a power of two
    dict(comp_size=3),
    dict(headroom=4096),                    # no room left in the frame
    dict(size=4096 * 3 + 1),                # not a multiple of the frame size
    dict(size=-4096),
    dict(flags=1 << 20),                    # unknown flag
    dict(fill_size=-1),
    dict(frame_size=2 ** 40),
])
def test_bad_config_is_einval(kw):
    with pytest.raises(xdpkit.XdpkitInvalidArgumentError) as ei:
        Umem(**kw)
    assert ei.value.errno == errno.EINVAL and ei.value.strerror


def test_closed_umem_raises_ebadf_everywhere():
    u = Umem(num_frames=4)
    u.close()
    u.close()  # closing twice is fine
    assert u.closed
    for call in (lambda: u.fill([0]), lambda: u.complete(), lambda: u.fd, lambda: u.area,
                 lambda: u[0:1], lambda: u.needs_wakeup(), lambda: u.frame(0, 1)):
        with pytest.raises(xdpkit.XdpkitClosedError) as ei:
            call()
        assert ei.value.errno == errno.EBADF and isinstance(ei.value, ValueError)
    with pytest.raises(xdpkit.XdpkitClosedError):
        with u:
            pass


def test_umem_huge_size_fails_cleanly():
    with pytest.raises(XdpkitError) as ei:
        Umem(1 << 50)
    assert ei.value.errno in (errno.ENOMEM, errno.EINVAL)


def test_frame_pool():
    with Umem(num_frames=8) as u:
        pool = FramePool(u)
        assert len(pool) == 8
        a = pool.alloc(3)
        assert len(a) == 3 and len(pool) == 5
        assert pool.alloc(0) == []
        rest = pool.alloc(100)
        assert len(rest) == 5 and len(pool) == 0 and pool.alloc(1) == []
        pool.free([x + 256 for x in a])  # RX addresses with headroom round down
        assert sorted(pool.alloc(10)) == sorted(a)
        pool.free(rest)
        assert len(pool) == 5 and "5 free of 8" in repr(pool)


def test_umem_mmap_is_released_on_close():
    gc.collect()
    before = _maps()
    us = [Umem(num_frames=16) for _ in range(10)]
    assert _maps() > before
    for u in us:
        u.close()
    del us
    gc.collect()
    assert _maps() == before


def _maps() -> int:
    with open("/proc/self/maps") as f:
        return sum(1 for _ in f)
