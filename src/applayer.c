/* applayer.c - app-layer dispatch (see applayer.h).
 *
 *   stream --data(dir)--> [probe buffers + wire-ordered chunk list]
 *                              | a probe says YES
 *                              v
 *                         replay chunks --> parse() --> sink --> tx store
 *                                            | leftover kept per dir
 */
#include "applayer.h"

#include <string.h>

#include "detect.h"
#include "registry.h"

struct chunk {
	struct chunk *next;
	uint8_t dir;
	uint32_t len;
	uint8_t data[];
};

enum { PROBE_OPEN = 0, PROBE_NO = 1 };

struct app_flow {
	const struct md_parser *parser;
	void *state;
	bool failed;
	bool bad[2], eof[2];
	uint8_t probe[2];
	uint8_t *pbuf[2]; /* first bytes of each direction, for probing */
	uint32_t plen[2];
	struct chunk *chunks, *chunks_tail;
	uint64_t chunk_bytes;
	uint64_t skipped[2]; /* bytes of a NO direction not kept */
	uint8_t *buf[2];     /* bytes the parser left unconsumed */
	uint32_t blen[2], bcap[2];
	struct md_tx *txs, *txs_tail;
	uint64_t next_tx;
	uint32_t open_tx;
	uint64_t mem;
};

/* Context of one sink call. */
struct sink_ctx {
	struct md_applayer_ctx *ctx;
	struct md_flow *f;
	struct app_flow *af;
};

static const char *const app_event_names[MD_APP_EV_MAX] = {
    "buffer_limit", "too_many_transactions", "tx_memcap", "parser_error"};

const char *md_applayer_event_name(unsigned ev)
{
	return ev < MD_APP_EV_MAX ? app_event_names[ev] : "unknown";
}

void md_applayer_cfg_defaults(struct md_applayer_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->lim.max_buffer = 1u << 20;
	cfg->lim.max_pdu = 16u << 20;
	cfg->lim.max_items = 256;
	cfg->lim.max_field = 65536;
	cfg->lim.max_tx = 256;
	cfg->lim.max_log_values = 100;
	cfg->probe_max = 4096;
	cfg->buf_memcap = 64ull << 20;
	cfg->tx_memcap = 64ull << 20;
}

int md_applayer_init(struct md_applayer_ctx *ctx,
		     const struct md_applayer_cfg *cfg, struct md_counters *ctr,
		     const struct md_applayer_ops *ops, void *user)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->cfg = *cfg;
	ctx->buf_mc.cap = cfg->buf_memcap;
	ctx->tx_mc.cap = cfg->tx_memcap;
	ctx->ctr = ctr;
	ctx->ops = *ops;
	ctx->user = user;
	return 0;
}

const struct md_parser *md_applayer_parser(const struct md_flow *f)
{
	return f->app_id ? md_registry_get(f->app_id - 1u) : NULL;
}

const char *md_applayer_proto(const struct md_flow *f)
{
	const struct md_parser *pp = md_applayer_parser(f);
	if (pp)
		return pp->name;
	return f->app_failed ? "failed" : NULL;
}

static void engine_event(struct md_applayer_ctx *ctx, struct md_flow *f,
			 uint64_t tx, unsigned ev)
{
	if (ctx->ops.event)
		ctx->ops.event(ctx->user, f, NULL, tx, ev);
}

/* ---- memory ---------------------------------------------------------- */

static bool buf_charge(struct md_applayer_ctx *ctx, struct app_flow *af,
		       uint64_t n)
{
	if (!md_memcap_try(&ctx->buf_mc, n)) {
		MD_INC(ctx->ctr, APP_BUF_MEMCAP);
		return false;
	}
	af->mem += n;
	MD_SET(ctx->ctr, APP_BUF_MEMUSE, ctx->buf_mc.used);
	return true;
}

static void buf_uncharge(struct md_applayer_ctx *ctx, struct app_flow *af,
			 uint64_t n)
{
	md_memcap_release(&ctx->buf_mc, n);
	af->mem -= n < af->mem ? n : af->mem;
	MD_SET(ctx->ctr, APP_BUF_MEMUSE, ctx->buf_mc.used);
}

static void free_chunks(struct md_applayer_ctx *ctx, struct app_flow *af)
{
	struct chunk *c = af->chunks;
	while (c) {
		struct chunk *n = c->next;
		buf_uncharge(ctx, af, sizeof(*c) + c->len);
		md_free(c);
		c = n;
	}
	af->chunks = af->chunks_tail = NULL;
	af->chunk_bytes = 0;
	for (int d = 0; d < 2; d++) {
		buf_uncharge(ctx, af, af->plen[d]);
		md_free(af->pbuf[d]);
		af->pbuf[d] = NULL;
		af->plen[d] = 0;
	}
}

/* ---- transactions (the sink) ------------------------------------------ */

static struct md_tx *tx_find(struct app_flow *af, uint64_t id)
{
	for (struct md_tx *tx = af->txs; tx; tx = tx->next)
		if (tx->id == id)
			return tx;
	return NULL;
}

static void tx_unlink(struct app_flow *af, struct md_tx *tx)
{
	struct md_tx **pp = &af->txs, *prev = NULL;
	while (*pp && *pp != tx) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (!*pp)
		return;
	*pp = tx->next;
	if (af->txs_tail == tx)
		af->txs_tail = prev;
	af->open_tx--;
}

/* The parser whose tables tx uses: the flow's, or the protocol a
 * tx_new_as() named. */
static const struct md_parser *tx_parser(const struct md_tx *tx)
{
	return md_registry_get(tx->pid);
}

static void tx_finish(struct md_applayer_ctx *ctx, struct md_flow *f,
		      struct app_flow *af, struct md_tx *tx)
{
	tx_unlink(af, tx);
	if (ctx->ops.tx_done)
		ctx->ops.tx_done(ctx->user, f, tx_parser(tx), tx);
	md_tx_free(&ctx->tx_mc, tx);
}

/* Event `id` of the transaction's protocol, or of the flow's parser when
 * there is no transaction. */
static void sink_event(void *vc, uint64_t txid, unsigned id)
{
	struct sink_ctx *sc = vc;
	struct md_tx *tx = txid == MD_TX_NONE ? NULL : tx_find(sc->af, txid);
	const struct md_parser *pp = tx ? tx_parser(tx) : sc->af->parser;
	if (id >= pp->n_events)
		return;
	if (tx && tx->n_events < MD_TX_MAX_EVENTS)
		tx->events[tx->n_events++] = (uint16_t)id;
	if (sc->ctx->ops.event)
		sc->ctx->ops.event(sc->ctx->user, sc->f, pp, txid, id);
}

static uint64_t tx_open(struct sink_ctx *sc, enum md_dir dir, unsigned pid)
{
	struct app_flow *af = sc->af;
	if (af->open_tx >= sc->ctx->cfg.lim.max_tx) {
		engine_event(sc->ctx, sc->f, MD_TX_NONE, MD_APP_EV_TOO_MANY_TX);
		return MD_TX_NONE;
	}
	struct md_tx *tx =
	    md_tx_new(&sc->ctx->tx_mc, af->next_tx, (uint8_t)dir);
	if (!tx) {
		MD_INC(sc->ctx->ctr, APP_TX_MEMCAP);
		engine_event(sc->ctx, sc->f, MD_TX_NONE, MD_APP_EV_TX_MEMCAP);
		return MD_TX_NONE;
	}
	if (af->txs_tail)
		af->txs_tail->next = tx;
	else
		af->txs = tx;
	af->txs_tail = tx;
	af->open_tx++;
	tx->pid = (uint8_t)pid;
	return af->next_tx++;
}

static uint64_t sink_tx_new(void *vc, enum md_dir dir)
{
	struct sink_ctx *sc = vc;
	return tx_open(sc, dir, sc->f->app_id - 1u);
}

static uint64_t sink_tx_new_as(void *vc, enum md_dir dir, const char *proto)
{
	struct sink_ctx *sc = vc;
	int id = proto ? md_registry_find(proto) : -1;
	if (id < 0 || (id < 32 && (sc->ctx->cfg.disabled & (1u << id))))
		return MD_TX_NONE;
	return tx_open(sc, dir, (unsigned)id);
}

static bool wanted(const struct sink_ctx *sc, unsigned pid, unsigned field,
		   const char *arg)
{
	const struct md_field_use *u = pid < 32 ? sc->ctx->use[pid] : NULL;
	if (!u || field >= md_registry_get(pid)->n_fields)
		return true;
	u += field;
	if (!u->used)
		return false;
	if (!arg || u->all_args)
		return true;
	for (size_t i = 0; i < u->nargs; i++)
		if (!strcmp(u->args[i], arg))
			return true;
	return false;
}

static bool sink_wants(void *vc, unsigned field, const char *arg)
{
	const struct sink_ctx *sc = vc;
	return wanted(sc, sc->f->app_id - 1u, field, arg);
}

static void tx_value(struct sink_ctx *sc, uint64_t txid, unsigned field,
		     bool group, const uint8_t *p, size_t len, uint64_t u)
{
	struct md_tx *tx = txid == MD_TX_NONE ? NULL : tx_find(sc->af, txid);
	if (!tx || field >= tx_parser(tx)->n_fields ||
	    !wanted(sc, tx->pid, field, NULL))
		return;
	if (len > sc->ctx->cfg.lim.max_field)
		len = sc->ctx->cfg.lim.max_field;
	if (md_tx_add(&sc->ctx->tx_mc, tx, (uint16_t)field, group, p,
		      (uint32_t)len, u)) {
		MD_INC(sc->ctx->ctr, APP_TX_MEMCAP);
		engine_event(sc->ctx, sc->f, txid, MD_APP_EV_TX_MEMCAP);
	}
}

static void sink_tx_str(void *vc, uint64_t tx, unsigned field, const uint8_t *p,
			size_t len)
{
	tx_value(vc, tx, field, false, p, len, 0);
}

static void sink_tx_uint(void *vc, uint64_t tx, unsigned field, uint64_t v)
{
	tx_value(vc, tx, field, false, NULL, 0, v);
}

static void sink_tx_arg(void *vc, uint64_t txid, unsigned field,
			const char *arg, const uint8_t *p, size_t len)
{
	struct sink_ctx *sc = vc;
	struct md_tx *tx = txid == MD_TX_NONE ? NULL : tx_find(sc->af, txid);
	if (!tx || field >= tx_parser(tx)->n_fields || !arg ||
	    !wanted(sc, tx->pid, field, arg))
		return;
	if (len > sc->ctx->cfg.lim.max_field)
		len = sc->ctx->cfg.lim.max_field;
	if (md_tx_add_arg(&sc->ctx->tx_mc, tx, (uint16_t)field, arg, p,
			  (uint32_t)len)) {
		MD_INC(sc->ctx->ctr, APP_TX_MEMCAP);
		engine_event(sc->ctx, sc->f, txid, MD_APP_EV_TX_MEMCAP);
	}
}

static void sink_tx_group(void *vc, uint64_t tx, unsigned field)
{
	tx_value(vc, tx, field, true, NULL, 0, 0);
}

static void sink_tx_progress(void *vc, uint64_t txid, enum md_dir dir,
			     unsigned progress)
{
	struct sink_ctx *sc = vc;
	struct md_tx *tx = txid == MD_TX_NONE ? NULL : tx_find(sc->af, txid);
	if (!tx || dir > MD_DIR_TOCLIENT)
		return;
	if (progress <= tx->progress[dir])
		return;
	tx->progress[dir] = (uint8_t)(progress > 255 ? 255 : progress);
	unsigned done = tx_parser(tx)->tx_done_progress;
	if (tx->progress[0] >= done && tx->progress[1] >= done) {
		tx->complete = true;
		tx_finish(sc->ctx, sc->f, sc->af, tx);
	} else if (sc->ctx->ops.tx_update) {
		sc->ctx->ops.tx_update(sc->ctx->user, sc->f, tx_parser(tx), tx);
	}
}

/* A sink followed by zeroed slots: a plugin built for a newer ABI minor
 * reads the members this medids lacks as NULL (md-plugin.h). */
struct sink_pad {
	struct md_sink s;
	void (*reserved[16])(void);
};

static struct sink_pad make_sink(struct sink_ctx *sc)
{
	struct sink_pad p = {0};
	p.s = (struct md_sink){
	    .ctx = sc,
	    .event = sink_event,
	    .tx_new = sink_tx_new,
	    .tx_str = sink_tx_str,
	    .tx_uint = sink_tx_uint,
	    .tx_arg = sink_tx_arg,
	    .tx_group = sink_tx_group,
	    .tx_progress = sink_tx_progress,
	    .wants = sink_wants,
	    .tx_new_as = sink_tx_new_as,
	};
	return p;
}

/* ---- feeding a parser ------------------------------------------------- */

static void mark_bad(struct md_applayer_ctx *ctx, struct md_flow *f,
		     struct app_flow *af, int dir, unsigned ev)
{
	af->bad[dir] = true;
	MD_INC(ctx->ctr, APP_ERRORS);
	engine_event(ctx, f, MD_TX_NONE, ev);
	buf_uncharge(ctx, af, af->bcap[dir]);
	md_free(af->buf[dir]);
	af->buf[dir] = NULL;
	af->blen[dir] = af->bcap[dir] = 0;
}

/* Run parse() over p until it needs more; returns bytes consumed. */
static uint32_t run_parser(struct md_applayer_ctx *ctx, struct md_flow *f,
			   struct app_flow *af, int dir, const uint8_t *p,
			   uint32_t len)
{
	struct sink_ctx sc = {ctx, f, af};
	struct sink_pad sink = make_sink(&sc);
	uint32_t off = 0;

	while (off < len && !af->bad[dir]) {
		size_t used = 0;
		enum md_parse_rc rc =
		    af->parser->parse(af->state, (enum md_dir)dir, p + off,
				      len - off, &used, &sink.s);
		if (used > len - off)
			used = len - off;
		off += (uint32_t)used;
		if (rc == MD_PARSE_BAD) {
			mark_bad(ctx, f, af, dir, MD_APP_EV_PARSER_ERROR);
			break;
		}
		if (rc == MD_PARSE_MORE || used == 0)
			break;
	}
	return off;
}

/* Keep bytes the parser did not consume, bounded by max_buffer. */
static bool keep(struct md_applayer_ctx *ctx, struct app_flow *af, int dir,
		 const uint8_t *p, uint32_t len)
{
	uint64_t need = (uint64_t)af->blen[dir] + len;
	if (need > ctx->cfg.lim.max_buffer)
		return false;
	if (need > af->bcap[dir]) {
		uint32_t cap = af->bcap[dir] ? af->bcap[dir] : 4096;
		while (cap < need)
			cap *= 2;
		if (cap > ctx->cfg.lim.max_buffer)
			cap = ctx->cfg.lim.max_buffer;
		if (!buf_charge(ctx, af, cap - af->bcap[dir]))
			return false;
		uint8_t *nb = md_realloc(af->buf[dir], cap);
		if (!nb) {
			buf_uncharge(ctx, af, cap - af->bcap[dir]);
			return false;
		}
		af->buf[dir] = nb;
		af->bcap[dir] = cap;
	}
	memcpy(af->buf[dir] + af->blen[dir], p, len);
	af->blen[dir] += len;
	return true;
}

static void feed(struct md_applayer_ctx *ctx, struct md_flow *f,
		 struct app_flow *af, int dir, const uint8_t *p, uint32_t len)
{
	if (af->bad[dir] || !len)
		return;
	if (af->blen[dir] == 0) {
		uint32_t used = run_parser(ctx, f, af, dir, p, len);
		if (used < len && !af->bad[dir] &&
		    !keep(ctx, af, dir, p + used, len - used))
			mark_bad(ctx, f, af, dir, MD_APP_EV_BUFFER_LIMIT);
		return;
	}
	if (!keep(ctx, af, dir, p, len)) {
		mark_bad(ctx, f, af, dir, MD_APP_EV_BUFFER_LIMIT);
		return;
	}
	uint32_t used =
	    run_parser(ctx, f, af, dir, af->buf[dir], af->blen[dir]);
	if (af->bad[dir])
		return;
	memmove(af->buf[dir], af->buf[dir] + used, af->blen[dir] - used);
	af->blen[dir] -= used;
}

/* ---- probing ------------------------------------------------------------ */

static bool port_hint(const struct md_parser *pp, const struct md_flow *f)
{
	if (!pp->ports)
		return false;
	for (const uint16_t *q = pp->ports; *q; q++)
		if (*q == f->key.bp || *q == f->key.ap)
			return true;
	return false;
}

/* Probe len bytes of direction dir with every parser. Returns the chosen
 * parser id, -1 while undecided, -2 when every parser said no. */
static int probe_buf(const struct md_applayer_ctx *ctx, const struct md_flow *f,
		     const uint8_t *buf, uint32_t len, int dir, bool final)
{
	size_t n = md_registry_count();
	bool more = false;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			const struct md_parser *pp = md_registry_get(i);
			if (pp->ipproto != f->key.proto ||
			    (i < 32 && (ctx->cfg.disabled & (1u << i))) ||
			    port_hint(pp, f) != (pass == 0))
				continue;
			enum md_probe_rc rc =
			    pp->probe(buf, len, (enum md_dir)dir);
			if (rc == MD_PROBE_YES)
				return (int)i;
			if (rc == MD_PROBE_NEED_MORE)
				more = true;
		}
	return more && !final ? -1 : -2;
}

static int probe_dir(const struct md_applayer_ctx *ctx, const struct md_flow *f,
		     struct app_flow *af, int dir, bool final)
{
	return probe_buf(ctx, f, af->pbuf[dir], af->plen[dir], dir, final);
}

static void select_parser(struct md_applayer_ctx *ctx, struct md_flow *f,
			  struct app_flow *af, int id)
{
	const struct md_parser *pp = md_registry_get((size_t)id);
	af->state = pp->state_size ? md_calloc(1, pp->state_size) : NULL;
	if ((pp->state_size && !af->state) ||
	    (pp->init && pp->init(af->state, &ctx->cfg.lim) != 0)) {
		md_free(af->state);
		af->state = NULL;
		af->failed = true;
		MD_INC(ctx->ctr, APP_ERRORS);
		free_chunks(ctx, af);
		return;
	}
	af->parser = pp;
	f->app_id = (uint16_t)(id + 1);
	struct chunk *c = af->chunks;
	af->chunks = af->chunks_tail = NULL;
	while (c) {
		struct chunk *next = c->next;
		feed(ctx, f, af, c->dir, c->data, c->len);
		buf_uncharge(ctx, af, sizeof(*c) + c->len);
		md_free(c);
		c = next;
	}
	free_chunks(ctx, af);
	for (int d = 0; d < 2; d++)
		if (af->skipped[d] && pp->gap && !af->bad[d]) {
			struct sink_ctx sc = {ctx, f, af};
			struct sink_pad sink = make_sink(&sc);
			pp->gap(af->state, (enum md_dir)d, af->skipped[d],
				&sink.s);
		} else if (af->skipped[d]) {
			af->bad[d] = true;
		}
	for (int d = 0; d < 2; d++)
		if (af->eof[d] && pp->eof) {
			struct sink_ctx sc = {ctx, f, af};
			struct sink_pad sink = make_sink(&sc);
			pp->eof(af->state, (enum md_dir)d, &sink.s);
		}
}

static void set_failed(struct md_applayer_ctx *ctx, struct md_flow *f,
		       struct app_flow *af)
{
	af->failed = true;
	f->app_failed = true;
	if (f->key.proto == 6)
		MD_INC(ctx->ctr, APP_FLOW_FAILED_TCP);
	else
		MD_INC(ctx->ctr, APP_FLOW_FAILED_UDP);
	free_chunks(ctx, af);
}

/* Decide, if possible, after new bytes or an eof in direction dir. */
static void decide(struct md_applayer_ctx *ctx, struct md_flow *f,
		   struct app_flow *af)
{
	for (int d = 0; d < 2; d++) {
		if (af->probe[d] != PROBE_OPEN || !af->plen[d])
			continue;
		bool final = af->eof[d] || af->plen[d] >= ctx->cfg.probe_max;
		int r = probe_dir(ctx, f, af, d, final);
		if (r >= 0) {
			select_parser(ctx, f, af, r);
			return;
		}
		if (r == -2)
			af->probe[d] = PROBE_NO;
	}
	bool no0 = af->probe[0] == PROBE_NO || (af->eof[0] && !af->plen[0]);
	bool no1 = af->probe[1] == PROBE_NO || (af->eof[1] && !af->plen[1]);
	if (no0 && no1 && (af->plen[0] || af->plen[1]))
		set_failed(ctx, f, af);
}

/* Keep new bytes for probing and for replay once a parser is chosen.
 * Returns false when the probe budget (2 x probe_max) or memcap is spent. */
static bool stash(struct md_applayer_ctx *ctx, struct app_flow *af, int dir,
		  const uint8_t *p, uint32_t len)
{
	uint32_t max = ctx->cfg.probe_max;
	if (af->probe[dir] == PROBE_NO) {
		/* No parser wants this direction's start: keep nothing more of
		 * it; a parser chosen later by the other side gets a gap. */
		af->skipped[dir] += len;
		return true;
	}
	if (af->chunk_bytes + (uint64_t)len > 2ull * max)
		return false;
	uint32_t n = max - af->plen[dir];
	n = n < len ? n : len;
	if (n) {
		if (!buf_charge(ctx, af, n))
			return false;
		uint8_t *nb = md_realloc(af->pbuf[dir], af->plen[dir] + n);
		if (!nb) {
			buf_uncharge(ctx, af, n);
			return false;
		}
		af->pbuf[dir] = nb;
		memcpy(nb + af->plen[dir], p, n);
		af->plen[dir] += n;
	}
	if (!buf_charge(ctx, af, sizeof(struct chunk) + len))
		return false;
	struct chunk *c = md_malloc(sizeof(*c) + len);
	if (!c) {
		buf_uncharge(ctx, af, sizeof(struct chunk) + len);
		return false;
	}
	c->next = NULL;
	c->dir = (uint8_t)dir;
	c->len = len;
	memcpy(c->data, p, len);
	if (af->chunks_tail)
		af->chunks_tail->next = c;
	else
		af->chunks = c;
	af->chunks_tail = c;
	af->chunk_bytes += len;
	return true;
}

/* ---- entry points -------------------------------------------------------- */

static struct app_flow *app_of(struct md_applayer_ctx *ctx, struct md_flow *f)
{
	if (f->app)
		return f->app;
	if (!md_memcap_try(&ctx->buf_mc, sizeof(struct app_flow))) {
		MD_INC(ctx->ctr, APP_BUF_MEMCAP);
		return NULL;
	}
	struct app_flow *af = md_calloc(1, sizeof(*af));
	if (!af) {
		md_memcap_release(&ctx->buf_mc, sizeof(struct app_flow));
		return NULL;
	}
	f->app = af;
	return af;
}

void md_applayer_data(struct md_applayer_ctx *ctx, struct md_flow *f, int dir,
		      const uint8_t *p, uint32_t len)
{
	struct app_flow *af = app_of(ctx, f);
	if (!af || !len || af->failed)
		return;
	if (af->parser) {
		feed(ctx, f, af, dir, p, len);
		return;
	}
	/* Nothing kept yet: a probe that says yes on these bytes needs no
	 * copy (the common case: the client speaks first). */
	if (!af->chunks && af->probe[dir] == PROBE_OPEN) {
		int r =
		    probe_buf(ctx, f, p, len, dir, len >= ctx->cfg.probe_max);
		if (r >= 0) {
			select_parser(ctx, f, af, r);
			if (af->parser)
				feed(ctx, f, af, dir, p, len);
			return;
		}
	}
	if (!stash(ctx, af, dir, p, len)) {
		set_failed(ctx, f, af);
		return;
	}
	decide(ctx, f, af);
}

void md_applayer_gap(struct md_applayer_ctx *ctx, struct md_flow *f, int dir,
		     uint64_t len)
{
	struct app_flow *af = app_of(ctx, f);
	MD_ADD(ctx->ctr, APP_GAP_BYTES, len);
	if (!af || af->failed)
		return;
	if (!af->parser) {
		/* Bytes missing before a parser was chosen: give up probing. */
		if (af->plen[0] || af->plen[1])
			set_failed(ctx, f, af);
		else
			af->probe[dir] = PROBE_NO;
		return;
	}
	if (af->bad[dir])
		return;
	buf_uncharge(ctx, af, af->bcap[dir]);
	md_free(af->buf[dir]);
	af->buf[dir] = NULL;
	af->blen[dir] = af->bcap[dir] = 0;
	if (!af->parser->gap) {
		af->bad[dir] = true;
		return;
	}
	struct sink_ctx sc = {ctx, f, af};
	struct sink_pad sink = make_sink(&sc);
	af->parser->gap(af->state, (enum md_dir)dir, len, &sink.s);
}

void md_applayer_eof(struct md_applayer_ctx *ctx, struct md_flow *f, int dir)
{
	struct app_flow *af = f->app;
	if (!af || af->eof[dir])
		return;
	af->eof[dir] = true;
	if (af->failed)
		return;
	if (!af->parser) {
		decide(ctx, f, af);
		return;
	}
	if (af->parser->eof && !af->bad[dir]) {
		struct sink_ctx sc = {ctx, f, af};
		struct sink_pad sink = make_sink(&sc);
		af->parser->eof(af->state, (enum md_dir)dir, &sink.s);
	}
}

void md_applayer_flow_end(struct md_applayer_ctx *ctx, struct md_flow *f)
{
	struct app_flow *af = f->app;
	if (!af)
		return;
	if (!af->parser && !af->failed && (af->plen[0] || af->plen[1])) {
		af->eof[0] = af->eof[1] = true;
		decide(ctx, f, af);
		if (!af->parser && !af->failed)
			set_failed(ctx, f, af);
	}
	while (af->txs)
		tx_finish(ctx, f, af, af->txs);
	if (af->parser && af->parser->fini && af->state)
		af->parser->fini(af->state);
	md_free(af->state);
	free_chunks(ctx, af);
	for (int d = 0; d < 2; d++) {
		buf_uncharge(ctx, af, af->bcap[d]);
		md_free(af->buf[d]);
	}
	md_memcap_release(&ctx->buf_mc, sizeof(struct app_flow));
	MD_SET(ctx->ctr, APP_BUF_MEMUSE, ctx->buf_mc.used);
	/* Keep the verdict for the flow record: parser name or failed. */
	f->app_failed = af->failed;
	md_free(af);
	f->app = NULL;
}
