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

static void tcp_flags(json_t *tcp, uint8_t fl)
{
	static const struct {
		uint8_t bit;
		const char *name;
	} names[] = {{MD_TH_SYN, "syn"}, {MD_TH_FIN, "fin"}, {MD_TH_RST, "rst"},
		     {MD_TH_PSH, "psh"}, {MD_TH_ACK, "ack"}, {MD_TH_URG, "urg"},
		     {MD_TH_ECE, "ecn"}, {MD_TH_CWR, "cwr"}};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (fl & names[i].bit)
			json_object_set_new(tcp, names[i].name, json_true());
}

static json_t *hexflags(uint8_t v)
{
	char b[4];
	snprintf(b, sizeof(b), "%02x", v);
	return json_string(b);
}

static json_t *tcp_object(const struct md_flow *f)
{
	json_t *tcp = json_object();
	uint8_t all = f->tcp_flags[0] | f->tcp_flags[1];
	json_object_set_new(tcp, "tcp_flags", hexflags(all));
	json_object_set_new(tcp, "tcp_flags_ts", hexflags(f->tcp_flags[0]));
	json_object_set_new(tcp, "tcp_flags_tc", hexflags(f->tcp_flags[1]));
	tcp_flags(tcp, all);
	enum md_tcp_state st = md_stream_state(f);
	if (st != MD_TCP_NONE)
		json_object_set_new(tcp, "state", json_string(md_stream_state_name(st)));
	if (md_stream_had_gap(f, 0))
		json_object_set_new(tcp, "ts_gap", json_true());
	if (md_stream_had_gap(f, 1))
		json_object_set_new(tcp, "tc_gap", json_true());
	return tcp;
}

void md_eve_flow(struct md_eve *eve, const struct md_flow *f,
		 uint64_t end_usec)
{
	char ts[MD_TS_LEN];
	if (!eve || !(eve->types & MD_EVE_FLOW))
		return;
	json_t *o = md_eve_header("flow", f->start_usec, f, NULL, -1);
	if (!o)
		return;
	json_t *fl = json_object();
	json_object_set_new(fl, "pkts_toserver", json_integer((json_int_t)f->pkts[0]));
	json_object_set_new(fl, "pkts_toclient", json_integer((json_int_t)f->pkts[1]));
	json_object_set_new(fl, "bytes_toserver", json_integer((json_int_t)f->bytes[0]));
	json_object_set_new(fl, "bytes_toclient", json_integer((json_int_t)f->bytes[1]));
	json_object_set_new(fl, "start", json_string(md_time_format(ts, f->start_usec)));
	if (end_usec < f->last_usec)
		end_usec = f->last_usec;
	json_object_set_new(fl, "end", json_string(md_time_format(ts, end_usec)));
	json_object_set_new(fl, "age", json_integer((json_int_t)((end_usec - f->start_usec) / 1000000u)));
	json_object_set_new(fl, "state", json_string(flow_states[f->state % 3]));
	json_object_set_new(fl, "reason", json_string(end_reasons[f->end_reason % 3]));
	json_object_set_new(fl, "alerted", json_boolean(f->alerted));
	if (f->emergency)
		json_object_set_new(fl, "emergency", json_true());
	json_object_set_new(o, "flow", fl);
	if (f->key.proto == 6)
		json_object_set_new(o, "tcp", tcp_object(f));
	md_eve_write(eve, MD_EVE_FLOW, o);
}
