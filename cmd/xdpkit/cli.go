package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Exit codes, documented in every command's help.
const (
	exitOK      = 0
	exitRuntime = 1
	exitUsage   = 2
)

const exitCodesHelp = "Exit codes: 0 ok, 1 runtime error, 2 usage error."

// env is what a command runs with.
type env struct {
	ctx    context.Context
	stdout io.Writer
	stderr io.Writer
	// tty is set when stdout is a terminal: progress is redrawn in place.
	tty bool
}

// command is one subcommand ("ifaces", "map get", ...).
type command struct {
	name     string
	args     string // synopsis after the name, e.g. "IF [flags]"
	summary  string // one line for the command list
	about    string // paragraph(s) for --help
	examples []string
	// setup registers the command's flags and returns its runner, which
	// gets the positional arguments.
	setup func(fs *flagSet) func(e *env, args []string) error
}

// commands is the registry, filled by each command's file.
var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

// usageError is a wrong invocation: exit code 2.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// run executes the command line args and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	e := &env{ctx: ctx, stdout: stdout, stderr: stderr, tty: isTerminal(stdout)}
	if len(args) == 0 {
		topUsage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		if len(args) > 1 && args[0] == "help" {
			return run(ctx, append(args[1:], "--help"), stdout, stderr)
		}
		topUsage(stdout)
		return exitOK
	}
	name, rest := args[0], args[1:]
	if _, ok := commands[name]; !ok {
		if group := groupCommands(name); len(group) > 0 {
			if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
				if len(rest) > 0 && isHelp(rest[0]) {
					groupUsage(stdout, name, group)
					return exitOK
				}
				fmt.Fprintf(stderr, "xdpkit %s: missing subcommand\n", name)
				groupUsage(stderr, name, group)
				return exitUsage
			}
			name, rest = name+" "+rest[0], rest[1:]
		}
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "xdpkit: unknown command %q\nRun 'xdpkit --help' for the list of commands.\n", name)
		return exitUsage
	}
	fs := newFlagSet(c.name)
	runner := c.setup(fs)
	pos, err := fs.parse(rest)
	if errors.Is(err, flag.ErrHelp) {
		c.help(stdout, fs)
		return exitOK
	}
	if err == nil {
		err = runner(e, pos)
	}
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "xdpkit %s: %v\nRun 'xdpkit %s --help' for usage.\n", c.name, ue.msg, c.name)
		return exitUsage
	}
	fmt.Fprintf(stderr, "xdpkit %s: %s\n", c.name, explain(err))
	return exitRuntime
}

func isHelp(s string) bool { return s == "-h" || s == "-help" || s == "--help" }

// groupCommands lists the subcommands of a group such as "map".
func groupCommands(group string) []*command {
	var out []*command
	for n, c := range commands {
		if strings.HasPrefix(n, group+" ") {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// help prints a command's --help text.
func (c *command) help(w io.Writer, fs *flagSet) {
	fmt.Fprintf(w, "Usage: xdpkit %s %s\n\n%s\n", c.name, c.args, strings.TrimSpace(c.about))
	if fs.hasFlags() {
		fmt.Fprintf(w, "\nFlags:\n")
		fs.printDefaults(w)
	}
	if len(c.examples) > 0 {
		fmt.Fprintf(w, "\nExamples:\n")
		for _, ex := range c.examples {
			fmt.Fprintf(w, "  %s\n", ex)
		}
	}
	fmt.Fprintf(w, "\n%s\n", exitCodesHelp)
}

// topOrder is the order of the command list in `xdpkit --help`.
var topOrder = []string{"ifaces", "stats", "map", "gen", "rxdrop", "txonly", "l2fwd", "demo"}

func topUsage(w io.Writer) {
	fmt.Fprintf(w, `Usage: xdpkit COMMAND [ARGS] [flags]

xdpkit inspects and exercises AF_XDP sockets, XDP programs and eBPF maps.
It works in the calling process's network namespace (use ip netns exec
for another one) and needs CAP_NET_ADMIN and CAP_BPF (run as root).

Commands:
`)
	for _, n := range topOrder {
		if c, ok := commands[n]; ok {
			fmt.Fprintf(w, "  %-8s %s\n", n, c.summary)
			continue
		}
		var subs []string
		for _, c := range groupCommands(n) {
			subs = append(subs, strings.TrimPrefix(c.name, n+" "))
		}
		fmt.Fprintf(w, "  %-8s eBPF maps: %s\n", n, strings.Join(subs, ", "))
	}
	fmt.Fprintf(w, `
Run 'xdpkit COMMAND --help' for a command's flags and examples.

Examples:
  xdpkit ifaces
  xdpkit stats --watch --interval 1s
  xdpkit map get id:12 --key 00000000
  xdpkit gen veth0 --rate 1000000 --duration 10s
  xdpkit rxdrop veth1 -q 0 -m drv -d 10s

%s
`, exitCodesHelp)
}

func groupUsage(w io.Writer, group string, cmds []*command) {
	fmt.Fprintf(w, "Usage: xdpkit %s SUBCOMMAND [ARGS] [flags]\n\nSubcommands:\n", group)
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-10s %s\n", strings.TrimPrefix(c.name, group+" "), c.summary)
	}
	fmt.Fprintf(w, "\nRun 'xdpkit %s SUBCOMMAND --help' for its flags and examples.\n\n%s\n", group, exitCodesHelp)
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTTY(int(f.Fd()))
}
