/* test-x73.h - shared by the IEEE 11073-20601 parser tests (test-x73.c:
 * builders, probe, every APDU and DATA-apdu choice, numbers;
 * test-x73-data.c: events, gaps, limits): an APDU byte builder and
 * transcript assertions.
 *
 *   struct xb b = {0};  aarq(&b, 400, SYSID);  prst(&b, 7, 0x0103, msg, n);
 */
#ifndef MD_TEST_X73_H
#define MD_TEST_X73_H

#include <stddef.h>
#include <stdint.h>

#include "harness.h"
#include "x73.h"

extern const struct md_parser md_parser_ieee11073;

/* A growing byte buffer (fixed 8 KiB is plenty for the vectors). */
struct xb {
	uint8_t b[8192];
	size_t n;
};

void xb_u8(struct xb *b, unsigned v);
void xb_16(struct xb *b, unsigned v);
void xb_32(struct xb *b, uint32_t v);
void xb_put(struct xb *b, const void *p, size_t n);

#define SYSID "\x11\x33\x55\x77\x99\xbb\xdd\xff"

/* Whole APDUs appended to b. */
void x_aarq(struct xb *b, unsigned dev_config_id, const char *sysid8);
void x_aare(struct xb *b, unsigned result);
void x_reason(struct xb *b, unsigned choice, unsigned reason);
void x_prst(struct xb *b, unsigned invoke, unsigned choice, const void *msg,
	    size_t n);
/* An event report message: obj-handle 0, time 0xFFFFFFFF, type, info. */
void x_event(struct xb *m, unsigned type, const void *info, size_t n);

/* Chunks of one direction or the other. */
#define TS(x)                                                                  \
	{                                                                      \
		MD_DIR_TOSERVER, (x).b, (x).n                                  \
	}
#define TC(x)                                                                  \
	{                                                                      \
		MD_DIR_TOCLIENT, (x).b, (x).n                                  \
	}
#define RUN(...)                                                               \
	md_vec_run(&md_parser_ieee11073,                                       \
		   (const struct md_vec_chunk[]){__VA_ARGS__},                 \
		   sizeof((const struct md_vec_chunk[]){__VA_ARGS__}) /        \
		       sizeof(struct md_vec_chunk))

void x_has(const char *t, const char *needle);
void x_lacks(const char *t, const char *needle);
void x_count(const char *t, const char *needle, size_t want);

extern const struct CMUnitTest x73_data_tests[];
extern const size_t x73_data_ntests;

#endif
