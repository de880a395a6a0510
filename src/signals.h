/* signals.h - process signals turned into flags the capture loops poll.
 *
 * Handlers only set flags (async-signal-safe); the loops act on them
 * between packets: SIGINT/SIGTERM stop (flush EVE, final stats), SIGHUP
 * reopens log files, SIGUSR1 writes an inventory snapshot, SIGUSR2
 * reloads rules and datasets. SIGPIPE is ignored (a closed socket output
 * is an error to count, not a reason to die).
 */
#ifndef MD_SIGNALS_H
#define MD_SIGNALS_H

#include <signal.h>
#include <stdbool.h>

enum md_sig {
	MD_SIG_STOP = 0, /* SIGINT, SIGTERM */
	MD_SIG_HUP,	 /* SIGHUP: reopen log files */
	MD_SIG_USR1,	 /* SIGUSR1: inventory snapshot */
	MD_SIG_USR2,	 /* SIGUSR2: reload rules and datasets */
	MD_SIG_COUNT,
};

/* The stop flag, for loops that take a `volatile sig_atomic_t *`. */
extern volatile sig_atomic_t md_sig_stop;

/* Install the handlers (sigaction, SA_RESTART off so blocking reads
 * return EINTR). Returns 0 or -1 with errno set. */
int md_signals_install(void);
/* Whether signal s arrived since the last call; clears it (MD_SIG_STOP is
 * never cleared). */
bool md_signal_take(enum md_sig s);
/* Raise s from inside the process (tests, the stop of a worker). */
void md_signal_raise(enum md_sig s);

#endif
