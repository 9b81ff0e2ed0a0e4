#!/usr/bin/env bash
# run-map-examples.sh BUILD_DIR — runs the map and program examples
# (BUILD_DIR/examples/{cpumap_rr,queue_stack,af_xdp_user}) against traffic
# and checks what they print. Needs root; run by `make test-map-examples`.
#
# Two network namespaces joined by a veth pair (names unique per run,
# addresses only inside the namespaces, static neighbours, everything
# removed on exit):
#   A: veth xma<pid> 02:00:00:79:00:01 10.79.0.1/24 — the example runs here
#   B: veth xmb<pid> 02:00:00:79:00:02 10.79.0.2/24 — the sender
# 1. cpumap_rr -C 0,1 (or 0 on one CPU) on A in drv mode while txonly
#    sends from B: every chosen CPU must count frames.
# 2. queue_stack: the map demo must pop 1..5 from the QUEUE and 5..1 from
#    the STACK; with -i on A, three UDP datagrams of 10, 20 and 30 bytes
#    from B must come back as frame lengths 52 62 72 (queue) and 72 62 52
#    (stack).
# 3. af_xdp_user on A (its own program and XSKMAP) while txonly sends from
#    B: it must receive frames.
# Exits non-zero on any failure.
set -euo pipefail

DIR=${1:?usage: run-map-examples.sh BUILD_DIR}
DIR=$(cd "$DIR" && pwd)
EX=$DIR/examples
for p in cpumap_rr queue_stack af_xdp_user txonly; do
	[ -x "$EX/$p" ] || { echo "run-map-examples: $EX/$p missing (make examples)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "run-map-examples: needs root" >&2; exit 1; }
# The examples find their BPF objects from the repository root.
cd "$(dirname "$0")/.."

. scripts/lib-netns.sh # the namespaces, the veth pair, teardown
ID=$$-$RANDOM
IF_A=xma$$ # IFNAMSIZ
IF_B=xmb$$
MAC_A=02:00:00:79:00:01
MAC_B=02:00:00:79:00:02
IP_A=10.79.0.1
IP_B=10.79.0.2
LOGDIR=$(mktemp -d /tmp/xdpkit-mapex.XXXXXX)
FAILED=()
remove_logdir() { rm -rf "$LOGDIR"; }
NETNS_ON_DOWN=remove_logdir
NETNS_TAG=run-map-examples
NETNS_BUSY_NOTE="device or queue still busy"
trap 'exit 130' INT
trap 'exit 143' TERM
netns_pair_up "xdpkit-mapex-a-$ID" "xdpkit-mapex-b-$ID"

fail() {
	echo "run-map-examples: FAIL: $*" >&2
	FAILED+=("$1")
}

# txonly_from_b SECONDS: 64-byte UDP frames from B to A's MAC.
txonly_from_b() {
	ip netns exec "$NS_B" "$EX/txonly" -i "$IF_B" -q 0 -c -d "$1" \
		-S "$MAC_B" -D "$MAC_A" -a "$IP_B" -b "$IP_A" | sed 's/^/  [B] /'
}

# finish LOG NAME: waits for the example in $pid and shows its output.
finish() {
	local log=$1 name=$2
	if ! wait "$pid"; then
		sed 's/^/  [A] /' "$log"
		fail "$name" "exited with an error"
		return 1
	fi
	sed 's/^/  [A] /' "$log"
}

# 1. cpumap_rr ----------------------------------------------------------
NCPU=$(nproc)
if [ "$NCPU" -ge 2 ]; then CPUS=0,1; else CPUS=0; fi
echo "== cpumap_rr -C $CPUS on $NS_A/$IF_A (drv) for 4s, txonly from $NS_B/$IF_B for 2.5s"
log=$LOGDIR/cpumap_rr.log
if netns_start "$NS_A" "$log" "redirecting on" "$EX/cpumap_rr" -i "$IF_A" -m drv -C "$CPUS" -d 4; then
	txonly_from_b 2.5 || fail txonly "txonly failed"
	if finish "$log" cpumap_rr; then
		for cpu in ${CPUS//,/ }; do
			n=$(sed -n "s/^cpu $cpu: \([0-9]*\) packets$/\1/p" "$log")
			echo "cpumap_rr: cpu $cpu counted ${n:-0} packets"
			[ "${n:-0}" -gt 0 ] || fail cpumap_rr "CPU $cpu counted no packets"
		done
	fi
else
	fail cpumap_rr "did not start"
fi

# 2. queue_stack ---------------------------------------------------------
echo "== queue_stack: map demo, then -i $IF_A (drv) for 2s with 3 datagrams from $NS_B"
log=$LOGDIR/queue_stack.log
if netns_start "$NS_A" "$log" "recording frame lengths" "$EX/queue_stack" -i "$IF_A" -m drv -d 2; then
	# UDP payloads of 10, 20, 30 bytes: frames of 42 + payload bytes.
	for n in 10 20 30; do
		ip netns exec "$NS_B" bash -c "printf '%0${n}d' 0 > /dev/udp/$IP_A/9"
		sleep 0.1
	done
	if finish "$log" queue_stack; then
		expect() { # PATTERN WHAT
			grep -qx "$1" "$log" || fail queue_stack "$2: no line matching '$1'"
		}
		expect 'queue_stack: queue (FIFO) pop: 1 2 3 4 5' "QUEUE order"
		expect 'queue_stack: stack (LIFO) pop: 5 4 3 2 1' "STACK order"
		expect 'queue_stack: queue pop when empty: -ENOENT' "empty QUEUE"
		expect 'queue_stack: queue push 6 when full: -E2BIG' "full QUEUE"
		expect 'queue_stack: queue after eviction pop: 2 3 4 5 6' "QUEUE eviction"
		expect 'queue_stack: stack after eviction pop: 6 5 4 3 2' "STACK eviction"
		expect 'queue_stack: len_queue (FIFO) pop: 52 62 72' "frame lengths from len_queue"
		expect 'queue_stack: len_stack (LIFO) pop: 72 62 52' "frame lengths from len_stack"
	fi
else
	fail queue_stack "did not start"
fi

# 3. af_xdp_user ---------------------------------------------------------
echo "== af_xdp_user on $NS_A/$IF_A queue 0 (drv, copy) for 3s, txonly from $NS_B/$IF_B for 1.5s"
log=$LOGDIR/af_xdp_user.log
if netns_start "$NS_A" "$log" "receiving on" "$EX/af_xdp_user" -i "$IF_A" -q 0 -m drv -c -d 3 -n 3; then
	txonly_from_b 1.5 || fail txonly "txonly failed"
	if finish "$log" af_xdp_user; then
		n=$(sed -n 's/^af_xdp_user: received \([0-9]*\) packets$/\1/p' "$log")
		echo "af_xdp_user: received ${n:-0} packets"
		[ "${n:-0}" -gt 0 ] || fail af_xdp_user "received nothing"
	fi
else
	fail af_xdp_user "did not start"
fi

if [ ${#FAILED[@]} -ne 0 ]; then
	echo "run-map-examples: ${#FAILED[@]} failure(s): ${FAILED[*]}" >&2
	exit 1
fi
echo "run-map-examples: ok"
