//! Safe AF_XDP sockets, eBPF maps and XDP programs over `libxdpkit.so`.
//!
//! The control path (creating UMEMs, sockets, maps and programs) calls the
//! library; the data path does not. The four rings are implemented here,
//! natively, over the memory the kernel shares with user space, as libxdp
//! does in C: cached indices, all-or-nothing reserve, acquire loads of the
//! kernel's index and release stores of ours. No call crosses into the
//! library per packet.
//!
//! # Example: receive and recycle
//!
//! ```no_run
//! use xdpkit::{Socket, Umem, UmemConfig, UmemParts, XdpMode};
//!
//! # fn main() -> Result<(), xdpkit::Error> {
//! let UmemParts { umem, mut fill, frames: mut free, .. } = Umem::create(&UmemConfig::default())?;
//! let mut sock = Socket::builder("eth0").queue(0).mode(XdpMode::Drv).copy(true).need_wakeup(true).build(&umem)?;
//! let mut rx = sock.take_rx().expect("RX ring");
//! fill.fill(&mut free); // every frame to the kernel
//! let mut got = Vec::new();
//! loop {
//!     if rx.receive(&mut got, 64) == 0 {
//!         if fill.needs_wakeup() { sock.wakeup_rx()?; }
//!         sock.poll(libc::POLLIN, Some(std::time::Duration::from_millis(100)))?;
//!         continue;
//!     }
//!     for f in &got {
//!         println!("{} bytes: {:02x?}", f.len(), &umem.frame(f)[..14]);
//!     }
//!     fill.fill(&mut got); // and back
//! }
//! # }
//! ```
//!
//! # Safety model
//!
//! The UMEM is memory shared with the kernel: it writes received packets
//! into frames on the fill ring and reads frames on the TX ring until
//! they complete. xdpkit makes data races on it, and use of a frame after
//! giving it away, impossible in safe code:
//!
//! - **Frames are ownership tokens.** A [`Frame`] stands for one chunk of
//!   the UMEM that is in user space's hands. [`Umem::create`] makes one per
//!   chunk; putting a frame on the fill or TX ring *moves* the token in;
//!   taking one from the RX or completion ring makes a new token. `Frame`
//!   is neither `Clone` nor `Copy`, chunks of distinct tokens never
//!   overlap, and a token is checked against the UMEM it came from (a
//!   frame of another UMEM panics). So the data of a frame
//!   ([`Umem::frame`], [`Umem::frame_mut`]) is never written by the kernel
//!   or aliased while borrowed. Dropping a token only leaks its chunk.
//! - **Batches borrow their ring.** [`RxRing::peek`] and
//!   [`CompRing::peek`] return `#[must_use]` guards that borrow the ring
//!   mutably; on drop they release the entries taken (by iterating) and put
//!   back the others. [`RxBatch::data`] reads a packet in place, borrowing
//!   the batch, so it cannot be used after the entry is released.
//!   [`FillRing::reserve`] and [`TxRing::reserve`] reserve all-or-nothing;
//!   their guards submit on `commit()` and cancel on drop. The simple
//!   calls [`RxRing::receive`], [`TxRing::send`], [`FillRing::fill`] and
//!   [`CompRing::complete`] move whole `Vec<Frame>`s.
//! - **Handles live as long as their users.** [`Umem`] is an `Arc`; every
//!   socket and ring holds one, so the UMEM is deleted after the last
//!   socket using it whatever the drop order, and a [`Socket`] is closed
//!   when it and its rings are gone. Handles cannot be used after close or
//!   closed twice: they are owned values whose `Drop` frees them once.
//! - **One thread per ring.** Each ring is its own object (`Send`,
//!   methods on `&mut self`), so the borrow checker enforces libxdp's rule.
//! - **The escape hatches are `unsafe`.** Raw addresses
//!   ([`FillBatch::push_addr`], [`TxBatch::push_desc`],
//!   [`Umem::frame_at`], [`Umem::frame_from_addr`]) bypass the tokens; their
//!   contracts are documented on each.
//!
//! The compiler enforces these; each of the following fails to build:
//!
//! ```compile_fail,E0505
//! # fn f(umem: &xdpkit::Umem, tx: &mut xdpkit::TxRing, frame: xdpkit::Frame) {
//! let data = umem.frame(&frame);
//! let mut batch = tx.reserve(1).unwrap();
//! batch.push(frame).unwrap(); // given away while its data is borrowed
//! println!("{data:?}");
//! # }
//! ```
//!
//! ```compile_fail,E0382
//! # fn f(umem: &xdpkit::Umem, fill: &mut xdpkit::FillRing, frame: xdpkit::Frame) {
//! let mut batch = fill.reserve(1).unwrap();
//! batch.push(frame).unwrap();
//! let data = umem.frame(&frame); // used after it went to the kernel
//! # }
//! ```
//!
//! ```compile_fail,E0599
//! # fn f(frame: xdpkit::Frame) {
//! let copy = frame.clone(); // frames are unique: no Clone
//! # }
//! ```
//!
//! ```compile_fail,E0499
//! # fn f(rx: &mut xdpkit::RxRing) {
//! let a = rx.peek(64);
//! let b = rx.peek(64); // one batch per ring at a time
//! # drop(a);
//! # }
//! ```
//!
//! What the types cannot see: the kernel is trusted to return only the
//! addresses it was given (it checks them), and a frame given to the kernel
//! stays there until it comes back (a socket closed with frames on its
//! rings leaks them, which is safe).
//!
//! # Errors
//!
//! Every fallible call returns [`Error`]: the errno and the message the
//! library left for the calling thread. It converts into
//! [`std::io::Error`] (`from_raw_os_error`) with `?`.
#![warn(missing_debug_implementations)]

mod error;
mod map;
mod prog;
mod ring;
mod socket;
mod umem;

pub use error::{strerror, Error, Result};
pub use map::{possible_cpus, CpuMap, DevMap, Keys, Map, MapInfo, MapRef, MapType, Queue, Stack, UpdateFlags, XskMap};
pub use prog::{Link, Program};
pub use ring::{CompBatch, CompRing, Desc, FillBatch, FillRing, RxBatch, RxRing, TxBatch, TxRing};
pub use socket::{Socket, SocketBuilder, Stats, XdpMode};
pub use umem::{Frame, Umem, UmemConfig, UmemParts};

/// The raw bindings.
pub use xdpkit_sys as sys;

use error::{check, cstring};

/// The loaded library's version (major, minor, patch).
pub fn version() -> (u32, u32, u32) {
    // SAFETY: plain call.
    let v = unsafe { sys::xdpkit_version() } as u32;
    (v >> 16, (v >> 8) & 0xff, v & 0xff)
}

/// The index of interface `ifname` (`ENODEV` when there is none).
pub fn if_index(ifname: &str) -> Result<u32> {
    let n = cstring("interface name", ifname)?;
    // SAFETY: C string.
    check(unsafe { sys::xdpkit_if_index(n.as_ptr()) }).map(|i| i as u32)
}

/// The active (RX, TX) queue counts of interface `ifname`.
pub fn if_queues(ifname: &str) -> Result<(u32, u32)> {
    let n = cstring("interface name", ifname)?;
    let (mut rx, mut tx) = (0u32, 0u32);
    // SAFETY: C string, valid out pointers.
    check(unsafe { sys::xdpkit_if_queues(n.as_ptr(), &mut rx, &mut tx) })?;
    Ok((rx, tx))
}

/// XDP features of an interface (netdev netlink, kernel 6.3+).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct XdpFeatures {
    /// `XDPKIT_XDP_FEATURE_*` bits.
    pub features: u64,
    /// Zero-copy fragment limit.
    pub zc_max_segs: u32,
    /// `XDPKIT_XSK_FEATURE_*` bits (TX metadata).
    pub xsk_features: u64,
}

impl XdpFeatures {
    /// Whether the driver does AF_XDP zero-copy.
    pub fn zerocopy(&self) -> bool {
        self.features & sys::XDPKIT_XDP_FEATURE_XSK_ZEROCOPY != 0
    }
}

/// The XDP features of interface `ifname`.
pub fn if_xdp_features(ifname: &str) -> Result<XdpFeatures> {
    let n = cstring("interface name", ifname)?;
    let mut f = XdpFeatures::default();
    // SAFETY: C string, valid out pointers.
    check(unsafe {
        sys::xdpkit_if_xdp_features(n.as_ptr(), &mut f.features, &mut f.zc_max_segs, &mut f.xsk_features)
    })?;
    Ok(f)
}
