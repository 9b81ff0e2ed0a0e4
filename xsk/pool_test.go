package xsk_test

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/xdpkit/xdpkit/xsk"
)

// TestFramePool checks allocation order, exhaustion, bad frees and the
// fill-ring prefill.
func TestFramePool(t *testing.T) {
	u, err := xsk.NewUmem(nil, xsk.UmemConfig{Size: 16 * 4096, FillSize: 8, CompSize: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	p := xsk.NewFramePool(u)
	if p.Len() != 16 {
		t.Fatalf("pool of %d frames, want 16", p.Len())
	}
	got := make([]uint64, 3)
	if n := p.Alloc(got); n != 3 || got[0] != 8192 || got[1] != 4096 || got[2] != 0 {
		t.Fatalf("Alloc = %d %v", n, got)
	}
	if err := p.Free(got...); err != nil || p.Len() != 16 {
		t.Fatalf("Free: %v, %d frames", err, p.Len())
	}
	if err := p.Free(0); !errors.Is(err, unix.EINVAL) {
		t.Fatalf("freeing into a full pool: %v, want EINVAL", err)
	}
	p.Alloc(got[:1])
	if err := p.Free(16 * 4096); !errors.Is(err, unix.EINVAL) || p.Len() != 15 {
		t.Fatalf("freeing a foreign address: %v (%d frames), want EINVAL", err, p.Len())
	}
	// Prefill stops at the fill ring's 8 entries.
	if n := u.Fill().Prefill(p, 100); n != 8 || p.Len() != 7 {
		t.Fatalf("Prefill = %d, %d left in the pool", n, p.Len())
	}
	if n := u.Fill().Prefill(p, 1); n != 0 {
		t.Fatalf("Prefill into a full ring = %d", n)
	}
	all := make([]uint64, 20)
	if n := p.Alloc(all); n != 7 || p.Alloc(all) != 0 {
		t.Fatalf("Alloc of the rest = %d", n)
	}
}
