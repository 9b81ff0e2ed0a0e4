"""Testing XDP programs and AF_XDP code with pytest in network namespaces.

A pytest plugin (registered through the ``pytest11`` entry point when the
package is installed, or with ``pytest_plugins = ["xdpkit.testing"]`` in
your top-level conftest.py) providing:

``netns_pair`` (fixture)
    Two fresh network namespaces joined by a veth pair, with MACs, IPv4
    addresses (10.77.0.1/24 and 10.77.0.2/24, inside the namespaces only),
    static neighbour entries both ways (an AF_XDP receiver swallows ARP)
    and IPv6 disabled (no stray router solicitations). Yields a
    :class:`NetnsPair` with ``.a`` and ``.b`` (:class:`Namespace`: name,
    ifname, mac, ip); both namespaces are always deleted afterwards.

:func:`enter` (context manager)
    Switches the calling thread into a namespace and back: create sockets,
    attach programs there (they stay in that namespace afterwards).

:func:`send_frames`, :func:`packet_socket`, :func:`run`
    Raw Ethernet frames in and out of a namespace (AF_PACKET) and commands
    run inside one (``ip netns exec``).

Needs root (CAP_SYS_ADMIN for namespaces, CAP_NET_ADMIN, CAP_BPF) and
iproute2. Nothing here loads libxdpkit: the plugin costs nothing to
projects that do not use it.
"""
from __future__ import annotations

import contextlib
import ctypes
import itertools
import os
import secrets
import socket
import subprocess
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Optional, Sequence, Union

try:
    import pytest
except ImportError:  # pragma: no cover - usable without pytest too
    pytest = None  # type: ignore[assignment]

__all__ = [
    "Namespace", "NetnsPair", "make_netns_pair", "enter", "run", "send_frames", "packet_socket",
    "require", "netns_pair", "CommandError",
]

CLONE_NEWNET = 0x40000000
ETH_P_ALL = 0x0003

_libc = ctypes.CDLL(None, use_errno=True)
_libc.setns.argtypes = [ctypes.c_int, ctypes.c_int]
_libc.setns.restype = ctypes.c_int
_counter = itertools.count()


@dataclass(frozen=True)
class Namespace:
    """One side of a :class:`NetnsPair`."""

    name: str    # the namespace (/run/netns/NAME)
    ifname: str  # its end of the veth pair
    mac: str     # that interface's MAC, "02:..."
    ip: str      # its IPv4 address (prefix 24)

    def run(self, *cmd: str, check: bool = True) -> "subprocess.CompletedProcess[str]":
        """Runs cmd inside the namespace; see :func:`run`."""
        return run(self, *cmd, check=check)

    def enter(self) -> "contextlib.AbstractContextManager[None]":
        """Switches the calling thread into the namespace; see :func:`enter`."""
        return enter(self)

    def stat(self, counter: str) -> int:
        """A counter of the interface (/sys/class/net/IF/statistics/NAME,
        e.g. 'rx_packets'), read inside the namespace."""
        out = run(self, "cat", f"/sys/class/net/{self.ifname}/statistics/{counter}").stdout
        return int(out.strip())


@dataclass(frozen=True)
class NetnsPair:
    """Two namespaces joined by a veth pair: a.ifname in a, b.ifname in b."""

    a: Namespace
    b: Namespace

    def close(self) -> None:
        """Deletes both namespaces (and with them the veth pair)."""
        _ip_batch([f"netns del {self.a.name}", f"netns del {self.b.name}"], check=False)


class CommandError(subprocess.CalledProcessError):
    """A command failed; str() includes its output."""

    def __str__(self) -> str:
        out = (self.stderr or "") + (self.output or "")
        return f"{super().__str__()}\n{out.strip()}"


def _check(cmd: Sequence[str], proc: "subprocess.CompletedProcess[str]") -> None:
    if proc.returncode != 0:
        raise CommandError(proc.returncode, list(cmd), proc.stdout, proc.stderr)


def _ip_batch(lines: Iterable[str], netns: Optional[str] = None, check: bool = True) -> None:
    cmd = ["ip"] + (["-n", netns] if netns else []) + ["-batch", "-"]
    proc = subprocess.run(cmd, input="\n".join(lines) + "\n", capture_output=True, text=True)
    if check:
        _check(cmd, proc)


def _ns_name(ns: Union[Namespace, str]) -> str:
    return ns.name if isinstance(ns, Namespace) else ns


def _setns(fd: int, what: str) -> None:
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns({what}): {os.strerror(err)}")


@contextlib.contextmanager
def enter(ns: Union[Namespace, str]) -> Iterator[None]:
    """Switches the calling thread (only it) into network namespace ns (a
    :class:`Namespace` or a name under /run/netns) and back on exit.
    Sockets and XDP attachments made inside stay in that namespace.
    Python 3.11 has no os.setns: this calls libc's setns through ctypes."""
    name = _ns_name(ns)
    orig = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    try:
        target = os.open(f"/run/netns/{name}", os.O_RDONLY | os.O_CLOEXEC)
        try:
            _setns(target, name)
        finally:
            os.close(target)
        try:
            yield
        finally:
            _setns(orig, "original namespace")
    finally:
        os.close(orig)


def run(ns: Union[Namespace, str], *cmd: str, check: bool = True,
        timeout: Optional[float] = 60) -> "subprocess.CompletedProcess[str]":
    """Runs cmd inside namespace ns (``ip netns exec``); returns the
    CompletedProcess (text stdout/stderr). check: raise CommandError on a
    non-zero exit."""
    argv = ["ip", "netns", "exec", _ns_name(ns), *cmd]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if check:
        _check(argv, proc)
    return proc


def packet_socket(ns: Union[Namespace, str], ifname: str, proto: int = ETH_P_ALL) -> socket.socket:
    """An AF_PACKET socket bound to ifname inside namespace ns (proto 0:
    send only; ETH_P_ALL: also receives every frame of the interface)."""
    with enter(ns):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(proto))
        try:
            s.bind((ifname, proto))
        except BaseException:
            s.close()
            raise
    return s


def send_frames(ns: Union[Namespace, str], ifname: str, frames: Iterable[bytes]) -> int:
    """Sends raw Ethernet frames out of ifname in namespace ns (through an
    AF_PACKET socket created inside it); returns how many were sent."""
    n = 0
    with packet_socket(ns, ifname, 0) as s:
        for f in frames:
            s.send(f)
            n += 1
    return n


@contextlib.contextmanager
def make_netns_pair(prefix: str = "xkpy") -> Iterator[NetnsPair]:
    """Creates a :class:`NetnsPair` (see the ``netns_pair`` fixture) and
    deletes it on exit, whatever happens."""
    tag = f"{os.getpid() & 0xFFFF:04x}{next(_counter) & 0xFF:02x}{secrets.token_hex(2)}"
    a = Namespace(f"{prefix}{tag}a", f"xa{tag}", "02:00:00:77:00:01", "10.77.0.1")
    b = Namespace(f"{prefix}{tag}b", f"xb{tag}", "02:00:00:77:00:02", "10.77.0.2")
    pair = NetnsPair(a, b)
    try:
        _ip_batch([f"netns add {a.name}", f"netns add {b.name}"])
        for ns in (a, b):
            with enter(ns):
                # No IPv6 on the link: nothing but the test's own frames.
                for conf in ("all", "default"):
                    try:
                        with open(f"/proc/sys/net/ipv6/conf/{conf}/disable_ipv6", "w") as f:
                            f.write("1")
                    except FileNotFoundError:
                        pass  # IPv6 not built in
        _ip_batch([f"link add {a.ifname} netns {a.name} address {a.mac} type veth "
                   f"peer name {b.ifname} netns {b.name} address {b.mac}"])
        for me, peer in ((a, b), (b, a)):
            _ip_batch([
                f"addr add {me.ip}/24 dev {me.ifname}",
                "link set lo up",
                f"link set {me.ifname} up",
                f"neigh add {peer.ip} lladdr {peer.mac} dev {me.ifname} nud permanent",
            ], netns=me.name)
        yield pair
    finally:
        pair.close()


def require(ok: Any, reason: str) -> None:
    """Skips the calling test when ok is false, or fails it when the
    environment says CI=true (CI must run every test)."""
    if ok:
        return
    if os.environ.get("CI") == "true":
        raise AssertionError(f"{reason} (CI=true: this test must run)")
    if pytest is None:  # pragma: no cover
        raise RuntimeError(reason)
    pytest.skip(reason)


if pytest is not None:

    @pytest.fixture
    def netns_pair() -> Iterator[NetnsPair]:
        """Two network namespaces joined by a veth pair (see the module
        docstring); deleted after the test."""
        require(os.geteuid() == 0, "netns_pair needs root")
        with make_netns_pair() as pair:
            yield pair
