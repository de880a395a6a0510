/* test-dataset.c - dataset.c: the set operations, value forms of each
 * type, loading (base64, hex, addresses; bad lines located), saving and
 * reloading, redefinition checks and the memcap.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dataset.h"
#include "md-parser.h"

static char dir[256];

static int setup(void **st)
{
	(void)st;
	snprintf(dir, sizeof(dir), "/tmp/md-dataset-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **st)
{
	(void)st;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static const char *path(const char *name)
{
	static char p[4][512];
	static int i;
	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static void put(const char *name, const char *text)
{
	FILE *fp = fopen(path(name), "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static bool has(struct md_dataset *s, const char *v)
{
	uint8_t tmp[32];
	const uint8_t *n;
	uint32_t nl;
	if (!md_dataset_norm(s, (const uint8_t *)v, (uint32_t)strlen(v), tmp,
			     &n, &nl))
		return false;
	return md_dataset_contains(s, n, nl);
}

static void test_string_ops(void **st)
{
	(void)st;
	struct md_datasets *r = md_datasets_new();
	struct md_dataset *s;
	char err[256];
	struct md_dataset_opts o = {
	    .name = "ae", .type = MD_DS_STRING, .hashsize = 16};
	assert_int_equal(md_dataset_get(r, &o, &s, err, sizeof(err)), 0);
	char v[16];
	for (int i = 0; i < 1000; i++) { /* grows past its hash size */
		int n = snprintf(v, sizeof(v), "AE%d", i);
		assert_int_equal(md_dataset_add(s, (uint8_t *)v, (uint32_t)n),
				 1);
	}
	assert_int_equal(md_dataset_add(s, (const uint8_t *)"AE7", 3), 0);
	assert_int_equal(md_dataset_count(s), 1000);
	assert_true(has(s, "AE999"));
	assert_false(has(s, "AE1000"));
	assert_int_equal(md_dataset_remove(s, (const uint8_t *)"AE5", 3), 1);
	assert_int_equal(md_dataset_remove(s, (const uint8_t *)"AE5", 3), 0);
	assert_false(has(s, "AE5"));
	/* binary values and the empty value */
	assert_int_equal(md_dataset_add(s, (const uint8_t *)"a\0b", 3), 1);
	assert_true(md_dataset_contains(s, (const uint8_t *)"a\0b", 3));
	assert_false(md_dataset_contains(s, (const uint8_t *)"a", 1));
	assert_int_equal(md_dataset_add(s, (const uint8_t *)"", 0), 1);
	/* the same name again: same set; a different type is refused */
	struct md_dataset *s2;
	o.type = -1;
	assert_int_equal(md_dataset_get(r, &o, &s2, err, sizeof(err)), 0);
	assert_ptr_equal(s, s2);
	o.type = MD_DS_MD5;
	assert_int_equal(md_dataset_get(r, &o, &s2, err, sizeof(err)),
			 MD_E_INVAL);
	assert_non_null(strstr(err, "type md5, was string"));
	struct md_dataset_opts o2 = {.name = "new", .type = -1};
	assert_int_equal(md_dataset_get(r, &o2, &s2, err, sizeof(err)),
			 MD_E_INVAL);
	assert_non_null(strstr(err, "type is required"));
	md_datasets_free(r);
}

static void test_load_types(void **st)
{
	(void)st;
	put("s.lst", "# facilities\n\nUkFESU9MT0dZ\nTEFCLE1BSU4=,5\n");
	put("m.lst", "900150983cd24fb0d6963f7d28e17f72\n");
	put("h.lst", "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F"
		     "20015AD\n");
	put("4.lst", "192.168.1.10\n10.0.0.1\n");
	put("6.lst", "2001:db8::1\n::ffff:10.0.0.1\n");
	struct md_datasets *r = md_datasets_new();
	struct md_dataset *s[5];
	char err[256];
	const char *files[] = {"s.lst", "m.lst", "h.lst", "4.lst", "6.lst"};
	for (int t = 0; t < 5; t++) {
		char name[16];
		snprintf(name, sizeof(name), "t%d", t);
		struct md_dataset_opts o = {
		    .name = name, .type = t, .load = path(files[t])};
		assert_int_equal(md_dataset_get(r, &o, &s[t], err, sizeof(err)),
				 0);
	}
	assert_true(has(s[0], "RADIOLOGY"));
	assert_true(has(s[0], "LAB,MAIN"));
	assert_false(has(s[0], "LAB"));
	assert_int_equal(md_dataset_count(s[0]), 2);
	assert_true(has(s[1], "900150983CD24FB0D6963F7D28E17F72"));
	uint8_t raw[16] = {0x90, 0x01, 0x50, 0x98, 0x3c, 0xd2, 0x4f, 0xb0,
			   0xd6, 0x96, 0x3f, 0x7d, 0x28, 0xe1, 0x7f, 0x72};
	assert_true(md_dataset_contains(s[1], raw, 16));
	assert_false(has(s[1], "not a hash"));
	assert_true(has(s[2], "ba7816bf8f01cfea414140de5dae2223b00361a396177a9c"
			      "b410ff61f20015ad"));
	assert_true(has(s[3], "10.0.0.1"));
	uint8_t a4[4] = {192, 168, 1, 10};
	assert_true(md_dataset_contains(s[3], a4, 4));
	assert_false(has(s[3], "10.0.0.2"));
	assert_false(has(s[3], "2001:db8::1"));
	assert_true(has(s[4], "2001:0db8:0:0::1"));
	assert_true(has(s[4], "::ffff:10.0.0.1"));
	md_datasets_free(r);
}

static void test_bad_files(void **st)
{
	(void)st;
	put("bad64.lst", "U1RPUkU=\n!!notbase64\n");
	put("badip.lst", "10.0.0.1\n10.0.0.256\n");
	struct md_datasets *r = md_datasets_new();
	struct md_dataset *s;
	char err[512];
	struct md_dataset_opts o = {
	    .name = "b", .type = MD_DS_STRING, .load = path("bad64.lst")};
	assert_int_equal(md_dataset_get(r, &o, &s, err, sizeof(err)),
			 MD_E_INVAL);
	assert_non_null(strstr(err, "bad64.lst:2: bad string value"));
	struct md_dataset_opts o2 = {
	    .name = "c", .type = MD_DS_IPV4, .load = path("badip.lst")};
	assert_int_equal(md_dataset_get(r, &o2, &s, err, sizeof(err)),
			 MD_E_INVAL);
	assert_non_null(strstr(err, "badip.lst:2: bad ipv4 value"));
	struct md_dataset_opts o3 = {
	    .name = "d", .type = MD_DS_STRING, .load = path("none.lst")};
	assert_int_equal(md_dataset_get(r, &o3, &s, err, sizeof(err)), MD_E_IO);
	o3.load_optional = true; /* a state file that does not exist yet */
	assert_int_equal(md_dataset_get(r, &o3, &s, err, sizeof(err)), 0);
	assert_int_equal(md_dataset_count(s), 0);
	md_datasets_free(r);
}

static void test_save_reload(void **st)
{
	(void)st;
	struct md_datasets *r = md_datasets_new();
	struct md_dataset *s, *a;
	char err[512];
	unlink(path("out.lst"));
	struct md_dataset_opts o = {
	    .name = "x", .type = MD_DS_STRING, .save = path("out.lst")};
	assert_int_equal(md_dataset_get(r, &o, &s, err, sizeof(err)), 0);
	md_dataset_add(s, (const uint8_t *)"ST MARY'S", 9);
	md_dataset_add(s, (const uint8_t *)"\xff\x00\x01", 3);
	struct md_dataset_opts o4 = {
	    .name = "y", .type = MD_DS_IPV4, .save = path("out4.lst")};
	assert_int_equal(md_dataset_get(r, &o4, &a, err, sizeof(err)), 0);
	uint8_t ip[4] = {10, 1, 2, 3};
	md_dataset_add(a, ip, 4);
	assert_int_equal(md_datasets_save_all(r, stderr), 0);
	md_datasets_free(r);
	r = md_datasets_new();
	struct md_dataset_opts l = {
	    .name = "x", .type = MD_DS_STRING, .load = path("out.lst")};
	assert_int_equal(md_dataset_get(r, &l, &s, err, sizeof(err)), 0);
	assert_int_equal(md_dataset_count(s), 2);
	assert_true(md_dataset_contains(s, (const uint8_t *)"ST MARY'S", 9));
	assert_true(md_dataset_contains(s, (const uint8_t *)"\xff\x00\x01", 3));
	struct md_dataset_opts l4 = {
	    .name = "y", .type = MD_DS_IPV4, .load = path("out4.lst")};
	assert_int_equal(md_dataset_get(r, &l4, &a, err, sizeof(err)), 0);
	assert_true(has(a, "10.1.2.3"));
	/* no save file */
	assert_int_equal(md_dataset_save(s, err, sizeof(err)), MD_E_INVAL);
	/* an unwritable save path is reported */
	struct md_dataset_opts bad = {.name = "z",
				      .type = MD_DS_STRING,
				      .save = "/nonexistent-dir/x.lst"};
	assert_int_equal(md_dataset_get(r, &bad, &s, err, sizeof(err)), 0);
	FILE *null = fopen("/dev/null", "w");
	assert_int_equal(md_datasets_save_all(r, null), 1);
	fclose(null);
	md_datasets_free(r);
}

static void test_memcap(void **st)
{
	(void)st;
	struct md_datasets *r = md_datasets_new();
	struct md_dataset *s;
	char err[256];
	struct md_dataset_opts o = {
	    .name = "m", .type = MD_DS_STRING, .memcap = 4096, .hashsize = 16};
	assert_int_equal(md_dataset_get(r, &o, &s, err, sizeof(err)), 0);
	int rc = 1, i = 0;
	char v[32];
	while (rc == 1 && i < 10000) {
		int n = snprintf(v, sizeof(v), "value-%d", i++);
		rc = md_dataset_add(s, (uint8_t *)v, (uint32_t)n);
	}
	assert_int_equal(rc, MD_E_LIMIT);
	assert_true(i > 10 && i < 200);
	md_datasets_free(r);
	assert_int_equal(md_dataset_type("sha256"), MD_DS_SHA256);
	assert_int_equal(md_dataset_type("sha1"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_string_ops),
	    cmocka_unit_test(test_load_types),
	    cmocka_unit_test(test_bad_files),
	    cmocka_unit_test(test_save_reload),
	    cmocka_unit_test(test_memcap),
	};
	return cmocka_run_group_tests_name("dataset", tests, setup, teardown);
}
