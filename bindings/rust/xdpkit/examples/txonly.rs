//! txonly — send Ethernet/IPv4/UDP frames (64 bytes by default) as fast
//! as possible.
//!
//!     txonly -i IFNAME [common options] [-S SRCMAC] [-D DSTMAC] [-a SRCIP] [-b DSTIP] [-l LEN]
//!
//! Every UMEM frame is written once; the loop only moves frames between a
//! free list, the TX ring and the completion ring. The socket has no RX
//! ring and loads no XDP program.
mod common;

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use common::*;
use xdpkit::{Frame, Socket, Umem, UmemConfig, UmemParts};

const PROG: &str = "txonly";
const ETH_HLEN: usize = 14;
const IP_HLEN: usize = 20;
const UDP_HLEN: usize = 8;

fn parse_mac(s: &str) -> Option<[u8; 6]> {
    let mut m = [0u8; 6];
    let mut parts = s.split(':');
    for b in &mut m {
        *b = u8::from_str_radix(parts.next()?, 16).ok()?;
    }
    parts.next().is_none().then_some(m)
}

/// Internet checksum of an IPv4 header.
fn ip_csum(p: &[u8]) -> u16 {
    let mut sum: u32 = p.chunks(2).map(|c| u32::from(c[0]) << 8 | u32::from(*c.get(1).unwrap_or(&0))).sum();
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// An Ethernet + IPv4 + UDP frame of `len` bytes (UDP checksum 0).
fn build_frame(f: &mut [u8], dst: [u8; 6], src: [u8; 6], sip: Ipv4Addr, dip: Ipv4Addr) {
    let len = f.len();
    f[0..6].copy_from_slice(&dst);
    f[6..12].copy_from_slice(&src);
    f[12..14].copy_from_slice(&0x0800u16.to_be_bytes());
    let ip = &mut f[ETH_HLEN..ETH_HLEN + IP_HLEN];
    ip[0] = 0x45;
    ip[1] = 0;
    ip[2..4].copy_from_slice(&((len - ETH_HLEN) as u16).to_be_bytes());
    ip[4..6].copy_from_slice(&0u16.to_be_bytes());
    ip[6..8].copy_from_slice(&0x4000u16.to_be_bytes());
    ip[8] = 64;
    ip[9] = 17;
    ip[10..12].copy_from_slice(&[0, 0]);
    ip[12..16].copy_from_slice(&sip.octets());
    ip[16..20].copy_from_slice(&dip.octets());
    let csum = ip_csum(ip);
    ip[10..12].copy_from_slice(&csum.to_be_bytes());
    let udp = &mut f[ETH_HLEN + IP_HLEN..ETH_HLEN + IP_HLEN + UDP_HLEN];
    udp[0..2].copy_from_slice(&1234u16.to_be_bytes());
    udp[2..4].copy_from_slice(&9u16.to_be_bytes());
    udp[4..6].copy_from_slice(&((len - ETH_HLEN - IP_HLEN) as u16).to_be_bytes());
    udp[6..8].copy_from_slice(&[0, 0]);
    for (i, b) in f.iter_mut().enumerate().skip(ETH_HLEN + IP_HLEN + UDP_HLEN) {
        *b = i as u8;
    }
}

fn main() {
    let extra_usage = " [-S SRCMAC] [-D DSTMAC] [-a SRCIP] [-b DSTIP] [-l LEN]";
    let o = parse(PROG, "SDabl", extra_usage);
    let (mut src, mut dst) = ([2, 0, 0, 0, 0, 2], [2, 0, 0, 0, 0, 1]);
    let (mut sip, mut dip) = (Ipv4Addr::new(10, 77, 0, 2), Ipv4Addr::new(10, 77, 0, 1));
    let mut pkt_len = 64usize;
    for (c, v) in &o.extra {
        let ok = match c {
            'S' => parse_mac(v).map(|m| src = m).is_some(),
            'D' => parse_mac(v).map(|m| dst = m).is_some(),
            'a' => v.parse().map(|a| sip = a).is_ok(),
            'b' => v.parse().map(|a| dip = a).is_ok(),
            'l' => v.parse().map(|l| pkt_len = l).is_ok() && (ETH_HLEN + IP_HLEN + UDP_HLEN..=1514).contains(&pkt_len),
            _ => false,
        };
        if !ok {
            eprintln!("{PROG}: bad -{c} {v}");
            std::process::exit(2);
        }
    }
    if pkt_len + 256 > o.frame_size as usize {
        eprintln!("{PROG}: -l {pkt_len} does not fit a frame of {}", o.frame_size);
        std::process::exit(2);
    }
    install_signals();

    let cfg = UmemConfig { frame_count: NUM_FRAMES, frame_size: o.frame_size, ..Default::default() };
    let UmemParts { umem, mut comp, frames: mut free, .. } = Umem::create(&cfg).unwrap_or_else(|e| die(PROG, e));
    let mut sock = Socket::builder(&o.ifname)
        .queue(o.queue)
        .copy(o.copy)
        .zerocopy(o.zerocopy)
        .need_wakeup(true)
        .rx(false)
        .program(false)
        .build(&umem)
        .unwrap_or_else(|e| die(PROG, e));
    let mut tx = sock.take_tx().expect("TX ring");

    for f in &mut free {
        f.set_len(pkt_len);
        build_frame(umem.frame_mut(f), dst, src, sip, dip);
    }
    println!("{PROG}: sending {pkt_len}-byte frames on {} queue {}", o.ifname, o.queue);

    // Completed frames come back empty: give them the packet's length
    // again (their data is unchanged).
    let mut done: Vec<Frame> = Vec::with_capacity(NUM_FRAMES as usize);
    let mut next: Vec<Frame> = Vec::with_capacity(BATCH as usize);
    let (mut sent, mut last_sent, mut outstanding) = (0u64, 0u64, 0usize);
    let mut t_last = Instant::now();
    let end = deadline(&o);
    let mut drain_end: Option<Instant> = None;
    loop {
        let now = Instant::now();
        let stop = stopping() || end.is_some_and(|e| now >= e);

        // Take back what was sent.
        if outstanding > 0 {
            let n = comp.complete(&mut done, NUM_FRAMES);
            for mut f in done.drain(..) {
                f.set_len(pkt_len);
                free.push(f);
            }
            outstanding -= n;
            sent += n as u64;
        }
        if stop {
            // Let the kernel finish what is queued, briefly.
            let d = *drain_end.get_or_insert_with(|| Instant::now() + Duration::from_millis(200));
            if outstanding == 0 || Instant::now() >= d {
                break;
            }
            let _ = tx.kick();
            continue;
        }

        let n = free.len().min(BATCH as usize);
        if n > 0 {
            next.extend(free.drain(free.len() - n..));
            outstanding += tx.send(&mut next);
            free.append(&mut next); // whatever did not fit
        }
        if tx.needs_wakeup() {
            if let Err(e) = tx.kick() {
                die(PROG, e);
            }
        }
        if now - t_last >= Duration::from_secs(1) {
            print_stats(PROG, &sock, "sent", sent, sent - last_sent, now - t_last);
            last_sent = sent;
            t_last = now;
        }
    }
    print_stats(PROG, &sock, "sent", sent, sent - last_sent, t_last.elapsed());
    drop(tx);
    drop(sock);
    println!("{PROG}: sent {sent} packets");
}
