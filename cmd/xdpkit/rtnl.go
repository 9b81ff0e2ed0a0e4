package main

import (
	"encoding/binary"
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// netLink is an interface as rtnetlink reports it, with the XDP programs
// attached to it (IFLA_XDP).
type netLink struct {
	Index int
	Name  string
	MAC   string
	Up    bool
	XDP   []xdpAttachment
}

// xdpAttachment is one attached XDP program.
type xdpAttachment struct {
	Mode   string `json:"mode"` // skb, drv or hw
	ProgID uint32 `json:"prog_id"`
	Name   string `json:"prog_name,omitempty"`
	LinkID uint32 `json:"link_id,omitempty"` // 0: attached without a bpf_link
}

// XDP_ATTACHED_* values of IFLA_XDP_ATTACHED.
const (
	xdpAttachedNone  = 0
	xdpAttachedDrv   = 1
	xdpAttachedSKB   = 2
	xdpAttachedHW    = 3
	xdpAttachedMulti = 4
)

// dumpLinks lists the interfaces of the calling thread's namespace.
func dumpLinks() ([]netLink, error) {
	rib, err := syscall.NetlinkRIB(unix.RTM_GETLINK, unix.AF_UNSPEC)
	if err != nil {
		return nil, fmt.Errorf("rtnetlink link dump: %w", err)
	}
	msgs, err := syscall.ParseNetlinkMessage(rib)
	if err != nil {
		return nil, fmt.Errorf("rtnetlink link dump: %w", err)
	}
	var links []netLink
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWLINK || len(m.Data) < unix.SizeofIfInfomsg {
			continue
		}
		l := netLink{
			Index: int(int32(binary.NativeEndian.Uint32(m.Data[4:]))),
			Up:    binary.NativeEndian.Uint32(m.Data[8:])&unix.IFF_UP != 0,
		}
		attrs, err := syscall.ParseNetlinkRouteAttr(&m)
		if err != nil {
			return nil, fmt.Errorf("rtnetlink attributes of ifindex %d: %w", l.Index, err)
		}
		for _, a := range attrs {
			switch a.Attr.Type &^ unix.NLA_F_NESTED {
			case unix.IFLA_IFNAME:
				l.Name = cString(a.Value)
			case unix.IFLA_ADDRESS:
				if len(a.Value) == 6 {
					l.MAC = fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", a.Value[0], a.Value[1], a.Value[2], a.Value[3], a.Value[4], a.Value[5])
				}
			case unix.IFLA_XDP:
				l.XDP = parseXDPAttr(a.Value)
			}
		}
		links = append(links, l)
	}
	return links, nil
}

// parseXDPAttr decodes the nested IFLA_XDP attribute.
func parseXDPAttr(b []byte) []xdpAttachment {
	var attached uint8
	ids := map[uint16]uint32{}
	for len(b) >= 4 {
		l := int(binary.NativeEndian.Uint16(b))
		typ := binary.NativeEndian.Uint16(b[2:]) &^ unix.NLA_F_NESTED
		if l < 4 || l > len(b) {
			break
		}
		v := b[4:l]
		switch {
		case typ == unix.IFLA_XDP_ATTACHED && len(v) >= 1:
			attached = v[0]
		case len(v) >= 4:
			ids[typ] = binary.NativeEndian.Uint32(v)
		}
		b = b[(l+3)&^3:]
	}
	mode := map[uint8]string{xdpAttachedDrv: "drv", xdpAttachedSKB: "skb", xdpAttachedHW: "hw"}
	switch attached {
	case xdpAttachedNone:
		return nil
	case xdpAttachedDrv, xdpAttachedSKB, xdpAttachedHW:
		return []xdpAttachment{{Mode: mode[attached], ProgID: ids[unix.IFLA_XDP_PROG_ID]}}
	}
	var out []xdpAttachment
	for _, m := range []struct {
		attr uint16
		mode string
	}{{unix.IFLA_XDP_SKB_PROG_ID, "skb"}, {unix.IFLA_XDP_DRV_PROG_ID, "drv"}, {unix.IFLA_XDP_HW_PROG_ID, "hw"}} {
		if id, ok := ids[m.attr]; ok && id != 0 {
			out = append(out, xdpAttachment{Mode: m.mode, ProgID: id})
		}
	}
	return out
}

func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
