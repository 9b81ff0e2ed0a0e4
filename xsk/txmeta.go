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

// CheckTxMetadata tells whether the interface can honour TX metadata
// requests (TxMeta* flags) on a socket in the given mode, from the
// netdev netlink features: in copy mode the kernel computes checksums in
// software (with UmemTxSwCsum) but needs the driver for timestamps and
// launch time; in zero-copy mode the driver must offer each. A request
// it cannot honour is an error matching unix.EOPNOTSUPP.
func CheckTxMetadata(ifname string, flags uint64, zeroCopy bool) error {
	f, err := InterfaceFeatures(ifname)
	if err != nil {
		return err
	}
	need := map[uint64]uint64{
		TxMetaTimestamp:  XSKFeatureTxTimestamp,
		TxMetaChecksum:   XSKFeatureTxChecksum,
		TxMetaLaunchTime: XSKFeatureTxLaunchTimeFIFO,
	}
	for req, feat := range need {
		if flags&req == 0 || (req == TxMetaChecksum && !zeroCopy) {
			continue
		}
		if f.XSK&feat == 0 {
			return fmt.Errorf("%s: TX metadata request %#x: the driver does not offer it (xsk features %#x): %w", ifname, req, f.XSK, unix.EOPNOTSUPP)
		}
	}
	return nil
}
