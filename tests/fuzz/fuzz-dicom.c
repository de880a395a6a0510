/* fuzz-dicom.c - the DICOM parser's libFuzzer target, built here with the
 * other targets. The driver itself belongs to the parser and lives with it
 * (parsers/dicom/fuzz-dicom.c: record layout, sink checks); this file only
 * compiles it, so both stay one program.
 *
 * Normative reference: DICOM PS3.8 (upper layer), PS3.7 (DIMSE), PS3.5
 * (encoding): what the parser under test implements.
 *
 * Seeds: parsers/dicom/fuzz-seeds.py over pcaps/dicom-*.pcap (called by
 * tests/fuzz/make-seeds.py).
 */
#include "../../parsers/dicom/fuzz-dicom.c"
