/* engine.c - engine set-up and the per-packet worker pipeline.
 *
 *   md_worker_packet: decode -> (anomaly records) -> flow timeouts ->
 *     flow lookup -> TCP: stream -> app layer | UDP: app layer -> touch
 *   flow end: stream flush -> app-layer flush (tx records) -> flow record
 */
#include "engine.h"
#include "engine-int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "inventory.h"
#include "mem.h"
#include "registry.h"
#include "util-time.h"

/* Packets sampled by the auto checksum mode before it decides. */
#define MD_CSUM_SAMPLE 1000u

void md_engine_cfg_defaults(struct md_engine_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->log_dir, sizeof(cfg->log_dir), "%s", MD_LOGDIR);
	snprintf(cfg->eve_file, sizeof(cfg->eve_file), "eve.json");
	snprintf(cfg->phi_key_file, sizeof(cfg->phi_key_file), "phi.key");
	snprintf(cfg->rule_path, sizeof(cfg->rule_path), "%s", MD_RULEDIR);
	cfg->eve_types = MD_EVE_ALL;
	cfg->csum_mode = MD_CSUM_AUTO;
	cfg->stats_interval = 30;
	cfg->decode.defrag_memcap = 32u << 20;
	cfg->decode.defrag_timeout = 60u * 1000000u;
	cfg->decode.defrag_max_frags = 256;
	cfg->decode.defrag_max_trackers = 65535;
	cfg->decode.defrag_policy = MD_DEFRAG_FIRST;
	md_flow_cfg_defaults(&cfg->flow);
	cfg->stream.memcap = 256u << 20;
	cfg->stream.depth = 0;
	cfg->stream.midstream = true;
	cfg->stream.max_queued = 1024;
	md_applayer_cfg_defaults(&cfg->app);
	md_inline_cfg_defaults(&cfg->inl);
	md_inventory_cfg_defaults(&cfg->inv);
}

/* ---- alerts -------------------------------------------------------------- */

/* Log the alerts of one inspection call. tx is the transaction the
 * alerts of parser pp refer to, when there is one. */
static void emit(struct md_worker *w, struct md_flow *f,
		 const struct md_packet *p, const struct md_alerts *a,
		 const struct md_parser *pp, const struct md_tx *tx)
{
	for (unsigned i = 0; i < a->n; i++) {
		const struct md_alert *al = &a->a[i];
		if (al->sig->action == MD_ACT_PASS || al->sig->noalert)
			continue;
		bool blocked =
		    w->eng->inline_mode && al->sig->action != MD_ACT_ALERT;
		const struct md_tx *t = tx && al->tx_id == tx->id ? tx : NULL;
		md_eve_alert(w->eng->eve, f, p, al, t ? pp : NULL, t, blocked,
			     w->now_usec);
		MD_INC(&w->ctr, DETECT_ALERTS);
		if (f)
			f->alerted = true;
	}
	MD_ADD(&w->ctr, DETECT_ALERT_OVERFLOW, a->overflow);
	if (w->eng->inline_mode && (a->drop || a->pass_flow))
		md_inline_alerts(w, f, a);
}

/* ---- worker callbacks ---------------------------------------------------- */

static void on_stream_data(void *user, struct md_flow *f, int dir,
			   const uint8_t *p, uint32_t len,
			   const struct md_packet *pkt)
{
	struct md_worker *w = user;
	md_applayer_data(&w->app, f, dir, p, len);
	if (w->dt) {
		struct md_alerts a = {0};
		md_detect_stream(w->dt, f, dir, p, len, MD_DETECT_OFF_NEXT, &a);
		emit(w, f, pkt, &a, NULL, NULL);
	}
}

static void on_stream_gap(void *user, struct md_flow *f, int dir, uint64_t len)
{
	struct md_worker *w = user;
	if (w->eng->inline_mode && w->cur)
		md_inline_exception(w, f, w->cur, MD_EXC_TCP_REASSEMBLY);
	md_applayer_gap(&w->app, f, dir, len);
	if (w->dt)
		md_detect_stream_gap(f, dir, len);
}

static void on_stream_eof(void *user, struct md_flow *f, int dir)
{
	struct md_worker *w = user;
	md_applayer_eof(&w->app, f, dir);
}

static void on_stream_event(void *user, struct md_flow *f,
			    const struct md_packet *pkt,
			    enum md_stream_event ev)
{
	struct md_worker *w = user;
	md_eve_anomaly_stream(w->eng->eve, f, pkt, ev);
}

static void on_app_event(void *user, struct md_flow *f,
			 const struct md_parser *pp, uint64_t tx, unsigned ev)
{
	struct md_worker *w = user;
	md_eve_anomaly_app(w->eng->eve, f, pp, tx, ev, w->now_usec);
	if (w->eng->inline_mode && !pp)
		md_inline_exception(w, f, w->cur,
				    ev == MD_APP_EV_PARSER_ERROR
					? MD_EXC_APP_ERROR
					: MD_EXC_APP_MEMCAP);
	if (w->dt) {
		struct md_alerts a = {0};
		md_detect_app_event(w->dt, f, pp, tx, ev, &a);
		emit(w, f, w->cur, &a, NULL, NULL);
	}
}

static void on_tx_update(void *user, struct md_flow *f,
			 const struct md_parser *pp, struct md_tx *tx)
{
	struct md_worker *w = user;
	if (w->dt) {
		struct md_alerts a = {0};
		md_detect_tx(w->dt, f, pp, tx, &a);
		emit(w, f, w->cur, &a, pp, tx);
	}
}

/* Rules over the inventory's synthetic "device" transactions. */
static void inv_detect(struct md_worker *w, struct md_flow *f,
		       struct md_inv_emit *out)
{
	for (unsigned i = 0; w->dt && i < out->n; i++) {
		struct md_alerts a = {0};
		md_detect_tx(w->dt, f, &md_inventory_parser, out->tx[i], &a);
		emit(w, f, f ? w->cur : NULL, &a, &md_inventory_parser,
		     out->tx[i]);
	}
	md_inventory_emit_free(w->eng->inv, out);
}

static void on_tx_done(void *user, struct md_flow *f,
		       const struct md_parser *pp, struct md_tx *tx)
{
	struct md_worker *w = user;
	on_tx_update(user, f, pp, tx);
	md_eve_tx(w->eng->eve, f, pp, tx, w->now_usec);
	if (w->eng->inv) {
		struct md_inv_emit out = {0};
		md_inventory_tx(w->eng->inv, f, w->cur, pp, tx, w->now_usec,
				&out);
		inv_detect(w, f, &out);
	}
}

static void on_flow_end(void *user, struct md_flow *f)
{
	struct md_worker *w = user;
	if (w->vs.n_held)
		md_inline_release(w, f, true);
	md_stream_flow_flush(&w->stream, f);
	md_applayer_flow_end(&w->app, f);
	md_inventory_flow_end(w->eng->inv, f);
	md_detect_flow_free(f);
	md_eve_flow(w->eng->eve, f, f->last_usec);
	md_stream_flow_end(&w->stream, f);
}

/* ---- worker ----------------------------------------------------------- */

int md_worker_init(struct md_worker *w, struct md_engine *e)
{
	static const struct md_stream_ops sops = {
	    on_stream_data, on_stream_gap, on_stream_eof, on_stream_event};
	static const struct md_applayer_ops aops = {on_app_event, on_tx_done,
						    on_tx_update};
	struct md_decode_cfg dcfg = e->cfg.decode;

	memset(w, 0, sizeof(*w));
	w->eng = e;
	w->drop_reason = -1;
	w->gen = atomic_load(&e->gen);
	atomic_store(&w->gen_seen, w->gen);
	dcfg.csum_check = e->cfg.csum_mode != MD_CSUM_NONE;
	if (md_decode_init(&w->dec, &dcfg, &w->ctr))
		return MD_E_NOMEM;
	if (md_flow_table_init(&w->flows, &e->cfg.flow, &w->ctr, on_flow_end,
			       w)) {
		md_decode_fini(&w->dec);
		return MD_E_NOMEM;
	}
	md_stream_init(&w->stream, &e->cfg.stream, &w->ctr, &sops, w);
	md_applayer_init(&w->app, &e->cfg.app, &w->ctr, &aops, w);
	memcpy(w->app.use, e->use, sizeof(w->app.use));
	w->vs.cfg = e->cfg.inl; /* no held slots until md_worker_inline */
	if (e->detect && !(w->dt = md_detect_thread_new(e->detect))) {
		md_flow_table_fini(&w->flows);
		md_decode_fini(&w->dec);
		return MD_E_NOMEM;
	}
	return 0;
}

void md_worker_fini(struct md_worker *w)
{
	md_flow_table_fini(&w->flows);
	md_stream_fini(&w->stream);
	md_decode_fini(&w->dec);
	md_detect_thread_free(w->dt);
	w->dt = NULL;
	md_vstate_fini(&w->vs);
}

/* Auto checksum mode: sample the first packets; when more than one in ten
 * carries a bad checksum (offloading, captures on lo), stop checking. Bad
 * checksums are not enforced while sampling. */
static void csum_auto(struct md_worker *w, struct md_packet *p)
{
	if (w->eng->cfg.csum_mode != MD_CSUM_AUTO || !w->dec.cfg.csum_check ||
	    !(p->flags & MD_PKT_L4))
		return;
	w->csum_checked++;
	if (p->flags & MD_PKT_CSUM_BAD) {
		w->csum_bad++;
		p->flags &= ~MD_PKT_CSUM_BAD;
	}
	if (w->csum_checked >= MD_CSUM_SAMPLE ||
	    w->csum_bad * 10 > MD_CSUM_SAMPLE) {
		if (w->csum_bad * 10 > w->csum_checked)
			w->dec.cfg.csum_check = false;
		w->eng->cfg.csum_mode =
		    w->dec.cfg.csum_check ? MD_CSUM_ALL : MD_CSUM_NONE;
	}
}

static void detect_packet(struct md_worker *w, struct md_flow *f,
			  const struct md_packet *p)
{
	struct md_alerts a = {0};
	md_detect_packet(w->dt, f, p, &a);
	emit(w, f, p, &a, NULL, NULL);
}

static void handle_flow(struct md_worker *w, struct md_packet *p)
{
	struct md_flow *f = md_flow_lookup(&w->flows, p);
	if (!f) {
		if (w->eng->inline_mode)
			md_inline_exception(w, NULL, p, MD_EXC_FLOW_MEMCAP);
		if (w->dt)
			detect_packet(w, NULL, p);
		return;
	}
	if (w->eng->inline_mode && md_inline_skip(w, f)) {
		md_flow_touch(&w->flows, f);
		return;
	}
	if (p->proto == 6 && (p->flags & MD_PKT_L4)) {
		uint64_t seg = w->ctr.v[MD_CTR_TCP_SEGMENT_MEMCAP_DROP];
		int rc = md_stream_packet(&w->stream, f, p);
		if (w->eng->inline_mode)
			md_inline_stream_done(w, f, p, rc, seg);
	} else if (p->proto == 17 && p->payload_len &&
		   !(p->flags & MD_PKT_CSUM_BAD))
		md_applayer_data(&w->app, f, p->dir, p->payload,
				 p->payload_len);
	if (w->dt && f->action != MD_FLOW_ACT_BYPASS)
		detect_packet(w, f, p);
	if (w->eng->inline_mode)
		md_inline_packet_done(w, f, p);
	md_flow_touch(&w->flows, f);
}

void md_worker_packet(struct md_worker *w, struct md_packet *p)
{
	w->verdict = MD_VERDICT_ACCEPT;
	w->reject_to = 0;
	w->drop_reason = -1;
	int rc = md_decode(&w->dec, p);
	for (unsigned i = 0; i < p->n_events; i++)
		md_eve_anomaly_decode(w->eng->eve, p, p->events[i]);
	if (p->ts_usec > w->now_usec)
		w->now_usec = p->ts_usec;
	md_flow_timeout(&w->flows, w->now_usec);
	md_decode_timeout(&w->dec, w->now_usec);
	if (w->eng->inv) {
		struct md_inv_emit out = {0};
		md_inventory_tick(w->eng->inv, w->now_usec, &out);
		inv_detect(w, NULL, &out);
	}
	if (rc == MD_DECODE_OK && p->ip_ver) {
		csum_auto(w, p);
		w->cur = p;
		handle_flow(w, p);
		w->cur = NULL;
	} else if (w->dt && rc != MD_DECODE_HELD) {
		detect_packet(w, NULL, p); /* decode-event rules */
	}
	md_packet_release(p);
	if (w->eng->inline_mode && w->verdict != MD_VERDICT_HOLD)
		md_verdict_count(&w->ctr, (enum md_verdict)w->verdict,
				 w->drop_reason);
}

void md_worker_adopt_rules(struct md_worker *w)
{
	struct md_engine *e = w->eng;
	unsigned g = atomic_load_explicit(&e->gen, memory_order_acquire);
	if (g == w->gen)
		return;
	/* flow detection state belongs to the old engine: free it now */
	for (int s = 0; s < 3; s++)
		for (struct md_flow *f = w->flows.head[s]; f; f = f->lru_next)
			md_detect_flow_free(f);
	md_detect_thread_free(w->dt);
	w->dt = e->detect ? md_detect_thread_new(e->detect) : NULL;
	memcpy(w->app.use, e->use, sizeof(w->app.use));
	w->gen = g;
	atomic_store_explicit(&w->gen_seen, g, memory_order_release);
}

/* ---- engine -------------------------------------------------------------- */

/* Which parser fields the app layer keeps: those EVE writes and those the
 * rules read. On allocation failure a parser keeps every field. */
static void field_use(struct md_engine *e)
{
	for (size_t pid = 0; pid < md_registry_count() && pid < 32; pid++) {
		const struct md_parser *pp = md_registry_get(pid);
		bool logged = e->eve && (e->eve->types & md_eve_app_type(pp));
		struct md_field_use *u =
		    md_calloc(pp->n_fields ? pp->n_fields : 1, sizeof(*u));
		if (!u)
			continue;
		for (size_t f = 0; f < pp->n_fields; f++)
			if (logged && !(pp->fields[f].flags & MD_FF_NOLOG))
				u[f].used = u[f].all_args = true;
		if (e->detect)
			md_detect_field_use(e->detect, (int)pid, pp, u);
		md_inventory_field_use(e->inv, pp, u);
		e->use[pid] = u;
	}
}

/* The eve-log outputs (or the default file), paths relative to the log
 * directory made absolute. */
static int open_outputs(struct md_engine *e, const struct md_engine_cfg *cfg,
			char *err, size_t errlen)
{
	size_t n = cfg->outs_set ? cfg->n_outs : 1;
	struct md_out_cfg *outs = md_calloc(n ? n : 1, sizeof(*outs));
	if (!outs) {
		snprintf(err, errlen, "out of memory");
		return MD_E_NOMEM;
	}
	if (cfg->outs_set) {
		memcpy(outs, cfg->outs, n * sizeof(*outs));
	} else {
		md_out_cfg_defaults(&outs[0], MD_OUT_FILE);
		snprintf(outs[0].filename, sizeof(outs[0].filename), "%s",
			 cfg->eve_file);
		outs[0].types = cfg->eve_types;
	}
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		char tmp[MD_OUT_PATH], *f = outs[i].filename;
		if (f[0] == '/')
			continue;
		snprintf(tmp, sizeof(tmp), "%s", f);
		if (snprintf(f, MD_OUT_PATH, "%s/%s", cfg->log_dir, tmp) >=
		    MD_OUT_PATH) {
			snprintf(err, errlen, "%s/%s: path too long",
				 cfg->log_dir, tmp);
			rc = MD_E_INVAL;
		}
	}
	if (!rc)
		rc = md_eve_new(&e->eve, outs, n, err, errlen);
	if (!rc && !cfg->defer_output_threads)
		rc = md_eve_start(e->eve);
	md_free(outs);
	return rc;
}

int md_engine_new(struct md_engine **out, const struct md_engine_cfg *cfg,
		  struct md_detect *detect, char *err, size_t errlen)
{
	char path[1100];
	struct stat st;
	struct md_engine *e;

	*out = NULL;
	if (stat(cfg->log_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "log directory %s: %s", cfg->log_dir,
			 errno ? strerror(errno) : "not a directory");
		md_detect_free(detect);
		return MD_E_IO;
	}
	e = md_calloc(1, sizeof(*e));
	if (!e) {
		snprintf(err, errlen, "out of memory");
		md_detect_free(detect);
		return MD_E_NOMEM;
	}
	e->cfg = *cfg;
	e->detect = detect;
	int rc = open_outputs(e, cfg, err, errlen);
	if (rc) {
		md_detect_free(detect);
		md_free(e);
		return rc;
	}
	e->eve->phi.log_clear = cfg->log_phi;
	e->eve->max_values = cfg->app.lim.max_log_values;
	if (!cfg->log_phi) {
		if (cfg->phi_key_file[0] == '/')
			snprintf(path, sizeof(path), "%s", cfg->phi_key_file);
		else
			snprintf(path, sizeof(path), "%s/%s", cfg->log_dir,
				 cfg->phi_key_file);
		rc = md_eve_phi_key_load(&e->eve->phi, path, err, errlen);
		if (rc) {
			md_eve_close(e->eve);
			md_detect_free(detect);
			md_free(e);
			return rc;
		}
	}
	if (cfg->inv.enabled &&
	    (rc = md_inventory_new(&e->inv, &cfg->inv, cfg->log_dir,
				   cfg->rule_path, e->eve, err, errlen))) {
		md_engine_free(e);
		return rc;
	}
	e->start_mono = e->last_stats_mono = md_time_mono_usec();
	field_use(e);
	*out = e;
	return 0;
}

int md_engine_reload(struct md_engine *e, struct md_detect *detect,
		     struct md_worker *const *ws, size_t n, unsigned timeout_ms)
{
	struct md_detect *old = e->detect;
	struct md_field_use *old_use[32];
	memcpy(old_use, e->use, sizeof(old_use));
	memset(e->use, 0, sizeof(e->use));
	e->detect = detect;
	field_use(e);
	unsigned g =
	    atomic_fetch_add_explicit(&e->gen, 1, memory_order_release) + 1;
	uint64_t end = md_time_mono_usec() + timeout_ms * 1000ull;
	for (size_t i = 0; i < n; i++)
		while (atomic_load_explicit(&ws[i]->gen_seen,
					    memory_order_acquire) != g) {
			if (md_time_mono_usec() > end)
				return MD_E_LIMIT; /* old engine kept */
			nanosleep(&(struct timespec){0, 5000000}, NULL);
		}
	md_detect_free(old);
	for (size_t i = 0; i < 32; i++)
		md_free(old_use[i]);
	return 0;
}

void md_engine_free(struct md_engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < 32; i++)
		md_free(e->use[i]);
	if (e->inv) {
		md_inventory_snapshot(e->inv);
		md_inventory_save(e->inv);
		md_inventory_free(e->inv);
	}
	md_detect_free(e->detect);
	md_eve_close(e->eve);
	md_eve_txw_fini();
	md_free(e);
}

/* stats.detect.engines: one engine, its rule counts. */
static json_t *detect_stats(const struct md_engine *e)
{
	struct md_detect_stats st = {0};
	if (e->detect)
		st = *md_detect_get_stats(e->detect);
	st.failed += e->rules_failed_load;
	json_t *eng = json_object();
	json_object_set_new(eng, "id", json_integer(0));
	json_object_set_new(eng, "rules_loaded",
			    json_integer((json_int_t)st.loaded));
	json_object_set_new(eng, "rules_failed",
			    json_integer((json_int_t)st.failed));
	json_object_set_new(eng, "rules_skipped",
			    json_integer((json_int_t)st.skipped));
	json_t *arr = json_array();
	json_array_append_new(arr, eng);
	json_t *det = json_object();
	json_object_set_new(det, "engines", arr);
	json_t *o = json_object();
	json_object_set_new(o, "detect", det);
	if (e->inv)
		json_object_set_new(
		    o, "inventory",
		    json_pack("{s:I,s:I}", "devices",
			      (json_int_t)md_inventory_count(e->inv), "dropped",
			      (json_int_t)md_inventory_dropped(e->inv)));
	return o;
}

void md_engine_snapshot(struct md_engine *e)
{
	if (e && e->inv)
		md_inventory_snapshot(e->inv);
}

static void write_stats(struct md_engine *e, struct md_worker *const *ws,
			size_t n, uint64_t ts_usec)
{
	struct md_counters sum = {{0}};
	for (size_t i = 0; i < n; i++)
		for (unsigned c = 0; c < MD_CTR_MAX; c++)
			sum.v[c] += ws[i]->ctr.v[c];
	sum.v[MD_CTR_EVE_WRITTEN] = e->eve->written;
	sum.v[MD_CTR_EVE_ERRORS] =
	    e->eve->errors + md_eve_output_errors(e->eve);
	uint64_t up = (md_time_mono_usec() - e->start_mono) / 1000000u;
	json_t *extra = detect_stats(e);
	json_object_set_new(extra, "output", md_eve_stats_json(e->eve));
	if (e->stats_extra) {
		json_t *x = e->stats_extra(e->stats_user);
		if (x)
			json_object_update_recursive(extra, x);
		json_decref(x);
	}
	md_eve_stats(e->eve, &sum, ts_usec ? ts_usec : md_time_now_usec(), up,
		     extra);
	e->last_stats_mono = md_time_mono_usec();
}

void md_engine_stats(struct md_engine *e, struct md_worker *const *ws, size_t n,
		     uint64_t ts_usec)
{
	md_eve_sync(e->eve, 0); /* queued records delivered: final counts */
	write_stats(e, ws, n, ts_usec);
}

void md_engine_stats_tick(struct md_engine *e, struct md_worker *const *ws,
			  size_t n, uint64_t ts_usec)
{
	if (!e->cfg.stats_interval)
		return;
	uint64_t now = md_time_mono_usec();
	if (now - e->last_stats_mono >= e->cfg.stats_interval * 1000000ull)
		write_stats(e, ws, n, ts_usec);
}
