/* eve-alert.c - `alert` records in Suricata's shape.
 *
 *   {"event_type":"alert", <header>, "tx_id":N,
 *    "alert":{"action":"allowed"|"blocked","gid":1,"signature_id":..,
 *             "rev":..,"signature":"..","category":"..","severity":2,
 *             "metadata":{..}},
 *    "<proto>":{..the transaction..},
 *    "flow":{"pkts_toserver":..,"pkts_toclient":..,"bytes_toserver":..,
 *            "bytes_toclient":..,"start":".."}}
 */
#include <string.h>

#include "detect.h"
#include "eve.h"
#include "util-time.h"

static void alert_object(struct md_jb *jb, const struct md_sig_info *s,
			 bool blocked)
{
	md_jb_open(jb, "alert");
	md_jb_str(jb, "action", blocked ? "blocked" : "allowed");
	md_jb_uint(jb, "gid", s->gid);
	md_jb_uint(jb, "signature_id", s->sid);
	md_jb_uint(jb, "rev", s->rev);
	md_jb_str(jb, "signature", s->msg ? s->msg : "");
	md_jb_str(jb, "category", s->category ? s->category : "");
	md_jb_uint(jb, "severity", s->priority > 0 ? (uint64_t)s->priority : 3);
	if (s->metadata)
		md_jb_raw(jb, "metadata", s->metadata, strlen(s->metadata));
	md_jb_close(jb);
}

static void flow_object(struct md_jb *jb, const struct md_flow *f)
{
	char ts[MD_TS_LEN];
	md_jb_open(jb, "flow");
	md_jb_uint(jb, "pkts_toserver", f->pkts[0]);
	md_jb_uint(jb, "pkts_toclient", f->pkts[1]);
	md_jb_uint(jb, "bytes_toserver", f->bytes[0]);
	md_jb_uint(jb, "bytes_toclient", f->bytes[1]);
	md_jb_str(jb, "start", md_time_format(ts, f->start_usec));
	md_jb_close(jb);
}

void md_eve_alert(struct md_eve *eve, const struct md_flow *f,
		  const struct md_packet *p, const struct md_alert *a,
		  const struct md_parser *pp, const struct md_tx *tx,
		  bool blocked, uint64_t ts_usec)
{
	char stack[4096];
	struct md_jb jb;
	if (!eve || !(eve->types & MD_EVE_ALERT))
		return;
	md_jb_init_buf(&jb, stack, sizeof(stack));
	md_eve_jb_header(&jb, "alert", p ? p->ts_usec : ts_usec, f, p,
			 f ? a->dir : -1);
	if (tx)
		md_jb_uint(&jb, "tx_id", tx->id);
	else if (a->tx_id != MD_TX_NONE)
		md_jb_uint(&jb, "tx_id", a->tx_id);
	alert_object(&jb, a->sig, blocked);
	if (pp && tx)
		md_eve_tx_write(&jb, pp->name, pp, tx, &eve->phi,
				eve->max_values);
	if (f)
		flow_object(&jb, f);
	md_jb_close(&jb);
	md_eve_write_jb(eve, MD_EVE_ALERT, &jb);
	md_jb_free(&jb);
}
