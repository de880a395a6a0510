/* harness.h - test helpers: guard-page buffers and the parser-vector
 * runner.
 *
 * md_guard_copy() places bytes so the last one sits just before a
 * PROT_NONE page: a parser that reads one byte too far crashes the test.
 *
 * md_vec_run() drives a parser through the md-parser.h contract the way the
 * engine does (unconsumed bytes kept and handed again with the next ones;
 * parse called again while it returns OK and makes progress; BAD sticky per
 * direction) and records everything the parser reports as a text
 * transcript. It runs the input whole, then split at every point of every
 * chunk, then one byte at a time, each piece on a guard page, and fails the
 * test unless every run gives the same transcript. Companion transactions
 * (tx_new_as) use the tables of the named protocol, which the test
 * registers first. It returns the whole-
 * input transcript so the test can assert on its content.
 */
#ifndef MD_TEST_HARNESS_H
#define MD_TEST_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "md-parser.h"

/* Copy len bytes ending right before a PROT_NONE page. Returns the copy;
 * *handle is passed to md_guard_free. Aborts the test on mmap failure. */
uint8_t *md_guard_copy(const void *buf, size_t len, void **handle);
void md_guard_free(void *handle);

struct md_vec_chunk {
	int dir; /* MD_DIR_TOSERVER or MD_DIR_TOCLIENT */
	const void *p;
	size_t len;
};

/* Run the chunks (in order) through pp as described above; eof is signalled
 * for both directions at the end. Returns the transcript (free() it).
 * Transcript lines: "tx N dir D", "str N field=NAME 'text'",
 * "uint N field=NAME V", "arg N field=NAME arg=A len=L" (followed by
 * the str line of its value), "group N field=NAME", "progress N dir D P",
 * "event N NAME" (N is '-' for flow events), "bad dir D", "gap dir D N". */
char *md_vec_run(const struct md_parser *pp, const struct md_vec_chunk *chunks,
		 size_t n);

/* Same, without the split runs (for large inputs). */
char *md_vec_run_once(const struct md_parser *pp,
		      const struct md_vec_chunk *chunks, size_t n);

/* Count occurrences of needle in haystack. */
size_t md_count_str(const char *haystack, const char *needle);

#endif
