"""AF_XDP: UMEM, frame pool and sockets.

The data path moves descriptors in batches, one library call per batch
(``xdpkit_rx_batch``, ``xdpkit_tx_batch``, ``xdpkit_fill_batch``,
``xdpkit_comp_batch``: plain C, no Go), and frame data is read and written
in place through memoryviews of the UMEM. Like libxdp, a ring is not
thread-safe: use a socket (and its UMEM's rings) from one thread.
"""
from __future__ import annotations

import ctypes
import errno
import mmap
import os
import select
from array import array
from ctypes import POINTER, byref, c_uint32, c_uint64
from dataclasses import dataclass
from itertools import chain
from typing import Any, Iterable, List, Optional, Sequence, Tuple, Union

from . import _ffi
from ._ffi import (
    XDPKIT_BIND_COPY,
    XDPKIT_BIND_NEED_WAKEUP,
    XDPKIT_BIND_SG,
    XDPKIT_BIND_ZEROCOPY,
    XDPKIT_DEFAULT_FRAME_SIZE,
    XDPKIT_DEFAULT_NUM_FRAMES,
    XDPKIT_DEFAULT_RING_SIZE,
    XDPKIT_LIBXDP_FLAGS_INHIBIT_PROG_LOAD,
    XDPKIT_OPTIONS_ZEROCOPY,
    XDPKIT_SOCKET_NO_RX,
    XDPKIT_SOCKET_NO_TX,
    XDPKIT_UMEM_UNALIGNED_CHUNK_FLAG,
    XDPKIT_UNALIGNED_BUF_ADDR_MASK,
    XDPKIT_UNALIGNED_BUF_OFFSET_SHIFT,
    XDPKIT_XDP_FLAGS_DRV_MODE,
    XDPKIT_XDP_FLAGS_HW_MODE,
    XDPKIT_XDP_FLAGS_SKB_MODE,
    lib,
)
from ._resource import Resource, State
from .errors import error_from_errno

__all__ = ["Umem", "FramePool", "Socket", "Stats", "xdp_mode_flags", "xdp_mode_name"]

Desc = Union[Tuple[int, int], Tuple[int, int, int]]

_MODES = {
    "auto": 0,
    "skb": XDPKIT_XDP_FLAGS_SKB_MODE,
    "generic": XDPKIT_XDP_FLAGS_SKB_MODE,
    "drv": XDPKIT_XDP_FLAGS_DRV_MODE,
    "native": XDPKIT_XDP_FLAGS_DRV_MODE,
    "hw": XDPKIT_XDP_FLAGS_HW_MODE,
    "offload": XDPKIT_XDP_FLAGS_HW_MODE,
}
_MODE_NAMES = {XDPKIT_XDP_FLAGS_SKB_MODE: "skb", XDPKIT_XDP_FLAGS_DRV_MODE: "drv",
               XDPKIT_XDP_FLAGS_HW_MODE: "hw"}


def xdp_mode_flags(mode: Union[str, int, None]) -> int:
    """XDP attach mode -> XDPKIT_XDP_FLAGS_*: 'auto' (or None/0: native,
    falling back to generic), 'skb'/'generic', 'drv'/'native',
    'hw'/'offload', or the flag value itself."""
    if mode is None:
        return 0
    if isinstance(mode, int):
        return mode
    try:
        return _MODES[mode.lower()]
    except (KeyError, AttributeError):
        raise error_from_errno(errno.EINVAL, f"unknown XDP mode {mode!r}: want one of "
                               "'auto', 'skb', 'drv', 'hw'") from None


def xdp_mode_name(flags: int) -> Optional[str]:
    """XDPKIT_XDP_FLAGS_*_MODE -> 'skb' / 'drv' / 'hw'; None for 0."""
    return _MODE_NAMES.get(flags)


def _u32(value: Any, what: str) -> int:
    """An unsigned 32-bit argument, EINVAL (not OverflowError) when out of range."""
    try:
        v = int(value)
    except (TypeError, ValueError):
        raise error_from_errno(errno.EINVAL, f"{what}: {value!r} is not an integer") from None
    if not 0 <= v < 1 << 32:
        raise error_from_errno(errno.EINVAL, f"{what}: {v} is out of range (0..2^32-1)")
    return v


def _netns() -> Tuple[int, int]:
    """Identity of the calling thread's network namespace."""
    st = os.stat("/proc/thread-self/ns/net")
    return st.st_dev, st.st_ino


def _address_of(buf: Any) -> int:
    # from_buffer exports buf only while the temporary lives.
    return ctypes.addressof(ctypes.c_char.from_buffer(buf))


# ---------------------------------------------------------------------------
# UMEM


class _UmemState(State):
    kind = "Umem"

    def __init__(self) -> None:
        super().__init__()
        self.handle: Any = None
        self.mm: Optional[mmap.mmap] = None
        self.area: Optional[memoryview] = None
        self.users: set = set()  # open _SocketStates
        self.pending = False     # garbage while sockets still used it

    def _free(self) -> None:
        if self.users:
            raise error_from_errno(errno.EBUSY, f"Umem is used by {len(self.users)} open socket(s): "
                                   "close them first")
        if self.handle is not None:
            lib().xdpkit_umem_delete(self.handle)
            self.handle = None
        self._unmap()

    def _unmap(self) -> None:
        if self.area is not None:
            self.area.release()
            self.area = None
        if self.mm is not None:
            try:
                self.mm.close()
            except BufferError:
                # Frame views are still alive: the mapping goes away with
                # the last of them (they keep the mmap object alive).
                pass
            self.mm = None

    def finalize(self) -> None:
        if self.users:
            self.pending = True  # the last socket frees us
            return
        super().finalize()


class Umem(Resource):
    """A UMEM: ``size`` bytes of frames (``num_frames`` x ``frame_size``
    when size is None or 0) registered with the kernel, with its fill and
    completion rings.

    The memory is a shared anonymous mmap owned by this object (it shows
    as ``/dev/zero (deleted)`` in /proc/PID/maps): :attr:`area` is a
    writable memoryview of all of it, ``umem[a:b]`` and :meth:`frame` are
    zero-copy views. Views stay valid (the mapping stays) as long as they
    are referenced, even after :meth:`close`.

    Create it in the network namespace of its first socket (see
    :class:`Socket`). Zero ring/frame sizes take the defaults, as in C.
    """

    def __init__(self, size: Optional[int] = None, frame_size: int = XDPKIT_DEFAULT_FRAME_SIZE,
                 headroom: int = 0, fill_size: int = XDPKIT_DEFAULT_RING_SIZE,
                 comp_size: int = XDPKIT_DEFAULT_RING_SIZE, flags: int = 0, *,
                 num_frames: int = XDPKIT_DEFAULT_NUM_FRAMES, tx_metadata_len: int = 0) -> None:
        L = lib()
        state = _UmemState()
        frame_size = frame_size or XDPKIT_DEFAULT_FRAME_SIZE  # 0: the default, as in C
        if not size:
            size = int(num_frames) * int(frame_size)
        size = int(size)
        cfg = _ffi.xdpkit_umem_config(
            fill_size=_u32(fill_size, "fill_size"), comp_size=_u32(comp_size, "comp_size"),
            frame_size=_u32(frame_size, "frame_size"), frame_headroom=_u32(headroom, "headroom"),
            flags=_u32(flags, "flags"), tx_metadata_len=_u32(tx_metadata_len, "tx_metadata_len"))
        if size <= 0:
            raise error_from_errno(errno.EINVAL, f"Umem: size {size} must be positive")
        try:
            mm = mmap.mmap(-1, size, flags=mmap.MAP_SHARED | mmap.MAP_ANONYMOUS)
        except OSError as e:
            raise error_from_errno(e.errno or errno.ENOMEM, f"Umem: mmap of {size} bytes: {e.strerror}") from None
        except (ValueError, OverflowError) as e:
            raise error_from_errno(errno.EINVAL, f"Umem: mmap of {size} bytes: {e}") from None
        h = _ffi.umem_p()
        try:
            L.xdpkit_umem_create(byref(h), _address_of(mm), size, None, None, byref(cfg))
        except BaseException:
            mm.close()
            raise
        state.handle = h
        state.mm = mm
        state.area = memoryview(mm)
        self._track(state)
        self._ustate = state
        # The UMEM's socket fd lives in the namespace the UMEM was made in,
        # and the first socket bound on the UMEM uses that fd.
        self._netns = _netns()
        self._fd_taken = False
        self.size = size
        self.frame_size = int(frame_size)
        self.headroom = int(headroom)
        self.flags = int(flags)
        self.unaligned = bool(self.flags & XDPKIT_UMEM_UNALIGNED_CHUNK_FLAG)
        self.num_frames = size // self.frame_size
        self.fill_size = int(fill_size) or XDPKIT_DEFAULT_RING_SIZE
        self.comp_size = int(comp_size) or XDPKIT_DEFAULT_RING_SIZE
        self._fill_ring = L.xdpkit_umem_fill_ring(h)
        self._fill_batch = L.xdpkit_fill_batch
        self._comp_batch = L.xdpkit_comp_batch
        self._addrs = (c_uint64 * 64)()
        self._addrs_view = memoryview(self._addrs).cast("B").cast("Q")

    # -- memory ------------------------------------------------------------

    @property
    def area(self) -> memoryview:
        """The whole UMEM as a writable memoryview (format 'B')."""
        area = self._ustate.area
        if area is None or self._ustate.closed:
            raise _ffi.closed_error("Umem")
        return area

    def __getitem__(self, key: Union[int, slice]) -> Any:
        return self.area[key]

    def __setitem__(self, key: Union[int, slice], value: Any) -> None:
        self.area[key] = value

    def __len__(self) -> int:
        return self.size

    def offset(self, addr: int) -> int:
        """The UMEM offset of a descriptor address (base + offset in
        unaligned mode, the address itself otherwise)."""
        if self.unaligned:
            return (addr & XDPKIT_UNALIGNED_BUF_ADDR_MASK) + (addr >> XDPKIT_UNALIGNED_BUF_OFFSET_SHIFT)
        return addr

    def frame(self, addr: int, length: Optional[int] = None) -> memoryview:
        """A zero-copy view of ``length`` bytes at descriptor address
        ``addr`` (to the end of its frame when length is None)."""
        off = self.offset(addr)
        if length is None:
            length = self.frame_size - (off % self.frame_size)
        if off < 0 or length < 0 or off + length > self.size:
            raise error_from_errno(errno.EINVAL, f"frame {addr:#x}+{length} lies outside the UMEM of {self.size} bytes")
        return self.area[off:off + length]

    def frame_addrs(self) -> List[int]:
        """The address of every frame: 0, frame_size, 2*frame_size..."""
        return list(range(0, self.num_frames * self.frame_size, self.frame_size))

    # -- rings ---------------------------------------------------------------

    def _handle(self) -> Any:
        h = self._ustate.handle
        if h is None or self._ustate.closed:
            raise _ffi.closed_error("Umem")
        return h

    def fill(self, addrs: Sequence[int]) -> int:
        """Puts frame addresses on the fill ring (one library call);
        returns how many fit. EINVAL (nothing put) for an address outside
        the UMEM."""
        h = self._handle()
        n = len(addrs)
        if n == 0:
            return 0
        ptr, keep = _u64_buffer(addrs, "fill")
        n = self._fill_batch(h, ptr, n)
        del keep
        return n

    def complete(self, max: int = 64) -> List[int]:
        """Takes up to ``max`` addresses of sent frames from the completion
        ring (one library call)."""
        h = self._handle()
        # More than the ring holds cannot come: clamp the buffer to it.
        max = min(_u32(max, "max"), self.comp_size)
        if max > len(self._addrs):
            self._addrs = (c_uint64 * max)()
            self._addrs_view = memoryview(self._addrs).cast("B").cast("Q")
        n = self._comp_batch(h, self._addrs, max)
        return self._addrs_view[:n].tolist() if n else []

    def needs_wakeup(self) -> bool:
        """Whether the kernel asked to be woken for the fill ring."""
        self._handle()
        return bool(lib().xdpkit_ring_prod_needs_wakeup(self._fill_ring))

    @property
    def fd(self) -> int:
        """The UMEM's socket fd (used by the first socket bound on it)."""
        return lib().xdpkit_umem_fd(self._handle())

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"{self.num_frames} x {self.frame_size} B"
        return f"<xdpkit.Umem {state}>"


def _u64_buffer(values: Sequence[int], what: str) -> Tuple[Any, array]:
    """values as a POINTER(c_uint64) and the array('Q') behind it (keep
    the array referenced through the call)."""
    try:
        if isinstance(values, array) and values.typecode == "Q":
            arr = values
        else:
            arr = array("Q", values)
    except (TypeError, OverflowError) as e:
        raise error_from_errno(errno.EINVAL, f"{what}: addresses must be integers in 0..2^64-1 ({e})") from None
    return ctypes.cast(arr.buffer_info()[0], POINTER(c_uint64)), arr


class FramePool:
    """The free frames of a UMEM (aligned mode), a LIFO stack in Python.

    ``alloc(n)`` takes up to n frame addresses, ``free(addrs)`` gives them
    back (addresses are rounded down to their frame, so an RX descriptor
    address with headroom can be freed as is).
    """

    def __init__(self, umem: Umem, addrs: Optional[Iterable[int]] = None) -> None:
        self.umem = umem
        self.frame_size = umem.frame_size
        self._mask = ~(self.frame_size - 1) if not umem.unaligned else ~0
        self._free: List[int] = list(addrs) if addrs is not None else umem.frame_addrs()

    def alloc(self, n: int = 1) -> List[int]:
        """Up to ``n`` free frame addresses (fewer when the pool runs low)."""
        if n <= 0:
            return []
        out = self._free[-n:]
        del self._free[-n:]
        return out

    def free(self, addrs: Iterable[int]) -> None:
        """Returns frames to the pool."""
        mask = self._mask
        self._free.extend(a & mask for a in addrs)

    def __len__(self) -> int:
        return len(self._free)

    def __repr__(self) -> str:
        return f"<xdpkit.FramePool {len(self._free)} free of {self.umem.num_frames}>"


# ---------------------------------------------------------------------------
# Sockets


@dataclass(frozen=True)
class Stats:
    """The kernel's XDP_STATISTICS of a socket."""

    rx_dropped: int
    rx_invalid_descs: int
    tx_invalid_descs: int
    rx_ring_full: int
    rx_fill_ring_empty_descs: int
    tx_ring_empty_descs: int


class _SocketState(State):
    kind = "Socket"

    def __init__(self, umem_state: _UmemState, own_umem: bool) -> None:
        super().__init__()
        self.handle: Any = None
        self.umem_state = umem_state
        self.own_umem = own_umem

    def _free(self) -> None:
        if self.handle is not None:
            lib().xdpkit_socket_delete(self.handle)
            self.handle = None
        u = self.umem_state
        u.users.discard(self)
        if (self.own_umem or u.pending) and not u.users:
            u.finalize()


class Socket(Resource):
    """An AF_XDP socket bound to ``queue`` of ``ifname``.

    umem: the :class:`Umem` to use; None makes one with the default sizes
    that the socket owns (closed with it, see :attr:`umem`).
    mode: where the default XDP program runs: 'auto' (native, else
    generic), 'skb', 'drv' or 'hw'.
    zerocopy: None lets the kernel choose (zero-copy, else copy), True
    requires zero-copy (EOPNOTSUPP without it), False forces copy mode.
    need_wakeup: XDP_USE_NEED_WAKEUP (the library kicks only when asked).
    rx / tx: whether to create the RX / TX ring.
    program: attach xdpkit's default program (queue -> XSKMAP -> socket)
    and store the socket in its XSKMAP; False to manage the program
    yourself (see :meth:`update_xskmap`, :class:`xdpkit.XskMap`).
    """

    def __init__(self, ifname: str, queue: int = 0, umem: Optional[Umem] = None, *,
                 mode: Union[str, int, None] = "auto", zerocopy: Optional[bool] = None,
                 need_wakeup: bool = True, rx_size: int = XDPKIT_DEFAULT_RING_SIZE,
                 tx_size: int = XDPKIT_DEFAULT_RING_SIZE, rx: bool = True, tx: bool = True,
                 program: bool = True, multi_buffer: bool = False,
                 busy_poll_usecs: int = 0, busy_poll_budget: int = 0, prefer_busy_poll: bool = False,
                 fill_size: int = 0, comp_size: int = 0) -> None:
        L = lib()
        own_umem = umem is None
        bind = XDPKIT_BIND_NEED_WAKEUP if need_wakeup else 0
        if zerocopy is True:
            bind |= XDPKIT_BIND_ZEROCOPY
        elif zerocopy is False:
            bind |= XDPKIT_BIND_COPY
        if multi_buffer:
            bind |= XDPKIT_BIND_SG
        cfg = _ffi.xdpkit_socket_config(
            rx_size=_u32(rx_size, "rx_size"), tx_size=_u32(tx_size, "tx_size"),
            libxdp_flags=0 if program else XDPKIT_LIBXDP_FLAGS_INHIBIT_PROG_LOAD,
            xdp_flags=xdp_mode_flags(mode), bind_flags=bind,
            flags=(0 if rx else XDPKIT_SOCKET_NO_RX) | (0 if tx else XDPKIT_SOCKET_NO_TX),
            fill_size=_u32(fill_size, "fill_size"), comp_size=_u32(comp_size, "comp_size"),
            busy_poll_usecs=_u32(busy_poll_usecs, "busy_poll_usecs"),
            busy_poll_budget=_u32(busy_poll_budget, "busy_poll_budget"),
            prefer_busy_poll=1 if prefer_busy_poll else 0)
        if not isinstance(ifname, (str, bytes)):
            raise error_from_errno(errno.EINVAL, f"ifname must be a str, not {type(ifname).__name__}")
        queue = _u32(queue, "queue")
        if umem is None:
            umem = Umem()
        try:
            uh = umem._handle()
            if not umem._fd_taken and umem._netns != _netns():
                # libxdpkit would bind the UMEM's fd (a socket of the other
                # namespace) to the ifindex resolved here: a wrong device.
                raise error_from_errno(errno.EINVAL, (
                    f"Socket({ifname!r}): the Umem was created in another network namespace and this "
                    "is its first socket, which uses the Umem's own socket fd: create the Umem in the "
                    "namespace of its first socket (e.g. inside the same xdpkit.testing.enter())"))
            h = _ffi.socket_p()
            L.xdpkit_socket_create(byref(h), ifname.encode() if isinstance(ifname, str) else ifname,
                                   queue, uh, None, None, byref(cfg))
        except BaseException:
            if own_umem:
                umem.close()
            raise
        umem._fd_taken = True
        state = _SocketState(umem._ustate, own_umem)
        state.handle = h
        umem._ustate.users.add(state)
        self._track(state)
        self._sstate = state
        self.umem = umem
        self.ifname = ifname if isinstance(ifname, str) else ifname.decode()
        self.need_wakeup = bool(need_wakeup)
        self.rx_size = int(rx_size) or XDPKIT_DEFAULT_RING_SIZE
        self.tx_size = int(tx_size) or XDPKIT_DEFAULT_RING_SIZE
        self._h = h
        self._fd = L.xdpkit_socket_fd(h)
        self._rx_batch = L.xdpkit_rx_batch
        self._tx_batch = L.xdpkit_tx_batch
        self._wakeup_rx = L.xdpkit_socket_wakeup_rx
        self._needs_wakeup = L.xdpkit_ring_prod_needs_wakeup
        self._has_rx = bool(L.xdpkit_socket_rx_ring(h))
        self._has_tx = bool(L.xdpkit_socket_tx_ring(h))
        self._fill_ring = L.xdpkit_socket_fill_ring(h)
        self._comp_ring = L.xdpkit_socket_comp_ring(h)
        # A socket sharing the UMEM on another queue or device has its own
        # fill/completion rings, which the batch calls (by UMEM) do not
        # reach: fill()/complete() then use the ring helpers.
        self.shares_umem_rings = (ctypes.addressof(self._fill_ring.contents)
                                  == ctypes.addressof(umem._fill_ring.contents))
        self._rxcap = 0
        self._txcap = 0
        self._grow_rx(64)

    # -- plumbing -------------------------------------------------------------

    def _handle(self) -> Any:
        h = self._h
        if self._sstate.closed:
            raise _ffi.closed_error("Socket")
        return h

    def close(self) -> None:
        """Deletes the socket (detaching the default program with the last
        socket of the interface), then the UMEM if the socket made it."""
        super().close()

    def _grow_rx(self, n: int) -> None:
        n = _u32(n, "max")
        self._rxraw = (c_uint64 * (2 * n))()
        self._rxptr = ctypes.cast(self._rxraw, POINTER(_ffi.xdpkit_desc))
        b = memoryview(self._rxraw).cast("B")
        self._rx64 = b.cast("Q")
        self._rx32 = b.cast("I")
        self._rxcap = n

    def _grow_tx(self, n: int) -> None:
        self._txraw = (c_uint64 * (2 * n))()
        self._txptr = ctypes.cast(self._txraw, POINTER(_ffi.xdpkit_desc))
        b = memoryview(self._txraw).cast("B")
        self._tx64 = b.cast("Q")
        self._tx32 = b.cast("I")
        self._txcap = n

    # -- data path ------------------------------------------------------------

    def recv(self, max: int = 64, timeout: Optional[float] = 0) -> List[Tuple[int, int]]:
        """Takes up to ``max`` received frames as ``(addr, len)`` in one
        library call (``xdpkit_rx_batch``), and hands the RX slots back to
        the kernel. The frames themselves stay yours until you put their
        addresses back on the fill ring (:meth:`fill`).

        When nothing is there and the kernel asked for a wake-up on the
        fill ring, it is woken (``xdpkit_socket_wakeup_rx``). timeout: 0
        returns at once, a number of seconds (or None: forever) waits in
        poll() for frames once when there are none.
        """
        h = self._h
        if self._sstate.closed:
            raise _ffi.closed_error("Socket")
        if max > self._rxcap:
            # More than the RX ring holds cannot come: clamp to it.
            max = min(_u32(max, "max"), self.rx_size)
            if max > self._rxcap:
                self._grow_rx(max)
        elif max < 0:  # ctypes would pass it on as 2^32-1
            raise error_from_errno(errno.EINVAL, f"recv: max {max} is negative")
        n = self._rx_batch(h, self._rxptr, max)
        if n == 0:
            if self.need_wakeup and self._needs_wakeup(self._fill_ring):
                self._wakeup_rx(h)
            if timeout == 0:
                return []
            self.poll(select.POLLIN, -1 if timeout is None else int(timeout * 1000))
            n = self._rx_batch(h, self._rxptr, max)
            if n == 0:
                return []
        return list(zip(self._rx64[0:2 * n:2].tolist(), self._rx32[2:4 * n:4].tolist()))

    def recv_descs(self, max: int = 64, timeout: Optional[float] = 0) -> List[Tuple[int, int, int]]:
        """As :meth:`recv` with the descriptor options too: ``(addr, len,
        options)`` (``XDPKIT_PKT_CONTD`` marks a multi-buffer frame that
        continues in the next descriptor)."""
        descs = self.recv(max, timeout)
        if not descs:
            return []
        n = len(descs)
        opts = self._rx32[3:4 * n:4].tolist()
        return [(a, ln, o) for (a, ln), o in zip(descs, opts)]

    def recv_frames(self, max: int = 64, timeout: Optional[float] = 0) -> List[Tuple[int, memoryview]]:
        """As :meth:`recv`, each frame as ``(addr, memoryview)``: a
        zero-copy, writable view of its bytes in the UMEM. The address is
        what you give back to :meth:`fill` (or send out again)."""
        descs = self.recv(max, timeout)
        if not descs:
            return []
        umem = self.umem
        area = umem.area
        if umem.unaligned:
            return [(a, umem.frame(a, ln)) for a, ln in descs]
        return [(a, area[a:a + ln]) for a, ln in descs]

    def send(self, descs: Union[Sequence[Desc], "ctypes.Array[Any]"], kick: bool = True) -> int:
        """Queues frames for sending in one library call
        (``xdpkit_tx_batch``): ``(addr, len)`` or ``(addr, len, options)``
        tuples, or a ctypes array of ``xdpkit_desc``. Returns how many were
        queued (fewer when the TX ring is full). kick: wake the kernel to
        send them (only when it needs it, with need_wakeup). EINVAL, with
        nothing queued, for a descriptor outside the UMEM."""
        h = self._h
        if self._sstate.closed:
            raise _ffi.closed_error("Socket")
        n = len(descs)
        if isinstance(descs, ctypes.Array):
            if descs._type_ is not _ffi.xdpkit_desc:
                raise error_from_errno(errno.EINVAL, "send: a ctypes array must hold xdpkit_desc")
            return self._tx_batch(h, descs, n, 1 if kick else 0)
        if n > self._txcap:
            self._grow_tx(max(n, 64))
        try:
            flat = array("Q", chain.from_iterable(descs))
        except (TypeError, OverflowError) as e:
            raise error_from_errno(errno.EINVAL, f"send: descriptors must be (addr, len[, options]) of "
                                   f"unsigned integers ({e})") from None
        if len(flat) == 2 * n:
            if n and max(flat[1::2]) >= 1 << 32:
                raise error_from_errno(errno.EINVAL, "send: a length does not fit 32 bits")
            self._tx64[0:2 * n] = flat
        else:
            t64, t32 = self._tx64, self._tx32
            for i, d in enumerate(descs):
                if len(d) == 2:
                    addr, ln, opt = d[0], d[1], 0
                elif len(d) == 3:
                    addr, ln, opt = d  # type: ignore[misc]
                else:
                    raise error_from_errno(errno.EINVAL, f"send: descriptor {i} {d!r}: want (addr, len[, options])")
                if not (0 <= ln < 1 << 32 and 0 <= opt < 1 << 32):
                    raise error_from_errno(errno.EINVAL, f"send: descriptor {i} {d!r}: len/options exceed 32 bits")
                t64[2 * i] = addr
                t32[4 * i + 2] = ln
                t32[4 * i + 3] = opt
        return self._tx_batch(h, self._txptr, n, 1 if kick else 0)

    def fill(self, addrs: Sequence[int]) -> int:
        """Puts frame addresses on the fill ring this socket receives
        through; returns how many fit."""
        if self.shares_umem_rings:
            self._handle()
            return self.umem.fill(addrs)
        return self._ring_fill(addrs)

    def complete(self, max: int = 64) -> List[int]:
        """Takes up to ``max`` addresses of sent frames from the completion
        ring this socket sends through."""
        if self.shares_umem_rings:
            self._handle()
            return self.umem.complete(max)
        return self._ring_complete(max)

    def _ring_fill(self, addrs: Sequence[int]) -> int:
        # A socket with its own fill ring: xdpkit_socket_fill_batch, one
        # library call for the batch.
        h = self._handle()
        if len(addrs) == 0:
            return 0
        ptr, keep = _u64_buffer(addrs, "fill")
        n = lib().xdpkit_socket_fill_batch(h, ptr, len(addrs))
        del keep
        return n

    def _ring_complete(self, max: int) -> List[int]:
        h = self._handle()
        max = min(_u32(max, "max"), 1 << 20)
        buf = (c_uint64 * max)()
        n = lib().xdpkit_socket_comp_batch(h, buf, max)
        return list(buf[:n])

    def kick(self) -> None:
        """Wakes the kernel to send what the TX ring holds."""
        lib().xdpkit_socket_kick(self._handle())

    def wakeup_rx(self) -> None:
        """Wakes the kernel to take frames from the fill ring."""
        lib().xdpkit_socket_wakeup_rx(self._handle())

    def fill_needs_wakeup(self) -> bool:
        """Whether the kernel asked to be woken for the fill ring."""
        self._handle()
        return bool(self._needs_wakeup(self._fill_ring))

    def poll(self, events: int = select.POLLIN, timeout_ms: int = -1) -> int:
        """poll() on the socket: returns the ready events (POLLIN,
        POLLOUT...), 0 on timeout. timeout_ms -1 waits forever."""
        return lib().xdpkit_socket_poll(self._handle(), events, int(timeout_ms))

    def fileno(self) -> int:
        """The socket's fd, for select/selectors/asyncio's add_reader."""
        self._handle()
        return self._fd

    # -- information ----------------------------------------------------------

    def stats(self) -> Stats:
        """The kernel's XDP_STATISTICS."""
        st = _ffi.xdpkit_stats()
        lib().xdpkit_socket_stats(self._handle(), byref(st))
        return Stats(st.rx_dropped, st.rx_invalid_descs, st.tx_invalid_descs, st.rx_ring_full,
                     st.rx_fill_ring_empty_descs, st.tx_ring_empty_descs)

    def options(self) -> int:
        """XDP_OPTIONS bits (XDPKIT_OPTIONS_ZEROCOPY)."""
        opts = c_uint32()
        lib().xdpkit_socket_options(self._handle(), byref(opts))
        return opts.value

    @property
    def zerocopy(self) -> bool:
        """Whether the socket runs in zero-copy mode."""
        return bool(self.options() & XDPKIT_OPTIONS_ZEROCOPY)

    @property
    def queue(self) -> int:
        return lib().xdpkit_socket_queue(self._handle())

    @property
    def ifindex(self) -> int:
        return lib().xdpkit_socket_ifindex(self._handle())

    @property
    def xdp_mode(self) -> Optional[str]:
        """Mode of the default program serving the socket ('skb', 'drv',
        'hw'), None when it has none."""
        return xdp_mode_name(lib().xdpkit_socket_xdp_mode(self._handle()))

    @property
    def prog_id(self) -> int:
        """Kernel id of the default program serving the socket (0: none)."""
        return lib().xdpkit_socket_prog_id(self._handle())

    @property
    def has_rx(self) -> bool:
        return self._has_rx

    @property
    def has_tx(self) -> bool:
        return self._has_tx

    def update_xskmap(self, xskmap: Any) -> None:
        """Stores the socket at its queue in your XSKMAP (a Map or an fd);
        the entry is removed when the socket closes."""
        fd = xskmap if isinstance(xskmap, int) else xskmap.fd
        lib().xdpkit_socket_update_xskmap(self._handle(), fd)

    def __repr__(self) -> str:
        if self.closed:
            return "<xdpkit.Socket closed>"
        return f"<xdpkit.Socket {self.ifname} fd={self._fd}>"
