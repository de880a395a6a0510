/* test-detect-malformed.c - tests/rules/malformed.rules through
 * md_detect_add_rule: every rule marked "# expect: TEXT" fails with a
 * reason containing TEXT (printed as FILE:LINE: reason, as medids does),
 * "# valid" rules load, and neither every prefix of every line nor
 * byte-flipped copies crash the parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test-detect-util.h"

#define FILE_PATH MD_TOP_SRCDIR "/tests/rules/malformed.rules"

static struct md_detect *engine(void)
{
	td_register();
	struct md_detect_cfg cfg = {.rule_dir = td_rule_dir()};
	struct md_detect *d = md_detect_new(&cfg, stderr, true);
	assert_non_null(d);
	return d;
}

static void test_malformed_file(void **st)
{
	(void)st;
	FILE *fp = fopen(FILE_PATH, "r");
	assert_non_null(fp);
	struct md_detect *d = engine();
	char line[4096], expect[4096] = "";
	unsigned no = 0, failed = 0, valid = 0;
	bool want_valid = false;
	while (fgets(line, sizeof(line), fp)) {
		no++;
		line[strcspn(line, "\r\n")] = 0;
		if (!strncmp(line, "# expect: ", 10)) {
			snprintf(expect, sizeof(expect), "%s", line + 10);
			continue;
		}
		if (!strcmp(line, "# valid")) {
			want_valid = true;
			continue;
		}
		if (!line[0] || line[0] == '#')
			continue;
		char err[512] = "";
		int rc = md_detect_add_rule(d, line, FILE_PATH, no, err,
					    sizeof(err));
		if (want_valid) {
			if (rc)
				fail_msg("%s:%u: must load: %s", FILE_PATH, no,
					 err);
			valid++;
		} else {
			printf("# %s:%u: %s\n", "malformed.rules", no, err);
			if (!expect[0])
				fail_msg("line %u has no '# expect:'", no);
			if (rc != MD_E_INVAL || !strstr(err, expect))
				fail_msg(
				    "line %u: expected '%s', got rc %d '%s'",
				    no, expect, rc, err);
			failed++;
		}
		expect[0] = 0;
		want_valid = false;
	}
	fclose(fp);
	assert_true(failed >= 25);
	const struct md_detect_stats *s = md_detect_get_stats(d);
	assert_int_equal(s->failed, failed);
	assert_int_equal(s->loaded, valid);
	char err[256];
	assert_int_equal(md_detect_build(d, err, sizeof(err)), 0);
	md_detect_free(d);
}

/* Every prefix of every line, and copies with one byte changed, are
 * accepted or refused without crashing or leaking. */
static void test_no_crash(void **st)
{
	(void)st;
	FILE *fp = fopen(FILE_PATH, "r");
	assert_non_null(fp);
	struct md_detect *d = engine();
	char line[4096];
	static const char subst[] = "\";:|\\()[]!,-> 0a$";
	unsigned n = 0;
	srand(3);
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\r\n")] = 0;
		size_t len = strlen(line);
		if (!len || line[0] == '#')
			continue;
		for (size_t cut = 0; cut <= len; cut++) {
			char *copy = strndup(line, cut);
			char err[256];
			md_detect_add_rule(d, copy, "x", ++n, err, sizeof(err));
			free(copy);
		}
		for (int k = 0; k < 40; k++) {
			char *copy = strdup(line);
			copy[rand() % len] =
			    subst[rand() % (sizeof(subst) - 1)];
			char err[256];
			md_detect_add_rule(d, copy, "x", ++n, err, sizeof(err));
			free(copy);
		}
	}
	fclose(fp);
	char err[256];
	assert_int_equal(md_detect_build(d, err, sizeof(err)), 0);
	md_detect_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_malformed_file),
	    cmocka_unit_test(test_no_crash),
	};
	return cmocka_run_group_tests_name("detect-malformed", tests, NULL,
					   NULL);
}
