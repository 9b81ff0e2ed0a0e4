package xsk_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/xdpkit/xdpkit/xsk"
	"golang.org/x/sys/unix"
)

// xdpPacketHeadroom is XDP_PACKET_HEADROOM: in copy mode the kernel puts
// a received frame this far (plus the UMEM headroom) into its chunk.
const xdpPacketHeadroom = 256

// maxFrame is the largest frame the 1500-byte MTU veth carries.
const maxFrame = 1514

// copyCfg is a copy-mode socket with the default program in mode.
func copyCfg(mode xsk.AttachMode) xsk.SocketConfig {
	return xsk.SocketConfig{AttachMode: mode, BindFlags: xsk.BindCopy}
}

func checkMode(t *testing.T, e *end, mode xsk.AttachMode) {
	t.Helper()
	if got := e.s.Program().Mode(); got != mode {
		t.Fatalf("default program attached in %v mode, want %v", got, mode)
	}
}

// SEND_RECEIVE: frames sent from the peer namespace arrive byte-exact and
// in order, in skb and drv mode, with 4K and 2K frames and a single packet.
func TestSendReceive(t *testing.T) {
	variants := []struct {
		name      string
		frameSize uint32
		count     int
	}{
		{"4K-frame", 4096, 1000},
		{"2K-frame", 2048, 1000},
		{"single-packet", 4096, 1},
	}
	for _, mode := range modes {
		for _, v := range variants {
			t.Run(mode.String()+"/"+v.name, func(t *testing.T) {
				p := newPair(t)
				a := openEnd(t, p.A, p.IfA, xsk.UmemConfig{FrameSize: v.frameSize}, copyCfg(mode))
				checkMode(t, a, mode)
				a.fill(len(a.rxFree))
				ps := openPacket(t, p.B, p.IfB)

				want := framesBA(p, 0, v.count, maxFrame)
				var got [][]byte
				for off := 0; off < len(want); off += batch {
					b := want[off:min(off+batch, len(want))]
					sendPacket(t, ps, b)
					fs := a.recv(len(b))
					for _, f := range fs {
						if off := f.addr % a.fsize; off != xdpPacketHeadroom {
							t.Fatalf("rx addr %#x: offset %d in its chunk, want %d", f.addr, off, xdpPacketHeadroom)
						}
					}
					got = append(got, datas(fs)...)
					if len(fs) != len(b) {
						break
					}
				}
				checkFrames(t, got, want)
				if st := a.stats(); st != (xsk.Statistics{}) {
					t.Errorf("statistics after clean traffic: %+v", st)
				}
			})
		}
	}
}

// POLL_RX: Poll with POLLIN times out while nothing arrives and returns
// POLLIN once a frame is on the RX ring.
func TestPollRx(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			p := newPair(t)
			a := openEnd(t, p.A, p.IfA, xsk.UmemConfig{}, copyCfg(mode))
			a.fill(len(a.rxFree))
			ps := openPacket(t, p.B, p.IfB)

			if ev, err := a.s.Poll(unix.POLLIN, 0); err != nil || ev != 0 {
				t.Fatalf("Poll(POLLIN, 0) on an empty RX ring = %#x, %v; want 0", ev, err)
			}
			start := time.Now()
			if ev, err := a.s.Poll(unix.POLLIN, 100); err != nil || ev != 0 {
				t.Fatalf("Poll(POLLIN, 100) with no traffic = %#x, %v; want a timeout", ev, err)
			}
			if d := time.Since(start); d < 90*time.Millisecond {
				t.Fatalf("Poll(POLLIN, 100) with no traffic returned after %v", d)
			}

			want := framesBA(p, 1, 1, 200)
			errc := make(chan error, 1)
			go func() {
				time.Sleep(100 * time.Millisecond)
				errc <- ps.Send(want[0])
			}()
			start = time.Now()
			ev, err := a.s.Poll(unix.POLLIN, int(waitTimeout/time.Millisecond))
			d := time.Since(start)
			if err := <-errc; err != nil {
				t.Fatalf("AF_PACKET send: %v", err)
			}
			if err != nil || ev&unix.POLLIN == 0 {
				t.Fatalf("Poll(POLLIN) after a frame was sent = %#x, %v after %v", ev, err, d)
			}
			t.Logf("Poll returned %#x after %v", ev, d)
			if n := a.s.Rx().Available(8); n != 1 {
				t.Fatalf("Poll reported POLLIN with %d frames on the RX ring, want 1", n)
			}
			checkFrames(t, datas(a.take(8)), want)
			if ev, err := a.s.Poll(unix.POLLIN, 0); err != nil || ev != 0 {
				t.Fatalf("Poll(POLLIN, 0) after consuming = %#x, %v; want 0", ev, err)
			}
		})
	}
}

// POLL_TX: Poll reports POLLOUT on a TX socket with room on its TX ring,
// and in copy mode poll itself drives the transmission of what the TX
// ring holds.
func TestPollTx(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			p := newPair(t)
			a := openEnd(t, p.A, p.IfA, xsk.UmemConfig{}, copyCfg(mode))
			ps := openPacket(t, p.B, p.IfB)

			ev, err := a.s.Poll(unix.POLLOUT|unix.POLLIN, 0)
			if err != nil || ev != unix.POLLOUT {
				t.Fatalf("Poll(POLLOUT|POLLIN, 0) on an idle socket = %#x, %v; want POLLOUT only", ev, err)
			}
			want := framesAB(p, 0, 256, maxFrame)
			var got [][]byte
			for off := 0; off < len(want); off += batch {
				b := want[off : off+batch]
				if ev, err := a.s.Poll(unix.POLLOUT, 1000); err != nil || ev&unix.POLLOUT == 0 {
					t.Fatalf("batch %d: Poll(POLLOUT) = %#x, %v", off/batch, ev, err)
				}
				if n := a.submit(b); n != len(b) {
					t.Fatalf("batch %d: submitted %d of %d", off/batch, n, len(b))
				}
				// No Kick: poll calls send, until the TX ring is empty.
				tx := a.s.Tx()
				deadline := time.Now().Add(waitTimeout)
				for tx.Free(tx.Size()) != tx.Size() {
					if time.Now().After(deadline) {
						t.Fatalf("batch %d: polling did not send the TX ring", off/batch)
					}
					if _, err := a.s.Poll(unix.POLLOUT, 100); err != nil {
						t.Fatal(err)
					}
				}
				if ev, err := a.s.Poll(unix.POLLOUT, 0); err != nil || ev&unix.POLLOUT == 0 {
					t.Fatalf("batch %d: Poll(POLLOUT) with an empty TX ring = %#x, %v", off/batch, ev, err)
				}
				r := recvPacket(t, ps, p.MacA, len(b))
				got = append(got, r...)
				if len(r) != len(b) {
					break
				}
				deadline = time.Now().Add(waitTimeout)
				for done := 0; done < len(b) && time.Now().Before(deadline); {
					if n := a.reclaim(); n > 0 {
						done += n
					} else {
						time.Sleep(time.Millisecond)
					}
				}
			}
			checkFrames(t, got, want)
			if st := a.stats(); st.TxInvalidDescs != 0 {
				t.Errorf("statistics: %+v", st)
			}
		})
	}
}

// POLL_RXQ_FULL: with a small RX ring that is not consumed, Poll reports
// POLLIN, the ring holds exactly its size and the statistics count the
// frames dropped because it was full; after consuming, traffic flows.
func TestPollRxqFull(t *testing.T) {
	const rxSize, sent = 16, 64
	p := newPair(t)
	a := openEnd(t, p.A, p.IfA, xsk.UmemConfig{}, xsk.SocketConfig{RxSize: rxSize, AttachMode: xsk.AttachDrv, BindFlags: xsk.BindCopy})
	a.fill(len(a.rxFree))
	ps := openPacket(t, p.B, p.IfB)

	want := framesBA(p, 0, sent, 300)
	sendPacket(t, ps, want)
	ev, err := a.s.Poll(unix.POLLIN, int(waitTimeout/time.Millisecond))
	if err != nil || ev&unix.POLLIN == 0 {
		t.Fatalf("Poll(POLLIN) with a full RX ring = %#x, %v", ev, err)
	}
	st := a.waitStats(func(st xsk.Statistics) bool { return st.RxRingFull >= sent-rxSize })
	if st.RxRingFull != sent-rxSize {
		t.Fatalf("rx_ring_full = %d, want %d (statistics %+v)", st.RxRingFull, sent-rxSize, st)
	}
	if n := a.s.Rx().Available(sent); n != rxSize {
		t.Fatalf("RX ring holds %d, want %d", n, rxSize)
	}
	if ev, err := a.s.Poll(unix.POLLIN, 0); err != nil || ev&unix.POLLIN == 0 {
		t.Fatalf("Poll(POLLIN, 0) with a full RX ring = %#x, %v", ev, err)
	}
	// The first rxSize frames made it, byte-exact.
	checkFrames(t, datas(a.take(sent)), want[:rxSize])

	// The ring works again once consumed.
	more := framesBA(p, sent, rxSize, 300)
	sendPacket(t, ps, more)
	checkFrames(t, datas(a.recv(rxSize)), more)
	if st := a.stats(); st.RxRingFull != sent-rxSize {
		t.Fatalf("rx_ring_full went from %d to %d", sent-rxSize, st.RxRingFull)
	}
}

// POLL_TXQ_FULL: when the completion ring is full and not read, the kernel
// cannot take descriptors off the TX ring: the TX ring stays full, Reserve
// fails and Poll with POLLOUT times out. Reading the completions frees it.
func TestPollTxqFull(t *testing.T) {
	const size = 16
	p := newPair(t)
	a := openEnd(t, p.A, p.IfA, xsk.UmemConfig{CompSize: size}, xsk.SocketConfig{TxSize: size, AttachMode: xsk.AttachDrv, BindFlags: xsk.BindCopy})
	ps := openPacket(t, p.B, p.IfB)
	tx, comp := a.s.Tx(), a.u.Completion()

	first := framesAB(p, 0, size, 300)
	if n := a.submit(first); n != size {
		t.Fatalf("submitted %d of %d", n, size)
	}
	if err := a.s.Kick(); err != nil {
		t.Fatal(err)
	}
	checkFrames(t, recvPacket(t, ps, p.MacA, size), first)
	deadline := time.Now().Add(waitTimeout)
	for comp.Available(size) < size && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := comp.Available(size); n != size {
		t.Fatalf("completion ring holds %d, want %d", n, size)
	}

	// The completion ring is full: nothing more can go out.
	second := framesAB(p, size, size, 300)
	if n := a.submit(second); n != size {
		t.Fatalf("submitted %d of %d", n, size)
	}
	if err := a.s.Kick(); err != nil {
		t.Fatalf("Kick with a full completion ring: %v", err)
	}
	if n, _ := tx.Reserve(1); n != 0 {
		t.Fatalf("Reserve(1) on a full TX ring reserved %d", n)
	}
	start := time.Now()
	if ev, err := a.s.Poll(unix.POLLOUT, 200); err != nil || ev&unix.POLLOUT != 0 {
		t.Fatalf("Poll(POLLOUT, 200) with a full TX ring = %#x, %v; want no POLLOUT", ev, err)
	}
	if d := time.Since(start); d < 190*time.Millisecond {
		t.Fatalf("Poll(POLLOUT, 200) with a full TX ring returned after %v", d)
	}
	noPacket(t, ps, p.MacA, 100)

	// Reading the completions lets the kernel send; in copy mode poll
	// drives TX, and reports POLLOUT once the ring has drained.
	if n := a.reclaim(); n != size {
		t.Fatalf("reclaimed %d completions, want %d", n, size)
	}
	if ev, err := a.s.Poll(unix.POLLOUT, 1000); err != nil || ev&unix.POLLOUT == 0 {
		t.Fatalf("Poll(POLLOUT) after reading the completions = %#x, %v", ev, err)
	}
	checkFrames(t, recvPacket(t, ps, p.MacA, size), second)
	if n, _ := tx.Reserve(size); n != size {
		t.Fatalf("Reserve(%d) on a drained TX ring reserved %d", size, n)
	}
	tx.Cancel(size)
}

// UMEM_HEADROOM: with FrameHeadroom set, received data starts at
// XDP_PACKET_HEADROOM + headroom in its chunk (copy mode), byte-exact.
func TestUmemHeadroom(t *testing.T) {
	for _, mode := range modes {
		for _, headroom := range []uint32{128, 1024} {
			t.Run(fmt.Sprintf("%v/%d", mode, headroom), func(t *testing.T) {
				p := newPair(t)
				a := openEnd(t, p.A, p.IfA, xsk.UmemConfig{FrameHeadroom: headroom}, copyCfg(mode))
				if got := a.u.Config().FrameHeadroom; got != headroom {
					t.Fatalf("Config().FrameHeadroom = %d", got)
				}
				a.fill(len(a.rxFree))
				ps := openPacket(t, p.B, p.IfB)
				want := framesBA(p, 0, 64, maxFrame)
				sendPacket(t, ps, want[:batch])
				fs := a.recv(batch)
				sendPacket(t, ps, want[batch:])
				fs = append(fs, a.recv(len(want)-batch)...)
				for _, f := range fs {
					if off := f.addr % a.fsize; off != uint64(xdpPacketHeadroom+headroom) {
						t.Fatalf("rx addr %#x: offset %d in its chunk, want %d+%d", f.addr, off, xdpPacketHeadroom, headroom)
					}
				}
				checkFrames(t, datas(fs), want)
			})
		}
	}
}

// BIDIRECTIONAL: AF_XDP sockets in both namespaces; A sends to B through
// its TX ring, then B sends back to A.
func TestBidirectional(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			p := newPair(t)
			a := openEnd(t, p.A, p.IfA, xsk.UmemConfig{}, copyCfg(mode))
			b := openEnd(t, p.B, p.IfB, xsk.UmemConfig{}, copyCfg(mode))
			a.fill(len(a.rxFree))
			b.fill(len(b.rxFree))
			const count = 256
			for _, dir := range []struct {
				name     string
				from, to *end
				frames   [][]byte
			}{
				{"A->B", a, b, framesAB(p, 0, count, maxFrame)},
				{"B->A", b, a, framesBA(p, count, count, maxFrame)},
			} {
				var got [][]byte
				for off := 0; off < count; off += batch {
					dir.from.send(dir.frames[off : off+batch])
					fs := dir.to.recv(batch)
					got = append(got, datas(fs)...)
					if len(fs) != batch {
						break
					}
				}
				if len(got) != count {
					t.Fatalf("%s: received %d of %d frames", dir.name, len(got), count)
				}
				checkFrames(t, got, dir.frames)
			}
			for _, e := range []*end{a, b} {
				if st := e.stats(); st != (xsk.Statistics{}) {
					t.Errorf("statistics: %+v", st)
				}
			}
		})
	}
}
