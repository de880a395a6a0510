/* plugin-load.c - load protocol plugins (.so) named on the command line
 * (--plugin FILE) or in medids.yaml:
 *
 *   plugin-dir: /usr/local/lib/medids/plugins   # default: MD_PLUGINDIR
 *   plugins:
 *     - astm.so          # relative: in plugin-dir
 *     - /opt/x/foo.so    # absolute
 *
 * Each .so exports md_plugin_register() (md-plugin.h). A plugin that fails
 * to load is reported with the dlerror() text or the registry's reason;
 * the caller decides whether that stops the start (--init-errors-fatal).
 */
#include "plugin-load.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "registry.h"

#define MAX_RULES 64

/* Rule files the loaded plugins ship (absolute paths, owned here). */
static char *rule_files[MAX_RULES];
static size_t n_rule_files;
/* Paths of the loaded .so files (owned here; the registry borrows them). */
static char *paths[MD_MAX_PARSERS];
static size_t n_paths;

static char *dup_join(const char *dir, size_t dlen, const char *name)
{
	size_t n = dlen + 1 + strlen(name) + 1;
	char *s = md_malloc(n);
	if (s)
		snprintf(s, n, "%.*s/%s", (int)dlen, dir, name);
	return s;
}

/* Remember the plugin's rule files, relative to the directory of path. */
static int add_rule_files(const struct md_plugin *pl, const char *path,
			  char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	const char *dir = slash ? path : ".";
	size_t dlen = slash ? (size_t)(slash - path) : 1;
	for (size_t i = 0; pl->rule_files && pl->rule_files[i]; i++) {
		const char *rf = pl->rule_files[i];
		if (n_rule_files == MAX_RULES) {
			snprintf(err, errlen, "%s: too many plugin rule files",
				 path);
			return MD_E_LIMIT;
		}
		char *s =
		    rf[0] == '/' ? md_strdup(rf) : dup_join(dir, dlen, rf);
		if (!s)
			return MD_E_NOMEM;
		rule_files[n_rule_files++] = s;
	}
	return 0;
}

int md_plugin_load(const char *path, char *err, size_t errlen)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(err, errlen, "plugin %s: %s", path, dlerror());
		return MD_E_IO;
	}
	md_plugin_register_fn fn;
	void *sym = dlsym(h, MD_PLUGIN_SYMBOL);
	memcpy(&fn, &sym, sizeof(fn));
	if (!fn) {
		snprintf(err, errlen, "plugin %s: no %s(): %s", path,
			 MD_PLUGIN_SYMBOL, dlerror());
		dlclose(h);
		return MD_E_INVAL;
	}
	const struct md_plugin *pl = fn();
	/* Absolute, so that its rule files (relative to it) are not taken as
	 * relative to default-rule-path. */
	char abs[PATH_MAX];
	char *keep = md_strdup(realpath(path, abs) ? abs : path);
	char msg[256];
	int rc;
	if (!pl || !keep || n_paths == MD_MAX_PARSERS) {
		snprintf(err, errlen, "plugin %s: %s", path,
			 !pl ? "md_plugin_register() returned NULL"
			     : "out of memory or too many plugins");
		rc = MD_E_INVAL;
	} else if ((rc = md_registry_add_plugin(pl, keep, msg, sizeof(msg))) <
		   0) {
		snprintf(err, errlen, "plugin %s: %s", path, msg);
	} else {
		paths[n_paths++] = keep;
		return add_rule_files(pl, keep, err, errlen);
	}
	md_free(keep);
	dlclose(h);
	return rc;
}

/* Load one entry of `plugins:`: relative names live in dir. */
static int load_entry(const char *dir, const char *name, bool fatal, FILE *log)
{
	char path[1024], err[1200];
	if (name[0] == '/' || !dir)
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (md_plugin_load(path, err, sizeof(err)) == 0)
		return 0;
	fprintf(log, "medids: %s%s\n", err,
		fatal ? "" : " (continuing without it)");
	return fatal ? -1 : 0;
}

int md_plugins_load_conf(const struct md_conf *c, bool fatal, FILE *log)
{
	const char *dir = md_conf_str(c, "plugin-dir", MD_PLUGINDIR);
	const struct md_conf_node *n = md_conf_find(c, "plugins");
	if (!n)
		return 0;
	if (n->kind != MD_CONF_SEQ) {
		fprintf(log, "medids: %s:%d: plugins: expected a list\n",
			c->file, n->line);
		return -1;
	}
	for (n = n->child; n; n = n->next)
		if (n->val && load_entry(dir, n->val, fatal, log))
			return -1;
	return 0;
}

int md_plugins_load_list(const char *const *files, size_t n, bool fatal,
			 FILE *log)
{
	for (size_t i = 0; i < n; i++)
		if (load_entry(NULL, files[i], fatal, log))
			return -1;
	return 0;
}

size_t md_plugin_rule_files(const char *const **out)
{
	*out = (const char *const *)rule_files;
	return n_rule_files;
}

void md_plugins_fini(void)
{
	for (size_t i = 0; i < n_rule_files; i++)
		md_free(rule_files[i]);
	n_rule_files = 0;
	/* The .so files stay mapped: parser tables live in them until exit. */
}
