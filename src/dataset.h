/* dataset.h - named sets of values for the `dataset` rule keyword:
 * allow-lists and deny-lists of AE titles, sending facilities, device
 * ids, hashes and addresses, loaded from files and optionally saved.
 *
 * File format (Suricata's, "Datasets" in its user guide): one value a
 * line; type string: the value base64-encoded; md5 / sha256: hex; ipv4 /
 * ipv6: the address in text form. Blank lines and lines starting with #
 * are skipped.
 *
 * Sets are shared by every worker: lookups take a read lock, `set` and
 * `unset` a write lock. Memory is counted against each set's memcap.
 */
#ifndef MD_DATASET_H
#define MD_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum md_ds_type {
	MD_DS_STRING = 0,
	MD_DS_MD5,
	MD_DS_SHA256,
	MD_DS_IPV4,
	MD_DS_IPV6,
};

struct md_datasets;
struct md_dataset;

struct md_dataset_opts {
	const char *name;
	int type;	    /* enum md_ds_type, or -1 when not given */
	const char *load;   /* path or NULL */
	const char *save;   /* path or NULL */
	uint64_t memcap;    /* 0: default (16 MiB) */
	uint32_t hashsize;  /* 0: default (4096) */
	bool load_optional; /* a missing load file is an empty set (state) */
};

/* New empty registry; NULL when out of memory. */
struct md_datasets *md_datasets_new(void);
/* Free every set (without saving); NULL is a no-op. */
void md_datasets_free(struct md_datasets *r);
/* Save every set that has a save file; errors printed to errs. Returns the
 * number of sets that could not be saved. */
int md_datasets_save_all(struct md_datasets *r, FILE *errs);

/* Find or create the set `o->name`. A set named again must agree on type
 * and files. Loads the file on creation. Returns 0, MD_E_INVAL (reason in
 * err), MD_E_IO or MD_E_NOMEM. The registry owns the set. */
int md_dataset_get(struct md_datasets *r, const struct md_dataset_opts *o,
		   struct md_dataset **out, char *err, size_t errlen);
/* Type by name ("string", "md5", ...), or -1. */
int md_dataset_type(const char *name);

/* Normalise a buffer for the set's type: raw bytes of the type's size, or
 * its text form (hex digest, dotted address). tmp must hold 32 bytes.
 * Returns false when the buffer cannot be a value of that type. */
bool md_dataset_norm(const struct md_dataset *s, const uint8_t *p, uint32_t len,
		     uint8_t *tmp, const uint8_t **out, uint32_t *outlen);
/* Membership of a normalised value. */
bool md_dataset_contains(struct md_dataset *s, const uint8_t *p, uint32_t len);
/* Add a normalised value: 1 added, 0 already present, MD_E_LIMIT (memcap)
 * or MD_E_NOMEM. */
int md_dataset_add(struct md_dataset *s, const uint8_t *p, uint32_t len);
/* Remove: 1 removed, 0 absent. */
int md_dataset_remove(struct md_dataset *s, const uint8_t *p, uint32_t len);
/* Number of values. */
uint64_t md_dataset_count(struct md_dataset *s);
/* Write the set to its save file (atomically). Returns 0, MD_E_IO or
 * MD_E_INVAL when it has no save file. */
int md_dataset_save(struct md_dataset *s, char *err, size_t errlen);

#endif
