/* verdict.h - inline verdicts: what happens to each packet and each flow
 * once the app layer and detection have seen it.
 *
 *   packet -> engine (stream, app layer, detect) -> verdict
 *     accept   nothing matched, or the flow is passed / bypassed
 *     drop     a drop rule matched now or earlier in the flow
 *     reject   a reject rule matched: drop, and reset both ends
 *     hold     TCP bytes arrived out of order: the verdict waits until the
 *              bytes before them arrive and are inspected (bounded)
 *
 * Flow actions are sticky: once a flow is dropped every later packet is
 * dropped without inspection; a pass rule stops detection on the flow; an
 * exception policy of pass-flow bypasses the flow (no more inspection,
 * every packet accepted). Exception policies apply only inline (NFQUEUE,
 * or replay with --simulate-ips); a replay keeps inspecting as before.
 */
#ifndef MD_VERDICT_H
#define MD_VERDICT_H

#include <stdbool.h>
#include <stdint.h>

#include "counters.h"
#include "eve.h"
#include "flow.h"
#include "packet.h"

enum md_verdict {
	MD_VERDICT_ACCEPT = 0,
	MD_VERDICT_DROP,
	MD_VERDICT_REJECT,
	MD_VERDICT_HOLD, /* decided later through md_verdict_ops.issue */
};

/* struct md_flow.action */
enum md_flow_action {
	MD_FLOW_ACT_NONE = 0,
	MD_FLOW_ACT_PASS,     /* a pass rule matched: no more detection */
	MD_FLOW_ACT_BYPASS,   /* exception policy pass-flow: no inspection */
	MD_FLOW_ACT_DROP,     /* a drop or reject rule matched */
	MD_FLOW_ACT_EXC_DROP, /* exception policy drop-flow */
};

/* Exception policies (medids.yaml exception-policy). */
enum md_exc_policy {
	MD_EXC_PASS_FLOW = 0, /* default: fail open, stop inspecting the flow */
	MD_EXC_DROP_FLOW,     /* drop the packet and the rest of the flow */
	MD_EXC_IGNORE,	      /* keep inspecting what can be (replay way) */
};

/* What triggered an exception (Suricata's stats.exception_policy names). */
enum md_exc_target {
	MD_EXC_FLOW_MEMCAP = 0, /* no flow could be had (flow.memcap) */
	MD_EXC_TCP_SSN_MEMCAP,	/* no TCP session (stream.memcap) */
	MD_EXC_TCP_REASSEMBLY,	/* segment memcap, hold bound, inline gap */
	MD_EXC_APP_MEMCAP,	/* app-layer buffer/tx memcaps and bounds */
	MD_EXC_APP_ERROR,	/* a parser failed on the flow */
	MD_EXC_MAX
};

struct md_inline_cfg {
	uint8_t policy[MD_EXC_MAX]; /* enum md_exc_policy */
	uint32_t max_held;	    /* packets held per worker (bound) */
	uint32_t hold_timeout_ms;   /* longest a held packet waits */
};

/* Documented defaults: pass-flow everywhere, 512 held packets, 1000 ms. */
void md_inline_cfg_defaults(struct md_inline_cfg *cfg);
/* "pass-flow", "drop-flow", "ignore" -> policy; -1 when unknown. */
int md_exc_policy_parse(const char *s);
const char *md_exc_policy_name(enum md_exc_policy p);
const char *md_exc_target_name(enum md_exc_target t);

/* Issues the verdict of a held packet (the capture module's). */
struct md_verdict_ops {
	void (*issue)(void *user, uint32_t id, enum md_verdict v);
	void *user;
};

/* A held packet: its capture id, and the end of its TCP bytes. */
struct md_held {
	struct md_flow *f;
	uint64_t deadline_mono;
	uint32_t id;
	uint32_t seq_end;
	uint8_t dir;
};

/* Per-worker verdict state. */
struct md_vstate {
	struct md_inline_cfg cfg;
	struct md_verdict_ops ops;
	struct md_held *held; /* cfg.max_held slots, FIFO */
	uint32_t n_held;
};

/* Prepare vs (cfg copied). Returns 0 or MD_E_NOMEM. */
int md_vstate_init(struct md_vstate *vs, const struct md_inline_cfg *cfg,
		   const struct md_verdict_ops *ops);
/* Free vs; held packets must have been released. */
void md_vstate_fini(struct md_vstate *vs);

/* Record a packet verdict in the ips.* counters (and drop reasons). */
void md_verdict_count(struct md_counters *c, enum md_verdict v, int reason);

/* Write an `anomaly` record for exception policy `pol` applied on target
 * t for flow f (may be NULL) at packet p (may be NULL). */
void md_eve_exception(struct md_eve *eve, const struct md_flow *f,
		      const struct md_packet *p, enum md_exc_target t,
		      enum md_exc_policy pol, uint64_t ts_usec);

/* Raw sockets that carry reject's resets and ICMP errors; opened while
 * privileged, used by every worker (sendto is thread-safe). -1 when a
 * socket could not be opened. */
struct md_reject {
	int raw4, raw6;	  /* IPPROTO_RAW: TCP resets, headers built here */
	int icmp4, icmp6; /* ICMP(v6) port unreachable for UDP */
};

/* Open the sockets. Returns 0 when at least the IPv4 raw socket opened,
 * else MD_E_IO (errno kept). */
int md_reject_open(struct md_reject *r);
void md_reject_close(struct md_reject *r);
/* Reject packet p (decoded; `ip`/`iplen` its IP datagram as captured):
 * TCP resets to its source (to & 1) and destination (to & 2), or for
 * UDP an ICMP port unreachable to its source. Returns packets sent. */
unsigned md_reject_send(const struct md_reject *r, const struct md_packet *p,
			const uint8_t *ip, uint32_t iplen, uint8_t to);

/* Drop reasons (ips.drop_reason.*), the counter ids. */
#define MD_DROP_RULES	     MD_CTR_IPS_DROP_RULES
#define MD_DROP_FLOW	     MD_CTR_IPS_DROP_FLOW_DROP
#define MD_DROP_EXC_FLOWDROP MD_CTR_IPS_DROP_EXC_FLOW_DROP

#endif
