/* output-queue.c - bounded record queue with one writer thread, for the
 * outputs that must never block packet processing (unix sockets, syslog,
 * Redis).
 *
 *   md_outq_push (any thread)        writer thread
 *     copy -> [rec]->[rec]->[rec] --> take up to `batch` from the head
 *     full: dropped++                 sink->send (pipelined)
 *                                     unfinished: back to the head
 *                                     broken: disconnect, back-off
 *                                     (backoff-min, doubling to -max)
 *
 * Bound: at most queue_max records and queue_memcap bytes wait; a record
 * that does not fit is counted as dropped at once, so the caller never
 * waits on a slow or absent sink. Order is kept: a batch the sink did not
 * finish goes back to the head before anything newer.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mem.h"
#include "output.h"

struct md_outq {
	struct md_output *o;
	const struct md_outq_sink *sink;
	void *conn;
	size_t batch;
	struct md_outrec **recs; /* the batch being sent (writer only) */
	pthread_mutex_t mu;
	pthread_cond_t work; /* records arrived, or stop */
	pthread_cond_t idle; /* queue emptied, or the sink found down */
	struct md_outrec *head, *tail;
	size_t n, bytes, inflight;
	bool connected, down, stop;
	bool running;	   /* the writer thread was started (md_outq_run) */
	uint64_t deadline; /* drain deadline once stopping (ms) */
	pthread_t th;
};

uint64_t md_out_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Wait on cv until the monotonic time `until` (ms). */
static void wait_until(pthread_cond_t *cv, pthread_mutex_t *mu, uint64_t until)
{
	struct timespec ts = {.tv_sec = (time_t)(until / 1000u),
			      .tv_nsec = (long)(until % 1000u) * 1000000L};
	pthread_cond_timedwait(cv, mu, &ts);
}

/* Put recs[from..k) back at the head, in order. Called locked. */
static void requeue(struct md_outq *q, size_t from, size_t k)
{
	for (size_t i = k; i > from; i--) {
		struct md_outrec *r = q->recs[i - 1];
		r->next = q->head;
		q->head = r;
		if (!q->tail)
			q->tail = r;
		q->n++;
		q->bytes += r->len;
	}
}

/* Detach up to batch records from the head into q->recs. Locked. */
static size_t take(struct md_outq *q)
{
	size_t k = 0;
	while (k < q->batch && q->head) {
		struct md_outrec *r = q->head;
		q->head = r->next;
		if (!q->head)
			q->tail = NULL;
		q->n--;
		q->bytes -= r->len;
		q->recs[k++] = r;
	}
	q->inflight = k;
	return k;
}

/* One connect attempt, unlocked around the sink call. Returns whether the
 * sink is connected; on failure schedules the next try. */
static bool try_connect(struct md_outq *q, uint64_t *next_try,
			uint32_t *backoff)
{
	pthread_mutex_unlock(&q->mu);
	int rc = q->sink->connect(q->o, q->conn);
	pthread_mutex_lock(&q->mu);
	if (rc == 0) {
		q->connected = true;
		q->down = false;
		*backoff = q->o->cfg.backoff_min;
		return true;
	}
	MD_OUT_ADD(q->o, errors, 1);
	q->down = true;
	pthread_cond_broadcast(&q->idle);
	*next_try = md_out_now_ms() + *backoff;
	*backoff = *backoff * 2 > q->o->cfg.backoff_max ? q->o->cfg.backoff_max
							: *backoff * 2;
	return false;
}

/* Send one batch, unlocked around the sink call. */
static void send_batch(struct md_outq *q, uint64_t *next_try, uint32_t *backoff)
{
	size_t k = take(q);
	bool broken = false;
	pthread_mutex_unlock(&q->mu);
	size_t done = q->sink->send(q->o, q->conn, q->recs, k, &broken);
	if (done > k)
		done = k;
	for (size_t i = 0; i < done; i++)
		md_free(q->recs[i]);
	if (broken)
		q->sink->disconnect(q->o, q->conn);
	pthread_mutex_lock(&q->mu);
	requeue(q, done, k);
	q->inflight = 0;
	if (broken) {
		q->connected = false;
		q->down = true;
		*next_try = md_out_now_ms() + *backoff;
		*backoff = *backoff * 2 > q->o->cfg.backoff_max
			       ? q->o->cfg.backoff_max
			       : *backoff * 2;
	}
	if (!q->n || q->down)
		pthread_cond_broadcast(&q->idle);
}

static void *writer(void *arg)
{
	struct md_outq *q = arg;
	uint64_t next_try = 0;
	uint32_t backoff = q->o->cfg.backoff_min;
	pthread_mutex_lock(&q->mu);
	for (;;) {
		uint64_t now = md_out_now_ms();
		if (q->stop && (!q->n || now >= q->deadline))
			break;
		if (!q->n) {
			pthread_cond_wait(&q->work, &q->mu);
			continue;
		}
		if (!q->connected && now < next_try) {
			uint64_t until = next_try;
			if (q->stop && q->deadline < until)
				until = q->deadline;
			wait_until(&q->work, &q->mu, until);
			continue;
		}
		if (!q->connected && !try_connect(q, &next_try, &backoff))
			continue;
		send_batch(q, &next_try, &backoff);
	}
	/* Whatever is left could not be delivered in time. */
	while (q->head) {
		struct md_outrec *r = q->head;
		q->head = r->next;
		MD_OUT_ADD(q->o, dropped, 1);
		md_free(r);
	}
	q->tail = NULL;
	q->n = q->bytes = 0;
	pthread_cond_broadcast(&q->idle);
	pthread_mutex_unlock(&q->mu);
	if (q->connected)
		q->sink->disconnect(q->o, q->conn);
	return NULL;
}

int md_outq_start(struct md_outq **out, struct md_output *o,
		  const struct md_outq_sink *sink, void *conn, size_t batch,
		  char *err, size_t errlen)
{
	struct md_outq *q = md_calloc(1, sizeof(*q));
	pthread_condattr_t ca;
	*out = NULL;
	if (batch == 0)
		batch = 1;
	if (!q || !(q->recs = md_calloc(batch, sizeof(*q->recs)))) {
		md_free(q);
		snprintf(err, errlen, "output %s: out of memory", o->cfg.name);
		return MD_E_NOMEM;
	}
	q->o = o;
	q->sink = sink;
	q->conn = conn;
	q->batch = batch;
	pthread_mutex_init(&q->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->work, &ca);
	pthread_cond_init(&q->idle, &ca);
	pthread_condattr_destroy(&ca);
	*out = q;
	return 0;
}

int md_outq_run(struct md_outq *q)
{
	if (!q || q->running)
		return 0;
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old); /* signals stay with main */
	int rc = pthread_create(&q->th, NULL, writer, q);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		fprintf(stderr, "medids: output %s: writer thread: %s\n",
			q->o->cfg.name, strerror(rc));
		return MD_E_NOMEM;
	}
	q->running = true;
	return 0;
}

int md_outq_push(struct md_outq *q, const char *head, size_t hlen,
		 const char *body, size_t blen, char tail)
{
	size_t len = hlen + blen + (tail ? 1 : 0);
	struct md_outrec *r = md_malloc(sizeof(*r) + len);
	if (!r) {
		MD_OUT_ADD(q->o, errors, 1);
		MD_OUT_ADD(q->o, dropped, 1);
		return MD_E_NOMEM;
	}
	r->next = NULL;
	r->len = len;
	if (hlen)
		memcpy(r->data, head, hlen);
	memcpy(r->data + hlen, body, blen);
	if (tail)
		r->data[len - 1] = tail;
	pthread_mutex_lock(&q->mu);
	if (q->stop || q->n >= q->o->cfg.queue_max ||
	    q->bytes + len > q->o->cfg.queue_memcap) {
		pthread_mutex_unlock(&q->mu);
		md_free(r);
		MD_OUT_ADD(q->o, dropped, 1);
		return MD_E_LIMIT;
	}
	if (q->tail)
		q->tail->next = r;
	else
		q->head = r;
	q->tail = r;
	q->n++;
	q->bytes += len;
	if (q->n == 1)
		pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

void md_outq_sync(struct md_outq *q, unsigned ms)
{
	if (!q)
		return;
	uint64_t until = md_out_now_ms() + ms;
	pthread_mutex_lock(&q->mu);
	while ((q->n || q->inflight) && !q->down && md_out_now_ms() < until)
		wait_until(&q->idle, &q->mu, until);
	pthread_mutex_unlock(&q->mu);
}

void md_outq_stats(struct md_outq *q, json_t *obj)
{
	pthread_mutex_lock(&q->mu);
	size_t n = q->n + q->inflight;
	pthread_mutex_unlock(&q->mu);
	json_object_set_new(obj, "queued", json_integer((json_int_t)n));
}

void md_outq_stop(struct md_outq *q)
{
	if (!q)
		return;
	if (!q->running) /* never started: deliver what was queued now */
		md_outq_run(q);
	pthread_mutex_lock(&q->mu);
	q->stop = true;
	q->deadline = md_out_now_ms() + q->o->cfg.drain_timeout;
	pthread_cond_broadcast(&q->work);
	pthread_mutex_unlock(&q->mu);
	if (q->running)
		pthread_join(q->th, NULL);
	pthread_cond_destroy(&q->work);
	pthread_cond_destroy(&q->idle);
	pthread_mutex_destroy(&q->mu);
	md_free(q->recs);
	md_free(q);
}
