package maps_test

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"

	"github.com/xdpkit/xdpkit/maps"
)

func getU32(b []byte) uint32 { return binary.NativeEndian.Uint32(b) }

func possibleCPUs(t *testing.T) int {
	t.Helper()
	n, err := ebpf.PossibleCPU()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Batch lookup over an ARRAY walks every index in order, count entries
// per call, and marks the cursor done at the end; further calls read
// nothing. The kernel has no batch delete for arrays: ErrNotSupported.
func TestArrayBatchLookupCursor(t *testing.T) {
	const entries = 10
	m := create(t, maps.Spec{Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: entries})
	var keys, vals []byte
	for i := uint32(0); i < entries; i++ {
		keys = append(keys, u32(i)...)
		vals = append(vals, binary.NativeEndian.AppendUint64(nil, uint64(i)*1000+7)...)
	}
	if n, err := m.BatchUpdate(keys, vals, maps.UpdateAny); err != nil || n != entries {
		t.Fatalf("batch update: %d, %v", n, err)
	}
	for _, per := range []int{3, 5, 10, 16} {
		t.Run(fmt.Sprintf("%d-per-call", per), func(t *testing.T) {
			var c maps.Cursor
			var gotKeys []uint32
			var counts []int
			for calls := 0; !c.Done(); calls++ {
				if calls > entries+2 {
					t.Fatalf("cursor never done after %d calls (counts %v)", calls, counts)
				}
				ko, vo := make([]byte, 4*per), make([]byte, 8*per)
				n, err := m.BatchLookup(&c, ko, vo)
				if err != nil {
					t.Fatalf("batch lookup call %d: %v", calls, err)
				}
				counts = append(counts, n)
				for i := 0; i < n; i++ {
					k := getU32(ko[4*i:])
					if v := binary.NativeEndian.Uint64(vo[8*i:]); v != uint64(k)*1000+7 {
						t.Fatalf("key %d: value %d", k, v)
					}
					gotKeys = append(gotKeys, k)
				}
			}
			want := make([]uint32, entries)
			for i := range want {
				want[i] = uint32(i)
			}
			if !slices.Equal(gotKeys, want) {
				t.Fatalf("batch lookup keys %v (counts %v), want %v", gotKeys, counts, want)
			}
			for i, n := range counts[:len(counts)-1] {
				if n != per {
					t.Fatalf("call %d read %d entries before the end, want %d (counts %v)", i, n, per, counts)
				}
			}
			// A finished cursor reads nothing more.
			if n, err := m.BatchLookup(&c, make([]byte, 4*per), make([]byte, 8*per)); n != 0 || err != nil || !c.Done() {
				t.Fatalf("batch lookup with a done cursor: %d, %v", n, err)
			}
		})
	}
	t.Run("nil-cursor", func(t *testing.T) {
		if _, err := m.BatchLookup(nil, make([]byte, 4), make([]byte, 8)); !errors.Is(err, unix.EINVAL) {
			t.Fatalf("batch lookup with a nil cursor = %v, want EINVAL", err)
		}
	})
	t.Run("no-batch-delete-for-arrays", func(t *testing.T) {
		if _, err := m.BatchDelete(keys[:8]); !errors.Is(err, maps.ErrNotSupported) {
			t.Fatalf("batch delete on an array = %v, want ErrNotSupported", err)
		}
		var c maps.Cursor
		if _, err := m.BatchLookupAndDelete(&c, make([]byte, 8), make([]byte, 16)); !errors.Is(err, maps.ErrNotSupported) {
			t.Fatalf("batch lookup and delete on an array = %v, want ErrNotSupported", err)
		}
	})
}

// Batch lookup and delete over a HASH takes every entry out.
func TestHashBatchLookupAndDelete(t *testing.T) {
	m := create(t, maps.Spec{Type: ebpf.Hash, KeySize: 4, ValueSize: 4, MaxEntries: 64})
	want := map[uint32]uint32{}
	for i := uint32(0); i < 20; i++ {
		if err := m.Update(u32(i*7), u32(i), maps.UpdateNoExist); err != nil {
			t.Fatal(err)
		}
		want[i*7] = i
	}
	got := map[uint32]uint32{}
	var c maps.Cursor
	for calls := 0; !c.Done(); calls++ {
		if calls > 100 {
			t.Fatal("cursor never done")
		}
		// Hash batches hold whole buckets: give room for several.
		ko, vo := make([]byte, 4*8), make([]byte, 4*8)
		n, err := m.BatchLookupAndDelete(&c, ko, vo)
		if err != nil {
			t.Fatalf("batch lookup and delete: %v", err)
		}
		for i := 0; i < n; i++ {
			got[getU32(ko[4*i:])] = getU32(vo[4*i:])
		}
	}
	if len(got) != len(want) {
		t.Fatalf("batch lookup and delete read %d entries, want %d: %v", len(got), len(want), got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("key %d: %d, want %d", k, got[k], v)
		}
	}
	if keys, err := m.Keys(); err != nil || len(keys) != 0 {
		t.Fatalf("%d keys left after batch lookup and delete (%v)", len(keys), err)
	}
}

// Per-CPU maps: the value buffer holds one 8-byte-aligned slot per
// possible CPU, updates and lookups go through it, and cilium/ebpf's
// per-CPU view agrees; a buffer of the plain value size is refused.
func TestPerCPUMaps(t *testing.T) {
	ncpu := possibleCPUs(t)
	for _, tc := range []struct {
		typ       ebpf.MapType
		valueSize uint32
	}{
		{ebpf.PerCPUArray, 4}, {ebpf.PerCPUArray, 8}, {ebpf.PerCPUArray, 12},
		{ebpf.PerCPUHash, 4}, {ebpf.LRUCPUHash, 4},
	} {
		t.Run(fmt.Sprintf("%v-%d", tc.typ, tc.valueSize), func(t *testing.T) {
			m := create(t, maps.Spec{Type: tc.typ, KeySize: 4, ValueSize: tc.valueSize, MaxEntries: 8})
			slot := int((tc.valueSize + 7) / 8 * 8)
			if got, want := m.ValueBufSize(), uint32(slot*ncpu); got != want {
				t.Fatalf("ValueBufSize %d, want %d (%d CPUs)", got, want, ncpu)
			}
			val := make([]byte, slot*ncpu)
			for cpu := 0; cpu < ncpu; cpu++ {
				binary.NativeEndian.PutUint32(val[slot*cpu:], uint32(100+cpu))
			}
			if err := m.Update(u32(3), val, maps.UpdateAny); err != nil {
				t.Fatalf("update: %v", err)
			}
			out := make([]byte, len(val))
			if err := m.Lookup(u32(3), out); err != nil {
				t.Fatalf("lookup: %v", err)
			}
			for cpu := 0; cpu < ncpu; cpu++ {
				if v := getU32(out[slot*cpu:]); v != uint32(100+cpu) {
					t.Fatalf("CPU %d slot: %d, want %d (% x)", cpu, v, 100+cpu, out)
				}
			}
			// cilium/ebpf's per-CPU lookup of the same entry.
			var per [][]byte
			if err := m.Ebpf().Lookup(uint32(3), &per); err != nil {
				t.Fatalf("cilium per-CPU lookup: %v", err)
			}
			if len(per) != ncpu {
				t.Fatalf("cilium per-CPU lookup: %d values, want %d", len(per), ncpu)
			}
			for cpu, b := range per {
				if len(b) != int(tc.valueSize) || getU32(b) != uint32(100+cpu) {
					t.Fatalf("cilium: CPU %d value % x", cpu, b)
				}
			}
			for _, bad := range []int{int(tc.valueSize), slot, slot*ncpu - 1, slot*ncpu + 8} {
				if bad == slot*ncpu {
					continue
				}
				if err := m.Lookup(u32(3), make([]byte, bad)); !errors.Is(err, maps.ErrWrongSize) {
					t.Fatalf("lookup with a %d-byte buffer = %v, want ErrWrongSize", bad, err)
				}
				if err := m.Update(u32(3), make([]byte, bad), 0); !errors.Is(err, maps.ErrWrongSize) {
					t.Fatalf("update with a %d-byte buffer = %v, want ErrWrongSize", bad, err)
				}
			}
		})
	}
	t.Run("batch", func(t *testing.T) {
		m := create(t, maps.Spec{Type: ebpf.PerCPUArray, KeySize: 4, ValueSize: 4, MaxEntries: 4})
		vs := int(m.ValueBufSize())
		var keys, vals []byte
		for i := 0; i < 4; i++ {
			keys = append(keys, u32(uint32(i))...)
			v := make([]byte, vs)
			for cpu := 0; cpu < ncpu; cpu++ {
				binary.NativeEndian.PutUint32(v[8*cpu:], uint32(10*i+cpu))
			}
			vals = append(vals, v...)
		}
		if _, err := m.BatchUpdate(keys, vals[:len(vals)-8], 0); !errors.Is(err, maps.ErrWrongSize) {
			t.Fatalf("batch update with a short values buffer = %v, want ErrWrongSize", err)
		}
		if n, err := m.BatchUpdate(keys, vals, 0); err != nil || n != 4 {
			t.Fatalf("per-CPU batch update: %d, %v", n, err)
		}
		var c maps.Cursor
		var gotK, gotV []byte
		for calls := 0; !c.Done() && calls < 10; calls++ {
			ko, vo := make([]byte, 4*2), make([]byte, vs*2)
			n, err := m.BatchLookup(&c, ko, vo)
			if err != nil {
				t.Fatal(err)
			}
			gotK, gotV = append(gotK, ko[:4*n]...), append(gotV, vo[:vs*n]...)
		}
		if !bytes.Equal(gotK, keys) || !bytes.Equal(gotV, vals) {
			t.Fatalf("per-CPU batch lookup: keys % x values % x, want % x / % x", gotK, gotV, keys, vals)
		}
	})
}

// LRU_HASH never reports a full map: it evicts the least recently used
// entries instead; a plain HASH of the same size gives ErrMapFull.
func TestLRUHash(t *testing.T) {
	const max = 16
	lru := create(t, maps.Spec{Type: ebpf.LRUHash, KeySize: 4, ValueSize: 4, MaxEntries: max})
	hash := create(t, maps.Spec{Type: ebpf.Hash, KeySize: 4, ValueSize: 4, MaxEntries: max})
	for i := uint32(0); i < 4*max; i++ {
		if err := lru.Update(u32(i), u32(i+1), maps.UpdateAny); err != nil {
			t.Fatalf("LRU update %d: %v", i, err)
		}
		err := hash.Update(u32(i), u32(i+1), maps.UpdateAny)
		switch {
		case i < max && err != nil:
			t.Fatalf("hash update %d: %v", i, err)
		case i >= max && (!errors.Is(err, maps.ErrMapFull) || !errors.Is(err, unix.E2BIG)):
			t.Fatalf("hash update %d of a full map = %v, want ErrMapFull/E2BIG", i, err)
		}
	}
	keys, err := lru.Keys()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) == 0 || len(keys) > max {
		t.Fatalf("LRU map holds %d keys, want 1..%d", len(keys), max)
	}
	v := make([]byte, 4)
	last := uint32(4*max - 1)
	if err := lru.Lookup(u32(last), v); err != nil || getU32(v) != last+1 {
		t.Fatalf("LRU lookup of the newest key: %d, %v", getU32(v), err)
	}
	if err := lru.Lookup(u32(0), v); !errors.Is(err, maps.ErrKeyNotExist) {
		t.Fatalf("LRU lookup of the oldest key = %v (value %d), want it evicted", err, getU32(v))
	}
	// NOEXIST/EXIST semantics hold on LRU maps too.
	if err := lru.Update(u32(last), u32(1), maps.UpdateNoExist); !errors.Is(err, maps.ErrKeyExist) {
		t.Fatalf("LRU NOEXIST update of a present key = %v, want ErrKeyExist", err)
	}
	if err := lru.Update(u32(1<<30), u32(1), maps.UpdateExist); !errors.Is(err, maps.ErrKeyNotExist) {
		t.Fatalf("LRU EXIST update of a missing key = %v, want ErrKeyNotExist", err)
	}
}

// xdpProgram loads a one-instruction XDP program (return XDP_PASS) with
// the given expected attach type, for CPUMAP and DEVMAP entries.
func xdpProgram(t *testing.T, at ebpf.AttachType) *ebpf.Program {
	t.Helper()
	p, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type: ebpf.XDP, AttachType: at, License: "GPL",
		Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 2), asm.Return()},
	})
	if err != nil {
		t.Fatalf("load XDP program (attach type %v): %v", at, err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func progID(t *testing.T, p *ebpf.Program) uint32 {
	t.Helper()
	info, err := p.Info()
	if err != nil {
		t.Fatal(err)
	}
	id, _ := info.ID()
	return uint32(id)
}

// DEVMAP_HASH takes sparse keys up to MaxEntries entries, DEVMAP indices
// below MaxEntries; both reject unknown ifindexes, and run a program
// loaded for BPF_XDP_DEVMAP (and only such a program).
func TestDevMapHash(t *testing.T) {
	m := create(t, maps.Spec{Type: ebpf.DevMapHash, KeySize: 4, ValueSize: 8, MaxEntries: 4})
	keys := []uint32{1000, 7, 123456, 1 << 31}
	for _, k := range keys {
		if err := m.DevSet(k, 1, -1); err != nil {
			t.Fatalf("DevSet(%d, lo): %v", k, err)
		}
	}
	if err := m.DevSet(42, 1, -1); !errors.Is(err, maps.ErrMapFull) || !errors.Is(err, unix.E2BIG) {
		t.Fatalf("DevSet into a full DEVMAP_HASH = %v, want ErrMapFull/E2BIG", err)
	}
	got, err := m.Keys()
	if err != nil || len(got) != len(keys) {
		t.Fatalf("DEVMAP_HASH keys: %d, %v", len(got), err)
	}
	var gotKeys []uint32
	for _, k := range got {
		gotKeys = append(gotKeys, getU32(k))
	}
	slices.Sort(gotKeys)
	want := slices.Clone(keys)
	slices.Sort(want)
	if !slices.Equal(gotKeys, want) {
		t.Fatalf("DEVMAP_HASH keys %v, want %v", gotKeys, want)
	}
	if v, err := m.DevGet(123456); err != nil || v != (maps.DevMapValue{Ifindex: 1}) {
		t.Fatalf("DevGet(123456) = %+v, %v", v, err)
	}
	if _, err := m.DevGet(5); !errors.Is(err, maps.ErrKeyNotExist) {
		t.Fatalf("DevGet of a missing key = %v, want ErrKeyNotExist", err)
	}
	if err := m.Delete(u32(7)); err != nil {
		t.Fatal(err)
	}
	if _, err := m.DevGet(7); !errors.Is(err, unix.ENOENT) {
		t.Fatalf("DevGet of a deleted key = %v, want ENOENT", err)
	}
	if err := m.DevSet(9, 0x7fff0000, -1); !errors.Is(err, unix.EINVAL) {
		t.Fatalf("DevSet to a missing ifindex = %v, want EINVAL", err)
	}

	t.Run("devmap-program", func(t *testing.T) {
		devProg := xdpProgram(t, ebpf.AttachXDPDevMap)
		if err := m.DevSet(7, 1, devProg.FD()); err != nil {
			t.Fatalf("DevSet with a devmap program: %v", err)
		}
		if v, err := m.DevGet(7); err != nil || v.Ifindex != 1 || v.ProgID != progID(t, devProg) {
			t.Fatalf("DevGet = %+v, %v; want lo and program %d", v, err, progID(t, devProg))
		}
		plain := xdpProgram(t, ebpf.AttachNone)
		if err := m.DevSet(7, 1, plain.FD()); !errors.Is(err, unix.EINVAL) {
			t.Fatalf("DevSet with a program not loaded for BPF_XDP_DEVMAP = %v, want EINVAL", err)
		}
	})
	t.Run("devmap", func(t *testing.T) {
		d := create(t, maps.Spec{Type: ebpf.DevMap, KeySize: 4, ValueSize: 4, MaxEntries: 4})
		if err := d.DevSet(3, 1, -1); err != nil {
			t.Fatal(err)
		}
		if v, err := d.DevGet(3); err != nil || v != (maps.DevMapValue{Ifindex: 1}) {
			t.Fatalf("DevGet(3) of a 4-byte DEVMAP = %+v, %v", v, err)
		}
		if err := d.DevSet(4, 1, -1); !errors.Is(err, unix.E2BIG) {
			t.Fatalf("DevSet past MaxEntries = %v, want E2BIG", err)
		}
		if _, err := d.DevGet(0); !errors.Is(err, maps.ErrKeyNotExist) {
			t.Fatalf("DevGet of an unset index = %v, want ErrKeyNotExist", err)
		}
		// 4-byte values have no room for a program: refused before the kernel.
		if err := d.DevSet(0, 1, 3); !errors.Is(err, unix.EINVAL) {
			t.Fatalf("DevSet with a program into 4-byte values = %v, want EINVAL", err)
		}
		if _, err := d.CPUGet(0); !errors.Is(err, maps.ErrWrongMapType) {
			t.Fatalf("CPUGet on a DEVMAP = %v, want ErrWrongMapType", err)
		}
	})
}

// CPUMAP entries take a program loaded for BPF_XDP_CPUMAP and report its id.
func TestCPUMapProgram(t *testing.T) {
	m := create(t, maps.Spec{Type: ebpf.CPUMap, KeySize: 4, ValueSize: 8, MaxEntries: uint32(possibleCPUs(t))})
	p := xdpProgram(t, ebpf.AttachXDPCPUMap)
	if err := m.CPUSet(0, 64, p.FD()); err != nil {
		t.Fatalf("CPUSet with a cpumap program: %v", err)
	}
	if v, err := m.CPUGet(0); err != nil || v.QSize != 64 || v.ProgID != progID(t, p) {
		t.Fatalf("CPUGet = %+v, %v; want qsize 64 and program %d", v, err, progID(t, p))
	}
	// The kernel refuses it; cpu_map_update_elem reports every failure of
	// the entry's setup, a wrong program included, as ENOMEM.
	if err := m.CPUSet(0, 64, xdpProgram(t, ebpf.AttachNone).FD()); !errors.Is(err, unix.ENOMEM) && !errors.Is(err, unix.EINVAL) {
		t.Fatalf("CPUSet with a program not loaded for BPF_XDP_CPUMAP = %v, want ENOMEM (or EINVAL)", err)
	}
	if v, err := m.CPUGet(0); err != nil || v.ProgID != progID(t, p) {
		t.Fatalf("CPUGet after a refused CPUSet = %+v, %v; want the entry unchanged", v, err)
	}
	if err := m.CPUSet(uint32(possibleCPUs(t)), 64, -1); err == nil {
		t.Fatal("CPUSet past the possible CPUs succeeded")
	}
	if err := m.Delete(u32(0)); err != nil {
		t.Fatal(err)
	}
	if _, err := m.CPUGet(0); !errors.Is(err, maps.ErrKeyNotExist) {
		t.Fatalf("CPUGet of a deleted entry = %v, want ErrKeyNotExist", err)
	}
	small := create(t, maps.Spec{Type: ebpf.CPUMap, KeySize: 4, ValueSize: 4, MaxEntries: 1})
	if err := small.CPUSet(0, 64, p.FD()); !errors.Is(err, unix.EINVAL) {
		t.Fatalf("CPUSet with a program into 4-byte values = %v, want EINVAL", err)
	}
	if err := small.CPUSet(0, 64, -1); err != nil {
		t.Fatalf("CPUSet into 4-byte values: %v", err)
	}
	if v, err := small.CPUGet(0); err != nil || v != (maps.CPUMapValue{QSize: 64}) {
		t.Fatalf("CPUGet of 4-byte values = %+v, %v", v, err)
	}
}

// Update flags: the kernel's answers for each map kind, matched by both
// sentinel and errno.
func TestUpdateFlagErrors(t *testing.T) {
	both := func(t *testing.T, what string, err, sentinel error, errno unix.Errno) {
		t.Helper()
		if (sentinel != nil && !errors.Is(err, sentinel)) || !errors.Is(err, errno) {
			t.Fatalf("%s = %v, want %v / %v", what, err, sentinel, errno)
		}
	}
	arr := create(t, maps.Spec{Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: 4})
	both(t, "array NOEXIST", arr.Update(u32(1), u32(1), maps.UpdateNoExist), maps.ErrKeyExist, unix.EEXIST)
	if err := arr.Update(u32(1), u32(1), maps.UpdateExist); err != nil {
		t.Fatalf("array EXIST: %v", err)
	}
	both(t, "array index past the end", arr.Update(u32(4), u32(1), maps.UpdateAny), maps.ErrMapFull, unix.E2BIG)
	both(t, "array lookup past the end", arr.Lookup(u32(4), make([]byte, 4)), maps.ErrKeyNotExist, unix.ENOENT)
	both(t, "array delete", arr.Delete(u32(1)), nil, unix.EINVAL)
	both(t, "unknown flag bits", arr.Update(u32(1), u32(1), 1<<10), nil, unix.EINVAL)
	both(t, "NOEXIST|EXIST", arr.Update(u32(1), u32(1), maps.UpdateNoExist|maps.UpdateExist), nil, unix.EINVAL)
	both(t, "BPF_F_LOCK without a spin lock", arr.Update(u32(1), u32(1), 4), nil, unix.EINVAL)

	h := create(t, maps.Spec{Type: ebpf.Hash, KeySize: 4, ValueSize: 4, MaxEntries: 2})
	for i := uint32(0); i < 2; i++ {
		if err := h.Update(u32(i), u32(i), maps.UpdateNoExist); err != nil {
			t.Fatal(err)
		}
	}
	both(t, "hash full", h.Update(u32(2), u32(2), maps.UpdateAny), maps.ErrMapFull, unix.E2BIG)
	if err := h.Update(u32(1), u32(9), maps.UpdateAny); err != nil {
		t.Fatalf("replacing a key of a full hash: %v", err)
	}
	both(t, "hash EXIST on a missing key", h.Update(u32(7), u32(1), maps.UpdateExist), maps.ErrKeyNotExist, unix.ENOENT)
	both(t, "hash NOEXIST on a present key", h.Update(u32(1), u32(1), maps.UpdateNoExist), maps.ErrKeyExist, unix.EEXIST)
	both(t, "hash next key at the end", h.NextKey(u32(lastKey(t, h)), make([]byte, 4)), maps.ErrKeyNotExist, unix.ENOENT)

	for _, typ := range []ebpf.MapType{ebpf.Queue, ebpf.Stack} {
		q := create(t, maps.Spec{Type: typ, ValueSize: 4, MaxEntries: 2})
		both(t, typ.String()+" push NOEXIST", q.Push(u32(1), maps.UpdateNoExist), nil, unix.EINVAL)
		if err := q.Push(u32(1), maps.UpdateAny); err != nil {
			t.Fatal(err)
		}
		if err := q.Push(u32(2), maps.UpdateAny); err != nil {
			t.Fatal(err)
		}
		both(t, typ.String()+" push ANY into a full map", q.Push(u32(3), maps.UpdateAny), maps.ErrMapFull, unix.E2BIG)
		// EXIST drops the oldest value to make room.
		if err := q.Push(u32(3), maps.UpdateExist); err != nil {
			t.Fatalf("%v push EXIST into a full map: %v", typ, err)
		}
		v := make([]byte, 4)
		var got []uint32
		for q.Pop(v) == nil {
			got = append(got, getU32(v))
		}
		want := []uint32{2, 3}
		if typ == ebpf.Stack {
			want = []uint32{3, 2}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%v after EXIST push into a full map: %v, want %v", typ, got, want)
		}
		both(t, typ.String()+" delete", q.Delete(nil), nil, unix.EINVAL)
		if _, err := q.Keys(); err == nil {
			t.Fatalf("%v next key succeeded", typ)
		}
	}
}

func lastKey(t *testing.T, m *maps.Map) uint32 {
	t.Helper()
	keys, err := m.Keys()
	if err != nil || len(keys) == 0 {
		t.Fatalf("keys: %v", err)
	}
	return getU32(keys[len(keys)-1])
}

// Wrong key and value sizes are refused before any system call: on a
// closed map they still give ErrWrongSize (EINVAL), not EBADF; and a
// typed helper on the wrong map kind gives ErrWrongMapType first.
func TestWrongSizesBeforeSyscall(t *testing.T) {
	check := func(t *testing.T, what string, err error) {
		t.Helper()
		if !errors.Is(err, maps.ErrWrongSize) || !errors.Is(err, unix.EINVAL) {
			t.Errorf("%s = %v, want ErrWrongSize/EINVAL", what, err)
		}
		if errors.Is(err, unix.EBADF) || errors.Is(err, maps.ErrMapClosed) {
			t.Errorf("%s reached the kernel (or the closed-map check): %v", what, err)
		}
	}
	for _, spec := range []maps.Spec{
		{Type: ebpf.Hash, KeySize: 4, ValueSize: 8, MaxEntries: 4},
		{Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 4},
		{Type: ebpf.PerCPUHash, KeySize: 4, ValueSize: 8, MaxEntries: 4},
	} {
		t.Run(spec.Type.String(), func(t *testing.T) {
			m, err := maps.Create(spec)
			if err != nil {
				t.Fatal(err)
			}
			vs := int(m.ValueBufSize())
			if err := m.Close(); err != nil {
				t.Fatal(err)
			}
			k3, k4, k5 := make([]byte, 3), make([]byte, 4), make([]byte, 5)
			check(t, "update short key", m.Update(k3, make([]byte, vs), 0))
			check(t, "update long key", m.Update(k5, make([]byte, vs), 0))
			check(t, "update nil key", m.Update(nil, make([]byte, vs), 0))
			check(t, "update short value", m.Update(k4, make([]byte, vs-1), 0))
			check(t, "update long value", m.Update(k4, make([]byte, vs+1), 0))
			check(t, "update plain value size", m.Update(k4, make([]byte, spec.ValueSize/2), 0))
			check(t, "lookup short key", m.Lookup(k3, make([]byte, vs)))
			check(t, "lookup short value", m.Lookup(k4, make([]byte, vs-1)))
			check(t, "lookup nil value", m.Lookup(k4, nil))
			check(t, "delete long key", m.Delete(k5))
			check(t, "lookup and delete value", m.LookupAndDelete(k4, make([]byte, vs+8)))
			check(t, "next key short key", m.NextKey(k3, k4))
			check(t, "next key short out", m.NextKey(nil, k3))
			_, err = m.BatchUpdate(make([]byte, 6), make([]byte, vs), 0)
			check(t, "batch update keys not a multiple", err)
			_, err = m.BatchUpdate(make([]byte, 8), make([]byte, vs), 0)
			check(t, "batch update values for 1 of 2 keys", err)
			_, err = m.BatchDelete(make([]byte, 7))
			check(t, "batch delete keys not a multiple", err)
			var c maps.Cursor
			_, err = m.BatchLookup(&c, make([]byte, 8), make([]byte, 3*vs))
			check(t, "batch lookup values for 3 of 2 keys", err)
			_, err = m.BatchLookupAndDelete(&c, make([]byte, 5), make([]byte, vs))
			check(t, "batch lookup and delete keys not a multiple", err)
			if c.Started {
				t.Errorf("a refused batch lookup started the cursor")
			}
			// Right sizes on the closed map: now EBADF.
			if err := m.Update(k4, make([]byte, vs), 0); !errors.Is(err, unix.EBADF) || !errors.Is(err, maps.ErrMapClosed) {
				t.Errorf("update of a closed map = %v, want ErrMapClosed/EBADF", err)
			}
		})
	}
	t.Run("queue", func(t *testing.T) {
		q, err := maps.Create(maps.Spec{Type: ebpf.Queue, ValueSize: 4, MaxEntries: 2})
		if err != nil {
			t.Fatal(err)
		}
		q.Close()
		check(t, "push 3 bytes", q.Push(make([]byte, 3), 0))
		check(t, "peek 8 bytes", q.Peek(make([]byte, 8)))
		check(t, "pop nil", q.Pop(nil))
		check(t, "update with a key", q.Update(make([]byte, 4), make([]byte, 4), 0))
	})
	t.Run("wrong-map-type", func(t *testing.T) {
		h, err := maps.Create(maps.Spec{Type: ebpf.Hash, KeySize: 4, ValueSize: 4, MaxEntries: 2})
		if err != nil {
			t.Fatal(err)
		}
		h.Close()
		for what, err := range map[string]error{
			"XSKSet":   h.XSKSet(0, 3),
			"XSKClear": h.XSKClear(0),
			"CPUSet":   h.CPUSet(0, 64, -1),
			"DevSet":   h.DevSet(0, 1, -1),
			"Push":     h.Push(u32(1), 0),
			"Peek":     h.Peek(make([]byte, 4)),
			"Pop":      h.Pop(make([]byte, 4)),
		} {
			if !errors.Is(err, maps.ErrWrongMapType) || !errors.Is(err, unix.EINVAL) {
				t.Errorf("%s on a hash = %v, want ErrWrongMapType/EINVAL", what, err)
			}
		}
	})
}

// pinEnv names the pinned map a helper process opens.
const pinEnv = "XDPKIT_TEST_PINNED_MAP"

// TestHelperOpenPinned is the helper process of TestPinOpenPinnedOtherProcess:
// with pinEnv set it opens the pinned map, prints id and value of key 1,
// and stores 4242 at key 2. Run without pinEnv it does nothing.
func TestHelperOpenPinned(t *testing.T) {
	path := os.Getenv(pinEnv)
	if path == "" {
		t.Log("helper process only; nothing to do")
		return
	}
	m, err := maps.OpenPinned(path)
	if err != nil {
		fmt.Printf("open-error=%v\n", err)
		if errors.Is(err, os.ErrNotExist) {
			fmt.Println("missing=true")
		}
		return
	}
	defer m.Close()
	v := make([]byte, 4)
	if err := m.Lookup(u32(1), v); err != nil {
		t.Fatalf("helper lookup: %v", err)
	}
	if err := m.Update(u32(2), u32(4242), maps.UpdateAny); err != nil {
		t.Fatalf("helper update: %v", err)
	}
	fmt.Printf("id=%d value=%d\n", m.Info().ID, getU32(v))
}

// runHelper runs TestHelperOpenPinned in a new process of the test binary.
func runHelper(t *testing.T, path string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperOpenPinned$", "-test.count=1")
	cmd.Env = append(os.Environ(), pinEnv+"="+path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper process: %v: %s", err, out)
	}
	return string(out)
}

// A pinned map opens in another process: same map id, same contents, and
// the other process's write is visible here. After Unpin the path is gone.
func TestPinOpenPinnedOtherProcess(t *testing.T) {
	m := create(t, maps.Spec{Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: 4, Name: "xk_pinned"})
	if err := m.Update(u32(1), u32(42), maps.UpdateAny); err != nil {
		t.Fatal(err)
	}
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	path := filepath.Join("/sys/fs/bpf", fmt.Sprintf("xdpkit_test_%d_%s", os.Getpid(), hex.EncodeToString(rnd[:])))
	if err := m.Pin(path); err != nil {
		t.Fatalf("pin at %s: %v", path, err)
	}
	t.Cleanup(func() { os.Remove(path) })

	out := runHelper(t, path)
	want := fmt.Sprintf("id=%d value=42", m.Info().ID)
	if !strings.Contains(out, want) {
		t.Fatalf("helper process printed %q, want %q", out, want)
	}
	v := make([]byte, 4)
	if err := m.Lookup(u32(2), v); err != nil || getU32(v) != 4242 {
		t.Fatalf("value written by the helper process: %d, %v; want 4242", getU32(v), err)
	}

	if err := m.Unpin(); err != nil {
		t.Fatalf("unpin: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("pin path after Unpin: %v", err)
	}
	if _, err := maps.OpenPinned(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("OpenPinned after Unpin = %v, want ErrNotExist", err)
	}
	if out := runHelper(t, path); !strings.Contains(out, "missing=true") {
		t.Fatalf("helper process after Unpin printed %q, want a missing pin", out)
	}
}

// A closed map's id no longer opens (the kernel frees the id with the
// last reference); the bad fd and id 0 are refused too.
func TestOpenIDAfterClose(t *testing.T) {
	m, err := maps.Create(maps.Spec{Type: ebpf.Hash, KeySize: 4, ValueSize: 4, MaxEntries: 2})
	if err != nil {
		t.Fatal(err)
	}
	id := m.Info().ID
	o, err := maps.OpenID(id)
	if err != nil {
		t.Fatalf("OpenID(%d) while open: %v", id, err)
	}
	// A reopened map holds the map alive on its own.
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := o.Update(u32(1), u32(1), 0); err != nil {
		t.Fatalf("update through the id-opened map after the first fd closed: %v", err)
	}
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Second)
	for {
		o, err = maps.OpenID(id)
		if err != nil {
			break
		}
		o.Close()
		if time.Now().After(deadline) {
			t.Fatalf("OpenID(%d) still succeeds 1s after the last fd closed", id)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if !errors.Is(err, unix.ENOENT) {
		t.Fatalf("OpenID of a freed map = %v, want ENOENT", err)
	}
	if _, err := maps.OpenID(0); err == nil {
		t.Fatal("OpenID(0) succeeded")
	}
	if _, err := maps.OpenFD(-1); !errors.Is(err, unix.EBADF) {
		t.Fatalf("OpenFD(-1) = %v, want EBADF", err)
	}
	if _, err := maps.OpenFD(int(os.Stdin.Fd())); err == nil {
		t.Fatal("OpenFD of a non-map fd succeeded")
	}
	if _, err := maps.Create(maps.Spec{KeySize: 4, ValueSize: 4, MaxEntries: 1}); !errors.Is(err, unix.EINVAL) {
		t.Fatalf("Create without a type = %v, want EINVAL", err)
	}
	if _, err := maps.New(nil); !errors.Is(err, unix.EINVAL) {
		t.Fatalf("New(nil) = %v, want EINVAL", err)
	}
}
