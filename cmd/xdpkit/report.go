package main

import (
	"fmt"
	"io"
	"time"

	"github.com/xdpkit/xdpkit/xsk"
)

// reporter prints the progress of rxdrop, txonly, l2fwd and gen: a line
// redrawn in place on a terminal, a plain line per second when piped, or
// one JSON object per second and a summary object with --json.
type reporter struct {
	w      io.Writer
	cmd    string
	verb   string // "received", "sent", "forwarded"
	json   bool
	tty    bool
	ifname string
	queue  uint32
	start  time.Time
	last   time.Time
	lastN  uint64
	drawn  bool
	// ready, when set, is closed once the run has started.
	ready chan struct{}
	// noQueue leaves the queue out of the start line (live frames).
	noQueue bool
}

// progressJSON is one --json object.
type progressJSON struct {
	Type      string      `json:"type"` // start, progress or summary
	Cmd       string      `json:"cmd"`
	Ifname    string      `json:"ifname"`
	Queue     uint32      `json:"queue"`
	Mode      string      `json:"mode,omitempty"` // start: XDP and socket mode
	Elapsed   float64     `json:"elapsed_s"`
	Packets   uint64      `json:"packets"`
	PPS       float64     `json:"pps"`
	Drops     uint64      `json:"drops"`
	FillEmpty uint64      `json:"fill_ring_empty"`
	Stats     *sockCounts `json:"stats,omitempty"`
}

// sockCounts is xsk.Statistics in JSON.
type sockCounts struct {
	RxDropped     uint64 `json:"rx_dropped"`
	RxInvalid     uint64 `json:"rx_invalid"`
	TxInvalid     uint64 `json:"tx_invalid"`
	RxRingFull    uint64 `json:"rx_ring_full"`
	FillRingEmpty uint64 `json:"fill_ring_empty"`
	TxRingEmpty   uint64 `json:"tx_ring_empty"`
}

func newReporter(e *env, cmd, verb, ifname string, queue uint32, asJSON bool) *reporter {
	now := time.Now()
	return &reporter{w: e.stdout, cmd: cmd, verb: verb, json: asJSON, tty: e.tty && !asJSON,
		ifname: ifname, queue: queue, start: now, last: now}
}

// started announces the run: "rxdrop: receiving on eth0 queue 0 (drv
// mode, copy)" for what "receiving on" and that mode.
func (r *reporter) started(what, mode string) {
	r.start, r.last = time.Now(), time.Now()
	if r.json {
		_ = writeJSONLine(r.w, progressJSON{Type: "start", Cmd: r.cmd, Ifname: r.ifname, Queue: r.queue, Mode: mode})
	} else {
		where := fmt.Sprintf("%s queue %d", r.ifname, r.queue)
		if r.noQueue {
			where = r.ifname
		}
		fmt.Fprintf(r.w, "%s: %s %s (%s)\n", r.cmd, what, where, mode)
	}
	if r.ready != nil {
		close(r.ready)
	}
}

// due reports whether a progress line is due (about once a second).
func (r *reporter) due(now time.Time) bool { return now.Sub(r.last) >= time.Second }

// progress prints the per-second line; st is nil for senders without a
// socket.
func (r *reporter) progress(now time.Time, packets uint64, st *xsk.Statistics) {
	p := r.sample("progress", now, packets, st, now.Sub(r.last))
	r.last, r.lastN = now, packets
	switch {
	case r.json:
		_ = writeJSONLine(r.w, p)
	case r.tty:
		fmt.Fprintf(r.w, "\r\033[K%s", r.line(p))
		r.drawn = true
	default:
		fmt.Fprintln(r.w, r.line(p))
	}
}

// summary prints the final result.
func (r *reporter) summary(packets uint64, st *xsk.Statistics) {
	now := time.Now()
	p := r.sample("summary", now, packets, st, now.Sub(r.start))
	p.PPS = 0
	if el := now.Sub(r.start).Seconds(); el > 0 {
		p.PPS = float64(packets) / el
	}
	if r.json {
		_ = writeJSONLine(r.w, p)
		return
	}
	if r.drawn {
		fmt.Fprintln(r.w)
	}
	fmt.Fprintf(r.w, "%s: %s %d packets in %.1fs (%.0f pps", r.cmd, r.verb, packets, p.Elapsed, p.PPS)
	if p.Stats != nil {
		fmt.Fprintf(r.w, ", drops %d, fill-ring empty %d", p.Drops, p.FillEmpty)
	}
	fmt.Fprintln(r.w, ")")
}

func (r *reporter) sample(typ string, now time.Time, packets uint64, st *xsk.Statistics, d time.Duration) progressJSON {
	p := progressJSON{Type: typ, Cmd: r.cmd, Ifname: r.ifname, Queue: r.queue,
		Elapsed: now.Sub(r.start).Seconds(), Packets: packets}
	if d > 0 && packets >= r.lastN {
		base := r.lastN
		if typ == "summary" {
			base = 0
		}
		p.PPS = float64(packets-base) / d.Seconds()
	}
	if st != nil {
		p.Drops = st.RxDropped + st.RxRingFull
		p.FillEmpty = st.RxFillRingEmptyDescs
		p.Stats = &sockCounts{st.RxDropped, st.RxInvalidDescs, st.TxInvalidDescs, st.RxRingFull, st.RxFillRingEmptyDescs, st.TxRingEmptyDescs}
	}
	return p
}

func (r *reporter) line(p progressJSON) string {
	l := fmt.Sprintf("%s: %10.0f pps  %s %d", r.cmd, p.PPS, r.verb, p.Packets)
	if p.Stats != nil {
		l += fmt.Sprintf("  drops %d  fill-ring empty %d", p.Drops, p.FillEmpty)
	}
	return l
}
