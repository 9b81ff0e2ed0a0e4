// Command bench is `make bench`: AF_XDP rxdrop, txonly and l2fwd over a
// veth pair between two network namespaces, for every implementation
// (libxdp, C, Go, Rust, Python) plus an XDP_DROP ceiling, interleaved
// run by run against libxdp. See bench/README.md.
//
//	go run ./bench [-duration 5] [-runs 3] [-cases default|all|rxdrop/64/drv,...] [-impls all|libxdp,aa,c,...]
//
// Needs root. The generator (internal/gen's live-frames sender) runs on
// CPU 0 and the program under test on CPU 1; rates are counted at the
// receiver: the program's own count for rxdrop, an XDP counter on the
// peer for txonly and l2fwd.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/xdpkit/xdpkit/internal/gen"
	"golang.org/x/sys/unix"
)

type options struct {
	build, rustDir, python, goCmd, out string
	duration                           float64
	runs                               int
	cases, impls                       string
	micro, verbose                     bool
	genCPU, progCPU, genThreads        int
	redoBudget                         *int           // pairs that may still run again
	quietBudget                        *time.Duration // time left to wait for a quiet machine
}

func main() {
	var o options
	flag.StringVar(&o.build, "build", "build", "build directory (libxdpkit.so, examples, bench binaries)")
	flag.StringVar(&o.rustDir, "rust-dir", "bindings/rust/target/release/examples", "directory of the Rust examples")
	flag.StringVar(&o.python, "python", "python3", "Python interpreter")
	flag.StringVar(&o.goCmd, "go", "go", "go command (for the micro-benchmarks)")
	flag.StringVar(&o.out, "out", "bench/results", "directory for the results file (\"\": none)")
	flag.Float64Var(&o.duration, "duration", 5, "seconds per run")
	flag.IntVar(&o.runs, "runs", 3, "runs of each implementation (each paired with a libxdp run)")
	flag.StringVar(&o.cases, "cases", "default", "default ("+defaultCases+"), all, or WORK[/SIZE[/MODE]],...")
	flag.StringVar(&o.impls, "impls", "default", "default ("+defaultImpls+"), all, or keys: libxdp,aa,c,cnative,go,rust,python,xdpdrop")
	flag.BoolVar(&o.micro, "micro", true, "run the micro-benchmarks (Go rings, C->Go and ctypes call costs)")
	flag.BoolVar(&o.verbose, "v", false, "print every program's output")
	flag.IntVar(&o.genCPU, "gen-cpu", 0, "CPU of the generator (and of this harness)")
	flag.IntVar(&o.progCPU, "prog-cpu", 1, "CPU of the program under test")
	flag.IntVar(&o.genThreads, "gen-threads", 2, "generator threads (all on -gen-cpu)")
	flag.Parse()
	if err := runBench(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func runBench(o options) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("needs root (namespaces, XDP programs, AF_XDP sockets)")
	}
	if o.duration <= 0 || o.runs < 1 {
		return fmt.Errorf("-duration and -runs must be positive")
	}
	cases, err := parseCases(o.cases)
	if err != nil {
		return err
	}
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	build, err := filepath.Abs(o.build)
	if err != nil {
		return err
	}
	rustDir, err := filepath.Abs(o.rustDir)
	if err != nil {
		return err
	}
	all := impls()
	selected, err := selectImpls(all, o.impls)
	if err != nil {
		return err
	}
	if err := pinProcess(o.genCPU); err != nil {
		return fmt.Errorf("pin the harness to CPU %d: %w", o.genCPU, err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	info := collectSysInfo(root)
	p, err := newPair()
	if err != nil {
		return err
	}
	defer p.close()
	e := &env{Root: root, Build: build, RustDir: rustDir, Python: o.python, Duration: o.duration, P: p}

	rep := &report{Info: info, Opts: o, Cases: cases, Start: time.Now()}
	perRun := o.duration + 0.35
	total := 0
	for _, c := range cases {
		if n := len(caseImpls(c, selected, e, nil)); n > 1 {
			total += 2 * o.runs * (n - 1)
		}
	}
	fmt.Fprintf(os.Stderr, "bench: %d cases, %d runs of %gs (about %.0f minutes); generator on CPU %d, programs on CPU %d\n",
		len(cases), total, o.duration, float64(total)*perRun/60+0.5, o.genCPU, o.progCPU)
	// Disturbed pairs run again, up to an eighth more runs in all.
	budget := max(3, total/2/8)
	o.redoBudget = &budget
	// Before each pair, wait for other processes to calm down: up to 20 s
	// a pair and 2 minutes in all.
	quiet := 2 * time.Minute
	o.quietBudget = &quiet

	for i, c := range cases {
		if ctx.Err() != nil {
			break
		}
		fmt.Fprintf(os.Stderr, "[%d/%d] %s\n", i+1, len(cases), c)
		cr, err := runCase(ctx, c, selected, e, o)
		if err != nil {
			return fmt.Errorf("%s: %w", c, err)
		}
		rep.Results = append(rep.Results, cr)
	}
	if ctx.Err() == nil && o.micro {
		fmt.Fprintln(os.Stderr, "micro-benchmarks")
		rep.Micro = runMicro(ctx, e, o)
	}
	rep.End = time.Now()
	if ctx.Err() != nil {
		rep.Interrupted = true
	}
	text := rep.markdown()
	fmt.Println(rep.table())
	if o.out != "" && !rep.Interrupted {
		name := filepath.Join(o.out, fmt.Sprintf("%s-%s.md", rep.Start.Format("2006-01-02"), info.Kernel))
		if err := os.MkdirAll(o.out, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			return err
		}
		fmt.Fprintln(os.Stderr, "bench: results written to", name)
	}
	if rep.Interrupted {
		return fmt.Errorf("interrupted")
	}
	return nil
}

// defaultImpls leaves out the xdpkit.h C examples (the same inline ring
// code as the "c" row) to keep make bench under ten minutes.
const defaultImpls = "libxdp,aa,c,go,rust,python,xdpdrop"

func selectImpls(all []impl, spec string) ([]impl, error) {
	switch strings.TrimSpace(spec) {
	case "all":
		return all, nil
	case "", "default":
		spec = defaultImpls
	}
	want := map[string]bool{"libxdp": true}
	for _, k := range strings.Split(spec, ",") {
		want[strings.TrimSpace(k)] = true
	}
	var out []impl
	for _, im := range all {
		if want[im.Key] {
			out = append(out, im)
			delete(want, im.Key)
		}
	}
	for k := range want {
		return nil, fmt.Errorf("-impls: unknown %q (libxdp, aa, c, cnative, go, rust, python, xdpdrop)", k)
	}
	return out, nil
}

// caseResult is everything measured for one case.
type caseResult struct {
	Case     benchCase
	Baseline string              // key of the baseline row
	Rows     []string            // impl keys in table order
	Names    map[string]string   // key -> row label
	Runs     map[string][]result // key -> runs in order
	Pairs    map[string][]pairRatio
	Absent   map[string]string // key -> why the row is absent
	Offered  uint64
	Redone   int           // pairs run again because another process took CPU time
	Waited   time.Duration // waiting for other processes to leave the CPUs
	Notes    []string
}

type pairRatio struct {
	Base, Other result
}

// caseImpls returns the implementations run for c (the baseline first);
// the absent ones go to absent with the reason.
func caseImpls(c benchCase, selected []impl, e *env, absent map[string]string) []impl {
	var out []impl
	for _, im := range selected {
		if im.OnlyWork != "" && im.OnlyWork != c.Work {
			continue
		}
		if !im.Internal {
			if w := im.why(c, e); w != "" {
				if absent != nil {
					absent[im.Key] = w
				}
				continue
			}
		}
		out = append(out, im)
	}
	return out
}

func runCase(ctx context.Context, c benchCase, selected []impl, e *env, o options) (*caseResult, error) {
	cr := &caseResult{Case: c, Names: map[string]string{}, Runs: map[string][]result{},
		Pairs: map[string][]pairRatio{}, Absent: map[string]string{}}
	run := caseImpls(c, selected, e, cr.Absent)
	for _, im := range selected {
		if im.OnlyWork == "" || im.OnlyWork == c.Work {
			cr.Rows = append(cr.Rows, im.Key)
			cr.Names[im.Key] = im.Name
		}
	}
	var base *impl
	var others []impl
	for i := range run {
		if run[i].Baseline {
			base = &run[i]
		} else {
			others = append(others, run[i])
		}
	}
	if base == nil {
		// Without libxdp the C build of the same source is the baseline.
		for i := range others {
			if others[i].Key == "c" {
				b := others[i]
				b.Baseline = true
				base = &b
				others = append(others[:i], others[i+1:]...)
				cr.Notes = append(cr.Notes, "libxdp is absent: the ratios are to the C xdpkit build instead")
				break
			}
		}
		if base == nil {
			return nil, fmt.Errorf("neither libxdp nor the C xdpkit build is available: %v", cr.Absent)
		}
	}
	cr.Baseline = base.Key

	if err := e.P.setGRO(c.Mode == "skb"); err != nil {
		return nil, err
	}
	ce := &caseEnv{env: e, c: c, progCPU: o.progCPU, verbose: o.verbose}
	if c.countsAtPeer() {
		if err := inNetns(e.P.B, func() (err error) { ce.peer, err = attachCounter(e.P.IfB, false); return }); err != nil {
			return nil, err
		}
		defer ce.peer.close()
	}
	if c.usesGenerator() {
		frame, err := gen.Frame(gen.FrameSpec{SrcMAC: e.P.MacB, DstMAC: e.P.MacA, SrcIP: e.P.IPB, DstIP: e.P.IPA, Size: c.Size})
		if err != nil {
			return nil, err
		}
		g, err := startGenerator(e.P.B, e.P.IfB, frame, o.genCPU, o.genThreads, gen.LiveMaxBatch)
		if err != nil {
			return nil, err
		}
		defer func() {
			sent, err := g.stop()
			cr.Offered = sent
			if o.verbose {
				fmt.Fprintf(os.Stderr, "  the generator offered %d frames over the case\n", sent)
			}
			if err != nil {
				cr.Notes = append(cr.Notes, "generator: "+err.Error())
			}
		}()
		// Let the generator reach its rate.
		time.Sleep(200 * time.Millisecond)
	}

	one := func(im impl, round int) result {
		var r result
		m := startForeign()
		if im.Internal {
			r = ce.runDrop(ctx, round)
		} else {
			r = ce.runProgram(ctx, im, round)
		}
		r.Foreign = m.share()
		r.Impl = im.Key
		return r
	}
	// Alternate run by run: libxdp, X, libxdp, Y, ... in each round, each
	// X paired with the libxdp run just before it. A pair during which
	// another process took CPU time runs again (twice at most).
	for round := 1; round <= o.runs && ctx.Err() == nil; round++ {
		var line []string
		for _, im := range others {
			if ctx.Err() != nil {
				break
			}
			if *o.quietBudget > 0 {
				w := waitQuiet(ctx, min(20*time.Second, *o.quietBudget))
				*o.quietBudget -= w
				if w > 0 {
					cr.Waited += w
					fmt.Fprintf(os.Stderr, "    waited %v for other processes to leave the CPUs\n", w.Round(time.Second))
				}
			}
			b := one(*base, round)
			x := one(im, round)
			for try := 0; try < 2 && ctx.Err() == nil && max(b.Foreign, x.Foreign) > disturbedAt; try++ {
				if *o.redoBudget <= 0 {
					fmt.Fprintf(os.Stderr, "    %s/%s: other processes used %.0f%% of a CPU (no more re-runs left)\n", base.Key, im.Key, 100*max(b.Foreign, x.Foreign))
					break
				}
				*o.redoBudget--
				fmt.Fprintf(os.Stderr, "    %s/%s: other processes used %.0f%% of a CPU, again\n", base.Key, im.Key, 100*max(b.Foreign, x.Foreign))
				cr.Redone++
				b = one(*base, round)
				x = one(im, round)
				b.Retried, x.Retried = true, true
			}
			cr.Runs[base.Key] = append(cr.Runs[base.Key], b)
			cr.Runs[im.Key] = append(cr.Runs[im.Key], x)
			cr.Pairs[im.Key] = append(cr.Pairs[im.Key], pairRatio{b, x})
			line = append(line, fmt.Sprintf("%s %s / %s %s", base.Key, fmtRun(b), im.Key, fmtRun(x)))
		}
		if len(others) == 0 {
			b := one(*base, round)
			cr.Runs[base.Key] = append(cr.Runs[base.Key], b)
			line = append(line, base.Key+" "+fmtRun(b))
		}
		fmt.Fprintf(os.Stderr, "  round %d: %s\n", round, strings.Join(line, ", "))
	}
	return cr, nil
}

func fmtRun(r result) string {
	if r.Err != "" {
		return "FAILED (" + r.Err + ")"
	}
	return strconv.FormatFloat(r.Mpps, 'f', 2, 64)
}

// pinProcess pins every thread of this process to cpu (new threads
// inherit it).
func pinProcess(cpu int) error {
	var set unix.CPUSet
	set.Set(cpu)
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return err
	}
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		if err := unix.SchedSetaffinity(tid, &set); err != nil && err != unix.ESRCH {
			return err
		}
	}
	return nil
}
