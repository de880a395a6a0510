/* fuzz-sdc.c - the SDC SOAP reader's libFuzzer target, built here with the
 * other targets. The driver belongs to the parser and lives with it
 * (parsers/sdc/fuzz-sdc.c: input layout, sink checks); this file only
 * compiles it.
 *
 * Normative reference: W3C SOAP 1.2, OASIS WS-Discovery 1.1, IEEE
 * 11073-20701/10207 (what the reader under test extracts).
 *
 * Seeds: tests/fuzz/regress/fuzz-sdc/ (envelopes of the sdc11073 capture
 * and of pcaps/sdc-*.pcap in that driver's layout).
 */
#include "../../parsers/sdc/fuzz-sdc.c"
