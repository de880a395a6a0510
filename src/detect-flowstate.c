/* detect-flowstate.c - detection state kept per flow (f->detect):
 * flowbits, flowints, the pass verdict, stream windows of raw stream
 * rules and the (rule, transaction) pairs that already alerted.
 *
 * Created on first need (one allocation for the fixed part, sized by the
 * number of flowbits and flowints the rules name) and charged to the
 * engine's detect memcap; when the memcap refuses, flowbits/flowints are
 * not kept for that flow and inspection goes on (fail open).
 * Semantics of flowbits/flowint per the Suricata user guide ("Flow
 * Keywords"): changes apply when the whole rule matches.
 */
#include <string.h>

#include "detect-int.h"

struct md_dflow *md_dflow_get(struct md_detect *d, struct md_flow *f)
{
	if (!f)
		return NULL;
	if (f->detect)
		return f->detect;
	uint32_t bw = (d->flowbits.n + 63) / 64, iw = (d->flowints.n + 63) / 64;
	size_t sz = sizeof(struct md_dflow) + (bw + iw) * sizeof(uint64_t) +
		    d->flowints.n * sizeof(int64_t);
	if (!md_memcap_try(&d->mc, sz))
		return NULL;
	struct md_dflow *fs = md_calloc(1, sz);
	if (!fs) {
		md_memcap_release(&d->mc, sz);
		return NULL;
	}
	fs->d = d;
	fs->mem = sz;
	fs->bits = (uint64_t *)(fs + 1);
	fs->ints_set = fs->bits + bw;
	fs->ints = (int64_t *)(fs->ints_set + iw);
	f->detect = fs;
	return fs;
}

bool md_dflow_charge(struct md_dflow *fs, uint64_t n)
{
	if (!md_memcap_try(&fs->d->mc, n))
		return false;
	fs->mem += n;
	return true;
}

void md_dflow_uncharge(struct md_dflow *fs, uint64_t n)
{
	md_memcap_release(&fs->d->mc, n);
	fs->mem -= n < fs->mem ? n : fs->mem;
}

void md_detect_flow_free(struct md_flow *f)
{
	struct md_dflow *fs = f ? f->detect : NULL;
	if (!fs)
		return;
	for (int k = 0; k < 2; k++) {
		md_free(fs->st[k].buf);
		md_free(fs->st[k].hits);
	}
	md_free(fs->txa);
	md_memcap_release(&fs->d->mc, fs->mem);
	md_free(fs);
	f->detect = NULL;
}

/* ---- flowbits -------------------------------------------------------- */

static bool bit_get(const struct md_dflow *fs, uint32_t id)
{
	return fs && ((fs->bits[id / 64] >> (id % 64)) & 1);
}

bool md_dcheck_flowbits(const struct md_eval *ev, const struct md_check *c)
{
	if (!ev->f)
		return false;
	bool want = c->fb.cmd == MD_FB_ISSET;
	for (uint32_t i = 0; i < c->fb.n; i++) {
		bool hit = bit_get(ev->fs, c->fb.ids[i]) == want;
		if (c->fb.any && hit)
			return true;
		if (!c->fb.any && !hit)
			return false;
	}
	return !c->fb.any;
}

/* ---- flowints ---------------------------------------------------------- */

static bool int_get(const struct md_dflow *fs, uint32_t id, int64_t *v)
{
	if (!fs || !((fs->ints_set[id / 64] >> (id % 64)) & 1))
		return false;
	*v = fs->ints[id];
	return true;
}

static void int_set(struct md_dflow *fs, uint32_t id, int64_t v)
{
	fs->ints_set[id / 64] |= 1ull << (id % 64);
	fs->ints[id] = v;
}

bool md_dcheck_flowint(const struct md_eval *ev, const struct md_check *c)
{
	if (!ev->f)
		return false;
	int64_t v, ref;
	bool set = int_get(ev->fs, c->fi.id, &v);
	if (c->fi.op == MD_FI_ISSET)
		return set;
	if (c->fi.op == MD_FI_NOTSET)
		return !set;
	if (!set)
		return false;
	if (c->fi.var >= 0) {
		if (!int_get(ev->fs, (uint32_t)c->fi.var, &ref))
			return false;
	} else {
		ref = c->fi.v;
	}
	switch (c->fi.op) {
	case MD_FI_EQ:
		return v == ref;
	case MD_FI_NE:
		return v != ref;
	case MD_FI_LT:
		return v < ref;
	case MD_FI_LE:
		return v <= ref;
	case MD_FI_GT:
		return v > ref;
	default:
		return v >= ref;
	}
}

static void apply_one(struct md_dflow *fs, const struct md_check *c)
{
	if (c->type == MD_CK_FLOWBITS) {
		for (uint32_t i = 0; i < c->fb.n; i++) {
			uint32_t id = c->fb.ids[i];
			uint64_t m = 1ull << (id % 64);
			if (c->fb.cmd == MD_FB_SET)
				fs->bits[id / 64] |= m;
			else if (c->fb.cmd == MD_FB_UNSET)
				fs->bits[id / 64] &= ~m;
			else
				fs->bits[id / 64] ^= m;
		}
		return;
	}
	int64_t cur = 0, ref = c->fi.v;
	if (c->fi.var >= 0 && !int_get(fs, (uint32_t)c->fi.var, &ref))
		return; /* the source variable is not set */
	int_get(fs, c->fi.id, &cur);
	if (c->fi.op == MD_FI_SET)
		cur = ref;
	else if (c->fi.op == MD_FI_ADD)
		cur += ref;
	else
		cur -= ref;
	int_set(fs, c->fi.id, cur);
}

void md_dposts_apply(struct md_eval *ev)
{
	const struct md_sig *s = ev->s;
	if (!s->n_posts || !ev->f)
		return;
	if (!ev->fs)
		ev->fs = md_dflow_get(ev->t->d, ev->f);
	if (!ev->fs)
		return;
	for (uint32_t i = 0; i < s->n_posts; i++)
		apply_one(ev->fs, &s->posts[i]);
}

/* ---- (signature, transaction) alerts ------------------------------------ */

bool md_dtxa_has(const struct md_dflow *fs, uint64_t tx, uint32_t sig)
{
	if (!fs)
		return false;
	for (uint32_t i = 0; i < fs->ntxa; i++)
		if (fs->txa[i].tx == tx && fs->txa[i].sig == sig)
			return true;
	return false;
}

void md_dtxa_add(struct md_dflow *fs, uint64_t tx, uint32_t sig)
{
	if (fs->ntxa == fs->txacap) {
		uint32_t cap = fs->txacap ? fs->txacap * 2 : 8;
		uint64_t grow = (uint64_t)(cap - fs->txacap) * sizeof(*fs->txa);
		if (!md_dflow_charge(fs, grow))
			return;
		struct md_txa *a = md_realloc(fs->txa, cap * sizeof(*a));
		if (!a) {
			md_dflow_uncharge(fs, grow);
			return;
		}
		fs->txa = a;
		fs->txacap = cap;
	}
	fs->txa[fs->ntxa].tx = tx;
	fs->txa[fs->ntxa].sig = sig;
	fs->ntxa++;
}

void md_dtxa_forget(struct md_dflow *fs, uint64_t tx)
{
	if (!fs)
		return;
	uint32_t w = 0;
	for (uint32_t i = 0; i < fs->ntxa; i++)
		if (fs->txa[i].tx != tx)
			fs->txa[w++] = fs->txa[i];
	fs->ntxa = w;
}
