// Package netns switches the calling goroutine's OS thread into a named
// network namespace (/run/netns/NAME, as `ip netns add` makes) for the
// length of a function. Sockets and programs created inside stay there.
package netns

import (
	"errors"
	"fmt"
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// Do runs fn on a locked OS thread switched into the namespace name, and
// switches back. If it cannot switch back, the thread stays locked (it dies
// with its goroutine rather than serve others in the wrong namespace) and
// the failure is returned with fn's error.
func Do(name string, fn func() error) (err error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		return err
	}
	defer orig.Close()
	target, err := os.Open("/run/netns/" + name)
	if err != nil {
		return fmt.Errorf("network namespace %s: %w", name, err)
	}
	defer target.Close()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("setns %s: %w", name, err)
	}
	defer func() {
		if rerr := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); rerr != nil {
			runtime.LockOSThread()
			err = errors.Join(err, fmt.Errorf("return from network namespace %s: %w", name, rerr))
		}
	}()
	return fn()
}
