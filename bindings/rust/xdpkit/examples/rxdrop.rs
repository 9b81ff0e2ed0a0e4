//! rxdrop — receive on one queue of an interface, count and drop.
//!
//! Every frame of the UMEM goes on the fill ring; received frames go
//! straight back onto it. The per-packet path is the crate's native rings:
//! no call into the library.
//!
//!     rxdrop -i IFNAME [-q QUEUE] [-m skb|drv|auto] [-c|-z] [-d SECONDS] [-s FRAME_SIZE]
mod common;

use std::time::{Duration, Instant};

use common::*;
use xdpkit::{Frame, Socket, Umem, UmemConfig, UmemParts};

const PROG: &str = "rxdrop";
/// Empty peeks in a row before blocking in poll() while idle.
const IDLE_SPINS: u32 = 1024;

fn main() {
    let o = parse(PROG, "", "");
    install_signals();

    let cfg =
        UmemConfig { frame_count: NUM_FRAMES, frame_size: o.frame_size, fill_size: NUM_FRAMES, ..Default::default() };
    let UmemParts { umem, mut fill, frames: mut free, .. } = Umem::create(&cfg).unwrap_or_else(|e| die(PROG, e));
    let mut sock = Socket::builder(&o.ifname)
        .queue(o.queue)
        .mode(o.mode)
        .copy(o.copy)
        .zerocopy(o.zerocopy)
        .need_wakeup(true)
        .tx(false)
        .build(&umem)
        .unwrap_or_else(|e| die(PROG, e));
    let mut rx = sock.take_rx().expect("RX ring");

    // All frames on the fill ring.
    if fill.fill(&mut free) != NUM_FRAMES as usize {
        eprintln!("{PROG}: cannot put {NUM_FRAMES} frames on the fill ring");
        std::process::exit(1);
    }
    println!(
        "{PROG}: receiving on {} queue {} ({} mode, prog id {})",
        o.ifname,
        o.queue,
        mode_name(sock.xdp_mode().unwrap_or(None)),
        sock.prog_id().ok().flatten().unwrap_or(0)
    );

    let mut batch: Vec<Frame> = Vec::with_capacity(BATCH as usize);
    let (mut received, mut last_received) = (0u64, 0u64);
    let mut idle = 0;
    let mut t_last = Instant::now();
    let end = deadline(&o);
    while !stopping() {
        let n = rx.receive(&mut batch, BATCH);
        if n > 0 {
            idle = 0;
            received += n as u64;
            // The fill ring holds every frame of the UMEM, so they fit.
            while !batch.is_empty() {
                fill.fill(&mut batch);
                if !batch.is_empty() && fill.needs_wakeup() {
                    let _ = sock.wakeup_rx();
                }
            }
        } else {
            if fill.needs_wakeup() {
                let _ = sock.wakeup_rx();
            }
            idle += 1;
            if idle >= IDLE_SPINS {
                // Nothing arrives: block a little instead of spinning.
                idle = 0;
                let _ = sock.poll(libc::POLLIN, Some(Duration::from_millis(100)));
            }
        }
        let now = Instant::now();
        if now - t_last >= Duration::from_secs(1) {
            print_stats(PROG, &sock, "received", received, received - last_received, now - t_last);
            last_received = received;
            t_last = now;
        }
        if end.is_some_and(|e| now >= e) {
            break;
        }
    }
    print_stats(PROG, &sock, "received", received, received - last_received, t_last.elapsed());
    drop(rx);
    drop(sock);
    drop(fill);
    drop(umem);
    println!("{PROG}: received {received} packets");
}
