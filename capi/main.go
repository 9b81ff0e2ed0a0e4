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

// fail records err as the thread's last error and returns -errno.
func fail(err error) C.int {
	msg := err.Error()
	if len(msg) > 0 {
		C.xdpkit__set_error((*C.char)(unsafe.Pointer(unsafe.StringData(msg))), C.size_t(len(msg)))
	}
	return -C.int(errnoOf(err))
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
