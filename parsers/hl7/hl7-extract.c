/* hl7-extract.c - what one HL7 v2 segment reports: segment checks (known
 * id, allowed for the message type, control characters, field lengths),
 * the raw segment, every field by position (hl7.field:SEG-n[.c]) and the
 * named fields of MSH, MSA, ERR, EVN, PID, PV1, ORC, OBR, OBX and PRT.
 *
 * Normative reference: HL7 Version 2.x chapter 2 (MSH, MSA, ERR), chapter
 * 3 (EVN, PID, PV1), chapter 4 (ORC, OBR), chapter 7 (OBX, PRT); the ED
 * data type (chapter 2A): source ^ type ^ subtype ^ encoding ^ data.
 *
 *   OBX|1|ED|PDF^Report^L||APP^AP^PDF^Base64^JVBERi0xLjQK...||...
 *         |                             |      \__ data, decoded for
 *         |                             |          filemagic (ed_data)
 *         \__ value type                \__ encoding: Base64, Hex or A
 *
 * An acknowledgment folded into its message's transaction (role RSP)
 * reports only its MSH-9, MSA, ERR, raw segments and positional fields.
 */
#include <string.h>

#include "hl7.h"

static void put(struct hl7_ctx *c, unsigned f, struct md_span s)
{
	hl7_put_tx(c, c->d->m.tx, f, s);
}

static void put_bytes(struct hl7_ctx *c, unsigned f, const void *v, size_t len)
{
	if (len && c->d->m.tx != MD_TX_NONE)
		c->k->tx_str(c->k->ctx, c->d->m.tx, f, v, len);
}

static struct md_span field(struct hl7_ctx *c, struct md_span seg, unsigned n)
{
	return hl7_seg_field(c, seg, n);
}

/* First repetition of field n, whole. */
static struct md_span rep1(struct hl7_ctx *c, struct md_span seg, unsigned n)
{
	return hl7_comp(c, hl7_seg_field(c, seg, n), 0);
}

/* Component k of the first repetition of field n. */
static struct md_span comp(struct hl7_ctx *c, struct md_span seg, unsigned n,
			   unsigned k)
{
	return hl7_comp(c, hl7_seg_field(c, seg, n), k);
}

/* Start an element of group field f unless *count reached the bound. */
static bool group(struct hl7_ctx *c, unsigned f, uint32_t *count)
{
	if (c->d->m.tx == MD_TX_NONE || *count >= c->s->lim.max_log_values)
		return false;
	(*count)++;
	c->k->tx_group(c->k->ctx, c->d->m.tx, f);
	return true;
}

/* Report every repetition of field n as field f (bounded). */
static void put_reps(struct hl7_ctx *c, unsigned f, struct md_span seg,
		     unsigned n, bool first_comp)
{
	struct hl7_split it = hl7_split_make(field(c, seg, n), c->d->dl.rep);
	struct md_span r;
	for (unsigned i = 0; i < HL7_MAX_REPS && hl7_split_next(&it, &r); i++) {
		struct hl7_split cs = hl7_split_make(r, c->d->dl.comp);
		if (first_comp && !hl7_split_next(&cs, &r))
			continue;
		put(c, f, r);
	}
}

static bool ascii_eq(const char *a, const char *b)
{
	for (;; a++, b++) {
		int x = *a >= 'a' && *a <= 'z' ? *a - 32 : *a;
		int y = *b >= 'a' && *b <= 'z' ? *b - 32 : *b;
		if (x != y)
			return false;
		if (!x)
			return true;
	}
}

/* ---- checks and positional fields ---------------------------------------- */

void hl7_field_len(struct hl7_ctx *c, uint64_t len)
{
	struct hl7_msg *m = &c->d->m;
	if (len > m->max_flen)
		m->max_flen = len;
	if (len > c->s->lim.max_field)
		hl7_msg_event(c, HE_FIELD_TOO_LONG);
}

static bool has_ctl(struct md_span s)
{
	if (!s.len)
		return false;
	struct md_rd r = md_rd_make(s.p, s.len);
	while (md_rd_left(&r)) {
		int b = md_rd_u8(&r);
		if ((b < 0x20 && b != '\t') || b == 0x7f)
			return true;
	}
	return false;
}

static void arg(struct hl7_ctx *c, const char *a, struct md_span v, bool decode)
{
	struct hl7_msg *m = &c->d->m;
	if (m->nargs >= HL7_MAX_ARGS)
		return;
	m->nargs++;
	if (decode)
		v = hl7_value(c, v);
	c->k->tx_arg(c->k->ctx, m->tx, HF_FIELD, a, v.p, v.len);
}

/* Decimal digits of v (< 1000) at out + *o. */
static void put_num(char *out, size_t *o, unsigned v)
{
	unsigned div = v >= 100 ? 100 : v >= 10 ? 10 : 1;
	for (; div; div /= 10)
		out[(*o)++] = (char)('0' + v / div % 10);
}

/* "SEG-n", or "SEG-n.k" when k > 0, into out[16]; n, k < 1000. */
static void arg_name(char *out, const uint8_t id[3], unsigned n, unsigned k)
{
	size_t o = 0;
	for (int i = 0; i < 3; i++)
		out[o++] = (char)id[i];
	out[o++] = '-';
	put_num(out, &o, n);
	if (k) {
		out[o++] = '.';
		put_num(out, &o, k);
	}
	out[o] = 0;
}

/* Field n of segment id: each repetition as "SEG-n", and when it has
 * components each non-empty one as "SEG-n.k". MSH-1/MSH-2 stay raw. */
static void args(struct hl7_ctx *c, const uint8_t id[3], unsigned n,
		 struct md_span f, bool raw)
{
	struct hl7_msg *m = &c->d->m;
	char a[16], b[16];
	struct md_span r, cp;
	if (!f.len || m->tx == MD_TX_NONE || m->nargs >= HL7_MAX_ARGS ||
	    n > 999)
		return;
	arg_name(a, id, n, 0);
	if (raw) {
		arg(c, a, f, false);
		return;
	}
	struct hl7_split reps = hl7_split_make(f, c->d->dl.rep);
	for (unsigned i = 0; i < HL7_MAX_REPS && hl7_split_next(&reps, &r);
	     i++) {
		if (!r.len)
			continue;
		arg(c, a, r, true);
		if (!hl7_contains(r, c->d->dl.comp))
			continue;
		struct hl7_split cs = hl7_split_make(r, c->d->dl.comp);
		for (unsigned k = 1;
		     k <= HL7_MAX_COMPS && hl7_split_next(&cs, &cp); k++) {
			if (!cp.len)
				continue;
			arg_name(b, id, n, k);
			arg(c, b, cp, true);
		}
	}
}

/* Field lengths, control characters, field count and positional values. */
static void scan(struct hl7_ctx *c, struct md_span seg, const uint8_t id[3],
		 bool valid, bool head)
{
	struct hl7_split it = hl7_split_make(seg, c->d->dl.field);
	struct md_span f;
	bool hdr = hl7_header_id(id);
	unsigned n = 0;
	uint64_t last = 0;
	/* Positional values only when a rule reads hl7.field. */
	if (c->k->wants && !c->k->wants(c->k->ctx, HF_FIELD, NULL))
		valid = false;
	if (has_ctl(seg))
		hl7_msg_event(c, HE_NON_PRINTABLE_BYTES);
	if (!hl7_split_next(&it, &f)) /* the segment id */
		return;
	if (hdr && seg.len > 3) { /* MSH-1, the separator */
		n = 1;
		hl7_field_len(c, 1);
		if (valid)
			args(c, id, 1, hl7_seg_field(c, seg, 1), true);
	}
	while (hl7_split_next(&it, &f)) {
		n++;
		last = f.len;
		hl7_field_len(c, f.len);
		if (n == c->s->lim.max_items + 1u)
			hl7_msg_event(c, HE_TOO_MANY_FIELDS);
		if (valid && n <= c->s->lim.max_items)
			args(c, id, n, f, hdr && n == 2);
	}
	if (head)
		c->d->tail_flen = last;
}

/* ---- named fields -------------------------------------------------------- */

void hl7_msh_peek(struct hl7_ctx *c, struct md_span seg, char *code, size_t cap,
		  struct md_span *ctl)
{
	struct md_span f9 = hl7_seg_field(c, seg, 9);
	size_t n = hl7_copy_value(c, hl7_comp(c, f9, 1), code, cap - 1);
	code[n] = 0;
	*ctl = hl7_seg_field(c, seg, 10);
}

static void x_msh(struct hl7_ctx *c, struct md_span seg)
{
	struct hl7_msg *m = &c->d->m;
	struct md_span f9 = field(c, seg, 9), trig = hl7_comp(c, f9, 2);
	char mt[64];
	size_t n =
	    hl7_copy_value(c, hl7_comp(c, f9, 0), m->type, sizeof(m->type) - 1);
	m->type[n] = 0;
	if (m->role == HL7_ROLE_RSP) {
		put(c, HF_ACK_MESSAGE_TYPE, hl7_comp(c, f9, 0));
		return;
	}
	n = hl7_copy_value(c, hl7_comp(c, f9, 1), mt, 31);
	if (trig.len) {
		mt[n++] = '^';
		n += hl7_copy_value(c, trig, mt + n, sizeof(mt) - n);
	}
	put_bytes(c, HF_MESSAGE_TYPE, mt, n);
	put(c, HF_MESSAGE_CODE, hl7_comp(c, f9, 1));
	put(c, HF_TRIGGER_EVENT, trig);
	put(c, HF_MESSAGE_STRUCTURE, hl7_comp(c, f9, 3));
	put(c, HF_VERSION, comp(c, seg, 12, 1));
	put(c, HF_CONTROL_ID, field(c, seg, 10));
	put(c, HF_PROCESSING_ID, comp(c, seg, 11, 1));
	put(c, HF_SENDING_APP, rep1(c, seg, 3));
	put(c, HF_SENDING_FAC, rep1(c, seg, 4));
	put(c, HF_RECEIVING_APP, rep1(c, seg, 5));
	put(c, HF_RECEIVING_FAC, rep1(c, seg, 6));
	put(c, HF_DATETIME, comp(c, seg, 7, 1));
	put(c, HF_SECURITY, field(c, seg, 8));
	const char *fr = c->d->framed ? "mllp" : "none";
	put_bytes(c, HF_FRAMING, fr, strlen(fr));
	if (c->d->in_batch && m->tx != MD_TX_NONE)
		c->k->tx_uint(c->k->ctx, m->tx, HF_BATCH, 1);
}

static void x_msa(struct hl7_ctx *c, struct md_span seg)
{
	struct md_span f1 = field(c, seg, 1), f2 = field(c, seg, 2),
		       f3 = field(c, seg, 3);
	if (c->d->m.quiet_msa)
		return;
	put(c, HF_ACK_CODE, f1);
	put(c, HF_ACK_CONTROL_ID, f2);
	put(c, HF_ACK_TEXT, f3);
	if (c->d->m.role == HL7_ROLE_REQ)
		hl7_msg_msa(c, f1, f2, f3);
}

static void x_err(struct hl7_ctx *c, struct md_span seg)
{
	if (!group(c, HF_ERRORS, &c->d->m.nerr))
		return;
	put(c, HF_ERR_LEGACY, rep1(c, seg, 1));
	put(c, HF_ERR_LOCATION, rep1(c, seg, 2));
	put(c, HF_ERR_CODE, rep1(c, seg, 3));
	put(c, HF_ERR_SEVERITY, field(c, seg, 4));
	put(c, HF_ERR_DIAGNOSTIC, field(c, seg, 7));
	put(c, HF_ERR_MESSAGE, field(c, seg, 8));
}

static void x_evn(struct hl7_ctx *c, struct md_span seg)
{
	put(c, HF_EVN_TYPE, field(c, seg, 1));
	put(c, HF_EVN_RECORDED, comp(c, seg, 2, 1));
	put(c, HF_EVN_REASON, field(c, seg, 4));
	put(c, HF_EVN_OPERATOR, rep1(c, seg, 5));
	put(c, HF_EVN_OCCURRED, comp(c, seg, 6, 1));
}

static void x_pid(struct hl7_ctx *c, struct md_span seg)
{
	put_reps(c, HF_PID_IDS, seg, 3, true);
	put(c, HF_PID_NAME, rep1(c, seg, 5));
	put(c, HF_PID_BIRTH, comp(c, seg, 7, 1));
	put(c, HF_PID_SEX, field(c, seg, 8));
	put(c, HF_PID_ADDRESS, rep1(c, seg, 11));
	put_reps(c, HF_PID_PHONE, seg, 13, false);
	put_reps(c, HF_PID_PHONE, seg, 14, false);
	put(c, HF_PID_SSN, field(c, seg, 19));
}

static void x_pv1(struct hl7_ctx *c, struct md_span seg)
{
	put(c, HF_PV1_CLASS, field(c, seg, 2));
	put(c, HF_PV1_LOCATION, rep1(c, seg, 3));
}

static void x_orc(struct hl7_ctx *c, struct md_span seg)
{
	struct hl7_msg *m = &c->d->m;
	m->order_open = group(c, HF_ORDERS, &m->nord);
	if (!m->order_open)
		return;
	put(c, HF_ORD_CONTROL, field(c, seg, 1));
	put(c, HF_ORD_PLACER, rep1(c, seg, 2));
	put(c, HF_ORD_FILLER, rep1(c, seg, 3));
}

/* An OBR joins the element of the ORC just before it, else opens one. */
static void x_obr(struct hl7_ctx *c, struct md_span seg)
{
	struct hl7_msg *m = &c->d->m;
	bool joined = m->order_open;
	m->order_open = false;
	if (!joined && !group(c, HF_ORDERS, &m->nord))
		return;
	put(c, HF_ORD_PLACER, rep1(c, seg, 2));
	put(c, HF_ORD_FILLER, rep1(c, seg, 3));
	put(c, HF_ORD_SERVICE, rep1(c, seg, 4));
}

static int hexdig(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch |= 0x20;
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

static int b64val(int ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	return ch == '+' ? 62 : ch == '/' ? 63 : -1;
}

/* Base64 (characters outside the alphabet skipped, '=' ends) or hex
 * digit pairs into out; returns the length. */
static size_t ed_decode(struct md_span s, bool hex, uint8_t *out, size_t cap)
{
	struct md_rd r = md_rd_make(s.p, s.len);
	uint32_t acc = 0;
	unsigned bits = 0, step = hex ? 4 : 6;
	size_t o = 0;
	while (md_rd_left(&r) && o < cap) {
		int ch = md_rd_u8(&r);
		if (!hex && ch == '=')
			break;
		int v = hex ? hexdig(ch) : b64val(ch);
		if (v < 0)
			continue;
		acc = (acc << step) | (uint32_t)v;
		bits += step;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	return o;
}

/* OBX-5 of value type ED: the first bytes of the payload (ed_data). */
static void x_ed(struct hl7_ctx *c, struct md_span f5)
{
	struct hl7_msg *m = &c->d->m;
	struct md_span data = hl7_comp(c, f5, 5);
	char enc[16];
	size_t cap, len;
	if (m->ned >= HL7_MAX_REPS || !data.len || m->tx == MD_TX_NONE)
		return;
	enc[hl7_copy_value(c, hl7_comp(c, f5, 4), enc, sizeof(enc) - 1)] = 0;
	bool b64 = ascii_eq(enc, "Base64"), hex = ascii_eq(enc, "Hex");
	if (!b64 && !hex && !ascii_eq(enc, "A"))
		return;
	uint8_t *out = hl7_scratch(c, HL7_ED_MAX, &cap);
	if (!out)
		return;
	if (b64 || hex)
		len = ed_decode(data, hex, out, cap);
	else
		len = hl7_copy_value(c, data, (char *)out, cap);
	m->ned++;
	put_bytes(c, HF_ED_DATA, out, len);
}

static void x_obx(struct hl7_ctx *c, struct md_span seg)
{
	struct hl7_msg *m = &c->d->m;
	struct md_span f5 = field(c, seg, 5);
	char vt[4];
	vt[hl7_copy_value(c, field(c, seg, 2), vt, sizeof(vt) - 1)] = 0;
	if (strcmp(vt, "ED") == 0)
		x_ed(c, f5);
	if (!group(c, HF_OBS, &m->nobs))
		return;
	put(c, HF_OBS_SET_ID, field(c, seg, 1));
	put(c, HF_OBS_TYPE, field(c, seg, 2));
	put(c, HF_OBS_ID, rep1(c, seg, 3));
	put(c, HF_OBS_SUB_ID, field(c, seg, 4));
	put(c, HF_OBS_VALUE, f5);
	put(c, HF_OBS_UNITS, rep1(c, seg, 6));
	put(c, HF_OBS_STATUS, field(c, seg, 11));
	put(c, HF_OBS_EQUIPMENT, rep1(c, seg, 18));
}

static void x_prt(struct hl7_ctx *c, struct md_span seg)
{
	struct md_span dev = rep1(c, seg, 10), udi = rep1(c, seg, 16);
	if ((!dev.len && !udi.len) || !group(c, HF_DEVICES, &c->d->m.ndev))
		return;
	put(c, HF_DEV_ID, dev);
	put(c, HF_DEV_UDI, udi);
}

static const struct {
	char id[4];
	bool rsp; /* also for an acknowledgment folded into its message */
	void (*fn)(struct hl7_ctx *c, struct md_span seg);
} extractors[] = {
    {"MSH", true, x_msh},  {"MSA", true, x_msa},  {"ERR", true, x_err},
    {"EVN", false, x_evn}, {"PID", false, x_pid}, {"PV1", false, x_pv1},
    {"ORC", false, x_orc}, {"OBR", false, x_obr}, {"OBX", false, x_obx},
    {"PRT", false, x_prt},
};

void hl7_seg_process(struct hl7_ctx *c, struct md_span seg, bool head)
{
	struct hl7_msg *m = &c->d->m;
	uint8_t id[3];
	hl7_seg_id(seg, id);
	struct hl7_split it = hl7_split_make(seg, c->d->dl.field);
	struct md_span first = {NULL, 0};
	hl7_split_next(&it, &first);
	bool valid = hl7_id_valid(id) && first.len == 3;
	if (!hl7_id_is(id, "MSH") && (!valid || !hl7_segment_known(id)))
		hl7_msg_event(c, HE_UNKNOWN_SEGMENT);
	if (m->code[0] && hl7_segment_allowed(m->code, id) == 0)
		hl7_msg_event(c, HE_SEGMENT_NOT_ALLOWED);
	if (m->tx == MD_TX_NONE) {
		scan(c, seg, id, false, head);
		return;
	}
	for (size_t i = 0;
	     valid && i < sizeof(extractors) / sizeof(extractors[0]); i++)
		if (hl7_id_is(id, extractors[i].id)) {
			if (m->role == HL7_ROLE_REQ || extractors[i].rsp)
				extractors[i].fn(c, seg);
			break;
		}
	c->k->tx_str(c->k->ctx, m->tx, HF_SEGMENT, seg.p, seg.len);
	put_bytes(c,
		  m->role == HL7_ROLE_REQ ? HF_SEGMENT_NAMES
					  : HF_ACK_SEGMENT_NAMES,
		  id, seg.len < 3 ? seg.len : 3);
	scan(c, seg, id, valid, head);
}
