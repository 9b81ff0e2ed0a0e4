package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/xdpkit/xdpkit/internal/netns"
)

// ip runs an iproute2 command.
func ip(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// disableIPv6 turns IPv6 off in the calling thread's namespace, so that
// no router solicitation or DAD frame reaches the counters.
func disableIPv6() error {
	for _, conf := range []string{"all", "default"} {
		if err := os.WriteFile("/proc/sys/net/ipv6/conf/"+conf+"/disable_ipv6", []byte("1\n"), 0o644); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}

// inNetns runs fn with the calling thread in the named network namespace
// (/run/netns/NAME); sockets and programs created inside stay there.
func inNetns(name string, fn func() error) error { return netns.Do(name, fn) }
