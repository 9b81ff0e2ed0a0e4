package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/xdpkit/xdpkit/maps"
	"golang.org/x/sys/unix"
)

const mapRefHelp = `MAP is id:N (a kernel map id, see xdpkit map list), name:NAME (the map of
that name, when only one has it) or the path of a map pinned in bpffs.`

// openMap opens a map named by id:N, name:NAME or a pinned path.
func openMap(ref string) (*maps.Map, error) {
	switch {
	case ref == "":
		return nil, usagef("missing MAP (id:N, name:NAME or a pinned path)")
	case strings.HasPrefix(ref, "id:"):
		id, err := strconv.ParseUint(ref[3:], 0, 32)
		if err != nil {
			return nil, usagef("map %q: want id:N with a number", ref)
		}
		m, err := maps.OpenID(uint32(id))
		if errors.Is(err, unix.ENOENT) {
			return nil, fmt.Errorf("map id %d does not exist (see xdpkit map list): %w", id, err)
		}
		return m, err
	case strings.HasPrefix(ref, "name:"):
		return openMapByName(ref[5:])
	}
	if _, err := os.Stat(ref); err != nil {
		return nil, fmt.Errorf("map %q: want id:N, name:NAME or a pinned path: %w", ref, err)
	}
	return maps.OpenPinned(ref)
}

// openMapByName opens the only map called name.
func openMapByName(name string) (*maps.Map, error) {
	var found []uint32
	err := eachMap(func(m *maps.Map) error {
		if m.Info().Name == name {
			found = append(found, m.Info().ID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("no map is called %q (see xdpkit map list): %w", name, unix.ENOENT)
	case 1:
		return maps.OpenID(found[0])
	}
	return nil, usagef("%d maps are called %q (ids %v): use id:N", len(found), name, found)
}

// eachMap calls fn with every map of the system, in id order.
func eachMap(fn func(*maps.Map) error) error {
	var id ebpf.MapID
	for {
		next, err := ebpf.MapGetNextID(id)
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("iterate map ids: %w", err)
		}
		id = next
		m, err := maps.OpenID(uint32(id))
		if errors.Is(err, unix.ENOENT) {
			continue // gone since
		}
		if err != nil {
			return fmt.Errorf("open map id %d: %w", id, err)
		}
		err = fn(m)
		m.Close()
		if err != nil {
			return err
		}
	}
}

// openProg opens a program named by id:N or a pinned path (for the
// programs of CPUMAP and DEVMAP entries).
func openProg(ref string) (*ebpf.Program, error) {
	if strings.HasPrefix(ref, "id:") {
		id, err := strconv.ParseUint(ref[3:], 0, 32)
		if err != nil {
			return nil, usagef("program %q: want id:N with a number", ref)
		}
		return ebpf.NewProgramFromID(ebpf.ProgramID(id))
	}
	return ebpf.LoadPinnedProgram(ref, nil)
}

// typeName is the kernel's name of a map type, lower case (xskmap, cpumap).
func typeName(t ebpf.MapType) string { return strings.ToLower(t.String()) }
