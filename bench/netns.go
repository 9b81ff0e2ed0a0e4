package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/xdpkit/xdpkit/internal/netns"
)

// pair is two network namespaces joined by a veth pair: IfA in A (the
// side the program under test runs on) and IfB in B (the generator's
// side, and the receiver of what A sends).
type pair struct {
	A, B       string
	IfA, IfB   string
	MacA, MacB net.HardwareAddr
	IPA, IPB   net.IP
}

// run runs a command and returns its combined output.
func run(args ...string) (string, error) {
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// newPair creates the namespaces, the veth pair, addresses, static
// neighbours (an AF_XDP receiver swallows ARP) and turns IPv6 off (no
// chatter on the link).
func newPair() (*pair, error) {
	id := fmt.Sprint(os.Getpid())
	p := &pair{
		A: "xdpbench-" + id + "-a", B: "xdpbench-" + id + "-b",
		IfA: "va", IfB: "vb",
		MacA: net.HardwareAddr{0x02, 0, 0, 0x78, 0, 0x01},
		MacB: net.HardwareAddr{0x02, 0, 0, 0x78, 0, 0x02},
		IPA:  net.IPv4(10, 78, 0, 1).To4(), IPB: net.IPv4(10, 78, 0, 2).To4(),
	}
	steps := [][]string{
		{"ip", "netns", "add", p.A},
		{"ip", "netns", "add", p.B},
		{"ip", "-n", p.A, "link", "add", p.IfA, "address", p.MacA.String(), "type", "veth",
			"peer", "name", p.IfB, "address", p.MacB.String(), "netns", p.B},
		{"ip", "-n", p.A, "addr", "add", p.IPA.String() + "/24", "dev", p.IfA},
		{"ip", "-n", p.B, "addr", "add", p.IPB.String() + "/24", "dev", p.IfB},
		{"ip", "-n", p.A, "link", "set", "lo", "up"},
		{"ip", "-n", p.B, "link", "set", "lo", "up"},
		{"ip", "-n", p.A, "link", "set", p.IfA, "up"},
		{"ip", "-n", p.B, "link", "set", p.IfB, "up"},
		{"ip", "-n", p.A, "neigh", "add", p.IPB.String(), "lladdr", p.MacB.String(), "dev", p.IfA, "nud", "permanent"},
		{"ip", "-n", p.B, "neigh", "add", p.IPA.String(), "lladdr", p.MacA.String(), "dev", p.IfB, "nud", "permanent"},
	}
	for _, s := range steps {
		if _, err := run(s...); err != nil {
			p.close()
			return nil, err
		}
	}
	for _, ns := range []string{p.A, p.B} {
		err := inNetns(ns, func() error {
			for _, conf := range []string{"all", "default"} {
				if err := os.WriteFile("/proc/sys/net/ipv6/conf/"+conf+"/disable_ipv6", []byte("1\n"), 0o644); err != nil && !os.IsNotExist(err) {
					return err
				}
			}
			return nil
		})
		if err != nil {
			p.close()
			return nil, err
		}
	}
	return p, nil
}

// setGRO turns GRO on or off on IfA. With GRO on, frames redirected into
// the veth by the generator reach A's stack (and a generic-mode XDP
// program) even when A has no native XDP program.
func (p *pair) setGRO(on bool) error {
	v := "off"
	if on {
		v = "on"
	}
	_, err := run("ip", "netns", "exec", p.A, "ethtool", "-K", p.IfA, "gro", v)
	return err
}

// close deletes both namespaces and with them the veth pair.
func (p *pair) close() {
	_, _ = run("ip", "netns", "del", p.A)
	_, _ = run("ip", "netns", "del", p.B)
}

// pinThread pins the calling OS thread to one CPU.
func pinThread(cpu int) error {
	var set unix.CPUSet
	set.Set(cpu)
	return unix.SchedSetaffinity(0, &set)
}

// inNetns runs fn with the calling thread in the named network namespace.
func inNetns(name string, fn func() error) error { return netns.Do(name, fn) }
