/* registry.h - the table of protocol parsers (built-in and registered).
 *
 * Built-in plugins are one line each in registry.c's table; loaded
 * plugins come through md_registry_add_plugin() (src/plugin-load.c) and
 * tests add parsers with md_registry_add(). A parser's id is its index in
 * the table; ids are stable for the life of the process.
 */
#ifndef MD_REGISTRY_H
#define MD_REGISTRY_H

#include <stddef.h>

#include "md-parser.h"
#include "md-plugin.h"

#define MD_MAX_PARSERS 32

/* A registered plugin: its descriptor, the .so it came from (NULL when
 * built in) and the id of its first parser. */
struct md_plugin_rec {
	const struct md_plugin *pl;
	const char *path;
	size_t first;
};

/* Register the built-in parsers (once; later calls do nothing). */
void md_registry_init(void);
/* Add a parser. Returns its id (>= 0), or MD_E_UNSUPPORTED when its ABI
 * major differs (msg says which), MD_E_INVAL for an incomplete descriptor,
 * MD_E_LIMIT when full or the name is taken. The table borrows p. */
int md_registry_add(const struct md_parser *p, char *msg, size_t msglen);
/* Register every parser of plugin pl (all or none), loaded from path
 * (NULL: built in; borrowed). Returns the id of its first parser, or
 * MD_E_UNSUPPORTED for another ABI major (msg names both versions),
 * MD_E_INVAL, MD_E_LIMIT (msg says why). */
int md_registry_add_plugin(const struct md_plugin *pl, const char *path,
			   char *msg, size_t msglen);
/* Registered plugins, in order (built-in ones first). */
size_t md_registry_plugin_count(void);
const struct md_plugin_rec *md_registry_plugin(size_t i);
/* Number of parsers and the parser of an id (NULL when out of range). */
size_t md_registry_count(void);
const struct md_parser *md_registry_get(size_t id);
/* Id of a parser by name, or -1. */
int md_registry_find(const char *name);
/* Forget every parser (tests). */
void md_registry_reset(void);

#endif
