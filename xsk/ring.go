package xsk

import (
	"sync/atomic"
	"unsafe"
)

// RingNeedWakeup is the flag the kernel sets in a ring's flags word when
// user space must wake it (poll/sendto) to make progress (XDP_RING_NEED_WAKEUP).
const RingNeedWakeup = 1

// Desc is one RX or TX descriptor, laid out as the kernel's struct xdp_desc.
type Desc struct {
	Addr    uint64
	Len     uint32
	Options uint32
}

// ring is the state shared by producer and consumer rings: the kernel's
// producer/consumer/flags words and descriptor array in mmap'd memory, plus
// user-space cached copies of the indices as in libxdp.
//
// Go's sync/atomic loads and stores are sequentially consistent, which is
// stronger than the acquire/release the ring protocol needs.
type ring struct {
	cachedProd uint32
	cachedCons uint32
	mask       uint32
	size       uint32
	producer   *uint32
	consumer   *uint32
	flags      *uint32
	desc       unsafe.Pointer
	mem        []byte // the whole mmap'd region, unmapped on close
}

// Size is the number of entries of the ring.
func (r *ring) Size() uint32 { return r.size }

// NeedsWakeup reports whether the kernel asked to be woken for this ring.
func (r *ring) NeedsWakeup() bool {
	return atomic.LoadUint32(r.flags)&RingNeedWakeup != 0
}

// Pointers returns the addresses of the producer, consumer and flags words
// and of the descriptor array; the C API copies them into its ring structs.
func (r *ring) Pointers() (producer, consumer, flags *uint32, desc unsafe.Pointer) {
	return r.producer, r.consumer, r.flags, r.desc
}

// ProdRing is a ring user space produces into (fill and TX).
type ProdRing struct{ ring }

// Free returns the number of free entries, refreshing the cached consumer
// index from the kernel only when the cache shows fewer than n free.
func (r *ProdRing) Free(n uint32) uint32 {
	free := r.cachedCons - r.cachedProd
	if free >= n {
		return free
	}
	r.cachedCons = atomic.LoadUint32(r.consumer) + r.size
	return r.cachedCons - r.cachedProd
}

// Reserve reserves exactly n entries or none (all-or-nothing, as libxdp).
// It returns the number reserved (n or 0) and the index of the first one.
func (r *ProdRing) Reserve(n uint32) (reserved, idx uint32) {
	if r.Free(n) < n {
		return 0, 0
	}
	idx = r.cachedProd
	r.cachedProd += n
	return n, idx
}

// Cancel gives back the last n reserved and not yet submitted entries.
func (r *ProdRing) Cancel(n uint32) { r.cachedProd -= n }

// Submit publishes n entries to the kernel with release ordering.
func (r *ProdRing) Submit(n uint32) {
	atomic.StoreUint32(r.producer, *r.producer+n)
}

// ConsRing is a ring user space consumes from (completion and RX).
type ConsRing struct{ ring }

// Available returns up to n entries ready to consume, reading the kernel's
// producer index only when the cache is empty.
func (r *ConsRing) Available(n uint32) uint32 {
	entries := r.cachedProd - r.cachedCons
	if entries == 0 {
		r.cachedProd = atomic.LoadUint32(r.producer)
		entries = r.cachedProd - r.cachedCons
	}
	if entries > n {
		return n
	}
	return entries
}

// Peek takes up to n ready entries; it returns how many and the first index.
func (r *ConsRing) Peek(n uint32) (got, idx uint32) {
	got = r.Available(n)
	if got > 0 {
		idx = r.cachedCons
		r.cachedCons += got
	}
	return got, idx
}

// Cancel puts back the last n peeked and not yet released entries.
func (r *ConsRing) Cancel(n uint32) { r.cachedCons -= n }

// Release hands n consumed entries back to the kernel with release ordering.
func (r *ConsRing) Release(n uint32) {
	atomic.StoreUint32(r.consumer, *r.consumer+n)
}

// FillRing carries free frame addresses from user space to the kernel.
type FillRing struct{ ProdRing }

// Addr returns the slot for entry idx.
func (r *FillRing) Addr(idx uint32) *uint64 {
	return (*uint64)(unsafe.Add(r.desc, uintptr(idx&r.mask)*8))
}

// CompRing carries addresses of frames the kernel finished sending.
type CompRing struct{ ConsRing }

// Addr returns the address at entry idx.
func (r *CompRing) Addr(idx uint32) uint64 {
	return *(*uint64)(unsafe.Add(r.desc, uintptr(idx&r.mask)*8))
}

// RxRing carries received descriptors from the kernel.
type RxRing struct{ ConsRing }

// Desc returns the descriptor at entry idx.
func (r *RxRing) Desc(idx uint32) *Desc {
	return (*Desc)(unsafe.Add(r.desc, uintptr(idx&r.mask)*16))
}

// TxRing carries descriptors to send to the kernel.
type TxRing struct{ ProdRing }

// Desc returns the slot for entry idx.
func (r *TxRing) Desc(idx uint32) *Desc {
	return (*Desc)(unsafe.Add(r.desc, uintptr(idx&r.mask)*16))
}
