//! l2fwd — receive, swap the Ethernet addresses and send the frame back
//! out of the same socket. Sent frames go from the completion ring back to
//! the fill ring.
//!
//!     l2fwd -i IFNAME [-q QUEUE] [-m skb|drv|auto] [-c|-z] [-d SECONDS] [-s FRAME_SIZE]
mod common;

use std::time::{Duration, Instant};

use common::*;
use xdpkit::{Frame, Socket, Umem, UmemConfig, UmemParts};

const PROG: &str = "l2fwd";
const IDLE_SPINS: u32 = 1024;

fn swap_macs(eth: &mut [u8]) {
    if eth.len() >= 12 {
        let (d, s) = eth.split_at_mut(6);
        d.swap_with_slice(&mut s[..6]);
    }
}

fn main() {
    let o = parse(PROG, "", "");
    install_signals();

    let cfg =
        UmemConfig { frame_count: NUM_FRAMES, frame_size: o.frame_size, fill_size: NUM_FRAMES, ..Default::default() };
    let UmemParts { umem, mut fill, mut comp, frames: mut free } = Umem::create(&cfg).unwrap_or_else(|e| die(PROG, e));
    let mut sock = Socket::builder(&o.ifname)
        .queue(o.queue)
        .mode(o.mode)
        .copy(o.copy)
        .zerocopy(o.zerocopy)
        .need_wakeup(true)
        .build(&umem)
        .unwrap_or_else(|e| die(PROG, e));
    let mut rx = sock.take_rx().expect("RX ring");
    let mut tx = sock.take_tx().expect("TX ring");

    if fill.fill(&mut free) != NUM_FRAMES as usize {
        eprintln!("{PROG}: cannot put {NUM_FRAMES} frames on the fill ring");
        std::process::exit(1);
    }
    println!(
        "{PROG}: forwarding on {} queue {} ({} mode, prog id {})",
        o.ifname,
        o.queue,
        mode_name(sock.xdp_mode().unwrap_or(None)),
        sock.prog_id().ok().flatten().unwrap_or(0)
    );

    let mut batch: Vec<Frame> = Vec::with_capacity(BATCH as usize);
    let mut done: Vec<Frame> = Vec::with_capacity(BATCH as usize);
    let (mut forwarded, mut last, mut outstanding) = (0u64, 0u64, 0usize);
    let mut idle = 0;
    let mut t_last = Instant::now();
    let end = deadline(&o);
    while !stopping() {
        // Kick TX when needed and move completed frames to the fill ring.
        if outstanding > 0 {
            if tx.needs_wakeup() {
                let _ = tx.kick();
            }
            let n = comp.complete(&mut done, BATCH);
            while !done.is_empty() {
                fill.fill(&mut done); // the fill ring holds every frame: fits
                if !done.is_empty() && fill.needs_wakeup() {
                    let _ = sock.wakeup_rx();
                }
            }
            outstanding -= n;
            forwarded += n as u64;
        }
        if rx.receive(&mut batch, BATCH) > 0 {
            idle = 0;
            for f in &mut batch {
                swap_macs(umem.frame_mut(f));
            }
            while !batch.is_empty() && !stopping() {
                let n = tx.send(&mut batch);
                outstanding += n;
                if !batch.is_empty() {
                    // TX ring full: push it out and reap completions.
                    let _ = tx.kick();
                    let c = comp.complete(&mut done, BATCH);
                    fill.fill(&mut done);
                    outstanding -= c;
                    forwarded += c as u64;
                }
            }
        } else {
            if fill.needs_wakeup() {
                let _ = sock.wakeup_rx();
            }
            idle += 1;
            if outstanding == 0 && idle >= IDLE_SPINS {
                idle = 0;
                let _ = sock.poll(libc::POLLIN, Some(Duration::from_millis(100)));
            }
        }
        let now = Instant::now();
        if now - t_last >= Duration::from_secs(1) {
            print_stats(PROG, &sock, "forwarded", forwarded, forwarded - last, now - t_last);
            last = forwarded;
            t_last = now;
        }
        if end.is_some_and(|e| now >= e) {
            break;
        }
    }
    print_stats(PROG, &sock, "forwarded", forwarded, forwarded - last, t_last.elapsed());
    drop((rx, tx, sock, fill, comp));
    println!("{PROG}: forwarded {forwarded} packets");
}
