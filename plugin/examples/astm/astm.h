/* astm.h - ASTM E1381 / E1394 (CLSI LIS1-A / LIS2-A2) laboratory instrument
 * protocol: state, field and event ids shared by the plugin's files.
 *
 * Normative references: ASTM E1381-02 (CLSI LIS1-A), low-level protocol to
 * transfer messages between clinical laboratory instruments and computer
 * systems; ASTM E1394-97 (CLSI LIS2-A2), record and message content.
 *
 * Link layer (either side may send; the one that sends ENQ is the sender
 * until it sends EOT, the other side answers every ENQ and frame):
 *
 *   sender:    ENQ         <frame 1>       <frame 2> <frame 2>      EOT
 *   receiver:        ACK             NAK                       ACK
 *
 * A frame (at most 247 characters; text at most 240):
 *
 *   +-----+----+------------------+-----------+----+----+----+----+
 *   | STX | FN | text             | ETB / ETX | C1 | C2 | CR | LF |
 *   +-----+----+------------------+-----------+----+----+----+----+
 *           |    \__ part of one record      \__ ETB: intermediate frame,
 *           |                                    ETX: last frame of a record
 *           \__ '0'..'7': 1 for the first frame after ENQ, then +1 mod 8;
 *               a frame answered with NAK is sent again with the same FN
 *   C1 C2: modulo-256 sum of FN .. ETB/ETX as two hex digits.
 *
 * Records (E1394), one per final frame, ended by CR; the H record defines
 * the delimiters (field, repeat, component, escape):
 *
 *   H|\^&|||ANALYSER^1.0|||||LIS||P|LIS2-A2|20240105103000<CR>
 *   P|1||PID123||DOE^JANE||19700101|F<CR>
 *   O|1|SPEC001||^^^GLU\^^^K|R||||||N<CR>
 *   R|1|^^^GLU|5.4|mmol/L|3.9 to 6.1|N||F<CR>
 *   L|1|N<CR>
 *
 * A message (H .. L) is one transaction, reported in the direction of its
 * sender. Values are reported when their record arrives (progress 0);
 * the transaction completes at L, at the sender's EOT or at the end of the
 * stream.
 */
#ifndef ASTM_H
#define ASTM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <md-parser.h>

#define ASTM_STX 0x02
#define ASTM_ETX 0x03
#define ASTM_EOT 0x04
#define ASTM_ENQ 0x05
#define ASTM_ACK 0x06
#define ASTM_LF	 0x0A
#define ASTM_CR	 0x0D
#define ASTM_NAK 0x15
#define ASTM_ETB 0x17

#define ASTM_FRAME_MAX	   247 /* E1381: characters of a frame, STX .. LF */
#define ASTM_PROG_DONE	   1   /* progress: the message ended */
#define ASTM_NAK_RUN	   6   /* NAKs in a row: a sender gives up after 6 */
#define ASTM_NAK_WINDOW	   32  /* replies remembered for the NAK window */
#define ASTM_NAK_IN_WINDOW 12  /* NAKs among the last 32 replies: storm */
#define ASTM_MAX_FIELDS	   64  /* fields of a record looked at */
#define ASTM_MAX_REPS	   32  /* repetitions of a test id reported */

enum astm_field {
	AF_SENDER,
	AF_RECEIVER,
	AF_VERSION,
	AF_PROCESSING_ID,
	AF_CONTROL_ID,
	AF_DATETIME,
	AF_DELIMITERS,
	AF_RECORD_TYPE,
	AF_RECORD_COUNT,
	AF_FRAME_COUNT,
	AF_NAK_COUNT,
	AF_TERMINATION,
	AF_SPECIMEN_ID,
	AF_TEST_ID,
	AF_RECORD,
	AF_PATIENTS,
	AF_PAT_SEQ,
	AF_PAT_PRACTICE_ID,
	AF_PAT_LAB_ID,
	AF_PAT_ID3,
	AF_PAT_NAME,
	AF_PAT_BIRTH,
	AF_PAT_SEX,
	AF_ORDERS,
	AF_ORD_SEQ,
	AF_ORD_SPECIMEN,
	AF_ORD_INSTR_SPECIMEN,
	AF_ORD_TEST_IDS,
	AF_ORD_PRIORITY,
	AF_ORD_ACTION,
	AF_ORD_REPORT_TYPE,
	AF_RESULTS,
	AF_RES_SEQ,
	AF_RES_TEST_ID,
	AF_RES_VALUE,
	AF_RES_UNITS,
	AF_RES_RANGE,
	AF_RES_FLAGS,
	AF_RES_STATUS,
	AF_RES_OPERATOR,
	AF_RES_COMPLETED,
	AF_RES_INSTRUMENT,
	AF_COMMENTS,
	AF_CMT_SEQ,
	AF_CMT_SOURCE,
	AF_CMT_TEXT,
	AF_CMT_TYPE,
	AF_QUERIES,
	AF_QRY_SEQ,
	AF_QRY_PATIENT_ID,
	AF_QRY_SPECIMEN,
	AF_QRY_TEST_IDS,
	AF_QRY_STATUS,
	AF_MAX
};

enum astm_event {
	AE_BAD_CHECKSUM,
	AE_FRAME_NUMBER_GAP,
	AE_NAK_STORM,
	AE_OVERSIZED_FRAME,
	AE_RECORD_OUT_OF_ORDER,
	AE_MISSING_HEADER,
	AE_MALFORMED_FRAME,
	AE_UNEXPECTED_DATA,
	AE_UNKNOWN_RECORD,
	AE_INVALID_DELIMITERS,
	AE_MISSING_TERMINATOR,
	AE_TOO_MANY_RECORDS,
	AE_RECORD_TOO_LONG,
	AE_MAX
};

extern const struct md_field_def astm_fields[AF_MAX];
extern const struct md_event_def astm_events[AE_MAX];

/* Where a direction is in its byte stream. */
enum astm_mode {
	ASTM_M_IDLE,  /* between frames: control characters or STX */
	ASTM_M_SKIP,  /* inside an oversized frame: discard to ETB/ETX */
	ASTM_M_TRAIL, /* after a discarded frame's ETB/ETX: discard to LF */
};

/* One direction: what it sends as a sender (frames, records, messages)
 * and, as a receiver, the replies it gives to the other side. */
struct astm_dir {
	uint8_t mode;
	bool in_frame;	  /* a frame's start is left with the engine */
	uint32_t scanned; /* bytes of that frame searched for ETB/ETX */
	bool enq_seen;	  /* ENQ since the last EOT: frames expected */
	int8_t last_fn;	  /* FN of the last accepted frame, -1: none */
	bool unexpected;  /* unexpected_data raised for this run of bytes */
	/* The last frame, until the other side answers it. */
	bool pend;
	bool pend_good;	 /* checksum right */
	bool pend_final; /* ended by ETX */
	uint8_t pend_fn;
	uint32_t pend_len;
	uint8_t *pend_buf; /* text, up to max_field bytes */
	uint32_t pend_cap;
	/* Record being assembled from accepted frames. */
	uint8_t *rec;
	uint32_t rec_len, rec_cap;
	bool rec_trunc;
	/* Message (transaction) this direction is sending. */
	bool in_msg;
	uint64_t tx;
	uint8_t level; /* 1 H, 2 P, 3 O, 4 R: the deepest open record */
	uint32_t n_records, n_frames, n_naks;
	uint8_t dl[4]; /* field, repeat, component, escape delimiters */
	/* NAKs this direction received for what it sent. */
	uint32_t nak_run;
	uint32_t nak_bits; /* last 32 replies, 1 = NAK */
	bool storm;
};

struct astm_state {
	struct md_limits lim;
	uint32_t frame_max; /* longest frame awaited: max-field, max-buffer/2 */
	struct astm_dir d[2];
};

/* Per-call context. */
struct astm_ctx {
	struct astm_state *s;
	struct astm_dir *d; /* the direction whose bytes are parsed */
	struct astm_dir *o; /* the other direction */
	enum md_dir dir;
	const struct md_sink *k;
};

/* astm-record.c: frames accepted by the receiver become records, records
 * become messages. */
void astm_frame_accept(struct astm_ctx *c, const uint8_t *text, size_t len,
		       bool final);
void astm_msg_end(struct astm_ctx *c, bool terminated);
void astm_event(struct astm_ctx *c, unsigned ev);
void astm_dir_fini(struct astm_dir *d);

#endif
