/* engine.h - the engine and its workers: decode -> flow -> stream ->
 * app layer -> (detect) -> EVE, for one packet at a time.
 *
 * A worker owns its counters, decoder (with defrag), flow table, stream
 * and app-layer contexts; the engine owns the configuration and the EVE
 * writer that workers share.
 */
#ifndef MD_ENGINE_H
#define MD_ENGINE_H

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

enum md_csum_mode { MD_CSUM_AUTO = 0, MD_CSUM_ALL, MD_CSUM_NONE };

#define MD_MAX_RULE_FILES 64

struct md_engine_cfg {
	char log_dir[512];
	char eve_file[256];
	char phi_key_file[512]; /* relative to log_dir unless absolute */
	unsigned eve_types;
	bool log_phi;
	int csum_mode;
	uint32_t stats_interval; /* seconds of wall time; 0 = only at exit */
	struct md_decode_cfg decode;
	struct md_flow_cfg flow;
	struct md_stream_cfg stream;
	struct md_applayer_cfg app;
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
/* Write a stats record summing the given workers' counters. */
void md_engine_stats(struct md_engine *e, struct md_worker *const *ws, size_t n,
		     uint64_t ts_usec);
/* Write periodic stats when the interval has passed (cheap to call). */
void md_engine_stats_tick(struct md_engine *e, struct md_worker *const *ws,
			  size_t n, uint64_t ts_usec);

#endif
