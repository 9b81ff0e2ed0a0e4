//! Test helpers: a root check, a veth pair between two fresh network
//! namespaces (torn down on drop), running code inside a namespace (setns
//! on a thread and back), AF_PACKET sending and an AF_XDP receive loop.
#![allow(dead_code)]

use std::ffi::CString;
use std::fs::File;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use xdpkit::{CompRing, FillRing, Frame, RxRing, Socket, Umem};

pub const IF_A: &str = "va";
pub const IF_B: &str = "vb";
pub const MAC_A: [u8; 6] = [0x02, 0, 0, 0x78, 0, 0x01];
pub const MAC_B: [u8; 6] = [0x02, 0, 0, 0x78, 0, 0x02];
pub const IP_A: &str = "10.78.0.1";
pub const IP_B: &str = "10.78.0.2";
/// EtherType of the test frames (IEEE local experimental).
pub const ETHERTYPE: u16 = 0x88b5;

/// Whether root tests can run: true as root; otherwise fails under CI
/// (CI=true) and returns false (skip) with a message elsewhere.
pub fn root(test: &str) -> bool {
    // SAFETY: plain call.
    if unsafe { libc::geteuid() } == 0 {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("{test}: needs root (CAP_BPF, CAP_NET_ADMIN), and CI=true");
    }
    // Straight to stderr: the test harness captures eprintln!.
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{test}: skipped: needs root (CAP_BPF, CAP_NET_ADMIN)");
    false
}

fn run(args: &[&str]) {
    let out = Command::new(args[0]).args(&args[1..]).output().unwrap_or_else(|e| panic!("{args:?}: {e}"));
    assert!(out.status.success(), "{args:?} failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr));
}

fn mac_str(m: [u8; 6]) -> String {
    m.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":")
}

/// Two namespaces A and B joined by a veth pair: `va` (MAC_A, IP_A) in A
/// and `vb` (MAC_B, IP_B) in B, IPv6 off, static neighbours both ways.
/// Deleted on drop.
pub struct NetPair {
    pub a: String,
    pub b: String,
    created: Vec<String>,
}

impl NetPair {
    pub fn new() -> NetPair {
        static N: AtomicU32 = AtomicU32::new(0);
        let tag = format!("xdpkit-rs-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
        let mut p = NetPair { a: format!("{tag}-a"), b: format!("{tag}-b"), created: Vec::new() };
        for ns in [p.a.clone(), p.b.clone()] {
            run(&["ip", "netns", "add", &ns]);
            p.created.push(ns.clone());
            // IPv6 off before the veth exists: no router/neighbour chatter.
            run(&[
                "ip",
                "netns",
                "exec",
                &ns,
                "sysctl",
                "-qw",
                "net.ipv6.conf.all.disable_ipv6=1",
                "net.ipv6.conf.default.disable_ipv6=1",
            ]);
            run(&["ip", "-n", &ns, "link", "set", "lo", "up"]);
        }
        let (ma, mb) = (mac_str(MAC_A), mac_str(MAC_B));
        run(&[
            "ip", "-n", &p.a, "link", "add", IF_A, "address", &ma, "type", "veth", "peer", "name", IF_B, "address",
            &mb, "netns", &p.b,
        ]);
        run(&["ip", "-n", &p.a, "addr", "add", &format!("{IP_A}/24"), "dev", IF_A]);
        run(&["ip", "-n", &p.b, "addr", "add", &format!("{IP_B}/24"), "dev", IF_B]);
        run(&["ip", "-n", &p.a, "link", "set", IF_A, "up"]);
        run(&["ip", "-n", &p.b, "link", "set", IF_B, "up"]);
        run(&["ip", "-n", &p.a, "neigh", "add", IP_B, "lladdr", &mb, "dev", IF_A, "nud", "permanent"]);
        run(&["ip", "-n", &p.b, "neigh", "add", IP_A, "lladdr", &ma, "dev", IF_B, "nud", "permanent"]);
        p
    }

    /// Adds a second veth pair inside A: `c` (address mac_c) and `d`.
    pub fn add_veth_in_a(&self, c: &str, d: &str, mac_c: [u8; 6]) {
        run(&["ip", "-n", &self.a, "link", "add", c, "address", &mac_str(mac_c), "type", "veth", "peer", "name", d]);
        run(&["ip", "-n", &self.a, "link", "set", c, "up"]);
        run(&["ip", "-n", &self.a, "link", "set", d, "up"]);
    }

    /// Runs f on a thread inside namespace A.
    pub fn in_a<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        in_ns(&self.a, f)
    }

    /// Runs f on a thread inside namespace B.
    pub fn in_b<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        in_ns(&self.b, f)
    }

    /// Sends raw Ethernet frames out of `vb` (from B, with AF_PACKET).
    pub fn send_from_b(&self, frames: &[Vec<u8>]) {
        self.in_b(|| send_packet(IF_B, frames));
    }
}

impl Drop for NetPair {
    fn drop(&mut self) {
        for ns in &self.created {
            // Deleting a namespace removes its veth end (and the peer).
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

/// Puts the calling thread into a network namespace, and back on drop.
struct NsGuard {
    orig: File,
}

impl NsGuard {
    fn enter(ns: &str) -> NsGuard {
        let orig = File::open("/proc/thread-self/ns/net").expect("own netns");
        let target = File::open(format!("/run/netns/{ns}")).unwrap_or_else(|e| panic!("netns {ns}: {e}"));
        // SAFETY: valid namespace fd.
        let r = unsafe { libc::setns(target.as_raw_fd(), libc::CLONE_NEWNET) };
        assert_eq!(r, 0, "setns {ns}: {}", std::io::Error::last_os_error());
        NsGuard { orig }
    }
}

impl Drop for NsGuard {
    fn drop(&mut self) {
        // SAFETY: valid namespace fd.
        let r = unsafe { libc::setns(self.orig.as_raw_fd(), libc::CLONE_NEWNET) };
        assert_eq!(r, 0, "setns back: {}", std::io::Error::last_os_error());
    }
}

/// Runs f on a new thread switched into namespace `ns` (setns on
/// /run/netns/NS, back to its own namespace when f returns).
pub fn in_ns<T: Send>(ns: &str, f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        s.spawn(|| {
            let _g = NsGuard::enter(ns);
            f()
        })
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
    })
}

/// Sends frames out of ifname with an AF_PACKET socket (current netns).
pub fn send_packet(ifname: &str, frames: &[Vec<u8>]) {
    let name = CString::new(ifname).unwrap();
    // SAFETY: plain calls with valid arguments.
    unsafe {
        let ifindex = libc::if_nametoindex(name.as_ptr());
        assert_ne!(ifindex, 0, "no interface {ifname}");
        let fd = libc::socket(libc::AF_PACKET, libc::SOCK_RAW, 0);
        assert!(fd >= 0, "AF_PACKET socket: {}", std::io::Error::last_os_error());
        let fd = OwnedFd::from_raw_fd(fd);
        let mut sll: libc::sockaddr_ll = std::mem::zeroed();
        sll.sll_family = libc::AF_PACKET as u16;
        sll.sll_ifindex = ifindex as i32;
        sll.sll_halen = 6;
        for f in frames {
            sll.sll_addr[..6].copy_from_slice(&f[..6]);
            let n = libc::sendto(
                fd.as_raw_fd(),
                f.as_ptr().cast(),
                f.len(),
                0,
                (&sll as *const libc::sockaddr_ll).cast(),
                std::mem::size_of::<libc::sockaddr_ll>() as u32,
            );
            assert_eq!(n, f.len() as isize, "sendto: {}", std::io::Error::last_os_error());
        }
    }
}

/// A test frame: dst, src, ETHERTYPE, "XDPKIT", seq (BE u32), then a
/// pattern depending on seq, `len` bytes in all.
pub fn test_frame(dst: [u8; 6], src: [u8; 6], seq: u32, len: usize) -> Vec<u8> {
    assert!(len >= 24);
    let mut f = Vec::with_capacity(len);
    f.extend_from_slice(&dst);
    f.extend_from_slice(&src);
    f.extend_from_slice(&ETHERTYPE.to_be_bytes());
    f.extend_from_slice(b"XDPKIT");
    f.extend_from_slice(&seq.to_be_bytes());
    let mut i = 0u32;
    while f.len() < len {
        f.push((seq.wrapping_mul(31).wrapping_add(i * 7)) as u8);
        i += 1;
    }
    f
}

/// Whether a frame is one of ours.
pub fn is_test_frame(f: &[u8]) -> bool {
    f.len() >= 24 && f[12..14] == ETHERTYPE.to_be_bytes() && &f[14..20] == b"XDPKIT"
}

/// Receives until `n` test frames arrived or `timeout` passed, copying
/// their data and putting the frames back on the fill ring. Other frames
/// are recycled and counted in the second value.
pub fn receive(
    umem: &Umem,
    sock: &Socket,
    rx: &mut RxRing,
    fill: &mut FillRing,
    n: usize,
    timeout: Duration,
) -> (Vec<Vec<u8>>, usize) {
    let deadline = Instant::now() + timeout;
    let mut got = Vec::new();
    let mut others = 0;
    let mut frames: Vec<Frame> = Vec::new();
    while got.len() < n && Instant::now() < deadline {
        if rx.receive(&mut frames, 64) == 0 {
            if fill.needs_wakeup() {
                sock.wakeup_rx().unwrap();
            }
            sock.poll(libc::POLLIN, Some(Duration::from_millis(20))).unwrap();
            continue;
        }
        for f in &frames {
            let data = umem.frame(f);
            if is_test_frame(data) {
                got.push(data.to_vec());
            } else {
                others += 1;
            }
        }
        let len = frames.len();
        assert_eq!(fill.fill(&mut frames), len, "fill ring has room for every frame");
    }
    (got, others)
}

/// Collects completions into `free` until `outstanding` frames came back
/// or `timeout` passed, kicking the kernel as needed. Returns how many.
pub fn complete(
    tx_kick: &dyn Fn(),
    comp: &mut CompRing,
    free: &mut Vec<Frame>,
    outstanding: usize,
    timeout: Duration,
) -> usize {
    let deadline = Instant::now() + timeout;
    let mut done = 0;
    while done < outstanding && Instant::now() < deadline {
        let n = comp.complete(free, 64);
        done += n;
        if n == 0 {
            tx_kick();
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    done
}

/// Retries f while it fails with EBUSY (the kernel frees a closed
/// socket's queue asynchronously), for up to 3 s.
pub fn retry_busy<T>(mut f: impl FnMut() -> xdpkit::Result<T>) -> xdpkit::Result<T> {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        match f() {
            Err(e) if e.errno() == libc::EBUSY && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50))
            }
            r => return r,
        }
    }
}
