// Package prog loads XDP programs from ELF objects (with their maps),
// finds their maps by name and attaches them to interfaces through
// bpf_links. It is pure Go over cilium/ebpf.
package prog

import (
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/xdpkit/xdpkit/maps"
	"github.com/xdpkit/xdpkit/xsk"
)

// Program is a loaded XDP program together with the collection (maps and
// other programs) of its ELF object.
type Program struct {
	mu   sync.Mutex
	coll *ebpf.Collection
	prog *ebpf.Program
	name string
}

// Load loads the ELF object at path and selects the program name: a
// function name or a section name ("xdp", "xdp.frags", ...). An empty name
// selects the object's only XDP program.
func Load(path, name string) (*Program, error) {
	spec, err := ebpf.LoadCollectionSpec(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	p, err := LoadSpec(spec, name)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return p, nil
}

// LoadSpec loads a parsed collection and selects the program name as Load.
func LoadSpec(spec *ebpf.CollectionSpec, name string) (*Program, error) {
	fn, err := pick(spec, name)
	if err != nil {
		return nil, err
	}
	coll, err := ebpf.NewCollection(spec)
	if err != nil {
		return nil, fmt.Errorf("load collection: %w", err)
	}
	return &Program{coll: coll, prog: coll.Programs[fn], name: fn}, nil
}

func pick(spec *ebpf.CollectionSpec, name string) (string, error) {
	if _, ok := spec.Programs[name]; ok && name != "" {
		return name, nil
	}
	var xdp, inSection []string
	for fn, ps := range spec.Programs {
		if name != "" && ps.SectionName == name {
			inSection = append(inSection, fn)
		}
		if ps.Type == ebpf.XDP {
			xdp = append(xdp, fn)
		}
	}
	sort.Strings(xdp)
	sort.Strings(inSection)
	switch {
	case len(inSection) == 1:
		return inSection[0], nil
	case len(inSection) > 1:
		return "", fmt.Errorf("section %q holds %d programs %v: name one: %w", name, len(inSection), inSection, unix.EINVAL)
	case name != "":
		return "", fmt.Errorf("no program or section %q (XDP programs: %v): %w", name, xdp, unix.ENOENT)
	case len(xdp) == 1:
		return xdp[0], nil
	case len(xdp) == 0:
		return "", fmt.Errorf("the object has no XDP program: %w", unix.ENOENT)
	}
	return "", fmt.Errorf("the object has %d XDP programs %v: name one: %w", len(xdp), xdp, unix.EINVAL)
}

// Name is the selected program's function name.
func (p *Program) Name() string { return p.name }

// Ebpf is the selected program (nil after Close).
func (p *Program) Ebpf() *ebpf.Program {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.prog
}

// FD is the program's file descriptor, or -1 after Close.
func (p *Program) FD() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.prog == nil {
		return -1
	}
	return p.prog.FD()
}

// ID is the program's kernel id.
func (p *Program) ID() (uint32, error) {
	pr := p.Ebpf()
	if pr == nil {
		return 0, fmt.Errorf("program closed: %w", unix.EBADF)
	}
	info, err := pr.Info()
	if err != nil {
		return 0, err
	}
	id, _ := info.ID()
	return uint32(id), nil
}

// Map returns the object's map called name (the xsks_map pattern). The
// returned Map has its own fd: close it when done; it outlives Close.
func (p *Program) Map(name string) (*maps.Map, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.coll == nil {
		return nil, fmt.Errorf("program closed: %w", unix.EBADF)
	}
	m, ok := p.coll.Maps[name]
	if !ok {
		names := make([]string, 0, len(p.coll.Maps))
		for n := range p.coll.Maps {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("no map %q in the object (maps: %v): %w", name, names, unix.ENOENT)
	}
	c, err := m.Clone()
	if err != nil {
		return nil, fmt.Errorf("map %q: %w", name, err)
	}
	return maps.New(c)
}

// Attach attaches the program to ifname through a bpf_link in the given
// mode (auto tries native first, then generic). The link detaches on
// Detach, and when the process exits.
func (p *Program) Attach(ifname string, mode xsk.AttachMode) (*Link, error) {
	ifindex, err := xsk.InterfaceIndex(ifname)
	if err != nil {
		return nil, err
	}
	pr := p.Ebpf()
	if pr == nil {
		return nil, fmt.Errorf("program closed: %w", unix.EBADF)
	}
	l, used, err := xsk.AttachXDP(pr, ifindex, mode)
	if err != nil {
		return nil, err
	}
	return &Link{l: l, mode: used, ifindex: ifindex}, nil
}

// Close unloads the program and closes the object's maps (maps returned
// by Map and attached links keep what they reference alive).
func (p *Program) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.coll == nil {
		return fmt.Errorf("program already closed: %w", unix.EBADF)
	}
	p.coll.Close()
	p.coll, p.prog = nil, nil
	return nil
}

// Link is an attachment of a program to an interface.
type Link struct {
	mu      sync.Mutex
	l       link.Link
	mode    xsk.AttachMode
	ifindex int
}

// Mode is the mode the program was attached in.
func (l *Link) Mode() xsk.AttachMode { return l.mode }

// Ifindex is the interface the link attaches to.
func (l *Link) Ifindex() int { return l.ifindex }

// Detach detaches the program. A second Detach returns EBADF.
func (l *Link) Detach() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.l == nil {
		return fmt.Errorf("link already detached: %w", unix.EBADF)
	}
	err := l.l.Close()
	l.l = nil
	if err != nil && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("detach: %w", err)
	}
	return nil
}
