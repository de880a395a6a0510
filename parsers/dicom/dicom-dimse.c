/* dicom-dimse.c - DIMSE messages over P-DATA-TF: PDVs, command sets
 * reassembled across PDVs and PDUs, every DIMSE-C and DIMSE-N service, and
 * their transactions (a request with its response(s), matched by message
 * id).
 *
 * Normative references: DICOM PS3.7 6.3 (message structure), 9.3 and 10.3
 * (command sets of each service), E.1 (command dictionary), Annex C
 * (status codes); PS3.8 9.3.5 and Annex E (PDV message control header).
 *
 * One direction carries one message at a time:
 *
 *   PDV(cmd) .. PDV(cmd, last)  [ PDV(data) .. PDV(data, last) ]
 *   \__ command set, group 0000,  \__ data set in the context's
 *       implicit VR little endian:     transfer syntax, walked by
 *       | gggg | eeee | len(4) | value |     dicom-dataset.c
 *
 * The command set is buffered (bounded by max_field, else
 * command_set_too_large) and decoded when its last fragment arrives; data
 * set fragments are streamed to the element walker as they come.
 *
 * Transactions: a request opens one in its direction (to server for an
 * SCU request, to client for N-EVENT-REPORT or the C-STORE sub-operations
 * of a C-GET); responses in the other direction with that
 * MessageIDBeingRespondedTo are counted (pending ones: find_results) and
 * the final one completes it. A C-CANCEL-RQ is folded into the request it
 * cancels.
 */
#include "dicom.h"

#include <string.h>

#include "md-rd.h"
#include "mem.h"

/* ---- command set ------------------------------------------------------ */

enum cmd_el {
	CE_AFF_CLASS,
	CE_REQ_CLASS,
	CE_FIELD,
	CE_MSG_ID,
	CE_RSP_ID,
	CE_MOVE_DEST,
	CE_PRIORITY,
	CE_DSTYPE,
	CE_STATUS,
	CE_ERR_COMMENT,
	CE_ERR_ID,
	CE_AFF_INST,
	CE_REQ_INST,
	CE_EVENT_TYPE,
	CE_ACTION_TYPE,
	CE_REMAINING,
	CE_COMPLETED,
	CE_FAILED,
	CE_WARNING,
	CE_ORIG_AE,
	CE_ORIG_ID,
	CE_MAX
};

#define B(x) (1u << CE_##x)
#define US_ELEMS                                                               \
	(B(FIELD) | B(MSG_ID) | B(RSP_ID) | B(PRIORITY) | B(DSTYPE) |          \
	 B(STATUS) | B(ERR_ID) | B(EVENT_TYPE) | B(ACTION_TYPE) |              \
	 B(REMAINING) | B(COMPLETED) | B(FAILED) | B(WARNING) | B(ORIG_ID))

static const uint16_t cmd_elems[CE_MAX] = {
    [CE_AFF_CLASS] = DICOM_CMD_AFFECTED_SOP_CLASS,
    [CE_REQ_CLASS] = DICOM_CMD_REQUESTED_SOP_CLASS,
    [CE_FIELD] = DICOM_CMD_COMMAND_FIELD,
    [CE_MSG_ID] = DICOM_CMD_MESSAGE_ID,
    [CE_RSP_ID] = DICOM_CMD_RESPONDED_ID,
    [CE_MOVE_DEST] = DICOM_CMD_MOVE_DESTINATION,
    [CE_PRIORITY] = DICOM_CMD_PRIORITY,
    [CE_DSTYPE] = DICOM_CMD_DATA_SET_TYPE,
    [CE_STATUS] = DICOM_CMD_STATUS,
    [CE_ERR_COMMENT] = DICOM_CMD_ERROR_COMMENT,
    [CE_ERR_ID] = DICOM_CMD_ERROR_ID,
    [CE_AFF_INST] = DICOM_CMD_AFFECTED_SOP_INSTANCE,
    [CE_REQ_INST] = DICOM_CMD_REQUESTED_SOP_INSTANCE,
    [CE_EVENT_TYPE] = DICOM_CMD_EVENT_TYPE,
    [CE_ACTION_TYPE] = DICOM_CMD_ACTION_TYPE,
    [CE_REMAINING] = DICOM_CMD_REMAINING,
    [CE_COMPLETED] = DICOM_CMD_COMPLETED,
    [CE_FAILED] = DICOM_CMD_FAILED,
    [CE_WARNING] = DICOM_CMD_WARNING,
    [CE_ORIG_AE] = DICOM_CMD_MOVE_ORIG_AE,
    [CE_ORIG_ID] = DICOM_CMD_MOVE_ORIG_ID,
};

/* A decoded command set; spans point into the message's buffer. */
struct dicom_cmd {
	uint32_t seen; /* B(x) of the elements present */
	uint32_t evs;  /* events found, raised once the tx is known */
	uint16_t us[CE_MAX];
	struct md_span str[CE_MAX];
};

#define RQ_BASE	 (B(FIELD) | B(MSG_ID) | B(DSTYPE))
#define RSP_BASE (B(FIELD) | B(RSP_ID) | B(DSTYPE) | B(STATUS))

/* Commands and their mandatory elements (PS3.7 9.3, 10.3). */
static const struct cmd_def {
	uint16_t field;
	const char *name;
	uint32_t need;
} cmd_defs[] = {
    {0x0001, "C-STORE-RQ", RQ_BASE | B(AFF_CLASS) | B(PRIORITY) | B(AFF_INST)},
    {0x8001, "C-STORE-RSP", RSP_BASE},
    {0x0010, "C-GET-RQ", RQ_BASE | B(AFF_CLASS) | B(PRIORITY)},
    {0x8010, "C-GET-RSP", RSP_BASE},
    {0x0020, "C-FIND-RQ", RQ_BASE | B(AFF_CLASS) | B(PRIORITY)},
    {0x8020, "C-FIND-RSP", RSP_BASE},
    {0x0021, "C-MOVE-RQ", RQ_BASE | B(AFF_CLASS) | B(PRIORITY) | B(MOVE_DEST)},
    {0x8021, "C-MOVE-RSP", RSP_BASE},
    {0x0030, "C-ECHO-RQ", RQ_BASE | B(AFF_CLASS)},
    {0x8030, "C-ECHO-RSP", RSP_BASE},
    {0x0100, "N-EVENT-REPORT-RQ",
     RQ_BASE | B(AFF_CLASS) | B(AFF_INST) | B(EVENT_TYPE)},
    {0x8100, "N-EVENT-REPORT-RSP", RSP_BASE},
    {0x0110, "N-GET-RQ", RQ_BASE | B(REQ_CLASS) | B(REQ_INST)},
    {0x8110, "N-GET-RSP", RSP_BASE},
    {0x0120, "N-SET-RQ", RQ_BASE | B(REQ_CLASS) | B(REQ_INST)},
    {0x8120, "N-SET-RSP", RSP_BASE},
    {0x0130, "N-ACTION-RQ",
     RQ_BASE | B(REQ_CLASS) | B(REQ_INST) | B(ACTION_TYPE)},
    {0x8130, "N-ACTION-RSP", RSP_BASE},
    {0x0140, "N-CREATE-RQ", RQ_BASE | B(AFF_CLASS)},
    {0x8140, "N-CREATE-RSP", RSP_BASE},
    {0x0150, "N-DELETE-RQ", RQ_BASE | B(REQ_CLASS) | B(REQ_INST)},
    {0x8150, "N-DELETE-RSP", RSP_BASE},
    {DICOM_C_CANCEL_RQ, "C-CANCEL-RQ", B(FIELD) | B(RSP_ID) | B(DSTYPE)},
};

static const struct cmd_def *cmd_find(uint16_t field)
{
	for (size_t i = 0; i < sizeof(cmd_defs) / sizeof(cmd_defs[0]); i++)
		if (cmd_defs[i].field == field)
			return &cmd_defs[i];
	return NULL;
}

static int cmd_index(uint16_t elem)
{
	for (int i = 0; i < CE_MAX; i++)
		if (cmd_elems[i] == elem)
			return i;
	return -1;
}

/* Decode the group 0000 elements of buf (implicit VR little endian). */
static void cmd_decode(const uint8_t *buf, uint32_t len, struct dicom_cmd *c)
{
	struct md_rd r = md_rd_make(buf, len);
	while (md_rd_left(&r)) {
		if (md_rd_left(&r) < 8) {
			c->evs |= 1u << DICOM_EV_INVALID_COMMAND_SET;
			break;
		}
		uint16_t group = md_rd_le16(&r), elem = md_rd_le16(&r);
		uint32_t vlen = md_rd_le32(&r);
		if (vlen > md_rd_left(&r)) {
			c->evs |= 1u << DICOM_EV_INVALID_COMMAND_SET;
			break;
		}
		struct md_rd v = md_rd_sub(&r, vlen);
		if (vlen & 1)
			c->evs |= 1u << DICOM_EV_ODD_VALUE_LENGTH;
		int i = group == 0 ? cmd_index(elem) : -1;
		if (group != 0)
			c->evs |= 1u << DICOM_EV_INVALID_COMMAND_SET;
		if (i < 0)
			continue;
		if ((US_ELEMS >> i) & 1) {
			if (vlen != 2) {
				c->evs |= 1u << DICOM_EV_INVALID_COMMAND_SET;
				continue;
			}
			c->us[i] = md_rd_le16(&v);
		} else {
			c->str[i] = md_rd_rest(&v);
		}
		c->seen |= 1u << i;
	}
}

static bool has(const struct dicom_cmd *c, enum cmd_el e)
{
	return (c->seen >> e) & 1;
}

/* ---- status codes (PS3.7 Annex C and the service definitions) ---------- */

static const char *status_category(uint16_t st)
{
	if (st == 0x0000)
		return "success";
	if (st == 0xFF00 || st == 0xFF01)
		return "pending";
	if (st == 0xFE00)
		return "cancel";
	if (st == 0x0001 || st == 0x0107 || st == 0x0116 ||
	    (st & 0xF000) == 0xB000)
		return "warning";
	return "failure";
}

static const struct {
	uint16_t code;
	const char *text;
} status_texts[] = {
    {0x0000, "Success"},
    {0xFF01, "Pending: optional keys not supported"},
    {0xFE00, "Cancel"},
    {0x0001, "Warning: requested optional attributes not supported"},
    {0x0107, "Warning: attribute list error"},
    {0x0116, "Warning: attribute value out of range"},
    {0xB006, "Warning: elements discarded"},
    {0xB007, "Warning: data set does not match SOP class"},
    {0xA701, "Refused: out of resources, cannot calculate matches"},
    {0xA702, "Refused: out of resources, cannot perform sub-operations"},
    {0xA801, "Refused: move destination unknown"},
    {0x0105, "Failure: no such attribute"},
    {0x0106, "Failure: invalid attribute value"},
    {0x0110, "Failure: processing failure"},
    {0x0111, "Failure: duplicate SOP instance"},
    {0x0112, "Failure: no such SOP instance"},
    {0x0113, "Failure: no such event type"},
    {0x0114, "Failure: no such argument"},
    {0x0115, "Failure: invalid argument value"},
    {0x0117, "Failure: invalid object instance"},
    {0x0118, "Failure: no such SOP class"},
    {0x0119, "Failure: class-instance conflict"},
    {0x0120, "Failure: missing attribute"},
    {0x0121, "Failure: missing attribute value"},
    {0x0122, "Refused: SOP class not supported"},
    {0x0123, "Failure: no such action"},
    {0x0124, "Refused: not authorized"},
    {0x0210, "Failure: duplicate invocation"},
    {0x0211, "Failure: unrecognized operation"},
    {0x0212, "Failure: mistyped argument"},
    {0x0213, "Failure: resource limitation"},
};

static const char *status_meaning(uint16_t command, uint16_t st)
{
	bool store = (command & 0x7FFF) == 0x0001;
	for (size_t i = 0; i < sizeof(status_texts) / sizeof(status_texts[0]);
	     i++)
		if (status_texts[i].code == st)
			return status_texts[i].text;
	if (st == 0xFF00)
		return (command & 0x7FFF) == 0x0020
			   ? "Pending: matches are continuing"
			   : "Pending: sub-operations are continuing";
	if (st == 0xB000)
		return store ? "Warning: coercion of data elements"
			     : "Warning: sub-operations complete with failures";
	if ((st & 0xFF00) == 0xA700)
		return "Refused: out of resources";
	if ((st & 0xFF00) == 0xA900)
		return store ? "Error: data set does not match SOP class"
			     : "Error: identifier does not match SOP class";
	if ((st & 0xF000) == 0xC000)
		return store ? "Error: cannot understand"
			     : "Failure: unable to process";
	return (st & 0xF000) == 0xB000 ? "Warning" : "Failure";
}

/* ---- outstanding requests --------------------------------------------- */

uint32_t *dicom_tx_evmask(struct dicom_state *s, uint64_t tx)
{
	if (tx == s->assoc_tx)
		return &s->assoc_evmask;
	for (uint32_t i = 0; i < s->n_ops; i++)
		if (s->ops[i].tx == tx)
			return &s->ops[i].evmask;
	return NULL;
}

static struct dicom_op *op_by_tx(struct dicom_state *s, uint64_t tx)
{
	for (uint32_t i = 0; i < s->n_ops; i++)
		if (s->ops[i].tx == tx)
			return &s->ops[i];
	return NULL;
}

/* The request msg_id sent in direction req_dir, oldest first. */
static struct dicom_op *op_by_id(struct dicom_state *s, uint16_t msg_id,
				 enum md_dir req_dir)
{
	for (uint32_t i = 0; i < s->n_ops; i++)
		if (s->ops[i].msg_id == msg_id && s->ops[i].req_dir == req_dir)
			return &s->ops[i];
	return NULL;
}

static bool counts_results(uint16_t command)
{
	command &= 0x7FFF;
	return command == 0x0020 || command == 0x0010;
}

/* Complete op's transaction and forget op. */
static void op_close(struct dicom_state *s, const struct md_sink *k,
		     struct dicom_op *op, bool flush)
{
	uint64_t tx = op->tx;
	if (flush && counts_results(op->command))
		k->tx_uint(k->ctx, tx, DF_FIND_RESULTS, op->pending);
	uint32_t i = (uint32_t)(op - s->ops);
	memmove(&s->ops[i], &s->ops[i + 1],
		(s->n_ops - i - 1) * sizeof(s->ops[0]));
	s->n_ops--;
	k->tx_progress(k->ctx, tx, MD_DIR_TOSERVER, DICOM_PROGRESS_DONE);
	k->tx_progress(k->ctx, tx, MD_DIR_TOCLIENT, DICOM_PROGRESS_DONE);
}

/* Complete the oldest outstanding requests while max_tx - 1 are (before a
 * new transaction, so the engine's own bound has room for it). */
static void op_make_room(struct dicom_state *s, const struct md_sink *k)
{
	uint32_t max = s->lim.max_tx > 1 ? s->lim.max_tx - 1 : 1;
	if (max > 1024)
		max = 1024;
	while (s->n_ops >= max)
		op_close(s, k, &s->ops[0], true);
}

/* Track a new request; NULL when it cannot be (memory). */
static struct dicom_op *op_add(struct dicom_state *s, uint64_t tx,
			       uint16_t msg_id, uint16_t command,
			       enum md_dir dir)
{
	if (s->n_ops == s->cap_ops) {
		uint32_t cap = s->cap_ops ? s->cap_ops * 2 : 4;
		struct dicom_op *n = md_realloc(s->ops, cap * sizeof(*n));
		if (!n)
			return NULL;
		s->ops = n;
		s->cap_ops = cap;
	}
	struct dicom_op *op = &s->ops[s->n_ops++];
	*op = (struct dicom_op){.tx = tx,
				.msg_id = msg_id,
				.command = command,
				.req_dir = (uint8_t)dir};
	return op;
}

void dicom_dimse_close_all(struct dicom_state *s, const struct md_sink *k)
{
	while (s->n_ops)
		op_close(s, k, &s->ops[0], true);
	for (int d = 0; d < 2; d++) {
		struct dicom_msg *m = &s->dir[d].msg;
		m->tx = MD_TX_NONE;
		m->kind = DICOM_KIND_NONE;
	}
}

void dicom_dimse_fini(struct dicom_state *s)
{
	for (int d = 0; d < 2; d++) {
		md_free(s->dir[d].msg.cmd);
		s->dir[d].msg.cmd = NULL;
		dicom_ds_free(&s->dir[d].ds);
	}
	md_free(s->ops);
	s->ops = NULL;
	s->n_ops = s->cap_ops = 0;
}

/* ---- requests and responses -------------------------------------------- */

static void uid_field(struct dicom_state *s, const struct md_sink *k,
		      uint64_t tx, struct md_span v, unsigned f, unsigned name)
{
	dicom_check_uid(s, k, tx, v);
	dicom_uid_fields(k, tx, f, name, v);
}

static void ae_field(struct dicom_state *s, const struct md_sink *k,
		     uint64_t tx, struct md_span v, unsigned f)
{
	struct md_span t = dicom_trim(v, true);
	dicom_check_ae(s, k, tx, v);
	k->tx_str(k->ctx, tx, f, t.p, t.len);
}

static uint64_t dimse_tx(const struct md_sink *k, enum md_dir dir,
			 const char *name)
{
	uint64_t tx = k->tx_new(k->ctx, dir);
	dicom_str(k, tx, DF_TYPE, "dimse");
	k->tx_uint(k->ctx, tx, DF_PDU_TYPE, DICOM_PDU_PDATA);
	dicom_str(k, tx, DF_COMMAND, name);
	return tx;
}

static void request_fields(struct dicom_state *s, const struct md_sink *k,
			   uint64_t tx, const struct dicom_cmd *c)
{
	if (has(c, CE_AFF_CLASS) || has(c, CE_REQ_CLASS))
		uid_field(
		    s, k, tx,
		    c->str[has(c, CE_AFF_CLASS) ? CE_AFF_CLASS : CE_REQ_CLASS],
		    DF_SOP_CLASS, DF_SOP_CLASS_NAME);
	if (has(c, CE_AFF_INST) || has(c, CE_REQ_INST))
		uid_field(
		    s, k, tx,
		    c->str[has(c, CE_AFF_INST) ? CE_AFF_INST : CE_REQ_INST],
		    DF_SOP_INSTANCE, DF_MAX);
	if (has(c, CE_PRIORITY))
		k->tx_uint(k->ctx, tx, DF_PRIORITY, c->us[CE_PRIORITY]);
	if (has(c, CE_MOVE_DEST))
		ae_field(s, k, tx, c->str[CE_MOVE_DEST], DF_MOVE_DESTINATION);
	if (has(c, CE_ORIG_AE))
		ae_field(s, k, tx, c->str[CE_ORIG_AE], DF_MOVE_ORIG_AE);
	if (has(c, CE_ORIG_ID))
		k->tx_uint(k->ctx, tx, DF_MOVE_ORIG_ID, c->us[CE_ORIG_ID]);
	if (has(c, CE_EVENT_TYPE))
		k->tx_uint(k->ctx, tx, DF_EVENT_TYPE_ID, c->us[CE_EVENT_TYPE]);
	if (has(c, CE_ACTION_TYPE))
		k->tx_uint(k->ctx, tx, DF_ACTION_TYPE_ID,
			   c->us[CE_ACTION_TYPE]);
}

static void request(struct dicom_state *s, const struct md_sink *k,
		    enum md_dir dir, const struct dicom_cmd *c,
		    const struct cmd_def *def, bool data)
{
	struct dicom_msg *m = &s->dir[dir].msg;
	op_make_room(s, k);
	uint64_t tx = dimse_tx(k, dir, def->name);
	struct dicom_op *op =
	    tx == MD_TX_NONE ? NULL
			     : op_add(s, tx, c->us[CE_MSG_ID], def->field, dir);
	uint16_t ts_idx = s->pctx[m->ctx].ts_idx;
	m->tx = tx;
	m->kind = op ? DICOM_KIND_RQ : DICOM_KIND_RQ_ALONE;
	m->query = def->field == 0x0020 || def->field == 0x0010 ||
		   def->field == 0x0021;
	dicom_str(k, tx, DF_RQ_COMMAND, def->name);
	if (has(c, CE_MSG_ID))
		k->tx_uint(k->ctx, tx, DF_RQ_MESSAGE_ID, c->us[CE_MSG_ID]);
	k->tx_uint(k->ctx, tx, DF_RQ_CONTEXT_ID, m->ctx);
	if (ts_idx)
		dicom_str(k, tx, DF_RQ_TS, dicom_uids[ts_idx - 1].uid);
	request_fields(s, k, tx, c);
	k->tx_uint(k->ctx, tx, DF_RQ_DATA_SET, data);
}

static void cancel(struct dicom_state *s, const struct md_sink *k,
		   enum md_dir dir, const struct dicom_cmd *c,
		   const struct cmd_def *def)
{
	struct dicom_msg *m = &s->dir[dir].msg;
	struct dicom_op *op = op_by_id(s, c->us[CE_RSP_ID], dir);
	if (op) {
		m->tx = op->tx;
		m->kind = DICOM_KIND_CANCEL;
		dicom_str(k, m->tx, DF_COMMAND, def->name);
		k->tx_uint(k->ctx, m->tx, DF_CANCELLED, 1);
		return;
	}
	m->tx = dimse_tx(k, dir, def->name);
	m->kind = DICOM_KIND_RQ_ALONE;
	dicom_str(k, m->tx, DF_RQ_COMMAND, def->name);
	k->tx_uint(k->ctx, m->tx, DF_RQ_RESPONDED_ID, c->us[CE_RSP_ID]);
}

static void final_fields(struct dicom_state *s, const struct md_sink *k,
			 uint64_t tx, const struct dicom_cmd *c,
			 const struct dicom_op *op, const char *name)
{
	uint16_t st = c->us[CE_STATUS];
	uint16_t cmdf = op ? op->command : c->us[CE_FIELD];
	dicom_str(k, tx, DF_RSP_COMMAND, name);
	if (has(c, CE_RSP_ID))
		k->tx_uint(k->ctx, tx, DF_RSP_MESSAGE_ID, c->us[CE_RSP_ID]);
	if (has(c, CE_STATUS)) {
		k->tx_uint(k->ctx, tx, DF_STATUS, st);
		dicom_str(k, tx, DF_STATUS_CATEGORY, status_category(st));
		dicom_str(k, tx, DF_STATUS_MEANING, status_meaning(cmdf, st));
	}
	if (has(c, CE_ERR_COMMENT)) {
		struct md_span v = dicom_trim(c->str[CE_ERR_COMMENT], false);
		k->tx_str(k->ctx, tx, DF_ERROR_COMMENT, v.p, v.len);
	}
	if (has(c, CE_ERR_ID))
		k->tx_uint(k->ctx, tx, DF_ERROR_ID, c->us[CE_ERR_ID]);
	if (has(c, CE_AFF_INST) && (cmdf & 0x7FFF) == 0x0140)
		uid_field(s, k, tx, c->str[CE_AFF_INST], DF_RSP_SOP_INSTANCE,
			  DF_MAX);
	static const unsigned subops[4] = {DF_SUBOPS_REMAINING,
					   DF_SUBOPS_COMPLETED,
					   DF_SUBOPS_FAILED, DF_SUBOPS_WARNING};
	for (int i = 0; i < 4; i++)
		if (has(c, (enum cmd_el)(CE_REMAINING + i)))
			k->tx_uint(k->ctx, tx, subops[i],
				   c->us[CE_REMAINING + i]);
	k->tx_uint(k->ctx, tx, DF_RSP_COUNT, op ? op->responses : 1);
	if (op && counts_results(op->command))
		k->tx_uint(k->ctx, tx, DF_FIND_RESULTS, op->pending);
}

static void response(struct dicom_state *s, const struct md_sink *k,
		     enum md_dir dir, struct dicom_cmd *c,
		     const struct cmd_def *def)
{
	struct dicom_msg *m = &s->dir[dir].msg;
	uint16_t st = c->us[CE_STATUS];
	bool pending = has(c, CE_STATUS) && (st == 0xFF00 || st == 0xFF01);
	struct dicom_op *op = op_by_id(s, c->us[CE_RSP_ID], (enum md_dir) !dir);
	if (op && (op->command | DICOM_CMD_RSP_BIT) != def->field)
		op = NULL; /* a response of another service */
	if (op) {
		m->tx = op->tx;
		m->kind = DICOM_KIND_RSP;
		if (++op->responses == 1)
			dicom_str(k, m->tx, DF_COMMAND, def->name);
		op->pending += pending;
	} else {
		m->tx = dimse_tx(k, dir, def->name);
		m->kind = DICOM_KIND_RSP_ALONE;
		c->evs |= 1u << DICOM_EV_UNMATCHED_RESPONSE;
	}
	m->final = !pending;
	if (m->final)
		final_fields(s, k, m->tx, c, op, def->name);
}

/* ---- message assembly ------------------------------------------------- */

static void msg_reset(struct dicom_msg *m)
{
	uint8_t *cmd = m->cmd;
	uint32_t cap = m->cmd_cap;
	*m = (struct dicom_msg){.cmd = cmd, .cmd_cap = cap, .tx = MD_TX_NONE};
}

/* The message in direction dir is complete. */
static void msg_done(struct dicom_state *s, const struct md_sink *k,
		     enum md_dir dir)
{
	struct dicom_msg *m = &s->dir[dir].msg;
	uint64_t tx = m->tx;
	struct dicom_op *op = op_by_tx(s, tx);
	if (m->query && m->had_data)
		k->tx_uint(k->ctx, tx, DF_QUERY_WILDCARD, m->wildcard);
	switch (m->kind) {
	case DICOM_KIND_RQ:
		k->tx_progress(k->ctx, tx, dir, DICOM_PROGRESS_DONE);
		break;
	case DICOM_KIND_RQ_ALONE:
	case DICOM_KIND_RSP_ALONE:
		k->tx_progress(k->ctx, tx, MD_DIR_TOSERVER,
			       DICOM_PROGRESS_DONE);
		k->tx_progress(k->ctx, tx, MD_DIR_TOCLIENT,
			       DICOM_PROGRESS_DONE);
		break;
	case DICOM_KIND_RSP:
		if (m->final && op)
			op_close(s, k, op, false);
		break;
	default:
		break;
	}
	msg_reset(m);
}

static void raise_all(struct dicom_state *s, const struct md_sink *k,
		      uint64_t tx, uint32_t evs)
{
	for (unsigned ev = 0; ev < DICOM_EV_MAX; ev++)
		if ((evs >> ev) & 1)
			dicom_event(s, k, tx, ev);
}

/* The last command fragment arrived: decode and dispatch it. */
static void cmd_done(struct dicom_state *s, const struct md_sink *k,
		     enum md_dir dir)
{
	struct dicom_msg *m = &s->dir[dir].msg;
	struct dicom_cmd c;
	memset(&c, 0, sizeof(c));
	if (m->cmd_over) {
		msg_reset(m);
		return;
	}
	cmd_decode(m->cmd, m->cmd_len, &c);
	const struct cmd_def *def = cmd_find(c.us[CE_FIELD]);
	bool data = has(&c, CE_DSTYPE) && c.us[CE_DSTYPE] != DICOM_NO_DATA_SET;
	if (!has(&c, CE_FIELD))
		c.evs |= 1u << DICOM_EV_MISSING_COMMAND_ELEMENT;
	else if (!def)
		c.evs |= 1u << DICOM_EV_UNKNOWN_COMMAND;
	else if (def->field == DICOM_C_CANCEL_RQ)
		cancel(s, k, dir, &c, def);
	else if (def->field & DICOM_CMD_RSP_BIT)
		response(s, k, dir, &c, def);
	else
		request(s, k, dir, &c, def, data);
	if (def && (def->need & ~c.seen))
		c.evs |= 1u << DICOM_EV_MISSING_COMMAND_ELEMENT;
	raise_all(s, k, m->tx, c.evs);
	m->cmd_len = 0;
	if (!data) {
		msg_done(s, k, dir);
		return;
	}
	const struct dicom_pctx *pc = &s->pctx[m->ctx];
	m->st = DICOM_MSG_DATA;
	m->had_data = true;
	dicom_ds_start(&s->dir[dir].ds, pc->accepted ? pc->ts : DICOM_TS_NONE);
}

/* Append a command fragment, bounded by max_field. */
static void cmd_append(struct dicom_state *s, const struct md_sink *k,
		       struct dicom_msg *m, struct md_rd *r)
{
	uint32_t max = s->lim.max_field ? s->lim.max_field : 65536;
	size_t n = md_rd_left(r);
	if (!m->cmd_over && m->cmd_len + n > max) {
		dicom_event(s, k, MD_TX_NONE, DICOM_EV_COMMAND_SET_TOO_LARGE);
		m->cmd_over = true;
	}
	if (!m->cmd_over && m->cmd_len + n > m->cmd_cap) {
		uint32_t cap = m->cmd_cap ? m->cmd_cap : 256;
		while (cap < m->cmd_len + n)
			cap *= 2;
		if (cap > max)
			cap = max;
		uint8_t *nb = md_realloc(m->cmd, cap);
		if (nb) {
			m->cmd = nb;
			m->cmd_cap = cap;
		} else {
			m->cmd_over = true;
		}
	}
	if (m->cmd_over) {
		md_rd_skip(r, n);
		return;
	}
	while (md_rd_left(r))
		m->cmd[m->cmd_len++] = md_rd_u8(r);
}

void dicom_pdv_begin(struct dicom_state *s, const struct md_sink *k,
		     enum md_dir dir, uint8_t ctx, uint8_t flags)
{
	struct dicom_msg *m = &s->dir[dir].msg;
	bool bad = flags & ~(DICOM_PDV_COMMAND | DICOM_PDV_LAST);
	if (!(ctx & 1) || !s->pctx[ctx].accepted)
		dicom_event(s, k, MD_TX_NONE,
			    DICOM_EV_INVALID_PRESENTATION_CONTEXT);
	if ((flags & DICOM_PDV_COMMAND) && m->st == DICOM_MSG_DATA) {
		bad = true; /* the data set was cut short */
		dicom_ds_end(s, k, dir);
		msg_done(s, k, dir);
	}
	m->pdv_last = flags & DICOM_PDV_LAST;
	m->pdv = DICOM_PDV_IS_IGNORED;
	if (flags & DICOM_PDV_COMMAND) {
		if (m->st != DICOM_MSG_CMD) {
			m->st = DICOM_MSG_CMD;
			m->ctx = ctx;
			m->cmd_len = 0;
			m->cmd_over = false;
		}
		bad |= ctx != m->ctx;
		m->pdv = DICOM_PDV_IS_CMD;
	} else if (m->st == DICOM_MSG_DATA) {
		bad |= ctx != m->ctx;
		m->pdv = DICOM_PDV_IS_DATA;
	} else {
		bad = true; /* a data set without its command */
	}
	if (bad)
		dicom_event(s, k, m->tx, DICOM_EV_INVALID_PDV);
}

void dicom_pdv_data(struct dicom_state *s, const struct md_sink *k,
		    enum md_dir dir, struct md_rd *r)
{
	struct dicom_msg *m = &s->dir[dir].msg;
	if (m->pdv == DICOM_PDV_IS_CMD)
		cmd_append(s, k, m, r);
	else if (m->pdv == DICOM_PDV_IS_DATA)
		dicom_ds_feed(s, k, dir, r);
	else
		md_rd_skip(r, md_rd_left(r));
}

void dicom_pdv_end(struct dicom_state *s, const struct md_sink *k,
		   enum md_dir dir)
{
	struct dicom_msg *m = &s->dir[dir].msg;
	if (m->pdv == DICOM_PDV_IS_CMD && m->pdv_last) {
		cmd_done(s, k, dir);
	} else if (m->pdv == DICOM_PDV_IS_DATA && m->pdv_last) {
		dicom_ds_end(s, k, dir);
		msg_done(s, k, dir);
	}
	m->pdv = DICOM_PDV_IS_IGNORED;
}

void dicom_msg_lost(struct dicom_state *s, enum md_dir dir, bool abandon)
{
	struct dicom_msg *m = &s->dir[dir].msg;
	if (m->st == DICOM_MSG_DATA) {
		s->dir[dir].ds.bad = true;
		s->dir[dir].ds.stop = true;
	}
	if (abandon) /* the next PDV starts a new message */
		msg_reset(m);
	else if (m->st == DICOM_MSG_CMD)
		m->cmd_over = true; /* dropped at its last fragment */
}
