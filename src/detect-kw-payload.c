/* detect-kw-payload.c - payload keywords: content and its modifiers,
 * pcre, isdataat, dsize, bsize and pkt_data.
 *
 * Semantics per the Suricata user guide ("Payload Keywords"):
 *   content:[!]"text|41 42|text";   \" \; \\ \: escape, |..| is hex
 *   nocase; offset:N; depth:N;      absolute window from the buffer start
 *   distance:N; within:N;           relative to the end of the previous
 *                                   match (distance may be negative)
 *   startswith; endswith; fast_pattern[:only|:off,len]; rawbytes;
 *   pcre:[!]"/re/ismxAEGRO";        R: from the end of the previous match
 *   isdataat:[!]N[,relative];  dsize:<int>;  bsize:<int>
 * Modifier values may name a byte_extract variable.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect-int.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode a quoted content string into bytes (out has room for strlen). */
static int content_decode(struct md_pstate *ps, const char *s, uint8_t *out,
			  uint32_t *outlen)
{
	size_t len = strlen(s);
	if (len < 2 || s[0] != '"' || s[len - 1] != '"')
		return md_derr(ps->err, ps->errlen,
			       "content must be in double quotes");
	uint32_t n = 0;
	bool hex = false;
	int hi = -1;
	for (size_t i = 1; i + 1 < len; i++) {
		int c = (unsigned char)s[i];
		if (hex) {
			if (c == '|') {
				if (hi >= 0)
					return md_derr(
					    ps->err, ps->errlen,
					    "odd number of hex digits "
					    "in content");
				hex = false;
			} else if (isspace(c)) {
				continue;
			} else if (hexval(c) < 0) {
				return md_derr(ps->err, ps->errlen,
					       "bad hex '%c' in content", c);
			} else if (hi < 0) {
				hi = hexval(c);
			} else {
				out[n++] = (uint8_t)(hi << 4 | hexval(c));
				hi = -1;
			}
			continue;
		}
		if (c == '|') {
			hex = true;
		} else if (c == '\\') {
			int e = i + 2 < len ? (unsigned char)s[i + 1] : 0;
			if (e != '"' && e != ';' && e != '\\' && e != ':')
				return md_derr(ps->err, ps->errlen,
					       "invalid escape in content");
			out[n++] = (uint8_t)e;
			i++;
		} else if (c == '"') {
			return md_derr(ps->err, ps->errlen,
				       "unescaped quote in content");
		} else {
			out[n++] = (uint8_t)c;
		}
	}
	if (hex)
		return md_derr(ps->err, ps->errlen,
			       "unterminated hex in content");
	if (!n)
		return md_derr(ps->err, ps->errlen, "empty content");
	*outlen = n;
	return 0;
}

static int kw_content(struct md_pstate *ps, char *val)
{
	bool neg = false;
	if (*val == '!') {
		neg = true;
		val = md_dtrim(val + 1);
	}
	uint8_t *pat = md_malloc(strlen(val) + 1);
	uint32_t len = 0;
	if (!pat)
		return MD_E_NOMEM;
	int rc = content_decode(ps, val, pat, &len);
	struct md_item *it = rc ? NULL : md_dps_item(ps, MD_IT_CONTENT);
	if (!it) {
		md_free(pat);
		return rc ? rc : MD_E_NOMEM;
	}
	it->c.pat = pat;
	it->c.len = len;
	it->c.negated = neg;
	it->c.offset.var = it->c.depth.var = -1;
	it->c.distance.var = it->c.within.var = -1;
	return 0;
}

/* The content a modifier applies to, or NULL with err set. */
static struct md_item *last_content(struct md_pstate *ps, const char *kw)
{
	if (ps->last_list < 0 || ps->last_list != ps->cur) {
		md_derr(ps->err, ps->errlen, "%s needs a preceding content",
			kw);
		return NULL;
	}
	return &ps->s->lists[ps->cur].items[ps->last_item];
}

enum { MODF_OFFSET, MODF_DEPTH, MODF_DISTANCE, MODF_WITHIN };

static int modifier(struct md_pstate *ps, char *val, int which)
{
	static const char *const names[] = {"offset", "depth", "distance",
					    "within"};
	static const uint16_t bits[] = {MD_CM_OFFSET, MD_CM_DEPTH,
					MD_CM_DISTANCE, MD_CM_WITHIN};
	const char *kw = names[which];
	struct md_item *it = last_content(ps, kw);
	if (!it)
		return MD_E_INVAL;
	struct md_content *c = &it->c;
	bool rel = which >= MODF_DISTANCE;
	if (c->has & bits[which])
		return md_derr(ps->err, ps->errlen, "%s set twice", kw);
	if (c->has & (MD_CM_STARTSWITH | (rel ? MD_CM_ABS : MD_CM_REL)))
		return md_derr(ps->err, ps->errlen,
			       "conflicting modifiers: %s with %s", kw,
			       (c->has & MD_CM_STARTSWITH) ? "startswith"
			       : rel			   ? "offset/depth"
							   : "distance/within");
	if (rel && ps->last_item == 0)
		return md_derr(ps->err, ps->errlen,
			       "relative modifier %s without a previous "
			       "content",
			       kw);
	struct md_dval v;
	int rc = md_dps_dval(ps, val, &v);
	if (rc)
		return rc;
	it = &ps->s->lists[ps->cur].items[ps->last_item];
	c = &it->c;
	if (v.var < 0) {
		if (which != MODF_DISTANCE && v.v < 0)
			return md_derr(ps->err, ps->errlen,
				       "%s must not be negative", kw);
		if (which == MODF_DEPTH && v.v < (int64_t)c->len)
			return md_derr(ps->err, ps->errlen,
				       "depth shorter than content");
		if (which == MODF_WITHIN && v.v < (int64_t)c->len)
			return md_derr(ps->err, ps->errlen,
				       "within shorter than content");
		if (v.v > 0x7fffffff || v.v < -0x7fffffff)
			return md_derr(ps->err, ps->errlen, "%s out of range",
				       kw);
	}
	struct md_dval *dst = which == MODF_OFFSET     ? &c->offset
			      : which == MODF_DEPTH    ? &c->depth
			      : which == MODF_DISTANCE ? &c->distance
						       : &c->within;
	*dst = v;
	c->has |= bits[which];
	if (rel)
		it->relative = true;
	return 0;
}

static int kw_offset(struct md_pstate *ps, char *v)
{
	return modifier(ps, v, MODF_OFFSET);
}
static int kw_depth(struct md_pstate *ps, char *v)
{
	return modifier(ps, v, MODF_DEPTH);
}
static int kw_distance(struct md_pstate *ps, char *v)
{
	return modifier(ps, v, MODF_DISTANCE);
}
static int kw_within(struct md_pstate *ps, char *v)
{
	return modifier(ps, v, MODF_WITHIN);
}

static int flag_mod(struct md_pstate *ps, const char *kw, uint16_t bit,
		    uint16_t conflicts)
{
	struct md_item *it = last_content(ps, kw);
	if (!it)
		return MD_E_INVAL;
	if (it->c.has & bit)
		return md_derr(ps->err, ps->errlen, "%s set twice", kw);
	if (it->c.has & conflicts)
		return md_derr(ps->err, ps->errlen,
			       "conflicting modifiers: %s with offset, depth, "
			       "distance or within",
			       kw);
	it->c.has |= bit;
	return 0;
}

static int kw_nocase(struct md_pstate *ps, char *v)
{
	(void)v;
	return flag_mod(ps, "nocase", MD_CM_NOCASE, 0);
}
static int kw_rawbytes(struct md_pstate *ps, char *v)
{
	(void)v;
	struct md_item *it = last_content(ps, "rawbytes");
	if (it)
		it->c.has |= MD_CM_RAWBYTES;
	return it ? 0 : MD_E_INVAL;
}
static int kw_startswith(struct md_pstate *ps, char *v)
{
	(void)v;
	return flag_mod(ps, "startswith", MD_CM_STARTSWITH,
			MD_CM_ABS | MD_CM_REL);
}
static int kw_endswith(struct md_pstate *ps, char *v)
{
	(void)v;
	return flag_mod(ps, "endswith", MD_CM_ENDSWITH, 0);
}

static int kw_fast_pattern(struct md_pstate *ps, char *val)
{
	struct md_item *it = last_content(ps, "fast_pattern");
	if (!it)
		return MD_E_INVAL;
	if (ps->fp_given)
		return md_derr(ps->err, ps->errlen, "fast_pattern set twice");
	if (it->c.negated)
		return md_derr(ps->err, ps->errlen,
			       "fast_pattern on a negated content");
	if (val && strcmp(val, "only")) {
		char *parts[2];
		uint64_t off, len;
		if (md_dsplit(val, parts, 2) != 2 ||
		    md_dparse_u64(parts[0], &off) ||
		    md_dparse_u64(parts[1], &len) || !len ||
		    off + len > it->c.len)
			return md_derr(ps->err, ps->errlen,
				       "bad fast_pattern offset,length");
		it->c.fp_off = (uint32_t)off;
		it->c.fp_len = (uint32_t)len;
	}
	it->c.has |= MD_CM_FASTPAT;
	ps->fp_given = true;
	ps->s->fp_list = ps->cur;
	ps->s->fp_item = ps->last_item;
	return 0;
}

static int kw_isdataat(struct md_pstate *ps, char *val)
{
	char *parts[3];
	int n = md_dsplit(val, parts, 3);
	if (n < 1)
		return md_derr(ps->err, ps->errlen, "bad isdataat");
	struct md_isdataat da = {.negated = parts[0][0] == '!'};
	for (int i = 1; i < n; i++) {
		if (!strcmp(parts[i], "relative"))
			da.relative = true;
		else if (strcmp(parts[i], "rawbytes"))
			return md_derr(ps->err, ps->errlen,
				       "bad isdataat option '%s'", parts[i]);
	}
	int rc = md_dps_dval(ps, md_dtrim(parts[0] + da.negated), &da.n);
	if (rc)
		return rc;
	if (da.n.var < 0 && da.n.v < 0)
		return md_derr(ps->err, ps->errlen, "bad isdataat value");
	struct md_item *it = md_dps_item(ps, MD_IT_ISDATAAT);
	if (!it)
		return MD_E_NOMEM;
	it->da = da;
	it->relative = da.relative;
	if (da.relative && !md_dps_has_prev(ps))
		return md_derr(ps->err, ps->errlen,
			       "isdataat relative without a previous content");
	return 0;
}

static int kw_dsize(struct md_pstate *ps, char *val)
{
	struct md_umatch u;
	int rc = md_dparse_umatch(val, &u, ps->err, ps->errlen);
	if (rc)
		return rc;
	if (ps->has_dsize)
		return md_derr(ps->err, ps->errlen, "dsize set twice");
	struct md_check *c = md_dps_check(ps, false);
	if (!c)
		return MD_E_NOMEM;
	c->type = MD_CK_DSIZE;
	c->u = u;
	ps->has_dsize = true;
	return 0;
}

static int kw_bsize(struct md_pstate *ps, char *val)
{
	struct md_umatch u;
	int rc = md_dparse_umatch(val, &u, ps->err, ps->errlen);
	if (rc)
		return rc;
	struct md_item *it = md_dps_item(ps, MD_IT_BSIZE);
	if (!it)
		return MD_E_NOMEM;
	it->u = u;
	return 0;
}

static int kw_pkt_data(struct md_pstate *ps, char *val)
{
	(void)val;
	return md_dps_select(ps, MD_BUF_PAYLOAD, -1, 0, NULL);
}

/* ---- pcre --------------------------------------------------------- */

static int pcre_flags(struct md_pstate *ps, const char *f, uint32_t *opts,
		      struct md_pcre *re)
{
	for (; *f; f++) {
		switch (*f) {
		case 'i':
			*opts |= PCRE2_CASELESS;
			break;
		case 's':
			*opts |= PCRE2_DOTALL;
			break;
		case 'm':
			*opts |= PCRE2_MULTILINE;
			break;
		case 'x':
			*opts |= PCRE2_EXTENDED;
			break;
		case 'A':
			*opts |= PCRE2_ANCHORED;
			re->anchored = true;
			break;
		case 'E':
			*opts |= PCRE2_DOLLAR_ENDONLY;
			break;
		case 'G':
			*opts |= PCRE2_UNGREEDY;
			break;
		case 'R':
			re->relative = true;
			break;
		case 'O':
			re->nolimit = true;
			break;
		case 'B':
			break;
		default:
			if (strchr("UIPHDMCKSYVWZ", *f)) {
				md_derr(ps->err, ps->errlen,
					"pcre flag '%c' needs http (not "
					"supported)",
					*f);
				return MD_E_UNSUPPORTED;
			}
			return md_derr(ps->err, ps->errlen,
				       "bad pcre: unsupported flag '%c'", *f);
		}
	}
	return 0;
}

static int kw_pcre(struct md_pstate *ps, char *val)
{
	struct md_pcre re = {0};
	if (*val == '!') {
		re.negated = true;
		val = md_dtrim(val + 1);
	}
	size_t len = strlen(val);
	if (len < 2 || val[0] != '"' || val[len - 1] != '"')
		return md_derr(ps->err, ps->errlen,
			       "bad pcre: must be in double quotes");
	val[len - 1] = 0;
	char *p = val + 1, delim = '/';
	if (*p == 'm' && p[1] && !isalnum((unsigned char)p[1]))
		delim = *++p;
	char *end = strrchr(p + 1, delim);
	if (*p != delim || !end)
		return md_derr(ps->err, ps->errlen,
			       "bad pcre: expected /regex/flags");
	uint32_t opts = 0;
	int rc = pcre_flags(ps, end + 1, &opts, &re);
	if (rc)
		return rc;
	int ecode;
	PCRE2_SIZE eoff;
	re.code = pcre2_compile((PCRE2_SPTR)(p + 1), (PCRE2_SIZE)(end - p - 1),
				opts, &ecode, &eoff, NULL);
	if (!re.code) {
		PCRE2_UCHAR msg[160];
		pcre2_get_error_message(ecode, msg, sizeof(msg));
		return md_derr(ps->err, ps->errlen,
			       "bad pcre: %s at offset %zu", (char *)msg,
			       (size_t)eoff);
	}
	pcre2_jit_compile(re.code, PCRE2_JIT_COMPLETE);
	struct md_item *it = md_dps_item(ps, MD_IT_PCRE);
	if (!it) {
		pcre2_code_free(re.code);
		return MD_E_NOMEM;
	}
	it->re = re;
	it->relative = re.relative;
	if (re.relative && !md_dps_has_prev(ps))
		return md_derr(ps->err, ps->errlen,
			       "pcre /R without a previous content");
	return 0;
}

/* ---- shared ------------------------------------------------------ */

void md_dcontent_prepare(struct md_content *c)
{
	if (!(c->has & MD_CM_NOCASE) || c->skip)
		return;
	for (uint32_t i = 0; i < c->len; i++)
		c->pat[i] = (uint8_t)tolower(c->pat[i]);
	c->skip = md_malloc(256 * sizeof(uint16_t));
	if (!c->skip)
		return; /* the search falls back to a plain scan */
	uint16_t m = c->len > 65535 ? 65535 : (uint16_t)c->len;
	for (int i = 0; i < 256; i++)
		c->skip[i] = m;
	for (uint32_t i = 0; i + 1 < c->len && i < 65535; i++) {
		uint16_t sh =
		    (uint16_t)(c->len - 1 - i > 65535 ? 65535 : c->len - 1 - i);
		c->skip[c->pat[i]] = sh;
		c->skip[toupper(c->pat[i])] = sh;
	}
}

void md_ditem_fini(struct md_item *it)
{
	switch (it->type) {
	case MD_IT_CONTENT:
		md_free(it->c.pat);
		md_free(it->c.skip);
		break;
	case MD_IT_PCRE:
		pcre2_code_free(it->re.code);
		break;
	case MD_IT_FILEMAGIC:
		md_free(it->fm.s);
		break;
	default:
		break;
	}
}

void md_dcheck_fini(struct md_check *c)
{
	if (c->type == MD_CK_FLOWBITS)
		md_free(c->fb.ids);
	else if (c->type == MD_CK_UFIELD)
		md_free(c->uf.arg);
}

const struct md_kw md_dkw_payload[] = {
    {"content", kw_content, MD_KW_VALUE,
     "match bytes in the current buffer (!negates, |hex|)"},
    {"nocase", kw_nocase, MD_KW_NOVALUE, "content: case-insensitive"},
    {"offset", kw_offset, MD_KW_VALUE, "content: start at this offset"},
    {"depth", kw_depth, MD_KW_VALUE,
     "content: match within N bytes from the offset"},
    {"distance", kw_distance, MD_KW_VALUE,
     "content: start N bytes after the previous match"},
    {"within", kw_within, MD_KW_VALUE,
     "content: end within N bytes of the previous match"},
    {"startswith", kw_startswith, MD_KW_NOVALUE,
     "content: at the start of the buffer"},
    {"endswith", kw_endswith, MD_KW_NOVALUE,
     "content: at the end of the buffer"},
    {"fast_pattern", kw_fast_pattern, 0,
     "content: use as the prefilter pattern [:offset,length]"},
    {"rawbytes", kw_rawbytes, MD_KW_NOVALUE, "content: accepted, no effect"},
    {"pcre", kw_pcre, MD_KW_VALUE,
     "Perl-compatible regex /re/ismxAEGRO (R: relative)"},
    {"isdataat", kw_isdataat, MD_KW_VALUE,
     "data present at offset [,relative]"},
    {"dsize", kw_dsize, MD_KW_VALUE, "packet payload size (integer)"},
    {"bsize", kw_bsize, MD_KW_VALUE, "current buffer size (integer)"},
    {"pkt_data", kw_pkt_data, MD_KW_NOVALUE,
     "select the packet payload (or stream) buffer"},
    {NULL, NULL, 0, NULL},
};
