package main

import (
	"context"
	"fmt"
	"sync"

	"github.com/xdpkit/xdpkit/internal/gen"
)

// generator sends frames out of IfB with internal/gen's live-frames
// sender (BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES), from threads
// pinned to one CPU. One BPF_PROG_RUN call with Repeat > 1 spends ~25 ms
// outside the send loop (set-up and tear-down, mostly asleep), so two
// threads take turns on the CPU to keep the link busy.
type generator struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	sent   uint64
	err    error
}

// startGenerator starts threads senders in namespace ns, pinned to cpu,
// sending frame out of ifname as fast as they can. It returns once all of
// them have loaded their program.
func startGenerator(ns, ifname string, frame []byte, cpu, threads int, batch uint32) (*generator, error) {
	ctx, cancel := context.WithCancel(context.Background())
	g := &generator{cancel: cancel}
	ready := make(chan error, threads)
	for i := 0; i < threads; i++ {
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			err := inNetns(ns, func() error {
				if err := pinThread(cpu); err != nil {
					ready <- fmt.Errorf("pin generator to CPU %d: %w", cpu, err)
					return nil
				}
				l, err := gen.NewLive(ifname, frame)
				if err != nil {
					ready <- err
					return nil
				}
				defer l.Close()
				ready <- nil
				res, err := gen.Run(ctx, l, gen.Config{Batch: batch})
				g.mu.Lock()
				g.sent += res.Sent
				g.mu.Unlock()
				return err
			})
			if err != nil {
				g.mu.Lock()
				if g.err == nil {
					g.err = err
				}
				g.mu.Unlock()
			}
		}()
	}
	for i := 0; i < threads; i++ {
		if err := <-ready; err != nil {
			g.stop()
			return nil, fmt.Errorf("generator: %w", err)
		}
	}
	return g, nil
}

// stop ends the generator and returns what it offered (for the log
// only: rates are counted at the receiver).
func (g *generator) stop() (uint64, error) {
	g.cancel()
	g.wg.Wait()
	return g.sent, g.err
}
