package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/xdpkit/xdpkit/xsk"
)

// TestReporterModes checks the three progress displays without traffic.
func TestReporterModes(t *testing.T) {
	st := &xsk.Statistics{RxDropped: 3, RxRingFull: 2, RxFillRingEmptyDescs: 5}
	for _, mode := range []string{"tty", "plain", "json"} {
		var out bytes.Buffer
		e := &env{ctx: context.Background(), stdout: &out, tty: mode == "tty"}
		r := newReporter(e, "rxdrop", "received", "eth9", 1, mode == "json")
		r.started("receiving on", "drv mode, copy")
		now := r.start
		r.progress(now.Add(time.Second), 1000, st)
		r.progress(now.Add(2*time.Second), 3000, st)
		r.summary(3000, st)
		s := out.String()
		switch mode {
		case "tty":
			if strings.Count(s, "\r\033[K") != 2 || !strings.Contains(s, "rxdrop:       2000 pps  received 3000  drops 5  fill-ring empty 5\nrxdrop: received 3000 packets") {
				t.Errorf("tty output %q", s)
			}
		case "plain":
			if strings.Contains(s, "\r") || strings.Count(s, "\n") != 4 || !strings.Contains(s, "rxdrop: receiving on eth9 queue 1 (drv mode, copy)\n") {
				t.Errorf("plain output %q", s)
			}
		case "json":
			lines := strings.Split(strings.TrimSpace(s), "\n")
			if len(lines) != 4 {
				t.Fatalf("json output %q", s)
			}
			var p progressJSON
			for _, l := range lines {
				if err := json.Unmarshal([]byte(l), &p); err != nil {
					t.Fatalf("%q: %v", l, err)
				}
			}
			if p.Type != "summary" || p.Packets != 3000 || p.Drops != 5 || p.Stats.FillRingEmpty != 5 || p.Ifname != "eth9" || p.Queue != 1 {
				t.Errorf("summary %+v", p)
			}
		}
	}
}

func TestParseHex(t *testing.T) {
	for in, want := range map[string]string{"01000000": "\x01\x00\x00\x00", "0x0a0B": "\x0a\x0b", "01 02:03-04": "\x01\x02\x03\x04"} {
		if got, err := parseHex(in); err != nil || string(got) != want {
			t.Errorf("parseHex(%q) = %x, %v", in, got, err)
		}
	}
	for _, bad := range []string{"0", "zz", "0x1"} {
		if _, err := parseHex(bad); err == nil {
			t.Errorf("parseHex(%q) accepted", bad)
		}
	}
}
