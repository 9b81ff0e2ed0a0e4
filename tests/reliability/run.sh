#!/bin/bash
# run.sh BUILD_DIR [short|long] — the reliability tests of libxdpkit.so
# (tests/RELIABILITY.md), in a fresh network namespace with a veth pair
# of 2 RX/TX queues; the tests add (and remove) veth pairs of their own in
# it. The namespace goes on exit, whatever happens. Needs root.
#
#   BUILD_DIR/reliability/*  the test programs (make test-reliability)
#   short (make test):  100 leak cycles, 3 SIGKILL rounds, 20 thread
#                       loops, 20 forks, 20000 fuzz replays
#   long  (make test-long): 1000 leak cycles, 20 rounds, 200 loops,
#                       200 forks, 200000 fuzz replays
#
# Environment:
#   XDPKIT_RELIABILITY_LIB   the library rel_signals and the Python test
#                            load (default BUILD_DIR/libxdpkit.so.0)
#   XDPKIT_RELIABILITY_ONLY  run only these tests (space-separated names
#                            below), e.g. for the sanitizer and valgrind runs
#   XDPKIT_TEST_TIMEOUT      per-program limit in seconds (default 900)
#   XDPKIT_FUZZ_RUNS         pseudo-random inputs of the fuzz_batch replay
#   CI=true                  a test that cannot run (libxdp/libbpf headers
#                            missing) fails instead of being skipped
# Exit status 0 only when every test passed.
set -u

usage() { echo "usage: $0 BUILD_DIR [short|long]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
build=$(cd "$1" 2>/dev/null && pwd) || { echo "run.sh: no directory $1" >&2; exit 2; }
mode=${2:-short}
case $mode in short | long) ;; *) usage ;; esac
bin=$build/reliability
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
lib=${XDPKIT_RELIABILITY_LIB:-$build/libxdpkit.so.0}
only=${XDPKIT_RELIABILITY_ONLY:-}
TIMEOUT=${XDPKIT_TEST_TIMEOUT:-900}
[ "$(id -u)" -eq 0 ] || { echo "run.sh: needs root (network namespaces, XDP)" >&2; exit 2; }
[ -x "$bin/rel_leak" ] || { echo "run.sh: $bin/rel_leak not built (make test-reliability)" >&2; exit 2; }

if [ "$mode" = long ]; then
	LEAK_CYCLES=1000 ROUNDS=20 LOOPS=200 FORKS=200 FUZZ_RUNS=200000
else
	LEAK_CYCLES=100 ROUNDS=3 LOOPS=20 FORKS=20 FUZZ_RUNS=20000
fi
FUZZ_RUNS=${XDPKIT_FUZZ_RUNS:-$FUZZ_RUNS}

id=$$-$RANDOM
NS=xkr-$id # no "xdp" in names: tests grep `ip link` output
IF_A=xra$$
IF_B=xrb$$

child=
cleanup() {
	if [ -n "$child" ]; then
		kill -TERM "$child" 2>/dev/null
		wait "$child" 2>/dev/null
	fi
	ip netns del "$NS" 2>/dev/null # takes every veth in it along
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

setup() {
	ip netns add "$NS" || return 1
	ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 || return 1
	ip -n "$NS" link set lo up &&
		ip -n "$NS" link add "$IF_A" numtxqueues 2 numrxqueues 2 type veth \
			peer name "$IF_B" numtxqueues 2 numrxqueues 2 &&
		ip -n "$NS" link set "$IF_A" up && ip -n "$NS" link set "$IF_B" up
}
if ! setup; then
	echo "run.sh: could not set up the namespace" >&2
	exit 2
fi

passed=0
failed=()
skipped=()

wanted() { [ -z "$only" ] || [[ " $only " == *" $1 "* ]]; }

# run NAME CMD... — runs CMD in the namespace, bounded, and records it.
run() {
	local name=$1 rc
	shift
	wanted "$name" || return 0
	echo "=== $name"
	timeout -k 10 "$TIMEOUT" ip netns exec "$NS" "$@" &
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

# cannot NAME REASON — a test that cannot run here: skipped, or failed in CI.
cannot() {
	wanted "$1" || return 0
	if [ "${CI:-}" = true ]; then
		echo "run.sh: $1 cannot run: $2 (CI=true: failing)"
		failed+=("$1")
	else
		echo "run.sh: $1 skipped: $2"
		skipped+=("$1")
	fi
}

# Every function of xdpkit.h (the inline ring and address helpers aside) is
# called by the forked-child test, so a new function cannot miss the fork
# guard unnoticed.
fork_coverage() {
	local missing=0 f
	for f in $(${CC:-cc} -E -P -x c "$root/include/xdpkit.h" |
		grep -oE '(^|[^A-Za-z0-9_])xdpkit_[a-z0-9_]+[[:space:]]*\(' | grep -oE 'xdpkit_[a-z0-9_]+' | sort -u); do
		case $f in xdpkit_ring_* | xdpkit_umem_addr* | xdpkit_umem_data) continue ;; esac
		grep -q "\b$f(" "$here/rel_fork.c" || { echo "FAIL: $f is not called by rel_fork.c's forked child"; missing=1; }
	done
	[ $missing -eq 0 ] && echo "ok every function of xdpkit.h is checked in a forked child"
	return $missing
}
if wanted fork_coverage; then
	echo "=== fork_coverage"
	if fork_coverage; then passed=$((passed + 1)); else failed+=(fork_coverage); fi
fi

run fuzz_batch env FUZZ_BATCH_RUNS=$FUZZ_RUNS "$bin/fuzz_batch"
run rel_leak "$bin/rel_leak" "$IF_A" $LEAK_CYCLES
run rel_faults "$bin/rel_faults" "$IF_A" $ROUNDS
run rel_threads "$bin/rel_threads" "$IF_A" $LOOPS
run rel_fork "$bin/rel_fork" "$IF_A" $FORKS
run rel_signals_before "$bin/rel_signals" "$lib" before
run rel_signals_after "$bin/rel_signals" "$lib" after
run rel_signals_linked "$bin/rel_signals_linked" "$lib" after
if [ -x "$bin/rel_embed" ] && [ -x "$bin/rel_embed_rev" ]; then
	run rel_embed "$bin/rel_embed" "$IF_A"
	run rel_embed_rev "$bin/rel_embed_rev" "$IF_A"
else
	cannot rel_embed "not built: libxdp-dev/libbpf-dev headers missing (apt-get install libxdp-dev libbpf-dev)"
fi
if command -v setpriv >/dev/null; then
	run rel_perms_unprivileged setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$bin/rel_perms" unpriv "$IF_A" "$root/xsk/redirect_bpfel.o"
else
	cannot rel_perms_unprivileged "setpriv (util-linux) missing"
fi
run rel_perms_dropped "$bin/rel_perms" drop "$IF_A"
if command -v python3 >/dev/null; then
	run python_spawn env PYTHONDONTWRITEBYTECODE=1 XDPKIT_LIBRARY="$lib" python3 "$root/tests/python_embed/test_spawn.py"
else
	cannot python_spawn "python3 missing"
fi

echo "reliability-$mode: ${passed} passed, ${#failed[@]} failed${failed[*]:+: ${failed[*]}}${skipped[*]:+; skipped: ${skipped[*]}}"
[ ${#failed[@]} -eq 0 ]
