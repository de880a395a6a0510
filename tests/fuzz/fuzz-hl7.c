/* fuzz-hl7.c - the HL7 v2 / MLLP parser's libFuzzer target, built here with
 * the other targets. The driver itself belongs to the parser and lives
 * with it (parsers/hl7/fuzz-hl7.c: input layout, sink checks); this file
 * only compiles it, so both stay one program.
 *
 * Normative reference: HL7 Version 2.x chapter 2 and MLLP release 2 (what
 * the parser under test implements).
 *
 * Seeds: the client and server payloads of each connection of
 * pcaps/hl7-*.pcap in that driver's layout (tests/fuzz/make-seeds.py).
 */
#include "../../parsers/hl7/fuzz-hl7.c"
