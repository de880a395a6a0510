/* dataset.c - named value sets for the dataset keyword (dataset.h).
 *
 * A set is a chained hash table of byte strings (FNV-1a), grown by
 * doubling when it holds twice as many values as buckets, under a
 * read-write lock. Reference: Suricata user guide, "Datasets" (file
 * format: base64 for strings, hex for digests, text for addresses).
 */
#include "dataset.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "md-parser.h"
#include "mem.h"

#define DS_DEF_MEMCAP (16ull << 20)
#define DS_DEF_HASH   4096u
#define DS_MAX_VALUE  65536u

struct node {
	struct node *next;
	uint32_t hash, len;
	uint8_t data[];
};

struct md_dataset {
	struct md_dataset *next;
	char *name, *load, *save;
	int type;
	pthread_rwlock_t lock;
	struct node **b;
	uint32_t nb; /* power of two */
	uint64_t n;
	struct md_memcap mc;
};

struct md_datasets {
	struct md_dataset *head;
};

static const char *const type_names[] = {"string", "md5", "sha256", "ipv4",
					 "ipv6"};
static const uint32_t type_size[] = {0, 16, 32, 4, 16};

int md_dataset_type(const char *name)
{
	for (int i = 0; i < 5; i++)
		if (!strcmp(name, type_names[i]))
			return i;
	return -1;
}

static uint32_t fnv(const uint8_t *p, uint32_t len)
{
	uint32_t h = 2166136261u;
	for (uint32_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

struct md_datasets *md_datasets_new(void)
{
	return md_calloc(1, sizeof(struct md_datasets));
}

static void set_free(struct md_dataset *s)
{
	for (uint32_t i = 0; i < s->nb; i++) {
		struct node *n = s->b[i];
		while (n) {
			struct node *x = n->next;
			md_free(n);
			n = x;
		}
	}
	md_free(s->b);
	md_free(s->name);
	md_free(s->load);
	md_free(s->save);
	pthread_rwlock_destroy(&s->lock);
	md_free(s);
}

void md_datasets_free(struct md_datasets *r)
{
	if (!r)
		return;
	while (r->head) {
		struct md_dataset *n = r->head->next;
		set_free(r->head);
		r->head = n;
	}
	md_free(r);
}

/* ---- table ------------------------------------------------------------- */

static struct node **slot(struct md_dataset *s, uint32_t h, const uint8_t *p,
			  uint32_t len)
{
	struct node **pp = &s->b[h & (s->nb - 1)];
	while (*pp && ((*pp)->hash != h || (*pp)->len != len ||
		       memcmp((*pp)->data, p, len)))
		pp = &(*pp)->next;
	return pp;
}

static void grow(struct md_dataset *s)
{
	uint32_t nb = s->nb * 2;
	if (!md_memcap_try(&s->mc, (uint64_t)(nb - s->nb) * sizeof(void *)))
		return;
	struct node **b = md_calloc(nb, sizeof(*b));
	if (!b) {
		md_memcap_release(&s->mc,
				  (uint64_t)(nb - s->nb) * sizeof(void *));
		return;
	}
	for (uint32_t i = 0; i < s->nb; i++) {
		struct node *n = s->b[i];
		while (n) {
			struct node *x = n->next;
			n->next = b[n->hash & (nb - 1)];
			b[n->hash & (nb - 1)] = n;
			n = x;
		}
	}
	md_free(s->b);
	s->b = b;
	s->nb = nb;
}

static int add_locked(struct md_dataset *s, const uint8_t *p, uint32_t len)
{
	uint32_t h = fnv(p, len);
	struct node **pp = slot(s, h, p, len);
	if (*pp)
		return 0;
	uint64_t sz = sizeof(struct node) + len;
	if (!md_memcap_try(&s->mc, sz))
		return MD_E_LIMIT;
	struct node *n = md_malloc(sz);
	if (!n) {
		md_memcap_release(&s->mc, sz);
		return MD_E_NOMEM;
	}
	n->next = NULL;
	n->hash = h;
	n->len = len;
	memcpy(n->data, p, len);
	*pp = n;
	if (++s->n > 2ull * s->nb)
		grow(s);
	return 1;
}

int md_dataset_add(struct md_dataset *s, const uint8_t *p, uint32_t len)
{
	pthread_rwlock_wrlock(&s->lock);
	int rc = add_locked(s, p, len);
	pthread_rwlock_unlock(&s->lock);
	return rc;
}

bool md_dataset_contains(struct md_dataset *s, const uint8_t *p, uint32_t len)
{
	pthread_rwlock_rdlock(&s->lock);
	bool r = *slot(s, fnv(p, len), p, len) != NULL;
	pthread_rwlock_unlock(&s->lock);
	return r;
}

int md_dataset_remove(struct md_dataset *s, const uint8_t *p, uint32_t len)
{
	pthread_rwlock_wrlock(&s->lock);
	struct node **pp = slot(s, fnv(p, len), p, len), *n = *pp;
	if (n) {
		*pp = n->next;
		md_memcap_release(&s->mc, sizeof(*n) + n->len);
		md_free(n);
		s->n--;
	}
	pthread_rwlock_unlock(&s->lock);
	return n != NULL;
}

uint64_t md_dataset_count(struct md_dataset *s)
{
	pthread_rwlock_rdlock(&s->lock);
	uint64_t n = s->n;
	pthread_rwlock_unlock(&s->lock);
	return n;
}

/* ---- value forms --------------------------------------------------- */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64val(int c)
{
	const char *p = c ? strchr(b64, c) : NULL;
	return p ? (int)(p - b64) : -1;
}

/* Decode base64 text (padding optional) into out; returns the length (at
 * least 1) or -1. */
static long b64_decode(const char *s, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t n = 0;
	for (; *s && *s != '='; s++) {
		int v = b64val((unsigned char)*s);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap)
				return -1;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	while (*s == '=')
		s++;
	/* a lone last character (6 bits) is not base64; an empty value
	 * could not be saved and loaded again */
	return *s || bits >= 6 || n == 0 ? -1 : (long)n;
}

static void b64_encode(FILE *fp, const uint8_t *p, uint32_t len)
{
	for (uint32_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		fputc(b64[v >> 18], fp);
		fputc(b64[(v >> 12) & 63], fp);
		fputc(i + 1 < len ? b64[(v >> 6) & 63] : '=', fp);
		fputc(i + 2 < len ? b64[v & 63] : '=', fp);
	}
}

static bool hex_decode(const uint8_t *p, uint32_t len, uint8_t *out,
		       uint32_t want)
{
	if (len != want * 2)
		return false;
	for (uint32_t i = 0; i < want; i++) {
		int v = 0;
		for (int k = 0; k < 2; k++) {
			int c = tolower(p[2 * i + k]);
			if (c >= '0' && c <= '9')
				v = v * 16 + c - '0';
			else if (c >= 'a' && c <= 'f')
				v = v * 16 + c - 'a' + 10;
			else
				return false;
		}
		out[i] = (uint8_t)v;
	}
	return true;
}

/* The text form (hex digest, address) of a value of the type. */
static bool norm_text(int type, const uint8_t *p, uint32_t len, uint8_t *tmp)
{
	if (type == MD_DS_MD5 || type == MD_DS_SHA256)
		return hex_decode(p, len, tmp, type_size[type]);
	char txt[48];
	if (len >= sizeof(txt))
		return false;
	memcpy(txt, p, len);
	txt[len] = 0;
	return inet_pton(type == MD_DS_IPV4 ? AF_INET : AF_INET6, txt, tmp) ==
	       1;
}

/* Text form first; raw bytes of the type's size when raw is allowed. */
static bool norm_type(int type, const uint8_t *p, uint32_t len, uint8_t *tmp,
		      const uint8_t **out, uint32_t *olen, bool raw)
{
	if (type == MD_DS_STRING) {
		*out = p;
		*olen = len;
		return true;
	}
	*olen = type_size[type];
	if (norm_text(type, p, len, tmp)) {
		*out = tmp;
		return true;
	}
	*out = p;
	return raw && len == type_size[type];
}

bool md_dataset_norm(const struct md_dataset *s, const uint8_t *p, uint32_t len,
		     uint8_t *tmp, const uint8_t **out, uint32_t *outlen)
{
	return norm_type(s->type, p, len, tmp, out, outlen, true);
}

/* ---- files ------------------------------------------------------------- */

static int load_line(struct md_dataset *s, char *line, uint8_t *buf)
{
	const uint8_t *v;
	uint32_t vlen;
	uint8_t tmp[32];
	if (s->type == MD_DS_STRING) {
		char *comma = strchr(line, ',');
		if (comma)
			*comma = 0;
		long n = b64_decode(line, buf, DS_MAX_VALUE);
		if (n < 0)
			return MD_E_INVAL;
		v = buf;
		vlen = (uint32_t)n;
	} else if (!norm_type(s->type, (const uint8_t *)line,
			      (uint32_t)strlen(line), tmp, &v, &vlen, false)) {
		return MD_E_INVAL;
	}
	int rc = add_locked(s, v, vlen);
	return rc < 0 ? rc : 0;
}

static int load_file(struct md_dataset *s, bool opt_missing, char *err,
		     size_t errlen)
{
	FILE *fp = fopen(s->load, "r");
	if (!fp && errno == ENOENT && opt_missing)
		return 0;
	if (!fp) {
		snprintf(err, errlen, "dataset %s: cannot open %s: %s", s->name,
			 s->load, strerror(errno));
		return MD_E_IO;
	}
	char *line = NULL;
	size_t cap = 0;
	unsigned no = 0;
	int rc = 0;
	uint8_t *buf = md_malloc(DS_MAX_VALUE);
	if (!buf)
		rc = MD_E_NOMEM;
	while (!rc && getline(&line, &cap, fp) >= 0) {
		no++;
		line[strcspn(line, "\r\n")] = 0;
		char *t = line;
		while (isspace((unsigned char)*t))
			t++;
		if (!*t || *t == '#')
			continue;
		rc = load_line(s, t, buf);
		if (rc == MD_E_INVAL)
			snprintf(err, errlen, "dataset %s: %s:%u: bad %s value",
				 s->name, s->load, no, type_names[s->type]);
		else if (rc)
			snprintf(err, errlen, "dataset %s: %s:%u: over memcap",
				 s->name, s->load, no);
	}
	md_free(buf);
	free(line);
	fclose(fp);
	return rc;
}

static void write_value(FILE *fp, int type, const uint8_t *p, uint32_t len)
{
	char txt[64];
	if (type == MD_DS_STRING) {
		b64_encode(fp, p, len);
	} else if (type == MD_DS_IPV4 || type == MD_DS_IPV6) {
		inet_ntop(type == MD_DS_IPV4 ? AF_INET : AF_INET6, p, txt,
			  sizeof(txt));
		fputs(txt, fp);
	} else {
		for (uint32_t i = 0; i < len; i++)
			fprintf(fp, "%02x", p[i]);
	}
	fputc('\n', fp);
}

int md_dataset_save(struct md_dataset *s, char *err, size_t errlen)
{
	if (!s->save) {
		snprintf(err, errlen, "dataset %s has no save file", s->name);
		return MD_E_INVAL;
	}
	size_t n = strlen(s->save) + 8;
	char *tmp = md_malloc(n);
	if (!tmp)
		return MD_E_NOMEM;
	snprintf(tmp, n, "%s.tmp", s->save);
	FILE *fp = fopen(tmp, "w");
	int rc = 0;
	if (fp) {
		pthread_rwlock_rdlock(&s->lock);
		for (uint32_t i = 0; i < s->nb; i++)
			for (struct node *x = s->b[i]; x; x = x->next)
				write_value(fp, s->type, x->data, x->len);
		pthread_rwlock_unlock(&s->lock);
		if (fclose(fp) || rename(tmp, s->save))
			rc = MD_E_IO;
	} else {
		rc = MD_E_IO;
	}
	if (rc) {
		snprintf(err, errlen, "dataset %s: cannot write %s: %s",
			 s->name, s->save, strerror(errno));
		remove(tmp);
	}
	md_free(tmp);
	return rc;
}

int md_datasets_save_all(struct md_datasets *r, FILE *errs)
{
	int fails = 0;
	for (struct md_dataset *s = r ? r->head : NULL; s; s = s->next) {
		char err[512];
		if (s->save && md_dataset_save(s, err, sizeof(err))) {
			fprintf(errs, "%s\n", err);
			fails++;
		}
	}
	return fails;
}

/* ---- registry ---------------------------------------------------------- */

static bool same_path(const char *a, const char *b)
{
	return !b || (a && !strcmp(a, b));
}

static int check_again(struct md_dataset *s, const struct md_dataset_opts *o,
		       char *err, size_t errlen)
{
	if (o->type >= 0 && o->type != s->type) {
		snprintf(err, errlen, "dataset %s: type %s, was %s", s->name,
			 type_names[o->type], type_names[s->type]);
		return MD_E_INVAL;
	}
	if (!same_path(s->load, o->load) || !same_path(s->save, o->save)) {
		snprintf(err, errlen,
			 "dataset %s: load/save differ from its "
			 "first definition",
			 s->name);
		return MD_E_INVAL;
	}
	return 0;
}

static struct md_dataset *set_new(const struct md_dataset_opts *o)
{
	struct md_dataset *s = md_calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	uint32_t nb = 16, want = o->hashsize ? o->hashsize : DS_DEF_HASH;
	while (nb < want && nb < (1u << 24))
		nb *= 2;
	s->nb = nb;
	s->type = o->type;
	s->mc.cap = o->memcap ? o->memcap : DS_DEF_MEMCAP;
	pthread_rwlock_init(&s->lock, NULL);
	s->b = md_calloc(nb, sizeof(*s->b));
	s->name = md_strdup(o->name);
	s->load = o->load ? md_strdup(o->load) : NULL;
	s->save = o->save ? md_strdup(o->save) : NULL;
	if (!s->b || !s->name || (o->load && !s->load) ||
	    (o->save && !s->save)) {
		set_free(s);
		return NULL;
	}
	md_memcap_try(&s->mc, nb * sizeof(void *));
	return s;
}

int md_dataset_get(struct md_datasets *r, const struct md_dataset_opts *o,
		   struct md_dataset **out, char *err, size_t errlen)
{
	for (struct md_dataset *s = r->head; s; s = s->next)
		if (!strcmp(s->name, o->name)) {
			int rc = check_again(s, o, err, errlen);
			*out = rc ? NULL : s;
			return rc;
		}
	if (o->type < 0) {
		snprintf(err, errlen, "dataset %s: type is required", o->name);
		return MD_E_INVAL;
	}
	struct md_dataset *s = set_new(o);
	if (!s)
		return MD_E_NOMEM;
	if (s->load) {
		int rc = load_file(s, o->load_optional, err, errlen);
		if (rc) {
			set_free(s);
			return rc;
		}
	}
	s->next = r->head;
	r->head = s;
	*out = s;
	return 0;
}
