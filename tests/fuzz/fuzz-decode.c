/* fuzz-decode.c - libFuzzer target for the whole packet pipeline: decode
 * (Ethernet, VLAN, IPv4/IPv6 with defragmentation, TCP/UDP/ICMP) -> flow
 * table -> TCP reassembly -> app layer (the built-in parsers: HL7, DICOM)
 * -> detection -> EVE records, through an engine worker as a replay runs
 * it (src/main.c). The input is a small capture.
 *
 * Normative reference: none (test driver). Input layout:
 *
 *   +-----+------------------------------------------------------------+
 *   | ctl | record | record | ...                                      |
 *   +-----+------------------------------------------------------------+
 *   record:
 *   +-------------+-------------+-------------------------------------+
 *   | len (2, BE) | dt (2, BE)  | Ethernet frame, len bytes           |
 *   +-------------+-------------+-------------------------------------+
 *   dt: time since the previous packet: milliseconds, or with bit 15
 *   set (dt & 0x7fff) seconds, so flow and fragment timeouts are
 *   reachable. A last record shorter than len takes what is left.
 *
 *   ctl bits 0-1: checksums (0 not checked, 1 checked, 2-3 auto)
 *       bit 2: small memcaps, queues and parser limits
 *       bits 3-4: defragmentation policy
 *       bit 5: no midstream pickup
 *       bit 6: no rules (detection off)
 *
 * The rules are the shipped rules/ *.rules plus the few below that reach
 * the payload, stream, flowbits and parser-field keywords. So that every
 * input runs alone, rules that change a dataset are left out and the
 * threshold counts are reset before each input. A fresh worker per input;
 * the engine (EVE to /dev/null, detection) is made once.
 *
 * Seeds: tests/fuzz/make-seeds.py cuts the captures of pcaps/ into inputs
 * of this layout.
 */
#include <glob.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "fz-util.h"
#include "registry.h"
#include "rules-load.h"

#define FZ_BASE_USEC (1700000000ull * 1000000u)

static const char *const extra_rules[] = {
    "alert tcp any any -> any any (msg:\"fz stream\"; flow:established,"
    "to_server; content:\"MSH|7c|\"; pcre:\"/^MSH\\|[^|]{0,8}\\|/m\"; "
    "sid:1;)",
    "alert tcp any any -> any any (msg:\"fz bytes\"; content:\"|01 00|\"; "
    "depth:2; byte_test:4,>,16,2; byte_jump:4,2,relative; sid:2;)",
    "alert tcp any any -> any any (msg:\"fz bits\"; flow:to_server; "
    "flowbits:set,fz.seen; flowint:fz.n,+,1; noalert; sid:3;)",
    "alert tcp any any -> any any (msg:\"fz bits 2\"; flow:to_client; "
    "flowbits:isset,fz.seen; flowint:fz.n,>,2; content:\"|1c 0d|\"; "
    "sid:4;)",
    "alert hl7 any any -> any any (msg:\"fz hl7\"; hl7.message_type; "
    "content:\"ADT\"; startswith; sid:5;)",
    "alert hl7 any any -> any any (msg:\"fz hl7 field\"; "
    "hl7.field:PID-5.1; content:\"e\"; nocase; sid:6;)",
    "alert hl7 any any -> any any (msg:\"fz hl7 seg\"; hl7.segment; "
    "pcre:\"/^OBX\\|\\d+\\|ED\\|/\"; hl7.segments:>2; sid:7;)",
    "alert hl7 any any -> any any (msg:\"fz hl7 ed\"; hl7.ed_data; "
    "filemagic:\"executable\"; sid:8;)",
    "alert dicom any any -> any any (msg:\"fz dicom ae\"; dicom.calling_ae; "
    "content:\"SCU\"; sid:9;)",
    "alert dicom any any -> any any (msg:\"fz dicom cmd\"; dicom.command; "
    "content:\"-RQ\"; endswith; sid:10;)",
    "alert dicom any any -> any any (msg:\"fz dicom attr\"; "
    "dicom.attribute:PatientName; content:\"*\"; sid:11;)",
    "alert dicom any any -> any any (msg:\"fz dicom pdu\"; "
    "dicom.pdu_type:1; dicom.presentation_contexts:>1; sid:12;)",
    "alert ip any any -> any any (msg:\"fz ttl\"; ttl:<2; sid:13;)",
    "alert tcp any any -> any any (msg:\"fz flags\"; flags:S,12; "
    "dsize:>0; sid:14;)",
    "alert udp any any -> any any (msg:\"fz udp\"; content:\"|00 00|\"; "
    "offset:2; isdataat:4,relative; sid:15;)",
    "alert tcp any any -> any any (msg:\"fz app\"; "
    "app-layer-protocol:failed; sid:16;)",
};

static struct md_engine *eng;
static struct md_engine_cfg base;

/* Rules that change a dataset would make inputs depend on each other
 * (threshold counts are reset before each input instead). */
static bool stateful(const char *text)
{
	return strstr(text, "dataset:set") || strstr(text, "dataset: set") ||
	       strstr(text, "dataset:unset") ||
	       strstr(text, "dataset: unset") || strstr(text, "save ") ||
	       strstr(text, "state ");
}

static struct md_detect *load_rules(void)
{
	char pat[1024], err[512];
	struct md_ruleset rs = {0};
	glob_t g;
	snprintf(pat, sizeof(pat), "%s/rules/*.rules", fz_srcdir());
	if (glob(pat, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			md_rules_load_file(&rs, g.gl_pathv[i], fz_devnull());
		globfree(&g);
	}
	struct md_detect_cfg dc = {.rule_dir = base.rule_path,
				   .data_dir = fz_scratch()};
	struct md_detect *d = md_detect_new(&dc, fz_devnull(), false);
	for (size_t i = 0; d && i < rs.n; i++)
		if (!stateful(rs.rules[i].text))
			md_detect_add_rule(d, rs.rules[i].text,
					   rs.rules[i].file, rs.rules[i].line,
					   err, sizeof(err));
	for (size_t i = 0; d && i < sizeof(extra_rules) / sizeof(char *); i++)
		if (md_detect_add_rule(d, extra_rules[i], "fuzz-decode.c",
				       (unsigned)i + 1, err, sizeof(err)))
			fprintf(stderr, "fuzz-decode: rule %zu: %s\n", i + 1,
				err);
	md_ruleset_fini(&rs);
	if (d && md_detect_build(d, err, sizeof(err))) {
		fprintf(stderr, "fuzz-decode: rules: %s\n", err);
		fz_detect_free(d);
		d = NULL;
	}
	if (d && getenv("MD_FUZZ_VERBOSE"))
		fprintf(stderr, "fuzz-decode: %llu rules loaded\n",
			(unsigned long long)md_detect_get_stats(d)->loaded);
	return d;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[512];
	(void)argc;
	(void)argv;
	md_registry_init();
	fz_engine_cfg(&base);
	fz_scratch_rules();
	if (md_engine_new(&eng, &base, NULL, err, sizeof(err))) {
		fprintf(stderr, "fuzz-decode: %s\n", err);
		abort();
	}
	eng->detect = load_rules();
	return 0;
}

/* Engine settings for one input, from its control byte. */
static void configure(struct md_engine_cfg *c, unsigned ctl)
{
	*c = base;
	c->csum_mode = (ctl & 3) == 0	? MD_CSUM_NONE
		       : (ctl & 3) == 1 ? MD_CSUM_ALL
					: MD_CSUM_AUTO;
	c->decode.defrag_policy = (enum md_defrag_policy)((ctl >> 3) & 3);
	c->stream.midstream = !(ctl & 0x20);
	if (ctl & 4) {
		struct md_limits small = {1024, 2048, 8, 64, 4, 3};
		c->flow.memcap = 64u << 10;
		c->flow.hash_size = 16;
		c->stream.memcap = 16u << 10;
		c->stream.max_queued = 8;
		c->stream.depth = 4096;
		c->app.lim = small;
		c->app.probe_max = 64;
		c->app.buf_memcap = 8u << 10;
		c->app.tx_memcap = 8u << 10;
		c->decode.defrag_memcap = 4u << 10;
		c->decode.defrag_max_frags = 4;
		c->decode.defrag_max_trackers = 4;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_pkts pk = {0};
	struct md_worker w;
	if (size < 1)
		return 0;
	unsigned ctl = data[0];
	uint64_t ts = FZ_BASE_USEC;
	size_t off = 1;
	while (size - off >= 4) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];
		unsigned dt = (unsigned)data[off + 2] << 8 | data[off + 3];
		off += 4;
		ts += dt & 0x8000 ? (uint64_t)(dt & 0x7fff) * 1000000u
				  : (uint64_t)dt * 1000u;
		if (len > size - off)
			len = size - off;
		if (fz_pkts_add(&pk, data + off, (uint32_t)len, ts))
			break;
		off += len;
	}
	configure(&eng->cfg, ctl);
	fz_detect_reset(eng->detect);
	if (md_worker_init(&w, eng) == 0) {
		if ((ctl & 0x40) && w.dt) {
			md_detect_thread_free(w.dt);
			w.dt = NULL;
		}
		fz_replay(&w, &pk);
		md_worker_fini(&w);
		struct md_worker *wp = &w;
		md_engine_stats(eng, &wp, 1, w.now_usec);
	}
	fz_pkts_clear(&pk);
	return 0;
}
