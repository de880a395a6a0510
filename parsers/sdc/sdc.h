/* sdc.h - IEEE 11073 SDC (20701/20702, MDPWS over DPWS): field and event
 * tables shared by the WS-Discovery datagram parser (sdc.c), the SOAP
 * reader (sdc-soap.c) and the cross-message tables (sdc-state.c).
 *
 * Normative references: IEEE 11073-20701-2018 (SDC service binding),
 * IEEE 11073-20702-2016 (MDPWS), IEEE 11073-10207-2017 (BICEPS messages),
 * OASIS WS-Discovery 1.1 and DPWS 1.1, W3C SOAP 1.2 and WS-Addressing 1.0,
 * W3C WS-Eventing (2004/08 submission).
 */
#ifndef MD_SDC_H
#define MD_SDC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "md-parser.h"
#include "sdc-soap.h"

/* Deepest element nesting read (GetMdibResponse nests about 12). */
#define MD_SDC_MAX_DEPTH 64
/* Elements per envelope: this many times app-layer.max-items. */
#define MD_SDC_ELEMENTS_PER_ITEM 64

enum sdc_field {
	SF_TRANSPORT,
	SF_ACTION,
	SF_MESSAGE,
	SF_TO,
	SF_MESSAGE_ID,
	SF_RELATES_TO,
	SF_RESP_ACTION,
	SF_RESP_MESSAGE,
	SF_RESP_MESSAGE_ID,
	SF_RESP_RELATES_TO,
	SF_FAULT_CODE,
	SF_FAULT_REASON,
	SF_EPR,
	SF_TYPES,
	SF_SCOPE,
	SF_LOCATION,
	SF_XADDRS,
	SF_PREVIOUS_XADDRS,
	SF_METADATA_VERSION,
	SF_INSTANCE_ID,
	SF_MESSAGE_NUMBER,
	SF_MANUFACTURER,
	SF_MODEL,
	SF_MODEL_NUMBER,
	SF_FIRMWARE,
	SF_SERIAL,
	SF_FRIENDLY_NAME,
	SF_OPERATION_HANDLE,
	SF_OPERATION_TARGET,
	SF_REQUESTED_VALUE,
	SF_STATE_HANDLE,
	SF_ACTIVATION,
	SF_ALERT_PRESENCE,
	SF_TRANSACTION_ID,
	SF_INVOCATION_STATE,
	SF_INVOCATION_ERROR,
	SF_UNREPORTED_TXID,
	SF_SEQUENCE_ID,
	SF_MDIB_VERSION,
	SF_NOTIFY_TO,
	SF_END_TO,
	SF_EXPIRES,
	SF_FILTER,
	SF_PATIENT_NAME,
	SF_PATIENT_ID,
	SF_PATIENT_BIRTH,
	SF_MAX
};

enum sdc_event {
	SE_MALFORMED_SOAP,
	SE_NOT_SOAP_ENVELOPE,
	SE_MISSING_ACTION,
	SE_XML_DOCTYPE,
	SE_XML_TOO_DEEP,
	SE_XML_TOO_MANY_ELEMENTS,
	SE_XML_TOO_LARGE,
	SE_FIELD_TOO_LONG,
	SE_SET_WITHOUT_REPORT,
	SE_EPR_ADDRESS_CHANGED,
	SE_ACTION_BODY_MISMATCH,
	SE_MAX
};

extern const struct md_field_def sdc_fields[SF_MAX];
extern const struct md_event_def sdc_events[SE_MAX];

/* Which message fields a SOAP message fills: the request (or a datagram)
 * or the response of an HTTP exchange. */
enum sdc_role {
	SDC_ROLE_REQUEST = 0,
	SDC_ROLE_RESPONSE = 1,
};

/* Read one SOAP envelope and report its facts on tx (see md_sdc_soap). */
int sdc_soap_read(const uint8_t *body, size_t len, enum sdc_role role,
		  uint64_t tx, const struct md_sink *sink,
		  const struct md_limits *lim);

/* ---- cross-message state (sdc-state.c) ---- */

/* Bounds of the process-wide tables (documented in doc/sdc.md). */
#define MD_SDC_EPR_SLOTS     512 /* endpoint references remembered */
#define MD_SDC_TXN_SLOTS     256 /* Set responses awaiting a report */
#define MD_SDC_SEQ_SLOTS     64	 /* MDIB sequences that sent reports */
#define MD_SDC_REPORT_WINDOW 16	 /* messages of a sequence to wait */
#define MD_SDC_KEY_MAX	     256 /* longest EPR / XAddrs kept */

/* A discovery message about endpoint `epr` advertising `xaddrs` (may be
 * empty). Returns 1 and copies the previously known XAddrs into prev
 * (NUL-terminated, truncated to prevlen) when they differ from the ones
 * known for epr, else 0. bye removes the entry when nothing changed. */
int sdc_state_epr(const char *epr, const char *xaddrs, bool bye, char *prev,
		  size_t prevlen);

/* A Set/Activate response with transaction id txid in MDIB sequence seq. */
void sdc_state_set_response(const char *seq, uint64_t txid);

/* An OperationInvokedReport for txid in sequence seq. */
void sdc_state_report(const char *seq, uint64_t txid);

/* A message of sequence seq was seen: ages the pending Set responses of seq
 * and stores in out (at most n) the transaction ids whose report window
 * ran out in a sequence known to send reports. Returns how many. */
size_t sdc_state_tick(const char *seq, uint64_t *out, size_t n);

/* Forget everything (tests). */
void sdc_state_reset(void);

#endif
