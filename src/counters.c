/* counters.c - names of the engine counters (counters.def). */
#include "counters.h"

static const char *const names[MD_CTR_MAX] = {
#define MD_CTR(id, name) [MD_CTR_##id] = name,
#include "counters.def"
#undef MD_CTR
};

const char *md_counter_name(enum md_ctr_id id)
{
	return (unsigned)id < MD_CTR_MAX ? names[id] : "";
}
