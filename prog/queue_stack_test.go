package prog_test

import (
	"encoding/binary"
	"errors"
	"slices"
	"testing"

	"github.com/xdpkit/xdpkit/bpf/objs"
	"github.com/xdpkit/xdpkit/internal/netnstest"
	"github.com/xdpkit/xdpkit/maps"
	"github.com/xdpkit/xdpkit/prog"
)

// popAll pops every value of a QUEUE or STACK of u32 until it is empty.
func popAll(t *testing.T, m *maps.Map) []uint32 {
	t.Helper()
	var out []uint32
	v := make([]byte, 4)
	for i := 0; i < 1000; i++ {
		err := m.Pop(v)
		if errors.Is(err, maps.ErrKeyNotExist) {
			return out
		}
		if err != nil {
			t.Fatalf("pop: %v", err)
		}
		out = append(out, binary.NativeEndian.Uint32(v))
	}
	t.Fatal("map never empties")
	return nil
}

// only keeps the values of vs that are in set, in order.
func only(vs, set []uint32) []uint32 {
	var out []uint32
	for _, v := range vs {
		if slices.Contains(set, v) {
			out = append(out, v)
		}
	}
	return out
}

// The queue_stack program pushes every frame's length onto len_queue and
// len_stack: frames of distinct lengths sent from the peer come back in
// send order from the queue and in reverse order from the stack, in skb
// and drv mode.
func TestQueueStackProgram(t *testing.T) {
	spec, err := objs.LoadQueueStack()
	if err != nil {
		t.Fatal(err)
	}
	// Lengths from the Ethernet minimum (AF_PACKET sends frames exactly
	// as given, veth pads nothing) up, all distinct.
	var lens []uint32
	for l := uint32(60); l <= 150; l += 10 {
		lens = append(lens, l)
	}
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			pair := newPair(t)
			p, err := prog.LoadSpec(spec, "xdpkit_queue_stack")
			netnstest.Require(t, err, "load xdpkit_queue_stack")
			t.Cleanup(func() { p.Close() })
			queue, stack := mapOf(t, p, "len_queue"), mapOf(t, p, "len_stack")
			v := make([]byte, 4)
			for _, m := range []*maps.Map{queue, stack} {
				if err := m.Peek(v); !errors.Is(err, maps.ErrKeyNotExist) {
					t.Fatalf("peek of a fresh %v = %v, want ErrKeyNotExist", m.Info().Type, err)
				}
			}
			l := attach(t, p, pair.A, pair.IfA, mode)
			if l.Mode() != mode {
				t.Fatalf("attached in %v mode, want %v", l.Mode(), mode)
			}
			ps := openPacket(t, pair.B, pair.IfB)
			var frames [][]byte
			for i, n := range lens {
				frames = append(frames, netnstest.UDPFrame(pair.MacB, pair.MacA, pair.IPB, pair.IPA, int(n), uint32(i)))
			}
			sendFrom(t, ps, frames)

			// Every frame pushes onto the queue, then onto the stack. Once
			// the stack's top is the last length sent, every frame has been
			// through both pushes (frames run in order: one veth queue, one
			// pinned sender).
			last := lens[len(lens)-1]
			var top uint32
			if !waitFor(func() bool {
				if stack.Peek(v) == nil {
					top = binary.NativeEndian.Uint32(v)
				}
				return top == last
			}) {
				t.Fatalf("stack top %d after %v, want %d", top, waitTimeout, last)
			}
			if err := queue.Peek(v); err != nil || binary.NativeEndian.Uint32(v) != lens[0] {
				t.Fatalf("queue peek = %d, %v; want %d", binary.NativeEndian.Uint32(v), err, lens[0])
			}

			q, s := popAll(t, queue), popAll(t, stack)
			if extra := len(q) - len(lens); extra != 0 {
				t.Logf("queue held %d values besides the test frames': %v", extra, q)
			}
			if got := only(q, lens); !slices.Equal(got, lens) {
				t.Fatalf("queue popped %v, want %v (send order)", got, lens)
			}
			rev := slices.Clone(lens)
			slices.Reverse(rev)
			if got := only(s, lens); !slices.Equal(got, rev) {
				t.Fatalf("stack popped %v, want %v (reverse order)", got, rev)
			}
			for _, m := range []*maps.Map{queue, stack} {
				if err := m.Pop(v); !errors.Is(err, maps.ErrKeyNotExist) {
					t.Fatalf("pop of an emptied %v = %v, want ErrKeyNotExist", m.Info().Type, err)
				}
			}
		})
	}
}

// With more frames than the maps hold (64), the program's BPF_EXIST push
// drops the oldest: the queue keeps the last 64 lengths in order and the
// stack the last 64 in reverse.
func TestQueueStackProgramOverflow(t *testing.T) {
	pair := newPair(t)
	p := load(t, objPath("queue_stack"), "")
	queue, stack := mapOf(t, p, "len_queue"), mapOf(t, p, "len_stack")
	if queue.Info().MaxEntries != 64 || stack.Info().MaxEntries != 64 {
		t.Fatalf("max entries %d/%d, want 64", queue.Info().MaxEntries, stack.Info().MaxEntries)
	}
	attach(t, p, pair.A, pair.IfA, modes[1])
	ps := openPacket(t, pair.B, pair.IfB)
	var lens []uint32
	var frames [][]byte
	for i := 0; i < 100; i++ {
		n := uint32(60 + 2*i)
		lens = append(lens, n)
		frames = append(frames, netnstest.UDPFrame(pair.MacB, pair.MacA, pair.IPB, pair.IPA, int(n), uint32(i)))
	}
	sendFrom(t, ps, frames)
	last := lens[len(lens)-1]
	v := make([]byte, 4)
	if !waitFor(func() bool { return stack.Peek(v) == nil && binary.NativeEndian.Uint32(v) == last }) {
		t.Fatalf("stack top %d after %v, want %d", binary.NativeEndian.Uint32(v), waitTimeout, last)
	}
	q, s := popAll(t, queue), popAll(t, stack)
	want := lens[len(lens)-64:]
	if !slices.Equal(q, want) {
		t.Fatalf("queue after overflow: %v, want %v", q, want)
	}
	rev := slices.Clone(want)
	slices.Reverse(rev)
	if !slices.Equal(s, rev) {
		t.Fatalf("stack after overflow: %v, want %v", s, rev)
	}
}
