/* test-rd.c - the bounded reader (plugin/md-rd.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "harness.h"
#include "md-rd.h"

static void test_ints(void **st)
{
	(void)st;
	static const uint8_t b[] = {1, 2,  3,  4,  5,  6,  7, 8,
				    9, 10, 11, 12, 13, 14, 15};
	struct md_rd r = md_rd_make(b, sizeof(b));
	assert_int_equal(md_rd_u8(&r), 1);
	assert_int_equal(md_rd_be16(&r), 0x0203);
	assert_int_equal(md_rd_le16(&r), 0x0504);
	assert_int_equal(md_rd_be32(&r), 0x06070809);
	assert_int_equal(md_rd_le32(&r), 0x0d0c0b0a);
	assert_int_equal(md_rd_left(&r), 2);
	assert_true(md_rd_ok(&r));
	assert_int_equal(md_rd_be32(&r), 0); /* short: bad, zero */
	assert_false(md_rd_ok(&r));
	assert_int_equal(md_rd_left(&r), 0);
	assert_int_equal(md_rd_u8(&r), 0); /* stays bad */
}

static void test_be64_span_rest(void **st)
{
	(void)st;
	static const uint8_t b[] = {0, 0, 0, 1, 0, 0, 0, 2, 'a', 'b', 'c'};
	struct md_rd r = md_rd_make(b, sizeof(b));
	assert_true(md_rd_be64(&r) == 0x0000000100000002ull);
	struct md_span s = md_rd_span(&r, 2);
	assert_int_equal(s.len, 2);
	assert_memory_equal(s.p, "ab", 2);
	s = md_rd_rest(&r);
	assert_int_equal(s.len, 1);
	assert_true(md_rd_done(&r));
	s = md_rd_span(&r, 1);
	assert_null(s.p);
	assert_int_equal(s.len, 0);
	assert_false(md_rd_ok(&r));
}

/* A child reader cannot read past its length, and a lying length makes
 * both child and parent bad. */
static void test_sub(void **st)
{
	(void)st;
	static const uint8_t b[] = {3, 'x', 'y', 'z', 9, 'q'};
	struct md_rd r = md_rd_make(b, sizeof(b));
	uint8_t n = md_rd_u8(&r);
	struct md_rd c = md_rd_sub(&r, n);
	assert_true(md_rd_ok(&c));
	assert_int_equal(md_rd_left(&c), 3);
	md_rd_skip(&c, 3);
	assert_true(md_rd_done(&c));
	assert_int_equal(md_rd_u8(&c), 0);
	assert_false(md_rd_ok(&c));
	assert_true(md_rd_ok(&r)); /* the child's overread stays in the child */
	n = md_rd_u8(&r);
	c = md_rd_sub(&r, n); /* 9 > 1 left */
	assert_false(md_rd_ok(&c));
	assert_false(md_rd_ok(&r));
	assert_int_equal(md_rd_left(&c), 0);
}

static void test_peek_find(void **st)
{
	(void)st;
	static const uint8_t b[] = {'M', 'S', 'H', '|', 0x0d};
	struct md_rd r = md_rd_make(b, sizeof(b));
	assert_int_equal(md_rd_peek(&r, 0), 'M');
	assert_int_equal(md_rd_peek(&r, 4), 0x0d);
	assert_int_equal(md_rd_peek(&r, 5), -1);
	assert_int_equal(md_rd_find(&r, '|'), 3);
	assert_int_equal(md_rd_find(&r, 0x1c), -1);
	md_rd_skip(&r, 4);
	assert_int_equal(md_rd_find(&r, 0x0d), 0);
	assert_true(md_rd_ok(&r));
	assert_true(md_rd_pos(&r) == b + 4);
}

/* Reading the last byte right before a PROT_NONE page works; one more
 * byte is refused instead of touching the guard page. */
static void test_guard_page(void **st)
{
	(void)st;
	void *h;
	uint8_t *p = md_guard_copy("\x01\x02\x03", 3, &h);
	struct md_rd r = md_rd_make(p, 3);
	assert_int_equal(md_rd_be16(&r), 0x0102);
	assert_int_equal(md_rd_be16(&r), 0);
	assert_false(md_rd_ok(&r));
	r = md_rd_make(p, 3);
	md_rd_skip(&r, 2);
	assert_int_equal(md_rd_u8(&r), 3);
	assert_int_equal(md_rd_find(&r, 3), -1);
	md_guard_free(h);
}

static void test_null_and_empty(void **st)
{
	(void)st;
	struct md_rd r = md_rd_make(NULL, 10);
	assert_int_equal(md_rd_left(&r), 0);
	assert_int_equal(md_rd_u8(&r), 0);
	assert_false(md_rd_ok(&r));
	r = md_rd_make((const uint8_t *)"", 0);
	assert_true(md_rd_done(&r));
	struct md_rd c = md_rd_sub(&r, 0);
	assert_true(md_rd_done(&c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ints),
	    cmocka_unit_test(test_be64_span_rest),
	    cmocka_unit_test(test_sub),
	    cmocka_unit_test(test_peek_find),
	    cmocka_unit_test(test_guard_page),
	    cmocka_unit_test(test_null_and_empty),
	};
	return cmocka_run_group_tests_name("md-rd", tests, NULL, NULL);
}
