/* x73-obs.c - IEEE 11073-20601 event reports and attributes: configuration
 * reports (the object list a flow's observations are laid out by), scan
 * reports (fixed, variable, multiple-person), segment data, MDS attributes
 * (system-id, model, production specification, specializations) and the
 * FLOAT-Type / SFLOAT-Type numbers with their reserved values.
 *
 * Normative reference: ISO/IEEE 11073-20601:2010 clause 6.3 (MDS
 * attributes), 7 (numeric object, attribute-value-map), annex A.6-A.11
 * (ConfigReport, ScanReportInfo*, SegmentDataEvent), F.8-F.9 (FLOAT-Type,
 * SFLOAT-Type).
 *
 *   ConfigReport:     config-report-id (2) | config-obj-list: count len
 *                     { obj-class (2) obj-handle (2) attribute-list }
 *   ScanReportInfoFixed: data-req-id (2) scan-report-no (2) | count len
 *                     { obj-handle (2) obs-val-data: length (2) bytes }
 *   ScanReportInfoVar:   data-req-id scan-report-no | count len
 *                     { obj-handle (2) attribute-list }
 *   ...MPFixed / MPVar:  data-req-id scan-report-no | count len
 *                     { person-id (2) the fixed / var list }
 *
 *   FLOAT-Type  |exponent (8, signed)|mantissa (24, signed)|
 *   SFLOAT-Type |exponent (4, signed)|mantissa (12, signed)|
 *   reserved (exponent 0): NaN 0x7FFFFF/0x07FF, NRes 0x800000/0x0800,
 *   +INF 0x7FFFFE/0x07FE, -INF 0x800002/0x0802, reserved 0x800001/0x0801
 */
#include <stdio.h>
#include <string.h>

#include "x73.h"

struct md_rd x73_list(struct x73_ctx *c, struct md_rd *r, uint16_t *count)
{
	*count = md_rd_be16(r);
	uint16_t len = md_rd_be16(r);
	if (md_rd_left(r) < len) {
		x73_event(c, XE_ITEM_LENGTH_MISMATCH);
		*count = 0;
		return md_rd_sub(r, md_rd_left(r));
	}
	if (*count > c->s->lim.max_items && c->s->lim.max_items)
		x73_event(c, XE_TOO_MANY_ITEMS);
	return md_rd_sub(r, len);
}

/* ---- numbers and times -------------------------------------------------- */

/* mantissa * 10^exp as an exact decimal. */
static void decimal(long mant, int exp, char *out, size_t cap)
{
	char digits[24];
	bool neg = mant < 0;
	int n = snprintf(digits, sizeof(digits), "%ld", neg ? -mant : mant);
	size_t o = 0;
	if (neg && o + 1 < cap)
		out[o++] = '-';
	if (exp >= 0) {
		for (int i = 0; i < n && o + 1 < cap; i++)
			out[o++] = digits[i];
		for (int i = 0; i < exp && mant && o + 1 < cap; i++)
			out[o++] = '0';
	} else {
		int point = n + exp; /* digits before the decimal point */
		if (point <= 0 && o + 2 < cap) {
			out[o++] = '0';
			out[o++] = '.';
			for (int i = 0; i < -point && o + 1 < cap; i++)
				out[o++] = '0';
			point = -1; /* no point among the digits */
		}
		for (int i = 0; i < n && o + 1 < cap; i++) {
			if (i == point && o + 1 < cap)
				out[o++] = '.';
			out[o++] = digits[i];
		}
	}
	out[o < cap ? o : cap - 1] = 0;
}

static const char *special(long mant, long nan, long nres, long pinf, long ninf,
			   long res)
{
	return mant == nan    ? "NaN"
	       : mant == nres ? "NRes"
	       : mant == pinf ? "+INF"
	       : mant == ninf ? "-INF"
	       : mant == res  ? "reserved"
			      : NULL;
}

void x73_float_text(uint32_t raw, char *out, size_t cap)
{
	int exp = (int8_t)(raw >> 24);
	uint32_t um = raw & 0xFFFFFFu;
	long mant = um >= 0x800000u ? (long)um - 0x1000000L : (long)um;
	const char *sp = exp ? NULL
			     : special((long)um, 0x7FFFFF, 0x800000, 0x7FFFFE,
				       0x800002, 0x800001);
	if (sp)
		snprintf(out, cap, "%s", sp);
	else
		decimal(mant, exp, out, cap);
}

void x73_sfloat_text(uint16_t raw, char *out, size_t cap)
{
	int e4 = raw >> 12;
	int exp = e4 >= 8 ? e4 - 16 : e4;
	unsigned um = raw & 0x0FFFu;
	long mant = um >= 0x800u ? (long)um - 0x1000L : (long)um;
	const char *sp =
	    exp ? NULL : special((long)um, 0x7FF, 0x800, 0x7FE, 0x802, 0x801);
	if (sp)
		snprintf(out, cap, "%s", sp);
	else
		decimal(mant, exp, out, cap);
}

static bool bcd(uint8_t b, int *v)
{
	if ((b >> 4) > 9 || (b & 15) > 9)
		return false;
	*v = (b >> 4) * 10 + (b & 15);
	return true;
}

/* AbsoluteTime (8 BCD bytes) to "CCYY-MM-DDThh:mm:ss.ff", or hex. */
static void abs_time(struct x73_ctx *c, unsigned f, struct md_rd *r)
{
	struct md_span s = md_rd_span(r, 8);
	struct md_rd t = md_rd_make(s.p, s.len);
	int v[8];
	bool ok = s.len == 8;
	for (int i = 0; i < 8 && ok; i++)
		ok = bcd(md_rd_u8(&t), &v[i]);
	if (!ok) {
		x73_hex(c, f, s, 8);
		return;
	}
	char txt[32];
	int n =
	    snprintf(txt, sizeof(txt), "%02d%02d-%02d-%02dT%02d:%02d:%02d.%02d",
		     v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
	x73_str(c, f, txt, (size_t)n);
}

/* ---- attribute values --------------------------------------------------- */

static void put_float(struct x73_ctx *c, unsigned f, uint32_t raw, bool sf)
{
	char txt[160];
	if (sf)
		x73_sfloat_text((uint16_t)raw, txt, sizeof(txt));
	else
		x73_float_text(raw, txt, sizeof(txt));
	x73_cstr(c, f, txt);
}

/* Compound values: count (2) length (2) then SFLOATs or FLOATs, or
 * NuObsValue (metric-id, state, unit, FLOAT) when nu is true. */
static void compound(struct x73_ctx *c, struct md_rd *r, bool sf, bool nu)
{
	uint16_t n;
	struct md_rd l = x73_list(c, r, &n);
	for (uint16_t i = 0; i < n && md_rd_left(&l); i++) {
		if (nu)
			md_rd_skip(&l, 6);
		uint32_t raw = sf ? md_rd_be16(&l) : md_rd_be32(&l);
		if (!md_rd_ok(&l))
			break;
		if (i < c->s->lim.max_items)
			put_float(c, XF_OBS_VALUES, raw, sf);
	}
	if (!md_rd_done(&l))
		x73_event(c, XE_ITEM_LENGTH_MISMATCH);
}

/* One observation attribute value (its bytes in r, all consumed). Returns
 * false when the attribute is not one a measurement is read from. */
static bool obs_attr(struct x73_ctx *c, uint16_t id, struct md_rd *r)
{
	switch (id) {
	case MDC_ATTR_NU_VAL_OBS_BASIC:
		put_float(c, XF_OBS_VALUE, md_rd_be16(r), true);
		break;
	case MDC_ATTR_NU_VAL_OBS_SIMP:
		put_float(c, XF_OBS_VALUE, md_rd_be32(r), false);
		break;
	case MDC_ATTR_NU_VAL_OBS:
		md_rd_skip(r, 2);
		x73_uint(c, XF_OBS_STATUS, md_rd_be16(r));
		x73_uint(c, XF_OBS_UNIT, md_rd_be16(r));
		put_float(c, XF_OBS_VALUE, md_rd_be32(r), false);
		break;
	case MDC_ATTR_NU_CMPD_VAL_OBS_BASIC:
	case MDC_ATTR_NU_CMPD_VAL_OBS_SIMP:
	case MDC_ATTR_NU_CMPD_VAL_OBS:
		compound(c, r, id == MDC_ATTR_NU_CMPD_VAL_OBS_BASIC,
			 id == MDC_ATTR_NU_CMPD_VAL_OBS);
		break;
	case MDC_ATTR_TIME_STAMP_ABS:
		abs_time(c, XF_OBS_TIME, r);
		break;
	case MDC_ATTR_MSMT_STAT:
		x73_uint(c, XF_OBS_STATUS, md_rd_be16(r));
		break;
	case MDC_ATTR_UNIT_CODE:
		x73_uint(c, XF_OBS_UNIT, md_rd_be16(r));
		break;
	default:
		md_rd_skip(r, md_rd_left(r));
		return false;
	}
	if (!md_rd_done(r))
		x73_event(c, XE_ITEM_LENGTH_MISMATCH);
	return true;
}

/* ---- configurations ----------------------------------------------------- */

static const struct x73_obj *obj_find(const struct x73_state *s, uint16_t h)
{
	if (!s->cfg_known)
		return NULL;
	for (unsigned i = 0; i < s->nobj; i++)
		if (s->obj[i].handle == h)
			return &s->obj[i];
	return NULL;
}

void x73_cfg_load(struct x73_state *s, uint16_t dev_config_id)
{
	const struct x73_stdcfg *sc = x73_stdcfg_find(dev_config_id);
	s->cfg_known = sc != NULL;
	s->nobj = 0;
	for (unsigned i = 0; sc && i < sc->nobj; i++)
		s->obj[s->nobj++] = sc->obj[i];
}

/* attribute-value-map: count len { attribute-id (2) attribute-len (2) } */
static void val_map(struct x73_ctx *c, struct md_rd *r, struct x73_obj *o)
{
	uint16_t n;
	struct md_rd l = x73_list(c, r, &n);
	for (uint16_t i = 0; i < n && md_rd_left(&l); i++) {
		uint16_t id = md_rd_be16(&l), len = md_rd_be16(&l);
		if (!md_rd_ok(&l))
			break;
		if (o->nmap < X73_MAP_MAX) {
			o->map[o->nmap].id = id;
			o->map[o->nmap++].len = len;
			x73_uint(c, XF_CO_MAP, id);
		}
	}
	if (!md_rd_done(&l))
		x73_event(c, XE_ITEM_LENGTH_MISMATCH);
}

/* One ConfigObject into o (and the EVE group). */
static void config_obj(struct x73_ctx *c, struct md_rd *r, struct x73_obj *o)
{
	memset(o, 0, sizeof(*o));
	o->cls = md_rd_be16(r);
	o->handle = md_rd_be16(r);
	x73_group(c, XF_CONFIG_OBJECTS);
	x73_uint(c, XF_CO_HANDLE, o->handle);
	x73_uint(c, XF_CO_CLASS, o->cls);
	uint16_t n;
	struct md_rd l = x73_list(c, r, &n);
	for (uint16_t i = 0; i < n && md_rd_left(&l); i++) {
		uint16_t id = md_rd_be16(&l);
		uint16_t len = md_rd_be16(&l);
		struct md_rd v = md_rd_sub(&l, len);
		if (!md_rd_ok(&l))
			break;
		if (id == MDC_ATTR_ID_TYPE) {
			md_rd_skip(&v, 2);
			o->type = md_rd_be16(&v);
			x73_uint(c, XF_CO_TYPE, o->type);
		} else if (id == MDC_ATTR_UNIT_CODE) {
			o->unit = md_rd_be16(&v);
			x73_uint(c, XF_CO_UNIT, o->unit);
		} else if (id == MDC_ATTR_ATTRIBUTE_VAL_MAP) {
			val_map(c, &v, o);
		}
	}
	if (!md_rd_done(&l))
		x73_event(c, XE_ITEM_LENGTH_MISMATCH);
}

static void config_report(struct x73_ctx *c, struct md_rd *r)
{
	struct x73_state *s = c->s;
	uint16_t id = md_rd_be16(r);
	x73_uint(c, XF_CONFIG_REPORT_ID, id);
	x73_uint(c, XF_DEV_CONFIG_ID, id);
	if (id == 0 || id >= 0x8000 || (id < 0x4000 && !x73_stdcfg_find(id)))
		x73_event(c, XE_UNKNOWN_DEV_CONFIG_ID);
	uint16_t n;
	struct md_rd l = x73_list(c, r, &n);
	s->nobj = 0;
	s->cfg_known = true;
	for (uint16_t i = 0; i < n && md_rd_left(&l); i++) {
		struct x73_obj o;
		config_obj(c, &l, &o);
		if (!md_rd_ok(&l))
			break;
		if (s->nobj < X73_OBJ_MAX)
			s->obj[s->nobj++] = o;
	}
	if (!md_rd_done(&l))
		x73_event(c, XE_ITEM_LENGTH_MISMATCH);
}

/* ---- scan reports ------------------------------------------------------- */

/* A fixed observation: obs-val-data laid out by the object's value map. */
static void fixed_obs(struct x73_ctx *c, uint16_t h, struct md_span v)
{
	const struct x73_obj *o = obj_find(c->s, h);
	size_t total = 0;
	for (unsigned i = 0; o && i < o->nmap; i++)
		total += o->map[i].len;
	if (o && o->type)
		x73_uint(c, XF_OBS_TYPE, o->type);
	if (o && o->unit)
		x73_uint(c, XF_OBS_UNIT, o->unit);
	if (!o || total != v.len) {
		if (o)
			x73_event(c, XE_OBSERVATION_LAYOUT_MISMATCH);
		x73_hex(c, XF_OBS_RAW, v, X73_RAW_MAX);
		return;
	}
	struct md_rd r = md_rd_make(v.p, v.len);
	for (unsigned i = 0; i < o->nmap; i++) {
		struct md_rd a = md_rd_sub(&r, o->map[i].len);
		obs_attr(c, o->map[i].id, &a);
	}
}

/* A variable observation: its own attribute list. */
static void var_obs(struct x73_ctx *c, uint16_t h, struct md_rd *r)
{
	const struct x73_obj *o = obj_find(c->s, h);
	if (o && o->type)
		x73_uint(c, XF_OBS_TYPE, o->type);
	if (o && o->unit)
		x73_uint(c, XF_OBS_UNIT, o->unit);
	uint16_t n;
	struct md_rd l = x73_list(c, r, &n);
	for (uint16_t i = 0; i < n && md_rd_left(&l); i++) {
		uint16_t id = md_rd_be16(&l);
		uint16_t len = md_rd_be16(&l);
		struct md_rd v = md_rd_sub(&l, len);
		if (!md_rd_ok(&l))
			break;
		obs_attr(c, id, &v);
	}
	if (!md_rd_done(&l))
		x73_event(c, XE_ITEM_LENGTH_MISMATCH);
}

/* A list of observations (fixed or var) of one person (-1: none). */
static void obs_list(struct x73_ctx *c, struct md_rd *r, bool fixed,
		     long person)
{
	uint16_t n;
	struct md_rd l = x73_list(c, r, &n);
	for (uint16_t i = 0; i < n && md_rd_left(&l); i++) {
		uint16_t h = md_rd_be16(&l);
		struct md_rd v = l;
		if (fixed) {
			uint16_t len = md_rd_be16(&l);
			v = md_rd_sub(&l, len);
		}
		if (!md_rd_ok(&l))
			break;
		bool log = i < c->s->lim.max_items;
		if (log) {
			x73_group(c, XF_OBS);
			x73_uint(c, XF_OBS_HANDLE, h);
			if (person >= 0)
				x73_uint(c, XF_OBS_PERSON, (uint64_t)person);
		}
		if (fixed && log)
			fixed_obs(c, h, md_rd_rest(&v));
		else if (log)
			var_obs(c, h, &l);
		else if (!fixed)
			(void)x73_list(c, &l, &h);
	}
	if (!md_rd_done(&l))
		x73_event(c, XE_ITEM_LENGTH_MISMATCH);
}

static void scan_report(struct x73_ctx *c, struct md_rd *r, bool fixed, bool mp)
{
	md_rd_skip(r, 2); /* data-req-id */
	x73_uint(c, XF_SCAN_REPORT_NO, md_rd_be16(r));
	if (!mp) {
		obs_list(c, r, fixed, -1);
		return;
	}
	uint16_t n;
	struct md_rd l = x73_list(c, r, &n);
	for (uint16_t i = 0; i < n && md_rd_left(&l); i++)
		obs_list(c, &l, fixed, md_rd_be16(&l));
	if (!md_rd_done(&l))
		x73_event(c, XE_ITEM_LENGTH_MISMATCH);
}

static void segment_data(struct x73_ctx *c, struct md_rd *r)
{
	x73_uint(c, XF_SEG_INSTANCE, md_rd_be16(r));
	x73_uint(c, XF_SEG_INDEX, md_rd_be32(r));
	x73_uint(c, XF_SEG_COUNT, md_rd_be32(r));
	x73_uint(c, XF_SEG_STATUS, md_rd_be16(r));
	uint16_t len = md_rd_be16(r);
	md_rd_skip(r, len);
}

void x73_event_info(struct x73_ctx *c, uint16_t type, struct md_rd *r)
{
	switch (type) {
	case MDC_NOTI_CONFIG:
		config_report(c, r);
		break;
	case MDC_NOTI_SCAN_REPORT_FIXED:
	case MDC_NOTI_UNBUF_SCAN_REPORT_FIXED:
	case MDC_NOTI_BUF_SCAN_REPORT_FIXED:
		scan_report(c, r, true, false);
		break;
	case MDC_NOTI_SCAN_REPORT_VAR:
	case MDC_NOTI_UNBUF_SCAN_REPORT_VAR:
	case MDC_NOTI_BUF_SCAN_REPORT_VAR:
		scan_report(c, r, false, false);
		break;
	case MDC_NOTI_SCAN_REPORT_MP_FIXED:
	case MDC_NOTI_UNBUF_SCAN_REPORT_MP_FIXED:
	case MDC_NOTI_BUF_SCAN_REPORT_MP_FIXED:
		scan_report(c, r, true, true);
		break;
	case MDC_NOTI_SCAN_REPORT_MP_VAR:
	case MDC_NOTI_UNBUF_SCAN_REPORT_MP_VAR:
	case MDC_NOTI_BUF_SCAN_REPORT_MP_VAR:
		scan_report(c, r, false, true);
		break;
	case MDC_NOTI_SEGMENT_DATA:
		segment_data(c, r);
		break;
	default: /* grouped reports and unknown types: not decoded */
		md_rd_skip(r, md_rd_left(r));
		return;
	}
	if (!md_rd_done(r))
		x73_event(c, XE_ITEM_LENGTH_MISMATCH);
}

void x73_event_reply(struct x73_ctx *c, uint16_t type, struct md_rd *r)
{
	if (type == MDC_NOTI_CONFIG && md_rd_left(r)) {
		x73_uint(c, XF_CONFIG_REPORT_ID, md_rd_be16(r));
		uint16_t result = md_rd_be16(r);
		x73_uint(c, XF_CONFIG_RESULT, result);
		if (!md_rd_done(r))
			x73_event(c, XE_ITEM_LENGTH_MISMATCH);
		if (result != 0)
			c->s->cfg_known = false;
		return;
	}
	md_rd_skip(r, md_rd_left(r));
}

/* ---- MDS attributes ----------------------------------------------------- */

/* length (2) bytes, printable as they are (the engine escapes). */
static void octets(struct x73_ctx *c, unsigned f, struct md_rd *r)
{
	uint16_t len = md_rd_be16(r);
	struct md_span s = md_rd_span(r, len);
	if (s.len > X73_TEXT_MAX)
		s.len = X73_TEXT_MAX;
	if (s.p)
		x73_str(c, f, s.p, s.len);
}

static void prod_spec(struct x73_ctx *c, struct md_rd *r)
{
	static const unsigned by_type[8] = {
	    0, XF_SERIAL, 0, XF_HW_REVISION, XF_SW_REVISION, XF_FIRMWARE, 0, 0};
	uint16_t n;
	struct md_rd l = x73_list(c, r, &n);
	for (uint16_t i = 0; i < n && md_rd_left(&l); i++) {
		uint16_t type = md_rd_be16(&l);
		md_rd_skip(&l, 2); /* component-id */
		if (type < 8 && by_type[type])
			octets(c, by_type[type], &l);
		else
			md_rd_skip(&l, md_rd_be16(&l));
	}
	if (!md_rd_done(&l))
		x73_event(c, XE_ITEM_LENGTH_MISMATCH);
}

static void mds_attr(struct x73_ctx *c, uint16_t id, struct md_rd *v)
{
	uint16_t n;
	struct md_rd l;
	switch (id) {
	case MDC_ATTR_SYS_ID: {
		uint16_t len = md_rd_be16(v);
		x73_hex(c, XF_SYSTEM_ID, md_rd_span(v, len), 32);
		break;
	}
	case MDC_ATTR_ID_MODEL:
		octets(c, XF_MANUFACTURER, v);
		octets(c, XF_MODEL, v);
		break;
	case MDC_ATTR_ID_PROD_SPECN:
		prod_spec(c, v);
		break;
	case MDC_ATTR_DEV_CONFIG_ID:
		x73_uint(c, XF_DEV_CONFIG_ID, md_rd_be16(v));
		break;
	case MDC_ATTR_SYS_TYPE_SPEC_LIST:
		l = x73_list(c, v, &n);
		for (uint16_t i = 0; i < n && md_rd_left(&l) >= 4; i++) {
			x73_uint(c, XF_SPECIALIZATIONS, md_rd_be16(&l));
			md_rd_skip(&l, 2); /* version */
		}
		break;
	case MDC_ATTR_TIME_ABS:
		abs_time(c, XF_MDS_TIME, v);
		break;
	default:
		md_rd_skip(v, md_rd_left(v));
		return;
	}
	if (!md_rd_done(v))
		x73_event(c, XE_ITEM_LENGTH_MISMATCH);
}

void x73_attr_list(struct x73_ctx *c, struct md_rd *r)
{
	uint16_t n;
	struct md_rd l = x73_list(c, r, &n);
	for (uint16_t i = 0; i < n && md_rd_left(&l); i++) {
		uint16_t id = md_rd_be16(&l);
		uint16_t len = md_rd_be16(&l);
		struct md_rd v = md_rd_sub(&l, len);
		if (!md_rd_ok(&l))
			break;
		if (i < c->s->lim.max_items)
			x73_uint(c, XF_ATTRIBUTE_IDS, id);
		mds_attr(c, id, &v);
	}
	if (!md_rd_done(&l))
		x73_event(c, XE_ITEM_LENGTH_MISMATCH);
}

void x73_action_args(struct x73_ctx *c, uint16_t type, struct md_rd *r)
{
	if (type == MDC_ACT_SET_TIME && md_rd_left(r) >= 8) {
		abs_time(c, XF_ACTION_TIME, r);
		md_rd_skip(r, md_rd_left(r)); /* accuracy */
	} else if (type == MDC_ACT_SEG_TRIG_XFER && md_rd_left(r) >= 2) {
		x73_uint(c, XF_ACTION_SEGMENT, md_rd_be16(r));
	}
	md_rd_skip(r, md_rd_left(r));
}
