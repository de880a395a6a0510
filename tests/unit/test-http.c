/* test-http.c - HTTP parser (parsers/http/): probing, request and
 * response fields, chunked and gzip/deflate bodies, pipelining, body
 * bounds, the compression-bomb check, the Part-10 executable-preamble check
 * (WADO and STOW-RS), the events libhtp's findings map to, gaps. Vectors
 * run through md_vec_run() (whole, split at every point, byte by byte,
 * guard pages); the few whose outcome libhtp itself decides differently by
 * segment boundaries (malformed bodies) run once, as noted.
 *
 *   GET /wado?... HTTP/1.1 CRLF Host: ... CRLF CRLF
 *   HTTP/1.1 200 OK CRLF Content-Type: application/dicom CRLF
 *   Content-Length: N CRLF CRLF [128-byte preamble]"DICM"...
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "harness.h"
#include "http.h"
#include "registry.h"

extern const struct md_parser md_parser_http;

#define C(d, s)                                                                \
	{                                                                      \
		d, s, sizeof(s) - 1                                            \
	}
#define RUN(...)                                                               \
	md_vec_run(&md_parser_http,                                            \
		   (const struct md_vec_chunk[]){__VA_ARGS__},                 \
		   sizeof((const struct md_vec_chunk[]){__VA_ARGS__}) /        \
		       sizeof(struct md_vec_chunk))
#define ONCE(...)                                                              \
	md_vec_run_once(&md_parser_http,                                       \
			(const struct md_vec_chunk[]){__VA_ARGS__},            \
			sizeof((const struct md_vec_chunk[]){__VA_ARGS__}) /   \
			    sizeof(struct md_vec_chunk))

#define SRV MD_DIR_TOSERVER
#define CLI MD_DIR_TOCLIENT
#define GET "GET / HTTP/1.1\r\nHost: a\r\n\r\n"

static void has(const char *t, const char *needle)
{
	if (!strstr(t, needle)) {
		fprintf(stderr, "transcript:\n%s", t);
		fail_msg("missing \"%s\" in the transcript above", needle);
	}
}

static void count(const char *t, const char *needle, size_t want)
{
	size_t got = md_count_str(t, needle);
	if (got != want) {
		fprintf(stderr, "transcript:\n%s", t);
		fail_msg("\"%s\" %zu times, expected %zu", needle, got, want);
	}
}

static void no_events(const char *t)
{
	if (!strncmp(t, "event ", 6) || strstr(t, "\nevent ")) {
		fprintf(stderr, "transcript:\n%s", t);
		fail_msg("unexpected event in the transcript above");
	}
}

/* ---- building inputs ------------------------------------------------------
 */

struct buf {
	uint8_t *p;
	size_t len;
};

static void add(struct buf *b, const void *p, size_t n)
{
	b->p = realloc(b->p, b->len + n + 1);
	assert_non_null(b->p);
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void adds(struct buf *b, const char *s)
{
	add(b, s, strlen(s));
}

static void addf(struct buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	add(b, tmp, (size_t)n);
}

/* zlib-compress in into out: wbits 31 gzip, 15 zlib ("deflate"). */
static struct buf zip(const void *in, size_t len, int wbits)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	assert_int_equal(
	    deflateInit2(&z, 9, Z_DEFLATED, wbits, 9, Z_DEFAULT_STRATEGY),
	    Z_OK);
	struct buf out = {malloc(deflateBound(&z, len)), 0};
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = out.p;
	z.avail_out = (uInt)deflateBound(&z, len);
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	out.len = z.total_out;
	deflateEnd(&z);
	return out;
}

/* A response with the given headers (CRLF-ended lines) and body. */
static struct buf response(const char *hdrs, const void *body, size_t len)
{
	struct buf b = {NULL, 0};
	addf(&b, "HTTP/1.1 200 OK\r\n%sContent-Length: %zu\r\n\r\n", hdrs, len);
	add(&b, body, len);
	return b;
}

/* A Part-10 file: preamble (its start given), "DICM", a short group 2. */
static struct buf p10(const char *preamble, size_t plen)
{
	static const uint8_t meta[] = {0x02, 0x00, 0x10, 0x00, 'U', 'I', 0x14,
				       0x00, '1',  '.',	 '2',  '.', '8', '4',
				       '0',  '.',  '1',	 '0',  '0', '0', '8',
				       '.',  '1',  '.',	 '2',  '.', '1', 0x00};
	struct buf b = {calloc(1, 128), 128};
	memcpy(b.p, preamble, plen);
	add(&b, "DICM", 4);
	add(&b, meta, sizeof(meta));
	return b;
}

/* ---- probe ----------------------------------------------------------------
 */

static enum md_probe_rc probe(const char *s, size_t n, enum md_dir dir)
{
	void *h;
	uint8_t *g = md_guard_copy(s, n, &h);
	enum md_probe_rc rc = md_parser_http.probe(g, n, dir);
	md_guard_free(h);
	return rc;
}

#define PROBE(s) probe(s, sizeof(s) - 1, SRV)

static void test_probe(void **st)
{
	(void)st;
	assert_int_equal(PROBE("GET / HTTP/1.1\r\n"), MD_PROBE_YES);
	assert_int_equal(PROBE("POST /dicom-web/studies HTTP/1.0\r\n"),
			 MD_PROBE_YES);
	assert_int_equal(PROBE("M-SEARCH * HTTP/1.1\n"), MD_PROBE_YES);
	assert_int_equal(probe("HTTP/1.1 200 OK\r\n", 17, CLI), MD_PROBE_YES);
	assert_int_equal(PROBE(""), MD_PROBE_NEED_MORE);
	assert_int_equal(PROBE("GET"), MD_PROBE_NEED_MORE);
	assert_int_equal(PROBE("GET /path HTTP/1"), MD_PROBE_NEED_MORE);
	assert_int_equal(PROBE("GET / HTTP/1.1"), MD_PROBE_NEED_MORE);
	assert_int_equal(PROBE("HTTP/1.1 20"), MD_PROBE_NEED_MORE);
	assert_int_equal(PROBE("HTT"), MD_PROBE_NEED_MORE);
	assert_int_equal(PROBE("get / HTTP/1.1\r\n"), MD_PROBE_NO);
	assert_int_equal(PROBE("GET /\r\n"), MD_PROBE_NO); /* HTTP/0.9 */
	assert_int_equal(PROBE("GET / HTTP/2.0\r\n"), MD_PROBE_NO);
	assert_int_equal(PROBE("GET / HTTP/1.1x\r\n"), MD_PROBE_NO);
	assert_int_equal(PROBE("HTTP/1.1 2x0 OK\r\n"), MD_PROBE_NO);
	assert_int_equal(PROBE("ABCDEFGHIJKLMNOPQRSTUVWXYZ / HTTP/1.1\r\n"),
			 MD_PROBE_NO);
	/* DICOM A-ASSOCIATE-RQ, HL7 over MLLP and bare, TLS, 20601 AARQ */
	assert_int_equal(PROBE("\x01\x00\x00\x00\x00\xcd\x00\x01"),
			 MD_PROBE_NO);
	assert_int_equal(PROBE("\x0bMSH|^~\\&|"), MD_PROBE_NO);
	assert_int_equal(PROBE("MSH|^~\\&|A|B"), MD_PROBE_NO);
	assert_int_equal(PROBE("\x16\x03\x01\x00\x10"), MD_PROBE_NO);
	assert_int_equal(PROBE("\xe2\x00\x00\x32\x80\x00"), MD_PROBE_NO);
}

/* ---- fields -----------------------------------------------------------------
 */

static void test_get(void **st)
{
	(void)st;
	char *t = RUN(C(SRV, "GET /wado?requestType=WADO&studyUID=1.2 "
			     "HTTP/1.1\r\nHost: PACS.example:8042\r\n"
			     "User-Agent: viewer/1\r\nReferer: http://r/\r\n"
			     "X-Forwarded-For: 10.0.0.9\r\n"
			     "Authorization: Basic dXNlcjpwYXNz\r\n\r\n"),
		      C(CLI, "HTTP/1.1 302 Found\r\nLocation: /x\r\n"
			     "Content-Type: text/plain; charset=utf-8\r\n"
			     "Content-Length: 5\r\n\r\nhello"));
	has(t, "tx 0 dir 0\nstr 0 field=method 'GET'\n"
	       "str 0 field=uri '/wado?requestType=WADO&studyUID=1.2'\n"
	       "str 0 field=protocol 'HTTP/1.1'\n"
	       "str 0 field=host 'pacs.example'\nuint 0 field=port 8042\n"
	       "str 0 field=user_agent 'viewer/1'\n"
	       "str 0 field=referer 'http://r/'\n"
	       "str 0 field=xff '10.0.0.9'\n");
	has(t, "str 0 field=request_header 'Host: PACS.example:8042'\n"
	       "group 0 field=request_headers\n"
	       "str 0 field=request_header_name 'Host'\n"
	       "str 0 field=request_header_value 'PACS.example:8042'\n");
	/* credentials: in the rule buffer, redacted in the EVE group */
	has(t, "str 0 field=request_header 'Authorization: Basic "
	       "dXNlcjpwYXNz'\ngroup 0 field=request_headers\n"
	       "str 0 field=request_header_name 'Authorization'\n"
	       "str 0 field=request_header_value '(redacted)'\n"
	       "progress 0 dir 0 1\n");
	has(t, "uint 0 field=status 302\nstr 0 field=stat_code '302'\n"
	       "str 0 field=response_content_type 'text/plain'\n"
	       "str 0 field=content_type 'text/plain; charset=utf-8'\n"
	       "str 0 field=location '/x'\n");
	has(t, "uint 0 field=length 5\nstr 0 field=response_body 'hello'\n"
	       "uint 0 field=response_body_length 5\nprogress 0 dir 1 1\n");
	count(t, "tx ", 1);
	no_events(t);
	free(t);
}

/* Chunked request and response bodies are reported dechunked. */
static void test_chunked(void **st)
{
	(void)st;
	char *t = RUN(C(SRV, "POST /fhir/Observation HTTP/1.1\r\nHost: f\r\n"
			     "Content-Type: application/fhir+json\r\n"
			     "Transfer-Encoding: chunked\r\n\r\n"
			     "4\r\n{\"a\"\r\n5;ext=1\r\n:1}  \r\n0\r\n\r\n"),
		      C(CLI, "HTTP/1.1 201 Created\r\n"
			     "Transfer-Encoding: chunked\r\n\r\n"
			     "3\r\nabc\r\n3\r\ndef\r\n0\r\nX-T: 1\r\n\r\n"));
	has(t, "str 0 field=request_content_type 'application/fhir+json'\n");
	has(t, "str 0 field=request_body '{\"a\":1}  '\n"
	       "uint 0 field=request_body_length 9\nprogress 0 dir 0 1\n");
	has(t, "uint 0 field=length 19\nstr 0 field=response_body 'abcdef'\n"
	       "uint 0 field=response_body_length 6\nprogress 0 dir 1 1\n");
	no_events(t);
	free(t);
}

static void encoded(int wbits, const char *name, bool split)
{
	static const char text[] =
	    "<?xml version=\"1.0\"?><s12:Envelope xmlns:s12=\"x\">"
	    "<s12:Body>reading reading reading</s12:Body></s12:Envelope>";
	struct buf z = zip(text, sizeof(text) - 1, wbits);
	char hdr[64];
	snprintf(hdr, sizeof(hdr), "Content-Encoding: %s\r\n", name);
	struct buf r = response(hdr, z.p, z.len);
	struct md_vec_chunk in[] = {{SRV, GET, sizeof(GET) - 1},
				    {CLI, r.p, r.len}};
	char *t = split ? md_vec_run(&md_parser_http, in, 2)
			: md_vec_run_once(&md_parser_http, in, 2);
	char want[256];
	snprintf(want, sizeof(want), "uint 0 field=length %zu\n", z.len);
	has(t, want);
	has(t, "str 0 field=response_body '<?xml version=\"1.0\"?>"
	       "<s12:Envelope");
	snprintf(want, sizeof(want), "uint 0 field=response_body_length %zu\n",
		 sizeof(text) - 1);
	has(t, want);
	no_events(t);
	free(t);
	free(z.p);
	free(r.p);
}

static void test_gzip(void **st)
{
	(void)st;
	encoded(31, "gzip", true);
}

static void test_deflate(void **st)
{
	(void)st;
	/* raw deflate (what libhtp tries first) at every split; the zlib
	 * wrapping RFC 9110 names is found by libhtp's retry, which looks
	 * at one segment: run once */
	encoded(-15, "deflate", true);
	encoded(15, "deflate", false);
}

/* A gzip request body (Content-Encoding on a POST) is decoded too. */
static void test_gzip_request(void **st)
{
	(void)st;
	static const char text[] = "payload payload payload payload";
	struct buf z = zip(text, sizeof(text) - 1, 31);
	struct buf q = {NULL, 0};
	addf(&q,
	     "POST /p HTTP/1.1\r\nHost: a\r\nContent-Encoding: gzip\r\n"
	     "Content-Length: %zu\r\n\r\n",
	     z.len);
	add(&q, z.p, z.len);
	struct md_vec_chunk in[] = {{SRV, q.p, q.len}};
	char *t = md_vec_run(&md_parser_http, in, 1);
	has(t, "str 0 field=request_body 'payload payload payload payload'\n"
	       "uint 0 field=request_body_length 31\n");
	free(t);
	free(z.p);
	free(q.p);
}

/* Two pipelined requests, then both responses: two transactions. */
static void test_pipelined(void **st)
{
	(void)st;
	char *t = RUN(C(SRV, "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
			     "GET /2 HTTP/1.1\r\nHost: a\r\n\r\n"),
		      C(CLI, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA"
			     "HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n"
			     "\r\nB"));
	has(t, "tx 0 dir 0\nstr 0 field=method 'GET'\nstr 0 field=uri '/1'\n");
	has(t, "tx 1 dir 0\nstr 1 field=method 'GET'\nstr 1 field=uri '/2'\n");
	has(t, "str 0 field=response_body 'A'\n");
	has(t, "uint 1 field=status 404\n");
	has(t, "str 1 field=response_body 'B'\n");
	count(t, "progress 0 dir 1 1\n", 1);
	count(t, "progress 1 dir 1 1\n", 1);
	free(t);
}

static size_t mini_body_len(const struct md_vec_chunk *in, size_t n);

/* The body rules see is bounded by max_field (65536 in the harness); the
 * decoded length is still reported. */
static void test_body_limit(void **st)
{
	(void)st;
	size_t n = 70000;
	char *body = malloc(n);
	memset(body, 'x', n);
	struct buf r = response("", body, n);
	struct md_vec_chunk in[] = {{SRV, GET, sizeof(GET) - 1},
				    {CLI, r.p, r.len}};
	char *t = md_vec_run_once(&md_parser_http, in, 2);
	has(t, "uint 0 field=response_body_length 70000\n");
	free(t);
	assert_int_equal(mini_body_len(in, 2), 65536);
	free(body);
	free(r.p);
}

/* 2 MiB of zeros gzip to about 2 KiB: a bomb (over 1 MiB decoded at over
 * 100 times the wire size). Decoding stops there. Run once: 2 MiB per
 * split is too slow to replay at every point. */
static void test_gzip_bomb(void **st)
{
	(void)st;
	size_t n = 2u << 20;
	uint8_t *zeros = calloc(1, n);
	struct buf z = zip(zeros, n, 31);
	struct buf r = response("Content-Encoding: gzip\r\n", z.p, z.len);
	struct md_vec_chunk in[] = {{SRV, GET, sizeof(GET) - 1},
				    {CLI, r.p, r.len}};
	char *t = md_vec_run_once(&md_parser_http, in, 2);
	/* the decoder stops at the first 8 KiB block over 1 MiB; the
	 * response still completes */
	has(t, "event 0 compression_bomb\nuint 0 field=length ");
	const char *bl = strstr(t, "field=response_body_length ");
	assert_non_null(bl);
	unsigned long got = strtoul(bl + 27, NULL, 10);
	assert_true(got > HTTP_BOMB_LIMIT && got < HTTP_BOMB_LIMIT + 65536);
	has(t, "progress 0 dir 1 1\n");
	free(t);
	/* 512 KiB of zeros: under the size threshold, no event */
	struct buf z2 = zip(zeros, n / 4, 31);
	struct buf r2 = response("Content-Encoding: gzip\r\n", z2.p, z2.len);
	struct md_vec_chunk in2[] = {{SRV, GET, sizeof(GET) - 1},
				     {CLI, r2.p, r2.len}};
	t = md_vec_run_once(&md_parser_http, in2, 2);
	has(t, "uint 0 field=response_body_length 524288\n");
	no_events(t);
	free(t);
	free(zeros);
	free(z.p);
	free(r.p);
	free(z2.p);
	free(r2.p);
}

/* ---- the Part-10 preamble ------------------------------------------------ */

/* Part-10 files become "dicom" companion transactions: the harness needs
 * the dicom parser registered to resolve their fields. */
static void need_dicom(void)
{
	extern const struct md_parser md_parser_dicom;
	if (md_registry_find("dicom") < 0) {
		char msg[128];
		assert_true(
		    md_registry_add(&md_parser_dicom, msg, sizeof(msg)) >= 0);
	}
}

static char *wado(const char *preamble, size_t plen)
{
	need_dicom();
	struct buf f = p10(preamble, plen);
	struct buf r =
	    response("Content-Type: application/dicom\r\n", f.p, f.len);
	static const char q[] = "GET /wado?requestType=WADO&contentType="
				"application%2Fdicom HTTP/1.1\r\nHost: p\r\n"
				"\r\n";
	struct md_vec_chunk in[] = {{SRV, q, sizeof(q) - 1}, {CLI, r.p, r.len}};
	char *t = md_vec_run(&md_parser_http, in, 2);
	free(f.p);
	free(r.p);
	return t;
}

static void test_p10_wado(void **st)
{
	(void)st;
	char *t = wado("MZ\x90\x00\x03", 5);
	has(t, "tx 1 dir 1 as dicom\nstr 1 field=type 'file'\n"
	       "str 1 field=rq.transfer_syntax '1.2.840.10008.1.2.1'\n"
	       "event 1 p10_executable_preamble\n"
	       "progress 1 dir 0 1\nprogress 1 dir 1 1\n");
	free(t);
	t = wado("\x7f"
		 "ELF\x02\x01\x01",
		 7);
	has(t, "event 1 p10_executable_preamble\n");
	free(t);
	t = wado("", 0); /* a clean file: zero preamble */
	has(t, "uint 0 field=response_body_length 160\n");
	has(t, "tx 1 dir 1 as dicom\nstr 1 field=type 'file'\n");
	no_events(t);
	free(t);
	t = wado("MY", 2);
	no_events(t);
	free(t);
}

/* STOW-RS: multipart/related; the file is the second part. */
static char *stow(const char *preamble, size_t plen)
{
	struct buf f = p10(preamble, plen);
	struct buf body = {NULL, 0};
	adds(&body, "--b1\r\nContent-Type: application/dicom+json\r\n\r\n"
		    "[]\r\n--b1\r\nContent-Type: application/dicom\r\n\r\n");
	add(&body, f.p, f.len);
	adds(&body, "\r\n--b1--\r\n");
	struct buf q = {NULL, 0};
	addf(&q,
	     "POST /dicom-web/studies HTTP/1.1\r\nHost: p\r\nContent-Type: "
	     "multipart/related; type=\"application/dicom\"; boundary=b1\r\n"
	     "Content-Length: %zu\r\n\r\n",
	     body.len);
	add(&q, body.p, body.len);
	struct md_vec_chunk in[] = {{SRV, q.p, q.len}};
	char *t = md_vec_run(&md_parser_http, in, 1);
	free(f.p);
	free(body.p);
	free(q.p);
	return t;
}

static void test_p10_stow(void **st)
{
	(void)st;
	need_dicom();
	char *t = stow("MZ", 2);
	has(t, "str 0 field=method 'POST'\n");
	has(t, "tx 1 dir 0 as dicom\n");
	has(t, "event 1 p10_executable_preamble\n");
	free(t);
	t = stow("", 0);
	no_events(t);
	free(t);
}

static void test_p10_scan(void **st)
{
	(void)st;
	struct buf f = p10("MZ", 2);
	size_t offs[4];
	assert_int_equal(http_p10_files(f.p, f.len, offs, 4), 1);
	assert_int_equal(offs[0], 0);
	assert_int_equal(http_p10_files(f.p, 131, offs, 4), 0); /* "DICM" cut */
	assert_int_equal(http_p10_files(f.p + 1, f.len - 1, offs, 4), 0);
	assert_int_equal(http_p10_files(NULL, 0, offs, 4), 0);
	struct buf g = {NULL, 0};
	adds(&g, "junk\r\n\r\n");
	add(&g, f.p, f.len);
	assert_int_equal(http_p10_files(g.p, g.len, offs, 4), 1);
	assert_int_equal(offs[0], 8);
	assert_int_equal(http_p10_files(g.p, g.len, offs, 0), 0); /* bound */
	g.p[5] = 'x'; /* no longer a blank line before the part */
	assert_int_equal(http_p10_files(g.p, g.len, offs, 4), 0);
	free(f.p);
	free(g.p);
}

/* ---- events
 * ------------------------------------------------------------------ */

static void test_request_events(void **st)
{
	(void)st;
	char *t = RUN(C(SRV, "GET / HTTP/1.1\r\n\r\n"));
	has(t, "event 0 missing_host\n");
	free(t);
	t = RUN(C(SRV, "GET http://a.example/ HTTP/1.1\r\nHost: b\r\n\r\n"));
	has(t, "event 0 host_ambiguous\n");
	free(t);
	t = RUN(C(SRV, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
		       "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n"
		       "\r\n"));
	has(t, "event 0 request_smuggling\n");
	has(t, "str 0 field=request_body 'abc'\n");
	free(t);
	t = RUN(C(SRV,
		  "POST / HTTP/1.0\r\nHost: a\r\n"
		  "Transfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n"));
	has(t, "event 0 transfer_encoding_invalid\n");
	free(t);
	t = RUN(C(SRV, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3x\r\n"
		       "\r\nabc"));
	has(t, "event 0 content_length_invalid\n");
	free(t);
	t = RUN(C(SRV, " GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
	has(t, "event 0 request_line_invalid\n");
	free(t);
	t = RUN(C(SRV, "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n"));
	has(t, "event 0 request_header_invalid\n");
	free(t);
	/* a chunk size that is not hexadecimal stops libhtp */
	t = RUN(C(SRV, "POST / HTTP/1.1\r\nHost: a\r\n"
		       "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n"));
	has(t, "event 0 request_chunk_invalid\nevent - parse_error\n");
	free(t);
}

static void test_response_events(void **st)
{
	(void)st;
	char *t = RUN(C(SRV, GET),
		      C(CLI, "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n"));
	has(t, "event 0 response_line_invalid\n");
	free(t);
	t = RUN(C(SRV, GET), C(CLI, "HTTP/1.1 200 OK\r\nNoColon\r\n"
				    "Content-Length: 0\r\n\r\n"));
	has(t, "event 0 response_header_invalid\n");
	free(t);
	t = RUN(C(SRV, GET), C(CLI, "HTTP/1.1 200 OK\r\nContent-Length: 2x"
				    "\r\n\r\nh"));
	has(t, "event 0 content_length_invalid\n");
	free(t);
}

/* Malformed bodies: what libhtp makes of the bytes after the fault depends
 * on where segments end, so these run once. */
static void test_body_events(void **st)
{
	(void)st;
	char *t = ONCE(C(SRV, GET), C(CLI, "HTTP/1.1 200 OK\r\n"
					   "Transfer-Encoding: chunked\r\n\r\n"
					   "qq\r\nabc\r\n0\r\n\r\n"));
	has(t, "event 0 response_chunk_invalid\n");
	free(t);
	t = ONCE(C(SRV, GET), C(CLI, "HTTP/1.1 304 Not Modified\r\n"
				     "Content-Length: 0\r\n\r\nhello"));
	has(t, "event 0 unexpected_body\n");
	free(t);
	t = ONCE(C(SRV, GET), C(CLI, "HTTP/1.1 200 OK\r\nContent-Encoding: "
				     "gzip\r\nContent-Length: 5\r\n\r\nhello"));
	has(t, "event 0 decompression_failed\n");
	free(t);
	t = ONCE(C(SRV, GET), C(CLI, "HTTP/1.1 200 OK\r\nContent-Encoding: "
				     "gzip, deflate, gzip\r\n"
				     "Content-Length: 5\r\n\r\nhello"));
	has(t, "event 0 too_many_encodings\n");
	free(t);
	t = ONCE(C(SRV, GET),
		 C(CLI, "HTTP/1.1 200 OK\r\nContent-Encoding: "
			"xgzip\r\nContent-Length: 5\r\n\r\nhello"));
	has(t, "event 0 abnormal_content_encoding\n");
	free(t);
}

/* A header line over libhtp's hard limit, and more headers than
 * max_items (256 in the harness). */
static void test_header_limits(void **st)
{
	(void)st;
	struct buf q = {NULL, 0};
	adds(&q, "GET / HTTP/1.1\r\nHost: a\r\nX-Long: ");
	for (int i = 0; i < HTTP_FIELD_HARD + 100; i++)
		adds(&q, "a");
	adds(&q, "\r\n\r\n");
	/* libhtp buffers a line cut by a segment end: that buffer is bounded */
	struct md_vec_chunk in[] = {{SRV, q.p, q.len - 10},
				    {SRV, q.p + q.len - 10, 10}};
	char *t = md_vec_run_once(&md_parser_http, in, 2);
	has(t, "event 0 header_too_long\n");
	free(t);
	free(q.p);
	struct buf m = {NULL, 0};
	adds(&m, "GET / HTTP/1.1\r\nHost: a\r\n");
	for (int i = 0; i < 300; i++)
		addf(&m, "X-%d: v\r\n", i);
	adds(&m, "\r\n");
	struct md_vec_chunk in2[] = {{SRV, m.p, m.len}};
	t = md_vec_run_once(&md_parser_http, in2, 1);
	has(t, "event 0 too_many_headers\n");
	free(t);
	free(m.p);
}

/* ---- SOAP (SDC) ------------------------------------------------------------
 */

#define ENV(body)                                                              \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"                           \
	"<s12:Envelope xmlns:s12=\"http://www.w3.org/2003/05/soap-envelope\" " \
	"xmlns:wsa=\"http://www.w3.org/2005/08/addressing\"><s12:Header>"      \
	"<wsa:Action>http://standards.ieee.org/downloads/11073/11073-10207-"   \
	"2017/SetService/SetValue</wsa:Action><wsa:MessageID>urn:uuid:1"       \
	"</wsa:MessageID></s12:Header><s12:Body>" body "</s12:Body>"           \
	"</s12:Envelope>"

/* A SOAP request and response: one http transaction and one sdc companion
 * that the envelope of each direction completes. A body that only says
 * text/xml but is no envelope gets no companion. */
static void test_soap(void **st)
{
	(void)st;
	extern const struct md_parser md_parser_sdc;
	if (md_registry_find("sdc") < 0) {
		char msg[128];
		assert_true(md_registry_add(&md_parser_sdc, msg, sizeof(msg)) >=
			    0);
	}
	static const char req[] = ENV("<x/>");
	static const char rsp[] = ENV("<y/>");
	char q[1024], r[1024];
	snprintf(q, sizeof(q),
		 "POST /dev/Set HTTP/1.1\r\nHost: d\r\nContent-Type: "
		 "application/soap+xml; charset=utf-8\r\nContent-Length: "
		 "%zu\r\n\r\n%s",
		 sizeof(req) - 1, req);
	snprintf(r, sizeof(r),
		 "HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\n"
		 "Content-Length: %zu\r\n\r\n%s",
		 sizeof(rsp) - 1, rsp);
	struct md_vec_chunk in[] = {{SRV, q, strlen(q)}, {CLI, r, strlen(r)}};
	char *t = md_vec_run(&md_parser_http, in, 2);
	count(t, "tx 1 dir 0 as sdc\n", 1);
	has(t, "progress 1 dir 0 1\n");
	has(t, "progress 1 dir 1 1\n");
	has(t, "progress 0 dir 1 1\n");
	count(t, "as sdc", 1);
	free(t);
	t = RUN(C(SRV, "POST /x HTTP/1.1\r\nHost: d\r\nContent-Type: "
		       "text/xml\r\nContent-Length: 9\r\n\r\n<a>b</a>\n"),
		C(CLI, "HTTP/1.1 204 No Content\r\n\r\n"));
	count(t, "as sdc", 0);
	has(t, "progress 0 dir 1 1\n");
	free(t);
}

/* ---- gaps, tables
 * ------------------------------------------------------------- */

struct mini {
	unsigned progress[2];
	unsigned events;
	size_t body; /* bytes of the last response_body value */
};

static void m_event(void *c, uint64_t tx, unsigned id)
{
	(void)tx, (void)id;
	((struct mini *)c)->events++;
}
static uint64_t m_tx_new(void *c, enum md_dir dir)
{
	(void)c, (void)dir;
	return 0;
}
static void m_str(void *c, uint64_t tx, unsigned f, const uint8_t *p,
		  size_t len)
{
	(void)tx, (void)p;
	if (f == HF_RSP_BODY)
		((struct mini *)c)->body = len;
}
static void m_uint(void *c, uint64_t tx, unsigned f, uint64_t v)
{
	(void)c, (void)tx, (void)f, (void)v;
}
static void m_group(void *c, uint64_t tx, unsigned f)
{
	(void)c, (void)tx, (void)f;
}
static void m_progress(void *c, uint64_t tx, enum md_dir dir, unsigned p)
{
	(void)tx;
	((struct mini *)c)->progress[dir] = p;
}
static bool m_wants(void *c, unsigned f, const char *arg)
{
	(void)c, (void)f, (void)arg;
	return true;
}

static const struct md_limits mini_lim = {1u << 20, 16u << 20, 256,
					  65536,    256,       100};

/* Run the chunks whole through a sink that keeps the body length. */
static size_t mini_body_len(const struct md_vec_chunk *in, size_t n)
{
	struct mini z = {{0, 0}, 0, 0};
	struct md_sink k = {&z,	  m_event, m_tx_new,   m_str,	m_uint,
			    NULL, m_group, m_progress, m_wants, NULL};
	void *s = calloc(1, md_parser_http.state_size);
	assert_int_equal(md_parser_http.init(s, &mini_lim), 0);
	for (size_t i = 0; i < n; i++) {
		size_t used;
		md_parser_http.parse(s, (enum md_dir)in[i].dir, in[i].p,
				     in[i].len, &used, &k);
	}
	md_parser_http.fini(s);
	free(s);
	return z.body;
}

/* Bytes lost inside a response body: the response still completes. */
static void test_gap(void **st)
{
	(void)st;
	struct mini z = {{0, 0}, 0, 0};
	struct md_sink k = {&z,	  m_event, m_tx_new,   m_str,	m_uint,
			    NULL, m_group, m_progress, m_wants, NULL};
	void *s = calloc(1, md_parser_http.state_size);
	size_t used;
	static const char rsp[] = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n"
				  "\r\nabc";
	assert_int_equal(md_parser_http.init(s, &mini_lim), 0);
	md_parser_http.parse(s, SRV, (const uint8_t *)GET, sizeof(GET) - 1,
			     &used, &k);
	md_parser_http.parse(s, CLI, (const uint8_t *)rsp, sizeof(rsp) - 1,
			     &used, &k);
	md_parser_http.gap(s, CLI, 4, &k);
	md_parser_http.parse(s, CLI, (const uint8_t *)"xyz", 3, &used, &k);
	assert_int_equal(z.progress[0], HTTP_PROG_DONE);
	assert_int_equal(z.progress[1], HTTP_PROG_DONE);
	md_parser_http.eof(s, SRV, &k);
	md_parser_http.eof(s, CLI, &k);
	md_parser_http.fini(s);
	free(s);
}

static void test_tables(void **st)
{
	(void)st;
	static const char *const kw[] = {"method",	   "uri",
					 "host",	   "user_agent",
					 "request_header", "response_header",
					 "stat_code",	   "content_type",
					 "request_body",   "response_body"};
	for (size_t i = 0; i < sizeof(kw) / sizeof(kw[0]); i++) {
		size_t f;
		for (f = 0; f < HF_MAX; f++)
			if (!strcmp(http_fields[f].name, kw[i]))
				break;
		assert_true(f < HF_MAX);
		assert_false(http_fields[f].flags & MD_FF_NOKEYWORD);
	}
	assert_true(http_fields[HF_REQ_BODY].flags & MD_FF_CHUNKED);
	assert_int_equal(http_fields[HF_RSP_BODY].type, MD_FT_BYTES);
	for (unsigned e = 0; e < HE_MAX; e++)
		assert_non_null(http_events[e].name);
	assert_int_equal(http_log_event("Compression bomb: spent 1 us"),
			 HE_COMPRESSION_BOMB);
	assert_int_equal(http_log_event("nothing we know"), -1);
	assert_int_equal(http_log_event(NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_probe),
	    cmocka_unit_test(test_get),
	    cmocka_unit_test(test_chunked),
	    cmocka_unit_test(test_gzip),
	    cmocka_unit_test(test_deflate),
	    cmocka_unit_test(test_gzip_request),
	    cmocka_unit_test(test_pipelined),
	    cmocka_unit_test(test_body_limit),
	    cmocka_unit_test(test_gzip_bomb),
	    cmocka_unit_test(test_p10_wado),
	    cmocka_unit_test(test_p10_stow),
	    cmocka_unit_test(test_p10_scan),
	    cmocka_unit_test(test_request_events),
	    cmocka_unit_test(test_response_events),
	    cmocka_unit_test(test_body_events),
	    cmocka_unit_test(test_header_limits),
	    cmocka_unit_test(test_soap),
	    cmocka_unit_test(test_gap),
	    cmocka_unit_test(test_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
