/* test-defrag.c - unit tests of IPv4/IPv6 fragment reassembly.
 *
 * Datagrams (UDP or TCP, checksums from an independent reference sum
 * over the whole datagram) are cut into fragments by hand and fed to
 * md_decode through DLT_RAW or Ethernet, in order, out of order,
 * duplicated and overlapping, under each overlap policy; limits
 * (memcap, fragments per datagram, trackers), timeouts in packet time,
 * allocation failures and random fragment storms are exercised.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/dlt.h>

#include "decode.h"
#include "harness.h"
#include "defrag.h"
#include "mem.h"

static const uint8_t src4[4] = {192, 0, 2, 1}, dst4[4] = {192, 0, 2, 2};
static const uint8_t src6[16] = {0xfd, 0, [15] = 1};
static const uint8_t dst6[16] = {0xfd, 0, [15] = 2};

static struct md_counters ctr;
static struct md_decode_ctx ctx;
static struct md_packet pk;
static uint8_t *cur; /* the packet being decoded, on a guard page */
static void *guard;
static uint64_t now = 1000000;

static uint8_t dg[70000]; /* the datagram payload (transport segment) */
static uint32_t dg_len;

#define CTR(id) (ctr.v[MD_CTR_##id])
#define SEC	1000000ull
#define TIMEOUT (10 * SEC)

static void set16(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

/* Reference one's-complement sum, independent of the code under test. */
static uint32_t ref_sum(const uint8_t *a, size_t n, uint32_t s)
{
	for (size_t i = 0; i < n; i++)
		s += (i & 1) ? a[i] : (uint32_t)a[i] << 8;
	return s;
}

static uint16_t ref_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* dg = UDP (proto 17) or TCP (6) segment with n payload bytes and a
 * checksum for IP version ver. */
static void make_dg(int ver, uint8_t proto, uint32_t n)
{
	uint32_t hl = proto == 6 ? 20 : 8, s, i, cs = proto == 6 ? 16 : 6;

	memset(dg, 0, hl);
	set16(dg, 1111);
	set16(dg + 2, 2222);
	if (proto == 6) {
		set16(dg + 6, 77); /* sequence */
		dg[12] = 0x50;
		dg[13] = 0x18;
		set16(dg + 14, 512);
	} else {
		set16(dg + 4, hl + n);
	}
	for (i = 0; i < n; i++)
		dg[hl + i] = (uint8_t)(i * 7 + i / 251);
	dg_len = hl + n;
	if (ver == 4)
		s = ref_sum(dst4, 4, ref_sum(src4, 4, 0));
	else
		s = ref_sum(dst6, 16, ref_sum(src6, 16, 0));
	s = ref_fold(ref_sum(dg, dg_len, s + proto + dg_len));
	set16(dg + cs, s ? s : 0xffff);
}

/* Decode a copy of b that ends right before an unmapped page. */
static int run_bytes(const uint8_t *b, uint32_t n, int linktype)
{
	md_packet_release(&pk);
	md_guard_free(guard);
	cur = md_guard_copy(b, n, &guard);
	memset(&pk, 0, sizeof(pk));
	pk.data = cur;
	pk.caplen = pk.wirelen = n;
	pk.linktype = linktype;
	pk.ts_usec = now;
	return md_decode(&ctx, &pk);
}

/* Build an IPv4 fragment at b: returns its length. */
static uint32_t build4(uint8_t *b, uint16_t id, uint8_t proto, uint32_t off,
		       const uint8_t *d, uint32_t len, bool mf)
{
	memset(b, 0, 20);
	b[0] = 0x45;
	set16(b + 2, 20 + len);
	set16(b + 4, id);
	set16(b + 6, (mf ? 0x2000u : 0) | (off / 8));
	b[8] = 64;
	b[9] = proto;
	memcpy(b + 12, src4, 4);
	memcpy(b + 16, dst4, 4);
	set16(b + 10, ref_fold(ref_sum(b, 20, 0)));
	memcpy(b + 20, d, len);
	return 20 + len;
}

static int frag4d(uint16_t id, uint8_t proto, uint32_t off, const uint8_t *d,
		  uint32_t len, bool mf)
{
	static uint8_t b[70000];

	return run_bytes(b, build4(b, id, proto, off, d, len, mf), DLT_RAW);
}

/* Fragment [off, off+len) of dg. */
static int frag4(uint16_t id, uint8_t proto, uint32_t off, uint32_t len)
{
	bool mf = off + len < dg_len;

	return frag4d(id, proto, off, dg + off, len, mf);
}

/* IPv6 fragment, optionally after a hop-by-hop header. */
static int frag6d(uint32_t id, uint8_t proto, uint32_t off, const uint8_t *d,
		  uint32_t len, bool m, bool hbh)
{
	static uint8_t b[70000];
	uint32_t x = hbh ? 8 : 0;

	memset(b, 0, 56);
	b[0] = 0x60;
	set16(b + 4, x + 8 + len);
	b[6] = hbh ? 0 : 44;
	b[7] = 64;
	memcpy(b + 8, src6, 16);
	memcpy(b + 24, dst6, 16);
	if (hbh) {
		b[40] = 44;
		b[42] = 1; /* PadN 4 */
		b[43] = 4;
	}
	b[40 + x] = proto;
	set16(b + 42 + x, off | (m ? 1u : 0));
	set16(b + 44 + x, id >> 16);
	set16(b + 46 + x, id & 0xffff);
	memcpy(b + 48 + x, d, len);
	return run_bytes(b, 48 + x + len, DLT_RAW);
}

static int frag6(uint32_t id, uint32_t off, uint32_t len, bool hbh)
{
	return frag6d(id, 17, off, dg + off, len, off + len < dg_len, hbh);
}

static void reinit(const struct md_decode_cfg *cfg)
{
	md_decode_fini(&ctx);
	memset(&ctr, 0, sizeof(ctr));
	assert_int_equal(md_decode_init(&ctx, cfg, &ctr), 0);
}

static struct md_decode_cfg base_cfg(void)
{
	struct md_decode_cfg c = {
	    .csum_check = true,
	    .defrag_timeout = TIMEOUT,
	    .defrag_max_frags = 1000,
	    .defrag_max_trackers = 1000,
	    .defrag_memcap = 16u << 20,
	};
	return c;
}

static int setup(void **state)
{
	struct md_decode_cfg c = base_cfg();

	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	now = SEC;
	reinit(&c);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	md_packet_release(&pk);
	md_decode_fini(&ctx);
	md_guard_free(guard);
	guard = NULL;
	md_mem_fail_after(0);
	return 0;
}

static bool has_ev(unsigned ev)
{
	for (unsigned i = 0; i < pk.n_events; i++)
		if (pk.events[i] == ev)
			return true;
	return false;
}

static uint32_t trackers(void)
{
	return md_defrag_trackers(ctx.defrag);
}

/* The packet completed dg: rebuilt, decoded, checksums right. */
static void expect_whole(int rc, int ver)
{
	uint32_t hl = ver == 4 ? 20 : 40;

	assert_int_equal(rc, MD_DECODE_OK);
	assert_int_equal(pk.n_events, 0);
	assert_non_null(pk.owned);
	assert_ptr_equal(pk.l3, pk.owned);
	assert_true(pk.flags & MD_PKT_REASSEMBLED);
	assert_false(pk.flags & MD_PKT_FRAG);
	assert_false(pk.flags & MD_PKT_CSUM_BAD);
	assert_true(pk.flags & MD_PKT_L4);
	assert_int_equal(pk.sp, 1111);
	assert_int_equal(pk.dp, 2222);
	assert_int_equal(pk.l4_len, dg_len);
	assert_memory_equal(pk.l4, dg, dg_len);
	if (ver == 4) {
		assert_int_equal(pk.l3_len, hl + dg_len);
		assert_int_equal(pk.owned[6] & 0x3f, 0);
		assert_int_equal(pk.owned[7], 0);
		assert_int_equal(md_csum_ipv4_hdr(pk.owned, 20), 0);
	}
	assert_int_equal(md_csum_l4(&pk), 0);
	assert_int_equal(trackers(), 0);
	assert_int_equal(CTR(DEFRAG_MEMUSE), 0);
}

static void expect_held(int rc)
{
	assert_int_equal(rc, MD_DECODE_HELD);
	assert_true(pk.flags & MD_PKT_FRAG);
	assert_false(pk.flags & MD_PKT_L4);
	assert_null(pk.owned);
}

/* ---- IPv4 ----------------------------------------------------------- */

static void t_v4_in_order(void **state)
{
	(void)state;
	make_dg(4, 17, 40);
	expect_held(frag4(1, 17, 0, 16));
	assert_int_equal(pk.ip_ver, 4);
	assert_int_equal(pk.proto, 17);
	assert_memory_equal(pk.src.b, src4, 4);
	assert_int_equal(trackers(), 1);
	assert_true(CTR(DEFRAG_MEMUSE) > 16);
	expect_held(frag4(1, 17, 16, 16));
	expect_whole(frag4(1, 17, 32, 16), 4);
	assert_int_equal(pk.payload_len, 40);
	assert_int_equal(CTR(DEFRAG_V4_FRAGMENTS), 3);
	assert_int_equal(CTR(DEFRAG_V4_REASSEMBLED), 1);
	assert_int_equal(CTR(DEC_IPV4), 3); /* the rebuilt one not again */
	assert_int_equal(CTR(DEC_UDP), 1);
	md_packet_release(&pk);
	assert_null(pk.owned);
	/* a first fragment too short for the TCP header */
	make_dg(4, 6, 12); /* TCP: 20-byte header, 12 bytes of data */
	expect_held(frag4(4, 6, 0, 8)); /* ports and sequence only */
	expect_whole(frag4(4, 6, 8, 24), 4);
	assert_int_equal(pk.tcp_seq, 77);
	assert_int_equal(pk.tcp_flags, 0x18);
	assert_int_equal(pk.payload_len, 12);
	assert_int_equal(CTR(DEC_TCP), 1);
}

static void t_v4_order_duplicates(void **state)
{
	static const uint32_t ord[][4] = {
	    {3, 2, 1, 0}, {1, 3, 0, 2}, {2, 0, 3, 1}, {0, 3, 2, 1}};
	uint64_t mem;

	(void)state;
	make_dg(4, 17, 1400);
	for (unsigned o = 0; o < 4; o++) {
		uint32_t sz = 352; /* 4 pieces: 352 * 3 + rest */

		for (unsigned i = 0; i < 3; i++)
			expect_held(
			    frag4((uint16_t)(10 + o), 17, ord[o][i] * sz,
				  ord[o][i] == 3 ? dg_len - 3 * sz : sz));
		expect_whole(frag4((uint16_t)(10 + o), 17, ord[o][3] * sz,
				   ord[o][3] == 3 ? dg_len - 3 * sz : sz),
			     4);
	}
	assert_int_equal(CTR(DEFRAG_V4_REASSEMBLED), 4);
	/* duplicates and same-byte overlaps */
	make_dg(4, 17, 40);
	expect_held(frag4(2, 17, 0, 24));
	mem = CTR(DEFRAG_MEMUSE);
	expect_held(frag4(2, 17, 0, 24)); /* exact copy: not stored again */
	assert_int_equal(CTR(DEFRAG_MEMUSE), mem);
	expect_held(frag4(2, 17, 16, 24)); /* overlaps with the same bytes */
	assert_int_equal(pk.n_events, 0);
	expect_whole(frag4(2, 17, 40, 8), 4);
	assert_int_equal(CTR(DEV_IPV4_FRAG_OVERLAP), 0);
}

/* Four fragments where every policy gives a different datagram:
 *   A: off 8, 16 bytes   B: off 0, 16 bytes   C: off 8, 16 bytes
 *   D: off 24, 8 bytes, last                   (arrival order A B C D) */
static void policy_case(enum md_defrag_policy pol, const char *want)
{
	struct md_decode_cfg c = base_cfg();
	uint8_t a[16], b[16], cc[16], d[8];

	c.defrag_policy = pol;
	reinit(&c);
	memset(a, 'A', 16);
	memset(b, 'B', 16);
	memset(cc, 'C', 16);
	memset(d, 'D', 8);
	expect_held(frag4d(3, 253, 8, a, 16, true));
	expect_held(frag4d(3, 253, 0, b, 16, true));
	assert_true(has_ev(MD_DEV_IPV4_FRAG_OVERLAP));
	expect_held(frag4d(3, 253, 8, cc, 16, true));
	assert_true(has_ev(MD_DEV_IPV4_FRAG_OVERLAP));
	assert_int_equal(frag4d(3, 253, 24, d, 8, false), MD_DECODE_OK);
	assert_int_equal(pk.l3_len, 52);
	assert_int_equal(pk.proto, 253);
	assert_memory_equal(pk.l3 + 20, want, 32);
	assert_int_equal(CTR(DEV_IPV4_FRAG_OVERLAP), 2);
	assert_int_equal(trackers(), 0);
}

static void t_v4_policies(void **state)
{
	(void)state;
	policy_case(MD_DEFRAG_FIRST, "BBBBBBBBAAAAAAAAAAAAAAAADDDDDDDD");
	policy_case(MD_DEFRAG_LAST, "BBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDD");
	policy_case(MD_DEFRAG_BSD, "BBBBBBBBBBBBBBBBAAAAAAAADDDDDDDD");
	policy_case(MD_DEFRAG_LINUX, "BBBBBBBBBBBBBBBBCCCCCCCCDDDDDDDD");
	/* the header comes from the winning offset-0 fragment */
	for (int pol = MD_DEFRAG_FIRST; pol <= MD_DEFRAG_LAST; pol++) {
		struct md_decode_cfg c = base_cfg();
		static uint8_t b[64];
		uint32_t n = build4(b, 12, 253, 0, b + 40, 8, true);

		c.defrag_policy = (enum md_defrag_policy)pol;
		reinit(&c);
		expect_held(frag4d(12, 253, 0, b + 40, 8, true));
		b[8] = 99;   /* TTL */
		b[20] = 'x'; /* not an exact copy: kept */
		set16(b + 10, 0);
		set16(b + 10, ref_fold(ref_sum(b, 20, 0)));
		expect_held(run_bytes(b, n, DLT_RAW));
		assert_int_equal(frag4d(12, 253, 8, b, 8, false), MD_DECODE_OK);
		assert_int_equal(pk.ttl, pol == MD_DEFRAG_LAST ? 99 : 64);
	}
}

/* A non-final fragment counts in 8-byte units; the first final fragment
 * fixes the length; empty fragments are not kept. */
static void t_v4_edges(void **state)
{
	uint8_t junk[20];
	uint64_t mem;

	(void)state;
	make_dg(4, 17, 24); /* 32 bytes */
	memcpy(junk, dg, 16);
	memset(junk + 16, 0xee, 4);
	expect_held(frag4d(5, 17, 0, junk, 20, true)); /* only 16 count */
	expect_held(frag4d(5, 17, 24, dg + 24, 8, false));
	expect_whole(frag4(5, 17, 16, 8), 4);
	expect_held(frag4d(6, 17, 16, dg + 16, 16, false));
	expect_held(frag4d(6, 17, 16, dg + 16, 8, false)); /* ignored end */
	mem = CTR(DEFRAG_MEMUSE);
	expect_held(frag4d(6, 17, 8, dg, 0, true));
	assert_int_equal(CTR(DEFRAG_MEMUSE), mem);
	expect_whole(frag4(6, 17, 0, 16), 4);
}

/* Fragments never kept: bad header checksum, past 65535 bytes. */
static void t_v4_refused(void **state)
{
	static uint8_t b[128];
	uint8_t d[16] = {0};
	uint32_t n;

	(void)state;
	make_dg(4, 17, 24);
	n = build4(b, 8, 17, 0, dg, 16, true);
	b[10] ^= 0xff;
	assert_int_equal(run_bytes(b, n, DLT_RAW), MD_DECODE_HELD);
	assert_true(has_ev(MD_DEV_IPV4_CSUM_INVALID));
	assert_true(pk.flags & MD_PKT_FRAG);
	assert_int_equal(trackers(), 0); /* not kept */
	assert_int_equal(frag4d(9, 17, 65528, d, 16, false), MD_DECODE_INVALID);
	assert_true(has_ev(MD_DEV_IPV4_FRAG_PKT_TOO_LARGE));
	assert_int_equal(CTR(DEV_IPV4_FRAG_PKT_TOO_LARGE), 1);
	assert_int_equal(trackers(), 0);
	assert_int_equal(frag4d(9, 17, 65512, d, 4, false), MD_DECODE_INVALID);
	/* the last byte allowed: 20 + 65512 + 3 = 65535 */
	assert_int_equal(frag4d(9, 17, 65512, d, 3, false), MD_DECODE_HELD);
	assert_int_equal(pk.n_events, 0);
}

static void t_vlan_keys(void **state)
{
	static uint8_t b[256];
	uint32_t n;

	(void)state;
	make_dg(4, 17, 24);
	for (unsigned v = 1; v <= 2; v++) {
		memset(b, 0, 18);
		b[12] = 0x81;
		b[15] = (uint8_t)v;
		b[16] = 0x08;
		n = build4(b + 18, 11, 17, 0, dg, 16, true);
		expect_held(run_bytes(b, 18 + n, DLT_EN10MB));
	}
	assert_int_equal(trackers(), 2);
	n = build4(b + 18, 11, 17, 16, dg + 16, 16, false);
	assert_int_equal(run_bytes(b, 18 + n, DLT_EN10MB), MD_DECODE_OK);
	assert_int_equal(pk.vlan[0], 2);
	assert_true(pk.flags & MD_PKT_REASSEMBLED);
	assert_int_equal(trackers(), 1);    /* VLAN 1 still waits */
	expect_held(frag4(11, 17, 16, 16)); /* no VLAN: another datagram */
	assert_int_equal(trackers(), 2);
}

/* ---- IPv6 ----------------------------------------------------------- */

static void t_v6_reassembly(void **state)
{
	(void)state;
	make_dg(6, 17, 100); /* 108 bytes */
	expect_held(frag6(0x11223344, 0, 56, false));
	assert_int_equal(pk.ip_ver, 6);
	assert_int_equal(pk.proto, 17);
	expect_whole(frag6(0x11223344, 56, 52, false), 6);
	assert_int_equal(pk.l3_len, 40 + 108);
	assert_int_equal(pk.owned[6], 17); /* Fragment header gone */
	assert_int_equal(pk.owned[4] << 8 | pk.owned[5], 108);
	assert_ptr_equal(pk.l4, pk.owned + 40);
	assert_int_equal(CTR(DEFRAG_V6_FRAGMENTS), 2);
	assert_int_equal(CTR(DEFRAG_V6_REASSEMBLED), 1);
	assert_int_equal(CTR(DEC_IPV6), 2);
	/* out of order, a hop-by-hop header in the unfragmentable part */
	make_dg(6, 17, 200); /* 208 bytes */
	expect_held(frag6(7, 104, 104, true));
	/* only the offset-0 fragment's next header counts (RFC 8200) */
	expect_held(frag6d(7, 59, 48, dg + 48, 56, true, true));
	expect_whole(frag6(7, 0, 48, true), 6);
	assert_int_equal(pk.l3_len, 40 + 8 + 208);
	assert_int_equal(pk.owned[6], 0);   /* hop-by-hop kept */
	assert_int_equal(pk.owned[40], 17); /* it now names UDP */
	assert_int_equal(pk.owned[4] << 8 | pk.owned[5], 216);
	assert_ptr_equal(pk.l4, pk.owned + 48);
}

static void t_v6_errors_overlap(void **state)
{
	struct md_decode_cfg c = base_cfg();
	uint8_t d[32] = {0}, x[16], y[16];

	(void)state;
	assert_int_equal(frag6d(8, 17, 0, d, 12, true, false),
			 MD_DECODE_INVALID);
	assert_true(has_ev(MD_DEV_IPV6_FRAG_INVALID_LENGTH));
	assert_int_equal(frag6d(8, 17, 65528, d, 16, false, false),
			 MD_DECODE_INVALID);
	assert_true(has_ev(MD_DEV_IPV6_FRAG_PKT_TOO_LARGE));
	assert_int_equal(trackers(), 0);
	/* a real Fragment header inside a rebuilt datagram: nested */
	d[0] = 17;
	d[3] = 1; /* offset 0, M */
	expect_held(frag6d(9, 44, 0, d, 16, true, false));
	assert_int_equal(frag6d(9, 44, 16, d, 8, false, false),
			 MD_DECODE_INVALID);
	assert_true(pk.flags & MD_PKT_REASSEMBLED);
	assert_true(has_ev(MD_DEV_IPV6_EXTHDR_DUPL_FH));
	/* overlap with different data, last arrival wins */
	c.defrag_policy = MD_DEFRAG_LAST;
	reinit(&c);
	memset(x, 'x', 16);
	memset(y, 'y', 16);
	expect_held(frag6d(10, 59, 0, x, 16, true, false));
	expect_held(frag6d(10, 59, 8, y, 16, true, false));
	assert_true(has_ev(MD_DEV_IPV6_FRAG_OVERLAP));
	assert_int_equal(frag6d(10, 59, 24, x, 8, false, false), MD_DECODE_OK);
	assert_int_equal(pk.proto, 59);
	assert_memory_equal(pk.l3 + 40, "xxxxxxxxyyyyyyyyyyyyyyyyxxxxxxxx", 32);
	assert_int_equal(CTR(DEV_IPV6_FRAG_OVERLAP), 1);
}

/* ---- timeouts and limits -------------------------------------------- */

static void t_timeouts(void **state)
{
	(void)state;
	make_dg(4, 17, 40);
	expect_held(frag4(20, 17, 0, 16));
	make_dg(6, 17, 40);
	expect_held(frag6(20, 0, 16, false));
	md_decode_timeout(&ctx, SEC + TIMEOUT); /* exactly the lifetime */
	assert_int_equal(trackers(), 2);
	md_decode_timeout(&ctx, SEC + TIMEOUT + 1);
	assert_int_equal(trackers(), 0);
	assert_int_equal(CTR(DEFRAG_V4_TIMEOUTS), 1);
	assert_int_equal(CTR(DEFRAG_V6_TIMEOUTS), 1);
	assert_int_equal(CTR(DEFRAG_MEMUSE), 0);
	md_decode_timeout(&ctx, 0); /* time going backwards: nothing */
	/* lazily: a fragment after the lifetime starts a new datagram */
	make_dg(4, 17, 40);
	expect_held(frag4(21, 17, 0, 16));
	expect_held(frag4(21, 17, 16, 16));
	now += TIMEOUT + 1;
	expect_held(frag4(21, 17, 32, 16)); /* the old ones are gone */
	assert_int_equal(CTR(DEFRAG_V4_TIMEOUTS), 2);
	assert_int_equal(trackers(), 1);
	expect_held(frag4(21, 17, 16, 16));
	expect_whole(frag4(21, 17, 0, 16), 4);
	/* trackers left at the end: md_decode_fini frees them (leak check) */
	make_dg(4, 17, 400);
	for (uint32_t id = 0; id < 50; id++) {
		expect_held(frag6d(id, 17, 8, dg, 64, true, true));
		expect_held(frag4d((uint16_t)id, 17, 0, dg, 64, true));
	}
	assert_int_equal(trackers(), 100);
}

static void t_memcap(void **state)
{
	struct md_decode_cfg c = base_cfg();
	uint64_t one;

	(void)state;
	make_dg(4, 17, 40);
	expect_held(frag4(30, 17, 0, 16));
	one = CTR(DEFRAG_MEMUSE); /* a tracker and one fragment */
	c.defrag_memcap = 1;
	reinit(&c);
	expect_held(frag4(30, 17, 0, 16));
	assert_true(has_ev(MD_DEV_IPV4_FRAG_IGNORED));
	assert_int_equal(CTR(DEFRAG_MEMCAP), 1);
	assert_int_equal(trackers(), 0);
	c.defrag_memcap = one + 8;
	reinit(&c);
	expect_held(frag4(30, 17, 0, 16));
	assert_int_equal(pk.n_events, 0);
	expect_held(frag4(30, 17, 16, 16));
	assert_true(has_ev(MD_DEV_IPV4_FRAG_IGNORED));
	assert_int_equal(CTR(DEFRAG_MEMCAP), 1);
	assert_int_equal(CTR(DEFRAG_MEMUSE), one);
	/* later in packet time the stale datagram makes room */
	now += TIMEOUT + 1;
	expect_held(frag4(31, 17, 0, 16));
	assert_int_equal(pk.n_events, 0);
	assert_int_equal(CTR(DEFRAG_V4_TIMEOUTS), 1);
	assert_int_equal(trackers(), 1);
}

static void t_max_limits(void **state)
{
	struct md_decode_cfg c = base_cfg();

	(void)state;
	c.defrag_max_frags = 2;
	reinit(&c);
	make_dg(4, 17, 40);
	expect_held(frag4(40, 17, 0, 8));
	expect_held(frag4(40, 17, 8, 8));
	expect_held(frag4(40, 17, 16, 8));
	assert_true(has_ev(MD_DEV_IPV4_FRAG_IGNORED));
	assert_int_equal(CTR(DEFRAG_MAX_FRAGS), 1);
	make_dg(6, 17, 40);
	expect_held(frag6(40, 0, 8, false));
	expect_held(frag6(40, 8, 8, false));
	expect_held(frag6(40, 16, 8, false));
	assert_true(has_ev(MD_DEV_IPV6_FRAG_IGNORED));
	assert_int_equal(CTR(DEFRAG_MAX_FRAGS), 2);
	assert_int_equal(CTR(DEV_IPV6_FRAG_IGNORED), 1);
	c.defrag_max_frags = 0; /* unlimited */
	c.defrag_max_trackers = 1;
	reinit(&c);
	make_dg(4, 17, 40);
	expect_held(frag4(50, 17, 0, 16));
	expect_held(frag4(51, 17, 0, 16));
	assert_true(has_ev(MD_DEV_IPV4_FRAG_IGNORED));
	assert_int_equal(CTR(DEFRAG_MAX_TRACKERS), 1);
	assert_int_equal(trackers(), 1);
	now += TIMEOUT + 1; /* the first one expires: room again */
	expect_held(frag4(51, 17, 0, 16));
	assert_int_equal(pk.n_events, 0);
	assert_int_equal(CTR(DEFRAG_V4_TIMEOUTS), 1);
	expect_whole(frag4(51, 17, 16, 32), 4);
}

static void t_alloc_failures(void **state)
{
	(void)state;
	make_dg(4, 17, 40);
	md_mem_fail_after(1); /* the tracker */
	expect_held(frag4(60, 17, 0, 16));
	assert_true(has_ev(MD_DEV_IPV4_FRAG_IGNORED));
	md_mem_fail_after(2); /* the fragment */
	expect_held(frag4(60, 17, 0, 16));
	assert_true(has_ev(MD_DEV_IPV4_FRAG_IGNORED));
	md_mem_fail_after(0);
	assert_int_equal(trackers(), 1); /* an empty tracker, no fragment */
	/* completing fragment: its copy, the paint order, the rebuilt
	 * buffer; fail the last two */
	for (unsigned f = 2; f <= 3; f++) {
		expect_held(frag4((uint16_t)(60 + f), 17, 0, 16));
		md_mem_fail_after(f);
		expect_held(frag4((uint16_t)(60 + f), 17, 16, 32));
		assert_true(has_ev(MD_DEV_IPV4_FRAG_IGNORED));
		md_mem_fail_after(0);
	}
	assert_int_equal(CTR(DEFRAG_V4_REASSEMBLED), 0);
	assert_int_equal(trackers(), 1);
}

/* ---- random storms -------------------------------------------------- */

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

struct piece {
	uint32_t off, len;
};

/* Cut dg into 8-byte aligned pieces, add duplicates and overlapping
 * re-sends of the same bytes, shuffle. Returns the number of pieces. */
static unsigned cut(struct piece *v, unsigned max)
{
	unsigned n = 0;
	uint32_t off = 0;

	while (off < dg_len && n < max / 2) {
		uint32_t len = 8 * (1 + rnd(64));

		if (off + len > dg_len || n + 1 == max / 2)
			len = dg_len - off;
		if (off == 0 && len >= dg_len) /* at least two fragments */
			len = (dg_len - 1) & ~7u;
		v[n++] = (struct piece){off, len};
		off += len;
	}
	for (unsigned extra = rnd(4); extra && n < max; extra--) {
		uint32_t o = 8 * rnd(dg_len / 8), l = 8 * (1 + rnd(16));

		if (o + l > dg_len)
			l = dg_len - o;
		if (o == 0 && l == dg_len)
			continue; /* that would be no fragment at all */
		v[n++] = (struct piece){o, l};
	}
	for (unsigned i = n - 1; i > 0; i--) {
		unsigned j = rnd(i + 1);
		struct piece t = v[i];

		v[i] = v[j];
		v[j] = t;
	}
	return n;
}

/* Whatever the order, duplicates and same-byte overlaps, under every
 * policy, the datagram comes back exactly. */
static void t_random_datagrams(void **state)
{
	struct md_decode_cfg c = base_cfg();
	struct piece v[128];

	(void)state;
	for (unsigned it = 0; it < 400; it++) {
		int ver = rnd(2) ? 4 : 6, rc = MD_DECODE_HELD;
		uint8_t proto = rnd(2) ? 17 : 6;
		unsigned n, i;
		uint32_t id = 1000 + it;

		c.defrag_policy = (enum md_defrag_policy)(it % 4);
		reinit(&c);
		make_dg(ver, proto, 1 + rnd(4000));
		n = cut(v, 128);
		for (i = 0; i < n && rc == MD_DECODE_HELD; i++) {
			bool m = v[i].off + v[i].len < dg_len;

			if (ver == 4)
				rc = frag4d((uint16_t)id, proto, v[i].off,
					    dg + v[i].off, v[i].len, m);
			else
				rc = frag6d(id, proto, v[i].off, dg + v[i].off,
					    v[i].len, m, it & 1);
			assert_int_equal(pk.n_events, 0);
		}
		expect_whole(rc, ver);
	}
}

/* Random fragments (random ids from a small set, offsets, lengths,
 * flags, garbage bytes), tight limits: no crash, no leak, memuse back
 * to zero once everything times out. */
static void t_fragment_storm(void **state)
{
	static const uint8_t protos[3] = {6, 17, 59};
	struct md_decode_cfg c = base_cfg();
	static uint8_t d[3000];

	(void)state;
	c.defrag_memcap = 8 * 1024;
	c.defrag_max_frags = 8;
	c.defrag_max_trackers = 16;
	for (unsigned pol = 0; pol < 4; pol++) {
		c.defrag_policy = (enum md_defrag_policy)pol;
		reinit(&c);
		for (unsigned it = 0; it < 3000; it++) {
			uint32_t len = rnd(3) ? 8 * rnd(40) : rnd(300);
			uint32_t off = 8 * (rnd(8) ? rnd(40) : rnd(8192));
			bool m = rnd(4) != 0;
			int rc;

			for (uint32_t i = 0; i < len; i++)
				d[i] = (uint8_t)(rnd(3) ? 'z' : rnd(256));
			now += rnd(200000);
			uint8_t proto = protos[rnd(3)];

			if (rnd(2))
				rc = frag4d((uint16_t)rnd(6), proto, off, d,
					    len, m);
			else
				rc = frag6d(rnd(6), proto, off & 0xfff8, d,
					    len & ~7u, m, rnd(2));
			assert_true(rc >= MD_DECODE_OK &&
				    rc <= MD_DECODE_INVALID);
			if (pk.owned)
				assert_true(pk.l3 == pk.owned);
		}
		md_decode_timeout(&ctx, now + TIMEOUT + 1);
		assert_int_equal(trackers(), 0);
		assert_int_equal(CTR(DEFRAG_MEMUSE), 0);
	}
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(t_v4_in_order),	   T(t_v4_order_duplicates),
	    T(t_v4_policies),	   T(t_v4_edges),
	    T(t_v4_refused),	   T(t_vlan_keys),
	    T(t_v6_reassembly),	   T(t_v6_errors_overlap),
	    T(t_timeouts),	   T(t_memcap),
	    T(t_max_limits),	   T(t_alloc_failures),
	    T(t_random_datagrams), T(t_fragment_storm),
	};

	return cmocka_run_group_tests_name("defrag", tests, NULL, NULL);
}
