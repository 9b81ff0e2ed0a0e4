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

. "$(dirname "$0")/lib-netns.sh" # the namespaces, the veth pair, teardown
LOGDIR=$(mktemp -d /tmp/xdpkit-demo.XXXXXX)
remove_logdir() { rm -rf "$LOGDIR"; }
NETNS_ON_DOWN=remove_logdir
NETNS_TAG=demo
NETNS_BUSY_NOTE="queue still busy from the previous socket"
netns_pair_up xdpkit-demo

# txonly_from_b SECONDS: sends from B toward A's MAC.
txonly_from_b() {
	ip netns exec "$NS_B" "$DIR/txonly" -i "$IF_B" -q 0 -c -d "$1" \
		-S "$MAC_B" -D "$MAC_A" -a "$IP_B" -b "$IP_A" | sed 's/^/  [B] /'
}

# run_rx NAME PROG RX_SECONDS TX_SECONDS: prints NAME's count, fails on 0.
run_rx() {
	local name=$1 prog=$2 rxs=$3 txs=$4 log=$LOGDIR/$1.log count
	echo "== $name: $prog on $NS_A/$IF_A (drv, copy) for ${rxs}s, txonly from $NS_B/$IF_B for ${txs}s"
	netns_start "$NS_A" "$log" "receiving on" "$DIR/$prog" -i "$IF_A" -q 0 -m drv -c -d "$rxs"
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
echo "== l2fwd: l2fwd on $NS_A/$IF_A (drv, copy) for 2.5s, txonly from $NS_B/$IF_B for 1.5s"
log=$LOGDIR/l2fwd.log
rx_before=$(ip netns exec "$NS_B" cat "/sys/class/net/$IF_B/statistics/rx_packets")
netns_start "$NS_A" "$log" "forwarding on" "$DIR/l2fwd" -i "$IF_A" -q 0 -m drv -c -d 2.5
txonly_from_b 1.5
wait "$pid" || { echo "demo: l2fwd failed:" >&2; cat "$log" >&2; exit 1; }
sed 's/^/  [A] /' "$log"
rx_after=$(ip netns exec "$NS_B" cat "/sys/class/net/$IF_B/statistics/rx_packets")
fwd=$(sed -n 's/^l2fwd: forwarded \([0-9]*\) packets$/\1/p' "$log")
echo "l2fwd: forwarded ${fwd:-0} packets, $IF_B received $((rx_after - rx_before)) back"
if [ "${fwd:-0}" -eq 0 ]; then
	echo "demo: l2fwd forwarded nothing" >&2
	exit 1
fi
echo "demo: ok"
