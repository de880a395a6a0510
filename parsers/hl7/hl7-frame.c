/* hl7-frame.c - HL7 v2 over MLLP: detection, framing and the parser
 * descriptor (md_parser_hl7).
 *
 * Normative reference: Minimal Lower Layer Protocol release 2 (HL7 v2
 * Transport Specification, implementation guide appendix C) and HL7
 * Version 2.x chapter 2 (segment terminator CR, batch protocol).
 *
 *   stream:  { junk | 0x0B content 0x1C 0x0D | content without framing }
 *   content: segment CR segment CR ... (CR or LF or CR LF tolerated; the
 *            last CR before 0x1C may be missing, as mllp_send sends it)
 *
 *   IDLE --0x0B--> MSG --segment--> MSG --0x1C--> TRAILER --0x0D--> IDLE
 *    |               |  \--too long to hold--> SEGTAIL --CR/LF--> MSG
 *    \--"MSH|"-------/   (no framing: messages end at the next MSH,
 *                         FHS/BHS/BTS/FTS or 0x0B)
 *
 * Bytes are consumed segment by segment: a segment is left to the engine
 * until its terminator arrives (at most seg_max = max_buffer / 2 bytes);
 * a longer one has its head parsed and the rest streamed, measuring its
 * fields. A message may run to max_pdu bytes; past that it raises
 * message_too_large and is only framed until its end. An ACK's MSH is held
 * until its MSA-2 is seen (at most HL7_LOOKAHEAD bytes) so the ACK can be
 * folded into the transaction of the message it acknowledges.
 */
#include <string.h>

#include "hl7.h"
#include "md-plugin.h"

enum { GO = 0, NEED = 1 };

static bool is_term(int b)
{
	return b == HL7_CR || b == HL7_LF || b == HL7_SB || b == HL7_EB;
}

/* Offset of the first segment terminator at or after `from`, looking at
 * no more than lim bytes; -1 when none. */
static long find_term(const struct md_rd *r, size_t from, size_t lim)
{
	static const uint8_t term[4] = {HL7_CR, HL7_LF, HL7_SB, HL7_EB};
	size_t left = md_rd_left(r);
	lim = lim < left ? lim : left;
	if (from >= lim)
		return -1;
	struct md_rd w = *r;
	md_rd_skip(&w, from);
	size_t win = lim - from;
	long best = -1;
	for (int i = 0; i < 4 && win; i++) {
		struct md_rd x = md_rd_make(md_rd_pos(&w), win);
		long at = md_rd_find(&x, term[i]);
		if (at >= 0) { /* later searches only need what precedes it */
			best = at;
			win = (size_t)at;
		}
	}
	return best < 0 ? -1 : (long)from + best;
}

/* Copy up to 3 id bytes; returns how many precede a terminator (0..3), or
 * -1 when more bytes are needed to know. */
static int peek_id(const struct md_rd *r, uint8_t id[3])
{
	memset(id, 0, 3);
	for (int i = 0; i < 3; i++) {
		int b = md_rd_peek(r, (size_t)i);
		if (b < 0)
			return -1;
		if (is_term(b))
			return i;
		id[i] = (uint8_t)b;
	}
	return 3;
}

static bool envelope_id(const uint8_t id[3])
{
	return hl7_id_is(id, "FHS") || hl7_id_is(id, "BHS") ||
	       hl7_id_is(id, "BTS") || hl7_id_is(id, "FTS");
}

/* MSH/FHS/BHS followed by a plausible field separator at r: 1 yes, 0 no,
 * -1 need more bytes. */
static int header_at(const struct md_rd *r, size_t at)
{
	static const char *const heads[] = {"MSH", "FHS", "BHS"};
	int sep = md_rd_peek(r, at + 3);
	for (size_t h = 0; h < 3; h++) {
		size_t i = 0;
		int b = 0;
		while (i < 3 && (b = md_rd_peek(r, at + i)) == heads[h][i])
			i++;
		if (i < 3 && b >= 0)
			continue;
		if (b < 0 || sep < 0)
			return -1;
		return sep > 0x20 && sep < 0x7f && !is_term(sep) &&
		       !((sep | 0x20) >= 'a' && (sep | 0x20) <= 'z') &&
		       !(sep >= '0' && sep <= '9');
	}
	return 0;
}

static void frame_begin(struct hl7_ctx *c, bool framed)
{
	struct hl7_dir *d = c->d;
	d->framed = framed;
	d->frame_segs = 0;
	d->missing_ev = false;
	d->junk_ev = false;
	d->resync = false;
	d->mode = HL7_M_MSG;
}

/* Count a segment of the open message and apply the message bounds. */
static void msg_grow(struct hl7_ctx *c, uint64_t bytes, bool segment)
{
	struct hl7_msg *m = &c->d->m;
	m->bytes += bytes;
	if (segment && ++m->nseg > c->s->lim.max_items && !m->ignore) {
		hl7_msg_event(c, HE_TOO_MANY_SEGMENTS);
		m->ignore = true;
	}
	if (m->bytes > c->s->msg_max &&
	    !(m->events & (1u << HE_MESSAGE_TOO_LARGE))) {
		hl7_msg_event(c, HE_MESSAGE_TOO_LARGE);
		m->ignore = true;
	}
}

/* ---- between frames ------------------------------------------------------ */

static int step_idle(struct hl7_ctx *c, struct md_rd *r)
{
	struct hl7_dir *d = c->d;
	int b = md_rd_peek(r, 0);
	if (b == HL7_SB) {
		md_rd_skip(r, 1);
		frame_begin(c, true);
		return GO;
	}
	if (b == HL7_CR || b == HL7_LF) {
		md_rd_skip(r, 1);
		return GO;
	}
	int h = header_at(r, 0);
	if (h < 0)
		return NEED;
	if (h > 0) {
		if (!d->nomllp_ev)
			hl7_flow_event(c, HE_NO_MLLP_FRAMING);
		d->nomllp_ev = true;
		frame_begin(c, false);
		return GO;
	}
	if (!d->junk_ev && !d->resync)
		hl7_flow_event(c, HE_BAD_MLLP_FRAME);
	d->junk_ev = true;
	size_t n = 1;
	while (n < md_rd_left(r) && md_rd_peek(r, n) != HL7_SB &&
	       md_rd_peek(r, n) != HL7_CR && md_rd_peek(r, n) != HL7_LF)
		n++;
	md_rd_skip(r, n);
	return GO;
}

static int step_trailer(struct hl7_ctx *c, struct md_rd *r)
{
	if (md_rd_peek(r, 0) == HL7_CR)
		md_rd_skip(r, 1);
	else
		hl7_flow_event(c, HE_BAD_MLLP_FRAME);
	c->d->mode = HL7_M_IDLE;
	return GO;
}

/* ---- segments ------------------------------------------------------------ */

/* Look past an ACK's MSH (at r, msh_len bytes) for its MSA-2. GO with out
 * filled when decided, NEED when more bytes could still decide. */
static int ack_lookahead(struct hl7_ctx *c, const struct md_rd *r,
			 size_t msh_len, struct hl7_msa *out)
{
	size_t win =
	    c->s->seg_max < HL7_LOOKAHEAD ? c->s->seg_max : HL7_LOOKAHEAD;
	struct md_rd all = *r;
	bool full = md_rd_left(&all) >= win;
	struct md_rd w = md_rd_sub(&all, full ? win : md_rd_left(&all));
	memset(out, 0, sizeof(*out));
	md_rd_skip(&w, msh_len);
	for (;;) {
		int b = md_rd_peek(&w, 0);
		if (b < 0)
			return full ? GO : NEED;
		if (b == HL7_CR || b == HL7_LF) {
			md_rd_skip(&w, 1);
			continue;
		}
		if (b == HL7_SB || b == HL7_EB)
			return GO;
		long t = find_term(&w, 0, md_rd_left(&w));
		if (t < 0)
			return full ? GO : NEED;
		struct md_span seg = md_rd_span(&w, (size_t)t);
		uint8_t id[3];
		hl7_seg_id(seg, id);
		if (hl7_id_is(id, "MSA")) {
			struct md_span f2 = hl7_seg_field(c, seg, 2);
			out->found = true;
			out->hash = hl7_hash(f2);
			out->len = f2.len;
			return GO;
		}
		if (!hl7_id_is(id, "SFT") && !hl7_id_is(id, "UAC"))
			return GO;
	}
}

/* An MSH: end the open message, take the delimiters, open the next. */
static int msh(struct hl7_ctx *c, const struct md_rd *r, struct md_span seg,
	       bool head)
{
	struct hl7_dir *d = c->d;
	struct hl7_delims old = d->dl;
	struct hl7_msa msa = {false, 0, 0};
	char code[HL7_CODE_MAX + 1];
	struct md_span ctl;
	bool ok = hl7_delims_parse(seg, &d->dl);
	hl7_msh_peek(c, seg, code, sizeof(code), &ctl);
	if (strcmp(code, "ACK") == 0 && !head &&
	    ack_lookahead(c, r, seg.len, &msa) == NEED) {
		d->dl = old;
		return NEED;
	}
	struct hl7_delims now = d->dl;
	d->dl = old;
	hl7_msg_end(c);
	d->dl = now;
	d->frame_segs++;
	hl7_msg_begin(c, code, hl7_hash(ctl), ctl.len, &msa);
	if (!ok)
		hl7_msg_event(c, HE_INVALID_DELIMITERS);
	msg_grow(c, seg.len, true);
	if (!d->m.ignore)
		hl7_seg_process(c, seg, head);
	return GO;
}

/* FHS/BHS/BTS/FTS: batch envelope, outside any message. */
static void envelope(struct hl7_ctx *c, struct md_span seg, const uint8_t id[3])
{
	struct hl7_dir *d = c->d;
	hl7_msg_end(c);
	d->frame_segs++;
	if (hl7_id_is(id, "FHS") || hl7_id_is(id, "BHS")) {
		if (!hl7_delims_parse(seg, &d->dl))
			hl7_flow_event(c, HE_INVALID_DELIMITERS);
		d->in_batch = true;
	} else {
		d->in_batch = false;
	}
}

/* A segment not held whole: counted, then streamed to its terminator. */
static int skip_segment(struct hl7_ctx *c)
{
	struct hl7_dir *d = c->d;
	if (d->m.open) {
		msg_grow(c, 0, true);
	} else {
		if (d->framed && !d->missing_ev)
			hl7_flow_event(c, HE_MISSING_MSH);
		d->missing_ev = true;
		d->frame_segs++;
	}
	d->tail_count = false;
	d->mode = HL7_M_SEGTAIL;
	return GO;
}

static int segment(struct hl7_ctx *c, struct md_rd *r)
{
	struct hl7_dir *d = c->d;
	uint8_t id[3];
	int n = peek_id(r, id);
	if (n < 0)
		return NEED;
	bool hdr = n == 3 && (hl7_id_is(id, "MSH") || envelope_id(id));
	if (!hdr && (!d->m.open || d->m.ignore))
		return skip_segment(c);
	size_t avail = md_rd_left(r), max = c->s->seg_max;
	long t = find_term(r, d->scanned, max);
	bool head = t < 0;
	if (head && avail < max) {
		d->scanned = avail;
		return NEED;
	}
	struct md_rd at = *r;
	struct md_span seg = md_rd_span(&at, head ? max : (size_t)t);
	if (hl7_id_is(id, "MSH")) {
		if (msh(c, r, seg, head) == NEED) {
			d->scanned = 0;
			return NEED;
		}
	} else if (hdr) {
		envelope(c, seg, id);
	} else {
		msg_grow(c, seg.len, true);
		if (!d->m.ignore)
			hl7_seg_process(c, seg, head);
	}
	d->scanned = 0;
	md_rd_skip(r, seg.len);
	if (head) {
		d->tail_count = d->m.open && !d->m.ignore;
		d->mode = HL7_M_SEGTAIL;
	}
	return GO;
}

/* The rest of a segment not held whole, up to its terminator: skipped,
 * or (after a head) measured field by field until the message bound. */
static int step_tail(struct hl7_ctx *c, struct md_rd *r)
{
	struct hl7_dir *d = c->d;
	int b;
	while (d->tail_count && (b = md_rd_peek(r, 0)) >= 0 && !is_term(b)) {
		md_rd_skip(r, 1);
		if (b == d->dl.field) {
			hl7_field_len(c, d->tail_flen);
			d->tail_flen = 0;
		} else {
			d->tail_flen++;
			if ((b < 0x20 && b != '\t') || b == 0x7f)
				hl7_msg_event(c, HE_NON_PRINTABLE_BYTES);
		}
		msg_grow(c, 1, false);
		d->tail_count = !d->m.ignore;
	}
	if (!d->tail_count) {
		long t = find_term(r, 0, md_rd_left(r));
		size_t n = t < 0 ? md_rd_left(r) : (size_t)t;
		md_rd_skip(r, n);
		if (d->m.open)
			msg_grow(c, n, false);
	}
	if (md_rd_peek(r, 0) >= 0) { /* at the terminator */
		if (d->tail_count)
			hl7_field_len(c, d->tail_flen);
		d->tail_flen = 0;
		d->tail_count = false;
		d->mode = HL7_M_MSG;
	}
	return GO;
}

/* 0x1C: the frame (and its message) ends. */
static void frame_end(struct hl7_ctx *c)
{
	struct hl7_dir *d = c->d;
	if (!d->framed)
		hl7_msg_event(c, HE_BAD_MLLP_FRAME);
	else if (!d->frame_segs)
		hl7_flow_event(c, HE_MISSING_MSH);
	hl7_msg_end(c);
	d->framed = false;
	d->mode = HL7_M_TRAILER;
}

static int step_msg(struct hl7_ctx *c, struct md_rd *r)
{
	struct hl7_dir *d = c->d;
	switch (md_rd_peek(r, 0)) {
	case HL7_EB:
		md_rd_skip(r, 1);
		frame_end(c);
		return GO;
	case HL7_SB:
		md_rd_skip(r, 1);
		if (d->framed)
			hl7_msg_event(c, HE_NESTED_START_BLOCK);
		hl7_msg_end(c);
		frame_begin(c, true);
		return GO;
	case HL7_LF:
		if (d->m.open)
			hl7_msg_event(c, HE_LF_SEGMENT_TERMINATOR);
		/* fall through */
	case HL7_CR:
		md_rd_skip(r, 1);
		if (d->m.open)
			msg_grow(c, 1, false);
		return GO;
	default:
		return segment(c, r);
	}
}

/* ---- the contract -------------------------------------------------------- */

static enum md_probe_rc hl7_probe(const uint8_t *buf, size_t len,
				  enum md_dir dir)
{
	struct md_rd r = md_rd_make(buf, len);
	size_t at = 0;
	(void)dir;
	while (at < 2 && md_rd_peek(&r, at) == HL7_SB)
		at++;
	if (md_rd_peek(&r, at) < 0)
		return MD_PROBE_NEED_MORE;
	int h = header_at(&r, at);
	if (h < 0)
		return MD_PROBE_NEED_MORE;
	if (h == 0 || (at == 0 && md_rd_peek(&r, 0) != 'M'))
		return MD_PROBE_NO; /* unframed: MSH only */
	return MD_PROBE_YES;
}

static int hl7_init(void *st, const struct md_limits *lim)
{
	struct hl7_state *s = st;
	s->lim = *lim;
	if (!s->lim.max_buffer)
		s->lim.max_buffer = 1u << 20;
	if (!s->lim.max_items)
		s->lim.max_items = 256;
	if (!s->lim.max_field)
		s->lim.max_field = 65536;
	s->seg_max = s->lim.max_buffer / 2;
	if (s->seg_max < 256)
		s->seg_max = s->lim.max_buffer;
	s->msg_max = s->lim.max_pdu ? s->lim.max_pdu : 16u << 20;
	/* room left for the message being parsed in each direction */
	s->pend_max = lim->max_tx > 3 ? lim->max_tx - 2 : 1;
	if (s->pend_max > HL7_PENDING_MAX)
		s->pend_max = HL7_PENDING_MAX;
	for (int i = 0; i < 2; i++)
		s->d[i].dl = (struct hl7_delims){'|', '^', '~', '\\', '&', -1};
	return 0;
}

static enum md_parse_rc hl7_parse(void *st, enum md_dir dir, const uint8_t *buf,
				  size_t len, size_t *consumed,
				  const struct md_sink *k)
{
	struct hl7_state *s = st;
	struct hl7_ctx c = {s, &s->d[dir & 1], dir, k};
	struct md_rd r = md_rd_make(buf, len);
	int rc = GO;
	while (rc == GO && md_rd_left(&r) > 0) {
		switch (c.d->mode) {
		case HL7_M_IDLE:
			rc = step_idle(&c, &r);
			break;
		case HL7_M_MSG:
			rc = step_msg(&c, &r);
			break;
		case HL7_M_SEGTAIL:
			rc = step_tail(&c, &r);
			break;
		default:
			rc = step_trailer(&c, &r);
			break;
		}
	}
	*consumed = r.off;
	return MD_PARSE_MORE;
}

static void hl7_gap(void *st, enum md_dir dir, uint64_t len,
		    const struct md_sink *k)
{
	struct hl7_state *s = st;
	struct hl7_ctx c = {s, &s->d[dir & 1], dir, k};
	(void)len;
	hl7_msg_end(&c);
	c.d->mode = HL7_M_IDLE;
	c.d->framed = false;
	c.d->resync = true;
	c.d->scanned = 0;
	c.d->tail_count = false;
	c.d->tail_flen = 0;
}

static void hl7_eof(void *st, enum md_dir dir, const struct md_sink *k)
{
	struct hl7_state *s = st;
	struct hl7_ctx c = {s, &s->d[dir & 1], dir, k};
	struct hl7_dir *d = c.d;
	if (d->mode == HL7_M_MSG || d->mode == HL7_M_SEGTAIL) {
		if (d->mode == HL7_M_SEGTAIL && d->tail_count)
			hl7_field_len(&c, d->tail_flen);
		if (d->framed)
			hl7_msg_event(&c, HE_BAD_MLLP_FRAME);
		hl7_msg_end(&c);
	} else if (d->mode == HL7_M_TRAILER) {
		hl7_flow_event(&c, HE_BAD_MLLP_FRAME);
	}
	d->mode = HL7_M_IDLE;
	d->framed = false;
	d->scanned = 0;
	d->tail_count = false;
}

static void hl7_fini(void *st)
{
	hl7_state_fini(st);
}

static const uint16_t hl7_ports[] = {2575, 6661, 0};

const struct md_parser md_parser_hl7 = {
    .abi = MD_PARSER_ABI,
    .name = "hl7",
    .desc = "HL7 v2 over MLLP (or unframed)",
    .ipproto = 6,
    .ports = hl7_ports,
    .state_size = sizeof(struct hl7_state),
    .tx_done_progress = HL7_PROG_DONE,
    .probe = hl7_probe,
    .init = hl7_init,
    .parse = hl7_parse,
    .gap = hl7_gap,
    .eof = hl7_eof,
    .fini = hl7_fini,
    .arg_norm = hl7_arg_norm,
    .events = hl7_events,
    .n_events = HE_MAX,
    .fields = hl7_fields,
    .n_fields = HF_MAX,
};

static const struct md_parser *const hl7_parsers[] = {&md_parser_hl7, NULL};

/* Registered as a built-in plugin (plugin/registry.c). */
const struct md_plugin md_plugin_hl7 = {
    .abi = MD_PARSER_ABI,
    .name = "hl7",
    .version = "built-in",
    .desc = "HL7 v2 over MLLP",
    .parsers = hl7_parsers,
};
