//! Raw FFI declarations for `libxdpkit.so`, written by hand from
//! `include/xdpkit.h` (ABI version `XDPKIT_0.1`).
//!
//! Everything here mirrors the C header one to one: the constants, the
//! `#[repr(C)]` structs and the `extern "C"` prototypes. The layout of each
//! struct is checked against the C compiler's by `tests/layout.rs`, and the
//! set of declared functions against the header's.
//!
//! Conventions of the C API (see the header):
//! - `int` functions return 0, a count or an fd on success and a negative
//!   errno on failure; [`xdpkit_last_error`] gives the calling thread's
//!   message of its last failure.
//! - Handles ([`xdpkit_umem`], [`xdpkit_socket`], [`xdpkit_prog`],
//!   [`xdpkit_link`]) are opaque.
//! - Config structs start with their size: fill `sz` with `size_of`.
//! - The ring structs [`xdpkit_ring_prod`] and [`xdpkit_ring_cons`] have
//!   libxdp's layout. The header's ring helpers are `static inline` in C;
//!   the library also exports a real copy of each, declared here, but a Rust
//!   binding should implement them natively over the shared memory (the
//!   safe `xdpkit` crate does).
//!
//! This crate links `libxdpkit.so` (see its build script for how the
//! library is found: `XDPKIT_LIB_DIR`, then pkg-config, then the
//! repository's `build/` directory).
#![no_std]
#![allow(non_camel_case_types)]

use core::ffi::{c_char, c_int, c_short, c_void};

// ---------------------------------------------------------------------
// Version

pub const XDPKIT_VERSION_MAJOR: u32 = 0;
pub const XDPKIT_VERSION_MINOR: u32 = 1;
pub const XDPKIT_VERSION_PATCH: u32 = 0;
pub const XDPKIT_VERSION: u32 = (XDPKIT_VERSION_MAJOR << 16) | (XDPKIT_VERSION_MINOR << 8) | XDPKIT_VERSION_PATCH;

// ---------------------------------------------------------------------
// Constants (kernel UAPI values)

pub const XDPKIT_BIND_COPY: u16 = 1 << 1;
pub const XDPKIT_BIND_ZEROCOPY: u16 = 1 << 2;
pub const XDPKIT_BIND_NEED_WAKEUP: u16 = 1 << 3;
pub const XDPKIT_BIND_SG: u16 = 1 << 4;

pub const XDPKIT_XDP_FLAGS_SKB_MODE: u32 = 1 << 1;
pub const XDPKIT_XDP_FLAGS_DRV_MODE: u32 = 1 << 2;
pub const XDPKIT_XDP_FLAGS_HW_MODE: u32 = 1 << 3;

pub const XDPKIT_LIBXDP_FLAGS_INHIBIT_PROG_LOAD: u32 = 1 << 0;

pub const XDPKIT_SOCKET_NO_RX: u32 = 1 << 0;
pub const XDPKIT_SOCKET_NO_TX: u32 = 1 << 1;

pub const XDPKIT_UMEM_UNALIGNED_CHUNK_FLAG: u32 = 1 << 0;
pub const XDPKIT_UMEM_TX_SW_CSUM: u32 = 1 << 1;
pub const XDPKIT_UMEM_TX_METADATA_LEN: u32 = 1 << 2;

pub const XDPKIT_PKT_CONTD: u32 = 1 << 0;

pub const XDPKIT_OPTIONS_ZEROCOPY: u32 = 1 << 0;

pub const XDPKIT_RING_NEED_WAKEUP: u32 = 1 << 0;

pub const XDPKIT_UNALIGNED_BUF_OFFSET_SHIFT: u32 = 48;
pub const XDPKIT_UNALIGNED_BUF_ADDR_MASK: u64 = (1u64 << XDPKIT_UNALIGNED_BUF_OFFSET_SHIFT) - 1;

pub const XDPKIT_DEFAULT_RING_SIZE: u32 = 2048;
pub const XDPKIT_DEFAULT_FRAME_SIZE: u32 = 4096;
pub const XDPKIT_DEFAULT_NUM_FRAMES: u32 = 4096;

pub const XDPKIT_XDP_FEATURE_BASIC: u64 = 1 << 0;
pub const XDPKIT_XDP_FEATURE_REDIRECT: u64 = 1 << 1;
pub const XDPKIT_XDP_FEATURE_NDO_XMIT: u64 = 1 << 2;
pub const XDPKIT_XDP_FEATURE_XSK_ZEROCOPY: u64 = 1 << 3;
pub const XDPKIT_XDP_FEATURE_HW_OFFLOAD: u64 = 1 << 4;
pub const XDPKIT_XDP_FEATURE_RX_SG: u64 = 1 << 5;
pub const XDPKIT_XDP_FEATURE_NDO_XMIT_SG: u64 = 1 << 6;
pub const XDPKIT_XSK_FEATURE_TX_TIMESTAMP: u64 = 1 << 0;
pub const XDPKIT_XSK_FEATURE_TX_CHECKSUM: u64 = 1 << 1;
pub const XDPKIT_XSK_FEATURE_TX_LAUNCH_TIME_FIFO: u64 = 1 << 2;

pub const XDPKIT_MAP_HASH: u32 = 1;
pub const XDPKIT_MAP_ARRAY: u32 = 2;
pub const XDPKIT_MAP_PERCPU_HASH: u32 = 5;
pub const XDPKIT_MAP_PERCPU_ARRAY: u32 = 6;
pub const XDPKIT_MAP_LRU_HASH: u32 = 9;
pub const XDPKIT_MAP_DEVMAP: u32 = 14;
pub const XDPKIT_MAP_CPUMAP: u32 = 16;
pub const XDPKIT_MAP_XSKMAP: u32 = 17;
pub const XDPKIT_MAP_QUEUE: u32 = 22;
pub const XDPKIT_MAP_STACK: u32 = 23;
pub const XDPKIT_MAP_DEVMAP_HASH: u32 = 25;

pub const XDPKIT_MAP_ANY: u64 = 0;
pub const XDPKIT_MAP_NOEXIST: u64 = 1;
pub const XDPKIT_MAP_EXIST: u64 = 2;

// ---------------------------------------------------------------------
// Descriptors and rings

/// An RX/TX descriptor, laid out as the kernel's `struct xdp_desc`.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct xdpkit_desc {
    pub addr: u64,
    pub len: u32,
    pub options: u32,
}

/// A producer ring (fill, TX) over kernel-shared memory; libxdp's
/// `struct xsk_ring_prod`.
#[repr(C)]
#[derive(Debug)]
pub struct xdpkit_ring_prod {
    pub cached_prod: u32,
    pub cached_cons: u32,
    pub mask: u32,
    pub size: u32,
    pub producer: *mut u32,
    pub consumer: *mut u32,
    pub ring: *mut c_void,
    pub flags: *mut u32,
}

/// A consumer ring (completion, RX) over kernel-shared memory; libxdp's
/// `struct xsk_ring_cons`.
#[repr(C)]
#[derive(Debug)]
pub struct xdpkit_ring_cons {
    pub cached_prod: u32,
    pub cached_cons: u32,
    pub mask: u32,
    pub size: u32,
    pub producer: *mut u32,
    pub consumer: *mut u32,
    pub ring: *mut c_void,
    pub flags: *mut u32,
}

impl xdpkit_ring_prod {
    /// An empty ring struct for the library to initialise.
    pub const fn zeroed() -> Self {
        Self {
            cached_prod: 0,
            cached_cons: 0,
            mask: 0,
            size: 0,
            producer: core::ptr::null_mut(),
            consumer: core::ptr::null_mut(),
            ring: core::ptr::null_mut(),
            flags: core::ptr::null_mut(),
        }
    }
}

impl xdpkit_ring_cons {
    /// An empty ring struct for the library to initialise.
    pub const fn zeroed() -> Self {
        Self {
            cached_prod: 0,
            cached_cons: 0,
            mask: 0,
            size: 0,
            producer: core::ptr::null_mut(),
            consumer: core::ptr::null_mut(),
            ring: core::ptr::null_mut(),
            flags: core::ptr::null_mut(),
        }
    }
}

// ---------------------------------------------------------------------
// Config structs

/// UMEM configuration; zero fields take the defaults. Set `sz`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct xdpkit_umem_config {
    pub sz: usize,
    pub fill_size: u32,
    pub comp_size: u32,
    pub frame_size: u32,
    pub frame_headroom: u32,
    pub flags: u32,
    pub tx_metadata_len: u32,
}

impl Default for xdpkit_umem_config {
    fn default() -> Self {
        Self {
            sz: core::mem::size_of::<Self>(),
            fill_size: 0,
            comp_size: 0,
            frame_size: 0,
            frame_headroom: 0,
            flags: 0,
            tx_metadata_len: 0,
        }
    }
}

/// Socket configuration; zero fields take the defaults. Set `sz`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct xdpkit_socket_config {
    pub sz: usize,
    pub rx_size: u32,
    pub tx_size: u32,
    pub libxdp_flags: u32,
    pub xdp_flags: u32,
    pub bind_flags: u16,
    pub reserved: u16,
    pub flags: u32,
    pub fill_size: u32,
    pub comp_size: u32,
    pub busy_poll_usecs: u32,
    pub busy_poll_budget: u32,
    pub prefer_busy_poll: u32,
    pub max_tx_skb_budget: u32,
}

impl Default for xdpkit_socket_config {
    fn default() -> Self {
        Self {
            sz: core::mem::size_of::<Self>(),
            rx_size: 0,
            tx_size: 0,
            libxdp_flags: 0,
            xdp_flags: 0,
            bind_flags: 0,
            reserved: 0,
            flags: 0,
            fill_size: 0,
            comp_size: 0,
            busy_poll_usecs: 0,
            busy_poll_budget: 0,
            prefer_busy_poll: 0,
            max_tx_skb_budget: 0,
        }
    }
}

/// Kernel `XDP_STATISTICS` of a socket. Set `sz`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct xdpkit_stats {
    pub sz: usize,
    pub rx_dropped: u64,
    pub rx_invalid_descs: u64,
    pub tx_invalid_descs: u64,
    pub rx_ring_full: u64,
    pub rx_fill_ring_empty_descs: u64,
    pub tx_ring_empty_descs: u64,
}

impl Default for xdpkit_stats {
    fn default() -> Self {
        Self {
            sz: core::mem::size_of::<Self>(),
            rx_dropped: 0,
            rx_invalid_descs: 0,
            tx_invalid_descs: 0,
            rx_ring_full: 0,
            rx_fill_ring_empty_descs: 0,
            tx_ring_empty_descs: 0,
        }
    }
}

/// What [`xdpkit_map_info()`] reports. Set `sz`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct xdpkit_map_info {
    pub sz: usize,
    pub type_: u32,
    pub key_size: u32,
    pub value_size: u32,
    pub max_entries: u32,
    pub flags: u32,
    pub id: u32,
    pub name: [c_char; 16],
}

impl Default for xdpkit_map_info {
    fn default() -> Self {
        Self {
            sz: core::mem::size_of::<Self>(),
            type_: 0,
            key_size: 0,
            value_size: 0,
            max_entries: 0,
            flags: 0,
            id: 0,
            name: [0; 16],
        }
    }
}

/// Position of a batch lookup; zero it to start from the beginning.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct xdpkit_map_cursor {
    pub token: [u8; 32],
    pub started: u32,
    pub ended: u32,
}

// ---------------------------------------------------------------------
// Opaque handles

/// Opaque UMEM handle.
#[repr(C)]
pub struct xdpkit_umem {
    _private: [u8; 0],
    _marker: core::marker::PhantomData<(*mut u8, core::marker::PhantomPinned)>,
}

/// Opaque socket handle.
#[repr(C)]
pub struct xdpkit_socket {
    _private: [u8; 0],
    _marker: core::marker::PhantomData<(*mut u8, core::marker::PhantomPinned)>,
}

/// Opaque XDP program handle.
#[repr(C)]
pub struct xdpkit_prog {
    _private: [u8; 0],
    _marker: core::marker::PhantomData<(*mut u8, core::marker::PhantomPinned)>,
}

/// Opaque frame pool handle (the free frames of a UMEM).
#[repr(C)]
pub struct xdpkit_frame_pool {
    _private: [u8; 0],
    _marker: core::marker::PhantomData<(*mut u8, core::marker::PhantomPinned)>,
}

/// Opaque bpf_link handle.
#[repr(C)]
pub struct xdpkit_link {
    _private: [u8; 0],
    _marker: core::marker::PhantomData<(*mut u8, core::marker::PhantomPinned)>,
}

// ---------------------------------------------------------------------
// Functions

extern "C" {
    // Version and errors
    pub fn xdpkit_version() -> c_int;
    pub fn xdpkit_strerror(err: c_int) -> *const c_char;
    pub fn xdpkit_last_error() -> *const c_char;
    pub fn xdpkit_errmsg(buf: *mut c_char, len: usize) -> c_int;

    // Exported copies of the inline ring helpers
    pub fn xdpkit_ring_fill_addr(fill: *mut xdpkit_ring_prod, idx: u32) -> *mut u64;
    pub fn xdpkit_ring_comp_addr(comp: *const xdpkit_ring_cons, idx: u32) -> *const u64;
    pub fn xdpkit_ring_tx_desc(tx: *mut xdpkit_ring_prod, idx: u32) -> *mut xdpkit_desc;
    pub fn xdpkit_ring_rx_desc(rx: *const xdpkit_ring_cons, idx: u32) -> *const xdpkit_desc;
    pub fn xdpkit_ring_prod_needs_wakeup(r: *const xdpkit_ring_prod) -> c_int;
    pub fn xdpkit_ring_prod_free(r: *mut xdpkit_ring_prod, nb: u32) -> u32;
    pub fn xdpkit_ring_cons_avail(r: *mut xdpkit_ring_cons, nb: u32) -> u32;
    pub fn xdpkit_ring_prod_reserve(prod: *mut xdpkit_ring_prod, nb: u32, idx: *mut u32) -> u32;
    pub fn xdpkit_ring_prod_submit(prod: *mut xdpkit_ring_prod, nb: u32);
    pub fn xdpkit_ring_prod_cancel(prod: *mut xdpkit_ring_prod, nb: u32);
    pub fn xdpkit_ring_cons_peek(cons: *mut xdpkit_ring_cons, nb: u32, idx: *mut u32) -> u32;
    pub fn xdpkit_ring_cons_cancel(cons: *mut xdpkit_ring_cons, nb: u32);
    pub fn xdpkit_ring_cons_release(cons: *mut xdpkit_ring_cons, nb: u32);
    pub fn xdpkit_umem_addr_base(addr: u64) -> u64;
    pub fn xdpkit_umem_addr_offset(addr: u64) -> u64;
    pub fn xdpkit_umem_addr(addr: u64) -> u64;
    pub fn xdpkit_umem_data(area: *mut c_void, addr: u64) -> *mut c_void;

    // UMEM
    pub fn xdpkit_umem_create(
        out: *mut *mut xdpkit_umem,
        area: *mut c_void,
        size: u64,
        fill: *mut xdpkit_ring_prod,
        comp: *mut xdpkit_ring_cons,
        cfg: *const xdpkit_umem_config,
    ) -> c_int;
    pub fn xdpkit_umem_create_with_fd(
        out: *mut *mut xdpkit_umem,
        fd: c_int,
        area: *mut c_void,
        size: u64,
        fill: *mut xdpkit_ring_prod,
        comp: *mut xdpkit_ring_cons,
        cfg: *const xdpkit_umem_config,
    ) -> c_int;
    pub fn xdpkit_umem_area(umem: *mut xdpkit_umem) -> *mut c_void;
    pub fn xdpkit_umem_size(umem: *mut xdpkit_umem) -> i64;
    pub fn xdpkit_umem_fd(umem: *mut xdpkit_umem) -> c_int;
    pub fn xdpkit_umem_fill_ring(umem: *mut xdpkit_umem) -> *mut xdpkit_ring_prod;
    pub fn xdpkit_umem_comp_ring(umem: *mut xdpkit_umem) -> *mut xdpkit_ring_cons;
    pub fn xdpkit_umem_delete(umem: *mut xdpkit_umem) -> c_int;

    // Sockets
    pub fn xdpkit_socket_create(
        out: *mut *mut xdpkit_socket,
        ifname: *const c_char,
        queue: u32,
        umem: *mut xdpkit_umem,
        rx: *mut xdpkit_ring_cons,
        tx: *mut xdpkit_ring_prod,
        cfg: *const xdpkit_socket_config,
    ) -> c_int;
    #[allow(clippy::too_many_arguments)]
    pub fn xdpkit_socket_create_shared(
        out: *mut *mut xdpkit_socket,
        ifname: *const c_char,
        queue: u32,
        umem: *mut xdpkit_umem,
        rx: *mut xdpkit_ring_cons,
        tx: *mut xdpkit_ring_prod,
        fill: *mut xdpkit_ring_prod,
        comp: *mut xdpkit_ring_cons,
        cfg: *const xdpkit_socket_config,
    ) -> c_int;
    pub fn xdpkit_socket_create_all_queues(
        out: *mut *mut xdpkit_socket,
        max: u32,
        ifname: *const c_char,
        umem: *mut xdpkit_umem,
        cfg: *const xdpkit_socket_config,
    ) -> c_int;
    pub fn xdpkit_socket_fd(sock: *mut xdpkit_socket) -> c_int;
    pub fn xdpkit_socket_rx_ring(sock: *mut xdpkit_socket) -> *mut xdpkit_ring_cons;
    pub fn xdpkit_socket_tx_ring(sock: *mut xdpkit_socket) -> *mut xdpkit_ring_prod;
    pub fn xdpkit_socket_fill_ring(sock: *mut xdpkit_socket) -> *mut xdpkit_ring_prod;
    pub fn xdpkit_socket_comp_ring(sock: *mut xdpkit_socket) -> *mut xdpkit_ring_cons;
    pub fn xdpkit_socket_delete(sock: *mut xdpkit_socket) -> c_int;
    pub fn xdpkit_socket_kick(sock: *mut xdpkit_socket) -> c_int;
    pub fn xdpkit_socket_wakeup_rx(sock: *mut xdpkit_socket) -> c_int;
    pub fn xdpkit_socket_poll(sock: *mut xdpkit_socket, events: c_short, timeout_ms: c_int) -> c_int;
    pub fn xdpkit_socket_stats(sock: *mut xdpkit_socket, stats: *mut xdpkit_stats) -> c_int;
    pub fn xdpkit_socket_options(sock: *mut xdpkit_socket, opts: *mut u32) -> c_int;
    pub fn xdpkit_socket_queue(sock: *mut xdpkit_socket) -> c_int;
    pub fn xdpkit_socket_ifindex(sock: *mut xdpkit_socket) -> c_int;
    pub fn xdpkit_socket_xdp_mode(sock: *mut xdpkit_socket) -> c_int;
    pub fn xdpkit_socket_prog_id(sock: *mut xdpkit_socket) -> c_int;

    // Batch calls
    pub fn xdpkit_rx_batch(sock: *mut xdpkit_socket, out: *mut xdpkit_desc, max: u32) -> c_int;
    pub fn xdpkit_tx_batch(sock: *mut xdpkit_socket, in_: *const xdpkit_desc, n: u32, kick: c_int) -> c_int;
    pub fn xdpkit_fill_batch(umem: *mut xdpkit_umem, addrs: *const u64, n: u32) -> c_int;
    pub fn xdpkit_comp_batch(umem: *mut xdpkit_umem, addrs: *mut u64, max: u32) -> c_int;
    pub fn xdpkit_socket_fill_batch(sock: *mut xdpkit_socket, addrs: *const u64, n: u32) -> c_int;
    pub fn xdpkit_socket_comp_batch(sock: *mut xdpkit_socket, addrs: *mut u64, max: u32) -> c_int;

    // Interfaces
    pub fn xdpkit_if_queues(ifname: *const c_char, rx: *mut u32, tx: *mut u32) -> c_int;
    pub fn xdpkit_if_index(ifname: *const c_char) -> c_int;
    pub fn xdpkit_if_xdp_features(
        ifname: *const c_char,
        features: *mut u64,
        zc_max_segs: *mut u32,
        xsk_features: *mut u64,
    ) -> c_int;

    // Frame pool
    pub fn xdpkit_pool_create(out: *mut *mut xdpkit_frame_pool, umem: *mut xdpkit_umem) -> c_int;
    pub fn xdpkit_pool_alloc(pool: *mut xdpkit_frame_pool, addrs: *mut u64, n: u32) -> c_int;
    pub fn xdpkit_pool_free(pool: *mut xdpkit_frame_pool, addrs: *const u64, n: u32) -> c_int;
    pub fn xdpkit_pool_count(pool: *mut xdpkit_frame_pool) -> c_int;
    pub fn xdpkit_umem_prefill(umem: *mut xdpkit_umem, pool: *mut xdpkit_frame_pool, n: u32) -> c_int;
    pub fn xdpkit_pool_delete(pool: *mut xdpkit_frame_pool) -> c_int;

    // Maps
    pub fn xdpkit_map_create(
        type_: u32,
        key_size: u32,
        value_size: u32,
        max_entries: u32,
        flags: u32,
        name: *const c_char,
    ) -> c_int;
    pub fn xdpkit_map_open_pinned(path: *const c_char) -> c_int;
    pub fn xdpkit_map_open_id(id: u32) -> c_int;
    pub fn xdpkit_map_pin(fd: c_int, path: *const c_char) -> c_int;
    pub fn xdpkit_map_unpin(path: *const c_char) -> c_int;
    pub fn xdpkit_map_close(fd: c_int) -> c_int;
    pub fn xdpkit_map_info(fd: c_int, info: *mut xdpkit_map_info) -> c_int;
    pub fn xdpkit_map_update(
        fd: c_int,
        key: *const c_void,
        key_size: u32,
        value: *const c_void,
        value_size: u32,
        flags: u64,
    ) -> c_int;
    pub fn xdpkit_map_lookup(
        fd: c_int,
        key: *const c_void,
        key_size: u32,
        value: *mut c_void,
        value_size: u32,
    ) -> c_int;
    pub fn xdpkit_map_delete(fd: c_int, key: *const c_void, key_size: u32) -> c_int;
    pub fn xdpkit_map_lookup_and_delete(
        fd: c_int,
        key: *const c_void,
        key_size: u32,
        value: *mut c_void,
        value_size: u32,
    ) -> c_int;
    pub fn xdpkit_map_next_key(fd: c_int, key: *const c_void, next: *mut c_void, key_size: u32) -> c_int;
    pub fn xdpkit_map_update_batch(
        fd: c_int,
        keys: *const c_void,
        values: *const c_void,
        count: u32,
        key_size: u32,
        value_size: u32,
        flags: u64,
    ) -> c_int;
    pub fn xdpkit_map_delete_batch(fd: c_int, keys: *const c_void, count: u32, key_size: u32) -> c_int;
    pub fn xdpkit_map_lookup_batch(
        fd: c_int,
        cursor: *mut xdpkit_map_cursor,
        keys: *mut c_void,
        values: *mut c_void,
        count: u32,
        key_size: u32,
        value_size: u32,
    ) -> c_int;

    // Typed maps
    pub fn xdpkit_xskmap_set(fd: c_int, queue: u32, sock: *mut xdpkit_socket) -> c_int;
    pub fn xdpkit_xskmap_clear(fd: c_int, queue: u32) -> c_int;
    pub fn xdpkit_socket_update_xskmap(sock: *mut xdpkit_socket, map_fd: c_int) -> c_int;
    pub fn xdpkit_cpumap_set(fd: c_int, cpu: u32, qsize: u32, prog_fd: c_int) -> c_int;
    pub fn xdpkit_cpumap_get(fd: c_int, cpu: u32, qsize: *mut u32, prog_id: *mut u32) -> c_int;
    pub fn xdpkit_devmap_set(fd: c_int, key: u32, ifindex: u32, prog_fd: c_int) -> c_int;
    pub fn xdpkit_devmap_get(fd: c_int, key: u32, ifindex: *mut u32, prog_id: *mut u32) -> c_int;
    pub fn xdpkit_queue_push(fd: c_int, value: *const c_void, value_size: u32, flags: u64) -> c_int;
    pub fn xdpkit_queue_peek(fd: c_int, value: *mut c_void, value_size: u32) -> c_int;
    pub fn xdpkit_queue_pop(fd: c_int, value: *mut c_void, value_size: u32) -> c_int;

    // XDP programs
    pub fn xdpkit_prog_load_file(out: *mut *mut xdpkit_prog, path: *const c_char, name: *const c_char) -> c_int;
    pub fn xdpkit_prog_load_default(out: *mut *mut xdpkit_prog, max_queues: u32) -> c_int;
    pub fn xdpkit_prog_fd(prog: *mut xdpkit_prog) -> c_int;
    pub fn xdpkit_prog_id(prog: *mut xdpkit_prog) -> c_int;
    pub fn xdpkit_prog_map_fd(prog: *mut xdpkit_prog, name: *const c_char) -> c_int;
    pub fn xdpkit_prog_attach(
        prog: *mut xdpkit_prog,
        ifname: *const c_char,
        xdp_flags: u32,
        out: *mut *mut xdpkit_link,
    ) -> c_int;
    pub fn xdpkit_link_mode(link: *mut xdpkit_link) -> c_int;
    pub fn xdpkit_link_detach(link: *mut xdpkit_link) -> c_int;
    pub fn xdpkit_prog_delete(prog: *mut xdpkit_prog) -> c_int;
}
