// Command rxdrop receives on one queue of an interface, counts and drops:
// the Go twin of examples/c/rxdrop.c, built with CGO_ENABLED=0.
//
//	rxdrop -i IFNAME [-q QUEUE] [-m skb|drv|auto] [-c|-z] [-d SECONDS] [-s FRAME_SIZE]
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/xdpkit/xdpkit/xsk"
	"golang.org/x/sys/unix"
)

const (
	numFrames = 4096
	batchSize = 64
	idleSpins = 1024
)

func main() {
	ifname := flag.String("i", "", "interface")
	queue := flag.Uint("q", 0, "queue index")
	mode := flag.String("m", "auto", "XDP program mode: skb, drv or auto")
	copyMode := flag.Bool("c", false, "force copy mode (XDP_COPY)")
	zeroCopy := flag.Bool("z", false, "require zero-copy (XDP_ZEROCOPY)")
	duration := flag.Float64("d", 0, "stop after this many seconds (0: until SIGINT/SIGTERM)")
	frameSize := flag.Uint("s", xsk.DefaultFrameSize, "UMEM frame size")
	flag.Parse()
	if *ifname == "" || flag.NArg() != 0 || *duration < 0 {
		flag.Usage()
		os.Exit(2)
	}
	if *copyMode && *zeroCopy {
		fatalf("-c and -z are exclusive")
	}
	attach, err := xsk.ParseAttachMode(*mode)
	if err != nil {
		fatalf("%v", err)
	}
	bind := uint16(xsk.BindNeedWakeup)
	if *copyMode {
		bind |= xsk.BindCopy
	}
	if *zeroCopy {
		bind |= xsk.BindZeroCopy
	}

	var stop atomic.Bool
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sigs
		stop.Store(true)
	}()

	umem, err := xsk.NewUmem(nil, xsk.UmemConfig{
		Size:      uint64(numFrames) * uint64(*frameSize),
		FillSize:  numFrames,
		FrameSize: uint32(*frameSize),
	})
	if err != nil {
		fatalf("%v", err)
	}
	sock, err := xsk.NewSocket(*ifname, uint32(*queue), umem, xsk.SocketConfig{
		DisableTx:  true,
		BindFlags:  bind,
		AttachMode: attach,
	})
	if err != nil {
		fatalf("%v", err)
	}
	fill, rx := sock.Fill(), sock.Rx()

	// Every frame of the UMEM on the fill ring.
	n, idx := fill.Reserve(numFrames)
	if n != numFrames {
		fatalf("cannot reserve %d fill ring entries", numFrames)
	}
	for i := uint64(0); i < numFrames; i++ {
		*fill.Addr(idx) = i * uint64(*frameSize)
		idx++
	}
	fill.Submit(numFrames)

	progMode := "none"
	if p := sock.Program(); p != nil {
		progMode = p.Mode().String()
	}
	fmt.Printf("rxdrop: receiving on %s queue %d (%s mode, go)\n", *ifname, *queue, progMode)

	var received, lastReceived uint64
	start := time.Now()
	tLast := start
	end := time.Duration(*duration * float64(time.Second))
	idle := 0
	for !stop.Load() {
		rcvd, idxRx := rx.Peek(batchSize)
		if rcvd > 0 {
			idle = 0
			var idxFq uint32
			for {
				var got uint32
				if got, idxFq = fill.Reserve(rcvd); got == rcvd || stop.Load() {
					break
				}
				if fill.NeedsWakeup() {
					_ = sock.WakeupRx()
				}
			}
			if stop.Load() {
				break
			}
			for i := uint32(0); i < rcvd; i++ {
				*fill.Addr(idxFq) = rx.Desc(idxRx).Addr
				idxFq++
				idxRx++
			}
			fill.Submit(rcvd)
			rx.Release(rcvd)
			received += uint64(rcvd)
		} else {
			if fill.NeedsWakeup() {
				_ = sock.WakeupRx()
			}
			if idle++; idle >= idleSpins {
				idle = 0
				if _, err := sock.Poll(unix.POLLIN, 100); err != nil {
					fatalf("%v", err)
				}
			}
		}

		now := time.Now()
		if now.Sub(tLast) >= time.Second {
			printStats(sock, received, received-lastReceived, now.Sub(tLast))
			lastReceived, tLast = received, now
		}
		if end > 0 && now.Sub(start) >= end {
			break
		}
	}

	printStats(sock, received, received-lastReceived, time.Since(tLast))
	if err := sock.Close(); err != nil {
		fatalf("%v", err)
	}
	if err := umem.Close(); err != nil {
		fatalf("%v", err)
	}
	fmt.Printf("rxdrop: received %d packets\n", received)
}

func printStats(sock *xsk.Socket, total, delta uint64, interval time.Duration) {
	pps := 0.0
	if interval > 0 {
		pps = float64(delta) / interval.Seconds()
	}
	line := fmt.Sprintf("rxdrop: %10.0f pps  received %d", pps, total)
	if st, err := sock.Stats(); err == nil {
		line += fmt.Sprintf("  rx_dropped %d rx_invalid %d tx_invalid %d rx_ring_full %d fill_empty %d tx_empty %d",
			st.RxDropped, st.RxInvalidDescs, st.TxInvalidDescs, st.RxRingFull, st.RxFillRingEmptyDescs, st.TxRingEmptyDescs)
	}
	fmt.Println(line)
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "rxdrop: "+format+"\n", args...)
	os.Exit(1)
}
