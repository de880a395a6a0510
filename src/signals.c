/* signals.c - signal handlers that set flags; see signals.h. */
#include "signals.h"

#include <string.h>

volatile sig_atomic_t md_sig_stop;
static volatile sig_atomic_t pending[MD_SIG_COUNT];

static void on_signal(int sig)
{
	switch (sig) {
	case SIGINT:
	case SIGTERM:
		md_sig_stop = 1;
		pending[MD_SIG_STOP] = 1;
		break;
	case SIGHUP:
		pending[MD_SIG_HUP] = 1;
		break;
	case SIGUSR1:
		pending[MD_SIG_USR1] = 1;
		break;
	case SIGUSR2:
		pending[MD_SIG_USR2] = 1;
		break;
	default:
		break;
	}
}

int md_signals_install(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2};
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) != 0)
			return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

bool md_signal_take(enum md_sig s)
{
	if ((unsigned)s >= MD_SIG_COUNT || !pending[s])
		return false;
	if (s != MD_SIG_STOP)
		pending[s] = 0;
	return true;
}

void md_signal_raise(enum md_sig s)
{
	if ((unsigned)s >= MD_SIG_COUNT)
		return;
	if (s == MD_SIG_STOP)
		md_sig_stop = 1;
	pending[s] = 1;
}
