/* test-mem.c - allocation hook and memcaps (src/mem.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "mem.h"

static void test_memcap(void **st)
{
	(void)st;
	struct md_memcap m = {.cap = 100};
	assert_true(md_memcap_try(&m, 60));
	assert_true(md_memcap_try(&m, 40));
	assert_false(md_memcap_try(&m, 1));
	assert_int_equal(m.hits, 1);
	assert_int_equal(m.used, 100);
	md_memcap_release(&m, 50);
	assert_true(md_memcap_try(&m, 50));
	assert_int_equal(m.peak, 100);
	md_memcap_release(&m, 1000); /* never below zero */
	assert_int_equal(m.used, 0);
	assert_false(md_memcap_try(&m, UINT64_MAX)); /* no overflow */
	struct md_memcap unl = {0};
	assert_true(md_memcap_try(&unl, UINT64_MAX / 2));
}

static void test_fail_after(void **st)
{
	(void)st;
	md_mem_fail_after(3);
	void *a = md_malloc(8), *b = md_calloc(1, 8), *c = md_malloc(8);
	assert_non_null(a);
	assert_non_null(b);
	assert_null(c);
	assert_null(md_strdup("x"));
	md_mem_fail_after(0);
	c = md_realloc(NULL, 16);
	assert_non_null(c);
	md_free(a);
	md_free(b);
	md_free(c);
	md_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_memcap),
	    cmocka_unit_test(test_fail_after),
	};
	return cmocka_run_group_tests_name("mem", tests, NULL, NULL);
}
