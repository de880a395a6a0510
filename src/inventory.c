/* inventory.c - the device table and its lifecycle (doc/inventory.md).
 *
 * Devices are keyed by the most specific identity a protocol gives
 * ("dicom:AE@IP", "hl7:APP|FACILITY", "ieee11073:SYSTEM-ID", "sdc:EPR",
 * "dicom-equipment:VENDOR|MODEL|SERIAL"). Every completed transaction is
 * turned into observations (inventory-extract.c) merged under the lock;
 * then each device it touched gets at most one of `new` / `changed`, and
 * `vulnerable` when an advisory newly applies. `gone` comes from the
 * periodic check in packet time.
 */
#include "inventory-int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "detect.h"
#include "registry.h"

const struct md_inv_attr_def md_inv_attrs[MD_IA_MAX] = {
    [MD_IA_VENDOR] = {"vendor", true},
    [MD_IA_MODEL] = {"model", true},
    [MD_IA_SW] = {"software_version", true},
    [MD_IA_FW] = {"firmware_version", true},
    [MD_IA_HW] = {"hardware_version", true},
    [MD_IA_SERIAL] = {"serial_number", true},
    [MD_IA_MODALITY] = {"modality", false},
    [MD_IA_SPECIALIZATION] = {"specialization", false},
    [MD_IA_STATION] = {"station_name", false},
    [MD_IA_FRIENDLY] = {"friendly_name", false},
    [MD_IA_AE] = {"ae_title", false},
    [MD_IA_IMPL_UID] = {"implementation_class_uid", true},
    [MD_IA_IMPL_VERSION] = {"implementation_version", true},
    [MD_IA_IMPLEMENTER] = {"implementer", false},
    [MD_IA_HL7_APP] = {"hl7_application", false},
    [MD_IA_HL7_FAC] = {"hl7_facility", false},
    [MD_IA_SYSTEM_ID] = {"system_id", false},
    [MD_IA_EPR] = {"epr", false},
    [MD_IA_UDI] = {"udi", false},
    [MD_IA_EQUIPMENT] = {"equipment_id", false},
    [MD_IA_XADDRS] = {"xaddrs", false},
};

const char *const md_inv_role_names[MD_IR_COUNT] = {
    "scu",     "scp",	   "sender",   "receiver",  "agent",
    "manager", "provider", "consumer", "equipment",
};

static const char *const kinds[] = {
    "dicom-ae",		 "dicom-equipment",
    "hl7-application",	 "ieee11073-agent",
    "ieee11073-manager", "sdc-device",
    "sdc-consumer",	 NULL,
};

const char *md_inv_kind(const char *s)
{
	for (size_t i = 0; s && kinds[i]; i++)
		if (!strcmp(kinds[i], s))
			return kinds[i];
	return NULL;
}

void md_inventory_cfg_defaults(struct md_inventory_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->enabled = true;
	cfg->gone_after = 86400;
	cfg->max_devices = 10000;
	snprintf(cfg->state_file, sizeof(cfg->state_file), "inventory.state");
	snprintf(cfg->snapshot, sizeof(cfg->snapshot), "inventory.json");
	snprintf(cfg->advisories, sizeof(cfg->advisories),
		 "device-advisories.yaml");
	snprintf(cfg->implementers, sizeof(cfg->implementers),
		 "dicom-implementers.txt");
}

/* ---- table ---------------------------------------------------------- */

static uint32_t hash_id(const char *s)
{
	uint32_t h = 2166136261u;
	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

struct md_inv_dev *md_inv_find(struct md_inventory *inv, const char *id)
{
	struct md_inv_dev *v = inv->buckets[hash_id(id) % MD_INV_BUCKETS];
	while (v && strcmp(v->id, id))
		v = v->hnext;
	return v;
}

struct md_inv_dev *md_inv_insert(struct md_inventory *inv, const char *id,
				 const char *kind)
{
	if (inv->count >= inv->cfg.max_devices) {
		inv->dropped++;
		return NULL;
	}
	struct md_inv_dev *v = md_calloc(1, sizeof(*v));
	if (!v) {
		inv->dropped++;
		return NULL;
	}
	snprintf(v->id, sizeof(v->id), "%s", id);
	v->kind = md_inv_kind(kind) ? md_inv_kind(kind) : "other";
	uint32_t b = hash_id(v->id) % MD_INV_BUCKETS;
	v->hnext = inv->buckets[b];
	inv->buckets[b] = v;
	if (inv->tail)
		inv->tail->next = v;
	else
		inv->head = v;
	inv->tail = v;
	inv->count++;
	return v;
}

void md_inv_clean(char *out, size_t outlen, const uint8_t *p, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len && n + 1 < outlen; i++)
		out[n++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	out[n] = 0;
}

/* ---- observations ---------------------------------------------------- */

/* tls, credentials and PHI in clear as bits 0, 1, 2. */
static unsigned flags_of(const struct md_inv_dev *v)
{
	return v ? (unsigned)v->tls | (unsigned)v->creds_clear << 1 |
		       (unsigned)v->phi_clear << 2
		 : 0;
}

static void add_change(struct md_inv_obs *o, struct md_inv_dev *v,
		       const char *field, const char *old, const char *nv)
{
	for (int s = 0; s < 2; s++) {
		if (o->dev[s] != v || o->n_ch[s] >= MD_INV_MAX_CHANGES)
			continue;
		struct md_inv_change *c = &o->ch[s][o->n_ch[s]++];
		c->field = field;
		snprintf(c->old, sizeof(c->old), "%s", old);
		snprintf(c->new_, sizeof(c->new_), "%s", nv);
		return;
	}
}

static void add_ip(struct md_inv_obs *o, struct md_inv_dev *v,
		   const struct md_addr *a, uint8_t ver)
{
	char old[64], nv[64];
	for (uint8_t i = 0; i < v->n_ip; i++)
		if (v->ipver[i] == ver && !memcmp(&v->ip[i], a, sizeof(*a)))
			return;
	if (v->n_ip && v->announced) {
		inet_ntop(v->ipver[0] == 6 ? AF_INET6 : AF_INET, v->ip[0].b,
			  old, sizeof(old));
		inet_ntop(ver == 6 ? AF_INET6 : AF_INET, a->b, nv, sizeof(nv));
		add_change(o, v, "ip", old, nv);
	}
	if (v->n_ip == MD_INV_ADDRS)
		return;
	v->ip[v->n_ip] = *a;
	v->ipver[v->n_ip++] = ver;
}

static void add_mac(struct md_inv_obs *o, struct md_inv_dev *v,
		    const uint8_t mac[6])
{
	static const uint8_t zero[6];
	if (!memcmp(mac, zero, 6) || (mac[0] & 1)) /* none, or multicast */
		return;
	for (uint8_t i = 0; i < v->n_mac; i++)
		if (!memcmp(v->mac[i], mac, 6))
			return;
	if (v->n_mac && v->announced) {
		char old[20], nv[20];
		const uint8_t *m = v->mac[0];
		snprintf(old, sizeof(old), "%02x:%02x:%02x:%02x:%02x:%02x",
			 m[0], m[1], m[2], m[3], m[4], m[5]);
		snprintf(nv, sizeof(nv), "%02x:%02x:%02x:%02x:%02x:%02x",
			 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
		add_change(o, v, "mac", old, nv);
	}
	if (v->n_mac < MD_INV_MACS)
		memcpy(v->mac[v->n_mac++], mac, 6);
}

/* The address, port and MAC of side s of the flow. */
static void side_addr(struct md_inv_obs *o, struct md_inv_dev *v, int s)
{
	const struct md_flow *f = o->f;
	if (!f)
		return;
	add_ip(o, v, s ? &f->key.b : &f->key.a, f->key.ip_ver);
	const struct md_packet *p = o->p;
	if (p && (p->flags & MD_PKT_HAS_ETH) && p->flow == f)
		add_mac(o, v, p->dir == s ? p->src_mac : p->dst_mac);
}

static void touch(struct md_inv_obs *o, struct md_inv_dev *v)
{
	if (!v->first_seen || o->now < v->first_seen)
		v->first_seen = o->now;
	if (o->now > v->last_seen)
		v->last_seen = o->now;
	if (v->gone) {
		v->gone = false;
		add_change(o, v, "status", "gone", "active");
	}
	if (o->pp)
		md_inv_proto(v, o->pp->name);
}

struct md_inv_dev *md_inv_bind(struct md_inv_obs *o, int side, const char *kind,
			       const char *id)
{
	struct md_inv_dev *v = md_inv_find(o->inv, id);
	bool created = false;
	if (!v) {
		v = md_inv_insert(o->inv, id, kind);
		if (!v)
			return NULL;
		created = true;
	}
	if (o->dev[side] && o->dev[side] != v)
		return v; /* side already bound: keep the first */
	o->dev[side] = v;
	o->was[side] = flags_of(v);
	o->is_new[side] |= created || !v->announced;
	touch(o, v);
	side_addr(o, v, side);
	return v;
}

struct md_inv_dev *md_inv_bind_extra(struct md_inv_obs *o, const char *kind,
				     const char *id, int via_side)
{
	struct md_inv_dev *v = md_inv_find(o->inv, id);
	if (!v && !(v = md_inv_insert(o->inv, id, kind)))
		return NULL;
	unsigned i = 0;
	while (i < o->n_extra && o->extra[i] != v)
		i++;
	if (i == o->n_extra) {
		if (i == sizeof(o->extra) / sizeof(o->extra[0]))
			return NULL;
		o->extra[o->n_extra++] = v;
		o->extra_new[i] = !v->announced;
	}
	touch(o, v);
	if (via_side >= 0 && o->dev[via_side])
		md_inv_peer(v, o->dev[via_side]);
	return v;
}

void md_inv_set(struct md_inv_obs *o, struct md_inv_dev *v, int attr,
		const uint8_t *p, size_t len)
{
	char val[MD_INV_VAL];
	if (!v || attr < 0 || attr >= MD_IA_MAX)
		return;
	md_inv_clean(val, sizeof(val), p, len);
	if (!val[0])
		return;
	char *cur = v->attr[attr];
	if (cur && !strcmp(cur, val))
		return;
	char *nv = md_strdup(val);
	if (!nv)
		return;
	if (cur && md_inv_attrs[attr].tracked && v->announced)
		add_change(o, v, md_inv_attrs[attr].name, cur, val);
	md_free(cur);
	v->attr[attr] = nv;
	if (attr == MD_IA_IMPL_UID && !v->attr[MD_IA_IMPLEMENTER]) {
		const char *who = md_inv_implementer(&o->inv->data, val);
		if (who)
			v->attr[MD_IA_IMPLEMENTER] = md_strdup(who);
	}
}

void md_inv_role(struct md_inv_dev *v, unsigned role)
{
	if (v)
		v->roles |= (uint16_t)role;
}

void md_inv_proto(struct md_inv_dev *v, const char *proto)
{
	if (!v || !proto)
		return;
	for (uint8_t i = 0; i < v->n_protos; i++)
		if (!strcmp(v->protos[i], proto))
			return;
	if (v->n_protos < MD_INV_PROTOS)
		v->protos[v->n_protos++] = proto;
}

void md_inv_port(struct md_inv_dev *v, uint16_t port)
{
	if (!v || !port)
		return;
	for (uint8_t i = 0; i < v->n_ports; i++)
		if (v->ports[i] == port)
			return;
	if (v->n_ports < MD_INV_PORTS)
		v->ports[v->n_ports++] = port;
}

static void peer_one(struct md_inv_dev *a, const struct md_inv_dev *b)
{
	for (uint8_t i = 0; i < a->n_peers; i++)
		if (!strcmp(a->peers[i], b->id))
			return;
	char *s = a->n_peers < MD_INV_PEERS ? md_strdup(b->id) : NULL;
	if (s)
		a->peers[a->n_peers++] = s;
	else
		a->peers_dropped++;
}

void md_inv_peer(struct md_inv_dev *a, struct md_inv_dev *b)
{
	if (!a || !b || a == b)
		return;
	peer_one(a, b);
	peer_one(b, a);
}

/* ---- vulnerabilities ----------------------------------------------- */

/* Whether advisory id no longer applies to v: the table has it and none
 * of its entries matches (an id the table lacks is kept). */
static bool vuln_stale(const struct md_inventory *inv,
		       const struct md_inv_dev *v, const char *id)
{
	bool known = false;
	for (size_t i = 0; i < inv->data.n_adv; i++) {
		if (strcmp(inv->data.adv[i].id, id))
			continue;
		if (md_inv_advisory_match(&inv->data.adv[i], v))
			return false;
		known = true;
	}
	return known;
}

/* Drop the advisories that no longer apply to v (an upgrade), add those
 * that now do; returns true when any was added. */
static bool check_vulns(struct md_inventory *inv, struct md_inv_dev *v)
{
	bool added = false;
	uint8_t n = 0;
	for (uint8_t k = 0; k < v->n_vulns; k++)
		if (!vuln_stale(inv, v, v->vulns[k].id))
			v->vulns[n++] = v->vulns[k];
	v->n_vulns = n;
	for (uint8_t k = 0; k < n; k++) /* the value matching now */
		for (size_t i = 0; i < inv->data.n_adv; i++)
			if (!strcmp(inv->data.adv[i].id, v->vulns[k].id) &&
			    md_inv_advisory_match(&inv->data.adv[i], v))
				snprintf(
				    v->vulns[k].matched,
				    sizeof(v->vulns[k].matched), "%s %s",
				    md_inv_attrs[inv->data.adv[i].attr].name,
				    v->attr[inv->data.adv[i].attr]);
	for (size_t i = 0; i < inv->data.n_adv; i++) {
		const struct md_inv_advisory *a = &inv->data.adv[i];
		if (!md_inv_advisory_match(a, v))
			continue;
		uint8_t k = 0;
		while (k < v->n_vulns && strcmp(v->vulns[k].id, a->id))
			k++;
		if (k < v->n_vulns || v->n_vulns == MD_INV_VULNS)
			continue;
		struct md_inv_vuln *u = &v->vulns[v->n_vulns++];
		snprintf(u->id, sizeof(u->id), "%s", a->id);
		u->desc = a->desc;
		snprintf(u->matched, sizeof(u->matched), "%s %s",
			 md_inv_attrs[a->attr].name, v->attr[a->attr]);
		added = true;
	}
	return added;
}

/* ---- events ---------------------------------------------------------- */

static void write_event(struct md_inventory *inv, const struct md_flow *f,
			const struct md_packet *p, const struct md_inv_dev *v,
			const char *ev, const struct md_inv_change *ch,
			unsigned n_ch, struct md_inv_emit *out)
{
	char buf[4096];
	struct md_jb jb;
	md_jb_init_buf(&jb, buf, sizeof(buf));
	md_eve_jb_header(&jb, "inventory", inv->now, f,
			 p && f && p->flow == f ? p : NULL, -1);
	md_jb_open(&jb, "inventory");
	md_jb_str(&jb, "event", ev);
	md_inv_dev_jb(&jb, "device", v, false);
	if (n_ch) {
		md_jb_open_array(&jb, "changes");
		for (unsigned i = 0; i < n_ch; i++) {
			md_jb_open(&jb, NULL);
			md_jb_str(&jb, "field", ch[i].field);
			md_jb_str(&jb, "old", ch[i].old);
			md_jb_str(&jb, "new", ch[i].new_);
			md_jb_close(&jb);
		}
		md_jb_close_array(&jb);
	}
	md_jb_close(&jb);
	md_jb_close(&jb);
	md_eve_write_jb(inv->eve, MD_EVE_INVENTORY, &jb);
	md_jb_free(&jb);
	inv->events++;
	if (out && out->n < MD_INV_MAX_EMIT) {
		struct md_tx *tx = md_inv_device_tx(inv, v, ev, ch, n_ch);
		if (tx)
			out->tx[out->n++] = tx;
	}
}

/* Security flags a transaction newly raised on v (credentials or patient
 * data in clear, TLS) are changes too: the SIEM learns them as they
 * happen. `was` holds the flags before the transaction. */
static void flag_changes(struct md_inv_obs *o, struct md_inv_dev *v,
			 unsigned was)
{
	if (!v->announced)
		return;
	if (v->tls && !(was & 1))
		add_change(o, v, "tls", "false", "true");
	if (v->creds_clear && !(was & 2))
		add_change(o, v, "credentials_in_clear", "false", "true");
	if (v->phi_clear && !(was & 4))
		add_change(o, v, "phi_in_clear", "false", "true");
}

/* The events of one device after a transaction merged into it. */
static void device_events(struct md_inv_obs *o, struct md_inv_dev *v,
			  bool is_new, const struct md_inv_change *ch,
			  unsigned n_ch, struct md_inv_emit *out)
{
	bool vuln = check_vulns(o->inv, v);
	if (is_new) {
		v->announced = true;
		write_event(o->inv, o->f, o->p, v, "new", NULL, 0, out);
	} else if (n_ch) {
		write_event(o->inv, o->f, o->p, v, "changed", ch, n_ch, out);
	}
	if (vuln)
		write_event(o->inv, o->f, o->p, v, "vulnerable", NULL, 0, out);
}

/* ---- flows ----------------------------------------------------------- */

static struct md_inv_flowlink *flowlink(struct md_inventory *inv,
					const struct md_flow *f, bool create)
{
	if (!f || !f->flow_id)
		return NULL;
	struct md_inv_flowlink *l =
	    &inv->flows[(f->flow_id ^ (f->flow_id >> 29)) % MD_INV_FLOWMAP];
	if (l->flow_id == f->flow_id)
		return l;
	if (!create)
		return NULL;
	memset(l, 0, sizeof(*l)); /* evicts an older flow's link */
	l->flow_id = f->flow_id;
	return l;
}

void md_inventory_flow_end(struct md_inventory *inv, const struct md_flow *f)
{
	if (!inv)
		return;
	pthread_mutex_lock(&inv->lock);
	struct md_inv_flowlink *l = flowlink(inv, f, false);
	if (l)
		memset(l, 0, sizeof(*l));
	pthread_mutex_unlock(&inv->lock);
}

/* ---- API ------------------------------------------------------------- */

void md_inventory_tx(struct md_inventory *inv, const struct md_flow *f,
		     const struct md_packet *p, const struct md_parser *pp,
		     const struct md_tx *tx, uint64_t now_usec,
		     struct md_inv_emit *out)
{
	if (!inv || !pp || !tx)
		return;
	pthread_mutex_lock(&inv->lock);
	if (now_usec > inv->now)
		inv->now = now_usec;
	struct md_inv_obs o = {
	    .inv = inv, .f = f, .p = p, .pp = pp, .tx = tx, .now = inv->now};
	struct md_inv_flowlink *l = flowlink(inv, f, false);
	md_inv_extract(&o, tx->pid);
	for (int s = 0; s < 2; s++)
		if (o.dev[s])
			flag_changes(&o, o.dev[s], o.was[s]);
	if (o.dev[0] && o.dev[1])
		md_inv_peer(o.dev[0], o.dev[1]);
	if ((o.dev[0] || o.dev[1]) && (l || (l = flowlink(inv, f, true)))) {
		for (int s = 0; s < 2; s++)
			if (o.dev[s])
				l->dev[s] = o.dev[s];
	}
	for (int s = 0; s < 2; s++)
		if (o.dev[s] && (s == 0 || o.dev[1] != o.dev[0]))
			device_events(&o, o.dev[s], o.is_new[s], o.ch[s],
				      o.n_ch[s], out);
	for (unsigned i = 0; i < o.n_extra; i++)
		device_events(&o, o.extra[i], o.extra_new[i], NULL, 0, out);
	pthread_mutex_unlock(&inv->lock);
}

/* Devices of flow f bound by an earlier transaction (association). */
void md_inv_flow_devices(struct md_inv_obs *o)
{
	struct md_inv_flowlink *l = flowlink(o->inv, o->f, false);
	for (int s = 0; l && s < 2; s++)
		if (!o->dev[s] && l->dev[s]) {
			o->dev[s] = l->dev[s];
			o->was[s] = flags_of(l->dev[s]);
			touch(o, l->dev[s]);
		}
}

void md_inventory_tick(struct md_inventory *inv, uint64_t now_usec,
		       struct md_inv_emit *out)
{
	if (!inv)
		return;
	uint64_t after = (uint64_t)inv->cfg.gone_after * 1000000u;
	uint64_t every = after < 60000000u ? after : 60000000u;
	if (now_usec < inv->last_check + every || !after)
		return;
	pthread_mutex_lock(&inv->lock);
	if (now_usec > inv->now)
		inv->now = now_usec;
	inv->last_check = now_usec;
	for (struct md_inv_dev *v = inv->head; v; v = v->next) {
		if (v->gone || !v->announced || v->last_seen + after > inv->now)
			continue;
		v->gone = true;
		write_event(inv, NULL, NULL, v, "gone", NULL, 0, out);
	}
	pthread_mutex_unlock(&inv->lock);
}

void md_inventory_emit_free(struct md_inventory *inv, struct md_inv_emit *out)
{
	for (unsigned i = 0; inv && i < out->n; i++)
		md_tx_free(&inv->tx_mc, out->tx[i]);
	out->n = 0;
}

void md_inventory_field_use(const struct md_inventory *inv,
			    const struct md_parser *pp, struct md_field_use *u)
{
	int pid = inv ? md_registry_find(pp->name) : -1;
	if (pid < 0)
		return;
	for (size_t i = 0; i < pp->n_fields; i++) {
		if (!md_inv_fields_used(inv, pid, i) &&
		    !(pp->fields[i].flags & MD_FF_PHI))
			continue;
		u[i].used = true;
		if (pp->fields[i].flags & MD_FF_ARG)
			u[i].all_args = true;
	}
}

static void path_in(char *out, size_t len, const char *dir, const char *f)
{
	if (!f[0] || f[0] == '/')
		snprintf(out, len, "%s", f);
	else
		snprintf(out, len, "%s/%s", dir, f);
}

/* The data files; a missing one means no implementers / advisories
 * (inventory.json tells how many were loaded), a malformed one is an
 * error. */
static int load_data(struct md_inventory *inv, const char *rule_dir, char *err,
		     size_t errlen)
{
	char path[1100];
	int rc = 0;
	path_in(path, sizeof(path), rule_dir, inv->cfg.implementers);
	if (path[0] && access(path, F_OK) == 0)
		rc = md_inv_data_implementers(&inv->data, path, err, errlen);
	path_in(path, sizeof(path), rule_dir, inv->cfg.advisories);
	if (!rc && path[0] && access(path, F_OK) == 0)
		rc = md_inv_data_advisories(&inv->data, path, err, errlen);
	return rc;
}

int md_inventory_new(struct md_inventory **out,
		     const struct md_inventory_cfg *cfg, const char *log_dir,
		     const char *rule_dir, struct md_eve *eve, char *err,
		     size_t errlen)
{
	struct md_inventory *inv = md_calloc(1, sizeof(*inv));
	*out = NULL;
	if (!inv) {
		snprintf(err, errlen, "inventory: out of memory");
		return MD_E_NOMEM;
	}
	inv->cfg = *cfg;
	inv->eve = eve;
	inv->next_txid = 1ull << 62;
	pthread_mutex_init(&inv->lock, NULL);
	path_in(inv->snapshot_path, sizeof(inv->snapshot_path), log_dir,
		cfg->snapshot);
	path_in(inv->state_path, sizeof(inv->state_path), log_dir,
		cfg->state_file);
	int rc = load_data(inv, rule_dir, err, errlen);
	if (!rc)
		rc = md_inv_fields_init(inv);
	if (!rc && md_inv_state_load(inv, err, errlen)) {
		/* A damaged state file must not stop the sensor: keep it
		 * aside and start empty. */
		char bad[1200];
		snprintf(bad, sizeof(bad), "%s.bad", inv->state_path);
		fprintf(stderr, "medids: %s; kept as %s, starting empty\n", err,
			rename(inv->state_path, bad) ? "(not renamed)" : bad);
	}
	if (rc) {
		if (rc == MD_E_NOMEM)
			snprintf(err, errlen, "inventory: out of memory");
		md_inventory_free(inv);
		return rc;
	}
	*out = inv;
	return 0;
}

void md_inventory_free(struct md_inventory *inv)
{
	if (!inv)
		return;
	struct md_inv_dev *v = inv->head;
	while (v) {
		struct md_inv_dev *n = v->next;
		for (int a = 0; a < MD_IA_MAX; a++)
			md_free(v->attr[a]);
		for (uint8_t i = 0; i < v->n_peers; i++)
			md_free(v->peers[i]);
		md_free(v);
		v = n;
	}
	md_inv_fields_fini(inv);
	md_inv_data_fini(&inv->data);
	pthread_mutex_destroy(&inv->lock);
	md_free(inv);
}

int md_inventory_snapshot(struct md_inventory *inv)
{
	if (!inv || !inv->snapshot_path[0])
		return 0;
	pthread_mutex_lock(&inv->lock);
	int rc = md_inv_write_file(inv, inv->snapshot_path, false);
	pthread_mutex_unlock(&inv->lock);
	return rc;
}

int md_inventory_save(struct md_inventory *inv)
{
	if (!inv || !inv->state_path[0])
		return 0;
	pthread_mutex_lock(&inv->lock);
	int rc = md_inv_write_file(inv, inv->state_path, true);
	pthread_mutex_unlock(&inv->lock);
	return rc;
}

uint64_t md_inventory_count(const struct md_inventory *inv)
{
	return inv ? inv->count : 0;
}

uint64_t md_inventory_dropped(const struct md_inventory *inv)
{
	return inv ? inv->dropped : 0;
}
