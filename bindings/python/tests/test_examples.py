"""The Python examples (examples/python) run against real traffic in
namespaces, as `make demo` runs the C ones."""
from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest

from xdpkit.frames import udp_frame
from xdpkit.testing import packet_socket, send_frames

from _helpers import REPO

EXAMPLES = REPO / "examples" / "python"


def start(ns, script, *args, ready=None):
    """Starts an example inside ns; waits for its `ready` line."""
    p = subprocess.Popen(["ip", "netns", "exec", ns.name, sys.executable, str(EXAMPLES / script), *args],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    if ready:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            line = p.stdout.readline()
            if not line:
                break
            lines.append(line)
            if ready in line:
                return p, lines
        p.kill()
        pytest.fail(f"{script} did not start: {''.join(lines)}")
    return p, lines


def finish(p, lines, timeout=20):
    out, _ = p.communicate(timeout=timeout)
    text = "".join(lines) + out
    assert p.returncode == 0, text
    return text


def test_rxdrop_receives_from_txonly(netns_pair):
    a, b = netns_pair.a, netns_pair.b
    rx, lines = start(a, "rxdrop.py", "-i", a.ifname, "-m", "drv", "-c", "-d", "2.5", ready="receiving on")
    tx = subprocess.run(["ip", "netns", "exec", b.name, sys.executable, str(EXAMPLES / "txonly.py"),
                         "-i", b.ifname, "-c", "-d", "1", "-S", b.mac, "-D", a.mac, "-a", b.ip, "-b", a.ip],
                        capture_output=True, text=True, timeout=20)
    assert tx.returncode == 0, tx.stdout + tx.stderr
    sent = int(re.search(r"^txonly: sent (\d+) packets$", tx.stdout, re.M).group(1))
    text = finish(rx, lines)
    received = int(re.search(r"^rxdrop: received (\d+) packets$", text, re.M).group(1))
    assert sent > 1000 and 0 < received <= sent, text
    assert re.search(r"^rxdrop: +\d+ pps", text, re.M)


def test_l2fwd_sends_frames_back(netns_pair):
    a, b = netns_pair.a, netns_pair.b
    fwd, lines = start(a, "l2fwd.py", "-i", a.ifname, "-m", "drv", "-d", "1.5", ready="forwarding on")
    frames = [udp_frame(b.mac, a.mac, b.ip, a.ip, 64 + i, seq=i) for i in range(20)]
    with packet_socket(b, b.ifname) as cap:
        cap.settimeout(3)
        send_frames(b, b.ifname, frames)
        back = []
        while len(back) < 20:
            data, addr = cap.recvfrom(4096)
            if addr[2] != 4:  # not our own outgoing frames
                back.append(data)
    for sent, got in zip(frames, back):
        assert got[:6] == sent[6:12] and got[6:12] == sent[:6] and got[12:] == sent[12:]
    text = finish(fwd, lines)
    assert "l2fwd: forwarded 20 packets" in text, text


def test_cpumap_rr_spreads_frames(netns_pair):
    a, b = netns_pair.a, netns_pair.b
    p, lines = start(a, "cpumap_rr.py", "-i", a.ifname, "-m", "drv", "-d", "1", ready="redirecting")
    send_frames(b, b.ifname, [udp_frame(b.mac, a.mac, b.ip, a.ip, 64, seq=i) for i in range(40)])
    text = finish(p, lines)
    m = re.search(r"^cpumap_rr: (\d+) packets on CPUs (.*)$", text, re.M)
    assert m and int(m.group(1)) == 40, text
    counts = [int(x) for x in re.findall(r"\d+: (\d+)", m.group(2))]
    assert sum(counts) == 40 and len(set(counts)) == 1  # round robin: even


def test_queue_stack_tour_and_program(netns_pair):
    tour = subprocess.run([sys.executable, str(EXAMPLES / "queue_stack.py")], capture_output=True, text=True,
                          timeout=20)
    assert tour.returncode == 0, tour.stderr
    assert "Queue peek -> 1, pops -> [1, 2, 3]" in tour.stdout
    assert "Stack peek -> 3, pops -> [3, 2, 1]" in tour.stdout
    assert "EXIST -> [3, 4, 5]" in tour.stdout
    a, b = netns_pair.a, netns_pair.b
    p, lines = start(a, "queue_stack.py", "-i", a.ifname, "-m", "skb", "-d", "1.2", ready="counting")
    send_frames(b, b.ifname, [udp_frame(b.mac, a.mac, b.ip, a.ip, n) for n in (60, 70, 80)])
    text = finish(p, lines)
    assert "queue (oldest first): [60, 70, 80]  stack (newest first): [80, 70, 60]" in text, text
    assert "popped 3 frame lengths" in text
