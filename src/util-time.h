/* util-time.h - timestamps in EVE's format and monotonic clocks. */
#ifndef MD_UTIL_TIME_H
#define MD_UTIL_TIME_H

#include <stddef.h>
#include <stdint.h>

#define MD_TS_LEN 40

/* Format usec since the epoch as local time with microseconds and a
 * +hhmm offset ("2026-11-28T19:11:31.123456+0000") into buf (MD_TS_LEN
 * bytes). Returns buf. */
char *md_time_format(char *buf, uint64_t usec);

/* Forget the per-thread date cache of md_time_format (after a time-zone
 * change, e.g. in tests). */
void md_time_reset_cache(void);

/* Monotonic clock in microseconds (for progress and stats intervals). */
uint64_t md_time_mono_usec(void);

/* Wall clock in microseconds since the epoch. */
uint64_t md_time_now_usec(void);

#endif
