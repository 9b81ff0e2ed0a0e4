package xsk

import (
	"encoding/binary"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// fakeRing is ring memory laid out as the kernel lays it out, with the
// kernel's side of the protocol played by the test through its words.
type fakeRing struct {
	mem []byte
	off unix.XDPRingOffset
}

const (
	fakeProd  = 0
	fakeCons  = 64
	fakeFlags = 128
	fakeDesc  = 192
)

func newFakeRing(entries uint32, elem uintptr, prod, cons uint32) *fakeRing {
	// A []uint64 backing store keeps the words and descriptors aligned.
	words := make([]uint64, (fakeDesc+uintptr(entries)*elem)/8)
	mem := unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), len(words)*8)
	f := &fakeRing{mem: mem, off: unix.XDPRingOffset{Producer: fakeProd, Consumer: fakeCons, Flags: fakeFlags, Desc: fakeDesc}}
	f.setProd(prod)
	f.setCons(cons)
	return f
}

func (f *fakeRing) prod() uint32 { return binary.NativeEndian.Uint32(f.mem[fakeProd:]) }
func (f *fakeRing) cons() uint32 { return binary.NativeEndian.Uint32(f.mem[fakeCons:]) }
func (f *fakeRing) setProd(v uint32) {
	binary.NativeEndian.PutUint32(f.mem[fakeProd:], v)
}
func (f *fakeRing) setCons(v uint32) {
	binary.NativeEndian.PutUint32(f.mem[fakeCons:], v)
}
func (f *fakeRing) setFlags(v uint32) {
	binary.NativeEndian.PutUint32(f.mem[fakeFlags:], v)
}

// slot returns the bytes of descriptor slot i (already masked).
func (f *fakeRing) slot(i uint32, elem int) []byte {
	o := fakeDesc + int(i)*elem
	return f.mem[o : o+elem]
}

func (f *fakeRing) fill(entries uint32) *FillRing {
	return &FillRing{ProdRing{newRing(f.mem, f.off, entries, true)}}
}
func (f *fakeRing) tx(entries uint32) *TxRing {
	return &TxRing{ProdRing{newRing(f.mem, f.off, entries, true)}}
}
func (f *fakeRing) comp(entries uint32) *CompRing {
	return &CompRing{ConsRing{newRing(f.mem, f.off, entries, false)}}
}
func (f *fakeRing) rx(entries uint32) *RxRing {
	return &RxRing{ConsRing{newRing(f.mem, f.off, entries, false)}}
}

func TestRingLayout(t *testing.T) {
	f := newFakeRing(8, 16, 0, 0)
	r := f.rx(8)
	if r.Size() != 8 {
		t.Fatalf("Size = %d, want 8", r.Size())
	}
	prod, cons, flags, desc := r.Pointers()
	base := uintptr(unsafe.Pointer(&f.mem[0]))
	for _, c := range []struct {
		name string
		got  uintptr
		want uintptr
	}{
		{"producer", uintptr(unsafe.Pointer(prod)), base + fakeProd},
		{"consumer", uintptr(unsafe.Pointer(cons)), base + fakeCons},
		{"flags", uintptr(unsafe.Pointer(flags)), base + fakeFlags},
		{"desc", uintptr(desc), base + fakeDesc},
	} {
		if c.got != c.want {
			t.Errorf("%s at offset %d, want %d", c.name, c.got-base, c.want-base)
		}
	}

	// Descriptors are struct xdp_desc (16 bytes), addresses 8 bytes.
	*r.Desc(3) = Desc{Addr: 0x1122334455667788, Len: 0x99aabbcc, Options: 0xddeeff00}
	s := f.slot(3, 16)
	if binary.NativeEndian.Uint64(s[0:]) != 0x1122334455667788 || binary.NativeEndian.Uint32(s[8:]) != 0x99aabbcc ||
		binary.NativeEndian.Uint32(s[12:]) != 0xddeeff00 {
		t.Errorf("rx desc 3 bytes = %x", s)
	}
	tx := f.tx(8)
	if got := *tx.Desc(3 + 8); got != *r.Desc(3) {
		t.Errorf("tx desc 11 (masked to 3) = %+v, want %+v", got, *r.Desc(3))
	}

	g := newFakeRing(8, 8, 0, 0)
	fr := g.fill(8)
	*fr.Addr(5) = 0xdeadbeef00
	if v := binary.NativeEndian.Uint64(g.slot(5, 8)); v != 0xdeadbeef00 {
		t.Errorf("fill addr 5 = %#x", v)
	}
	if v := g.comp(8).Addr(13); v != 0xdeadbeef00 {
		t.Errorf("comp addr 13 (masked to 5) = %#x", v)
	}
}

func TestRingWraparound(t *testing.T) {
	const size = 8
	start := uint32(1<<32 - 3)

	t.Run("producer", func(t *testing.T) {
		f := newFakeRing(size, 8, start, start)
		r := f.fill(size)
		if free := r.Free(size); free != size {
			t.Fatalf("Free = %d, want %d", free, size)
		}
		// Three rounds of 5 cross 2^32 on the first one.
		for round := uint32(0); round < 3; round++ {
			n, idx := r.Reserve(5)
			if n != 5 || idx != start+round*5 {
				t.Fatalf("round %d: Reserve(5) = %d, %d; want 5, %d", round, n, idx, start+round*5)
			}
			for i := uint32(0); i < n; i++ {
				*r.Addr(idx + i) = uint64(idx+i) << 12
			}
			r.Submit(n)
			if got, want := f.prod(), start+(round+1)*5; got != want {
				t.Fatalf("round %d: producer = %d, want %d", round, got, want)
			}
			// The kernel consumes what was produced.
			for i := uint32(0); i < n; i++ {
				slot := (idx + i) & (size - 1)
				if v := binary.NativeEndian.Uint64(f.slot(slot, 8)); v != uint64(idx+i)<<12 {
					t.Fatalf("round %d: slot %d = %#x, want %#x", round, slot, v, uint64(idx+i)<<12)
				}
			}
			f.setCons(f.prod())
			if free := r.Free(size); free != size {
				t.Fatalf("round %d: Free after consume = %d, want %d", round, free, size)
			}
		}
		if f.prod() != start+15 || f.prod() != 12 {
			t.Fatalf("producer = %d, want 12 (wrapped)", f.prod())
		}
	})

	t.Run("consumer", func(t *testing.T) {
		f := newFakeRing(size, 16, start, start)
		r := f.rx(size)
		if n := r.Available(size); n != 0 {
			t.Fatalf("Available on empty ring = %d", n)
		}
		// The kernel produces 6 descriptors across 2^32.
		for i := uint32(0); i < 6; i++ {
			d := f.slot((start+i)&(size-1), 16)
			binary.NativeEndian.PutUint64(d, uint64(i)*4096)
			binary.NativeEndian.PutUint32(d[8:], 60+i)
		}
		f.setProd(start + 6)
		got, idx := r.Peek(size)
		if got != 6 || idx != start {
			t.Fatalf("Peek = %d, %d; want 6, %d", got, idx, start)
		}
		for i := uint32(0); i < got; i++ {
			if d := r.Desc(idx + i); d.Addr != uint64(i)*4096 || d.Len != 60+i {
				t.Errorf("desc %d = %+v", i, *d)
			}
		}
		r.Release(got)
		if f.cons() != start+6 || f.cons() != 3 {
			t.Fatalf("consumer = %d, want 3 (wrapped)", f.cons())
		}
		if n := r.Available(size); n != 0 {
			t.Fatalf("Available after release = %d", n)
		}
	})

	t.Run("full-across-wrap", func(t *testing.T) {
		// A full ring whose producer has wrapped and consumer has not.
		f := newFakeRing(size, 8, start+size, start)
		r := f.fill(size)
		if free := r.Free(1); free != 0 {
			t.Fatalf("Free on full ring = %d", free)
		}
		if n, _ := r.Reserve(1); n != 0 {
			t.Fatalf("Reserve(1) on full ring = %d", n)
		}
		c := f.comp(size)
		if n := c.Available(size + 1); n != size {
			t.Fatalf("Available on full ring = %d, want %d", n, size)
		}
	})
}

func TestRingReserveAllOrNothing(t *testing.T) {
	f := newFakeRing(8, 16, 100, 100)
	r := f.tx(8)
	if n, idx := r.Reserve(5); n != 5 || idx != 100 {
		t.Fatalf("Reserve(5) = %d, %d", n, idx)
	}
	if n, idx := r.Reserve(4); n != 0 || idx != 0 {
		t.Fatalf("Reserve(4) with 3 free = %d, %d; want 0, 0", n, idx)
	}
	if n, idx := r.Reserve(3); n != 3 || idx != 105 {
		t.Fatalf("Reserve(3) = %d, %d; want 3, 105", n, idx)
	}
	if n, _ := r.Reserve(1); n != 0 {
		t.Fatalf("Reserve(1) on full ring = %d", n)
	}
	if n, _ := r.Reserve(9); n != 0 {
		t.Fatalf("Reserve(9) > size = %d", n)
	}
	r.Submit(8)
	if f.prod() != 108 {
		t.Fatalf("producer = %d, want 108", f.prod())
	}
	// Failed reservations left nothing behind: after the kernel
	// consumes 2, exactly 2 can be reserved, at 108.
	f.setCons(102)
	if n, _ := r.Reserve(3); n != 0 {
		t.Fatalf("Reserve(3) with 2 free = %d", n)
	}
	if n, idx := r.Reserve(2); n != 2 || idx != 108 {
		t.Fatalf("Reserve(2) = %d, %d; want 2, 108", n, idx)
	}
}

func TestRingCachedIndices(t *testing.T) {
	t.Run("producer", func(t *testing.T) {
		f := newFakeRing(8, 8, 0, 0)
		r := f.fill(8)
		r.Reserve(6)
		r.Submit(6)
		// The cache says 2 free; the kernel consumes 4 more behind it.
		f.setCons(4)
		if free := r.Free(2); free != 2 {
			t.Fatalf("Free(2) = %d: reread the consumer although the cache had enough", free)
		}
		if free := r.Free(3); free != 6 {
			t.Fatalf("Free(3) = %d, want 6 after rereading the consumer", free)
		}
		// Now cached: a further kernel move is not seen while enough is free.
		f.setCons(6)
		if free := r.Free(1); free != 6 {
			t.Fatalf("Free(1) = %d, want the cached 6", free)
		}
		if free := r.Free(7); free != 8 {
			t.Fatalf("Free(7) = %d, want 8", free)
		}
	})
	t.Run("consumer", func(t *testing.T) {
		f := newFakeRing(8, 8, 0, 0)
		r := f.comp(8)
		f.setProd(4)
		if n := r.Available(8); n != 4 {
			t.Fatalf("Available = %d, want 4", n)
		}
		if n := r.Available(2); n != 2 {
			t.Fatalf("Available(2) = %d, want 2", n)
		}
		// The kernel produces more; the cache is not empty, so it is
		// not reread.
		f.setProd(7)
		if n := r.Available(8); n != 4 {
			t.Fatalf("Available = %d, want the cached 4", n)
		}
		if got, idx := r.Peek(8); got != 4 || idx != 0 {
			t.Fatalf("Peek = %d, %d", got, idx)
		}
		// Cache empty: the producer is reread.
		if n := r.Available(8); n != 3 {
			t.Fatalf("Available after emptying the cache = %d, want 3", n)
		}
		if f.cons() != 0 {
			t.Fatalf("consumer moved to %d without Release", f.cons())
		}
	})
}

func TestRingCancel(t *testing.T) {
	t.Run("producer", func(t *testing.T) {
		f := newFakeRing(8, 16, 0, 0)
		r := f.tx(8)
		n, idx := r.Reserve(4)
		if n != 4 || idx != 0 {
			t.Fatalf("Reserve(4) = %d, %d", n, idx)
		}
		r.Cancel(2)
		if free := r.Free(0); free != 6 {
			t.Fatalf("Free after Cancel(2) = %d, want 6", free)
		}
		if n, idx := r.Reserve(6); n != 6 || idx != 2 {
			t.Fatalf("Reserve(6) after Cancel = %d, %d; want 6, 2", n, idx)
		}
		if f.prod() != 0 {
			t.Fatalf("producer = %d before Submit", f.prod())
		}
		r.Submit(8)
		if f.prod() != 8 {
			t.Fatalf("producer = %d, want 8", f.prod())
		}
	})
	t.Run("consumer", func(t *testing.T) {
		f := newFakeRing(8, 16, 0, 0)
		f.setProd(5)
		r := f.rx(8)
		got, idx := r.Peek(4)
		if got != 4 || idx != 0 {
			t.Fatalf("Peek(4) = %d, %d", got, idx)
		}
		r.Cancel(2)
		if got, idx := r.Peek(8); got != 3 || idx != 2 {
			t.Fatalf("Peek after Cancel(2) = %d, %d; want 3, 2", got, idx)
		}
		r.Release(5)
		if f.cons() != 5 {
			t.Fatalf("consumer = %d, want 5", f.cons())
		}
	})
}

func TestRingPeekRelease(t *testing.T) {
	f := newFakeRing(4, 8, 0, 0)
	r := f.comp(4)
	if got, _ := r.Peek(4); got != 0 {
		t.Fatalf("Peek on empty = %d", got)
	}
	for i := uint32(0); i < 3; i++ {
		binary.NativeEndian.PutUint64(f.slot(i, 8), 0x1000*uint64(i+1))
	}
	f.setProd(3)
	got, idx := r.Peek(2)
	if got != 2 || idx != 0 || r.Addr(idx) != 0x1000 || r.Addr(idx+1) != 0x2000 {
		t.Fatalf("Peek(2) = %d, %d", got, idx)
	}
	r.Release(got)
	if f.cons() != 2 {
		t.Fatalf("consumer = %d, want 2", f.cons())
	}
	got, idx = r.Peek(4)
	if got != 1 || idx != 2 || r.Addr(idx) != 0x3000 {
		t.Fatalf("Peek(4) = %d, %d", got, idx)
	}
	r.Release(got)
	if f.cons() != 3 {
		t.Fatalf("consumer = %d, want 3", f.cons())
	}
	// Release publishes relative to the kernel-visible word, so a ring
	// built on indices left by someone else continues from there.
	r2 := f.comp(4)
	f.setProd(7)
	if got, idx := r2.Peek(8); got != 4 || idx != 3 {
		t.Fatalf("new ring Peek = %d, %d; want 4, 3", got, idx)
	}
	r2.Release(4)
	if f.cons() != 7 {
		t.Fatalf("consumer = %d, want 7", f.cons())
	}
}

func TestRingNeedsWakeup(t *testing.T) {
	f := newFakeRing(4, 8, 0, 0)
	r := f.fill(4)
	if r.NeedsWakeup() {
		t.Fatal("NeedsWakeup with flags 0")
	}
	f.setFlags(RingNeedWakeup)
	if !r.NeedsWakeup() {
		t.Fatal("NeedsWakeup false with XDP_RING_NEED_WAKEUP set")
	}
	f.setFlags(^uint32(RingNeedWakeup))
	if r.NeedsWakeup() {
		t.Fatal("NeedsWakeup true with only other flag bits set")
	}
}
