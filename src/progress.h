/* progress.h - the replay progress line on a terminal.
 *
 * On a TTY, stderr shows one line rewritten in place at most twice a
 * second: files done/total, current file, packets and MB/s. Silent when
 * stderr is not a terminal.
 */
#ifndef MD_PROGRESS_H
#define MD_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct md_progress {
	bool enabled;
	unsigned files_total, file_no;
	const char *file;
	uint64_t pkts, bytes;
	uint64_t start_usec, last_usec;
	bool drawn;
};

/* Start; enabled only when stderr is a terminal (or force is true). */
void md_progress_init(struct md_progress *pr, unsigned files_total, bool force);
/* Account one packet of caplen bytes; redraws when due. */
void md_progress_packet(struct md_progress *pr, uint32_t caplen);
/* A new file begins. */
void md_progress_file(struct md_progress *pr, unsigned file_no,
		      const char *file);
/* Clear the line at the end. */
void md_progress_done(struct md_progress *pr);

#endif
