/* output-unix.c - `filetype: unix_dgram | unix_stream`: EVE records to a
 * unix socket a local collector listens on (filename is the socket path).
 *
 *   unix_dgram:  one record per datagram, no newline
 *   unix_stream: records back to back, each ending in "\n"
 *
 * Records go through the bounded queue of output-queue.c; the writer
 * thread connects, reconnects with back-off when the listener is gone,
 * and gives up a record only when it cannot be sent whole: a datagram
 * larger than the socket allows, or a stream record cut by a broken
 * connection (both counted as dropped and errors). A send blocked for
 * `timeout` ms breaks the connection; the record is kept and retried.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "mem.h"
#include "output.h"

struct ounix {
	struct md_unix_conn conn;
	struct md_outq *q;
	bool stream;
};

static int unix_connect(struct md_output *o, void *arg)
{
	struct md_unix_conn *c = arg;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = c->timeout_ms / 1000,
			     .tv_usec = (c->timeout_ms % 1000) * 1000};
	(void)o;
	if (strlen(c->path) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, c->path, strlen(c->path) + 1);
	c->fd = socket(AF_UNIX, c->type | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

static void unix_disconnect(struct md_output *o, void *arg)
{
	struct md_unix_conn *c = arg;
	(void)o;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Stream: write the whole record. Returns 0 sent, 1 nothing sent (keep
 * it), -1 cut short (lost). */
static int send_stream(int fd, const struct md_outrec *r)
{
	size_t off = 0;
	while (off < r->len) {
		ssize_t w = send(fd, r->data + off, r->len - off, MSG_NOSIGNAL);
		if (w > 0) {
			off += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		return off ? -1 : 1;
	}
	return 0;
}

static size_t unix_send(struct md_output *o, void *arg,
			struct md_outrec *const *recs, size_t n, bool *broken)
{
	struct md_unix_conn *c = arg;
	for (size_t i = 0; i < n; i++) {
		const struct md_outrec *r = recs[i];
		int rc;
		if (c->type == SOCK_STREAM) {
			rc = send_stream(c->fd, r);
		} else {
			ssize_t w;
			do
				w = send(c->fd, r->data, r->len, MSG_NOSIGNAL);
			while (w < 0 && errno == EINTR);
			rc = w == (ssize_t)r->len ? 0
			     : w < 0 && (errno == EMSGSIZE || errno == ENOBUFS)
				 ? -2
				 : 1;
		}
		if (rc == 0) {
			MD_OUT_ADD(o, written, 1);
			continue;
		}
		MD_OUT_ADD(o, errors, 1);
		if (rc == -2) { /* this record can never be sent: skip it */
			MD_OUT_ADD(o, dropped, 1);
			continue;
		}
		*broken = true;
		if (rc == -1) { /* cut short: the reader saw part of it */
			MD_OUT_ADD(o, dropped, 1);
			return i + 1;
		}
		return i;
	}
	return n;
}

const struct md_outq_sink md_out_unix_sink = {
    .connect = unix_connect,
    .send = unix_send,
    .disconnect = unix_disconnect,
};

static int unix_write(struct md_output *o, const char *rec, size_t len)
{
	struct ounix *u = o->impl;
	return md_outq_push(u->q, NULL, 0, rec, len, u->stream ? '\n' : 0);
}

static int unix_start(struct md_output *o)
{
	return md_outq_run(((struct ounix *)o->impl)->q);
}

static void unix_sync(struct md_output *o, unsigned ms)
{
	md_outq_sync(((struct ounix *)o->impl)->q, ms);
}

static void unix_stats(struct md_output *o, json_t *obj)
{
	md_outq_stats(((struct ounix *)o->impl)->q, obj);
}

static void unix_close(struct md_output *o)
{
	struct ounix *u = o->impl;
	md_outq_stop(u->q);
	md_free(u);
	o->impl = NULL;
}

static const struct md_output_ops unix_ops = {
    .write = unix_write,
    .start = unix_start,
    .sync = unix_sync,
    .stats = unix_stats,
    .close = unix_close,
};

int md_out_unix_open(struct md_output *o, char *err, size_t errlen)
{
	struct ounix *u = md_calloc(1, sizeof(*u));
	struct sockaddr_un sa;
	if (strlen(o->cfg.filename) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "%s: socket path too long",
			 o->cfg.filename);
		md_free(u);
		return MD_E_INVAL;
	}
	if (!u) {
		snprintf(err, errlen, "output %s: out of memory", o->cfg.name);
		return MD_E_NOMEM;
	}
	u->stream = o->cfg.kind == MD_OUT_UNIX_STREAM;
	u->conn.fd = -1;
	u->conn.type = u->stream ? SOCK_STREAM : SOCK_DGRAM;
	u->conn.path = o->cfg.filename;
	u->conn.timeout_ms = o->cfg.timeout;
	o->impl = u;
	int rc = md_outq_start(&u->q, o, &md_out_unix_sink, &u->conn,
			       o->cfg.batch, err, errlen);
	if (rc) {
		md_free(u);
		o->impl = NULL;
		return rc;
	}
	o->ops = &unix_ops;
	return 0;
}
