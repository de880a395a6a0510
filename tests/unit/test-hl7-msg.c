/* test-hl7-msg.c - HL7 v2 parser (parsers/hl7/): transactions and ACK
 * correlation (MSA-2 = MSH-10, both directions), the named fields of EVN,
 * ORC/OBR, OBX (ED payloads), PRT and ERR, every remaining event, the
 * bounds (segments, fields, values, message size, segments too long to
 * hold) and gaps, allocation failures and refused transactions. The tests
 * are run by test-hl7.c's main.
 *
 *   dir 0:  0x0B MSH|..|ADT^A01|C1|.. 0x1C 0x0D     tx 0 opens
 *   dir 1:  0x0B MSH|..|ACK^A01|A1|.. MSA|AA|C1 ..  folded into tx 0
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "hl7.h"
#include "mem.h"

extern const struct md_parser md_parser_hl7;
char *hl7_run(const struct md_vec_chunk *in, size_t n);
void hl7_has(const char *t, const char *needle);
void hl7_lacks(const char *t, const char *needle);
void hl7_count(const char *t, const char *needle, size_t want);

static void no_events(const char *t)
{
	if (strncmp(t, "event ", 6) == 0 || strstr(t, "\nevent ")) {
		fprintf(stderr, "transcript:\n%s", t);
		fail_msg("unexpected event in the transcript above");
	}
}

#define HAS   hl7_has
#define LACKS hl7_lacks
#define COUNT hl7_count
#define SB    "\x0b"
#define EB    "\x1c\r"
#define MSH(type, ctl)                                                         \
	"MSH|^~\\&|SND|SFAC|RCV|RFAC|20240101120000||" type "|" ctl "|P|2.5\r"
#define ADT(ctl)	      MSH("ADT^A01^ADT_A01", ctl) "EVN|A01|20240101\rPID|1||ID1\r"
#define ACK(ctl, code, acked) MSH("ACK^A01^ACK", ctl) "MSA|" code "|" acked "\r"
#define C(d, s)                                                                \
	{                                                                      \
		d, s, sizeof(s) - 1                                            \
	}
#define RUN(...)                                                               \
	hl7_run((const struct md_vec_chunk[]){__VA_ARGS__},                    \
		sizeof((const struct md_vec_chunk[]){__VA_ARGS__}) /           \
		    sizeof(struct md_vec_chunk))
#define D0 MD_DIR_TOSERVER
#define D1 MD_DIR_TOCLIENT

/* ---- a driver with chosen limits, gaps and a refusing sink --------------- */

struct rec {
	char *out;
	size_t len, cap;
	uint64_t next_tx;
	bool refuse_tx;
};

static void add(struct rec *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add(struct rec *r, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = n < 0 ? 0 : n >= (int)sizeof(line) ? (int)sizeof(line) - 1 : n;
	if (r->len + (size_t)n + 2 > r->cap) {
		r->cap = (r->cap + (size_t)n + 2) * 2;
		r->out = realloc(r->out, r->cap);
		assert_non_null(r->out);
	}
	memcpy(r->out + r->len, line, (size_t)n);
	r->len += (size_t)n;
	r->out[r->len++] = '\n';
	r->out[r->len] = 0;
}

static const char *fname(unsigned f)
{
	return f < md_parser_hl7.n_fields ? md_parser_hl7.fields[f].name : "?";
}

static void r_event(void *c, uint64_t tx, unsigned id)
{
	if (tx == MD_TX_NONE)
		add(c, "event - %s", md_parser_hl7.events[id].name);
	else
		add(c, "event %llu %s", (unsigned long long)tx,
		    md_parser_hl7.events[id].name);
}

static uint64_t r_tx_new(void *c, enum md_dir dir)
{
	struct rec *r = c;
	if (r->refuse_tx)
		return MD_TX_NONE;
	add(r, "tx %llu dir %d", (unsigned long long)r->next_tx, (int)dir);
	return r->next_tx++;
}

static void r_str(void *c, uint64_t tx, unsigned f, const uint8_t *p,
		  size_t len)
{
	add(c, "str %llu field=%s len=%zu '%.*s'", (unsigned long long)tx,
	    fname(f), len, (int)(len < 40 ? len : 40), (const char *)p);
}

static void r_uint(void *c, uint64_t tx, unsigned f, uint64_t v)
{
	add(c, "uint %llu field=%s %llu", (unsigned long long)tx, fname(f),
	    (unsigned long long)v);
}

static void r_arg(void *c, uint64_t tx, unsigned f, const char *arg,
		  const uint8_t *p, size_t len)
{
	(void)p;
	add(c, "arg %llu field=%s arg=%s len=%zu", (unsigned long long)tx,
	    fname(f), arg, len);
}

static void r_group(void *c, uint64_t tx, unsigned f)
{
	add(c, "group %llu field=%s", (unsigned long long)tx, fname(f));
}

static void r_progress(void *c, uint64_t tx, enum md_dir dir, unsigned p)
{
	add(c, "progress %llu dir %d %u", (unsigned long long)tx, (int)dir, p);
}

/* Feed the chunks (a chunk with p == NULL is a gap of len bytes) with the
 * given limits; returns the transcript (free it). */
static char *lrun(const struct md_limits *lim, const struct md_vec_chunk *in,
		  size_t n, bool refuse_tx)
{
	struct rec r = {.refuse_tx = refuse_tx};
	struct md_sink k = {&r,	   r_event, r_tx_new,	r_str, r_uint,
			    r_arg, r_group, r_progress, NULL,  NULL};
	void *st = calloc(1, md_parser_hl7.state_size);
	uint8_t *rem[2] = {NULL, NULL};
	size_t rlen[2] = {0, 0};
	assert_non_null(st);
	assert_int_equal(md_parser_hl7.init(st, lim), 0);
	for (size_t i = 0; i < n; i++) {
		int d = in[i].dir;
		if (!in[i].p) {
			md_parser_hl7.gap(st, (enum md_dir)d, in[i].len, &k);
			rlen[d] = 0;
			continue;
		}
		uint8_t *all = malloc(rlen[d] + in[i].len + 1);
		assert_non_null(all);
		if (rlen[d])
			memcpy(all, rem[d], rlen[d]);
		memcpy(all + rlen[d], in[i].p, in[i].len);
		size_t len = rlen[d] + in[i].len, off = 0, used;
		while (off < len) {
			used = 0;
			md_parser_hl7.parse(st, (enum md_dir)d, all + off,
					    len - off, &used, &k);
			assert_true(used <= len - off);
			if (!used)
				break;
			off += used;
		}
		free(rem[d]);
		rem[d] = all;
		memmove(all, all + off, len - off);
		rlen[d] = len - off;
	}
	for (int d = 0; d < 2; d++) {
		md_parser_hl7.eof(st, (enum md_dir)d, &k);
		free(rem[d]);
	}
	md_parser_hl7.fini(st);
	free(st);
	if (!r.out)
		r.out = calloc(1, 1);
	return r.out;
}

static const struct md_limits def_lim = {1u << 20, 16u << 20, 256,
					 65536,	   256,	      100};

/* ---- transactions -------------------------------------------------------- */

/* SFT before MSA (v2.5+): the ACK is still folded into its message. */
static void test_ack_sft_before_msa(void **st)
{
	(void)st;
	char *t = RUN(C(D0, SB ADT("C1") EB),
		      C(D1, SB MSH("ACK^A01^ACK", "A1") "SFT|Vendor|1.0\r"
							"MSA|AA|C1|fine\r" EB));
	COUNT(t, "tx ", 1);
	HAS(t, "str 0 field=ack_segment_names 'SFT'\n");
	HAS(t, "str 0 field=ack_code 'AA'\nstr 0 field=ack_control_id 'C1'\n"
	       "str 0 field=ack_text 'fine'\n");
	HAS(t, "progress 0 dir 1 1\n");
	free(t);
}

/* The server sends the message, the client acknowledges. */
static void test_ack_reverse_direction(void **st)
{
	(void)st;
	char *t =
	    RUN(C(D1, SB ADT("S1") EB), C(D0, SB ACK("A1", "AA", "S1") EB));
	HAS(t, "tx 0 dir 1\n");
	HAS(t, "progress 0 dir 1 1\n");
	HAS(t, "progress 0 dir 0 1\n");
	COUNT(t, "tx ", 1);
	free(t);
}

/* Two messages, their ACKs in the other order, and an ACK arriving in the
 * same direction as its message. */
static void test_ack_out_of_order(void **st)
{
	(void)st;
	char *t =
	    RUN(C(D0, SB ADT("C1") EB SB ADT("C2") EB),
		C(D1, SB ACK("A2", "AE", "C2") EB SB ACK("A1", "AA", "C1") EB),
		C(D1, SB ADT("S1") EB), C(D1, SB ACK("A3", "AR", "S1") EB));
	HAS(t, "str 1 field=ack_code 'AE'\nstr 1 field=ack_control_id 'C2'\n");
	HAS(t, "str 0 field=ack_code 'AA'\nstr 0 field=ack_control_id 'C1'\n");
	HAS(t, "str 2 field=ack_code 'AR'\n");
	HAS(t, "progress 2 dir 1 1\n");
	HAS(t, "progress 2 dir 0 1\n");
	COUNT(t, "tx ", 3);
	no_events(t);
	free(t);
}

/* An ACK that matches nothing is a transaction of its own. */
static void test_ack_without_message(void **st)
{
	(void)st;
	char *t = RUN(C(D1, SB ACK("A1", "AA", "NOPE") EB));
	HAS(t, "tx 0 dir 1\nstr 0 field=message_type 'ACK^A01'\n");
	HAS(t,
	    "str 0 field=ack_code 'AA'\nstr 0 field=ack_control_id 'NOPE'\n");
	HAS(t, "event 0 ack_without_message\n");
	free(t);
	t = RUN(C(D1, SB MSH("ACK^A01", "A1") "MSA|AA\r" EB)); /* no MSA-2 */
	HAS(t, "event 0 ack_without_message\n");
	free(t);
}

/* The injected-segment pattern: an ACK carrying PID and OBX, matching no
 * message, is itself acknowledged; its own MSA stays its ack.*. */
static void test_ack_of_ack(void **st)
{
	(void)st;
	char *t = RUN(
	    C(D0, SB ADT("C1") EB), C(D1, SB ACK("A1", "AA", "C1") EB),
	    C(D0, SB ACK("I2", "AA", "X9") "PID|1||ID1\rOBX|1|ST|X||v\r" EB),
	    C(D1, SB ACK("A2", "AA", "I2") EB));
	COUNT(t, "tx ", 2);
	HAS(t, "event 1 ack_without_message\n");
	COUNT(t, "event 1 segment_not_allowed_for_message_type", 1);
	COUNT(t, "field=ack_control_id", 2);
	HAS(t, "str 1 field=ack_control_id 'X9'\n");
	HAS(t, "str 1 field=ack_message_type 'ACK^A01^ACK'\n");
	HAS(t, "progress 1 dir 1 1\n");
	HAS(t, "str 1 field=obx_value 'v'\n");
	free(t);
}

/* A negative ACK with ERR segments (v2.5 and v2.3 forms). */
static void test_nack_errors(void **st)
{
	(void)st;
	char *t = RUN(
	    C(D0, SB ADT("C1") EB),
	    C(D1,
	      SB ACK(
		  "A1", "AE",
		  "C1") "ERR||PID^1^3|101^Required field missing^HL70357|E|"
			"||diag|Fix PID-3\rERR|PID^1^3^103&Table value\r" EB));
	HAS(t, "str 0 field=ack_code 'AE'\n");
	HAS(t, "group 0 field=errors\nstr 0 field=err_location 'PID^1^3'\n"
	       "str 0 field=err_code '101^Required field missing^HL70357'\n"
	       "str 0 field=err_severity 'E'\n"
	       "str 0 field=err_diagnostic 'diag'\n"
	       "str 0 field=err_message 'Fix PID-3'\n");
	HAS(t, "group 0 field=errors\n"
	       "str 0 field=err_code_location 'PID^1^3^103&Table value'\n");
	free(t);
}

/* An application response (not ACK-coded) with MSA: its own transaction,
 * and it acknowledges the query. */
static void test_application_response(void **st)
{
	(void)st;
	char *t =
	    RUN(C(D0, SB MSH("QBP^Q22^QBP_Q21", "Q1") "QPD|x\r" EB),
		C(D1, SB MSH("RSP^K22^RSP_K21", "R1") "MSA|AA|Q1\rQAK|1|OK\r"
						      "PID|1||ID1\r" EB));
	COUNT(t, "tx ", 2);
	HAS(t, "str 0 field=ack_code 'AA'\nstr 0 field=ack_control_id 'Q1'\n"
	       "str 0 field=ack_message_type 'RSP^K22^RSP_K21'\n");
	HAS(t, "str 1 field=ack_code 'AA'\n");
	HAS(t, "progress 1 dir 1 1\nprogress 0 dir 1 1\n");
	COUNT(t, "ack_without_message", 0);
	free(t);
}

/* Never acknowledged: only the sending side's progress; no control id:
 * done at once. */
static void test_unacknowledged(void **st)
{
	(void)st;
	char *t = RUN(C(D0, SB ADT("C1") EB));
	HAS(t, "progress 0 dir 0 1\n");
	COUNT(t, "progress 0 dir 1", 0);
	free(t);
	t = RUN(C(D0, SB MSH("ADT^A01", "") "PID|1\r" EB));
	HAS(t, "progress 0 dir 0 1\nprogress 0 dir 1 1\n");
	free(t);
}

/* The same MSH-10 twice in one direction; ACKs and the other direction do
 * not count. The oldest pending message gets the ACK. */
static void test_duplicate_control_id(void **st)
{
	(void)st;
	char *t = RUN(C(D0, SB ADT("C1") EB SB ADT("C1") EB),
		      C(D1, SB ADT("C1") EB SB ACK("A1", "AA", "C1")
				EB SB ACK("A1", "AA", "C1") EB));
	COUNT(t, "duplicate_control_id", 1);
	HAS(t, "event 1 duplicate_control_id\n");
	HAS(t, "str 0 field=ack_code 'AA'\n");
	HAS(t, "str 1 field=ack_code 'AA'\n");
	free(t);
}

/* Past max_tx pending messages the oldest is logged without its ACK. */
static void test_pending_evicted(void **st)
{
	(void)st;
	size_t n = 300, o = 0;
	char *in = malloc(n * 128);
	assert_non_null(in);
	for (size_t i = 0; i < n; i++)
		o += (size_t)sprintf(
		    in + o,
		    SB "MSH|^~\\&|S|F|R|G|2024||ADT^A01|C%04zu|P|2.5\r"
		       "PID|1\r" EB,
		    i);
	struct md_limits lim = def_lim;
	lim.max_tx = 16;
	struct md_vec_chunk c = {D0, in, o};
	char *t = lrun(&lim, &c, 1, false);
	COUNT(t, "tx ", n);
	COUNT(t, "dir 1 1", n - 14); /* all but the last max_tx - 2 evicted */
	HAS(t, "progress 0 dir 1 1\n");
	free(t);
	free(in);
}

/* ---- named fields -------------------------------------------------------- */

#define ORDERS                                                                 \
	SB MSH(                                                                \
	    "MDM^T02^MDM_T02",                                                 \
	    "C1") "EVN|R01|20240101|||OP1^Operator|20240102\r"                 \
		  "PV1|1|E|ER^2^B\r"                                           \
		  "ORC|RE|P1^PLC|F1^FIL\rOBR|1|P1^PLC|F1^FIL|GLU^Glucose^L\r"  \
		  "OBX|1|NM|2345-7^Glucose^LN||95|mg/"                         \
		  "dL|||||F|||||||MON1^SYN^EUI\r"                              \
		  "OBR|2|P2||K^Potassium^L\r"                                  \
		  "PRT|1|AD||EQUIP||||||(01)00643169007222(17)160128||||||"    \
		  "UDI-DI-1\r"                                                 \
		  "PRT|2|AD||OP\r" EB

static void test_named_fields(void **st)
{
	(void)st;
	char *t = RUN(C(D0, ORDERS));
	HAS(t, "str 0 field=evn_event_type 'R01'\n"
	       "str 0 field=evn_recorded '20240101'\n"
	       "str 0 field=evn_operator 'OP1^Operator'\n"
	       "str 0 field=evn_occurred '20240102'\n");
	HAS(t,
	    "str 0 field=patient_class 'E'\nstr 0 field=location 'ER^2^B'\n");
	HAS(t, "group 0 field=orders\nstr 0 field=order_control 'RE'\n"
	       "str 0 field=placer_order_number 'P1^PLC'\n"
	       "str 0 field=filler_order_number 'F1^FIL'\n");
	HAS(t, "str 0 field=segment_names 'ORC'\n");
	/* the OBR right after the ORC joins its element */
	HAS(t, "str 0 field=placer_order_number 'P1^PLC'\n"
	       "str 0 field=filler_order_number 'F1^FIL'\n"
	       "str 0 field=universal_service_id 'GLU^Glucose^L'\n"
	       "str 0 field=segment ");
	COUNT(t, "group 0 field=orders", 2);
	HAS(t, "group 0 field=observations\nstr 0 field=obx_set_id '1'\n"
	       "str 0 field=obx_value_type 'NM'\n"
	       "str 0 field=obx_id '2345-7^Glucose^LN'\n"
	       "str 0 field=obx_value '95'\nstr 0 field=obx_units 'mg/dL'\n"
	       "str 0 field=obx_status 'F'\n"
	       "str 0 field=obx_equipment 'MON1^SYN^EUI'\n");
	HAS(t, "group 0 field=devices\n"
	       "str 0 field=prt_device '(01)00643169007222(17)160128'\n"
	       "str 0 field=prt_udi 'UDI-DI-1'\n");
	COUNT(t, "group 0 field=devices", 1); /* PRT-2 without a device */
	no_events(t);
	free(t);
}

/* PID: identifiers of each repetition, phones of PID-13 and PID-14. */
static void test_pid_fields(void **st)
{
	(void)st;
	char *t = RUN(C(
	    D0,
	    SB MSH("ADT^A04",
		   "C1") "PID|1|X|ID1^^^A^MR~ID2^^^B^SS||DOE^JANE^Q~ALIAS|"
			 "|19800202|F|||1 ROAD^^TOWN^^000~2 WAY||^PRN^PH^^^555^"
			 "1234~^NET^Internet^a@b|^WPN^PH^^^555^9|||||123-45-"
			 "6789\r" EB));
	HAS(t, "str 0 field=patient_ids 'ID1'\nstr 0 field=patient_ids 'ID2'\n"
	       "str 0 field=patient_name 'DOE^JANE^Q'\n"
	       "str 0 field=patient_birth_date '19800202'\n"
	       "str 0 field=patient_sex 'F'\n"
	       "str 0 field=patient_address '1 ROAD^^TOWN^^000'\n"
	       "str 0 field=patient_phone '^PRN^PH^^^555^1234'\n"
	       "str 0 field=patient_phone '^NET^Internet^a@b'\n"
	       "str 0 field=patient_phone '^WPN^PH^^^555^9'\n"
	       "str 0 field=patient_ssn '123-45-6789'\n");
	free(t);
}

/* OBX of type ED: the first payload bytes, decoded, for filemagic. */
static void test_ed_payload(void **st)
{
	(void)st;
	char *t = RUN(C(
	    D0,
	    SB MSH(
		"ORU^R01",
		"C1") "OBX|1|ED|PDF^Report^L||APP^AP^PDF^Base64^JVBERi0xLjQK\r"
		      "OBX|2|ED|X||^AP^octet-stream^Hex^4d5A9000\r"
		      "OBX|3|ED|X||^TEXT^plain^A^hi\\S\\there\r"
		      "OBX|4|ED|X||^AP^x^Zip^AAAA\r"
		      "OBX|5|ED|X||^AP^x^Base64^\r"
		      "OBX|6|ED|X||^AP^PDF^BASE64^TV\nqQ=\r" EB));
	HAS(t, "str 0 field=ed_data '%PDF-1.4\\x0a'\n");
	HAS(t, "str 0 field=ed_data 'MZ\\x90\\x00'\n");
	HAS(t, "str 0 field=ed_data 'hi^there'\n");
	HAS(t, "str 0 field=ed_data 'M'\n"); /* an LF ended OBX-5 */
	COUNT(t, "field=ed_data", 4);
	free(t);
}

/* Observation values are logged up to 1024 bytes (rules see them whole
 * through hl7.field:OBX-5); groups stop at max_log_values. */
static void test_bounded_values(void **st)
{
	(void)st;
	size_t n = 120, vlen = 3000;
	char *in = malloc(100 + n * 20 + vlen);
	assert_non_null(in);
	size_t o = (size_t)sprintf(in, SB MSH("ORU^R01", "C1"));
	o += (size_t)sprintf(in + o, "OBX|1|TX|X||");
	memset(in + o, 'v', vlen);
	o += vlen;
	in[o++] = '\r';
	for (size_t i = 1; i < n; i++)
		o += (size_t)sprintf(in + o, "OBX|%zu|NM|X||%zu\r", i + 1, i);
	o += (size_t)sprintf(in + o, EB);
	struct md_vec_chunk c = {D0, in, o};
	char *t = lrun(&def_lim, &c, 1, false);
	HAS(t, "str 0 field=obx_value len=1024 ");
	HAS(t, "arg 0 field=field arg=OBX-5 len=3000\n");
	COUNT(t, "group 0 field=observations", 100);
	COUNT(t, "field=obx_set_id", 100);
	free(t);
	free(in);
}

/* At most HL7_MAX_ARGS positional values per message. */
static void test_args_bound(void **st)
{
	(void)st;
	char *in = malloc(8 * 1024 + 200);
	assert_non_null(in);
	size_t o = (size_t)sprintf(in, SB MSH("ORU^R01", "C1"));
	for (int s = 0; s < 6; s++) {
		o += (size_t)sprintf(in + o, "NTE");
		for (int f = 0; f < 200; f++)
			o += (size_t)sprintf(in + o, "|x");
		in[o++] = '\r';
	}
	o += (size_t)sprintf(in + o, EB);
	struct md_vec_chunk c = {D0, in, o};
	char *t = lrun(&def_lim, &c, 1, false);
	COUNT(t, "field=field", HL7_MAX_ARGS);
	HAS(t, "uint 0 field=segments 7\n");
	free(t);
	free(in);
}

/* ---- events -------------------------------------------------------------- */

static void test_segment_not_allowed(void **st)
{
	(void)st;
	char *t = RUN(C(D1, SB ACK("A1", "AA", "X") "NTE|1||injected\r" EB));
	HAS(t, "event 0 segment_not_allowed_for_message_type\n");
	free(t);
	t = RUN(
	    C(D0, SB MSH("ORU^R01", "C1") "PID|1\rOBR|1\rOBX|1\rNTE|1\r" EB),
	    C(D0, SB MSH("ADT^A08", "C2") "EVN|A08\rPID|1\rOBX|1\rZPI|1\r" EB),
	    C(D0, SB MSH("XYZ^Q01", "C3") "ANY|1\r" EB),
	    C(D1, SB ACK("A1", "AA", "C1") "ZAK|1\r" EB));
	COUNT(t, "segment_not_allowed_for_message_type", 0);
	free(t);
}

static void test_unknown_segment(void **st)
{
	(void)st;
	static const char *const bad[] = {"QQQ|1\r",
					  "pid|1\r",
					  "PI|1\r",
					  "PIDX|1\r",
					  ("P\xc3\x89"
					   "D|1\r"),
					  "1ID|1\r"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char in[256];
		int n = snprintf(in, sizeof(in), SB "%s%s" EB,
				 MSH("ADT^A01", "C1"), bad[i]);
		struct md_vec_chunk c = {D0, in, (size_t)n};
		char *t = hl7_run(&c, 1);
		COUNT(t, "event 0 unknown_segment", 1);
		/* MSH's 13; ill-formed ids give no positional values */
		COUNT(t, "arg=", i == 0 ? 14 : 13);
		free(t);
	}
}

static void test_non_printable(void **st)
{
	(void)st;
	char *t = RUN(C(D0, SB MSH("ADT^A01", "C1") "PID|1||A\x01"
						    "B\r" EB),
		      C(D0, SB MSH("ADT^A01", "C2") "NTE|1||a\x7f"
						    "\r" EB),
		      C(D0, SB MSH("ADT^A01", "C3") "NTE|1||a\tb \xc3\xa9"
						    "\r" EB));
	HAS(t, "event 0 non_printable_bytes\n");
	HAS(t, "event 1 non_printable_bytes\n");
	COUNT(t, "non_printable_bytes", 2);
	free(t);
}

/* A field over max_field: field_too_long; the longest field is measured
 * exactly either way. */
static void test_field_too_long(void **st)
{
	(void)st;
	for (size_t len = 65536; len <= 65537; len++) {
		char *in = malloc(len + 200);
		assert_non_null(in);
		size_t o =
		    (size_t)sprintf(in, SB MSH("ORU^R01", "C1") "OBX|1|TX|X||");
		memset(in + o, 'a', len);
		o += len;
		o += (size_t)sprintf(in + o, "|u\r" EB);
		struct md_vec_chunk c = {D0, in, o};
		char *t = md_vec_run_once(&md_parser_hl7, &c, 1);
		char want[64];
		snprintf(want, sizeof(want),
			 "uint 0 field=max_field_length %zu\n", len);
		HAS(t, want);
		COUNT(t, "field_too_long", len > 65536);
		free(t);
		free(in);
	}
}

/* A segment longer than max_buffer/2: its head is parsed, the rest
 * streamed and measured; the same at any split point. */
static void test_segment_streamed(void **st)
{
	(void)st;
	size_t big = 600000, o;
	char *in = malloc(big + 400);
	assert_non_null(in);
	o = (size_t)sprintf(in, SB MSH("ORU^R01", "C1") "OBX|1|TX|X||");
	memset(in + o, 'a', big);
	in[o + 550000] = '\x01';
	in[o + 560000] = '|';
	o += big;
	o += (size_t)sprintf(in + o, "|u\rNTE|1||after\r" EB);
	o += (size_t)sprintf(in + o, SB ADT("C2") EB);
	struct md_vec_chunk c = {D0, in, o};
	char *whole = md_vec_run_once(&md_parser_hl7, &c, 1);
	HAS(whole, "uint 0 field=max_field_length 560000\n");
	HAS(whole, "uint 0 field=segments 3\n");
	HAS(whole, "event 0 field_too_long\n");
	HAS(whole, "event 0 non_printable_bytes\n");
	HAS(whole, "str 0 field=segment 'NTE|1||after'\n");
	HAS(whole, "str 1 field=control_id 'C2'\n");
	COUNT(whole, "arg=OBX-6", 0); /* beyond the held head */
	static const size_t at[] = {1,	    100,    524287, 524288, 524289,
				    524400, 560020, 600060, 600070};
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		struct md_vec_chunk two[] = {{D0, in, at[i]},
					     {D0, in + at[i], o - at[i]}};
		char *t = md_vec_run_once(&md_parser_hl7, two, 2);
		if (strcmp(t, whole) != 0)
			fail_msg("split at %zu differs:\n%s\n---\n%s", at[i], t,
				 whole);
		free(t);
	}
	free(whole);
	free(in);
}

/* Small limits (segments held up to 512 bytes, messages up to 2048):
 * the same transcript at every split point of a message that crosses both
 * bounds inside one segment, with a control character and separators in
 * the streamed part, followed by an ACK held for its MSA. */
static void test_small_limits_splits(void **st)
{
	(void)st;
	static const struct md_limits lim = {1024, 2048, 8, 64, 4, 3};
	char in[4096];
	size_t o = (size_t)sprintf(in, SB MSH("ORU^R01", "C1") "OBX|1|TX|X||");
	memset(in + o, 'a', 900);
	o += 900;
	o += (size_t)sprintf(in + o, "\x01|");
	memset(in + o, 'b', 1400);
	o += 1400;
	o += (size_t)sprintf(in + o, "|u\rNTE|after\r" EB SB ACK(
					 "A9", "AA", "C1") "ERR||||E\r" EB);
	struct md_vec_chunk whole = {D0, in, o};
	char *w = lrun(&lim, &whole, 1, false);
	HAS(w, "event 0 field_too_long\n");
	HAS(w, "event 0 non_printable_bytes\nevent 0 message_too_large\n");
	/* 900 'a' and 0x01; the 'b' run is past max_pdu: not measured */
	HAS(w, "uint 0 field=max_field_length 901\n");
	HAS(w, "uint 0 field=segments 3\n");
	HAS(w, "str 0 field=ack_code len=2 'AA'\n"); /* same direction */
	for (size_t at = 1; at < o; at++) {
		struct md_vec_chunk two[] = {{D0, in, at},
					     {D0, in + at, o - at}};
		char *t = lrun(&lim, two, 2, false);
		if (strcmp(t, w) != 0) {
			fprintf(stderr, "whole:\n%s\nsplit at %zu:\n%s", w, at,
				t);
			fail_msg("split at %zu differs", at);
		}
		free(t);
	}
	free(w);
}

/* Past max_pdu the message is only framed: no more values, the next
 * message is parsed. */
static void test_message_too_large(void **st)
{
	(void)st;
	struct md_limits lim = def_lim;
	lim.max_pdu = 1000;
	char in[8192];
	size_t o = (size_t)sprintf(in, SB MSH("ORU^R01", "C1"));
	for (int i = 0; i < 60; i++)
		o += (size_t)sprintf(in + o, "OBX|%d|ST|X||value %d\r", i + 1,
				     i);
	o += (size_t)sprintf(in + o, EB SB ADT("C2") EB);
	struct md_vec_chunk c = {D0, in, o};
	char *t = lrun(&lim, &c, 1, false);
	HAS(t, "event 0 message_too_large\n");
	COUNT(t, "message_too_large", 1);
	/* MSH 60 bytes, OBX 1-9 20 each, OBX 10 21, OBX 11-43 22 each: 986;
	 * OBX 44 crosses 1000 */
	HAS(t, "uint 0 field=segments 61\n");
	COUNT(t, "group 0 field=observations", 43);
	HAS(t, "str 1 field=control_id len=2 'C2'\n");
	HAS(t, "progress 1 dir 0 1\n");
	free(t);
	/* the same through the vector harness at the default bound */
	t = RUN(C(D0, SB ADT("C1") EB));
	COUNT(t, "message_too_large", 0);
	free(t);
}

static void test_too_many_segments(void **st)
{
	(void)st;
	char *in = malloc(300 * 8 + 200);
	assert_non_null(in);
	size_t o = (size_t)sprintf(in, SB MSH("ORU^R01", "C1"));
	for (int i = 0; i < 300; i++)
		o += (size_t)sprintf(in + o, "NTE|%d\r", i % 10);
	o += (size_t)sprintf(in + o, EB);
	struct md_vec_chunk c = {D0, in, o};
	char *t = md_vec_run_once(&md_parser_hl7, &c, 1);
	COUNT(t, "event 0 too_many_segments", 1);
	HAS(t, "uint 0 field=segments 301\n");
	COUNT(t, "field=segment_names", 256);
	free(t);
	free(in);
}

static void test_too_many_fields(void **st)
{
	(void)st;
	char in[4096];
	size_t o = (size_t)sprintf(in, SB MSH("ORU^R01", "C1") "NTE");
	for (int i = 0; i < 300; i++)
		o += (size_t)sprintf(in + o, "|%d", i % 10);
	o += (size_t)sprintf(in + o, "\r" EB);
	struct md_vec_chunk c = {D0, in, o};
	char *t = md_vec_run_once(&md_parser_hl7, &c, 1);
	COUNT(t, "event 0 too_many_fields", 1);
	COUNT(t, "arg=NTE-", 256);
	free(t);
}

/* ---- gaps, refused transactions, allocation failures --------------------- */

static void test_gap(void **st)
{
	(void)st;
	static const char part[] = SB MSH("ADT^A01", "C1") "PID|1||I";
	static const char after[] = "D1\rPV1|1\r" EB "junk\r" SB ADT("C2") EB;
	struct md_vec_chunk in[] = {
	    {D0, part, sizeof(part) - 1},
	    {D0, NULL, 100},
	    {D0, after, sizeof(after) - 1},
	};
	char *t = lrun(&def_lim, in, 3, false);
	HAS(t, "uint 0 field=segments 1\n"); /* PID was cut by the gap */
	HAS(t, "progress 0 dir 0 1\n");
	COUNT(t, "bad_mllp_frame", 0); /* resynchronising quietly */
	HAS(t, "str 1 field=control_id len=2 'C2'\n");
	COUNT(t, "tx ", 2);
	free(t);
}

/* The engine refuses transactions: events still flow, nothing else. */
static void test_tx_refused(void **st)
{
	(void)st;
	static const char a[] = SB ADT("C1") "QQQ|1\r" EB;
	static const char b[] = SB ACK("A1", "AA", "C1") EB;
	struct md_vec_chunk in[] = {{D0, a, sizeof(a) - 1},
				    {D1, b, sizeof(b) - 1}};
	char *t = lrun(&def_lim, in, 2, true);
	HAS(t, "event - unknown_segment\n");
	COUNT(t, "str ", 0);
	COUNT(t, "progress", 0);
	free(t);
}

/* Allocations failing (scratch, pending table): values go undecoded,
 * messages untracked, nothing breaks. */
static void test_alloc_failure(void **st)
{
	(void)st;
	static const char a[] = SB MSH("ADT^A01", "C\\T\\1") "PID|1||ID1\r" EB;
	static const char b[] = SB ACK("A1", "AA", "C\\T\\1") EB;
	struct md_vec_chunk in[] = {{D0, a, sizeof(a) - 1},
				    {D1, b, sizeof(b) - 1}};
	struct md_limits lim = def_lim;
	md_mem_fail_after(1);
	char *t = lrun(&lim, in, 2, false);
	md_mem_fail_after(0);
	HAS(t, "str 0 field=control_id len=5 'C\\T\\1'\n");
	HAS(t, "event 1 ack_without_message\n");
	free(t);
}

/* Zero limits fall back to the documented defaults. */
static void test_zero_limits(void **st)
{
	(void)st;
	static const struct md_limits zero = {0, 0, 0, 0, 0, 0};
	static const char a[] = SB ADT("C1") EB;
	struct md_vec_chunk in = {D0, a, sizeof(a) - 1};
	char *t = lrun(&zero, &in, 1, false);
	HAS(t, "uint 0 field=segments 3\n");
	free(t);
}

const struct CMUnitTest hl7_msg_tests[] = {
    cmocka_unit_test(test_ack_sft_before_msa),
    cmocka_unit_test(test_ack_reverse_direction),
    cmocka_unit_test(test_ack_out_of_order),
    cmocka_unit_test(test_ack_without_message),
    cmocka_unit_test(test_ack_of_ack),
    cmocka_unit_test(test_nack_errors),
    cmocka_unit_test(test_application_response),
    cmocka_unit_test(test_unacknowledged),
    cmocka_unit_test(test_duplicate_control_id),
    cmocka_unit_test(test_pending_evicted),
    cmocka_unit_test(test_named_fields),
    cmocka_unit_test(test_pid_fields),
    cmocka_unit_test(test_ed_payload),
    cmocka_unit_test(test_bounded_values),
    cmocka_unit_test(test_args_bound),
    cmocka_unit_test(test_segment_not_allowed),
    cmocka_unit_test(test_unknown_segment),
    cmocka_unit_test(test_non_printable),
    cmocka_unit_test(test_field_too_long),
    cmocka_unit_test(test_segment_streamed),
    cmocka_unit_test(test_small_limits_splits),
    cmocka_unit_test(test_message_too_large),
    cmocka_unit_test(test_too_many_segments),
    cmocka_unit_test(test_too_many_fields),
    cmocka_unit_test(test_gap),
    cmocka_unit_test(test_tx_refused),
    cmocka_unit_test(test_alloc_failure),
    cmocka_unit_test(test_zero_limits),
};
const size_t hl7_msg_ntests = sizeof(hl7_msg_tests) / sizeof(hl7_msg_tests[0]);
