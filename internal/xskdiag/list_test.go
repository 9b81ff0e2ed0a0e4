package xskdiag

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/xdpkit/xdpkit/internal/netnstest"
	"github.com/xdpkit/xdpkit/xsk"
	"golang.org/x/sys/unix"
)

// openSocket opens an AF_XDP socket on queue 0 of p.IfB in namespace B
// with an empty fill ring, then sends frames from A that it must drop:
// its rx_dropped and fill-ring-empty counters become non-zero.
func openSocket(t *testing.T, p *netnstest.Pair) (*xsk.Socket, uint64) {
	t.Helper()
	var u *xsk.Umem
	var s *xsk.Socket
	err := p.B.Do(func() (err error) {
		if u, err = xsk.NewUmem(nil, xsk.UmemConfig{Size: 64 * 4096, FillSize: 64, CompSize: 128}); err != nil {
			return err
		}
		s, err = xsk.NewSocket(p.IfB, 0, u, xsk.SocketConfig{RxSize: 256, TxSize: 512, AttachMode: xsk.AttachDrv, BindFlags: xsk.BindCopy})
		if err != nil {
			u.Close()
		}
		return err
	})
	netnstest.Require(t, err, "AF_XDP socket on veth")
	t.Cleanup(func() { s.Close(); u.Close() })
	var st unix.Stat_t
	if err := unix.Fstat(s.FD(), &st); err != nil {
		t.Fatal(err)
	}
	ps, err := p.A.OpenPacket(p.IfA)
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	for i := 0; i < 8; i++ {
		if err := ps.Send(netnstest.UDPFrame(p.MacA, p.MacB, p.IPA, p.IPB, 64, uint32(i))); err != nil {
			t.Fatal(err)
		}
	}
	return s, st.Ino
}

// listIn lists sockets from inside ns, waiting briefly until want
// reports ok (counters are updated by the kernel as frames arrive).
func listIn(t *testing.T, ns netnstest.NS, b Backend, want func([]Socket) bool) ([]Socket, error) {
	t.Helper()
	var socks []Socket
	var err error
	for deadline := time.Now().Add(2 * time.Second); ; {
		err = ns.Do(func() (err error) {
			socks, err = List(b, 0)
			return err
		})
		if err != nil || want(socks) || time.Now().After(deadline) {
			return socks, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func find(socks []Socket, ino uint64) *Socket {
	for i := range socks {
		if socks[i].Ino == ino {
			return &socks[i]
		}
	}
	return nil
}

// check verifies what every backend must report about the test socket.
func check(t *testing.T, s *Socket, ifindex int) {
	t.Helper()
	if s.Ifindex != uint32(ifindex) || s.Queue != 0 || s.Type != unix.SOCK_RAW {
		t.Errorf("ifindex %d queue %d type %d, want %d 0 %d", s.Ifindex, s.Queue, s.Type, ifindex, unix.SOCK_RAW)
	}
	if s.RxRing != 256 || s.TxRing != 512 || s.FillRing != 64 || s.CompRing != 128 {
		t.Errorf("rings rx %d tx %d fill %d comp %d, want 256 512 64 128", s.RxRing, s.TxRing, s.FillRing, s.CompRing)
	}
	if s.Umem == nil || s.Umem.ChunkSize != 4096 || s.Umem.Size != 64*4096 || s.Umem.Ifindex != uint32(ifindex) || s.ZeroCopy() {
		t.Errorf("umem %+v", s.Umem)
	}
	if s.Stats == nil || s.Stats.RxDropped == 0 || s.Stats.FillRingEmpty == 0 {
		t.Errorf("stats %+v: want rx_dropped and fill_ring_empty > 0", s.Stats)
	}
}

func TestListAuto(t *testing.T) {
	p := netnstest.NewPair(t)
	netnstest.Require(t, p.DisableIPv6(), "disable IPv6")
	sock, ino := openSocket(t, p)
	socks, err := listIn(t, p.B, Auto, func(ss []Socket) bool {
		s := find(ss, ino)
		return s != nil && s.Stats != nil && s.Stats.RxDropped > 0
	})
	if err != nil {
		t.Fatal(err)
	}
	s := find(socks, ino)
	if s == nil {
		t.Fatalf("socket ino %d not listed in %+v", ino, socks)
	}
	check(t, s, sock.Ifindex())
	if s.Source == "bpf_iter" {
		found := false
		for _, o := range s.Owners {
			found = found || (o.PID == uint32(os.Getpid()) && o.FD == uint32(sock.FD()))
		}
		if !found {
			t.Errorf("owners %+v do not include pid %d fd %d", s.Owners, os.Getpid(), sock.FD())
		}
	}
	// Namespace A has no AF_XDP socket.
	other, err := listIn(t, p.A, Auto, func([]Socket) bool { return true })
	if err != nil || len(other) != 0 {
		t.Errorf("namespace A: %v %+v, want no sockets", err, other)
	}
}

func TestListIter(t *testing.T) {
	p := netnstest.NewPair(t)
	netnstest.Require(t, p.DisableIPv6(), "disable IPv6")
	sock, ino := openSocket(t, p)
	socks, err := listIn(t, p.B, Iter, func(ss []Socket) bool {
		s := find(ss, ino)
		return s != nil && s.Stats.RxDropped > 0
	})
	if err != nil {
		t.Fatal(err)
	}
	s := find(socks, ino)
	if s == nil {
		t.Fatalf("socket ino %d not listed in %+v", ino, socks)
	}
	check(t, s, sock.Ifindex())
	if s.Source != "bpf_iter" || len(s.Owners) == 0 || s.Owners[0].Comm == "" {
		t.Errorf("source %q owners %+v", s.Source, s.Owners)
	}
}

// TestListSockDiag runs the sock_diag backend: on kernels with
// CONFIG_XDP_SOCKETS_DIAG it must find the socket, elsewhere it must say
// precisely what is missing.
func TestListSockDiag(t *testing.T) {
	p := netnstest.NewPair(t)
	netnstest.Require(t, p.DisableIPv6(), "disable IPv6")
	sock, ino := openSocket(t, p)
	socks, err := listIn(t, p.B, SockDiag, func(ss []Socket) bool {
		s := find(ss, ino)
		return s != nil && s.Stats != nil && s.Stats.RxDropped > 0
	})
	if errors.Is(err, ErrNotSupported) {
		if !errors.Is(err, unix.EOPNOTSUPP) {
			t.Errorf("error %v does not match EOPNOTSUPP", err)
		}
		t.Logf("kernel without AF_XDP sock_diag: %v", err)
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	s := find(socks, ino)
	if s == nil {
		t.Fatalf("socket ino %d not listed in %+v", ino, socks)
	}
	check(t, s, sock.Ifindex())
	if s.Source != "sock_diag" || len(s.Meminfo) == 0 {
		t.Errorf("source %q meminfo %v", s.Source, s.Meminfo)
	}
}
