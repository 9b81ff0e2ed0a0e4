"""The ctypes layer: every export declared, struct layouts equal to C,
errno -> exception classes, the thread-local error message."""
from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
import subprocess
import sys
import threading

import pytest

import xdpkit
from xdpkit import _ffi
from xdpkit.errors import XdpkitError, error_from_errno
from xdpkit.testing import require

from _helpers import REPO

HEADER = REPO / "include" / "xdpkit.h"


def header_functions() -> set:
    text = HEADER.read_text()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return set(re.findall(r"\b(xdpkit_[a-z0-9_]+)\s*\(", text))


def test_every_header_function_is_declared():
    names = header_functions()
    assert len(names) > 80
    assert sorted(names - set(_ffi.SIGNATURES)) == []
    assert sorted(set(_ffi.SIGNATURES) - names) == []


def test_every_declaration_resolves_in_the_library():
    L = _ffi.lib()
    assert L.missing == []
    for name in _ffi.SIGNATURES:
        fn = getattr(L.dll, name)
        assert fn.argtypes is not None and (fn.restype is not None or
                                            _ffi.SIGNATURES[name][1] is None), name
    # every int-returning call but the infallible ones reports errors
    for name, (_, res) in _ffi.SIGNATURES.items():
        if res in (ctypes.c_int, ctypes.c_int64) and not name.startswith(("xdpkit_ring_", "xdpkit_version")):
            assert _ffi.ERROR_CHECKERS[name] is _ffi._check_errno, name


def test_library_path_and_version():
    assert os.path.exists(xdpkit.library_path())
    assert xdpkit.version() == (0, 1, 0)
    assert xdpkit.strerror(-errno.ENOENT) == os.strerror(errno.ENOENT)


def test_xdpkit_library_env_is_used_exclusively(tmp_path):
    code = "import xdpkit, sys; xdpkit.version()"
    env = dict(os.environ, XDPKIT_LIBRARY=str(tmp_path / "nope.so"))
    p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                       cwd=str(REPO / "bindings" / "python"))
    assert p.returncode != 0 and "cannot load libxdpkit.so" in p.stderr and "nope.so" in p.stderr


C_LAYOUT = r"""
#include <stdio.h>
#include <stddef.h>
#include <xdpkit.h>
#define S(t) printf(#t " %zu\n", sizeof(struct t))
#define O(t, f) printf(#t "." #f " %zu\n", offsetof(struct t, f))
int main(void) {
	S(xdpkit_desc); O(xdpkit_desc, len); O(xdpkit_desc, options);
	S(xdpkit_ring_prod); O(xdpkit_ring_prod, producer); O(xdpkit_ring_prod, flags);
	S(xdpkit_ring_cons);
	S(xdpkit_umem_config); O(xdpkit_umem_config, fill_size); O(xdpkit_umem_config, tx_metadata_len);
	S(xdpkit_socket_config); O(xdpkit_socket_config, bind_flags); O(xdpkit_socket_config, reserved);
	O(xdpkit_socket_config, flags); O(xdpkit_socket_config, max_tx_skb_budget);
	S(xdpkit_stats); O(xdpkit_stats, tx_ring_empty_descs);
	S(xdpkit_map_info); O(xdpkit_map_info, id); O(xdpkit_map_info, name);
	S(xdpkit_map_cursor); O(xdpkit_map_cursor, started); O(xdpkit_map_cursor, ended);
	return 0;
}
"""


def test_struct_layouts_match_c(tmp_path):
    cc = shutil.which("gcc") or shutil.which("cc")
    require(cc, "a C compiler is needed to compare struct layouts")
    src = tmp_path / "layout.c"
    src.write_text(C_LAYOUT)
    exe = tmp_path / "layout"
    subprocess.run([cc, "-std=c11", "-I", str(REPO / "include"), "-o", str(exe), str(src)], check=True)
    want = dict(line.rsplit(" ", 1) for line in subprocess.check_output([str(exe)], text=True).splitlines())
    for key, value in want.items():
        if "." in key:
            t, f = key.split(".")
            got = getattr(getattr(_ffi, t), f).offset
        else:
            got = ctypes.sizeof(getattr(_ffi, key))
        assert got == int(value), key


def test_config_structs_fill_in_their_size():
    for t in (_ffi.xdpkit_umem_config, _ffi.xdpkit_socket_config, _ffi.xdpkit_stats, _ffi.xdpkit_map_info):
        assert t().sz == ctypes.sizeof(t)


@pytest.mark.parametrize("err,builtin", [
    (errno.ENOENT, FileNotFoundError), (errno.EEXIST, FileExistsError), (errno.EPERM, PermissionError),
    (errno.EACCES, PermissionError), (errno.EAGAIN, BlockingIOError), (errno.EINTR, InterruptedError),
    (errno.ETIMEDOUT, TimeoutError), (errno.EINVAL, ValueError), (errno.EBADF, ValueError),
])
def test_errno_classes_follow_oserror(err, builtin):
    e = error_from_errno(-err, "detail")
    assert isinstance(e, XdpkitError) and isinstance(e, OSError) and isinstance(e, builtin)
    assert e.errno == err and e.strerror == "detail" and str(e) == f"[Errno {err}] detail"
    if builtin is not ValueError:
        assert type(OSError(err, "x")) is builtin  # the same mapping as OSError's own


def test_errno_without_subclass_and_default_message():
    e = error_from_errno(errno.E2BIG)
    assert type(e) is XdpkitError and e.errno == errno.E2BIG and e.strerror == os.strerror(errno.E2BIG)


def test_negative_return_raises_with_library_message():
    with pytest.raises(xdpkit.XdpkitClosedError) as ei:
        _ffi.lib().xdpkit_map_close(987654)
    assert ei.value.errno == errno.EBADF
    assert "xdpkit_map_close" in ei.value.strerror and "987654" in ei.value.strerror
    assert "987654" in xdpkit.last_error()


def test_errmsg_copies_and_truncates():
    L = _ffi.lib()
    with pytest.raises(XdpkitError):
        L.xdpkit_map_close(987655)
    msg = xdpkit.last_error().encode()
    buf = ctypes.create_string_buffer(len(msg) + 1)
    assert L.xdpkit_errmsg(buf, len(buf)) == len(msg) and buf.value == msg
    small = ctypes.create_string_buffer(8)
    with pytest.raises(XdpkitError) as ei:
        L.xdpkit_errmsg(small, 8)
    assert ei.value.errno == errno.ERANGE and small.value == msg[:7]


def test_last_error_is_per_thread():
    with pytest.raises(XdpkitError):
        _ffi.lib().xdpkit_map_close(987656)
    seen = []

    def other():
        seen.append(xdpkit.last_error())
        with pytest.raises(XdpkitError):
            _ffi.lib().xdpkit_map_close(111111)

    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert seen == [""]
    assert "987656" in xdpkit.last_error()


def test_ring_helpers_without_kernel_rings():
    L = _ffi.lib()
    addr = (3 << _ffi.XDPKIT_UNALIGNED_BUF_OFFSET_SHIFT) | 0x1000
    assert L.xdpkit_umem_addr_base(addr) == 0x1000
    assert L.xdpkit_umem_addr_offset(addr) == 3
    assert L.xdpkit_umem_addr(addr) == 0x1003
    area = ctypes.create_string_buffer(16)
    assert L.xdpkit_umem_data(area, 5) == ctypes.addressof(area) + 5
