package xsk_test

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/xdpkit/xdpkit/internal/netnstest"
	"github.com/xdpkit/xdpkit/xsk"
)

// unalignedEnd opens a socket on an unaligned-chunk UMEM in ns.
func unalignedEnd(t *testing.T, ns netnstest.NS, ifname string, ucfg xsk.UmemConfig) (*xsk.Umem, *xsk.Socket) {
	t.Helper()
	ucfg.Flags |= xsk.UmemUnaligned
	ucfg.FillSize, ucfg.CompSize = 256, 256
	var u *xsk.Umem
	var s *xsk.Socket
	err := ns.Do(func() (err error) {
		if u, err = xsk.NewUmem(nil, ucfg); err != nil {
			return err
		}
		s, err = xsk.NewSocket(ifname, 0, u, xsk.SocketConfig{RxSize: 256, TxSize: 256, AttachMode: xsk.AttachDrv})
		if err != nil {
			u.Close()
		}
		return err
	})
	netnstest.Require(t, err, "socket on an unaligned UMEM")
	t.Cleanup(func() {
		s.Close()
		u.Close()
	})
	return u, s
}

// TestUnaligned is UNALIGNED: chunks of any size at any address; RX
// addresses carry the data offset in their upper 16 bits, TX takes any
// address, and a descriptor outside the UMEM is counted invalid.
func TestUnaligned(t *testing.T) {
	for _, frame := range []uint32{4096, 3000} {
		t.Run(strconv.Itoa(int(frame)), func(t *testing.T) {
			p := newPair(t)
			u, s := unalignedEnd(t, p.A, p.IfA, xsk.UmemConfig{Size: 128 * uint64(frame), FrameSize: frame})
			// Buffers at odd addresses: base 1000 + i*frame.
			fill := s.Fill()
			_, idx := fill.Reserve(32)
			for i := uint32(0); i < 32; i++ {
				*fill.Addr(idx + i) = 1000 + uint64(i)*uint64(frame)
			}
			fill.Submit(32)
			ps := openPacket(t, p.B, p.IfB)
			want := framesBA(p, 0, 20, 1000)
			sendPacket(t, ps, want)
			got, addrs := rxInto(t, s, len(want))
			checkFrames(t, got[:min(len(got), len(want))], want)
			for _, a := range addrs {
				base, off := a&(1<<48-1), a>>48
				if (base-1000)%uint64(frame) != 0 || off != 256 {
					t.Fatalf("RX address %#x: base %d, offset %d; want a filled base and offset 256", a, base, off)
				}
			}

			// TX from an unaligned address reaches B.
			rxB := openPacket(t, p.B, p.IfB)
			out := framesAB(p, 500, 1, 200)[0]
			addr := uint64(64*frame + 77)
			copy(u.Frame(addr, uint32(len(out))), out)
			tx := s.Tx()
			_, tidx := tx.Reserve(1)
			*tx.Desc(tidx) = xsk.Desc{Addr: addr, Len: uint32(len(out))}
			// and one past the end of the UMEM, which the kernel rejects.
			tx.Submit(1)
			_, tidx = tx.Reserve(1)
			*tx.Desc(tidx) = xsk.Desc{Addr: u.Config().Size - 10, Len: 100}
			tx.Submit(1)
			if err := s.Kick(); err != nil {
				t.Fatal(err)
			}
			checkFrames(t, recvPacket(t, rxB, p.MacA, 1), [][]byte{out})
			st, err := s.Stats()
			if err != nil {
				t.Fatal(err)
			}
			if st.TxInvalidDescs != 1 {
				t.Fatalf("tx_invalid_descs %d, want 1", st.TxInvalidDescs)
			}
		})
	}
}

// TestUnalignedHugepages runs UNALIGNED on a hugepage-backed UMEM; it
// reserves two hugepages for the test (and restores the setting), and
// checks that without free hugepages the error says so.
func TestUnalignedHugepages(t *testing.T) {
	const knob = "/proc/sys/vm/nr_hugepages"
	old, err := os.ReadFile(knob)
	netnstest.Require(t, err, "read vm.nr_hugepages")
	restore := func() { _ = os.WriteFile(knob, old, 0) }
	defer restore()

	if strings.TrimSpace(string(old)) == "0" {
		_, err := xsk.NewUmem(nil, xsk.UmemConfig{Size: 2 << 20, Hugepages: true})
		if !errors.Is(err, unix.ENOMEM) || !strings.Contains(err.Error(), "hugepages") {
			t.Fatalf("without hugepages: got %v, want ENOMEM naming hugepages", err)
		}
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(old)))
	netnstest.Require(t, os.WriteFile(knob, []byte(strconv.Itoa(n+2)), 0), "reserve hugepages")
	if _, err := xsk.NewUmem(nil, xsk.UmemConfig{Size: 3 << 20, Hugepages: true}); !errors.Is(err, unix.EINVAL) {
		t.Fatalf("size not a multiple of the hugepage size: got %v, want EINVAL", err)
	}

	p := newPair(t)
	u, s := unalignedEnd(t, p.A, p.IfA, xsk.UmemConfig{Size: 2 << 20, FrameSize: 3000, Hugepages: true})
	_ = u
	fill := s.Fill()
	_, idx := fill.Reserve(64)
	for i := uint32(0); i < 64; i++ {
		// Chunks of 3000 bytes cross 4K page boundaries: fine in a hugepage.
		*fill.Addr(idx + i) = 123 + uint64(i)*3000
	}
	fill.Submit(64)
	ps := openPacket(t, p.B, p.IfB)
	want := framesBA(p, 0, 40, 1400)
	sendPacket(t, ps, want)
	got, _ := rxInto(t, s, len(want))
	checkFrames(t, got, want)
}
