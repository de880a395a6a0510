/* decode-int.h - internals shared by decode.c, decode-link.c,
 * decode-ip.c, decode-l4.c and defrag.c; not for other modules.
 *
 * The decoder is a chain of layer functions, each handed the bytes of its
 * layer and their length (already clipped by the layer below, so no
 * function ever sees bytes past p->caplen or past an IP datagram's end):
 *
 *   md_decode -> md_decode_link -> md_decode_ipv4 / md_decode_ipv6
 *             -> (md_defrag_packet -> md_decode_ipvN on the rebuilt datagram)
 *             -> md_decode_l4 (TCP, UDP, ICMP, ICMPv6)
 *
 * Each returns an enum md_decode_rc. A layer that rejects its bytes raises
 * an event with md_decode_event and returns MD_DECODE_INVALID.
 */
#ifndef MD_DECODE_INT_H
#define MD_DECODE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"

#define MD_IPPROTO_HOPOPTS  0
#define MD_IPPROTO_ICMP	    1
#define MD_IPPROTO_TCP	    6
#define MD_IPPROTO_UDP	    17
#define MD_IPPROTO_ROUTING  43
#define MD_IPPROTO_FRAGMENT 44
#define MD_IPPROTO_ESP	    50
#define MD_IPPROTO_AH	    51
#define MD_IPPROTO_ICMPV6   58
#define MD_IPPROTO_NONE	    59
#define MD_IPPROTO_DSTOPTS  60

#define MD_IPV4_HLEN	20
#define MD_IPV6_HLEN	40
#define MD_IP_MAXPACKET 65535u

/* Big-endian loads; the caller has checked that the bytes exist. */
static inline uint16_t md_dec_be16(const uint8_t *b)
{
	return (uint16_t)((unsigned)b[0] << 8 | b[1]);
}

static inline uint32_t md_dec_be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

/* Record event ev on p (once per packet, at most MD_MAX_PKT_EVENTS kept)
 * and count it in ctx->ctr the first time p raises it. */
void md_decode_event(struct md_decode_ctx *ctx, struct md_packet *p,
		     enum md_decode_event ev);

/* Decode the link layer of p (p->linktype) and what it carries.
 * Returns an enum md_decode_rc. */
int md_decode_link(struct md_decode_ctx *ctx, struct md_packet *p);

/* Decode the IPv4 datagram at b; len is the number of bytes available
 * (link padding included, trimmed here to the total length). Fragments go
 * to defrag; a completed datagram is decoded again from p->owned.
 * Returns an enum md_decode_rc. */
int md_decode_ipv4(struct md_decode_ctx *ctx, struct md_packet *p,
		   const uint8_t *b, uint32_t len);

/* Same for an IPv6 packet, walking its extension headers. */
int md_decode_ipv6(struct md_decode_ctx *ctx, struct md_packet *p,
		   const uint8_t *b, uint32_t len);

/* Decode the transport header of protocol p->proto at b (len bytes, the
 * rest of the IP datagram), verifying its checksum when csum is set.
 * Protocols other than TCP, UDP, ICMP and ICMPv6 are left undecoded
 * (MD_DECODE_OK without MD_PKT_L4). Returns an enum md_decode_rc. */
int md_decode_l4(struct md_decode_ctx *ctx, struct md_packet *p,
		 const uint8_t *b, uint32_t len, bool csum);

#endif
