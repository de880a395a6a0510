/* detect-engine.c - the detection engine's life cycle and its entry
 * points (detect.h): packets, reassembled streams, transactions and
 * app-layer events.
 *
 *   md_detect_new   vars, classification/reference/threshold.config,
 *                   datasets declared in the configuration
 *   add_rule        parse (detect-parse.c), reject duplicate sids
 *   build           order rules (action, flowbits setters first,
 *                   priority, load order), apply threshold.config,
 *                   group and compile the prefilter
 *   inspection      prefilter -> candidates (sorted) -> full match ->
 *                   alerts; a pass match ends inspection of the flow
 */
#include <magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "detect-int.h"
#include "registry.h"

#define DETECT_DEF_MEMCAP (128ull << 20)

/* ---- duplicate sids ---------------------------------------------------- */

struct sid_tab {
	uint64_t *k;
	uint32_t *v;
	uint32_t cap, n;
};

static uint32_t sid_slot(const uint64_t *k, uint32_t cap, uint64_t key)
{
	uint32_t i =
	    (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
	while (k[i] && k[i] != key)
		i = (i + 1) & (cap - 1);
	return i;
}

/* Insert key (gid, sid); returns the index of an earlier rule or -1. */
static long sid_insert(struct md_detect *d, uint32_t gid, uint32_t sid,
		       uint32_t idx)
{
	uint64_t key = (((uint64_t)gid << 32) | sid) + 1;
	if ((d->sid_n + 1) * 2 > d->sid_cap) {
		uint32_t cap = d->sid_cap ? d->sid_cap * 2 : 1024;
		uint64_t *k = md_calloc(cap, sizeof(*k));
		uint32_t *v = md_calloc(cap, sizeof(*v));
		if (!k || !v) {
			md_free(k);
			md_free(v);
			return -2;
		}
		for (uint32_t i = 0; i < d->sid_cap; i++)
			if (d->sid_keys[i]) {
				uint32_t j = sid_slot(k, cap, d->sid_keys[i]);
				k[j] = d->sid_keys[i];
				v[j] = d->sid_vals[i];
			}
		md_free(d->sid_keys);
		md_free(d->sid_vals);
		d->sid_keys = k;
		d->sid_vals = v;
		d->sid_cap = cap;
	}
	uint32_t j = sid_slot(d->sid_keys, d->sid_cap, key);
	if (d->sid_keys[j])
		return (long)d->sid_vals[j];
	d->sid_keys[j] = key;
	d->sid_vals[j] = idx;
	d->sid_n++;
	return -1;
}

/* ---- life cycle -------------------------------------------------------- */

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir ? dir : ".") + strlen(name) + 2;
	char *p = md_malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", dir ? dir : ".", name);
	return p;
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* One configuration file: explicit path, or the default when present. */
static int conf_file(struct md_detect *d, const char *given, const char *def,
		     int (*load)(struct md_detect *, const char *))
{
	if (given)
		return load(d, given);
	char *p = join(d->rule_dir, def);
	if (!p)
		return -1;
	int rc = exists(p) ? load(d, p) : 0;
	md_free(p);
	return rc;
}

/* datasets: NAME: {type, load, save, state, memcap, hashsize} */
static int conf_datasets(struct md_detect *d)
{
	const struct md_conf_node *g = md_conf_find(d->cfg.conf, "datasets");
	int errors = 0;
	for (const struct md_conf_node *c = g ? g->child : NULL; c;
	     c = c->next) {
		if (!c->key || !strcmp(c->key, "defaults"))
			continue;
		const char *type;
		const struct md_conf_node *t = md_conf_child(c, "type");
		const struct md_conf_node *l = md_conf_child(c, "load");
		const struct md_conf_node *s = md_conf_child(c, "save");
		const struct md_conf_node *st = md_conf_child(c, "state");
		type = t ? t->val : NULL;
		char *load = NULL, *save = NULL, err[400];
		const char *dd = d->data_dir ? d->data_dir : d->rule_dir;
		if (st && st->val) {
			load = join(dd, st->val);
			save = join(dd, st->val);
		} else {
			load = l && l->val ? (*l->val == '/'
						  ? md_strdup(l->val)
						  : join(d->rule_dir, l->val))
					   : NULL;
			save = s && s->val ? (*s->val == '/' ? md_strdup(s->val)
							     : join(dd, s->val))
					   : NULL;
		}
		struct md_dataset_opts o = {
		    .name = c->key,
		    .type = type ? md_dataset_type(type) : -1,
		    .load = load,
		    .save = save,
		    .load_optional = st != NULL,
		};
		struct md_dataset *set;
		if (md_dataset_get(d->ds, &o, &set, err, sizeof(err))) {
			fprintf(d->errs, "%s:%d: datasets.%s: %s\n",
				d->cfg.conf->file ? d->cfg.conf->file
						  : "config",
				c->line, c->key, err);
			errors++;
		}
		md_free(load);
		md_free(save);
	}
	return errors;
}

struct md_detect *md_detect_new(const struct md_detect_cfg *cfg, FILE *errs,
				bool fatal)
{
	struct md_detect *d = md_calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->cfg = *cfg;
	d->errs = errs ? errs : stderr;
	d->fatal = fatal;
	d->prefilter = true;
	d->rule_dir = md_strdup(cfg->rule_dir ? cfg->rule_dir : ".");
	d->data_dir = cfg->data_dir ? md_strdup(cfg->data_dir) : NULL;
	d->ds = md_datasets_new();
	char err[256];
	uint64_t cap = DETECT_DEF_MEMCAP;
	if (md_conf_size(cfg->conf, "detect.memcap", DETECT_DEF_MEMCAP, &cap,
			 err, sizeof(err))) {
		fprintf(d->errs, "%s\n", err);
		d->errors++;
	}
	d->mc.cap = cap;
	int e[6] = {0};
	if (!d->rule_dir || (cfg->data_dir && !d->data_dir) || !d->ds ||
	    md_dthr_init(d) || (e[0] = md_dvars_load(d)) < 0 ||
	    (e[1] = conf_datasets(d)) < 0 ||
	    (e[2] =
		 conf_file(d, cfg->classification_file, "classification.config",
			   md_dconf_classification)) < 0 ||
	    (e[3] = conf_file(d, cfg->reference_file, "reference.config",
			      md_dconf_reference)) < 0 ||
	    (e[4] = conf_file(d, cfg->threshold_file, "threshold.config",
			      md_dconf_threshold)) < 0) {
		md_detect_free(d);
		return NULL;
	}
	d->errors += e[0] + e[1] + e[2] + e[3] + e[4];
	if (fatal && d->errors) {
		md_detect_free(d);
		return NULL;
	}
	return d;
}

void md_detect_free(struct md_detect *d)
{
	if (!d)
		return;
	if (d->ds)
		md_datasets_save_all(d->ds, d->errs);
	for (uint32_t i = 0; i < d->n_sigs; i++)
		md_dsig_free(d->sigs[i]);
	md_free(d->sigs);
	md_free(d->sid_keys);
	md_free(d->sid_vals);
	md_dpf_free(d);
	md_dthr_fini(d);
	md_dconf_fini(d);
	md_dvars_fini(d);
	md_dnames_fini(&d->flowbits);
	md_dnames_fini(&d->flowints);
	md_datasets_free(d->ds);
	md_free(d->rule_dir);
	md_free(d->data_dir);
	md_free(d);
}

static int sigs_grow(struct md_detect *d)
{
	if (d->n_sigs < d->cap_sigs)
		return 0;
	uint32_t cap = d->cap_sigs ? d->cap_sigs * 2 : 256;
	struct md_sig **a = md_realloc(d->sigs, cap * sizeof(*a));
	if (!a)
		return MD_E_NOMEM;
	d->sigs = a;
	d->cap_sigs = cap;
	return 0;
}

int md_detect_add_rule(struct md_detect *d, const char *text, const char *file,
		       unsigned line, char *err, size_t errlen)
{
	if (d->built)
		return md_derr(err, errlen, "rules are already built");
	struct md_sig *s = NULL;
	int rc = md_dparse_rule(d, text, &s, err, errlen);
	if (rc == MD_E_UNSUPPORTED) {
		d->stats.skipped++;
		return rc;
	}
	if (!rc && (!(s->file = md_strdup(file ? file : "-")) || sigs_grow(d)))
		rc = MD_E_NOMEM;
	long prev =
	    rc ? -1 : sid_insert(d, s->info.gid, s->info.sid, d->n_sigs);
	if (prev == -2)
		rc = MD_E_NOMEM;
	else if (prev >= 0)
		rc = md_derr(err, errlen, "duplicate sid %u (first at %s:%u)",
			     s->info.sid, d->sigs[prev]->file,
			     d->sigs[prev]->line);
	if (rc) {
		if (rc == MD_E_NOMEM)
			md_derr(err, errlen, "out of memory");
		md_dsig_free(s);
		d->stats.failed++;
		return rc;
	}
	s->line = line;
	s->info.file = s->file;
	s->info.line = line;
	s->order = d->n_sigs;
	d->sigs[d->n_sigs++] = s;
	d->stats.loaded++;
	return 0;
}

static int fb_class(const struct md_sig *s)
{
	if (s->fb_set && !s->fb_check)
		return 0;
	if (!s->fb_set && !s->fb_check)
		return 1;
	return s->fb_set ? 2 : 3;
}

static int sig_order(const void *a, const void *b)
{
	const struct md_sig *x = *(struct md_sig *const *)a,
			    *y = *(struct md_sig *const *)b;
	if (x->action_rank != y->action_rank)
		return x->action_rank - y->action_rank;
	if (fb_class(x) != fb_class(y))
		return fb_class(x) - fb_class(y);
	if (x->info.priority != y->info.priority)
		return x->info.priority - y->info.priority;
	return x->order < y->order ? -1 : x->order > y->order;
}

int md_detect_build(struct md_detect *d, char *err, size_t errlen)
{
	if (d->built)
		return 0;
	if (d->n_sigs)
		qsort(d->sigs, d->n_sigs, sizeof(*d->sigs), sig_order);
	d->stream_window = 0;
	for (uint32_t i = 0; i < d->n_sigs; i++) {
		d->sigs[i]->idx = i;
		if (d->sigs[i]->kind == MD_SK_STREAM &&
		    d->sigs[i]->stream_span > d->stream_window)
			d->stream_window = d->sigs[i]->stream_span;
	}
	md_dconf_apply_thresholds(d);
	int rc = md_dpf_build(d, err, errlen);
	if (rc)
		return rc;
	d->built = true;
	return 0;
}

const struct md_detect_stats *md_detect_get_stats(const struct md_detect *d)
{
	return &d->stats;
}

/* Note that rule reads (field, arg) of parser pid into u. */
static void use_field(struct md_field_use *u, const char *arg)
{
	if (!arg || u->all_args) {
		u->all_args = true;
		u->used = true;
		return;
	}
	for (size_t i = 0; i < u->nargs; i++)
		if (!strcmp(u->args[i], arg))
			return;
	if (u->nargs < MD_FIELD_USE_ARGS)
		u->args[u->nargs++] = arg;
	else
		u->all_args = true;
	u->used = true;
}

void md_detect_field_use(const struct md_detect *d, int pid,
			 const struct md_parser *pp, struct md_field_use *use)
{
	for (uint32_t i = 0; i < d->n_sigs; i++) {
		const struct md_sig *s = d->sigs[i];
		for (uint32_t l = 0; l < s->n_lists; l++) {
			const struct md_blist *b = &s->lists[l];
			if (b->pid != pid)
				continue;
			if (b->kind == MD_BUF_FIELD && b->field < pp->n_fields)
				use_field(&use[b->field], b->arg);
			else if (b->kind == MD_BUF_FILEDATA)
				for (size_t f = 0; f < pp->n_fields; f++)
					if (pp->fields[f].flags & MD_FF_CHUNKED)
						use_field(&use[f], NULL);
		}
		if (s->app != pid)
			continue;
		for (uint32_t k = 0; k < s->n_checks; k++)
			if (s->checks[k].type == MD_CK_UFIELD &&
			    s->checks[k].uf.field < pp->n_fields)
				use_field(&use[s->checks[k].uf.field],
					  s->checks[k].uf.arg);
	}
}

void md_detect_set_prefilter(struct md_detect *d, bool on)
{
	d->prefilter = on;
}

/* ---- threads ----------------------------------------------------------- */

struct md_detect_thread *md_detect_thread_new(struct md_detect *d)
{
	if (!d->built)
		return NULL;
	struct md_detect_thread *t = md_calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->d = d;
	uint32_t n = d->n_sigs ? d->n_sigs : 1;
	t->mark = md_calloc(n, sizeof(*t->mark));
	t->cand = md_calloc(n, sizeof(*t->cand));
	t->mdata = pcre2_match_data_create(1, NULL);
	t->mctx = pcre2_match_context_create(NULL);
	if (!t->mark || !t->cand || !t->mdata || !t->mctx ||
	    md_dpf_thread_init(t)) {
		md_detect_thread_free(t);
		return NULL;
	}
	pcre2_set_match_limit(t->mctx, 10000);
	pcre2_set_depth_limit(t->mctx, 1500);
	if (d->need_magic) {
		magic_t m = magic_open(MAGIC_NONE);
		if (m && magic_load(m, NULL) != 0) {
			magic_close(m);
			m = NULL;
		}
		t->magic = m; /* NULL: filemagic never matches */
	}
	return t;
}

void md_detect_thread_free(struct md_detect_thread *t)
{
	if (!t)
		return;
	if (t->magic)
		magic_close((magic_t)t->magic);
	hs_free_scratch(t->scratch);
	pcre2_match_data_free(t->mdata);
	pcre2_match_context_free(t->mctx);
	md_free(t->mark);
	md_free(t->cand);
	md_free(t);
}

/* ---- inspection ---------------------------------------------------------- */

static bool passed(const struct md_flow *f)
{
	const struct md_dflow *fs = f ? f->detect : NULL;
	return fs && fs->passed;
}

/* Evaluate the candidates of one call; stops after a pass match. */
static void run_cands(struct md_eval *ev, uint8_t kind, uint64_t tx_id,
		      struct md_alerts *out)
{
	struct md_detect_thread *t = ev->t;
	for (uint32_t i = 0; i < t->ncand; i++) {
		const struct md_sig *s = t->d->sigs[t->cand[i]];
		if (s->kind != kind)
			continue;
		ev->s = s;
		if (!md_dsig_match(ev))
			continue;
		md_dsig_matched(ev, tx_id, out);
		if (s->info.action == MD_ACT_PASS)
			return;
	}
}

void md_detect_packet(struct md_detect_thread *t, struct md_flow *f,
		      const struct md_packet *p, struct md_alerts *out)
{
	if (passed(f))
		return;
	int dir = f ? p->dir : 0;
	md_dpf_packet(t, p, dir);
	if (!t->ncand)
		return;
	struct md_eval ev = {
	    .t = t,
	    .p = p,
	    .f = f,
	    .fs = f ? f->detect : NULL,
	    .dir = dir,
	    .src = &p->src,
	    .dst = &p->dst,
	    .sp = p->sp,
	    .dp = p->dp,
	    .ipver = p->ip_ver,
	    .ipproto = p->proto,
	    .has_l4 = (p->flags & MD_PKT_L4) != 0,
	    .buf = p->payload,
	    .len = p->payload_len,
	    .now = p->ts_usec,
	    .ev_pid = -1,
	};
	run_cands(&ev, MD_SK_PACKET, MD_TX_NONE, out);
}

/* Orient the flow's addresses for direction dir. */
static void orient(struct md_eval *ev, const struct md_flow *f, int dir)
{
	const struct md_flow_key *k = &f->key;
	ev->dir = dir;
	ev->src = dir ? &k->b : &k->a;
	ev->dst = dir ? &k->a : &k->b;
	ev->sp = dir ? k->bp : k->ap;
	ev->dp = dir ? k->ap : k->bp;
	ev->ipver = k->ip_ver;
	ev->ipproto = k->proto;
	ev->has_l4 = k->proto == 6 || k->proto == 17;
}

static bool stream_reserve(struct md_dflow *fs, struct md_dstream *st,
			   uint64_t need)
{
	if (need <= st->cap)
		return true;
	if (need > UINT32_MAX || !md_dflow_charge(fs, need - st->cap))
		return false;
	uint8_t *nb = md_realloc(st->buf, need);
	if (!nb) {
		md_dflow_uncharge(fs, need - st->cap);
		return false;
	}
	st->buf = nb;
	st->cap = (uint32_t)need;
	return true;
}

/* Keep history for the next chunk: at least the last stream_window bytes.
 * The buffer is compacted only when it holds twice that, so the copying
 * costs O(1) per stream byte. */
static void stream_keep(struct md_detect *d, struct md_dflow *fs,
			struct md_dstream *st, const uint8_t *win,
			uint32_t wlen)
{
	uint32_t w = d->stream_window;
	if (win == st->buf && wlen <= 2 * w) {
		st->len = wlen;
		return;
	}
	uint32_t keep = w < wlen ? w : wlen;
	if (!fs || !keep || !stream_reserve(fs, st, (uint64_t)2 * w)) {
		st->len = 0;
		st->base = st->end;
		return;
	}
	memmove(st->buf, win + (wlen - keep), keep);
	st->base += wlen - keep;
	st->len = keep;
}

void md_detect_stream(struct md_detect_thread *t, struct md_flow *f, int dir,
		      const uint8_t *p, uint32_t len, uint64_t off,
		      struct md_alerts *out)
{
	struct md_detect *d = t->d;
	if (!f || !len || passed(f) || dir < 0 || dir > 1)
		return;
	uint16_t dp = dir ? f->key.ap : f->key.bp;
	if (!md_dpf_has_stream(d, dir, dp))
		return;
	struct md_dflow *fs = md_dflow_get(d, f);
	struct md_dstream local = {.overflow = true},
			  *st = fs ? &fs->st[dir] : &local;
	if (off == MD_DETECT_OFF_NEXT)
		off = st->end;
	if (!st->started || off != st->end) {
		st->len = 0;
		st->nhits = 0;
		st->overflow = !fs;
		st->started = true;
		st->base = off;
	}
	const uint8_t *win = p;
	uint32_t wlen = len, new_from = 0;
	if (st->len && fs && stream_reserve(fs, st, (uint64_t)st->len + len)) {
		memcpy(st->buf + st->len, p, len);
		win = st->buf;
		new_from = st->len;
		wlen = st->len + len;
	} else {
		st->len = 0;
		st->base = off;
	}
	st->end = off + len;
	t->cur_fs = fs;
	md_dpf_stream(t, st, dir, dp, win, wlen, new_from);
	struct md_eval ev = {.t = t,
			     .f = f,
			     .fs = fs,
			     .buf = win,
			     .len = wlen,
			     .base = st->base,
			     .min_end = off,
			     .stream = true,
			     .now = f->last_usec,
			     .ev_pid = -1};
	orient(&ev, f, dir);
	run_cands(&ev, MD_SK_STREAM, MD_TX_NONE, out);
	stream_keep(d, fs, st, win, wlen);
}

void md_detect_stream_gap(struct md_flow *f, int dir, uint64_t len)
{
	struct md_dflow *fs = f ? f->detect : NULL;
	if (!fs || dir < 0 || dir > 1)
		return;
	struct md_dstream *st = &fs->st[dir];
	st->end += len;
	st->base = st->end;
	st->len = 0;
	st->nhits = 0;
	st->overflow = false;
}

static int parser_id(const struct md_flow *f, const struct md_parser *pp)
{
	if (f && f->app_id && md_registry_get(f->app_id - 1u) == pp)
		return f->app_id - 1;
	for (size_t i = 0; i < md_registry_count(); i++)
		if (md_registry_get(i) == pp)
			return (int)i;
	return -1;
}

/* Match s in the directions it allows (header orientation). */
static bool match_dirs(struct md_eval *ev, const struct md_flow *f)
{
	for (int dir = 0; dir < 2; dir++) {
		if (!(ev->s->dirs & (1 << dir)))
			continue;
		if (f)
			orient(ev, f, dir);
		else
			ev->dir = dir;
		if (md_dsig_match(ev))
			return true;
	}
	return false;
}

void md_detect_tx(struct md_detect_thread *t, struct md_flow *f,
		  const struct md_parser *pp, const struct md_tx *tx,
		  struct md_alerts *out)
{
	int pid = parser_id(f, pp);
	if (pid < 0 || passed(f))
		return;
	md_dpf_tx(t, pid, tx);
	struct md_eval ev = {.t = t,
			     .f = f,
			     .fs = f ? f->detect : NULL,
			     .pp = pp,
			     .tx = tx,
			     .tx_pid = pid,
			     .ev_pid = -1,
			     .now = f ? f->last_usec : 0};
	for (uint32_t i = 0; i < t->ncand; i++) {
		const struct md_sig *s = t->d->sigs[t->cand[i]];
		if (s->kind != MD_SK_TX || md_dtxa_has(ev.fs, tx->id, s->idx))
			continue;
		if (!tx->complete && (tx->progress[0] < s->need_prog[0] ||
				      tx->progress[1] < s->need_prog[1]))
			continue;
		ev.s = s;
		if (!match_dirs(&ev, f))
			continue;
		if (!tx->complete && !ev.fs)
			ev.fs = md_dflow_get(t->d, f);
		if (!tx->complete && ev.fs)
			md_dtxa_add(ev.fs, tx->id, s->idx);
		md_dsig_matched(&ev, tx->id, out);
		if (s->info.action == MD_ACT_PASS)
			break;
	}
	if (tx->complete)
		md_dtxa_forget(ev.fs, tx->id);
}

void md_detect_app_event(struct md_detect_thread *t, struct md_flow *f,
			 const struct md_parser *pp, uint64_t tx, unsigned evid,
			 struct md_alerts *out)
{
	int pid = pp ? parser_id(f, pp) : -1;
	if ((pp && pid < 0) || passed(f))
		return;
	md_dpf_event(t, pid, evid);
	struct md_eval ev = {.t = t,
			     .f = f,
			     .fs = f ? f->detect : NULL,
			     .pp = pp,
			     .ev_pid = pid,
			     .ev = evid,
			     .now = f ? f->last_usec : 0};
	for (uint32_t i = 0; i < t->ncand; i++) {
		const struct md_sig *s = t->d->sigs[t->cand[i]];
		if (s->kind != MD_SK_EVENT)
			continue;
		ev.s = s;
		if (!match_dirs(&ev, f))
			continue;
		md_dsig_matched(&ev, tx, out);
		if (s->info.action == MD_ACT_PASS)
			break;
	}
}
