/* astm-defs.c - ASTM tables: rule keywords and EVE keys (one field table)
 * and the events.
 *
 * Normative reference: ASTM E1394-97 / CLSI LIS2-A2 (record fields, cited
 * as <record>.<n>, H.5 = fifth field of the header record) and ASTM
 * E1381-02 / CLSI LIS1-A (frames).
 *
 * Patient data (P.3-P.9, Q.3 patient id) is MD_FF_PHI: keyed-hashed in
 * EVE unless log-phi, never a rule keyword. Comment text may carry
 * patient data too: it is a rule input (astm.comment) but is not logged.
 */
#include "astm.h"

#define BOTH MD_DIR_BOTH
#define P    0 /* every value is final when reported */
#define NK   MD_FF_NOKEYWORD
#define PHI  (MD_FF_PHI | MD_FF_NOKEYWORD)
#define MNL  (MD_FF_MULTI | MD_FF_NOLOG)

/* clang-format off */
const struct md_field_def astm_fields[AF_MAX] = {
	[AF_SENDER] = {"sender", NULL, MD_FT_STR, BOTH, 0, -1, P, "H.5 sender name or id"},
	[AF_RECEIVER] = {"receiver", NULL, MD_FT_STR, BOTH, 0, -1, P, "H.10 receiver id"},
	[AF_VERSION] = {"version", NULL, MD_FT_STR, BOTH, 0, -1, P, "H.13 version (LIS2-A2, E1394-97)"},
	[AF_PROCESSING_ID] = {"processing_id", NULL, MD_FT_STR, BOTH, 0, -1, P, "H.12 processing id (P production, T training, D debugging, Q quality control)"},
	[AF_CONTROL_ID] = {"control_id", NULL, MD_FT_STR, BOTH, 0, -1, P, "H.3 message control id"},
	[AF_DATETIME] = {"datetime", NULL, MD_FT_STR, BOTH, NK, -1, P, "H.14 date and time of the message"},
	[AF_DELIMITERS] = {"delimiters", NULL, MD_FT_STR, BOTH, NK, -1, P, "field, repeat, component and escape delimiters (H.1-H.2)"},
	[AF_RECORD_TYPE] = {"record_type", "record_types", MD_FT_STR, BOTH, MD_FF_MULTI, -1, P, "record type of each record in order (H P O R C Q M S L)"},
	[AF_RECORD_COUNT] = {"record_count", NULL, MD_FT_UINT, BOTH, 0, -1, P, "records of the message"},
	[AF_FRAME_COUNT] = {"frame_count", "frames", MD_FT_UINT, BOTH, 0, -1, P, "frames the receiver accepted for the message"},
	[AF_NAK_COUNT] = {"nak_count", "naks", MD_FT_UINT, BOTH, 0, -1, P, "NAKs the sender received since its previous message (to ENQ or frames)"},
	[AF_TERMINATION] = {"termination_code", NULL, MD_FT_STR, BOTH, 0, -1, P, "L.3 termination code (N normal, T sender abort, R receiver abort, E error, Q, I, F query)"},
	[AF_SPECIMEN_ID] = {"specimen_id", NULL, MD_FT_STR, BOTH, MNL, -1, P, "every specimen id: O.3 and Q.3 second component"},
	[AF_TEST_ID] = {"test_id", NULL, MD_FT_STR, BOTH, MNL, -1, P, "every universal test id: R.3, each repetition of O.5 and Q.5"},
	[AF_RECORD] = {"record", NULL, MD_FT_STR, BOTH, MNL, -1, P, "every record, raw (frames joined, without CR)"},
	[AF_PATIENTS] = {"patients", "patients", MD_FT_GROUP, BOTH, NK, -1, P, "one element per P record"},
	[AF_PAT_SEQ] = {"patient_sequence", "sequence", MD_FT_STR, BOTH, NK, AF_PATIENTS, P, "P.2"},
	[AF_PAT_PRACTICE_ID] = {"patient_practice_id", "practice_id", MD_FT_STR, BOTH, PHI, AF_PATIENTS, P, "P.3 practice-assigned patient id"},
	[AF_PAT_LAB_ID] = {"patient_laboratory_id", "laboratory_id", MD_FT_STR, BOTH, PHI, AF_PATIENTS, P, "P.4 laboratory-assigned patient id"},
	[AF_PAT_ID3] = {"patient_id3", "id3", MD_FT_STR, BOTH, PHI, AF_PATIENTS, P, "P.5 patient id no. 3"},
	[AF_PAT_NAME] = {"patient_name", "name", MD_FT_STR, BOTH, PHI, AF_PATIENTS, P, "P.6 patient name"},
	[AF_PAT_BIRTH] = {"patient_birth_date", "birth_date", MD_FT_STR, BOTH, PHI, AF_PATIENTS, P, "P.8 birth date"},
	[AF_PAT_SEX] = {"patient_sex", "sex", MD_FT_STR, BOTH, PHI, AF_PATIENTS, P, "P.9 sex"},
	[AF_ORDERS] = {"orders", "orders", MD_FT_GROUP, BOTH, NK, -1, P, "one element per O record"},
	[AF_ORD_SEQ] = {"order_sequence", "sequence", MD_FT_STR, BOTH, NK, AF_ORDERS, P, "O.2"},
	[AF_ORD_SPECIMEN] = {"order_specimen_id", "specimen_id", MD_FT_STR, BOTH, NK, AF_ORDERS, P, "O.3 specimen id"},
	[AF_ORD_INSTR_SPECIMEN] = {"order_instrument_specimen_id", "instrument_specimen_id", MD_FT_STR, BOTH, NK, AF_ORDERS, P, "O.4 instrument specimen id"},
	[AF_ORD_TEST_IDS] = {"order_test_ids", "test_ids", MD_FT_STR, BOTH, MD_FF_MULTI | NK, AF_ORDERS, P, "O.5 universal test ids (each repetition)"},
	[AF_ORD_PRIORITY] = {"order_priority", "priority", MD_FT_STR, BOTH, NK, AF_ORDERS, P, "O.6 priority (S stat, A asap, R routine)"},
	[AF_ORD_ACTION] = {"order_action_code", "action_code", MD_FT_STR, BOTH, NK, AF_ORDERS, P, "O.12 action code (C cancel, A add, N new, Q QC ...)"},
	[AF_ORD_REPORT_TYPE] = {"order_report_type", "report_type", MD_FT_STR, BOTH, NK, AF_ORDERS, P, "O.26 report type (O order, F final ...)"},
	[AF_RESULTS] = {"results", "results", MD_FT_GROUP, BOTH, NK, -1, P, "one element per R record"},
	[AF_RES_SEQ] = {"result_sequence", "sequence", MD_FT_STR, BOTH, NK, AF_RESULTS, P, "R.2"},
	[AF_RES_TEST_ID] = {"result_test_id", "test_id", MD_FT_STR, BOTH, NK, AF_RESULTS, P, "R.3 universal test id"},
	[AF_RES_VALUE] = {"result_value", "value", MD_FT_STR, BOTH, 0, AF_RESULTS, P, "R.4 data or measurement value"},
	[AF_RES_UNITS] = {"result_units", "units", MD_FT_STR, BOTH, 0, AF_RESULTS, P, "R.5 units"},
	[AF_RES_RANGE] = {"result_reference_range", "reference_range", MD_FT_STR, BOTH, NK, AF_RESULTS, P, "R.6 reference range"},
	[AF_RES_FLAGS] = {"abnormal_flags", "abnormal_flags", MD_FT_STR, BOTH, 0, AF_RESULTS, P, "R.7 abnormal flags (L H LL HH < > N A ...)"},
	[AF_RES_STATUS] = {"result_status", "status", MD_FT_STR, BOTH, 0, AF_RESULTS, P, "R.9 result status (F final, C correction, P preliminary ...)"},
	[AF_RES_OPERATOR] = {"result_operator", "operator", MD_FT_STR, BOTH, NK, AF_RESULTS, P, "R.11 operator identification"},
	[AF_RES_COMPLETED] = {"result_completed", "completed", MD_FT_STR, BOTH, NK, AF_RESULTS, P, "R.13 date and time the test completed"},
	[AF_RES_INSTRUMENT] = {"instrument", "instrument", MD_FT_STR, BOTH, 0, AF_RESULTS, P, "R.14 instrument identification"},
	[AF_COMMENTS] = {"comments", "comments", MD_FT_GROUP, BOTH, NK, -1, P, "one element per C record"},
	[AF_CMT_SEQ] = {"comment_sequence", "sequence", MD_FT_STR, BOTH, NK, AF_COMMENTS, P, "C.2"},
	[AF_CMT_SOURCE] = {"comment_source", "source", MD_FT_STR, BOTH, NK, AF_COMMENTS, P, "C.3 comment source (P practice, L laboratory, I instrument)"},
	[AF_CMT_TEXT] = {"comment", NULL, MD_FT_STR, BOTH, MD_FF_NOLOG, AF_COMMENTS, P, "C.4 comment text (rule input only: may hold patient data)"},
	[AF_CMT_TYPE] = {"comment_type", "type", MD_FT_STR, BOTH, NK, AF_COMMENTS, P, "C.5 comment type (G generic, T test name, P positive, N negative, I instrument flag)"},
	[AF_QUERIES] = {"queries", "queries", MD_FT_GROUP, BOTH, NK, -1, P, "one element per Q record"},
	[AF_QRY_SEQ] = {"query_sequence", "sequence", MD_FT_STR, BOTH, NK, AF_QUERIES, P, "Q.2"},
	[AF_QRY_PATIENT_ID] = {"query_patient_id", "patient_id", MD_FT_STR, BOTH, PHI, AF_QUERIES, P, "Q.3 first component: patient id"},
	[AF_QRY_SPECIMEN] = {"query_specimen_id", "specimen_id", MD_FT_STR, BOTH, NK, AF_QUERIES, P, "Q.3 second component: specimen id"},
	[AF_QRY_TEST_IDS] = {"query_test_ids", "test_ids", MD_FT_STR, BOTH, MD_FF_MULTI | NK, AF_QUERIES, P, "Q.5 universal test ids (each repetition)"},
	[AF_QRY_STATUS] = {"query_status", "status", MD_FT_STR, BOTH, NK, AF_QUERIES, P, "Q.13 request information status code"},
};

const struct md_event_def astm_events[AE_MAX] = {
	[AE_BAD_CHECKSUM] = {"bad_checksum", "frame checksum does not match its content"},
	[AE_FRAME_NUMBER_GAP] = {"frame_number_gap", "frame number neither the next one nor a retransmission"},
	[AE_NAK_STORM] = {"nak_storm", "6 NAKs in a row, or 12 among the last 32 replies"},
	[AE_OVERSIZED_FRAME] = {"oversized_frame", "frame longer than 247 characters"},
	[AE_RECORD_OUT_OF_ORDER] = {"record_out_of_order", "record where E1394 does not allow it (O before any P, R before any O, Q after P, O or R)"},
	[AE_MISSING_HEADER] = {"missing_header", "message that does not start with an H record"},
	[AE_MALFORMED_FRAME] = {"malformed_frame", "frame number not 0-7, checksum not hex, no CR LF after the checksum, or a frame cut by the end of the stream"},
	[AE_UNEXPECTED_DATA] = {"unexpected_data", "bytes outside a frame that are not ENQ, ACK, NAK or EOT"},
	[AE_UNKNOWN_RECORD] = {"unknown_record", "record type E1394 does not define"},
	[AE_INVALID_DELIMITERS] = {"invalid_delimiters", "H record delimiter definition not four distinct printable characters"},
	[AE_MISSING_TERMINATOR] = {"missing_terminator", "message ended (EOT, new H, end of stream) without an L record"},
	[AE_TOO_MANY_RECORDS] = {"too_many_records", "more records in a message than app-layer.max-items"},
	[AE_RECORD_TOO_LONG] = {"record_too_long", "record longer than app-layer.max-field (truncated)"},
};
/* clang-format on */
