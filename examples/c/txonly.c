/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * txonly — send 64-byte Ethernet/IPv4/UDP frames as fast as possible.
 *
 * Extra options: -S SRCMAC -D DSTMAC -a SRCIP -b DSTIP -l LEN.
 * Every UMEM frame is written once; the loop only moves addresses between
 * a free list, the TX ring and the completion ring. The socket has no RX
 * ring and loads no XDP program.
 */
#include <arpa/inet.h>

#include "common.h"

#define PROG "txonly"
#define PKT_LEN 64
#define ETH_HLEN 14
#define IP_HLEN 20
#define UDP_HLEN 8

static uint8_t src_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
static uint8_t dst_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static struct in_addr src_ip, dst_ip;
static uint32_t pkt_len = PKT_LEN;

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char c;
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &c) != 6)
		return -1;
	for (i = 0; i < 6; i++) {
		if (b[i] > 0xff)
			return -1;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

static int extra_opt(int c, const char *arg)
{
	char *end;

	switch (c) {
	case 'S':
		return parse_mac(arg, src_mac);
	case 'D':
		return parse_mac(arg, dst_mac);
	case 'a':
		return inet_pton(AF_INET, arg, &src_ip) == 1 ? 0 : -1;
	case 'b':
		return inet_pton(AF_INET, arg, &dst_ip) == 1 ? 0 : -1;
	case 'l':
		pkt_len = (uint32_t)strtoul(arg, &end, 0);
		return (*end || pkt_len < ETH_HLEN + IP_HLEN + UDP_HLEN || pkt_len > 1514) ? -1 : 0;
	}
	return -1;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Internet checksum of an IPv4 header. */
static uint16_t ip_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Writes an Ethernet + IPv4 + UDP frame of len bytes (UDP checksum 0). */
static void build_frame(uint8_t *f, uint32_t len)
{
	uint8_t *ip = f + ETH_HLEN, *udp = ip + IP_HLEN;
	uint32_t i;

	memcpy(f, dst_mac, 6);
	memcpy(f + 6, src_mac, 6);
	put16(f + 12, 0x0800);

	ip[0] = 0x45; /* version 4, 5 words */
	ip[1] = 0;    /* DSCP/ECN */
	put16(ip + 2, (uint16_t)(len - ETH_HLEN));
	put16(ip + 4, 0);      /* id */
	put16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;            /* TTL */
	ip[9] = 17;            /* UDP */
	put16(ip + 10, 0);
	memcpy(ip + 12, &src_ip, 4);
	memcpy(ip + 16, &dst_ip, 4);
	put16(ip + 10, ip_csum(ip, IP_HLEN));

	put16(udp, 1234);
	put16(udp + 2, 9); /* discard */
	put16(udp + 4, (uint16_t)(len - ETH_HLEN - IP_HLEN));
	put16(udp + 6, 0);
	for (i = ETH_HLEN + IP_HLEN + UDP_HLEN; i < len; i++)
		f[i] = (uint8_t)i;
}

int main(int argc, char **argv)
{
	static uint64_t free_frames[NUM_FRAMES];
	struct xdpkit_ring_prod fill, tx;
	struct xdpkit_ring_cons comp;
	struct xdpkit_umem *umem;
	struct xdpkit_socket *sock;
	uint64_t sent = 0, last_sent = 0, t_last, t_end, now;
	uint32_t nfree = NUM_FRAMES, outstanding = 0, idx = 0, i, n;
	struct opts o;
	uint8_t *area;
	int err;

	inet_pton(AF_INET, "10.77.0.2", &src_ip);
	inet_pton(AF_INET, "10.77.0.1", &dst_ip);
	parse_opts(argc, argv, &o, PROG, "S:D:a:b:l:",
		   " [-S SRCMAC] [-D DSTMAC] [-a SRCIP] [-b DSTIP] [-l LEN]", extra_opt);
	if (pkt_len > o.frame_size - 256) {
		fprintf(stderr, PROG ": -l %u does not fit a frame of %u\n", pkt_len, o.frame_size);
		return 2;
	}
	install_signals();

	XDPKIT_OPTS(xdpkit_umem_config, ucfg, .frame_size = o.frame_size);
	err = xdpkit_umem_create(&umem, NULL, (uint64_t)NUM_FRAMES * o.frame_size, &fill, &comp, &ucfg);
	if (err)
		die(PROG, "xdpkit_umem_create", err);

	XDPKIT_OPTS(xdpkit_socket_config, scfg,
		    .libxdp_flags = XDPKIT_LIBXDP_FLAGS_INHIBIT_PROG_LOAD,
		    .bind_flags = (uint16_t)(o.bind_flags | XDPKIT_BIND_NEED_WAKEUP),
		    .flags = XDPKIT_SOCKET_NO_RX);
	err = xdpkit_socket_create(&sock, o.ifname, o.queue, umem, NULL, &tx, &scfg);
	if (err)
		die(PROG, "xdpkit_socket_create", err);

	area = xdpkit_umem_area(umem);
	for (i = 0; i < NUM_FRAMES; i++) {
		free_frames[i] = (uint64_t)i * o.frame_size;
		build_frame(xdpkit_umem_data(area, free_frames[i]), pkt_len);
	}

	printf(PROG ": sending %u-byte frames on %s queue %u\n", pkt_len, o.ifname, o.queue);
	fflush(stdout);

	t_last = now_ns();
	t_end = deadline_ns(&o);
	for (;;) {
		int stopping;

		now = now_ns();
		stopping = stop_flag || now >= t_end;

		/* Take back what was sent. */
		if (outstanding) {
			n = xdpkit_ring_cons_peek(&comp, NUM_FRAMES, &idx);
			for (i = 0; i < n; i++)
				free_frames[nfree++] = *xdpkit_ring_comp_addr(&comp, idx++);
			if (n) {
				xdpkit_ring_cons_release(&comp, n);
				outstanding -= n;
				sent += n;
			}
		}
		if (stopping) {
			/* Let the kernel finish what is queued, briefly. */
			static uint64_t drain_end;

			if (!drain_end)
				drain_end = now_ns() + 200000000ULL;
			if (!outstanding || now_ns() >= drain_end)
				break;
			xdpkit_socket_kick(sock);
			continue;
		}

		n = nfree < BATCH_SIZE ? nfree : BATCH_SIZE;
		if (n && xdpkit_ring_prod_reserve(&tx, n, &idx) == n) {
			for (i = 0; i < n; i++) {
				struct xdpkit_desc *d = xdpkit_ring_tx_desc(&tx, idx++);

				d->addr = free_frames[--nfree];
				d->len = pkt_len;
				d->options = 0;
			}
			xdpkit_ring_prod_submit(&tx, n);
			outstanding += n;
		}
		if (xdpkit_ring_prod_needs_wakeup(&tx)) {
			err = xdpkit_socket_kick(sock);
			if (err)
				die(PROG, "xdpkit_socket_kick", err);
		}

		if (now - t_last >= 1000000000ULL) {
			print_stats(PROG, sock, "sent", sent, sent - last_sent, now - t_last);
			last_sent = sent;
			t_last = now;
		}
	}

	print_stats(PROG, sock, "sent", sent, sent - last_sent, now_ns() - t_last);
	err = xdpkit_socket_delete(sock);
	if (err)
		die(PROG, "xdpkit_socket_delete", err);
	err = xdpkit_umem_delete(umem);
	if (err)
		die(PROG, "xdpkit_umem_delete", err);
	printf(PROG ": sent %llu packets\n", (unsigned long long)sent);
	return 0;
}
