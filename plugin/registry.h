/* registry.h - the table of protocol parsers (built-in and registered).
 *
 * Built-in parsers are one line each in registry.c's table; plugins and
 * tests add theirs with md_registry_add(). A parser's id is its index in
 * the table; ids are stable for the life of the process.
 */
#ifndef MD_REGISTRY_H
#define MD_REGISTRY_H

#include <stddef.h>

#include "md-parser.h"

#define MD_MAX_PARSERS 32

/* Register the built-in parsers (once; later calls do nothing). */
void md_registry_init(void);
/* Add a parser. Returns its id (>= 0), or MD_E_UNSUPPORTED when its ABI
 * major differs (msg says which), MD_E_INVAL for an incomplete descriptor,
 * MD_E_LIMIT when full or the name is taken. The table borrows p. */
int md_registry_add(const struct md_parser *p, char *msg, size_t msglen);
/* Number of parsers and the parser of an id (NULL when out of range). */
size_t md_registry_count(void);
const struct md_parser *md_registry_get(size_t id);
/* Id of a parser by name, or -1. */
int md_registry_find(const char *name);
/* Forget every parser (tests). */
void md_registry_reset(void);

#endif
