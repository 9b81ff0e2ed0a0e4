package xskdiag

//go:generate go tool bpf2go -tags linux -go-package xskdiag -output-stem xskiter xskIter ../../bpf/xsk_iter.c -- -I../../bpf/include -O2 -g -Wall -Werror
