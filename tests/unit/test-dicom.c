/* test-dicom.c - the DICOM parser (parsers/dicom), protocol side: probe,
 * a real echoscu/storescp exchange, every PDU type, every association item
 * and user-information sub-item, every DIMSE service, data sets in every
 * transfer syntax, the field table and the keyword argument normaliser.
 * Events, gaps, limits and allocation failures: test-dicom-events.c.
 *
 * Vectors are built with test-dicom.h and replayed with md_vec_run():
 * whole, split at every point, byte by byte, against a guard page.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test-dicom.h"

/* ---- probe ----------------------------------------------------------------
 */

static enum md_probe_rc probe(const void *p, size_t n, int dir)
{
	void *g;
	uint8_t *q = md_guard_copy(p, n, &g);
	enum md_probe_rc rc = md_parser_dicom.probe(q, n, (enum md_dir)dir);
	md_guard_free(g);
	return rc;
}

static void test_probe(void **st)
{
	(void)st;
	struct bb *rq = rq_pdu("STORESCP", "ECHOSCU", ECHO_PC, 1, NULL);
	assert_int_equal(probe(rq->p, rq->n, TS), MD_PROBE_YES);
	assert_int_equal(probe(rq->p, 75, TS), MD_PROBE_YES);
	for (size_t i = 0; i < 75; i++)
		assert_int_equal(probe(rq->p, i, TS), MD_PROBE_NEED_MORE);
	assert_int_equal(probe(rq->p, rq->n, TC), MD_PROBE_NO);
	assert_int_equal(probe("\x16\x03\x01\x02\x00\x01", 6, TS), MD_PROBE_NO);
	assert_int_equal(probe("\x16", 1, TS), MD_PROBE_NO);
	assert_int_equal(probe("GET / HTTP/1.1\r\n", 16, TS), MD_PROBE_NO);
	assert_int_equal(probe("\x01\x01", 2, TS), MD_PROBE_NO);
	struct bb *bad = bb_new();
	put(bad, rq->p, rq->n);
	bad->p[7] = 0; /* version without bit 0 */
	assert_int_equal(probe(bad->p, bad->n, TS), MD_PROBE_NO);
	bad->p[7] = 1;
	bad->p[12] = 0x07; /* control character in the called AE */
	assert_int_equal(probe(bad->p, bad->n, TS), MD_PROBE_NO);
	bad->p[12] = 'X';
	bad->p[74] = 0x99; /* first item */
	assert_int_equal(probe(bad->p, bad->n, TS), MD_PROBE_NO);
	patch_be(bad, 2, 4, 20); /* shorter than the fixed fields */
	assert_int_equal(probe(bad->p, bad->n, TS), MD_PROBE_NO);
	bb_free(bad);
	bb_free(rq);
}

/* ---- a real exchange: echoscu -> storescp (pcaps/dicom-echo.pcap) ------- */

static const char *const echo_hex[][2] = {
    {"0", "0100000000cd0001000053544f5245534350202020202020202045434"
	  "84f534355202020202020202020000000000000000000000000000000"
	  "0000000000000000000000000000000000100000153" /* app ctx */
	  "12e322e3834302e31303030382e332e312e312e312000002e0100ff00"
	  "30000011312e322e3834302e31303030382e312e31400000113"
	  "12e322e3834302e31303030382e312e325000003a5100000400004000"
	  "5200001b312e322e3237362e302e373233303031302e332e302e332e3"
	  "62e375500000f4f464649535f44434d544b5f333637"},
    {"1", "0200000000b80001000053544f5245534350202020202020202045434"
	  "84f534355202020202020202020000000000000000000000000000000"
	  "000000000000000000000000000000000010000015312e322e3834302"
	  "e31303030382e332e312e312e31210000190100000040000011312e32"
	  "2e3834302e31303030382e312e325000003a5100000400004000520000"
	  "1b312e322e3237362e302e373233303031302e332e302e332e362e3755"
	  "00000f4f464649535f44434d544b5f333637"},
    {"0", "04000000004a000000460103"},
    {"0", "0000000004000000380000000000020012000000312e322e3834302e3130"
	  "3030382e312e3100000000010200000030000000100102000000010000"
	  "000008020000000101"},
    {"1", "040000000054000000500103"},
    {"1", "0000000004000000420000000000020012000000312e322e3834302e3130"
	  "3030382e312e310000000001020000003080000020010200000001000000"
	  "000802000000010100000009020000000000"},
    {"0", "05000000000400000000"},
    {"1", "06000000000400000000"},
};

static struct bb *unhex(const char *h)
{
	struct bb *b = bb_new();
	for (; h[0] && h[1]; h += 2) {
		unsigned v;
		assert_int_equal(sscanf(h, "%2x", &v), 1);
		u8(b, v);
	}
	return b;
}

static void test_echo_capture(void **st)
{
	(void)st;
	struct vec v = {0};
	for (size_t i = 0; i < sizeof(echo_hex) / sizeof(echo_hex[0]); i++)
		add(&v, echo_hex[i][0][0] - '0', unhex(echo_hex[i][1]));
	char *t = run(&v);
	expect(t, "tx 0 dir 0\nstr 0 field=type 'association'\n"
		  "uint 0 field=pdu_type 1\n");
	expect(t, "str 0 field=called_ae 'STORESCP'\n");
	expect(t, "str 0 field=calling_ae 'ECHOSCU'\n");
	expect(t, "str 0 field=rq.application_context '" APP_CTX "'\n");
	expect(t, "group 0 field=rq.presentation_contexts\n"
		  "uint 0 field=rq.pc.id 1\n");
	expect(t, "str 0 field=abstract_syntax '" VERIFICATION "'\n");
	expect(t, "str 0 field=rq.pc.abstract_syntax_name "
		  "'Verification SOP Class'\n");
	expect(t, "str 0 field=rq.pc.transfer_syntaxes '" IMPLICIT "'\n");
	expect(t, "uint 0 field=rq.max_pdu_length 16384\n");
	expect(t, "str 0 field=implementation_class_uid "
		  "'1.2.276.0.7230010.3.0.3.6.7'\n");
	expect(t, "str 0 field=implementation_version 'OFFIS_DCMTK_367'\n");
	expect(t, "uint 0 field=presentation_contexts 1\n");
	expect(t, "str 0 field=ac.result 'accepted'\n");
	expect(t, "str 0 field=ac.pc.transfer_syntax_name "
		  "'Implicit VR Little Endian'\n");
	expect(t, "progress 0 dir 1 1\n");
	expect(t, "tx 1 dir 0\nstr 1 field=type 'dimse'\n");
	expect(t, "str 1 field=command 'C-ECHO-RQ'\n");
	expect(t, "uint 1 field=rq.message_id 1\n");
	expect(t, "str 1 field=sop_class_uid '" VERIFICATION "'\n");
	expect(t, "str 1 field=command 'C-ECHO-RSP'\n");
	expect(t, "uint 1 field=status 0\n");
	expect(t, "str 1 field=rsp.status_meaning 'Success'\n");
	expect(t, "progress 1 dir 0 1\nprogress 1 dir 1 1\n");
	expect(t, "tx 2 dir 0\nstr 2 field=type 'release'\n"
		  "uint 2 field=pdu_type 5\nprogress 2 dir 0 1\n"
		  "uint 2 field=pdu_type 6\n");
	expect_not(t, "\nevent ");
	free(t);
}

/* ---- association items and sub-items ------------------------------------ */

static void ui_rq_all(struct bb *b)
{
	ui_std(b);
	size_t at = item(b, 0x53);
	be16(b, 5);
	be16(b, 1);
	item_end(b, at);
	at = item(b, 0x54);
	be16(b, strlen(CT_STORAGE));
	str(b, CT_STORAGE);
	u8(b, 1);
	u8(b, 0);
	item_end(b, at);
	at = item(b, 0x56);
	be16(b, strlen(PR_FIND));
	str(b, PR_FIND);
	put(b, "\x01\x01\x00\x00", 4);
	item_end(b, at);
	at = item(b, 0x57);
	be16(b, strlen(CT_STORAGE));
	str(b, CT_STORAGE);
	be16(b, 17);
	str(b, "1.2.840.10008.4.2");
	be16(b, 2 + 27);
	be16(b, 27);
	str(b, "1.2.840.10008.5.1.4.1.1.2.1");
	item_end(b, at);
	at = item(b, 0x58);
	u8(b, 2);
	u8(b, 1);
	be16(b, 4);
	str(b, "user");
	be16(b, 6);
	str(b, "secret");
	item_end(b, at);
}

static void ui_ac_all(struct bb *b)
{
	size_t at = item(b, 0x51);
	be32(b, 4096);
	item_end(b, at);
	item_str(b, 0x52, "1.2.3.4");
	item_str(b, 0x55, "SCP_1");
	at = item(b, 0x53);
	be16(b, 1);
	be16(b, 1);
	item_end(b, at);
	at = item(b, 0x54);
	be16(b, strlen(CT_STORAGE));
	str(b, CT_STORAGE);
	u8(b, 1);
	u8(b, 1);
	item_end(b, at);
	at = item(b, 0x56);
	be16(b, strlen(PR_FIND));
	str(b, PR_FIND);
	u8(b, 1);
	item_end(b, at);
	at = item(b, 0x59);
	be16(b, 3);
	str(b, "tok");
	item_end(b, at);
}

static void test_assoc_items(void **st)
{
	(void)st;
	struct vec v = {0};
	static const struct pc pcs[] = {{1, CT_STORAGE, {EXPLICIT, IMPLICIT}},
					{3, PR_FIND, {JPEG}}};
	static const unsigned results[] = {0, 4};
	add(&v, TS, rq_pdu("SCP", "SCU", pcs, 2, ui_rq_all));
	add(&v, TC, ac_pdu(pcs, 2, results, ui_ac_all));
	char *t = run(&v);
	expect(t, "str 0 field=rq.pc.abstract_syntax_name 'CT Image Storage'");
	expect(t, "str 0 field=rq.pc.transfer_syntaxes '" EXPLICIT "'\n"
		  "str 0 field=transfer_syntax '" IMPLICIT "'\n");
	expect(t, "uint 0 field=rq.async_invoked 5\n"
		  "uint 0 field=rq.async_performed 1\n");
	expect(t, "group 0 field=rq.role_selections\n"
		  "str 0 field=rq.role.sop_class_uid '" CT_STORAGE "'\n"
		  "uint 0 field=rq.role.scu_role 1\n"
		  "uint 0 field=rq.role.scp_role 0\n");
	expect(t, "group 0 field=rq.extended_negotiations\n"
		  "str 0 field=rq.extneg.sop_class_uid '" PR_FIND "'\n"
		  "uint 0 field=rq.extneg.info_length 4\n");
	expect(t, "group 0 field=rq.common_extended_negotiations\n");
	expect(t, "str 0 field=rq.cextneg.service_class_uid "
		  "'1.2.840.10008.4.2'\n"
		  "str 0 field=rq.cextneg.related_sop_classes "
		  "'1.2.840.10008.5.1.4.1.1.2.1'\n");
	expect(t, "uint 0 field=user_identity.type 2\n"
		  "uint 0 field=rq.user_identity.response_requested 1\n"
		  "str 0 field=user_identity.username 'user'\n"
		  "uint 0 field=rq.user_identity.passcode_present 1\n");
	expect_not(t, "secret");
	expect(t, "uint 0 field=ac.pc.result 4\n"
		  "str 0 field=ac.pc.result_name "
		  "'transfer-syntaxes-not-supported'\n");
	expect(t, "uint 0 field=ac.accepted_contexts 1\n");
	expect(t, "uint 0 field=ac.max_pdu_length 4096\n");
	expect(t, "str 0 field=ac.implementation_class_uid '1.2.3.4'\n");
	expect(t, "str 0 field=ac.implementation_version 'SCP_1'\n");
	expect(t, "uint 0 field=ac.async_invoked 1\n");
	expect(t, "group 0 field=ac.role_selections\n");
	expect(t, "uint 0 field=ac.role.scp_role 1\n");
	expect(t, "group 0 field=ac.extended_negotiations\n"
		  "str 0 field=ac.extneg.sop_class_uid '" PR_FIND "'\n"
		  "uint 0 field=ac.extneg.info_length 1\n");
	expect(t, "uint 0 field=ac.user_identity.server_response_length 3\n");
	/* the rejected context's syntax is not in the accepted ones */
	assert_int_equal(md_count_str(t, "field=transfer_syntax '" JPEG), 1);
	expect_not(t, "\nevent ");
	free(t);
}

static unsigned ui_type;

static void ui_identity(struct bb *b)
{
	ui_std(b);
	size_t at = item(b, 0x58);
	u8(b, ui_type);
	u8(b, 0);
	be16(b, 9);
	str(b, "principal");
	be16(b, 0);
	item_end(b, at);
}

static void test_user_identity_types(void **st)
{
	(void)st;
	for (ui_type = 1; ui_type <= 5; ui_type++) {
		struct vec v = {0};
		char line[96];
		add(&v, TS, rq_pdu("SCP", "SCU", ECHO_PC, 1, ui_identity));
		char *t = run(&v);
		snprintf(line, sizeof(line),
			 "uint 0 field=user_identity.type %u\n", ui_type);
		expect(t, line);
		expect(t, "uint 0 field=rq.user_identity.passcode_present 0\n");
		if (ui_type <= 2) {
			expect(t, "str 0 field=user_identity.username "
				  "'principal'\n");
		} else {
			expect_not(t, "principal");
			expect(t, "uint 0 field=rq.user_identity."
				  "primary_field_length 9\n");
		}
		free(t);
	}
}

static void test_reject(void **st)
{
	(void)st;
	static const struct {
		unsigned result, source, reason;
		const char *text;
	} cases[] = {
	    {1, 1, 7, "'called-ae-title-not-recognized'"},
	    {1, 1, 3, "'calling-ae-title-not-recognized'"},
	    {2, 3, 1, "'temporary-congestion'"},
	    {1, 2, 2, "'protocol-version-not-supported'"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vec v = {0};
		char line[128];
		add(&v, TS, rq_pdu("NOSUCHAE", "SCU", ECHO_PC, 1, NULL));
		add(&v, TC,
		    small_pdu(3, cases[i].result, cases[i].source,
			      cases[i].reason));
		char *t = run(&v);
		expect(t, "uint 0 field=pdu_type 3\n"
			  "str 0 field=ac.result 'rejected'\n");
		snprintf(line, sizeof(line),
			 "uint 0 field=reject_result %u\n"
			 "uint 0 field=reject_source %u\n"
			 "uint 0 field=reject_reason %u\n",
			 cases[i].result, cases[i].source, cases[i].reason);
		expect(t, line);
		snprintf(line, sizeof(line), "field=rj.reason_name %s",
			 cases[i].text);
		expect(t, line);
		expect(t, "progress 0 dir 1 1\n");
		expect_not(t, "\nevent ");
		free(t);
	}
}

/* ---- release and abort ----------------------------------------------------
 */

static void test_release_collision(void **st)
{
	(void)st;
	struct vec v = {0};
	assoc(&v, ECHO_PC, 1);
	add(&v, TS, small_pdu(5, 0, 0, 0));
	add(&v, TC, small_pdu(5, 0, 0, 0));
	add(&v, TC, small_pdu(6, 0, 0, 0));
	add(&v, TS, small_pdu(6, 0, 0, 0));
	char *t = run(&v);
	expect(t, "tx 1 dir 0\nstr 1 field=type 'release'\n"
		  "uint 1 field=pdu_type 5\nprogress 1 dir 0 1\n"
		  "uint 1 field=pdu_type 5\nuint 1 field=release.collision 1\n"
		  "uint 1 field=pdu_type 6\nuint 1 field=pdu_type 6\n"
		  "progress 1 dir 0 1\nprogress 1 dir 1 1\n");
	expect_not(t, "\nevent ");
	free(t);
}

static void test_abort_flushes(void **st)
{
	(void)st;
	struct vec v = {0};
	static const struct pc pcs[] = {{1, PR_FIND, {EXPLICIT}}};
	assoc(&v, pcs, 1);
	struct bb *c = cmd_rq(0x0020, 7, PR_FIND, true);
	c_us(c, 0x0700, 0);
	struct bb *ds = bb_new();
	es(ds, 0x00100010, "PN", "*");
	msg(&v, TS, 1, c, ds);
	ds = bb_new();
	es(ds, 0x00100010, "PN", "A^B");
	msg(&v, TC, 1, cmd_rsp(0x8020, 7, 0xFF00, true), ds);
	add(&v, TC, small_pdu(7, 0, 2, 1));
	add(&v, TS, pdv(1, 3, NULL)); /* after the abort */
	char *t = run(&v);
	expect(t, "uint 1 field=find_results 1\nprogress 1 dir 0 1\n"
		  "progress 1 dir 1 1\n"
		  "tx 2 dir 1\nstr 2 field=type 'abort'\n"
		  "uint 2 field=pdu_type 7\nuint 2 field=abort.source 2\n"
		  "uint 2 field=abort.reason 1\n"
		  "str 2 field=abort.source_name 'service-provider'\n"
		  "str 2 field=abort.reason_name 'unrecognized-pdu'\n");
	expect(t, "event - pdu_not_allowed_in_state\n");
	free(t);
}

/* ---- DIMSE ------------------------------------------------------------------
 */

/* C-ECHO whose command set is split over three PDVs in two PDUs. */
static void test_command_reassembly(void **st)
{
	(void)st;
	struct vec v = {0};
	assoc(&v, ECHO_PC, 1);
	struct bb *c = cmd_done(cmd_rq(0x0030, 9, VERIFICATION, false));
	struct bb *b = bb_new();
	size_t at = pdu(b, 4);
	size_t cut1 = 10, cut2 = 40;
	be32(b, (uint32_t)cut1 + 2);
	u8(b, 1);
	u8(b, 1);
	put(b, c->p, cut1);
	be32(b, (uint32_t)(cut2 - cut1) + 2);
	u8(b, 1);
	u8(b, 1);
	put(b, c->p + cut1, cut2 - cut1);
	pdu_end(b, at);
	add(&v, TS, b);
	struct bb *rest = bb_new();
	put(rest, c->p + cut2, c->n - cut2);
	add(&v, TS, pdv(1, 3, rest));
	bb_free(rest);
	bb_free(c);
	msg(&v, TC, 1, cmd_rsp(0x8030, 9, 0, false), NULL);
	char *t = run(&v);
	expect(t, "tx 1 dir 0\nstr 1 field=type 'dimse'\n"
		  "uint 1 field=pdu_type 4\nstr 1 field=command 'C-ECHO-RQ'\n"
		  "str 1 field=rq.command 'C-ECHO-RQ'\n"
		  "uint 1 field=rq.message_id 9\nuint 1 field=rq.context_id 1\n"
		  "str 1 field=rq.transfer_syntax '" IMPLICIT "'\n");
	expect(t, "uint 1 field=rq.data_set 0\nprogress 1 dir 0 1\n");
	expect(t, "str 1 field=rsp.command 'C-ECHO-RSP'\n"
		  "uint 1 field=rsp.message_id 9\nuint 1 field=status 0\n"
		  "str 1 field=rsp.status_category 'success'\n");
	expect(t, "uint 1 field=rsp.count 1\nprogress 1 dir 0 1\n"
		  "progress 1 dir 1 1\n");
	expect_not(t, "\nevent ");
	free(t);
}

static void store_case(const char *ts, bool big, bool implicit)
{
	struct vec v = {0};
	const struct pc pcs[] = {{1, CT_STORAGE, {ts}}};
	assoc(&v, pcs, 1);
	msg(&v, TS, 1, store_cmd(1), image_ds(big, implicit));
	msg(&v, TC, 1, cmd_rsp(0x8001, 1, 0, false), NULL);
	char *t = run(&v);
	expect(t, "str 1 field=command 'C-STORE-RQ'\n");
	expect(t, "str 1 field=sop_instance_uid '" INST "'\n"
		  "uint 1 field=rq.priority 0\nuint 1 field=rq.data_set 1\n");
	expect_image(t, 1);
	expect(t, "uint 1 field=status 0\n");
	expect_not(t, "\nevent ");
	free(t);
}

static void test_store_explicit_le(void **st)
{
	(void)st;
	store_case(EXPLICIT, false, false);
}

static void test_store_implicit_le(void **st)
{
	(void)st;
	store_case(IMPLICIT, false, true);
}

static void test_store_explicit_be(void **st)
{
	(void)st;
	store_case(EXPLICIT_BE, true, false);
}

/* JPEG baseline: explicit LE with encapsulated (undefined-length) pixels. */
static void test_store_encapsulated(void **st)
{
	(void)st;
	struct vec v = {0};
	const struct pc pcs[] = {{1, CT_STORAGE, {JPEG}}};
	struct bb *d = bb_new();
	es(d, 0x00080060, "CS", "CT");
	el(d, false, 0x7FE00010, "OB", NULL, 0xffffffffu);
	delim(d, false, 0xE000, 0); /* basic offset table */
	delim(d, false, 0xE000, 6);
	put(d, "\xff\xd8\xff\xe0\x00\x10", 6);
	delim(d, false, 0xE0DD, 0);
	es(d, 0xFFFCFFFC, "OB", "\x00\x00");
	assoc(&v, pcs, 1);
	msg(&v, TS, 1, store_cmd(1), d);
	char *t = run(&v);
	expect(t, "str 1 field=rq.modality 'CT'\n");
	expect(t, "progress 1 dir 0 1\n");
	expect_not(t, "\nevent ");
	free(t);
}

static void test_store_deflated(void **st)
{
	(void)st;
	struct vec v = {0};
	const struct pc pcs[] = {{1, CT_STORAGE, {DEFLATED}}};
	struct bb *plain = image_ds(false, false);
	assoc(&v, pcs, 1);
	msg(&v, TS, 1, store_cmd(1), deflate_raw(plain));
	bb_free(plain);
	char *t = run(&v);
	expect_image(t, 1);
	expect_not(t, "\nevent ");
	free(t);
}

/* A data set on a context whose acceptance was not seen: the encoding is
 * guessed from the first element. */
static void test_store_unknown_context(void **st)
{
	(void)st;
	struct vec v = {0};
	add(&v, TS, rq_pdu("SCP", "SCU", ECHO_PC, 1, NULL));
	add(&v, TC, ac_pdu(ECHO_PC, 1, NULL, NULL));
	msg(&v, TS, 3, store_cmd(1), image_ds(false, false));
	char *t = run(&v);
	expect(t, "event - invalid_presentation_context\n");
	expect_image(t, 1);
	free(t);
}

static struct bb *find_ident(void)
{
	struct bb *d = bb_new();
	es(d, 0x00080005, "CS", "ISO_IR 100");
	es(d, 0x00080052, "CS", "PATIENT");
	es(d, 0x00100010, "PN", "DOE*");
	es(d, 0x00100020, "LO", "");
	es(d, 0x00100030, "DA", "");
	el(d, false, 0x00400100, "SQ", NULL, 0xffffffffu);
	delim(d, false, 0xE0DD, 0);
	return d;
}

static struct bb *match_ds(const char *name, const char *id)
{
	struct bb *d = bb_new();
	es(d, 0x00080052, "CS", "PATIENT");
	es(d, 0x00080054, "AE", "ARCH\\IVE");
	es(d, 0x00100010, "PN", name);
	es(d, 0x00100020, "LO", id);
	return d;
}

static void test_find(void **st)
{
	(void)st;
	struct vec v = {0};
	static const struct pc pcs[] = {{1, PR_FIND, {EXPLICIT}}};
	assoc(&v, pcs, 1);
	struct bb *c = cmd_rq(0x0020, 3, PR_FIND, true);
	c_us(c, 0x0700, 2);
	msg(&v, TS, 1, c, find_ident());
	msg(&v, TC, 1, cmd_rsp(0x8020, 3, 0xFF00, true),
	    match_ds("DOE^JOHN", "SYN0001"));
	msg(&v, TC, 1, cmd_rsp(0x8020, 3, 0xFF01, true),
	    match_ds("DOE^JANE", "SYN0002"));
	msg(&v, TC, 1, cmd_rsp(0x8020, 3, 0x0000, false), NULL);
	char *t = run(&v);
	expect(t, "str 1 field=rq.sop_class_name "
		  "'Patient Root Query/Retrieve Information Model - FIND'\n");
	expect(t, "uint 1 field=rq.priority 2\n");
	expect(t, "str 1 field=rq.query_retrieve_level 'PATIENT'\n");
	expect(t,
	       "group 1 field=rq.query_keys\n"
	       "str 1 field=rq.qk.tag '00100010'\n"
	       "str 1 field=rq.qk.keyword 'PatientName'\n"
	       "uint 1 field=rq.qk.wildcard 1\nuint 1 field=rq.qk.empty 0\n");
	expect(t,
	       "str 1 field=rq.qk.keyword 'PatientID'\n"
	       "uint 1 field=rq.qk.wildcard 0\nuint 1 field=rq.qk.empty 1\n");
	expect(t,
	       "str 1 field=rq.qk.tag '00400100'\n"
	       "str 1 field=rq.qk.keyword 'ScheduledProcedureStepSequence'\n"
	       "uint 1 field=rq.qk.wildcard 0\nuint 1 field=rq.qk.empty 0\n");
	assert_int_equal(md_count_str(t, "group 1 field=rq.query_keys"), 4);
	expect(t, "uint 1 field=rq.query_wildcard 1\nprogress 1 dir 0 1\n");
	expect(t, "str 1 field=rq.patient_name 'DOE*'\n");
	assert_int_equal(md_count_str(t, "field=command 'C-FIND-RSP'"), 1);
	assert_int_equal(md_count_str(t, "group 1 field=rsp.matches\n"), 2);
	expect(t, "group 1 field=rsp.matches\n"
		  "str 1 field=match.query_retrieve_level 'PATIENT'\n"
		  "event 1 invalid_ae_title\n"
		  "arg 1 field=attribute arg=00080054 len=8\n"
		  "str 1 field=attribute 'ARCH\\x5cIVE'\n"
		  "arg 1 field=attribute arg=00100010 len=8\n"
		  "str 1 field=attribute 'DOE^JOHN'\n"
		  "str 1 field=match.patient_name 'DOE^JOHN'\n");
	expect(t, "str 1 field=match.patient_id 'SYN0002'\n");
	expect(t, "uint 1 field=rsp.count 3\nuint 1 field=find_results 2\n"
		  "progress 1 dir 0 1\nprogress 1 dir 1 1\n");
	assert_int_equal(md_count_str(t, "\nevent "), 1);
	expect(t, "event 1 invalid_ae_title\n");
	free(t);
}

/* C-GET: the C-STORE sub-operation comes from the server on the same
 * association; pending C-GET responses carry sub-operation counts. */
static void test_get(void **st)
{
	(void)st;
	struct vec v = {0};
	static const struct pc pcs[] = {{1, PR_GET, {EXPLICIT}},
					{3, CT_STORAGE, {EXPLICIT}}};
	assoc(&v, pcs, 2);
	struct bb *c = cmd_rq(0x0010, 1, PR_GET, true);
	c_us(c, 0x0700, 0);
	struct bb *ds = bb_new();
	es(ds, 0x00080052, "CS", "STUDY");
	es(ds, 0x0020000D, "UI", "2.25.1.2");
	msg(&v, TS, 1, c, ds);
	c = store_cmd(1);
	c_str(c, 0x1030, "SCU", ' ');
	c_us(c, 0x1031, 1);
	msg(&v, TC, 3, c, image_ds(false, false));
	msg(&v, TS, 3, cmd_rsp(0x8001, 1, 0, false), NULL);
	c = cmd_rsp(0x8010, 1, 0xFF00, false);
	c_us(c, 0x1020, 0);
	c_us(c, 0x1021, 1);
	msg(&v, TC, 1, c, NULL);
	c = cmd_rsp(0x8010, 1, 0, false);
	c_us(c, 0x1021, 1);
	c_us(c, 0x1022, 0);
	c_us(c, 0x1023, 0);
	msg(&v, TC, 1, c, NULL);
	char *t = run(&v);
	expect(t, "tx 1 dir 0\n");
	expect(t, "str 1 field=command 'C-GET-RQ'\n");
	expect(t, "tx 2 dir 1\n");
	expect(t, "str 2 field=command 'C-STORE-RQ'\n");
	expect(t, "str 2 field=rq.move_originator_ae 'SCU'\n"
		  "uint 2 field=rq.move_originator_message_id 1\n");
	expect_image(t, 2);
	expect(t, "progress 2 dir 1 1\n");
	expect(t, "uint 2 field=status 0\n");
	expect(t, "progress 2 dir 0 1\nprogress 2 dir 1 1\n");
	expect(t, "uint 1 field=rsp.completed 1\nuint 1 field=rsp.failed 0\n"
		  "uint 1 field=rsp.warning 0\nuint 1 field=rsp.count 2\n"
		  "uint 1 field=find_results 1\n");
	expect_not(t, "\nevent ");
	free(t);
}

static void test_move_cancel(void **st)
{
	(void)st;
	struct vec v = {0};
	static const struct pc pcs[] = {{1, PR_MOVE, {EXPLICIT}}};
	assoc(&v, pcs, 1);
	struct bb *c = cmd_rq(0x0021, 5, PR_MOVE, true);
	c_str(c, 0x0600, "DEST", ' ');
	c_us(c, 0x0700, 1);
	struct bb *ds = bb_new();
	es(ds, 0x00080052, "CS", "PATIENT");
	es(ds, 0x00100020, "LO", "SYN000?");
	msg(&v, TS, 1, c, ds);
	c = cmd_rsp(0x8021, 5, 0xFF00, false);
	c_us(c, 0x1020, 2);
	c_us(c, 0x1021, 1);
	msg(&v, TC, 1, c, NULL);
	c = bb_new();
	c_us(c, 0x0100, 0x0FFF);
	c_us(c, 0x0120, 5);
	c_us(c, 0x0800, 0x0101);
	msg(&v, TS, 1, c, NULL);
	c = cmd_rsp(0x8021, 5, 0xFE00, false);
	c_us(c, 0x1020, 1);
	c_us(c, 0x1021, 1);
	c_us(c, 0x1022, 0);
	c_us(c, 0x1023, 0);
	msg(&v, TC, 1, c, NULL);
	/* a second move ending in a warning, and a cancel of nothing */
	c = cmd_rq(0x0021, 6, PR_MOVE, false);
	c_str(c, 0x0600, "DEST", ' ');
	c_us(c, 0x0700, 1);
	msg(&v, TS, 1, c, NULL);
	c = cmd_rsp(0x8021, 6, 0xB000, false);
	c_us(c, 0x1022, 1);
	msg(&v, TC, 1, c, NULL);
	c = bb_new();
	c_us(c, 0x0100, 0x0FFF);
	c_us(c, 0x0120, 77);
	c_us(c, 0x0800, 0x0101);
	msg(&v, TS, 1, c, NULL);
	char *t = run(&v);
	expect(t, "str 1 field=move_destination 'DEST'\n");
	expect(t, "uint 1 field=rq.priority 1\n");
	expect(t, "uint 1 field=rq.query_wildcard 1\n");
	expect(t, "str 1 field=command 'C-CANCEL-RQ'\n"
		  "uint 1 field=rq.cancelled 1\n");
	expect(t, "uint 1 field=status 65024\n"
		  "str 1 field=rsp.status_category 'cancel'\n");
	expect(t,
	       "uint 1 field=rsp.remaining 1\nuint 1 field=rsp.completed 1\n");
	expect(t, "uint 1 field=rsp.count 2\nprogress 1 dir 0 1\n");
	expect_not(t, "field=find_results");
	expect(t, "uint 2 field=status 45056\n"
		  "str 2 field=rsp.status_category 'warning'\n"
		  "str 2 field=rsp.status_meaning "
		  "'Warning: sub-operations complete with failures'\n");
	expect(t, "tx 3 dir 0\nstr 3 field=type 'dimse'\n"
		  "uint 3 field=pdu_type 4\n"
		  "str 3 field=command 'C-CANCEL-RQ'\n"
		  "str 3 field=rq.command 'C-CANCEL-RQ'\n"
		  "uint 3 field=rq.message_id_being_responded_to 77\n"
		  "progress 3 dir 0 1\nprogress 3 dir 1 1\n");
	expect_not(t, "\nevent ");
	free(t);
}

/* Every DIMSE-N service, N-EVENT-REPORT from the SCP. */
static void test_n_services(void **st)
{
	(void)st;
	struct vec v = {0};
	static const struct pc pcs[] = {{1, COMMIT, {EXPLICIT}},
					{3, MPPS, {IMPLICIT}}};
	assoc(&v, pcs, 2);
	/* N-ACTION-RQ storage commitment, then the SCP's N-EVENT-REPORT */
	struct bb *c = cmd_rq(0x0130, 1, COMMIT, true);
	c_str(c, 0x1001, "1.2.840.10008.1.20.1.1", 0);
	c_us(c, 0x1008, 1);
	struct bb *ds = bb_new();
	es(ds, 0x00081195, "UI", "2.25.9");
	msg(&v, TS, 1, c, ds);
	msg(&v, TC, 1, cmd_rsp(0x8130, 1, 0, false), NULL);
	c = cmd_rq(0x0100, 1, COMMIT, false);
	c_str(c, 0x1000, "1.2.840.10008.1.20.1.1", 0);
	c_us(c, 0x1002, 1);
	msg(&v, TC, 1, c, NULL);
	msg(&v, TS, 1, cmd_rsp(0x8100, 1, 0, false), NULL);
	/* N-CREATE / N-SET / N-GET / N-DELETE on MPPS */
	c = cmd_rq(0x0140, 2, MPPS, true);
	ds = bb_new();
	sv(ds, false, 0x00080060, NULL, "CT", ' ');
	msg(&v, TS, 3, c, ds);
	c = cmd_rsp(0x8140, 2, 0, false);
	c_str(c, 0x1000, "2.25.77", 0);
	msg(&v, TC, 3, c, NULL);
	c = cmd_rq(0x0120, 3, MPPS, true);
	c_str(c, 0x1001, "2.25.77", 0);
	ds = bb_new();
	sv(ds, false, 0x00400252, NULL, "COMPLETED", ' ');
	msg(&v, TS, 3, c, ds);
	msg(&v, TC, 3, cmd_rsp(0x8120, 3, 0x0106, false), NULL);
	c = cmd_rq(0x0110, 4, MPPS, false);
	c_str(c, 0x1001, "2.25.77", 0);
	msg(&v, TS, 3, c, NULL);
	ds = bb_new();
	sv(ds, false, 0x00080060, NULL, "CT", ' ');
	msg(&v, TC, 3, cmd_rsp(0x8110, 4, 0, true), ds);
	c = cmd_rq(0x0150, 5, MPPS, false);
	c_str(c, 0x1001, "2.25.78", 0);
	msg(&v, TS, 3, c, NULL);
	c = cmd_rsp(0x8150, 5, 0x0112, false);
	c_str(c, 0x0902, "gone", ' ');
	c_us(c, 0x0903, 42);
	msg(&v, TC, 3, c, NULL);
	char *t = run(&v);
	expect(t, "str 1 field=command 'N-ACTION-RQ'\n");
	expect(t, "str 1 field=sop_class_uid '" COMMIT "'\n"
		  "str 1 field=rq.sop_class_name "
		  "'Storage Commitment Push Model SOP Class'\n"
		  "str 1 field=sop_instance_uid '1.2.840.10008.1.20.1.1'\n"
		  "uint 1 field=rq.action_type_id 1\n");
	expect(t, "tx 2 dir 1\n");
	expect(t, "str 2 field=command 'N-EVENT-REPORT-RQ'\n");
	expect(t, "uint 2 field=rq.event_type_id 1\n");
	expect(t, "str 2 field=command 'N-EVENT-REPORT-RSP'\n");
	expect(t, "str 3 field=command 'N-CREATE-RQ'\n");
	expect(t, "str 3 field=rq.sop_class_name "
		  "'Modality Performed Procedure Step SOP Class'\n");
	expect(t, "str 3 field=rq.modality 'CT'\n");
	expect(t, "str 3 field=rsp.sop_instance_uid '2.25.77'\n");
	expect(t, "str 4 field=command 'N-SET-RQ'\n");
	expect(t, "arg 4 field=attribute arg=00400252 len=9\n");
	expect(t, "str 4 field=rsp.status_meaning "
		  "'Failure: invalid attribute value'\n");
	expect(t, "str 5 field=command 'N-GET-RQ'\n");
	expect(t,
	       "group 5 field=rsp.matches\nstr 5 field=match.modality 'CT'\n");
	expect(t, "str 6 field=command 'N-DELETE-RQ'\n");
	expect(t, "str 6 field=rsp.status_meaning "
		  "'Failure: no such SOP instance'\n"
		  "str 6 field=rsp.error_comment 'gone'\n"
		  "uint 6 field=rsp.error_id 42\n");
	expect(t, "progress 6 dir 0 1\nprogress 6 dir 1 1\n");
	expect_not(t, "\nevent ");
	free(t);
}

/* UN of undefined length (PS3.5 6.2.2): its content is implicit VR LE even
 * in an explicit VR big endian data set. */
static void test_un_sequence(void **st)
{
	(void)st;
	struct vec v = {0};
	const struct pc pcs[] = {{1, CT_STORAGE, {EXPLICIT_BE}}};
	struct bb *d = bb_new();
	el(d, true, 0x00091010, "UN", NULL, 0xffffffffu);
	delim(d, false, 0xE000, 0xffffffffu);
	sv(d, false, 0x00100010, NULL, "HIDDEN^NAME", ' ');
	delim(d, false, 0xE00D, 0);
	delim(d, false, 0xE0DD, 0);
	sv(d, true, 0x00080060, "CS", "MR", ' ');
	assoc(&v, pcs, 1);
	msg(&v, TS, 1, store_cmd(1), d);
	char *t = run(&v);
	expect(t, "str 1 field=rq.modality 'MR'\n");
	expect_not(t, "HIDDEN");
	expect_not(t, "\nevent ");
	free(t);
}

static void status_case(unsigned field, unsigned st, const char *meaning)
{
	struct vec v = {0};
	char line[160];
	static const struct pc pcs[] = {{1, PR_FIND, {EXPLICIT}}};
	assoc(&v, pcs, 1);
	msg(&v, TS, 1, cmd_rq(field, 1, PR_FIND, false), NULL);
	msg(&v, TC, 1, cmd_rsp(field | 0x8000, 1, st, false), NULL);
	char *t = run(&v);
	snprintf(line, sizeof(line), "field=rsp.status_meaning '%s'\n",
		 meaning);
	expect(t, line);
	free(t);
}

static void test_status_meanings(void **st)
{
	(void)st;
	status_case(0x0001, 0xA700, "Refused: out of resources");
	status_case(0x0001, 0xA900, "Error: data set does not match SOP class");
	status_case(0x0020, 0xA900,
		    "Error: identifier does not match SOP class");
	status_case(0x0001, 0xC005, "Error: cannot understand");
	status_case(0x0021, 0xC000, "Failure: unable to process");
	status_case(0x0021, 0xA801, "Refused: move destination unknown");
	status_case(0x0001, 0xB000, "Warning: coercion of data elements");
	status_case(0x0001, 0xB123, "Warning");
	status_case(0x0030, 0x0124, "Refused: not authorized");
	status_case(0x0030, 0xD000, "Failure");
}

/* EncapsulatedDocument: MIME type, length and first bytes (filemagic). */
static void test_encapsulated_document(void **st)
{
	(void)st;
	struct vec v = {0};
	static const struct pc pcs[] = {
	    {1, "1.2.840.10008.5.1.4.1.1.104.1", {EXPLICIT}}};
	assoc(&v, pcs, 1);
	struct bb *c = cmd_rq(0x0001, 1, pcs[0].as, true);
	c_us(c, 0x0700, 0);
	c_str(c, 0x1000, INST, 0);
	struct bb *ds = bb_new();
	es(ds, 0x00420011, "OB", "%PDF-1.4 hello");
	es(ds, 0x00420012, "LO", "application/pdf");
	msg(&v, TS, 1, c, ds);
	char *t = run(&v);
	expect(t, "str 1 field=encapsulated_document '%PDF-1.4 hello'\n"
		  "uint 1 field=rq.document_length 14\n");
	expect(t, "str 1 field=rq.document_mime_type 'application/pdf'\n");
	expect(t, "str 1 field=rq.sop_class_name 'Encapsulated PDF Storage'\n");
	free(t);
}

/* ---- tables ---------------------------------------------------------------
 */

static const struct md_field_def *field(const char *name)
{
	for (size_t i = 0; i < md_parser_dicom.n_fields; i++)
		if (strcmp(md_parser_dicom.fields[i].name, name) == 0)
			return &md_parser_dicom.fields[i];
	fail_msg("no field %s", name);
	return NULL;
}

static void test_field_table(void **st)
{
	(void)st;
	const struct md_parser *pp = &md_parser_dicom;
	static const char *const sticky[] = {"calling_ae",
					     "called_ae",
					     "abstract_syntax",
					     "transfer_syntax",
					     "implementation_class_uid",
					     "implementation_version",
					     "user_identity.username",
					     "command",
					     "sop_class_uid",
					     "sop_instance_uid",
					     "move_destination"};
	static const char *const ints[] = {
	    "pdu_type",	     "reject_result",
	    "reject_source", "reject_reason",
	    "status",	     "user_identity.type",
	    "find_results",  "presentation_contexts"};
	for (size_t i = 0; i < sizeof(sticky) / sizeof(sticky[0]); i++) {
		const struct md_field_def *f = field(sticky[i]);
		assert_int_equal(f->type, MD_FT_STR);
		assert_false(f->flags & MD_FF_NOKEYWORD);
	}
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		const struct md_field_def *f = field(ints[i]);
		assert_int_equal(f->type, MD_FT_UINT);
		assert_false(f->flags & MD_FF_NOKEYWORD);
	}
	const struct md_field_def *a = field("attribute");
	assert_true(a->flags & MD_FF_ARG);
	assert_true(field("encapsulated_document")->flags & MD_FF_CHUNKED);
	assert_true(field("rq.patient_name")->flags & MD_FF_PHI);
	assert_true(field("match.patient_birth_date")->flags & MD_FF_PHI);
	assert_false(field("rq.modality")->flags & MD_FF_PHI);
	assert_int_equal(pp->n_fields, DF_MAX);
	for (size_t i = 0; i < pp->n_fields; i++) {
		const struct md_field_def *f = &pp->fields[i];
		assert_non_null(f->name);
		assert_non_null(f->desc);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(f->name, pp->fields[j].name);
		if (f->group >= 0) {
			assert_true((size_t)f->group < pp->n_fields);
			assert_int_equal(pp->fields[f->group].type,
					 MD_FT_GROUP);
		}
		/* a keyword needs a type a rule can compare */
		if (!(f->flags & MD_FF_NOKEYWORD))
			assert_true(f->type != MD_FT_GROUP);
	}
	assert_int_equal(pp->n_events, DICOM_EV_MAX);
	for (size_t i = 0; i < pp->n_events; i++) {
		assert_non_null(pp->events[i].name);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(pp->events[i].name,
						pp->events[j].name);
	}
	/* the generated tables are sorted for bsearch */
	for (size_t i = 1; i < dicom_n_tags; i++)
		assert_true(dicom_tags[i - 1].tag < dicom_tags[i].tag);
	for (size_t i = 1; i < dicom_n_uids; i++)
		assert_true(strcmp(dicom_uids[i - 1].uid, dicom_uids[i].uid) <
			    0);
	for (size_t i = 0; i < dicom_n_tags; i++)
		if (dicom_tags[i].key >= 0)
			assert_true(dicom_tags[i].key < DICOM_N_KEYS);
}

static void norm(const char *arg, const char *want)
{
	char out[16];
	int rc = md_parser_dicom.arg_norm(DF_ATTRIBUTE, arg, out, sizeof(out));
	if (!want) {
		assert_int_equal(rc, MD_E_INVAL);
		return;
	}
	assert_int_equal(rc, 0);
	assert_string_equal(out, want);
}

static void test_arg_norm(void **st)
{
	(void)st;
	char out[16];
	norm("PatientName", "00100010");
	norm("patientname", "00100010");
	norm("Modality", "00080060");
	norm("PixelData", "7FE00010");
	norm("(0010,0020)", "00100020");
	norm("(7fe0,0010)", "7FE00010");
	norm("0008103e", "0008103E");
	norm("(0009,10ff)", "000910FF");
	norm("NoSuchKeyword", NULL);
	norm("(0010,002G)", NULL);
	norm("(0010-0020)", NULL);
	norm("", NULL);
	assert_int_equal(md_parser_dicom.arg_norm(DF_COMMAND, "PatientName",
						  out, sizeof(out)),
			 MD_E_INVAL);
	assert_int_equal(
	    md_parser_dicom.arg_norm(DF_ATTRIBUTE, "PatientName", out, 4),
	    MD_E_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_probe),
	    cmocka_unit_test(test_echo_capture),
	    cmocka_unit_test(test_assoc_items),
	    cmocka_unit_test(test_user_identity_types),
	    cmocka_unit_test(test_reject),
	    cmocka_unit_test(test_release_collision),
	    cmocka_unit_test(test_abort_flushes),
	    cmocka_unit_test(test_command_reassembly),
	    cmocka_unit_test(test_store_explicit_le),
	    cmocka_unit_test(test_store_implicit_le),
	    cmocka_unit_test(test_store_explicit_be),
	    cmocka_unit_test(test_store_encapsulated),
	    cmocka_unit_test(test_store_deflated),
	    cmocka_unit_test(test_store_unknown_context),
	    cmocka_unit_test(test_find),
	    cmocka_unit_test(test_get),
	    cmocka_unit_test(test_move_cancel),
	    cmocka_unit_test(test_n_services),
	    cmocka_unit_test(test_un_sequence),
	    cmocka_unit_test(test_status_meanings),
	    cmocka_unit_test(test_encapsulated_document),
	    cmocka_unit_test(test_field_table),
	    cmocka_unit_test(test_arg_norm),
	};
	return cmocka_run_group_tests_name("dicom", tests, NULL, NULL);
}
