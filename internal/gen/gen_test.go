package gen

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// fakeSender counts frames without sending them.
type fakeSender struct {
	sent  uint64
	calls int
	fail  error
}

func (f *fakeSender) Send(n uint32) (uint32, error) {
	f.calls++
	if f.fail != nil {
		return 0, f.fail
	}
	f.sent += uint64(n)
	return n, nil
}
func (f *fakeSender) MaxBatch() uint32 { return 64 }
func (f *fakeSender) Close() error     { return nil }

func TestRunRate(t *testing.T) {
	f := &fakeSender{}
	var reports atomic.Int32
	res, err := Run(context.Background(), f, Config{
		Rate: 20000, Duration: 500 * time.Millisecond, Interval: 100 * time.Millisecond,
		Report: func(p Progress) { reports.Add(1) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != f.sent || res.Sent < 7000 || res.Sent > 11000 {
		t.Errorf("sent %d in %v at 20000 pps, want about 10000", res.Sent, res.Elapsed)
	}
	if r := reports.Load(); r < 3 || r > 5 {
		t.Errorf("%d reports in 500 ms at 100 ms intervals", r)
	}
	if res.Elapsed < 500*time.Millisecond || res.Elapsed > 700*time.Millisecond {
		t.Errorf("elapsed %v for a 500 ms run", res.Elapsed)
	}
}

func TestRunCountAndContext(t *testing.T) {
	f := &fakeSender{}
	res, err := Run(context.Background(), f, Config{Count: 1000, Batch: 300})
	if err != nil || res.Sent != 1000 || f.calls != 4 {
		t.Errorf("count run: %v sent %d in %d calls, want 1000 in 4", err, res.Sent, f.calls)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	res, err = Run(ctx, &fakeSender{}, Config{Rate: 10})
	if err != nil || res.Elapsed > 300*time.Millisecond {
		t.Errorf("cancelled run: %v after %v", err, res.Elapsed)
	}
	boom := errors.New("boom")
	if _, err := Run(context.Background(), &fakeSender{fail: boom}, Config{Count: 10}); !errors.Is(err, boom) {
		t.Errorf("sender error: %v", err)
	}
}

func TestFrame(t *testing.T) {
	src, dst := net.HardwareAddr{2, 0, 0, 0, 0, 1}, net.HardwareAddr{2, 0, 0, 0, 0, 2}
	f, err := Frame(FrameSpec{SrcMAC: src, DstMAC: dst, SrcIP: net.IPv4(10, 0, 0, 1), DstIP: net.IPv4(10, 0, 0, 2), Size: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(f) != 100 || !bytes.Equal(f[0:6], dst) || !bytes.Equal(f[6:12], src) || binary.BigEndian.Uint16(f[12:]) != 0x0800 {
		t.Fatalf("ethernet header %x", f[:14])
	}
	if ipChecksum(f[14:34]) != 0 {
		t.Error("IPv4 header checksum does not verify")
	}
	if binary.BigEndian.Uint16(f[16:]) != 86 || binary.BigEndian.Uint16(f[38:]) != 66 || binary.BigEndian.Uint16(f[36:]) != 9 {
		t.Errorf("lengths/ports %x", f[14:42])
	}
	for _, fs := range []FrameSpec{
		{SrcMAC: src, DstMAC: dst, SrcIP: net.IPv4(1, 1, 1, 1), DstIP: net.IPv4(1, 1, 1, 2), Size: 41},
		{SrcMAC: src, DstMAC: dst, SrcIP: net.IPv4(1, 1, 1, 1), DstIP: net.IPv4(1, 1, 1, 2), Size: 1515},
		{SrcMAC: src[:3], DstMAC: dst, SrcIP: net.IPv4(1, 1, 1, 1), DstIP: net.IPv4(1, 1, 1, 2)},
		{SrcMAC: src, DstMAC: dst, SrcIP: net.ParseIP("::1"), DstIP: net.IPv4(1, 1, 1, 2)},
	} {
		if _, err := Frame(fs); !errors.Is(err, unix.EINVAL) {
			t.Errorf("Frame(%+v): %v, want EINVAL", fs, err)
		}
	}
}
