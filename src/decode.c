/* decode.c - decoder entry points: context set-up, per-packet reset and
 * counting, event recording, defrag timeouts.
 *
 * Normative references: the link-layer header types of the tcpdump.org
 * LINKTYPE registry (pcap/dlt.h), RFC 791 (IPv4), RFC 8200 (IPv6),
 * RFC 9293 (TCP), RFC 768 (UDP), RFC 792 and RFC 4443 (ICMP, ICMPv6),
 * RFC 1071 (Internet checksum). The layers themselves live in
 * decode-link.c, decode-ip.c, decode-l4.c and defrag.c.
 *
 * Configuration values of 0 mean: defrag_memcap, defrag_max_frags and
 * defrag_max_trackers unlimited; defrag_timeout MD_DEFRAG_TIMEOUT_DEFAULT.
 */
#include "decode.h"

#include <string.h>

#include "decode-int.h"
#include "defrag.h"
#include "md-parser.h"
#include "mem.h"

static const char *const event_names[MD_DEV_MAX] = {
#define MD_DEV(id, name) [MD_DEV_##id] = name,
#include "decode-events.def"
#undef MD_DEV
};

static const uint16_t event_ctr[MD_DEV_MAX] = {
#define MD_DEV(id, name) [MD_DEV_##id] = MD_CTR_DEV_##id,
#include "decode-events.def"
#undef MD_DEV
};

int md_decode_init(struct md_decode_ctx *ctx, const struct md_decode_cfg *cfg,
		   struct md_counters *ctr)
{
	if (!ctx || !ctr)
		return MD_E_INVAL;
	memset(ctx, 0, sizeof(*ctx));
	if (cfg)
		ctx->cfg = *cfg;
	if (ctx->cfg.defrag_timeout == 0)
		ctx->cfg.defrag_timeout = MD_DEFRAG_TIMEOUT_DEFAULT;
	ctx->ctr = ctr;
	ctx->defrag = md_defrag_new(&ctx->cfg, ctr);
	return ctx->defrag ? 0 : MD_E_NOMEM;
}

void md_decode_fini(struct md_decode_ctx *ctx)
{
	if (!ctx)
		return;
	md_defrag_free(ctx->defrag);
	ctx->defrag = NULL;
}

void md_decode_timeout(struct md_decode_ctx *ctx, uint64_t now_usec)
{
	if (ctx && ctx->defrag)
		md_defrag_timeout(ctx->defrag, now_usec);
}

const char *md_decode_event_name(unsigned ev)
{
	return ev < MD_DEV_MAX ? event_names[ev] : "";
}

void md_decode_event(struct md_decode_ctx *ctx, struct md_packet *p,
		     enum md_decode_event ev)
{
	unsigned i;

	if ((unsigned)ev >= MD_DEV_MAX)
		return;
	for (i = 0; i < p->n_events && i < MD_MAX_PKT_EVENTS; i++)
		if (p->events[i] == ev)
			return;
	if (p->n_events < MD_MAX_PKT_EVENTS)
		p->events[p->n_events++] = (uint16_t)ev;
	ctx->ctr->v[event_ctr[ev]]++;
}

/* Clear everything the decoder fills, keeping what capture set. */
static void decode_reset(struct md_packet *p)
{
	md_packet_release(p);
	p->flags = 0;
	memset(p->src_mac, 0, sizeof(p->src_mac));
	memset(p->dst_mac, 0, sizeof(p->dst_mac));
	memset(p->vlan, 0, sizeof(p->vlan));
	p->vlan_cnt = 0;
	p->ip_ver = 0;
	p->proto = 0;
	p->ttl = 0;
	memset(&p->src, 0, sizeof(p->src));
	memset(&p->dst, 0, sizeof(p->dst));
	p->l3 = p->l4 = p->payload = NULL;
	p->l3_len = p->l4_len = p->payload_len = 0;
	p->sp = p->dp = 0;
	p->tcp_seq = p->tcp_ack = 0;
	p->tcp_win = 0;
	p->tcp_flags = 0;
	p->tcp_wscale = 0xff;
	p->tcp_mss = 0;
	p->tcp_sackok = false;
	p->icmp_type = p->icmp_code = 0;
	memset(p->events, 0, sizeof(p->events));
	p->n_events = 0;
	p->flow = NULL;
	p->dir = 0;
}

int md_decode(struct md_decode_ctx *ctx, struct md_packet *p)
{
	struct md_counters *c = ctx->ctr;
	int rc;

	decode_reset(p);
	if (!p->data)
		p->caplen = 0;
	MD_INC(c, DEC_PKTS);
	MD_ADD(c, DEC_BYTES, p->caplen);
	if (p->caplen > c->v[MD_CTR_DEC_MAX_PKT_SIZE])
		MD_SET(c, DEC_MAX_PKT_SIZE, p->caplen);
	rc = md_decode_link(ctx, p);
	if (rc == MD_DECODE_INVALID) {
		p->flags |= MD_PKT_INVALID;
		MD_INC(c, DEC_INVALID);
	}
	return rc;
}
