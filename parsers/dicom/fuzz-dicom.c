/* fuzz-dicom.c - libFuzzer target for the DICOM parser: the input is a run
 * of records, each giving bytes of one direction (or a gap), fed through
 * the md-parser.h contract the way the engine does (unconsumed bytes kept,
 * up to max_buffer, and handed again with the next ones; BAD sticky).
 *
 * Normative reference: none (test driver). Record layout:
 *
 *   +----------------------------+------------------------------+
 *   | hdr (2, BE)                | length bytes (absent: gap)    |
 *   +----------------------------+------------------------------+
 *   hdr bit 15: direction (0 to server, 1 to client)
 *       bit 14: a gap of `length` bytes instead of data
 *       bits 0-13: length (a short final record takes what is left)
 *
 * Not part of the automake build. Build and run, from the top directory:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -Iplugin \
 *     -Iparsers/dicom parsers/dicom/fuzz-dicom.c parsers/dicom/dicom*.c \
 *     src/mem.c -lz -o fuzz-dicom
 *   ./fuzz-dicom -max_total_time=300 CORPUS_DIR
 *
 * Seeds: the wire-order TCP payloads of pcaps/dicom-*.pcap as records.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dicom.h"
#include "md-rd.h"
#include "mem.h"

struct fz {
	uint64_t next_tx;
	uint64_t sum; /* every reported byte is read: catches overreads */
	uint8_t *rem[2];
	size_t rlen[2];
	bool bad[2];
};

static void touch(struct fz *f, const uint8_t *p, size_t len)
{
	struct md_rd r = md_rd_make(p, len);
	while (md_rd_left(&r))
		f->sum += md_rd_u8(&r);
}

static void s_event(void *c, uint64_t tx, unsigned id)
{
	struct fz *f = c;
	if (id >= DICOM_EV_MAX || (tx != MD_TX_NONE && tx >= f->next_tx))
		__builtin_trap();
}

static uint64_t s_tx_new(void *c, enum md_dir dir)
{
	struct fz *f = c;
	if (dir > MD_DIR_TOCLIENT)
		__builtin_trap();
	return f->next_tx++;
}

static void check(struct fz *f, uint64_t tx, unsigned field)
{
	if (field >= DF_MAX || (tx != MD_TX_NONE && tx >= f->next_tx))
		__builtin_trap();
}

static void s_str(void *c, uint64_t tx, unsigned field, const uint8_t *p,
		  size_t len)
{
	check(c, tx, field);
	touch(c, p, len);
}

static void s_uint(void *c, uint64_t tx, unsigned field, uint64_t v)
{
	check(c, tx, field);
	((struct fz *)c)->sum += v;
}

static void s_arg(void *c, uint64_t tx, unsigned field, const char *arg,
		  const uint8_t *p, size_t len)
{
	check(c, tx, field);
	if (field != DF_ATTRIBUTE || strlen(arg) != 8)
		__builtin_trap();
	touch(c, p, len);
}

static void s_group(void *c, uint64_t tx, unsigned field)
{
	check(c, tx, field);
	if (md_parser_dicom.fields[field].type != MD_FT_GROUP)
		__builtin_trap();
}

static void s_progress(void *c, uint64_t tx, enum md_dir dir, unsigned p)
{
	check(c, tx, 0);
	if (dir > MD_DIR_TOCLIENT || p != DICOM_PROGRESS_DONE)
		__builtin_trap();
}

/* Feed len bytes at p to direction d, keeping what parse leaves. */
static void feed(struct fz *f, void *state, const struct md_limits *lim, int d,
		 const uint8_t *p, size_t len)
{
	struct md_sink k = {f,	   s_event, s_tx_new,	s_str, s_uint,
			    s_arg, s_group, s_progress, NULL,  NULL};
	if (f->bad[d] || !len)
		return;
	size_t n = f->rlen[d] + len;
	uint8_t *all = md_malloc(n);
	if (!all)
		return;
	if (f->rlen[d])
		memcpy(all, f->rem[d], f->rlen[d]);
	memcpy(all + f->rlen[d], p, len);
	size_t off = 0;
	while (off < n) {
		size_t used = 0;
		enum md_parse_rc rc = md_parser_dicom.parse(
		    state, (enum md_dir)d, all + off, n - off, &used, &k);
		if (used > n - off)
			__builtin_trap();
		off += used;
		if (rc == MD_PARSE_BAD) {
			f->bad[d] = true;
			break;
		}
		if (rc == MD_PARSE_MORE || used == 0)
			break;
	}
	md_free(f->rem[d]);
	f->rem[d] = NULL;
	f->rlen[d] = 0;
	if (!f->bad[d] && off < n && n - off <= lim->max_buffer) {
		f->rem[d] = md_malloc(n - off);
		if (f->rem[d]) {
			memcpy(f->rem[d], all + off, n - off);
			f->rlen[d] = n - off;
		}
	} else if (off < n) {
		f->bad[d] = true; /* over max_buffer: the engine gives up */
	}
	md_free(all);
}

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t size)
{
	struct md_limits lim = {65536, 1u << 20, 256, 4096, 64, 100};
	struct fz f;
	struct md_rd r = md_rd_make(buf, size);
	void *state = md_calloc(1, sizeof(struct dicom_state));
	memset(&f, 0, sizeof(f));
	if (!state || md_parser_dicom.init(state, &lim) != 0) {
		md_free(state);
		return 0;
	}
	struct md_sink k = {&f,	   s_event, s_tx_new,	s_str, s_uint,
			    s_arg, s_group, s_progress, NULL,  NULL};
	while (md_rd_left(&r) >= 2) {
		uint16_t hdr = md_rd_be16(&r);
		int d = hdr >> 15;
		size_t len = hdr & 0x3fff;
		if (hdr & 0x4000) {
			md_free(f.rem[d]);
			f.rem[d] = NULL;
			f.rlen[d] = 0;
			if (!f.bad[d])
				md_parser_dicom.gap(state, (enum md_dir)d, len,
						    &k);
			continue;
		}
		if (len > md_rd_left(&r))
			len = md_rd_left(&r);
		struct md_span s = md_rd_span(&r, len);
		feed(&f, state, &lim, d, s.p, s.len);
	}
	for (int d = 0; d < 2; d++)
		if (!f.bad[d])
			md_parser_dicom.eof(state, (enum md_dir)d, &k);
	md_parser_dicom.fini(state);
	md_free(state);
	md_free(f.rem[0]);
	md_free(f.rem[1]);
	return 0;
}
