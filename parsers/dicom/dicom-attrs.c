/* dicom-attrs.c - what the parser takes from the top-level elements of a
 * DIMSE data set: value checks, the dicom.attribute rule input, the key
 * attributes written to EVE, C-FIND/C-GET/C-MOVE query keys with wildcard
 * detection, and the head of an EncapsulatedDocument.
 *
 * Normative references: DICOM PS3.5 6.2 (value representations), PS3.4
 * C.2.2.2 (attribute matching: '*' and '?' wildcards, universal matching
 * by an empty value), PS3.3 A.45 (Encapsulated Document), PS3.6 (tags).
 *
 * The walker (dicom-dataset.c) asks dicom_ds_want() how many bytes of a
 * top-level element's value to keep, then hands them to dicom_ds_value():
 *
 *   element --> want? --no--> skipped at memory speed (pixel data, ...)
 *                 |yes (at most DICOM_VALUE_CAP / max_field bytes)
 *                 v
 *   value --> checks (UI, AE, PN) --> attribute:GGGGEEEE (rule input)
 *         --> key attribute --> request.dataset.* / response.matches[]
 *         --> query key (request identifier) --> request.query_keys[]
 */
#include "dicom.h"

#include <string.h>

#include "md-rd.h"

#define TAG_CHARSET  0x00080005u
#define TAG_QR_LEVEL 0x00080052u
#define TAG_DOCUMENT 0x00420011u

static bool vr_is(const char *vr, const char *v)
{
	return vr[0] == v[0] && vr[1] == v[1];
}

/* Values with no text to compare: skipped as rule input. */
static bool bulk_vr(const char *vr)
{
	static const char *const bulk[] = {"OB", "OD", "OF", "OL",
					   "OV", "OW", "SQ", "UN"};
	for (size_t i = 0; i < sizeof(bulk) / sizeof(bulk[0]); i++)
		if (vr_is(vr, bulk[i]))
			return true;
	return false;
}

/* Binary values: never trimmed. */
static bool binary_vr(const char *vr)
{
	static const char *const bin[] = {"AT", "FD", "FL", "SL", "SS",
					  "SV", "UL", "US", "UV"};
	for (size_t i = 0; i < sizeof(bin) / sizeof(bin[0]); i++)
		if (vr_is(vr, bin[i]))
			return true;
	return bulk_vr(vr);
}

static uint32_t value_cap(const struct dicom_state *s)
{
	uint32_t cap = DICOM_VALUE_CAP;
	if (s->lim.max_field && s->lim.max_field < cap)
		cap = s->lim.max_field;
	return cap < 80 ? 80 : cap; /* room to see a UID is too long */
}

static bool rsp_side(const struct dicom_msg *m)
{
	return m->kind == DICOM_KIND_RSP || m->kind == DICOM_KIND_RSP_ALONE;
}

static const char *vr_of(uint32_t tag, const char *vr,
			 const struct dicom_tag_def **t)
{
	*t = dicom_tag_find(tag);
	if (vr[0])
		return vr;
	return *t ? (*t)->vr : "";
}

int32_t dicom_ds_want(struct dicom_state *s, enum md_dir dir, uint32_t tag,
		      const char *vr, uint32_t vlen)
{
	const struct dicom_msg *m = &s->dir[dir].msg;
	const struct dicom_tag_def *t;
	const char *v = vr_of(tag, vr, &t);
	uint32_t cap = value_cap(s);
	bool want = (t && t->key >= 0) || tag == TAG_DOCUMENT ||
		    vr_is(v, "UI") || vr_is(v, "AE") || vr_is(v, "PN") ||
		    (m->query && !rsp_side(m)) ||
		    (m->attrs < s->lim.max_items && !bulk_vr(v) && vlen <= cap);
	if (!want)
		return -1;
	return (int32_t)(vlen < cap ? vlen : cap);
}

static void tag_text(uint32_t tag, char out[9])
{
	static const char hex[] = "0123456789ABCDEF";
	for (int d = 0; d < 8; d++)
		out[d] = hex[(tag >> (28 - 4 * d)) & 15];
	out[8] = 0;
}

static bool has_wildcard(struct md_span v)
{
	struct md_rd r = md_rd_make(v.p, v.len);
	while (md_rd_left(&r)) {
		int c = md_rd_u8(&r);
		if (c == '*' || c == '?')
			return true;
	}
	return false;
}

static void query_key(struct dicom_state *s, const struct md_sink *k,
		      struct dicom_msg *m, uint32_t tag,
		      const struct dicom_tag_def *t, const char *vr,
		      struct md_span v, bool undef)
{
	char text[9];
	if (tag == TAG_CHARSET || tag == TAG_QR_LEVEL || (tag & 0xFFFF) == 0)
		return;
	bool wild = !undef && !vr_is(vr, "UI") && has_wildcard(v);
	m->wildcard |= wild;
	if (m->keys >= s->lim.max_log_values)
		return;
	m->keys++;
	tag_text(tag, text);
	k->tx_group(k->ctx, m->tx, DF_QUERY_KEYS);
	dicom_str(k, m->tx, DF_QK_TAG, text);
	if (t)
		dicom_str(k, m->tx, DF_QK_KEYWORD, t->keyword);
	k->tx_uint(k->ctx, m->tx, DF_QK_WILDCARD, wild);
	k->tx_uint(k->ctx, m->tx, DF_QK_EMPTY, !undef && v.len == 0);
}

/* A key attribute: request.dataset.<key>, or an element of
 * response.matches (one per response data set, max_log_values each). */
static void key_value(struct dicom_state *s, const struct md_sink *k,
		      struct dicom_msg *m, int key, struct md_span v)
{
	if (!rsp_side(m)) {
		k->tx_str(k->ctx, m->tx, DF_RQ_KEY0 + (unsigned)key, v.p,
			  v.len);
		return;
	}
	if (m->match == 0) {
		struct dicom_op *op = NULL;
		for (uint32_t i = 0; i < s->n_ops; i++)
			if (s->ops[i].tx == m->tx)
				op = &s->ops[i];
		m->match = 2;
		if (!op || op->matches < s->lim.max_log_values) {
			if (op)
				op->matches++;
			k->tx_group(k->ctx, m->tx, DF_MATCHES);
			m->match = 1;
		}
	}
	if (m->match == 1)
		k->tx_str(k->ctx, m->tx, DF_M_KEY0 + (unsigned)key, v.p, v.len);
}

static void value_checks(struct dicom_state *s, const struct md_sink *k,
			 uint64_t tx, const char *vr, struct md_span raw,
			 struct md_span v)
{
	if (v.len == 0)
		return;
	if (vr_is(vr, "UI"))
		dicom_check_uid(s, k, tx, raw);
	else if (vr_is(vr, "AE"))
		dicom_check_ae(s, k, tx, raw);
	else if (vr_is(vr, "PN"))
		dicom_check_shell(s, k, tx, v);
}

void dicom_ds_value(struct dicom_state *s, const struct md_sink *k,
		    enum md_dir dir, uint32_t tag, const char *vr,
		    const uint8_t *val, uint32_t len, uint32_t vlen)
{
	struct dicom_msg *m = &s->dir[dir].msg;
	const struct dicom_tag_def *t;
	const char *v = vr_of(tag, vr, &t);
	bool undef = vlen == DICOM_UNDEFINED;
	struct md_span raw = {val, val ? len : 0};
	struct md_span txt = binary_vr(v) ? raw : dicom_trim(raw, false);
	char text[9];
	if (!undef)
		value_checks(s, k, m->tx, v, raw, txt);
	if (m->query && !rsp_side(m))
		query_key(s, k, m, tag, t, v, txt, undef);
	if (undef || m->tx == MD_TX_NONE)
		return;
	if (tag == TAG_DOCUMENT) {
		k->tx_str(k->ctx, m->tx, DF_DOCUMENT, raw.p, raw.len);
		k->tx_uint(k->ctx, m->tx, DF_DOC_LENGTH, vlen);
	} else if (m->attrs < s->lim.max_items && !bulk_vr(v) && len == vlen) {
		tag_text(tag, text);
		k->tx_arg(k->ctx, m->tx, DF_ATTRIBUTE, text, txt.p, txt.len);
		m->attrs++;
	}
	if (t && t->key >= 0 && txt.len)
		key_value(s, k, m, t->key, txt);
}
