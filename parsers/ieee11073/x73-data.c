/* x73-data.c - IEEE 11073-20601 PRST APDUs: the DATA-apdu (invoke-id,
 * message choice), the pairing of confirmed requests with their responses
 * by invoke-id, and the arguments of each remote operation.
 *
 * Normative reference: ISO/IEEE 11073-20601:2010 clause 8.9 (operating
 * state: confirmed and unconfirmed services, invoke-id use), annex A.10
 * (DATA-apdu, ROIV/RORS/ROER/RORJ ASN.1).
 *
 *   PRST:  length (2) | invoke-id (2) | choice (2) | length (2) | message
 *   ROIV event report:  obj-handle (2) event-time (4) event-type (2) Any
 *   ROIV get:           obj-handle (2) attribute-id-list (count len ids)
 *   ROIV set:           obj-handle (2) modification-list
 *                       { modify-operator (2) attribute-id (2) Any }
 *   ROIV action:        obj-handle (2) action-type (2) Any
 *   RORS event report:  obj-handle (2) current-time (4) event-type (2) Any
 *   RORS get / set:     obj-handle (2) attribute-list { id (2) Any }
 *   RORS action:        obj-handle (2) action-type (2) Any
 *   ROER:               error-value (2) Any      RORJ: problem (2)
 *
 * Invoke-ids are per sender: a response in one direction answers the
 * request with the same invoke-id sent in the other.
 */
#include "x73.h"

static bool is_request(uint16_t ch)
{
	return (ch >> 8) == 0x01;
}

static bool is_confirmed(uint16_t ch)
{
	return ch == X73_ROIV_CEVENT || ch == X73_ROIV_GET ||
	       ch == X73_ROIV_CSET || ch == X73_ROIV_CACTION;
}

static void pend_remove(struct x73_dir *d, unsigned i)
{
	for (unsigned j = i + 1; j < d->npend; j++)
		d->pend[j - 1] = d->pend[j];
	d->npend--;
}

static int pend_find(const struct x73_dir *d, uint16_t id)
{
	for (unsigned i = 0; i < d->npend; i++)
		if (d->pend[i].invoke_id == id)
			return (int)i;
	return -1;
}

/* A request: its own transaction; a confirmed one waits for its answer. */
static void request(struct x73_ctx *c, uint16_t id, uint16_t ch)
{
	struct x73_dir *d = &c->s->d[c->dir];
	bool reuse = is_confirmed(ch) && pend_find(d, id) >= 0;
	c->tx = c->k->tx_new(c->k->ctx, c->dir);
	x73_cstr(c, XF_APDU, "prst");
	x73_cstr(c, XF_INVOKER, x73_role(c->s, c->dir));
	x73_uint(c, XF_INVOKE_ID, id);
	if (reuse)
		x73_event(c, XE_INVOKE_ID_REUSE);
	if (!is_confirmed(ch) || c->tx == MD_TX_NONE)
		return;
	if (d->npend == X73_PEND_MAX) {
		x73_event(c, XE_TOO_MANY_OUTSTANDING);
		x73_done(c, d->pend[0].tx);
		pend_remove(d, 0);
	}
	d->pend[d->npend].invoke_id = id;
	d->pend[d->npend].choice = ch;
	d->pend[d->npend].tx = c->tx;
	d->npend++;
}

/* A response joins its request's transaction, or opens one of its own. */
static void response(struct x73_ctx *c, uint16_t id)
{
	struct x73_dir *peer = &c->s->d[!c->dir];
	int i = pend_find(peer, id);
	if (i >= 0) {
		c->tx = peer->pend[i].tx;
		pend_remove(peer, (unsigned)i);
		x73_cstr(c, XF_APDU, "prst");
		return;
	}
	c->tx = c->k->tx_new(c->k->ctx, c->dir);
	x73_cstr(c, XF_APDU, "prst");
	x73_cstr(c, XF_INVOKER, x73_role(c->s, c->dir));
	x73_uint(c, XF_INVOKE_ID, id);
	x73_event(c, XE_RESPONSE_WITHOUT_REQUEST);
}

/* count (2) length (2) OID-Type ids */
static void id_list(struct x73_ctx *c, struct md_rd *r)
{
	uint16_t n;
	struct md_rd l = x73_list(c, r, &n);
	if (md_rd_left(&l) != 2u * n)
		x73_event(c, XE_ITEM_LENGTH_MISMATCH);
	for (uint16_t i = 0; i < n && md_rd_left(&l) >= 2; i++)
		if (i < c->s->lim.max_items)
			x73_uint(c, XF_ATTRIBUTE_IDS, md_rd_be16(&l));
}

/* modification-list: modify-operator (2) attribute-id (2) Any */
static void mod_list(struct x73_ctx *c, struct md_rd *r)
{
	uint16_t n;
	struct md_rd l = x73_list(c, r, &n);
	for (uint16_t i = 0; i < n && md_rd_left(&l); i++) {
		md_rd_skip(&l, 2);
		uint16_t id = md_rd_be16(&l);
		uint16_t len = md_rd_be16(&l);
		md_rd_skip(&l, len);
		if (!md_rd_ok(&l))
			break;
		if (i < c->s->lim.max_items)
			x73_uint(c, XF_ATTRIBUTE_IDS, id);
	}
	if (!md_rd_done(&l))
		x73_event(c, XE_ITEM_LENGTH_MISMATCH);
}

/* length (2) value: a sub-reader; item_length_mismatch when it overruns. */
static struct md_rd any(struct x73_ctx *c, struct md_rd *r)
{
	uint16_t len = md_rd_be16(r);
	if (md_rd_left(r) < len) {
		x73_event(c, XE_ITEM_LENGTH_MISMATCH);
		return md_rd_sub(r, md_rd_left(r));
	}
	return md_rd_sub(r, len);
}

static void event_report(struct x73_ctx *c, uint16_t ch, struct md_rd *m)
{
	x73_uint(c, XF_OBJ_HANDLE, md_rd_be16(m));
	uint32_t t = md_rd_be32(m);
	uint16_t type = md_rd_be16(m);
	if (!md_rd_ok(m))
		return;
	const char *name = x73_event_type_name(type);
	if (ch != X73_RORS_CEVENT)
		x73_uint(c, XF_EVENT_TIME, t);
	x73_uint(c, XF_EVENT_TYPE, type);
	x73_cstr(c, XF_EVENT_TYPE_NAME, name ? name : "unknown");
	if (!name && ch != X73_RORS_CEVENT)
		x73_event(c, XE_UNKNOWN_EVENT_TYPE);
	struct md_rd info = any(c, m);
	if (ch == X73_RORS_CEVENT)
		x73_event_reply(c, type, &info);
	else
		x73_event_info(c, type, &info);
}

static void action(struct x73_ctx *c, uint16_t ch, struct md_rd *m)
{
	x73_uint(c, XF_OBJ_HANDLE, md_rd_be16(m));
	uint16_t type = md_rd_be16(m);
	if (!md_rd_ok(m))
		return;
	const char *name = x73_action_type_name(type);
	x73_uint(c, XF_ACTION_TYPE, type);
	x73_cstr(c, XF_ACTION_TYPE_NAME, name ? name : "unknown");
	struct md_rd args = any(c, m);
	if (ch != X73_RORS_CACTION)
		x73_action_args(c, type, &args);
}

/* The message of choice ch. */
static void message(struct x73_ctx *c, uint16_t ch, struct md_rd *m)
{
	switch (ch) {
	case X73_ROIV_EVENT:
	case X73_ROIV_CEVENT:
	case X73_RORS_CEVENT:
		event_report(c, ch, m);
		break;
	case X73_ROIV_GET:
		x73_uint(c, XF_OBJ_HANDLE, md_rd_be16(m));
		id_list(c, m);
		break;
	case X73_ROIV_SET:
	case X73_ROIV_CSET:
		x73_uint(c, XF_OBJ_HANDLE, md_rd_be16(m));
		mod_list(c, m);
		break;
	case X73_RORS_GET:
	case X73_RORS_CSET:
		x73_uint(c, XF_OBJ_HANDLE, md_rd_be16(m));
		x73_attr_list(c, m);
		break;
	case X73_ROIV_ACTION:
	case X73_ROIV_CACTION:
	case X73_RORS_CACTION:
		action(c, ch, m);
		break;
	case X73_ROER:
		x73_uint(c, XF_ERROR_VALUE, md_rd_be16(m));
		(void)any(c, m);
		break;
	default: /* X73_RORJ */
		x73_uint(c, XF_REJECT_PROBLEM, md_rd_be16(m));
		break;
	}
	if (!md_rd_done(m))
		x73_event(c, XE_ITEM_LENGTH_MISMATCH);
}

/* The DATA-apdu inside the PRST octet string. */
static void data_apdu(struct x73_ctx *c, struct md_rd *o)
{
	uint16_t id = md_rd_be16(o);
	uint16_t ch = md_rd_be16(o);
	uint16_t mlen = md_rd_be16(o);
	if (!md_rd_ok(o)) {
		x73_event(c, XE_MESSAGE_LENGTH_MISMATCH);
		return;
	}
	const char *name = x73_data_choice_name(ch);
	if (!name) {
		x73_event(c, XE_UNKNOWN_DATA_CHOICE);
		return;
	}
	if (is_request(ch))
		request(c, id, ch);
	else
		response(c, id);
	x73_cstr(c, XF_DATA_CHOICE, name);
	struct md_rd m;
	if (mlen != md_rd_left(o)) {
		x73_event(c, XE_MESSAGE_LENGTH_MISMATCH);
		m = md_rd_sub(o, mlen < md_rd_left(o) ? mlen : md_rd_left(o));
	} else {
		m = md_rd_sub(o, mlen);
	}
	message(c, ch, &m);
	if (is_confirmed(ch) && c->tx != MD_TX_NONE)
		c->k->tx_progress(c->k->ctx, c->tx, c->dir, X73_PROG_DONE);
	else
		x73_done(c, c->tx);
}

void x73_prst(struct x73_ctx *c, struct md_rd *r)
{
	struct x73_state *s = c->s;
	uint16_t olen = md_rd_be16(r);
	if (!md_rd_ok(r) || olen != md_rd_left(r)) {
		x73_event(c, XE_APDU_LENGTH_MISMATCH);
		return;
	}
	if ((s->assoc == X73_A_NONE || s->assoc == X73_A_REQUESTED ||
	     s->assoc == X73_A_IDLE) &&
	    !s->nodata_ev) {
		s->nodata_ev = true;
		x73_event(c, XE_DATA_BEFORE_ASSOCIATION);
	}
	struct md_rd o = md_rd_sub(r, olen);
	data_apdu(c, &o);
}

void x73_data_flush(struct x73_ctx *c)
{
	for (int dir = 0; dir < 2; dir++) {
		struct x73_dir *d = &c->s->d[dir];
		for (unsigned i = 0; i < d->npend; i++)
			x73_done(c, d->pend[i].tx);
		d->npend = 0;
	}
}
