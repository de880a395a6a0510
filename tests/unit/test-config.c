/* test-config.c - YAML loading with located errors, typed lookups, and
 * the shipped medids.yaml matching the built-in defaults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "engine.h"

static const char *doc = "a: 1\n"
			 "b:\n"
			 "  c: 64mb\n"
			 "  d: [x, y]\n"
			 "  e: yes\n"
			 "outputs:\n"
			 "  - eve-log:\n"
			 "      filename: e.json\n"
			 "  - other: 1\n";

static void test_lookup(void **st)
{
	(void)st;
	char err[256];
	struct md_conf *c;
	assert_int_equal(
	    md_conf_load_string(&c, "t.yaml", doc, err, sizeof(err)), 0);
	assert_string_equal(md_conf_str(c, "a", NULL), "1");
	assert_string_equal(md_conf_str(c, "b.d.1", NULL), "y");
	assert_string_equal(md_conf_str(c, "outputs.0.eve-log.filename", NULL),
			    "e.json");
	assert_null(md_conf_str(c, "b.zz", NULL));
	assert_null(md_conf_str(c, "b", NULL)); /* a map is not a value */
	uint64_t v;
	bool b;
	assert_int_equal(md_conf_size(c, "b.c", 0, &v, err, sizeof(err)), 0);
	assert_true(v == 64ull << 20);
	assert_int_equal(md_conf_bool(c, "b.e", false, &b, err, sizeof(err)),
			 0);
	assert_true(b);
	assert_int_equal(
	    md_conf_uint(c, "missing", 7, 10, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 7);
	assert_int_equal(md_conf_find(c, "b.d")->line, 4);
	md_conf_free(c);
}

/* A bad value is reported with file, line and key. */
static void test_bad_values(void **st)
{
	(void)st;
	char err[256];
	struct md_conf *c;
	uint64_t v;
	bool b;
	assert_int_equal(md_conf_load_string(&c, "t.yaml",
					     "x: 12\ny: maybe\nz: 10q\n", err,
					     sizeof(err)),
			 0);
	assert_int_equal(md_conf_uint(c, "x", 0, 10, &v, err, sizeof(err)),
			 MD_E_INVAL);
	assert_non_null(strstr(err, "t.yaml:1: x:"));
	assert_int_equal(md_conf_bool(c, "y", 0, &b, err, sizeof(err)),
			 MD_E_INVAL);
	assert_non_null(strstr(err, "t.yaml:2: y: 'maybe' is not yes or no"));
	assert_int_equal(md_conf_size(c, "z", 0, &v, err, sizeof(err)),
			 MD_E_INVAL);
	assert_non_null(strstr(err, "t.yaml:3:"));
	md_conf_free(c);
}

static void test_syntax_error(void **st)
{
	(void)st;
	char err[256];
	struct md_conf *c;
	assert_int_equal(md_conf_load_string(&c, "bad.yaml",
					     "a: 1\nb: [1, 2\nc: 3\n", err,
					     sizeof(err)),
			 MD_E_INVAL);
	assert_null(c);
	assert_non_null(strstr(err, "bad.yaml:"));
	assert_int_equal(
	    md_conf_load_string(&c, "t.yaml", "- a\n- b\n", err, sizeof(err)),
	    MD_E_INVAL);
	assert_non_null(strstr(err, "top level"));
	assert_int_equal(
	    md_conf_load_file(&c, "/nonexistent/m.yaml", err, sizeof(err)),
	    MD_E_IO);
}

static void test_engine_cfg_errors(void **st)
{
	(void)st;
	char err[256];
	struct md_conf *c;
	struct md_engine_cfg cfg;
	md_engine_cfg_defaults(&cfg);
	assert_int_equal(md_conf_load_string(&c, "m.yaml",
					     "stream:\n  midstream: perhaps\n",
					     err, sizeof(err)),
			 0);
	assert_int_equal(md_engine_cfg_load(&cfg, c, err, sizeof(err)),
			 MD_E_INVAL);
	assert_non_null(strstr(err, "m.yaml:2: stream.midstream"));
	md_conf_free(c);
	assert_int_equal(md_conf_load_string(&c, "m.yaml",
					     "defrag:\n  policy: random\n", err,
					     sizeof(err)),
			 0);
	assert_int_equal(md_engine_cfg_load(&cfg, c, err, sizeof(err)),
			 MD_E_INVAL);
	assert_non_null(strstr(err, "m.yaml:2: defrag.policy"));
	md_conf_free(c);
}

/* The shipped medids.yaml spells out the built-in defaults. */
static void test_shipped_yaml_is_defaults(void **st)
{
	(void)st;
	char err[256];
	struct md_conf *c;
	struct md_engine_cfg def, got;
	md_engine_cfg_defaults(&def);
	md_engine_cfg_defaults(&got);
	assert_int_equal(md_conf_load_file(&c, MD_TOP_SRCDIR "/medids.yaml",
					   err, sizeof(err)),
			 0);
	assert_int_equal(md_engine_cfg_load(&got, c, err, sizeof(err)), 0);
	assert_memory_equal(&def.decode, &got.decode, sizeof(def.decode));
	assert_memory_equal(&def.flow, &got.flow, sizeof(def.flow));
	assert_memory_equal(&def.stream, &got.stream, sizeof(def.stream));
	assert_memory_equal(&def.app, &got.app, sizeof(def.app));
	assert_int_equal(def.csum_mode, got.csum_mode);
	assert_int_equal(def.stats_interval, got.stats_interval);
	assert_int_equal(got.n_rule_files, 11);
	assert_string_equal(got.eve_file, "eve.json");
	assert_false(got.log_phi);
	md_conf_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lookup),
	    cmocka_unit_test(test_bad_values),
	    cmocka_unit_test(test_syntax_error),
	    cmocka_unit_test(test_engine_cfg_errors),
	    cmocka_unit_test(test_shipped_yaml_is_defaults),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
