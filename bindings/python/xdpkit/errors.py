"""Exceptions of xdpkit.

Every failure of the library is an :class:`XdpkitError`, a subclass of
:class:`OSError` carrying the errno and the library's detailed message
(``xdpkit_last_error()``). The concrete class follows the errno the way
``OSError(errno, msg)`` picks its subclass, so the usual idioms work::

    try:
        value = m[key]
    except KeyError:                 # dict-like map access: missing key
        ...
    try:
        q.pop()
    except FileNotFoundError:        # ENOENT: the queue is empty
        ...
    except xdpkit.XdpkitError as e:  # anything else from the library
        print(e.errno, e.strerror)

Two errnos also subclass :class:`ValueError`: ``EINVAL`` (a bad argument:
wrong size, ring size not a power of two, bad queue...) and ``EBADF``
(a closed or invalid object, as for a closed Python file).
"""
from __future__ import annotations

import errno as _errno
import os

__all__ = [
    "XdpkitError",
    "XdpkitInvalidArgumentError",
    "XdpkitClosedError",
    "XdpkitFileNotFoundError",
    "XdpkitFileExistsError",
    "XdpkitPermissionError",
    "XdpkitBlockingIOError",
    "XdpkitInterruptedError",
    "XdpkitTimeoutError",
    "XdpkitNotADirectoryError",
    "XdpkitIsADirectoryError",
    "XdpkitBrokenPipeError",
    "XdpkitConnectionResetError",
    "XdpkitConnectionRefusedError",
    "XdpkitConnectionAbortedError",
    "XdpkitProcessLookupError",
    "XdpkitChildProcessError",
    "error_from_errno",
]


class XdpkitError(OSError):
    """A failure reported by libxdpkit: ``errno`` and ``strerror`` (the
    library's detailed message, or the errno's text when it gave none)."""


class XdpkitInvalidArgumentError(XdpkitError, ValueError):
    """EINVAL: a bad argument (size, flags, ring size, queue...)."""


class XdpkitClosedError(XdpkitError, ValueError):
    """EBADF: the object (or the handle or fd it names) is closed or invalid."""


class XdpkitFileNotFoundError(XdpkitError, FileNotFoundError):
    """ENOENT: no such key / empty queue or stack / no such program or pin."""


class XdpkitFileExistsError(XdpkitError, FileExistsError):
    """EEXIST: the key exists (update with NOEXIST), the pin exists."""


class XdpkitPermissionError(XdpkitError, PermissionError):
    """EPERM / EACCES: a capability (CAP_NET_ADMIN, CAP_BPF) is missing."""


class XdpkitBlockingIOError(XdpkitError, BlockingIOError):
    """EAGAIN / EALREADY / EINPROGRESS."""


class XdpkitInterruptedError(XdpkitError, InterruptedError):
    """EINTR."""


class XdpkitTimeoutError(XdpkitError, TimeoutError):
    """ETIMEDOUT."""


class XdpkitNotADirectoryError(XdpkitError, NotADirectoryError):
    """ENOTDIR (pin paths)."""


class XdpkitIsADirectoryError(XdpkitError, IsADirectoryError):
    """EISDIR (pin paths)."""


class XdpkitBrokenPipeError(XdpkitError, BrokenPipeError):
    """EPIPE / ESHUTDOWN."""


class XdpkitConnectionResetError(XdpkitError, ConnectionResetError):
    """ECONNRESET."""


class XdpkitConnectionRefusedError(XdpkitError, ConnectionRefusedError):
    """ECONNREFUSED."""


class XdpkitConnectionAbortedError(XdpkitError, ConnectionAbortedError):
    """ECONNABORTED."""


class XdpkitProcessLookupError(XdpkitError, ProcessLookupError):
    """ESRCH."""


class XdpkitChildProcessError(XdpkitError, ChildProcessError):
    """ECHILD."""


# errno -> class; the OSError subclasses follow CPython's own table
# (Objects/exceptions.c), plus EINVAL and EBADF as ValueErrors.
_CLASSES: dict[int, type[XdpkitError]] = {
    _errno.EINVAL: XdpkitInvalidArgumentError,
    _errno.EBADF: XdpkitClosedError,
    _errno.ENOENT: XdpkitFileNotFoundError,
    _errno.EEXIST: XdpkitFileExistsError,
    _errno.EPERM: XdpkitPermissionError,
    _errno.EACCES: XdpkitPermissionError,
    _errno.EAGAIN: XdpkitBlockingIOError,
    _errno.EALREADY: XdpkitBlockingIOError,
    _errno.EINPROGRESS: XdpkitBlockingIOError,
    _errno.EINTR: XdpkitInterruptedError,
    _errno.ETIMEDOUT: XdpkitTimeoutError,
    _errno.ENOTDIR: XdpkitNotADirectoryError,
    _errno.EISDIR: XdpkitIsADirectoryError,
    _errno.EPIPE: XdpkitBrokenPipeError,
    _errno.ESHUTDOWN: XdpkitBrokenPipeError,
    _errno.ECONNRESET: XdpkitConnectionResetError,
    _errno.ECONNREFUSED: XdpkitConnectionRefusedError,
    _errno.ECONNABORTED: XdpkitConnectionAbortedError,
    _errno.ESRCH: XdpkitProcessLookupError,
    _errno.ECHILD: XdpkitChildProcessError,
}


def error_from_errno(err: int, message: str | None = None) -> XdpkitError:
    """The XdpkitError (of the errno's class) for errno ``err`` (either
    sign) with ``message``, or the errno's text when it is empty."""
    err = abs(int(err))
    if not message:
        message = os.strerror(err)
    return _CLASSES.get(err, XdpkitError)(err, message)
