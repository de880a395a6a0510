/* fz-util.c - helpers shared by the libFuzzer targets (fz-util.h).
 *
 * Normative reference: none (test support).
 */
#include "fz-util.h"

#include <dirent.h>
#include <glob.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "detect-int.h"
#include "mem.h"

static char scratch[512];

const char *fz_srcdir(void)
{
	const char *s = getenv("MD_SRCDIR");
	return s && *s ? s : MD_TOP_SRCDIR;
}

static void scratch_remove(void)
{
	DIR *d = opendir(scratch);
	struct dirent *e;
	char path[1024];
	while (d && (e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", scratch, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(scratch);
}

const char *fz_scratch(void)
{
	if (scratch[0])
		return scratch;
	const char *t = getenv("TMPDIR");
	snprintf(scratch, sizeof(scratch), "%s/medids-fuzz.XXXXXX",
		 t && *t ? t : "/tmp");
	if (!mkdtemp(scratch)) {
		perror(scratch);
		abort();
	}
	atexit(scratch_remove);
	return scratch;
}

int fz_copy_to_scratch(const char *src, const char *name)
{
	char path[1024], buf[4096];
	size_t n;
	snprintf(path, sizeof(path), "%s/%s", fz_scratch(), name);
	FILE *in = fopen(src, "rb");
	if (!in)
		return -1;
	FILE *out = fopen(path, "wb");
	while (out && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	return out && fclose(out) == 0 ? 0 : -1;
}

void fz_scratch_rules(void)
{
	static const char *const pats[] = {"*.config", "*.lst"};
	char pat[1024];
	for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		glob_t g;
		snprintf(pat, sizeof(pat), "%s/rules/%s", fz_srcdir(), pats[i]);
		if (glob(pat, 0, NULL, &g) != 0)
			continue;
		for (size_t k = 0; k < g.gl_pathc; k++) {
			const char *slash = strrchr(g.gl_pathv[k], '/');
			fz_copy_to_scratch(g.gl_pathv[k], slash + 1);
		}
		globfree(&g);
	}
}

FILE *fz_devnull(void)
{
	static FILE *fp;
	if (!fp)
		fp = fopen("/dev/null", "w");
	return fp ? fp : stderr;
}

bool fz_names_special(const uint8_t *p, size_t n)
{
	static const char *const bad[] = {"/dev", "/proc", "/sys", "/run"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (memmem(p, n, bad[i], strlen(bad[i])))
			return true;
	return false;
}

void fz_detect_free(struct md_detect *d)
{
	if (!d)
		return;
	struct md_datasets *ds = d->ds;
	d->ds = NULL; /* md_detect_free saves the sets it still has */
	md_detect_free(d);
	md_datasets_free(ds);
}

void fz_engine_free(struct md_engine *e)
{
	if (!e)
		return;
	fz_detect_free(e->detect);
	e->detect = NULL;
	md_engine_free(e);
}

void fz_detect_reset(struct md_detect *d)
{
	if (!d)
		return;
	md_dthr_fini(d);
	if (md_dthr_init(d) != 0)
		abort(); /* out of memory in a test driver */
}

int fz_pkts_add(struct fz_pkts *s, const uint8_t *p, uint32_t len,
		uint64_t ts_usec)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct fz_pkt *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	uint8_t *d = malloc(len ? len : 1);
	if (!d)
		return -1;
	if (len)
		memcpy(d, p, len);
	s->v[s->n].data = d;
	s->v[s->n].len = len;
	s->v[s->n].ts_usec = ts_usec;
	s->n++;
	return 0;
}

long fz_pkts_load_pcap(struct fz_pkts *s, const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(path, errbuf);
	if (!pc)
		return -1;
	struct pcap_pkthdr *h;
	const u_char *data;
	long n = 0;
	while (pcap_datalink(pc) == DLT_EN10MB &&
	       pcap_next_ex(pc, &h, &data) == 1) {
		uint64_t ts =
		    (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
		if (fz_pkts_add(s, data, h->caplen, ts))
			break;
		n++;
	}
	pcap_close(pc);
	return n;
}

void fz_pkts_clear(struct fz_pkts *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].data);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

void fz_replay(struct md_worker *w, const struct fz_pkts *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct md_packet p = {0};
		p.data = s->v[i].data;
		p.caplen = p.wirelen = s->v[i].len;
		p.ts_usec = s->v[i].ts_usec;
		p.pcap_cnt = i + 1;
		p.linktype = DLT_EN10MB;
		md_worker_packet(w, &p);
	}
}

void fz_engine_cfg(struct md_engine_cfg *cfg)
{
	md_engine_cfg_defaults(cfg);
	snprintf(cfg->log_dir, sizeof(cfg->log_dir), "/dev");
	snprintf(cfg->eve_file, sizeof(cfg->eve_file), "null");
	snprintf(cfg->phi_key_file, sizeof(cfg->phi_key_file), "/dev/zero");
	snprintf(cfg->rule_path, sizeof(cfg->rule_path), "%s", fz_scratch());
	cfg->stats_interval = 0;
	cfg->csum_mode = MD_CSUM_NONE;
	cfg->flow.hash_size = 1024;
}
