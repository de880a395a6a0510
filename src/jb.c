/* jb.c - JSON text builder (see jb.h). */
#include "jb.h"

#include <string.h>

#include "mem.h"

void md_jb_init(struct md_jb *jb)
{
	memset(jb, 0, sizeof(*jb));
}

void md_jb_init_buf(struct md_jb *jb, char *buf, size_t cap)
{
	md_jb_init(jb);
	jb->buf = buf;
	jb->cap = cap;
}

void md_jb_reset(struct md_jb *jb)
{
	jb->len = 0;
	jb->comma = false;
	jb->err = false;
}

void md_jb_free(struct md_jb *jb)
{
	if (jb->heap)
		md_free(jb->buf);
	md_jb_init(jb);
}

static bool grow(struct md_jb *jb, size_t n)
{
	if (jb->err)
		return false;
	if (jb->len + n + 1 <= jb->cap)
		return true;
	size_t cap = jb->cap ? jb->cap : 1024;
	while (cap < jb->len + n + 1)
		cap *= 2;
	char *b = jb->heap ? md_realloc(jb->buf, cap) : md_malloc(cap);
	if (!b) {
		jb->err = true;
		return false;
	}
	if (!jb->heap && jb->len)
		memcpy(b, jb->buf, jb->len);
	jb->heap = true;
	jb->buf = b;
	jb->cap = cap;
	return true;
}

static void put(struct md_jb *jb, const char *s, size_t n)
{
	if (!grow(jb, n))
		return;
	memcpy(jb->buf + jb->len, s, n);
	jb->len += n;
	jb->buf[jb->len] = 0;
}

static void putc_(struct md_jb *jb, char c)
{
	put(jb, &c, 1);
}

size_t md_utf8_len(const uint8_t *p, size_t left)
{
	size_t n;
	uint32_t cp;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1fu;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0fu;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07u;
	else
		return 0;
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3fu);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* Escaped string body: JSON escapes for quote, backslash and control
 * characters; bytes that are not valid UTF-8 become the text \xHH. */
static void escaped(struct md_jb *jb, const uint8_t *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	if (!grow(jb, len * 6 + 2))
		return;
	char *o = jb->buf + jb->len;
	*o++ = '"';
	for (size_t i = 0; i < len;) {
		uint8_t c = p[i];
		size_t n;
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			*o++ = (char)c;
			i++;
		} else if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
			i++;
		} else if (c >= 0x80 && (n = md_utf8_len(p + i, len - i))) {
			memcpy(o, p + i, n);
			o += n;
			i += n;
		} else if (c == '\n' || c == '\r' || c == '\t') {
			*o++ = '\\';
			*o++ = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
			i++;
		} else { /* \\xHH as text: backslash escaped for JSON */
			memcpy(o, "\\\\x", 3);
			o += 3;
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
			i++;
		}
	}
	*o++ = '"';
	jb->len = (size_t)(o - jb->buf);
	jb->buf[jb->len] = 0;
}

static void key(struct md_jb *jb, const char *k)
{
	if (jb->comma)
		putc_(jb, ',');
	jb->comma = true;
	if (k) {
		escaped(jb, (const uint8_t *)k, strlen(k));
		putc_(jb, ':');
	}
}

void md_jb_open(struct md_jb *jb, const char *k)
{
	key(jb, k);
	putc_(jb, '{');
	jb->comma = false;
}

void md_jb_close(struct md_jb *jb)
{
	putc_(jb, '}');
	jb->comma = true;
}

void md_jb_open_array(struct md_jb *jb, const char *k)
{
	key(jb, k);
	putc_(jb, '[');
	jb->comma = false;
}

void md_jb_close_array(struct md_jb *jb)
{
	putc_(jb, ']');
	jb->comma = true;
}

void md_jb_str(struct md_jb *jb, const char *k, const char *s)
{
	key(jb, k);
	escaped(jb, (const uint8_t *)s, strlen(s));
}

void md_jb_bytes(struct md_jb *jb, const char *k, const uint8_t *p, size_t len)
{
	key(jb, k);
	escaped(jb, p, len);
}

void md_jb_uint(struct md_jb *jb, const char *k, uint64_t v)
{
	char tmp[24];
	int i = (int)sizeof(tmp);
	key(jb, k);
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(jb, tmp + i, sizeof(tmp) - (size_t)i);
}

void md_jb_bool(struct md_jb *jb, const char *k, bool v)
{
	key(jb, k);
	put(jb, v ? "true" : "false", v ? 4 : 5);
}

void md_jb_raw(struct md_jb *jb, const char *k, const char *json, size_t len)
{
	key(jb, k);
	put(jb, json, len);
}
