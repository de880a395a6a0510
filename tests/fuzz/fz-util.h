/* fz-util.h - helpers shared by the libFuzzer targets in tests/fuzz/:
 * a private scratch directory, the guard against inputs that name device
 * or kernel files, freeing a detection engine without writing dataset
 * files, and packets replayed through an engine worker.
 *
 * Normative reference: none (test support). Each target must run every
 * input alone: what one input changes (files, engine state) must not
 * reach the next, and nothing the input names may be written to.
 */
#ifndef MD_FZ_UTIL_H
#define MD_FZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "detect.h"
#include "engine.h"

#ifndef MD_TOP_SRCDIR
#define MD_TOP_SRCDIR "."
#endif

/* The source tree (rules/, pcaps/): $MD_SRCDIR, else the one the target
 * was built from. */
const char *fz_srcdir(void);

/* A scratch directory made once per process and removed (with the files
 * in it, one level) at exit. Never NULL: aborts when none can be made,
 * which only happens at start-up. */
const char *fz_scratch(void);

/* Copy file `src` into the scratch directory under `name`. Returns 0, or
 * -1 when src cannot be read (the copy is then absent). */
int fz_copy_to_scratch(const char *src, const char *name);
/* Copy what rules read from the rule directory into the scratch directory:
 * rules/ *.config and the dataset lists rules/ *.lst. */
void fz_scratch_rules(void);

/* A stream on /dev/null for the engine's error messages. */
FILE *fz_devnull(void);

/* True when the bytes name a device, kernel or run-time file (/dev,
 * /proc, /sys, /run): a dataset `load` of /dev/zero or of a FIFO would
 * block or read forever. Such inputs are skipped. */
bool fz_names_special(const uint8_t *p, size_t n);

/* Free a detection engine (or an engine with its detection engine)
 * without saving datasets: rule text can name any `save` file. */
void fz_detect_free(struct md_detect *d);
void fz_engine_free(struct md_engine *e);
/* Forget the threshold and detection_filter counts of d (kept across
 * flows and workers), so the next input starts from none. */
void fz_detect_reset(struct md_detect *d);

/* Packets kept in memory (one exact-size allocation each, so a read past
 * a packet's end is an ASan report). */
struct fz_pkt {
	uint8_t *data;
	uint32_t len;
	uint64_t ts_usec;
};

struct fz_pkts {
	struct fz_pkt *v;
	size_t n, cap;
};

/* Append a copy of len bytes at p. Returns 0 or -1 (out of memory). */
int fz_pkts_add(struct fz_pkts *s, const uint8_t *p, uint32_t len,
		uint64_t ts_usec);
/* Append every packet of an Ethernet pcap file. Returns the number added,
 * or -1 when the file cannot be read. */
long fz_pkts_load_pcap(struct fz_pkts *s, const char *path);
/* Free the packets (the struct itself is the caller's). */
void fz_pkts_clear(struct fz_pkts *s);

/* Run the packets through w in order (link type Ethernet). */
void fz_replay(struct md_worker *w, const struct fz_pkts *s);

/* The engine configuration the targets share: EVE records to /dev/null,
 * a fixed PHI key (so keyed hashes run and stay the same), stats only at
 * the end, checksums not checked, a small flow hash. */
void fz_engine_cfg(struct md_engine_cfg *cfg);

#endif
