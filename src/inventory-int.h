/* inventory-int.h - what the inventory files share: device records,
 * attribute table, the per-transaction observation context, the data
 * files (implementers, advisories).
 */
#ifndef MD_INVENTORY_INT_H
#define MD_INVENTORY_INT_H

#include <pthread.h>

#include "inventory.h"
#include "jb.h"

#define MD_INV_VAL     128 /* attribute bytes kept (printable ASCII) */
#define MD_INV_KEY     416 /* device id bytes */
#define MD_INV_ADDRS   8
#define MD_INV_MACS    4
#define MD_INV_PEERS   16
#define MD_INV_PORTS   8
#define MD_INV_PROTOS  8
#define MD_INV_VULNS   8
#define MD_INV_FLOWMAP 4096
#define MD_INV_BUCKETS 4096

/* Attributes, in EVE order. `tracked` ones raise `changed` events. */
enum md_inv_attr {
	MD_IA_VENDOR = 0,
	MD_IA_MODEL,
	MD_IA_SW,
	MD_IA_FW,
	MD_IA_HW,
	MD_IA_SERIAL,
	MD_IA_MODALITY,
	MD_IA_SPECIALIZATION,
	MD_IA_STATION,
	MD_IA_FRIENDLY,
	MD_IA_AE,
	MD_IA_IMPL_UID,
	MD_IA_IMPL_VERSION,
	MD_IA_IMPLEMENTER,
	MD_IA_HL7_APP,
	MD_IA_HL7_FAC,
	MD_IA_SYSTEM_ID,
	MD_IA_EPR,
	MD_IA_UDI,
	MD_IA_EQUIPMENT,
	MD_IA_XADDRS,
	MD_IA_MAX
};

struct md_inv_attr_def {
	const char *name; /* EVE key, state key, "device" field name */
	bool tracked;
};
extern const struct md_inv_attr_def md_inv_attrs[MD_IA_MAX];

/* Roles, a bit each (names in md_inv_role_names). */
enum {
	MD_IR_SCU = 1u << 0,
	MD_IR_SCP = 1u << 1,
	MD_IR_SENDER = 1u << 2,
	MD_IR_RECEIVER = 1u << 3,
	MD_IR_AGENT = 1u << 4,
	MD_IR_MANAGER = 1u << 5,
	MD_IR_PROVIDER = 1u << 6,
	MD_IR_CONSUMER = 1u << 7,
	MD_IR_EQUIPMENT = 1u << 8,
	MD_IR_COUNT = 9
};
extern const char *const md_inv_role_names[MD_IR_COUNT];

struct md_inv_vuln {
	char id[32];	  /* CVE or advisory id */
	char *desc;	  /* borrowed from the advisories table */
	char matched[64]; /* "implementation_version OFFIS_DCMTK_366" */
};

struct md_inv_dev {
	struct md_inv_dev *hnext, *next; /* hash chain, list in order */
	char id[MD_INV_KEY];
	const char *kind; /* static string: dicom-ae, hl7-application, ... */
	char *attr[MD_IA_MAX];
	struct md_addr ip[MD_INV_ADDRS];
	uint8_t ipver[MD_INV_ADDRS];
	uint8_t n_ip;
	uint8_t mac[MD_INV_MACS][6];
	uint8_t n_mac;
	uint16_t roles;
	const char *protos[MD_INV_PROTOS]; /* static protocol names */
	uint8_t n_protos;
	uint16_t ports[MD_INV_PORTS]; /* ports it serves on */
	uint8_t n_ports;
	char *peers[MD_INV_PEERS]; /* ids of devices it talked to */
	uint8_t n_peers;
	uint32_t peers_dropped;
	uint64_t first_seen, last_seen; /* packet time, usec */
	bool tls, creds_clear, phi_clear, gone;
	struct md_inv_vuln vulns[MD_INV_VULNS];
	uint8_t n_vulns;
	bool announced; /* `new` written (or known from the state file) */
};

/* One change of a tracked attribute or address (a `changed` event). */
#define MD_INV_MAX_CHANGES 8
struct md_inv_change {
	const char *field;
	char old[MD_INV_VAL], new_[MD_INV_VAL];
};

/* Data files. */
struct md_inv_implementer {
	char *root; /* UID root, e.g. 1.2.276.0.7230010.3 */
	char *name; /* OFFIS DCMTK */
};

enum md_inv_match { MD_IM_PREFIX_BELOW = 0, MD_IM_EQUAL, MD_IM_PREFIX };

struct md_inv_advisory {
	char *id;	/* CVE-2022-2119 */
	char *desc;	/* title */
	int attr;	/* enum md_inv_attr the rule reads */
	int match;	/* enum md_inv_match */
	char *value;	/* prefix or exact value */
	uint64_t below; /* MD_IM_PREFIX_BELOW: digits after prefix < below */
};

struct md_inv_data {
	struct md_inv_implementer *impl;
	size_t n_impl;
	struct md_inv_advisory *adv;
	size_t n_adv;
};

/* Load rules/dicom-implementers.txt ("UIDROOT NAME..." lines, # comments)
 * and rules/device-advisories.yaml. Empty path: nothing. Return 0 or
 * MD_E_IO / MD_E_INVAL / MD_E_NOMEM with err set. */
int md_inv_data_implementers(struct md_inv_data *d, const char *path, char *err,
			     size_t errlen);
int md_inv_data_advisories(struct md_inv_data *d, const char *path, char *err,
			   size_t errlen);
void md_inv_data_fini(struct md_inv_data *d);
/* Implementer of an implementation class UID (longest matching root at a
 * component boundary), or NULL. */
const char *md_inv_implementer(const struct md_inv_data *d, const char *uid);
/* Whether advisory a applies to device v. */
bool md_inv_advisory_match(const struct md_inv_advisory *a,
			   const struct md_inv_dev *v);

struct md_inv_flowlink {
	uint64_t flow_id;	   /* 0 = free */
	struct md_inv_dev *dev[2]; /* 0: initiator side, 1: responder */
};

struct md_inventory {
	struct md_inventory_cfg cfg;
	char snapshot_path[1100], state_path[1100];
	pthread_mutex_t lock;
	struct md_eve *eve;
	struct md_inv_data data;
	struct md_inv_dev *buckets[MD_INV_BUCKETS];
	struct md_inv_dev *head, *tail;
	uint64_t count, dropped, events;
	uint64_t now;	     /* latest packet time seen */
	uint64_t last_check; /* latest gone check */
	struct md_inv_flowlink flows[MD_INV_FLOWMAP];
	/* field indexes per parser id, resolved from names (extract.c) */
	struct md_inv_fields *fields[32];
	struct md_memcap tx_mc; /* synthetic transactions */
	uint64_t next_txid;
};

/* ---- observations: what one transaction says about its two ends ---- */

struct md_inv_obs {
	struct md_inventory *inv;
	const struct md_flow *f;
	const struct md_packet *p;
	const struct md_parser *pp;
	const struct md_tx *tx;
	uint64_t now;
	struct md_inv_dev *dev[2]; /* devices bound to side 0 / 1 */
	unsigned was[2];	   /* their security flags when bound */
	/* what changed on each side during this transaction */
	bool is_new[2], vuln_new[2];
	struct md_inv_change ch[2][MD_INV_MAX_CHANGES];
	unsigned n_ch[2];
	struct md_inv_dev *extra[4]; /* devices other than the ends */
	bool extra_new[4], extra_vuln[4];
	unsigned n_extra;
};

/* Resolve the field names of every registered parser (extract.c). */
int md_inv_fields_init(struct md_inventory *inv);
void md_inv_fields_fini(struct md_inventory *inv);
/* Whether the inventory reads field i (with argument arg) of parser pid. */
bool md_inv_fields_used(const struct md_inventory *inv, int pid, size_t i);
/* Bind the devices an earlier transaction of flow o->f bound (lock held). */
void md_inv_flow_devices(struct md_inv_obs *o);
/* Run the protocol's extraction over o->tx (lock held). */
void md_inv_extract(struct md_inv_obs *o, int pid);

/* Device operations (inventory.c; lock held). */
struct md_inv_dev *md_inv_bind(struct md_inv_obs *o, int side, const char *kind,
			       const char *id);
struct md_inv_dev *md_inv_bind_extra(struct md_inv_obs *o, const char *kind,
				     const char *id, int via_side);
void md_inv_set(struct md_inv_obs *o, struct md_inv_dev *v, int attr,
		const uint8_t *p, size_t len);
void md_inv_role(struct md_inv_dev *v, unsigned role);
void md_inv_proto(struct md_inv_dev *v, const char *proto);
void md_inv_port(struct md_inv_dev *v, uint16_t port);
void md_inv_peer(struct md_inv_dev *a, struct md_inv_dev *b);
/* Copy printable ASCII of p[0..len) into out (others as '?'). */
void md_inv_clean(char *out, size_t outlen, const uint8_t *p, size_t len);
struct md_inv_dev *md_inv_find(struct md_inventory *inv, const char *id);
/* Append to the table (state loading); NULL when full. */
struct md_inv_dev *md_inv_insert(struct md_inventory *inv, const char *id,
				 const char *kind);
/* The static kind string equal to s, or NULL. */
const char *md_inv_kind(const char *s);

/* JSON (inventory-json.c). */
void md_inv_dev_jb(struct md_jb *jb, const char *key,
		   const struct md_inv_dev *v, bool state);
int md_inv_state_load(struct md_inventory *inv, char *err, size_t errlen);
int md_inv_write_file(struct md_inventory *inv, const char *path, bool state);

/* The "device" protocol (inventory-proto.c): a synthetic transaction for
 * event `ev` ("new", ...) of device v. NULL when out of memory. */
struct md_tx *md_inv_device_tx(struct md_inventory *inv,
			       const struct md_inv_dev *v, const char *ev,
			       const struct md_inv_change *ch, unsigned n_ch);

#endif
