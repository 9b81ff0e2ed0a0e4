package xsk

import (
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// XDP feature bits of an interface (enum netdev_xdp_act).
const (
	XDPFeatureBasic       = 1 << 0 // XDP_PASS/DROP/ABORTED/TX in the driver
	XDPFeatureRedirect    = 1 << 1 // XDP_REDIRECT in the driver
	XDPFeatureNdoXmit     = 1 << 2 // can be a redirect target
	XDPFeatureXSKZeroCopy = 1 << 3 // AF_XDP zero-copy
	XDPFeatureHWOffload   = 1 << 4 // offloaded programs
	XDPFeatureRxSG        = 1 << 5 // multi-buffer RX
	XDPFeatureNdoXmitSG   = 1 << 6 // multi-buffer redirect target
)

// AF_XDP TX metadata feature bits (enum netdev_xsk_flags).
const (
	XSKFeatureTxTimestamp      = 1 << 0
	XSKFeatureTxChecksum       = 1 << 1
	XSKFeatureTxLaunchTimeFIFO = 1 << 2
)

// Features is what the kernel's netdev netlink family reports about an
// interface's XDP support.
type Features struct {
	XDP          uint64 // XDPFeature* bits
	XDPZCMaxSegs uint32 // fragments per packet in zero-copy mode
	XSK          uint64 // XSKFeature* bits
	RxMetadata   uint64 // XDP RX metadata kfuncs (enum netdev_xdp_rx_metadata)
}

// netdev generic netlink family (include/uapi/linux/netdev.h).
const (
	netdevCmdDevGet         = 1
	netdevADevIfindex       = 1
	netdevADevXDPFeatures   = 3
	netdevADevXDPZCMaxSegs  = 4
	netdevADevXDPRxMetadata = 5
	netdevADevXSKFeatures   = 6
	genlCtrlCmdGetFamily    = 3
	genlCtrlAttrFamilyID    = 1
	genlCtrlAttrFamilyName  = 2
)

// InterfaceFeatures queries the netdev generic netlink family (kernel
// 6.3+) in the calling thread's namespace. Kernels without it give an
// error matching unix.EOPNOTSUPP.
func InterfaceFeatures(ifname string) (Features, error) {
	ifindex, err := InterfaceIndex(ifname)
	if err != nil {
		return Features{}, err
	}
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_GENERIC)
	if err != nil {
		return Features{}, fmt.Errorf("netlink socket: %w", err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return Features{}, fmt.Errorf("netlink bind: %w", err)
	}
	attrs, err := genlRequest(fd, unix.GENL_ID_CTRL, genlCtrlCmdGetFamily,
		nlAttr(genlCtrlAttrFamilyName, append([]byte("netdev"), 0)))
	if errors.Is(err, unix.ENOENT) {
		return Features{}, fmt.Errorf("netdev netlink family (kernel 6.3+): %w", unix.EOPNOTSUPP)
	}
	if err != nil {
		return Features{}, fmt.Errorf("resolve netdev family: %w", err)
	}
	famID, ok := attrs[genlCtrlAttrFamilyID]
	if !ok || len(famID) < 2 {
		return Features{}, fmt.Errorf("netdev family id missing: %w", unix.EOPNOTSUPP)
	}
	idx := binary.NativeEndian.AppendUint32(nil, uint32(ifindex))
	attrs, err = genlRequest(fd, binary.NativeEndian.Uint16(famID), netdevCmdDevGet, nlAttr(netdevADevIfindex, idx))
	if err != nil {
		return Features{}, fmt.Errorf("netdev dev-get %s: %w", ifname, err)
	}
	var f Features
	u64 := func(a uint16) uint64 {
		if v := attrs[a]; len(v) >= 8 {
			return binary.NativeEndian.Uint64(v)
		}
		return 0
	}
	f.XDP, f.XSK, f.RxMetadata = u64(netdevADevXDPFeatures), u64(netdevADevXSKFeatures), u64(netdevADevXDPRxMetadata)
	if v := attrs[netdevADevXDPZCMaxSegs]; len(v) >= 4 {
		f.XDPZCMaxSegs = binary.NativeEndian.Uint32(v)
	}
	return f, nil
}

// nlAttr encodes one netlink attribute (padded to 4 bytes).
func nlAttr(typ uint16, data []byte) []byte {
	l := 4 + len(data)
	b := make([]byte, (l+3)&^3)
	binary.NativeEndian.PutUint16(b[0:], uint16(l))
	binary.NativeEndian.PutUint16(b[2:], typ)
	copy(b[4:], data)
	return b
}

// genlRequest sends one generic netlink request and parses the
// attributes of its single reply.
func genlRequest(fd int, family uint16, cmd uint8, attrs ...[]byte) (map[uint16][]byte, error) {
	msg := make([]byte, unix.NLMSG_HDRLEN+unix.GENL_HDRLEN)
	for _, a := range attrs {
		msg = append(msg, a...)
	}
	binary.NativeEndian.PutUint32(msg[0:], uint32(len(msg)))
	binary.NativeEndian.PutUint16(msg[4:], family)
	binary.NativeEndian.PutUint16(msg[6:], unix.NLM_F_REQUEST)
	binary.NativeEndian.PutUint32(msg[8:], 1)
	msg[unix.NLMSG_HDRLEN] = cmd
	msg[unix.NLMSG_HDRLEN+1] = 1
	if err := unix.Sendto(fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, err
	}
	buf := make([]byte, 8192)
	var n int
	err := retryEINTR(func() (err error) {
		n, _, err = unix.Recvfrom(fd, buf, 0)
		return err
	})
	if err != nil {
		return nil, err
	}
	if n < unix.NLMSG_HDRLEN {
		return nil, fmt.Errorf("short netlink reply: %w", unix.EBADMSG)
	}
	l := int(binary.NativeEndian.Uint32(buf))
	if l > n || l < unix.NLMSG_HDRLEN {
		return nil, fmt.Errorf("bad netlink reply length %d: %w", l, unix.EBADMSG)
	}
	body := buf[unix.NLMSG_HDRLEN:l]
	if binary.NativeEndian.Uint16(buf[4:]) == unix.NLMSG_ERROR {
		if len(body) >= 4 {
			if e := int32(binary.NativeEndian.Uint32(body)); e != 0 {
				return nil, unix.Errno(-e)
			}
		}
		return nil, fmt.Errorf("netlink error reply: %w", unix.EBADMSG)
	}
	if len(body) < unix.GENL_HDRLEN {
		return nil, fmt.Errorf("short generic netlink reply: %w", unix.EBADMSG)
	}
	out := map[uint16][]byte{}
	data := body[unix.GENL_HDRLEN:]
	for len(data) >= 4 {
		l := int(binary.NativeEndian.Uint16(data))
		if l < 4 || l > len(data) {
			break
		}
		out[binary.NativeEndian.Uint16(data[2:])&^unix.NLA_F_NESTED] = data[4:l]
		data = data[(l+3)&^3:]
	}
	return out, nil
}
