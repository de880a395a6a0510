/* x73-defs.c - IEEE 11073-20601 tables: rule keywords and EVE keys (one
 * field table), events, names of APDU and DATA-apdu choices, association
 * results, event and action types, and the standard configurations whose
 * observation layout the parser knows.
 *
 * Normative reference: ISO/IEEE 11073-20601:2010 annex A (ASN.1), annex F
 * (MDER), ISO/IEEE 11073-10101 (nomenclature); the standard
 * configurations of ISO/IEEE 11073-10404 (pulse oximeter, 400/401),
 * -10407 (blood pressure, 700), -10415 (weighing scale, 1500) and -10417
 * (glucose meter, 1700), as their agents send them.
 *
 *   standard configuration = { object: handle, class, type, unit,
 *                              attribute-value-map (attribute id, length) }
 *   a fixed scan report observation is the attribute values of the map,
 *   concatenated in map order.
 */
#include <string.h>

#include "x73.h"

#define BOTH MD_DIR_BOTH
#define P    0
#define NK   MD_FF_NOKEYWORD
#define MU   MD_FF_MULTI
#define STR  MD_FT_STR
#define UINT MD_FT_UINT
#define GRP  MD_FT_GROUP

/* clang-format off */
const struct md_field_def x73_fields[XF_MAX] = {
	[XF_APDU] = {"apdu", "apdu", STR, BOTH, MU, -1, P, "APDU choices of the transaction: aarq, aare, rlrq, rlre, abrt, prst"},
	[XF_DATA_CHOICE] = {"data_choice", "data_choice", STR, BOTH, MU, -1, P, "DATA-apdu choices: roiv-get, rors-get, roiv-confirmed-event-report, ..."},
	[XF_INVOKER] = {"invoker", "invoker", STR, BOTH, 0, -1, P, "role of the side that opened the transaction: agent, manager or unknown"},
	[XF_INVOKE_ID] = {"invoke_id", "invoke_id", UINT, BOTH, 0, -1, P, "DATA-apdu invoke-id"},
	[XF_SYSTEM_ID] = {"system_id", "system_id", STR, BOTH, 0, -1, P, "agent system-id (EUI-64, hex) from the AARQ or the MDS attribute"},
	[XF_DEV_CONFIG_ID] = {"dev_config_id", "dev_config_id", UINT, BOTH, 0, -1, P, "dev-config-id from the AARQ, the MDS attribute or a configuration report"},
	[XF_ASSOC_VERSION] = {"assoc_version", "association.version", UINT, BOTH, NK, -1, P, "AARQ assoc-version"},
	[XF_DATA_PROTO_ID] = {"data_proto_id", "association.data_proto_id", UINT, BOTH, NK, -1, P, "data protocol (20601 = 0x5079)"},
	[XF_PROTOCOL_VERSION] = {"protocol_version", "association.protocol_version", UINT, BOTH, NK, -1, P, "PhdAssociationInformation protocol-version"},
	[XF_ENCODING_RULES] = {"encoding_rules", "association.encoding_rules", UINT, BOTH, NK, -1, P, "encoding-rules (0x8000 MDER)"},
	[XF_NOMENCLATURE_VERSION] = {"nomenclature_version", "association.nomenclature_version", UINT, BOTH, NK, -1, P, "nomenclature-version"},
	[XF_FUNCTIONAL_UNITS] = {"functional_units", "association.functional_units", UINT, BOTH, NK, -1, P, "functional-units"},
	[XF_SYSTEM_TYPE] = {"system_type", "association.system_type", STR, BOTH, NK, -1, P, "system-type of the AARQ sender: agent or manager"},
	[XF_DATA_REQ_MODE_FLAGS] = {"data_req_mode_flags", "association.data_req_mode_flags", UINT, BOTH, NK, -1, P, "data-req-mode-capab flags"},
	[XF_AARE_RESULT] = {"aare_result", "association.result", UINT, BOTH, 0, -1, P, "AARE result (0 accepted, 1 rejected-permanent, ...)"},
	[XF_AARE_RESULT_NAME] = {"aare_result_name", "association.result_name", STR, BOTH, NK, -1, P, "AARE result by name"},
	[XF_MANAGER_SYSTEM_ID] = {"manager_system_id", "association.manager_system_id", STR, BOTH, NK, -1, P, "manager system-id from the AARE (hex)"},
	[XF_RLRQ_REASON] = {"release_request_reason", "release.request_reason", UINT, BOTH, NK, -1, P, "RLRQ reason"},
	[XF_RLRE_REASON] = {"release_response_reason", "release.response_reason", UINT, BOTH, NK, -1, P, "RLRE reason"},
	[XF_ABORT_REASON] = {"abort_reason", "abort_reason", UINT, BOTH, 0, -1, P, "ABRT reason (0 undefined, 1 buffer-overflow, 2 response-timeout, 3 configuration-timeout)"},
	[XF_OBJ_HANDLE] = {"obj_handle", "obj_handle", UINT, BOTH, NK, -1, P, "object handle the operation addresses (0: the MDS)"},
	[XF_EVENT_TIME] = {"event_time", "event_time", UINT, BOTH, NK, -1, P, "event report relative time (1/8 ms; 0xFFFFFFFF none)"},
	[XF_EVENT_TYPE] = {"event_type", "event_type", UINT, BOTH, 0, -1, P, "event report type (MDC_NOTI_CONFIG 3356, MDC_NOTI_SCAN_REPORT_FIXED 3357, ...)"},
	[XF_EVENT_TYPE_NAME] = {"event_type_name", "event_type_name", STR, BOTH, NK, -1, P, "event type by name"},
	[XF_ACTION_TYPE] = {"action_type", "action.type", UINT, BOTH, 0, -1, P, "action type (MDC_ACT_SET_TIME 3095, MDC_ACT_DATA_REQUEST 3099, ...)"},
	[XF_ACTION_TYPE_NAME] = {"action_type_name", "action.name", STR, BOTH, NK, -1, P, "action type by name"},
	[XF_ACTION_TIME] = {"action_time", "action.time", STR, BOTH, NK, -1, P, "set-time argument"},
	[XF_ACTION_SEGMENT] = {"action_segment", "action.segment", UINT, BOTH, NK, -1, P, "segment of a segment transfer trigger"},
	[XF_ATTRIBUTE_IDS] = {"attribute_ids", "attribute_ids", UINT, BOTH, MU | NK, -1, P, "attribute ids asked (Get), set (Set) or returned"},
	[XF_MANUFACTURER] = {"manufacturer", "mds.manufacturer", STR, BOTH, 0, -1, P, "MDC_ATTR_ID_MODEL manufacturer"},
	[XF_MODEL] = {"model", "mds.model", STR, BOTH, 0, -1, P, "MDC_ATTR_ID_MODEL model-number"},
	[XF_SERIAL] = {"serial_number", "mds.serial_number", STR, BOTH, NK, -1, P, "MDC_ATTR_ID_PROD_SPECN serial-number"},
	[XF_HW_REVISION] = {"hw_revision", "mds.hw_revision", STR, BOTH, NK, -1, P, "MDC_ATTR_ID_PROD_SPECN hw-revision"},
	[XF_SW_REVISION] = {"sw_revision", "mds.sw_revision", STR, BOTH, NK, -1, P, "MDC_ATTR_ID_PROD_SPECN sw-revision"},
	[XF_FIRMWARE] = {"firmware", "mds.firmware", STR, BOTH, 0, -1, P, "MDC_ATTR_ID_PROD_SPECN fw-revision"},
	[XF_SPECIALIZATIONS] = {"specializations", "mds.specializations", UINT, BOTH, MU | NK, -1, P, "MDC_ATTR_SYS_TYPE_SPEC_LIST types (4100 pulse oximeter, ...)"},
	[XF_MDS_TIME] = {"mds_time", "mds.time", STR, BOTH, NK, -1, P, "MDC_ATTR_TIME_ABS"},
	[XF_CONFIG_REPORT_ID] = {"config_report_id", "config.report_id", UINT, BOTH, NK, -1, P, "configuration report id"},
	[XF_CONFIG_RESULT] = {"config_result", "config.result", UINT, BOTH, NK, -1, P, "configuration report result (0 accepted-config)"},
	[XF_CONFIG_OBJECTS] = {"config_objects", "config_objects", GRP, BOTH, NK, -1, P, "objects of a configuration report"},
	[XF_CO_HANDLE] = {"co_handle", "handle", UINT, BOTH, NK, XF_CONFIG_OBJECTS, P, "object handle"},
	[XF_CO_CLASS] = {"co_class", "class", UINT, BOTH, NK, XF_CONFIG_OBJECTS, P, "object class (6 numeric, ...)"},
	[XF_CO_TYPE] = {"co_type", "type", UINT, BOTH, NK, XF_CONFIG_OBJECTS, P, "MDC_ATTR_ID_TYPE code"},
	[XF_CO_UNIT] = {"co_unit", "unit", UINT, BOTH, NK, XF_CONFIG_OBJECTS, P, "MDC_ATTR_UNIT_CODE"},
	[XF_CO_MAP] = {"co_map", "attribute_map", UINT, BOTH, MU | NK, XF_CONFIG_OBJECTS, P, "attribute ids of the attribute-value-map"},
	[XF_SCAN_REPORT_NO] = {"scan_report_no", "scan_report_no", UINT, BOTH, NK, -1, P, "scan report number"},
	[XF_OBS] = {"observations", "observations", GRP, BOTH, NK, -1, P, "one element per observation of a scan report"},
	[XF_OBS_HANDLE] = {"obs_handle", "handle", UINT, BOTH, NK, XF_OBS, P, "object handle"},
	[XF_OBS_PERSON] = {"obs_person", "person_id", UINT, BOTH, NK, XF_OBS, P, "person id (multiple-person reports)"},
	[XF_OBS_TYPE] = {"obs_type", "type", UINT, BOTH, NK, XF_OBS, P, "nomenclature code of the metric (from the configuration)"},
	[XF_OBS_UNIT] = {"obs_unit", "unit", UINT, BOTH, NK, XF_OBS, P, "unit code"},
	[XF_OBS_VALUE] = {"obs_value", "value", STR, BOTH, NK, XF_OBS, P, "numeric value (exact decimal, or NaN, NRes, +INF, -INF, reserved)"},
	[XF_OBS_VALUES] = {"obs_values", "values", STR, BOTH, MU | NK, XF_OBS, P, "compound numeric values"},
	[XF_OBS_STATUS] = {"obs_status", "status", UINT, BOTH, NK, XF_OBS, P, "measurement status bits"},
	[XF_OBS_TIME] = {"obs_time", "time", STR, BOTH, NK, XF_OBS, P, "absolute time stamp"},
	[XF_OBS_RAW] = {"obs_raw", "raw", STR, BOTH, NK, XF_OBS, P, "observation bytes (hex, 64 at most) when the layout is not known"},
	[XF_SEG_INSTANCE] = {"segment_instance", "segment.instance", UINT, BOTH, NK, -1, P, "segment data: segment instance"},
	[XF_SEG_INDEX] = {"segment_entry_index", "segment.entry_index", UINT, BOTH, NK, -1, P, "segment data: first entry index"},
	[XF_SEG_COUNT] = {"segment_entry_count", "segment.entry_count", UINT, BOTH, NK, -1, P, "segment data: entry count"},
	[XF_SEG_STATUS] = {"segment_status", "segment.status", UINT, BOTH, NK, -1, P, "segment data: event status bits"},
	[XF_ERROR_VALUE] = {"error_value", "error_value", UINT, BOTH, NK, -1, P, "ROER error-value"},
	[XF_REJECT_PROBLEM] = {"reject_problem", "reject_problem", UINT, BOTH, NK, -1, P, "RORJ problem"},
};

const struct md_event_def x73_events[XE_MAX] = {
	[XE_APDU_LENGTH_MISMATCH] = {"apdu_length_mismatch", "APDU length disagrees with its content (association APDUs, PRST octet string)"},
	[XE_MESSAGE_LENGTH_MISMATCH] = {"message_length_mismatch", "DATA-apdu message length disagrees with the PRST content"},
	[XE_ITEM_LENGTH_MISMATCH] = {"item_length_mismatch", "list, Any, octet string or argument length past its container or short of it"},
	[XE_APDU_TOO_LONG] = {"apdu_too_long", "APDU length over 63 KiB, app-layer.max-pdu or max-buffer (skipped)"},
	[XE_UNKNOWN_APDU_CHOICE] = {"unknown_apdu_choice", "APDU choice not defined by 20601 (skipped by its length)"},
	[XE_UNKNOWN_DATA_CHOICE] = {"unknown_data_choice", "DATA-apdu choice not defined by 20601"},
	[XE_INVOKE_ID_REUSE] = {"invoke_id_reuse", "confirmed request with the invoke-id of a request still unanswered"},
	[XE_RESPONSE_WITHOUT_REQUEST] = {"response_without_request", "response (RORS, ROER, RORJ, AARE, RLRE) matching no request"},
	[XE_DATA_BEFORE_ASSOCIATION] = {"data_before_association", "PRST while no association is accepted"},
	[XE_UNKNOWN_EVENT_TYPE] = {"unknown_event_type", "event report type 20601 does not define"},
	[XE_UNKNOWN_DEV_CONFIG_ID] = {"unknown_dev_config_id", "dev-config-id 0, reserved, or a standard one no known specialization defines"},
	[XE_OBSERVATION_LAYOUT_MISMATCH] = {"observation_layout_mismatch", "fixed observation length differs from its configuration's attribute-value-map"},
	[XE_TOO_MANY_ITEMS] = {"too_many_items", "list with more elements than app-layer.max-items (rest not logged)"},
	[XE_TOO_MANY_OUTSTANDING] = {"too_many_outstanding_requests", "more unanswered confirmed requests than the parser tracks (32 a side)"},
	[XE_TRUNCATED_APDU] = {"truncated_apdu", "stream ended or lost bytes inside an APDU"},
	[XE_STREAM_GAP] = {"stream_gap", "bytes lost: parsing resumed at the next APDU header found"},
};
/* clang-format on */

struct code_name {
	uint16_t code;
	const char *name;
};

static const char *lookup(const struct code_name *t, size_t n, uint16_t code)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].code == code)
			return t[i].name;
	return NULL;
}

#define LOOKUP(t, c) lookup(t, sizeof(t) / sizeof(t[0]), c)

static const struct code_name apdus[] = {
    {X73_AARQ, "aarq"}, {X73_AARE, "aare"}, {X73_RLRQ, "rlrq"},
    {X73_RLRE, "rlre"}, {X73_ABRT, "abrt"}, {X73_PRST, "prst"},
};

static const struct code_name choices[] = {
    {X73_ROIV_EVENT, "roiv-event-report"},
    {X73_ROIV_CEVENT, "roiv-confirmed-event-report"},
    {X73_ROIV_GET, "roiv-get"},
    {X73_ROIV_SET, "roiv-set"},
    {X73_ROIV_CSET, "roiv-confirmed-set"},
    {X73_ROIV_ACTION, "roiv-action"},
    {X73_ROIV_CACTION, "roiv-confirmed-action"},
    {X73_RORS_CEVENT, "rors-confirmed-event-report"},
    {X73_RORS_GET, "rors-get"},
    {X73_RORS_CSET, "rors-confirmed-set"},
    {X73_RORS_CACTION, "rors-confirmed-action"},
    {X73_ROER, "roer"},
    {X73_RORJ, "rorj"},
};

static const struct code_name results[] = {
    {0, "accepted"},
    {1, "rejected-permanent"},
    {2, "rejected-transient"},
    {3, "accepted-unknown-config"},
    {4, "rejected-no-common-protocol"},
    {5, "rejected-no-common-parameter"},
    {6, "rejected-unknown"},
    {7, "rejected-unauthorized"},
    {8, "rejected-unsupported-assoc-version"},
};

static const struct code_name event_types[] = {
    {MDC_NOTI_CONFIG, "MDC_NOTI_CONFIG"},
    {MDC_NOTI_SCAN_REPORT_FIXED, "MDC_NOTI_SCAN_REPORT_FIXED"},
    {MDC_NOTI_SCAN_REPORT_VAR, "MDC_NOTI_SCAN_REPORT_VAR"},
    {MDC_NOTI_SCAN_REPORT_MP_FIXED, "MDC_NOTI_SCAN_REPORT_MP_FIXED"},
    {MDC_NOTI_SCAN_REPORT_MP_VAR, "MDC_NOTI_SCAN_REPORT_MP_VAR"},
    {MDC_NOTI_SEGMENT_DATA, "MDC_NOTI_SEGMENT_DATA"},
    {MDC_NOTI_UNBUF_SCAN_REPORT_VAR, "MDC_NOTI_UNBUF_SCAN_REPORT_VAR"},
    {MDC_NOTI_UNBUF_SCAN_REPORT_FIXED, "MDC_NOTI_UNBUF_SCAN_REPORT_FIXED"},
    {MDC_NOTI_UNBUF_SCAN_REPORT_GROUPED, "MDC_NOTI_UNBUF_SCAN_REPORT_GROUPED"},
    {MDC_NOTI_UNBUF_SCAN_REPORT_MP_VAR, "MDC_NOTI_UNBUF_SCAN_REPORT_MP_VAR"},
    {MDC_NOTI_UNBUF_SCAN_REPORT_MP_FIXED,
     "MDC_NOTI_UNBUF_SCAN_REPORT_MP_FIXED"},
    {MDC_NOTI_UNBUF_SCAN_REPORT_MP_GROUPED,
     "MDC_NOTI_UNBUF_SCAN_REPORT_MP_GROUPED"},
    {MDC_NOTI_BUF_SCAN_REPORT_VAR, "MDC_NOTI_BUF_SCAN_REPORT_VAR"},
    {MDC_NOTI_BUF_SCAN_REPORT_FIXED, "MDC_NOTI_BUF_SCAN_REPORT_FIXED"},
    {MDC_NOTI_BUF_SCAN_REPORT_GROUPED, "MDC_NOTI_BUF_SCAN_REPORT_GROUPED"},
    {MDC_NOTI_BUF_SCAN_REPORT_MP_VAR, "MDC_NOTI_BUF_SCAN_REPORT_MP_VAR"},
    {MDC_NOTI_BUF_SCAN_REPORT_MP_FIXED, "MDC_NOTI_BUF_SCAN_REPORT_MP_FIXED"},
    {MDC_NOTI_BUF_SCAN_REPORT_MP_GROUPED,
     "MDC_NOTI_BUF_SCAN_REPORT_MP_GROUPED"},
};

static const struct code_name actions[] = {
    {MDC_ACT_SEG_CLR, "MDC_ACT_SEG_CLR"},
    {MDC_ACT_SEG_GET_INFO, "MDC_ACT_SEG_GET_INFO"},
    {MDC_ACT_SET_TIME, "MDC_ACT_SET_TIME"},
    {MDC_ACT_DATA_REQUEST, "MDC_ACT_DATA_REQUEST"},
    {MDC_ACT_SEG_TRIG_XFER, "MDC_ACT_SEG_TRIG_XFER"},
};

const char *x73_apdu_name(uint16_t choice)
{
	return LOOKUP(apdus, choice);
}

const char *x73_data_choice_name(uint16_t choice)
{
	return LOOKUP(choices, choice);
}

const char *x73_aare_result_name(uint16_t result)
{
	return LOOKUP(results, result);
}

const char *x73_event_type_name(uint16_t type)
{
	return LOOKUP(event_types, type);
}

const char *x73_action_type_name(uint16_t type)
{
	return LOOKUP(actions, type);
}

/* Metric and unit codes of the standard configurations. */
enum {
	MDC_PULS_OXIM_PULS_RATE = 18458,
	MDC_PULS_RATE_NON_INV = 18474,
	MDC_PRESS_BLD_NONINV = 18948,
	MDC_PULS_OXIM_SAT_O2 = 19384,
	MDC_CONC_GLU_CAPILLARY_WHOLEBLOOD = 29112,
	MDC_MASS_BODY_ACTUAL = 57664,
	MDC_RATIO_MASS_BODY_LEN_SQ = 57680,
	MDC_DIM_PERCENT = 544,
	MDC_DIM_KILO_G = 1731,
	MDC_DIM_KG_PER_M_SQ = 1952,
	MDC_DIM_MILLI_G_PER_DL = 2130,
	MDC_DIM_BEAT_PER_MIN = 2720,
	MDC_DIM_MMHG = 3872,
};

#define NU MDC_MOC_VMO_METRIC_NU
#define BASIC_ABS                                                              \
	2,                                                                     \
	{                                                                      \
		{MDC_ATTR_NU_VAL_OBS_BASIC, 2},                                \
		{                                                              \
			MDC_ATTR_TIME_STAMP_ABS, 8                             \
		}                                                              \
	}
#define SIMP_ABS                                                               \
	2,                                                                     \
	{                                                                      \
		{MDC_ATTR_NU_VAL_OBS_SIMP, 4},                                 \
		{                                                              \
			MDC_ATTR_TIME_STAMP_ABS, 8                             \
		}                                                              \
	}
#define CMPD_BASIC3_ABS                                                        \
	2,                                                                     \
	{                                                                      \
		{MDC_ATTR_NU_CMPD_VAL_OBS_BASIC, 10},                          \
		{                                                              \
			MDC_ATTR_TIME_STAMP_ABS, 8                             \
		}                                                              \
	}

/* The weighing scale's handle 3 (body mass index) is the second numeric
 * of the 10415 standard configuration as its agents report it. */
static const struct x73_stdcfg stdcfgs[] = {
    {400,
     "pulse oximeter",
     2,
     {{1, NU, MDC_PULS_OXIM_SAT_O2, MDC_DIM_PERCENT, BASIC_ABS},
      {10, NU, MDC_PULS_OXIM_PULS_RATE, MDC_DIM_BEAT_PER_MIN, BASIC_ABS}}},
    {401,
     "pulse oximeter",
     2,
     {{1,
       NU,
       MDC_PULS_OXIM_SAT_O2,
       MDC_DIM_PERCENT,
       1,
       {{MDC_ATTR_NU_VAL_OBS_BASIC, 2}}},
      {10,
       NU,
       MDC_PULS_OXIM_PULS_RATE,
       MDC_DIM_BEAT_PER_MIN,
       1,
       {{MDC_ATTR_NU_VAL_OBS_BASIC, 2}}}}},
    {700,
     "blood pressure monitor",
     2,
     {{1, NU, MDC_PRESS_BLD_NONINV, MDC_DIM_MMHG, CMPD_BASIC3_ABS},
      {2, NU, MDC_PULS_RATE_NON_INV, MDC_DIM_BEAT_PER_MIN, BASIC_ABS}}},
    {1500,
     "weighing scale",
     2,
     {{1, NU, MDC_MASS_BODY_ACTUAL, MDC_DIM_KILO_G, SIMP_ABS},
      {3, NU, MDC_RATIO_MASS_BODY_LEN_SQ, MDC_DIM_KG_PER_M_SQ, SIMP_ABS}}},
    {1700,
     "glucose meter",
     1,
     {{1, NU, MDC_CONC_GLU_CAPILLARY_WHOLEBLOOD, MDC_DIM_MILLI_G_PER_DL,
       BASIC_ABS}}},
};

const struct x73_stdcfg *x73_stdcfg_find(uint16_t id)
{
	for (size_t i = 0; i < sizeof(stdcfgs) / sizeof(stdcfgs[0]); i++)
		if (stdcfgs[i].id == id)
			return &stdcfgs[i];
	return NULL;
}
