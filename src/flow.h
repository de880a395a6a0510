/* flow.h - bidirectional flow table, per worker.
 *
 * A flow is keyed by (addresses, ports, IP protocol, VLAN ids), the same for
 * both directions; the side that sent the first packet is the source
 * (to-server). flow_id is a stable 64-bit hash of the key and start time.
 * Flows time out in packet time (per protocol and state); the table has a
 * memcap, evicts the least recently used flow when full and enters an
 * emergency mode with shorter timeouts under pressure.
 */
#ifndef MD_FLOW_H
#define MD_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "counters.h"
#include "mem.h"
#include "packet.h"

struct md_flow_key {
	struct md_addr a, b; /* a = initiator */
	uint16_t ap, bp;
	uint16_t vlan[MD_MAX_VLAN];
	uint8_t proto;
	uint8_t ip_ver;
};

enum md_flow_state {
	MD_FLOW_NEW = 0,
	MD_FLOW_ESTABLISHED,
	MD_FLOW_CLOSED,
};

enum md_flow_end_reason {
	MD_FLOW_END_TIMEOUT = 0,
	MD_FLOW_END_FORCED,   /* evicted (memcap) */
	MD_FLOW_END_SHUTDOWN, /* end of capture */
};

struct md_flow {
	struct md_flow *hnext; /* hash chain */
	struct md_flow *lru_prev, *lru_next;
	struct md_flow_key key;
	uint32_t hash;
	uint64_t flow_id;
	uint64_t start_usec, last_usec;
	uint64_t pkts[2], bytes[2];
	uint8_t state;	      /* enum md_flow_state */
	uint8_t lru_state;    /* LRU list the flow is filed in */
	uint8_t tcp_flags[2]; /* OR of flags seen, per direction */
	uint8_t end_reason;
	bool alerted;
	bool emergency;
	bool reversed;	 /* first packet was a SYN-ACK: swapped */
	uint16_t app_id; /* parser index + 1; 0 unknown */
	bool app_failed; /* no parser claimed the flow */
	uint8_t action;	 /* inline: enum md_flow_action (verdict.h) */
	void *tcp;	 /* struct md_tcp_session, owned by stream */
	void *app;	 /* app-layer state, owned by applayer */
	void *detect;	 /* flowbits, flowints: owned by detect */
};

#endif

#ifndef MD_FLOW_TABLE_DECL
#define MD_FLOW_TABLE_DECL

/* Timeout classes by transport. */
enum md_flow_proto {
	MD_FP_TCP = 0,
	MD_FP_UDP,
	MD_FP_ICMP,
	MD_FP_OTHER,
	MD_FP_MAX
};

/* Seconds of packet time a flow lives without packets, per state. */
struct md_flow_timeouts {
	uint32_t state[3]; /* indexed by enum md_flow_state */
};

struct md_flow_cfg {
	uint64_t memcap;
	uint32_t hash_size;	     /* buckets, rounded up to a power of two */
	uint32_t emergency_recovery; /* percent of memcap to leave emergency */
	struct md_flow_timeouts to[MD_FP_MAX];
	struct md_flow_timeouts emerg[MD_FP_MAX];
};

/* Called once for every flow that ends, before it is freed; the callee
 * logs it and frees its stream and app-layer state. */
typedef void (*md_flow_end_fn)(void *user, struct md_flow *f);

struct md_flow_table {
	struct md_flow_cfg cfg;
	struct md_flow **buckets;
	uint32_t mask;
	struct md_flow *head[3], *tail[3]; /* LRU per state, oldest at head */
	struct md_memcap memcap;
	struct md_counters *ctr;
	md_flow_end_fn end_cb;
	void *user;
	bool emergency;
	uint64_t active;
	uint64_t last_sweep_usec;
};

/* Fill cfg with the documented defaults (medids.yaml). */
void md_flow_cfg_defaults(struct md_flow_cfg *cfg);
/* Initialise t; returns 0 or MD_E_NOMEM. */
int md_flow_table_init(struct md_flow_table *t, const struct md_flow_cfg *cfg,
		       struct md_counters *ctr, md_flow_end_fn end_cb,
		       void *user);
/* End every flow (reason shutdown) and free the table. */
void md_flow_table_fini(struct md_flow_table *t);
/* Find or create the flow of p (decoded, with an IP layer); sets p->flow
 * and p->dir and accounts the packet. Returns NULL when no flow could be
 * had (memcap even after eviction; counted). The table owns the flow. */
struct md_flow *md_flow_lookup(struct md_flow_table *t, struct md_packet *p);
/* Re-file f after its state changed (call after each packet). */
void md_flow_touch(struct md_flow_table *t, struct md_flow *f);
/* End flows idle past their timeout at packet time now. */
void md_flow_timeout(struct md_flow_table *t, uint64_t now_usec);
/* End flow f now with the given reason (it is freed). */
void md_flow_end(struct md_flow_table *t, struct md_flow *f, int reason);
/* Protocol class of a flow. */
enum md_flow_proto md_flow_proto_class(uint8_t ipproto);

#endif
