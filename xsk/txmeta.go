package xsk

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// DescTxMetadata marks a TX descriptor whose frame is preceded by a
// TxMetadata (XDP_TX_METADATA); the UMEM needs TxMetadataLen >= 24.
const DescTxMetadata = 1 << 1

// TX metadata request flags (XDP_TXMD_FLAGS_*).
const (
	TxMetaTimestamp  = 1 << 0 // report the TX time in the completion
	TxMetaChecksum   = 1 << 1 // checksum offload: CsumStart/CsumOffset
	TxMetaLaunchTime = 1 << 2 // send at LaunchTime (kernel 6.14+)
)

// TxMetadata is struct xsk_tx_metadata: the request part as user space
// writes it before sending. After completion, the kernel overwrites the
// request with the TX timestamp (read it with TxTimestamp).
type TxMetadata struct {
	Flags      uint64
	CsumStart  uint16 // checksum from this offset of the frame to its end
	CsumOffset uint16 // stored at CsumStart + CsumOffset
	_          uint32
	LaunchTime uint64
}

// TxMetadataSize is the size of struct xsk_tx_metadata.
const TxMetadataSize = int(unsafe.Sizeof(TxMetadata{}))

// TxMetadata returns the metadata slot in front of the TX frame at addr
// (the TxMetadataLen bytes before it). The UMEM must have been created
// with TxMetadataLen >= TxMetadataSize, and addr must leave room for it.
func (u *Umem) TxMetadata(addr uint64) (*TxMetadata, error) {
	n := uint64(u.cfg.TxMetadataLen)
	a := AddrWithOffset(addr)
	switch {
	case n < uint64(TxMetadataSize):
		return nil, fmt.Errorf("umem tx metadata length %d: below %d: %w", n, TxMetadataSize, unix.EINVAL)
	case a < n || a > uint64(len(u.area)):
		return nil, fmt.Errorf("tx metadata for address %#x: no room before it: %w", addr, unix.EINVAL)
	}
	return (*TxMetadata)(unsafe.Pointer(&u.area[a-n])), nil
}

// TxTimestamp reads the TX time the kernel reported in a completed
// frame's metadata (requested with TxMetaTimestamp).
func (m *TxMetadata) TxTimestamp() uint64 {
	return *(*uint64)(unsafe.Pointer(&m.CsumStart))
}
