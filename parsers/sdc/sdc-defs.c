/* sdc-defs.c - SDC tables: rule keywords and EVE keys (one field table)
 * and events, shared by WS-Discovery datagrams and SOAP over HTTP.
 *
 * Normative references: IEEE 11073-20701-2018, IEEE 11073-10207-2017
 * (BICEPS), OASIS WS-Discovery 1.1, DPWS 1.1, W3C WS-Addressing 1.0.
 *
 *   sdc record (EVE)                    source element
 *   ----------------                    --------------
 *   action, to, message_id, relates_to  wsa:Action/To/MessageID/RelatesTo
 *   message                             first child of s12:Body
 *   epr, types, scopes, xaddrs          wsd:Hello/Bye/ProbeMatch/...
 *   device.manufacturer, .model, ...    dpws:ThisModel / dpws:ThisDevice
 *   operation_handles, requested_values msg:SetValue/SetString/Activate/..
 *   transaction_ids, invocation_states  msg:InvocationInfo
 *   response.action, response.message   the reply of an HTTP exchange
 */
#include "sdc.h"

#define BOTH MD_DIR_BOTH
#define P    0
#define M    MD_FF_MULTI
#define NK   MD_FF_NOKEYWORD
#define PHI  (MD_FF_PHI | MD_FF_NOKEYWORD)

/* clang-format off */
const struct md_field_def sdc_fields[SF_MAX] = {
	[SF_TRANSPORT] = {"transport", NULL, MD_FT_STR, BOTH, 0, -1, P, "udp (WS-Discovery) or http (SOAP in an HTTP body)"},
	[SF_ACTION] = {"action", NULL, MD_FT_STR, BOTH, 0, -1, P, "wsa:Action of the datagram or HTTP request"},
	[SF_MESSAGE] = {"message", NULL, MD_FT_STR, BOTH, 0, -1, P, "local name of the first s12:Body child (Hello, SetValue, ...), else the last segment of the action"},
	[SF_TO] = {"to", NULL, MD_FT_STR, BOTH, 0, -1, P, "wsa:To"},
	[SF_MESSAGE_ID] = {"message_id", NULL, MD_FT_STR, BOTH, 0, -1, P, "wsa:MessageID"},
	[SF_RELATES_TO] = {"relates_to", NULL, MD_FT_STR, BOTH, 0, -1, P, "wsa:RelatesTo (ProbeMatches, ResolveMatches)"},
	[SF_RESP_ACTION] = {"response_action", "response.action", MD_FT_STR, BOTH, 0, -1, P, "wsa:Action of the HTTP response"},
	[SF_RESP_MESSAGE] = {"response_message", "response.message", MD_FT_STR, BOTH, 0, -1, P, "first s12:Body child of the HTTP response"},
	[SF_RESP_MESSAGE_ID] = {"response_message_id", "response.message_id", MD_FT_STR, BOTH, NK, -1, P, "wsa:MessageID of the HTTP response"},
	[SF_RESP_RELATES_TO] = {"response_relates_to", "response.relates_to", MD_FT_STR, BOTH, NK, -1, P, "wsa:RelatesTo of the HTTP response"},
	[SF_FAULT_CODE] = {"fault_code", "fault.code", MD_FT_STR, BOTH, 0, -1, P, "s12:Fault s12:Code/s12:Value and subcodes"},
	[SF_FAULT_REASON] = {"fault_reason", "fault.reason", MD_FT_STR, BOTH, 0, -1, P, "s12:Fault s12:Reason/s12:Text"},
	[SF_EPR] = {"epr", "epr", MD_FT_STR, BOTH, M, -1, P, "endpoint reference address (wsa:EndpointReference/wsa:Address) of a discovered or hosting device"},
	[SF_TYPES] = {"types", "types", MD_FT_STR, BOTH, M, -1, P, "wsd:Types / dpws:Types QNames"},
	[SF_SCOPE] = {"scope", "scopes", MD_FT_STR, BOTH, M, -1, P, "wsd:Scopes, one URI each"},
	[SF_LOCATION] = {"location", "location", MD_FT_STR, BOTH, M, -1, P, "scopes of scheme sdc.ctxt.loc (patient location)"},
	[SF_XADDRS] = {"xaddrs", "xaddrs", MD_FT_STR, BOTH, M, -1, P, "wsd:XAddrs, one transport address each"},
	[SF_PREVIOUS_XADDRS] = {"previous_xaddrs", "previous_xaddrs", MD_FT_STR, BOTH, 0, -1, P, "XAddrs known for the endpoint before this Hello/Bye/match changed them"},
	[SF_METADATA_VERSION] = {"metadata_version", "metadata_version", MD_FT_UINT, BOTH, 0, -1, P, "wsd:MetadataVersion"},
	[SF_INSTANCE_ID] = {"instance_id", "app_sequence.instance_id", MD_FT_UINT, BOTH, 0, -1, P, "wsd:AppSequence InstanceId"},
	[SF_MESSAGE_NUMBER] = {"message_number", "app_sequence.message_number", MD_FT_UINT, BOTH, NK, -1, P, "wsd:AppSequence MessageNumber"},
	[SF_MANUFACTURER] = {"manufacturer", "device.manufacturer", MD_FT_STR, BOTH, 0, -1, P, "dpws:ThisModel/dpws:Manufacturer"},
	[SF_MODEL] = {"model", "device.model", MD_FT_STR, BOTH, 0, -1, P, "dpws:ThisModel/dpws:ModelName"},
	[SF_MODEL_NUMBER] = {"model_number", "device.model_number", MD_FT_STR, BOTH, 0, -1, P, "dpws:ThisModel/dpws:ModelNumber"},
	[SF_FIRMWARE] = {"firmware", "device.firmware", MD_FT_STR, BOTH, 0, -1, P, "dpws:ThisDevice/dpws:FirmwareVersion"},
	[SF_SERIAL] = {"serial_number", "device.serial_number", MD_FT_STR, BOTH, 0, -1, P, "dpws:ThisDevice/dpws:SerialNumber"},
	[SF_FRIENDLY_NAME] = {"friendly_name", "device.friendly_name", MD_FT_STR, BOTH, NK, -1, P, "dpws:ThisDevice/dpws:FriendlyName"},
	[SF_OPERATION_HANDLE] = {"operation_handle", "operation_handles", MD_FT_STR, BOTH, M, -1, P, "msg:OperationHandleRef of a Set/Activate request, OperationHandleRef of each report part"},
	[SF_OPERATION_TARGET] = {"operation_target", "operation_targets", MD_FT_STR, BOTH, M, -1, P, "OperationTarget of each OperationInvokedReport part"},
	[SF_REQUESTED_VALUE] = {"requested_value", "requested_values", MD_FT_STR, BOTH, M, -1, P, "RequestedNumericValue, RequestedStringValue, Activate ArgValue, proposed metric value"},
	[SF_STATE_HANDLE] = {"state_handle", "state_handles", MD_FT_STR, BOTH, M, -1, P, "DescriptorHandle of each proposed state (SetAlertState, SetMetricState, SetComponentState, SetContextState)"},
	[SF_ACTIVATION] = {"activation", "activations", MD_FT_STR, BOTH, M, -1, P, "ActivationState of each proposed state (On, Off, Psd, ...)"},
	[SF_ALERT_PRESENCE] = {"alert_presence", "alert_presences", MD_FT_STR, BOTH, M, -1, P, "Presence of each proposed alert state (On, Off, Latch, Ack, true, false)"},
	[SF_TRANSACTION_ID] = {"transaction_id", "transaction_ids", MD_FT_UINT, BOTH, M, -1, P, "msg:InvocationInfo/msg:TransactionId"},
	[SF_INVOCATION_STATE] = {"invocation_state", "invocation_states", MD_FT_STR, BOTH, M, -1, P, "msg:InvocationInfo/msg:InvocationState (Wait, Start, Fin, Fail, ...)"},
	[SF_INVOCATION_ERROR] = {"invocation_error", "invocation_errors", MD_FT_STR, BOTH, M, -1, P, "msg:InvocationInfo/msg:InvocationError"},
	[SF_UNREPORTED_TXID] = {"unreported_transaction_id", "unreported_transaction_ids", MD_FT_UINT, BOTH, M, -1, P, "transaction ids of Set responses no OperationInvokedReport followed (event set_without_report)"},
	[SF_SEQUENCE_ID] = {"sequence_id", "sequence_id", MD_FT_STR, BOTH, NK, -1, P, "MDIB SequenceId of a BICEPS message"},
	[SF_MDIB_VERSION] = {"mdib_version", "mdib_version", MD_FT_UINT, BOTH, NK, -1, P, "MdibVersion of a BICEPS message"},
	[SF_NOTIFY_TO] = {"notify_to", "subscription.notify_to", MD_FT_STR, BOTH, 0, -1, P, "wse:Subscribe wse:NotifyTo address (where notifications go)"},
	[SF_END_TO] = {"end_to", "subscription.end_to", MD_FT_STR, BOTH, NK, -1, P, "wse:Subscribe wse:EndTo address"},
	[SF_EXPIRES] = {"expires", "subscription.expires", MD_FT_STR, BOTH, NK, -1, P, "wse:Expires of Subscribe/Renew or their responses"},
	[SF_FILTER] = {"filter", "subscription.filter", MD_FT_STR, BOTH, M, -1, P, "wse:Filter actions, one each"},
	[SF_PATIENT_NAME] = {"patient_name", "patient.names", MD_FT_STR, BOTH, M | PHI, -1, P, "pm:Givenname, Middlename, Familyname, Birthname of a PatientContextState"},
	[SF_PATIENT_ID] = {"patient_id", "patient.ids", MD_FT_STR, BOTH, M | PHI, -1, P, "pm:Identification Extension of a PatientContextState"},
	[SF_PATIENT_BIRTH] = {"patient_birth_date", "patient.birth_date", MD_FT_STR, BOTH, PHI, -1, P, "pm:DateOfBirth of a PatientContextState"},
};

const struct md_event_def sdc_events[SE_MAX] = {
	[SE_MALFORMED_SOAP] = {"malformed_soap", "the XML is not well-formed or ends early"},
	[SE_NOT_SOAP_ENVELOPE] = {"not_soap_envelope", "well-formed XML whose root is not a SOAP 1.2 Envelope with a Body"},
	[SE_MISSING_ACTION] = {"missing_action", "a SOAP envelope without a wsa:Action header"},
	[SE_XML_DOCTYPE] = {"xml_doctype", "a DOCTYPE (DTD, entity declarations) in a SOAP message: SOAP 1.2 forbids it; reading stops"},
	[SE_XML_TOO_DEEP] = {"xml_too_deep", "elements nested deeper than 64"},
	[SE_XML_TOO_MANY_ELEMENTS] = {"xml_too_many_elements", "more elements than 64 x app-layer.max-items"},
	[SE_XML_TOO_LARGE] = {"xml_too_large", "an envelope larger than app-layer.max-pdu (not read)"},
	[SE_FIELD_TOO_LONG] = {"field_too_long", "a value longer than app-layer.max-field (kept truncated)"},
	[SE_SET_WITHOUT_REPORT] = {"set_without_report", "a Set/Activate response whose transaction no OperationInvokedReport followed within 16 messages of its MDIB sequence"},
	[SE_EPR_ADDRESS_CHANGED] = {"epr_address_changed", "a Hello, Bye or match gives a known endpoint reference other XAddrs"},
	[SE_ACTION_BODY_MISMATCH] = {"action_body_mismatch", "a WS-Discovery action whose Body holds another message"},
};
/* clang-format on */
