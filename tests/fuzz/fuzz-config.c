/* fuzz-config.c - libFuzzer target for the configuration: the input is a
 * YAML document read by md_conf_load_string, applied over the defaults by
 * md_engine_cfg_load, then given to md_detect_new (vars, address and port
 * groups, detect.memcap, datasets), which reads its own sections.
 *
 * Normative reference: YAML 1.1 as libyaml reads it; the keys are those
 * medids.yaml documents.
 *
 *   input: the text of a medids.yaml (a NUL ends it)
 *
 * Dataset files the document names resolve in a private scratch
 * directory; none is ever saved, and documents with a key or value naming
 * /dev, /proc, /sys or /run stop after the engine settings (a dataset
 * `load` of /dev/zero reads forever).
 *
 * Seeds: medids.yaml and tests/e2e/ * /medids.yaml, whole and cut into
 * their top-level sections (tests/fuzz/make-seeds.py).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "engine.h"
#include "fz-util.h"
#include "registry.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	md_registry_init();
	fz_scratch();
	return 0;
}

static bool special(const char *s)
{
	return s && fz_names_special((const uint8_t *)s, strlen(s));
}

/* Whether any key or scalar of the tree names a special file. */
static bool names_special(const struct md_conf_node *n)
{
	for (; n; n = n->next)
		if (special(n->key) || special(n->val) ||
		    names_special(n->child))
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	struct md_conf *c = NULL;
	struct md_engine_cfg cfg;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	int rc = md_conf_load_string(&c, "fuzz.yaml", text, err, sizeof(err));
	free(text);
	if (rc) {
		md_conf_free(c);
		return 0;
	}
	md_engine_cfg_defaults(&cfg);
	md_engine_cfg_load(&cfg, c, err, sizeof(err));
	if (!names_special(c->root)) {
		struct md_detect_cfg dc = {.conf = c,
					   .rule_dir = fz_scratch(),
					   .data_dir = fz_scratch()};
		fz_detect_free(md_detect_new(&dc, fz_devnull(), false));
	}
	md_conf_free(c);
	return 0;
}
