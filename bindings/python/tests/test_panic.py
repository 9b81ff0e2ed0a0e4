"""A panic inside the library (injected with XDPKIT_TEST_PANIC=<Go export>)
surfaces as XdpkitError ENOTRECOVERABLE and the process carries on."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from _helpers import REPO

SCRIPT = r"""
import errno, gc, os, sys
import xdpkit

def fds():
    return len(os.listdir("/proc/self/fd"))

xdpkit.if_queues("lo")  # a first call into Go (its runtime opens a few fds of its own)
before = fds()
for attempt in range(2):
    try:
        {call}
    except xdpkit.XdpkitError as e:
        assert e.errno == errno.ENOTRECOVERABLE, e
        assert "panic" in e.strerror, e.strerror
        print("caught:", e.strerror)
    else:
        sys.exit("no error raised")
gc.collect()
assert fds() == before, (fds(), before)  # nothing half-made is left open
# Calls that do not panic: they work, or report the poisoned library.
try:
    with xdpkit.Map.create("hash", 4, 4, 4) as m:
        m[1] = 1
    print("later call: ok")
except xdpkit.XdpkitError as e:
    assert e.errno == errno.ENOTRECOVERABLE, e
    print("later call: poisoned")
print("process continues")
"""


@pytest.mark.parametrize("export,call", [
    ("xdpkitGoUmemCreate", "xdpkit.Umem(num_frames=16)"),
    ("xdpkitGoMapCreate", "xdpkit.Map.create('array', 4, 4, 1)"),
    ("xdpkitGoProgLoad", "xdpkit.Program.default(1)"),
])
def test_panic_becomes_enotrecoverable(export, call):
    env = dict(os.environ, XDPKIT_TEST_PANIC=export)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "bindings" / "python"), env.get("PYTHONPATH")]))
    p = subprocess.run([sys.executable, "-c", SCRIPT.replace("{call}", call)], env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.count("caught:") == 2 and "process continues" in p.stdout
