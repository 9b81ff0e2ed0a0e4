package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// bin is the xdpkit binary built once for the tests.
var bin string

// TestMain builds the command with CGO_ENABLED=0, as `make cli` does.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "xdpkit-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// Readable by the unprivileged user of the permission test.
	_ = os.Chmod(dir, 0o755)
	bin = filepath.Join(dir, "xdpkit")
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	build := exec.Command(goTool, "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cmdTimeout bounds every xdpkit run of the tests.
const cmdTimeout = 20 * time.Second

// result is a finished xdpkit run.
type result struct {
	stdout, stderr string
	code           int
}

// xdpkitCmd builds an xdpkit invocation, inside namespace ns when set.
func xdpkitCmd(ctx context.Context, ns string, args ...string) *exec.Cmd {
	if ns == "" {
		return exec.CommandContext(ctx, bin, args...)
	}
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns, bin}, args...)...)
}

// xdpkit runs the binary to completion.
func xdpkit(t *testing.T, ns string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := xdpkitCmd(ctx, ns, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{out.String(), errb.String(), 0}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("xdpkit %v: %v", args, err)
	}
	t.Logf("xdpkit %s (ns %q) -> %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), ns, r.code, r.stdout, r.stderr)
	return r
}

// mustRun runs xdpkit and fails the test unless it exits 0.
func mustRun(t *testing.T, ns string, args ...string) string {
	t.Helper()
	r := xdpkit(t, ns, args...)
	if r.code != 0 {
		t.Fatalf("xdpkit %v: exit %d: %s", args, r.code, r.stderr)
	}
	return r.stdout
}

// bg is an xdpkit run in the background whose output lines are watched.
type bg struct {
	t      *testing.T
	cmd    *exec.Cmd
	cancel context.CancelFunc
	mu     sync.Mutex
	lines  []string
	stderr bytes.Buffer
	done   chan struct{}
	newLn  chan struct{}
}

// start runs xdpkit in the background.
func start(t *testing.T, ns string, args ...string) *bg {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	b := &bg{t: t, cmd: xdpkitCmd(ctx, ns, args...), cancel: cancel, done: make(chan struct{}), newLn: make(chan struct{}, 1)}
	b.cmd.Stderr = &b.stderr
	out, err := b.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(b.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			b.mu.Lock()
			b.lines = append(b.lines, sc.Text())
			b.mu.Unlock()
			select {
			case b.newLn <- struct{}{}:
			default:
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	t.Cleanup(func() { cancel(); _ = b.cmd.Wait() })
	return b
}

// waitFor waits until a line contains s.
func (b *bg) waitFor(s string, timeout time.Duration) {
	b.t.Helper()
	deadline := time.After(timeout)
	for {
		b.mu.Lock()
		for _, l := range b.lines {
			if strings.Contains(l, s) {
				b.mu.Unlock()
				return
			}
		}
		b.mu.Unlock()
		select {
		case <-b.newLn:
		case <-b.done:
			b.t.Fatalf("xdpkit exited before printing %q: %s\n%s", s, b.output(), b.stderr.String())
		case <-deadline:
			b.t.Fatalf("no %q from xdpkit within %v: %s", s, timeout, b.output())
		}
	}
}

func (b *bg) output() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Join(b.lines, "\n")
}

// wait waits for the run to end and returns its result.
func (b *bg) wait() result {
	b.t.Helper()
	<-b.done
	err := b.cmd.Wait()
	r := result{stdout: b.output() + "\n", stderr: b.stderr.String()}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
	} else if err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("background xdpkit %v -> %d\nstdout:\n%s\nstderr:\n%s", b.cmd.Args, r.code, r.stdout, r.stderr)
	return r
}
