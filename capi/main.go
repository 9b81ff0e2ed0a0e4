// Command capi is libxdpkit.so: the C API of xdpkit, built with
// `go build -buildmode=c-shared`. It is the only package that uses cgo.
// The C files beside it hold the public functions of include/xdpkit.h;
// the Go exports here (internal names, hidden by the version script) are
// the control path over xsk/.
package main

/*
#cgo CFLAGS: -I${SRCDIR}/../include -O2 -Wall -Wextra -Wno-unused-parameter
#include "internal.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

func main() {}

// panicIn names an export that panics on entry, for the test that checks
// every export recovers (XDPKIT_TEST_PANIC=<go export name>).
var panicIn = os.Getenv("XDPKIT_TEST_PANIC")

// enter starts an export: it clears the thread's error and injects the
// test panic when asked.
func enter(name string) {
	C.xdpkit__clear_error()
	if panicIn == name {
		panic("injected by XDPKIT_TEST_PANIC")
	}
}

// guard turns a panic into -ENOTRECOVERABLE with its message; every
// export defers it, so no panic unwinds into C.
func guard(name string, ret *C.int) {
	if r := recover(); r != nil {
		*ret = fail(fmt.Errorf("%s: internal error (recovered panic: %v): %w", name, r, unix.ENOTRECOVERABLE))
	}
}

// fail records err as the thread's last error and returns -errno. An
// EPERM or EACCES gets a hint naming the capabilities the call needs that
// the process lacks (capabilityHint).
func fail(err error) C.int {
	errno := errnoOf(err)
	msg := err.Error()
	if errno == unix.EPERM || errno == unix.EACCES {
		msg += capabilityHint(msg)
	}
	if len(msg) > 0 {
		C.xdpkit__set_error((*C.char)(unsafe.Pointer(unsafe.StringData(msg))), C.size_t(len(msg)))
	}
	return -C.int(errno)
}

// Capability numbers (linux/capability.h).
const (
	capNetAdmin = 12
	capNetRaw   = 13
	capSysAdmin = 21
	capBPF      = 39
)

var capNames = map[int]string{capNetAdmin: "CAP_NET_ADMIN", capNetRaw: "CAP_NET_RAW", capSysAdmin: "CAP_SYS_ADMIN", capBPF: "CAP_BPF"}

// capsFor lists the capabilities behind the export msg starts with
// ("xdpkit_map_update: ..."): AF_XDP sockets need CAP_NET_RAW, BPF maps
// and programs CAP_BPF, XDP programs also CAP_NET_ADMIN, and opening a
// map by id CAP_SYS_ADMIN.
func capsFor(msg string) []int {
	name, _, _ := strings.Cut(msg, ":")
	switch {
	case strings.HasPrefix(name, "xdpkit_map_open") && strings.Contains(msg, "open map id"):
		return []int{capSysAdmin}
	case strings.HasPrefix(name, "xdpkit_umem_"):
		return []int{capNetRaw}
	case strings.HasPrefix(name, "xdpkit_socket_update_xskmap"):
		return []int{capBPF}
	case strings.HasPrefix(name, "xdpkit_socket_"):
		// The socket, then the default program and its XSKMAP.
		return []int{capNetRaw, capNetAdmin, capBPF}
	case strings.HasPrefix(name, "xdpkit_prog_"):
		return []int{capBPF, capNetAdmin}
	case strings.HasPrefix(name, "xdpkit_map_"), strings.HasPrefix(name, "xdpkit_xskmap_"),
		strings.HasPrefix(name, "xdpkit_cpumap_"), strings.HasPrefix(name, "xdpkit_devmap_"),
		strings.HasPrefix(name, "xdpkit_queue_"):
		return []int{capBPF}
	}
	return []int{capNetRaw, capNetAdmin, capBPF}
}

// capabilityHint is "" when the process has every capability the call
// needs (the denial then has another cause: an LSM, a read-only map...),
// else " (needs CAP_X and CAP_Y; the process lacks CAP_Y)", with the
// kernel.unprivileged_bpf_disabled setting when CAP_BPF is missing.
// CAP_SYS_ADMIN stands in for CAP_BPF and CAP_NET_ADMIN, as in the kernel.
func capabilityHint(msg string) string {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if unix.Capget(&hdr, &data[0]) != nil {
		return ""
	}
	has := func(c int) bool { return data[c/32].Effective&(1<<(c%32)) != 0 }
	need := capsFor(msg)
	var needNames, missing []string
	bpfMissing := false
	for _, c := range need {
		needNames = append(needNames, capNames[c])
		if has(c) || ((c == capBPF || c == capNetAdmin) && has(capSysAdmin)) {
			continue
		}
		missing = append(missing, capNames[c])
		bpfMissing = bpfMissing || c == capBPF
	}
	if len(missing) == 0 {
		return ""
	}
	hint := fmt.Sprintf(" (needs %s; the process lacks %s", joinAnd(needNames), joinAnd(missing))
	if bpfMissing {
		if b, err := os.ReadFile("/proc/sys/kernel/unprivileged_bpf_disabled"); err == nil {
			if v := strings.TrimSpace(string(b)); v != "0" {
				hint += "; kernel.unprivileged_bpf_disabled=" + v + ": no BPF map or program without CAP_BPF"
			}
		}
	}
	return hint + ")"
}

// joinAnd joins names as "A", "A and B", "A, B and C".
func joinAnd(names []string) string {
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// errnoOf finds the errno in err's chain. The kernel-internal ENOTSUPP
// (524) becomes EOPNOTSUPP; an error with no errno (a malformed ELF
// object, a path not on bpffs) is EINVAL.
func errnoOf(err error) unix.Errno {
	var errno unix.Errno
	if !errors.As(err, &errno) || errno == 0 {
		return unix.EINVAL
	}
	if errno == 524 {
		return unix.EOPNOTSUPP
	}
	return errno
}
