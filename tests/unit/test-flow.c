/* test-flow.c - the flow table (src/flow.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "flow.h"

static unsigned ended;
static int last_reason;

static void on_end(void *user, struct md_flow *f)
{
	(void)user;
	ended++;
	last_reason = f->end_reason;
}

static struct md_packet pkt(uint8_t a, uint16_t sp, uint8_t b, uint16_t dp,
			    uint8_t proto, uint8_t flags, uint64_t ts)
{
	struct md_packet p = {0};
	p.ip_ver = 4;
	p.src.b[0] = 10, p.src.b[3] = a;
	p.dst.b[0] = 10, p.dst.b[3] = b;
	p.sp = sp, p.dp = dp;
	p.proto = proto;
	p.tcp_flags = flags;
	p.ts_usec = ts;
	p.caplen = p.wirelen = 100;
	p.flags = MD_PKT_L4 | MD_PKT_IPV4;
	return p;
}

static void table(struct md_flow_table *t, struct md_counters *c,
		  uint64_t memcap)
{
	struct md_flow_cfg cfg;
	md_flow_cfg_defaults(&cfg);
	cfg.memcap = memcap;
	cfg.hash_size = 16;
	ended = 0;
	assert_int_equal(md_flow_table_init(t, &cfg, c, on_end, NULL), 0);
}

static void test_bidirectional(void **st)
{
	(void)st;
	struct md_counters c = {{0}};
	struct md_flow_table t;
	table(&t, &c, 0);
	struct md_packet p1 = pkt(1, 40000, 2, 104, 6, MD_TH_SYN, 1000000);
	struct md_packet p2 =
	    pkt(2, 104, 1, 40000, 6, MD_TH_SYN | MD_TH_ACK, 1000100);
	struct md_flow *f1 = md_flow_lookup(&t, &p1);
	struct md_flow *f2 = md_flow_lookup(&t, &p2);
	assert_non_null(f1);
	assert_ptr_equal(f1, f2);
	assert_int_equal(p1.dir, 0);
	assert_int_equal(p2.dir, 1);
	assert_int_equal(f1->pkts[0], 1);
	assert_int_equal(f1->pkts[1], 1);
	assert_int_equal(f1->key.bp, 104);
	assert_int_equal(f1->tcp_flags[1], MD_TH_SYN | MD_TH_ACK);
	assert_true(f1->flow_id > 0 && f1->flow_id < (1ull << 51));
	/* another VLAN is another flow */
	struct md_packet p3 = p1;
	p3.vlan[0] = 10;
	assert_ptr_not_equal(md_flow_lookup(&t, &p3), f1);
	assert_int_equal(c.v[MD_CTR_FLOW_TOTAL], 2);
	md_flow_table_fini(&t);
	assert_int_equal(ended, 2);
	assert_int_equal(last_reason, MD_FLOW_END_SHUTDOWN);
}

/* A SYN-ACK seen first: its receiver is the client. */
static void test_synack_first(void **st)
{
	(void)st;
	struct md_counters c = {{0}};
	struct md_flow_table t;
	table(&t, &c, 0);
	struct md_packet p = pkt(2, 104, 1, 40000, 6, MD_TH_SYN | MD_TH_ACK, 1);
	struct md_flow *f = md_flow_lookup(&t, &p);
	assert_int_equal(p.dir, 1);
	assert_int_equal(f->key.ap, 40000);
	assert_int_equal(f->key.bp, 104);
	md_flow_table_fini(&t);
}

static void test_udp_established_and_timeout(void **st)
{
	(void)st;
	struct md_counters c = {{0}};
	struct md_flow_table t;
	table(&t, &c, 0);
	struct md_packet a = pkt(1, 5000, 2, 3702, 17, 0, 1000000);
	struct md_packet b = pkt(2, 3702, 1, 5000, 17, 0, 2000000);
	struct md_flow *f = md_flow_lookup(&t, &a);
	assert_int_equal(f->state, MD_FLOW_NEW);
	md_flow_touch(&t, f);
	md_flow_lookup(&t, &b);
	assert_int_equal(f->state, MD_FLOW_ESTABLISHED);
	md_flow_touch(&t, f);
	md_flow_timeout(&t, 2000000 + 299 * 1000000ull);
	assert_int_equal(ended, 0);
	md_flow_timeout(&t, 2000000 + 300 * 1000000ull);
	assert_int_equal(ended, 1);
	assert_int_equal(last_reason, MD_FLOW_END_TIMEOUT);
	assert_int_equal(c.v[MD_CTR_FLOW_TIMEOUT], 1);
	assert_int_equal(t.active, 0);
	md_flow_table_fini(&t);
}

/* Closed TCP flows time out sooner than established ones. */
static void test_state_timeouts(void **st)
{
	(void)st;
	struct md_counters c = {{0}};
	struct md_flow_table t;
	table(&t, &c, 0);
	struct md_packet a = pkt(1, 1, 2, 2, 6, MD_TH_ACK, 1000000);
	struct md_packet b = pkt(3, 1, 4, 2, 6, MD_TH_ACK, 1000000);
	struct md_flow *fa = md_flow_lookup(&t, &a);
	struct md_flow *fb = md_flow_lookup(&t, &b);
	fa->state = MD_FLOW_ESTABLISHED;
	fb->state = MD_FLOW_CLOSED;
	md_flow_touch(&t, fa);
	md_flow_touch(&t, fb);
	md_flow_timeout(&t, 1000000 + 31 * 1000000ull);
	assert_int_equal(ended, 1); /* closed: 30 s */
	md_flow_timeout(&t, 1000000 + 3600 * 1000000ull);
	assert_int_equal(ended, 2); /* established: 3600 s */
	md_flow_table_fini(&t);
}

/* A memcap of three flows: the fourth evicts the oldest and enters
 * emergency mode, which ends when usage falls. */
static void test_memcap_evicts(void **st)
{
	(void)st;
	struct md_counters c = {{0}};
	struct md_flow_table t;
	table(&t, &c, 3 * sizeof(struct md_flow));
	for (uint8_t i = 1; i <= 4; i++) {
		struct md_packet p = pkt(i, 1000, 200, 80, 17, 0, i * 1000ull);
		struct md_flow *f = md_flow_lookup(&t, &p);
		assert_non_null(f);
		md_flow_touch(&t, f);
	}
	assert_int_equal(c.v[MD_CTR_FLOW_MEMCAP], 1);
	assert_int_equal(c.v[MD_CTR_FLOW_EMERG_ENTERED], 1);
	assert_true(t.emergency);
	assert_true(ended >= 1);
	assert_int_equal(last_reason, MD_FLOW_END_FORCED);
	assert_true(t.active <= 3);
	/* emergency timeouts are short: everything goes after 10 s */
	md_flow_timeout(&t, 20 * 1000000ull);
	assert_int_equal(t.active, 0);
	assert_false(t.emergency);
	assert_int_equal(c.v[MD_CTR_FLOW_EMERG_OVER], 1);
	md_flow_table_fini(&t);
}

static void test_flow_id_stable(void **st)
{
	(void)st;
	struct md_counters c = {{0}};
	struct md_flow_table t1, t2;
	table(&t1, &c, 0);
	struct md_packet p = pkt(1, 40000, 2, 104, 6, MD_TH_SYN, 5);
	uint64_t id1 = md_flow_lookup(&t1, &p)->flow_id;
	md_flow_table_fini(&t1);
	table(&t2, &c, 0);
	struct md_packet q = pkt(1, 40000, 2, 104, 6, MD_TH_SYN, 5);
	assert_true(md_flow_lookup(&t2, &q)->flow_id == id1);
	md_flow_table_fini(&t2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bidirectional),
	    cmocka_unit_test(test_synack_first),
	    cmocka_unit_test(test_udp_established_and_timeout),
	    cmocka_unit_test(test_state_timeouts),
	    cmocka_unit_test(test_memcap_evicts),
	    cmocka_unit_test(test_flow_id_stable),
	};
	return cmocka_run_group_tests_name("flow", tests, NULL, NULL);
}
