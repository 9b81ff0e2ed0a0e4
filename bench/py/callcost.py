"""What one ctypes call into libxdpkit costs (make bench).

    python3 bench/py/callcost.py build/libxdpkit.so

Prints "pycost: NAME NS" lines, each the best of 5 timeit rounds:
xdpkit_version() (no arguments), xdpkit_umem_fd(umem) (one handle
argument) and xdpkit_comp_batch(umem, buf, 64) on an empty ring (three
arguments: the shape of a batch call, minus the descriptors), plus an
empty Python function call and a 64-element list comprehension for scale.
Needs root (it registers a small UMEM).
"""
import ctypes
import sys
import timeit


def best(stmt, setup_globals, number):
    t = min(timeit.repeat(stmt, globals=setup_globals, number=number, repeat=5))
    return t / number * 1e9


def main() -> int:
    lib = ctypes.CDLL(sys.argv[1])
    lib.xdpkit_version.restype = ctypes.c_int
    lib.xdpkit_version.argtypes = []
    lib.xdpkit_umem_create.restype = ctypes.c_int
    lib.xdpkit_umem_create.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p, ctypes.c_uint64,
                                       ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    lib.xdpkit_umem_fd.restype = ctypes.c_int
    lib.xdpkit_umem_fd.argtypes = [ctypes.c_void_p]
    lib.xdpkit_comp_batch.restype = ctypes.c_int
    lib.xdpkit_comp_batch.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint32]
    lib.xdpkit_umem_delete.restype = ctypes.c_int
    lib.xdpkit_umem_delete.argtypes = [ctypes.c_void_p]
    umem = ctypes.c_void_p()
    fill, comp = ctypes.create_string_buffer(64), ctypes.create_string_buffer(64)  # struct xdpkit_ring_*
    err = lib.xdpkit_umem_create(ctypes.byref(umem), None, 64 * 4096, fill, comp, None)
    if err:
        print(f"pycost: xdpkit_umem_create failed: {err}", file=sys.stderr)
        return 1
    buf = (ctypes.c_uint64 * 64)()
    version, umem_fd, comp_batch = lib.xdpkit_version, lib.xdpkit_umem_fd, lib.xdpkit_comp_batch

    def nothing():
        pass

    descs = [(i * 4096, 64) for i in range(64)]
    g = {"version": version, "umem_fd": umem_fd, "comp_batch": comp_batch, "umem": umem, "buf": buf,
         "nothing": nothing, "descs": descs}
    if umem_fd(umem) < 0 or comp_batch(umem, buf, 64) != 0:
        print("pycost: unexpected results from xdpkit_umem_fd / xdpkit_comp_batch", file=sys.stderr)
        return 1
    n = 300000
    print(f"pycost: ctypes_version {best('version()', g, n):.1f}")
    print(f"pycost: ctypes_umem_fd {best('umem_fd(umem)', g, n):.1f}")
    print(f"pycost: ctypes_comp_batch {best('comp_batch(umem, buf, 64)', g, n):.1f}")
    print(f"pycost: python_call {best('nothing()', g, n):.1f}")
    print(f"pycost: listcomp64 {best('[a for a, _ in descs]', g, n // 10):.1f}")
    print(f"pycost: python {sys.version.split()[0]}")
    lib.xdpkit_umem_delete(umem)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
