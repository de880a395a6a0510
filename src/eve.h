/* eve.h - EVE-JSON records (Suricata's format) and the writer.
 *
 * One JSON object per line. Every record starts with Suricata's common
 * header: timestamp (microseconds, +hhmm offset), flow_id, pcap_cnt in
 * replay, in_iface when live, event_type, vlan, src/dest ip and port,
 * proto, pkt_src, app_proto, direction. Records validate against
 * Suricata's schema plus doc/schema/medids-eve-overlay.json.
 */
#ifndef MD_EVE_H
#define MD_EVE_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "applayer-tx.h"
#include "counters.h"
#include "flow.h"
#include "jb.h"
#include "util-sha256.h"
#include "md-parser.h"
#include "output.h"
#include "packet.h"

/* Event types an output can carry: a bit per type in a uint64_t mask.
 * Transaction records of parser id N (plugin/registry.h) carry bit
 * MD_EVE_APP_ONE(N); an output's `types:` list selects them by parser
 * name (dicom, hl7, ...). */
enum md_eve_type {
	MD_EVE_ALERT = 1u << 0,
	MD_EVE_ANOMALY = 1u << 1,
	MD_EVE_FLOW = 1u << 2,
	MD_EVE_STATS = 1u << 3,
	MD_EVE_INVENTORY = 1u << 5,
};
#define MD_EVE_APP_SHIFT  32
#define MD_EVE_APP_ONE(n) (1ull << (MD_EVE_APP_SHIFT + (n)))
#define MD_EVE_APP	  0xffffffff00000000ull /* every protocol's records */
#define MD_EVE_ALL	  (~0ull)

/* How patient-identifying values are written: in clear, or as
 * "phi:" + 32 hex digits of HMAC-SHA-256(key, value). */
struct md_phi {
	bool log_clear;
	uint8_t key[32];
	struct md_hmac_key hk; /* from key: md_eve_phi_key_load sets it */
};

#define MD_EVE_MAX_OUTPUTS 8

/* The set of outputs the engine writes to (eve-log entries). */
struct md_eve {
	struct md_output out[MD_EVE_MAX_OUTPUTS];
	size_t n_out;
	uint64_t types; /* union of the outputs' types */
	struct md_phi phi;
	unsigned max_values;
	/* Records handed to at least one output; records that could not be
	 * built (out of memory). Per-output counts: md_eve_stats_json. */
	uint64_t written, errors;
	struct md_eve_flusher *flusher; /* periodic flush of file outputs */
	bool started;			/* md_eve_start was called */
};

/* Open every output of cfgs[0..n) (file and socket paths absolute).
 * Returns 0, or an MD_E_* code with "path: reason" in err (nothing left
 * open). *out is owned by the caller (md_eve_close). No thread runs yet:
 * records are buffered or queued until md_eve_start. */
int md_eve_new(struct md_eve **out, const struct md_out_cfg *cfgs, size_t n,
	       char *err, size_t errlen);
/* Start the threads of the outputs: the periodic flush of files and the
 * writers of socket, syslog and Redis outputs. Call it once the process
 * is what it will run as (after a daemon fork and the privilege drop:
 * threads do not survive a fork and keep their own capabilities).
 * Idempotent; md_eve_open starts at once. Returns 0 or MD_E_NOMEM. */
int md_eve_start(struct md_eve *eve);
/* One regular-file output at path (append) carrying `types`, with the
 * default settings. Same contract as md_eve_new. */
int md_eve_open(struct md_eve **out, const char *path, uint64_t types,
		char *err, size_t errlen);
/* Deliver what can be delivered within the outputs' drain-timeout, close
 * every output and free; NULL is a no-op. Outputs that dropped records
 * are reported on stderr. */
void md_eve_close(struct md_eve *eve);
/* Write buffered file records out now. */
void md_eve_flush(struct md_eve *eve);
/* Flush, close and reopen every file output by name (SIGHUP: logrotate's
 * create mode). Sockets and Redis are not touched. Safe from any thread
 * between records; NULL is a no-op. */
void md_eve_reopen(struct md_eve *eve);
/* Flush files and wait up to ms (0: each output's drain-timeout) for
 * queued outputs to deliver, or to be found down, so the counters that
 * follow are final. */
void md_eve_sync(struct md_eve *eve, unsigned ms);
/* Per-output counters as {"<name>":{"written":N,"dropped":N,"errors":N,
 * ...}} (a new reference), or NULL without memory. */
json_t *md_eve_stats_json(struct md_eve *eve);
/* Sum of the outputs' error counters. */
uint64_t md_eve_output_errors(const struct md_eve *eve);
/* The type bit of parser pp's transaction records. */
uint64_t md_eve_app_type(const struct md_parser *pp);

/* Open a record in jb (the top-level object) and write the common header.
 * f may be NULL (packet-only records); p may be NULL (records at flow end).
 * dir is the record's direction (0 = to server) when f is given, else -1.
 * The caller adds its members, closes the object and writes it. */
void md_eve_jb_header(struct md_jb *jb, const char *event_type,
		      uint64_t ts_usec, const struct md_flow *f,
		      const struct md_packet *p, int dir);
/* Hand the record in jb to every output whose types include `type` (an
 * MD_EVE_* bit). Returns 0, MD_E_NOMEM (record not built, counted in
 * eve->errors) or the first output's failure (counted by that output). */
int md_eve_write_jb(struct md_eve *eve, uint64_t type, struct md_jb *jb);

/* Set the value at a dotted path inside obj, creating objects on the way.
 * Takes the reference to val. Returns 0 or MD_E_INVAL. */
int md_json_set_path(json_t *obj, const char *path, json_t *val);

/* Records (eve-flow.c, eve-anomaly.c, eve-stats.c, eve-tx.c). Each
 * writes through eve and returns nothing: failures are counted. */
void md_eve_flow(struct md_eve *eve, const struct md_flow *f,
		 uint64_t end_usec);
void md_eve_anomaly_decode(struct md_eve *eve, const struct md_packet *p,
			   unsigned ev);
void md_eve_anomaly_stream(struct md_eve *eve, const struct md_flow *f,
			   const struct md_packet *p, unsigned ev);
void md_eve_anomaly_app(struct md_eve *eve, const struct md_flow *f,
			const struct md_parser *pp, uint64_t tx, unsigned ev,
			uint64_t ts_usec);
void md_eve_stats(struct md_eve *eve, const struct md_counters *c,
		  uint64_t ts_usec, uint64_t uptime_s, json_t *extra);
/* Write the protocol object of transaction tx under `key` into jb, laid
 * out by the parser's field table (eve-txw.c): PHI fields keyed-hashed
 * unless phi->log_clear; at most max_values entries per array. Returns 0
 * or MD_E_NOMEM. */
int md_eve_tx_write(struct md_jb *jb, const char *key,
		    const struct md_parser *pp, const struct md_tx *tx,
		    const struct md_phi *phi, unsigned max_values);
/* Free the per-parser layouts (at exit). */
void md_eve_txw_fini(void);
/* "phi:" + 32 hex digits of HMAC-SHA-256(key, value) into out; returns
 * out. */
#define MD_PHI_TEXT 37
char *md_eve_phi_text(const struct md_phi *phi, const uint8_t *p, size_t len,
		      char out[MD_PHI_TEXT]);
/* Load the PHI hashing key from path, creating it (32 random bytes, mode
 * 0600) when missing, and prepare phi->hk. Returns 0 or MD_E_IO with err
 * set. */
int md_eve_phi_key_load(struct md_phi *phi, const char *path, char *err,
			size_t errlen);
struct md_alert;
/* An alert: packet p (or NULL for stream/transaction alerts at flow end),
 * transaction tx of parser pp (or NULL). `blocked` when inline and the
 * rule dropped the packet; replay always logs "allowed". */
void md_eve_alert(struct md_eve *eve, const struct md_flow *f,
		  const struct md_packet *p, const struct md_alert *a,
		  const struct md_parser *pp, const struct md_tx *tx,
		  bool blocked, uint64_t ts_usec);
void md_eve_tx(struct md_eve *eve, const struct md_flow *f,
	       const struct md_parser *pp, const struct md_tx *tx,
	       uint64_t ts_usec);

#endif
