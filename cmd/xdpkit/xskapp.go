package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/xdpkit/xdpkit/xsk"
	"golang.org/x/sys/unix"
)

// appFlags are the flags rxdrop, txonly and l2fwd share.
type appFlags struct {
	queue    *uint
	mode     *string
	duration *time.Duration
	json     *bool
	copy     *bool
	zeroCopy *bool
}

func addAppFlags(fs *flagSet, withMode bool) *appFlags {
	a := &appFlags{
		queue:    fs.Uint("queue", 0, "queue `Q` to bind to"),
		duration: fs.duration("duration", 0, "stop after `DURATION` (5s, 500ms or seconds; 0: until Ctrl-C)"),
		json:     fs.Bool("json", false, "print one JSON object per second and a summary object"),
		copy:     fs.Bool("copy", false, "force copy mode (XDP_COPY)"),
		zeroCopy: fs.Bool("zero-copy", false, "require zero-copy (XDP_ZEROCOPY)"),
	}
	fs.alias("q", "queue")
	fs.alias("d", "duration")
	fs.alias("c", "copy")
	fs.alias("z", "zero-copy")
	if withMode {
		a.mode = fs.String("mode", "auto", "XDP program mode: skb, drv or `auto` (native, else generic)")
		fs.alias("m", "mode")
	}
	return a
}

// appConfig is a parsed invocation of an AF_XDP example.
type appConfig struct {
	ifname   string
	queue    uint32
	mode     xsk.AttachMode
	bind     uint16
	duration time.Duration
	json     bool
}

func (a *appFlags) config(args []string) (appConfig, error) {
	if len(args) != 1 {
		return appConfig{}, usagef("want one interface, got %d arguments", len(args))
	}
	c := appConfig{ifname: args[0], queue: uint32(*a.queue), duration: *a.duration, json: *a.json}
	if *a.queue > 1<<31 {
		return c, usagef("--queue %d out of range", *a.queue)
	}
	if *a.copy && *a.zeroCopy {
		return c, usagef("--copy and --zero-copy exclude each other")
	}
	if *a.copy {
		c.bind |= xsk.BindCopy
	}
	if *a.zeroCopy {
		c.bind |= xsk.BindZeroCopy
	}
	if a.mode != nil {
		m, err := xsk.ParseAttachMode(*a.mode)
		if err != nil {
			return c, usagef("--mode %q: want skb, drv or auto", *a.mode)
		}
		c.mode = m
	}
	return c, nil
}

// openApp creates a UMEM of numFrames frames and a socket on c's queue.
func openApp(c appConfig, numFrames uint32, scfg xsk.SocketConfig) (*xsk.Umem, *xsk.Socket, error) {
	u, err := xsk.NewUmem(nil, xsk.UmemConfig{
		Size:      uint64(numFrames) * xsk.DefaultFrameSize,
		FillSize:  numFrames,
		CompSize:  numFrames,
		FrameSize: xsk.DefaultFrameSize,
	})
	if err != nil {
		return nil, nil, err
	}
	scfg.BindFlags |= c.bind | xsk.BindNeedWakeup
	scfg.AttachMode = c.mode
	s, err := xsk.NewSocket(c.ifname, c.queue, u, scfg)
	if err != nil {
		u.Close()
		return nil, nil, wrapZC(c, err)
	}
	return u, s, nil
}

// closeApp closes socket and UMEM.
func closeApp(u *xsk.Umem, s *xsk.Socket) error {
	err := s.Close()
	if err2 := u.Close(); err == nil {
		err = err2
	}
	return err
}

// socketMode describes how a socket runs: "drv mode, copy".
func socketMode(s *xsk.Socket) string {
	prog := "no program"
	if p := s.Program(); p != nil {
		prog = p.Mode().String() + " mode"
	}
	dp := "copy"
	if o, err := s.Options(); err == nil && o&xsk.OptionsZeroCopy != 0 {
		dp = "zero-copy"
	}
	return prog + ", " + dp
}

// stats reads a socket's statistics, nil when unreadable.
func stats(s *xsk.Socket) *xsk.Statistics {
	st, err := s.Stats()
	if err != nil {
		return nil
	}
	return &st
}

// deadline is when a run of duration d started at start ends (zero: never).
func deadline(start time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return start.Add(d)
}

// wrapZC marks a socket error of a run that required zero-copy.
func wrapZC(c appConfig, err error) error {
	if c.bind&xsk.BindZeroCopy != 0 && (errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EINVAL)) {
		return fmt.Errorf("%w: %w", errZeroCopy, err)
	}
	return err
}
