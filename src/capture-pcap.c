/* capture-pcap.c - replay of pcap and pcapng files through libpcap.
 * Between packets the loop polls SIGHUP (reopen the EVE files). */
#include <dirent.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "capture.h"
#include "mem.h"
#include "signals.h"

void md_capture_files_free(char **files, size_t n)
{
	for (size_t i = 0; files && i < n; i++)
		md_free(files[i]);
	md_free(files);
}

static int one_file(const char *path, char ***files, size_t *n)
{
	*files = md_calloc(1, sizeof(char *));
	if (!*files || !((*files)[0] = md_strdup(path))) {
		md_free(*files);
		return MD_E_NOMEM;
	}
	*n = 1;
	return 0;
}

/* A regular file starting with a pcap or pcapng magic number. */
static int is_capture(const char *dir, const char *name)
{
	static const uint32_t magics[] = {0xa1b2c3d4u, 0xd4c3b2a1u, 0xa1b23c4du,
					  0x4d3cb2a1u, 0x0a0d0d0au};
	char p[4096];
	struct stat st;
	unsigned char m[4];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (name[0] == '.' || stat(p, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	FILE *fp = fopen(p, "rb");
	size_t got = fp ? fread(m, 1, 4, fp) : 0;
	if (fp)
		fclose(fp);
	uint32_t v = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 |
		     (uint32_t)m[2] << 8 | m[3];
	for (size_t i = 0; got == 4 && i < sizeof(magics) / sizeof(magics[0]);
	     i++)
		if (v == magics[i])
			return 1;
	return 0;
}

int md_capture_list(const char *path, char ***files, size_t *n, char *err,
		    size_t errlen)
{
	struct stat st;
	struct dirent **ents = NULL;
	*files = NULL;
	*n = 0;
	if (stat(path, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return MD_E_IO;
	}
	if (!S_ISDIR(st.st_mode)) {
		int rc = one_file(path, files, n);
		if (rc)
			snprintf(err, errlen, "%s: out of memory", path);
		return rc;
	}
	int cnt = scandir(path, &ents, NULL, alphasort);
	if (cnt < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return MD_E_IO;
	}
	*files = md_calloc((size_t)cnt + 1, sizeof(char *));
	for (int i = 0; i < cnt; i++) {
		if (*files && is_capture(path, ents[i]->d_name)) {
			size_t len = strlen(path) + strlen(ents[i]->d_name) + 2;
			char *p = md_malloc(len);
			if (p) {
				snprintf(p, len, "%s/%s", path,
					 ents[i]->d_name);
				(*files)[(*n)++] = p;
			}
		}
		free(ents[i]);
	}
	free(ents);
	if (!*files) {
		snprintf(err, errlen, "%s: out of memory", path);
		return MD_E_NOMEM;
	}
	return 0;
}

/* Packet time in microseconds. A record with a negative time (libpcap
 * reads 0xffffffff seconds as -1) or microseconds past a second counts
 * as an error and is clamped into range. */
static uint64_t ts_of(const struct pcap_pkthdr *h)
{
	int64_t s = (int64_t)h->ts.tv_sec, us = (int64_t)h->ts.tv_usec;
	if (s < 0)
		s = 0;
	if (us < 0)
		us = 0;
	if (us > 999999)
		us = 999999;
	return (uint64_t)s * 1000000u + (uint64_t)us;
}

/* Replay one file; returns 0, or -1 when it could not be opened. */
static int replay_file(struct md_worker *w, const char *file,
		       struct md_progress *pr, volatile sig_atomic_t *stop,
		       uint64_t *pcap_cnt)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(file, errbuf);
	if (!pc) {
		fprintf(stderr, "medids: %s: %s\n", file, errbuf);
		MD_INC(&w->ctr, CAPTURE_ERRORS);
		return -1;
	}
	int dlt = pcap_datalink(pc);
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc = 0;
	MD_INC(&w->ctr, CAPTURE_FILES);
	while (!*stop && (rc = pcap_next_ex(pc, &h, &data)) == 1) {
		struct md_packet p = {0};
		p.data = data;
		p.caplen = h->caplen;
		p.wirelen = h->len;
		p.ts_usec = ts_of(h);
		p.pcap_cnt = ++*pcap_cnt;
		p.linktype = dlt;
		md_worker_packet(w, &p);
		if (md_signal_take(MD_SIG_HUP)) /* logrotate: reopen files */
			md_eve_reopen(w->eng->eve);
		md_progress_packet(pr, h->caplen);
		if (md_signal_take(MD_SIG_USR1))
			md_engine_snapshot(w->eng);
		if (!(*pcap_cnt & 1023u))
			md_engine_stats_tick(w->eng, &w, 1, w->now_usec);
	}
	if (!*stop && rc == PCAP_ERROR) {
		fprintf(stderr, "medids: %s: %s (rest of file skipped)\n", file,
			pcap_geterr(pc));
		MD_INC(&w->ctr, CAPTURE_ERRORS);
	}
	pcap_close(pc);
	return 0;
}

/* SIGHUP, SIGUSR1 and SIGUSR2 only set flags this loop polls between
 * packets: let them restart an interrupted read, or a replay from a pipe
 * (tcpdump -w - | medids -r /dev/stdin) would end at logrotate's SIGHUP.
 * The stop signals still interrupt. */
static void restart_reads(void)
{
	static const int sigs[] = {SIGHUP, SIGUSR1, SIGUSR2};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction sa;
		if (sigaction(sigs[i], NULL, &sa) == 0 &&
		    sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN) {
			sa.sa_flags |= SA_RESTART;
			sigaction(sigs[i], &sa, NULL);
		}
	}
}

size_t md_capture_replay(struct md_worker *w, char **files, size_t n,
			 struct md_progress *pr, volatile sig_atomic_t *stop)
{
	uint64_t pcap_cnt = 0;
	restart_reads();
	size_t failed = 0;
	for (size_t i = 0; i < n && !*stop; i++) {
		md_progress_file(pr, (unsigned)i + 1, files[i]);
		if (replay_file(w, files[i], pr, stop, &pcap_cnt))
			failed++;
	}
	return failed;
}
