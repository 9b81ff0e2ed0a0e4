package prog_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/cilium/ebpf"

	"github.com/xdpkit/xdpkit/bpf/objs"
	"github.com/xdpkit/xdpkit/internal/netnstest"
	"github.com/xdpkit/xdpkit/maps"
	"github.com/xdpkit/xdpkit/prog"
	"github.com/xdpkit/xdpkit/xsk"
)

// cpumapQSize is the queue size of every CPUMAP entry (as in the kernel's
// samples).
const cpumapQSize = 192

// cpumapRig is bpf/cpumap_rr.c loaded twice from one spec: the
// round-robin redirector attached natively to A's veth end, and the
// counting program (section "xdp/cpumap", so loaded for BPF_XDP_CPUMAP)
// that every CPUMAP entry runs on its CPU. The counting program's own
// collection holds the cpu_rx it increments.
type cpumapRig struct {
	t        *testing.T
	pair     *netnstest.Pair
	rr       *prog.Program
	count    *prog.Program
	cpuMap   *maps.Map
	cpus     *maps.Map // cpus_available
	cpusN    *maps.Map // cpus_count
	cpuRx    *maps.Map // per-CPU frame counters of the counting program
	sender   *netnstest.PacketSocket
	sent     uint32
	possible int
}

func newCPUMapRig(t *testing.T) *cpumapRig {
	t.Helper()
	spec, err := objs.LoadCpumapRR()
	if err != nil {
		t.Fatal(err)
	}
	if at := spec.Programs["xdpkit_cpumap_count"].AttachType; at != ebpf.AttachXDPCPUMap {
		t.Fatalf("xdpkit_cpumap_count spec attach type %v, want %v", at, ebpf.AttachXDPCPUMap)
	}
	r := &cpumapRig{t: t, pair: newPair(t)}
	r.possible, err = ebpf.PossibleCPU()
	if err != nil {
		t.Fatal(err)
	}
	if r.possible < 2 || runtime.NumCPU() < 2 {
		netnstest.Require(t, fmt.Errorf("%d possible / %d online CPUs", r.possible, runtime.NumCPU()), "CPUMAP test needs 2 CPUs")
	}
	r.rr, err = prog.LoadSpec(spec, "xdpkit_cpumap_rr")
	netnstest.Require(t, err, "load xdpkit_cpumap_rr")
	t.Cleanup(func() { r.rr.Close() })
	r.count, err = prog.LoadSpec(spec, "xdp/cpumap")
	netnstest.Require(t, err, "load xdpkit_cpumap_count")
	t.Cleanup(func() { r.count.Close() })
	if r.count.Name() != "xdpkit_cpumap_count" {
		t.Fatalf("section xdp/cpumap selected %q", r.count.Name())
	}
	r.cpuMap = mapOf(t, r.rr, "cpu_map")
	r.cpus = mapOf(t, r.rr, "cpus_available")
	r.cpusN = mapOf(t, r.rr, "cpus_count")
	r.cpuRx = mapOf(t, r.count, "cpu_rx")
	if v := r.cpuRx.ValueBufSize(); v != uint32(8*r.possible) {
		t.Fatalf("cpu_rx ValueBufSize %d, want %d", v, 8*r.possible)
	}
	attach(t, r.rr, r.pair.A, r.pair.IfA, xsk.AttachDrv)
	r.sender = openPacket(t, r.pair.B, r.pair.IfB)
	return r
}

// route makes the redirector spread frames over cpus in turn, each CPU's
// CPUMAP entry running the counting program, and zeroes the counters.
func (r *cpumapRig) route(cpus ...uint32) {
	r.t.Helper()
	for i, cpu := range cpus {
		if err := r.cpuMap.CPUSet(cpu, cpumapQSize, r.count.FD()); err != nil {
			r.t.Fatalf("CPUSet(%d, %d, count program): %v", cpu, cpumapQSize, err)
		}
		if err := r.cpus.Update(u32(uint32(i)), u32(cpu), maps.UpdateAny); err != nil {
			r.t.Fatal(err)
		}
	}
	if err := r.cpusN.Update(u32(0), u32(uint32(len(cpus))), maps.UpdateAny); err != nil {
		r.t.Fatal(err)
	}
	if err := r.cpuRx.Update(u32(0), make([]byte, r.cpuRx.ValueBufSize()), maps.UpdateAny); err != nil {
		r.t.Fatalf("zero cpu_rx: %v", err)
	}
}

// counts reads cpu_rx[0] per CPU through the raw API, and checks it
// against cilium/ebpf's per-CPU lookup.
func (r *cpumapRig) counts() []uint64 {
	r.t.Helper()
	buf := make([]byte, r.cpuRx.ValueBufSize())
	if err := r.cpuRx.Lookup(u32(0), buf); err != nil {
		r.t.Fatalf("lookup cpu_rx: %v", err)
	}
	out := make([]uint64, r.possible)
	for i := range out {
		out[i] = binary.NativeEndian.Uint64(buf[8*i:])
	}
	var viaCilium []uint64
	if err := r.cpuRx.Ebpf().Lookup(uint32(0), &viaCilium); err != nil {
		r.t.Fatalf("cilium per-CPU lookup of cpu_rx: %v", err)
	}
	// Frames may be counted between the two reads; only compare lengths
	// and monotonicity.
	if len(viaCilium) != len(out) {
		r.t.Fatalf("cilium per-CPU lookup gives %d values, raw %d", len(viaCilium), len(out))
	}
	for i := range out {
		if viaCilium[i] < out[i] {
			r.t.Fatalf("cpu_rx went backwards: raw %v, then cilium %v", out, viaCilium)
		}
	}
	return out
}

func sum(v []uint64) uint64 {
	var s uint64
	for _, x := range v {
		s += x
	}
	return s
}

// send sends n frames from B in small batches, each batch waiting until
// the counting program has seen it, so the 192-frame CPUMAP queue never
// overflows. It returns the per-CPU counts.
func (r *cpumapRig) send(n int) []uint64 {
	r.t.Helper()
	const batch = 20
	var c []uint64
	for off := 0; off < n; off += batch {
		k := min(batch, n-off)
		sendFrom(r.t, r.sender, framesBA(r.pair, r.sent, k, 60+off%100))
		r.sent += uint32(k)
		want := uint64(off + k)
		if !waitFor(func() bool { c = r.counts(); return sum(c) >= want }) {
			r.t.Fatalf("after %d frames sent, cpu_rx counts %v (sum %d) after %v", want, c, sum(c), waitTimeout)
		}
	}
	return c
}

// CPUMAP redirect really runs frames on the chosen CPU: the program on
// the CPUMAP entry counts them per CPU, all on the chosen one and none
// on the other, for CPU 1 and then CPU 0; round robin over both reaches
// both.
func TestCPUMapRedirect(t *testing.T) {
	r := newCPUMapRig(t)
	countID, err := r.count.ID()
	if err != nil {
		t.Fatal(err)
	}
	const frames = 200
	for _, cpu := range []uint32{1, 0} {
		t.Run(fmt.Sprintf("cpu%d", cpu), func(t *testing.T) {
			r.t = t
			r.route(cpu)
			v, err := r.cpuMap.CPUGet(cpu)
			if err != nil || v.QSize != cpumapQSize || v.ProgID == 0 || v.ProgID != countID {
				t.Fatalf("CPUGet(%d) = %+v, %v; want qsize %d and program id %d", cpu, v, err, cpumapQSize, countID)
			}
			c := r.send(frames)
			t.Logf("cpu_rx per CPU after %d frames to CPU %d: %v", frames, cpu, c)
			for i, n := range c {
				switch {
				case uint32(i) == cpu && n != frames:
					t.Errorf("CPU %d (chosen) counted %d frames, want %d", i, n, frames)
				case uint32(i) != cpu && n != 0:
					t.Errorf("CPU %d (not chosen) counted %d frames, want 0", i, n)
				}
			}
		})
	}
	t.Run("round-robin", func(t *testing.T) {
		r.t = t
		r.route(0, 1)
		c := r.send(frames)
		t.Logf("cpu_rx per CPU after %d frames round robin: %v", frames, c)
		if c[0] == 0 || c[1] == 0 || sum(c) != frames {
			t.Fatalf("round robin over CPUs 0 and 1 counted %v, want both > 0 and %d in all", c, frames)
		}
		// The iterator is per CPU of the redirecting program and starts at
		// 0 on each: every CPU that ran it alternates 0,1,0,1..., so the
		// two counts differ by at most the number of CPUs.
		if d := int64(c[0]) - int64(c[1]); d > int64(r.possible) || -d > int64(r.possible) {
			t.Errorf("round robin unbalanced: %v", c)
		}
	})
	t.Run("delete-entry", func(t *testing.T) {
		r.t = t
		// With CPU 1's entry deleted, redirects to it fail (XDP_ABORTED)
		// and the counting program sees nothing.
		r.route(1)
		if err := r.cpuMap.Delete(u32(1)); err != nil {
			t.Fatalf("delete CPUMAP entry 1: %v", err)
		}
		if _, err := r.cpuMap.CPUGet(1); !errors.Is(err, maps.ErrKeyNotExist) {
			t.Fatalf("CPUGet of a deleted entry = %v, want ErrKeyNotExist", err)
		}
		sendFrom(t, r.sender, framesBA(r.pair, r.sent, 20, 60))
		r.sent += 20
		time.Sleep(100 * time.Millisecond) // long enough for veth's NAPI to run them
		if c := r.counts(); sum(c) != 0 {
			t.Fatalf("frames redirected to a deleted CPUMAP entry were counted: %v", c)
		}
		// The entry set again delivers again.
		r.route(1)
		if c := r.send(20); c[1] != 20 || c[0] != 0 {
			t.Fatalf("after setting CPU 1 again: counts %v, want [0 20]", c)
		}
	})
}
