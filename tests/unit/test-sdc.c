/* test-sdc.c - the sdc parser (parsers/sdc/): WS-Discovery datagrams
 * through md_vec_run_once() (one datagram one call, on a guard page; every
 * cut of a datagram on a guard page too: the engine hands UDP payloads
 * whole, so a cut datagram is a malformed one, not a partial one), and
 * md_sdc_soap() called directly with a recording sink: SOAP envelopes,
 * namespaces matched by URI, limits and their events, PHI, and the
 * cross-message tables (Set without report, endpoint address change).
 *
 *   datagram: <s12:Envelope><s12:Header>wsa:Action ...</s12:Header>
 *             <s12:Body><wsd:Hello>...</wsd:Hello></s12:Body></s12:Envelope>
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "registry.h"
#include "sdc.h"

extern const struct md_parser md_parser_sdc;

#define NS                                                                     \
	"xmlns:s12=\"http://www.w3.org/2003/05/soap-envelope\" "               \
	"xmlns:wsa=\"http://www.w3.org/2005/08/addressing\" "                  \
	"xmlns:wsd=\"http://docs.oasis-open.org/ws-dd/ns/discovery/2009/01\" " \
	"xmlns:msg=\"http://standards.ieee.org/downloads/11073/"               \
	"11073-10207-2017/message\" "                                          \
	"xmlns:pm=\"http://standards.ieee.org/downloads/11073/"                \
	"11073-10207-2017/participant\" "                                      \
	"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
#define WSD "http://docs.oasis-open.org/ws-dd/ns/discovery/2009/01/"
#define SDC "http://standards.ieee.org/downloads/11073/11073-20701-2018/"
#define ENV(hdr, body)                                                         \
	"<?xml version='1.0' encoding='UTF-8'?>\n<s12:Envelope " NS            \
	"><s12:Header>" hdr "</s12:Header><s12:Body>" body                     \
	"</s12:Body></s12:Envelope>"
#define ACT(a) "<wsa:Action>" a "</wsa:Action>"
#define HELLO(epr, xaddrs)                                                     \
	ENV(ACT(WSD "Hello") "<wsa:MessageID>urn:uuid:m1</wsa:MessageID>"      \
			     "<wsd:AppSequence InstanceId=\"7\" "              \
			     "MessageNumber=\"3\"/>",                          \
	    "<wsd:Hello><wsa:EndpointReference><wsa:Address>" epr              \
	    "</wsa:Address></wsa:EndpointReference><wsd:Types>"                \
	    "dpws:Device mdpws:MedicalDevice</wsd:Types><wsd:Scopes>"          \
	    "sdc.ctxt.loc:/sdc.ctxt.loc.detail/icu?bed=4  "                    \
	    "sdc.cdc.type:///130535</wsd:Scopes><wsd:XAddrs>" xaddrs           \
	    "</wsd:XAddrs><wsd:MetadataVersion>2</wsd:MetadataVersion>"        \
	    "</wsd:Hello>")

static void has(const char *t, const char *needle)
{
	if (!strstr(t, needle)) {
		fprintf(stderr, "transcript:\n%s", t);
		fail_msg("missing \"%s\" in the transcript above", needle);
	}
}

static void lacks(const char *t, const char *needle)
{
	if (strstr(t, needle)) {
		fprintf(stderr, "transcript:\n%s", t);
		fail_msg("unexpected \"%s\" in the transcript above", needle);
	}
}

static char *udp(const char *dgram)
{
	struct md_vec_chunk c = {MD_DIR_TOSERVER, dgram, strlen(dgram)};
	return md_vec_run_once(&md_parser_sdc, &c, 1);
}

/* ---- recording sink for md_sdc_soap ---------------------------------- */

struct rec {
	char buf[1 << 16];
	size_t len;
};

static void add(struct rec *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(r->buf + r->len, sizeof(r->buf) - r->len, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(r->buf) - r->len)
		r->len += (size_t)n;
}

static void r_event(void *c, uint64_t tx, unsigned id)
{
	assert_true(id < SE_MAX);
	add(c, "event %d %s\n", tx == MD_TX_NONE ? -1 : (int)tx,
	    sdc_events[id].name);
}

static void r_str(void *c, uint64_t tx, unsigned f, const uint8_t *p,
		  size_t len)
{
	assert_true(f < SF_MAX);
	assert_int_equal(tx, 4);
	add(c, "%s='%.*s'\n", sdc_fields[f].name, (int)len, (const char *)p);
}

static void r_uint(void *c, uint64_t tx, unsigned f, uint64_t v)
{
	assert_true(f < SF_MAX);
	assert_int_equal(tx, 4);
	add(c, "%s=%llu\n", sdc_fields[f].name, (unsigned long long)v);
}

static const struct md_limits deflim = {1u << 20, 16u << 20, 256,
					65536,	  256,	     100};

static int soap_lim(struct rec *r, const char *xml, enum md_dir dir,
		    const struct md_limits *lim)
{
	struct md_sink k = {
	    .ctx = r, .event = r_event, .tx_str = r_str, .tx_uint = r_uint};
	void *h;
	size_t n = strlen(xml);
	uint8_t *g = md_guard_copy(xml, n, &h);
	r->len = 0;
	r->buf[0] = '\0';
	int rc = md_sdc_soap(g, n, dir, 4, &k, lim);
	md_guard_free(h);
	return rc;
}

static int soap(struct rec *r, const char *xml, enum md_dir dir)
{
	return soap_lim(r, xml, dir, &deflim);
}

/* Copy tmpl into out with its first '@' replaced by repl. */
static void subst(char *out, size_t n, const char *tmpl, const char *repl)
{
	const char *at = strchr(tmpl, '@');
	assert_non_null(at);
	int w =
	    snprintf(out, n, "%.*s%s%s", (int)(at - tmpl), tmpl, repl, at + 1);
	assert_true(w > 0 && (size_t)w < n);
}

/* ---- WS-Discovery datagrams ------------------------------------------ */

static void test_probe(void **st)
{
	(void)st;
	const char *h = HELLO("urn:uuid:p1", "http://10.0.0.1:1/a");
	const struct md_parser *p = &md_parser_sdc;
	assert_int_equal(p->probe((const uint8_t *)h, strlen(h), 0),
			 MD_PROBE_YES);
	const char *soap_only =
	    "<s12:Envelope xmlns:s12=\"http://www.w3.org/2003/05/"
	    "soap-envelope\"><s12:Body/></s12:Envelope>";
	assert_int_equal(
	    p->probe((const uint8_t *)soap_only, strlen(soap_only), 0),
	    MD_PROBE_NO);
	assert_int_equal(p->probe((const uint8_t *)"GET / HTTP/1.1\r\n", 16, 0),
			 MD_PROBE_NO);
	assert_int_equal(p->probe((const uint8_t *)"", 0, 0), MD_PROBE_NO);
	assert_int_equal(p->ipproto, 17);
	assert_int_equal(p->ports[0], 3702);
	assert_int_equal(p->tx_done_progress, MD_SDC_TX_DONE);
}

static void test_hello(void **st)
{
	(void)st;
	sdc_state_reset();
	char *t = udp(HELLO("urn:uuid:dev-1", "http://10.0.0.1:6464/x "
					      "https://[fe80::1]:6465/x"));
	has(t, "tx 0 dir 0");
	has(t, "field=transport 'udp'");
	has(t, "field=action '" WSD "Hello'");
	has(t, "field=message 'Hello'");
	has(t, "field=message_id 'urn:uuid:m1'");
	has(t, "field=epr 'urn:uuid:dev-1'");
	has(t, "field=types 'dpws:Device'");
	has(t, "field=types 'mdpws:MedicalDevice'");
	has(t, "field=scope 'sdc.ctxt.loc:/sdc.ctxt.loc.detail/icu?bed=4'");
	has(t, "field=location 'sdc.ctxt.loc:/sdc.ctxt.loc.detail/icu?bed=4'");
	has(t, "field=scope 'sdc.cdc.type:///130535'");
	lacks(t, "field=location 'sdc.cdc");
	has(t, "field=xaddrs 'http://10.0.0.1:6464/x'");
	has(t, "field=xaddrs 'https://[fe80::1]:6465/x'");
	has(t, "field=metadata_version 2");
	has(t, "field=instance_id 7");
	has(t, "field=message_number 3");
	has(t, "progress 0 dir 0 1");
	has(t, "progress 0 dir 1 1");
	lacks(t, "event");
	free(t);
}

static void test_discovery_messages(void **st)
{
	(void)st;
	static const char *const msgs[] = {
	    ENV(ACT(WSD "Probe"), "<wsd:Probe><wsd:Types>dpws:Device"
				  "</wsd:Types></wsd:Probe>"),
	    ENV(ACT(WSD "ProbeMatches") "<wsa:RelatesTo>urn:uuid:q"
					"</wsa:RelatesTo>",
		"<wsd:ProbeMatches><wsd:ProbeMatch><wsa:EndpointReference>"
		"<wsa:Address>urn:uuid:a</wsa:Address></wsa:EndpointReference>"
		"<wsd:XAddrs>http://h:1/a</wsd:XAddrs></wsd:ProbeMatch>"
		"<wsd:ProbeMatch><wsa:EndpointReference><wsa:Address>urn:uuid:b"
		"</wsa:Address></wsa:EndpointReference></wsd:ProbeMatch>"
		"</wsd:ProbeMatches>"),
	    ENV(ACT(WSD "Resolve"),
		"<wsd:Resolve><wsa:EndpointReference><wsa:Address>urn:uuid:r"
		"</wsa:Address></wsa:EndpointReference></wsd:Resolve>"),
	    ENV(ACT(WSD "ResolveMatches"),
		"<wsd:ResolveMatches><wsd:ResolveMatch><wsa:EndpointReference>"
		"<wsa:Address>urn:uuid:r</wsa:Address></wsa:EndpointReference>"
		"<wsd:XAddrs>http://h:2/r</wsd:XAddrs></wsd:ResolveMatch>"
		"</wsd:ResolveMatches>"),
	    ENV(ACT(WSD "Bye"),
		"<wsd:Bye><wsa:EndpointReference><wsa:Address>urn:uuid:r"
		"</wsa:Address></wsa:EndpointReference></wsd:Bye>"),
	};
	static const char *const want[][3] = {
	    {"field=message 'Probe'", "field=types 'dpws:Device'", NULL},
	    {"field=epr 'urn:uuid:a'", "field=epr 'urn:uuid:b'",
	     "field=relates_to 'urn:uuid:q'"},
	    {"field=message 'Resolve'", "field=epr 'urn:uuid:r'", NULL},
	    {"field=message 'ResolveMatches'", "field=xaddrs 'http://h:2/r'",
	     NULL},
	    {"field=message 'Bye'", "field=epr 'urn:uuid:r'", NULL},
	};
	sdc_state_reset();
	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		char *t = udp(msgs[i]);
		for (int j = 0; j < 3 && want[i][j]; j++)
			has(t, want[i][j]);
		lacks(t, "event");
		free(t);
	}
}

/* Every cut of a datagram, each on a guard page: an event, no crash. */
static void test_cut_datagrams(void **st)
{
	(void)st;
	const char *h = HELLO("urn:uuid:cut", "http://10.0.0.9:1/c");
	size_t n = strlen(h);
	char *buf = malloc(n + 1);
	assert_non_null(buf);
	for (size_t k = 1; k < n; k++) {
		memcpy(buf, h, k);
		buf[k] = '\0';
		char *t = udp(buf);
		if (!strstr(t, "event 0 malformed_soap") &&
		    !strstr(t, "event 0 not_soap_envelope")) {
			fprintf(stderr, "cut at %zu:\n%s", k, t);
			fail();
		}
		free(t);
	}
	free(buf);
}

static void test_not_xml_datagram(void **st)
{
	(void)st;
	char *t =
	    udp("<s12:Envelope xmlns:s12=\"x\"><s12:Body/></s12:Envelope>");
	has(t, "event 0 not_soap_envelope");
	free(t);
	t = udp("<?xml version='1.0'?><a></b>");
	has(t, "event 0 malformed_soap");
	free(t);
}

/* ---- SOAP envelopes (md_sdc_soap) ------------------------------------ */

static void test_set_value(void **st)
{
	(void)st;
	struct rec r;
	assert_int_equal(
	    soap(&r,
		 ENV("<wsa:To>http://p:1/Set</wsa:To>" ACT(
			 SDC "SetService/SetValue") "<wsa:MessageID>urn:uuid:"
						    "s1</wsa:MessageID>",
		     "<msg:SetValue><msg:OperationHandleRef>num.sco"
		     "</msg:OperationHandleRef><msg:RequestedNumericValue>42.5"
		     "</msg:RequestedNumericValue></msg:SetValue>"),
		 MD_DIR_TOSERVER),
	    0);
	has(r.buf, "transport='http'");
	has(r.buf, "action='" SDC "SetService/SetValue'");
	has(r.buf, "message='SetValue'");
	has(r.buf, "to='http://p:1/Set'");
	has(r.buf, "message_id='urn:uuid:s1'");
	has(r.buf, "operation_handle='num.sco'");
	has(r.buf, "requested_value='42.5'");
	lacks(r.buf, "event");
	/* the response fills the response fields */
	assert_int_equal(
	    soap(&r,
		 ENV(ACT(SDC "SetService/SetValueResponse") "<wsa:RelatesTo>"
							    "urn:uuid:s1</"
							    "wsa:RelatesTo>",
		     "<msg:SetValueResponse MdibVersion=\"9\" "
		     "SequenceId=\"urn:uuid:seqA\"><msg:InvocationInfo>"
		     "<msg:TransactionId>12</msg:TransactionId>"
		     "<msg:InvocationState>Fail</msg:InvocationState>"
		     "<msg:InvocationError>Unkn</msg:InvocationError>"
		     "</msg:InvocationInfo></msg:SetValueResponse>"),
		 MD_DIR_TOCLIENT),
	    0);
	has(r.buf, "response_action='" SDC "SetService/SetValueResponse'");
	has(r.buf, "response_message='SetValueResponse'");
	has(r.buf, "response_relates_to='urn:uuid:s1'");
	has(r.buf, "transaction_id=12");
	has(r.buf, "invocation_state='Fail'");
	has(r.buf, "invocation_error='Unkn'");
	has(r.buf, "sequence_id='urn:uuid:seqA'");
	has(r.buf, "mdib_version=9");
	lacks(r.buf, "transport=");
	lacks(r.buf, "\naction=");
}

static void test_alert_and_context(void **st)
{
	(void)st;
	struct rec r;
	soap(&r,
	     ENV(ACT(SDC "SetService/SetAlertState"),
		 "<msg:SetAlertState><msg:OperationHandleRef>op"
		 "</msg:OperationHandleRef><msg:ProposedAlertState "
		 "xsi:type=\"pm:AlertSignalState\" DescriptorHandle=\"as0\" "
		 "ActivationState=\"Psd\" Presence=\"Off\"/>"
		 "</msg:SetAlertState>"),
	     MD_DIR_TOSERVER);
	has(r.buf, "state_handle='as0'");
	has(r.buf, "activation='Psd'");
	has(r.buf, "alert_presence='Off'");
	soap(&r,
	     ENV(ACT(SDC "SetService/SetMetricState"),
		 "<msg:SetMetricState><msg:ProposedMetricState "
		 "DescriptorHandle=\"m1\" "
		 "ActivationState=\"Off\"><pm:MetricValue"
		 " Value=\"7\"/></msg:ProposedMetricState></"
		 "msg:SetMetricState>"),
	     MD_DIR_TOSERVER);
	has(r.buf, "state_handle='m1'");
	has(r.buf, "activation='Off'");
	has(r.buf, "requested_value='7'");
	lacks(r.buf, "alert_presence");
	soap(
	    &r,
	    ENV(ACT(SDC "SetService/SetContextState"),
		"<msg:SetContextState><msg:ProposedContextState "
		"xsi:type=\"pm:PatientContextState\" DescriptorHandle=\"pc\">"
		"<pm:Identification Root=\"1.2\" Extension=\"MRN9\"/>"
		"<pm:CoreData><pm:Givenname>Ann</pm:Givenname><pm:Familyname>"
		"Example</pm:Familyname><pm:DateOfBirth>2000-02-02"
		"</pm:DateOfBirth></pm:CoreData></msg:ProposedContextState>"
		"<msg:ProposedContextState xsi:type=\"pm:LocationContextState\""
		" DescriptorHandle=\"lc\"><pm:Identification Extension=\"bed4\""
		"/></msg:ProposedContextState></msg:SetContextState>"),
	    MD_DIR_TOSERVER);
	has(r.buf, "patient_id='MRN9'");
	has(r.buf, "patient_name='Ann'");
	has(r.buf, "patient_name='Example'");
	has(r.buf, "patient_birth_date='2000-02-02'");
	has(r.buf, "state_handle='lc'");
	lacks(r.buf, "patient_id='bed4'");
	assert_true(sdc_fields[SF_PATIENT_NAME].flags & MD_FF_PHI);
	assert_true(sdc_fields[SF_PATIENT_ID].flags & MD_FF_PHI);
	assert_true(sdc_fields[SF_PATIENT_BIRTH].flags & MD_FF_PHI);
}

static void test_metadata_and_eventing(void **st)
{
	(void)st;
	struct rec r;
	soap(&r,
	     "<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\">"
	     "<e:Header><a:Action xmlns:a=\"http://www.w3.org/2005/08/"
	     "addressing\">http://schemas.xmlsoap.org/ws/2004/09/transfer/"
	     "GetResponse</a:Action></e:Header><e:Body><x:Metadata xmlns:x="
	     "\"http://schemas.xmlsoap.org/ws/2004/09/mex\"><d:ThisModel "
	     "xmlns:d=\"http://docs.oasis-open.org/ws-dd/ns/dpws/2009/01\">"
	     "<d:Manufacturer>ACME</d:Manufacturer><d:Manufacturer xml:lang="
	     "\"de\">ACME GmbH</d:Manufacturer><d:ModelName>Pump</d:ModelName>"
	     "<d:ModelNumber>7</d:ModelNumber></d:ThisModel><ThisDevice "
	     "xmlns=\"http://docs.oasis-open.org/ws-dd/ns/dpws/2009/01\">"
	     "<FirmwareVersion>1.2.3</FirmwareVersion><SerialNumber>SN1"
	     "</SerialNumber></ThisDevice><q:ThisModel xmlns:q=\"urn:other\">"
	     "<q:Manufacturer>NOT</q:Manufacturer></q:ThisModel></x:Metadata>"
	     "</e:Body></e:Envelope>",
	     MD_DIR_TOCLIENT);
	has(r.buf, "manufacturer='ACME'\n");
	lacks(r.buf, "ACME GmbH");
	lacks(r.buf, "NOT");
	has(r.buf, "model='Pump'");
	has(r.buf, "model_number='7'");
	has(r.buf, "firmware='1.2.3'");
	has(r.buf, "serial_number='SN1'");
	has(r.buf, "response_message='Metadata'");
	soap(&r,
	     ENV(ACT("http://schemas.xmlsoap.org/ws/2004/08/eventing/"
		     "Subscribe"),
		 "<e:Subscribe xmlns:e=\"http://schemas.xmlsoap.org/ws/2004/08/"
		 "eventing\"><e:EndTo><wsa:Address>http://c:1/end</wsa:Address>"
		 "</e:EndTo><e:Delivery><e:NotifyTo><wsa:Address>http://c:1/n"
		 "</wsa:Address></e:NotifyTo></e:Delivery><e:Expires>PT1M"
		 "</e:Expires><e:Filter>" SDC "A " SDC "B</e:Filter>"
		 "</e:Subscribe>"),
	     MD_DIR_TOSERVER);
	has(r.buf, "notify_to='http://c:1/n'");
	has(r.buf, "end_to='http://c:1/end'");
	has(r.buf, "expires='PT1M'");
	has(r.buf, "filter='" SDC "A'");
	has(r.buf, "filter='" SDC "B'");
	lacks(r.buf, "epr=");
}

static void test_fault_and_shape(void **st)
{
	(void)st;
	struct rec r;
	soap(&r,
	     ENV(ACT("http://www.w3.org/2005/08/addressing/soap/fault"),
		 "<s12:Fault><s12:Code><s12:Value>s12:Sender</s12:Value>"
		 "</s12:Code><s12:Reason><s12:Text xml:lang=\"en\">bad handle"
		 "</s12:Text></s12:Reason></s12:Fault>"),
	     MD_DIR_TOCLIENT);
	has(r.buf, "fault_code='s12:Sender'");
	has(r.buf, "fault_reason='bad handle'");
	lacks(r.buf, "event");
	/* the right prefixes bound to other URIs are not SOAP/WSA */
	assert_int_equal(soap(&r,
			      "<s12:Envelope xmlns:s12=\"urn:fake\"><s12:Body/>"
			      "</s12:Envelope>",
			      MD_DIR_TOSERVER),
			 MD_E_INVAL);
	has(r.buf, "event 4 not_soap_envelope");
	soap(&r, ENV("<wsa2:Action xmlns:wsa2=\"urn:x\">a</wsa2:Action>", ""),
	     MD_DIR_TOSERVER);
	has(r.buf, "event 4 missing_action");
	soap(&r,
	     "<s12:Envelope xmlns:s12=\"http://www.w3.org/2003/05/"
	     "soap-envelope\"><s12:Header/></s12:Envelope>",
	     MD_DIR_TOSERVER);
	has(r.buf, "event 4 not_soap_envelope");
	soap(&r, ENV(ACT(WSD "Hello"), "<wsd:Bye/>"), MD_DIR_TOSERVER);
	has(r.buf, "event 4 action_body_mismatch");
	soap(&r, ENV(ACT(SDC "SetService/SetValue"), "<msg:SetValue/>"),
	     MD_DIR_TOSERVER);
	lacks(r.buf, "event");
	soap(&r, "", MD_DIR_TOSERVER);
	has(r.buf, "event 4 malformed_soap");
	soap(&r, ENV(ACT("a"), "<x>&undefined;</x>"), MD_DIR_TOSERVER);
	has(r.buf, "event 4 malformed_soap");
}

static void test_limits(void **st)
{
	(void)st;
	struct rec r;
	struct md_limits lim = deflim;
	const char *ok = ENV(ACT(SDC "SetService/SetString"),
			     "<msg:SetString><msg:RequestedStringValue>"
			     "0123456789ABCDEF</msg:RequestedStringValue>"
			     "</msg:SetString>");
	lim.max_pdu = (uint32_t)strlen(ok) - 1;
	assert_int_equal(soap_lim(&r, ok, MD_DIR_TOSERVER, &lim), MD_E_LIMIT);
	has(r.buf, "event 4 xml_too_large");
	lacks(r.buf, "message=");
	lim = deflim;
	lim.max_field = 10;
	assert_int_equal(soap_lim(&r, ok, MD_DIR_TOSERVER, &lim), 0);
	has(r.buf, "event 4 field_too_long");
	has(r.buf, "requested_value='0123456789'\n");
	lim = deflim;
	lim.max_items = 1; /* 64 elements */
	const char *big = ENV(ACT("a"), "@");
	char many[4096] = "";
	for (int i = 0; i < 70; i++)
		strcat(many, "<y/>");
	char doc[12288];
	subst(doc, sizeof(doc), big, many);
	assert_int_equal(soap_lim(&r, doc, MD_DIR_TOSERVER, &lim), MD_E_LIMIT);
	has(r.buf, "event 4 xml_too_many_elements");
	char deep[4096] = "", deep_end[4096] = "";
	for (int i = 0; i < MD_SDC_MAX_DEPTH; i++) {
		strcat(deep, "<z>");
		strcat(deep_end, "</z>");
	}
	strcat(deep, deep_end);
	subst(doc, sizeof(doc), big, deep);
	assert_int_equal(soap(&r, doc, MD_DIR_TOSERVER), MD_E_LIMIT);
	has(r.buf, "event 4 xml_too_deep");
	assert_int_equal(
	    soap(&r,
		 "<?xml version=\"1.0\"?><!DOCTYPE s12:Envelope [<!ENTITY a "
		 "\"aaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]><s12:Envelope "
		 "xmlns:s12=\"http://www.w3.org/2003/05/soap-envelope\">"
		 "<s12:Body>&b;</s12:Body></s12:Envelope>",
		 MD_DIR_TOSERVER),
	    MD_E_INVAL);
	has(r.buf, "event 4 xml_doctype");
	lacks(r.buf, "aaaa");
}

/* A report sequence: Set response 1 reported, Set response 2 not. */
static void test_set_without_report(void **st)
{
	(void)st;
	struct rec r;
	sdc_state_reset();
	char resp[1024], rep[1024], other[1024];
	const char *resp_f = ENV(
	    ACT(SDC "SetService/SetStringResponse"),
	    "<msg:SetStringResponse SequenceId=\"urn:s\"><msg:InvocationInfo>"
	    "<msg:TransactionId>@</msg:TransactionId></msg:InvocationInfo>"
	    "</msg:SetStringResponse>");
	const char *rep_f = ENV(
	    ACT(SDC "SetService/OperationInvokedReport"),
	    "<msg:OperationInvokedReport SequenceId=\"urn:s\">"
	    "<msg:ReportPart OperationHandleRef=\"h\" OperationTarget=\"t\">"
	    "<msg:InvocationInfo><msg:TransactionId>@</msg:TransactionId>"
	    "<msg:InvocationState>Fin</msg:InvocationState>"
	    "</msg:InvocationInfo></msg:ReportPart>"
	    "</msg:OperationInvokedReport>");
	snprintf(other, sizeof(other), "%s",
		 ENV(ACT(SDC "StateEventService/EpisodicMetricReport"),
		     "<msg:EpisodicMetricReport SequenceId=\"urn:s\"/>"));
	subst(resp, sizeof(resp), resp_f, "1");
	soap(&r, resp, MD_DIR_TOCLIENT);
	subst(rep, sizeof(rep), rep_f, "1");
	soap(&r, rep, MD_DIR_TOSERVER);
	has(r.buf, "operation_handle='h'");
	has(r.buf, "operation_target='t'");
	subst(resp, sizeof(resp), resp_f, "2");
	soap(&r, resp, MD_DIR_TOCLIENT); /* window 16: this message is 1 */
	for (int i = 2; i < MD_SDC_REPORT_WINDOW; i++) {
		soap(&r, other, MD_DIR_TOSERVER);
		lacks(r.buf, "event");
	}
	soap(&r, other, MD_DIR_TOSERVER);
	has(r.buf, "event 4 set_without_report");
	has(r.buf, "unreported_transaction_id=2");
	soap(&r, other, MD_DIR_TOSERVER);
	lacks(r.buf, "event");
	/* a sequence that never reported raises nothing */
	sdc_state_reset();
	soap(&r, resp, MD_DIR_TOCLIENT);
	for (int i = 0; i < 2 * MD_SDC_REPORT_WINDOW; i++) {
		soap(&r, other, MD_DIR_TOSERVER);
		lacks(r.buf, "event");
	}
}

static void test_epr_change(void **st)
{
	(void)st;
	sdc_state_reset();
	char *t = udp(HELLO("urn:uuid:e", "http://a:1/x"));
	lacks(t, "event");
	free(t);
	t = udp(HELLO("urn:uuid:e", "http://a:1/x"));
	lacks(t, "event");
	free(t);
	t = udp(HELLO("urn:uuid:e", "http://evil:1/x"));
	has(t, "event 0 epr_address_changed");
	has(t, "field=previous_xaddrs 'http://a:1/x'");
	free(t);
	t = udp(HELLO("urn:uuid:other", "http://evil:1/x"));
	lacks(t, "event");
	free(t);
	/* a Bye that changes nothing forgets the endpoint */
	t = udp(ENV(ACT(WSD "Bye"), "<wsd:Bye><wsa:EndpointReference>"
				    "<wsa:Address>urn:uuid:other</wsa:Address>"
				    "</wsa:EndpointReference></wsd:Bye>"));
	lacks(t, "event");
	free(t);
	t = udp(HELLO("urn:uuid:other", "http://new:1/x"));
	lacks(t, "event");
	free(t);
	/* the table is bounded: old endpoints are replaced, never grow */
	char h[2048];
	for (int i = 0; i < MD_SDC_EPR_SLOTS + 10; i++) {
		char epr[64];
		snprintf(epr, sizeof(epr), "urn:uuid:n%d", i);
		assert_int_equal(
		    sdc_state_epr(epr, "http://n:1/", false, h, sizeof(h)), 0);
	}
}

static void test_tables(void **st)
{
	(void)st;
	for (size_t i = 0; i < SF_MAX; i++) {
		assert_non_null(sdc_fields[i].name);
		assert_non_null(sdc_fields[i].desc);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(sdc_fields[i].name,
						sdc_fields[j].name);
	}
	for (size_t i = 0; i < SE_MAX; i++)
		assert_non_null(sdc_events[i].name);
	md_registry_init();
	assert_true(md_registry_find("sdc") >= 0);
	assert_int_equal(md_parser_sdc.n_fields, SF_MAX);
	assert_int_equal(md_parser_sdc.n_events, SE_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_probe),
	    cmocka_unit_test(test_hello),
	    cmocka_unit_test(test_discovery_messages),
	    cmocka_unit_test(test_cut_datagrams),
	    cmocka_unit_test(test_not_xml_datagram),
	    cmocka_unit_test(test_set_value),
	    cmocka_unit_test(test_alert_and_context),
	    cmocka_unit_test(test_metadata_and_eventing),
	    cmocka_unit_test(test_fault_and_shape),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_set_without_report),
	    cmocka_unit_test(test_epr_change),
	    cmocka_unit_test(test_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
