package main

import (
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// TestHelp checks that every command, group and the top level answer
// --help with usage, examples and the exit codes, and exit 0.
func TestHelp(t *testing.T) {
	var invocations [][]string
	for name := range commands {
		invocations = append(invocations, append(strings.Fields(name), "--help"))
	}
	invocations = append(invocations, []string{"--help"}, []string{"help"}, []string{"map", "--help"}, []string{"help", "gen"}, []string{"rxdrop", "-h"})
	for _, args := range invocations {
		r := xdpkit(t, "", args...)
		if r.code != 0 || !strings.Contains(r.stdout, "Usage: xdpkit") || !strings.Contains(r.stdout, exitCodesHelp) {
			t.Errorf("xdpkit %v: exit %d, stdout %q", args, r.code, r.stdout)
		}
		if len(args) == 2 && args[1] == "--help" && args[0] != "map" && !strings.Contains(r.stdout, "Examples:\n  xdpkit ") {
			t.Errorf("xdpkit %v: no examples", args)
		}
	}
}

// TestUsageErrors checks that bad invocations exit 2 with a pointer to
// --help, before touching the kernel.
func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"ifaces", "a", "b"},
		{"ifaces", "--backend", "magic"},
		{"ifaces", "--nope"},
		{"stats", "--count", "3"},
		{"stats", "--watch", "--count", "-1"},
		{"stats", "extra"},
		{"gen"},
		{"gen", "lo", "--size", "10"},
		{"gen", "lo", "--rate", "fast"},
		{"gen", "lo", "--queue", "1"},
		{"gen", "lo", "--dst-mac", "nonsense"},
		{"gen", "lo", "--src-ip", "::1"},
		{"gen", "lo", "--duration", "-3s"},
		{"rxdrop"},
		{"rxdrop", "lo", "--copy", "--zero-copy"},
		{"rxdrop", "lo", "-m", "sideways"},
		{"txonly", "lo", "--size", "2000"},
		{"l2fwd", "a", "b"},
		{"map"},
		{"map", "frob"},
		{"map", "get"},
		{"map", "get", "id:x", "--key", "00"},
		{"map", "dump", "id:1", "id:2"},
		{"demo", "--mode", "hw"},
		{"demo", "--duration", "0"},
	} {
		r := xdpkit(t, "", args...)
		if r.code != exitUsage {
			t.Errorf("xdpkit %v: exit %d, want %d", args, r.code, exitUsage)
		}
		if r.stdout != "" && len(args) > 0 && args[0] != "map" {
			t.Errorf("xdpkit %v: usage error printed to stdout: %q", args, r.stdout)
		}
		if !strings.Contains(r.stderr, "--help") && !strings.Contains(r.stderr, "Usage:") {
			t.Errorf("xdpkit %v: stderr %q does not point to --help", args, r.stderr)
		}
	}
}

// TestPermissionHint runs commands as an unprivileged user: the error
// names the missing capabilities and the exit code is 1.
func TestPermissionHint(t *testing.T) {
	for _, args := range [][]string{{"map", "list"}, {"rxdrop", "lo", "-d", "1"}, {"gen", "lo", "--count", "1"}} {
		cmd := exec.Command(bin, args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		out, err := cmd.CombinedOutput()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != exitRuntime {
			t.Errorf("xdpkit %v as nobody: %v: %s", args, err, out)
			continue
		}
		if !strings.Contains(string(out), hintPerm) {
			t.Errorf("xdpkit %v as nobody: %q does not say %q", args, out, hintPerm)
		}
	}
}
