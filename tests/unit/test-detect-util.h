/* test-detect-util.h - helpers shared by the detection engine tests: a
 * toy parser "tp" registered with a small field table, packet, flow and
 * transaction builders, and engines built from rule strings.
 */
#ifndef MD_TEST_DETECT_UTIL_H
#define MD_TEST_DETECT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect.h"

/* Fields of the toy parser "tp". */
enum {
	TP_NAME = 0, /* tp.name    str, to server */
	TP_TAG,	     /* tp.tag     str, multi */
	TP_CODE,     /* tp.code    uint, to client */
	TP_ATTR, /* tp.attr    str with argument (upper-cased; "bad" refused) */
	TP_BODY, /* tp.body    bytes, chunked (file.data, filemagic) */
	TP_FLAG, /* tp.flag    bool */
	TP_NUM,	 /* tp.num     uint, multi */
	TP_REPLY, /* tp.reply   str, to client, final at progress 2 */
	TP_NFIELDS
};
enum { TP_EV_BAD = 0, TP_EV_OTHER };

/* Register "tp" (once); returns its registry id. */
int td_register(void);
const struct md_parser *td_parser(void);

/* Directory with the shipped classification/reference configs. */
const char *td_rule_dir(void);

/* Engine with the given rules (each must load unless expect_fail). */
struct md_detect *td_engine(const char *const *rules, size_t n);
struct md_detect *td_engine_cfg(const struct md_detect_cfg *cfg,
				const char *const *rules, size_t n);

/* IPv4 packet a:sp -> b:dp with payload; proto 6 or 17. */
void td_packet(struct md_packet *p, uint8_t proto, const char *src, uint16_t sp,
	       const char *dst, uint16_t dp, const void *payload, uint32_t len,
	       uint64_t ts_usec);
/* Flow for packet p (initiator = p's source), established, app "tp" when
 * app is true. */
void td_flow(struct md_flow *f, const struct md_packet *p, bool app);

/* Build a tx from "field=value;field=value" (field names of tp; attr takes
 * "attr:ARG=value"; uint fields decimal). Values may not contain ';'.
 * Progress set to complete unless `progress` >= 0. */
struct md_tx *td_tx(const char *spec, uint64_t id, int progress);
void td_tx_free(struct md_tx *tx);

/* Count alerts of sid in out. */
unsigned td_count(const struct md_alerts *out, uint32_t sid);

#endif
