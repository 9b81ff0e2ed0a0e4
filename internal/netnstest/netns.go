// Package netnstest creates network namespaces joined by a veth pair for
// tests that need real traffic, and always tears them down.
package netnstest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/xdpkit/xdpkit/internal/netns"
)

// NS is a named network namespace (as `ip netns add` makes).
type NS struct {
	Name string
}

// Pair is two namespaces joined by a veth pair: IfA in A, IfB in B.
type Pair struct {
	A, B       NS
	IfA, IfB   string
	MacA, MacB net.HardwareAddr
	IPA, IPB   net.IP
}

func run(args ...string) (string, error) {
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s: %w: %s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// Require fails the test when the kernel feature cannot be used in CI
// (CI=true) and skips it with the reason elsewhere.
func Require(tb testing.TB, err error, what string) {
	tb.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("%s: %v (CI must run this test)", what, err)
	}
	tb.Skipf("skipping: %s: %v", what, err)
}

// PairOptions shape the veth pair of NewPairWith.
type PairOptions struct {
	Queues int // RX and TX queues of each end (default 1)
	MTU    int // MTU of both ends (default 1500)
}

// NewPair creates namespaces <prefix>a and <prefix>b with a veth pair
// between them, both ends up with addresses 10.77.0.1 and 10.77.0.2 and
// static neighbour entries. They are deleted when the test ends.
func NewPair(tb testing.TB) *Pair {
	tb.Helper()
	return NewPairWith(tb, PairOptions{})
}

// NewPairWith is NewPair with more queues or another MTU.
func NewPairWith(tb testing.TB, opts PairOptions) *Pair {
	tb.Helper()
	if opts.Queues == 0 {
		opts.Queues = 1
	}
	if opts.MTU == 0 {
		opts.MTU = 1500
	}
	q := fmt.Sprint(opts.Queues)
	var rnd [3]byte
	_, _ = rand.Read(rnd[:])
	id := hex.EncodeToString(rnd[:])
	p := &Pair{
		A: NS{"xk" + id + "a"}, B: NS{"xk" + id + "b"},
		IfA: "xka" + id, IfB: "xkb" + id,
		MacA: net.HardwareAddr{0x02, 0x00, 0x00, 0x00, 0x00, 0x0a},
		MacB: net.HardwareAddr{0x02, 0x00, 0x00, 0x00, 0x00, 0x0b},
		IPA:  net.IPv4(10, 77, 0, 1).To4(), IPB: net.IPv4(10, 77, 0, 2).To4(),
	}
	tb.Cleanup(p.Close)
	steps := [][]string{
		{"ip", "netns", "add", p.A.Name},
		{"ip", "netns", "add", p.B.Name},
		{"ip", "link", "add", p.IfA, "netns", p.A.Name, "address", p.MacA.String(), "mtu", fmt.Sprint(opts.MTU),
			"numtxqueues", q, "numrxqueues", q, "type", "veth",
			"peer", "name", p.IfB, "netns", p.B.Name, "address", p.MacB.String(), "mtu", fmt.Sprint(opts.MTU),
			"numtxqueues", q, "numrxqueues", q},
		{"ip", "-n", p.A.Name, "addr", "add", "10.77.0.1/24", "dev", p.IfA},
		{"ip", "-n", p.B.Name, "addr", "add", "10.77.0.2/24", "dev", p.IfB},
		{"ip", "-n", p.A.Name, "link", "set", p.IfA, "up"},
		{"ip", "-n", p.B.Name, "link", "set", p.IfB, "up"},
		{"ip", "-n", p.A.Name, "link", "set", "lo", "up"},
		{"ip", "-n", p.B.Name, "link", "set", "lo", "up"},
		{"ip", "-n", p.A.Name, "neigh", "add", "10.77.0.2", "lladdr", p.MacB.String(), "dev", p.IfA, "nud", "permanent"},
		{"ip", "-n", p.B.Name, "neigh", "add", "10.77.0.1", "lladdr", p.MacA.String(), "dev", p.IfB, "nud", "permanent"},
	}
	for _, s := range steps {
		if _, err := run(s...); err != nil {
			Require(tb, err, "create veth namespaces")
		}
	}
	return p
}

// Close deletes both namespaces (and with them the veth pair).
func (p *Pair) Close() {
	_, _ = run("ip", "netns", "del", p.A.Name)
	_, _ = run("ip", "netns", "del", p.B.Name)
}

// Exec runs a command in the namespace and returns its combined output.
func (n NS) Exec(args ...string) (string, error) {
	return run(append([]string{"ip", "netns", "exec", n.Name}, args...)...)
}

// Do runs fn on a locked OS thread switched into the namespace, and
// switches back afterwards. Sockets created inside stay in the namespace.
func (n NS) Do(fn func() error) error {
	return netns.Do(n.Name, fn)
}

// PacketSocket is an AF_PACKET socket bound to one interface, for sending
// and receiving raw Ethernet frames in a namespace.
type PacketSocket struct {
	fd      int
	ifindex int
}

// OpenPacket opens a raw packet socket on ifname inside the namespace.
func (n NS) OpenPacket(ifname string) (*PacketSocket, error) {
	ps := &PacketSocket{fd: -1}
	err := n.Do(func() error {
		ifi, err := net.InterfaceByName(ifname)
		if err != nil {
			return err
		}
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, int(htons(unix.ETH_P_ALL)))
		if err != nil {
			return err
		}
		sa := &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: ifi.Index}
		if err := unix.Bind(fd, sa); err != nil {
			unix.Close(fd)
			return err
		}
		ps.fd, ps.ifindex = fd, ifi.Index
		return nil
	})
	return ps, err
}

// Send writes one Ethernet frame.
func (p *PacketSocket) Send(frame []byte) error {
	for {
		err := unix.Sendto(p.fd, frame, 0, &unix.SockaddrLinklayer{Ifindex: p.ifindex, Halen: 6})
		if err != unix.EINTR {
			return err
		}
	}
}

// Recv reads one frame, waiting at most timeoutMs; nil on timeout.
func (p *PacketSocket) Recv(timeoutMs int) ([]byte, error) {
	fds := []unix.PollFd{{Fd: int32(p.fd), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, timeoutMs)
	for err == unix.EINTR { // Go's preemption signals interrupt poll
		n, err = unix.Poll(fds, timeoutMs)
	}
	if err != nil || n == 0 {
		return nil, err
	}
	buf := make([]byte, 65536)
	m, _, err := unix.Recvfrom(p.fd, buf, unix.MSG_DONTWAIT)
	if err != nil {
		return nil, err
	}
	return buf[:m], nil
}

// Close closes the socket.
func (p *PacketSocket) Close() error { return unix.Close(p.fd) }

func htons(v uint16) uint16 { return v<<8 | v>>8 }
