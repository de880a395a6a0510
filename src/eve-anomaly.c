/* eve-anomaly.c - `anomaly` records: decode, stream and app-layer events.
 *
 *   {"event_type":"anomaly", ..., "anomaly":{"type":"decode",
 *    "event":"decoder.ipv4.trunc_pkt"}}
 *   type "stream": event "stream.<name>"; type "applayer": event
 *   "<proto>.<name>" (or "app_layer.<name>") with app_proto and layer.
 */
#include "applayer.h"
#include "decode.h"
#include "eve.h"
#include "stream.h"

static void anomaly(struct md_eve *eve, json_t *o, const char *type,
		    const char *event, const char *app_proto)
{
	json_t *a = json_object();
	json_object_set_new(a, "type", json_string(type));
	json_object_set_new(a, "event", json_string(event));
	if (app_proto) {
		json_object_set_new(a, "app_proto", json_string(app_proto));
		json_object_set_new(a, "layer", json_string("proto_parser"));
	}
	json_object_set_new(o, "anomaly", a);
	md_eve_write(eve, MD_EVE_ANOMALY, o);
}

void md_eve_anomaly_decode(struct md_eve *eve, const struct md_packet *p,
			   unsigned ev)
{
	char name[96];
	if (!eve || !(eve->types & MD_EVE_ANOMALY))
		return;
	json_t *o = md_eve_header("anomaly", p->ts_usec, NULL, p, -1);
	if (!o)
		return;
	snprintf(name, sizeof(name), "decoder.%s", md_decode_event_name(ev));
	anomaly(eve, o, "decode", name, NULL);
}

void md_eve_anomaly_stream(struct md_eve *eve, const struct md_flow *f,
			   const struct md_packet *p, unsigned ev)
{
	char name[96];
	if (!eve || !(eve->types & MD_EVE_ANOMALY))
		return;
	json_t *o = md_eve_header("anomaly", p ? p->ts_usec : f->last_usec, f, p,
				  p ? p->dir : -1);
	if (!o)
		return;
	snprintf(name, sizeof(name), "stream.%s", md_stream_event_name(ev));
	anomaly(eve, o, "stream", name, NULL);
}

void md_eve_anomaly_app(struct md_eve *eve, const struct md_flow *f,
			const struct md_parser *pp, uint64_t tx, unsigned ev,
			uint64_t ts_usec)
{
	char name[128];
	if (!eve || !(eve->types & MD_EVE_ANOMALY))
		return;
	json_t *o = md_eve_header("anomaly", ts_usec, f, NULL, -1);
	if (!o)
		return;
	if (tx != MD_TX_NONE)
		json_object_set_new(o, "tx_id", json_integer((json_int_t)tx));
	if (pp)
		snprintf(name, sizeof(name), "%s.%s", pp->name,
			 ev < pp->n_events ? pp->events[ev].name : "unknown");
	else
		snprintf(name, sizeof(name), "app_layer.%s",
			 md_applayer_event_name(ev));
	const char *ap = md_applayer_proto(f);
	anomaly(eve, o, "applayer", name, ap ? ap : "unknown");
}
