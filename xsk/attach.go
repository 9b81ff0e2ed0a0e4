package xsk

import (
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"
)

// AttachMode selects where an XDP program runs.
type AttachMode int

// Attach modes: Auto tries native (driver) mode and falls back to generic.
const (
	AttachAuto AttachMode = iota
	AttachSKB             // generic XDP (XDP_FLAGS_SKB_MODE)
	AttachDrv             // native XDP in the driver (XDP_FLAGS_DRV_MODE)
	AttachHW              // offloaded to the NIC (XDP_FLAGS_HW_MODE)
)

func (m AttachMode) String() string {
	switch m {
	case AttachAuto:
		return "auto"
	case AttachSKB:
		return "skb"
	case AttachDrv:
		return "drv"
	case AttachHW:
		return "hw"
	}
	return fmt.Sprintf("AttachMode(%d)", int(m))
}

// ParseAttachMode turns "auto", "skb"/"generic", "drv"/"native" or "hw"
// into an AttachMode.
func ParseAttachMode(s string) (AttachMode, error) {
	switch strings.ToLower(s) {
	case "", "auto":
		return AttachAuto, nil
	case "skb", "generic":
		return AttachSKB, nil
	case "drv", "native":
		return AttachDrv, nil
	case "hw", "offload":
		return AttachHW, nil
	}
	return 0, fmt.Errorf("attach mode %q: want auto, skb, drv or hw: %w", s, unix.EINVAL)
}

func (m AttachMode) flags() link.XDPAttachFlags {
	switch m {
	case AttachSKB:
		return link.XDPGenericMode
	case AttachDrv:
		return link.XDPDriverMode
	case AttachHW:
		return link.XDPOffloadMode
	}
	return 0
}

// AttachXDP attaches prog to the interface through a bpf_link, so the
// program is detached when the link is closed or the process dies. Auto
// mode tries native mode first and falls back to generic mode. It returns
// the link and the mode that was used.
func AttachXDP(prog *ebpf.Program, ifindex int, mode AttachMode) (link.Link, AttachMode, error) {
	if mode < AttachAuto || mode > AttachHW {
		return nil, 0, fmt.Errorf("attach mode %d: %w", int(mode), unix.EINVAL)
	}
	try := []AttachMode{mode}
	if mode == AttachAuto {
		try = autoModes(ifindex)
	}
	var errs []error
	for _, m := range try {
		l, err := link.AttachXDP(link.XDPOptions{Program: prog, Interface: ifindex, Flags: m.flags()})
		if err == nil {
			return l, m, nil
		}
		errs = append(errs, fmt.Errorf("%s mode: %w", m, err))
	}
	err := errors.Join(errs...)
	if errors.Is(err, unix.EBUSY) || errors.Is(err, unix.EEXIST) {
		return nil, 0, fmt.Errorf("attach XDP program to ifindex %d: another XDP program is attached: %w", ifindex, err)
	}
	return nil, 0, fmt.Errorf("attach XDP program to ifindex %d: %w", ifindex, err)
}

// autoModes is the order auto mode tries: native first, then generic;
// generic only when the netdev features say the driver has no native XDP.
func autoModes(ifindex int) []AttachMode {
	if ifi, err := net.InterfaceByIndex(ifindex); err == nil {
		if f, err := InterfaceFeatures(ifi.Name); err == nil && f.XDP&XDPFeatureBasic == 0 {
			return []AttachMode{AttachSKB}
		}
	}
	return []AttachMode{AttachDrv, AttachSKB}
}
