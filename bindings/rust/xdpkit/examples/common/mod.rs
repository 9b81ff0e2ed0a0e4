//! Option parsing and small helpers shared by the examples, with the same
//! flags as the C examples (examples/c/common.h):
//!   -i IFNAME   interface (required)
//!   -q QUEUE    queue index (0)
//!   -m MODE     XDP program mode: skb, drv or auto (auto)
//!   -c          force copy mode        -z   require zero-copy
//!   -d SECONDS  stop after this long (0: until SIGINT/SIGTERM)
//!   -s SIZE     UMEM frame size (4096)
#![allow(dead_code)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use xdpkit::{Socket, XdpMode};

pub const NUM_FRAMES: u32 = 4096;
pub const BATCH: u32 = 64;

pub struct Opts {
    pub ifname: String,
    pub queue: u32,
    pub mode: XdpMode,
    pub copy: bool,
    pub zerocopy: bool,
    pub duration: f64,
    pub frame_size: u32,
    /// Options an example takes beyond the common ones: (letter, value).
    pub extra: Vec<(char, String)>,
}

fn usage(prog: &str, extra_usage: &str) -> ! {
    eprintln!("usage: {prog} -i IFNAME [-q QUEUE] [-m skb|drv|auto] [-c|-z] [-d SECONDS] [-s FRAME_SIZE]{extra_usage}");
    std::process::exit(2);
}

/// Parses the common options; letters in `extra` take a value and are
/// returned in `Opts::extra`.
pub fn parse(prog: &str, extra: &str, extra_usage: &str) -> Opts {
    let mut o = Opts {
        ifname: String::new(),
        queue: 0,
        mode: XdpMode::Auto,
        copy: false,
        zerocopy: false,
        duration: 0.0,
        frame_size: 4096,
        extra: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let Some(flag) = a.strip_prefix('-').and_then(|f| f.chars().next()).filter(|_| a.len() == 2) else {
            usage(prog, extra_usage)
        };
        let mut value = || args.next().unwrap_or_else(|| usage(prog, extra_usage));
        match flag {
            'i' => o.ifname = value(),
            'q' => o.queue = value().parse().unwrap_or_else(|_| usage(prog, extra_usage)),
            'm' => {
                o.mode = match value().as_str() {
                    "skb" => XdpMode::Skb,
                    "drv" => XdpMode::Drv,
                    "auto" => XdpMode::Auto,
                    _ => usage(prog, extra_usage),
                }
            }
            'c' => o.copy = true,
            'z' => o.zerocopy = true,
            'd' => {
                o.duration = value().parse().unwrap_or_else(|_| usage(prog, extra_usage));
                if o.duration < 0.0 {
                    usage(prog, extra_usage);
                }
            }
            's' => o.frame_size = value().parse().unwrap_or_else(|_| usage(prog, extra_usage)),
            c if extra.contains(c) => {
                let v = value();
                o.extra.push((c, v));
            }
            _ => usage(prog, extra_usage),
        }
    }
    if o.ifname.is_empty() {
        usage(prog, extra_usage);
    }
    if o.copy && o.zerocopy {
        eprintln!("{prog}: -c and -z are exclusive");
        std::process::exit(2);
    }
    o
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::Relaxed);
}

/// Installs SIGINT/SIGTERM handlers that set the stop flag.
pub fn install_signals() {
    // SAFETY: the handler only stores to an atomic.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = on_signal as *const () as usize;
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(libc::SIGINT, &sa, std::ptr::null_mut());
        libc::sigaction(libc::SIGTERM, &sa, std::ptr::null_mut());
    }
}

/// Whether a signal asked to stop.
pub fn stopping() -> bool {
    STOP.load(Ordering::Relaxed)
}

/// The end of the run (-d), or None.
pub fn deadline(o: &Opts) -> Option<Instant> {
    (o.duration > 0.0).then(|| Instant::now() + Duration::from_secs_f64(o.duration))
}

/// Prints the error (the library's message names the call and cause) and
/// exits.
pub fn die(prog: &str, e: xdpkit::Error) -> ! {
    eprintln!("{prog}: {e}");
    std::process::exit(1);
}

pub fn mode_name(m: Option<XdpMode>) -> &'static str {
    match m {
        Some(XdpMode::Skb) => "skb",
        Some(XdpMode::Drv) => "drv",
        Some(XdpMode::Hw) => "hw",
        _ => "none",
    }
}

/// One line of rate and XDP statistics.
pub fn print_stats(prog: &str, sock: &Socket, what: &str, total: u64, delta: u64, interval: Duration) {
    let pps = if interval.is_zero() { 0.0 } else { delta as f64 / interval.as_secs_f64() };
    let mut line = format!("{prog}: {pps:10.0} pps  {what} {total}");
    if let Ok(st) = sock.stats() {
        line += &format!(
            "  rx_dropped {} rx_invalid {} tx_invalid {} rx_ring_full {} fill_empty {} tx_empty {}",
            st.rx_dropped,
            st.rx_invalid_descs,
            st.tx_invalid_descs,
            st.rx_ring_full,
            st.rx_fill_ring_empty_descs,
            st.tx_ring_empty_descs
        );
    }
    println!("{line}");
}
