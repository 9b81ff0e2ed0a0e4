package xsk

import (
	"errors"
	"fmt"
	"sync"
	"time"
	"unsafe"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// Socket options for busy polling and TX budget (asm-generic/socket.h,
// linux/if_xdp.h).
const (
	soBusyPoll        = 46
	soPreferBusyPoll  = 69
	soBusyPollBudget  = 70
	optMaxTxSkbBudget = 9
)

// SocketConfig describes an AF_XDP socket. Zero fields take defaults.
type SocketConfig struct {
	// RxSize and TxSize are the ring sizes (powers of two, default 2048).
	RxSize, TxSize uint32
	// DisableRx and DisableTx create the socket without that ring.
	DisableRx, DisableTx bool
	// BindFlags are BindCopy, BindZeroCopy, BindNeedWakeup and BindSG.
	// With neither BindCopy nor BindZeroCopy the kernel tries zero-copy
	// and falls back to copy mode.
	BindFlags uint16
	// AttachMode chooses where the default program runs.
	AttachMode AttachMode
	// NoProgram skips loading a program: the caller manages its own
	// program and XSKMAP (libxdp's INHIBIT_PROG_LOAD).
	NoProgram bool
	// XSKMap, when set, is the caller's XSKMAP: no program is loaded and
	// the socket is stored in this map at its queue index (and removed on
	// close).
	XSKMap *ebpf.Map
	// FillSize and CompSize size the socket's own fill and completion
	// rings when it shares a UMEM bound to another queue or device.
	FillSize, CompSize uint32
	// BusyPoll (µs), BusyPollBudget and PreferBusyPoll set SO_BUSY_POLL,
	// SO_BUSY_POLL_BUDGET and SO_PREFER_BUSY_POLL when non-zero.
	BusyPoll, BusyPollBudget uint32
	PreferBusyPoll           bool
	// MaxTxSkbBudget sets XDP_MAX_TX_SKB_BUDGET (copy-mode TX batch) when
	// non-zero (kernel 6.16+).
	MaxTxSkbBudget uint32
}

// Socket is an AF_XDP socket bound to one queue of an interface.
type Socket struct {
	mu        sync.Mutex
	fd        int
	ifindex   int
	queue     uint32
	umem      *Umem
	usesUmem  bool // fd is the UMEM's fd
	rx        *RxRing
	tx        *TxRing
	fill      *FillRing
	comp      *CompRing
	ownRings  bool // fill/comp are this socket's own
	prog      *DefaultProgram
	xskmap    *ebpf.Map   // the caller's XSKMAP from SocketConfig.XSKMap
	stored    bool        // the socket is in its default program's XSKMAP
	userMaps  []*ebpf.Map // XSKMAPs added with AddToXSKMap (own clones)
	bindFlags uint16
	bound     bool
	closed    bool
}

func (c *SocketConfig) validate() error {
	if c.RxSize == 0 {
		c.RxSize = DefaultRingSize
	}
	if c.TxSize == 0 {
		c.TxSize = DefaultRingSize
	}
	if c.FillSize == 0 {
		c.FillSize = DefaultRingSize
	}
	if c.CompSize == 0 {
		c.CompSize = DefaultRingSize
	}
	switch {
	case c.DisableRx && c.DisableTx:
		return fmt.Errorf("socket needs an RX or a TX ring: %w", unix.EINVAL)
	case !c.DisableRx && !isPowerOfTwo(c.RxSize):
		return fmt.Errorf("rx ring size %d: not a power of two: %w", c.RxSize, unix.EINVAL)
	case !c.DisableTx && !isPowerOfTwo(c.TxSize):
		return fmt.Errorf("tx ring size %d: not a power of two: %w", c.TxSize, unix.EINVAL)
	case !isPowerOfTwo(c.FillSize) || !isPowerOfTwo(c.CompSize):
		return fmt.Errorf("fill/completion ring sizes %d/%d: not powers of two: %w", c.FillSize, c.CompSize, unix.EINVAL)
	case c.BindFlags&^(bindKnownFlags&^BindSharedUmem) != 0:
		return fmt.Errorf("bind flags %#x: unknown or reserved bits %#x: %w", c.BindFlags, c.BindFlags&^(bindKnownFlags&^BindSharedUmem), unix.EINVAL)
	case c.BindFlags&BindCopy != 0 && c.BindFlags&BindZeroCopy != 0:
		return fmt.Errorf("bind flags: copy and zero-copy are exclusive: %w", unix.EINVAL)
	case c.AttachMode < AttachAuto || c.AttachMode > AttachHW:
		return fmt.Errorf("attach mode %d: %w", int(c.AttachMode), unix.EINVAL)
	}
	return nil
}

// NewSocket creates an AF_XDP socket on queue of ifname over umem and binds
// it. The first socket of a UMEM uses the UMEM's fill and completion rings;
// a later one shares the UMEM (XDP_SHARED_UMEM): on the same queue and
// device it shares those rings too, elsewhere it gets its own pair.
// Unless cfg says otherwise, the default program is attached to the
// interface and the socket is stored in its XSKMAP.
func NewSocket(ifname string, queue uint32, umem *Umem, cfg SocketConfig) (*Socket, error) {
	if umem == nil {
		return nil, fmt.Errorf("socket needs a umem: %w", unix.EINVAL)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	ifindex, err := InterfaceIndex(ifname)
	if err != nil {
		return nil, err
	}
	queues, err := InterfaceQueues(ifname)
	if err != nil {
		return nil, err
	}
	if queue >= queues.RX {
		return nil, fmt.Errorf("queue %d of %q out of range: the interface has %d RX queue(s): %w", queue, ifname, queues.RX, unix.EINVAL)
	}
	ns, err := currentNetns()
	if err != nil {
		return nil, err
	}
	useFD, err := umem.acquire(ns)
	if err != nil {
		return nil, err
	}
	s := &Socket{fd: -1, ifindex: ifindex, queue: queue, umem: umem, usesUmem: useFD, bindFlags: cfg.BindFlags}
	if err := s.setup(cfg, ns, queues); err != nil {
		s.teardown()
		return nil, fmt.Errorf("socket on %s queue %d: %w", ifname, queue, err)
	}
	return s, nil
}

func (s *Socket) setup(cfg SocketConfig, ns uint64, queues Queues) error {
	u := s.umem
	bind := unix.SockaddrXDP{Flags: cfg.BindFlags, Ifindex: uint32(s.ifindex), QueueID: s.queue}
	if s.usesUmem {
		s.fd = u.fd
		s.fill, s.comp = u.fill, u.comp
	} else {
		fd, err := newXDPSocket()
		if err != nil {
			return err
		}
		s.fd = fd
		// The kernel takes no other bind flag with XDP_SHARED_UMEM: a
		// shared socket inherits the mode of the UMEM's socket.
		bind.Flags = BindSharedUmem
		bind.SharedUmemFD = uint32(u.fd)
		u.mu.Lock()
		b := u.bound
		u.mu.Unlock()
		s.bindFlags = b.flags
		if b != (boundAt{ns, s.ifindex, s.queue, b.flags}) {
			s.fill, s.comp, err = mapFillComp(fd, cfg.FillSize, cfg.CompSize)
			if err != nil {
				return err
			}
			s.ownRings = true
		} else {
			s.fill, s.comp = u.fill, u.comp
		}
	}
	off, err := s.setRings(cfg)
	if err != nil {
		return err
	}
	if !cfg.DisableRx {
		r, err := mapRing(s.fd, off.Rx, pgoffRxRing, cfg.RxSize, 16, false)
		if err != nil {
			return fmt.Errorf("rx ring: %w", err)
		}
		s.rx = &RxRing{ConsRing{r}}
	}
	if !cfg.DisableTx {
		r, err := mapRing(s.fd, off.Tx, pgoffTxRing, cfg.TxSize, 16, true)
		if err != nil {
			return fmt.Errorf("tx ring: %w", err)
		}
		s.tx = &TxRing{ProdRing{r}}
	}
	if err := s.setOptions(cfg); err != nil {
		return err
	}
	if err := bindRetryBusy(s.fd, &bind); err != nil {
		return bindError(err, bind.Flags)
	}
	s.bound = true
	if s.usesUmem {
		u.mu.Lock()
		u.bound = boundAt{ns, s.ifindex, s.queue, cfg.BindFlags}
		u.mu.Unlock()
	}
	switch {
	case cfg.XSKMap != nil:
		if err := cfg.XSKMap.Update(s.queue, uint32(s.fd), ebpf.UpdateAny); err != nil {
			return fmt.Errorf("store socket in XSKMAP at %d: %w", s.queue, err)
		}
		s.xskmap = cfg.XSKMap
	case !cfg.NoProgram:
		p, err := acquireDefaultProgram(s.ifindex, queues.RX, cfg.AttachMode, s.bindFlags&BindSG != 0)
		if err != nil {
			return err
		}
		s.prog = p
		if err := p.store(s.queue, s.fd); err != nil {
			return err
		}
		s.stored = true
	}
	return nil
}

// setRings sets the RX/TX ring sizes. On the UMEM's fd they may already be
// set by a socket whose bind failed; equal sizes are then reused.
func (s *Socket) setRings(cfg SocketConfig) (unix.XDPMmapOffsets, error) {
	set := func(opt int, size uint32, have *uint32, name string) error {
		if s.usesUmem && *have != 0 {
			if *have != size {
				return fmt.Errorf("%s ring: the umem's fd already has one of %d entries from an earlier failed bind, not %d: %w", name, *have, size, unix.EBUSY)
			}
			return nil
		}
		if err := setRingSize(s.fd, opt, size); err != nil {
			return fmt.Errorf("%s ring of %d entries: %w", name, size, err)
		}
		if s.usesUmem {
			*have = size
		}
		return nil
	}
	var dummy uint32
	rxHave, txHave := &dummy, &dummy
	if s.usesUmem {
		s.umem.mu.Lock()
		defer s.umem.mu.Unlock()
		rxHave, txHave = &s.umem.fdRx, &s.umem.fdTx
	}
	if !cfg.DisableRx {
		if err := set(optRxRing, cfg.RxSize, rxHave, "rx"); err != nil {
			return unix.XDPMmapOffsets{}, err
		}
	}
	if !cfg.DisableTx {
		if err := set(optTxRing, cfg.TxSize, txHave, "tx"); err != nil {
			return unix.XDPMmapOffsets{}, err
		}
	}
	return mmapOffsets(s.fd)
}

func (s *Socket) setOptions(cfg SocketConfig) error {
	setInt := func(level, opt int, v uint32, name string) error {
		if err := unix.SetsockoptInt(s.fd, level, opt, int(v)); err != nil {
			return fmt.Errorf("setsockopt %s=%d: %w", name, v, err)
		}
		return nil
	}
	if cfg.PreferBusyPoll {
		if err := setInt(unix.SOL_SOCKET, soPreferBusyPoll, 1, "SO_PREFER_BUSY_POLL"); err != nil {
			return err
		}
	}
	if cfg.BusyPoll != 0 {
		if err := setInt(unix.SOL_SOCKET, soBusyPoll, cfg.BusyPoll, "SO_BUSY_POLL"); err != nil {
			return err
		}
	}
	if cfg.BusyPollBudget != 0 {
		if err := setInt(unix.SOL_SOCKET, soBusyPollBudget, cfg.BusyPollBudget, "SO_BUSY_POLL_BUDGET"); err != nil {
			return err
		}
	}
	if cfg.MaxTxSkbBudget != 0 {
		if err := setInt(solXDP, optMaxTxSkbBudget, cfg.MaxTxSkbBudget, "XDP_MAX_TX_SKB_BUDGET"); err != nil {
			return err
		}
	}
	return nil
}

// bindBusyWait bounds how long bind retries EBUSY: the kernel releases a
// closed socket's hold on its queue asynchronously (deferred work), so a
// bind right after a close on the same queue sees EBUSY for a few ms.
const bindBusyWait = 500 * time.Millisecond

// bindRetryBusy binds, retrying EINTR, and EBUSY for up to bindBusyWait.
func bindRetryBusy(fd int, sa *unix.SockaddrXDP) error {
	deadline := time.Now().Add(bindBusyWait)
	for {
		err := retryEINTR(func() error { return unix.Bind(fd, sa) })
		if !errors.Is(err, unix.EBUSY) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func bindError(err error, flags uint16) error {
	switch {
	case flags&BindZeroCopy != 0 && (errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EPROTONOSUPPORT)):
		return fmt.Errorf("bind: the driver has no zero-copy support (ask for copy mode, or neither, to fall back): %w", err)
	case errors.Is(err, unix.EBUSY):
		return fmt.Errorf("bind: the queue is in use by another AF_XDP socket (still busy after %v): %w", bindBusyWait, err)
	}
	return fmt.Errorf("bind: %w", err)
}

// AddToXSKMap stores the socket at its queue index in the caller's XSKMAP
// (libxdp's xsk_socket__update_xskmap); Close removes the entry again.
func (s *Socket) AddToXSKMap(m *ebpf.Map) error {
	if m == nil {
		return fmt.Errorf("add to xskmap: nil map: %w", unix.EINVAL)
	}
	if m.Type() != ebpf.XSKMap {
		return fmt.Errorf("add to xskmap: map is a %s, not an XSKMAP: %w", m.Type(), unix.EINVAL)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("add to xskmap: socket closed: %w", unix.EBADF)
	}
	c, err := m.Clone()
	if err != nil {
		return fmt.Errorf("add to xskmap: %w", err)
	}
	if err := c.Update(s.queue, uint32(s.fd), ebpf.UpdateAny); err != nil {
		c.Close()
		return fmt.Errorf("store socket in XSKMAP at %d: %w", s.queue, err)
	}
	s.userMaps = append(s.userMaps, c)
	return nil
}

// teardown releases what the socket holds; used by Close and on failure.
func (s *Socket) teardown() {
	for _, m := range s.userMaps {
		_ = m.Delete(s.queue)
		m.Close()
	}
	s.userMaps = nil
	if s.xskmap != nil {
		_ = s.xskmap.Delete(s.queue)
	}
	if s.stored {
		s.prog.unstore(s.queue, s.fd)
	}
	if s.prog != nil {
		s.prog.release()
	}
	if s.rx != nil {
		s.rx.unmap()
	}
	if s.tx != nil {
		s.tx.unmap()
	}
	if s.ownRings {
		s.fill.unmap()
		s.comp.unmap()
	}
	if !s.usesUmem && s.fd >= 0 {
		_ = unix.Close(s.fd)
	}
	// The UMEM fd stays taken once bound: it is closed with the UMEM.
	s.umem.releaseRef(s.usesUmem && !s.bound)
}

// Close removes the socket from its XSKMAP, releases the default program
// (detached with its last socket), unmaps the rings and closes the socket.
// The UMEM's own fd is closed with the UMEM, as in libxdp.
func (s *Socket) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("socket already closed: %w", unix.EBADF)
	}
	s.closed = true
	s.teardown()
	return nil
}

// FD is the socket's file descriptor, for poll/epoll.
func (s *Socket) FD() int { return s.fd }

// Queue is the queue the socket is bound to.
func (s *Socket) Queue() uint32 { return s.queue }

// Ifindex is the interface the socket is bound to.
func (s *Socket) Ifindex() int { return s.ifindex }

// Umem is the socket's UMEM.
func (s *Socket) Umem() *Umem { return s.umem }

// Rx is the RX ring, or nil when the socket has none.
func (s *Socket) Rx() *RxRing { return s.rx }

// Tx is the TX ring, or nil when the socket has none.
func (s *Socket) Tx() *TxRing { return s.tx }

// Fill is the fill ring the socket's frames come from.
func (s *Socket) Fill() *FillRing { return s.fill }

// Completion is the completion ring of the socket's sent frames.
func (s *Socket) Completion() *CompRing { return s.comp }

// Program is the default program serving the socket, or nil.
func (s *Socket) Program() *DefaultProgram { return s.prog }

// Kick wakes the kernel to send what the TX ring holds: sendto with
// MSG_DONTWAIT. EAGAIN, EBUSY, ENOBUFS and ENETDOWN mean "try again
// later" and are not errors, as in libxdp.
func (s *Socket) Kick() error {
	err := retryEINTR(func() error {
		_, _, e := unix.Syscall6(unix.SYS_SENDTO, uintptr(s.fd), 0, 0, unix.MSG_DONTWAIT, 0, 0)
		if e != 0 {
			return e
		}
		return nil
	})
	switch {
	case err == nil, errors.Is(err, unix.EAGAIN), errors.Is(err, unix.EBUSY),
		errors.Is(err, unix.ENOBUFS), errors.Is(err, unix.ENETDOWN):
		return nil
	}
	return fmt.Errorf("kick tx: %w", err)
}

// WakeupRx wakes the kernel to refill from the fill ring (for need_wakeup):
// recvfrom with MSG_DONTWAIT; EAGAIN is not an error.
func (s *Socket) WakeupRx() error {
	err := retryEINTR(func() error {
		_, _, e := unix.Syscall6(unix.SYS_RECVFROM, uintptr(s.fd), 0, 0, unix.MSG_DONTWAIT, 0, 0)
		if e != 0 {
			return e
		}
		return nil
	})
	if err == nil || errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EBUSY) || errors.Is(err, unix.ENETDOWN) {
		return nil
	}
	return fmt.Errorf("wakeup rx: %w", err)
}

// Poll waits up to timeoutMs (-1: forever) for events (unix.POLLIN,
// unix.POLLOUT) and returns the events that are ready (0 on timeout).
// EINTR is retried.
func (s *Socket) Poll(events int16, timeoutMs int) (int16, error) {
	fds := []unix.PollFd{{Fd: int32(s.fd), Events: events}}
	var n int
	err := retryEINTR(func() (err error) {
		n, err = unix.Poll(fds, timeoutMs)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("poll: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	return fds[0].Revents, nil
}

// Statistics are the kernel's XDP_STATISTICS counters of a socket.
type Statistics struct {
	RxDropped            uint64 // frames dropped for reasons other than invalid descriptors
	RxInvalidDescs       uint64 // frames dropped because of invalid descriptors
	TxInvalidDescs       uint64 // TX descriptors rejected as invalid
	RxRingFull           uint64 // frames dropped because the RX ring was full
	RxFillRingEmptyDescs uint64 // times the fill ring was empty when a frame arrived
	TxRingEmptyDescs     uint64 // times the TX ring was empty when the kernel looked
}

// Stats reads XDP_STATISTICS; fields older kernels lack stay zero.
func (s *Socket) Stats() (Statistics, error) {
	var st unix.XDPStatistics
	if _, err := getsockoptPtr(s.fd, optStatistics, unsafe.Pointer(&st), unsafe.Sizeof(st)); err != nil {
		return Statistics{}, fmt.Errorf("getsockopt(XDP_STATISTICS): %w", err)
	}
	return Statistics{st.Rx_dropped, st.Rx_invalid_descs, st.Tx_invalid_descs,
		st.Rx_ring_full, st.Rx_fill_ring_empty_descs, st.Tx_ring_empty_descs}, nil
}

// Options reads XDP_OPTIONS (OptionsZeroCopy when bound in zero-copy mode).
func (s *Socket) Options() (uint32, error) {
	var opts uint32
	if _, err := getsockoptPtr(s.fd, optOptions, unsafe.Pointer(&opts), 4); err != nil {
		return 0, fmt.Errorf("getsockopt(XDP_OPTIONS): %w", err)
	}
	return opts, nil
}

// BindFlags are the flags the socket is bound with (for a socket sharing
// a UMEM, those of the UMEM's own socket, which it inherits).
func (s *Socket) BindFlags() uint16 { return s.bindFlags }
