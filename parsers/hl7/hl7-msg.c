/* hl7-msg.c - HL7 v2 messages as transactions: a message and its
 * acknowledgment, matched by MSA-2 = MSH-10 on the same connection, in
 * either direction; duplicate control ids; per-message events.
 *
 * Normative reference: HL7 Version 2.x chapter 2, "Acknowledgment
 * messages" (original and enhanced mode): the receiver answers a message
 * with MSH-9 = ACK whose MSA-2 echoes the message's MSH-10.
 *
 *   A --> B   MSH|...|ADT^A01|CTRL1|...   opens tx N, pending[CTRL1] = N
 *             (message ends)              progress(N, A->B) = done
 *   A <-- B   MSH|...|ACK^A01|ACK1|...    MSA-2 found ahead: folded into N
 *             MSA|AA|CTRL1                ack.code etc. reported to N
 *             (ACK ends)                  progress(N, B->A) = done: logged
 *
 * An ACK whose MSA-2 matches no pending message is a message of its own
 * (ack_without_message). Messages never acknowledged stay open until the
 * pending table (bounded by max_tx) evicts them or the flow ends.
 */
#include <string.h>

#include "hl7.h"

#include "mem.h"

uint64_t hl7_hash(struct md_span s)
{
	uint64_t h = 0xcbf29ce484222325ull;
	if (!s.len)
		return h;
	struct md_rd r = md_rd_make(s.p, s.len);
	while (md_rd_left(&r)) {
		h ^= md_rd_u8(&r);
		h *= 0x100000001b3ull;
	}
	return h;
}

void hl7_flow_event(struct hl7_ctx *c, unsigned ev)
{
	c->k->event(c->k->ctx, MD_TX_NONE, ev);
}

void hl7_msg_event(struct hl7_ctx *c, unsigned ev)
{
	struct hl7_msg *m = &c->d->m;
	if (!m->open) {
		hl7_flow_event(c, ev);
		return;
	}
	if (m->events & (1u << ev))
		return;
	m->events |= 1u << ev;
	c->k->event(c->k->ctx, m->tx, ev);
}

static enum md_dir other(unsigned dir)
{
	return dir == MD_DIR_TOSERVER ? MD_DIR_TOCLIENT : MD_DIR_TOSERVER;
}

/* ---- pending messages ---------------------------------------------------- */

static long pend_find(struct hl7_state *s, uint64_t hash, size_t len,
		      uint64_t not_tx)
{
	for (uint32_t i = 0; i < s->npend; i++)
		if (s->pend[i].hash == hash && s->pend[i].len == len &&
		    s->pend[i].tx != not_tx)
			return (long)i;
	return -1;
}

static void pend_remove(struct hl7_state *s, uint32_t i)
{
	memmove(&s->pend[i], &s->pend[i + 1],
		(s->npend - i - 1) * sizeof(s->pend[0]));
	s->npend--;
}

/* The table is full: the oldest message is logged without its ACK. */
static void pend_evict(struct hl7_ctx *c)
{
	struct hl7_pending e = c->s->pend[0];
	pend_remove(c->s, 0);
	c->k->tx_progress(c->k->ctx, e.tx, other(e.dir), HL7_PROG_DONE);
}

static void pend_add(struct hl7_ctx *c, uint64_t tx, uint64_t hash, size_t len)
{
	struct hl7_state *s = c->s;
	if (s->npend == s->pend_cap) {
		uint32_t n = s->pend_cap ? s->pend_cap * 2 : 8;
		n = n > s->pend_max ? s->pend_max : n;
		struct hl7_pending *q = md_realloc(s->pend, n * sizeof(*q));
		if (!q)
			return; /* untracked: handed over at flow end */
		s->pend = q;
		s->pend_cap = n;
	}
	struct hl7_pending e = {hash, len, tx, (uint8_t)c->dir, false};
	s->pend[s->npend++] = e;
}

/* Remember MSH-10 in this direction; true when it was seen before. */
static bool seen_before(struct hl7_dir *d, uint64_t hash)
{
	uint32_t n = d->ring_n < HL7_DUP_RING ? d->ring_n : HL7_DUP_RING;
	for (uint32_t i = 0; i < n; i++)
		if (d->ring[i] == hash)
			return true;
	d->ring[d->ring_pos] = hash;
	d->ring_pos = (d->ring_pos + 1) % HL7_DUP_RING;
	d->ring_n++;
	return false;
}

/* ---- message lifecycle --------------------------------------------------- */

void hl7_msg_begin(struct hl7_ctx *c, const char *code, uint64_t ctl_hash,
		   size_t ctl_len, const struct hl7_msa *msa)
{
	struct hl7_state *s = c->s;
	struct hl7_msg *m = &c->d->m;
	memset(m, 0, sizeof(*m));
	m->open = true;
	m->tx = m->acked_tx = MD_TX_NONE;
	m->ctl_hash = ctl_hash;
	m->ctl_len = ctl_len;
	strncpy(m->code, code, HL7_CODE_MAX);
	m->is_ack = strcmp(code, "ACK") == 0;
	if (msa && msa->found) {
		long i = pend_find(s, msa->hash, msa->len, MD_TX_NONE);
		if (i >= 0) {
			m->role = HL7_ROLE_RSP;
			m->tx = m->acked_tx = s->pend[i].tx;
			m->acked_dir = s->pend[i].dir;
			m->quiet_msa = s->pend[i].own_msa;
			pend_remove(s, (uint32_t)i);
			return;
		}
	}
	m->role = HL7_ROLE_REQ;
	bool dup = !m->is_ack && ctl_len && seen_before(c->d, ctl_hash);
	if (ctl_len && s->npend == s->pend_max)
		pend_evict(c);
	m->tx = c->k->tx_new(c->k->ctx, c->dir);
	if (m->tx != MD_TX_NONE && ctl_len)
		pend_add(c, m->tx, ctl_hash, ctl_len);
	if (dup)
		hl7_msg_event(c, HE_DUPLICATE_CONTROL_ID);
}

void hl7_msg_msa(struct hl7_ctx *c, struct md_span msa1, struct md_span msa2,
		 struct md_span msa3)
{
	struct hl7_state *s = c->s;
	struct hl7_msg *m = &c->d->m;
	for (uint32_t j = 0; j < s->npend; j++) /* its own ack.* is kept */
		if (s->pend[j].tx == m->tx)
			s->pend[j].own_msa = true;
	long i = msa2.len ? pend_find(s, hl7_hash(msa2), msa2.len, m->tx) : -1;
	if (i < 0) {
		hl7_msg_event(c, HE_ACK_WITHOUT_MESSAGE);
		return;
	}
	if (m->acked_tx != MD_TX_NONE)
		return; /* one acknowledgment per message */
	uint64_t tx = s->pend[i].tx;
	m->acked_tx = tx;
	m->acked_dir = s->pend[i].dir;
	pend_remove(s, (uint32_t)i);
	hl7_put_tx(c, tx, HF_ACK_CODE, msa1);
	hl7_put_tx(c, tx, HF_ACK_CONTROL_ID, msa2);
	hl7_put_tx(c, tx, HF_ACK_TEXT, msa3);
	if (m->type[0])
		c->k->tx_str(c->k->ctx, tx, HF_ACK_MESSAGE_TYPE,
			     (const uint8_t *)m->type, strlen(m->type));
}

void hl7_msg_end(struct hl7_ctx *c)
{
	struct hl7_msg *m = &c->d->m;
	const struct md_sink *k = c->k;
	if (!m->open)
		return;
	m->open = false;
	if (m->tx != MD_TX_NONE && m->role == HL7_ROLE_REQ) {
		k->tx_uint(k->ctx, m->tx, HF_SEGMENTS, m->nseg);
		k->tx_uint(k->ctx, m->tx, HF_MAX_FIELD_LENGTH, m->max_flen);
		k->tx_progress(k->ctx, m->tx, c->dir, HL7_PROG_DONE);
		if (!m->ctl_len) /* nothing can acknowledge it */
			k->tx_progress(k->ctx, m->tx, other(c->dir),
				       HL7_PROG_DONE);
	} else if (m->tx != MD_TX_NONE) {
		k->tx_uint(k->ctx, m->tx, HF_ACK_MAX_FIELD_LENGTH, m->max_flen);
	}
	if (m->acked_tx != MD_TX_NONE)
		k->tx_progress(k->ctx, m->acked_tx, other(m->acked_dir),
			       HL7_PROG_DONE);
}

void hl7_state_fini(struct hl7_state *s)
{
	md_free(s->pend);
	md_free(s->scratch);
	s->pend = NULL;
	s->scratch = NULL;
	s->npend = s->pend_cap = 0;
	s->scratch_cap = 0;
}
