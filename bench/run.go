package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A result is one run of one implementation.
type result struct {
	Impl    string
	Round   int
	Count   uint64 // frames counted at the receiver
	Own     uint64 // the program's own final count (its receiver count for rxdrop)
	Elapsed time.Duration
	Mpps    float64
	User    time.Duration // user CPU time of the program under test
	Sys     time.Duration // system CPU time of the program under test
	Nivcsw  int64         // involuntary context switches of the program: preempted by another task on its CPU
	Foreign float64       // other processes' user CPU time during the run, in CPUs (see foreign.go)
	Retried bool          // a disturbed pair this run replaced
	Err     string
}

// UserNs is user CPU nanoseconds per packet received.
func (r result) UserNs() float64 {
	if r.Count == 0 {
		return 0
	}
	return float64(r.User.Nanoseconds()) / float64(r.Count)
}

// SysNs is system CPU nanoseconds per packet received.
func (r result) SysNs() float64 {
	if r.Count == 0 {
		return 0
	}
	return float64(r.Sys.Nanoseconds()) / float64(r.Count)
}

var countLine = regexp.MustCompile(`(?m)\b(received|sent|forwarded) (\d+) packets`)

// lastCount is the number in the last "received|sent|forwarded N packets".
func lastCount(out string) (uint64, bool) {
	m := countLine.FindAllStringSubmatch(out, -1)
	if len(m) == 0 {
		return 0, false
	}
	n, err := strconv.ParseUint(m[len(m)-1][2], 10, 64)
	return n, err == nil
}

// caseEnv is what the runs of one case share.
type caseEnv struct {
	*env
	c       benchCase
	peer    *counter // on IfB: the receiver of txonly and l2fwd
	progCPU int
	verbose bool
}

// settle is the pause after each program: the kernel releases a closed
// AF_XDP socket's queue and the XDP program asynchronously, and a bind
// in that window fails with EBUSY (xdpkit retries it, libxdp does not).
const settle = 200 * time.Millisecond

// runProgram runs one program under test, retrying a start that found the
// queue still busy.
func (ce *caseEnv) runProgram(ctx context.Context, im impl, round int) result {
	var r result
	for try := 0; try < 4; try++ {
		r = ce.runProgramOnce(ctx, im, round)
		time.Sleep(settle)
		if r.Err == "" || !strings.Contains(r.Err, "busy") || r.Elapsed > time.Duration(ce.Duration*float64(time.Second)) {
			break
		}
		fmt.Fprintf(os.Stderr, "    %s: queue still busy, again\n", im.Key)
		time.Sleep(500 * time.Millisecond)
	}
	return r
}

// runProgramOnce runs one program under test in namespace A pinned to
// progCPU, for the case's duration, and counts at the receiver.
func (ce *caseEnv) runProgramOnce(ctx context.Context, im impl, round int) result {
	r := result{Impl: im.Key, Round: round}
	args := im.args(ce.c, ce.env)
	var before uint64
	if ce.c.countsAtPeer() {
		var err error
		if before, err = ce.peer.count(); err != nil {
			r.Err = "read counter: " + err.Error()
			return r
		}
	}
	timeout := time.Duration(ce.Duration*float64(time.Second)) + 30*time.Second
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	full := append([]string{"ip", "netns", "exec", ce.P.A, "taskset", "-c", strconv.Itoa(ce.progCPU)}, args...)
	cmd := exec.CommandContext(cctx, full[0], full[1:]...)
	cmd.Env = append(os.Environ(), im.Env...)
	cmd.Env = append(cmd.Env, "XDPKIT_LIBRARY="+ce.Build+"/libxdpkit.so")
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	start := time.Now()
	err := cmd.Run()
	r.Elapsed = time.Since(start)
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.User = time.Duration(ru.Utime.Nano())
			r.Sys = time.Duration(ru.Stime.Nano())
			r.Nivcsw = ru.Nivcsw
		}
	}
	if ce.verbose {
		fmt.Fprintf(os.Stderr, "    $ %v (nivcsw %d)\n%s", args, r.Nivcsw, indent(out.String()))
	}
	own, ok := lastCount(out.String())
	switch {
	case cctx.Err() == context.DeadlineExceeded:
		r.Err = fmt.Sprintf("no exit after %v: %s", timeout, lastLine(out.String()))
		return r
	case err != nil:
		r.Err = fmt.Sprintf("%v: %s", err, lastLine(out.String()))
		return r
	case !ok:
		r.Err = "no final \"N packets\" line: " + lastLine(out.String())
		return r
	}
	r.Own = own
	r.Count = own
	if ce.c.countsAtPeer() {
		after, err := ce.peer.count()
		if err != nil {
			r.Err = "read counter: " + err.Error()
			return r
		}
		r.Count = after - before
	}
	r.Mpps = float64(r.Count) / ce.Duration / 1e6
	return r
}

// runDrop is the ceiling: the counter (XDP_DROP) on IfA in the case's
// mode, for the case's duration, with the generator running.
func (ce *caseEnv) runDrop(ctx context.Context, round int) result {
	r := result{Impl: "xdpdrop", Round: round}
	var c *counter
	if err := inNetns(ce.P.A, func() (err error) { c, err = attachCounter(ce.P.IfA, ce.c.Mode == "skb"); return }); err != nil {
		r.Err = err.Error()
		return r
	}
	defer c.close()
	// Let the link settle after the attach.
	time.Sleep(100 * time.Millisecond)
	before, err := c.count()
	if err != nil {
		r.Err = err.Error()
		return r
	}
	start := time.Now()
	select {
	case <-ctx.Done():
	case <-time.After(time.Duration(ce.Duration * float64(time.Second))):
	}
	after, err := c.count()
	r.Elapsed = time.Since(start)
	if err != nil {
		r.Err = err.Error()
		return r
	}
	r.Count = after - before
	r.Own = r.Count
	r.Mpps = float64(r.Count) / r.Elapsed.Seconds() / 1e6
	return r
}

func indent(s string) string {
	var b bytes.Buffer
	for _, l := range bytes.Split(bytes.TrimRight([]byte(s), "\n"), []byte("\n")) {
		b.WriteString("      ")
		b.Write(l)
		b.WriteByte('\n')
	}
	return b.String()
}
