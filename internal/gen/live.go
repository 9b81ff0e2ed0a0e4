package gen

import (
	"errors"
	"fmt"
	"net"

	"github.com/cilium/ebpf"
	"github.com/xdpkit/xdpkit/bpf/genredirect"
	"golang.org/x/sys/unix"
)

// Costs of BPF_PROG_RUN in live-frames mode: a call with Repeat > 1
// flips a static key twice (~25 ms on a small VM) around frames sent at
// up to ~20 Mpps, while a call with Repeat 1 takes ~10 µs. Send makes
// single calls for batches up to liveLoopMax frames.
const (
	// LiveMaxBatch is the most frames one Send sends (~60 ms of work).
	LiveMaxBatch = 1 << 20
	liveLoopMax  = 2048
)

// Live sends frames out of an interface by running an XDP program that
// redirects to it with BPF_PROG_RUN in live-frames mode (Linux 5.18+).
// Frames redirected into a veth reach the peer only when the peer has an
// XDP program attached (or GRO on); count them at the receiver.
type Live struct {
	objs  genredirect.GenRedirectObjects
	frame []byte
}

// NewLive loads the redirect program for ifname. The interface, and every
// later Send, must be in the calling thread's network namespace: the
// kernel resolves the target index there when the program runs.
func NewLive(ifname string, frame []byte) (*Live, error) {
	if len(frame) < 14 {
		return nil, fmt.Errorf("live frame of %d bytes: want at least an Ethernet header: %w", len(frame), unix.EINVAL)
	}
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return nil, fmt.Errorf("interface %q: %w", ifname, unix.ENODEV)
	}
	spec, err := genredirect.LoadGenRedirect()
	if err != nil {
		return nil, err
	}
	if err := spec.Variables["target_ifindex"].Set(uint32(ifi.Index)); err != nil {
		return nil, fmt.Errorf("set target ifindex: %w", err)
	}
	l := &Live{frame: append([]byte(nil), frame...)}
	if err := spec.LoadAndAssign(&l.objs, nil); err != nil {
		return nil, fmt.Errorf("load generator program: %w", err)
	}
	return l, nil
}

// Send runs the program n times on the frame: n frames go out.
func (l *Live) Send(n uint32) (uint32, error) {
	if n <= liveLoopMax {
		for i := uint32(0); i < n; i++ {
			if err := l.run(1); err != nil {
				return i, err
			}
		}
		return n, nil
	}
	if err := l.run(n); err != nil {
		return 0, err
	}
	return n, nil
}

// run is one BPF_PROG_RUN call.
func (l *Live) run(repeat uint32) error {
	_, err := l.objs.XdpkitGenRedirect.Run(&ebpf.RunOptions{
		Data:   l.frame,
		Repeat: repeat,
		Flags:  unix.BPF_F_TEST_XDP_LIVE_FRAMES,
	})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.EINVAL):
		return fmt.Errorf("BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES (Linux 5.18+): %w", err)
	case errors.Is(err, ebpf.ErrNotSupported):
		return fmt.Errorf("BPF_PROG_RUN of XDP programs: %w", err)
	}
	return fmt.Errorf("BPF_PROG_RUN live frames: %w", err)
}

// MaxBatch is LiveMaxBatch.
func (l *Live) MaxBatch() uint32 { return LiveMaxBatch }

// Close unloads the program.
func (l *Live) Close() error { return l.objs.Close() }
