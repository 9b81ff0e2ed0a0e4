"""The README's quick start runs as written (on the veth of a namespace)."""
from __future__ import annotations

import re
import threading

from xdpkit.frames import udp_frame
from xdpkit.testing import enter, send_frames

from _helpers import REPO

README = REPO / "bindings" / "python" / "README.md"


def quick_start() -> str:
    text = README.read_text()
    section = text.split("## Python quick start", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_quick_start_is_ten_lines():
    assert len(quick_start().strip().splitlines()) <= 10


def test_quick_start_runs(netns_pair, capsys):
    a, b = netns_pair.a, netns_pair.b
    code = (quick_start().replace('"eth0"', repr(a.ifname)).replace("while True:", "for _ in range(3):")
            .replace("timeout=1.0", "timeout=0.4"))
    frames = [udp_frame(b.mac, a.mac, b.ip, a.ip, n) for n in (64, 65, 66)]
    timer = threading.Timer(0.1, send_frames, (b, b.ifname, frames))
    timer.start()
    try:
        with enter(a):
            exec(compile(code, str(README), "exec"), {})
    finally:
        timer.join()
    out = capsys.readouterr().out.split()
    assert out[0::2] == ["64", "65", "66"]
    assert out[1] == frames[0][:14].hex()
