/* detect-addr.c - rule header addresses and ports, and the `vars`
 * address-groups and port-groups of medids.yaml.
 *
 * Syntax (Suricata user guide, "Rules Format"):
 *   address  any | IP | IP/prefix | IP-IP | $VAR | !address |
 *            [address, address, ...]   (lists nest; v4 and v6)
 *   port     any | N | N:M | N: | :M | $VAR | !port | [port, ...]
 * A list is the union of its plain members minus the union of its negated
 * ones (all addresses when only negated members are given).
 *
 * Sets are kept as sorted disjoint ranges: IPv4 as 32-bit, IPv6 as
 * 128-bit, ports as 16-bit; matching is a binary search.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "detect-int.h"

typedef unsigned __int128 u128;

#define V4_MAX	 ((u128)0xffffffffu)
#define V6_MAX	 (~(u128)0)
#define PORT_MAX ((u128)65535)
#define MAX_NEST 16

/* A growable list of disjoint sorted ranges. */
struct rl {
	struct md_r6 *r;
	uint32_t n, cap;
};

struct aset {
	struct rl v4, v6;
};

static void rl_fini(struct rl *l)
{
	md_free(l->r);
	memset(l, 0, sizeof(*l));
}

static int rl_push(struct rl *l, u128 lo, u128 hi)
{
	if (l->n == l->cap) {
		uint32_t cap = l->cap ? l->cap * 2 : 4;
		struct md_r6 *r = md_realloc(l->r, cap * sizeof(*r));
		if (!r)
			return MD_E_NOMEM;
		l->r = r;
		l->cap = cap;
	}
	l->r[l->n].lo = lo;
	l->r[l->n].hi = hi;
	l->n++;
	return 0;
}

static int cmp_r(const void *a, const void *b)
{
	const struct md_r6 *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sort and merge overlapping or adjacent ranges. */
static void rl_norm(struct rl *l)
{
	if (l->n < 2)
		return;
	qsort(l->r, l->n, sizeof(*l->r), cmp_r);
	uint32_t w = 0;
	for (uint32_t i = 1; i < l->n; i++) {
		struct md_r6 *c = &l->r[w];
		if (l->r[i].lo <= c->hi ||
		    (c->hi != V6_MAX && l->r[i].lo == c->hi + 1)) {
			if (l->r[i].hi > c->hi)
				c->hi = l->r[i].hi;
		} else {
			l->r[++w] = l->r[i];
		}
	}
	l->n = w + 1;
}

static int rl_union(struct rl *a, const struct rl *b)
{
	for (uint32_t i = 0; i < b->n; i++)
		if (rl_push(a, b->r[i].lo, b->r[i].hi))
			return MD_E_NOMEM;
	rl_norm(a);
	return 0;
}

/* Complement within [0, max] into out (fresh). */
static int rl_compl(const struct rl *a, u128 max, struct rl *out)
{
	memset(out, 0, sizeof(*out));
	u128 next = 0;
	bool done = false;
	for (uint32_t i = 0; i < a->n && !done; i++) {
		if (a->r[i].lo > next && rl_push(out, next, a->r[i].lo - 1))
			return MD_E_NOMEM;
		if (a->r[i].hi >= max)
			done = true;
		else
			next = a->r[i].hi + 1;
	}
	if (!done && rl_push(out, next, max))
		return MD_E_NOMEM;
	return 0;
}

/* a = a minus b (domain max). */
static int rl_minus(struct rl *a, const struct rl *b, u128 max)
{
	struct rl ca, u = {0}, res;
	if (rl_compl(a, max, &ca))
		return MD_E_NOMEM;
	int rc = rl_union(&u, &ca) || rl_union(&u, b);
	rl_fini(&ca);
	if (rc || rl_compl(&u, max, &res)) {
		rl_fini(&u);
		return MD_E_NOMEM;
	}
	rl_fini(&u);
	rl_fini(a);
	*a = res;
	return 0;
}

/* ---- variables ------------------------------------------------------- */

static const struct md_var *var_find(const struct md_detect *d,
				     const char *name)
{
	for (size_t i = 0; i < d->n_vars; i++)
		if (!strcmp(d->vars[i].name, name))
			return &d->vars[i];
	return NULL;
}

static const char *var_value(const struct md_detect *d, const char *ref,
			     bool port, char *err, size_t n)
{
	const struct md_var *v = var_find(d, ref + 1);
	if (!v) {
		md_derr(err, n, "undefined variable %s", ref);
		return NULL;
	}
	if (v->port != port) {
		md_derr(err, n, "%s is %s group, not %s group", ref,
			v->port ? "a port" : "an address",
			port ? "a port" : "an address");
		return NULL;
	}
	return v->val;
}

/* ---- addresses -------------------------------------------------------- */

static u128 v6_from(const uint8_t b[16])
{
	u128 v = 0;
	for (int i = 0; i < 16; i++)
		v = (v << 8) | b[i];
	return v;
}

static int one_ip(const char *s, bool *v6, u128 *v)
{
	uint8_t b[16];
	if (inet_pton(AF_INET, s, b) == 1) {
		*v6 = false;
		*v = ((u128)b[0] << 24) | ((u128)b[1] << 16) |
		     ((u128)b[2] << 8) | b[3];
		return 0;
	}
	if (inet_pton(AF_INET6, s, b) == 1) {
		*v6 = true;
		*v = v6_from(b);
		return 0;
	}
	return -1;
}

/* IP, IP/prefix, IP/mask (v4) or IP-IP. */
static int addr_atom(char *s, struct aset *o, char *err, size_t n)
{
	char *slash = strchr(s, '/'), *dash = strchr(s, '-');
	bool v6, v6b;
	u128 lo, hi;
	if (dash) {
		*dash = 0;
		if (one_ip(md_dtrim(s), &v6, &lo) ||
		    one_ip(md_dtrim(dash + 1), &v6b, &hi) || v6 != v6b ||
		    lo > hi)
			return md_derr(err, n, "bad address range");
	} else {
		if (slash)
			*slash = 0;
		if (one_ip(s, &v6, &lo))
			return md_derr(err, n, "bad address '%s'", s);
		unsigned bits = v6 ? 128 : 32, pfx = bits;
		if (slash) {
			char *e;
			bool m4;
			u128 mask;
			long p = strtol(slash + 1, &e, 10);
			if (*e == 0 && e != slash + 1 && p >= 0 &&
			    p <= (long)bits) {
				pfx = (unsigned)p;
			} else if (!v6 && !one_ip(slash + 1, &m4, &mask) &&
				   !m4) {
				pfx = 0;
				while (pfx < 32 && (mask >> (31 - pfx)) & 1)
					pfx++;
			} else {
				return md_derr(err, n, "bad netmask '/%s'",
					       slash + 1);
			}
		}
		u128 hostmask = pfx == bits ? 0
				: pfx == 0  ? (v6 ? V6_MAX : V4_MAX)
					    : (((u128)1 << (bits - pfx)) - 1);
		lo &= ~hostmask;
		hi = lo | hostmask;
	}
	return rl_push(v6 ? &o->v6 : &o->v4, lo, hi);
}

static int addr_expr(const struct md_detect *d, char *s, struct aset *o,
		     int depth, char *err, size_t n);

static void aset_fini(struct aset *a)
{
	rl_fini(&a->v4);
	rl_fini(&a->v6);
}

static int aset_any(struct aset *a)
{
	return rl_push(&a->v4, 0, V4_MAX) || rl_push(&a->v6, 0, V6_MAX)
		   ? MD_E_NOMEM
		   : 0;
}

static int aset_compl(struct aset *a)
{
	struct rl c4, c6;
	if (rl_compl(&a->v4, V4_MAX, &c4))
		return MD_E_NOMEM;
	if (rl_compl(&a->v6, V6_MAX, &c6)) {
		rl_fini(&c4);
		return MD_E_NOMEM;
	}
	aset_fini(a);
	a->v4 = c4;
	a->v6 = c6;
	return 0;
}

/* Split a bracketed list at top-level commas; s is inside the brackets. */
static int split_list(char *s, char **items, int max)
{
	int n = 0, depth = 0;
	char *start = s;
	for (char *p = s;; p++) {
		if (*p == '[')
			depth++;
		else if (*p == ']')
			depth--;
		if (*p == 0 || (*p == ',' && depth == 0)) {
			if (n == max)
				return -1;
			bool end = !*p;
			*p = 0;
			items[n++] = md_dtrim(start);
			if (end)
				break;
			start = p + 1;
		}
	}
	return n;
}

static int addr_list(const struct md_detect *d, char *s, struct aset *o,
		     int depth, char *err, size_t n)
{
	char *items[256];
	size_t l = strlen(s);
	if (l < 2 || s[l - 1] != ']')
		return md_derr(err, n, "unbalanced brackets in address");
	s[l - 1] = 0;
	int k = split_list(s + 1, items, 256);
	if (k < 0)
		return md_derr(err, n, "address list too long");
	struct aset pos = {0}, neg = {0};
	bool have_pos = false;
	int rc = 0;
	for (int i = 0; i < k && !rc; i++) {
		if (!*items[i]) {
			rc = md_derr(err, n, "empty item in address list");
			break;
		}
		bool ng = items[i][0] == '!';
		struct aset one = {0};
		rc = addr_expr(d, items[i] + ng, &one, depth + 1, err, n);
		if (!rc)
			rc = ng ? (rl_union(&neg.v4, &one.v4) ||
				   rl_union(&neg.v6, &one.v6))
				: (rl_union(&pos.v4, &one.v4) ||
				   rl_union(&pos.v6, &one.v6));
		have_pos |= !ng;
		aset_fini(&one);
	}
	if (!rc && !have_pos)
		rc = aset_any(&pos);
	if (!rc)
		rc = rl_minus(&pos.v4, &neg.v4, V4_MAX) ||
		     rl_minus(&pos.v6, &neg.v6, V6_MAX);
	aset_fini(&neg);
	if (rc) {
		aset_fini(&pos);
		return rc < 0 ? rc : MD_E_NOMEM;
	}
	*o = pos;
	return 0;
}

static int addr_expr(const struct md_detect *d, char *s, struct aset *o,
		     int depth, char *err, size_t n)
{
	s = md_dtrim(s);
	if (depth > MAX_NEST)
		return md_derr(err, n, "address variables nested too deep");
	if (!*s)
		return md_derr(err, n, "empty address");
	if (!strcasecmp(s, "any"))
		return aset_any(o);
	if (*s == '!') {
		int rc = addr_expr(d, s + 1, o, depth + 1, err, n);
		return rc ? rc : aset_compl(o);
	}
	if (*s == '[')
		return addr_list(d, s, o, depth, err, n);
	if (*s == '$') {
		const char *v = var_value(d, s, false, err, n);
		if (!v)
			return MD_E_INVAL;
		char *cp = md_strdup(v);
		if (!cp)
			return MD_E_NOMEM;
		int rc = addr_expr(d, cp, o, depth + 1, err, n);
		md_free(cp);
		return rc;
	}
	int rc = addr_atom(s, o, err, n);
	if (!rc)
		rl_norm(o->v4.n ? &o->v4 : &o->v6);
	return rc;
}

int md_daddr_parse(const struct md_detect *d, const char *str,
		   struct md_addrset *out, char *err, size_t n)
{
	memset(out, 0, sizeof(*out));
	char *s = md_strdup(str);
	struct aset a = {0};
	if (!s)
		return MD_E_NOMEM;
	int rc = addr_expr(d, s, &a, 0, err, n);
	md_free(s);
	if (rc) {
		aset_fini(&a);
		return rc;
	}
	rl_norm(&a.v4);
	rl_norm(&a.v6);
	if (!a.v4.n && !a.v6.n) {
		aset_fini(&a);
		return md_derr(err, n, "address '%s' matches nothing", str);
	}
	out->any = a.v4.n == 1 && a.v4.r[0].lo == 0 && a.v4.r[0].hi == V4_MAX &&
		   a.v6.n == 1 && a.v6.r[0].lo == 0 && a.v6.r[0].hi == V6_MAX;
	if (!out->any && a.v4.n) {
		out->r4 = md_malloc(a.v4.n * sizeof(*out->r4));
		if (!out->r4) {
			aset_fini(&a);
			return MD_E_NOMEM;
		}
		for (uint32_t i = 0; i < a.v4.n; i++) {
			out->r4[i].lo = (uint32_t)a.v4.r[i].lo;
			out->r4[i].hi = (uint32_t)a.v4.r[i].hi;
		}
		out->n4 = a.v4.n;
	}
	rl_fini(&a.v4);
	if (!out->any) {
		out->r6 = a.v6.r;
		out->n6 = a.v6.n;
	} else {
		rl_fini(&a.v6);
	}
	return 0;
}

bool md_daddr_match(const struct md_addrset *s, const struct md_addr *a,
		    int ipver)
{
	if (s->any)
		return true;
	if (ipver == 4) {
		uint32_t v = ((uint32_t)a->b[0] << 24) |
			     ((uint32_t)a->b[1] << 16) |
			     ((uint32_t)a->b[2] << 8) | a->b[3];
		uint32_t lo = 0, hi = s->n4;
		while (lo < hi) {
			uint32_t m = (lo + hi) / 2;
			if (v < s->r4[m].lo)
				hi = m;
			else if (v > s->r4[m].hi)
				lo = m + 1;
			else
				return true;
		}
		return false;
	}
	if (ipver != 6)
		return false;
	u128 v = v6_from(a->b);
	uint32_t lo = 0, hi = s->n6;
	while (lo < hi) {
		uint32_t m = (lo + hi) / 2;
		if (v < s->r6[m].lo)
			hi = m;
		else if (v > s->r6[m].hi)
			lo = m + 1;
		else
			return true;
	}
	return false;
}

void md_daddr_fini(struct md_addrset *s)
{
	md_free(s->r4);
	md_free(s->r6);
	memset(s, 0, sizeof(*s));
}

/* ---- ports ------------------------------------------------------------- */

static int port_num(const char *s, u128 *v)
{
	char *e;
	if (!isdigit((unsigned char)*s))
		return -1;
	long p = strtol(s, &e, 10);
	if (*e || p < 0 || p > 65535)
		return -1;
	*v = (u128)p;
	return 0;
}

static int port_expr(const struct md_detect *d, char *s, struct rl *o,
		     int depth, char *err, size_t n);

static int port_list(const struct md_detect *d, char *s, struct rl *o,
		     int depth, char *err, size_t n)
{
	char *items[256];
	size_t l = strlen(s);
	if (l < 2 || s[l - 1] != ']')
		return md_derr(err, n, "unbalanced brackets in port");
	s[l - 1] = 0;
	int k = split_list(s + 1, items, 256);
	if (k < 0)
		return md_derr(err, n, "port list too long");
	struct rl pos = {0}, neg = {0};
	bool have_pos = false;
	int rc = 0;
	for (int i = 0; i < k && !rc; i++) {
		bool ng = items[i][0] == '!';
		struct rl one = {0};
		rc = port_expr(d, items[i] + ng, &one, depth + 1, err, n);
		if (!rc)
			rc = rl_union(ng ? &neg : &pos, &one);
		have_pos |= !ng;
		rl_fini(&one);
	}
	if (!rc && !have_pos)
		rc = rl_push(&pos, 0, PORT_MAX);
	if (!rc)
		rc = rl_minus(&pos, &neg, PORT_MAX);
	rl_fini(&neg);
	if (rc) {
		rl_fini(&pos);
		return rc;
	}
	*o = pos;
	return 0;
}

static int port_expr(const struct md_detect *d, char *s, struct rl *o,
		     int depth, char *err, size_t n)
{
	s = md_dtrim(s);
	if (depth > MAX_NEST)
		return md_derr(err, n, "port variables nested too deep");
	if (!strcasecmp(s, "any"))
		return rl_push(o, 0, PORT_MAX);
	if (*s == '!') {
		struct rl in = {0};
		int rc = port_expr(d, s + 1, &in, depth + 1, err, n);
		if (!rc)
			rc = rl_compl(&in, PORT_MAX, o);
		rl_fini(&in);
		return rc;
	}
	if (*s == '[')
		return port_list(d, s, o, depth, err, n);
	if (*s == '$') {
		const char *v = var_value(d, s, true, err, n);
		if (!v)
			return MD_E_INVAL;
		char *cp = md_strdup(v);
		if (!cp)
			return MD_E_NOMEM;
		int rc = port_expr(d, cp, o, depth + 1, err, n);
		md_free(cp);
		return rc;
	}
	char *colon = strchr(s, ':');
	u128 lo, hi;
	if (colon) {
		*colon = 0;
		const char *a = s, *b = colon + 1;
		if ((*a ? port_num(a, &lo) : (lo = 0, 0)) ||
		    (*b ? port_num(b, &hi) : (hi = PORT_MAX, 0)) || lo > hi ||
		    (!*a && !*b))
			return md_derr(err, n, "bad port range");
	} else {
		if (port_num(s, &lo))
			return md_derr(err, n, "bad port '%s'", s);
		hi = lo;
	}
	return rl_push(o, lo, hi);
}

int md_dport_parse(const struct md_detect *d, const char *str,
		   struct md_portset *out, char *err, size_t n)
{
	memset(out, 0, sizeof(*out));
	char *s = md_strdup(str);
	struct rl l = {0};
	if (!s)
		return MD_E_NOMEM;
	int rc = port_expr(d, s, &l, 0, err, n);
	md_free(s);
	if (!rc) {
		rl_norm(&l);
		if (!l.n)
			rc = md_derr(err, n, "port '%s' matches nothing", str);
	}
	if (!rc && l.n == 1 && l.r[0].lo == 0 && l.r[0].hi == PORT_MAX) {
		out->any = true;
	} else if (!rc) {
		out->r = md_malloc(l.n * sizeof(*out->r));
		if (!out->r)
			rc = MD_E_NOMEM;
		for (uint32_t i = 0; !rc && i < l.n; i++) {
			out->r[i].lo = (uint16_t)l.r[i].lo;
			out->r[i].hi = (uint16_t)l.r[i].hi;
		}
		out->n = rc ? 0 : l.n;
	}
	rl_fini(&l);
	return rc;
}

bool md_dport_match(const struct md_portset *s, uint16_t port)
{
	if (s->any)
		return true;
	uint32_t lo = 0, hi = s->n;
	while (lo < hi) {
		uint32_t m = (lo + hi) / 2;
		if (port < s->r[m].lo)
			hi = m;
		else if (port > s->r[m].hi)
			lo = m + 1;
		else
			return true;
	}
	return false;
}

uint32_t md_dport_count(const struct md_portset *s)
{
	if (s->any)
		return 65536;
	uint32_t c = 0;
	for (uint32_t i = 0; i < s->n; i++)
		c += (uint32_t)s->r[i].hi - s->r[i].lo + 1;
	return c;
}

void md_dport_fini(struct md_portset *s)
{
	md_free(s->r);
	memset(s, 0, sizeof(*s));
}

/* ---- vars from the configuration ------------------------------------- */

static const char *const def_addr[][2] = {
    {"HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]"},
    {"EXTERNAL_NET", "!$HOME_NET"},
    {"HTTP_SERVERS", "$HOME_NET"},
    {"SMTP_SERVERS", "$HOME_NET"},
    {"SQL_SERVERS", "$HOME_NET"},
    {"DNS_SERVERS", "$HOME_NET"},
    {"TELNET_SERVERS", "$HOME_NET"},
    {"DC_SERVERS", "$HOME_NET"},
    {"PACS_SERVERS", "$HOME_NET"},
    {"MODALITIES", "$HOME_NET"},
    {"HL7_ENGINES", "$HOME_NET"},
    {"MEDICAL_DEVICES", "$HOME_NET"},
    {"SDC_PROVIDERS", "$HOME_NET"},
    {"SDC_CONSUMERS", "$HOME_NET"},
};

static const char *const def_port[][2] = {
    {"HTTP_PORTS", "[80,8080]"},
    {"SHELLCODE_PORTS", "!80"},
    {"ORACLE_PORTS", "1521"},
    {"SSH_PORTS", "22"},
    {"FTP_PORTS", "21"},
    {"FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]"},
    {"DICOM_PORTS", "[104,11112,4242]"},
    {"HL7_PORTS", "[2575,6661]"},
    {"X73_PORTS", "[6024]"},
    {"SDC_PORTS", "[3702]"},
};

static int var_add(struct md_detect *d, const char *name, const char *val,
		   bool port)
{
	struct md_var *v = md_realloc(d->vars, (d->n_vars + 1) * sizeof(*v));
	if (!v)
		return MD_E_NOMEM;
	d->vars = v;
	v = &d->vars[d->n_vars];
	v->name = md_strdup(name);
	v->val = md_strdup(val);
	v->port = port;
	if (!v->name || !v->val) {
		md_free(v->name);
		md_free(v->val);
		return MD_E_NOMEM;
	}
	d->n_vars++;
	return 0;
}

/* Read one group map (address-groups or port-groups). */
static int vars_group(struct md_detect *d, const char *path, bool port)
{
	const struct md_conf_node *g = md_conf_find(d->cfg.conf, path);
	int errors = 0;
	if (!g)
		return 0;
	const char *file = d->cfg.conf->file ? d->cfg.conf->file : "config";
	if (g->kind != MD_CONF_MAP) {
		fprintf(d->errs, "%s:%d: %s: must be a map\n", file, g->line,
			path);
		return 1;
	}
	for (const struct md_conf_node *c = g->child; c; c = c->next) {
		if (!c->val) {
			fprintf(d->errs, "%s:%d: %s.%s: must be a string\n",
				file, c->line, path, c->key);
			errors++;
			continue;
		}
		if (var_find(d, c->key)) {
			fprintf(d->errs, "%s:%d: %s.%s: defined twice\n", file,
				c->line, path, c->key);
			errors++;
			continue;
		}
		if (var_add(d, c->key, c->val, port))
			return -1;
	}
	return errors;
}

/* Check every variable parses; report bad ones with their line. */
static int vars_check(struct md_detect *d)
{
	int errors = 0;
	const char *file =
	    d->cfg.conf && d->cfg.conf->file ? d->cfg.conf->file : "config";
	for (size_t i = 0; i < d->n_vars; i++) {
		struct md_var *v = &d->vars[i];
		char err[256], path[160];
		struct md_addrset a;
		struct md_portset p;
		int rc = v->port
			     ? md_dport_parse(d, v->val, &p, err, sizeof(err))
			     : md_daddr_parse(d, v->val, &a, err, sizeof(err));
		if (rc == MD_E_NOMEM)
			return -1;
		if (!rc) {
			if (v->port)
				md_dport_fini(&p);
			else
				md_daddr_fini(&a);
			continue;
		}
		snprintf(path, sizeof(path), "vars.%s.%s",
			 v->port ? "port-groups" : "address-groups", v->name);
		const struct md_conf_node *nd = md_conf_find(d->cfg.conf, path);
		fprintf(d->errs, "%s:%d: %s: %s\n", file, nd ? nd->line : 0,
			path, err);
		errors++;
	}
	return errors;
}

int md_dvars_load(struct md_detect *d)
{
	int e1 = vars_group(d, "vars.address-groups", false);
	int e2 = e1 < 0 ? 0 : vars_group(d, "vars.port-groups", true);
	if (e1 < 0 || e2 < 0)
		return -1;
	for (size_t i = 0; i < sizeof(def_addr) / sizeof(def_addr[0]); i++)
		if (!var_find(d, def_addr[i][0]) &&
		    var_add(d, def_addr[i][0], def_addr[i][1], false))
			return -1;
	for (size_t i = 0; i < sizeof(def_port) / sizeof(def_port[0]); i++)
		if (!var_find(d, def_port[i][0]) &&
		    var_add(d, def_port[i][0], def_port[i][1], true))
			return -1;
	int e3 = vars_check(d);
	return e3 < 0 ? -1 : e1 + e2 + e3;
}

void md_dvars_fini(struct md_detect *d)
{
	for (size_t i = 0; i < d->n_vars; i++) {
		md_free(d->vars[i].name);
		md_free(d->vars[i].val);
	}
	md_free(d->vars);
	d->vars = NULL;
	d->n_vars = 0;
}
