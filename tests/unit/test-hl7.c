/* test-hl7.c - HL7 v2 / MLLP parser (parsers/hl7/): probing, framing and
 * its tolerated faults, delimiter sets, escapes, repetitions, components,
 * batches, the field table and hl7.field arguments. Vectors run through
 * md_vec_run() (whole, split at every point, byte by byte, guard pages).
 * Transactions, ACK correlation, limits and the remaining events are in
 * test-hl7-msg.c.
 *
 *   framing vectors:  0x0B MSH..CR PID..CR 0x1C 0x0D   (and broken forms)
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
#include "registry.h"

extern const struct md_parser md_parser_hl7;

/* Shared with test-hl7-msg.c. */
char *hl7_run(const struct md_vec_chunk *in, size_t n);
void hl7_has(const char *t, const char *needle);
void hl7_lacks(const char *t, const char *needle);
void hl7_count(const char *t, const char *needle, size_t want);
extern const struct CMUnitTest hl7_msg_tests[];
extern const size_t hl7_msg_ntests;

#define SB "\x0b"
#define EB "\x1c\r"
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

char *hl7_run(const struct md_vec_chunk *in, size_t n)
{
	return md_vec_run(&md_parser_hl7, in, n);
}

void hl7_has(const char *t, const char *needle)
{
	if (!strstr(t, needle)) {
		fprintf(stderr, "transcript:\n%s", t);
		fail_msg("missing \"%s\" in the transcript above", needle);
	}
}

void hl7_lacks(const char *t, const char *needle)
{
	if (strstr(t, needle)) {
		fprintf(stderr, "transcript:\n%s", t);
		fail_msg("unexpected \"%s\" in the transcript above", needle);
	}
}

void hl7_count(const char *t, const char *needle, size_t want)
{
	size_t got = md_count_str(t, needle);
	if (got != want) {
		fprintf(stderr, "transcript:\n%s", t);
		fail_msg(
		    "\"%s\" %zu times, expected %zu, in the transcript above",
		    needle, got, want);
	}
}

/* Lines reporting an event (not field names containing "event"). */
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

/* ---- probe --------------------------------------------------------------- */

static enum md_probe_rc probe(const char *s, size_t n)
{
	void *h;
	uint8_t *g = md_guard_copy(s, n, &h);
	enum md_probe_rc rc = md_parser_hl7.probe(g, n, MD_DIR_TOSERVER);
	md_guard_free(h);
	return rc;
}

#define PROBE(s) probe(s, sizeof(s) - 1)

static void test_probe(void **st)
{
	(void)st;
	assert_int_equal(PROBE(SB "MSH|^~\\&|"), MD_PROBE_YES);
	assert_int_equal(PROBE(SB "FHS|^~\\&"), MD_PROBE_YES);
	assert_int_equal(PROBE(SB "BHS#"), MD_PROBE_YES);
	assert_int_equal(PROBE(SB SB "MSH|"), MD_PROBE_YES);
	assert_int_equal(PROBE("MSH|^~\\&|"), MD_PROBE_YES);
	assert_int_equal(PROBE("MSH#$%!@#"), MD_PROBE_YES);
	assert_int_equal(PROBE(""), MD_PROBE_NEED_MORE);
	assert_int_equal(PROBE(SB), MD_PROBE_NEED_MORE);
	assert_int_equal(PROBE(SB "MS"), MD_PROBE_NEED_MORE);
	assert_int_equal(PROBE("MSH"), MD_PROBE_NEED_MORE);
	assert_int_equal(PROBE("FHS|"), MD_PROBE_NO); /* bare: MSH only */
	assert_int_equal(PROBE("MSHA"), MD_PROBE_NO);
	assert_int_equal(PROBE(SB "PID|"), MD_PROBE_NO);
	assert_int_equal(PROBE("GET / HTTP/1.1\r\n"), MD_PROBE_NO);
	assert_int_equal(PROBE("\x01\x00\x00\x00"), MD_PROBE_NO);
	assert_int_equal(PROBE(SB "MSH\r"), MD_PROBE_NO);
	assert_int_equal(PROBE(SB SB SB "MSH|"), MD_PROBE_NO);
}

/* ---- framing ------------------------------------------------------------- */

/* A framed message and its ACK: one transaction, done in both directions. */
static void test_mllp_basic(void **st)
{
	(void)st;
	char *t = RUN(C(MD_DIR_TOSERVER, SB ADT("C1") EB),
		      C(MD_DIR_TOCLIENT, SB ACK("A1", "AA", "C1") EB));
	HAS(t, "tx 0 dir 0\nstr 0 field=message_type 'ADT^A01'\n"
	       "str 0 field=message_code 'ADT'\n"
	       "str 0 field=trigger_event 'A01'\n"
	       "str 0 field=message_structure 'ADT_A01'\n"
	       "str 0 field=version '2.5'\nstr 0 field=control_id 'C1'\n"
	       "str 0 field=processing_id 'P'\n"
	       "str 0 field=sending_application 'SND'\n"
	       "str 0 field=sending_facility 'SFAC'\n"
	       "str 0 field=receiving_application 'RCV'\n"
	       "str 0 field=receiving_facility 'RFAC'\n"
	       "str 0 field=datetime '20240101120000'\n"
	       "str 0 field=framing 'mllp'\n");
	HAS(t, "str 0 field=segment_names 'MSH'\n");
	HAS(t, "str 0 field=segment 'EVN|A01|20240101'\n"
	       "str 0 field=segment_names 'EVN'\n");
	HAS(t, "uint 0 field=segments 3\nuint 0 field=max_field_length 15\n"
	       "progress 0 dir 0 1\n");
	HAS(t, "str 0 field=ack_message_type 'ACK^A01^ACK'\n");
	HAS(t, "str 0 field=ack_code 'AA'\nstr 0 field=ack_control_id 'C1'\n");
	HAS(t, "str 0 field=ack_segment_names 'MSA'\n");
	HAS(t, "uint 0 field=ack_max_field_length 14\nprogress 0 dir 1 1\n");
	COUNT(t, "tx ", 1);
	no_events(t);
	free(t);
}

/* mllp_send drops the CR of the last segment: no event, same content. */
static void test_no_final_cr(void **st)
{
	(void)st;
	char *t =
	    RUN(C(MD_DIR_TOSERVER, SB MSH("ADT^A01", "C1") "PID|1||ID1\x1c\r"));
	HAS(t, "str 0 field=segment 'PID|1||ID1'\n");
	HAS(t, "uint 0 field=segments 2\n");
	no_events(t);
	free(t);
}

/* 0x1C not followed by 0x0D: tolerated, reported once per frame. */
static void test_no_trailer_cr(void **st)
{
	(void)st;
	char *t =
	    RUN(C(MD_DIR_TOSERVER,
		  SB ADT("C1") "\x1c" SB ADT("C2") "\x1c"
						   "\r" SB ADT("C3") "\x1c"));
	COUNT(t, "tx ", 3);
	COUNT(t, "progress 0 dir 0 1", 1);
	COUNT(t, "progress 2 dir 0 1", 1);
	/* after C1 and at the end of the stream after C3 */
	COUNT(t, "event - bad_mllp_frame", 2);
	free(t);
}

/* LF and CR LF as segment terminators. */
static void test_lf_terminators(void **st)
{
	(void)st;
	char *t = RUN(C(MD_DIR_TOSERVER,
			SB "MSH|^~\\&|A|B|C|D|1|SEC|ADT^A01|C1|P|2.5\n"
			   "EVN|A01\r\nPID|1||ID1\n" EB));
	HAS(t, "str 0 field=security 'SEC'\n"); /* MSH-8 */
	HAS(t, "str 0 field=segment 'EVN|A01'\n");
	HAS(t, "str 0 field=segment 'PID|1||ID1'\n");
	HAS(t, "uint 0 field=segments 3\n");
	COUNT(t, "event 0 lf_segment_terminator", 1);
	free(t);
}

/* 0x0B 0x0B: the frame goes on; 0x0B inside a message ends it and starts
 * the next one. */
static void test_nested_start_block(void **st)
{
	(void)st;
	char *t = RUN(C(MD_DIR_TOSERVER, SB SB ADT("C1") EB),
		      C(MD_DIR_TOSERVER, SB ADT("C2") SB ADT("C3") EB));
	COUNT(t, "event - nested_start_block", 1); /* before C1's MSH */
	COUNT(t, "event 1 nested_start_block", 1); /* C2 cut by C3 */
	COUNT(t, "tx ", 3);
	HAS(t, "str 2 field=control_id 'C3'\n");
	HAS(t, "uint 1 field=segments 3\nuint 1 field=max_field_length 15\n"
	       "progress 1 dir 0 1\n");
	free(t);
}

/* HL7 with no MLLP framing: messages end at the next MSH or at eof. */
static void test_no_mllp(void **st)
{
	(void)st;
	char *t = RUN(C(MD_DIR_TOSERVER, ADT("C1") "\r\n" ADT("C2")));
	COUNT(t, "event - no_mllp_framing", 1);
	COUNT(t, "tx ", 2);
	COUNT(t, "str 0 field=framing 'none'", 1);
	HAS(t, "uint 0 field=segments 3\n");
	HAS(t, "uint 1 field=segments 3\n");
	COUNT(t, "progress 1 dir 0 1", 1);
	COUNT(t, "bad_mllp_frame", 0);
	free(t);
}

/* Unframed, then framed on the same stream: the frame ends the message. */
static void test_unframed_then_framed(void **st)
{
	(void)st;
	char *t = RUN(C(MD_DIR_TOSERVER, ADT("C1") SB ADT("C2") EB));
	COUNT(t, "tx ", 2);
	COUNT(t, "progress 0 dir 0 1", 1);
	HAS(t, "str 1 field=framing 'mllp'\n");
	COUNT(t, "nested_start_block", 0);
	free(t);
}

/* Junk between frames, a stray 0x1C: one event per run of junk. */
static void test_junk(void **st)
{
	(void)st;
	char *t =
	    RUN(C(MD_DIR_TOSERVER, SB ADT("C1") EB "garbage\r\nmore\r"),
		C(MD_DIR_TOSERVER, SB ADT("C2") EB "\x1c" SB ADT("C3") EB));
	COUNT(t, "event - bad_mllp_frame", 2);
	COUNT(t, "tx ", 3);
	free(t);
}

/* A frame with no MSH, an empty frame: missing_msh, no transaction. */
static void test_missing_msh(void **st)
{
	(void)st;
	char *t = RUN(C(MD_DIR_TOSERVER, SB "PID|1||X\rPV1|1\r" EB SB EB),
		      C(MD_DIR_TOSERVER, SB ADT("C1") EB));
	COUNT(t, "event - missing_msh", 2);
	COUNT(t, "tx ", 1);
	HAS(t, "uint 0 field=segments 3\n");
	free(t);
}

/* The stream ends inside a frame: the message is ended, the frame is
 * reported; eof right after 0x1C: the missing 0x0D is reported. */
static void test_truncated(void **st)
{
	(void)st;
	char *t = RUN(C(MD_DIR_TOSERVER, SB ADT("C1")));
	HAS(t, "event 0 bad_mllp_frame\nuint 0 field=segments 3\n");
	HAS(t, "progress 0 dir 0 1\n");
	free(t);
	t = RUN(C(MD_DIR_TOCLIENT, SB ADT("C1") "\x1c"));
	HAS(t, "progress 0 dir 1 1\nevent - bad_mllp_frame\n");
	free(t);
}

/* ---- delimiters, escapes, repetitions, components ------------------------ */

#define DELIMS                                                                 \
	SB "MSH#$%!@#SND#SFAC#RCV#RFAC#2024##ADT$A01$ADT_A01#C1#P#2.5\r"       \
	   "PID#1##ID1$$$AUTH$MR%ID2$$$OTHER$PI##DOE$JOHN\r"                   \
	   "PV1#1#I#ICU$02$1$HOSP@WEST\r"                                      \
	   "NTE#1##a!F!b!S!c!E!d!X41!\r" EB

static void test_custom_delimiters(void **st)
{
	(void)st;
	char *t = RUN(C(MD_DIR_TOSERVER, DELIMS));
	HAS(t, "str 0 field=message_type 'ADT^A01'\n");
	HAS(t, "str 0 field=message_structure 'ADT_A01'\n");
	HAS(t,
	    "str 0 field=patient_ids 'ID1'\nstr 0 field=patient_ids 'ID2'\n");
	HAS(t, "str 0 field=patient_name 'DOE^JOHN'\n");
	HAS(t, "str 0 field=location 'ICU^02^1^HOSP&WEST'\n");
	HAS(t, "arg 0 field=field arg=MSH-1 len=1\nstr 0 field=field '#'\n");
	HAS(t, "arg 0 field=field arg=MSH-2 len=4\nstr 0 field=field '$%!@'\n");
	HAS(t, "arg 0 field=field arg=PID-3 len=13\n"
	       "str 0 field=field 'ID1^^^AUTH^MR'\n");
	HAS(t,
	    "arg 0 field=field arg=PID-3.4 len=5\nstr 0 field=field 'OTHER'\n");
	HAS(t, "arg 0 field=field arg=PV1-3.4 len=9\n"
	       "str 0 field=field 'HOSP&WEST'\n");
	HAS(t, "arg 0 field=field arg=NTE-3 len=8\n"
	       "str 0 field=field 'a|b^c\\x5cdA'\n");
	HAS(t, "str 0 field=segment 'NTE#1##a!F!b!S!c!E!d!X41!'\n");
	no_events(t);
	free(t);
}

/* v2.7 MSH-2 with the truncation character: legal, '#' stays data. */
static void test_truncation_character(void **st)
{
	(void)st;
	char *t =
	    RUN(C(MD_DIR_TOSERVER, SB "MSH|^~\\&#|A|B|C|D|1||ORU^R01|C1|P|"
				      "2.7\rOBX|1|ST|X||cut here#\r" EB));
	HAS(t, "arg 0 field=field arg=MSH-2 len=5\n");
	HAS(t, "str 0 field=version '2.7'\n");
	HAS(t, "str 0 field=obx_value 'cut here#'\n");
	COUNT(t, "invalid_delimiters", 0);
	free(t);
}

static void test_invalid_delimiters(void **st)
{
	(void)st;
	static const char *const bad[] = {
	    SB "MSH|^^\\&|A|B|C|D|1||ADT^A01|C1|P|2.5\r" EB,   /* duplicate */
	    SB "MSH|^~|A|B|C|D|1||ADT^A01|C1|P|2.5\r" EB,      /* too few */
	    SB "MSH|^~\\&#$|A|B|C|D|1||ADT^A01|C1|P|2.5\r" EB, /* too many */
	    SB "MSHQ^~\\&QxQyQzQ1QQQADT^A01QC1\r" EB, /* alphanumeric */
	    SB "MSH ^~\\& A\r" EB,		      /* space */
	    SB "MSH|^~\\a|A\r" EB,		      /* letter in MSH-2 */
	    SB "MSH|^~|&|A\r" EB,		      /* separator in MSH-2 */
	    SB "MSH\r" EB,			      /* nothing */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct md_vec_chunk in = {MD_DIR_TOSERVER, bad[i],
					  strlen(bad[i])};
		char *t = hl7_run(&in, 1);
		COUNT(t, "event 0 invalid_delimiters", 1);
		COUNT(t, "tx 0", 1);
		free(t);
	}
	/* an alphanumeric separator still splits */
	struct md_vec_chunk in = {MD_DIR_TOSERVER, bad[3], strlen(bad[3])};
	char *t = hl7_run(&in, 1);
	HAS(t, "str 0 field=message_type 'ADT^A01'\n");
	HAS(t, "str 0 field=control_id 'C1'\n");
	free(t);
}

#define ESC_OBX                                                                \
	"OBX|1|FT|N||\\F\\\\S\\\\T\\\\R\\\\E\\ \\X41\\ \\X414243\\ "           \
	"\\H\\hi\\N\\ a\\.br\\b \\.sp\\ \\Cxxyy\\\\Zx\\ \\Q\\ \\X4\\ \\Xzz\\ " \
	"\\\\ end\\F\r"

static void test_escapes(void **st)
{
	(void)st;
	char *t = RUN(C(MD_DIR_TOSERVER, SB MSH("ORU^R01", "C1") ESC_OBX EB));
	HAS(t,
	    "str 0 field=obx_value '|^&~\\x5c A ABC hi a\\x0ab   "
	    "\\x5cQ\\x5c \\x5cX4\\x5c \\x5cXzz\\x5c \\x5c\\x5c end\\x5cF'\n");
	no_events(t);
	free(t);
}

/* Escapes decoded in every reported value, components split first. */
static void test_escapes_in_components(void **st)
{
	(void)st;
	char *t = RUN(C(MD_DIR_TOSERVER,
			SB MSH("ADT^A01", "C\\T\\1") "PID|1||A\\S\\B^X\r" EB));
	HAS(t, "str 0 field=control_id 'C&1'\n");
	HAS(t,
	    "arg 0 field=field arg=PID-3.1 len=3\nstr 0 field=field 'A^B'\n");
	HAS(t, "str 0 field=patient_ids 'A^B'\n");
	free(t);
}

/* Repetitions and components of every field as hl7.field values; empty
 * ones are skipped. */
static void test_field_args(void **st)
{
	(void)st;
	char *t =
	    RUN(C(MD_DIR_TOSERVER,
		  SB MSH("ADT^A01", "C1") "PID|1||A^^^X~~B^^^Y||N1^G1~N2\r"
					  "ZXT|a&b^c\r" EB));
	COUNT(t, "arg=PID-3 ", 2);
	COUNT(t, "arg=PID-3.1 ", 2);
	COUNT(t, "arg=PID-3.4 ", 2);
	COUNT(t, "arg=PID-3.2 ", 0);
	COUNT(t, "arg=PID-2 ", 0);
	HAS(t,
	    "arg 0 field=field arg=PID-5 len=5\nstr 0 field=field 'N1^G1'\n");
	HAS(t, "arg 0 field=field arg=PID-5 len=2\nstr 0 field=field 'N2'\n");
	COUNT(t, "arg=PID-5.1 ", 1); /* N2 has no components */
	HAS(t,
	    "arg 0 field=field arg=ZXT-1.1 len=3\nstr 0 field=field 'a&b'\n");
	HAS(t, "arg 0 field=field arg=MSH-9.2 len=3\n");
	COUNT(t, "unknown_segment", 0); /* Z-segments are local */
	free(t);
}

/* ---- batches ------------------------------------------------------------- */

#define BATCH                                                                  \
	SB "FHS|^~\\&|SND|SFAC|RCV|RFAC|2024||F1\rBHS|^~\\&|SND|SFAC\r" ADT(   \
	    "B1") ADT("B2") "BTS|2\rFTS|1\r" EB

static void test_batch(void **st)
{
	(void)st;
	char *t = RUN(C(MD_DIR_TOSERVER, BATCH));
	COUNT(t, "tx ", 2);
	COUNT(t, "uint 0 field=batch 1", 1);
	COUNT(t, "uint 1 field=batch 1", 1);
	HAS(t, "uint 0 field=segments 3\n");
	HAS(t, "uint 1 field=segments 3\n");
	COUNT(t, "segment_names 'BHS'", 0);
	COUNT(t, "segment_names 'BTS'", 0);
	COUNT(t, "progress 1 dir 0 1", 1);
	no_events(t);
	free(t);
	/* after the batch, messages are no longer in one */
	t = RUN(C(MD_DIR_TOSERVER, BATCH SB ADT("C3") EB));
	COUNT(t, "field=batch", 2);
	COUNT(t, "tx 2", 1);
	free(t);
}

/* A batch sent without MLLP framing, and a segment after FTS. */
static void test_batch_unframed(void **st)
{
	(void)st;
	char *t =
	    RUN(C(MD_DIR_TOSERVER, "FHS|^~\\&\r" ADT("B1") "FTS|1\rNTE|x\r"));
	COUNT(t, "event - no_mllp_framing", 1);
	COUNT(t, "tx ", 1);
	HAS(t, "uint 0 field=segments 3\n");
	COUNT(t, "missing_msh", 0); /* not framed: nothing to miss */
	free(t);
}

/* ---- tables -------------------------------------------------------------- */

static const struct md_field_def *field_named(const char *name)
{
	for (size_t i = 0; i < md_parser_hl7.n_fields; i++)
		if (strcmp(md_parser_hl7.fields[i].name, name) == 0)
			return &md_parser_hl7.fields[i];
	fail_msg("no field %s", name);
	return NULL;
}

/* Every keyword the issue names is a field of the right kind. */
static void test_field_table(void **st)
{
	(void)st;
	static const char *const sticky[] = {
	    "message_type",
	    "message_code",
	    "trigger_event",
	    "version",
	    "control_id",
	    "processing_id",
	    "sending_application",
	    "sending_facility",
	    "receiving_application",
	    "receiving_facility",
	    "ack_code",
	    "ack_text",
	};
	for (size_t i = 0; i < sizeof(sticky) / sizeof(sticky[0]); i++) {
		const struct md_field_def *f = field_named(sticky[i]);
		assert_int_equal(f->type, MD_FT_STR);
		assert_int_equal(f->flags & (MD_FF_NOKEYWORD | MD_FF_MULTI), 0);
	}
	assert_true(field_named("segment")->flags & MD_FF_MULTI);
	assert_int_equal(field_named("segment")->type, MD_FT_STR);
	assert_true(field_named("field")->flags & MD_FF_ARG);
	assert_true(field_named("field")->flags & MD_FF_MULTI);
	assert_int_equal(field_named("segments")->type, MD_FT_UINT);
	assert_int_equal(field_named("max_field_length")->type, MD_FT_UINT);
	assert_int_equal(field_named("ed_data")->type, MD_FT_BYTES);
	assert_true(field_named("ed_data")->flags &
		    MD_FF_CHUNKED); /* filemagic */
	for (size_t i = 0; i < md_parser_hl7.n_fields; i++) {
		const struct md_field_def *f = &md_parser_hl7.fields[i];
		assert_non_null(f->name);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(f->name,
						md_parser_hl7.fields[j].name);
		assert_int_equal(f->progress, 0); /* final once reported */
		if (f->group >= 0)
			assert_int_equal(md_parser_hl7.fields[f->group].type,
					 MD_FT_GROUP);
		if (strncmp(f->name, "patient_", 8) == 0 &&
		    strcmp(f->name, "patient_class") != 0)
			assert_true(f->flags & MD_FF_PHI);
	}
	for (size_t i = 0; i < md_parser_hl7.n_events; i++)
		assert_non_null(md_parser_hl7.events[i].name);
	assert_int_equal(md_parser_hl7.n_events, HE_MAX);
}

static void test_arg_norm(void **st)
{
	(void)st;
	char out[32];
	int (*norm)(unsigned, const char *, char *, size_t) =
	    md_parser_hl7.arg_norm;
	assert_int_equal(norm(HF_FIELD, "pid-5.1", out, sizeof(out)), 0);
	assert_string_equal(out, "PID-5.1");
	assert_int_equal(norm(HF_FIELD, "PID-05", out, sizeof(out)), 0);
	assert_string_equal(out, "PID-5");
	assert_int_equal(norm(HF_FIELD, "zx1-999.999", out, sizeof(out)), 0);
	assert_string_equal(out, "ZX1-999.999");
	assert_int_equal(norm(HF_FIELD, "MSH-9.2", out, sizeof(out)), 0);
	assert_string_equal(out, "MSH-9.2");
	static const char *const bad[] = {
	    "PID5",   "PI-5",	   "1ID-5",   "PID-0",	"PID-1000",
	    "PID-5.", "PID-5.1.2", "PID-5.0", "PID-",	"PID-a",
	    "",	      "PID-5 ",	   "P D-5",   "PID--5", "PID-5.1000",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (norm(HF_FIELD, bad[i], out, sizeof(out)) != MD_E_INVAL)
			fail_msg("'%s' accepted as '%s'", bad[i], out);
	assert_int_equal(norm(HF_CONTROL_ID, "PID-5", out, sizeof(out)),
			 MD_E_INVAL);
	assert_int_equal(norm(HF_FIELD, "PID-5.1", out, 7), MD_E_INVAL);
	assert_int_equal(norm(HF_FIELD, NULL, out, sizeof(out)), MD_E_INVAL);
}

static void test_registered(void **st)
{
	(void)st;
	md_registry_reset();
	md_registry_init();
	int id = md_registry_find("hl7");
	assert_true(id >= 0);
	const struct md_parser *pp = md_registry_get((size_t)id);
	assert_ptr_equal(pp, &md_parser_hl7);
	assert_int_equal(pp->ipproto, 6);
	assert_int_equal(pp->ports[0], 2575);
	assert_int_equal(pp->ports[1], 6661);
	md_registry_reset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_probe),
	    cmocka_unit_test(test_mllp_basic),
	    cmocka_unit_test(test_no_final_cr),
	    cmocka_unit_test(test_no_trailer_cr),
	    cmocka_unit_test(test_lf_terminators),
	    cmocka_unit_test(test_nested_start_block),
	    cmocka_unit_test(test_no_mllp),
	    cmocka_unit_test(test_unframed_then_framed),
	    cmocka_unit_test(test_junk),
	    cmocka_unit_test(test_missing_msh),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_custom_delimiters),
	    cmocka_unit_test(test_truncation_character),
	    cmocka_unit_test(test_invalid_delimiters),
	    cmocka_unit_test(test_escapes),
	    cmocka_unit_test(test_escapes_in_components),
	    cmocka_unit_test(test_field_args),
	    cmocka_unit_test(test_batch),
	    cmocka_unit_test(test_batch_unframed),
	    cmocka_unit_test(test_field_table),
	    cmocka_unit_test(test_arg_norm),
	    cmocka_unit_test(test_registered),
	};
	size_t n = sizeof(tests) / sizeof(tests[0]);
	struct CMUnitTest *all = calloc(n + hl7_msg_ntests, sizeof(*all));
	assert_non_null(all);
	memcpy(all, tests, sizeof(tests));
	memcpy(all + n, hl7_msg_tests, hl7_msg_ntests * sizeof(*all));
	int rc =
	    _cmocka_run_group_tests("hl7", all, n + hl7_msg_ntests, NULL, NULL);
	free(all);
	return rc;
}
