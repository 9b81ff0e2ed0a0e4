//! The four AF_XDP rings, implemented natively over the memory the kernel
//! shares with us: cached indices, all-or-nothing reserve, acquire loads of
//! the kernel's index and release stores of ours, as libxdp does. No call
//! into the library per packet.
use std::any::Any;
use std::fmt;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use xdpkit_sys as sys;

use crate::error::Result;
use crate::socket::SocketInner;
use crate::umem::{Frame, Layout, Umem};

/// An RX/TX descriptor as the kernel lays it out (`struct xdp_desc`).
pub use xdpkit_sys::xdpkit_desc as Desc;

/// Keeps the memory of a ring (and what it belongs to) alive.
type Keeper = Arc<dyn Any + Send + Sync>;

#[inline]
fn atomic<'a>(p: *mut u32) -> &'a AtomicU32 {
    // SAFETY: p points at a ring index in the kernel-shared mapping, which
    // lives as long as the ring's keeper; u32 and AtomicU32 share layout.
    unsafe { AtomicU32::from_ptr(p) }
}

/// A producer ring struct (fill, TX) owned by one ring object.
struct Prod(NonNull<sys::xdpkit_ring_prod>);

impl Prod {
    #[inline]
    fn st(&mut self) -> &mut sys::xdpkit_ring_prod {
        // SAFETY: the struct lives in a Box kept by the ring's keeper, and
        // only this ring object (through &mut self) touches it.
        unsafe { self.0.as_mut() }
    }

    #[inline]
    fn st_ref(&self) -> &sys::xdpkit_ring_prod {
        // SAFETY: as in st().
        unsafe { self.0.as_ref() }
    }

    /// Free entries, at least nb if that many are free (xdpkit_ring_prod_free).
    #[inline]
    fn free(&mut self, nb: u32) -> u32 {
        let r = self.st();
        let free = r.cached_cons.wrapping_sub(r.cached_prod);
        if free >= nb {
            return free;
        }
        r.cached_cons = atomic(r.consumer).load(Ordering::Acquire).wrapping_add(r.size);
        r.cached_cons.wrapping_sub(r.cached_prod)
    }

    /// Reserves exactly nb entries; returns the first index.
    #[inline]
    fn reserve(&mut self, nb: u32) -> Option<u32> {
        if self.free(nb) < nb {
            return None;
        }
        let r = self.st();
        let idx = r.cached_prod;
        r.cached_prod = r.cached_prod.wrapping_add(nb);
        Some(idx)
    }

    /// Publishes nb entries (release: the slots are written before).
    #[inline]
    fn submit(&mut self, nb: u32) {
        let p = atomic(self.st().producer);
        p.store(p.load(Ordering::Relaxed).wrapping_add(nb), Ordering::Release);
    }

    #[inline]
    fn cancel(&mut self, nb: u32) {
        let r = self.st();
        r.cached_prod = r.cached_prod.wrapping_sub(nb);
    }

    #[inline]
    fn needs_wakeup(&self) -> bool {
        atomic(self.st_ref().flags).load(Ordering::Relaxed) & sys::XDPKIT_RING_NEED_WAKEUP != 0
    }

    #[inline]
    fn size(&self) -> u32 {
        self.st_ref().size
    }

    /// Fill ring slot idx.
    #[inline]
    fn addr_slot(&mut self, idx: u32) -> *mut u64 {
        let r = self.st();
        // SAFETY: idx & mask < size, the ring's entry count.
        unsafe { r.ring.cast::<u64>().add((idx & r.mask) as usize) }
    }

    /// TX ring slot idx.
    #[inline]
    fn desc_slot(&mut self, idx: u32) -> *mut Desc {
        let r = self.st();
        // SAFETY: idx & mask < size.
        unsafe { r.ring.cast::<Desc>().add((idx & r.mask) as usize) }
    }
}

/// A consumer ring struct (completion, RX) owned by one ring object.
struct Cons(NonNull<sys::xdpkit_ring_cons>);

impl Cons {
    #[inline]
    fn st(&mut self) -> &mut sys::xdpkit_ring_cons {
        // SAFETY: as in Prod::st().
        unsafe { self.0.as_mut() }
    }

    #[inline]
    fn st_ref(&self) -> &sys::xdpkit_ring_cons {
        // SAFETY: as in Prod::st().
        unsafe { self.0.as_ref() }
    }

    /// Entries ready, at most nb (xdpkit_ring_cons_avail).
    #[inline]
    fn avail(&mut self, nb: u32) -> u32 {
        let r = self.st();
        let mut entries = r.cached_prod.wrapping_sub(r.cached_cons);
        if entries == 0 {
            r.cached_prod = atomic(r.producer).load(Ordering::Acquire);
            entries = r.cached_prod.wrapping_sub(r.cached_cons);
        }
        entries.min(nb)
    }

    /// Takes up to nb entries: (count, first index).
    #[inline]
    fn peek(&mut self, nb: u32) -> (u32, u32) {
        let n = self.avail(nb);
        let r = self.st();
        let idx = r.cached_cons;
        r.cached_cons = r.cached_cons.wrapping_add(n);
        (n, idx)
    }

    #[inline]
    fn cancel(&mut self, nb: u32) {
        let r = self.st();
        r.cached_cons = r.cached_cons.wrapping_sub(nb);
    }

    /// Hands nb entries back (release: they were read before).
    #[inline]
    fn release(&mut self, nb: u32) {
        if nb == 0 {
            return;
        }
        let c = atomic(self.st().consumer);
        c.store(c.load(Ordering::Relaxed).wrapping_add(nb), Ordering::Release);
    }

    #[inline]
    fn size(&self) -> u32 {
        self.st_ref().size
    }

    #[inline]
    fn addr(&mut self, idx: u32) -> u64 {
        let r = self.st();
        // SAFETY: idx & mask < size; the kernel wrote the entry before its
        // producer store, which avail() loaded with acquire.
        unsafe { r.ring.cast::<u64>().add((idx & r.mask) as usize).read() }
    }

    #[inline]
    fn desc(&mut self, idx: u32) -> Desc {
        let r = self.st();
        // SAFETY: as in addr().
        unsafe { r.ring.cast::<Desc>().add((idx & r.mask) as usize).read() }
    }
}

macro_rules! ring_debug {
    ($t:ty, $name:literal) => {
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct($name).field("size", &self.ring.size()).finish()
            }
        }
    };
}

// ---------------------------------------------------------------------
// Fill ring

/// The fill ring: frames handed to the kernel to receive into.
pub struct FillRing {
    ring: Prod,
    layout: Layout,
    _keep: Keeper,
}

// SAFETY: the ring struct and the shared ring memory are reached only
// through this object (&mut self for every change); its keeper is
// Send + Sync.
unsafe impl Send for FillRing {}
unsafe impl Sync for FillRing {}
ring_debug!(FillRing, "FillRing");

impl FillRing {
    pub(crate) fn new(umem: Umem) -> Self {
        let ring = Prod(NonNull::new(umem.inner.fill.get()).expect("fill ring"));
        let layout = *umem.layout();
        Self { ring, layout, _keep: umem.inner }
    }

    pub(crate) fn with_struct(ring: NonNull<sys::xdpkit_ring_prod>, layout: Layout, keep: Keeper) -> Self {
        Self { ring: Prod(ring), layout, _keep: keep }
    }

    /// Reserves exactly `n` slots, or none (`None`) when fewer are free.
    #[inline]
    pub fn reserve(&mut self, n: u32) -> Option<FillBatch<'_>> {
        let idx = self.ring.reserve(n)?;
        Some(FillBatch { ring: &mut self.ring, layout: &self.layout, idx, n, pushed: 0, done: false })
    }

    /// Moves as many frames as fit from the end of `frames` onto the ring
    /// and submits them. Returns how many.
    pub fn fill(&mut self, frames: &mut Vec<Frame>) -> usize {
        let want = frames.len().min(u32::MAX as usize) as u32;
        let n = self.ring.free(want).min(want);
        if n == 0 {
            return 0;
        }
        let start = frames.len() - n as usize;
        // Check before reserving: a panic must not leave a reservation
        // that a later submit would publish.
        frames[start..].iter().for_each(|f| self.layout.check(f));
        let idx = self.ring.reserve(n).expect("free entries");
        for (i, f) in frames[start..].iter().enumerate() {
            // SAFETY: reserved slot.
            unsafe { self.ring.addr_slot(idx.wrapping_add(i as u32)).write(f.base()) };
        }
        frames.truncate(start);
        self.ring.submit(n);
        n as usize
    }

    /// Free slots (at least `n` when that many are free).
    pub fn free(&mut self, n: u32) -> u32 {
        self.ring.free(n)
    }

    /// The ring's entry count.
    pub fn size(&self) -> u32 {
        self.ring.size()
    }

    /// Whether the kernel wants a wakeup ([`Socket::wakeup_rx`] or a poll)
    /// to take frames from the ring (need_wakeup sockets only).
    ///
    /// [`Socket::wakeup_rx`]: crate::Socket::wakeup_rx
    pub fn needs_wakeup(&self) -> bool {
        self.ring.needs_wakeup()
    }
}

/// Reserved fill ring slots: push frames, then [`commit`](Self::commit).
/// Dropped without a commit, the reservation is cancelled (frames pushed
/// into it are lost: use [`cancel`](Self::cancel) to get them back).
#[must_use = "a FillBatch is cancelled unless committed"]
pub struct FillBatch<'a> {
    ring: &'a mut Prod,
    layout: &'a Layout,
    idx: u32,
    n: u32,
    pushed: u32,
    done: bool,
}

impl FillBatch<'_> {
    /// Slots reserved.
    pub fn capacity(&self) -> usize {
        self.n as usize
    }

    /// Frames pushed so far.
    pub fn len(&self) -> usize {
        self.pushed as usize
    }

    /// Whether nothing was pushed yet.
    pub fn is_empty(&self) -> bool {
        self.pushed == 0
    }

    /// Puts a frame into the next slot; gives it back when the batch is
    /// full.
    ///
    /// # Panics
    /// When the frame belongs to another UMEM.
    #[inline]
    pub fn push(&mut self, frame: Frame) -> std::result::Result<(), Frame> {
        if self.pushed == self.n {
            return Err(frame);
        }
        self.layout.check(&frame);
        // SAFETY: a reserved slot.
        unsafe { self.ring.addr_slot(self.idx.wrapping_add(self.pushed)).write(frame.base()) };
        self.pushed += 1;
        Ok(())
    }

    /// Puts a raw UMEM address into the next slot. Returns false when the
    /// batch is full.
    ///
    /// # Safety
    /// The caller gives the chunk at `addr` to the kernel, which will write
    /// received packets into it: no [`Frame`] token or slice of that chunk
    /// may be used until it comes back on the RX ring.
    #[inline]
    pub unsafe fn push_addr(&mut self, addr: u64) -> bool {
        if self.pushed == self.n {
            return false;
        }
        self.ring.addr_slot(self.idx.wrapping_add(self.pushed)).write(addr);
        self.pushed += 1;
        true
    }

    /// Submits the pushed frames to the kernel (and gives back the slots
    /// left empty). Returns how many were submitted.
    pub fn commit(mut self) -> usize {
        self.ring.cancel(self.n - self.pushed);
        self.ring.submit(self.pushed);
        self.done = true;
        self.pushed as usize
    }

    /// Cancels the reservation, putting the pushed frames back into `out`.
    pub fn cancel(mut self, out: &mut Vec<Frame>) {
        for i in 0..self.pushed {
            // SAFETY: slots this batch wrote, not submitted.
            let addr = unsafe { self.ring.addr_slot(self.idx.wrapping_add(i)).read() };
            out.push(self.layout.frame(addr, 0, 0));
        }
        self.ring.cancel(self.n);
        self.done = true;
    }
}

impl Drop for FillBatch<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.ring.cancel(self.n);
        }
    }
}

// ---------------------------------------------------------------------
// Completion ring

/// The completion ring: frames the kernel has finished sending.
pub struct CompRing {
    ring: Cons,
    layout: Layout,
    _keep: Keeper,
}

// SAFETY: as for FillRing.
unsafe impl Send for CompRing {}
unsafe impl Sync for CompRing {}
ring_debug!(CompRing, "CompRing");

impl CompRing {
    pub(crate) fn new(umem: Umem) -> Self {
        let ring = Cons(NonNull::new(umem.inner.comp.get()).expect("completion ring"));
        let layout = *umem.layout();
        Self { ring, layout, _keep: umem.inner }
    }

    pub(crate) fn with_struct(ring: NonNull<sys::xdpkit_ring_cons>, layout: Layout, keep: Keeper) -> Self {
        Self { ring: Cons(ring), layout, _keep: keep }
    }

    /// Takes up to `max` completed entries (possibly none).
    #[inline]
    pub fn peek(&mut self, max: u32) -> CompBatch<'_> {
        let (n, idx) = self.ring.peek(max);
        CompBatch { ring: &mut self.ring, layout: &self.layout, idx, n, taken: 0 }
    }

    /// Appends up to `max` completed frames to `out`. Returns how many.
    pub fn complete(&mut self, out: &mut Vec<Frame>, max: u32) -> usize {
        let (n, idx) = self.ring.peek(max);
        out.reserve(n as usize);
        for i in 0..n {
            let addr = self.ring.addr(idx.wrapping_add(i));
            out.push(self.layout.frame(addr, 0, 0));
        }
        self.ring.release(n);
        n as usize
    }

    /// Entries ready, at most `max`.
    pub fn available(&mut self, max: u32) -> u32 {
        self.ring.avail(max)
    }

    /// The ring's entry count.
    pub fn size(&self) -> u32 {
        self.ring.size()
    }
}

/// Peeked completion entries. Iterating takes them as [`Frame`]s; on drop
/// the taken ones are released to the kernel and the others stay on the
/// ring (they are seen again by the next peek).
#[must_use = "peeked entries are only consumed by iterating the batch"]
pub struct CompBatch<'a> {
    ring: &'a mut Cons,
    layout: &'a Layout,
    idx: u32,
    n: u32,
    taken: u32,
}

impl CompBatch<'_> {
    /// Entries not yet taken.
    pub fn len(&self) -> usize {
        (self.n - self.taken) as usize
    }

    /// Whether no entry is left to take.
    pub fn is_empty(&self) -> bool {
        self.n == self.taken
    }
}

impl Iterator for CompBatch<'_> {
    type Item = Frame;

    #[inline]
    fn next(&mut self) -> Option<Frame> {
        if self.taken == self.n {
            return None;
        }
        let addr = self.ring.addr(self.idx.wrapping_add(self.taken));
        self.taken += 1;
        Some(self.layout.frame(addr, 0, 0))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.len(), Some(self.len()))
    }
}

impl ExactSizeIterator for CompBatch<'_> {}

impl Drop for CompBatch<'_> {
    fn drop(&mut self) {
        self.ring.cancel(self.n - self.taken);
        self.ring.release(self.taken);
    }
}

// ---------------------------------------------------------------------
// RX ring

/// A socket's RX ring: received frames.
pub struct RxRing {
    ring: Cons,
    layout: Layout,
    _keep: Arc<SocketInner>,
}

// SAFETY: as for FillRing.
unsafe impl Send for RxRing {}
unsafe impl Sync for RxRing {}
ring_debug!(RxRing, "RxRing");

impl RxRing {
    pub(crate) fn new(ring: NonNull<sys::xdpkit_ring_cons>, layout: Layout, keep: Arc<SocketInner>) -> Self {
        Self { ring: Cons(ring), layout, _keep: keep }
    }

    /// Takes up to `max` received entries (possibly none).
    #[inline]
    pub fn peek(&mut self, max: u32) -> RxBatch<'_> {
        let (n, idx) = self.ring.peek(max);
        RxBatch { ring: &mut self.ring, layout: &self.layout, idx, n, taken: 0 }
    }

    /// Appends up to `max` received frames to `out` and releases their
    /// entries. Returns how many.
    pub fn receive(&mut self, out: &mut Vec<Frame>, max: u32) -> usize {
        let (n, idx) = self.ring.peek(max);
        out.reserve(n as usize);
        for i in 0..n {
            let d = self.ring.desc(idx.wrapping_add(i));
            out.push(self.layout.frame(d.addr, d.len, d.options));
        }
        self.ring.release(n);
        n as usize
    }

    /// Entries ready, at most `max`.
    pub fn available(&mut self, max: u32) -> u32 {
        self.ring.avail(max)
    }

    /// The ring's entry count.
    pub fn size(&self) -> u32 {
        self.ring.size()
    }
}

/// Peeked RX entries. Read a packet in place with [`data`](Self::data) or
/// take it as a [`Frame`] by iterating. On drop the taken entries are
/// released and the others stay on the ring (seen again by the next peek).
/// The data borrows the batch, so it cannot outlive the entry.
///
/// ```compile_fail,E0505
/// # fn f(rx: &mut xdpkit::RxRing) {
/// let batch = rx.peek(1);
/// let data = batch.data(0);
/// drop(batch); // releases the entry...
/// println!("{data:?}"); // ...so its data cannot be used any more
/// # }
/// ```
#[must_use = "peeked entries are only consumed by iterating the batch"]
pub struct RxBatch<'a> {
    ring: &'a mut Cons,
    layout: &'a Layout,
    idx: u32,
    n: u32,
    taken: u32,
}

impl RxBatch<'_> {
    /// Entries not yet taken.
    pub fn len(&self) -> usize {
        (self.n - self.taken) as usize
    }

    /// Whether no entry is left to take.
    pub fn is_empty(&self) -> bool {
        self.n == self.taken
    }

    /// The descriptor of the `i`-th entry not yet taken.
    ///
    /// # Panics
    /// When `i >= self.len()`.
    pub fn desc(&self, i: usize) -> Desc {
        assert!(i < self.len(), "xdpkit: RX batch index {i} out of range ({})", self.len());
        let r = self.ring.st_ref();
        let idx = self.idx.wrapping_add(self.taken).wrapping_add(i as u32);
        // SAFETY: a peeked entry (see Cons::addr).
        unsafe { r.ring.cast::<Desc>().add((idx & r.mask) as usize).read() }
    }

    /// The packet data of the `i`-th entry not yet taken, in place.
    ///
    /// # Panics
    /// When `i >= self.len()`.
    pub fn data(&self, i: usize) -> &[u8] {
        let d = self.desc(i);
        let f = self.layout.frame(d.addr, d.len, d.options);
        let (start, end) = self.layout.range(&f, false);
        // SAFETY: the entry is peeked and not taken: no token of its chunk
        // exists and the kernel gave it up; the borrow of the batch keeps
        // the entry from being released or taken while the slice lives.
        unsafe { std::slice::from_raw_parts(self.layout.area.as_ptr().add(start), end - start) }
    }
}

impl Iterator for RxBatch<'_> {
    type Item = Frame;

    #[inline]
    fn next(&mut self) -> Option<Frame> {
        if self.taken == self.n {
            return None;
        }
        let d = self.ring.desc(self.idx.wrapping_add(self.taken));
        self.taken += 1;
        Some(self.layout.frame(d.addr, d.len, d.options))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.len(), Some(self.len()))
    }
}

impl ExactSizeIterator for RxBatch<'_> {}

impl Drop for RxBatch<'_> {
    fn drop(&mut self) {
        self.ring.cancel(self.n - self.taken);
        self.ring.release(self.taken);
    }
}

// ---------------------------------------------------------------------
// TX ring

/// A socket's TX ring: frames to send.
pub struct TxRing {
    ring: Prod,
    layout: Layout,
    sock: Arc<SocketInner>,
}

// SAFETY: as for FillRing.
unsafe impl Send for TxRing {}
unsafe impl Sync for TxRing {}
ring_debug!(TxRing, "TxRing");

impl TxRing {
    pub(crate) fn new(ring: NonNull<sys::xdpkit_ring_prod>, layout: Layout, sock: Arc<SocketInner>) -> Self {
        Self { ring: Prod(ring), layout, sock }
    }

    /// Reserves exactly `n` slots, or none (`None`) when fewer are free.
    #[inline]
    pub fn reserve(&mut self, n: u32) -> Option<TxBatch<'_>> {
        let idx = self.ring.reserve(n)?;
        Some(TxBatch { ring: &mut self.ring, layout: &self.layout, idx, n, pushed: 0, done: false })
    }

    /// Queues as many frames as fit from the front of `frames` (in order)
    /// and submits them. Returns how many; the rest stay in `frames`.
    /// Call [`kick`](Self::kick) (when [`needs_wakeup`](Self::needs_wakeup))
    /// to have the kernel send them.
    pub fn send(&mut self, frames: &mut Vec<Frame>) -> usize {
        let want = frames.len().min(u32::MAX as usize) as u32;
        let n = self.ring.free(want).min(want);
        if n == 0 {
            return 0;
        }
        // Check before reserving (see FillRing::fill).
        frames[..n as usize].iter().for_each(|f| self.layout.check(f));
        let idx = self.ring.reserve(n).expect("free entries");
        for (i, f) in frames[..n as usize].iter().enumerate() {
            let d = Desc { addr: self.layout.addr(f), len: f.len() as u32, options: f.options() };
            // SAFETY: reserved slot.
            unsafe { self.ring.desc_slot(idx.wrapping_add(i as u32)).write(d) };
        }
        frames.drain(..n as usize);
        self.ring.submit(n);
        n as usize
    }

    /// Free slots (at least `n` when that many are free).
    pub fn free(&mut self, n: u32) -> u32 {
        self.ring.free(n)
    }

    /// The ring's entry count.
    pub fn size(&self) -> u32 {
        self.ring.size()
    }

    /// Whether the kernel wants a [`kick`](Self::kick) to send (always true
    /// in effect without need_wakeup: then kick after every submit).
    pub fn needs_wakeup(&self) -> bool {
        self.ring.needs_wakeup()
    }

    /// Wakes the kernel to send what the ring holds
    /// ([`Socket::kick`](crate::Socket::kick)).
    pub fn kick(&self) -> Result<()> {
        self.sock.kick()
    }
}

/// Reserved TX slots: push frames, then [`commit`](Self::commit). Dropped
/// without a commit, the reservation is cancelled (frames pushed into it
/// are lost: use [`cancel`](Self::cancel) to get them back).
#[must_use = "a TxBatch is cancelled unless committed"]
pub struct TxBatch<'a> {
    ring: &'a mut Prod,
    layout: &'a Layout,
    idx: u32,
    n: u32,
    pushed: u32,
    done: bool,
}

impl TxBatch<'_> {
    /// Slots reserved.
    pub fn capacity(&self) -> usize {
        self.n as usize
    }

    /// Frames pushed so far.
    pub fn len(&self) -> usize {
        self.pushed as usize
    }

    /// Whether nothing was pushed yet.
    pub fn is_empty(&self) -> bool {
        self.pushed == 0
    }

    /// Puts a frame (its data: offset, length and options) into the next
    /// slot; gives it back when the batch is full.
    ///
    /// # Panics
    /// When the frame belongs to another UMEM.
    #[inline]
    pub fn push(&mut self, frame: Frame) -> std::result::Result<(), Frame> {
        if self.pushed == self.n {
            return Err(frame);
        }
        self.layout.check(&frame);
        let d = Desc { addr: self.layout.addr(&frame), len: frame.len() as u32, options: frame.options() };
        // SAFETY: a reserved slot.
        unsafe { self.ring.desc_slot(self.idx.wrapping_add(self.pushed)).write(d) };
        self.pushed += 1;
        Ok(())
    }

    /// Puts a raw descriptor into the next slot. Returns false when the
    /// batch is full.
    ///
    /// # Safety
    /// The caller gives the chunk of `desc.addr` to the kernel, which reads
    /// it until it shows up on the completion ring: no [`Frame`] token or
    /// slice of it may be used until then. (A descriptor outside the UMEM
    /// is refused by the kernel and counted in `tx_invalid_descs`.)
    #[inline]
    pub unsafe fn push_desc(&mut self, desc: Desc) -> bool {
        if self.pushed == self.n {
            return false;
        }
        self.ring.desc_slot(self.idx.wrapping_add(self.pushed)).write(desc);
        self.pushed += 1;
        true
    }

    /// Submits the pushed frames (and gives back the slots left empty).
    /// Returns how many were submitted.
    pub fn commit(mut self) -> usize {
        self.ring.cancel(self.n - self.pushed);
        self.ring.submit(self.pushed);
        self.done = true;
        self.pushed as usize
    }

    /// Cancels the reservation, putting the pushed frames back into `out`.
    pub fn cancel(mut self, out: &mut Vec<Frame>) {
        for i in 0..self.pushed {
            // SAFETY: slots this batch wrote, not submitted.
            let d = unsafe { self.ring.desc_slot(self.idx.wrapping_add(i)).read() };
            out.push(self.layout.frame(d.addr, d.len, d.options));
        }
        self.ring.cancel(self.n);
        self.done = true;
    }
}

impl Drop for TxBatch<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.ring.cancel(self.n);
        }
    }
}

macro_rules! batch_debug {
    ($t:ident, $count:ident) => {
        impl fmt::Debug for $t<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($t))
                    .field("idx", &self.idx)
                    .field("n", &self.n)
                    .field(stringify!($count), &self.$count)
                    .finish()
            }
        }
    };
}

batch_debug!(FillBatch, pushed);
batch_debug!(TxBatch, pushed);
batch_debug!(RxBatch, taken);
batch_debug!(CompBatch, taken);
