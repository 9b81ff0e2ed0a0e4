#!/usr/bin/env bash
# prepare.sh BUILD_DIR — builds what `make bench` runs beyond the library,
# the C examples and the CLI (the Makefile builds those first):
#   BUILD/bench/xskbench_libxdp   bench/c/xskbench.c against libxdp (-lxdp -lbpf)
#   BUILD/bench/xskbench_xdpkit   the same source against <xdpkit/xsk.h>
#   BUILD/bench/callcost          call costs into libxdpkit from C
#   bindings/rust/target/release/examples/{rxdrop,txonly,l2fwd}
# Debian's libxdp-dev and libbpf-dev are installed with apt-get when
# missing (as root). Whatever cannot be built leaves BINARY.why with the
# reason, and the benchmark prints that reason instead of the row.
# Environment: CC (cc), CARGO (cargo).
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=$(cd "${1:?usage: prepare.sh BUILD_DIR}" && pwd)
OUT=$BUILD/bench
mkdir -p "$OUT"
CC=${CC:-cc}
CFLAGS="-std=gnu11 -O2 -g -Wall -Wextra -Werror"

have_libxdp() { [ -e /usr/include/xdp/xsk.h ] && [ -e /usr/include/bpf/libbpf.h ]; }

# build NAME REASON_IF_FAILED CMD...: runs CMD, or leaves NAME.why.
build() {
	local name=$1 reason=$2
	shift 2
	rm -f "$OUT/$name.why"
	local log
	if ! log=$("$@" 2>&1); then
		echo "bench: $name: $reason" >&2
		printf '%s\n' "$log" | tail -5 >&2
		echo "$reason: $(printf '%s\n' "$log" | grep -m1 -E 'error|Error' || printf '%s\n' "$log" | tail -1)" >"$OUT/$name.why"
		rm -f "$OUT/$name"
		return 1
	fi
}

if ! have_libxdp; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "bench: installing libxdp-dev and libbpf-dev (apt-get)"
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -q --no-install-recommends libxdp-dev libbpf-dev >/dev/null 2>&1 ||
			{ apt-get update -q >/dev/null 2>&1 &&
			  apt-get install -y -q --no-install-recommends libxdp-dev libbpf-dev >/dev/null 2>&1; }
	fi
fi
if have_libxdp; then
	build xskbench_libxdp "the libxdp build of bench/c/xskbench.c failed" \
		"$CC" $CFLAGS -DUSE_LIBXDP -DREDIRECT_OBJ="\"$PWD/xsk/redirect_bpfel.o\"" \
		-o "$OUT/xskbench_libxdp" bench/c/xskbench.c -lxdp -lbpf
else
	rm -f "$OUT/xskbench_libxdp"
	echo "libxdp-dev/libbpf-dev are not installed and apt-get could not install them" >"$OUT/xskbench_libxdp.why"
	echo "bench: no libxdp: the libxdp rows are left out" >&2
fi

build xskbench_xdpkit "the xdpkit build of bench/c/xskbench.c failed" \
	"$CC" $CFLAGS -Iinclude -o "$OUT/xskbench_xdpkit" bench/c/xskbench.c \
	-L"$BUILD" -lxdpkit -Wl,-rpath,"$BUILD"
build callcost "bench/c/callcost.c failed to build" \
	"$CC" $CFLAGS -Iinclude -o "$OUT/callcost" bench/c/callcost.c -L"$BUILD" -lxdpkit -Wl,-rpath,"$BUILD"

# Rust: release builds of the crate's examples, linked to BUILD's library.
CARGO=${CARGO:-$(command -v cargo 2>/dev/null || echo "$HOME/.cargo/bin/cargo")}
rm -f "$OUT/rust.why"
if [ -x "$CARGO" ]; then
	if ! log=$(cd bindings/rust && XDPKIT_LIB_DIR="$BUILD" "$CARGO" build -q --release --locked --examples -p xdpkit 2>&1); then
		printf '%s\n' "$log" | tail -5 >&2
		echo "cargo build --release --examples failed: $(printf '%s\n' "$log" | grep -m1 error || printf '%s\n' "$log" | tail -1)" >"$OUT/rust.why"
	fi
else
	echo "cargo not found (set CARGO)" >"$OUT/rust.why"
fi
exit 0
