#!/usr/bin/env bash
# demo.sh DIR — the xdpkit veth demo (run by `make demo`, needs root).
#
# Two network namespaces joined by a veth pair:
#   A: veth va 02:00:00:77:00:01 10.77.0.1/24  — receiver (rxdrop, l2fwd)
#   B: veth vb 02:00:00:77:00:02 10.77.0.2/24  — sender (txonly)
# 1. DIR/rxdrop (C) on va queue 0, drv mode, copy, ~4 s; DIR/txonly from vb ~3 s.
# 2. The same with DIR/rxdrop_go.
# 3. DIR/l2fwd on va while txonly sends; the frames it sends back are
#    counted as RX packets of vb.
# Fails when a receiver counted nothing.
set -euo pipefail

DIR=${1:?usage: demo.sh DIR}
DIR=$(cd "$DIR" && pwd)
for p in rxdrop rxdrop_go txonly l2fwd; do
	[ -x "$DIR/$p" ] || { echo "demo: $DIR/$p missing (make examples)" >&2; exit 1; }
done

NS_A=xdpkit-demo-$$-a
NS_B=xdpkit-demo-$$-b
MAC_A=02:00:00:77:00:01
MAC_B=02:00:00:77:00:02
IP_A=10.77.0.1
IP_B=10.77.0.2
LOGDIR=$(mktemp -d /tmp/xdpkit-demo.XXXXXX)
BG_PIDS=()

cleanup() {
	local rc=$?
	set +e
	for pid in "${BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	ip netns del "$NS_A" 2>/dev/null
	ip netns del "$NS_B" 2>/dev/null
	rm -rf "$LOGDIR"
	exit "$rc"
}
trap cleanup EXIT

ip netns add "$NS_A"
ip netns add "$NS_B"
ip -n "$NS_A" link add va address "$MAC_A" type veth peer name vb address "$MAC_B" netns "$NS_B"
for ns in "$NS_A" "$NS_B"; do
	# No IPv6 chatter on the link: vb's RX counter is the l2fwd count.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$ns" link set lo up
done
ip -n "$NS_A" addr add "$IP_A/24" dev va
ip -n "$NS_B" addr add "$IP_B/24" dev vb
ip -n "$NS_A" link set va up
ip -n "$NS_B" link set vb up
# The AF_XDP receiver swallows ARP: static neighbours both ways.
ip -n "$NS_A" neigh add "$IP_B" lladdr "$MAC_B" dev va nud permanent
ip -n "$NS_B" neigh add "$IP_A" lladdr "$MAC_A" dev vb nud permanent

# start_in_a LOG PATTERN CMD...: starts CMD in A in the background (PID in
# $pid) and waits until LOG shows PATTERN. The kernel frees a closed AF_XDP
# socket's queue asynchronously (RCU + workqueue), so a bind right after
# the previous program exited can fail with EBUSY: retry a few times.
start_in_a() {
	local log=$1 pattern=$2 attempt i
	shift 2
	for attempt in 1 2 3 4 5; do
		ip netns exec "$NS_A" "$@" >"$log" 2>&1 &
		pid=$!
		BG_PIDS+=("$pid")
		for i in $(seq 100); do
			grep -q "$pattern" "$log" && return 0
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if grep -q "$pattern" "$log"; then
			return 0
		fi
		if kill -0 "$pid" 2>/dev/null; then
			echo "demo: timed out waiting for '$pattern' from $1" >&2
			cat "$log" >&2
			return 1
		fi
		wait "$pid" || true
		if ! grep -q "busy" "$log"; then
			echo "demo: $1 failed to start:" >&2
			cat "$log" >&2
			return 1
		fi
		echo "  (queue still busy from the previous socket, retrying)"
		sleep 0.5
	done
	echo "demo: $1 could not bind:" >&2
	cat "$log" >&2
	return 1
}

# txonly_from_b SECONDS: sends from B toward A's MAC.
txonly_from_b() {
	ip netns exec "$NS_B" "$DIR/txonly" -i vb -q 0 -c -d "$1" \
		-S "$MAC_B" -D "$MAC_A" -a "$IP_B" -b "$IP_A" | sed 's/^/  [B] /'
}

# run_rx NAME PROG RX_SECONDS TX_SECONDS: prints NAME's count, fails on 0.
run_rx() {
	local name=$1 prog=$2 rxs=$3 txs=$4 log=$LOGDIR/$1.log count
	echo "== $name: $prog on $NS_A/va (drv, copy) for ${rxs}s, txonly from $NS_B/vb for ${txs}s"
	start_in_a "$log" "receiving on" "$DIR/$prog" -i va -q 0 -m drv -c -d "$rxs"
	txonly_from_b "$txs"
	wait "$pid" || { echo "demo: $prog failed:" >&2; cat "$log" >&2; return 1; }
	sed 's/^/  [A] /' "$log"
	count=$(sed -n 's/^rxdrop: received \([0-9]*\) packets$/\1/p' "$log")
	echo "$name: received ${count:-0} packets"
	if [ "${count:-0}" -eq 0 ]; then
		echo "demo: $name received nothing" >&2
		return 1
	fi
}

run_rx rxdrop rxdrop 4 3
run_rx rxdrop_go rxdrop_go 2.5 1.5

# l2fwd: A sends every frame back; they arrive at vb's stack.
echo "== l2fwd: l2fwd on $NS_A/va (drv, copy) for 2.5s, txonly from $NS_B/vb for 1.5s"
log=$LOGDIR/l2fwd.log
rx_before=$(ip netns exec "$NS_B" cat /sys/class/net/vb/statistics/rx_packets)
start_in_a "$log" "forwarding on" "$DIR/l2fwd" -i va -q 0 -m drv -c -d 2.5
txonly_from_b 1.5
wait "$pid" || { echo "demo: l2fwd failed:" >&2; cat "$log" >&2; exit 1; }
sed 's/^/  [A] /' "$log"
rx_after=$(ip netns exec "$NS_B" cat /sys/class/net/vb/statistics/rx_packets)
fwd=$(sed -n 's/^l2fwd: forwarded \([0-9]*\) packets$/\1/p' "$log")
echo "l2fwd: forwarded ${fwd:-0} packets, vb received $((rx_after - rx_before)) back"
if [ "${fwd:-0}" -eq 0 ]; then
	echo "demo: l2fwd forwarded nothing" >&2
	exit 1
fi
echo "demo: ok"
