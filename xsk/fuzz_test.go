package xsk

// Fuzz targets for what needs no kernel: configuration validation and the
// ring index arithmetic (over fake ring memory, as ring_internal_test.go).
// `go test` runs the seeds below; `make fuzz` runs each target for a while.

import (
	"encoding/binary"
	"errors"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// umemRule is the UMEM configuration rule as documented (UmemConfig, the
// kernel's xdp_umem_reg), written independently of validate: a config is
// valid when it breaks none of these.
func umemRule(c UmemConfig) (ok bool, why string) {
	page := uint64(os.Getpagesize())
	pow2 := func(x uint64) bool { return x != 0 && x&(x-1) == 0 }
	unaligned := c.Flags&UmemUnaligned != 0
	frame := uint64(c.FrameSize)
	switch {
	case c.Flags&^(UmemUnaligned|UmemTxSwCsum|UmemTxMetaLen) != 0:
		return false, "unknown flags"
	case !pow2(uint64(c.FillSize)) || !pow2(uint64(c.CompSize)):
		return false, "ring size"
	case frame < 2048:
		return false, "frame below 2048"
	case !unaligned && (!pow2(frame) || frame > page):
		return false, "aligned frame"
	case unaligned && frame > 1<<16:
		return false, "unaligned frame"
	case uint64(c.FrameHeadroom)+256 >= frame:
		return false, "headroom"
	case c.Size < frame:
		return false, "size below a frame"
	case !unaligned && c.Size%frame != 0:
		return false, "size not a multiple"
	case c.Size/frame >= 1<<32:
		return false, "too many frames"
	}
	return true, ""
}

func FuzzUmemConfigValidate(f *testing.F) {
	// size, fill, comp, frame, headroom, flags, tx metadata length
	f.Add(uint64(0), uint32(0), uint32(0), uint32(0), uint32(0), uint32(0), uint32(0))
	f.Add(uint64(4096*64), uint32(64), uint32(64), uint32(2048), uint32(0), uint32(0), uint32(0))
	f.Add(uint64(2048*7+100), uint32(2048), uint32(1), uint32(3000), uint32(100), uint32(UmemUnaligned), uint32(24))
	f.Add(uint64(1<<46), uint32(1<<31), uint32(3), uint32(4096), uint32(4096-256), uint32(0), uint32(0))
	f.Add(uint64(4096), uint32(2048), uint32(2048), uint32(4096), uint32(4096-257), uint32(UmemTxSwCsum), uint32(0))
	f.Add(uint64(1<<63), uint32(2048), uint32(2048), uint32(2048), uint32(0), uint32(UmemUnaligned), uint32(0))
	f.Add(uint64(2048), uint32(2048), uint32(2048), uint32(1<<16+1), uint32(0), uint32(UmemUnaligned), uint32(0))
	f.Add(uint64(4096), uint32(2048), uint32(2048), uint32(4096), uint32(0), uint32(8), uint32(0))
	f.Fuzz(func(t *testing.T, size uint64, fill, comp, frame, headroom, flags, txmeta uint32) {
		cfg := UmemConfig{Size: size, FillSize: fill, CompSize: comp, FrameSize: frame,
			FrameHeadroom: headroom, Flags: flags, TxMetadataLen: txmeta}
		cfg.setDefaults()
		again := cfg
		again.setDefaults()
		if again != cfg {
			t.Fatalf("setDefaults is not idempotent: %+v then %+v", cfg, again)
		}
		before := cfg
		err := cfg.validate()
		if cfg != before {
			t.Fatalf("validate changed the config: %+v -> %+v", before, cfg)
		}
		if err != nil && !errors.Is(err, unix.EINVAL) {
			t.Fatalf("validate error %v does not match EINVAL", err)
		}
		ok, why := umemRule(cfg)
		if ok != (err == nil) {
			t.Fatalf("%+v: validate = %v, the documented rule says ok=%v (%s)", cfg, err, ok, why)
		}
		if err == nil {
			// What NewUmem relies on: a whole number of frames, ring masks.
			if cfg.Size/uint64(cfg.FrameSize) == 0 || cfg.FillSize&(cfg.FillSize-1) != 0 || cfg.CompSize&(cfg.CompSize-1) != 0 {
				t.Fatalf("accepted %+v", cfg)
			}
			if txmeta > 0 && cfg.Flags&UmemTxMetaLen == 0 {
				t.Fatalf("TxMetadataLen %d without UmemTxMetaLen", txmeta)
			}
		}
	})
}

func FuzzSocketConfigValidate(f *testing.F) {
	// rx, tx, fill, comp sizes, bind flags, attach mode, disable rx/tx
	f.Add(uint32(0), uint32(0), uint32(0), uint32(0), uint16(0), 0, false, false)
	f.Add(uint32(64), uint32(128), uint32(2048), uint32(2048), uint16(BindCopy|BindNeedWakeup), int(AttachSKB), false, true)
	f.Add(uint32(3), uint32(0), uint32(0), uint32(0), uint16(BindCopy|BindZeroCopy), int(AttachDrv), true, false)
	f.Add(uint32(0), uint32(0), uint32(0), uint32(0), uint16(BindSharedUmem), int(AttachHW)+1, true, true)
	f.Add(uint32(1<<31), uint32(1<<31), uint32(5), uint32(1), uint16(0xffff), -1, false, false)
	f.Fuzz(func(t *testing.T, rx, tx, fill, comp uint32, bind uint16, mode int, noRx, noTx bool) {
		cfg := SocketConfig{RxSize: rx, TxSize: tx, FillSize: fill, CompSize: comp, BindFlags: bind,
			AttachMode: AttachMode(mode), DisableRx: noRx, DisableTx: noTx}
		err := cfg.validate()
		if err != nil && !errors.Is(err, unix.EINVAL) {
			t.Fatalf("validate error %v does not match EINVAL", err)
		}
		// Defaults are filled in whatever the outcome.
		def := func(v uint32) uint32 {
			if v == 0 {
				return DefaultRingSize
			}
			return v
		}
		if cfg.RxSize != def(rx) || cfg.TxSize != def(tx) || cfg.FillSize != def(fill) || cfg.CompSize != def(comp) {
			t.Fatalf("defaults: %+v", cfg)
		}
		pow2 := func(x uint32) bool { return x != 0 && x&(x-1) == 0 }
		want := !(noRx && noTx) &&
			(noRx || pow2(cfg.RxSize)) && (noTx || pow2(cfg.TxSize)) &&
			pow2(cfg.FillSize) && pow2(cfg.CompSize) &&
			bind&^(BindCopy|BindZeroCopy|BindNeedWakeup|BindSG) == 0 && // XDP_SHARED_UMEM is the library's
			!(bind&BindCopy != 0 && bind&BindZeroCopy != 0) &&
			mode >= int(AttachAuto) && mode <= int(AttachHW)
		if want != (err == nil) {
			t.Fatalf("%+v: validate = %v, the documented rule says ok=%v", cfg, err, want)
		}
		// Validating again (defaults now set) gives the same answer.
		if err2 := cfg.validate(); (err2 == nil) != (err == nil) {
			t.Fatalf("validate is not stable: %v then %v", err, err2)
		}
	})
}

// FuzzRingOps drives a producer ring (fill or TX) and a consumer ring
// (completion or RX) through Reserve/Submit/Cancel/Free and Peek/Cancel/
// Release/Available with the kernel's side played by a model, from
// indices just below 2^32 so that most runs cross the wraparound. After
// every step:
//   - reservations are all-or-nothing and never exceed the free space;
//     indices are consecutive across 2^32;
//   - producer - consumer <= size for both rings (mod 2^32);
//   - the kernel reads exactly what was submitted, in order; user space
//     reads exactly what the kernel produced, in order;
//   - Available/Peek never hand out more than was produced, and read the
//     producer word only when the cache is empty.
func FuzzRingOps(f *testing.F) {
	f.Add(uint8(3), uint16(3), uint8(0), []byte{0, 5, 1, 5, 3, 8, 4, 4, 6, 4, 7, 2})
	f.Add(uint8(0), uint16(0), uint8(1), []byte{0, 1, 1, 1, 0, 2, 2, 1, 3, 1})
	f.Add(uint8(6), uint16(1), uint8(2), []byte{4, 64, 5, 65, 6, 64, 7, 64, 9, 1, 8, 3})
	f.Add(uint8(2), uint16(65535), uint8(3), []byte{0, 4, 0, 1, 1, 4, 2, 0, 3, 3, 9, 0, 4, 4, 5, 9, 6, 2, 7, 2})
	f.Fuzz(func(t *testing.T, exp uint8, back uint16, kind uint8, ops []byte) {
		size := uint32(1) << (exp % 7)
		start := uint32(0) - uint32(back)
		prodElem, consElem := uintptr(8), uintptr(8)
		if kind&1 != 0 {
			prodElem = 16 // TX ring, else fill
		}
		if kind&2 != 0 {
			consElem = 16 // RX ring, else completion
		}
		pf := newFakeRing(size, prodElem, start, start)
		cf := newFakeRing(size, consElem, start+size/2, start+size/2)
		p := &ProdRing{newRing(pf.mem, pf.off, size, true)}
		c := &ConsRing{newRing(cf.mem, cf.off, size, false)}

		var (
			reserved   uint32 // reserved, not yet submitted (producer)
			submitted  []uint64
			peeked     uint32 // peeked, not yet released (consumer)
			produced   []uint64
			kernelNext = uint64(1) // values the kernel produces
		)
		value := func(idx uint32) uint64 { return uint64(idx)<<8 | 0xab }
		writeProd := func(idx uint32, v uint64) {
			slot := pf.slot(idx&(size-1), int(prodElem))
			binary.NativeEndian.PutUint64(slot, v)
		}
		readProd := func(idx uint32) uint64 {
			return binary.NativeEndian.Uint64(pf.slot(idx&(size-1), int(prodElem)))
		}
		writeCons := func(idx uint32, v uint64) {
			binary.NativeEndian.PutUint64(cf.slot(idx&(size-1), int(consElem)), v)
		}
		readCons := func(idx uint32) uint64 {
			if consElem == 16 {
				return (&RxRing{*c}).Desc(idx).Addr
			}
			return (&CompRing{*c}).Addr(idx)
		}

		for i := 0; i+1 < len(ops) && i < 2000; i += 2 {
			op, arg := ops[i]%10, uint32(ops[i+1])
			switch op {
			case 0: // Reserve
				n := arg % (size + 2)
				trueFree := size - (p.cachedProd - pf.cons())
				first := p.cachedProd
				got, idx := p.Reserve(n)
				if n <= trueFree {
					if got != n || idx != first {
						t.Fatalf("Reserve(%d) with %d free = %d, %d; want %d, %d", n, trueFree, got, idx, n, first)
					}
					for k := uint32(0); k < n; k++ {
						writeProd(idx+k, value(idx+k))
					}
					reserved += n
				} else if got != 0 {
					t.Fatalf("Reserve(%d) with %d free = %d", n, trueFree, got)
				}
			case 1: // Submit
				n := arg % (reserved + 1)
				from := pf.prod()
				p.Submit(n)
				if pf.prod() != from+n {
					t.Fatalf("Submit(%d): producer %d -> %d", n, from, pf.prod())
				}
				for k := uint32(0); k < n; k++ {
					submitted = append(submitted, value(from+k))
				}
				reserved -= n
			case 2: // Cancel a reservation
				n := arg % (reserved + 1)
				p.Cancel(n)
				reserved -= n
			case 3: // the kernel consumes
				n := arg % (uint32(len(submitted)) + 1)
				for k := uint32(0); k < n; k++ {
					if v := readProd(pf.cons() + k); v != submitted[k] {
						t.Fatalf("kernel read %#x at %d, user submitted %#x", v, pf.cons()+k, submitted[k])
					}
				}
				submitted = submitted[n:]
				pf.setCons(pf.cons() + n)
			case 4: // Free
				n := arg % (size + 2)
				cached := p.cachedCons - p.cachedProd
				free := p.Free(n)
				trueFree := size - (p.cachedProd - pf.cons())
				if free > size || (cached >= n && free != cached) || (cached < n && free != trueFree) {
					t.Fatalf("Free(%d): %d (cached %d, true %d)", n, free, cached, trueFree)
				}
			case 5: // the kernel produces
				room := size - (cf.prod() - cf.cons())
				n := arg % (room + 1)
				for k := uint32(0); k < n; k++ {
					writeCons(cf.prod()+k, kernelNext)
					produced = append(produced, kernelNext)
					kernelNext++
				}
				cf.setProd(cf.prod() + n)
			case 6: // Peek
				n := arg % (size + 2)
				cached := c.cachedProd - c.cachedCons
				ready := cached
				if cached == 0 {
					ready = cf.prod() - c.cachedCons
				}
				want := min(n, ready)
				first := c.cachedCons
				got, idx := c.Peek(n)
				if got != want || (got > 0 && idx != first) {
					t.Fatalf("Peek(%d) with %d cached, %d ready = %d, %d; want %d, %d", n, cached, ready, got, idx, want, first)
				}
				for k := uint32(0); k < got; k++ {
					if v := readCons(idx + k); v != produced[peeked+k] {
						t.Fatalf("Peek: entry %d = %#x, the kernel produced %#x", idx+k, v, produced[peeked+k])
					}
				}
				peeked += got
			case 7: // Cancel a peek
				n := arg % (peeked + 1)
				c.Cancel(n)
				peeked -= n
			case 8: // Release
				n := arg % (peeked + 1)
				from := cf.cons()
				c.Release(n)
				if cf.cons() != from+n {
					t.Fatalf("Release(%d): consumer %d -> %d", n, from, cf.cons())
				}
				produced = produced[n:]
				peeked -= n
			case 9: // Available
				n := arg % (size + 2)
				cached := c.cachedProd - c.cachedCons
				got := c.Available(n)
				if got > n || got > cf.prod()-c.cachedCons || (cached > 0 && got != min(n, cached)) {
					t.Fatalf("Available(%d) = %d (cached %d, produced %d)", n, got, cached, cf.prod()-c.cachedCons)
				}
			}
			if d := pf.prod() - pf.cons(); d > size {
				t.Fatalf("producer ring: producer %d - consumer %d = %d > size %d", pf.prod(), pf.cons(), d, size)
			}
			if d := p.cachedProd - pf.cons(); d > size {
				t.Fatalf("producer ring: %d reserved or submitted > size %d", d, size)
			}
			if d := cf.prod() - cf.cons(); d > size {
				t.Fatalf("consumer ring: producer %d - consumer %d = %d > size %d", cf.prod(), cf.cons(), d, size)
			}
			if c.cachedCons-cf.cons() != peeked {
				t.Fatalf("consumer ring: %d peeked, cache says %d", peeked, c.cachedCons-cf.cons())
			}
			if uint32(len(submitted)) != pf.prod()-pf.cons() || uint32(len(produced)) != cf.prod()-cf.cons() {
				t.Fatalf("model out of step: %d submitted (ring %d), %d produced (ring %d)",
					len(submitted), pf.prod()-pf.cons(), len(produced), cf.prod()-cf.cons())
			}
		}
	})
}
