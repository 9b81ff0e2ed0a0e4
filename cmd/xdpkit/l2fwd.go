package main

import (
	"context"
	"time"

	"github.com/xdpkit/xdpkit/xsk"
	"golang.org/x/sys/unix"
)

func init() {
	register(&command{
		name:    "l2fwd",
		args:    "IF [-q Q] [-m skb|drv|auto] [-d DURATION] [--json]",
		summary: "receive, swap the MAC addresses and send back out (AF_XDP)",
		about: `Binds an AF_XDP socket with RX and TX rings to queue Q of IF, and sends every
received frame back out of the same socket with its source and destination
MAC addresses swapped. Sent frames go from the completion ring back to the
fill ring. Progress is printed as for rxdrop; the count is of frames
forwarded (completed by the kernel).`,
		examples: []string{
			"xdpkit l2fwd eth0",
			"xdpkit l2fwd veth1 -m drv -d 10s --json",
		},
		setup: setupL2fwd,
	})
}

func setupL2fwd(fs *flagSet) func(*env, []string) error {
	af := addAppFlags(fs, true)
	return func(e *env, args []string) error {
		c, err := af.config(args)
		if err != nil {
			return err
		}
		rep := newReporter(e, "l2fwd", "forwarded", c.ifname, c.queue, c.json)
		_, err = runL2fwd(e.ctx, c, rep)
		return err
	}
}

const l2fwdFrames = 4096

// runL2fwd forwards until c.duration or ctx ends and returns the count.
func runL2fwd(ctx context.Context, c appConfig, rep *reporter) (uint64, error) {
	u, s, err := openApp(c, l2fwdFrames, xsk.SocketConfig{RxSize: l2fwdFrames / 2, TxSize: l2fwdFrames / 2})
	if err != nil {
		return 0, err
	}
	fill, comp, rx, tx := s.Fill(), s.Completion(), s.Rx(), s.Tx()
	fill.Prefill(xsk.NewFramePool(u), l2fwdFrames)
	rep.started("forwarding on", socketMode(s))

	var forwarded uint64
	var outstanding uint32
	end := deadline(time.Now(), c.duration)
	idle := 0
	for ctx.Err() == nil {
		// Frames the kernel sent go back to the fill ring.
		if outstanding > 0 {
			if tx.NeedsWakeup() {
				_ = s.Kick()
			}
			if n, idx := comp.Peek(rxBatch); n > 0 {
				if fidx, ok := reserveFill(ctx, s, n); ok {
					for i := uint32(0); i < n; i++ {
						*fill.Addr(fidx + i) = comp.Addr(idx + i)
					}
					fill.Submit(n)
				}
				comp.Release(n)
				outstanding -= n
				forwarded += uint64(n)
			}
		}
		n, idx := rx.Peek(rxBatch)
		if n == 0 {
			if fill.NeedsWakeup() {
				_ = s.WakeupRx()
			}
			if idle++; idle >= idleSpins && outstanding == 0 {
				idle = 0
				if _, err := s.Poll(unix.POLLIN, 100); err != nil {
					closeApp(u, s)
					return forwarded, err
				}
			}
		} else {
			idle = 0
			var tidx uint32
			for {
				var got uint32
				if got, tidx = tx.Reserve(n); got == n || ctx.Err() != nil {
					break
				}
				_ = s.Kick()
			}
			if ctx.Err() != nil {
				break
			}
			for i := uint32(0); i < n; i++ {
				d := rx.Desc(idx + i)
				swapMACs(u.Frame(d.Addr, d.Len))
				*tx.Desc(tidx + i) = xsk.Desc{Addr: d.Addr, Len: d.Len}
			}
			tx.Submit(n)
			rx.Release(n)
			outstanding += n
		}
		now := time.Now()
		if rep.due(now) {
			rep.progress(now, forwarded, stats(s))
		}
		if !end.IsZero() && now.After(end) {
			break
		}
	}
	st := stats(s)
	if err := closeApp(u, s); err != nil {
		return forwarded, err
	}
	rep.summary(forwarded, st)
	return forwarded, nil
}

// swapMACs exchanges an Ethernet frame's destination and source.
func swapMACs(f []byte) {
	if len(f) < 12 {
		return
	}
	var tmp [6]byte
	copy(tmp[:], f[0:6])
	copy(f[0:6], f[6:12])
	copy(f[6:12], tmp[:])
}
