#!/bin/bash
# run.sh BUILD_DIR — runs the C tests of libxdpkit.so (BUILD_DIR/tests/*)
# inside two fresh network namespaces joined by a veth pair:
#
#   ns A: $IF_A (2 RX / 2 TX queues), 10.77.0.1/24  <- the tests run here
#   ns B: $IF_B (1 TX queue),          10.77.0.2/24  <- the peer they talk to
#
# Names are unique per run; nothing is created outside the namespaces and
# everything is torn down on exit, whatever happens. The exit status is 0
# only when every test program passed. Needs root (CAP_NET_ADMIN, CAP_BPF).
set -u

usage() { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
[ $# -eq 1 ] || usage
build=$(cd "$1" 2>/dev/null && pwd) || { echo "run.sh: no directory $1" >&2; exit 2; }
tests=$build/tests
[ -x "$tests/test_xsk" ] || { echo "run.sh: $tests/test_xsk not built (make test-c)" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "run.sh: needs root (network namespaces, XDP)" >&2; exit 2; }

id=$$-$RANDOM
NS_A=xkt-a-$id # no "xdp" in any name: the tests grep `ip link` for it
NS_B=xkt-b-$id
IF_A=xka$$ # at most 10 characters: fits IFNAMSIZ
IF_B=xkb$$
TIMEOUT=${XDPKIT_TEST_TIMEOUT:-600}

child=
cleanup() {
	if [ -n "$child" ]; then # interrupted: stop the running test first
		kill -TERM "$child" 2>/dev/null
		wait "$child" 2>/dev/null
	fi
	ip netns del "$NS_A" 2>/dev/null # takes the veth pair with it
	ip netns del "$NS_B" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

setup() {
	ip netns add "$NS_A" && ip netns add "$NS_B" || return 1
	for ns in "$NS_A" "$NS_B"; do
		# No IPv6 chatter (DAD, router solicitations) on the test link.
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 || return 1
		ip -n "$ns" link set lo up || return 1
	done
	ip -n "$NS_A" link add "$IF_A" numtxqueues 2 numrxqueues 2 type veth \
		peer name "$IF_B" netns "$NS_B" numtxqueues 1 numrxqueues 2 || return 1
	ip -n "$NS_A" addr add 10.77.0.1/24 dev "$IF_A" &&
		ip -n "$NS_B" addr add 10.77.0.2/24 dev "$IF_B" &&
		ip -n "$NS_A" link set "$IF_A" up &&
		ip -n "$NS_B" link set "$IF_B" up
}

if ! setup; then
	echo "run.sh: could not set up the namespaces" >&2
	exit 2
fi

passed=0
failed=()

# run NAME CMD... — runs CMD in namespace A and records the result.
run() {
	local name=$1 rc
	shift
	echo "=== $name"
	# In the background so that a signal to this script is handled at once
	# (bash runs traps only between foreground commands).
	timeout -k 10 "$TIMEOUT" ip netns exec "$NS_A" "$@" &
	child=$!
	wait "$child"
	rc=$?
	child=
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
	else
		[ $rc -eq 124 ] && echo "run.sh: $name timed out after ${TIMEOUT}s"
		echo "run.sh: $name failed (exit status $rc)"
		failed+=("$name")
	fi
}

run test_xsk "$tests/test_xsk" "$IF_A" "$NS_B" "$IF_B"

# Frame pool, prefill, features, all queues, UMEM on a caller's fd.
run test_pool "$tests/test_pool" "$IF_A"

# Maps and programs (tests/c/test_maps.c); the attach and XSKMAP tests use
# the veth pair like test_xsk.
if [ -x "$tests/test_maps" ]; then
	run test_maps "$tests/test_maps" "$IF_A" "$NS_B" "$IF_B"
else
	echo "run.sh: $tests/test_maps not built"
	failed+=("test_maps (not built)")
fi

# A Go panic inside an export comes back as -ENOTRECOVERABLE and the
# process carries on (capi/main.go guard). The hook is read when the
# library loads, so each case is a process of its own.
if [ -x "$tests/test_panic" ]; then
	for fn in xdpkitGoUmemCreate xdpkitGoSocketCreate xdpkitGoUmemDelete; do
		run "test_panic $fn" env XDPKIT_TEST_PANIC=$fn "$tests/test_panic" "$IF_A"
	done
else
	echo "run.sh: $tests/test_panic not built"
	failed+=("test_panic (not built)")
fi

echo "run.sh: $passed passed, ${#failed[@]} failed${failed[*]:+: ${failed[*]}}"
[ ${#failed[@]} -eq 0 ]
