/* eve-txw.c - a transaction's protocol object written straight to JSON
 * text, in the layout its parser's field table gives.
 *
 * Once per parser, the dotted eve_keys of the field table become a tree
 * (objects in the order their first field appears; MD_FT_GROUP fields own
 * a subtree for their elements). Per record, the values are bucketed by
 * field (report order kept) and the tree is walked: a leaf writes the last
 * value, an MD_FF_MULTI leaf an array, an MD_FF_ARG leaf an object keyed
 * by argument, a group an array of element objects; an object is opened
 * only when something below it is written.
 *
 *   fields: request.called_ae, request.calling_ae, contexts(group):
 *           {id, transfer_syntaxes(multi)}, status
 *   tree:   request{called_ae, calling_ae}, contexts[{id, transfer_...}],
 *           status
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "eve.h"
#include "mem.h"

#define MD_TXW_MAX_PARSERS 32
#define MD_TXW_NAME	   64

struct lnode {
	char name[MD_TXW_NAME];
	int16_t field; /* leaf: field index; object: -1 */
	int32_t child, next;
	int32_t up; /* parent node; a group's member root points at the group */
};

struct layout {
	const struct md_parser *pp;
	struct lnode *n;
	int32_t nn, cap;
	int32_t root;	  /* object node of the top level */
	int32_t *members; /* per field: object node of a group's members */
	int32_t *leaf;	  /* per field: its leaf node, or -1 */
};

static struct layout layouts[MD_TXW_MAX_PARSERS];
static int n_layouts;
static pthread_mutex_t layout_lock = PTHREAD_MUTEX_INITIALIZER;

static int32_t node_new(struct layout *l, const char *name, size_t len,
			int field)
{
	if (l->nn == l->cap) {
		int32_t cap = l->cap ? l->cap * 2 : 32;
		struct lnode *n = md_realloc(l->n, (size_t)cap * sizeof(*n));
		if (!n)
			return -1;
		l->n = n;
		l->cap = cap;
	}
	struct lnode *x = &l->n[l->nn];
	snprintf(x->name, sizeof(x->name), "%.*s", (int)len, name);
	x->field = (int16_t)field;
	x->child = x->next = x->up = -1;
	return l->nn++;
}

/* Add the leaf of field f at dotted path `key` below object node `at`. */
static int insert(struct layout *l, int32_t at, const char *key, int f)
{
	while (at >= 0) {
		size_t len = strcspn(key, ".");
		bool last = key[len] == 0;
		int32_t c = l->n[at].child, prev = -1;
		while (c >= 0 && (strlen(l->n[c].name) != len ||
				  strncmp(l->n[c].name, key, len)))
			prev = c, c = l->n[c].next;
		if (c < 0) {
			c = node_new(l, key, len, last ? f : -1);
			if (c < 0)
				return MD_E_NOMEM;
			l->n[c].up = at;
			if (last)
				l->leaf[f] = c;
			if (prev >= 0)
				l->n[prev].next = c;
			else
				l->n[at].child = c;
		} else if (last || l->n[c].field >= 0) {
			return 0; /* the key is taken: first field wins */
		}
		if (last)
			return 0;
		at = c;
		key += len + 1;
	}
	return 0;
}

static int build(struct layout *l, const struct md_parser *pp)
{
	memset(l, 0, sizeof(*l));
	l->pp = pp;
	size_t nf = pp->n_fields ? pp->n_fields : 1;
	l->members = md_malloc(nf * sizeof(int32_t));
	l->leaf = md_malloc(nf * sizeof(int32_t));
	if (!l->members || !l->leaf || (l->root = node_new(l, "", 0, -1)) < 0)
		return MD_E_NOMEM;
	for (size_t f = 0; f < pp->n_fields; f++) {
		l->leaf[f] = -1;
		l->members[f] = pp->fields[f].type == MD_FT_GROUP
				    ? node_new(l, "", 0, -1)
				    : -1;
	}
	for (size_t f = 0; f < pp->n_fields; f++) {
		const struct md_field_def *fd = &pp->fields[f];
		const char *key = fd->eve_key ? fd->eve_key : fd->name;
		int32_t at = l->root;
		if (fd->flags & MD_FF_NOLOG)
			continue;
		if (fd->group >= 0 && (size_t)fd->group < pp->n_fields)
			at = l->members[fd->group];
		if (at < 0 || insert(l, at, key, (int)f))
			return MD_E_NOMEM;
	}
	for (size_t f = 0; f < pp->n_fields; f++) /* member roots: up = group */
		if (l->members[f] >= 0)
			l->n[l->members[f]].up = l->leaf[f];
	return 0;
}

static const struct layout *layout_of(const struct md_parser *pp)
{
	const struct layout *found = NULL;
	pthread_mutex_lock(&layout_lock);
	for (int i = 0; i < n_layouts && !found; i++)
		if (layouts[i].pp == pp)
			found = &layouts[i];
	if (!found && n_layouts < MD_TXW_MAX_PARSERS) {
		if (build(&layouts[n_layouts], pp) == 0)
			found = &layouts[n_layouts++];
		else {
			md_free(layouts[n_layouts].n);
			md_free(layouts[n_layouts].members);
			md_free(layouts[n_layouts].leaf);
		}
	}
	pthread_mutex_unlock(&layout_lock);
	return found;
}

void md_eve_txw_fini(void)
{
	pthread_mutex_lock(&layout_lock);
	for (int i = 0; i < n_layouts; i++) {
		md_free(layouts[i].n);
		md_free(layouts[i].members);
		md_free(layouts[i].leaf);
	}
	n_layouts = 0;
	pthread_mutex_unlock(&layout_lock);
}

/* ---- one record --------------------------------------------------------- */

#define MD_TXW_DEPTH 16

struct rec {
	const struct md_parser *pp;
	const struct layout *l;
	const struct md_tx_val **v; /* values bucketed by field */
	uint32_t *start, *cnt;	    /* per field */
	int32_t *elem;		    /* per bucketed value: group element */
	uint32_t *nelem;	    /* per group field: element count */
	uint32_t *pos;		    /* per field: next value for element runs */
	uint8_t *mark;		    /* per node: something below has a value */
	const struct md_phi *phi;
	unsigned max;
	struct md_jb *jb;
	const char *pend[MD_TXW_DEPTH];
	bool opened[MD_TXW_DEPTH];
	int depth;
};

/* Open the objects waiting above the value about to be written. */
static void flush(struct rec *r)
{
	for (int i = 0; i < r->depth; i++)
		if (!r->opened[i]) {
			md_jb_open(r->jb, r->pend[i]);
			r->opened[i] = true;
		}
}

static void base64(struct md_jb *jb, const char *key, const uint8_t *p,
		   size_t len)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = md_malloc((len + 2) / 3 * 4 + 1);
	size_t o = 0;
	if (!out) {
		jb->err = true;
		return;
	}
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		out[o++] = tab[(v >> 18) & 63];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? tab[v & 63] : '=';
	}
	out[o] = 0;
	md_jb_str(jb, key, out);
	md_free(out);
}

static void value(struct rec *r, const char *key, const struct md_tx_val *v)
{
	const struct md_field_def *fd = &r->pp->fields[v->field];
	const uint8_t *p = md_tx_val_bytes(v);
	char phi[MD_PHI_TEXT];
	if (fd->type == MD_FT_UINT)
		md_jb_uint(r->jb, key, v->u);
	else if (fd->type == MD_FT_BOOL)
		md_jb_bool(r->jb, key, v->u != 0);
	else if ((fd->flags & MD_FF_PHI) && !r->phi->log_clear)
		md_jb_str(r->jb, key, md_eve_phi_text(r->phi, p, v->len, phi));
	else if (fd->type == MD_FT_BYTES)
		base64(r->jb, key, p, v->len);
	else
		md_jb_bytes(r->jb, key, p, v->len);
}

static void emit_children(struct rec *r, int32_t node, int32_t el);

static void emit_group(struct rec *r, const char *name, int f)
{
	uint32_t n = r->nelem[f];
	if (!n)
		return;
	flush(r);
	md_jb_open_array(r->jb, name);
	for (uint32_t e = 0; e < n && e < r->max; e++) {
		md_jb_open(r->jb, NULL);
		emit_children(r, r->l->members[f], (int32_t)e);
		md_jb_close(r->jb);
	}
	md_jb_close_array(r->jb);
}

static void emit_leaf(struct rec *r, const char *name, int f, int32_t el)
{
	const struct md_field_def *fd = &r->pp->fields[f];
	const struct md_tx_val *last = NULL;
	unsigned n = 0;
	bool obj = false;
	char arg[256];
	if (fd->type == MD_FT_GROUP) {
		emit_group(r, name, f);
		return;
	}
	uint32_t k = el >= 0 ? r->pos[f] : r->start[f];
	for (; k < r->start[f] + r->cnt[f]; k++) {
		const struct md_tx_val *v = r->v[k];
		if (el >= 0 && r->elem[k] < el)
			continue;
		if (el >= 0 && r->elem[k] > el)
			break; /* values come in element order */
		if (!(fd->flags & (MD_FF_MULTI | MD_FF_ARG))) {
			last = v;
			continue;
		}
		if (n == r->max)
			continue;
		if (n++ == 0) {
			flush(r);
			obj = (fd->flags & MD_FF_ARG) != 0;
			if (obj)
				md_jb_open(r->jb, name);
			else
				md_jb_open_array(r->jb, name);
		}
		if (obj)
			snprintf(arg, sizeof(arg), "%.*s", (int)v->arglen,
				 (const char *)v->bytes);
		value(r, obj ? arg : NULL, v);
	}
	if (el >= 0)
		r->pos[f] = k;
	if (n && obj)
		md_jb_close(r->jb);
	else if (n)
		md_jb_close_array(r->jb);
	if (last) {
		flush(r);
		value(r, name, last);
	}
}

static void emit_children(struct rec *r, int32_t node, int32_t el)
{
	for (int32_t c = r->l->n[node].child; c >= 0; c = r->l->n[c].next) {
		const struct lnode *x = &r->l->n[c];
		if (!r->mark[c])
			continue;
		if (x->field >= 0) {
			emit_leaf(r, x->name, x->field, el);
			continue;
		}
		if (r->depth == MD_TXW_DEPTH)
			continue;
		r->pend[r->depth] = x->name;
		r->opened[r->depth++] = false;
		emit_children(r, c, el);
		if (r->opened[--r->depth])
			md_jb_close(r->jb);
	}
}

/* Bucket the values by field and number group elements. */
static int bucket(struct rec *r, const struct md_tx *tx, int32_t *cur)
{
	size_t nf = r->pp->n_fields;
	for (const struct md_tx_val *v = tx->vals; v; v = v->next)
		if (v->field < nf)
			r->cnt[v->field]++;
	for (size_t f = 1; f < nf; f++)
		r->start[f] = r->start[f - 1] + r->cnt[f - 1];
	for (size_t f = 0; f < nf; f++) {
		r->cnt[f] = 0;
		cur[f] = -1;
	}
	for (const struct md_tx_val *v = tx->vals; v; v = v->next) {
		if (v->field >= nf)
			continue;
		const struct md_field_def *fd = &r->pp->fields[v->field];
		uint32_t k = r->start[v->field] + r->cnt[v->field]++;
		int32_t e = 0;
		if (fd->type == MD_FT_GROUP) {
			e = ++cur[v->field];
			r->nelem[v->field] = (uint32_t)e + 1;
		} else if (fd->group >= 0 && (size_t)fd->group < nf) {
			if (cur[fd->group] < 0) {
				cur[fd->group] = 0;
				r->nelem[fd->group] = 1;
			}
			e = cur[fd->group];
		}
		r->v[k] = v;
		r->elem[k] = e;
	}
	return 0;
}

int md_eve_tx_write(struct md_jb *jb, const char *key,
		    const struct md_parser *pp, const struct md_tx *tx,
		    const struct md_phi *phi, unsigned max_values)
{
	const struct layout *l = layout_of(pp);
	size_t nf = pp->n_fields ? pp->n_fields : 1, nv = tx->n_vals + 1;
	struct rec r = {
	    .pp = pp, .l = l, .phi = phi, .max = max_values, .jb = jb};
	if (!l)
		return MD_E_NOMEM;
	/* one allocation: start, cnt, nelem, pos, cur (per field); v, elem
	 * (per value); mark (per node) */
	size_t sz = nf * (4 * sizeof(uint32_t) + sizeof(int32_t)) +
		    nv * (sizeof(void *) + sizeof(int32_t)) + (size_t)l->nn;
	uint8_t *mem = md_calloc(1, sz);
	if (!mem)
		return MD_E_NOMEM;
	r.v = (const struct md_tx_val **)mem;
	r.elem = (int32_t *)(mem + nv * sizeof(void *));
	r.start = (uint32_t *)(mem + nv * (sizeof(void *) + sizeof(int32_t)));
	r.cnt = r.start + nf;
	r.nelem = r.cnt + nf;
	r.pos = r.nelem + nf;
	int32_t *cur = (int32_t *)(r.pos + nf);
	r.mark = (uint8_t *)(cur + nf);
	bucket(&r, tx, cur);
	for (size_t f = 0; f < pp->n_fields; f++) {
		r.pos[f] = r.start[f];
		for (int32_t x = r.cnt[f] ? l->leaf[f] : -1;
		     x >= 0 && !r.mark[x]; x = l->n[x].up)
			r.mark[x] = 1;
	}
	md_jb_open(jb, key);
	emit_children(&r, l->root, -1);
	md_jb_close(jb);
	md_free(mem);
	return jb->err ? MD_E_NOMEM : 0;
}
