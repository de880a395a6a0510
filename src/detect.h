/* detect.h - the detection engine: Suricata-syntax signatures, prefilter,
 * and matching of packets, reassembled TCP streams and app-layer
 * transactions.
 *
 * Life cycle:
 *   md_detect_new(cfg)                 vars, classification, references,
 *                                      thresholds, datasets directory
 *   md_detect_add_rule(d, text, file, line, err)   once per rule
 *   md_detect_build(d)                 group rules, compile the prefilter
 *   per worker: md_detect_thread_new(d)
 *   per packet / stream chunk / completed transaction:
 *     md_detect_packet / md_detect_stream / md_detect_tx  -> alerts
 *   md_detect_flow_free(f) when a flow ends (flowbits, flowints, state)
 *
 * Keywords of app-layer protocols come from each parser's field table
 * (plugin/md-parser.h): "<proto>.<field name>" is a sticky buffer for
 * MD_FT_STR/MD_FT_BYTES fields and an integer keyword for MD_FT_UINT ones;
 * MD_FF_ARG fields take an argument normalised by the parser's arg_norm.
 */
#ifndef MD_DETECT_H
#define MD_DETECT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "applayer-tx.h"
#include "flow.h"
#include "md-parser.h"
#include "packet.h"

enum md_action {
	MD_ACT_ALERT = 0,
	MD_ACT_PASS,
	MD_ACT_DROP,
	MD_ACT_REJECT, /* reject: RST to the source (like rejectsrc) */
	MD_ACT_REJECTSRC,
	MD_ACT_REJECTDST,
	MD_ACT_REJECTBOTH,
};

/* What an alert record needs to know of its signature. */
struct md_sig_info {
	uint32_t gid, sid, rev;
	enum md_action action;
	const char *msg;
	const char *classtype; /* short name, or NULL */
	const char *category;  /* classification description, or NULL */
	int priority;	       /* severity: from priority or the classtype */
	const char *metadata;  /* JSON object text {"key":["value"]}, or NULL */
	const char
	    *app_proto;	  /* rule protocol when an app-layer one, or NULL */
	bool noalert;	  /* matches (flowbits ...) but no alert */
	uint8_t target;	  /* target keyword: 0 none, 1 src_ip, 2 dest_ip */
	const char *file; /* rule file and line, for messages */
	unsigned line;
};

/* One alert produced by inspection. */
struct md_alert {
	const struct md_sig_info *sig;
	uint64_t tx_id; /* MD_TX_NONE for packet and stream rules */
	int dir;	/* 0 = to server */
};

/* Alerts of one inspection call, in action order (pass, drop, reject,
 * alert), bounded. */
#define MD_MAX_ALERTS 16
struct md_alerts {
	struct md_alert a[MD_MAX_ALERTS];
	unsigned n;
	unsigned overflow; /* alerts that did not fit */
	bool pass_flow;	   /* a pass rule matched: stop inspecting the flow */
	bool drop;	   /* a drop/reject rule matched */
};

struct md_detect_cfg {
	const struct md_conf
	    *conf;	      /* medids.yaml (vars, thresholds), or NULL */
	const char *rule_dir; /* classification/reference/threshold.config,
				 dataset files with relative paths */
	const char
	    *classification_file;   /* NULL: <rule_dir>/classification.config */
	const char *reference_file; /* NULL: <rule_dir>/reference.config */
	const char
	    *threshold_file;  /* NULL: <rule_dir>/threshold.config if present */
	const char *data_dir; /* where dataset `save` files go */
};

struct md_detect;
struct md_detect_thread;

struct md_detect_stats {
	uint64_t loaded, failed, skipped;
};

/* Create an engine. Reads from cfg->conf: vars.address-groups,
 * vars.port-groups (defaults for absent names), datasets.<name>
 * {type, load, save, state}, detect.memcap (flow state and stream
 * history; default 128mb). Errors in vars or config files are printed to
 * errs as "FILE:LINE: reason". Returns NULL on allocation failure or,
 * when `fatal`, on any error. */
struct md_detect *md_detect_new(const struct md_detect_cfg *cfg, FILE *errs,
				bool fatal);
/* Save datasets that have a save/state file (errors to errs), then free
 * everything. NULL is a no-op. */
void md_detect_free(struct md_detect *d);

/* Parse one rule. Returns 0, or MD_E_INVAL with the reason in err (the
 * caller prints "FILE:LINE: reason"; counted as failed), or
 * MD_E_UNSUPPORTED with the reason in err for a valid Suricata rule that
 * needs a protocol or keyword medids lacks (counted as skipped; print it
 * as a warning), or MD_E_NOMEM. file/line are kept for messages. */
int md_detect_add_rule(struct md_detect *d, const char *text, const char *file,
		       unsigned line, char *err, size_t errlen);
/* Group rules and compile the prefilter. Returns 0 or MD_E_*. */
int md_detect_build(struct md_detect *d, char *err, size_t errlen);
const struct md_detect_stats *md_detect_get_stats(const struct md_detect *d);
/* Use the prefilter (default) or evaluate every rule of a group (tests
 * compare both). */
void md_detect_set_prefilter(struct md_detect *d, bool on);
/* Print every keyword with a one-line description (--list-keywords). */
void md_detect_list_keywords(FILE *fp);

struct md_detect_thread *md_detect_thread_new(struct md_detect *d);
void md_detect_thread_free(struct md_detect_thread *t);

/* Packet rules (ip/tcp/udp/icmp, header keywords, payload content). f may
 * be NULL (no flow). Alerts are appended to out. */
void md_detect_packet(struct md_detect_thread *t, struct md_flow *f,
		      const struct md_packet *p, struct md_alerts *out);
/* Raw stream rules: `len` new in-order bytes of direction dir at stream
 * offset `off` (bytes delivered before them), or MD_DETECT_OFF_NEXT for
 * "right after the previous chunk of that direction" (the first chunk is
 * offset 0). The engine keeps enough history per flow to match across
 * chunk boundaries; a match alerts once. */
#define MD_DETECT_OFF_NEXT UINT64_MAX
void md_detect_stream(struct md_detect_thread *t, struct md_flow *f, int dir,
		      const uint8_t *p, uint32_t len, uint64_t off,
		      struct md_alerts *out);
/* len bytes of direction dir were lost: no match spans the gap. */
void md_detect_stream_gap(struct md_flow *f, int dir, uint64_t len);
/* Transaction rules of parser pp over tx (called when the tx reaches a
 * progress in either direction, and when it completes); each (rule, tx)
 * alerts at most once. */
void md_detect_tx(struct md_detect_thread *t, struct md_flow *f,
		  const struct md_parser *pp, const struct md_tx *tx,
		  struct md_alerts *out);
/* App-layer events raised on a flow or tx (app-layer-event keyword). */
void md_detect_app_event(struct md_detect_thread *t, struct md_flow *f,
			 const struct md_parser *pp, uint64_t tx, unsigned ev,
			 struct md_alerts *out);
/* Which fields of a parser the rules read, so the app layer keeps only
 * those (and the ones EVE writes). For MD_FF_ARG fields, the arguments
 * read, or all_args. The strings are the engine's. */
#define MD_FIELD_USE_ARGS 32
struct md_field_use {
	bool used, all_args;
	size_t nargs;
	const char *args[MD_FIELD_USE_ARGS];
};
/* Fill use[0..pp->n_fields) for parser id pid (entries are only set,
 * never cleared: zero them first). */
void md_detect_field_use(const struct md_detect *d, int pid,
			 const struct md_parser *pp, struct md_field_use *use);

/* Free the detection state of a flow (f->detect). Call for every flow
 * before md_detect_free. */
void md_detect_flow_free(struct md_flow *f);

#endif
