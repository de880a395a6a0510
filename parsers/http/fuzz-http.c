/* fuzz-http.c - libFuzzer target for the HTTP parser (libhtp underneath,
 * the SOAP hand-off to the sdc reader included): the input is cut into
 * pieces fed to both directions through the md-parser.h contract
 * (unconsumed bytes kept and handed again, as the engine does), with gaps
 * and small or default limits; the sink checks what the parser reports
 * (ids in range for the transaction's protocol, transactions known, body
 * bytes readable).
 *
 * Normative reference: RFC 9112 / RFC 9110 (what the parser under test
 * reads through libhtp), IEEE 11073-20702 (the SOAP bodies it hands on).
 *
 *   input: [control][piece] { 0xFF 0xFE [op][piece] }
 *           control bit 0: small limits (1 KiB buffer, 8 items, ...)
 *           op bit 0: direction of the piece; bit 1: a gap of op >> 2
 *           bytes in that direction comes first. The first piece goes
 *           to the server.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../dicom/dicom.h"
#include "../sdc/sdc.h"
#include "fz-parser.h"
#include "http.h"

extern const struct md_parser md_parser_http;

#define FZ_MAX_TX 4096

struct fz {
	uint64_t next_tx;
	uint64_t touched;
	uint8_t sdc[FZ_MAX_TX]; /* 1: an sdc companion, 2: a dicom one */
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

static unsigned companion(const struct fz *z, uint64_t tx)
{
	return tx < FZ_MAX_TX ? z->sdc[tx] : 0;
}

static void f_event(void *c, uint64_t tx, unsigned id)
{
	struct fz *z = c;
	check(tx == MD_TX_NONE || tx < z->next_tx);
	static const unsigned max[] = {HE_MAX, SE_MAX, DICOM_EV_MAX};
	check(id < max[companion(z, tx)]);
}

static uint64_t f_tx_new(void *c, enum md_dir dir)
{
	struct fz *z = c;
	check(dir == MD_DIR_TOSERVER || dir == MD_DIR_TOCLIENT);
	if (z->next_tx % 7 == 6 || z->next_tx >= FZ_MAX_TX) {
		z->next_tx++; /* now and then the engine refuses one */
		return MD_TX_NONE;
	}
	return z->next_tx++;
}

static uint64_t f_tx_new_as(void *c, enum md_dir dir, const char *proto)
{
	struct fz *z = c;
	bool sdc = !strcmp(proto, "sdc");
	check(sdc || !strcmp(proto, "dicom"));
	uint64_t id = f_tx_new(c, dir);
	if (id != MD_TX_NONE && id < FZ_MAX_TX)
		z->sdc[id] = sdc ? 1 : 2;
	return id;
}

static void f_field(struct fz *z, uint64_t tx, unsigned f)
{
	check(tx < z->next_tx);
	static const unsigned max[] = {HF_MAX, SF_MAX, DF_MAX};
	check(f < max[companion(z, tx)]);
}

static void f_str(void *c, uint64_t tx, unsigned f, const uint8_t *v,
		  size_t len)
{
	f_field(c, tx, f);
	touch(c, v, len);
}

static void f_uint(void *c, uint64_t tx, unsigned f, uint64_t v)
{
	struct fz *z = c;
	f_field(z, tx, f);
	z->touched += v;
}

static void f_arg(void *c, uint64_t tx, unsigned f, const char *arg,
		  const uint8_t *v, size_t len)
{
	f_field(c, tx, f);
	check(arg != NULL);
	touch(c, v, len);
}

static void f_group(void *c, uint64_t tx, unsigned f)
{
	struct fz *z = c;
	f_field(z, tx, f);
	unsigned k = companion(z, tx); /* Part-10 files open no group */
	check(k != 2 &&
	      (k ? sdc_fields[f].type : http_fields[f].type) == MD_FT_GROUP);
}

static void f_progress(void *c, uint64_t tx, enum md_dir dir, unsigned p)
{
	struct fz *z = c;
	check(tx < z->next_tx && dir <= MD_DIR_TOCLIENT);
	static const unsigned done[] = {HTTP_PROG_DONE, MD_SDC_TX_DONE,
					DICOM_PROGRESS_DONE};
	check(p == done[companion(z, tx)]);
}

static bool f_wants(void *c, unsigned f, const char *arg)
{
	(void)c, (void)arg;
	return f & 1; /* half the fields, to cover both paths */
}

static const struct fz_run run = {
    .pp = &md_parser_http,
    .small = {1024, 2048, 8, 64, 4, 3},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz z;
	struct md_sink k = {&z,	   f_event, f_tx_new,	f_str,	 f_uint,
			    f_arg, f_group, f_progress, f_wants, f_tx_new_as};
	memset(&z, 0, sizeof(z));
	fz_parser_run(&run, data, size, &k);
	return 0;
}
