package xsk

import (
	"sync/atomic"
	"testing"
	"unsafe"
)

// Micro-benchmarks of the Go data path (make bench runs them with
// -benchmem; plain go test does not run benchmarks). The rings are plain
// memory laid out as the kernel lays them out (fakeRing), and each
// benchmark plays the kernel's side of the protocol itself, so the numbers
// are the user-space cost alone. One op is one batch; ns/pkt divides by
// the batch size. Every benchmark must report 0 allocs/op: nothing on the
// data path allocates, per batch or per packet.

const benchEntries = 2048

// kernelProduce publishes n more entries on a ring user space consumes.
func kernelProduce(r *ConsRing, n uint32) { atomic.AddUint32(r.producer, n) }

// kernelConsume takes n entries off a ring user space produces into.
func kernelConsume(r *ProdRing, n uint32) { atomic.AddUint32(r.consumer, n) }

// kernelComplete writes a completion-ring entry, as the kernel does.
func kernelComplete(r *CompRing, idx uint32, addr uint64) {
	*(*uint64)(unsafe.Add(r.desc, uintptr(idx&r.mask)*8)) = addr
}

func reportPerPacket(b *testing.B, batch int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(batch), "ns/pkt")
}

// The rxdrop loop: received frames go straight back to the fill ring.
func BenchmarkRingRxdrop(b *testing.B) {
	for _, batch := range []uint32{1, 16, 64, 256} {
		b.Run(itoa(batch), func(b *testing.B) {
			rx := newFakeRing(benchEntries, 16, 0, 0).rx(benchEntries)
			fill := newFakeRing(benchEntries*2, 8, 0, 0).fill(benchEntries * 2)
			for i := uint32(0); i < benchEntries; i++ {
				*rx.Desc(i) = Desc{Addr: uint64(i) << 12, Len: 64}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				kernelProduce(&rx.ConsRing, batch)
				n, idx := rx.Peek(batch)
				got, fidx := fill.Reserve(n)
				if got != n {
					b.Fatal("fill ring full")
				}
				for j := uint32(0); j < n; j++ {
					*fill.Addr(fidx + j) = rx.Desc(idx + j).Addr
				}
				fill.Submit(n)
				rx.Release(n)
				kernelConsume(&fill.ProdRing, n)
			}
			reportPerPacket(b, int(batch))
		})
	}
}

// The txonly loop: frames go from a free list to the TX ring, and back
// from the completion ring.
func BenchmarkRingTxonly(b *testing.B) {
	const batch = 64
	tx := newFakeRing(benchEntries, 16, 0, 0).tx(benchEntries)
	comp := newFakeRing(benchEntries, 8, 0, 0).comp(benchEntries)
	free := make([]uint64, 0, 4096)
	for i := uint64(0); i < 4096; i++ {
		free = append(free, i<<12)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n, idx := tx.Reserve(batch)
		if n != batch {
			b.Fatal("tx ring full")
		}
		for j := uint32(0); j < n; j++ {
			a := free[len(free)-1]
			free = free[:len(free)-1]
			*tx.Desc(idx + j) = Desc{Addr: a, Len: 64}
			// The kernel completes the frame it sends.
			kernelComplete(comp, idx+j, a)
		}
		tx.Submit(n)
		kernelConsume(&tx.ProdRing, n)
		kernelProduce(&comp.ConsRing, n)
		got, cidx := comp.Peek(batch)
		for j := uint32(0); j < got; j++ {
			free = append(free, comp.Addr(cidx+j))
		}
		comp.Release(got)
	}
	reportPerPacket(b, batch)
}

// The l2fwd loop: RX to TX with the MAC addresses swapped in the UMEM,
// completions back to the fill ring.
func BenchmarkRingL2fwd(b *testing.B) {
	const batch = 64
	rx := newFakeRing(benchEntries, 16, 0, 0).rx(benchEntries)
	tx := newFakeRing(benchEntries, 16, 0, 0).tx(benchEntries)
	comp := newFakeRing(benchEntries, 8, 0, 0).comp(benchEntries)
	fill := newFakeRing(benchEntries*2, 8, 0, 0).fill(benchEntries * 2)
	area := make([]byte, benchEntries<<12)
	for i := uint32(0); i < benchEntries; i++ {
		*rx.Desc(i) = Desc{Addr: uint64(i) << 12, Len: 64}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		kernelProduce(&rx.ConsRing, batch)
		n, idx := rx.Peek(batch)
		got, tidx := tx.Reserve(n)
		if got != n {
			b.Fatal("tx ring full")
		}
		for j := uint32(0); j < n; j++ {
			d := rx.Desc(idx + j)
			f := area[d.Addr : d.Addr+uint64(d.Len)]
			var tmp [6]byte
			copy(tmp[:], f[0:6])
			copy(f[0:6], f[6:12])
			copy(f[6:12], tmp[:])
			*tx.Desc(tidx + j) = Desc{Addr: d.Addr, Len: d.Len}
			kernelComplete(comp, tidx+j, d.Addr)
		}
		tx.Submit(n)
		rx.Release(n)
		kernelConsume(&tx.ProdRing, n)
		kernelProduce(&comp.ConsRing, n)
		c, cidx := comp.Peek(batch)
		fg, fidx := fill.Reserve(c)
		if fg != c {
			b.Fatal("fill ring full")
		}
		for j := uint32(0); j < c; j++ {
			*fill.Addr(fidx + j) = comp.Addr(cidx + j)
		}
		fill.Submit(c)
		comp.Release(c)
		kernelConsume(&fill.ProdRing, c)
	}
	reportPerPacket(b, batch)
}

// One call of each ring operation on its own (an empty peek, a reserve
// and submit of one entry): the fixed cost a batch amortises.
func BenchmarkRingOps(b *testing.B) {
	b.Run("PeekEmpty", func(b *testing.B) {
		rx := newFakeRing(benchEntries, 16, 0, 0).rx(benchEntries)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if n, _ := rx.Peek(64); n != 0 {
				b.Fatal("not empty")
			}
		}
	})
	b.Run("ReserveSubmit1", func(b *testing.B) {
		fill := newFakeRing(benchEntries, 8, 0, 0).fill(benchEntries)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_, idx := fill.Reserve(1)
			*fill.Addr(idx) = 0
			fill.Submit(1)
			kernelConsume(&fill.ProdRing, 1)
		}
	})
	b.Run("NeedsWakeup", func(b *testing.B) {
		fill := newFakeRing(benchEntries, 8, 0, 0).fill(benchEntries)
		b.ReportAllocs()
		w := 0
		for i := 0; i < b.N; i++ {
			if fill.NeedsWakeup() {
				w++
			}
		}
		_ = w
	})
}

// The frame pool's batch calls: Alloc a batch of frames and Free them.
func BenchmarkFramePool(b *testing.B) {
	const batch = 64
	p := &FramePool{free: make([]uint64, 4096), size: 4096 << 12}
	for i := range p.free {
		p.free[i] = uint64(i) << 12
	}
	addrs := make([]uint64, batch)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := p.Alloc(addrs)
		if err := p.Free(addrs[:n]...); err != nil {
			b.Fatal(err)
		}
	}
	reportPerPacket(b, batch)
}

func itoa(v uint32) string {
	if v == 0 {
		return "0"
	}
	var buf [10]byte
	i := len(buf)
	for v > 0 {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return string(buf[i:])
}
