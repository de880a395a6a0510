/* mem.c - allocation hook with failure injection, and memcap accounting. */
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t fail_at;  /* 0 = never */
static bool fail_once;	  /* only the fail_at-th allocation fails */
static uint64_t alloc_no; /* allocations since md_mem_fail_after */
static int env_read;

static void report(void)
{
	fprintf(stderr, "medids: %llu allocations\n",
		(unsigned long long)alloc_no);
}

/* MD_FAIL_ALLOC=N fails the Nth allocation and every later one;
 * MD_FAIL_ALLOC=N:once only the Nth; MD_FAIL_ALLOC=count prints the
 * number of allocations at exit (to pick N). */
static void read_env(void)
{
	const char *e = getenv("MD_FAIL_ALLOC");
	char *end = NULL;
	env_read = 1;
	if (!e || !*e)
		return;
	if (!strcmp(e, "count")) {
		fail_at = UINT64_MAX;
		atexit(report);
		return;
	}
	fail_at = strtoull(e, &end, 10);
	fail_once = end && !strcmp(end, ":once");
}

static bool should_fail(void)
{
	if (!env_read)
		read_env();
	if (fail_at == 0)
		return false;
	++alloc_no;
	return fail_once ? alloc_no == fail_at : alloc_no >= fail_at;
}

void md_mem_fail_after(uint64_t n)
{
	env_read = 1;
	fail_at = n;
	fail_once = false;
	alloc_no = 0;
}

void *md_malloc(size_t n)
{
	return should_fail() ? NULL : malloc(n ? n : 1);
}

void *md_calloc(size_t n, size_t sz)
{
	return should_fail() ? NULL : calloc(n ? n : 1, sz ? sz : 1);
}

void *md_realloc(void *p, size_t n)
{
	return should_fail() ? NULL : realloc(p, n ? n : 1);
}

void md_free(void *p)
{
	free(p);
}

char *md_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = md_malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

bool md_memcap_try(struct md_memcap *m, uint64_t n)
{
	if (m->cap && (n > m->cap || m->used > m->cap - n)) {
		m->hits++;
		return false;
	}
	m->used += n;
	if (m->used > m->peak)
		m->peak = m->used;
	return true;
}

void md_memcap_release(struct md_memcap *m, uint64_t n)
{
	m->used = n > m->used ? 0 : m->used - n;
}
