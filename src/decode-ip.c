/* decode-ip.c - IPv4 and IPv6 network layers.
 *
 * Normative references: RFC 791 (IPv4 header, options, fragmentation),
 * RFC 8200 (IPv6 header, extension header order and sizes, Fragment
 * header; atomic fragments per RFC 6946), RFC 4302 (AH length in 32-bit
 * words), RFC 5095 (type 0 routing header deprecated).
 *
 * IPv4 header (IHL * 4 bytes, 20..60):
 *    0       4       8              16    19                      31
 *   +-------+-------+---------------+-----------------------------+
 *   |Version|  IHL  |      TOS      |        Total Length         |
 *   +-------+-------+---------------+-----+-----------------------+
 *   |        Identification         |Flags|    Fragment Offset    |
 *   +---------------+---------------+-----+-----------------------+
 *   |      TTL      |   Protocol    |       Header Checksum       |
 *   +---------------+---------------+-----------------------------+
 *   |            Source Address     |     Destination Address     |
 *   +-------------------------------+-----------------------------+
 *   |  Options (IHL > 5): EOL(0) | NOP(1) | type, length, data    |
 *   +-------------------------------------------------------------+
 *
 * IPv6 header (40 bytes) and extension headers:
 *   +-------+---------------+-------------------------------------+
 *   |Version| Traffic Class |             Flow Label              |
 *   +-------+---------------+---------------+---------------------+
 *   |        Payload Length         |  Next Header  |  Hop Limit  |
 *   +-------------------------------+---------------+-------------+
 *   |  Source Address (16)  |  Destination Address (16)           |
 *   +-----------------------+-------------------------------------+
 *   hop-by-hop (0), routing (43), destination options (60):
 *     | Next Header | Hdr Ext Len | ... |   (Hdr Ext Len + 1) * 8 bytes
 *   AH (51): | Next Header | Payload Len | Reserved (16) | SPI | ...
 *     (Payload Len + 2) * 4 bytes
 *   Fragment (44, 8 bytes):
 *     | Next Header | Reserved | Offset (13) | Res (2) | M | Id (32) |
 *
 * Everything before the Fragment header is the unfragmentable part,
 * handed to defrag with the position of the Next Header byte naming it.
 */
#include <string.h>

#include "decode-int.h"
#include "defrag.h"

#define IPV4_MF	     0x2000u
#define IPV4_OFFMASK 0x1fffu
#define IPV4_OPT_EOL 0
#define IPV4_OPT_NOP 1

#define IPV6_FH_LEN	 8
#define IPV6_MAX_EXTHDRS 16 /* headers walked before giving up */

#define SEEN_HH 0x01u
#define SEEN_RH 0x02u
#define SEEN_FH 0x04u
#define SEEN_AH 0x08u

/* Position in an IPv6 extension header chain. */
struct v6walk {
	uint32_t off;	 /* start of the header of type nh */
	uint32_t end;	 /* 40 + payload length */
	uint32_t nh_pos; /* index of the byte holding nh */
	uint8_t nh;
	uint8_t seen;  /* SEEN_* */
	uint8_t n_dst; /* destination options headers seen */
	bool rh_left;  /* a routing header with segments left */
	bool frag;     /* stopped at a Fragment header (at off) */
};

static int invalid(struct md_decode_ctx *ctx, struct md_packet *p,
		   enum md_decode_event ev)
{
	md_decode_event(ctx, p, ev);
	return MD_DECODE_INVALID;
}

static int ipv4_check(struct md_decode_ctx *ctx, struct md_packet *p,
		      const uint8_t *b, uint32_t len, uint32_t *hlen,
		      uint32_t *tot)
{
	if (len < MD_IPV4_HLEN)
		return invalid(ctx, p, MD_DEV_IPV4_PKT_TOO_SMALL);
	if (b[0] >> 4 != 4)
		return invalid(ctx, p, MD_DEV_IPV4_WRONG_IP_VERSION);
	*hlen = (b[0] & 0x0fu) * 4u;
	if (*hlen < MD_IPV4_HLEN)
		return invalid(ctx, p, MD_DEV_IPV4_HLEN_TOO_SMALL);
	*tot = md_dec_be16(b + 2);
	if (*tot < *hlen)
		return invalid(ctx, p, MD_DEV_IPV4_IPLEN_SMALLER_THAN_HLEN);
	if (*tot > len)
		return invalid(ctx, p, MD_DEV_IPV4_TRUNC_PKT);
	return MD_DECODE_OK;
}

/* Options are skipped; only their lengths are checked (event only). */
static void ipv4_options(struct md_decode_ctx *ctx, struct md_packet *p,
			 const uint8_t *o, uint32_t n)
{
	uint32_t i = 0;

	while (i < n) {
		if (o[i] == IPV4_OPT_EOL)
			return;
		if (o[i] == IPV4_OPT_NOP) {
			i++;
			continue;
		}
		if (n - i < 2 || o[i + 1] < 2 || o[i + 1] > n - i) {
			md_decode_event(ctx, p, MD_DEV_IPV4_OPT_INVALID_LEN);
			return;
		}
		i += o[i + 1];
	}
}

/* A fragment: hand it to defrag, decode the datagram it completes. A
 * fragment whose header checksum failed is not kept (the receiving host
 * would discard it). */
static int ipv4_fragment(struct md_decode_ctx *ctx, struct md_packet *p,
			 const uint8_t *b, uint32_t hlen, uint32_t tot)
{
	struct md_defrag_in in;
	uint32_t out_len = 0;
	uint16_t fo = md_dec_be16(b + 6);
	int rc;

	p->flags |= MD_PKT_FRAG;
	if (p->flags & MD_PKT_CSUM_BAD)
		return MD_DECODE_HELD;
	memset(&in, 0, sizeof(in));
	in.hdr = b;
	in.hlen = hlen;
	in.data = b + hlen;
	in.len = tot - hlen;
	in.off = (fo & IPV4_OFFMASK) * 8u;
	in.more = (fo & IPV4_MF) != 0;
	in.id = md_dec_be16(b + 4);
	in.proto = b[9];
	if (in.more)
		in.len &= ~7u; /* non-final fragments carry 8-byte units */
	rc = md_defrag_packet(ctx, p, &in, &out_len);
	if (rc != MD_DECODE_OK)
		return rc;
	p->flags = (p->flags & ~MD_PKT_FRAG) | MD_PKT_REASSEMBLED;
	return md_decode_ipv4(ctx, p, p->owned, out_len);
}

int md_decode_ipv4(struct md_decode_ctx *ctx, struct md_packet *p,
		   const uint8_t *b, uint32_t len)
{
	uint32_t hlen = 0, tot = 0;
	int rc;

	if (!(p->flags & MD_PKT_REASSEMBLED))
		MD_INC(ctx->ctr, DEC_IPV4);
	rc = ipv4_check(ctx, p, b, len, &hlen, &tot);
	if (rc != MD_DECODE_OK)
		return rc;
	p->ip_ver = 4;
	p->flags |= MD_PKT_IPV4;
	p->ttl = b[8];
	p->proto = b[9];
	memset(&p->src, 0, sizeof(p->src));
	memset(&p->dst, 0, sizeof(p->dst));
	memcpy(p->src.b, b + 12, 4);
	memcpy(p->dst.b, b + 16, 4);
	p->l3 = b;
	p->l3_len = tot;
	if (hlen > MD_IPV4_HLEN)
		ipv4_options(ctx, p, b + MD_IPV4_HLEN, hlen - MD_IPV4_HLEN);
	if (ctx->cfg.csum_check && md_csum_ipv4_hdr(b, hlen) != 0) {
		md_decode_event(ctx, p, MD_DEV_IPV4_CSUM_INVALID);
		p->flags |= MD_PKT_CSUM_BAD;
	}
	if (md_dec_be16(b + 6) & (IPV4_MF | IPV4_OFFMASK))
		return ipv4_fragment(ctx, p, b, hlen, tot);
	if (p->proto == MD_IPPROTO_ICMPV6) {
		md_decode_event(ctx, p, MD_DEV_IPV4_ICMPV6);
		return MD_DECODE_OK;
	}
	return md_decode_l4(ctx, p, b + hlen, tot - hlen, ctx->cfg.csum_check);
}

/* Hop-by-hop and destination options: type, length, value; Pad1 has no
 * length byte. True when the options exactly fill n bytes. */
static bool ipv6_options_ok(const uint8_t *o, uint32_t n)
{
	uint32_t i = 0;

	while (i < n) {
		if (o[i] == 0) {
			i++;
			continue;
		}
		if (n - i < 2 || o[i + 1] > n - i - 2)
			return false;
		i += 2u + o[i + 1];
	}
	return true;
}

static void v6_advance(struct v6walk *w, const uint8_t *b, uint32_t hl)
{
	w->nh_pos = w->off;
	w->nh = b[w->off];
	w->off += hl;
}

static int ipv6_fraghdr(struct md_decode_ctx *ctx, struct md_packet *p,
			const uint8_t *b, struct v6walk *w)
{
	const uint8_t *h = b + w->off;
	uint16_t fo;

	if (w->end - w->off < IPV6_FH_LEN)
		return invalid(ctx, p, MD_DEV_IPV6_TRUNC_EXTHDR);
	if (w->seen & SEEN_FH)
		md_decode_event(ctx, p, MD_DEV_IPV6_EXTHDR_DUPL_FH);
	w->seen |= SEEN_FH;
	fo = md_dec_be16(h + 2);
	if (h[1] != 0 || (fo & 0x0006u))
		md_decode_event(ctx, p, MD_DEV_IPV6_FH_NON_ZERO_RES);
	if ((fo & 0xfff9u) == 0) {
		/* offset 0, M clear: an atomic fragment, not reassembled */
		md_decode_event(ctx, p, MD_DEV_IPV6_EXTHDR_USELESS_FH);
		v6_advance(w, b, IPV6_FH_LEN);
		return MD_DECODE_OK;
	}
	if (p->flags & MD_PKT_REASSEMBLED) /* fragment inside a fragment */
		return invalid(ctx, p, MD_DEV_IPV6_EXTHDR_DUPL_FH);
	w->frag = true;
	return MD_DECODE_OK;
}

/* Raise the duplicate/ordering events of one header type. */
static void ipv6_exthdr_events(struct md_decode_ctx *ctx, struct md_packet *p,
			       struct v6walk *w, const uint8_t *h, uint32_t hl)
{
	switch (w->nh) {
	case MD_IPPROTO_HOPOPTS: /* once, and only right after the header */
		if ((w->seen & SEEN_HH) || w->off != MD_IPV6_HLEN)
			md_decode_event(ctx, p, MD_DEV_IPV6_EXTHDR_DUPL_HH);
		w->seen |= SEEN_HH;
		break;
	case MD_IPPROTO_ROUTING:
		if (w->seen & SEEN_RH)
			md_decode_event(ctx, p, MD_DEV_IPV6_EXTHDR_DUPL_RH);
		w->seen |= SEEN_RH;
		if (h[3] != 0)
			w->rh_left = true;
		if (h[2] == 0)
			md_decode_event(ctx, p, MD_DEV_IPV6_RH_TYPE_0);
		break;
	case MD_IPPROTO_DSTOPTS: /* at most twice (RFC 8200 4.1) */
		if (++w->n_dst > 2)
			md_decode_event(ctx, p, MD_DEV_IPV6_EXTHDR_DUPL_DH);
		break;
	default: /* AH */
		if (w->seen & SEEN_AH)
			md_decode_event(ctx, p, MD_DEV_IPV6_EXTHDR_DUPL_AH);
		w->seen |= SEEN_AH;
		if (md_dec_be16(h + 2) != 0)
			md_decode_event(ctx, p,
					MD_DEV_IPV6_EXTHDR_AH_RES_NOT_NULL);
		return;
	}
	if (w->nh != MD_IPPROTO_ROUTING && !ipv6_options_ok(h + 2, hl - 2))
		md_decode_event(ctx, p, MD_DEV_IPV6_EXTHDR_INVALID_OPTLEN);
}

/* Hop-by-hop, routing, destination options or AH: skipped by length. */
static int ipv6_exthdr(struct md_decode_ctx *ctx, struct md_packet *p,
		       const uint8_t *b, struct v6walk *w)
{
	const uint8_t *h = b + w->off;
	uint32_t rem = w->end - w->off, hl;

	if (rem < 8) /* the smallest extension header is 8 bytes */
		return invalid(ctx, p, MD_DEV_IPV6_TRUNC_EXTHDR);
	if (w->nh == MD_IPPROTO_AH)
		hl = (h[1] + 2u) * 4u;
	else
		hl = (h[1] + 1u) * 8u;
	if (hl > rem)
		return invalid(ctx, p, MD_DEV_IPV6_TRUNC_EXTHDR);
	ipv6_exthdr_events(ctx, p, w, h, hl);
	v6_advance(w, b, hl);
	return MD_DECODE_OK;
}

static bool is_exthdr(uint8_t nh)
{
	return nh == MD_IPPROTO_HOPOPTS || nh == MD_IPPROTO_ROUTING ||
	       nh == MD_IPPROTO_FRAGMENT || nh == MD_IPPROTO_DSTOPTS ||
	       nh == MD_IPPROTO_AH;
}

static int ipv6_exthdrs(struct md_decode_ctx *ctx, struct md_packet *p,
			const uint8_t *b, struct v6walk *w)
{
	unsigned n;
	int rc;

	for (n = 0; is_exthdr(w->nh); n++) {
		if (n >= IPV6_MAX_EXTHDRS)
			return invalid(ctx, p, MD_DEV_IPV6_EXTHDR_TOO_MANY);
		if (w->nh == MD_IPPROTO_FRAGMENT)
			rc = ipv6_fraghdr(ctx, p, b, w);
		else
			rc = ipv6_exthdr(ctx, p, b, w);
		if (rc != MD_DECODE_OK || w->frag)
			return rc;
	}
	return MD_DECODE_OK;
}

static int ipv6_fragment(struct md_decode_ctx *ctx, struct md_packet *p,
			 const uint8_t *b, const struct v6walk *w)
{
	const uint8_t *h = b + w->off;
	uint16_t fo = md_dec_be16(h + 2);
	struct md_defrag_in in;
	uint32_t out_len = 0;
	int rc;

	p->flags |= MD_PKT_FRAG;
	p->proto = h[0];
	memset(&in, 0, sizeof(in));
	in.hdr = b;
	in.hlen = w->off;
	in.nh_pos = w->nh_pos;
	in.proto = h[0];
	in.data = h + IPV6_FH_LEN;
	in.len = w->end - w->off - IPV6_FH_LEN;
	in.off = fo & 0xfff8u;
	in.more = (fo & 1u) != 0;
	in.id = md_dec_be32(h + 4);
	if (in.more && (in.len & 7u))
		return invalid(ctx, p, MD_DEV_IPV6_FRAG_INVALID_LENGTH);
	rc = md_defrag_packet(ctx, p, &in, &out_len);
	if (rc != MD_DECODE_OK)
		return rc;
	p->flags = (p->flags & ~MD_PKT_FRAG) | MD_PKT_REASSEMBLED;
	return md_decode_ipv6(ctx, p, p->owned, out_len);
}

static int ipv6_check(struct md_decode_ctx *ctx, struct md_packet *p,
		      const uint8_t *b, uint32_t len)
{
	if (len < MD_IPV6_HLEN)
		return invalid(ctx, p, MD_DEV_IPV6_PKT_TOO_SMALL);
	if (b[0] >> 4 != 6)
		return invalid(ctx, p, MD_DEV_IPV6_WRONG_IP_VERSION);
	if (MD_IPV6_HLEN + (uint32_t)md_dec_be16(b + 4) > len)
		return invalid(ctx, p, MD_DEV_IPV6_TRUNC_PKT);
	return MD_DECODE_OK;
}

int md_decode_ipv6(struct md_decode_ctx *ctx, struct md_packet *p,
		   const uint8_t *b, uint32_t len)
{
	struct v6walk w;
	int rc;

	if (!(p->flags & MD_PKT_REASSEMBLED))
		MD_INC(ctx->ctr, DEC_IPV6);
	rc = ipv6_check(ctx, p, b, len);
	if (rc != MD_DECODE_OK)
		return rc;
	p->ip_ver = 6;
	p->flags |= MD_PKT_IPV6;
	p->ttl = b[7];
	memcpy(p->src.b, b + 8, 16);
	memcpy(p->dst.b, b + 24, 16);
	memset(&w, 0, sizeof(w));
	w.off = MD_IPV6_HLEN;
	w.end = MD_IPV6_HLEN + md_dec_be16(b + 4);
	w.nh_pos = 6;
	w.nh = b[6];
	p->l3 = b;
	p->l3_len = w.end;
	p->proto = w.nh;
	rc = ipv6_exthdrs(ctx, p, b, &w);
	if (rc != MD_DECODE_OK)
		return rc;
	p->proto = w.nh;
	if (w.frag)
		return ipv6_fragment(ctx, p, b, &w);
	if (w.nh == MD_IPPROTO_NONE) {
		if (w.off < w.end)
			md_decode_event(ctx, p,
					MD_DEV_IPV6_DATA_AFTER_NONE_HEADER);
		return MD_DECODE_OK;
	}
	if (w.nh == MD_IPPROTO_ICMP) {
		md_decode_event(ctx, p, MD_DEV_IPV6_ICMPV4);
		return MD_DECODE_OK;
	}
	/* with segments left, the pseudo-header would need the final
	 * destination from the routing header (RFC 8200 8.1): not checked */
	return md_decode_l4(ctx, p, b + w.off, w.end - w.off,
			    ctx->cfg.csum_check && !w.rh_left);
}
