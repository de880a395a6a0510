/* eve-flow.c - the `flow` record written when a flow ends.
 *
 * Suricata's shape: common header (timestamp = flow start), app_proto,
 * flow{pkts_*, bytes_*, start, end, age, state, reason, alerted,
 * emergency}, and for TCP tcp{tcp_flags, tcp_flags_ts, tcp_flags_tc,
 * syn..cwr booleans, state, ts_gap/tc_gap}.
 */
#include "eve.h"
#include "stream.h"
#include "util-time.h"

static const char *const end_reasons[] = {"timeout", "forced", "shutdown"};
static const char *const flow_states[] = {"new", "established", "closed"};

#define MD_JB_STACK 2048

static void tcp_flags(struct md_jb *jb, uint8_t fl)
{
	static const struct {
		uint8_t bit;
		const char *name;
	} names[] = {{MD_TH_SYN, "syn"}, {MD_TH_FIN, "fin"}, {MD_TH_RST, "rst"},
		     {MD_TH_PSH, "psh"}, {MD_TH_ACK, "ack"}, {MD_TH_URG, "urg"},
		     {MD_TH_ECE, "ecn"}, {MD_TH_CWR, "cwr"}};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (fl & names[i].bit)
			md_jb_bool(jb, names[i].name, true);
}

static void hexflags(struct md_jb *jb, const char *key, uint8_t v)
{
	static const char hex[] = "0123456789abcdef";
	char b[3] = {hex[v >> 4], hex[v & 15], 0};
	md_jb_str(jb, key, b);
}

static void tcp_object(struct md_jb *jb, const struct md_flow *f)
{
	uint8_t all = f->tcp_flags[0] | f->tcp_flags[1];
	md_jb_open(jb, "tcp");
	hexflags(jb, "tcp_flags", all);
	hexflags(jb, "tcp_flags_ts", f->tcp_flags[0]);
	hexflags(jb, "tcp_flags_tc", f->tcp_flags[1]);
	tcp_flags(jb, all);
	enum md_tcp_state st = md_stream_state(f);
	if (st != MD_TCP_NONE)
		md_jb_str(jb, "state", md_stream_state_name(st));
	if (md_stream_had_gap(f, 0))
		md_jb_bool(jb, "ts_gap", true);
	if (md_stream_had_gap(f, 1))
		md_jb_bool(jb, "tc_gap", true);
	md_jb_close(jb);
}

void md_eve_flow(struct md_eve *eve, const struct md_flow *f, uint64_t end_usec)
{
	char ts[MD_TS_LEN], stack[MD_JB_STACK];
	struct md_jb jb;
	if (!eve || !(eve->types & MD_EVE_FLOW))
		return;
	if (end_usec < f->last_usec)
		end_usec = f->last_usec;
	md_jb_init_buf(&jb, stack, sizeof(stack));
	md_eve_jb_header(&jb, "flow", f->start_usec, f, NULL, -1);
	md_jb_open(&jb, "flow");
	md_jb_uint(&jb, "pkts_toserver", f->pkts[0]);
	md_jb_uint(&jb, "pkts_toclient", f->pkts[1]);
	md_jb_uint(&jb, "bytes_toserver", f->bytes[0]);
	md_jb_uint(&jb, "bytes_toclient", f->bytes[1]);
	md_jb_str(&jb, "start", md_time_format(ts, f->start_usec));
	md_jb_str(&jb, "end", md_time_format(ts, end_usec));
	md_jb_uint(&jb, "age", (end_usec - f->start_usec) / 1000000u);
	md_jb_str(&jb, "state", flow_states[f->state % 3]);
	md_jb_str(&jb, "reason", end_reasons[f->end_reason % 3]);
	md_jb_bool(&jb, "alerted", f->alerted);
	if (f->emergency)
		md_jb_bool(&jb, "emergency", true);
	if (f->action >= 3) /* MD_FLOW_ACT_DROP and after (verdict.h) */
		md_jb_str(&jb, "action", "drop");
	md_jb_close(&jb);
	if (f->key.proto == 6)
		tcp_object(&jb, f);
	md_jb_close(&jb);
	md_eve_write_jb(eve, MD_EVE_FLOW, &jb);
	md_jb_free(&jb);
}
