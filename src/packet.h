/* packet.h - one captured packet and what the decoder found in it.
 *
 * The capture module owns a packet; decode, flow, stream, app layer,
 * detect and output borrow it for one call (DESIGN.md, data flow). When
 * defragmentation rebuilds a datagram, `owned` holds the rebuilt bytes and
 * is freed by md_packet_release().
 */
#ifndef MD_PACKET_H
#define MD_PACKET_H

#include <stdbool.h>
#include <stdint.h>

/* An IPv4 or IPv6 address; IPv4 sits in the first 4 bytes, rest zero. */
struct md_addr {
	uint8_t b[16];
};

#define MD_MAX_VLAN	  2
#define MD_MAX_PKT_EVENTS 8

/* Packet flags */
#define MD_PKT_HAS_ETH	   0x0001u
#define MD_PKT_IPV4	   0x0002u
#define MD_PKT_IPV6	   0x0004u
#define MD_PKT_FRAG	   0x0008u /* a fragment (held by defrag) */
#define MD_PKT_REASSEMBLED 0x0010u /* rebuilt from fragments */
#define MD_PKT_CSUM_BAD	   0x0020u /* IP/TCP/UDP checksum wrong (when checked) */
#define MD_PKT_INVALID	   0x0040u /* decode failed; no flow handling */
#define MD_PKT_L4	   0x0080u /* sp/dp and l4 fields valid */

/* TCP flags */
#define MD_TH_FIN 0x01
#define MD_TH_SYN 0x02
#define MD_TH_RST 0x04
#define MD_TH_PSH 0x08
#define MD_TH_ACK 0x10
#define MD_TH_URG 0x20
#define MD_TH_ECE 0x40
#define MD_TH_CWR 0x80

struct md_flow;

struct md_packet {
	/* capture */
	const uint8_t *data;
	uint32_t caplen;
	uint32_t wirelen;
	uint64_t ts_usec; /* packet time, microseconds since the epoch */
	uint64_t pcap_cnt;
	int linktype;	   /* DLT_* */
	const char *iface; /* in_iface when live, else NULL */

	/* link */
	uint32_t flags;
	uint8_t src_mac[6], dst_mac[6];
	uint16_t vlan[MD_MAX_VLAN];
	uint8_t vlan_cnt;

	/* network */
	uint8_t ip_ver; /* 4 or 6, 0 if none */
	uint8_t proto;	/* IPPROTO_* of the transport */
	uint8_t ttl;
	struct md_addr src, dst;
	const uint8_t *l3;
	uint32_t l3_len; /* from the IP header to the end of the datagram */

	/* transport */
	const uint8_t *l4;
	uint32_t l4_len;
	uint16_t sp, dp;
	uint32_t tcp_seq, tcp_ack;
	uint16_t tcp_win;
	uint8_t tcp_flags;
	uint8_t tcp_wscale; /* 0xff = option absent */
	uint16_t tcp_mss;   /* 0 = absent */
	bool tcp_sackok;
	uint8_t icmp_type, icmp_code;
	const uint8_t *payload;
	uint32_t payload_len;

	/* events the decoder raised (enum md_decode_event values) */
	uint16_t events[MD_MAX_PKT_EVENTS];
	uint8_t n_events;

	/* set by flow lookup */
	struct md_flow *flow;
	uint8_t dir; /* 0 = from the flow's initiator (to server) */

	/* rebuilt datagram owned by this packet (defrag), or NULL */
	uint8_t *owned;
};

/* Free what the packet owns (a rebuilt datagram) and clear the pointer. */
void md_packet_release(struct md_packet *p);

#endif
