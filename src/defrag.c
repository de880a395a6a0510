/* defrag.c - IPv4 and IPv6 fragment reassembly.
 *
 * Normative references: RFC 791 section 3.2 and RFC 815 (hole-based
 * reassembly), RFC 8200 section 4.5 (IPv6: the rebuilt packet is the
 * unfragmentable part of the offset-0 fragment, its last Next Header set
 * to the Fragment header's, Payload Length recomputed, then the
 * fragmentable parts in order), Novak, "Target-Based Fragmentation
 * Reassembly" (2005) for the overlap policies.
 *
 * A datagram is tracked by (source, destination, id, protocol, IP
 * version, VLAN ids); IPv6 leaves the protocol out, only the offset-0
 * fragment's next header counts (RFC 8200 4.5).
 *
 *   tab[hash & mask] -> tracker -> tracker ...     (hash chains)
 *   oldest <-> ... <-> newest                      (creation order)
 *   tracker.frags -> frag -> frag ...  sorted by offset, then arrival
 *   frag: | next | seq | off | len | hlen | header (offset 0 only) | data |
 *
 * Fragments are kept as they arrived (exact duplicates and empty ones
 * are not stored). When the last fragment is known and the fragments
 * cover [0, end) the datagram is rebuilt by writing the fragments in
 * increasing priority, so the bytes of the winning fragment land last:
 *   FIRST  earliest arrival wins
 *   LAST   latest arrival wins
 *   BSD    lowest offset wins; at equal offsets the earlier one
 *   LINUX  lowest offset wins; at equal offsets the later one
 * The header comes from the winning offset-0 fragment; the first
 * fragment with MF/M clear fixes the length. A tracker lives
 * cfg.defrag_timeout of packet time from its first fragment. Bytes held
 * (trackers and fragments) are charged to the memcap.
 */
#include "defrag.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "decode-int.h"
#include "mem.h"

struct md_frag {
	struct md_frag *next;
	uint32_t seq;	 /* arrival number in its tracker */
	uint32_t off;	 /* offset of the data in the datagram payload */
	uint32_t len;	 /* data bytes */
	uint32_t hlen;	 /* header bytes kept before the data (offset 0) */
	uint32_t nh_pos; /* IPv6: byte of the header to patch */
	uint8_t nh;	 /* IPv6: Fragment header next header */
	uint8_t buf[];
};

struct md_dfkey {
	uint8_t src[16], dst[16];
	uint32_t id;
	uint16_t vlan[MD_MAX_VLAN];
	uint8_t proto, ver, pad[2];
};

/* Keys are compared with memcmp: no hidden padding allowed. */
_Static_assert(sizeof(struct md_dfkey) == 2 * 16 + 4 + 2 * MD_MAX_VLAN + 4,
	       "struct md_dfkey must have no padding");

struct md_dftracker {
	struct md_dftracker *hnext;
	struct md_dftracker *older, *newer;
	struct md_dfkey key;
	uint32_t hash;
	uint64_t first_usec;
	struct md_frag *frags;
	uint32_t nfrags;
	uint32_t seq;
	uint32_t end; /* datagram payload length, once have_last */
	bool have_last;
};

struct md_defrag {
	struct md_dftracker **tab;
	uint32_t mask;
	struct md_dftracker *oldest, *newest;
	uint32_t ntrackers;
	struct md_memcap mem;
	uint64_t timeout;
	uint32_t max_frags, max_trackers;
	enum md_defrag_policy policy;
	struct md_counters *ctr;
	uint32_t seed; /* per instance, so chains cannot be aimed at */
};

#define DEFRAG_BUCKETS_DEFAULT 1024u
#define DEFRAG_BUCKETS_MAX     65536u

struct md_defrag *md_defrag_new(const struct md_decode_cfg *cfg,
				struct md_counters *ctr)
{
	struct md_defrag *d = md_calloc(1, sizeof(*d));
	uint32_t nb = DEFRAG_BUCKETS_DEFAULT;

	if (!d)
		return NULL;
	if (cfg->defrag_max_trackers) {
		nb = 64;
		while (nb < cfg->defrag_max_trackers && nb < DEFRAG_BUCKETS_MAX)
			nb <<= 1;
	}
	d->tab = md_calloc(nb, sizeof(*d->tab));
	if (!d->tab) {
		md_free(d);
		return NULL;
	}
	d->mask = nb - 1;
	if (getrandom(&d->seed, sizeof(d->seed), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(d->seed))
		d->seed = (uint32_t)(uintptr_t)d ^ (uint32_t)(uintptr_t)&nb;
	d->mem.cap = cfg->defrag_memcap;
	d->timeout = cfg->defrag_timeout ? cfg->defrag_timeout
					 : MD_DEFRAG_TIMEOUT_DEFAULT;
	d->max_frags = cfg->defrag_max_frags;
	d->max_trackers = cfg->defrag_max_trackers;
	d->policy = cfg->defrag_policy;
	d->ctr = ctr;
	return d;
}

static uint64_t frag_size(const struct md_frag *f)
{
	return sizeof(*f) + (uint64_t)f->hlen + f->len;
}

static void tracker_free(struct md_defrag *d, struct md_dftracker *t)
{
	struct md_dftracker **pp = &d->tab[t->hash & d->mask];
	struct md_frag *f, *next;

	while (*pp != t)
		pp = &(*pp)->hnext;
	*pp = t->hnext;
	if (t->older)
		t->older->newer = t->newer;
	else
		d->oldest = t->newer;
	if (t->newer)
		t->newer->older = t->older;
	else
		d->newest = t->older;
	for (f = t->frags; f; f = next) {
		next = f->next;
		md_memcap_release(&d->mem, frag_size(f));
		md_free(f);
	}
	md_memcap_release(&d->mem, sizeof(*t));
	md_free(t);
	d->ntrackers--;
	MD_SET(d->ctr, DEFRAG_MEMUSE, d->mem.used);
}

void md_defrag_free(struct md_defrag *d)
{
	if (!d)
		return;
	while (d->oldest)
		tracker_free(d, d->oldest);
	md_free(d->tab);
	md_free(d);
}

uint32_t md_defrag_trackers(const struct md_defrag *d)
{
	return d ? d->ntrackers : 0;
}

static bool tracker_expired(const struct md_defrag *d,
			    const struct md_dftracker *t, uint64_t now)
{
	return now > t->first_usec && now - t->first_usec > d->timeout;
}

static void tracker_timeout(struct md_defrag *d, struct md_dftracker *t)
{
	if (t->key.ver == 6)
		MD_INC(d->ctr, DEFRAG_V6_TIMEOUTS);
	else
		MD_INC(d->ctr, DEFRAG_V4_TIMEOUTS);
	tracker_free(d, t);
}

/* Trackers are created in packet-time order, so the walk stops at the
 * first live one (packets out of time order only delay an expiry). */
void md_defrag_timeout(struct md_defrag *d, uint64_t now_usec)
{
	if (!d)
		return;
	while (d->oldest && tracker_expired(d, d->oldest, now_usec))
		tracker_timeout(d, d->oldest);
}

/* Charge n bytes, expiring old trackers once if the memcap refuses. */
static bool charge(struct md_defrag *d, uint64_t now, uint64_t n)
{
	if (md_memcap_try(&d->mem, n))
		return true;
	md_defrag_timeout(d, now);
	if (md_memcap_try(&d->mem, n))
		return true;
	MD_INC(d->ctr, DEFRAG_MEMCAP);
	return false;
}

static uint32_t key_hash(const struct md_defrag *d, const struct md_dfkey *k)
{
	const uint8_t *b = (const uint8_t *)k;
	uint32_t h = 2166136261u ^ d->seed;
	size_t i;

	for (i = 0; i < sizeof(*k); i++)
		h = (h ^ b[i]) * 16777619u;
	return h ^ (h >> 15);
}

static void key_fill(struct md_dfkey *k, const struct md_packet *p,
		     const struct md_defrag_in *in)
{
	unsigned i;

	memset(k, 0, sizeof(*k));
	memcpy(k->src, p->src.b, sizeof(k->src));
	memcpy(k->dst, p->dst.b, sizeof(k->dst));
	k->id = in->id;
	for (i = 0; i < p->vlan_cnt && i < MD_MAX_VLAN; i++)
		k->vlan[i] = p->vlan[i];
	k->ver = p->ip_ver;
	k->proto = p->ip_ver == 6 ? 0 : in->proto;
}

static struct md_dftracker *tracker_new(struct md_defrag *d, uint64_t now,
					const struct md_dfkey *k, uint32_t h)
{
	struct md_dftracker *t, **head;

	if (d->max_trackers && d->ntrackers >= d->max_trackers) {
		md_defrag_timeout(d, now);
		if (d->ntrackers >= d->max_trackers) {
			MD_INC(d->ctr, DEFRAG_MAX_TRACKERS);
			return NULL;
		}
	}
	if (!charge(d, now, sizeof(*t)))
		return NULL;
	t = md_calloc(1, sizeof(*t));
	if (!t) {
		md_memcap_release(&d->mem, sizeof(*t));
		return NULL;
	}
	t->key = *k;
	t->hash = h;
	t->first_usec = now;
	head = &d->tab[h & d->mask];
	t->hnext = *head;
	*head = t;
	t->older = d->newest;
	if (d->newest)
		d->newest->newer = t;
	else
		d->oldest = t;
	d->newest = t;
	d->ntrackers++;
	MD_SET(d->ctr, DEFRAG_MEMUSE, d->mem.used);
	return t;
}

/* The live tracker of k, a new one, or NULL when a limit refused it. An
 * expired tracker found on the way is dropped (lazy timeout). */
static struct md_dftracker *tracker_get(struct md_defrag *d, uint64_t now,
					const struct md_dfkey *k)
{
	uint32_t h = key_hash(d, k);
	struct md_dftracker *t;

	for (t = d->tab[h & d->mask]; t; t = t->hnext)
		if (t->hash == h && memcmp(&t->key, k, sizeof(*k)) == 0)
			break;
	if (t && !tracker_expired(d, t, now))
		return t;
	if (t)
		tracker_timeout(d, t);
	return tracker_new(d, now, k, h);
}

/* Compare in with the stored fragments it overlaps and raise
 * frag_overlap when overlapping bytes differ. Returns true when in is an
 * exact copy of a stored fragment (nothing new to keep). */
static bool frag_compare(struct md_decode_ctx *ctx, struct md_packet *p,
			 const struct md_dftracker *t,
			 const struct md_defrag_in *in)
{
	const struct md_frag *f;
	uint32_t in_end = in->off + in->len, lo, hi;
	bool differ = false, dup = false;

	for (f = t->frags; f && f->off < in_end; f = f->next) {
		lo = f->off > in->off ? f->off : in->off;
		hi = f->off + f->len < in_end ? f->off + f->len : in_end;
		if (lo >= hi)
			continue;
		if (memcmp(f->buf + f->hlen + (lo - f->off),
			   in->data + (lo - in->off), hi - lo) != 0)
			differ = true;
		else if (f->off == in->off && f->len == in->len)
			dup = true;
	}
	if (differ)
		md_decode_event(ctx, p,
				p->ip_ver == 6 ? MD_DEV_IPV6_FRAG_OVERLAP
					       : MD_DEV_IPV4_FRAG_OVERLAP);
	return dup && !differ;
}

/* Store in in t. Returns false when a limit or an allocation refused it. */
static bool frag_insert(struct md_decode_ctx *ctx, struct md_packet *p,
			struct md_dftracker *t, const struct md_defrag_in *in)
{
	struct md_defrag *d = ctx->defrag;
	uint32_t hl = in->off == 0 ? in->hlen : 0;
	uint64_t sz = sizeof(struct md_frag) + (uint64_t)hl + in->len;
	struct md_frag *f, **pp;

	if (!in->more && !t->have_last) {
		t->have_last = true;
		t->end = in->off + in->len;
	}
	if (in->len == 0 || frag_compare(ctx, p, t, in))
		return true;
	if (d->max_frags && t->nfrags >= d->max_frags) {
		MD_INC(d->ctr, DEFRAG_MAX_FRAGS);
		return false;
	}
	if (!charge(d, p->ts_usec, sz))
		return false;
	f = md_malloc(sz);
	if (!f) {
		md_memcap_release(&d->mem, sz);
		return false;
	}
	f->seq = t->seq++;
	f->off = in->off;
	f->len = in->len;
	f->hlen = hl;
	f->nh_pos = in->nh_pos;
	f->nh = in->proto;
	memcpy(f->buf, in->hdr, hl);
	memcpy(f->buf + hl, in->data, in->len);
	for (pp = &t->frags; *pp && (*pp)->off <= f->off; pp = &(*pp)->next)
		;
	f->next = *pp;
	*pp = f;
	t->nfrags++;
	MD_SET(d->ctr, DEFRAG_MEMUSE, d->mem.used);
	return true;
}

/* Whole when the last fragment is known and [0, end) has no hole. */
static bool tracker_complete(const struct md_dftracker *t)
{
	const struct md_frag *f;
	uint32_t covered = 0;

	if (!t->have_last || t->end == 0 || !t->frags || t->frags->off != 0)
		return false;
	for (f = t->frags; f && covered < t->end; f = f->next) {
		if (f->off > covered)
			return false;
		if (f->off + f->len > covered)
			covered = f->off + f->len;
	}
	return covered >= t->end;
}

/* Paint orders: lowest priority first, the winner of a byte last. */
static int cmp_seq_desc(const struct md_frag *a, const struct md_frag *b)
{
	return a->seq < b->seq ? 1 : a->seq > b->seq ? -1 : 0;
}

static int cmp_off_desc(const struct md_frag *a, const struct md_frag *b)
{
	return a->off < b->off ? 1 : a->off > b->off ? -1 : 0;
}

static int paint_first(const void *x, const void *y)
{
	return cmp_seq_desc(*(const struct md_frag *const *)x,
			    *(const struct md_frag *const *)y);
}

static int paint_last(const void *x, const void *y)
{
	return -paint_first(x, y);
}

static int paint_bsd(const void *x, const void *y)
{
	const struct md_frag *a = *(const struct md_frag *const *)x;
	const struct md_frag *b = *(const struct md_frag *const *)y;
	int c = cmp_off_desc(a, b);

	return c ? c : cmp_seq_desc(a, b);
}

static int paint_linux(const void *x, const void *y)
{
	const struct md_frag *a = *(const struct md_frag *const *)x;
	const struct md_frag *b = *(const struct md_frag *const *)y;
	int c = cmp_off_desc(a, b);

	return c ? c : -cmp_seq_desc(a, b);
}

/* t's fragments in paint order (md_malloc'd array), or NULL. */
static struct md_frag **paint_order(const struct md_defrag *d,
				    const struct md_dftracker *t)
{
	int (*cmp)(const void *, const void *) = paint_first;
	struct md_frag **v = md_malloc(t->nfrags * sizeof(*v));
	struct md_frag *f;
	uint32_t i = 0;

	if (!v)
		return NULL;
	for (f = t->frags; f; f = f->next)
		v[i++] = f;
	if (d->policy == MD_DEFRAG_LAST)
		cmp = paint_last;
	else if (d->policy == MD_DEFRAG_BSD)
		cmp = paint_bsd;
	else if (d->policy == MD_DEFRAG_LINUX)
		cmp = paint_linux;
	qsort(v, t->nfrags, sizeof(*v), cmp);
	return v;
}

/* Fix the rebuilt header: length fields, no fragmentation left. */
static void header_fixup(uint8_t *buf, const struct md_frag *h, int ver,
			 uint32_t len)
{
	uint16_t cs;

	if (ver == 6) {
		uint32_t plen = len - MD_IPV6_HLEN;

		buf[4] = (uint8_t)(plen >> 8);
		buf[5] = (uint8_t)plen;
		buf[h->nh_pos] = h->nh;
		return;
	}
	buf[2] = (uint8_t)(len >> 8);
	buf[3] = (uint8_t)len;
	buf[6] &= 0xc0; /* keep DF and the reserved bit; clear MF, offset */
	buf[7] = 0;
	buf[10] = buf[11] = 0;
	cs = md_csum_ipv4_hdr(buf, h->hlen);
	buf[10] = (uint8_t)(cs >> 8);
	buf[11] = (uint8_t)cs;
}

/* Build the datagram from v (paint order). Returns the buffer or NULL
 * with *rc set (INVALID: too large; HELD: out of memory). */
static uint8_t *rebuild(struct md_decode_ctx *ctx, struct md_packet *p,
			const struct md_dftracker *t, struct md_frag **v,
			uint32_t *out_len, int *rc)
{
	const struct md_frag *h = NULL, *f;
	uint32_t i, n, len, ip_len;
	uint8_t *buf;

	for (i = 0; i < t->nfrags; i++)
		if (v[i]->hlen)
			h = v[i];
	if (!h) { /* cannot happen: complete implies an offset-0 fragment */
		*rc = MD_DECODE_HELD;
		return NULL;
	}
	len = h->hlen + t->end;
	ip_len = t->key.ver == 6 ? len - MD_IPV6_HLEN : len;
	if (ip_len > MD_IP_MAXPACKET) {
		md_decode_event(ctx, p,
				t->key.ver == 6
				    ? MD_DEV_IPV6_FRAG_PKT_TOO_LARGE
				    : MD_DEV_IPV4_FRAG_PKT_TOO_LARGE);
		*rc = MD_DECODE_INVALID;
		return NULL;
	}
	buf = md_malloc(len);
	if (!buf) {
		*rc = MD_DECODE_HELD;
		return NULL;
	}
	memcpy(buf, h->buf, h->hlen);
	for (i = 0; i < t->nfrags; i++) {
		f = v[i];
		if (f->off >= t->end)
			continue;
		n = f->len < t->end - f->off ? f->len : t->end - f->off;
		memcpy(buf + h->hlen + f->off, f->buf + f->hlen, n);
	}
	header_fixup(buf, h, t->key.ver, len);
	*out_len = len;
	return buf;
}

static int frag_ignored(struct md_decode_ctx *ctx, struct md_packet *p)
{
	md_decode_event(ctx, p,
			p->ip_ver == 6 ? MD_DEV_IPV6_FRAG_IGNORED
				       : MD_DEV_IPV4_FRAG_IGNORED);
	return MD_DECODE_HELD;
}

/* Rebuild t into p->owned and drop the tracker. */
static int tracker_finish(struct md_decode_ctx *ctx, struct md_packet *p,
			  struct md_dftracker *t, uint32_t *out_len)
{
	struct md_defrag *d = ctx->defrag;
	struct md_frag **v = paint_order(d, t);
	int rc = MD_DECODE_OK, ver = t->key.ver;
	uint8_t *buf = NULL;

	if (v)
		buf = rebuild(ctx, p, t, v, out_len, &rc);
	else
		rc = MD_DECODE_HELD;
	md_free(v);
	tracker_free(d, t);
	if (!buf)
		return rc == MD_DECODE_HELD ? frag_ignored(ctx, p) : rc;
	p->owned = buf;
	if (ver == 6)
		MD_INC(d->ctr, DEFRAG_V6_REASSEMBLED);
	else
		MD_INC(d->ctr, DEFRAG_V4_REASSEMBLED);
	return MD_DECODE_OK;
}

/* True when the fragment ends past the largest datagram its header
 * allows (IPv4 total length, IPv6 payload length: 16 bits). */
static bool frag_too_large(const struct md_packet *p,
			   const struct md_defrag_in *in)
{
	uint64_t end = (uint64_t)in->hlen + in->off + in->len;

	if (p->ip_ver == 6)
		end -= MD_IPV6_HLEN;
	return end > MD_IP_MAXPACKET;
}

int md_defrag_packet(struct md_decode_ctx *ctx, struct md_packet *p,
		     const struct md_defrag_in *in, uint32_t *out_len)
{
	struct md_defrag *d = ctx->defrag;
	struct md_dftracker *t;
	struct md_dfkey k;

	if (p->ip_ver == 6)
		MD_INC(ctx->ctr, DEFRAG_V6_FRAGMENTS);
	else
		MD_INC(ctx->ctr, DEFRAG_V4_FRAGMENTS);
	if (frag_too_large(p, in)) {
		md_decode_event(ctx, p,
				p->ip_ver == 6
				    ? MD_DEV_IPV6_FRAG_PKT_TOO_LARGE
				    : MD_DEV_IPV4_FRAG_PKT_TOO_LARGE);
		return MD_DECODE_INVALID;
	}
	if (!d || p->owned)
		return frag_ignored(ctx, p);
	key_fill(&k, p, in);
	t = tracker_get(d, p->ts_usec, &k);
	if (!t || !frag_insert(ctx, p, t, in))
		return frag_ignored(ctx, p);
	if (!tracker_complete(t))
		return MD_DECODE_HELD;
	return tracker_finish(ctx, p, t, out_len);
}
