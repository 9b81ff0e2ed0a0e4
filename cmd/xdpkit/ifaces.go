package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/xdpkit/xdpkit/internal/xskdiag"
	"github.com/xdpkit/xdpkit/xsk"
	"golang.org/x/sys/unix"
)

func init() {
	register(&command{
		name:    "ifaces",
		args:    "[IF] [flags]",
		summary: "interfaces with queues, XDP features, XDP programs and AF_XDP sockets",
		about: `Lists the interfaces of this network namespace (or just IF) with:
  queues        active RX and TX queues (ethtool channels)
  xdp-features  what the driver supports (netdev netlink, Linux 6.3+)
  zero-copy     whether AF_XDP zero-copy is possible
  xdp           attached XDP programs: mode, program id and name, bpf_link id
  xsk           AF_XDP sockets bound to the interface: queue, socket inode,
                ring sizes, UMEM, copy/zero-copy and the owning processes

Sockets come from sock_diag (CONFIG_XDP_SOCKETS_DIAG) or, on kernels
without it, from a BPF iterator over the open files of all processes.`,
		examples: []string{
			"xdpkit ifaces",
			"xdpkit ifaces eth0 --json",
			"ip netns exec blue xdpkit ifaces veth1",
		},
		setup: setupIfaces,
	})
}

// ifaceReport is one interface in `ifaces` output.
type ifaceReport struct {
	Index       int              `json:"ifindex"`
	Name        string           `json:"name"`
	MAC         string           `json:"mac,omitempty"`
	Up          bool             `json:"up"`
	RxQueues    uint32           `json:"rx_queues"`
	TxQueues    uint32           `json:"tx_queues"`
	XDPFeatures []string         `json:"xdp_features"`
	FeatureErr  string           `json:"xdp_features_error,omitempty"`
	ZeroCopy    bool             `json:"zero_copy"`
	ZCMaxSegs   uint32           `json:"zc_max_segs,omitempty"`
	XSKFeatures []string         `json:"xsk_features,omitempty"`
	XDP         []xdpAttachment  `json:"xdp"`
	Sockets     []xskdiag.Socket `json:"xsks"`
}

func setupIfaces(fs *flagSet) func(*env, []string) error {
	asJSON := fs.Bool("json", false, "print a JSON array")
	backend := fs.String("backend", "auto", "how to find AF_XDP sockets (`MODE`: auto, sock_diag or bpf_iter)")
	return func(e *env, args []string) error {
		if len(args) > 1 {
			return usagef("want at most one interface, got %q", args)
		}
		b, err := parseBackend(*backend)
		if err != nil {
			return err
		}
		reports, err := collectIfaces(args, b)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(e.stdout, reports)
		}
		for _, r := range reports {
			printIface(e.stdout, r)
		}
		return nil
	}
}

func parseBackend(s string) (xskdiag.Backend, error) {
	for _, b := range []xskdiag.Backend{xskdiag.Auto, xskdiag.SockDiag, xskdiag.Iter} {
		if s == b.String() {
			return b, nil
		}
	}
	return 0, usagef("--backend %q: want auto, sock_diag or bpf_iter", s)
}

// collectIfaces gathers the report of every interface (or of only[0]).
func collectIfaces(only []string, b xskdiag.Backend) ([]ifaceReport, error) {
	links, err := dumpLinks()
	if err != nil {
		return nil, err
	}
	socks, err := xskdiag.List(b, 0)
	if err != nil {
		return nil, fmt.Errorf("list AF_XDP sockets: %w", err)
	}
	linkIDs, err := xdpLinks()
	if err != nil {
		return nil, fmt.Errorf("list bpf links: %w", err)
	}
	var out []ifaceReport
	for _, l := range links {
		if len(only) > 0 && l.Name != only[0] {
			continue
		}
		r := ifaceReport{Index: l.Index, Name: l.Name, MAC: l.MAC, Up: l.Up, XDP: l.XDP, XDPFeatures: []string{}, Sockets: []xskdiag.Socket{}}
		if q, err := xsk.InterfaceQueues(l.Name); err == nil {
			r.RxQueues, r.TxQueues = q.RX, q.TX
		}
		if f, err := xsk.InterfaceFeatures(l.Name); err == nil {
			r.XDPFeatures = bitNames(f.XDP, xdpFeatureNames)
			r.XSKFeatures = bitNames(f.XSK, xskFeatureNames)
			r.ZeroCopy = f.XDP&xsk.XDPFeatureXSKZeroCopy != 0
			r.ZCMaxSegs = f.XDPZCMaxSegs
		} else {
			r.FeatureErr = err.Error()
		}
		for i := range r.XDP {
			a := &r.XDP[i]
			a.Name = progName(a.ProgID)
			a.LinkID = uint32(linkIDs[xdpLinkKey{uint32(l.Index), ebpfProgID(a.ProgID)}])
		}
		if r.XDP == nil {
			r.XDP = []xdpAttachment{}
		}
		for _, s := range socks {
			if s.Ifindex == uint32(l.Index) {
				r.Sockets = append(r.Sockets, s)
			}
		}
		out = append(out, r)
	}
	if len(only) > 0 && len(out) == 0 {
		return nil, fmt.Errorf("interface %q: %w", only[0], unix.ENODEV)
	}
	return out, nil
}

var xdpFeatureNames = []string{"basic", "redirect", "ndo-xmit", "xsk-zerocopy", "hw-offload", "rx-sg", "ndo-xmit-sg"}

var xskFeatureNames = []string{"tx-timestamp", "tx-checksum", "tx-launch-time-fifo"}

// bitNames names the set bits of v (unknown bits as bitN).
func bitNames(v uint64, names []string) []string {
	out := []string{}
	for i := 0; i < 64; i++ {
		if v&(1<<i) == 0 {
			continue
		}
		if i < len(names) {
			out = append(out, names[i])
		} else {
			out = append(out, fmt.Sprintf("bit%d", i))
		}
	}
	return out
}

func printIface(w io.Writer, r ifaceReport) {
	state := "down"
	if r.Up {
		state = "up"
	}
	fmt.Fprintf(w, "%d: %s (%s", r.Index, r.Name, state)
	if r.MAC != "" {
		fmt.Fprintf(w, ", %s", r.MAC)
	}
	fmt.Fprintf(w, ")\n    queues        rx %d  tx %d\n", r.RxQueues, r.TxQueues)
	switch {
	case r.FeatureErr != "":
		fmt.Fprintf(w, "    xdp-features  unknown (%s)\n", r.FeatureErr)
	case len(r.XDPFeatures) == 0:
		fmt.Fprintf(w, "    xdp-features  none\n")
	default:
		fmt.Fprintf(w, "    xdp-features  %s\n", strings.Join(r.XDPFeatures, " "))
	}
	zc := "no"
	if r.ZeroCopy {
		zc = fmt.Sprintf("yes (max %d segments)", r.ZCMaxSegs)
		if len(r.XSKFeatures) > 0 {
			zc += ", tx metadata: " + strings.Join(r.XSKFeatures, " ")
		}
	}
	fmt.Fprintf(w, "    zero-copy     %s\n", zc)
	if len(r.XDP) == 0 {
		fmt.Fprintf(w, "    xdp           none\n")
	}
	for _, a := range r.XDP {
		fmt.Fprintf(w, "    xdp           %s  prog %d %s", a.Mode, a.ProgID, orDash(a.Name))
		if a.LinkID != 0 {
			fmt.Fprintf(w, "  link %d", a.LinkID)
		} else {
			fmt.Fprintf(w, "  link -")
		}
		fmt.Fprintln(w)
	}
	if len(r.Sockets) == 0 {
		fmt.Fprintf(w, "    xsk           none\n")
	}
	for _, s := range r.Sockets {
		fmt.Fprintf(w, "    xsk           queue %d  ino %d  %s\n", s.Queue, s.Ino, socketDetails(s))
	}
}

// socketDetails is the one-line description of a socket after its queue.
func socketDetails(s xskdiag.Socket) string {
	var b strings.Builder
	fmt.Fprintf(&b, "rx %d tx %d fill %d comp %d", s.RxRing, s.TxRing, s.FillRing, s.CompRing)
	if s.Umem != nil {
		mode := "copy"
		if s.ZeroCopy() {
			mode = "zero-copy"
		}
		fmt.Fprintf(&b, "  umem %d (%s, chunk %d, refs %d) %s", s.Umem.ID, byteSize(s.Umem.Size), s.Umem.ChunkSize, s.Umem.Refs, mode)
	}
	for _, o := range s.Owners {
		fmt.Fprintf(&b, "  pid %d (%s) fd %d", o.PID, o.Comm, o.FD)
	}
	return b.String()
}
