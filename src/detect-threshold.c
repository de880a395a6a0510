/* detect-threshold.c - threshold, detection_filter and suppress at run
 * time, counted in packet time.
 *
 * Per the Suricata user guide ("Thresholding Keywords"), for count C
 * within a window of T seconds that opens at the first counted match:
 *   limit             alert on the first C matches of each window
 *   threshold         alert on every Cth match (the count restarts)
 *   both              alert once per window, on the Cth match
 *   detection_filter  alert on every match after the Cth
 * Tracking by_src / by_dst / by_both keys the count by the addresses of
 * the match, by_rule by the rule alone. Entries live in one table shared
 * by every worker (a mutex; taken only for matching rules that have a
 * threshold). For limit (and suppress) the rule action (drop) still
 * applies to matches that do not alert; for the others it does not.
 */
#include <string.h>

#include "detect-int.h"

#define THR_BUCKETS	4096u
#define THR_MAX_ENTRIES 65536u

struct thr_key {
	uint32_t sig;
	uint8_t track;
	uint8_t pad[3];
	struct md_addr a, b;
};

struct thr_ent {
	struct thr_ent *next;
	struct thr_key k;
	uint64_t first;
	uint32_t count;
};

struct md_thr_table {
	pthread_mutex_t lock;
	struct thr_ent *b[THR_BUCKETS];
	uint32_t n;
};

int md_dthr_init(struct md_detect *d)
{
	d->thr = md_calloc(1, sizeof(*d->thr));
	if (!d->thr)
		return MD_E_NOMEM;
	pthread_mutex_init(&d->thr->lock, NULL);
	return 0;
}

void md_dthr_fini(struct md_detect *d)
{
	if (!d->thr)
		return;
	for (uint32_t i = 0; i < THR_BUCKETS; i++) {
		struct thr_ent *e = d->thr->b[i];
		while (e) {
			struct thr_ent *n = e->next;
			md_free(e);
			e = n;
		}
	}
	pthread_mutex_destroy(&d->thr->lock);
	md_free(d->thr);
	d->thr = NULL;
}

static uint32_t key_hash(const struct thr_key *k)
{
	const uint8_t *p = (const uint8_t *)k;
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 16777619u;
	return h % THR_BUCKETS;
}

static bool suppressed(const struct md_eval *ev)
{
	for (const struct md_suppress *s = ev->s->sup; s; s = s->next) {
		if (s->track == MD_TRACK_NONE || !s->ips)
			return true;
		bool src =
		    ev->src && md_daddr_match(s->ips, ev->src, ev->ipver);
		bool dst =
		    ev->dst && md_daddr_match(s->ips, ev->dst, ev->ipver);
		if ((s->track == MD_TRACK_SRC && src) ||
		    (s->track == MD_TRACK_DST && dst) ||
		    (s->track == MD_TRACK_EITHER && (src || dst)))
			return true;
	}
	return false;
}

static struct thr_ent *lookup(struct md_thr_table *t, const struct thr_key *k)
{
	uint32_t h = key_hash(k);
	for (struct thr_ent *e = t->b[h]; e; e = e->next)
		if (!memcmp(&e->k, k, sizeof(*k)))
			return e;
	if (t->n >= THR_MAX_ENTRIES)
		return NULL;
	struct thr_ent *e = md_calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->k = *k;
	e->next = t->b[h];
	t->b[h] = e;
	t->n++;
	return e;
}

static bool count_match(const struct md_thresh *th, struct thr_ent *e,
			uint64_t now)
{
	uint64_t win = (uint64_t)th->seconds * 1000000u;
	if (e->count == 0 || (th->seconds && now >= e->first + win)) {
		e->first = now;
		e->count = 0;
	}
	e->count++;
	switch (th->type) {
	case MD_THR_LIMIT:
		return e->count <= th->count;
	case MD_THR_THRESHOLD:
		if (e->count < th->count)
			return false;
		e->count = 0;
		return true;
	case MD_THR_BOTH:
		return e->count == th->count;
	default: /* detection_filter */
		return e->count > th->count;
	}
}

bool md_dthr_check(struct md_eval *ev, bool *act)
{
	const struct md_thresh *th = &ev->s->thr;
	*act = true;
	if (ev->s->sup && suppressed(ev))
		return false;
	if (th->type == MD_THR_NONE)
		return true;
	struct thr_key k;
	memset(&k, 0, sizeof(k));
	k.sig = ev->s->idx;
	k.track = th->track;
	if ((th->track == MD_TRACK_SRC || th->track == MD_TRACK_BOTH) &&
	    ev->src)
		k.a = *ev->src;
	if ((th->track == MD_TRACK_DST || th->track == MD_TRACK_BOTH) &&
	    ev->dst)
		k.b = *ev->dst;
	struct md_thr_table *t = ev->t->d->thr;
	pthread_mutex_lock(&t->lock);
	struct thr_ent *e = lookup(t, &k);
	bool ok = e ? count_match(th, e, ev->now) : true;
	pthread_mutex_unlock(&t->lock);
	if (!ok)
		*act = th->type == MD_THR_LIMIT;
	return ok;
}
