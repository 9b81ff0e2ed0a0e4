package xsk

//go:generate go tool bpf2go -tags linux -go-package xsk -output-stem redirect redirect ../bpf/xsk_redirect.c -- -I../bpf/include -O2 -g -Wall -Werror
