/* detect-int.h - internals of the detection engine shared by src/detect*.c.
 *
 * A signature (struct md_sig) is its header (action, protocol, address and
 * port sets, direction), its checks (non-buffer keywords: flow state,
 * flowbits, dsize, integer fields, events), its buffer lists (one per
 * inspected buffer: the payload or stream, or a parser field; each an
 * ordered list of items: content, pcre, byte_*, isdataat, ...), its
 * post-match actions (flowbits set, flowint changes) and its thresholds.
 *
 *   rule text --detect-parse.c--> struct md_sig --md_detect_build-->
 *     groups (detect-prefilter.c): per (kind, protocol, direction, port |
 *     parser, buffer) one hyperscan database of fast patterns
 *   inspection (detect-engine.c): prefilter -> candidates -> full match
 *     (detect-inspect.c for buffers) -> thresholds -> alerts
 *
 * Rule language: Suricata's rule format and keyword semantics as
 * documented in the Suricata user guide ("Rules" chapter).
 */
#ifndef MD_DETECT_INT_H
#define MD_DETECT_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <hs.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "dataset.h"
#include "detect.h"
#include "mem.h"

#define MD_MAX_VARS	     16	  /* byte_extract variables per rule */
#define MD_INSPECT_STEPS     3000 /* backtracking budget per buffer */
#define MD_STREAM_WINDOW_MAX (64u * 1024u)

/* ---- small values -------------------------------------------------- */

/* Integer comparison (dsize, bsize, integer fields, ttl, ...). */
enum md_uop {
	MD_UOP_EQ = 0,
	MD_UOP_NE,
	MD_UOP_LT,
	MD_UOP_LE,
	MD_UOP_GT,
	MD_UOP_GE,
	MD_UOP_RANGE,  /* a < v < b */
	MD_UOP_NRANGE, /* v <= a || v >= b */
	MD_UOP_BAND_EQ,
	MD_UOP_BAND_NE,
};

struct md_umatch {
	uint8_t op;
	uint64_t a, b;
};

/* A literal or a byte_extract variable. */
struct md_dval {
	int64_t v;
	int8_t var; /* -1: literal v */
};

/* ---- address and port sets ------------------------------------------- */

struct md_r4 {
	uint32_t lo, hi;
};
struct md_r6 {
	unsigned __int128 lo, hi;
};
struct md_addrset {
	bool any;
	uint32_t n4, n6;
	struct md_r4 *r4;
	struct md_r6 *r6;
};
struct md_prange {
	uint16_t lo, hi;
};
struct md_portset {
	bool any;
	uint32_t n;
	struct md_prange *r;
};

/* ---- buffer items ------------------------------------------------------ */

enum md_item_type {
	MD_IT_CONTENT = 0,
	MD_IT_PCRE,
	MD_IT_BTEST,
	MD_IT_BJUMP,
	MD_IT_BEXTRACT,
	MD_IT_ISDATAAT,
	MD_IT_BSIZE,
	MD_IT_DATASET,
	MD_IT_FILEMAGIC,
};

/* Content modifier flags (which were given). */
#define MD_CM_OFFSET	 0x0001u
#define MD_CM_DEPTH	 0x0002u
#define MD_CM_DISTANCE	 0x0004u
#define MD_CM_WITHIN	 0x0008u
#define MD_CM_NOCASE	 0x0010u
#define MD_CM_FASTPAT	 0x0020u
#define MD_CM_STARTSWITH 0x0040u
#define MD_CM_ENDSWITH	 0x0080u
#define MD_CM_RAWBYTES	 0x0100u
#define MD_CM_ABS	 (MD_CM_OFFSET | MD_CM_DEPTH)
#define MD_CM_REL	 (MD_CM_DISTANCE | MD_CM_WITHIN)

struct md_content {
	uint8_t *pat; /* lower-cased when nocase */
	uint32_t len;
	uint16_t has; /* MD_CM_* */
	bool negated;
	struct md_dval offset, depth, distance, within;
	uint32_t fp_off, fp_len; /* fast_pattern:off,len (len 0: whole) */
	uint16_t *skip;		 /* nocase: Horspool shift table */
};

struct md_pcre {
	pcre2_code *code;
	bool negated, relative, nolimit, anchored;
};

enum md_bop {
	MD_BOP_LT = 0,
	MD_BOP_GT,
	MD_BOP_EQ,
	MD_BOP_LE,
	MD_BOP_GE,
	MD_BOP_AND,
	MD_BOP_XOR,
};

/* byte_test, byte_jump and byte_extract. */
struct md_bytes {
	uint8_t nbytes;
	uint8_t base; /* string: 8, 10 or 16; 0 = binary */
	bool relative, little;
	struct md_dval offset;
	uint64_t bitmask;
	uint8_t mask_shift;
	/* byte_test */
	uint8_t op;
	bool neg;
	struct md_dval value;
	/* byte_jump, byte_extract */
	uint64_t multiplier;
	int64_t post_offset;
	bool align, from_beginning, from_end;
	uint8_t align_to; /* byte_extract align 2|4 */
	uint8_t var;	  /* byte_extract target */
};

struct md_isdataat {
	struct md_dval n;
	bool relative, negated;
};

enum md_ds_cmd { MD_DSC_SET = 0, MD_DSC_ISSET, MD_DSC_ISNOTSET, MD_DSC_UNSET };

struct md_item {
	uint8_t type;
	bool relative; /* uses the cursor left by the previous item */
	bool retry;    /* a later item is relative: backtrack on failure */
	union {
		struct md_content c;
		struct md_pcre re;
		struct md_bytes b;
		struct md_isdataat da;
		struct md_umatch u;
		struct {
			struct md_dataset *set;
			uint8_t cmd;
		} ds;
		struct {
			uint8_t *s;
			uint32_t len;
			bool nocase, negated;
		} fm;
	};
};

/* Buffers a list inspects. */
enum md_buf_kind {
	MD_BUF_PAYLOAD = 0, /* packet payload, or the stream for stream rules */
	MD_BUF_FIELD,	    /* a parser field (sticky buffer) */
	MD_BUF_FILEDATA,    /* every MD_FF_CHUNKED bytes field of the parser */
};

struct md_blist {
	uint8_t kind;
	int16_t pid;
	uint16_t field;
	char *arg; /* normalised MD_FF_ARG argument, or NULL */
	struct md_item *items;
	uint32_t n, cap;
};

/* ---- checks (non-buffer keywords) ---------------------------------- */

enum md_check_type {
	MD_CK_DSIZE = 0,
	MD_CK_FLOWBITS,
	MD_CK_FLOWINT,
	MD_CK_APPPROTO,
	MD_CK_DECODE_EV,
	MD_CK_APP_EV,
	MD_CK_UFIELD, /* integer/bool parser field */
	MD_CK_TTL,
	MD_CK_ITYPE,
	MD_CK_ICODE,
	MD_CK_TCPFLAGS,
	MD_CK_SEQ,
	MD_CK_ACK,
	MD_CK_WINDOW,
	MD_CK_IPPROTO,
};

/* flags: tcp flag bits against a set, with a modifier. */
enum md_flags_mod { MD_FLM_EXACT = 0, MD_FLM_ALL, MD_FLM_ANY, MD_FLM_NONE };

enum md_fb_cmd {
	MD_FB_ISSET = 0,
	MD_FB_ISNOTSET,
	MD_FB_SET,
	MD_FB_UNSET,
	MD_FB_TOGGLE,
};

enum md_fi_op {
	MD_FI_SET = 0,
	MD_FI_ADD,
	MD_FI_SUB,
	MD_FI_ISSET,
	MD_FI_NOTSET,
	MD_FI_EQ,
	MD_FI_NE,
	MD_FI_LT,
	MD_FI_LE,
	MD_FI_GT,
	MD_FI_GE,
};

struct md_check {
	uint8_t type;
	union {
		struct md_umatch u;
		struct {
			uint8_t cmd;
			bool any; /* a|b: any of; else all of */
			uint32_t *ids;
			uint32_t n;
		} fb;
		struct {
			uint32_t id;
			uint8_t op;
			int64_t v;
			int32_t var; /* compare with another flowint, or -1 */
		} fi;
		struct {
			int16_t pid;	 /* -1 with special */
			uint8_t special; /* 0 name, 1 unknown, 2 failed */
			bool neg;
		} ap;
		struct {
			int16_t pid; /* -1: engine-level app-layer event */
			uint16_t ev;
		} ev;
		struct {
			uint16_t field;
			char *arg;
			struct md_umatch u;
		} uf;
		struct {
			uint8_t set, ignore, mod;
		} tf;
	};
};

/* ---- thresholds --------------------------------------------------------- */

enum md_thr_type {
	MD_THR_NONE = 0,
	MD_THR_LIMIT,
	MD_THR_THRESHOLD,
	MD_THR_BOTH,
	MD_THR_DETECTION_FILTER,
};
enum md_track {
	MD_TRACK_SRC = 0,
	MD_TRACK_DST,
	MD_TRACK_RULE,
	MD_TRACK_BOTH,
	MD_TRACK_EITHER, /* suppress only */
	MD_TRACK_NONE,	 /* suppress without track */
};

struct md_thresh {
	uint8_t type, track;
	uint32_t count, seconds;
};

struct md_suppress {
	struct md_suppress *next;
	uint8_t track;
	const struct md_addrset *ips; /* threshold.config's; NULL: all */
};

/* ---- signatures ------------------------------------------------------- */

enum md_sig_kind { MD_SK_PACKET = 0, MD_SK_STREAM, MD_SK_TX, MD_SK_EVENT };
enum md_hproto {
	MD_HP_IP = 0,
	MD_HP_TCP,
	MD_HP_UDP,
	MD_HP_ICMP,
	MD_HP_PKTHDR,
};

/* flow keyword */
#define MD_FL_TOSERVER	      0x01u
#define MD_FL_TOCLIENT	      0x02u
#define MD_FL_ESTABLISHED     0x04u
#define MD_FL_NOT_ESTABLISHED 0x08u
#define MD_FL_STATELESS	      0x10u
#define MD_FL_ONLY_STREAM     0x20u
#define MD_FL_NO_STREAM	      0x40u
#define MD_FL_GIVEN	      0x80u

struct md_sig {
	struct md_sig_info info;
	char *msg, *classtype, *category, *metadata;
	char *file;
	unsigned line;
	uint32_t idx;	/* position after ordering (build) */
	uint32_t order; /* load order */
	uint8_t kind, hproto, action_rank;
	uint8_t icmp6; /* icmp: 0 both, 1 v4 only, 2 v6 only */
	int16_t app;   /* parser id, or -1 */
	bool bidir;
	struct md_addrset src, dst;
	struct md_portset sp, dp;
	uint8_t flow; /* MD_FL_* */
	uint8_t dirs; /* 1: to server, 2: to client, 3: either */
	uint8_t need_prog[2];
	bool has_decode_ev, has_app_ev, fb_set, fb_check, has_filemagic;
	struct md_check *checks;
	uint32_t n_checks;
	struct md_blist *lists;
	uint32_t n_lists;
	struct md_check *posts; /* flowbits set/unset/toggle, flowint =,+,- */
	uint32_t n_posts;
	struct md_thresh thr;
	struct md_suppress *sup;
	int32_t fp_list, fp_item; /* -1: no fast pattern */
	uint32_t stream_span;
};

/* ---- engine ----------------------------------------------------------- */

struct md_var {
	char *name, *val;
	bool port;
};

struct md_class {
	char *name, *desc;
	int prio;
};

struct md_tcfg { /* threshold.config line */
	uint32_t gid, sid;
	bool suppress;
	struct md_thresh thr;
	uint8_t track;
	struct md_addrset ips;
	bool has_ips;
};

struct md_names {
	char **v;
	uint32_t n, cap;
};

struct md_thr_table;
struct md_pf;

struct md_detect {
	struct md_detect_cfg cfg;
	char *rule_dir, *data_dir;
	FILE *errs;
	bool fatal, built, prefilter;
	struct md_var *vars;
	size_t n_vars;
	struct md_class *classes;
	size_t n_classes;
	char **refs;
	size_t n_refs;
	struct md_tcfg *tcfg;
	size_t n_tcfg;
	struct md_sig **sigs;
	uint32_t n_sigs, cap_sigs;
	uint64_t *sid_keys; /* open addressing: ((gid << 32) | sid) + 1 */
	uint32_t *sid_vals; /* index of the rule with that key */
	uint32_t sid_cap, sid_n;
	struct md_names flowbits, flowints;
	struct md_datasets *ds;
	struct md_detect_stats stats;
	struct md_pf *pf;
	struct md_thr_table *thr;
	struct md_memcap mc;
	uint32_t stream_window;
	bool need_magic;
	int errors; /* config errors counted by md_detect_new */
};

/* Per-flow state (f->detect). */
struct md_dhit {
	uint32_t set, pat;
	uint64_t end;
};
struct md_dstream {
	uint8_t *buf;
	uint32_t len, cap;
	uint64_t base, end;
	bool started, overflow;
	struct md_dhit *hits;
	uint32_t nhits, hcap;
};
struct md_txa {
	uint64_t tx;
	uint32_t sig;
};
struct md_dflow {
	struct md_detect *d;
	bool passed;
	struct md_dstream st[2];
	struct md_txa *txa;
	uint32_t ntxa, txacap;
	uint64_t mem;
	uint64_t *bits; /* flowbits */
	uint64_t *ints_set;
	int64_t *ints; /* flowints */
};

struct md_detect_thread {
	struct md_detect *d;
	hs_scratch_t *scratch;
	pcre2_match_data *mdata;
	pcre2_match_context *mctx;
	void *magic;	       /* magic_t */
	const uint8_t *mg_buf; /* filemagic cache: last buffer described */
	uint32_t mg_len;
	bool mg_ok;
	char mg_desc[256];
	uint32_t *mark, epoch;
	uint32_t *cand, ncand;
	struct md_dstream *cur_st; /* stream scan callback target */
	struct md_dflow *cur_fs;
	uint64_t scan_base, scan_min;
	uint32_t scan_set;
};

/* Evaluation context of one signature over one input. */
struct md_eval {
	struct md_detect_thread *t;
	const struct md_sig *s;
	const struct md_packet *p;
	struct md_flow *f;
	struct md_dflow *fs;
	int dir;
	const struct md_addr *src, *dst;
	uint16_t sp, dp;
	uint8_t ipver, ipproto;
	bool has_l4;
	const uint8_t *buf; /* payload or stream window */
	uint32_t len;
	uint64_t base;	  /* stream offset of buf[0] */
	uint64_t min_end; /* stream: a match must end past this offset */
	const struct md_parser *pp;
	const struct md_tx *tx;
	int tx_pid; /* parser id of tx (may differ from the flow's) */
	int ev_pid;
	unsigned ev;
	bool stream; /* payload lists inspect the stream window */
	uint64_t now;
	int64_t vars[MD_MAX_VARS];
	uint32_t steps;
};

/* ---- detect-util.c ---------------------------------------------------- */

/* printf into err; returns MD_E_INVAL. */
int md_derr(char *err, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Parse a signed/unsigned integer (decimal or 0x hex) spanning all of s. */
int md_dparse_i64(const char *s, int64_t *out);
int md_dparse_u64(const char *s, uint64_t *out);
/* Integer keyword syntax (Suricata integer keywords + dsize <>). */
int md_dparse_umatch(const char *s, struct md_umatch *m, char *err, size_t n);
bool md_umatch_eval(const struct md_umatch *m, uint64_t v);
/* Trim blanks in place; returns s. */
char *md_dtrim(char *s);
/* Split s at unquoted, unescaped commas into at most max pieces (each
 * trimmed, s modified in place); returns the count or -1 when more. */
int md_dsplit(char *s, char **out, int max);
/* Remove surrounding quotes and \" \; \\ \: escapes in place. Returns 0,
 * or MD_E_INVAL with a reason. */
int md_dunquote(char *s, char *err, size_t n);
/* Append JSON-escaped text of s to a growing buffer. */
int md_djson_str(char **buf, size_t *len, size_t *cap, const char *s,
		 size_t slen);
/* Intern a name (flowbit, flowint); returns its id or -1 (memory). */
int md_dnames_id(struct md_names *n, const char *name);
void md_dnames_fini(struct md_names *n);

/* ---- detect-addr.c ------------------------------------------------------ */

int md_daddr_parse(const struct md_detect *d, const char *s,
		   struct md_addrset *out, char *err, size_t n);
bool md_daddr_match(const struct md_addrset *s, const struct md_addr *a,
		    int ipver);
void md_daddr_fini(struct md_addrset *s);
int md_dport_parse(const struct md_detect *d, const char *s,
		   struct md_portset *out, char *err, size_t n);
bool md_dport_match(const struct md_portset *s, uint16_t port);
/* Number of ports in the set (for grouping). */
uint32_t md_dport_count(const struct md_portset *s);
void md_dport_fini(struct md_portset *s);
/* Load vars from the configuration (defaults for absent names). Errors are
 * printed; returns the number of errors, or -1 on allocation failure. */
int md_dvars_load(struct md_detect *d);
void md_dvars_fini(struct md_detect *d);

/* ---- detect-parse.c ---------------------------------------------------- */

/* Parse a rule into a new signature; returns 0, MD_E_INVAL (reason in
 * err), MD_E_UNSUPPORTED (valid but unsupported here) or MD_E_NOMEM. */
int md_dparse_rule(struct md_detect *d, const char *text, struct md_sig **out,
		   char *err, size_t errlen);
void md_dsig_free(struct md_sig *s);

/* Parse state shared with keyword parsers. */
struct md_pstate {
	struct md_detect *d;
	struct md_sig *s;
	char *err;
	size_t errlen;
	int cur;       /* current buffer list, -1: payload not created yet */
	int last_list; /* list and item of the last content */
	int last_item;
	int last_any_list; /* list of the last item of any type */
	char *vars[MD_MAX_VARS];
	uint8_t n_vars;
	bool have_sid, have_gid, fp_given, has_payload, has_tx;
	int16_t kw_app;	    /* parser named by a keyword, -1 */
	uint8_t field_dirs; /* 1 to server, 2 to client */
	bool unsupported;
	bool has_dsize;
};

/* Keyword table entry. */
struct md_kw {
	const char *name;
	int (*parse)(struct md_pstate *ps, char *val);
	uint8_t flags;
	const char *desc;
};
#define MD_KW_VALUE   0x01u /* needs a value */
#define MD_KW_NOVALUE 0x02u /* takes none */

/* Keyword tables of each file (NULL-name terminated). */
extern const struct md_kw md_dkw_payload[];
extern const struct md_kw md_dkw_byte[];
extern const struct md_kw md_dkw_flow[];
extern const struct md_kw md_dkw_meta[];
extern const struct md_kw md_dkw_app[];

/* Current buffer list (created on first use); NULL on allocation failure. */
struct md_blist *md_dps_list(struct md_pstate *ps);
/* Append an item to the current list; NULL on allocation failure. */
struct md_item *md_dps_item(struct md_pstate *ps, uint8_t type);
/* Append a check or post-match action. */
struct md_check *md_dps_check(struct md_pstate *ps, bool post);
/* Select (or create) the list of a buffer; returns 0 or MD_E_NOMEM. */
int md_dps_select(struct md_pstate *ps, uint8_t kind, int16_t pid,
		  uint16_t field, const char *arg);
/* Parse a literal or a byte_extract variable name. */
int md_dps_dval(struct md_pstate *ps, const char *s, struct md_dval *v);
/* Whether the current list has an item before the one being added. */
bool md_dps_has_prev(struct md_pstate *ps);

/* ---- keyword files: build-time helpers ---------------------------------- */

/* detect-kw-app.c: resolve a "<proto>.<name>" or unknown keyword. Returns
 * 1 when handled, 0 when not a protocol keyword, or an MD_E_* code. */
int md_dkw_app_dynamic(struct md_pstate *ps, const char *name, char *val);
/* Whether name is a keyword of a Suricata protocol or feature medids
 * lacks (the rule is skipped, not failed). */
bool md_dkw_known_unsupported(const char *name);
/* detect-kw-meta.c: configuration files. Errors are printed to d->errs;
 * each returns the number of errors. */
int md_dconf_classification(struct md_detect *d, const char *path);
int md_dconf_reference(struct md_detect *d, const char *path);
int md_dconf_threshold(struct md_detect *d, const char *path);
void md_dconf_fini(struct md_detect *d);
/* Apply threshold.config to the loaded signatures (build). */
void md_dconf_apply_thresholds(struct md_detect *d);
/* Parse "type X, track Y, count N, seconds S" (threshold, detection_filter
 * with type preset). */
int md_dparse_thresh(char *val, struct md_thresh *t, bool df, char *err,
		     size_t n);
/* detect-kw-payload.c */
void md_dcontent_prepare(struct md_content *c);
/* Free what an item/check owns. */
void md_ditem_fini(struct md_item *it);
void md_dcheck_fini(struct md_check *c);

/* ---- detect-inspect.c ------------------------------------------------- */

/* Inspect one buffer list over buf[0..len). Returns whether it matches. */
bool md_dinspect(struct md_eval *ev, const struct md_blist *bl,
		 const uint8_t *buf, uint32_t len);
/* Read bytes for byte_* (exported for tests of conversions). */
bool md_dbytes_read(const struct md_bytes *b, const uint8_t *p, uint32_t len,
		    uint64_t *out);

/* ---- detect-flowstate.c ----------------------------------------------- */

struct md_dflow *md_dflow_get(struct md_detect *d, struct md_flow *f);
bool md_dcheck_flowbits(const struct md_eval *ev, const struct md_check *c);
bool md_dcheck_flowint(const struct md_eval *ev, const struct md_check *c);
/* Apply post-match actions (needs flow state, created on demand). */
void md_dposts_apply(struct md_eval *ev);
/* (sig, tx) alerted? record / forget. */
bool md_dtxa_has(const struct md_dflow *fs, uint64_t tx, uint32_t sig);
void md_dtxa_add(struct md_dflow *fs, uint64_t tx, uint32_t sig);
void md_dtxa_forget(struct md_dflow *fs, uint64_t tx);
/* Grow a stream window/hit list within the memcap; false when refused. */
bool md_dflow_charge(struct md_dflow *fs, uint64_t n);
void md_dflow_uncharge(struct md_dflow *fs, uint64_t n);

/* ---- detect-threshold.c ----------------------------------------------- */

int md_dthr_init(struct md_detect *d);
void md_dthr_fini(struct md_detect *d);
/* Whether the alert may be emitted; *act tells whether the action (drop)
 * still applies when it may not. */
bool md_dthr_check(struct md_eval *ev, bool *act);

/* ---- detect-prefilter.c ------------------------------------------------ */

int md_dpf_build(struct md_detect *d, char *err, size_t errlen);
void md_dpf_free(struct md_detect *d);
/* Allocate t's scratch for every database; 0 or MD_E_NOMEM. */
int md_dpf_thread_init(struct md_detect_thread *t);
/* Candidate collection into t->cand (sorted by signature index). */
void md_dpf_packet(struct md_detect_thread *t, const struct md_packet *p,
		   int dir);
bool md_dpf_has_stream(const struct md_detect *d, int dir, uint16_t dp);
void md_dpf_stream(struct md_detect_thread *t, struct md_dstream *st, int dir,
		   uint16_t dp, const uint8_t *win, uint32_t wlen,
		   uint32_t scan_from);
void md_dpf_tx(struct md_detect_thread *t, int pid, const struct md_tx *tx);
void md_dpf_event(struct md_detect_thread *t, int pid, unsigned ev);

/* ---- detect-match.c ------------------------------------------------ */

/* Full match of ev->s (header, checks, lists). */
bool md_dsig_match(struct md_eval *ev);
/* After a match: post actions, thresholds, alert into out. */
void md_dsig_matched(struct md_eval *ev, uint64_t tx_id, struct md_alerts *out);

#endif
