package xsk_test

import (
	"fmt"
	"os"
	"os/exec"
	"sort"
	"testing"
)

// TestMain fails the run when the tests leave file descriptors open.
func TestMain(m *testing.M) {
	// What the Go runtime opens once and keeps (the netpoller's epoll and
	// eventfd, pidfd probing) is opened before the first snapshot.
	_ = exec.Command("true").Run()
	before, err := openFDs()
	if err != nil {
		fmt.Fprintln(os.Stderr, "list fds:", err)
		os.Exit(1)
	}
	code := m.Run()
	after, err := openFDs()
	if err != nil {
		fmt.Fprintln(os.Stderr, "list fds:", err)
		os.Exit(1)
	}
	var leaked []string
	for fd, target := range after {
		if before[fd] != target {
			leaked = append(leaked, fmt.Sprintf("fd %s -> %s", fd, target))
		}
	}
	if len(leaked) > 0 {
		sort.Strings(leaked)
		fmt.Fprintf(os.Stderr, "FAIL: %d file descriptor(s) leaked by the tests:\n", len(leaked))
		for _, l := range leaked {
			fmt.Fprintln(os.Stderr, "\t"+l)
		}
		code = 1
	}
	os.Exit(code)
}
