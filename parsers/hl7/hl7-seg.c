/* hl7-seg.c - HL7 v2 segments: delimiters (MSH-1/MSH-2), splitting into
 * fields, repetitions, components and sub-components, escape sequences,
 * and the values reported for one segment.
 *
 * Normative reference: HL7 Version 2.x chapter 2, sections "Message
 * delimiters", "Escape sequences in text fields" and the segment
 * definitions of MSH, MSA, ERR (ch. 2), EVN, PID, PV1 (ch. 3), ORC, OBR
 * (ch. 4), OBX (ch. 7) and PRT (ch. 7, v2.7+).
 *
 *   segment:    ID | field | field | ...          (field separator, MSH-1)
 *   field:      rep ~ rep ~ ...                   (MSH-2 char 2)
 *   repetition: comp ^ comp ^ ...                 (MSH-2 char 1)
 *   component:  sub & sub & ...                   (MSH-2 char 4)
 *   escapes:    \F\ \S\ \T\ \R\ \E\ \Xhh..\       (MSH-2 char 3)
 *
 *   MSH|^~\&|...      MSH-1 is '|' itself, MSH-2 is "^~\&" (v2.7: "^~\&#",
 *   ^   ^^^^          the fifth is the truncation character).
 *
 * Values are reported decoded and in the standard encoding characters:
 * escapes are resolved and the message's own delimiters become ^ ~ &, so
 * rules and logs see one spelling whatever MSH-2 said.
 */
#include <stdio.h>
#include <string.h>

#include "hl7.h"

#include "mem.h"

/* ---- splitting ----------------------------------------------------------- */

struct hl7_split hl7_split_make(struct md_span s, int sep)
{
	struct hl7_split it = {md_rd_make(s.p, s.len), sep, s.len == 0};
	return it;
}

bool hl7_split_next(struct hl7_split *it, struct md_span *out)
{
	if (it->done)
		return false;
	long t = it->sep < 0 ? -1 : md_rd_find(&it->r, (uint8_t)it->sep);
	if (t < 0) {
		*out = md_rd_rest(&it->r);
		it->done = true;
		return true;
	}
	*out = md_rd_span(&it->r, (size_t)t);
	md_rd_skip(&it->r, 1);
	return true;
}

/* Piece idx (0-based) of s split by sep; empty when absent. */
static struct md_span piece(struct md_span s, int sep, unsigned idx)
{
	struct md_span out = {NULL, 0};
	if (!s.len)
		return out;
	struct hl7_split it = hl7_split_make(s, sep);
	for (unsigned i = 0; hl7_split_next(&it, &out); i++)
		if (i == idx)
			return out;
	out.p = NULL;
	out.len = 0;
	return out;
}

bool hl7_contains(struct md_span s, int ch)
{
	if (!s.len || ch < 0)
		return false;
	struct md_rd r = md_rd_make(s.p, s.len);
	return md_rd_find(&r, (uint8_t)ch) >= 0;
}

void hl7_seg_id(struct md_span seg, uint8_t id[3])
{
	struct md_rd r = md_rd_make(seg.p, seg.len);
	for (size_t i = 0; i < 3; i++) {
		int b = md_rd_peek(&r, i);
		id[i] = b < 0 ? 0 : (uint8_t)b;
	}
}

bool hl7_id_is(const uint8_t id[3], const char *name)
{
	return memcmp(id, name, 3) == 0;
}

bool hl7_header_id(const uint8_t id[3])
{
	return hl7_id_is(id, "MSH") || hl7_id_is(id, "FHS") ||
	       hl7_id_is(id, "BHS");
}

bool hl7_id_valid(const uint8_t id[3])
{
	if (id[0] < 'A' || id[0] > 'Z')
		return false;
	for (int i = 1; i < 3; i++)
		if (!((id[i] >= 'A' && id[i] <= 'Z') ||
		      (id[i] >= '0' && id[i] <= '9')))
			return false;
	return true;
}

struct md_span hl7_seg_field(const struct hl7_ctx *c, struct md_span seg,
			     unsigned n)
{
	uint8_t id[3];
	struct md_span out = {NULL, 0};
	hl7_seg_id(seg, id);
	if (n == 0)
		return out;
	if (hl7_header_id(id)) {
		if (n == 1) { /* the separator, byte 3 */
			struct md_rd r = md_rd_make(seg.p, seg.len);
			md_rd_skip(&r, 3);
			out = md_rd_span(&r, 1);
			return md_rd_ok(&r) ? out : (struct md_span){NULL, 0};
		}
		return piece(seg, c->d->dl.field, n - 1);
	}
	return piece(seg, c->d->dl.field, n);
}

struct md_span hl7_comp(const struct hl7_ctx *c, struct md_span f,
			unsigned comp)
{
	struct md_span rep = piece(f, c->d->dl.rep, 0);
	if (comp == 0)
		return rep;
	return piece(rep, c->d->dl.comp, comp - 1);
}

/* ---- delimiters ---------------------------------------------------------- */

static bool delim_legal(int ch)
{
	if (ch < 0x21 || ch > 0x7e)
		return false;
	return !((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
		 (ch >= 'a' && ch <= 'z'));
}

bool hl7_delims_parse(struct md_span seg, struct hl7_delims *dl)
{
	struct md_rd r = md_rd_make(seg.p, seg.len);
	int enc[5] = {-1, -1, -1, -1, -1};
	size_t n = 0;
	*dl = (struct hl7_delims){-1, -1, -1, -1, -1, -1};
	md_rd_skip(&r, 3);
	int fs = md_rd_peek(&r, 0);
	if (fs < 0)
		return false;
	md_rd_skip(&r, 1);
	dl->field = fs;
	for (int b = md_rd_peek(&r, 0); b >= 0 && b != fs;
	     b = md_rd_peek(&r, 0)) {
		if (n == 5)
			return false; /* MSH-2 longer than five characters */
		enc[n++] = b;
		md_rd_skip(&r, 1);
	}
	dl->comp = enc[0];
	dl->rep = enc[1];
	dl->esc = enc[2];
	dl->sub = enc[3];
	dl->trunc = enc[4];
	if (n < 4 || !delim_legal(fs))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!delim_legal(enc[i]) || enc[i] == fs)
			return false;
		for (size_t j = 0; j < i; j++)
			if (enc[j] == enc[i])
				return false;
	}
	return true;
}

/* ---- values: escapes and standard delimiters ----------------------------- */

static int map_delim(const struct hl7_delims *dl, int b)
{
	if (b == dl->comp)
		return '^';
	if (b == dl->rep)
		return '~';
	if (b == dl->sub)
		return '&';
	return b;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* \Xhh..\: decoded bytes, or -1 when seq is not even hex digits. */
static long hex_escape(struct md_span seq, uint8_t *out, size_t cap)
{
	struct md_rd r = md_rd_make(seq.p, seq.len);
	size_t o = 0;
	md_rd_skip(&r, 1);
	if (md_rd_left(&r) == 0 || md_rd_left(&r) % 2)
		return -1;
	while (md_rd_left(&r)) {
		int hi = hexval(md_rd_u8(&r)), lo = hexval(md_rd_u8(&r));
		if (hi < 0 || lo < 0)
			return -1;
		if (o < cap)
			out[o++] = (uint8_t)(hi << 4 | lo);
	}
	return (long)o;
}

/* One escape sequence (the text between two escape characters): bytes
 * written to out. Unknown sequences are kept as they were. */
static size_t escape(const struct hl7_delims *dl, struct md_span seq,
		     uint8_t *out, size_t cap)
{
	static const char simple[] = "F|S^T&R~E\\";
	struct md_rd r = md_rd_make(seq.p, seq.len);
	int t = md_rd_peek(&r, 0);
	if (seq.len == 1 && t != 0)
		for (const char *q = simple; *q; q += 2)
			if (*q == t) {
				out[0] = (uint8_t)q[1];
				return 1;
			}
	if (t == 'X') {
		long n = hex_escape(seq, out, cap);
		if (n >= 0)
			return (size_t)n;
	}
	if (seq.len == 1 && (t == 'H' || t == 'N'))
		return 0; /* highlighting on/off */
	if (t == '.') {	  /* formatting: .br is a line break, the rest goes */
		if (seq.len != 3 || md_rd_peek(&r, 1) != 'b' ||
		    md_rd_peek(&r, 2) != 'r')
			return 0;
		out[0] = '\n';
		return 1;
	}
	if (t == 'C' || t == 'M' || t == 'Z')
		return 0; /* character set switches, local escapes */
	size_t o = 0;
	out[o++] = (uint8_t)dl->esc;
	while (md_rd_left(&r) && o + 1 < cap)
		out[o++] = md_rd_u8(&r);
	if (o < cap)
		out[o++] = (uint8_t)dl->esc;
	return o;
}

/* Decode s into out (at most cap bytes); returns the length. */
static size_t decode(const struct hl7_delims *dl, struct md_span s,
		     uint8_t *out, size_t cap)
{
	size_t o = 0;
	if (!s.len)
		return 0;
	struct md_rd r = md_rd_make(s.p, s.len);
	while (md_rd_left(&r) && o < cap) {
		int b = md_rd_u8(&r);
		if (b == dl->esc) {
			long e = md_rd_find(&r, (uint8_t)dl->esc);
			if (e > 0) {
				struct md_span seq = md_rd_span(&r, (size_t)e);
				md_rd_skip(&r, 1);
				o += escape(dl, seq, out + o, cap - o);
				continue;
			}
		}
		out[o++] = (uint8_t)map_delim(dl, b);
	}
	return o;
}

static bool needs_rewrite(const struct hl7_delims *dl, struct md_span s)
{
	return hl7_contains(s, dl->esc) ||
	       (dl->comp != '^' && hl7_contains(s, dl->comp)) ||
	       (dl->rep != '~' && hl7_contains(s, dl->rep)) ||
	       (dl->sub != '&' && hl7_contains(s, dl->sub));
}

uint8_t *hl7_scratch(struct hl7_ctx *c, size_t want, size_t *cap)
{
	struct hl7_state *s = c->s;
	size_t max = s->lim.max_field;
	want = want > max ? max : want ? want : 1;
	if (s->scratch_cap < want) {
		size_t n = s->scratch_cap ? s->scratch_cap : 256;
		while (n < want)
			n *= 2;
		n = n > max ? max : n;
		uint8_t *q = md_realloc(s->scratch, n);
		if (!q)
			return NULL;
		s->scratch = q;
		s->scratch_cap = n;
	}
	*cap = want;
	return s->scratch;
}

struct md_span hl7_value(struct hl7_ctx *c, struct md_span s)
{
	size_t cap;
	if (!s.len || !needs_rewrite(&c->d->dl, s))
		return s;
	uint8_t *out = hl7_scratch(c, s.len, &cap);
	if (!out)
		return s;
	struct md_span v = {out, decode(&c->d->dl, s, out, cap)};
	return v;
}

size_t hl7_copy_value(struct hl7_ctx *c, struct md_span s, char *out,
		      size_t cap)
{
	return decode(&c->d->dl, s, (uint8_t *)out, cap);
}

/* ---- reporting ----------------------------------------------------------- */

void hl7_put_tx(struct hl7_ctx *c, uint64_t tx, unsigned f, struct md_span s)
{
	if (!s.len || tx == MD_TX_NONE)
		return;
	struct md_span v = hl7_value(c, s);
	if (f == HF_OBS_VALUE && v.len > HL7_OBS_VALUE_MAX)
		v.len = HL7_OBS_VALUE_MAX;
	c->k->tx_str(c->k->ctx, tx, f, v.p, v.len);
}
