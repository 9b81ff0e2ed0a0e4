package xsk

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"
)

// DefaultProgram is the built-in redirect program attached to an
// interface: frames of RX queue q go to the socket at xsks_map[q], and to
// the kernel stack when no socket is there. Sockets of one process on one
// interface share it; it is detached when the last of them closes.
type DefaultProgram struct {
	key   progKey
	refs  int
	prog  *ebpf.Program
	xsks  *ebpf.Map
	link  link.Link
	mode  AttachMode
	frags bool
	// owners lists, per queue, the fds of this process's sockets bound
	// there, the one stored in the XSKMAP last (guarded by defaultProgsMu).
	owners map[uint32][]int
}

// progKey names an interface across network namespaces.
type progKey struct {
	netns   uint64
	ifindex int
}

var (
	defaultProgsMu sync.Mutex
	defaultProgs   = map[progKey]*DefaultProgram{}
)

// currentNetns returns the inode of the calling thread's network namespace.
func currentNetns() (uint64, error) {
	var st unix.Stat_t
	if err := unix.Stat("/proc/thread-self/ns/net", &st); err != nil {
		return 0, fmt.Errorf("stat netns: %w", err)
	}
	return st.Ino, nil
}

// acquireDefaultProgram returns the interface's default program, loading
// and attaching it on first use. The XSKMAP gets one entry per queue.
func acquireDefaultProgram(ifindex int, queues uint32, mode AttachMode, frags bool) (*DefaultProgram, error) {
	ns, err := currentNetns()
	if err != nil {
		return nil, err
	}
	key := progKey{ns, ifindex}
	defaultProgsMu.Lock()
	defer defaultProgsMu.Unlock()
	if p, ok := defaultProgs[key]; ok {
		if mode != AttachAuto && mode != p.mode {
			return nil, fmt.Errorf("default program already attached to ifindex %d in %s mode, not %s: %w", ifindex, p.mode, mode, unix.EBUSY)
		}
		if p.frags != frags {
			return nil, fmt.Errorf("default program on ifindex %d was loaded with frags=%v; a socket with XDP_USE_SG=%v cannot share it: %w", ifindex, p.frags, frags, unix.EBUSY)
		}
		p.refs++
		return p, nil
	}
	spec, err := loadRedirect()
	if err != nil {
		return nil, fmt.Errorf("load default program spec: %w", err)
	}
	if queues < 1 {
		queues = 1
	}
	spec.Maps["xsks_map"].MaxEntries = queues
	var objs redirectObjects
	if err := spec.LoadAndAssign(&objs, nil); err != nil {
		return nil, fmt.Errorf("load default program: %w", err)
	}
	prog, other := objs.XdpkitRedirect, objs.XdpkitRedirectFrags
	if frags {
		prog, other = other, prog
	}
	other.Close()
	l, used, err := AttachXDP(prog, ifindex, mode)
	if err != nil {
		prog.Close()
		objs.XsksMap.Close()
		if errors.Is(err, unix.EBUSY) || errors.Is(err, unix.EEXIST) {
			return nil, fmt.Errorf("%w (to share the interface, load your own program with an XSKMAP and create the socket with NoProgram or XSKMap)", err)
		}
		return nil, err
	}
	p := &DefaultProgram{key: key, refs: 1, prog: prog, xsks: objs.XsksMap, link: l, mode: used, frags: frags, owners: map[uint32][]int{}}
	defaultProgs[key] = p
	return p, nil
}

// release drops one socket's reference and detaches on the last one.
func (p *DefaultProgram) release() {
	defaultProgsMu.Lock()
	defer defaultProgsMu.Unlock()
	p.refs--
	if p.refs > 0 {
		return
	}
	delete(defaultProgs, p.key)
	p.link.Close()
	p.prog.Close()
	p.xsks.Close()
}

// store puts the socket fd at queue in the XSKMAP; it takes the queue
// over from this process's earlier sockets there (same-queue shared UMEM).
func (p *DefaultProgram) store(queue uint32, fd int) error {
	defaultProgsMu.Lock()
	defer defaultProgsMu.Unlock()
	if err := p.xsks.Update(queue, uint32(fd), ebpf.UpdateAny); err != nil {
		return fmt.Errorf("store socket in XSKMAP at %d: %w", queue, err)
	}
	p.owners[queue] = append(p.owners[queue], fd)
	return nil
}

// unstore removes the socket fd from queue; when it was the one in the
// XSKMAP, the queue goes back to the previous socket, or is cleared.
func (p *DefaultProgram) unstore(queue uint32, fd int) {
	defaultProgsMu.Lock()
	defer defaultProgsMu.Unlock()
	fds := p.owners[queue]
	i := len(fds) - 1
	for i >= 0 && fds[i] != fd {
		i--
	}
	if i < 0 {
		return
	}
	last := i == len(fds)-1
	fds = append(fds[:i], fds[i+1:]...)
	p.owners[queue] = fds
	switch {
	case !last:
	case len(fds) > 0:
		_ = p.xsks.Update(queue, uint32(fds[len(fds)-1]), ebpf.UpdateAny)
	default:
		delete(p.owners, queue)
		_ = p.xsks.Delete(queue)
	}
}

// Mode is the mode the program was attached in.
func (p *DefaultProgram) Mode() AttachMode { return p.mode }

// XSKMap is the program's XSKMAP (queue index → socket).
func (p *DefaultProgram) XSKMap() *ebpf.Map { return p.xsks }

// ProgramID returns the kernel id of the attached program.
func (p *DefaultProgram) ProgramID() (ebpf.ProgramID, error) {
	info, err := p.prog.Info()
	if err != nil {
		return 0, err
	}
	id, ok := info.ID()
	if !ok {
		return 0, fmt.Errorf("program id: %w", os.ErrNotExist)
	}
	return id, nil
}

// DefaultProgramSpec returns the collection of the default redirect
// program, for callers who load and attach it themselves: its programs
// are xdpkit_redirect and xdpkit_redirect_frags, its XSKMAP xsks_map.
func DefaultProgramSpec() (*ebpf.CollectionSpec, error) {
	return loadRedirect()
}
