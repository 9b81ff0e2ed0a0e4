package xsk_test

import (
	"encoding/binary"
	"testing"

	"github.com/xdpkit/xdpkit/bpf/objs"
	"github.com/xdpkit/xdpkit/internal/netnstest"
	"github.com/xdpkit/xdpkit/prog"
	"github.com/xdpkit/xdpkit/xsk"
)

// withSelftestProg attaches one of bpf/xsk_selftest.c's programs to A and
// opens a socket stored in its XSKMAP.
func withSelftestProg(t *testing.T, name string, mode xsk.AttachMode) (*netnstest.Pair, *xsk.Socket) {
	t.Helper()
	p := newPair(t)
	spec, err := objs.LoadXskSelftest()
	if err != nil {
		t.Fatal(err)
	}
	var pr *prog.Program
	var u *xsk.Umem
	var s *xsk.Socket
	err = p.A.Do(func() (err error) {
		if pr, err = prog.LoadSpec(spec, name); err != nil {
			return err
		}
		l, err := pr.Attach(p.IfA, mode)
		if err != nil {
			return err
		}
		t.Cleanup(func() { l.Detach() })
		m, err := pr.Map("xsks_map")
		if err != nil {
			return err
		}
		defer m.Close()
		if u, err = xsk.NewUmem(nil, xsk.UmemConfig{Size: 256 * 4096, FillSize: 256, CompSize: 256}); err != nil {
			return err
		}
		s, err = xsk.NewSocket(p.IfA, 0, u, xsk.SocketConfig{RxSize: 256, TxSize: 256, XSKMap: m.Ebpf()})
		return err
	})
	netnstest.Require(t, err, "selftest program "+name)
	t.Cleanup(func() {
		s.Close()
		u.Close()
		pr.Close()
	})
	fillWith(t, s, 0, 128)
	return p, s
}

// TestXdpDropHalf is XDP_DROP_HALF: a program dropping every other frame
// leaves exactly the even ones to the socket.
func TestXdpDropHalf(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			p, s := withSelftestProg(t, "xdpkit_drop_half", mode)
			sent := framesBA(p, 0, 40, 800)
			sendPacket(t, openPacket(t, p.B, p.IfB), sent)
			var want [][]byte
			for i := 0; i < len(sent); i += 2 {
				want = append(want, sent[i])
			}
			got, _ := rxInto(t, s, len(want))
			checkFrames(t, got, want)
			if n := s.Rx().Available(64); n != 0 {
				t.Fatalf("%d more frames than half arrived", n)
			}
		})
	}
}

// TestXdpMetadataCopy is XDP_METADATA_COPY: the program writes a frame
// count into the metadata area, and the socket finds it in the 4 bytes in
// front of each frame's data.
func TestXdpMetadataCopy(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			p, s := withSelftestProg(t, "xdpkit_meta_count", mode)
			want := framesBA(p, 0, 30, 800)
			sendPacket(t, openPacket(t, p.B, p.IfB), want)
			got, addrs := rxInto(t, s, len(want))
			checkFrames(t, got, want)
			for i, a := range addrs {
				meta := s.Umem().Area()[a-4 : a]
				if n := binary.NativeEndian.Uint32(meta); n != uint32(i) {
					t.Fatalf("frame %d: metadata count %d, want %d", i, n, i)
				}
			}
		})
	}
}

// TestTxQueueConsumer is TX_QUEUE_CONSUMER: after a large batch is sent,
// the kernel's TX consumer index stands exactly at the producer index (it
// consumed every descriptor, no more), and every frame completed once.
func TestTxQueueConsumer(t *testing.T) {
	p := newPair(t)
	var u *xsk.Umem
	var s *xsk.Socket
	err := p.A.Do(func() (err error) {
		if u, err = xsk.NewUmem(nil, xsk.UmemConfig{Size: 512 * 2048, FrameSize: 2048, FillSize: 512, CompSize: 512}); err != nil {
			return err
		}
		s, err = xsk.NewSocket(p.IfA, 0, u, xsk.SocketConfig{TxSize: 512, DisableRx: true, NoProgram: true, BindFlags: xsk.BindCopy})
		return err
	})
	netnstest.Require(t, err, "TX socket")
	defer u.Close()
	defer s.Close()
	frames := framesAB(p, 0, 300, 200)
	xmit(t, s, 0, frames)
	prod, cons, _, _ := s.Tx().Pointers()
	if *prod != 300 || *cons != *prod {
		t.Fatalf("TX ring producer %d, consumer %d: want both 300", *prod, *cons)
	}
	if n := s.Completion().Available(512); n != 0 {
		t.Fatalf("%d extra completions", n)
	}
}
