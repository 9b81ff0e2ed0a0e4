package main

/*
#include "internal.h"
*/
import "C"

import (
	"fmt"
	"runtime/cgo"
	"unsafe"

	"github.com/xdpkit/xdpkit/xsk"
	"golang.org/x/sys/unix"
)

// initProd fills a C producer ring struct from a Go ring.
func initProd(dst *C.struct_xdpkit_ring_prod, r *xsk.ProdRing) {
	p, c, f, d := r.Pointers()
	C.xdpkit__ring_init_prod(dst, (*C.uint32_t)(p), (*C.uint32_t)(c), (*C.uint32_t)(f), d, C.uint32_t(r.Size()))
}

// initCons fills a C consumer ring struct from a Go ring.
func initCons(dst *C.struct_xdpkit_ring_cons, r *xsk.ConsRing) {
	p, c, f, d := r.Pointers()
	C.xdpkit__ring_init_cons(dst, (*C.uint32_t)(p), (*C.uint32_t)(c), (*C.uint32_t)(f), d, C.uint32_t(r.Size()))
}

//export xdpkitGoUmemCreate
func xdpkitGoUmemCreate(h *C.struct_xdpkit_umem, fd C.int, area unsafe.Pointer, size C.uint64_t, cfg *C.struct_xdpkit_umem_config) (ret C.int) {
	defer guard("xdpkit_umem_create", &ret)
	enter("xdpkitGoUmemCreate")
	var mem []byte
	if area != nil {
		if size == 0 || uint64(size) > 1<<46 {
			return fail(fmt.Errorf("xdpkit_umem_create: size %d of the caller's area: %w", uint64(size), unix.EINVAL))
		}
		mem = unsafe.Slice((*byte)(area), int(size))
	}
	ucfg := xsk.UmemConfig{
		Size:          uint64(size),
		FillSize:      uint32(cfg.fill_size),
		CompSize:      uint32(cfg.comp_size),
		FrameSize:     uint32(cfg.frame_size),
		FrameHeadroom: uint32(cfg.frame_headroom),
		Flags:         uint32(cfg.flags),
		TxMetadataLen: uint32(cfg.tx_metadata_len),
	}
	var u *xsk.Umem
	var err error
	if fd >= 0 {
		u, err = xsk.NewUmemFD(int(fd), mem, ucfg)
	} else {
		u, err = xsk.NewUmem(mem, ucfg)
	}
	if err != nil {
		return fail(fmt.Errorf("xdpkit_umem_create: %w", err))
	}
	a := u.Area()
	h.gohandle = C.uintptr_t(cgo.NewHandle(u))
	h.fd = C.int(u.FD())
	h.area = unsafe.Pointer(&a[0])
	h.size = C.uint64_t(len(a))
	h.frame_size = C.uint32_t(u.Config().FrameSize)
	initProd(h.fill, &u.Fill().ProdRing)
	initCons(h.comp, &u.Completion().ConsRing)
	return 0
}

//export xdpkitGoUmemDelete
func xdpkitGoUmemDelete(h *C.struct_xdpkit_umem) (ret C.int) {
	defer guard("xdpkit_umem_delete", &ret)
	enter("xdpkitGoUmemDelete")
	handle := cgo.Handle(h.gohandle)
	if err := handle.Value().(*xsk.Umem).Close(); err != nil {
		return fail(fmt.Errorf("xdpkit_umem_delete: %w", err))
	}
	handle.Delete()
	return 0
}
