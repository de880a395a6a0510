/* sdc.c - the "sdc" parser: WS-Discovery over UDP (SOAP-over-UDP, port
 * 3702, multicast 239.255.255.250 / ff02::c), one datagram one
 * transaction. SOAP over HTTP reaches the same field and event tables
 * through md_sdc_soap() (sdc-soap.h), called by the HTTP parser on "sdc"
 * companion transactions.
 *
 * Normative references: OASIS WS-Discovery 1.1 (Hello, Bye, Probe,
 * ProbeMatches, Resolve, ResolveMatches), OASIS SOAP-over-UDP 1.1,
 * IEEE 11073-20702-2016 (MDPWS discovery), IEEE 11073-20701-2018.
 *
 *   UDP payload = one SOAP 1.2 envelope (no framing, no fragmentation
 *   beyond IP):
 *     <s12:Envelope> <s12:Header> wsa:Action .../discovery/2009/01/Hello
 *       </s12:Header> <s12:Body> <wsd:Hello> wsa:EndpointReference
 *       wsd:Types wsd:Scopes wsd:XAddrs wsd:MetadataVersion ...
 */
#include <string.h>

#include "sdc.h"
#include "md-plugin.h"

static const uint16_t sdc_ports[] = {3702, 0};

struct sdc_state {
	struct md_limits lim;
};

static bool has(const uint8_t *buf, size_t len, const char *needle)
{
	return memmem(buf, len, needle, strlen(needle)) != NULL;
}

/* A datagram that starts like XML (after blanks or a UTF-8 BOM) and names
 * the WS-Discovery namespace (2009/01 or the 2005/04 draft) and an
 * Envelope. */
static enum md_probe_rc sdc_probe(const uint8_t *buf, size_t len,
				  enum md_dir dir)
{
	(void)dir;
	struct md_rd r = md_rd_make(buf, len);
	if (md_rd_peek(&r, 0) == 0xEF && md_rd_peek(&r, 1) == 0xBB &&
	    md_rd_peek(&r, 2) == 0xBF)
		md_rd_skip(&r, 3);
	int ch;
	while ((ch = md_rd_peek(&r, 0)) == ' ' || ch == '\t' || ch == '\r' ||
	       ch == '\n')
		md_rd_skip(&r, 1);
	if (ch != '<')
		return MD_PROBE_NO;
	struct md_span s = md_rd_rest(&r);
	if (!has(s.p, s.len, "Envelope"))
		return MD_PROBE_NO;
	if (has(s.p, s.len, "http://docs.oasis-open.org/ws-dd/ns/discovery/") ||
	    has(s.p, s.len, "http://schemas.xmlsoap.org/ws/2005/04/discovery"))
		return MD_PROBE_YES;
	return MD_PROBE_NO;
}

static int sdc_init(void *state, const struct md_limits *lim)
{
	struct sdc_state *st = state;
	st->lim = *lim;
	return 0;
}

/* One datagram: one transaction, complete in both directions. */
static enum md_parse_rc sdc_parse(void *state, enum md_dir dir,
				  const uint8_t *buf, size_t len,
				  size_t *consumed, const struct md_sink *sink)
{
	static const char udp[] = "udp";
	struct sdc_state *st = state;
	*consumed = len;
	if (!len)
		return MD_PARSE_OK;
	uint64_t tx = sink->tx_new(sink->ctx, dir);
	if (tx != MD_TX_NONE)
		sink->tx_str(sink->ctx, tx, SF_TRANSPORT, (const uint8_t *)udp,
			     sizeof(udp) - 1);
	sdc_soap_read(buf, len, SDC_ROLE_REQUEST, tx, sink, &st->lim);
	if (tx != MD_TX_NONE) {
		sink->tx_progress(sink->ctx, tx, MD_DIR_TOSERVER,
				  MD_SDC_TX_DONE);
		sink->tx_progress(sink->ctx, tx, MD_DIR_TOCLIENT,
				  MD_SDC_TX_DONE);
	}
	return MD_PARSE_OK;
}

const struct md_parser md_parser_sdc = {
    .abi = MD_PARSER_ABI,
    .name = "sdc",
    .desc = "IEEE 11073 SDC: WS-Discovery over UDP, SOAP in HTTP bodies",
    .ipproto = 17,
    .ports = sdc_ports,
    .state_size = sizeof(struct sdc_state),
    .tx_done_progress = MD_SDC_TX_DONE,
    .probe = sdc_probe,
    .init = sdc_init,
    .parse = sdc_parse,
    .events = sdc_events,
    .n_events = SE_MAX,
    .fields = sdc_fields,
    .n_fields = SF_MAX,
};

static const struct md_parser *const sdc_parsers[] = {&md_parser_sdc, NULL};

/* Registered as a built-in plugin (plugin/registry.c). */
const struct md_plugin md_plugin_sdc = {
    .abi = MD_PARSER_ABI,
    .name = "sdc",
    .version = "built-in",
    .desc = "IEEE 11073 SDC: WS-Discovery and SOAP",
    .parsers = sdc_parsers,
};
