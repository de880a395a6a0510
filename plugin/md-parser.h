/* md-parser.h - the protocol-plugin contract (ABI MD_PARSER_ABI_MAJOR.MINOR).
 *
 * A protocol parser is one `struct md_parser` (designated initialisers). The
 * engine owns everything else: it probes the first bytes of each direction
 * to pick a parser, allocates and zeroes `state_size` bytes per flow, feeds
 * each direction's bytes in order (two directions interleaved in wire
 * order), and turns what the parser reports to its `struct md_sink` into
 * rule inputs and EVE records.
 *
 *   engine                         parser
 *   ------                         ------
 *   probe(buf, len, dir)  ------>  YES / NO / NEED_MORE
 *   init(state, limits)   ------>  0 or MD_E*
 *   parse(state, dir, buf) ----->  OK / MORE / BAD  (+ *consumed)
 *          <------ sink->event / tx_new / tx_str / tx_uint / tx_arg /
 *                  tx_group / tx_progress
 *   gap(state, dir, n)    ------>  bytes lost in that direction
 *   eof(state, dir)       ------>  that direction closed
 *   fini(state)           ------>  free what init/parse allocated
 *
 * parse() consumes a prefix of buf and sets *consumed. Bytes not consumed
 * are kept by the engine (up to limits->max_buffer) and handed again with
 * the next bytes of that direction. MORE means "consumed what I could, need
 * more bytes"; BAD is sticky for that direction: the engine raises
 * `<proto>` error counters and stops feeding it.
 *
 * Spans handed to the sink point into the caller's buffer and live only for
 * the call: the engine copies what it keeps.
 */
#ifndef MD_PARSER_H
#define MD_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "md-rd.h"

#define MD_PARSER_ABI_MAJOR 1
#define MD_PARSER_ABI_MINOR 1
#define MD_PARSER_ABI	    ((MD_PARSER_ABI_MAJOR << 16) | MD_PARSER_ABI_MINOR)

/* Error codes returned by C functions (negative). */
enum {
	MD_OK = 0,
	MD_E_NOMEM = -1,
	MD_E_INVAL = -2,
	MD_E_IO = -3,
	MD_E_LIMIT = -4,
	MD_E_NOTFOUND = -5,
	MD_E_UNSUPPORTED = -6,
};

enum md_dir {
	MD_DIR_TOSERVER = 0,
	MD_DIR_TOCLIENT = 1,
	MD_DIR_BOTH = 2, /* field tables only */
};

enum md_probe_rc {
	MD_PROBE_NO = 0,
	MD_PROBE_YES = 1,
	MD_PROBE_NEED_MORE = 2,
};

enum md_parse_rc {
	MD_PARSE_OK = 0,
	MD_PARSE_MORE = 1,
	MD_PARSE_BAD = 2,
};

/* Field value types. */
enum md_field_type {
	MD_FT_STR = 1, /* bytes shown as a string (invalid UTF-8 escaped) */
	MD_FT_UINT =
	    2, /* unsigned integer; rule keyword takes = != < > ranges */
	MD_FT_BOOL = 3,
	MD_FT_BYTES = 4, /* opaque bytes: a sticky buffer, logged base64 */
	MD_FT_GROUP = 5, /* starts an object inside an array (EVE only) */
};

/* Field flags. */
#define MD_FF_MULTI	0x0001u /* repeated: a multi-buffer / JSON array */
#define MD_FF_PHI	0x0002u /* patient data: keyed hash unless log-phi */
#define MD_FF_NOLOG	0x0004u /* rule input only, never written to EVE */
#define MD_FF_NOKEYWORD 0x0008u /* EVE only, no rule keyword */
#define MD_FF_ARG	0x0010u /* keyword takes an argument (hl7.field:PID-5) */
#define MD_FF_CHUNKED	0x0020u /* body streamed in chunks (filemagic) */

/* One field: the rule keyword and the EVE key come from the same line.
 * `name` is the keyword without the protocol prefix ("calling_ae" gives
 * "dicom.calling_ae"); `eve_key` is a dotted path inside the protocol's
 * EVE object ("request.calling_ae"); NULL uses `name`. `group` is the index
 * of the MD_FT_GROUP field this one lives in, or -1. `progress` is the
 * transaction progress (parser-defined, 0 = as soon as set) at which the
 * value is final for detection. */
struct md_field_def {
	const char *name;
	const char *eve_key;
	uint8_t type;
	uint8_t dir;
	uint16_t flags;
	int16_t group;
	uint8_t progress;
	const char *desc;
};

/* One event: `name` without the protocol prefix ("pdu_too_long"). */
struct md_event_def {
	const char *name;
	const char *desc;
};

/* Limits a parser must respect; defaults documented in medids.yaml and in
 * each parser's README. The engine fills them from the configuration. */
struct md_limits {
	uint32_t max_buffer;	 /* bytes the engine keeps unconsumed per dir */
	uint32_t max_pdu;	 /* largest protocol unit accepted */
	uint32_t max_items;	 /* items (contexts, segments, ...) per unit */
	uint32_t max_field;	 /* longest single field value kept */
	uint32_t max_tx;	 /* open transactions per flow */
	uint32_t max_log_values; /* values of a multi field written to EVE */
};

/* What a parser reports. Transactions are identified by the id tx_new
 * returned; ids are per flow, from 0. A parser must not call any sink
 * function outside parse/gap/eof. */
struct md_sink {
	void *ctx;
	/* Raise event `id` (index into the parser's event table), attached to
	 * transaction `tx` or to the flow when tx is MD_TX_NONE. */
	void (*event)(void *ctx, uint64_t tx, unsigned id);
	/* Open a transaction started in direction dir; returns its id, or
	 * MD_TX_NONE when the per-flow bound is reached (an event is raised by
	 * the engine; the parser keeps going without recording fields). */
	uint64_t (*tx_new)(void *ctx, enum md_dir dir);
	/* Set a string/bytes field (appended when MD_FF_MULTI). */
	void (*tx_str)(void *ctx, uint64_t tx, unsigned field, const uint8_t *p,
		       size_t len);
	/* Set an unsigned/bool field (appended when MD_FF_MULTI). */
	void (*tx_uint)(void *ctx, uint64_t tx, unsigned field, uint64_t v);
	/* Set a field that takes an argument (MD_FF_ARG), e.g. the value of
	 * HL7 field "PID-5.1" or DICOM attribute "00100010": `arg` is the
	 * normalised argument, the form arg_norm() produces. */
	void (*tx_arg)(void *ctx, uint64_t tx, unsigned field, const char *arg,
		       const uint8_t *p, size_t len);
	/* Start a new element of group field `field` (an array of objects). */
	void (*tx_group)(void *ctx, uint64_t tx, unsigned field);
	/* Raise the transaction's progress in direction dir; when both
	 * directions reach the parser's `tx_done_progress`, the transaction
	 * is complete: detection runs and its EVE record is written. */
	void (*tx_progress)(void *ctx, uint64_t tx, enum md_dir dir,
			    unsigned progress);
	/* Whether anything (a rule or the EVE record) reads field `field`
	 * (with argument `arg`, or any argument when NULL). Values of fields
	 * nobody reads are dropped by the engine anyway; a parser may ask
	 * first to skip the work of extracting them. */
	bool (*wants)(void *ctx, unsigned field, const char *arg);
	/* (ABI 1.1) Open a transaction of another registered protocol
	 * `proto` on this flow, e.g. an "sdc" transaction for a SOAP body
	 * carried by "http". Fields, events and progress of that transaction
	 * use proto's tables; its EVE record and rule keywords are proto's.
	 * Returns MD_TX_NONE when proto is not registered, is disabled, or
	 * the per-flow bound is reached. NULL in engines older than 1.1. */
	uint64_t (*tx_new_as)(void *ctx, enum md_dir dir, const char *proto);
};

#define MD_TX_NONE UINT64_MAX

struct md_parser {
	uint32_t abi;	  /* MD_PARSER_ABI */
	const char *name; /* app_proto, EVE event_type, event/keyword prefix */
	const char *desc;
	uint8_t ipproto;	   /* 6 = TCP, 17 = UDP */
	const uint16_t *ports;	   /* port hints, 0-terminated; hints only */
	size_t state_size;	   /* per-flow state, zeroed by the engine */
	unsigned tx_done_progress; /* progress meaning "complete" per dir */

	enum md_probe_rc (*probe)(const uint8_t *buf, size_t len,
				  enum md_dir dir);
	int (*init)(void *state, const struct md_limits *lim);
	enum md_parse_rc (*parse)(void *state, enum md_dir dir,
				  const uint8_t *buf, size_t len,
				  size_t *consumed, const struct md_sink *sink);
	void (*gap)(void *state, enum md_dir dir, uint64_t len,
		    const struct md_sink *sink);
	void (*eof)(void *state, enum md_dir dir, const struct md_sink *sink);
	void (*fini)(void *state);

	/* Normalise a rule keyword argument of MD_FF_ARG field `field` (e.g.
	 * "PatientName" -> "00100010") into out; returns 0, or MD_E_INVAL for
	 * an argument the field cannot have (the rule is rejected). NULL when
	 * no field takes an argument. */
	int (*arg_norm)(unsigned field, const char *arg, char *out,
			size_t outlen);

	const struct md_event_def *events;
	size_t n_events;
	const struct md_field_def *fields;
	size_t n_fields;
};

#endif
