package xsk

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Defaults used where a config field is zero, as in libxdp.
const (
	DefaultRingSize  = 2048
	DefaultFrameSize = 4096
	DefaultNumFrames = 4096
)

// UmemConfig describes a UMEM. Zero fields take the defaults above.
type UmemConfig struct {
	// Size of the area to allocate when NewUmem is given none.
	// Zero means DefaultNumFrames frames.
	Size uint64
	// FillSize and CompSize are the fill and completion ring sizes
	// (powers of two).
	FillSize, CompSize uint32
	// FrameSize is the chunk size: a power of two from 2048 to the page
	// size, or any size from 2048 with UmemUnaligned.
	FrameSize uint32
	// FrameHeadroom is reserved in front of every received frame.
	FrameHeadroom uint32
	// Flags are XDP_UMEM_* flags (UmemUnaligned, UmemTxSwCsum, UmemTxMetaLen).
	Flags uint32
	// TxMetadataLen reserves room for struct xsk_tx_metadata in front of
	// TX frames (kernel 6.8+).
	TxMetadataLen uint32
	// Hugepages backs an area NewUmem allocates with hugepages
	// (MAP_HUGETLB): Size must be a multiple of the hugepage size, and the
	// pages must be reserved (vm.nr_hugepages) or NewUmem fails with ENOMEM.
	Hugepages bool
}

// Umem is a registered packet buffer area with its fill and completion rings.
type Umem struct {
	mu      sync.Mutex
	fd      int
	area    []byte
	owned   bool // area was mmap'd by NewUmem and is unmapped on Close
	cfg     UmemConfig
	fill    *FillRing
	comp    *CompRing
	fdInUse bool // the UMEM fd is a live socket's fd
	// fdRx and fdTx are the RX/TX ring sizes already set on the UMEM fd
	// (the kernel allows setting each once per socket), so a socket that
	// takes the fd over after a failed bind can reuse them.
	fdRx, fdTx uint32
	refs       int // sockets using this UMEM
	bound      boundAt
	netns      uint64 // network namespace the UMEM's socket was made in
	closed     bool
}

func (c *UmemConfig) setDefaults() {
	if c.FillSize == 0 {
		c.FillSize = DefaultRingSize
	}
	if c.CompSize == 0 {
		c.CompSize = DefaultRingSize
	}
	if c.FrameSize == 0 {
		c.FrameSize = DefaultFrameSize
	}
	if c.Size == 0 {
		c.Size = uint64(c.FrameSize) * DefaultNumFrames
	}
	if c.TxMetadataLen > 0 {
		// Kernels 6.11+ read tx_metadata_len only with this flag.
		c.Flags |= UmemTxMetaLen
	}
}

// validate checks the configuration as the kernel will, so a bad value gets
// an error that names it rather than a bare EINVAL from setsockopt.
func (c *UmemConfig) validate() error {
	page := uint32(os.Getpagesize())
	switch {
	case c.Flags&^umemKnownFlags != 0:
		return fmt.Errorf("umem flags %#x: unknown bits %#x: %w", c.Flags, c.Flags&^umemKnownFlags, unix.EINVAL)
	case !isPowerOfTwo(c.FillSize):
		return fmt.Errorf("fill ring size %d: not a power of two: %w", c.FillSize, unix.EINVAL)
	case !isPowerOfTwo(c.CompSize):
		return fmt.Errorf("completion ring size %d: not a power of two: %w", c.CompSize, unix.EINVAL)
	case c.FrameSize < minFrameSize:
		return fmt.Errorf("frame size %d: below the minimum %d: %w", c.FrameSize, minFrameSize, unix.EINVAL)
	case c.Flags&UmemUnaligned == 0 && (!isPowerOfTwo(c.FrameSize) || c.FrameSize > page):
		return fmt.Errorf("frame size %d: must be a power of two up to %d in aligned mode: %w", c.FrameSize, page, unix.EINVAL)
	case c.Flags&UmemUnaligned != 0 && c.FrameSize > maxUnalignedFrames:
		return fmt.Errorf("frame size %d: above %d: %w", c.FrameSize, maxUnalignedFrames, unix.EINVAL)
	case c.FrameHeadroom >= c.FrameSize-xdpPacketHeadroom:
		return fmt.Errorf("frame headroom %d: must be below frame size - %d = %d: %w", c.FrameHeadroom, xdpPacketHeadroom, c.FrameSize-xdpPacketHeadroom, unix.EINVAL)
	case c.Size < uint64(c.FrameSize):
		return fmt.Errorf("umem size %d: smaller than one frame (%d): %w", c.Size, c.FrameSize, unix.EINVAL)
	case c.Flags&UmemUnaligned == 0 && c.Size%uint64(c.FrameSize) != 0:
		return fmt.Errorf("umem size %d: not a multiple of the frame size %d: %w", c.Size, c.FrameSize, unix.EINVAL)
	case c.Size/uint64(c.FrameSize) > 1<<32-1:
		return fmt.Errorf("umem size %d: more than 2^32-1 frames: %w", c.Size, unix.EINVAL)
	}
	return nil
}

// NewUmem registers area as a UMEM, or allocates one of cfg.Size bytes with
// mmap when area is nil (never Go heap memory). A caller's area must be
// page aligned and stay mapped until Close.
func NewUmem(area []byte, cfg UmemConfig) (*Umem, error) {
	return newUmem(-1, area, cfg)
}

// NewUmemFD is NewUmem on the caller's AF_XDP socket fd (libxdp's
// xsk_umem__create_with_fd). On success the UMEM owns fd and closes it on
// Close; on failure the caller keeps it.
func NewUmemFD(fd int, area []byte, cfg UmemConfig) (*Umem, error) {
	domain, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DOMAIN)
	if err != nil {
		return nil, fmt.Errorf("umem fd %d: %w", fd, err)
	}
	if domain != unix.AF_XDP {
		return nil, fmt.Errorf("umem fd %d: not an AF_XDP socket: %w", fd, unix.EINVAL)
	}
	return newUmem(fd, area, cfg)
}

func newUmem(fd int, area []byte, cfg UmemConfig) (*Umem, error) {
	if area != nil {
		cfg.Size = uint64(len(area))
	}
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if area != nil && uintptr(unsafe.Pointer(&area[0]))%uintptr(os.Getpagesize()) != 0 {
		return nil, fmt.Errorf("umem area %p: not page aligned: %w", &area[0], unix.EINVAL)
	}
	ns, err := currentNetns()
	if err != nil {
		return nil, err
	}
	u := &Umem{fd: -1, cfg: cfg, area: area, netns: ns}
	if area == nil {
		if cfg.Size > 1<<46 {
			return nil, fmt.Errorf("umem size %d: too large: %w", cfg.Size, unix.EINVAL)
		}
		mem, err := mapArea(cfg)
		if err != nil {
			return nil, err
		}
		u.area, u.owned = mem, true
	}
	if err := u.register(fd); err != nil {
		if fd >= 0 {
			u.fd = -1 // the caller keeps its fd
		}
		u.release()
		return nil, err
	}
	return u, nil
}

func (u *Umem) register(fd int) error {
	if fd < 0 {
		var err error
		if fd, err = newXDPSocket(); err != nil {
			return err
		}
	}
	u.fd = fd
	reg := unix.XDPUmemReg{
		Addr:            uint64(uintptr(unsafe.Pointer(&u.area[0]))),
		Len:             u.cfg.Size,
		Size:            u.cfg.FrameSize,
		Headroom:        u.cfg.FrameHeadroom,
		Flags:           u.cfg.Flags,
		Tx_metadata_len: u.cfg.TxMetadataLen,
	}
	if err := setsockoptPtr(fd, optUmemReg, unsafe.Pointer(&reg), unsafe.Sizeof(reg)); err != nil {
		return fmt.Errorf("register umem (XDP_UMEM_REG): %w", err)
	}
	var err error
	u.fill, u.comp, err = mapFillComp(fd, u.cfg.FillSize, u.cfg.CompSize)
	return err
}

// mapFillComp creates and maps a fill and a completion ring on fd.
func mapFillComp(fd int, fillSize, compSize uint32) (*FillRing, *CompRing, error) {
	if err := setRingSize(fd, optUmemFillRing, fillSize); err != nil {
		return nil, nil, fmt.Errorf("fill ring of %d entries: %w", fillSize, err)
	}
	if err := setRingSize(fd, optUmemCompRing, compSize); err != nil {
		return nil, nil, fmt.Errorf("completion ring of %d entries: %w", compSize, err)
	}
	off, err := mmapOffsets(fd)
	if err != nil {
		return nil, nil, err
	}
	fr, err := mapRing(fd, off.Fr, pgoffUmemFillRing, fillSize, 8, true)
	if err != nil {
		return nil, nil, fmt.Errorf("fill ring: %w", err)
	}
	cr, err := mapRing(fd, off.Cr, pgoffUmemCompRing, compSize, 8, false)
	if err != nil {
		fr.unmap()
		return nil, nil, fmt.Errorf("completion ring: %w", err)
	}
	return &FillRing{ProdRing{fr}}, &CompRing{ConsRing{cr}}, nil
}

// release frees whatever the UMEM holds; used by Close and failure paths.
func (u *Umem) release() {
	if u.fill != nil {
		u.fill.unmap()
	}
	if u.comp != nil {
		u.comp.unmap()
	}
	if u.fd >= 0 {
		_ = unix.Close(u.fd)
	}
	u.fd = -1
	if u.owned && u.area != nil {
		_ = unix.Munmap(u.area)
	}
	u.area = nil
}

// Close unregisters the UMEM. It fails with EBUSY while sockets use it.
func (u *Umem) Close() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.closed {
		return fmt.Errorf("umem already closed: %w", unix.EBADF)
	}
	if u.refs > 0 {
		return fmt.Errorf("umem still used by %d socket(s): %w", u.refs, unix.EBUSY)
	}
	u.closed = true
	u.release()
	return nil
}

// Area is the packet buffer memory; frame addresses are offsets into it.
func (u *Umem) Area() []byte { return u.area }

// FD is the UMEM's socket; it becomes the first socket bound on the UMEM.
func (u *Umem) FD() int { return u.fd }

// Config returns the configuration with defaults filled in.
func (u *Umem) Config() UmemConfig { return u.cfg }

// Fill is the UMEM's fill ring.
func (u *Umem) Fill() *FillRing { return u.fill }

// Completion is the UMEM's completion ring.
func (u *Umem) Completion() *CompRing { return u.comp }

// Frame returns the frame data of length n at address addr (in unaligned
// mode the offset in the upper 16 bits is added, as the kernel does).
func (u *Umem) Frame(addr uint64, n uint32) []byte {
	a := AddrWithOffset(addr)
	return u.area[a : a+uint64(n) : a+uint64(n)]
}

// AddrWithOffset folds the unaligned-mode offset (upper 16 bits) into the
// base address (lower 48 bits); for aligned addresses it is the identity.
func AddrWithOffset(addr uint64) uint64 {
	return (addr & (1<<48 - 1)) + addr>>48
}

// acquire records one more socket on the UMEM and tells whether the
// socket takes over the UMEM fd (the first socket does, as in libxdp).
// That fd lives in the namespace the UMEM was made in, so the first socket
// must be made there too.
func (u *Umem) acquire(netns uint64) (useFD bool, err error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.closed {
		return false, fmt.Errorf("umem is closed: %w", unix.EBADF)
	}
	if !u.fdInUse && netns != u.netns {
		return false, fmt.Errorf("the umem was created in another network namespace than this socket's: create it in the socket's namespace: %w", unix.EINVAL)
	}
	u.refs++
	if !u.fdInUse {
		u.fdInUse = true
		return true, nil
	}
	return false, nil
}

// releaseRef drops a socket's reference; returnFD gives the fd back when
// the socket that had taken it over failed to bind.
func (u *Umem) releaseRef(returnFD bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.refs--
	if returnFD {
		u.fdInUse = false
	}
}

// boundAt is where the UMEM's own socket is bound and with which flags;
// sockets sharing the UMEM elsewhere need their own fill/comp rings.
type boundAt struct {
	netns   uint64
	ifindex int
	queue   uint32
	flags   uint16
}

// mapArea allocates a UMEM area with mmap, from hugepages when asked.
func mapArea(cfg UmemConfig) ([]byte, error) {
	flags := unix.MAP_PRIVATE | unix.MAP_ANONYMOUS
	if cfg.Hugepages {
		huge := hugepageSize()
		if huge == 0 || cfg.Size%huge != 0 {
			return nil, fmt.Errorf("umem size %d: not a multiple of the hugepage size %d: %w", cfg.Size, huge, unix.EINVAL)
		}
		flags |= unix.MAP_HUGETLB
	}
	mem, err := unix.Mmap(-1, 0, int(cfg.Size), unix.PROT_READ|unix.PROT_WRITE, flags)
	if err != nil && cfg.Hugepages && errors.Is(err, unix.ENOMEM) {
		return nil, fmt.Errorf("mmap umem area of %d bytes from hugepages: not enough free hugepages (reserve them with sysctl vm.nr_hugepages): %w", cfg.Size, err)
	}
	if err != nil {
		return nil, fmt.Errorf("mmap umem area of %d bytes: %w", cfg.Size, err)
	}
	return mem, nil
}

// hugepageSize reads the default hugepage size from /proc/meminfo.
func hugepageSize() uint64 {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		var kb uint64
		if _, err := fmt.Sscanf(line, "Hugepagesize: %d kB", &kb); err == nil {
			return kb << 10
		}
	}
	return 0
}
