package xsk_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xdpkit/xdpkit/internal/netnstest"
	"github.com/xdpkit/xdpkit/xsk"
)

// helperEnv tells a re-executed test binary to act as TestHelperProcess:
// "namespace interface".
const helperEnv = "XDPKIT_XSK_HELPER"

// TestHelperProcess is not a test: run by TestXdpProgCleanup in a child
// process, it opens a socket in the namespace, prints "ready" and sleeps
// until it is killed (at most 20 s).
func TestHelperProcess(t *testing.T) {
	arg := os.Getenv(helperEnv)
	if arg == "" {
		return
	}
	ns, ifname, _ := strings.Cut(arg, " ")
	err := netnstest.NS{Name: ns}.Do(func() error {
		u, err := xsk.NewUmem(nil, xsk.UmemConfig{Size: 64 * xsk.DefaultFrameSize})
		if err != nil {
			return err
		}
		_, err = xsk.NewSocket(ifname, 0, u, copyCfg(xsk.AttachDrv))
		return err
	})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	fmt.Println("ready")
	time.Sleep(20 * time.Second)
	os.Exit(3)
}

// xdpProgs returns the XDP programs attached to the interface, checking
// that `ip link show` agrees on whether there is one.
func xdpProgs(t *testing.T, ns netnstest.NS, ifname string) []uint32 {
	t.Helper()
	ids, err := ns.XDPProgIDs(ifname)
	if err != nil {
		t.Fatal(err)
	}
	has, err := ns.HasXDP(ifname)
	if err != nil {
		t.Fatal(err)
	}
	if has != (len(ids) > 0) {
		t.Fatalf("ip link show says xdp=%v, ip -d -j link show lists programs %v", has, ids)
	}
	return ids
}

// waitNoProg waits until no XDP program is attached to the interface.
func waitNoProg(t *testing.T, ns netnstest.NS, ifname string) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		ids := xdpProgs(t, ns, ifname)
		if len(ids) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("XDP programs %v still attached to %s after %v", ids, ifname, waitTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// XDP_PROG_CLEANUP: the default program is detached when the last socket
// closes, and when the process holding the socket is killed; the queue
// can then be bound again.
func TestXdpProgCleanup(t *testing.T) {
	t.Run("close", func(t *testing.T) {
		p := newPair(t)
		if ids := xdpProgs(t, p.A, p.IfA); len(ids) != 0 {
			t.Fatalf("XDP programs %v attached before any socket", ids)
		}
		var u *xsk.Umem
		var s1, s2 *xsk.Socket
		err := p.A.Do(func() (err error) {
			if u, err = xsk.NewUmem(nil, xsk.UmemConfig{Size: 64 * xsk.DefaultFrameSize}); err != nil {
				return err
			}
			if s1, err = xsk.NewSocket(p.IfA, 0, u, copyCfg(xsk.AttachDrv)); err != nil {
				return err
			}
			// A second socket on the same queue shares the UMEM and the
			// program.
			s2, err = xsk.NewSocket(p.IfA, 0, u, copyCfg(xsk.AttachDrv))
			return err
		})
		netnstest.Require(t, err, "AF_XDP sockets")
		want, err := s1.Program().ProgramID()
		if err != nil {
			t.Fatal(err)
		}
		if s2.Program() != s1.Program() {
			t.Fatal("two sockets on one interface got different default programs")
		}
		if ids := xdpProgs(t, p.A, p.IfA); len(ids) != 1 || ids[0] != uint32(want) {
			t.Fatalf("attached XDP programs %v, want [%d]", ids, want)
		}
		if err := s1.Close(); err != nil {
			t.Fatal(err)
		}
		if ids := xdpProgs(t, p.A, p.IfA); len(ids) != 1 || ids[0] != uint32(want) {
			t.Fatalf("after closing one of two sockets: attached XDP programs %v, want [%d]", ids, want)
		}
		if err := s2.Close(); err != nil {
			t.Fatal(err)
		}
		waitNoProg(t, p.A, p.IfA)
		if err := u.Close(); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("sigkill", func(t *testing.T) {
		p := newPair(t)
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperEnv+"="+p.A.Name+" "+p.IfA)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waited := false
		reap := func() {
			if !waited {
				waited = true
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
			}
		}
		t.Cleanup(reap)

		lines := make(chan string, 1)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if l := sc.Text(); l == "ready" || strings.HasPrefix(l, "error:") {
					lines <- l
					return
				}
			}
			lines <- "EOF"
		}()
		select {
		case l := <-lines:
			if l != "ready" {
				reap()
				netnstest.Require(t, fmt.Errorf("%s (stderr: %s)", l, stderr.String()), "child process with an AF_XDP socket")
			}
		case <-time.After(10 * time.Second):
			reap()
			t.Fatalf("the child did not get ready within 10 s (stderr: %s)", stderr.String())
		}
		if ids := xdpProgs(t, p.A, p.IfA); len(ids) != 1 {
			t.Fatalf("with the child's socket: attached XDP programs %v, want one", ids)
		}

		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		waited = true
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("child ended with %v, want killed by SIGKILL", err)
		}
		waitNoProg(t, p.A, p.IfA)

		// The queue is free again: a new socket binds on it and receives.
		a := openEnd(t, p.A, p.IfA, xsk.UmemConfig{}, copyCfg(xsk.AttachDrv))
		if ids := xdpProgs(t, p.A, p.IfA); len(ids) != 1 {
			t.Fatalf("with the new socket: attached XDP programs %v, want one", ids)
		}
		a.fill(len(a.rxFree))
		ps := openPacket(t, p.B, p.IfB)
		want := framesBA(p, 0, 4, 200)
		sendPacket(t, ps, want)
		checkFrames(t, datas(a.recv(len(want))), want)
	})
}

// openFDs returns the open file descriptors of the process and what they
// refer to.
func openFDs() (map[string]string, error) {
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return nil, err
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	self := fmt.Sprint(d.Fd())
	fds := map[string]string{}
	for _, n := range names {
		if n == self {
			continue
		}
		target, err := os.Readlink("/proc/self/fd/" + n)
		if err != nil {
			continue // closed meanwhile
		}
		fds[n] = target
	}
	return fds, nil
}

// memSnapshot is what /proc/self/maps and /proc/self/status say about the
// process's mappings.
type memSnapshot struct {
	lines   []string // /proc/self/maps
	sockets int      // mappings of sockets: AF_XDP rings ("socket:[inode]")
	mapped  uint64   // bytes mapped accessible (PROT_NONE reservations left out)
	threads int
}

func snapshot() (memSnapshot, error) {
	var m memSnapshot
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return m, err
	}
	m.lines = strings.Split(strings.TrimSpace(string(b)), "\n")
	for _, l := range m.lines {
		if strings.Contains(l, "socket:[") {
			m.sockets++
		}
		var lo, hi uint64
		var perm string
		if _, err := fmt.Sscanf(l, "%x-%x %s", &lo, &hi, &perm); err != nil {
			return m, fmt.Errorf("/proc/self/maps line %q: %w", l, err)
		}
		if !strings.HasPrefix(perm, "---") {
			m.mapped += hi - lo
		}
	}
	st, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return m, err
	}
	for _, l := range strings.Split(string(st), "\n") {
		if v, ok := strings.CutPrefix(l, "Threads:"); ok {
			if _, err := fmt.Sscan(v, &m.threads); err != nil {
				return m, fmt.Errorf("/proc/self/status %q: %w", l, err)
			}
		}
	}
	return m, nil
}

// TEARDOWN: creating and closing a UMEM and a socket 100 times leaves no
// file descriptor, mapping or XDP program behind.
//
// The Go runtime maps memory of its own meanwhile, which the counts
// allow for: a new heap arena or off-heap metadata (up to ~6 lines and a
// few MB), and per new OS thread a stack and a C malloc arena (4 lines,
// 8 MB). Leaking one mapping per round would add 100 lines; a leaked UMEM
// area may merge with its neighbours into one line, but its 2 MB per
// round do not hide in the mapped size.
func TestTeardown(t *testing.T) {
	const rounds = 100
	const umemSize = 512 * xsk.DefaultFrameSize
	p := newPair(t)
	round := func() error {
		u, err := xsk.NewUmem(nil, xsk.UmemConfig{Size: umemSize, FillSize: 64, CompSize: 64})
		if err != nil {
			return err
		}
		s, err := xsk.NewSocket(p.IfA, 0, u, xsk.SocketConfig{RxSize: 64, TxSize: 64, AttachMode: xsk.AttachDrv, BindFlags: xsk.BindCopy})
		if err != nil {
			u.Close()
			return err
		}
		if err := s.Close(); err != nil {
			return err
		}
		return u.Close()
	}
	// Some rounds first, so that what the libraries set up once (probes,
	// caches) and the Go heap's growth to its working size are not
	// counted.
	netnstest.Require(t, p.A.Do(round), "AF_XDP socket")
	for i := 0; i < 9; i++ {
		if err := p.A.Do(round); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	fds0, err := openFDs()
	if err != nil {
		t.Fatal(err)
	}
	m0, err := snapshot()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = p.A.Do(func() error {
		for i := 0; i < rounds; i++ {
			if err := round(); err != nil {
				return fmt.Errorf("round %d: %w", i, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d rounds in %v", rounds, time.Since(start))
	runtime.GC()
	fds1, err := openFDs()
	if err != nil {
		t.Fatal(err)
	}
	m1, err := snapshot()
	if err != nil {
		t.Fatal(err)
	}

	for fd, target := range fds1 {
		if fds0[fd] != target {
			t.Errorf("fd %s -> %s opened and not closed", fd, target)
		}
	}
	if len(fds1) != len(fds0) {
		t.Errorf("%d fds open, %d before", len(fds1), len(fds0))
	}
	if m1.sockets != m0.sockets {
		t.Errorf("%d socket (ring) mappings, %d before", m1.sockets, m0.sockets)
	}
	newThreads := max(m1.threads-m0.threads, 0)
	if grown := int64(m1.mapped - m0.mapped); grown >= rounds*umemSize/2 {
		t.Errorf("%d bytes more mapped after %d rounds with %d-byte UMEMs (%d new threads)", grown, rounds, umemSize, newThreads)
	}
	if slack := 6 + 4*newThreads; len(m1.lines) > len(m0.lines)+slack || len(m1.lines) < len(m0.lines)-slack {
		t.Errorf("%d mappings, %d before (%d new threads)", len(m1.lines), len(m0.lines), newThreads)
	}
	if len(m1.lines) != len(m0.lines) {
		t.Logf("%d mappings, %d before, %d new threads; the changes:", len(m1.lines), len(m0.lines), newThreads)
		for _, l := range m0.lines {
			if !slices.Contains(m1.lines, l) {
				t.Logf("  before only: %s", l)
			}
		}
		for _, l := range m1.lines {
			if !slices.Contains(m0.lines, l) {
				t.Logf("  after only: %s", l)
			}
		}
	}
	t.Logf("fds %d, mappings %d (%d of sockets), %d bytes mapped (%+d), %d threads",
		len(fds1), len(m1.lines), m1.sockets, m1.mapped, int64(m1.mapped-m0.mapped), m1.threads)
	waitNoProg(t, p.A, p.IfA)
}
