// Package gen is xdpkit's traffic generator: a pacing loop that drives a
// Sender at a target rate for a bounded time or frame count, and two
// senders — Live, which runs an XDP redirect program with BPF_PROG_RUN
// and BPF_F_TEST_XDP_LIVE_FRAMES (the fastest way to put frames on a veth,
// 13–24 Mpps on a small VM), and AFXDP, a TX-only AF_XDP socket. The CLI
// (`xdpkit gen`, `xdpkit txonly`) and the benchmarks share it.
package gen

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// Sender puts copies of one frame on the wire.
type Sender interface {
	// Send transmits up to n frames and returns how many went out.
	Send(n uint32) (uint32, error)
	// MaxBatch is the largest n worth passing to Send.
	MaxBatch() uint32
	// Close releases the sender.
	Close() error
}

// Config bounds and paces a run. With neither Duration nor Count set, a
// run lasts until its context ends.
type Config struct {
	Rate     uint64        // frames per second; 0 sends as fast as possible
	Duration time.Duration // stop after this long (0: no limit)
	Count    uint64        // stop after this many frames (0: no limit)
	Batch    uint32        // frames per Send (0: 50 ms worth at Rate, at most MaxBatch)
	Interval time.Duration // between Report calls (0: 1 s)
	// Report, when set, is called every Interval with the progress so far.
	Report func(Progress)
}

// Progress is a snapshot of a running generator.
type Progress struct {
	Elapsed time.Duration // since the start
	Sent    uint64        // frames sent so far
	PPS     float64       // frames per second over the last interval
}

// Result is what a finished run sent.
type Result struct {
	Sent    uint64
	Elapsed time.Duration
}

// PPS is the average rate of the run.
func (r Result) PPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Sent) / r.Elapsed.Seconds()
}

// maxSleep bounds one pacing sleep, so that a run notices its context,
// deadline and report times promptly.
const maxSleep = 50 * time.Millisecond

// Run drives s as cfg says. Rate limiting sleeps between batches: a batch
// is sent once the frames already sent fall behind Rate × elapsed time.
func Run(ctx context.Context, s Sender, cfg Config) (Result, error) {
	batch := cfg.Batch
	if batch == 0 {
		batch = s.MaxBatch()
		if cfg.Rate > 0 {
			batch = uint32(min(max(cfg.Rate/20, 1), uint64(batch)))
		}
	}
	if batch == 0 {
		return Result{}, fmt.Errorf("generator batch size 0: %w", unix.EINVAL)
	}
	interval := cfg.Interval
	if interval <= 0 {
		interval = time.Second
	}
	start := time.Now()
	lastT, lastSent := start, uint64(0)
	var sent uint64
	for {
		now := time.Now()
		el := now.Sub(start)
		if ctx.Err() != nil || (cfg.Duration > 0 && el >= cfg.Duration) || (cfg.Count > 0 && sent >= cfg.Count) {
			break
		}
		if cfg.Report != nil && now.Sub(lastT) >= interval {
			cfg.Report(Progress{Elapsed: el, Sent: sent, PPS: float64(sent-lastSent) / now.Sub(lastT).Seconds()})
			lastT, lastSent = now, sent
		}
		n := uint64(batch)
		if cfg.Count > 0 {
			n = min(n, cfg.Count-sent)
		}
		if cfg.Rate > 0 {
			due := uint64(el.Seconds() * float64(cfg.Rate))
			if due <= sent {
				next := start.Add(time.Duration(float64(sent+1) / float64(cfg.Rate) * float64(time.Second)))
				wait := min(next.Sub(now), maxSleep, lastT.Add(interval).Sub(now))
				if cfg.Duration > 0 {
					wait = min(wait, start.Add(cfg.Duration).Sub(now))
				}
				sleep(ctx, wait)
				continue
			}
			n = min(n, due-sent)
		}
		got, err := s.Send(uint32(n))
		sent += uint64(got)
		if err != nil {
			return Result{Sent: sent, Elapsed: time.Since(start)}, err
		}
	}
	return Result{Sent: sent, Elapsed: time.Since(start)}, nil
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
