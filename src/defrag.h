/* defrag.h - IPv4 and IPv6 fragment reassembly for the decoder.
 *
 * Normative references: RFC 791 section 3.2 (IPv4 fragmentation and
 * reassembly), RFC 8200 section 4.5 (IPv6 Fragment header; unfragmentable
 * and fragmentable parts), RFC 5722 (overlapping IPv6 fragments), and
 * the target-based overlap policies of Novak, "Target-Based Fragmentation
 * Reassembly" (2005), selected by enum md_defrag_policy.
 *
 * Internal to the decoder: decode-ip.c describes each fragment with a
 * struct md_defrag_in; md_decode_fini frees everything.
 */
#ifndef MD_DEFRAG_H
#define MD_DEFRAG_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"

/* Tracker lifetime when the configuration says 0: 60 s of packet time. */
#define MD_DEFRAG_TIMEOUT_DEFAULT (60ull * 1000000ull)

/* One fragment as the IP decoder found it. All pointers borrow the
 * packet's bytes for the call. */
struct md_defrag_in {
	const uint8_t *hdr;  /* IPv4 header, or IPv6 unfragmentable part */
	uint32_t hlen;	     /* bytes at hdr */
	const uint8_t *data; /* fragment data */
	uint32_t len;
	uint32_t off;	 /* byte offset of data in the datagram's payload */
	uint32_t id;	 /* IPv4 identification or IPv6 fragment id */
	bool more;	 /* MF / M flag */
	uint8_t proto;	 /* IPv4 protocol; IPv6 Fragment header next header */
	uint32_t nh_pos; /* IPv6: index in hdr of the byte that names the
			    Fragment header (patched on rebuild) */
};

/* Allocate the defrag state for cfg, counting into ctr (borrowed).
 * Returns the state (free with md_defrag_free) or NULL when out of
 * memory. */
struct md_defrag *md_defrag_new(const struct md_decode_cfg *cfg,
				struct md_counters *ctr);

/* Free d, its trackers and their fragments. md_defrag_free(NULL) is a
 * no-op. */
void md_defrag_free(struct md_defrag *d);

/* Add the fragment described by in (p->ip_ver, addresses and VLANs set)
 * to its datagram. Returns MD_DECODE_HELD when the datagram is not yet
 * whole or the fragment was refused (a limit, an allocation failure: the
 * frag_ignored event), MD_DECODE_INVALID when the fragment can never be
 * part of a valid datagram (frag_pkt_too_large), MD_DECODE_OK when it
 * completed the datagram: p->owned then holds the rebuilt datagram (IP
 * header with fixed length fields, no IPv6 Fragment header), *out_len
 * bytes long, owned by p and freed by md_packet_release(). */
int md_defrag_packet(struct md_decode_ctx *ctx, struct md_packet *p,
		     const struct md_defrag_in *in, uint32_t *out_len);

/* Drop trackers whose lifetime ended at packet time now_usec, counting
 * defrag.ipvN.timeouts. */
void md_defrag_timeout(struct md_defrag *d, uint64_t now_usec);

/* Number of datagrams being reassembled (for tests and stats). */
uint32_t md_defrag_trackers(const struct md_defrag *d);

#endif
