/* test-dicom-build.c - byte builders for the DICOM parser tests
 * (test-dicom.h): PDUs and items (PS3.8 9.3), command sets (PS3.7 E.1,
 * implicit VR little endian), data set elements (PS3.5 7.1, explicit or
 * implicit VR, little or big endian), deflate (PS3.5 A.5), and the vector
 * runner with transcript assertions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "test-dicom.h"

const struct pc ECHO_PC[1] = {{1, VERIFICATION, {IMPLICIT}}};

/* ---- byte builder ------------------------------------------------------ */

struct bb *bb_new(void)
{
	struct bb *b = calloc(1, sizeof(*b));
	assert_non_null(b);
	return b;
}

void bb_free(struct bb *b)
{
	if (b)
		free(b->p);
	free(b);
}

void put(struct bb *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	if (n)
		memcpy(b->p + b->n, p, n);
	b->n += n;
}

void u8(struct bb *b, unsigned v)
{
	uint8_t c = (uint8_t)v;
	put(b, &c, 1);
}

void be16(struct bb *b, unsigned v)
{
	u8(b, v >> 8);
	u8(b, v);
}

void be32(struct bb *b, uint32_t v)
{
	be16(b, v >> 16);
	be16(b, v & 0xffff);
}

void le16(struct bb *b, unsigned v)
{
	u8(b, v);
	u8(b, v >> 8);
}

void le32(struct bb *b, uint32_t v)
{
	le16(b, v & 0xffff);
	le16(b, v >> 16);
}

void str(struct bb *b, const char *s)
{
	put(b, s, strlen(s));
}

void fill(struct bb *b, unsigned c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		u8(b, c);
}

void patch_be(struct bb *b, size_t at, size_t width, uint32_t v)
{
	for (size_t i = 0; i < width; i++)
		b->p[at + i] = (uint8_t)(v >> (8 * (width - 1 - i)));
}

/* A 16-byte space-padded AE title. */
void ae(struct bb *b, const char *s)
{
	str(b, s);
	fill(b, ' ', 16 - strlen(s));
}

/* PDU header; returns where its length goes (pdu_end patches it). */
size_t pdu(struct bb *b, unsigned type)
{
	u8(b, type);
	u8(b, 0);
	be32(b, 0);
	return b->n - 4;
}

void pdu_end(struct bb *b, size_t at)
{
	patch_be(b, at, 4, (uint32_t)(b->n - at - 4));
}

size_t item(struct bb *b, unsigned type)
{
	u8(b, type);
	u8(b, 0);
	be16(b, 0);
	return b->n - 2;
}

void item_end(struct bb *b, size_t at)
{
	patch_be(b, at, 2, (uint32_t)(b->n - at - 2));
}

void item_str(struct bb *b, unsigned type, const char *s)
{
	size_t at = item(b, type);
	str(b, s);
	item_end(b, at);
}

/* ---- association PDUs --------------------------------------------------- */

void ui_std(struct bb *b)
{
	size_t at = item(b, 0x51);
	be32(b, 16384);
	item_end(b, at);
	item_str(b, 0x52, "1.2.276.0.7230010.3.0.3.6.7");
	item_str(b, 0x55, "OFFIS_DCMTK_367");
}

void assoc_fixed(struct bb *b, unsigned version, const char *called,
		 const char *calling)
{
	be16(b, version);
	be16(b, 0);
	ae(b, called);
	ae(b, calling);
	fill(b, 0, 32);
}

struct bb *rq_pdu(const char *called, const char *calling, const struct pc *pcs,
		  size_t n, ui_fn ui)
{
	struct bb *b = bb_new();
	size_t at = pdu(b, 1);
	assoc_fixed(b, 1, called, calling);
	item_str(b, 0x10, APP_CTX);
	for (size_t i = 0; i < n; i++) {
		size_t it = item(b, 0x20);
		u8(b, pcs[i].id);
		fill(b, 0, 3);
		item_str(b, 0x30, pcs[i].as);
		for (int t = 0; t < 3 && pcs[i].ts[t]; t++)
			item_str(b, 0x40, pcs[i].ts[t]);
		item_end(b, it);
	}
	size_t u = item(b, 0x50);
	(ui ? ui : ui_std)(b);
	item_end(b, u);
	pdu_end(b, at);
	return b;
}

/* AC accepting each context with its first transfer syntax, or with
 * result `results[i]` when results is given. */
struct bb *ac_pdu(const struct pc *pcs, size_t n, const unsigned *results,
		  ui_fn ui)
{
	struct bb *b = bb_new();
	size_t at = pdu(b, 2);
	assoc_fixed(b, 1, "SCP", "SCU");
	item_str(b, 0x10, APP_CTX);
	for (size_t i = 0; i < n; i++) {
		size_t it = item(b, 0x21);
		u8(b, pcs[i].id);
		u8(b, 0);
		u8(b, results ? results[i] : 0);
		u8(b, 0);
		item_str(b, 0x40, pcs[i].ts[0]);
		item_end(b, it);
	}
	size_t u = item(b, 0x50);
	(ui ? ui : ui_std)(b);
	item_end(b, u);
	pdu_end(b, at);
	return b;
}

struct bb *small_pdu(unsigned type, unsigned b1, unsigned b2, unsigned b3)
{
	struct bb *b = bb_new();
	size_t at = pdu(b, type);
	u8(b, 0);
	u8(b, b1);
	u8(b, b2);
	u8(b, b3);
	pdu_end(b, at);
	return b;
}

/* ---- command sets and data sets ---------------------------------------- */

void c_us(struct bb *c, unsigned elem, unsigned v)
{
	le16(c, 0);
	le16(c, elem);
	le32(c, 2);
	le16(c, v);
}

/* A string element padded to even length with pad. */
void c_str(struct bb *c, unsigned elem, const char *s, unsigned pad)
{
	size_t n = strlen(s);
	le16(c, 0);
	le16(c, elem);
	le32(c, (uint32_t)(n + (n & 1)));
	str(c, s);
	if (n & 1)
		u8(c, pad);
}

/* Prefix CommandGroupLength; frees c. */
struct bb *cmd_done(struct bb *c)
{
	struct bb *b = bb_new();
	le16(b, 0);
	le16(b, 0);
	le32(b, 4);
	le32(b, (uint32_t)c->n);
	put(b, c->p, c->n);
	bb_free(c);
	return b;
}

/* Common request command: class, field, message id, data set type. */
struct bb *cmd_rq(unsigned field, unsigned id, const char *sop_class, bool data)
{
	struct bb *c = bb_new();
	if (sop_class)
		c_str(c,
		      field >= 0x0110 && field <= 0x0150 && field != 0x0140
			  ? 0x0003
			  : 0x0002,
		      sop_class, 0);
	c_us(c, 0x0100, field);
	c_us(c, 0x0110, id);
	c_us(c, 0x0800, data ? 0x0000 : 0x0101);
	return c;
}

struct bb *cmd_rsp(unsigned field, unsigned id, unsigned status, bool data)
{
	struct bb *c = bb_new();
	c_us(c, 0x0100, field);
	c_us(c, 0x0120, id);
	c_us(c, 0x0800, data ? 0x0000 : 0x0101);
	c_us(c, 0x0900, status);
	return c;
}

bool long_vr(const char *vr)
{
	static const char all[] = "OBODOFOLOVOWSQSVUCUNURUTUV";
	for (size_t i = 0; vr && i < sizeof(all) - 1; i += 2)
		if (vr[0] == all[i] && vr[1] == all[i + 1])
			return true;
	return false;
}

/* Element: explicit VR (little or big endian), or implicit when vr is
 * NULL; n bytes of v follow unless v is NULL. */
void el(struct bb *d, bool big, uint32_t tag, const char *vr, const void *v,
	uint32_t n)
{
	bool lng = long_vr(vr);
	void (*w16)(struct bb *, unsigned) = big ? be16 : le16;
	void (*w32)(struct bb *, uint32_t) = big ? be32 : le32;
	w16(d, tag >> 16);
	w16(d, tag & 0xffff);
	if (vr) {
		str(d, vr);
		if (lng) {
			w16(d, 0);
			w32(d, n);
		} else {
			w16(d, n);
		}
	} else {
		w32(d, n);
	}
	if (v)
		put(d, v, n == 0xffffffffu ? 0 : n);
}

/* String element (explicit VR unless vr is NULL) padded to even length
 * with pad. */
void sv(struct bb *d, bool big, uint32_t tag, const char *vr, const char *s,
	unsigned pad)
{
	char v[512];
	size_t n = strlen(s);
	assert_true(n < sizeof(v) - 1);
	memcpy(v, s, n);
	if (n & 1)
		v[n++] = (char)pad;
	el(d, big, tag, vr, v, (uint32_t)n);
}

/* Explicit VR little endian string element. */
void es(struct bb *d, uint32_t tag, const char *vr, const char *s)
{
	sv(d, false, tag, vr, s, strcmp(vr, "UI") == 0 ? 0 : ' ');
}

void delim(struct bb *d, bool big, unsigned elem, uint32_t len)
{
	el(d, big, 0xFFFE0000u | elem, NULL, NULL, len);
}

/* ---- vectors ------------------------------------------------------------ */

void add(struct vec *v, int dir, struct bb *b)
{
	assert_true(v->n < 96);
	v->c[v->n] = (struct md_vec_chunk){dir, b->p, b->n};
	v->b[v->n++] = b;
}

/* P-DATA-TF with one PDV. */
struct bb *pdv(unsigned ctx, unsigned flags, const struct bb *frag)
{
	struct bb *b = bb_new();
	size_t at = pdu(b, 4);
	be32(b, (uint32_t)(frag ? frag->n : 0) + 2);
	u8(b, ctx);
	u8(b, flags);
	if (frag)
		put(b, frag->p, frag->n);
	pdu_end(b, at);
	return b;
}

/* A message: command (and data set) each in one PDV and one PDU. */
void msg(struct vec *v, int dir, unsigned ctx, struct bb *cmd, struct bb *ds)
{
	struct bb *c = cmd_done(cmd);
	add(v, dir, pdv(ctx, 3, c));
	bb_free(c);
	if (ds) {
		add(v, dir, pdv(ctx, 2, ds));
		bb_free(ds);
	}
}

void vec_free(struct vec *v)
{
	for (size_t i = 0; i < v->n; i++)
		bb_free(v->b[i]);
	v->n = 0;
}

/* RQ + AC for the contexts (all accepted with their first syntax). */
void assoc(struct vec *v, const struct pc *pcs, size_t n)
{
	add(v, TS, rq_pdu("SCP", "SCU", pcs, n, NULL));
	add(v, TC, ac_pdu(pcs, n, NULL, NULL));
}

char *run(struct vec *v)
{
	char *t = md_vec_run(&md_parser_dicom, v->c, v->n);
	vec_free(v);
	return t;
}

char *run_once(struct vec *v)
{
	char *t = md_vec_run_once(&md_parser_dicom, v->c, v->n);
	vec_free(v);
	return t;
}

/* cmocka truncates long messages: the transcript goes to stderr. */
void expect(const char *t, const char *line)
{
	if (strstr(t, line))
		return;
	fprintf(stderr, "--- transcript ---\n%s--- end ---\n", t);
	fail_msg("missing \"%s\"", line);
}

void expect_not(const char *t, const char *line)
{
	if (!strstr(t, line))
		return;
	fprintf(stderr, "--- transcript ---\n%s--- end ---\n", t);
	fail_msg("unexpected \"%s\"", line);
}

/* The image attributes of pcaps/README.md, one encoding at a time. */
struct bb *image_ds(bool big, bool implicit)
{
	struct bb *d = bb_new();
	static const struct {
		uint32_t tag;
		const char *vr, *val;
	} els[] = {
	    {0x00080016, "UI", CT_STORAGE},
	    {0x00080018, "UI", INST},
	    {0x00080060, "CS", "CT"},
	    {0x00080070, "LO", "SYNTHETIC MEDICAL SYSTEMS"},
	    {0x00080080, "LO", "SYNTHETIC GENERAL HOSPITAL"},
	    {0x00081010, "SH", "SYNCT01"},
	    {0x00081090, "LO", "SYN-CT 64"},
	    {0x00100010, "PN", "TEST^PATIENT^TWO"},
	    {0x00100020, "LO", "SYN0002"},
	    {0x00100030, "DA", "19700101"},
	    {0x00181000, "LO", "SN-SYN-0003"},
	    {0x00181020, "LO", "SYN 3.1.4"},
	    {0x0020000D, "UI", "2.25.1.2"},
	    {0x0020000E, "UI", "2.25.1.2.3"},
	};
	for (size_t i = 0; i < sizeof(els) / sizeof(els[0]); i++) {
		if (els[i].tag == 0x00100010) { /* a nested name: not taken */
			if (implicit)
				el(d, false, 0x00081110, NULL, NULL,
				   0xffffffffu);
			else
				el(d, big, 0x00081110, "SQ", NULL, 0xffffffffu);
			delim(d, big, 0xE000, 0xffffffffu);
			sv(d, big, 0x00100010, implicit ? NULL : "PN",
			   "NESTED^NAME", ' ');
			delim(d, big, 0xE00D, 0);
			delim(d, big, 0xE000, 4); /* defined-length item */
			put(d, "\x01\x02\x03\x04", 4);
			delim(d, big, 0xE0DD, 0);
		}
		sv(d, big, els[i].tag, implicit ? NULL : els[i].vr, els[i].val,
		   strcmp(els[i].vr, "UI") == 0 ? 0 : ' ');
	}
	static uint8_t pixels[64];
	el(d, big, 0x7FE00010, implicit ? NULL : "OW", pixels, 64);
	return d;
}

void expect_image(const char *t, unsigned tx)
{
	static const char *const keys[] = {
	    "rq.sop_class_uid '" CT_STORAGE "'",
	    "rq.sop_instance_uid '" INST "'",
	    "rq.modality 'CT'",
	    "rq.manufacturer 'SYNTHETIC MEDICAL SYSTEMS'",
	    "rq.institution_name 'SYNTHETIC GENERAL HOSPITAL'",
	    "rq.station_name 'SYNCT01'",
	    "rq.manufacturer_model_name 'SYN-CT 64'",
	    "rq.patient_name 'TEST^PATIENT^TWO'",
	    "rq.patient_id 'SYN0002'",
	    "rq.patient_birth_date '19700101'",
	    "rq.device_serial_number 'SN-SYN-0003'",
	    "rq.software_versions 'SYN 3.1.4'",
	    "rq.study_instance_uid '2.25.1.2'",
	    "rq.series_instance_uid '2.25.1.2.3'",
	};
	char line[160];
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(line, sizeof(line), "str %u field=%s\n", tx, keys[i]);
		expect(t, line);
	}
	snprintf(line, sizeof(line),
		 "arg %u field=attribute arg=00100010 len=16\n"
		 "str %u field=attribute 'TEST^PATIENT^TWO'\n",
		 tx, tx);
	expect(t, line);
	expect_not(t, "NESTED");
	expect_not(t, "arg=7FE00010");
	expect_not(t, "arg=00081110");
}

struct bb *store_cmd(unsigned id)
{
	struct bb *c = cmd_rq(0x0001, id, CT_STORAGE, true);
	c_us(c, 0x0700, 0);
	c_str(c, 0x1000, INST, 0);
	return c;
}

struct bb *deflate_raw(const struct bb *in)
{
	struct bb *out = bb_new();
	z_stream z;
	memset(&z, 0, sizeof(z));
	assert_int_equal(
	    deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	out->cap = deflateBound(&z, in->n) + 16;
	out->p = malloc(out->cap);
	z.next_in = in->p;
	z.avail_in = (uInt)in->n;
	z.next_out = out->p;
	z.avail_out = (uInt)out->cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	out->n = out->cap - z.avail_out;
	deflateEnd(&z);
	return out;
}
