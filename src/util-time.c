/* util-time.c - EVE timestamps and clocks. */
#include "util-time.h"

#include <stdio.h>
#include <time.h>

char *md_time_format(char *buf, uint64_t usec)
{
	time_t secs = (time_t)(usec / 1000000u);
	struct tm tm;
	char date[24], zone[8];

	if (!localtime_r(&secs, &tm)) {
		snprintf(buf, MD_TS_LEN, "1970-01-01T00:00:00.000000+0000");
		return buf;
	}
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	snprintf(buf, MD_TS_LEN, "%s.%06u%s", date, (unsigned)(usec % 1000000u),
		 zone);
	return buf;
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
