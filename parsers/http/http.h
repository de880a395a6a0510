/* http.h - HTTP/1.x parser: state, field and event ids shared by the files
 * of parsers/http/ (http.c: the ops table and the libhtp connection parser;
 * http-defs.c: tables; http-body.c: bodies, the DICOM preamble check and the
 * SOAP hand-off to the sdc module).
 *
 * Normative references: RFC 9112 (HTTP/1.1 message syntax: request and
 * status lines, fields, chunked transfer coding), RFC 9110 (semantics,
 * Content-Encoding gzip/deflate), RFC 1952 / RFC 1951 (gzip, deflate),
 * DICOM PS3.10 7.1 (the Part-10 file preamble), PS3.18 (DICOMweb: STOW-RS,
 * WADO-RS/URI), IEEE 11073-20702 (SOAP 1.2 over HTTP).
 *
 * Every byte goes through libhtp (the OISF HTTP parser): it frames
 * requests and responses, removes chunked coding and decodes gzip/deflate
 * content; this parser turns its callbacks into sink calls.
 *
 *   request:  METHOD SP request-target SP HTTP/1.x CRLF
 *             *( field-name ":" OWS field-value CRLF ) CRLF [ body ]
 *   response: HTTP/1.x SP status-code SP reason CRLF
 *             *( field-name ":" OWS field-value CRLF ) CRLF [ body ]
 *   chunked:  *( hex-size CRLF data CRLF ) "0" CRLF [ trailers ] CRLF
 *
 * A Part-10 file (PS3.10 7.1), the body of a WADO response or one part of
 * a STOW-RS multipart/related request:
 *
 *   +--------------------+--------+------------------------------------+
 *   | preamble (128)     | "DICM" | group 0002 meta information, ...   |
 *   +--------------------+--------+------------------------------------+
 *   The preamble is free for the application: a PE ("MZ") or ELF header
 *   there makes the file an executable too (CVE-2019-11687).
 */
#ifndef MD_HTTP_H
#define MD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "md-parser.h"

#define HTTP_PROG_DONE	   1 /* progress: that direction's message ended */
#define HTTP_BOMB_LIMIT	   (1u << 20) /* decoded bytes before the ratio counts */
#define HTTP_BOMB_RATIO	   100	      /* decoded / wire bytes of a bomb */
#define HTTP_BOMB_USEC	   100000     /* libhtp's time budget per body */
#define HTTP_FIELD_SOFT	   9000	      /* libhtp header line soft/hard limits */
#define HTTP_FIELD_HARD	   18000
#define HTTP_LAYERS_MAX	   2	/* Content-Encoding layers decoded */
#define HTTP_PROBE_LINE	   2048 /* request line bytes a probe reads */
#define HTTP_P10_PREAMBLE  128
#define HTTP_P10_MAX_FILES 16	      /* Part-10 files reported per body */
#define HTTP_SDC_MAX	   (4u << 20) /* SOAP envelope bytes kept (<= max-pdu) */

enum http_field {
	HF_HOST,
	HF_PORT,
	HF_URI,
	HF_USER_AGENT,
	HF_RSP_CT,
	HF_REFERER,
	HF_XFF,
	HF_METHOD,
	HF_PROTOCOL,
	HF_STATUS,
	HF_STAT_CODE,
	HF_REDIRECT,
	HF_LENGTH,
	HF_REQ_CT,
	HF_CONTENT_ENCODING,
	HF_REQ_BODY_LEN,
	HF_RSP_BODY_LEN,
	HF_CONTENT_TYPE,
	HF_REQ_HEADER,
	HF_REQ_HEADERS,
	HF_REQ_H_NAME,
	HF_REQ_H_VALUE,
	HF_RSP_HEADER,
	HF_RSP_HEADERS,
	HF_RSP_H_NAME,
	HF_RSP_H_VALUE,
	HF_REQ_BODY,
	HF_RSP_BODY,
	HF_MAX
};

enum http_event {
	HE_COMPRESSION_BOMB,
	HE_DECOMPRESSION_FAILED,
	HE_TOO_MANY_ENCODINGS,
	HE_ABNORMAL_CONTENT_ENCODING,
	HE_REQUEST_LINE_INVALID,
	HE_RESPONSE_LINE_INVALID,
	HE_REQUEST_HEADER_INVALID,
	HE_RESPONSE_HEADER_INVALID,
	HE_HEADER_TOO_LONG,
	HE_TOO_MANY_HEADERS,
	HE_REQUEST_CHUNK_INVALID,
	HE_RESPONSE_CHUNK_INVALID,
	HE_CONTENT_LENGTH_INVALID,
	HE_TRANSFER_ENCODING_INVALID,
	HE_REQUEST_SMUGGLING,
	HE_MISSING_HOST,
	HE_HOST_AMBIGUOUS,
	HE_UNEXPECTED_BODY,
	HE_PARSE_ERROR,
	HE_MAX
};

/* A body kept in one direction (decoded: no chunking, no gzip). */
struct http_body {
	uint8_t *p;
	uint32_t len, cap;
	uint32_t limit;	  /* bytes kept: the body limit, or the SOAP bound */
	uint64_t decoded; /* all decoded bytes, kept or not */
	uint64_t wire;	  /* body bytes before content decoding */
	bool truncated;
	bool soap;  /* Content-Type says SOAP / XML */
	bool bomb;  /* compression_bomb raised */
	bool zfail; /* libhtp's inflate failed once (it may retry) */
};

/* What this parser keeps per libhtp transaction (its user data). */
struct http_tx {
	struct http_tx *next, *prev;
	uint64_t id;  /* the http transaction */
	uint64_t sdc; /* the sdc companion, or MD_TX_NONE */
	bool sdc_open;
	bool done[2];
	uint32_t events; /* raised on this transaction (bit per id) */
	struct http_body body[2];
};

struct http_state {
	struct md_limits lim;
	void *cfg;		 /* htp_cfg_t */
	void *connp;		 /* htp_connp_t */
	const struct md_sink *k; /* during parse/gap/eof only */
	struct http_tx *txs;	 /* open, newest first */
	uint32_t ntx;
	uint32_t flow_events; /* raised on the flow (bit per id) */
	bool dead[2];	      /* libhtp stopped: the direction is ignored */
	int cur_dir;	      /* direction being fed (log messages) */
};

/* ---- http-defs.c --------------------------------------------------------- */
extern const struct md_field_def http_fields[HF_MAX];
extern const struct md_event_def http_events[HE_MAX];
/* The event a libhtp log message stands for, or -1. */
int http_log_event(const char *msg);

/* ---- http-body.c --------------------------------------------------------- */
/* Append len decoded body bytes of direction dir to t (bounded; a bomb
 * check runs against wire, the bytes seen before decoding). Returns false
 * when the body is a compression bomb (the event was raised). */
bool http_body_add(struct http_state *s, struct http_tx *t, int dir,
		   const uint8_t *p, size_t len, uint64_t wire);
/* Direction dir of t is complete: report its body, check for a Part-10
 * file with an executable preamble, hand a SOAP envelope to the sdc
 * module, raise progress. */
void http_body_done(struct http_state *s, struct http_tx *t, int dir);
/* Release t's bodies (not t). */
void http_body_free(struct http_tx *t);
/* Offsets of the DICOM Part-10 files in a body: at its start, or after
 * the blank line ending a MIME part's headers (multipart/related). Writes
 * at most max offsets into offs; returns how many. */
size_t http_p10_files(const uint8_t *body, size_t len, size_t *offs,
		      size_t max);
/* Raise event ev on t once (or on the flow once when t is NULL). */
void http_event(struct http_state *s, struct http_tx *t, unsigned ev);

#endif
