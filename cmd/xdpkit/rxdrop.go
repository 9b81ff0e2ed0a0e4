package main

import (
	"context"
	"time"

	"github.com/xdpkit/xdpkit/xsk"
	"golang.org/x/sys/unix"
)

func init() {
	register(&command{
		name:    "rxdrop",
		args:    "IF [-q Q] [-m skb|drv|auto] [-d DURATION] [--json]",
		summary: "receive on one queue with AF_XDP, count and drop",
		about: `Binds an AF_XDP socket to queue Q of IF, attaches xdpkit's redirect program
and counts and drops every frame it receives. Every second it prints the
rate, the total, the drops (rx_dropped + rx_ring_full) and how often the
fill ring was empty: redrawn in place on a terminal, a line per second when
piped, or JSON objects with --json (a "start", one "progress" per second and
a final "summary").`,
		examples: []string{
			"xdpkit rxdrop eth0",
			"xdpkit rxdrop veth1 -q 0 -m drv -d 10s",
			"xdpkit rxdrop veth1 --copy --json -d 5",
		},
		setup: setupRxdrop,
	})
}

func setupRxdrop(fs *flagSet) func(*env, []string) error {
	af := addAppFlags(fs, true)
	return func(e *env, args []string) error {
		c, err := af.config(args)
		if err != nil {
			return err
		}
		rep := newReporter(e, "rxdrop", "received", c.ifname, c.queue, c.json)
		_, err = runRxdrop(e.ctx, c, rep)
		return err
	}
}

const (
	rxdropFrames = 4096
	rxBatch      = 64
	idleSpins    = 1024
)

// runRxdrop receives until c.duration or ctx ends and returns the count.
func runRxdrop(ctx context.Context, c appConfig, rep *reporter) (uint64, error) {
	u, s, err := openApp(c, rxdropFrames, xsk.SocketConfig{DisableTx: true, RxSize: rxdropFrames})
	if err != nil {
		return 0, err
	}
	fill, rx := s.Fill(), s.Rx()
	fill.Prefill(xsk.NewFramePool(u), rxdropFrames)
	rep.started("receiving on", socketMode(s))

	var received uint64
	end := deadline(time.Now(), c.duration)
	idle := 0
	for ctx.Err() == nil {
		if n, idx := rx.Peek(rxBatch); n > 0 {
			idle = 0
			fidx, ok := reserveFill(ctx, s, n)
			if !ok {
				break
			}
			for i := uint32(0); i < n; i++ {
				*fill.Addr(fidx + i) = xsk.AddrWithOffset(rx.Desc(idx+i).Addr) &^ (xsk.DefaultFrameSize - 1)
			}
			fill.Submit(n)
			rx.Release(n)
			received += uint64(n)
		} else {
			if fill.NeedsWakeup() {
				_ = s.WakeupRx()
			}
			if idle++; idle >= idleSpins {
				idle = 0
				if _, err := s.Poll(unix.POLLIN, 100); err != nil {
					closeApp(u, s)
					return received, err
				}
			}
		}
		now := time.Now()
		if rep.due(now) {
			rep.progress(now, received, stats(s))
		}
		if !end.IsZero() && now.After(end) {
			break
		}
	}
	st := stats(s)
	if err := closeApp(u, s); err != nil {
		return received, err
	}
	rep.summary(received, st)
	return received, nil
}

// reserveFill reserves n fill-ring entries, waking the kernel while the
// ring is full; false when ctx ended first.
func reserveFill(ctx context.Context, s *xsk.Socket, n uint32) (uint32, bool) {
	fill := s.Fill()
	for {
		if got, idx := fill.Reserve(n); got == n {
			return idx, true
		}
		if ctx.Err() != nil {
			return 0, false
		}
		if fill.NeedsWakeup() {
			_ = s.WakeupRx()
		}
	}
}
