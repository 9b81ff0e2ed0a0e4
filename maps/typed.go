package maps

import (
	"encoding/binary"
	"fmt"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

func (m *Map) requireType(types ...ebpf.MapType) error {
	for _, t := range types {
		if m.info.Type == t {
			return nil
		}
	}
	return fmt.Errorf("map is a %s, want %v: %w: %w", m.info.Type, types, ErrWrongMapType, unix.EINVAL)
}

func u32(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }

// progFD turns a program fd into the bpf_prog.fd field: a negative or zero
// fd means "no program".
func progFDField(fd int) uint32 {
	if fd <= 0 {
		return 0
	}
	return uint32(fd)
}

// XSKSet stores the AF_XDP socket sockFD at queue in an XSKMAP.
func (m *Map) XSKSet(queue uint32, sockFD int) error {
	if err := m.requireType(ebpf.XSKMap); err != nil {
		return err
	}
	if sockFD < 0 {
		return fmt.Errorf("xskmap set: socket fd %d: %w", sockFD, unix.EBADF)
	}
	return m.Update(u32(queue), u32(uint32(sockFD)), UpdateAny)
}

// XSKClear removes the socket at queue from an XSKMAP.
func (m *Map) XSKClear(queue uint32) error {
	if err := m.requireType(ebpf.XSKMap); err != nil {
		return err
	}
	return m.Delete(u32(queue))
}

// CPUMapValue is struct bpf_cpumap_val as read back: the queue size and
// the id of the program run on that CPU (0 if none).
type CPUMapValue struct {
	QSize  uint32
	ProgID uint32
}

// CPUSet enables cpu in a CPUMAP with a queue of qsize frames and, when
// progFD > 0 and the map's values have room for it, an XDP program
// (loaded for BPF_XDP_CPUMAP) run on that CPU.
func (m *Map) CPUSet(cpu, qsize uint32, progFD int) error {
	if err := m.requireType(ebpf.CPUMap); err != nil {
		return err
	}
	val := u32(qsize)
	switch m.info.ValueSize {
	case 4:
		if progFD > 0 {
			return fmt.Errorf("cpumap set: the map's 4-byte values have no room for a program: %w", unix.EINVAL)
		}
	case 8:
		val = binary.NativeEndian.AppendUint32(val, progFDField(progFD))
	default:
		return fmt.Errorf("cpumap value size %d: %w", m.info.ValueSize, unix.EINVAL)
	}
	return m.Update(u32(cpu), val, UpdateAny)
}

// CPUGet reads a CPUMAP entry.
func (m *Map) CPUGet(cpu uint32) (CPUMapValue, error) {
	if err := m.requireType(ebpf.CPUMap); err != nil {
		return CPUMapValue{}, err
	}
	val := make([]byte, m.info.ValueSize)
	if err := m.Lookup(u32(cpu), val); err != nil {
		return CPUMapValue{}, err
	}
	v := CPUMapValue{QSize: binary.NativeEndian.Uint32(val)}
	if len(val) >= 8 {
		v.ProgID = binary.NativeEndian.Uint32(val[4:])
	}
	return v, nil
}

// DevMapValue is struct bpf_devmap_val as read back.
type DevMapValue struct {
	Ifindex uint32
	ProgID  uint32
}

// DevSet points key of a DEVMAP or DEVMAP_HASH at ifindex, with an XDP
// program (loaded for BPF_XDP_DEVMAP) run before transmit when progFD > 0.
func (m *Map) DevSet(key, ifindex uint32, progFD int) error {
	if err := m.requireType(ebpf.DevMap, ebpf.DevMapHash); err != nil {
		return err
	}
	val := u32(ifindex)
	switch m.info.ValueSize {
	case 4:
		if progFD > 0 {
			return fmt.Errorf("devmap set: the map's 4-byte values have no room for a program: %w", unix.EINVAL)
		}
	case 8:
		val = binary.NativeEndian.AppendUint32(val, progFDField(progFD))
	default:
		return fmt.Errorf("devmap value size %d: %w", m.info.ValueSize, unix.EINVAL)
	}
	return m.Update(u32(key), val, UpdateAny)
}

// DevGet reads a DEVMAP or DEVMAP_HASH entry.
func (m *Map) DevGet(key uint32) (DevMapValue, error) {
	if err := m.requireType(ebpf.DevMap, ebpf.DevMapHash); err != nil {
		return DevMapValue{}, err
	}
	val := make([]byte, m.info.ValueSize)
	if err := m.Lookup(u32(key), val); err != nil {
		return DevMapValue{}, err
	}
	v := DevMapValue{Ifindex: binary.NativeEndian.Uint32(val)}
	if len(val) >= 8 {
		v.ProgID = binary.NativeEndian.Uint32(val[4:])
	}
	return v, nil
}

// Push adds value to a QUEUE or STACK. With UpdateExist a full map drops
// its oldest (QUEUE) or bottom (STACK) value to make room; otherwise a
// full map gives ErrMapFull (E2BIG).
func (m *Map) Push(value []byte, flags uint64) error {
	if err := m.requireType(ebpf.Queue, ebpf.Stack); err != nil {
		return err
	}
	return m.Update(nil, value, flags)
}

// Peek copies the next value (QUEUE: oldest, STACK: newest) into
// valueOut without removing it; ErrKeyNotExist (ENOENT) when empty.
func (m *Map) Peek(valueOut []byte) error {
	if err := m.requireType(ebpf.Queue, ebpf.Stack); err != nil {
		return err
	}
	return m.Lookup(nil, valueOut)
}

// Pop copies the next value into valueOut and removes it;
// ErrKeyNotExist (ENOENT) when empty.
func (m *Map) Pop(valueOut []byte) error {
	if err := m.requireType(ebpf.Queue, ebpf.Stack); err != nil {
		return err
	}
	return m.LookupAndDelete(nil, valueOut)
}
