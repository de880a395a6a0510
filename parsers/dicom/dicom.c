/* dicom.c - the DICOM parser descriptor (md_parser_dicom): probe, init/fini,
 * the event and field tables (rule keywords and EVE keys), the keyword
 * argument normaliser and the value checks shared by the other files.
 *
 * Normative references: DICOM PS3.8 9.3.2 (A-ASSOCIATE-RQ, what the probe
 * recognises), PS3.5 6.2 (AE and UI value representations), PS3.5 9.1 (UID
 * encoding), PS3.6 (keywords and tags).
 *
 * Probe: the association requestor speaks first with an A-ASSOCIATE-RQ:
 *
 *   01 00 | length (4, >= 68) | 00 01 (version bit 0) | 2 reserved |
 *   called AE (16 printable) | calling AE (16 printable) | 32 reserved |
 *   first item 0x10 / 0x20 / 0x50
 *
 * Anything else, TLS (16 03 ..) included, is not claimed: DICOM over TLS
 * (port 2762) is recognised and logged elsewhere, never parsed here.
 */
#include "dicom.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "md-plugin.h"
#include "md-rd.h"

/* ---- events --------------------------------------------------------- */

static const struct md_event_def dicom_events[DICOM_EV_MAX] = {
    [DICOM_EV_PDU_TOO_LONG] = {"pdu_too_long",
			       "PDU length over the configured maximum"},
    [DICOM_EV_PDU_LENGTH_MISMATCH] = {"pdu_length_mismatch",
				      "PDU length disagrees with its content"},
    [DICOM_EV_ITEM_LENGTH_OVERFLOW] =
	{"item_length_overflow",
	 "item, sub-item or PDV length past its enclosing unit"},
    [DICOM_EV_UNKNOWN_PDU_TYPE] = {"unknown_pdu_type",
				   "PDU type not defined by PS3.8"},
    [DICOM_EV_UNKNOWN_ITEM_TYPE] = {"unknown_item_type",
				    "item or sub-item type not defined"},
    [DICOM_EV_INVALID_AE_TITLE] =
	{"invalid_ae_title",
	 "AE title empty, too long, control characters or backslash"},
    [DICOM_EV_INVALID_UID] = {"invalid_uid",
			      "UID over 64 bytes or not digits and dots"},
    [DICOM_EV_ODD_VALUE_LENGTH] = {"odd_value_length",
				   "data element with an odd length"},
    [DICOM_EV_PATH_IN_UID] = {"path_in_uid",
			      "UID with '/', '\\' or '..' (path traversal)"},
    [DICOM_EV_SHELL_METACHARACTERS] =
	{"shell_metacharacters",
	 "shell metacharacters in an AE title, UID or name"},
    [DICOM_EV_MISSING_COMMAND_ELEMENT] =
	{"missing_command_element",
	 "command set lacks an element its command requires"},
    [DICOM_EV_PDATA_BEFORE_ASSOCIATION] =
	{"pdata_before_association",
	 "P-DATA-TF before the association was accepted"},
    [DICOM_EV_PDU_NOT_ALLOWED_IN_STATE] =
	{"pdu_not_allowed_in_state",
	 "PDU the association state does not allow"},
    [DICOM_EV_TOO_MANY_PRESENTATION_CONTEXTS] =
	{"too_many_presentation_contexts",
	 "more presentation contexts than allowed"},
    [DICOM_EV_MAX_PDU_EXCEEDED] =
	{"max_pdu_exceeded",
	 "P-DATA-TF longer than the receiver's negotiated maximum"},
    [DICOM_EV_COMMAND_SET_TOO_LARGE] = {"command_set_too_large",
					"command set over the bound"},
    [DICOM_EV_INVALID_PRESENTATION_CONTEXT] =
	{"invalid_presentation_context",
	 "even, repeated or unaccepted presentation context id"},
    [DICOM_EV_INVALID_PDV] = {"invalid_pdv",
			      "PDV too short, reserved bits or out of order"},
    [DICOM_EV_INVALID_COMMAND_SET] =
	{"invalid_command_set",
	 "command element outside group 0000, overflowing or mis-sized"},
    [DICOM_EV_UNKNOWN_COMMAND] = {"unknown_command",
				  "CommandField value not defined"},
    [DICOM_EV_MALFORMED_DATA_SET] =
	{"malformed_data_set",
	 "data set truncated, bad VR, stray delimiter or too deep"},
    [DICOM_EV_DEFLATE_ERROR] = {"deflate_error",
				"deflated data set corrupt or over bound"},
    [DICOM_EV_UNMATCHED_RESPONSE] = {"unmatched_response",
				     "DIMSE response without its request"},
    [DICOM_EV_STREAM_GAP] = {"stream_gap",
			     "bytes lost: framing resumed or abandoned"},
    [DICOM_EV_UNSUPPORTED_PROTOCOL_VERSION] =
	{"unsupported_protocol_version",
	 "A-ASSOCIATE protocol version without bit 0"},
    [DICOM_EV_P10_EXECUTABLE_PREAMBLE] =
	{"p10_executable_preamble",
	 "Part-10 file (carried over HTTP) whose preamble is a PE or ELF "
	 "header (CVE-2019-11687)"},
};

/* ---- fields --------------------------------------------------------- */

#define TS    MD_DIR_TOSERVER
#define TC    MD_DIR_TOCLIENT
#define BOTH  MD_DIR_BOTH
#define NK    MD_FF_NOKEYWORD
#define STR   MD_FT_STR
#define UINT  MD_FT_UINT
#define BOOL  MD_FT_BOOL
#define GROUP MD_FT_GROUP

static const struct md_field_def dicom_fields[DF_MAX] = {
    [DF_TYPE] = {"type", "type", STR, BOTH, NK, -1, 0,
		 "association, dimse, release, abort, or file (a Part-10 "
		 "file carried over HTTP)"},
    [DF_PDU_TYPE] = {"pdu_type", "pdu_types", UINT, BOTH, MD_FF_MULTI, -1, 0,
		     "PDU types of the transaction"},
    /* association request */
    [DF_PROTOCOL_VERSION] = {"rq.protocol_version", "request.protocol_version",
			     UINT, TS, NK, -1, 0, "protocol version"},
    [DF_CALLED_AE] = {"called_ae", "request.called_ae", STR, TS, 0, -1, 0,
		      "called AE title"},
    [DF_CALLING_AE] = {"calling_ae", "request.calling_ae", STR, TS, 0, -1, 0,
		       "calling AE title"},
    [DF_APP_CONTEXT] = {"rq.application_context", "request.application_context",
			STR, TS, NK, -1, 0, "application context name"},
    [DF_PC_COUNT] = {"presentation_contexts",
		     "request.presentation_context_count", UINT, TS, 0, -1, 0,
		     "presentation contexts proposed"},
    [DF_ABSTRACT_SYNTAX] = {"abstract_syntax", NULL, STR, TS,
			    MD_FF_MULTI | MD_FF_NOLOG, -1, 0,
			    "proposed abstract syntaxes"},
    [DF_TRANSFER_SYNTAX] = {"transfer_syntax", NULL, STR, BOTH,
			    MD_FF_MULTI | MD_FF_NOLOG, -1, 0,
			    "proposed and accepted transfer syntaxes"},
    [DF_RQ_PCS] = {"rq.presentation_contexts", "request.presentation_contexts",
		   GROUP, TS, NK, -1, 0, "proposed presentation contexts"},
    [DF_RQ_PC_ID] = {"rq.pc.id", "id", UINT, TS, NK, DF_RQ_PCS, 0,
		     "presentation context id"},
    [DF_RQ_PC_AS] = {"rq.pc.abstract_syntax", "abstract_syntax", STR, TS, NK,
		     DF_RQ_PCS, 0, "abstract syntax UID"},
    [DF_RQ_PC_AS_NAME] = {"rq.pc.abstract_syntax_name", "abstract_syntax_name",
			  STR, TS, NK, DF_RQ_PCS, 0, "abstract syntax name"},
    [DF_RQ_PC_TS] = {"rq.pc.transfer_syntaxes", "transfer_syntaxes", STR, TS,
		     NK | MD_FF_MULTI, DF_RQ_PCS, 0,
		     "proposed transfer syntax UIDs"},
    [DF_RQ_MAX_PDU] = {"rq.max_pdu_length", "request.max_pdu_length", UINT, TS,
		       NK, -1, 0, "requestor's maximum length"},
    [DF_IMPL_UID] = {"implementation_class_uid",
		     "request.implementation_class_uid", STR, TS, 0, -1, 0,
		     "requestor's implementation class UID"},
    [DF_IMPL_VERSION] = {"implementation_version",
			 "request.implementation_version", STR, TS, 0, -1, 0,
			 "requestor's implementation version name"},
    [DF_RQ_ASYNC_INVOKED] = {"rq.async_invoked",
			     "request.async_operations.invoked", UINT, TS, NK,
			     -1, 0, "max operations invoked"},
    [DF_RQ_ASYNC_PERFORMED] = {"rq.async_performed",
			       "request.async_operations.performed", UINT, TS,
			       NK, -1, 0, "max operations performed"},
    [DF_RQ_ROLES] = {"rq.role_selections", "request.role_selections", GROUP, TS,
		     NK, -1, 0, "SCP/SCU role selections"},
    [DF_RQ_ROLE_UID] = {"rq.role.sop_class_uid", "sop_class_uid", STR, TS, NK,
			DF_RQ_ROLES, 0, "SOP class UID"},
    [DF_RQ_ROLE_SCU] = {"rq.role.scu_role", "scu_role", UINT, TS, NK,
			DF_RQ_ROLES, 0, "SCU role"},
    [DF_RQ_ROLE_SCP] = {"rq.role.scp_role", "scp_role", UINT, TS, NK,
			DF_RQ_ROLES, 0, "SCP role"},
    [DF_RQ_EXTNEG] = {"rq.extended_negotiations",
		      "request.extended_negotiations", GROUP, TS, NK, -1, 0,
		      "SOP class extended negotiations"},
    [DF_RQ_EXTNEG_UID] = {"rq.extneg.sop_class_uid", "sop_class_uid", STR, TS,
			  NK, DF_RQ_EXTNEG, 0, "SOP class UID"},
    [DF_RQ_EXTNEG_LEN] = {"rq.extneg.info_length", "info_length", UINT, TS, NK,
			  DF_RQ_EXTNEG, 0,
			  "service class application information bytes"},
    [DF_RQ_CEXTNEG] = {"rq.common_extended_negotiations",
		       "request.common_extended_negotiations", GROUP, TS, NK,
		       -1, 0, "SOP class common extended negotiations"},
    [DF_RQ_CEXTNEG_UID] = {"rq.cextneg.sop_class_uid", "sop_class_uid", STR, TS,
			   NK, DF_RQ_CEXTNEG, 0, "SOP class UID"},
    [DF_RQ_CEXTNEG_SERVICE] = {"rq.cextneg.service_class_uid",
			       "service_class_uid", STR, TS, NK, DF_RQ_CEXTNEG,
			       0, "service class UID"},
    [DF_RQ_CEXTNEG_RELATED] = {"rq.cextneg.related_sop_classes",
			       "related_sop_classes", STR, TS, NK | MD_FF_MULTI,
			       DF_RQ_CEXTNEG, 0,
			       "related general SOP class UIDs"},
    [DF_UI_TYPE] = {"user_identity.type", "request.user_identity.type", UINT,
		    TS, 0, -1, 0, "user identity type (1 username .. 5 JWT)"},
    [DF_UI_USERNAME] = {"user_identity.username",
			"request.user_identity.username", STR, TS, 0, -1, 0,
			"username (types 1 and 2)"},
    [DF_UI_PASSCODE] = {"rq.user_identity.passcode_present",
			"request.user_identity.passcode_present", BOOL, TS, NK,
			-1, 0, "a passcode was sent (never logged)"},
    [DF_UI_RESPONSE_REQ] = {"rq.user_identity.response_requested",
			    "request.user_identity.response_requested", BOOL,
			    TS, NK, -1, 0, "positive response requested"},
    [DF_UI_PRIMARY_LEN] = {"rq.user_identity.primary_field_length",
			   "request.user_identity.primary_field_length", UINT,
			   TS, NK, -1, 0,
			   "ticket, assertion or token length (3..5)"},
    /* association response */
    [DF_RESULT] = {"ac.result", "response.result", STR, TC, NK, -1, 0,
		   "accepted or rejected"},
    [DF_AC_PCS] = {"ac.presentation_contexts", "response.presentation_contexts",
		   GROUP, TC, NK, -1, 0, "presentation context results"},
    [DF_AC_PC_ID] = {"ac.pc.id", "id", UINT, TC, NK, DF_AC_PCS, 0,
		     "presentation context id"},
    [DF_AC_PC_RESULT] = {"ac.pc.result", "result", UINT, TC, NK, DF_AC_PCS, 0,
			 "result/reason"},
    [DF_AC_PC_RESULT_NAME] = {"ac.pc.result_name", "result_name", STR, TC, NK,
			      DF_AC_PCS, 0, "result/reason name"},
    [DF_AC_PC_TS] = {"ac.pc.transfer_syntax", "transfer_syntax", STR, TC, NK,
		     DF_AC_PCS, 0, "accepted transfer syntax UID"},
    [DF_AC_PC_TS_NAME] = {"ac.pc.transfer_syntax_name", "transfer_syntax_name",
			  STR, TC, NK, DF_AC_PCS, 0,
			  "accepted transfer syntax name"},
    [DF_AC_ACCEPTED] = {"ac.accepted_contexts",
			"response.accepted_context_count", UINT, TC, NK, -1, 0,
			"presentation contexts accepted"},
    [DF_AC_MAX_PDU] = {"ac.max_pdu_length", "response.max_pdu_length", UINT, TC,
		       NK, -1, 0, "acceptor's maximum length"},
    [DF_AC_IMPL_UID] = {"ac.implementation_class_uid",
			"response.implementation_class_uid", STR, TC, NK, -1, 0,
			"acceptor's implementation class UID"},
    [DF_AC_IMPL_VERSION] = {"ac.implementation_version",
			    "response.implementation_version", STR, TC, NK, -1,
			    0, "acceptor's implementation version"},
    [DF_AC_ASYNC_INVOKED] = {"ac.async_invoked",
			     "response.async_operations.invoked", UINT, TC, NK,
			     -1, 0, "max operations invoked"},
    [DF_AC_ASYNC_PERFORMED] = {"ac.async_performed",
			       "response.async_operations.performed", UINT, TC,
			       NK, -1, 0, "max operations performed"},
    [DF_AC_ROLES] = {"ac.role_selections", "response.role_selections", GROUP,
		     TC, NK, -1, 0, "SCP/SCU role selections"},
    [DF_AC_ROLE_UID] = {"ac.role.sop_class_uid", "sop_class_uid", STR, TC, NK,
			DF_AC_ROLES, 0, "SOP class UID"},
    [DF_AC_ROLE_SCU] = {"ac.role.scu_role", "scu_role", UINT, TC, NK,
			DF_AC_ROLES, 0, "SCU role"},
    [DF_AC_ROLE_SCP] = {"ac.role.scp_role", "scp_role", UINT, TC, NK,
			DF_AC_ROLES, 0, "SCP role"},
    [DF_AC_EXTNEG] = {"ac.extended_negotiations",
		      "response.extended_negotiations", GROUP, TC, NK, -1, 0,
		      "SOP class extended negotiations"},
    [DF_AC_EXTNEG_UID] = {"ac.extneg.sop_class_uid", "sop_class_uid", STR, TC,
			  NK, DF_AC_EXTNEG, 0, "SOP class UID"},
    [DF_AC_EXTNEG_LEN] = {"ac.extneg.info_length", "info_length", UINT, TC, NK,
			  DF_AC_EXTNEG, 0,
			  "service class application information bytes"},
    [DF_AC_UI_RESPONSE_LEN] = {"ac.user_identity.server_response_length",
			       "response.user_identity."
			       "server_response_length",
			       UINT, TC, NK, -1, 0,
			       "user identity server response bytes"},
    [DF_REJECT_RESULT] = {"reject_result", "response.reject_result", UINT, TC,
			  0, -1, 0, "A-ASSOCIATE-RJ result"},
    [DF_REJECT_SOURCE] = {"reject_source", "response.reject_source", UINT, TC,
			  0, -1, 0, "A-ASSOCIATE-RJ source"},
    [DF_REJECT_REASON] = {"reject_reason", "response.reject_reason", UINT, TC,
			  0, -1, 0, "A-ASSOCIATE-RJ reason/diag."},
    [DF_REJECT_RESULT_NAME] = {"rj.result_name", "response.reject_result_name",
			       STR, TC, NK, -1, 0, "result name"},
    [DF_REJECT_SOURCE_NAME] = {"rj.source_name", "response.reject_source_name",
			       STR, TC, NK, -1, 0, "source name"},
    [DF_REJECT_REASON_NAME] = {"rj.reason_name", "response.reject_reason_name",
			       STR, TC, NK, -1, 0, "reason name"},
    /* release and abort */
    [DF_RELEASE_COLLISION] = {"release.collision", "release.collision", BOOL,
			      BOTH, NK, -1, 0,
			      "both sides requested the release"},
    [DF_ABORT_SOURCE] = {"abort.source", "abort.source", UINT, BOTH, NK, -1, 0,
			 "A-ABORT source"},
    [DF_ABORT_REASON] = {"abort.reason", "abort.reason", UINT, BOTH, NK, -1, 0,
			 "A-ABORT reason/diag."},
    [DF_ABORT_SOURCE_NAME] = {"abort.source_name", "abort.source_name", STR,
			      BOTH, NK, -1, 0, "source name"},
    [DF_ABORT_REASON_NAME] = {"abort.reason_name", "abort.reason_name", STR,
			      BOTH, NK, -1, 0, "reason name"},
    /* DIMSE request */
    [DF_COMMAND] = {"command", NULL, STR, BOTH, MD_FF_MULTI | MD_FF_NOLOG, -1,
		    0, "command names (C-FIND-RQ, C-FIND-RSP, ...)"},
    [DF_RQ_COMMAND] = {"rq.command", "request.command", STR, BOTH, NK, -1, 0,
		       "request command name"},
    [DF_RQ_MESSAGE_ID] = {"rq.message_id", "request.message_id", UINT, BOTH, NK,
			  -1, 0, "MessageID"},
    [DF_RQ_RESPONDED_ID] = {"rq.message_id_being_responded_to",
			    "request.message_id_being_responded_to", UINT, BOTH,
			    NK, -1, 0, "message a C-CANCEL-RQ cancels"},
    [DF_RQ_CONTEXT_ID] = {"rq.context_id", "request.context_id", UINT, BOTH, NK,
			  -1, 0, "presentation context id"},
    [DF_RQ_TS] = {"rq.transfer_syntax", "request.transfer_syntax", STR, BOTH,
		  NK, -1, 0, "transfer syntax of the context"},
    [DF_SOP_CLASS] = {"sop_class_uid", "request.sop_class_uid", STR, BOTH, 0,
		      -1, 0, "affected or requested SOP class UID"},
    [DF_SOP_CLASS_NAME] = {"rq.sop_class_name", "request.sop_class_name", STR,
			   BOTH, NK, -1, 0, "SOP class name"},
    [DF_SOP_INSTANCE] = {"sop_instance_uid", "request.sop_instance_uid", STR,
			 BOTH, 0, -1, 0,
			 "affected or requested SOP instance UID"},
    [DF_PRIORITY] = {"rq.priority", "request.priority", UINT, BOTH, NK, -1, 0,
		     "0 medium, 1 high, 2 low"},
    [DF_MOVE_DESTINATION] = {"move_destination", "request.move_destination",
			     STR, BOTH, 0, -1, 0, "C-MOVE destination AE"},
    [DF_MOVE_ORIG_AE] = {"rq.move_originator_ae", "request.move_originator_ae",
			 STR, BOTH, NK, -1, 0,
			 "C-MOVE originator AE (C-STORE sub-operation)"},
    [DF_MOVE_ORIG_ID] = {"rq.move_originator_message_id",
			 "request.move_originator_message_id", UINT, BOTH, NK,
			 -1, 0, "C-MOVE originator message id"},
    [DF_EVENT_TYPE_ID] = {"rq.event_type_id", "request.event_type_id", UINT,
			  BOTH, NK, -1, 0, "N-EVENT-REPORT type"},
    [DF_ACTION_TYPE_ID] = {"rq.action_type_id", "request.action_type_id", UINT,
			   BOTH, NK, -1, 0, "N-ACTION type"},
    [DF_RQ_DATA_SET] = {"rq.data_set", "request.data_set", BOOL, BOTH, NK, -1,
			0, "the request carries a data set"},
    [DF_CANCELLED] = {"rq.cancelled", "request.cancelled", BOOL, BOTH, NK, -1,
		      0, "a C-CANCEL-RQ followed"},
    [DF_QUERY_WILDCARD] = {"rq.query_wildcard", "request.query_wildcard", BOOL,
			   BOTH, NK, -1, 0, "a query key holds '*' or '?'"},
    [DF_QUERY_KEYS] = {"rq.query_keys", "request.query_keys", GROUP, BOTH, NK,
		       -1, 0, "C-FIND/GET/MOVE identifier keys"},
    [DF_QK_TAG] = {"rq.qk.tag", "tag", STR, BOTH, NK, DF_QUERY_KEYS, 0,
		   "ggggeeee"},
    [DF_QK_KEYWORD] = {"rq.qk.keyword", "keyword", STR, BOTH, NK, DF_QUERY_KEYS,
		       0, "keyword when known"},
    [DF_QK_WILDCARD] = {"rq.qk.wildcard", "wildcard", BOOL, BOTH, NK,
			DF_QUERY_KEYS, 0, "value holds '*' or '?'"},
    [DF_QK_EMPTY] = {"rq.qk.empty", "empty", BOOL, BOTH, NK, DF_QUERY_KEYS, 0,
		     "empty value (universal match / return key)"},
#define DICOM_KEY(kw, tag, name, flags)                                        \
	[DF_RQ_KEY0 + DICOM_KEY_##kw] = {"rq." #name,                          \
					 "request.dataset." #name,             \
					 STR,                                  \
					 BOTH,                                 \
					 NK | (flags),                         \
					 -1,                                   \
					 0,                                    \
					 #kw " of the request data set"},
#include "dicom-keys.def"
#undef DICOM_KEY
    [DF_ATTRIBUTE] = {"attribute", NULL, STR, BOTH,
		      MD_FF_ARG | MD_FF_MULTI | MD_FF_NOLOG, -1, 0,
		      "top-level data set attribute by keyword or tag"},
    [DF_DOCUMENT] = {"encapsulated_document", NULL, MD_FT_BYTES, BOTH,
		     MD_FF_CHUNKED | MD_FF_NOLOG, -1, 0,
		     "first bytes of EncapsulatedDocument (filemagic)"},
    [DF_DOC_LENGTH] = {"rq.document_length", "request.dataset.document_length",
		       UINT, BOTH, NK, -1, 0, "EncapsulatedDocument length"},
    /* DIMSE response */
    [DF_RSP_COMMAND] = {"rsp.command", "response.command", STR, BOTH, NK, -1, 0,
			"response command name"},
    [DF_RSP_MESSAGE_ID] = {"rsp.message_id",
			   "response.message_id_being_responded_to", UINT, BOTH,
			   NK, -1, 0, "MessageIDBeingRespondedTo"},
    [DF_STATUS] = {"status", "response.status", UINT, BOTH, 0, -1, 0,
		   "final status"},
    [DF_STATUS_CATEGORY] = {"rsp.status_category", "response.status_category",
			    STR, BOTH, NK, -1, 0,
			    "success, pending, cancel, warning, failure"},
    [DF_STATUS_MEANING] = {"rsp.status_meaning", "response.status_meaning", STR,
			   BOTH, NK, -1, 0, "status meaning"},
    [DF_ERROR_COMMENT] = {"rsp.error_comment", "response.error_comment", STR,
			  BOTH, NK, -1, 0, "ErrorComment"},
    [DF_ERROR_ID] = {"rsp.error_id", "response.error_id", UINT, BOTH, NK, -1, 0,
		     "ErrorID"},
    [DF_RSP_SOP_INSTANCE] = {"rsp.sop_instance_uid",
			     "response.sop_instance_uid", STR, BOTH, NK, -1, 0,
			     "affected SOP instance UID (N-CREATE)"},
    [DF_SUBOPS_REMAINING] = {"rsp.remaining",
			     "response.sub_operations.remaining", UINT, BOTH,
			     NK, -1, 0, "remaining sub-operations"},
    [DF_SUBOPS_COMPLETED] = {"rsp.completed",
			     "response.sub_operations.completed", UINT, BOTH,
			     NK, -1, 0, "completed sub-operations"},
    [DF_SUBOPS_FAILED] = {"rsp.failed", "response.sub_operations.failed", UINT,
			  BOTH, NK, -1, 0, "failed sub-operations"},
    [DF_SUBOPS_WARNING] = {"rsp.warning", "response.sub_operations.warning",
			   UINT, BOTH, NK, -1, 0,
			   "sub-operations with warnings"},
    [DF_RSP_COUNT] = {"rsp.count", "response.count", UINT, BOTH, NK, -1, 0,
		      "responses received (pending and final)"},
    [DF_FIND_RESULTS] = {"find_results", "response.find_results", UINT, BOTH, 0,
			 -1, DICOM_PROGRESS_DONE,
			 "pending C-FIND/C-GET responses"},
    [DF_MATCHES] = {"rsp.matches", "response.matches", GROUP, BOTH, NK, -1, 0,
		    "key attributes of response data sets"},
#define DICOM_KEY(kw, tag, name, flags)                                        \
	[DF_M_KEY0 + DICOM_KEY_##kw] = {                                       \
	    "match." #name, #name,	STR, BOTH,                             \
	    NK | (flags),   DF_MATCHES, 0,   #kw " of a response data set"},
#include "dicom-keys.def"
#undef DICOM_KEY
};

/* ---- value checks -------------------------------------------------- */

struct md_span dicom_trim(struct md_span v, bool lead)
{
	static const uint8_t none[1];
	if (!v.p || !v.len) /* never a NULL pointer, even for nothing */
		return (struct md_span){none, 0};
	struct md_rd r = md_rd_make(v.p, v.len);
	size_t end = v.len, start = 0;
	while (end > 0) {
		int c = md_rd_peek(&r, end - 1);
		if (c != ' ' && c != 0)
			break;
		end--;
	}
	while (lead && start < end && md_rd_peek(&r, start) == ' ')
		start++;
	md_rd_skip(&r, start);
	return md_rd_span(&r, end - start);
}

void dicom_check_shell(struct dicom_state *s, const struct md_sink *k,
		       uint64_t tx, struct md_span v)
{
	struct md_rd r = md_rd_make(v.p, v.len);
	while (md_rd_left(&r)) {
		int c = md_rd_u8(&r);
		if (c && strchr(";|&`$<>\n", c)) {
			dicom_event(s, k, tx, DICOM_EV_SHELL_METACHARACTERS);
			return;
		}
	}
}

void dicom_check_ae(struct dicom_state *s, const struct md_sink *k, uint64_t tx,
		    struct md_span v)
{
	struct md_span t = dicom_trim(v, true);
	struct md_rd r = md_rd_make(t.p, t.len);
	bool bad = t.len == 0 || v.len > DICOM_AE_LEN;
	while (md_rd_left(&r)) {
		int c = md_rd_u8(&r);
		if (c < 0x20 || c == 0x7f || c == '\\')
			bad = true;
	}
	if (bad)
		dicom_event(s, k, tx, DICOM_EV_INVALID_AE_TITLE);
	dicom_check_shell(s, k, tx, t);
}

void dicom_check_uid(struct dicom_state *s, const struct md_sink *k,
		     uint64_t tx, struct md_span v)
{
	struct md_span t = dicom_trim(v, false);
	struct md_rd r = md_rd_make(t.p, t.len);
	bool bad = t.len > DICOM_UID_MAX, path = false;
	int prev = 0;
	while (md_rd_left(&r)) {
		int c = md_rd_u8(&r);
		if ((c < '0' || c > '9') && c != '.')
			bad = true;
		if (c == '/' || c == '\\' || (c == '.' && prev == '.'))
			path = true;
		prev = c;
	}
	if (bad)
		dicom_event(s, k, tx, DICOM_EV_INVALID_UID);
	if (path)
		dicom_event(s, k, tx, DICOM_EV_PATH_IN_UID);
	dicom_check_shell(s, k, tx, t);
}

/* ---- dictionary ------------------------------------------------------ */

/* strcmp() of a span against a C string. */
static int span_cmp(struct md_span a, const char *b)
{
	struct md_rd r = md_rd_make(a.p, a.len);
	for (;; b++) {
		int c = md_rd_left(&r) ? md_rd_u8(&r) : 0;
		if (c != (unsigned char)*b || !c)
			return c - (unsigned char)*b;
	}
}

const struct dicom_uid_def *dicom_uid_find(struct md_span uid)
{
	struct md_span t = dicom_trim(uid, false);
	size_t lo = 0, hi = dicom_n_uids;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = span_cmp(t, dicom_uids[mid].uid);
		if (c == 0)
			return &dicom_uids[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct dicom_tag_def *dicom_tag_find(uint32_t tag)
{
	size_t lo = 0, hi = dicom_n_tags;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (dicom_tags[mid].tag == tag)
			return &dicom_tags[mid];
		if (dicom_tags[mid].tag > tag)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

void dicom_str(const struct md_sink *k, uint64_t tx, unsigned f,
	       const char *str)
{
	k->tx_str(k->ctx, tx, f, (const uint8_t *)str, strlen(str));
}

void dicom_uid_fields(const struct md_sink *k, uint64_t tx, unsigned f_uid,
		      unsigned f_name, struct md_span uid)
{
	struct md_span t = dicom_trim(uid, false);
	k->tx_str(k->ctx, tx, f_uid, t.p, t.len);
	const struct dicom_uid_def *d = dicom_uid_find(t);
	if (d && f_name < DF_MAX)
		dicom_str(k, tx, f_name, d->name);
}

void dicom_event(struct dicom_state *s, const struct md_sink *k, uint64_t tx,
		 unsigned ev)
{
	if (ev >= DICOM_EV_MAX)
		return;
	if (tx == MD_TX_NONE) {
		if (s->ev_count[ev] >= DICOM_EVENT_REPEAT)
			return;
		s->ev_count[ev]++;
	} else {
		uint32_t *mask = dicom_tx_evmask(s, tx);
		if (mask && (*mask & (1u << ev)))
			return;
		if (mask)
			*mask |= 1u << ev;
	}
	k->event(k->ctx, tx, ev);
}

/* ---- the contract ----------------------------------------------------- */

/* Printable bytes [from, to) of the probe buffer; -1 when short. */
static int probe_printable(const struct md_rd *r, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		int c = md_rd_peek(r, i);
		if (c < 0)
			return -1;
		if (c < 0x20 || c > 0x7e)
			return 0;
	}
	return 1;
}

static enum md_probe_rc dicom_probe(const uint8_t *buf, size_t len,
				    enum md_dir dir)
{
	struct md_rd r = md_rd_make(buf, len);
	if (dir != MD_DIR_TOSERVER)
		return MD_PROBE_NO;
	int t = md_rd_peek(&r, 0), z = md_rd_peek(&r, 1);
	if (t >= 0 && t != DICOM_PDU_ASSOC_RQ) /* TLS (0x16 0x03) included */
		return MD_PROBE_NO;
	if (t < 0 || z < 0)
		return MD_PROBE_NEED_MORE;
	if (z != 0)
		return MD_PROBE_NO;
	if (md_rd_left(&r) < 8)
		return MD_PROBE_NEED_MORE;
	md_rd_skip(&r, 2);
	uint32_t plen = md_rd_be32(&r);
	uint16_t version = md_rd_be16(&r);
	if (plen < DICOM_ASSOC_FIXED || plen > (1u << 24) || !(version & 1))
		return MD_PROBE_NO;
	int pr = probe_printable(&r, 2, 2 + 2 * DICOM_AE_LEN);
	if (pr <= 0)
		return pr < 0 ? MD_PROBE_NEED_MORE : MD_PROBE_NO;
	int item = md_rd_peek(&r, DICOM_ASSOC_FIXED - 2);
	if (item < 0)
		return MD_PROBE_NEED_MORE;
	return (item == DICOM_ITEM_APP_CONTEXT || item == DICOM_ITEM_PC_RQ ||
		item == DICOM_ITEM_USER_INFO)
		   ? MD_PROBE_YES
		   : MD_PROBE_NO;
}

static int dicom_init(void *state, const struct md_limits *lim)
{
	struct dicom_state *s = state;
	s->lim = *lim;
	s->assoc_tx = s->release_tx = MD_TX_NONE;
	for (int d = 0; d < 2; d++) {
		s->dir[d].msg.tx = MD_TX_NONE;
	}
	return 0;
}

static void dicom_fini(void *state)
{
	dicom_dimse_fini(state);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Four hex digits at g then four at e into *tag; -1 on a non-digit. */
static int hex_tag(const char *g, const char *e, uint32_t *tag)
{
	uint32_t v = 0;
	for (int i = 0; i < 8; i++) {
		int x = hex_digit(i < 4 ? g[i] : e[i - 4]);
		if (x < 0)
			return -1;
		v = v << 4 | (uint32_t)x;
	}
	*tag = v;
	return 0;
}

/* "(gggg,eeee)", "ggggeeee" or a keyword (any case) -> "GGGGEEEE". */
static int dicom_arg_norm(unsigned field, const char *arg, char *out,
			  size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	uint32_t tag = 0;
	int rc = -1;
	if (field != DF_ATTRIBUTE || !arg || outlen < 9)
		return MD_E_INVAL;
	size_t alen = strlen(arg);
	if (alen == 11 && arg[0] == '(' && arg[5] == ',' && arg[10] == ')')
		rc = hex_tag(arg + 1, arg + 6, &tag);
	else if (alen == 8)
		rc = hex_tag(arg, arg + 4, &tag);
	for (size_t i = 0; rc < 0 && i < dicom_n_tags; i++)
		if (strcasecmp(dicom_tags[i].keyword, arg) == 0) {
			tag = dicom_tags[i].tag;
			rc = 0;
		}
	if (rc < 0)
		return MD_E_INVAL;
	for (int d = 0; d < 8; d++)
		out[d] = hex[(tag >> (28 - 4 * d)) & 15];
	out[8] = 0;
	return 0;
}

static const uint16_t dicom_ports[] = {104, 11112, 4242, 0};

const struct md_parser md_parser_dicom = {
    .abi = MD_PARSER_ABI,
    .name = "dicom",
    .desc = "DICOM upper layer, DIMSE and data sets (PS3.8, PS3.7, PS3.5)",
    .ipproto = 6,
    .ports = dicom_ports,
    .state_size = sizeof(struct dicom_state),
    .tx_done_progress = DICOM_PROGRESS_DONE,
    .probe = dicom_probe,
    .init = dicom_init,
    .parse = dicom_parse,
    .gap = dicom_gap,
    .eof = dicom_eof,
    .fini = dicom_fini,
    .arg_norm = dicom_arg_norm,
    .events = dicom_events,
    .n_events = DICOM_EV_MAX,
    .fields = dicom_fields,
    .n_fields = DF_MAX,
};

static const struct md_parser *const dicom_parsers[] = {&md_parser_dicom, NULL};

/* Registered as a built-in plugin (plugin/registry.c). */
const struct md_plugin md_plugin_dicom = {
    .abi = MD_PARSER_ABI,
    .name = "dicom",
    .version = "built-in",
    .desc = "DICOM upper layer, DIMSE and data sets",
    .parsers = dicom_parsers,
};
