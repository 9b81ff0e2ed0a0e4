package main

import (
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// mustRunIP runs an iproute2 command.
func mustRunIP(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ip %v: %v: %s", args, err, out)
	}
	return string(out)
}

func TestDemo(t *testing.T) {
	r := xdpkit(t, "", "demo", "--duration", "1s", "--rate", "200000")
	if r.code != 0 || !strings.Contains(r.stdout, "demo: ok\n") {
		t.Fatalf("demo: exit %d", r.code)
	}
	m := regexp.MustCompile(`demo: sent (\d+) frames from (xdpkit-demo-\d+-\w+)-b/vb, rxdrop received (\d+) on`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no demo summary line")
	}
	sent, _ := strconv.Atoi(m[1])
	got, _ := strconv.Atoi(m[3])
	if sent < 100000 || got == 0 || got > sent {
		t.Errorf("demo sent %d, received %d", sent, got)
	}
	// The socket showed up in the ifaces listing, and the namespaces are gone.
	if !strings.Contains(r.stdout, "  [A]     xsk           queue 0  ino ") {
		t.Errorf("demo did not show the socket")
	}
	if out := mustRunIP(t, "netns", "list"); strings.Contains(out, m[2]) {
		t.Errorf("demo left namespaces behind: %s", out)
	}
}
