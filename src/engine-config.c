/* engine-config.c - medids.yaml onto struct md_engine_cfg.
 *
 * Every key is optional; an absent key keeps the documented default (the
 * values medids.yaml spells out). A malformed value is reported as
 * "FILE:LINE: key: reason".
 */
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "engine.h"
#include "registry.h"

#define E err, errlen

/* ---- outputs: eve-log entries (Suricata's shape) ------------------------ */

/* "FILE:LINE: key: reason" for node n. */
static int bad_val(const struct md_conf *c, const struct md_conf_node *n,
		   const char *key, const char *why, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s:%d: %s: '%s' %s", c->file, n ? n->line : 0,
		 key, n && n->val ? n->val : "", why);
	return MD_E_INVAL;
}

/* Index of s in names[0..n) (case-insensitive), or -1. */
static int pick(const char *s, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (names[i] && !strcasecmp(s, names[i]))
			return i;
	return -1;
}

/* Protocols whose names are valid types even when their parser is not
 * built in: their records simply never come. */
static const char *const app_names[] = {"dicom", "hl7",	 "ieee11073",
					"sdc",	 "http", "tls"};

static int type_bit(const char *v, uint64_t *bit)
{
	static const char *const fixed[] = {"alert", "anomaly", "flow",
					    "stats", NULL,	"inventory"};
	int i = pick(v, fixed, 6);
	if (i >= 0)
		return *bit = 1ull << i, 0;
	int pid = md_registry_find(v);
	if (pid >= 0 && pid < 32)
		return *bit = MD_EVE_APP_ONE(pid), 0;
	*bit = 0;
	return pick(v, app_names, 6) >= 0 ? 0 : -1;
}

/* types: [alert, dicom, ...]; a map item (`- alert: {...}`) names its
 * type by its key, as in Suricata. */
static int load_types(struct md_out_cfg *o, const struct md_conf *c,
		      const struct md_conf_node *n, char *err, size_t errlen)
{
	if (!n)
		return 0;
	if (n->kind != MD_CONF_SEQ)
		return bad_val(c, n, "types", "is not a list", E);
	o->types = 0;
	for (const struct md_conf_node *t = n->child; t; t = t->next) {
		const char *v = t->val ? t->val
				: t->kind == MD_CONF_MAP && t->child
				    ? t->child->key
				    : "";
		uint64_t bit;
		if (type_bit(v, &bit)) {
			snprintf(
			    err, errlen,
			    "%s:%d: types: '%s' is not an event type "
			    "(alert, anomaly, flow, stats, inventory, or a "
			    "protocol: dicom, hl7, ieee11073, sdc, http, "
			    "tls)",
			    c->file, t->line, v);
			return MD_E_INVAL;
		}
		o->types |= bit;
	}
	return 0;
}

static int load_str(char *dst, size_t len, const struct md_conf *c,
		    const char *base, const char *key, char *err, size_t errlen)
{
	char path[160];
	snprintf(path, sizeof(path), "%s.%s", base, key);
	const struct md_conf_node *n = md_conf_find(c, path);
	if (!n)
		return 0;
	if (!n->val || !n->val[0] || strlen(n->val) >= len)
		return bad_val(c, n, key, "is empty or too long", E);
	snprintf(dst, len, "%s", n->val);
	return 0;
}

static int load_ms(uint32_t *dst, const struct md_conf *c, const char *base,
		   const char *key, uint32_t min, char *err, size_t errlen)
{
	char path[160];
	uint64_t v;
	snprintf(path, sizeof(path), "%s.%s", base, key);
	if (md_conf_uint(c, path, *dst, 86400000u, &v, E))
		return MD_E_INVAL;
	if (v < min)
		return bad_val(c, md_conf_find(c, path), key, "is too small",
			       E);
	*dst = (uint32_t)v;
	return 0;
}

static int load_syslog(struct md_out_cfg *o, const struct md_conf *c,
		       const char *base, char *err, size_t errlen)
{
	static const char *const fac[] = {
	    "kern",   "user",	"mail",	  "daemon", "auth",	"syslog",
	    "lpr",    "news",	"uucp",	  "cron",   "authpriv", "ftp",
	    NULL,     NULL,	NULL,	  NULL,	    "local0",	"local1",
	    "local2", "local3", "local4", "local5", "local6",	"local7"};
	static const char *const lvl[] = {"emerg",   "alert",  "crit", "err",
					  "warning", "notice", "info", "debug"};
	char path[160];
	const struct md_conf_node *n;
	snprintf(path, sizeof(path), "%s.facility", base);
	if ((n = md_conf_find(c, path)) &&
	    (!n->val || (o->facility = pick(n->val, fac, 24)) < 0))
		return bad_val(c, n, "facility",
			       "is not a syslog facility (local0..local7, "
			       "daemon, user, ...)",
			       E);
	snprintf(path, sizeof(path), "%s.level", base);
	if ((n = md_conf_find(c, path)) && n->val &&
	    !strcasecmp(n->val, "error"))
		o->level = 3;
	else if (n && n->val && !strcasecmp(n->val, "warn"))
		o->level = 4;
	else if (n && (!n->val || (o->level = pick(n->val, lvl, 8)) < 0))
		return bad_val(c, n, "level",
			       "is not a syslog level (emerg .. debug)", E);
	return load_str(o->ident, sizeof(o->ident), c, base, "identity", E) ||
		       load_str(o->filename, sizeof(o->filename), c, base,
				"socket", E)
		   ? MD_E_INVAL
		   : 0;
}

static int load_redis(struct md_out_cfg *o, const struct md_conf *c,
		      const char *base, char *err, size_t errlen)
{
	static const char *const modes[] = {"lpush", "rpush", "publish", "list",
					    "channel"};
	static const int mode_of[] = {MD_REDIS_LPUSH, MD_REDIS_RPUSH,
				      MD_REDIS_PUBLISH, MD_REDIS_LPUSH,
				      MD_REDIS_PUBLISH};
	char rb[140], path[200];
	uint64_t v;
	bool pipe;
	int m = 0;
	snprintf(rb, sizeof(rb), "%s.redis", base);
	if (load_str(o->server, sizeof(o->server), c, rb, "server", E) ||
	    load_str(o->key, sizeof(o->key), c, rb, "key", E))
		return MD_E_INVAL;
	snprintf(path, sizeof(path), "%s.port", rb);
	if (md_conf_uint(c, path, o->port, 65535, &v, E))
		return MD_E_INVAL;
	o->port = (uint16_t)v;
	snprintf(path, sizeof(path), "%s.mode", rb);
	const struct md_conf_node *n = md_conf_find(c, path);
	if (n && (!n->val || (m = pick(n->val, modes, 5)) < 0))
		return bad_val(c, n, "mode",
			       "is not list, lpush, rpush, channel or publish",
			       E);
	if (n)
		o->redis_mode = mode_of[m];
	snprintf(path, sizeof(path), "%s.pipelining.enabled", rb);
	if (md_conf_bool(c, path, true, &pipe, E))
		return MD_E_INVAL;
	snprintf(path, sizeof(path), "%s.pipelining.batch-size", rb);
	if (md_conf_uint(c, path, o->batch, 100000, &v, E))
		return MD_E_INVAL;
	o->batch = pipe && v ? (uint32_t)v : 1;
	return 0;
}

/* Settings of every kind (absent keys keep the defaults). */
static int load_common(struct md_out_cfg *o, const struct md_conf *c,
		       const char *base, char *err, size_t errlen)
{
	char path[160];
	uint64_t v;
	if (load_str(o->filename, sizeof(o->filename), c, base, "filename", E))
		return MD_E_INVAL;
	snprintf(path, sizeof(path), "%s.buffer-size", base);
	if (md_conf_size(c, path, o->buffer_size, &v, E))
		return MD_E_INVAL;
	if (v > (256u << 20))
		return bad_val(c, md_conf_find(c, path), "buffer-size",
			       "is larger than 256mb", E);
	o->buffer_size = (uint32_t)v;
	snprintf(path, sizeof(path), "%s.threaded", base);
	if (md_conf_bool(c, path, false, &o->threaded, E))
		return MD_E_INVAL;
	snprintf(path, sizeof(path), "%s.filemode", base);
	const struct md_conf_node *n = md_conf_find(c, path);
	if (n) {
		char *end;
		unsigned long m = n->val ? strtoul(n->val, &end, 8) : 01000;
		if (!n->val || *end || m > 0777)
			return bad_val(c, n, "filemode",
				       "is not an octal mode (e.g. 640)", E);
		o->filemode = (uint32_t)m;
	}
	snprintf(path, sizeof(path), "%s.queue-max-records", base);
	if (md_conf_uint(c, path, o->queue_max, 1u << 24, &v, E))
		return MD_E_INVAL;
	o->queue_max = (uint32_t)v;
	snprintf(path, sizeof(path), "%s.queue-memcap", base);
	return md_conf_size(c, path, o->queue_memcap, &o->queue_memcap, E) ||
		       load_ms(&o->flush_interval, c, base, "flush-interval", 0,
			       E) ||
		       load_ms(&o->backoff_min, c, base, "reconnect-min", 1,
			       E) ||
		       load_ms(&o->backoff_max, c, base, "reconnect-max", 1,
			       E) ||
		       load_ms(&o->drain_timeout, c, base, "drain-timeout", 0,
			       E) ||
		       load_ms(&o->timeout, c, base, "timeout", 1, E)
		   ? MD_E_INVAL
		   : 0;
}

/* Name for the stats (output.<name>): letters, digits, '-' and '_';
 * default the kind, then <kind>-2, <kind>-3 for more of a kind. */
static int load_name(struct md_engine_cfg *cfg, struct md_out_cfg *o,
		     const struct md_conf *c, const char *base, char *err,
		     size_t errlen)
{
	char path[160];
	snprintf(path, sizeof(path), "%s.name", base);
	const struct md_conf_node *n = md_conf_find(c, path);
	if (n) {
		if (!n->val || !n->val[0] || strlen(n->val) >= MD_OUT_NAME ||
		    n->val[strspn(n->val, "abcdefghijklmnopqrstuvwxyz"
					  "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					  "0123456789_-")])
			return bad_val(c, n, "name",
				       "is not 1-47 letters, digits, - or _",
				       E);
		snprintf(o->name, sizeof(o->name), "%s", n->val);
	}
	char want[MD_OUT_NAME];
	snprintf(want, sizeof(want), "%s", o->name);
	for (unsigned k = 2;; k++) {
		size_t i;
		for (i = 0;
		     i < cfg->n_outs && strcmp(cfg->outs[i].name, o->name); i++)
			;
		if (i == cfg->n_outs)
			return 0;
		if (n)
			return bad_val(c, n, "name", "is used twice", E);
		snprintf(o->name, sizeof(o->name), "%.40s-%u", want, k);
	}
}

static int load_eve_log(struct md_engine_cfg *cfg, const struct md_conf *c,
			const struct md_conf_node *ev, const char *base,
			char *err, size_t errlen)
{
	static const char *const kinds[] = {
	    "regular", "unix_dgram", "unix_stream", "syslog", "redis", "file"};
	char path[160];
	bool on;
	snprintf(path, sizeof(path), "%s.enabled", base);
	if (md_conf_bool(c, path, true, &on, E))
		return MD_E_INVAL;
	if (!on)
		return 0;
	const struct md_conf_node *n = md_conf_child(ev, "filetype");
	int kind = n && n->val ? pick(n->val, kinds, 6) : MD_OUT_FILE;
	if (kind < 0)
		return bad_val(c, n, "filetype",
			       "is not regular, unix_dgram, "
			       "unix_stream, syslog or redis",
			       E);
	if (kind == 5)
		kind = MD_OUT_FILE;
	if (cfg->n_outs == MD_MAX_OUTPUTS) {
		snprintf(err, errlen, "%s:%d: more than %d eve-log outputs",
			 c->file, ev->line, MD_MAX_OUTPUTS);
		return MD_E_INVAL;
	}
	struct md_out_cfg *o = &cfg->outs[cfg->n_outs];
	md_out_cfg_defaults(o, kind);
	if (load_common(o, c, base, E) ||
	    load_types(o, c, md_conf_child(ev, "types"), E) ||
	    (kind == MD_OUT_SYSLOG && load_syslog(o, c, base, E)) ||
	    (kind == MD_OUT_REDIS && load_redis(o, c, base, E)) ||
	    load_name(cfg, o, c, base, E))
		return MD_E_INVAL;
	bool first_file = kind == MD_OUT_FILE;
	for (size_t i = 0; i < cfg->n_outs; i++)
		first_file = first_file && cfg->outs[i].kind != MD_OUT_FILE;
	if (first_file)
		snprintf(cfg->eve_file, sizeof(cfg->eve_file), "%s",
			 o->filename);
	cfg->n_outs++;
	return 0;
}

static int load_outputs(struct md_engine_cfg *cfg, const struct md_conf *c,
			char *err, size_t errlen)
{
	const struct md_conf_node *outs = md_conf_find(c, "outputs");
	char base[64];
	int i = 0;
	if (!outs)
		return 0;
	md_registry_init();
	for (const struct md_conf_node *o = outs->child; o; o = o->next, i++) {
		const struct md_conf_node *ev = md_conf_child(o, "eve-log");
		if (!ev)
			continue;
		snprintf(base, sizeof(base), "outputs.%d.eve-log", i);
		const struct md_conf_node *n =
		    md_conf_child(ev, "phi-key-file");
		if (n && n->val)
			snprintf(cfg->phi_key_file, sizeof(cfg->phi_key_file),
				 "%s", n->val);
		n = md_conf_child(ev, "log-phi");
		if (n && n->val && md_parse_bool(n->val, &cfg->log_phi))
			return bad_val(c, n, "log-phi", "is not yes or no", E);
		cfg->outs_set = true;
		if (load_eve_log(cfg, c, ev, base, E))
			return MD_E_INVAL;
	}
	return 0;
}

static int load_csum(struct md_engine_cfg *cfg, const struct md_conf *c,
		     char *err, size_t errlen)
{
	const struct md_conf_node *n = md_conf_find(c, "checksum-validation");
	if (!n || !n->val)
		return 0;
	if (!strcmp(n->val, "auto"))
		cfg->csum_mode = MD_CSUM_AUTO;
	else if (!strcmp(n->val, "all") || !strcmp(n->val, "yes"))
		cfg->csum_mode = MD_CSUM_ALL;
	else if (!strcmp(n->val, "none") || !strcmp(n->val, "no"))
		cfg->csum_mode = MD_CSUM_NONE;
	else {
		snprintf(
		    err, errlen,
		    "%s:%d: checksum-validation: '%s' is not auto, all or none",
		    c->file, n->line, n->val);
		return MD_E_INVAL;
	}
	return 0;
}

static int load_defrag(struct md_engine_cfg *cfg, const struct md_conf *c,
		       char *err, size_t errlen)
{
	struct md_decode_cfg *d = &cfg->decode;
	uint64_t v;
	if (md_conf_size(c, "defrag.memcap", d->defrag_memcap,
			 &d->defrag_memcap, E) ||
	    md_conf_uint(c, "defrag.timeout", d->defrag_timeout / 1000000u,
			 86400, &v, E))
		return MD_E_INVAL;
	d->defrag_timeout = v * 1000000u;
	if (md_conf_uint(c, "defrag.max-frags", d->defrag_max_frags, 65535, &v,
			 E))
		return MD_E_INVAL;
	d->defrag_max_frags = (uint32_t)v;
	if (md_conf_uint(c, "defrag.trackers", d->defrag_max_trackers, 1u << 24,
			 &v, E))
		return MD_E_INVAL;
	d->defrag_max_trackers = (uint32_t)v;
	const struct md_conf_node *n = md_conf_find(c, "defrag.policy");
	if (n && n->val) {
		static const char *const names[] = {"first", "last", "linux",
						    "bsd"};
		size_t i;
		for (i = 0; i < 4 && strcmp(n->val, names[i]); i++)
			;
		if (i == 4) {
			snprintf(err, errlen,
				 "%s:%d: defrag.policy: '%s' is not first, "
				 "last, linux or bsd",
				 c->file, n->line, n->val);
			return MD_E_INVAL;
		}
		d->defrag_policy = (enum md_defrag_policy)i;
	}
	return 0;
}

static int load_timeouts(struct md_flow_timeouts *to, const struct md_conf *c,
			 const char *base, char *err, size_t errlen)
{
	static const char *const protos[MD_FP_MAX] = {"tcp", "udp", "icmp",
						      "default"};
	static const char *const states[3] = {"new", "established", "closed"};
	char path[96];
	for (int p = 0; p < MD_FP_MAX; p++)
		for (int s = 0; s < 3; s++) {
			uint64_t v;
			snprintf(path, sizeof(path), "%s.%s.%s", base,
				 protos[p], states[s]);
			if (md_conf_uint(c, path, to[p].state[s], 86400 * 7, &v,
					 E))
				return MD_E_INVAL;
			to[p].state[s] = (uint32_t)v;
		}
	return 0;
}

static int load_flow(struct md_engine_cfg *cfg, const struct md_conf *c,
		     char *err, size_t errlen)
{
	struct md_flow_cfg *f = &cfg->flow;
	uint64_t v;
	if (md_conf_size(c, "flow.memcap", f->memcap, &f->memcap, E) ||
	    md_conf_uint(c, "flow.hash-size", f->hash_size, 1u << 24, &v, E))
		return MD_E_INVAL;
	f->hash_size = (uint32_t)v;
	if (md_conf_uint(c, "flow.emergency-recovery", f->emergency_recovery,
			 100, &v, E))
		return MD_E_INVAL;
	f->emergency_recovery = (uint32_t)v;
	if (load_timeouts(f->to, c, "flow.timeouts", E) ||
	    load_timeouts(f->emerg, c, "flow.emergency-timeouts", E))
		return MD_E_INVAL;
	return 0;
}

static int load_stream(struct md_engine_cfg *cfg, const struct md_conf *c,
		       char *err, size_t errlen)
{
	struct md_stream_cfg *s = &cfg->stream;
	uint64_t v;
	if (md_conf_size(c, "stream.memcap", s->memcap, &s->memcap, E) ||
	    md_conf_size(c, "stream.depth", s->depth, &s->depth, E) ||
	    md_conf_bool(c, "stream.midstream", s->midstream, &s->midstream,
			 E) ||
	    md_conf_uint(c, "stream.max-queued-segments", s->max_queued,
			 1u << 20, &v, E))
		return MD_E_INVAL;
	s->max_queued = (uint32_t)v;
	return 0;
}

static int load_u32(const struct md_conf *c, const char *path, uint32_t *dst,
		    bool size, char *err, size_t errlen)
{
	uint64_t v;
	int rc = size ? md_conf_size(c, path, *dst, &v, E)
		      : md_conf_uint(c, path, *dst, UINT32_MAX, &v, E);
	if (rc)
		return rc;
	if (v > UINT32_MAX) {
		snprintf(err, errlen, "%s: %s: value too large", c->file, path);
		return MD_E_INVAL;
	}
	*dst = (uint32_t)v;
	return 0;
}

/* app-layer.protocols.<name>.enabled for every registered parser (the
 * plugins are loaded before the configuration is applied). */
static int protocols_enabled(struct md_engine_cfg *cfg, const struct md_conf *c,
			     char *err, size_t errlen)
{
	for (size_t i = 0; i < md_registry_count() && i < 32; i++) {
		char path[96];
		bool on;
		snprintf(path, sizeof(path), "app-layer.protocols.%s.enabled",
			 md_registry_get(i)->name);
		if (md_conf_bool(c, path, true, &on, err, errlen))
			return MD_E_INVAL;
		if (!on)
			cfg->app.disabled |= 1u << i;
	}
	return 0;
}

static int load_app(struct md_engine_cfg *cfg, const struct md_conf *c,
		    char *err, size_t errlen)
{
	struct md_applayer_cfg *a = &cfg->app;
	if (load_u32(c, "app-layer.probe-depth", &a->probe_max, true, E) ||
	    load_u32(c, "app-layer.max-buffer", &a->lim.max_buffer, true, E) ||
	    load_u32(c, "app-layer.max-pdu", &a->lim.max_pdu, true, E) ||
	    load_u32(c, "app-layer.max-items", &a->lim.max_items, false, E) ||
	    load_u32(c, "app-layer.max-field", &a->lim.max_field, true, E) ||
	    load_u32(c, "app-layer.max-tx", &a->lim.max_tx, false, E) ||
	    load_u32(c, "app-layer.max-log-values", &a->lim.max_log_values,
		     false, E) ||
	    md_conf_size(c, "app-layer.buffer-memcap", a->buf_memcap,
			 &a->buf_memcap, E) ||
	    md_conf_size(c, "app-layer.tx-memcap", a->tx_memcap, &a->tx_memcap,
			 E))
		return MD_E_INVAL;
	if (protocols_enabled(cfg, c, err, errlen))
		return MD_E_INVAL;
	if (a->probe_max < 16 || a->lim.max_buffer < 1024) {
		snprintf(err, errlen,
			 "%s: app-layer: probe-depth must be >= 16 and "
			 "max-buffer >= 1kb",
			 c->file);
		return MD_E_INVAL;
	}
	return 0;
}

/* exception-policy.{default,<target>} and stream.inline (verdict.h). */
static int load_inline(struct md_engine_cfg *cfg, const struct md_conf *c,
		       char *err, size_t errlen)
{
	static const char *const keys[MD_EXC_MAX] = {
	    "flow-memcap", "tcp-ssn-memcap", "tcp-reassembly",
	    "app-layer-memcap", "app-layer-error"};
	struct md_inline_cfg *in = &cfg->inl;
	char path[96];
	for (int i = -1; i < MD_EXC_MAX; i++) {
		snprintf(path, sizeof(path), "exception-policy.%s",
			 i < 0 ? "default" : keys[i]);
		const struct md_conf_node *n = md_conf_find(c, path);
		if (!n || !n->val)
			continue;
		int pol = md_exc_policy_parse(n->val);
		if (pol < 0) {
			snprintf(err, errlen,
				 "%s:%d: %s: '%s' is not pass-flow, drop-flow "
				 "or ignore",
				 c->file, n->line, path, n->val);
			return MD_E_INVAL;
		}
		for (int t = i < 0 ? 0 : i; t < (i < 0 ? MD_EXC_MAX : i + 1);
		     t++)
			in->policy[t] = (uint8_t)pol;
	}
	if (load_u32(c, "stream.inline.max-held-packets", &in->max_held, false,
		     E) ||
	    load_u32(c, "stream.inline.hold-timeout", &in->hold_timeout_ms,
		     false, E))
		return MD_E_INVAL;
	return 0;
}

static void load_rules(struct md_engine_cfg *cfg, const struct md_conf *c)
{
	const char *s = md_conf_str(c, "default-rule-path", NULL);
	if (s)
		snprintf(cfg->rule_path, sizeof(cfg->rule_path), "%s", s);
	const struct md_conf_node *n = md_conf_find(c, "rule-files");
	if (!n || n->kind != MD_CONF_SEQ)
		return;
	for (n = n->child; n && cfg->n_rule_files < MD_MAX_RULE_FILES;
	     n = n->next)
		if (n->val)
			cfg->rule_files[cfg->n_rule_files++] = n->val;
}

/* inventory: (doc/inventory.md). */
static int load_inventory(struct md_engine_cfg *cfg, const struct md_conf *c,
			  char *err, size_t errlen)
{
	static const struct {
		const char *path;
		size_t off, len;
	} strs[] = {
#define INV_STR(key, m)                                                        \
	{"inventory." key, offsetof(struct md_inventory_cfg, m),               \
	 sizeof(((struct md_inventory_cfg *)0)->m)}
	    INV_STR("state-file", state_file),
	    INV_STR("snapshot-file", snapshot),
	    INV_STR("advisories", advisories),
	    INV_STR("implementers", implementers),
#undef INV_STR
	};
	struct md_inventory_cfg *iv = &cfg->inv;
	uint64_t v, m;
	if (md_conf_bool(c, "inventory.enabled", iv->enabled, &iv->enabled,
			 E) ||
	    md_conf_uint(c, "inventory.gone-after", iv->gone_after,
			 86400u * 3650u, &v, E) ||
	    md_conf_uint(c, "inventory.max-devices", iv->max_devices, 1u << 24,
			 &m, E))
		return MD_E_INVAL;
	iv->gone_after = (uint32_t)v;
	iv->max_devices = (uint32_t)m;
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		const char *s = md_conf_str(c, strs[i].path, NULL);
		if (s)
			snprintf((char *)iv + strs[i].off, strs[i].len, "%s",
				 s);
	}
	return 0;
}

int md_engine_cfg_load(struct md_engine_cfg *cfg, const struct md_conf *c,
		       char *err, size_t errlen)
{
	uint64_t v;
	const char *s = md_conf_str(c, "default-log-dir", NULL);
	if (s)
		snprintf(cfg->log_dir, sizeof(cfg->log_dir), "%s", s);
	if (md_conf_uint(c, "stats.interval", cfg->stats_interval, 86400, &v,
			 E))
		return MD_E_INVAL;
	cfg->stats_interval = (uint32_t)v;
	bool stats_on;
	if (md_conf_bool(c, "stats.enabled", true, &stats_on, E))
		return MD_E_INVAL;
	if (load_outputs(cfg, c, E) || load_csum(cfg, c, E) ||
	    load_defrag(cfg, c, E) || load_flow(cfg, c, E) ||
	    load_stream(cfg, c, E) || load_app(cfg, c, E) ||
	    load_inline(cfg, c, E) || load_inventory(cfg, c, E))
		return MD_E_INVAL;
	if (!stats_on) {
		cfg->eve_types &= ~(uint64_t)MD_EVE_STATS;
		for (size_t i = 0; i < cfg->n_outs; i++)
			cfg->outs[i].types &= ~(uint64_t)MD_EVE_STATS;
	}
	load_rules(cfg, c);
	return 0;
}
