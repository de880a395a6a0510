/* detect-match.c - the full match of one signature (header, flow,
 * non-buffer checks, buffer lists) and what follows a match: flowbits and
 * flowint changes, suppress/thresholds, the pass verdict and the alert,
 * placed in action order (pass, drop, reject, alert).
 */
#include <string.h>

#include "detect-int.h"

static bool proto_ok(const struct md_eval *ev, const struct md_sig *s)
{
	/* A transaction or event of a protocol carried inside another one
	 * (sdc in http) has the carrier's transport: app_ok() binds it. */
	if (s->app >= 0 &&
	    ((s->kind == MD_SK_TX && ev->tx && ev->tx_pid == s->app) ||
	     (s->kind == MD_SK_EVENT && ev->ev_pid == s->app)))
		return true;
	switch (s->hproto) {
	case MD_HP_PKTHDR:
		return true;
	case MD_HP_TCP:
		return ev->ipproto == 6;
	case MD_HP_UDP:
		return ev->ipproto == 17;
	case MD_HP_ICMP:
		return (ev->ipproto == 1 && s->icmp6 != 2) ||
		       (ev->ipproto == 58 && s->icmp6 != 1);
	default:
		return ev->ipver != 0;
	}
}

static bool ends_ok(const struct md_eval *ev, const struct md_addrset *as,
		    const struct md_portset *ps, const struct md_addr *a,
		    uint16_t port)
{
	if (!as->any && (!a || !md_daddr_match(as, a, ev->ipver)))
		return false;
	if (!ps->any && (!ev->has_l4 || !md_dport_match(ps, port)))
		return false;
	return true;
}

static bool header_ok(const struct md_eval *ev, const struct md_sig *s)
{
	if (!proto_ok(ev, s))
		return false;
	if (ends_ok(ev, &s->src, &s->sp, ev->src, ev->sp) &&
	    ends_ok(ev, &s->dst, &s->dp, ev->dst, ev->dp))
		return true;
	return s->bidir && ends_ok(ev, &s->src, &s->sp, ev->dst, ev->dp) &&
	       ends_ok(ev, &s->dst, &s->dp, ev->src, ev->sp);
}

/* The rule's protocol is the flow's, or that of the transaction or event
 * being inspected (a protocol carried inside another, e.g. sdc in http). */
static bool app_ok(const struct md_eval *ev, int app)
{
	if (ev->f && ev->f->app_id == app + 1)
		return true;
	return (ev->tx && ev->tx_pid == app) || ev->ev_pid == app;
}

static bool flow_ok(const struct md_eval *ev, const struct md_sig *s)
{
	if (s->app >= 0 && !app_ok(ev, s->app))
		return false;
	uint8_t need = s->flow & (MD_FL_TOSERVER | MD_FL_TOCLIENT |
				  MD_FL_ESTABLISHED | MD_FL_NOT_ESTABLISHED);
	if (!need)
		return true;
	if (!ev->f)
		return false;
	if ((s->flow & MD_FL_TOSERVER) && ev->dir != 0)
		return false;
	if ((s->flow & MD_FL_TOCLIENT) && ev->dir != 1)
		return false;
	bool est = ev->f->state != MD_FLOW_NEW;
	if ((s->flow & MD_FL_ESTABLISHED) && !est)
		return false;
	if ((s->flow & MD_FL_NOT_ESTABLISHED) && est)
		return false;
	return true;
}

static bool arg_eq(const struct md_tx_val *v, const char *arg)
{
	if (!arg)
		return true;
	size_t n = strlen(arg);
	return v->arglen == n && !memcmp(v->bytes, arg, n);
}

static bool ufield_ok(const struct md_eval *ev, const struct md_check *c)
{
	if (!ev->tx)
		return false;
	for (const struct md_tx_val *v = ev->tx->vals; v; v = v->next)
		if (!v->is_group && v->field == c->uf.field &&
		    arg_eq(v, c->uf.arg) && md_umatch_eval(&c->uf.u, v->u))
			return true;
	return false;
}

static bool app_event_ok(const struct md_eval *ev, const struct md_check *c)
{
	if (ev->s->kind == MD_SK_EVENT)
		return ev->ev_pid == c->ev.pid && ev->ev == c->ev.ev;
	if (!ev->tx)
		return false;
	for (uint8_t i = 0; i < ev->tx->n_events; i++)
		if (ev->tx->events[i] == c->ev.ev)
			return true;
	return false;
}

static bool appproto_ok(const struct md_eval *ev, const struct md_check *c)
{
	const struct md_flow *f = ev->f;
	bool r;
	if (c->ap.special == 1)
		r = !f || (!f->app_id && !f->app_failed);
	else if (c->ap.special == 2)
		r = f && f->app_failed;
	else
		r = f && f->app_id == c->ap.pid + 1;
	return r != c->ap.neg;
}

static bool decode_ev_ok(const struct md_eval *ev, const struct md_check *c)
{
	if (!ev->p)
		return false;
	for (uint8_t i = 0; i < ev->p->n_events; i++)
		if (ev->p->events[i] == c->ev.ev)
			return true;
	return false;
}

static bool tcpflags_ok(const struct md_packet *p, const struct md_check *c)
{
	if (!p || p->proto != 6)
		return false;
	uint8_t f = p->tcp_flags & (uint8_t)~c->tf.ignore, want = c->tf.set;
	switch (c->tf.mod) {
	case MD_FLM_ALL:
		return (f & want) == want;
	case MD_FLM_ANY:
		return (f & want) != 0;
	case MD_FLM_NONE:
		return (f & want) == 0;
	default:
		return f == want;
	}
}

static bool tcp_int_ok(const struct md_packet *p, const struct md_check *c)
{
	if (!p || p->proto != 6)
		return false;
	uint64_t v = c->type == MD_CK_SEQ   ? p->tcp_seq
		     : c->type == MD_CK_ACK ? p->tcp_ack
					    : p->tcp_win;
	return md_umatch_eval(&c->u, v);
}

static bool check_ok(const struct md_eval *ev, const struct md_check *c)
{
	const struct md_packet *p = ev->p;
	switch (c->type) {
	case MD_CK_DSIZE:
		return p && md_umatch_eval(&c->u, p->payload_len);
	case MD_CK_FLOWBITS:
		return md_dcheck_flowbits(ev, c);
	case MD_CK_FLOWINT:
		return md_dcheck_flowint(ev, c);
	case MD_CK_APPPROTO:
		return appproto_ok(ev, c);
	case MD_CK_DECODE_EV:
		return decode_ev_ok(ev, c);
	case MD_CK_APP_EV:
		return app_event_ok(ev, c);
	case MD_CK_UFIELD:
		return ufield_ok(ev, c);
	case MD_CK_TTL:
		return p && p->ip_ver && md_umatch_eval(&c->u, p->ttl);
	case MD_CK_ITYPE:
		return p && (p->proto == 1 || p->proto == 58) &&
		       md_umatch_eval(&c->u, p->icmp_type);
	case MD_CK_ICODE:
		return p && (p->proto == 1 || p->proto == 58) &&
		       md_umatch_eval(&c->u, p->icmp_code);
	case MD_CK_TCPFLAGS:
		return tcpflags_ok(p, c);
	case MD_CK_SEQ:
	case MD_CK_ACK:
	case MD_CK_WINDOW:
		return tcp_int_ok(p, c);
	case MD_CK_IPPROTO:
		return p && p->ip_ver && md_umatch_eval(&c->u, p->proto);
	}
	return false;
}

/* Whether a tx value belongs to list bl. */
static bool val_in_list(const struct md_eval *ev, const struct md_blist *bl,
			const struct md_tx_val *v)
{
	if (v->is_group)
		return false;
	if (bl->kind == MD_BUF_FIELD)
		return v->field == bl->field && arg_eq(v, bl->arg);
	if (v->field >= ev->pp->n_fields)
		return false;
	const struct md_field_def *fd = &ev->pp->fields[v->field];
	return fd->type == MD_FT_BYTES && (fd->flags & MD_FF_CHUNKED);
}

static bool list_ok(struct md_eval *ev, const struct md_blist *bl)
{
	if (bl->kind == MD_BUF_PAYLOAD)
		return md_dinspect(
		    ev, bl, ev->buf ? ev->buf : (const uint8_t *)"", ev->len);
	if (!ev->tx)
		return false;
	for (const struct md_tx_val *v = ev->tx->vals; v; v = v->next)
		if (val_in_list(ev, bl, v) &&
		    md_dinspect(ev, bl, md_tx_val_bytes(v), v->len))
			return true;
	return false;
}

bool md_dsig_match(struct md_eval *ev)
{
	const struct md_sig *s = ev->s;
	if (!header_ok(ev, s) || !flow_ok(ev, s))
		return false;
	for (uint32_t i = 0; i < s->n_checks; i++)
		if (!check_ok(ev, &s->checks[i]))
			return false;
	for (uint32_t i = 0; i < s->n_lists; i++)
		if (!list_ok(ev, &s->lists[i]))
			return false;
	return true;
}

static uint8_t rank(enum md_action a)
{
	return a == MD_ACT_PASS	   ? 0
	       : a == MD_ACT_DROP  ? 1
	       : a == MD_ACT_ALERT ? 3
				   : 2;
}

static void put_alert(struct md_alerts *out, const struct md_sig *s,
		      uint64_t tx_id, int dir)
{
	unsigned pos = out->n;
	while (pos > 0 && rank(out->a[pos - 1].sig->action) > s->action_rank)
		pos--;
	if (out->n == MD_MAX_ALERTS) {
		out->overflow++;
		if (pos == MD_MAX_ALERTS)
			return;
		out->n--; /* the last (lowest action) makes room */
	}
	memmove(&out->a[pos + 1], &out->a[pos],
		(out->n - pos) * sizeof(out->a[0]));
	out->a[pos].sig = &s->info;
	out->a[pos].tx_id = tx_id;
	out->a[pos].dir = dir;
	out->n++;
}

void md_dsig_matched(struct md_eval *ev, uint64_t tx_id, struct md_alerts *out)
{
	const struct md_sig *s = ev->s;
	md_dposts_apply(ev);
	bool act;
	bool alert = md_dthr_check(ev, &act);
	enum md_action a = s->info.action;
	if (a == MD_ACT_PASS) {
		out->pass_flow = true;
		if (!ev->fs)
			ev->fs = md_dflow_get(ev->t->d, ev->f);
		if (ev->fs)
			ev->fs->passed = true;
	} else if (act && a != MD_ACT_ALERT) {
		out->drop = true;
	}
	if (alert && !s->info.noalert)
		put_alert(out, s, tx_id, ev->dir);
}
