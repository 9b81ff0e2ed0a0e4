// Package xskdiag lists the AF_XDP sockets of a network namespace with
// what the kernel knows about them: interface and queue, ring sizes, UMEM
// and the XDP_STATISTICS counters.
//
// It asks sock_diag (NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY for AF_XDP),
// which needs a kernel built with CONFIG_XDP_SOCKETS_DIAG. Kernels
// without it get the same answer from a BPF task_file iterator that reads
// the sockets of every process (CAP_BPF and CAP_PERFMON, kernel BTF),
// which also names the processes holding each socket.
package xskdiag

import (
	"errors"
	"fmt"
	"sort"

	"golang.org/x/sys/unix"
)

// ErrNotSupported is returned (wrapped) when the kernel cannot answer:
// it also matches unix.EOPNOTSUPP with errors.Is.
var ErrNotSupported = fmt.Errorf("not supported: %w", unix.EOPNOTSUPP)

// Backend selects how sockets are listed.
type Backend int

// Backends: Auto tries sock_diag and falls back to the BPF iterator.
const (
	Auto     Backend = iota
	SockDiag         // NETLINK_SOCK_DIAG (CONFIG_XDP_SOCKETS_DIAG)
	Iter             // BPF task_file iterator
)

// String is the backend's name as the CLI spells it.
func (b Backend) String() string {
	switch b {
	case Auto:
		return "auto"
	case SockDiag:
		return "sock_diag"
	case Iter:
		return "bpf_iter"
	}
	return fmt.Sprintf("Backend(%d)", int(b))
}

// Show bits select what sock_diag reports (xdiag_show). The iterator
// always reports everything but the memory info.
const (
	ShowInfo    = 1 << 0 // XDP_SHOW_INFO: interface, queue, uid
	ShowRingCfg = 1 << 1 // XDP_SHOW_RING_CFG: ring sizes
	ShowUmem    = 1 << 2 // XDP_SHOW_UMEM
	ShowMeminfo = 1 << 3 // XDP_SHOW_MEMINFO
	ShowStats   = 1 << 4 // XDP_SHOW_STATS
	ShowAll     = ShowInfo | ShowRingCfg | ShowUmem | ShowMeminfo | ShowStats
)

// Socket is one AF_XDP socket.
type Socket struct {
	Ino     uint64 `json:"ino"`              // socket inode (as in /proc/PID/fd)
	Cookie  uint64 `json:"cookie,omitempty"` // socket cookie (sock_diag only)
	Type    uint16 `json:"type"`             // SOCK_RAW
	Ifindex uint32 `json:"ifindex"`          // bound interface, 0 when unbound
	Queue   uint32 `json:"queue"`            // bound queue
	UID     uint32 `json:"uid"`
	// Ring sizes in entries, 0 for a ring the socket does not have.
	RxRing   uint32 `json:"rx_ring"`
	TxRing   uint32 `json:"tx_ring"`
	FillRing uint32 `json:"fill_ring"`
	CompRing uint32 `json:"comp_ring"`
	Umem     *Umem  `json:"umem,omitempty"`
	Stats    *Stats `json:"stats,omitempty"`
	// Meminfo is the socket's SK_MEMINFO_* array (sock_diag only).
	Meminfo []uint32 `json:"meminfo,omitempty"`
	// Owners are the processes holding the socket (iterator only).
	Owners []Owner `json:"owners,omitempty"`
	// Source is the backend that reported the socket.
	Source string `json:"source"`
}

// Umem describes the UMEM a socket uses (struct xdp_diag_umem).
type Umem struct {
	ID        uint32 `json:"id"`
	Size      uint64 `json:"size"`
	NumPages  uint32 `json:"num_pages"`
	ChunkSize uint32 `json:"chunk_size"`
	Headroom  uint32 `json:"headroom"`
	Ifindex   uint32 `json:"ifindex"`
	Queue     uint32 `json:"queue"`
	Flags     uint32 `json:"flags"` // UmemZeroCopy
	Refs      uint32 `json:"refs"`  // sockets using the UMEM
}

// UmemZeroCopy is set in Umem.Flags when the UMEM works in zero-copy
// mode (XDP_DU_F_ZEROCOPY).
const UmemZeroCopy = 1 << 0

// ZeroCopy reports whether the socket's UMEM is in zero-copy mode.
func (s *Socket) ZeroCopy() bool { return s.Umem != nil && s.Umem.Flags&UmemZeroCopy != 0 }

// Stats are a socket's XDP_STATISTICS counters (struct xdp_diag_stats).
type Stats struct {
	RxDropped     uint64 `json:"rx_dropped"`
	RxInvalid     uint64 `json:"rx_invalid"`
	RxFull        uint64 `json:"rx_full"`
	FillRingEmpty uint64 `json:"fill_ring_empty"`
	TxInvalid     uint64 `json:"tx_invalid"`
	TxRingEmpty   uint64 `json:"tx_ring_empty"`
}

// Owner is a process holding a socket open as file descriptor FD.
type Owner struct {
	PID  uint32 `json:"pid"`
	FD   uint32 `json:"fd"`
	Comm string `json:"comm"`
}

// List returns the AF_XDP sockets of the calling thread's network
// namespace, sorted by interface, queue and inode. show selects what
// sock_diag reports (0: ShowAll).
func List(b Backend, show uint32) ([]Socket, error) {
	if show == 0 {
		show = ShowAll
	}
	var socks []Socket
	var err error
	switch b {
	case SockDiag:
		socks, err = dumpSockDiag(show)
	case Iter:
		socks, err = dumpIter()
	case Auto:
		socks, err = dumpSockDiag(show)
		if errors.Is(err, ErrNotSupported) {
			var err2 error
			if socks, err2 = dumpIter(); err2 != nil {
				err = fmt.Errorf("no AF_XDP sock_diag in this kernel (CONFIG_XDP_SOCKETS_DIAG), and the BPF iterator fallback failed: %w", err2)
			} else {
				err = nil
			}
		}
	default:
		return nil, fmt.Errorf("backend %d: %w", int(b), unix.EINVAL)
	}
	if err != nil {
		return nil, err
	}
	sort.Slice(socks, func(i, j int) bool {
		a, b := socks[i], socks[j]
		if a.Ifindex != b.Ifindex {
			return a.Ifindex < b.Ifindex
		}
		if a.Queue != b.Queue {
			return a.Queue < b.Queue
		}
		return a.Ino < b.Ino
	})
	return socks, nil
}

// currentNetns is the inode of the calling thread's network namespace.
func currentNetns() (uint64, error) {
	var st unix.Stat_t
	if err := unix.Stat("/proc/thread-self/ns/net", &st); err != nil {
		return 0, fmt.Errorf("stat netns: %w", err)
	}
	return st.Ino, nil
}
