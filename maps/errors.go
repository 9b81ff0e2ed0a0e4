package maps

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// Sentinel errors. Errors returned by this package match both the
// sentinel and the kernel's errno with errors.Is (ErrKeyNotExist and
// unix.ENOENT, for example), as cilium/ebpf's do.
var (
	ErrKeyNotExist  = errors.New("key does not exist")
	ErrKeyExist     = errors.New("key already exists")
	ErrMapFull      = errors.New("map is full")
	ErrNotSupported = errors.New("not supported")
	ErrWrongSize    = errors.New("wrong key or value size")
	ErrWrongMapType = errors.New("wrong map type")
	ErrMapClosed    = errors.New("map is closed")
)

// errnoENOTSUPP is the kernel-internal ENOTSUPP (524) that bpf(2) leaks
// for unsupported operations; it is reported as EOPNOTSUPP.
const errnoENOTSUPP = unix.Errno(524)

// opError wraps errno from the bpf syscall cmd with its sentinel.
func opError(op string, errno unix.Errno) error {
	switch errno {
	case unix.ENOENT:
		return fmt.Errorf("%s: %w: %w", op, ErrKeyNotExist, errno)
	case unix.EEXIST:
		return fmt.Errorf("%s: %w: %w", op, ErrKeyExist, errno)
	case unix.E2BIG:
		return fmt.Errorf("%s: %w: %w", op, ErrMapFull, errno)
	case unix.EOPNOTSUPP, errnoENOTSUPP:
		return fmt.Errorf("%s: %w: %w", op, ErrNotSupported, unix.EOPNOTSUPP)
	}
	return fmt.Errorf("%s: %w", op, errno)
}

func sizeError(what string, got, want uint32) error {
	return fmt.Errorf("%s is %d bytes, the map's is %d: %w: %w", what, got, want, ErrWrongSize, unix.EINVAL)
}
