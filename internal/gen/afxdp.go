package gen

import (
	"fmt"
	"time"

	"github.com/xdpkit/xdpkit/xsk"
	"golang.org/x/sys/unix"
)

// AFXDPConfig describes the TX-only socket of an AFXDP sender.
type AFXDPConfig struct {
	Queue     uint32 // TX queue
	BindFlags uint16 // xsk.BindCopy or xsk.BindZeroCopy (need_wakeup is always used)
	NumFrames uint32 // UMEM frames (0: 4096)
	FrameSize uint32 // UMEM frame size (0: 4096)
}

// AFXDPMaxBatch is the most frames one AFXDP.Send puts on the TX ring.
const AFXDPMaxBatch = 256

// sendTimeout bounds how long Send waits for the kernel to complete what
// it submitted.
const sendTimeout = 100 * time.Millisecond

// AFXDP sends frames from a TX-only AF_XDP socket that loads no XDP
// program. Every UMEM frame holds the frame once; sending only moves
// addresses between a free list, the TX ring and the completion ring.
type AFXDP struct {
	umem        *xsk.Umem
	sock        *xsk.Socket
	free        []uint64
	outstanding uint32
	frameLen    uint32
}

// NewAFXDP opens the socket on ifname (in the calling thread's network
// namespace) and writes frame into every UMEM frame.
func NewAFXDP(ifname string, frame []byte, cfg AFXDPConfig) (*AFXDP, error) {
	nf, fs := cfg.NumFrames, cfg.FrameSize
	if nf == 0 {
		nf = xsk.DefaultNumFrames
	}
	if fs == 0 {
		fs = xsk.DefaultFrameSize
	}
	if len(frame) < 14 || len(frame) > int(fs) {
		return nil, fmt.Errorf("frame of %d bytes does not fit a %d-byte UMEM frame: %w", len(frame), fs, unix.EINVAL)
	}
	u, err := xsk.NewUmem(nil, xsk.UmemConfig{Size: uint64(nf) * uint64(fs), FrameSize: fs, CompSize: ringSize(nf)})
	if err != nil {
		return nil, err
	}
	s, err := xsk.NewSocket(ifname, cfg.Queue, u, xsk.SocketConfig{
		DisableRx: true,
		NoProgram: true,
		TxSize:    ringSize(nf / 2),
		BindFlags: cfg.BindFlags | xsk.BindNeedWakeup,
	})
	if err != nil {
		u.Close()
		return nil, err
	}
	a := &AFXDP{umem: u, sock: s, frameLen: uint32(len(frame))}
	for i := uint32(0); i < nf; i++ {
		addr := uint64(i) * uint64(fs)
		copy(u.Frame(addr, fs), frame)
		a.free = append(a.free, addr)
	}
	return a, nil
}

// ringSize is the largest power of two not above n (at least 64).
func ringSize(n uint32) uint32 {
	r := uint32(64)
	for r*2 <= n {
		r *= 2
	}
	return r
}

// Socket is the sender's AF_XDP socket (for its statistics).
func (a *AFXDP) Socket() *xsk.Socket { return a.sock }

// MaxBatch is AFXDPMaxBatch.
func (a *AFXDP) MaxBatch() uint32 { return AFXDPMaxBatch }

// Send submits n frames and waits briefly until the kernel has completed
// them; it returns the frames completed during the call.
func (a *AFXDP) Send(n uint32) (uint32, error) {
	var done uint32
	tx := a.sock.Tx()
	deadline := time.Time{}
	for n > 0 || a.outstanding > 0 {
		if k := min(n, uint32(len(a.free)), AFXDPMaxBatch); k > 0 {
			if got, idx := tx.Reserve(k); got == k {
				for i := uint32(0); i < k; i++ {
					d := tx.Desc(idx + i)
					d.Addr, d.Len, d.Options = a.free[len(a.free)-1], a.frameLen, 0
					a.free = a.free[:len(a.free)-1]
				}
				tx.Submit(k)
				a.outstanding += k
				n -= k
			}
		}
		if tx.NeedsWakeup() {
			if err := a.sock.Kick(); err != nil {
				return done, err
			}
		}
		got := a.reap()
		done += got
		if got > 0 {
			deadline = time.Time{}
		} else {
			if deadline.IsZero() {
				deadline = time.Now().Add(sendTimeout)
			} else if time.Now().After(deadline) {
				break
			}
		}
	}
	return done, nil
}

// reap moves completed frames back to the free list.
func (a *AFXDP) reap() uint32 {
	cq := a.sock.Completion()
	n, idx := cq.Peek(AFXDPMaxBatch)
	for i := uint32(0); i < n; i++ {
		a.free = append(a.free, cq.Addr(idx+i))
	}
	cq.Release(n)
	a.outstanding -= n
	return n
}

// Close closes the socket and its UMEM.
func (a *AFXDP) Close() error {
	err := a.sock.Close()
	if err2 := a.umem.Close(); err == nil {
		err = err2
	}
	return err
}
