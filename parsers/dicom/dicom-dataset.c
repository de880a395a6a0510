/* dicom-dataset.c - streaming walker over the elements of a DIMSE data set
 * in its transfer syntax: implicit VR little endian, explicit VR little
 * endian, explicit VR big endian, deflated explicit VR little endian
 * (zlib, raw deflate). Top level only: nested sequences and items are
 * skipped by counting undefined lengths, values nobody wants (pixel data
 * first of all) are skipped without being copied.
 *
 * Normative reference: DICOM PS3.5 7.1 (data element encoding), 7.5
 * (sequences and items: undefined length, item and sequence delimitation),
 * 6.2.2 (UN of undefined length holds implicit VR little endian), A.1-A.5
 * (transfer syntaxes), 10 (deflated transfer syntax: RFC 1951 stream).
 *
 *   implicit:  +-------+-------+----------+---------+
 *              | group | elem  | len (4)  | value   |
 *              +-------+-------+----------+---------+
 *   explicit:  | group | elem  | VR | len (2) | value |         (short VRs)
 *              | group | elem  | VR | 0000 | len (4) | value |  (OB OD OF
 *                                   OL OV OW SQ SV UC UN UR UT UV)
 *   items:     | FFFE | E000 | len (4) | ... |  item (len or FFFFFFFF)
 *              | FFFE | E00D | 0 |  item end | FFFE | E0DD | 0 | seq. end
 *
 * The walker keeps only an element header (up to 12 bytes) and the kept
 * part of a wanted value (DICOM_VALUE_CAP): every byte it is given is
 * consumed, whatever the PDV, PDU or TCP segment boundaries.
 */
#include "dicom.h"

#define ZLIB_CONST
#include <stdint.h>
#include <zlib.h>

#include "md-rd.h"
#include "mem.h"

#define TAG_PIXEL_DATA 0x7FE00010u

enum { W_HDR = 0, W_VALUE, W_SKIP };

static void ds_event(struct dicom_state *s, const struct md_sink *k,
		     enum md_dir dir, unsigned ev)
{
	dicom_event(s, k, s->dir[dir].msg.tx, ev);
}

/* Mark the data set malformed and ignore the rest of it. */
static void ds_bad(struct dicom_state *s, const struct md_sink *k,
		   enum md_dir dir)
{
	ds_event(s, k, dir, DICOM_EV_MALFORMED_DATA_SET);
	s->dir[dir].ds.bad = true;
}

void dicom_ds_start(struct dicom_walker *w, uint8_t ts)
{
	uint8_t *val = w->val;
	void *z = w->z;
	*w = (struct dicom_walker){.ts = ts, .hneed = 8, .val = val, .z = z};
	if (z)
		inflateReset(z);
}

void dicom_ds_free(struct dicom_walker *w)
{
	if (w->z) {
		inflateEnd(w->z);
		md_free(w->z);
		w->z = NULL;
	}
	md_free(w->val);
	w->val = NULL;
}

/* Inside an undefined-length UN: implicit VR little endian. */
static bool in_un(const struct dicom_walker *w)
{
	return w->un_depth && w->depth >= w->un_depth;
}

static bool implicit_now(const struct dicom_walker *w)
{
	return w->ts == DICOM_TS_IMPLICIT_LE || in_un(w);
}

static uint32_t hb_read(const struct dicom_walker *w, size_t off, int size)
{
	struct md_rd r = md_rd_make(w->hb, sizeof(w->hb));
	bool be = w->ts == DICOM_TS_EXPLICIT_BE && !in_un(w);
	md_rd_skip(&r, off);
	if (size == 2)
		return be ? md_rd_be16(&r) : md_rd_le16(&r);
	return be ? md_rd_be32(&r) : md_rd_le32(&r);
}

static bool upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static bool long_vr(const char *vr)
{
	static const char *const vrs[] = {"OB", "OD", "OF", "OL", "OV",
					  "OW", "SQ", "SV", "UC", "UN",
					  "UR", "UT", "UV"};
	for (size_t i = 0; i < sizeof(vrs) / sizeof(vrs[0]); i++)
		if (vr[0] == vrs[i][0] && vr[1] == vrs[i][1])
			return true;
	return false;
}

static bool vr_is(const struct dicom_walker *w, const char *v)
{
	return w->vr[0] == v[0] && w->vr[1] == v[1];
}

static bool ensure_val(struct dicom_walker *w)
{
	if (!w->val)
		w->val = md_malloc(DICOM_VALUE_CAP);
	return w->val != NULL;
}

/* Enter an undefined-length sequence or item. */
static void open_nested(struct dicom_state *s, const struct md_sink *k,
			enum md_dir dir)
{
	struct dicom_walker *w = &s->dir[dir].ds;
	if (w->depth >= DICOM_MAX_DEPTH) {
		ds_bad(s, k, dir);
		return;
	}
	w->depth++;
	if (!w->un_depth && vr_is(w, "UN"))
		w->un_depth = w->depth;
}

static void skip_value(struct dicom_walker *w, uint32_t vlen)
{
	w->left = vlen;
	w->st = vlen ? W_SKIP : W_HDR;
}

/* (FFFE,xxxx): item, item delimitation, sequence delimitation. */
static void item(struct dicom_state *s, const struct md_sink *k,
		 enum md_dir dir, uint32_t tag, uint32_t vlen)
{
	struct dicom_walker *w = &s->dir[dir].ds;
	uint16_t elem = tag & 0xFFFF;
	if (w->depth == 0)
		ds_event(s, k, dir, DICOM_EV_MALFORMED_DATA_SET);
	if (elem == 0xE000) {
		if (vlen == DICOM_UNDEFINED)
			open_nested(s, k, dir);
		else
			skip_value(w, vlen);
		return;
	}
	if (vlen == DICOM_UNDEFINED || (elem != 0xE00D && elem != 0xE0DD)) {
		ds_bad(s, k, dir);
		return;
	}
	if (w->depth > 0)
		w->depth--;
	if (w->un_depth && w->depth < w->un_depth)
		w->un_depth = 0;
	if (vlen)
		ds_event(s, k, dir, DICOM_EV_MALFORMED_DATA_SET);
	skip_value(w, vlen);
}

static void value_done(struct dicom_state *s, const struct md_sink *k,
		       enum md_dir dir)
{
	struct dicom_walker *w = &s->dir[dir].ds;
	w->st = W_HDR;
	dicom_ds_value(s, k, dir, w->tag, w->vr, w->val, w->got, w->vlen);
}

/* A complete element header. */
static void element(struct dicom_state *s, const struct md_sink *k,
		    enum md_dir dir)
{
	struct dicom_walker *w = &s->dir[dir].ds;
	uint32_t tag = w->tag, vlen = w->vlen;
	if (vlen != DICOM_UNDEFINED && (vlen & 1))
		ds_event(s, k, dir, DICOM_EV_ODD_VALUE_LENGTH);
	if ((tag >> 16) == 0xFFFE) {
		item(s, k, dir, tag, vlen);
		return;
	}
	bool top = w->depth == 0;
	if (top && w->ts == DICOM_TS_DEFLATED && tag >= TAG_PIXEL_DATA) {
		w->stop = true; /* nothing of interest after the pixels */
		return;
	}
	if (vlen == DICOM_UNDEFINED) {
		if (w->vr[0] && !vr_is(w, "SQ") && !vr_is(w, "UN") &&
		    !vr_is(w, "OB") && !vr_is(w, "OW")) {
			ds_bad(s, k, dir);
			return;
		}
		if (top)
			dicom_ds_value(s, k, dir, tag, w->vr, NULL, 0, vlen);
		open_nested(s, k, dir);
		return;
	}
	int32_t want = top ? dicom_ds_want(s, dir, tag, w->vr, vlen) : -1;
	if (want < 0 || !ensure_val(w)) {
		skip_value(w, vlen);
		return;
	}
	w->st = W_VALUE;
	w->keep = (uint32_t)want;
	w->got = 0;
	w->left = vlen;
	if (vlen == 0)
		value_done(s, k, dir);
}

/* Guess the encoding of a data set whose context was never accepted. */
static void detect_ts(struct dicom_walker *w)
{
	bool explicit_vr = upper(w->hb[4]) && upper(w->hb[5]);
	w->ts = explicit_vr ? DICOM_TS_EXPLICIT_LE : DICOM_TS_IMPLICIT_LE;
}

static void hdr_bytes(struct dicom_state *s, const struct md_sink *k,
		      enum md_dir dir, struct md_rd *r)
{
	struct dicom_walker *w = &s->dir[dir].ds;
	while (w->hlen < w->hneed && md_rd_left(r))
		w->hb[w->hlen++] = md_rd_u8(r);
	if (w->hlen < w->hneed)
		return;
	if (w->hneed == 8) {
		if (w->ts == DICOM_TS_NONE)
			detect_ts(w);
		w->tag = hb_read(w, 0, 2) << 16 | hb_read(w, 2, 2);
		w->vr[0] = 0;
		if ((w->tag >> 16) == 0xFFFE || implicit_now(w)) {
			w->vlen = hb_read(w, 4, 4);
		} else {
			w->vr[0] = (char)w->hb[4];
			w->vr[1] = (char)w->hb[5];
			w->vr[2] = 0;
			if (!upper(w->vr[0]) || !upper(w->vr[1])) {
				ds_bad(s, k, dir);
				return;
			}
			if (long_vr(w->vr)) {
				w->hneed = 12;
				return;
			}
			w->vlen = hb_read(w, 6, 2);
		}
	} else {
		w->vlen = hb_read(w, 8, 4);
	}
	w->hlen = 0;
	w->hneed = 8;
	element(s, k, dir);
}

static void value_bytes(struct dicom_state *s, const struct md_sink *k,
			enum md_dir dir, struct md_rd *r)
{
	struct dicom_walker *w = &s->dir[dir].ds;
	size_t n = md_rd_left(r);
	if (n > w->left)
		n = (size_t)w->left;
	w->left -= n;
	while (n && w->got < w->keep) {
		w->val[w->got++] = md_rd_u8(r);
		n--;
	}
	md_rd_skip(r, n);
	if (w->left == 0)
		value_done(s, k, dir);
}

/* Walk plain (inflated) data-set bytes; all of r is consumed. */
static void walk(struct dicom_state *s, const struct md_sink *k,
		 enum md_dir dir, struct md_rd *r)
{
	struct dicom_walker *w = &s->dir[dir].ds;
	while (md_rd_left(r) && !w->bad && !w->stop) {
		if (w->st == W_HDR) {
			hdr_bytes(s, k, dir, r);
		} else if (w->st == W_VALUE) {
			value_bytes(s, k, dir, r);
		} else {
			size_t n = md_rd_left(r);
			if (n > w->left)
				n = (size_t)w->left;
			md_rd_skip(r, n);
			w->left -= n;
			if (w->left == 0)
				w->st = W_HDR;
		}
	}
	md_rd_skip(r, md_rd_left(r));
}

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
	(void)opaque;
	if (size && items > SIZE_MAX / size)
		return NULL;
	return md_malloc((size_t)items * size);
}

static void z_free(voidpf opaque, voidpf p)
{
	(void)opaque;
	md_free(p);
}

static z_stream *z_get(struct dicom_walker *w)
{
	if (w->z)
		return w->z;
	z_stream *z = md_calloc(1, sizeof(*z));
	if (!z)
		return NULL;
	z->zalloc = z_alloc;
	z->zfree = z_free;
	if (inflateInit2(z, -MAX_WBITS) != Z_OK) {
		md_free(z);
		return NULL;
	}
	w->z = z;
	return z;
}

/* Inflate the bytes of r (raw deflate) and walk what comes out. */
static void inflate_feed(struct dicom_state *s, const struct md_sink *k,
			 enum md_dir dir, struct md_rd *r)
{
	struct dicom_walker *w = &s->dir[dir].ds;
	struct md_span in = md_rd_rest(r);
	uint8_t out[4096];
	z_stream *z = z_get(w);
	if (!z) {
		ds_event(s, k, dir, DICOM_EV_DEFLATE_ERROR);
		w->bad = true;
		return;
	}
	z->next_in = in.p;
	z->avail_in = (uInt)in.len;
	while (!w->bad && !w->stop && !w->zend) {
		z->next_out = out;
		z->avail_out = sizeof(out);
		int rc = inflate(z, Z_NO_FLUSH);
		size_t n = sizeof(out) - z->avail_out;
		struct md_rd o = md_rd_make(out, n);
		w->inflated += n;
		walk(s, k, dir, &o);
		if (rc == Z_STREAM_END)
			w->zend = true;
		else if ((rc != Z_OK && rc != Z_BUF_ERROR) ||
			 w->inflated > DICOM_INFLATE_MAX) {
			ds_event(s, k, dir, DICOM_EV_DEFLATE_ERROR);
			w->bad = true;
		} else if (z->avail_out != 0 || (rc == Z_BUF_ERROR && !n)) {
			break; /* all input used: wait for more */
		}
	}
}

void dicom_ds_feed(struct dicom_state *s, const struct md_sink *k,
		   enum md_dir dir, struct md_rd *r)
{
	struct dicom_walker *w = &s->dir[dir].ds;
	if (w->bad || w->stop || w->zend)
		md_rd_skip(r, md_rd_left(r));
	else if (w->ts == DICOM_TS_DEFLATED)
		inflate_feed(s, k, dir, r);
	else
		walk(s, k, dir, r);
}

void dicom_ds_end(struct dicom_state *s, const struct md_sink *k,
		  enum md_dir dir)
{
	struct dicom_walker *w = &s->dir[dir].ds;
	if (w->bad || w->stop)
		return;
	if (w->ts == DICOM_TS_DEFLATED && !w->zend)
		ds_event(s, k, dir, DICOM_EV_DEFLATE_ERROR);
	else if (w->st != W_HDR || w->hlen || w->depth)
		ds_event(s, k, dir, DICOM_EV_MALFORMED_DATA_SET);
}
