/* rules-load.h - reading rule files: -S, rule-files and default-rule-path.
 *
 * Rule files are read line by line (a trailing backslash continues a
 * rule; # starts a comment); each rule is kept with its file and first
 * line for the detection engine, which parses it and reports a bad one as
 * "FILE:LINE: reason". A rule longer than 64 KiB is reported here.
 */
#ifndef MD_RULES_LOAD_H
#define MD_RULES_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct md_rule_text {
	char *file;
	unsigned line;
	char *text;
};

struct md_ruleset {
	struct md_rule_text *rules;
	size_t n, cap;
	size_t failed;	/* rules reported and skipped */
	size_t files;	/* files read */
	size_t missing; /* files that could not be opened */
};

/* Read one rule file into rs; errors are printed to `errs` (stderr when
 * NULL). Returns 0, or MD_E_IO when the file cannot be opened, or
 * MD_E_NOMEM. */
int md_rules_load_file(struct md_ruleset *rs, const char *path, FILE *errs);
/* Free the rules (rs itself is the caller's). */
void md_ruleset_fini(struct md_ruleset *rs);

#endif
