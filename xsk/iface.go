package xsk

import (
	"errors"
	"fmt"
	"net"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Queues holds an interface's queue counts.
type Queues struct {
	RX, TX uint32
}

// ethtoolChannels is struct ethtool_channels.
type ethtoolChannels struct {
	cmd                                         uint32
	maxRX, maxTX, maxOther, maxCombined         uint32
	rxCount, txCount, otherCount, combinedCount uint32
}

const ethtoolGChannels = 0x3c

// InterfaceIndex returns the index of the named interface in the calling
// thread's network namespace; ENODEV when there is none.
func InterfaceIndex(ifname string) (int, error) {
	if ifname == "" || len(ifname) >= unix.IFNAMSIZ {
		return 0, fmt.Errorf("interface name %q: %w", ifname, unix.EINVAL)
	}
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return 0, fmt.Errorf("interface %q: %w", ifname, unix.ENODEV)
	}
	return ifi.Index, nil
}

// InterfaceQueues returns the active RX and TX queue counts of an interface
// from the ethtool channels query (rx + combined, tx + combined), or 1/1
// for drivers that do not implement it, as libxdp assumes.
func InterfaceQueues(ifname string) (Queues, error) {
	if _, err := InterfaceIndex(ifname); err != nil {
		return Queues{}, err
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return Queues{}, fmt.Errorf("socket for ethtool: %w", err)
	}
	defer unix.Close(fd)
	ch := &ethtoolChannels{cmd: ethtoolGChannels}
	var ifr struct {
		name [unix.IFNAMSIZ]byte
		data unsafe.Pointer
		_    [16]byte
	}
	copy(ifr.name[:], ifname)
	ifr.data = unsafe.Pointer(ch)
	err = retryEINTR(func() error {
		_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.SIOCETHTOOL, uintptr(unsafe.Pointer(&ifr)))
		if e != 0 {
			return e
		}
		return nil
	})
	if errors.Is(err, unix.EOPNOTSUPP) {
		return Queues{RX: 1, TX: 1}, nil
	}
	if err != nil {
		return Queues{}, fmt.Errorf("ethtool channels of %q: %w", ifname, err)
	}
	q := Queues{RX: ch.rxCount + ch.combinedCount, TX: ch.txCount + ch.combinedCount}
	if q.RX == 0 {
		q.RX = 1
	}
	if q.TX == 0 {
		q.TX = 1
	}
	return q, nil
}
