/* fz-parser.h - the input layout and feeding loop of the parser fuzz
 * drivers (parsers/<p>/fuzz-<p>.c). Each driver keeps its own sink, which
 * checks what its parser reports; this drives the parser the way the
 * engine does (unconsumed bytes kept and handed again with the next ones,
 * parse called again while it returns OK and makes progress).
 *
 *   input: [control][piece] { 0xFF 0xFE [op][piece] }
 *           control bit 0: the driver's small limits
 *           op bit 0: direction of the piece; bit 1: a gap of op >> 2
 *           bytes in that direction comes first. The first piece goes
 *           to the server.
 *
 * Header only, so that a driver also builds alone with -Itests/fuzz.
 */
#ifndef MD_FZ_PARSER_H
#define MD_FZ_PARSER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "md-parser.h"
#include "md-rd.h"

struct fz_run {
	const struct md_parser *pp;
	struct md_limits small; /* limits when control bit 0 is set */
	/* strict: leaving more than max_left unconsumed bytes (0: the
	 * limits' max_buffer) is a finding. Otherwise, past max_buffer the
	 * engine drops the direction's buffer, and so does this loop. */
	bool strict;
	size_t max_left;
};

static inline void fz_check(int ok)
{
	if (!ok)
		__builtin_trap();
}

/* Feed one piece to direction d, keeping what the parser leaves. */
static inline void fz_feed(const struct fz_run *fr, void *st, int d,
			   uint8_t **rem, size_t *rlen, size_t max,
			   struct md_span piece, const struct md_sink *k)
{
	size_t n = rlen[d] + piece.len, off = 0;
	uint8_t *all = malloc(n ? n : 1);
	fz_check(all != NULL);
	if (rlen[d])
		memcpy(all, rem[d], rlen[d]);
	if (piece.len)
		memcpy(all + rlen[d], piece.p, piece.len);
	free(rem[d]);
	/* an exact-size copy so ASan sees any read past the end */
	while (off < n) {
		size_t used = 0;
		enum md_parse_rc rc = fr->pp->parse(
		    st, (enum md_dir)d, all + off, n - off, &used, k);
		fz_check(used <= n - off);
		off += used;
		if (!used || rc != MD_PARSE_OK)
			break;
	}
	if (fr->strict)
		fz_check(n - off <= (fr->max_left ? fr->max_left : max));
	else if (n - off > max)
		off = n; /* the engine would drop the direction's buffer */
	memmove(all, all + off, n - off);
	rem[d] = all;
	rlen[d] = n - off;
}

/* Offset of the next 0xFF 0xFE in r, or -1. */
static inline long fz_next_sep(const struct md_rd *r)
{
	struct md_rd t = *r;
	for (long base = 0;;) {
		long at = md_rd_find(&t, 0xFF);
		if (at < 0)
			return -1;
		if (md_rd_peek(&t, (size_t)at + 1) == 0xFE)
			return base + at;
		md_rd_skip(&t, (size_t)at + 1);
		base += at + 1;
	}
}

/* Run the parser of fr over one fuzz input, reporting to sink k. */
static inline void fz_parser_run(const struct fz_run *fr, const uint8_t *data,
				 size_t size, const struct md_sink *k)
{
	const struct md_parser *pp = fr->pp;
	struct md_rd in = md_rd_make(data, size);
	struct md_limits lim = {1u << 20, 16u << 20, 256, 65536, 256, 100};
	uint8_t *rem[2] = {NULL, NULL};
	size_t rlen[2] = {0, 0};
	if (size < 1)
		return;
	if (md_rd_u8(&in) & 1)
		lim = fr->small;
	struct md_span all = md_rd_rest(&in);
	pp->probe(all.p, all.len, MD_DIR_TOSERVER);
	void *st = calloc(1, pp->state_size ? pp->state_size : 1);
	if (!st || (pp->init && pp->init(st, &lim) != 0)) {
		free(st);
		return;
	}
	struct md_rd r = md_rd_make(all.p, all.len);
	int d = MD_DIR_TOSERVER;
	for (;;) {
		long sep = fz_next_sep(&r);
		struct md_span piece =
		    md_rd_span(&r, sep >= 0 ? (size_t)sep : md_rd_left(&r));
		fz_feed(fr, st, d, rem, rlen, lim.max_buffer, piece, k);
		if (sep < 0)
			break;
		md_rd_skip(&r, 2);
		unsigned op = md_rd_u8(&r);
		d = (int)(op & 1);
		if (op & 2) {
			pp->gap(st, (enum md_dir)d, op >> 2, k);
			rlen[d] = 0;
		}
	}
	for (int i = 0; i < 2; i++) {
		pp->eof(st, (enum md_dir)i, k);
		free(rem[i]);
	}
	if (pp->fini)
		pp->fini(st);
	free(st);
}

#endif
