/* fuzz-http.c - the HTTP parser's libFuzzer target, built here with the
 * other targets. The driver itself belongs to the parser and lives with it
 * (parsers/http/fuzz-http.c: input layout, sink checks); this file only
 * compiles it, so both stay one program.
 *
 * Normative reference: RFC 9112 / RFC 9110 (what the parser under test
 * reads through libhtp).
 *
 * Seeds: the client and server payloads of each connection of
 * pcaps/http-*.pcap and of the shared sdc11073 capture in that driver's
 * layout (tests/fuzz/make-seeds.py).
 */
#include "../../parsers/http/fuzz-http.c"
