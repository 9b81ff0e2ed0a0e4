package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// A benchCase is one workload, frame size and XDP mode.
type benchCase struct {
	Work string // rxdrop, txonly or l2fwd
	Size int    // frame bytes without FCS
	Mode string // drv or skb; "" for txonly (it attaches no program)
}

func (c benchCase) String() string {
	if c.Mode == "" {
		return fmt.Sprintf("%s %dB", c.Work, c.Size)
	}
	return fmt.Sprintf("%s %dB %s", c.Work, c.Size, c.Mode)
}

// usesGenerator: rxdrop and l2fwd receive what the generator sends.
func (c benchCase) usesGenerator() bool { return c.Work != "txonly" }

// countsAtPeer: txonly and l2fwd are counted by the XDP counter on IfB;
// rxdrop is its own receiver and reports its count.
func (c benchCase) countsAtPeer() bool { return c.Work != "rxdrop" }

// allCases is the full matrix (BENCH_CASES=all).
func allCases() []benchCase {
	var cs []benchCase
	for _, size := range []int{64, 1500} {
		for _, mode := range []string{"drv", "skb"} {
			cs = append(cs, benchCase{"rxdrop", size, mode})
		}
		cs = append(cs, benchCase{"txonly", size, ""})
		for _, mode := range []string{"drv", "skb"} {
			cs = append(cs, benchCase{"l2fwd", size, mode})
		}
	}
	return cs
}

// defaultCases keeps a full make bench under ten minutes.
const defaultCases = "rxdrop/64/drv,txonly/64,l2fwd/64/drv"

// parseCases reads "rxdrop/64/drv,txonly/1500,l2fwd/64/skb", "all" or
// "default".
func parseCases(s string) ([]benchCase, error) {
	switch strings.TrimSpace(s) {
	case "", "default":
		s = defaultCases
	case "all":
		return allCases(), nil
	}
	var cs []benchCase
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		parts := strings.Split(f, "/")
		c := benchCase{Work: parts[0], Size: 64}
		switch c.Work {
		case "rxdrop", "l2fwd":
			c.Mode = "drv"
		case "txonly":
		default:
			return nil, fmt.Errorf("case %q: want rxdrop, txonly or l2fwd", f)
		}
		if len(parts) > 1 {
			if _, err := fmt.Sscan(parts[1], &c.Size); err != nil || c.Size < 64 || c.Size > 1514 {
				return nil, fmt.Errorf("case %q: frame size 64 to 1514", f)
			}
		}
		if len(parts) > 2 {
			if c.Work == "txonly" {
				return nil, fmt.Errorf("case %q: txonly attaches no XDP program, so it takes no mode", f)
			}
			if parts[2] != "drv" && parts[2] != "skb" {
				return nil, fmt.Errorf("case %q: mode drv or skb", f)
			}
			c.Mode = parts[2]
		}
		if len(parts) > 3 {
			return nil, fmt.Errorf("case %q: WORK[/SIZE[/MODE]]", f)
		}
		cs = append(cs, c)
	}
	return cs, nil
}

// An impl is one row of the table: a program under test, or the XDP_DROP
// ceiling the harness runs itself.
type impl struct {
	Key      string // for -impls
	Name     string // row label
	Baseline bool   // libxdp: every other row is paired with it
	Internal bool   // XDP_DROP: no program, the counter on IfA
	OnlyWork string // run only for this workload ("" all)
	// args builds the command line; nil when the workload has none.
	args func(c benchCase, e *env) []string
	why  func(c benchCase, e *env) string // why the row is absent ("" present)
	Env  []string
}

// env is what command lines need: paths, addresses, the run length.
type env struct {
	Root, Build, RustDir, Python string
	Duration                     float64 // seconds
	P                            *pair
}

func (e *env) durArg() string { return fmt.Sprintf("%g", e.Duration) }

// cArgs are the options of the C, Rust and Python examples (and xskbench).
func (e *env) cArgs(c benchCase) []string {
	a := []string{"-i", e.P.IfA, "-q", "0", "-c", "-d", e.durArg()}
	if c.Mode != "" {
		a = append(a, "-m", c.Mode)
	}
	if c.Work == "txonly" {
		a = append(a, "-l", fmt.Sprint(c.Size), "-S", e.P.MacA.String(), "-D", e.P.MacB.String(),
			"-a", e.P.IPA.String(), "-b", e.P.IPB.String())
	}
	return a
}

func missing(path string) string {
	if _, err := os.Stat(path); err != nil {
		return path + " not built"
	}
	return ""
}

// whyFile returns the reason prepare.sh left next to a binary it could
// not build, or that the binary is missing.
func whyFile(path string) string {
	if b, err := os.ReadFile(path + ".why"); err == nil {
		return strings.TrimSpace(string(b))
	}
	return missing(path)
}

func impls() []impl {
	xskbench := func(variant string) func(benchCase, *env) []string {
		return func(c benchCase, e *env) []string {
			return append([]string{filepath.Join(e.Build, "bench", "xskbench_"+variant), c.Work}, e.cArgs(c)...)
		}
	}
	xskbenchWhy := func(variant string) func(benchCase, *env) string {
		return func(_ benchCase, e *env) string { return whyFile(filepath.Join(e.Build, "bench", "xskbench_"+variant)) }
	}
	return []impl{
		{Key: "libxdp", Name: "libxdp (C, <xdp/xsk.h>)", Baseline: true, args: xskbench("libxdp"), why: xskbenchWhy("libxdp")},
		{Key: "aa", Name: "libxdp A/A (noise)", args: xskbench("libxdp"), why: xskbenchWhy("libxdp")},
		{Key: "c", Name: "C xdpkit (same source, <xdpkit/xsk.h>)", args: xskbench("xdpkit"), why: xskbenchWhy("xdpkit")},
		{Key: "cnative", Name: "C xdpkit.h (examples/c)",
			args: func(c benchCase, e *env) []string {
				return append([]string{filepath.Join(e.Build, "examples", c.Work)}, e.cArgs(c)...)
			},
			why: func(c benchCase, e *env) string { return missing(filepath.Join(e.Build, "examples", c.Work)) }},
		{Key: "go", Name: "Go (xsk package)",
			args: func(c benchCase, e *env) []string {
				if c.Work == "rxdrop" {
					return append([]string{filepath.Join(e.Build, "examples", "rxdrop_go")}, e.cArgs(c)...)
				}
				a := []string{filepath.Join(e.Build, "xdpkit"), c.Work, e.P.IfA, "-q", "0", "--copy", "-d", e.durArg() + "s"}
				if c.Mode != "" {
					a = append(a, "-m", c.Mode)
				}
				if c.Work == "txonly" {
					a = append(a, "--size", fmt.Sprint(c.Size), "--src-mac", e.P.MacA.String(), "--dst-mac", e.P.MacB.String(),
						"--src-ip", e.P.IPA.String(), "--dst-ip", e.P.IPB.String())
				}
				return a
			},
			why: func(c benchCase, e *env) string {
				if c.Work == "rxdrop" {
					return missing(filepath.Join(e.Build, "examples", "rxdrop_go"))
				}
				return missing(filepath.Join(e.Build, "xdpkit"))
			}},
		{Key: "rust", Name: "Rust (xdpkit crate)",
			args: func(c benchCase, e *env) []string {
				return append([]string{filepath.Join(e.RustDir, c.Work)}, e.cArgs(c)...)
			},
			why: func(c benchCase, e *env) string {
				if b, err := os.ReadFile(filepath.Join(e.Build, "bench", "rust.why")); err == nil {
					return strings.TrimSpace(string(b))
				}
				return missing(filepath.Join(e.RustDir, c.Work))
			}},
		{Key: "python", Name: "Python (ctypes, batches of 64)",
			args: func(c benchCase, e *env) []string {
				return append([]string{e.Python, filepath.Join(e.Root, "examples", "python", c.Work+".py")}, e.cArgs(c)...)
			},
			why: pythonWhy,
		},
		{Key: "xdpdrop", Name: "XDP_DROP (ceiling, no AF_XDP)", Internal: true, OnlyWork: "rxdrop"},
	}
}

var pythonChecked = map[string]string{}

// pythonWhy checks once per workload that the Python example exists and
// that the package imports and finds the library.
func pythonWhy(c benchCase, e *env) string {
	if w, ok := pythonChecked[c.Work]; ok {
		return w
	}
	script := filepath.Join(e.Root, "examples", "python", c.Work+".py")
	w := ""
	if _, err := os.Stat(script); err != nil {
		w = "examples/python/" + c.Work + ".py does not exist"
	} else if out, err := exec.Command(e.Python, script, "--help").CombinedOutput(); err != nil {
		w = fmt.Sprintf("%s --help fails: %s", filepath.Base(script), lastLine(string(out)))
	} else {
		check := exec.Command(e.Python, "-c", "import sys; sys.path.insert(0, sys.argv[1]); import xdpkit; xdpkit.version()",
			filepath.Join(e.Root, "bindings", "python"))
		check.Env = append(os.Environ(), "XDPKIT_LIBRARY="+filepath.Join(e.Build, "libxdpkit.so"))
		if out, err := check.CombinedOutput(); err != nil {
			w = "the Python package does not load: " + lastLine(string(out))
		}
	}
	pythonChecked[c.Work] = w
	return w
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
