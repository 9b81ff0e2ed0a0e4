//! The error type: an errno and the library's message.
use std::ffi::{c_int, CStr};
use std::fmt;
use std::io;

/// A failed xdpkit call: the errno the library returned and the message it
/// left for the calling thread (`xdpkit_last_error()`), which names the
/// call and the cause.
///
/// Converts into [`std::io::Error`] with
/// [`from_raw_os_error`](std::io::Error::from_raw_os_error), so
/// `raw_os_error()` and `kind()` work on the result; [`source`] is that
/// same `io::Error`.
///
/// [`source`]: std::error::Error::source
pub struct Error {
    errno: i32,
    message: String,
    io: io::Error,
}

/// `Result<T, xdpkit::Error>`.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An error with an explicit errno and message (for checks the binding
    /// makes itself before calling the library).
    pub fn new(errno: i32, message: impl Into<String>) -> Self {
        Self { errno, message: message.into(), io: io::Error::from_raw_os_error(errno) }
    }

    /// The error of a negative return `ret`, with the thread's last
    /// message. Must be called right after the failing call, on its thread.
    pub(crate) fn from_ret(ret: c_int) -> Self {
        let errno = ret.checked_neg().unwrap_or(libc::EINVAL).max(0);
        // SAFETY: the library returns a NUL-terminated thread-local string
        // (or "") that stays valid until this thread's next failing call.
        let message = unsafe {
            let p = xdpkit_sys::xdpkit_last_error();
            if p.is_null() {
                String::new()
            } else {
                CStr::from_ptr(p).to_string_lossy().into_owned()
            }
        };
        Self { errno, message, io: io::Error::from_raw_os_error(errno) }
    }

    /// The errno (positive): `libc::ENOENT`, `libc::EINVAL`, ...
    pub fn errno(&self) -> i32 {
        self.errno
    }

    /// The library's message ("" when it left none).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The [`io::ErrorKind`] of the errno.
    pub fn kind(&self) -> io::ErrorKind {
        self.io.kind()
    }
}

/// Returns `Ok(ret)` for a non-negative return, the error otherwise.
pub(crate) fn check(ret: c_int) -> Result<c_int> {
    if ret < 0 {
        Err(Error::from_ret(ret))
    } else {
        Ok(ret)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            write!(f, "{}", self.io)
        } else {
            f.write_str(&self.message)
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("errno", &self.errno)
            .field("kind", &self.io.kind())
            .field("message", &self.message)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.io)
    }
}

impl From<Error> for io::Error {
    fn from(e: Error) -> io::Error {
        io::Error::from_raw_os_error(e.errno)
    }
}

/// The text of an errno (`xdpkit_strerror`).
pub fn strerror(errno: i32) -> String {
    // SAFETY: never NULL; static storage.
    unsafe { CStr::from_ptr(xdpkit_sys::xdpkit_strerror(errno)) }.to_string_lossy().into_owned()
}

/// A C string of `s`, or EINVAL when it holds a NUL byte.
pub(crate) fn cstring(what: &str, s: &str) -> Result<std::ffi::CString> {
    std::ffi::CString::new(s).map_err(|_| Error::new(libc::EINVAL, format!("xdpkit: {what} {s:?} contains a NUL byte")))
}
