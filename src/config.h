/* config.h - YAML configuration tree (libyaml) with typed, located lookups.
 *
 * The file is read once into a tree of maps, sequences and scalars, each
 * node remembering its line, so every bad value is reported as
 * "FILE:LINE: key: reason". Lookups take dotted paths; a number selects a
 * sequence item ("outputs.0.eve-log.filename").
 */
#ifndef MD_CONFIG_H
#define MD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum md_conf_kind { MD_CONF_SCALAR = 0, MD_CONF_MAP, MD_CONF_SEQ };

struct md_conf_node {
	char *key; /* map key; NULL for sequence items and the root */
	char *val; /* scalar text; NULL for maps and sequences */
	int kind;
	int line;
	struct md_conf_node *child, *next;
};

struct md_conf {
	char *file;
	struct md_conf_node *root;
};

/* Load a YAML file. On success *out owns the tree (md_conf_free). On error
 * returns MD_E_IO or MD_E_INVAL with "FILE:LINE: reason" in err. */
int md_conf_load_file(struct md_conf **out, const char *path, char *err,
		      size_t errlen);
/* Same, from a string; `name` is used in messages. */
int md_conf_load_string(struct md_conf **out, const char *name,
			const char *text, char *err, size_t errlen);
/* Free a tree; NULL is a no-op. */
void md_conf_free(struct md_conf *c);

/* Node at a dotted path, or NULL. c may be NULL. */
const struct md_conf_node *md_conf_find(const struct md_conf *c,
					const char *path);
/* Child of a map node by key, or NULL. */
const struct md_conf_node *md_conf_child(const struct md_conf_node *n,
					 const char *key);

/* Scalar at path, or def when absent. */
const char *md_conf_str(const struct md_conf *c, const char *path,
			const char *def);
/* Typed lookups: absent -> def; present but malformed -> MD_E_INVAL with
 * "FILE:LINE: path: reason" in err. */
int md_conf_bool(const struct md_conf *c, const char *path, bool def, bool *out,
		 char *err, size_t errlen);
int md_conf_uint(const struct md_conf *c, const char *path, uint64_t def,
		 uint64_t max, uint64_t *out, char *err, size_t errlen);
/* Sizes accept a plain number or a kb/mb/gb suffix (1024-based). */
int md_conf_size(const struct md_conf *c, const char *path, uint64_t def,
		 uint64_t *out, char *err, size_t errlen);

/* Parse helpers shared with the command line. Return 0 or MD_E_INVAL. */
int md_parse_bool(const char *s, bool *out);
int md_parse_size(const char *s, uint64_t *out);

#endif
