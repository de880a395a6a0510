/* dicom-pdu.c - DICOM upper-layer framing and association state: the
 * parse/gap/eof entry points of the contract.
 *
 * Normative reference: DICOM PS3.8 9.3 (PDU structure) and 9.2 (the state
 * machine, Sta1..Sta13, seen from the wire by a passive observer).
 *
 * Each direction is a framing state machine over its byte stream:
 *
 *   PDU_HDR --(types 1,2,3,5,6,7: wait for the whole PDU, parse it)--+
 *      |  ^                                                          |
 *      |  +----------------------------------------------------------+
 *      +--(type 4 P-DATA-TF)--> PDV_HDR --> PDV_DATA --(PDV done)--+
 *      |                          ^  (bytes streamed to dicom-dimse) |
 *      |                          +-------(PDU bytes left)---------- +
 *      +--(unknown type, too long)--> SKIP (length bytes) --> PDU_HDR
 *   gap with lost framing --> LOST: scan for a plausible PDU header
 *
 *   +------+------+------------+     +------------+-----+------+-------+
 *   | type | rsvd | length (4) |     | PDV len(4) | ctx | ctrl | frag. |
 *   +------+------+------------+     +------------+-----+------+-------+
 *
 * Only association PDUs are kept whole (bounded by max_pdu and
 * max_buffer); P-DATA-TF fragments are consumed as they arrive, so the
 * engine never holds more than a header's worth of a long P-DATA PDU.
 *
 * Association state, per PS3.8 (requestor = TCP client):
 *   IDLE --RQ(c->s)--> AWAIT_AC --AC(s->c)--> OPEN --RELEASE-RQ--> RELEASING
 *        --RELEASE-RP--> RELEASED;  AWAIT_AC --RJ--> REJECTED;
 *   any --A-ABORT--> ABORTED.
 * P-DATA before OPEN raises pdata_before_association; any other PDU the
 * state (or its direction) does not allow raises pdu_not_allowed_in_state.
 */
#include "dicom.h"

#include "md-rd.h"

enum step { STEP_OK, STEP_MORE, STEP_BAD };

static bool is_whole_type(uint8_t type)
{
	return type >= DICOM_PDU_ASSOC_RQ && type <= DICOM_PDU_ABORT &&
	       type != DICOM_PDU_PDATA;
}

/* Largest association PDU body kept whole. */
static uint32_t whole_bound(const struct dicom_state *s)
{
	uint32_t b = s->lim.max_buffer > DICOM_PDU_HDR
			 ? s->lim.max_buffer - DICOM_PDU_HDR
			 : 0;
	return s->lim.max_pdu && s->lim.max_pdu < b ? s->lim.max_pdu : b;
}

static bool allowed(const struct dicom_state *s, enum md_dir dir, uint8_t type)
{
	switch (type) {
	case DICOM_PDU_ASSOC_RQ:
		return dir == MD_DIR_TOSERVER && s->assoc == DICOM_AS_IDLE;
	case DICOM_PDU_ASSOC_AC:
	case DICOM_PDU_ASSOC_RJ:
		return dir == MD_DIR_TOCLIENT && s->assoc == DICOM_AS_AWAIT_AC;
	case DICOM_PDU_PDATA:
		return s->assoc == DICOM_AS_OPEN ||
		       (s->assoc == DICOM_AS_RELEASING &&
			dir != s->release_dir);
	case DICOM_PDU_RELEASE_RQ:
		return s->assoc == DICOM_AS_OPEN ||
		       (s->assoc == DICOM_AS_RELEASING &&
			dir != s->release_dir && s->release_need == 1);
	case DICOM_PDU_RELEASE_RP:
		return s->assoc == DICOM_AS_RELEASING;
	default: /* A-ABORT: any time */
		return true;
	}
}

static void check_state(struct dicom_state *s, const struct md_sink *k,
			enum md_dir dir, uint8_t type)
{
	if (allowed(s, dir, type))
		return;
	bool early = s->assoc == DICOM_AS_IDLE || s->assoc == DICOM_AS_AWAIT_AC;
	dicom_event(s, k, MD_TX_NONE,
		    type == DICOM_PDU_PDATA && early
			? DICOM_EV_PDATA_BEFORE_ASSOCIATION
			: DICOM_EV_PDU_NOT_ALLOWED_IN_STATE);
}

void dicom_close_all(struct dicom_state *s, const struct md_sink *k)
{
	uint64_t txs[2] = {s->assoc_tx, s->release_tx};
	s->assoc_tx = s->release_tx = MD_TX_NONE;
	for (int i = 0; i < 2; i++)
		if (txs[i] != MD_TX_NONE) {
			k->tx_progress(k->ctx, txs[i], MD_DIR_TOSERVER,
				       DICOM_PROGRESS_DONE);
			k->tx_progress(k->ctx, txs[i], MD_DIR_TOCLIENT,
				       DICOM_PROGRESS_DONE);
		}
	dicom_dimse_close_all(s, k);
}

/* A fixed-size (4-byte body) PDU with another length. */
static void fixed_length(struct dicom_state *s, const struct md_sink *k,
			 uint32_t len)
{
	if (len != 4)
		dicom_event(s, k, MD_TX_NONE, DICOM_EV_PDU_LENGTH_MISMATCH);
}

/* An association, release or abort PDU, whole in body. */
static void pdu_whole(struct dicom_state *s, const struct md_sink *k,
		      enum md_dir dir, uint8_t type, struct md_rd *body)
{
	check_state(s, k, dir, type);
	switch (type) {
	case DICOM_PDU_ASSOC_RQ:
		dicom_assoc_rq(s, k, body);
		break;
	case DICOM_PDU_ASSOC_AC:
		dicom_assoc_ac(s, k, body);
		break;
	case DICOM_PDU_ASSOC_RJ:
		fixed_length(s, k, (uint32_t)body->len);
		dicom_assoc_rj(s, k, body);
		break;
	case DICOM_PDU_RELEASE_RQ:
	case DICOM_PDU_RELEASE_RP:
		fixed_length(s, k, (uint32_t)body->len);
		dicom_release(s, k, dir, type);
		break;
	default:
		fixed_length(s, k, (uint32_t)body->len);
		dicom_abort(s, k, dir, body);
		break;
	}
}

/* Start a P-DATA-TF PDU of len bytes. */
static void pdata_start(struct dicom_state *s, const struct md_sink *k,
			enum md_dir dir, uint32_t len)
{
	struct dicom_dir *d = &s->dir[dir];
	check_state(s, k, dir, DICOM_PDU_PDATA);
	if (s->lim.max_pdu && len > s->lim.max_pdu)
		dicom_event(s, k, MD_TX_NONE, DICOM_EV_PDU_TOO_LONG);
	if (s->max_pdu[dir] && len > s->max_pdu[dir])
		dicom_event(s, k, MD_TX_NONE, DICOM_EV_MAX_PDU_EXCEEDED);
	if (len == 0)
		dicom_event(s, k, MD_TX_NONE, DICOM_EV_PDU_LENGTH_MISMATCH);
	d->pdu_left = len;
	d->fr = len ? DICOM_FR_PDV_HDR : DICOM_FR_PDU_HDR;
}

static enum step pdu_header(struct dicom_state *s, const struct md_sink *k,
			    enum md_dir dir, struct md_rd *r)
{
	struct dicom_dir *d = &s->dir[dir];
	if (md_rd_left(r) < DICOM_PDU_HDR)
		return STEP_MORE;
	struct md_rd h = md_rd_make(md_rd_pos(r), DICOM_PDU_HDR);
	uint8_t type = md_rd_u8(&h);
	md_rd_skip(&h, 1);
	uint32_t len = md_rd_be32(&h);
	if (is_whole_type(type) && len <= whole_bound(s)) {
		if (md_rd_left(r) - DICOM_PDU_HDR < len) {
			d->awaiting = (uint64_t)len + DICOM_PDU_HDR;
			return STEP_MORE;
		}
		md_rd_skip(r, DICOM_PDU_HDR);
		struct md_rd body = md_rd_sub(r, len);
		d->bad_pdus = 0;
		pdu_whole(s, k, dir, type, &body);
		return STEP_OK;
	}
	md_rd_skip(r, DICOM_PDU_HDR);
	d->pdu_type = type;
	d->pdu_len = len;
	if (type == DICOM_PDU_PDATA) {
		d->bad_pdus = 0;
		pdata_start(s, k, dir, len);
		return STEP_OK;
	}
	if (is_whole_type(type)) {
		check_state(s, k, dir, type);
		dicom_event(s, k, MD_TX_NONE, DICOM_EV_PDU_TOO_LONG);
	} else {
		dicom_event(s, k, MD_TX_NONE, DICOM_EV_UNKNOWN_PDU_TYPE);
		if (++d->bad_pdus >= DICOM_MAX_BAD_PDUS)
			return STEP_BAD;
	}
	d->skip_left = len;
	d->fr = len ? DICOM_FR_SKIP : DICOM_FR_PDU_HDR;
	return STEP_OK;
}

static void pdv_finish(struct dicom_state *s, const struct md_sink *k,
		       enum md_dir dir)
{
	struct dicom_dir *d = &s->dir[dir];
	dicom_pdv_end(s, k, dir);
	d->fr = d->pdu_left ? DICOM_FR_PDV_HDR : DICOM_FR_PDU_HDR;
}

/* Skip what is left of the current P-DATA-TF PDU. */
static void pdata_skip_rest(struct dicom_dir *d)
{
	d->skip_left = d->pdu_left;
	d->pdu_left = 0;
	d->fr = d->skip_left ? DICOM_FR_SKIP : DICOM_FR_PDU_HDR;
}

static enum step pdv_header(struct dicom_state *s, const struct md_sink *k,
			    enum md_dir dir, struct md_rd *r)
{
	struct dicom_dir *d = &s->dir[dir];
	if (d->pdu_left < DICOM_PDV_HDR) {
		dicom_event(s, k, MD_TX_NONE, DICOM_EV_PDU_LENGTH_MISMATCH);
		pdata_skip_rest(d);
		return STEP_OK;
	}
	if (md_rd_left(r) < DICOM_PDV_HDR)
		return STEP_MORE;
	uint32_t plen = md_rd_be32(r);
	uint8_t ctx = md_rd_u8(r);
	uint8_t flags = md_rd_u8(r);
	d->pdu_left -= DICOM_PDV_HDR;
	if (plen < 2) {
		dicom_event(s, k, MD_TX_NONE, DICOM_EV_INVALID_PDV);
		pdata_skip_rest(d);
		return STEP_OK;
	}
	uint32_t frag = plen - 2;
	if (frag > d->pdu_left) {
		dicom_event(s, k, MD_TX_NONE, DICOM_EV_ITEM_LENGTH_OVERFLOW);
		frag = d->pdu_left;
	}
	d->pdv_left = frag;
	d->pdv_ctx = ctx;
	d->pdv_flags = flags;
	d->fr = DICOM_FR_PDV_DATA;
	dicom_pdv_begin(s, k, dir, ctx, flags);
	if (frag == 0)
		pdv_finish(s, k, dir);
	return STEP_OK;
}

static void pdv_data(struct dicom_state *s, const struct md_sink *k,
		     enum md_dir dir, struct md_rd *r)
{
	struct dicom_dir *d = &s->dir[dir];
	size_t n = md_rd_left(r);
	if (n > d->pdv_left)
		n = d->pdv_left;
	struct md_rd frag = md_rd_sub(r, n);
	dicom_pdv_data(s, k, dir, &frag);
	d->pdv_left -= (uint32_t)n;
	d->pdu_left -= (uint32_t)n;
	if (d->pdv_left == 0)
		pdv_finish(s, k, dir);
}

static void skip_bytes(struct dicom_dir *d, struct md_rd *r)
{
	size_t n = md_rd_left(r);
	if (n > d->skip_left)
		n = (size_t)d->skip_left;
	md_rd_skip(r, n);
	d->skip_left -= n;
	if (d->skip_left == 0)
		d->fr = DICOM_FR_PDU_HDR;
}

/* Does a plausible PDU start at offset at? 1 yes, 0 no, -1 too few bytes
 * to tell. A P-DATA-TF whose first PDV fills it (odd context, control
 * bits only: 12 bytes), or a 4-byte A-RELEASE-RQ/RP (zero body) or
 * A-ABORT (source <= 2, reason <= 6): 10 bytes. */
static int plausible_header(const struct md_rd *r, size_t at)
{
	struct md_rd h = *r;
	size_t left = md_rd_left(&h) - at;
	if (left < 10)
		return -1;
	md_rd_skip(&h, at);
	uint8_t type = md_rd_u8(&h), rsvd = md_rd_u8(&h);
	uint32_t len = md_rd_be32(&h), next = md_rd_be32(&h);
	if (rsvd != 0)
		return 0;
	if (type == DICOM_PDU_PDATA) {
		if (left < 12)
			return -1;
		uint8_t ctx = md_rd_u8(&h), ctrl = md_rd_u8(&h);
		return len >= DICOM_PDV_HDR && next == len - 4 && (ctx & 1) &&
		       ctrl <= 3;
	}
	if (len != 4)
		return 0;
	if (type == DICOM_PDU_RELEASE_RQ || type == DICOM_PDU_RELEASE_RP)
		return next == 0;
	if (type == DICOM_PDU_ABORT)
		return (next >> 16) == 0 && ((next >> 8) & 0xff) <= 2 &&
		       (next & 0xff) <= 6;
	return 0;
}

/* Framing lost: consume bytes until a plausible PDU header. */
static enum step resync(struct dicom_dir *d, struct md_rd *r)
{
	for (size_t at = 0;; at++) {
		int h = plausible_header(r, at);
		if (h != 0) {
			md_rd_skip(r, at);
			if (h < 0)
				return STEP_MORE;
			d->fr = DICOM_FR_PDU_HDR;
			return STEP_OK;
		}
	}
}

static enum step step(struct dicom_state *s, const struct md_sink *k,
		      enum md_dir dir, struct md_rd *r)
{
	struct dicom_dir *d = &s->dir[dir];
	switch (d->fr) {
	case DICOM_FR_PDU_HDR:
		return pdu_header(s, k, dir, r);
	case DICOM_FR_PDV_HDR:
		return pdv_header(s, k, dir, r);
	case DICOM_FR_PDV_DATA:
		pdv_data(s, k, dir, r);
		return STEP_OK;
	case DICOM_FR_SKIP:
		skip_bytes(d, r);
		return STEP_OK;
	default:
		return resync(d, r);
	}
}

enum md_parse_rc dicom_parse(void *state, enum md_dir dir, const uint8_t *buf,
			     size_t len, size_t *consumed,
			     const struct md_sink *sink)
{
	struct dicom_state *s = state;
	struct md_rd r = md_rd_make(buf, len);
	enum step rc = STEP_OK;
	if (dir > MD_DIR_TOCLIENT) {
		*consumed = 0;
		return MD_PARSE_BAD;
	}
	s->dir[dir].awaiting = 0;
	while (md_rd_left(&r) && rc == STEP_OK)
		rc = step(s, sink, dir, &r);
	*consumed = r.off;
	s->dir[dir].tail = len - r.off;
	return rc == STEP_BAD ? MD_PARSE_BAD : MD_PARSE_MORE;
}

/* Skip the rest of the current PDU after `lost` bytes of it (counted from
 * the parser's position) went missing; false when they overran it. */
static bool gap_in_pdu(struct dicom_state *s, enum md_dir dir, uint64_t lost)
{
	struct dicom_dir *d = &s->dir[dir];
	uint64_t left = d->fr == DICOM_FR_PDU_HDR ? d->awaiting : d->pdu_left;
	if (!left || lost > left ||
	    (d->fr != DICOM_FR_PDU_HDR && d->fr != DICOM_FR_PDV_HDR &&
	     d->fr != DICOM_FR_PDV_DATA))
		return false;
	d->skip_left = left - lost;
	d->pdu_left = d->pdv_left = 0;
	d->fr = d->skip_left ? DICOM_FR_SKIP : DICOM_FR_PDU_HDR;
	return true;
}

/* Bytes lost: inside a PDV the message is dropped and parsing goes on;
 * inside a PDU the rest of it is skipped; otherwise framing is searched
 * for again (LOST). The engine drops its unconsumed tail with the gap. */
void dicom_gap(void *state, enum md_dir dir, uint64_t len,
	       const struct md_sink *sink)
{
	struct dicom_state *s = state;
	if (dir > MD_DIR_TOCLIENT)
		return;
	struct dicom_dir *d = &s->dir[dir];
	uint64_t lost = d->tail + len;
	d->tail = 0;
	dicom_event(s, sink, MD_TX_NONE, DICOM_EV_STREAM_GAP);
	if (d->fr == DICOM_FR_PDV_DATA && lost <= d->pdv_left) {
		d->pdv_left -= (uint32_t)lost;
		d->pdu_left -= (uint32_t)lost;
		dicom_msg_lost(s, dir, false);
		if (d->pdv_left == 0)
			pdv_finish(s, sink, dir);
		return;
	}
	if (d->fr == DICOM_FR_SKIP && lost <= d->skip_left) {
		d->skip_left -= lost;
		if (d->skip_left == 0)
			d->fr = DICOM_FR_PDU_HDR;
		return;
	}
	dicom_msg_lost(s, dir, true);
	if (!gap_in_pdu(s, dir, lost))
		d->fr = DICOM_FR_LOST;
	d->awaiting = 0;
}

void dicom_eof(void *state, enum md_dir dir, const struct md_sink *sink)
{
	struct dicom_state *s = state;
	if (dir > MD_DIR_TOCLIENT)
		return;
	s->eof[dir] = true;
	if (s->eof[MD_DIR_TOSERVER] && s->eof[MD_DIR_TOCLIENT])
		dicom_close_all(s, sink);
}
