"""Wheel tagging only (the metadata lives in pyproject.toml): when
xdpkit/libxdpkit.so has been copied in (`make python-wheel`), the wheel
carries a native library, so it is a platform wheel
(py3-none-linux_<arch>: any Python 3, this architecture) instead of a pure
one."""
import os

from setuptools import setup
from setuptools.dist import Distribution

HAS_LIB = os.path.exists(os.path.join(os.path.dirname(os.path.abspath(__file__)), "xdpkit", "libxdpkit.so"))


class BinaryDistribution(Distribution):
    def has_ext_modules(self):
        return HAS_LIB


cmdclass = {}
try:
    try:
        from setuptools.command.bdist_wheel import bdist_wheel
    except ImportError:
        from wheel.bdist_wheel import bdist_wheel

    class bdist_wheel_any_python(bdist_wheel):
        def get_tag(self):
            python, abi, plat = super().get_tag()
            if HAS_LIB:
                return "py3", "none", plat  # ctypes: no Python ABI involved
            return python, abi, plat

    cmdclass["bdist_wheel"] = bdist_wheel_any_python
except ImportError:
    pass

setup(distclass=BinaryDistribution, cmdclass=cmdclass)
