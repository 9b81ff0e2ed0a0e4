// Package genredirect holds the XDP program of xdpkit's traffic generator:
// run with BPF_PROG_RUN and BPF_F_TEST_XDP_LIVE_FRAMES, it redirects every
// frame out of the interface set in its target_ifindex constant. The
// compiled objects are committed (`make generate` rebuilds them).
package genredirect

//go:generate go tool bpf2go -tags linux -go-package genredirect -output-stem gen_redirect GenRedirect ../gen_redirect.c -- -I../include -O2 -g -Wall -Werror
