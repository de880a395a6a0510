/* output-syslog.c - `filetype: syslog`: each EVE record as one syslog
 * message to the local syslog daemon (RFC 3164 as the C library sends it
 * to /dev/log):
 *
 *   <PRI>Mmm dd hh:mm:ss IDENT[PID]: {"timestamp":...}
 *   PRI = facility * 8 + level
 *
 * The message goes as one datagram on the unix socket `socket` (default
 * /dev/log) through the bounded queue of output-queue.c. syslog(3) is
 * not used: it reports nothing when a message is lost and may block the
 * caller when the daemon is slow, where this output counts every record
 * it could not deliver and never blocks packet processing.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"
#include "output.h"

struct osyslog {
	struct md_unix_conn conn;
	struct md_outq *q;
	int pid;
};

static int syslog_write(struct md_output *o, const char *rec, size_t len)
{
	struct osyslog *s = o->impl;
	char head[160], ts[32];
	struct tm tm;
	time_t now = time(NULL);
	localtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%b %e %H:%M:%S", &tm);
	int n = snprintf(head, sizeof(head),
			 "<%d>%s %s[%d]: ", o->cfg.facility * 8 + o->cfg.level,
			 ts, o->cfg.ident, s->pid);
	if (n < 0 || (size_t)n >= sizeof(head))
		n = (int)sizeof(head) - 1;
	return md_outq_push(s->q, head, (size_t)n, rec, len, 0);
}

static int syslog_start(struct md_output *o)
{
	return md_outq_run(((struct osyslog *)o->impl)->q);
}

static void syslog_sync(struct md_output *o, unsigned ms)
{
	md_outq_sync(((struct osyslog *)o->impl)->q, ms);
}

static void syslog_stats(struct md_output *o, json_t *obj)
{
	md_outq_stats(((struct osyslog *)o->impl)->q, obj);
}

static void syslog_close(struct md_output *o)
{
	struct osyslog *s = o->impl;
	md_outq_stop(s->q);
	md_free(s);
	o->impl = NULL;
}

static const struct md_output_ops syslog_ops = {
    .write = syslog_write,
    .start = syslog_start,
    .sync = syslog_sync,
    .stats = syslog_stats,
    .close = syslog_close,
};

int md_out_syslog_open(struct md_output *o, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	if (strlen(o->cfg.filename) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "%s: socket path too long",
			 o->cfg.filename);
		return MD_E_INVAL;
	}
	struct osyslog *s = md_calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "output %s: out of memory", o->cfg.name);
		return MD_E_NOMEM;
	}
	s->pid = (int)getpid();
	s->conn.fd = -1;
	s->conn.type = SOCK_DGRAM;
	s->conn.path = o->cfg.filename;
	s->conn.timeout_ms = o->cfg.timeout;
	o->impl = s;
	int rc = md_outq_start(&s->q, o, &md_out_unix_sink, &s->conn,
			       o->cfg.batch, err, errlen);
	if (rc) {
		md_free(s);
		o->impl = NULL;
		return rc;
	}
	o->ops = &syslog_ops;
	return 0;
}
