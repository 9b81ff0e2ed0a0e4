package netnstest

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// XDPProgIDs returns the ids of the XDP programs attached to ifname in the
// namespace (any mode), as `ip -d -j link show` reports them; empty when
// none is attached.
func (n NS) XDPProgIDs(ifname string) ([]uint32, error) {
	out, err := run("ip", "-n", n.Name, "-d", "-j", "link", "show", "dev", ifname)
	if err != nil {
		return nil, err
	}
	type prog struct {
		ID uint32 `json:"id"`
	}
	var links []struct {
		XDP *struct {
			Prog     *prog `json:"prog"`
			Attached []struct {
				Prog *prog `json:"prog"`
			} `json:"attached"`
		} `json:"xdp"`
	}
	if err := json.Unmarshal([]byte(out), &links); err != nil {
		return nil, fmt.Errorf("parse ip -j link show %s: %w: %s", ifname, err, out)
	}
	if len(links) != 1 {
		return nil, fmt.Errorf("ip -j link show %s: %d links in %s", ifname, len(links), out)
	}
	x := links[0].XDP
	if x == nil {
		return nil, nil
	}
	var ids []uint32
	for _, a := range x.Attached {
		if a.Prog != nil {
			ids = append(ids, a.Prog.ID)
		}
	}
	if len(ids) == 0 && x.Prog != nil {
		ids = append(ids, x.Prog.ID)
	}
	return ids, nil
}

// DisableIPv6 turns IPv6 off in both namespaces, so that no router
// solicitation, DAD or MLD frame reaches a socket that counts frames.
func (p *Pair) DisableIPv6() error {
	for _, ns := range []NS{p.A, p.B} {
		err := ns.Do(func() error {
			for _, conf := range []string{"all", "default"} {
				path := "/proc/sys/net/ipv6/conf/" + conf + "/disable_ipv6"
				if err := os.WriteFile(path, []byte("1\n"), 0o644); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("disable IPv6 in %s: %w", ns.Name, err)
		}
	}
	return nil
}

// HasXDP reports whether `ip link show` prints an XDP program on ifname
// (a "prog/xdp" line or an xdp/xdpgeneric/xdpdrv flag).
func (n NS) HasXDP(ifname string) (bool, error) {
	out, err := run("ip", "-n", n.Name, "link", "show", "dev", ifname)
	if err != nil {
		return false, err
	}
	return strings.Contains(out, "xdp"), nil
}
