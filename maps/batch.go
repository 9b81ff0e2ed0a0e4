package maps

import (
	"fmt"

	"github.com/cilium/ebpf"

	"golang.org/x/sys/unix"
)

// Cursor tracks a batch lookup across calls: the kernel's position token
// and whether the walk has started and finished. The zero value starts at
// the beginning of the map.
type Cursor struct {
	Token   [32]byte
	Started bool
	Ended   bool
}

// Done reports whether a batch lookup has gone through the whole map.
func (c *Cursor) Done() bool { return c.Ended }

// tokenSize is the size of the kernel's batch position: a u32 bucket for
// hash maps, a key for the others.
func (m *Map) tokenSize() (int, error) {
	switch m.info.Type {
	case ebpf.Hash, ebpf.PerCPUHash, ebpf.LRUHash, ebpf.LRUCPUHash:
		return 4, nil
	}
	if m.info.KeySize > 32 {
		return 0, fmt.Errorf("batch lookup: keys of %d bytes exceed the cursor's 32: %w", m.info.KeySize, unix.EINVAL)
	}
	return int(m.info.KeySize), nil
}

func (m *Map) batchCount(keys, values []byte) (uint32, error) {
	ks, vs := m.info.KeySize, m.ValueBufSize()
	if ks == 0 || len(keys)%int(ks) != 0 {
		return 0, fmt.Errorf("batch: keys buffer of %d bytes is not a multiple of the key size %d: %w: %w", len(keys), ks, ErrWrongSize, unix.EINVAL)
	}
	n := uint32(len(keys)) / ks
	if values != nil && uint32(len(values)) != n*vs {
		return 0, fmt.Errorf("batch: values buffer of %d bytes, want %d for %d entries: %w: %w", len(values), n*vs, n, ErrWrongSize, unix.EINVAL)
	}
	return n, nil
}

func (m *Map) batch(op string, cmd int, c *Cursor, keys, values []byte, count uint32, flags uint64) (int, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.m == nil {
		return 0, fmt.Errorf("%s: %w: %w", op, ErrMapClosed, unix.EBADF)
	}
	var in, out []byte
	if c != nil {
		size, err := m.tokenSize()
		if err != nil {
			return 0, err
		}
		// The kernel reads in_batch before it writes out_batch, so one
		// buffer serves both.
		out = c.Token[:size]
		if c.Started {
			in = out
		}
	}
	n, e := batchOp(cmd, m.m.FD(), in, out, keys, values, count, flags)
	if c != nil {
		c.Started = true
		if e == unix.ENOENT {
			c.Ended = true
			return int(n), nil
		}
	}
	if e != 0 {
		if e == unix.EINVAL && n == 0 && cmd != cmdMapDeleteBatch {
			return 0, opError(op, e)
		}
		return int(n), opError(op, e)
	}
	return int(n), nil
}

// BatchUpdate sets len(keys)/KeySize entries in one call. It returns how
// many were set; kernels without batch support give ErrNotSupported.
func (m *Map) BatchUpdate(keys, values []byte, flags uint64) (int, error) {
	n, err := m.batchCount(keys, values)
	if err != nil || n == 0 {
		return 0, err
	}
	return m.batch("batch update", cmdMapUpdateBatch, nil, keys, values, n, flags)
}

// BatchDelete removes len(keys)/KeySize entries in one call and returns
// how many were removed.
func (m *Map) BatchDelete(keys []byte) (int, error) {
	n, err := m.batchCount(keys, nil)
	if err != nil || n == 0 {
		return 0, err
	}
	return m.batch("batch delete", cmdMapDeleteBatch, nil, keys, nil, n, 0)
}

// BatchLookup reads up to len(keysOut)/KeySize entries from where c left
// off. It returns how many it read; c.Done() tells the map is exhausted.
func (m *Map) BatchLookup(c *Cursor, keysOut, valuesOut []byte) (int, error) {
	if c == nil {
		return 0, fmt.Errorf("batch lookup: nil cursor: %w", unix.EINVAL)
	}
	n, err := m.batchCount(keysOut, valuesOut)
	if err != nil || n == 0 || c.Ended {
		return 0, err
	}
	return m.batch("batch lookup", cmdMapLookupBatch, c, keysOut, valuesOut, n, 0)
}

// BatchLookupAndDelete is BatchLookup that also removes what it read.
func (m *Map) BatchLookupAndDelete(c *Cursor, keysOut, valuesOut []byte) (int, error) {
	if c == nil {
		return 0, fmt.Errorf("batch lookup and delete: nil cursor: %w", unix.EINVAL)
	}
	n, err := m.batchCount(keysOut, valuesOut)
	if err != nil || n == 0 || c.Ended {
		return 0, err
	}
	return m.batch("batch lookup and delete", cmdMapLookupAndDeleteBatch, c, keysOut, valuesOut, n, 0)
}
