package maps

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// bpf(2) commands used on map fds.
const (
	cmdMapLookupElem           = 1
	cmdMapUpdateElem           = 2
	cmdMapDeleteElem           = 3
	cmdMapGetNextKey           = 4
	cmdMapLookupAndDeleteElem  = 21
	cmdMapLookupBatch          = 24
	cmdMapLookupAndDeleteBatch = 25
	cmdMapUpdateBatch          = 26
	cmdMapDeleteBatch          = 27
)

// elemAttr is the map element part of union bpf_attr.
type elemAttr struct {
	mapFD uint32
	_     uint32
	key   uint64
	value uint64 // or next_key
	flags uint64
}

// batchAttr is the batch part of union bpf_attr.
type batchAttr struct {
	inBatch   uint64
	outBatch  uint64
	keys      uint64
	values    uint64
	count     uint32
	mapFD     uint32
	elemFlags uint64
	flags     uint64
}

func bpfCall(cmd int, attr unsafe.Pointer, size uintptr) unix.Errno {
	for {
		_, _, e := unix.Syscall(unix.SYS_BPF, uintptr(cmd), uintptr(attr), size)
		if e != unix.EINTR {
			return e
		}
	}
}

func ptr(b []byte) uint64 {
	if len(b) == 0 {
		return 0
	}
	return uint64(uintptr(unsafe.Pointer(&b[0])))
}

// elemOp runs one element command; key and value may be nil (key-less
// maps, delete).
func elemOp(cmd int, fd int, key, value []byte, flags uint64) unix.Errno {
	attr := elemAttr{mapFD: uint32(fd), key: ptr(key), value: ptr(value), flags: flags}
	return bpfCall(cmd, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
}

// batchOp runs one batch command and returns the count the kernel reports.
func batchOp(cmd int, fd int, in, out, keys, values []byte, count uint32, elemFlags uint64) (uint32, unix.Errno) {
	attr := batchAttr{inBatch: ptr(in), outBatch: ptr(out), keys: ptr(keys), values: ptr(values),
		count: count, mapFD: uint32(fd), elemFlags: elemFlags}
	e := bpfCall(cmd, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
	return attr.count, e
}
