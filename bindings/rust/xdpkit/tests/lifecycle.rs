//! Bad input with exact errnos, drop order, teardown, programs and links.
mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::*;
use xdpkit::{Program, Queue, Socket, Stack, Umem, UmemConfig, UmemParts, XdpMode, XskMap};

const TIMEOUT: Duration = Duration::from_secs(5);

fn errno<T: std::fmt::Debug>(r: xdpkit::Result<T>) -> i32 {
    r.expect_err("expected an error").errno()
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

#[test]
fn bad_input() {
    if !root("bad_input") {
        return;
    }
    let pair = NetPair::new();
    pair.in_a(|| {
        let parts = Umem::create(&UmemConfig::default()).unwrap();
        let umem = &parts.umem;

        let e = Socket::builder("xdpkit-nope0").build(umem).unwrap_err();
        assert_eq!(e.errno(), libc::ENODEV, "unknown interface: {e}");
        assert!(!e.message().is_empty(), "the library's message is kept");
        assert_eq!(e.to_string(), e.message());
        let io: std::io::Error = e.into();
        assert_eq!(io.raw_os_error(), Some(libc::ENODEV));

        let e = Socket::builder(IF_A).queue(5).build(umem).unwrap_err();
        assert_eq!(e.errno(), libc::EINVAL, "queue out of range: {e}");
        let src = std::error::Error::source(&e).unwrap().downcast_ref::<std::io::Error>().unwrap();
        assert_eq!(src.raw_os_error(), Some(libc::EINVAL));

        assert_eq!(errno(Socket::builder(IF_A).rx_size(1000).build(umem)), libc::EINVAL, "RX ring 1000");
        assert_eq!(errno(Socket::builder(IF_A).tx_size(1000).build(umem)), libc::EINVAL, "TX ring 1000");
        assert_eq!(errno(Socket::builder(IF_A).rx(false).tx(false).build(umem)), libc::EINVAL, "no ring at all");
        assert_eq!(errno(Socket::builder("va\0x").build(umem)), libc::EINVAL, "NUL in the name");
        assert_eq!(
            errno(Socket::builder(IF_A).mode(XdpMode::Drv).zerocopy(true).build(umem)),
            libc::EOPNOTSUPP,
            "veth has no zero-copy"
        );
        assert_eq!(errno(Socket::builder(IF_A).copy(true).zerocopy(true).build(umem)), libc::EINVAL, "copy + zerocopy");

        let bad = |cfg: UmemConfig| errno(Umem::create(&cfg));
        assert_eq!(bad(UmemConfig { frame_size: 1000, ..Default::default() }), libc::EINVAL, "frame size");
        assert_eq!(bad(UmemConfig { fill_size: 1000, ..Default::default() }), libc::EINVAL, "fill ring 1000");
        assert_eq!(bad(UmemConfig { comp_size: 1000, ..Default::default() }), libc::EINVAL, "comp ring 1000");
        assert_eq!(bad(UmemConfig { frame_count: 0, ..Default::default() }), libc::EINVAL, "no frames");
        assert_eq!(bad(UmemConfig { frame_headroom: 8192, ..Default::default() }), libc::EINVAL, "headroom");

        // A queue in use by a socket on another UMEM.
        let first = Socket::builder(IF_A).mode(XdpMode::Drv).build(umem).unwrap();
        let other = Umem::create(&UmemConfig::default()).unwrap();
        assert_eq!(errno(Socket::builder(IF_A).program(false).build(&other.umem)), libc::EBUSY, "queue busy");
        drop(first);

        assert_eq!(errno(xdpkit::if_index("xdpkit-nope0")), libc::ENODEV);
        assert_eq!(errno(xdpkit::if_queues("xdpkit-nope0")), libc::ENODEV);
        assert_eq!(xdpkit::if_queues(IF_A).unwrap().0, 1);
    });
}

#[test]
fn program_errors() {
    if !root("program_errors") {
        return;
    }
    assert_eq!(errno(Program::load("/nonexistent/xdpkit.o", None)), libc::ENOENT);
    let obj = repo().join("bpf/objs/queue_stack_bpfel.o");
    assert_eq!(errno(Program::load(&obj, Some("no_such_prog"))), libc::ENOENT);
    let p = Program::load(&obj, None).unwrap();
    assert_eq!(errno(p.map_fd("no_such_map")), libc::ENOENT);
    assert_eq!(errno(p.attach("xdpkit-nope0", XdpMode::Auto)), libc::ENODEV);
    assert_eq!(errno(Queue::try_from_map(p.map("len_stack").unwrap())), libc::EINVAL);
}

/// Dropping the UMEM (and the socket) before the rings is safe: the rings
/// keep both alive and keep working; once all are gone the queue and the
/// interface are free again.
#[test]
fn drop_order() {
    if !root("drop_order") {
        return;
    }
    let pair = NetPair::new();
    pair.in_a(|| {
        let UmemParts { umem, mut fill, comp, mut frames } = Umem::create(&UmemConfig::default()).unwrap();
        let mut sock = Socket::builder(IF_A).mode(XdpMode::Drv).copy(true).tx(false).build(&umem).unwrap();
        let mut rx = sock.take_rx().unwrap();
        let poll_sock = sock.umem().clone(); // a UMEM handle from the socket
        drop(umem);
        drop(comp);
        fill.fill(&mut frames);
        let sent: Vec<_> = (0..5).map(|i| test_frame(MAC_A, MAC_B, i, 80)).collect();
        pair.send_from_b(&sent);
        let (got, _) = receive(&poll_sock, &sock, &mut rx, &mut fill, 5, TIMEOUT);
        assert_eq!(got, sent);
        drop(sock); // the RX ring still holds the socket
        drop(poll_sock);
        pair.send_from_b(&sent);
        let mut out = Vec::new();
        let deadline = std::time::Instant::now() + TIMEOUT;
        while out.len() < 5 && std::time::Instant::now() < deadline {
            rx.receive(&mut out, 64);
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(out.len(), 5, "the RX ring works without its Socket and Umem");
        drop(rx);
        drop(fill); // the last holder: socket, program link and UMEM go now

        let parts = Umem::create(&UmemConfig::default()).unwrap();
        let again = retry_busy(|| Socket::builder(IF_A).mode(XdpMode::Drv).build(&parts.umem)).unwrap();
        assert!(again.prog_id().unwrap().is_some(), "a new default program could attach");
    });
}

/// TEARDOWN: bind and close many times on the same queue.
#[test]
fn teardown() {
    if !root("teardown") {
        return;
    }
    let pair = NetPair::new();
    pair.in_a(|| {
        for _ in 0..10 {
            let parts = Umem::create(&UmemConfig { frame_count: 64, ..Default::default() }).unwrap();
            let sock = retry_busy(|| Socket::builder(IF_A).mode(XdpMode::Skb).build(&parts.umem)).unwrap();
            assert_eq!(sock.xdp_mode().unwrap(), Some(XdpMode::Skb));
        }
    });
}

/// The default program managed by the caller: attach (link), its XSKMAP,
/// a socket stored there, traffic through it; the link detaches on drop.
#[test]
fn program_default_attach() {
    if !root("program_default_attach") {
        return;
    }
    let pair = NetPair::new();
    pair.in_a(|| {
        let prog = Program::default(4).unwrap();
        assert!(prog.id().unwrap() > 0);
        let link = prog.attach(IF_A, XdpMode::Drv).unwrap();
        assert_eq!(link.mode().unwrap(), XdpMode::Drv);
        let xsks = XskMap::try_from_map(prog.map("xsks_map").unwrap()).unwrap();
        assert_eq!(xsks.info().max_entries, 4);

        let UmemParts { umem, mut fill, mut frames, .. } = Umem::create(&UmemConfig::default()).unwrap();
        let mut sock = Socket::builder(IF_A).copy(true).tx(false).program(false).build(&umem).unwrap();
        let mut rx = sock.take_rx().unwrap();
        sock.update_xskmap(&xsks).unwrap();
        fill.fill(&mut frames);
        let sent: Vec<_> = (0..20).map(|i| test_frame(MAC_A, MAC_B, i, 200)).collect();
        pair.send_from_b(&sent);
        let (got, _) = receive(&umem, &sock, &mut rx, &mut fill, 20, TIMEOUT);
        assert_eq!(got, sent);

        drop(xsks);
        link.detach().unwrap();
        // Detached: the interface takes another program.
        let link2 = prog.attach(IF_A, XdpMode::Skb).unwrap();
        assert_eq!(link2.mode().unwrap(), XdpMode::Skb);
        drop(prog); // the link keeps the program running
        link2.detach().unwrap();
        let again = Program::default(1).unwrap().attach(IF_A, XdpMode::Drv).unwrap();
        drop(again);
    });
}

/// A program from an ELF object: bpf/queue_stack.c pushes every frame's
/// length onto a QUEUE and a STACK map; user space pops FIFO and LIFO.
#[test]
fn program_queue_stack() {
    if !root("program_queue_stack") {
        return;
    }
    let pair = NetPair::new();
    pair.in_a(|| {
        let prog = Program::load(repo().join("bpf/objs/queue_stack_bpfel.o"), None).unwrap();
        let queue = Queue::try_from_map(prog.map("len_queue").unwrap()).unwrap();
        let stack = Stack::try_from_map(prog.map("len_stack").unwrap()).unwrap();
        let _link = prog.attach(IF_A, XdpMode::Drv).unwrap();
        let lens = [60usize, 70, 80, 90];
        let sent: Vec<_> = lens.iter().enumerate().map(|(i, &l)| test_frame(MAC_A, MAC_B, i as u32, l)).collect();
        pair.send_from_b(&sent);
        let pop_all = |f: &dyn Fn() -> xdpkit::Result<Option<Vec<u8>>>| {
            let mut out = Vec::new();
            let deadline = std::time::Instant::now() + TIMEOUT;
            while out.len() < lens.len() && std::time::Instant::now() < deadline {
                match f().unwrap() {
                    Some(v) => out.push(u32::from_ne_bytes(v.try_into().unwrap()) as usize),
                    None => std::thread::sleep(Duration::from_millis(5)),
                }
            }
            out
        };
        assert_eq!(pop_all(&|| queue.pop()), lens, "QUEUE: FIFO");
        let mut rev = lens;
        rev.reverse();
        assert_eq!(pop_all(&|| stack.pop()), rev, "STACK: LIFO");
    });
}

/// XDP_SHARED_UMEM: a second socket on the same UMEM on another device
/// gets its own fill and completion rings; both receive into the one UMEM.
#[test]
fn shared_umem_other_device() {
    if !root("shared_umem_other_device") {
        return;
    }
    const MAC_C: [u8; 6] = [0x02, 0, 0, 0x78, 0, 0x03];
    let pair = NetPair::new();
    pair.add_veth_in_a("vc", "vd", MAC_C);
    pair.in_a(|| {
        let UmemParts { umem, mut fill, mut frames, .. } = Umem::create(&UmemConfig::default()).unwrap();
        let mut s1 = Socket::builder(IF_A).mode(XdpMode::Drv).copy(true).tx(false).build(&umem).unwrap();
        assert!(s1.take_fill().is_none(), "the first socket uses the UMEM's rings");
        let mut s2 = Socket::builder("vc").mode(XdpMode::Drv).copy(true).tx(false).build(&umem).unwrap();
        let mut fill2 = s2.take_fill().expect("own fill ring on another device");
        let _comp2 = s2.take_comp().expect("own completion ring");
        let (mut rx1, mut rx2) = (s1.take_rx().unwrap(), s2.take_rx().unwrap());
        let mut half = frames.split_off(frames.len() / 2);
        assert_eq!(fill.fill(&mut frames), 2048);
        assert_eq!(fill2.fill(&mut half), 2048);

        let to_a: Vec<_> = (0..10).map(|i| test_frame(MAC_A, MAC_B, i, 70)).collect();
        let to_c: Vec<_> = (100..110).map(|i| test_frame(MAC_C, MAC_B, i, 90)).collect();
        pair.send_from_b(&to_a);
        send_packet("vd", &to_c);
        let (got1, _) = receive(&umem, &s1, &mut rx1, &mut fill, 10, TIMEOUT);
        let (got2, _) = receive(&umem, &s2, &mut rx2, &mut fill2, 10, TIMEOUT);
        assert_eq!(got1, to_a);
        assert_eq!(got2, to_c);
    });
}

/// A frame of another UMEM panics, before anything is reserved: the ring
/// stays consistent.
#[test]
fn foreign_frame_panics() {
    if !root("foreign_frame_panics") {
        return;
    }
    let UmemParts { mut fill, mut frames, .. } =
        Umem::create(&UmemConfig { frame_count: 64, ..Default::default() }).unwrap();
    let other = Umem::create(&UmemConfig { frame_count: 64, ..Default::default() }).unwrap();
    let size = fill.size();
    let mut mixed = vec![frames.pop().unwrap(), other.frames.into_iter().next().unwrap()];
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fill.fill(&mut mixed)));
    assert!(r.is_err(), "a foreign frame must panic");
    assert_eq!(mixed.len(), 2, "nothing was taken");
    assert_eq!(fill.free(size), size, "no reservation left behind");
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut b = fill.reserve(2).unwrap();
        b.push(mixed.pop().unwrap()).unwrap(); // the foreign one
    }));
    assert!(r.is_err());
    assert_eq!(fill.free(size), size, "the batch was cancelled while unwinding");
    assert_eq!(fill.fill(&mut frames), 63);
}
