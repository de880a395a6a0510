/* output-redis.c - `filetype: redis`: EVE records to Redis through
 * hiredis, as Logstash's redis input and other SIEM shippers read them.
 *
 *   mode list | lpush:     LPUSH key record   (list, newest at the head)
 *   mode rpush:            RPUSH key record   (list, newest at the tail)
 *   mode channel | publish: PUBLISH key record
 *
 * Records wait in the bounded queue of output-queue.c; the writer thread
 * pipelines up to batch-size commands per round trip (all written, then
 * one reply read per command). Accounting per record, never duplicating:
 *   - reply OK                   -> written (Redis has it)
 *   - error reply (e.g. WRONGTYPE) -> dropped + errors
 *   - command never sent whole   -> back to the queue, resent later
 *   - sent whole, reply lost     -> dropped and `unconfirmed`: Redis may or
 *     may not hold it; it is not sent again
 * A broken connection is re-established with back-off (a PING must
 * succeed first: a restarted Redis loading its data is not ready); while
 * Redis is
 * down the queue absorbs queue-max-records records / queue-memcap bytes,
 * and further records are dropped.
 */
#include <hiredis/hiredis.h>
#include <hiredis/sds.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "output.h"

struct oredis {
	redisContext *c;
	struct md_outq *q;
	size_t *ends; /* end of each command in the output buffer */
	uint64_t unconfirmed;
};

static const char *const cmd_name[] = {"LPUSH", "RPUSH", "PUBLISH"};

static int redis_connect(struct md_output *o, void *arg)
{
	struct oredis *r = arg;
	struct timeval tv = {.tv_sec = o->cfg.timeout / 1000,
			     .tv_usec = (o->cfg.timeout % 1000) * 1000};
	r->c = o->cfg.server[0] == '/'
		   ? redisConnectUnixWithTimeout(o->cfg.server, tv)
		   : redisConnectWithTimeout(o->cfg.server, o->cfg.port, tv);
	if (!r->c || r->c->err || redisSetTimeout(r->c, tv) != REDIS_OK)
		goto fail;
	/* A Redis still loading its data answers -LOADING to every write:
	 * not ready yet, try again after the back-off. */
	redisReply *rep = redisCommand(r->c, "PING");
	bool ready = rep && rep->type != REDIS_REPLY_ERROR;
	if (rep)
		freeReplyObject(rep);
	if (ready)
		return 0;
fail:
	if (r->c)
		redisFree(r->c);
	r->c = NULL;
	return -1;
}

static void redis_disconnect(struct md_output *o, void *arg)
{
	struct oredis *r = arg;
	(void)o;
	if (r->c)
		redisFree(r->c);
	r->c = NULL;
}

/* Write the pipelined commands. Returns the bytes that left (all of them
 * on success). */
static size_t flush_out(redisContext *c, size_t total)
{
	int done = 0;
	while (!done)
		if (redisBufferWrite(c, &done) != REDIS_OK)
			return total - (c->obuf ? sdslen(c->obuf) : total);
	return total;
}

/* The connection broke after `sent` bytes and `replied` replies: records
 * sent whole are unconfirmed (given up), the others go back to the
 * queue. Returns the records finished. */
static size_t broke(struct md_output *o, struct oredis *r, size_t n,
		    size_t replied, size_t sent)
{
	size_t fin = replied;
	while (fin < n && r->ends[fin] <= sent)
		fin++;
	MD_OUT_ADD(o, errors, 1);
	MD_OUT_ADD(o, dropped, fin - replied);
	MD_OUT_ADD(r, unconfirmed, fin - replied);
	return fin;
}

static size_t redis_send(struct md_output *o, void *arg,
			 struct md_outrec *const *recs, size_t n, bool *broken)
{
	struct oredis *r = arg;
	const char *cmd = cmd_name[o->cfg.redis_mode];
	size_t total = 0;
	for (size_t i = 0; i < n; i++) {
		if (redisAppendCommand(r->c, "%s %b %b", cmd, o->cfg.key,
				       strlen(o->cfg.key), recs[i]->data,
				       recs[i]->len) != REDIS_OK) {
			*broken = true;
			return broke(o, r, i, 0, 0);
		}
		total = r->ends[i] = sdslen(r->c->obuf);
	}
	size_t sent = flush_out(r->c, total);
	if (sent < total) {
		*broken = true;
		return broke(o, r, n, 0, sent);
	}
	for (size_t i = 0; i < n; i++) {
		redisReply *rep = NULL;
		if (redisGetReply(r->c, (void **)&rep) != REDIS_OK || !rep) {
			*broken = true;
			return broke(o, r, n, i, total);
		}
		if (rep->type == REDIS_REPLY_ERROR) {
			MD_OUT_ADD(o, errors, 1);
			MD_OUT_ADD(o, dropped, 1);
		} else {
			MD_OUT_ADD(o, written, 1);
		}
		freeReplyObject(rep);
	}
	return n;
}

static const struct md_outq_sink redis_sink = {
    .connect = redis_connect,
    .send = redis_send,
    .disconnect = redis_disconnect,
};

static int redis_write(struct md_output *o, const char *rec, size_t len)
{
	return md_outq_push(((struct oredis *)o->impl)->q, NULL, 0, rec, len,
			    0);
}

static int redis_start(struct md_output *o)
{
	return md_outq_run(((struct oredis *)o->impl)->q);
}

static void redis_sync(struct md_output *o, unsigned ms)
{
	md_outq_sync(((struct oredis *)o->impl)->q, ms);
}

static void redis_stats(struct md_output *o, json_t *obj)
{
	struct oredis *r = o->impl;
	md_outq_stats(r->q, obj);
	json_object_set_new(
	    obj, "unconfirmed",
	    json_integer((json_int_t)MD_OUT_GET(r, unconfirmed)));
}

static void redis_close(struct md_output *o)
{
	struct oredis *r = o->impl;
	md_outq_stop(r->q);
	md_free(r->ends);
	md_free(r);
	o->impl = NULL;
}

static const struct md_output_ops redis_ops = {
    .write = redis_write,
    .start = redis_start,
    .sync = redis_sync,
    .stats = redis_stats,
    .close = redis_close,
};

int md_out_redis_open(struct md_output *o, char *err, size_t errlen)
{
	struct oredis *r = md_calloc(1, sizeof(*r));
	size_t batch = o->cfg.batch ? o->cfg.batch : 1;
	if (!r || !(r->ends = md_calloc(batch, sizeof(*r->ends)))) {
		md_free(r);
		snprintf(err, errlen, "output %s: out of memory", o->cfg.name);
		return MD_E_NOMEM;
	}
	o->impl = r;
	int rc = md_outq_start(&r->q, o, &redis_sink, r, batch, err, errlen);
	if (rc) {
		md_free(r->ends);
		md_free(r);
		o->impl = NULL;
		return rc;
	}
	o->ops = &redis_ops;
	return 0;
}
