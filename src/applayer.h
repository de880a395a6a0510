/* applayer.h - application-layer dispatch: probe, parse, transactions.
 *
 * The stream hands each direction's in-order bytes here. Until a parser
 * claims the flow, the first bytes of each direction (up to probe_max) are
 * kept and offered to every parser's probe(), parsers whose port hints
 * match first; ports are hints only. When one says YES, the kept bytes are
 * replayed to it in wire order. When every parser says NO in both
 * directions (or a direction says NO and the other ends), the flow's
 * app_proto is "failed".
 *
 * The engine learns what parsers report through md_applayer_ops: events
 * (for anomaly records and rules) and completed transactions (detection
 * and EVE). Parser failures never block traffic: a direction whose parser
 * returned BAD is simply no longer parsed.
 */
#ifndef MD_APPLAYER_H
#define MD_APPLAYER_H

#include <stdbool.h>
#include <stdint.h>

#include "applayer-tx.h"
#include "counters.h"
#include "flow.h"
#include "md-parser.h"
#include "mem.h"

/* Engine-level app-layer events (anomaly event "app_layer.<name>"). */
enum md_app_event {
	MD_APP_EV_BUFFER_LIMIT = 0, /* unconsumed bytes over max_buffer */
	MD_APP_EV_TOO_MANY_TX,	    /* open transactions over max_tx */
	MD_APP_EV_TX_MEMCAP,	    /* transaction memcap refused a value */
	MD_APP_EV_PARSER_ERROR,	    /* parser returned BAD */
	MD_APP_EV_MAX
};

struct md_applayer_cfg {
	struct md_limits lim;
	/* zero: limits a plugin built for a newer ABI minor may read */
	uint32_t lim_reserved[16];
	uint32_t probe_max; /* bytes per direction kept for probing */
	uint64_t buf_memcap;
	uint64_t tx_memcap;
	uint32_t
	    disabled; /* bit per parser id: app-layer.protocols.X.enabled: no */
};

struct md_applayer_ops {
	/* A parser event (or, with parser NULL, an enum md_app_event). */
	void (*event)(void *user, struct md_flow *f, const struct md_parser *pp,
		      uint64_t tx, unsigned ev);
	/* A transaction is complete (or the flow ends with it open): run
	 * detection and log it. The transaction is freed afterwards. */
	void (*tx_done)(void *user, struct md_flow *f,
			const struct md_parser *pp, struct md_tx *tx);
	/* A transaction's progress rose (it may not be complete): detection
	 * can inspect the fields final at that progress. May be NULL. */
	void (*tx_update)(void *user, struct md_flow *f,
			  const struct md_parser *pp, struct md_tx *tx);
};

struct md_field_use;

struct md_applayer_ctx {
	struct md_applayer_cfg cfg;
	/* Per parser id: which fields to keep (see md_detect_field_use), or
	 * NULL to keep every field. Borrowed from the engine. */
	const struct md_field_use *use[32];
	struct md_memcap buf_mc, tx_mc;
	struct md_counters *ctr;
	struct md_applayer_ops ops;
	void *user;
};

/* Fill cfg with the documented defaults. */
void md_applayer_cfg_defaults(struct md_applayer_cfg *cfg);
/* Initialise ctx. Returns 0. */
int md_applayer_init(struct md_applayer_ctx *ctx,
		     const struct md_applayer_cfg *cfg, struct md_counters *ctr,
		     const struct md_applayer_ops *ops, void *user);

/* In-order bytes of direction dir (0 = to server) of flow f. */
void md_applayer_data(struct md_applayer_ctx *ctx, struct md_flow *f, int dir,
		      const uint8_t *p, uint32_t len);
/* len bytes of direction dir were lost. */
void md_applayer_gap(struct md_applayer_ctx *ctx, struct md_flow *f, int dir,
		     uint64_t len);
/* Direction dir closed. */
void md_applayer_eof(struct md_applayer_ctx *ctx, struct md_flow *f, int dir);
/* The flow ends: open transactions are handed to tx_done, parser state
 * and buffers freed. Safe when f->app is NULL. */
void md_applayer_flow_end(struct md_applayer_ctx *ctx, struct md_flow *f);

/* The flow's parser, or NULL. */
const struct md_parser *md_applayer_parser(const struct md_flow *f);
/* EVE app_proto: the parser's name, "failed", or NULL when undecided. */
const char *md_applayer_proto(const struct md_flow *f);
/* Name of an engine-level app-layer event. */
const char *md_applayer_event_name(unsigned ev);

#endif
