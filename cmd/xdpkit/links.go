package main

import (
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

// xdpLinkKey finds the bpf_link of a program on an interface.
type xdpLinkKey struct {
	ifindex uint32
	prog    ebpf.ProgramID
}

// xdpLinks maps (ifindex, program id) to the id of the XDP bpf_link
// attaching it. Interface indexes are per namespace, so a program
// attached in two namespaces at the same index could be confused; the
// program id makes that unlikely.
func xdpLinks() (map[xdpLinkKey]link.ID, error) {
	out := map[xdpLinkKey]link.ID{}
	var it link.Iterator
	defer it.Close()
	for it.Next() {
		info, err := it.Link.Info()
		if err != nil || info.Type != link.XDPType {
			continue
		}
		if x := info.XDP(); x != nil {
			out[xdpLinkKey{x.Ifindex, info.Program}] = info.ID
		}
	}
	return out, it.Err()
}

// progName returns the name of the program with id (empty when unknown).
func progName(id uint32) string {
	p, err := ebpf.NewProgramFromID(ebpf.ProgramID(id))
	if err != nil {
		return ""
	}
	defer p.Close()
	info, err := p.Info()
	if err != nil {
		return ""
	}
	return info.Name
}

func ebpfProgID(id uint32) ebpf.ProgramID { return ebpf.ProgramID(id) }
