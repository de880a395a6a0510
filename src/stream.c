/* stream.c - TCP session tracking: handshake, ACKs, windows, FIN and RST.
 *
 * Normative reference: RFC 9293 sections 3.3.2 (state machine), 3.4
 * (sequence numbers, ISN), 3.10.7 (segment arrival: SYN-SENT ACK
 * acceptability, RST processing), RFC 7323 section 2 (window scale) and
 * RFC 5961 (out-of-window RST and FIN are not acted upon).
 *
 * The session state is one Suricata-style state for the flow; "client" is
 * the side that sent the SYN (direction 0 when picked up midstream):
 *
 *   none --SYN--> syn_sent --SYN-ACK--> syn_recv --ACK--> established
 *   none --SYN-ACK or data (midstream pickup)--> syn_recv / established
 *
 *   established --client FIN--> fin_wait1 --FIN acked--> fin_wait2
 *     fin_wait1 --server FIN--> closing --client FIN acked--> time_wait
 *     fin_wait2 --server FIN--> time_wait --server FIN acked--> closed
 *   established --server FIN--> close_wait --client FIN--> last_ack
 *     last_ack --both FINs acked--> closed
 *   any --valid RST--> closed
 *
 * Payload goes to stream-reasm.c, which delivers each direction in order.
 * Nothing here trusts packet data to be sane: every odd combination ends
 * in a counter or an event, never in an error.
 */
#include <string.h>

#include "md-parser.h"
#include "stream-int.h"

static const char *const state_names[] = {
    [MD_TCP_NONE] = "none",	      [MD_TCP_SYN_SENT] = "syn_sent",
    [MD_TCP_SYN_RECV] = "syn_recv",   [MD_TCP_ESTABLISHED] = "established",
    [MD_TCP_FIN_WAIT1] = "fin_wait1", [MD_TCP_FIN_WAIT2] = "fin_wait2",
    [MD_TCP_TIME_WAIT] = "time_wait", [MD_TCP_CLOSE_WAIT] = "close_wait",
    [MD_TCP_LAST_ACK] = "last_ack",   [MD_TCP_CLOSING] = "closing",
    [MD_TCP_CLOSED] = "closed",
};

static const char *const event_names[MD_SEV_MAX] = {
#define MD_SEV(id, name) [MD_SEV_##id] = name,
#include "stream-events.def"
#undef MD_SEV
};

static const uint16_t event_ctr[MD_SEV_MAX] = {
#define MD_SEV(id, name) [MD_SEV_##id] = MD_CTR_SEV_##id,
#include "stream-events.def"
#undef MD_SEV
};

int md_stream_init(struct md_stream_ctx *ctx, const struct md_stream_cfg *cfg,
		   struct md_counters *ctr, const struct md_stream_ops *ops,
		   void *user)
{
	memset(ctx, 0, sizeof(*ctx));
	if (cfg)
		ctx->cfg = *cfg;
	ctx->memcap.cap = ctx->cfg.memcap;
	ctx->ctr = ctr;
	if (ops)
		ctx->ops = *ops;
	ctx->user = user;
	return 0;
}

void md_stream_fini(struct md_stream_ctx *ctx)
{
	(void)ctx;
}

void md_stream_raise(struct md_stream_ctx *ctx, struct md_flow *f,
		     const struct md_packet *pkt, enum md_stream_event ev)
{
	ctx->ctr->v[event_ctr[ev]]++;
	if (ctx->ops.event)
		ctx->ops.event(ctx->user, f, pkt, ev);
}

static struct md_tcp_session *ssn_new(struct md_stream_ctx *ctx,
				      struct md_flow *f)
{
	struct md_tcp_session *ssn;

	if (!md_memcap_try(&ctx->memcap, sizeof(*ssn))) {
		MD_INC(ctx->ctr, TCP_SSN_MEMCAP_DROP);
		return NULL;
	}
	ssn = md_calloc(1, sizeof(*ssn));
	if (!ssn) {
		md_memcap_release(&ctx->memcap, sizeof(*ssn));
		MD_INC(ctx->ctr, TCP_SSN_MEMCAP_DROP);
		return NULL;
	}
	ssn->h[0].wscale = 0xff;
	ssn->h[1].wscale = 0xff;
	f->tcp = ssn;
	MD_INC(ctx->ctr, TCP_SESSIONS);
	MD_INC(ctx->ctr, TCP_ACTIVE_SESSIONS);
	return ssn;
}

static void call_init(struct md_stream_call *c, struct md_stream_ctx *ctx,
		      struct md_flow *f, const struct md_packet *pkt, int dir)
{
	struct md_tcp_session *ssn = f->tcp;

	memset(c, 0, sizeof(*c));
	c->ctx = ctx;
	c->f = f;
	c->ssn = ssn;
	c->pkt = pkt;
	c->dir = dir;
	c->h = &ssn->h[dir];
	c->peer = &ssn->h[dir ^ 1];
}

static void ignore_bytes(struct md_stream_call *c, uint32_t len)
{
	MD_ADD(c->ctx->ctr, TCP_IGNORED_BYTES, len);
}

/* The sequence space of h starts at `next` (offset 0). */
static void half_start(struct md_tcp_half *h, uint32_t next)
{
	h->base = next;
	h->next_seq = next;
	h->high_seq = next;
	h->off = 0;
	h->flags |= MD_HALF_INIT;
}

static void syn_start(struct md_stream_call *c)
{
	const struct md_packet *p = c->pkt;

	half_start(c->h, p->tcp_seq + 1);
	c->h->flags |= MD_HALF_SYN;
	c->h->wscale = p->tcp_wscale;
	c->h->max_win = p->tcp_win; /* never scaled in a SYN */
}

/* First packet without a SYN: take the session up midstream or not at all. */
static void pickup(struct md_stream_call *c)
{
	if (c->ctx->cfg.midstream) {
		MD_INC(c->ctx->ctr, TCP_MIDSTREAM_PICKUPS);
	} else {
		c->ssn->flags |= MD_SSN_NOREASM;
		MD_INC(c->ctx->ctr, TCP_MIDSTREAM_SKIPPED);
	}
}

/* ack acknowledges a sequence number the peer has sent (inclusive). */
static bool acks_sent(const struct md_tcp_half *o, uint32_t ack)
{
	return md_seq_leq(o->base, ack) && md_seq_leq(ack, o->high_seq);
}

static bool is_resent_syn(const struct md_stream_call *c)
{
	return (c->h->flags & MD_HALF_SYN) && c->pkt->tcp_seq + 1 == c->h->base;
}

/* SYN-ACK; false when the packet is to be ignored. */
static bool on_synack(struct md_stream_call *c)
{
	struct md_tcp_session *ssn = c->ssn;

	MD_INC(c->ctx->ctr, TCP_SYNACK);
	if (ssn->state == MD_TCP_NONE) {
		pickup(c);
		ssn->client = (uint8_t)(c->dir ^ 1);
		ssn->state = MD_TCP_SYN_RECV;
		syn_start(c);
		return true;
	}
	if (ssn->state != MD_TCP_SYN_SENT)
		return is_resent_syn(c);
	if (c->dir == ssn->client) {
		md_stream_raise(c->ctx, c->f, c->pkt,
				MD_SEV_3WHS_SYNACK_IN_WRONG_DIRECTION);
		return false;
	}
	if (!acks_sent(c->peer, c->pkt->tcp_ack)) {
		md_stream_raise(c->ctx, c->f, c->pkt,
				MD_SEV_3WHS_SYNACK_WITH_WRONG_ACK);
		return false;
	}
	if (!(c->h->flags & MD_HALF_INIT))
		syn_start(c);
	ssn->state = MD_TCP_SYN_RECV;
	ssn->flags |= MD_SSN_HANDSHAKE;
	if (c->h->wscale != 0xff && c->peer->wscale != 0xff)
		ssn->flags |= MD_SSN_WSCALE;
	return true;
}

/* SYN or SYN-ACK; false when the packet is to be ignored. */
static bool on_syn(struct md_stream_call *c)
{
	struct md_tcp_session *ssn = c->ssn;
	struct md_tcp_half *h = c->h;

	if (c->pkt->tcp_flags & MD_TH_ACK)
		return on_synack(c);
	MD_INC(c->ctx->ctr, TCP_SYN);
	if (ssn->state == MD_TCP_NONE) {
		ssn->state = MD_TCP_SYN_SENT;
		ssn->client = (uint8_t)c->dir;
		syn_start(c);
		return true;
	}
	if (is_resent_syn(c))
		return true;
	/* a new attempt with a new ISN, before anything was handed on */
	if (ssn->state == MD_TCP_SYN_SENT && c->dir == ssn->client &&
	    h->off == 0 && !h->head && !(h->flags & MD_HALF_FIN)) {
		syn_start(c);
		return true;
	}
	return false;
}

/* -1 when the ACK number is usable, else the event it deserves. */
static int ack_check(const struct md_stream_call *c, uint32_t ack)
{
	const struct md_tcp_half *o = c->peer;
	uint32_t end;

	if (!(o->flags & MD_HALF_INIT))
		return -1;
	end = (o->flags & MD_HALF_FIN) ? o->fin_seq + 1 : o->high_seq;
	if (ack == 0 && !(md_seq_leq(o->base, 0) && md_seq_leq(0, end)))
		return MD_SEV_PKT_BROKEN_ACK;
	if ((o->flags & MD_HALF_FIN) && md_seq_gt(ack, end))
		return MD_SEV_PKT_INVALID_ACK;
	if (md_seq_gt(ack, end))
		MD_INC(c->ctx->ctr, TCP_ACK_UNSEEN_DATA);
	return -1;
}

/* ACK number and window; false when the ACK number is unusable. */
static bool on_ack(struct md_stream_call *c)
{
	const struct md_packet *p = c->pkt;
	struct md_tcp_half *h = c->h, *o = c->peer;
	uint32_t ack = p->tcp_ack, win = p->tcp_win;
	int ev = ack_check(c, ack);

	if (ev >= 0) {
		if (p->tcp_flags & MD_TH_RST)
			ev = MD_SEV_RST_INVALID_ACK;
		md_stream_raise(c->ctx, c->f, p, (enum md_stream_event)ev);
		return false;
	}
	if (!(h->flags & MD_HALF_ACKED) || md_seq_gt(ack, h->last_ack)) {
		h->last_ack = ack;
		h->flags |= MD_HALF_ACKED;
	}
	if (!(p->tcp_flags & MD_TH_SYN) && (c->ssn->flags & MD_SSN_WSCALE))
		win <<= h->wscale < MD_STREAM_MAX_WSCALE ? h->wscale
							 : MD_STREAM_MAX_WSCALE;
	if (win > h->max_win)
		h->max_win = win;
	if ((o->flags & MD_HALF_FIN) && md_seq_leq(o->fin_seq + 1, ack))
		o->flags |= MD_HALF_FIN_ACKED;
	return true;
}

/* Whether a segment starting at seq falls outside the receiver's window.
 * Known only after a handshake, once the receiver advertised a window;
 * `rst` also checks the left edge (RFC 5961 section 3.2). */
static bool out_of_window(const struct md_stream_call *c, uint32_t seq,
			  bool rst)
{
	const struct md_tcp_half *o = c->peer;

	if (!(c->ssn->flags & MD_SSN_HANDSHAKE) ||
	    c->ssn->state < MD_TCP_ESTABLISHED || !(o->flags & MD_HALF_ACKED) ||
	    o->max_win == 0)
		return false;
	if (md_seq_gt(seq, o->last_ack + o->max_win))
		return true;
	return rst && md_seq_lt(seq, o->last_ack - o->max_win);
}

static enum md_stream_event oow_event(const struct md_stream_call *c)
{
	if (!(c->pkt->tcp_flags & MD_TH_FIN))
		return MD_SEV_EST_PACKET_OUT_OF_WINDOW;
	if (c->ssn->state == MD_TCP_CLOSE_WAIT && c->dir == c->ssn->client)
		return MD_SEV_CLOSEWAIT_FIN_OUT_OF_WINDOW;
	return MD_SEV_FIN_OUT_OF_WINDOW;
}

/* Closing states, from which FINs were seen and acknowledged. */
static void close_state(struct md_tcp_session *ssn)
{
	const struct md_tcp_half *cl = &ssn->h[ssn->client];
	const struct md_tcp_half *sv = &ssn->h[ssn->client ^ 1];
	bool cfin = cl->flags & MD_HALF_FIN, sfin = sv->flags & MD_HALF_FIN;
	bool cack = cl->flags & MD_HALF_FIN_ACKED;
	bool sack = sv->flags & MD_HALF_FIN_ACKED;

	if (ssn->closer == ssn->client + 1) {
		if (!sfin)
			ssn->state = cack ? MD_TCP_FIN_WAIT2 : MD_TCP_FIN_WAIT1;
		else if (!cack)
			ssn->state = MD_TCP_CLOSING;
		else
			ssn->state = sack ? MD_TCP_CLOSED : MD_TCP_TIME_WAIT;
	} else if (!cfin) {
		ssn->state = MD_TCP_CLOSE_WAIT;
	} else {
		ssn->state = cack && sack ? MD_TCP_CLOSED : MD_TCP_LAST_ACK;
	}
}

/* A FIN at `fin`: accepted once, unless data was already seen past it or
 * it lies further ahead than any data could be placed. */
static void on_fin(struct md_stream_call *c, uint32_t fin)
{
	struct md_tcp_half *h = c->h;

	if ((h->flags & MD_HALF_FIN) || md_seq_lt(fin, h->high_seq) ||
	    md_seq_lt(fin, h->next_seq) ||
	    fin - h->next_seq > MD_STREAM_MAX_AHEAD)
		return;
	h->flags |= MD_HALF_FIN;
	h->fin_seq = fin;
	if (!c->ssn->closer)
		c->ssn->closer = (uint8_t)(c->dir + 1);
}

/* A valid RST ends both directions: hand on what is held, then eof. */
static void on_rst(struct md_stream_call *c, uint32_t seq, uint32_t len)
{
	struct md_tcp_session *ssn = c->ssn;
	const struct md_packet *p = c->pkt;
	struct md_stream_call d;
	int i;

	ignore_bytes(c, len);
	if (ssn->state == MD_TCP_SYN_SENT && c->dir != ssn->client &&
	    (!(p->tcp_flags & MD_TH_ACK) || !acks_sent(c->peer, p->tcp_ack))) {
		md_stream_raise(c->ctx, c->f, p, MD_SEV_RST_INVALID_ACK);
		return;
	}
	if (out_of_window(c, seq, true)) {
		md_stream_raise(c->ctx, c->f, p,
				MD_SEV_EST_PACKET_OUT_OF_WINDOW);
		return;
	}
	if (len)
		md_stream_raise(c->ctx, c->f, p, MD_SEV_RST_WITH_DATA);
	ssn->flags |= MD_SSN_RST;
	ssn->state = MD_TCP_CLOSED;
	if (ssn->flags & MD_SSN_NOREASM)
		return;
	for (i = 0; i < 2; i++) {
		call_init(&d, c->ctx, c->f, p, i);
		md_stream_finish(&d);
	}
}

/* Holes of this direction that its receiver acknowledged will not be sent
 * again: once the sender moves on, hand them on as gaps. Only what was
 * seen (data or the FIN) bounds the trust put in the ACK. */
static void acked_gap(struct md_stream_call *c)
{
	struct md_tcp_half *h = c->h, *o = c->peer;
	uint32_t upto, lim;

	if (!(o->flags & MD_HALF_ACKED))
		return;
	upto = o->last_ack;
	lim = (h->flags & MD_HALF_FIN) ? h->fin_seq : h->high_seq;
	if (md_seq_gt(upto, lim))
		upto = lim;
	if (md_seq_gt(upto, h->next_seq))
		md_stream_gap_to(c, upto);
}

static void on_payload(struct md_stream_call *c, uint32_t seq, uint32_t len)
{
	const struct md_packet *p = c->pkt;
	struct md_tcp_half *h = c->h;

	if (c->ssn->flags & MD_SSN_NOREASM) {
		ignore_bytes(c, len);
		return;
	}
	if (len) {
		/* keep-alive: one garbage byte just below next_seq */
		if (len == 1 && seq + 1 == h->next_seq &&
		    !(p->tcp_flags & (MD_TH_SYN | MD_TH_FIN)))
			MD_ADD(c->ctx->ctr, TCP_DUP_BYTES, len);
		else
			md_stream_seg_in(c, seq, p->payload, len);
	}
	acked_gap(c);
	md_stream_try_eof(c);
}

/* Handshake steps that any non-SYN packet completes. */
static void open_state(struct md_stream_call *c)
{
	struct md_tcp_session *ssn = c->ssn;

	if (ssn->state == MD_TCP_SYN_RECV ||
	    (ssn->state == MD_TCP_SYN_SENT && c->dir != ssn->client))
		ssn->state = MD_TCP_ESTABLISHED;
}

static void track(struct md_stream_call *c, uint32_t len)
{
	const struct md_packet *p = c->pkt;
	struct md_tcp_session *ssn = c->ssn;
	uint8_t fl = p->tcp_flags;
	uint32_t seq = p->tcp_seq + ((fl & MD_TH_SYN) ? 1 : 0);
	bool oow;

	c->h->flags |= MD_HALF_SEEN;
	if (fl & MD_TH_RST)
		MD_INC(c->ctx->ctr, TCP_RST);
	if ((ssn->flags & MD_SSN_RST) || ((fl & MD_TH_SYN) && !on_syn(c))) {
		ignore_bytes(c, len);
		return;
	}
	if (ssn->state == MD_TCP_NONE) {
		pickup(c);
		ssn->state = MD_TCP_ESTABLISHED;
	}
	if (!(c->h->flags & MD_HALF_INIT))
		half_start(c->h, seq);
	if ((fl & MD_TH_ACK) && !on_ack(c) && (fl & MD_TH_RST)) {
		ignore_bytes(c, len);
		return;
	}
	if (fl & MD_TH_RST) {
		on_rst(c, seq, len);
		return;
	}
	if (!(fl & MD_TH_SYN))
		open_state(c);
	oow = out_of_window(c, seq, false);
	if (oow)
		md_stream_raise(c->ctx, c->f, p, oow_event(c));
	if ((fl & MD_TH_FIN) && !oow)
		on_fin(c, seq + len);
	on_payload(c, seq, len);
	if (ssn->closer && ssn->state >= MD_TCP_ESTABLISHED)
		close_state(ssn);
}

static void flow_state(struct md_flow *f, const struct md_tcp_session *ssn)
{
	uint16_t both = ssn->h[0].flags & ssn->h[1].flags;

	if (f->state == MD_FLOW_CLOSED)
		return;
	if ((ssn->flags & MD_SSN_RST) || (both & MD_HALF_FIN))
		f->state = MD_FLOW_CLOSED;
	else if (ssn->state >= MD_TCP_ESTABLISHED && (both & MD_HALF_SEEN))
		f->state = MD_FLOW_ESTABLISHED;
}

int md_stream_packet(struct md_stream_ctx *ctx, struct md_flow *f,
		     struct md_packet *p)
{
	struct md_stream_call c;
	uint32_t len = p->payload ? p->payload_len : 0;

	if (!(p->flags & MD_PKT_L4))
		return 0;
	if (p->flags & MD_PKT_CSUM_BAD) {
		MD_INC(ctx->ctr, TCP_INVALID_CHECKSUM);
		MD_ADD(ctx->ctr, TCP_IGNORED_BYTES, p->payload_len);
		return 0;
	}
	if (!f->tcp && !ssn_new(ctx, f)) {
		MD_ADD(ctx->ctr, TCP_IGNORED_BYTES, p->payload_len);
		return MD_E_NOMEM;
	}
	call_init(&c, ctx, f, p, p->dir & 1);
	if (len != p->payload_len)
		ignore_bytes(&c, p->payload_len);
	track(&c, len);
	flow_state(f, c.ssn);
	MD_SET(ctx->ctr, TCP_REASSEMBLY_MEMUSE, ctx->memcap.used);
	return 0;
}

void md_stream_flow_flush(struct md_stream_ctx *ctx, struct md_flow *f)
{
	struct md_tcp_session *ssn = f->tcp;
	struct md_stream_call c;
	int i;

	if (!ssn)
		return;
	for (i = 0; i < 2 && !(ssn->flags & MD_SSN_NOREASM); i++) {
		call_init(&c, ctx, f, NULL, i);
		md_stream_finish(&c);
	}
}

void md_stream_flow_end(struct md_stream_ctx *ctx, struct md_flow *f)
{
	struct md_tcp_session *ssn = f->tcp;

	if (!ssn)
		return;
	md_stream_flow_flush(ctx, f);
	md_stream_half_free(ctx, &ssn->h[0]);
	md_stream_half_free(ctx, &ssn->h[1]);
	md_free(ssn);
	f->tcp = NULL;
	md_memcap_release(&ctx->memcap, sizeof(*ssn));
	ctx->ctr->v[MD_CTR_TCP_ACTIVE_SESSIONS]--;
	MD_SET(ctx->ctr, TCP_REASSEMBLY_MEMUSE, ctx->memcap.used);
}

enum md_tcp_state md_stream_state(const struct md_flow *f)
{
	const struct md_tcp_session *ssn = f ? f->tcp : NULL;

	return ssn ? (enum md_tcp_state)ssn->state : MD_TCP_NONE;
}

bool md_stream_pending(const struct md_flow *f, int dir, uint32_t seq_end)
{
	const struct md_tcp_session *ssn = f ? f->tcp : NULL;
	const struct md_tcp_half *h;

	if (!ssn || (ssn->flags & (MD_SSN_NOREASM | MD_SSN_RST)))
		return false;
	h = &ssn->h[dir & 1];
	if (!(h->flags & MD_HALF_INIT) || (h->flags & MD_HALF_DEPTH))
		return false;
	return md_seq_lt(h->next_seq, seq_end);
}

const char *md_stream_state_name(enum md_tcp_state s)
{
	if ((unsigned)s >= sizeof(state_names) / sizeof(state_names[0]))
		return "none";
	return state_names[s];
}

bool md_stream_had_gap(const struct md_flow *f, int dir)
{
	const struct md_tcp_session *ssn = f ? f->tcp : NULL;

	return ssn && (ssn->h[dir & 1].flags & MD_HALF_GAP);
}

const char *md_stream_event_name(unsigned ev)
{
	return ev < MD_SEV_MAX ? event_names[ev] : "";
}
