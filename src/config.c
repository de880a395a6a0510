/* config.c - YAML configuration loading (libyaml events into a tree). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "md-parser.h"
#include "mem.h"

#define MD_CONF_MAX_DEPTH 32

struct builder {
	yaml_parser_t parser;
	const char *name;
	char *err;
	size_t errlen;
	int depth;
};

static void node_free(struct md_conf_node *n)
{
	while (n) {
		struct md_conf_node *next = n->next;
		node_free(n->child);
		md_free(n->key);
		md_free(n->val);
		md_free(n);
		n = next;
	}
}

void md_conf_free(struct md_conf *c)
{
	if (!c)
		return;
	node_free(c->root);
	md_free(c->file);
	md_free(c);
}

static int fail(struct builder *b, int line, const char *what)
{
	snprintf(b->err, b->errlen, "%s:%d: %s", b->name, line, what);
	return MD_E_INVAL;
}

static int next_event(struct builder *b, yaml_event_t *ev)
{
	if (yaml_parser_parse(&b->parser, ev))
		return 0;
	char msg[160];
	snprintf(msg, sizeof(msg), "YAML error: %s",
		 b->parser.problem ? b->parser.problem : "malformed");
	return fail(b, (int)b->parser.problem_mark.line + 1, msg);
}

static struct md_conf_node *node_new(int kind, int line)
{
	struct md_conf_node *n = md_calloc(1, sizeof(*n));
	if (n) {
		n->kind = kind;
		n->line = line;
	}
	return n;
}

static int build_node(struct builder *b, yaml_event_t *ev,
		      struct md_conf_node **out);

/* Read children until the closing event of a map or sequence. */
static int build_children(struct builder *b, struct md_conf_node *parent)
{
	struct md_conf_node **tail = &parent->child;
	yaml_event_type_t end = parent->kind == MD_CONF_MAP
				    ? YAML_MAPPING_END_EVENT
				    : YAML_SEQUENCE_END_EVENT;
	for (;;) {
		yaml_event_t ev;
		char *key = NULL;
		if (next_event(b, &ev))
			return MD_E_INVAL;
		if (ev.type == end) {
			yaml_event_delete(&ev);
			return 0;
		}
		if (parent->kind == MD_CONF_MAP) {
			if (ev.type != YAML_SCALAR_EVENT) {
				int line = (int)ev.start_mark.line + 1;
				yaml_event_delete(&ev);
				return fail(b, line, "map key is not a scalar");
			}
			key = md_strdup((const char *)ev.data.scalar.value);
			yaml_event_delete(&ev);
			if (!key || next_event(b, &ev)) {
				md_free(key);
				return key ? MD_E_INVAL : MD_E_NOMEM;
			}
		}
		struct md_conf_node *n = NULL;
		int rc = build_node(b, &ev, &n);
		yaml_event_delete(&ev);
		if (rc) {
			md_free(key);
			return rc;
		}
		n->key = key;
		*tail = n;
		tail = &n->next;
	}
}

static int build_node(struct builder *b, yaml_event_t *ev,
		      struct md_conf_node **out)
{
	int line = (int)ev->start_mark.line + 1;
	struct md_conf_node *n;

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n = node_new(MD_CONF_SCALAR, line);
		if (!n || !(n->val = md_strdup(
				(const char *)ev->data.scalar.value))) {
			md_free(n);
			return MD_E_NOMEM;
		}
		*out = n;
		return 0;
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT:
		if (++b->depth > MD_CONF_MAX_DEPTH)
			return fail(b, line, "nesting too deep");
		n = node_new(ev->type == YAML_MAPPING_START_EVENT ? MD_CONF_MAP
								  : MD_CONF_SEQ,
			     line);
		if (!n)
			return MD_E_NOMEM;
		int rc = build_children(b, n);
		b->depth--;
		if (rc) {
			node_free(n);
			return rc;
		}
		*out = n;
		return 0;
	case YAML_ALIAS_EVENT:
		return fail(b, line, "YAML aliases are not supported");
	default:
		return fail(b, line, "unexpected YAML element");
	}
}

static int build_doc(struct builder *b, struct md_conf_node **root)
{
	yaml_event_t ev;
	*root = NULL;
	for (;;) {
		if (next_event(b, &ev))
			return MD_E_INVAL;
		yaml_event_type_t t = ev.type;
		if (t == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (t == YAML_MAPPING_START_EVENT && !*root) {
			int rc = build_node(b, &ev, root);
			yaml_event_delete(&ev);
			if (rc)
				return rc;
			continue;
		}
		if (t == YAML_SCALAR_EVENT || t == YAML_SEQUENCE_START_EVENT ||
		    t == YAML_MAPPING_START_EVENT) {
			int line = (int)ev.start_mark.line + 1;
			yaml_event_delete(&ev);
			return fail(b, line, "top level must be one mapping");
		}
		yaml_event_delete(&ev);
	}
	if (!*root)
		*root = node_new(MD_CONF_MAP, 1);
	return *root ? 0 : MD_E_NOMEM;
}

static int load(struct md_conf **out, const char *name, FILE *fp,
		const char *text, char *err, size_t errlen)
{
	struct builder b = {.name = name, .err = err, .errlen = errlen};
	struct md_conf *c = md_calloc(1, sizeof(*c));
	int rc;

	*out = NULL;
	if (!c || !(c->file = md_strdup(name))) {
		md_free(c);
		snprintf(err, errlen, "%s: out of memory", name);
		return MD_E_NOMEM;
	}
	yaml_parser_initialize(&b.parser);
	if (fp)
		yaml_parser_set_input_file(&b.parser, fp);
	else
		yaml_parser_set_input_string(
		    &b.parser, (const unsigned char *)text, strlen(text));
	rc = build_doc(&b, &c->root);
	yaml_parser_delete(&b.parser);
	if (rc) {
		if (rc == MD_E_NOMEM)
			snprintf(err, errlen, "%s: out of memory", name);
		node_free(c->root);
		c->root = NULL;
		md_conf_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int md_conf_load_file(struct md_conf **out, const char *path, char *err,
		      size_t errlen)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		*out = NULL;
		return MD_E_IO;
	}
	int rc = load(out, path, fp, NULL, err, errlen);
	fclose(fp);
	return rc;
}

int md_conf_load_string(struct md_conf **out, const char *name,
			const char *text, char *err, size_t errlen)
{
	return load(out, name, NULL, text, err, errlen);
}

const struct md_conf_node *md_conf_child(const struct md_conf_node *n,
					 const char *key)
{
	if (!n || n->kind != MD_CONF_MAP)
		return NULL;
	for (n = n->child; n; n = n->next)
		if (n->key && strcmp(n->key, key) == 0)
			return n;
	return NULL;
}

static const struct md_conf_node *seq_item(const struct md_conf_node *n,
					   const char *idx)
{
	char *end;
	unsigned long i = strtoul(idx, &end, 10);
	if (*end || !isdigit((unsigned char)*idx))
		return NULL;
	for (n = n->child; n && i; n = n->next)
		i--;
	return n;
}

const struct md_conf_node *md_conf_find(const struct md_conf *c,
					const char *path)
{
	char part[128];
	const struct md_conf_node *n = c ? c->root : NULL;

	while (n && *path) {
		size_t len = strcspn(path, ".");
		if (len >= sizeof(part))
			return NULL;
		memcpy(part, path, len);
		part[len] = 0;
		n = n->kind == MD_CONF_SEQ ? seq_item(n, part)
					   : md_conf_child(n, part);
		path += len + (path[len] == '.');
	}
	return n;
}

const char *md_conf_str(const struct md_conf *c, const char *path,
			const char *def)
{
	const struct md_conf_node *n = md_conf_find(c, path);
	return n && n->kind == MD_CONF_SCALAR ? n->val : def;
}

int md_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return *out = true, 0;
		if (strcasecmp(s, no[i]) == 0)
			return *out = false, 0;
	}
	return MD_E_INVAL;
}

int md_parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	if (!isdigit((unsigned char)*s))
		return MD_E_INVAL;
	unsigned long long v = strtoull(s, &end, 10);
	uint64_t mul = 1;
	while (*end == ' ')
		end++;
	if (!strcasecmp(end, "kb") || !strcasecmp(end, "k"))
		mul = 1024;
	else if (!strcasecmp(end, "mb") || !strcasecmp(end, "m"))
		mul = 1024 * 1024;
	else if (!strcasecmp(end, "gb") || !strcasecmp(end, "g"))
		mul = 1024ull * 1024 * 1024;
	else if (*end && strcasecmp(end, "b"))
		return MD_E_INVAL;
	if (errno || v > UINT64_MAX / mul)
		return MD_E_INVAL;
	*out = v * mul;
	return 0;
}

static int typed(const struct md_conf *c, const char *path,
		 const struct md_conf_node **n, char *err, size_t errlen)
{
	*n = md_conf_find(c, path);
	if (*n && (*n)->kind != MD_CONF_SCALAR) {
		snprintf(err, errlen, "%s:%d: %s: expected a value", c->file,
			 (*n)->line, path);
		return MD_E_INVAL;
	}
	return 0;
}

static int bad(const struct md_conf *c, const struct md_conf_node *n,
	       const char *path, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s:%d: %s: '%s' is not %s", c->file, n->line,
		 path, n->val, what);
	return MD_E_INVAL;
}

int md_conf_bool(const struct md_conf *c, const char *path, bool def, bool *out,
		 char *err, size_t errlen)
{
	const struct md_conf_node *n;
	if (typed(c, path, &n, err, errlen))
		return MD_E_INVAL;
	if (!n)
		return *out = def, 0;
	return md_parse_bool(n->val, out)
		   ? bad(c, n, path, "yes or no", err, errlen)
		   : 0;
}

int md_conf_uint(const struct md_conf *c, const char *path, uint64_t def,
		 uint64_t max, uint64_t *out, char *err, size_t errlen)
{
	const struct md_conf_node *n;
	char *end;
	if (typed(c, path, &n, err, errlen))
		return MD_E_INVAL;
	if (!n)
		return *out = def, 0;
	errno = 0;
	unsigned long long v = strtoull(n->val, &end, 10);
	if (!isdigit((unsigned char)n->val[0]) || *end || errno || v > max) {
		char what[64];
		snprintf(what, sizeof(what), "a number from 0 to %llu",
			 (unsigned long long)max);
		return bad(c, n, path, what, err, errlen);
	}
	*out = v;
	return 0;
}

int md_conf_size(const struct md_conf *c, const char *path, uint64_t def,
		 uint64_t *out, char *err, size_t errlen)
{
	const struct md_conf_node *n;
	if (typed(c, path, &n, err, errlen))
		return MD_E_INVAL;
	if (!n)
		return *out = def, 0;
	return md_parse_size(n->val, out)
		   ? bad(c, n, path, "a size (e.g. 64mb)", err, errlen)
		   : 0;
}
