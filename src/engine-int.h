/* engine-int.h - inline steps of the worker pipeline, called by engine.c
 * and defined in engine-inline.c. Not part of the public API. */
#ifndef MD_ENGINE_INT_H
#define MD_ENGINE_INT_H

#include "engine.h"

/* Alerts of one inspection call asked to drop or pass: mark the flow and
 * the current packet's verdict. */
void md_inline_alerts(struct md_worker *w, struct md_flow *f,
		      const struct md_alerts *a);
/* Apply the exception policy of target t to flow f (may be NULL) at
 * packet p (may be NULL): count it, log an anomaly, mark flow/verdict. */
void md_inline_exception(struct md_worker *w, struct md_flow *f,
			 const struct md_packet *p, enum md_exc_target t);
/* Flow already decided (dropped or bypassed): set the verdict and return
 * true to skip inspection. */
bool md_inline_skip(struct md_worker *w, struct md_flow *f);
/* After the stream saw TCP packet p: session/segment memcaps. */
void md_inline_stream_done(struct md_worker *w, struct md_flow *f,
			   struct md_packet *p, int rc, uint64_t seg_before);
/* After inspection of p: hold it if its bytes wait for a hole, release
 * held packets of f that became inspectable. */
void md_inline_packet_done(struct md_worker *w, struct md_flow *f,
			   const struct md_packet *p);
/* Issue the verdicts of f's held packets: all of them when `all`, else
 * those no longer waiting. */
void md_inline_release(struct md_worker *w, struct md_flow *f, bool all);
/* Adopt rules published by md_engine_reload, between two packets. */
void md_worker_adopt_rules(struct md_worker *w);

#endif
