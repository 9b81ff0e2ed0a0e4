package xsk_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/xdpkit/xdpkit/internal/netnstest"
	"github.com/xdpkit/xdpkit/xsk"
	"golang.org/x/sys/unix"
)

// Bounds of every traffic loop.
const (
	waitTimeout = 3 * time.Second
	pollSlice   = 50 // ms per poll while waiting for frames
	batch       = 32 // frames sent before the receiver catches up
)

// modes are the attach modes veth supports; traffic tests run in both.
var modes = []xsk.AttachMode{xsk.AttachSKB, xsk.AttachDrv}

// newPair creates the namespaces with IPv6 off, so that only the test's
// frames reach the sockets.
func newPair(t *testing.T) *netnstest.Pair {
	t.Helper()
	p := netnstest.NewPair(t)
	netnstest.Require(t, p.DisableIPv6(), "disable IPv6 in the test namespaces")
	return p
}

// end is an AF_XDP socket with its own UMEM in one namespace. The first
// half of the UMEM's frames are for RX (fill ring), the second for TX.
type end struct {
	t      *testing.T
	ns     netnstest.NS
	u      *xsk.Umem
	s      *xsk.Socket
	fsize  uint64
	rxFree []uint64 // RX frames owned by user space
	txFree []uint64 // TX frames owned by user space
}

// openEnd creates a UMEM (256 frames unless ucfg.Size says otherwise)
// and a socket on queue 0 of ifname in ns; both are closed when the test
// ends, and their Close must succeed.
func openEnd(t *testing.T, ns netnstest.NS, ifname string, ucfg xsk.UmemConfig, scfg xsk.SocketConfig) *end {
	t.Helper()
	if ucfg.FrameSize == 0 {
		ucfg.FrameSize = xsk.DefaultFrameSize
	}
	if ucfg.Size == 0 {
		ucfg.Size = 256 * uint64(ucfg.FrameSize)
	}
	if ucfg.FillSize == 0 {
		ucfg.FillSize = 256
	}
	if ucfg.CompSize == 0 {
		ucfg.CompSize = 256
	}
	if scfg.RxSize == 0 {
		scfg.RxSize = 256
	}
	if scfg.TxSize == 0 {
		scfg.TxSize = 256
	}
	e := &end{t: t, ns: ns, fsize: uint64(ucfg.FrameSize)}
	err := ns.Do(func() (err error) {
		e.u, err = xsk.NewUmem(nil, ucfg)
		if err != nil {
			return err
		}
		e.s, err = xsk.NewSocket(ifname, 0, e.u, scfg)
		if err != nil {
			e.u.Close()
			e.u = nil
		}
		return err
	})
	netnstest.Require(t, err, fmt.Sprintf("AF_XDP socket on %s (%+v)", ifname, scfg))
	t.Cleanup(func() {
		if err := e.s.Close(); err != nil {
			t.Errorf("socket Close: %v", err)
		}
		if err := e.u.Close(); err != nil {
			t.Errorf("umem Close: %v", err)
		}
	})
	n := ucfg.Size / e.fsize
	for i := uint64(0); i < n; i++ {
		if i < n/2 {
			e.rxFree = append(e.rxFree, i*e.fsize)
		} else {
			e.txFree = append(e.txFree, i*e.fsize)
		}
	}
	return e
}

// fill gives up to n free RX frames to the kernel; it returns how many.
func (e *end) fill(n int) int {
	n = min(n, len(e.rxFree))
	fr := e.u.Fill()
	got, idx := fr.Reserve(uint32(n))
	for i := uint32(0); i < got; i++ {
		*fr.Addr(idx + i) = e.rxFree[len(e.rxFree)-1]
		e.rxFree = e.rxFree[:len(e.rxFree)-1]
	}
	fr.Submit(got)
	return int(got)
}

type rxFrame struct {
	addr uint64
	data []byte
}

// take consumes up to max descriptors from the RX ring, copies their data
// and gives their frames back to the fill ring.
func (e *end) take(max uint32) []rxFrame {
	rx := e.s.Rx()
	got, idx := rx.Peek(max)
	out := make([]rxFrame, 0, got)
	for i := uint32(0); i < got; i++ {
		d := rx.Desc(idx + i)
		out = append(out, rxFrame{d.Addr, bytes.Clone(e.u.Frame(d.Addr, d.Len))})
		e.rxFree = append(e.rxFree, d.Addr-d.Addr%e.fsize)
	}
	rx.Release(got)
	e.fill(int(got))
	return out
}

// recv waits until want test frames have arrived or waitTimeout passes,
// and returns the test frames received; other frames are ignored.
func (e *end) recv(want int) []rxFrame {
	e.t.Helper()
	var out []rxFrame
	deadline := time.Now().Add(waitTimeout)
	for len(out) < want && time.Now().Before(deadline) {
		fs := e.take(64)
		for _, f := range fs {
			if isTestFrame(f.data) {
				out = append(out, f)
			} else {
				e.t.Logf("ignoring a non-test frame of %d bytes: % x", len(f.data), f.data[:min(len(f.data), 34)])
			}
		}
		if len(fs) == 0 {
			if _, err := e.s.Poll(unix.POLLIN, pollSlice); err != nil {
				e.t.Fatal(err)
			}
		}
	}
	return out
}

// reclaim moves completed TX frames back to the free list.
func (e *end) reclaim() int {
	cr := e.u.Completion()
	got, idx := cr.Peek(cr.Size())
	for i := uint32(0); i < got; i++ {
		e.txFree = append(e.txFree, cr.Addr(idx+i))
	}
	cr.Release(got)
	return int(got)
}

// submit puts as many of frames on the TX ring as there are free TX
// frames and ring entries for, without waking the kernel; it returns how
// many it put.
func (e *end) submit(frames [][]byte) int {
	tx := e.s.Tx()
	n := uint32(min(len(frames), len(e.txFree)))
	n = min(n, tx.Free(n))
	got, idx := tx.Reserve(n)
	for i := uint32(0); i < got; i++ {
		addr := e.txFree[len(e.txFree)-1]
		e.txFree = e.txFree[:len(e.txFree)-1]
		copy(e.u.Frame(addr, uint32(len(frames[i]))), frames[i])
		*tx.Desc(idx + i) = xsk.Desc{Addr: addr, Len: uint32(len(frames[i]))}
	}
	tx.Submit(got)
	return int(got)
}

// send puts frames on the TX ring, kicks the kernel and waits until every
// one of them is completed.
func (e *end) send(frames [][]byte) {
	e.t.Helper()
	pending := 0
	deadline := time.Now().Add(waitTimeout)
	for len(frames) > 0 || pending > 0 {
		if time.Now().After(deadline) {
			e.t.Fatalf("send: %d frames not sent and %d not completed after %v", len(frames), pending, waitTimeout)
		}
		pending -= e.reclaim()
		n := e.submit(frames)
		frames = frames[n:]
		pending += n
		if err := e.s.Kick(); err != nil {
			e.t.Fatal(err)
		}
		if pending > 0 && e.u.Completion().Available(1) == 0 {
			time.Sleep(time.Millisecond)
		}
	}
}

// stats reads the socket's statistics but tx_ring_empty_descs, which
// depends on how often the helpers polled or kicked: in copy mode every
// poll drives TX and counts the TX ring empty (twice when it waits).
func (e *end) stats() xsk.Statistics {
	e.t.Helper()
	st, err := e.s.Stats()
	if err != nil {
		e.t.Fatal(err)
	}
	st.TxRingEmptyDescs = 0
	return st
}

// waitStats polls the statistics until ok accepts them or waitTimeout
// passes, and returns the last ones read.
func (e *end) waitStats(ok func(xsk.Statistics) bool) xsk.Statistics {
	e.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		st := e.stats()
		if ok(st) || time.Now().After(deadline) {
			return st
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// isTestFrame tells a frame built by netnstest.UDPFrame from other traffic.
func isTestFrame(f []byte) bool {
	return len(f) >= 46 && binary.BigEndian.Uint16(f[12:]) == 0x0800 && f[23] == 17 &&
		binary.BigEndian.Uint16(f[34:]) == 9000 && binary.BigEndian.Uint16(f[36:]) == 9001
}

// frameSize varies the test frame sizes between 60 and max bytes.
func frameSize(seq uint32, max int) int {
	return 60 + int(seq*37)%(max-60+1)
}

// framesBA builds count test frames from B to A starting at seq first.
func framesBA(p *netnstest.Pair, first uint32, count, maxSize int) [][]byte {
	out := make([][]byte, count)
	for i := range out {
		seq := first + uint32(i)
		out[i] = netnstest.UDPFrame(p.MacB, p.MacA, p.IPB, p.IPA, frameSize(seq, maxSize), seq)
	}
	return out
}

// framesAB builds count test frames from A to B starting at seq first.
func framesAB(p *netnstest.Pair, first uint32, count, maxSize int) [][]byte {
	out := make([][]byte, count)
	for i := range out {
		seq := first + uint32(i)
		out[i] = netnstest.UDPFrame(p.MacA, p.MacB, p.IPA, p.IPB, frameSize(seq, maxSize), seq)
	}
	return out
}

// openPacket opens an AF_PACKET socket in ns, closed when the test ends.
func openPacket(t *testing.T, ns netnstest.NS, ifname string) *netnstest.PacketSocket {
	t.Helper()
	ps, err := ns.OpenPacket(ifname)
	if err != nil {
		t.Fatalf("AF_PACKET socket on %s: %v", ifname, err)
	}
	t.Cleanup(func() { ps.Close() })
	return ps
}

// sendPacket writes frames with an AF_PACKET socket.
func sendPacket(t *testing.T, ps *netnstest.PacketSocket, frames [][]byte) {
	t.Helper()
	for _, f := range frames {
		if err := ps.Send(f); err != nil {
			t.Fatalf("AF_PACKET send: %v", err)
		}
	}
}

// recvPacket reads test frames whose source MAC is src from an AF_PACKET
// socket until want arrived or waitTimeout passes.
func recvPacket(t *testing.T, ps *netnstest.PacketSocket, src []byte, want int) [][]byte {
	t.Helper()
	var out [][]byte
	deadline := time.Now().Add(waitTimeout)
	for len(out) < want && time.Now().Before(deadline) {
		f, err := ps.Recv(pollSlice)
		if err != nil {
			t.Fatalf("AF_PACKET recv: %v", err)
		}
		if f != nil && isTestFrame(f) && bytes.Equal(f[6:12], src) {
			out = append(out, f)
		}
	}
	return out
}

// noPacket fails the test when a test frame from src arrives on the
// AF_PACKET socket within ms milliseconds.
func noPacket(t *testing.T, ps *netnstest.PacketSocket, src []byte, ms int) {
	t.Helper()
	deadline := time.Now().Add(time.Duration(ms) * time.Millisecond)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return
		}
		f, err := ps.Recv(int(left / time.Millisecond))
		if err != nil {
			t.Fatalf("AF_PACKET recv: %v", err)
		}
		if f != nil && isTestFrame(f) && bytes.Equal(f[6:12], src) {
			t.Fatalf("unexpected frame seq %d went out", netnstest.FrameSeq(f))
		}
	}
}

// checkFrames compares received frames with the sent ones, in order.
func checkFrames(t *testing.T, got [][]byte, want [][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("received %d frames, want %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			if isTestFrame(got[i]) && netnstest.FrameSeq(got[i]) != netnstest.FrameSeq(want[i]) {
				t.Fatalf("frame %d: sequence %d, want %d", i, netnstest.FrameSeq(got[i]), netnstest.FrameSeq(want[i]))
			}
			t.Fatalf("frame %d (seq %d) differs: got %d bytes % x..., want %d bytes % x...", i, netnstest.FrameSeq(want[i]),
				len(got[i]), got[i][:min(len(got[i]), 64)], len(want[i]), want[i][:min(len(want[i]), 64)])
		}
	}
}

func datas(fs []rxFrame) [][]byte {
	out := make([][]byte, len(fs))
	for i, f := range fs {
		out[i] = f.data
	}
	return out
}
