/* engine-config.c - medids.yaml onto struct md_engine_cfg.
 *
 * Every key is optional; an absent key keeps the documented default (the
 * values medids.yaml spells out). A malformed value is reported as
 * "FILE:LINE: key: reason".
 */
#include <stdio.h>
#include <stddef.h>
#include <string.h>

#include "engine.h"
#include "registry.h"

#define E err, errlen

static int load_outputs(struct md_engine_cfg *cfg, const struct md_conf *c,
			char *err, size_t errlen)
{
	const struct md_conf_node *outs = md_conf_find(c, "outputs");
	if (!outs)
		return 0;
	for (const struct md_conf_node *o = outs->child; o; o = o->next) {
		const struct md_conf_node *ev = md_conf_child(o, "eve-log");
		if (!ev)
			continue;
		const struct md_conf_node *n = md_conf_child(ev, "filename");
		if (n && n->val)
			snprintf(cfg->eve_file, sizeof(cfg->eve_file), "%s",
				 n->val);
		n = md_conf_child(ev, "phi-key-file");
		if (n && n->val)
			snprintf(cfg->phi_key_file, sizeof(cfg->phi_key_file),
				 "%s", n->val);
		n = md_conf_child(ev, "log-phi");
		if (n && n->val && md_parse_bool(n->val, &cfg->log_phi)) {
			snprintf(err, errlen,
				 "%s:%d: log-phi: '%s' is not yes or no",
				 c->file, n->line, n->val);
			return MD_E_INVAL;
		}
		n = md_conf_child(ev, "types");
		if (n && n->kind == MD_CONF_SEQ) {
			cfg->eve_types = 0;
			for (const struct md_conf_node *t = n->child; t;
			     t = t->next) {
				const char *v = t->val ? t->val : "";
				if (!strcmp(v, "alert"))
					cfg->eve_types |= MD_EVE_ALERT;
				else if (!strcmp(v, "anomaly"))
					cfg->eve_types |= MD_EVE_ANOMALY;
				else if (!strcmp(v, "flow"))
					cfg->eve_types |= MD_EVE_FLOW;
				else if (!strcmp(v, "stats"))
					cfg->eve_types |= MD_EVE_STATS;
				else if (!strcmp(v, "inventory"))
					cfg->eve_types |= MD_EVE_INVENTORY;
				else
					cfg->eve_types |= MD_EVE_APP;
			}
		}
		break; /* one EVE output for now */
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
	for (size_t i = 0; i < md_registry_count() && i < 32; i++) {
		char path[96];
		bool on;
		snprintf(path, sizeof(path), "app-layer.protocols.%s.enabled",
			 md_registry_get(i)->name);
		if (md_conf_bool(c, path, true, &on, E))
			return MD_E_INVAL;
		if (!on)
			a->disabled |= 1u << i;
	}
	if (a->probe_max < 16 || a->lim.max_buffer < 1024) {
		snprintf(err, errlen,
			 "%s: app-layer: probe-depth must be >= 16 and "
			 "max-buffer >= 1kb",
			 c->file);
		return MD_E_INVAL;
	}
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
	    load_inventory(cfg, c, E))
		return MD_E_INVAL;
	if (!stats_on)
		cfg->eve_types &= ~(unsigned)MD_EVE_STATS;
	load_rules(cfg, c);
	return 0;
}
