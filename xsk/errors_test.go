package xsk_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/xdpkit/xdpkit/internal/netnstest"
	"github.com/xdpkit/xdpkit/xsk"
	"golang.org/x/sys/unix"
)

// small is a valid UMEM configuration the error cases start from.
func small() xsk.UmemConfig {
	return xsk.UmemConfig{Size: 16 * xsk.DefaultFrameSize, FillSize: 16, CompSize: 16}
}

// A bad UMEM configuration fails with EINVAL and leaves nothing behind.
func TestUmemConfigErrors(t *testing.T) {
	page := uint32(os.Getpagesize())
	for _, c := range []struct {
		name string
		mod  func(*xsk.UmemConfig)
	}{
		{"fill-size-not-power-of-two", func(c *xsk.UmemConfig) { c.FillSize = 1000 }},
		{"comp-size-not-power-of-two", func(c *xsk.UmemConfig) { c.CompSize = 3 }},
		{"frame-size-1000", func(c *xsk.UmemConfig) { c.FrameSize = 1000; c.Size = 16 * 1000 }},
		{"frame-size-3000", func(c *xsk.UmemConfig) { c.FrameSize = 3000; c.Size = 16 * 3000 }},
		{"frame-size-above-page", func(c *xsk.UmemConfig) { c.FrameSize = 2 * page; c.Size = 16 * 2 * uint64(page) }},
		{"headroom-frame-minus-256", func(c *xsk.UmemConfig) { c.FrameHeadroom = xsk.DefaultFrameSize - xdpPacketHeadroom }},
		{"headroom-huge", func(c *xsk.UmemConfig) { c.FrameHeadroom = 1 << 30 }},
		{"size-not-multiple-of-frame", func(c *xsk.UmemConfig) { c.Size = 10*xsk.DefaultFrameSize + 100 }},
		{"size-below-one-frame", func(c *xsk.UmemConfig) { c.Size = xsk.DefaultFrameSize / 2 }},
		{"unknown-flag", func(c *xsk.UmemConfig) { c.Flags = 1 << 7 }},
		{"unaligned-frame-above-64K", func(c *xsk.UmemConfig) {
			c.Flags, c.FrameSize, c.Size = xsk.UmemUnaligned, 1<<16+1, 4*(1<<16+1)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := small()
			c.mod(&cfg)
			u, err := xsk.NewUmem(nil, cfg)
			if !errors.Is(err, unix.EINVAL) {
				t.Fatalf("NewUmem(%+v) = %v, want EINVAL", cfg, err)
			}
			if u != nil {
				t.Fatalf("NewUmem failed but returned a UMEM")
			}
			t.Log(err)
		})
	}

	t.Run("area-not-page-aligned", func(t *testing.T) {
		mem, err := unix.Mmap(-1, 0, 17*xsk.DefaultFrameSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
		if err != nil {
			t.Fatal(err)
		}
		defer unix.Munmap(mem)
		if _, err := xsk.NewUmem(mem[64:64+16*xsk.DefaultFrameSize], small()); !errors.Is(err, unix.EINVAL) {
			t.Fatalf("NewUmem(unaligned area) = %v, want EINVAL", err)
		}
		// The same memory, aligned, is accepted and stays the caller's.
		u, err := xsk.NewUmem(mem[:16*xsk.DefaultFrameSize], small())
		if err != nil {
			t.Fatal(err)
		}
		if &u.Area()[0] != &mem[0] {
			t.Fatal("Area() is not the caller's memory")
		}
		if err := u.Close(); err != nil {
			t.Fatal(err)
		}
		mem[0] = 1 // still mapped
	})

	// The limits themselves are accepted.
	for _, c := range []struct {
		name string
		mod  func(*xsk.UmemConfig)
	}{
		{"frame-size-2048", func(c *xsk.UmemConfig) { c.FrameSize = 2048; c.Size = 16 * 2048 }},
		// Up to frame - 256 - 1 passes the library's check; the kernel
		// may want more room (6.18 takes at most frame - 256 - 448), so
		// the case for the limit is a headroom every kernel takes.
		{"headroom-half-frame", func(c *xsk.UmemConfig) { c.FrameHeadroom = xsk.DefaultFrameSize / 2 }},
		{"unaligned-frame-3000", func(c *xsk.UmemConfig) { c.Flags, c.FrameSize, c.Size = xsk.UmemUnaligned, 3000, 16*3000+1000 }},
	} {
		t.Run("ok/"+c.name, func(t *testing.T) {
			cfg := small()
			c.mod(&cfg)
			u, err := xsk.NewUmem(nil, cfg)
			if err != nil {
				t.Fatalf("NewUmem(%+v): %v", cfg, err)
			}
			if err := u.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A bad socket configuration, interface or queue fails with the errno the
// kernel would give, and the UMEM stays usable.
func TestSocketConfigErrors(t *testing.T) {
	p := newPair(t)
	var u *xsk.Umem
	netnstest.Require(t, p.A.Do(func() (err error) { u, err = xsk.NewUmem(nil, small()); return err }), "UMEM")
	defer func() {
		if err := u.Close(); err != nil {
			t.Errorf("umem Close after failed sockets: %v", err)
		}
	}()
	good := xsk.SocketConfig{RxSize: 16, TxSize: 16, AttachMode: xsk.AttachDrv, BindFlags: xsk.BindCopy}
	for _, c := range []struct {
		name   string
		ifname string
		queue  uint32
		mod    func(*xsk.SocketConfig)
		want   error
	}{
		{"rx-size-not-power-of-two", "", 0, func(c *xsk.SocketConfig) { c.RxSize = 1000 }, unix.EINVAL},
		{"tx-size-not-power-of-two", "", 0, func(c *xsk.SocketConfig) { c.TxSize = 100 }, unix.EINVAL},
		{"fill-size-not-power-of-two", "", 0, func(c *xsk.SocketConfig) { c.FillSize = 3 }, unix.EINVAL},
		{"unknown-bind-flag", "", 0, func(c *xsk.SocketConfig) { c.BindFlags |= 1 << 8 }, unix.EINVAL},
		{"shared-umem-flag", "", 0, func(c *xsk.SocketConfig) { c.BindFlags |= xsk.BindSharedUmem }, unix.EINVAL},
		{"copy-and-zerocopy", "", 0, func(c *xsk.SocketConfig) { c.BindFlags = xsk.BindCopy | xsk.BindZeroCopy }, unix.EINVAL},
		{"no-rings", "", 0, func(c *xsk.SocketConfig) { c.DisableRx, c.DisableTx = true, true }, unix.EINVAL},
		{"attach-mode-7", "", 0, func(c *xsk.SocketConfig) { c.AttachMode = 7 }, unix.EINVAL},
		{"attach-mode-negative", "", 0, func(c *xsk.SocketConfig) { c.AttachMode = -1 }, unix.EINVAL},
		{"unknown-interface", "nosuchif0", 0, nil, unix.ENODEV},
		{"empty-interface-name", "-", 0, nil, unix.EINVAL},
		{"interface-name-too-long", strings.Repeat("x", unix.IFNAMSIZ), 0, nil, unix.EINVAL},
		{"queue-1", "", 1, nil, unix.EINVAL},
		{"queue-huge", "", 1 << 31, nil, unix.EINVAL},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := good
			if c.mod != nil {
				c.mod(&cfg)
			}
			ifname := c.ifname
			switch ifname {
			case "":
				ifname = p.IfA
			case "-":
				ifname = ""
			}
			var s *xsk.Socket
			err := p.A.Do(func() (err error) { s, err = xsk.NewSocket(ifname, c.queue, u, cfg); return err })
			if !errors.Is(err, c.want) {
				if s != nil {
					s.Close()
				}
				t.Fatalf("NewSocket(%q, %d, %+v) = %v, want %v", ifname, c.queue, cfg, err, c.want)
			}
			if s != nil {
				t.Fatal("NewSocket failed but returned a socket")
			}
			t.Log(err)
		})
	}
	t.Run("nil-umem", func(t *testing.T) {
		err := p.A.Do(func() error { _, err := xsk.NewSocket(p.IfA, 0, nil, good); return err })
		if !errors.Is(err, unix.EINVAL) {
			t.Fatalf("NewSocket(nil umem) = %v, want EINVAL", err)
		}
	})
	if ids := xdpProgs(t, p.A, p.IfA); len(ids) != 0 {
		t.Fatalf("failed sockets left XDP programs %v attached", ids)
	}

	// After all that the UMEM still works.
	var s *xsk.Socket
	if err := p.A.Do(func() (err error) { s, err = xsk.NewSocket(p.IfA, 0, u, good); return err }); err != nil {
		t.Fatalf("NewSocket on the UMEM after failed ones: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// Closing in the wrong order or twice fails with EBUSY and EBADF; a
// second UMEM on a busy queue fails with EBUSY.
func TestCloseErrors(t *testing.T) {
	p := newPair(t)
	var u, u2 *xsk.Umem
	var s *xsk.Socket
	cfg := xsk.SocketConfig{RxSize: 16, TxSize: 16, AttachMode: xsk.AttachDrv, BindFlags: xsk.BindCopy}
	err := p.A.Do(func() (err error) {
		if u, err = xsk.NewUmem(nil, small()); err != nil {
			return err
		}
		if u2, err = xsk.NewUmem(nil, small()); err != nil {
			u.Close()
			return err
		}
		if s, err = xsk.NewSocket(p.IfA, 0, u, cfg); err != nil {
			u.Close()
			u2.Close()
		}
		return err
	})
	netnstest.Require(t, err, "AF_XDP socket")

	if err := u.Close(); !errors.Is(err, unix.EBUSY) {
		t.Errorf("umem Close with a socket on it = %v, want EBUSY", err)
	}
	// Another UMEM's socket on the same queue: the kernel says EBUSY.
	err = p.A.Do(func() error {
		s2, err := xsk.NewSocket(p.IfA, 0, u2, cfg)
		if err == nil {
			s2.Close()
		}
		return err
	})
	if !errors.Is(err, unix.EBUSY) {
		t.Errorf("second UMEM's socket on a busy queue = %v, want EBUSY", err)
	}
	if err := u2.Close(); err != nil {
		t.Errorf("umem Close after its failed socket: %v", err)
	}

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); !errors.Is(err, unix.EBADF) {
		t.Errorf("second socket Close = %v, want EBADF", err)
	}
	if err := u.Close(); err != nil {
		t.Fatalf("umem Close after its socket: %v", err)
	}
	if err := u.Close(); !errors.Is(err, unix.EBADF) {
		t.Errorf("second umem Close = %v, want EBADF", err)
	}
	err = p.A.Do(func() error {
		s, err := xsk.NewSocket(p.IfA, 0, u, cfg)
		if err == nil {
			s.Close()
		}
		return err
	})
	if !errors.Is(err, unix.EBADF) {
		t.Errorf("NewSocket on a closed umem = %v, want EBADF", err)
	}
}
