//! UMEM: the packet memory shared with the kernel, and the [`Frame`]
//! tokens that say who owns which part of it.
use std::cell::UnsafeCell;
use std::fmt;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use xdpkit_sys as sys;

use crate::error::{check, Error, Result};
use crate::ring::{CompRing, FillRing};

static NEXT_UMEM_ID: AtomicU32 = AtomicU32::new(1);

/// UMEM settings; the defaults are the library's (4096 frames of 4096
/// bytes, fill and completion rings of 2048 entries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UmemConfig {
    /// Number of frames (chunks) in the area.
    pub frame_count: u32,
    /// Frame (chunk) size: a power of two from 2048 to the page size.
    pub frame_size: u32,
    /// Fill ring entries (power of two; 0: 2048).
    pub fill_size: u32,
    /// Completion ring entries (power of two; 0: 2048).
    pub comp_size: u32,
    /// Bytes the kernel leaves free before received data.
    pub frame_headroom: u32,
    /// XDP_UMEM_UNALIGNED_CHUNK_FLAG: descriptor addresses carry their
    /// offset in the high 16 bits.
    pub unaligned: bool,
    /// Room for TX metadata before each TX frame (XDP_UMEM_TX_METADATA_LEN).
    pub tx_metadata_len: u32,
}

impl Default for UmemConfig {
    fn default() -> Self {
        Self {
            frame_count: sys::XDPKIT_DEFAULT_NUM_FRAMES,
            frame_size: sys::XDPKIT_DEFAULT_FRAME_SIZE,
            fill_size: 0,
            comp_size: 0,
            frame_headroom: 0,
            unaligned: false,
            tx_metadata_len: 0,
        }
    }
}

/// How descriptor addresses map to frames of one UMEM.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Layout {
    pub id: u32,
    pub area: NonNull<u8>,
    pub size: u64,
    pub frame_size: u32,
    pub unaligned: bool,
}

// SAFETY: Layout is plain data; the pointer is only dereferenced through
// Frame tokens, whose uniqueness makes the accesses exclusive.
unsafe impl Send for Layout {}
unsafe impl Sync for Layout {}

impl Layout {
    /// The frame a descriptor address (from the RX or completion ring)
    /// stands for.
    #[inline]
    pub fn frame(&self, addr: u64, len: u32, options: u32) -> Frame {
        let (base, offset) = if self.unaligned {
            (addr & sys::XDPKIT_UNALIGNED_BUF_ADDR_MASK, (addr >> sys::XDPKIT_UNALIGNED_BUF_OFFSET_SHIFT) as u32)
        } else {
            let base = addr & !(u64::from(self.frame_size) - 1);
            (base, (addr - base) as u32)
        };
        Frame { base, offset, len, options, cap: self.frame_size, umem: self.id }
    }

    /// The descriptor address of a frame.
    #[inline]
    pub fn addr(&self, f: &Frame) -> u64 {
        if self.unaligned {
            f.base | (u64::from(f.offset) << sys::XDPKIT_UNALIGNED_BUF_OFFSET_SHIFT)
        } else {
            f.base + u64::from(f.offset)
        }
    }

    /// Panics unless `f` is a frame of this UMEM.
    #[inline]
    pub fn check(&self, f: &Frame) {
        assert!(f.umem == self.id, "xdpkit: frame {:#x} belongs to another UMEM", f.base);
    }

    /// Bytes [start, end) of the area for `f`'s data, within its chunk and
    /// the area.
    #[inline]
    pub(crate) fn range(&self, f: &Frame, whole_chunk: bool) -> (usize, usize) {
        self.check(f);
        let chunk_end = (f.base + u64::from(f.cap)).min(self.size);
        let (start, end) = if whole_chunk {
            (f.base.min(chunk_end), chunk_end)
        } else {
            let start = (f.base + u64::from(f.offset)).min(chunk_end);
            (start, (start + u64::from(f.len)).min(chunk_end))
        };
        (start as usize, end as usize)
    }
}

pub(crate) struct UmemInner {
    pub handle: NonNull<sys::xdpkit_umem>,
    pub layout: Layout,
    pub fd: i32,
    // The ring structs the library initialised; they must outlive the
    // handle, and the FillRing/CompRing objects work on them.
    pub fill: Box<UnsafeCell<sys::xdpkit_ring_prod>>,
    pub comp: Box<UnsafeCell<sys::xdpkit_ring_cons>>,
}

// SAFETY: the library's handle calls are thread-safe (handle registry
// under a mutex); the ring structs are touched only by the one FillRing and
// one CompRing object (each &mut self), and the area only through Frames.
unsafe impl Send for UmemInner {}
unsafe impl Sync for UmemInner {}

impl Drop for UmemInner {
    fn drop(&mut self) {
        // Every socket holds an Arc of this UMEM: none is left.
        // SAFETY: the handle is live and deleted once.
        let ret = unsafe { sys::xdpkit_umem_delete(self.handle.as_ptr()) };
        debug_assert!(ret == 0, "xdpkit_umem_delete: {}", Error::from_ret(ret));
    }
}

/// A registered UMEM: an area of `frame_count` frames, mmap'd by the
/// library, that sockets receive into and send from.
///
/// `Umem` is a cheap clone (an `Arc`); every socket and ring made from it
/// holds one, so the area stays mapped and registered until the last of
/// them is dropped, whatever the drop order.
///
/// Frame data is reached through [`Frame`] tokens ([`Umem::frame`],
/// [`Umem::frame_mut`]); see the crate documentation for the safety model.
#[derive(Clone)]
pub struct Umem {
    pub(crate) inner: Arc<UmemInner>,
}

/// What [`Umem::create`] returns: the UMEM, its fill and completion rings
/// and one [`Frame`] token per frame of the area.
#[derive(Debug)]
pub struct UmemParts {
    pub umem: Umem,
    pub fill: FillRing,
    pub comp: CompRing,
    pub frames: Vec<Frame>,
}

impl Umem {
    /// Creates and registers a UMEM with a library-allocated area of
    /// `cfg.frame_count * cfg.frame_size` bytes.
    ///
    /// Errors: `EINVAL` (bad frame size, headroom, ring size), `ENOMEM`,
    /// `EPERM`.
    pub fn create(cfg: &UmemConfig) -> Result<UmemParts> {
        let size = u64::from(cfg.frame_count) * u64::from(cfg.frame_size);
        if size == 0 {
            return Err(Error::new(libc::EINVAL, "xdpkit: UMEM frame_count and frame_size must not be 0"));
        }
        let ccfg = sys::xdpkit_umem_config {
            fill_size: cfg.fill_size,
            comp_size: cfg.comp_size,
            frame_size: cfg.frame_size,
            frame_headroom: cfg.frame_headroom,
            flags: if cfg.unaligned { sys::XDPKIT_UMEM_UNALIGNED_CHUNK_FLAG } else { 0 }
                | if cfg.tx_metadata_len != 0 { sys::XDPKIT_UMEM_TX_METADATA_LEN } else { 0 },
            tx_metadata_len: cfg.tx_metadata_len,
            ..Default::default()
        };
        let fill = Box::new(UnsafeCell::new(sys::xdpkit_ring_prod::zeroed()));
        let comp = Box::new(UnsafeCell::new(sys::xdpkit_ring_cons::zeroed()));
        let mut out = std::ptr::null_mut();
        // SAFETY: out and the ring structs are valid for writes; the ring
        // boxes are kept in UmemInner, which deletes the handle before
        // freeing them.
        check(unsafe { sys::xdpkit_umem_create(&mut out, std::ptr::null_mut(), size, fill.get(), comp.get(), &ccfg) })?;
        let handle = NonNull::new(out).expect("xdpkit_umem_create returned NULL");
        // SAFETY: live handle.
        let (area, real_size, fd) = unsafe {
            (
                sys::xdpkit_umem_area(handle.as_ptr()),
                sys::xdpkit_umem_size(handle.as_ptr()),
                sys::xdpkit_umem_fd(handle.as_ptr()),
            )
        };
        let area = NonNull::new(area.cast::<u8>());
        let (Some(area), true) = (area, real_size > 0) else {
            // SAFETY: live handle, deleted once.
            unsafe { sys::xdpkit_umem_delete(handle.as_ptr()) };
            return Err(Error::new(libc::EINVAL, "xdpkit: the library reported no UMEM area"));
        };
        let layout = Layout {
            id: NEXT_UMEM_ID.fetch_add(1, Ordering::Relaxed),
            area,
            size: real_size as u64,
            frame_size: cfg.frame_size,
            unaligned: cfg.unaligned,
        };
        let inner = Arc::new(UmemInner { handle, layout, fd, fill, comp });
        let count = layout.size / u64::from(cfg.frame_size);
        let frames = (0..count)
            .map(|i| Frame {
                base: i * u64::from(cfg.frame_size),
                offset: 0,
                len: 0,
                options: 0,
                cap: cfg.frame_size,
                umem: layout.id,
            })
            .collect();
        let umem = Umem { inner };
        Ok(UmemParts { fill: FillRing::new(umem.clone()), comp: CompRing::new(umem.clone()), umem, frames })
    }

    /// The area's size in bytes.
    pub fn size(&self) -> u64 {
        self.inner.layout.size
    }

    /// The frame (chunk) size.
    pub fn frame_size(&self) -> u32 {
        self.inner.layout.frame_size
    }

    /// The number of frames of the area.
    pub fn frame_count(&self) -> u32 {
        (self.inner.layout.size / u64::from(self.inner.layout.frame_size)) as u32
    }

    /// The UMEM's AF_XDP socket fd (the first socket bound on it uses it).
    pub fn fd(&self) -> i32 {
        self.inner.fd
    }

    /// The data of a frame: `len` bytes from its offset.
    ///
    /// # Panics
    /// When `frame` belongs to another UMEM.
    #[inline]
    pub fn frame<'a>(&'a self, frame: &'a Frame) -> &'a [u8] {
        let (start, end) = self.inner.layout.range(frame, false);
        // SAFETY: [start, end) lies in the area (range clamps it to the
        // frame's chunk and the area), which stays mapped while self
        // lives. The token is unique and the kernel does not own its chunk
        // while it exists, so nothing writes there during the borrow.
        unsafe { std::slice::from_raw_parts(self.inner.layout.area.as_ptr().add(start), end - start) }
    }

    /// The data of a frame, writable: `len` bytes from its offset.
    ///
    /// # Panics
    /// When `frame` belongs to another UMEM.
    #[inline]
    pub fn frame_mut<'a>(&'a self, frame: &'a mut Frame) -> &'a mut [u8] {
        let (start, end) = self.inner.layout.range(frame, false);
        // SAFETY: as in frame(); &mut Frame makes the access exclusive, and
        // chunks of distinct tokens do not overlap.
        unsafe { std::slice::from_raw_parts_mut(self.inner.layout.area.as_ptr().add(start), end - start) }
    }

    /// The whole chunk of a frame (all `frame_size` bytes, headroom
    /// included), writable.
    ///
    /// # Panics
    /// When `frame` belongs to another UMEM.
    pub fn chunk_mut<'a>(&'a self, frame: &'a mut Frame) -> &'a mut [u8] {
        let (start, end) = self.inner.layout.range(frame, true);
        // SAFETY: as in frame_mut().
        unsafe { std::slice::from_raw_parts_mut(self.inner.layout.area.as_ptr().add(start), end - start) }
    }

    /// `len` bytes of the area at descriptor address `addr` (either
    /// mode), without a token.
    ///
    /// Returns `None` when the range leaves the area.
    ///
    /// # Safety
    /// Nothing may write these bytes while the slice lives: neither the
    /// kernel (the frame must not be on the fill or RX ring) nor Rust (no
    /// `&mut` from [`Umem::frame_mut`] or [`Umem::frame_at_mut`] over
    /// them).
    pub unsafe fn frame_at(&self, addr: u64, len: u32) -> Option<&[u8]> {
        let (start, end) = self.raw_range(addr, len)?;
        Some(std::slice::from_raw_parts(self.inner.layout.area.as_ptr().add(start), end - start))
    }

    /// `len` writable bytes of the area at descriptor address `addr`,
    /// without a token. Returns `None` when the range leaves the area.
    ///
    /// # Safety
    /// Nothing else may read or write these bytes while the slice lives:
    /// not the kernel (the frame must be on no ring) and no other slice.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn frame_at_mut(&self, addr: u64, len: u32) -> Option<&mut [u8]> {
        let (start, end) = self.raw_range(addr, len)?;
        Some(std::slice::from_raw_parts_mut(self.inner.layout.area.as_ptr().add(start), end - start))
    }

    fn raw_range(&self, addr: u64, len: u32) -> Option<(usize, usize)> {
        let a = (addr & sys::XDPKIT_UNALIGNED_BUF_ADDR_MASK) + (addr >> sys::XDPKIT_UNALIGNED_BUF_OFFSET_SHIFT);
        let end = a.checked_add(u64::from(len))?;
        (end <= self.inner.layout.size).then_some((a as usize, end as usize))
    }

    /// Mints the token of the frame at `addr`: for frames whose token was
    /// given up with [`FillBatch::push_addr`](crate::FillBatch::push_addr)
    /// or the like. Returns `None` for an address outside the area.
    ///
    /// # Safety
    /// No other token of the same chunk may exist, and the kernel must not
    /// own the chunk (it is on no fill or TX ring).
    pub unsafe fn frame_from_addr(&self, addr: u64, len: u32) -> Option<Frame> {
        let f = self.inner.layout.frame(addr, len, 0);
        (f.base + u64::from(f.cap) <= self.inner.layout.size).then_some(f)
    }

    pub(crate) fn layout(&self) -> &Layout {
        &self.inner.layout
    }

    pub(crate) fn handle(&self) -> *mut sys::xdpkit_umem {
        self.inner.handle.as_ptr()
    }
}

impl fmt::Debug for Umem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Umem")
            .field("size", &self.inner.layout.size)
            .field("frame_size", &self.inner.layout.frame_size)
            .field("unaligned", &self.inner.layout.unaligned)
            .field("fd", &self.inner.fd)
            .finish()
    }
}

/// The ownership token of one frame (chunk) of a UMEM, with the position
/// and length of its data.
///
/// There is exactly one token per chunk not in the kernel's hands:
/// [`Umem::create`] makes one per chunk, giving a frame to the kernel (the
/// fill or TX ring) consumes its token, and taking it back (the RX or
/// completion ring) makes a new one. A `Frame` is neither `Clone` nor
/// `Copy`, so holding one (or `&mut` one) means nobody else, kernel
/// included, touches its bytes. Dropping a token leaks its chunk (it is
/// never used again), which is safe.
#[derive(PartialEq, Eq)]
pub struct Frame {
    base: u64,
    offset: u32,
    len: u32,
    options: u32,
    cap: u32,
    umem: u32,
}

impl Frame {
    /// The chunk's address in the UMEM (a multiple of the frame size).
    #[inline]
    pub fn base(&self) -> u64 {
        self.base
    }

    /// Where the data starts, from the chunk's start.
    #[inline]
    pub fn offset(&self) -> u32 {
        self.offset
    }

    /// The data's length.
    #[inline]
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether the frame holds no data.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The descriptor's option bits (`XDPKIT_PKT_CONTD`: more fragments of
    /// the packet follow).
    #[inline]
    pub fn options(&self) -> u32 {
        self.options
    }

    /// Whether more fragments of the same packet follow (multi-buffer).
    #[inline]
    pub fn is_continued(&self) -> bool {
        self.options & sys::XDPKIT_PKT_CONTD != 0
    }

    /// Sets the descriptor option bits sent with the frame.
    #[inline]
    pub fn set_options(&mut self, options: u32) {
        self.options = options;
    }

    /// The most data the chunk holds from the current offset.
    #[inline]
    pub fn capacity(&self) -> usize {
        (self.cap - self.offset) as usize
    }

    /// Sets the data's length (e.g. before writing a frame to send).
    ///
    /// # Panics
    /// When `offset + len` exceeds the chunk.
    #[inline]
    pub fn set_len(&mut self, len: usize) {
        assert!(len <= self.capacity(), "xdpkit: frame length {len} exceeds the chunk ({})", self.capacity());
        self.len = len as u32;
    }

    /// Moves the data's start to `offset` from the chunk's start, keeping
    /// the length if it still fits (else clamping it).
    ///
    /// # Panics
    /// When `offset` lies outside the chunk.
    #[inline]
    pub fn set_offset(&mut self, offset: u32) {
        assert!(offset <= self.cap, "xdpkit: frame offset {offset} exceeds the chunk ({})", self.cap);
        self.offset = offset;
        self.len = self.len.min(self.cap - offset);
    }
}

impl fmt::Debug for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Frame")
            .field("base", &format_args!("{:#x}", self.base))
            .field("offset", &self.offset)
            .field("len", &self.len)
            .field("options", &self.options)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(unaligned: bool) -> Layout {
        Layout { id: 7, area: NonNull::dangling(), size: 16 * 4096, frame_size: 4096, unaligned }
    }

    #[test]
    fn aligned_addresses() {
        let l = layout(false);
        let f = l.frame(3 * 4096 + 256, 60, 0);
        assert_eq!((f.base(), f.offset(), f.len()), (3 * 4096, 256, 60));
        assert_eq!(l.addr(&f), 3 * 4096 + 256);
        assert_eq!(l.range(&f, false), (3 * 4096 + 256, 3 * 4096 + 316));
        assert_eq!(l.range(&f, true), (3 * 4096, 4 * 4096));
        assert_eq!(f.capacity(), 4096 - 256);
    }

    #[test]
    fn unaligned_addresses() {
        let l = layout(true);
        let addr = (5 * 4096) | (300u64 << 48);
        let f = l.frame(addr, 10, sys::XDPKIT_PKT_CONTD);
        assert_eq!((f.base(), f.offset(), f.len()), (5 * 4096, 300, 10));
        assert!(f.is_continued());
        assert_eq!(l.addr(&f), addr);
    }

    #[test]
    fn ranges_stay_in_the_chunk_and_area() {
        let l = layout(false);
        let mut f = l.frame(15 * 4096 + 4000, 500, 0); // len past the chunk
        assert_eq!(l.range(&f, false), (15 * 4096 + 4000, 16 * 4096));
        f.set_offset(4096);
        assert_eq!(f.len(), 0);
        let g = l.frame(40 * 4096, 100, 0); // outside the area
        let (s, e) = l.range(&g, true);
        assert!(s <= e && e <= 16 * 4096);
    }

    #[test]
    #[should_panic(expected = "exceeds the chunk")]
    fn set_len_checks() {
        layout(false).frame(0, 0, 0).set_len(4097);
    }

    #[test]
    #[should_panic(expected = "another UMEM")]
    fn foreign_frames_panic() {
        let f = layout(false).frame(0, 0, 0);
        let other = Layout { id: 8, ..layout(false) };
        other.check(&f);
    }
}
