/* md-streamdump.c - write the bytes TCP reassembly delivers, per flow and
 * direction, so tests can compare them with another reassembler.
 *
 *   md-streamdump [-k none|all] PCAP OUTDIR
 *
 * Each TCP flow gets an index N in order of creation and two files,
 * OUTDIR/N-<client>_<cport>-<server>_<sport>.ts (client to server) and
 * .tc; a line "N client:port server:port ts_bytes tc_bytes ts_gaps
 * tc_gaps" is printed when the flow ends.
 */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "flow.h"
#include "stream.h"

struct dump {
	unsigned idx;
	FILE *fp[2];
	unsigned long long bytes[2], gaps[2];
	char name[256];
};

struct tool {
	const char *outdir;
	unsigned next;
	struct md_stream_ctx stream;
	struct md_counters ctr;
};

static void addr(char *b, size_t n, const struct md_addr *a, int ver)
{
	inet_ntop(ver == 6 ? AF_INET6 : AF_INET, a->b, b, (socklen_t)n);
}

static struct dump *dump_of(struct tool *t, struct md_flow *f)
{
	char a[64], b[64], path[1024];
	if (f->app)
		return f->app;
	struct dump *d = calloc(1, sizeof(*d));
	if (!d)
		exit(1);
	d->idx = t->next++;
	addr(a, sizeof(a), &f->key.a, f->key.ip_ver);
	addr(b, sizeof(b), &f->key.b, f->key.ip_ver);
	snprintf(d->name, sizeof(d->name), "%u-%s_%u-%s_%u", d->idx, a,
		 f->key.ap, b, f->key.bp);
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s.%s", t->outdir, d->name,
			 i ? "tc" : "ts");
		d->fp[i] = fopen(path, "wb");
		if (!d->fp[i]) {
			perror(path);
			exit(1);
		}
	}
	f->app = d;
	return d;
}

static void on_data(void *user, struct md_flow *f, int dir, const uint8_t *p,
		    uint32_t len, const struct md_packet *pkt)
{
	(void)pkt;
	struct dump *d = dump_of(user, f);
	fwrite(p, 1, len, d->fp[dir]);
	d->bytes[dir] += len;
}

static void on_gap(void *user, struct md_flow *f, int dir, uint64_t len)
{
	(void)len;
	dump_of(user, f)->gaps[dir]++;
}

static void on_end(void *user, struct md_flow *f)
{
	struct tool *t = user;
	if (f->key.proto != 6)
		return;
	md_stream_flow_end(&t->stream, f);
	struct dump *d = dump_of(t, f);
	char a[64], b[64];
	addr(a, sizeof(a), &f->key.a, f->key.ip_ver);
	addr(b, sizeof(b), &f->key.b, f->key.ip_ver);
	printf("%u %s:%u %s:%u %llu %llu %llu %llu\n", d->idx, a, f->key.ap, b,
	       f->key.bp, d->bytes[0], d->bytes[1], d->gaps[0], d->gaps[1]);
	fclose(d->fp[0]);
	fclose(d->fp[1]);
	free(d);
	f->app = NULL;
}

int main(int argc, char **argv)
{
	struct tool t = {0};
	struct md_decode_cfg dc = {0};
	struct md_decode_ctx dec;
	struct md_flow_cfg fc;
	struct md_flow_table ft;
	struct md_stream_cfg sc = {256u << 20, 0, true, 4096};
	struct md_stream_ops ops = {on_data, on_gap, NULL, NULL};
	char errbuf[PCAP_ERRBUF_SIZE];
	int a = 1;

	if (argc > 2 && !strcmp(argv[1], "-k")) {
		dc.csum_check = !strcmp(argv[2], "all");
		a = 3;
	}
	if (argc - a != 2) {
		fprintf(stderr,
			"usage: md-streamdump [-k none|all] PCAP OUTDIR\n");
		return 2;
	}
	t.outdir = argv[a + 1];
	pcap_t *pc = pcap_open_offline(argv[a], errbuf);
	if (!pc) {
		fprintf(stderr, "md-streamdump: %s\n", errbuf);
		return 1;
	}
	dc.defrag_memcap = 32u << 20;
	dc.defrag_timeout = 60000000u;
	dc.defrag_max_frags = 256;
	dc.defrag_max_trackers = 1024;
	md_flow_cfg_defaults(&fc);
	if (md_decode_init(&dec, &dc, &t.ctr) ||
	    md_flow_table_init(&ft, &fc, &t.ctr, on_end, &t))
		return 1;
	md_stream_init(&t.stream, &sc, &t.ctr, &ops, &t);
	struct pcap_pkthdr *h;
	const u_char *data;
	while (pcap_next_ex(pc, &h, &data) == 1) {
		struct md_packet p = {0};
		p.data = data;
		p.caplen = h->caplen;
		p.wirelen = h->len;
		p.ts_usec =
		    (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
		p.linktype = pcap_datalink(pc);
		if (md_decode(&dec, &p) == MD_DECODE_OK && p.proto == 6 &&
		    (p.flags & MD_PKT_L4)) {
			struct md_flow *f = md_flow_lookup(&ft, &p);
			if (f) {
				dump_of(&t, f);
				md_stream_packet(&t.stream, f, &p);
				md_flow_touch(&ft, f);
			}
		}
		md_packet_release(&p);
	}
	md_flow_table_fini(&ft);
	md_decode_fini(&dec);
	pcap_close(pc);
	return 0;
}
