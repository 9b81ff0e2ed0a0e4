"""Interface facts: index, queue counts, XDP features."""
from __future__ import annotations

from ctypes import byref, c_uint32, c_uint64
from typing import NamedTuple, Tuple

from ._ffi import lib

__all__ = ["if_index", "if_queues", "if_xdp_features", "XdpFeatures"]


def if_index(ifname: str) -> int:
    """The interface's index; XdpkitError ENODEV when there is none."""
    return lib().xdpkit_if_index(ifname.encode())


def if_queues(ifname: str) -> Tuple[int, int]:
    """(RX, TX) active queue counts (ethtool channels; 1/1 without)."""
    rx, tx = c_uint32(), c_uint32()
    lib().xdpkit_if_queues(ifname.encode(), byref(rx), byref(tx))
    return rx.value, tx.value


class XdpFeatures(NamedTuple):
    features: int       # XDPKIT_XDP_FEATURE_* bits
    zc_max_segs: int    # zero-copy fragment limit
    xsk_features: int   # XDPKIT_XSK_FEATURE_* bits


def if_xdp_features(ifname: str) -> XdpFeatures:
    """The interface's XDP features (netdev netlink, kernel 6.3+)."""
    f, z, x = c_uint64(), c_uint32(), c_uint64()
    lib().xdpkit_if_xdp_features(ifname.encode(), byref(f), byref(z), byref(x))
    return XdpFeatures(f.value, z.value, x.value)
