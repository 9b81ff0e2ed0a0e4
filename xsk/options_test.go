package xsk_test

import (
	"errors"
	"testing"

	"github.com/xdpkit/xdpkit/xsk"
	"golang.org/x/sys/unix"
)

// XDP_OPTIONS: a copy-mode socket has no zero-copy bit, asked for or
// fallen back to; zero-copy on veth fails with EOPNOTSUPP and leaves the
// UMEM usable for a copy-mode socket.
func TestOptions(t *testing.T) {
	for _, c := range []struct {
		name  string
		flags uint16
	}{
		{"copy", xsk.BindCopy},
		{"auto-falls-back-to-copy", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := newPair(t)
			a := openEnd(t, p.A, p.IfA, xsk.UmemConfig{}, xsk.SocketConfig{AttachMode: xsk.AttachDrv, BindFlags: c.flags})
			opts, err := a.s.Options()
			if err != nil {
				t.Fatal(err)
			}
			if opts&xsk.OptionsZeroCopy != 0 {
				t.Fatalf("Options() = %#x: zero-copy on veth", opts)
			}
			if got := a.s.BindFlags(); got != c.flags {
				t.Fatalf("BindFlags() = %#x, want %#x", got, c.flags)
			}
		})
	}

	t.Run("zerocopy-unsupported", func(t *testing.T) {
		p := newPair(t)
		var u *xsk.Umem
		var zerr error
		cfg := xsk.SocketConfig{RxSize: 256, TxSize: 256, AttachMode: xsk.AttachDrv}
		err := p.A.Do(func() (err error) {
			if u, err = xsk.NewUmem(nil, xsk.UmemConfig{Size: 256 * xsk.DefaultFrameSize, FillSize: 256, CompSize: 256}); err != nil {
				return err
			}
			zc := cfg
			zc.BindFlags = xsk.BindZeroCopy
			var s *xsk.Socket
			s, zerr = xsk.NewSocket(p.IfA, 0, u, zc)
			if zerr == nil {
				s.Close()
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := u.Close(); err != nil {
				t.Errorf("umem Close: %v", err)
			}
		}()
		if !errors.Is(zerr, unix.EOPNOTSUPP) {
			t.Fatalf("zero-copy bind on veth = %v, want EOPNOTSUPP", zerr)
		}
		t.Log(zerr)
		if ids := xdpProgs(t, p.A, p.IfA); len(ids) != 0 {
			t.Fatalf("the failed zero-copy socket left XDP programs %v", ids)
		}

		// The UMEM's fd already has its RX/TX rings from the failed
		// bind: other sizes cannot be set any more.
		err = p.A.Do(func() error {
			other := cfg
			other.RxSize, other.BindFlags = 512, xsk.BindCopy
			s, err := xsk.NewSocket(p.IfA, 0, u, other)
			if err == nil {
				s.Close()
			}
			return err
		})
		if !errors.Is(err, unix.EBUSY) {
			t.Fatalf("copy socket with other ring sizes after the failed bind = %v, want EBUSY", err)
		}

		// The same sizes in copy mode work, and carry traffic.
		cp := cfg
		cp.BindFlags = xsk.BindCopy
		var s *xsk.Socket
		if err := p.A.Do(func() (err error) { s, err = xsk.NewSocket(p.IfA, 0, u, cp); return err }); err != nil {
			t.Fatalf("copy-mode socket on the UMEM after the failed zero-copy bind: %v", err)
		}
		defer func() {
			if err := s.Close(); err != nil {
				t.Errorf("socket Close: %v", err)
			}
		}()
		if opts, err := s.Options(); err != nil || opts&xsk.OptionsZeroCopy != 0 {
			t.Fatalf("Options() = %#x, %v", opts, err)
		}
		a := &end{t: t, u: u, s: s, fsize: xsk.DefaultFrameSize}
		for i := uint64(0); i < 128; i++ {
			a.rxFree = append(a.rxFree, i*a.fsize)
		}
		a.fill(len(a.rxFree))
		ps := openPacket(t, p.B, p.IfB)
		want := framesBA(p, 0, 8, maxFrame)
		sendPacket(t, ps, want)
		checkFrames(t, datas(a.recv(len(want))), want)
	})
}
