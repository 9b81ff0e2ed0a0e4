//! AF_XDP sockets.
use std::cell::UnsafeCell;
use std::fmt;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::ptr::NonNull;
use std::sync::Arc;
use std::time::Duration;

use xdpkit_sys as sys;

use crate::error::{check, cstring, Error, Result};
use crate::map::{Map, XskMap};
use crate::ring::{CompRing, FillRing, RxRing, TxRing};
use crate::umem::Umem;

/// Where an XDP program runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum XdpMode {
    /// Native (driver) mode, falling back to generic mode.
    #[default]
    Auto,
    /// Generic (skb) mode.
    Skb,
    /// Native (driver) mode.
    Drv,
    /// Offloaded to the NIC.
    Hw,
}

impl XdpMode {
    /// The `XDPKIT_XDP_FLAGS_*_MODE` bit (0 for `Auto`).
    pub fn flags(self) -> u32 {
        match self {
            XdpMode::Auto => 0,
            XdpMode::Skb => sys::XDPKIT_XDP_FLAGS_SKB_MODE,
            XdpMode::Drv => sys::XDPKIT_XDP_FLAGS_DRV_MODE,
            XdpMode::Hw => sys::XDPKIT_XDP_FLAGS_HW_MODE,
        }
    }

    /// The mode of an `XDPKIT_XDP_FLAGS_*_MODE` bit; `None` for 0 or others.
    pub fn from_flags(flags: u32) -> Option<Self> {
        match flags {
            sys::XDPKIT_XDP_FLAGS_SKB_MODE => Some(XdpMode::Skb),
            sys::XDPKIT_XDP_FLAGS_DRV_MODE => Some(XdpMode::Drv),
            sys::XDPKIT_XDP_FLAGS_HW_MODE => Some(XdpMode::Hw),
            _ => None,
        }
    }
}

/// Kernel `XDP_STATISTICS` of a socket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Frames dropped for other reasons.
    pub rx_dropped: u64,
    /// Frames dropped for invalid descriptors.
    pub rx_invalid_descs: u64,
    /// TX descriptors found invalid.
    pub tx_invalid_descs: u64,
    /// Frames dropped because the RX ring was full.
    pub rx_ring_full: u64,
    /// Times the fill ring was empty when a frame was needed.
    pub rx_fill_ring_empty_descs: u64,
    /// Times the TX ring was empty when looked at.
    pub tx_ring_empty_descs: u64,
}

/// Settings of a socket; build it with [`Socket::builder`].
#[derive(Debug, Clone)]
pub struct SocketBuilder {
    ifname: String,
    queue: u32,
    rx: bool,
    tx: bool,
    cfg: sys::xdpkit_socket_config,
}

impl SocketBuilder {
    /// The queue to bind to (0).
    pub fn queue(mut self, queue: u32) -> Self {
        self.queue = queue;
        self
    }

    /// Where the default program runs ([`XdpMode::Auto`]).
    pub fn mode(mut self, mode: XdpMode) -> Self {
        self.cfg.xdp_flags = mode.flags();
        self
    }

    fn bind_flag(mut self, flag: u16, on: bool) -> Self {
        if on {
            self.cfg.bind_flags |= flag;
        } else {
            self.cfg.bind_flags &= !flag;
        }
        self
    }

    /// Forces copy mode (XDP_COPY).
    pub fn copy(self, on: bool) -> Self {
        self.bind_flag(sys::XDPKIT_BIND_COPY, on)
    }

    /// Requires zero-copy mode (XDP_ZEROCOPY): `EOPNOTSUPP` where the
    /// driver has none. Without `copy` or `zerocopy` the kernel picks.
    pub fn zerocopy(self, on: bool) -> Self {
        self.bind_flag(sys::XDPKIT_BIND_ZEROCOPY, on)
    }

    /// XDP_USE_NEED_WAKEUP: the kernel says (through the rings'
    /// `needs_wakeup`) when it must be kicked.
    pub fn need_wakeup(self, on: bool) -> Self {
        self.bind_flag(sys::XDPKIT_BIND_NEED_WAKEUP, on)
    }

    /// XDP_USE_SG: multi-buffer packets (several frames, XDPKIT_PKT_CONTD).
    pub fn multi_buffer(self, on: bool) -> Self {
        self.bind_flag(sys::XDPKIT_BIND_SG, on)
    }

    /// RX ring entries, a power of two (0: 2048).
    pub fn rx_size(mut self, n: u32) -> Self {
        self.cfg.rx_size = n;
        self
    }

    /// TX ring entries, a power of two (0: 2048).
    pub fn tx_size(mut self, n: u32) -> Self {
        self.cfg.tx_size = n;
        self
    }

    /// Whether the socket has an RX ring (true).
    pub fn rx(mut self, on: bool) -> Self {
        self.rx = on;
        self
    }

    /// Whether the socket has a TX ring (true).
    pub fn tx(mut self, on: bool) -> Self {
        self.tx = on;
        self
    }

    /// Whether the library attaches its default program (queue -> XSKMAP
    /// -> socket, else XDP_PASS) and stores the socket in it (true). Turn
    /// it off for TX-only sockets or to manage the program yourself.
    pub fn program(mut self, on: bool) -> Self {
        if on {
            self.cfg.libxdp_flags &= !sys::XDPKIT_LIBXDP_FLAGS_INHIBIT_PROG_LOAD;
        } else {
            self.cfg.libxdp_flags |= sys::XDPKIT_LIBXDP_FLAGS_INHIBIT_PROG_LOAD;
        }
        self
    }

    /// Fill and completion ring sizes of a socket that gets its own (a
    /// socket sharing a UMEM bound on another queue or device).
    pub fn shared_ring_sizes(mut self, fill: u32, comp: u32) -> Self {
        self.cfg.fill_size = fill;
        self.cfg.comp_size = comp;
        self
    }

    /// Busy polling: SO_BUSY_POLL (µs), SO_BUSY_POLL_BUDGET and
    /// SO_PREFER_BUSY_POLL (0 / false: unset).
    pub fn busy_poll(mut self, usecs: u32, budget: u32, prefer: bool) -> Self {
        self.cfg.busy_poll_usecs = usecs;
        self.cfg.busy_poll_budget = budget;
        self.cfg.prefer_busy_poll = u32::from(prefer);
        self
    }

    /// XDP_MAX_TX_SKB_BUDGET (0: unset).
    pub fn max_tx_skb_budget(mut self, n: u32) -> Self {
        self.cfg.max_tx_skb_budget = n;
        self
    }

    /// Creates the socket on `umem` and binds it.
    ///
    /// The first socket of a UMEM uses the UMEM's fill and completion
    /// rings (those of [`UmemParts`](crate::UmemParts)); a later one on
    /// another queue or device gets its own, from [`Socket::take_fill`] and
    /// [`Socket::take_comp`].
    ///
    /// Errors: `ENODEV` (no such interface), `EINVAL` (bad config, queue
    /// out of range, ring size not a power of two), `EBUSY` (queue in use,
    /// another XDP program attached), `EOPNOTSUPP` (zero-copy required but
    /// not supported), `EPERM`.
    pub fn build(&self, umem: &Umem) -> Result<Socket> {
        let ifname = cstring("interface name", &self.ifname)?;
        let mut cfg = self.cfg;
        cfg.flags =
            if self.rx { 0 } else { sys::XDPKIT_SOCKET_NO_RX } | if self.tx { 0 } else { sys::XDPKIT_SOCKET_NO_TX };
        let rx = self.rx.then(|| Box::new(UnsafeCell::new(sys::xdpkit_ring_cons::zeroed())));
        let tx = self.tx.then(|| Box::new(UnsafeCell::new(sys::xdpkit_ring_prod::zeroed())));
        let fill = Box::new(UnsafeCell::new(sys::xdpkit_ring_prod::zeroed()));
        let comp = Box::new(UnsafeCell::new(sys::xdpkit_ring_cons::zeroed()));
        let rx_ptr = rx.as_ref().map_or(std::ptr::null_mut(), |b| b.get());
        let tx_ptr = tx.as_ref().map_or(std::ptr::null_mut(), |b| b.get());
        let mut out = std::ptr::null_mut();
        // SAFETY: the pointers are valid for writes; the boxes move into
        // SocketInner, which deletes the handle before freeing them.
        check(unsafe {
            sys::xdpkit_socket_create_shared(
                &mut out,
                ifname.as_ptr(),
                self.queue,
                umem.handle(),
                rx_ptr,
                tx_ptr,
                fill.get(),
                comp.get(),
                &cfg,
            )
        })?;
        let handle = NonNull::new(out).expect("xdpkit_socket_create returned NULL");
        // SAFETY: live handle.
        let (fd, own_fill) = unsafe {
            (sys::xdpkit_socket_fd(handle.as_ptr()), sys::xdpkit_socket_fill_ring(handle.as_ptr()) == fill.get())
        };
        let inner = Arc::new(SocketInner { handle, fd, umem: umem.clone(), _rx: rx, _tx: tx, fill, comp });
        let layout = *umem.layout();
        let nn = |p| NonNull::new(p).expect("ring struct");
        Ok(Socket {
            rx: (!rx_ptr.is_null()).then(|| RxRing::new(nn(rx_ptr), layout, inner.clone())),
            tx: (!tx_ptr.is_null()).then(|| TxRing::new(NonNull::new(tx_ptr).expect("tx"), layout, inner.clone())),
            fill: own_fill
                .then(|| FillRing::with_struct(NonNull::new(inner.fill.get()).expect("fill"), layout, inner.clone())),
            comp: own_fill
                .then(|| CompRing::with_struct(NonNull::new(inner.comp.get()).expect("comp"), layout, inner.clone())),
            inner,
        })
    }
}

pub(crate) struct SocketInner {
    handle: NonNull<sys::xdpkit_socket>,
    fd: i32,
    umem: Umem,
    // Ring structs the library initialised: they outlive the handle.
    _rx: Option<Box<UnsafeCell<sys::xdpkit_ring_cons>>>,
    _tx: Option<Box<UnsafeCell<sys::xdpkit_ring_prod>>>,
    fill: Box<UnsafeCell<sys::xdpkit_ring_prod>>,
    comp: Box<UnsafeCell<sys::xdpkit_ring_cons>>,
}

// SAFETY: the library's handle calls are thread-safe; the ring structs are
// touched only by their one ring object each.
unsafe impl Send for SocketInner {}
unsafe impl Sync for SocketInner {}

impl SocketInner {
    pub(crate) fn kick(&self) -> Result<()> {
        // SAFETY: live handle.
        check(unsafe { sys::xdpkit_socket_kick(self.handle.as_ptr()) }).map(drop)
    }
}

impl Drop for SocketInner {
    fn drop(&mut self) {
        // SAFETY: live handle, deleted once; the UMEM (self.umem) is
        // dropped after it.
        let ret = unsafe { sys::xdpkit_socket_delete(self.handle.as_ptr()) };
        debug_assert!(ret == 0, "xdpkit_socket_delete: {}", Error::from_ret(ret));
    }
}

/// An AF_XDP socket bound to one queue of an interface.
///
/// Its rings are separate objects ([`take_rx`](Self::take_rx),
/// [`take_tx`](Self::take_tx)) so that each can be used (and moved to a
/// thread) on its own. The socket is closed when it and all its rings are
/// dropped; it keeps its [`Umem`] alive until then.
pub struct Socket {
    inner: Arc<SocketInner>,
    rx: Option<RxRing>,
    tx: Option<TxRing>,
    fill: Option<FillRing>,
    comp: Option<CompRing>,
}

impl Socket {
    /// Settings for a socket on interface `ifname`: queue 0, auto mode,
    /// RX and TX rings of 2048, the default program.
    pub fn builder(ifname: &str) -> SocketBuilder {
        SocketBuilder {
            ifname: ifname.to_owned(),
            queue: 0,
            rx: true,
            tx: true,
            cfg: sys::xdpkit_socket_config::default(),
        }
    }

    fn h(&self) -> *mut sys::xdpkit_socket {
        self.inner.handle.as_ptr()
    }

    /// The RX ring (once; `None` without one or when taken).
    pub fn take_rx(&mut self) -> Option<RxRing> {
        self.rx.take()
    }

    /// The TX ring (once; `None` without one or when taken).
    pub fn take_tx(&mut self) -> Option<TxRing> {
        self.tx.take()
    }

    /// The socket's own fill ring, when it has one (a socket sharing its
    /// UMEM on another queue or device); else it uses the UMEM's.
    pub fn take_fill(&mut self) -> Option<FillRing> {
        self.fill.take()
    }

    /// The socket's own completion ring, as [`take_fill`](Self::take_fill).
    pub fn take_comp(&mut self) -> Option<CompRing> {
        self.comp.take()
    }

    /// The UMEM the socket works on.
    pub fn umem(&self) -> &Umem {
        &self.inner.umem
    }

    /// Wakes the kernel to send what the TX ring holds. EAGAIN, EBUSY,
    /// ENOBUFS and ENETDOWN count as success, as in libxdp.
    pub fn kick(&self) -> Result<()> {
        self.inner.kick()
    }

    /// Wakes the kernel to take frames from the fill ring (need_wakeup).
    pub fn wakeup_rx(&self) -> Result<()> {
        // SAFETY: live handle.
        check(unsafe { sys::xdpkit_socket_wakeup_rx(self.h()) }).map(drop)
    }

    /// poll() on the socket for `events` (`libc::POLLIN`, `libc::POLLOUT`);
    /// returns the ready events, 0 on timeout (`None`: wait forever).
    pub fn poll(&self, events: i16, timeout: Option<Duration>) -> Result<i16> {
        let ms = timeout.map_or(-1, |t| t.as_millis().min(i32::MAX as u128) as i32);
        // SAFETY: live handle.
        check(unsafe { sys::xdpkit_socket_poll(self.h(), events, ms) }).map(|r| r as i16)
    }

    /// The kernel's XDP_STATISTICS.
    pub fn stats(&self) -> Result<Stats> {
        let mut s = sys::xdpkit_stats::default();
        // SAFETY: live handle, s valid with sz set.
        check(unsafe { sys::xdpkit_socket_stats(self.h(), &mut s) })?;
        Ok(Stats {
            rx_dropped: s.rx_dropped,
            rx_invalid_descs: s.rx_invalid_descs,
            tx_invalid_descs: s.tx_invalid_descs,
            rx_ring_full: s.rx_ring_full,
            rx_fill_ring_empty_descs: s.rx_fill_ring_empty_descs,
            tx_ring_empty_descs: s.tx_ring_empty_descs,
        })
    }

    /// XDP_OPTIONS bits (`XDPKIT_OPTIONS_ZEROCOPY`).
    pub fn options(&self) -> Result<u32> {
        let mut o = 0u32;
        // SAFETY: live handle, o valid.
        check(unsafe { sys::xdpkit_socket_options(self.h(), &mut o) })?;
        Ok(o)
    }

    /// Whether the socket runs in zero-copy mode.
    pub fn is_zerocopy(&self) -> Result<bool> {
        Ok(self.options()? & sys::XDPKIT_OPTIONS_ZEROCOPY != 0)
    }

    /// The queue the socket is bound to.
    pub fn queue(&self) -> Result<u32> {
        // SAFETY: live handle.
        check(unsafe { sys::xdpkit_socket_queue(self.h()) }).map(|q| q as u32)
    }

    /// The index of the interface the socket is bound to.
    pub fn ifindex(&self) -> Result<u32> {
        // SAFETY: live handle.
        check(unsafe { sys::xdpkit_socket_ifindex(self.h()) }).map(|q| q as u32)
    }

    /// The mode of the default program serving the socket (`None`: none).
    pub fn xdp_mode(&self) -> Result<Option<XdpMode>> {
        // SAFETY: live handle.
        check(unsafe { sys::xdpkit_socket_xdp_mode(self.h()) }).map(|m| XdpMode::from_flags(m as u32))
    }

    /// The kernel id of the default program serving the socket.
    pub fn prog_id(&self) -> Result<Option<u32>> {
        // SAFETY: live handle.
        check(unsafe { sys::xdpkit_socket_prog_id(self.h()) }).map(|id| (id != 0).then_some(id as u32))
    }

    /// Stores the socket in `map` at its queue (libxdp's
    /// `xsk_socket__update_xskmap`); the entry goes when the socket closes.
    pub fn update_xskmap<M: AsRef<Map>>(&self, map: &XskMap<M>) -> Result<()> {
        // SAFETY: live handle; any fd is accepted and checked.
        check(unsafe { sys::xdpkit_socket_update_xskmap(self.h(), map.as_raw_fd()) }).map(drop)
    }

    pub(crate) fn handle(&self) -> *mut sys::xdpkit_socket {
        self.h()
    }
}

impl AsRawFd for Socket {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.fd
    }
}

impl AsFd for Socket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        // SAFETY: the fd stays open while the socket (self.inner) lives.
        unsafe { BorrowedFd::borrow_raw(self.inner.fd) }
    }
}

impl fmt::Debug for Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Socket")
            .field("fd", &self.inner.fd)
            .field("queue", &self.queue().ok())
            .field("ifindex", &self.ifindex().ok())
            .finish()
    }
}
