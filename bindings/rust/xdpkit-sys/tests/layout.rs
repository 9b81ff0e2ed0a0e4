//! The Rust declarations against the C header: sizes, alignments and
//! field offsets of every struct and the value of every constant (compared
//! with csrc/layout.c, compiled by the C compiler), and the set of
//! functions (compared with the header's prototypes).
#![cfg(xdpkit_layout)]

use std::collections::BTreeMap;
use std::ffi::{c_char, CStr};
use std::mem::{align_of, offset_of, size_of};

use xdpkit_sys::*;

#[repr(C)]
struct Entry {
    name: *const c_char,
    value: u64,
}

extern "C" {
    static xdpkit_sys_layout: [Entry; 0];
}

/// The C table: name -> value.
fn c_table() -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    // SAFETY: layout.c's table ends with a NULL name.
    unsafe {
        let mut p = xdpkit_sys_layout.as_ptr();
        while !(*p).name.is_null() {
            let name = CStr::from_ptr((*p).name).to_str().unwrap().to_owned();
            out.insert(name, (*p).value);
            p = p.add(1);
        }
    }
    out
}

macro_rules! layout {
    ($t:ident { $($f:ident $(= $cf:ident)?),* }) => {{
        let mut v: Vec<(String, u64)> = vec![
            (concat!("size ", stringify!($t)).into(), size_of::<$t>() as u64),
            (concat!("align ", stringify!($t)).into(), align_of::<$t>() as u64),
        ];
        $(
            #[allow(unused_mut, unused_assignments)]
            let mut cname = stringify!($f);
            $( cname = stringify!($cf); )?
            v.push((format!("offset {}.{}", stringify!($t), cname), offset_of!($t, $f) as u64));
        )*
        v
    }};
}

macro_rules! consts {
    ($($c:ident),* $(,)?) => {
        vec![$((concat!("const ", stringify!($c)).to_string(), $c as u64)),*]
    };
}

fn rust_table() -> Vec<(String, u64)> {
    let mut v = Vec::new();
    v.extend(layout!(xdpkit_desc { addr, len, options }));
    v.extend(layout!(xdpkit_ring_prod { cached_prod, cached_cons, mask, size, producer, consumer, ring, flags }));
    v.extend(layout!(xdpkit_ring_cons { cached_prod, cached_cons, mask, size, producer, consumer, ring, flags }));
    v.extend(layout!(xdpkit_umem_config {
        sz,
        fill_size,
        comp_size,
        frame_size,
        frame_headroom,
        flags,
        tx_metadata_len
    }));
    v.extend(layout!(xdpkit_socket_config {
        sz,
        rx_size,
        tx_size,
        libxdp_flags,
        xdp_flags,
        bind_flags,
        reserved,
        flags,
        fill_size,
        comp_size,
        busy_poll_usecs,
        busy_poll_budget,
        prefer_busy_poll,
        max_tx_skb_budget
    }));
    v.extend(layout!(xdpkit_stats {
        sz,
        rx_dropped,
        rx_invalid_descs,
        tx_invalid_descs,
        rx_ring_full,
        rx_fill_ring_empty_descs,
        tx_ring_empty_descs
    }));
    v.extend(layout!(xdpkit_map_info {
        sz, type_ = type, key_size, value_size, max_entries, flags, id, name
    }));
    v.extend(layout!(xdpkit_map_cursor { token, started, ended }));
    v.extend(consts!(
        XDPKIT_VERSION_MAJOR,
        XDPKIT_VERSION_MINOR,
        XDPKIT_VERSION_PATCH,
        XDPKIT_VERSION,
        XDPKIT_BIND_COPY,
        XDPKIT_BIND_ZEROCOPY,
        XDPKIT_BIND_NEED_WAKEUP,
        XDPKIT_BIND_SG,
        XDPKIT_XDP_FLAGS_SKB_MODE,
        XDPKIT_XDP_FLAGS_DRV_MODE,
        XDPKIT_XDP_FLAGS_HW_MODE,
        XDPKIT_LIBXDP_FLAGS_INHIBIT_PROG_LOAD,
        XDPKIT_SOCKET_NO_RX,
        XDPKIT_SOCKET_NO_TX,
        XDPKIT_UMEM_UNALIGNED_CHUNK_FLAG,
        XDPKIT_UMEM_TX_SW_CSUM,
        XDPKIT_UMEM_TX_METADATA_LEN,
        XDPKIT_PKT_CONTD,
        XDPKIT_OPTIONS_ZEROCOPY,
        XDPKIT_RING_NEED_WAKEUP,
        XDPKIT_UNALIGNED_BUF_OFFSET_SHIFT,
        XDPKIT_UNALIGNED_BUF_ADDR_MASK,
        XDPKIT_DEFAULT_RING_SIZE,
        XDPKIT_DEFAULT_FRAME_SIZE,
        XDPKIT_DEFAULT_NUM_FRAMES,
        XDPKIT_XDP_FEATURE_BASIC,
        XDPKIT_XDP_FEATURE_REDIRECT,
        XDPKIT_XDP_FEATURE_NDO_XMIT,
        XDPKIT_XDP_FEATURE_XSK_ZEROCOPY,
        XDPKIT_XDP_FEATURE_HW_OFFLOAD,
        XDPKIT_XDP_FEATURE_RX_SG,
        XDPKIT_XDP_FEATURE_NDO_XMIT_SG,
        XDPKIT_XSK_FEATURE_TX_TIMESTAMP,
        XDPKIT_XSK_FEATURE_TX_CHECKSUM,
        XDPKIT_XSK_FEATURE_TX_LAUNCH_TIME_FIFO,
        XDPKIT_MAP_HASH,
        XDPKIT_MAP_ARRAY,
        XDPKIT_MAP_PERCPU_HASH,
        XDPKIT_MAP_PERCPU_ARRAY,
        XDPKIT_MAP_LRU_HASH,
        XDPKIT_MAP_DEVMAP,
        XDPKIT_MAP_CPUMAP,
        XDPKIT_MAP_XSKMAP,
        XDPKIT_MAP_QUEUE,
        XDPKIT_MAP_STACK,
        XDPKIT_MAP_DEVMAP_HASH,
        XDPKIT_MAP_ANY,
        XDPKIT_MAP_NOEXIST,
        XDPKIT_MAP_EXIST,
    ));
    v
}

#[test]
fn layout_matches_c() {
    let c = c_table();
    let rust = rust_table();
    let mut bad = Vec::new();
    for (name, value) in &rust {
        match c.get(name) {
            Some(cv) if cv == value => {}
            Some(cv) => bad.push(format!("{name}: Rust {value}, C {cv}")),
            None => bad.push(format!("{name}: not in the C table")),
        }
    }
    for name in c.keys() {
        if !rust.iter().any(|(n, _)| n == name) {
            bad.push(format!("{name}: not checked on the Rust side"));
        }
    }
    assert!(bad.is_empty(), "layout mismatches:\n{}", bad.join("\n"));
    assert!(rust.len() > 90, "only {} entries compared", rust.len());
}

/// Every function of the header, referenced by name: a missing declaration
/// fails to compile, a missing entry here fails the test below.
macro_rules! functions {
    ($($f:ident),* $(,)?) => {
        vec![$((stringify!($f), $f as *const () as usize)),*]
    };
}

fn declared_functions() -> Vec<(&'static str, usize)> {
    functions!(
        xdpkit_version,
        xdpkit_strerror,
        xdpkit_last_error,
        xdpkit_errmsg,
        xdpkit_ring_fill_addr,
        xdpkit_ring_comp_addr,
        xdpkit_ring_tx_desc,
        xdpkit_ring_rx_desc,
        xdpkit_ring_prod_needs_wakeup,
        xdpkit_ring_prod_free,
        xdpkit_ring_cons_avail,
        xdpkit_ring_prod_reserve,
        xdpkit_ring_prod_submit,
        xdpkit_ring_prod_cancel,
        xdpkit_ring_cons_peek,
        xdpkit_ring_cons_cancel,
        xdpkit_ring_cons_release,
        xdpkit_umem_addr_base,
        xdpkit_umem_addr_offset,
        xdpkit_umem_addr,
        xdpkit_umem_data,
        xdpkit_umem_create,
        xdpkit_umem_create_with_fd,
        xdpkit_umem_area,
        xdpkit_umem_size,
        xdpkit_umem_fd,
        xdpkit_umem_fill_ring,
        xdpkit_umem_comp_ring,
        xdpkit_umem_delete,
        xdpkit_socket_create,
        xdpkit_socket_create_shared,
        xdpkit_socket_create_all_queues,
        xdpkit_socket_fd,
        xdpkit_socket_rx_ring,
        xdpkit_socket_tx_ring,
        xdpkit_socket_fill_ring,
        xdpkit_socket_comp_ring,
        xdpkit_socket_delete,
        xdpkit_socket_kick,
        xdpkit_socket_wakeup_rx,
        xdpkit_socket_poll,
        xdpkit_socket_stats,
        xdpkit_socket_options,
        xdpkit_socket_queue,
        xdpkit_socket_ifindex,
        xdpkit_socket_xdp_mode,
        xdpkit_socket_prog_id,
        xdpkit_rx_batch,
        xdpkit_tx_batch,
        xdpkit_fill_batch,
        xdpkit_comp_batch,
        xdpkit_socket_fill_batch,
        xdpkit_socket_comp_batch,
        xdpkit_if_queues,
        xdpkit_if_index,
        xdpkit_if_xdp_features,
        xdpkit_pool_create,
        xdpkit_pool_alloc,
        xdpkit_pool_free,
        xdpkit_pool_count,
        xdpkit_umem_prefill,
        xdpkit_pool_delete,
        xdpkit_map_create,
        xdpkit_map_open_pinned,
        xdpkit_map_open_id,
        xdpkit_map_pin,
        xdpkit_map_unpin,
        xdpkit_map_close,
        xdpkit_map_info,
        xdpkit_map_update,
        xdpkit_map_lookup,
        xdpkit_map_delete,
        xdpkit_map_lookup_and_delete,
        xdpkit_map_next_key,
        xdpkit_map_update_batch,
        xdpkit_map_delete_batch,
        xdpkit_map_lookup_batch,
        xdpkit_xskmap_set,
        xdpkit_xskmap_clear,
        xdpkit_socket_update_xskmap,
        xdpkit_cpumap_set,
        xdpkit_cpumap_get,
        xdpkit_devmap_set,
        xdpkit_devmap_get,
        xdpkit_queue_push,
        xdpkit_queue_peek,
        xdpkit_queue_pop,
        xdpkit_prog_load_file,
        xdpkit_prog_load_default,
        xdpkit_prog_fd,
        xdpkit_prog_id,
        xdpkit_prog_map_fd,
        xdpkit_prog_attach,
        xdpkit_link_mode,
        xdpkit_link_detach,
        xdpkit_prog_delete,
    )
}

/// The names of the functions xdpkit.h declares or defines: identifiers
/// `xdpkit_*` followed by `(`, outside comments.
fn header_functions() -> Vec<String> {
    let text = std::fs::read_to_string(env!("XDPKIT_SYS_HEADER")).unwrap();
    let mut code = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(i) = rest.find("/*") {
        code.push_str(&rest[..i]);
        let end = rest[i..].find("*/").expect("unterminated comment") + i + 2;
        code.push(' ');
        rest = &rest[end..];
    }
    code.push_str(rest);
    let bytes = code.as_bytes();
    let mut names = Vec::new();
    let mut i = 0;
    while let Some(off) = code[i..].find("xdpkit_") {
        let start = i + off;
        let mut end = start;
        while end < bytes.len()
            && (bytes[end].is_ascii_lowercase() || bytes[end].is_ascii_digit() || bytes[end] == b'_')
        {
            end += 1;
        }
        let ident_start = start == 0 || !(bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_');
        let mut j = end;
        while j < bytes.len() && bytes[j] == b' ' {
            j += 1;
        }
        if ident_start && j < bytes.len() && bytes[j] == b'(' {
            names.push(code[start..end].to_owned());
        }
        i = end.max(start + 1);
    }
    names.sort();
    names.dedup();
    names
}

#[test]
fn every_header_function_is_declared() {
    let header = header_functions();
    let mut rust: Vec<&str> = declared_functions()
        .iter()
        .map(|(n, addr)| {
            assert_ne!(*addr, 0, "{n} has no address");
            *n
        })
        .collect();
    rust.sort();
    rust.dedup();
    assert!(header.len() > 80, "parsed only {} functions from the header", header.len());
    let missing: Vec<_> = header.iter().filter(|h| !rust.contains(&h.as_str())).collect();
    let extra: Vec<_> = rust.iter().filter(|r| !header.iter().any(|h| h == *r)).collect();
    assert!(missing.is_empty() && extra.is_empty(), "missing in xdpkit-sys: {missing:?}; not in the header: {extra:?}");
}

#[test]
fn linked_library_version() {
    // SAFETY: no arguments; returns a constant.
    let v = unsafe { xdpkit_version() } as u32;
    assert_eq!(v >> 16, XDPKIT_VERSION_MAJOR, "library major version {v:#x}");
}
