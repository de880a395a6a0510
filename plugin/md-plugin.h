/* md-plugin.h - what a protocol plugin exports (installed header).
 *
 * A plugin is a shared object with one exported function,
 * md_plugin_register(), returning a descriptor that lists its parsers
 * (struct md_parser, md-parser.h). The built-in parsers are registered
 * through the same descriptor (plugin/registry.c, one line each), so a
 * built-in parser and a loaded one cannot drift apart.
 *
 *   medids                              plugin.so
 *   ------                              ---------
 *   dlopen(path, RTLD_NOW|RTLD_LOCAL)
 *   dlsym("md_plugin_register") ----->  returns &descriptor
 *   descriptor.abi major == ours?       (else refused, both versions named)
 *   register each parser                (keywords, events, EVE records)
 *   load descriptor.rule_files          (paths relative to the .so)
 *
 * ABI stability: MD_PARSER_ABI_MAJOR changes only when a structure in
 * md-parser.h, md-rd.h or this file changes incompatibly; medids refuses
 * a plugin built for another major. Minor versions only add members at
 * the end of struct md_sink, struct md_limits, struct md_parser and
 * struct md_plugin (such as md_sink.tx_new_as in 1.1), never to the
 * field and event tables. medids accepts a plugin built for a newer
 * minor: the sink and limits it hands over are followed by zeroed space,
 * so a member this medids does not have reads as NULL or 0, and medids
 * reads only the descriptor members of its own minor. A plugin must check
 * that a sink member newer than 1.0 is not NULL before calling it.
 *
 * Build a plugin with `pkg-config --cflags medids-plugin` and
 * `-shared -fPIC`; it needs no library from medids.
 */
#ifndef MD_PLUGIN_H
#define MD_PLUGIN_H

#include "md-parser.h"

#define MD_PLUGIN_SYMBOL "md_plugin_register"

struct md_plugin {
	uint32_t abi;	     /* MD_PARSER_ABI at build time */
	const char *name;    /* plugin name, e.g. "astm" */
	const char *version; /* the plugin's own version */
	const char *desc;
	/* Parsers, NULL-terminated. */
	const struct md_parser *const *parsers;
	/* Rule files loaded with the plugin (its events' rules), relative to
	 * the directory of the .so; NULL-terminated, or NULL. */
	const char *const *rule_files;
	/* EVE overlay schema (JSON Schema) for the plugin's records, relative
	 * to the directory of the .so, or NULL. */
	const char *eve_schema;
};

typedef const struct md_plugin *(*md_plugin_register_fn)(void);

/* Export `desc` (a struct md_plugin) as the plugin's descriptor. */
#define MD_PLUGIN_EXPORT(desc)                                                 \
	__attribute__((visibility("default"))) const struct md_plugin *        \
	md_plugin_register(void);                                              \
	const struct md_plugin *md_plugin_register(void)                       \
	{                                                                      \
		return &(desc);                                                \
	}

#endif
