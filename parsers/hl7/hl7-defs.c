/* hl7-defs.c - HL7 v2 tables: rule keywords and EVE keys (one field table),
 * events, the segments HL7 v2.x defines, the segments common message types
 * may carry, and the hl7.field argument syntax.
 *
 * Normative reference: HL7 Version 2.x chapter 2 (segment ids, message
 * structures in the abstract message definitions of chapters 2-17).
 *
 *   hl7.field:<SEG>-<n>[.<component>]     e.g. hl7.field:pid-5.1
 *             |     |    \__ 1..999, component of each repetition
 *             |     \__ 1..999, field number (MSH-1 is the separator)
 *             \__ segment id: a letter then two letters or digits
 */
#include <stdio.h>
#include <string.h>

#include "hl7.h"

#define BOTH MD_DIR_BOTH
/* Every value is final once reported (each is reported once, when its
 * segment is parsed; counts when the message ends), so rules may inspect
 * a transaction at any progress: a message never acknowledged too. */
#define P   0
#define NK  MD_FF_NOKEYWORD
#define PHI (MD_FF_PHI | MD_FF_NOKEYWORD)

/* clang-format off */
const struct md_field_def hl7_fields[HF_MAX] = {
	[HF_MESSAGE_TYPE] = {"message_type", NULL, MD_FT_STR, BOTH, 0, -1, P, "MSH-9 message code^trigger event (ADT^A01)"},
	[HF_MESSAGE_CODE] = {"message_code", NULL, MD_FT_STR, BOTH, 0, -1, P, "MSH-9.1 message code"},
	[HF_TRIGGER_EVENT] = {"trigger_event", NULL, MD_FT_STR, BOTH, 0, -1, P, "MSH-9.2 trigger event"},
	[HF_MESSAGE_STRUCTURE] = {"message_structure", NULL, MD_FT_STR, BOTH, 0, -1, P, "MSH-9.3 message structure"},
	[HF_VERSION] = {"version", NULL, MD_FT_STR, BOTH, 0, -1, P, "MSH-12 version id"},
	[HF_CONTROL_ID] = {"control_id", NULL, MD_FT_STR, BOTH, 0, -1, P, "MSH-10 message control id"},
	[HF_PROCESSING_ID] = {"processing_id", NULL, MD_FT_STR, BOTH, 0, -1, P, "MSH-11 processing id (P, T, D)"},
	[HF_SENDING_APP] = {"sending_application", NULL, MD_FT_STR, BOTH, 0, -1, P, "MSH-3"},
	[HF_SENDING_FAC] = {"sending_facility", NULL, MD_FT_STR, BOTH, 0, -1, P, "MSH-4"},
	[HF_RECEIVING_APP] = {"receiving_application", NULL, MD_FT_STR, BOTH, 0, -1, P, "MSH-5"},
	[HF_RECEIVING_FAC] = {"receiving_facility", NULL, MD_FT_STR, BOTH, 0, -1, P, "MSH-6"},
	[HF_DATETIME] = {"datetime", NULL, MD_FT_STR, BOTH, NK, -1, P, "MSH-7 date/time of message"},
	[HF_SECURITY] = {"security", NULL, MD_FT_STR, BOTH, NK, -1, P, "MSH-8 security"},
	[HF_FRAMING] = {"framing", NULL, MD_FT_STR, BOTH, NK, -1, P, "mllp or none"},
	[HF_BATCH] = {"batch", NULL, MD_FT_BOOL, BOTH, NK, -1, P, "message inside a BHS/FHS batch"},
	[HF_SEGMENT] = {"segment", NULL, MD_FT_STR, BOTH, MD_FF_MULTI | MD_FF_NOLOG, -1, P, "every raw segment (message and its ACK)"},
	[HF_SEGMENT_NAMES] = {"segment_names", "segments", MD_FT_STR, BOTH, MD_FF_MULTI | NK, -1, P, "segment ids in order"},
	[HF_SEGMENTS] = {"segments", "segment_count", MD_FT_UINT, BOTH, 0, -1, P, "number of segments of the message"},
	[HF_MAX_FIELD_LENGTH] = {"max_field_length", NULL, MD_FT_UINT, BOTH, 0, -1, P, "longest field of the message, bytes on the wire"},
	[HF_FIELD] = {"field", NULL, MD_FT_STR, BOTH, MD_FF_ARG | MD_FF_MULTI | MD_FF_NOLOG, -1, P, "field or component by position: SEG-n[.c]"},
	[HF_ACK_CODE] = {"ack_code", "ack.code", MD_FT_STR, BOTH, 0, -1, P, "MSA-1 acknowledgment code"},
	[HF_ACK_TEXT] = {"ack_text", "ack.text", MD_FT_STR, BOTH, 0, -1, P, "MSA-3 text message"},
	[HF_ACK_CONTROL_ID] = {"ack_control_id", "ack.control_id", MD_FT_STR, BOTH, 0, -1, P, "MSA-2 control id acknowledged"},
	[HF_ACK_MESSAGE_TYPE] = {"ack_message_type", "ack.message_type", MD_FT_STR, BOTH, NK, -1, P, "MSH-9 of the acknowledgment"},
	[HF_ACK_SEGMENT_NAMES] = {"ack_segment_names", "ack.segments", MD_FT_STR, BOTH, MD_FF_MULTI | NK, -1, P, "segment ids of the acknowledgment"},
	[HF_ACK_MAX_FIELD_LENGTH] = {"ack_max_field_length", "ack.max_field_length", MD_FT_UINT, BOTH, NK, -1, P, "longest field of the acknowledgment"},
	[HF_EVN_TYPE] = {"evn_event_type", "evn.event_type", MD_FT_STR, BOTH, NK, -1, P, "EVN-1"},
	[HF_EVN_RECORDED] = {"evn_recorded", "evn.recorded", MD_FT_STR, BOTH, NK, -1, P, "EVN-2"},
	[HF_EVN_REASON] = {"evn_reason", "evn.reason", MD_FT_STR, BOTH, NK, -1, P, "EVN-4"},
	[HF_EVN_OPERATOR] = {"evn_operator", "evn.operator", MD_FT_STR, BOTH, NK, -1, P, "EVN-5"},
	[HF_EVN_OCCURRED] = {"evn_occurred", "evn.occurred", MD_FT_STR, BOTH, NK, -1, P, "EVN-6"},
	[HF_PID_IDS] = {"patient_ids", "patient.ids", MD_FT_STR, BOTH, MD_FF_MULTI | PHI, -1, P, "PID-3 identifiers (CX.1 of each)"},
	[HF_PID_NAME] = {"patient_name", "patient.name", MD_FT_STR, BOTH, PHI, -1, P, "PID-5"},
	[HF_PID_BIRTH] = {"patient_birth_date", "patient.birth_date", MD_FT_STR, BOTH, PHI, -1, P, "PID-7"},
	[HF_PID_SEX] = {"patient_sex", "patient.sex", MD_FT_STR, BOTH, PHI, -1, P, "PID-8"},
	[HF_PID_ADDRESS] = {"patient_address", "patient.address", MD_FT_STR, BOTH, PHI, -1, P, "PID-11"},
	[HF_PID_PHONE] = {"patient_phone", "patient.phone", MD_FT_STR, BOTH, MD_FF_MULTI | PHI, -1, P, "PID-13 and PID-14"},
	[HF_PID_SSN] = {"patient_ssn", "patient.ssn", MD_FT_STR, BOTH, PHI, -1, P, "PID-19"},
	[HF_PV1_CLASS] = {"patient_class", "visit.patient_class", MD_FT_STR, BOTH, NK, -1, P, "PV1-2"},
	[HF_PV1_LOCATION] = {"location", "visit.location", MD_FT_STR, BOTH, NK, -1, P, "PV1-3 assigned location"},
	[HF_ORDERS] = {"orders", "orders", MD_FT_GROUP, BOTH, NK, -1, P, "one element per ORC/OBR"},
	[HF_ORD_CONTROL] = {"order_control", "control", MD_FT_STR, BOTH, NK, HF_ORDERS, P, "ORC-1"},
	[HF_ORD_PLACER] = {"placer_order_number", "placer_order_number", MD_FT_STR, BOTH, NK, HF_ORDERS, P, "ORC-2 / OBR-2"},
	[HF_ORD_FILLER] = {"filler_order_number", "filler_order_number", MD_FT_STR, BOTH, NK, HF_ORDERS, P, "ORC-3 / OBR-3"},
	[HF_ORD_SERVICE] = {"universal_service_id", "service_id", MD_FT_STR, BOTH, NK, HF_ORDERS, P, "OBR-4"},
	[HF_OBS] = {"observations", "observations", MD_FT_GROUP, BOTH, NK, -1, P, "one element per OBX"},
	[HF_OBS_SET_ID] = {"obx_set_id", "set_id", MD_FT_STR, BOTH, NK, HF_OBS, P, "OBX-1"},
	[HF_OBS_TYPE] = {"obx_value_type", "value_type", MD_FT_STR, BOTH, NK, HF_OBS, P, "OBX-2"},
	[HF_OBS_ID] = {"obx_id", "id", MD_FT_STR, BOTH, NK, HF_OBS, P, "OBX-3 observation identifier"},
	[HF_OBS_SUB_ID] = {"obx_sub_id", "sub_id", MD_FT_STR, BOTH, NK, HF_OBS, P, "OBX-4"},
	[HF_OBS_VALUE] = {"obx_value", "value", MD_FT_STR, BOTH, NK, HF_OBS, P, "OBX-5 (logged up to 1024 bytes)"},
	[HF_OBS_UNITS] = {"obx_units", "units", MD_FT_STR, BOTH, NK, HF_OBS, P, "OBX-6"},
	[HF_OBS_STATUS] = {"obx_status", "status", MD_FT_STR, BOTH, NK, HF_OBS, P, "OBX-11"},
	[HF_OBS_EQUIPMENT] = {"obx_equipment", "equipment", MD_FT_STR, BOTH, NK, HF_OBS, P, "OBX-18 equipment instance id"},
	[HF_ED_DATA] = {"ed_data", NULL, MD_FT_BYTES, BOTH, MD_FF_MULTI | MD_FF_NOLOG | MD_FF_CHUNKED, -1, P, "first 4096 decoded bytes of each OBX ED payload (filemagic)"},
	[HF_DEVICES] = {"devices", "devices", MD_FT_GROUP, BOTH, NK, -1, P, "one element per PRT with a device"},
	[HF_DEV_ID] = {"prt_device", "device", MD_FT_STR, BOTH, NK, HF_DEVICES, P, "PRT-10 participation device"},
	[HF_DEV_UDI] = {"prt_udi", "udi", MD_FT_STR, BOTH, NK, HF_DEVICES, P, "PRT-16 UDI device identifier"},
	[HF_ERRORS] = {"errors", "errors", MD_FT_GROUP, BOTH, NK, -1, P, "one element per ERR"},
	[HF_ERR_LEGACY] = {"err_code_location", "code_location", MD_FT_STR, BOTH, NK, HF_ERRORS, P, "ERR-1 (before v2.5)"},
	[HF_ERR_LOCATION] = {"err_location", "location", MD_FT_STR, BOTH, NK, HF_ERRORS, P, "ERR-2"},
	[HF_ERR_CODE] = {"err_code", "code", MD_FT_STR, BOTH, NK, HF_ERRORS, P, "ERR-3"},
	[HF_ERR_SEVERITY] = {"err_severity", "severity", MD_FT_STR, BOTH, NK, HF_ERRORS, P, "ERR-4"},
	[HF_ERR_DIAGNOSTIC] = {"err_diagnostic", "diagnostic", MD_FT_STR, BOTH, NK, HF_ERRORS, P, "ERR-7"},
	[HF_ERR_MESSAGE] = {"err_message", "message", MD_FT_STR, BOTH, NK, HF_ERRORS, P, "ERR-8"},
};

const struct md_event_def hl7_events[HE_MAX] = {
	[HE_MISSING_MSH] = {"missing_msh", "content does not start with an MSH segment"},
	[HE_BAD_MLLP_FRAME] = {"bad_mllp_frame", "bytes outside a frame, 0x1C not followed by 0x0D, or a frame cut by the end of the stream"},
	[HE_NESTED_START_BLOCK] = {"nested_start_block", "0x0B inside a frame"},
	[HE_NO_MLLP_FRAMING] = {"no_mllp_framing", "HL7 sent without MLLP framing"},
	[HE_INVALID_DELIMITERS] = {"invalid_delimiters", "MSH-1/MSH-2 are not a legal delimiter set"},
	[HE_FIELD_TOO_LONG] = {"field_too_long", "a field longer than app-layer.max-field"},
	[HE_MESSAGE_TOO_LARGE] = {"message_too_large", "a message longer than app-layer.max-pdu"},
	[HE_TOO_MANY_SEGMENTS] = {"too_many_segments", "more segments than app-layer.max-items"},
	[HE_NON_PRINTABLE_BYTES] = {"non_printable_bytes", "control characters inside segments"},
	[HE_UNKNOWN_SEGMENT] = {"unknown_segment", "a segment id HL7 v2 does not define"},
	[HE_ACK_WITHOUT_MESSAGE] = {"ack_without_message", "MSA-2 matches no message of the connection"},
	[HE_DUPLICATE_CONTROL_ID] = {"duplicate_control_id", "MSH-10 reused in the same direction"},
	[HE_SEGMENT_NOT_ALLOWED] = {"segment_not_allowed_for_message_type", "a segment the message type does not carry"},
	[HE_LF_SEGMENT_TERMINATOR] = {"lf_segment_terminator", "segments ended by LF instead of CR"},
	[HE_TOO_MANY_FIELDS] = {"too_many_fields", "a segment with more fields than app-layer.max-items"},
};
/* clang-format on */

/* Segment ids of HL7 v2.1-v2.9 (sorted, 3 bytes each). */
static const char known[] =
    "ABSACCADDADJAFFAIGAILAIPAISAL1APRARQARVAUTBHSBLCBLGBPOBPXBTSBTX"
    "BUICDMCDOCERCM0CM1CM2CNSCONCSPCSRCSSCTDCTIDB1DEVDG1DMIDONDPSDRG"
    "DSCDSPDSTECDECREDUEQPEQUERREVNFACFHSFT1FTSGOLGP1GP2GT1IAMIARIIM"
    "ILTIN1IN2IN3INVIPCIPRISDITMIVCIVTLANLCCLCHLDPLOCLRLMFAMFEMFIMRG"
    "MSAMSHNCKNDSNK1NPUNSCNSTNTEOBROBXODSODTOM1OM2OM3OM4OM5OM6OM7ORC"
    "ORGOVRPACPCEPCRPD1PDAPDCPEOPESPIDPKGPMTPR1PRAPRBPRCPRDPRTPSGPSH"
    "PSLPSSPTHPV1PV2PYEQAKQIDQPDQRDQRFQRIRCPRDFRDTRELRF1RFIRGSRMIROL"
    "RQ1RQDRXARXCRXDRXERXGRXORXRRXVSACSCDSCHSCPSDDSFTSGHSGTSHPSIDSLT"
    "SPMSTFSTZTCCTCDTQ1TQ2TXAUACUB1UB2URDURSVARVND";

bool hl7_segment_known(const uint8_t id[3])
{
	size_t lo = 0, hi = (sizeof(known) - 1) / 3;
	if (id[0] == 'Z')
		return true;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = memcmp(known + 3 * mid, id, 3);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Segments each common message code may carry (union over its trigger
 * events and versions 2.3-2.8; Z-segments are always allowed). */
static const struct {
	const char *code;
	const char *segs;
} allowed[] = {
    {"ACK", "MSHSFTUACMSAERR"},
    /* NTE is not in the v2.5 ADT structures but real interfaces send it */
    {"ADT", "MSHSFTUACEVNPIDPD1ARVROLNK1PV1PV2DB1OBXAL1DG1DRGPR1GT1IN1"
	    "IN2IN3ACCUB1UB2PDAMRGNPUIAMPRTGSPGSRGSCOH1OH2OH3OH4NTE"},
    {"ORU", "MSHSFTUACPIDPD1PRTNK1NTEPV1PV2ORCOBRTQ1TQ2CTDOBXFT1CTISPM"
	    "DSCARVROLDEV"},
    {"ORM", "MSHSFTUACNTEPIDPD1PV1PV2IN1IN2IN3GT1AL1ORCOBRRQDRQ1RXOODS"
	    "ODTCTDDG1OBXFT1CTIBLGTQ1"},
    {"SIU", "MSHSFTUACSCHTQ1NTEPIDPD1PV1PV2OBXDG1RGSAISAIGAILAIP"},
    {"MDM", "MSHSFTUACEVNPIDPV1ORCOBRTQ1NTETXACONOBXPRTARV"},
    {"DFT", "MSHSFTUACEVNPIDPD1ROLPV1PV2DB1OBXFT1PR1DG1DRGGT1IN1IN2IN3"
	    "ACCNTEPRT"},
};

int hl7_segment_allowed(const char *code, const uint8_t id[3])
{
	if (id[0] == 'Z')
		return 1;
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		if (strcmp(allowed[i].code, code) != 0)
			continue;
		for (const char *q = allowed[i].segs; *q; q += 3)
			if (memcmp(q, id, 3) == 0)
				return 1;
		return 0;
	}
	return -1;
}

/* Parse 1..999 without sign; returns the number or -1. *s advances. */
static int number(const char **s)
{
	int v = 0, n = 0;
	while (**s >= '0' && **s <= '9' && n < 4) {
		v = v * 10 + (**s - '0');
		(*s)++;
		n++;
	}
	return n == 0 || n > 3 || v == 0 ? -1 : v;
}

static int upper_alnum(int ch, bool letter_only)
{
	if (ch >= 'a' && ch <= 'z')
		ch -= 'a' - 'A';
	if (ch >= 'A' && ch <= 'Z')
		return ch;
	if (!letter_only && ch >= '0' && ch <= '9')
		return ch;
	return -1;
}

int hl7_arg_norm(unsigned field, const char *arg, char *out, size_t outlen)
{
	char seg[4];
	if (field != HF_FIELD || !arg || !out)
		return MD_E_INVAL;
	for (int i = 0; i < 3; i++) {
		int ch = upper_alnum((unsigned char)arg[i], i == 0);
		if (ch < 0)
			return MD_E_INVAL;
		seg[i] = (char)ch;
	}
	seg[3] = 0;
	const char *s = arg + 3;
	if (*s++ != '-')
		return MD_E_INVAL;
	int n = number(&s), comp = 0;
	if (n < 0)
		return MD_E_INVAL;
	if (*s == '.') {
		s++;
		comp = number(&s);
		if (comp < 0)
			return MD_E_INVAL;
	}
	if (*s)
		return MD_E_INVAL;
	int w = comp ? snprintf(out, outlen, "%s-%d.%d", seg, n, comp)
		     : snprintf(out, outlen, "%s-%d", seg, n);
	return w < 0 || (size_t)w >= outlen ? MD_E_INVAL : 0;
}
