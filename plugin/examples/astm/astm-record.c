/* astm-record.c - ASTM E1394 records and messages: accepted frames are
 * joined into records (split at CR), each record's fields are reported,
 * and a message (H .. L) is one transaction.
 *
 * Normative reference: ASTM E1394-97 / CLSI LIS2-A2, sections 6-7 (record
 * structure, delimiters, the record hierarchy) and 8-14 (H, P, O, R, C, Q,
 * L record fields).
 *
 *   level 0  H  message header        (delimiters, sender, version)
 *   level 1    P  patient             (names, ids: PHI)
 *   level 2      O  order             (specimen id, universal test ids)
 *   level 3        R  result          (test id, value, units, flags)
 *                  C  comment         (after any record)
 *              Q  request (query)     (directly under H)
 *   level 0  L  message terminator
 *
 * Fields are cited as <record>.<n>: H.5 is the fifth field of H, where
 * field 1 is the record type and H.2 the delimiter definition "\^&".
 */
#include <stdlib.h>
#include <string.h>

#include <md-rd.h>

#include "astm.h"

/* Hierarchy levels (astm_dir.level). */
enum { LV_NONE, LV_H, LV_P, LV_O, LV_R };

void astm_event(struct astm_ctx *c, unsigned ev)
{
	c->k->event(c->k->ctx, c->d->in_msg ? c->d->tx : MD_TX_NONE, ev);
}

void astm_dir_fini(struct astm_dir *d)
{
	free(d->pend_buf);
	free(d->rec);
	d->pend_buf = d->rec = NULL;
	d->pend_cap = d->rec_cap = 0;
}

/* Split s at delim into at most max spans; returns how many. The last
 * span holds the rest when there are more. */
static int split(struct md_span s, uint8_t delim, struct md_span *out, int max)
{
	struct md_rd r = md_rd_make(s.p, s.len);
	int n = 0;
	while (n < max - 1) {
		long at = md_rd_find(&r, delim);
		if (at < 0)
			break;
		out[n++] = md_rd_span(&r, (size_t)at);
		md_rd_skip(&r, 1);
	}
	out[n++] = md_rd_rest(&r);
	return n;
}

/* Field n (1-based, field 1 is the record type) or an empty span. */
static struct md_span field(const struct md_span *f, int nf, int n)
{
	struct md_span none = {NULL, 0};
	return n >= 1 && n <= nf ? f[n - 1] : none;
}

static struct md_span component(struct astm_ctx *c, struct md_span v, int n)
{
	struct md_span part[8];
	struct md_span none = {NULL, 0};
	int np = split(v, c->d->dl[2], part, 8);
	return n >= 1 && n <= np ? part[n - 1] : none;
}

static void str(struct astm_ctx *c, unsigned id, struct md_span v)
{
	if (v.len)
		c->k->tx_str(c->k->ctx, c->d->tx, id, v.p, v.len);
}

/* Each repetition of a test id field, into `id` and into astm.test_id. */
static void test_ids(struct astm_ctx *c, unsigned id, struct md_span v)
{
	struct md_span rep[ASTM_MAX_REPS];
	int n = split(v, c->d->dl[1], rep, ASTM_MAX_REPS);
	for (int i = 0; i < n; i++) {
		str(c, id, rep[i]);
		str(c, AF_TEST_ID, rep[i]);
	}
}

/* H.1-H.2: field, repeat, component and escape delimiters. */
static void header_delims(struct astm_ctx *c, struct md_span rec)
{
	struct md_rd r = md_rd_make(rec.p, rec.len);
	uint8_t dl[4];
	bool ok = md_rd_left(&r) >= 5;
	md_rd_skip(&r, 1);
	for (int i = 0; ok && i < 4; i++) {
		dl[i] = md_rd_u8(&r);
		ok = dl[i] > ' ' && dl[i] <= '~' &&
		     !((dl[i] | 0x20) >= 'a' && (dl[i] | 0x20) <= 'z') &&
		     !(dl[i] >= '0' && dl[i] <= '9');
		for (int j = 0; ok && j < i; j++)
			ok = dl[j] != dl[i];
	}
	int next = md_rd_peek(&r, 0);
	if (!ok || (next >= 0 && next != dl[0])) {
		astm_event(c, AE_INVALID_DELIMITERS);
		memcpy(c->d->dl, "|\\^&", 4);
		return;
	}
	memcpy(c->d->dl, dl, 4);
	c->k->tx_str(c->k->ctx, c->d->tx, AF_DELIMITERS, dl, 4);
}

static void msg_open(struct astm_ctx *c)
{
	struct astm_dir *d = c->d;
	d->tx = c->k->tx_new(c->k->ctx, c->dir);
	d->in_msg = true;
	d->level = LV_H;
	d->n_records = 0;
}

void astm_msg_end(struct astm_ctx *c, bool terminated)
{
	struct astm_dir *d = c->d;
	if (!d->in_msg)
		return;
	if (!terminated)
		astm_event(c, AE_MISSING_TERMINATOR);
	void *x = c->k->ctx;
	c->k->tx_uint(x, d->tx, AF_RECORD_COUNT, d->n_records);
	c->k->tx_uint(x, d->tx, AF_FRAME_COUNT, d->n_frames);
	c->k->tx_uint(x, d->tx, AF_NAK_COUNT, d->n_naks);
	c->k->tx_progress(x, d->tx, MD_DIR_TOSERVER, ASTM_PROG_DONE);
	c->k->tx_progress(x, d->tx, MD_DIR_TOCLIENT, ASTM_PROG_DONE);
	d->in_msg = false;
	d->level = LV_NONE;
	d->n_records = d->n_frames = d->n_naks = 0;
}

static void rec_header(struct astm_ctx *c, struct md_span rec)
{
	struct md_span f[ASTM_MAX_FIELDS];
	header_delims(c, rec);
	int nf = split(rec, c->d->dl[0], f, 15);
	str(c, AF_CONTROL_ID, field(f, nf, 3));
	str(c, AF_SENDER, field(f, nf, 5));
	str(c, AF_RECEIVER, field(f, nf, 10));
	str(c, AF_PROCESSING_ID, field(f, nf, 12));
	str(c, AF_VERSION, field(f, nf, 13));
	str(c, AF_DATETIME, field(f, nf, 14));
}

static void rec_patient(struct astm_ctx *c, const struct md_span *f, int nf)
{
	c->k->tx_group(c->k->ctx, c->d->tx, AF_PATIENTS);
	str(c, AF_PAT_SEQ, field(f, nf, 2));
	str(c, AF_PAT_PRACTICE_ID, field(f, nf, 3));
	str(c, AF_PAT_LAB_ID, field(f, nf, 4));
	str(c, AF_PAT_ID3, field(f, nf, 5));
	str(c, AF_PAT_NAME, field(f, nf, 6));
	str(c, AF_PAT_BIRTH, field(f, nf, 8));
	str(c, AF_PAT_SEX, field(f, nf, 9));
}

static void rec_order(struct astm_ctx *c, const struct md_span *f, int nf)
{
	c->k->tx_group(c->k->ctx, c->d->tx, AF_ORDERS);
	str(c, AF_ORD_SEQ, field(f, nf, 2));
	str(c, AF_ORD_SPECIMEN, field(f, nf, 3));
	str(c, AF_SPECIMEN_ID, field(f, nf, 3));
	str(c, AF_ORD_INSTR_SPECIMEN, field(f, nf, 4));
	test_ids(c, AF_ORD_TEST_IDS, field(f, nf, 5));
	str(c, AF_ORD_PRIORITY, field(f, nf, 6));
	str(c, AF_ORD_ACTION, field(f, nf, 12));
	str(c, AF_ORD_REPORT_TYPE, field(f, nf, 26));
}

static void rec_result(struct astm_ctx *c, const struct md_span *f, int nf)
{
	c->k->tx_group(c->k->ctx, c->d->tx, AF_RESULTS);
	str(c, AF_RES_SEQ, field(f, nf, 2));
	str(c, AF_RES_TEST_ID, field(f, nf, 3));
	str(c, AF_TEST_ID, field(f, nf, 3));
	str(c, AF_RES_VALUE, field(f, nf, 4));
	str(c, AF_RES_UNITS, field(f, nf, 5));
	str(c, AF_RES_RANGE, field(f, nf, 6));
	str(c, AF_RES_FLAGS, field(f, nf, 7));
	str(c, AF_RES_STATUS, field(f, nf, 9));
	str(c, AF_RES_OPERATOR, field(f, nf, 11));
	str(c, AF_RES_COMPLETED, field(f, nf, 13));
	str(c, AF_RES_INSTRUMENT, field(f, nf, 14));
}

static void rec_comment(struct astm_ctx *c, const struct md_span *f, int nf)
{
	c->k->tx_group(c->k->ctx, c->d->tx, AF_COMMENTS);
	str(c, AF_CMT_SEQ, field(f, nf, 2));
	str(c, AF_CMT_SOURCE, field(f, nf, 3));
	str(c, AF_CMT_TEXT, field(f, nf, 4));
	str(c, AF_CMT_TYPE, field(f, nf, 5));
}

static void rec_query(struct astm_ctx *c, const struct md_span *f, int nf)
{
	struct md_span range = field(f, nf, 3);
	c->k->tx_group(c->k->ctx, c->d->tx, AF_QUERIES);
	str(c, AF_QRY_SEQ, field(f, nf, 2));
	str(c, AF_QRY_PATIENT_ID, component(c, range, 1));
	str(c, AF_QRY_SPECIMEN, component(c, range, 2));
	str(c, AF_SPECIMEN_ID, component(c, range, 2));
	test_ids(c, AF_QRY_TEST_IDS, field(f, nf, 5));
	str(c, AF_QRY_STATUS, field(f, nf, 13));
}

/* Where the record may stand in the hierarchy; raises
 * record_out_of_order when it may not, and moves the level. */
static void check_order(struct astm_ctx *c, int type)
{
	struct astm_dir *d = c->d;
	int need = type == 'O' ? LV_P : type == 'R' ? LV_O : LV_H;
	bool bad = d->level < need || (type == 'Q' && d->level > LV_H);
	if (bad)
		astm_event(c, AE_RECORD_OUT_OF_ORDER);
	if (type == 'P')
		d->level = LV_P;
	else if (type == 'O' || type == 'R')
		d->level = type == 'O' ? LV_O : LV_R;
}

/* One record of the message being sent in this direction. */
static void record(struct astm_ctx *c, struct md_span rec)
{
	struct astm_dir *d = c->d;
	struct md_span f[ASTM_MAX_FIELDS];
	struct md_rd r = md_rd_make(rec.p, rec.len);
	int type = md_rd_peek(&r, 0);
	if (type < 0)
		return;
	if (type == 'H') {
		astm_msg_end(c, false);
		msg_open(c);
	} else if (!d->in_msg) {
		msg_open(c);
		astm_event(c, AE_MISSING_HEADER);
	}
	if (++d->n_records > c->s->lim.max_items) {
		if (d->n_records == c->s->lim.max_items + 1)
			astm_event(c, AE_TOO_MANY_RECORDS);
		if (type == 'L')
			astm_msg_end(c, true);
		return;
	}
	c->k->tx_str(c->k->ctx, d->tx, AF_RECORD_TYPE, rec.p, 1);
	c->k->tx_str(c->k->ctx, d->tx, AF_RECORD, rec.p, rec.len);
	if (type == 'H') {
		rec_header(c, rec);
		return;
	}
	int nf = split(rec, d->dl[0], f, ASTM_MAX_FIELDS);
	if (type == 'P' || type == 'O' || type == 'Q' || type == 'R' ||
	    type == 'C')
		check_order(c, type);
	switch (type) {
	case 'P':
		rec_patient(c, f, nf);
		break;
	case 'O':
		rec_order(c, f, nf);
		break;
	case 'R':
		rec_result(c, f, nf);
		break;
	case 'C':
		rec_comment(c, f, nf);
		break;
	case 'Q':
		rec_query(c, f, nf);
		break;
	case 'L':
		str(c, AF_TERMINATION, field(f, nf, 3));
		astm_msg_end(c, true);
		break;
	case 'M': /* manufacturer information */
	case 'S': /* scientific */
		break;
	default:
		astm_event(c, AE_UNKNOWN_RECORD);
	}
}

/* Append text to the record buffer, up to max_field bytes. */
static void rec_append(struct astm_ctx *c, const uint8_t *p, size_t len)
{
	struct astm_dir *d = c->d;
	size_t room = c->s->lim.max_field - d->rec_len;
	if (len > room) {
		if (!d->rec_trunc)
			astm_event(c, AE_RECORD_TOO_LONG);
		d->rec_trunc = true;
		len = room;
	}
	if (!len)
		return;
	if (d->rec_len + len > d->rec_cap) {
		size_t cap = d->rec_cap ? d->rec_cap : 256;
		while (cap < d->rec_len + len)
			cap *= 2;
		if (cap > c->s->lim.max_field)
			cap = c->s->lim.max_field;
		uint8_t *nb = realloc(d->rec, cap);
		if (!nb)
			return;
		d->rec = nb;
		d->rec_cap = (uint32_t)cap;
	}
	memcpy(d->rec + d->rec_len, p, len);
	d->rec_len += (uint32_t)len;
}

/* The record buffer (without its CR) is one record. */
static void rec_flush(struct astm_ctx *c)
{
	struct astm_dir *d = c->d;
	struct md_span rec = {d->rec, d->rec_len};
	if (rec.len)
		record(c, rec);
	d->rec_len = 0;
	d->rec_trunc = false;
}

void astm_frame_accept(struct astm_ctx *c, const uint8_t *text, size_t len,
		       bool final)
{
	struct astm_dir *d = c->d;
	struct md_rd t = md_rd_make(text, len);
	d->n_frames++;
	while (md_rd_left(&t)) {
		long cr = md_rd_find(&t, ASTM_CR);
		size_t n = cr < 0 ? md_rd_left(&t) : (size_t)cr;
		struct md_span part = md_rd_span(&t, n);
		rec_append(c, part.p, part.len);
		if (cr < 0)
			break;
		md_rd_skip(&t, 1);
		rec_flush(c);
	}
	if (final && d->rec_len)
		rec_flush(c);
}
