/* registry.c - parser table: built-in plugin descriptors and loaded ones.
 *
 * Built-in parsers are plugins linked in: each parser directory exports a
 * struct md_plugin (md-plugin.h), the same descriptor a .so returns, and
 * takes one line below.
 */
#include "registry.h"

#include <stdio.h>
#include <string.h>

extern const struct md_plugin md_plugin_dicom;
extern const struct md_plugin md_plugin_hl7;
extern const struct md_plugin md_plugin_http;
extern const struct md_plugin md_plugin_tls;
extern const struct md_plugin md_plugin_sdc;
extern const struct md_plugin md_plugin_ieee11073;

/* Built-in plugins: one line each. */
static const struct md_plugin *const builtin[] = {
    &md_plugin_dicom,	  /* parsers/dicom */
    &md_plugin_hl7,	  /* parsers/hl7 */
    &md_plugin_http,	  /* parsers/http */
    &md_plugin_tls,	  /* parsers/tls */
    &md_plugin_ieee11073, /* parsers/ieee11073 */
    &md_plugin_sdc,	  /* parsers/sdc */
    NULL,
};

static const struct md_parser *table[MD_MAX_PARSERS];
static size_t count;
static int builtin_done;

static struct md_plugin_rec plugins[MD_MAX_PARSERS];
static size_t n_plugins;

void md_registry_init(void)
{
	if (builtin_done)
		return;
	builtin_done = 1;
	for (size_t i = 0; builtin[i]; i++) {
		char msg[160];
		if (md_registry_add_plugin(builtin[i], NULL, msg, sizeof(msg)) <
		    0)
			fprintf(stderr, "medids: built-in parser: %s\n", msg);
	}
}

int md_registry_add_plugin(const struct md_plugin *pl, const char *path,
			   char *msg, size_t msglen)
{
	const char *name = pl->name ? pl->name : "?";
	if ((pl->abi >> 16) != MD_PARSER_ABI_MAJOR) {
		snprintf(msg, msglen,
			 "plugin '%s' built for ABI %u.%u, this medids has "
			 "%u.%u: rebuild it against this medids' headers",
			 name, pl->abi >> 16, pl->abi & 0xffff,
			 MD_PARSER_ABI_MAJOR, MD_PARSER_ABI_MINOR);
		return MD_E_UNSUPPORTED;
	}
	if (!pl->name || !pl->parsers || !pl->parsers[0]) {
		snprintf(msg, msglen, "plugin '%s' has no name or no parser",
			 name);
		return MD_E_INVAL;
	}
	if (n_plugins == MD_MAX_PARSERS) {
		snprintf(msg, msglen, "plugin '%s': too many plugins", name);
		return MD_E_LIMIT;
	}
	size_t first = count;
	for (size_t i = 0; pl->parsers[i]; i++) {
		int rc = md_registry_add(pl->parsers[i], msg, msglen);
		if (rc < 0) {
			count = first; /* all or nothing */
			return rc;
		}
	}
	plugins[n_plugins].pl = pl;
	plugins[n_plugins].path = path;
	plugins[n_plugins++].first = first;
	return (int)first;
}

size_t md_registry_plugin_count(void)
{
	return n_plugins;
}

const struct md_plugin_rec *md_registry_plugin(size_t i)
{
	return i < n_plugins ? &plugins[i] : NULL;
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
	n_plugins = 0;
	builtin_done = 0;
}
