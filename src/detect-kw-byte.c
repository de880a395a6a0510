/* detect-kw-byte.c - byte_test, byte_jump and byte_extract options.
 *
 * Syntax per the Suricata user guide ("Payload Keywords"):
 *   byte_test:N, [!]op, value, offset [, relative] [, big|little]
 *             [, string, hex|dec|oct] [, bitmask M];   op: < > = <= >= & ^
 *   byte_jump:N, offset [, relative] [, multiplier M] [, big|little]
 *             [, string, hex|dec|oct] [, align] [, from_beginning|from_end]
 *             [, post_offset P] [, bitmask M];
 *   byte_extract:N, offset, name [, relative] [, multiplier M]
 *             [, big|little] [, string, hex|dec|oct] [, align 2|4]
 *             [, bitmask M];
 * N is 1-8 for binary reads and 1-23 for string reads. A masked value is
 * shifted right by the mask's trailing zero bits. byte_extract's variable
 * may be used later by content modifiers, byte_test, byte_jump and
 * isdataat of the same rule.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "detect-int.h"

enum { BK_TEST, BK_JUMP, BK_EXTRACT };
static const char *const bk_name[] = {"byte_test", "byte_jump", "byte_extract"};

static int opt_value(struct md_pstate *ps, int kind, const char *opt,
		     const char *arg, int64_t *out)
{
	if (!arg || md_dparse_i64(md_dtrim((char *)arg), out))
		return md_derr(ps->err, ps->errlen, "%s: bad %s value",
			       bk_name[kind], opt);
	return 0;
}

/* One trailing option of a byte_* keyword. */
static int byte_opt(struct md_pstate *ps, int kind, char *o, struct md_bytes *b)
{
	char *arg = strchr(o, ' ');
	int64_t v;
	if (arg)
		*arg++ = 0;
	if (!strcmp(o, "relative") && !arg)
		b->relative = true;
	else if (!strcmp(o, "big") && !arg)
		b->little = false;
	else if (!strcmp(o, "little") && !arg)
		b->little = true;
	else if (!strcmp(o, "string") && !arg)
		b->base = b->base ? b->base : 10;
	else if ((!strcmp(o, "hex") || !strcmp(o, "dec") ||
		  !strcmp(o, "oct")) &&
		 !arg)
		b->base = o[0] == 'h' ? 16 : o[0] == 'd' ? 10 : 8;
	else if (!strcmp(o, "dce")) {
		md_derr(ps->err, ps->errlen, "%s: dce is not supported",
			bk_name[kind]);
		return MD_E_UNSUPPORTED;
	} else if (!strcmp(o, "bitmask")) {
		if (opt_value(ps, kind, o, arg, &v) || v <= 0)
			return md_derr(ps->err, ps->errlen, "%s: bad bitmask",
				       bk_name[kind]);
		b->bitmask = (uint64_t)v;
		b->mask_shift = (uint8_t)__builtin_ctzll((uint64_t)v);
	} else if (kind != BK_TEST && !strcmp(o, "multiplier")) {
		if (opt_value(ps, kind, o, arg, &v) || v < 1 || v > 65535)
			return md_derr(ps->err, ps->errlen,
				       "%s: bad multiplier", bk_name[kind]);
		b->multiplier = (uint64_t)v;
	} else if (kind == BK_JUMP && !strcmp(o, "align") && !arg)
		b->align = true;
	else if (kind == BK_JUMP && !strcmp(o, "from_beginning") && !arg)
		b->from_beginning = true;
	else if (kind == BK_JUMP && !strcmp(o, "from_end") && !arg)
		b->from_end = true;
	else if (kind == BK_JUMP && !strcmp(o, "post_offset")) {
		if (opt_value(ps, kind, o, arg, &v))
			return MD_E_INVAL;
		b->post_offset = v;
	} else if (kind == BK_EXTRACT && !strcmp(o, "align")) {
		if (opt_value(ps, kind, o, arg, &v) || (v != 2 && v != 4))
			return md_derr(ps->err, ps->errlen,
				       "byte_extract: align must be 2 or 4");
		b->align_to = (uint8_t)v;
	} else
		return md_derr(ps->err, ps->errlen, "%s: unknown option '%s'",
			       bk_name[kind], o);
	return 0;
}

static int byte_common(struct md_pstate *ps, int kind, char **parts, int n,
		       int first_opt, struct md_bytes *b)
{
	uint64_t nb;
	b->multiplier = 1;
	for (int i = first_opt; i < n; i++) {
		int rc = byte_opt(ps, kind, parts[i], b);
		if (rc)
			return rc;
	}
	if (md_dparse_u64(parts[0], &nb) || nb < 1 || nb > (b->base ? 23u : 8u))
		return md_derr(ps->err, ps->errlen,
			       "%s: byte count must be 1-8 (1-23 with string)",
			       bk_name[kind]);
	b->nbytes = (uint8_t)nb;
	if (b->from_beginning && b->from_end)
		return md_derr(
		    ps->err, ps->errlen,
		    "byte_jump: conflicting modifiers from_beginning "
		    "and from_end");
	return 0;
}

static int add_bytes_item(struct md_pstate *ps, int kind, uint8_t type,
			  const struct md_bytes *b)
{
	struct md_item *it = md_dps_item(ps, type);
	if (!it)
		return MD_E_NOMEM;
	it->b = *b;
	it->relative = b->relative;
	if (b->relative && !md_dps_has_prev(ps))
		return md_derr(ps->err, ps->errlen,
			       "%s relative without a previous content",
			       bk_name[kind]);
	return 0;
}

static int parse_bop(struct md_pstate *ps, char *op, struct md_bytes *b)
{
	static const struct {
		const char *s;
		uint8_t op;
	} ops[] = {{"<=", MD_BOP_LE}, {">=", MD_BOP_GE}, {"<", MD_BOP_LT},
		   {">", MD_BOP_GT},  {"=", MD_BOP_EQ},	 {"&", MD_BOP_AND},
		   {"^", MD_BOP_XOR}};
	if (*op == '!') {
		b->neg = true;
		op++;
		if (!*op) {
			b->op = MD_BOP_EQ;
			return 0;
		}
	}
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(op, ops[i].s)) {
			b->op = ops[i].op;
			return 0;
		}
	return md_derr(ps->err, ps->errlen, "byte_test: bad operator '%s%s'",
		       b->neg ? "!" : "", op);
}

static int kw_byte_test(struct md_pstate *ps, char *val)
{
	char *parts[12];
	int n = md_dsplit(val, parts, 12);
	struct md_bytes b = {0};
	if (n < 4)
		return md_derr(
		    ps->err, ps->errlen,
		    "byte_test needs bytes, operator, value, offset");
	int rc = parse_bop(ps, parts[1], &b);
	if (!rc)
		rc = byte_common(ps, BK_TEST, parts, n, 4, &b);
	if (!rc)
		rc = md_dps_dval(ps, parts[2], &b.value);
	if (!rc)
		rc = md_dps_dval(ps, parts[3], &b.offset);
	return rc ? rc : add_bytes_item(ps, BK_TEST, MD_IT_BTEST, &b);
}

static int kw_byte_jump(struct md_pstate *ps, char *val)
{
	char *parts[14];
	int n = md_dsplit(val, parts, 14);
	struct md_bytes b = {0};
	if (n < 2)
		return md_derr(ps->err, ps->errlen,
			       "byte_jump needs bytes, offset");
	int rc = byte_common(ps, BK_JUMP, parts, n, 2, &b);
	if (!rc)
		rc = md_dps_dval(ps, parts[1], &b.offset);
	return rc ? rc : add_bytes_item(ps, BK_JUMP, MD_IT_BJUMP, &b);
}

static int kw_byte_extract(struct md_pstate *ps, char *val)
{
	char *parts[14];
	int n = md_dsplit(val, parts, 14);
	struct md_bytes b = {0};
	if (n < 3)
		return md_derr(ps->err, ps->errlen,
			       "byte_extract needs bytes, offset, name");
	const char *name = parts[2];
	if (!isalpha((unsigned char)*name) && *name != '_')
		return md_derr(ps->err, ps->errlen,
			       "byte_extract: bad variable name '%s'", name);
	for (uint8_t i = 0; i < ps->n_vars; i++)
		if (!strcmp(ps->vars[i], name))
			return md_derr(ps->err, ps->errlen,
				       "byte_extract: variable '%s' defined "
				       "twice",
				       name);
	if (ps->n_vars == MD_MAX_VARS)
		return md_derr(ps->err, ps->errlen,
			       "byte_extract: too many variables");
	int rc = byte_common(ps, BK_EXTRACT, parts, n, 3, &b);
	if (!rc)
		rc = md_dps_dval(ps, parts[1], &b.offset);
	if (!rc && b.offset.var >= 0)
		rc = md_derr(ps->err, ps->errlen,
			     "byte_extract: offset must be a number");
	if (rc)
		return rc;
	if (!(ps->vars[ps->n_vars] = md_strdup(name)))
		return MD_E_NOMEM;
	b.var = ps->n_vars++;
	return add_bytes_item(ps, BK_EXTRACT, MD_IT_BEXTRACT, &b);
}

const struct md_kw md_dkw_byte[] = {
    {"byte_test", kw_byte_test, MD_KW_VALUE,
     "compare bytes read as a number with a value"},
    {"byte_jump", kw_byte_jump, MD_KW_VALUE,
     "read a length and move the cursor by it"},
    {"byte_extract", kw_byte_extract, MD_KW_VALUE,
     "read a number into a variable for later keywords"},
    {NULL, NULL, 0, NULL},
};
