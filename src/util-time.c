/* util-time.c - EVE timestamps and clocks. */
#include "util-time.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* The date and zone of the last second formatted, per thread: records
 * of one second share them, and localtime_r is costly. */
static __thread struct {
	time_t secs;
	bool valid;
	char date[24];
	char zone[8];
} cache;

char *md_time_format(char *buf, uint64_t usec)
{
	/* Years past 9999 do not fit the format: clamp. */
	if (usec > 253402300799999999ull)
		usec = 253402300799999999ull;
	time_t secs = (time_t)(usec / 1000000u);
	if (!cache.valid || cache.secs != secs) {
		struct tm tm;
		if (!localtime_r(&secs, &tm)) {
			snprintf(buf, MD_TS_LEN,
				 "1970-01-01T00:00:00.000000+0000");
			return buf;
		}
		strftime(cache.date, sizeof(cache.date), "%Y-%m-%dT%H:%M:%S",
			 &tm);
		strftime(cache.zone, sizeof(cache.zone), "%z", &tm);
		cache.secs = secs;
		cache.valid = true;
	}
	unsigned us = (unsigned)(usec % 1000000u);
	size_t n = strlen(cache.date);
	memcpy(buf, cache.date, n);
	buf[n++] = '.';
	for (int i = 5; i >= 0; i--, us /= 10)
		buf[n + (size_t)i] = (char)('0' + us % 10);
	n += 6;
	snprintf(buf + n, MD_TS_LEN - n, "%s", cache.zone);
	return buf;
}

/* Forget the cached date (the time zone changed). */
void md_time_reset_cache(void)
{
	cache.valid = false;
}

uint64_t md_time_mono_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t md_time_now_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
