# lib-netns.sh — sourced by the test and demo scripts: two network
# namespaces joined by a veth pair, torn down on exit.
#
#   . scripts/lib-netns.sh
#   netns_pair_up PREFIX     # sets NS_A NS_B IF_A IF_B MAC_A MAC_B IP_A IP_B
#   netns_pair_up NS_A NS_B  # the same with the namespaces named exactly
#   netns_pair_down          # also run by the EXIT trap netns_pair_up sets
#
# A: IF_A (va) 02:00:00:77:00:01 10.77.0.1/24; B: IF_B (vb) ...:02 10.77.0.2/24;
# the namespaces are PREFIX-PID-a and PREFIX-PID-b. A script may set other
# IF_* MAC_* IP_* after sourcing this file, before netns_pair_up.
# IPv6 is off (no chatter on the link) and the neighbours are static (an
# AF_XDP receiver that redirects everything swallows ARP).
# NETNS_ON_DOWN names a function netns_pair_down runs last, after the
# teardown (e.g. one that removes the script's log directory).

MAC_A=02:00:00:77:00:01
MAC_B=02:00:00:77:00:02
IP_A=10.77.0.1
IP_B=10.77.0.2
IF_A=va
IF_B=vb
NETNS_BG_PIDS=()
NETNS_ON_DOWN=

netns_pair_down() {
	local pid
	for pid in "${NETNS_BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	NETNS_BG_PIDS=()
	[ -n "${NS_A:-}" ] && ip netns del "$NS_A" 2>/dev/null
	[ -n "${NS_B:-}" ] && ip netns del "$NS_B" 2>/dev/null
	[ -n "$NETNS_ON_DOWN" ] && "$NETNS_ON_DOWN"
	return 0
}

netns_pair_up() {
	if [ $# -eq 2 ]; then
		NS_A=$1
		NS_B=$2
	else
		NS_A=$1-$$-a
		NS_B=$1-$$-b
	fi
	trap 'rc=$?; set +e; netns_pair_down; exit $rc' EXIT
	ip netns add "$NS_A"
	ip netns add "$NS_B"
	ip -n "$NS_A" link add "$IF_A" address "$MAC_A" type veth peer name "$IF_B" address "$MAC_B" netns "$NS_B"
	local ns
	for ns in "$NS_A" "$NS_B"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
		ip -n "$ns" link set lo up
	done
	ip -n "$NS_A" addr add "$IP_A/24" dev "$IF_A"
	ip -n "$NS_B" addr add "$IP_B/24" dev "$IF_B"
	ip -n "$NS_A" link set "$IF_A" up
	ip -n "$NS_B" link set "$IF_B" up
	ip -n "$NS_A" neigh add "$IP_B" lladdr "$MAC_B" dev "$IF_A" nud permanent
	ip -n "$NS_B" neigh add "$IP_A" lladdr "$MAC_A" dev "$IF_B" nud permanent
}

# netns_bg NS CMD...: runs CMD in NS in the background (PID in $!); killed
# on teardown.
netns_bg() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@" &
	NETNS_BG_PIDS+=($!)
}

# netns_start NS LOG PATTERN CMD...: starts CMD in NS in the background
# (output in LOG, PID in $pid, killed on teardown) and waits up to 10 s for
# LOG to show PATTERN. The kernel frees a closed AF_XDP socket's queue
# asynchronously (RCU + workqueue), so a bind right after the previous
# program exited can fail as busy: then it prints "  ($NETNS_BUSY_NOTE,
# retrying)" and tries again, 5 times at most. Errors go to stderr, after
# "$NETNS_TAG: ".
NETNS_TAG=lib-netns
NETNS_BUSY_NOTE="queue still busy"
netns_start() {
	local ns=$1 log=$2 pattern=$3 attempt i
	shift 3
	for attempt in 1 2 3 4 5; do
		netns_bg "$ns" "$@" >"$log" 2>&1
		pid=$!
		for i in $(seq 100); do
			grep -q "$pattern" "$log" && return 0
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		grep -q "$pattern" "$log" && return 0
		if kill -0 "$pid" 2>/dev/null; then
			echo "$NETNS_TAG: timed out waiting for '$pattern' from $1" >&2
			cat "$log" >&2
			return 1
		fi
		wait "$pid" || true
		if ! grep -qi "busy" "$log"; then
			echo "$NETNS_TAG: $1 failed to start:" >&2
			cat "$log" >&2
			return 1
		fi
		echo "  ($NETNS_BUSY_NOTE, retrying)"
		sleep 0.5
	done
	echo "$NETNS_TAG: $1 could not start:" >&2
	cat "$log" >&2
	return 1
}
