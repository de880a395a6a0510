/* inventory.h - the passive asset inventory: medical devices learnt from
 * what the protocol parsers report (doc/inventory.md).
 *
 * One engine-wide table shared by every worker (a mutex), fed from each
 * completed transaction. Attributes are found by protocol and field NAME
 * (inventory-extract.c), so parsers can add or renumber fields freely; a
 * name a parser lacks simply yields nothing.
 *
 *   tx_done(flow, parser, tx) -> md_inventory_tx -> device records
 *        -> EVE "inventory" records (new / changed / gone / vulnerable)
 *        -> synthetic "device" transactions for the rules (device.*)
 *   exit, SIGUSR1 -> inventory.json;  exit -> state file (restarts)
 *
 * Bounds: inventory.max-devices devices (further ones are counted as
 * dropped, never stored), 8 addresses, 4 MAC addresses, 16 peers, 8 ports,
 * 8 advisories per device, attribute values of 128 bytes; the flow map that
 * ties later transactions of a DICOM association to its devices holds 4096
 * flows (an evicted flow only loses that link).
 */
#ifndef MD_INVENTORY_H
#define MD_INVENTORY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "applayer-tx.h"
#include "eve.h"
#include "flow.h"
#include "md-parser.h"
#include "packet.h"

struct md_field_use;

struct md_inventory_cfg {
	bool enabled;
	uint32_t gone_after;	/* seconds of packet time without traffic */
	uint32_t max_devices;	/* devices kept; more are counted as dropped */
	char state_file[512];	/* relative to the log dir; "" = no state */
	char snapshot[256];	/* inventory.json, relative to the log dir */
	char advisories[512];	/* relative to the rule dir; "" = none */
	char implementers[512]; /* relative to the rule dir; "" = none */
};

/* Documented defaults (medids.yaml `inventory:`). */
void md_inventory_cfg_defaults(struct md_inventory_cfg *cfg);

struct md_inventory;

/* At most this many lifecycle events (hence synthetic transactions) come
 * out of one call; further ones are still logged, not matched by rules. */
#define MD_INV_MAX_EMIT 8

/* Synthetic "device" transactions built for the rules: the caller runs
 * detection on each with the flow given, then md_inventory_emit_free. */
struct md_inv_emit {
	struct md_tx *tx[MD_INV_MAX_EMIT];
	unsigned n;
};

/* Create the inventory: reads the implementers table and the advisories
 * (paths relative to rule_dir), loads the state file (relative to
 * log_dir). Events go to eve (borrowed). Returns 0, or MD_E_* with a
 * message in err; a missing state file is not an error. */
int md_inventory_new(struct md_inventory **out,
		     const struct md_inventory_cfg *cfg, const char *log_dir,
		     const char *rule_dir, struct md_eve *eve, char *err,
		     size_t errlen);
/* Free everything (no file written); NULL is a no-op. */
void md_inventory_free(struct md_inventory *inv);

/* Mark in u[0..pp->n_fields) the fields of parser pp the inventory reads,
 * so the app layer keeps their values. */
void md_inventory_field_use(const struct md_inventory *inv,
			    const struct md_parser *pp, struct md_field_use *u);

/* Learn from transaction tx of parser pp on flow f (p: the packet being
 * processed, for MAC addresses, or NULL). Writes EVE records and fills
 * out with synthetic transactions (owned by the inventory until
 * md_inventory_emit_free). */
void md_inventory_tx(struct md_inventory *inv, const struct md_flow *f,
		     const struct md_packet *p, const struct md_parser *pp,
		     const struct md_tx *tx, uint64_t now_usec,
		     struct md_inv_emit *out);
/* Periodic check at packet time now: devices silent for gone-after
 * seconds get a `gone` event. Cheap when called per packet (runs at most
 * once a minute of packet time). */
void md_inventory_tick(struct md_inventory *inv, uint64_t now_usec,
		       struct md_inv_emit *out);
/* Forget what links flow f to devices (call when it ends). */
void md_inventory_flow_end(struct md_inventory *inv, const struct md_flow *f);
/* Release the transactions of out. */
void md_inventory_emit_free(struct md_inventory *inv, struct md_inv_emit *out);

/* Write the whole inventory to the snapshot file (inventory.json in the
 * log directory) atomically. Returns 0 or MD_E_IO / MD_E_NOMEM. */
int md_inventory_snapshot(struct md_inventory *inv);
/* Save the state file (atomically). Returns 0, or MD_E_IO / MD_E_NOMEM;
 * 0 when no state file is configured. */
int md_inventory_save(struct md_inventory *inv);

/* Devices known, and devices refused because the table was full. */
uint64_t md_inventory_count(const struct md_inventory *inv);
uint64_t md_inventory_dropped(const struct md_inventory *inv);

/* The "device" protocol: a parser table with no wire format whose fields
 * are the rule keywords device.vendor, device.new, ... Register it with
 * md_inventory_register() before rules are loaded. */
extern const struct md_parser md_inventory_parser;
/* Register the "device" protocol (idempotent). Returns 0 or MD_E_*. */
int md_inventory_register(void);

/* `medids inventory [--csv|--json] EVE_FILE...`: print the devices the
 * inventory records of the files describe. Returns the exit status. */
int md_inventory_cli(int argc, char **argv);

#endif
