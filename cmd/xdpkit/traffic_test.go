package main

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// startTimeout bounds the wait for a receiver to bind.
const startTimeout = 5 * time.Second

// jsonLines parses every stdout line as a progressJSON object.
func jsonLines(t *testing.T, out string) []progressJSON {
	t.Helper()
	var objs []progressJSON
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var p progressJSON
		if err := json.Unmarshal([]byte(l), &p); err != nil {
			t.Fatalf("--json line %q: %v", l, err)
		}
		objs = append(objs, p)
	}
	return objs
}

// summary returns the final object and checks the stream's shape: a
// start, progress objects, one summary last.
func summaryOf(t *testing.T, cmd string, objs []progressJSON) progressJSON {
	t.Helper()
	if len(objs) < 2 || objs[0].Type != "start" || objs[len(objs)-1].Type != "summary" {
		t.Fatalf("%s --json: %d objects, want start ... summary: %+v", cmd, len(objs), objs)
	}
	for _, o := range objs[1 : len(objs)-1] {
		if o.Type != "progress" || o.Cmd != cmd {
			t.Errorf("%s --json middle object %+v", cmd, o)
		}
	}
	return objs[len(objs)-1]
}

// plainCount parses "CMD: VERB N packets" from plain output.
func plainCount(t *testing.T, out, cmd, verb string) uint64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + cmd + `: ` + verb + ` (\d+) packets in `).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no %q summary in %q", cmd+": "+verb, out)
	}
	if strings.Contains(out, "\r") || strings.Contains(out, "\033") {
		t.Errorf("%s wrote terminal control characters into a pipe", cmd)
	}
	n, _ := strconv.ParseUint(m[1], 10, 64)
	return n
}

// TestGenIntoRxdrop: the live-frames generator at a fixed rate into veth
// A, rxdrop on the peer B counts them; both with --json.
func TestGenIntoRxdrop(t *testing.T) {
	p := newPair(t)
	rx := start(t, p.B.Name, "rxdrop", p.IfB, "-q", "0", "-m", "drv", "-d", "2.5s", "--json")
	rx.waitFor(`"type":"start"`, startTimeout)
	out := mustRun(t, p.A.Name, "gen", p.IfA, "--rate", "100000", "--duration", "1.2s", "--json")
	g := summaryOf(t, "gen", jsonLines(t, out))
	if g.Packets < 60000 || g.Packets > 160000 || g.PPS < 50000 || g.PPS > 150000 {
		t.Errorf("gen at 100000 pps for 1.2s: %d packets, %.0f pps", g.Packets, g.PPS)
	}
	r := rx.wait()
	if r.code != 0 {
		t.Fatalf("rxdrop exit %d", r.code)
	}
	objs := jsonLines(t, r.stdout)
	s := summaryOf(t, "rxdrop", objs)
	if !strings.Contains(objs[0].Mode, "drv mode") {
		t.Errorf("rxdrop start %+v: want drv mode", objs[0])
	}
	if s.Packets == 0 || s.Packets+s.Drops > g.Packets || s.Stats == nil {
		t.Errorf("rxdrop counted %d (+%d dropped) of %d sent", s.Packets, s.Drops, g.Packets)
	}
}

// TestTxonlyIntoRxdrop: txonly's AF_XDP socket in A, rxdrop in B, plain
// output through pipes.
func TestTxonlyIntoRxdrop(t *testing.T) {
	p := newPair(t)
	rx := start(t, p.B.Name, "rxdrop", p.IfB, "-m", "skb", "-d", "2s")
	rx.waitFor("rxdrop: receiving on "+p.IfB+" queue 0 (skb mode, copy)", startTimeout)
	out := mustRun(t, p.A.Name, "txonly", p.IfA, "-d", "0.8", "--copy", "--size", "128")
	if !strings.Contains(out, "txonly: sending 128-byte frames on "+p.IfA+" queue 0 (no program, copy)") {
		t.Errorf("txonly start line missing")
	}
	sent := plainCount(t, out, "txonly", "sent")
	r := rx.wait()
	got := plainCount(t, r.stdout, "rxdrop", "received")
	if r.code != 0 || sent == 0 || got == 0 || got > sent {
		t.Errorf("txonly sent %d, rxdrop received %d (exit %d)", sent, got, r.code)
	}
}

// TestGenAFXDPIntoRxdrop: gen --afxdp bounded by --count.
func TestGenAFXDPIntoRxdrop(t *testing.T) {
	p := newPair(t)
	rx := start(t, p.B.Name, "rxdrop", p.IfB, "-d", "2s")
	rx.waitFor("rxdrop: receiving on", startTimeout)
	out := mustRun(t, p.A.Name, "gen", p.IfA, "--afxdp", "--copy", "--count", "20000", "--rate", "50000", "--duration", "3s")
	sent := plainCount(t, out, "gen", "sent")
	if sent < 20000 || sent > 20000+256 {
		t.Errorf("gen --count 20000 sent %d", sent)
	}
	r := rx.wait()
	if got := plainCount(t, r.stdout, "rxdrop", "received"); got == 0 || got > sent {
		t.Errorf("rxdrop received %d of %d", got, sent)
	}
}

// TestL2fwd: frames from A come back to A's stack through l2fwd in B.
func TestL2fwd(t *testing.T) {
	p := newPair(t)
	before := rxPackets(t, p.A.Name, p.IfA)
	fw := start(t, p.B.Name, "l2fwd", p.IfB, "-m", "drv", "-d", "2s", "--json")
	fw.waitFor(`"type":"start"`, startTimeout)
	mustRun(t, p.A.Name, "gen", p.IfA, "--rate", "20000", "--duration", "0.8s")
	r := fw.wait()
	s := summaryOf(t, "l2fwd", jsonLines(t, r.stdout))
	back := rxPackets(t, p.A.Name, p.IfA) - before
	if r.code != 0 || s.Packets == 0 || back == 0 {
		t.Errorf("l2fwd forwarded %d, %s received %d back (exit %d)", s.Packets, p.IfA, back, r.code)
	}
}

// rxPackets reads an interface's RX packet counter in a namespace.
func rxPackets(t *testing.T, ns, ifname string) uint64 {
	t.Helper()
	out := mustRunIP(t, "-n", ns, "-j", "-s", "link", "show", "dev", ifname)
	var links []struct {
		Stats struct {
			RX struct {
				Packets uint64 `json:"packets"`
			} `json:"rx"`
		} `json:"stats64"`
	}
	if err := json.Unmarshal([]byte(out), &links); err != nil || len(links) != 1 {
		t.Fatalf("ip -j -s link show: %v %q", err, out)
	}
	return links[0].Stats.RX.Packets
}

func TestZeroCopyFallbackError(t *testing.T) {
	p := newPair(t)
	r := xdpkit(t, p.B.Name, "rxdrop", p.IfB, "--zero-copy", "-d", "1")
	if r.code != exitRuntime || !strings.Contains(r.stderr, hintZC) {
		t.Errorf("rxdrop --zero-copy on veth: exit %d %q", r.code, r.stderr)
	}
	if r := xdpkit(t, p.B.Name, "rxdrop", "nosuchif0", "-d", "1"); r.code != exitRuntime || !strings.Contains(r.stderr, hintNoDev) {
		t.Errorf("rxdrop on a missing interface: exit %d %q", r.code, r.stderr)
	}
}
