"""eBPF maps by file descriptor: generic dict-like access and the typed
helpers of XSKMAP, CPUMAP, DEVMAP(_HASH), QUEUE and STACK.

Keys and values are ``bytes``-like (exactly the map's size), ``int``
(packed into the map's size, native byte order) or ctypes objects
(``c_uint32(5)``, a Structure instance). Lookups return ``bytes`` unless
the map was given a ``key_type`` / ``value_type`` (``int``, a ctypes
type or any callable taking bytes)::

    m = Map.create(MapType.HASH, 4, 8, 1024).typed(key=int, value=int)
    m[1] = 42
    assert m[1] == 42 and 1 in m and list(m) == [1]

Errors carry the kernel's errno: a missing key raises
:class:`XdpkitKeyError` (both a ``KeyError`` and a ``FileNotFoundError``,
errno ENOENT), an existing one with ``NOEXIST`` ``FileExistsError``
(EEXIST), a full map ``XdpkitError`` E2BIG, a wrong key/value size
``XdpkitInvalidArgumentError`` (EINVAL, also a ``ValueError``), a closed
map ``XdpkitClosedError`` (EBADF, also a ``ValueError``).
"""
from __future__ import annotations

import ctypes
import errno
import os
import sys
from ctypes import byref, c_uint32
from dataclasses import dataclass
from enum import IntEnum
from typing import (Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Type,
                    TypeVar, Union, cast)

from . import _ffi
from ._ffi import XDPKIT_MAP_ANY, XDPKIT_MAP_EXIST, XDPKIT_MAP_NOEXIST, lib
from ._resource import Resource, State
from .errors import XdpkitError, XdpkitFileNotFoundError, error_from_errno

__all__ = [
    "MapType", "MapInfo", "Map", "PerCpuMap", "XskMap", "CpuMap", "DevMap", "Queue", "Stack",
    "XdpkitKeyError", "ANY", "NOEXIST", "EXIST", "possible_cpus",
]

ANY = XDPKIT_MAP_ANY
NOEXIST = XDPKIT_MAP_NOEXIST
EXIST = XDPKIT_MAP_EXIST


class MapType(IntEnum):
    """The kernel's BPF_MAP_TYPE_* values (any type works with Map)."""

    HASH = 1
    ARRAY = 2
    PROG_ARRAY = 3
    PERF_EVENT_ARRAY = 4
    PERCPU_HASH = 5
    PERCPU_ARRAY = 6
    LRU_HASH = 9
    LRU_PERCPU_HASH = 10
    LPM_TRIE = 11
    DEVMAP = 14
    CPUMAP = 16
    XSKMAP = 17
    QUEUE = 22
    STACK = 23
    DEVMAP_HASH = 25
    BLOOM_FILTER = 30


_PERCPU = {MapType.PERCPU_HASH, MapType.PERCPU_ARRAY, MapType.LRU_PERCPU_HASH}
_ARRAYS = {MapType.ARRAY, MapType.PERCPU_ARRAY}


class XdpkitKeyError(XdpkitFileNotFoundError, KeyError):
    """ENOENT for a key: no such key in the map. Catch it as KeyError,
    FileNotFoundError or XdpkitError."""


@dataclass(frozen=True)
class MapInfo:
    """What the kernel reports about a map."""

    type: Union[MapType, int]
    key_size: int
    value_size: int
    max_entries: int
    flags: int
    id: int
    name: str


def possible_cpus() -> int:
    """Number of possible CPUs (the per-CPU maps' value count)."""
    try:
        with open("/sys/devices/system/cpu/possible") as f:
            text = f.read().strip()
    except OSError:
        return os.cpu_count() or 1
    n = 0
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        n = max(n, int(hi or lo) + 1)
    return n


def _map_type(t: Union[MapType, int, str]) -> int:
    if isinstance(t, str):
        try:
            return MapType[t.upper()]
        except KeyError:
            raise error_from_errno(errno.EINVAL, f"unknown map type {t!r}") from None
    return int(t)


Conv = Optional[Callable[[bytes], Any]]


def _pack(obj: Any, size: int, what: str) -> bytes:
    """A key or value as bytes: bytes-like as is (the library checks the
    size), int packed into size bytes, ctypes objects by their memory."""
    if isinstance(obj, (bytes, bytearray, memoryview)):
        return bytes(obj)
    if isinstance(obj, int):
        if size <= 0:
            raise error_from_errno(errno.EINVAL, f"{what}: the map has no {what}s (size 0), got {obj}")
        try:
            return obj.to_bytes(size, sys.byteorder, signed=obj < 0)
        except OverflowError:
            raise error_from_errno(errno.EINVAL, f"{what} {obj} does not fit {size} bytes") from None
    if isinstance(obj, (ctypes._SimpleCData, ctypes.Structure, ctypes.Union, ctypes.Array)):
        return bytes(memoryview(obj).cast("B"))
    raise TypeError(f"{what} must be bytes, int or a ctypes object, not {type(obj).__name__}")


def _unpack(data: bytes, conv: Conv) -> Any:
    if conv is None or conv is bytes:
        return data
    if conv is int:
        return int.from_bytes(data, sys.byteorder)
    if isinstance(conv, type) and issubclass(conv, (ctypes._SimpleCData, ctypes.Structure,
                                                      ctypes.Union, ctypes.Array)):
        v = conv.from_buffer_copy(data)
        return v.value if isinstance(v, ctypes._SimpleCData) else v
    return cast(Callable[[bytes], Any], conv)(data)


class _MapState(State):
    kind = "Map"

    def __init__(self, fd: int, owned: bool, owner: Optional[State]) -> None:
        super().__init__()
        self.fd = fd
        self.owned = owned
        self.owner = owner  # the program whose map this is

    def _free(self) -> None:
        if self.owned and self.fd >= 0:
            lib().xdpkit_map_close(self.fd)
        self.fd = -1


M = TypeVar("M", bound="Map")


class Map(Resource):
    """An eBPF map, named by its fd. Get one with :meth:`create`,
    :meth:`pinned`, :meth:`from_id`, :meth:`from_fd` or
    :meth:`xdpkit.Program.map`; the class follows the map type (XskMap,
    CpuMap, DevMap, Queue, Stack, PerCpuMap, else Map).

    Maps made by create/pinned/from_id are closed by :meth:`close` (or
    when garbage collected); a program's maps and from_fd's belong to
    someone else and are only forgotten.

    Truth value: a Map object is always true (``bool(m)`` does not count
    entries; use ``len(m)``).
    """

    key_type: Conv = None
    value_type: Conv = None

    # -- construction ----------------------------------------------------------

    def __init__(self, fd: int, *, owned: bool = False, owner: Any = None,
                 _info: Optional[MapInfo] = None) -> None:
        """Wraps a map fd (use the class methods instead)."""
        self._owner_obj = owner  # keeps the owning program alive
        state = _MapState(fd, owned, owner._state if owner is not None else None)
        self._track(state)
        self._mstate = state
        try:
            info = _info or self._read_info(fd)
        except BaseException:
            self.close()
            raise
        self.type = info.type
        self.key_size = info.key_size
        self.value_size = info.value_size
        self.max_entries = info.max_entries
        self.name = info.name
        self._value_buf_size = self.value_size

    @staticmethod
    def _read_info(fd: int) -> MapInfo:
        i = _ffi.xdpkit_map_info()
        lib().xdpkit_map_info(fd, byref(i))
        try:
            t: Union[MapType, int] = MapType(i.type)
        except ValueError:
            t = i.type
        return MapInfo(t, i.key_size, i.value_size, i.max_entries, i.flags, i.id,
                       i.name.decode("utf-8", "replace"))

    @staticmethod
    def _wrap(cls: Type[M], fd: int, owned: bool, owner: Any = None) -> M:
        try:
            info = Map._read_info(fd)
        except BaseException:
            if owned:
                lib().xdpkit_map_close(fd)
            raise
        klass = _CLASSES.get(int(info.type), Map)
        if not issubclass(klass, cls):
            if owned:
                lib().xdpkit_map_close(fd)
            raise error_from_errno(errno.EINVAL, f"map {info.name!r} is a {info.type!r}, not a {cls.__name__}")
        return klass(fd, owned=owned, owner=owner, _info=info)  # type: ignore[return-value]

    @classmethod
    def create(cls, type: Union[MapType, int, str], key_size: int, value_size: int,
               max_entries: int, flags: int = 0, name: Optional[str] = None) -> "Map":
        """Creates a map (``xdpkit_map_create``). Keyless maps (QUEUE,
        STACK) take key_size 0. Returns the class of its type."""
        fd = lib().xdpkit_map_create(_map_type(type), key_size, value_size, max_entries, flags,
                                     name.encode() if name else None)
        return Map._wrap(Map, fd, True)

    @classmethod
    def pinned(cls: Type[M], path: Union[str, "os.PathLike[str]"]) -> M:
        """Opens a map pinned in bpffs."""
        fd = lib().xdpkit_map_open_pinned(os.fsencode(path))
        return Map._wrap(cls, fd, True)

    @classmethod
    def from_id(cls: Type[M], map_id: int) -> M:
        """Opens a map by its kernel id."""
        fd = lib().xdpkit_map_open_id(map_id)
        return Map._wrap(cls, fd, True)

    @classmethod
    def from_fd(cls: Type[M], fd: int) -> M:
        """Uses a map fd you own (it is never closed by this object)."""
        return Map._wrap(cls, int(fd), False)

    def typed(self: M, key: Conv = None, value: Conv = None) -> M:
        """Sets how keys and values read back are decoded (``int``, a
        ctypes type, a callable on bytes); returns the map."""
        self.key_type = key
        self.value_type = value
        return self

    # -- basics -------------------------------------------------------------------

    @property
    def fd(self) -> int:
        """The map's file descriptor."""
        st = self._mstate
        if st.closed or (st.owner is not None and st.owner.closed):
            raise _ffi.closed_error(type(self).__name__)
        return st.fd

    @property
    def info(self) -> MapInfo:
        """Type, sizes, flags, id and name, as the kernel reports them now."""
        return self._read_info(self.fd)

    @property
    def id(self) -> int:
        return self.info.id

    def pin(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Pins the map in bpffs (mounting /sys/fs/bpf when needed)."""
        lib().xdpkit_map_pin(self.fd, os.fsencode(path))

    @staticmethod
    def unpin(path: Union[str, "os.PathLike[str]"]) -> None:
        """Removes a pin."""
        lib().xdpkit_map_unpin(os.fsencode(path))

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        if self.closed:
            return f"<xdpkit.{type(self).__name__} closed>"
        t = self.type.name if isinstance(self.type, MapType) else self.type
        return (f"<xdpkit.{type(self).__name__} {self.name!r} {t} fd={self._mstate.fd} "
                f"key={self.key_size} value={self.value_size} max={self.max_entries}>")

    # -- conversions --------------------------------------------------------------

    def _key(self, key: Any) -> bytes:
        return _pack(key, self.key_size, "key")

    def _value(self, value: Any) -> bytes:
        return _pack(value, self.value_size, "value")

    def _decode_key(self, data: bytes) -> Any:
        return _unpack(data, self.key_type)

    def _decode_value(self, data: bytes) -> Any:
        return _unpack(data, self.value_type)

    # -- element operations ---------------------------------------------------------

    def update(self, key: Any, value: Any, flags: int = ANY) -> None:
        """Sets key to value; flags ANY, NOEXIST (EEXIST if present) or
        EXIST (ENOENT if absent)."""
        fd = self.fd
        k = self._key(key)
        v = self._value(value)
        try:
            lib().xdpkit_map_update(fd, k, len(k), v, len(v), flags)
        except XdpkitFileNotFoundError as e:
            raise _key_error(e) from None

    def lookup(self, key: Any) -> Any:
        """The value of key; XdpkitKeyError (ENOENT) when absent."""
        fd = self.fd
        k = self._key(key)
        buf = ctypes.create_string_buffer(self._value_buf_size)
        try:
            lib().xdpkit_map_lookup(fd, k, len(k), buf, self._value_buf_size)
        except XdpkitFileNotFoundError as e:
            raise _key_error(e) from None
        return self._decode_value(buf.raw)

    def get(self, key: Any, default: Any = None) -> Any:
        try:
            return self.lookup(key)
        except XdpkitKeyError:
            return default

    def delete(self, key: Any) -> None:
        """Deletes key; XdpkitKeyError (ENOENT) when absent."""
        fd = self.fd
        k = self._key(key)
        try:
            lib().xdpkit_map_delete(fd, k, len(k))
        except XdpkitFileNotFoundError as e:
            raise _key_error(e) from None

    def lookup_and_delete(self, key: Any) -> Any:
        """Reads key's value and deletes it in one step."""
        fd = self.fd
        k = self._key(key)
        buf = ctypes.create_string_buffer(self._value_buf_size)
        try:
            lib().xdpkit_map_lookup_and_delete(fd, k, len(k), buf, self._value_buf_size)
        except XdpkitFileNotFoundError as e:
            raise _key_error(e) from None
        return self._decode_value(buf.raw)

    def pop(self, key: Any, *default: Any) -> Any:
        """dict.pop: lookup_and_delete, or default when absent."""
        try:
            return self.lookup_and_delete(key)
        except XdpkitKeyError:
            if default:
                return default[0]
            raise

    def next_key(self, key: Any = None) -> Optional[Any]:
        """The key after key (the first for None); None after the last."""
        return self._next_key_raw(None if key is None else self._key(key), decode=True)

    def _next_key_raw(self, k: Optional[bytes], decode: bool = False) -> Any:
        fd = self.fd
        nxt = ctypes.create_string_buffer(max(self.key_size, 1))
        try:
            lib().xdpkit_map_next_key(fd, k, nxt, self.key_size)
        except XdpkitFileNotFoundError:
            return None
        raw = nxt.raw[:self.key_size]
        return self._decode_key(raw) if decode else raw

    def _raw_keys(self) -> Iterator[bytes]:
        k = self._next_key_raw(None)
        while k is not None:
            yield k
            k = self._next_key_raw(k)

    # -- dict protocol --------------------------------------------------------------

    def __getitem__(self, key: Any) -> Any:
        return self.lookup(key)

    def __setitem__(self, key: Any, value: Any) -> None:
        self.update(key, value, ANY)

    def __delitem__(self, key: Any) -> None:
        self.delete(key)

    def __contains__(self, key: Any) -> bool:
        try:
            self.lookup(key)
        except XdpkitKeyError:
            return False
        return True

    def __iter__(self) -> Iterator[Any]:
        """The keys (BPF_MAP_GET_NEXT_KEY). Deleting the current key while
        iterating a hash map may restart the walk, as in the kernel."""
        for k in self._raw_keys():
            yield self._decode_key(k)

    def keys(self) -> List[Any]:
        return list(self)

    def values(self) -> List[Any]:
        return [v for _, v in self.items()]

    def items(self) -> List[Tuple[Any, Any]]:
        """(key, value) of every entry; entries deleted meanwhile are skipped."""
        out = []
        for k in self._raw_keys():
            try:
                out.append((self._decode_key(k), self.lookup(k)))
            except XdpkitKeyError:
                continue
        return out

    def __len__(self) -> int:
        """Entries: max_entries for arrays, else counted by iteration."""
        if self.type in _ARRAYS:
            self.fd
            return self.max_entries
        return sum(1 for _ in self._raw_keys())

    def clear(self) -> None:
        """Deletes every key (hash-like maps)."""
        for k in list(self._raw_keys()):
            try:
                self.delete(k)
            except XdpkitKeyError:
                pass

    # -- batch operations ---------------------------------------------------------------

    def update_batch(self, keys: Sequence[Any], values: Sequence[Any], flags: int = ANY) -> int:
        """Updates len(keys) entries in one system call; returns how many
        were done. flags: ANY (or BPF_F_LOCK): the kernel refuses NOEXIST
        and EXIST here (EINVAL). EOPNOTSUPP for map types without batch
        support."""
        if len(keys) != len(values):
            raise error_from_errno(errno.EINVAL, f"update_batch: {len(keys)} keys but {len(values)} values")
        fd = self.fd
        kb = self._pack_all(keys, self._key, self.key_size, "key")
        vb = self._pack_all(values, self._value, self._value_buf_size, "value")
        return lib().xdpkit_map_update_batch(fd, kb, vb, len(keys), self.key_size,
                                             self._value_buf_size, flags)

    def delete_batch(self, keys: Sequence[Any]) -> int:
        """Deletes len(keys) entries in one system call; returns how many."""
        fd = self.fd
        kb = self._pack_all(keys, self._key, self.key_size, "key")
        try:
            return lib().xdpkit_map_delete_batch(fd, kb, len(keys), self.key_size)
        except XdpkitFileNotFoundError as e:
            raise _key_error(e) from None

    @staticmethod
    def _pack_all(items: Sequence[Any], pack: Callable[[Any], bytes], size: int, what: str) -> bytes:
        # The batch calls take count * size bytes: every item must be size
        # bytes exactly, or the library would read past the buffer.
        parts = [pack(x) for x in items]
        for i, p in enumerate(parts):
            if len(p) != size:
                raise error_from_errno(errno.EINVAL, f"batch {what} {i} is {len(p)} bytes, the map's is {size}")
        return b"".join(parts)

    def lookup_batch(self, count: int = 256) -> Iterator[Tuple[Any, Any]]:
        """Iterates (key, value) over the map, reading ``count`` entries
        per system call (BPF_MAP_LOOKUP_BATCH)."""
        fd = self.fd
        L = lib()
        ks, vs = self.key_size, self._value_buf_size
        cursor = _ffi.xdpkit_map_cursor()
        keys = ctypes.create_string_buffer(ks * count)
        values = ctypes.create_string_buffer(vs * count)
        while not cursor.ended:
            n = L.xdpkit_map_lookup_batch(fd, byref(cursor), keys, values, count, ks, vs)
            kraw, vraw = keys.raw, values.raw
            for i in range(n):
                yield (self._decode_key(kraw[i * ks:(i + 1) * ks]),
                       self._decode_value(vraw[i * vs:(i + 1) * vs]))
            if n == 0:
                break


def _key_error(e: XdpkitError) -> XdpkitKeyError:
    return XdpkitKeyError(e.errno, e.strerror)


class PerCpuMap(Map):
    """PERCPU_HASH / PERCPU_ARRAY / LRU_PERCPU_HASH: a value per possible
    CPU. Lookups return a list (one decoded value per CPU); updates take a
    list of values, one per CPU, or a single value stored on every CPU."""

    def __init__(self, fd: int, **kw: Any) -> None:
        super().__init__(fd, **kw)
        self.ncpus = possible_cpus()
        self._slot = (self.value_size + 7) & ~7
        self._value_buf_size = self._slot * self.ncpus

    def _value(self, value: Any) -> bytes:
        pad = b"\0" * (self._slot - self.value_size)
        if isinstance(value, (list, tuple)):
            if len(value) != self.ncpus:
                raise error_from_errno(errno.EINVAL, f"per-CPU value: {len(value)} values for {self.ncpus} CPUs")
            return b"".join(_pack(v, self.value_size, "value") + pad for v in value)
        one = _pack(value, self.value_size, "value")
        if len(one) == self._value_buf_size or len(one) != self.value_size:
            return one  # the whole per-CPU buffer, or a wrong size for the library to reject
        return (one + pad) * self.ncpus

    def _decode_value(self, data: bytes) -> Any:
        s, n = self._slot, self.value_size
        return [_unpack(data[i * s:i * s + n], self.value_type) for i in range(self.ncpus)]


class XskMap(Map):
    """XSKMAP: queue -> AF_XDP socket. ``m[queue] = sock`` or
    ``m.set(queue, sock)``; ``del m[queue]`` or ``m.clear(queue)``."""

    @classmethod
    def create(cls, max_entries: int = 64, name: Optional[str] = None) -> "XskMap":  # type: ignore[override]
        return Map.create(MapType.XSKMAP, 4, 4, max_entries, 0, name)  # type: ignore[return-value]

    def set(self, queue: int, sock: Any) -> None:
        """Stores sock (an :class:`xdpkit.Socket`) at queue."""
        lib().xdpkit_xskmap_set(self.fd, queue, sock._handle())

    def clear(self, queue: Optional[int] = None) -> None:  # type: ignore[override]
        """Removes the socket at queue (every entry when queue is None)."""
        if queue is None:
            for q in range(self.max_entries):
                lib().xdpkit_xskmap_clear(self.fd, q)
            return
        lib().xdpkit_xskmap_clear(self.fd, queue)

    def __setitem__(self, queue: Any, sock: Any) -> None:
        self.set(queue, sock)

    def __delitem__(self, queue: Any) -> None:
        self.clear(queue)


class CpuMap(Map):
    """CPUMAP (struct bpf_cpumap_val): cpu -> (qsize, program id).
    ``m.set(cpu, qsize, prog_fd)`` enables cpu (prog_fd: a Program loaded
    for CPUMAP, or its fd); ``m.get(cpu)`` -> (qsize, prog_id)."""

    @classmethod
    def create(cls, max_entries: Optional[int] = None, name: Optional[str] = None) -> "CpuMap":  # type: ignore[override]
        return Map.create(MapType.CPUMAP, 4, 8, max_entries or possible_cpus(), 0, name)  # type: ignore[return-value]

    def set(self, cpu: int, qsize: int, prog_fd: Any = None) -> None:
        """Enables cpu with a queue of qsize frames and, when prog_fd is a
        Program (or its fd), that program (loaded for CPUMAP) run there."""
        lib().xdpkit_cpumap_set(self.fd, cpu, qsize, _prog_fd(prog_fd))

    def get(self, cpu: int, default: Any = None) -> Any:  # type: ignore[override]
        """(qsize, prog_id) of cpu; default when the entry is empty."""
        try:
            return self[cpu]
        except XdpkitKeyError:
            return default

    def __getitem__(self, cpu: Any) -> Tuple[int, int]:
        q, p = c_uint32(), c_uint32()
        try:
            lib().xdpkit_cpumap_get(self.fd, cpu, byref(q), byref(p))
        except XdpkitFileNotFoundError as e:
            raise _key_error(e) from None
        return q.value, p.value

    def __setitem__(self, cpu: Any, value: Any) -> None:
        if isinstance(value, tuple):
            self.set(cpu, *value)
        else:
            self.set(cpu, value)


class DevMap(Map):
    """DEVMAP / DEVMAP_HASH (struct bpf_devmap_val): key -> (ifindex,
    program id). ``m.set(key, ifname_or_index, prog_fd=None)``."""

    @classmethod
    def create(cls, max_entries: int = 64, hash: bool = False,  # type: ignore[override]
               name: Optional[str] = None) -> "DevMap":
        t = MapType.DEVMAP_HASH if hash else MapType.DEVMAP
        return Map.create(t, 4, 8, max_entries, 0, name)  # type: ignore[return-value]

    def set(self, key: int, dev: Union[int, str], prog_fd: Any = None) -> None:
        """Sends key's frames to dev (an ifindex or a name), running
        prog_fd (a Program loaded for DEVMAP, or its fd) first if given."""
        ifindex = dev if isinstance(dev, int) else lib().xdpkit_if_index(dev.encode())
        lib().xdpkit_devmap_set(self.fd, key, ifindex, _prog_fd(prog_fd))

    def get(self, key: int, default: Any = None) -> Any:  # type: ignore[override]
        """(ifindex, prog_id) of key; default when absent."""
        try:
            return self[key]
        except XdpkitKeyError:
            return default

    def __getitem__(self, key: Any) -> Tuple[int, int]:
        i, p = c_uint32(), c_uint32()
        try:
            lib().xdpkit_devmap_get(self.fd, key, byref(i), byref(p))
        except XdpkitFileNotFoundError as e:
            raise _key_error(e) from None
        return i.value, p.value

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(value, tuple):
            self.set(key, *value)
        else:
            self.set(key, value)


class _Keyless(Map):
    """QUEUE and STACK: values without keys."""

    @classmethod
    def create(cls, value_size: int = 4, max_entries: int = 64, flags: int = 0,  # type: ignore[override]
               name: Optional[str] = None) -> Any:
        return Map.create(cls._TYPE, 0, value_size, max_entries, flags, name)

    _TYPE = MapType.QUEUE

    def push(self, value: Any, flags: int = ANY) -> None:
        """Adds value. A full map is E2BIG, unless flags is EXIST: then
        the oldest value is dropped to make room."""
        v = self._value(value)
        lib().xdpkit_queue_push(self.fd, v, len(v), flags)

    def peek(self) -> Any:
        """The next value without removing it; FileNotFoundError (ENOENT)
        when empty."""
        buf = ctypes.create_string_buffer(self.value_size)
        lib().xdpkit_queue_peek(self.fd, buf, self.value_size)
        return self._decode_value(buf.raw)

    def pop(self, *default: Any) -> Any:  # type: ignore[override]
        """Removes and returns the next value; FileNotFoundError (ENOENT)
        when empty, or default if given."""
        buf = ctypes.create_string_buffer(self.value_size)
        try:
            lib().xdpkit_queue_pop(self.fd, buf, self.value_size)
        except XdpkitFileNotFoundError:
            if default:
                return default[0]
            raise
        return self._decode_value(buf.raw)

    def drain(self) -> Iterator[Any]:
        """Pops values until the map is empty."""
        while True:
            try:
                yield self.pop()
            except XdpkitFileNotFoundError:
                return

    def __len__(self) -> int:
        raise TypeError(f"{type(self).__name__} maps cannot be counted without popping; use drain()")

    def __iter__(self) -> Iterator[Any]:
        raise TypeError(f"{type(self).__name__} maps have no keys; use pop() or drain()")


class Queue(_Keyless):
    """QUEUE map: FIFO. ``push``, ``peek``, ``pop``."""

    _TYPE = MapType.QUEUE


class Stack(_Keyless):
    """STACK map: LIFO. ``push``, ``peek``, ``pop``."""

    _TYPE = MapType.STACK


def _prog_fd(prog: Any) -> int:
    if prog is None:
        return 0
    if isinstance(prog, int):
        return prog
    return int(prog.fd)


_CLASSES: Dict[int, Type[Map]] = {
    MapType.XSKMAP: XskMap,
    MapType.CPUMAP: CpuMap,
    MapType.DEVMAP: DevMap,
    MapType.DEVMAP_HASH: DevMap,
    MapType.QUEUE: Queue,
    MapType.STACK: Stack,
    MapType.PERCPU_HASH: PerCpuMap,
    MapType.PERCPU_ARRAY: PerCpuMap,
    MapType.LRU_PERCPU_HASH: PerCpuMap,
}
