/* fuzz-sdc.c - libFuzzer target for the SDC SOAP extraction: the input is
 * one SOAP body handed to md_sdc_soap() (as the HTTP parser does) or one
 * WS-Discovery datagram handed to the "sdc" parser, with default or small
 * limits; the sink checks what is reported (ids in range, the one
 * transaction, progress values) and reads every byte of every value.
 *
 * Normative reference: W3C SOAP 1.2, OASIS WS-Discovery 1.1, IEEE
 * 11073-20701/10207 (what the reader under test extracts).
 *
 *   input: [control][body]
 *           control bit 0: small limits (2 KiB envelope, 4 x 64 elements,
 *                          64-byte values)
 *           bit 1: a datagram through md_parser_sdc, else md_sdc_soap()
 *           bit 2: the response direction (md_sdc_soap) / to_client
 *           bit 3: forget the cross-message tables first
 *
 * Build: tests/fuzz/fuzz-sdc.c includes this file (configure --enable-fuzz
 * CC=clang; `./dev fuzz fuzz-sdc`).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sdc.h"

extern const struct md_parser md_parser_sdc;

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
	check(id < SE_MAX);
	check(tx == MD_TX_NONE || tx < z->next_tx);
}

static uint64_t f_tx_new(void *c, enum md_dir dir)
{
	struct fz *z = c;
	check(dir == MD_DIR_TOSERVER || dir == MD_DIR_TOCLIENT);
	return z->next_tx++;
}

static void f_str(void *c, uint64_t tx, unsigned f, const uint8_t *v,
		  size_t len)
{
	struct fz *z = c;
	check(f < SF_MAX && tx < z->next_tx);
	check(sdc_fields[f].type == MD_FT_STR);
	touch(z, v, len);
}

static void f_uint(void *c, uint64_t tx, unsigned f, uint64_t v)
{
	struct fz *z = c;
	check(f < SF_MAX && tx < z->next_tx);
	check(sdc_fields[f].type == MD_FT_UINT);
	z->touched += v;
}

static void f_progress(void *c, uint64_t tx, enum md_dir dir, unsigned p)
{
	struct fz *z = c;
	check(tx < z->next_tx && dir <= MD_DIR_TOCLIENT && p == MD_SDC_TX_DONE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct md_rd in = md_rd_make(data, size);
	struct md_limits lim = {1u << 20, 16u << 20, 256, 65536, 256, 100};
	struct fz z = {1, 0};
	struct md_sink k = {&z,	  f_event, f_tx_new,   f_str, f_uint,
			    NULL, NULL,	   f_progress, NULL,  NULL};
	if (size < 1)
		return 0;
	unsigned ctl = md_rd_u8(&in);
	if (ctl & 1) {
		struct md_limits small = {1024, 2048, 4, 64, 4, 3};
		lim = small;
	}
	if (ctl & 8)
		sdc_state_reset();
	struct md_span body = md_rd_rest(&in);
	/* an exact-size copy so ASan sees any read past the end */
	uint8_t *copy = malloc(body.len ? body.len : 1);
	check(copy != NULL);
	if (body.len)
		memcpy(copy, body.p, body.len);
	enum md_dir dir = (ctl & 4) ? MD_DIR_TOCLIENT : MD_DIR_TOSERVER;
	if (ctl & 2) {
		md_parser_sdc.probe(copy, body.len, dir);
		void *st = calloc(1, md_parser_sdc.state_size);
		check(st != NULL && md_parser_sdc.init(st, &lim) == 0);
		size_t used = 0;
		md_parser_sdc.parse(st, dir, copy, body.len, &used, &k);
		check(used == body.len);
		free(st);
	} else {
		int rc = md_sdc_soap(copy, body.len, dir, 0, &k, &lim);
		check(rc == 0 || rc == MD_E_INVAL || rc == MD_E_LIMIT ||
		      rc == MD_E_NOMEM);
	}
	free(copy);
	return 0;
}
