/* detect-util.c - small helpers of the rule parser: errors, numbers, the
 * integer-keyword syntax, option value splitting and unquoting, JSON
 * strings and name interning.
 *
 * Integer keywords follow the Suricata user guide ("Integer Keywords"):
 * N, =N, !N, !=N, <N, <=N, >N, >=N, A-B and A<>B (exclusive range), !A-B,
 * &MASK=V and &MASK!=V; numbers are decimal or 0x hex with an optional
 * kb/mb/gb (1024-based) suffix.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect-int.h"

int md_derr(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (err && n)
		vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return MD_E_INVAL;
}

char *md_dtrim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}

/* Unsigned with optional unit suffix; returns 0 or -1. */
static int parse_u64_unit(const char *s, uint64_t *out)
{
	char *end;
	if (!*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	uint64_t mul = 1;
	if (*end) {
		if (!strcasecmp(end, "kb") || !strcasecmp(end, "kib"))
			mul = 1024;
		else if (!strcasecmp(end, "mb") || !strcasecmp(end, "mib"))
			mul = 1024 * 1024;
		else if (!strcasecmp(end, "gb") || !strcasecmp(end, "gib"))
			mul = 1024ull * 1024 * 1024;
		else
			return -1;
	}
	if (v > UINT64_MAX / mul)
		return -1;
	*out = (uint64_t)v * mul;
	return 0;
}

int md_dparse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!*s || *s == '-' || *s == '+')
		return MD_E_INVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		return MD_E_INVAL;
	*out = v;
	return 0;
}

int md_dparse_i64(const char *s, int64_t *out)
{
	char *end;
	if (!*s)
		return MD_E_INVAL;
	errno = 0;
	long long v = strtoll(s, &end, 0);
	if (errno || end == s || *end)
		return MD_E_INVAL;
	*out = v;
	return 0;
}

static int umatch_range(char *s, char *sep, size_t seplen, struct md_umatch *m,
			bool neg)
{
	*sep = 0;
	char *a = md_dtrim(s), *b = md_dtrim(sep + seplen);
	if (parse_u64_unit(a, &m->a) || parse_u64_unit(b, &m->b) ||
	    m->a >= m->b)
		return -1;
	m->op = neg ? MD_UOP_NRANGE : MD_UOP_RANGE;
	return 0;
}

static int umatch_mask(char *s, struct md_umatch *m)
{
	char *eq = strchr(s, '=');
	if (!eq)
		return -1;
	bool ne = eq > s && eq[-1] == '!';
	char *mend = ne ? eq - 1 : eq;
	*mend = 0;
	if (parse_u64_unit(md_dtrim(s), &m->a) ||
	    parse_u64_unit(md_dtrim(eq + 1), &m->b))
		return -1;
	m->op = ne ? MD_UOP_BAND_NE : MD_UOP_BAND_EQ;
	return 0;
}

int md_dparse_umatch(const char *in, struct md_umatch *m, char *err, size_t n)
{
	char buf[128];
	if (!in || strlen(in) >= sizeof(buf))
		return md_derr(err, n, "bad integer value");
	snprintf(buf, sizeof(buf), "%s", in);
	char *s = md_dtrim(buf);
	memset(m, 0, sizeof(*m));
	bool neg = false;
	char *r;
	if (*s == '&')
		return umatch_mask(s + 1, m)
			   ? md_derr(err, n, "bad bitmask value '%s'", in)
			   : 0;
	if (*s == '!' && s[1] != '=') {
		neg = true;
		s++;
	}
	if ((r = strstr(s, "<>")))
		return umatch_range(s, r, 2, m, neg)
			   ? md_derr(err, n, "bad range '%s'", in)
			   : 0;
	if ((r = strchr(s + 1, '-')) && isdigit((unsigned char)*s))
		return umatch_range(s, r, 1, m, neg)
			   ? md_derr(err, n, "bad range '%s'", in)
			   : 0;
	static const struct {
		const char *p;
		uint8_t op;
	} ops[] = {{"<=", MD_UOP_LE}, {">=", MD_UOP_GE}, {"!=", MD_UOP_NE},
		   {"<", MD_UOP_LT},  {">", MD_UOP_GT},	 {"=", MD_UOP_EQ}};
	m->op = neg ? MD_UOP_NE : MD_UOP_EQ;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t l = strlen(ops[i].p);
		if (!strncmp(s, ops[i].p, l)) {
			if (neg)
				return md_derr(err, n, "bad integer value '%s'",
					       in);
			m->op = ops[i].op;
			s += l;
			break;
		}
	}
	if (parse_u64_unit(md_dtrim(s), &m->a))
		return md_derr(err, n, "bad integer value '%s'", in);
	return 0;
}

bool md_umatch_eval(const struct md_umatch *m, uint64_t v)
{
	switch (m->op) {
	case MD_UOP_EQ:
		return v == m->a;
	case MD_UOP_NE:
		return v != m->a;
	case MD_UOP_LT:
		return v < m->a;
	case MD_UOP_LE:
		return v <= m->a;
	case MD_UOP_GT:
		return v > m->a;
	case MD_UOP_GE:
		return v >= m->a;
	case MD_UOP_RANGE:
		return v > m->a && v < m->b;
	case MD_UOP_NRANGE:
		return v <= m->a || v >= m->b;
	case MD_UOP_BAND_EQ:
		return (v & m->a) == m->b;
	case MD_UOP_BAND_NE:
		return (v & m->a) != m->b;
	}
	return false;
}

int md_dsplit(char *s, char **out, int max)
{
	int n = 0;
	bool q = false;
	char *start = s;
	for (char *p = s;; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '"')
			q = !q;
		if (*p == 0 || (*p == ',' && !q)) {
			if (n == max)
				return -1;
			bool end = *p == 0;
			*p = 0;
			out[n++] = md_dtrim(start);
			if (end)
				break;
			start = p + 1;
		}
	}
	return n;
}

int md_dunquote(char *s, char *err, size_t n)
{
	size_t len = strlen(s);
	if (len < 2 || s[0] != '"' || s[len - 1] != '"')
		return md_derr(err, n, "value must be in double quotes");
	char *w = s;
	for (size_t i = 1; i + 1 < len; i++) {
		char c = s[i];
		if (c == '\\') {
			char e = s[i + 1];
			if (i + 1 >= len - 1)
				return md_derr(err, n, "unbalanced quotes");
			if (e != '"' && e != ';' && e != '\\' && e != ':')
				return md_derr(err, n, "invalid escape '\\%c'",
					       e);
			*w++ = e;
			i++;
			continue;
		}
		if (c == '"')
			return md_derr(err, n, "unescaped quote in value");
		*w++ = c;
	}
	*w = 0;
	return 0;
}

static int grow(char **buf, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t nc = *cap ? *cap : 64;
	while (nc < need)
		nc *= 2;
	char *nb = md_realloc(*buf, nc);
	if (!nb)
		return MD_E_NOMEM;
	*buf = nb;
	*cap = nc;
	return 0;
}

int md_djson_str(char **buf, size_t *len, size_t *cap, const char *s,
		 size_t slen)
{
	if (grow(buf, cap, *len + slen * 6 + 3))
		return MD_E_NOMEM;
	char *w = *buf + *len;
	*w++ = '"';
	for (size_t i = 0; i < slen; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			*w++ = '\\';
			*w++ = (char)c;
		} else if (c < 0x20) {
			w += sprintf(w, "\\u%04x", c);
		} else {
			*w++ = (char)c;
		}
	}
	*w++ = '"';
	*w = 0;
	*len = (size_t)(w - *buf);
	return 0;
}

int md_dnames_id(struct md_names *n, const char *name)
{
	for (uint32_t i = 0; i < n->n; i++)
		if (!strcmp(n->v[i], name))
			return (int)i;
	if (n->n == n->cap) {
		uint32_t cap = n->cap ? n->cap * 2 : 16;
		char **v = md_realloc(n->v, cap * sizeof(*v));
		if (!v)
			return -1;
		n->v = v;
		n->cap = cap;
	}
	n->v[n->n] = md_strdup(name);
	if (!n->v[n->n])
		return -1;
	return (int)n->n++;
}

void md_dnames_fini(struct md_names *n)
{
	for (uint32_t i = 0; i < n->n; i++)
		md_free(n->v[i]);
	md_free(n->v);
	memset(n, 0, sizeof(*n));
}
