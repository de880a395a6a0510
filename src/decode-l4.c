/* decode-l4.c - transport headers (TCP, UDP, ICMP, ICMPv6) and the
 * Internet checksum.
 *
 * Normative references: RFC 9293 (TCP header, data offset, options
 * EOL/NOP/MSS), RFC 7323 (window scale, at most 14; timestamps), RFC 2018
 * (SACK-permitted, SACK), RFC 768 (UDP; checksum 0 = none over IPv4),
 * RFC 8200 section 8.1 (upper-layer pseudo-header; UDP checksum mandatory
 * over IPv6), RFC 792 and RFC 4443 (ICMP, ICMPv6), RFC 1071 (checksum).
 *
 * TCP header (data offset * 4 bytes):      UDP header (8 bytes):
 *   0 src port   2 dst port                   0 src port  2 dst port
 *   4 sequence   8 acknowledgement            4 length    6 checksum
 *  12 offset(4) res(4)  13 flags             ICMP / ICMPv6 (8 bytes):
 *  14 window    16 checksum  18 urgent        0 type  1 code  2 checksum
 *  20 options: EOL(0) NOP(1) | kind, len, data    4 rest of header
 *
 * IPv4 pseudo-header: src(4) dst(4) zero(1) proto(1) length(2)
 * IPv6 pseudo-header: src(16) dst(16) length(4) zero(3) next header(1)
 */
#include "decode-int.h"

#define TCP_HLEN       20
#define UDP_HLEN       8
#define ICMP_HLEN      8
#define TCP_WSCALE_MAX 14

#define TCPOPT_EOL    0
#define TCPOPT_NOP    1
#define TCPOPT_MSS    2
#define TCPOPT_WS     3
#define TCPOPT_SACKOK 4
#define TCPOPT_SACK   5
#define TCPOPT_TS     8

static int invalid(struct md_decode_ctx *ctx, struct md_packet *p,
		   enum md_decode_event ev)
{
	md_decode_event(ctx, p, ev);
	return MD_DECODE_INVALID;
}

static uint64_t csum_add(uint64_t sum, const uint8_t *b, uint32_t n)
{
	uint32_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Internet checksum of an IPv4 header as given (checksum field included).
 * Returns 0 when the stored checksum is right; with the field zeroed it
 * returns the value to store (big-endian). Reads hlen bytes of hdr. */
uint16_t md_csum_ipv4_hdr(const uint8_t *hdr, unsigned hlen)
{
	return csum_fold(csum_add(0, hdr, hlen));
}

/* Internet checksum of p's transport segment (p->l4, p->l4_len bytes as
 * given) with the IPv4 or IPv6 pseudo-header of p->src, p->dst, p->proto;
 * ICMP over IPv4 has no pseudo-header. Returns 0 when the stored checksum
 * is right (with the field zeroed: the value to store), 0xffff when p has
 * no transport header. */
uint16_t md_csum_l4(const struct md_packet *p)
{
	uint64_t sum = 0;

	if (!p->l4)
		return 0xffff;
	if (p->ip_ver == 4 && p->proto != MD_IPPROTO_ICMP) {
		sum = csum_add(sum, p->src.b, 4);
		sum = csum_add(sum, p->dst.b, 4);
		sum += p->proto;
		sum += p->l4_len;
	} else if (p->ip_ver == 6) {
		sum = csum_add(sum, p->src.b, 16);
		sum = csum_add(sum, p->dst.b, 16);
		sum += p->l4_len >> 16;
		sum += p->l4_len & 0xffff;
		sum += p->proto;
	}
	return csum_fold(csum_add(sum, p->l4, p->l4_len));
}

static void l4_csum_check(struct md_decode_ctx *ctx, struct md_packet *p,
			  bool csum, enum md_decode_event ev)
{
	if (csum && md_csum_l4(p) != 0) {
		md_decode_event(ctx, p, ev);
		p->flags |= MD_PKT_CSUM_BAD;
	}
}

/* Length rules of the options medids reads (0 = any length >= 2). */
static bool tcp_opt_len_ok(uint8_t kind, uint8_t len)
{
	switch (kind) {
	case TCPOPT_MSS:
		return len == 4;
	case TCPOPT_WS:
		return len == 3;
	case TCPOPT_SACKOK:
		return len == 2;
	case TCPOPT_SACK:
		return len >= 10 && (len - 2) % 8 == 0;
	case TCPOPT_TS:
		return len == 10;
	default:
		return true;
	}
}

static void tcp_opt_apply(struct md_packet *p, const uint8_t *o)
{
	switch (o[0]) {
	case TCPOPT_MSS:
		p->tcp_mss = md_dec_be16(o + 2);
		break;
	case TCPOPT_WS:
		p->tcp_wscale = o[2] > TCP_WSCALE_MAX ? TCP_WSCALE_MAX : o[2];
		break;
	case TCPOPT_SACKOK:
		p->tcp_sackok = true;
		break;
	default:
		break;
	}
}

/* Walk the options; a malformed list raises an event and stops the walk,
 * the segment itself stays valid. */
static void tcp_options(struct md_decode_ctx *ctx, struct md_packet *p,
			const uint8_t *o, uint32_t n)
{
	uint32_t i = 0, seen = 0;

	while (i < n && o[i] != TCPOPT_EOL) {
		if (o[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (n - i < 2 || o[i + 1] < 2 || o[i + 1] > n - i) {
			md_decode_event(ctx, p, MD_DEV_TCP_INVALID_OPTLEN);
			return;
		}
		if (!tcp_opt_len_ok(o[i], o[i + 1])) {
			md_decode_event(ctx, p, MD_DEV_TCP_OPT_INVALID_LEN);
		} else if (o[i] < 32 && (seen & (1u << o[i]))) {
			md_decode_event(ctx, p, MD_DEV_TCP_OPT_DUPLICATE);
		} else {
			if (o[i] < 32)
				seen |= 1u << o[i];
			tcp_opt_apply(p, o + i);
		}
		i += o[i + 1];
	}
}

static int decode_tcp(struct md_decode_ctx *ctx, struct md_packet *p,
		      const uint8_t *b, uint32_t len, bool csum)
{
	uint32_t hl;

	MD_INC(ctx->ctr, DEC_TCP);
	if (len < TCP_HLEN)
		return invalid(ctx, p, MD_DEV_TCP_PKT_TOO_SMALL);
	hl = (b[12] >> 4) * 4u;
	if (hl < TCP_HLEN)
		return invalid(ctx, p, MD_DEV_TCP_HLEN_TOO_SMALL);
	if (hl > len)
		return invalid(ctx, p, MD_DEV_TCP_PKT_TOO_SMALL);
	p->sp = md_dec_be16(b);
	p->dp = md_dec_be16(b + 2);
	p->tcp_seq = md_dec_be32(b + 4);
	p->tcp_ack = md_dec_be32(b + 8);
	p->tcp_flags = b[13];
	p->tcp_win = md_dec_be16(b + 14);
	tcp_options(ctx, p, b + TCP_HLEN, hl - TCP_HLEN);
	p->l4 = b;
	p->l4_len = len;
	p->payload = b + hl;
	p->payload_len = len - hl;
	p->flags |= MD_PKT_L4;
	l4_csum_check(ctx, p, csum, MD_DEV_TCP_CSUM_INVALID);
	return MD_DECODE_OK;
}

/* The UDP length must fit the IP payload; bytes after it are ignored
 * (udp.hlen_invalid, still decoded). */
static int decode_udp(struct md_decode_ctx *ctx, struct md_packet *p,
		      const uint8_t *b, uint32_t len, bool csum)
{
	uint32_t ulen;

	MD_INC(ctx->ctr, DEC_UDP);
	if (len < UDP_HLEN)
		return invalid(ctx, p, MD_DEV_UDP_HLEN_TOO_SMALL);
	ulen = md_dec_be16(b + 4);
	if (ulen < UDP_HLEN)
		return invalid(ctx, p, MD_DEV_UDP_LEN_INVALID);
	if (ulen > len)
		return invalid(ctx, p, MD_DEV_UDP_PKT_TOO_SMALL);
	if (ulen < len)
		md_decode_event(ctx, p, MD_DEV_UDP_HLEN_INVALID);
	p->sp = md_dec_be16(b);
	p->dp = md_dec_be16(b + 2);
	p->l4 = b;
	p->l4_len = ulen;
	p->payload = b + UDP_HLEN;
	p->payload_len = ulen - UDP_HLEN;
	p->flags |= MD_PKT_L4;
	if (p->ip_ver == 4 && md_dec_be16(b + 6) == 0)
		return MD_DECODE_OK; /* no checksum sent */
	l4_csum_check(ctx, p, csum, MD_DEV_UDP_CSUM_INVALID);
	return MD_DECODE_OK;
}

/* ICMP and ICMPv6: sp/dp stay 0, type and code go to icmp_type/code. */
static int decode_icmp(struct md_decode_ctx *ctx, struct md_packet *p,
		       const uint8_t *b, uint32_t len, bool v6, bool csum)
{
	if (v6)
		MD_INC(ctx->ctr, DEC_ICMPV6);
	else
		MD_INC(ctx->ctr, DEC_ICMPV4);
	if (len < ICMP_HLEN)
		return invalid(ctx, p,
			       v6 ? MD_DEV_ICMPV6_PKT_TOO_SMALL
				  : MD_DEV_ICMPV4_PKT_TOO_SMALL);
	p->icmp_type = b[0];
	p->icmp_code = b[1];
	p->l4 = b;
	p->l4_len = len;
	p->payload = b + ICMP_HLEN;
	p->payload_len = len - ICMP_HLEN;
	p->flags |= MD_PKT_L4;
	l4_csum_check(ctx, p, csum,
		      v6 ? MD_DEV_ICMPV6_CSUM_INVALID
			 : MD_DEV_ICMPV4_CSUM_INVALID);
	return MD_DECODE_OK;
}

int md_decode_l4(struct md_decode_ctx *ctx, struct md_packet *p,
		 const uint8_t *b, uint32_t len, bool csum)
{
	switch (p->proto) {
	case MD_IPPROTO_TCP:
		return decode_tcp(ctx, p, b, len, csum);
	case MD_IPPROTO_UDP:
		return decode_udp(ctx, p, b, len, csum);
	case MD_IPPROTO_ICMP:
		if (p->ip_ver == 4)
			return decode_icmp(ctx, p, b, len, false, csum);
		return MD_DECODE_OK;
	case MD_IPPROTO_ICMPV6:
		if (p->ip_ver == 6)
			return decode_icmp(ctx, p, b, len, true, csum);
		return MD_DECODE_OK;
	default:
		return MD_DECODE_OK;
	}
}
