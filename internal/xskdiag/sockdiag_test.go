package xskdiag

import (
	"encoding/binary"
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

// attr encodes one netlink attribute.
func attr(typ uint16, vals ...any) []byte {
	var data []byte
	for _, v := range vals {
		switch v := v.(type) {
		case uint32:
			data = binary.NativeEndian.AppendUint32(data, v)
		case uint64:
			data = binary.NativeEndian.AppendUint64(data, v)
		}
	}
	b := binary.NativeEndian.AppendUint16(nil, uint16(4+len(data)))
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = append(b, data...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// nlmsg wraps a payload in a netlink header.
func nlmsg(typ uint16, seq uint32, payload []byte) []byte {
	b := binary.NativeEndian.AppendUint32(nil, uint32(unix.NLMSG_HDRLEN+len(payload)))
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = binary.NativeEndian.AppendUint16(b, unix.NLM_F_MULTI)
	b = binary.NativeEndian.AppendUint32(b, seq)
	b = binary.NativeEndian.AppendUint32(b, 0)
	return append(b, payload...)
}

func TestDiagRequestLayout(t *testing.T) {
	b := diagRequest(ShowAll, 7)
	ne := binary.NativeEndian
	if len(b) != unix.NLMSG_HDRLEN+20 || ne.Uint32(b) != uint32(len(b)) {
		t.Fatalf("length %d, header says %d", len(b), ne.Uint32(b))
	}
	if ne.Uint16(b[4:]) != unix.SOCK_DIAG_BY_FAMILY || ne.Uint16(b[6:]) != unix.NLM_F_REQUEST|unix.NLM_F_DUMP || ne.Uint32(b[8:]) != 7 {
		t.Fatalf("header %x", b[:16])
	}
	r := b[16:]
	if r[0] != 44 || r[1] != 0 || ne.Uint32(r[4:]) != 0 || ne.Uint32(r[8:]) != 31 {
		t.Fatalf("xdp_diag_req %x", r)
	}
}

func TestParseDiagReply(t *testing.T) {
	msg := []byte{44, unix.SOCK_RAW, 0, 0}
	msg = binary.NativeEndian.AppendUint32(msg, 12345)
	msg = binary.NativeEndian.AppendUint32(msg, 0x11)
	msg = binary.NativeEndian.AppendUint32(msg, 0x22)
	msg = append(msg, attr(attrInfo, uint32(3), uint32(1))...)
	msg = append(msg, attr(attrUID, uint32(1000))...)
	msg = append(msg, attr(attrRxRing, uint32(2048))...)
	msg = append(msg, attr(attrTxRing, uint32(1024))...)
	msg = append(msg, attr(attrUmem, uint64(1<<24), uint32(9), uint32(4096), uint32(4096), uint32(256),
		uint32(3), uint32(1), uint32(UmemZeroCopy), uint32(2))...)
	msg = append(msg, attr(attrFillRing, uint32(4096))...)
	msg = append(msg, attr(attrCompRing, uint32(512))...)
	msg = append(msg, attr(attrMeminfo, uint32(1), uint32(2), uint32(3))...)
	msg = append(msg, attr(attrStats, uint64(1), uint64(2), uint64(3), uint64(4), uint64(5), uint64(6))...)
	msg = append(msg, attr(99, uint32(0))...) // unknown attributes are skipped
	dgram := append(nlmsg(unix.SOCK_DIAG_BY_FAMILY, 1, msg), nlmsg(unix.NLMSG_DONE, 1, make([]byte, 4))...)

	socks, done, err := parseDiagReply(dgram, 1)
	if err != nil || !done || len(socks) != 1 {
		t.Fatalf("parse: %v done=%v %d sockets", err, done, len(socks))
	}
	s := socks[0]
	if s.Ino != 12345 || s.Cookie != 0x22<<32|0x11 || s.Type != unix.SOCK_RAW || s.Ifindex != 3 || s.Queue != 1 || s.UID != 1000 {
		t.Errorf("socket %+v", s)
	}
	if s.RxRing != 2048 || s.TxRing != 1024 || s.FillRing != 4096 || s.CompRing != 512 {
		t.Errorf("rings %+v", s)
	}
	want := Umem{ID: 9, Size: 1 << 24, NumPages: 4096, ChunkSize: 4096, Headroom: 256, Ifindex: 3, Queue: 1, Flags: UmemZeroCopy, Refs: 2}
	if s.Umem == nil || *s.Umem != want || !s.ZeroCopy() {
		t.Errorf("umem %+v, want %+v", s.Umem, want)
	}
	if s.Stats == nil || *s.Stats != (Stats{1, 2, 3, 4, 5, 6}) {
		t.Errorf("stats %+v", s.Stats)
	}
	if len(s.Meminfo) != 3 || s.Meminfo[2] != 3 || s.Source != "sock_diag" {
		t.Errorf("meminfo %v source %q", s.Meminfo, s.Source)
	}
}

func TestParseDiagReplyErrors(t *testing.T) {
	enoent := binary.NativeEndian.AppendUint32(nil, negErrno(unix.ENOENT))
	_, done, err := parseDiagReply(nlmsg(unix.NLMSG_ERROR, 1, append(enoent, make([]byte, 16)...)), 1)
	if !done || !errors.Is(err, ErrNotSupported) || !errors.Is(err, unix.EOPNOTSUPP) || !errors.Is(err, unix.ENOENT) {
		t.Errorf("ENOENT reply: done=%v err=%v", done, err)
	}
	eperm := binary.NativeEndian.AppendUint32(nil, negErrno(unix.EPERM))
	if _, _, err := parseDiagReply(nlmsg(unix.NLMSG_ERROR, 1, eperm), 1); !errors.Is(err, unix.EPERM) {
		t.Errorf("EPERM reply: %v", err)
	}
	// Truncated messages and attributes are errors, not panics.
	if _, err := parseDiagMsg([]byte{44, 3, 0}); err == nil {
		t.Error("short xdp_diag_msg accepted")
	}
	bad := append([]byte{44, 3, 0, 0}, make([]byte, 12)...)
	bad = append(bad, attr(attrStats, uint64(1))...)
	if _, err := parseDiagMsg(bad); err == nil {
		t.Error("short xdp_diag_stats accepted")
	}
	if _, err := splitNetlink([]byte{200, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}); !errors.Is(err, unix.EBADMSG) {
		t.Errorf("overlong netlink length: %v", err)
	}
}

// negErrno is -errno as the u32 an NLMSG_ERROR carries.
func negErrno(e unix.Errno) uint32 { return uint32(-int32(e)) }
