package xsk_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/xdpkit/xdpkit/internal/netnstest"
	"github.com/xdpkit/xdpkit/xsk"
)

// mbPair is a veth pair with MTU 9000 and a multi-buffer (XDP_USE_SG)
// socket on A in the given mode, 2K chunks so a jumbo frame spans five.
func mbPair(t *testing.T, mode xsk.AttachMode) (*netnstest.Pair, *xsk.Socket) {
	t.Helper()
	p := netnstest.NewPairWith(t, netnstest.PairOptions{MTU: 9000})
	netnstest.Require(t, p.DisableIPv6(), "disable IPv6")
	var u *xsk.Umem
	var s *xsk.Socket
	err := p.A.Do(func() (err error) {
		if u, err = xsk.NewUmem(nil, xsk.UmemConfig{Size: 512 * 2048, FrameSize: 2048, FillSize: 512, CompSize: 512}); err != nil {
			return err
		}
		s, err = xsk.NewSocket(p.IfA, 0, u, xsk.SocketConfig{RxSize: 512, TxSize: 512, AttachMode: mode,
			BindFlags: xsk.BindCopy | xsk.BindSG})
		if err != nil {
			u.Close()
		}
		return err
	})
	netnstest.Require(t, err, "multi-buffer socket")
	t.Cleanup(func() {
		s.Close()
		u.Close()
	})
	fillWith(t, s, 0, 256)
	return p, s
}

// rxPackets reassembles packets from descriptors chained with
// DescPktContd until want packets arrived; it also returns the number of
// descriptors of each packet.
func rxPackets(t *testing.T, s *xsk.Socket, want int) (pkts [][]byte, descs []int) {
	t.Helper()
	u, rx, fill := s.Umem(), s.Rx(), s.Fill()
	var cur []byte
	n := 0
	deadline := time.Now().Add(waitTimeout)
	for len(pkts) < want && time.Now().Before(deadline) {
		got, idx := rx.Peek(64)
		if got == 0 {
			s.Poll(1, pollSlice)
			continue
		}
		_, fidx := fill.Reserve(got)
		for i := uint32(0); i < got; i++ {
			d := rx.Desc(idx + i)
			cur = append(cur, u.Frame(d.Addr, d.Len)...)
			n++
			if d.Options&xsk.DescPktContd == 0 {
				if isTestFrame(cur) {
					pkts, descs = append(pkts, cur), append(descs, n)
				}
				cur, n = nil, 0
			}
			*fill.Addr(fidx + i) = frameBase(u, d.Addr)
		}
		fill.Submit(got)
		rx.Release(got)
	}
	return pkts, descs
}

// TestSendReceiveMB is SEND_RECEIVE_MB: jumbo frames over an MTU 9000 veth
// arrive as chains of descriptors (XDP_PKT_CONTD) and reassemble
// byte-exact; a multi-descriptor packet sent from TX arrives whole.
func TestSendReceiveMB(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			p, s := mbPair(t, mode)
			ps := openPacket(t, p.B, p.IfB)
			want := [][]byte{
				netnstest.UDPFrame(p.MacB, p.MacA, p.IPB, p.IPA, 9000, 1),
				netnstest.UDPFrame(p.MacB, p.MacA, p.IPB, p.IPA, 100, 2),
				netnstest.UDPFrame(p.MacB, p.MacA, p.IPB, p.IPA, 5000, 3),
			}
			sendPacket(t, ps, want)
			got, descs := rxPackets(t, s, len(want))
			checkFrames(t, got, want)
			if descs[0] < 5 || descs[1] != 1 || descs[2] < 3 {
				t.Fatalf("descriptors per packet %v: want >=5, 1, >=3", descs)
			}

			// TX: one 6000-byte frame in three chained descriptors.
			out := netnstest.UDPFrame(p.MacA, p.MacB, p.IPA, p.IPB, 6000, 9)
			u, tx := s.Umem(), s.Tx()
			_, idx := tx.Reserve(3)
			for i := 0; i < 3; i++ {
				addr := uint64(300+i) * 2048
				part := out[i*2000 : (i+1)*2000]
				copy(u.Frame(addr, 2000), part)
				d := xsk.Desc{Addr: addr, Len: 2000}
				if i < 2 {
					d.Options = xsk.DescPktContd
				}
				*tx.Desc(idx + uint32(i)) = d
			}
			tx.Submit(3)
			if err := s.Kick(); err != nil {
				t.Fatal(err)
			}
			rcv := recvPacket(t, ps, p.MacA, 1)
			if len(rcv) != 1 || !bytes.Equal(rcv[0], out) {
				t.Fatalf("multi-buffer TX: received %d frames, want the 6000-byte frame", len(rcv))
			}
		})
	}
}

// TestTooManyFrags is TOO_MANY_FRAGS: a TX packet chained over more
// descriptors than the kernel allows (MAX_SKB_FRAGS + 1 = 18 in copy
// mode) is dropped as invalid, and the next packet still goes out.
func TestTooManyFrags(t *testing.T) {
	p, s := mbPair(t, xsk.AttachDrv)
	ps := openPacket(t, p.B, p.IfB)
	u, tx := s.Umem(), s.Tx()
	const frags = 19
	big := netnstest.UDPFrame(p.MacA, p.MacB, p.IPA, p.IPB, frags*100, 1)
	_, idx := tx.Reserve(frags + 1)
	for i := 0; i < frags; i++ {
		addr := uint64(300+i) * 2048
		copy(u.Frame(addr, 100), big[i*100:(i+1)*100])
		*tx.Desc(idx + uint32(i)) = xsk.Desc{Addr: addr, Len: 100, Options: xsk.DescPktContd}
	}
	(*tx.Desc(idx + frags - 1)).Options = 0
	ok := netnstest.UDPFrame(p.MacA, p.MacB, p.IPA, p.IPB, 200, 2)
	copy(u.Frame(400*2048, uint32(len(ok))), ok)
	*tx.Desc(idx + frags) = xsk.Desc{Addr: 400 * 2048, Len: uint32(len(ok))}
	tx.Submit(frags + 1)
	if err := s.Kick(); err != nil {
		t.Fatal(err)
	}
	rcv := recvPacket(t, ps, p.MacA, 1)
	if len(rcv) != 1 || !bytes.Equal(rcv[0], ok) {
		t.Fatalf("received %d frames; want only the valid 200-byte frame", len(rcv))
	}
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.TxInvalidDescs == 0 {
		t.Fatalf("tx_invalid_descs 0 after a %d-fragment packet", frags)
	}
	t.Logf("tx_invalid_descs %d for a %d-descriptor packet", st.TxInvalidDescs, frags)
}
