/* capture-nfq.c - NFQUEUE capture and verdicts (libnetfilter_queue).
 *
 * Per queue: one netlink socket, one thread, one engine worker.
 *
 *   kernel queue N --(nfnetlink, copy mode: whole packet, GSO aggregates
 *   kept whole)--> recv --> md_worker_verdict --> verdict
 *        accept: batched (one message accepts every id up to the last)
 *                while no packet of the worker is held
 *        repeat: NF_REPEAT with (mark & ~mask) | (repeat-mark & mask)
 *        drop / reject: NF_DROP, reject also sends resets (verdict.c)
 *        hold: no verdict yet; issued when the flow's bytes before it
 *              were inspected (engine-inline.c)
 *
 * NFQA_CFG_F_FAIL_OPEN makes the kernel accept packets when the queue is
 * full; a large netlink receive buffer (SO_RCVBUFFORCE) absorbs bursts;
 * NETLINK_NO_ENOBUFS keeps a full socket from being reported as an error.
 * Packets the kernel could not hand over (socket full, fail-open) leave a
 * hole in the packet ids, counted as nfq.<queue>.bypassed. With GSO the
 * kernel hands over aggregates whose checksums are not computed yet
 * (NFQA_SKB_CSUMNOTREADY): those are never validated.
 */

#include "capture-nfq.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"
#include "signals.h"
#include "util-time.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
#ifndef NETLINK_NO_ENOBUFS
#define NETLINK_NO_ENOBUFS 5
#endif

#define MD_NFQ_BUFSZ	  (256u * 1024u) /* > one 64 KiB GSO aggregate */
#define MD_NFQ_POLL_MS	  100		 /* idle work and stop checks */
#define MD_NFQ_RECV_BURST 256		 /* messages per wake-up at most */

struct nfq_queue {
	struct md_nfq *owner;
	uint16_t num;
	char name[16]; /* "nfq<N>": EVE in_iface */
	struct nfq_handle *h;
	struct nfq_q_handle *qh;
	int fd;
	struct md_worker w;
	bool w_ok;
	pthread_t th;
	bool started;
	uint8_t *buf;
	/* pending batched accept: every id up to batch_id */
	uint32_t batch_id, batch_n;
	/* counters (this thread writes, stats reads) */
	uint64_t pkts, bytes, recv_errors, verdict_errors, bypassed;
	uint32_t last_id;
	bool have_id;
	volatile int failed;
};

struct md_nfq {
	struct md_engine *e;
	struct md_nfq_cfg cfg;
	struct md_reject rej;
	struct nfq_queue *q;
	unsigned n;
	volatile sig_atomic_t stop;
};

void md_nfq_cfg_defaults(struct md_nfq_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = MD_NFQ_ACCEPT;
	cfg->repeat_mark = 1;
	cfg->repeat_mask = 1;
	cfg->queue_maxlen = 4096;
	cfg->rcvbuf = 8u << 20;
	cfg->batch = 64;
	cfg->fail_open = true;
}

int md_nfq_cfg_load(struct md_nfq_cfg *cfg, const struct md_conf *c, char *err,
		    size_t errlen)
{
	uint64_t v;
	const char *mode = md_conf_str(c, "nfq.mode", NULL);
	if (mode && !strcmp(mode, "accept"))
		cfg->mode = MD_NFQ_ACCEPT;
	else if (mode && !strcmp(mode, "repeat"))
		cfg->mode = MD_NFQ_REPEAT;
	else if (mode) {
		snprintf(err, errlen,
			 "%s: nfq.mode: '%s' is not accept or "
			 "repeat",
			 c->file, mode);
		return MD_E_INVAL;
	}
	struct {
		const char *key;
		uint32_t *dst;
		uint64_t max;
	} u[] = {{"nfq.repeat-mark", &cfg->repeat_mark, UINT32_MAX},
		 {"nfq.repeat-mask", &cfg->repeat_mask, UINT32_MAX},
		 {"nfq.queue-maxlen", &cfg->queue_maxlen, 1u << 20},
		 {"nfq.batch", &cfg->batch, 1024}};
	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		if (md_conf_uint(c, u[i].key, *u[i].dst, u[i].max, &v, err,
				 errlen))
			return MD_E_INVAL;
		*u[i].dst = (uint32_t)v;
	}
	if (md_conf_size(c, "nfq.buffer-size", cfg->rcvbuf, &v, err, errlen) ||
	    md_conf_bool(c, "nfq.fail-open", cfg->fail_open, &cfg->fail_open,
			 err, errlen))
		return MD_E_INVAL;
	cfg->rcvbuf = v > (1u << 30) ? 1u << 30 : (uint32_t)v;
	if (!cfg->batch)
		cfg->batch = 1;
	return 0;
}

static int parse_num(const char *s, char **end)
{
	errno = 0;
	long v = strtol(s, end, 10);
	if (errno || *end == s || v < 0 || v > 65535)
		return -1;
	return (int)v;
}

int md_nfq_add_queues(struct md_nfq_cfg *cfg, const char *arg, char *err,
		      size_t errlen)
{
	char *end;
	int a = parse_num(arg, &end), b = a;
	if (a >= 0 && *end == ':')
		b = parse_num(end + 1, &end);
	if (a < 0 || b < a || *end) {
		snprintf(err, errlen,
			 "-q %s: expected a queue number N or a "
			 "range A:B (0-65535)",
			 arg);
		return MD_E_INVAL;
	}
	for (int n = a; n <= b; n++) {
		bool dup = false;
		for (unsigned i = 0; i < cfg->n_queues; i++)
			dup |= cfg->queues[i] == n;
		if (dup)
			continue;
		if (cfg->n_queues == MD_NFQ_MAX_QUEUES) {
			snprintf(err, errlen, "-q %s: more than %d queues", arg,
				 MD_NFQ_MAX_QUEUES);
			return MD_E_INVAL;
		}
		cfg->queues[cfg->n_queues++] = (uint16_t)n;
	}
	return 0;
}

/* ---- verdicts --------------------------------------------------------------
 */

static void verdict_error(struct nfq_queue *q, int rc)
{
	if (rc < 0)
		q->verdict_errors++;
}

static void batch_flush(struct nfq_queue *q)
{
	if (!q->batch_n)
		return;
	verdict_error(q, nfq_set_verdict_batch(q->qh, q->batch_id, NF_ACCEPT));
	q->batch_n = 0;
}

/* One verdict for packet id (mark: the packet's, for repeat mode). */
static void verdict_one(struct nfq_queue *q, uint32_t id, enum md_verdict v,
			uint32_t mark)
{
	const struct md_nfq_cfg *c = &q->owner->cfg;
	if (v != MD_VERDICT_ACCEPT) {
		verdict_error(q, nfq_set_verdict(q->qh, id, NF_DROP, 0, NULL));
		return;
	}
	if (c->mode == MD_NFQ_REPEAT) {
		mark = (mark & ~c->repeat_mask) |
		       (c->repeat_mark & c->repeat_mask);
		verdict_error(
		    q, nfq_set_verdict2(q->qh, id, NF_REPEAT, mark, 0, NULL));
		return;
	}
	if (c->batch > 1 && !q->w.vs.n_held) {
		q->batch_id = id;
		if (++q->batch_n >= c->batch)
			batch_flush(q);
		return;
	}
	verdict_error(q, nfq_set_verdict(q->qh, id, NF_ACCEPT, 0, NULL));
}

/* md_verdict_ops.issue: a held packet's verdict. */
static void issue_held(void *user, uint32_t id, enum md_verdict v)
{
	struct nfq_queue *q = user;
	batch_flush(q);
	verdict_one(q, id, v == MD_VERDICT_ACCEPT ? v : MD_VERDICT_DROP, 0);
}

/* ---- receive ----------------------------------------------------------------
 */

static uint64_t pkt_time(struct nfq_data *nfa)
{
	struct timeval tv;
	if (nfq_get_timestamp(nfa, &tv) == 0 && tv.tv_sec > 0)
		return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
	return md_time_now_usec();
}

static void note_id(struct nfq_queue *q, uint32_t id)
{
	/* ids the kernel handed out but never delivered: failed open */
	if (q->have_id && id > q->last_id + 1)
		q->bypassed += id - q->last_id - 1;
	if (!q->have_id || id > q->last_id)
		q->last_id = id;
	q->have_id = true;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg,
		     struct nfq_data *nfa, void *data)
{
	struct nfq_queue *q = data;
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
	unsigned char *pl = NULL;
	(void)qh;
	(void)msg;
	if (!ph)
		return 0;
	uint32_t id = ntohl(ph->packet_id);
	int len = nfq_get_payload(nfa, &pl);
	uint32_t skb = nfq_get_skbinfo(nfa);
	note_id(q, id);
	q->pkts++;
	struct md_packet p = {0};
	if (len > 0) {
		p.data = pl;
		p.caplen = p.wirelen = (uint32_t)len;
		q->bytes += (uint64_t)len;
	}
	p.ts_usec = pkt_time(nfa);
	p.linktype = 12; /* DLT_RAW: the IP datagram */
	p.iface = q->name;
	bool check = q->owner->e->cfg.csum_mode != MD_CSUM_NONE;
	q->w.dec.cfg.csum_check =
	    check && !(skb & (NFQA_SKB_CSUMNOTREADY | NFQA_SKB_GSO));
	enum md_verdict v =
	    len > 0 ? md_worker_verdict(&q->w, &p, id) : MD_VERDICT_ACCEPT;
	if (v == MD_VERDICT_HOLD) {
		batch_flush(q);
		return 0;
	}
	if (v == MD_VERDICT_REJECT) {
		unsigned n = md_reject_send(&q->owner->rej, &p, pl,
					    (uint32_t)(len > 0 ? len : 0),
					    q->w.reject_to);
		MD_ADD(&q->w.ctr, IPS_REJECT_SENT, n);
	}
	verdict_one(q, id, v, nfq_get_nfmark(nfa));
	return 0;
}

/* Read what the socket holds (at most a burst), verdicting each packet. */
static void drain(struct nfq_queue *q)
{
	for (int i = 0; i < MD_NFQ_RECV_BURST; i++) {
		ssize_t r = recv(q->fd, q->buf, MD_NFQ_BUFSZ, MSG_DONTWAIT);
		if (r < 0) {
			if (errno == ENOBUFS)
				q->recv_errors++;
			else if (errno != EAGAIN && errno != EINTR)
				q->recv_errors++;
			if (errno != ENOBUFS)
				break;
			continue;
		}
		nfq_handle_packet(q->h, (char *)q->buf, (int)r);
	}
	batch_flush(q);
}

static void *queue_thread(void *arg)
{
	struct nfq_queue *q = arg;
	struct pollfd pfd = {.fd = q->fd, .events = POLLIN};
	while (!q->owner->stop) {
		int rc = poll(&pfd, 1, MD_NFQ_POLL_MS);
		if (rc > 0)
			drain(q);
		else if (rc < 0 && errno != EINTR) {
			fprintf(stderr, "medids: %s: poll: %s\n", q->name,
				strerror(errno));
			q->failed = 1;
			break;
		}
		md_worker_idle(&q->w, md_time_mono_usec());
	}
	return NULL;
}

/* ---- set-up ----------------------------------------------------------------
 */

static int open_queue(struct md_nfq *n, struct nfq_queue *q, char *err,
		      size_t errlen)
{
	const struct md_nfq_cfg *c = &n->cfg;
	uint32_t flags =
	    NFQA_CFG_F_GSO | (c->fail_open ? NFQA_CFG_F_FAIL_OPEN : 0);
	q->owner = n;
	q->fd = -1;
	snprintf(q->name, sizeof(q->name), "nfq%u", q->num);
	q->buf = md_malloc(MD_NFQ_BUFSZ);
	if (!q->buf || !(q->h = nfq_open())) {
		snprintf(err, errlen, "%s: cannot open nfnetlink: %s", q->name,
			 strerror(errno));
		return MD_E_IO;
	}
	q->qh = nfq_create_queue(q->h, q->num, on_packet, q);
	if (!q->qh) {
		snprintf(err, errlen,
			 "%s: cannot bind queue %u (another program on it, or "
			 "no CAP_NET_ADMIN?)",
			 q->name, q->num);
		return MD_E_IO;
	}
	if (nfq_set_mode(q->qh, NFQNL_COPY_PACKET, 0xffff) < 0) {
		snprintf(err, errlen, "%s: cannot set copy mode", q->name);
		return MD_E_IO;
	}
	nfq_set_queue_maxlen(q->qh, c->queue_maxlen);
	if (nfq_set_queue_flags(q->qh, flags, flags) < 0)
		fprintf(stderr,
			"medids: %s: kernel refused GSO/fail-open "
			"flags\n",
			q->name);
	q->fd = nfq_fd(q->h);
	int sz = (int)c->rcvbuf, one = 1;
	if (setsockopt(q->fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
		nfnl_rcvbufsiz(nfq_nfnlh(q->h), c->rcvbuf);
	setsockopt(q->fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	static const struct md_verdict_ops ops0;
	struct md_verdict_ops ops = ops0;
	ops.issue = issue_held;
	ops.user = q;
	if (md_worker_init(&q->w, n->e) || md_worker_inline(&q->w, &ops)) {
		snprintf(err, errlen, "%s: out of memory", q->name);
		return MD_E_NOMEM;
	}
	q->w_ok = true;
	return 0;
}

int md_nfq_open(struct md_nfq **out, struct md_engine *e,
		const struct md_nfq_cfg *cfg, char *err, size_t errlen)
{
	struct md_nfq *n = md_calloc(1, sizeof(*n));
	*out = NULL;
	if (!n || !(n->q = md_calloc(cfg->n_queues, sizeof(*n->q)))) {
		md_free(n);
		snprintf(err, errlen, "out of memory");
		return MD_E_NOMEM;
	}
	n->e = e;
	n->cfg = *cfg;
	e->inline_mode = true;
	if (e->cfg.csum_mode == MD_CSUM_AUTO)
		e->cfg.csum_mode = MD_CSUM_ALL; /* per packet, see on_packet */
	if (md_reject_open(&n->rej))
		fprintf(stderr, "medids: reject disabled: raw socket: %s\n",
			strerror(errno));
	*out = n;
	for (unsigned i = 0; i < cfg->n_queues; i++) {
		n->q[i].num = cfg->queues[i];
		n->n = i + 1;
		int rc = open_queue(n, &n->q[i], err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

/* stats.nfq.<queue>: what each queue saw and decided. */
static void *queue_stats(void *user)
{
	struct md_nfq *n = user;
	json_t *all = json_object();
	for (unsigned i = 0; i < n->n; i++) {
		const struct nfq_queue *q = &n->q[i];
		const uint64_t *v = q->w.ctr.v;
		json_t *o = json_pack(
		    "{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "pkts",
		    (json_int_t)q->pkts, "bytes", (json_int_t)q->bytes,
		    "accepted", (json_int_t)v[MD_CTR_IPS_ACCEPTED], "blocked",
		    (json_int_t)v[MD_CTR_IPS_BLOCKED], "rejected",
		    (json_int_t)v[MD_CTR_IPS_REJECTED], "held",
		    (json_int_t)q->w.vs.n_held, "bypassed",
		    (json_int_t)q->bypassed, "recv_errors",
		    (json_int_t)q->recv_errors, "verdict_errors",
		    (json_int_t)q->verdict_errors);
		json_object_set_new(all, q->name, o);
	}
	json_t *top = json_object();
	json_object_set_new(top, "nfq", all);
	return top;
}

int md_nfq_start(struct md_nfq *n, char *err, size_t errlen)
{
	sigset_t all, old;
	sigfillset(&all);
	n->e->stats_extra = queue_stats;
	n->e->stats_user = n;
	/* signals go to the main thread: workers start with them blocked */
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (unsigned i = 0; i < n->n; i++) {
		if (pthread_create(&n->q[i].th, NULL, queue_thread, &n->q[i])) {
			snprintf(err, errlen, "%s: cannot start thread",
				 n->q[i].name);
			pthread_sigmask(SIG_SETMASK, &old, NULL);
			return MD_E_IO;
		}
		n->q[i].started = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return 0;
}

/* ---- main loop --------------------------------------------------------------
 */

static void collect(struct md_nfq *n, struct md_worker **ws)
{
	for (unsigned i = 0; i < n->n; i++)
		ws[i] = &n->q[i].w;
}

static void do_reload(struct md_nfq *n, md_nfq_reload_fn reload, void *user,
		      struct md_worker **ws)
{
	if (!reload)
		return;
	struct md_detect *d = reload(user);
	if (!d) {
		fprintf(stderr, "medids: reload failed; the running rules "
				"stay\n");
		return;
	}
	if (md_engine_reload(n->e, d, ws, n->n, 10000))
		fprintf(stderr, "medids: reload: a worker did not take the "
				"new rules in time\n");
	else
		fprintf(stderr, "medids: rules reloaded\n");
}

int md_nfq_run(struct md_nfq *n, md_nfq_reload_fn reload, void *user)
{
	struct md_worker *ws[MD_NFQ_MAX_QUEUES];
	int failed = 0;
	collect(n, ws);
	while (!md_sig_stop && !failed) {
		nanosleep(&(struct timespec){0, 200000000}, NULL);
		if (md_signal_take(MD_SIG_HUP))
			md_eve_reopen(n->e->eve);
		if (md_signal_take(MD_SIG_USR1))
			md_engine_snapshot(n->e);
		if (md_signal_take(MD_SIG_USR2))
			do_reload(n, reload, user, ws);
		md_engine_stats_tick(n->e, ws, n->n, 0);
		for (unsigned i = 0; i < n->n; i++)
			failed |= n->q[i].failed;
	}
	n->stop = 1;
	for (unsigned i = 0; i < n->n; i++)
		if (n->q[i].started) {
			pthread_join(n->q[i].th, NULL);
			n->q[i].started = false;
		}
	for (unsigned i = 0; i < n->n; i++) {
		md_worker_fini(&n->q[i].w); /* ends flows, releases held */
		batch_flush(&n->q[i]);
		n->q[i].w_ok = false;
	}
	md_engine_stats(n->e, ws, n->n, 0);
	md_eve_flush(n->e->eve);
	return failed ? 1 : 0;
}

void md_nfq_free(struct md_nfq *n)
{
	if (!n)
		return;
	n->stop = 1;
	for (unsigned i = 0; i < n->n; i++) {
		struct nfq_queue *q = &n->q[i];
		if (q->started)
			pthread_join(q->th, NULL);
		if (q->w_ok)
			md_worker_fini(&q->w);
		if (q->qh)
			nfq_destroy_queue(q->qh);
		if (q->h)
			nfq_close(q->h);
		md_free(q->buf);
	}
	if (n->e && n->e->stats_user == n)
		n->e->stats_extra = NULL;
	md_reject_close(&n->rej);
	md_free(n->q);
	md_free(n);
}
