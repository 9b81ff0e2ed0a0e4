package main

import (
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/xdpkit/xdpkit/internal/xskdiag"
)

func init() {
	register(&command{
		name:    "stats",
		args:    "[--watch] [--interval 1s] [--count N] [flags]",
		summary: "XDP_STATISTICS of every AF_XDP socket, once or as live rates",
		about: `Prints the kernel's XDP_STATISTICS counters of every AF_XDP socket in this
network namespace, one row per socket:
  RX_DROP     frames dropped for other reasons than invalid descriptors
              (for instance no frame on the fill ring in copy mode)
  RX_INVALID  invalid descriptors on the RX ring
  RX_FULL     frames dropped because the RX ring was full
  FILL_EMPTY  times the fill ring was empty when a frame arrived
  TX_INVALID  invalid descriptors on the TX ring
  TX_EMPTY    times the TX ring was empty when the kernel looked

With --watch the table is refreshed every interval and shows rates per
second instead of totals (redrawn in place on a terminal); --count stops
after N refreshes.`,
		examples: []string{
			"xdpkit stats",
			"xdpkit stats --watch",
			"xdpkit stats --watch --interval 500ms --count 10 --json",
		},
		setup: setupStats,
	})
}

// statsRow is one socket in `stats` output.
type statsRow struct {
	Ifname  string        `json:"ifname"`
	Ifindex uint32        `json:"ifindex"`
	Queue   uint32        `json:"queue"`
	Ino     uint64        `json:"ino"`
	Owner   string        `json:"owner,omitempty"`
	Totals  xskdiag.Stats `json:"totals"`
	Rates   *statsRates   `json:"rates,omitempty"`
}

// statsRates are counter increments per second.
type statsRates struct {
	RxDropped     float64 `json:"rx_dropped"`
	RxInvalid     float64 `json:"rx_invalid"`
	RxFull        float64 `json:"rx_full"`
	FillRingEmpty float64 `json:"fill_ring_empty"`
	TxInvalid     float64 `json:"tx_invalid"`
	TxRingEmpty   float64 `json:"tx_ring_empty"`
}

// statsSample is one `stats --json` object.
type statsSample struct {
	Time     string     `json:"time"`
	Interval float64    `json:"interval_s,omitempty"`
	Sockets  []statsRow `json:"sockets"`
}

func setupStats(fs *flagSet) func(*env, []string) error {
	watch := fs.Bool("watch", false, "refresh every interval with rates per second")
	interval := fs.duration("interval", time.Second, "refresh interval with --watch")
	count := fs.Int("count", 0, "with --watch, stop after `N` refreshes (0: until interrupted)")
	asJSON := fs.Bool("json", false, "print one JSON object per table")
	backend := fs.String("backend", "auto", "how to find AF_XDP sockets (`MODE`: auto, sock_diag or bpf_iter)")
	fs.alias("w", "watch")
	fs.alias("i", "interval")
	fs.alias("c", "count")
	return func(e *env, args []string) error {
		if len(args) > 0 {
			return usagef("unexpected argument %q", args[0])
		}
		if *count < 0 {
			return usagef("--count %d: want 0 or more", *count)
		}
		if *count > 0 && !*watch {
			return usagef("--count needs --watch")
		}
		if *interval < 10*time.Millisecond {
			return usagef("--interval %v: want at least 10ms", *interval)
		}
		b, err := parseBackend(*backend)
		if err != nil {
			return err
		}
		prev, err := statsSnapshot(b)
		if err != nil {
			return err
		}
		if !*watch {
			if *asJSON {
				return writeJSONLine(e.stdout, statsSample{Time: time.Now().Format(time.RFC3339), Sockets: prev})
			}
			printStatsTable(e.stdout, prev, false)
			return nil
		}
		prevT := time.Now()
		for n := 0; *count == 0 || n < *count; n++ {
			sleep(e, *interval)
			if e.ctx.Err() != nil {
				return nil
			}
			cur, err := statsSnapshot(b)
			if err != nil {
				return err
			}
			now := time.Now()
			addRates(cur, prev, now.Sub(prevT))
			prev, prevT = cur, now
			switch {
			case *asJSON:
				if err := writeJSONLine(e.stdout, statsSample{Time: now.Format(time.RFC3339Nano), Interval: interval.Seconds(), Sockets: cur}); err != nil {
					return err
				}
			case e.tty:
				fmt.Fprint(e.stdout, "\033[H\033[2J")
				fmt.Fprintf(e.stdout, "xdpkit stats  %s  every %v, per second (Ctrl-C to stop)\n\n", now.Format("15:04:05"), *interval)
				printStatsTable(e.stdout, cur, true)
			default:
				fmt.Fprintf(e.stdout, "--- %s  per second over %v\n", now.Format("15:04:05.000"), *interval)
				printStatsTable(e.stdout, cur, true)
			}
		}
		return nil
	}
}

// statsSnapshot lists the sockets with their counters.
func statsSnapshot(b xskdiag.Backend) ([]statsRow, error) {
	socks, err := xskdiag.List(b, xskdiag.ShowInfo|xskdiag.ShowStats)
	if err != nil {
		return nil, fmt.Errorf("list AF_XDP sockets: %w", err)
	}
	rows := []statsRow{}
	for _, s := range socks {
		r := statsRow{Ifindex: s.Ifindex, Queue: s.Queue, Ino: s.Ino, Ifname: "-"}
		if s.Ifindex != 0 {
			r.Ifname = strconv.Itoa(int(s.Ifindex))
			if ifi, err := net.InterfaceByIndex(int(s.Ifindex)); err == nil {
				r.Ifname = ifi.Name
			}
		}
		if len(s.Owners) > 0 {
			r.Owner = fmt.Sprintf("%d/%s", s.Owners[0].PID, s.Owners[0].Comm)
		}
		if s.Stats != nil {
			r.Totals = *s.Stats
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// addRates fills in the rates of cur from the previous snapshot; sockets
// that were not there before get zero rates.
func addRates(cur, prev []statsRow, d time.Duration) {
	old := map[uint64]xskdiag.Stats{}
	for _, r := range prev {
		old[r.Ino] = r.Totals
	}
	sec := d.Seconds()
	for i := range cur {
		r := &cur[i]
		o, ok := old[r.Ino]
		if !ok || sec <= 0 {
			r.Rates = &statsRates{}
			continue
		}
		rate := func(now, before uint64) float64 {
			if now < before {
				return 0
			}
			return float64(now-before) / sec
		}
		t := r.Totals
		r.Rates = &statsRates{
			RxDropped: rate(t.RxDropped, o.RxDropped), RxInvalid: rate(t.RxInvalid, o.RxInvalid),
			RxFull: rate(t.RxFull, o.RxFull), FillRingEmpty: rate(t.FillRingEmpty, o.FillRingEmpty),
			TxInvalid: rate(t.TxInvalid, o.TxInvalid), TxRingEmpty: rate(t.TxRingEmpty, o.TxRingEmpty),
		}
	}
}

func printStatsTable(w io.Writer, rows []statsRow, rates bool) {
	if len(rows) == 0 {
		fmt.Fprintln(w, "no AF_XDP sockets in this network namespace")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "IFACE\tQ\tINO\tOWNER\tRX_DROP\tRX_INVALID\tRX_FULL\tFILL_EMPTY\tTX_INVALID\tTX_EMPTY\t")
	for _, r := range rows {
		var v []string
		if rates && r.Rates != nil {
			for _, x := range []float64{r.Rates.RxDropped, r.Rates.RxInvalid, r.Rates.RxFull, r.Rates.FillRingEmpty, r.Rates.TxInvalid, r.Rates.TxRingEmpty} {
				v = append(v, strconv.FormatFloat(x, 'f', 0, 64))
			}
		} else {
			t := r.Totals
			for _, x := range []uint64{t.RxDropped, t.RxInvalid, t.RxFull, t.FillRingEmpty, t.TxInvalid, t.TxRingEmpty} {
				v = append(v, strconv.FormatUint(x, 10))
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t\n", r.Ifname, r.Queue, r.Ino, orDash(r.Owner), strings.Join(v, "\t"))
	}
	tw.Flush()
}

// sleep waits d or until the command is interrupted.
func sleep(e *env, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-e.ctx.Done():
	case <-t.C:
	}
}
