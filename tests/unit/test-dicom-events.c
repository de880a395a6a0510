/* test-dicom-events.c - the DICOM parser (parsers/dicom): every event of
 * its table triggered by a vector, and, through the real app layer
 * (md_applayer_*), stream gaps and resynchronisation, the engine's buffer
 * bound with a 1 MiB streamed C-STORE, the bound on outstanding requests,
 * and allocation failures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "applayer.h"
#include "registry.h"
#include "test-dicom.h"

/* ---- events -----------------------------------------------------------------
 */

static void test_ev_pdu_framing(void **st)
{
	(void)st;
	struct vec v = {0};
	struct bb *b = bb_new(); /* an RQ announcing more than max_buffer */
	pdu(b, 1);
	patch_be(b, 2, 4, 2u << 20);
	put(b, "abcdef", 6);
	add(&v, TS, b);
	char *t = run(&v);
	expect(t, "event - pdu_too_long\n");
	expect_not(t, "tx ");
	free(t);

	assoc(&v, ECHO_PC, 1);
	b = bb_new(); /* P-DATA over max_pdu (16 MiB): streamed anyway */
	pdu(b, 4);
	patch_be(b, 2, 4, (16u << 20) + 1);
	be32(b, 16u << 20);
	put(b, "\x01\x00xyz", 5);
	add(&v, TS, b);
	t = run(&v);
	expect(t, "event - pdu_too_long\n");
	free(t);

	assoc(&v, ECHO_PC, 1);
	b = bb_new(); /* A-RELEASE-RQ with a 6-byte body */
	size_t at = pdu(b, 5);
	fill(b, 0, 6);
	pdu_end(b, at);
	add(&v, TS, b);
	b = bb_new(); /* P-DATA: a PDV, then 3 bytes too few for another */
	at = pdu(b, 4);
	be32(b, 2);
	u8(b, 1);
	u8(b, 0);
	put(b, "xyz", 3);
	pdu_end(b, at);
	add(&v, TC, b);
	add(&v, TC, pdv(1, 3, NULL)); /* an empty command: no CommandField */
	b = bb_new();		      /* an empty P-DATA */
	at = pdu(b, 4);
	pdu_end(b, at);
	add(&v, TC, b);
	t = run(&v);
	assert_int_equal(md_count_str(t, "event - pdu_length_mismatch\n"), 3);
	expect(t, "event - missing_command_element\n");
	free(t);

	b = bb_new(); /* unknown PDU types: four of them and parsing stops */
	for (int i = 0; i < 5; i++) {
		at = pdu(b, 0x09 + i);
		put(b, "zz", 2);
		pdu_end(b, at);
	}
	add(&v, TS, rq_pdu("SCP", "SCU", ECHO_PC, 1, NULL));
	add(&v, TS, b);
	t = run(&v);
	assert_int_equal(md_count_str(t, "event - unknown_pdu_type\n"), 4);
	expect(t, "bad dir 0\n");
	free(t);
}

static void ui_bad(struct bb *b)
{
	ui_std(b);
	item_str(b, 0x5A, "?");	 /* unknown sub-item */
	item_str(b, 0x59, "xx"); /* AC-only sub-item */
	size_t at = item(b, 0x53);
	be16(b, 1); /* too short: 2 bytes of 4 */
	item_end(b, at);
}

static void test_ev_items(void **st)
{
	(void)st;
	struct vec v = {0};
	static const struct pc pcs[] = {{2, CT_STORAGE, {EXPLICIT}},
					{2, "1.2.abc", {EXPLICIT}}};
	struct bb *b = rq_pdu("SCP", "SCU", pcs, 2, ui_bad);
	size_t at = b->n;
	item_str(b, 0x33, "?"); /* unknown item */
	(void)at;
	b->p[7] = 2; /* protocol version without bit 0 */
	pdu_end(b, 2);
	add(&v, TS, b);
	char *t = run(&v);
	expect(t, "event 0 unsupported_protocol_version\n");
	expect(t, "event 0 invalid_presentation_context\n");
	expect(t, "event 0 invalid_uid\n");
	expect(t, "event 0 unknown_item_type\n");
	expect(t, "event 0 item_length_overflow\n");
	/* once per transaction */
	assert_int_equal(md_count_str(t, "event 0 unknown_item_type"), 1);
	free(t);

	b = rq_pdu("SCP", "SCU", ECHO_PC, 1, NULL);
	b->p[b->n - 17] = 0x01; /* a sub-item length past the item */
	add(&v, TS, b);
	t = run(&v);
	expect(t, "event 0 item_length_overflow\n");
	free(t);
}

static void test_ev_too_many_contexts(void **st)
{
	(void)st;
	struct vec v = {0};
	static struct pc pcs[130];
	for (unsigned i = 0; i < 130; i++)
		pcs[i] =
		    (struct pc){(2 * i + 1) & 0xff, CT_STORAGE, {EXPLICIT}};
	add(&v, TS, rq_pdu("SCP", "SCU", pcs, 130, NULL));
	add(&v, TC, ac_pdu(pcs, 128, NULL, NULL));
	char *t = run_once(&v);
	expect(t, "event 0 too_many_presentation_contexts\n");
	expect(t, "uint 0 field=presentation_contexts 130\n");
	/* EVE gets max_log_values (100) of them, rules all 128 */
	assert_int_equal(
	    md_count_str(t, "group 0 field=rq.presentation_contexts"), 100);
	assert_int_equal(md_count_str(t, "str 0 field=abstract_syntax"), 128);
	assert_int_equal(
	    md_count_str(t, "group 0 field=ac.presentation_contexts"), 100);
	expect(t, "uint 0 field=ac.accepted_contexts 128\n");
	free(t);
}

static void test_ev_strings(void **st)
{
	(void)st;
	struct vec v = {0};
	add(&v, TS, rq_pdu("", "A;B\\C", ECHO_PC, 1, NULL));
	char *t = run(&v);
	expect(t, "str 0 field=called_ae ''\n");
	expect(t, "str 0 field=calling_ae 'A;B\\x5cC'\n");
	expect(t, "event 0 invalid_ae_title\n");
	expect(t, "event 0 shell_metacharacters\n");
	free(t);

	static const struct pc pcs[] = {{1, CT_STORAGE, {EXPLICIT}}};
	assoc(&v, pcs, 1);
	struct bb *c = cmd_rq(0x0001, 1, CT_STORAGE, true);
	c_us(c, 0x0700, 0);
	c_str(c, 0x1000, "1.2/../3", 0);
	struct bb *ds = bb_new();
	el(ds, false, 0x00100010, "PN", "X|Y", 3); /* odd, metacharacter */
	es(ds, 0x00080018, "UI",
	   "1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17.18.19.20.21.22.23.24.25");
	msg(&v, TS, 1, c, ds);
	t = run(&v);
	expect(t, "event 1 invalid_uid\n");
	expect(t, "event 1 path_in_uid\n");
	expect(t, "event 1 odd_value_length\n");
	expect(t, "event 1 shell_metacharacters\n");
	free(t);
}

static void test_ev_state(void **st)
{
	(void)st;
	struct vec v = {0};
	add(&v, TS, rq_pdu("SCP", "SCU", ECHO_PC, 1, NULL));
	msg(&v, TS, 1, cmd_rq(0x0030, 1, VERIFICATION, false), NULL);
	add(&v, TC, small_pdu(6, 0, 0, 0));		     /* RP, no RQ */
	add(&v, TC, rq_pdu("SCP", "SCU", ECHO_PC, 1, NULL)); /* from server */
	char *t = run(&v);
	expect(t, "event - pdata_before_association\n");
	assert_int_equal(md_count_str(t, "event - pdu_not_allowed_in_state"),
			 2);
	free(t);

	assoc(&v, ECHO_PC, 1);
	add(&v, TC, ac_pdu(ECHO_PC, 1, NULL, NULL)); /* AC again */
	add(&v, TS, small_pdu(5, 0, 0, 0));
	msg(&v, TS, 1, cmd_rq(0x0030, 1, VERIFICATION, false), NULL);
	add(&v, TC, small_pdu(6, 0, 0, 0));
	msg(&v, TC, 1, cmd_rq(0x0030, 2, VERIFICATION, false), NULL);
	t = run(&v);
	/* AC when open; data after own release RQ; data after release */
	assert_int_equal(md_count_str(t, "event - pdu_not_allowed_in_state"),
			 3);
	free(t);
}

static void ui_small(struct bb *b)
{
	size_t at = item(b, 0x51);
	be32(b, 64);
	item_end(b, at);
}

static void test_ev_max_pdu(void **st)
{
	(void)st;
	struct vec v = {0};
	add(&v, TS, rq_pdu("SCP", "SCU", ECHO_PC, 1, ui_small));
	add(&v, TC, ac_pdu(ECHO_PC, 1, NULL, NULL));
	msg(&v, TS, 1, cmd_rq(0x0030, 1, VERIFICATION, false), NULL);
	struct bb *c = cmd_rsp(0x8030, 1, 0, false);
	c_str(c, 0x0902, "a comment long enough to pass the limit", ' ');
	msg(&v, TC, 1, c, NULL);
	char *t = run(&v);
	assert_int_equal(md_count_str(t, "event - max_pdu_exceeded"), 1);
	expect(t, "str 1 field=rsp.error_comment "
		  "'a comment long enough to pass the limit'\n");
	free(t);
}

static void test_ev_command(void **st)
{
	(void)st;
	struct vec v = {0};
	static const struct pc pcs[] = {{1, CT_STORAGE, {EXPLICIT}}};
	assoc(&v, pcs, 1);
	struct bb *c = cmd_rq(0x0001, 1, CT_STORAGE, false); /* no instance */
	le16(c, 0x0008); /* an element of group 0008 */
	le16(c, 0x0060);
	le32(c, 2);
	str(c, "CT");
	c_str(c, 0x0902, "odd", 'x');
	c->p[c->n - 8] = 3; /* odd length */
	c->n--;
	msg(&v, TS, 1, c, NULL);
	c = bb_new();
	c_us(c, 0x0100, 0x0042); /* unknown command */
	c_us(c, 0x0800, 0x0101);
	msg(&v, TS, 1, c, NULL);
	msg(&v, TC, 1, cmd_rsp(0x8030, 99, 0, false), NULL); /* unmatched */
	c = bb_new();
	c_us(c, 0x0110, 1); /* no CommandField */
	msg(&v, TS, 1, c, NULL);
	c = bb_new();
	c_us(c, 0x0100, 0x0030);
	le32(c, 0x00000000); /* truncated element header */
	msg(&v, TS, 1, c, NULL);
	char *t = run(&v);
	expect(t, "event 1 missing_command_element\n");
	expect(t, "event 1 invalid_command_set\n");
	expect(t, "event 1 odd_value_length\n");
	expect(t, "event - unknown_command\n");
	expect(t, "event 2 unmatched_response\n");
	expect(t, "event - missing_command_element\n");
	expect(t, "event 3 invalid_command_set\n");
	expect(t, "event 3 missing_command_element\n");
	free(t);
}

static void test_ev_pdv(void **st)
{
	(void)st;
	struct vec v = {0};
	assoc(&v, ECHO_PC, 1);
	struct bb *b = bb_new(); /* PDV length 1 */
	size_t at = pdu(b, 4);
	be32(b, 1);
	u8(b, 1);
	u8(b, 3);
	pdu_end(b, at);
	add(&v, TS, b);
	struct bb *d = bb_new();
	put(d, "abcd", 4);
	add(&v, TS, pdv(1, 2, d));    /* data set without a command */
	add(&v, TS, pdv(1, 0x13, d)); /* reserved control bits */
	b = bb_new();		      /* PDV longer than its PDU */
	at = pdu(b, 4);
	be32(b, 100);
	u8(b, 1);
	u8(b, 3);
	pdu_end(b, at);
	add(&v, TS, b);
	add(&v, TS, pdv(2, 3, d)); /* even context id */
	bb_free(d);
	char *t = run(&v);
	assert_int_equal(md_count_str(t, "event - invalid_pdv"), 3);
	expect(t, "event - item_length_overflow\n");
	expect(t, "event - invalid_presentation_context\n");
	free(t);

	static const struct pc pcs[] = {{1, CT_STORAGE, {EXPLICIT}}};
	assoc(&v, pcs, 1); /* a command while a data set is in progress */
	struct bb *c = cmd_done(store_cmd(1));
	add(&v, TS, pdv(1, 3, c));
	bb_free(c);
	d = bb_new();
	es(d, 0x00080060, "CS", "CT");
	put(d, "\x10\x00", 2);
	add(&v, TS, pdv(1, 0, d));
	bb_free(d);
	msg(&v, TS, 1, cmd_rq(0x0001, 2, CT_STORAGE, false), NULL);
	t = run(&v);
	expect(t, "event 1 malformed_data_set\nprogress 1 dir 0 1\n");
	expect(t, "event - invalid_pdv\n");
	expect(t, "tx 2 dir 0\n");
	expect(t, "uint 2 field=rq.message_id 2\n");
	free(t);
}

static void test_ev_command_too_large(void **st)
{
	(void)st;
	struct vec v = {0};
	assoc(&v, ECHO_PC, 1);
	struct bb *c = cmd_rq(0x0030, 1, VERIFICATION, false);
	struct bb *big = bb_new();
	fill(big, 'x', 40000);
	add(&v, TS, pdv(1, 1, big));
	add(&v, TS, pdv(1, 1, big));
	bb_free(big);
	msg(&v, TS, 1, c, NULL);
	char *t = run_once(&v);
	expect(t, "event - command_set_too_large\n");
	expect_not(t, "tx 1");
	free(t);
}

static void test_ev_data_set(void **st)
{
	(void)st;
	static const struct pc pcs[] = {{1, CT_STORAGE, {EXPLICIT}},
					{3, CT_STORAGE, {DEFLATED}}};
	struct vec v = {0};
	assoc(&v, pcs, 2);
	struct bb *ds = bb_new(); /* ends inside an element */
	es(ds, 0x00080060, "CS", "CT");
	put(ds, "\x10\x00\x10\x00PN\x10", 7);
	msg(&v, TS, 1, store_cmd(1), ds);
	ds = bb_new(); /* not a VR */
	put(ds, "\x08\x00\x60\x00\x01\x02\x02\x00CT", 10);
	msg(&v, TS, 1, store_cmd(2), ds);
	ds = bb_new(); /* a stray item delimiter, an unclosed sequence */
	delim(ds, false, 0xE00D, 0);
	el(ds, false, 0x00081110, "SQ", NULL, 0xffffffffu);
	msg(&v, TS, 1, store_cmd(3), ds);
	ds = bb_new(); /* undefined length on a short VR */
	el(ds, false, 0x00080060, "CS", NULL, 0xffffffffu);
	msg(&v, TS, 1, store_cmd(4), ds);
	ds = bb_new(); /* not deflate */
	put(ds, "\xff\xff\xff\xff\xff\xff", 6);
	msg(&v, TS, 3, store_cmd(5), ds);
	char *t = run(&v);
	expect(t, "str 1 field=rq.modality 'CT'\n");
	expect(t, "event 1 malformed_data_set\n");
	expect(t, "event 2 malformed_data_set\n");
	expect(t, "event 3 malformed_data_set\n");
	expect(t, "event 4 malformed_data_set\n");
	expect(t, "event 5 deflate_error\n");
	free(t);
}

/* Nesting deeper than DICOM_MAX_DEPTH. */
static void test_ev_deep_nesting(void **st)
{
	(void)st;
	static const struct pc pcs[] = {{1, CT_STORAGE, {EXPLICIT}}};
	struct vec v = {0};
	assoc(&v, pcs, 1);
	struct bb *ds = bb_new();
	for (int i = 0; i < DICOM_MAX_DEPTH; i++) {
		el(ds, false, 0x00081110, "SQ", NULL, 0xffffffffu);
		delim(ds, false, 0xE000, 0xffffffffu);
	}
	msg(&v, TS, 1, store_cmd(1), ds);
	char *t = run(&v);
	expect(t, "event 1 malformed_data_set\n");
	free(t);
}

/* ---- through the app layer: gaps, the buffer bound, long P-DATA ---------- */

struct seen {
	unsigned events[DICOM_EV_MAX];
	unsigned engine_events[MD_APP_EV_MAX];
	unsigned txs, complete;
	char last_cmd[32];
	uint64_t last_status;
	char modality[16];
};

static struct seen seen;

static void on_event(void *u, struct md_flow *f, const struct md_parser *pp,
		     uint64_t tx, unsigned ev)
{
	(void)u, (void)f, (void)tx;
	if (pp)
		seen.events[ev]++;
	else
		seen.engine_events[ev]++;
}

static void on_tx(void *u, struct md_flow *f, const struct md_parser *pp,
		  struct md_tx *tx)
{
	(void)u, (void)f, (void)pp;
	seen.txs++;
	seen.complete += tx->complete;
	for (struct md_tx_val *v = tx->vals; v; v = v->next) {
		const uint8_t *b = md_tx_val_bytes(v);
		if (v->field == DF_RQ_COMMAND)
			snprintf(seen.last_cmd, sizeof(seen.last_cmd), "%.*s",
				 (int)v->len, (const char *)b);
		if (v->field == DF_STATUS)
			seen.last_status = v->u;
		if (v->field == DF_RQ_KEY0 + DICOM_KEY_Modality)
			snprintf(seen.modality, sizeof(seen.modality), "%.*s",
				 (int)v->len, (const char *)b);
	}
}

struct env {
	struct md_counters ctr;
	struct md_applayer_ctx app;
	struct md_flow flow;
};

static int env_setup(void **st)
{
	char m[128];
	md_registry_reset();
	assert_true(md_registry_add(&md_parser_dicom, m, sizeof(m)) >= 0);
	struct env *e = calloc(1, sizeof(*e));
	struct md_applayer_cfg cfg;
	struct md_applayer_ops ops = {.event = on_event, .tx_done = on_tx};
	md_applayer_cfg_defaults(&cfg);
	cfg.lim.max_buffer = 8192;
	md_applayer_init(&e->app, &cfg, &e->ctr, &ops, NULL);
	e->flow.key.proto = 6;
	e->flow.key.ap = 40000;
	e->flow.key.bp = 4242;
	memset(&seen, 0, sizeof(seen));
	*st = e;
	return 0;
}

static int env_teardown(void **st)
{
	struct env *e = *st;
	md_applayer_flow_end(&e->app, &e->flow);
	assert_int_equal(e->app.buf_mc.used, 0);
	assert_int_equal(e->app.tx_mc.used, 0);
	free(e);
	md_registry_reset();
	return 0;
}

static void feed_bb(struct env *e, int dir, struct bb *b, size_t piece)
{
	for (size_t off = 0; off < b->n; off += piece) {
		size_t n = b->n - off < piece ? b->n - off : piece;
		md_applayer_data(&e->app, &e->flow, dir, b->p + off,
				 (uint32_t)n);
	}
	bb_free(b);
}

static void feed_vec(struct env *e, struct vec *v, size_t piece)
{
	for (size_t i = 0; i < v->n; i++) {
		feed_bb(e, v->c[i].dir, v->b[i], piece);
		v->b[i] = NULL;
	}
	v->n = 0;
}

/* A 1 MiB C-STORE in 16 KiB P-DATA PDUs, fed in 1000-byte pieces through
 * an app layer that keeps at most 8 KiB per direction. */
static void test_long_pdata_streamed(void **st)
{
	struct env *e = *st;
	struct vec v = {0};
	static const struct pc pcs[] = {{1, CT_STORAGE, {EXPLICIT}}};
	assoc(&v, pcs, 1);
	struct bb *c = cmd_done(store_cmd(1));
	add(&v, TS, pdv(1, 3, c));
	bb_free(c);
	struct bb *ds = bb_new();
	es(ds, 0x00080060, "CS", "MR");
	el(ds, false, 0x7FE00010, "OW", NULL, 1u << 20);
	fill(ds, 0x5a, 1u << 20);
	size_t off = 0, frag = 16384 - 6;
	struct bb *all = bb_new();
	while (off < ds->n) {
		size_t n = ds->n - off < frag ? ds->n - off : frag;
		struct bb *f = bb_new();
		put(f, ds->p + off, n);
		struct bb *p = pdv(1, off + n == ds->n ? 2 : 0, f);
		put(all, p->p, p->n);
		bb_free(p);
		bb_free(f);
		off += n;
	}
	bb_free(ds);
	feed_vec(e, &v, 1000);
	feed_bb(e, TS, all, 1000);
	assert_true(e->app.buf_mc.used < 3 * 8192);
	msg(&v, TC, 1, cmd_rsp(0x8001, 1, 0, false), NULL);
	feed_vec(e, &v, 7);
	assert_int_equal(seen.engine_events[MD_APP_EV_BUFFER_LIMIT], 0);
	assert_int_equal(seen.txs, 2);
	assert_int_equal(seen.complete, 2);
	assert_string_equal(seen.last_cmd, "C-STORE-RQ");
	assert_string_equal(seen.modality, "MR");
	assert_int_equal(e->ctr.v[MD_CTR_APP_ERRORS], 0);
	for (unsigned i = 0; i < DICOM_EV_MAX; i++)
		assert_int_equal(seen.events[i], 0);
}

/* Bytes lost inside a PDV: the message is dropped, framing kept. Bytes
 * lost across headers: framing is found again at the next P-DATA. */
/* One P-DATA-TF holding two C-ECHO-RQ command sets, one PDV each. */
static struct bb *two_echoes(unsigned id1, unsigned id2)
{
	struct bb *b = bb_new();
	size_t at = pdu(b, 4);
	unsigned ids[2] = {id1, id2};
	for (int i = 0; i < 2; i++) {
		struct bb *c =
		    cmd_done(cmd_rq(0x0030, ids[i], VERIFICATION, 0));
		be32(b, (uint32_t)c->n + 2);
		u8(b, 1);
		u8(b, 3);
		put(b, c->p, c->n);
		bb_free(c);
	}
	pdu_end(b, at);
	return b;
}

static void test_gaps(void **st)
{
	struct env *e = *st;
	struct vec v = {0};
	static const struct pc pcs[] = {{1, CT_STORAGE, {EXPLICIT}}};
	assoc(&v, pcs, 1);
	msg(&v, TS, 1, store_cmd(1), image_ds(false, false));
	struct bb *c = cmd_done(store_cmd(2));
	add(&v, TS, pdv(1, 3, c));
	bb_free(c);
	feed_vec(e, &v, 64);
	struct bb *ds = image_ds(false, false);
	struct bb *p = pdv(1, 2, ds);
	size_t cut = 40;
	md_applayer_data(&e->app, &e->flow, TS, p->p, (uint32_t)cut);
	md_applayer_gap(&e->app, &e->flow, TS, 100);
	md_applayer_data(&e->app, &e->flow, TS, p->p + cut + 100,
			 (uint32_t)(p->n - cut - 100));
	bb_free(p);
	bb_free(ds);
	msg(&v, TC, 1, cmd_rsp(0x8001, 1, 0, false), NULL);
	msg(&v, TC, 1, cmd_rsp(0x8001, 2, 0, false), NULL);
	feed_vec(e, &v, 64);
	assert_int_equal(seen.events[DICOM_EV_STREAM_GAP], 1);
	assert_int_equal(seen.complete, 3); /* association, two stores */
	/* a gap over a PDU header: framing found again at the next P-DATA */
	msg(&v, TS, 1, cmd_rq(0x0030, 3, VERIFICATION, false), NULL);
	struct bb *lost = v.b[0];
	md_applayer_data(&e->app, &e->flow, TS, lost->p, 3);
	md_applayer_gap(&e->app, &e->flow, TS, lost->n - 3);
	bb_free(lost);
	v.n = 0;
	msg(&v, TS, 1, cmd_rq(0x0030, 4, VERIFICATION, false), NULL);
	msg(&v, TC, 1, cmd_rsp(0x8030, 4, 0x0211, false), NULL);
	feed_vec(e, &v, 5);
	assert_int_equal(seen.events[DICOM_EV_STREAM_GAP], 2);
	assert_int_equal(seen.complete, 4);
	assert_int_equal(seen.last_status, 0x0211);
	assert_int_equal(seen.events[DICOM_EV_UNMATCHED_RESPONSE], 0);
	/* lost inside a P-DATA PDU and inside a waiting release PDU: the rest
	 * of each PDU is skipped and the next one, two PDVs resynchronisation
	 * would not find, is parsed */
	struct bb *x = two_echoes(5, 6);
	md_applayer_data(&e->app, &e->flow, TS, x->p, 20);
	md_applayer_gap(&e->app, &e->flow, TS, 80); /* into the 2nd PDV */
	md_applayer_data(&e->app, &e->flow, TS, x->p + 100,
			 (uint32_t)(x->n - 100));
	bb_free(x);
	x = small_pdu(5, 0, 0, 0);
	md_applayer_data(&e->app, &e->flow, TS, x->p, 8);
	md_applayer_gap(&e->app, &e->flow, TS, 1);
	md_applayer_data(&e->app, &e->flow, TS, x->p + 9, 1);
	bb_free(x);
	feed_bb(e, TS, two_echoes(7, 8), 3);
	msg(&v, TC, 1, cmd_rsp(0x8030, 7, 0, false), NULL);
	msg(&v, TC, 1, cmd_rsp(0x8030, 8, 0x0001, false), NULL);
	msg(&v, TC, 1, cmd_rsp(0x8030, 6, 0, false), NULL); /* 6 was lost */
	feed_vec(e, &v, 64);
	assert_int_equal(seen.events[DICOM_EV_STREAM_GAP], 4);
	assert_int_equal(seen.complete, 7);
	assert_int_equal(seen.events[DICOM_EV_UNMATCHED_RESPONSE], 1);
}

/* At most max_tx - 1 requests wait for responses: the oldest is completed
 * (without its response) to make room, within the engine's bound. */
static void test_outstanding_bound(void **st)
{
	struct env *e = *st;
	struct vec v = {0};
	e->app.cfg.lim.max_tx = 3;
	assoc(&v, ECHO_PC, 1);
	for (unsigned id = 1; id <= 3; id++)
		msg(&v, TS, 1, cmd_rq(0x0030, id, VERIFICATION, false), NULL);
	feed_vec(e, &v, 16);
	assert_int_equal(seen.complete, 2); /* association, C-ECHO 1 */
	for (unsigned id = 1; id <= 3; id++)
		msg(&v, TC, 1, cmd_rsp(0x8030, id, 0, false), NULL);
	feed_vec(e, &v, 16);
	assert_int_equal(seen.complete, 5);
	assert_int_equal(seen.events[DICOM_EV_UNMATCHED_RESPONSE], 1);
	assert_int_equal(seen.engine_events[MD_APP_EV_TOO_MANY_TX], 0);
}

/* Framing lost, then found again at an A-RELEASE-RQ. */
static void test_resync_release(void **st)
{
	struct env *e = *st;
	struct vec v = {0};
	assoc(&v, ECHO_PC, 1);
	feed_vec(e, &v, 16);
	md_applayer_data(&e->app, &e->flow, TS, (const uint8_t *)"\x04\x00", 2);
	md_applayer_gap(&e->app, &e->flow, TS, 40);
	md_applayer_data(&e->app, &e->flow, TS, (const uint8_t *)"garbage!", 8);
	add(&v, TS, small_pdu(5, 0, 0, 0));
	add(&v, TC, small_pdu(6, 0, 0, 0));
	feed_vec(e, &v, 3);
	assert_int_equal(seen.events[DICOM_EV_STREAM_GAP], 1);
	assert_int_equal(seen.complete, 2); /* association, release */
	assert_int_equal(seen.events[DICOM_EV_PDU_NOT_ALLOWED_IN_STATE], 0);
}

/* Allocation failures in the parser (value buffer, command buffer, zlib,
 * outstanding requests) lose data, never memory or the process. */
static void test_alloc_failures(void **st)
{
	(void)st;
	static const struct pc pcs[] = {{1, CT_STORAGE, {DEFLATED}},
					{3, CT_STORAGE, {EXPLICIT}}};
	for (uint64_t n = 1; n <= 8; n++) {
		struct vec v = {0};
		assoc(&v, pcs, 2);
		struct bb *plain = image_ds(false, false);
		msg(&v, TS, 1, store_cmd(1), deflate_raw(plain));
		msg(&v, TS, 3, store_cmd(2), plain);
		msg(&v, TC, 1, cmd_rsp(0x8001, 1, 0, false), NULL);
		md_mem_fail_after(n);
		char *t = run_once(&v);
		md_mem_fail_after(0);
		expect(t, "tx 0 dir 0\n");
		free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ev_pdu_framing),
	    cmocka_unit_test(test_ev_items),
	    cmocka_unit_test(test_ev_too_many_contexts),
	    cmocka_unit_test(test_ev_strings),
	    cmocka_unit_test(test_ev_state),
	    cmocka_unit_test(test_ev_max_pdu),
	    cmocka_unit_test(test_ev_command),
	    cmocka_unit_test(test_ev_pdv),
	    cmocka_unit_test(test_ev_command_too_large),
	    cmocka_unit_test(test_ev_data_set),
	    cmocka_unit_test(test_ev_deep_nesting),
	    cmocka_unit_test_setup_teardown(test_long_pdata_streamed, env_setup,
					    env_teardown),
	    cmocka_unit_test_setup_teardown(test_gaps, env_setup, env_teardown),
	    cmocka_unit_test_setup_teardown(test_outstanding_bound, env_setup,
					    env_teardown),
	    cmocka_unit_test_setup_teardown(test_resync_release, env_setup,
					    env_teardown),
	    cmocka_unit_test(test_alloc_failures),
	};
	return cmocka_run_group_tests_name("dicom-events", tests, NULL, NULL);
}
