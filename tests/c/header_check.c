/* header_check.c — proves include/xdpkit.h compiles clean on its own as
 * C11 (gcc -std=c11 -Wall -Wextra -Werror -pedantic) and as C++11
 * (g++ -x c++ -std=c++11 -Wall -Wextra -Werror). Only compiled (-c), never
 * linked or run: it references every inline ring helper, every exported
 * function, the config structs through XDPKIT_OPTS and the constants. */
#include "xdpkit.h"
#include "xdpkit.h" /* the include guard must hold */

#ifdef __cplusplus
#define HC_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define HC_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

/* The layouts the kernel and libxdp share with us. */
HC_STATIC_ASSERT(sizeof(struct xdpkit_desc) == 16, "struct xdpkit_desc is struct xdp_desc");
HC_STATIC_ASSERT(offsetof(struct xdpkit_desc, len) == 8, "xdp_desc.len");
HC_STATIC_ASSERT(offsetof(struct xdpkit_desc, options) == 12, "xdp_desc.options");
HC_STATIC_ASSERT(offsetof(struct xdpkit_ring_prod, producer) == 16, "ring layout as libxdp");
HC_STATIC_ASSERT(offsetof(struct xdpkit_ring_cons, flags) == 16 + 3 * sizeof(void *), "ring layout as libxdp");
HC_STATIC_ASSERT(sizeof(struct xdpkit_ring_prod) == sizeof(struct xdpkit_ring_cons), "prod/cons rings");
HC_STATIC_ASSERT(offsetof(struct xdpkit_umem_config, sz) == 0, "sz comes first");
HC_STATIC_ASSERT(offsetof(struct xdpkit_socket_config, sz) == 0, "sz comes first");
HC_STATIC_ASSERT(offsetof(struct xdpkit_stats, sz) == 0, "sz comes first");
HC_STATIC_ASSERT(XDPKIT_VERSION == ((XDPKIT_VERSION_MAJOR << 16) | (XDPKIT_VERSION_MINOR << 8) | XDPKIT_VERSION_PATCH),
		 "version is a constant expression");
HC_STATIC_ASSERT(XDPKIT_UNALIGNED_BUF_ADDR_MASK == 0xffffffffffffULL, "48-bit base");

/* Every exported function, by address: the prototypes must be complete and
 * distinct. */
typedef void (*hc_fn)(void);
#define HC_FN(f) ((hc_fn)(f))
extern const hc_fn header_check_functions[];
const hc_fn header_check_functions[] = {
	HC_FN(xdpkit_comp_batch),
	HC_FN(xdpkit_cpumap_get),
	HC_FN(xdpkit_cpumap_set),
	HC_FN(xdpkit_devmap_get),
	HC_FN(xdpkit_devmap_set),
	HC_FN(xdpkit_errmsg),
	HC_FN(xdpkit_fill_batch),
	HC_FN(xdpkit_if_index),
	HC_FN(xdpkit_if_queues),
	HC_FN(xdpkit_if_xdp_features),
	HC_FN(xdpkit_last_error),
	HC_FN(xdpkit_link_detach),
	HC_FN(xdpkit_link_mode),
	HC_FN(xdpkit_map_close),
	HC_FN(xdpkit_map_create),
	HC_FN(xdpkit_map_delete),
	HC_FN(xdpkit_map_delete_batch),
	HC_FN(xdpkit_map_info),
	HC_FN(xdpkit_map_lookup),
	HC_FN(xdpkit_map_lookup_and_delete),
	HC_FN(xdpkit_map_lookup_batch),
	HC_FN(xdpkit_map_next_key),
	HC_FN(xdpkit_map_open_id),
	HC_FN(xdpkit_map_open_pinned),
	HC_FN(xdpkit_map_pin),
	HC_FN(xdpkit_map_unpin),
	HC_FN(xdpkit_map_update),
	HC_FN(xdpkit_map_update_batch),
	HC_FN(xdpkit_pool_alloc),
	HC_FN(xdpkit_pool_count),
	HC_FN(xdpkit_pool_create),
	HC_FN(xdpkit_pool_delete),
	HC_FN(xdpkit_pool_free),
	HC_FN(xdpkit_prog_attach),
	HC_FN(xdpkit_prog_delete),
	HC_FN(xdpkit_prog_fd),
	HC_FN(xdpkit_prog_id),
	HC_FN(xdpkit_prog_load_default),
	HC_FN(xdpkit_prog_load_file),
	HC_FN(xdpkit_prog_map_fd),
	HC_FN(xdpkit_queue_peek),
	HC_FN(xdpkit_queue_pop),
	HC_FN(xdpkit_queue_push),
	HC_FN(xdpkit_rx_batch),
	HC_FN(xdpkit_socket_comp_ring),
	HC_FN(xdpkit_socket_create),
	HC_FN(xdpkit_socket_create_all_queues),
	HC_FN(xdpkit_socket_create_shared),
	HC_FN(xdpkit_socket_delete),
	HC_FN(xdpkit_socket_fd),
	HC_FN(xdpkit_socket_fill_ring),
	HC_FN(xdpkit_socket_ifindex),
	HC_FN(xdpkit_socket_kick),
	HC_FN(xdpkit_socket_options),
	HC_FN(xdpkit_socket_poll),
	HC_FN(xdpkit_socket_prog_id),
	HC_FN(xdpkit_socket_queue),
	HC_FN(xdpkit_socket_rx_ring),
	HC_FN(xdpkit_socket_stats),
	HC_FN(xdpkit_socket_tx_ring),
	HC_FN(xdpkit_socket_update_xskmap),
	HC_FN(xdpkit_socket_wakeup_rx),
	HC_FN(xdpkit_socket_xdp_mode),
	HC_FN(xdpkit_strerror),
	HC_FN(xdpkit_tx_batch),
	HC_FN(xdpkit_umem_area),
	HC_FN(xdpkit_umem_comp_ring),
	HC_FN(xdpkit_umem_create),
	HC_FN(xdpkit_umem_create_with_fd),
	HC_FN(xdpkit_umem_delete),
	HC_FN(xdpkit_umem_fd),
	HC_FN(xdpkit_umem_fill_ring),
	HC_FN(xdpkit_umem_prefill),
	HC_FN(xdpkit_umem_size),
	HC_FN(xdpkit_version),
	HC_FN(xdpkit_xskmap_clear),
	HC_FN(xdpkit_xskmap_set),
};

/* Every inline helper, called as an application would. */
extern uint64_t header_check_rings(struct xdpkit_ring_prod *fill, struct xdpkit_ring_cons *comp,
				   struct xdpkit_ring_prod *tx, struct xdpkit_ring_cons *rx, void *area);
uint64_t header_check_rings(struct xdpkit_ring_prod *fill, struct xdpkit_ring_cons *comp,
			    struct xdpkit_ring_prod *tx, struct xdpkit_ring_cons *rx, void *area)
{
	uint64_t sum = 0;
	uint32_t idx = 0, n, i;

	if (xdpkit_ring_prod_reserve(fill, 4, &idx) == 4) {
		for (i = 0; i < 4; i++)
			*xdpkit_ring_fill_addr(fill, idx + i) = (uint64_t)i * XDPKIT_DEFAULT_FRAME_SIZE;
		xdpkit_ring_prod_submit(fill, 4);
	}
	if (xdpkit_ring_prod_reserve(fill, 1, &idx) == 1)
		xdpkit_ring_prod_cancel(fill, 1);
	sum += xdpkit_ring_prod_free(fill, 1);
	if (xdpkit_ring_prod_needs_wakeup(fill))
		sum++;

	n = xdpkit_ring_cons_avail(rx, 64);
	n = xdpkit_ring_cons_peek(rx, n, &idx);
	for (i = 0; i < n; i++) {
		const struct xdpkit_desc *d = xdpkit_ring_rx_desc(rx, idx + i);
		const unsigned char *p = (const unsigned char *)xdpkit_umem_data(area, d->addr);

		sum += p[0] + d->len + (d->options & XDPKIT_PKT_CONTD);
		sum += xdpkit_umem_addr_base(d->addr) + xdpkit_umem_addr_offset(d->addr) +
		       xdpkit_umem_addr(d->addr);
	}
	if (n > 1) {
		xdpkit_ring_cons_cancel(rx, 1);
		n--;
	}
	xdpkit_ring_cons_release(rx, n);

	if (xdpkit_ring_prod_reserve(tx, 1, &idx) == 1) {
		struct xdpkit_desc *d = xdpkit_ring_tx_desc(tx, idx);

		d->addr = 0;
		d->len = 60;
		d->options = 0;
		xdpkit_ring_prod_submit(tx, 1);
	}

	n = xdpkit_ring_cons_peek(comp, 16, &idx);
	for (i = 0; i < n; i++)
		sum += *xdpkit_ring_comp_addr(comp, idx + i);
	xdpkit_ring_cons_release(comp, n);
	return sum;
}

/* The config structs, through XDPKIT_OPTS and spelled out. */
extern int header_check_config(struct xdpkit_umem **umem, struct xdpkit_socket **sock);
int header_check_config(struct xdpkit_umem **umem, struct xdpkit_socket **sock)
{
	XDPKIT_OPTS(xdpkit_umem_config, ucfg,
		    .fill_size = XDPKIT_DEFAULT_RING_SIZE,
		    .comp_size = XDPKIT_DEFAULT_RING_SIZE,
		    .frame_size = XDPKIT_DEFAULT_FRAME_SIZE,
		    .frame_headroom = 0,
		    .flags = XDPKIT_UMEM_UNALIGNED_CHUNK_FLAG | XDPKIT_UMEM_TX_SW_CSUM | XDPKIT_UMEM_TX_METADATA_LEN,
		    .tx_metadata_len = 0);
	XDPKIT_OPTS(xdpkit_socket_config, scfg,
		    .rx_size = XDPKIT_DEFAULT_RING_SIZE,
		    .tx_size = XDPKIT_DEFAULT_RING_SIZE,
		    .libxdp_flags = XDPKIT_LIBXDP_FLAGS_INHIBIT_PROG_LOAD,
		    .xdp_flags = XDPKIT_XDP_FLAGS_SKB_MODE | XDPKIT_XDP_FLAGS_DRV_MODE | XDPKIT_XDP_FLAGS_HW_MODE,
		    .bind_flags = XDPKIT_BIND_COPY | XDPKIT_BIND_ZEROCOPY | XDPKIT_BIND_NEED_WAKEUP | XDPKIT_BIND_SG,
		    .reserved = 0,
		    .flags = XDPKIT_SOCKET_NO_RX | XDPKIT_SOCKET_NO_TX);
	XDPKIT_OPTS(xdpkit_stats, st, .rx_dropped = 0);
	XDPKIT_OPTS(xdpkit_map_info, mi, .type = XDPKIT_MAP_XSKMAP);
	struct xdpkit_map_cursor cursor = { { 0 }, 0, 0 };
	struct xdpkit_frame_pool *pool = NULL;
	uint64_t features = 0;
	int map_fd;
	struct xdpkit_ring_prod fill, tx;
	struct xdpkit_ring_cons comp, rx;
	uint32_t opts = 0, rxq = 0, txq = 0;
	int err;

	err = xdpkit_umem_create(umem, NULL, 0, &fill, &comp, &ucfg);
	if (err)
		return err;
	err = xdpkit_socket_create(sock, "lo", 0, *umem, &rx, &tx, &scfg);
	if (err)
		return err;
	err = xdpkit_socket_stats(*sock, &st);
	if (!err)
		err = xdpkit_socket_options(*sock, &opts);
	if (!err && (opts & XDPKIT_OPTIONS_ZEROCOPY))
		err = xdpkit_if_queues("lo", &rxq, &txq);
	if (!err)
		err = xdpkit_if_xdp_features("lo", &features, NULL, NULL);
	if (!err && !(features & (XDPKIT_XDP_FEATURE_BASIC | XDPKIT_XSK_FEATURE_TX_CHECKSUM)))
		err = xdpkit_pool_create(&pool, *umem);
	map_fd = xdpkit_map_create(XDPKIT_MAP_XSKMAP, 4, 4, 1, 0, NULL);
	if (!err && map_fd >= 0)
		err = xdpkit_map_info(map_fd, &mi);
	if (!err && map_fd >= 0)
		err = xdpkit_map_lookup_batch(map_fd, &cursor, NULL, NULL, 0, 4, 4);
	return err ? err : (int)(st.rx_dropped + rxq + txq + mi.max_entries + cursor.ended);
}
