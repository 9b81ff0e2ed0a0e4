package main

import (
	"errors"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// Hints appended to runtime errors, naming the missing capability or
// kernel feature.
const (
	hintPerm   = "needs CAP_NET_ADMIN and CAP_BPF (run as root)"
	hintNoXSK  = "the kernel has no AF_XDP sockets (CONFIG_XDP_SOCKETS)"
	hintNoDev  = "no such interface in this network namespace (see xdpkit ifaces; ip netns exec NS xdpkit ... for another namespace)"
	hintBusy   = "busy: another AF_XDP socket is bound to this queue, or another XDP program is attached (see xdpkit ifaces)"
	hintNotSup = "not supported by this kernel or driver"
	hintZC     = "the driver has no AF_XDP zero-copy support (use --copy, see xdpkit ifaces)"
	hintNoEnt  = "no such object"
)

// explain renders err with a hint about its cause.
func explain(err error) string {
	msg := err.Error()
	hint := ""
	switch {
	case errors.Is(err, unix.EPERM), errors.Is(err, unix.EACCES):
		hint = hintPerm
	case errors.Is(err, unix.EAFNOSUPPORT):
		hint = hintNoXSK
	case errors.Is(err, unix.ENODEV), errors.Is(err, unix.ENXIO):
		hint = hintNoDev
	case errors.Is(err, unix.EBUSY), errors.Is(err, unix.EEXIST) && !errors.Is(err, errMapEntry):
		hint = hintBusy
	case errors.Is(err, errZeroCopy):
		hint = hintZC
	case errors.Is(err, unix.EOPNOTSUPP), errors.Is(err, ebpf.ErrNotSupported):
		hint = hintNotSup
	}
	if hint == "" {
		return msg
	}
	return msg + " — " + hint
}

// errZeroCopy marks errors of sockets that asked for zero-copy.
var errZeroCopy = errors.New("zero-copy requested")

// errMapEntry marks errors of map element operations (EEXIST there is
// not a busy device).
var errMapEntry = errors.New("map element")
