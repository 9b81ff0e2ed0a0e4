//! Traffic over a veth pair between two namespaces, against the real
//! kernel: SEND_RECEIVE, BIDIRECTIONAL, POLL_RX, the batch guards and the
//! XDP_STATISTICS counters. Each test has its own namespaces.
mod common;

use std::sync::Barrier;
use std::time::Duration;

use common::*;
use xdpkit::{Desc, Frame, Socket, Umem, UmemConfig, UmemParts, XdpMode};

const TIMEOUT: Duration = Duration::from_secs(5);

/// SEND_RECEIVE: frames of many lengths sent from B with AF_PACKET arrive
/// byte-exact, in order, on an AF_XDP socket in A (drv mode, copy).
fn run_send_receive(frame_size: u32, count: u32, lens: &[usize]) {
    let pair = NetPair::new();
    pair.in_a(|| {
        let cfg = UmemConfig { frame_count: 1024, frame_size, ..Default::default() };
        let UmemParts { umem, mut fill, mut frames, .. } = Umem::create(&cfg).unwrap();
        let mut sock =
            Socket::builder(IF_A).mode(XdpMode::Drv).copy(true).need_wakeup(true).tx(false).build(&umem).unwrap();
        assert_eq!(sock.xdp_mode().unwrap(), Some(XdpMode::Drv));
        assert!(sock.prog_id().unwrap().is_some());
        assert_eq!(sock.queue().unwrap(), 0);
        assert_eq!(sock.ifindex().unwrap(), xdpkit::if_index(IF_A).unwrap());
        assert!(!sock.is_zerocopy().unwrap(), "veth has no zero-copy");
        assert!(sock.take_tx().is_none());
        let mut rx = sock.take_rx().unwrap();
        assert_eq!(fill.fill(&mut frames), 1024);

        let sent: Vec<Vec<u8>> =
            (0..count).map(|i| test_frame(MAC_A, MAC_B, i, lens[i as usize % lens.len()])).collect();
        pair.send_from_b(&sent);
        let (got, _) = receive(&umem, &sock, &mut rx, &mut fill, sent.len(), TIMEOUT);
        assert_eq!(got.len(), sent.len(), "received {} of {} frames", got.len(), sent.len());
        for (i, (g, s)) in got.iter().zip(&sent).enumerate() {
            assert_eq!(g, s, "frame {i} differs");
        }
        let st = sock.stats().unwrap();
        assert_eq!(st.rx_dropped, 0, "{st:?}");
        assert_eq!(st.rx_invalid_descs, 0, "{st:?}");
    });
}

#[test]
fn send_receive() {
    if !root("send_receive") {
        return;
    }
    run_send_receive(4096, 300, &[60, 64, 128, 1000, 1514]);
}

#[test]
fn send_receive_2k_frames() {
    if !root("send_receive_2k_frames") {
        return;
    }
    run_send_receive(2048, 300, &[60, 512, 1514]);
}

#[test]
fn send_receive_single_packet() {
    if !root("send_receive_single_packet") {
        return;
    }
    run_send_receive(4096, 1, &[60]);
}

/// BIDIRECTIONAL: AF_XDP sockets on both ends send to each other through
/// their TX rings and receive each other's frames byte-exact.
#[test]
fn bidirectional() {
    if !root("bidirectional") {
        return;
    }
    const N: u32 = 200;
    let pair = NetPair::new();
    let ready = Barrier::new(2);
    let side = |ifname: &'static str, me: [u8; 6], peer: [u8; 6]| {
        let UmemParts { umem, mut fill, mut comp, frames } = Umem::create(&UmemConfig::default()).unwrap();
        let mut sock = Socket::builder(ifname).mode(XdpMode::Drv).copy(true).need_wakeup(true).build(&umem).unwrap();
        let mut rx = sock.take_rx().unwrap();
        let mut tx = sock.take_tx().unwrap();
        // Half the frames receive, half send.
        let mut rx_frames = frames;
        let mut tx_frames = rx_frames.split_off(rx_frames.len() / 2);
        assert_eq!(fill.fill(&mut rx_frames), 2048);
        tx_frames.truncate(N as usize);
        for (i, f) in tx_frames.iter_mut().enumerate() {
            let data = test_frame(peer, me, i as u32, 60 + i * 5);
            f.set_len(data.len());
            umem.frame_mut(f).copy_from_slice(&data);
        }
        ready.wait();
        let mut outstanding = 0;
        while !tx_frames.is_empty() {
            outstanding += tx.send(&mut tx_frames);
            tx.kick().unwrap();
        }
        let mut free = Vec::new();
        let done = complete(&|| tx.kick().unwrap(), &mut comp, &mut free, outstanding, TIMEOUT);
        assert_eq!(done, N as usize, "{ifname}: {done} of {N} sends completed");
        let (got, _) = receive(&umem, &sock, &mut rx, &mut fill, N as usize, TIMEOUT);
        assert_eq!(got.len(), N as usize, "{ifname}: received {} of {N}", got.len());
        for (i, g) in got.iter().enumerate() {
            assert_eq!(g, &test_frame(me, peer, i as u32, 60 + i * 5), "{ifname}: frame {i}");
        }
        ready.wait(); // keep both sockets until both have received
    };
    std::thread::scope(|s| {
        let a = s.spawn(|| pair.in_a(|| side(IF_A, MAC_A, MAC_B)));
        let b = s.spawn(|| pair.in_b(|| side(IF_B, MAC_B, MAC_A)));
        a.join().unwrap();
        b.join().unwrap();
    });
}

/// POLL_RX: poll() reports POLLIN once a frame is there, and times out
/// with 0 before.
#[test]
fn poll_rx() {
    if !root("poll_rx") {
        return;
    }
    let pair = NetPair::new();
    pair.in_a(|| {
        let UmemParts { umem, mut fill, mut frames, .. } = Umem::create(&UmemConfig::default()).unwrap();
        let mut sock = Socket::builder(IF_A).mode(XdpMode::Drv).copy(true).tx(false).build(&umem).unwrap();
        let mut rx = sock.take_rx().unwrap();
        fill.fill(&mut frames);
        assert_eq!(sock.poll(libc::POLLIN, Some(Duration::from_millis(50))).unwrap(), 0);
        pair.send_from_b(&[test_frame(MAC_A, MAC_B, 7, 100)]);
        let ev = sock.poll(libc::POLLIN, Some(TIMEOUT)).unwrap();
        assert_eq!(ev & libc::POLLIN, libc::POLLIN);
        let batch = rx.peek(64);
        assert_eq!(batch.len(), 1);
        assert_eq!(batch.data(0), &test_frame(MAC_A, MAC_B, 7, 100)[..]);
    });
}

/// The guards: an RX batch dropped without taking puts its entries back;
/// taking releases them; a TX batch dropped uncommitted sends nothing,
/// cancel gives the frames back, commit sends.
#[test]
fn batch_guards() {
    if !root("batch_guards") {
        return;
    }
    let pair = NetPair::new();
    pair.in_a(|| {
        let UmemParts { umem, mut fill, mut comp, mut frames } = Umem::create(&UmemConfig::default()).unwrap();
        let mut sock = Socket::builder(IF_A).mode(XdpMode::Drv).copy(true).build(&umem).unwrap();
        let mut rx = sock.take_rx().unwrap();
        let mut tx = sock.take_tx().unwrap();
        let mut tx_frames = frames.split_off(2048);

        // Fill through a batch: reserve is all-or-nothing.
        assert!(fill.reserve(fill.size() + 1).is_none());
        let mut fb = fill.reserve(4).unwrap();
        for _ in 0..4 {
            fb.push(frames.pop().unwrap()).unwrap();
        }
        let extra = frames.pop().unwrap();
        let extra = fb.push(extra).unwrap_err(); // full: handed back
        frames.push(extra);
        assert_eq!(fb.commit(), 4);
        // Dropped uncommitted: cancelled, the slots are free again.
        {
            let mut fb = fill.reserve(fill.size() - 4).unwrap();
            fb.push(frames.pop().unwrap()).unwrap();
            let mut back = Vec::new();
            fb.cancel(&mut back);
            assert_eq!(back.len(), 1);
            frames.append(&mut back);
        }
        assert!(fill.reserve(fill.size() - 4).is_some());

        let sent: Vec<_> = (0..3).map(|i| test_frame(MAC_A, MAC_B, i, 90)).collect();
        pair.send_from_b(&sent);
        sock.poll(libc::POLLIN, Some(TIMEOUT)).unwrap();
        std::thread::sleep(Duration::from_millis(50));
        {
            let batch = rx.peek(64);
            assert_eq!(batch.len(), 3);
            assert_eq!(batch.desc(1).len, 90);
            assert_eq!(batch.data(2), &sent[2][..]);
        } // dropped without taking: the entries stay
        let mut got: Vec<Frame> = Vec::new();
        {
            let mut batch = rx.peek(64);
            assert_eq!(batch.len(), 3);
            got.push(batch.next().unwrap()); // take one
        }
        assert_eq!(umem.frame(&got[0]), &sent[0][..]);
        assert_eq!(rx.receive(&mut got, 64), 2, "the two not taken are still there");
        for (g, s) in got.iter().zip(&sent) {
            assert_eq!(umem.frame(g), &s[..]);
        }
        assert_eq!(rx.available(64), 0);

        // TX: write a frame to B's MAC and send through a batch.
        let mut f = tx_frames.pop().unwrap();
        let data = test_frame(MAC_B, MAC_A, 99, 64);
        f.set_len(64);
        umem.frame_mut(&mut f).copy_from_slice(&data);
        {
            let mut tb = tx.reserve(1).unwrap();
            tb.push(f).unwrap();
        } // dropped: cancelled, the frame is lost with it
        assert!(tx.reserve(tx.size()).is_some(), "nothing was submitted");
        let mut f = tx_frames.pop().unwrap();
        f.set_len(64);
        umem.frame_mut(&mut f).copy_from_slice(&data);
        let mut tb = tx.reserve(2).unwrap();
        tb.push(f).unwrap();
        assert_eq!(tb.commit(), 1, "the unused slot is given back");
        tx.kick().unwrap();
        let mut free = Vec::new();
        let done = complete(&|| tx.kick().unwrap(), &mut comp, &mut free, 1, TIMEOUT);
        assert_eq!(done, 1);
        assert_eq!(umem.frame(&free[0]).len(), 0, "completed frames come back empty");
        drop(got);
    });
}

/// STAT_FILL_EMPTY / STAT_RX_DROPPED: with nothing on the fill ring,
/// arriving frames are dropped and counted.
#[test]
fn stat_fill_empty() {
    if !root("stat_fill_empty") {
        return;
    }
    let pair = NetPair::new();
    pair.in_a(|| {
        let UmemParts { umem, .. } = Umem::create(&UmemConfig::default()).unwrap();
        let mut sock = Socket::builder(IF_A).mode(XdpMode::Drv).copy(true).tx(false).build(&umem).unwrap();
        let mut rx = sock.take_rx().unwrap();
        let sent: Vec<_> = (0..10).map(|i| test_frame(MAC_A, MAC_B, i, 60)).collect();
        pair.send_from_b(&sent);
        let st = wait_stats(&sock, |s| s.rx_dropped >= 10);
        assert_eq!(st.rx_dropped, 10, "{st:?}");
        assert!(st.rx_fill_ring_empty_descs >= 10, "{st:?}");
        assert_eq!(rx.available(64), 0);
    });
}

/// STAT_RX_FULL: a 4-entry RX ring that is never read overflows.
#[test]
fn stat_rx_full() {
    if !root("stat_rx_full") {
        return;
    }
    let pair = NetPair::new();
    pair.in_a(|| {
        let UmemParts { umem, mut fill, mut frames, .. } = Umem::create(&UmemConfig::default()).unwrap();
        let mut sock = Socket::builder(IF_A).mode(XdpMode::Drv).copy(true).tx(false).rx_size(4).build(&umem).unwrap();
        let mut rx = sock.take_rx().unwrap();
        assert_eq!(rx.size(), 4);
        fill.fill(&mut frames);
        let sent: Vec<_> = (0..32).map(|i| test_frame(MAC_A, MAC_B, i, 60)).collect();
        pair.send_from_b(&sent);
        let st = wait_stats(&sock, |s| s.rx_ring_full >= 28);
        assert_eq!(st.rx_ring_full, 28, "{st:?}");
        assert_eq!(rx.available(64), 4);
    });
}

/// STAT_TX_INVALID: a descriptor outside the UMEM is refused and counted.
#[test]
fn stat_tx_invalid() {
    if !root("stat_tx_invalid") {
        return;
    }
    let pair = NetPair::new();
    pair.in_a(|| {
        let UmemParts { umem, .. } = Umem::create(&UmemConfig::default()).unwrap();
        let mut sock = Socket::builder(IF_A).rx(false).program(false).build(&umem).unwrap();
        let mut tx = sock.take_tx().unwrap();
        let mut tb = tx.reserve(1).unwrap();
        // SAFETY: the address lies outside the UMEM: the kernel refuses it
        // without touching memory.
        assert!(unsafe { tb.push_desc(Desc { addr: umem.size() + 4096, len: 64, options: 0 }) });
        assert_eq!(tb.commit(), 1);
        tx.kick().unwrap();
        let st = wait_stats(&sock, |s| s.tx_invalid_descs >= 1);
        assert_eq!(st.tx_invalid_descs, 1, "{st:?}");
    });
}

fn wait_stats(sock: &Socket, done: impl Fn(&xdpkit::Stats) -> bool) -> xdpkit::Stats {
    let deadline = std::time::Instant::now() + TIMEOUT;
    loop {
        let st = sock.stats().unwrap();
        if done(&st) || std::time::Instant::now() > deadline {
            // Let late arrivals land, then read the final counts.
            std::thread::sleep(Duration::from_millis(100));
            return sock.stats().unwrap();
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}
