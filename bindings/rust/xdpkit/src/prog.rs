//! XDP programs and their bpf_link attachments.
use std::fmt;
use std::os::fd::RawFd;
use std::path::Path;
use std::ptr::NonNull;

use xdpkit_sys as sys;

use crate::error::{check, cstring, Error, Result};
use crate::map::MapRef;
use crate::socket::XdpMode;

/// A loaded XDP program with the maps of its object. Unloaded (and its
/// maps closed) on drop; links attached from it keep it running until
/// they are detached.
pub struct Program {
    h: NonNull<sys::xdpkit_prog>,
}

// SAFETY: the library's handle calls are thread-safe.
unsafe impl Send for Program {}
unsafe impl Sync for Program {}

impl Program {
    /// Loads the ELF object at `path` with its maps and selects program
    /// `name` (a function or section name; `None`: the object's only XDP
    /// program). `ENOENT` when there is no such program.
    pub fn load(path: impl AsRef<Path>, name: Option<&str>) -> Result<Program> {
        use std::os::unix::ffi::OsStrExt;
        let path = path.as_ref();
        let p = std::ffi::CString::new(path.as_os_str().as_bytes())
            .map_err(|_| Error::new(libc::EINVAL, format!("xdpkit: path {path:?} contains a NUL byte")))?;
        let name = name.map(|n| cstring("program name", n)).transpose()?;
        let mut out = std::ptr::null_mut();
        // SAFETY: C strings or NULL; out valid.
        check(unsafe {
            sys::xdpkit_prog_load_file(&mut out, p.as_ptr(), name.as_ref().map_or(std::ptr::null(), |n| n.as_ptr()))
        })?;
        Ok(Program { h: NonNull::new(out).expect("xdpkit_prog_load_file returned NULL") })
    }

    /// Loads xdpkit's default program (rx_queue_index -> `xsks_map` ->
    /// socket, else XDP_PASS) with an XSKMAP of `max_queues` entries, for
    /// a caller who manages it (sockets built with `program(false)`).
    #[allow(clippy::should_implement_trait)]
    pub fn default(max_queues: u32) -> Result<Program> {
        let mut out = std::ptr::null_mut();
        // SAFETY: out valid.
        check(unsafe { sys::xdpkit_prog_load_default(&mut out, max_queues) })?;
        Ok(Program { h: NonNull::new(out).expect("xdpkit_prog_load_default returned NULL") })
    }

    /// The program's fd.
    pub fn fd(&self) -> Result<RawFd> {
        // SAFETY: live handle.
        check(unsafe { sys::xdpkit_prog_fd(self.h.as_ptr()) })
    }

    /// The program's kernel id.
    pub fn id(&self) -> Result<u32> {
        // SAFETY: live handle.
        check(unsafe { sys::xdpkit_prog_id(self.h.as_ptr()) }).map(|i| i as u32)
    }

    /// The fd of the object's map called `name`; it stays valid while the
    /// program does.
    pub fn map_fd(&self, name: &str) -> Result<RawFd> {
        let n = cstring("map name", name)?;
        // SAFETY: live handle, C string.
        check(unsafe { sys::xdpkit_prog_map_fd(self.h.as_ptr(), n.as_ptr()) })
    }

    /// The object's map called `name`, borrowing the program. Wrap it in a
    /// typed map with e.g. [`XskMap::try_from_map`](crate::XskMap::try_from_map).
    pub fn map(&self, name: &str) -> Result<MapRef<'_>> {
        MapRef::new(self.map_fd(name)?, self)
    }

    /// Attaches the program to `ifname` through a bpf_link. Detached when
    /// the [`Link`] is dropped (or the process exits).
    pub fn attach(&self, ifname: &str, mode: XdpMode) -> Result<Link> {
        let n = cstring("interface name", ifname)?;
        let mut out = std::ptr::null_mut();
        // SAFETY: live handle, C string, out valid.
        check(unsafe { sys::xdpkit_prog_attach(self.h.as_ptr(), n.as_ptr(), mode.flags(), &mut out) })?;
        Ok(Link { h: NonNull::new(out).expect("xdpkit_prog_attach returned NULL") })
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        // SAFETY: live handle, deleted once.
        unsafe { sys::xdpkit_prog_delete(self.h.as_ptr()) };
    }
}

impl fmt::Debug for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Program").field("id", &self.id().ok()).finish()
    }
}

/// An XDP attachment (bpf_link); detached on drop.
pub struct Link {
    h: NonNull<sys::xdpkit_link>,
}

// SAFETY: the library's handle calls are thread-safe.
unsafe impl Send for Link {}
unsafe impl Sync for Link {}

impl Link {
    /// The mode the link attached in.
    pub fn mode(&self) -> Result<XdpMode> {
        // SAFETY: live handle.
        let m = check(unsafe { sys::xdpkit_link_mode(self.h.as_ptr()) })?;
        XdpMode::from_flags(m as u32)
            .ok_or_else(|| Error::new(libc::EINVAL, format!("xdpkit: unknown link mode {m:#x}")))
    }

    /// Detaches now, reporting failure (dropping detaches too).
    pub fn detach(self) -> Result<()> {
        let h = self.h;
        std::mem::forget(self);
        // SAFETY: live handle, detached once (self is forgotten).
        check(unsafe { sys::xdpkit_link_detach(h.as_ptr()) }).map(drop)
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        // SAFETY: live handle, detached once.
        unsafe { sys::xdpkit_link_detach(self.h.as_ptr()) };
    }
}

impl fmt::Debug for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Link").field("mode", &self.mode().ok()).finish()
    }
}
