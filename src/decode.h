/* decode.h - link, network and transport decoding with IP defragmentation.
 *
 * Link types: Ethernet (802.1Q and QinQ tags), Linux SLL and SLL2, raw
 * IPv4/IPv6, BSD loopback (DLT_NULL / DLT_LOOP). Network: IPv4 (options
 * skipped, checked for length), IPv6 with extension headers (hop-by-hop,
 * routing, destination options, fragment). Transport: TCP (options MSS,
 * window scale, SACK-permitted), UDP, ICMP and ICMPv6.
 *
 * Malformed headers raise decode events (decode-events.def); each event is
 * counted as stats decoder.event.<name> and logged as an `anomaly` record
 * of type "decode" with event "decoder.<name>".
 */
#ifndef MD_DECODE_H
#define MD_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "counters.h"
#include "packet.h"

enum md_decode_event {
#define MD_DEV(id, name) MD_DEV_##id,
#include "decode-events.def"
#undef MD_DEV
	MD_DEV_MAX
};

/* Fragment overlap policies (which copy of overlapping bytes is kept). */
enum md_defrag_policy {
	MD_DEFRAG_FIRST = 0, /* first-arrived bytes win (BSD-right, Windows) */
	MD_DEFRAG_LAST,	     /* last-arrived bytes win */
	MD_DEFRAG_LINUX,     /* Linux: later fragment wins unless same offset */
	MD_DEFRAG_BSD,	     /* BSD: earlier wins unless new starts before */
};

struct md_decode_cfg {
	bool csum_check;	/* -k all: verify IPv4/TCP/UDP checksums */
	uint64_t defrag_memcap; /* bytes of fragments held, all trackers */
	uint64_t
	    defrag_timeout; /* tracker lifetime, microseconds of packet time */
	uint32_t defrag_max_frags; /* fragments per datagram */
	uint32_t defrag_max_trackers;
	enum md_defrag_policy defrag_policy;
};

struct md_defrag;

struct md_decode_ctx {
	struct md_decode_cfg cfg;
	struct md_counters *ctr; /* borrowed, the worker's */
	struct md_defrag *defrag;
};

enum md_decode_rc {
	MD_DECODE_OK = 0,   /* p->ip_ver/proto/addresses (and L4) valid */
	MD_DECODE_HELD = 1, /* a fragment, held until its datagram is whole */
	MD_DECODE_INVALID = 2, /* not decodable; events raised in p */
	MD_DECODE_NONIP = 3,   /* valid link layer carrying no IP (ARP, ...) */
};

/* Initialise ctx with cfg and the worker's counters. Returns 0 or MD_E_NOMEM.
 */
int md_decode_init(struct md_decode_ctx *ctx, const struct md_decode_cfg *cfg,
		   struct md_counters *ctr);
/* Free the defrag state. Safe on a zeroed ctx. */
void md_decode_fini(struct md_decode_ctx *ctx);

/* Decode p (data, caplen, linktype, ts_usec set by capture). When the
 * packet completes a fragmented datagram, p->owned holds the rebuilt
 * datagram and p->l3.. point into it; the caller frees it with
 * md_packet_release(). Returns an enum md_decode_rc. */
int md_decode(struct md_decode_ctx *ctx, struct md_packet *p);

/* Expire defrag trackers older than the timeout at packet time now_usec. */
void md_decode_timeout(struct md_decode_ctx *ctx, uint64_t now_usec);

/* Event name without the "decoder." prefix, e.g. "ipv4.trunc_pkt". */
const char *md_decode_event_name(unsigned ev);

/* Internet checksum helpers (exported for tests and the stream). */
uint16_t md_csum_ipv4_hdr(const uint8_t *hdr, unsigned hlen);
uint16_t md_csum_l4(const struct md_packet *p);

#endif
