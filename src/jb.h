/* jb.h - a small JSON text builder for EVE records on the hot path.
 *
 * Records are written straight into a growing buffer, keys in the order
 * given, values escaped as JSON requires; untrusted bytes go through
 * md_jb_bytes, which keeps printable ASCII and valid UTF-8 and writes
 * anything else as \xHH text. A failed allocation
 * sets `err` and later calls do nothing.
 *
 *   md_jb_open(jb, NULL); md_jb_str(jb, "event_type", "flow");
 *   md_jb_open(jb, "flow"); md_jb_uint(jb, "pkts_toserver", 3);
 *   md_jb_close(jb); md_jb_close(jb);  ->  {"event_type":"flow","flow":{..}}
 */
#ifndef MD_JB_H
#define MD_JB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct md_jb {
	char *buf;
	size_t len, cap;
	bool comma; /* the next member needs a separating comma */
	bool err;
	bool heap; /* buf was allocated here (else the caller's storage) */
};

/* Start empty (no allocation until the first write). */
void md_jb_init(struct md_jb *jb);
/* Start in the caller's storage (e.g. a stack array); grows to the heap
 * only when a record does not fit. */
void md_jb_init_buf(struct md_jb *jb, char *buf, size_t cap);
/* Forget the content, keep the buffer. */
void md_jb_reset(struct md_jb *jb);
void md_jb_free(struct md_jb *jb);

/* Members: `key` is NULL for array elements and the top-level object. */
void md_jb_open(struct md_jb *jb, const char *key);
void md_jb_close(struct md_jb *jb);
void md_jb_open_array(struct md_jb *jb, const char *key);
void md_jb_close_array(struct md_jb *jb);
void md_jb_str(struct md_jb *jb, const char *key, const char *s);
void md_jb_bytes(struct md_jb *jb, const char *key, const uint8_t *p,
		 size_t len);
void md_jb_uint(struct md_jb *jb, const char *key, uint64_t v);
void md_jb_bool(struct md_jb *jb, const char *key, bool v);
/* Length of a valid UTF-8 sequence at p (2 to 4 bytes), or 0. */
size_t md_utf8_len(const uint8_t *p, size_t left);
/* A value already in JSON text (e.g. from json_dumps). */
void md_jb_raw(struct md_jb *jb, const char *key, const char *json, size_t len);

#endif
