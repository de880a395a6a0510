/* fuzz-dataset.c - libFuzzer target for the dataset loader (dataset.h):
 * the input is a list file loaded by md_dataset_get, then
 *   - saved and loaded again: the copy must hold as many values;
 *   - each of its first lines, as raw bytes, goes through md_dataset_norm,
 *     add, contains and remove, which must agree with each other.
 * A broken property is a trap (a finding), like a sanitizer report.
 *
 * Normative reference: Suricata user guide, "Datasets" (the list format:
 * one value a line, base64 for strings, hex for md5/sha256, text for
 * addresses; # comments).
 *
 *   input: [ctl (1)] [list file text]
 *     ctl bits 0-2: type (string, md5, sha256, ipv4, ipv6; mod 5)
 *         bit 3: a small memcap (4 KiB)
 *         bits 4-7: hashsize 2^n (0: the default)
 *
 * The loader only takes paths: the list is written to a file in a private
 * scratch directory for each input.
 *
 * Seeds: small lists of each type (tests/fuzz/make-seeds.py).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "fz-util.h"
#include "md-parser.h"

#define FZ_MAX_LINES 16

static char in_path[600], out_path[600];

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(in_path, sizeof(in_path), "%s/in.lst", fz_scratch());
	snprintf(out_path, sizeof(out_path), "%s/out.lst", fz_scratch());
	return 0;
}

/* A broken property: say which, then trap. */
static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz-dataset: property broken: %s\n", what);
		__builtin_trap();
	}
}

/* The set's operations on one line of the input, as raw bytes. */
static void ops(struct md_dataset *s, const uint8_t *p, uint32_t len)
{
	uint8_t tmp[32];
	const uint8_t *v;
	uint32_t vlen;
	if (!md_dataset_norm(s, p, len, tmp, &v, &vlen))
		return;
	uint8_t *copy = malloc(vlen ? vlen : 1); /* exact size for ASan */
	if (!copy)
		return;
	memcpy(copy, v, vlen);
	uint64_t n = md_dataset_count(s);
	bool had = md_dataset_contains(s, copy, vlen);
	int rc = md_dataset_add(s, copy, vlen);
	check(rc != 1 || (!had && md_dataset_count(s) == n + 1),
	      "add returned 1: the value was new and counted");
	check(rc != 0 || had, "add returned 0: the value was present");
	if (rc >= 0) {
		check(md_dataset_contains(s, copy, vlen), "added, contained");
		check(md_dataset_remove(s, copy, vlen) == 1,
		      "contained, removed");
		check(!md_dataset_contains(s, copy, vlen),
		      "removed, not contained");
		check(md_dataset_count(s) == n - had, "count after remove");
	}
	free(copy);
}

static void run(const uint8_t *list, size_t size, unsigned ctl)
{
	char err[512];
	struct md_dataset_opts o = {
	    .name = "fz",
	    .type = (int)(ctl & 7) % 5,
	    .load = in_path,
	    .save = out_path,
	    .memcap = ctl & 8 ? 4096 : 0,
	    .hashsize = ctl >> 4 ? 1u << (ctl >> 4) : 0,
	};
	struct md_datasets *r = md_datasets_new(), *r2 = md_datasets_new();
	struct md_dataset *s, *s2;
	if (r && r2 && md_dataset_get(r, &o, &s, err, sizeof(err)) == 0) {
		if (md_dataset_save(s, err, sizeof(err)) == 0) {
			o.load = out_path;
			o.save = NULL;
			/* every value of a set fits again in the same memcap */
			check(md_dataset_get(r2, &o, &s2, err, sizeof(err)) ==
				  0,
			      "a saved set loads again");
			check(md_dataset_count(s2) == md_dataset_count(s),
			      "a saved set loads again with as many values");
		}
		const uint8_t *p = list, *end = list + size;
		for (int i = 0; i < FZ_MAX_LINES && p < end; i++) {
			const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
			ops(s, p, (uint32_t)len);
			p += len + 1;
		}
	}
	md_datasets_free(r);
	md_datasets_free(r2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	FILE *fp = fopen(in_path, "wb");
	if (!fp)
		return 0;
	size_t n = fwrite(data + 1, 1, size - 1, fp);
	if (fclose(fp) != 0 || n != size - 1)
		return 0;
	run(data + 1, size - 1, data[0]);
	return 0;
}
