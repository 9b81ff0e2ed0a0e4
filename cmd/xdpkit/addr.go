package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"syscall"

	"github.com/xdpkit/xdpkit/internal/gen"
	"golang.org/x/sys/unix"
)

// frameFlags are the addresses and size of generated frames.
type frameFlags struct {
	size           *int
	srcMAC, dstMAC *net.HardwareAddr
	srcIP, dstIP   *net.IP
}

func addFrameFlags(fs *flagSet) *frameFlags {
	return &frameFlags{
		size:   fs.Int("size", 64, "frame size in `BYTES` without FCS (42 to 1514)"),
		srcMAC: fs.mac("src-mac", "source `MAC` (default: the interface's)"),
		dstMAC: fs.mac("dst-mac", "destination `MAC` (default: the neighbour entry of --dst-ip, or of the only IPv4 neighbour on the interface, else broadcast)"),
		srcIP:  fs.ipv4("src-ip", "source `IP` (default: the interface's first IPv4 address, else 10.0.0.1)"),
		dstIP:  fs.ipv4("dst-ip", "destination `IP` (default: the neighbour's, else 10.0.0.2)"),
	}
}

func (f *frameFlags) check() error {
	if *f.size < gen.MinFrameSize || *f.size > gen.MaxFrameSize {
		return usagef("--size %d: want %d to %d", *f.size, gen.MinFrameSize, gen.MaxFrameSize)
	}
	return nil
}

// frame builds the frame for ifname, filling in defaults from the
// interface and its neighbour table (calling thread's namespace).
func (f *frameFlags) frame(ifname string) ([]byte, gen.FrameSpec, error) {
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return nil, gen.FrameSpec{}, fmt.Errorf("interface %q: %w", ifname, unix.ENODEV)
	}
	fs := gen.FrameSpec{SrcMAC: *f.srcMAC, DstMAC: *f.dstMAC, SrcIP: *f.srcIP, DstIP: *f.dstIP, Size: *f.size}
	if fs.SrcMAC == nil {
		fs.SrcMAC = ifi.HardwareAddr
		if len(fs.SrcMAC) != 6 {
			fs.SrcMAC = net.HardwareAddr{2, 0, 0, 0, 0, 1}
		}
	}
	if fs.SrcIP == nil {
		fs.SrcIP = net.IPv4(10, 0, 0, 1)
		if addrs, err := ifi.Addrs(); err == nil {
			for _, a := range addrs {
				if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil {
					fs.SrcIP = n.IP.To4()
					break
				}
			}
		}
	}
	if fs.DstMAC == nil || fs.DstIP == nil {
		neigh, _ := neighbours(ifi.Index)
		switch {
		case fs.DstIP != nil:
			if mac, ok := neigh[fs.DstIP.String()]; ok && fs.DstMAC == nil {
				fs.DstMAC = mac
			}
		case len(neigh) == 1:
			for ip, mac := range neigh {
				fs.DstIP = net.ParseIP(ip).To4()
				if fs.DstMAC == nil {
					fs.DstMAC = mac
				}
			}
		}
		if fs.DstIP == nil {
			fs.DstIP = net.IPv4(10, 0, 0, 2)
		}
		if fs.DstMAC == nil {
			fs.DstMAC = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
		}
	}
	b, err := gen.Frame(fs)
	return b, fs, err
}

// neighbours returns the IPv4 neighbour entries of ifindex that have a
// link-layer address (IP string -> MAC).
func neighbours(ifindex int) (map[string]net.HardwareAddr, error) {
	rib, err := syscall.NetlinkRIB(unix.RTM_GETNEIGH, unix.AF_INET)
	if err != nil {
		return nil, err
	}
	msgs, err := syscall.ParseNetlinkMessage(rib)
	if err != nil {
		return nil, err
	}
	out := map[string]net.HardwareAddr{}
	for _, m := range msgs {
		// struct ndmsg: family u8, pad u8, pad u16, ifindex s32, state u16, flags u8, type u8.
		if m.Header.Type != unix.RTM_NEWNEIGH || len(m.Data) < 12 {
			continue
		}
		if int(int32(binary.NativeEndian.Uint32(m.Data[4:]))) != ifindex {
			continue
		}
		state := binary.NativeEndian.Uint16(m.Data[8:])
		if state&(unix.NUD_INCOMPLETE|unix.NUD_FAILED|unix.NUD_NOARP) != 0 {
			continue
		}
		var ip net.IP
		var mac net.HardwareAddr
		attrs := m.Data[12:]
		for len(attrs) >= 4 {
			l := int(binary.NativeEndian.Uint16(attrs))
			if l < 4 || l > len(attrs) {
				break
			}
			switch binary.NativeEndian.Uint16(attrs[2:]) {
			case unix.NDA_DST:
				ip = net.IP(append([]byte(nil), attrs[4:l]...))
			case unix.NDA_LLADDR:
				mac = net.HardwareAddr(append([]byte(nil), attrs[4:l]...))
			}
			attrs = attrs[(l+3)&^3:]
		}
		if ip.To4() != nil && len(mac) == 6 {
			out[ip.String()] = mac
		}
	}
	return out, nil
}
