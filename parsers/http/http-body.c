/* http-body.c - HTTP bodies after dechunking and content decoding: kept up
 * to a bound for the http.request_body / http.response_body / file.data
 * buffers, checked for compression bombs while they grow, searched for a
 * DICOM Part-10 file with an executable preamble once complete, and handed
 * to the sdc module when they hold a SOAP envelope.
 *
 * Normative reference: DICOM PS3.10 7.1 (preamble, "DICM" prefix), PS3.18
 * 10.5 (STOW-RS: multipart/related; type="application/dicom"), RFC 2046
 * 5.1 (multipart bodies), SOAP 1.2 part 1 (the Envelope element),
 * IEEE 11073-20702 (SOAP over HTTP).
 *
 *   multipart/related body (STOW-RS):
 *     --boundary CRLF Content-Type: application/dicom CRLF CRLF
 *     [128-byte preamble]["DICM"][meta information][data set] CRLF
 *     --boundary-- CRLF
 *   Each such file goes to the DICOM module (parsers/dicom/dicom-p10.h):
 *   a "dicom" transaction, and dicom.p10_executable_preamble when the
 *   preamble starts "MZ" (PE) or 0x7F "ELF" (CVE-2019-11687).
 */
#include <string.h>

#include "http.h"
#include "mem.h"

#include "../dicom/dicom-p10.h"
#include "../sdc/sdc-soap.h"

bool http_body_add(struct http_state *s, struct http_tx *t, int dir,
		   const uint8_t *p, size_t len, uint64_t wire)
{
	struct http_body *b = &t->body[dir];
	b->decoded += len;
	if (wire && !b->bomb && b->decoded > HTTP_BOMB_LIMIT &&
	    b->decoded / HTTP_BOMB_RATIO > wire) {
		b->bomb = true;
		http_event(s, t, HE_COMPRESSION_BOMB);
		return false;
	}
	if (!b->limit)
		b->limit = s->lim.max_field;
	size_t room = b->limit - b->len;
	if (len > room) {
		b->truncated = true;
		len = room;
	}
	if (!len)
		return true;
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + len)
			cap *= 2;
		if (cap > b->limit)
			cap = b->limit;
		uint8_t *nb = md_realloc(b->p, cap);
		if (!nb) {
			b->truncated = true;
			return true;
		}
		b->p = nb;
		b->cap = (uint32_t)cap;
	}
	memcpy(b->p + b->len, p, len);
	b->len += (uint32_t)len;
	return true;
}

void http_body_free(struct http_tx *t)
{
	for (int d = 0; d < 2; d++) {
		md_free(t->body[d].p);
		t->body[d].p = NULL;
		t->body[d].len = t->body[d].cap = 0;
	}
}

size_t http_p10_files(const uint8_t *body, size_t len, size_t *offs, size_t max)
{
	struct md_rd r = md_rd_make(body, len);
	size_t n = 0;
	if (max && md_dicom_p10_is(body, len))
		offs[n++] = 0;
	/* the start of each MIME part: after the blank line of its headers */
	while (n < max && md_rd_left(&r) > HTTP_P10_PREAMBLE + 4) {
		long at = md_rd_find(&r, '\r');
		if (at < 0)
			break;
		md_rd_skip(&r, (size_t)at + 1);
		if (md_rd_peek(&r, 0) == '\n' && md_rd_peek(&r, 1) == '\r' &&
		    md_rd_peek(&r, 2) == '\n') {
			md_rd_skip(&r, 3);
			if (md_dicom_p10_is(body + r.off, len - r.off))
				offs[n++] = r.off;
		}
	}
	return n;
}

/* Each Part-10 file of the body becomes a "dicom" transaction (its File
 * Meta Information, dicom.p10_executable_preamble). */
static void p10_files(struct http_state *s, const struct http_body *b, int dir)
{
	size_t offs[HTTP_P10_MAX_FILES];
	size_t n = http_p10_files(b->p, b->len, offs, HTTP_P10_MAX_FILES);
	for (size_t i = 0; i < n; i++)
		md_dicom_p10(b->p + offs[i], b->len - offs[i], (enum md_dir)dir,
			     s->k);
}

/* True when the first element of the XML body is a (prefixed) Envelope. */
static bool soap_envelope(const uint8_t *body, size_t len)
{
	struct md_rd r = md_rd_make(body, len < 4096 ? len : 4096);
	for (;;) {
		long lt = md_rd_find(&r, '<');
		if (lt < 0)
			return false;
		md_rd_skip(&r, (size_t)lt + 1);
		int c = md_rd_peek(&r, 0);
		if (c == '?' || c == '!')
			continue;
		size_t n = 0;
		while ((c = md_rd_peek(&r, n)) > ' ' && c != '>' && c != '/')
			n++;
		struct md_span name = md_rd_span(&r, n);
		struct md_rd nr = md_rd_make(name.p, name.len);
		return md_rd_ok(&r) && n >= 8 &&
		       !memcmp(name.p + n - 8, "Envelope", 8) &&
		       (n == 8 || md_rd_peek(&nr, n - 9) == ':');
	}
}

static void soap(struct http_state *s, struct http_tx *t, int dir)
{
	const struct md_sink *k = s->k;
	struct http_body *b = &t->body[dir];
	if (!b->soap || !b->len || !k->tx_new_as ||
	    !soap_envelope(b->p, b->len))
		return;
	if (!t->sdc_open) {
		t->sdc = k->tx_new_as(k->ctx, (enum md_dir)dir, "sdc");
		t->sdc_open = true;
	}
	struct md_limits lim = s->lim;
	lim.max_pdu = b->limit;
	md_sdc_soap(b->p, b->len, (enum md_dir)dir, t->sdc, k, &lim);
	if (t->sdc != MD_TX_NONE)
		k->tx_progress(k->ctx, t->sdc, (enum md_dir)dir,
			       MD_SDC_TX_DONE);
}

static void soap_end(struct http_state *s, struct http_tx *t)
{
	if (!t->sdc_open || t->sdc == MD_TX_NONE)
		return;
	for (int d = 0; d < 2; d++)
		s->k->tx_progress(s->k->ctx, t->sdc, (enum md_dir)d,
				  MD_SDC_TX_DONE);
}

void http_body_done(struct http_state *s, struct http_tx *t, int dir)
{
	const struct md_sink *k = s->k;
	struct http_body *b = &t->body[dir];
	t->done[dir] = true;
	if (b->len && t->id != MD_TX_NONE)
		k->tx_str(k->ctx, t->id, dir ? HF_RSP_BODY : HF_REQ_BODY, b->p,
			  b->len < s->lim.max_field ? b->len
						    : s->lim.max_field);
	if (b->decoded && t->id != MD_TX_NONE)
		k->tx_uint(k->ctx, t->id,
			   dir ? HF_RSP_BODY_LEN : HF_REQ_BODY_LEN, b->decoded);
	/* libhtp retries a failed inflate (raw deflate, zlib, gzip) and at
	 * last passes the bytes through undecoded */
	if (b->zfail && b->decoded == b->wire)
		http_event(s, t, HE_DECOMPRESSION_FAILED);
	if (b->len)
		p10_files(s, b, dir);
	soap(s, t, dir);
	if (t->done[0] && t->done[1])
		soap_end(s, t);
	md_free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	if (t->id != MD_TX_NONE)
		k->tx_progress(k->ctx, t->id, (enum md_dir)dir, HTTP_PROG_DONE);
}
