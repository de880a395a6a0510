/* test-stream.c - unit tests of TCP tracking and reassembly (stream.h).
 *
 * Normative reference: RFC 9293 (TCP). Packets are built directly (no
 * decoding); every byte, gap and eof the stream hands on is recorded per
 * direction and compared with what was sent:
 *
 *   md_packet --> md_stream_packet --> ops.data/gap/eof/event --> struct rec
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "md-parser.h"
#include "stream-int.h"
#include "stream.h"

#define CAP    (1u << 17)
#define FILL   '?'
#define SSN    sizeof(struct md_tcp_session)
#define SEG(n) (sizeof(struct md_tcp_seg) + (n))
#define ACK    MD_TH_ACK
#define PA     (MD_TH_ACK | MD_TH_PSH)
#define FA     (MD_TH_FIN | MD_TH_ACK)
#define EV(id) (R.ev[MD_SEV_##id])
#define C(id)  (ctr.v[MD_CTR_##id])

struct rec {
	uint8_t buf[2][CAP];
	uint8_t isgap[2][CAP];
	uint32_t len[2];    /* bytes + gap bytes recorded */
	uint64_t delivered; /* data bytes, both directions */
	uint64_t sent;	    /* payload bytes given to the stream */
	uint64_t gap[2];
	unsigned ndata[2], eof[2], ev[MD_SEV_MAX];
	bool after_eof;
	char trace[512];
};

static struct rec R;
static unsigned seen[MD_SEV_MAX]; /* over all tests, never reset */
static struct md_stream_ctx ctx;
static struct md_counters ctr;
static struct md_flow flow;
static uint16_t g_win;
static uint8_t g_wscale;

/* Append "d0:5 " (data), "g1:10 " (gap) or "e0 " (eof) to the call log. */
static void trace(char what, int dir, unsigned long long n)
{
	size_t at = strlen(R.trace), room = sizeof(R.trace) - at;

	if (room < 32)
		return;
	if (what == 'e')
		snprintf(R.trace + at, room, "e%d ", dir);
	else
		snprintf(R.trace + at, room, "%c%d:%llu ", what, dir, n);
}

static void put(int dir, const uint8_t *p, uint32_t n, uint8_t gap)
{
	uint32_t at = R.len[dir], k = n < CAP - at ? n : CAP - at;

	if (p)
		memcpy(R.buf[dir] + at, p, k);
	else
		memset(R.buf[dir] + at, FILL, k);
	memset(R.isgap[dir] + at, gap, k);
	R.len[dir] += k;
}

static void on_data(void *user, struct md_flow *f, int dir, const uint8_t *p,
		    uint32_t len, const struct md_packet *pkt)
{
	(void)user;
	(void)pkt;
	assert_ptr_equal(f, &flow);
	assert_true(len > 0);
	R.after_eof |= R.eof[dir] != 0;
	put(dir, p, len, 0);
	R.ndata[dir]++;
	R.delivered += len;
	trace('d', dir, len);
}

static void on_gap(void *user, struct md_flow *f, int dir, uint64_t len)
{
	(void)user;
	(void)f;
	R.after_eof |= R.eof[dir] != 0;
	put(dir, NULL, (uint32_t)len, 1);
	R.gap[dir] += len;
	trace('g', dir, len);
}

static void on_eof(void *user, struct md_flow *f, int dir)
{
	(void)user;
	(void)f;
	R.eof[dir]++;
	trace('e', dir, 0);
}

static void on_event(void *user, struct md_flow *f, const struct md_packet *p,
		     enum md_stream_event ev)
{
	(void)user;
	(void)f;
	(void)p;
	assert_true(ev < MD_SEV_MAX);
	R.ev[ev]++;
	seen[ev]++;
}

static const struct md_stream_ops ops = {
    .data = on_data, .gap = on_gap, .eof = on_eof, .event = on_event};

static struct md_stream_cfg defcfg(void)
{
	struct md_stream_cfg cfg = {
	    .memcap = 1u << 24, .midstream = true, .max_queued = 1024};
	return cfg;
}

static void start(const struct md_stream_cfg *cfg)
{
	memset(&R, 0, sizeof(R));
	memset(&ctr, 0, sizeof(ctr));
	memset(&flow, 0, sizeof(flow));
	g_win = 0;
	g_wscale = 0;
	assert_int_equal(md_stream_init(&ctx, cfg, &ctr, &ops, NULL), 0);
}

static int pkt(int dir, uint32_t seq, uint32_t ack, uint8_t fl,
	       const void *data, uint32_t len, uint32_t pflags)
{
	struct md_packet p;

	memset(&p, 0, sizeof(p));
	p.flags = MD_PKT_L4 | pflags;
	p.dir = (uint8_t)dir;
	p.tcp_seq = seq;
	p.tcp_ack = ack;
	p.tcp_flags = fl;
	p.tcp_win = g_win;
	p.tcp_wscale = g_wscale;
	p.payload = data;
	p.payload_len = len;
	p.ts_usec = 1000;
	R.sent += len;
	return md_stream_packet(&ctx, &flow, &p);
}

static void tx(int dir, uint32_t seq, uint32_t ack, uint8_t fl, const char *s)
{
	assert_int_equal(pkt(dir, seq, ack, fl, s, (uint32_t)strlen(s), 0), 0);
}

/* Client ISN c, server ISN s; both first data bytes at ISN + 1. */
static void hs(uint32_t c, uint32_t s)
{
	tx(0, c, 0, MD_TH_SYN, "");
	tx(1, s, c + 1, MD_TH_SYN | ACK, "");
	tx(0, c + 1, s + 1, ACK, "");
}

static void end(void)
{
	md_stream_flow_end(&ctx, &flow);
	assert_null(flow.tcp);
	assert_int_equal(ctx.memcap.used, 0);
	assert_int_equal(C(TCP_REASSEMBLY_MEMUSE), 0);
	assert_false(R.after_eof);
}

static void expect(int dir, const char *s)
{
	assert_int_equal(R.len[dir], strlen(s));
	assert_memory_equal(R.buf[dir], s, strlen(s));
}

static const char *state(void)
{
	return md_stream_state_name(md_stream_state(&flow));
}

/* Every payload byte is delivered once or counted in one bucket. */
static void balanced(void)
{
	assert_int_equal(R.sent, R.delivered + C(TCP_DUP_BYTES) +
				     C(TCP_OVERLAP_BYTES) +
				     C(TCP_MEMCAP_BYTES) + C(TCP_DEPTH_BYTES) +
				     C(TCP_IGNORED_BYTES));
}

static void test_handshake_inorder(void **st)
{
	struct md_stream_cfg cfg = defcfg();

	(void)st;
	start(&cfg);
	tx(0, 1000, 0, MD_TH_SYN, "");
	assert_string_equal(state(), "syn_sent");
	assert_int_equal(flow.state, MD_FLOW_NEW);
	tx(1, 5000, 1001, MD_TH_SYN | ACK, "");
	assert_string_equal(state(), "syn_recv");
	assert_int_equal(flow.state, MD_FLOW_NEW);
	tx(0, 1001, 5001, ACK, "");
	assert_string_equal(state(), "established");
	assert_int_equal(flow.state, MD_FLOW_ESTABLISHED);
	tx(0, 1001, 5001, PA, "GET /");
	expect(0, "GET /");
	tx(1, 5001, 1006, PA, "HTTP/1.0 200");
	tx(0, 1006, 5013, PA, " more");
	expect(0, "GET / more");
	expect(1, "HTTP/1.0 200");
	assert_string_equal(R.trace, "d0:5 d1:12 d0:5 ");
	assert_int_equal(ctx.memcap.used, SSN);
	assert_int_equal(C(TCP_REASSEMBLY_MEMUSE), SSN);
	assert_int_equal(C(TCP_SESSIONS), 1);
	assert_int_equal(C(TCP_ACTIVE_SESSIONS), 1);
	assert_int_equal(C(TCP_SYN), 1);
	assert_int_equal(C(TCP_SYNACK), 1);
	end();
	assert_int_equal(C(TCP_ACTIVE_SESSIONS), 0);
	assert_int_equal(R.eof[0] + R.eof[1], 2);
	assert_int_equal(R.gap[0] + R.gap[1], 0);
	balanced();
}

static void test_one_byte_segments(void **st)
{
	struct md_stream_cfg cfg = defcfg();
	uint8_t b;
	uint32_t i;

	(void)st;
	start(&cfg);
	hs(7, 70);
	for (i = 0; i < 3000; i++) {
		b = (uint8_t)(i * 7);
		assert_int_equal(pkt(0, 8 + i, 71, PA, &b, 1, 0), 0);
		assert_int_equal(R.len[0], i + 1);
		assert_int_equal(R.buf[0][i], b);
	}
	assert_int_equal(R.ndata[0], 3000);
	assert_int_equal(ctx.memcap.used, SSN);
	end();
	balanced();
}

static void test_reorder(void **st)
{
	struct md_stream_cfg cfg = defcfg();
	const char *d = "ABCDEFGHIJ";
	static const int order[] = {1, 3, 0, 4, 2};
	static const uint32_t after[] = {0, 0, 4, 4, 10};
	int i;

	(void)st;
	start(&cfg);
	hs(100, 200);
	for (i = 0; i < 5; i++) {
		assert_int_equal(
		    pkt(0, 101 + 2 * order[i], 201, PA, d + 2 * order[i], 2, 0),
		    0);
		assert_int_equal(R.len[0], after[i]);
	}
	expect(0, d);
	assert_int_equal(ctx.memcap.used, SSN);
	assert_int_equal(C(TCP_OVERLAP), 0);
	end();
	balanced();
}

static void test_duplicates(void **st)
{
	struct md_stream_cfg cfg = defcfg();

	(void)st;
	start(&cfg);
	hs(1000, 5000);
	tx(0, 1001, 5001, PA, "hello");
	tx(0, 1001, 5001, PA, "hello");
	assert_int_equal(EV(PKT_RETRANSMISSION), 1);
	assert_int_equal(C(TCP_DUP_BYTES), 5);
	assert_int_equal(C(TCP_OVERLAP), 1);
	tx(1, 5001, 1006, ACK, "");
	tx(0, 1001, 5001, PA, "hello");
	assert_int_equal(EV(PKT_SPURIOUS_RETRANSMISSION), 1);
	tx(0, 1011, 5001, PA, "world");
	tx(0, 1011, 5001, PA, "world");
	assert_int_equal(C(TCP_OVERLAP_BYTES), 5);
	/* keep-alive: one byte below next_seq, not a retransmission */
	tx(0, 1005, 5001, ACK, "x");
	tx(0, 1006, 5001, ACK, "");
	assert_int_equal(EV(PKT_RETRANSMISSION), 1);
	tx(0, 1006, 5001, PA, "12345");
	expect(0, "hello12345world");
	assert_int_equal(EV(REASSEMBLY_OVERLAP_DIFFERENT_DATA), 0);
	assert_int_equal(C(TCP_DUP_BYTES), 11);
	end();
	balanced();
}

static void test_overlap(void **st)
{
	struct md_stream_cfg cfg = defcfg();

	(void)st;
	start(&cfg);
	hs(0, 0);
	tx(0, 11, 1, PA, "KKKKKKKKKK"); /* [10,20) queued */
	tx(0, 6, 1, PA, "xxxxxXXXXX");	/* [5,15): 5 differ */
	assert_int_equal(EV(REASSEMBLY_OVERLAP_DIFFERENT_DATA), 1);
	assert_int_equal(C(TCP_OVERLAP_DIFF_DATA), 1);
	assert_int_equal(C(TCP_OVERLAP_BYTES), 5);
	tx(0, 13, 1, PA, "KKK"); /* same bytes: no event */
	assert_int_equal(EV(REASSEMBLY_OVERLAP_DIFFERENT_DATA), 1);
	tx(0, 1, 1, PA, "zzzzzzzzzzzzzzzzzzzzzzzzz"); /* [0,25) in order */
	expect(0, "zzzzzxxxxxKKKKKKKKKKzzzzz");
	assert_int_equal(EV(REASSEMBLY_OVERLAP_DIFFERENT_DATA), 2);
	assert_int_equal(C(TCP_OVERLAP), 3);
	assert_int_equal(C(TCP_OVERLAP_BYTES), 5 + 3 + 15);
	assert_int_equal(ctx.memcap.used, SSN);
	end();
	balanced();
}

static void test_gap_at_flow_end(void **st)
{
	struct md_stream_cfg cfg = defcfg();

	(void)st;
	start(&cfg);
	hs(0, 100);
	tx(0, 1, 101, PA, "aaaaa");
	tx(0, 11, 101, PA, "ccccc");
	tx(1, 111, 1, FA, ""); /* FIN at offset 10: 10 bytes never seen */
	assert_int_equal(R.eof[1], 0);
	end();
	assert_string_equal(R.trace, "d0:5 g0:5 d0:5 e0 g1:10 e1 ");
	expect(0, "aaaaa?????ccccc");
	assert_int_equal(C(TCP_REASSEMBLY_GAP), 2);
	assert_int_equal(C(TCP_GAP_BYTES), 15);
	assert_int_equal(EV(REASSEMBLY_SEQ_GAP), 2);
	balanced();
}

static void test_seq_wrap(void **st)
{
	struct md_stream_cfg cfg = defcfg();
	uint8_t d[64];
	uint32_t isn = 0xffffffe0u, i;

	(void)st;
	for (i = 0; i < 64; i++)
		d[i] = (uint8_t)('a' + i % 26);
	start(&cfg);
	hs(isn, 0xffffffffu);
	for (i = 0; i < 8; i++) /* reversed across the wrap */
		pkt(0, isn + 1 + 8 * (7 - i), 0, PA, d + 8 * (7 - i), 8, 0);
	for (i = 0; i < 64; i += 4) /* in order, server side starts at 0 */
		pkt(1, i, isn + 65, PA, d + i, 4, 0);
	assert_int_equal(R.len[0], 64);
	assert_memory_equal(R.buf[0], d, 64);
	assert_int_equal(R.len[1], 64);
	assert_int_equal(R.ndata[1], 16);
	tx(0, isn + 65, 64, FA, "");
	assert_int_equal(R.eof[0], 1);
	end();
	assert_int_equal(R.gap[0] + R.gap[1], 0);
	balanced();
}

static void test_midstream_on(void **st)
{
	struct md_stream_cfg cfg = defcfg();

	(void)st;
	start(&cfg);
	tx(0, 777, 0, PA, "abc");
	expect(0, "abc");
	assert_int_equal(C(TCP_MIDSTREAM_PICKUPS), 1);
	assert_string_equal(state(), "established");
	assert_int_equal(flow.state, MD_FLOW_NEW);
	tx(1, 999, 780, PA, "xyz");
	expect(1, "xyz");
	assert_int_equal(flow.state, MD_FLOW_ESTABLISHED);
	end();
	assert_int_equal(R.eof[0] + R.eof[1], 2);
	balanced();
}

static void test_midstream_off(void **st)
{
	struct md_stream_cfg cfg = defcfg();

	(void)st;
	cfg.midstream = false;
	start(&cfg);
	tx(0, 777, 0, PA, "abc");
	tx(1, 999, 780, PA, "xyz");
	assert_int_equal(R.len[0] + R.len[1], 0);
	assert_int_equal(C(TCP_MIDSTREAM_SKIPPED), 1);
	assert_int_equal(C(TCP_MIDSTREAM_PICKUPS), 0);
	assert_int_equal(C(TCP_IGNORED_BYTES), 6);
	tx(1, 1002, 780, MD_TH_RST, "");
	assert_int_equal(flow.state, MD_FLOW_CLOSED);
	end();
	assert_int_equal(R.eof[0] + R.eof[1], 0);
	balanced();
	/* a SYN-ACK first is not a SYN either */
	start(&cfg);
	tx(1, 5000, 1001, MD_TH_SYN | ACK, "");
	tx(0, 1001, 5001, PA, "abc");
	assert_int_equal(R.len[0], 0);
	assert_int_equal(C(TCP_MIDSTREAM_SKIPPED), 1);
	end();
}

static void test_synack_first(void **st)
{
	struct md_stream_cfg cfg = defcfg();
	int s;

	(void)st;
	for (s = 0; s < 2; s++) { /* s = 1: the SYN-ACK's side is direction 0 */
		start(&cfg);
		tx(1 - s, 5000, 1001, MD_TH_SYN | ACK, "");
		assert_string_equal(state(), "syn_recv");
		assert_int_equal(C(TCP_MIDSTREAM_PICKUPS), 1);
		tx(s, 1001, 5001, PA, "hi");
		assert_string_equal(state(), "established");
		tx(1 - s, 5001, 1003, PA, "yo");
		expect(s, "hi");
		expect(1 - s, "yo");
		assert_int_equal(flow.state, MD_FLOW_ESTABLISHED);
		end();
	}
}

static void test_fin(void **st)
{
	struct md_stream_cfg cfg = defcfg();

	(void)st;
	start(&cfg);
	hs(0, 100);
	tx(0, 1, 101, PA, "aaaaa");
	tx(0, 11, 101, FA, "ccccc"); /* FIN after a hole */
	assert_int_equal(R.eof[0], 0);
	assert_string_equal(state(), "fin_wait1");
	tx(0, 6, 101, PA, "bbbbb");
	expect(0, "aaaaabbbbbccccc");
	assert_int_equal(R.eof[0], 1);
	tx(0, 11, 101, FA, "ccccc"); /* retransmitted FIN */
	assert_int_equal(R.eof[0], 1);
	tx(1, 101, 17, ACK, "");
	assert_string_equal(state(), "fin_wait2");
	assert_int_equal(flow.state, MD_FLOW_ESTABLISHED);
	tx(1, 101, 17, FA, "");
	assert_string_equal(state(), "time_wait");
	assert_int_equal(flow.state, MD_FLOW_CLOSED);
	assert_int_equal(R.eof[1], 1);
	tx(0, 17, 102, ACK, "");
	assert_string_equal(state(), "closed");
	tx(0, 17, 102, PA, "late"); /* past the FIN */
	end();
	assert_int_equal(R.eof[0] + R.eof[1], 2);
	assert_int_equal(C(TCP_IGNORED_BYTES), 4);
	balanced();

	start(&cfg); /* the server closes first */
	hs(0, 100);
	tx(1, 101, 1, FA, "");
	assert_string_equal(state(), "close_wait");
	tx(0, 1, 102, FA, "");
	assert_string_equal(state(), "last_ack");
	tx(1, 102, 2, ACK, "");
	assert_string_equal(state(), "closed");
	end();

	start(&cfg); /* simultaneous close */
	hs(0, 100);
	tx(0, 1, 101, FA, "");
	tx(1, 101, 1, FA, "");
	assert_string_equal(state(), "closing");
	tx(1, 102, 2, ACK, "");
	assert_string_equal(state(), "time_wait");
	end();
}

static void test_rst(void **st)
{
	struct md_stream_cfg cfg = defcfg();

	(void)st;
	start(&cfg);
	hs(0, 100);
	tx(0, 1, 101, PA, "hello");
	tx(0, 11, 101, PA, "queued");
	tx(1, 101, 6, MD_TH_RST | ACK, "");
	assert_int_equal(C(TCP_RST), 1);
	assert_string_equal(state(), "closed");
	assert_int_equal(flow.state, MD_FLOW_CLOSED);
	assert_int_equal(R.eof[0] + R.eof[1], 2);
	expect(0, "hello?????queued");
	tx(0, 17, 101, PA, "after");
	assert_int_equal(R.len[0], 16);
	end();
	assert_int_equal(R.eof[0] + R.eof[1], 2);
	balanced();

	start(&cfg); /* RST in SYN_SENT must acknowledge the SYN */
	tx(0, 50, 0, MD_TH_SYN, "");
	tx(1, 0, 0, MD_TH_RST, "");
	assert_int_equal(EV(RST_INVALID_ACK), 1);
	tx(1, 0, 77, MD_TH_RST | ACK, "");
	assert_int_equal(EV(RST_INVALID_ACK), 2);
	assert_string_equal(state(), "syn_sent");
	tx(1, 0, 51, MD_TH_RST | ACK, "diag");
	assert_string_equal(state(), "closed");
	assert_int_equal(EV(RST_WITH_DATA), 1);
	end();
	balanced();
}

static void test_depth(void **st)
{
	struct md_stream_cfg cfg = defcfg();

	(void)st;
	cfg.depth = 10;
	start(&cfg);
	hs(0, 100);
	tx(0, 1, 101, PA, "0123456");
	tx(0, 15, 101, PA, "EFG"); /* out of order, all past the depth */
	assert_int_equal(ctx.memcap.used, SSN);
	tx(0, 8, 101, PA, "789ABCD");
	expect(0, "0123456789");
	assert_int_equal(C(TCP_DEPTH_BYTES), 3 + 4);
	assert_int_equal(C(TCP_STREAM_DEPTH_REACHED), 1);
	tx(0, 18, 101, FA, "HIJ");
	assert_int_equal(R.eof[0], 1);
	assert_int_equal(EV(REASSEMBLY_DEPTH_REACHED), 1);
	tx(1, 101, 22, PA, "0123456789ABCDEF");
	expect(1, "0123456789");
	assert_int_equal(C(TCP_STREAM_DEPTH_REACHED), 2);
	assert_int_equal(C(TCP_DEPTH_BYTES), 3 + 4 + 3 + 6);
	end();
	assert_int_equal(R.gap[0] + R.gap[1], 0);
	balanced();
}

static void test_memcap(void **st)
{
	struct md_stream_cfg cfg = defcfg();

	(void)st;
	cfg.memcap = SSN + SEG(10);
	start(&cfg);
	hs(0, 100);
	tx(0, 11, 101, PA, "bbbbbbbbbb"); /* queued: fills the cap */
	tx(0, 21, 101, PA, "cccccccccc"); /* refused */
	assert_int_equal(C(TCP_SEGMENT_MEMCAP_DROP), 1);
	assert_int_equal(C(TCP_MEMCAP_BYTES), 10);
	assert_int_equal(EV(REASSEMBLY_MEMCAP), 1);
	assert_int_equal(ctx.memcap.hits, 1);
	tx(0, 1, 101, PA, "aaaaaaaaaa");
	tx(0, 31, 101, PA, "dddddddddd"); /* room again */
	expect(0, "aaaaaaaaaabbbbbbbbbb");
	end();
	expect(0, "aaaaaaaaaabbbbbbbbbb??????????dddddddddd");
	balanced();

	cfg.memcap = SSN - 1; /* no room for a session */
	start(&cfg);
	assert_int_equal(pkt(0, 1, 0, MD_TH_SYN, NULL, 0, 0), MD_E_NOMEM);
	assert_null(flow.tcp);
	assert_int_equal(C(TCP_SSN_MEMCAP_DROP), 1);
	end();

	cfg = defcfg(); /* the allocator fails */
	start(&cfg);
	md_mem_fail_after(1);
	assert_int_equal(pkt(0, 1, 0, MD_TH_SYN, NULL, 0, 0), MD_E_NOMEM);
	md_mem_fail_after(0);
	tx(0, 1, 0, MD_TH_SYN, "");
	md_mem_fail_after(1);
	tx(0, 12, 0, ACK, "xx");
	md_mem_fail_after(0);
	assert_int_equal(C(TCP_SEGMENT_MEMCAP_DROP), 1);
	assert_int_equal(ctx.memcap.used, SSN);
	end();
	balanced();
}

static void test_max_queued(void **st)
{
	struct md_stream_cfg cfg = defcfg();

	(void)st;
	cfg.max_queued = 2;
	start(&cfg);
	hs(0, 100);
	tx(0, 11, 101, PA, "BBBBB");
	tx(0, 21, 101, PA, "DDDDD");
	assert_false(md_stream_had_gap(&flow, 0));
	tx(0, 31, 101, PA, "FFFFF"); /* full: the first hole gives way */
	assert_int_equal(EV(REASSEMBLY_INSERT_LIMIT), 1);
	assert_true(md_stream_had_gap(&flow, 0));
	assert_false(md_stream_had_gap(&flow, 1));
	expect(0, "??????????BBBBB");
	tx(0, 16, 101, PA, "CCCCC");
	expect(0, "??????????BBBBBCCCCCDDDDD");
	end();
	expect(0, "??????????BBBBBCCCCCDDDDD?????FFFFF");
	balanced();

	start(&cfg); /* the new piece lies before the queue */
	hs(0, 100);
	tx(0, 11, 101, PA, "BBBBB");
	tx(0, 21, 101, PA, "DDDDD");
	tx(0, 6, 101, PA, "AAA");
	expect(0, "?????AAA");
	assert_int_equal(R.gap[0], 5);
	end();
	balanced();
}

static void test_bad_checksum(void **st)
{
	struct md_stream_cfg cfg = defcfg();

	(void)st;
	start(&cfg);
	assert_int_equal(pkt(0, 1, 0, MD_TH_SYN, NULL, 0, MD_PKT_CSUM_BAD), 0);
	assert_null(flow.tcp);
	hs(0, 100);
	assert_int_equal(pkt(0, 1, 101, PA, "evil", 4, MD_PKT_CSUM_BAD), 0);
	assert_int_equal(R.len[0], 0);
	tx(0, 1, 101, PA, "good");
	expect(0, "good");
	assert_int_equal(C(TCP_INVALID_CHECKSUM), 2);
	assert_int_equal(C(TCP_IGNORED_BYTES), 4);
	end();
	balanced();
}

static void test_syn_data(void **st)
{
	struct md_stream_cfg cfg = defcfg();

	(void)st;
	start(&cfg);
	tx(0, 100, 0, MD_TH_SYN, "early");
	expect(0, "early");
	tx(1, 900, 106, MD_TH_SYN | ACK, "");
	assert_string_equal(state(), "syn_recv");
	tx(0, 101, 901, PA, "early");
	tx(0, 106, 901, PA, "!");
	expect(0, "early!");
	assert_int_equal(C(TCP_DUP_BYTES), 5);
	end();
	balanced();
}

static void test_handshake_events(void **st)
{
	struct md_stream_cfg cfg = defcfg();

	(void)st;
	start(&cfg);
	tx(0, 100, 0, MD_TH_SYN, "");
	tx(0, 500, 101, MD_TH_SYN | ACK, "");
	assert_int_equal(EV(3WHS_SYNACK_IN_WRONG_DIRECTION), 1);
	tx(1, 500, 555, MD_TH_SYN | ACK, "");
	assert_int_equal(EV(3WHS_SYNACK_WITH_WRONG_ACK), 1);
	assert_string_equal(state(), "syn_sent");
	tx(0, 200, 0, MD_TH_SYN, ""); /* new attempt, new ISN */
	tx(1, 500, 201, MD_TH_SYN | ACK, "");
	assert_string_equal(state(), "syn_recv");
	tx(0, 201, 501, PA, "ok");
	expect(0, "ok");
	end();
}

static void test_window(void **st)
{
	struct md_stream_cfg cfg = defcfg();

	(void)st;
	start(&cfg);
	g_win = 1000;
	hs(0, 100);
	tx(0, 5001, 101, PA, "far"); /* beyond 1 + 1000: still queued */
	assert_int_equal(EV(EST_PACKET_OUT_OF_WINDOW), 1);
	tx(0, 6001, 101, FA, "");
	assert_int_equal(EV(FIN_OUT_OF_WINDOW), 1);
	tx(1, 9000, 1, MD_TH_RST | ACK, "");
	assert_int_equal(EV(EST_PACKET_OUT_OF_WINDOW), 2);
	assert_string_equal(state(), "established");
	tx(1, 101, 1, FA, "");
	assert_string_equal(state(), "close_wait");
	tx(0, 7001, 102, FA, "");
	assert_int_equal(EV(CLOSEWAIT_FIN_OUT_OF_WINDOW), 1);
	assert_string_equal(state(), "close_wait");
	end();

	start(&cfg); /* scaled windows: 100 << 7 covers it */
	g_win = 100;
	g_wscale = 7;
	hs(0, 100);
	tx(1, 101, 1, ACK, "");
	tx(0, 5001, 101, PA, "far");
	assert_int_equal(EV(EST_PACKET_OUT_OF_WINDOW), 0);
	end();
}

static void test_acks(void **st)
{
	struct md_stream_cfg cfg = defcfg();

	(void)st;
	start(&cfg);
	hs(1000, 100);
	tx(1, 101, 0, ACK, "");
	assert_int_equal(EV(PKT_BROKEN_ACK), 1);
	tx(0, 1001, 101, PA, "aaaaa");
	tx(0, 1011, 101, PA, "ccccc");
	tx(1, 101, 1016, ACK, ""); /* acknowledges the hole */
	assert_int_equal(R.gap[0], 0);
	tx(0, 1016, 101, ACK, ""); /* the sender moved on: give it up */
	expect(0, "aaaaa?????ccccc");
	tx(0, 1006, 101, PA, "bbbbb"); /* too late */
	assert_int_equal(C(TCP_DUP_BYTES), 5);
	tx(1, 101, 1030, ACK, ""); /* 14 bytes never seen */
	assert_int_equal(C(TCP_ACK_UNSEEN_DATA), 1);
	tx(0, 1030, 101, FA, "");
	tx(1, 101, 1100, ACK, "");
	assert_int_equal(EV(PKT_INVALID_ACK), 1);
	end();
	expect(0, "aaaaa?????ccccc??????????????");
	assert_int_equal(R.eof[0], 1);
	balanced();
}

static void test_names(void **st)
{
	static const char *const st_names[] = {
	    "none",	 "syn_sent",  "syn_recv",  "established",
	    "fin_wait1", "fin_wait2", "time_wait", "close_wait",
	    "last_ack",	 "closing",   "closed"};
	char want[128];
	unsigned i, j;

	(void)st;
	for (i = 0; i <= MD_TCP_CLOSED; i++)
		assert_string_equal(md_stream_state_name(i), st_names[i]);
	assert_string_equal(md_stream_state_name(99), "none");
	assert_string_equal(md_stream_event_name(MD_SEV_REASSEMBLY_SEQ_GAP),
			    "reassembly_seq_gap");
	assert_string_equal(md_stream_event_name(MD_SEV_MAX), "");
	for (i = 0; i < MD_SEV_MAX; i++) { /* each has its counter */
		snprintf(want, sizeof(want), "stream.%s",
			 md_stream_event_name(i));
		for (j = 0; j < MD_CTR_MAX; j++)
			if (!strcmp(md_counter_name(j), want))
				break;
		assert_true(j < MD_CTR_MAX);
	}
	assert_string_equal(md_counter_name(MD_CTR_TCP_GAP_BYTES),
			    "tcp.gap_bytes");
	start(NULL);
	md_stream_flow_end(&ctx, &flow);
	assert_int_equal(md_stream_state(&flow), MD_TCP_NONE);
	assert_false(md_stream_had_gap(&flow, 0));
	md_stream_fini(&ctx);
}

/* Runs after the targeted tests, before the random ones: every event in
 * stream-events.def must have been raised by one of them. */
static void test_every_event_raised(void **st)
{
	unsigned i;

	(void)st;
	for (i = 0; i < MD_SEV_MAX; i++) {
		if (!seen[i])
			fail_msg("event %s never raised",
				 md_stream_event_name(i));
	}
}

/* xorshift64*, fixed seed: the same runs every time */
static uint64_t rs = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return n ? (uint32_t)((rs * 0x2545f4914f6cdd1dull) >> 33) % n : 0;
}

struct rseg {
	uint8_t dir, fl;
	uint32_t off, len;
};

#define MAXLEN 30000
static struct rseg one[2][3 * MAXLEN + 2], segs[6 * MAXLEN + 4];
static uint8_t src[2][MAXLEN], cov[2][MAXLEN];

/* Cut one direction into random segments, with duplicates and overlapping
 * re-cut copies of the same bytes, then a FIN. */
static unsigned cut(struct rseg *out, uint8_t d, uint32_t total,
		    uint32_t maxseg)
{
	unsigned n = 0;
	uint32_t off, len, a, b;

	for (off = 0; off < total; off += len) {
		len = rnd(4) ? 1 + rnd(maxseg) : 1 + rnd(3);
		len = len < total - off ? len : total - off;
		out[n++] = (struct rseg){d, PA, off, len};
		if (!rnd(6)) {
			out[n] = out[n - 1];
			n++;
		}
		if (!rnd(8)) {
			a = off > 700 ? off - rnd(700) : 0;
			b = a + 1 + rnd(1400);
			b = b < total ? b : total;
			out[n++] = (struct rseg){d, PA, a, b - a};
		}
	}
	out[n++] = (struct rseg){d, FA, total, 0};
	return n;
}

/* Both directions interleaved at random, then shuffled within a window. */
static unsigned gen(const uint32_t total[2], uint32_t maxseg, unsigned win)
{
	unsigned n[2], i[2] = {0, 0}, k = 0, j, d, w;
	struct rseg t;

	n[0] = cut(one[0], 0, total[0], maxseg);
	n[1] = cut(one[1], 1, total[1], maxseg);
	while (i[0] < n[0] || i[1] < n[1]) {
		d = i[0] == n[0] ? 1 : i[1] == n[1] ? 0 : rnd(2);
		segs[k++] = one[d][i[d]++];
	}
	for (j = 0; j + 1 < k; j++) {
		w = j + rnd(win < k - j ? win : k - j);
		t = segs[j];
		segs[j] = segs[w];
		segs[w] = t;
	}
	return k;
}

/* What a receiver that got every segment sent so far acknowledges. */
static uint32_t covered(unsigned d, const struct rseg *s, uint32_t *rcv,
			uint32_t total)
{
	memset(cov[d] + s->off, 1, s->len);
	while (rcv[d] < total && cov[d][rcv[d]])
		rcv[d]++;
	return rcv[d];
}

/* Random streams, both directions, ACKs as a real receiver sends them.
 * lossy: drop segments, small memcap and queue, random depth; delivered
 * bytes must still sit at their offsets, gaps fill the rest. */
static void run_random(unsigned iters, bool lossy)
{
	struct md_stream_cfg cfg = defcfg();
	uint32_t total[2], isn[2], rcv[2], want, i, d, it, n, ack;

	for (it = 0; it < iters; it++) {
		if (lossy) {
			cfg.memcap = SSN + rnd(20000);
			cfg.max_queued = 1 + rnd(8);
			cfg.depth = rnd(2) ? 0 : rnd(MAXLEN);
		}
		start(&cfg);
		g_win = 65535;
		memset(cov, 0, sizeof(cov));
		for (d = 0; d < 2; d++) {
			total[d] = rnd(4) ? rnd(MAXLEN) : rnd(50);
			isn[d] = rnd(3) ? (uint32_t)rs : 0u - rnd(40000);
			rcv[d] = 0;
			for (i = 0; i < total[d]; i++)
				src[d][i] = (uint8_t)rnd(256);
		}
		hs(isn[0], isn[1]);
		n = gen(total, rnd(2) ? 1460 : 8, 1 + rnd(24));
		for (i = 0; i < n; i++) {
			struct rseg *s = &segs[i];

			covered(s->dir, s, rcv, total[s->dir]);
			if (lossy && s->len && !rnd(10))
				continue;
			ack = isn[!s->dir] + 1 + rcv[!s->dir];
			pkt(s->dir, isn[s->dir] + 1 + s->off, ack, s->fl,
			    src[s->dir] + s->off, s->len, 0);
		}
		end();
		for (d = 0; d < 2; d++) {
			want = total[d];
			if (cfg.depth && cfg.depth < want)
				want = (uint32_t)cfg.depth;
			assert_int_equal(R.eof[d], 1);
			assert_int_equal(R.len[d], want);
			if (!lossy) {
				assert_int_equal(R.gap[d], 0);
				assert_memory_equal(R.buf[d], src[d], want);
				continue;
			}
			for (i = 0; i < want; i++)
				if (!R.isgap[d][i])
					assert_int_equal(R.buf[d][i],
							 src[d][i]);
		}
		assert_int_equal(EV(REASSEMBLY_OVERLAP_DIFFERENT_DATA), 0);
		balanced();
	}
}

#ifndef GARBAGE_ITERS
#define GARBAGE_ITERS 300
#endif

/* Packets with random flags, sequence and acknowledgement numbers (mostly
 * near both streams, some anywhere), random payloads (some over 64 KiB)
 * and configurations: nothing may crash or leak, every byte is accounted
 * for, eof comes at most once. */
static void test_random_garbage(void **st)
{
	static uint8_t big[70000];
	struct md_stream_cfg cfg;
	uint8_t data[64], fl;
	const uint8_t *pl;
	uint32_t base[2], it, i, d, seq, ack, len, pf;

	(void)st;
	for (it = 0; it < GARBAGE_ITERS; it++) {
		cfg = defcfg();
		cfg.midstream = rnd(4) != 0;
		cfg.depth = rnd(3) ? 0 : rnd(200);
		cfg.max_queued = rnd(6);
		cfg.memcap = rnd(2) ? 0 : SSN + rnd(400);
		start(&cfg);
		g_win = rnd(2) ? 0 : (uint16_t)rnd(3000);
		g_wscale = rnd(4) ? 0xff : (uint8_t)rnd(16);
		base[0] = (uint32_t)rs;
		base[1] = rnd(2) ? 0u - 100 : (uint32_t)(rs >> 7);
		for (i = 0; i < sizeof(data); i++)
			data[i] = (uint8_t)rnd(rnd(2) ? 2 : 256);
		for (i = 0; i < 150; i++) {
			d = rnd(2);
			seq = rnd(16) ? base[d] + rnd(300) - 20 : (uint32_t)rs;
			ack = rnd(8) ? base[!d] + rnd(300) - 20 : (uint32_t)rs;
			fl = (uint8_t)(rnd(3) ? ACK | (rnd(4) ? 0 : rnd(256))
					      : rnd(256));
			len = rnd(3) ? rnd(40) : 0;
			pl = data + rnd(24);
			if (!rnd(50)) {
				pl = big;
				len = rnd(sizeof(big));
			}
			pf = rnd(40) ? 0 : MD_PKT_CSUM_BAD;
			pkt((int)d, seq, ack, fl, pl, len, pf);
		}
		end();
		assert_true(R.eof[0] <= 1 && R.eof[1] <= 1);
		balanced();
	}
}

static void test_random_exact(void **st)
{
	(void)st;
	run_random(400, false);
}

static void test_random_lossy(void **st)
{
	(void)st;
	run_random(300, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_handshake_inorder),
	    cmocka_unit_test(test_one_byte_segments),
	    cmocka_unit_test(test_reorder),
	    cmocka_unit_test(test_duplicates),
	    cmocka_unit_test(test_overlap),
	    cmocka_unit_test(test_gap_at_flow_end),
	    cmocka_unit_test(test_seq_wrap),
	    cmocka_unit_test(test_midstream_on),
	    cmocka_unit_test(test_midstream_off),
	    cmocka_unit_test(test_synack_first),
	    cmocka_unit_test(test_fin),
	    cmocka_unit_test(test_rst),
	    cmocka_unit_test(test_depth),
	    cmocka_unit_test(test_memcap),
	    cmocka_unit_test(test_max_queued),
	    cmocka_unit_test(test_bad_checksum),
	    cmocka_unit_test(test_syn_data),
	    cmocka_unit_test(test_handshake_events),
	    cmocka_unit_test(test_window),
	    cmocka_unit_test(test_acks),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_every_event_raised),
	    cmocka_unit_test(test_random_exact),
	    cmocka_unit_test(test_random_lossy),
	    cmocka_unit_test(test_random_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
