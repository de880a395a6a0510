/* registry.c - parser table: built-in descriptors and registered ones. */
#include "registry.h"

#include <stdio.h>
#include <string.h>

extern const struct md_parser md_parser_hl7;
extern const struct md_parser md_parser_dicom;
extern const struct md_parser md_parser_tls;
extern const struct md_parser md_parser_ieee11073;

/* Built-in parsers: one line each. */
static const struct md_parser *const builtin[] = {
    &md_parser_dicom,	  /* parsers/dicom */
    &md_parser_hl7,	  /* parsers/hl7 */
    &md_parser_tls,	  /* parsers/tls */
    &md_parser_ieee11073, /* parsers/ieee11073 */
    NULL,
};

static const struct md_parser *table[MD_MAX_PARSERS];
static size_t count;
static int builtin_done;

void md_registry_init(void)
{
	if (builtin_done)
		return;
	builtin_done = 1;
	for (size_t i = 0; builtin[i]; i++) {
		char msg[160];
		if (md_registry_add(builtin[i], msg, sizeof(msg)) < 0)
			fprintf(stderr, "medids: built-in parser: %s\n", msg);
	}
}

int md_registry_add(const struct md_parser *p, char *msg, size_t msglen)
{
	if ((p->abi >> 16) != MD_PARSER_ABI_MAJOR) {
		snprintf(
		    msg, msglen,
		    "parser '%s' built for ABI %u.%u, this medids has %u.%u",
		    p->name ? p->name : "?", p->abi >> 16, p->abi & 0xffff,
		    MD_PARSER_ABI_MAJOR, MD_PARSER_ABI_MINOR);
		return MD_E_UNSUPPORTED;
	}
	if (!p->name || !p->probe || !p->parse || (p->n_events && !p->events) ||
	    (p->n_fields && !p->fields)) {
		snprintf(msg, msglen,
			 "parser '%s' lacks a name, probe or parse",
			 p->name ? p->name : "?");
		return MD_E_INVAL;
	}
	if (count == MD_MAX_PARSERS || md_registry_find(p->name) >= 0) {
		snprintf(msg, msglen, "parser '%s': table full or name taken",
			 p->name);
		return MD_E_LIMIT;
	}
	table[count] = p;
	return (int)count++;
}

size_t md_registry_count(void)
{
	return count;
}

const struct md_parser *md_registry_get(size_t id)
{
	return id < count ? table[id] : NULL;
}

int md_registry_find(const char *name)
{
	for (size_t i = 0; i < count; i++)
		if (strcmp(table[i]->name, name) == 0)
			return (int)i;
	return -1;
}

void md_registry_reset(void)
{
	count = 0;
	builtin_done = 0;
}
