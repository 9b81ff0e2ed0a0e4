"""XDP programs: load from an ELF object (or xdpkit's default AF_XDP
redirect program), attach through a bpf_link, reach their maps."""
from __future__ import annotations

import os
from ctypes import byref
from typing import Any, Optional, Union

from . import _ffi
from ._ffi import lib
from ._resource import Resource, State
from .maps import Map
from .xsk import xdp_mode_flags, xdp_mode_name

__all__ = ["Program", "Link"]


class _ProgState(State):
    kind = "Program"

    def __init__(self, handle: Any) -> None:
        super().__init__()
        self.handle = handle

    def _free(self) -> None:
        lib().xdpkit_prog_delete(self.handle)


class Program(Resource):
    """A loaded XDP program with its object's maps.

    Closing it unloads the program and closes its maps (the Map objects
    :meth:`map` gave then raise EBADF); links attached keep the program
    running until they are detached.
    """

    def __init__(self, handle: Any, path: Optional[str] = None) -> None:
        """Internal: use :meth:`load` or :meth:`default`."""
        self._track(_ProgState(handle))
        self.path = path

    @classmethod
    def load(cls, path: Union[str, "os.PathLike[str]"], name: Optional[str] = None) -> "Program":
        """Loads the ELF object at path with its maps and selects program
        name (a function or section name; None: the object's only XDP
        program). FileNotFoundError (ENOENT) when there is no such
        program."""
        h = _ffi.prog_p()
        lib().xdpkit_prog_load_file(byref(h), os.fsencode(path), name.encode() if name else None)
        return cls(h, os.fspath(path))

    @classmethod
    def default(cls, max_queues: int = 64) -> "Program":
        """xdpkit's default program (rx_queue_index -> xsks_map -> socket,
        else XDP_PASS), for managing it yourself: attach it, then store
        sockets in ``prog.map("xsks_map")`` (sockets made with
        ``program=False``)."""
        h = _ffi.prog_p()
        lib().xdpkit_prog_load_default(byref(h), max_queues)
        return cls(h)

    def _handle(self) -> Any:
        if self._state.closed:
            raise _ffi.closed_error("Program")
        return self._state.handle  # type: ignore[attr-defined]

    @property
    def fd(self) -> int:
        return lib().xdpkit_prog_fd(self._handle())

    @property
    def id(self) -> int:
        return lib().xdpkit_prog_id(self._handle())

    def map(self, name: str) -> Map:
        """The object's map called name (XskMap, CpuMap... by its type).
        It belongs to the program: closing the Map object does not close
        the map, closing the program does."""
        fd = lib().xdpkit_prog_map_fd(self._handle(), name.encode())
        return Map._wrap(Map, fd, False, owner=self)

    def attach(self, ifname: str, mode: Union[str, int, None] = "auto") -> "Link":
        """Attaches the program to ifname through a bpf_link; mode 'auto'
        (native, falling back to generic), 'skb', 'drv' or 'hw'. The link
        detaches on :meth:`Link.detach`, when garbage collected, and when
        the process exits."""
        out = _ffi.link_p()
        lib().xdpkit_prog_attach(self._handle(), ifname.encode(), xdp_mode_flags(mode), byref(out))
        return Link(out, self, ifname)

    def __repr__(self) -> str:
        if self.closed:
            return "<xdpkit.Program closed>"
        return f"<xdpkit.Program id={self.id} path={self.path!r}>"


class _LinkState(State):
    kind = "Link"

    def __init__(self, handle: Any) -> None:
        super().__init__()
        self.handle = handle

    def _free(self) -> None:
        lib().xdpkit_link_detach(self.handle)


class Link(Resource):
    """An attachment of a program to an interface (a bpf_link)."""

    def __init__(self, handle: Any, program: Program, ifname: str) -> None:
        self._track(_LinkState(handle))
        self.program = program
        self.ifname = ifname

    @property
    def mode(self) -> Optional[str]:
        """The mode the link attached in: 'skb', 'drv' or 'hw'."""
        if self._state.closed:
            raise _ffi.closed_error("Link")
        return xdp_mode_name(lib().xdpkit_link_mode(self._state.handle))  # type: ignore[attr-defined]

    def detach(self) -> None:
        """Detaches the program (same as close())."""
        self.close()

    def __repr__(self) -> str:
        if self.closed:
            return "<xdpkit.Link detached>"
        return f"<xdpkit.Link {self.ifname} mode={self.mode}>"
