package xsk

import (
	"errors"
	"fmt"
)

// NewSocketsAllQueues opens one socket per RX queue of ifname, all on
// umem: the socket of queue 0 uses the UMEM's fill and completion rings,
// the others get their own (sized by cfg.FillSize/CompSize). Either every
// socket is created or none is.
func NewSocketsAllQueues(ifname string, umem *Umem, cfg SocketConfig) ([]*Socket, error) {
	q, err := InterfaceQueues(ifname)
	if err != nil {
		return nil, err
	}
	socks := make([]*Socket, 0, q.RX)
	for i := uint32(0); i < q.RX; i++ {
		s, err := NewSocket(ifname, i, umem, cfg)
		if err != nil {
			var errs []error
			for _, o := range socks {
				errs = append(errs, o.Close())
			}
			return nil, errors.Join(fmt.Errorf("socket on queue %d of %d: %w", i, q.RX, err), errors.Join(errs...))
		}
		socks = append(socks, s)
	}
	return socks, nil
}
