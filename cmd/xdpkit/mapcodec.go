package main

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/xdpkit/xdpkit/maps"
)

// parseHex reads bytes written as hex: "01000000", "01 00 00 00",
// "01:00:00:00" or "0x01000000".
func parseHex(s string) ([]byte, error) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	s = strings.NewReplacer(" ", "", ":", "", "-", "", "_", "").Replace(s)
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not hex bytes (such as 01000000)", s)
	}
	return b, nil
}

// keyFlags are the ways to give a key.
type keyFlags struct {
	hex                string
	index, cpu, queue  *optUint
	needKey, allowNone bool
}

func addKeyFlags(fs *flagSet) *keyFlags {
	k := &keyFlags{}
	fs.StringVar(&k.hex, "key", "", "key as `HEX` bytes (01000000 is the u32 1 on little-endian machines)")
	k.index = fs.optUint("index", 1<<32-1, "key as a u32 `N` (maps with 4-byte keys: arrays, DEVMAP)")
	k.cpu = fs.optUint("cpu", 1<<32-1, "CPUMAP key: the CPU `N`")
	k.queue = fs.optUint("queue", 1<<32-1, "XSKMAP key: the queue `N`")
	fs.alias("k", "key")
	return k
}

// bytes returns the key for m, or nil for key-less maps.
func (k *keyFlags) bytes(m *maps.Map) ([]byte, error) {
	info := m.Info()
	given := 0
	for _, set := range []bool{k.hex != "", k.index.set, k.cpu.set, k.queue.set} {
		if set {
			given++
		}
	}
	if info.KeySize == 0 {
		if given > 0 {
			return nil, usagef("a %s has no keys", typeName(info.Type))
		}
		return nil, nil
	}
	if given != 1 {
		return nil, usagef("give the key once: --key HEX, --index N, --cpu N (CPUMAP) or --queue N (XSKMAP)")
	}
	switch {
	case k.hex != "":
		b, err := parseHex(k.hex)
		if err != nil {
			return nil, usagef("--key: %v", err)
		}
		if len(b) != int(info.KeySize) {
			return nil, usagef("--key has %d bytes, the map's keys have %d", len(b), info.KeySize)
		}
		return b, nil
	case k.cpu.set && info.Type != ebpf.CPUMap:
		return nil, usagef("--cpu is for CPUMAPs; this map is a %s (use --key or --index)", typeName(info.Type))
	case k.queue.set && info.Type != ebpf.XSKMap:
		return nil, usagef("--queue is for XSKMAPs; this map is a %s (use --key or --index)", typeName(info.Type))
	}
	if info.KeySize != 4 {
		return nil, usagef("the map's keys have %d bytes: use --key HEX", info.KeySize)
	}
	v := k.index.v
	if k.cpu.set {
		v = k.cpu.v
	} else if k.queue.set {
		v = k.queue.v
	}
	return binary.NativeEndian.AppendUint32(nil, uint32(v)), nil
}

// valueFlags are the ways to give a plain value.
type valueFlags struct {
	hex      string
	u32, u64 *optUint
}

func addValueFlags(fs *flagSet) *valueFlags {
	v := &valueFlags{}
	fs.StringVar(&v.hex, "value", "", "value as `HEX` bytes")
	v.u32 = fs.optUint("u32", 1<<32-1, "value as a u32 `N` (4-byte values)")
	v.u64 = fs.optUint("u64", 0, "value as a u64 `N` (8-byte values)")
	fs.alias("v", "value")
	return v
}

func (v *valueFlags) given() bool { return v.hex != "" || v.u32.set || v.u64.set }

// bytes returns the value buffer for m (replicated per CPU for per-CPU
// maps when one CPU's value is given).
func (v *valueFlags) bytes(m *maps.Map) ([]byte, error) {
	info := m.Info()
	var b []byte
	switch {
	case v.hex != "" && !v.u32.set && !v.u64.set:
		var err error
		if b, err = parseHex(v.hex); err != nil {
			return nil, usagef("--value: %v", err)
		}
	case v.u32.set && v.hex == "" && !v.u64.set:
		b = binary.NativeEndian.AppendUint32(nil, uint32(v.u32.v))
	case v.u64.set && v.hex == "" && !v.u32.set:
		b = binary.NativeEndian.AppendUint64(nil, v.u64.v)
	default:
		return nil, usagef("give the value once: --value HEX, --u32 N or --u64 N")
	}
	buf := m.ValueBufSize()
	if len(b) == int(buf) {
		return b, nil
	}
	if len(b) != int(info.ValueSize) {
		return nil, usagef("the value has %d bytes, the map's values have %d", len(b), info.ValueSize)
	}
	// Per-CPU map: the same value on every CPU, each in an 8-byte slot.
	slot := (int(info.ValueSize) + 7) &^ 7
	out := make([]byte, buf)
	for off := 0; off+slot <= len(out); off += slot {
		copy(out[off:], b)
	}
	return out, nil
}

// valueJSON describes a value for output: hex and, for 4- and 8-byte
// values, the number.
type valueJSON struct {
	Hex string  `json:"value"`
	U32 *uint32 `json:"u32,omitempty"`
	U64 *uint64 `json:"u64,omitempty"`
}

func describeValue(b []byte) valueJSON {
	v := valueJSON{Hex: hex.EncodeToString(b)}
	switch len(b) {
	case 4:
		n := binary.NativeEndian.Uint32(b)
		v.U32 = &n
	case 8:
		n := binary.NativeEndian.Uint64(b)
		v.U64 = &n
	}
	return v
}

// String is the text form: "2a000000 (u32 42)".
func (v valueJSON) String() string {
	switch {
	case v.U32 != nil:
		return fmt.Sprintf("%s (u32 %d)", v.Hex, *v.U32)
	case v.U64 != nil:
		return fmt.Sprintf("%s (u64 %d)", v.Hex, *v.U64)
	}
	return v.Hex
}
