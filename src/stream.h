/* stream.h - TCP session tracking and reassembly, per direction.
 *
 * Tracks the three-way handshake (or picks a session up midstream), queues
 * out-of-order segments, drops retransmissions, resolves overlaps first-
 * wins (a `stream` anomaly when the overlapping bytes differ), hands holes
 * to the app layer as gaps, closes on FIN/RST, stops at the configured
 * stream depth per flow and refuses segments past the global reassembly
 * memcap. Every byte not delivered is counted (counters-stream.def).
 *
 * Each direction's bytes are delivered in order through `ops.data` as soon
 * as they are contiguous, so the two directions are interleaved in the
 * order the wire completed them.
 */
#ifndef MD_STREAM_H
#define MD_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "counters.h"
#include "flow.h"
#include "mem.h"
#include "packet.h"

enum md_stream_event {
#define MD_SEV(id, name) MD_SEV_##id,
#include "stream-events.def"
#undef MD_SEV
	MD_SEV_MAX
};

enum md_tcp_state {
	MD_TCP_NONE = 0,
	MD_TCP_SYN_SENT,
	MD_TCP_SYN_RECV,
	MD_TCP_ESTABLISHED,
	MD_TCP_FIN_WAIT1,
	MD_TCP_FIN_WAIT2,
	MD_TCP_TIME_WAIT,
	MD_TCP_CLOSE_WAIT,
	MD_TCP_LAST_ACK,
	MD_TCP_CLOSING,
	MD_TCP_CLOSED,
};

struct md_stream_cfg {
	uint64_t memcap;     /* bytes of queued segments, whole worker */
	uint64_t depth;	     /* bytes per direction delivered; 0 = unlimited */
	bool midstream;	     /* pick up sessions without a handshake */
	uint32_t max_queued; /* out-of-order segments per direction */
};

/* What the stream calls; `user` is md_stream_ctx.user. `pkt` is the packet
 * that made the data deliverable (NULL at flow end). */
struct md_stream_ops {
	void (*data)(void *user, struct md_flow *f, int dir, const uint8_t *p,
		     uint32_t len, const struct md_packet *pkt);
	void (*gap)(void *user, struct md_flow *f, int dir, uint64_t len);
	void (*eof)(void *user, struct md_flow *f, int dir);
	void (*event)(void *user, struct md_flow *f,
		      const struct md_packet *pkt, enum md_stream_event ev);
};

struct md_stream_ctx {
	struct md_stream_cfg cfg;
	struct md_memcap memcap;
	struct md_counters *ctr; /* borrowed, the worker's */
	struct md_stream_ops ops;
	void *user;
};

/* Initialise ctx; returns 0. */
int md_stream_init(struct md_stream_ctx *ctx, const struct md_stream_cfg *cfg,
		   struct md_counters *ctr, const struct md_stream_ops *ops,
		   void *user);
/* Nothing to free beyond sessions, which flows own; kept for symmetry. */
void md_stream_fini(struct md_stream_ctx *ctx);

/* Process TCP packet p of flow f (p->dir: 0 = from the flow's initiator).
 * Creates f->tcp on the first packet. Returns 0, or MD_E_NOMEM when the
 * session could not be allocated (counted; the packet is not inspected). */
int md_stream_packet(struct md_stream_ctx *ctx, struct md_flow *f,
		     struct md_packet *p);

/* The flow ends, first step: deliver what is queued (holes become gaps)
 * and signal eof in both directions not yet closed; the session (state,
 * gap flags) stays for the flow record. Safe when f->tcp is NULL. */
void md_stream_flow_flush(struct md_stream_ctx *ctx, struct md_flow *f);

/* The flow ends: deliver what is queued (holes become gaps), signal eof in
 * both directions not yet closed, free f->tcp. Safe when f->tcp is NULL. */
void md_stream_flow_end(struct md_stream_ctx *ctx, struct md_flow *f);

/* TCP state of the flow, or MD_TCP_NONE. */
enum md_tcp_state md_stream_state(const struct md_flow *f);
/* Inline: whether bytes of direction dir before seq_end are still waiting
 * for earlier bytes (a hole) before they can be inspected in order. False
 * when the flow is not reassembled, was reset, or is past its depth. */
bool md_stream_pending(const struct md_flow *f, int dir, uint32_t seq_end);
/* Suricata-style state name ("established", "closed", "syn_sent", ...). */
const char *md_stream_state_name(enum md_tcp_state s);
/* True when a gap was seen in direction dir (EVE tcp.ts_gap/tc_gap). */
bool md_stream_had_gap(const struct md_flow *f, int dir);
/* Event name, e.g. "reassembly_overlap_different_data". */
const char *md_stream_event_name(unsigned ev);

#endif
