/* plugin-load.h - protocol plugins from shared objects (md-plugin.h).
 *
 * Plugins are loaded once at start-up, before the rules (their keywords
 * must exist) and stay loaded until exit.
 */
#ifndef MD_PLUGIN_LOAD_H
#define MD_PLUGIN_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"

/* dlopen path and register its parsers. Returns 0, or MD_E_* with the
 * reason (the dlerror() text, or the ABI versions) in err. */
int md_plugin_load(const char *path, char *err, size_t errlen);
/* Load `plugins:` (names relative to `plugin-dir`) of configuration c.
 * Failures are reported on log; returns -1 when one must stop the start
 * (fatal), else 0. */
int md_plugins_load_conf(const struct md_conf *c, bool fatal, FILE *log);
/* The same for files given on the command line (--plugin FILE). */
int md_plugins_load_list(const char *const *files, size_t n, bool fatal,
			 FILE *log);
/* Rule files shipped by the loaded plugins (absolute paths); returns their
 * number, *out borrows the list. */
size_t md_plugin_rule_files(const char *const **out);
/* Free the list of rule files. */
void md_plugins_fini(void);

#endif
