/* test-dicom.h - byte builders shared by the DICOM parser tests
 * (test-dicom-build.c): PS3.8 PDUs and items, PS3.7 command sets, PS3.5
 * data set elements, and vectors replayed through tests/unit/harness.h.
 */
#ifndef MD_TEST_DICOM_H
#define MD_TEST_DICOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dicom.h"
#include "harness.h"

#define TS MD_DIR_TOSERVER
#define TC MD_DIR_TOCLIENT

#define APP_CTX	     "1.2.840.10008.3.1.1.1"
#define VERIFICATION "1.2.840.10008.1.1"
#define IMPLICIT     "1.2.840.10008.1.2"
#define EXPLICIT     "1.2.840.10008.1.2.1"
#define EXPLICIT_BE  "1.2.840.10008.1.2.2"
#define DEFLATED     "1.2.840.10008.1.2.1.99"
#define JPEG	     "1.2.840.10008.1.2.4.50"
#define CT_STORAGE   "1.2.840.10008.5.1.4.1.1.2"
#define PR_FIND	     "1.2.840.10008.5.1.4.1.2.1.1"
#define PR_MOVE	     "1.2.840.10008.5.1.4.1.2.1.2"
#define PR_GET	     "1.2.840.10008.5.1.4.1.2.1.3"
#define MPPS	     "1.2.840.10008.3.1.2.3.3"
#define COMMIT	     "1.2.840.10008.1.20.1"
#define INST	     "2.25.1234.1"

/* A growing byte buffer. */
struct bb {
	uint8_t *p;
	size_t n, cap;
};

/* A presentation context: id, abstract syntax, up to 3 transfer syntaxes
 * (the first is the one an AC built by ac_pdu accepts). */
struct pc {
	unsigned id;
	const char *as;
	const char *ts[3];
};

/* Writes the sub-items of a user-information item. */
typedef void (*ui_fn)(struct bb *b);

/* Chunks of a vector, each in its own buffer (freed by run/run_once). */
struct vec {
	struct md_vec_chunk c[96];
	struct bb *b[96];
	size_t n;
};

extern const struct pc ECHO_PC[1];

/* Byte buffer: new (freed by bb_free), append, big/little endian. */
struct bb *bb_new(void);
void bb_free(struct bb *b);
void put(struct bb *b, const void *p, size_t n);
void u8(struct bb *b, unsigned v);
void be16(struct bb *b, unsigned v);
void be32(struct bb *b, uint32_t v);
void le16(struct bb *b, unsigned v);
void le32(struct bb *b, uint32_t v);
void str(struct bb *b, const char *s);
void fill(struct bb *b, unsigned c, size_t n);
/* Overwrite `width` bytes at `at` with v, big endian. */
void patch_be(struct bb *b, size_t at, size_t width, uint32_t v);

/* PS3.8 PDUs and items: pdu()/item() write a header and return where its
 * length goes; pdu_end()/item_end() set it from what followed. */
void ae(struct bb *b, const char *s);
size_t pdu(struct bb *b, unsigned type);
void pdu_end(struct bb *b, size_t at);
size_t item(struct bb *b, unsigned type);
void item_end(struct bb *b, size_t at);
void item_str(struct bb *b, unsigned type, const char *s);
/* User information of DCMTK 3.6.7: max length 16384, class UID, version. */
void ui_std(struct bb *b);
void assoc_fixed(struct bb *b, unsigned version, const char *called,
		 const char *calling);
/* A-ASSOCIATE-RQ / -AC (ui NULL: ui_std; results NULL: all accepted). */
struct bb *rq_pdu(const char *called, const char *calling, const struct pc *pcs,
		  size_t n, ui_fn ui);
struct bb *ac_pdu(const struct pc *pcs, size_t n, const unsigned *results,
		  ui_fn ui);
/* A 4-byte-body PDU (RJ, release, abort): 00 b1 b2 b3. */
struct bb *small_pdu(unsigned type, unsigned b1, unsigned b2, unsigned b3);

/* PS3.7 command sets (implicit VR LE): elements, then cmd_done() prefixes
 * CommandGroupLength (and frees its argument). */
void c_us(struct bb *c, unsigned elem, unsigned v);
void c_str(struct bb *c, unsigned elem, const char *s, unsigned pad);
struct bb *cmd_done(struct bb *c);
struct bb *cmd_rq(unsigned field, unsigned id, const char *sop_class,
		  bool data);
struct bb *cmd_rsp(unsigned field, unsigned id, unsigned status, bool data);

/* PS3.5 elements: el() explicit VR (vr NULL: implicit), little or big
 * endian; sv() a string padded to even length; es() explicit LE string;
 * delim() an item or delimitation tag (FFFE,elem). */
bool long_vr(const char *vr);
void el(struct bb *d, bool big, uint32_t tag, const char *vr, const void *v,
	uint32_t n);
void sv(struct bb *d, bool big, uint32_t tag, const char *vr, const char *s,
	unsigned pad);
void es(struct bb *d, uint32_t tag, const char *vr, const char *s);
void delim(struct bb *d, bool big, unsigned elem, uint32_t len);

/* Vectors: add a chunk; a P-DATA-TF with one PDV; a message (command PDV,
 * then data-set PDV) freeing cmd and ds; RQ+AC accepting every context. */
void add(struct vec *v, int dir, struct bb *b);
struct bb *pdv(unsigned ctx, unsigned flags, const struct bb *frag);
void msg(struct vec *v, int dir, unsigned ctx, struct bb *cmd, struct bb *ds);
void vec_free(struct vec *v);
void assoc(struct vec *v, const struct pc *pcs, size_t n);
/* Replay through md_parser_dicom (md_vec_run / md_vec_run_once); the
 * transcript is free()d by the caller, the vector emptied. */
char *run(struct vec *v);
char *run_once(struct vec *v);
/* Fail (printing the transcript) unless line is / is not in t. */
void expect(const char *t, const char *line);
void expect_not(const char *t, const char *line);

/* The CT image of pcaps/README.md with a nested name that must not be
 * taken, in explicit LE, explicit BE or implicit LE; the checks of its key
 * attributes on transaction tx; its C-STORE-RQ command; raw deflate. */
struct bb *image_ds(bool big, bool implicit);
void expect_image(const char *t, unsigned tx);
struct bb *store_cmd(unsigned id);
struct bb *deflate_raw(const struct bb *in);

#endif
