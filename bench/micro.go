package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// microResults are the micro-benchmarks: the Go data path on fake rings
// (go test -bench -benchmem), call costs from C (callcost) and from
// Python's ctypes (bench/py/callcost.py).
type microResults struct {
	GoBench  []string // benchmark lines of go test
	GoErr    string
	CallCost []costLine
	CallErr  string
	PyCost   []costLine
	PyErr    string
}

type costLine struct {
	Name  string
	NsOp  float64
	NsPkt float64 // batch entries only
	Text  string  // non-numeric values (versions)
}

func (m *microResults) cost(lines []costLine, name string) (float64, bool) {
	for _, l := range lines {
		if l.Name == name {
			return l.NsOp, true
		}
	}
	return 0, false
}

func runMicro(ctx context.Context, e *env, o options) *microResults {
	m := &microResults{}
	cpu := strconv.Itoa(o.progCPU)

	fmt.Fprintln(os.Stderr, "  go test -bench (xsk rings, frame pool)")
	cmd := exec.CommandContext(ctx, "taskset", "-c", cpu, o.goCmd, "test", "-run", "^$", "-bench", "Ring|FramePool",
		"-benchmem", "-benchtime", "300ms", "-count", "1", "./xsk/")
	cmd.Dir = e.Root
	out, err := cmd.CombinedOutput()
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "Benchmark") {
			m.GoBench = append(m.GoBench, strings.Join(strings.Fields(l), " "))
		}
	}
	if err != nil {
		m.GoErr = fmt.Sprintf("%v: %s", err, lastLine(string(out)))
	}

	fmt.Fprintln(os.Stderr, "  callcost (C: pure-C vs Go-backed exports, batch calls)")
	bin := filepath.Join(e.Build, "bench", "callcost")
	if w := whyFile(bin); w != "" {
		m.CallErr = w
	} else {
		cmd = exec.CommandContext(ctx, "ip", "netns", "exec", e.P.A, "taskset", "-c", cpu, bin, "-i", e.P.IfA)
		out, err = cmd.CombinedOutput()
		m.CallCost = parseCost(string(out), "callcost:")
		if err != nil {
			m.CallErr = fmt.Sprintf("%v: %s", err, lastLine(string(out)))
		}
	}

	fmt.Fprintln(os.Stderr, "  ctypes call cost (Python timeit)")
	cmd = exec.CommandContext(ctx, "taskset", "-c", cpu, e.Python, filepath.Join(e.Root, "bench", "py", "callcost.py"),
		filepath.Join(e.Build, "libxdpkit.so"))
	out, err = cmd.CombinedOutput()
	m.PyCost = parseCost(string(out), "pycost:")
	if err != nil {
		m.PyErr = fmt.Sprintf("%v: %s", err, lastLine(string(out)))
	}
	return m
}

// parseCost reads "PREFIX NAME NS [NS_PER_PKT]" lines.
func parseCost(out, prefix string) []costLine {
	var ls []costLine
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) < 3 || f[0] != prefix {
			continue
		}
		c := costLine{Name: f[1]}
		v, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			c.Text = strings.Join(f[2:], " ")
		} else {
			c.NsOp = v
		}
		if len(f) > 3 {
			c.NsPkt, _ = strconv.ParseFloat(f[3], 64)
		}
		ls = append(ls, c)
	}
	return ls
}
