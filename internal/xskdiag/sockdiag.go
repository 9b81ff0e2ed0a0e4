package xskdiag

import (
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// sock_diag for AF_XDP (include/uapi/linux/xdp_diag.h).
const (
	afXDP            = 44
	diagReqLen       = 20 // struct xdp_diag_req
	diagMsgLen       = 16 // struct xdp_diag_msg
	attrInfo         = 1  // XDP_DIAG_INFO: struct xdp_diag_info
	attrUID          = 2  // XDP_DIAG_UID: u32
	attrRxRing       = 3  // XDP_DIAG_RX_RING: struct xdp_diag_ring
	attrTxRing       = 4  // XDP_DIAG_TX_RING
	attrUmem         = 5  // XDP_DIAG_UMEM: struct xdp_diag_umem
	attrFillRing     = 6  // XDP_DIAG_UMEM_FILL_RING
	attrCompRing     = 7  // XDP_DIAG_UMEM_COMPLETION_RING
	attrMeminfo      = 8  // XDP_DIAG_MEMINFO: u32[SK_MEMINFO_VARS]
	attrStats        = 9  // XDP_DIAG_STATS: struct xdp_diag_stats
	diagUmemLen      = 40
	diagStatsLen     = 48
	sockDiagNoFamily = "kernel has no AF_XDP sock_diag handler (CONFIG_XDP_SOCKETS_DIAG / module xsk_diag)"
)

// diagRequest encodes the netlink dump request for all AF_XDP sockets.
func diagRequest(show uint32, seq uint32) []byte {
	b := make([]byte, unix.NLMSG_HDRLEN+diagReqLen)
	ne := binary.NativeEndian
	ne.PutUint32(b[0:], uint32(len(b)))
	ne.PutUint16(b[4:], unix.SOCK_DIAG_BY_FAMILY)
	ne.PutUint16(b[6:], unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	ne.PutUint32(b[8:], seq)
	r := b[unix.NLMSG_HDRLEN:]
	r[0] = afXDP // sdiag_family; protocol, pad and ino stay 0
	ne.PutUint32(r[8:], show)
	// The dump ignores the cookie; "no cookie" is all ones.
	ne.PutUint32(r[12:], ^uint32(0))
	ne.PutUint32(r[16:], ^uint32(0))
	return b
}

// dumpSockDiag asks NETLINK_SOCK_DIAG for every AF_XDP socket.
func dumpSockDiag(show uint32) ([]Socket, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return nil, fmt.Errorf("sock_diag netlink socket: %w", err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("sock_diag bind: %w", err)
	}
	const seq = 1
	if err := unix.Sendto(fd, diagRequest(show, seq), 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("sock_diag request: %w", err)
	}
	var socks []Socket
	buf := make([]byte, 1<<16)
	for {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("sock_diag receive: %w", err)
		}
		got, done, err := parseDiagReply(buf[:n], seq)
		socks = append(socks, got...)
		if err != nil {
			return nil, err
		}
		if done {
			return socks, nil
		}
	}
}

// parseDiagReply parses one datagram of the dump. done is set at
// NLMSG_DONE; an NLMSG_ERROR becomes the error (ENOENT: no handler).
func parseDiagReply(b []byte, seq uint32) (socks []Socket, done bool, err error) {
	msgs, err := splitNetlink(b)
	if err != nil {
		return nil, false, fmt.Errorf("sock_diag reply: %w", err)
	}
	for _, m := range msgs {
		if m.Header.Seq != seq {
			continue
		}
		switch m.Header.Type {
		case unix.NLMSG_DONE:
			return socks, true, nil
		case unix.NLMSG_ERROR:
			if len(m.Data) < 4 {
				return socks, true, fmt.Errorf("short sock_diag error: %w", unix.EBADMSG)
			}
			errno := unix.Errno(-int32(binary.NativeEndian.Uint32(m.Data)))
			if errno == 0 {
				return socks, true, nil
			}
			if errno == unix.ENOENT || errno == unix.EOPNOTSUPP {
				return socks, true, fmt.Errorf("%s: %w (%w)", sockDiagNoFamily, ErrNotSupported, errno)
			}
			return socks, true, fmt.Errorf("sock_diag: %w", errno)
		case unix.SOCK_DIAG_BY_FAMILY:
			s, err := parseDiagMsg(m.Data)
			if err != nil {
				return socks, true, err
			}
			socks = append(socks, s)
		}
	}
	return socks, false, nil
}

// parseDiagMsg decodes struct xdp_diag_msg and its attributes.
func parseDiagMsg(b []byte) (Socket, error) {
	ne := binary.NativeEndian
	if len(b) < diagMsgLen {
		return Socket{}, fmt.Errorf("short xdp_diag_msg (%d bytes): %w", len(b), unix.EBADMSG)
	}
	if b[0] != afXDP {
		return Socket{}, fmt.Errorf("xdp_diag_msg of family %d: %w", b[0], unix.EBADMSG)
	}
	s := Socket{
		Type:   uint16(b[1]),
		Ino:    uint64(ne.Uint32(b[4:])),
		Cookie: uint64(ne.Uint32(b[8:])) | uint64(ne.Uint32(b[12:]))<<32,
		Source: SockDiag.String(),
	}
	attrs := b[diagMsgLen:]
	for len(attrs) >= unix.SizeofRtAttr {
		l := int(ne.Uint16(attrs))
		typ := ne.Uint16(attrs[2:]) &^ (unix.NLA_F_NESTED | unix.NLA_F_NET_BYTEORDER)
		if l < unix.SizeofRtAttr || l > len(attrs) {
			return s, fmt.Errorf("bad xdp_diag attribute length %d: %w", l, unix.EBADMSG)
		}
		v := attrs[unix.SizeofRtAttr:l]
		u32 := func(off int) uint32 {
			if len(v) >= off+4 {
				return ne.Uint32(v[off:])
			}
			return 0
		}
		u64 := func(off int) uint64 {
			if len(v) >= off+8 {
				return ne.Uint64(v[off:])
			}
			return 0
		}
		switch typ {
		case attrInfo:
			s.Ifindex, s.Queue = u32(0), u32(4)
		case attrUID:
			s.UID = u32(0)
		case attrRxRing:
			s.RxRing = u32(0)
		case attrTxRing:
			s.TxRing = u32(0)
		case attrFillRing:
			s.FillRing = u32(0)
		case attrCompRing:
			s.CompRing = u32(0)
		case attrUmem:
			if len(v) < diagUmemLen {
				return s, fmt.Errorf("short xdp_diag_umem (%d bytes): %w", len(v), unix.EBADMSG)
			}
			s.Umem = &Umem{
				Size: u64(0), ID: u32(8), NumPages: u32(12), ChunkSize: u32(16), Headroom: u32(20),
				Ifindex: u32(24), Queue: u32(28), Flags: u32(32), Refs: u32(36),
			}
		case attrMeminfo:
			for i := 0; i+4 <= len(v); i += 4 {
				s.Meminfo = append(s.Meminfo, ne.Uint32(v[i:]))
			}
		case attrStats:
			if len(v) < diagStatsLen {
				return s, fmt.Errorf("short xdp_diag_stats (%d bytes): %w", len(v), unix.EBADMSG)
			}
			s.Stats = &Stats{
				RxDropped: u64(0), RxInvalid: u64(8), RxFull: u64(16),
				FillRingEmpty: u64(24), TxInvalid: u64(32), TxRingEmpty: u64(40),
			}
		}
		attrs = attrs[(l+unix.NLA_ALIGNTO-1)&^(unix.NLA_ALIGNTO-1):]
	}
	return s, nil
}

// nlMsg is one netlink message: its header and payload.
type nlMsg struct {
	Header unix.NlMsghdr
	Data   []byte
}

// splitNetlink splits a datagram into its netlink messages.
func splitNetlink(b []byte) ([]nlMsg, error) {
	ne := binary.NativeEndian
	var msgs []nlMsg
	for len(b) >= unix.NLMSG_HDRLEN {
		h := unix.NlMsghdr{
			Len: ne.Uint32(b[0:]), Type: ne.Uint16(b[4:]), Flags: ne.Uint16(b[6:]),
			Seq: ne.Uint32(b[8:]), Pid: ne.Uint32(b[12:]),
		}
		if h.Len < unix.NLMSG_HDRLEN || int(h.Len) > len(b) {
			return msgs, fmt.Errorf("bad netlink message length %d: %w", h.Len, unix.EBADMSG)
		}
		msgs = append(msgs, nlMsg{Header: h, Data: b[unix.NLMSG_HDRLEN:h.Len]})
		next := (int(h.Len) + unix.NLMSG_ALIGNTO - 1) &^ (unix.NLMSG_ALIGNTO - 1)
		if next > len(b) {
			break
		}
		b = b[next:]
	}
	return msgs, nil
}
