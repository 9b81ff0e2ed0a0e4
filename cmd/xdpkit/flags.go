package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"
)

// flagSet is a flag.FlagSet that accepts flags anywhere among the
// positional arguments, short aliases (-q for --queue) and prints
// GNU-style help.
type flagSet struct {
	*flag.FlagSet
	short map[string]string // long name -> short alias
}

func newFlagSet(name string) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), short: map[string]string{}}
	fs.SetOutput(io.Discard)
	return fs
}

// alias makes -short another name of the flag long.
func (fs *flagSet) alias(short, long string) {
	f := fs.Lookup(long)
	fs.Var(f.Value, short, f.Usage)
	fs.short[long] = short
}

// parse parses flags and positional arguments in any order ("--" ends
// the flags).
func (fs *flagSet) parse(args []string) ([]string, error) {
	var pos []string
	for {
		for len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			pos = append(pos, args[0])
			args = args[1:]
		}
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
	}
}

func (fs *flagSet) hasFlags() bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// printDefaults lists the flags as "  -q, --queue Q   usage (default 0)".
func (fs *flagSet) printDefaults(w io.Writer) {
	isShort := map[string]bool{}
	for _, s := range fs.short {
		isShort[s] = true
	}
	type line struct{ name, usage string }
	var lines []line
	width := 0
	fs.VisitAll(func(f *flag.Flag) {
		if isShort[f.Name] {
			return
		}
		arg, usage := flag.UnquoteUsage(f)
		name := "    --" + f.Name
		if s, ok := fs.short[f.Name]; ok {
			name = "-" + s + ", --" + f.Name
		}
		if arg != "" {
			name += " " + arg
		}
		if d := f.DefValue; d != "" && d != "0" && d != "false" && d != "0s" && d != "[]" {
			usage += fmt.Sprintf(" (default %s)", d)
		}
		lines = append(lines, line{name, usage})
		width = max(width, len(name))
	})
	sort.Slice(lines, func(i, j int) bool {
		return strings.TrimLeft(lines[i].name, " -") < strings.TrimLeft(lines[j].name, " -")
	})
	for _, l := range lines {
		fmt.Fprintf(w, "  %-*s  %s\n", width, l.name, l.usage)
	}
}

// durationValue accepts Go durations ("1.5s", "200ms") and plain
// numbers of seconds ("5").
type durationValue struct{ d *time.Duration }

func (v durationValue) String() string {
	if v.d == nil {
		return ""
	}
	return v.d.String()
}

func (v durationValue) Set(s string) error {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		*v.d = time.Duration(f * float64(time.Second))
	} else if *v.d, err = time.ParseDuration(s); err != nil {
		return fmt.Errorf("want a duration such as 5s or 500ms")
	}
	if *v.d < 0 {
		return fmt.Errorf("negative duration")
	}
	return nil
}

func (fs *flagSet) duration(name string, def time.Duration, usage string) *time.Duration {
	d := def
	fs.Var(durationValue{&d}, name, usage)
	return &d
}

// macValue is an optional MAC address flag.
type macValue struct{ mac *net.HardwareAddr }

func (v macValue) String() string {
	if v.mac == nil || *v.mac == nil {
		return ""
	}
	return v.mac.String()
}

func (v macValue) Set(s string) error {
	m, err := net.ParseMAC(s)
	if err != nil || len(m) != 6 {
		return fmt.Errorf("want a MAC address such as 02:00:00:00:00:01")
	}
	*v.mac = m
	return nil
}

func (fs *flagSet) mac(name, usage string) *net.HardwareAddr {
	var m net.HardwareAddr
	fs.Var(macValue{&m}, name, usage)
	return &m
}

// ipValue is an optional IPv4 address flag.
type ipValue struct{ ip *net.IP }

func (v ipValue) String() string {
	if v.ip == nil || *v.ip == nil {
		return ""
	}
	return v.ip.String()
}

func (v ipValue) Set(s string) error {
	ip := net.ParseIP(s).To4()
	if ip == nil {
		return fmt.Errorf("want an IPv4 address such as 10.0.0.1")
	}
	*v.ip = ip
	return nil
}

func (fs *flagSet) ipv4(name, usage string) *net.IP {
	var ip net.IP
	fs.Var(ipValue{&ip}, name, usage)
	return &ip
}

// optUint is a uint flag that remembers whether it was given.
type optUint struct {
	v   uint64
	set bool
	max uint64
}

func (o *optUint) String() string {
	if o == nil || !o.set {
		return ""
	}
	return strconv.FormatUint(o.v, 10)
}

func (o *optUint) Set(s string) error {
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil || (o.max > 0 && v > o.max) {
		return fmt.Errorf("want a number from 0 to %d", o.max)
	}
	o.v, o.set = v, true
	return nil
}

func (fs *flagSet) optUint(name string, maxv uint64, usage string) *optUint {
	o := &optUint{max: maxv}
	fs.Var(o, name, usage)
	return o
}
