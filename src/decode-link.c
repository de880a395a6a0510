/* decode-link.c - link layers: Ethernet with 802.1Q/802.1ad tags, Linux
 * cooked captures SLL and SLL2, raw IP and BSD loopback.
 *
 * Normative references: IEEE 802.3 (Ethernet II framing), IEEE 802.1Q
 * (C-tag 0x8100, S-tag 0x88a8; 0x9100 is the pre-standard QinQ S-tag),
 * the tcpdump.org LINKTYPE registry for LINKTYPE_LINUX_SLL (113),
 * LINKTYPE_LINUX_SLL2 (276), LINKTYPE_RAW (101, DLT_RAW 12 on Linux),
 * LINKTYPE_IPV4 (228), LINKTYPE_IPV6 (229), LINKTYPE_NULL (0, address
 * family in the capturing host's byte order) and LINKTYPE_LOOP (108,
 * network byte order).
 *
 * Ethernet II, then up to MD_MAX_VLAN tags:
 *   0      6      12   14
 *   +------+------+----+-------------------+
 *   | dst  | src  |type| payload ...       |
 *   +------+------+----+-------------------+
 *   tag (type 0x8100/0x88a8/0x9100): | PCP DEI VID (16) | inner type (16) |
 *
 * Linux SLL (16 bytes)                Linux SLL2 (20 bytes)
 *   0 pkttype  2 ARPHRD  4 addrlen      0 protocol  2 reserved  4 ifindex
 *   6 address (8)       14 protocol     8 ARPHRD   10 pkttype  11 addrlen
 *                                      12 address (8)
 *
 * NULL / LOOP: | family (32) | IP packet ... |
 */
#include <pcap/dlt.h>
#include <string.h>

#include "decode-int.h"

#define MD_LINKTYPE_RAW 101 /* LINKTYPE_RAW as stored in pcap files */

#define ETH_HLEN  14
#define VLAN_HLEN 4
#define SLL_HLEN  16
#define SLL2_HLEN 20
#define NULL_HLEN 4

#define ETHERTYPE_IPV4	   0x0800
#define ETHERTYPE_ARP	   0x0806
#define ETHERTYPE_IPV6	   0x86dd
#define ETHERTYPE_VLAN	   0x8100
#define ETHERTYPE_QINQ	   0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100

/* BSD address families seen in DLT_NULL / DLT_LOOP headers. */
#define BSD_AF_INET	     2
#define BSD_AF_INET6_NETBSD  24
#define BSD_AF_INET6_FREEBSD 28
#define BSD_AF_INET6_DARWIN  30

static bool is_vlan_type(uint16_t type)
{
	return type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ ||
	       type == ETHERTYPE_QINQ_OLD;
}

/* Peel VLAN tags off (type, b, len) into p->vlan. */
static int decode_vlans(struct md_decode_ctx *ctx, struct md_packet *p,
			uint16_t *type, const uint8_t **b, uint32_t *len)
{
	while (is_vlan_type(*type)) {
		if (p->vlan_cnt >= MD_MAX_VLAN) {
			md_decode_event(ctx, p, MD_DEV_VLAN_TOO_MANY_LAYERS);
			return MD_DECODE_INVALID;
		}
		if (*len < VLAN_HLEN) {
			md_decode_event(ctx, p, MD_DEV_VLAN_HDR_TOO_SMALL);
			return MD_DECODE_INVALID;
		}
		if (p->vlan_cnt == 0)
			MD_INC(ctx->ctr, DEC_VLAN);
		else
			MD_INC(ctx->ctr, DEC_VLAN_QINQ);
		p->vlan[p->vlan_cnt++] = md_dec_be16(*b) & 0x0fff;
		*type = md_dec_be16(*b + 2);
		*b += VLAN_HLEN;
		*len -= VLAN_HLEN;
	}
	return MD_DECODE_OK;
}

/* Dispatch on an Ethernet type (VLAN tags first). */
static int decode_ethertype(struct md_decode_ctx *ctx, struct md_packet *p,
			    uint16_t type, const uint8_t *b, uint32_t len)
{
	int rc = decode_vlans(ctx, p, &type, &b, &len);

	if (rc != MD_DECODE_OK)
		return rc;
	switch (type) {
	case ETHERTYPE_IPV4:
		return md_decode_ipv4(ctx, p, b, len);
	case ETHERTYPE_IPV6:
		return md_decode_ipv6(ctx, p, b, len);
	case ETHERTYPE_ARP:
		MD_INC(ctx->ctr, DEC_ARP);
		return MD_DECODE_NONIP;
	default:
		MD_INC(ctx->ctr, DEC_UNKNOWN_ETHERTYPE);
		return MD_DECODE_NONIP;
	}
}

static int decode_ethernet(struct md_decode_ctx *ctx, struct md_packet *p,
			   const uint8_t *b, uint32_t len)
{
	MD_INC(ctx->ctr, DEC_ETHERNET);
	if (len < ETH_HLEN) {
		md_decode_event(ctx, p, MD_DEV_ETH_PKT_TOO_SMALL);
		return MD_DECODE_INVALID;
	}
	memcpy(p->dst_mac, b, 6);
	memcpy(p->src_mac, b + 6, 6);
	p->flags |= MD_PKT_HAS_ETH;
	return decode_ethertype(ctx, p, md_dec_be16(b + 12), b + ETH_HLEN,
				len - ETH_HLEN);
}

static int decode_sll(struct md_decode_ctx *ctx, struct md_packet *p,
		      const uint8_t *b, uint32_t len)
{
	MD_INC(ctx->ctr, DEC_SLL);
	if (len < SLL_HLEN) {
		md_decode_event(ctx, p, MD_DEV_SLL_PKT_TOO_SMALL);
		return MD_DECODE_INVALID;
	}
	return decode_ethertype(ctx, p, md_dec_be16(b + 14), b + SLL_HLEN,
				len - SLL_HLEN);
}

static int decode_sll2(struct md_decode_ctx *ctx, struct md_packet *p,
		       const uint8_t *b, uint32_t len)
{
	MD_INC(ctx->ctr, DEC_SLL2);
	if (len < SLL2_HLEN) {
		md_decode_event(ctx, p, MD_DEV_SLL2_PKT_TOO_SMALL);
		return MD_DECODE_INVALID;
	}
	return decode_ethertype(ctx, p, md_dec_be16(b), b + SLL2_HLEN,
				len - SLL2_HLEN);
}

/* Raw IP: the version nibble says which. */
static int decode_raw(struct md_decode_ctx *ctx, struct md_packet *p,
		      const uint8_t *b, uint32_t len)
{
	MD_INC(ctx->ctr, DEC_RAW);
	if (len >= 1 && b[0] >> 4 == 4)
		return md_decode_ipv4(ctx, p, b, len);
	if (len >= 1 && b[0] >> 4 == 6)
		return md_decode_ipv6(ctx, p, b, len);
	md_decode_event(ctx, p, MD_DEV_RAW_INVALID_IP_VERSION);
	return MD_DECODE_INVALID;
}

/* DLT_NULL stores the family in the capturing host's byte order, which
 * need not be ours: a value with high bits set is read the other way
 * (families are small numbers). DLT_LOOP is always network order. */
static uint32_t null_family(const uint8_t *b, bool net_order)
{
	uint32_t le = (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 |
		      (uint32_t)b[1] << 8 | b[0];

	if (net_order || (le & 0xffff0000u))
		return md_dec_be32(b);
	return le;
}

static int decode_null(struct md_decode_ctx *ctx, struct md_packet *p,
		       const uint8_t *b, uint32_t len, bool net_order)
{
	MD_INC(ctx->ctr, DEC_NULL);
	if (len < NULL_HLEN) {
		md_decode_event(ctx, p, MD_DEV_NULL_PKT_TOO_SMALL);
		return MD_DECODE_INVALID;
	}
	switch (null_family(b, net_order)) {
	case BSD_AF_INET:
		return md_decode_ipv4(ctx, p, b + NULL_HLEN, len - NULL_HLEN);
	case BSD_AF_INET6_NETBSD:
	case BSD_AF_INET6_FREEBSD:
	case BSD_AF_INET6_DARWIN:
		return md_decode_ipv6(ctx, p, b + NULL_HLEN, len - NULL_HLEN);
	default:
		md_decode_event(ctx, p, MD_DEV_NULL_UNSUPPORTED_TYPE);
		return MD_DECODE_NONIP;
	}
}

int md_decode_link(struct md_decode_ctx *ctx, struct md_packet *p)
{
	const uint8_t *b = p->data;
	uint32_t len = p->caplen;

	switch (p->linktype) {
	case DLT_EN10MB:
		return decode_ethernet(ctx, p, b, len);
	case DLT_LINUX_SLL:
		return decode_sll(ctx, p, b, len);
	case DLT_LINUX_SLL2:
		return decode_sll2(ctx, p, b, len);
	case DLT_RAW:
	case MD_LINKTYPE_RAW:
		return decode_raw(ctx, p, b, len);
	case DLT_IPV4:
		MD_INC(ctx->ctr, DEC_RAW);
		return md_decode_ipv4(ctx, p, b, len);
	case DLT_IPV6:
		MD_INC(ctx->ctr, DEC_RAW);
		return md_decode_ipv6(ctx, p, b, len);
	case DLT_NULL:
		return decode_null(ctx, p, b, len, false);
	case DLT_LOOP:
		return decode_null(ctx, p, b, len, true);
	default:
		md_decode_event(ctx, p, MD_DEV_LINK_UNSUPPORTED_TYPE);
		return MD_DECODE_INVALID;
	}
}
