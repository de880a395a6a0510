/* dicom-assoc.c - A-ASSOCIATE-RQ/AC/RJ, A-RELEASE-RQ/RP and A-ABORT: items,
 * user-information sub-items and the association, release and abort
 * transactions.
 *
 * Normative references: DICOM PS3.8 9.3.2-9.3.8 (PDU and item layouts),
 * PS3.7 Annex D.3.3 (user-information sub-items 0x51..0x59).
 *
 * Variable items (big endian):      sub-items of user information 0x50:
 *   +------+------+--------+-----+   0x51 max length       | len (4) |
 *   | type | rsvd | len(2) | ... |   0x52 impl. class UID  | UID |
 *   +------+------+--------+-----+   0x53 async window     | inv(2) | perf(2) |
 *   0x10 application context UID    0x54 role selection   | uidlen(2) | UID |
 *   0x20/0x21 presentation context                         | scu | scp |
 *     | id | rsvd | result | rsvd |  0x55 impl. version    | name (1-16) |
 *     | 0x30 abstract syntax (RQ) |  0x56 extended neg.    | uidlen | UID |
 *     | 0x40 transfer syntax(es)  |                        | app info |
 *   0x50 user information           0x57 common ext. neg.  | uidlen | UID |
 *                                     | svclen | UID | rellen | {len UID}* |
 *   0x58 user identity (RQ) | type | rsp-req | len(2) | primary |
 *                           | len(2) | secondary (passcode, type 2) |
 *   0x59 user identity (AC) | len(2) | server response |
 *
 * One transaction per association: the RQ opens it (to server), the AC or
 * RJ completes it. The passcode of a user identity is never reported, only
 * whether one was sent; Kerberos tickets, SAML assertions and JWTs (types
 * 3..5) are reported by length only.
 */
#include "dicom.h"

#include "md-rd.h"

/* Item header: type and a reader over min(length, what is left). */
static bool item_next(struct dicom_state *s, const struct md_sink *k,
		      uint64_t tx, struct md_rd *r, uint8_t *type,
		      struct md_rd *it)
{
	if (md_rd_left(r) == 0)
		return false;
	if (md_rd_left(r) < 4) {
		dicom_event(s, k, tx, DICOM_EV_PDU_LENGTH_MISMATCH);
		md_rd_skip(r, md_rd_left(r));
		return false;
	}
	*type = md_rd_u8(r);
	md_rd_skip(r, 1);
	size_t len = md_rd_be16(r);
	if (len > md_rd_left(r)) {
		dicom_event(s, k, tx, DICOM_EV_ITEM_LENGTH_OVERFLOW);
		len = md_rd_left(r);
	}
	*it = md_rd_sub(r, len);
	return true;
}

/* Fixed fields of an item did not fit its length. */
static void item_check(struct dicom_state *s, const struct md_sink *k,
		       uint64_t tx, const struct md_rd *it)
{
	if (!md_rd_ok(it))
		dicom_event(s, k, tx, DICOM_EV_ITEM_LENGTH_OVERFLOW);
}

/* A UID value: checked, reported to f (and its name to f_name). */
static void uid_value(struct dicom_state *s, const struct md_sink *k,
		      uint64_t tx, struct md_span v, unsigned f,
		      unsigned f_name)
{
	dicom_check_uid(s, k, tx, v);
	if (f < DF_MAX)
		dicom_uid_fields(k, tx, f, f_name, v);
}

/* A 2-byte length then that many bytes. */
static struct md_span len16_span(struct md_rd *r)
{
	size_t n = md_rd_be16(r);
	return md_rd_span(r, n);
}

static void pc_rq(struct dicom_state *s, const struct md_sink *k, uint64_t tx,
		  struct md_rd *it, uint32_t n)
{
	uint8_t id = md_rd_u8(it);
	md_rd_skip(it, 3);
	item_check(s, k, tx, it);
	if (!(id & 1) || s->pctx[id].proposed)
		dicom_event(s, k, tx, DICOM_EV_INVALID_PRESENTATION_CONTEXT);
	s->pctx[id].proposed = 1;
	bool log = n <= s->lim.max_log_values;
	if (log) {
		k->tx_group(k->ctx, tx, DF_RQ_PCS);
		k->tx_uint(k->ctx, tx, DF_RQ_PC_ID, id);
	}
	uint8_t type;
	struct md_rd sub;
	while (item_next(s, k, tx, it, &type, &sub)) {
		struct md_span v = md_rd_rest(&sub);
		if (type == DICOM_ITEM_ABSTRACT) {
			dicom_check_uid(s, k, tx, v);
			v = dicom_trim(v, false);
			k->tx_str(k->ctx, tx, DF_ABSTRACT_SYNTAX, v.p, v.len);
			if (log)
				dicom_uid_fields(k, tx, DF_RQ_PC_AS,
						 DF_RQ_PC_AS_NAME, v);
		} else if (type == DICOM_ITEM_TRANSFER) {
			dicom_check_uid(s, k, tx, v);
			v = dicom_trim(v, false);
			k->tx_str(k->ctx, tx, DF_TRANSFER_SYNTAX, v.p, v.len);
			if (log)
				k->tx_str(k->ctx, tx, DF_RQ_PC_TS, v.p, v.len);
		} else {
			dicom_event(s, k, tx, DICOM_EV_UNKNOWN_ITEM_TYPE);
		}
	}
}

static const char *pc_result_name(uint8_t result)
{
	static const char *const names[] = {
	    "acceptance", "user-rejection", "no-reason",
	    "abstract-syntax-not-supported", "transfer-syntaxes-not-supported"};
	return result < 5 ? names[result] : "unknown";
}

/* Returns 1 when the context was accepted. */
static int pc_ac(struct dicom_state *s, const struct md_sink *k, uint64_t tx,
		 struct md_rd *it, uint32_t n)
{
	uint8_t id = md_rd_u8(it);
	md_rd_skip(it, 1);
	uint8_t result = md_rd_u8(it);
	md_rd_skip(it, 1);
	item_check(s, k, tx, it);
	if (!s->pctx[id].proposed)
		dicom_event(s, k, tx, DICOM_EV_INVALID_PRESENTATION_CONTEXT);
	bool log = n <= s->lim.max_log_values;
	if (log) {
		k->tx_group(k->ctx, tx, DF_AC_PCS);
		k->tx_uint(k->ctx, tx, DF_AC_PC_ID, id);
		k->tx_uint(k->ctx, tx, DF_AC_PC_RESULT, result);
		dicom_str(k, tx, DF_AC_PC_RESULT_NAME, pc_result_name(result));
	}
	uint8_t type;
	struct md_rd sub;
	while (item_next(s, k, tx, it, &type, &sub)) {
		if (type != DICOM_ITEM_TRANSFER) {
			dicom_event(s, k, tx, DICOM_EV_UNKNOWN_ITEM_TYPE);
			continue;
		}
		struct md_span v = dicom_trim(md_rd_rest(&sub), false);
		dicom_check_uid(s, k, tx, v);
		if (result != 0)
			continue; /* not significant when rejected */
		const struct dicom_uid_def *d = dicom_uid_find(v);
		s->pctx[id].accepted = 1;
		s->pctx[id].ts = d && d->ts ? d->ts : DICOM_TS_EXPLICIT_LE;
		s->pctx[id].ts_idx = d ? (uint16_t)(d - dicom_uids + 1) : 0;
		k->tx_str(k->ctx, tx, DF_TRANSFER_SYNTAX, v.p, v.len);
		if (log)
			dicom_uid_fields(k, tx, DF_AC_PC_TS, DF_AC_PC_TS_NAME,
					 v);
	}
	return result == 0 && s->pctx[id].accepted;
}

static void sub_role(struct dicom_state *s, const struct md_sink *k,
		     uint64_t tx, struct md_rd *it, bool ac)
{
	struct md_span uid = len16_span(it);
	uint8_t scu = md_rd_u8(it), scp = md_rd_u8(it);
	item_check(s, k, tx, it);
	k->tx_group(k->ctx, tx, ac ? DF_AC_ROLES : DF_RQ_ROLES);
	uid_value(s, k, tx, uid, ac ? DF_AC_ROLE_UID : DF_RQ_ROLE_UID, DF_MAX);
	k->tx_uint(k->ctx, tx, ac ? DF_AC_ROLE_SCU : DF_RQ_ROLE_SCU, scu);
	k->tx_uint(k->ctx, tx, ac ? DF_AC_ROLE_SCP : DF_RQ_ROLE_SCP, scp);
}

static void sub_extneg(struct dicom_state *s, const struct md_sink *k,
		       uint64_t tx, struct md_rd *it, bool ac)
{
	struct md_span uid = len16_span(it);
	item_check(s, k, tx, it);
	k->tx_group(k->ctx, tx, ac ? DF_AC_EXTNEG : DF_RQ_EXTNEG);
	uid_value(s, k, tx, uid, ac ? DF_AC_EXTNEG_UID : DF_RQ_EXTNEG_UID,
		  DF_MAX);
	k->tx_uint(k->ctx, tx, ac ? DF_AC_EXTNEG_LEN : DF_RQ_EXTNEG_LEN,
		   md_rd_left(it));
}

static void sub_common_extneg(struct dicom_state *s, const struct md_sink *k,
			      uint64_t tx, struct md_rd *it)
{
	struct md_span uid = len16_span(it);
	struct md_span svc = len16_span(it);
	struct md_rd rel = md_rd_sub(it, md_rd_be16(it));
	item_check(s, k, tx, it);
	k->tx_group(k->ctx, tx, DF_RQ_CEXTNEG);
	uid_value(s, k, tx, uid, DF_RQ_CEXTNEG_UID, DF_MAX);
	uid_value(s, k, tx, svc, DF_RQ_CEXTNEG_SERVICE, DF_MAX);
	while (md_rd_ok(&rel) && md_rd_left(&rel)) {
		struct md_span r = len16_span(&rel);
		if (!md_rd_ok(&rel))
			break;
		uid_value(s, k, tx, r, DF_RQ_CEXTNEG_RELATED, DF_MAX);
	}
	item_check(s, k, tx, &rel);
}

static void sub_user_identity(struct dicom_state *s, const struct md_sink *k,
			      uint64_t tx, struct md_rd *it)
{
	uint8_t type = md_rd_u8(it);
	uint8_t rsp = md_rd_u8(it);
	struct md_span primary = len16_span(it);
	size_t slen = md_rd_be16(it);
	md_rd_skip(it, slen);
	item_check(s, k, tx, it);
	k->tx_uint(k->ctx, tx, DF_UI_TYPE, type);
	k->tx_uint(k->ctx, tx, DF_UI_RESPONSE_REQ, rsp != 0);
	if (type == 1 || type == 2) {
		struct md_span u = dicom_trim(primary, false);
		k->tx_str(k->ctx, tx, DF_UI_USERNAME, u.p, u.len);
		dicom_check_shell(s, k, tx, primary);
	} else {
		k->tx_uint(k->ctx, tx, DF_UI_PRIMARY_LEN, primary.len);
	}
	k->tx_uint(k->ctx, tx, DF_UI_PASSCODE, type == 2 && slen > 0);
}

/* One user-information sub-item; false when unknown for this PDU. */
static bool user_sub(struct dicom_state *s, const struct md_sink *k,
		     uint64_t tx, uint8_t type, struct md_rd *it, bool ac)
{
	switch (type) {
	case DICOM_SUB_MAX_LENGTH: {
		uint32_t v = md_rd_be32(it);
		item_check(s, k, tx, it);
		k->tx_uint(k->ctx, tx, ac ? DF_AC_MAX_PDU : DF_RQ_MAX_PDU, v);
		/* the sender of the item receives at most v */
		s->max_pdu[ac ? MD_DIR_TOSERVER : MD_DIR_TOCLIENT] = v;
		return true;
	}
	case DICOM_SUB_IMPL_UID:
		uid_value(s, k, tx, md_rd_rest(it),
			  ac ? DF_AC_IMPL_UID : DF_IMPL_UID, DF_MAX);
		return true;
	case DICOM_SUB_ASYNC: {
		uint16_t inv = md_rd_be16(it), perf = md_rd_be16(it);
		item_check(s, k, tx, it);
		k->tx_uint(k->ctx, tx,
			   ac ? DF_AC_ASYNC_INVOKED : DF_RQ_ASYNC_INVOKED, inv);
		k->tx_uint(k->ctx, tx,
			   ac ? DF_AC_ASYNC_PERFORMED : DF_RQ_ASYNC_PERFORMED,
			   perf);
		return true;
	}
	case DICOM_SUB_ROLE:
		sub_role(s, k, tx, it, ac);
		return true;
	case DICOM_SUB_IMPL_VERSION: {
		struct md_span v = dicom_trim(md_rd_rest(it), false);
		k->tx_str(k->ctx, tx, ac ? DF_AC_IMPL_VERSION : DF_IMPL_VERSION,
			  v.p, v.len);
		dicom_check_shell(s, k, tx, v);
		return true;
	}
	case DICOM_SUB_EXT_NEG:
		sub_extneg(s, k, tx, it, ac);
		return true;
	case DICOM_SUB_COMMON_EXT_NEG:
		if (!ac)
			sub_common_extneg(s, k, tx, it);
		return !ac;
	case DICOM_SUB_USER_ID_RQ:
		if (!ac)
			sub_user_identity(s, k, tx, it);
		return !ac;
	case DICOM_SUB_USER_ID_AC:
		if (ac) {
			struct md_span v = len16_span(it);
			item_check(s, k, tx, it);
			k->tx_uint(k->ctx, tx, DF_AC_UI_RESPONSE_LEN, v.len);
		}
		return ac;
	default:
		return false;
	}
}

static void user_info(struct dicom_state *s, const struct md_sink *k,
		      uint64_t tx, struct md_rd *it, bool ac)
{
	uint8_t type;
	struct md_rd sub;
	while (item_next(s, k, tx, it, &type, &sub))
		if (!user_sub(s, k, tx, type, &sub, ac))
			dicom_event(s, k, tx, DICOM_EV_UNKNOWN_ITEM_TYPE);
}

/* The variable items of an RQ or AC; returns the number of presentation
 * contexts (ac: accepted ones in *accepted). */
static uint32_t assoc_items(struct dicom_state *s, const struct md_sink *k,
			    uint64_t tx, struct md_rd *r, bool ac,
			    uint32_t *accepted)
{
	uint32_t n = 0, max = s->lim.max_items;
	uint8_t type;
	struct md_rd it;
	if (max == 0 || max > DICOM_MAX_CONTEXTS)
		max = DICOM_MAX_CONTEXTS;
	while (item_next(s, k, tx, r, &type, &it)) {
		if (type == DICOM_ITEM_APP_CONTEXT) {
			struct md_span v = md_rd_rest(&it);
			dicom_check_uid(s, k, tx, v);
			if (!ac)
				uid_value(s, k, tx, v, DF_APP_CONTEXT, DF_MAX);
		} else if (type == (ac ? DICOM_ITEM_PC_AC : DICOM_ITEM_PC_RQ)) {
			if (++n == max + 1)
				dicom_event(
				    s, k, tx,
				    DICOM_EV_TOO_MANY_PRESENTATION_CONTEXTS);
			if (n > max)
				continue;
			if (ac)
				*accepted += (uint32_t)pc_ac(s, k, tx, &it, n);
			else
				pc_rq(s, k, tx, &it, n);
		} else if (type == DICOM_ITEM_USER_INFO) {
			user_info(s, k, tx, &it, ac);
		} else {
			dicom_event(s, k, tx, DICOM_EV_UNKNOWN_ITEM_TYPE);
		}
	}
	return n;
}

/* Open (or reuse) the association transaction. */
static uint64_t assoc_tx(struct dicom_state *s, const struct md_sink *k,
			 enum md_dir dir, uint8_t pdu)
{
	if (s->assoc_tx == MD_TX_NONE) {
		s->assoc_tx = k->tx_new(k->ctx, dir);
		s->assoc_evmask = 0;
		dicom_str(k, s->assoc_tx, DF_TYPE, "association");
	}
	k->tx_uint(k->ctx, s->assoc_tx, DF_PDU_TYPE, pdu);
	return s->assoc_tx;
}

/* version, reserved, called AE, calling AE, reserved: false if short. */
static bool assoc_fixed(struct dicom_state *s, const struct md_sink *k,
			uint64_t tx, struct md_rd *r, uint16_t *version,
			struct md_span *called, struct md_span *calling)
{
	*version = md_rd_be16(r);
	md_rd_skip(r, 2);
	*called = md_rd_span(r, DICOM_AE_LEN);
	*calling = md_rd_span(r, DICOM_AE_LEN);
	md_rd_skip(r, 32);
	if (md_rd_ok(r))
		return true;
	dicom_event(s, k, tx, DICOM_EV_PDU_LENGTH_MISMATCH);
	return false;
}

void dicom_assoc_rq(struct dicom_state *s, const struct md_sink *k,
		    struct md_rd *r)
{
	if (s->assoc_tx != MD_TX_NONE) /* a second RQ: close the first */
		dicom_close_all(s, k);
	uint64_t tx = assoc_tx(s, k, MD_DIR_TOSERVER, DICOM_PDU_ASSOC_RQ);
	uint16_t version;
	struct md_span called, calling;
	for (int i = 0; i < 256; i++)
		s->pctx[i] = (struct dicom_pctx){0, 0, 0, 0};
	s->max_pdu[0] = s->max_pdu[1] = 0;
	s->assoc = DICOM_AS_AWAIT_AC;
	if (assoc_fixed(s, k, tx, r, &version, &called, &calling)) {
		k->tx_uint(k->ctx, tx, DF_PROTOCOL_VERSION, version);
		if (!(version & 1))
			dicom_event(s, k, tx,
				    DICOM_EV_UNSUPPORTED_PROTOCOL_VERSION);
		struct md_span t = dicom_trim(called, true);
		k->tx_str(k->ctx, tx, DF_CALLED_AE, t.p, t.len);
		dicom_check_ae(s, k, tx, called);
		t = dicom_trim(calling, true);
		k->tx_str(k->ctx, tx, DF_CALLING_AE, t.p, t.len);
		dicom_check_ae(s, k, tx, calling);
		uint32_t n = assoc_items(s, k, tx, r, false, NULL);
		k->tx_uint(k->ctx, tx, DF_PC_COUNT, n);
	}
	k->tx_progress(k->ctx, tx, MD_DIR_TOSERVER, DICOM_PROGRESS_DONE);
}

/* Complete the association transaction. */
static void assoc_done(struct dicom_state *s, const struct md_sink *k,
		       uint64_t tx)
{
	s->assoc_tx = MD_TX_NONE;
	k->tx_progress(k->ctx, tx, MD_DIR_TOSERVER, DICOM_PROGRESS_DONE);
	k->tx_progress(k->ctx, tx, MD_DIR_TOCLIENT, DICOM_PROGRESS_DONE);
}

void dicom_assoc_ac(struct dicom_state *s, const struct md_sink *k,
		    struct md_rd *r)
{
	uint64_t tx = assoc_tx(s, k, MD_DIR_TOCLIENT, DICOM_PDU_ASSOC_AC);
	uint16_t version;
	struct md_span called, calling;
	uint32_t accepted = 0;
	s->assoc = DICOM_AS_OPEN;
	dicom_str(k, tx, DF_RESULT, "accepted");
	if (assoc_fixed(s, k, tx, r, &version, &called, &calling)) {
		if (!(version & 1))
			dicom_event(s, k, tx,
				    DICOM_EV_UNSUPPORTED_PROTOCOL_VERSION);
		assoc_items(s, k, tx, r, true, &accepted);
		k->tx_uint(k->ctx, tx, DF_AC_ACCEPTED, accepted);
	}
	assoc_done(s, k, tx);
}

static const char *rj_reason_name(uint8_t source, uint8_t reason)
{
	if (reason == 1 && source >= 1 && source <= 2)
		return "no-reason-given";
	if (source == 1 && reason == 2)
		return "application-context-name-not-supported";
	if (source == 1 && reason == 3)
		return "calling-ae-title-not-recognized";
	if (source == 1 && reason == 7)
		return "called-ae-title-not-recognized";
	if (source == 2 && reason == 2)
		return "protocol-version-not-supported";
	if (source == 3 && reason == 1)
		return "temporary-congestion";
	if (source == 3 && reason == 2)
		return "local-limit-exceeded";
	return "reserved";
}

void dicom_assoc_rj(struct dicom_state *s, const struct md_sink *k,
		    struct md_rd *r)
{
	static const char *const sources[] = {"reserved", "service-user",
					      "service-provider-acse",
					      "service-provider-presentation"};
	uint64_t tx = assoc_tx(s, k, MD_DIR_TOCLIENT, DICOM_PDU_ASSOC_RJ);
	md_rd_skip(r, 1);
	uint8_t result = md_rd_u8(r);
	uint8_t source = md_rd_u8(r);
	uint8_t reason = md_rd_u8(r);
	s->assoc = DICOM_AS_REJECTED;
	dicom_str(k, tx, DF_RESULT, "rejected");
	if (md_rd_ok(r)) {
		k->tx_uint(k->ctx, tx, DF_REJECT_RESULT, result);
		k->tx_uint(k->ctx, tx, DF_REJECT_SOURCE, source);
		k->tx_uint(k->ctx, tx, DF_REJECT_REASON, reason);
		dicom_str(k, tx, DF_REJECT_RESULT_NAME,
			  result == 1	? "rejected-permanent"
			  : result == 2 ? "rejected-transient"
					: "reserved");
		dicom_str(k, tx, DF_REJECT_SOURCE_NAME,
			  source < 4 ? sources[source] : "reserved");
		dicom_str(k, tx, DF_REJECT_REASON_NAME,
			  rj_reason_name(source, reason));
	}
	assoc_done(s, k, tx);
}

void dicom_release(struct dicom_state *s, const struct md_sink *k,
		   enum md_dir dir, uint8_t type)
{
	uint64_t tx = s->release_tx;
	if (type == DICOM_PDU_RELEASE_RQ && tx != MD_TX_NONE) { /* collision */
		k->tx_uint(k->ctx, tx, DF_PDU_TYPE, type);
		k->tx_uint(k->ctx, tx, DF_RELEASE_COLLISION, 1);
		s->release_need = 2;
		return;
	}
	if (tx == MD_TX_NONE) {
		tx = k->tx_new(k->ctx, dir);
		dicom_str(k, tx, DF_TYPE, "release");
	}
	k->tx_uint(k->ctx, tx, DF_PDU_TYPE, type);
	if (type == DICOM_PDU_RELEASE_RQ) {
		s->release_tx = tx;
		s->release_need = 1;
		s->release_dir = (uint8_t)dir;
		if (s->assoc == DICOM_AS_OPEN)
			s->assoc = DICOM_AS_RELEASING;
		k->tx_progress(k->ctx, tx, dir, DICOM_PROGRESS_DONE);
		return;
	}
	if (s->release_need > 1) {
		s->release_need--;
		return;
	}
	s->release_tx = MD_TX_NONE;
	s->release_need = 0;
	if (s->assoc == DICOM_AS_RELEASING)
		s->assoc = DICOM_AS_RELEASED;
	k->tx_progress(k->ctx, tx, MD_DIR_TOSERVER, DICOM_PROGRESS_DONE);
	k->tx_progress(k->ctx, tx, MD_DIR_TOCLIENT, DICOM_PROGRESS_DONE);
}

void dicom_abort(struct dicom_state *s, const struct md_sink *k,
		 enum md_dir dir, struct md_rd *r)
{
	static const char *const reasons[] = {"reason-not-specified",
					      "unrecognized-pdu",
					      "unexpected-pdu",
					      "reserved",
					      "unrecognized-pdu-parameter",
					      "unexpected-pdu-parameter",
					      "invalid-pdu-parameter-value"};
	md_rd_skip(r, 2);
	uint8_t source = md_rd_u8(r);
	uint8_t reason = md_rd_u8(r);
	s->assoc = DICOM_AS_ABORTED;
	dicom_close_all(s, k); /* what was open ends before the abort */
	uint64_t tx = k->tx_new(k->ctx, dir);
	dicom_str(k, tx, DF_TYPE, "abort");
	k->tx_uint(k->ctx, tx, DF_PDU_TYPE, DICOM_PDU_ABORT);
	if (md_rd_ok(r)) {
		k->tx_uint(k->ctx, tx, DF_ABORT_SOURCE, source);
		k->tx_uint(k->ctx, tx, DF_ABORT_REASON, reason);
		dicom_str(k, tx, DF_ABORT_SOURCE_NAME,
			  source == 0	? "service-user"
			  : source == 2 ? "service-provider"
					: "reserved");
		if (source == 2)
			dicom_str(k, tx, DF_ABORT_REASON_NAME,
				  reason < 7 ? reasons[reason] : "reserved");
	}
	k->tx_progress(k->ctx, tx, MD_DIR_TOSERVER, DICOM_PROGRESS_DONE);
	k->tx_progress(k->ctx, tx, MD_DIR_TOCLIENT, DICOM_PROGRESS_DONE);
}
