/* test-x73.c - IEEE 11073-20601 parser (parsers/ieee11073/): the probe,
 * every APDU (AARQ, AARE, RLRQ, RLRE, ABRT, PRST) and every DATA-apdu
 * choice (ROIV event report, confirmed event report, get, set, confirmed
 * set, action, confirmed action, their RORS, ROER, RORJ), configuration
 * and scan reports (fixed, var, multiple-person), segment data, MDS
 * attributes and FLOAT/SFLOAT text. Vectors run through md_vec_run()
 * (whole, split at every point, byte by byte, on guard pages). Events,
 * gaps and limits are in test-x73-data.c.
 *
 *   vector:  AARQ -> AARE <- PRST(roiv-get) <- PRST(rors-get) -> ...
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test-x73.h"

/* ---- builders ----------------------------------------------------------- */

void xb_u8(struct xb *b, unsigned v)
{
	assert_true(b->n < sizeof(b->b));
	b->b[b->n++] = (uint8_t)v;
}

void xb_16(struct xb *b, unsigned v)
{
	xb_u8(b, v >> 8);
	xb_u8(b, v);
}

void xb_32(struct xb *b, uint32_t v)
{
	xb_16(b, v >> 16);
	xb_16(b, v & 0xFFFF);
}

void xb_put(struct xb *b, const void *p, size_t n)
{
	assert_true(b->n + n <= sizeof(b->b));
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

void x_aarq(struct xb *b, unsigned cfg, const char *sysid8)
{
	xb_16(b, 0xE200);
	xb_16(b, 50);
	xb_32(b, 0x80000000u); /* assoc-version */
	xb_16(b, 1);	       /* data-proto-list count */
	xb_16(b, 42);	       /* length */
	xb_16(b, 0x5079);
	xb_16(b, 38);
	xb_32(b, 0x80000000u); /* protocol-version */
	xb_16(b, 0x8000);      /* MDER */
	xb_32(b, 0x80000000u); /* nomenclature-version */
	xb_32(b, 0);	       /* functional-units */
	xb_32(b, 0x00800000u); /* sys-type-agent */
	xb_16(b, 8);
	xb_put(b, sysid8, 8);
	xb_16(b, cfg);
	xb_16(b, 0x0001); /* data-req-mode-flags */
	xb_u8(b, 1);
	xb_u8(b, 0);
	xb_16(b, 0); /* option-list */
	xb_16(b, 0);
}

void x_aare(struct xb *b, unsigned result)
{
	xb_16(b, 0xE300);
	xb_16(b, 44);
	xb_16(b, result);
	xb_16(b, 0x5079);
	xb_16(b, 38);
	xb_32(b, 0x80000000u);
	xb_16(b, 0x8000);
	xb_32(b, 0x80000000u);
	xb_32(b, 0);
	xb_32(b, 0x80000000u); /* sys-type-manager */
	xb_16(b, 8);
	xb_put(b, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	xb_16(b, 0);
	xb_16(b, 0);
	xb_u8(b, 0);
	xb_u8(b, 0);
	xb_16(b, 0);
	xb_16(b, 0);
}

void x_reason(struct xb *b, unsigned choice, unsigned reason)
{
	xb_16(b, choice);
	xb_16(b, 2);
	xb_16(b, reason);
}

void x_prst(struct xb *b, unsigned invoke, unsigned choice, const void *msg,
	    size_t n)
{
	xb_16(b, 0xE700);
	xb_16(b, (unsigned)n + 8);
	xb_16(b, (unsigned)n + 6);
	xb_16(b, invoke);
	xb_16(b, choice);
	xb_16(b, (unsigned)n);
	xb_put(b, msg, n);
}

void x_event(struct xb *m, unsigned type, const void *info, size_t n)
{
	xb_16(m, 0);
	xb_32(m, 0xFFFFFFFFu);
	xb_16(m, type);
	xb_16(m, (unsigned)n);
	xb_put(m, info, n);
}

void x_has(const char *t, const char *needle)
{
	if (!strstr(t, needle)) {
		fprintf(stderr, "transcript:\n%s", t);
		fail_msg("missing \"%s\" in the transcript above", needle);
	}
}

void x_lacks(const char *t, const char *needle)
{
	if (strstr(t, needle)) {
		fprintf(stderr, "transcript:\n%s", t);
		fail_msg("unexpected \"%s\" in the transcript above", needle);
	}
}

void x_count(const char *t, const char *needle, size_t want)
{
	size_t got = md_count_str(t, needle);
	if (got != want) {
		fprintf(stderr, "transcript:\n%s", t);
		fail_msg("\"%s\" %zu times, expected %zu", needle, got, want);
	}
}

/* ---- probe -------------------------------------------------------------- */

static enum md_probe_rc probe(const void *p, size_t n)
{
	void *h;
	uint8_t *g = md_guard_copy(p, n, &h);
	enum md_probe_rc rc = md_parser_ieee11073.probe(g, n, MD_DIR_TOSERVER);
	md_guard_free(h);
	return rc;
}

static void test_probe(void **st)
{
	(void)st;
	struct xb b = {0};
	x_aarq(&b, 400, SYSID);
	for (size_t n = 0; n < 16; n++)
		assert_int_equal(probe(b.b, n), MD_PROBE_NEED_MORE);
	for (size_t n = 16; n <= b.n; n++)
		assert_int_equal(probe(b.b, n), MD_PROBE_YES);
	struct xb a = {0}, r = {0}, p = {0}, ab = {0};
	x_aare(&a, 0);
	x_reason(&r, 0xE400, 0);
	x_reason(&ab, 0xE600, 2);
	x_prst(&p, 0, 0x0103, "\x00\x00\x00\x00\x00\x00", 6);
	assert_int_equal(probe(a.b, a.n), MD_PROBE_YES);
	assert_int_equal(probe(r.b, r.n), MD_PROBE_YES);
	assert_int_equal(probe(ab.b, ab.n), MD_PROBE_YES);
	assert_int_equal(probe(p.b, p.n), MD_PROBE_YES);
	/* other protocols and near misses */
	assert_int_equal(probe("MSH|^~\\&|", 9), MD_PROBE_NO);
	assert_int_equal(probe("\x0bMSH|", 5), MD_PROBE_NO);
	assert_int_equal(probe("\x01\x00\x00\x00\x00\xcd\x00\x01", 8),
			 MD_PROBE_NO);
	assert_int_equal(probe("\x16\x03\x01\x02\x00\x01", 6), MD_PROBE_NO);
	assert_int_equal(probe("GET / HTTP/1.1\r\n", 16), MD_PROBE_NO);
	assert_int_equal(probe("\xe4\x00\x00\x03\x00\x00\x00", 7), MD_PROBE_NO);
	assert_int_equal(probe("\xe6\x00\x00\x02\x00\x09", 6), MD_PROBE_NO);
	assert_int_equal(probe("\xe7\x01\x00\x02", 4), MD_PROBE_NO);
	assert_int_equal(probe("\xe8\x00\x00\x02\x00\x00", 6), MD_PROBE_NO);
	assert_int_equal(probe("\xe2\x00\xff\xff", 4), MD_PROBE_NO);
	/* a PRST whose inner lengths disagree */
	p.b[5] ^= 1;
	assert_int_equal(probe(p.b, p.n), MD_PROBE_NO);
	/* an AARQ whose data-proto-list length disagrees */
	b.b[11] ^= 1;
	assert_int_equal(probe(b.b, b.n), MD_PROBE_NO);
}

/* ---- association -------------------------------------------------------- */

static void test_association(void **st)
{
	(void)st;
	struct xb q = {0}, a = {0}, rq = {0}, re = {0};
	x_aarq(&q, 400, SYSID);
	x_aare(&a, 0);
	x_reason(&rq, 0xE400, 0);
	x_reason(&re, 0xE500, 0);
	char *t = RUN(TS(q), TC(a), TS(rq), TC(re));
	x_has(t, "tx 0 dir 0\nstr 0 field=apdu 'aarq'\n"
		 "str 0 field=invoker 'agent'\n");
	x_has(t, "uint 0 field=assoc_version 2147483648\n"
		 "uint 0 field=data_proto_id 20601\n"
		 "uint 0 field=protocol_version 2147483648\n"
		 "uint 0 field=encoding_rules 32768\n"
		 "uint 0 field=nomenclature_version 2147483648\n"
		 "uint 0 field=functional_units 0\n"
		 "str 0 field=system_type 'agent'\n"
		 "str 0 field=system_id '1133557799bbddff'\n"
		 "uint 0 field=dev_config_id 400\n"
		 "uint 0 field=data_req_mode_flags 1\n"
		 "progress 0 dir 0 1\n");
	x_has(t, "str 0 field=apdu 'aare'\nuint 0 field=aare_result 0\n"
		 "str 0 field=aare_result_name 'accepted'\n");
	x_has(t, "str 0 field=manager_system_id '1122334455667788'\n");
	x_has(t, "tx 1 dir 0\nstr 1 field=apdu 'rlrq'\n");
	x_has(t, "uint 1 field=release_request_reason 0\n");
	x_has(t, "str 1 field=apdu 'rlre'\n"
		 "uint 1 field=release_response_reason 0\n");
	x_count(t, "tx ", 2);
	x_lacks(t, "\nevent ");
	free(t);
}

static void test_reject_abort(void **st)
{
	(void)st;
	struct xb q = {0}, a = {0}, ab = {0};
	x_aarq(&q, 0x4001, SYSID);
	x_aare(&a, 7);
	x_reason(&ab, 0xE600, 2);
	char *t = RUN(TS(q), TC(a), TC(ab));
	x_has(t, "uint 0 field=aare_result 7\n"
		 "str 0 field=aare_result_name 'rejected-unauthorized'\n");
	x_has(t, "tx 1 dir 1\nstr 1 field=apdu 'abrt'\n"
		 "str 1 field=invoker 'manager'\n"
		 "uint 1 field=abort_reason 2\n");
	x_has(t, "progress 1 dir 0 1\nprogress 1 dir 1 1\n");
	x_lacks(t, "\nevent "); /* 0x4001 is an extended configuration */
	free(t);
}

/* ---- DATA-apdu choices -------------------------------------------------- */

/* AARQ 400 + AARE accepted, then the given exchange. */
#define OPEN(q, a)                                                             \
	struct xb q = {0}, a = {0};                                            \
	x_aarq(&q, 400, SYSID);                                                \
	x_aare(&a, 0)

static void mds_attrs(struct xb *m)
{
	struct xb l = {0};
	xb_16(&l, 0x0984); /* MDC_ATTR_SYS_ID */
	xb_16(&l, 10);
	xb_16(&l, 8);
	xb_put(&l, SYSID, 8);
	xb_16(&l, 0x0928); /* MDC_ATTR_ID_MODEL */
	xb_16(&l, 12);
	xb_16(&l, 4);
	xb_put(&l, "Acme", 4);
	xb_16(&l, 4);
	xb_put(&l, "Ox-1", 4);
	xb_16(&l, 0x092D); /* MDC_ATTR_ID_PROD_SPECN */
	xb_16(&l, 4 + 11 + 11);
	xb_16(&l, 2);
	xb_16(&l, 22);
	xb_put(&l, "\x00\x01\x00\x00\x00\x05SN123", 11);
	xb_put(&l,
	       "\x00\x05\x00\x00\x00\x05"
	       "1.2.3",
	       11);
	xb_16(&l, 0x0A44); /* MDC_ATTR_DEV_CONFIG_ID */
	xb_16(&l, 2);
	xb_16(&l, 400);
	xb_16(&l, 0x0A5A); /* MDC_ATTR_SYS_TYPE_SPEC_LIST */
	xb_16(&l, 8);
	xb_put(&l, "\x00\x01\x00\x04\x10\x04\x00\x01", 8);
	xb_16(&l, 0x0987); /* MDC_ATTR_TIME_ABS */
	xb_16(&l, 8);
	xb_put(&l, "\x20\x24\x01\x15\x10\x30\x00\x00", 8);
	xb_16(m, 0); /* obj-handle */
	xb_16(m, 6);
	xb_16(m, (unsigned)l.n);
	xb_put(m, l.b, l.n);
}

static void test_get(void **st)
{
	(void)st;
	OPEN(q, a);
	struct xb g = {0}, r = {0}, m = {0};
	x_prst(&g, 5, 0x0103, "\x00\x00\x00\x00\x00\x00", 6);
	mds_attrs(&m);
	x_prst(&r, 5, 0x0203, m.b, m.n);
	char *t = RUN(TS(q), TC(a), TC(g), TS(r));
	x_has(t, "tx 1 dir 1\nstr 1 field=apdu 'prst'\n"
		 "str 1 field=invoker 'manager'\nuint 1 field=invoke_id 5\n"
		 "str 1 field=data_choice 'roiv-get'\n"
		 "uint 1 field=obj_handle 0\nprogress 1 dir 1 1\n");
	x_has(t, "str 1 field=data_choice 'rors-get'\n");
	x_has(t, "str 1 field=system_id '1133557799bbddff'\n");
	x_has(t, "str 1 field=manufacturer 'Acme'\nstr 1 field=model 'Ox-1'\n");
	x_has(t, "str 1 field=serial_number 'SN123'\n");
	x_has(t, "str 1 field=firmware '1.2.3'\n");
	x_has(t, "uint 1 field=dev_config_id 400\n");
	x_has(t, "uint 1 field=specializations 4100\n");
	x_has(t, "str 1 field=mds_time '2024-01-15T10:30:00.00'\n");
	x_count(t, "field=attribute_ids", 6);
	x_has(t, "progress 1 dir 0 1\nprogress 1 dir 1 1\n");
	x_lacks(t, "\nevent ");
	free(t);
}

static void test_fixed_report_std(void **st)
{
	(void)st;
	OPEN(q, a);
	static const uint8_t info[] =
	    "\xf0\x00\x00\x00\x00\x02\x00\x1c"
	    "\x00\x01\x00\x0a\xf3\xc5\x20\x26\x11\x28\x18\x25\x04\x50"
	    "\x00\x0a\x00\x0a\xf2\x7b\x20\x26\x11\x28\x18\x25\x04\x50";
	struct xb m = {0}, e = {0};
	x_event(&m, MDC_NOTI_SCAN_REPORT_FIXED, info, sizeof(info) - 1);
	x_prst(&e, 0x1111, 0x0100, m.b, m.n);
	char *t = RUN(TS(q), TC(a), TS(e));
	x_has(t, "str 1 field=data_choice 'roiv-event-report'\n"
		 "uint 1 field=obj_handle 0\n"
		 "uint 1 field=event_time 4294967295\n"
		 "uint 1 field=event_type 3357\n"
		 "str 1 field=event_type_name 'MDC_NOTI_SCAN_REPORT_FIXED'\n"
		 "uint 1 field=scan_report_no 0\n");
	x_has(t, "group 1 field=observations\nuint 1 field=obs_handle 1\n"
		 "uint 1 field=obs_type 19384\nuint 1 field=obs_unit 544\n"
		 "str 1 field=obs_value '96.5'\n"
		 "str 1 field=obs_time '2026-11-28T18:25:04.50'\n");
	x_has(t, "uint 1 field=obs_handle 10\nuint 1 field=obs_type 18458\n"
		 "uint 1 field=obs_unit 2720\nstr 1 field=obs_value '63.5'\n");
	x_has(t, "progress 1 dir 0 1\nprogress 1 dir 1 1\n");
	x_lacks(t, "\nevent ");
	free(t);
}

/* Extended configuration: AARE accepted-unknown-config, the agent's
 * configuration report, then fixed, var, MP fixed, MP var reports and
 * segment data laid out by it. */
static void test_config_and_scans(void **st)
{
	(void)st;
	struct xb q = {0}, a = {0}, c = {0}, cr = {0}, m = {0}, rm = {0};
	x_aarq(&q, 0x4000, SYSID);
	x_aare(&a, 3);
	static const uint8_t cfg[] =
	    "\x40\x00\x00\x01\x00\x26"		/* id, 1 object, 38 */
	    "\x00\x06\x00\x01\x00\x03\x00\x1e"	/* numeric 1, 3 attrs */
	    "\x09\x2f\x00\x04\x00\x02\x4b\xb8"	/* type SpO2 */
	    "\x09\x96\x00\x02\x02\x20"		/* unit % */
	    "\x0a\x55\x00\x0c\x00\x02\x00\x08"	/* value map 2 */
	    "\x0a\x4c\x00\x02\x09\x90\x00\x08"; /* basic 2, abs 8 */
	x_event(&m, MDC_NOTI_CONFIG, cfg, sizeof(cfg) - 1);
	x_prst(&c, 1, 0x0101, m.b, m.n);
	xb_16(&rm, 0);
	xb_32(&rm, 0);
	xb_16(&rm, MDC_NOTI_CONFIG);
	xb_16(&rm, 4);
	xb_16(&rm, 0x4000);
	xb_16(&rm, 0);
	x_prst(&cr, 1, 0x0201, rm.b, rm.n);
	static const uint8_t fixed[] =
	    "\xf0\x00\x00\x01\x00\x01\x00\x0e"
	    "\x00\x01\x00\x0a\x00\x62\x20\x24\x01\x15\x10\x30\x00\x00";
	static const uint8_t var[] = "\xf0\x00\x00\x02\x00\x01\x00\x0c"
				     "\x00\x01\x00\x01\x00\x06"
				     "\x0a\x4c\x00\x02\x07\xff"; /* NaN */
	static const uint8_t mpf[] =
	    "\xf0\x00\x00\x03\x00\x01\x00\x14\x00\x07\x00\x01\x00\x0e"
	    "\x00\x01\x00\x0a\x00\x61\x20\x24\x01\x15\x10\x31\x00\x00";
	static const uint8_t mpv[] = "\xf0\x00\x00\x04\x00\x01\x00\x12"
				     "\x00\x08\x00\x01\x00\x0c"
				     "\x00\x01\x00\x01\x00\x06"
				     "\x09\x4f\x00\x02\x00\x00"; /* unknown */
	static const uint8_t seg[] = "\x00\x02\x00\x00\x00\x05\x00\x00\x00\x01"
				     "\x80\x00\x00\x02\xaa\xbb";
	struct xb e1 = {0}, e2 = {0}, e3 = {0}, e4 = {0}, e5 = {0};
	struct xb m1 = {0}, m2 = {0}, m3 = {0}, m4 = {0}, m5 = {0};
	x_event(&m1, MDC_NOTI_SCAN_REPORT_FIXED, fixed, sizeof(fixed) - 1);
	x_event(&m2, MDC_NOTI_SCAN_REPORT_VAR, var, sizeof(var) - 1);
	x_event(&m3, MDC_NOTI_SCAN_REPORT_MP_FIXED, mpf, sizeof(mpf) - 1);
	x_event(&m4, MDC_NOTI_SCAN_REPORT_MP_VAR, mpv, sizeof(mpv) - 1);
	x_event(&m5, MDC_NOTI_SEGMENT_DATA, seg, sizeof(seg) - 1);
	x_prst(&e1, 2, 0x0100, m1.b, m1.n);
	x_prst(&e2, 3, 0x0100, m2.b, m2.n);
	x_prst(&e3, 4, 0x0100, m3.b, m3.n);
	x_prst(&e4, 5, 0x0100, m4.b, m4.n);
	x_prst(&e5, 6, 0x0100, m5.b, m5.n);
	char *t = RUN(TS(q), TC(a), TS(c), TC(cr), TS(e1), TS(e2), TS(e3),
		      TS(e4), TS(e5));
	x_has(t, "str 0 field=aare_result_name 'accepted-unknown-config'\n");
	x_has(t, "str 1 field=event_type_name 'MDC_NOTI_CONFIG'\n"
		 "uint 1 field=config_report_id 16384\n"
		 "uint 1 field=dev_config_id 16384\n"
		 "group 1 field=config_objects\nuint 1 field=co_handle 1\n"
		 "uint 1 field=co_class 6\nuint 1 field=co_type 19384\n"
		 "uint 1 field=co_unit 544\nuint 1 field=co_map 2636\n"
		 "uint 1 field=co_map 2448\n");
	x_has(t, "str 1 field=data_choice 'rors-confirmed-event-report'\n");
	x_has(t, "uint 1 field=config_result 0\n");
	x_has(t, "uint 2 field=obs_type 19384\nuint 2 field=obs_unit 544\n"
		 "str 2 field=obs_value '98'\n"
		 "str 2 field=obs_time '2024-01-15T10:30:00.00'\n");
	x_has(t, "uint 3 field=obs_handle 1\nuint 3 field=obs_type 19384\n"
		 "uint 3 field=obs_unit 544\nstr 3 field=obs_value 'NaN'\n");
	x_has(t, "uint 4 field=obs_handle 1\nuint 4 field=obs_person 7\n"
		 "uint 4 field=obs_type 19384\n");
	x_has(t, "str 4 field=obs_value '97'\n");
	x_has(t, "uint 5 field=obs_person 8\nuint 5 field=obs_type 19384\n");
	x_lacks(t, "str 5 field=obs_value");
	x_has(t, "str 6 field=event_type_name 'MDC_NOTI_SEGMENT_DATA'\n"
		 "uint 6 field=segment_instance 2\n"
		 "uint 6 field=segment_entry_index 5\n"
		 "uint 6 field=segment_entry_count 1\n"
		 "uint 6 field=segment_status 32768\n");
	x_lacks(t, "\nevent ");
	free(t);
}

static void test_set_action(void **st)
{
	(void)st;
	OPEN(q, a);
	static const uint8_t set[] = "\x00\x00\x00\x01\x00\x0e"
				     "\x00\x00\x09\x87\x00\x08"
				     "\x20\x24\x01\x15\x10\x30\x00\x00";
	static const uint8_t setrsp[] = "\x00\x00\x00\x01\x00\x0c"
					"\x09\x87\x00\x08"
					"\x20\x24\x01\x15\x10\x30\x00\x00";
	static const uint8_t act[] = "\x00\x00\x0c\x17\x00\x0c"
				     "\x20\x24\x01\x15\x10\x30\x00\x00"
				     "\x00\x00\x00\x00";
	static const uint8_t trig[] = "\x01\x00\x0c\x1c\x00\x02\x00\x03";
	static const uint8_t trigrsp[] = "\x01\x00\x0c\x1c\x00\x04\x00\x03\x00"
					 "\x00";
	struct xb s1 = {0}, s2 = {0}, s3 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
	x_prst(&s1, 1, 0x0104, set, sizeof(set) - 1);
	x_prst(&s2, 2, 0x0105, set, sizeof(set) - 1);
	x_prst(&s3, 2, 0x0205, setrsp, sizeof(setrsp) - 1);
	x_prst(&a1, 3, 0x0106, act, sizeof(act) - 1);
	x_prst(&a2, 4, 0x0107, trig, sizeof(trig) - 1);
	x_prst(&a3, 4, 0x0207, trigrsp, sizeof(trigrsp) - 1);
	char *t =
	    RUN(TS(q), TC(a), TC(s1), TC(s2), TS(s3), TC(a1), TC(a2), TS(a3));
	x_has(t, "tx 1 dir 1\nstr 1 field=apdu 'prst'\n"
		 "str 1 field=invoker 'manager'\nuint 1 field=invoke_id 1\n"
		 "str 1 field=data_choice 'roiv-set'\n"
		 "uint 1 field=obj_handle 0\n"
		 "uint 1 field=attribute_ids 2439\n"
		 "progress 1 dir 0 1\nprogress 1 dir 1 1\n");
	x_has(t, "str 2 field=data_choice 'roiv-confirmed-set'\n");
	x_has(t, "str 2 field=data_choice 'rors-confirmed-set'\n");
	x_has(t, "str 2 field=mds_time '2024-01-15T10:30:00.00'\n");
	x_has(t, "str 3 field=data_choice 'roiv-action'\n"
		 "uint 3 field=obj_handle 0\nuint 3 field=action_type 3095\n"
		 "str 3 field=action_type_name 'MDC_ACT_SET_TIME'\n"
		 "str 3 field=action_time '2024-01-15T10:30:00.00'\n");
	x_has(t, "str 4 field=data_choice 'roiv-confirmed-action'\n"
		 "uint 4 field=obj_handle 256\n"
		 "uint 4 field=action_type 3100\n"
		 "str 4 field=action_type_name 'MDC_ACT_SEG_TRIG_XFER'\n"
		 "uint 4 field=action_segment 3\n");
	x_has(t, "str 4 field=data_choice 'rors-confirmed-action'\n");
	x_count(t, "tx ", 5);
	x_lacks(t, "\nevent ");
	free(t);
}

static void test_roer_rorj(void **st)
{
	(void)st;
	OPEN(q, a);
	struct xb g = {0}, er = {0}, s = {0}, rj = {0};
	x_prst(&g, 9, 0x0103, "\x00\x00\x00\x00\x00\x00", 6);
	x_prst(&er, 9, 0x0300, "\x00\x02\x00\x00", 4);
	x_prst(&s, 10, 0x0105, "\x00\x00\x00\x00\x00\x00", 6);
	x_prst(&rj, 10, 0x0400, "\x00\x65", 2);
	char *t = RUN(TS(q), TC(a), TC(g), TS(er), TC(s), TS(rj));
	x_has(t,
	      "str 1 field=data_choice 'roer'\nuint 1 field=error_value 2\n");
	x_has(t, "str 2 field=data_choice 'rorj'\n"
		 "uint 2 field=reject_problem 101\n");
	x_count(t, "tx ", 3);
	x_lacks(t, "\nevent ");
	free(t);
}

/* ---- numbers ------------------------------------------------------------ */

static void sf(uint16_t raw, const char *want)
{
	char out[160];
	x73_sfloat_text(raw, out, sizeof(out));
	assert_string_equal(out, want);
}

static void fl(uint32_t raw, const char *want)
{
	char out[160];
	x73_float_text(raw, out, sizeof(out));
	assert_string_equal(out, want);
}

static void test_numbers(void **st)
{
	(void)st;
	sf(0x07FF, "NaN");
	sf(0x0800, "NRes");
	sf(0x07FE, "+INF");
	sf(0x0802, "-INF");
	sf(0x0801, "reserved");
	sf(0xF3C5, "96.5");
	sf(0x0055, "85");
	sf(0xFFFF, "-0.1");
	sf(0x2001, "100");
	sf(0xD00F, "0.015");
	sf(0x0000, "0");
	sf(0x17FF, "20470"); /* exponent 1: an ordinary number */
	fl(0x007FFFFF, "NaN");
	fl(0x00800000, "NRes");
	fl(0x007FFFFE, "+INF");
	fl(0x00800002, "-INF");
	fl(0x00800001, "reserved");
	fl(0xFF0002DC, "73.2");
	fl(0xFD000001, "0.001");
	fl(0x02FFFFFE, "-200");
	fl(0xFE000064, "1.00");
	char out[160];
	x73_float_text(0x80000001u, out, sizeof(out)); /* 1e-128 */
	assert_int_equal(strlen(out), 130);
	assert_true(strncmp(out, "0.000", 5) == 0 && out[129] == '1');
	x73_float_text(0x7F000001u, out, sizeof(out)); /* 1e127 */
	assert_int_equal(strlen(out), 128);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_probe),
	    cmocka_unit_test(test_association),
	    cmocka_unit_test(test_reject_abort),
	    cmocka_unit_test(test_get),
	    cmocka_unit_test(test_fixed_report_std),
	    cmocka_unit_test(test_config_and_scans),
	    cmocka_unit_test(test_set_action),
	    cmocka_unit_test(test_roer_rorj),
	    cmocka_unit_test(test_numbers),
	};
	size_t n = sizeof(tests) / sizeof(tests[0]);
	struct CMUnitTest *all = calloc(n + x73_data_ntests, sizeof(*all));
	assert_non_null(all);
	memcpy(all, tests, sizeof(tests));
	memcpy(all + n, x73_data_tests, x73_data_ntests * sizeof(*all));
	int rc = _cmocka_run_group_tests("x73", all, n + x73_data_ntests, NULL,
					 NULL);
	free(all);
	return rc;
}
