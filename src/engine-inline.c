/* engine-inline.c - the inline steps of the worker pipeline: verdicts,
 * sticky flow actions, exception policies and held out-of-order packets.
 *
 *   md_worker_verdict(p)
 *     flow dropped?  -> drop (no inspection)       ips.drop_reason.flow_drop
 *     flow bypassed? -> accept (no inspection)
 *     stream -> app layer -> detect
 *       drop/reject rule -> flow dropped, packet dropped/rejected
 *       memcap, parser failure, inline gap -> exception policy
 *     TCP bytes waiting for a hole -> hold (bounded: vs.cfg.max_held
 *       packets per worker, hold_timeout_ms each; past either bound the
 *       tcp.reassembly exception policy applies)
 *     held packets of the flow that became inspectable -> released with
 *       the flow's verdict
 *
 * A verdict is given only after the app layer and detection saw every
 * in-order byte up to and including the packet.
 */
#include <string.h>

#include "engine-int.h"
#include "util-time.h"

/* Counters per target: pass-flow, drop-flow. */
static const int exc_ctr[MD_EXC_MAX][2] = {
    {MD_CTR_EXC_FLOW_MEMCAP_PASS, MD_CTR_EXC_FLOW_MEMCAP_DROP},
    {MD_CTR_EXC_TCP_SSN_MEMCAP_PASS, MD_CTR_EXC_TCP_SSN_MEMCAP_DROP},
    {MD_CTR_EXC_TCP_REASSEMBLY_PASS, MD_CTR_EXC_TCP_REASSEMBLY_DROP},
    {MD_CTR_EXC_APP_MEMCAP_PASS, MD_CTR_EXC_APP_MEMCAP_DROP},
    {MD_CTR_EXC_APP_ERROR_PASS, MD_CTR_EXC_APP_ERROR_DROP},
};

/* ips.drop_reason of the packet that triggered a drop-flow policy. */
static const int exc_reason[MD_EXC_MAX] = {
    MD_CTR_IPS_DROP_FLOW_MEMCAP, MD_CTR_IPS_DROP_STREAM_MEMCAP,
    MD_CTR_IPS_DROP_STREAM_REASSEMBLY, MD_CTR_IPS_DROP_APPLAYER_MEMCAP,
    MD_CTR_IPS_DROP_APPLAYER_ERROR};

/* Whether a decision on flow f (NULL: the packet alone) concerns the
 * packet being processed. */
static bool is_current(const struct md_worker *w, const struct md_flow *f)
{
	return w->cur && (!f || w->cur->flow == f);
}

static void packet_verdict(struct md_worker *w, enum md_verdict v, int reason)
{
	if (w->verdict == MD_VERDICT_REJECT)
		return;
	if (v == MD_VERDICT_REJECT || w->verdict != MD_VERDICT_DROP) {
		w->verdict = (uint8_t)v;
		w->drop_reason = reason;
	}
}

static uint8_t reject_to(enum md_action a)
{
	switch (a) {
	case MD_ACT_REJECTSRC:
		return 1;
	case MD_ACT_REJECTDST:
		return 2;
	default:
		return 3; /* reject, rejectboth: reset both ends */
	}
}

void md_inline_alerts(struct md_worker *w, struct md_flow *f,
		      const struct md_alerts *a)
{
	if (!a->drop) {
		if (f && f->action == MD_FLOW_ACT_NONE)
			f->action = MD_FLOW_ACT_PASS;
		return;
	}
	enum md_verdict v = MD_VERDICT_DROP;
	uint8_t to = 0;
	for (unsigned i = 0; i < a->n; i++) {
		enum md_action act = a->a[i].sig->action;
		if (act >= MD_ACT_REJECT) {
			v = MD_VERDICT_REJECT;
			to |= reject_to(act);
		}
	}
	if (f && f->action < MD_FLOW_ACT_DROP)
		f->action = MD_FLOW_ACT_DROP;
	if (!w->cur && f)
		return; /* flow end: no packet left to stop */
	if (w->cur && f && w->cur->flow != f)
		return;
	packet_verdict(w, v, MD_CTR_IPS_DROP_RULES);
	w->reject_to |= to;
	if (f && w->vs.n_held)
		md_inline_release(w, f, true);
}

void md_inline_exception(struct md_worker *w, struct md_flow *f,
			 const struct md_packet *p, enum md_exc_target t)
{
	enum md_exc_policy pol = (enum md_exc_policy)w->vs.cfg.policy[t];
	if (pol == MD_EXC_IGNORE)
		return;
	if (f && f->action >= MD_FLOW_ACT_BYPASS)
		return; /* already decided */
	if (p && (p->tcp_flags & MD_TH_RST) && t == MD_EXC_TCP_REASSEMBLY)
		return; /* a reset hands on its holes: nothing left to guard */
	w->ctr.v[exc_ctr[t][pol == MD_EXC_DROP_FLOW]]++;
	md_eve_exception(w->eng->eve, f, p, t, pol,
			 p ? p->ts_usec : w->now_usec);
	if (pol == MD_EXC_PASS_FLOW) {
		if (f)
			f->action = MD_FLOW_ACT_BYPASS;
	} else {
		if (f)
			f->action = MD_FLOW_ACT_EXC_DROP;
		if (is_current(w, f))
			packet_verdict(w, MD_VERDICT_DROP, exc_reason[t]);
	}
	if (f && w->vs.n_held)
		md_inline_release(w, f, true);
}

bool md_inline_skip(struct md_worker *w, struct md_flow *f)
{
	w->app_mc_mark = w->ctr.v[MD_CTR_APP_BUF_MEMCAP];
	switch (f->action) {
	case MD_FLOW_ACT_DROP:
		packet_verdict(w, MD_VERDICT_DROP, MD_CTR_IPS_DROP_FLOW_DROP);
		return true;
	case MD_FLOW_ACT_EXC_DROP:
		packet_verdict(w, MD_VERDICT_DROP,
			       MD_CTR_IPS_DROP_EXC_FLOW_DROP);
		return true;
	case MD_FLOW_ACT_BYPASS:
		return true;
	default:
		return false;
	}
}

void md_inline_stream_done(struct md_worker *w, struct md_flow *f,
			   struct md_packet *p, int rc, uint64_t seg_before)
{
	if (rc == MD_E_NOMEM)
		md_inline_exception(w, f, p, MD_EXC_TCP_SSN_MEMCAP);
	else if (w->ctr.v[MD_CTR_TCP_SEGMENT_MEMCAP_DROP] > seg_before)
		md_inline_exception(w, f, p, MD_EXC_TCP_REASSEMBLY);
}

/* Keep p's verdict until its bytes can be inspected in order. */
static void hold(struct md_worker *w, struct md_flow *f,
		 const struct md_packet *p, uint32_t seq_end)
{
	struct md_vstate *vs = &w->vs;
	if (vs->n_held == vs->cfg.max_held) {
		MD_INC(&w->ctr, IPS_HOLD_EXPIRED);
		md_inline_exception(w, f, p, MD_EXC_TCP_REASSEMBLY);
		return; /* p gets the policy's verdict now */
	}
	struct md_held *h = &vs->held[vs->n_held++];
	h->f = f;
	h->id = w->pkt_id;
	h->dir = p->dir & 1;
	h->seq_end = seq_end;
	h->deadline_mono =
	    md_time_mono_usec() + vs->cfg.hold_timeout_ms * 1000ull;
	w->verdict = MD_VERDICT_HOLD;
	MD_INC(&w->ctr, IPS_HELD);
}

void md_inline_packet_done(struct md_worker *w, struct md_flow *f,
			   const struct md_packet *p)
{
	if (w->ctr.v[MD_CTR_APP_BUF_MEMCAP] > w->app_mc_mark)
		md_inline_exception(w, f, p, MD_EXC_APP_MEMCAP);
	if (w->vs.n_held)
		md_inline_release(w, f, false);
	if (!w->vs.held || p->proto != 6 || !p->payload_len ||
	    w->verdict != MD_VERDICT_ACCEPT || f->action >= MD_FLOW_ACT_BYPASS)
		return;
	uint32_t end = p->tcp_seq + ((p->tcp_flags & MD_TH_SYN) ? 1u : 0u) +
		       p->payload_len;
	if (md_stream_pending(f, p->dir, end))
		hold(w, f, p, end);
}

void md_inline_release(struct md_worker *w, struct md_flow *f, bool all)
{
	struct md_vstate *vs = &w->vs;
	uint32_t j = 0;
	for (uint32_t i = 0; i < vs->n_held; i++) {
		struct md_held h = vs->held[i];
		if (h.f != f ||
		    (!all && md_stream_pending(f, h.dir, h.seq_end))) {
			vs->held[j++] = h;
			continue;
		}
		enum md_verdict v = MD_VERDICT_ACCEPT;
		int reason = -1;
		if (f->action == MD_FLOW_ACT_DROP) {
			v = MD_VERDICT_DROP;
			reason = MD_CTR_IPS_DROP_FLOW_DROP;
		} else if (f->action == MD_FLOW_ACT_EXC_DROP) {
			v = MD_VERDICT_DROP;
			reason = MD_CTR_IPS_DROP_EXC_FLOW_DROP;
		}
		md_verdict_count(&w->ctr, v, reason);
		if (vs->ops.issue)
			vs->ops.issue(vs->ops.user, h.id, v);
	}
	vs->n_held = j;
}

/* Held packets whose wait ran out: the bytes before them never came. */
static void expire(struct md_worker *w, uint64_t now_mono)
{
	struct md_vstate *vs = &w->vs;
	while (vs->n_held && vs->held[0].deadline_mono <= now_mono) {
		struct md_flow *f = vs->held[0].f;
		MD_INC(&w->ctr, IPS_HOLD_EXPIRED);
		md_inline_exception(w, f, NULL, MD_EXC_TCP_REASSEMBLY);
		if (vs->n_held && vs->held[0].f == f)
			md_inline_release(w, f, true); /* policy ignore */
	}
}

int md_worker_inline(struct md_worker *w, const struct md_verdict_ops *ops)
{
	md_vstate_fini(&w->vs);
	return md_vstate_init(&w->vs, &w->eng->cfg.inl, ops);
}

enum md_verdict md_worker_verdict(struct md_worker *w, struct md_packet *p,
				  uint32_t id)
{
	w->pkt_id = id;
	md_worker_packet(w, p);
	return (enum md_verdict)w->verdict;
}

void md_worker_idle(struct md_worker *w, uint64_t now_mono)
{
	if (w->vs.n_held)
		expire(w, now_mono);
	md_worker_adopt_rules(w);
}
