/* stream-int.h - TCP session internals shared by stream.c (tracking) and
 * stream-reasm.c (reassembly). Not part of the public API.
 *
 * Normative reference: RFC 9293 (TCP), section 3.4 (sequence numbers,
 * compared in serial arithmetic, RFC 1982) and 3.10.7 (segment arrival);
 * RFC 7323 section 2 (window scale); RFC 5961 (blind RST/FIN injection).
 *
 * One session per TCP flow, two halves, one per direction. A half holds
 * the sequence space of the bytes its side sends:
 *
 *   stream offset:  0 ........ off                     off + depth ...
 *   seq:            base ..... next_seq     high_seq   fin_seq
 *                   |delivered| hole |queued| hole |q|  FIN
 *                   |  or gap |      | seg  |      | |
 *
 * Bytes below next_seq have been handed to the app layer (data or gap).
 * The queue holds out-of-order bytes above next_seq, sorted, disjoint and
 * each copied once; its head always starts strictly after next_seq.
 */
#ifndef MD_STREAM_INT_H
#define MD_STREAM_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "stream.h"

/* Furthest ahead of next_seq a segment may start and still be placed. */
#define MD_STREAM_MAX_AHEAD (1u << 30)
/* Largest window scale shift allowed (RFC 7323 section 2.3). */
#define MD_STREAM_MAX_WSCALE 14

/* An out-of-order piece of one direction, owned by its half's queue. */
struct md_tcp_seg {
	struct md_tcp_seg *next;
	uint32_t seq;
	uint32_t len;
	uint8_t data[];
};

/* Half flags */
#define MD_HALF_SEEN	  0x0001u /* a packet came from this side */
#define MD_HALF_INIT	  0x0002u /* sequence space known (next_seq valid) */
#define MD_HALF_SYN	  0x0004u /* ISN taken from its SYN or SYN-ACK */
#define MD_HALF_FIN	  0x0008u /* FIN accepted at fin_seq */
#define MD_HALF_FIN_ACKED 0x0010u /* the peer acknowledged that FIN */
#define MD_HALF_EOF	  0x0020u /* ops.eof called */
#define MD_HALF_ACKED	  0x0040u /* last_ack valid */
#define MD_HALF_DEPTH	  0x0080u /* stream depth reached (counted) */
#define MD_HALF_GAP	  0x0100u /* a gap was handed to the app layer */

/* The bytes one side sends, and what that side acknowledges of the other. */
struct md_tcp_half {
	struct md_tcp_seg *head, *tail; /* out-of-order queue, by seq */
	uint64_t off;	   /* stream offset of next_seq (bytes handed on) */
	uint32_t base;	   /* seq of stream offset 0: ISN + 1, or first seen */
	uint32_t next_seq; /* next byte to hand to the app layer */
	uint32_t high_seq; /* end of the highest data seen */
	uint32_t fin_seq;  /* seq the FIN occupies */
	uint32_t last_ack; /* highest valid ACK this side sent */
	uint32_t max_win;  /* largest window this side advertised, scaled */
	uint32_t nq;	   /* queued segments */
	uint16_t flags;	   /* MD_HALF_* */
	uint8_t wscale;	   /* window scale option of its SYN, 0xff absent */
};

/* Session flags */
#define MD_SSN_NOREASM	 0x01u /* no SYN and midstream off: not reassembled */
#define MD_SSN_HANDSHAKE 0x04u /* SYN and SYN-ACK both seen: windows valid */
#define MD_SSN_WSCALE	 0x08u /* window scaling negotiated */
#define MD_SSN_RST	 0x10u /* reset: nothing more is reassembled */

/* f->tcp: one per TCP flow, charged to the stream memcap. */
struct md_tcp_session {
	struct md_tcp_half h[2]; /* indexed by packet direction */
	uint8_t state;		 /* enum md_tcp_state */
	uint8_t flags;		 /* MD_SSN_* */
	uint8_t client;		 /* direction that sent the SYN */
	uint8_t closer;		 /* direction of the first FIN + 1, 0 none */
};

/* Everything one reassembly step needs: the direction being reassembled
 * and what to count at most once per packet. Lives on the stack. */
struct md_stream_call {
	struct md_stream_ctx *ctx;
	struct md_flow *f;
	struct md_tcp_session *ssn;
	const struct md_packet *pkt; /* NULL at flow end */
	struct md_tcp_half *h;	     /* the direction being reassembled */
	struct md_tcp_half *peer;    /* the other one; its ACKs cover h */
	int dir;
	bool overlap;	   /* the packet carried bytes already received */
	bool overlap_diff; /* ... and some of them differed from the queue */
	bool memcap;	   /* a piece was refused by the memcap */
	bool limit;	   /* max_queued forced progress */
};

/* Serial-number comparisons (RFC 1982 over 32 bits). */
static inline bool md_seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline bool md_seq_gt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

static inline bool md_seq_leq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

/* Count event ev and report it through ctx->ops.event (pkt may be NULL). */
void md_stream_raise(struct md_stream_ctx *ctx, struct md_flow *f,
		     const struct md_packet *pkt, enum md_stream_event ev);

/* Place `len` payload bytes at `seq` into c->h: drop what was already
 * handed on, trim at the FIN and the stream depth, deliver what is in
 * order (straight from `data`), copy the rest into the queue. Borrows
 * `data` for the call. */
void md_stream_seg_in(struct md_stream_call *c, uint32_t seq,
		      const uint8_t *data, uint32_t len);

/* Give up the holes of c->h below `upto` (they will never arrive): each
 * becomes a gap, queued data behind it is delivered. Stops at the stream
 * depth. Then signals eof if the FIN is reached. */
void md_stream_gap_to(struct md_stream_call *c, uint32_t upto);

/* Call ops.eof once for c->dir when every byte before its FIN (or up to
 * the stream depth) has been handed on. */
void md_stream_try_eof(struct md_stream_call *c);

/* Hand on everything c->h holds or is known to have lost (holes, then the
 * tail up to its FIN or the peer's ACK) and signal eof. */
void md_stream_finish(struct md_stream_call *c);

/* Free the queue of h and return its bytes to the memcap. */
void md_stream_half_free(struct md_stream_ctx *ctx, struct md_tcp_half *h);

#endif
