/* stream-reasm.c - in-order delivery of one TCP direction.
 *
 * Normative reference: RFC 9293 section 3.10.7.4 (segment text is placed
 * by sequence number and handed to the user in order; bytes outside what
 * was already received are trimmed), sequence numbers compared in serial
 * arithmetic (RFC 1982). Overlaps are resolved first-wins: the copy that
 * arrived first is kept.
 *
 * A segment is cut into what it can be:
 *
 *        next_seq          queue: [q1)      [q2)
 *   -------|----------------[=====]---------[====]------- seq
 *      [dup|in order........|ovl..|new piece|ovl.|new]
 *
 *   - below next_seq: already handed on (dup_bytes);
 *   - from next_seq: delivered straight from the packet, interleaved with
 *     the queued bytes it reaches (queued copy wins, compared);
 *   - above next_seq: the uncovered pieces are copied into the queue,
 *     each charged to the memcap first and bounded by cfg.max_queued;
 *   - past the FIN or the stream depth: counted, never delivered.
 *
 * A hole that can no longer fill is handed on as a gap (ops.gap) and the
 * queued bytes behind it follow.
 *
 * Bytes handed on are not kept (in-order data is never copied), so a new
 * copy is compared only with queued bytes: a retransmission of delivered
 * data is counted, never compared.
 */
#include <string.h>

#include "stream-int.h"

static uint64_t seg_cost(uint32_t len)
{
	return sizeof(struct md_tcp_seg) + (uint64_t)len;
}

static void emit(struct md_stream_call *c, const uint8_t *p, uint32_t n)
{
	struct md_stream_ctx *ctx = c->ctx;

	if (n == 0)
		return;
	if (ctx->ops.data)
		ctx->ops.data(ctx->user, c->f, c->dir, p, n, c->pkt);
	c->h->next_seq += n;
	c->h->off += n;
}

static void emit_gap(struct md_stream_call *c, uint32_t n)
{
	struct md_stream_ctx *ctx = c->ctx;

	if (n == 0)
		return;
	if (ctx->ops.gap)
		ctx->ops.gap(ctx->user, c->f, c->dir, n);
	c->h->next_seq += n;
	c->h->off += n;
	c->h->flags |= MD_HALF_GAP;
	MD_INC(ctx->ctr, TCP_REASSEMBLY_GAP);
	MD_ADD(ctx->ctr, TCP_GAP_BYTES, n);
	md_stream_raise(ctx, c->f, c->pkt, MD_SEV_REASSEMBLY_SEQ_GAP);
}

static void seg_free(struct md_stream_ctx *ctx, struct md_tcp_half *h,
		     struct md_tcp_seg *s)
{
	md_memcap_release(&ctx->memcap, seg_cost(s->len));
	md_free(s);
	h->nq--;
}

/* Deliver the queue head (it starts at next_seq) and free it. */
static void pop_emit(struct md_stream_call *c)
{
	struct md_tcp_half *h = c->h;
	struct md_tcp_seg *s = h->head;

	h->head = s->next;
	if (!h->head)
		h->tail = NULL;
	emit(c, s->data, s->len);
	seg_free(c->ctx, h, s);
}

static void drain(struct md_stream_call *c)
{
	while (c->h->head && c->h->head->seq == c->h->next_seq)
		pop_emit(c);
}

/* n bytes of a new copy land on bytes already queued: keep the queued
 * ones, note whether they differ. */
static void overlap(struct md_stream_call *c, const uint8_t *fresh,
		    const uint8_t *kept, uint32_t n)
{
	c->overlap = true;
	MD_ADD(c->ctx->ctr, TCP_OVERLAP_BYTES, n);
	if (!c->overlap_diff && memcmp(fresh, kept, n) != 0)
		c->overlap_diff = true;
}

/* The segment starts at next_seq: deliver it from the packet, giving way
 * to queued bytes wherever it reaches them. */
static void deliver_inorder(struct md_stream_call *c, const uint8_t *p,
			    uint32_t len)
{
	struct md_tcp_half *h = c->h;

	while (len) {
		struct md_tcp_seg *q = h->head;
		uint32_t n;

		if (!q || q->seq - h->next_seq >= len) {
			emit(c, p, len);
			break;
		}
		n = q->seq - h->next_seq;
		emit(c, p, n);
		p += n;
		len -= n;
		n = len < q->len ? len : q->len;
		overlap(c, p, q->data, n);
		p += n;
		len -= n;
		pop_emit(c);
	}
	drain(c);
}

/* The queue is full: give up the first hole (up to the queue head, or up
 * to `seq` when the new piece lies in that hole) so data moves on. */
static void force_progress(struct md_stream_call *c, uint32_t seq)
{
	struct md_tcp_half *h = c->h;
	uint32_t to = seq;

	if (h->head && md_seq_lt(h->head->seq, seq))
		to = h->head->seq;
	if (!c->limit) {
		c->limit = true;
		md_stream_raise(c->ctx, c->f, c->pkt,
				MD_SEV_REASSEMBLY_INSERT_LIMIT);
	}
	emit_gap(c, to - h->next_seq);
	drain(c);
}

/* Copy n bytes into a new queued segment, memcap first. NULL when
 * refused (counted). */
static struct md_tcp_seg *seg_new(struct md_stream_call *c, uint32_t seq,
				  const uint8_t *p, uint32_t n)
{
	struct md_stream_ctx *ctx = c->ctx;
	uint64_t cost = seg_cost(n);
	struct md_tcp_seg *s;

	if (md_memcap_try(&ctx->memcap, cost)) {
		s = md_malloc((size_t)cost);
		if (s) {
			s->next = NULL;
			s->seq = seq;
			s->len = n;
			memcpy(s->data, p, n);
			c->h->nq++;
			return s;
		}
		md_memcap_release(&ctx->memcap, cost);
	}
	MD_ADD(ctx->ctr, TCP_MEMCAP_BYTES, n);
	if (!c->memcap) {
		c->memcap = true;
		MD_INC(ctx->ctr, TCP_SEGMENT_MEMCAP_DROP);
		md_stream_raise(ctx, c->f, c->pkt, MD_SEV_REASSEMBLY_MEMCAP);
	}
	return NULL;
}

static void link_after(struct md_tcp_half *h, struct md_tcp_seg *prev,
		       struct md_tcp_seg *s)
{
	if (prev) {
		s->next = prev->next;
		prev->next = s;
	} else {
		s->next = h->head;
		h->head = s;
	}
	if (!s->next)
		h->tail = s;
}

/* Queued segment after which seq belongs (the last one ending at or
 * before seq), searching from `from` (NULL = the head). */
static struct md_tcp_seg *find_prev(struct md_tcp_half *h,
				    struct md_tcp_seg *from, uint32_t seq)
{
	struct md_tcp_seg *q;

	if (h->tail && md_seq_leq(h->tail->seq + h->tail->len, seq))
		return h->tail;
	q = from ? from->next : h->head;
	while (q && md_seq_leq(q->seq + q->len, seq)) {
		from = q;
		q = q->next;
	}
	return from;
}

/* Place bytes starting after next_seq: compare with what is queued, queue
 * the uncovered pieces. */
static void queue_in(struct md_stream_call *c, uint32_t seq, const uint8_t *p,
		     uint32_t len)
{
	struct md_tcp_half *h = c->h;
	struct md_tcp_seg *prev = NULL, *q, *s;
	uint32_t max = c->ctx->cfg.max_queued, n;

	while (len) {
		if (seq == h->next_seq) {
			deliver_inorder(c, p, len);
			return;
		}
		prev = find_prev(h, prev, seq);
		q = prev ? prev->next : h->head;
		if (q && md_seq_leq(q->seq, seq)) {
			n = q->seq + q->len - seq;
			n = n < len ? n : len;
			overlap(c, p, q->data + (seq - q->seq), n);
		} else {
			n = q && q->seq - seq < len ? q->seq - seq : len;
			if (max && h->nq >= max) {
				force_progress(c, seq);
				prev = NULL;
				continue;
			}
			s = seg_new(c, seq, p, n);
			if (s)
				link_after(h, prev, s);
		}
		seq += n;
		p += n;
		len -= n;
	}
}

/* Whole segment below next_seq. */
static void retransmission(struct md_stream_call *c, uint32_t seq, uint32_t len)
{
	struct md_tcp_half *peer = c->peer;
	enum md_stream_event ev = MD_SEV_PKT_RETRANSMISSION;

	MD_ADD(c->ctx->ctr, TCP_DUP_BYTES, len);
	c->overlap = true;
	if ((peer->flags & MD_HALF_ACKED) &&
	    md_seq_leq(seq + len, peer->last_ack))
		ev = MD_SEV_PKT_SPURIOUS_RETRANSMISSION;
	md_stream_raise(c->ctx, c->f, c->pkt, ev);
}

/* Bytes of [pos, pos + len) at or past the depth; counts the first time. */
static uint32_t past_depth(struct md_stream_call *c, uint64_t pos, uint32_t len)
{
	uint64_t depth = c->ctx->cfg.depth;
	uint32_t cut;

	if (!depth || pos + len <= depth)
		return 0;
	cut = pos >= depth ? len : (uint32_t)(pos + len - depth);
	MD_ADD(c->ctx->ctr, TCP_DEPTH_BYTES, cut);
	if (!(c->h->flags & MD_HALF_DEPTH)) {
		c->h->flags |= MD_HALF_DEPTH;
		MD_INC(c->ctx->ctr, TCP_STREAM_DEPTH_REACHED);
		md_stream_raise(c->ctx, c->f, c->pkt,
				MD_SEV_REASSEMBLY_DEPTH_REACHED);
	}
	return cut;
}

/* Count the overlap findings of this packet, once. */
static void seg_done(struct md_stream_call *c)
{
	if (c->overlap)
		MD_INC(c->ctx->ctr, TCP_OVERLAP);
	if (c->overlap_diff) {
		MD_INC(c->ctx->ctr, TCP_OVERLAP_DIFF_DATA);
		md_stream_raise(c->ctx, c->f, c->pkt,
				MD_SEV_REASSEMBLY_OVERLAP_DIFFERENT_DATA);
	}
}

void md_stream_seg_in(struct md_stream_call *c, uint32_t seq,
		      const uint8_t *data, uint32_t len)
{
	struct md_tcp_half *h = c->h;
	uint32_t n;

	if (md_seq_lt(seq, h->next_seq)) {
		n = h->next_seq - seq;
		if (n >= len) {
			retransmission(c, seq, len);
			seg_done(c);
			return;
		}
		MD_ADD(c->ctx->ctr, TCP_DUP_BYTES, n);
		c->overlap = true;
		seq += n;
		data += n;
		len -= n;
	}
	n = seq - h->next_seq;
	if (n > MD_STREAM_MAX_AHEAD) {
		MD_ADD(c->ctx->ctr, TCP_IGNORED_BYTES, len);
		return;
	}
	if ((h->flags & MD_HALF_FIN) && md_seq_gt(seq + len, h->fin_seq)) {
		n = md_seq_leq(h->fin_seq, seq) ? len : seq + len - h->fin_seq;
		MD_ADD(c->ctx->ctr, TCP_IGNORED_BYTES, n);
		len -= n;
	}
	len -= past_depth(c, h->off + (seq - h->next_seq), len);
	if (len) {
		if (md_seq_gt(seq + len, h->high_seq))
			h->high_seq = seq + len;
		if (seq == h->next_seq)
			deliver_inorder(c, data, len);
		else
			queue_in(c, seq, data, len);
	}
	seg_done(c);
}

void md_stream_gap_to(struct md_stream_call *c, uint32_t upto)
{
	struct md_tcp_half *h = c->h;
	uint64_t depth = c->ctx->cfg.depth;
	uint32_t to;

	if (!md_seq_gt(upto, h->next_seq)) {
		md_stream_try_eof(c);
		return;
	}
	if (depth) {
		if (h->off >= depth)
			upto = h->next_seq;
		else if (depth - h->off < (uint64_t)(upto - h->next_seq))
			upto = h->next_seq + (uint32_t)(depth - h->off);
	}
	while (md_seq_gt(upto, h->next_seq)) {
		to = upto;
		if (h->head && md_seq_lt(h->head->seq, upto))
			to = h->head->seq;
		emit_gap(c, to - h->next_seq);
		drain(c);
	}
	md_stream_try_eof(c);
}

void md_stream_try_eof(struct md_stream_call *c)
{
	struct md_tcp_half *h = c->h;
	struct md_stream_ctx *ctx = c->ctx;

	if ((h->flags & MD_HALF_EOF) || !(h->flags & MD_HALF_FIN))
		return;
	if (h->next_seq != h->fin_seq &&
	    !((h->flags & MD_HALF_DEPTH) && h->off >= ctx->cfg.depth))
		return;
	h->flags |= MD_HALF_EOF;
	if (ctx->ops.eof)
		ctx->ops.eof(ctx->user, c->f, c->dir);
}

/* Where the stream of c->h is known to end: its FIN, else the furthest
 * of what was handed on and what the peer acknowledged. */
static uint32_t tail_end(const struct md_stream_call *c)
{
	const struct md_tcp_half *h = c->h, *peer = c->peer;

	if (h->flags & MD_HALF_FIN)
		return h->fin_seq;
	if ((peer->flags & MD_HALF_ACKED) &&
	    md_seq_gt(peer->last_ack, h->next_seq))
		return peer->last_ack;
	return h->next_seq;
}

void md_stream_finish(struct md_stream_call *c)
{
	struct md_tcp_half *h = c->h;
	struct md_stream_ctx *ctx = c->ctx;
	uint32_t end;

	if (h->flags & MD_HALF_EOF)
		return;
	while (h->head) {
		emit_gap(c, h->head->seq - h->next_seq);
		drain(c);
	}
	end = tail_end(c);
	if ((h->flags & MD_HALF_INIT) &&
	    end - h->next_seq <= MD_STREAM_MAX_AHEAD) {
		md_stream_gap_to(c, end);
		if (h->flags & MD_HALF_EOF)
			return;
	}
	h->flags |= MD_HALF_EOF;
	if (ctx->ops.eof)
		ctx->ops.eof(ctx->user, c->f, c->dir);
}

void md_stream_half_free(struct md_stream_ctx *ctx, struct md_tcp_half *h)
{
	struct md_tcp_seg *s;

	while ((s = h->head) != NULL) {
		h->head = s->next;
		seg_free(ctx, h, s);
	}
	h->tail = NULL;
}
