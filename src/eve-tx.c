/* eve-tx.c - per-protocol transaction records built from a parser's field
 * table (md-parser.h): each value goes to the field's dotted eve_key;
 * MD_FF_MULTI fields become arrays (at most max_values entries), MD_FT_GROUP
 * fields arrays of objects, MD_FF_PHI fields are redacted unless log-phi.
 *
 *   {"event_type":"<proto>", ..., "tx_id":N, "<proto>":{...}}
 */
#include <string.h>

#include "eve.h"
#include "mem.h"

#define MD_PHI_REDACTED "[redacted]"

static json_t *get_path(json_t *obj, const char *path)
{
	char part[128];
	while (obj && *path) {
		size_t len = strcspn(path, ".");
		if (len >= sizeof(part))
			return NULL;
		memcpy(part, path, len);
		part[len] = 0;
		obj = json_object_get(obj, part);
		path += len + (path[len] == '.');
	}
	return obj;
}

static json_t *array_at(json_t *obj, const char *path)
{
	json_t *a = get_path(obj, path);
	if (json_is_array(a))
		return a;
	a = json_array();
	return md_json_set_path(obj, path, a) ? NULL : a;
}

static json_t *base64(const uint8_t *p, size_t len)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = md_malloc((len + 2) / 3 * 4 + 1);
	size_t o = 0;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		out[o++] = tab[(v >> 18) & 63];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? tab[v & 63] : '=';
	}
	json_t *s = json_stringn(out, o);
	md_free(out);
	return s;
}

static json_t *value_of(const struct md_field_def *fd,
			const struct md_tx_val *v, bool log_phi)
{
	switch (fd->type) {
	case MD_FT_UINT:
		return json_integer((json_int_t)v->u);
	case MD_FT_BOOL:
		return json_boolean(v->u != 0);
	case MD_FT_BYTES:
		if ((fd->flags & MD_FF_PHI) && !log_phi)
			return json_string(MD_PHI_REDACTED);
		return base64(v->bytes, v->len);
	default:
		if ((fd->flags & MD_FF_PHI) && !log_phi)
			return json_string(MD_PHI_REDACTED);
		return md_json_bytes(v->bytes, v->len);
	}
}

/* Object that values of field fd go into: the tx object, or the newest
 * element of fd's group. */
static json_t *target_of(const struct md_parser *pp,
			 const struct md_field_def *fd, json_t *root)
{
	if (fd->group < 0 || (size_t)fd->group >= pp->n_fields)
		return root;
	const struct md_field_def *g = &pp->fields[fd->group];
	json_t *arr = array_at(root, g->eve_key ? g->eve_key : g->name);
	if (!arr)
		return NULL;
	if (json_array_size(arr) == 0)
		json_array_append_new(arr, json_object());
	return json_array_get(arr, json_array_size(arr) - 1);
}

json_t *md_eve_tx_object(const struct md_parser *pp, const struct md_tx *tx,
			 bool log_phi, unsigned max_values)
{
	json_t *root = json_object();
	for (const struct md_tx_val *v = tx->vals; v && root; v = v->next) {
		const struct md_field_def *fd = &pp->fields[v->field];
		const char *key = fd->eve_key ? fd->eve_key : fd->name;
		if (fd->flags & MD_FF_NOLOG)
			continue;
		json_t *target = target_of(pp, fd, root);
		if (!target)
			continue;
		if (v->is_group || fd->type == MD_FT_GROUP) {
			json_t *arr = array_at(target, key);
			if (arr && json_array_size(arr) < max_values)
				json_array_append_new(arr, json_object());
			continue;
		}
		if (fd->flags & MD_FF_MULTI) {
			json_t *arr = array_at(target, key);
			if (arr && json_array_size(arr) < max_values)
				json_array_append_new(arr, value_of(fd, v, log_phi));
			continue;
		}
		md_json_set_path(target, key, value_of(fd, v, log_phi));
	}
	return root;
}

void md_eve_tx(struct md_eve *eve, const struct md_flow *f,
	       const struct md_parser *pp, const struct md_tx *tx,
	       uint64_t ts_usec)
{
	if (!eve || !(eve->types & MD_EVE_APP))
		return;
	json_t *o = md_eve_header(pp->name, ts_usec, f, NULL, tx->dir);
	if (!o)
		return;
	json_object_set_new(o, "tx_id", json_integer((json_int_t)tx->id));
	json_object_set_new(o, pp->name, md_eve_tx_object(pp, tx, eve->log_phi, 100));
	md_eve_write(eve, MD_EVE_APP, o);
}
