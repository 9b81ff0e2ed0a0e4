#!/bin/sh
# check-lib.sh LIB — checks what libxdpkit.so links against and exports.
#
#  1. `ldd LIB` lists only the C library's own pieces (libc, libpthread,
#     libdl, libm, the dynamic loader, the vDSO): no libbpf, libxdp, libelf,
#     libz or anything else.
#  2. The soname is libxdpkit.so.0.
#  3. `nm -D --defined-only` shows nothing but public xdpkit_* names (not
#     the internal xdpkit__*, no cgo or Go runtime symbol) and the version
#     node XDPKIT_0.1, every name versioned XDPKIT_0.1.
#  4. Every function include/xdpkit.h declares (inline ring helpers too:
#     the library emits real copies) is exported, and nothing undeclared.
#  5. No exported name is libbpf's or libxdp's (xsk_*, bpf_*, libbpf_*,
#     libxdp_*, xdp_*, btf_*), nor in the installed libbpf.so/libxdp.so.
#
# The header is include/xdpkit.h next to this script's directory, or
# $XDPKIT_HEADER. Prints one summary line; exits 1 on any problem.
set -u

lib=${1:-}
if [ -z "$lib" ] || [ $# -ne 1 ]; then
	echo "usage: $0 LIB" >&2
	exit 2
fi
hdr=${XDPKIT_HEADER:-$(dirname "$0")/../include/xdpkit.h}
cc=${CC:-cc}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

problems=0
problem() {
	echo "check-lib: $*" >&2
	problems=$((problems + 1))
}

[ -f "$lib" ] || { echo "check-lib: FAIL: no such file: $lib"; exit 1; }
[ -f "$hdr" ] || { echo "check-lib: FAIL: no header: $hdr"; exit 1; }
for tool in ldd nm readelf; do
	command -v "$tool" >/dev/null || { echo "check-lib: FAIL: $tool not found"; exit 1; }
done

# 1. Dependencies.
if ! ldd "$lib" >"$tmp/ldd" 2>&1; then
	problem "ldd $lib failed: $(cat "$tmp/ldd")"
fi
deps=""
while read -r first rest; do
	[ -n "$first" ] || continue
	case "$first" in statically) continue ;; esac
	name=${first##*/}
	deps="$deps $name"
	case "$rest" in *"not found"*) problem "ldd: $name not found" ;; esac
	case "$name" in
	libbpf.so* | libxdp.so* | libelf.so* | libz.so*)
		problem "links against $name (the library must not need libbpf/libxdp/libelf/libz)" ;;
	linux-vdso.so.* | linux-gate.so.* | libc.so.* | libpthread.so.* | libdl.so.* | libm.so.* | ld-linux*.so.*) ;;
	*) problem "unexpected dependency $name (only libc, libpthread, libdl, libm, ld-linux, vdso are allowed)" ;;
	esac
done <"$tmp/ldd"

# 2. Soname.
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libxdpkit.so.0 ] || problem "soname is '${soname:-none}', want libxdpkit.so.0"

# 3. Exports: name@@version per line (binutils >= 2.37 prints versions).
if ! nm -D --defined-only "$lib" >"$tmp/nm" 2>&1; then
	problem "nm -D $lib failed: $(head -1 "$tmp/nm")"
fi
awk 'NF >= 3 { print $3 }' "$tmp/nm" >"$tmp/syms"
: >"$tmp/exports"
versioned=0
while read -r sym; do
	name=${sym%%@*}
	version=""
	case "$sym" in *@*) version=${sym##*@}; versioned=1 ;; esac
	if [ "$name" = XDPKIT_0.1 ]; then
		continue
	fi
	case "$name" in
	xdpkit__*) problem "exports internal symbol $name" ;;
	xdpkit_[a-z0-9]*)
		echo "$name" >>"$tmp/exports"
		if [ -n "$version" ] && [ "$version" != XDPKIT_0.1 ]; then
			problem "$name has version $version, want XDPKIT_0.1"
		fi ;;
	*) problem "exports $sym (only xdpkit_* names and XDPKIT_0.1 may be exported)" ;;
	esac
done <"$tmp/syms"
grep -qx 'XDPKIT_0.1' "$tmp/syms" || grep -q '^XDPKIT_0.1@' "$tmp/syms" ||
	problem "no version node XDPKIT_0.1 (version script not applied?)"
if [ "$versioned" = 0 ]; then
	# Older nm without versions: ask readelf whether the xdpkit_ symbols are versioned.
	readelf --dyn-syms -W "$lib" | grep -q 'xdpkit_version@@XDPKIT_0.1' ||
		problem "exported symbols carry no version XDPKIT_0.1"
fi
sort -u "$tmp/exports" -o "$tmp/exports"
sed 's/@.*//' "$tmp/syms" | grep -vx 'XDPKIT_0.1' | sort -u >"$tmp/allnames"
nexports=$(wc -l <"$tmp/exports")
[ "$nexports" -gt 0 ] || problem "no xdpkit_* symbol exported"

# 4. Header declarations vs exports. Comments and macros go away in the
# preprocessor; what is left followed by "(" is a function name.
if "$cc" -E -P -x c "$hdr" >"$tmp/hdr.i" 2>"$tmp/cc.err"; then
	:
else
	# No compiler: drop comments with sed (good enough for this header).
	sed -e 's://.*$::' "$hdr" | tr '\n' '\001' | sed -e 's:/\*[^*]*\*\+\([^/*][^*]*\*\+\)*/::g' | tr '\001' '\n' \
		| grep -v '^[[:space:]]*#' >"$tmp/hdr.i"
fi
grep -oE '(^|[^A-Za-z0-9_])xdpkit_[a-z0-9_]+[[:space:]]*\(' "$tmp/hdr.i" |
	grep -oE 'xdpkit_[a-z0-9_]+' | sort -u >"$tmp/declared"
ndeclared=$(wc -l <"$tmp/declared")
[ "$ndeclared" -gt 0 ] || problem "found no function in $hdr"
for name in $(comm -23 "$tmp/declared" "$tmp/exports"); do
	problem "$name is declared in $(basename "$hdr") but not exported"
done
for name in $(comm -13 "$tmp/declared" "$tmp/exports"); do
	problem "$name is exported but not declared in $(basename "$hdr")"
done

# 5. Collisions with libbpf/libxdp (any exported name): by prefix, then by
# name against the installed libraries when there are any.
while read -r name; do
	case "$name" in
	xsk_* | bpf_* | libbpf_* | libxdp_* | xdp_* | btf_*) problem "$name collides with libbpf/libxdp's namespace" ;;
	esac
done <"$tmp/allnames"
ncompared=""
seen=""
for other in libbpf.so libbpf.so.1 libxdp.so libxdp.so.1; do
	path=$(ldconfig -p 2>/dev/null | awk -v n="$other" '$1 == n { print $NF; exit }')
	[ -n "$path" ] && [ -f "$path" ] || continue
	real=$(readlink -f "$path")
	case " $seen " in *" $real "*) continue ;; esac
	seen="$seen $real"
	nm -D --defined-only "$path" 2>/dev/null | awk 'NF >= 3 { sub(/@.*/, "", $3); print $3 }' | sort -u >"$tmp/other"
	for name in $(comm -12 "$tmp/allnames" "$tmp/other"); do
		problem "$name is also exported by $path"
	done
	ncompared="$ncompared ${path##*/}"
done

if [ "$problems" -gt 0 ]; then
	echo "check-lib: FAIL $lib: $problems problem(s) (see above)"
	exit 1
fi
echo "check-lib: OK $lib: soname $soname; needs$deps; exports $nexports xdpkit_* functions @XDPKIT_0.1, all $ndeclared of $(basename "$hdr"); no libbpf/libxdp names${ncompared:+ (checked against$ncompared)}"
