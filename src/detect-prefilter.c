/* detect-prefilter.c - rule groups and the hyperscan prefilter.
 *
 * Groups (built once by md_detect_build):
 *   packet rules   per transport class (tcp, udp, icmp, other ip, non-ip);
 *                  inside, the rules for any destination port ("wild")
 *                  and one bucket per destination port for rules naming
 *                  at most 64 ports (the packet's or chunk's destination
 *                  port picks the bucket; direction is checked by the full
 *                  match, which halves the databases to compile)
 *   stream rules   the same port split
 *   transactions   per parser, one database per buffer (field + argument,
 *                  or file data)
 *   events         per parser and event id (no patterns)
 *   decode events  one list, looked at only when a packet has events
 * Each set compiles the fast patterns of its rules (the longest content,
 * or the one marked fast_pattern) into one hyperscan literal database;
 * a buffer is scanned once per set and only the rules whose pattern was
 * seen, plus those without any content, are fully evaluated.
 *
 * Stream sets remember, per flow direction, which patterns were seen and
 * where they end, so a rule whose pattern arrived in an earlier chunk but
 * is still in the stream window stays a candidate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applayer.h"
#include "detect-int.h"
#include "registry.h"

#define PORT_BUCKET_MAX	 64   /* rules naming more ports go to "wild" */
#define PORT_BUCKETS_MAX 4096 /* more distinct ports: no port split */
enum { CL_TCP = 0, CL_UDP, CL_ICMP, CL_OTHER, CL_NOIP, CL_MAX };

struct vec {
	uint32_t *v;
	uint32_t n, cap;
};

struct pf_db {
	hs_database_t *db;
	uint32_t npat;
	uint32_t *off; /* npat + 1 offsets into sigs */
	uint32_t *sigs;
	uint32_t maxlen;
};

struct pf_set {
	struct pf_db db;
	struct vec all, always;
};

struct pf_ports {
	struct pf_set wild;
	struct pf_set *b;
	uint32_t nb;
	uint16_t *map; /* port -> bucket + 1; NULL when no bucket */
};

struct pf_buf {
	uint8_t kind;
	uint16_t field;
	const char *arg; /* borrowed from a signature's list */
	struct vec sigs;
	struct pf_db db;
};

struct pf_tx {
	struct vec all, always;
	struct pf_buf *bufs;
	uint32_t nbufs;
};

struct md_pf {
	struct pf_ports pkt[CL_MAX];
	struct pf_ports stream;
	struct vec devs;
	struct pf_tx tx[MD_MAX_PARSERS];
	struct vec *ev[MD_MAX_PARSERS];
	uint32_t n_ev[MD_MAX_PARSERS];
	struct vec appev[MD_APP_EV_MAX];
	uint32_t maxfp;
	hs_database_t **dbs;
	uint32_t ndbs;
};

static int vpush(struct vec *v, uint32_t x)
{
	if (v->n == v->cap) {
		uint32_t cap = v->cap ? v->cap * 2 : 8;
		uint32_t *nv = md_realloc(v->v, cap * sizeof(*nv));
		if (!nv)
			return MD_E_NOMEM;
		v->v = nv;
		v->cap = cap;
	}
	v->v[v->n++] = x;
	return 0;
}

static void vfree(struct vec *v)
{
	md_free(v->v);
	memset(v, 0, sizeof(*v));
}

/* ---- compiling a database ----------------------------------------------- */

struct pat {
	const uint8_t *p;
	uint32_t len, sig;
	bool nocase;
};

static int pat_cmp(const void *a, const void *b)
{
	const struct pat *x = a, *y = b;
	if (x->nocase != y->nocase)
		return x->nocase - y->nocase;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	int c = memcmp(x->p, y->p, x->len);
	return c ? c : (x->sig < y->sig ? -1 : x->sig > y->sig);
}

static bool same_pat(const struct pat *a, const struct pat *b)
{
	return a->len == b->len && a->nocase == b->nocase &&
	       !memcmp(a->p, b->p, a->len);
}

static bool fast_pattern(const struct md_sig *s, struct pat *out)
{
	if (s->fp_list < 0)
		return false;
	const struct md_content *c = &s->lists[s->fp_list].items[s->fp_item].c;
	out->p = c->pat + c->fp_off;
	out->len = c->fp_len ? c->fp_len : c->len;
	out->nocase = (c->has & MD_CM_NOCASE) != 0;
	out->sig = s->idx;
	return true;
}

static int db_register(struct md_pf *pf, hs_database_t *db)
{
	hs_database_t **a = md_realloc(pf->dbs, (pf->ndbs + 1) * sizeof(*a));
	if (!a)
		return MD_E_NOMEM;
	pf->dbs = a;
	a[pf->ndbs++] = db;
	return 0;
}

/* Compile pats[0..n) (sorted) into db; patterns become ids. */
static int db_compile(struct md_detect *d, struct pf_db *db, struct pat *p,
		      uint32_t n)
{
	qsort(p, n, sizeof(*p), pat_cmp);
	uint32_t np = 0;
	for (uint32_t i = 0; i < n; i++)
		np += !i || !same_pat(&p[i], &p[i - 1]);
	const char **ex = md_malloc(np * sizeof(*ex));
	size_t *lens = md_malloc(np * sizeof(*lens));
	unsigned *flags = md_malloc(np * sizeof(*flags)),
		 *ids = md_malloc(np * sizeof(*ids));
	db->off = md_malloc((np + 1) * sizeof(uint32_t));
	db->sigs = md_malloc(n * sizeof(uint32_t));
	int rc = 0;
	if (!ex || !lens || !flags || !ids || !db->off || !db->sigs)
		rc = MD_E_NOMEM;
	for (uint32_t i = 0, k = 0; !rc && i < n; i++) {
		if (!i || !same_pat(&p[i], &p[i - 1])) {
			ex[k] = (const char *)p[i].p;
			lens[k] = p[i].len;
			flags[k] = HS_FLAG_SINGLEMATCH |
				   (p[i].nocase ? HS_FLAG_CASELESS : 0);
			ids[k] = k;
			db->off[k++] = i;
			if (p[i].len > db->maxlen)
				db->maxlen = p[i].len;
		}
		db->sigs[i] = p[i].sig;
	}
	if (!rc) {
		db->off[np] = n;
		db->npat = np;
		hs_compile_error_t *ce = NULL;
		if (hs_compile_lit_multi(ex, flags, ids, lens, np,
					 HS_MODE_BLOCK, NULL, &db->db,
					 &ce) != HS_SUCCESS) {
			fprintf(d->errs, "prefilter: hyperscan: %s\n",
				ce ? ce->message : "compile failed");
			hs_free_compile_error(ce);
			rc = MD_E_INVAL;
		} else if ((rc = db_register(d->pf, db->db)) != 0) {
			hs_free_database(db->db); /* not in the list to free */
			db->db = NULL;
		}
	}
	md_free(ex);
	md_free(lens);
	md_free(flags);
	md_free(ids);
	if (rc) { /* nothing of a failed set stays allocated */
		md_free(db->off);
		md_free(db->sigs);
		db->off = NULL;
		db->sigs = NULL;
	}
	return rc;
}

static void db_free(struct pf_db *db)
{
	md_free(db->off);
	md_free(db->sigs);
	memset(db, 0, sizeof(*db));
}

/* Compile a set from its `all` list; rules without a pattern -> always.
 * A set whose compile fails keeps every rule in `always` (correct, slow). */
static int set_build(struct md_detect *d, struct pf_set *s)
{
	struct pat *p = md_malloc((s->all.n + 1) * sizeof(*p));
	uint32_t n = 0;
	if (!p)
		return MD_E_NOMEM;
	for (uint32_t i = 0; i < s->all.n; i++) {
		const struct md_sig *sig = d->sigs[s->all.v[i]];
		if (fast_pattern(sig, &p[n]))
			n++;
		else if (vpush(&s->always, sig->idx)) {
			md_free(p);
			return MD_E_NOMEM;
		}
	}
	int rc = n ? db_compile(d, &s->db, p, n) : 0;
	md_free(p);
	if (rc == MD_E_INVAL) {
		db_free(&s->db);
		vfree(&s->always);
		for (uint32_t i = 0; i < s->all.n && !rc; i++)
			rc = vpush(&s->always, s->all.v[i]);
	}
	return rc;
}

/* ---- grouping ----------------------------------------------------------- */

static int ports_add(struct pf_ports *pp, const struct md_sig *s,
		     struct vec **tmp, bool use_ports)
{
	if (!use_ports || s->bidir || s->dp.any ||
	    md_dport_count(&s->dp) > PORT_BUCKET_MAX)
		return vpush(&pp->wild.all, s->idx);
	for (uint32_t r = 0; r < s->dp.n; r++)
		for (uint32_t port = s->dp.r[r].lo; port <= s->dp.r[r].hi;
		     port++) {
			if (!tmp[port] &&
			    !(tmp[port] = md_calloc(1, sizeof(struct vec))))
				return MD_E_NOMEM;
			if (vpush(tmp[port], s->idx))
				return MD_E_NOMEM;
		}
	return 0;
}

/* Turn the per-port lists into buckets and compile every set. */
static int ports_build(struct md_detect *d, struct pf_ports *pp,
		       struct vec **tmp)
{
	uint32_t nb = 0;
	int rc = 0;
	for (uint32_t port = 0; port < 65536; port++)
		nb += tmp[port] != NULL;
	if (nb > PORT_BUCKETS_MAX) { /* too many ports: no port split */
		for (uint32_t port = 0; port < 65536 && !rc; port++)
			for (uint32_t k = 0;
			     tmp[port] && k < tmp[port]->n && !rc; k++)
				rc = vpush(&pp->wild.all, tmp[port]->v[k]);
		nb = 0;
		for (uint32_t port = 0; port < 65536; port++)
			if (tmp[port]) {
				vfree(tmp[port]);
				md_free(tmp[port]);
				tmp[port] = NULL;
			}
	}
	if (!rc)
		rc = set_build(d, &pp->wild);
	if (!rc && nb) {
		pp->map = md_calloc(65536, sizeof(uint16_t));
		pp->b = md_calloc(nb, sizeof(*pp->b));
		if (!pp->map || !pp->b)
			rc = MD_E_NOMEM;
	}
	for (uint32_t port = 0; port < 65536; port++) {
		if (!tmp[port])
			continue;
		if (!rc) {
			pp->b[pp->nb].all = *tmp[port];
			pp->map[port] = (uint16_t)(++pp->nb);
			rc = set_build(d, &pp->b[pp->nb - 1]);
		} else {
			vfree(tmp[port]);
		}
		md_free(tmp[port]);
		tmp[port] = NULL;
	}
	return rc;
}

static void ports_free(struct pf_ports *pp)
{
	vfree(&pp->wild.all);
	vfree(&pp->wild.always);
	db_free(&pp->wild.db);
	for (uint32_t i = 0; i < pp->nb; i++) {
		vfree(&pp->b[i].all);
		vfree(&pp->b[i].always);
		db_free(&pp->b[i].db);
	}
	md_free(pp->b);
	md_free(pp->map);
}

static unsigned classes_of(const struct md_sig *s)
{
	switch (s->hproto) {
	case MD_HP_TCP:
		return 1u << CL_TCP;
	case MD_HP_UDP:
		return 1u << CL_UDP;
	case MD_HP_ICMP:
		return 1u << CL_ICMP;
	case MD_HP_PKTHDR:
		return (1u << CL_MAX) - 1;
	default:
		return (1u << CL_NOIP) - 1;
	}
}

static int tx_add(struct pf_tx *g, const struct md_sig *s)
{
	if (vpush(&g->all, s->idx))
		return MD_E_NOMEM;
	if (s->fp_list < 0)
		return vpush(&g->always, s->idx);
	const struct md_blist *bl = &s->lists[s->fp_list];
	uint32_t i;
	for (i = 0; i < g->nbufs; i++) {
		struct pf_buf *b = &g->bufs[i];
		if (b->kind == bl->kind && b->field == bl->field &&
		    ((!b->arg && !bl->arg) ||
		     (b->arg && bl->arg && !strcmp(b->arg, bl->arg))))
			break;
	}
	if (i == g->nbufs) {
		struct pf_buf *nb =
		    md_realloc(g->bufs, (g->nbufs + 1) * sizeof(*nb));
		if (!nb)
			return MD_E_NOMEM;
		g->bufs = nb;
		memset(&nb[i], 0, sizeof(nb[i]));
		nb[i].kind = bl->kind;
		nb[i].field = bl->field;
		nb[i].arg = bl->arg;
		g->nbufs++;
	}
	return vpush(&g->bufs[i].sigs, s->idx);
}

static int event_add(struct md_pf *pf, const struct md_sig *s)
{
	for (uint32_t i = 0; i < s->n_checks; i++) {
		const struct md_check *c = &s->checks[i];
		if (c->type != MD_CK_APP_EV)
			continue;
		if (c->ev.pid < 0)
			return vpush(&pf->appev[c->ev.ev], s->idx);
		uint32_t pid = (uint32_t)c->ev.pid, ev = c->ev.ev;
		if (ev >= pf->n_ev[pid]) {
			struct vec *nv =
			    md_realloc(pf->ev[pid], (ev + 1) * sizeof(*nv));
			if (!nv)
				return MD_E_NOMEM;
			memset(&nv[pf->n_ev[pid]], 0,
			       (ev + 1 - pf->n_ev[pid]) * sizeof(*nv));
			pf->ev[pid] = nv;
			pf->n_ev[pid] = ev + 1;
		}
		return vpush(&pf->ev[pid][ev], s->idx);
	}
	return 0;
}

static int group_sig(struct md_pf *pf, const struct md_sig *s,
		     struct vec ***tmp)
{
	int rc = 0;
	if (s->kind == MD_SK_TX)
		return tx_add(&pf->tx[s->app], s);
	if (s->kind == MD_SK_EVENT)
		return event_add(pf, s);
	if (s->kind == MD_SK_PACKET && s->has_decode_ev)
		return vpush(&pf->devs, s->idx);
	if (s->kind == MD_SK_STREAM)
		return ports_add(&pf->stream, s, tmp[CL_MAX], true);
	unsigned cl = classes_of(s);
	for (int c = 0; c < CL_MAX && !rc; c++)
		if (cl & (1u << c))
			rc = ports_add(&pf->pkt[c], s, tmp[c], c <= CL_UDP);
	return rc;
}

static int tx_build(struct md_detect *d, struct pf_tx *g)
{
	for (uint32_t i = 0; i < g->nbufs; i++) {
		struct pf_buf *b = &g->bufs[i];
		struct pat *p = md_malloc((b->sigs.n + 1) * sizeof(*p));
		uint32_t n = 0;
		if (!p)
			return MD_E_NOMEM;
		for (uint32_t k = 0; k < b->sigs.n; k++)
			n += fast_pattern(d->sigs[b->sigs.v[k]], &p[n]);
		int rc = db_compile(d, &b->db, p, n);
		md_free(p);
		if (rc == MD_E_INVAL) { /* keep them correct: always */
			db_free(&b->db);
			for (uint32_t k = 0; k < b->sigs.n && !rc; k++)
				rc = vpush(&g->always, b->sigs.v[k]);
		}
		if (rc)
			return rc;
	}
	return 0;
}

int md_dpf_build(struct md_detect *d, char *err, size_t errlen)
{
	struct md_pf *pf = md_calloc(1, sizeof(*pf));
	struct vec ***tmp = md_calloc(CL_MAX + 1, sizeof(*tmp));
	int rc = pf && tmp ? 0 : MD_E_NOMEM;
	d->pf = pf;
	for (int i = 0; !rc && i < CL_MAX + 1; i++)
		if (!(tmp[i] = md_calloc(65536, sizeof(struct vec *))))
			rc = MD_E_NOMEM;
	for (uint32_t i = 0; !rc && i < d->n_sigs; i++)
		rc = group_sig(pf, d->sigs[i], tmp);
	for (int c = 0; !rc && c < CL_MAX; c++)
		rc = ports_build(d, &pf->pkt[c], tmp[c]);
	if (!rc)
		rc = ports_build(d, &pf->stream, tmp[CL_MAX]);
	for (int p = 0; !rc && p < MD_MAX_PARSERS; p++)
		rc = tx_build(d, &pf->tx[p]);
	if (pf) {
		struct pf_ports *sp = &pf->stream;
		pf->maxfp = sp->wild.db.maxlen;
		for (uint32_t b = 0; b < sp->nb; b++)
			if (sp->b[b].db.maxlen > pf->maxfp)
				pf->maxfp = sp->b[b].db.maxlen;
	}
	for (int i = 0; tmp && i < CL_MAX + 1; i++) {
		for (uint32_t port = 0; tmp[i] && port < 65536; port++) {
			if (tmp[i][port])
				vfree(tmp[i][port]);
			md_free(tmp[i][port]);
		}
		md_free(tmp[i]);
	}
	md_free(tmp);
	if (rc)
		snprintf(err, errlen, "prefilter: %s",
			 rc == MD_E_NOMEM ? "out of memory" : "build failed");
	return rc;
}

void md_dpf_free(struct md_detect *d)
{
	struct md_pf *pf = d->pf;
	if (!pf)
		return;
	for (int c = 0; c < CL_MAX; c++)
		ports_free(&pf->pkt[c]);
	ports_free(&pf->stream);
	vfree(&pf->devs);
	for (int p = 0; p < MD_MAX_PARSERS; p++) {
		struct pf_tx *g = &pf->tx[p];
		for (uint32_t i = 0; i < g->nbufs; i++) {
			vfree(&g->bufs[i].sigs);
			db_free(&g->bufs[i].db);
		}
		md_free(g->bufs);
		vfree(&g->all);
		vfree(&g->always);
		for (uint32_t e = 0; e < pf->n_ev[p]; e++)
			vfree(&pf->ev[p][e]);
		md_free(pf->ev[p]);
	}
	for (int e = 0; e < MD_APP_EV_MAX; e++)
		vfree(&pf->appev[e]);
	for (uint32_t i = 0; i < pf->ndbs; i++)
		hs_free_database(pf->dbs[i]);
	md_free(pf->dbs);
	md_free(pf);
	d->pf = NULL;
}

int md_dpf_thread_init(struct md_detect_thread *t)
{
	struct md_pf *pf = t->d->pf;
	for (uint32_t i = 0; i < pf->ndbs; i++)
		if (hs_alloc_scratch(pf->dbs[i], &t->scratch) != HS_SUCCESS)
			return MD_E_NOMEM;
	return 0;
}

/* ---- collecting candidates ----------------------------------------------- */

static void cand_begin(struct md_detect_thread *t)
{
	t->ncand = 0;
	if (++t->epoch == 0) {
		memset(t->mark, 0, t->d->n_sigs * sizeof(*t->mark));
		t->epoch = 1;
	}
}

static inline void cand_add(struct md_detect_thread *t, uint32_t sig)
{
	if (t->mark[sig] != t->epoch) {
		t->mark[sig] = t->epoch;
		t->cand[t->ncand++] = sig;
	}
}

static void cand_vec(struct md_detect_thread *t, const struct vec *v)
{
	for (uint32_t i = 0; i < v->n; i++)
		cand_add(t, v->v[i]);
}

static int u32cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static void cand_end(struct md_detect_thread *t)
{
	if (t->ncand > 1)
		qsort(t->cand, t->ncand, sizeof(uint32_t), u32cmp);
}

struct scan_ctx {
	struct md_detect_thread *t;
	const struct pf_db *db;
};

static int on_match(unsigned id, unsigned long long from, unsigned long long to,
		    unsigned flags, void *ctx)
{
	(void)from;
	(void)to;
	(void)flags;
	struct scan_ctx *sc = ctx;
	for (uint32_t k = sc->db->off[id]; k < sc->db->off[id + 1]; k++)
		cand_add(sc->t, sc->db->sigs[k]);
	return 0;
}

static void db_scan(struct md_detect_thread *t, const struct pf_db *db,
		    const uint8_t *p, uint32_t len, match_event_handler fn,
		    void *ctx)
{
	if (db->db && len)
		hs_scan(db->db, (const char *)p, len, 0, t->scratch, fn, ctx);
}

static void set_collect(struct md_detect_thread *t, const struct pf_set *s,
			const uint8_t *p, uint32_t len)
{
	if (!t->d->prefilter) {
		cand_vec(t, &s->all);
		return;
	}
	cand_vec(t, &s->always);
	struct scan_ctx sc = {t, &s->db};
	db_scan(t, &s->db, p, len, on_match, &sc);
}

void md_dpf_packet(struct md_detect_thread *t, const struct md_packet *p,
		   int dir)
{
	int cl = !p->ip_ver			     ? CL_NOIP
		 : p->proto == 6		     ? CL_TCP
		 : p->proto == 17		     ? CL_UDP
		 : (p->proto == 1 || p->proto == 58) ? CL_ICMP
						     : CL_OTHER;
	(void)dir;
	const struct pf_ports *pp = &t->d->pf->pkt[cl];
	cand_begin(t);
	set_collect(t, &pp->wild, p->payload, p->payload_len);
	if (pp->map && (p->flags & MD_PKT_L4) && pp->map[p->dp])
		set_collect(t, &pp->b[pp->map[p->dp] - 1], p->payload,
			    p->payload_len);
	if (p->n_events)
		cand_vec(t, &t->d->pf->devs);
	cand_end(t);
}

bool md_dpf_has_stream(const struct md_detect *d, int dir, uint16_t dp)
{
	(void)dir;
	const struct pf_ports *pp = &d->pf->stream;
	return pp->wild.all.n || (pp->map && pp->map[dp]);
}

/* ---- stream: pattern hits remembered per flow direction ------------------ */

static const struct pf_db *hit_db(const struct pf_ports *pp, uint32_t set)
{
	return set ? &pp->b[set - 1].db : &pp->wild.db;
}

static void hit_record(struct md_detect_thread *t, uint32_t set, uint32_t pat,
		       uint64_t end)
{
	struct md_dstream *st = t->cur_st;
	for (uint32_t i = 0; i < st->nhits; i++)
		if (st->hits[i].set == set && st->hits[i].pat == pat) {
			if (end > st->hits[i].end)
				st->hits[i].end = end;
			return;
		}
	if (st->nhits == st->hcap) {
		uint32_t cap = st->hcap ? st->hcap * 2 : 8;
		uint64_t grow = (uint64_t)(cap - st->hcap) * sizeof(*st->hits);
		struct md_dhit *h = NULL;
		if (t->cur_fs && md_dflow_charge(t->cur_fs, grow)) {
			h = md_realloc(st->hits, cap * sizeof(*h));
			if (!h)
				md_dflow_uncharge(t->cur_fs, grow);
		}
		if (!h) {
			st->overflow = true;
			return;
		}
		st->hits = h;
		st->hcap = cap;
	}
	st->hits[st->nhits++] = (struct md_dhit){set, pat, end};
}

struct sscan_ctx {
	struct md_detect_thread *t;
	uint32_t set;
};

static int on_stream_match(unsigned id, unsigned long long from,
			   unsigned long long to, unsigned flags, void *ctx)
{
	(void)from;
	(void)flags;
	struct sscan_ctx *sc = ctx;
	uint64_t end = sc->t->scan_base + to;
	if (end > sc->t->scan_min)
		hit_record(sc->t, sc->set, id, end);
	return 0;
}

void md_dpf_stream(struct md_detect_thread *t, struct md_dstream *st, int dir,
		   uint16_t dp, const uint8_t *win, uint32_t wlen,
		   uint32_t new_from)
{
	const struct md_pf *pf = t->d->pf;
	(void)dir;
	const struct pf_ports *pp = &pf->stream;
	uint32_t bset = pp->map ? pp->map[dp] : 0;
	cand_begin(t);
	if (!t->d->prefilter || st->overflow) {
		cand_vec(t, &pp->wild.all);
		if (bset)
			cand_vec(t, &pp->b[bset - 1].all);
		cand_end(t);
		return;
	}
	cand_vec(t, &pp->wild.always);
	if (bset)
		cand_vec(t, &pp->b[bset - 1].always);
	uint32_t back = pf->maxfp > 1 ? pf->maxfp - 1 : 0;
	uint32_t from = new_from > back ? new_from - back : 0;
	t->cur_st = st;
	t->scan_base = st->base + from;
	t->scan_min = st->base + new_from;
	struct sscan_ctx sc = {t, 0};
	db_scan(t, &pp->wild.db, win + from, wlen - from, on_stream_match, &sc);
	if (bset) {
		sc.set = bset;
		db_scan(t, &pp->b[bset - 1].db, win + from, wlen - from,
			on_stream_match, &sc);
	}
	uint32_t w = 0;
	for (uint32_t i = 0; i < st->nhits; i++) {
		const struct md_dhit *h = &st->hits[i];
		if (h->end <= st->base || (h->set && h->set != bset))
			continue;
		st->hits[w++] = *h;
		const struct pf_db *db = hit_db(pp, h->set);
		for (uint32_t k = db->off[h->pat]; k < db->off[h->pat + 1]; k++)
			cand_add(t, db->sigs[k]);
	}
	st->nhits = w;
	cand_end(t);
}

/* ---- transactions and events ----------------------------------------------
 */

void md_dpf_tx(struct md_detect_thread *t, int pid, const struct md_tx *tx)
{
	const struct pf_tx *g = &t->d->pf->tx[pid];
	const struct md_parser *pp = md_registry_get((size_t)pid);
	cand_begin(t);
	if (!t->d->prefilter) {
		cand_vec(t, &g->all);
		cand_end(t);
		return;
	}
	cand_vec(t, &g->always);
	for (const struct md_tx_val *v = tx->vals; v && g->nbufs; v = v->next) {
		if (v->is_group || v->field >= pp->n_fields)
			continue;
		const struct md_field_def *fd = &pp->fields[v->field];
		bool chunked =
		    fd->type == MD_FT_BYTES && (fd->flags & MD_FF_CHUNKED);
		for (uint32_t i = 0; i < g->nbufs; i++) {
			const struct pf_buf *b = &g->bufs[i];
			if (b->kind == MD_BUF_FILEDATA
				? !chunked
				: b->field != v->field ||
				      (b->arg &&
				       (v->arglen != strlen(b->arg) ||
					memcmp(v->bytes, b->arg, v->arglen))))
				continue;
			struct scan_ctx sc = {t, &b->db};
			db_scan(t, &b->db, md_tx_val_bytes(v), v->len, on_match,
				&sc);
		}
	}
	cand_end(t);
}

void md_dpf_event(struct md_detect_thread *t, int pid, unsigned ev)
{
	const struct md_pf *pf = t->d->pf;
	cand_begin(t);
	if (pid < 0 && ev < MD_APP_EV_MAX)
		cand_vec(t, &pf->appev[ev]);
	else if (pid >= 0 && pid < MD_MAX_PARSERS && ev < pf->n_ev[pid])
		cand_vec(t, &pf->ev[pid][ev]);
	cand_end(t);
}
