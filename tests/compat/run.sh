#!/usr/bin/env bash
# run.sh BUILD_DIR — the libxdp source-compatibility test: tests/compat/
# xsk_user.c, written against libxdp's <xdp/xsk.h> API, built against
# <xdpkit/xsk.h> and -lxdpkit, receives traffic on a veth, once with the
# library's default program and once with xsk_setup_xdp_prog +
# INHIBIT_PROG_LOAD + xsk_socket__update_xskmap. It is also built against
# libxdp itself when libxdp-dev is installed, to show the source is the
# same program.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=$(cd "${1:?usage: run.sh BUILD_DIR}" && pwd)
. scripts/lib-netns.sh

mkdir -p "$BUILD/tests"
CFLAGS="-std=gnu11 -O2 -Wall -Wextra -Werror"
cc $CFLAGS -Iinclude -o "$BUILD/tests/xsk_user" tests/compat/xsk_user.c \
	-L"$BUILD" -lxdpkit -Wl,-rpath,"$BUILD"
if [ -e /usr/include/xdp/xsk.h ]; then
	cc $CFLAGS -DUSE_LIBXDP -o "$BUILD/tests/xsk_user_libxdp" tests/compat/xsk_user.c -lxdp -lbpf
	echo "ok compat_build_libxdp (same source builds against libxdp)"
fi

netns_pair_up xdpkit-compat
pass=0 fail=0
for mode in default setup; do
	log=$(mktemp)
	ip netns exec "$NS_A" "$BUILD/tests/xsk_user" "$IF_A" 0 10 100 $([ $mode = setup ] && echo setup) >"$log" 2>&1 &
	rx=$!
	for _ in $(seq 50); do
		grep -q listening "$log" && break
		kill -0 $rx 2>/dev/null || break
		sleep 0.1
	done
	ip netns exec "$NS_B" "$BUILD/examples/txonly" -i "$IF_B" -q 0 -c -d 1 \
		-S "$MAC_B" -D "$MAC_A" -a "$IP_B" -b "$IP_A" >/dev/null
	if wait $rx; then
		echo "ok compat_xsk_user_$mode: $(grep received "$log")"
		pass=$((pass + 1))
	else
		echo "FAIL compat_xsk_user_$mode:"
		sed 's/^/  /' "$log"
		fail=$((fail + 1))
	fi
	rm -f "$log"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
