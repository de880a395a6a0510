/* eve-tx.c - per-protocol transaction records (the object itself is laid
 * out by eve-txw.c from the parser's field table) and the PHI keyed hash:
 * MD_FF_PHI values are written as "phi:" + HMAC-SHA-256 unless log-phi.
 *
 *   {"event_type":"<proto>", ..., "tx_id":N, "<proto>":{...}}
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "eve.h"
#include "mem.h"
#include "util-sha256.h"

/* Recent PHI values and their hashes, per thread: the same patient
 * appears in message after message, and each HMAC costs two or more
 * SHA-256 blocks. Direct-mapped, values up to 48 bytes. */
#define MD_PHI_CACHE	 512
#define MD_PHI_CACHE_VAL 48
static __thread struct phi_slot {
	const struct md_phi *phi;
	uint8_t key[16]; /* the start of the key it was hashed under */
	uint8_t len;
	uint8_t val[MD_PHI_CACHE_VAL];
	char text[MD_PHI_TEXT];
} phi_cache[MD_PHI_CACHE];

static uint32_t fnv(const uint8_t *p, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

char *md_eve_phi_text(const struct md_phi *phi, const uint8_t *p, size_t len,
		      char out[MD_PHI_TEXT])
{
	static const char hex[] = "0123456789abcdef";
	struct phi_slot *slot = NULL;
	uint8_t mac[32];
	if (len <= MD_PHI_CACHE_VAL) {
		slot = &phi_cache[fnv(p, len) % MD_PHI_CACHE];
		if (slot->phi == phi && slot->len == len &&
		    !memcmp(slot->key, phi->key, sizeof(slot->key)) &&
		    !memcmp(slot->val, p, len)) {
			memcpy(out, slot->text, MD_PHI_TEXT);
			return out;
		}
	}
	md_hmac_sha256_k(&phi->hk, p, len, mac);
	memcpy(out, "phi:", 4);
	for (int i = 0; i < 16; i++) {
		out[4 + 2 * i] = hex[mac[i] >> 4];
		out[5 + 2 * i] = hex[mac[i] & 15];
	}
	out[36] = 0;
	if (slot) {
		slot->phi = phi;
		memcpy(slot->key, phi->key, sizeof(slot->key));
		slot->len = (uint8_t)len;
		memcpy(slot->val, p, len);
		memcpy(slot->text, out, MD_PHI_TEXT);
	}
	return out;
}

void md_eve_tx(struct md_eve *eve, const struct md_flow *f,
	       const struct md_parser *pp, const struct md_tx *tx,
	       uint64_t ts_usec)
{
	char stack[8192];
	struct md_jb jb;
	uint64_t type = md_eve_app_type(pp);
	if (!eve || !(eve->types & type))
		return;
	md_jb_init_buf(&jb, stack, sizeof(stack));
	md_eve_jb_header(&jb, pp->name, ts_usec, f, NULL, tx->dir);
	md_jb_uint(&jb, "tx_id", tx->id);
	md_eve_tx_write(&jb, pp->name, pp, tx, &eve->phi, eve->max_values);
	md_jb_close(&jb);
	md_eve_write_jb(eve, type, &jb);
	md_jb_free(&jb);
}

int md_eve_phi_key_load(struct md_phi *phi, const char *path, char *err,
			size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	if (fp) {
		size_t n = fread(phi->key, 1, sizeof(phi->key), fp);
		fclose(fp);
		if (n == sizeof(phi->key)) {
			md_hmac_key(&phi->hk, phi->key, sizeof(phi->key));
			return 0;
		}
		snprintf(err, errlen, "%s: PHI key file shorter than %zu bytes",
			 path, sizeof(phi->key));
		return MD_E_IO;
	}
	FILE *rnd = fopen("/dev/urandom", "rb");
	size_t got = rnd ? fread(phi->key, 1, sizeof(phi->key), rnd) : 0;
	if (rnd)
		fclose(rnd);
	int fd = got == sizeof(phi->key)
		     ? open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)
		     : -1;
	if (fd < 0 || write(fd, phi->key, sizeof(phi->key)) !=
			  (ssize_t)sizeof(phi->key)) {
		snprintf(err, errlen, "%s: cannot create the PHI key: %s", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return MD_E_IO;
	}
	close(fd);
	md_hmac_key(&phi->hk, phi->key, sizeof(phi->key));
	return 0;
}
