/* hl7.h - HL7 v2 over MLLP: state, field and event ids shared by the
 * parser's files (hl7-frame.c, hl7-msg.c, hl7-seg.c, hl7-defs.c).
 *
 * Normative references: HL7 Version 2.x, chapter 2 (Control: message
 * construction rules, delimiters, escape sequences, batch protocol) and the
 * Minimal Lower Layer Protocol, release 2 (HL7 Version 2 Transport
 * Specification, appendix C of the implementation guide).
 *
 * MLLP frame, one HL7 message (or one batch) per block:
 *
 *   +------+---------------------------------------+------+------+
 *   | 0x0B |  HL7 content: segments, each ended by |  0x1C | 0x0D |
 *   |  SB  |  CR (0x0D)                            |  EB  |  CR  |
 *   +------+---------------------------------------+------+------+
 *
 * HL7 content, default delimiters (MSH-1 = '|', MSH-2 = "^~\&", v2.7 adds a
 * fifth, the truncation character '#'):
 *
 *   MSH|^~\&|SND-APP|SND-FAC|RCV-APP|RCV-FAC|20240115103000||ADT^A01^ADT_A01|
 *       CTRL0001|P|2.5 <CR>
 *   PID|1||ID1^^^AUTH^MR~ID2^^^OTHER^PI||FAMILY^GIVEN <CR>
 *        |  |          | |                 \__ component '^'
 *        |  |          | \__ repetition '~'
 *        |  \__ field '|' (PID-3 here; MSH-1 is the separator itself)
 *        \__ segment id, 3 characters
 *
 *   Sub-components are split by '&', escapes are \F\ \S\ \T\ \R\ \E\
 *   \Xhh..\ (escape character '\').
 *
 * Batches: [FHS [BHS {MSH ...} BTS] FTS]; the envelope segments belong to no
 * message.
 */
#ifndef MD_HL7_H
#define MD_HL7_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "md-parser.h"

#define HL7_SB 0x0B /* MLLP start block */
#define HL7_EB 0x1C /* MLLP end block */
#define HL7_CR 0x0D
#define HL7_LF 0x0A

#define HL7_PROG_DONE	  1    /* progress: message ended / its ACK ended */
#define HL7_DUP_RING	  64   /* control ids remembered per direction */
#define HL7_PENDING_MAX	  1024 /* messages awaiting an ACK (also <= max_tx) */
#define HL7_LOOKAHEAD	  4096 /* bytes an ACK may hold before its MSA */
#define HL7_MAX_ARGS	  1024 /* hl7.field values reported per message */
#define HL7_MAX_REPS	  64   /* repetitions of a field reported */
#define HL7_MAX_COMPS	  64   /* components of a repetition reported */
#define HL7_OBS_VALUE_MAX 1024 /* bytes of an OBX-5 value logged */
#define HL7_ED_MAX	  4096 /* decoded bytes of an ED payload kept */
#define HL7_CODE_MAX	  8    /* bytes kept of MSH-9.1 */

enum hl7_field {
	HF_MESSAGE_TYPE,
	HF_MESSAGE_CODE,
	HF_TRIGGER_EVENT,
	HF_MESSAGE_STRUCTURE,
	HF_VERSION,
	HF_CONTROL_ID,
	HF_PROCESSING_ID,
	HF_SENDING_APP,
	HF_SENDING_FAC,
	HF_RECEIVING_APP,
	HF_RECEIVING_FAC,
	HF_DATETIME,
	HF_SECURITY,
	HF_FRAMING,
	HF_BATCH,
	HF_SEGMENT,
	HF_SEGMENT_NAMES,
	HF_SEGMENTS,
	HF_MAX_FIELD_LENGTH,
	HF_FIELD,
	HF_ACK_CODE,
	HF_ACK_TEXT,
	HF_ACK_CONTROL_ID,
	HF_ACK_MESSAGE_TYPE,
	HF_ACK_SEGMENT_NAMES,
	HF_ACK_MAX_FIELD_LENGTH,
	HF_EVN_TYPE,
	HF_EVN_RECORDED,
	HF_EVN_REASON,
	HF_EVN_OPERATOR,
	HF_EVN_OCCURRED,
	HF_PID_IDS,
	HF_PID_NAME,
	HF_PID_BIRTH,
	HF_PID_SEX,
	HF_PID_ADDRESS,
	HF_PID_PHONE,
	HF_PID_SSN,
	HF_PV1_CLASS,
	HF_PV1_LOCATION,
	HF_ORDERS,
	HF_ORD_CONTROL,
	HF_ORD_PLACER,
	HF_ORD_FILLER,
	HF_ORD_SERVICE,
	HF_OBS,
	HF_OBS_SET_ID,
	HF_OBS_TYPE,
	HF_OBS_ID,
	HF_OBS_SUB_ID,
	HF_OBS_VALUE,
	HF_OBS_UNITS,
	HF_OBS_STATUS,
	HF_OBS_EQUIPMENT,
	HF_ED_DATA,
	HF_DEVICES,
	HF_DEV_ID,
	HF_DEV_UDI,
	HF_ERRORS,
	HF_ERR_LEGACY,
	HF_ERR_LOCATION,
	HF_ERR_CODE,
	HF_ERR_SEVERITY,
	HF_ERR_DIAGNOSTIC,
	HF_ERR_MESSAGE,
	HF_MAX
};

enum hl7_event {
	HE_MISSING_MSH,
	HE_BAD_MLLP_FRAME,
	HE_NESTED_START_BLOCK,
	HE_NO_MLLP_FRAMING,
	HE_INVALID_DELIMITERS,
	HE_FIELD_TOO_LONG,
	HE_MESSAGE_TOO_LARGE,
	HE_TOO_MANY_SEGMENTS,
	HE_NON_PRINTABLE_BYTES,
	HE_UNKNOWN_SEGMENT,
	HE_ACK_WITHOUT_MESSAGE,
	HE_DUPLICATE_CONTROL_ID,
	HE_SEGMENT_NOT_ALLOWED,
	HE_LF_SEGMENT_TERMINATOR,
	HE_TOO_MANY_FIELDS,
	HE_MAX
};

/* Delimiters of the current message; -1 = not defined by MSH-2. */
struct hl7_delims {
	int field, comp, rep, esc, sub, trunc;
};

enum hl7_role {
	HL7_ROLE_REQ = 0, /* the message owns its transaction */
	HL7_ROLE_RSP = 1, /* an ACK reporting into its message's transaction */
};

/* The message being parsed in one direction. */
struct hl7_msg {
	bool open;
	bool ignore;	   /* past a bound: framing only, no extraction */
	bool order_open;   /* last orders element came from an ORC */
	bool is_ack;	   /* MSH-9.1 is ACK */
	bool quiet_msa;	   /* RSP into a message that carried its own MSA */
	uint8_t role;	   /* enum hl7_role */
	uint8_t acked_dir; /* direction of the message acked_tx holds */
	uint64_t tx;	   /* where this message's values go */
	uint64_t acked_tx; /* completed (response side) when this one ends */
	uint32_t events;   /* events raised on this message (bit per id) */
	uint64_t bytes;
	uint32_t nseg, nargs, nobs, nord, ndev, nerr;
	uint64_t max_flen;
	uint64_t ctl_hash; /* MSH-10 (raw bytes) */
	size_t ctl_len;
	uint32_t ned;		     /* ED payloads reported */
	char code[HL7_CODE_MAX + 1]; /* MSH-9.1, decoded */
	char type[32];		     /* MSH-9, first repetition, decoded */
};

enum hl7_mode {
	HL7_M_IDLE = 0, /* between messages (or resynchronising) */
	HL7_M_MSG,	/* inside content, at the start of a segment */
	HL7_M_SEGTAIL,	/* streaming the rest of a segment not held whole */
	HL7_M_TRAILER,	/* after 0x1C, expecting 0x0D */
};

struct hl7_dir {
	uint8_t mode;	     /* enum hl7_mode */
	bool framed;	     /* inside 0x0B ... 0x1C */
	bool resync;	     /* after a gap: skip silently to a frame start */
	bool junk_ev;	     /* bad_mllp_frame raised for this run of junk */
	bool nomllp_ev;	     /* no_mllp_framing raised (once a direction) */
	bool missing_ev;     /* missing_msh raised in this frame */
	bool in_batch;	     /* between BHS/FHS and BTS/FTS */
	bool tail_count;     /* SEGTAIL: keep measuring fields */
	uint32_t frame_segs; /* segments seen in this frame */
	size_t scanned;	     /* bytes of the pending segment already searched */
	uint64_t tail_flen;  /* length so far of the field a head cut */
	struct hl7_delims dl;
	struct hl7_msg m;
	uint64_t ring[HL7_DUP_RING];
	uint32_t ring_n, ring_pos;
};

struct hl7_pending {
	uint64_t hash;
	size_t len;
	uint64_t tx;
	uint8_t dir;
	bool own_msa; /* the message is itself an acknowledgment */
};

struct hl7_state {
	struct md_limits lim;
	size_t seg_max;	  /* longest segment held whole */
	uint64_t msg_max; /* longest message parsed */
	struct hl7_dir d[2];
	struct hl7_pending *pend;
	uint32_t npend, pend_cap, pend_max;
	uint8_t *scratch; /* decoded values, grown up to max_field */
	size_t scratch_cap;
};

/* What one parse/gap/eof call works with. */
struct hl7_ctx {
	struct hl7_state *s;
	struct hl7_dir *d;
	enum md_dir dir;
	const struct md_sink *k;
};

/* MSA-2 found ahead of an ACK's MSH (hl7-frame.c). */
struct hl7_msa {
	bool found;
	uint64_t hash;
	size_t len;
};

/* ---- hl7-defs.c ---------------------------------------------------------- */
extern const struct md_field_def hl7_fields[HF_MAX];
extern const struct md_event_def hl7_events[HE_MAX];
/* True when the 3-byte id is a standard segment (or a Z-segment). */
bool hl7_segment_known(const uint8_t id[3]);
/* 1 when message code `code` may carry segment `id`, 0 when it may not,
 * -1 when the code is not in the table (nothing is checked). */
int hl7_segment_allowed(const char *code, const uint8_t id[3]);
/* The hl7.field argument normaliser (md_parser.arg_norm). */
int hl7_arg_norm(unsigned field, const char *arg, char *out, size_t outlen);

/* ---- hl7-msg.c ----------------------------------------------------------- */
/* Raise event ev once for the open message (on its transaction), or on the
 * flow when no message is open. */
void hl7_msg_event(struct hl7_ctx *c, unsigned ev);
/* Raise event ev on the flow. */
void hl7_flow_event(struct hl7_ctx *c, unsigned ev);
/* A message starts with an MSH whose MSH-9.1 is `code` and MSH-10 hashes to
 * ctl_hash/ctl_len; msa is what was found ahead for an ACK (NULL
 * otherwise). Opens or joins a transaction. */
void hl7_msg_begin(struct hl7_ctx *c, const char *code, uint64_t ctl_hash,
		   size_t ctl_len, const struct hl7_msa *msa);
/* MSA-2 of the open message (role REQ): acknowledge a pending message. */
void hl7_msg_msa(struct hl7_ctx *c, struct md_span msa1, struct md_span msa2,
		 struct md_span msa3);
/* The open message ends (trailer, next MSH, gap, eof): report its counts
 * and move its transactions' progress. */
void hl7_msg_end(struct hl7_ctx *c);
/* FNV-1a over a span (control ids). */
uint64_t hl7_hash(struct md_span s);
/* Release the pending table and scratch buffer. */
void hl7_state_fini(struct hl7_state *s);

/* ---- hl7-seg.c ----------------------------------------------------------- */
/* Iterator over the pieces of a span split by one delimiter (sep < 0: the
 * whole span is one piece; an empty span has none). */
struct hl7_split {
	struct md_rd r;
	int sep;
	bool done;
};
struct hl7_split hl7_split_make(struct md_span s, int sep);
/* Next piece; false after the last. */
bool hl7_split_next(struct hl7_split *it, struct md_span *out);
/* True when byte ch (>= 0) occurs in s. */
bool hl7_contains(struct md_span s, int ch);
/* The segment id: 3 bytes, zero-padded when the segment is shorter. */
void hl7_seg_id(struct md_span seg, uint8_t id[3]);
bool hl7_id_is(const uint8_t id[3], const char *name);
/* MSH, FHS, BHS: field 1 is the separator itself, field 2 MSH-2. */
bool hl7_header_id(const uint8_t id[3]);
/* A letter, then two letters or digits. */
bool hl7_id_valid(const uint8_t id[3]);
/* Delimiters from an MSH/FHS/BHS segment into dl (undefined ones -1);
 * false when they are not a legal set (dl is still filled). */
bool hl7_delims_parse(struct md_span seg, struct hl7_delims *dl);
/* Field n (1-based, MSH-1 is the separator) of seg; empty when absent. */
struct md_span hl7_seg_field(const struct hl7_ctx *c, struct md_span seg,
			     unsigned n);
/* Component `comp` (1-based; 0: the whole repetition) of the first
 * repetition of field f. */
struct md_span hl7_comp(const struct hl7_ctx *c, struct md_span f,
			unsigned comp);
/* Scratch space of up to want bytes (bounded by max_field, *cap set);
 * NULL when it cannot be allocated. Valid until the next call. */
uint8_t *hl7_scratch(struct hl7_ctx *c, size_t want, size_t *cap);
/* The decoded value of s in standard delimiters: s itself when nothing
 * changes, else a span of the scratch buffer. */
struct md_span hl7_value(struct hl7_ctx *c, struct md_span s);
/* Decode s into out (at most cap bytes); returns the length. */
size_t hl7_copy_value(struct hl7_ctx *c, struct md_span s, char *out,
		      size_t cap);
/* Report the decoded value of s (when not empty) as field f of tx. */
void hl7_put_tx(struct hl7_ctx *c, uint64_t tx, unsigned f, struct md_span s);

/* ---- hl7-extract.c ------------------------------------------------------- */
/* MSH-9.1 (decoded, NUL-terminated in code[cap]) and MSH-10 (raw) of an
 * MSH segment, with the delimiters already in c->d->dl. */
void hl7_msh_peek(struct hl7_ctx *c, struct md_span seg, char *code, size_t cap,
		  struct md_span *ctl);
/* A field of len bytes ended: track the longest, raise field_too_long. */
void hl7_field_len(struct hl7_ctx *c, uint64_t len);
/* Process one whole segment (or the head of one too long to hold, when
 * head is true) of the open message: events, raw segment, field values. */
void hl7_seg_process(struct hl7_ctx *c, struct md_span seg, bool head);

#endif
