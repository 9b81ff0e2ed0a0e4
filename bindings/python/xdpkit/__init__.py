"""xdpkit: AF_XDP sockets and eBPF maps for Python, over libxdpkit.so.

    import xdpkit

    with xdpkit.Socket("eth0", queue=0) as sock:      # UMEM, rings, XDP program
        sock.fill(sock.umem.frame_addrs()[:2048])      # give the kernel frames
        for addr, frame in sock.recv_frames(64, timeout=1.0):
            print(len(frame), bytes(frame[:14]).hex())  # zero-copy views
            sock.fill([addr])                           # recycle

Data moves in batches (one library call per batch, never per packet);
frames are memoryviews of the UMEM. Errors are :class:`XdpkitError`
(an OSError with the errno and the library's message). See README.md.
"""
from __future__ import annotations

from ._ffi import library_path, last_error
from .constants import (OPTIONS_ZEROCOPY, PKT_CONTD, BindFlags, UmemFlags, UpdateFlags, XdpFeature,
                        XdpFlags, XskFeature)
from .errors import (XdpkitBlockingIOError, XdpkitClosedError, XdpkitError, XdpkitFileExistsError,
                     XdpkitFileNotFoundError, XdpkitInvalidArgumentError, XdpkitPermissionError,
                     error_from_errno)
from .iface import XdpFeatures, if_index, if_queues, if_xdp_features
from .maps import (ANY, EXIST, NOEXIST, CpuMap, DevMap, Map, MapInfo, MapType, PerCpuMap, Queue, Stack,
                   XdpkitKeyError, XskMap, possible_cpus)
from .program import Link, Program
from .xsk import FramePool, Socket, Stats, Umem

__version__ = "0.1.0"


def version() -> tuple:
    """The loaded library's version as (major, minor, patch)."""
    from ._ffi import lib

    v = lib().xdpkit_version()
    return (v >> 16, (v >> 8) & 0xFF, v & 0xFF)


def strerror(err: int) -> str:
    """The library's text of an errno (either sign)."""
    from ._ffi import lib

    return lib().xdpkit_strerror(err).decode()


__all__ = [
    "Umem", "FramePool", "Socket", "Stats",
    "Map", "MapInfo", "MapType", "PerCpuMap", "XskMap", "CpuMap", "DevMap", "Queue", "Stack",
    "ANY", "NOEXIST", "EXIST", "possible_cpus",
    "Program", "Link",
    "if_index", "if_queues", "if_xdp_features", "XdpFeatures",
    "XdpkitError", "XdpkitKeyError", "XdpkitClosedError", "XdpkitInvalidArgumentError",
    "XdpkitFileNotFoundError", "XdpkitFileExistsError", "XdpkitPermissionError",
    "XdpkitBlockingIOError", "error_from_errno",
    "BindFlags", "XdpFlags", "UmemFlags", "UpdateFlags", "XdpFeature", "XskFeature",
    "PKT_CONTD", "OPTIONS_ZEROCOPY",
    "version", "strerror", "library_path", "last_error",
]
