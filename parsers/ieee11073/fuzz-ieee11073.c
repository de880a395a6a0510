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

#include "fz-parser.h"
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

static const struct fz_run run = {
    .pp = &md_parser_ieee11073,
    .small = {1024, 64, 2, 64, 4, 3},
    .strict = true,
    .max_left = 4u + 65535u, /* an APDU is at most 4 + 65535 bytes */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz z = {0, 0};
	struct md_sink k = {&z,	  f_event, f_tx_new,   f_str, f_uint,
			    NULL, f_group, f_progress, NULL,  NULL};
	fz_parser_run(&run, data, size, &k);
	return 0;
}
