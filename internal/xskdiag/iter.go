package xskdiag

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"
)

// iterRecord is struct xsk_record of bpf/xsk_iter.c.
type iterRecord struct {
	Netns, Ino                                     uint64
	PID, FD                                        uint32
	Comm                                           [16]byte
	Ifindex, Queue, UID, Type, State, Flags        uint32
	RxEntries, TxEntries, FillEntries, CompEntries uint32
	UmemID, UmemPages, UmemChunk, UmemHeadroom     uint32
	UmemIfindex, UmemQueue, UmemRefs, _            uint32
	UmemSize                                       uint64
	RxDropped, RxInvalid, RxFull, FillEmpty        uint64
	TxInvalid, TxEmpty                             uint64
}

// Record flags (XSK_REC_F_* of bpf/xsk_iter.c).
const (
	recZeroCopy = 1 << 0
	recUmem     = 1 << 2
)

// dumpIter lists the AF_XDP sockets of the calling thread's network
// namespace by running the task_file iterator.
func dumpIter() ([]Socket, error) {
	netns, err := currentNetns()
	if err != nil {
		return nil, err
	}
	raw, err := runIter()
	if err != nil {
		return nil, err
	}
	return decodeIter(raw, netns)
}

// runIter loads the iterator, runs it once and returns its output.
func runIter() ([]byte, error) {
	var objs xskIterObjects
	if err := loadXskIterObjects(&objs, nil); err != nil {
		if errors.Is(err, unix.EPERM) {
			return nil, fmt.Errorf("load AF_XDP socket iterator (needs CAP_BPF and CAP_PERFMON): %w", err)
		}
		return nil, fmt.Errorf("load AF_XDP socket iterator (needs kernel BTF and task_file iterators, Linux 5.11+): %w: %w", ErrNotSupported, err)
	}
	defer objs.Close()
	it, err := link.AttachIter(link.IterOptions{Program: objs.XdpkitXskIter})
	if err != nil {
		return nil, fmt.Errorf("attach AF_XDP socket iterator: %w", err)
	}
	defer it.Close()
	rd, err := it.Open()
	if err != nil {
		return nil, fmt.Errorf("open AF_XDP socket iterator: %w", err)
	}
	defer rd.Close()
	raw, err := io.ReadAll(rd)
	if err != nil {
		return nil, fmt.Errorf("read AF_XDP socket iterator: %w", err)
	}
	return raw, nil
}

// decodeIter turns iterator records into sockets of namespace netns, one
// per inode with every (process, fd) holding it as an owner.
func decodeIter(raw []byte, netns uint64) ([]Socket, error) {
	size := binary.Size(iterRecord{})
	if len(raw)%size != 0 {
		return nil, fmt.Errorf("AF_XDP socket iterator: %d bytes is not a whole number of %d-byte records: %w", len(raw), size, unix.EBADMSG)
	}
	var socks []Socket
	byIno := map[uint64]int{}
	rd := bytes.NewReader(raw)
	for rd.Len() > 0 {
		var r iterRecord
		if err := binary.Read(rd, binary.NativeEndian, &r); err != nil {
			return nil, err
		}
		if r.Netns != netns {
			continue
		}
		owner := Owner{PID: r.PID, FD: r.FD, Comm: string(bytes.TrimRight(r.Comm[:], "\x00"))}
		if i, ok := byIno[r.Ino]; ok {
			socks[i].Owners = append(socks[i].Owners, owner)
			continue
		}
		s := Socket{
			Ino: r.Ino, Type: uint16(r.Type), Ifindex: r.Ifindex, Queue: r.Queue, UID: r.UID,
			RxRing: r.RxEntries, TxRing: r.TxEntries, FillRing: r.FillEntries, CompRing: r.CompEntries,
			Stats: &Stats{
				RxDropped: r.RxDropped, RxInvalid: r.RxInvalid, RxFull: r.RxFull,
				FillRingEmpty: r.FillEmpty, TxInvalid: r.TxInvalid, TxRingEmpty: r.TxEmpty,
			},
			Owners: []Owner{owner},
			Source: Iter.String(),
		}
		if r.Flags&recUmem != 0 {
			s.Umem = &Umem{
				ID: r.UmemID, Size: r.UmemSize, NumPages: r.UmemPages, ChunkSize: r.UmemChunk,
				Headroom: r.UmemHeadroom, Ifindex: r.UmemIfindex, Queue: r.UmemQueue, Refs: r.UmemRefs,
			}
			if r.Flags&recZeroCopy != 0 {
				s.Umem.Flags |= UmemZeroCopy
			}
		}
		byIno[r.Ino] = len(socks)
		socks = append(socks, s)
	}
	return socks, nil
}
