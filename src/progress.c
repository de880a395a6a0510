/* progress.c - replay progress line (see progress.h). */
#include "progress.h"

#include <stdio.h>
#include <unistd.h>

#include "util-time.h"

void md_progress_init(struct md_progress *pr, unsigned files_total, bool force)
{
	*pr = (struct md_progress){0};
	pr->enabled = force || isatty(STDERR_FILENO);
	pr->files_total = files_total;
	pr->start_usec = pr->last_usec = md_time_mono_usec();
}

static void draw(struct md_progress *pr, uint64_t now)
{
	double secs = (double)(now - pr->start_usec) / 1e6;
	double mbps = secs > 0 ? (double)pr->bytes / 1e6 / secs : 0.0;
	fprintf(stderr, "\r\033[Kmedids: file %u/%u %s  %llu pkts  %.1f MB/s",
		pr->file_no, pr->files_total, pr->file ? pr->file : "",
		(unsigned long long)pr->pkts, mbps);
	fflush(stderr);
	pr->drawn = true;
	pr->last_usec = now;
}

void md_progress_packet(struct md_progress *pr, uint32_t caplen)
{
	pr->pkts++;
	pr->bytes += caplen;
	if (!pr->enabled || (pr->pkts & 1023u))
		return;
	uint64_t now = md_time_mono_usec();
	if (now - pr->last_usec >= 500000u)
		draw(pr, now);
}

void md_progress_file(struct md_progress *pr, unsigned file_no,
		      const char *file)
{
	pr->file_no = file_no;
	pr->file = file;
	if (pr->enabled)
		draw(pr, md_time_mono_usec());
}

void md_progress_done(struct md_progress *pr)
{
	if (pr->enabled && pr->drawn) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
	}
}
