/* capture-nfq.h - inline capture from Linux NFQUEUE (libnetfilter_queue).
 *
 * One worker thread per queue, each with its own engine worker (flow
 * table, stream, app layer, detection thread). The kernel keeps a flow on
 * one queue with --queue-balance (hash of the addresses) or --queue-cpu-
 * fanout. Every packet gets a verdict once the engine inspected it:
 * accept (or repeat, with a mark, to chain another NFQUEUE consumer),
 * drop, or drop plus resets for reject.
 */
#ifndef MD_CAPTURE_NFQ_H
#define MD_CAPTURE_NFQ_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "detect.h"
#include "engine.h"

#define MD_NFQ_MAX_QUEUES 64

enum md_nfq_mode { MD_NFQ_ACCEPT = 0, MD_NFQ_REPEAT };

struct md_nfq_cfg {
	uint16_t queues[MD_NFQ_MAX_QUEUES];
	unsigned n_queues;
	int mode;	       /* enum md_nfq_mode */
	uint32_t repeat_mark;  /* repeat: mark bits set */
	uint32_t repeat_mask;  /* repeat: which mark bits medids owns */
	uint32_t queue_maxlen; /* kernel queue length (packets) */
	uint32_t rcvbuf;       /* netlink receive buffer, bytes */
	uint32_t batch;	       /* accepts per batched verdict; 1 = none */
	bool fail_open;	       /* NFQA_CFG_F_FAIL_OPEN */
};

/* Defaults: accept mode, repeat mark 1 mask 1, maxlen 4096, rcvbuf 8 MiB,
 * batch 64, fail-open on. */
void md_nfq_cfg_defaults(struct md_nfq_cfg *cfg);
/* medids.yaml `nfq:` onto cfg. Returns 0 or MD_E_INVAL with err set. */
int md_nfq_cfg_load(struct md_nfq_cfg *cfg, const struct md_conf *c, char *err,
		    size_t errlen);
/* Add the queues of a -q argument: "N" or "A:B" (inclusive). Returns 0,
 * or MD_E_INVAL with err set (bad number, range or too many queues). */
int md_nfq_add_queues(struct md_nfq_cfg *cfg, const char *arg, char *err,
		      size_t errlen);

struct md_nfq;

/* Bind every queue of cfg and prepare a worker for each (no thread runs
 * yet). Needs CAP_NET_ADMIN (and CAP_NET_RAW for reject's sockets).
 * Returns 0, or MD_E_IO / MD_E_NOMEM with err set; *out is the caller's
 * (md_nfq_free). */
int md_nfq_open(struct md_nfq **out, struct md_engine *e,
		const struct md_nfq_cfg *cfg, char *err, size_t errlen);
/* Start one thread per queue. Returns 0 or MD_E_IO with err set. */
int md_nfq_start(struct md_nfq *q, char *err, size_t errlen);

/* Builds a new detection engine for a reload (SIGUSR2), or NULL when the
 * rules could not be loaded (the running rules stay). */
typedef struct md_detect *(*md_nfq_reload_fn)(void *user);

/* Run until SIGINT/SIGTERM: stats every stats.interval, SIGHUP reopens the
 * logs, SIGUSR2 reloads the rules through `reload`. Then stop the threads,
 * end every flow, write the final stats. Returns 0, or 1 when a queue
 * thread failed. */
int md_nfq_run(struct md_nfq *q, md_nfq_reload_fn reload, void *user);
/* Unbind the queues and free everything; NULL is a no-op. */
void md_nfq_free(struct md_nfq *q);

#endif
