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
    # Send once the socket is bound and its fill ring filled: right after
    # the quick start's fill line, from another thread (it enters B).
    fill_line = next(l for l in code.splitlines() if "sock.fill(" in l)
    code = code.replace(fill_line, fill_line + "\n    __send()", 1)
    sender = threading.Thread(target=send_frames, args=(b, b.ifname, frames))
    try:
        with enter(a):
            exec(compile(code, str(README), "exec"), {"__send": sender.start})
    finally:
        if sender.is_alive() or sender.ident is not None:
            sender.join()
    out = capsys.readouterr().out.split()
    assert out[0::2] == ["64", "65", "66"]
    assert out[1] == frames[0][:14].hex()
