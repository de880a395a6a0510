/* eve-tx.c - per-protocol transaction records built from a parser's field
 * table (md-parser.h): each value goes to the field's dotted eve_key;
 * MD_FF_MULTI fields become arrays (at most max_values entries), MD_FT_GROUP
 * fields arrays of objects, MD_FF_ARG fields objects keyed by argument;
 * MD_FF_PHI values are keyed hashes unless log-phi is on.
 *
 *   {"event_type":"<proto>", ..., "tx_id":N, "<proto>":{...}}
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "eve.h"
#include "mem.h"
#include "util-sha256.h"

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

json_t *md_eve_phi_value(const struct md_phi *phi, const uint8_t *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t mac[32];
	char out[4 + 32 + 1] = "phi:";
	if (phi->log_clear)
		return md_json_bytes(p, len);
	md_hmac_sha256(phi->key, sizeof(phi->key), p, len, mac);
	for (int i = 0; i < 16; i++) {
		out[4 + 2 * i] = hex[mac[i] >> 4];
		out[5 + 2 * i] = hex[mac[i] & 15];
	}
	out[36] = 0;
	return json_string(out);
}

static json_t *value_of(const struct md_field_def *fd,
			const struct md_tx_val *v, const struct md_phi *phi)
{
	switch (fd->type) {
	case MD_FT_UINT:
		return json_integer((json_int_t)v->u);
	case MD_FT_BOOL:
		return json_boolean(v->u != 0);
	case MD_FT_BYTES:
		if (fd->flags & MD_FF_PHI)
			return md_eve_phi_value(phi, md_tx_val_bytes(v),
						v->len);
		return base64(md_tx_val_bytes(v), v->len);
	default:
		if (fd->flags & MD_FF_PHI)
			return md_eve_phi_value(phi, md_tx_val_bytes(v),
						v->len);
		return md_json_bytes(md_tx_val_bytes(v), v->len);
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
			 const struct md_phi *phi, unsigned max_values)
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
		if (v->arglen) { /* {"eve_key": {"<arg>": value}} */
			json_t *obj = get_path(target, key);
			if (!json_is_object(obj)) {
				obj = json_object();
				if (md_json_set_path(target, key, obj))
					continue;
			}
			char arg[256];
			snprintf(arg, sizeof(arg), "%.*s", (int)v->arglen,
				 (const char *)v->bytes);
			if (json_object_size(obj) < max_values)
				json_object_set_new(obj, arg,
						    value_of(fd, v, phi));
			continue;
		}
		if (fd->flags & MD_FF_MULTI) {
			json_t *arr = array_at(target, key);
			if (arr && json_array_size(arr) < max_values)
				json_array_append_new(arr,
						      value_of(fd, v, phi));
			continue;
		}
		md_json_set_path(target, key, value_of(fd, v, phi));
	}
	return root;
}

void md_eve_tx(struct md_eve *eve, const struct md_flow *f,
	       const struct md_parser *pp, const struct md_tx *tx,
	       uint64_t ts_usec)
{
	char stack[4096];
	struct md_jb jb;
	if (!eve || !(eve->types & MD_EVE_APP))
		return;
	json_t *o = md_eve_tx_object(pp, tx, &eve->phi, eve->max_values);
	char *text =
	    o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	if (!text) {
		eve->errors++;
		return;
	}
	md_jb_init_buf(&jb, stack, sizeof(stack));
	md_eve_jb_header(&jb, pp->name, ts_usec, f, NULL, tx->dir);
	md_jb_uint(&jb, "tx_id", tx->id);
	md_jb_raw(&jb, pp->name, text, strlen(text));
	md_jb_close(&jb);
	md_eve_write_jb(eve, MD_EVE_APP, &jb);
	md_jb_free(&jb);
	free(text);
}

int md_eve_phi_key_load(struct md_phi *phi, const char *path, char *err,
			size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	if (fp) {
		size_t n = fread(phi->key, 1, sizeof(phi->key), fp);
		fclose(fp);
		if (n == sizeof(phi->key))
			return 0;
		snprintf(err, errlen, "%s: PHI key file shorter than %zu bytes",
			 path, sizeof(phi->key));
		return MD_E_IO;
	}
	FILE *rnd = fopen("/dev/urandom", "rb");
	size_t got = rnd ? fread(phi->key, 1, sizeof(phi->key), rnd) : 0;
	if (rnd)
		fclose(rnd);
	int fd = got == sizeof(phi->key)
		     ? open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)
		     : -1;
	if (fd < 0 || write(fd, phi->key, sizeof(phi->key)) !=
			  (ssize_t)sizeof(phi->key)) {
		snprintf(err, errlen, "%s: cannot create the PHI key: %s", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return MD_E_IO;
	}
	close(fd);
	return 0;
}
