"""ctypes declarations of libxdpkit (include/xdpkit.h, ABI XDPKIT_0.1).

Everything the header exports is declared in SIGNATURES (argument and
result types) and, for the calls that report failures, ERROR_CHECKERS
(the ctypes ``errcheck``): a negative errno becomes an
:class:`~xdpkit.errors.XdpkitError` with the library's thread-local message
(``xdpkit_last_error()``), a NULL handle getter result likewise.

The library is found, in this order, at:

1. ``$XDPKIT_LIBRARY`` (a path; when set, only it is tried),
2. ``xdpkit/libxdpkit.so`` next to this file (what a wheel carries),
3. ``build/libxdpkit.so`` of the source tree holding this package
   (``bindings/python/xdpkit`` -> ``build/``), for in-tree use,
4. ``ctypes.util.find_library("xdpkit")`` (an installed ``libxdpkit.so.0``).

It is loaded on first use (:func:`lib`), so importing :mod:`xdpkit` (and
the pytest plugin :mod:`xdpkit.testing`) never fails for lack of it.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import errno as _errno
import os
import threading
from ctypes import (
    POINTER,
    Structure,
    c_char,
    c_char_p,
    c_int,
    c_int64,
    c_short,
    c_size_t,
    c_uint8,
    c_uint16,
    c_uint32,
    c_uint64,
    c_void_p,
)
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

from .errors import XdpkitError, error_from_errno

# ---------------------------------------------------------------------------
# Constants (values of include/xdpkit.h)

XDPKIT_BIND_COPY = 1 << 1
XDPKIT_BIND_ZEROCOPY = 1 << 2
XDPKIT_BIND_NEED_WAKEUP = 1 << 3
XDPKIT_BIND_SG = 1 << 4

XDPKIT_XDP_FLAGS_SKB_MODE = 1 << 1
XDPKIT_XDP_FLAGS_DRV_MODE = 1 << 2
XDPKIT_XDP_FLAGS_HW_MODE = 1 << 3

XDPKIT_LIBXDP_FLAGS_INHIBIT_PROG_LOAD = 1 << 0

XDPKIT_SOCKET_NO_RX = 1 << 0
XDPKIT_SOCKET_NO_TX = 1 << 1

XDPKIT_UMEM_UNALIGNED_CHUNK_FLAG = 1 << 0
XDPKIT_UMEM_TX_SW_CSUM = 1 << 1
XDPKIT_UMEM_TX_METADATA_LEN = 1 << 2

XDPKIT_PKT_CONTD = 1 << 0
XDPKIT_OPTIONS_ZEROCOPY = 1 << 0
XDPKIT_RING_NEED_WAKEUP = 1 << 0

XDPKIT_UNALIGNED_BUF_OFFSET_SHIFT = 48
XDPKIT_UNALIGNED_BUF_ADDR_MASK = (1 << XDPKIT_UNALIGNED_BUF_OFFSET_SHIFT) - 1

XDPKIT_DEFAULT_RING_SIZE = 2048
XDPKIT_DEFAULT_FRAME_SIZE = 4096
XDPKIT_DEFAULT_NUM_FRAMES = 4096

XDPKIT_XDP_FEATURE_BASIC = 1 << 0
XDPKIT_XDP_FEATURE_REDIRECT = 1 << 1
XDPKIT_XDP_FEATURE_NDO_XMIT = 1 << 2
XDPKIT_XDP_FEATURE_XSK_ZEROCOPY = 1 << 3
XDPKIT_XDP_FEATURE_HW_OFFLOAD = 1 << 4
XDPKIT_XDP_FEATURE_RX_SG = 1 << 5
XDPKIT_XDP_FEATURE_NDO_XMIT_SG = 1 << 6
XDPKIT_XSK_FEATURE_TX_TIMESTAMP = 1 << 0
XDPKIT_XSK_FEATURE_TX_CHECKSUM = 1 << 1
XDPKIT_XSK_FEATURE_TX_LAUNCH_TIME_FIFO = 1 << 2

XDPKIT_MAP_HASH = 1
XDPKIT_MAP_ARRAY = 2
XDPKIT_MAP_PERCPU_HASH = 5
XDPKIT_MAP_PERCPU_ARRAY = 6
XDPKIT_MAP_LRU_HASH = 9
XDPKIT_MAP_DEVMAP = 14
XDPKIT_MAP_CPUMAP = 16
XDPKIT_MAP_XSKMAP = 17
XDPKIT_MAP_QUEUE = 22
XDPKIT_MAP_STACK = 23
XDPKIT_MAP_DEVMAP_HASH = 25

XDPKIT_MAP_ANY = 0
XDPKIT_MAP_NOEXIST = 1
XDPKIT_MAP_EXIST = 2

# ---------------------------------------------------------------------------
# Types


class xdpkit_umem(Structure):
    """Opaque: only ever used through a pointer."""


class xdpkit_socket(Structure):
    """Opaque: only ever used through a pointer."""


class xdpkit_prog(Structure):
    """Opaque: only ever used through a pointer."""


class xdpkit_link(Structure):
    """Opaque: only ever used through a pointer."""


class xdpkit_frame_pool(Structure):
    """Opaque: only ever used through a pointer."""


umem_p = POINTER(xdpkit_umem)
socket_p = POINTER(xdpkit_socket)
prog_p = POINTER(xdpkit_prog)
link_p = POINTER(xdpkit_link)
pool_p = POINTER(xdpkit_frame_pool)


class xdpkit_desc(Structure):
    """An RX/TX descriptor (the kernel's struct xdp_desc)."""

    _fields_ = [("addr", c_uint64), ("len", c_uint32), ("options", c_uint32)]


class _ring(Structure):
    # Ring state over kernel-shared memory. Do not access the fields: the
    # layout is declared so ctypes can size the struct, nothing more.
    _fields_ = [
        ("cached_prod", c_uint32),
        ("cached_cons", c_uint32),
        ("mask", c_uint32),
        ("size", c_uint32),
        ("producer", POINTER(c_uint32)),
        ("consumer", POINTER(c_uint32)),
        ("ring", c_void_p),
        ("flags", POINTER(c_uint32)),
    ]


class xdpkit_ring_prod(_ring):
    """A producer ring (fill, TX). Opaque to Python code."""


class xdpkit_ring_cons(_ring):
    """A consumer ring (completion, RX). Opaque to Python code."""


ring_prod_p = POINTER(xdpkit_ring_prod)
ring_cons_p = POINTER(xdpkit_ring_cons)


class xdpkit_umem_config(Structure):
    _fields_ = [
        ("sz", c_size_t),
        ("fill_size", c_uint32),
        ("comp_size", c_uint32),
        ("frame_size", c_uint32),
        ("frame_headroom", c_uint32),
        ("flags", c_uint32),
        ("tx_metadata_len", c_uint32),
    ]

    def __init__(self, **kw: Any) -> None:
        super().__init__(sz=ctypes.sizeof(self), **kw)


class xdpkit_socket_config(Structure):
    _fields_ = [
        ("sz", c_size_t),
        ("rx_size", c_uint32),
        ("tx_size", c_uint32),
        ("libxdp_flags", c_uint32),
        ("xdp_flags", c_uint32),
        ("bind_flags", c_uint16),
        ("reserved", c_uint16),
        ("flags", c_uint32),
        ("fill_size", c_uint32),
        ("comp_size", c_uint32),
        ("busy_poll_usecs", c_uint32),
        ("busy_poll_budget", c_uint32),
        ("prefer_busy_poll", c_uint32),
        ("max_tx_skb_budget", c_uint32),
    ]

    def __init__(self, **kw: Any) -> None:
        super().__init__(sz=ctypes.sizeof(self), **kw)


class xdpkit_stats(Structure):
    _fields_ = [
        ("sz", c_size_t),
        ("rx_dropped", c_uint64),
        ("rx_invalid_descs", c_uint64),
        ("tx_invalid_descs", c_uint64),
        ("rx_ring_full", c_uint64),
        ("rx_fill_ring_empty_descs", c_uint64),
        ("tx_ring_empty_descs", c_uint64),
    ]

    def __init__(self, **kw: Any) -> None:
        super().__init__(sz=ctypes.sizeof(self), **kw)


class xdpkit_map_info(Structure):
    _fields_ = [
        ("sz", c_size_t),
        ("type", c_uint32),
        ("key_size", c_uint32),
        ("value_size", c_uint32),
        ("max_entries", c_uint32),
        ("flags", c_uint32),
        ("id", c_uint32),
        ("name", c_char * 16),
    ]

    def __init__(self, **kw: Any) -> None:
        super().__init__(sz=ctypes.sizeof(self), **kw)


class xdpkit_map_cursor(Structure):
    _fields_ = [("token", c_uint8 * 32), ("started", c_uint32), ("ended", c_uint32)]


# ---------------------------------------------------------------------------
# Error checkers (ctypes errcheck)


def last_error() -> str:
    """The calling thread's last library error message ("" if none)."""
    msg = lib().xdpkit_last_error()
    return msg.decode("utf-8", "replace") if msg else ""


# The kernel's internal ENOTSUPP (524), which some BPF commands leak to
# user space (batch ops and lookup_and_delete on map types without them):
# reported as EOPNOTSUPP, as the header documents.
_ENOTSUPP = 524


def _check_errno(result: int, func: Any, args: Tuple[Any, ...]) -> int:
    """int / int64 results: negative is -errno."""
    if result < 0:
        err = -result
        if err == _ENOTSUPP:
            err = _errno.EOPNOTSUPP
        raise error_from_errno(err, last_error())
    return result


def _check_handle_ptr(result: Any, func: Any, args: Tuple[Any, ...]) -> Any:
    """Getters returning a pointer: NULL only for a bad handle."""
    if not result:
        msg = last_error()
        err = _errno.EBADF if "not a live" in msg else _errno.EINVAL
        raise error_from_errno(err, msg or f"{func.__name__}: NULL")
    return result


# ---------------------------------------------------------------------------
# Signatures of every export of include/xdpkit.h: name -> (argtypes, restype)

_u32p = POINTER(c_uint32)
_u64p = POINTER(c_uint64)
_descp = POINTER(xdpkit_desc)

SIGNATURES: Dict[str, Tuple[List[Any], Any]] = {
    # version and errors
    "xdpkit_version": ([], c_int),
    "xdpkit_strerror": ([c_int], c_char_p),
    "xdpkit_last_error": ([], c_char_p),
    "xdpkit_errmsg": ([c_char_p, c_size_t], c_int),
    # ring helpers (real copies of the header's inline functions)
    "xdpkit_ring_fill_addr": ([ring_prod_p, c_uint32], _u64p),
    "xdpkit_ring_comp_addr": ([ring_cons_p, c_uint32], _u64p),
    "xdpkit_ring_tx_desc": ([ring_prod_p, c_uint32], _descp),
    "xdpkit_ring_rx_desc": ([ring_cons_p, c_uint32], _descp),
    "xdpkit_ring_prod_needs_wakeup": ([ring_prod_p], c_int),
    "xdpkit_ring_prod_free": ([ring_prod_p, c_uint32], c_uint32),
    "xdpkit_ring_cons_avail": ([ring_cons_p, c_uint32], c_uint32),
    "xdpkit_ring_prod_reserve": ([ring_prod_p, c_uint32, _u32p], c_uint32),
    "xdpkit_ring_prod_submit": ([ring_prod_p, c_uint32], None),
    "xdpkit_ring_prod_cancel": ([ring_prod_p, c_uint32], None),
    "xdpkit_ring_cons_peek": ([ring_cons_p, c_uint32, _u32p], c_uint32),
    "xdpkit_ring_cons_cancel": ([ring_cons_p, c_uint32], None),
    "xdpkit_ring_cons_release": ([ring_cons_p, c_uint32], None),
    "xdpkit_umem_addr_base": ([c_uint64], c_uint64),
    "xdpkit_umem_addr_offset": ([c_uint64], c_uint64),
    "xdpkit_umem_addr": ([c_uint64], c_uint64),
    "xdpkit_umem_data": ([c_void_p, c_uint64], c_void_p),
    # UMEM
    "xdpkit_umem_create": (
        [POINTER(umem_p), c_void_p, c_uint64, ring_prod_p, ring_cons_p, POINTER(xdpkit_umem_config)],
        c_int,
    ),
    "xdpkit_umem_create_with_fd": (
        [POINTER(umem_p), c_int, c_void_p, c_uint64, ring_prod_p, ring_cons_p,
         POINTER(xdpkit_umem_config)],
        c_int,
    ),
    "xdpkit_umem_area": ([umem_p], c_void_p),
    "xdpkit_umem_size": ([umem_p], c_int64),
    "xdpkit_umem_fd": ([umem_p], c_int),
    "xdpkit_umem_fill_ring": ([umem_p], ring_prod_p),
    "xdpkit_umem_comp_ring": ([umem_p], ring_cons_p),
    "xdpkit_umem_delete": ([umem_p], c_int),
    # sockets
    "xdpkit_socket_create": (
        [POINTER(socket_p), c_char_p, c_uint32, umem_p, ring_cons_p, ring_prod_p,
         POINTER(xdpkit_socket_config)],
        c_int,
    ),
    "xdpkit_socket_create_shared": (
        [POINTER(socket_p), c_char_p, c_uint32, umem_p, ring_cons_p, ring_prod_p,
         ring_prod_p, ring_cons_p, POINTER(xdpkit_socket_config)],
        c_int,
    ),
    "xdpkit_socket_create_all_queues": (
        [POINTER(socket_p), c_uint32, c_char_p, umem_p, POINTER(xdpkit_socket_config)], c_int),
    "xdpkit_socket_fd": ([socket_p], c_int),
    "xdpkit_socket_rx_ring": ([socket_p], ring_cons_p),
    "xdpkit_socket_tx_ring": ([socket_p], ring_prod_p),
    "xdpkit_socket_fill_ring": ([socket_p], ring_prod_p),
    "xdpkit_socket_comp_ring": ([socket_p], ring_cons_p),
    "xdpkit_socket_delete": ([socket_p], c_int),
    "xdpkit_socket_kick": ([socket_p], c_int),
    "xdpkit_socket_wakeup_rx": ([socket_p], c_int),
    "xdpkit_socket_poll": ([socket_p, c_short, c_int], c_int),
    "xdpkit_socket_stats": ([socket_p, POINTER(xdpkit_stats)], c_int),
    "xdpkit_socket_options": ([socket_p, _u32p], c_int),
    "xdpkit_socket_queue": ([socket_p], c_int),
    "xdpkit_socket_ifindex": ([socket_p], c_int),
    "xdpkit_socket_xdp_mode": ([socket_p], c_int),
    "xdpkit_socket_prog_id": ([socket_p], c_int),
    # batch calls
    "xdpkit_rx_batch": ([socket_p, _descp, c_uint32], c_int),
    "xdpkit_tx_batch": ([socket_p, _descp, c_uint32, c_int], c_int),
    "xdpkit_fill_batch": ([umem_p, _u64p, c_uint32], c_int),
    "xdpkit_comp_batch": ([umem_p, _u64p, c_uint32], c_int),
    "xdpkit_socket_fill_batch": ([socket_p, _u64p, c_uint32], c_int),
    "xdpkit_socket_comp_batch": ([socket_p, _u64p, c_uint32], c_int),
    # interfaces
    "xdpkit_if_queues": ([c_char_p, _u32p, _u32p], c_int),
    "xdpkit_if_index": ([c_char_p], c_int),
    "xdpkit_if_xdp_features": ([c_char_p, _u64p, _u32p, _u64p], c_int),
    # frame pool
    "xdpkit_pool_create": ([POINTER(pool_p), umem_p], c_int),
    "xdpkit_pool_alloc": ([pool_p, _u64p, c_uint32], c_int),
    "xdpkit_pool_free": ([pool_p, _u64p, c_uint32], c_int),
    "xdpkit_pool_count": ([pool_p], c_int),
    "xdpkit_umem_prefill": ([umem_p, pool_p, c_uint32], c_int),
    "xdpkit_pool_delete": ([pool_p], c_int),
    # maps
    "xdpkit_map_create": ([c_uint32, c_uint32, c_uint32, c_uint32, c_uint32, c_char_p], c_int),
    "xdpkit_map_open_pinned": ([c_char_p], c_int),
    "xdpkit_map_open_id": ([c_uint32], c_int),
    "xdpkit_map_pin": ([c_int, c_char_p], c_int),
    "xdpkit_map_unpin": ([c_char_p], c_int),
    "xdpkit_map_close": ([c_int], c_int),
    "xdpkit_map_info": ([c_int, POINTER(xdpkit_map_info)], c_int),
    "xdpkit_map_update": ([c_int, c_void_p, c_uint32, c_void_p, c_uint32, c_uint64], c_int),
    "xdpkit_map_lookup": ([c_int, c_void_p, c_uint32, c_void_p, c_uint32], c_int),
    "xdpkit_map_delete": ([c_int, c_void_p, c_uint32], c_int),
    "xdpkit_map_lookup_and_delete": ([c_int, c_void_p, c_uint32, c_void_p, c_uint32], c_int),
    "xdpkit_map_next_key": ([c_int, c_void_p, c_void_p, c_uint32], c_int),
    "xdpkit_map_update_batch": (
        [c_int, c_void_p, c_void_p, c_uint32, c_uint32, c_uint32, c_uint64], c_int),
    "xdpkit_map_delete_batch": ([c_int, c_void_p, c_uint32, c_uint32], c_int),
    "xdpkit_map_lookup_batch": (
        [c_int, POINTER(xdpkit_map_cursor), c_void_p, c_void_p, c_uint32, c_uint32, c_uint32],
        c_int,
    ),
    "xdpkit_xskmap_set": ([c_int, c_uint32, socket_p], c_int),
    "xdpkit_xskmap_clear": ([c_int, c_uint32], c_int),
    "xdpkit_socket_update_xskmap": ([socket_p, c_int], c_int),
    "xdpkit_cpumap_set": ([c_int, c_uint32, c_uint32, c_int], c_int),
    "xdpkit_cpumap_get": ([c_int, c_uint32, _u32p, _u32p], c_int),
    "xdpkit_devmap_set": ([c_int, c_uint32, c_uint32, c_int], c_int),
    "xdpkit_devmap_get": ([c_int, c_uint32, _u32p, _u32p], c_int),
    "xdpkit_queue_push": ([c_int, c_void_p, c_uint32, c_uint64], c_int),
    "xdpkit_queue_peek": ([c_int, c_void_p, c_uint32], c_int),
    "xdpkit_queue_pop": ([c_int, c_void_p, c_uint32], c_int),
    # programs
    "xdpkit_prog_load_file": ([POINTER(prog_p), c_char_p, c_char_p], c_int),
    "xdpkit_prog_load_default": ([POINTER(prog_p), c_uint32], c_int),
    "xdpkit_prog_fd": ([prog_p], c_int),
    "xdpkit_prog_id": ([prog_p], c_int),
    "xdpkit_prog_map_fd": ([prog_p, c_char_p], c_int),
    "xdpkit_prog_attach": ([prog_p, c_char_p, c_uint32, POINTER(link_p)], c_int),
    "xdpkit_link_mode": ([link_p], c_int),
    "xdpkit_link_detach": ([link_p], c_int),
    "xdpkit_prog_delete": ([prog_p], c_int),
}

# Functions that cannot fail (or report failure another way) have no
# checker: the ring helpers, version/strerror/last_error, and the ring
# getters of a socket, whose NULL also means "no such ring".
_UNCHECKED = {
    "xdpkit_version", "xdpkit_strerror", "xdpkit_last_error",
    "xdpkit_socket_rx_ring", "xdpkit_socket_tx_ring",
    "xdpkit_socket_fill_ring", "xdpkit_socket_comp_ring",
}

ERROR_CHECKERS: Dict[str, Callable[..., Any]] = {}
for _name, (_args, _res) in SIGNATURES.items():
    if _name in _UNCHECKED or _name.startswith(("xdpkit_ring_", "xdpkit_umem_addr", "xdpkit_umem_data")):
        continue
    if _res in (c_int, c_int64):
        ERROR_CHECKERS[_name] = _check_errno
    elif _res is not None:
        ERROR_CHECKERS[_name] = _check_handle_ptr
del _name, _args, _res

# ---------------------------------------------------------------------------
# Loading


def candidates() -> Iterator[str]:
    """The paths (or names) tried to load the library, in order."""
    env = os.environ.get("XDPKIT_LIBRARY")
    if env:
        yield env
        return
    here = Path(__file__).resolve().parent
    yield str(here / "libxdpkit.so")
    yield str(here.parent.parent.parent / "build" / "libxdpkit.so")
    found = ctypes.util.find_library("xdpkit")
    if found:
        yield found


class Library:
    """The loaded library: one attribute per function of SIGNATURES, with
    argtypes, restype and errcheck set. A function the loaded library
    lacks (an older version) raises XdpkitError(ENOSYS) when called."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.dll = ctypes.CDLL(path, use_errno=True)
        self.missing: List[str] = []
        for name, (argtypes, restype) in SIGNATURES.items():
            try:
                fn = getattr(self.dll, name)
            except AttributeError:
                self.missing.append(name)
                setattr(self, name, _missing(name, path))
                continue
            fn.argtypes = argtypes
            fn.restype = restype
            checker = ERROR_CHECKERS.get(name)
            if checker is not None:
                fn.errcheck = checker
            setattr(self, name, fn)

    def __getattr__(self, name: str) -> Any:  # for type checkers: functions are set in __init__
        raise AttributeError(name)


def _missing(name: str, path: str) -> Callable[..., Any]:
    def fn(*args: Any) -> Any:
        raise error_from_errno(_errno.ENOSYS, f"{name}: not exported by {path} (library too old?)")

    fn.__name__ = name
    return fn


_lib: Optional[Library] = None
_lock = threading.Lock()


def lib() -> Library:
    """The library, loaded on first call (see the module docstring)."""
    global _lib
    if _lib is not None:
        return _lib
    with _lock:
        if _lib is None:
            errors = []
            for path in candidates():
                if os.sep in path and not os.path.exists(path):
                    errors.append(f"{path}: not found")
                    continue
                try:
                    _lib = Library(path)
                    break
                except OSError as e:
                    errors.append(f"{path}: {e}")
            else:
                raise ImportError(
                    "xdpkit: cannot load libxdpkit.so (set XDPKIT_LIBRARY to its path); tried: "
                    + ("; ".join(errors) or "nothing (find_library found no libxdpkit)")
                )
    return _lib


def library_path() -> str:
    """The path of the loaded library."""
    return lib().path


def closed_error(what: str) -> XdpkitError:
    """The error every method of a closed object raises: EBADF."""
    return error_from_errno(_errno.EBADF, f"{what} is closed")


def as_bytes_path(p: "os.PathLike[str] | str | bytes") -> bytes:
    return os.fsencode(p)


def u64_array(values: Sequence[int]) -> "ctypes.Array[c_uint64]":
    return (c_uint64 * len(values))(*values)
