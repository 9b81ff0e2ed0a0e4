package maps_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/xdpkit/xdpkit/maps"
)

func u32(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }

func create(t *testing.T, spec maps.Spec) *maps.Map {
	t.Helper()
	m, err := maps.Create(spec)
	if err != nil {
		t.Fatalf("create %v: %v", spec.Type, err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func wantErr(t *testing.T, err error, errno unix.Errno) {
	t.Helper()
	if !errors.Is(err, errno) {
		t.Fatalf("got %v, want %v", err, errno)
	}
}

func TestHashOperations(t *testing.T) {
	m := create(t, maps.Spec{Type: ebpf.Hash, KeySize: 4, ValueSize: 8, MaxEntries: 16, Name: "xk_hash"})
	val := make([]byte, 8)
	if err := m.Update(u32(1), []byte("abcdefgh"), maps.UpdateNoExist); err != nil {
		t.Fatal(err)
	}
	wantErr(t, m.Update(u32(1), []byte("abcdefgh"), maps.UpdateNoExist), unix.EEXIST)
	if err := m.Update(u32(1), []byte("ABCDEFGH"), maps.UpdateExist); err != nil {
		t.Fatal(err)
	}
	wantErr(t, m.Update(u32(2), []byte("abcdefgh"), maps.UpdateExist), unix.ENOENT)
	if err := m.Lookup(u32(1), val); err != nil || string(val) != "ABCDEFGH" {
		t.Fatalf("lookup: %v %q", err, val)
	}
	if !errors.Is(m.Lookup(u32(9), val), maps.ErrKeyNotExist) {
		t.Fatal("missing key does not match ErrKeyNotExist")
	}
	for i := uint32(2); i <= 4; i++ {
		if err := m.Update(u32(i), []byte("12345678"), maps.UpdateAny); err != nil {
			t.Fatal(err)
		}
	}
	keys, err := m.Keys()
	if err != nil || len(keys) != 4 {
		t.Fatalf("keys: %v %d", err, len(keys))
	}
	if err := m.LookupAndDelete(u32(2), val); err != nil || string(val) != "12345678" {
		t.Fatalf("lookup and delete: %v %q", err, val)
	}
	wantErr(t, m.Lookup(u32(2), val), unix.ENOENT)
	if err := m.Delete(u32(3)); err != nil {
		t.Fatal(err)
	}
	wantErr(t, m.Delete(u32(3)), unix.ENOENT)
	if info := m.Info(); info.Type != ebpf.Hash || info.KeySize != 4 || info.ValueSize != 8 || info.MaxEntries != 16 || info.ID == 0 {
		t.Fatalf("info %+v", info)
	}
}

func TestWrongSizes(t *testing.T) {
	m := create(t, maps.Spec{Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 4})
	wantErr(t, m.Update(u32(1)[:2], make([]byte, 8), 0), unix.EINVAL)
	wantErr(t, m.Update(u32(1), make([]byte, 7), 0), unix.EINVAL)
	wantErr(t, m.Lookup(u32(1), make([]byte, 9)), unix.EINVAL)
	if !errors.Is(m.Lookup(make([]byte, 5), make([]byte, 8)), maps.ErrWrongSize) {
		t.Fatal("want ErrWrongSize")
	}
	wantErr(t, m.Push(make([]byte, 8), 0), unix.EINVAL) // not a queue
}

func TestBatch(t *testing.T) {
	m := create(t, maps.Spec{Type: ebpf.Hash, KeySize: 4, ValueSize: 4, MaxEntries: 64})
	var keys, vals []byte
	for i := uint32(0); i < 10; i++ {
		keys = append(keys, u32(i)...)
		vals = append(vals, u32(i*10)...)
	}
	n, err := m.BatchUpdate(keys, vals, 0)
	if err != nil || n != 10 {
		t.Fatalf("batch update: %d %v", n, err)
	}
	var c maps.Cursor
	total := 0
	got := map[uint32]uint32{}
	for !c.Done() && total < 100 {
		ko, vo := make([]byte, 4*4), make([]byte, 4*4)
		n, err := m.BatchLookup(&c, ko, vo)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			got[binary.NativeEndian.Uint32(ko[4*i:])] = binary.NativeEndian.Uint32(vo[4*i:])
		}
		total += n
	}
	if len(got) != 10 || got[7] != 70 {
		t.Fatalf("batch lookup got %v", got)
	}
	n, err = m.BatchDelete(keys[:5*4])
	if err != nil || n != 5 {
		t.Fatalf("batch delete: %d %v", n, err)
	}
	ks, _ := m.Keys()
	if len(ks) != 5 {
		t.Fatalf("%d keys left", len(ks))
	}
}

func TestQueueStackOrder(t *testing.T) {
	for _, tc := range []struct {
		typ  ebpf.MapType
		want []uint32
	}{{ebpf.Queue, []uint32{1, 2, 3}}, {ebpf.Stack, []uint32{3, 2, 1}}} {
		t.Run(tc.typ.String(), func(t *testing.T) {
			m := create(t, maps.Spec{Type: tc.typ, ValueSize: 4, MaxEntries: 3})
			v := make([]byte, 4)
			wantErr(t, m.Peek(v), unix.ENOENT)
			wantErr(t, m.Pop(v), unix.ENOENT)
			for i := uint32(1); i <= 3; i++ {
				if err := m.Push(u32(i), 0); err != nil {
					t.Fatal(err)
				}
			}
			wantErr(t, m.Push(u32(4), 0), unix.E2BIG)
			if err := m.Peek(v); err != nil || binary.NativeEndian.Uint32(v) != tc.want[0] {
				t.Fatalf("peek %v %d", err, binary.NativeEndian.Uint32(v))
			}
			for _, w := range tc.want {
				if err := m.Pop(v); err != nil || binary.NativeEndian.Uint32(v) != w {
					t.Fatalf("pop %v got %d want %d", err, binary.NativeEndian.Uint32(v), w)
				}
			}
			wantErr(t, m.Pop(v), unix.ENOENT)
		})
	}
}

func TestQueueExistEvictsOldest(t *testing.T) {
	m := create(t, maps.Spec{Type: ebpf.Queue, ValueSize: 4, MaxEntries: 2})
	for i := uint32(1); i <= 3; i++ {
		if err := m.Push(u32(i), maps.UpdateExist); err != nil {
			t.Fatal(err)
		}
	}
	v := make([]byte, 4)
	for _, w := range []uint32{2, 3} {
		if err := m.Pop(v); err != nil || binary.NativeEndian.Uint32(v) != w {
			t.Fatalf("pop %v got %d want %d", err, binary.NativeEndian.Uint32(v), w)
		}
	}
}

func TestCPUMap(t *testing.T) {
	m := create(t, maps.Spec{Type: ebpf.CPUMap, KeySize: 4, ValueSize: 8, MaxEntries: 2})
	if err := m.CPUSet(0, 192, -1); err != nil {
		t.Fatal(err)
	}
	v, err := m.CPUGet(0)
	if err != nil || v.QSize != 192 || v.ProgID != 0 {
		t.Fatalf("cpumap get %+v %v", v, err)
	}
	wantErr(t, m.DevSet(0, 1, -1), unix.EINVAL) // wrong type
}

func TestDevMap(t *testing.T) {
	for _, typ := range []ebpf.MapType{ebpf.DevMap, ebpf.DevMapHash} {
		m := create(t, maps.Spec{Type: typ, KeySize: 4, ValueSize: 8, MaxEntries: 4})
		if err := m.DevSet(3, 1, -1); err != nil { // 1 is lo
			t.Fatal(err)
		}
		v, err := m.DevGet(3)
		if err != nil || v.Ifindex != 1 {
			t.Fatalf("%v get %+v %v", typ, v, err)
		}
	}
}

func TestOpenByFDIDAndPin(t *testing.T) {
	m := create(t, maps.Spec{Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: 2})
	if err := m.Update(u32(1), u32(42), 0); err != nil {
		t.Fatal(err)
	}
	check := func(o *maps.Map, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer o.Close()
		v := make([]byte, 4)
		if err := o.Lookup(u32(1), v); err != nil || binary.NativeEndian.Uint32(v) != 42 {
			t.Fatalf("reopened map: %v %v", err, v)
		}
	}
	check(maps.OpenFD(m.FD()))
	check(maps.OpenID(m.Info().ID))
	path := filepath.Join("/sys/fs/bpf", fmt.Sprintf("xdpkit_test_pin_%d", os.Getpid()))
	if err := m.Pin(path); err != nil {
		t.Fatal(err)
	}
	defer m.Unpin()
	check(maps.OpenPinned(path))
}

func TestCloseTwice(t *testing.T) {
	m, err := maps.Create(maps.Spec{Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	wantErr(t, m.Close(), unix.EBADF)
	wantErr(t, m.Update(u32(0), u32(0), 0), unix.EBADF)
}
