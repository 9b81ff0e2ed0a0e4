package prog_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/xdpkit/xdpkit/internal/netnstest"
	"github.com/xdpkit/xdpkit/maps"
	"github.com/xdpkit/xdpkit/prog"
	"github.com/xdpkit/xdpkit/xsk"
)

// Bounds of every wait for traffic.
const (
	waitTimeout = 3 * time.Second
	pollSlice   = 20 // ms per poll while waiting
)

// modes are the attach modes veth supports.
var modes = []xsk.AttachMode{xsk.AttachSKB, xsk.AttachDrv}

// objPath is the committed ELF object of one of bpf/objs' programs for
// this machine's byte order.
func objPath(stem string) string {
	if binary.NativeEndian.Uint16([]byte{1, 0}) == 1 {
		return "../bpf/objs/" + stem + "_bpfel.o"
	}
	return "../bpf/objs/" + stem + "_bpfeb.o"
}

func u32(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }

// newPair creates the namespace pair with IPv6 off in both namespaces, so
// no router solicitation, DAD or MLD frame reaches the programs under test.
func newPair(t *testing.T) *netnstest.Pair {
	t.Helper()
	p := netnstest.NewPair(t)
	for _, ns := range []netnstest.NS{p.A, p.B} {
		err := ns.Do(func() error {
			for _, conf := range []string{"all", "default"} {
				path := "/proc/sys/net/ipv6/conf/" + conf + "/disable_ipv6"
				if err := os.WriteFile(path, []byte("1\n"), 0o644); err != nil {
					return err
				}
			}
			return nil
		})
		netnstest.Require(t, err, "disable IPv6 in "+ns.Name)
	}
	return p
}

// load loads program name of the ELF object at path and closes it when the
// test ends (a Close error other than "already closed" fails the test).
func load(t *testing.T, path, name string) *prog.Program {
	t.Helper()
	p, err := prog.Load(path, name)
	netnstest.Require(t, err, fmt.Sprintf("load %q from %s", name, path))
	t.Cleanup(func() {
		if err := p.Close(); err != nil && !errors.Is(err, unix.EBADF) {
			t.Errorf("program Close: %v", err)
		}
	})
	return p
}

// attach attaches p to ifname inside ns in mode; the link is detached
// when the test ends unless the test did it.
func attach(t *testing.T, p *prog.Program, ns netnstest.NS, ifname string, mode xsk.AttachMode) *prog.Link {
	t.Helper()
	var l *prog.Link
	err := ns.Do(func() (err error) {
		l, err = p.Attach(ifname, mode)
		return err
	})
	netnstest.Require(t, err, fmt.Sprintf("attach %s to %s in %s mode", p.Name(), ifname, mode))
	t.Cleanup(func() {
		if err := l.Detach(); err != nil && !errors.Is(err, unix.EBADF) {
			t.Errorf("Detach: %v", err)
		}
	})
	return l
}

// xdpAttached is one XDP program attached to an interface as
// `ip -d -j link show` reports it.
type xdpAttached struct {
	Mode int // 1 native (drv), 2 generic (skb), 3 offload
	ID   uint32
}

// Kernel XDP_ATTACHED_* values iproute2 prints as "mode".
const (
	xdpAttachedDrv = 1
	xdpAttachedSKB = 2
)

func attachedMode(m xsk.AttachMode) int {
	switch m {
	case xsk.AttachDrv:
		return xdpAttachedDrv
	case xsk.AttachSKB:
		return xdpAttachedSKB
	}
	return -1
}

// xdpOnLink returns the XDP programs ip(8) shows on ifname in ns.
func xdpOnLink(t *testing.T, ns netnstest.NS, ifname string) []xdpAttached {
	t.Helper()
	out, err := exec.Command("ip", "-n", ns.Name, "-d", "-j", "link", "show", "dev", ifname).CombinedOutput()
	if err != nil {
		t.Fatalf("ip link show %s: %v: %s", ifname, err, out)
	}
	type progJSON struct {
		ID uint32 `json:"id"`
	}
	var links []struct {
		XDP *struct {
			Mode     int       `json:"mode"`
			Prog     *progJSON `json:"prog"`
			Attached []struct {
				Mode int       `json:"mode"`
				Prog *progJSON `json:"prog"`
			} `json:"attached"`
		} `json:"xdp"`
	}
	if err := json.Unmarshal(out, &links); err != nil || len(links) != 1 {
		t.Fatalf("parse ip -j link show %s (%v): %s", ifname, err, out)
	}
	x := links[0].XDP
	if x == nil {
		return nil
	}
	var res []xdpAttached
	for _, a := range x.Attached {
		if a.Prog != nil {
			res = append(res, xdpAttached{a.Mode, a.Prog.ID})
		}
	}
	if len(res) == 0 && x.Prog != nil {
		res = append(res, xdpAttached{x.Mode, x.Prog.ID})
	}
	return res
}

// sendFrom sends frames with an AF_PACKET socket from a goroutine locked
// to an OS thread pinned to one CPU, so that veth's per-CPU backlog (skb
// mode) keeps them in order. The thread is thrown away afterwards.
func sendFrom(t *testing.T, ps *netnstest.PacketSocket, frames [][]byte) {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the pinned thread exits with the goroutine
		var set unix.CPUSet
		if err := unix.SchedGetaffinity(0, &set); err != nil {
			errc <- err
			return
		}
		for cpu := 0; cpu < 1024; cpu++ {
			if set.IsSet(cpu) {
				set.Zero()
				set.Set(cpu)
				break
			}
		}
		if err := unix.SchedSetaffinity(0, &set); err != nil {
			errc <- fmt.Errorf("pin sender: %w", err)
			return
		}
		for _, f := range frames {
			if err := ps.Send(f); err != nil {
				errc <- fmt.Errorf("AF_PACKET send: %w", err)
				return
			}
		}
		errc <- nil
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// openPacket opens an AF_PACKET socket on ifname in ns, closed when the
// test ends.
func openPacket(t *testing.T, ns netnstest.NS, ifname string) *netnstest.PacketSocket {
	t.Helper()
	ps, err := ns.OpenPacket(ifname)
	if err != nil {
		t.Fatalf("AF_PACKET socket on %s: %v", ifname, err)
	}
	t.Cleanup(func() { ps.Close() })
	return ps
}

// isTestFrame tells a frame built by netnstest.UDPFrame from other traffic.
func isTestFrame(f []byte) bool {
	return len(f) >= 46 && binary.BigEndian.Uint16(f[12:]) == 0x0800 && f[23] == 17 &&
		binary.BigEndian.Uint16(f[34:]) == 9000 && binary.BigEndian.Uint16(f[36:]) == 9001
}

// framesBA builds count test frames of size bytes from B to A, sequence
// numbers from first.
func framesBA(p *netnstest.Pair, first uint32, count, size int) [][]byte {
	out := make([][]byte, count)
	for i := range out {
		out[i] = netnstest.UDPFrame(p.MacB, p.MacA, p.IPB, p.IPA, size, first+uint32(i))
	}
	return out
}

// recvPacket reads test frames from src on an AF_PACKET socket until want
// have arrived or wait has passed; it returns them.
func recvPacket(t *testing.T, ps *netnstest.PacketSocket, src []byte, want int, wait time.Duration) [][]byte {
	t.Helper()
	var out [][]byte
	deadline := time.Now().Add(wait)
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

// waitFor polls cond every few ms until it holds or waitTimeout passes;
// it reports whether it held.
func waitFor(cond func() bool) bool {
	deadline := time.Now().Add(waitTimeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// mapOf returns the program's map called name, closed when the test ends.
func mapOf(t *testing.T, p *prog.Program, name string) *maps.Map {
	t.Helper()
	m, err := p.Map(name)
	if err != nil {
		t.Fatalf("Map(%q): %v", name, err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}
