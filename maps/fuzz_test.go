package maps

// Fuzz target for the size checks every element and batch operation makes
// before any system call. The map is a Map whose eBPF map is closed (nil):
// an operation that gets past its checks fails with ErrMapClosed (EBADF)
// instead of reaching the kernel, so the fuzzer needs no privileges and
// shows exactly which calls passed validation. `go test` runs the seeds;
// `make fuzz` runs the target for a while.

import (
	"errors"
	"testing"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

var fuzzMapTypes = []ebpf.MapType{ebpf.Hash, ebpf.Array, ebpf.PerCPUHash, ebpf.PerCPUArray, ebpf.LRUHash,
	ebpf.Queue, ebpf.Stack, ebpf.XSKMap, ebpf.DevMap, ebpf.CPUMap}

func FuzzSizeChecks(f *testing.F) {
	// type index, key size, value size, op, key len, value len, nil key
	f.Add(uint8(0), uint32(4), uint32(8), uint8(0), uint16(4), uint16(8), false)
	f.Add(uint8(0), uint32(4), uint32(8), uint8(1), uint16(3), uint16(8), false)
	f.Add(uint8(2), uint32(4), uint32(12), uint8(1), uint16(4), uint16(16), false)
	f.Add(uint8(5), uint32(0), uint32(8), uint8(8), uint16(0), uint16(8), true)
	f.Add(uint8(6), uint32(0), uint32(8), uint8(10), uint16(0), uint16(7), true)
	f.Add(uint8(0), uint32(4), uint32(8), uint8(5), uint16(40), uint16(80), false)
	f.Add(uint8(1), uint32(4), uint32(8), uint8(6), uint16(12), uint16(0), false)
	f.Add(uint8(0), uint32(40), uint32(8), uint8(7), uint16(40), uint16(8), false)
	f.Add(uint8(3), uint32(4), uint32(8), uint8(4), uint16(4), uint16(4), true)
	f.Fuzz(func(t *testing.T, typ uint8, keySize, valueSize uint32, op uint8, klen, vlen uint16, nilKey bool) {
		keySize %= 1 << 10
		valueSize %= 1 << 12
		m := &Map{info: Info{Type: fuzzMapTypes[int(typ)%len(fuzzMapTypes)], KeySize: keySize, ValueSize: valueSize}}
		vbs := m.ValueBufSize()
		if slot := (valueSize + 7) &^ 7; m.info.perCPU() && (slot == 0 && vbs != 0 || slot != 0 && (vbs == 0 || vbs%slot != 0)) {
			t.Fatalf("per-CPU value buffer %d for value size %d: not a whole number of 8-byte-rounded slots", vbs, valueSize)
		} else if !m.info.perCPU() && vbs != valueSize {
			t.Fatalf("value buffer %d for value size %d", vbs, valueSize)
		}
		key := make([]byte, klen)
		if nilKey {
			key = nil
		}
		value := make([]byte, vlen)
		keyOK := uint32(len(key)) == keySize
		valueOK := uint32(len(value)) == vbs
		queue := m.info.Type == ebpf.Queue || m.info.Type == ebpf.Stack

		var err error
		var n int
		var want string // "size", "closed", "type", "zero" (nothing to do: 0, nil)
		pick := func(checks ...bool) string {
			for _, ok := range checks {
				if !ok {
					return "size"
				}
			}
			return "closed"
		}
		batchWant := func(withValues bool) string {
			if keySize == 0 || len(key)%int(keySize) != 0 {
				return "size"
			}
			cnt := uint32(len(key)) / keySize
			if withValues && uint32(len(value)) != cnt*vbs {
				return "size"
			}
			if cnt == 0 {
				return "zero"
			}
			return "closed"
		}
		switch op % 11 {
		case 0:
			err, want = m.Update(key, value, UpdateAny), pick(keyOK, valueOK)
		case 1:
			err, want = m.Lookup(key, value), pick(keyOK, valueOK)
		case 2:
			err, want = m.Delete(key), pick(keyOK)
		case 3:
			err, want = m.LookupAndDelete(key, value), pick(keyOK, valueOK)
		case 4:
			// NextKey(nil, next) asks for the first key.
			next := value
			err, want = m.NextKey(key, next), pick(key == nil || keyOK, uint32(len(next)) == keySize)
		case 5:
			n, err = m.BatchUpdate(key, value, UpdateAny)
			want = batchWant(true)
		case 6:
			n, err = m.BatchDelete(key)
			want = batchWant(false)
		case 7:
			var c Cursor
			n, err = m.BatchLookup(&c, key, value)
			want = batchWant(true)
		case 8:
			err, want = m.Push(value, 0), "type"
			if queue {
				want = pick(keySize == 0, valueOK)
			}
		case 9:
			err, want = m.Peek(value), "type"
			if queue {
				want = pick(keySize == 0, valueOK)
			}
		case 10:
			err, want = m.Pop(value), "type"
			if queue {
				want = pick(keySize == 0, valueOK)
			}
		}
		if n != 0 {
			t.Fatalf("op %d returned n = %d on a closed map", op%11, n)
		}
		switch want {
		case "size":
			if !errors.Is(err, ErrWrongSize) || !errors.Is(err, unix.EINVAL) {
				t.Fatalf("op %d, %v key %d/%d value %d/%d: %v, want a size error (ErrWrongSize, EINVAL)",
					op%11, m.info.Type, len(key), keySize, len(value), vbs, err)
			}
		case "type":
			if !errors.Is(err, ErrWrongMapType) || !errors.Is(err, unix.EINVAL) {
				t.Fatalf("op %d on a %v: %v, want ErrWrongMapType", op%11, m.info.Type, err)
			}
		case "zero":
			if err != nil {
				t.Fatalf("op %d with nothing to do: %v", op%11, err)
			}
		case "closed":
			// Past every check: only the closed map stops it.
			if !errors.Is(err, ErrMapClosed) || !errors.Is(err, unix.EBADF) {
				t.Fatalf("op %d, %v key %d/%d value %d/%d: %v, want ErrMapClosed after the checks",
					op%11, m.info.Type, len(key), keySize, len(value), vbs, err)
			}
		}
	})
}
