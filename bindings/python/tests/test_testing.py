"""The pytest plugin xdpkit.testing itself."""
from __future__ import annotations

import os
import socket
import subprocess
import threading
import time

import pytest

from xdpkit import testing
from xdpkit.frames import udp_frame
from xdpkit.testing import CommandError, enter, make_netns_pair, packet_socket, run, send_frames

from _helpers import REPO

PY_ROOT = REPO / "bindings" / "python"


def netns_inode() -> int:
    return os.stat("/proc/thread-self/ns/net").st_ino


def test_netns_pair_shape(netns_pair):
    a, b = netns_pair.a, netns_pair.b
    assert a.name != b.name and os.path.exists(f"/run/netns/{a.name}") and os.path.exists(f"/run/netns/{b.name}")
    assert len(a.ifname) <= 15 and len(b.ifname) <= 15
    for me, peer in ((a, b), (b, a)):
        link = run(me, "ip", "-o", "link", "show", me.ifname).stdout
        assert me.mac in link and "UP" in link and "veth" in run(me, "ip", "-d", "link", "show", me.ifname).stdout
        assert f"{me.ip}/24" in run(me, "ip", "-o", "-4", "addr", "show", me.ifname).stdout
        assert run(me, "ip", "-o", "-6", "addr").stdout.strip() == ""  # IPv6 off
        neigh = run(me, "ip", "neigh", "show", peer.ip).stdout
        assert peer.mac in neigh and "PERMANENT" in neigh
    # the root namespace has none of it
    assert a.ifname not in subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout


def test_traffic_and_ping(netns_pair):
    a, b = netns_pair.a, netns_pair.b
    before = a.stat("rx_packets")
    assert send_frames(b, b.ifname, [udp_frame(b.mac, a.mac, b.ip, a.ip, 64, seq=i) for i in range(3)]) == 3
    deadline = time.monotonic() + 2
    while a.stat("rx_packets") < before + 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert a.stat("rx_packets") == before + 3
    # addresses, routes and static neighbours: UDP across, no ARP needed
    with enter(b):
        rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        rx.bind((b.ip, 9999))
    with enter(a):
        tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    with rx, tx:
        rx.settimeout(2)
        tx.sendto(b"hello", (b.ip, 9999))
        data, src = rx.recvfrom(100)
        assert data == b"hello" and src[0] == a.ip


def test_packet_socket_receives_in_namespace(netns_pair):
    a, b = netns_pair.a, netns_pair.b
    frame = udp_frame(b.mac, a.mac, b.ip, a.ip, 80, seq=7)
    with packet_socket(a, a.ifname) as s:
        s.settimeout(2)
        send_frames(b, b.ifname, [frame])
        assert s.recv(2048) == frame


def test_enter_switches_only_this_thread(netns_pair):
    root = netns_inode()
    seen = {}
    go, done = threading.Event(), threading.Event()

    def other():  # started outside: stays outside
        go.wait()
        seen["other"] = netns_inode()
        done.set()

    t = threading.Thread(target=other)
    t.start()
    with enter(netns_pair.a):
        inside = netns_inode()
        assert inside != root
        assert socket.if_nametoindex(netns_pair.a.ifname) > 0
        go.set()
        done.wait(5)
        # a thread started inside starts in the namespace (clone inherits it)
        t2 = threading.Thread(target=lambda: seen.setdefault("child", netns_inode()))
        t2.start()
        t2.join()
        with enter(netns_pair.b.name):  # nests, by name too
            assert netns_inode() not in (root, inside)
        assert netns_inode() == inside
    t.join()
    assert netns_inode() == root and seen == {"other": root, "child": inside}


def test_enter_unknown_namespace_leaves_the_thread_alone():
    root = netns_inode()
    with pytest.raises(FileNotFoundError):
        with enter("xkpy-no-such-netns"):
            pass
    assert netns_inode() == root


def test_enter_restores_on_exception(netns_pair):
    root = netns_inode()
    with pytest.raises(RuntimeError):
        with enter(netns_pair.a):
            raise RuntimeError("boom")
    assert netns_inode() == root


def test_run_errors_carry_the_output(netns_pair):
    with pytest.raises(CommandError) as ei:
        run(netns_pair.a, "ip", "link", "show", "xknoif0")
    assert "xknoif0" in str(ei.value) and ei.value.returncode != 0
    assert run(netns_pair.a, "false", check=False).returncode == 1


def test_make_netns_pair_always_tears_down():
    with pytest.raises(RuntimeError):
        with make_netns_pair() as p:
            names = (p.a.name, p.b.name)
            raise RuntimeError("test failed")
    assert not any(os.path.exists(f"/run/netns/{n}") for n in names)


def test_require_skips_outside_ci_and_fails_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(AssertionError, match="CI=true"):
        testing.require(False, "no such feature")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        testing.require(False, "no such feature")
    testing.require(True, "fine")


INNER_TEST = '''
import os
pytest_plugins = ["xdpkit.testing"]

def test_uses_the_fixture(netns_pair):
    assert os.path.exists("/run/netns/" + netns_pair.a.name)
    assert netns_pair.a.ip == "10.77.0.1" and netns_pair.b.ip == "10.77.0.2"
'''


@pytest.mark.parametrize("extra_args", [[], ["-p", "xdpkit.testing"]])
def test_plugin_in_a_user_project(pytester, monkeypatch, extra_args):
    """A project enables the plugin with pytest_plugins; the entry point
    (simulated with -p, which registers it by the same name) may load it
    too without a double registration."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(PY_ROOT), os.environ.get("PYTHONPATH")])))
    pytester.makeconftest('pytest_plugins = ["xdpkit.testing"]\n')
    pytester.makepyfile(test_inner=INNER_TEST.replace('pytest_plugins = ["xdpkit.testing"]\n', ""))
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", *extra_args)
    result.assert_outcomes(passed=1)


def test_entry_point_is_declared():
    import tomllib

    meta = tomllib.loads((PY_ROOT / "pyproject.toml").read_text())
    assert meta["project"]["entry-points"]["pytest11"] == {"xdpkit.testing": "xdpkit.testing"}
    data = meta["tool"]["setuptools"]["package-data"]["xdpkit"]
    assert "py.typed" in data and "libxdpkit.so" in data
