package main

/*
#include "internal.h"
*/
import "C"

import (
	"fmt"
	"sync"
	"unsafe"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/xdpkit/xdpkit/maps"
)

// ownedMaps are the maps the library created or opened, by fd, until
// xdpkit_map_close.
var (
	ownedMu   sync.Mutex
	ownedMaps = map[int]*maps.Map{}
)

func own(m *maps.Map) C.int {
	ownedMu.Lock()
	defer ownedMu.Unlock()
	fd := m.FD()
	ownedMaps[fd] = m
	return C.int(fd)
}

// withMap runs f on the map behind fd: the library's own, or a temporary
// duplicate of a foreign fd.
func withMap(fd C.int, f func(*maps.Map) error) error {
	ownedMu.Lock()
	m, ok := ownedMaps[int(fd)]
	ownedMu.Unlock()
	if ok {
		return f(m)
	}
	m, err := maps.OpenFD(int(fd))
	if err != nil {
		return err
	}
	defer m.Close()
	return f(m)
}

// buf views C memory of n bytes as a slice; NULL with n > 0 is EINVAL.
func buf(p unsafe.Pointer, n C.uint32_t, what string) ([]byte, error) {
	if n == 0 {
		return nil, nil
	}
	if p == nil {
		return nil, fmt.Errorf("%s is NULL but its size is %d: %w", what, uint32(n), unix.EINVAL)
	}
	return unsafe.Slice((*byte)(p), int(n)), nil
}

// mapCall is the body of every fd-based map export: guard, then f, then
// the error turned into -errno with the export's name.
func mapCall(name string, ret *C.int, f func() error) {
	if err := f(); err != nil {
		*ret = fail(fmt.Errorf("%s: %w", name, err))
	}
}

//export xdpkitGoMapCreate
func xdpkitGoMapCreate(typ, keySize, valueSize, maxEntries, flags C.uint32_t, name *C.char) (ret C.int) {
	defer guard("xdpkit_map_create", &ret)
	enter("xdpkitGoMapCreate")
	spec := maps.Spec{Type: ebpf.MapType(typ), KeySize: uint32(keySize), ValueSize: uint32(valueSize),
		MaxEntries: uint32(maxEntries), Flags: uint32(flags)}
	if name != nil {
		spec.Name = C.GoString(name)
	}
	m, err := maps.Create(spec)
	if err != nil {
		return fail(fmt.Errorf("xdpkit_map_create: %w", err))
	}
	return own(m)
}

//export xdpkitGoMapOpen
func xdpkitGoMapOpen(path *C.char, id C.uint32_t) (ret C.int) {
	defer guard("xdpkit_map_open", &ret)
	enter("xdpkitGoMapOpen")
	var m *maps.Map
	var err error
	if path != nil {
		m, err = maps.OpenPinned(C.GoString(path))
	} else {
		m, err = maps.OpenID(uint32(id))
	}
	if err != nil {
		return fail(fmt.Errorf("xdpkit_map_open: %w", err))
	}
	return own(m)
}

//export xdpkitGoMapPin
func xdpkitGoMapPin(fd C.int, path *C.char) (ret C.int) {
	defer guard("xdpkit_map_pin", &ret)
	enter("xdpkitGoMapPin")
	mapCall("xdpkit_map_pin", &ret, func() error {
		return withMap(fd, func(m *maps.Map) error { return m.Pin(C.GoString(path)) })
	})
	return ret
}

//export xdpkitGoMapClose
func xdpkitGoMapClose(fd C.int) (ret C.int) {
	defer guard("xdpkit_map_close", &ret)
	enter("xdpkitGoMapClose")
	ownedMu.Lock()
	m, ok := ownedMaps[int(fd)]
	delete(ownedMaps, int(fd))
	ownedMu.Unlock()
	if !ok {
		return fail(fmt.Errorf("xdpkit_map_close: fd %d is not a map the library opened: %w", int(fd), unix.EBADF))
	}
	if err := m.Close(); err != nil {
		return fail(fmt.Errorf("xdpkit_map_close: %w", err))
	}
	return 0
}

//export xdpkitGoMapInfo
func xdpkitGoMapInfo(fd C.int, out *C.struct_xdpkit_map_info) (ret C.int) {
	defer guard("xdpkit_map_info", &ret)
	enter("xdpkitGoMapInfo")
	mapCall("xdpkit_map_info", &ret, func() error {
		return withMap(fd, func(m *maps.Map) error {
			i := m.Info()
			out._type = C.uint32_t(i.Type)
			out.key_size = C.uint32_t(i.KeySize)
			out.value_size = C.uint32_t(i.ValueSize)
			out.max_entries = C.uint32_t(i.MaxEntries)
			out.flags = C.uint32_t(i.Flags)
			out.id = C.uint32_t(i.ID)
			name := unsafe.Slice((*byte)(unsafe.Pointer(&out.name[0])), len(out.name))
			clear(name)
			copy(name[:len(name)-1], i.Name)
			return nil
		})
	})
	return ret
}

// Element operations. op: 0 update, 1 lookup, 2 delete, 3 lookup and
// delete, 4 next key (value is the next-key buffer).
//
//export xdpkitGoMapElem
func xdpkitGoMapElem(op C.int, fd C.int, key unsafe.Pointer, keySize C.uint32_t, value unsafe.Pointer, valueSize C.uint32_t, flags C.uint64_t) (ret C.int) {
	names := [...]string{"xdpkit_map_update", "xdpkit_map_lookup", "xdpkit_map_delete", "xdpkit_map_lookup_and_delete", "xdpkit_map_next_key"}
	name := names[op]
	defer guard(name, &ret)
	enter("xdpkitGoMapElem")
	mapCall(name, &ret, func() error {
		var k []byte
		var err error
		if op != 4 || key != nil { // next key from NULL: the first key
			if k, err = buf(key, keySize, "key"); err != nil {
				return err
			}
		}
		v, err := buf(value, valueSize, "value")
		if err != nil {
			return err
		}
		return withMap(fd, func(m *maps.Map) error {
			switch op {
			case 0:
				return m.Update(k, v, uint64(flags))
			case 1:
				return m.Lookup(k, v)
			case 2:
				return m.Delete(k)
			case 3:
				return m.LookupAndDelete(k, v)
			}
			next, err := buf(value, keySize, "next")
			if err != nil {
				return err
			}
			return m.NextKey(k, next)
		})
	})
	return ret
}

// Batch operations. op: 0 update, 1 delete, 2 lookup.
//
//export xdpkitGoMapBatch
func xdpkitGoMapBatch(op C.int, fd C.int, cursor *C.struct_xdpkit_map_cursor, keys, values unsafe.Pointer, count, keySize, valueSize C.uint32_t, flags C.uint64_t) (ret C.int) {
	name := [...]string{"xdpkit_map_update_batch", "xdpkit_map_delete_batch", "xdpkit_map_lookup_batch"}[op]
	defer guard(name, &ret)
	enter("xdpkitGoMapBatch")
	var n int
	mapCall(name, &ret, func() error {
		return withMap(fd, func(m *maps.Map) error {
			info := m.Info()
			if uint32(keySize) != info.KeySize {
				return fmt.Errorf("key size %d, the map's is %d: %w: %w", uint32(keySize), info.KeySize, maps.ErrWrongSize, unix.EINVAL)
			}
			if op != 1 && uint32(valueSize) != m.ValueBufSize() {
				return fmt.Errorf("value size %d, the map's is %d: %w: %w", uint32(valueSize), m.ValueBufSize(), maps.ErrWrongSize, unix.EINVAL)
			}
			k, err := buf(keys, count*keySize, "keys")
			if err != nil {
				return err
			}
			var v []byte
			if op != 1 {
				if v, err = buf(values, count*valueSize, "values"); err != nil {
					return err
				}
			}
			switch op {
			case 0:
				n, err = m.BatchUpdate(k, v, uint64(flags))
			case 1:
				n, err = m.BatchDelete(k)
			default:
				if cursor == nil {
					return fmt.Errorf("cursor is NULL: %w", unix.EINVAL)
				}
				c := maps.Cursor{Started: cursor.started != 0, Ended: cursor.ended != 0}
				copy(c.Token[:], unsafe.Slice((*byte)(unsafe.Pointer(&cursor.token[0])), len(cursor.token)))
				n, err = m.BatchLookup(&c, k, v)
				copy(unsafe.Slice((*byte)(unsafe.Pointer(&cursor.token[0])), len(cursor.token)), c.Token[:])
				cursor.started = boolInt(c.Started)
				cursor.ended = boolInt(c.Ended)
			}
			return err
		})
	})
	if ret < 0 {
		return ret
	}
	return C.int(n)
}

func boolInt(b bool) C.uint32_t {
	if b {
		return 1
	}
	return 0
}

// Typed helpers. op: 0 xskmap clear, 1 cpumap set, 2 devmap set, 3 xskmap
// set (b = socket fd).
//
//export xdpkitGoMapTypedSet
func xdpkitGoMapTypedSet(op C.int, fd C.int, key, a C.uint32_t, b C.int) (ret C.int) {
	name := [...]string{"xdpkit_xskmap_clear", "xdpkit_cpumap_set", "xdpkit_devmap_set", "xdpkit_xskmap_set"}[op]
	defer guard(name, &ret)
	enter("xdpkitGoMapTypedSet")
	mapCall(name, &ret, func() error {
		return withMap(fd, func(m *maps.Map) error {
			switch op {
			case 0:
				return m.XSKClear(uint32(key))
			case 1:
				return m.CPUSet(uint32(key), uint32(a), int(b))
			case 2:
				return m.DevSet(uint32(key), uint32(a), int(b))
			}
			return m.XSKSet(uint32(key), int(b))
		})
	})
	return ret
}

// op: 0 cpumap get, 1 devmap get.
//
//export xdpkitGoMapTypedGet
func xdpkitGoMapTypedGet(op C.int, fd C.int, key C.uint32_t, a, b *C.uint32_t) (ret C.int) {
	name := [...]string{"xdpkit_cpumap_get", "xdpkit_devmap_get"}[op]
	defer guard(name, &ret)
	enter("xdpkitGoMapTypedGet")
	mapCall(name, &ret, func() error {
		return withMap(fd, func(m *maps.Map) error {
			var x, y uint32
			if op == 0 {
				v, err := m.CPUGet(uint32(key))
				if err != nil {
					return err
				}
				x, y = v.QSize, v.ProgID
			} else {
				v, err := m.DevGet(uint32(key))
				if err != nil {
					return err
				}
				x, y = v.Ifindex, v.ProgID
			}
			if a != nil {
				*a = C.uint32_t(x)
			}
			if b != nil {
				*b = C.uint32_t(y)
			}
			return nil
		})
	})
	return ret
}

// QUEUE/STACK. op: 0 push, 1 peek, 2 pop.
//
//export xdpkitGoQueue
func xdpkitGoQueue(op C.int, fd C.int, value unsafe.Pointer, valueSize C.uint32_t, flags C.uint64_t) (ret C.int) {
	name := [...]string{"xdpkit_queue_push", "xdpkit_queue_peek", "xdpkit_queue_pop"}[op]
	defer guard(name, &ret)
	enter("xdpkitGoQueue")
	mapCall(name, &ret, func() error {
		v, err := buf(value, valueSize, "value")
		if err != nil {
			return err
		}
		if v == nil {
			return fmt.Errorf("value is NULL or empty: %w", unix.EINVAL)
		}
		return withMap(fd, func(m *maps.Map) error {
			switch op {
			case 0:
				return m.Push(v, uint64(flags))
			case 1:
				return m.Peek(v)
			}
			return m.Pop(v)
		})
	})
	return ret
}
