package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/xdpkit/xdpkit/internal/gen"
	"github.com/xdpkit/xdpkit/internal/xskdiag"
	"github.com/xdpkit/xdpkit/xsk"
)

func init() {
	register(&command{
		name:    "demo",
		args:    "[--duration 2s] [--rate PPS] [-m drv|skb]",
		summary: "two namespaces, a veth pair, rxdrop on one end and the generator on the other",
		about: `Creates two network namespaces with unique names joined by a veth pair
(addresses 10.77.0.1 and 10.77.0.2 and static neighbour entries, all inside
the namespaces), runs rxdrop on one end (its socket is created on a thread
switched into the namespace) and the live-frames generator on the other,
shows the receiving interface as xdpkit ifaces does, prints both counts and
tears everything down. It fails (exit code 1) when nothing was received.
Needs iproute2's ip command.`,
		examples: []string{
			"xdpkit demo",
			"xdpkit demo --duration 5s --rate 1000000 -m skb",
		},
		setup: setupDemo,
	})
}

var (
	demoMACA = net.HardwareAddr{0x02, 0x00, 0x00, 0x77, 0x00, 0x01}
	demoMACB = net.HardwareAddr{0x02, 0x00, 0x00, 0x77, 0x00, 0x02}
)

func setupDemo(fs *flagSet) func(*env, []string) error {
	duration := fs.duration("duration", 2*time.Second, "how long the generator sends (`DURATION`)")
	rate := fs.Uint64("rate", 0, "generator rate in `PPS` (0: as fast as possible)")
	mode := fs.String("mode", "drv", "XDP mode of the receiver: drv or skb (`MODE`)")
	fs.alias("d", "duration")
	fs.alias("m", "mode")
	return func(e *env, args []string) error {
		if len(args) > 0 {
			return usagef("unexpected argument %q", args[0])
		}
		m, err := xsk.ParseAttachMode(*mode)
		if err != nil || (m != xsk.AttachDrv && m != xsk.AttachSKB) {
			return usagef("--mode %q: want drv or skb", *mode)
		}
		if *duration <= 0 || *duration > time.Minute {
			return usagef("--duration %v: want more than 0 and at most 1m", *duration)
		}
		if _, err := exec.LookPath("ip"); err != nil {
			return fmt.Errorf("demo needs iproute2's ip command: %w", err)
		}
		return runDemo(e, *duration, *rate, m)
	}
}

func runDemo(e *env, dur time.Duration, rate uint64, mode xsk.AttachMode) error {
	var rnd [3]byte
	_, _ = rand.Read(rnd[:])
	id := fmt.Sprintf("%d-%s", os.Getpid(), hex.EncodeToString(rnd[:]))
	nsA, nsB := "xdpkit-demo-"+id+"-a", "xdpkit-demo-"+id+"-b"
	fmt.Fprintf(e.stdout, "demo: namespaces %s (va 10.77.0.1, receiver) and %s (vb 10.77.0.2, sender)\n", nsA, nsB)
	defer func() {
		_ = ip("netns", "del", nsA)
		_ = ip("netns", "del", nsB)
		fmt.Fprintf(e.stdout, "demo: namespaces removed\n")
	}()
	if err := demoSetup(nsA, nsB); err != nil {
		return err
	}

	// rxdrop in A, on a thread switched into A.
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	rxEnv := &env{ctx: ctx, stdout: prefixWriter(e.stdout, "  [A] "), stderr: e.stderr}
	rep := newReporter(rxEnv, "rxdrop", "received", "va", 0, false)
	rep.ready = make(chan struct{})
	var wg sync.WaitGroup
	var received uint64
	var rxErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		rxErr = inNetns(nsA, func() error {
			var err error
			received, err = runRxdrop(ctx, appConfig{ifname: "va", mode: mode, duration: dur + time.Second}, rep)
			return err
		})
	}()
	select {
	case <-rep.ready:
	case <-waitGroupDone(&wg):
		return fmt.Errorf("rxdrop in %s: %w", nsA, rxErr)
	}

	// What xdpkit ifaces shows in A while rxdrop runs.
	_ = inNetns(nsA, func() error {
		r, err := collectIfaces([]string{"va"}, xskdiag.Auto)
		if err == nil && len(r) == 1 {
			printIface(prefixWriter(e.stdout, "  [A] "), r[0])
		} else if err != nil {
			fmt.Fprintf(e.stdout, "  [A] ifaces: %s\n", explain(err))
		}
		return nil
	})

	// The generator in B, on a thread switched into B.
	var res gen.Result
	genErr := inNetns(nsB, func() error {
		frame, err := gen.Frame(gen.FrameSpec{SrcMAC: demoMACB, DstMAC: demoMACA,
			SrcIP: net.IPv4(10, 77, 0, 2), DstIP: net.IPv4(10, 77, 0, 1)})
		if err != nil {
			return err
		}
		l, err := gen.NewLive("vb", frame)
		if err != nil {
			return err
		}
		defer l.Close()
		out := prefixWriter(e.stdout, "  [B] ")
		fmt.Fprintf(out, "gen: sending 64-byte frames out of vb for %v (live frames)\n", dur)
		res, err = gen.Run(ctx, l, gen.Config{Rate: rate, Duration: dur, Report: func(p gen.Progress) {
			fmt.Fprintf(out, "gen: %10.0f pps  sent %d\n", p.PPS, p.Sent)
		}})
		if err == nil {
			fmt.Fprintf(out, "gen: sent %d packets in %.1fs (%.0f pps)\n", res.Sent, res.Elapsed.Seconds(), res.PPS())
		}
		return err
	})
	if genErr != nil {
		cancel()
	}
	wg.Wait()
	if genErr != nil {
		return fmt.Errorf("generator in %s: %w", nsB, genErr)
	}
	if rxErr != nil {
		return fmt.Errorf("rxdrop in %s: %w", nsA, rxErr)
	}
	fmt.Fprintf(e.stdout, "demo: sent %d frames from %s/vb, rxdrop received %d on %s/va\n", res.Sent, nsB, received, nsA)
	if received == 0 {
		return fmt.Errorf("demo: rxdrop received nothing")
	}
	fmt.Fprintf(e.stdout, "demo: ok\n")
	return nil
}

// demoSetup creates the namespaces, the veth pair, addresses and static
// neighbour entries (an AF_XDP receiver swallows ARP).
func demoSetup(nsA, nsB string) error {
	steps := [][]string{
		{"netns", "add", nsA},
		{"netns", "add", nsB},
		{"link", "add", "va", "netns", nsA, "address", demoMACA.String(), "type", "veth",
			"peer", "name", "vb", "netns", nsB, "address", demoMACB.String()},
		{"-n", nsA, "addr", "add", "10.77.0.1/24", "dev", "va"},
		{"-n", nsB, "addr", "add", "10.77.0.2/24", "dev", "vb"},
		{"-n", nsA, "link", "set", "lo", "up"},
		{"-n", nsB, "link", "set", "lo", "up"},
		{"-n", nsA, "neigh", "add", "10.77.0.2", "lladdr", demoMACB.String(), "dev", "va", "nud", "permanent"},
		{"-n", nsB, "neigh", "add", "10.77.0.1", "lladdr", demoMACA.String(), "dev", "vb", "nud", "permanent"},
	}
	for _, s := range steps {
		if err := ip(s...); err != nil {
			return err
		}
	}
	for _, ns := range []string{nsA, nsB} {
		if err := inNetns(ns, disableIPv6); err != nil {
			return err
		}
	}
	if err := ip("-n", nsA, "link", "set", "va", "up"); err != nil {
		return err
	}
	return ip("-n", nsB, "link", "set", "vb", "up")
}

// waitGroupDone is closed when wg is done.
func waitGroupDone(wg *sync.WaitGroup) <-chan struct{} {
	c := make(chan struct{})
	go func() { wg.Wait(); close(c) }()
	return c
}

// prefixWriter writes every line with a prefix.
func prefixWriter(w io.Writer, prefix string) io.Writer {
	return &prefixed{w: w, prefix: prefix, bol: true}
}

type prefixed struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string
	bol    bool
}

func (p *prefixed) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var sb strings.Builder
	for _, c := range string(b) {
		if p.bol {
			sb.WriteString(p.prefix)
		}
		sb.WriteRune(c)
		p.bol = c == '\n'
	}
	if _, err := io.WriteString(p.w, sb.String()); err != nil {
		return 0, err
	}
	return len(b), nil
}
