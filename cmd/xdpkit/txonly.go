package main

import (
	"time"

	"github.com/xdpkit/xdpkit/internal/gen"
)

func init() {
	register(&command{
		name:    "txonly",
		args:    "IF [-q Q] [-d DURATION] [--json] [flags]",
		summary: "send UDP frames from an AF_XDP socket as fast as possible",
		about: `Sends copies of one Ethernet/IPv4/UDP frame from a TX-only AF_XDP socket on
queue Q of IF (no XDP program is loaded). Every second it prints the rate
and the total sent (completed by the kernel): redrawn in place on a
terminal, a line per second when piped, or JSON objects with --json.
Frames sent into a veth arrive at the peer's stack or XDP program.`,
		examples: []string{
			"xdpkit txonly eth0 -d 10s",
			"xdpkit txonly veth0 --dst-mac 02:00:00:00:00:02 --dst-ip 10.0.0.2 --size 128",
			"xdpkit txonly veth0 --rate 100000 -d 5 --json",
		},
		setup: setupTxonly,
	})
}

func setupTxonly(fs *flagSet) func(*env, []string) error {
	af := addAppFlags(fs, false)
	ff := addFrameFlags(fs)
	rate := fs.Uint64("rate", 0, "frames per second, `PPS` (0: as fast as possible)")
	return func(e *env, args []string) error {
		c, err := af.config(args)
		if err != nil {
			return err
		}
		if err := ff.check(); err != nil {
			return err
		}
		frame, _, err := ff.frame(c.ifname)
		if err != nil {
			return err
		}
		a, err := gen.NewAFXDP(c.ifname, frame, gen.AFXDPConfig{Queue: c.queue, BindFlags: c.bind})
		if err != nil {
			return wrapZC(c, err)
		}
		rep := newReporter(e, "txonly", "sent", c.ifname, c.queue, c.json)
		rep.started("sending "+itoa(len(frame))+"-byte frames on", socketMode(a.Socket()))
		res, err := gen.Run(e.ctx, a, gen.Config{
			Rate:     *rate,
			Duration: c.duration,
			Report: func(p gen.Progress) {
				rep.progress(time.Now(), p.Sent, stats(a.Socket()))
			},
		})
		st := stats(a.Socket())
		if cerr := a.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		rep.summary(res.Sent, st)
		return nil
	}
}
