/* md-rd.h - bounded reader over untrusted bytes.
 *
 * Every parser reads packet bytes only through this reader (DESIGN.md,
 * "Reading untrusted bytes"). A read past the end never touches memory
 * outside [p, p+len): it returns 0 (or an empty span) and sets the sticky
 * `bad` flag. Parsers read straight through an item and check md_rd_ok()
 * once at the end.
 *
 *   +----------------- len -------------------+
 *   | consumed (off) |   remaining (len-off)   |
 *   +-----------------------------------------+
 *   p               p+off                     p+len
 *
 * md_rd_sub(r, n) returns a child reader over the next n bytes and
 * advances the parent by n: use it for every length-prefixed item (PDU,
 * PDV, element, APDU) so a lying inner length cannot escape its parent.
 */
#ifndef MD_RD_H
#define MD_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct md_rd {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool bad;
};

/* A span of bytes inside a reader's buffer; valid as long as that buffer. */
struct md_span {
	const uint8_t *p;
	size_t len;
};

static inline struct md_rd md_rd_make(const uint8_t *p, size_t len)
{
	struct md_rd r = {p, p ? len : 0, 0, false};
	return r;
}

static inline void md_rd_init(struct md_rd *r, const uint8_t *p, size_t len)
{
	*r = md_rd_make(p, len);
}

/* Bytes left to read (0 once bad). */
static inline size_t md_rd_left(const struct md_rd *r)
{
	return r->bad ? 0 : r->len - r->off;
}

static inline bool md_rd_ok(const struct md_rd *r)
{
	return !r->bad;
}

/* True when every byte was consumed and nothing went wrong. */
static inline bool md_rd_done(const struct md_rd *r)
{
	return !r->bad && r->off == r->len;
}

/* Reserve n bytes; on a short buffer mark bad and return NULL. */
static inline const uint8_t *md_rd_take(struct md_rd *r, size_t n)
{
	if (r->bad || n > r->len - r->off) {
		r->bad = true;
		r->off = r->len;
		return NULL;
	}
	const uint8_t *q = r->p + r->off;
	r->off += n;
	return q;
}

static inline uint8_t md_rd_u8(struct md_rd *r)
{
	const uint8_t *q = md_rd_take(r, 1);
	return q ? q[0] : 0;
}

static inline uint16_t md_rd_be16(struct md_rd *r)
{
	const uint8_t *q = md_rd_take(r, 2);
	return q ? (uint16_t)((q[0] << 8) | q[1]) : 0;
}

static inline uint32_t md_rd_be32(struct md_rd *r)
{
	const uint8_t *q = md_rd_take(r, 4);
	return q ? ((uint32_t)q[0] << 24) | ((uint32_t)q[1] << 16) |
		       ((uint32_t)q[2] << 8) | q[3]
		 : 0;
}

static inline uint64_t md_rd_be64(struct md_rd *r)
{
	uint64_t hi = md_rd_be32(r);
	return (hi << 32) | md_rd_be32(r);
}

static inline uint16_t md_rd_le16(struct md_rd *r)
{
	const uint8_t *q = md_rd_take(r, 2);
	return q ? (uint16_t)(q[0] | (q[1] << 8)) : 0;
}

static inline uint32_t md_rd_le32(struct md_rd *r)
{
	const uint8_t *q = md_rd_take(r, 4);
	return q ? (uint32_t)q[0] | ((uint32_t)q[1] << 8) |
		       ((uint32_t)q[2] << 16) | ((uint32_t)q[3] << 24)
		 : 0;
}

static inline void md_rd_skip(struct md_rd *r, size_t n)
{
	(void)md_rd_take(r, n);
}

/* The next n bytes as a span (empty span and bad on a short buffer). */
static inline struct md_span md_rd_span(struct md_rd *r, size_t n)
{
	struct md_span s = {md_rd_take(r, n), 0};
	if (s.p)
		s.len = n;
	return s;
}

/* Everything left, as a span; the reader ends up fully consumed. */
static inline struct md_span md_rd_rest(struct md_rd *r)
{
	return md_rd_span(r, md_rd_left(r));
}

/* Child reader over the next n bytes; the parent advances by n. A short
 * parent makes both readers bad. */
static inline struct md_rd md_rd_sub(struct md_rd *r, size_t n)
{
	const uint8_t *q = md_rd_take(r, n);
	struct md_rd c = md_rd_make(q, q ? n : 0);
	c.bad = (q == NULL);
	return c;
}

/* Byte at offset `at` from the current position without consuming it;
 * -1 when out of range. Never sets bad (framing uses it to look ahead). */
static inline int md_rd_peek(const struct md_rd *r, size_t at)
{
	if (r->bad || at >= r->len - r->off)
		return -1;
	return r->p[r->off + at];
}

/* Offset from the current position of the first byte equal to c, or -1. */
static inline long md_rd_find(const struct md_rd *r, uint8_t c)
{
	if (r->bad || r->off >= r->len)
		return -1;
	const uint8_t *q =
	    (const uint8_t *)memchr(r->p + r->off, c, r->len - r->off);
	return q ? (long)(q - (r->p + r->off)) : -1;
}

/* Current position as a pointer (for spans that begin here). */
static inline const uint8_t *md_rd_pos(const struct md_rd *r)
{
	return r->p ? r->p + r->off : NULL;
}

#endif
