/* detect-inspect.c - inspection of one buffer by a list of items.
 *
 * Items run left to right with a cursor (the end of the last match).
 * Content search windows (Suricata user guide, "Payload Keywords"):
 *
 *   absolute   [offset, offset + depth)           (from the buffer start)
 *   relative   [cursor + distance, cursor + distance + within)
 *   startswith [0, len)    endswith: the match ends at the buffer end
 *
 * When a later item fails and depends on the cursor, the search backtracks:
 * the previous content (or pcre) is tried at its next occurrence. The
 * number of steps per buffer is bounded (MD_INSPECT_STEPS).
 *
 * For stream rules the buffer is a window of the reassembled stream that
 * starts at stream offset ev->base; absolute offsets are stream offsets,
 * and a match counts only when it ends past ev->min_end (bytes not
 * inspected before), so the same bytes never alert twice.
 */
#include <ctype.h>
#include <magic.h>
#include <stdio.h>
#include <string.h>

#include "detect-int.h"

struct insp {
	struct md_eval *ev;
	const struct md_item *items;
	uint32_t n;
	const uint8_t *buf;
	int64_t len;
	int64_t base;	 /* stream offset of buf[0] (absolute positions) */
	int64_t min_end; /* window position a match must end after, or -1 */
	bool force_retry;
};

static int64_t dv(const struct insp *s, const struct md_dval *v)
{
	return v->var >= 0 ? s->ev->vars[v->var] : v->v;
}

static const uint8_t *nocase_search(const struct md_content *c,
				    const uint8_t *h, size_t hl)
{
	size_t m = c->len;
	if (hl < m)
		return NULL;
	if (!c->skip) {
		for (size_t i = 0; i + m <= hl; i++) {
			size_t k = 0;
			while (k < m && tolower(h[i + k]) == c->pat[k])
				k++;
			if (k == m)
				return h + i;
		}
		return NULL;
	}
	uint8_t last = c->pat[m - 1];
	for (size_t i = 0; i + m <= hl;) {
		uint8_t t = h[i + m - 1];
		if (tolower(t) == last) {
			size_t k = 0;
			while (k + 1 < m && tolower(h[i + k]) == c->pat[k])
				k++;
			if (k + 1 >= m)
				return h + i;
		}
		i += c->skip[t];
	}
	return NULL;
}

/* First occurrence of c in buf[lo, hi), or -1. */
static int64_t csearch(const struct md_content *c, const uint8_t *buf,
		       int64_t lo, int64_t hi)
{
	if (hi - lo < (int64_t)c->len)
		return -1;
	const uint8_t *f =
	    (c->has & MD_CM_NOCASE)
		? nocase_search(c, buf + lo, (size_t)(hi - lo))
		: memmem(buf + lo, (size_t)(hi - lo), c->pat, c->len);
	return f ? f - buf : -1;
}

static bool run(struct insp *s, uint32_t i, int64_t cur, int64_t maxend);

static bool retry_ok(const struct insp *s, const struct md_item *it)
{
	return it->retry || s->force_retry;
}

static void content_window(const struct insp *s, const struct md_item *it,
			   int64_t cur, int64_t *plo, int64_t *phi)
{
	const struct md_content *c = &it->c;
	int64_t lo = 0, hi = s->len;
	if (c->has & MD_CM_STARTSWITH) {
		lo = -s->base;
		hi = lo + c->len;
	} else if (it->relative) {
		lo =
		    cur + ((c->has & MD_CM_DISTANCE) ? dv(s, &c->distance) : 0);
		if (c->has & MD_CM_WITHIN)
			hi = lo + dv(s, &c->within);
	} else if (c->has & MD_CM_ABS) {
		int64_t off = (c->has & MD_CM_OFFSET) ? dv(s, &c->offset) : 0;
		lo = off - s->base;
		if (c->has & MD_CM_DEPTH)
			hi = lo + dv(s, &c->depth);
	}
	if (lo < 0)
		lo = 0;
	if (hi > s->len)
		hi = s->len;
	if ((c->has & MD_CM_ENDSWITH) && lo < s->len - (int64_t)c->len)
		lo = s->len - (int64_t)c->len;
	*plo = lo;
	*phi = hi;
}

static bool do_content(struct insp *s, uint32_t i, int64_t cur, int64_t maxend)
{
	const struct md_item *it = &s->items[i];
	const struct md_content *c = &it->c;
	int64_t lo, hi;
	content_window(s, it, cur, &lo, &hi);
	if (c->negated) {
		if (csearch(c, s->buf, lo, hi) >= 0)
			return false;
		return run(s, i + 1, cur, maxend);
	}
	while (lo + (int64_t)c->len <= hi) {
		int64_t f = csearch(c, s->buf, lo, hi);
		if (f < 0)
			return false;
		int64_t end = f + c->len;
		if (run(s, i + 1, end, end > maxend ? end : maxend))
			return true;
		if (!retry_ok(s, it) || s->ev->steps > MD_INSPECT_STEPS)
			return false;
		lo = f + 1;
	}
	return false;
}

static bool do_pcre(struct insp *s, uint32_t i, int64_t cur, int64_t maxend)
{
	const struct md_item *it = &s->items[i];
	const struct md_pcre *re = &it->re;
	struct md_detect_thread *t = s->ev->t;
	int64_t start = re->relative ? cur : 0;
	if (start > s->len)
		return re->negated ? run(s, i + 1, cur, maxend) : false;
	PCRE2_SPTR subj = (PCRE2_SPTR)(s->buf + start);
	PCRE2_SIZE slen = (PCRE2_SIZE)(s->len - start), pos = 0;
	for (;;) {
		int rc = pcre2_match(re->code, subj, slen, pos, 0, t->mdata,
				     re->nolimit ? NULL : t->mctx);
		if (rc == PCRE2_ERROR_NOMATCH)
			return re->negated ? run(s, i + 1, cur, maxend) : false;
		if (rc < 0) /* match limit or error: no verdict, no match */
			return false;
		if (re->negated)
			return false;
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(t->mdata);
		int64_t end = start + (int64_t)ov[1];
		if (run(s, i + 1, end, end > maxend ? end : maxend))
			return true;
		if (!retry_ok(s, it) || re->anchored ||
		    s->ev->steps > MD_INSPECT_STEPS)
			return false;
		pos = ov[0] + 1;
		if (pos > slen)
			return false;
	}
}

bool md_dbytes_read(const struct md_bytes *b, const uint8_t *p, uint32_t len,
		    uint64_t *out)
{
	uint64_t v = 0;
	if (len < b->nbytes)
		return false;
	if (!b->base) {
		for (uint8_t k = 0; k < b->nbytes; k++) {
			uint8_t byte = b->little ? p[b->nbytes - 1 - k] : p[k];
			v = (v << 8) | byte;
		}
	} else {
		uint8_t k = 0;
		for (; k < b->nbytes; k++) {
			int c = tolower(p[k]), d;
			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (c >= 'a' && c <= 'f')
				d = c - 'a' + 10;
			else
				break;
			if (d >= b->base ||
			    v > (UINT64_MAX - (uint64_t)d) / b->base)
				break;
			v = v * b->base + (uint64_t)d;
		}
		if (!k)
			return false;
	}
	if (b->bitmask)
		v = (v & b->bitmask) >> b->mask_shift;
	*out = v;
	return true;
}

/* Read position of a byte_* item, or false when outside the buffer. */
static bool bytes_at(const struct insp *s, const struct md_item *it,
		     int64_t cur, int64_t *pos, uint64_t *val)
{
	const struct md_bytes *b = &it->b;
	int64_t p =
	    b->relative ? cur + dv(s, &b->offset) : dv(s, &b->offset) - s->base;
	if (p < 0 || p + b->nbytes > s->len)
		return false;
	*pos = p;
	return md_dbytes_read(b, s->buf + p, (uint32_t)(s->len - p), val);
}

static bool btest_cmp(const struct md_bytes *b, uint64_t v, uint64_t ref)
{
	bool r;
	switch (b->op) {
	case MD_BOP_LT:
		r = v < ref;
		break;
	case MD_BOP_GT:
		r = v > ref;
		break;
	case MD_BOP_LE:
		r = v <= ref;
		break;
	case MD_BOP_GE:
		r = v >= ref;
		break;
	case MD_BOP_AND:
		r = (v & ref) != 0;
		break;
	case MD_BOP_XOR:
		r = (v ^ ref) != 0;
		break;
	default:
		r = v == ref;
		break;
	}
	return r != b->neg;
}

static bool do_bytes(struct insp *s, uint32_t i, int64_t cur, int64_t maxend)
{
	const struct md_item *it = &s->items[i];
	const struct md_bytes *b = &it->b;
	int64_t pos, np;
	uint64_t v;
	if (!bytes_at(s, it, cur, &pos, &v))
		return false;
	int64_t rend = pos + b->nbytes;
	if (rend > maxend)
		maxend = rend;
	switch (it->type) {
	case MD_IT_BTEST:
		if (!btest_cmp(b, v, (uint64_t)dv(s, &b->value)))
			return false;
		return run(s, i + 1, cur, maxend);
	case MD_IT_BEXTRACT:
		v *= b->multiplier;
		if (b->align_to)
			v = (v + b->align_to - 1) / b->align_to * b->align_to;
		s->ev->vars[b->var] = (int64_t)v;
		return run(s, i + 1, rend, maxend);
	default: /* byte_jump */
		if (v > (uint64_t)INT32_MAX)
			return false;
		v *= b->multiplier;
		if (b->align)
			v = (v + 3) & ~(uint64_t)3;
		np = b->from_beginning ? (int64_t)v - s->base
		     : b->from_end     ? s->len + (int64_t)v
				       : rend + (int64_t)v;
		if (np < 0 || np > s->len)
			return false;
		np += b->post_offset;
		if (np < 0)
			np = 0;
		if (np > s->len)
			return false;
		return run(s, i + 1, np, maxend);
	}
}

static bool do_isdataat(struct insp *s, uint32_t i, int64_t cur, int64_t maxend)
{
	const struct md_isdataat *da = &s->items[i].da;
	int64_t n = dv(s, &da->n);
	bool ok = da->relative ? cur + n <= s->len : n - s->base < s->len;
	if (ok == da->negated)
		return false;
	if (!da->negated && !da->relative && n - s->base + 1 > maxend)
		maxend = n - s->base + 1;
	return run(s, i + 1, cur, maxend);
}

static bool do_dataset(struct insp *s, const struct md_item *it)
{
	uint8_t tmp[32];
	const uint8_t *v;
	uint32_t vl;
	struct md_dataset *set = it->ds.set;
	if (!md_dataset_norm(set, s->buf, (uint32_t)s->len, tmp, &v, &vl))
		return it->ds.cmd == MD_DSC_ISNOTSET;
	switch (it->ds.cmd) {
	case MD_DSC_SET:
		return md_dataset_add(set, v, vl) == 1;
	case MD_DSC_ISSET:
		return md_dataset_contains(set, v, vl);
	case MD_DSC_ISNOTSET:
		return !md_dataset_contains(set, v, vl);
	default:
		return md_dataset_remove(set, v, vl) == 1;
	}
}

static bool do_filemagic(struct insp *s, const struct md_item *it)
{
	struct md_detect_thread *t = s->ev->t;
	if (!t->magic)
		return false;
	if (t->mg_buf != s->buf || t->mg_len != (uint32_t)s->len) {
		const char *d =
		    magic_buffer((magic_t)t->magic, s->buf, (size_t)s->len);
		t->mg_buf = s->buf;
		t->mg_len = (uint32_t)s->len;
		t->mg_ok = d != NULL;
		snprintf(t->mg_desc, sizeof(t->mg_desc), "%s", d ? d : "");
	}
	if (!t->mg_ok)
		return false;
	bool found = strcasestr(t->mg_desc, (const char *)it->fm.s) != NULL;
	return found != it->fm.negated;
}

static bool run(struct insp *s, uint32_t i, int64_t cur, int64_t maxend)
{
	if (++s->ev->steps > MD_INSPECT_STEPS)
		return false;
	if (i == s->n) {
		if (s->min_end < 0)
			return true;
		return (maxend > 0 ? maxend : s->len) > s->min_end;
	}
	const struct md_item *it = &s->items[i];
	switch (it->type) {
	case MD_IT_CONTENT:
		return do_content(s, i, cur, maxend);
	case MD_IT_PCRE:
		return do_pcre(s, i, cur, maxend);
	case MD_IT_BTEST:
	case MD_IT_BJUMP:
	case MD_IT_BEXTRACT:
		return do_bytes(s, i, cur, maxend);
	case MD_IT_ISDATAAT:
		return do_isdataat(s, i, cur, maxend);
	case MD_IT_BSIZE:
		return md_umatch_eval(&it->u, (uint64_t)s->len) &&
		       run(s, i + 1, cur, maxend);
	case MD_IT_DATASET:
		return do_dataset(s, it) && run(s, i + 1, cur, maxend);
	case MD_IT_FILEMAGIC:
		return do_filemagic(s, it) && run(s, i + 1, cur, maxend);
	}
	return false;
}

bool md_dinspect(struct md_eval *ev, const struct md_blist *bl,
		 const uint8_t *buf, uint32_t len)
{
	bool stream = ev->stream && bl->kind == MD_BUF_PAYLOAD;
	struct insp s = {
	    .ev = ev,
	    .items = bl->items,
	    .n = bl->n,
	    .buf = buf,
	    .len = len,
	    .base = stream ? (int64_t)ev->base : 0,
	    .min_end = stream ? (int64_t)(ev->min_end - ev->base) : -1,
	    .force_retry = stream,
	};
	ev->steps = 0;
	return run(&s, 0, 0, 0);
}
