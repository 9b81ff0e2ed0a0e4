package main

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

type report struct {
	Info        sysInfo
	Opts        options
	Cases       []benchCase
	Results     []*caseResult
	Micro       *microResults
	Start, End  time.Time
	Interrupted bool
}

// stats is min/median/max of the successful values.
type stats struct {
	N             int
	Min, Med, Max float64
	Failed        int
	FirstErr      string
}

func summarize(vals []float64) stats {
	s := stats{N: len(vals)}
	if len(vals) == 0 {
		return s
	}
	v := append([]float64(nil), vals...)
	sort.Float64s(v)
	s.Min, s.Max = v[0], v[len(v)-1]
	if len(v)%2 == 1 {
		s.Med = v[len(v)/2]
	} else {
		s.Med = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return s
}

func runStats(rs []result, f func(result) float64) stats {
	var vals []float64
	failed, first := 0, ""
	for _, r := range rs {
		if r.Err != "" {
			failed++
			if first == "" {
				first = r.Err
			}
			continue
		}
		vals = append(vals, f(r))
	}
	s := summarize(vals)
	s.Failed, s.FirstErr = failed, first
	return s
}

func ratioStats(ps []pairRatio) stats {
	var vals []float64
	for _, p := range ps {
		if p.Base.Err == "" && p.Other.Err == "" && p.Base.Mpps > 0 {
			vals = append(vals, p.Other.Mpps/p.Base.Mpps)
		}
	}
	return summarize(vals)
}

func fmtNs(v float64) string {
	switch {
	case v == 0:
		return "—"
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	default:
		return fmt.Sprintf("%.1f", v)
	}
}

// table is the results table in Markdown.
func (rep *report) table() string {
	var b strings.Builder
	b.WriteString("| case | implementation | Mpps min / median / max | user ns/pkt | sys ns/pkt | ratio to libxdp: median (min–max) of pairs |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, cr := range rep.Results {
		for _, key := range cr.Rows {
			name := cr.Names[key]
			if why, ok := cr.Absent[key]; ok {
				fmt.Fprintf(&b, "| %s | %s | absent: %s | | | |\n", cr.Case, name, why)
				continue
			}
			rs := cr.Runs[key]
			if len(rs) == 0 {
				continue
			}
			m := runStats(rs, func(r result) float64 { return r.Mpps })
			if m.N == 0 {
				fmt.Fprintf(&b, "| %s | %s | failed: %s | | | |\n", cr.Case, name, m.FirstErr)
				continue
			}
			user, sys := "—", "—"
			if key != "xdpdrop" {
				user = fmtNs(runStats(rs, result.UserNs).Med)
				sys = fmtNs(runStats(rs, result.SysNs).Med)
			}
			ratio := ""
			switch {
			case key == cr.Baseline:
				ratio = fmt.Sprintf("1 (baseline, %d runs)", m.N)
			default:
				r := ratioStats(cr.Pairs[key])
				if r.N > 0 {
					ratio = fmt.Sprintf("%.2f (%.2f–%.2f)", r.Med, r.Min, r.Max)
				}
			}
			mpps := fmt.Sprintf("%.2f / %.2f / %.2f", m.Min, m.Med, m.Max)
			if m.Failed > 0 {
				mpps += fmt.Sprintf(" (%d failed)", m.Failed)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", cr.Case, name, mpps, user, sys, ratio)
		}
	}
	return b.String()
}

// markdown is the whole results file.
func (rep *report) markdown() string {
	var b strings.Builder
	i := rep.Info
	o := rep.Opts
	fmt.Fprintf(&b, "# xdpkit benchmark, %s, kernel %s\n\n", rep.Start.Format("2006-01-02 15:04 MST"), i.Kernel)
	fmt.Fprintf(&b, "Written by `make bench` (bench/, %s).\n\n", rep.End.Sub(rep.Start).Round(time.Second))
	b.WriteString("## Machine and software\n\n")
	fmt.Fprintf(&b, "- CPU: %s, %d cores\n- Kernel: %s\n", i.CPU, i.Cores, i.Kernel)
	fmt.Fprintf(&b, "- libxdp %s, libbpf %s\n- xdpkit %s\n- %s, %s, %s, %s\n\n", i.Libxdp, i.Libbpf, i.Xdpkit, i.Go, i.Rust, i.Python, i.CC)
	b.WriteString("## Method\n\n")
	var cs []string
	for _, c := range rep.Cases {
		cs = append(cs, c.String())
	}
	fmt.Fprintf(&b, "- Cases: %s. Each run lasts %g s; each implementation runs %d times.\n", strings.Join(cs, "; "), o.duration, o.runs)
	fmt.Fprintf(&b, "- A veth pair between two network namespaces. Generator: internal/gen's live-frames sender "+
		"(BPF_PROG_RUN, BPF_F_TEST_XDP_LIVE_FRAMES, an XDP program redirecting out of the peer), %d threads "+
		"pinned to CPU %d; the program under test is pinned to CPU %d (taskset); AF_XDP in copy mode "+
		"(veth has no zero-copy). skb-mode cases turn GRO on on the receiving veth, so that redirected "+
		"frames reach it without a native XDP program.\n", o.genThreads, o.genCPU, o.progCPU)
	b.WriteString("- Counted at the receiver, never at the generator: rxdrop's own received count; for txonly " +
		"and l2fwd an XDP program on the peer veth that counts and drops (txonly: the frames sent; " +
		"l2fwd: the frames forwarded back). Mpps = count / run duration.\n")
	b.WriteString("- user/sys ns/pkt: the program's user and system CPU time (getrusage of the child) " +
		"per packet counted. The C, Go and Rust programs poll their rings in a busy loop while frames " +
		"arrive, so when the kernel side is the bottleneck their user time is mostly waiting: read it " +
		"as an upper bound.\n")
	b.WriteString("- Interleaved: in each round every implementation X runs right after a libxdp run " +
		"(libxdp, X, libxdp, Y, ...), and X's ratio is the median over its own pairs (X / the libxdp " +
		"run before it). \"libxdp A/A\" is libxdp paired with itself: the noise floor. The libxdp row " +
		"shows all its runs.\n")
	b.WriteString("- libxdp: bench/c/xskbench.c built against <xdp/xsk.h> (-lxdp -lbpf); \"C xdpkit\" is the " +
		"same source built against <xdpkit/xsk.h> (-lxdpkit). libxdp's own program loading (dispatcher, " +
		"freplace) fails with EPERM on this kernel, so the libxdp build uses INHIBIT_PROG_LOAD and " +
		"attaches xsk/redirect_bpfel.o itself with libbpf (bpf_xdp_attach, xsk_socket__update_xskmap); " +
		"the xdpkit build uses the library's default program (the same object).\n")
	b.WriteString("- Go: examples/go/rxdrop for rxdrop, the CLI's txonly and l2fwd (cmd/xdpkit) for the " +
		"others. C xdpkit.h: examples/c. Rust: bindings/rust/xdpkit/examples (release). Python: " +
		"examples/python (batch calls, batches of 64). XDP_DROP: the counting program itself on the " +
		"receiving veth, the ceiling of the box.\n\n")
	b.WriteString("## Results\n\n")
	b.WriteString(rep.table())
	b.WriteString("\n")
	var notes []string
	for _, cr := range rep.Results {
		for _, n := range cr.Notes {
			notes = append(notes, cr.Case.String()+": "+n)
		}
		if cr.Redone > 0 {
			notes = append(notes, fmt.Sprintf("%s: %d pair(s) ran again because other processes used more than %.0f%% of a CPU during them.",
				cr.Case, cr.Redone, 100*disturbedAt))
		}
		if cr.Waited > 0 {
			notes = append(notes, fmt.Sprintf("%s: waited %v in all for other processes to leave the CPUs before pairs.", cr.Case, cr.Waited.Round(time.Second)))
		}
		disturbed := 0
		for _, key := range cr.Rows {
			for _, r := range cr.Runs[key] {
				if r.Foreign > disturbedAt {
					disturbed++
				}
			}
		}
		if disturbed > 0 {
			notes = append(notes, fmt.Sprintf("%s: %d run(s) in the table were still disturbed by other processes (see \"other CPU\" below).", cr.Case, disturbed))
		}
		for _, key := range cr.Rows {
			if s := runStats(cr.Runs[key], func(r result) float64 { return r.Mpps }); s.Failed > 0 {
				notes = append(notes, fmt.Sprintf("%s, %s: %d run(s) failed: %s", cr.Case, cr.Names[key], s.Failed, s.FirstErr))
			}
		}
	}
	if len(notes) > 0 {
		b.WriteString("Notes:\n\n")
		for _, n := range notes {
			b.WriteString("- " + n + "\n")
		}
		b.WriteString("\n")
	}
	if rep.Micro != nil {
		rep.microMarkdown(&b)
	}
	b.WriteString("## Every run\n\n")
	b.WriteString("Mpps; frames counted at the receiver; the program's own count; its user and system CPU seconds; " +
		"its involuntary context switches; \"other CPU\": user CPU time other processes on the machine took " +
		"during the run, in % of one CPU (above " + fmt.Sprintf("%.0f", 100*disturbedAt) + "% the pair ran again, at most twice). In round order, " +
		"each libxdp run followed by its partner.\n\n")
	for _, cr := range rep.Results {
		fmt.Fprintf(&b, "### %s\n\n| round | implementation | Mpps | counted | own count | user s | sys s | nivcsw | other CPU |\n|---|---|---|---|---|---|---|---|---|\n", cr.Case)
		var rows []result
		for _, key := range cr.Rows {
			for _, p := range cr.Pairs[key] {
				rows = append(rows, p.Base, p.Other)
			}
		}
		if len(rows) == 0 {
			rows = cr.Runs[cr.Baseline]
		}
		sort.SliceStable(rows, func(a, c int) bool { return rows[a].Round < rows[c].Round })
		for _, r := range rows {
			name := cr.Names[r.Impl]
			if r.Retried {
				name += " (pair run again)"
			}
			if r.Err != "" {
				fmt.Fprintf(&b, "| %d | %s | failed: %s | | | | | | |\n", r.Round, name, r.Err)
				continue
			}
			fmt.Fprintf(&b, "| %d | %s | %.3f | %d | %d | %.2f | %.2f | %d | %.0f%% |\n", r.Round, name, r.Mpps, r.Count, r.Own,
				r.User.Seconds(), r.Sys.Seconds(), r.Nivcsw, 100*r.Foreign)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func (rep *report) microMarkdown(b *strings.Builder) {
	m := rep.Micro
	b.WriteString("## Micro-benchmarks\n\n")
	b.WriteString("### Go data path (`go test -bench 'Ring|FramePool' -benchmem ./xsk/`)\n\n")
	b.WriteString("Rings are plain memory laid out as the kernel's, with the benchmark playing the kernel's " +
		"side; one op is one batch (64 frames unless the name says otherwise), ns/pkt divides by the batch. " +
		"0 allocs/op: nothing allocates per batch, so nothing per packet.\n\n```\n")
	for _, l := range m.GoBench {
		b.WriteString(l + "\n")
	}
	b.WriteString("```\n")
	if m.GoErr != "" {
		fmt.Fprintf(b, "\ngo test failed: %s\n", m.GoErr)
	}
	b.WriteString("\n### Calls into libxdpkit from C (bench/c/callcost.c)\n\n")
	if m.CallErr != "" {
		fmt.Fprintf(b, "callcost failed: %s\n\n", m.CallErr)
	}
	if len(m.CallCost) > 0 {
		b.WriteString("| call | ns per call | ns per packet |\n|---|---|---|\n")
		for _, c := range m.CallCost {
			pkt := ""
			if c.NsPkt > 0 {
				pkt = fmt.Sprintf("%.2f", c.NsPkt)
			}
			fmt.Fprintf(b, "| %s | %.1f | %s |\n", costLabel(c.Name), c.NsOp, pkt)
		}
		b.WriteString("\n")
	}
	b.WriteString("### ctypes (bench/py/callcost.py, timeit)\n\n")
	if m.PyErr != "" {
		fmt.Fprintf(b, "callcost.py failed: %s\n\n", m.PyErr)
	}
	if len(m.PyCost) > 0 {
		b.WriteString("| call | ns |\n|---|---|\n")
		for _, c := range m.PyCost {
			if c.Text != "" {
				fmt.Fprintf(b, "| %s | %s |\n", c.Name, c.Text)
				continue
			}
			fmt.Fprintf(b, "| %s | %.1f |\n", costLabel(c.Name), c.NsOp)
		}
		b.WriteString("\n")
	}
	if s := rep.pythonBatch(); s != "" {
		b.WriteString(s + "\n\n")
	}
}

var costLabels = map[string]string{
	"version":           "xdpkit_version (pure C, no handle)",
	"socket_fd":         "xdpkit_socket_fd (pure C, handle check)",
	"socket_queue":      "xdpkit_socket_queue (Go-backed export)",
	"c_to_go":           "→ one C→Go transition (socket_queue − socket_fd)",
	"ctypes_version":    "ctypes: xdpkit_version()",
	"ctypes_umem_fd":    "ctypes: xdpkit_umem_fd(umem)",
	"ctypes_comp_batch": "ctypes: xdpkit_comp_batch(umem, buf, 64), empty ring",
	"python_call":       "Python: empty function call",
	"listcomp64":        "Python: [a for a, _ in descs] over 64 descriptors",
}

func costLabel(name string) string {
	if l, ok := costLabels[name]; ok {
		return l
	}
	base, batch, ok := strings.Cut(name, "/")
	if ok {
		switch base {
		case "rxdrop_inline":
			return "rxdrop step, inline ring helpers, batch " + batch
		case "rxdrop_batch_calls":
			return "rxdrop step, xdpkit_rx_batch + xdpkit_fill_batch, batch " + batch
		}
		return "xdpkit_" + base + ", batch " + batch
	}
	return name
}

// pythonBatch derives the Python batch size from the measured costs: the
// smallest power of two at which the fixed cost of the two ctypes calls
// an rxdrop batch makes (recv + fill) stays under 10% of the per-packet
// cost of the Python loop.
func (rep *report) pythonBatch() string {
	m := rep.Micro
	call, ok := m.cost(m.PyCost, "ctypes_comp_batch")
	if !ok {
		return ""
	}
	perPkt, src := 0.0, ""
	for _, cr := range rep.Results {
		if cr.Case.Work != "rxdrop" {
			continue
		}
		if s := runStats(cr.Runs["python"], result.UserNs); s.N > 0 {
			perPkt, src = s.Med, fmt.Sprintf("the Python rxdrop's user CPU per packet (%s, median: %.0f ns)", cr.Case, s.Med)
			break
		}
	}
	if perPkt == 0 {
		lc, ok := m.cost(m.PyCost, "listcomp64")
		if !ok {
			return ""
		}
		perPkt, src = lc/64, fmt.Sprintf("a lower bound on the Python per-packet work (one list-comprehension step: %.0f ns)", lc/64)
	}
	// The batch-call cost at batch 64 from C (descriptor copying), per packet.
	var cPkt float64
	for _, c := range m.CallCost {
		if c.Name == "rxdrop_batch_calls/64" {
			cPkt = c.NsPkt
		}
	}
	b := 8
	for b < 512 && 2*call/float64(b) > 0.1*perPkt {
		b *= 2
	}
	over := func(n int) float64 { return 2 * call / float64(n) }
	return fmt.Sprintf("**Python batch size.** An rxdrop batch costs two ctypes calls (recv and fill) of ≈%.0f ns each "+
		"(the three-argument batch call above), i.e. %.0f ns per packet at batch 16, %.1f at 64, %.1f at 256; the C side of "+
		"the batch calls adds %.1f ns per packet at 64. Against %s, the smallest power of two keeping the call overhead "+
		"under 10%% is **%d**; larger batches gain little and hold more frames per call (ring size 2048, "+
		"so stay ≤ 512). Hence the default of 64 in the Python examples and package%s.",
		call, over(16), over(64), over(256), cPkt, src, b, pyBatchVerdict(b))
}

func pyBatchVerdict(b int) string {
	if b <= 64 {
		return " (64 ≥ the minimum measured here)"
	}
	return fmt.Sprintf(" — but this run suggests %d: revisit the default", b)
}
