package xsk_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/xdpkit/xdpkit/internal/netnstest"
	"github.com/xdpkit/xdpkit/xsk"
)

// rxInto takes frames from s's RX ring until want test frames arrived or
// waitTimeout passed, giving each frame back to s's fill ring. It returns
// the frames' data and addresses.
func rxInto(t *testing.T, s *xsk.Socket, want int) (data [][]byte, addrs []uint64) {
	t.Helper()
	u, rx, fill := s.Umem(), s.Rx(), s.Fill()
	deadline := time.Now().Add(waitTimeout)
	for len(data) < want && time.Now().Before(deadline) {
		got, idx := rx.Peek(64)
		if got == 0 {
			if _, err := s.Poll(1, pollSlice); err != nil {
				t.Fatal(err)
			}
			continue
		}
		_, fidx := fill.Reserve(got)
		for i := uint32(0); i < got; i++ {
			d := rx.Desc(idx + i)
			if f := u.Frame(d.Addr, d.Len); isTestFrame(f) {
				data = append(data, bytes.Clone(f))
				addrs = append(addrs, d.Addr)
			}
			*fill.Addr(fidx + i) = frameBase(u, d.Addr)
		}
		fill.Submit(got)
		rx.Release(got)
	}
	return data, addrs
}

// frameBase is the fill address an RX descriptor address came from: the
// low 48 bits in unaligned mode, the start of the chunk in aligned mode.
func frameBase(u *xsk.Umem, addr uint64) uint64 {
	if u.Config().Flags&xsk.UmemUnaligned != 0 {
		return addr & (1<<48 - 1)
	}
	return addr - addr%uint64(u.Config().FrameSize)
}

// fillWith puts the frames [first, first+n) of s's UMEM on s's fill ring.
func fillWith(t *testing.T, s *xsk.Socket, first, n uint64) {
	t.Helper()
	fsize := uint64(s.Umem().Config().FrameSize)
	fill := s.Fill()
	got, idx := fill.Reserve(uint32(n))
	if got != uint32(n) {
		t.Fatalf("fill ring has no room for %d frames", n)
	}
	for i := uint64(0); i < n; i++ {
		*fill.Addr(idx + uint32(i)) = (first + i) * fsize
	}
	fill.Submit(got)
}

// xmit sends frames from s's TX ring using the UMEM frames from first
// on, and waits for their completions on s's completion ring.
func xmit(t *testing.T, s *xsk.Socket, first uint64, frames [][]byte) {
	t.Helper()
	u, tx, comp := s.Umem(), s.Tx(), s.Completion()
	fsize := uint64(u.Config().FrameSize)
	got, idx := tx.Reserve(uint32(len(frames)))
	if got != uint32(len(frames)) {
		t.Fatalf("tx ring has no room for %d frames", len(frames))
	}
	for i, f := range frames {
		addr := (first + uint64(i)) * fsize
		copy(u.Frame(addr, uint32(len(f))), f)
		*tx.Desc(idx + uint32(i)) = xsk.Desc{Addr: addr, Len: uint32(len(f))}
	}
	tx.Submit(got)
	done := uint32(0)
	deadline := time.Now().Add(waitTimeout)
	for done < got && time.Now().Before(deadline) {
		if err := s.Kick(); err != nil {
			t.Fatal(err)
		}
		n, _ := comp.Peek(got - done)
		comp.Release(n)
		done += n
		if n == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	if done != got {
		t.Fatalf("%d of %d frames completed", done, got)
	}
}

// TestXdpSharedUmem is XDP_SHARED_UMEM: sockets sharing one UMEM on the
// same queue (one fill/completion pair) and on two queues (each its own).
func TestXdpSharedUmem(t *testing.T) {
	ucfg := xsk.UmemConfig{Size: 256 * 4096, FillSize: 256, CompSize: 256}
	scfg := xsk.SocketConfig{RxSize: 256, TxSize: 256, AttachMode: xsk.AttachDrv}

	t.Run("same_queue", func(t *testing.T) {
		p := newPair(t)
		var u *xsk.Umem
		var s1, s2 *xsk.Socket
		err := p.A.Do(func() (err error) {
			if u, err = xsk.NewUmem(nil, ucfg); err != nil {
				return err
			}
			first := scfg
			first.BindFlags = xsk.BindCopy
			if s1, err = xsk.NewSocket(p.IfA, 0, u, first); err != nil {
				return err
			}
			s2, err = xsk.NewSocket(p.IfA, 0, u, scfg)
			return err
		})
		netnstest.Require(t, err, "two sockets on one UMEM and queue")
		defer u.Close()
		defer s1.Close()
		if s2.Fill() != u.Fill() || s2.Completion() != u.Completion() {
			t.Fatal("a same-queue shared socket must use the UMEM's fill/completion rings")
		}
		if s2.BindFlags() != xsk.BindCopy {
			t.Fatalf("shared socket bind flags %#x, want the UMEM socket's %#x", s2.BindFlags(), xsk.BindCopy)
		}
		fillWith(t, s1, 0, 128)
		ps := openPacket(t, p.B, p.IfB)

		// The newest socket on the queue gets the frames.
		want := framesBA(p, 0, 40, 1000)
		sendPacket(t, ps, want)
		got, _ := rxInto(t, s2, len(want))
		checkFrames(t, got, want)
		if n := s1.Rx().Available(64); n != 0 {
			t.Fatalf("the older socket received %d frames", n)
		}

		// Closed, it gives the queue back to the older socket.
		if err := s2.Close(); err != nil {
			t.Fatal(err)
		}
		want = framesBA(p, 100, 40, 1000)
		sendPacket(t, ps, want)
		got, _ = rxInto(t, s1, len(want))
		checkFrames(t, got, want)
	})

	t.Run("two_queues", func(t *testing.T) {
		p := netnstest.NewPairWith(t, netnstest.PairOptions{Queues: 2})
		netnstest.Require(t, p.DisableIPv6(), "disable IPv6")
		var ua, ub *xsk.Umem
		var rx [2]*xsk.Socket
		var tx [2]*xsk.Socket
		err := p.A.Do(func() (err error) {
			if ua, err = xsk.NewUmem(nil, ucfg); err != nil {
				return err
			}
			for q := range rx {
				c := scfg
				c.FillSize, c.CompSize = 64, 64
				if q == 0 {
					c.BindFlags = xsk.BindCopy
				}
				if rx[q], err = xsk.NewSocket(p.IfA, uint32(q), ua, c); err != nil {
					return err
				}
			}
			return nil
		})
		netnstest.Require(t, err, "sockets on two queues of one UMEM")
		err = p.B.Do(func() (err error) {
			if ub, err = xsk.NewUmem(nil, ucfg); err != nil {
				return err
			}
			for q := range tx {
				c := xsk.SocketConfig{TxSize: 256, DisableRx: true, NoProgram: true, FillSize: 64, CompSize: 64}
				if q == 0 {
					c.BindFlags = xsk.BindCopy
				}
				if tx[q], err = xsk.NewSocket(p.IfB, uint32(q), ub, c); err != nil {
					return err
				}
			}
			return nil
		})
		netnstest.Require(t, err, "TX sockets on two queues of one UMEM")
		defer ua.Close()
		defer ub.Close()
		for q := range rx {
			defer rx[q].Close()
			defer tx[q].Close()
		}
		if rx[1].Fill() == ua.Fill() || tx[1].Completion() == ub.Completion() {
			t.Fatal("a socket on another queue must have its own fill/completion rings")
		}
		if rx[1].Fill().Size() != 64 {
			t.Fatalf("own fill ring of %d entries, want 64", rx[1].Fill().Size())
		}
		// Queue 0 receives into frames 0-63, queue 1 into 64-127.
		fillWith(t, rx[0], 0, 64)
		fillWith(t, rx[1], 64, 64)
		for q := range tx {
			want := framesBA(p, uint32(q)*1000, 30, 1000)
			// Frames sent on B's TX queue q arrive on A's RX queue q.
			xmit(t, tx[q], 128+uint64(q)*32, want)
			got, addrs := rxInto(t, rx[q], len(want))
			checkFrames(t, got, want)
			for _, a := range addrs {
				if frame := a / 4096; frame/64 != uint64(q) {
					t.Fatalf("queue %d received into frame %d, which is another queue's fill ring's", q, frame)
				}
			}
		}
	})
}

// TestSocketsAllQueues opens a socket on every queue of a two-queue veth
// over one UMEM and receives on each.
func TestSocketsAllQueues(t *testing.T) {
	p := netnstest.NewPairWith(t, netnstest.PairOptions{Queues: 2})
	netnstest.Require(t, p.DisableIPv6(), "disable IPv6")
	var u, ub *xsk.Umem
	var socks []*xsk.Socket
	var tx [2]*xsk.Socket
	err := p.A.Do(func() (err error) {
		if u, err = xsk.NewUmem(nil, xsk.UmemConfig{Size: 256 * 4096, FillSize: 64, CompSize: 64}); err != nil {
			return err
		}
		socks, err = xsk.NewSocketsAllQueues(p.IfA, u, xsk.SocketConfig{RxSize: 64, TxSize: 64, FillSize: 64, CompSize: 64, BindFlags: xsk.BindCopy})
		return err
	})
	netnstest.Require(t, err, "sockets on all queues")
	defer u.Close()
	for _, s := range socks {
		defer s.Close()
	}
	if len(socks) != 2 || socks[0].Queue() != 0 || socks[1].Queue() != 1 {
		t.Fatalf("got %d sockets", len(socks))
	}
	err = p.B.Do(func() (err error) {
		if ub, err = xsk.NewUmem(nil, xsk.UmemConfig{Size: 256 * 4096, FillSize: 64, CompSize: 64}); err != nil {
			return err
		}
		for q := range tx {
			if tx[q], err = xsk.NewSocket(p.IfB, uint32(q), ub, xsk.SocketConfig{TxSize: 64, DisableRx: true, NoProgram: true, FillSize: 64, CompSize: 64}); err != nil {
				return err
			}
		}
		return nil
	})
	netnstest.Require(t, err, "TX sockets")
	defer ub.Close()
	for q := range tx {
		defer tx[q].Close()
	}
	for q, s := range socks {
		fillWith(t, s, uint64(q)*64, 64)
	}
	for q := range tx {
		want := framesBA(p, uint32(q)*100, 20, 600)
		xmit(t, tx[q], 128+uint64(q)*32, want)
		got, _ := rxInto(t, socks[q], len(want))
		checkFrames(t, got, want)
	}
}
