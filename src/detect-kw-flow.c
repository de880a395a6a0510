/* detect-kw-flow.c - flow, flowbits and flowint options.
 *
 * Syntax per the Suricata user guide ("Flow Keywords", "Flow-keywords:
 * flowbits, flowint"):
 *   flow: to_server|from_client|to_client|from_server, established|
 *         not_established|stateless, only_stream|no_stream
 *   flowbits: set|unset|toggle|isset|isnotset, name[|name...|&name...];
 *   flowbits: noalert;
 *   flowint: name, =|+|-, value|var;   (changes, applied when the rule
 *                                        matches)
 *   flowint: name, ==|!=|<|<=|>|>=, value|var;  flowint: name, isset|notset;
 */
#include <ctype.h>
#include <string.h>

#include "detect-int.h"

static int kw_flow(struct md_pstate *ps, char *val)
{
	static const struct {
		const char *n;
		uint8_t bit;
	} opts[] = {
	    {"to_server", MD_FL_TOSERVER},
	    {"from_client", MD_FL_TOSERVER},
	    {"to_client", MD_FL_TOCLIENT},
	    {"from_server", MD_FL_TOCLIENT},
	    {"established", MD_FL_ESTABLISHED},
	    {"not_established", MD_FL_NOT_ESTABLISHED},
	    {"stateless", MD_FL_STATELESS},
	    {"only_stream", MD_FL_ONLY_STREAM},
	    {"no_stream", MD_FL_NO_STREAM},
	};
	struct md_sig *s = ps->s;
	if (s->flow & MD_FL_GIVEN)
		return md_derr(ps->err, ps->errlen, "flow set twice");
	char *parts[8];
	int n = md_dsplit(val, parts, 8);
	if (n < 1)
		return md_derr(ps->err, ps->errlen, "bad flow");
	for (int i = 0; i < n; i++) {
		size_t k;
		for (k = 0; k < sizeof(opts) / sizeof(opts[0]); k++)
			if (!strcmp(parts[i], opts[k].n))
				break;
		if (k == sizeof(opts) / sizeof(opts[0]))
			return md_derr(ps->err, ps->errlen,
				       "bad flow option '%s'", parts[i]);
		s->flow |= opts[k].bit;
	}
	uint8_t f = s->flow;
	if ((f & MD_FL_TOSERVER) && (f & MD_FL_TOCLIENT))
		return md_derr(ps->err, ps->errlen,
			       "conflicting flow options to_server and "
			       "to_client");
	if ((f & MD_FL_ESTABLISHED) && (f & MD_FL_NOT_ESTABLISHED))
		return md_derr(ps->err, ps->errlen,
			       "conflicting flow options established and "
			       "not_established");
	if ((f & MD_FL_ONLY_STREAM) && (f & MD_FL_NO_STREAM))
		return md_derr(ps->err, ps->errlen,
			       "conflicting flow options only_stream and "
			       "no_stream");
	s->flow |= MD_FL_GIVEN;
	return 0;
}

static bool good_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' &&
		    *s != '-')
			return false;
	return true;
}

/* Parse "a|b|c" or "a&b" into ids. */
static int fb_names(struct md_pstate *ps, char *names, struct md_check *c)
{
	bool has_or = strchr(names, '|') != NULL;
	bool has_and = strchr(names, '&') != NULL;
	if (has_or && has_and)
		return md_derr(ps->err, ps->errlen,
			       "flowbits: cannot mix | and &");
	if (has_or && c->fb.cmd != MD_FB_ISSET && c->fb.cmd != MD_FB_ISNOTSET)
		return md_derr(ps->err, ps->errlen,
			       "flowbits: | only with isset or isnotset");
	c->fb.any = has_or;
	char sep = has_or ? '|' : '&';
	for (char *p = names;;) {
		char *e = strchr(p, sep);
		if (e)
			*e = 0;
		char *nm = md_dtrim(p);
		if (!good_name(nm))
			return md_derr(ps->err, ps->errlen,
				       "flowbits: bad name '%s'", nm);
		int id = md_dnames_id(&ps->d->flowbits, nm);
		uint32_t *ids =
		    md_realloc(c->fb.ids, (c->fb.n + 1) * sizeof(*ids));
		if (id < 0 || !ids)
			return MD_E_NOMEM;
		c->fb.ids = ids;
		ids[c->fb.n++] = (uint32_t)id;
		if (!e)
			return 0;
		p = e + 1;
	}
}

static int kw_flowbits(struct md_pstate *ps, char *val)
{
	static const char *const cmds[] = {"isset", "isnotset", "set", "unset",
					   "toggle"};
	char *parts[3];
	int n = md_dsplit(val, parts, 3);
	if (n == 1 && !strcmp(parts[0], "noalert")) {
		ps->s->info.noalert = true;
		return 0;
	}
	if (n != 2)
		return md_derr(ps->err, ps->errlen,
			       "flowbits needs a command and a name");
	uint8_t cmd;
	for (cmd = 0; cmd < 5; cmd++)
		if (!strcmp(parts[0], cmds[cmd]))
			break;
	if (cmd == 5)
		return md_derr(ps->err, ps->errlen,
			       "flowbits: unknown command '%s'", parts[0]);
	struct md_check *c = md_dps_check(ps, cmd >= MD_FB_SET);
	if (!c)
		return MD_E_NOMEM;
	c->type = MD_CK_FLOWBITS;
	c->fb.cmd = cmd;
	return fb_names(ps, parts[1], c);
}

static int kw_flowint(struct md_pstate *ps, char *val)
{
	static const struct {
		const char *s;
		uint8_t op;
	} ops[] = {{"=", MD_FI_SET},	     {"+", MD_FI_ADD},
		   {"-", MD_FI_SUB},	     {"isset", MD_FI_ISSET},
		   {"notset", MD_FI_NOTSET}, {"isnotset", MD_FI_NOTSET},
		   {"==", MD_FI_EQ},	     {"!=", MD_FI_NE},
		   {"<", MD_FI_LT},	     {"<=", MD_FI_LE},
		   {">", MD_FI_GT},	     {">=", MD_FI_GE}};
	char *parts[4];
	int n = md_dsplit(val, parts, 4);
	if (n < 2 || !good_name(parts[0]))
		return md_derr(ps->err, ps->errlen,
			       "flowint needs a name and an operator");
	size_t k;
	for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
		if (!strcmp(parts[1], ops[k].s))
			break;
	if (k == sizeof(ops) / sizeof(ops[0]))
		return md_derr(ps->err, ps->errlen,
			       "flowint: bad operator '%s'", parts[1]);
	uint8_t op = ops[k].op;
	bool unary = op == MD_FI_ISSET || op == MD_FI_NOTSET;
	if (unary != (n == 2) || n > 3)
		return md_derr(ps->err, ps->errlen,
			       unary ? "flowint: %s takes no value"
				     : "flowint: %s needs a value",
			       parts[1]);
	int id = md_dnames_id(&ps->d->flowints, parts[0]);
	if (id < 0)
		return MD_E_NOMEM;
	struct md_check *c = md_dps_check(ps, op <= MD_FI_SUB);
	if (!c)
		return MD_E_NOMEM;
	c->type = MD_CK_FLOWINT;
	c->fi.id = (uint32_t)id;
	c->fi.op = op;
	c->fi.var = -1;
	if (unary || !md_dparse_i64(parts[2], &c->fi.v))
		return 0;
	if (!good_name(parts[2]) || isdigit((unsigned char)parts[2][0]))
		return md_derr(ps->err, ps->errlen, "flowint: bad value '%s'",
			       parts[2]);
	int vid = md_dnames_id(&ps->d->flowints, parts[2]);
	if (vid < 0)
		return MD_E_NOMEM;
	c->fi.var = vid;
	return 0;
}

const struct md_kw md_dkw_flow[] = {
    {"flow", kw_flow, MD_KW_VALUE,
     "flow direction and state (to_server, established, only_stream...)"},
    {"flowbits", kw_flowbits, MD_KW_VALUE,
     "set/unset/toggle/isset/isnotset a named bit on the flow; noalert"},
    {"flowint", kw_flowint, MD_KW_VALUE,
     "per-flow integer variables: = + - and comparisons"},
    {NULL, NULL, 0, NULL},
};
