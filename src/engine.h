/* engine.h - the engine and its workers: decode -> flow -> stream ->
 * app layer -> (detect) -> EVE, for one packet at a time.
 *
 * A worker owns its counters, decoder (with defrag), flow table, stream
 * and app-layer contexts; the engine owns the configuration and the EVE
 * writer that workers share.
 */
#ifndef MD_ENGINE_H
#define MD_ENGINE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "applayer.h"
#include "config.h"
#include "counters.h"
#include "decode.h"
#include "detect.h"
#include "eve.h"
#include "flow.h"
#include "inventory.h"
#include "stream.h"
#include "verdict.h"

enum md_csum_mode { MD_CSUM_AUTO = 0, MD_CSUM_ALL, MD_CSUM_NONE };

#define MD_MAX_RULE_FILES 64
#define MD_MAX_OUTPUTS	  MD_EVE_MAX_OUTPUTS

struct md_engine_cfg {
	char log_dir[512];
	char eve_file[512];
	char phi_key_file[512]; /* relative to log_dir unless absolute */
	uint64_t eve_types;	/* the default output, when outs_set is not */
	/* eve-log entries (enabled ones); without any in the configuration
	 * one regular file eve_file carrying eve_types. */
	struct md_out_cfg outs[MD_MAX_OUTPUTS];
	size_t n_outs;
	bool outs_set;
	bool log_phi;
	/* Leave the output threads to md_eve_start (inline: after the daemon
	 * fork and the privilege drop). */
	bool defer_output_threads;
	int csum_mode;
	uint32_t stats_interval; /* seconds of wall time; 0 = only at exit */
	struct md_decode_cfg decode;
	struct md_flow_cfg flow;
	struct md_stream_cfg stream;
	struct md_applayer_cfg app;
	struct md_inline_cfg inl; /* verdicts, exception policies */
	char rule_path[512];
	const char *rule_files[MD_MAX_RULE_FILES];
	size_t n_rule_files;
	struct md_inventory_cfg inv;
};

/* Documented defaults (the same values medids.yaml spells out). */
void md_engine_cfg_defaults(struct md_engine_cfg *cfg);
/* Apply a loaded configuration over cfg. Returns 0, or MD_E_INVAL with
 * "FILE:LINE: key: reason" in err. Strings are copied into cfg except
 * rule_files, which point into conf (keep it alive). */
int md_engine_cfg_load(struct md_engine_cfg *cfg, const struct md_conf *conf,
		       char *err, size_t errlen);

struct md_engine;

struct md_worker {
	struct md_engine *eng;
	struct md_counters ctr;
	struct md_decode_ctx dec;
	struct md_flow_table flows;
	struct md_stream_ctx stream;
	struct md_applayer_ctx app;
	struct md_detect_thread *dt; /* NULL when no rules are loaded */
	const struct md_packet *cur; /* packet being processed, or NULL */
	uint64_t now_usec;	     /* packet time of the latest packet */
	uint64_t csum_checked;	     /* auto checksum mode: packets sampled */
	uint64_t csum_bad;
	/* inline (engine-inline.c) */
	struct md_vstate vs;
	uint8_t verdict;      /* enum md_verdict of the current packet */
	uint8_t reject_to;    /* reject: 1 = source, 2 = destination, 3 both */
	int drop_reason;      /* counter id of the drop reason, -1 none */
	uint32_t pkt_id;      /* capture id of the current packet */
	uint64_t app_mc_mark; /* app_layer.memcap.buffer before the packet */
	unsigned gen;	      /* rule generation in use */
	atomic_uint gen_seen; /* ... published for the reloading thread */
};

struct md_engine {
	struct md_engine_cfg cfg;
	struct md_eve *eve;
	struct md_detect *detect; /* owned; NULL when no rules */
	struct md_inventory *inv; /* owned; NULL when disabled */
	bool inline_mode;	  /* drop/reject rules block (else "allowed") */
	uint64_t rules_failed_load; /* rules refused before the detect engine */
	struct md_field_use *use[32]; /* per parser: fields kept (app layer) */
	uint64_t start_mono;
	uint64_t last_stats_mono;
	/* Rule reload: the reloading thread replaces detect and use, then
	 * bumps gen; each worker adopts them between two packets. */
	atomic_uint gen;
	/* Extra stats members (inline: per-queue counters), or NULL:
	 * returns a new JSON object merged under `stats`. */
	void *(*stats_extra)(void *user);
	void *stats_user;
};

/* Create the engine: opens LOGDIR/eve file. `detect` (built, or NULL) is
 * owned by the engine from then on, even on failure. Returns 0, or an
 * MD_E_* code with the reason in err. The caller owns *out
 * (md_engine_free). */
int md_engine_new(struct md_engine **out, const struct md_engine_cfg *cfg,
		  struct md_detect *detect, char *err, size_t errlen);
/* Flush and free; NULL is a no-op. */
void md_engine_free(struct md_engine *e);

/* Write the inventory snapshot now (SIGUSR1); no-op without inventory. */
void md_engine_snapshot(struct md_engine *e);

/* Initialise a worker of e. Returns 0 or MD_E_NOMEM. */
int md_worker_init(struct md_worker *w, struct md_engine *e);
/* End every flow (reason shutdown, logged) and free the worker's state. */
void md_worker_fini(struct md_worker *w);
/* Process one captured packet. The packet stays the caller's. */
void md_worker_packet(struct md_worker *w, struct md_packet *p);
/* Inline operation (engine-inline.c). Enable verdicts on worker w: the
 * held-packet state and the ops that issue delayed verdicts. Returns 0
 * or MD_E_NOMEM. */
int md_worker_inline(struct md_worker *w, const struct md_verdict_ops *ops);
/* Process one packet inline and return its verdict: accept, drop,
 * reject (the caller sends the resets, see w->reject_to) or hold (id is
 * kept and issued later through ops.issue). */
enum md_verdict md_worker_verdict(struct md_worker *w, struct md_packet *p,
				  uint32_t id);
/* Between packets: release held packets whose wait expired (exception
 * policy tcp.reassembly) and adopt newly published rules. */
void md_worker_idle(struct md_worker *w, uint64_t now_mono);
/* Publish a new detection engine (owned by e from then on) to every
 * worker, wait (bounded by timeout_ms) until each adopted it between two
 * packets, then free the old one. Returns 0, or MD_E_LIMIT when a
 * worker did not adopt it in time (the old engine is then kept, never
 * freed under a worker). */
int md_engine_reload(struct md_engine *e, struct md_detect *detect,
		     struct md_worker *const *ws, size_t n,
		     unsigned timeout_ms);

/* Write a stats record summing the given workers' counters, after
 * waiting (up to each output's drain-timeout) for queued outputs to
 * deliver, so its output counters are final: the call for the end of a
 * run. Periodic records go through md_engine_stats_tick, which does not
 * wait. */
void md_engine_stats(struct md_engine *e, struct md_worker *const *ws, size_t n,
		     uint64_t ts_usec);
/* Write periodic stats when the interval has passed (cheap to call). */
void md_engine_stats_tick(struct md_engine *e, struct md_worker *const *ws,
			  size_t n, uint64_t ts_usec);

#endif
