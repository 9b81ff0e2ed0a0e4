package main

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/cilium/ebpf"
	"github.com/xdpkit/xdpkit/maps"
	"golang.org/x/sys/unix"
)

func init() {
	register(&command{
		name:    "map list",
		args:    "[flags]",
		summary: "every eBPF map of the system with its id, type and sizes",
		about:   `Lists every eBPF map (ebpf.MapGetNextID order): id, type, name, key and value sizes, maximum entries and flags.`,
		examples: []string{
			"xdpkit map list",
			"xdpkit map list --json",
		},
		setup: setupMapList,
	})
	register(&command{
		name:    "map dump",
		args:    "MAP [flags]",
		summary: "every entry of a map",
		about: "Prints every entry of a map: keys and values as hex, CPUMAP and DEVMAP entries\n" +
			"decoded. XSKMAP values cannot be read from user space and QUEUE/STACK\n" +
			"maps have no keys (use peek and pop).\n\n" + mapRefHelp,
		examples: []string{
			"xdpkit map dump id:12",
			"xdpkit map dump name:cpu_map --json",
			"xdpkit map dump /sys/fs/bpf/my_hash",
		},
		setup: setupMapDump,
	})
}

// mapOpError is a failed element operation; EEXIST there means the key
// exists, not a busy device.
type mapOpError struct {
	op  string
	err error
}

func (e mapOpError) Error() string        { return e.op + ": " + e.err.Error() }
func (e mapOpError) Unwrap() error        { return e.err }
func (e mapOpError) Is(target error) bool { return target == errMapEntry }

// mapRow is one map in `map list` output.
type mapRow struct {
	ID         uint32 `json:"id"`
	Type       string `json:"type"`
	Name       string `json:"name"`
	KeySize    uint32 `json:"key_size"`
	ValueSize  uint32 `json:"value_size"`
	MaxEntries uint32 `json:"max_entries"`
	Flags      uint32 `json:"flags"`
}

func setupMapList(fs *flagSet) func(*env, []string) error {
	asJSON := fs.Bool("json", false, "print a JSON array")
	return func(e *env, args []string) error {
		if len(args) > 0 {
			return usagef("unexpected argument %q", args[0])
		}
		rows := []mapRow{}
		err := eachMap(func(m *maps.Map) error {
			i := m.Info()
			rows = append(rows, mapRow{i.ID, typeName(i.Type), i.Name, i.KeySize, i.ValueSize, i.MaxEntries, i.Flags})
			return nil
		})
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(e.stdout, rows)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tTYPE\tNAME\tKEY\tVALUE\tMAX\tFLAGS")
		for _, r := range rows {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%d\t%#x\n", r.ID, r.Type, orDash(r.Name), r.KeySize, r.ValueSize, r.MaxEntries, r.Flags)
		}
		return tw.Flush()
	}
}

func setupMapDump(fs *flagSet) func(*env, []string) error {
	asJSON := fs.Bool("json", false, "print a JSON array of entries")
	return func(e *env, args []string) error {
		if len(args) != 1 {
			return usagef("want one MAP, got %d arguments", len(args))
		}
		m, err := openMap(args[0])
		if err != nil {
			return err
		}
		defer m.Close()
		entries, err := dumpEntries(m)
		if err != nil {
			return err
		}
		if *asJSON {
			objs := []any{}
			for _, en := range entries {
				objs = append(objs, en.obj)
			}
			return writeJSON(e.stdout, objs)
		}
		for _, en := range entries {
			fmt.Fprintln(e.stdout, en.text)
		}
		return nil
	}
}

// entry is one map entry rendered as text and as a JSON object.
type entry struct {
	text string
	obj  any
}

// dumpEntries reads every entry of m.
func dumpEntries(m *maps.Map) ([]entry, error) {
	info := m.Info()
	switch info.Type {
	case ebpf.XSKMap:
		return nil, fmt.Errorf("XSKMAP values (sockets) cannot be read from user space: %w", unix.EOPNOTSUPP)
	case ebpf.Queue, ebpf.Stack:
		return nil, usagef("a %s has no keys: use map peek or map pop", typeName(info.Type))
	case ebpf.CPUMap:
		var out []entry
		for cpu := uint32(0); cpu < info.MaxEntries; cpu++ {
			en, err := readEntry(m, binary.NativeEndian.AppendUint32(nil, cpu))
			if errors.Is(err, unix.ENOENT) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, en)
		}
		return out, nil
	}
	keys, err := m.Keys()
	if err != nil {
		return nil, mapOpError{"list keys", err}
	}
	var out []entry
	for _, k := range keys {
		en, err := readEntry(m, k)
		if errors.Is(err, unix.ENOENT) {
			continue // deleted since, or an unset DEVMAP slot
		}
		if err != nil {
			return nil, err
		}
		out = append(out, en)
	}
	return out, nil
}

// cpumapEntry and devmapEntry are the JSON forms of typed entries.
type cpumapEntry struct {
	CPU    uint32 `json:"cpu"`
	QSize  uint32 `json:"qsize"`
	ProgID uint32 `json:"prog_id"`
}

type devmapEntry struct {
	Key     uint32 `json:"key"`
	Ifindex uint32 `json:"ifindex"`
	ProgID  uint32 `json:"prog_id"`
}

// readEntry looks key up and renders the entry.
func readEntry(m *maps.Map, key []byte) (entry, error) {
	info := m.Info()
	switch info.Type {
	case ebpf.CPUMap:
		cpu := binary.NativeEndian.Uint32(key)
		v, err := m.CPUGet(cpu)
		if err != nil {
			return entry{}, mapOpError{fmt.Sprintf("cpumap get cpu %d", cpu), err}
		}
		return entry{
			text: fmt.Sprintf("cpu %d qsize %d prog %d", cpu, v.QSize, v.ProgID),
			obj:  cpumapEntry{cpu, v.QSize, v.ProgID},
		}, nil
	case ebpf.DevMap, ebpf.DevMapHash:
		k := binary.NativeEndian.Uint32(key)
		v, err := m.DevGet(k)
		if err != nil {
			return entry{}, mapOpError{fmt.Sprintf("devmap get key %d", k), err}
		}
		return entry{
			text: fmt.Sprintf("key %d ifindex %d prog %d", k, v.Ifindex, v.ProgID),
			obj:  devmapEntry{k, v.Ifindex, v.ProgID},
		}, nil
	}
	val := make([]byte, m.ValueBufSize())
	if err := m.Lookup(key, val); err != nil {
		return entry{}, mapOpError{fmt.Sprintf("lookup key %x", key), err}
	}
	v := describeValue(val)
	return entry{
		text: fmt.Sprintf("key %s value %s", hex.EncodeToString(key), v),
		obj: struct {
			Key string `json:"key"`
			valueJSON
		}{hex.EncodeToString(key), v},
	}, nil
}

// printEntry writes one entry as text or JSON.
func printEntry(w io.Writer, en entry, asJSON bool) error {
	if asJSON {
		return writeJSONLine(w, en.obj)
	}
	_, err := fmt.Fprintln(w, en.text)
	return err
}
