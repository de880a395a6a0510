/* mem.h - the one allocation hook and memory caps.
 *
 * All engine allocations go through md_malloc/md_calloc/md_realloc/md_free
 * so a test can fail the Nth allocation (md_mem_fail_after). A memcap is a
 * budget counted before each allocation of a subsystem; hitting it is
 * counted, never fatal.
 */
#ifndef MD_MEM_H
#define MD_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *md_malloc(size_t n);
void *md_calloc(size_t n, size_t sz);
void *md_realloc(void *p, size_t n);
void md_free(void *p);
char *md_strdup(const char *s);

/* Make the Nth allocation from now (1 = the next one) and every later one
 * fail; 0 disables. Also read from MD_FAIL_ALLOC at start-up: N (the Nth
 * and every later one), N:once (only the Nth) or count (print the number
 * of allocations at exit). */
void md_mem_fail_after(uint64_t n);

struct md_memcap {
	uint64_t cap;  /* bytes allowed; 0 = unlimited */
	uint64_t used; /* bytes currently charged */
	uint64_t peak;
	uint64_t hits; /* refusals */
};

/* Charge n bytes; returns true when within the cap (and charged). */
bool md_memcap_try(struct md_memcap *m, uint64_t n);
/* Return n bytes to the cap. */
void md_memcap_release(struct md_memcap *m, uint64_t n);

#endif
