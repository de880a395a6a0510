/* dicom-p10.c - DICOM Part-10 files carried by another protocol (see
 * dicom-p10.h). Reads the File Meta Information (group 0002, explicit VR
 * little endian, PS3.10 7.1) through the bounded reader:
 *
 *   tag group(2) element(2) | VR(2) | len(2)            value
 *   tag group(2) element(2) | VR(2) | 00 00 | len(4)    value (OB OW OF
 *                                                   SQ UT UN UC UR OD OL)
 */
#include "dicom-p10.h"

#include <string.h>

#include "dicom.h"
#include "md-rd.h"

#define P10_PREAMBLE 128
#define P10_MAX_META 64 /* elements of group 0002 read at most */

bool md_dicom_p10_is(const uint8_t *file, size_t len)
{
	struct md_rd r = md_rd_make(file, len);
	md_rd_skip(&r, P10_PREAMBLE);
	struct md_span m = md_rd_span(&r, 4);
	return md_rd_ok(&r) && !memcmp(m.p, "DICM", 4);
}

static bool executable(const uint8_t *file, size_t len)
{
	struct md_rd r = md_rd_make(file, len);
	int c0 = md_rd_peek(&r, 0), c1 = md_rd_peek(&r, 1);
	return (c0 == 'M' && c1 == 'Z') ||
	       (c0 == 0x7F && c1 == 'E' && md_rd_peek(&r, 2) == 'L' &&
		md_rd_peek(&r, 3) == 'F');
}

/* VRs with a reserved 16 bits and a 32-bit length (PS3.5 7.1.2). */
static bool long_vr(const uint8_t vr[2])
{
	static const char *const l[] = {"OB", "OW", "OF", "SQ", "UT",
					"UN", "UC", "UR", "OD", "OL"};
	for (size_t i = 0; i < sizeof(l) / sizeof(l[0]); i++)
		if (!memcmp(vr, l[i], 2))
			return true;
	return false;
}

/* A UI or SH value without its trailing NUL or space padding. */
static struct md_span trim(struct md_span v)
{
	struct md_rd r = md_rd_make(v.p, v.len);
	int c;
	while (v.len && ((c = md_rd_peek(&r, v.len - 1)) == 0 || c == ' '))
		v.len--;
	return v;
}

static void meta_value(const struct md_sink *k, uint64_t tx, uint16_t el,
		       struct md_span v)
{
	v = trim(v);
	switch (el) {
	case 0x0002: /* MediaStorageSOPClassUID */
		dicom_uid_fields(k, tx, DF_SOP_CLASS, DF_SOP_CLASS_NAME, v);
		break;
	case 0x0003: /* MediaStorageSOPInstanceUID */
		k->tx_str(k->ctx, tx, DF_SOP_INSTANCE, v.p, v.len);
		break;
	case 0x0010: /* TransferSyntaxUID */
		k->tx_str(k->ctx, tx, DF_RQ_TS, v.p, v.len);
		break;
	case 0x0012: /* ImplementationClassUID */
		k->tx_str(k->ctx, tx, DF_IMPL_UID, v.p, v.len);
		break;
	case 0x0013: /* ImplementationVersionName */
		k->tx_str(k->ctx, tx, DF_IMPL_VERSION, v.p, v.len);
		break;
	default:
		break;
	}
}

/* Walk group 0002; stops at the first other group or a bad length. */
static void meta(struct md_rd r, const struct md_sink *k, uint64_t tx)
{
	for (int i = 0; i < P10_MAX_META && md_rd_left(&r) >= 8; i++) {
		uint16_t group = md_rd_le16(&r), el = md_rd_le16(&r);
		struct md_span vr = md_rd_span(&r, 2);
		if (!md_rd_ok(&r) || group != 0x0002)
			return;
		uint32_t n;
		if (long_vr(vr.p)) {
			md_rd_skip(&r, 2);
			n = md_rd_le32(&r);
		} else {
			n = md_rd_le16(&r);
		}
		struct md_span v = md_rd_span(&r, n);
		if (!md_rd_ok(&r))
			return;
		meta_value(k, tx, el, v);
	}
}

bool md_dicom_p10(const uint8_t *file, size_t len, enum md_dir dir,
		  const struct md_sink *k)
{
	if (!md_dicom_p10_is(file, len) || !k->tx_new_as)
		return false;
	bool exe = executable(file, len);
	uint64_t tx = k->tx_new_as(k->ctx, dir, "dicom");
	if (tx == MD_TX_NONE)
		return exe;
	dicom_str(k, tx, DF_TYPE, "file");
	struct md_rd r = md_rd_make(file, len);
	md_rd_skip(&r, P10_PREAMBLE + 4);
	meta(r, k, tx);
	if (exe)
		k->event(k->ctx, tx, DICOM_EV_P10_EXECUTABLE_PREAMBLE);
	k->tx_progress(k->ctx, tx, MD_DIR_TOSERVER, DICOM_PROGRESS_DONE);
	k->tx_progress(k->ctx, tx, MD_DIR_TOCLIENT, DICOM_PROGRESS_DONE);
	return exe;
}
