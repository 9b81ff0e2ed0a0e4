//! Runs the example programs between two namespaces, as scripts/demo.sh
//! does for the C ones: rxdrop receiving from txonly (the Rust one, and
//! the C one from build/examples when it is built), l2fwd sending frames
//! back, queue_stack popping frame lengths.
mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::*;

/// target/<profile>/examples, next to this test's deps/ directory.
fn examples_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().join("examples")
}

fn spawn(ns: &str, prog: &Path, args: &[&str]) -> Child {
    Command::new("ip")
        .args(["netns", "exec", ns])
        .arg(prog)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{prog:?}: {e}"))
}

/// A running example: its stdout lines arrive through a reader thread.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

fn finish(mut r: Running, what: &str) -> String {
    let status = r.child.wait().unwrap();
    let mut err = String::new();
    r.child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    r.seen.extend(r.lines.iter());
    let out = r.seen.join("\n") + "\n";
    assert!(status.success(), "{what} failed ({status}):\n{out}\n{err}");
    out
}

/// Starts a program in `ns` and waits (up to 10 s) for a stdout line
/// holding `ready`.
fn start(ns: &str, prog: &Path, args: &[&str], ready: &str) -> Running {
    let mut child = spawn(ns, prog, args);
    let stdout = child.stdout.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for l in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    let mut r = Running { child, lines, seen: Vec::new() };
    let deadline = Instant::now() + Duration::from_secs(10);
    while !r.seen.iter().any(|l| l.contains(ready)) {
        let left = deadline.saturating_duration_since(Instant::now());
        match r.lines.recv_timeout(left) {
            Ok(l) => r.seen.push(l),
            Err(_) => {
                let _ = r.child.kill();
                let out = finish(r, "starting");
                panic!("{prog:?} did not print '{ready}':\n{out}");
            }
        }
    }
    r
}

fn run(ns: &str, prog: &Path, args: &[&str], what: &str) -> String {
    finish(start(ns, prog, args, ""), what)
}

fn count(out: &str, prefix: &str, suffix: &str) -> u64 {
    out.lines()
        .find_map(|l| l.strip_prefix(prefix).and_then(|r| r.strip_suffix(suffix)))
        .unwrap_or_else(|| panic!("no '{prefix}N{suffix}' line in:\n{out}"))
        .parse()
        .unwrap()
}

fn txonly_args(secs: &str) -> Vec<String> {
    let mac = |m: [u8; 6]| m.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":");
    ["-i", IF_B, "-q", "0", "-c", "-d", secs, "-S", &mac(MAC_B), "-D", &mac(MAC_A), "-a", IP_B, "-b", IP_A]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

fn rxdrop_from(pair: &NetPair, txonly: &Path) -> u64 {
    let rx =
        start(&pair.a, &examples_dir().join("rxdrop"), &["-i", IF_A, "-m", "drv", "-c", "-d", "2.5"], "receiving on");
    let args = txonly_args("1");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let tx_out = run(&pair.b, txonly, &args, "txonly");
    let sent = count(&tx_out, "txonly: sent ", " packets");
    let out = finish(rx, "rxdrop");
    let got = count(&out, "rxdrop: received ", " packets");
    assert!(sent > 0, "txonly sent nothing:\n{tx_out}");
    assert!(got > 0, "rxdrop received nothing of {sent}:\n{out}");
    got
}

#[test]
fn example_rxdrop_txonly() {
    if !root("example_rxdrop_txonly") {
        return;
    }
    let pair = NetPair::new();
    rxdrop_from(&pair, &examples_dir().join("txonly"));
    let c_txonly = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../build/examples/txonly");
    if c_txonly.exists() {
        std::thread::sleep(Duration::from_millis(300)); // the queue is freed asynchronously
        rxdrop_from(&pair, &c_txonly);
    } else {
        eprintln!("example_rxdrop_txonly: {c_txonly:?} not built (make examples): C sender skipped");
    }
}

#[test]
fn example_l2fwd() {
    if !root("example_l2fwd") {
        return;
    }
    let pair = NetPair::new();
    // sysfs shows the namespace of its mounter: read it via ip netns exec.
    let rx_packets = || {
        let out = Command::new("ip")
            .args(["netns", "exec", &pair.b, "cat", "/sys/class/net/vb/statistics/rx_packets"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().parse::<u64>().unwrap()
    };
    let before = rx_packets();
    let fwd =
        start(&pair.a, &examples_dir().join("l2fwd"), &["-i", IF_A, "-m", "drv", "-c", "-d", "2.5"], "forwarding on");
    let args = txonly_args("1");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&pair.b, &examples_dir().join("txonly"), &args, "txonly");
    let out = finish(fwd, "l2fwd");
    let n = count(&out, "l2fwd: forwarded ", " packets");
    assert!(n > 0, "l2fwd forwarded nothing:\n{out}");
    assert!(rx_packets() - before >= n / 2, "vb received too few of the {n} forwarded frames");
}

#[test]
fn example_queue_stack() {
    if !root("example_queue_stack") {
        return;
    }
    let pair = NetPair::new();
    let qs = start(&pair.a, &examples_dir().join("queue_stack"), &["-i", IF_A, "-m", "drv", "-d", "2"], "attached");
    let frames: Vec<_> = (0..10).map(|i| test_frame(MAC_A, MAC_B, i, 60 + i as usize)).collect();
    pair.send_from_b(&frames);
    let out = finish(qs, "queue_stack");
    assert!(out.contains("queue (oldest first, 10 values): 60 61 62 63 64 65 66 67 68 69\n"), "{out}");
    assert!(out.contains("stack (newest first, 10 values): 69 68 67 66 65 64 63 62 61 60\n"), "{out}");
}
