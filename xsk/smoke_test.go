package xsk_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/xdpkit/xdpkit/internal/netnstest"
	"github.com/xdpkit/xdpkit/xsk"
)

func TestSmoke(t *testing.T) {
	for _, mode := range []xsk.AttachMode{xsk.AttachSKB, xsk.AttachDrv} {
		t.Run(mode.String(), func(t *testing.T) {
			p := netnstest.NewPair(t)
			var u *xsk.Umem
			var s *xsk.Socket
			err := p.A.Do(func() (err error) {
				u, err = xsk.NewUmem(nil, xsk.UmemConfig{})
				if err != nil {
					return err
				}
				s, err = xsk.NewSocket(p.IfA, 0, u, xsk.SocketConfig{AttachMode: mode, BindFlags: xsk.BindCopy})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			defer u.Close()
			defer s.Close()
			fill := u.Fill()
			n, idx := fill.Reserve(64)
			for i := uint32(0); i < n; i++ {
				*fill.Addr(idx + i) = uint64(i) * 4096
			}
			fill.Submit(n)
			ps, err := p.B.OpenPacket(p.IfB)
			if err != nil {
				t.Fatal(err)
			}
			defer ps.Close()
			want := netnstest.UDPFrame(p.MacB, p.MacA, p.IPB, p.IPA, 64, 7)
			if err := ps.Send(want); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(2 * time.Second)
			for time.Now().Before(deadline) {
				got, idx := s.Rx().Peek(1)
				if got == 1 {
					d := s.Rx().Desc(idx)
					if !bytes.Equal(u.Frame(d.Addr, d.Len), want) {
						t.Fatalf("frame differs")
					}
					s.Rx().Release(1)
					st, _ := s.Stats()
					t.Logf("ok %+v mode %v", st, s.Program().Mode())
					return
				}
				s.Poll(1, 100)
			}
			t.Fatal("no frame")
		})
	}
}
