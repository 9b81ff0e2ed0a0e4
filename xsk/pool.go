package xsk

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// FramePool tracks the free frames of a UMEM: a LIFO stack of frame
// addresses (recently used frames are reused first, warm in cache). It
// does no locking: one goroutine per pool.
type FramePool struct {
	free []uint64
	size uint64 // the UMEM's size, to reject foreign addresses
}

// NewFramePool returns a pool holding every frame of u (aligned mode:
// frame i is at i*FrameSize).
func NewFramePool(u *Umem) *FramePool {
	cfg := u.Config()
	n := cfg.Size / uint64(cfg.FrameSize)
	p := &FramePool{free: make([]uint64, n), size: cfg.Size}
	for i := range p.free {
		p.free[i] = uint64(len(p.free)-1-i) * uint64(cfg.FrameSize)
	}
	return p
}

// Len is the number of free frames.
func (p *FramePool) Len() int { return len(p.free) }

// Alloc takes up to len(dst) free frames into dst and returns how many.
func (p *FramePool) Alloc(dst []uint64) int {
	n := min(len(dst), len(p.free))
	copy(dst, p.free[len(p.free)-n:])
	p.free = p.free[:len(p.free)-n]
	return n
}

// Free returns frames to the pool; an address outside the UMEM or a pool
// already holding every frame is EINVAL (nothing is added then).
func (p *FramePool) Free(addrs ...uint64) error {
	if len(p.free)+len(addrs) > cap(p.free) {
		return fmt.Errorf("frame pool: freeing %d frames would exceed its %d: %w", len(addrs), cap(p.free), unix.EINVAL)
	}
	for _, a := range addrs {
		if AddrWithOffset(a) >= p.size {
			return fmt.Errorf("frame pool: address %#x outside the UMEM: %w", a, unix.EINVAL)
		}
	}
	p.free = append(p.free, addrs...)
	return nil
}

// Prefill moves up to n frames from the pool onto the fill ring, as a
// receiver does before it starts (and a TX-only socket on drivers that
// want a populated fill ring). It returns the number moved.
func (r *FillRing) Prefill(p *FramePool, n int) int {
	n = min(n, p.Len(), int(r.Free(uint32(n))))
	if n == 0 {
		return 0
	}
	_, idx := r.Reserve(uint32(n))
	for i := 0; i < n; i++ {
		*r.Addr(idx + uint32(i)) = p.free[len(p.free)-1-i]
	}
	p.free = p.free[:len(p.free)-n]
	r.Submit(uint32(n))
	return n
}
