/* output.h - EVE output backends: where one EVE-JSON line goes.
 *
 * Configuration shape follows Suricata's `outputs: - eve-log:` entries
 * (filetype: regular | unix_dgram | unix_stream | syslog | redis). The
 * set of outputs is struct md_eve (eve.h); each record is offered to every
 * output whose types match.
 *
 *   record -> md_eve_write_jb -> output A (file: buffer -> write(2))
 *                             -> output B (queue -> writer thread -> Redis)
 *
 * Files write in the caller's thread into a buffer flushed when full and
 * every flush-interval. Sockets, syslog and Redis never block the caller:
 * the record is copied into a bounded queue (queue-max-records records,
 * queue-memcap bytes) drained by one writer thread per output, which
 * reconnects with exponential back-off. A record refused by a full queue,
 * or lost on a broken connection, is counted as dropped.
 */
#ifndef MD_OUTPUT_H
#define MD_OUTPUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "md-parser.h" /* MD_E_* */

enum md_out_kind {
	MD_OUT_FILE = 0,
	MD_OUT_UNIX_DGRAM,
	MD_OUT_UNIX_STREAM,
	MD_OUT_SYSLOG,
	MD_OUT_REDIS,
};

enum md_redis_mode { MD_REDIS_LPUSH = 0, MD_REDIS_RPUSH, MD_REDIS_PUBLISH };

#define MD_OUT_NAME 48
#define MD_OUT_PATH 512

/* One eve-log entry (defaults: md_out_cfg_defaults). */
struct md_out_cfg {
	char name[MD_OUT_NAME];	    /* stats key: output.<name>.* */
	int kind;		    /* enum md_out_kind */
	uint64_t types;		    /* MD_EVE_* bits (eve.h) */
	char filename[MD_OUT_PATH]; /* file or socket; relative: log dir */
	/* regular */
	uint32_t buffer_size;	 /* bytes buffered before a write(2) */
	uint32_t flush_interval; /* ms between flushes; 0 = every record */
	bool threaded;		 /* one file per writing thread */
	uint32_t filemode;	 /* octal permission bits of a new file */
	/* queued outputs (sockets, syslog, redis) */
	uint32_t queue_max;    /* records waiting while the sink is slow/down */
	uint64_t queue_memcap; /* bytes waiting */
	uint32_t backoff_min;  /* ms before the first reconnect */
	uint32_t backoff_max;  /* ms, doubling up to this */
	uint32_t drain_timeout; /* ms to deliver what is queued at exit */
	/* syslog */
	int facility; /* 0..23 (LOG_LOCAL5 >> 3 = 21) */
	int level;    /* 0..7 */
	char ident[64];
	/* redis */
	char server[256]; /* host, or a unix socket path */
	uint16_t port;
	char key[256];
	int redis_mode;	  /* enum md_redis_mode */
	uint32_t batch;	  /* commands pipelined per round trip */
	uint32_t timeout; /* ms: connect and reply timeout */
};

struct md_output;

/* Backend operations. write copies the record; the other calls may be
 * NULL. All calls come with the output's counters, never the caller's
 * lock: each backend locks for itself. */
struct md_output_ops {
	int (*write)(struct md_output *o, const char *rec, size_t len);
	/* Start the output's thread, if it has one (md_eve_start). */
	int (*start)(struct md_output *o);
	void (*flush)(struct md_output *o);
	void (*reopen)(struct md_output *o);
	/* Wait up to ms for queued records to be delivered (or the sink to
	 * be found down). */
	void (*sync)(struct md_output *o, unsigned ms);
	void (*stats)(struct md_output *o, json_t *obj);
	void (*close)(struct md_output *o); /* frees impl */
};

struct md_output {
	struct md_out_cfg cfg;
	const struct md_output_ops *ops;
	void *impl;
	/* Records delivered to the sink, records given up, failed calls.
	 * Updated with __atomic builtins. */
	uint64_t written, dropped, errors;
};

/* Documented defaults for an output of the given kind. */
void md_out_cfg_defaults(struct md_out_cfg *c, int kind);
/* Name of a kind ("regular", "unix_dgram", ...). */
const char *md_out_kind_name(int kind);

/* Backends: fill o->ops and o->impl from o->cfg (path already made
 * absolute). Return 0, or MD_E_* with the reason in err (o untouched). */
int md_out_file_open(struct md_output *o, char *err, size_t errlen);
int md_out_unix_open(struct md_output *o, char *err, size_t errlen);
int md_out_syslog_open(struct md_output *o, char *err, size_t errlen);
int md_out_redis_open(struct md_output *o, char *err, size_t errlen);

/* ---- bounded queue with a writer thread (output-queue.c) ---------------- */

/* One queued record: len bytes at data (no terminating newline unless the
 * backend added one). */
struct md_outrec {
	struct md_outrec *next;
	size_t len;
	char data[];
};

/* What a queued backend provides. connect returns 0 or -1 (counted as an
 * error, retried after back-off). send delivers recs[0..n) in order and
 * returns how many it has finished with (delivered or given up: it counts
 * them itself in o->written / o->dropped / o->errors); *broken set means
 * the connection is gone and the unfinished records go back to the head
 * of the queue. disconnect closes the connection. */
struct md_outq_sink {
	int (*connect)(struct md_output *o, void *conn);
	size_t (*send)(struct md_output *o, void *conn,
		       struct md_outrec *const *recs, size_t n, bool *broken);
	void (*disconnect)(struct md_output *o, void *conn);
};

struct md_outq;

/* Start a queue and its writer thread for output o; conn is the backend's
 * connection state, owned by the caller and passed back to the sink.
 * batch is the most records handed to one send. Returns 0 or MD_E_*. */
int md_outq_start(struct md_outq **out, struct md_output *o,
		  const struct md_outq_sink *sink, void *conn, size_t batch,
		  char *err, size_t errlen);
/* Start q's writer thread (once; records pushed before wait for it).
 * Returns 0 or MD_E_NOMEM (reported on stderr). */
int md_outq_run(struct md_outq *q);
/* Copy a record into the queue: head (may be NULL) then body. Returns 0,
 * or MD_E_LIMIT when the queue is full (counted as dropped). Never
 * blocks on the sink. */
int md_outq_push(struct md_outq *q, const char *head, size_t hlen,
		 const char *body, size_t blen, char tail);
/* Wait up to ms until the queue is empty, or the sink is down. */
void md_outq_sync(struct md_outq *q, unsigned ms);
/* Counters of the queue: records waiting now. */
void md_outq_stats(struct md_outq *q, json_t *obj);
/* Deliver what is queued for up to cfg.drain_timeout ms, count the rest
 * as dropped, stop the thread and free the queue; NULL is a no-op. */
void md_outq_stop(struct md_outq *q);

/* A unix socket connection (output-unix.c), shared with syslog: dgram
 * sends one record per datagram, stream writes records back to back. */
struct md_unix_conn {
	int fd;
	int type; /* SOCK_DGRAM or SOCK_STREAM */
	const char *path;
	unsigned timeout_ms; /* a send blocked this long breaks the link */
};
extern const struct md_outq_sink md_out_unix_sink;

/* Counter helpers. */
#define MD_OUT_ADD(o, field, n)                                                \
	__atomic_add_fetch(&(o)->field, (n), __ATOMIC_RELAXED)
#define MD_OUT_GET(o, field) __atomic_load_n(&(o)->field, __ATOMIC_RELAXED)

/* Monotonic milliseconds. */
uint64_t md_out_now_ms(void);

#endif
