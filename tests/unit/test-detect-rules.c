/* test-detect-rules.c - rule headers (actions, protocols, addresses,
 * ports, vars), flowbits and flowints across the packets of a flow,
 * thresholds in packet time, threshold.config, datasets, actions and
 * their order, pass, transactions (once per rule and tx, progress),
 * app-layer and decode events, raw stream matching across chunks, alert
 * fields, statistics and --list-keywords.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "decode.h"
#include "engine.h" /* config.h and applayer.h from src/ */
#include "registry.h"
#include "test-detect-util.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* One packet through a fresh thread; returns the alerts. */
static struct md_alerts pkt(struct md_detect *d, struct md_flow *f,
			    uint8_t proto, const char *src, uint16_t sp,
			    const char *dst, uint16_t dp, const char *payload,
			    uint64_t ts)
{
	struct md_alerts out = {0};
	struct md_packet p;
	td_packet(&p, proto, src, sp, dst, dp, payload,
		  (uint32_t)strlen(payload), ts);
	if (f) {
		p.dir =
		    memcmp(&f->key.a, &p.src, sizeof(p.src)) || f->key.ap != sp;
		f->last_usec = ts;
	}
	struct md_detect_thread *t = md_detect_thread_new(d);
	md_detect_packet(t, f, &p, &out);
	md_detect_thread_free(t);
	return out;
}

static unsigned hits(struct md_detect *d, const char *src, uint16_t sp,
		     const char *dst, uint16_t dp, uint32_t sid)
{
	struct md_alerts out = pkt(d, NULL, 17, src, sp, dst, dp, "x", 1);
	return td_count(&out, sid);
}

/* ---- header ----------------------------------------------------------- */

static void test_addresses_ports(void **st)
{
	(void)st;
	const char *rules[] = {
	    "alert udp [10.0.0.0/8,!10.1.0.0/16] any -> any "
	    "[1000:2000,!1500] (sid:1;)",
	    "alert udp any any -> 192.168.1.0/255.255.255.0 :99 (sid:2;)",
	    "alert udp 172.16.0.1-172.16.0.9 any <> 172.17.0.1 5000: (sid:3;)",
	    "alert udp ![10.0.0.0/8,[192.168.0.0/16]] any -> any any (sid:4;)",
	    "alert udp [ 10.9.9.9 , 10.9.9.8 ] [1, 2,3] -> any any (sid:5;)",
	};
	struct md_detect *d = td_engine(rules, N(rules));
	assert_int_equal(hits(d, "10.2.3.4", 1, "1.1.1.1", 1000, 1), 1);
	assert_int_equal(hits(d, "10.2.3.4", 1, "1.1.1.1", 2000, 1), 1);
	assert_int_equal(hits(d, "10.1.3.4", 1, "1.1.1.1", 1000, 1), 0);
	assert_int_equal(hits(d, "10.2.3.4", 1, "1.1.1.1", 1500, 1), 0);
	assert_int_equal(hits(d, "10.2.3.4", 1, "1.1.1.1", 2001, 1), 0);
	assert_int_equal(hits(d, "11.2.3.4", 1, "1.1.1.1", 1000, 1), 0);
	assert_int_equal(hits(d, "1.1.1.1", 1, "192.168.1.7", 99, 2), 1);
	assert_int_equal(hits(d, "1.1.1.1", 1, "192.168.1.7", 100, 2), 0);
	assert_int_equal(hits(d, "1.1.1.1", 1, "192.168.2.7", 0, 2), 0);
	/* <> matches both ways */
	assert_int_equal(hits(d, "172.16.0.5", 1, "172.17.0.1", 5000, 3), 1);
	assert_int_equal(hits(d, "172.17.0.1", 5000, "172.16.0.9", 1, 3), 1);
	assert_int_equal(hits(d, "172.16.0.10", 1, "172.17.0.1", 5000, 3), 0);
	assert_int_equal(hits(d, "172.16.0.5", 1, "172.17.0.1", 4999, 3), 0);
	assert_int_equal(hits(d, "8.8.8.8", 1, "1.1.1.1", 1, 4), 1);
	assert_int_equal(hits(d, "192.168.3.3", 1, "1.1.1.1", 1, 4), 0);
	assert_int_equal(hits(d, "10.9.9.8", 2, "1.1.1.1", 1, 5), 1);
	assert_int_equal(hits(d, "10.9.9.8", 4, "1.1.1.1", 1, 5), 0);
	md_detect_free(d);
}

static void test_ipv6_and_protocols(void **st)
{
	(void)st;
	const char *rules[] = {
	    "alert ip 2001:db8::/32 any -> any any (sid:1;)",
	    "alert tcp any any -> any any (flow:to_server,no_stream; sid:2;)",
	    "alert icmp any any -> any any (itype:8; icode:0; sid:3;)",
	    "alert ip any any -> any any (ttl:64; sid:4;)",
	    "alert pkthdr any any -> any any (sid:5;)",
	    "alert tcp-pkt any any -> any 80 (content:\"GET\"; sid:6;)",
	};
	struct md_detect *d = td_engine(rules, N(rules));
	struct md_packet p;
	struct md_alerts out = {0};
	struct md_detect_thread *t = md_detect_thread_new(d);
	td_packet(&p, 17, "1.1.1.1", 1, "2.2.2.2", 2, "x", 1, 1);
	p.ip_ver = 6;
	memset(p.src.b, 0, 16);
	inet_pton(AF_INET6, "2001:db8::5", p.src.b);
	md_detect_packet(t, NULL, &p, &out);
	assert_int_equal(td_count(&out, 1), 1);
	assert_int_equal(td_count(&out, 2), 0);
	assert_int_equal(td_count(&out, 5), 1);
	memset(&out, 0, sizeof(out));
	td_packet(&p, 1, "1.1.1.1", 0, "2.2.2.2", 0, "", 0, 1);
	p.flags &= ~MD_PKT_L4;
	p.icmp_type = 8;
	md_detect_packet(t, NULL, &p, &out);
	assert_int_equal(td_count(&out, 3), 1);
	assert_int_equal(td_count(&out, 4), 1);
	assert_int_equal(td_count(&out, 1), 0);
	memset(&out, 0, sizeof(out));
	td_packet(&p, 6, "1.1.1.1", 1, "2.2.2.2", 80, "GET /", 5, 1);
	md_detect_packet(t, NULL, &p, &out);
	assert_int_equal(td_count(&out, 2), 0); /* flow keyword needs a flow */
	assert_int_equal(td_count(&out, 6), 1); /* tcp-pkt: a packet rule */
	/* a packet without IP only sees pkthdr rules */
	memset(&out, 0, sizeof(out));
	memset(&p, 0, sizeof(p));
	md_detect_packet(t, NULL, &p, &out);
	assert_int_equal(out.n, 1);
	assert_int_equal(td_count(&out, 5), 1);
	md_detect_thread_free(t);
	md_detect_free(d);
}

static void test_vars(void **st)
{
	(void)st;
	const char *yaml = "vars:\n"
			   "  address-groups:\n"
			   "    HOME_NET: \"[10.0.0.0/8]\"\n"
			   "    EXTERNAL_NET: \"!$HOME_NET\"\n"
			   "    PACS_SERVERS: \"[10.1.1.10,10.1.1.11]\"\n"
			   "    MODALITIES: \"[$HOME_NET,!$PACS_SERVERS]\"\n"
			   "  port-groups:\n"
			   "    DICOM_PORTS: \"[104,11112]\"\n";
	char err[256];
	struct md_conf *c;
	assert_int_equal(
	    md_conf_load_string(&c, "t.yaml", yaml, err, sizeof(err)), 0);
	struct md_detect_cfg cfg = {.conf = c, .rule_dir = td_rule_dir()};
	const char *rules[] = {
	    "alert udp $EXTERNAL_NET any -> $PACS_SERVERS $DICOM_PORTS "
	    "(sid:1;)",
	    "alert udp $MODALITIES any -> $PACS_SERVERS any (sid:2;)",
	    "alert udp any any -> any $HL7_PORTS (sid:3;)",
	    "alert udp any any -> any !$DICOM_PORTS (sid:4;)",
	};
	struct md_detect *d = td_engine_cfg(&cfg, rules, N(rules));
	assert_int_equal(hits(d, "8.8.8.8", 1, "10.1.1.10", 104, 1), 1);
	assert_int_equal(hits(d, "8.8.8.8", 1, "10.1.1.12", 104, 1), 0);
	assert_int_equal(hits(d, "10.0.0.1", 1, "10.1.1.10", 104, 1), 0);
	assert_int_equal(hits(d, "8.8.8.8", 1, "10.1.1.11", 105, 1), 0);
	assert_int_equal(hits(d, "10.2.0.1", 1, "10.1.1.11", 5, 2), 1);
	assert_int_equal(hits(d, "10.1.1.10", 1, "10.1.1.11", 5, 2), 0);
	assert_int_equal(hits(d, "1.1.1.1", 1, "2.2.2.2", 6661, 3), 1);
	assert_int_equal(hits(d, "1.1.1.1", 1, "2.2.2.2", 104, 4), 0);
	assert_int_equal(hits(d, "1.1.1.1", 1, "2.2.2.2", 105, 4), 1);
	md_detect_free(d);
	md_conf_free(c);
}

static void test_bad_vars(void **st)
{
	(void)st;
	const char *yaml = "vars:\n"
			   "  address-groups:\n"
			   "    HOME_NET: \"[10.0.0.0/33]\"\n"
			   "  port-groups:\n"
			   "    HL7_PORTS: \"[2575,70000]\"\n";
	char err[256], *buf = NULL;
	size_t len = 0;
	struct md_conf *c;
	assert_int_equal(
	    md_conf_load_string(&c, "t.yaml", yaml, err, sizeof(err)), 0);
	FILE *errs = open_memstream(&buf, &len);
	struct md_detect_cfg cfg = {.conf = c, .rule_dir = td_rule_dir()};
	assert_null(md_detect_new(&cfg, errs, true));
	struct md_detect *d = md_detect_new(&cfg, errs, false);
	assert_non_null(d);
	fclose(errs);
	assert_non_null(strstr(buf, "t.yaml:3: vars.address-groups.HOME_NET:"));
	assert_non_null(strstr(buf, "t.yaml:5: vars.port-groups.HL7_PORTS:"));
	char e[256];
	assert_int_equal(md_detect_add_rule(d,
					    "alert udp $NOPE any -> any any "
					    "(sid:1;)",
					    "f", 1, e, sizeof(e)),
			 MD_E_INVAL);
	assert_non_null(strstr(e, "undefined variable $NOPE"));
	assert_int_equal(md_detect_add_rule(d,
					    "alert udp $HL7_PORTS any -> any "
					    "any (sid:2;)",
					    "f", 2, e, sizeof(e)),
			 MD_E_INVAL);
	assert_non_null(strstr(e, "port group"));
	md_detect_free(d);
	md_conf_free(c);
	free(buf);
}

/* ---- flowbits and flowints ----------------------------------------------- */

static void test_flowbits(void **st)
{
	(void)st;
	const char *rules[] = {
	    "alert udp any any -> any any (content:\"CMD\"; "
	    "flowbits:isset,logged; sid:2;)",
	    "alert udp any any -> any any (content:\"CMD\"; "
	    "flowbits:isnotset,logged; sid:3;)",
	    "alert udp any any -> any any (content:\"LOGIN\"; "
	    "flowbits:set,logged; flowbits:noalert; sid:1;)",
	    "alert udp any any -> any any (content:\"LOGOUT\"; "
	    "flowbits:unset,logged; noalert; sid:4;)",
	    "alert udp any any -> any any (content:\"T\"; "
	    "flowbits:toggle,t; noalert; sid:5;)",
	    "alert udp any any -> any any (content:\"Q\"; "
	    "flowbits:isset,t|logged; sid:6;)",
	    "alert udp any any -> any any (content:\"Q\"; "
	    "flowbits:isset,t&logged; sid:7;)",
	    "alert udp any any -> any any (content:\"S2\"; "
	    "flowbits:set,a&b; noalert; sid:8;)",
	    "alert udp any any -> any any (content:\"Q\"; "
	    "flowbits:isset,a&b; sid:9;)",
	};
	struct md_detect *d = td_engine(rules, N(rules));
	struct md_packet p0;
	struct md_flow f;
	td_packet(&p0, 17, "10.0.0.1", 1, "10.0.0.2", 2, "", 0, 1);
	td_flow(&f, &p0, false);
	struct md_alerts o;
	o = pkt(d, &f, 17, "10.0.0.1", 1, "10.0.0.2", 2, "CMD", 1);
	assert_int_equal(td_count(&o, 2), 0);
	assert_int_equal(td_count(&o, 3), 1);
	o = pkt(d, &f, 17, "10.0.0.1", 1, "10.0.0.2", 2, "LOGIN", 2);
	assert_int_equal(o.n, 0); /* noalert */
	o = pkt(d, &f, 17, "10.0.0.2", 2, "10.0.0.1", 1, "CMD", 3);
	assert_int_equal(td_count(&o, 2), 1);
	assert_int_equal(td_count(&o, 3), 0);
	o = pkt(d, &f, 17, "10.0.0.1", 1, "10.0.0.2", 2, "Q", 4);
	assert_int_equal(td_count(&o, 6), 1);
	assert_int_equal(td_count(&o, 7), 0);
	o = pkt(d, &f, 17, "10.0.0.1", 1, "10.0.0.2", 2, "T Q", 5);
	assert_int_equal(td_count(&o, 7), 1); /* set before checked */
	o = pkt(d, &f, 17, "10.0.0.1", 1, "10.0.0.2", 2, "LOGOUT T Q", 6);
	assert_int_equal(td_count(&o, 6), 0);
	assert_int_equal(td_count(&o, 9), 0);
	o = pkt(d, &f, 17, "10.0.0.1", 1, "10.0.0.2", 2, "S2 Q", 7);
	assert_int_equal(td_count(&o, 9), 1);
	md_detect_flow_free(&f);
	/* without a flow nothing is set or seen */
	o = pkt(d, NULL, 17, "10.0.0.1", 1, "10.0.0.2", 2, "LOGIN CMD", 8);
	assert_int_equal(o.n, 0);
	md_detect_free(d);
}

static void test_flowint(void **st)
{
	(void)st;
	const char *rules[] = {
	    "alert udp any any -> any any (content:\"X\"; flowint:cnt,+,1; "
	    "noalert; sid:1;)",
	    "alert udp any any -> any any (content:\"X\"; "
	    "flowint:cnt,>,2; sid:2;)",
	    "alert udp any any -> any any (content:\"R\"; flowint:cnt,=,0; "
	    "flowint:lim,=,1; noalert; sid:3;)",
	    "alert udp any any -> any any (content:\"C\"; "
	    "flowint:cnt,==,lim; sid:4;)",
	    "alert udp any any -> any any (content:\"C\"; "
	    "flowint:other,notset; sid:5;)",
	    "alert udp any any -> any any (content:\"D\"; flowint:cnt,-,5; "
	    "noalert; sid:6;)",
	    "alert udp any any -> any any (content:\"C\"; flowint:cnt,<,0; "
	    "flowint:cnt,isset; sid:7;)",
	};
	struct md_detect *d = td_engine(rules, N(rules));
	struct md_packet p0;
	struct md_flow f;
	td_packet(&p0, 17, "10.0.0.1", 1, "10.0.0.2", 2, "", 0, 1);
	td_flow(&f, &p0, false);
	unsigned got[5];
	for (int i = 0; i < 5; i++) {
		struct md_alerts o =
		    pkt(d, &f, 17, "10.0.0.1", 1, "10.0.0.2", 2, "X", 1);
		got[i] = td_count(&o, 2);
	}
	assert_int_equal(got[0] + got[1], 0);
	assert_int_equal(got[2] + got[3] + got[4], 3);
	struct md_alerts o;
	o = pkt(d, &f, 17, "10.0.0.1", 1, "10.0.0.2", 2, "C", 2);
	assert_int_equal(td_count(&o, 4), 0); /* lim not set */
	assert_int_equal(td_count(&o, 5), 1);
	pkt(d, &f, 17, "10.0.0.1", 1, "10.0.0.2", 2, "R", 3);
	pkt(d, &f, 17, "10.0.0.1", 1, "10.0.0.2", 2, "X", 3);
	o = pkt(d, &f, 17, "10.0.0.1", 1, "10.0.0.2", 2, "C", 4);
	assert_int_equal(td_count(&o, 4), 1); /* cnt 1 == lim 1 */
	pkt(d, &f, 17, "10.0.0.1", 1, "10.0.0.2", 2, "D", 5);
	o = pkt(d, &f, 17, "10.0.0.1", 1, "10.0.0.2", 2, "C", 6);
	assert_int_equal(td_count(&o, 7), 1); /* 1 - 5 < 0 */
	md_detect_flow_free(&f);
	md_detect_free(d);
}

/* ---- thresholds -----------------------------------------------------------
 */

#define SEC 1000000ull

static unsigned thr_run(struct md_detect *d, uint32_t sid, const char *src,
			uint64_t ts)
{
	struct md_alerts o = pkt(d, NULL, 17, src, 1, "10.0.0.2", 2, "T", ts);
	return td_count(&o, sid);
}

static void test_thresholds(void **st)
{
	(void)st;
	const char *rules[] = {
	    "alert udp any any -> any any (content:\"T\"; threshold: type "
	    "limit, track by_src, count 2, seconds 60; sid:1;)",
	    "alert udp any any -> any any (content:\"T\"; threshold: type "
	    "threshold, track by_rule, count 3, seconds 60; sid:2;)",
	    "alert udp any any -> any any (content:\"T\"; threshold: type "
	    "both, track by_src, count 2, seconds 60; sid:3;)",
	    "alert udp any any -> any any (content:\"T\"; "
	    "detection_filter: track by_dst, count 2, seconds 60; sid:4;)",
	};
	struct md_detect *d = td_engine(rules, N(rules));
	unsigned s1 = 0, s2 = 0, s3 = 0, s4 = 0;
	uint64_t t0 = 1000 * SEC;
	for (int i = 0; i < 7; i++) {
		uint64_t ts = t0 + (uint64_t)i * SEC;
		struct md_alerts o =
		    pkt(d, NULL, 17, "10.0.0.1", 1, "10.0.0.2", 2, "T", ts);
		s1 += td_count(&o, 1);
		s2 += td_count(&o, 2);
		s3 += td_count(&o, 3);
		s4 += td_count(&o, 4);
	}
	assert_int_equal(s1, 2); /* limit: first 2 */
	assert_int_equal(s2, 2); /* threshold: 3rd and 6th */
	assert_int_equal(s3, 1); /* both: once, on the 2nd */
	assert_int_equal(s4, 5); /* detection_filter: 3rd..7th */
	/* by_src: another source has its own count */
	assert_int_equal(thr_run(d, 1, "10.0.0.9", t0 + 8 * SEC), 1);
	assert_int_equal(thr_run(d, 1, "10.0.0.1", t0 + 8 * SEC), 0);
	/* the window opened at t0 ends at t0 + 60 s exactly */
	assert_int_equal(thr_run(d, 1, "10.0.0.1", t0 + 59 * SEC), 0);
	assert_int_equal(thr_run(d, 1, "10.0.0.1", t0 + 60 * SEC), 1);
	/* both: the new window's 2nd match (t0 + 60 was its 1st) */
	assert_int_equal(thr_run(d, 3, "10.0.0.1", t0 + 61 * SEC), 1);
	assert_int_equal(thr_run(d, 3, "10.0.0.1", t0 + 62 * SEC), 0);
	md_detect_free(d);
}

static char tmpdir[256];

static void write_file(const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static char *read_file(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return NULL;
	char *buf = calloc(1, 65536);
	fread(buf, 1, 65535, fp);
	fclose(fp);
	return buf;
}

static int setup_tmp(void **st)
{
	(void)st;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/md-detect-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **st)
{
	(void)st;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd);
}

static void test_threshold_config(void **st)
{
	(void)st;
	write_file("threshold.config",
		   "# site thresholds\n"
		   "threshold gen_id 1, sig_id 1, type limit, track by_src, "
		   "count 1, seconds 10\n"
		   "suppress gen_id 1, sig_id 2\n"
		   "suppress gen_id 1, sig_id 3, track by_src, ip "
		   "[10.0.0.1,10.0.0.3]\n"
		   "event_filter gen_id 1, sig_id 4, type threshold, track "
		   "by_src, count 2, seconds 10\n");
	char path[512];
	snprintf(path, sizeof(path), "%s/threshold.config", tmpdir);
	struct md_detect_cfg cfg = {.rule_dir = td_rule_dir(),
				    .threshold_file = path};
	const char *rules[] = {
	    "alert udp any any -> any any (content:\"T\"; threshold: type "
	    "limit, track by_src, count 5, seconds 60; sid:1;)",
	    "alert udp any any -> any any (content:\"T\"; sid:2;)",
	    "alert udp any any -> any any (content:\"T\"; sid:3;)",
	    "drop udp any any -> any any (content:\"T\"; sid:4;)",
	};
	struct md_detect *d = td_engine_cfg(&cfg, rules, N(rules));
	unsigned s1 = 0, s4 = 0;
	for (int i = 0; i < 4; i++) {
		struct md_alerts o = pkt(d, NULL, 17, "10.0.0.1", 1, "10.0.0.2",
					 2, "T", 1 * SEC + (uint64_t)i);
		s1 += td_count(&o, 1);
		s4 += td_count(&o, 4);
		assert_int_equal(td_count(&o, 2), 0);
		assert_int_equal(td_count(&o, 3), 0);
		assert_int_equal(o.drop, i % 2 == 1);
	}
	assert_int_equal(s1, 1);
	assert_int_equal(s4, 2);
	assert_int_equal(thr_run(d, 3, "10.0.0.2", 2 * SEC), 1);
	md_detect_free(d);
	/* errors are reported with file and line */
	write_file("bad.config", "threshold gen_id 1, sig_id 1, type nope\n"
				 "rate_filter gen_id 1, sig_id 1\n");
	snprintf(path, sizeof(path), "%s/bad.config", tmpdir);
	char *buf = NULL;
	size_t len = 0;
	FILE *errs = open_memstream(&buf, &len);
	assert_null(md_detect_new(&cfg, errs, true));
	fclose(errs);
	assert_non_null(strstr(buf, "bad.config:1:"));
	assert_non_null(strstr(buf, "bad.config:2: rate_filter"));
	free(buf);
}

/* ---- datasets ------------------------------------------------------------ */

static struct md_alerts tx_run(struct md_detect *d, const char *spec)
{
	struct md_alerts out = {0};
	struct md_packet p;
	struct md_flow f;
	td_packet(&p, 6, "10.0.0.1", 40000, "10.0.0.2", 9999, NULL, 0, 1);
	td_flow(&f, &p, true);
	struct md_tx *tx = td_tx(spec, 0, -1);
	struct md_detect_thread *t = md_detect_thread_new(d);
	md_detect_tx(t, &f, td_parser(), tx, &out);
	md_detect_thread_free(t);
	md_detect_flow_free(&f);
	td_tx_free(tx);
	return out;
}

static void test_datasets(void **st)
{
	(void)st;
	/* base64: STORESCU, FINDSCU */
	write_file("aes.lst", "U1RPUkVTQ1U=\nRklORFNDVQ==\n");
	write_file("md5.lst", "# hashes\n900150983cd24fb0d6963f7d28e17f72\n");
	write_file("ips.lst", "10.1.2.3\n");
	write_file("ip6.lst", "2001:db8::1\n");
	char path[512];
	snprintf(path, sizeof(path), "%s/saved.lst", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/threshold.config", tmpdir);
	unlink(path); /* the rule dir's threshold.config would apply */
	struct md_detect_cfg cfg = {.rule_dir = tmpdir,
				    .classification_file = NULL,
				    .data_dir = tmpdir};
	const char *rules[] = {
	    "alert tp any any -> any any (tp.name; dataset:isset,aes,type "
	    "string,load aes.lst; sid:1;)",
	    "alert tp any any -> any any (tp.name; dataset:isnotset,aes; "
	    "sid:2;)",
	    "alert tp any any -> any any (tp.tag; dataset:set,seen,type "
	    "string,save saved.lst; sid:3;)",
	    "alert tp any any -> any any (tp.attr:h; dataset:isset,h,type "
	    "md5,load md5.lst; sid:4;)",
	    "alert tp any any -> any any (tp.attr:ip; dataset:isset,ips,type "
	    "ipv4,load ips.lst; sid:5;)",
	    "alert tp any any -> any any (tp.attr:ip6; dataset:isset,i6,type "
	    "ipv6,load ip6.lst,memcap 1mb,hashsize 64; sid:6;)",
	    "alert tp any any -> any any (tp.attr:s; dataset:set,st,type "
	    "sha256,state st.lst; sid:7;)",
	};
	struct md_detect *d = td_engine_cfg(&cfg, rules, N(rules));
	struct md_alerts o = tx_run(d, "name=STORESCU");
	assert_int_equal(td_count(&o, 1), 1);
	assert_int_equal(td_count(&o, 2), 0);
	o = tx_run(d, "name=EVILSCU");
	assert_int_equal(td_count(&o, 1), 0);
	assert_int_equal(td_count(&o, 2), 1);
	o = tx_run(d, "tag=new1;tag=new2");
	assert_int_equal(td_count(&o, 3), 1);
	o = tx_run(d, "tag=new1");
	assert_int_equal(td_count(&o, 3), 0); /* set: only new values match */
	/* values of a multi buffer are tried until one matches: new1 is
	 * known, new2 is added now */
	o = tx_run(d, "tag=new1;tag=new2");
	assert_int_equal(td_count(&o, 3), 1);
	o = tx_run(d, "attr:H=900150983CD24FB0D6963F7D28E17F72");
	assert_int_equal(td_count(&o, 4), 1);
	o = tx_run(d, "attr:IP=10.1.2.3;attr:IP6=2001:db8:0::1");
	assert_int_equal(td_count(&o, 5), 1);
	assert_int_equal(td_count(&o, 6), 1);
	o = tx_run(d, "attr:IP=10.1.2.4;attr:IP6=2001:db8::2");
	assert_int_equal(o.n, 0);
	o = tx_run(d, "attr:S=ba7816bf8f01cfea414140de5dae2223b00361a396177a9c"
		      "b410ff61f20015ad");
	assert_int_equal(td_count(&o, 7), 1);
	md_detect_free(d); /* saves */
	char *saved = read_file("saved.lst");
	assert_non_null(saved);
	assert_non_null(strstr(saved, "bmV3MQ==\n")); /* new1 */
	assert_non_null(strstr(saved, "bmV3Mg==\n")); /* new2 */
	free(saved);
	saved = read_file("st.lst");
	assert_non_null(strstr(saved, "ba7816bf8f01cfea414140de5dae2223"));
	free(saved);
	/* a second engine loads the state file: the value is known */
	const char *again[] = {
	    "alert tp any any -> any any (tp.attr:s; dataset:isset,st,type "
	    "sha256,state st.lst; sid:7;)",
	};
	d = td_engine_cfg(&cfg, again, 1);
	o = tx_run(d, "attr:S=ba7816bf8f01cfea414140de5dae2223b00361a396177a9c"
		      "b410ff61f20015ad");
	assert_int_equal(td_count(&o, 7), 1);
	md_detect_free(d);
}

/* ---- actions, pass, alert fields ---------------------------------------- */

static void test_actions(void **st)
{
	(void)st;
	const char *rules[] = {
	    "alert udp any any -> any any (msg:\"a\"; content:\"X\"; "
	    "sid:1;)",
	    "reject udp any any -> any any (content:\"X\"; sid:2;)",
	    "drop udp any any -> any any (content:\"X\"; sid:3;)",
	    "rejectboth udp any any -> any any (content:\"X\"; sid:4;)",
	    "pass udp any any -> any any (content:\"OK\"; sid:5;)",
	    "alert udp any any -> any any (content:\"Y\"; sid:6;)",
	};
	struct md_detect *d = td_engine(rules, N(rules));
	struct md_packet p0;
	struct md_flow f;
	td_packet(&p0, 17, "10.0.0.1", 1, "10.0.0.2", 2, "", 0, 1);
	td_flow(&f, &p0, false);
	struct md_alerts o =
	    pkt(d, &f, 17, "10.0.0.1", 1, "10.0.0.2", 2, "X", 1);
	assert_int_equal(o.n, 4);
	assert_int_equal(o.a[0].sig->sid, 3);
	assert_int_equal(o.a[1].sig->action, MD_ACT_REJECT);
	assert_int_equal(o.a[2].sig->action, MD_ACT_REJECTBOTH);
	assert_int_equal(o.a[3].sig->sid, 1);
	assert_true(o.drop);
	assert_false(o.pass_flow);
	o = pkt(d, &f, 17, "10.0.0.1", 1, "10.0.0.2", 2, "OK X Y", 2);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.a[0].sig->sid, 5);
	assert_true(o.pass_flow);
	assert_false(o.drop);
	o = pkt(d, &f, 17, "10.0.0.1", 1, "10.0.0.2", 2, "X", 3);
	assert_int_equal(o.n, 0); /* the flow passed */
	md_detect_flow_free(&f);
	md_detect_free(d);
}

static void test_alert_fields(void **st)
{
	(void)st;
	const char *rules[] = {
	    "alert udp any any -> any any (msg:\"DICOM \\\"C-STORE\\\" "
	    "from \\;modality\"; content:\"X\"; classtype:"
	    "medical-device-attack; metadata: created_at 2024_01_01, "
	    "affected_product PACS; metadata:signature_severity Major; "
	    "target:dest_ip; gid:1; rev:3; sid:10;)",
	    "alert udp any any -> any any (content:\"X\"; "
	    "classtype:misc-activity; priority:1; sid:11;)",
	    "alert udp any any -> any any (content:\"X\"; sid:12;)",
	};
	struct md_detect *d = td_engine(rules, N(rules));
	struct md_alerts o =
	    pkt(d, NULL, 17, "10.0.0.1", 1, "10.0.0.2", 2, "X", 1);
	assert_int_equal(o.n, 3);
	const struct md_sig_info *a = NULL, *b = NULL, *c = NULL;
	for (unsigned i = 0; i < o.n; i++) {
		const struct md_sig_info *s = o.a[i].sig;
		if (s->sid == 10)
			a = s;
		else if (s->sid == 11)
			b = s;
		else
			c = s;
		assert_int_equal(o.a[i].tx_id, MD_TX_NONE);
	}
	assert_string_equal(a->msg, "DICOM \"C-STORE\" from ;modality");
	assert_string_equal(a->classtype, "medical-device-attack");
	assert_string_equal(a->category, "Attack against a medical device");
	assert_int_equal(a->priority, 1);
	assert_int_equal(a->rev, 3);
	assert_int_equal(a->gid, 1);
	assert_int_equal(a->target, 2);
	assert_string_equal(
	    a->metadata,
	    "{\"created_at\":[\"2024_01_01\"],\"affected_product\":"
	    "[\"PACS\"],\"signature_severity\":[\"Major\"]}");
	assert_string_equal(a->file, "test.rules");
	assert_int_equal(a->line, 1);
	assert_int_equal(b->priority, 1);
	assert_string_equal(c->msg, "");
	assert_null(c->classtype);
	assert_int_equal(c->priority, 3);
	assert_null(c->metadata);
	assert_null(c->app_proto);
	md_detect_free(d);
}

/* ---- transactions and events ------------------------------------------- */

static void test_tx_once_and_progress(void **st)
{
	(void)st;
	const char *rules[] = {
	    "alert tp any any -> any any (tp.name; content:\"A\"; sid:1;)",
	    "alert tp any any -> any any (tp.reply; content:\"OK\"; "
	    "sid:2;)",
	    "alert tcp any any -> any any (tp.name; content:\"A\"; "
	    "flow:to_server; sid:3;)",
	    "alert tp $HOME_NET any -> any any (tp.reply; content:\"OK\"; "
	    "sid:4;)",
	};
	struct md_detect *d = td_engine(rules, N(rules));
	struct md_packet p;
	struct md_flow f;
	td_packet(&p, 6, "10.0.0.1", 40000, "8.8.8.8", 9999, NULL, 0, 1);
	td_flow(&f, &p, true);
	struct md_detect_thread *t = md_detect_thread_new(d);
	struct md_alerts o = {0};
	struct md_tx *tx = td_tx("name=A;reply=OK", 7, 1);
	md_detect_tx(t, &f, td_parser(), tx, &o);
	assert_int_equal(td_count(&o, 1), 1);
	assert_int_equal(td_count(&o, 3), 1);
	assert_int_equal(td_count(&o, 2), 0); /* reply final at progress 2 */
	assert_int_equal(o.a[0].tx_id, 7);
	memset(&o, 0, sizeof(o));
	md_detect_tx(t, &f, td_parser(), tx, &o);
	assert_int_equal(o.n, 0);
	tx->progress[0] = tx->progress[1] = 2;
	tx->complete = true;
	md_detect_tx(t, &f, td_parser(), tx, &o);
	assert_int_equal(o.n, 1);
	assert_int_equal(td_count(&o, 2), 1);
	assert_int_equal(o.a[0].dir, 1); /* a to-client field */
	assert_string_equal(o.a[0].sig->app_proto, "tp");
	td_tx_free(tx);
	/* the server (8.8.8.8) is not in HOME_NET: sid 4 is oriented
	 * server -> client and does not match; a flow from the other side
	 * does */
	td_packet(&p, 6, "8.8.8.8", 40000, "10.0.0.1", 9999, NULL, 0, 1);
	md_detect_flow_free(&f);
	td_flow(&f, &p, true);
	tx = td_tx("reply=OK", 8, -1);
	memset(&o, 0, sizeof(o));
	md_detect_tx(t, &f, td_parser(), tx, &o);
	assert_int_equal(td_count(&o, 4), 1);
	td_tx_free(tx);
	md_detect_flow_free(&f);
	md_detect_thread_free(t);
	md_detect_free(d);
}

static void test_events(void **st)
{
	(void)st;
	const char *rules[] = {
	    "alert tp any any -> any any (app-layer-event:tp.bad_thing; "
	    "sid:1;)",
	    "alert tcp any any -> any any (app-layer-event:tp.other; "
	    "sid:2;)",
	    "alert ip any any -> any any "
	    "(app-layer-event:app_layer.parser_error; sid:3;)",
	    "alert pkthdr any any -> any any "
	    "(decode-event:ipv4.trunc_pkt; sid:4;)",
	    "alert pkthdr any any -> any any "
	    "(decode-event:decoder.tcp.hlen_too_small; sid:5;)",
	};
	struct md_detect *d = td_engine(rules, N(rules));
	struct md_packet p;
	struct md_flow f;
	td_packet(&p, 6, "10.0.0.1", 40000, "10.0.0.2", 9999, NULL, 0, 1);
	td_flow(&f, &p, true);
	struct md_detect_thread *t = md_detect_thread_new(d);
	struct md_alerts o = {0};
	md_detect_app_event(t, &f, td_parser(), 3, TP_EV_BAD, &o);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.a[0].sig->sid, 1);
	assert_int_equal(o.a[0].tx_id, 3);
	memset(&o, 0, sizeof(o));
	md_detect_app_event(t, &f, td_parser(), MD_TX_NONE, TP_EV_OTHER, &o);
	assert_int_equal(td_count(&o, 2), 1);
	memset(&o, 0, sizeof(o));
	md_detect_app_event(t, &f, NULL, MD_TX_NONE, MD_APP_EV_PARSER_ERROR,
			    &o);
	assert_int_equal(td_count(&o, 3), 1);
	int trunc = -1, hlen = -1;
	for (unsigned i = 0; i < MD_DEV_MAX; i++) {
		if (!strcmp(md_decode_event_name(i), "ipv4.trunc_pkt"))
			trunc = (int)i;
		if (!strcmp(md_decode_event_name(i), "tcp.hlen_too_small"))
			hlen = (int)i;
	}
	memset(&o, 0, sizeof(o));
	memset(&p, 0, sizeof(p));
	p.events[p.n_events++] = (uint16_t)trunc;
	md_detect_packet(t, NULL, &p, &o);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.a[0].sig->sid, 4);
	p.events[0] = (uint16_t)hlen;
	memset(&o, 0, sizeof(o));
	md_detect_packet(t, NULL, &p, &o);
	assert_int_equal(td_count(&o, 5), 1);
	md_detect_thread_free(t);
	md_detect_flow_free(&f);
	md_detect_free(d);
}

/* ---- raw stream -------------------------------------------------------- */

static unsigned feed(struct md_detect_thread *t, struct md_flow *f, int dir,
		     const char *s, uint64_t *off, uint32_t sid)
{
	struct md_alerts o = {0};
	md_detect_stream(t, f, dir, (const uint8_t *)s, (uint32_t)strlen(s),
			 *off, &o);
	*off += strlen(s);
	return td_count(&o, sid);
}

static void test_stream(void **st)
{
	(void)st;
	const char *rules[] = {
	    "alert tcp any any -> any 104 (content:\"MALWARE\"; sid:1;)",
	    "alert tcp any any -> any any (content:\"AAAA\"; "
	    "content:\"ZZ\"; distance:0; sid:2;)",
	    "alert tcp any 104 -> any any (flow:to_client; "
	    "content:\"REJECT\"; sid:3;)",
	};
	struct md_detect *d = td_engine(rules, N(rules));
	struct md_packet p;
	struct md_flow f;
	td_packet(&p, 6, "10.0.0.1", 40000, "10.0.0.2", 104, NULL, 0, 1);
	td_flow(&f, &p, false);
	struct md_detect_thread *t = md_detect_thread_new(d);
	uint64_t off = 0, off1 = 0;
	assert_int_equal(feed(t, &f, 0, "xxMAL", &off, 1), 0);
	assert_int_equal(feed(t, &f, 0, "WARExx", &off, 1), 1);
	assert_int_equal(feed(t, &f, 0, "yy", &off, 1), 0); /* once */
	assert_int_equal(feed(t, &f, 0, "MALWARE MALWARE", &off, 1), 1);
	/* prefilter pattern in an earlier chunk, the rest later */
	assert_int_equal(feed(t, &f, 0, "AAAA", &off, 2), 0);
	assert_int_equal(feed(t, &f, 0, "..", &off, 2), 0);
	assert_int_equal(feed(t, &f, 0, ".ZZ", &off, 2), 1);
	assert_int_equal(feed(t, &f, 0, "ZZ", &off, 2), 1);
	/* a gap restarts the window */
	off += 10;
	assert_int_equal(feed(t, &f, 0, "WARE", &off, 1), 0);
	/* MD_DETECT_OFF_NEXT continues the direction; a gap breaks it */
	struct md_alerts o = {0};
	md_detect_stream(t, &f, 0, (const uint8_t *)"MAL", 3,
			 MD_DETECT_OFF_NEXT, &o);
	md_detect_stream(t, &f, 0, (const uint8_t *)"WARE", 4,
			 MD_DETECT_OFF_NEXT, &o);
	assert_int_equal(td_count(&o, 1), 1);
	memset(&o, 0, sizeof(o));
	md_detect_stream(t, &f, 0, (const uint8_t *)"MAL", 3,
			 MD_DETECT_OFF_NEXT, &o);
	md_detect_stream_gap(&f, 0, 5);
	md_detect_stream(t, &f, 0, (const uint8_t *)"WARE", 4,
			 MD_DETECT_OFF_NEXT, &o);
	assert_int_equal(o.n, 0);
	off += 19; /* 3 + 4 + 3 + 5 (gap) + 4 */
	assert_int_equal(feed(t, &f, 1, "REJ", &off1, 3), 0);
	assert_int_equal(feed(t, &f, 1, "ECT", &off1, 3), 1);
	assert_int_equal(feed(t, &f, 0, "REJECT", &off, 3), 0);
	md_detect_flow_free(&f);
	/* another port: rule 1 does not apply */
	td_packet(&p, 6, "10.0.0.1", 40000, "10.0.0.2", 105, NULL, 0, 1);
	td_flow(&f, &p, false);
	off = 0;
	assert_int_equal(feed(t, &f, 0, "MALWARE", &off, 1), 0);
	md_detect_flow_free(&f);
	md_detect_thread_free(t);
	md_detect_free(d);
}

/* ---- statistics, keywords, prefilter over many rules ------------------- */

static void test_stats_and_keywords(void **st)
{
	(void)st;
	td_register();
	struct md_detect_cfg cfg = {.rule_dir = td_rule_dir()};
	struct md_detect *d = md_detect_new(&cfg, stderr, true);
	char e[256];
	assert_int_equal(md_detect_add_rule(d,
					    "alert udp any any -> any any "
					    "(sid:1;)",
					    "f", 1, e, sizeof(e)),
			 0);
	assert_int_equal(md_detect_add_rule(d,
					    "alert http any any -> any any "
					    "(sid:2;)",
					    "f", 2, e, sizeof(e)),
			 MD_E_UNSUPPORTED);
	assert_int_equal(md_detect_add_rule(d,
					    "alert tcp any any -> any any "
					    "(http.uri; content:\"x\"; sid:3;)",
					    "f", 3, e, sizeof(e)),
			 MD_E_UNSUPPORTED);
	assert_int_equal(md_detect_add_rule(d,
					    "alert tcp any any -> any any "
					    "(nope; sid:4;)",
					    "f", 4, e, sizeof(e)),
			 MD_E_INVAL);
	assert_int_equal(md_detect_build(d, e, sizeof(e)), 0);
	const struct md_detect_stats *s = md_detect_get_stats(d);
	assert_int_equal(s->loaded, 1);
	assert_int_equal(s->skipped, 2);
	assert_int_equal(s->failed, 1);
	md_detect_free(d);
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	md_detect_list_keywords(fp);
	fclose(fp);
	assert_non_null(strstr(buf, "\ncontent "));
	assert_non_null(strstr(buf, "\nbyte_extract "));
	assert_non_null(strstr(buf, "\ntp.name "));
	assert_non_null(strstr(buf, "\ntp.attr:ARG "));
	assert_non_null(strstr(buf, "app-layer-event:tp.bad_thing"));
	free(buf);
}

/* Many generated rules (mixed ports, nocase, chains) over many payloads:
 * the same alerts with and without the prefilter. */
static void test_prefilter_many(void **st)
{
	(void)st;
	enum { NR = 600, NP = 300 };
	static char rule[NR][256];
	const char *rules[NR];
	srand(7);
	for (int i = 0; i < NR; i++) {
		char pat[8];
		for (int k = 0; k < 4; k++)
			pat[k] = (char)('a' + rand() % 6);
		pat[4] = 0;
		int port = 100 + rand() % 5;
		switch (i % 4) {
		case 0:
			snprintf(rule[i], 256,
				 "alert udp any any -> any %d (content:\"%s\"; "
				 "sid:%d;)",
				 port, pat, i + 1);
			break;
		case 1:
			snprintf(
			    rule[i], 256,
			    "alert udp any any -> any any (content:\"%s\"; "
			    "nocase; content:\"%c\"; distance:1; within:3; "
			    "sid:%d;)",
			    pat, 'a' + rand() % 6, i + 1);
			break;
		case 2:
			snprintf(rule[i], 256,
				 "alert udp any any -> any [%d,%d] "
				 "(content:!\"%s\"; dsize:>20; sid:%d;)",
				 port, port + 1, pat, i + 1);
			break;
		default:
			snprintf(rule[i], 256,
				 "alert tcp any any -> any %d (content:\"%s\"; "
				 "fast_pattern; pcre:\"/%c.%c/\"; sid:%d;)",
				 port, pat, 'a' + rand() % 6, 'a' + rand() % 6,
				 i + 1);
		}
		rules[i] = rule[i];
	}
	struct md_detect *d = td_engine(rules, NR);
	struct md_detect_thread *t = md_detect_thread_new(d);
	for (int n = 0; n < NP; n++) {
		char pl[64];
		int len = 10 + rand() % 40;
		for (int k = 0; k < len; k++)
			pl[k] = (char)((rand() % 2 ? 'a' : 'A') + rand() % 6);
		pl[len] = 0;
		uint16_t dp = (uint16_t)(100 + rand() % 6);
		uint8_t proto = n % 3 ? 17 : 6;
		struct md_packet p;
		struct md_flow f[2];
		struct md_alerts o[2] = {0};
		uint64_t off = 0;
		td_packet(&p, proto, "10.0.0.1", 5, "10.0.0.2", dp, pl,
			  (uint32_t)len, 1);
		for (int pf = 0; pf < 2; pf++) {
			md_detect_set_prefilter(d, pf);
			td_flow(&f[pf], &p, false);
			md_detect_packet(t, &f[pf], &p, &o[pf]);
			if (proto == 6)
				md_detect_stream(t, &f[pf], 0,
						 (const uint8_t *)pl,
						 (uint32_t)len, off, &o[pf]);
			md_detect_flow_free(&f[pf]);
		}
		assert_int_equal(o[0].n + o[0].overflow,
				 o[1].n + o[1].overflow);
		for (unsigned k = 0; k < o[0].n; k++)
			assert_int_equal(o[0].a[k].sig->sid,
					 o[1].a[k].sig->sid);
	}
	md_detect_thread_free(t);
	md_detect_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_addresses_ports),
	    cmocka_unit_test(test_ipv6_and_protocols),
	    cmocka_unit_test(test_vars),
	    cmocka_unit_test(test_bad_vars),
	    cmocka_unit_test(test_flowbits),
	    cmocka_unit_test(test_flowint),
	    cmocka_unit_test(test_thresholds),
	    cmocka_unit_test(test_threshold_config),
	    cmocka_unit_test(test_datasets),
	    cmocka_unit_test(test_actions),
	    cmocka_unit_test(test_alert_fields),
	    cmocka_unit_test(test_tx_once_and_progress),
	    cmocka_unit_test(test_events),
	    cmocka_unit_test(test_stream),
	    cmocka_unit_test(test_stats_and_keywords),
	    cmocka_unit_test(test_prefilter_many),
	};
	return cmocka_run_group_tests_name("detect-rules", tests, setup_tmp,
					   teardown_tmp);
}
