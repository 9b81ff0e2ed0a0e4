package xsk_test

import (
	"testing"
	"time"

	"github.com/xdpkit/xdpkit/xsk"
)

// TestAlignedInvDesc is ALIGNED_INV_DESC: at the edges of aligned chunks,
// descriptors that fit their chunk go out (at its start, at an offset,
// ending exactly at its end) and those that do not are skipped and
// counted: one byte over the chunk end, past the UMEM, empty.
func TestAlignedInvDesc(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			p := newPair(t)
			a := openEnd(t, p.A, p.IfA, xsk.UmemConfig{}, copyCfg(mode))
			ps := openPacket(t, p.B, p.IfB)
			f := a.fsize
			b0, b1, b2, b3 := a.txFree[0], a.txFree[1], a.txFree[2], a.txFree[3]
			frames := framesAB(p, 0, 3, 60)
			frames[1] = framesAB(p, 1, 1, 1000)[0]
			valid := []xsk.Desc{
				{Addr: b0, Len: uint32(len(frames[0]))},                              // chunk start
				{Addr: b1 + f - uint64(len(frames[1])), Len: uint32(len(frames[1]))}, // ends at the chunk end
				{Addr: b2 + 100, Len: uint32(len(frames[2]))},                        // at an offset
			}
			for i, d := range valid {
				copy(a.u.Frame(d.Addr, d.Len), frames[i])
			}
			invalid := []xsk.Desc{
				{Addr: b3 + 100, Len: uint32(f) - 99},    // one byte past the chunk end
				{Addr: uint64(len(a.u.Area())), Len: 64}, // past the UMEM
				{Addr: b3, Len: 0},                       // empty
			}
			descs := []xsk.Desc{valid[0], invalid[0], valid[1], invalid[1], invalid[2], valid[2]}
			tx := a.s.Tx()
			n, idx := tx.Reserve(uint32(len(descs)))
			if int(n) != len(descs) {
				t.Fatalf("Reserve = %d", n)
			}
			for i, d := range descs {
				*tx.Desc(idx + uint32(i)) = d
			}
			tx.Submit(n)
			deadline := time.Now().Add(waitTimeout)
			for tx.Free(tx.Size()) != tx.Size() && time.Now().Before(deadline) {
				if err := a.s.Kick(); err != nil {
					t.Fatal(err)
				}
				time.Sleep(time.Millisecond)
			}
			checkFrames(t, recvPacket(t, ps, p.MacA, len(valid)), frames)
			if st := a.stats(); st.TxInvalidDescs != uint64(len(invalid)) {
				t.Fatalf("tx_invalid_descs %d, want %d", st.TxInvalidDescs, len(invalid))
			}
		})
	}
}
