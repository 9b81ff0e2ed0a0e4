"""libxdpkit.so and Python's multiprocessing, through plain ctypes.

Independent of bindings/python: the library is loaded with ctypes.CDLL
from $XDPKIT_LIBRARY (default: build/libxdpkit.so.0 of this checkout).

 - spawn and forkserver: each worker is a fresh interpreter (exec), loads
   the library and uses it (version, and a BPF map when root) while the
   parent has the library loaded and in use too;
 - fork: a child forked from a parent that loaded the library gets
   -ECHILD from every call that would enter the library's Go runtime, at
   once and with a message naming fork (the library's fork guard), while
   xdpkit_version still works: it does not hang.

Every wait is bounded. Runs under pytest or as `python3 test_spawn.py`.
"""

import ctypes
import errno
import multiprocessing as mp
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LIB = os.environ.get("XDPKIT_LIBRARY") or os.path.join(HERE, "..", "..", "build", "libxdpkit.so.0")
TIMEOUT = 60
XDPKIT_MAP_HASH = 1


def load():
    lib = ctypes.CDLL(os.path.abspath(LIB))
    lib.xdpkit_version.restype = ctypes.c_int
    lib.xdpkit_last_error.restype = ctypes.c_char_p
    lib.xdpkit_map_create.restype = ctypes.c_int
    lib.xdpkit_map_create.argtypes = [ctypes.c_uint32] * 5 + [ctypes.c_char_p]
    lib.xdpkit_map_close.argtypes = [ctypes.c_int]
    lib.xdpkit_if_index.argtypes = [ctypes.c_char_p]
    return lib


def use(lib):
    """Calls into the library; returns (version, map result, message)."""
    version = lib.xdpkit_version()
    if os.geteuid() != 0:
        r = lib.xdpkit_if_index(b"lo")  # needs no privilege
        return version, r, lib.xdpkit_last_error().decode()
    fd = lib.xdpkit_map_create(XDPKIT_MAP_HASH, 4, 8, 16, 0, b"py_embed")
    msg = lib.xdpkit_last_error().decode()
    if fd >= 0:
        lib.xdpkit_map_close(fd)
    return version, fd, msg


def worker(_):
    return (os.getpid(),) + use(load())


def check_fresh_workers(method):
    parent = load()
    pv, pr, pmsg = use(parent)  # the parent's Go runtime is up and used
    assert pv == 0x000100 and pr >= 0, (pv, pr, pmsg)
    ctx = mp.get_context(method)
    with ctx.Pool(2) as pool:
        results = pool.map_async(worker, range(4)).get(timeout=TIMEOUT)
    assert len(results) == 4
    for pid, version, r, msg in results:
        assert pid != os.getpid()
        assert version == 0x000100, version
        assert r >= 0, f"{method} worker {pid}: {r} ({msg})"
    return results


def test_spawn_workers_use_the_library():
    check_fresh_workers("spawn")


def test_forkserver_workers_use_the_library():
    check_fresh_workers("forkserver")


def forked_child(conn):
    lib = load()  # already loaded: the parent's copy, inherited by fork
    version = lib.xdpkit_version()
    r = lib.xdpkit_map_create(XDPKIT_MAP_HASH, 4, 8, 16, 0, b"forked")
    msg = lib.xdpkit_last_error().decode()
    q = lib.xdpkit_if_index(b"lo")
    conn.send((version, r, msg, q))
    conn.close()


def test_fork_child_gets_echild_not_a_hang():
    lib = load()
    use(lib)
    ctx = mp.get_context("fork")
    parent_conn, child_conn = ctx.Pipe()
    p = ctx.Process(target=forked_child, args=(child_conn,))
    p.start()
    child_conn.close()
    try:
        assert parent_conn.poll(TIMEOUT), "the forked child did not answer: a call hangs"
        version, r, msg, q = parent_conn.recv()
    finally:
        p.join(TIMEOUT)
        if p.is_alive():
            p.kill()
            p.join()
    assert p.exitcode == 0, p.exitcode
    assert version == 0x000100
    assert r == -errno.ECHILD and "fork" in msg, (r, msg)
    assert q == -errno.ECHILD, q
    # The parent is unaffected.
    assert use(lib)[1] >= 0 or os.geteuid() != 0


if __name__ == "__main__":
    failed = 0
    for name, fn in sorted(globals().items()):
        if name.startswith("test_") and callable(fn):
            try:
                fn()
                print("ok", name)
            except Exception as e:  # noqa: BLE001 - report and go on
                failed += 1
                print("FAIL", name + ":", repr(e))
    print(f"{failed} failed")
    sys.exit(1 if failed else 0)
