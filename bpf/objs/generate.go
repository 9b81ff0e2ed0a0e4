// Package objs holds the BPF programs xdpkit ships besides the default
// redirect program (which lives with xsk/): a CPUMAP round-robin
// redirector, a QUEUE/STACK demo and the AF_XDP selftest programs
// (drop half, metadata count). Their compiled objects are
// committed (`make generate` rebuilds them; users need no clang) and
// embedded in this package; C programs load the .o files directly.
package objs

//go:generate go tool bpf2go -tags linux -go-package objs -output-stem cpumap_rr CpumapRR ../cpumap_rr.c -- -I../include -O2 -g -Wall -Werror
//go:generate go tool bpf2go -tags linux -go-package objs -output-stem queue_stack QueueStack ../queue_stack.c -- -I../include -O2 -g -Wall -Werror
//go:generate go tool bpf2go -tags linux -go-package objs -output-stem xsk_selftest XskSelftest ../xsk_selftest.c -- -I../include -O2 -g -Wall -Werror
