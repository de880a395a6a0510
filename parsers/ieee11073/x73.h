/* x73.h - IEEE 11073-20601 (personal health device exchange protocol)
 * over TCP: state, field and event ids shared by the parser's files
 * (x73.c framing and association, x73-data.c DATA-apdu and invoke-ids,
 * x73-obs.c event reports, attributes and FLOAT/SFLOAT, x73-defs.c
 * tables).
 *
 * Normative reference: ISO/IEEE 11073-20601:2010 (+ Cor.1 2015), Optimized
 * Exchange Protocol: APDUs in MDER (clause 8, annex A and F), nomenclature
 * codes of ISO/IEEE 11073-10101 and the device specializations
 * 11073-104zz (standard configurations 400, 700, 1500, 1700).
 *
 * An APDU, MDER encoded, big endian, no other framing on TCP:
 *
 *   +------------+------------+---------------------------------+
 *   | choice (2) | length (2) | body (length bytes)             |
 *   +------------+------------+---------------------------------+
 *     E200 AARQ  E300 AARE  E400 RLRQ  E500 RLRE  E600 ABRT  E700 PRST
 *
 *   AARQ: assoc-version (4) | data-proto-list: count (2) length (2)
 *         { data-proto-id (2, 20601 = 0x5079) | Any: length (2) value }
 *         PhdAssociationInformation (the value for 20601):
 *         protocol-version (4) encoding-rules (2) nomenclature-version (4)
 *         functional-units (4) system-type (4) system-id (octet string,
 *         EUI-64) dev-config-id (2) data-req-mode-capab (2+1+1)
 *         option-list: count (2) length (2) ...
 *   AARE: result (2) | data-proto-id (2) | Any (PhdAssociationInformation)
 *   RLRQ, RLRE, ABRT: reason (2)
 *   PRST: octet string: length (2) | DATA-apdu:
 *         invoke-id (2) | choice (2) | length (2) | message
 *           0100 roiv event-report   0101 roiv confirmed-event-report
 *           0103 roiv get            0104 roiv set   0105 confirmed-set
 *           0106 roiv action         0107 roiv confirmed-action
 *           0201 rors confirmed-event-report  0203 rors get
 *           0205 rors confirmed-set  0207 rors confirmed-action
 *           0300 roer (error)        0400 rorj (reject)
 *
 * Lists are count (2) length (2) elements; Any and octet strings are
 * length (2) bytes. Every length is checked against its container.
 */
#ifndef MD_X73_H
#define MD_X73_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "md-parser.h"

#define X73_PROG_DONE	1
#define X73_APDU_MAX	64512u /* 63 KiB: the largest 20601 APDU size */
#define X73_PEND_MAX	32     /* outstanding confirmed requests per side */
#define X73_OBJ_MAX	32     /* objects of a configuration kept */
#define X73_MAP_MAX	8      /* attribute-value-map entries per object */
#define X73_RAW_MAX	64     /* bytes of an undecoded value logged (hex) */
#define X73_TEXT_MAX	256    /* bytes of a manufacturer, model, ... */
#define X73_PROTO_20601 0x5079

/* APDU choices. */
enum {
	X73_AARQ = 0xE200,
	X73_AARE = 0xE300,
	X73_RLRQ = 0xE400,
	X73_RLRE = 0xE500,
	X73_ABRT = 0xE600,
	X73_PRST = 0xE700,
};

/* DATA-apdu message choices. */
enum {
	X73_ROIV_EVENT = 0x0100,
	X73_ROIV_CEVENT = 0x0101,
	X73_ROIV_GET = 0x0103,
	X73_ROIV_SET = 0x0104,
	X73_ROIV_CSET = 0x0105,
	X73_ROIV_ACTION = 0x0106,
	X73_ROIV_CACTION = 0x0107,
	X73_RORS_CEVENT = 0x0201,
	X73_RORS_GET = 0x0203,
	X73_RORS_CSET = 0x0205,
	X73_RORS_CACTION = 0x0207,
	X73_ROER = 0x0300,
	X73_RORJ = 0x0400,
};

/* Nomenclature codes (ISO/IEEE 11073-10101, 20601 annex A). */
enum {
	MDC_MOC_VMO_METRIC_NU = 6,
	MDC_ATTR_ID_MODEL = 2344,
	MDC_ATTR_ID_PROD_SPECN = 2349,
	MDC_ATTR_ID_TYPE = 2351,
	MDC_ATTR_MSMT_STAT = 2375,
	MDC_ATTR_NU_CMPD_VAL_OBS = 2379,
	MDC_ATTR_NU_VAL_OBS = 2384,
	MDC_ATTR_SYS_ID = 2436,
	MDC_ATTR_SYS_TYPE = 2438,
	MDC_ATTR_TIME_ABS = 2439,
	MDC_ATTR_TIME_STAMP_ABS = 2448,
	MDC_ATTR_UNIT_CODE = 2454,
	MDC_ATTR_DEV_CONFIG_ID = 2628,
	MDC_ATTR_NU_VAL_OBS_BASIC = 2636,
	MDC_ATTR_ATTRIBUTE_VAL_MAP = 2645,
	MDC_ATTR_NU_VAL_OBS_SIMP = 2646,
	MDC_ATTR_SYS_TYPE_SPEC_LIST = 2650,
	MDC_ATTR_NU_CMPD_VAL_OBS_SIMP = 2676,
	MDC_ATTR_NU_CMPD_VAL_OBS_BASIC = 2677,
	MDC_ACT_SEG_CLR = 3084,
	MDC_ACT_SEG_GET_INFO = 3085,
	MDC_ACT_SET_TIME = 3095,
	MDC_ACT_DATA_REQUEST = 3099,
	MDC_ACT_SEG_TRIG_XFER = 3100,
	MDC_NOTI_CONFIG = 3356,
	MDC_NOTI_SCAN_REPORT_FIXED = 3357,
	MDC_NOTI_SCAN_REPORT_VAR = 3358,
	MDC_NOTI_SCAN_REPORT_MP_FIXED = 3359,
	MDC_NOTI_SCAN_REPORT_MP_VAR = 3360,
	MDC_NOTI_SEGMENT_DATA = 3361,
	MDC_NOTI_UNBUF_SCAN_REPORT_VAR = 3362,
	MDC_NOTI_UNBUF_SCAN_REPORT_FIXED = 3363,
	MDC_NOTI_UNBUF_SCAN_REPORT_GROUPED = 3364,
	MDC_NOTI_UNBUF_SCAN_REPORT_MP_VAR = 3365,
	MDC_NOTI_UNBUF_SCAN_REPORT_MP_FIXED = 3366,
	MDC_NOTI_UNBUF_SCAN_REPORT_MP_GROUPED = 3367,
	MDC_NOTI_BUF_SCAN_REPORT_VAR = 3368,
	MDC_NOTI_BUF_SCAN_REPORT_FIXED = 3369,
	MDC_NOTI_BUF_SCAN_REPORT_GROUPED = 3370,
	MDC_NOTI_BUF_SCAN_REPORT_MP_VAR = 3371,
	MDC_NOTI_BUF_SCAN_REPORT_MP_FIXED = 3372,
	MDC_NOTI_BUF_SCAN_REPORT_MP_GROUPED = 3373,
};

enum x73_field {
	XF_APDU,
	XF_DATA_CHOICE,
	XF_INVOKER,
	XF_INVOKE_ID,
	XF_SYSTEM_ID,
	XF_DEV_CONFIG_ID,
	XF_ASSOC_VERSION,
	XF_DATA_PROTO_ID,
	XF_PROTOCOL_VERSION,
	XF_ENCODING_RULES,
	XF_NOMENCLATURE_VERSION,
	XF_FUNCTIONAL_UNITS,
	XF_SYSTEM_TYPE,
	XF_DATA_REQ_MODE_FLAGS,
	XF_AARE_RESULT,
	XF_AARE_RESULT_NAME,
	XF_MANAGER_SYSTEM_ID,
	XF_RLRQ_REASON,
	XF_RLRE_REASON,
	XF_ABORT_REASON,
	XF_OBJ_HANDLE,
	XF_EVENT_TIME,
	XF_EVENT_TYPE,
	XF_EVENT_TYPE_NAME,
	XF_ACTION_TYPE,
	XF_ACTION_TYPE_NAME,
	XF_ACTION_TIME,
	XF_ACTION_SEGMENT,
	XF_ATTRIBUTE_IDS,
	XF_MANUFACTURER,
	XF_MODEL,
	XF_SERIAL,
	XF_HW_REVISION,
	XF_SW_REVISION,
	XF_FIRMWARE,
	XF_SPECIALIZATIONS,
	XF_MDS_TIME,
	XF_CONFIG_REPORT_ID,
	XF_CONFIG_RESULT,
	XF_CONFIG_OBJECTS,
	XF_CO_HANDLE,
	XF_CO_CLASS,
	XF_CO_TYPE,
	XF_CO_UNIT,
	XF_CO_MAP,
	XF_SCAN_REPORT_NO,
	XF_OBS,
	XF_OBS_HANDLE,
	XF_OBS_PERSON,
	XF_OBS_TYPE,
	XF_OBS_UNIT,
	XF_OBS_VALUE,
	XF_OBS_VALUES,
	XF_OBS_STATUS,
	XF_OBS_TIME,
	XF_OBS_RAW,
	XF_SEG_INSTANCE,
	XF_SEG_INDEX,
	XF_SEG_COUNT,
	XF_SEG_STATUS,
	XF_ERROR_VALUE,
	XF_REJECT_PROBLEM,
	XF_MAX
};

enum x73_event {
	XE_APDU_LENGTH_MISMATCH,
	XE_MESSAGE_LENGTH_MISMATCH,
	XE_ITEM_LENGTH_MISMATCH,
	XE_APDU_TOO_LONG,
	XE_UNKNOWN_APDU_CHOICE,
	XE_UNKNOWN_DATA_CHOICE,
	XE_INVOKE_ID_REUSE,
	XE_RESPONSE_WITHOUT_REQUEST,
	XE_DATA_BEFORE_ASSOCIATION,
	XE_UNKNOWN_EVENT_TYPE,
	XE_UNKNOWN_DEV_CONFIG_ID,
	XE_OBSERVATION_LAYOUT_MISMATCH,
	XE_TOO_MANY_ITEMS,
	XE_TOO_MANY_OUTSTANDING,
	XE_TRUNCATED_APDU,
	XE_STREAM_GAP,
	XE_MAX
};

/* One object of a configuration: what a fixed observation holds. */
struct x73_map {
	uint16_t id, len;
};
struct x73_obj {
	uint16_t handle, cls, type, unit;
	uint8_t nmap;
	struct x73_map map[X73_MAP_MAX];
};

/* A standard configuration of a device specialization. */
struct x73_stdcfg {
	uint16_t id;
	const char *name;
	uint8_t nobj;
	struct x73_obj obj[4];
};

enum x73_assoc {
	X73_A_NONE = 0,	     /* nothing seen yet */
	X73_A_REQUESTED = 1, /* AARQ sent */
	X73_A_OPERATING = 2, /* AARE accepted */
	X73_A_RELEASING = 3, /* RLRQ sent */
	X73_A_IDLE = 4,	     /* released, aborted or rejected */
};

enum x73_mode {
	X73_M_HEAD = 0, /* at an APDU header */
	X73_M_SKIP,	/* skipping the rest of an APDU not parsed */
	X73_M_RESYNC,	/* after a gap: looking for an APDU header */
};

struct x73_pend {
	uint16_t invoke_id;
	uint16_t choice;
	uint64_t tx;
};

struct x73_dir {
	uint8_t mode;
	bool partial; /* bytes of an unfinished APDU left to the engine */
	uint32_t skip_left;
	struct x73_pend pend[X73_PEND_MAX];
	uint8_t npend;
};

struct x73_state {
	struct md_limits lim;
	int8_t agent_dir; /* direction the agent sends in, -1 unknown */
	uint8_t assoc;	  /* enum x73_assoc */
	bool nodata_ev;	  /* data_before_association raised this period */
	bool aarq_open, rlrq_open;
	uint8_t aarq_dir, rlrq_dir;
	uint64_t aarq_tx, rlrq_tx;
	uint16_t dev_config_id; /* announced by the agent's AARQ */
	bool cfg_known;		/* objects below hold the configuration */
	uint8_t nobj;
	struct x73_obj obj[X73_OBJ_MAX];
	struct x73_dir d[2];
};

/* What one parse/gap/eof call works with. */
struct x73_ctx {
	struct x73_state *s;
	enum md_dir dir;
	const struct md_sink *k;
	uint64_t tx; /* transaction values go to, MD_TX_NONE: none */
};

/* ---- x73-defs.c ---------------------------------------------------------- */
extern const struct md_field_def x73_fields[XF_MAX];
extern const struct md_event_def x73_events[XE_MAX];
/* Names of choices and codes ("aarq", "roiv-get", "accepted",
 * "MDC_NOTI_CONFIG"); NULL when unknown. */
const char *x73_apdu_name(uint16_t choice);
const char *x73_data_choice_name(uint16_t choice);
const char *x73_aare_result_name(uint16_t result);
const char *x73_event_type_name(uint16_t type);
const char *x73_action_type_name(uint16_t type);
/* The standard configuration dev-config-id id, or NULL. */
const struct x73_stdcfg *x73_stdcfg_find(uint16_t id);

/* ---- x73.c --------------------------------------------------------------- */
/* Raise event ev on the current transaction, or on the flow. */
void x73_event(struct x73_ctx *c, unsigned ev);
/* Report values into the current transaction (nothing when none). */
void x73_str(struct x73_ctx *c, unsigned f, const void *v, size_t len);
void x73_cstr(struct x73_ctx *c, unsigned f, const char *v);
void x73_uint(struct x73_ctx *c, unsigned f, uint64_t v);
void x73_group(struct x73_ctx *c, unsigned f);
/* Bytes as lowercase hex (at most max bytes) into the field. */
void x73_hex(struct x73_ctx *c, unsigned f, struct md_span s, size_t max);
/* "agent", "manager" or "unknown": the role of the side sending in dir. */
const char *x73_role(const struct x73_state *s, enum md_dir dir);
/* Complete transaction tx in both directions. */
void x73_done(struct x73_ctx *c, uint64_t tx);

/* ---- x73-data.c ---------------------------------------------------------- */
/* One PRST APDU body (after choice and length). */
void x73_prst(struct x73_ctx *c, struct md_rd *r);
/* Close the requests still waiting for an answer (end of stream). */
void x73_data_flush(struct x73_ctx *c);

/* ---- x73-obs.c ----------------------------------------------------------- */
/* An event report argument's event-info for event type `type`. */
void x73_event_info(struct x73_ctx *c, uint16_t type, struct md_rd *r);
/* A confirmed event report result's reply info (config report result). */
void x73_event_reply(struct x73_ctx *c, uint16_t type, struct md_rd *r);
/* An AttributeList (Get/Set results): MDS attributes to fields. */
void x73_attr_list(struct x73_ctx *c, struct md_rd *r);
/* Action arguments of type `type` (set time, segment transfer). */
void x73_action_args(struct x73_ctx *c, uint16_t type, struct md_rd *r);
/* Read a list header (count, length) and return a reader over its
 * elements; raises item_length_mismatch when the length overruns r. */
struct md_rd x73_list(struct x73_ctx *c, struct md_rd *r, uint16_t *count);
/* The number as text: FLOAT-Type (32 bits) or SFLOAT-Type (16 bits),
 * with NaN, NRes, +INF, -INF and reserved; out must hold 160 bytes. */
void x73_float_text(uint32_t raw, char *out, size_t cap);
void x73_sfloat_text(uint16_t raw, char *out, size_t cap);
/* Load a standard configuration's objects as the flow's configuration. */
void x73_cfg_load(struct x73_state *s, uint16_t dev_config_id);

#endif
