package main

import (
	"fmt"
	"net"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
)

// counter is an XDP program that counts every frame in a per-CPU array
// and drops it: the receiver of txonly and l2fwd, and the XDP_DROP
// ceiling of the box for rxdrop. It is built from instructions here, so
// that the harness needs no compiler.
type counter struct {
	m    *ebpf.Map
	prog *ebpf.Program
	l    link.Link
}

// attachCounter loads the counter and attaches it to ifname in the
// calling thread's namespace (native or generic mode).
func attachCounter(ifname string, generic bool) (*counter, error) {
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return nil, err
	}
	m, err := ebpf.NewMap(&ebpf.MapSpec{Name: "bench_count", Type: ebpf.PerCPUArray, KeySize: 4, ValueSize: 8, MaxEntries: 1})
	if err != nil {
		return nil, fmt.Errorf("counter map: %w", err)
	}
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Name:    "bench_drop",
		Type:    ebpf.XDP,
		License: "Dual BSD/GPL",
		Instructions: asm.Instructions{
			asm.StoreImm(asm.RFP, -4, 0, asm.Word), // key = 0
			asm.LoadMapPtr(asm.R1, m.FD()),
			asm.Mov.Reg(asm.R2, asm.RFP),
			asm.Add.Imm(asm.R2, -4),
			asm.FnMapLookupElem.Call(),
			asm.JEq.Imm(asm.R0, 0, "drop"),
			asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord),
			asm.Add.Imm(asm.R1, 1),
			asm.StoreMem(asm.R0, 0, asm.R1, asm.DWord),
			asm.Mov.Imm(asm.R0, 1).WithSymbol("drop"), // XDP_DROP
			asm.Return(),
		},
	})
	if err != nil {
		m.Close()
		return nil, fmt.Errorf("counter program: %w", err)
	}
	flags := link.XDPDriverMode
	if generic {
		flags = link.XDPGenericMode
	}
	l, err := link.AttachXDP(link.XDPOptions{Program: prog, Interface: ifi.Index, Flags: flags})
	if err != nil {
		prog.Close()
		m.Close()
		return nil, fmt.Errorf("attach counter to %s: %w", ifname, err)
	}
	return &counter{m: m, prog: prog, l: l}, nil
}

// count is the number of frames counted so far, over all CPUs.
func (c *counter) count() (uint64, error) {
	var per []uint64
	if err := c.m.Lookup(uint32(0), &per); err != nil {
		return 0, err
	}
	var n uint64
	for _, v := range per {
		n += v
	}
	return n, nil
}

func (c *counter) close() {
	c.l.Close()
	c.prog.Close()
	c.m.Close()
}
