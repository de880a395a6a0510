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
#include "packet.h"

/* Event types an output can carry (bit per type). */
enum md_eve_type {
	MD_EVE_ALERT = 1u << 0,
	MD_EVE_ANOMALY = 1u << 1,
	MD_EVE_FLOW = 1u << 2,
	MD_EVE_STATS = 1u << 3,
	MD_EVE_APP = 1u << 4, /* per-protocol transaction records */
	/* inventory lifecycle records (src/inventory.h) */
	MD_EVE_INVENTORY = 1u << 5,
	MD_EVE_ALL = 0xffffu,
};

/* How patient-identifying values are written: in clear, or as
 * "phi:" + 32 hex digits of HMAC-SHA-256(key, value). */
struct md_phi {
	bool log_clear;
	uint8_t key[32];
	struct md_hmac_key hk; /* from key: md_eve_phi_key_load sets it */
};

struct md_eve {
	FILE *fp;
	char *path;
	pthread_mutex_t lock;
	unsigned types;
	struct md_phi phi;
	unsigned max_values;
	uint64_t written, errors;
};

/* Open (append) the EVE file at path. Returns 0 or MD_E_IO with a message
 * in err. *out is owned by the caller (md_eve_close). */
int md_eve_open(struct md_eve **out, const char *path, unsigned types,
		char *err, size_t errlen);
/* Flush and close; NULL is a no-op. */
void md_eve_close(struct md_eve *eve);
/* Flush buffered records to the file. */
void md_eve_flush(struct md_eve *eve);
/* Open a record in jb (the top-level object) and write the common header.
 * f may be NULL (packet-only records); p may be NULL (records at flow end).
 * dir is the record's direction (0 = to server) when f is given, else -1.
 * The caller adds its members, closes the object and writes it. */
void md_eve_jb_header(struct md_jb *jb, const char *event_type,
		      uint64_t ts_usec, const struct md_flow *f,
		      const struct md_packet *p, int dir);
/* Write the record in jb as one line if its type is enabled. Returns 0,
 * or MD_E_IO / MD_E_NOMEM (counted in eve->errors). */
int md_eve_write_jb(struct md_eve *eve, unsigned type, struct md_jb *jb);

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
