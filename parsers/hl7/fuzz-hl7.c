/* fuzz-hl7.c - libFuzzer target for the HL7 v2 / MLLP parser: the input is
 * cut into pieces fed to both directions through the md-parser.h contract
 * (unconsumed bytes kept and handed again, as the engine does), with gaps,
 * probes and small or default limits; the sink checks what the parser
 * reports (ids in range, transactions known, hl7.field arguments in their
 * normal form).
 *
 * Normative reference: HL7 Version 2.x chapter 2 and MLLP release 2 (what
 * the parser under test implements).
 *
 *   input: [control][piece] { 0xFF 0xFE [op][piece] }
 *           control bit 0: small limits (1 KiB buffer, 8 items, ...)
 *           op bit 0: direction of the piece; bit 1: a gap of op >> 2
 *           bytes in that direction comes first. The first piece goes
 *           to the server.
 *
 * Build (not part of the automake build):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -Iplugin
 *     -Itests/fuzz -Iparsers/hl7 parsers/hl7/fuzz-hl7.c
 *     parsers/hl7/hl7-*.c src/mem.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fz-parser.h"
#include "hl7.h"

extern const struct md_parser md_parser_hl7;

struct fz {
	uint64_t next_tx;
	uint64_t touched;
};

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

static void touch(struct fz *z, const uint8_t *v, size_t len)
{
	check(len == 0 || v != NULL);
	struct md_rd r = md_rd_make(v, len);
	while (md_rd_left(&r))
		z->touched += md_rd_u8(&r);
}

static void f_event(void *c, uint64_t tx, unsigned id)
{
	struct fz *z = c;
	check(id < HE_MAX);
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
	check(f < HF_MAX && tx < z->next_tx);
	touch(z, v, len);
}

static void f_uint(void *c, uint64_t tx, unsigned f, uint64_t v)
{
	struct fz *z = c;
	check(f < HF_MAX && tx < z->next_tx);
	z->touched += v;
}

static void f_arg(void *c, uint64_t tx, unsigned f, const char *arg,
		  const uint8_t *v, size_t len)
{
	struct fz *z = c;
	char norm[32];
	check(f == HF_FIELD && tx < z->next_tx);
	check(hl7_arg_norm(f, arg, norm, sizeof(norm)) == 0);
	check(strcmp(norm, arg) == 0);
	touch(z, v, len);
}

static void f_group(void *c, uint64_t tx, unsigned f)
{
	struct fz *z = c;
	check(f < HF_MAX && hl7_fields[f].type == MD_FT_GROUP);
	check(tx < z->next_tx);
}

static void f_progress(void *c, uint64_t tx, enum md_dir dir, unsigned p)
{
	struct fz *z = c;
	check(tx < z->next_tx && dir <= MD_DIR_TOCLIENT && p == HL7_PROG_DONE);
}

static const struct fz_run run = {
    .pp = &md_parser_hl7,
    .small = {1024, 2048, 8, 64, 4, 3},
    .strict = true, /* never more than max_buffer left (it would be cut) */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz z = {0, 0};
	struct md_sink k = {&z,	   f_event, f_tx_new,	f_str, f_uint,
			    f_arg, f_group, f_progress, NULL,  NULL};
	fz_parser_run(&run, data, size, &k);
	return 0;
}
