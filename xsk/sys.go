package xsk

import (
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Kernel UAPI constants of AF_XDP (include/uapi/linux/if_xdp.h), including
// those newer than the C headers of some distributions.
const (
	// Bind flags (struct sockaddr_xdp.sxdp_flags).
	BindSharedUmem  = 1 << 0 // XDP_SHARED_UMEM
	BindCopy        = 1 << 1 // XDP_COPY
	BindZeroCopy    = 1 << 2 // XDP_ZEROCOPY
	BindNeedWakeup  = 1 << 3 // XDP_USE_NEED_WAKEUP
	BindSG          = 1 << 4 // XDP_USE_SG (multi-buffer)
	bindKnownFlags  = BindSharedUmem | BindCopy | BindZeroCopy | BindNeedWakeup | BindSG
	UmemUnaligned   = 1 << 0 // XDP_UMEM_UNALIGNED_CHUNK_FLAG
	UmemTxSwCsum    = 1 << 1 // XDP_UMEM_TX_SW_CSUM
	UmemTxMetaLen   = 1 << 2 // XDP_UMEM_TX_METADATA_LEN
	umemKnownFlags  = UmemUnaligned | UmemTxSwCsum | UmemTxMetaLen
	OptionsZeroCopy = 1 << 0 // XDP_OPTIONS_ZEROCOPY

	// DescPktContd marks an RX/TX descriptor continued by the next one
	// (XDP_PKT_CONTD, multi-buffer).
	DescPktContd = 1 << 0

	solXDP             = 283
	optMmapOffsets     = 1
	optRxRing          = 2
	optTxRing          = 3
	optUmemReg         = 4
	optUmemFillRing    = 5
	optUmemCompRing    = 6
	optStatistics      = 7
	optOptions         = 8
	pgoffRxRing        = 0
	pgoffTxRing        = 0x80000000
	pgoffUmemFillRing  = 0x100000000
	pgoffUmemCompRing  = 0x180000000
	minFrameSize       = 2048
	xdpPacketHeadroom  = 256
	maxUnalignedFrames = 1 << 16
)

// retryEINTR runs f until it fails with something other than EINTR.
func retryEINTR(f func() error) error {
	for {
		err := f()
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

func setsockoptPtr(fd, opt int, p unsafe.Pointer, size uintptr) error {
	return retryEINTR(func() error {
		_, _, e := unix.Syscall6(unix.SYS_SETSOCKOPT, uintptr(fd), solXDP, uintptr(opt), uintptr(p), size, 0)
		if e != 0 {
			return e
		}
		return nil
	})
}

func getsockoptPtr(fd, opt int, p unsafe.Pointer, size uintptr) (uintptr, error) {
	l := uint32(size)
	err := retryEINTR(func() error {
		_, _, e := unix.Syscall6(unix.SYS_GETSOCKOPT, uintptr(fd), solXDP, uintptr(opt), uintptr(p), uintptr(unsafe.Pointer(&l)), 0)
		if e != 0 {
			return e
		}
		return nil
	})
	return uintptr(l), err
}

func setRingSize(fd, opt int, size uint32) error {
	return setsockoptPtr(fd, opt, unsafe.Pointer(&size), 4)
}

// newXDPSocket opens an AF_XDP socket with close-on-exec set.
func newXDPSocket() (int, error) {
	var fd int
	err := retryEINTR(func() (err error) {
		fd, err = unix.Socket(unix.AF_XDP, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
		return err
	})
	if err != nil {
		return -1, fmt.Errorf("socket(AF_XDP): %w", err)
	}
	return fd, nil
}

// mmapOffsets reads the ring layout, translating the v1 layout of kernels
// before 5.4 (no flags word) as libxdp does.
func mmapOffsets(fd int) (unix.XDPMmapOffsets, error) {
	var off unix.XDPMmapOffsets
	n, err := getsockoptPtr(fd, optMmapOffsets, unsafe.Pointer(&off), unsafe.Sizeof(off))
	if err != nil {
		return off, fmt.Errorf("getsockopt(XDP_MMAP_OFFSETS): %w", err)
	}
	if n == unsafe.Sizeof(off) {
		return off, nil
	}
	if n != 4*3*8 {
		return off, fmt.Errorf("getsockopt(XDP_MMAP_OFFSETS): unexpected size %d: %w", n, unix.EINVAL)
	}
	v1 := (*[12]uint64)(unsafe.Pointer(&off))
	rings := []*unix.XDPRingOffset{&off.Rx, &off.Tx, &off.Fr, &off.Cr}
	vals := *v1
	for i, r := range rings {
		r.Producer, r.Consumer, r.Desc = vals[3*i], vals[3*i+1], vals[3*i+2]
		r.Flags = r.Consumer + 4
	}
	return off, nil
}

// mapRing maps one ring of the socket and returns it with its cached
// indices initialised for a producer (prod=true) or a consumer.
func mapRing(fd int, off unix.XDPRingOffset, pgoff int64, entries uint32, elem uintptr, prod bool) (ring, error) {
	length := int(off.Desc + uint64(entries)*uint64(elem))
	var mem []byte
	err := retryEINTR(func() (err error) {
		mem, err = unix.Mmap(fd, pgoff, length, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
		return err
	})
	if err != nil {
		return ring{}, fmt.Errorf("mmap ring: %w", err)
	}
	return newRing(mem, off, entries, prod), nil
}

// newRing builds ring state over mem laid out as off describes.
func newRing(mem []byte, off unix.XDPRingOffset, entries uint32, prod bool) ring {
	base := unsafe.Pointer(&mem[0])
	r := ring{
		mask:     entries - 1,
		size:     entries,
		producer: (*uint32)(unsafe.Add(base, off.Producer)),
		consumer: (*uint32)(unsafe.Add(base, off.Consumer)),
		flags:    (*uint32)(unsafe.Add(base, off.Flags)),
		desc:     unsafe.Add(base, off.Desc),
		mem:      mem,
	}
	r.cachedProd = *r.producer
	r.cachedCons = *r.consumer
	if prod {
		r.cachedCons += entries
	}
	return r
}

func (r *ring) unmap() {
	if r.mem != nil {
		_ = unix.Munmap(r.mem)
		r.mem = nil
	}
}

func isPowerOfTwo(x uint32) bool { return x != 0 && x&(x-1) == 0 }
