// Package maps is xdpkit's eBPF map API over github.com/cilium/ebpf:
// create and open maps (by fd, pinned path or id), element operations on
// raw bytes with sizes checked before any system call, batch operations,
// and typed helpers for XSKMAP, CPUMAP, DEVMAP(_HASH), QUEUE and STACK.
// It is pure Go (no cgo).
package maps

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// Update flags (BPF_ANY, BPF_NOEXIST, BPF_EXIST).
const (
	UpdateAny     = 0
	UpdateNoExist = 1
	UpdateExist   = 2
)

// Spec describes a map to create.
type Spec struct {
	Type       ebpf.MapType
	KeySize    uint32
	ValueSize  uint32
	MaxEntries uint32
	Flags      uint32
	Name       string
}

// Info describes an existing map.
type Info struct {
	Type       ebpf.MapType
	KeySize    uint32
	ValueSize  uint32
	MaxEntries uint32
	Flags      uint32
	Name       string
	ID         uint32
}

// Map is an eBPF map with its sizes known, so every operation checks the
// caller's buffers before calling the kernel.
type Map struct {
	mu   sync.RWMutex // guards m against Close during an operation
	m    *ebpf.Map
	info Info
	pins []string // paths pinned through this Map
}

// Create creates a map.
func Create(spec Spec) (*Map, error) {
	if spec.Type == ebpf.UnspecifiedMap {
		return nil, fmt.Errorf("create map: no map type: %w", unix.EINVAL)
	}
	m, err := ebpf.NewMap(&ebpf.MapSpec{
		Name:       spec.Name,
		Type:       spec.Type,
		KeySize:    spec.KeySize,
		ValueSize:  spec.ValueSize,
		MaxEntries: spec.MaxEntries,
		Flags:      spec.Flags,
	})
	if err != nil {
		return nil, fmt.Errorf("create %s map: %w", spec.Type, err)
	}
	return wrap(m)
}

// New wraps a cilium/ebpf map; the Map takes ownership of it.
func New(m *ebpf.Map) (*Map, error) {
	if m == nil {
		return nil, fmt.Errorf("nil map: %w", unix.EINVAL)
	}
	return wrap(m)
}

func wrap(m *ebpf.Map) (*Map, error) {
	w := &Map{m: m, info: Info{Type: m.Type(), KeySize: m.KeySize(), ValueSize: m.ValueSize(),
		MaxEntries: m.MaxEntries(), Flags: m.Flags()}}
	if info, err := m.Info(); err == nil {
		w.info.Name = info.Name
		if id, ok := info.ID(); ok {
			w.info.ID = uint32(id)
		}
	}
	return w, nil
}

// OpenFD opens the map behind fd. The fd is duplicated: the caller keeps
// its own and the Map closes only its copy.
func OpenFD(fd int) (*Map, error) {
	if fd < 0 {
		return nil, fmt.Errorf("open map fd %d: %w", fd, unix.EBADF)
	}
	dup, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		return nil, fmt.Errorf("open map fd %d: %w", fd, err)
	}
	m, err := ebpf.NewMapFromFD(dup)
	if err != nil {
		unix.Close(dup)
		return nil, fmt.Errorf("open map fd %d: %w", fd, err)
	}
	return wrap(m)
}

// OpenPinned opens a map pinned in bpffs.
func OpenPinned(path string) (*Map, error) {
	m, err := ebpf.LoadPinnedMap(path, nil)
	if err != nil {
		return nil, fmt.Errorf("open pinned map %s: %w", path, err)
	}
	return wrap(m)
}

// OpenID opens a map by its kernel id.
func OpenID(id uint32) (*Map, error) {
	m, err := ebpf.NewMapFromID(ebpf.MapID(id))
	if err != nil {
		return nil, fmt.Errorf("open map id %d: %w", id, err)
	}
	return wrap(m)
}

// Info returns the map's type, sizes, flags, name and id.
func (m *Map) Info() Info { return m.info }

// FD returns the map's file descriptor (-1 after Close).
func (m *Map) FD() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.m == nil {
		return -1
	}
	return m.m.FD()
}

// Ebpf returns the underlying cilium/ebpf map (nil after Close).
func (m *Map) Ebpf() *ebpf.Map {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.m
}

// Close closes the map's fd. A second Close returns EBADF.
func (m *Map) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		return fmt.Errorf("close map: %w: %w", ErrMapClosed, unix.EBADF)
	}
	err := m.m.Close()
	m.m = nil
	return err
}

// Pin adds a pin of the map at path in bpffs (mounting bpffs at
// /sys/fs/bpf first when the path is under it and nothing is mounted
// there). Earlier pins stay; an existing path is EEXIST.
func (m *Map) Pin(path string) error {
	if err := MountBPFFSIfNeeded(path); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		return fmt.Errorf("pin map: %w: %w", ErrMapClosed, unix.EBADF)
	}
	// A clone has no pin of its own, so cilium/ebpf pins afresh instead
	// of moving an existing pin.
	c, err := m.m.Clone()
	if err != nil {
		return fmt.Errorf("pin map at %s: %w", path, err)
	}
	defer c.Close()
	if err := c.Pin(path); err != nil {
		return fmt.Errorf("pin map at %s: %w", path, err)
	}
	m.pins = append(m.pins, path)
	return nil
}

// Unpin removes the pins made through this Map.
func (m *Map) Unpin() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var errs []error
	for _, p := range m.pins {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("unpin %s: %w", p, err))
		}
	}
	m.pins = nil
	return errors.Join(errs...)
}

func (m *Map) with(f func(*ebpf.Map) error) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.m == nil {
		return fmt.Errorf("map: %w: %w", ErrMapClosed, unix.EBADF)
	}
	return f(m.m)
}

// perCPU reports whether values hold one slot per possible CPU.
func (t Info) perCPU() bool {
	switch t.Type {
	case ebpf.PerCPUHash, ebpf.PerCPUArray, ebpf.LRUCPUHash, ebpf.PerCPUCGroupStorage:
		return true
	}
	return false
}

// ValueBufSize is the size of a value buffer for lookups and updates: the
// value size, or for per-CPU maps the value size rounded up to 8 times
// the number of possible CPUs.
func (m *Map) ValueBufSize() uint32 {
	if !m.info.perCPU() {
		return m.info.ValueSize
	}
	n, err := ebpf.PossibleCPU()
	if err != nil {
		n = runtime.NumCPU()
	}
	return (m.info.ValueSize + 7) &^ 7 * uint32(n)
}

// keyless reports whether the map has no keys (QUEUE, STACK).
func (t Info) keyless() bool {
	return t.Type == ebpf.Queue || t.Type == ebpf.Stack
}

func (m *Map) checkKey(key []byte) error {
	if uint32(len(key)) != m.info.KeySize {
		return sizeError("key", uint32(len(key)), m.info.KeySize)
	}
	return nil
}

func (m *Map) checkValue(value []byte) error {
	if want := m.ValueBufSize(); uint32(len(value)) != want {
		return sizeError("value", uint32(len(value)), want)
	}
	return nil
}

// elem runs an element command with the fd held open.
func (m *Map) elem(op string, cmd int, key, value []byte, flags uint64) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.m == nil {
		return fmt.Errorf("%s: %w: %w", op, ErrMapClosed, unix.EBADF)
	}
	if e := elemOp(cmd, m.m.FD(), key, value, flags); e != 0 {
		return opError(op, e)
	}
	return nil
}

// Update sets key to value with UpdateAny, UpdateNoExist or UpdateExist
// (and BPF_F_LOCK).
func (m *Map) Update(key, value []byte, flags uint64) error {
	if err := m.checkKey(key); err != nil {
		return err
	}
	if err := m.checkValue(value); err != nil {
		return err
	}
	return m.elem("update", cmdMapUpdateElem, key, value, flags)
}

// Lookup copies key's value into valueOut.
func (m *Map) Lookup(key, valueOut []byte) error {
	if err := m.checkKey(key); err != nil {
		return err
	}
	if err := m.checkValue(valueOut); err != nil {
		return err
	}
	return m.elem("lookup", cmdMapLookupElem, key, valueOut, 0)
}

// Delete removes key.
func (m *Map) Delete(key []byte) error {
	if err := m.checkKey(key); err != nil {
		return err
	}
	return m.elem("delete", cmdMapDeleteElem, key, nil, 0)
}

// LookupAndDelete copies key's value into valueOut and removes it.
func (m *Map) LookupAndDelete(key, valueOut []byte) error {
	if err := m.checkKey(key); err != nil {
		return err
	}
	if err := m.checkValue(valueOut); err != nil {
		return err
	}
	return m.elem("lookup and delete", cmdMapLookupAndDeleteElem, key, valueOut, 0)
}

// NextKey writes the key after key into nextOut; key nil gives the first
// key. At the end it returns an error matching ErrKeyNotExist.
func (m *Map) NextKey(key, nextOut []byte) error {
	if key != nil {
		if err := m.checkKey(key); err != nil {
			return err
		}
	}
	if err := m.checkKey(nextOut); err != nil {
		return err
	}
	return m.elem("next key", cmdMapGetNextKey, key, nextOut, 0)
}

// Keys returns every key of the map, in the kernel's iteration order.
func (m *Map) Keys() ([][]byte, error) {
	var keys [][]byte
	var prev []byte
	for {
		next := make([]byte, m.info.KeySize)
		err := m.NextKey(prev, next)
		if errors.Is(err, ErrKeyNotExist) {
			return keys, nil
		}
		if err != nil {
			return keys, err
		}
		keys = append(keys, next)
		prev = next
	}
}

// MountBPFFSIfNeeded mounts bpffs at /sys/fs/bpf when path lies under it
// and nothing is mounted there yet.
func MountBPFFSIfNeeded(path string) error {
	const dir = "/sys/fs/bpf"
	if len(path) < len(dir) || path[:len(dir)] != dir {
		return nil
	}
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err == nil && st.Type == unix.BPF_FS_MAGIC {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("mount bpffs: %w", err)
	}
	if err := unix.Mount("bpf", dir, "bpf", 0, "mode=0700"); err != nil {
		return fmt.Errorf("mount bpffs at %s: %w", dir, err)
	}
	return nil
}
