/* fuzz-ieee11073.c - libFuzzer target for the IEEE 11073-20601 parser: the
 * input is cut into pieces fed to both directions through the md-parser.h
 * contract (unconsumed bytes kept and handed again, as the engine does),
 * with gaps, probes and small or default limits; the sink checks what the
 * parser reports (ids in range, field types, transactions known, groups
 * only for group fields, progress values).
 *
 * Normative reference: ISO/IEEE 11073-20601:2010 (what the parser under
 * test implements).
 *
 *   input: [control][piece] { 0xFF 0xFE [op][piece] }
 *           control bit 0: small limits (1 KiB buffer, 64-byte APDUs,
 *           2 items, ...)
 *           op bit 0: direction of the piece; bit 1: a gap of op >> 2
 *           bytes in that direction comes first. The first piece goes
 *           to the server. (The layout of parsers/hl7/fuzz-hl7.c, so the
 *           same seed writer serves both.)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "x73.h"

extern const struct md_parser md_parser_ieee11073;

struct fz {
	uint64_t next_tx;
	uint64_t touched;
};

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

static void f_event(void *c, uint64_t tx, unsigned id)
{
	struct fz *z = c;
	check(id < XE_MAX);
	check(tx == MD_TX_NONE || tx < z->next_tx);
}

static uint64_t f_tx_new(void *c, enum md_dir dir)
{
	struct fz *z = c;
	check(dir == MD_DIR_TOSERVER || dir == MD_DIR_TOCLIENT);
	if (z->next_tx % 7 == 6) { /* now and then the engine refuses one */
		z->next_tx++;
		return MD_TX_NONE;
	}
	return z->next_tx++;
}

static void f_str(void *c, uint64_t tx, unsigned f, const uint8_t *v,
		  size_t len)
{
	struct fz *z = c;
	check(f < XF_MAX && tx < z->next_tx);
	check(x73_fields[f].type == MD_FT_STR);
	check(len == 0 || v != NULL);
	struct md_rd r = md_rd_make(v, len);
	while (md_rd_left(&r))
		z->touched += md_rd_u8(&r);
}

static void f_uint(void *c, uint64_t tx, unsigned f, uint64_t v)
{
	struct fz *z = c;
	check(f < XF_MAX && tx < z->next_tx);
	check(x73_fields[f].type == MD_FT_UINT);
	z->touched += v;
}

static void f_group(void *c, uint64_t tx, unsigned f)
{
	struct fz *z = c;
	check(f < XF_MAX && x73_fields[f].type == MD_FT_GROUP);
	check(tx < z->next_tx);
}

static void f_progress(void *c, uint64_t tx, enum md_dir dir, unsigned p)
{
	struct fz *z = c;
	check(tx < z->next_tx && dir <= MD_DIR_TOCLIENT && p == X73_PROG_DONE);
}

/* Feed one piece to direction d, keeping what the parser leaves. */
static void feed(void *st, int d, uint8_t **rem, size_t *rlen,
		 struct md_span piece, const struct md_sink *k)
{
	size_t n = rlen[d] + piece.len, off = 0;
	uint8_t *all = malloc(n ? n : 1);
	check(all != NULL);
	if (rlen[d])
		memcpy(all, rem[d], rlen[d]);
	if (piece.len)
		memcpy(all + rlen[d], piece.p, piece.len);
	free(rem[d]);
	/* an exact-size copy so ASan sees any read past the end */
	while (off < n) {
		size_t used = 0;
		md_parser_ieee11073.parse(st, (enum md_dir)d, all + off,
					  n - off, &used, k);
		check(used <= n - off);
		if (!used)
			break;
		off += used;
	}
	/* an APDU is at most 4 + 65535 bytes: never more is left */
	check(n - off <= 4u + 65535u);
	memmove(all, all + off, n - off);
	rem[d] = all;
	rlen[d] = n - off;
}

/* Offset of the next 0xFF 0xFE in r, or -1. */
static long next_sep(const struct md_rd *r)
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct md_rd in = md_rd_make(data, size);
	struct md_limits lim = {1u << 20, 16u << 20, 256, 65536, 256, 100};
	struct fz z = {0, 0};
	struct md_sink k = {&z,	  f_event, f_tx_new,   f_str, f_uint,
			    NULL, f_group, f_progress, NULL,  NULL};
	uint8_t *rem[2] = {NULL, NULL};
	size_t rlen[2] = {0, 0};
	if (size < 1)
		return 0;
	if (md_rd_u8(&in) & 1) {
		struct md_limits small = {1024, 64, 2, 64, 4, 3};
		lim = small;
	}
	struct md_span all = md_rd_rest(&in);
	md_parser_ieee11073.probe(all.p, all.len, MD_DIR_TOSERVER);
	void *st = calloc(1, md_parser_ieee11073.state_size);
	if (!st || md_parser_ieee11073.init(st, &lim) != 0) {
		free(st);
		return 0;
	}
	struct md_rd r = md_rd_make(all.p, all.len);
	int d = MD_DIR_TOSERVER;
	for (;;) {
		long sep = next_sep(&r);
		struct md_span piece =
		    md_rd_span(&r, sep >= 0 ? (size_t)sep : md_rd_left(&r));
		feed(st, d, rem, rlen, piece, &k);
		if (sep < 0)
			break;
		md_rd_skip(&r, 2);
		unsigned op = md_rd_u8(&r);
		d = (int)(op & 1);
		if (op & 2) {
			md_parser_ieee11073.gap(st, (enum md_dir)d, op >> 2,
						&k);
			rlen[d] = 0;
		}
	}
	for (int i = 0; i < 2; i++) {
		md_parser_ieee11073.eof(st, (enum md_dir)i, &k);
		free(rem[i]);
	}
	free(st);
	return 0;
}
