/* abi-stamp.c - a minimal protocol plugin stamped with a chosen parser ABI,
 * for tests/scripts/test-plugin-abi.sh (plugin/md-plugin.h, "ABI
 * stability"): built with -DSTAMP_MAJOR=N -DSTAMP_MINOR=M it claims ABI
 * N.M; with -DSTAMP_NO_EXPORT it exports no md_plugin_register().
 *
 * The parser "abistamp" recognises nothing (its probe always says no), so
 * loading it changes no flow's protocol.
 */
#include <md-plugin.h>

#ifndef STAMP_MAJOR
#define STAMP_MAJOR MD_PARSER_ABI_MAJOR
#endif
#ifndef STAMP_MINOR
#define STAMP_MINOR MD_PARSER_ABI_MINOR
#endif
#define STAMP_ABI ((uint32_t)(STAMP_MAJOR) << 16 | (uint32_t)(STAMP_MINOR))

static enum md_probe_rc stamp_probe(const uint8_t *buf, size_t len,
				    enum md_dir dir)
{
	(void)buf, (void)len, (void)dir;
	return MD_PROBE_NO;
}

static enum md_parse_rc stamp_parse(void *state, enum md_dir dir,
				    const uint8_t *buf, size_t len,
				    size_t *consumed,
				    const struct md_sink *sink)
{
	(void)state, (void)dir, (void)buf, (void)sink;
	*consumed = len;
	return MD_PARSE_OK;
}

static const struct md_event_def stamp_events[] = {
    {"never", "an event nothing raises"},
};

static const struct md_parser stamp_parser = {
    .abi = STAMP_ABI,
    .name = "abistamp",
    .desc = "ABI stamp test parser",
    .ipproto = 6,
    .probe = stamp_probe,
    .parse = stamp_parse,
    .events = stamp_events,
    .n_events = 1,
};

static const struct md_parser *const stamp_parsers[] = {&stamp_parser, NULL};

static const struct md_plugin stamp_plugin = {
    .abi = STAMP_ABI,
    .name = "abistamp",
    .version = "0.0.1",
    .desc = "ABI stamp test plugin",
    .parsers = stamp_parsers,
};

#ifndef STAMP_NO_EXPORT
MD_PLUGIN_EXPORT(stamp_plugin)
#else
/* Keep the descriptor referenced so the build stays warning-free. */
const struct md_plugin *stamp_unexported(void);
const struct md_plugin *stamp_unexported(void)
{
	return &stamp_plugin;
}
#endif
