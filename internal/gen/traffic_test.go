package gen

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/xdpkit/xdpkit/internal/netnstest"
	"github.com/xdpkit/xdpkit/xsk"
	"golang.org/x/sys/unix"
)

// receiver counts the frames arriving at an AF_XDP socket on queue 0 of
// ifname in ns (native XDP, so that redirected frames get through the
// veth) until stop is closed.
type receiver struct {
	wg    sync.WaitGroup
	stop  chan struct{}
	count uint64
	err   error
}

func startReceiver(t *testing.T, ns netnstest.NS, ifname string) *receiver {
	t.Helper()
	r := &receiver{stop: make(chan struct{})}
	ready := make(chan error, 1)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		r.err = ns.Do(func() error {
			u, err := xsk.NewUmem(nil, xsk.UmemConfig{Size: 1024 * 4096, FillSize: 1024})
			if err != nil {
				ready <- err
				return nil
			}
			defer u.Close()
			s, err := xsk.NewSocket(ifname, 0, u, xsk.SocketConfig{DisableTx: true, AttachMode: xsk.AttachDrv, BindFlags: xsk.BindCopy})
			if err != nil {
				ready <- err
				return nil
			}
			defer s.Close()
			fill, rx := s.Fill(), s.Rx()
			fill.Prefill(xsk.NewFramePool(u), 1024)
			ready <- nil
			for {
				select {
				case <-r.stop:
					return nil
				default:
				}
				n, idx := rx.Peek(64)
				if n == 0 {
					if _, err := s.Poll(unix.POLLIN, 10); err != nil {
						return err
					}
					continue
				}
				if got, fidx := fill.Reserve(n); got == n {
					for i := uint32(0); i < n; i++ {
						*fill.Addr(fidx + i) = rx.Desc(idx + i).Addr
					}
					fill.Submit(n)
				}
				rx.Release(n)
				r.count += uint64(n)
			}
		})
	}()
	if err := <-ready; err != nil {
		close(r.stop)
		r.wg.Wait()
		netnstest.Require(t, err, "AF_XDP receiver")
	}
	return r
}

// wait stops the receiver after the frames in flight arrived.
func (r *receiver) wait(t *testing.T) uint64 {
	t.Helper()
	time.Sleep(100 * time.Millisecond)
	close(r.stop)
	r.wg.Wait()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.count
}

func pairFrame(t *testing.T, p *netnstest.Pair) []byte {
	t.Helper()
	f, err := Frame(FrameSpec{SrcMAC: p.MacA, DstMAC: p.MacB, SrcIP: p.IPA, DstIP: p.IPB})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestLiveIntoVeth(t *testing.T) {
	p := netnstest.NewPair(t)
	netnstest.Require(t, p.DisableIPv6(), "disable IPv6")
	r := startReceiver(t, p.B, p.IfB)
	var res Result
	err := p.A.Do(func() error {
		l, err := NewLive(p.IfA, pairFrame(t, p))
		if err != nil {
			return err
		}
		defer l.Close()
		res, err = Run(context.Background(), l, Config{Rate: 50000, Duration: 400 * time.Millisecond})
		return err
	})
	got := r.wait(t)
	netnstest.Require(t, err, "live-frames generator")
	if res.Sent < 10000 || res.Sent > 30000 {
		t.Errorf("sent %d in %v at 50000 pps, want about 20000", res.Sent, res.Elapsed)
	}
	if got == 0 || got > res.Sent {
		t.Errorf("receiver counted %d of %d frames", got, res.Sent)
	}
	t.Logf("live: sent %d (%.0f pps), received %d", res.Sent, res.PPS(), got)
}

func TestAFXDPIntoVeth(t *testing.T) {
	p := netnstest.NewPair(t)
	netnstest.Require(t, p.DisableIPv6(), "disable IPv6")
	r := startReceiver(t, p.B, p.IfB)
	var res Result
	err := p.A.Do(func() error {
		a, err := NewAFXDP(p.IfA, pairFrame(t, p), AFXDPConfig{BindFlags: xsk.BindCopy, NumFrames: 1024})
		if err != nil {
			return err
		}
		defer a.Close()
		res, err = Run(context.Background(), a, Config{Duration: 300 * time.Millisecond, Count: 200000})
		if err == nil && a.Socket() == nil {
			t.Error("no socket")
		}
		return err
	})
	got := r.wait(t)
	netnstest.Require(t, err, "AF_XDP generator")
	if res.Sent == 0 || got == 0 {
		t.Errorf("sent %d, received %d", res.Sent, got)
	}
	t.Logf("afxdp: sent %d (%.0f pps), received %d", res.Sent, res.PPS(), got)
}

func TestLiveBadInterface(t *testing.T) {
	if _, err := NewLive("nosuchif0", make([]byte, 64)); err == nil {
		t.Error("NewLive on a missing interface succeeded")
	}
	if _, err := NewLive("lo", make([]byte, 8)); err == nil {
		t.Error("NewLive with an 8-byte frame succeeded")
	}
}
