/* test-x73-data.c - IEEE 11073-20601 parser events: each event of the
 * parser's table raised by the input that should raise it (length
 * mismatches at the APDU, message and item levels, length 0xFFFF, unknown
 * APDU and data choices, invoke-id reuse, responses without request, data
 * before association, unknown event type and dev-config-id, observation
 * layout, bounds, truncation, gaps), and the parser continuing after each.
 * Vectors run through md_vec_run(); those needing chosen limits or gaps
 * through a small driver here.
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

/* ---- a driver with chosen limits and gaps -------------------------------- */

struct rec {
	char out[65536];
	size_t len;
	uint64_t next_tx;
};

static void add(struct rec *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add(struct rec *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n =
	    vsnprintf(r->out + r->len, sizeof(r->out) - r->len - 1, fmt, ap);
	va_end(ap);
	assert_true(n > 0 && r->len + (size_t)n + 2 < sizeof(r->out));
	r->len += (size_t)n;
	r->out[r->len++] = '\n';
	r->out[r->len] = 0;
}

static const char *fname(unsigned f)
{
	return md_parser_ieee11073.fields[f].name;
}

static void r_event(void *c, uint64_t tx, unsigned id)
{
	if (tx == MD_TX_NONE)
		add(c, "event - %s", md_parser_ieee11073.events[id].name);
	else
		add(c, "event %llu %s", (unsigned long long)tx,
		    md_parser_ieee11073.events[id].name);
}

static uint64_t r_tx_new(void *c, enum md_dir dir)
{
	struct rec *r = c;
	add(r, "tx %llu dir %d", (unsigned long long)r->next_tx, (int)dir);
	return r->next_tx++;
}

static void r_str(void *c, uint64_t tx, unsigned f, const uint8_t *p,
		  size_t len)
{
	add(c, "str %llu field=%s '%.*s'", (unsigned long long)tx, fname(f),
	    (int)len, (const char *)p);
}

static void r_uint(void *c, uint64_t tx, unsigned f, uint64_t v)
{
	add(c, "uint %llu field=%s %llu", (unsigned long long)tx, fname(f),
	    (unsigned long long)v);
}

static void r_group(void *c, uint64_t tx, unsigned f)
{
	add(c, "group %llu field=%s", (unsigned long long)tx, fname(f));
}

static void r_progress(void *c, uint64_t tx, enum md_dir dir, unsigned p)
{
	add(c, "progress %llu dir %d %u", (unsigned long long)tx, (int)dir, p);
}

/* Feed the chunks (p == NULL: a gap of len bytes) whole, keeping what the
 * parser leaves, with the given limits; eof both ways at the end. */
static struct rec *lrun(const struct md_limits *lim,
			const struct md_vec_chunk *in, size_t n)
{
	static struct rec r;
	struct md_sink k = {&r,	  r_event, r_tx_new,   r_str, r_uint,
			    NULL, r_group, r_progress, NULL,  NULL};
	void *st = calloc(1, md_parser_ieee11073.state_size);
	static uint8_t keep[2][1 << 17];
	size_t klen[2] = {0, 0};
	memset(&r, 0, sizeof(r));
	assert_non_null(st);
	assert_int_equal(md_parser_ieee11073.init(st, lim), 0);
	for (size_t i = 0; i < n; i++) {
		int d = in[i].dir;
		if (!in[i].p) {
			md_parser_ieee11073.gap(st, (enum md_dir)d, in[i].len,
						&k);
			klen[d] = 0;
			continue;
		}
		assert_true(klen[d] + in[i].len <= sizeof(keep[d]));
		memcpy(keep[d] + klen[d], in[i].p, in[i].len);
		klen[d] += in[i].len;
		size_t used = 0;
		md_parser_ieee11073.parse(st, (enum md_dir)d, keep[d], klen[d],
					  &used, &k);
		memmove(keep[d], keep[d] + used, klen[d] - used);
		klen[d] -= used;
	}
	md_parser_ieee11073.eof(st, MD_DIR_TOSERVER, &k);
	md_parser_ieee11073.eof(st, MD_DIR_TOCLIENT, &k);
	free(st);
	return &r;
}

static const struct md_limits LIM = {1u << 20, 16u << 20, 256, 65536, 256, 100};

#define LRUN(lim, ...)                                                         \
	lrun(lim, (const struct md_vec_chunk[]){__VA_ARGS__},                  \
	     sizeof((const struct md_vec_chunk[]){__VA_ARGS__}) /              \
		 sizeof(struct md_vec_chunk))

#define OPENED(q, a)                                                           \
	struct xb q = {0}, a = {0};                                            \
	x_aarq(&q, 400, SYSID);                                                \
	x_aare(&a, 0)

static const uint8_t GET0[6] = {0};

/* ---- length mismatches -------------------------------------------------- */

static void test_apdu_length(void **st)
{
	(void)st;
	OPENED(q, a);
	struct xb bad = {0}, rq = {0};
	xb_put(&bad, "\xe4\x00\x00\x03\x00\x00\x00", 7); /* RLRQ of 3 */
	/* PRST whose octet string (12) runs past the APDU (8) */
	xb_put(&bad, "\xe7\x00\x00\x08\x00\x0c\x00\x01\x01\x03\x00\x00", 12);
	x_reason(&rq, 0xE400, 1);
	char *t = RUN(TS(q), TC(a), TS(bad), TS(rq));
	x_has(t, "tx 1 dir 0\nstr 1 field=apdu 'rlrq'\n"
		 "str 1 field=invoker 'agent'\n"
		 "uint 1 field=release_request_reason 0\n"
		 "event 1 apdu_length_mismatch\n");
	x_has(t, "event - apdu_length_mismatch\n");
	x_has(t, "uint 2 field=release_request_reason 1\n");
	x_count(t, "apdu_length_mismatch", 2);
	free(t);
}

static void test_message_item_length(void **st)
{
	(void)st;
	OPENED(q, a);
	struct xb g = {0}, r = {0};
	/* a Get whose message length (10) runs past the PRST (6 left) */
	xb_put(&g, "\xe7\x00\x00\x0e\x00\x0c\x00\x05\x01\x03\x00\x0a", 12);
	xb_put(&g, GET0, 6);
	/* its answer: an attribute list of length 40 in 8 bytes */
	x_prst(&r, 5, 0x0203, "\x00\x00\x00\x01\x00\x28\x0a\x44", 8);
	char *t = RUN(TS(q), TC(a), TC(g), TS(r));
	x_has(t, "str 1 field=data_choice 'roiv-get'\n"
		 "event 1 message_length_mismatch\n");
	x_has(t, "str 1 field=data_choice 'rors-get'\n");
	x_has(t, "event 1 item_length_mismatch\n");
	x_lacks(t, "response_without_request");
	free(t);
}

static void test_too_long(void **st)
{
	(void)st;
	OPENED(q, a);
	struct xb big = {0};
	xb_put(&big, "\xe7\x00\xff\xff\x00\x00\x00\x00", 8);
	/* length 0xFFFF: skipped, then the stream ends inside it */
	char *t = RUN(TS(q), TC(a), TS(big));
	x_has(t, "event - apdu_too_long\n");
	x_has(t, "event - truncated_apdu\n");
	x_count(t, "tx ", 1);
	free(t);
	/* over max-pdu: skipped whole, the next APDU parses */
	struct md_limits lim = LIM;
	lim.max_pdu = 60;
	struct xb g = {0}, rq = {0};
	x_prst(&g, 1, 0x0103, big.b, 60);
	x_reason(&rq, 0xE400, 0);
	struct rec *r = LRUN(&lim, TS(q), TC(a), TS(g), TS(rq));
	x_has(r->out, "event - apdu_too_long\n");
	x_has(r->out, "str 1 field=apdu 'rlrq'\n");
	x_lacks(r->out, "truncated_apdu");
	/* an APDU the engine's buffer could not hold is skipped too */
	lim = LIM;
	lim.max_buffer = 64;
	r = LRUN(&lim, TS(q), TC(a), TS(g), TS(rq));
	x_count(r->out, "event - apdu_too_long\n", 1);
	x_has(r->out, "str 1 field=apdu 'rlrq'\n");
}

/* ---- choices ------------------------------------------------------------ */

static void test_unknown_choices(void **st)
{
	(void)st;
	OPENED(q, a);
	struct xb u = {0}, g = {0}, rq = {0};
	xb_put(&u, "\xe8\x00\x00\x02\x00\x00", 6); /* skipped by length */
	x_prst(&g, 1, 0x0102, GET0, 6);		   /* no such data choice */
	xb_put(&g, "ABCD\xe7", 5);		   /* no APDU: resync */
	x_reason(&rq, 0xE400, 0);
	char *t = RUN(TS(q), TC(a), TS(u), TS(g), TS(rq));
	x_count(t, "event - unknown_apdu_choice\n", 2);
	x_has(t, "event - unknown_data_choice\n");
	x_has(t, "tx 1 dir 0\nstr 1 field=apdu 'rlrq'\n");
	x_count(t, "tx ", 2);
	free(t);
}

/* ---- invoke-ids and state ----------------------------------------------- */

static void test_invoke_ids(void **st)
{
	(void)st;
	OPENED(q, a);
	struct xb g1 = {0}, g2 = {0}, r = {0}, stray = {0}, ev = {0};
	x_prst(&g1, 5, 0x0103, GET0, 6);
	x_prst(&g2, 5, 0x0103, GET0, 6);
	x_prst(&stray, 9, 0x0203, "\x00\x00\x00\x00\x00\x00", 6);
	/* unconfirmed reports may repeat their invoke-id freely */
	static const uint8_t none[] = "\xf0\x00\x00\x00\x00\x00\x00\x00";
	struct xb m = {0};
	x_event(&m, MDC_NOTI_SCAN_REPORT_FIXED, none, 8);
	x_prst(&ev, 7, 0x0100, m.b, m.n);
	x_prst(&ev, 7, 0x0100, m.b, m.n);
	x_prst(&r, 5, 0x0203, "\x00\x00\x00\x00\x00\x00", 6);
	char *t = RUN(TS(q), TC(a), TC(g1), TC(g2), TS(stray), TS(ev), TS(r));
	x_has(t, "tx 2 dir 1\nstr 2 field=apdu 'prst'\n"
		 "str 2 field=invoker 'manager'\nuint 2 field=invoke_id 5\n"
		 "event 2 invoke_id_reuse\n");
	x_has(t, "tx 3 dir 0\nstr 3 field=apdu 'prst'\n"
		 "str 3 field=invoker 'agent'\nuint 3 field=invoke_id 9\n"
		 "event 3 response_without_request\n");
	x_count(t, "invoke_id_reuse", 1);
	x_count(t, "response_without_request", 1);
	/* the answer joins the first of the two requests */
	x_has(t, "str 1 field=data_choice 'rors-get'\n");
	free(t);
	struct xb re = {0}, ae = {0};
	x_reason(&re, 0xE500, 0);
	x_aare(&ae, 0);
	t = RUN(TC(ae), TC(re));
	x_count(t, "response_without_request", 2);
	free(t);
}

static void test_data_before_association(void **st)
{
	(void)st;
	struct xb g = {0}, q = {0}, a = {0}, rq = {0}, re = {0};
	x_prst(&g, 1, 0x0103, GET0, 6);
	x_aarq(&q, 400, SYSID);
	x_aare(&a, 0);
	x_reason(&rq, 0xE400, 0);
	x_reason(&re, 0xE500, 0);
	/* before any AARQ, twice: one event; none while operating; one
	 * after the release */
	char *t = RUN(TC(g), TC(g), TS(q), TS(g), TC(a), TC(g), TS(rq), TC(re),
		      TC(g));
	x_count(t, "data_before_association", 3);
	x_has(t, "str 0 field=invoker 'unknown'\n");
	free(t);
}

static void test_event_type_config(void **st)
{
	(void)st;
	struct xb q = {0}, a = {0}, e = {0}, m = {0};
	x_aarq(&q, 999, SYSID);
	x_aare(&a, 0);
	x_event(&m, 0x0D50, "\x00\x01", 2);
	x_prst(&e, 1, 0x0100, m.b, m.n);
	char *t = RUN(TS(q), TC(a), TS(e));
	x_has(t, "uint 0 field=dev_config_id 999\n");
	x_has(t, "event 0 unknown_dev_config_id\n");
	x_has(t, "uint 1 field=event_type 3408\n"
		 "str 1 field=event_type_name 'unknown'\n"
		 "event 1 unknown_event_type\n");
	free(t);
	struct xb q0 = {0}, q8 = {0};
	x_aarq(&q0, 0, SYSID);
	x_aarq(&q8, 0x8000, SYSID);
	t = RUN(TS(q0), TS(q8));
	x_count(t, "unknown_dev_config_id", 2);
	free(t);
}

static void test_layout_mismatch(void **st)
{
	(void)st;
	OPENED(q, a);
	/* handle 1 of configuration 400 holds 10 bytes; 4 here */
	static const uint8_t info[] = "\xf0\x00\x00\x00\x00\x01\x00\x08"
				      "\x00\x01\x00\x04\xf3\xc5\xaa\xbb";
	struct xb m = {0}, e = {0};
	x_event(&m, MDC_NOTI_SCAN_REPORT_FIXED, info, sizeof(info) - 1);
	x_prst(&e, 1, 0x0100, m.b, m.n);
	char *t = RUN(TS(q), TC(a), TS(e));
	x_has(t, "uint 1 field=obs_type 19384\nuint 1 field=obs_unit 544\n"
		 "event 1 observation_layout_mismatch\n"
		 "str 1 field=obs_raw 'f3c5aabb'\n");
	free(t);
	/* no configuration known (extended, never reported): raw bytes */
	struct xb qx = {0};
	x_aarq(&qx, 0x4005, SYSID);
	t = RUN(TS(qx), TC(a), TS(e));
	x_has(t, "uint 1 field=obs_handle 1\nstr 1 field=obs_raw 'f3c5aabb'\n");
	x_lacks(t, "observation_layout_mismatch");
	free(t);
}

/* ---- bounds, truncation, gaps ------------------------------------------- */

static void test_bounds(void **st)
{
	(void)st;
	OPENED(q, a);
	struct md_limits lim = LIM;
	lim.max_items = 2;
	struct xb g = {0};
	x_prst(&g, 1, 0x0103,
	       "\x00\x00\x00\x03\x00\x06\x09\x84\x09\x28\x0a\x44", 12);
	struct rec *r = LRUN(&lim, TS(q), TC(a), TC(g));
	x_has(r->out, "event 1 too_many_items\n");
	x_count(r->out, "field=attribute_ids", 2);
	struct xb many = {0};
	for (unsigned i = 0; i < X73_PEND_MAX + 1; i++)
		x_prst(&many, 100 + i, 0x0103, GET0, 6);
	r = LRUN(&LIM, TS(q), TC(a), TC(many));
	x_count(r->out, "too_many_outstanding_requests", 1);
	/* every request is logged: the oldest one completed when evicted */
	x_count(r->out, "progress 1 dir 0 1\n", 1);
}

static void test_truncated_and_gap(void **st)
{
	(void)st;
	OPENED(q, a);
	struct xb half = {0};
	xb_put(&half, q.b, 20);
	char *t = RUN(TS(half));
	x_has(t, "event - truncated_apdu\n");
	x_count(t, "tx ", 0);
	free(t);
	struct xb rq = {0}, g = {0};
	x_reason(&rq, 0xE400, 0);
	x_prst(&g, 1, 0x0103, GET0, 6);
	/* a gap between APDUs, then one inside an APDU: parsing resumes at
	 * the next header */
	struct rec *r =
	    LRUN(&LIM, TS(q), TC(a), {MD_DIR_TOCLIENT, NULL, 100}, TC(g),
		 {MD_DIR_TOCLIENT, g.b, 7}, {MD_DIR_TOCLIENT, NULL, 5},
		 {MD_DIR_TOCLIENT, "\x01\x02\x03", 3}, TC(g), TS(rq));
	x_count(r->out, "event - stream_gap\n", 1);
	x_count(r->out, "event - truncated_apdu\n", 1);
	x_count(r->out, "str 1 field=data_choice 'roiv-get'\n", 1);
	x_count(r->out, "field=data_choice 'roiv-get'\n", 2);
	x_has(r->out, "field=apdu 'rlrq'\n");
}

const struct CMUnitTest x73_data_tests[] = {
    cmocka_unit_test(test_apdu_length),
    cmocka_unit_test(test_message_item_length),
    cmocka_unit_test(test_too_long),
    cmocka_unit_test(test_unknown_choices),
    cmocka_unit_test(test_invoke_ids),
    cmocka_unit_test(test_data_before_association),
    cmocka_unit_test(test_event_type_config),
    cmocka_unit_test(test_layout_mismatch),
    cmocka_unit_test(test_bounds),
    cmocka_unit_test(test_truncated_and_gap),
};

const size_t x73_data_ntests =
    sizeof(x73_data_tests) / sizeof(x73_data_tests[0]);
