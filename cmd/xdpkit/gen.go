package main

import (
	"fmt"
	"time"

	"github.com/xdpkit/xdpkit/internal/gen"
	"github.com/xdpkit/xdpkit/xsk"
)

func init() {
	register(&command{
		name:    "gen",
		args:    "IF [--rate PPS] [--size 64] [--duration 5s] [--dst-mac M] [--src-mac M] [flags]",
		summary: "traffic generator: XDP live frames (BPF_PROG_RUN) or an AF_XDP socket",
		about: `Sends copies of one Ethernet/IPv4/UDP frame out of IF and prints the offered
rate every second.

By default it runs a small XDP program that redirects to IF with BPF_PROG_RUN
in live-frames mode (BPF_F_TEST_XDP_LIVE_FRAMES, Linux 5.18+): the fastest
generator on veth (millions of frames per second from one CPU). Frames sent
into a veth this way vanish unless the peer has an XDP program attached (or
GRO on): count them at the receiver (xdpkit rxdrop on the peer does).

With --afxdp it sends from a TX-only AF_XDP socket on queue Q instead.

--rate limits the rate by sleeping between batches; --duration and --count
bound the run (the first reached ends it).`,
		examples: []string{
			"xdpkit gen veth0 --duration 10s",
			"xdpkit gen veth0 --rate 100000 --size 128 --dst-mac 02:00:00:00:00:02",
			"xdpkit gen eth0 --afxdp -q 1 --rate 50000 --count 1000000 --json",
		},
		setup: setupGen,
	})
}

func setupGen(fs *flagSet) func(*env, []string) error {
	ff := addFrameFlags(fs)
	rate := fs.Uint64("rate", 0, "frames per second, `PPS` (0: as fast as possible)")
	duration := fs.duration("duration", 5*time.Second, "stop after `DURATION` (0: only --count or Ctrl-C)")
	count := fs.Uint64("count", 0, "stop after `N` frames (0: no limit)")
	afxdp := fs.Bool("afxdp", false, "send from an AF_XDP socket instead of BPF_PROG_RUN")
	queue := fs.Uint("queue", 0, "with --afxdp: the TX queue `Q`")
	copyMode := fs.Bool("copy", false, "with --afxdp: force copy mode")
	zeroCopy := fs.Bool("zero-copy", false, "with --afxdp: require zero-copy")
	asJSON := fs.Bool("json", false, "print one JSON object per second and a summary object")
	fs.alias("r", "rate")
	fs.alias("s", "size")
	fs.alias("d", "duration")
	fs.alias("n", "count")
	fs.alias("q", "queue")
	return func(e *env, args []string) error {
		if len(args) != 1 {
			return usagef("want one interface, got %d arguments", len(args))
		}
		if err := ff.check(); err != nil {
			return err
		}
		if !*afxdp && (*queue != 0 || *copyMode || *zeroCopy) {
			return usagef("--queue, --copy and --zero-copy need --afxdp")
		}
		if *copyMode && *zeroCopy {
			return usagef("--copy and --zero-copy exclude each other")
		}
		ifname := args[0]
		frame, spec, err := ff.frame(ifname)
		if err != nil {
			return err
		}
		var s gen.Sender
		var sock *xsk.Socket
		mode := "live frames"
		if *afxdp {
			c := appConfig{ifname: ifname, queue: uint32(*queue)}
			if *copyMode {
				c.bind = xsk.BindCopy
			} else if *zeroCopy {
				c.bind = xsk.BindZeroCopy
			}
			a, err := gen.NewAFXDP(ifname, frame, gen.AFXDPConfig{Queue: c.queue, BindFlags: c.bind})
			if err != nil {
				return wrapZC(c, err)
			}
			s, sock, mode = a, a.Socket(), "AF_XDP, "+socketMode(a.Socket())
		} else {
			l, err := gen.NewLive(ifname, frame)
			if err != nil {
				return err
			}
			s = l
		}
		rep := newReporter(e, "gen", "sent", ifname, uint32(*queue), *asJSON)
		rep.noQueue = !*afxdp
		rep.started(fmt.Sprintf("sending %d-byte frames %s > %s (%s > %s) out of", len(frame), spec.SrcMAC, spec.DstMAC, spec.SrcIP, spec.DstIP), mode)
		var st func() *xsk.Statistics = func() *xsk.Statistics { return nil }
		if sock != nil {
			st = func() *xsk.Statistics { return stats(sock) }
		}
		res, err := gen.Run(e.ctx, s, gen.Config{
			Rate: *rate, Duration: *duration, Count: *count,
			Report: func(p gen.Progress) { rep.progress(time.Now(), p.Sent, st()) },
		})
		last := st()
		if cerr := s.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		rep.summary(res.Sent, last)
		return nil
	}
}
