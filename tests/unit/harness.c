/* harness.c - guard-page buffers and the parser-vector runner (harness.h). */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "registry.h"

struct guard {
	void *base;
	size_t size;
};

uint8_t *md_guard_copy(const void *buf, size_t len, void **handle)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t data_pages = (len + pg - 1) / pg;
	size_t size = (data_pages + 1) * pg;
	uint8_t *base = mmap(NULL, size, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(base != MAP_FAILED);
	assert_int_equal(mprotect(base + data_pages * pg, pg, PROT_NONE), 0);
	uint8_t *p = base + data_pages * pg - len;
	if (len)
		memcpy(p, buf, len);
	struct guard *g = malloc(sizeof(*g));
	assert_non_null(g);
	g->base = base;
	g->size = size;
	*handle = g;
	return p;
}

void md_guard_free(void *handle)
{
	struct guard *g = handle;
	if (!g)
		return;
	munmap(g->base, g->size);
	free(g);
}

size_t md_count_str(const char *h, const char *n)
{
	size_t c = 0, l = strlen(n);
	if (!l)
		return 0;
	for (const char *q = strstr(h, n); q; q = strstr(q + l, n))
		c++;
	return c;
}

/* ---- the driver ------------------------------------------------------ */

#define AS_MAX 64 /* companion transactions remembered (tx_new_as) */

struct run {
	const struct md_parser *pp;
	struct {
		uint64_t tx;
		const struct md_parser *pp;
	} as[AS_MAX];
	size_t n_as;
	void *state;
	char *out;
	size_t len, cap;
	uint64_t next_tx;
	uint8_t *rem[2];
	size_t rlen[2];
	bool bad[2];
};

static void outf(struct run *r, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (r->len + (size_t)n + 2 > r->cap) {
		r->cap = (r->cap + (size_t)n + 2) * 2;
		r->out = realloc(r->out, r->cap);
		assert_non_null(r->out);
	}
	memcpy(r->out + r->len, line, (size_t)n);
	r->len += (size_t)n;
	r->out[r->len++] = '\n';
	r->out[r->len] = 0;
}

/* The parser whose tables tx uses: a companion protocol's when tx_new_as
 * opened it, else the parser under test. */
static const struct md_parser *tx_pp(const struct run *r, uint64_t tx)
{
	for (size_t i = 0; i < r->n_as; i++)
		if (r->as[i].tx == tx)
			return r->as[i].pp;
	return r->pp;
}

static const char *fname_of(struct run *r, uint64_t tx, unsigned f)
{
	const struct md_parser *pp = tx_pp(r, tx);
	return f < pp->n_fields ? pp->fields[f].name : "?";
}

static void s_event(void *c, uint64_t tx, unsigned id)
{
	struct run *r = c;
	const struct md_parser *pp = tx == MD_TX_NONE ? r->pp : tx_pp(r, tx);
	const char *name = id < pp->n_events ? pp->events[id].name : "?";
	if (tx == MD_TX_NONE)
		outf(r, "event - %s", name);
	else
		outf(r, "event %llu %s", (unsigned long long)tx, name);
}

static uint64_t s_tx_new(void *c, enum md_dir dir)
{
	struct run *r = c;
	outf(r, "tx %llu dir %d", (unsigned long long)r->next_tx, (int)dir);
	return r->next_tx++;
}

static void s_str(void *c, uint64_t tx, unsigned f, const uint8_t *p,
		  size_t len)
{
	struct run *r = c;
	char buf[512];
	size_t o = 0;
	for (size_t i = 0; i < len && o + 5 < sizeof(buf); i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			buf[o++] = (char)p[i];
		else
			o += (size_t)snprintf(buf + o, sizeof(buf) - o,
					      "\\x%02x", p[i]);
	}
	buf[o] = 0;
	outf(r, "str %llu field=%s '%s'%s", (unsigned long long)tx,
	     fname_of(r, tx, f), buf, o + 5 >= sizeof(buf) ? "..." : "");
}

static void s_uint(void *c, uint64_t tx, unsigned f, uint64_t v)
{
	struct run *r = c;
	outf(r, "uint %llu field=%s %llu", (unsigned long long)tx,
	     fname_of(r, tx, f), (unsigned long long)v);
}

static void s_arg(void *c, uint64_t tx, unsigned f, const char *arg,
		  const uint8_t *p, size_t len)
{
	struct run *r = c;
	outf(r, "arg %llu field=%s arg=%s len=%zu", (unsigned long long)tx,
	     fname_of(r, tx, f), arg, len);
	s_str(c, tx, f, p, len);
}

static void s_group(void *c, uint64_t tx, unsigned f)
{
	struct run *r = c;
	outf(r, "group %llu field=%s", (unsigned long long)tx,
	     fname_of(r, tx, f));
}

static void s_progress(void *c, uint64_t tx, enum md_dir dir, unsigned p)
{
	struct run *r = c;
	outf(r, "progress %llu dir %d %u", (unsigned long long)tx, (int)dir, p);
}

static bool s_wants(void *c, unsigned f, const char *arg)
{
	(void)c, (void)f, (void)arg;
	return true;
}

/* A companion protocol's transaction: the protocol must be registered
 * (md_registry_add) by the test. */
static uint64_t s_tx_new_as(void *c, enum md_dir dir, const char *proto)
{
	struct run *r = c;
	int id = md_registry_find(proto);
	if (id < 0 || r->n_as == AS_MAX) {
		outf(r, "tx-as %s refused", proto);
		return MD_TX_NONE;
	}
	outf(r, "tx %llu dir %d as %s", (unsigned long long)r->next_tx,
	     (int)dir, proto);
	r->as[r->n_as].tx = r->next_tx;
	r->as[r->n_as++].pp = md_registry_get((size_t)id);
	return r->next_tx++;
}

static struct md_sink make_sink(struct run *r)
{
	struct md_sink s = {r,	   s_event, s_tx_new,	s_str,	 s_uint,
			    s_arg, s_group, s_progress, s_wants, s_tx_new_as};
	return s;
}

/* Feed one piece of direction d, engine-style. */
static void feed(struct run *r, int d, const uint8_t *p, size_t len)
{
	struct md_sink sink = make_sink(r);
	uint8_t *all = NULL;
	void *gh = NULL;
	if (r->bad[d] || !len)
		return;
	size_t n = r->rlen[d] + len;
	all = malloc(n);
	assert_non_null(all);
	if (r->rlen[d])
		memcpy(all, r->rem[d], r->rlen[d]);
	memcpy(all + r->rlen[d], p, len);
	uint8_t *g = md_guard_copy(all, n, &gh);
	free(all);
	size_t off = 0;
	while (off < n) {
		size_t used = 0;
		enum md_parse_rc rc = r->pp->parse(
		    r->state, (enum md_dir)d, g + off, n - off, &used, &sink);
		assert_true(used <= n - off);
		off += used;
		if (rc == MD_PARSE_BAD) {
			outf(r, "bad dir %d", d);
			r->bad[d] = true;
			break;
		}
		if (rc == MD_PARSE_MORE || used == 0)
			break;
	}
	free(r->rem[d]);
	r->rem[d] = NULL;
	r->rlen[d] = 0;
	if (!r->bad[d] && off < n) {
		r->rem[d] = malloc(n - off);
		assert_non_null(r->rem[d]);
		memcpy(r->rem[d], g + off, n - off);
		r->rlen[d] = n - off;
	}
	md_guard_free(gh);
}

/* One complete run; split = chunk index to split at `at` (or -1), or
 * bytewise when bytewise is true. */
static char *one_run(const struct md_parser *pp,
		     const struct md_vec_chunk *chunks, size_t n, long split,
		     size_t at, bool bytewise)
{
	struct md_limits lim = {1u << 20, 16u << 20, 256, 65536, 256, 100};
	struct run r = {.pp = pp};
	r.state = calloc(1, pp->state_size ? pp->state_size : 1);
	assert_non_null(r.state);
	if (pp->init)
		assert_int_equal(pp->init(r.state, &lim), 0);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = chunks[i].p;
		size_t len = chunks[i].len;
		if (bytewise) {
			for (size_t k = 0; k < len; k++)
				feed(&r, chunks[i].dir, p + k, 1);
		} else if ((long)i == split) {
			feed(&r, chunks[i].dir, p, at);
			feed(&r, chunks[i].dir, p + at, len - at);
		} else {
			feed(&r, chunks[i].dir, p, len);
		}
	}
	struct md_sink sink = make_sink(&r);
	for (int d = 0; d < 2; d++)
		if (pp->eof && !r.bad[d])
			pp->eof(r.state, (enum md_dir)d, &sink);
	if (pp->fini)
		pp->fini(r.state);
	free(r.state);
	free(r.rem[0]);
	free(r.rem[1]);
	if (!r.out)
		r.out = calloc(1, 1);
	return r.out;
}

static void same(const char *whole, const char *other, const char *what,
		 size_t chunk, size_t at)
{
	if (strcmp(whole, other) == 0)
		return;
	fail_msg("transcript differs when %s (chunk %zu, offset %zu):\n"
		 "--- whole ---\n%s--- split ---\n%s",
		 what, chunk, at, whole, other);
}

char *md_vec_run_once(const struct md_parser *pp,
		      const struct md_vec_chunk *chunks, size_t n)
{
	return one_run(pp, chunks, n, -1, 0, false);
}

char *md_vec_run(const struct md_parser *pp, const struct md_vec_chunk *chunks,
		 size_t n)
{
	char *whole = one_run(pp, chunks, n, -1, 0, false);
	for (size_t i = 0; i < n; i++)
		for (size_t at = 1; at < chunks[i].len; at++) {
			char *t = one_run(pp, chunks, n, (long)i, at, false);
			same(whole, t, "split in two", i, at);
			free(t);
		}
	char *t = one_run(pp, chunks, n, -1, 0, true);
	same(whole, t, "fed one byte at a time", 0, 0);
	free(t);
	return whole;
}
