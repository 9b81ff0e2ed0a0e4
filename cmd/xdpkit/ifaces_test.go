package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xdpkit/xdpkit/internal/netnstest"
	"github.com/xdpkit/xdpkit/xsk"
	"golang.org/x/sys/unix"
)

// newPair creates the namespaces with IPv6 off.
func newPair(t *testing.T) *netnstest.Pair {
	t.Helper()
	p := netnstest.NewPair(t)
	netnstest.Require(t, p.DisableIPv6(), "disable IPv6 in the test namespaces")
	return p
}

// testSocket is an AF_XDP socket the test process holds in a namespace.
type testSocket struct {
	sock   *xsk.Socket
	ino    uint64
	progID uint32
}

// openTestSocket binds an AF_XDP socket (copy mode, empty fill ring) to
// queue 0 of ifname in ns, with the default program in native mode
// unless noProg.
func openTestSocket(t *testing.T, ns netnstest.NS, ifname string, noProg bool) *testSocket {
	t.Helper()
	ts := &testSocket{}
	var u *xsk.Umem
	err := ns.Do(func() (err error) {
		if u, err = xsk.NewUmem(nil, xsk.UmemConfig{Size: 64 * 4096, FillSize: 64, CompSize: 64}); err != nil {
			return err
		}
		ts.sock, err = xsk.NewSocket(ifname, 0, u, xsk.SocketConfig{RxSize: 128, TxSize: 256,
			AttachMode: xsk.AttachDrv, BindFlags: xsk.BindCopy, NoProgram: noProg})
		if err != nil {
			u.Close()
		}
		return err
	})
	netnstest.Require(t, err, "AF_XDP socket on veth")
	t.Cleanup(func() { ts.sock.Close(); u.Close() })
	var st unix.Stat_t
	if err := unix.Fstat(ts.sock.FD(), &st); err != nil {
		t.Fatal(err)
	}
	ts.ino = st.Ino
	if p := ts.sock.Program(); p != nil {
		id, err := p.ProgramID()
		if err != nil {
			t.Fatal(err)
		}
		ts.progID = uint32(id)
	}
	return ts
}

// sendFrames sends n UDP frames from A to B with a packet socket, one
// per interval.
func sendFrames(t *testing.T, p *netnstest.Pair, n int, interval time.Duration) {
	t.Helper()
	ps, err := p.A.OpenPacket(p.IfA)
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	for i := 0; i < n; i++ {
		if err := ps.Send(netnstest.UDPFrame(p.MacA, p.MacB, p.IPA, p.IPB, 64, uint32(i))); err != nil {
			t.Fatal(err)
		}
		time.Sleep(interval)
	}
}

func TestIfacesListsSocket(t *testing.T) {
	p := newPair(t)
	ts := openTestSocket(t, p.B, p.IfB, false)

	out := mustRun(t, p.B.Name, "ifaces", p.IfB)
	wantXSK := fmt.Sprintf("    xsk           queue 0  ino %d  rx 128 tx 256 fill 64 comp 64  umem ", ts.ino)
	if !strings.Contains(out, wantXSK) {
		t.Errorf("ifaces output lacks %q", wantXSK)
	}
	xdpLine := regexp.MustCompile(`(?m)^    xdp           drv  prog (\d+) xdpkit_redirect  link (\d+)$`).FindStringSubmatch(out)
	if xdpLine == nil || xdpLine[1] != strconv.Itoa(int(ts.progID)) || xdpLine[2] == "0" {
		t.Errorf("ifaces output lacks the xdp line with prog %d and a link id: %v", ts.progID, xdpLine)
	}
	if !regexp.MustCompile(`(?m)^\d+: `+p.IfB+` \(up, 02:00:00:00:00:0b\)$`).MatchString(out) ||
		!strings.Contains(out, "    queues        rx 1  tx 1\n") || !strings.Contains(out, "xdp-features  basic redirect") {
		t.Errorf("ifaces header, queues or features missing")
	}
	if !strings.Contains(out, fmt.Sprintf("copy  pid %d (", unix.Getpid())) {
		t.Errorf("ifaces output does not name the test process as owner")
	}

	var reports []ifaceReport
	if err := json.Unmarshal([]byte(mustRun(t, p.B.Name, "ifaces", "--json")), &reports); err != nil {
		t.Fatalf("ifaces --json: %v", err)
	}
	var found bool
	for _, r := range reports {
		if r.Name != p.IfB {
			if len(r.Sockets) != 0 {
				t.Errorf("%s lists sockets %+v", r.Name, r.Sockets)
			}
			continue
		}
		found = true
		if r.RxQueues < 1 || r.TxQueues < 1 || r.ZeroCopy || len(r.XDP) != 1 || r.XDP[0].ProgID != ts.progID || r.XDP[0].LinkID == 0 || r.XDP[0].Mode != "drv" {
			t.Errorf("report %+v", r)
		}
		if len(r.Sockets) != 1 || r.Sockets[0].Ino != ts.ino || r.Sockets[0].Queue != 0 || r.Sockets[0].RxRing != 128 {
			t.Errorf("sockets %+v, want ino %d on queue 0", r.Sockets, ts.ino)
		}
	}
	if !found {
		t.Errorf("ifaces --json lacks %s", p.IfB)
	}

	// The other namespace sees neither the socket nor a program.
	outA := mustRun(t, p.A.Name, "ifaces", p.IfA)
	if !strings.Contains(outA, "    xsk           none\n") || !strings.Contains(outA, "    xdp           none\n") {
		t.Errorf("namespace A shows a socket or program")
	}
	if r := xdpkit(t, p.A.Name, "ifaces", "nosuchif0"); r.code != exitRuntime || !strings.Contains(r.stderr, "no such interface") {
		t.Errorf("ifaces nosuchif0: exit %d %q", r.code, r.stderr)
	}
}

// statsRowRe matches a `stats` row: IFACE Q INO OWNER and six counters.
var statsRowRe = regexp.MustCompile(`(?m)^\s*(\S+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$`)

func TestStats(t *testing.T) {
	p := newPair(t)
	ts := openTestSocket(t, p.B, p.IfB, false)
	sendFrames(t, p, 10, 0)

	// Totals: the frames found an empty fill ring.
	var row []string
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		out := mustRun(t, p.B.Name, "stats")
		row = nil
		for _, m := range statsRowRe.FindAllStringSubmatch(out, -1) {
			if m[3] == strconv.FormatUint(ts.ino, 10) {
				row = m
			}
		}
		if (row != nil && row[5] != "0") || time.Now().After(deadline) {
			break
		}
	}
	if row == nil || row[1] != p.IfB || row[2] != "0" || row[5] == "0" || row[8] == "0" {
		t.Fatalf("stats row %q: want %s queue 0 with RX_DROP and FILL_EMPTY > 0", row, p.IfB)
	}

	// --watch --json while frames keep arriving: rates > 0.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); sendFrames(t, p, 300, 2*time.Millisecond) }()
	out := mustRun(t, p.B.Name, "stats", "--watch", "--interval", "250ms", "--count", "2", "--json")
	wg.Wait()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("stats --watch --count 2 printed %d lines", len(lines))
	}
	var rate float64
	for _, l := range lines {
		var s statsSample
		if err := json.Unmarshal([]byte(l), &s); err != nil {
			t.Fatalf("stats --json line %q: %v", l, err)
		}
		if s.Interval != 0.25 || len(s.Sockets) != 1 || s.Sockets[0].Ino != ts.ino || s.Sockets[0].Rates == nil {
			t.Fatalf("sample %+v", s)
		}
		rate = max(rate, s.Sockets[0].Rates.RxDropped)
	}
	if rate <= 0 {
		t.Errorf("stats --watch showed no rx_dropped rate while frames arrived")
	}

	// Text --watch: a table per refresh.
	out = mustRun(t, p.B.Name, "stats", "-w", "-i", "100ms", "-c", "2")
	if strings.Count(out, "--- ") != 2 || strings.Count(out, "RX_DROP") != 2 || strings.Contains(out, "\033") {
		t.Errorf("stats --watch text output: %q", out)
	}
	if out := mustRun(t, p.A.Name, "stats"); !strings.Contains(out, "no AF_XDP sockets") {
		t.Errorf("stats in namespace A: %q", out)
	}
}
