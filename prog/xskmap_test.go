package prog_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/xdpkit/xdpkit/internal/netnstest"
	"github.com/xdpkit/xdpkit/maps"
	"github.com/xdpkit/xdpkit/prog"
	"github.com/xdpkit/xdpkit/xsk"
)

// xskRx is an RX-only AF_XDP socket with its own small UMEM.
type xskRx struct {
	u      *xsk.Umem
	s      *xsk.Socket
	free   []uint64
	closed bool
}

const (
	xskFrames    = 64
	xskFrameSize = xsk.DefaultFrameSize
)

// openXSK creates a UMEM and a copy-mode RX socket on queue 0 of ifname in
// ns with cfg, and gives all its frames to the fill ring. Both are closed
// when the test ends unless the test closed them.
func openXSK(t *testing.T, ns netnstest.NS, ifname string, cfg xsk.SocketConfig) *xskRx {
	t.Helper()
	x := &xskRx{}
	cfg.RxSize, cfg.DisableTx, cfg.BindFlags = xskFrames, true, xsk.BindCopy
	err := ns.Do(func() (err error) {
		x.u, err = xsk.NewUmem(nil, xsk.UmemConfig{Size: xskFrames * xskFrameSize, FrameSize: xskFrameSize,
			FillSize: xskFrames, CompSize: xskFrames})
		if err != nil {
			return err
		}
		x.s, err = xsk.NewSocket(ifname, 0, x.u, cfg)
		if err != nil {
			x.u.Close()
		}
		return err
	})
	netnstest.Require(t, err, fmt.Sprintf("AF_XDP socket on %s", ifname))
	t.Cleanup(func() { x.close(t) })
	for i := uint64(0); i < xskFrames; i++ {
		x.free = append(x.free, i*xskFrameSize)
	}
	x.refill()
	return x
}

func (x *xskRx) refill() {
	fr := x.u.Fill()
	got, idx := fr.Reserve(uint32(len(x.free)))
	for i := uint32(0); i < got; i++ {
		*fr.Addr(idx + i) = x.free[i]
	}
	x.free = x.free[got:]
	fr.Submit(got)
}

// recv collects test frames from the RX ring until want have arrived or
// wait has passed (other frames are dropped).
func (x *xskRx) recv(t *testing.T, want int, wait time.Duration) [][]byte {
	t.Helper()
	var out [][]byte
	deadline := time.Now().Add(wait)
	for len(out) < want && time.Now().Before(deadline) {
		rx := x.s.Rx()
		got, idx := rx.Peek(xskFrames)
		for i := uint32(0); i < got; i++ {
			d := rx.Desc(idx + i)
			if f := bytes.Clone(x.u.Frame(d.Addr, d.Len)); isTestFrame(f) {
				out = append(out, f)
			}
			x.free = append(x.free, d.Addr-d.Addr%xskFrameSize)
		}
		rx.Release(got)
		x.refill()
		if got == 0 {
			if _, err := x.s.Poll(unix.POLLIN, pollSlice); err != nil {
				t.Fatal(err)
			}
		}
	}
	return out
}

func (x *xskRx) close(t *testing.T) {
	if x.closed {
		return
	}
	x.closed = true
	if err := x.s.Close(); err != nil {
		t.Errorf("socket Close: %v", err)
	}
	if err := x.u.Close(); err != nil {
		t.Errorf("umem Close: %v", err)
	}
}

func sameFrames(t *testing.T, what string, got, want [][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d frames, want %d", what, len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("%s: frame %d differs: % x, want % x", what, i, got[i][:min(len(got[i]), 48)], want[i][:48])
		}
	}
}

// The AF_XDP tutorial flow with a user-loaded program: load the default
// program spec, attach it, find xsks_map by name, and put an AF_XDP
// socket into it (through SocketConfig.XSKMap, through NoProgram +
// AddToXSKMap, or with maps.Map.XSKSet). While the entry is there the
// socket receives every frame and the kernel stack none; once the socket
// is closed (or the entry cleared) the program's XDP_PASS fallback hands
// the frames to the stack.
//
// "Reaches the stack" is observed with an AF_PACKET socket on A's veth
// end: XDP runs before the packet taps in both generic and native mode, so
// the tap sees exactly the frames the program passed on, and none of
// those it redirected. The tap is the robust witness: it needs no second
// AF_XDP socket (whose bind on the same queue could race the first one's
// release) and no interface counters (which other traffic moves).
func TestXSKMapUserProgram(t *testing.T) {
	const n = 16
	variants := []struct {
		name string
		open func(t *testing.T, pair *netnstest.Pair, m *maps.Map) *xskRx
	}{
		{"SocketConfig.XSKMap", func(t *testing.T, pair *netnstest.Pair, m *maps.Map) *xskRx {
			return openXSK(t, pair.A, pair.IfA, xsk.SocketConfig{XSKMap: m.Ebpf()})
		}},
		{"NoProgram+AddToXSKMap", func(t *testing.T, pair *netnstest.Pair, m *maps.Map) *xskRx {
			x := openXSK(t, pair.A, pair.IfA, xsk.SocketConfig{NoProgram: true})
			if err := x.s.AddToXSKMap(m.Ebpf()); err != nil {
				t.Fatalf("AddToXSKMap: %v", err)
			}
			return x
		}},
		{"NoProgram+XSKSet", func(t *testing.T, pair *netnstest.Pair, m *maps.Map) *xskRx {
			x := openXSK(t, pair.A, pair.IfA, xsk.SocketConfig{NoProgram: true})
			if err := m.XSKSet(x.s.Queue(), x.s.FD()); err != nil {
				t.Fatalf("XSKSet: %v", err)
			}
			return x
		}},
	}
	for _, mode := range modes {
		for _, v := range variants {
			t.Run(mode.String()+"/"+v.name, func(t *testing.T) {
				pair := newPair(t)
				spec, err := xsk.DefaultProgramSpec()
				if err != nil {
					t.Fatal(err)
				}
				p, err := prog.LoadSpec(spec, "xdpkit_redirect")
				netnstest.Require(t, err, "load the default program spec")
				t.Cleanup(func() { p.Close() })
				id, _ := p.ID()
				attach(t, p, pair.A, pair.IfA, mode)
				m := mapOf(t, p, "xsks_map")
				tap := openPacket(t, pair.A, pair.IfA)
				sender := openPacket(t, pair.B, pair.IfB)

				x := v.open(t, pair, m)
				if x.s.Program() != nil {
					t.Fatal("the socket loaded the default program although the caller manages its own")
				}
				if got := xdpOnLink(t, pair.A, pair.IfA); len(got) != 1 || got[0].ID != id || got[0].Mode != attachedMode(mode) {
					t.Fatalf("XDP on %s: %+v, want only the user program %d", pair.IfA, got, id)
				}

				// Entry present: the socket gets the frames, the stack none.
				want := framesBA(pair, 0, n, 200)
				sendFrom(t, sender, want)
				sameFrames(t, "AF_XDP socket", x.recv(t, n, waitTimeout), want)
				if got := recvPacket(t, tap, pair.MacB, 1, 50*time.Millisecond); len(got) != 0 {
					t.Fatalf("the stack saw %d redirected frames", len(got))
				}

				if v.name == "NoProgram+XSKSet" {
					// Clearing the entry with the socket still open passes
					// frames to the stack; setting it again redirects again.
					if err := m.XSKClear(0); err != nil {
						t.Fatalf("XSKClear: %v", err)
					}
					want = framesBA(pair, 100, n, 200)
					sendFrom(t, sender, want)
					sameFrames(t, "stack after XSKClear", recvPacket(t, tap, pair.MacB, n, waitTimeout), want)
					if got := x.recv(t, 1, 50*time.Millisecond); len(got) != 0 {
						t.Fatalf("socket received %d frames after XSKClear", len(got))
					}
					if err := m.XSKSet(0, x.s.FD()); err != nil {
						t.Fatalf("XSKSet again: %v", err)
					}
					want = framesBA(pair, 200, n, 200)
					sendFrom(t, sender, want)
					sameFrames(t, "AF_XDP socket after XSKSet again", x.recv(t, n, waitTimeout), want)
				}

				// Socket closed: its entry is gone, frames reach the stack.
				x.close(t)
				want = framesBA(pair, 1000, n, 200)
				sendFrom(t, sender, want)
				sameFrames(t, "stack after socket Close", recvPacket(t, tap, pair.MacB, n, waitTimeout), want)

				// The user program stays attached: closing the socket does
				// not touch it.
				if got := xdpOnLink(t, pair.A, pair.IfA); len(got) != 1 || got[0].ID != id {
					t.Fatalf("XDP on %s after socket Close: %+v, want the user program %d", pair.IfA, got, id)
				}
			})
		}
	}
}

// A new socket on the same queue after the first one closed takes over
// the XSKMAP entry and receives again.
func TestXSKMapReplaceSocket(t *testing.T) {
	pair := newPair(t)
	spec, err := xsk.DefaultProgramSpec()
	if err != nil {
		t.Fatal(err)
	}
	p, err := prog.LoadSpec(spec, "xdpkit_redirect")
	netnstest.Require(t, err, "load the default program spec")
	t.Cleanup(func() { p.Close() })
	attach(t, p, pair.A, pair.IfA, xsk.AttachDrv)
	m := mapOf(t, p, "xsks_map")
	sender := openPacket(t, pair.B, pair.IfB)
	for round := 0; round < 3; round++ {
		x := openXSK(t, pair.A, pair.IfA, xsk.SocketConfig{XSKMap: m.Ebpf()})
		want := framesBA(pair, uint32(100*round), 8, 100)
		sendFrom(t, sender, want)
		sameFrames(t, fmt.Sprintf("round %d", round), x.recv(t, len(want), waitTimeout), want)
		x.close(t)
	}
}
