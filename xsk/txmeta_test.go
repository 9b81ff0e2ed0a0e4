package xsk_test

import (
	"encoding/binary"
	"errors"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/xdpkit/xdpkit/internal/netnstest"
	"github.com/xdpkit/xdpkit/xsk"
)

// csum adds 16-bit words to sum (ones' complement, unfolded).
func csum(sum uint32, b []byte) uint32 {
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	return sum
}

func fold(sum uint32) uint16 {
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return uint16(sum)
}

// udpPseudo is the UDP pseudo-header sum of an Ethernet/IPv4/UDP frame.
func udpPseudo(f []byte) uint32 {
	sum := csum(0, f[26:34]) // source and destination address
	return sum + 17 + uint32(binary.BigEndian.Uint16(f[38:]))
}

// TestTxMetadataChecksum asks for checksum offload through TX metadata
// (XDP_TX_METADATA with XDP_TXMD_FLAGS_CHECKSUM); in copy mode with
// XDP_UMEM_TX_SW_CSUM the kernel computes it in software, and the frame
// arrives at B with a valid UDP checksum.
func TestTxMetadataChecksum(t *testing.T) {
	p := newPair(t)
	var u *xsk.Umem
	var s *xsk.Socket
	err := p.A.Do(func() (err error) {
		u, err = xsk.NewUmem(nil, xsk.UmemConfig{Size: 64 * 4096, FillSize: 64, CompSize: 64,
			TxMetadataLen: uint32(xsk.TxMetadataSize), Flags: xsk.UmemTxSwCsum})
		if err != nil {
			return err
		}
		s, err = xsk.NewSocket(p.IfA, 0, u, xsk.SocketConfig{TxSize: 64, DisableRx: true, NoProgram: true, BindFlags: xsk.BindCopy})
		return err
	})
	netnstest.Require(t, err, "UMEM with TX metadata and software checksum (kernel 6.11+)")
	defer u.Close()
	defer s.Close()

	ps := openPacket(t, p.B, p.IfB)
	f := netnstest.UDPFrame(p.MacA, p.MacB, p.IPA, p.IPB, 300, 7)
	binary.BigEndian.PutUint16(f[40:], fold(udpPseudo(f))) // the partial sum offload expects
	addr := uint64(4096 + 256)
	copy(u.Frame(addr, uint32(len(f))), f)
	meta, err := u.TxMetadata(addr)
	if err != nil {
		t.Fatal(err)
	}
	*meta = xsk.TxMetadata{Flags: xsk.TxMetaChecksum, CsumStart: 34, CsumOffset: 6}
	tx := s.Tx()
	_, idx := tx.Reserve(1)
	*tx.Desc(idx) = xsk.Desc{Addr: addr, Len: uint32(len(f)), Options: xsk.DescTxMetadata}
	tx.Submit(1)
	if err := s.Kick(); err != nil {
		t.Fatal(err)
	}
	got := recvPacket(t, ps, p.MacA, 1)
	if len(got) != 1 {
		t.Fatal("the frame with TX metadata did not arrive")
	}
	g := got[0]
	if binary.BigEndian.Uint16(g[40:]) == binary.BigEndian.Uint16(f[40:]) {
		t.Fatal("the UDP checksum field was not computed")
	}
	if v := fold(csum(udpPseudo(g), g[34:])); v != 0xffff {
		t.Fatalf("UDP checksum %#04x does not verify (sum %#04x)", binary.BigEndian.Uint16(g[40:]), v)
	}

	// Without metadata room, TxMetadata refuses.
	plain, err := xsk.NewUmem(nil, xsk.UmemConfig{Size: 16 * 4096})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if _, err := plain.TxMetadata(4096); !errors.Is(err, unix.EINVAL) {
		t.Fatalf("TxMetadata without TxMetadataLen: %v, want EINVAL", err)
	}
}

// TestInterfaceFeatures reads veth's XDP features from the netdev
// netlink family: native XDP and redirect, no AF_XDP zero-copy.
func TestInterfaceFeatures(t *testing.T) {
	p := newPair(t)
	var f xsk.Features
	err := p.A.Do(func() (err error) {
		f, err = xsk.InterfaceFeatures(p.IfA)
		return err
	})
	netnstest.Require(t, err, "netdev netlink family (kernel 6.3+)")
	if f.XDP&xsk.XDPFeatureBasic == 0 || f.XDP&xsk.XDPFeatureRedirect == 0 {
		t.Fatalf("veth features %#x: want basic and redirect", f.XDP)
	}
	if f.XDP&xsk.XDPFeatureXSKZeroCopy != 0 {
		t.Fatalf("veth features %#x claim AF_XDP zero-copy", f.XDP)
	}
	err = p.A.Do(func() error {
		_, err := xsk.InterfaceFeatures("nonexistent0")
		return err
	})
	if !errors.Is(err, unix.ENODEV) {
		t.Fatalf("unknown interface: %v, want ENODEV", err)
	}
}

// TestBusyPollOptions sets the busy-poll socket options and the copy-mode
// TX budget and checks the kernel holds them, then receives with them.
func TestBusyPollOptions(t *testing.T) {
	p := newPair(t)
	e := openEnd(t, p.A, p.IfA, xsk.UmemConfig{}, xsk.SocketConfig{
		AttachMode: xsk.AttachDrv, BusyPoll: 20, BusyPollBudget: 64, PreferBusyPoll: true, MaxTxSkbBudget: 32})
	// SO_BUSY_POLL and SO_PREFER_BUSY_POLL read back; SO_BUSY_POLL_BUDGET
	// and XDP_MAX_TX_SKB_BUDGET are write-only (setting them succeeded).
	for opt, want := range map[int]int{46: 20, 69: 1} {
		v, err := unix.GetsockoptInt(e.s.FD(), unix.SOL_SOCKET, opt)
		if err != nil || v != want {
			t.Fatalf("socket option %d = %d (%v), want %d", opt, v, err, want)
		}
	}
	e.fill(64)
	ps := openPacket(t, p.B, p.IfB)
	want := framesBA(p, 0, 20, 500)
	sendPacket(t, ps, want)
	checkFrames(t, datas(e.recv(len(want))), want)
}

// TestTxMetadataFeatureCheck: veth offers no AF_XDP TX metadata features,
// so timestamp and launch-time requests (and zero-copy checksums) are
// reported as not supported; copy-mode checksums are done in software.
func TestTxMetadataFeatureCheck(t *testing.T) {
	p := newPair(t)
	err := p.A.Do(func() error {
		for _, c := range []struct {
			flags uint64
			zc    bool
			want  error
		}{
			{xsk.TxMetaChecksum, false, nil},
			{xsk.TxMetaChecksum, true, unix.EOPNOTSUPP},
			{xsk.TxMetaTimestamp, false, unix.EOPNOTSUPP},
			{xsk.TxMetaLaunchTime, false, unix.EOPNOTSUPP},
		} {
			err := xsk.CheckTxMetadata(p.IfA, c.flags, c.zc)
			if (c.want == nil) != (err == nil) || (c.want != nil && !errors.Is(err, c.want)) {
				t.Errorf("CheckTxMetadata(%#x, zerocopy=%v) = %v, want %v", c.flags, c.zc, err, c.want)
			}
		}
		if err := xsk.CheckTxMetadata("nonexistent0", xsk.TxMetaChecksum, false); !errors.Is(err, unix.ENODEV) {
			t.Errorf("unknown interface: %v, want ENODEV", err)
		}
		return nil
	})
	netnstest.Require(t, err, "namespace")
}
