/* astm-frame.c - ASTM E1381 low-level protocol over TCP: probe, the link
 * layer (ENQ, ACK, NAK, EOT, frames), the parser contract and the plugin
 * descriptor.
 *
 * Normative reference: ASTM E1381-02 / CLSI LIS1-A, sections 6-8 (data
 * link layer: establishment, transfer and termination phases, frames,
 * checksum, frame numbers, error recovery).
 *
 *   STX FN text ETB|ETX C1 C2 CR LF     (see astm.h)
 *
 * A frame is held (copied) until the other side answers it: ACK or a
 * receiver interrupt (EOT) accepts it, NAK discards it (the sender sends
 * it again with the same frame number). When no answer is seen before the
 * sender's next frame, EOT or end of stream (a capture of one direction),
 * a frame with a right checksum is taken as accepted. Only accepted
 * frames become records, so what a rule sees is what the receiver took.
 */
#include <stdlib.h>
#include <string.h>

#include <md-plugin.h>
#include <md-rd.h>

#include "astm.h"

enum { GO, MORE };

static bool is_hex(int ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'F') ||
	       (ch >= 'a' && ch <= 'f');
}

static unsigned hex_val(int ch)
{
	if (ch >= '0' && ch <= '9')
		return (unsigned)(ch - '0');
	if (ch >= 'a' && ch <= 'f')
		return (unsigned)(ch - 'a' + 10);
	return (unsigned)(ch - 'A' + 10);
}

/* Context of the other direction (the sender a reply answers). */
static struct astm_ctx other_ctx(const struct astm_ctx *c)
{
	struct astm_ctx o = {c->s, c->o, c->d,
			     c->dir == MD_DIR_TOSERVER ? MD_DIR_TOCLIENT
						       : MD_DIR_TOSERVER,
			     c->k};
	return o;
}

/* The held frame was accepted: it joins the record being assembled. */
static void commit(struct astm_ctx *c)
{
	struct astm_dir *d = c->d;
	if (!d->pend)
		return;
	d->pend = false;
	d->last_fn = (int8_t)d->pend_fn;
	astm_frame_accept(c, d->pend_buf, d->pend_len, d->pend_final);
}

/* No answer seen for the held frame: accepted when its checksum is
 * right, as a receiver following the standard would have done. */
static void settle(struct astm_ctx *c)
{
	if (c->d->pend && c->d->pend_good)
		commit(c);
	c->d->pend = false;
}

/* Count a reply to the sender of context c; raise nak_storm once per
 * storm. */
static void track_reply(struct astm_ctx *c, bool nak)
{
	struct astm_dir *d = c->d;
	d->nak_bits = (d->nak_bits << 1) | (nak ? 1u : 0u);
	d->nak_run = nak ? d->nak_run + 1 : 0;
	if (nak)
		d->n_naks++;
	unsigned in_window = (unsigned)__builtin_popcount(d->nak_bits);
	bool storm =
	    d->nak_run >= ASTM_NAK_RUN || in_window >= ASTM_NAK_IN_WINDOW;
	if (storm && !d->storm)
		astm_event(c, AE_NAK_STORM);
	d->storm = storm;
}

static void on_reply(struct astm_ctx *c, int ch)
{
	struct astm_ctx o = other_ctx(c);
	if (ch == ASTM_ACK) {
		track_reply(&o, false);
		commit(&o);
	} else if (ch == ASTM_NAK) {
		track_reply(&o, true);
		o.d->pend = false;
	} else if (o.d->pend) {
		commit(&o); /* EOT as a reply: receiver interrupt, accepted */
	}
}

/* End of a transfer by its sender (EOT), or a new ENQ in the middle of
 * one. */
static void transfer_end(struct astm_ctx *c)
{
	settle(c);
	astm_msg_end(c, false);
	c->d->enq_seen = false;
	c->d->last_fn = -1;
	c->d->rec_len = 0;
	c->d->rec_trunc = false;
}

static void on_control(struct astm_ctx *c, int ch)
{
	struct astm_dir *d = c->d;
	d->unexpected = false;
	if (ch == ASTM_ENQ) {
		if (d->last_fn >= 0 || d->pend)
			transfer_end(c);
		d->enq_seen = true;
		d->last_fn = -1;
	} else if (ch == ASTM_EOT && (d->enq_seen || d->last_fn >= 0)) {
		transfer_end(c);
	} else {
		/* A side that answers has yielded the line. */
		if (ch != ASTM_EOT && d->last_fn < 0 && !d->pend)
			d->enq_seen = false;
		on_reply(c, ch);
	}
}

/* A complete frame: check it and hold it until it is answered. */
static void frame_done(struct astm_ctx *c, int fn, struct md_span text,
		       bool final, bool good)
{
	struct astm_dir *d = c->d;
	settle(c);
	/* Accepted already: a retransmission after a lost ACK. */
	if (fn >= 0 && d->last_fn >= 0 && fn == d->last_fn)
		return;
	if (fn >= 0) {
		int want = d->last_fn >= 0 ? (d->last_fn + 1) % 8
			   : d->enq_seen   ? 1
					   : fn;
		if (fn != want)
			astm_event(c, AE_FRAME_NUMBER_GAP);
	}
	if (text.len > d->pend_cap) {
		uint8_t *nb = realloc(d->pend_buf, text.len);
		if (!nb)
			return;
		d->pend_buf = nb;
		d->pend_cap = (uint32_t)text.len;
	}
	if (text.len)
		memcpy(d->pend_buf, text.p, text.len);
	d->pend_len = (uint32_t)text.len;
	d->pend = true;
	d->pend_good = good;
	d->pend_final = final;
	d->pend_fn = (uint8_t)(fn >= 0 ? fn : (d->last_fn + 1) % 8);
}

/* Offset from STX of the first ETB, ETX, STX or LF after it, or -1. */
static long frame_end(struct astm_dir *d, const struct md_rd *r)
{
	size_t at = d->scanned ? d->scanned : 1;
	for (int ch; (ch = md_rd_peek(r, at)) >= 0; at++)
		if (ch == ASTM_ETB || ch == ASTM_ETX || ch == ASTM_STX ||
		    ch == ASTM_LF) {
			d->scanned = 0;
			return (long)at;
		}
	d->scanned = at;
	return -1;
}

/* r is at an STX. Consumes one frame (or what of a broken one can be
 * skipped) and returns GO, or MORE when the frame is not complete. */
static int frame(struct astm_ctx *c, struct md_rd *r)
{
	struct astm_dir *d = c->d;
	long e = frame_end(d, r);
	if (e < 0) {
		if (md_rd_left(r) <= c->s->frame_max)
			return MORE;
		astm_event(c, AE_OVERSIZED_FRAME);
		d->scanned = 0;
		d->mode = ASTM_M_SKIP;
		md_rd_skip(r, md_rd_left(r));
		return GO;
	}
	int term = md_rd_peek(r, (size_t)e);
	if (term == ASTM_STX || term == ASTM_LF) { /* no ETB/ETX */
		astm_event(c, AE_MALFORMED_FRAME);
		md_rd_skip(r, (size_t)e + (term == ASTM_LF));
		return GO;
	}
	if (e < 2) { /* STX then ETB/ETX: no frame number */
		astm_event(c, AE_MALFORMED_FRAME);
		md_rd_skip(r, (size_t)e + 1);
		return GO;
	}
	if (md_rd_left(r) < (size_t)e + 5)
		return MORE;
	struct md_rd f = md_rd_sub(r, (size_t)e + 1);
	md_rd_skip(&f, 1); /* STX */
	int fn = md_rd_u8(&f);
	unsigned sum = (unsigned)fn + (unsigned)term;
	struct md_span text = md_rd_span(&f, (size_t)e - 2);
	struct md_rd t = md_rd_make(text.p, text.len);
	while (md_rd_left(&t))
		sum += md_rd_u8(&t);
	int c1 = md_rd_u8(r), c2 = md_rd_u8(r);
	bool ok = fn >= '0' && fn <= '7' && is_hex(c1) && is_hex(c2);
	bool crlf = md_rd_peek(r, 0) == ASTM_CR && md_rd_peek(r, 1) == ASTM_LF;
	if (crlf)
		md_rd_skip(r, 2);
	if (!ok || !crlf)
		astm_event(c, AE_MALFORMED_FRAME);
	d->unexpected = !crlf; /* the broken trailer is not reported twice */
	bool good = ok && (sum & 0xff) == (hex_val(c1) << 4 | hex_val(c2));
	if (ok && !good)
		astm_event(c, AE_BAD_CHECKSUM);
	if ((size_t)e + 5 > ASTM_FRAME_MAX)
		astm_event(c, AE_OVERSIZED_FRAME);
	frame_done(c, fn >= '0' && fn <= '7' ? fn - '0' : -1, text,
		   term == ASTM_ETX, good);
	return GO;
}

/* Discard the rest of an oversized frame: up to its ETB/ETX, then up to
 * the LF of its trailer (stopping at the next control character). */
static void skip(struct astm_ctx *c, struct md_rd *r)
{
	struct astm_dir *d = c->d;
	while (md_rd_left(r)) {
		int ch = md_rd_peek(r, 0);
		if (d->mode == ASTM_M_SKIP) {
			md_rd_skip(r, 1);
			if (ch == ASTM_ETB || ch == ASTM_ETX)
				d->mode = ASTM_M_TRAIL;
			continue;
		}
		if (ch == ASTM_STX || ch == ASTM_ENQ || ch == ASTM_EOT) {
			d->mode = ASTM_M_IDLE;
			return;
		}
		md_rd_skip(r, 1);
		if (ch == ASTM_LF) {
			d->mode = ASTM_M_IDLE;
			return;
		}
	}
}

static int step(struct astm_ctx *c, struct md_rd *r)
{
	struct astm_dir *d = c->d;
	if (d->mode != ASTM_M_IDLE) {
		skip(c, r);
		return GO;
	}
	int ch = md_rd_peek(r, 0);
	if (ch == ASTM_STX) {
		int rc = frame(c, r);
		d->in_frame = rc == MORE;
		return rc;
	}
	md_rd_skip(r, 1);
	if (ch == ASTM_ENQ || ch == ASTM_ACK || ch == ASTM_NAK ||
	    ch == ASTM_EOT) {
		on_control(c, ch);
	} else if (!d->unexpected) {
		d->unexpected = true;
		astm_event(c, AE_UNEXPECTED_DATA);
	}
	return GO;
}

/* ---- the contract -------------------------------------------------------- */

/* ASTM starts with ENQ then a frame (STX, frame number, a record type
 * letter); replies (ACK, NAK, EOT) and ENQ retries may come first. */
static enum md_probe_rc astm_probe(const uint8_t *buf, size_t len,
				   enum md_dir dir)
{
	struct md_rd r = md_rd_make(buf, len);
	size_t at = 0;
	int ch;
	(void)dir;
	while (at < 16 && ((ch = md_rd_peek(&r, at)) == ASTM_ENQ ||
			   ch == ASTM_ACK || ch == ASTM_NAK || ch == ASTM_EOT))
		at++;
	if (at == 16)
		return MD_PROBE_NO;
	ch = md_rd_peek(&r, at);
	if (ch < 0)
		return MD_PROBE_NEED_MORE;
	if (ch != ASTM_STX)
		return MD_PROBE_NO;
	int fn = md_rd_peek(&r, at + 1), type = md_rd_peek(&r, at + 2),
	    delim = md_rd_peek(&r, at + 3);
	if (fn < 0 || type < 0 || delim < 0)
		return MD_PROBE_NEED_MORE;
	if (fn < '0' || fn > '7' || type < 'A' || type > 'Z' || delim <= ' ' ||
	    delim > '~' || (delim >= '0' && delim <= '9') ||
	    (delim >= 'A' && delim <= 'Z') || (delim >= 'a' && delim <= 'z'))
		return MD_PROBE_NO;
	return MD_PROBE_YES;
}

static int astm_init(void *st, const struct md_limits *lim)
{
	struct astm_state *s = st;
	s->lim = *lim;
	if (!s->lim.max_field)
		s->lim.max_field = 65536;
	if (s->lim.max_field < 256)
		s->lim.max_field = 256;
	if (!s->lim.max_items)
		s->lim.max_items = 256;
	/* A frame waits whole with the engine: keep it under max-buffer. */
	s->frame_max = s->lim.max_field;
	if (s->lim.max_buffer && s->frame_max > s->lim.max_buffer / 2)
		s->frame_max = s->lim.max_buffer / 2;
	for (int i = 0; i < 2; i++) {
		s->d[i].last_fn = -1;
		memcpy(s->d[i].dl, "|\\^&", 4);
	}
	return 0;
}

static struct astm_ctx make_ctx(struct astm_state *s, enum md_dir dir,
				const struct md_sink *k)
{
	struct astm_ctx c = {s, &s->d[dir & 1], &s->d[(dir & 1) ^ 1], dir, k};
	return c;
}

static enum md_parse_rc astm_parse(void *st, enum md_dir dir,
				   const uint8_t *buf, size_t len,
				   size_t *consumed, const struct md_sink *k)
{
	struct astm_ctx c = make_ctx(st, dir, k);
	struct md_rd r = md_rd_make(buf, len);
	while (md_rd_left(&r) > 0 && step(&c, &r) == GO)
		;
	*consumed = r.off;
	return MD_PARSE_MORE;
}

static void astm_gap(void *st, enum md_dir dir, uint64_t len,
		     const struct md_sink *k)
{
	struct astm_ctx c = make_ctx(st, dir, k);
	struct astm_dir *d = c.d;
	(void)len;
	d->pend = false;
	astm_msg_end(&c, true); /* cut by the gap, not by the sender */
	d->mode = ASTM_M_IDLE;
	d->scanned = 0;
	d->in_frame = false;
	d->last_fn = -1;
	d->enq_seen = false;
	d->rec_len = 0;
	d->rec_trunc = false;
}

static void astm_eof(void *st, enum md_dir dir, const struct md_sink *k)
{
	struct astm_ctx c = make_ctx(st, dir, k);
	if (c.d->in_frame || c.d->mode != ASTM_M_IDLE)
		astm_event(&c, AE_MALFORMED_FRAME);
	c.d->in_frame = false;
	c.d->mode = ASTM_M_IDLE;
	settle(&c);
	astm_msg_end(&c, false);
}

static void astm_fini(void *st)
{
	struct astm_state *s = st;
	for (int i = 0; i < 2; i++)
		astm_dir_fini(&s->d[i]);
}

const struct md_parser astm_parser = {
    .abi = MD_PARSER_ABI,
    .name = "astm",
    .desc = "ASTM E1381/E1394 (CLSI LIS1-A/LIS2-A2) laboratory instruments",
    .ipproto = 6,
    .ports = NULL, /* no registered port: recognised by content */
    .state_size = sizeof(struct astm_state),
    .tx_done_progress = ASTM_PROG_DONE,
    .probe = astm_probe,
    .init = astm_init,
    .parse = astm_parse,
    .gap = astm_gap,
    .eof = astm_eof,
    .fini = astm_fini,
    .events = astm_events,
    .n_events = AE_MAX,
    .fields = astm_fields,
    .n_fields = AF_MAX,
};

static const struct md_parser *const astm_parsers[] = {&astm_parser, NULL};
static const char *const astm_rule_files[] = {"astm-events.rules", NULL};

/* The plugin descriptor medids reads through md_plugin_register(). */
static const struct md_plugin astm_plugin = {
    .abi = MD_PARSER_ABI,
    .name = "astm",
    .version = "1.0.0",
    .desc = "ASTM E1381/E1394 laboratory instrument protocol",
    .parsers = astm_parsers,
    .rule_files = astm_rule_files,
    .eve_schema = "eve-schema.json",
};

MD_PLUGIN_EXPORT(astm_plugin)
