/* util-sha256.h - SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104), used
 * to write patient-identifying values as keyed hashes. */
#ifndef MD_UTIL_SHA256_H
#define MD_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct md_sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	size_t n;
};

void md_sha256_init(struct md_sha256 *s);
void md_sha256_update(struct md_sha256 *s, const void *p, size_t len);
void md_sha256_final(struct md_sha256 *s, uint8_t out[32]);

/* HMAC key schedule: the hash states after the padded key, computed
 * once so each HMAC costs the message blocks plus two. */
struct md_hmac_key {
	struct md_sha256 inner, outer;
};

void md_hmac_key(struct md_hmac_key *k, const uint8_t *key, size_t keylen);
void md_hmac_sha256_k(const struct md_hmac_key *k, const uint8_t *msg,
		      size_t len, uint8_t out[32]);

/* HMAC-SHA-256 of msg under key into out. */
void md_hmac_sha256(const uint8_t *key, size_t keylen, const uint8_t *msg,
		    size_t len, uint8_t out[32]);

#endif
