/* flow.c - per-worker bidirectional flow table (see flow.h).
 *
 *   buckets[hash & mask] -> flow -> flow (hnext chain)
 *   LRU lists per state: head (oldest) <-> ... <-> tail (newest)
 *
 * Timeouts are in packet time, swept at most once per second of packet
 * time from the head of each state list. The memcap counts flow structs;
 * when it refuses a new flow the table enters emergency mode (shorter
 * timeouts) and evicts the oldest flows, closed first.
 */
#include "flow.h"

#include <string.h>

#include "md-parser.h"

#define MD_FLOW_EVICT_BATCH 64

void md_flow_cfg_defaults(struct md_flow_cfg *cfg)
{
	static const struct md_flow_timeouts to[MD_FP_MAX] = {{{60, 3600, 30}},
							      {{30, 300, 30}},
							      {{30, 300, 30}},
							      {{30, 300, 30}}};
	static const struct md_flow_timeouts emerg[MD_FP_MAX] = {
	    {{10, 300, 5}}, {{10, 100, 5}}, {{10, 100, 5}}, {{10, 100, 5}}};
	memset(cfg, 0, sizeof(*cfg));
	cfg->memcap = 128ull << 20;
	cfg->hash_size = 65536;
	cfg->emergency_recovery = 30;
	memcpy(cfg->to, to, sizeof(to));
	memcpy(cfg->emerg, emerg, sizeof(emerg));
}

int md_flow_table_init(struct md_flow_table *t, const struct md_flow_cfg *cfg,
		       struct md_counters *ctr, md_flow_end_fn end_cb,
		       void *user)
{
	uint32_t n = 1024;
	memset(t, 0, sizeof(*t));
	t->cfg = *cfg;
	while (n < cfg->hash_size && n < (1u << 24))
		n <<= 1;
	t->buckets = md_calloc(n, sizeof(*t->buckets));
	if (!t->buckets)
		return MD_E_NOMEM;
	t->mask = n - 1;
	t->memcap.cap = cfg->memcap;
	t->ctr = ctr;
	t->end_cb = end_cb;
	t->user = user;
	return 0;
}

enum md_flow_proto md_flow_proto_class(uint8_t ipproto)
{
	switch (ipproto) {
	case 6:
		return MD_FP_TCP;
	case 17:
		return MD_FP_UDP;
	case 1:
	case 58:
		return MD_FP_ICMP;
	default:
		return MD_FP_OTHER;
	}
}

static uint32_t mix32(uint32_t h, uint32_t v)
{
	h ^= v * 0x9e3779b1u;
	h = (h << 13) | (h >> 19);
	return h * 5u + 0xe6546b64u;
}

static uint32_t hash_words(const uint8_t *b, size_t n, uint32_t h)
{
	for (size_t i = 0; i + 4 <= n; i += 4) {
		uint32_t v;
		memcpy(&v, b + i, 4);
		h = mix32(h, v);
	}
	return h;
}

/* Direction-independent hash: the smaller endpoint goes first. */
static uint32_t key_hash(const struct md_addr *s, uint16_t sp,
			 const struct md_addr *d, uint16_t dp,
			 const struct md_packet *p)
{
	int c = memcmp(s->b, d->b, 16);
	if (c > 0 || (c == 0 && sp > dp)) {
		const struct md_addr *ta = s;
		uint16_t tp = sp;
		s = d, sp = dp, d = ta, dp = tp;
	}
	uint32_t h = hash_words(s->b, 16, 0x3c6ef372u);
	h = hash_words(d->b, 16, h);
	h = mix32(h, ((uint32_t)sp << 16) | dp);
	h = mix32(h, ((uint32_t)p->vlan[0] << 16) | p->vlan[1]);
	h = mix32(h, p->proto);
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	return h;
}

static int key_match(const struct md_flow *f, const struct md_packet *p)
{
	const struct md_flow_key *k = &f->key;
	if (k->proto != p->proto || k->ip_ver != p->ip_ver ||
	    k->vlan[0] != p->vlan[0] || k->vlan[1] != p->vlan[1])
		return -1;
	if (k->ap == p->sp && k->bp == p->dp && !memcmp(&k->a, &p->src, 16) &&
	    !memcmp(&k->b, &p->dst, 16))
		return 0;
	if (k->ap == p->dp && k->bp == p->sp && !memcmp(&k->a, &p->dst, 16) &&
	    !memcmp(&k->b, &p->src, 16))
		return 1;
	return -1;
}

static void lru_unlink(struct md_flow_table *t, struct md_flow *f)
{
	unsigned s = f->lru_state;
	if (f->lru_prev)
		f->lru_prev->lru_next = f->lru_next;
	else
		t->head[s] = f->lru_next;
	if (f->lru_next)
		f->lru_next->lru_prev = f->lru_prev;
	else
		t->tail[s] = f->lru_prev;
	f->lru_prev = f->lru_next = NULL;
}

static void lru_append(struct md_flow_table *t, struct md_flow *f)
{
	unsigned s = f->state;
	f->lru_state = f->state;
	f->lru_next = NULL;
	f->lru_prev = t->tail[s];
	if (t->tail[s])
		t->tail[s]->lru_next = f;
	else
		t->head[s] = f;
	t->tail[s] = f;
}

static void hash_unlink(struct md_flow_table *t, struct md_flow *f)
{
	struct md_flow **pp = &t->buckets[f->hash & t->mask];
	while (*pp && *pp != f)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = f->hnext;
}

void md_flow_end(struct md_flow_table *t, struct md_flow *f, int reason)
{
	f->end_reason = (uint8_t)reason;
	hash_unlink(t, f);
	lru_unlink(t, f);
	if (t->end_cb)
		t->end_cb(t->user, f);
	md_memcap_release(&t->memcap, sizeof(*f));
	md_free(f);
	t->active--;
	MD_SET(t->ctr, FLOW_ACTIVE, t->active);
	MD_SET(t->ctr, FLOW_MEMUSE, t->memcap.used);
	if (reason == MD_FLOW_END_TIMEOUT)
		MD_INC(t->ctr, FLOW_TIMEOUT);
	else if (reason == MD_FLOW_END_FORCED)
		MD_INC(t->ctr, FLOW_EVICTED);
	else
		MD_INC(t->ctr, FLOW_SHUTDOWN);
}

/* Evict up to n flows, oldest first, closed before new before established. */
static void evict(struct md_flow_table *t, unsigned n)
{
	static const int order[3] = {MD_FLOW_CLOSED, MD_FLOW_NEW,
				     MD_FLOW_ESTABLISHED};
	for (int i = 0; i < 3 && n; i++)
		while (n && t->head[order[i]]) {
			md_flow_end(t, t->head[order[i]], MD_FLOW_END_FORCED);
			n--;
		}
}

static void emergency_check(struct md_flow_table *t)
{
	if (t->emergency && t->memcap.cap &&
	    t->memcap.used * 100 <
		t->memcap.cap * (uint64_t)t->cfg.emergency_recovery) {
		t->emergency = false;
		MD_INC(t->ctr, FLOW_EMERG_OVER);
	}
}

static struct md_flow *flow_alloc(struct md_flow_table *t)
{
	if (!md_memcap_try(&t->memcap, sizeof(struct md_flow))) {
		MD_INC(t->ctr, FLOW_MEMCAP);
		if (!t->emergency) {
			t->emergency = true;
			MD_INC(t->ctr, FLOW_EMERG_ENTERED);
		}
		evict(t, MD_FLOW_EVICT_BATCH);
		if (!md_memcap_try(&t->memcap, sizeof(struct md_flow)))
			return NULL;
	}
	struct md_flow *f = md_calloc(1, sizeof(*f));
	if (!f)
		md_memcap_release(&t->memcap, sizeof(struct md_flow));
	return f;
}

static uint64_t flow_id_of(const struct md_flow *f)
{
	uint64_t z = ((uint64_t)f->hash << 32) ^ f->start_usec ^
		     ((uint64_t)f->key.ap << 48) ^ f->key.bp;
	z += 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	z &= (1ull << 51) - 1; /* stays exact in a JSON double */
	return z ? z : 1;
}

static struct md_flow *flow_create(struct md_flow_table *t, struct md_packet *p,
				   uint32_t h)
{
	struct md_flow *f = flow_alloc(t);
	if (!f)
		return NULL;
	bool swap = p->proto == 6 && (p->tcp_flags & (MD_TH_SYN | MD_TH_ACK)) ==
					 (MD_TH_SYN | MD_TH_ACK);
	f->key.a = swap ? p->dst : p->src;
	f->key.b = swap ? p->src : p->dst;
	f->key.ap = swap ? p->dp : p->sp;
	f->key.bp = swap ? p->sp : p->dp;
	memcpy(f->key.vlan, p->vlan, sizeof(f->key.vlan));
	f->key.proto = p->proto;
	f->key.ip_ver = p->ip_ver;
	f->reversed = swap;
	f->hash = h;
	f->start_usec = f->last_usec = p->ts_usec;
	f->flow_id = flow_id_of(f);
	f->emergency = t->emergency;
	f->hnext = t->buckets[h & t->mask];
	t->buckets[h & t->mask] = f;
	lru_append(t, f);
	t->active++;
	MD_INC(t->ctr, FLOW_TOTAL);
	MD_SET(t->ctr, FLOW_ACTIVE, t->active);
	MD_SET(t->ctr, FLOW_MEMUSE, t->memcap.used);
	switch (md_flow_proto_class(p->proto)) {
	case MD_FP_TCP:
		MD_INC(t->ctr, FLOW_TCP);
		break;
	case MD_FP_UDP:
		MD_INC(t->ctr, FLOW_UDP);
		break;
	case MD_FP_ICMP:
		if (p->ip_ver == 4)
			MD_INC(t->ctr, FLOW_ICMPV4);
		else
			MD_INC(t->ctr, FLOW_ICMPV6);
		break;
	default:
		break;
	}
	return f;
}

struct md_flow *md_flow_lookup(struct md_flow_table *t, struct md_packet *p)
{
	uint32_t h = key_hash(&p->src, p->sp, &p->dst, p->dp, p);
	struct md_flow *f;
	int dir = -1;

	for (f = t->buckets[h & t->mask]; f; f = f->hnext)
		if (f->hash == h && (dir = key_match(f, p)) >= 0)
			break;
	if (!f) {
		f = flow_create(t, p, h);
		if (!f)
			return NULL;
		dir = f->reversed ? 1 : 0;
	}
	p->flow = f;
	p->dir = (uint8_t)dir;
	f->pkts[dir]++;
	f->bytes[dir] += p->wirelen ? p->wirelen : p->caplen;
	if (p->ts_usec > f->last_usec)
		f->last_usec = p->ts_usec;
	if (p->proto == 6)
		f->tcp_flags[dir] |= p->tcp_flags;
	else if (f->state == MD_FLOW_NEW && f->pkts[0] && f->pkts[1])
		f->state = MD_FLOW_ESTABLISHED;
	return f;
}

void md_flow_touch(struct md_flow_table *t, struct md_flow *f)
{
	if (t->tail[f->state] == f)
		return;
	lru_unlink(t, f);
	lru_append(t, f);
}

static uint64_t timeout_of(const struct md_flow_table *t,
			   const struct md_flow *f)
{
	const struct md_flow_timeouts *to =
	    t->emergency ? t->cfg.emerg : t->cfg.to;
	return (uint64_t)to[md_flow_proto_class(f->key.proto)].state[f->state] *
	       1000000u;
}

static uint64_t max_timeout(const struct md_flow_table *t, unsigned state)
{
	const struct md_flow_timeouts *to =
	    t->emergency ? t->cfg.emerg : t->cfg.to;
	uint64_t m = 0;
	for (unsigned i = 0; i < MD_FP_MAX; i++)
		if (to[i].state[state] > m)
			m = to[i].state[state];
	return m * 1000000u;
}

void md_flow_timeout(struct md_flow_table *t, uint64_t now_usec)
{
	if (now_usec < t->last_sweep_usec + 1000000u && !t->emergency)
		return;
	t->last_sweep_usec = now_usec;
	for (unsigned s = 0; s < 3; s++) {
		uint64_t maxto = max_timeout(t, s);
		struct md_flow *f = t->head[s];
		while (f) {
			struct md_flow *next = f->lru_next;
			if (f->last_usec + timeout_of(t, f) <= now_usec)
				md_flow_end(t, f, MD_FLOW_END_TIMEOUT);
			else if (f->last_usec + maxto > now_usec)
				break;
			f = next;
		}
	}
	emergency_check(t);
}

void md_flow_table_fini(struct md_flow_table *t)
{
	if (!t->buckets)
		return;
	for (unsigned s = 0; s < 3; s++)
		while (t->head[s])
			md_flow_end(t, t->head[s], MD_FLOW_END_SHUTDOWN);
	md_free(t->buckets);
	t->buckets = NULL;
}
