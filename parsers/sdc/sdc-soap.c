/* sdc-soap.c - SDC facts from one SOAP 1.2 envelope, read with libxml2's
 * streaming reader (xmlTextReader): no network, no DTD loading or
 * attribute defaults, no entity substitution, a DOCTYPE stops the reading,
 * and the envelope size, element nesting, element count and value length
 * are bounded (each bound raises an event).
 *
 * Normative references: W3C SOAP 1.2 part 1, W3C WS-Addressing 1.0 core
 * and SOAP binding, OASIS WS-Discovery 1.1, OASIS DPWS 1.1, W3C
 * WS-Eventing (2004/08), IEEE 11073-20701-2018 (SDC actions),
 * IEEE 11073-10207-2017 (BICEPS message and participant model).
 *
 *   s12:Envelope
 *     s12:Header   wsa:Action wsa:To wsa:MessageID wsa:RelatesTo
 *                  wsd:AppSequence@InstanceId@MessageNumber
 *     s12:Body     one message: wsd:Hello | wsd:Bye | wsd:ProbeMatches |
 *                  wsx:Metadata (dpws:ThisModel, dpws:ThisDevice) |
 *                  msg:SetValue | msg:SetString | msg:Activate |
 *                  msg:Set{Alert,Metric,Component,Context}State |
 *                  msg:*Response (msg:InvocationInfo) |
 *                  msg:OperationInvokedReport | wse:Subscribe | ...
 *
 * Elements are matched by namespace URI and local name, never by prefix.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlreader.h>

#include "mem.h"
#include "sdc.h"

enum ns {
	NS_OTHER,
	NS_SOAP,
	NS_WSA,
	NS_WSD,
	NS_DPWS,
	NS_WSE,
	NS_MSG,
	NS_PM,
};

static const struct {
	const char *uri;
	enum ns ns;
} ns_tab[] = {
    {"http://www.w3.org/2003/05/soap-envelope", NS_SOAP},
    {"http://www.w3.org/2005/08/addressing", NS_WSA},
    {"http://schemas.xmlsoap.org/ws/2004/08/addressing", NS_WSA},
    {"http://docs.oasis-open.org/ws-dd/ns/discovery/2009/01", NS_WSD},
    {"http://schemas.xmlsoap.org/ws/2005/04/discovery", NS_WSD},
    {"http://docs.oasis-open.org/ws-dd/ns/dpws/2009/01", NS_DPWS},
    {"http://schemas.xmlsoap.org/ws/2006/02/devprof", NS_DPWS},
    {"http://schemas.xmlsoap.org/ws/2004/08/eventing", NS_WSE},
    {"http://standards.ieee.org/downloads/11073/11073-10207-2017/message",
     NS_MSG},
    {"http://standards.ieee.org/downloads/11073/11073-10207-2017/"
     "participant",
     NS_PM},
};

#define XSI_NS	   "http://www.w3.org/2001/XMLSchema-instance"
#define WSD_ACTION "http://docs.oasis-open.org/ws-dd/ns/discovery/2009/01/"
#define SDC_ACTION "http://standards.ieee.org/downloads/11073/11073-20701-2018/"

enum el {
	E_OTHER,
	E_ENVELOPE,
	E_HEADER,
	E_BODY,
	E_FAULT,
	E_CODE,
	E_SUBCODE,
	E_VALUE,
	E_REASON,
	E_TEXT,
	E_ACTION,
	E_TO,
	E_MESSAGEID,
	E_RELATESTO,
	E_EPR,
	E_ADDRESS,
	E_APPSEQ,
	E_HELLO,
	E_BYE,
	E_PROBEMATCH,
	E_RESOLVEMATCH,
	E_RESOLVE,
	E_PROBE,
	E_TYPES,
	E_SCOPES,
	E_XADDRS,
	E_MDVERSION,
	E_THISMODEL,
	E_THISDEVICE,
	E_MANUFACTURER,
	E_MODELNAME,
	E_MODELNUMBER,
	E_FIRMWARE,
	E_SERIAL,
	E_FRIENDLY,
	E_HOST,
	E_OPHANDLEREF,
	E_REQVALUE,
	E_ARGVALUE,
	E_PROPOSED_ALERT,
	E_PROPOSED_STATE,
	E_METRICVALUE,
	E_TRANSACTIONID,
	E_INVSTATE,
	E_INVERROR,
	E_REPORTPART,
	E_NOTIFYTO,
	E_ENDTO,
	E_EXPIRES,
	E_FILTER,
	E_PNAME,
	E_DOB,
	E_IDENT,
};

static const struct {
	enum ns ns;
	const char *local;
	enum el el;
} el_tab[] = {
    {NS_SOAP, "Envelope", E_ENVELOPE},
    {NS_SOAP, "Header", E_HEADER},
    {NS_SOAP, "Body", E_BODY},
    {NS_SOAP, "Fault", E_FAULT},
    {NS_SOAP, "Code", E_CODE},
    {NS_SOAP, "Subcode", E_SUBCODE},
    {NS_SOAP, "Value", E_VALUE},
    {NS_SOAP, "Reason", E_REASON},
    {NS_SOAP, "Text", E_TEXT},
    {NS_WSA, "Action", E_ACTION},
    {NS_WSA, "To", E_TO},
    {NS_WSA, "MessageID", E_MESSAGEID},
    {NS_WSA, "RelatesTo", E_RELATESTO},
    {NS_WSA, "EndpointReference", E_EPR},
    {NS_WSA, "Address", E_ADDRESS},
    {NS_WSD, "AppSequence", E_APPSEQ},
    {NS_WSD, "Hello", E_HELLO},
    {NS_WSD, "Bye", E_BYE},
    {NS_WSD, "ProbeMatch", E_PROBEMATCH},
    {NS_WSD, "ResolveMatch", E_RESOLVEMATCH},
    {NS_WSD, "Resolve", E_RESOLVE},
    {NS_WSD, "Probe", E_PROBE},
    {NS_WSD, "Types", E_TYPES},
    {NS_WSD, "Scopes", E_SCOPES},
    {NS_WSD, "XAddrs", E_XADDRS},
    {NS_WSD, "MetadataVersion", E_MDVERSION},
    {NS_DPWS, "ThisModel", E_THISMODEL},
    {NS_DPWS, "ThisDevice", E_THISDEVICE},
    {NS_DPWS, "Manufacturer", E_MANUFACTURER},
    {NS_DPWS, "ModelName", E_MODELNAME},
    {NS_DPWS, "ModelNumber", E_MODELNUMBER},
    {NS_DPWS, "FirmwareVersion", E_FIRMWARE},
    {NS_DPWS, "SerialNumber", E_SERIAL},
    {NS_DPWS, "FriendlyName", E_FRIENDLY},
    {NS_DPWS, "Host", E_HOST},
    {NS_DPWS, "Types", E_TYPES},
    {NS_MSG, "OperationHandleRef", E_OPHANDLEREF},
    {NS_MSG, "RequestedNumericValue", E_REQVALUE},
    {NS_MSG, "RequestedStringValue", E_REQVALUE},
    {NS_MSG, "ArgValue", E_ARGVALUE},
    {NS_MSG, "ProposedAlertState", E_PROPOSED_ALERT},
    {NS_MSG, "ProposedMetricState", E_PROPOSED_STATE},
    {NS_MSG, "ProposedComponentState", E_PROPOSED_STATE},
    {NS_MSG, "ProposedContextState", E_PROPOSED_STATE},
    {NS_PM, "MetricValue", E_METRICVALUE},
    {NS_MSG, "TransactionId", E_TRANSACTIONID},
    {NS_MSG, "InvocationState", E_INVSTATE},
    {NS_MSG, "InvocationError", E_INVERROR},
    {NS_MSG, "ReportPart", E_REPORTPART},
    {NS_WSE, "NotifyTo", E_NOTIFYTO},
    {NS_WSE, "EndTo", E_ENDTO},
    {NS_WSE, "Expires", E_EXPIRES},
    {NS_WSE, "Filter", E_FILTER},
    {NS_PM, "Givenname", E_PNAME},
    {NS_PM, "Middlename", E_PNAME},
    {NS_PM, "Familyname", E_PNAME},
    {NS_PM, "Birthname", E_PNAME},
    {NS_PM, "DateOfBirth", E_DOB},
    {NS_PM, "Identification", E_IDENT},
};

/* Set operations whose responses carry a transaction a report follows. */
static const char *const set_ops[] = {
    "SetValue",	      "SetString",	   "Activate",	      "SetAlertState",
    "SetMetricState", "SetComponentState", "SetContextState",
};

#define DISC_KEY 256

struct rctx {
	const struct md_sink *sink;
	uint64_t tx;
	enum sdc_role role;
	xmlTextReaderPtr r;
	uint8_t stack[MD_SDC_MAX_DEPTH + 1];
	int depth;
	unsigned elements, max_elements;
	/* text of the element being captured */
	char *text;
	size_t tlen, max_field;
	bool capturing, truncated;
	/* what the envelope held */
	bool envelope, body_seen, body_child, have_action, is_report,
	    is_set_response;
	int patient_depth; /* depth of a PatientContextState, or -1 */
	uint32_t once;	   /* single fields already reported */
	char action[256];
	char seq[128];
	uint64_t txids[16];
	size_t ntxid;
	char epr[DISC_KEY], xaddrs[DISC_KEY];
	uint64_t events; /* events raised (each once per envelope) */
};

static void ev(struct rctx *c, unsigned id)
{
	if (c->events & (1ull << id))
		return;
	c->events |= 1ull << id;
	c->sink->event(c->sink->ctx, c->tx, id);
}

static void put(struct rctx *c, unsigned f, const char *s, size_t n)
{
	if (c->tx != MD_TX_NONE)
		c->sink->tx_str(c->sink->ctx, c->tx, f, (const uint8_t *)s, n);
}

static void put_once(struct rctx *c, unsigned f, const char *s, size_t n)
{
	uint32_t bit = 1u << (f & 31);
	if (c->once & bit)
		return;
	c->once |= bit;
	put(c, f, s, n);
}

static void put_uint(struct rctx *c, unsigned f, uint64_t v)
{
	if (c->tx != MD_TX_NONE)
		c->sink->tx_uint(c->sink->ctx, c->tx, f, v);
}

/* Parse an unsigned decimal (surrounding blanks allowed); -1 if not one. */
static int parse_uint(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	int n = 0;
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	for (; *s >= '0' && *s <= '9'; s++, n++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	if (!n || *s)
		return -1;
	*out = v;
	return 0;
}

static enum ns ns_of(const xmlChar *uri)
{
	if (!uri)
		return NS_OTHER;
	for (size_t i = 0; i < sizeof(ns_tab) / sizeof(ns_tab[0]); i++)
		if (!strcmp((const char *)uri, ns_tab[i].uri))
			return ns_tab[i].ns;
	return NS_OTHER;
}

static enum el el_of(enum ns ns, const char *local)
{
	if (ns == NS_OTHER || !local)
		return E_OTHER;
	for (size_t i = 0; i < sizeof(el_tab) / sizeof(el_tab[0]); i++)
		if (el_tab[i].ns == ns && !strcmp(local, el_tab[i].local))
			return el_tab[i].el;
	return E_OTHER;
}

static enum el up(const struct rctx *c, int n)
{
	return c->depth - n >= 1 ? (enum el)c->stack[c->depth - n] : E_OTHER;
}

/* Report each blank-separated token of s as field f (and scopes of the
 * sdc.ctxt.loc scheme also as locations). */
static void put_list(struct rctx *c, unsigned f, const char *s)
{
	while (*s) {
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		size_t n = strcspn(s, " \t\r\n");
		if (!n)
			break;
		put(c, f, s, n);
		if (f == SF_SCOPE && n > 13 && !strncmp(s, "sdc.ctxt.loc:", 13))
			put(c, SF_LOCATION, s, n);
		s += n;
	}
}

/* The value of attribute `name` (no namespace) reported as field f. */
static void put_attr(struct rctx *c, unsigned f, const char *name)
{
	xmlChar *v = xmlTextReaderGetAttribute(c->r, (const xmlChar *)name);
	if (!v)
		return;
	size_t n = strlen((const char *)v);
	if (n > c->max_field) {
		n = c->max_field;
		ev(c, SE_FIELD_TOO_LONG);
	}
	put(c, f, (const char *)v, n);
	xmlFree(v);
}

static void put_attr_uint(struct rctx *c, unsigned f, const char *name)
{
	xmlChar *v = xmlTextReaderGetAttribute(c->r, (const xmlChar *)name);
	uint64_t u;
	if (v && parse_uint((const char *)v, &u) == 0)
		put_uint(c, f, u);
	xmlFree(v);
}

static void copy_attr(struct rctx *c, char *dst, size_t cap, const char *name)
{
	xmlChar *v = xmlTextReaderGetAttribute(c->r, (const xmlChar *)name);
	snprintf(dst, cap, "%s", v ? (const char *)v : "");
	xmlFree(v);
}

static bool is_patient_state(struct rctx *c)
{
	xmlChar *t = xmlTextReaderGetAttributeNs(c->r, (const xmlChar *)"type",
						 (const xmlChar *)XSI_NS);
	if (!t)
		return false;
	const char *s = strchr((const char *)t, ':');
	s = s ? s + 1 : (const char *)t;
	bool yes = !strcmp(s, "PatientContextState");
	xmlFree(t);
	return yes;
}

static bool in_set_ops(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof(set_ops) / sizeof(set_ops[0]); i++)
		if (strlen(set_ops[i]) == n && !strncmp(name, set_ops[i], n))
			return true;
	return false;
}

/* The first child of s12:Body: the message name and BICEPS attributes. */
static void body_child(struct rctx *c, enum ns ns, const char *local)
{
	size_t n = strlen(local);
	c->body_child = true;
	put(c, c->role == SDC_ROLE_REQUEST ? SF_MESSAGE : SF_RESP_MESSAGE,
	    local, n);
	if (ns == NS_MSG && !strcmp(local, "OperationInvokedReport"))
		c->is_report = true;
	if (ns == NS_MSG && n > 8 && !strcmp(local + n - 8, "Response") &&
	    in_set_ops(local, n - 8))
		c->is_set_response = true;
	if (ns == NS_MSG) {
		copy_attr(c, c->seq, sizeof(c->seq), "SequenceId");
		if (c->seq[0])
			put(c, SF_SEQUENCE_ID, c->seq, strlen(c->seq));
		put_attr_uint(c, SF_MDIB_VERSION, "MdibVersion");
	}
	/* An SDC or WS-Discovery action names its Body element. */
	const char *a = c->action;
	size_t wl = strlen(WSD_ACTION), sl = strlen(SDC_ACTION);
	if (c->have_action &&
	    (!strncmp(a, WSD_ACTION, wl) || !strncmp(a, SDC_ACTION, sl))) {
		const char *last = strrchr(a, '/');
		if (last && strcmp(last + 1, local) != 0)
			ev(c, SE_ACTION_BODY_MISMATCH);
	}
}

static bool captures(enum el e)
{
	switch (e) {
	case E_VALUE:
	case E_TEXT:
	case E_ACTION:
	case E_TO:
	case E_MESSAGEID:
	case E_RELATESTO:
	case E_ADDRESS:
	case E_TYPES:
	case E_SCOPES:
	case E_XADDRS:
	case E_MDVERSION:
	case E_MANUFACTURER:
	case E_MODELNAME:
	case E_MODELNUMBER:
	case E_FIRMWARE:
	case E_SERIAL:
	case E_FRIENDLY:
	case E_OPHANDLEREF:
	case E_REQVALUE:
	case E_ARGVALUE:
	case E_TRANSACTIONID:
	case E_INVSTATE:
	case E_INVERROR:
	case E_EXPIRES:
	case E_FILTER:
	case E_PNAME:
	case E_DOB:
		return true;
	default:
		return false;
	}
}

/* Attributes and context of a starting element e at depth c->depth. */
static void on_start_attrs(struct rctx *c, enum el e)
{
	switch (e) {
	case E_APPSEQ:
		put_attr_uint(c, SF_INSTANCE_ID, "InstanceId");
		put_attr_uint(c, SF_MESSAGE_NUMBER, "MessageNumber");
		break;
	case E_HELLO:
	case E_BYE:
	case E_PROBEMATCH:
	case E_RESOLVEMATCH:
		c->epr[0] = c->xaddrs[0] = '\0';
		break;
	case E_PROPOSED_ALERT:
	case E_PROPOSED_STATE:
		put_attr(c, SF_STATE_HANDLE, "DescriptorHandle");
		put_attr(c, SF_ACTIVATION, "ActivationState");
		if (e == E_PROPOSED_ALERT)
			put_attr(c, SF_ALERT_PRESENCE, "Presence");
		break;
	case E_METRICVALUE:
		if (up(c, 1) == E_PROPOSED_STATE)
			put_attr(c, SF_REQUESTED_VALUE, "Value");
		break;
	case E_REPORTPART:
		put_attr(c, SF_OPERATION_HANDLE, "OperationHandleRef");
		put_attr(c, SF_OPERATION_TARGET, "OperationTarget");
		break;
	case E_IDENT:
		if (c->patient_depth >= 0)
			put_attr(c, SF_PATIENT_ID, "Extension");
		break;
	default:
		break;
	}
	if (c->patient_depth < 0 && c->depth > 3 && is_patient_state(c))
		c->patient_depth = c->depth;
}

/* Address of an endpoint reference, by where it sits. */
static void on_address(struct rctx *c, const char *t, size_t n)
{
	enum el p = up(c, 1), g = up(c, 2);
	if (p == E_NOTIFYTO) {
		put_once(c, SF_NOTIFY_TO, t, n);
	} else if (p == E_ENDTO) {
		put_once(c, SF_END_TO, t, n);
	} else if (p == E_EPR &&
		   (g == E_HELLO || g == E_BYE || g == E_PROBEMATCH ||
		    g == E_RESOLVEMATCH || g == E_RESOLVE || g == E_HOST)) {
		put(c, SF_EPR, t, n);
		if (g != E_HOST && g != E_RESOLVE)
			snprintf(c->epr, sizeof(c->epr), "%.*s", (int)n, t);
	}
}

static bool discovery_parent(enum el p)
{
	return p == E_HELLO || p == E_BYE || p == E_PROBEMATCH ||
	       p == E_RESOLVEMATCH || p == E_PROBE || p == E_HOST;
}

static void put_txid(struct rctx *c, const char *t)
{
	uint64_t v;
	if (parse_uint(t, &v) != 0)
		return;
	put_uint(c, SF_TRANSACTION_ID, v);
	if (c->ntxid < sizeof(c->txids) / sizeof(c->txids[0]))
		c->txids[c->ntxid++] = v;
}

/* The text of element e (t, n bytes, NUL-terminated) is complete. */
static void on_text(struct rctx *c, enum el e, const char *t, size_t n)
{
	bool req = c->role == SDC_ROLE_REQUEST;
	bool hdr = up(c, 1) == E_HEADER;
	enum el p = up(c, 1);
	uint64_t v;
	switch (e) {
	case E_ACTION:
		if (!hdr)
			break;
		c->have_action = true;
		snprintf(c->action, sizeof(c->action), "%s", t);
		put_once(c, req ? SF_ACTION : SF_RESP_ACTION, t, n);
		break;
	case E_TO:
		if (hdr && req)
			put_once(c, SF_TO, t, n);
		break;
	case E_MESSAGEID:
		if (hdr)
			put_once(c, req ? SF_MESSAGE_ID : SF_RESP_MESSAGE_ID, t,
				 n);
		break;
	case E_RELATESTO:
		if (hdr)
			put_once(c, req ? SF_RELATES_TO : SF_RESP_RELATES_TO, t,
				 n);
		break;
	case E_ADDRESS:
		on_address(c, t, n);
		break;
	case E_TYPES:
		if (discovery_parent(p))
			put_list(c, SF_TYPES, t);
		break;
	case E_SCOPES:
		if (discovery_parent(p))
			put_list(c, SF_SCOPE, t);
		break;
	case E_XADDRS:
		if (!discovery_parent(p))
			break;
		put_list(c, SF_XADDRS, t);
		snprintf(c->xaddrs, sizeof(c->xaddrs), "%s", t);
		break;
	case E_MDVERSION:
		if (parse_uint(t, &v) == 0)
			put_uint(c, SF_METADATA_VERSION, v);
		break;
	case E_VALUE:
		if (p == E_CODE && up(c, 2) == E_FAULT)
			put_once(c, SF_FAULT_CODE, t, n);
		break;
	case E_TEXT:
		if (p == E_REASON && up(c, 2) == E_FAULT)
			put_once(c, SF_FAULT_REASON, t, n);
		break;
	default:
		break;
	}
}

/* Text of the device, operation and subscription elements. */
static void on_text2(struct rctx *c, enum el e, const char *t, size_t n)
{
	enum el p = up(c, 1);
	switch (e) {
	case E_MANUFACTURER:
	case E_MODELNAME:
	case E_MODELNUMBER:
		if (p != E_THISMODEL)
			break;
		put_once(c,
			 e == E_MANUFACTURER ? SF_MANUFACTURER
			 : e == E_MODELNAME  ? SF_MODEL
					     : SF_MODEL_NUMBER,
			 t, n);
		break;
	case E_FIRMWARE:
	case E_SERIAL:
	case E_FRIENDLY:
		if (p != E_THISDEVICE)
			break;
		put_once(c,
			 e == E_FIRMWARE ? SF_FIRMWARE
			 : e == E_SERIAL ? SF_SERIAL
					 : SF_FRIENDLY_NAME,
			 t, n);
		break;
	case E_OPHANDLEREF:
		put(c, SF_OPERATION_HANDLE, t, n);
		break;
	case E_REQVALUE:
	case E_ARGVALUE:
		put(c, SF_REQUESTED_VALUE, t, n);
		break;
	case E_TRANSACTIONID:
		put_txid(c, t);
		break;
	case E_INVSTATE:
		put(c, SF_INVOCATION_STATE, t, n);
		break;
	case E_INVERROR:
		put(c, SF_INVOCATION_ERROR, t, n);
		break;
	case E_EXPIRES:
		put_once(c, SF_EXPIRES, t, n);
		break;
	case E_FILTER:
		put_list(c, SF_FILTER, t);
		break;
	case E_PNAME:
		if (c->patient_depth >= 0)
			put(c, SF_PATIENT_NAME, t, n);
		break;
	case E_DOB:
		if (c->patient_depth >= 0)
			put_once(c, SF_PATIENT_BIRTH, t, n);
		break;
	default:
		on_text(c, e, t, n);
		break;
	}
}

/* A discovery message about one endpoint ended: compare its XAddrs with
 * the ones known for that endpoint reference. */
static void on_discovery_end(struct rctx *c, enum el e)
{
	char prev[MD_SDC_KEY_MAX];
	if (!c->epr[0] || c->tx == MD_TX_NONE)
		return;
	if (sdc_state_epr(c->epr, c->xaddrs, e == E_BYE, prev, sizeof(prev))) {
		ev(c, SE_EPR_ADDRESS_CHANGED);
		put(c, SF_PREVIOUS_XADDRS, prev, strlen(prev));
	}
}

static void text_add(struct rctx *c, const xmlChar *v)
{
	size_t n = v ? strlen((const char *)v) : 0;
	size_t room = c->max_field - c->tlen;
	if (n > room) {
		n = room;
		if (!c->truncated)
			ev(c, SE_FIELD_TOO_LONG);
		c->truncated = true;
	}
	memcpy(c->text + c->tlen, v, n);
	c->tlen += n;
	c->text[c->tlen] = '\0';
}

/* An element ends (its own end tag, or at once when empty). */
static void on_end(struct rctx *c)
{
	enum el e = up(c, 0);
	if (c->capturing) {
		c->capturing = false;
		on_text2(c, e, c->text, c->tlen);
	}
	if (e == E_HELLO || e == E_BYE || e == E_PROBEMATCH ||
	    e == E_RESOLVEMATCH)
		on_discovery_end(c, e);
	if (c->patient_depth == c->depth)
		c->patient_depth = -1;
	c->depth--;
}

/* An element starts. Returns MD_E_LIMIT/MD_E_INVAL to stop reading. */
static int on_start(struct rctx *c)
{
	const char *local = (const char *)xmlTextReaderConstLocalName(c->r);
	enum ns ns = ns_of(xmlTextReaderConstNamespaceUri(c->r));
	enum el e = el_of(ns, local);
	if (++c->elements > c->max_elements) {
		ev(c, SE_XML_TOO_MANY_ELEMENTS);
		return MD_E_LIMIT;
	}
	if (c->depth >= MD_SDC_MAX_DEPTH) {
		ev(c, SE_XML_TOO_DEEP);
		return MD_E_LIMIT;
	}
	if (c->depth == 0) {
		if (e != E_ENVELOPE) {
			ev(c, SE_NOT_SOAP_ENVELOPE);
			return MD_E_INVAL;
		}
		c->envelope = true;
	}
	if (c->depth == 1 && e == E_BODY)
		c->body_seen = true;
	if (c->depth == 2 && up(c, 0) == E_BODY && !c->body_child && local)
		body_child(c, ns, local);
	c->stack[++c->depth] = (uint8_t)e;
	on_start_attrs(c, e);
	if (captures(e)) {
		c->capturing = true;
		c->truncated = false;
		c->tlen = 0;
		c->text[0] = '\0';
	}
	if (xmlTextReaderIsEmptyElement(c->r))
		on_end(c);
	return 0;
}

static void noerr(void *arg, const char *msg, xmlParserSeverities sev,
		  xmlTextReaderLocatorPtr loc)
{
	(void)arg;
	(void)msg;
	(void)sev;
	(void)loc;
}

/* Walk the document. Returns 0, 1 (not well-formed), MD_E_INVAL or
 * MD_E_LIMIT. */
static int walk(struct rctx *c)
{
	int rc;
	while ((rc = xmlTextReaderRead(c->r)) == 1) {
		int t = xmlTextReaderNodeType(c->r);
		int err = 0;
		switch (t) {
		case XML_READER_TYPE_ELEMENT:
			err = on_start(c);
			break;
		case XML_READER_TYPE_END_ELEMENT:
			if (c->depth > 0)
				on_end(c);
			break;
		case XML_READER_TYPE_TEXT:
		case XML_READER_TYPE_CDATA:
		case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
			if (c->capturing)
				text_add(c, xmlTextReaderConstValue(c->r));
			break;
		case XML_READER_TYPE_DOCUMENT_TYPE:
		case XML_READER_TYPE_ENTITY_REFERENCE:
		case XML_READER_TYPE_ENTITY:
			ev(c, SE_XML_DOCTYPE);
			err = MD_E_INVAL;
			break;
		default:
			break;
		}
		if (err)
			return err;
	}
	return rc < 0 ? 1 : 0; /* 1: not well-formed, reported by the caller */
}

/* After the walk: envelope shape, the message name, the Set/report
 * bookkeeping across messages. */
static void finish(struct rctx *c, int rc)
{
	if (rc == 0 && (!c->envelope || !c->body_seen)) {
		ev(c, SE_NOT_SOAP_ENVELOPE);
		return;
	}
	if (!c->envelope)
		return;
	if (!c->have_action && rc == 0)
		ev(c, SE_MISSING_ACTION);
	if (c->have_action && !c->body_child && rc == 0) {
		const char *last = strrchr(c->action, '/');
		last = last ? last + 1 : c->action;
		put(c,
		    c->role == SDC_ROLE_REQUEST ? SF_MESSAGE : SF_RESP_MESSAGE,
		    last, strlen(last));
	}
	if (!c->seq[0] || rc != 0)
		return;
	for (size_t i = 0; i < c->ntxid; i++) {
		if (c->is_report)
			sdc_state_report(c->seq, c->txids[i]);
		else if (c->is_set_response)
			sdc_state_set_response(c->seq, c->txids[i]);
	}
	uint64_t late[8];
	size_t n = sdc_state_tick(c->seq, late, 8);
	if (n)
		ev(c, SE_SET_WITHOUT_REPORT);
	for (size_t i = 0; i < n; i++)
		put_uint(c, SF_UNREPORTED_TXID, late[i]);
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
	xmlInitParser();
}

int sdc_soap_read(const uint8_t *body, size_t len, enum sdc_role role,
		  uint64_t tx, const struct md_sink *sink,
		  const struct md_limits *lim)
{
	struct rctx c = {.sink = sink, .tx = tx, .role = role};
	c.patient_depth = -1;
	if (len > lim->max_pdu) {
		ev(&c, SE_XML_TOO_LARGE);
		return MD_E_LIMIT;
	}
	if (len > INT32_MAX || !body) {
		ev(&c, SE_MALFORMED_SOAP);
		return MD_E_INVAL;
	}
	pthread_once(&xml_once, xml_init);
	c.max_field = lim->max_field ? lim->max_field : 1;
	c.max_elements = (lim->max_items ? lim->max_items : 1) *
			 (unsigned)MD_SDC_ELEMENTS_PER_ITEM;
	c.text = md_malloc(c.max_field + 1);
	if (!c.text)
		return MD_E_NOMEM;
	/* No NOENT (no entity substitution), no DTDLOAD/DTDATTR/DTDVALID,
	 * no XINCLUDE, no HUGE: libxml2's own size guards stay on. */
	int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
		   XML_PARSE_NOBLANKS | XML_PARSE_NOCDATA;
	c.r =
	    xmlReaderForMemory((const char *)body, (int)len, NULL, NULL, opts);
	if (!c.r) {
		md_free(c.text);
		ev(&c, SE_MALFORMED_SOAP);
		return MD_E_INVAL;
	}
	xmlTextReaderSetErrorHandler(c.r, noerr, NULL);
	int rc = walk(&c);
	/* A DOCTYPE the reader failed in before reporting its node. */
	xmlDocPtr doc = xmlTextReaderCurrentDoc(c.r);
	if (rc == 1) {
		ev(&c,
		   doc && doc->intSubset ? SE_XML_DOCTYPE : SE_MALFORMED_SOAP);
		rc = MD_E_INVAL;
	}
	finish(&c, rc);
	xmlFreeTextReader(c.r);
	xmlFreeDoc(doc);
	md_free(c.text);
	return rc;
}

int md_sdc_soap(const uint8_t *body, size_t len, enum md_dir dir, uint64_t tx,
		const struct md_sink *sink, const struct md_limits *lim)
{
	static const char http[] = "http";
	if (tx != MD_TX_NONE && dir == MD_DIR_TOSERVER)
		sink->tx_str(sink->ctx, tx, SF_TRANSPORT, (const uint8_t *)http,
			     sizeof(http) - 1);
	return sdc_soap_read(body, len,
			     dir == MD_DIR_TOCLIENT ? SDC_ROLE_RESPONSE
						    : SDC_ROLE_REQUEST,
			     tx, sink, lim);
}
