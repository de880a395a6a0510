/* http-defs.c - HTTP tables: rule keywords and EVE keys (one field table,
 * EVE names those of Suricata's http object), events, and the libhtp log
 * messages each event stands for.
 *
 * Normative reference: RFC 9110 / RFC 9112 (fields and their meaning);
 * Suricata's EVE schema (etc/schema.json, "http") for the EVE names.
 *
 *   http.request_header / http.response_header: one "Name: Value" buffer
 *   per header line, as Suricata's multi-buffers of the same names.
 */
#include <string.h>

#include "http.h"

#define SRV  MD_DIR_TOSERVER
#define CLI  MD_DIR_TOCLIENT
#define BOTH MD_DIR_BOTH
#define NK   MD_FF_NOKEYWORD
#define RULE (MD_FF_MULTI | MD_FF_NOLOG)
#define BODY (MD_FF_CHUNKED | MD_FF_NOLOG)
#define D    HTTP_PROG_DONE

/* clang-format off */
const struct md_field_def http_fields[HF_MAX] = {
	[HF_HOST] = {"host", "hostname", MD_FT_STR, SRV, 0, -1, 0, "host of the request: URI authority, else the Host header (lower case, no port)"},
	[HF_PORT] = {"port", "http_port", MD_FT_UINT, SRV, NK, -1, 0, "port of the Host header or URI, when given"},
	[HF_URI] = {"uri", "url", MD_FT_STR, SRV, 0, -1, 0, "request-target as sent"},
	[HF_USER_AGENT] = {"user_agent", "http_user_agent", MD_FT_STR, SRV, 0, -1, 0, "User-Agent header"},
	[HF_RSP_CT] = {"response_content_type", "http_content_type", MD_FT_STR, CLI, NK, -1, 0, "media type of the response (Content-Type without parameters)"},
	[HF_REFERER] = {"referer", "http_refer", MD_FT_STR, SRV, 0, -1, 0, "Referer header"},
	[HF_XFF] = {"xff", "xff", MD_FT_STR, SRV, NK, -1, 0, "X-Forwarded-For header"},
	[HF_METHOD] = {"method", "http_method", MD_FT_STR, SRV, 0, -1, 0, "request method"},
	[HF_PROTOCOL] = {"protocol", "protocol", MD_FT_STR, SRV, 0, -1, 0, "protocol of the request line (HTTP/1.1)"},
	[HF_STATUS] = {"status", "status", MD_FT_UINT, CLI, NK, -1, 0, "response status code"},
	[HF_STAT_CODE] = {"stat_code", NULL, MD_FT_STR, CLI, MD_FF_NOLOG, -1, 0, "response status code as text (sticky buffer)"},
	[HF_REDIRECT] = {"location", "redirect", MD_FT_STR, CLI, 0, -1, 0, "Location header of the response"},
	[HF_LENGTH] = {"length", "length", MD_FT_UINT, CLI, NK, -1, D, "response body bytes as received (libhtp message length: before content decoding)"},
	[HF_REQ_CT] = {"request_content_type", "request_content_type", MD_FT_STR, SRV, NK, -1, 0, "media type of the request body"},
	[HF_CONTENT_ENCODING] = {"content_encoding", "content_encoding", MD_FT_STR, CLI, NK, -1, 0, "Content-Encoding header of the response"},
	[HF_REQ_BODY_LEN] = {"request_body_length", "request_body_length", MD_FT_UINT, SRV, NK, -1, D, "decoded request body bytes"},
	[HF_RSP_BODY_LEN] = {"response_body_length", "response_body_length", MD_FT_UINT, CLI, NK, -1, D, "decoded response body bytes"},
	[HF_CONTENT_TYPE] = {"content_type", NULL, MD_FT_STR, BOTH, RULE, -1, 0, "Content-Type header of the request and of the response"},
	[HF_REQ_HEADER] = {"request_header", NULL, MD_FT_STR, SRV, RULE, -1, 0, "each request header line, Name: Value"},
	[HF_REQ_HEADERS] = {"request_headers", "request_headers", MD_FT_GROUP, SRV, NK, -1, 0, "request headers in order (credentials redacted)"},
	[HF_REQ_H_NAME] = {"request_header_name", "name", MD_FT_STR, SRV, NK, HF_REQ_HEADERS, 0, "header name"},
	[HF_REQ_H_VALUE] = {"request_header_value", "value", MD_FT_STR, SRV, NK, HF_REQ_HEADERS, 0, "header value"},
	[HF_RSP_HEADER] = {"response_header", NULL, MD_FT_STR, CLI, RULE, -1, 0, "each response header line, Name: Value"},
	[HF_RSP_HEADERS] = {"response_headers", "response_headers", MD_FT_GROUP, CLI, NK, -1, 0, "response headers in order (credentials redacted)"},
	[HF_RSP_H_NAME] = {"response_header_name", "name", MD_FT_STR, CLI, NK, HF_RSP_HEADERS, 0, "header name"},
	[HF_RSP_H_VALUE] = {"response_header_value", "value", MD_FT_STR, CLI, NK, HF_RSP_HEADERS, 0, "header value"},
	[HF_REQ_BODY] = {"request_body", NULL, MD_FT_BYTES, SRV, BODY, -1, D, "decoded request body, up to the body limit (file.data)"},
	[HF_RSP_BODY] = {"response_body", NULL, MD_FT_BYTES, CLI, BODY, -1, D, "decoded response body, up to the body limit (file.data)"},
};

const struct md_event_def http_events[HE_MAX] = {
	[HE_COMPRESSION_BOMB] = {"compression_bomb", "a body decodes to more than 1 MiB at over 100 times its wire size, or takes libhtp too long"},
	[HE_DECOMPRESSION_FAILED] = {"decompression_failed", "a gzip/deflate body that does not decode"},
	[HE_TOO_MANY_ENCODINGS] = {"too_many_encodings", "more Content-Encoding layers than are decoded"},
	[HE_ABNORMAL_CONTENT_ENCODING] = {"abnormal_content_encoding", "a Content-Encoding value libhtp reads as gzip or deflate only by guessing"},
	[HE_REQUEST_LINE_INVALID] = {"request_line_invalid", "unknown method, missing protocol, bad delimiters or leading whitespace"},
	[HE_RESPONSE_LINE_INVALID] = {"response_line_invalid", "status line with an invalid protocol or status code"},
	[HE_REQUEST_HEADER_INVALID] = {"request_header_invalid", "request header without colon, empty name, non-token name or bad folding"},
	[HE_RESPONSE_HEADER_INVALID] = {"response_header_invalid", "response header without colon, empty name, non-token name, NUL or bad folding"},
	[HE_HEADER_TOO_LONG] = {"header_too_long", "a header line over libhtp's field limit"},
	[HE_TOO_MANY_HEADERS] = {"too_many_headers", "more header lines than libhtp accepts"},
	[HE_REQUEST_CHUNK_INVALID] = {"request_chunk_invalid", "request chunk size line that is not hexadecimal"},
	[HE_RESPONSE_CHUNK_INVALID] = {"response_chunk_invalid", "response chunk size line that is not hexadecimal"},
	[HE_CONTENT_LENGTH_INVALID] = {"content_length_invalid", "Content-Length that is not a number, or with extra data"},
	[HE_TRANSFER_ENCODING_INVALID] = {"transfer_encoding_invalid", "Transfer-Encoding other than chunked, or chunked before HTTP/1.1"},
	[HE_REQUEST_SMUGGLING] = {"request_smuggling", "Content-Length and Transfer-Encoding together, or repeated or folded Content-Length"},
	[HE_MISSING_HOST] = {"missing_host", "HTTP/1.1 request without Host header"},
	[HE_HOST_AMBIGUOUS] = {"host_ambiguous", "the URI and the Host header name different hosts"},
	[HE_UNEXPECTED_BODY] = {"unexpected_body", "body bytes where the message has none"},
	[HE_PARSE_ERROR] = {"parse_error", "libhtp stopped parsing the connection"},
};
/* clang-format on */

/* libhtp 0.5 log messages (their text is libhtp's only stable handle),
 * matched by prefix. */
static const struct {
	const char *prefix;
	int ev;
} log_map[] = {
    {"Compression bomb", HE_COMPRESSION_BOMB},
    {"GZip decompressor: inflate failed", HE_DECOMPRESSION_FAILED},
    {"LZMA decompressor: memory limit", HE_COMPRESSION_BOMB},
    {"Too many response content encoding layers", HE_TOO_MANY_ENCODINGS},
    {"C-E gzip has abnormal value", HE_ABNORMAL_CONTENT_ENCODING},
    {"C-E deflate has abnormal value", HE_ABNORMAL_CONTENT_ENCODING},
    {"Request line", HE_REQUEST_LINE_INVALID},
    {"Invalid response line", HE_RESPONSE_LINE_INVALID},
    {"Request field invalid", HE_REQUEST_HEADER_INVALID},
    {"Request header name is not a token", HE_REQUEST_HEADER_INVALID},
    {"Invalid request field folding", HE_REQUEST_HEADER_INVALID},
    {"Response field invalid", HE_RESPONSE_HEADER_INVALID},
    {"Response header name is not a token", HE_RESPONSE_HEADER_INVALID},
    {"Response header value contains null", HE_RESPONSE_HEADER_INVALID},
    {"Invalid response field folding", HE_RESPONSE_HEADER_INVALID},
    {"Request field length exceeds", HE_HEADER_TOO_LONG},
    {"Response field length exceeds", HE_HEADER_TOO_LONG},
    {"Request buffer over the limit", HE_HEADER_TOO_LONG},
    {"Response the buffer limit", HE_HEADER_TOO_LONG},
    {"Too many request headers", HE_TOO_MANY_HEADERS},
    {"Too many response headers", HE_TOO_MANY_HEADERS},
    {"Request chunk encoding", HE_REQUEST_CHUNK_INVALID},
    {"Response chunk encoding", HE_RESPONSE_CHUNK_INVALID},
    {"Invalid C-L field", HE_CONTENT_LENGTH_INVALID},
    {"C-L value with extra data", HE_CONTENT_LENGTH_INVALID},
    {"Ambiguous request C-L value", HE_REQUEST_SMUGGLING},
    {"Ambiguous response C-L value", HE_CONTENT_LENGTH_INVALID},
    {"Transfer-encoding has abnormal", HE_TRANSFER_ENCODING_INVALID},
    {"Chunked transfer-encoding on HTTP/0.9", HE_TRANSFER_ENCODING_INVALID},
    {"Unexpected request body", HE_UNEXPECTED_BODY},
    {"Unexpected response body", HE_UNEXPECTED_BODY},
    {"Unexpected Response body", HE_UNEXPECTED_BODY},
};

int http_log_event(const char *msg)
{
	if (!msg)
		return -1;
	for (size_t i = 0; i < sizeof(log_map) / sizeof(log_map[0]); i++)
		if (!strncmp(msg, log_map[i].prefix, strlen(log_map[i].prefix)))
			return log_map[i].ev;
	return -1;
}
