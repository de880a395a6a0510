/* inventory-json.c - a device as JSON (EVE `inventory.device`,
 * inventory.json, the state file) and the state file loader.
 *
 *   {"id": "dicom:ECHOSCU@10.0.0.5", "kind": "dicom-ae", "status": "active",
 *    "ip": [...], "mac": [...], <attributes>, "roles": [...],
 *    "protocols": [...], "ports": [...], "peers": [...],
 *    "first_seen": TS, "last_seen": TS, "tls": false,
 *    "credentials_in_clear": false, "phi_in_clear": false,
 *    "vulnerabilities": [{"id", "title", "matched"}]}
 *
 * The state file is {"version": 1, "devices": [device + "first_seen_usec",
 * "last_seen_usec"]}, written to a temporary file and renamed.
 */
#include "inventory-int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util-time.h"

static void ips(struct md_jb *jb, const struct md_inv_dev *v)
{
	char b[64];
	md_jb_open_array(jb, "ip");
	for (uint8_t i = 0; i < v->n_ip; i++)
		if (inet_ntop(v->ipver[i] == 6 ? AF_INET6 : AF_INET, v->ip[i].b,
			      b, sizeof(b)))
			md_jb_str(jb, NULL, b);
	md_jb_close_array(jb);
	if (!v->n_mac)
		return;
	md_jb_open_array(jb, "mac");
	for (uint8_t i = 0; i < v->n_mac; i++) {
		const uint8_t *m = v->mac[i];
		snprintf(b, sizeof(b), "%02x:%02x:%02x:%02x:%02x:%02x", m[0],
			 m[1], m[2], m[3], m[4], m[5]);
		md_jb_str(jb, NULL, b);
	}
	md_jb_close_array(jb);
}

static void lists(struct md_jb *jb, const struct md_inv_dev *v)
{
	md_jb_open_array(jb, "roles");
	for (unsigned r = 0; r < MD_IR_COUNT; r++)
		if (v->roles & (1u << r))
			md_jb_str(jb, NULL, md_inv_role_names[r]);
	md_jb_close_array(jb);
	md_jb_open_array(jb, "protocols");
	for (uint8_t i = 0; i < v->n_protos; i++)
		md_jb_str(jb, NULL, v->protos[i]);
	md_jb_close_array(jb);
	md_jb_open_array(jb, "ports");
	for (uint8_t i = 0; i < v->n_ports; i++)
		md_jb_uint(jb, NULL, v->ports[i]);
	md_jb_close_array(jb);
	md_jb_open_array(jb, "peers");
	for (uint8_t i = 0; i < v->n_peers; i++)
		md_jb_str(jb, NULL, v->peers[i]);
	md_jb_close_array(jb);
	if (v->peers_dropped)
		md_jb_uint(jb, "peers_dropped", v->peers_dropped);
}

void md_inv_dev_jb(struct md_jb *jb, const char *key,
		   const struct md_inv_dev *v, bool state)
{
	char ts[MD_TS_LEN];
	md_jb_open(jb, key);
	md_jb_str(jb, "id", v->id);
	md_jb_str(jb, "kind", v->kind);
	md_jb_str(jb, "status", v->gone ? "gone" : "active");
	ips(jb, v);
	for (int a = 0; a < MD_IA_MAX; a++)
		if (v->attr[a])
			md_jb_str(jb, md_inv_attrs[a].name, v->attr[a]);
	lists(jb, v);
	md_jb_str(jb, "first_seen", md_time_format(ts, v->first_seen));
	md_jb_str(jb, "last_seen", md_time_format(ts, v->last_seen));
	md_jb_bool(jb, "tls", v->tls);
	md_jb_bool(jb, "credentials_in_clear", v->creds_clear);
	md_jb_bool(jb, "phi_in_clear", v->phi_clear);
	md_jb_open_array(jb, "vulnerabilities");
	for (uint8_t i = 0; i < v->n_vulns; i++) {
		md_jb_open(jb, NULL);
		md_jb_str(jb, "id", v->vulns[i].id);
		if (v->vulns[i].desc && v->vulns[i].desc[0])
			md_jb_str(jb, "title", v->vulns[i].desc);
		md_jb_str(jb, "matched", v->vulns[i].matched);
		md_jb_close(jb);
	}
	md_jb_close_array(jb);
	if (state) {
		md_jb_uint(jb, "first_seen_usec", v->first_seen);
		md_jb_uint(jb, "last_seen_usec", v->last_seen);
	}
	md_jb_close(jb);
}

int md_inv_write_file(struct md_inventory *inv, const char *path, bool state)
{
	char tmp[1200], ts[MD_TS_LEN];
	struct md_jb jb;
	md_jb_init(&jb);
	md_jb_open(&jb, NULL);
	if (state) {
		md_jb_uint(&jb, "version", 1);
	} else {
		md_jb_str(&jb, "timestamp", md_time_format(ts, inv->now));
		md_jb_uint(&jb, "devices_total", inv->count);
		md_jb_uint(&jb, "devices_dropped", inv->dropped);
		md_jb_uint(&jb, "implementers_loaded", inv->data.n_impl);
		md_jb_uint(&jb, "advisories_loaded", inv->data.n_adv);
	}
	md_jb_open_array(&jb, "devices");
	for (const struct md_inv_dev *v = inv->head; v; v = v->next)
		md_inv_dev_jb(&jb, NULL, v, state);
	md_jb_close_array(&jb);
	md_jb_close(&jb);
	if (jb.err) {
		md_jb_free(&jb);
		return MD_E_NOMEM;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *fp = fopen(tmp, "w");
	int rc = MD_E_IO;
	if (fp) {
		bool ok = fwrite(jb.buf, 1, jb.len, fp) == jb.len &&
			  fputc('\n', fp) != EOF;
		ok = fclose(fp) == 0 && ok;
		rc = ok && rename(tmp, path) == 0 ? 0 : MD_E_IO;
		if (rc)
			unlink(tmp);
	}
	if (rc)
		fprintf(stderr, "medids: inventory: cannot write %s: %s\n",
			path, strerror(errno));
	md_jb_free(&jb);
	return rc;
}

/* ---- state loading --------------------------------------------------- */

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void load_addrs(struct md_inv_dev *v, const json_t *d)
{
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(d, "ip"), i, e)
	{
		const char *s = json_string_value(e);
		struct md_addr a = {{0}};
		uint8_t ver = s && strchr(s, ':') ? 6 : 4;
		if (!s || v->n_ip == MD_INV_ADDRS ||
		    inet_pton(ver == 6 ? AF_INET6 : AF_INET, s, a.b) != 1)
			continue;
		v->ip[v->n_ip] = a;
		v->ipver[v->n_ip++] = ver;
	}
	json_array_foreach(json_object_get(d, "mac"), i, e)
	{
		unsigned m[6];
		const char *s = json_string_value(e);
		if (!s || v->n_mac == MD_INV_MACS ||
		    sscanf(s, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3],
			   &m[4], &m[5]) != 6)
			continue;
		for (int k = 0; k < 6; k++)
			v->mac[v->n_mac][k] = (uint8_t)m[k];
		v->n_mac++;
	}
}

static const char *proto_name(const char *s)
{
	static const char *const names[] = {"dicom", "hl7", "ieee11073",
					    "sdc",   "tls", "http"};
	for (size_t i = 0; s && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return names[i];
	return NULL;
}

static void load_lists(struct md_inv_dev *v, const json_t *d)
{
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(d, "roles"), i, e)
	{
		for (unsigned r = 0; r < MD_IR_COUNT; r++)
			if (json_string_value(e) &&
			    !strcmp(json_string_value(e), md_inv_role_names[r]))
				v->roles |= (uint16_t)(1u << r);
	}
	json_array_foreach(json_object_get(d, "protocols"), i, e)
	{
		md_inv_proto(v, proto_name(json_string_value(e)));
	}
	json_array_foreach(json_object_get(d, "ports"), i, e)
	{
		json_int_t p = json_integer_value(e);
		if (p > 0 && p < 65536)
			md_inv_port(v, (uint16_t)p);
	}
	json_array_foreach(json_object_get(d, "peers"), i, e)
	{
		const char *s = json_string_value(e);
		char *c = s && v->n_peers < MD_INV_PEERS ? md_strdup(s) : NULL;
		if (c)
			v->peers[v->n_peers++] = c;
	}
}

static void load_vulns(struct md_inventory *inv, struct md_inv_dev *v,
		       const json_t *d)
{
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(d, "vulnerabilities"), i, e)
	{
		const char *id = jstr(e, "id"), *m = jstr(e, "matched");
		if (!id || v->n_vulns == MD_INV_VULNS)
			continue;
		struct md_inv_vuln *u = &v->vulns[v->n_vulns++];
		snprintf(u->id, sizeof(u->id), "%s", id);
		snprintf(u->matched, sizeof(u->matched), "%s", m ? m : "");
		for (size_t k = 0; k < inv->data.n_adv; k++)
			if (!strcmp(inv->data.adv[k].id, id))
				u->desc = inv->data.adv[k].desc;
	}
}

static void load_device(struct md_inventory *inv, const json_t *d)
{
	const char *id = jstr(d, "id"), *kind = jstr(d, "kind");
	if (!id || !md_inv_kind(kind) || md_inv_find(inv, id))
		return;
	struct md_inv_dev *v = md_inv_insert(inv, id, kind);
	if (!v)
		return;
	for (int a = 0; a < MD_IA_MAX; a++) {
		const char *s = jstr(d, md_inv_attrs[a].name);
		if (s) {
			char val[MD_INV_VAL];
			md_inv_clean(val, sizeof(val), (const uint8_t *)s,
				     strlen(s));
			v->attr[a] = md_strdup(val);
		}
	}
	load_addrs(v, d);
	load_lists(v, d);
	load_vulns(inv, v, d);
	v->first_seen =
	    (uint64_t)json_integer_value(json_object_get(d, "first_seen_usec"));
	v->last_seen =
	    (uint64_t)json_integer_value(json_object_get(d, "last_seen_usec"));
	v->tls = json_is_true(json_object_get(d, "tls"));
	v->creds_clear =
	    json_is_true(json_object_get(d, "credentials_in_clear"));
	v->phi_clear = json_is_true(json_object_get(d, "phi_in_clear"));
	const char *st = jstr(d, "status");
	v->gone = st && !strcmp(st, "gone");
	v->announced = true;
	if (v->last_seen > inv->now)
		inv->now = v->last_seen;
}

int md_inv_state_load(struct md_inventory *inv, char *err, size_t errlen)
{
	json_error_t je;
	if (!inv->state_path[0] || access(inv->state_path, F_OK) != 0)
		return 0;
	json_t *root = json_load_file(inv->state_path, 0, &je);
	json_t *devs = json_object_get(root, "devices");
	if (!root || !json_is_array(devs)) {
		snprintf(err, errlen, "inventory: %s:%d: %s", inv->state_path,
			 root ? 0 : je.line,
			 root ? "no devices list" : je.text);
		json_decref(root);
		return MD_E_INVAL;
	}
	size_t i;
	json_t *d;
	json_array_foreach(devs, i, d)
	{
		load_device(inv, d);
	}
	json_decref(root);
	inv->last_check = inv->now;
	return 0;
}
