package main

import (
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// The box is shared: another process's CPU time during a run skews it.
// foreignMeter measures it as the user CPU time the whole machine spent
// (/proc/stat) minus what this process and its children spent (getrusage),
// over the run. Only user time: system and softirq time cannot be split
// between the benchmark's kernel work and anyone else's.
type foreignMeter struct {
	stat, own time.Duration
	start     time.Time
}

// disturbedAt is the foreign share of one CPU above which a pair of runs
// is run again.
const disturbedAt = 0.15

// clockTick is USER_HZ, the unit of /proc/stat.
const clockTick = 10 * time.Millisecond

func machineUser() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line) // cpu user nice system idle ...
	if len(f) < 3 || f[0] != "cpu" {
		return 0
	}
	user, _ := strconv.ParseInt(f[1], 10, 64)
	nice, _ := strconv.ParseInt(f[2], 10, 64)
	return time.Duration(user+nice) * clockTick
}

func ownUser() time.Duration {
	var self, children unix.Rusage
	_ = unix.Getrusage(unix.RUSAGE_SELF, &self)
	_ = unix.Getrusage(unix.RUSAGE_CHILDREN, &children)
	return time.Duration(self.Utime.Nano() + children.Utime.Nano())
}

func startForeign() foreignMeter {
	return foreignMeter{stat: machineUser(), own: ownUser(), start: time.Now()}
}

// share is the foreign user CPU time since the start, as a fraction of
// one CPU over the elapsed time.
func (m foreignMeter) share() float64 {
	el := time.Since(m.start)
	if el <= 0 {
		return 0
	}
	f := (machineUser() - m.stat) - (ownUser() - m.own)
	if f < 0 {
		f = 0
	}
	return float64(f) / float64(el)
}

// waitQuiet waits, at most max, until other processes take no more than
// disturbedAt of a CPU over a second; it returns how long it waited.
func waitQuiet(ctx interface{ Err() error }, max time.Duration) time.Duration {
	start := time.Now()
	for time.Since(start) < max && ctx.Err() == nil {
		m := startForeign()
		time.Sleep(time.Second)
		if m.share() <= disturbedAt {
			break
		}
	}
	if w := time.Since(start); w > 1500*time.Millisecond {
		return w
	}
	return 0
}
