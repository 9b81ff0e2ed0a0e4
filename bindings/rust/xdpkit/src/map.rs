//! eBPF maps, named by their file descriptor.
use std::ffi::{c_void, CStr};
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::path::Path;

use xdpkit_sys as sys;

use crate::error::{check, cstring, Error, Result};
use crate::prog::Program;
use crate::socket::Socket;

/// A map type: the kernel's `BPF_MAP_TYPE_*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MapType {
    Hash,
    Array,
    PercpuHash,
    PercpuArray,
    LruHash,
    DevMap,
    CpuMap,
    XskMap,
    Queue,
    Stack,
    DevMapHash,
    /// Any other `BPF_MAP_TYPE_*` value.
    Other(u32),
}

impl MapType {
    /// The kernel's value.
    pub fn raw(self) -> u32 {
        match self {
            MapType::Hash => sys::XDPKIT_MAP_HASH,
            MapType::Array => sys::XDPKIT_MAP_ARRAY,
            MapType::PercpuHash => sys::XDPKIT_MAP_PERCPU_HASH,
            MapType::PercpuArray => sys::XDPKIT_MAP_PERCPU_ARRAY,
            MapType::LruHash => sys::XDPKIT_MAP_LRU_HASH,
            MapType::DevMap => sys::XDPKIT_MAP_DEVMAP,
            MapType::CpuMap => sys::XDPKIT_MAP_CPUMAP,
            MapType::XskMap => sys::XDPKIT_MAP_XSKMAP,
            MapType::Queue => sys::XDPKIT_MAP_QUEUE,
            MapType::Stack => sys::XDPKIT_MAP_STACK,
            MapType::DevMapHash => sys::XDPKIT_MAP_DEVMAP_HASH,
            MapType::Other(v) => v,
        }
    }

    /// The type of a kernel value.
    pub fn from_raw(v: u32) -> Self {
        match v {
            sys::XDPKIT_MAP_HASH => MapType::Hash,
            sys::XDPKIT_MAP_ARRAY => MapType::Array,
            sys::XDPKIT_MAP_PERCPU_HASH => MapType::PercpuHash,
            sys::XDPKIT_MAP_PERCPU_ARRAY => MapType::PercpuArray,
            sys::XDPKIT_MAP_LRU_HASH => MapType::LruHash,
            sys::XDPKIT_MAP_DEVMAP => MapType::DevMap,
            sys::XDPKIT_MAP_CPUMAP => MapType::CpuMap,
            sys::XDPKIT_MAP_XSKMAP => MapType::XskMap,
            sys::XDPKIT_MAP_QUEUE => MapType::Queue,
            sys::XDPKIT_MAP_STACK => MapType::Stack,
            sys::XDPKIT_MAP_DEVMAP_HASH => MapType::DevMapHash,
            v => MapType::Other(v),
        }
    }

    fn is_percpu(self) -> bool {
        matches!(self, MapType::PercpuHash | MapType::PercpuArray) || self.raw() == 10
        /* LRU_PERCPU_HASH */
    }
}

/// How [`Map::update`] treats existing keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum UpdateFlags {
    /// Create or replace (BPF_ANY).
    #[default]
    Any,
    /// Create only: `EEXIST` if the key exists (BPF_NOEXIST).
    NoExist,
    /// Replace only: `ENOENT` if the key is missing (BPF_EXIST).
    Exist,
}

impl UpdateFlags {
    fn raw(self) -> u64 {
        match self {
            UpdateFlags::Any => sys::XDPKIT_MAP_ANY,
            UpdateFlags::NoExist => sys::XDPKIT_MAP_NOEXIST,
            UpdateFlags::Exist => sys::XDPKIT_MAP_EXIST,
        }
    }
}

/// What the kernel says about a map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapInfo {
    pub map_type: MapType,
    pub key_size: u32,
    pub value_size: u32,
    pub max_entries: u32,
    /// BPF_F_* map flags.
    pub flags: u32,
    /// The kernel's map id.
    pub id: u32,
    pub name: String,
}

/// Number of possible CPUs (the per-CPU value count), from
/// /sys/devices/system/cpu/possible.
pub fn possible_cpus() -> Result<usize> {
    let text = std::fs::read_to_string("/sys/devices/system/cpu/possible").map_err(|e| {
        Error::new(e.raw_os_error().unwrap_or(libc::EIO), format!("xdpkit: reading possible CPUs: {e}"))
    })?;
    let mut n = 0;
    for part in text.trim().split(',') {
        let mut ends = part.splitn(2, '-').map(|s| s.trim().parse::<usize>());
        let bad = || Error::new(libc::EINVAL, format!("xdpkit: cannot parse possible CPUs {text:?}"));
        let lo = ends.next().ok_or_else(bad)?.map_err(|_| bad())?;
        let hi = match ends.next() {
            Some(v) => v.map_err(|_| bad())?,
            None => lo,
        };
        n += hi + 1 - lo;
    }
    Ok(n)
}

/// A map, by file descriptor. Maps made with [`Map::create`],
/// [`Map::open_pinned`] or [`Map::open_id`] are closed on drop; those of a
/// program ([`Program::map`]) come as a [`MapRef`] that borrows it.
///
/// Keys and values are byte slices of the map's sizes (a wrong size is
/// `EINVAL`); per-CPU maps take [`value_len`](Self::value_len) bytes.
pub struct Map {
    fd: RawFd,
    owned: bool,
    info: MapInfo,
    value_len: usize,
}

impl Map {
    fn from_fd(fd: RawFd, owned: bool) -> Result<Map> {
        let mut info = sys::xdpkit_map_info::default();
        // SAFETY: info valid with sz set.
        if let Err(e) = check(unsafe { sys::xdpkit_map_info(fd, &mut info) }) {
            if owned {
                // SAFETY: the library's fd, closed once.
                unsafe { sys::xdpkit_map_close(fd) };
            }
            return Err(e);
        }
        // SAFETY: the library NUL-terminates the name.
        let name = unsafe { CStr::from_ptr(info.name.as_ptr()) }.to_string_lossy().into_owned();
        let info = MapInfo {
            map_type: MapType::from_raw(info.type_),
            key_size: info.key_size,
            value_size: info.value_size,
            max_entries: info.max_entries,
            flags: info.flags,
            id: info.id,
            name,
        };
        let mut value_len = info.value_size as usize;
        if info.map_type.is_percpu() {
            value_len = value_len.next_multiple_of(8) * possible_cpus()?;
        }
        Ok(Map { fd, owned, info, value_len })
    }

    /// Creates a map. Keyless maps (QUEUE, STACK) take `key_size` 0;
    /// `name` (up to 15 bytes) may be `None`.
    pub fn create(
        map_type: MapType,
        key_size: u32,
        value_size: u32,
        max_entries: u32,
        flags: u32,
        name: Option<&str>,
    ) -> Result<Map> {
        let name = name.map(|n| cstring("map name", n)).transpose()?;
        // SAFETY: name is NULL or a C string.
        let fd = check(unsafe {
            sys::xdpkit_map_create(
                map_type.raw(),
                key_size,
                value_size,
                max_entries,
                flags,
                name.as_ref().map_or(std::ptr::null(), |n| n.as_ptr()),
            )
        })?;
        Map::from_fd(fd, true)
    }

    /// Opens a map pinned in bpffs.
    pub fn open_pinned(path: impl AsRef<Path>) -> Result<Map> {
        let p = path_cstring(path.as_ref())?;
        // SAFETY: C string.
        let fd = check(unsafe { sys::xdpkit_map_open_pinned(p.as_ptr()) })?;
        Map::from_fd(fd, true)
    }

    /// Opens a map by kernel id.
    pub fn open_id(id: u32) -> Result<Map> {
        // SAFETY: plain call.
        let fd = check(unsafe { sys::xdpkit_map_open_id(id) })?;
        Map::from_fd(fd, true)
    }

    /// Pins the map in bpffs (mounting bpffs at /sys/fs/bpf if needed).
    pub fn pin(&self, path: impl AsRef<Path>) -> Result<()> {
        let p = path_cstring(path.as_ref())?;
        // SAFETY: C string.
        check(unsafe { sys::xdpkit_map_pin(self.fd, p.as_ptr()) }).map(drop)
    }

    /// Removes a pin.
    pub fn unpin(path: impl AsRef<Path>) -> Result<()> {
        let p = path_cstring(path.as_ref())?;
        // SAFETY: C string.
        check(unsafe { sys::xdpkit_map_unpin(p.as_ptr()) }).map(drop)
    }

    /// Type, sizes, flags, id and name (as read when the map was opened).
    pub fn info(&self) -> &MapInfo {
        &self.info
    }

    /// The map's type.
    pub fn map_type(&self) -> MapType {
        self.info.map_type
    }

    /// Key size in bytes.
    pub fn key_size(&self) -> usize {
        self.info.key_size as usize
    }

    /// Value size in bytes as one call takes it (for per-CPU maps,
    /// `round_up(value_size, 8) * possible CPUs`).
    pub fn value_len(&self) -> usize {
        self.value_len
    }

    fn vsize(&self, v: usize) -> u32 {
        v.min(u32::MAX as usize) as u32
    }

    /// Sets `key` to `value`. Errors: `EINVAL` (wrong sizes), `EEXIST`
    /// (NoExist and the key exists), `ENOENT` (Exist and it does not),
    /// `E2BIG` or `ENOSPC` (full).
    pub fn update(&self, key: &[u8], value: &[u8], flags: UpdateFlags) -> Result<()> {
        // SAFETY: the slices are valid for their lengths, which are passed.
        check(unsafe {
            sys::xdpkit_map_update(
                self.fd,
                key.as_ptr().cast(),
                self.vsize(key.len()),
                value.as_ptr().cast(),
                self.vsize(value.len()),
                flags.raw(),
            )
        })
        .map(drop)
    }

    /// Reads the value of `key` into `value`. `ENOENT` when missing.
    pub fn lookup_into(&self, key: &[u8], value: &mut [u8]) -> Result<()> {
        // SAFETY: as in update().
        check(unsafe {
            sys::xdpkit_map_lookup(
                self.fd,
                key.as_ptr().cast(),
                self.vsize(key.len()),
                value.as_mut_ptr().cast(),
                self.vsize(value.len()),
            )
        })
        .map(drop)
    }

    /// The value of `key`. `ENOENT` when missing.
    pub fn lookup(&self, key: &[u8]) -> Result<Vec<u8>> {
        let mut v = vec![0; self.value_len];
        self.lookup_into(key, &mut v)?;
        Ok(v)
    }

    /// The value of `key`, `None` when missing.
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        match self.lookup(key) {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.errno() == libc::ENOENT => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Deletes `key`. `ENOENT` when missing.
    pub fn delete(&self, key: &[u8]) -> Result<()> {
        // SAFETY: as in update().
        check(unsafe { sys::xdpkit_map_delete(self.fd, key.as_ptr().cast(), self.vsize(key.len())) }).map(drop)
    }

    /// Reads and deletes the value of `key`. `ENOENT` when missing.
    pub fn lookup_and_delete(&self, key: &[u8]) -> Result<Vec<u8>> {
        let mut v = vec![0; self.value_len];
        // SAFETY: as in update().
        check(unsafe {
            sys::xdpkit_map_lookup_and_delete(
                self.fd,
                key.as_ptr().cast(),
                self.vsize(key.len()),
                v.as_mut_ptr().cast(),
                self.vsize(v.len()),
            )
        })?;
        Ok(v)
    }

    /// The key after `key` (`None`: the first key); `Ok(None)` after the
    /// last.
    pub fn next_key(&self, key: Option<&[u8]>) -> Result<Option<Vec<u8>>> {
        let mut next = vec![0; self.key_size()];
        if let Some(k) = key {
            if k.len() != next.len() {
                return Err(Error::new(
                    libc::EINVAL,
                    format!("xdpkit: key of {} bytes for a map with {}-byte keys", k.len(), next.len()),
                ));
            }
        }
        // SAFETY: key (when given) and next have key_size bytes.
        let ret = unsafe {
            sys::xdpkit_map_next_key(
                self.fd,
                key.map_or(std::ptr::null(), |k| k.as_ptr().cast::<c_void>()),
                next.as_mut_ptr().cast(),
                self.vsize(next.len()),
            )
        };
        match check(ret) {
            Ok(_) => Ok(Some(next)),
            Err(e) if e.errno() == libc::ENOENT => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The keys, in the kernel's order.
    pub fn keys(&self) -> Keys<'_> {
        Keys { map: self, last: None, done: false }
    }

    /// The entries (key, value), in the kernel's order. A key deleted
    /// between listing and lookup is skipped.
    pub fn iter(&self) -> impl Iterator<Item = Result<(Vec<u8>, Vec<u8>)>> + '_ {
        self.keys().filter_map(move |k| match k {
            Ok(k) => match self.get(&k) {
                Ok(Some(v)) => Some(Ok((k, v))),
                Ok(None) => None,
                Err(e) => Some(Err(e)),
            },
            Err(e) => Some(Err(e)),
        })
    }

    /// Sets many entries in one call: `keys` and `values` hold `count`
    /// packed keys and values. Returns the number set; `EOPNOTSUPP` for
    /// map types without batch support.
    pub fn update_batch(&self, keys: &[u8], values: &[u8], flags: UpdateFlags) -> Result<usize> {
        let (ks, vs) = (self.key_size(), self.value_len);
        if ks == 0 || vs == 0 || keys.len() % ks != 0 || values.len() % vs != 0 || keys.len() / ks != values.len() / vs
        {
            return Err(Error::new(libc::EINVAL, "xdpkit: update_batch: keys and values of different counts or sizes"));
        }
        let count = (keys.len() / ks) as u32;
        // SAFETY: count keys and values of the given sizes.
        check(unsafe {
            sys::xdpkit_map_update_batch(
                self.fd,
                keys.as_ptr().cast(),
                values.as_ptr().cast(),
                count,
                ks as u32,
                vs as u32,
                flags.raw(),
            )
        })
        .map(|n| n as usize)
    }
}

fn path_cstring(p: &Path) -> Result<std::ffi::CString> {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::CString::new(p.as_os_str().as_bytes())
        .map_err(|_| Error::new(libc::EINVAL, format!("xdpkit: path {p:?} contains a NUL byte")))
}

impl Drop for Map {
    fn drop(&mut self) {
        if self.owned {
            // SAFETY: a map fd the library created or opened, closed once.
            unsafe { sys::xdpkit_map_close(self.fd) };
        }
    }
}

impl AsRawFd for Map {
    fn as_raw_fd(&self) -> RawFd {
        self.fd
    }
}

impl AsFd for Map {
    fn as_fd(&self) -> BorrowedFd<'_> {
        // SAFETY: open while self (or, for a MapRef, its program) lives.
        unsafe { BorrowedFd::borrow_raw(self.fd) }
    }
}

impl AsRef<Map> for Map {
    fn as_ref(&self) -> &Map {
        self
    }
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Map").field("fd", &self.fd).field("info", &self.info).finish()
    }
}

/// A map that belongs to a [`Program`] (valid while the program is).
pub struct MapRef<'a> {
    map: Map,
    _prog: PhantomData<&'a Program>,
}

impl<'a> MapRef<'a> {
    pub(crate) fn new(fd: RawFd, _prog: &'a Program) -> Result<Self> {
        Ok(MapRef { map: Map::from_fd(fd, false)?, _prog: PhantomData })
    }
}

impl Deref for MapRef<'_> {
    type Target = Map;
    fn deref(&self) -> &Map {
        &self.map
    }
}

impl AsRef<Map> for MapRef<'_> {
    fn as_ref(&self) -> &Map {
        &self.map
    }
}

impl fmt::Debug for MapRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.map.fmt(f)
    }
}

/// The keys of a map ([`Map::keys`]).
#[derive(Debug)]
pub struct Keys<'a> {
    map: &'a Map,
    last: Option<Vec<u8>>,
    done: bool,
}

impl Iterator for Keys<'_> {
    type Item = Result<Vec<u8>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.map.next_key(self.last.as_deref()) {
            Ok(Some(k)) => {
                self.last = Some(k.clone());
                Some(Ok(k))
            }
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

macro_rules! typed_map {
    ($name:ident, $doc:literal) => {
        #[doc = $doc]
        ///
        /// `M` is [`Map`] for a map of its own or [`MapRef`] for a
        /// program's; the generic map calls are reachable through `Deref`.
        pub struct $name<M = Map>(M);

        impl<M: AsRef<Map>> Deref for $name<M> {
            type Target = Map;
            fn deref(&self) -> &Map {
                self.0.as_ref()
            }
        }

        impl<M: AsRef<Map>> AsRawFd for $name<M> {
            fn as_raw_fd(&self) -> RawFd {
                self.0.as_ref().as_raw_fd()
            }
        }

        impl<M: AsRef<Map>> AsFd for $name<M> {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.0.as_ref().as_fd()
            }
        }

        impl<M: AsRef<Map>> fmt::Debug for $name<M> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name)).field(self.0.as_ref()).finish()
            }
        }

        impl<M: AsRef<Map>> $name<M> {
            /// The map underneath.
            pub fn into_inner(self) -> M {
                self.0
            }
        }
    };
}

typed_map!(XskMap, "An XSKMAP: queue index -> AF_XDP socket.");
typed_map!(CpuMap, "A CPUMAP: CPU -> queue size and optional program (`struct bpf_cpumap_val`).");
typed_map!(DevMap, "A DEVMAP or DEVMAP_HASH: key -> ifindex and optional program (`struct bpf_devmap_val`).");
typed_map!(Queue, "A QUEUE map: push, then peek/pop the oldest value (FIFO).");
typed_map!(Stack, "A STACK map: push, then peek/pop the newest value (LIFO).");

fn prog_fd(prog: Option<&Program>) -> Result<i32> {
    prog.map_or(Ok(0), |p| p.fd())
}

impl XskMap<Map> {
    /// Creates an XSKMAP of `max_entries` queues.
    pub fn create(max_entries: u32) -> Result<Self> {
        Ok(XskMap(Map::create(MapType::XskMap, 4, 4, max_entries, 0, Some("xdpkit_xsks"))?))
    }
}

impl<M: AsRef<Map>> XskMap<M> {
    /// Checks that `map` is an XSKMAP.
    pub fn try_from_map(map: M) -> Result<Self> {
        let fd = map.as_ref().fd;
        let m = map.as_ref();
        if m.map_type() != MapType::XskMap {
            return Err(Error::new(libc::EINVAL, format!("xdpkit: map {fd} is a {:?}, not an XSKMAP", m.map_type())));
        }
        Ok(XskMap(map))
    }

    /// Stores `socket` at `queue`.
    pub fn set(&self, queue: u32, socket: &Socket) -> Result<()> {
        // SAFETY: live socket handle.
        check(unsafe { sys::xdpkit_xskmap_set(self.as_raw_fd(), queue, socket.handle()) }).map(drop)
    }

    /// Removes the entry at `queue` (`ENOENT` when empty).
    pub fn clear(&self, queue: u32) -> Result<()> {
        // SAFETY: plain call.
        check(unsafe { sys::xdpkit_xskmap_clear(self.as_raw_fd(), queue) }).map(drop)
    }
}

impl CpuMap<Map> {
    /// Creates a CPUMAP of `max_entries` CPUs.
    pub fn create(max_entries: u32) -> Result<Self> {
        Ok(CpuMap(Map::create(MapType::CpuMap, 4, 8, max_entries, 0, Some("xdpkit_cpus"))?))
    }
}

impl<M: AsRef<Map>> CpuMap<M> {
    /// Checks that `map` is a CPUMAP.
    pub fn try_from_map(map: M) -> Result<Self> {
        if map.as_ref().map_type() != MapType::CpuMap {
            return Err(Error::new(libc::EINVAL, "xdpkit: not a CPUMAP"));
        }
        Ok(CpuMap(map))
    }

    /// Enables `cpu` with a queue of `qsize` frames and, optionally, a
    /// program loaded for CPUMAP running on it.
    pub fn set(&self, cpu: u32, qsize: u32, prog: Option<&Program>) -> Result<()> {
        let pfd = prog_fd(prog)?;
        // SAFETY: plain call.
        check(unsafe { sys::xdpkit_cpumap_set(self.as_raw_fd(), cpu, qsize, pfd) }).map(drop)
    }

    /// The queue size of `cpu` and its program's id (`None`: none).
    pub fn get(&self, cpu: u32) -> Result<(u32, Option<u32>)> {
        let (mut q, mut id) = (0u32, 0u32);
        // SAFETY: valid out pointers.
        check(unsafe { sys::xdpkit_cpumap_get(self.as_raw_fd(), cpu, &mut q, &mut id) })?;
        Ok((q, (id != 0).then_some(id)))
    }

    /// Disables `cpu`.
    pub fn clear(&self, cpu: u32) -> Result<()> {
        self.delete(&cpu.to_ne_bytes())
    }
}

impl DevMap<Map> {
    /// Creates a DEVMAP (array of `max_entries`).
    pub fn create(max_entries: u32) -> Result<Self> {
        Ok(DevMap(Map::create(MapType::DevMap, 4, 8, max_entries, 0, Some("xdpkit_devs"))?))
    }

    /// Creates a DEVMAP_HASH (any u32 keys, up to `max_entries`).
    pub fn create_hash(max_entries: u32) -> Result<Self> {
        Ok(DevMap(Map::create(MapType::DevMapHash, 4, 8, max_entries, 0, Some("xdpkit_devh"))?))
    }
}

impl<M: AsRef<Map>> DevMap<M> {
    /// Checks that `map` is a DEVMAP or DEVMAP_HASH.
    pub fn try_from_map(map: M) -> Result<Self> {
        if !matches!(map.as_ref().map_type(), MapType::DevMap | MapType::DevMapHash) {
            return Err(Error::new(libc::EINVAL, "xdpkit: not a DEVMAP"));
        }
        Ok(DevMap(map))
    }

    /// Sets `key` to interface `ifindex`, optionally with a program loaded
    /// for DEVMAP.
    pub fn set(&self, key: u32, ifindex: u32, prog: Option<&Program>) -> Result<()> {
        let pfd = prog_fd(prog)?;
        // SAFETY: plain call.
        check(unsafe { sys::xdpkit_devmap_set(self.as_raw_fd(), key, ifindex, pfd) }).map(drop)
    }

    /// The ifindex of `key` and its program's id (`None`: none).
    pub fn get(&self, key: u32) -> Result<(u32, Option<u32>)> {
        let (mut ifindex, mut id) = (0u32, 0u32);
        // SAFETY: valid out pointers.
        check(unsafe { sys::xdpkit_devmap_get(self.as_raw_fd(), key, &mut ifindex, &mut id) })?;
        Ok((ifindex, (id != 0).then_some(id)))
    }

    /// Removes `key`.
    pub fn clear(&self, key: u32) -> Result<()> {
        self.delete(&key.to_ne_bytes())
    }
}

macro_rules! queue_ops {
    ($name:ident, $ty:expr, $label:literal, $order:literal) => {
        impl $name<Map> {
            #[doc = concat!("Creates a ", $label, " map of `max_entries` values of `value_size` bytes.")]
            pub fn create(value_size: u32, max_entries: u32) -> Result<Self> {
                Ok($name(Map::create($ty, 0, value_size, max_entries, 0, None)?))
            }
        }

        impl<M: AsRef<Map>> $name<M> {
            #[doc = concat!("Checks that `map` is a ", $label, " map.")]
            pub fn try_from_map(map: M) -> Result<Self> {
                if map.as_ref().map_type() != $ty {
                    return Err(Error::new(libc::EINVAL, concat!("xdpkit: not a ", $label, " map")));
                }
                Ok($name(map))
            }

            /// Pushes a value. A full map is `E2BIG`, unless `overwrite`
            /// (BPF_EXIST), which drops the oldest value to make room.
            pub fn push(&self, value: &[u8], overwrite: bool) -> Result<()> {
                let flags = if overwrite { sys::XDPKIT_MAP_EXIST } else { sys::XDPKIT_MAP_ANY };
                // SAFETY: value valid for its length.
                check(unsafe {
                    sys::xdpkit_queue_push(self.as_raw_fd(), value.as_ptr().cast(), value.len() as u32, flags)
                })
                .map(drop)
            }

            #[doc = concat!("Reads the ", $order, " value into `value` without removing it. `ENOENT` when empty.")]
            pub fn peek_into(&self, value: &mut [u8]) -> Result<()> {
                // SAFETY: value valid for its length.
                check(unsafe {
                    sys::xdpkit_queue_peek(self.as_raw_fd(), value.as_mut_ptr().cast(), value.len() as u32)
                })
                .map(drop)
            }

            #[doc = concat!("Removes the ", $order, " value into `value`. `ENOENT` when empty.")]
            pub fn pop_into(&self, value: &mut [u8]) -> Result<()> {
                // SAFETY: value valid for its length.
                check(unsafe { sys::xdpkit_queue_pop(self.as_raw_fd(), value.as_mut_ptr().cast(), value.len() as u32) })
                    .map(drop)
            }

            #[doc = concat!("The ", $order, " value, `None` when empty.")]
            pub fn peek(&self) -> Result<Option<Vec<u8>>> {
                let mut v = vec![0; self.value_len()];
                match self.peek_into(&mut v) {
                    Ok(()) => Ok(Some(v)),
                    Err(e) if e.errno() == libc::ENOENT => Ok(None),
                    Err(e) => Err(e),
                }
            }

            #[doc = concat!("Removes and returns the ", $order, " value, `None` when empty.")]
            pub fn pop(&self) -> Result<Option<Vec<u8>>> {
                let mut v = vec![0; self.value_len()];
                match self.pop_into(&mut v) {
                    Ok(()) => Ok(Some(v)),
                    Err(e) if e.errno() == libc::ENOENT => Ok(None),
                    Err(e) => Err(e),
                }
            }
        }
    };
}

queue_ops!(Queue, MapType::Queue, "QUEUE", "oldest");
queue_ops!(Stack, MapType::Stack, "STACK", "newest");
