package gen

import (
	"encoding/binary"
	"fmt"
	"net"

	"golang.org/x/sys/unix"
)

// Frame sizes: Ethernet + IPv4 + UDP headers, and a standard MTU frame.
const (
	MinFrameSize = 14 + 20 + 8
	MaxFrameSize = 1514
)

// FrameSpec describes the Ethernet/IPv4/UDP frame a generator sends.
type FrameSpec struct {
	SrcMAC, DstMAC   net.HardwareAddr
	SrcIP, DstIP     net.IP
	SrcPort, DstPort uint16 // 0: 9000 and 9 (discard)
	Size             int    // whole frame without FCS (0: 64)
}

// Frame builds the frame: a valid IPv4 header checksum, UDP checksum 0
// and a byte pattern as payload.
func Frame(fs FrameSpec) ([]byte, error) {
	size := fs.Size
	if size == 0 {
		size = 64
	}
	if size < MinFrameSize || size > MaxFrameSize {
		return nil, fmt.Errorf("frame size %d: want %d to %d bytes: %w", size, MinFrameSize, MaxFrameSize, unix.EINVAL)
	}
	if len(fs.SrcMAC) != 6 || len(fs.DstMAC) != 6 {
		return nil, fmt.Errorf("frame needs 6-byte source and destination MACs: %w", unix.EINVAL)
	}
	src, dst := fs.SrcIP.To4(), fs.DstIP.To4()
	if src == nil || dst == nil {
		return nil, fmt.Errorf("frame needs IPv4 source and destination addresses: %w", unix.EINVAL)
	}
	sport, dport := fs.SrcPort, fs.DstPort
	if sport == 0 {
		sport = 9000
	}
	if dport == 0 {
		dport = 9
	}
	f := make([]byte, size)
	be := binary.BigEndian
	copy(f[0:6], fs.DstMAC)
	copy(f[6:12], fs.SrcMAC)
	be.PutUint16(f[12:], unix.ETH_P_IP)
	ip := f[14:34]
	ip[0] = 0x45
	be.PutUint16(ip[2:], uint16(size-14))
	be.PutUint16(ip[6:], 0x4000) // DF
	ip[8] = 64
	ip[9] = unix.IPPROTO_UDP
	copy(ip[12:16], src)
	copy(ip[16:20], dst)
	be.PutUint16(ip[10:], ipChecksum(ip))
	udp := f[34:42]
	be.PutUint16(udp[0:], sport)
	be.PutUint16(udp[2:], dport)
	be.PutUint16(udp[4:], uint16(size-34))
	for i := 42; i < size; i++ {
		f[i] = byte(i)
	}
	return f, nil
}

// ipChecksum is the Internet checksum of an IPv4 header.
func ipChecksum(h []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(h); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(h[i:]))
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}
