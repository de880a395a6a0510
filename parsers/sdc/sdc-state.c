/* sdc-state.c - the few SDC facts that span messages and flows, in small
 * process-wide tables behind one mutex, each with a fixed bound:
 *
 *   endpoints  MD_SDC_EPR_SLOTS entries: EPR address -> last XAddrs seen
 *              in a Hello, Bye, ProbeMatch or ResolveMatch; the least
 *              recently seen entry is replaced when full. A Bye that
 *              changes nothing removes its entry (the device left).
 *   pending    MD_SDC_TXN_SLOTS Set/Activate responses (MDIB SequenceId,
 *              TransactionId) not yet followed by an OperationInvokedReport;
 *              each expires after MD_SDC_REPORT_WINDOW further messages of
 *              the same MDIB sequence, the oldest is dropped when full.
 *   reporting  MD_SDC_SEQ_SLOTS MDIB sequences that sent at least one
 *              OperationInvokedReport (only those are expected to report
 *              every Set: a consumer that never subscribed sees none).
 *
 * Expiry counts messages, not seconds, so a replay gives the same result
 * as the live traffic. Normative reference: IEEE 11073-10207-2017 (the
 * InvocationInfo/TransactionId of Set responses and reports), OASIS
 * WS-Discovery 1.1 (Hello/Bye, XAddrs).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "sdc.h"

struct epr_slot {
	char epr[MD_SDC_KEY_MAX];
	char xaddrs[MD_SDC_KEY_MAX];
	uint64_t seen; /* clock of the last message about it; 0 = free */
};

struct txn_slot {
	uint64_t seq; /* hash of the MDIB SequenceId; 0 = free */
	uint64_t txid;
	uint64_t born;
	unsigned left; /* messages of seq still to wait */
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct epr_slot eprs[MD_SDC_EPR_SLOTS];
static struct txn_slot txns[MD_SDC_TXN_SLOTS];
static uint64_t reporting[MD_SDC_SEQ_SLOTS];
static size_t reporting_next;
static uint64_t clock_;

/* FNV-1a, never 0. */
static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return h ? h : 1;
}

int sdc_state_epr(const char *epr, const char *xaddrs, bool bye, char *prev,
		  size_t prevlen)
{
	int changed = 0;
	pthread_mutex_lock(&mu);
	uint64_t now = ++clock_;
	struct epr_slot *hit = NULL, *old = &eprs[0];
	for (size_t i = 0; i < MD_SDC_EPR_SLOTS; i++) {
		struct epr_slot *s = &eprs[i];
		if (s->seen && !strncmp(s->epr, epr, sizeof(s->epr) - 1)) {
			hit = s;
			break;
		}
		if (s->seen < old->seen)
			old = s;
	}
	if (hit && xaddrs[0] &&
	    strncmp(hit->xaddrs, xaddrs, sizeof(hit->xaddrs) - 1) != 0) {
		changed = 1;
		snprintf(prev, prevlen, "%s", hit->xaddrs);
	}
	if (hit && bye && !changed) {
		hit->seen = 0;
	} else if (xaddrs[0] && !bye) {
		struct epr_slot *s = hit ? hit : old;
		snprintf(s->epr, sizeof(s->epr), "%s", epr);
		snprintf(s->xaddrs, sizeof(s->xaddrs), "%s", xaddrs);
		s->seen = now;
	} else if (hit) {
		hit->seen = now;
	}
	pthread_mutex_unlock(&mu);
	return changed;
}

void sdc_state_set_response(const char *seq, uint64_t txid)
{
	uint64_t h = hash(seq);
	pthread_mutex_lock(&mu);
	uint64_t now = ++clock_;
	struct txn_slot *slot = &txns[0];
	for (size_t i = 0; i < MD_SDC_TXN_SLOTS; i++) {
		struct txn_slot *t = &txns[i];
		if (t->seq == h && t->txid == txid) {
			slot = t;
			break;
		}
		if (!t->seq || (slot->seq && t->born < slot->born))
			slot = t;
	}
	slot->seq = h;
	slot->txid = txid;
	slot->born = now;
	slot->left = MD_SDC_REPORT_WINDOW;
	pthread_mutex_unlock(&mu);
}

void sdc_state_report(const char *seq, uint64_t txid)
{
	uint64_t h = hash(seq);
	pthread_mutex_lock(&mu);
	bool known = false;
	for (size_t i = 0; i < MD_SDC_SEQ_SLOTS; i++)
		known = known || reporting[i] == h;
	if (!known) {
		reporting[reporting_next] = h;
		reporting_next = (reporting_next + 1) % MD_SDC_SEQ_SLOTS;
	}
	for (size_t i = 0; i < MD_SDC_TXN_SLOTS; i++)
		if (txns[i].seq == h && txns[i].txid == txid)
			txns[i].seq = 0;
	pthread_mutex_unlock(&mu);
}

size_t sdc_state_tick(const char *seq, uint64_t *out, size_t n)
{
	uint64_t h = hash(seq);
	size_t got = 0;
	pthread_mutex_lock(&mu);
	bool reports = false;
	for (size_t i = 0; i < MD_SDC_SEQ_SLOTS; i++)
		reports = reports || reporting[i] == h;
	for (size_t i = 0; i < MD_SDC_TXN_SLOTS; i++) {
		struct txn_slot *t = &txns[i];
		if (t->seq != h || --t->left > 0)
			continue;
		t->seq = 0;
		if (reports && got < n)
			out[got++] = t->txid;
	}
	pthread_mutex_unlock(&mu);
	return got;
}

void sdc_state_reset(void)
{
	pthread_mutex_lock(&mu);
	memset(eprs, 0, sizeof(eprs));
	memset(txns, 0, sizeof(txns));
	memset(reporting, 0, sizeof(reporting));
	reporting_next = 0;
	clock_ = 0;
	pthread_mutex_unlock(&mu);
}
