/* detect-parse.c - rule text to signature: header, option splitting,
 * keyword dispatch and the checks made once every option is known.
 *
 *   action proto src sport -> dst dport (name:value; name; ...)
 *
 * Rule format per the Suricata user guide ("Rules Format", "Meta
 * Keywords", "Payload Keywords"): an option value runs to the first `;`
 * outside double quotes that is not escaped as `\;`. Keywords come from
 * the tables of detect-kw-*.c and, for "<proto>.<field>", from the parser
 * field tables (detect-kw-app.c).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect-int.h"
#include "registry.h"

/* ---- parse-state helpers ---------------------------------------------- */

struct md_blist *md_dps_list(struct md_pstate *ps)
{
	if (ps->cur < 0 && md_dps_select(ps, MD_BUF_PAYLOAD, -1, 0, NULL))
		return NULL;
	return &ps->s->lists[ps->cur];
}

struct md_item *md_dps_item(struct md_pstate *ps, uint8_t type)
{
	struct md_blist *l = md_dps_list(ps);
	if (!l)
		return NULL;
	if (l->n == l->cap) {
		uint32_t cap = l->cap ? l->cap * 2 : 4;
		struct md_item *it = md_realloc(l->items, cap * sizeof(*it));
		if (!it)
			return NULL;
		l->items = it;
		l->cap = cap;
	}
	struct md_item *it = &l->items[l->n++];
	memset(it, 0, sizeof(*it));
	it->type = type;
	if (type == MD_IT_CONTENT) {
		ps->last_list = ps->cur;
		ps->last_item = (int)l->n - 1;
	}
	ps->last_any_list = ps->cur;
	if (l->kind == MD_BUF_PAYLOAD)
		ps->has_payload = true;
	return it;
}

bool md_dps_has_prev(struct md_pstate *ps)
{
	return ps->cur >= 0 && ps->s->lists[ps->cur].n > 1;
}

struct md_check *md_dps_check(struct md_pstate *ps, bool post)
{
	struct md_sig *s = ps->s;
	struct md_check **arr = post ? &s->posts : &s->checks;
	uint32_t *n = post ? &s->n_posts : &s->n_checks;
	struct md_check *c = md_realloc(*arr, (*n + 1) * sizeof(*c));
	if (!c)
		return NULL;
	*arr = c;
	c = &c[(*n)++];
	memset(c, 0, sizeof(*c));
	return c;
}

int md_dps_select(struct md_pstate *ps, uint8_t kind, int16_t pid,
		  uint16_t field, const char *arg)
{
	struct md_sig *s = ps->s;
	for (uint32_t i = 0; i < s->n_lists; i++) {
		struct md_blist *l = &s->lists[i];
		if (l->kind == kind && l->pid == pid && l->field == field &&
		    ((!l->arg && !arg) ||
		     (l->arg && arg && !strcmp(l->arg, arg)))) {
			ps->cur = (int)i;
			return 0;
		}
	}
	struct md_blist *l =
	    md_realloc(s->lists, (s->n_lists + 1) * sizeof(*l));
	if (!l)
		return MD_E_NOMEM;
	s->lists = l;
	l = &l[s->n_lists];
	memset(l, 0, sizeof(*l));
	l->kind = kind;
	l->pid = pid;
	l->field = field;
	if (arg && !(l->arg = md_strdup(arg)))
		return MD_E_NOMEM;
	ps->cur = (int)s->n_lists++;
	if (kind != MD_BUF_PAYLOAD)
		ps->has_tx = true;
	return 0;
}

int md_dps_dval(struct md_pstate *ps, const char *s, struct md_dval *v)
{
	v->var = -1;
	if (!md_dparse_i64(s, &v->v))
		return 0;
	for (uint8_t i = 0; i < ps->n_vars; i++)
		if (!strcmp(ps->vars[i], s)) {
			v->var = (int8_t)i;
			v->v = 0;
			return 0;
		}
	if (isalpha((unsigned char)*s) || *s == '_')
		return md_derr(ps->err, ps->errlen,
			       "unknown byte_extract variable '%s'", s);
	return md_derr(ps->err, ps->errlen, "bad number '%s'", s);
}

/* ---- header ---------------------------------------------------------- */

static const struct {
	const char *name;
	enum md_action act;
	uint8_t rank;
} actions[] = {
    {"alert", MD_ACT_ALERT, 3},
    {"pass", MD_ACT_PASS, 0},
    {"drop", MD_ACT_DROP, 1},
    {"reject", MD_ACT_REJECT, 2},
    {"rejectsrc", MD_ACT_REJECTSRC, 2},
    {"rejectdst", MD_ACT_REJECTDST, 2},
    {"rejectboth", MD_ACT_REJECTBOTH, 2},
};

/* Next header token; a bracketed list may contain blanks. */
static char *htoken(char **pp)
{
	char *p = *pp;
	while (isspace((unsigned char)*p))
		p++;
	if (!*p)
		return NULL;
	char *start = p;
	int depth = 0;
	while (*p && (depth > 0 || !isspace((unsigned char)*p))) {
		if (*p == '[')
			depth++;
		else if (*p == ']')
			depth--;
		p++;
	}
	if (*p)
		*p++ = 0;
	*pp = p;
	return start;
}

static int parse_proto(struct md_pstate *ps, const char *proto)
{
	struct md_sig *s = ps->s;
	static const struct {
		const char *n;
		uint8_t hp, icmp6, flow;
	} tab[] = {
	    {"ip", MD_HP_IP, 0, 0},
	    {"tcp", MD_HP_TCP, 0, 0},
	    {"udp", MD_HP_UDP, 0, 0},
	    {"icmp", MD_HP_ICMP, 0, 0},
	    {"icmpv4", MD_HP_ICMP, 1, 0},
	    {"icmpv6", MD_HP_ICMP, 2, 0},
	    {"pkthdr", MD_HP_PKTHDR, 0, 0},
	    {"tcp-pkt", MD_HP_TCP, 0, MD_FL_NO_STREAM},
	    {"tcp-stream", MD_HP_TCP, 0, MD_FL_ONLY_STREAM},
	};
	s->app = -1;
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (!strcasecmp(proto, tab[i].n)) {
			s->hproto = tab[i].hp;
			s->icmp6 = tab[i].icmp6;
			s->flow |= tab[i].flow;
			return 0;
		}
	int id = md_registry_find(proto);
	if (id >= 0) {
		const struct md_parser *pp = md_registry_get((size_t)id);
		s->app = (int16_t)id;
		s->hproto = pp->ipproto == 6	? MD_HP_TCP
			    : pp->ipproto == 17 ? MD_HP_UDP
						: MD_HP_IP;
		s->info.app_proto = pp->name;
		return 0;
	}
	if (md_dkw_known_unsupported(proto)) {
		md_derr(ps->err, ps->errlen, "protocol '%s' is not supported",
			proto);
		return MD_E_UNSUPPORTED;
	}
	return md_derr(ps->err, ps->errlen, "unknown protocol '%s'", proto);
}

static int parse_header(struct md_pstate *ps, char **pp)
{
	struct md_sig *s = ps->s;
	char *tok[7];
	static const char *const what[7] = {
	    "action",	       "protocol",  "source address",
	    "source port",     "direction", "destination address",
	    "destination port"};
	for (int i = 0; i < 7; i++)
		if (!(tok[i] = htoken(pp)))
			return md_derr(ps->err, ps->errlen,
				       "incomplete rule header: no %s",
				       what[i]);
	size_t i;
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (!strcmp(tok[0], actions[i].name))
			break;
	if (i == sizeof(actions) / sizeof(actions[0]))
		return md_derr(ps->err, ps->errlen, "unknown action '%s'",
			       tok[0]);
	s->info.action = actions[i].act;
	s->action_rank = actions[i].rank;
	int rc = parse_proto(ps, tok[1]);
	if (rc)
		return rc;
	if (!strcmp(tok[4], "<>"))
		s->bidir = true;
	else if (strcmp(tok[4], "->"))
		return md_derr(ps->err, ps->errlen,
			       "direction must be -> or <>, not '%s'", tok[4]);
	char e[200];
	if ((rc = md_daddr_parse(ps->d, tok[2], &s->src, e, sizeof(e))) ||
	    (rc = md_daddr_parse(ps->d, tok[5], &s->dst, e, sizeof(e))))
		return rc == MD_E_NOMEM
			   ? rc
			   : md_derr(ps->err, ps->errlen, "bad address: %s", e);
	if ((rc = md_dport_parse(ps->d, tok[3], &s->sp, e, sizeof(e))) ||
	    (rc = md_dport_parse(ps->d, tok[6], &s->dp, e, sizeof(e))))
		return rc == MD_E_NOMEM
			   ? rc
			   : md_derr(ps->err, ps->errlen, "bad port: %s", e);
	return 0;
}

/* ---- options ------------------------------------------------------------ */

static const struct md_kw *const kw_tables[] = {
    md_dkw_meta, md_dkw_payload, md_dkw_byte, md_dkw_flow, md_dkw_app,
};

static const struct md_kw *kw_find(const char *name)
{
	for (size_t t = 0; t < sizeof(kw_tables) / sizeof(kw_tables[0]); t++)
		for (const struct md_kw *k = kw_tables[t]; k->name; k++)
			if (!strcasecmp(k->name, name))
				return k;
	return NULL;
}

static int one_option(struct md_pstate *ps, char *name, char *val)
{
	const struct md_kw *k = kw_find(name);
	if (k) {
		if ((k->flags & MD_KW_VALUE) && (!val || !*val))
			return md_derr(ps->err, ps->errlen, "%s needs a value",
				       name);
		if ((k->flags & MD_KW_NOVALUE) && val)
			return md_derr(ps->err, ps->errlen, "%s takes no value",
				       name);
		return k->parse(ps, val);
	}
	int rc = md_dkw_app_dynamic(ps, name, val);
	if (rc)
		return rc < 0 ? rc : 0;
	if (md_dkw_known_unsupported(name)) {
		md_derr(ps->err, ps->errlen, "keyword '%s' is not supported",
			name);
		return MD_E_UNSUPPORTED;
	}
	return md_derr(ps->err, ps->errlen, "unknown keyword '%s'", name);
}

static int parse_options(struct md_pstate *ps, char *p)
{
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			return 0;
		char *name = p;
		while (*p && *p != ':' && *p != ';' &&
		       !isspace((unsigned char)*p))
			p++;
		char *nend = p;
		while (isspace((unsigned char)*p))
			p++;
		char *val = NULL;
		if (*p == ':') {
			val = ++p;
			bool q = false;
			for (; *p && (q || *p != ';'); p++) {
				if (*p == '\\' && p[1])
					p++;
				else if (*p == '"')
					q = !q;
			}
			if (q)
				return md_derr(ps->err, ps->errlen,
					       "unbalanced quotes");
		}
		if (*p != ';') {
			*nend = 0;
			return md_derr(ps->err, ps->errlen,
				       "option '%s' is not terminated by ';'",
				       name);
		}
		*p++ = 0;
		*nend = 0;
		if (nend == name)
			return md_derr(ps->err, ps->errlen, "empty option");
		if (val)
			val = md_dtrim(val);
		int rc = one_option(ps, name, val);
		if (rc)
			return rc;
	}
}

/* ---- checks once all options are known ------------------------------ */

static void set_retry(struct md_blist *l)
{
	bool later_rel = false;
	for (uint32_t i = l->n; i-- > 0;) {
		l->items[i].retry = later_rel;
		if (l->items[i].relative)
			later_rel = true;
	}
}

/* Span of stream bytes a stream rule needs at once (history window). */
static uint32_t stream_span(const struct md_blist *l)
{
	uint64_t span = 0, chain = 0;
	uint32_t chains = 0;
	bool anchored_all = true;
	for (uint32_t i = 0; i < l->n; i++) {
		const struct md_item *it = &l->items[i];
		if (it->type != MD_IT_CONTENT)
			return MD_STREAM_WINDOW_MAX;
		const struct md_content *c = &it->c;
		if (c->offset.var >= 0 || c->depth.var >= 0 ||
		    c->distance.var >= 0 || c->within.var >= 0)
			return MD_STREAM_WINDOW_MAX;
		if (!it->relative) {
			chains++;
			if (c->has & MD_CM_DEPTH)
				chain = (uint64_t)c->offset.v + c->depth.v;
			else {
				chain = c->len;
				anchored_all = false;
			}
		} else if (c->has & MD_CM_WITHIN) {
			chain +=
			    (uint64_t)(c->distance.v > 0 ? c->distance.v : 0) +
			    (uint64_t)c->within.v;
		} else {
			return MD_STREAM_WINDOW_MAX;
		}
		if (chain > span)
			span = chain;
	}
	if (chains > 1 && !anchored_all)
		return MD_STREAM_WINDOW_MAX;
	return span > MD_STREAM_WINDOW_MAX ? MD_STREAM_WINDOW_MAX
					   : (uint32_t)(span ? span : 1);
}

static void pick_fast_pattern(struct md_sig *s)
{
	if (s->fp_list >= 0)
		return;
	uint32_t best = 0;
	for (uint32_t l = 0; l < s->n_lists; l++)
		for (uint32_t i = 0; i < s->lists[l].n; i++) {
			const struct md_item *it = &s->lists[l].items[i];
			if (it->type != MD_IT_CONTENT || it->c.negated ||
			    it->c.len <= best)
				continue;
			best = it->c.len;
			s->fp_list = (int32_t)l;
			s->fp_item = (int32_t)i;
		}
}

static int decide_kind(struct md_pstate *ps)
{
	struct md_sig *s = ps->s;
	if (ps->kw_app >= 0) {
		if (s->app >= 0 && s->app != ps->kw_app)
			return md_derr(
			    ps->err, ps->errlen,
			    "keyword of protocol %s in a %s rule",
			    md_registry_get((size_t)ps->kw_app)->name,
			    s->info.app_proto);
		const struct md_parser *pp =
		    md_registry_get((size_t)ps->kw_app);
		if (s->app < 0 &&
		    !(s->hproto == MD_HP_IP ||
		      (s->hproto == MD_HP_TCP && pp->ipproto == 6) ||
		      (s->hproto == MD_HP_UDP && pp->ipproto == 17)))
			return md_derr(ps->err, ps->errlen,
				       "%s keywords need a %s rule", pp->name,
				       pp->ipproto == 17 ? "udp" : "tcp");
		s->app = ps->kw_app;
		s->info.app_proto = pp->name;
	}
	if (ps->has_tx && ps->has_payload)
		return md_derr(ps->err, ps->errlen,
			       "payload keywords cannot be combined with "
			       "protocol buffers (use pkt_data in a separate "
			       "rule)");
	if (ps->has_tx) {
		s->kind = MD_SK_TX;
	} else if (s->has_app_ev) {
		if (ps->has_payload)
			return md_derr(
			    ps->err, ps->errlen,
			    "app-layer-event cannot be combined with "
			    "payload keywords");
		s->kind = MD_SK_EVENT;
	} else if ((s->flow & MD_FL_ONLY_STREAM) ||
		   (ps->has_payload && s->hproto == MD_HP_TCP &&
		    !(s->flow & MD_FL_NO_STREAM) && !ps->has_dsize)) {
		if (ps->has_dsize)
			return md_derr(ps->err, ps->errlen,
				       "dsize cannot be used with only_stream");
		if (s->hproto != MD_HP_TCP)
			return md_derr(ps->err, ps->errlen,
				       "only_stream needs a tcp rule");
		s->kind = MD_SK_STREAM;
	} else {
		s->kind = MD_SK_PACKET;
	}
	if (s->has_decode_ev && s->kind != MD_SK_PACKET)
		return md_derr(ps->err, ps->errlen,
			       "decode-event needs a packet rule");
	return 0;
}

static int finish(struct md_pstate *ps)
{
	struct md_sig *s = ps->s;
	if (!ps->have_sid)
		return md_derr(ps->err, ps->errlen, "rule has no sid");
	int rc = decide_kind(ps);
	if (rc)
		return rc;
	uint8_t fdir = s->flow & (MD_FL_TOSERVER | MD_FL_TOCLIENT);
	if (fdir == (MD_FL_TOSERVER | MD_FL_TOCLIENT))
		return md_derr(ps->err, ps->errlen,
			       "flow: to_server and to_client conflict");
	if (s->kind == MD_SK_TX && fdir && ps->field_dirs &&
	    (ps->field_dirs & ~fdir))
		return md_derr(ps->err, ps->errlen,
			       "a keyword's direction conflicts with flow:%s",
			       fdir == MD_FL_TOSERVER ? "to_server"
						      : "to_client");
	s->dirs =
	    fdir ? fdir
		 : (s->kind == MD_SK_TX && ps->field_dirs ? ps->field_dirs : 3);
	for (uint32_t i = 0; i < s->n_lists; i++) {
		set_retry(&s->lists[i]);
		for (uint32_t k = 0; k < s->lists[i].n; k++)
			if (s->lists[i].items[k].type == MD_IT_CONTENT)
				md_dcontent_prepare(&s->lists[i].items[k].c);
	}
	pick_fast_pattern(s);
	if (s->kind == MD_SK_STREAM) {
		s->stream_span = 1;
		for (uint32_t i = 0; i < s->n_lists; i++) {
			uint32_t sp = stream_span(&s->lists[i]);
			if (sp > s->stream_span)
				s->stream_span = sp;
		}
	}
	for (uint32_t i = 0; i < s->n_posts; i++)
		if (s->posts[i].type == MD_CK_FLOWBITS)
			s->fb_set = true;
	for (uint32_t i = 0; i < s->n_checks; i++)
		if (s->checks[i].type == MD_CK_FLOWBITS)
			s->fb_check = true;
	if (!s->info.priority)
		s->info.priority = 3;
	s->info.msg = s->msg ? s->msg : "";
	s->info.classtype = s->classtype;
	s->info.category = s->category;
	s->info.metadata = s->metadata;
	return 0;
}

/* Split "header (options)"; returns the options text or NULL. */
static char *split_rule(char *r, char *err, size_t n)
{
	char *open = strchr(r, '(');
	if (!open) {
		md_derr(err, n, "options must be in parentheses");
		return NULL;
	}
	size_t len = strlen(r);
	while (len && isspace((unsigned char)r[len - 1]))
		r[--len] = 0;
	if (!len || r[len - 1] != ')') {
		md_derr(err, n, "options must end with ')'");
		return NULL;
	}
	r[len - 1] = 0;
	*open = 0;
	return open + 1;
}

int md_dparse_rule(struct md_detect *d, const char *text, struct md_sig **out,
		   char *err, size_t errlen)
{
	*out = NULL;
	char *copy = md_malloc(strlen(text) + 1);
	struct md_sig *s = md_calloc(1, sizeof(*s));
	if (!copy || !s) {
		md_free(copy);
		md_free(s);
		return MD_E_NOMEM;
	}
	strcpy(copy, text);
	s->fp_list = s->fp_item = -1;
	s->info.gid = 1;
	struct md_pstate ps = {.d = d,
			       .s = s,
			       .err = err,
			       .errlen = errlen,
			       .cur = -1,
			       .last_list = -1,
			       .last_item = -1,
			       .last_any_list = -1,
			       .kw_app = -1};
	int rc;
	char *opts = split_rule(copy, err, errlen);
	char *hp = copy;
	if (!opts)
		rc = MD_E_INVAL;
	else if (!(rc = parse_header(&ps, &hp))) {
		while (isspace((unsigned char)*hp))
			hp++;
		if (*hp)
			rc = md_derr(err, errlen,
				     "unexpected '%s' after the header", hp);
	}
	if (!rc)
		rc = parse_options(&ps, opts);
	if (!rc)
		rc = finish(&ps);
	for (uint8_t i = 0; i < ps.n_vars; i++)
		md_free(ps.vars[i]);
	md_free(copy);
	if (rc) {
		md_dsig_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void md_dsig_free(struct md_sig *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < s->n_lists; i++) {
		for (uint32_t j = 0; j < s->lists[i].n; j++)
			md_ditem_fini(&s->lists[i].items[j]);
		md_free(s->lists[i].items);
		md_free(s->lists[i].arg);
	}
	md_free(s->lists);
	for (uint32_t i = 0; i < s->n_checks; i++)
		md_dcheck_fini(&s->checks[i]);
	for (uint32_t i = 0; i < s->n_posts; i++)
		md_dcheck_fini(&s->posts[i]);
	md_free(s->checks);
	md_free(s->posts);
	while (s->sup) {
		struct md_suppress *n = s->sup->next;
		md_free(s->sup);
		s->sup = n;
	}
	md_daddr_fini(&s->src);
	md_daddr_fini(&s->dst);
	md_dport_fini(&s->sp);
	md_dport_fini(&s->dp);
	md_free(s->msg);
	md_free(s->classtype);
	md_free(s->category);
	md_free(s->metadata);
	md_free(s->file);
	md_free(s);
}
