/* dicom-p10.h - DICOM Part-10 files carried by another protocol.
 *
 * DICOMweb (STOW-RS uploads, WADO-RS/URI downloads) moves whole Part-10
 * files in HTTP bodies, where DIMSE never goes: a C-STORE sends the data
 * set only, never the 128-byte preamble. The HTTP parser finds each file
 * (a body, or a part of a multipart/related body) and hands it here; the
 * DICOM module owns what a file means.
 *
 *   +-----------------+--------+------------------------+----------+
 *   | preamble (128)  | "DICM" | group 0002, explicit VR | data set |
 *   +-----------------+--------+------------------------+----------+
 *   "MZ" (PE) or 0x7F "ELF" in the preamble: a polyglot file that is
 *   also an executable (CVE-2019-11687).
 *
 * Normative reference: DICOM PS3.10 section 7.1 (File Meta Information),
 * PS3.5 section 7.1.2 (explicit VR little endian element encoding).
 */
#ifndef MD_DICOM_P10_H
#define MD_DICOM_P10_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "md-parser.h"

/* Whether file (len bytes) starts with a Part-10 header: 128 bytes, then
 * "DICM". */
bool md_dicom_p10_is(const uint8_t *file, size_t len);

/* Report the Part-10 file `file` (len bytes, possibly cut short) sent in
 * direction dir as a "dicom" transaction opened with sink->tx_new_as: type
 * "file", the media storage SOP class and instance, the transfer syntax,
 * the implementation class UID and version name of its File Meta
 * Information, and the event dicom.p10_executable_preamble when the
 * preamble opens with a PE or ELF header. Completes the transaction.
 * Returns whether the preamble was executable; nothing is reported when
 * file is not a Part-10 file or the sink has no tx_new_as. Borrows file
 * for the call only. */
bool md_dicom_p10(const uint8_t *file, size_t len, enum md_dir dir,
		  const struct md_sink *sink);

#endif
