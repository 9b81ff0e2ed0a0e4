package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/xdpkit/xdpkit/maps"
	"golang.org/x/sys/unix"
)

func init() {
	register(&command{
		name:    "map get",
		args:    "MAP KEY-FLAG [flags]",
		summary: "read one entry",
		about: "Reads the entry of a key, given as --key HEX, --index N, --cpu N (CPUMAP) or\n" +
			"--queue N (XSKMAP). CPUMAP and DEVMAP values are decoded; 4- and 8-byte values\n" +
			"are also shown as numbers.\n\n" + mapRefHelp,
		examples: []string{
			"xdpkit map get id:12 --key 00000000",
			"xdpkit map get id:12 --index 3 --json",
			"xdpkit map get name:cpu_map --cpu 1",
		},
		setup: setupMapGet,
	})
	register(&command{
		name:    "map set",
		args:    "MAP KEY-FLAG VALUE-FLAGS [flags]",
		summary: "write one entry (plain or CPUMAP/DEVMAP/XSKMAP)",
		about: `Writes one entry. The key is --key HEX, --index N, --cpu N or --queue N; the
value depends on the map type:
  any map   --value HEX, --u32 N or --u64 N
  CPUMAP    --cpu N --qsize Q [--prog REF]        (REF: id:N or a pinned path)
  DEVMAP    --index N --ifindex I|--ifname IF [--prog REF]
  XSKMAP    --queue N --xsk PID:FD                (an AF_XDP socket of a running
            process, taken with pidfd_getfd: needs CAP_SYS_PTRACE)
--noexist fails when the key exists, --exist when it does not.

` + mapRefHelp,
		examples: []string{
			"xdpkit map set id:12 --key 00000000 --value 2a000000",
			"xdpkit map set id:12 --index 0 --u32 42 --noexist",
			"xdpkit map set id:5 --cpu 1 --qsize 192",
			"xdpkit map set id:7 --index 0 --ifname eth1",
			"xdpkit map set id:9 --queue 0 --xsk 4242:7",
		},
		setup: setupMapSet,
	})
	register(&command{
		name:    "map del",
		args:    "MAP KEY-FLAG [flags]",
		summary: "delete one entry",
		about:   "Deletes the entry of a key (--key HEX, --index N, --cpu N or --queue N).\n\n" + mapRefHelp,
		examples: []string{
			"xdpkit map del id:12 --key 00000000",
			"xdpkit map del id:9 --queue 0",
		},
		setup: setupMapDel,
	})
	register(&command{
		name:    "map push",
		args:    "MAP VALUE-FLAG [flags]",
		summary: "push a value onto a QUEUE or STACK map",
		about: "Pushes a value (--value HEX, --u32 N or --u64 N) onto a QUEUE or STACK map.\n" +
			"A full map fails unless --exist is given, which drops the oldest (QUEUE) or\n" +
			"bottom (STACK) value to make room.\n\n" + mapRefHelp,
		examples: []string{
			"xdpkit map push id:20 --u32 7",
			"xdpkit map push name:len_queue --value 07000000 --exist",
		},
		setup: setupMapPush,
	})
	for _, c := range []struct{ name, summary, about string }{
		{"pop", "take the next value off a QUEUE or STACK map", "Removes and prints the next value of a QUEUE (oldest) or STACK (newest) map."},
		{"peek", "show the next value of a QUEUE or STACK map", "Prints the next value of a QUEUE (oldest) or STACK (newest) map without removing it."},
	} {
		pop := c.name == "pop"
		register(&command{
			name:     "map " + c.name,
			args:     "MAP [flags]",
			summary:  c.summary,
			about:    c.about + " An empty map is an error (exit code 1).\n\n" + mapRefHelp,
			examples: []string{"xdpkit map " + c.name + " id:20", "xdpkit map " + c.name + " name:len_stack --json"},
			setup:    func(fs *flagSet) func(*env, []string) error { return setupMapPop(fs, pop) },
		})
	}
}

// withMap opens the single MAP argument and runs fn on it.
func withMap(args []string, fn func(*maps.Map) error) error {
	if len(args) != 1 {
		return usagef("want one MAP, got %d arguments", len(args))
	}
	m, err := openMap(args[0])
	if err != nil {
		return err
	}
	defer m.Close()
	return fn(m)
}

func setupMapGet(fs *flagSet) func(*env, []string) error {
	keys := addKeyFlags(fs)
	asJSON := fs.Bool("json", false, "print the entry as JSON")
	return func(e *env, args []string) error {
		return withMap(args, func(m *maps.Map) error {
			key, err := keys.bytes(m)
			if err != nil {
				return err
			}
			if key == nil {
				return usagef("a %s has no keys: use map peek", typeName(m.Info().Type))
			}
			en, err := readEntry(m, key)
			if err != nil {
				return err
			}
			return printEntry(e.stdout, en, *asJSON)
		})
	}
}

func setupMapSet(fs *flagSet) func(*env, []string) error {
	keys := addKeyFlags(fs)
	vals := addValueFlags(fs)
	qsize := fs.optUint("qsize", 1<<32-1, "CPUMAP: queue size `Q` of the CPU's entry")
	progRef := fs.String("prog", "", "CPUMAP/DEVMAP: program `REF` (id:N or pinned path) run for the entry")
	ifindex := fs.optUint("ifindex", 1<<31-1, "DEVMAP: target interface index `I`")
	ifname := fs.String("ifname", "", "DEVMAP: target interface `IF` (in this network namespace)")
	xskRef := fs.String("xsk", "", "XSKMAP: the AF_XDP socket `PID:FD` of a running process")
	noexist := fs.Bool("noexist", false, "fail if the key exists (BPF_NOEXIST)")
	exist := fs.Bool("exist", false, "fail if the key does not exist (BPF_EXIST)")
	return func(e *env, args []string) error {
		return withMap(args, func(m *maps.Map) error {
			if *noexist && *exist {
				return usagef("--noexist and --exist exclude each other")
			}
			flags := uint64(maps.UpdateAny)
			if *noexist {
				flags = maps.UpdateNoExist
			} else if *exist {
				flags = maps.UpdateExist
			}
			key, err := keys.bytes(m)
			if err != nil {
				return err
			}
			if key == nil {
				return usagef("a %s has no keys: use map push", typeName(m.Info().Type))
			}
			info := m.Info()
			typed := qsize.set || *progRef != "" || ifindex.set || *ifname != "" || *xskRef != ""
			if vals.given() && typed {
				return usagef("give either a plain value (--value, --u32, --u64) or typed fields, not both")
			}
			var val []byte
			switch {
			case vals.given():
				if val, err = vals.bytes(m); err != nil {
					return err
				}
			case info.Type == ebpf.CPUMap:
				if val, err = cpumapValue(m, qsize, *progRef); err != nil {
					return err
				}
			case info.Type == ebpf.DevMap || info.Type == ebpf.DevMapHash:
				if val, err = devmapValue(m, ifindex, *ifname, *progRef); err != nil {
					return err
				}
			case info.Type == ebpf.XSKMap:
				fd, err := takeSocket(*xskRef)
				if err != nil {
					return err
				}
				defer unix.Close(fd)
				val = binary.NativeEndian.AppendUint32(nil, uint32(fd))
			default:
				return usagef("missing value: --value HEX, --u32 N or --u64 N")
			}
			if err := m.Update(key, val, flags); err != nil {
				return mapOpError{fmt.Sprintf("update key %x", key), err}
			}
			return nil
		})
	}
}

// cpumapValue builds struct bpf_cpumap_val {qsize; prog fd}.
func cpumapValue(m *maps.Map, qsize *optUint, progRef string) ([]byte, error) {
	if !qsize.set {
		return nil, usagef("a CPUMAP entry needs --qsize Q")
	}
	val := binary.NativeEndian.AppendUint32(nil, uint32(qsize.v))
	if m.Info().ValueSize == 4 {
		if progRef != "" {
			return nil, usagef("this CPUMAP's 4-byte values have no room for --prog")
		}
		return val, nil
	}
	fd, err := progFD(progRef)
	if err != nil {
		return nil, err
	}
	return binary.NativeEndian.AppendUint32(val, fd), nil
}

// devmapValue builds struct bpf_devmap_val {ifindex; prog fd}.
func devmapValue(m *maps.Map, ifindex *optUint, ifname, progRef string) ([]byte, error) {
	idx := uint32(ifindex.v)
	switch {
	case ifindex.set && ifname != "":
		return nil, usagef("give --ifindex or --ifname, not both")
	case ifname != "":
		ifi, err := net.InterfaceByName(ifname)
		if err != nil {
			return nil, fmt.Errorf("interface %q: %w", ifname, unix.ENODEV)
		}
		idx = uint32(ifi.Index)
	case !ifindex.set:
		return nil, usagef("a DEVMAP entry needs --ifindex I or --ifname IF")
	}
	val := binary.NativeEndian.AppendUint32(nil, idx)
	if m.Info().ValueSize == 4 {
		if progRef != "" {
			return nil, usagef("this DEVMAP's 4-byte values have no room for --prog")
		}
		return val, nil
	}
	fd, err := progFD(progRef)
	if err != nil {
		return nil, err
	}
	return binary.NativeEndian.AppendUint32(val, fd), nil
}

// progFD opens a program reference and returns its fd (0: none). The
// program stays open until the process exits, which is soon.
func progFD(ref string) (uint32, error) {
	if ref == "" {
		return 0, nil
	}
	p, err := openProg(ref)
	if err != nil {
		return 0, fmt.Errorf("program %s: %w", ref, err)
	}
	return uint32(p.FD()), nil
}

// takeSocket duplicates file descriptor FD of process PID (PID:FD) into
// this process with pidfd_getfd (Linux 5.6+).
func takeSocket(ref string) (int, error) {
	pidS, fdS, ok := strings.Cut(ref, ":")
	pid, err1 := strconv.Atoi(pidS)
	fd, err2 := strconv.Atoi(fdS)
	if ref == "" || !ok || err1 != nil || err2 != nil || pid <= 0 || fd < 0 {
		return -1, usagef("an XSKMAP entry needs --xsk PID:FD (an AF_XDP socket of a running process)")
	}
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return -1, fmt.Errorf("pidfd_open(%d): %w", pid, err)
	}
	defer unix.Close(pidfd)
	got, err := unix.PidfdGetfd(pidfd, fd, 0)
	if err != nil {
		return -1, fmt.Errorf("pidfd_getfd(%d, %d) (needs CAP_SYS_PTRACE over the process, Linux 5.6+): %w", pid, fd, err)
	}
	if dom, err := unix.GetsockoptInt(got, unix.SOL_SOCKET, unix.SO_DOMAIN); err != nil || dom != unix.AF_XDP {
		unix.Close(got)
		return -1, usagef("fd %d of process %d is not an AF_XDP socket", fd, pid)
	}
	return got, nil
}

func setupMapDel(fs *flagSet) func(*env, []string) error {
	keys := addKeyFlags(fs)
	return func(e *env, args []string) error {
		return withMap(args, func(m *maps.Map) error {
			key, err := keys.bytes(m)
			if err != nil {
				return err
			}
			if key == nil {
				return usagef("a %s has no keys: use map pop", typeName(m.Info().Type))
			}
			if err := m.Delete(key); err != nil {
				return mapOpError{fmt.Sprintf("delete key %x", key), err}
			}
			return nil
		})
	}
}

func setupMapPush(fs *flagSet) func(*env, []string) error {
	vals := addValueFlags(fs)
	exist := fs.Bool("exist", false, "when full, drop the oldest (QUEUE) or bottom (STACK) value")
	return func(e *env, args []string) error {
		return withMap(args, func(m *maps.Map) error {
			if err := requireQueueStack(m); err != nil {
				return err
			}
			val, err := vals.bytes(m)
			if err != nil {
				return err
			}
			flags := uint64(maps.UpdateAny)
			if *exist {
				flags = maps.UpdateExist
			}
			if err := m.Push(val, flags); err != nil {
				return mapOpError{"push", err}
			}
			return nil
		})
	}
}

func setupMapPop(fs *flagSet, pop bool) func(*env, []string) error {
	asJSON := fs.Bool("json", false, "print the value as JSON")
	return func(e *env, args []string) error {
		return withMap(args, func(m *maps.Map) error {
			if err := requireQueueStack(m); err != nil {
				return err
			}
			val := make([]byte, m.Info().ValueSize)
			op, f := "peek", m.Peek
			if pop {
				op, f = "pop", m.Pop
			}
			if err := f(val); err != nil {
				return mapOpError{op + " (empty map?)", err}
			}
			v := describeValue(val)
			return printEntry(e.stdout, entry{text: "value " + v.String(), obj: v}, *asJSON)
		})
	}
}

func requireQueueStack(m *maps.Map) error {
	if t := m.Info().Type; t != ebpf.Queue && t != ebpf.Stack {
		return usagef("push, pop and peek are for QUEUE and STACK maps; this map is a %s", typeName(t))
	}
	return nil
}
