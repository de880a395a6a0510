/* counters.h - engine counters reported in EVE `stats` records.
 *
 * Each subsystem lists its counters in a .def file as
 * MD_CTR(ID, "dotted.stats.path"); the dotted path is where the value sits
 * under `stats` (Suricata's names where Suricata has the counter). A
 * worker owns one struct md_counters; stats sums them.
 */
#ifndef MD_COUNTERS_H
#define MD_COUNTERS_H

#include <stdint.h>

enum md_ctr_id {
#define MD_CTR(id, name) MD_CTR_##id,
#include "counters.def"
#undef MD_CTR
	MD_CTR_MAX
};

struct md_counters {
	uint64_t v[MD_CTR_MAX];
};

#define MD_INC(c, id)	 ((c)->v[MD_CTR_##id]++)
#define MD_ADD(c, id, n) ((c)->v[MD_CTR_##id] += (uint64_t)(n))
#define MD_SET(c, id, n) ((c)->v[MD_CTR_##id] = (uint64_t)(n))

/* Dotted stats path of counter id. */
const char *md_counter_name(enum md_ctr_id id);

#endif
