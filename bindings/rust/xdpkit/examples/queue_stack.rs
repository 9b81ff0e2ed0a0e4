//! queue_stack — attach bpf/queue_stack.c (every frame's length is pushed
//! onto a QUEUE and a STACK map, and the frame passes on), wait, then pop
//! both maps: FIFO from the queue, LIFO from the stack.
//!
//!     queue_stack -i IFNAME [-m skb|drv|auto] [-d SECONDS] [-o OBJECT]
//!
//! OBJECT defaults to the repository's bpf/objs/queue_stack_bpfel.o.
mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::*;
use xdpkit::{Program, Queue, Stack};

const PROG: &str = "queue_stack";

fn main() {
    let o = parse(PROG, "o", " [-o OBJECT]");
    install_signals();
    let obj = o
        .extra
        .iter()
        .find(|(c, _)| *c == 'o')
        .map(|(_, v)| PathBuf::from(v))
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../bpf/objs/queue_stack_bpfel.o"));

    let prog = Program::load(&obj, None).unwrap_or_else(|e| die(PROG, e));
    let queue =
        Queue::try_from_map(prog.map("len_queue").unwrap_or_else(|e| die(PROG, e))).unwrap_or_else(|e| die(PROG, e));
    let stack =
        Stack::try_from_map(prog.map("len_stack").unwrap_or_else(|e| die(PROG, e))).unwrap_or_else(|e| die(PROG, e));
    let link = prog.attach(&o.ifname, o.mode).unwrap_or_else(|e| die(PROG, e));
    println!(
        "{PROG}: attached to {} ({} mode, prog id {}); collecting frame lengths",
        o.ifname,
        mode_name(link.mode().ok()),
        prog.id().unwrap_or(0)
    );

    let end = deadline(&o).unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
    while !stopping() && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(link); // stop pushing before reading

    let pop_all = |pop: &dyn Fn() -> xdpkit::Result<Option<Vec<u8>>>| -> Vec<u32> {
        std::iter::from_fn(|| pop().unwrap_or_else(|e| die(PROG, e)))
            .map(|v| u32::from_ne_bytes(v[..4].try_into().expect("4-byte values")))
            .collect()
    };
    let fifo = pop_all(&|| queue.pop());
    let lifo = pop_all(&|| stack.pop());
    let show = |v: &[u32]| {
        let head: Vec<String> = v.iter().take(16).map(u32::to_string).collect();
        format!("{}{}", head.join(" "), if v.len() > 16 { " ..." } else { "" })
    };
    println!("{PROG}: queue (oldest first, {} values): {}", fifo.len(), show(&fifo));
    println!("{PROG}: stack (newest first, {} values): {}", lifo.len(), show(&lifo));
}
