/* inventory-data.c - the inventory's data files, shipped in rules/:
 *
 *   dicom-implementers.txt   one "UID-ROOT Implementer name" a line, #
 *                            comments; an implementation class UID is
 *                            mapped by its longest root ending at a '.'
 *   device-advisories.yaml   advisories: a list of
 *                              {id, title, field, prefix, below | equals}
 *                            `field` names a device attribute
 *                            (implementation_version, software_version,
 *                            firmware_version, ...); a device matches when
 *                            the attribute equals `equals`, or starts with
 *                            `prefix` followed by a number < `below` (or
 *                            just starts with it when `below` is absent).
 */
#include "inventory-int.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define MD_INV_MAX_DATA 4096 /* lines / advisories read */

int md_inv_data_implementers(struct md_inv_data *d, const char *path, char *err,
			     size_t errlen)
{
	char line[512];
	if (!path || !path[0])
		return 0;
	FILE *fp = fopen(path, "r");
	if (!fp) {
		snprintf(err, errlen, "inventory: %s: %s", path,
			 strerror(errno));
		return MD_E_IO;
	}
	unsigned ln = 0;
	while (fgets(line, sizeof(line), fp) && d->n_impl < MD_INV_MAX_DATA) {
		ln++;
		char *s = line + strspn(line, " \t");
		s[strcspn(s, "\r\n")] = 0;
		if (!*s || *s == '#')
			continue;
		size_t rl = strspn(s, "0123456789.");
		char *name = s + rl + strspn(s + rl, " \t");
		if (!rl || !isspace((unsigned char)s[rl]) || !*name) {
			snprintf(err, errlen,
				 "%s:%u: expected 'UID-ROOT Implementer'", path,
				 ln);
			fclose(fp);
			return MD_E_INVAL;
		}
		s[rl] = 0;
		void *n =
		    md_realloc(d->impl, (d->n_impl + 1) * sizeof(*d->impl));
		if (!n) {
			fclose(fp);
			return MD_E_NOMEM;
		}
		d->impl = n;
		struct md_inv_implementer *im = &d->impl[d->n_impl];
		im->root = md_strdup(s);
		im->name = md_strdup(name);
		d->n_impl++;
		if (!im->root || !im->name) {
			fclose(fp);
			return MD_E_NOMEM;
		}
	}
	fclose(fp);
	return 0;
}

const char *md_inv_implementer(const struct md_inv_data *d, const char *uid)
{
	const char *best = NULL;
	size_t best_len = 0;
	for (size_t i = 0; i < d->n_impl; i++) {
		size_t n = strlen(d->impl[i].root);
		if (n > best_len && !strncmp(uid, d->impl[i].root, n) &&
		    (uid[n] == 0 || uid[n] == '.')) {
			best = d->impl[i].name;
			best_len = n;
		}
	}
	return best;
}

static int attr_by_name(const char *s)
{
	for (int a = 0; s && a < MD_IA_MAX; a++)
		if (!strcmp(md_inv_attrs[a].name, s))
			return a;
	return -1;
}

static const char *child(const struct md_conf_node *n, const char *key)
{
	const struct md_conf_node *c = md_conf_child(n, key);
	return c && c->kind == MD_CONF_SCALAR ? c->val : NULL;
}

/* One advisory from its map node; returns 0 or MD_E_INVAL / NOMEM. */
static int advisory(struct md_inv_advisory *a, const struct md_conf_node *n,
		    const char *file, char *err, size_t errlen)
{
	const char *id = child(n, "id"), *field = child(n, "field");
	const char *prefix = child(n, "prefix"), *eq = child(n, "equals");
	const char *below = child(n, "below"), *title = child(n, "title");
	memset(a, 0, sizeof(*a));
	a->attr = attr_by_name(field);
	if (!id || a->attr < 0 || (!prefix == !eq) || (below && !prefix)) {
		snprintf(err, errlen,
			 "%s:%d: an advisory needs id, a device field and "
			 "either prefix (with optional below) or equals",
			 file, n->line);
		return MD_E_INVAL;
	}
	if (below) {
		char *end;
		errno = 0;
		a->below = strtoull(below, &end, 10);
		if (errno || *end || end == below) {
			snprintf(err, errlen,
				 "%s:%d: below: '%s' is not a number", file,
				 n->line, below);
			return MD_E_INVAL;
		}
	}
	a->match = eq ? MD_IM_EQUAL : below ? MD_IM_PREFIX_BELOW : MD_IM_PREFIX;
	a->id = md_strdup(id);
	a->desc = md_strdup(title ? title : "");
	a->value = md_strdup(eq ? eq : prefix);
	return a->id && a->desc && a->value ? 0 : MD_E_NOMEM;
}

int md_inv_data_advisories(struct md_inv_data *d, const char *path, char *err,
			   size_t errlen)
{
	struct md_conf *c;
	if (!path || !path[0])
		return 0;
	int rc = md_conf_load_file(&c, path, err, errlen);
	if (rc)
		return rc;
	const struct md_conf_node *list = md_conf_find(c, "advisories");
	if (list && list->kind != MD_CONF_SEQ) {
		snprintf(err, errlen, "%s:%d: advisories: expected a list",
			 path, list->line);
		md_conf_free(c);
		return MD_E_INVAL;
	}
	for (const struct md_conf_node *n = list ? list->child : NULL;
	     n && !rc && d->n_adv < MD_INV_MAX_DATA; n = n->next) {
		void *p = md_realloc(d->adv, (d->n_adv + 1) * sizeof(*d->adv));
		if (!p) {
			rc = MD_E_NOMEM;
			break;
		}
		d->adv = p;
		rc = advisory(&d->adv[d->n_adv], n, path, err, errlen);
		d->n_adv++; /* freed by md_inv_data_fini, even half-made */
	}
	md_conf_free(c);
	return rc;
}

void md_inv_data_fini(struct md_inv_data *d)
{
	for (size_t i = 0; i < d->n_impl; i++) {
		md_free(d->impl[i].root);
		md_free(d->impl[i].name);
	}
	for (size_t i = 0; i < d->n_adv; i++) {
		md_free(d->adv[i].id);
		md_free(d->adv[i].desc);
		md_free(d->adv[i].value);
	}
	md_free(d->impl);
	md_free(d->adv);
	memset(d, 0, sizeof(*d));
}

bool md_inv_advisory_match(const struct md_inv_advisory *a,
			   const struct md_inv_dev *v)
{
	const char *s = v->attr[a->attr];
	if (!s)
		return false;
	if (a->match == MD_IM_EQUAL)
		return !strcmp(s, a->value);
	size_t n = strlen(a->value);
	if (strncmp(s, a->value, n))
		return false;
	if (a->match == MD_IM_PREFIX)
		return true;
	s += n;
	if (!isdigit((unsigned char)*s))
		return false;
	uint64_t num = 0;
	for (; isdigit((unsigned char)*s) && num < (1ull << 60); s++)
		num = num * 10 + (uint64_t)(*s - '0');
	return num < a->below;
}
