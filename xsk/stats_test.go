package xsk_test

import (
	"slices"
	"testing"
	"time"

	"github.com/xdpkit/xdpkit/internal/netnstest"
	"github.com/xdpkit/xdpkit/xsk"
)

// STAT_RX_DROPPED: with a headroom that leaves 512 bytes of a 2K chunk
// for data, frames larger than that are dropped and counted in
// rx_dropped; the others arrive intact.
func TestStatRxDropped(t *testing.T) {
	const chunk, room = 2048, 512
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			p := newPair(t)
			a := openEnd(t, p.A, p.IfA, xsk.UmemConfig{FrameSize: chunk, FrameHeadroom: chunk - xdpPacketHeadroom - room}, copyCfg(mode))
			a.fill(len(a.rxFree))
			ps := openPacket(t, p.B, p.IfB)

			// Even frames fit (60 to 512 bytes, the first exactly 512),
			// odd ones do not (513 to 1514 bytes, the first exactly 513).
			var small, all [][]byte
			for i := range 64 {
				seq := uint32(i)
				size := frameSize(seq, room)
				if i%2 == 1 {
					size = room + 1 + int(seq*37)%(maxFrame-room)
				}
				if i <= 1 {
					size = room + i
				}
				f := netnstest.UDPFrame(p.MacB, p.MacA, p.IPB, p.IPA, size, seq)
				if i%2 == 0 {
					small = append(small, f)
				}
				all = append(all, f)
			}
			sendPacket(t, ps, all)
			checkFrames(t, datas(a.recv(len(small))), small)
			st := a.waitStats(func(st xsk.Statistics) bool { return st.RxDropped >= uint64(len(all)-len(small)) })
			want := xsk.Statistics{RxDropped: uint64(len(all) - len(small))}
			if st != want {
				t.Fatalf("statistics = %+v, want %+v", st, want)
			}
		})
	}
}

// STAT_RX_FULL: an RX ring of 16 that is never consumed takes 16 frames;
// the rest are counted in rx_ring_full.
func TestStatRxFull(t *testing.T) {
	const rxSize, sent = 16, 100
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			p := newPair(t)
			a := openEnd(t, p.A, p.IfA, xsk.UmemConfig{}, xsk.SocketConfig{RxSize: rxSize, AttachMode: mode, BindFlags: xsk.BindCopy})
			a.fill(len(a.rxFree))
			ps := openPacket(t, p.B, p.IfB)
			sendPacket(t, ps, framesBA(p, 0, sent, 200))
			st := a.waitStats(func(st xsk.Statistics) bool { return st.RxRingFull >= sent-rxSize })
			if want := (xsk.Statistics{RxRingFull: sent - rxSize}); st != want {
				t.Fatalf("statistics = %+v, want %+v", st, want)
			}
			if n := a.s.Rx().Available(sent); n != rxSize {
				t.Fatalf("RX ring holds %d, want %d", n, rxSize)
			}
		})
	}
}

// STAT_FILL_EMPTY: frames that arrive while the fill ring is empty are
// counted in rx_fill_ring_empty_descs (and dropped); once the fill ring
// has frames, traffic flows.
func TestStatFillEmpty(t *testing.T) {
	const sent = 8
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			p := newPair(t)
			a := openEnd(t, p.A, p.IfA, xsk.UmemConfig{}, copyCfg(mode))
			ps := openPacket(t, p.B, p.IfB)
			sendPacket(t, ps, framesBA(p, 0, sent, 200))
			st := a.waitStats(func(st xsk.Statistics) bool { return st.RxFillRingEmptyDescs >= sent })
			if st.RxFillRingEmptyDescs != sent {
				t.Fatalf("rx_fill_ring_empty_descs = %d, want %d (statistics %+v)", st.RxFillRingEmptyDescs, sent, st)
			}
			if n := a.s.Rx().Available(sent); n != 0 {
				t.Fatalf("%d frames received without fill ring entries", n)
			}
			t.Logf("statistics with an empty fill ring: %+v", st)

			a.fill(len(a.rxFree))
			want := framesBA(p, sent, sent, 200)
			sendPacket(t, ps, want)
			checkFrames(t, datas(a.recv(sent)), want)
			if st2 := a.stats(); st2 != st {
				t.Fatalf("statistics changed with a filled ring: %+v, before %+v", st2, st)
			}
		})
	}
}

// STAT_TX_INVALID: invalid TX descriptors (outside the UMEM, longer than
// a chunk, empty, crossing a chunk boundary, unknown option bits) are
// skipped and counted in tx_invalid_descs; valid ones around them go out.
func TestStatTxInvalid(t *testing.T) {
	p := newPair(t)
	a := openEnd(t, p.A, p.IfA, xsk.UmemConfig{}, copyCfg(xsk.AttachDrv))
	ps := openPacket(t, p.B, p.IfB)
	valid := framesAB(p, 0, 2, 300)
	umemSize := uint64(len(a.u.Area()))
	base := a.txFree[0]
	invalid := []xsk.Desc{
		{Addr: umemSize, Len: 64},               // outside the UMEM
		{Addr: umemSize + 1<<20, Len: 64},       // far outside
		{Addr: base, Len: uint32(a.fsize) + 1},  // longer than a chunk
		{Addr: base, Len: 0},                    // empty
		{Addr: base + a.fsize - 32, Len: 64},    // crosses into the next chunk
		{Addr: base, Len: 64, Options: 1 << 15}, // unknown option bit
	}
	descs := []xsk.Desc{{Addr: a.txFree[1], Len: uint32(len(valid[0]))}}
	descs = append(descs, invalid...)
	descs = append(descs, xsk.Desc{Addr: a.txFree[2], Len: uint32(len(valid[1]))})
	copy(a.u.Frame(descs[0].Addr, descs[0].Len), valid[0])
	copy(a.u.Frame(descs[len(descs)-1].Addr, descs[len(descs)-1].Len), valid[1])

	tx := a.s.Tx()
	n, idx := tx.Reserve(uint32(len(descs)))
	if int(n) != len(descs) {
		t.Fatalf("Reserve(%d) = %d", len(descs), n)
	}
	for i, d := range descs {
		*tx.Desc(idx + uint32(i)) = d
	}
	tx.Submit(n)

	// Kick until the kernel has consumed the whole TX ring.
	deadline := time.Now().Add(waitTimeout)
	for tx.Free(tx.Size()) != tx.Size() && time.Now().Before(deadline) {
		if err := a.s.Kick(); err != nil {
			t.Fatalf("Kick: %v", err)
		}
		time.Sleep(time.Millisecond)
	}
	if free := tx.Free(tx.Size()); free != tx.Size() {
		t.Fatalf("the kernel left %d descriptors on the TX ring", tx.Size()-free)
	}
	checkFrames(t, recvPacket(t, ps, p.MacA, 2), valid)
	// Every frame handed to the kernel comes back on the completion
	// ring, in order. Kernels differ on invalid descriptors: this one
	// (6.18) completes them too, older ones dropped their addresses.
	comp := a.u.Completion()
	var all, validOnly []uint64
	for _, d := range descs {
		all = append(all, d.Addr)
	}
	validOnly = []uint64{descs[0].Addr, descs[len(descs)-1].Addr}
	var completed []uint64
	for len(completed) < len(all) && time.Now().Before(deadline) {
		got, cidx := comp.Peek(comp.Size())
		for i := uint32(0); i < got; i++ {
			completed = append(completed, comp.Addr(cidx+i))
		}
		comp.Release(got)
		if len(completed) == len(validOnly) && slices.Equal(completed, validOnly) {
			// Give invalid completions, if any, a moment to show up.
			time.Sleep(20 * time.Millisecond)
			if comp.Available(1) == 0 {
				break
			}
		}
		if got == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	switch {
	case slices.Equal(completed, all):
		t.Logf("the kernel completes invalid descriptors too")
	case slices.Equal(completed, validOnly):
		t.Logf("the kernel completes only valid descriptors")
	default:
		t.Fatalf("completions %#x; want %#x or %#x", completed, all, validOnly)
	}
	st := a.stats()
	if st.TxInvalidDescs != uint64(len(invalid)) {
		t.Fatalf("tx_invalid_descs = %d, want %d (statistics %+v)", st.TxInvalidDescs, len(invalid), st)
	}
	noPacket(t, ps, p.MacA, 50)
}
