// Command xdpkit inspects and exercises AF_XDP and XDP on Linux: it lists
// interfaces with their queues, XDP programs and AF_XDP sockets, shows
// socket statistics, reads and writes eBPF maps, generates traffic and
// runs the rxdrop, txonly and l2fwd examples. Run `xdpkit --help`.
//
// Exit codes: 0 ok, 1 runtime error, 2 usage error.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
