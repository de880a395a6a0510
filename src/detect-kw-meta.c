/* detect-kw-meta.c - meta options (msg sid rev gid classtype priority
 * metadata reference target noalert), threshold and detection_filter,
 * and the configuration files classification.config, reference.config
 * and threshold.config.
 *
 * Formats per the Suricata user guide ("Meta Keywords", "Thresholding
 * Keywords", "Global-Thresholds"):
 *   config classification: shortname,description,priority
 *   config reference: system url
 *   threshold|event_filter gen_id G, sig_id S, type limit|threshold|both,
 *       track by_src|by_dst|by_rule|by_both, count N, seconds T
 *   suppress gen_id G, sig_id S[, track by_src|by_dst|by_either, ip SPEC]
 * sig_id 0 (and gen_id 0) apply to every rule. threshold.config entries
 * replace a rule's own threshold.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "detect-int.h"

static int set_str(struct md_pstate *ps, char **dst, char *val, const char *kw)
{
	if (*dst)
		return md_derr(ps->err, ps->errlen, "%s set twice", kw);
	if (*val == '"') {
		int rc = md_dunquote(val, ps->err, ps->errlen);
		if (rc)
			return rc;
	}
	*dst = md_strdup(val);
	return *dst ? 0 : MD_E_NOMEM;
}

static int kw_msg(struct md_pstate *ps, char *val)
{
	return set_str(ps, &ps->s->msg, val, "msg");
}

static int u32_opt(struct md_pstate *ps, const char *kw, char *val,
		   uint32_t *out, uint32_t min)
{
	uint64_t v;
	if (md_dparse_u64(val, &v) || v < min || v > UINT32_MAX)
		return md_derr(ps->err, ps->errlen, "bad %s '%s'", kw, val);
	*out = (uint32_t)v;
	return 0;
}

static int kw_sid(struct md_pstate *ps, char *val)
{
	if (ps->have_sid)
		return md_derr(ps->err, ps->errlen, "sid set twice");
	ps->have_sid = true;
	return u32_opt(ps, "sid", val, &ps->s->info.sid, 1);
}

static int kw_rev(struct md_pstate *ps, char *val)
{
	return u32_opt(ps, "rev", val, &ps->s->info.rev, 0);
}

static int kw_gid(struct md_pstate *ps, char *val)
{
	if (ps->have_gid)
		return md_derr(ps->err, ps->errlen, "gid set twice");
	ps->have_gid = true;
	return u32_opt(ps, "gid", val, &ps->s->info.gid, 0);
}

static int kw_classtype(struct md_pstate *ps, char *val)
{
	struct md_detect *d = ps->d;
	if (ps->s->classtype)
		return md_derr(ps->err, ps->errlen, "classtype set twice");
	for (size_t i = 0; i < d->n_classes; i++)
		if (!strcmp(d->classes[i].name, val)) {
			ps->s->classtype = md_strdup(val);
			ps->s->category = md_strdup(d->classes[i].desc);
			if (!ps->s->info.priority)
				ps->s->info.priority = d->classes[i].prio;
			return ps->s->classtype && ps->s->category ? 0
								   : MD_E_NOMEM;
		}
	return md_derr(ps->err, ps->errlen, "unknown classtype '%s'", val);
}

static int kw_priority(struct md_pstate *ps, char *val)
{
	uint32_t p = 0;
	int rc = u32_opt(ps, "priority", val, &p, 1);
	if (!rc && p > 255)
		rc = md_derr(ps->err, ps->errlen, "bad priority '%s'", val);
	if (!rc)
		ps->s->info.priority = (int)p;
	return rc;
}

/* metadata: key value, key value -> JSON object text in Suricata's alert
 * shape, {"key":["value",...]}; a later metadata keyword adds to it. A
 * part without a value is kept with an empty string. */
static int kw_metadata(struct md_pstate *ps, char *val)
{
	char *parts[64];
	int n = md_dsplit(val, parts, 64);
	if (n < 1)
		return md_derr(ps->err, ps->errlen, "metadata: too many items");
	struct md_sig *s = ps->s;
	json_t *obj =
	    s->metadata ? json_loads(s->metadata, 0, NULL) : json_object();
	if (!obj)
		return MD_E_NOMEM;
	for (int i = 0; i < n; i++) {
		char *k = parts[i];
		while (*k == ' ')
			k++;
		if (!*k)
			continue;
		char *v = strchr(k, ' ');
		if (v) {
			*v++ = 0;
			while (*v == ' ')
				v++;
		}
		json_t *arr = json_object_get(obj, k);
		if (!json_is_array(arr)) {
			arr = json_array();
			json_object_set_new(obj, k, arr);
		}
		json_array_append_new(arr, json_string(v ? v : ""));
	}
	char *text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(obj);
	if (!text)
		return MD_E_NOMEM;
	md_free(s->metadata);
	s->metadata = md_strdup(text);
	free(text);
	return s->metadata ? 0 : MD_E_NOMEM;
}

static int kw_reference(struct md_pstate *ps, char *val)
{
	char *comma = strchr(val, ',');
	if (!comma || comma == val || !*md_dtrim(comma + 1))
		return md_derr(ps->err, ps->errlen,
			       "reference must be system,id");
	return 0;
}

static int kw_target(struct md_pstate *ps, char *val)
{
	if (!strcmp(val, "src_ip"))
		ps->s->info.target = 1;
	else if (!strcmp(val, "dest_ip"))
		ps->s->info.target = 2;
	else
		return md_derr(ps->err, ps->errlen,
			       "target must be src_ip or dest_ip");
	return 0;
}

static int kw_noalert(struct md_pstate *ps, char *val)
{
	(void)val;
	ps->s->info.noalert = true;
	return 0;
}

int md_dparse_thresh(char *val, struct md_thresh *t, bool df, char *err,
		     size_t n)
{
	static const char *const tracks[] = {"by_src", "by_dst", "by_rule",
					     "by_both"};
	static const char *const types[] = {"limit", "threshold", "both"};
	char *parts[8];
	int k = md_dsplit(val, parts, 8);
	bool have_count = false, have_sec = false, have_track = false;
	memset(t, 0, sizeof(*t));
	t->type = df ? MD_THR_DETECTION_FILTER : MD_THR_NONE;
	for (int i = 0; i < k; i++) {
		char *sp = parts[i];
		while (*sp && !isspace((unsigned char)*sp))
			sp++;
		char *arg = md_dtrim(sp);
		*sp = 0;
		uint64_t v;
		if (!strcmp(parts[i], "type") && !df) {
			for (int j = 0; j < 3; j++)
				if (!strcmp(arg, types[j]))
					t->type = (uint8_t)(MD_THR_LIMIT + j);
		} else if (!strcmp(parts[i], "track")) {
			for (int j = 0; j < 4; j++)
				if (!strcmp(arg, tracks[j])) {
					t->track = (uint8_t)j;
					have_track = true;
				}
			if (!have_track)
				return md_derr(err, n, "bad track '%s'", arg);
		} else if (!strcmp(parts[i], "count") &&
			   !md_dparse_u64(arg, &v) && v >= 1 &&
			   v <= UINT32_MAX) {
			t->count = (uint32_t)v;
			have_count = true;
		} else if (!strcmp(parts[i], "seconds") &&
			   !md_dparse_u64(arg, &v) && v <= UINT32_MAX) {
			t->seconds = (uint32_t)v;
			have_sec = true;
		} else {
			return md_derr(err, n, "bad %s option '%s %s'",
				       df ? "detection_filter" : "threshold",
				       parts[i], arg);
		}
	}
	if (t->type == MD_THR_NONE)
		return md_derr(err, n,
			       "threshold needs type limit, threshold "
			       "or both");
	if (!have_track || !have_count || !have_sec)
		return md_derr(err, n, "%s needs track, count and seconds",
			       df ? "detection_filter" : "threshold");
	return 0;
}

static int kw_threshold(struct md_pstate *ps, char *val, bool df)
{
	if (ps->s->thr.type != MD_THR_NONE)
		return md_derr(ps->err, ps->errlen,
			       "conflicting threshold/detection_filter");
	return md_dparse_thresh(val, &ps->s->thr, df, ps->err, ps->errlen);
}

static int kw_thr(struct md_pstate *ps, char *val)
{
	return kw_threshold(ps, val, false);
}
static int kw_df(struct md_pstate *ps, char *val)
{
	return kw_threshold(ps, val, true);
}

const struct md_kw md_dkw_meta[] = {
    {"msg", kw_msg, MD_KW_VALUE, "alert message"},
    {"sid", kw_sid, MD_KW_VALUE, "signature id (required)"},
    {"rev", kw_rev, MD_KW_VALUE, "signature revision"},
    {"gid", kw_gid, MD_KW_VALUE, "generator id (default 1)"},
    {"classtype", kw_classtype, MD_KW_VALUE,
     "class from classification.config (category, priority)"},
    {"priority", kw_priority, MD_KW_VALUE, "alert severity 1-255"},
    {"metadata", kw_metadata, MD_KW_VALUE,
     "key value pairs copied to the alert record"},
    {"reference", kw_reference, MD_KW_VALUE, "external reference system,id"},
    {"target", kw_target, MD_KW_VALUE, "target of the attack: src_ip|dest_ip"},
    {"noalert", kw_noalert, MD_KW_NOVALUE, "match without an alert"},
    {"threshold", kw_thr, MD_KW_VALUE,
     "alert frequency: type limit|threshold|both, track, count, seconds"},
    {"detection_filter", kw_df, MD_KW_VALUE,
     "alert only after count matches within seconds"},
    {NULL, NULL, 0, NULL},
};

/* ---- configuration files ------------------------------------------- */

typedef int (*line_fn)(struct md_detect *d, char *line, char *err, size_t n);

static int read_lines(struct md_detect *d, const char *path, line_fn fn)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		fprintf(d->errs, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	char *line = NULL;
	size_t cap = 0;
	unsigned no = 0;
	int errors = 0;
	while (getline(&line, &cap, fp) >= 0) {
		no++;
		char *s = md_dtrim(line);
		if (!*s || *s == '#')
			continue;
		char err[256];
		int rc = fn(d, s, err, sizeof(err));
		if (rc == MD_E_NOMEM) {
			errors = -1;
			break;
		}
		if (rc) {
			fprintf(d->errs, "%s:%u: %s\n", path, no, err);
			errors++;
		}
	}
	free(line);
	fclose(fp);
	return errors;
}

static char *after_prefix(char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	if (strncmp(s, prefix, n))
		return NULL;
	return md_dtrim(s + n);
}

static int class_line(struct md_detect *d, char *s, char *err, size_t n)
{
	char *v = after_prefix(s, "config classification:");
	char *parts[3];
	uint64_t prio;
	if (!v || md_dsplit(v, parts, 3) != 3 || !*parts[0] ||
	    md_dparse_u64(parts[2], &prio) || prio < 1 || prio > 255)
		return md_derr(err, n, "bad classification line");
	struct md_class *c =
	    md_realloc(d->classes, (d->n_classes + 1) * sizeof(*c));
	if (!c)
		return MD_E_NOMEM;
	d->classes = c;
	c = &c[d->n_classes];
	c->name = md_strdup(parts[0]);
	c->desc = md_strdup(parts[1]);
	c->prio = (int)prio;
	if (!c->name || !c->desc) {
		md_free(c->name);
		md_free(c->desc);
		return MD_E_NOMEM;
	}
	d->n_classes++;
	return 0;
}

static int ref_line(struct md_detect *d, char *s, char *err, size_t n)
{
	char *v = after_prefix(s, "config reference:");
	if (!v)
		return md_derr(err, n, "bad reference line");
	char *sp = v;
	while (*sp && !isspace((unsigned char)*sp))
		sp++;
	if (sp == v || !*md_dtrim(sp))
		return md_derr(err, n, "reference needs a system and a URL");
	*sp = 0;
	char **r = md_realloc(d->refs, (d->n_refs + 1) * sizeof(*r));
	if (!r)
		return MD_E_NOMEM;
	d->refs = r;
	if (!(r[d->n_refs] = md_strdup(v)))
		return MD_E_NOMEM;
	d->n_refs++;
	return 0;
}

/* "gen_id G, sig_id S, rest" -> ids, rest left in *rest. */
static int tc_ids(char *v, struct md_tcfg *t, char **rest, char *err, size_t n)
{
	uint64_t g, s;
	char *c1 = strchr(v, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
	if (!c1)
		return md_derr(err, n, "expected gen_id G, sig_id S");
	*c1 = 0;
	if (c2)
		*c2 = 0;
	char *a = md_dtrim(v), *b = md_dtrim(c1 + 1);
	if (strncmp(a, "gen_id ", 7) || strncmp(b, "sig_id ", 7) ||
	    md_dparse_u64(md_dtrim(a + 7), &g) ||
	    md_dparse_u64(md_dtrim(b + 7), &s) || g > UINT32_MAX ||
	    s > UINT32_MAX)
		return md_derr(err, n, "expected gen_id G, sig_id S");
	t->gid = (uint32_t)g;
	t->sid = (uint32_t)s;
	*rest = c2 ? c2 + 1 : NULL;
	return 0;
}

static int suppress_rest(struct md_detect *d, char *rest, struct md_tcfg *t,
			 char *err, size_t n)
{
	t->track = MD_TRACK_NONE;
	if (!rest)
		return 0;
	char *parts[2], *comma = strchr(rest, ',');
	if (comma)
		*comma = 0;
	parts[0] = md_dtrim(rest);
	parts[1] = comma ? md_dtrim(comma + 1) : NULL;
	if (!parts[1] || strncmp(parts[0], "track ", 6) ||
	    strncmp(parts[1], "ip ", 3))
		return md_derr(err, n, "suppress: expected track X, ip Y");
	char *tr = md_dtrim(parts[0] + 6);
	if (!strcmp(tr, "by_src"))
		t->track = MD_TRACK_SRC;
	else if (!strcmp(tr, "by_dst"))
		t->track = MD_TRACK_DST;
	else if (!strcmp(tr, "by_either"))
		t->track = MD_TRACK_EITHER;
	else
		return md_derr(err, n, "suppress: bad track '%s'", tr);
	char e[200];
	int rc =
	    md_daddr_parse(d, md_dtrim(parts[1] + 3), &t->ips, e, sizeof(e));
	if (rc)
		return rc == MD_E_NOMEM ? rc
					: md_derr(err, n, "suppress: %s", e);
	t->has_ips = true;
	return 0;
}

static int thr_line(struct md_detect *d, char *s, char *err, size_t n)
{
	struct md_tcfg t = {0};
	char *rest = NULL, *v;
	int rc;
	if ((v = after_prefix(s, "suppress"))) {
		t.suppress = true;
		rc = tc_ids(v, &t, &rest, err, n);
		if (!rc)
			rc = suppress_rest(d, rest, &t, err, n);
	} else if ((v = after_prefix(s, "threshold")) ||
		   (v = after_prefix(s, "event_filter"))) {
		rc = tc_ids(v, &t, &rest, err, n);
		if (!rc && !rest)
			rc = md_derr(err, n,
				     "threshold needs type, track, "
				     "count and seconds");
		if (!rc)
			rc = md_dparse_thresh(rest, &t.thr, false, err, n);
	} else if (after_prefix(s, "rate_filter")) {
		return md_derr(err, n, "rate_filter is not supported");
	} else {
		return md_derr(err, n, "unknown threshold.config line");
	}
	if (rc)
		return rc;
	struct md_tcfg *a = md_realloc(d->tcfg, (d->n_tcfg + 1) * sizeof(*a));
	if (!a) {
		md_daddr_fini(&t.ips);
		return MD_E_NOMEM;
	}
	d->tcfg = a;
	a[d->n_tcfg++] = t;
	return 0;
}

int md_dconf_classification(struct md_detect *d, const char *path)
{
	return read_lines(d, path, class_line);
}

int md_dconf_reference(struct md_detect *d, const char *path)
{
	return read_lines(d, path, ref_line);
}

int md_dconf_threshold(struct md_detect *d, const char *path)
{
	return read_lines(d, path, thr_line);
}

void md_dconf_apply_thresholds(struct md_detect *d)
{
	for (size_t i = 0; i < d->n_tcfg; i++) {
		const struct md_tcfg *t = &d->tcfg[i];
		for (uint32_t k = 0; k < d->n_sigs; k++) {
			struct md_sig *s = d->sigs[k];
			if ((t->gid && t->gid != s->info.gid) ||
			    (t->sid && t->sid != s->info.sid))
				continue;
			if (!t->suppress) {
				s->thr = t->thr;
				continue;
			}
			struct md_suppress *sp = md_calloc(1, sizeof(*sp));
			if (!sp)
				continue; /* fail open: alerts stay */
			sp->track = t->track;
			sp->ips = t->has_ips ? &t->ips : NULL;
			sp->next = s->sup;
			s->sup = sp;
		}
	}
}

void md_dconf_fini(struct md_detect *d)
{
	for (size_t i = 0; i < d->n_classes; i++) {
		md_free(d->classes[i].name);
		md_free(d->classes[i].desc);
	}
	md_free(d->classes);
	for (size_t i = 0; i < d->n_refs; i++)
		md_free(d->refs[i]);
	md_free(d->refs);
	for (size_t i = 0; i < d->n_tcfg; i++)
		md_daddr_fini(&d->tcfg[i].ips);
	md_free(d->tcfg);
	d->classes = NULL;
	d->refs = NULL;
	d->tcfg = NULL;
	d->n_classes = d->n_refs = d->n_tcfg = 0;
}
