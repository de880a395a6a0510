/* dicom.h - DICOM parser: wire constants, state, fields and events shared by
 * the files of parsers/dicom/.
 *
 * Normative references: DICOM PS3.8 (upper layer: PDUs, items, state
 * machine), PS3.7 (DIMSE command sets, Annex D user-information
 * sub-items), PS3.5 (data set encoding, transfer syntaxes), PS3.6 (data
 * dictionary, UID registry).
 *
 * Every PDU (PS3.8 9.3), big endian:
 *
 *   0      1      2                      6
 *   +------+------+----------------------+------------------------+
 *   | type | rsvd | length (4, BE)       | length bytes           |
 *   +------+------+----------------------+------------------------+
 *   type 1 A-ASSOCIATE-RQ  2 -AC  3 -RJ  4 P-DATA-TF
 *        5 A-RELEASE-RQ    6 -RP  7 A-ABORT
 *
 * A-ASSOCIATE-RQ / -AC (PS3.8 9.3.2, 9.3.3):
 *
 *   6           8        10              26              42      74
 *   +-----------+--------+---------------+---------------+-------+-------+
 *   | version(2)| rsvd(2)| called AE(16) | calling AE(16)| rsvd  | items |
 *   +-----------+--------+---------------+---------------+-------+-------+
 *   items:  +------+------+-----------+---------+
 *           | type | rsvd | len(2,BE) | value   |   0x10 application
 *           +------+------+-----------+---------+   context, 0x20 (RQ) /
 *   0x21 (AC) presentation context, 0x50 user information; inside a
 *   presentation context 0x30 abstract syntax, 0x40 transfer syntax;
 *   inside user information 0x51..0x59 (PS3.7 Annex D).
 *
 *   presentation context:  | id | rsvd | result (AC) | rsvd | sub-items |
 *
 * A-ASSOCIATE-RJ, A-ABORT (length 4): | rsvd | rsvd/result | source |
 * reason |;  A-RELEASE-RQ/RP (length 4): 4 reserved bytes.
 *
 * P-DATA-TF (PS3.8 9.3.5): a run of PDV items up to the PDU length:
 *
 *   +---------------+--------+-----------+--------------------------+
 *   | PDV length(4) | ctx id | ctrl hdr  | fragment (length-2)      |
 *   +---------------+--------+-----------+--------------------------+
 *   ctrl hdr (PS3.8 E.2): bit 0 = 1 command / 0 data set,
 *                         bit 1 = 1 last fragment of it
 *
 * A DIMSE message (PS3.7 6.3) is a command set (group 0000, always
 * implicit VR little endian) in command fragments, then, when
 * CommandDataSetType is not 0x0101, a data set in data fragments encoded
 * in the presentation context's transfer syntax:
 *
 *   implicit LE:  | group(2) | elem(2) | length(4) | value |
 *   explicit LE/BE: | group | elem | VR(2) | length(2) | value |
 *              or   | group | elem | VR(2) | 0000 | length(4) | value |
 *                   (OB OD OF OL OV OW SQ SV UC UN UR UT UV)
 *   items and delimiters (FFFE,E000/E00D/E0DD): | tag | length(4) |
 */
#ifndef MD_DICOM_H
#define MD_DICOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "md-parser.h"

/* ---- wire constants ------------------------------------------------- */

enum {
	DICOM_PDU_ASSOC_RQ = 1,
	DICOM_PDU_ASSOC_AC = 2,
	DICOM_PDU_ASSOC_RJ = 3,
	DICOM_PDU_PDATA = 4,
	DICOM_PDU_RELEASE_RQ = 5,
	DICOM_PDU_RELEASE_RP = 6,
	DICOM_PDU_ABORT = 7,
};

enum {
	DICOM_ITEM_APP_CONTEXT = 0x10,
	DICOM_ITEM_PC_RQ = 0x20,
	DICOM_ITEM_PC_AC = 0x21,
	DICOM_ITEM_ABSTRACT = 0x30,
	DICOM_ITEM_TRANSFER = 0x40,
	DICOM_ITEM_USER_INFO = 0x50,
	DICOM_SUB_MAX_LENGTH = 0x51,
	DICOM_SUB_IMPL_UID = 0x52,
	DICOM_SUB_ASYNC = 0x53,
	DICOM_SUB_ROLE = 0x54,
	DICOM_SUB_IMPL_VERSION = 0x55,
	DICOM_SUB_EXT_NEG = 0x56,
	DICOM_SUB_COMMON_EXT_NEG = 0x57,
	DICOM_SUB_USER_ID_RQ = 0x58,
	DICOM_SUB_USER_ID_AC = 0x59,
};

#define DICOM_PDU_HDR	   6
#define DICOM_PDV_HDR	   6
#define DICOM_ASSOC_FIXED  68 /* version .. reserved, before the items */
#define DICOM_AE_LEN	   16
#define DICOM_UID_MAX	   64
#define DICOM_MAX_CONTEXTS 128 /* odd ids 1..255 (PS3.8 9.3.2.2) */
#define DICOM_PDV_COMMAND  0x01
#define DICOM_PDV_LAST	   0x02

/* Command set elements (PS3.7 E.1), group 0000. */
enum {
	DICOM_CMD_GROUP_LENGTH = 0x0000,
	DICOM_CMD_AFFECTED_SOP_CLASS = 0x0002,
	DICOM_CMD_REQUESTED_SOP_CLASS = 0x0003,
	DICOM_CMD_COMMAND_FIELD = 0x0100,
	DICOM_CMD_MESSAGE_ID = 0x0110,
	DICOM_CMD_RESPONDED_ID = 0x0120,
	DICOM_CMD_MOVE_DESTINATION = 0x0600,
	DICOM_CMD_PRIORITY = 0x0700,
	DICOM_CMD_DATA_SET_TYPE = 0x0800,
	DICOM_CMD_STATUS = 0x0900,
	DICOM_CMD_OFFENDING = 0x0901,
	DICOM_CMD_ERROR_COMMENT = 0x0902,
	DICOM_CMD_ERROR_ID = 0x0903,
	DICOM_CMD_AFFECTED_SOP_INSTANCE = 0x1000,
	DICOM_CMD_REQUESTED_SOP_INSTANCE = 0x1001,
	DICOM_CMD_EVENT_TYPE = 0x1002,
	DICOM_CMD_ACTION_TYPE = 0x1008,
	DICOM_CMD_REMAINING = 0x1020,
	DICOM_CMD_COMPLETED = 0x1021,
	DICOM_CMD_FAILED = 0x1022,
	DICOM_CMD_WARNING = 0x1023,
	DICOM_CMD_MOVE_ORIG_AE = 0x1030,
	DICOM_CMD_MOVE_ORIG_ID = 0x1031,
};

#define DICOM_NO_DATA_SET 0x0101 /* CommandDataSetType: no data set */
#define DICOM_CMD_RSP_BIT 0x8000
#define DICOM_C_CANCEL_RQ 0x0FFF

/* ---- limits (README.md lists them with their defaults) --------------- */

#define DICOM_VALUE_CAP	   4096 /* data-set value bytes kept (and max_field) */
#define DICOM_MAX_DEPTH	   64	/* undefined-length sequences/items nested */
#define DICOM_MAX_BAD_PDUS 4	/* unknown PDU types before giving up */
#define DICOM_EVENT_REPEAT 8	/* flow-level raises of one event */
#define DICOM_INFLATE_MAX  (64u << 20) /* inflated bytes per data set */

/* ---- events (index into dicom_events[]) ------------------------------ */

enum dicom_event {
	DICOM_EV_PDU_TOO_LONG,
	DICOM_EV_PDU_LENGTH_MISMATCH,
	DICOM_EV_ITEM_LENGTH_OVERFLOW,
	DICOM_EV_UNKNOWN_PDU_TYPE,
	DICOM_EV_UNKNOWN_ITEM_TYPE,
	DICOM_EV_INVALID_AE_TITLE,
	DICOM_EV_INVALID_UID,
	DICOM_EV_ODD_VALUE_LENGTH,
	DICOM_EV_PATH_IN_UID,
	DICOM_EV_SHELL_METACHARACTERS,
	DICOM_EV_MISSING_COMMAND_ELEMENT,
	DICOM_EV_PDATA_BEFORE_ASSOCIATION,
	DICOM_EV_PDU_NOT_ALLOWED_IN_STATE,
	DICOM_EV_TOO_MANY_PRESENTATION_CONTEXTS,
	DICOM_EV_MAX_PDU_EXCEEDED,
	DICOM_EV_COMMAND_SET_TOO_LARGE,
	DICOM_EV_INVALID_PRESENTATION_CONTEXT,
	DICOM_EV_INVALID_PDV,
	DICOM_EV_INVALID_COMMAND_SET,
	DICOM_EV_UNKNOWN_COMMAND,
	DICOM_EV_MALFORMED_DATA_SET,
	DICOM_EV_DEFLATE_ERROR,
	DICOM_EV_UNMATCHED_RESPONSE,
	DICOM_EV_STREAM_GAP,
	DICOM_EV_UNSUPPORTED_PROTOCOL_VERSION,
	DICOM_EV_P10_EXECUTABLE_PREAMBLE,
	DICOM_EV_MAX
};

/* ---- fields (index into dicom_fields[]) ------------------------------ */

/* Key attributes of data sets, from the generated dicom-keys.def. */
enum dicom_key {
#define DICOM_KEY(kw, tag, name, flags) DICOM_KEY_##kw,
#include "dicom-keys.def"
#undef DICOM_KEY
	DICOM_N_KEYS
};

enum dicom_field {
	DF_TYPE, /* every transaction */
	DF_PDU_TYPE,
	DF_PROTOCOL_VERSION, /* association request */
	DF_CALLED_AE,
	DF_CALLING_AE,
	DF_APP_CONTEXT,
	DF_PC_COUNT,
	DF_ABSTRACT_SYNTAX,
	DF_TRANSFER_SYNTAX,
	DF_RQ_PCS,
	DF_RQ_PC_ID,
	DF_RQ_PC_AS,
	DF_RQ_PC_AS_NAME,
	DF_RQ_PC_TS,
	DF_RQ_MAX_PDU,
	DF_IMPL_UID,
	DF_IMPL_VERSION,
	DF_RQ_ASYNC_INVOKED,
	DF_RQ_ASYNC_PERFORMED,
	DF_RQ_ROLES,
	DF_RQ_ROLE_UID,
	DF_RQ_ROLE_SCU,
	DF_RQ_ROLE_SCP,
	DF_RQ_EXTNEG,
	DF_RQ_EXTNEG_UID,
	DF_RQ_EXTNEG_LEN,
	DF_RQ_CEXTNEG,
	DF_RQ_CEXTNEG_UID,
	DF_RQ_CEXTNEG_SERVICE,
	DF_RQ_CEXTNEG_RELATED,
	DF_UI_TYPE,
	DF_UI_USERNAME,
	DF_UI_PASSCODE,
	DF_UI_RESPONSE_REQ,
	DF_UI_PRIMARY_LEN,
	DF_RESULT, /* association response */
	DF_AC_PCS,
	DF_AC_PC_ID,
	DF_AC_PC_RESULT,
	DF_AC_PC_RESULT_NAME,
	DF_AC_PC_TS,
	DF_AC_PC_TS_NAME,
	DF_AC_ACCEPTED,
	DF_AC_MAX_PDU,
	DF_AC_IMPL_UID,
	DF_AC_IMPL_VERSION,
	DF_AC_ASYNC_INVOKED,
	DF_AC_ASYNC_PERFORMED,
	DF_AC_ROLES,
	DF_AC_ROLE_UID,
	DF_AC_ROLE_SCU,
	DF_AC_ROLE_SCP,
	DF_AC_EXTNEG,
	DF_AC_EXTNEG_UID,
	DF_AC_EXTNEG_LEN,
	DF_AC_UI_RESPONSE_LEN,
	DF_REJECT_RESULT,
	DF_REJECT_SOURCE,
	DF_REJECT_REASON,
	DF_REJECT_RESULT_NAME,
	DF_REJECT_SOURCE_NAME,
	DF_REJECT_REASON_NAME,
	DF_RELEASE_COLLISION, /* release and abort */
	DF_ABORT_SOURCE,
	DF_ABORT_REASON,
	DF_ABORT_SOURCE_NAME,
	DF_ABORT_REASON_NAME,
	DF_COMMAND, /* DIMSE request */
	DF_RQ_COMMAND,
	DF_RQ_MESSAGE_ID,
	DF_RQ_RESPONDED_ID,
	DF_RQ_CONTEXT_ID,
	DF_RQ_TS,
	DF_SOP_CLASS,
	DF_SOP_CLASS_NAME,
	DF_SOP_INSTANCE,
	DF_PRIORITY,
	DF_MOVE_DESTINATION,
	DF_MOVE_ORIG_AE,
	DF_MOVE_ORIG_ID,
	DF_EVENT_TYPE_ID,
	DF_ACTION_TYPE_ID,
	DF_RQ_DATA_SET,
	DF_CANCELLED,
	DF_QUERY_WILDCARD,
	DF_QUERY_KEYS,
	DF_QK_TAG,
	DF_QK_KEYWORD,
	DF_QK_WILDCARD,
	DF_QK_EMPTY,
	DF_RQ_KEY0,
	DF_ATTRIBUTE = DF_RQ_KEY0 + DICOM_N_KEYS,
	DF_DOCUMENT,
	DF_DOC_LENGTH,
	DF_RSP_COMMAND, /* DIMSE response */
	DF_RSP_MESSAGE_ID,
	DF_STATUS,
	DF_STATUS_CATEGORY,
	DF_STATUS_MEANING,
	DF_ERROR_COMMENT,
	DF_ERROR_ID,
	DF_RSP_SOP_INSTANCE,
	DF_SUBOPS_REMAINING,
	DF_SUBOPS_COMPLETED,
	DF_SUBOPS_FAILED,
	DF_SUBOPS_WARNING,
	DF_RSP_COUNT,
	DF_FIND_RESULTS,
	DF_MATCHES,
	DF_M_KEY0,
	DF_MAX = DF_M_KEY0 + DICOM_N_KEYS
};

/* Transaction progress: 1 = that direction's part is complete. */
#define DICOM_PROGRESS_DONE 1

/* ---- dictionary (dicom-dict-tab.c, generated by gen-dict.py) --------- */

enum dicom_ts {
	DICOM_TS_NONE = 0, /* not a transfer syntax */
	DICOM_TS_IMPLICIT_LE,
	DICOM_TS_EXPLICIT_LE,
	DICOM_TS_EXPLICIT_BE,
	DICOM_TS_DEFLATED,
};

struct dicom_tag_def {
	uint32_t tag;
	const char *keyword;
	const char *vr;
	int key; /* enum dicom_key, or -1 */
};

struct dicom_uid_def {
	const char *uid;
	const char *name;
	uint8_t ts; /* enum dicom_ts */
};

extern const struct dicom_tag_def dicom_tags[];
extern const size_t dicom_n_tags;
extern const struct dicom_uid_def dicom_uids[];
extern const size_t dicom_n_uids;

/* ---- per-flow state --------------------------------------------------- */

enum dicom_assoc_state {
	DICOM_AS_IDLE = 0,  /* Sta2: waiting for A-ASSOCIATE-RQ */
	DICOM_AS_AWAIT_AC,  /* Sta3/Sta5: RQ seen, waiting for AC/RJ */
	DICOM_AS_OPEN,	    /* Sta6: data transfer */
	DICOM_AS_RELEASING, /* Sta7..Sta12: release requested */
	DICOM_AS_RELEASED,  /* Sta13: released, only the close may follow */
	DICOM_AS_REJECTED,  /* RJ sent */
	DICOM_AS_ABORTED,   /* A-ABORT sent */
};

enum dicom_frame {
	DICOM_FR_PDU_HDR = 0, /* need the 6-byte PDU header */
	DICOM_FR_WHOLE,	      /* need the whole (non P-DATA) PDU */
	DICOM_FR_PDV_HDR,     /* inside P-DATA: need a PDV header */
	DICOM_FR_PDV_DATA,    /* inside a PDV: stream its bytes */
	DICOM_FR_SKIP,	      /* skip skip_left bytes, then a PDU header */
	DICOM_FR_LOST,	      /* framing lost: ignore the rest */
};

/* Presentation context, indexed by its id. */
struct dicom_pctx {
	uint8_t proposed;
	uint8_t accepted;
	uint8_t ts;	 /* enum dicom_ts of the accepted transfer syntax */
	uint16_t ts_idx; /* its index in dicom_uids + 1, 0 when unknown */
};

/* Streaming data-set element walker (dicom-dataset.c). */
struct dicom_walker {
	uint8_t ts;	/* enum dicom_ts */
	uint8_t st;	/* internal state */
	uint8_t hb[12]; /* element header being assembled */
	uint8_t hlen, hneed;
	bool stop;	/* nothing more of interest in this data set */
	bool bad;	/* malformed: ignore the rest */
	uint16_t depth; /* open undefined-length sequences and items */
	uint32_t tag, vlen;
	char vr[3];
	uint16_t un_depth;  /* depth of an undefined-length UN (implicit LE) */
	uint64_t left;	    /* value bytes still to read */
	uint32_t keep, got; /* value bytes to keep / kept */
	uint8_t *val;	    /* DICOM_VALUE_CAP bytes, lazily allocated */
	void *z;	    /* z_stream of a deflated data set */
	bool zend;	    /* the deflate stream ended */
	uint64_t inflated;
};

#define DICOM_UNDEFINED 0xFFFFFFFFu /* undefined length */

/* The DIMSE message in flight in one direction (dicom-dimse.c). */
struct dicom_msg {
	uint8_t st;   /* DICOM_MSG_* */
	uint8_t kind; /* DICOM_KIND_*: what its transaction is */
	uint8_t ctx;  /* presentation context id */
	uint8_t pdv;  /* DICOM_PDV_IS_* of the current PDV */
	bool pdv_last;
	bool cmd_over;
	bool final;    /* response: not pending */
	bool query;    /* C-FIND/GET/MOVE identifier: keys are queries */
	bool wildcard; /* a query key holds a wildcard */
	bool had_data;
	uint8_t match; /* response.matches element: 0 undecided, 1 open, 2 no */
	uint8_t *cmd;
	uint32_t cmd_len, cmd_cap;
	uint64_t tx;	/* transaction its fields go to, or MD_TX_NONE */
	uint32_t attrs; /* attribute values reported from its data set */
	uint32_t keys;	/* query keys reported */
};

enum {
	DICOM_KIND_NONE = 0,  /* no transaction (unknown command) */
	DICOM_KIND_RQ,	      /* request, waiting for its response */
	DICOM_KIND_RQ_ALONE,  /* request completed on its own */
	DICOM_KIND_RSP,	      /* response to an outstanding request */
	DICOM_KIND_RSP_ALONE, /* response without request */
	DICOM_KIND_CANCEL,    /* C-CANCEL-RQ folded into its request */
};

enum { DICOM_PDV_IS_IGNORED = 0, DICOM_PDV_IS_CMD, DICOM_PDV_IS_DATA };

enum { DICOM_MSG_NONE = 0, DICOM_MSG_CMD, DICOM_MSG_DATA };

struct dicom_dir {
	uint8_t fr; /* enum dicom_frame */
	uint8_t pdu_type;
	uint8_t pdv_ctx, pdv_flags;
	uint8_t bad_pdus;
	uint32_t pdu_len;
	uint32_t pdu_left; /* P-DATA bytes after the current point */
	uint32_t pdv_left; /* fragment bytes left in the current PDV */
	uint64_t skip_left;
	uint64_t tail;	   /* bytes the last parse call left unconsumed */
	uint64_t awaiting; /* size of the whole PDU those bytes begin, or 0 */
	struct dicom_msg msg;
	struct dicom_walker ds;
};

/* An outstanding DIMSE request waiting for its response(s). */
struct dicom_op {
	uint64_t tx;
	uint16_t msg_id;
	uint16_t command;
	uint8_t req_dir;
	uint32_t evmask; /* events already raised on the transaction */
	uint32_t pending;
	uint32_t matches;
	uint32_t responses;
};

struct dicom_state {
	struct md_limits lim;
	uint8_t assoc;	      /* enum dicom_assoc_state */
	uint8_t release_dir;  /* direction of the first A-RELEASE-RQ */
	uint8_t release_need; /* A-RELEASE-RP still expected */
	bool eof[2];
	uint64_t assoc_tx, release_tx;
	uint32_t assoc_evmask;
	uint32_t max_pdu[2]; /* largest P-DATA length the receiver accepts */
	struct dicom_pctx pctx[256];
	struct dicom_dir dir[2];
	struct dicom_op *ops;
	uint32_t n_ops, cap_ops;
	uint8_t ev_count[DICOM_EV_MAX];
};

/* ---- dicom.c: descriptor helpers ------------------------------------- */

extern const struct md_parser md_parser_dicom;

/* Raise event ev on tx (MD_TX_NONE: the flow). Each event is raised at
 * most once per transaction and DICOM_EVENT_REPEAT times per flow. */
void dicom_event(struct dicom_state *s, const struct md_sink *k, uint64_t tx,
		 unsigned ev);
/* The span without trailing spaces and NULs (and leading spaces when
 * `lead`): DICOM value padding. */
struct md_span dicom_trim(struct md_span v, bool lead);
/* Check an AE title (invalid_ae_title: empty, over 16 bytes, control
 * characters or backslash; shell_metacharacters). */
void dicom_check_ae(struct dicom_state *s, const struct md_sink *k, uint64_t tx,
		    struct md_span v);
/* Check a UID value (invalid_uid, path_in_uid, shell_metacharacters). */
void dicom_check_uid(struct dicom_state *s, const struct md_sink *k,
		     uint64_t tx, struct md_span v);
/* Raise shell_metacharacters when v holds one. */
void dicom_check_shell(struct dicom_state *s, const struct md_sink *k,
		       uint64_t tx, struct md_span v);
/* Dictionary look-ups: NULL / -1 when unknown. */
const struct dicom_uid_def *dicom_uid_find(struct md_span uid);
const struct dicom_tag_def *dicom_tag_find(uint32_t tag);
/* Report a UID and, when known, its name, into two string fields. */
void dicom_uid_fields(const struct md_sink *k, uint64_t tx, unsigned f_uid,
		      unsigned f_name, struct md_span uid);
/* Report a string field from a C string. */
void dicom_str(const struct md_sink *k, uint64_t tx, unsigned f,
	       const char *str);

/* ---- dicom-pdu.c: framing and association state ------------------------ */

enum md_parse_rc dicom_parse(void *state, enum md_dir dir, const uint8_t *buf,
			     size_t len, size_t *consumed,
			     const struct md_sink *sink);
void dicom_gap(void *state, enum md_dir dir, uint64_t len,
	       const struct md_sink *sink);
void dicom_eof(void *state, enum md_dir dir, const struct md_sink *sink);
/* Complete every open transaction (association end). */
void dicom_close_all(struct dicom_state *s, const struct md_sink *k);

/* ---- dicom-assoc.c: A-ASSOCIATE, A-RELEASE, A-ABORT -------------------- */

/* Each takes a reader over the PDU body (after the 6-byte header). */
void dicom_assoc_rq(struct dicom_state *s, const struct md_sink *k,
		    struct md_rd *r);
void dicom_assoc_ac(struct dicom_state *s, const struct md_sink *k,
		    struct md_rd *r);
void dicom_assoc_rj(struct dicom_state *s, const struct md_sink *k,
		    struct md_rd *r);
void dicom_release(struct dicom_state *s, const struct md_sink *k,
		   enum md_dir dir, uint8_t type);
void dicom_abort(struct dicom_state *s, const struct md_sink *k,
		 enum md_dir dir, struct md_rd *r);

/* ---- dicom-dimse.c: PDVs, command sets, DIMSE transactions ------------- */

/* A PDV starts (header read), brings fragment bytes, ends. */
void dicom_pdv_begin(struct dicom_state *s, const struct md_sink *k,
		     enum md_dir dir, uint8_t ctx, uint8_t flags);
void dicom_pdv_data(struct dicom_state *s, const struct md_sink *k,
		    enum md_dir dir, struct md_rd *r);
void dicom_pdv_end(struct dicom_state *s, const struct md_sink *k,
		   enum md_dir dir);
/* Bytes of direction dir were lost inside the current message: it is
 * dropped when it ends, or at once when `abandon` (framing skipped ahead). */
void dicom_msg_lost(struct dicom_state *s, enum md_dir dir, bool abandon);
/* Finish or flush every outstanding DIMSE transaction. */
void dicom_dimse_close_all(struct dicom_state *s, const struct md_sink *k);
/* Free what the DIMSE layer allocated. */
void dicom_dimse_fini(struct dicom_state *s);
/* Event mask slot of transaction tx, or NULL. */
uint32_t *dicom_tx_evmask(struct dicom_state *s, uint64_t tx);

/* Data-set element callbacks (called by the walker for top-level
 * elements). want: how many value bytes of the element to keep, or -1 to
 * skip it. value: the kept bytes (len) of an element of full length vlen
 * (DICOM_UNDEFINED for a sequence: val NULL). vr is "" in implicit VR. */
int32_t dicom_ds_want(struct dicom_state *s, enum md_dir dir, uint32_t tag,
		      const char *vr, uint32_t vlen);
void dicom_ds_value(struct dicom_state *s, const struct md_sink *k,
		    enum md_dir dir, uint32_t tag, const char *vr,
		    const uint8_t *val, uint32_t len, uint32_t vlen);

/* ---- dicom-dataset.c: streaming element walker ------------------------- */

/* Start walking a data set of transfer syntax ts (enum dicom_ts). */
void dicom_ds_start(struct dicom_walker *w, uint8_t ts);
/* Walk the bytes of r (all consumed). */
void dicom_ds_feed(struct dicom_state *s, const struct md_sink *k,
		   enum md_dir dir, struct md_rd *r);
/* The data set ended (last fragment): report truncation. */
void dicom_ds_end(struct dicom_state *s, const struct md_sink *k,
		  enum md_dir dir);
/* Release the walker's buffers. */
void dicom_ds_free(struct dicom_walker *w);

#endif
