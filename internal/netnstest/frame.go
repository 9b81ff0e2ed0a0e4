package netnstest

import (
	"encoding/binary"
	"net"
)

// UDPFrame builds an Ethernet/IPv4/UDP frame of exactly size bytes (at
// least 42) from src to dst, with seq in the first payload bytes and a
// recognisable pattern after it.
func UDPFrame(srcMac, dstMac net.HardwareAddr, srcIP, dstIP net.IP, size int, seq uint32) []byte {
	if size < 46 {
		size = 46
	}
	f := make([]byte, size)
	copy(f[0:6], dstMac)
	copy(f[6:12], srcMac)
	binary.BigEndian.PutUint16(f[12:], 0x0800)
	ip := f[14:34]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(size-14))
	ip[8] = 64
	ip[9] = 17
	copy(ip[12:16], srcIP.To4())
	copy(ip[16:20], dstIP.To4())
	var sum uint32
	for i := 0; i < 20; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(ip[i:]))
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
	udp := f[34:42]
	binary.BigEndian.PutUint16(udp[0:], 9000)
	binary.BigEndian.PutUint16(udp[2:], 9001)
	binary.BigEndian.PutUint16(udp[4:], uint16(size-34))
	binary.BigEndian.PutUint32(f[42:], seq)
	for i := 46; i < size; i++ {
		f[i] = byte(i)
	}
	return f
}

// FrameSeq returns the sequence number UDPFrame put in a frame.
func FrameSeq(f []byte) uint32 { return binary.BigEndian.Uint32(f[42:]) }
