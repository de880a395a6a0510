/* tls.c - recognise TLS so that encrypted flows are logged as such
 * (app_proto "tls") and never handed to a cleartext parser: DICOM over
 * TLS (port 2762), HL7 over TLS, HTTPS. Nothing inside is decoded.
 *
 * RFC 8446 5.1 / RFC 5246 6.2.1, a record header:
 *   +--------------+-----------------+------------+
 *   | type (1)     | version (2)     | length (2) |   handshake = 0x16,
 *   +--------------+-----------------+------------+   version 0x0300-0x0304
 */
#include "md-parser.h"
#include "md-plugin.h"
#include "md-rd.h"

static enum md_probe_rc tls_probe(const uint8_t *buf, size_t len,
				  enum md_dir dir)
{
	struct md_rd r = md_rd_make(buf, len);
	(void)dir;
	if (md_rd_left(&r) < 5)
		return md_rd_peek(&r, 0) == 0x16 || md_rd_left(&r) == 0
			   ? MD_PROBE_NEED_MORE
			   : MD_PROBE_NO;
	uint8_t type = md_rd_u8(&r);
	uint16_t version = md_rd_be16(&r);
	uint16_t length = md_rd_be16(&r);
	if (type != 0x16 || version < 0x0300 || version > 0x0304 ||
	    length == 0 || length > 16384 + 2048)
		return MD_PROBE_NO;
	return MD_PROBE_YES;
}

/* Everything is consumed unread: the content is encrypted. */
static enum md_parse_rc tls_parse(void *state, enum md_dir dir,
				  const uint8_t *buf, size_t len,
				  size_t *consumed, const struct md_sink *sink)
{
	(void)state, (void)dir, (void)buf, (void)sink;
	*consumed = len;
	return MD_PARSE_OK;
}

static void tls_gap(void *state, enum md_dir dir, uint64_t len,
		    const struct md_sink *sink)
{
	(void)state, (void)dir, (void)len, (void)sink;
}

static const uint16_t tls_ports[] = {443, 2762, 0};

const struct md_parser md_parser_tls = {
    .abi = MD_PARSER_ABI,
    .name = "tls",
    .desc = "TLS, recognised and logged, not decrypted (RFC 8446)",
    .ipproto = 6,
    .ports = tls_ports,
    .probe = tls_probe,
    .parse = tls_parse,
    .gap = tls_gap,
};

static const struct md_parser *const tls_parsers[] = {&md_parser_tls, NULL};

/* Registered as a built-in plugin (plugin/registry.c). */
const struct md_plugin md_plugin_tls = {
    .abi = MD_PARSER_ABI,
    .name = "tls",
    .version = "built-in",
    .desc = "TLS recogniser",
    .parsers = tls_parsers,
};
