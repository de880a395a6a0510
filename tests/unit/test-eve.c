/* test-eve.c - EVE writer, common header, JSON helpers, transaction objects
 * (groups, arrays, PHI redaction) and stats nesting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "eve.h"
#include "util-time.h"

static void test_timestamp(void **st)
{
	(void)st;
	char b[MD_TS_LEN];
	setenv("TZ", "UTC", 1);
	tzset();
	assert_string_equal(md_time_format(b, 1700000000123456ull),
			    "2023-11-14T22:13:20.123456+0000");
	setenv("TZ", "EST5", 1);
	tzset();
	md_time_reset_cache();
	assert_string_equal(md_time_format(b, 1700000000000001ull),
			    "2023-11-14T17:13:20.000001-0500");
	setenv("TZ", "UTC", 1);
	tzset();
	md_time_reset_cache();
}

/* Untrusted bytes as a JSON string: printable ASCII and valid UTF-8 kept,
 * anything else (here a surrogate, invalid in UTF-8) as \xHH text. */
static const char *bytes_as_json(const char *p, size_t len)
{
	static char out[128];
	struct md_jb jb;
	md_jb_init_buf(&jb, out, sizeof(out));
	md_jb_open(&jb, NULL);
	md_jb_bytes(&jb, "v", (const uint8_t *)p, len);
	md_jb_close(&jb);
	json_t *o = json_loads(jb.buf, 0, NULL);
	md_jb_free(&jb);
	assert_non_null(o);
	snprintf(out, sizeof(out), "%s",
		 json_string_value(json_object_get(o, "v")));
	json_decref(o);
	return out;
}

static void test_json_bytes(void **st)
{
	(void)st;
	assert_string_equal(bytes_as_json("A\x01\xff\xc3\xa9\"", 6),
			    "A\\x01\\xff\xc3\xa9\"");
	assert_string_equal(bytes_as_json("\xed\xa0\x80", 3), /* surrogate */
			    "\\xed\\xa0\\x80");
}

static void test_jb(void **st)
{
	(void)st;
	char small[8];
	struct md_jb jb;
	md_jb_init_buf(&jb, small, sizeof(small)); /* grows to the heap */
	md_jb_open(&jb, NULL);
	md_jb_str(&jb, "a", "q\"\\\n");
	md_jb_bytes(&jb, "b", (const uint8_t *)"\x01\xc3\xa9\xff", 4);
	md_jb_open_array(&jb, "c");
	md_jb_uint(&jb, NULL, 0);
	md_jb_uint(&jb, NULL, 9223372036854775807ull);
	md_jb_bool(&jb, NULL, false);
	md_jb_close_array(&jb);
	md_jb_open(&jb, "d");
	md_jb_close(&jb);
	md_jb_raw(&jb, "e", "[1]", 3);
	md_jb_close(&jb);
	assert_string_equal(
	    jb.buf, "{\"a\":\"q\\\"\\\\\\n\",\"b\":\"\\\\x01\xc3\xa9\\\\xff\","
		    "\"c\":[0,9223372036854775807,false],\"d\":{},\"e\":[1]}");
	json_t *o = json_loads(jb.buf, 0, NULL);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "b")),
			    "\\x01\xc3\xa9\\xff");
	json_decref(o);
	md_jb_free(&jb);
}

static void test_set_path(void **st)
{
	(void)st;
	json_t *o = json_object();
	assert_int_equal(md_json_set_path(o, "a.b.c", json_integer(1)), 0);
	assert_int_equal(md_json_set_path(o, "a.d", json_integer(2)), 0);
	assert_int_equal(md_json_set_path(o, "a..x", json_integer(3)),
			 MD_E_INVAL);
	char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"a\":{\"b\":{\"c\":1},\"d\":2}}");
	free(s);
	json_decref(o);
}

static void test_header(void **st)
{
	(void)st;
	struct md_flow f = {0};
	f.flow_id = 1234;
	f.key.ip_ver = 4;
	f.key.proto = 6;
	f.key.a.b[0] = 10, f.key.a.b[3] = 1;
	f.key.b.b[0] = 10, f.key.b.b[3] = 2;
	f.key.ap = 40000, f.key.bp = 104;
	f.key.vlan[0] = 7;
	struct md_packet p = {0};
	p.pcap_cnt = 9;
	struct md_jb jb;
	md_jb_init(&jb);
	md_eve_jb_header(&jb, "flow", 1000000, &f, &p, 1);
	md_jb_close(&jb);
	json_t *o = json_loads(jb.buf, 0, NULL);
	md_jb_free(&jb);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "src_ip")),
			    "10.0.0.2");
	assert_int_equal(json_integer_value(json_object_get(o, "src_port")),
			 104);
	assert_string_equal(json_string_value(json_object_get(o, "direction")),
			    "to_client");
	assert_string_equal(json_string_value(json_object_get(o, "proto")),
			    "TCP");
	assert_int_equal(json_integer_value(json_object_get(o, "pcap_cnt")), 9);
	assert_int_equal(
	    json_integer_value(json_array_get(json_object_get(o, "vlan"), 0)),
	    7);
	assert_string_equal(json_string_value(json_object_get(o, "pkt_src")),
			    "wire/pcap");
	assert_null(json_object_get(o, "app_proto")); /* no payload yet */
	json_decref(o);
}

static const struct md_field_def fields[] = {
    {"name", "req.name", MD_FT_STR, 0, 0, -1, 0, ""},
    {"ctx", "contexts", MD_FT_GROUP, 0, 0, -1, 0, ""},
    {"ctx_id", "id", MD_FT_UINT, 0, 0, 1, 0, ""},
    {"ts", "transfer_syntaxes", MD_FT_STR, 0, MD_FF_MULTI, 1, 0, ""},
    {"patient", "patient_name", MD_FT_STR, 0, MD_FF_PHI, -1, 0, ""},
    {"hidden", NULL, MD_FT_STR, 0, MD_FF_NOLOG, -1, 0, ""},
    {"raw", NULL, MD_FT_BYTES, 0, 0, -1, 0, ""},
};

static const struct md_parser pp = {
    .abi = MD_PARSER_ABI, .name = "toy", .fields = fields, .n_fields = 7};

static void add(struct md_memcap *mc, struct md_tx *tx, uint16_t f, bool group,
		const char *s, uint64_t u)
{
	assert_int_equal(md_tx_add(mc, tx, f, group, (const uint8_t *)s,
				   s ? (uint32_t)strlen(s) : 0, u),
			 0);
}

static void test_tx_object(void **st)
{
	(void)st;
	struct md_memcap mc = {0};
	struct md_tx *tx = md_tx_new(&mc, 0, 0);
	add(&mc, tx, 0, false, "STORESCU", 0);
	add(&mc, tx, 1, true, NULL, 0);
	add(&mc, tx, 2, false, NULL, 1);
	add(&mc, tx, 3, false, "1.2.840.10008.1.2", 0);
	add(&mc, tx, 3, false, "1.2.840.10008.1.2.1", 0);
	add(&mc, tx, 1, true, NULL, 0);
	add(&mc, tx, 2, false, NULL, 3);
	add(&mc, tx, 4, false, "DOE^JOHN", 0);
	add(&mc, tx, 5, false, "nope", 0);
	assert_int_equal(
	    md_tx_add(&mc, tx, 6, false, (const uint8_t *)"\x00\x01\x02", 3, 0),
	    0);
	struct md_phi phi = {.log_clear = false};
	md_hmac_key(&phi.hk, phi.key, sizeof(phi.key));
	struct md_jb jb;
	md_jb_init(&jb);
	md_jb_open(&jb, NULL);
	assert_int_equal(md_eve_tx_write(&jb, "toy", &pp, tx, &phi, 100), 0);
	md_jb_close(&jb);
	assert_string_equal(
	    jb.buf,
	    "{\"toy\":{\"req\":{\"name\":\"STORESCU\"},\"contexts\":[{\"id\":1,"
	    "\"transfer_syntaxes\":[\"1.2.840.10008.1.2\",\"1.2.840.10008.1."
	    "2.1\"]},"
	    "{\"id\":3}],\"patient_name\":\"phi:"
	    "872e37219e714da40d144a94262c6671\","
	    "\"raw\":\"AAEC\"}}");
	phi.log_clear = true;
	md_jb_reset(&jb);
	md_eve_tx_write(&jb, NULL, &pp, tx, &phi, 1);
	json_t *o = json_loads(jb.buf, 0, NULL);
	assert_non_null(o);
	assert_string_equal(
	    json_string_value(json_object_get(o, "patient_name")), "DOE^JOHN");
	assert_int_equal(json_array_size(json_object_get(o, "contexts")), 1);
	json_decref(o);
	md_jb_free(&jb);
	md_eve_txw_fini();
	md_tx_free(&mc, tx);
	assert_int_equal(mc.used, 0);
}

static void test_write_and_stats(void **st)
{
	(void)st;
	char dir[] = "/tmp/md-eve-XXXXXX", path[64], err[128], line[8192];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/eve.json", dir);
	struct md_eve *eve;
	assert_int_equal(md_eve_open(&eve, path, MD_EVE_ALL & ~MD_EVE_FLOW, err,
				     sizeof(err)),
			 0);
	struct md_counters c = {{0}};
	c.v[MD_CTR_FLOW_TOTAL] = 5;
	md_eve_stats(eve, &c, 1000000, 3, NULL);
	struct md_jb jb;
	md_jb_init(&jb);
	md_jb_open(&jb, NULL);
	md_jb_close(&jb);
	md_eve_write_jb(eve, MD_EVE_FLOW, &jb); /* filtered out */
	md_jb_free(&jb);
	md_eve_close(eve);
	FILE *fp = fopen(path, "r");
	assert_non_null(fgets(line, sizeof(line), fp));
	assert_null(fgets(line + 4000, 100, fp)); /* exactly one line */
	fclose(fp);
	json_t *o = json_loads(line, 0, NULL);
	assert_non_null(o);
	json_t *stats = json_object_get(o, "stats");
	assert_int_equal(json_integer_value(json_object_get(
			     json_object_get(stats, "flow"), "total")),
			 5);
	assert_int_equal(json_integer_value(json_object_get(stats, "uptime")),
			 3);
	json_decref(o);
	unlink(path);
	rmdir(dir);
	assert_int_equal(md_eve_open(&eve, "/nonexistent/x/eve.json",
				     MD_EVE_ALL, err, sizeof(err)),
			 MD_E_IO);
	assert_non_null(strstr(err, "/nonexistent/x/eve.json"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_timestamp),
	    cmocka_unit_test(test_json_bytes),
	    cmocka_unit_test(test_jb),
	    cmocka_unit_test(test_set_path),
	    cmocka_unit_test(test_header),
	    cmocka_unit_test(test_tx_object),
	    cmocka_unit_test(test_write_and_stats),
	};
	return cmocka_run_group_tests_name("eve", tests, NULL, NULL);
}
