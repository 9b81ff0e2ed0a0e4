/* layout.c — the C compiler's view of include/xdpkit.h, for the Rust
 * layout test (tests/layout.rs): every struct's size, alignment and field
 * offsets, and every constant, as a NULL-terminated table. Linked into the
 * xdpkit-sys tests only. */
#include <stddef.h>
#include <stdint.h>
#include <xdpkit.h>

struct xdpkit_sys_layout_entry {
	const char *name;
	unsigned long long value;
};

#define SIZE(T) { "size " #T, sizeof(struct T) }, { "align " #T, _Alignof(struct T) }
#define OFF(T, F) { "offset " #T "." #F, offsetof(struct T, F) }
#define CONST(C) { "const " #C, (unsigned long long)(C) }

const struct xdpkit_sys_layout_entry xdpkit_sys_layout[] = {
	SIZE(xdpkit_desc),
	OFF(xdpkit_desc, addr), OFF(xdpkit_desc, len), OFF(xdpkit_desc, options),

	SIZE(xdpkit_ring_prod),
	OFF(xdpkit_ring_prod, cached_prod), OFF(xdpkit_ring_prod, cached_cons),
	OFF(xdpkit_ring_prod, mask), OFF(xdpkit_ring_prod, size),
	OFF(xdpkit_ring_prod, producer), OFF(xdpkit_ring_prod, consumer),
	OFF(xdpkit_ring_prod, ring), OFF(xdpkit_ring_prod, flags),

	SIZE(xdpkit_ring_cons),
	OFF(xdpkit_ring_cons, cached_prod), OFF(xdpkit_ring_cons, cached_cons),
	OFF(xdpkit_ring_cons, mask), OFF(xdpkit_ring_cons, size),
	OFF(xdpkit_ring_cons, producer), OFF(xdpkit_ring_cons, consumer),
	OFF(xdpkit_ring_cons, ring), OFF(xdpkit_ring_cons, flags),

	SIZE(xdpkit_umem_config),
	OFF(xdpkit_umem_config, sz), OFF(xdpkit_umem_config, fill_size),
	OFF(xdpkit_umem_config, comp_size), OFF(xdpkit_umem_config, frame_size),
	OFF(xdpkit_umem_config, frame_headroom), OFF(xdpkit_umem_config, flags),
	OFF(xdpkit_umem_config, tx_metadata_len),

	SIZE(xdpkit_socket_config),
	OFF(xdpkit_socket_config, sz), OFF(xdpkit_socket_config, rx_size),
	OFF(xdpkit_socket_config, tx_size), OFF(xdpkit_socket_config, libxdp_flags),
	OFF(xdpkit_socket_config, xdp_flags), OFF(xdpkit_socket_config, bind_flags),
	OFF(xdpkit_socket_config, reserved), OFF(xdpkit_socket_config, flags),
	OFF(xdpkit_socket_config, fill_size), OFF(xdpkit_socket_config, comp_size),
	OFF(xdpkit_socket_config, busy_poll_usecs), OFF(xdpkit_socket_config, busy_poll_budget),
	OFF(xdpkit_socket_config, prefer_busy_poll), OFF(xdpkit_socket_config, max_tx_skb_budget),

	SIZE(xdpkit_stats),
	OFF(xdpkit_stats, sz), OFF(xdpkit_stats, rx_dropped), OFF(xdpkit_stats, rx_invalid_descs),
	OFF(xdpkit_stats, tx_invalid_descs), OFF(xdpkit_stats, rx_ring_full),
	OFF(xdpkit_stats, rx_fill_ring_empty_descs), OFF(xdpkit_stats, tx_ring_empty_descs),

	SIZE(xdpkit_map_info),
	OFF(xdpkit_map_info, sz), OFF(xdpkit_map_info, type), OFF(xdpkit_map_info, key_size),
	OFF(xdpkit_map_info, value_size), OFF(xdpkit_map_info, max_entries),
	OFF(xdpkit_map_info, flags), OFF(xdpkit_map_info, id), OFF(xdpkit_map_info, name),

	SIZE(xdpkit_map_cursor),
	OFF(xdpkit_map_cursor, token), OFF(xdpkit_map_cursor, started), OFF(xdpkit_map_cursor, ended),

	CONST(XDPKIT_VERSION_MAJOR), CONST(XDPKIT_VERSION_MINOR), CONST(XDPKIT_VERSION_PATCH),
	CONST(XDPKIT_VERSION),
	CONST(XDPKIT_BIND_COPY), CONST(XDPKIT_BIND_ZEROCOPY), CONST(XDPKIT_BIND_NEED_WAKEUP),
	CONST(XDPKIT_BIND_SG),
	CONST(XDPKIT_XDP_FLAGS_SKB_MODE), CONST(XDPKIT_XDP_FLAGS_DRV_MODE), CONST(XDPKIT_XDP_FLAGS_HW_MODE),
	CONST(XDPKIT_LIBXDP_FLAGS_INHIBIT_PROG_LOAD),
	CONST(XDPKIT_SOCKET_NO_RX), CONST(XDPKIT_SOCKET_NO_TX),
	CONST(XDPKIT_UMEM_UNALIGNED_CHUNK_FLAG), CONST(XDPKIT_UMEM_TX_SW_CSUM),
	CONST(XDPKIT_UMEM_TX_METADATA_LEN),
	CONST(XDPKIT_PKT_CONTD), CONST(XDPKIT_OPTIONS_ZEROCOPY), CONST(XDPKIT_RING_NEED_WAKEUP),
	CONST(XDPKIT_UNALIGNED_BUF_OFFSET_SHIFT), CONST(XDPKIT_UNALIGNED_BUF_ADDR_MASK),
	CONST(XDPKIT_DEFAULT_RING_SIZE), CONST(XDPKIT_DEFAULT_FRAME_SIZE), CONST(XDPKIT_DEFAULT_NUM_FRAMES),
	CONST(XDPKIT_XDP_FEATURE_BASIC), CONST(XDPKIT_XDP_FEATURE_REDIRECT),
	CONST(XDPKIT_XDP_FEATURE_NDO_XMIT), CONST(XDPKIT_XDP_FEATURE_XSK_ZEROCOPY),
	CONST(XDPKIT_XDP_FEATURE_HW_OFFLOAD), CONST(XDPKIT_XDP_FEATURE_RX_SG),
	CONST(XDPKIT_XDP_FEATURE_NDO_XMIT_SG), CONST(XDPKIT_XSK_FEATURE_TX_TIMESTAMP),
	CONST(XDPKIT_XSK_FEATURE_TX_CHECKSUM), CONST(XDPKIT_XSK_FEATURE_TX_LAUNCH_TIME_FIFO),
	CONST(XDPKIT_MAP_HASH), CONST(XDPKIT_MAP_ARRAY), CONST(XDPKIT_MAP_PERCPU_HASH),
	CONST(XDPKIT_MAP_PERCPU_ARRAY), CONST(XDPKIT_MAP_LRU_HASH), CONST(XDPKIT_MAP_DEVMAP),
	CONST(XDPKIT_MAP_CPUMAP), CONST(XDPKIT_MAP_XSKMAP), CONST(XDPKIT_MAP_QUEUE),
	CONST(XDPKIT_MAP_STACK), CONST(XDPKIT_MAP_DEVMAP_HASH),
	CONST(XDPKIT_MAP_ANY), CONST(XDPKIT_MAP_NOEXIST), CONST(XDPKIT_MAP_EXIST),
	{ NULL, 0 },
};
