/* applayer-tx.c - transaction value store (see applayer-tx.h). */
#include "applayer-tx.h"

#include <string.h>

#include "md-parser.h"

struct md_tx *md_tx_new(struct md_memcap *mc, uint64_t id, uint8_t dir)
{
	if (!md_memcap_try(mc, sizeof(struct md_tx)))
		return NULL;
	struct md_tx *tx = md_calloc(1, sizeof(*tx));
	if (!tx) {
		md_memcap_release(mc, sizeof(struct md_tx));
		return NULL;
	}
	tx->id = id;
	tx->dir = dir;
	tx->mem = sizeof(*tx);
	return tx;
}

struct md_tx_blk {
	struct md_tx_blk *next;
	size_t size;
	_Alignas(8) uint8_t data[];
};

/* sz bytes (8-aligned) from the transaction's current block, or a new
 * block charged to the memcap. */
static void *carve(struct md_memcap *mc, struct md_tx *tx, size_t sz)
{
	sz = (sz + 7) & ~(size_t)7;
	if (!tx->blk || tx->blk_cap - tx->blk_used < sz) {
		size_t cap = sz > MD_TX_BLOCK ? sz : MD_TX_BLOCK;
		size_t total = sizeof(struct md_tx_blk) + cap;
		if (!md_memcap_try(mc, total))
			return NULL;
		struct md_tx_blk *b = md_malloc(total);
		if (!b) {
			md_memcap_release(mc, total);
			return NULL;
		}
		b->next = tx->blk;
		b->size = total;
		tx->blk = b;
		tx->blk_used = 0;
		tx->blk_cap = cap;
		tx->mem += total;
	}
	void *p = tx->blk->data + tx->blk_used;
	tx->blk_used += sz;
	return p;
}

static struct md_tx_val *val_new(struct md_memcap *mc, struct md_tx *tx,
				 size_t extra)
{
	struct md_tx_val *v = carve(mc, tx, sizeof(struct md_tx_val) + extra);
	if (!v)
		return NULL;
	memset(v, 0, sizeof(*v));
	if (tx->tail)
		tx->tail->next = v;
	else
		tx->vals = v;
	tx->tail = v;
	tx->n_vals++;
	return v;
}

int md_tx_add_arg(struct md_memcap *mc, struct md_tx *tx, uint16_t field,
		  const char *arg, const uint8_t *p, uint32_t len)
{
	size_t alen = strlen(arg);
	if (alen > UINT16_MAX)
		return MD_E_LIMIT;
	struct md_tx_val *v = val_new(mc, tx, alen + len);
	if (!v)
		return MD_E_LIMIT;
	v->field = field;
	v->arglen = (uint16_t)alen;
	v->len = len;
	memcpy(v->bytes, arg, alen);
	if (len)
		memcpy(v->bytes + alen, p, len);
	return 0;
}

int md_tx_add(struct md_memcap *mc, struct md_tx *tx, uint16_t field,
	      bool is_group, const uint8_t *p, uint32_t len, uint64_t u)
{
	struct md_tx_val *v = val_new(mc, tx, len);
	if (!v)
		return MD_E_LIMIT;
	v->field = field;
	v->is_group = is_group;
	v->len = len;
	v->u = u;
	if (len)
		memcpy(v->bytes, p, len);
	return 0;
}

void md_tx_free(struct md_memcap *mc, struct md_tx *tx)
{
	if (!tx)
		return;
	struct md_tx_blk *b = tx->blk;
	while (b) {
		struct md_tx_blk *n = b->next;
		md_free(b);
		b = n;
	}
	md_memcap_release(mc, tx->mem);
	md_free(tx);
}
