/* capture.h - packet sources. Replay (libpcap, pcap and pcapng) here;
 * NFQUEUE comes with inline mode. */
#ifndef MD_CAPTURE_H
#define MD_CAPTURE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine.h"
#include "progress.h"

/* Captures of a replay path: the file itself, or every file of a directory
 * that starts with a pcap or pcapng magic number, in name order. On success
 * *files is an array of *n md_malloc'd paths (md_capture_files_free). Returns
 * 0, or MD_E_IO with err set. */
int md_capture_list(const char *path, char ***files, size_t *n, char *err,
		    size_t errlen);
void md_capture_files_free(char **files, size_t n);

/* Replay each file through worker w, in order; unreadable or truncated
 * files are reported on stderr, counted (capture.errors) and skipped.
 * Stops early when *stop becomes non-zero. Returns the number of files
 * that could not be opened. */
size_t md_capture_replay(struct md_worker *w, char **files, size_t n,
			 struct md_progress *pr, volatile sig_atomic_t *stop);

#endif
