package prog_test

import (
	"errors"
	"os"
	"testing"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/xdpkit/xdpkit/bpf/objs"
	"github.com/xdpkit/xdpkit/internal/netnstest"
	"github.com/xdpkit/xdpkit/prog"
	"github.com/xdpkit/xdpkit/xsk"
)

// Program selection: by function name, by section name, the only XDP
// program for an empty name; unknown names give ENOENT and an ambiguous
// empty name EINVAL.
func TestLoadSelect(t *testing.T) {
	qs, cpumap := objPath("queue_stack"), objPath("cpumap_rr")
	for _, tc := range []struct {
		name, path, sel, want string
	}{
		{"function", qs, "xdpkit_queue_stack", "xdpkit_queue_stack"},
		{"section", qs, "xdp", "xdpkit_queue_stack"},
		{"only-xdp-program", qs, "", "xdpkit_queue_stack"},
		{"function-of-several", cpumap, "xdpkit_cpumap_count", "xdpkit_cpumap_count"},
		{"section-of-several", cpumap, "xdp", "xdpkit_cpumap_rr"},
		{"cpumap-section", cpumap, "xdp/cpumap", "xdpkit_cpumap_count"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := load(t, tc.path, tc.sel)
			if p.Name() != tc.want {
				t.Fatalf("Load(%q) selected %q, want %q", tc.sel, p.Name(), tc.want)
			}
			pr := p.Ebpf()
			if pr == nil || pr.Type() != ebpf.XDP {
				t.Fatalf("Ebpf() = %v, want an XDP program", pr)
			}
			info, err := pr.Info()
			if err != nil {
				t.Fatal(err)
			}
			// The kernel keeps 15 characters; cilium/ebpf restores the
			// full name from BTF when it can.
			if info.Name != tc.want && info.Name != tc.want[:min(len(tc.want), 15)] {
				t.Fatalf("kernel program name %q, want %q", info.Name, tc.want)
			}
			if p.FD() <= 0 {
				t.Fatalf("FD() = %d", p.FD())
			}
			if id, err := p.ID(); err != nil || id == 0 {
				t.Fatalf("ID() = %d, %v", id, err)
			}
		})
	}

	t.Run("unknown-name", func(t *testing.T) {
		for _, sel := range []string{"nope", "xdp.frags", "xdpkit_queue"} {
			p, err := prog.Load(qs, sel)
			if !errors.Is(err, unix.ENOENT) {
				t.Fatalf("Load(%q) = %v, %v; want ENOENT", sel, p, err)
			}
		}
	})
	t.Run("several-xdp-programs-no-name", func(t *testing.T) {
		p, err := prog.Load(cpumap, "")
		if !errors.Is(err, unix.EINVAL) {
			t.Fatalf("Load(\"\") of an object with two XDP programs = %v, %v; want EINVAL", p, err)
		}
	})
	t.Run("missing-file", func(t *testing.T) {
		_, err := prog.Load("testdata/does-not-exist.o", "")
		if !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("Load of a missing file: %v, want ErrNotExist", err)
		}
	})
	t.Run("default-spec-section", func(t *testing.T) {
		spec, err := xsk.DefaultProgramSpec()
		if err != nil {
			t.Fatal(err)
		}
		p, err := prog.LoadSpec(spec, "xdp.frags")
		netnstest.Require(t, err, "load the default program spec")
		defer p.Close()
		if p.Name() != "xdpkit_redirect_frags" {
			t.Fatalf("section xdp.frags selected %q", p.Name())
		}
		if _, err := prog.LoadSpec(spec, ""); !errors.Is(err, unix.EINVAL) {
			t.Fatalf("LoadSpec(default spec, \"\") = %v, want EINVAL", err)
		}
	})
}

// Map finds the object's maps by name (the xsks_map pattern); the maps
// outlive the program.
func TestMapByName(t *testing.T) {
	spec, err := xsk.DefaultProgramSpec()
	if err != nil {
		t.Fatal(err)
	}
	p, err := prog.LoadSpec(spec, "xdpkit_redirect")
	netnstest.Require(t, err, "load the default program spec")
	defer p.Close()

	m, err := p.Map("xsks_map")
	if err != nil {
		t.Fatalf("Map(xsks_map): %v", err)
	}
	defer m.Close()
	info := m.Info()
	if info.Type != ebpf.XSKMap || info.KeySize != 4 || info.ValueSize != 4 || info.MaxEntries != 64 || info.ID == 0 {
		t.Fatalf("xsks_map info %+v", info)
	}
	if info.Name != "xsks_map" {
		t.Errorf("xsks_map kernel name %q", info.Name)
	}
	// The same kernel map each time, through its own fd.
	m2, err := p.Map("xsks_map")
	if err != nil {
		t.Fatal(err)
	}
	if m2.Info().ID != info.ID || m2.FD() == m.FD() {
		t.Fatalf("second Map: id %d fd %d, first id %d fd %d", m2.Info().ID, m2.FD(), info.ID, m.FD())
	}
	if err := m2.Close(); err != nil {
		t.Fatal(err)
	}

	for _, name := range []string{"nope", "xsks", ""} {
		if _, err := p.Map(name); !errors.Is(err, unix.ENOENT) {
			t.Fatalf("Map(%q) = %v, want ENOENT", name, err)
		}
	}

	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	// The map returned earlier stays usable after the program is closed.
	if err := m.XSKClear(0); err != nil {
		t.Fatalf("XSKClear on xsks_map after program Close: %v", err)
	}
	keys, err := m.Keys()
	if err != nil || len(keys) != 64 {
		t.Fatalf("Keys of xsks_map after program Close: %d keys, %v", len(keys), err)
	}
	if _, err := p.Map("xsks_map"); !errors.Is(err, unix.EBADF) {
		t.Fatalf("Map after Close = %v, want EBADF", err)
	}
}

// Attach in skb and drv mode: the program shows on the interface in that
// mode with its id, Detach removes it, a second Detach gives EBADF.
func TestAttachDetach(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			pair := newPair(t)
			p := load(t, objPath("queue_stack"), "")
			id, err := p.ID()
			if err != nil {
				t.Fatal(err)
			}
			if got := xdpOnLink(t, pair.A, pair.IfA); len(got) != 0 {
				t.Fatalf("XDP on a fresh veth: %+v", got)
			}
			l := attach(t, p, pair.A, pair.IfA, mode)
			if l.Mode() != mode {
				t.Fatalf("Link.Mode() = %v, want %v", l.Mode(), mode)
			}
			var ifindex int
			if err := pair.A.Do(func() (err error) { ifindex, err = xsk.InterfaceIndex(pair.IfA); return err }); err != nil {
				t.Fatal(err)
			}
			if l.Ifindex() != ifindex {
				t.Fatalf("Link.Ifindex() = %d, want %d", l.Ifindex(), ifindex)
			}
			got := xdpOnLink(t, pair.A, pair.IfA)
			if len(got) != 1 || got[0].ID != id || got[0].Mode != attachedMode(mode) {
				t.Fatalf("ip link shows %+v, want program %d in mode %d", got, id, attachedMode(mode))
			}
			// The peer is untouched.
			if got := xdpOnLink(t, pair.B, pair.IfB); len(got) != 0 {
				t.Fatalf("XDP on the peer: %+v", got)
			}

			// A second program in the same mode is refused while the link holds.
			other := load(t, objPath("cpumap_rr"), "xdpkit_cpumap_rr")
			err = pair.A.Do(func() error {
				l2, err := other.Attach(pair.IfA, mode)
				if err == nil {
					l2.Detach()
				}
				return err
			})
			if !errors.Is(err, unix.EBUSY) && !errors.Is(err, unix.EEXIST) {
				t.Fatalf("second Attach in %s mode = %v, want EBUSY", mode, err)
			}

			if err := l.Detach(); err != nil {
				t.Fatalf("Detach: %v", err)
			}
			if got := xdpOnLink(t, pair.A, pair.IfA); len(got) != 0 {
				t.Fatalf("XDP after Detach: %+v", got)
			}
			if err := l.Detach(); !errors.Is(err, unix.EBADF) {
				t.Fatalf("second Detach = %v, want EBADF", err)
			}

			// The program outlives its link: it attaches again.
			l = attach(t, p, pair.A, pair.IfA, mode)
			if got := xdpOnLink(t, pair.A, pair.IfA); len(got) != 1 || got[0].ID != id {
				t.Fatalf("ip link after re-attach: %+v, want program %d", got, id)
			}
			// Closing the program keeps the attached link (and program) alive.
			if err := p.Close(); err != nil {
				t.Fatal(err)
			}
			if got := xdpOnLink(t, pair.A, pair.IfA); len(got) != 1 || got[0].ID != id {
				t.Fatalf("ip link after program Close: %+v, want program %d still attached", got, id)
			}
			if err := l.Detach(); err != nil {
				t.Fatalf("Detach after program Close: %v", err)
			}
			if got := xdpOnLink(t, pair.A, pair.IfA); len(got) != 0 {
				t.Fatalf("XDP after Detach: %+v", got)
			}
		})
	}
}

// Attach in auto mode picks native mode on veth; bad interfaces and
// modes are refused.
func TestAttachAutoAndErrors(t *testing.T) {
	pair := newPair(t)
	p := load(t, objPath("queue_stack"), "")
	l := attach(t, p, pair.A, pair.IfA, xsk.AttachAuto)
	if l.Mode() != xsk.AttachDrv {
		t.Fatalf("auto mode on veth attached in %v mode, want drv", l.Mode())
	}
	if got := xdpOnLink(t, pair.A, pair.IfA); len(got) != 1 || got[0].Mode != xdpAttachedDrv {
		t.Fatalf("ip link shows %+v, want one native program", got)
	}
	if err := l.Detach(); err != nil {
		t.Fatal(err)
	}

	err := pair.A.Do(func() error {
		if _, err := p.Attach("xknosuchdev0", xsk.AttachSKB); !errors.Is(err, unix.ENODEV) {
			t.Errorf("Attach to a missing interface = %v, want ENODEV", err)
		}
		if _, err := p.Attach("", xsk.AttachSKB); !errors.Is(err, unix.EINVAL) {
			t.Errorf("Attach to \"\" = %v, want EINVAL", err)
		}
		if _, err := p.Attach(pair.IfA, xsk.AttachMode(42)); !errors.Is(err, unix.EINVAL) {
			t.Errorf("Attach in mode 42 = %v, want EINVAL", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := xdpOnLink(t, pair.A, pair.IfA); len(got) != 0 {
		t.Fatalf("XDP left after failed attaches: %+v", got)
	}
}

// Close twice gives EBADF, and a closed program is refused everywhere.
func TestCloseTwice(t *testing.T) {
	p, err := prog.Load(objPath("queue_stack"), "")
	netnstest.Require(t, err, "load queue_stack")
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := p.Close(); !errors.Is(err, unix.EBADF) {
		t.Fatalf("second Close = %v, want EBADF", err)
	}
	if p.FD() != -1 || p.Ebpf() != nil {
		t.Fatalf("after Close: FD %d, Ebpf %v", p.FD(), p.Ebpf())
	}
	if _, err := p.ID(); !errors.Is(err, unix.EBADF) {
		t.Fatalf("ID after Close = %v, want EBADF", err)
	}
	if _, err := p.Map("len_queue"); !errors.Is(err, unix.EBADF) {
		t.Fatalf("Map after Close = %v, want EBADF", err)
	}
	if _, err := p.Attach("lo", xsk.AttachSKB); !errors.Is(err, unix.EBADF) {
		t.Fatalf("Attach after Close = %v, want EBADF", err)
	}
}

// Two programs in one section (common: several SEC("xdp") functions in
// one object): selecting by that section name is ambiguous. The choice
// must not depend on Go's map iteration order: either EINVAL ("name
// one", as for an empty name with several XDP programs) or the same
// program every time.
func TestLoadSharedSectionIsDeterministic(t *testing.T) {
	picked := map[string]int{}
	var errs []error
	// Go randomises map iteration: 48 loads see both programs unless the
	// choice is deterministic (or the order is very skewed). Stop at the
	// first disagreement.
	for i := 0; i < 48 && len(picked)+min(len(errs), 1) < 2; i++ {
		spec, err := objs.LoadCpumapRR()
		if err != nil {
			t.Fatal(err)
		}
		// As if the ELF had both functions in SEC("xdp").
		rr, count := spec.Programs["xdpkit_cpumap_rr"], spec.Programs["xdpkit_cpumap_count"]
		count.SectionName, count.AttachType = rr.SectionName, rr.AttachType
		p, err := prog.LoadSpec(spec, "xdp")
		if err != nil {
			errs = append(errs, err)
			continue
		}
		picked[p.Name()]++
		p.Close()
	}
	switch {
	case len(errs) > 0 && len(picked) > 0:
		t.Fatalf("section \"xdp\" shared by two programs: sometimes %v, sometimes %v", errs[0], picked)
	case len(errs) > 0 && !errors.Is(errs[0], unix.EINVAL):
		t.Fatalf("section \"xdp\" shared by two programs: %v, want EINVAL", errs[0])
	case len(picked) > 1:
		t.Fatalf("section \"xdp\" shared by two programs selects a different program from run to run: %v", picked)
	}
	// Function names stay unambiguous.
	spec, err := objs.LoadCpumapRR()
	if err != nil {
		t.Fatal(err)
	}
	spec.Programs["xdpkit_cpumap_count"].SectionName = "xdp"
	for _, fn := range []string{"xdpkit_cpumap_rr", "xdpkit_cpumap_count"} {
		p, err := prog.LoadSpec(spec, fn)
		if err != nil || p.Name() != fn {
			t.Fatalf("LoadSpec(%q) = %v, %v", fn, p, err)
		}
		p.Close()
	}
}
