"""Small helpers to build and inspect test frames (Ethernet/IPv4/UDP).
No dependencies beyond the standard library."""
from __future__ import annotations

import socket
import struct
from typing import Union

__all__ = ["mac_bytes", "mac_str", "udp_frame", "frame_seq", "swap_macs", "ETH_P_IP"]

ETH_P_IP = 0x0800

Mac = Union[str, bytes]


def mac_bytes(mac: Mac) -> bytes:
    """'02:00:00:00:00:01' (or 6 bytes) -> 6 bytes."""
    if isinstance(mac, (bytes, bytearray)):
        if len(mac) != 6:
            raise ValueError(f"MAC address must be 6 bytes, got {len(mac)}")
        return bytes(mac)
    parts = mac.split(":")
    if len(parts) != 6:
        raise ValueError(f"bad MAC address {mac!r}")
    return bytes(int(p, 16) for p in parts)


def mac_str(mac: bytes) -> str:
    return ":".join(f"{b:02x}" for b in mac)


def _ip_checksum(hdr: bytes) -> int:
    s = sum(struct.unpack(f"!{len(hdr) // 2}H", hdr))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def udp_frame(src_mac: Mac, dst_mac: Mac, src_ip: str, dst_ip: str, size: int = 64,
              seq: int = 0, sport: int = 9000, dport: int = 9001) -> bytes:
    """An Ethernet/IPv4/UDP frame of exactly ``size`` bytes (at least 46):
    ``seq`` (32 bits, big endian) starts the payload, a recognisable
    pattern (byte i = i & 0xff) fills the rest. UDP checksum 0."""
    size = max(size, 46)
    eth = mac_bytes(dst_mac) + mac_bytes(src_mac) + struct.pack("!H", ETH_P_IP)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, size - 14, 0, 0x4000, 64, 17, 0,
                     socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
    ip = ip[:10] + struct.pack("!H", _ip_checksum(ip)) + ip[12:]
    udp = struct.pack("!HHHH", sport, dport, size - 34, 0)
    payload = struct.pack("!I", seq & 0xFFFFFFFF) + bytes(i & 0xFF for i in range(46, size))
    return eth + ip + udp + payload


def frame_seq(frame: Union[bytes, memoryview]) -> int:
    """The seq :func:`udp_frame` put in a frame."""
    return int.from_bytes(bytes(frame[42:46]), "big")


def swap_macs(frame: Union[bytearray, memoryview]) -> None:
    """Swaps destination and source MAC in place (l2fwd)."""
    dst = bytes(frame[0:6])
    frame[0:6] = frame[6:12]
    frame[6:12] = dst
