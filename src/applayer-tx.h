/* applayer-tx.h - transactions: what a parser reported, kept until logged.
 *
 * Values are carved from blocks owned by the transaction (one allocation
 * per few dozen values), all freed with it.
 * A transaction holds its values in report order (a group marker starts a
 * new object of an array-of-objects field), its progress per direction and
 * the events raised on it. Values are copies; their bytes are charged to
 * the app-layer transaction memcap.
 */
#ifndef MD_APPLAYER_TX_H
#define MD_APPLAYER_TX_H

#include <stdbool.h>
#include <stdint.h>

#include "mem.h"

#define MD_TX_MAX_EVENTS 16

struct md_tx_val {
	struct md_tx_val *next;
	uint16_t field;
	bool is_group;	 /* marker starting a new element of group `field` */
	uint16_t arglen; /* MD_FF_ARG: bytes[0..arglen) is the argument */
	uint32_t len;	 /* value bytes, after the argument */
	uint64_t u;	 /* value of uint/bool fields */
	uint8_t bytes[];
};

struct md_tx {
	struct md_tx *next;
	uint64_t id;
	uint8_t dir; /* direction that opened it */
	uint8_t pid; /* parser id whose tables the tx uses */
	uint8_t progress[2];
	bool complete;
	struct md_tx_val *vals, *tail;
	uint32_t n_vals;
	uint16_t events[MD_TX_MAX_EVENTS];
	uint8_t n_events;
	uint64_t mem; /* bytes charged */
	/* values live in blocks of at least MD_TX_BLOCK bytes */
	struct md_tx_blk *blk;
	size_t blk_used, blk_cap;
};

#define MD_TX_BLOCK 4096

/* New transaction (md_free'd by md_tx_free). NULL when out of memory or
 * over the memcap (counted by the caller). */
struct md_tx *md_tx_new(struct md_memcap *mc, uint64_t id, uint8_t dir);
/* Append a value; returns 0, or MD_E_NOMEM / MD_E_LIMIT. */
int md_tx_add(struct md_memcap *mc, struct md_tx *tx, uint16_t field,
	      bool is_group, const uint8_t *p, uint32_t len, uint64_t u);
/* Append a value with an argument (MD_FF_ARG fields). */
int md_tx_add_arg(struct md_memcap *mc, struct md_tx *tx, uint16_t field,
		  const char *arg, const uint8_t *p, uint32_t len);
/* The value bytes of v (after its argument). */
static inline const uint8_t *md_tx_val_bytes(const struct md_tx_val *v)
{
	return v->bytes + v->arglen;
}
/* Release tx and its values. NULL is a no-op. */
void md_tx_free(struct md_memcap *mc, struct md_tx *tx);

#endif
