/* eve-stats.c - `stats` records: every counter under its dotted path.
 *
 *   {"event_type":"stats","stats":{"uptime":12,"decoder":{"pkts":..},
 *    "flow":{..},"tcp":{..},"app_layer":{..},...}}
 */
#include <stdlib.h>
#include <string.h>

#include "eve.h"

void md_eve_stats(struct md_eve *eve, const struct md_counters *c,
		  uint64_t ts_usec, uint64_t uptime_s, json_t *extra)
{
	struct md_jb jb;
	json_t *st = json_object();
	char *text;
	if (!eve || !(eve->types & MD_EVE_STATS) || !st) {
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
	text = json_dumps(st, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(st);
	if (!text) {
		eve->errors++;
		return;
	}
	md_jb_init(&jb);
	md_eve_jb_header(&jb, "stats", ts_usec, NULL, NULL, -1);
	md_jb_raw(&jb, "stats", text, strlen(text));
	md_jb_close(&jb);
	md_eve_write_jb(eve, MD_EVE_STATS, &jb);
	md_jb_free(&jb);
	free(text);
}
