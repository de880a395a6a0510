/* x73.c - IEEE 11073-20601 over TCP: the parser descriptor
 * (md_parser_ieee11073), probe, APDU framing, the association APDUs
 * (AARQ, AARE, RLRQ, RLRE, ABRT) and the helpers the other files report
 * through. Layouts: x73.h.
 *
 * Normative reference: ISO/IEEE 11073-20601:2010 clause 8 (association
 * procedure and state machine), annex A (APDU ASN.1), annex F (MDER).
 *
 *   stream:  APDU APDU ...  each  choice (2) length (2) body
 *
 *   HEAD --whole APDU held--> parse it --> HEAD
 *     |--length over 63 KiB / max-pdu, unknown choice--> SKIP (streamed)
 *   gap --> RESYNC: look for a plausible APDU header, then HEAD
 *
 * The agent is the side sending the AARQ (its system-type says agent);
 * association transactions are AARQ+AARE and RLRQ+RLRE pairs, an ABRT is
 * one on its own.
 */
#include <stdio.h>
#include <string.h>

#include "md-plugin.h"
#include "x73.h"

/* ---- sink helpers ------------------------------------------------------- */

void x73_event(struct x73_ctx *c, unsigned ev)
{
	c->k->event(c->k->ctx, c->tx, ev);
}

void x73_str(struct x73_ctx *c, unsigned f, const void *v, size_t len)
{
	if (c->tx != MD_TX_NONE)
		c->k->tx_str(c->k->ctx, c->tx, f, v, len);
}

void x73_cstr(struct x73_ctx *c, unsigned f, const char *v)
{
	x73_str(c, f, v, strlen(v));
}

void x73_uint(struct x73_ctx *c, unsigned f, uint64_t v)
{
	if (c->tx != MD_TX_NONE)
		c->k->tx_uint(c->k->ctx, c->tx, f, v);
}

void x73_group(struct x73_ctx *c, unsigned f)
{
	if (c->tx != MD_TX_NONE)
		c->k->tx_group(c->k->ctx, c->tx, f);
}

void x73_hex(struct x73_ctx *c, unsigned f, struct md_span s, size_t max)
{
	static const char hx[] = "0123456789abcdef";
	char txt[2 * X73_TEXT_MAX];
	struct md_rd r = md_rd_make(s.p, s.len);
	size_t n = 0;
	if (max > X73_TEXT_MAX)
		max = X73_TEXT_MAX;
	while (md_rd_left(&r) && n < 2 * max) {
		uint8_t b = md_rd_u8(&r);
		txt[n++] = hx[b >> 4];
		txt[n++] = hx[b & 15];
	}
	x73_str(c, f, txt, n);
}

const char *x73_role(const struct x73_state *s, enum md_dir dir)
{
	if (s->agent_dir < 0)
		return "unknown";
	return (int)dir == s->agent_dir ? "agent" : "manager";
}

void x73_done(struct x73_ctx *c, uint64_t tx)
{
	if (tx == MD_TX_NONE)
		return;
	c->k->tx_progress(c->k->ctx, tx, MD_DIR_TOSERVER, X73_PROG_DONE);
	c->k->tx_progress(c->k->ctx, tx, MD_DIR_TOCLIENT, X73_PROG_DONE);
}

/* Open a transaction in the current direction; apdu names its first APDU. */
static void tx_open(struct x73_ctx *c, uint16_t choice)
{
	c->tx = c->k->tx_new(c->k->ctx, c->dir);
	x73_cstr(c, XF_APDU, x73_apdu_name(choice));
	x73_cstr(c, XF_INVOKER, x73_role(c->s, c->dir));
}

/* The APDU body must be consumed exactly. */
static void body_end(struct x73_ctx *c, const struct md_rd *r)
{
	if (!md_rd_done(r))
		x73_event(c, XE_APDU_LENGTH_MISMATCH);
}

/* ---- association -------------------------------------------------------- */

/* PhdAssociationInformation of an AARQ (agent) or AARE (manager). */
static void phd_info(struct x73_ctx *c, struct md_rd *r, bool aarq)
{
	uint32_t pver = md_rd_be32(r);
	uint16_t enc = md_rd_be16(r);
	uint32_t nver = md_rd_be32(r);
	uint32_t fu = md_rd_be32(r);
	if (aarq) { /* the agent's proposal; the AARE's are not logged */
		x73_uint(c, XF_PROTOCOL_VERSION, pver);
		x73_uint(c, XF_ENCODING_RULES, enc);
		x73_uint(c, XF_NOMENCLATURE_VERSION, nver);
		x73_uint(c, XF_FUNCTIONAL_UNITS, fu);
	}
	uint32_t type = md_rd_be32(r);
	uint16_t idlen = md_rd_be16(r);
	struct md_span id = md_rd_span(r, idlen);
	uint16_t cfg = md_rd_be16(r);
	uint16_t flags = md_rd_be16(r);
	md_rd_skip(r, 2); /* init agent / manager counts */
	uint16_t ocount;
	struct md_rd opts = x73_list(c, r, &ocount);
	(void)opts;
	if (!md_rd_ok(r)) {
		x73_event(c, XE_ITEM_LENGTH_MISMATCH);
		return;
	}
	if (aarq) {
		x73_cstr(c, XF_SYSTEM_TYPE,
			 (type & 0x00800000u)	? "agent"
			 : (type & 0x80000000u) ? "manager"
						: "unknown");
		x73_hex(c, XF_SYSTEM_ID, id, 32);
		x73_uint(c, XF_DEV_CONFIG_ID, cfg);
		x73_uint(c, XF_DATA_REQ_MODE_FLAGS, flags);
		c->s->dev_config_id = cfg;
		bool std = x73_stdcfg_find(cfg) != NULL;
		if (cfg == 0 || cfg >= 0x8000 || (cfg < 0x4000 && !std))
			x73_event(c, XE_UNKNOWN_DEV_CONFIG_ID);
	} else {
		x73_hex(c, XF_MANAGER_SYSTEM_ID, id, 32);
	}
	if (md_rd_left(r))
		x73_event(c, XE_ITEM_LENGTH_MISMATCH);
}

/* data-proto-id and its Any; PhdAssociationInformation when 20601. */
static void data_proto(struct x73_ctx *c, struct md_rd *r, bool aarq)
{
	uint16_t id = md_rd_be16(r);
	uint16_t len = md_rd_be16(r);
	struct md_rd any = md_rd_sub(r, len);
	if (!md_rd_ok(r)) {
		x73_event(c, XE_ITEM_LENGTH_MISMATCH);
		return;
	}
	x73_uint(c, XF_DATA_PROTO_ID, id);
	if (id == X73_PROTO_20601 && len)
		phd_info(c, &any, aarq);
}

static void aarq(struct x73_ctx *c, struct md_rd *r)
{
	struct x73_state *s = c->s;
	if (s->aarq_open)
		x73_done(c, s->aarq_tx);
	s->agent_dir = (int8_t)c->dir;
	tx_open(c, X73_AARQ);
	s->aarq_open = true;
	s->aarq_dir = (uint8_t)c->dir;
	s->aarq_tx = c->tx;
	s->assoc = X73_A_REQUESTED;
	s->nodata_ev = false;
	s->cfg_known = false;
	x73_uint(c, XF_ASSOC_VERSION, md_rd_be32(r));
	uint16_t n;
	struct md_rd list = x73_list(c, r, &n);
	for (uint16_t i = 0; i < n && md_rd_left(&list); i++)
		data_proto(c, &list, true);
	if (md_rd_left(&list))
		x73_event(c, XE_ITEM_LENGTH_MISMATCH);
	body_end(c, r);
	if (c->tx != MD_TX_NONE)
		c->k->tx_progress(c->k->ctx, c->tx, c->dir, X73_PROG_DONE);
}

static void aare(struct x73_ctx *c, struct md_rd *r)
{
	struct x73_state *s = c->s;
	if (s->aarq_open && s->aarq_dir != c->dir) {
		c->tx = s->aarq_tx;
		x73_cstr(c, XF_APDU, "aare");
		s->aarq_open = false;
	} else {
		tx_open(c, X73_AARE);
		x73_event(c, XE_RESPONSE_WITHOUT_REQUEST);
	}
	uint16_t result = md_rd_be16(r);
	const char *name = x73_aare_result_name(result);
	x73_uint(c, XF_AARE_RESULT, result);
	x73_cstr(c, XF_AARE_RESULT_NAME, name ? name : "unknown");
	data_proto(c, r, false);
	body_end(c, r);
	if (result == 0 || result == 3) {
		s->assoc = X73_A_OPERATING;
		s->nodata_ev = false;
		if (result == 0)
			x73_cfg_load(s, s->dev_config_id);
	} else {
		s->assoc = X73_A_IDLE;
		s->nodata_ev = false;
	}
	x73_done(c, c->tx);
}

/* RLRQ, RLRE, ABRT: a reason of two bytes. */
static void release(struct x73_ctx *c, uint16_t choice, struct md_rd *r)
{
	struct x73_state *s = c->s;
	uint16_t reason = md_rd_be16(r);
	if (choice == X73_RLRE && s->rlrq_open && s->rlrq_dir != c->dir) {
		c->tx = s->rlrq_tx;
		x73_cstr(c, XF_APDU, "rlre");
		s->rlrq_open = false;
	} else {
		tx_open(c, choice);
		if (choice == X73_RLRE)
			x73_event(c, XE_RESPONSE_WITHOUT_REQUEST);
	}
	x73_uint(c,
		 choice == X73_RLRQ   ? XF_RLRQ_REASON
		 : choice == X73_RLRE ? XF_RLRE_REASON
				      : XF_ABORT_REASON,
		 reason);
	body_end(c, r);
	if (choice == X73_RLRQ) {
		if (s->rlrq_open)
			x73_done(c, s->rlrq_tx);
		s->rlrq_open = c->tx != MD_TX_NONE;
		s->rlrq_dir = (uint8_t)c->dir;
		s->rlrq_tx = c->tx;
		s->assoc = X73_A_RELEASING;
		if (c->tx != MD_TX_NONE)
			c->k->tx_progress(c->k->ctx, c->tx, c->dir,
					  X73_PROG_DONE);
		return;
	}
	s->assoc = X73_A_IDLE;
	s->nodata_ev = false;
	s->cfg_known = false;
	x73_done(c, c->tx);
	if (choice == X73_ABRT) {
		x73_data_flush(c);
		if (s->aarq_open)
			x73_done(c, s->aarq_tx);
		if (s->rlrq_open)
			x73_done(c, s->rlrq_tx);
		s->aarq_open = s->rlrq_open = false;
	}
}

/* One whole APDU: choice, then its body in r. */
static void apdu(struct x73_ctx *c, uint16_t choice, struct md_rd *r)
{
	c->tx = MD_TX_NONE;
	switch (choice) {
	case X73_AARQ:
		aarq(c, r);
		break;
	case X73_AARE:
		aare(c, r);
		break;
	case X73_RLRQ:
	case X73_RLRE:
	case X73_ABRT:
		release(c, choice, r);
		break;
	default:
		x73_prst(c, r);
		break;
	}
	c->tx = MD_TX_NONE;
}

/* ---- probe -------------------------------------------------------------- */

static bool data_choice_known(uint16_t ch)
{
	return x73_data_choice_name(ch) != NULL;
}

/* Structural checks of a first APDU of `len` body bytes, of which the
 * reader holds what arrived. Returns YES, NO or NEED_MORE. */
static enum md_probe_rc probe_body(uint16_t choice, uint16_t len,
				   struct md_rd *r)
{
	size_t need = choice == X73_AARQ ? 12 : choice == X73_AARE ? 6 : 2;
	if (choice == X73_PRST)
		need = 8;
	if (len < need)
		return MD_PROBE_NO;
	if (md_rd_left(r) < need)
		return MD_PROBE_NEED_MORE;
	if (choice == X73_AARQ) {
		uint32_t ver = md_rd_be32(r);
		uint16_t count = md_rd_be16(r), llen = md_rd_be16(r);
		uint16_t id = md_rd_be16(r), alen = md_rd_be16(r);
		return (ver & 0x80000000u) && count >= 1 && count <= 16 &&
			       llen == len - 8 && alen <= llen - 4 &&
			       (id == X73_PROTO_20601 || count > 1)
			   ? MD_PROBE_YES
			   : MD_PROBE_NO;
	}
	if (choice == X73_AARE) {
		uint16_t res = md_rd_be16(r), id = md_rd_be16(r);
		uint16_t alen = md_rd_be16(r);
		return res <= 8 && alen == len - 6 &&
			       (id == X73_PROTO_20601 || id == 0 ||
				id == 0xFFFF)
			   ? MD_PROBE_YES
			   : MD_PROBE_NO;
	}
	if (choice == X73_PRST) {
		uint16_t olen = md_rd_be16(r);
		md_rd_skip(r, 2);
		uint16_t ch = md_rd_be16(r), mlen = md_rd_be16(r);
		return olen == len - 2 && mlen == olen - 6 &&
			       data_choice_known(ch)
			   ? MD_PROBE_YES
			   : MD_PROBE_NO;
	}
	uint16_t reason = md_rd_be16(r);
	return len == 2 && reason <= 3 ? MD_PROBE_YES : MD_PROBE_NO;
}

static enum md_probe_rc x73_probe(const uint8_t *buf, size_t len,
				  enum md_dir dir)
{
	struct md_rd r = md_rd_make(buf, len);
	(void)dir;
	int b0 = md_rd_peek(&r, 0), b1 = md_rd_peek(&r, 1);
	if (b0 < 0)
		return MD_PROBE_NEED_MORE;
	if (b0 < 0xE2 || b0 > 0xE7 || b1 > 0)
		return MD_PROBE_NO;
	if (md_rd_left(&r) < 4)
		return MD_PROBE_NEED_MORE;
	uint16_t choice = md_rd_be16(&r);
	uint16_t alen = md_rd_be16(&r);
	if (alen > X73_APDU_MAX)
		return MD_PROBE_NO;
	return probe_body(choice, alen, &r);
}

/* ---- framing ------------------------------------------------------------ */

static bool choice_known(uint16_t choice)
{
	return x73_apdu_name(choice) != NULL;
}

/* After a gap: offset of the first plausible APDU header in r (a header
 * the probe accepts, or one it needs more bytes for when `final` is
 * false), -1 when none. */
static long resync_find(const struct md_rd *r, bool *more)
{
	size_t left = md_rd_left(r);
	*more = false;
	for (size_t at = 0; at < left; at++) {
		int b = md_rd_peek(r, at);
		if (b < 0xE2 || b > 0xE7)
			continue;
		struct md_rd w = *r;
		md_rd_skip(&w, at);
		enum md_probe_rc rc = x73_probe(md_rd_pos(&w), left - at, 0);
		if (rc == MD_PROBE_YES)
			return (long)at;
		if (rc == MD_PROBE_NEED_MORE) {
			*more = true;
			return (long)at;
		}
	}
	return -1;
}

/* One step at an APDU header. Returns bytes consumed, 0 for "need more". */
static size_t head_step(struct x73_ctx *c, struct x73_dir *d, struct md_rd *r)
{
	if (md_rd_left(r) < 4)
		return 0;
	struct md_rd h = *r;
	uint16_t choice = md_rd_be16(&h);
	uint32_t len = md_rd_be16(&h);
	const struct md_limits *lim = &c->s->lim;
	uint32_t max = X73_APDU_MAX;
	if (lim->max_pdu && lim->max_pdu < max)
		max = lim->max_pdu;
	if (lim->max_buffer > 4 && lim->max_buffer - 4 < max)
		max = lim->max_buffer - 4; /* the engine could not hold it */
	c->tx = MD_TX_NONE;
	if (!choice_known(choice) && (choice >> 12) != 0xE) {
		/* not an APDU header at all: framing is lost */
		x73_event(c, XE_UNKNOWN_APDU_CHOICE);
		d->mode = X73_M_RESYNC;
		return 1;
	}
	if (!choice_known(choice) || len > max) {
		x73_event(c, choice_known(choice) ? XE_APDU_TOO_LONG
						  : XE_UNKNOWN_APDU_CHOICE);
		d->mode = len ? X73_M_SKIP : X73_M_HEAD;
		d->skip_left = len;
		return 4;
	}
	if (md_rd_left(&h) < len)
		return 0;
	struct md_rd body = md_rd_sub(&h, len);
	apdu(c, choice, &body);
	return 4 + len;
}

/* One step after a gap or lost framing. Returns bytes consumed; 0 when a
 * candidate header at the start needs more bytes. */
static size_t resync_step(struct x73_dir *d, struct md_rd *r)
{
	bool more;
	long at = resync_find(r, &more);
	if (at < 0)
		return md_rd_left(r);
	if (!more)
		d->mode = X73_M_HEAD;
	return (size_t)at;
}

static enum md_parse_rc x73_parse(void *st, enum md_dir dir, const uint8_t *buf,
				  size_t len, size_t *consumed,
				  const struct md_sink *sink)
{
	struct x73_state *s = st;
	struct x73_ctx c = {s, dir, sink, MD_TX_NONE};
	struct x73_dir *d = &s->d[dir];
	struct md_rd r = md_rd_make(buf, len);
	for (;;) {
		size_t left = md_rd_left(&r), used;
		if (!left)
			break;
		if (d->mode == X73_M_SKIP) {
			used = left < d->skip_left ? left : d->skip_left;
			d->skip_left -= (uint32_t)used;
			if (!d->skip_left)
				d->mode = X73_M_HEAD;
		} else if (d->mode == X73_M_RESYNC) {
			uint8_t before = d->mode;
			used = resync_step(d, &r);
			if (!used && d->mode == before)
				break;
		} else {
			used = head_step(&c, d, &r);
			if (!used)
				break;
		}
		md_rd_skip(&r, used);
	}
	*consumed = r.off;
	d->partial = r.off < len;
	return d->partial ? MD_PARSE_MORE : MD_PARSE_OK;
}

static void x73_gap(void *st, enum md_dir dir, uint64_t len,
		    const struct md_sink *sink)
{
	struct x73_state *s = st;
	struct x73_ctx c = {s, dir, sink, MD_TX_NONE};
	struct x73_dir *d = &s->d[dir];
	(void)len;
	if (d->mode == X73_M_SKIP && len < d->skip_left) {
		d->skip_left -= (uint32_t)len;
		return;
	}
	x73_event(&c, d->partial || d->mode == X73_M_SKIP ? XE_TRUNCATED_APDU
							  : XE_STREAM_GAP);
	d->mode = X73_M_RESYNC;
	d->skip_left = 0;
	d->partial = false;
}

static void x73_eof(void *st, enum md_dir dir, const struct md_sink *sink)
{
	struct x73_state *s = st;
	struct x73_ctx c = {s, dir, sink, MD_TX_NONE};
	if (s->d[dir].mode == X73_M_SKIP ||
	    (s->d[dir].mode == X73_M_HEAD && s->d[dir].partial))
		x73_event(&c, XE_TRUNCATED_APDU);
	x73_data_flush(&c);
	if (s->aarq_open)
		x73_done(&c, s->aarq_tx);
	if (s->rlrq_open)
		x73_done(&c, s->rlrq_tx);
	s->aarq_open = s->rlrq_open = false;
}

static int x73_init(void *st, const struct md_limits *lim)
{
	struct x73_state *s = st;
	s->lim = *lim;
	if (!s->lim.max_items)
		s->lim.max_items = 256;
	s->agent_dir = -1;
	return 0;
}

static const uint16_t x73_ports[] = {6024, 0};

const struct md_parser md_parser_ieee11073 = {
    .abi = MD_PARSER_ABI,
    .name = "ieee11073",
    .desc = "IEEE 11073-20601 personal health device APDUs over TCP",
    .ipproto = 6,
    .ports = x73_ports,
    .state_size = sizeof(struct x73_state),
    .tx_done_progress = X73_PROG_DONE,
    .probe = x73_probe,
    .init = x73_init,
    .parse = x73_parse,
    .gap = x73_gap,
    .eof = x73_eof,
    .events = x73_events,
    .n_events = XE_MAX,
    .fields = x73_fields,
    .n_fields = XF_MAX,
};

static const struct md_parser *const ieee11073_parsers[] = {
    &md_parser_ieee11073, NULL};

/* Registered as a built-in plugin (plugin/registry.c). */
const struct md_plugin md_plugin_ieee11073 = {
    .abi = MD_PARSER_ABI,
    .name = "ieee11073",
    .version = "built-in",
    .desc = "IEEE 11073-20601 personal health devices",
    .parsers = ieee11073_parsers,
};
