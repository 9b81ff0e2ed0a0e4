#!/bin/bash
# run-valgrind.sh BUILD_DIR — the C tests (tests/c/run.sh) and the
# reliability tests (tests/reliability/run.sh) under valgrind memcheck,
# then vgcheck.py on the reports: the library's C layer must be clean and
# leak nothing; Go runtime noise is suppressed (go.supp) and counted.
#
# Each test program is replaced by a wrapper in BUILD_DIR/valgrind that
# execs valgrind on the real one, so the two runners are used unchanged.
# Left out under valgrind: the Python test (CPython under memcheck is its
# own noise) and the libFuzzer-driven replay gets 2000 inputs instead of
# 20000. A positive control (san_canary: an overflow inside
# xdpkit_pool_alloc) must be reported as a C-layer failure.
set -u
build=$(cd "${1:?usage: run-valgrind.sh BUILD_DIR}" && pwd) || exit 2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
vg=$build/valgrind
command -v valgrind >/dev/null || { echo "run-valgrind: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }

rm -rf "$vg"
mkdir -p "$vg/tests" "$vg/reliability" "$vg/logs" "$vg/canary"
chmod 1777 "$vg/logs" # rel_perms runs as nobody
ln -s "$build/libxdpkit.so.0" "$vg/libxdpkit.so.0"

VG_OPTS="--tool=memcheck --num-callers=40 --leak-check=full --show-leak-kinds=definite,indirect,possible \
--errors-for-leak-kinds=definite,indirect --child-silent-after-fork=yes --trace-children=no \
--suppressions=$here/go.supp --suppressions=$here/tests.supp"

# wrap DIR NAME REAL LOGDIR
wrap() {
	cat >"$1/$2" <<WRAP
#!/bin/sh
exec valgrind $VG_OPTS --xml=yes --xml-file=$4/$2.%p.xml --log-file=$4/$2.%p.log $3 "\$@"
WRAP
	chmod 755 "$1/$2"
}

for t in test_xsk test_pool test_maps test_panic; do
	wrap "$vg/tests" "$t" "$build/tests/$t" "$vg/logs"
done
for t in "$build"/reliability/*; do
	wrap "$vg/reliability" "$(basename "$t")" "$t" "$vg/logs"
done

rc=0
echo "=== tests/c under valgrind"
XDPKIT_TEST_TIMEOUT=1800 "$root/tests/c/run.sh" "$vg" || rc=1
echo "=== tests/reliability under valgrind"
XDPKIT_TEST_TIMEOUT=1800 XDPKIT_FUZZ_RUNS=2000 XDPKIT_RELIABILITY_LIB="$build/libxdpkit.so.0" \
	XDPKIT_RELIABILITY_ONLY="fuzz_batch rel_leak rel_faults rel_threads rel_fork rel_signals_before rel_signals_after rel_signals_linked rel_embed rel_embed_rev rel_perms_unprivileged rel_perms_dropped" \
	"$here/../run.sh" "$vg" short || rc=1
echo "=== valgrind reports"
python3 "$here/vgcheck.py" "$root/capi" "$vg"/logs/*.xml || rc=1

echo "=== valgrind canary: an overflow inside the library's C layer must be reported"
wrap "$vg/canary" san_canary "$build/reliability/san_canary" "$vg/canary"
"$vg/canary/san_canary" overflow >/dev/null 2>&1
if python3 "$here/vgcheck.py" "$root/capi" "$vg"/canary/*.xml >"$vg/canary/vgcheck.out" 2>&1; then
	echo "FAIL: vgcheck did not flag the canary's overflow:"; cat "$vg/canary/vgcheck.out"; rc=1
elif grep -q "C layer at xdpkit_pool_alloc" "$vg/canary/vgcheck.out"; then
	echo "ok memcheck reports the overflow in xdpkit_pool_alloc as a C-layer failure"
else
	echo "FAIL: the canary's report is not the expected one:"; cat "$vg/canary/vgcheck.out"; rc=1
fi
exit $rc
