/* test-detect-util.c - helpers of the detection engine tests (see
 * test-detect-util.h). */
#include "test-detect-util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "applayer-tx.h"
#include "registry.h"

static const struct md_field_def tp_fields[TP_NFIELDS] = {
    [TP_NAME] = {"name", "request.name", MD_FT_STR, MD_DIR_TOSERVER, 0, -1, 0,
		 "peer name"},
    [TP_TAG] = {"tag", "request.tags", MD_FT_STR, MD_DIR_TOSERVER, MD_FF_MULTI,
		-1, 0, "tags"},
    [TP_CODE] = {"code", "response.code", MD_FT_UINT, MD_DIR_TOCLIENT, 0, -1, 0,
		 "result code"},
    [TP_ATTR] = {"attr", "request.attrs", MD_FT_STR, MD_DIR_TOSERVER,
		 MD_FF_ARG | MD_FF_MULTI, -1, 0, "attribute by name"},
    [TP_BODY] = {"body", "request.body", MD_FT_BYTES, MD_DIR_TOSERVER,
		 MD_FF_CHUNKED, -1, 0, "body"},
    [TP_FLAG] = {"flag", "request.flag", MD_FT_BOOL, MD_DIR_BOTH, 0, -1, 0,
		 "a flag"},
    [TP_NUM] = {"num", "request.nums", MD_FT_UINT, MD_DIR_TOSERVER, MD_FF_MULTI,
		-1, 0, "numbers"},
    [TP_REPLY] = {"reply", "response.text", MD_FT_STR, MD_DIR_TOCLIENT, 0, -1,
		  2, "reply text"},
};

static const struct md_event_def tp_events[] = {
    [TP_EV_BAD] = {"bad_thing", "something bad"},
    [TP_EV_OTHER] = {"other", "something else"},
};

static enum md_probe_rc tp_probe(const uint8_t *b, size_t len, enum md_dir d)
{
	(void)b;
	(void)len;
	(void)d;
	return MD_PROBE_NO;
}

static enum md_parse_rc tp_parse(void *st, enum md_dir dir, const uint8_t *b,
				 size_t len, size_t *used,
				 const struct md_sink *k)
{
	(void)st;
	(void)dir;
	(void)b;
	(void)k;
	*used = len;
	return MD_PARSE_OK;
}

static int tp_arg_norm(unsigned field, const char *arg, char *out,
		       size_t outlen)
{
	(void)field;
	if (!strcmp(arg, "bad") || strlen(arg) >= outlen)
		return MD_E_INVAL;
	size_t i = 0;
	for (; arg[i]; i++)
		out[i] = (char)toupper((unsigned char)arg[i]);
	out[i] = 0;
	return 0;
}

static const uint16_t tp_ports[] = {9999, 0};

static const struct md_parser tp = {
    .abi = MD_PARSER_ABI,
    .name = "tp",
    .desc = "test protocol",
    .ipproto = 6,
    .ports = tp_ports,
    .state_size = 8,
    .tx_done_progress = 2,
    .probe = tp_probe,
    .parse = tp_parse,
    .arg_norm = tp_arg_norm,
    .events = tp_events,
    .n_events = 2,
    .fields = tp_fields,
    .n_fields = TP_NFIELDS,
};

int td_register(void)
{
	int id = md_registry_find("tp");
	if (id >= 0)
		return id;
	char msg[128];
	id = md_registry_add(&tp, msg, sizeof(msg));
	assert_true(id >= 0);
	return id;
}

const struct md_parser *td_parser(void)
{
	return &tp;
}

const char *td_rule_dir(void)
{
	return MD_TOP_SRCDIR "/rules";
}

struct md_detect *td_engine_cfg(const struct md_detect_cfg *cfg,
				const char *const *rules, size_t n)
{
	td_register();
	struct md_detect *d = md_detect_new(cfg, stderr, true);
	assert_non_null(d);
	for (size_t i = 0; i < n; i++) {
		char err[256] = "";
		int rc = md_detect_add_rule(d, rules[i], "test.rules",
					    (unsigned)i + 1, err, sizeof(err));
		if (rc)
			fail_msg("rule %zu: %s: %s", i + 1, rules[i], err);
	}
	char err[256];
	assert_int_equal(md_detect_build(d, err, sizeof(err)), 0);
	return d;
}

struct md_detect *td_engine(const char *const *rules, size_t n)
{
	struct md_detect_cfg cfg = {.rule_dir = td_rule_dir()};
	return td_engine_cfg(&cfg, rules, n);
}

void td_packet(struct md_packet *p, uint8_t proto, const char *src, uint16_t sp,
	       const char *dst, uint16_t dp, const void *payload, uint32_t len,
	       uint64_t ts_usec)
{
	memset(p, 0, sizeof(*p));
	p->flags = MD_PKT_IPV4 | MD_PKT_L4;
	p->ip_ver = 4;
	p->proto = proto;
	p->ttl = 64;
	assert_int_equal(inet_pton(AF_INET, src, p->src.b), 1);
	assert_int_equal(inet_pton(AF_INET, dst, p->dst.b), 1);
	p->sp = sp;
	p->dp = dp;
	p->payload = payload;
	p->payload_len = len;
	p->ts_usec = ts_usec;
}

void td_flow(struct md_flow *f, const struct md_packet *p, bool app)
{
	memset(f, 0, sizeof(*f));
	f->key.a = p->src;
	f->key.b = p->dst;
	f->key.ap = p->sp;
	f->key.bp = p->dp;
	f->key.proto = p->proto;
	f->key.ip_ver = 4;
	f->state = MD_FLOW_ESTABLISHED;
	f->last_usec = p->ts_usec;
	if (app)
		f->app_id = (uint16_t)(td_register() + 1);
}

static struct md_memcap tx_mc;

static int field_by_name(const char *n)
{
	for (int i = 0; i < TP_NFIELDS; i++)
		if (!strcmp(tp_fields[i].name, n))
			return i;
	fail_msg("no tp field %s", n);
	return -1;
}

struct md_tx *td_tx(const char *spec, uint64_t id, int progress)
{
	struct md_tx *tx = md_tx_new(&tx_mc, id, 0);
	assert_non_null(tx);
	char *copy = strdup(spec), *save = NULL;
	for (char *it = strtok_r(copy, ";", &save); it;
	     it = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(it, '=');
		assert_non_null(eq);
		*eq = 0;
		char *arg = strchr(it, ':');
		if (arg)
			*arg++ = 0;
		int f = field_by_name(it);
		const char *v = eq + 1;
		if (arg)
			assert_int_equal(md_tx_add_arg(&tx_mc, tx, (uint16_t)f,
						       arg, (const uint8_t *)v,
						       (uint32_t)strlen(v)),
					 0);
		else if (tp_fields[f].type == MD_FT_UINT ||
			 tp_fields[f].type == MD_FT_BOOL)
			assert_int_equal(md_tx_add(&tx_mc, tx, (uint16_t)f,
						   false, NULL, 0,
						   strtoull(v, NULL, 0)),
					 0);
		else
			assert_int_equal(md_tx_add(&tx_mc, tx, (uint16_t)f,
						   false, (const uint8_t *)v,
						   (uint32_t)strlen(v), 0),
					 0);
	}
	free(copy);
	if (progress < 0) {
		tx->progress[0] = tx->progress[1] = 2;
		tx->complete = true;
	} else {
		tx->progress[0] = tx->progress[1] = (uint8_t)progress;
	}
	return tx;
}

void td_tx_free(struct md_tx *tx)
{
	md_tx_free(&tx_mc, tx);
}

unsigned td_count(const struct md_alerts *out, uint32_t sid)
{
	unsigned n = 0;
	for (unsigned i = 0; i < out->n; i++)
		n += out->a[i].sig->sid == sid;
	return n;
}
