/* test-applayer.c - the protocol-plugin contract: registry, probing on any
 * port, feeding, transactions, events, gaps and limits, exercised by a
 * toy parser defined here, and the parser-vector harness itself.
 *
 * Toy protocol "tlv": the client starts with "TLV1"; then records
 *   +------+--------+-----------+
 *   | type | len(2) | value     |   type 1 (client): name, opens a tx
 *   +------+--------+-----------+   type 2 (server): code, completes it
 *                                   type 3 (client): tag (multi)
 *                                   type 4 (client): item (group element)
 *                                   type 5 (client): opens a transaction
 *                                   of companion protocol "inner"
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
#include "harness.h"
#include "md-rd.h"
#include "registry.h"

enum { F_NAME, F_CODE, F_TAGS, F_ITEMS, F_ITEM_VAL, F_SECRET };
enum { EV_BAD_TYPE, EV_GAP };

static const struct md_field_def tlv_fields[] = {
    [F_NAME] = {"name", "request.name", MD_FT_STR, MD_DIR_TOSERVER, 0, -1, 0,
		"name"},
    [F_CODE] = {"code", "response.code", MD_FT_UINT, MD_DIR_TOCLIENT, 0, -1, 0,
		"code"},
    [F_TAGS] = {"tag", "tags", MD_FT_STR, MD_DIR_TOSERVER, MD_FF_MULTI, -1, 0,
		"tags"},
    [F_ITEMS] = {"items", "items", MD_FT_GROUP, MD_DIR_TOSERVER,
		 MD_FF_NOKEYWORD, -1, 0, "items"},
    [F_ITEM_VAL] = {"item", "value", MD_FT_STR, MD_DIR_TOSERVER, 0, F_ITEMS, 0,
		    "item"},
    [F_SECRET] = {"patient", "patient", MD_FT_STR, MD_DIR_TOSERVER, MD_FF_PHI,
		  -1, 0, "phi"},
};

static const struct md_event_def tlv_events[] = {
    [EV_BAD_TYPE] = {"bad_type", "unknown record type"},
    [EV_GAP] = {"gap", "bytes lost"},
};

struct tlv_state {
	bool magic_seen;
	uint64_t cur_tx;
	bool have_tx;
};

static enum md_probe_rc tlv_probe(const uint8_t *b, size_t len, enum md_dir dir)
{
	struct md_rd r = md_rd_make(b, len);
	if (dir != MD_DIR_TOSERVER)
		return MD_PROBE_NO;
	for (size_t i = 0; i < 4; i++) {
		int c = md_rd_peek(&r, i);
		if (c < 0)
			return MD_PROBE_NEED_MORE;
		if (c != "TLV1"[i])
			return MD_PROBE_NO;
	}
	return MD_PROBE_YES;
}

static void record(struct tlv_state *s, enum md_dir dir, uint8_t type,
		   struct md_span v, const struct md_sink *k)
{
	if (type == 1 && dir == MD_DIR_TOSERVER) {
		s->cur_tx = k->tx_new(k->ctx, dir);
		s->have_tx = true;
		k->tx_str(k->ctx, s->cur_tx, F_NAME, v.p, v.len);
		k->tx_str(k->ctx, s->cur_tx, F_SECRET, v.p, v.len);
		k->tx_progress(k->ctx, s->cur_tx, MD_DIR_TOSERVER, 1);
	} else if (type == 2 && s->have_tx) {
		struct md_rd r = md_rd_make(v.p, v.len);
		k->tx_uint(k->ctx, s->cur_tx, F_CODE, md_rd_be16(&r));
		k->tx_progress(k->ctx, s->cur_tx, MD_DIR_TOCLIENT, 1);
		s->have_tx = false;
	} else if (type == 3 && s->have_tx) {
		k->tx_str(k->ctx, s->cur_tx, F_TAGS, v.p, v.len);
	} else if (type == 5) {
		uint64_t t = k->tx_new_as(k->ctx, dir, "inner");
		k->tx_str(k->ctx, t, 0, v.p, v.len);
		k->event(k->ctx, t, 0);
		k->tx_progress(k->ctx, t, MD_DIR_TOSERVER, 2);
		k->tx_progress(k->ctx, t, MD_DIR_TOCLIENT, 2);
	} else if (type == 4 && s->have_tx) {
		k->tx_group(k->ctx, s->cur_tx, F_ITEMS);
		k->tx_str(k->ctx, s->cur_tx, F_ITEM_VAL, v.p, v.len);
	} else {
		k->event(k->ctx, s->have_tx ? s->cur_tx : MD_TX_NONE,
			 EV_BAD_TYPE);
	}
}

static enum md_parse_rc tlv_parse(void *st, enum md_dir dir, const uint8_t *b,
				  size_t len, size_t *used,
				  const struct md_sink *k)
{
	struct tlv_state *s = st;
	struct md_rd r = md_rd_make(b, len);
	if (dir == MD_DIR_TOSERVER && !s->magic_seen) {
		if (len < 4)
			return *used = 0, MD_PARSE_MORE;
		md_rd_skip(&r, 4);
		s->magic_seen = true;
	}
	for (;;) {
		size_t start = r.off;
		if (md_rd_left(&r) < 3) {
			*used = start;
			return MD_PARSE_MORE;
		}
		uint8_t type = md_rd_u8(&r);
		uint16_t n = md_rd_be16(&r);
		if (type == 0xff) { /* protocol violation */
			*used = start;
			return MD_PARSE_BAD;
		}
		if (md_rd_left(&r) < n) {
			*used = start;
			return MD_PARSE_MORE;
		}
		record(s, dir, type, md_rd_span(&r, n), k);
	}
}

static void tlv_gap(void *st, enum md_dir dir, uint64_t len,
		    const struct md_sink *k)
{
	(void)st, (void)dir, (void)len;
	k->event(k->ctx, MD_TX_NONE, EV_GAP);
}

static const uint16_t tlv_ports[] = {9999, 0};

static const struct md_parser tlv_parser = {
    .abi = MD_PARSER_ABI,
    .name = "tlv",
    .desc = "test protocol",
    .ipproto = 6,
    .ports = tlv_ports,
    .state_size = sizeof(struct tlv_state),
    .tx_done_progress = 1,
    .probe = tlv_probe,
    .parse = tlv_parse,
    .gap = tlv_gap,
    .events = tlv_events,
    .n_events = 2,
    .fields = tlv_fields,
    .n_fields = sizeof(tlv_fields) / sizeof(tlv_fields[0]),
};

/* "inner": a protocol carried inside tlv (as SOAP inside HTTP). It has no
 * probe of its own for TCP: it is UDP, so it never claims a TCP flow. */
static const struct md_field_def inner_fields[] = {
    {"word", "word", MD_FT_STR, MD_DIR_TOSERVER, 0, -1, 0, "word"},
};
static const struct md_event_def inner_events[] = {
    {"seen", "an inner message"},
};

static enum md_probe_rc inner_probe(const uint8_t *b, size_t len,
				    enum md_dir dir)
{
	(void)b, (void)len, (void)dir;
	return MD_PROBE_NO;
}

static enum md_parse_rc inner_parse(void *st, enum md_dir dir, const uint8_t *b,
				    size_t len, size_t *used,
				    const struct md_sink *k)
{
	(void)st, (void)dir, (void)b, (void)k;
	*used = len;
	return MD_PARSE_OK;
}

static const struct md_parser inner_parser = {
    .abi = MD_PARSER_ABI,
    .name = "inner",
    .desc = "protocol carried inside tlv",
    .ipproto = 17,
    .tx_done_progress = 2,
    .probe = inner_probe,
    .parse = inner_parse,
    .events = inner_events,
    .n_events = 1,
    .fields = inner_fields,
    .n_fields = 1,
};

/* ---- engine side: records what the app layer reports --------------------- */

struct seen {
	unsigned inner_events, inner_txs;
	char inner_word[16];
	unsigned events[8];
	unsigned engine_events[MD_APP_EV_MAX];
	unsigned txs, complete;
	char last_name[64];
	uint64_t last_code;
	unsigned last_tags, last_items;
};

static struct seen seen;

static void on_event(void *u, struct md_flow *f, const struct md_parser *pp,
		     uint64_t tx, unsigned ev)
{
	(void)u, (void)f, (void)tx;
	if (pp == &inner_parser)
		seen.inner_events += ev == 0;
	else if (pp)
		seen.events[ev]++;
	else
		seen.engine_events[ev]++;
}

static void on_tx(void *u, struct md_flow *f, const struct md_parser *pp,
		  struct md_tx *tx)
{
	(void)u, (void)f;
	if (pp == &inner_parser) {
		seen.inner_txs++;
		for (struct md_tx_val *v = tx->vals; v; v = v->next)
			snprintf(seen.inner_word, sizeof(seen.inner_word),
				 "%.*s", (int)v->len, (const char *)v->bytes);
		return;
	}
	seen.txs++;
	seen.complete += tx->complete;
	seen.last_tags = seen.last_items = 0;
	for (struct md_tx_val *v = tx->vals; v; v = v->next) {
		if (v->field == F_NAME)
			snprintf(seen.last_name, sizeof(seen.last_name), "%.*s",
				 (int)v->len, (const char *)v->bytes);
		if (v->field == F_CODE)
			seen.last_code = v->u;
		seen.last_tags += v->field == F_TAGS;
		seen.last_items += v->field == F_ITEMS && v->is_group;
	}
}

struct env {
	struct md_counters ctr;
	struct md_applayer_ctx app;
	struct md_flow flow;
};

static int setup(void **st)
{
	char msg[128];
	md_registry_reset();
	assert_int_equal(md_registry_add(&tlv_parser, msg, sizeof(msg)), 0);
	assert_int_equal(md_registry_add(&inner_parser, msg, sizeof(msg)), 1);
	struct env *e = calloc(1, sizeof(*e));
	struct md_applayer_cfg cfg;
	struct md_applayer_ops ops = {on_event, on_tx, NULL};
	md_applayer_cfg_defaults(&cfg);
	cfg.lim.max_buffer = 4096;
	md_applayer_init(&e->app, &cfg, &e->ctr, &ops, NULL);
	e->flow.key.proto = 6;
	e->flow.key.ap = 40000;
	e->flow.key.bp = 4242; /* not a hinted port */
	memset(&seen, 0, sizeof(seen));
	*st = e;
	return 0;
}

static int teardown(void **st)
{
	struct env *e = *st;
	md_applayer_flow_end(&e->app, &e->flow);
	assert_int_equal(e->app.buf_mc.used,
			 0); /* nothing leaked in the caps */
	assert_int_equal(e->app.tx_mc.used, 0);
	free(e);
	md_registry_reset();
	return 0;
}

static void data(struct env *e, int dir, const char *p, size_t n)
{
	md_applayer_data(&e->app, &e->flow, dir, (const uint8_t *)p,
			 (uint32_t)n);
}

#define REQ                                                                    \
	"TLV1\x01\x00\x03"                                                     \
	"abc\x03\x00\x01x\x03\x00\x01y\x04\x00\x01i"
#define RSP "\x02\x00\x02\x00\xc8"

static void test_registry(void **st)
{
	(void)st;
	char msg[160];
	struct md_parser bad = tlv_parser;
	bad.abi = (2u << 16) | 0;
	bad.name = "tlv2";
	assert_int_equal(md_registry_add(&bad, msg, sizeof(msg)),
			 MD_E_UNSUPPORTED);
	assert_non_null(strstr(msg, "ABI 2.0"));
	bad.abi = MD_PARSER_ABI_MAJOR << 16 | (MD_PARSER_ABI_MINOR + 1);
	assert_true(md_registry_add(&bad, msg, sizeof(msg)) >=
		    0); /* newer minor */
	assert_int_equal(md_registry_add(&tlv_parser, msg, sizeof(msg)),
			 MD_E_LIMIT);
	bad.name = "noprobe";
	bad.probe = NULL;
	assert_int_equal(md_registry_add(&bad, msg, sizeof(msg)), MD_E_INVAL);
	assert_int_equal(md_registry_find("tlv"), 0);
	assert_int_equal(md_registry_find("none"), -1);
}

/* Claimed on port 4242 although the hint is 9999; one transaction. */
static void test_probe_any_port_and_tx(void **st)
{
	struct env *e = *st;
	data(e, 0, REQ, sizeof(REQ) - 1);
	assert_string_equal(md_applayer_proto(&e->flow), "tlv");
	data(e, 1, RSP, sizeof(RSP) - 1);
	assert_int_equal(seen.txs, 1);
	assert_int_equal(seen.complete, 1);
	assert_string_equal(seen.last_name, "abc");
	assert_int_equal(seen.last_code, 200);
	assert_int_equal(seen.last_tags, 2);
	assert_int_equal(seen.last_items, 1);
}

/* The magic arrives one byte at a time: NEED_MORE, then YES, then the
 * kept bytes are replayed in order. */
static void test_probe_need_more(void **st)
{
	struct env *e = *st;
	for (size_t i = 0; i < sizeof(REQ) - 1; i++) {
		data(e, 0, REQ + i, 1);
		if (i < 3)
			assert_null(md_applayer_proto(&e->flow));
	}
	data(e, 1, RSP, sizeof(RSP) - 1);
	assert_string_equal(seen.last_name, "abc");
	assert_int_equal(seen.complete, 1);
}

/* The server speaks first (our probe says NO to it); then the client's
 * magic decides. Server bytes are replayed before the client's. */
static void test_probe_server_first(void **st)
{
	struct env *e = *st;
	data(e, 1, "\x07\x00\x00", 3);
	assert_null(md_applayer_proto(&e->flow));
	data(e, 0, REQ, sizeof(REQ) - 1);
	assert_string_equal(md_applayer_proto(&e->flow), "tlv");
	assert_int_equal(seen.events[EV_BAD_TYPE], 1); /* the early 0x07 */
}

static void test_probe_failed(void **st)
{
	struct env *e = *st;
	data(e, 0, "GET / HTTP/1.0\r\n", 16);
	data(e, 1, "HTTP/1.0 200 OK\r\n", 17);
	assert_string_equal(md_applayer_proto(&e->flow), "failed");
	assert_int_equal(e->ctr.v[MD_CTR_APP_FLOW_FAILED_TCP], 1);
	data(e, 0, "more", 4); /* ignored */
	assert_int_equal(seen.txs, 0);
}

/* Undecided at eof: NEED_MORE becomes NO. */
static void test_probe_eof(void **st)
{
	struct env *e = *st;
	data(e, 0, "TL", 2);
	md_applayer_eof(&e->app, &e->flow, 0);
	md_applayer_eof(&e->app, &e->flow, 1);
	assert_string_equal(md_applayer_proto(&e->flow), "failed");
}

static void test_bad_is_sticky(void **st)
{
	struct env *e = *st;
	data(e, 0, "TLV1\xff\x00\x00", 7);
	assert_int_equal(e->ctr.v[MD_CTR_APP_ERRORS], 1);
	assert_int_equal(seen.engine_events[MD_APP_EV_PARSER_ERROR], 1);
	data(e, 0, "\x01\x00\x01z", 4);
	assert_int_equal(seen.txs, 0);
	data(e, 1, RSP, sizeof(RSP) - 1); /* the other direction goes on */
	assert_int_equal(e->ctr.v[MD_CTR_APP_ERRORS], 1);
}

/* A record announcing more than max_buffer: the parser keeps asking for
 * more; the app layer stops at the bound with an event. */
static void test_buffer_limit(void **st)
{
	struct env *e = *st;
	static char big[6000];
	memcpy(big, "TLV1\x01\xff\xff", 7);
	data(e, 0, big, sizeof(big));
	assert_int_equal(seen.engine_events[MD_APP_EV_BUFFER_LIMIT], 1);
}

/* An open transaction is handed over at flow end, incomplete. */
static void test_open_tx_at_end(void **st)
{
	struct env *e = *st;
	data(e, 0, REQ, sizeof(REQ) - 1);
	md_applayer_flow_end(&e->app, &e->flow);
	assert_int_equal(seen.txs, 1);
	assert_int_equal(seen.complete, 0);
	assert_string_equal(md_applayer_proto(&e->flow), "tlv");
}

static void test_gap_reaches_parser(void **st)
{
	struct env *e = *st;
	data(e, 0, REQ, sizeof(REQ) - 1);
	md_applayer_gap(&e->app, &e->flow, 1, 100);
	assert_int_equal(seen.events[EV_GAP], 1);
	assert_int_equal(e->ctr.v[MD_CTR_APP_GAP_BYTES], 100);
}

static void test_too_many_tx(void **st)
{
	struct env *e = *st;
	e->app.cfg.lim.max_tx = 2;
	data(e, 0, "TLV1", 4);
	for (int i = 0; i < 3; i++)
		data(e, 0, "\x01\x00\x01q", 4);
	assert_int_equal(seen.engine_events[MD_APP_EV_TOO_MANY_TX], 1);
}

/* The vector harness: same transcript at every split point. */
static void test_vectors(void **st)
{
	(void)st;
	struct md_vec_chunk in[] = {
	    {MD_DIR_TOSERVER, REQ, sizeof(REQ) - 1},
	    {MD_DIR_TOCLIENT, RSP, sizeof(RSP) - 1},
	    {MD_DIR_TOSERVER, "\x09\x00\x00", 3},
	};
	char *t = md_vec_run(&tlv_parser, in, 3);
	assert_non_null(strstr(t, "tx 0 dir 0\nstr 0 field=name 'abc'\n"));
	assert_non_null(strstr(t, "uint 0 field=code 200\n"));
	assert_non_null(
	    strstr(t, "group 0 field=items\nstr 0 field=item 'i'\n"));
	assert_int_equal(md_count_str(t, "field=tag"), 2);
	assert_non_null(strstr(t, "event - bad_type\n"));
	free(t);
}

/* A transaction of a companion protocol: its own field and event tables,
 * its own completion progress, reported with its own parser. */
static void test_companion_tx(void **st)
{
	struct env *e = *st;
	static const char req[] = "TLV1\x05\x00\x04soap";
	data(e, 0, req, sizeof(req) - 1);
	assert_int_equal(seen.inner_txs, 1);
	assert_int_equal(seen.inner_events, 1);
	assert_string_equal(seen.inner_word, "soap");
	assert_int_equal(seen.txs, 0);
	/* disabled companions get no transaction */
	e->app.cfg.disabled = 1u << 1;
	data(e, 0, req + 4, sizeof(req) - 5);
	assert_int_equal(seen.inner_txs, 1);
}

/* The harness resolves a companion transaction's fields by its protocol. */
static void test_companion_vectors(void **st)
{
	(void)st;
	struct md_vec_chunk in[] = {
	    {MD_DIR_TOSERVER,
	     "TLV1\x05\x00\x02"
	     "ab",
	     9},
	};
	char *t = md_vec_run(&tlv_parser, in, 1);
	assert_non_null(strstr(t, "tx 0 dir 0 as inner\n"
				  "str 0 field=word 'ab'\n"
				  "event 0 seen\n"));
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_registry, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_probe_any_port_and_tx, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_probe_need_more, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_probe_server_first, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_probe_failed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_probe_eof, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_is_sticky, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_buffer_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_open_tx_at_end, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_gap_reaches_parser, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_too_many_tx, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_vectors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_companion_tx, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_companion_vectors, setup,
					    teardown),
	};
	return cmocka_run_group_tests_name("applayer", tests, NULL, NULL);
}
