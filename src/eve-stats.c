/* eve-stats.c - `stats` records: every counter under its dotted path.
 *
 *   {"event_type":"stats","stats":{"uptime":12,"decoder":{"pkts":..},
 *    "flow":{..},"tcp":{..},"app_layer":{..},...}}
 */
#include "eve.h"

void md_eve_stats(struct md_eve *eve, const struct md_counters *c,
		  uint64_t ts_usec, uint64_t uptime_s, json_t *extra)
{
	if (!eve || !(eve->types & MD_EVE_STATS)) {
		json_decref(extra);
		return;
	}
	json_t *o = md_eve_header("stats", ts_usec, NULL, NULL, -1);
	json_t *st = json_object();
	if (!o || !st) {
		json_decref(o);
		json_decref(st);
		json_decref(extra);
		return;
	}
	json_object_set_new(st, "uptime", json_integer((json_int_t)uptime_s));
	for (unsigned i = 0; i < MD_CTR_MAX; i++)
		md_json_set_path(st, md_counter_name((enum md_ctr_id)i),
				 json_integer((json_int_t)c->v[i]));
	if (extra)
		json_object_update_recursive(st, extra);
	json_decref(extra);
	json_object_set_new(o, "stats", st);
	md_eve_write(eve, MD_EVE_STATS, o);
}
