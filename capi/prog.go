package main

/*
#include <stdlib.h>
#include "internal.h"
*/
import "C"

import (
	"fmt"
	"runtime/cgo"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/cilium/ebpf"
	"github.com/xdpkit/xdpkit/maps"
	"github.com/xdpkit/xdpkit/prog"
	"github.com/xdpkit/xdpkit/xsk"
)

// cProg is a loaded program with the maps handed out by name, which stay
// valid until the program is deleted.
type cProg struct {
	mu   sync.Mutex
	p    *prog.Program
	maps map[string]*maps.Map
}

// newHandle allocates a C handle struct for a Go object and registers it.
func newHandle(obj any, magic C.uint32_t) (*C.struct_xdpkit_prog, error) {
	h := (*C.struct_xdpkit_prog)(C.calloc(1, C.size_t(unsafe.Sizeof(C.struct_xdpkit_prog{}))))
	if h == nil {
		return nil, fmt.Errorf("out of memory: %w", unix.ENOMEM)
	}
	h.gohandle = C.uintptr_t(cgo.NewHandle(obj))
	if C.xdpkit__registry_add(unsafe.Pointer(h)) != 0 {
		cgo.Handle(h.gohandle).Delete()
		C.free(unsafe.Pointer(h))
		return nil, fmt.Errorf("out of memory: %w", unix.ENOMEM)
	}
	h.magic = magic
	return h, nil
}

// freeHandle unregisters and frees a handle; false if it was not live.
func freeHandle(h unsafe.Pointer, gohandle C.uintptr_t) bool {
	if C.xdpkit__registry_remove(h) == 0 {
		return false
	}
	cgo.Handle(gohandle).Delete()
	*(*C.uint32_t)(h) = 0
	C.xdpkit__handle_free(h)
	return true
}

func checkHandle(h unsafe.Pointer, magic C.uint32_t, name string) C.int {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	return C.xdpkit__check(h, C.uint32_t(magic), cname)
}

func progOf(h *C.struct_xdpkit_prog, name string) (*cProg, C.int) {
	if r := checkHandle(unsafe.Pointer(h), C.XDPKIT_MAGIC_PROG, name); r != 0 {
		return nil, r
	}
	return cgo.Handle(h.gohandle).Value().(*cProg), 0
}

//export xdpkitGoProgLoad
func xdpkitGoProgLoad(out **C.struct_xdpkit_prog, path, name *C.char, defaultQueues C.int64_t) (ret C.int) {
	defer guard("xdpkit_prog_load", &ret)
	enter("xdpkitGoProgLoad")
	fn := "xdpkit_prog_load_file"
	if defaultQueues >= 0 {
		fn = "xdpkit_prog_load_default"
	}
	if out == nil {
		return fail(fmt.Errorf("%s: out is NULL: %w", fn, unix.EINVAL))
	}
	*out = nil
	var p *prog.Program
	var err error
	if defaultQueues >= 0 {
		var spec *ebpf.CollectionSpec
		if spec, err = xsk.DefaultProgramSpec(); err == nil {
			if defaultQueues == 0 {
				defaultQueues = 1
			}
			spec.Maps["xsks_map"].MaxEntries = uint32(defaultQueues)
			p, err = prog.LoadSpec(spec, "xdpkit_redirect")
		}
	} else {
		if path == nil {
			return fail(fmt.Errorf("%s: path is NULL: %w", fn, unix.EINVAL))
		}
		sel := ""
		if name != nil {
			sel = C.GoString(name)
		}
		p, err = prog.Load(C.GoString(path), sel)
	}
	if err != nil {
		return fail(fmt.Errorf("%s: %w", fn, err))
	}
	h, err := newHandle(&cProg{p: p, maps: map[string]*maps.Map{}}, C.XDPKIT_MAGIC_PROG)
	if err != nil {
		p.Close()
		return fail(fmt.Errorf("%s: %w", fn, err))
	}
	*out = h
	return 0
}

//export xdpkitGoProgDelete
func xdpkitGoProgDelete(h *C.struct_xdpkit_prog) (ret C.int) {
	defer guard("xdpkit_prog_delete", &ret)
	enter("xdpkitGoProgDelete")
	cp, r := progOf(h, "xdpkit_prog_delete")
	if r != 0 {
		return r
	}
	if !freeHandle(unsafe.Pointer(h), h.gohandle) {
		return fail(fmt.Errorf("xdpkit_prog_delete: handle already deleted: %w", unix.EBADF))
	}
	cp.mu.Lock()
	defer cp.mu.Unlock()
	for _, m := range cp.maps {
		m.Close()
	}
	cp.p.Close()
	return 0
}

// op: 0 fd, 1 id.
//
//export xdpkitGoProgInfo
func xdpkitGoProgInfo(h *C.struct_xdpkit_prog, op C.int) (ret C.int) {
	name := [...]string{"xdpkit_prog_fd", "xdpkit_prog_id"}[op]
	defer guard(name, &ret)
	enter("xdpkitGoProgInfo")
	cp, r := progOf(h, name)
	if r != 0 {
		return r
	}
	if op == 0 {
		return C.int(cp.p.FD())
	}
	id, err := cp.p.ID()
	if err != nil {
		return fail(fmt.Errorf("%s: %w", name, err))
	}
	return C.int(id)
}

//export xdpkitGoProgMapFD
func xdpkitGoProgMapFD(h *C.struct_xdpkit_prog, mapName *C.char) (ret C.int) {
	defer guard("xdpkit_prog_map_fd", &ret)
	enter("xdpkitGoProgMapFD")
	cp, r := progOf(h, "xdpkit_prog_map_fd")
	if r != 0 {
		return r
	}
	if mapName == nil {
		return fail(fmt.Errorf("xdpkit_prog_map_fd: name is NULL: %w", unix.EINVAL))
	}
	n := C.GoString(mapName)
	cp.mu.Lock()
	defer cp.mu.Unlock()
	if m, ok := cp.maps[n]; ok {
		return C.int(m.FD())
	}
	m, err := cp.p.Map(n)
	if err != nil {
		return fail(fmt.Errorf("xdpkit_prog_map_fd: %w", err))
	}
	cp.maps[n] = m
	return C.int(m.FD())
}

//export xdpkitGoProgAttach
func xdpkitGoProgAttach(h *C.struct_xdpkit_prog, ifname *C.char, flags C.uint32_t, out **C.struct_xdpkit_link) (ret C.int) {
	defer guard("xdpkit_prog_attach", &ret)
	enter("xdpkitGoProgAttach")
	cp, r := progOf(h, "xdpkit_prog_attach")
	if r != 0 {
		return r
	}
	if out == nil || ifname == nil {
		return fail(fmt.Errorf("xdpkit_prog_attach: out or ifname is NULL: %w", unix.EINVAL))
	}
	*out = nil
	mode, err := attachMode(uint32(flags))
	if err != nil {
		return fail(fmt.Errorf("xdpkit_prog_attach: %w", err))
	}
	l, err := cp.p.Attach(C.GoString(ifname), mode)
	if err != nil {
		return fail(fmt.Errorf("xdpkit_prog_attach: %w", err))
	}
	lh, err := newHandle(l, C.XDPKIT_MAGIC_LINK)
	if err != nil {
		l.Detach()
		return fail(fmt.Errorf("xdpkit_prog_attach: %w", err))
	}
	*out = (*C.struct_xdpkit_link)(unsafe.Pointer(lh))
	return 0
}

// op: 0 mode, 1 detach.
//
//export xdpkitGoLink
func xdpkitGoLink(h *C.struct_xdpkit_link, op C.int) (ret C.int) {
	name := [...]string{"xdpkit_link_mode", "xdpkit_link_detach"}[op]
	defer guard(name, &ret)
	enter("xdpkitGoLink")
	if r := checkHandle(unsafe.Pointer(h), C.XDPKIT_MAGIC_LINK, name); r != 0 {
		return r
	}
	l := cgo.Handle(h.gohandle).Value().(*prog.Link)
	if op == 0 {
		return modeFlags(l.Mode())
	}
	if !freeHandle(unsafe.Pointer(h), h.gohandle) {
		return fail(fmt.Errorf("%s: handle already detached: %w", name, unix.EBADF))
	}
	if err := l.Detach(); err != nil {
		return fail(fmt.Errorf("%s: %w", name, err))
	}
	return 0
}
