package main

/*
#include "internal.h"
*/
import "C"

import (
	"fmt"
	"runtime/cgo"

	"github.com/xdpkit/xdpkit/maps"
	"github.com/xdpkit/xdpkit/xsk"
	"golang.org/x/sys/unix"
)

const (
	xdpFlagsSKB = 1 << 1
	xdpFlagsDrv = 1 << 2
	xdpFlagsHW  = 1 << 3
)

// attachMode turns libxdp-style xdp_flags into an attach mode.
func attachMode(flags uint32) (xsk.AttachMode, error) {
	const updateIfNoExist = 1 << 0 // XDP_FLAGS_UPDATE_IF_NOEXIST: links never replace
	switch flags &^ updateIfNoExist {
	case 0:
		return xsk.AttachAuto, nil
	case xdpFlagsSKB:
		return xsk.AttachSKB, nil
	case xdpFlagsDrv:
		return xsk.AttachDrv, nil
	case xdpFlagsHW:
		return xsk.AttachHW, nil
	}
	return 0, fmt.Errorf("xdp_flags %#x: want one of SKB_MODE, DRV_MODE, HW_MODE or 0: %w", flags, unix.EINVAL)
}

// modeFlags turns an attach mode into its XDP_FLAGS_*_MODE bit.
func modeFlags(m xsk.AttachMode) C.int {
	return map[xsk.AttachMode]C.int{xsk.AttachSKB: xdpFlagsSKB, xsk.AttachDrv: xdpFlagsDrv, xsk.AttachHW: xdpFlagsHW}[m]
}

//export xdpkitGoSocketCreate
func xdpkitGoSocketCreate(h *C.struct_xdpkit_socket, ifname *C.char, queue C.uint32_t, uh *C.struct_xdpkit_umem, cfg *C.struct_xdpkit_socket_config) (ret C.int) {
	defer guard("xdpkit_socket_create", &ret)
	enter("xdpkitGoSocketCreate")
	mode, err := attachMode(uint32(cfg.xdp_flags))
	if err != nil {
		return fail(fmt.Errorf("xdpkit_socket_create: %w", err))
	}
	if cfg.libxdp_flags&^C.uint32_t(C.XDPKIT_LIBXDP_FLAGS_INHIBIT_PROG_LOAD) != 0 {
		return fail(fmt.Errorf("xdpkit_socket_create: unknown libxdp_flags %#x: %w", uint32(cfg.libxdp_flags), unix.EINVAL))
	}
	if cfg.bind_flags&1 != 0 {
		return fail(fmt.Errorf("xdpkit_socket_create: XDP_SHARED_UMEM is set by the library, not in bind_flags: %w", unix.EINVAL))
	}
	u := cgo.Handle(uh.gohandle).Value().(*xsk.Umem)
	sc := xsk.SocketConfig{
		RxSize:         uint32(cfg.rx_size),
		TxSize:         uint32(cfg.tx_size),
		DisableRx:      h.rx == nil,
		DisableTx:      h.tx == nil,
		BindFlags:      uint16(cfg.bind_flags),
		AttachMode:     mode,
		NoProgram:      cfg.libxdp_flags&C.XDPKIT_LIBXDP_FLAGS_INHIBIT_PROG_LOAD != 0,
		FillSize:       uint32(cfg.fill_size),
		CompSize:       uint32(cfg.comp_size),
		BusyPoll:       uint32(cfg.busy_poll_usecs),
		BusyPollBudget: uint32(cfg.busy_poll_budget),
		PreferBusyPoll: cfg.prefer_busy_poll != 0,
		MaxTxSkbBudget: uint32(cfg.max_tx_skb_budget),
	}
	s, err := xsk.NewSocket(C.GoString(ifname), uint32(queue), u, sc)
	if err != nil {
		return fail(fmt.Errorf("xdpkit_socket_create: %w", err))
	}
	h.gohandle = C.uintptr_t(cgo.NewHandle(s))
	h.fd = C.int(s.FD())
	h.bind_flags = C.uint16_t(s.BindFlags())
	if r := s.Rx(); r != nil {
		initCons(h.rx, &r.ConsRing)
	}
	if r := s.Tx(); r != nil {
		initProd(h.tx, &r.ProdRing)
	}
	if s.Fill() == u.Fill() {
		// Shares the UMEM's rings: use the very same ring structs, so
		// the socket and the UMEM keep one set of cached indices.
		if h.fill != &h.fill_own {
			*h.fill = *uh.fill
			*h.comp = *uh.comp
		}
		h.fill, h.comp = uh.fill, uh.comp
	} else {
		initProd(h.fill, &s.Fill().ProdRing)
		initCons(h.comp, &s.Completion().ConsRing)
	}
	return 0
}

//export xdpkitGoSocketDelete
func xdpkitGoSocketDelete(h *C.struct_xdpkit_socket) (ret C.int) {
	defer guard("xdpkit_socket_delete", &ret)
	enter("xdpkitGoSocketDelete")
	handle := cgo.Handle(h.gohandle)
	if err := handle.Value().(*xsk.Socket).Close(); err != nil {
		return fail(fmt.Errorf("xdpkit_socket_delete: %w", err))
	}
	handle.Delete()
	return 0
}

// xdpkitGoSocketInfo answers the small socket queries: what 0 queue,
// 1 ifindex, 2 program mode (xdp_flags), 3 program id.
//
//export xdpkitGoSocketInfo
func xdpkitGoSocketInfo(h *C.struct_xdpkit_socket, what C.int) (ret C.int) {
	defer guard("xdpkit_socket_info", &ret)
	enter("xdpkitGoSocketInfo")
	s := cgo.Handle(h.gohandle).Value().(*xsk.Socket)
	switch what {
	case 0:
		return C.int(s.Queue())
	case 1:
		return C.int(s.Ifindex())
	}
	p := s.Program()
	if p == nil {
		return 0
	}
	if what == 2 {
		return modeFlags(p.Mode())
	}
	id, err := p.ProgramID()
	if err != nil {
		return fail(fmt.Errorf("xdpkit_socket_prog_id: %w", err))
	}
	return C.int(id)
}

//export xdpkitGoIfQueues
func xdpkitGoIfQueues(ifname *C.char, rx, tx *C.uint32_t) (ret C.int) {
	defer guard("xdpkit_if_queues", &ret)
	enter("xdpkitGoIfQueues")
	q, err := xsk.InterfaceQueues(C.GoString(ifname))
	if err != nil {
		return fail(fmt.Errorf("xdpkit_if_queues: %w", err))
	}
	if rx != nil {
		*rx = C.uint32_t(q.RX)
	}
	if tx != nil {
		*tx = C.uint32_t(q.TX)
	}
	return 0
}

//export xdpkitGoSocketUseXSKMap
func xdpkitGoSocketUseXSKMap(h *C.struct_xdpkit_socket, mapFD C.int) (ret C.int) {
	defer guard("xdpkit_socket_update_xskmap", &ret)
	enter("xdpkitGoSocketUseXSKMap")
	s := cgo.Handle(h.gohandle).Value().(*xsk.Socket)
	m, err := maps.OpenFD(int(mapFD))
	if err != nil {
		return fail(fmt.Errorf("xdpkit_socket_update_xskmap: %w", err))
	}
	defer m.Close()
	if err := s.AddToXSKMap(m.Ebpf()); err != nil {
		return fail(fmt.Errorf("xdpkit_socket_update_xskmap: %w", err))
	}
	return 0
}

//export xdpkitGoIfFeatures
func xdpkitGoIfFeatures(ifname *C.char, features *C.uint64_t, zcMaxSegs *C.uint32_t, xskFeatures *C.uint64_t) (ret C.int) {
	defer guard("xdpkit_if_xdp_features", &ret)
	enter("xdpkitGoIfFeatures")
	f, err := xsk.InterfaceFeatures(C.GoString(ifname))
	if err != nil {
		return fail(fmt.Errorf("xdpkit_if_xdp_features: %w", err))
	}
	if features != nil {
		*features = C.uint64_t(f.XDP)
	}
	if zcMaxSegs != nil {
		*zcMaxSegs = C.uint32_t(f.XDPZCMaxSegs)
	}
	if xskFeatures != nil {
		*xskFeatures = C.uint64_t(f.XSK)
	}
	return 0
}
