/* rules-load.c - rule file reading and outer-shape checks (rules-load.h). */
#include "rules-load.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "md-parser.h"
#include "mem.h"

#define MD_RULE_MAX 65536

static int keep(struct md_ruleset *rs, const char *file, unsigned line,
		const char *text)
{
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 64;
		struct md_rule_text *r =
		    md_realloc(rs->rules, cap * sizeof(*r));
		if (!r)
			return MD_E_NOMEM;
		rs->rules = r;
		rs->cap = cap;
	}
	struct md_rule_text *t = &rs->rules[rs->n];
	t->file = md_strdup(file);
	t->text = md_strdup(text);
	t->line = line;
	if (!t->file || !t->text) {
		md_free(t->file);
		md_free(t->text);
		return MD_E_NOMEM;
	}
	rs->n++;
	return 0;
}

/* Handle one complete rule (leading blanks stripped). */
static int one_rule(struct md_ruleset *rs, const char *path, unsigned line,
		    char *rule)
{
	size_t n = strlen(rule);
	while (n && isspace((unsigned char)rule[n - 1]))
		rule[--n] = 0;
	if (!n || rule[0] == '#')
		return 0;
	return keep(rs, path, line, rule);
}

int md_rules_load_file(struct md_ruleset *rs, const char *path, FILE *errs)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL, *acc = NULL;
	size_t cap = 0, alen = 0;
	unsigned lineno = 0, start = 0;
	int rc = 0;
	if (!errs)
		errs = stderr;
	if (!fp) {
		fprintf(errs, "%s: %s\n", path, strerror(errno));
		rs->missing++;
		return MD_E_IO;
	}
	acc = md_malloc(MD_RULE_MAX);
	while (acc && !rc && getline(&line, &cap, fp) >= 0) {
		size_t n = strcspn(line, "\r\n");
		line[n] = 0;
		lineno++;
		const char *s = line;
		while (alen == 0 && isspace((unsigned char)*s))
			s++, n--;
		if (alen == 0)
			start = lineno;
		bool cont = n && s[n - 1] == '\\';
		if (alen + n + 1 >= MD_RULE_MAX) {
			fprintf(errs, "%s:%u: rule longer than %u bytes\n",
				path, start, MD_RULE_MAX);
			rs->failed++;
			alen = 0;
			continue;
		}
		memcpy(acc + alen, s, n - cont);
		alen += n - cont;
		acc[alen] = 0;
		if (cont)
			continue;
		rc = one_rule(rs, path, start, acc);
		alen = 0;
	}
	if (acc && alen && !rc)
		rc = one_rule(rs, path, start, acc);
	rs->files++;
	free(line);
	md_free(acc);
	fclose(fp);
	return acc ? rc : MD_E_NOMEM;
}

void md_ruleset_fini(struct md_ruleset *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		md_free(rs->rules[i].file);
		md_free(rs->rules[i].text);
	}
	md_free(rs->rules);
	memset(rs, 0, sizeof(*rs));
}
