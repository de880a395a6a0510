/* fuzz-ieee11073.c - the IEEE 11073-20601 parser's libFuzzer target, built
 * here with the other targets. The driver itself belongs to the parser and
 * lives with it (parsers/ieee11073/fuzz-ieee11073.c: input layout, sink
 * checks); this file only compiles it, so both stay one program.
 *
 * Normative reference: ISO/IEEE 11073-20601:2010 (what the parser under
 * test implements).
 *
 * Seeds: the client and server payloads of each connection of
 * pcaps/x73-*.pcap and the shared Antidote capture, in that driver's
 * layout (tests/fuzz/make-seeds.py, the writer of the HL7 seeds).
 */
#include "../../parsers/ieee11073/fuzz-ieee11073.c"
