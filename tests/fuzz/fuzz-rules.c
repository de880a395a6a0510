/* fuzz-rules.c - libFuzzer target for the rule language: each line of the
 * input is one rule given to md_detect_add_rule (a new detection engine
 * per input, no configuration, the shipped classification, reference and
 * threshold files and dataset lists), then md_detect_build; when the rules
 * build, a few bundled captures (an HL7 admission, a DICOM echo, the
 * decoder-layers case) are replayed through an engine worker with them, so the
 * keywords' match code runs with whatever options the rules gave.
 *
 * Normative reference: the rule language is Suricata's ("Rules" chapter
 * of the Suricata user guide), as src/detect-parse.c implements it.
 *
 *   input: rule \n rule \n ...   (at most 32 lines; NUL ends a line)
 *
 * Datasets named by a rule resolve in a private scratch directory; no
 * dataset is ever saved (fz-util.c), and inputs naming /dev, /proc,
 * /sys or /run are skipped (a `load` of /dev/zero reads forever).
 *
 * Seeds: every rule of rules/ *.rules, tests/rules/ *.rules and the e2e
 * cases' test.rules (tests/fuzz/make-seeds.py).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "fz-util.h"
#include "registry.h"

#define FZ_MAX_RULES 32

static struct fz_pkts pkts;
static struct md_engine_cfg base;

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const caps[] = {
	    "pcaps/hl7-adt.pcap", "pcaps/dicom-echo.pcap",
	    "tests/e2e/decode-layers/input.pcap"};
	char path[1024];
	(void)argc;
	(void)argv;
	md_registry_init();
	fz_engine_cfg(&base);
	fz_scratch_rules();
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", fz_srcdir(), caps[i]);
		if (fz_pkts_load_pcap(&pkts, path) < 0)
			fprintf(stderr, "fuzz-rules: %s: not replayed\n", path);
	}
	return 0;
}

/* Replay the captures through an engine with detection d (taken). */
static void match(struct md_detect *d)
{
	char err[512];
	struct md_engine *e;
	struct md_worker w;
	if (md_engine_new(&e, &base, NULL, err, sizeof(err))) {
		fz_detect_free(d);
		return;
	}
	e->detect = d; /* set here: a failing md_engine_new would save */
	if (md_worker_init(&w, e) == 0) {
		fz_replay(&w, &pkts);
		md_worker_fini(&w);
	}
	fz_engine_free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	if (fz_names_special(data, size))
		return 0;
	struct md_detect_cfg cfg = {.rule_dir = fz_scratch(),
				    .data_dir = fz_scratch()};
	struct md_detect *d = md_detect_new(&cfg, fz_devnull(), false);
	if (!d)
		return 0;
	size_t off = 0;
	for (unsigned n = 1; off < size && n <= FZ_MAX_RULES; n++) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - (data + off)) : size - off;
		char *text = malloc(len + 1);
		if (!text)
			break;
		memcpy(text, data + off, len);
		text[len] = 0;
		md_detect_add_rule(d, text, "fuzz.rules", n, err, sizeof(err));
		free(text);
		off += len + 1;
	}
	/* Building no rule is the same every time, and costs most (the
	 * prefilter's per-port tables): only inputs with a rule get there. */
	if (md_detect_get_stats(d)->loaded &&
	    md_detect_build(d, err, sizeof(err)) == 0)
		match(d);
	else
		fz_detect_free(d);
	return 0;
}
