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

static void anomaly(struct md_eve *eve, struct md_jb *jb, const char *type,
		    const char *event, const char *app_proto)
{
	md_jb_open(jb, "anomaly");
	md_jb_str(jb, "type", type);
	md_jb_str(jb, "event", event);
	if (app_proto) {
		md_jb_str(jb, "app_proto", app_proto);
		md_jb_str(jb, "layer", "proto_parser");
	}
	md_jb_close(jb);
	md_jb_close(jb);
	md_eve_write_jb(eve, MD_EVE_ANOMALY, jb);
	md_jb_free(jb);
}

void md_eve_anomaly_decode(struct md_eve *eve, const struct md_packet *p,
			   unsigned ev)
{
	char name[96], stack[1024];
	struct md_jb jb;
	if (!eve || !(eve->types & MD_EVE_ANOMALY))
		return;
	md_jb_init_buf(&jb, stack, sizeof(stack));
	md_eve_jb_header(&jb, "anomaly", p->ts_usec, NULL, p, -1);
	snprintf(name, sizeof(name), "decoder.%s", md_decode_event_name(ev));
	anomaly(eve, &jb, "decode", name, NULL);
}

void md_eve_anomaly_stream(struct md_eve *eve, const struct md_flow *f,
			   const struct md_packet *p, unsigned ev)
{
	char name[96], stack[1024];
	struct md_jb jb;
	if (!eve || !(eve->types & MD_EVE_ANOMALY))
		return;
	md_jb_init_buf(&jb, stack, sizeof(stack));
	md_eve_jb_header(&jb, "anomaly", p ? p->ts_usec : f->last_usec, f, p,
			 p ? p->dir : -1);
	snprintf(name, sizeof(name), "stream.%s", md_stream_event_name(ev));
	anomaly(eve, &jb, "stream", name, NULL);
}

void md_eve_anomaly_app(struct md_eve *eve, const struct md_flow *f,
			const struct md_parser *pp, uint64_t tx, unsigned ev,
			uint64_t ts_usec)
{
	char name[128], stack[1024];
	struct md_jb jb;
	if (!eve || !(eve->types & MD_EVE_ANOMALY))
		return;
	md_jb_init_buf(&jb, stack, sizeof(stack));
	md_eve_jb_header(&jb, "anomaly", ts_usec, f, NULL, -1);
	if (tx != MD_TX_NONE)
		md_jb_uint(&jb, "tx_id", tx);
	if (pp)
		snprintf(name, sizeof(name), "%s.%s", pp->name,
			 ev < pp->n_events ? pp->events[ev].name : "unknown");
	else
		snprintf(name, sizeof(name), "app_layer.%s",
			 md_applayer_event_name(ev));
	const char *ap = md_applayer_proto(f);
	anomaly(eve, &jb, "applayer", name, ap ? ap : "unknown");
}
