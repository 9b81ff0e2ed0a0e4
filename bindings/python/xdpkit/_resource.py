"""Lifetime of native resources: explicit close(), context managers and a
weakref.finalize safety net that frees each resource exactly once."""
from __future__ import annotations

import threading
import weakref
from typing import Any, Optional

from ._ffi import closed_error

# Serialises closing (never the data path): a socket's close may close its
# UMEM, a program's close invalidates its maps.
_LOCK = threading.RLock()


class State:
    """The native side of a Python object: everything needed to free it,
    and nothing that refers back to the object (so the finalizer can run
    after the object is gone)."""

    kind = "object"

    def __init__(self) -> None:
        self.closed = False

    def _free(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def close(self) -> None:
        """Frees the resource; raises on failure (and stays open then).
        A second call does nothing."""
        with _LOCK:
            if self.closed:
                return
            self._free()
            self.closed = True

    def finalize(self) -> None:
        """Garbage-collection path: frees the resource, never raises."""
        try:
            self.close()
        except Exception:
            pass


class Resource:
    """Base of the classes owning a native resource: close(), closed,
    ``with`` support and a finalizer for objects never closed."""

    _state: State
    _finalizer: Optional[weakref.finalize]

    def _track(self, state: State) -> None:
        self._state = state
        self._finalizer = weakref.finalize(self, state.finalize)

    def close(self) -> None:
        """Releases the resource now. Closing twice is harmless; every
        other method of a closed object raises XdpkitClosedError (EBADF,
        also a ValueError)."""
        state = self.__dict__.get("_state")
        if state is None:
            return
        state.close()
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None

    @property
    def closed(self) -> bool:
        state = self.__dict__.get("_state")
        return state is None or state.closed

    def _check_open(self) -> None:
        if self.closed:
            raise closed_error(type(self).__name__)

    def __enter__(self) -> Any:
        self._check_open()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
