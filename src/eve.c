/* eve.c - the set of EVE outputs (fan-out by type, periodic flush,
 * reopen, stats), the common record header and JSON helpers (see eve.h;
 * the backends are output-*.c). */
#include "eve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "applayer.h"
#include "jb.h"
#include "mem.h"
#include "registry.h"
#include "util-time.h"

/* Periodic flush of the file outputs (flush-interval), so records reach
 * the file within that time even when no more traffic comes. */
struct md_eve_flusher {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	unsigned ms; /* the shortest flush-interval of the file outputs */
	uint64_t last[MD_EVE_MAX_OUTPUTS]; /* last flush of each output */
	struct md_eve *eve;
};

/* Flush each file output whose flush-interval has passed. */
static void flush_due(struct md_eve_flusher *fl)
{
	uint64_t now = md_out_now_ms();
	for (size_t i = 0; i < fl->eve->n_out; i++) {
		struct md_output *o = &fl->eve->out[i];
		if (o->cfg.kind != MD_OUT_FILE || !o->cfg.flush_interval ||
		    now - fl->last[i] + 5 < o->cfg.flush_interval)
			continue;
		o->ops->flush(o);
		fl->last[i] = now;
	}
}

static void *flusher_run(void *arg)
{
	struct md_eve_flusher *fl = arg;
	pthread_mutex_lock(&fl->mu);
	while (!fl->stop) {
		uint64_t until = md_out_now_ms() + fl->ms;
		struct timespec ts = {.tv_sec = (time_t)(until / 1000u),
				      .tv_nsec =
					  (long)(until % 1000u) * 1000000L};
		pthread_cond_timedwait(&fl->cv, &fl->mu, &ts);
		if (fl->stop)
			break;
		pthread_mutex_unlock(&fl->mu);
		flush_due(fl);
		pthread_mutex_lock(&fl->mu);
	}
	pthread_mutex_unlock(&fl->mu);
	return NULL;
}

static void flusher_start(struct md_eve *eve)
{
	unsigned ms = 0;
	for (size_t i = 0; i < eve->n_out; i++) {
		const struct md_out_cfg *c = &eve->out[i].cfg;
		if (c->kind == MD_OUT_FILE && c->flush_interval &&
		    (!ms || c->flush_interval < ms))
			ms = c->flush_interval;
	}
	struct md_eve_flusher *fl = ms ? md_calloc(1, sizeof(*fl)) : NULL;
	if (!fl)
		return; /* no interval, or no memory: buffers flush when full */
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&fl->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&fl->mu, NULL);
	fl->ms = ms;
	fl->eve = eve;
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old); /* signals stay with main */
	int rc = pthread_create(&fl->th, NULL, flusher_run, fl);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		pthread_cond_destroy(&fl->cv);
		pthread_mutex_destroy(&fl->mu);
		md_free(fl);
		return;
	}
	eve->flusher = fl;
}

static void flusher_stop(struct md_eve *eve)
{
	struct md_eve_flusher *fl = eve->flusher;
	if (!fl)
		return;
	pthread_mutex_lock(&fl->mu);
	fl->stop = true;
	pthread_cond_signal(&fl->cv);
	pthread_mutex_unlock(&fl->mu);
	pthread_join(fl->th, NULL);
	pthread_cond_destroy(&fl->cv);
	pthread_mutex_destroy(&fl->mu);
	md_free(fl);
	eve->flusher = NULL;
}

static int open_one(struct md_output *o, char *err, size_t errlen)
{
	switch (o->cfg.kind) {
	case MD_OUT_FILE:
		return md_out_file_open(o, err, errlen);
	case MD_OUT_UNIX_DGRAM:
	case MD_OUT_UNIX_STREAM:
		return md_out_unix_open(o, err, errlen);
	case MD_OUT_SYSLOG:
		return md_out_syslog_open(o, err, errlen);
	case MD_OUT_REDIS:
		return md_out_redis_open(o, err, errlen);
	default:
		snprintf(err, errlen, "output %s: unknown filetype",
			 o->cfg.name);
		return MD_E_INVAL;
	}
}

/* Close outputs [0..n) without reports. */
static void close_outputs(struct md_eve *eve, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (eve->out[i].ops && eve->out[i].ops->close)
			eve->out[i].ops->close(&eve->out[i]);
}

int md_eve_new(struct md_eve **out, const struct md_out_cfg *cfgs, size_t n,
	       char *err, size_t errlen)
{
	struct md_eve *eve = md_calloc(1, sizeof(*eve));
	*out = NULL;
	if (!eve || n > MD_EVE_MAX_OUTPUTS) {
		snprintf(err, errlen,
			 eve ? "more than %d outputs" : "out of memory",
			 MD_EVE_MAX_OUTPUTS);
		md_free(eve);
		return eve ? MD_E_LIMIT : MD_E_NOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		eve->out[i].cfg = cfgs[i];
		int rc = open_one(&eve->out[i], err, errlen);
		if (rc) {
			close_outputs(eve, i);
			md_free(eve);
			return rc;
		}
		eve->types |= cfgs[i].types;
		eve->n_out = i + 1;
	}
	*out = eve;
	return 0;
}

int md_eve_start(struct md_eve *eve)
{
	int rc = 0;
	if (!eve || eve->started)
		return 0;
	eve->started = true;
	flusher_start(eve);
	for (size_t i = 0; i < eve->n_out; i++)
		if (eve->out[i].ops && eve->out[i].ops->start &&
		    eve->out[i].ops->start(&eve->out[i]))
			rc = MD_E_NOMEM;
	return rc;
}

int md_eve_open(struct md_eve **out, const char *path, uint64_t types,
		char *err, size_t errlen)
{
	struct md_out_cfg c;
	md_out_cfg_defaults(&c, MD_OUT_FILE);
	snprintf(c.filename, sizeof(c.filename), "%s", path);
	c.types = types;
	int rc = md_eve_new(out, &c, 1, err, errlen);
	if (!rc)
		md_eve_start(*out);
	return rc;
}

void md_eve_flush(struct md_eve *eve)
{
	for (size_t i = 0; eve && i < eve->n_out; i++)
		if (eve->out[i].ops->flush)
			eve->out[i].ops->flush(&eve->out[i]);
}

void md_eve_reopen(struct md_eve *eve)
{
	for (size_t i = 0; eve && i < eve->n_out; i++)
		if (eve->out[i].ops->reopen)
			eve->out[i].ops->reopen(&eve->out[i]);
}

void md_eve_sync(struct md_eve *eve, unsigned ms)
{
	for (size_t i = 0; eve && i < eve->n_out; i++) {
		struct md_output *o = &eve->out[i];
		if (o->ops->sync)
			o->ops->sync(o, ms ? ms : o->cfg.drain_timeout);
		else if (o->ops->flush)
			o->ops->flush(o);
	}
}

json_t *md_eve_stats_json(struct md_eve *eve)
{
	json_t *all = json_object();
	for (size_t i = 0; all && eve && i < eve->n_out; i++) {
		struct md_output *o = &eve->out[i];
		json_t *one = json_object();
		if (!one)
			break;
		json_object_set_new(
		    one, "written",
		    json_integer((json_int_t)MD_OUT_GET(o, written)));
		json_object_set_new(
		    one, "dropped",
		    json_integer((json_int_t)MD_OUT_GET(o, dropped)));
		json_object_set_new(
		    one, "errors",
		    json_integer((json_int_t)MD_OUT_GET(o, errors)));
		if (o->ops->stats)
			o->ops->stats(o, one);
		json_object_set_new(all, o->cfg.name, one);
	}
	return all;
}

uint64_t md_eve_output_errors(const struct md_eve *eve)
{
	uint64_t n = 0;
	for (size_t i = 0; eve && i < eve->n_out; i++)
		n += MD_OUT_GET(&eve->out[i], errors);
	return n;
}

void md_eve_close(struct md_eve *eve)
{
	if (!eve)
		return;
	flusher_stop(eve);
	close_outputs(eve, eve->n_out);
	for (size_t i = 0; i < eve->n_out; i++) {
		struct md_output *o = &eve->out[i];
		if (o->dropped || o->errors)
			fprintf(stderr,
				"medids: output %s (%s): %llu records "
				"written, %llu dropped, %llu errors\n",
				o->cfg.name, md_out_kind_name(o->cfg.kind),
				(unsigned long long)o->written,
				(unsigned long long)o->dropped,
				(unsigned long long)o->errors);
	}
	md_free(eve);
}

uint64_t md_eve_app_type(const struct md_parser *pp)
{
	size_t n = md_registry_count();
	for (size_t i = 0; i < n && i < 32; i++)
		if (md_registry_get(i) == pp)
			return MD_EVE_APP_ONE(i);
	return MD_EVE_APP;
}

static void addr_str(char *buf, size_t len, const struct md_addr *a,
		     uint8_t ver)
{
	if (!inet_ntop(ver == 6 ? AF_INET6 : AF_INET, a->b, buf,
		       (socklen_t)len))
		snprintf(buf, len, "?");
}

static const char *proto_name(uint8_t proto, char *buf, size_t len)
{
	switch (proto) {
	case 6:
		return "TCP";
	case 17:
		return "UDP";
	case 1:
		return "ICMP";
	case 58:
		return "IPv6-ICMP";
	default:
		snprintf(buf, len, "%u", proto);
		return buf;
	}
}

static void endpoints(struct md_jb *jb, const struct md_addr *s, uint16_t sp,
		      const struct md_addr *d, uint16_t dp, uint8_t ver,
		      uint8_t proto, const uint16_t *vlan)
{
	char a[64], b[64], pn[8];
	if (vlan[0]) {
		md_jb_open_array(jb, "vlan");
		for (int i = 0; i < MD_MAX_VLAN && vlan[i]; i++)
			md_jb_uint(jb, NULL, vlan[i]);
		md_jb_close_array(jb);
	}
	addr_str(a, sizeof(a), s, ver);
	addr_str(b, sizeof(b), d, ver);
	bool ports = proto == 6 || proto == 17;
	md_jb_str(jb, "src_ip", a);
	if (ports)
		md_jb_uint(jb, "src_port", sp);
	md_jb_str(jb, "dest_ip", b);
	if (ports)
		md_jb_uint(jb, "dest_port", dp);
	md_jb_str(jb, "proto", proto_name(proto, pn, sizeof(pn)));
}

void md_eve_jb_header(struct md_jb *jb, const char *event_type,
		      uint64_t ts_usec, const struct md_flow *f,
		      const struct md_packet *p, int dir)
{
	char ts[MD_TS_LEN];
	md_jb_open(jb, NULL);
	md_jb_str(jb, "timestamp", md_time_format(ts, ts_usec));
	if (f)
		md_jb_uint(jb, "flow_id", f->flow_id);
	if (p && p->pcap_cnt)
		md_jb_uint(jb, "pcap_cnt", p->pcap_cnt);
	if (p && p->iface)
		md_jb_str(jb, "in_iface", p->iface);
	md_jb_str(jb, "event_type", event_type);
	if (f) {
		const struct md_flow_key *k = &f->key;
		if (dir == 1)
			endpoints(jb, &k->b, k->bp, &k->a, k->ap, k->ip_ver,
				  k->proto, k->vlan);
		else
			endpoints(jb, &k->a, k->ap, &k->b, k->bp, k->ip_ver,
				  k->proto, k->vlan);
	} else if (p && p->ip_ver) {
		endpoints(jb, &p->src, p->sp, &p->dst, p->dp, p->ip_ver,
			  p->proto, p->vlan);
	}
	if (p)
		md_jb_str(jb, "pkt_src",
			  p->flags & MD_PKT_REASSEMBLED ? "defrag"
							: "wire/pcap");
	if (f) {
		const char *ap = md_applayer_proto(f);
		if (ap)
			md_jb_str(jb, "app_proto", ap);
		if (dir >= 0)
			md_jb_str(jb, "direction",
				  dir ? "to_client" : "to_server");
	}
}

int md_eve_write_jb(struct md_eve *eve, uint64_t type, struct md_jb *jb)
{
	int rc = 0;
	bool any = false;
	if (!eve || !(eve->types & type))
		return 0;
	if (jb->err) {
		__atomic_add_fetch(&eve->errors, 1, __ATOMIC_RELAXED);
		return MD_E_NOMEM;
	}
	for (size_t i = 0; i < eve->n_out; i++) {
		struct md_output *o = &eve->out[i];
		if (!(o->cfg.types & type))
			continue;
		int r = o->ops->write(o, jb->buf, jb->len);
		if (r && !rc)
			rc = r;
		any = true;
	}
	if (any)
		__atomic_add_fetch(&eve->written, 1, __ATOMIC_RELAXED);
	return rc;
}

int md_json_set_path(json_t *obj, const char *path, json_t *val)
{
	char part[128];
	if (!val)
		return MD_E_NOMEM;
	for (;;) {
		size_t len = strcspn(path, ".");
		if (len == 0 || len >= sizeof(part)) {
			json_decref(val);
			return MD_E_INVAL;
		}
		memcpy(part, path, len);
		part[len] = 0;
		if (!path[len])
			return json_object_set_new(obj, part, val) ? MD_E_INVAL
								   : 0;
		json_t *next = json_object_get(obj, part);
		if (!json_is_object(next)) {
			next = json_object();
			if (json_object_set_new(obj, part, next)) {
				json_decref(val);
				return MD_E_NOMEM;
			}
		}
		obj = next;
		path += len + 1;
	}
}
