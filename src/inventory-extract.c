/* inventory-extract.c - what each protocol's transactions reveal about
 * the devices at both ends, found by protocol and field NAME.
 *
 * The names below are looked up in each registered parser's field table
 * once (md_inv_fields_init); a name a parser does not have yields nothing,
 * so a parser can evolve (or arrive later) without touching this file.
 *
 *   protocol   identity (device id)            attributes
 *   dicom      calling/called AE + IP          implementation class UID
 *                                              and version (A-ASSOCIATE)
 *              Manufacturer|Model|Serial       SoftwareVersions, Modality,
 *              of request data sets            StationName (equipment)
 *   hl7        MSH-3|MSH-4 sender, MSH-5|MSH-6 PRT-16 UDI, OBX-18
 *              receiver
 *   ieee11073  agent system-id, manager's      ID_MODEL, PROD_SPECN,
 *                                              specializations
 *   sdc        endpoint reference (EPR)        ThisModel, ThisDevice,
 *                                              XAddrs
 *   tls        (none: marks devices at the flow's addresses)
 */
#include "inventory-int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "registry.h"

enum slot {
	S_DCM_TYPE = 0,
	S_DCM_CALLING,
	S_DCM_CALLED,
	S_DCM_IMPL_UID,
	S_DCM_IMPL_VER,
	S_DCM_AC_IMPL_UID,
	S_DCM_AC_IMPL_VER,
	S_DCM_RESULT,
	S_DCM_UI_TYPE,
	S_DCM_MANUF,
	S_DCM_MODEL,
	S_DCM_SW,
	S_DCM_SERIAL,
	S_DCM_MODALITY,
	S_DCM_STATION,
	S_HL7_SAPP,
	S_HL7_SFAC,
	S_HL7_RAPP,
	S_HL7_RFAC,
	S_HL7_UDI,
	S_HL7_EQUIP,
	S_X73_SYSID,
	S_X73_MANUF,
	S_X73_MODEL,
	S_X73_SERIAL,
	S_X73_FW,
	S_X73_SW,
	S_X73_HW,
	S_X73_SPEC,
	S_X73_INVOKER,
	S_X73_SYSTYPE,
	S_X73_MGR_SYSID,
	S_SDC_EPR,
	S_SDC_XADDRS,
	S_SDC_MANUF,
	S_SDC_MODEL,
	S_SDC_MODELNO,
	S_SDC_FW,
	S_SDC_SERIAL,
	S_SDC_FRIENDLY,
	S_SDC_MESSAGE,
	S_SDC_TRANSPORT,
	S_MAX
};

/* The fields read, by protocol and name (doc/inventory.md lists them). */
static const struct {
	const char *proto, *field;
	int slot;
} names[] = {
    {"dicom", "type", S_DCM_TYPE},
    {"dicom", "calling_ae", S_DCM_CALLING},
    {"dicom", "called_ae", S_DCM_CALLED},
    {"dicom", "implementation_class_uid", S_DCM_IMPL_UID},
    {"dicom", "implementation_version", S_DCM_IMPL_VER},
    {"dicom", "ac.implementation_class_uid", S_DCM_AC_IMPL_UID},
    {"dicom", "ac.implementation_version", S_DCM_AC_IMPL_VER},
    {"dicom", "ac.result", S_DCM_RESULT},
    {"dicom", "user_identity.type", S_DCM_UI_TYPE},
    {"dicom", "rq.manufacturer", S_DCM_MANUF},
    {"dicom", "rq.manufacturer_model_name", S_DCM_MODEL},
    {"dicom", "rq.software_versions", S_DCM_SW},
    {"dicom", "rq.device_serial_number", S_DCM_SERIAL},
    {"dicom", "rq.modality", S_DCM_MODALITY},
    {"dicom", "rq.station_name", S_DCM_STATION},
    {"hl7", "sending_application", S_HL7_SAPP},
    {"hl7", "sending_facility", S_HL7_SFAC},
    {"hl7", "receiving_application", S_HL7_RAPP},
    {"hl7", "receiving_facility", S_HL7_RFAC},
    {"hl7", "prt_udi", S_HL7_UDI},
    {"hl7", "obx_equipment", S_HL7_EQUIP},
    {"ieee11073", "system_id", S_X73_SYSID},
    {"ieee11073", "manufacturer", S_X73_MANUF},
    {"ieee11073", "model", S_X73_MODEL},
    {"ieee11073", "serial_number", S_X73_SERIAL},
    {"ieee11073", "firmware", S_X73_FW},
    {"ieee11073", "sw_revision", S_X73_SW},
    {"ieee11073", "hw_revision", S_X73_HW},
    {"ieee11073", "specializations", S_X73_SPEC},
    {"ieee11073", "invoker", S_X73_INVOKER},
    {"ieee11073", "system_type", S_X73_SYSTYPE},
    {"ieee11073", "manager_system_id", S_X73_MGR_SYSID},
    {"sdc", "epr", S_SDC_EPR},
    {"sdc", "xaddrs", S_SDC_XADDRS},
    {"sdc", "manufacturer", S_SDC_MANUF},
    {"sdc", "model", S_SDC_MODEL},
    {"sdc", "model_number", S_SDC_MODELNO},
    {"sdc", "firmware", S_SDC_FW},
    {"sdc", "serial_number", S_SDC_SERIAL},
    {"sdc", "friendly_name", S_SDC_FRIENDLY},
    {"sdc", "message", S_SDC_MESSAGE},
    {"sdc", "transport", S_SDC_TRANSPORT},
};

/* Per parser id: the slot of each field, or -1. */
struct md_inv_fields {
	size_t n;
	int8_t slot[];
};

int md_inv_fields_init(struct md_inventory *inv)
{
	for (size_t pid = 0; pid < md_registry_count() && pid < 32; pid++) {
		const struct md_parser *pp = md_registry_get(pid);
		struct md_inv_fields *t =
		    md_calloc(1, sizeof(*t) + pp->n_fields + 1);
		if (!t)
			return MD_E_NOMEM;
		t->n = pp->n_fields;
		memset(t->slot, -1, pp->n_fields);
		for (size_t i = 0; i < pp->n_fields; i++)
			for (size_t k = 0; k < sizeof(names) / sizeof(names[0]);
			     k++)
				if (!strcmp(names[k].proto, pp->name) &&
				    !strcmp(names[k].field, pp->fields[i].name))
					t->slot[i] = (int8_t)names[k].slot;
		inv->fields[pid] = t;
	}
	return 0;
}

void md_inv_fields_fini(struct md_inventory *inv)
{
	for (size_t i = 0; i < 32; i++) {
		md_free(inv->fields[i]);
		inv->fields[i] = NULL;
	}
}

bool md_inv_fields_used(const struct md_inventory *inv, int pid, size_t i)
{
	const struct md_inv_fields *t =
	    pid >= 0 && pid < 32 ? inv->fields[pid] : NULL;
	return t && i < t->n && t->slot[i] >= 0;
}

/* ---- helpers --------------------------------------------------------- */

struct ctx {
	struct md_inv_obs *o;
	const struct md_tx_val *sv[S_MAX];
	char s[S_MAX][MD_INV_VAL]; /* cleaned text of string slots */
};

static const char *txt(const struct ctx *c, int slot)
{
	return c->s[slot][0] ? c->s[slot] : NULL;
}

static void set(struct ctx *c, struct md_inv_dev *v, int attr, int slot)
{
	if (txt(c, slot))
		md_inv_set(c->o, v, attr, (const uint8_t *)c->s[slot],
			   strlen(c->s[slot]));
}

static void side_ip(const struct md_inv_obs *o, int side, char *buf, size_t len)
{
	const struct md_flow *f = o->f;
	buf[0] = 0;
	if (f &&
	    !inet_ntop(f->key.ip_ver == 6 ? AF_INET6 : AF_INET,
		       side ? f->key.b.b : f->key.a.b, buf, (socklen_t)len))
		buf[0] = 0;
}

static struct md_inv_dev *bind_side(struct ctx *c, int side, const char *kind,
				    const char *id)
{
	struct md_inv_dev *v = md_inv_bind(c->o, side, kind, id);
	const struct md_flow *f = c->o->f;
	if (v && side == 1 && f && f->key.proto == 6)
		md_inv_port(v, f->key.bp);
	return v;
}

/* The side that sent the transaction's first message. */
static int opener(const struct md_inv_obs *o)
{
	return o->tx->dir == MD_DIR_TOCLIENT ? 1 : 0;
}

/* ---- DICOM ----------------------------------------------------------- */

static void dicom_assoc(struct ctx *c)
{
	char ip[64], id[MD_INV_KEY];
	struct md_inv_dev *v;
	if (txt(c, S_DCM_CALLING)) {
		side_ip(c->o, 0, ip, sizeof(ip));
		snprintf(id, sizeof(id), "dicom:%s@%s", txt(c, S_DCM_CALLING),
			 ip);
		if ((v = bind_side(c, 0, "dicom-ae", id))) {
			set(c, v, MD_IA_AE, S_DCM_CALLING);
			set(c, v, MD_IA_IMPL_UID, S_DCM_IMPL_UID);
			set(c, v, MD_IA_IMPL_VERSION, S_DCM_IMPL_VER);
			md_inv_role(v, MD_IR_SCU);
			if (c->sv[S_DCM_UI_TYPE])
				v->creds_clear = true;
		}
	}
	/* The called AE exists only when the association was accepted. */
	const char *res = txt(c, S_DCM_RESULT);
	if (txt(c, S_DCM_CALLED) && res && !strcmp(res, "accepted")) {
		side_ip(c->o, 1, ip, sizeof(ip));
		snprintf(id, sizeof(id), "dicom:%s@%s", txt(c, S_DCM_CALLED),
			 ip);
		if ((v = bind_side(c, 1, "dicom-ae", id))) {
			set(c, v, MD_IA_AE, S_DCM_CALLED);
			set(c, v, MD_IA_IMPL_UID, S_DCM_AC_IMPL_UID);
			set(c, v, MD_IA_IMPL_VERSION, S_DCM_AC_IMPL_VER);
			md_inv_role(v, MD_IR_SCP);
		}
	}
}

/* Request data sets describe the equipment that made the instance: their
 * own record, linked to the AE that sent it. */
static void dicom_dataset(struct ctx *c)
{
	const char *mf = txt(c, S_DCM_MANUF), *md = txt(c, S_DCM_MODEL);
	const char *sn = txt(c, S_DCM_SERIAL), *st = txt(c, S_DCM_STATION);
	char id[MD_INV_KEY];
	if (!mf && !md && !sn)
		return;
	snprintf(id, sizeof(id), "dicom-equipment:%s|%s|%s", mf ? mf : "",
		 md ? md : "", sn ? sn : (st ? st : ""));
	struct md_inv_dev *v =
	    md_inv_bind_extra(c->o, "dicom-equipment", id, opener(c->o));
	if (!v)
		return;
	set(c, v, MD_IA_VENDOR, S_DCM_MANUF);
	set(c, v, MD_IA_MODEL, S_DCM_MODEL);
	set(c, v, MD_IA_SW, S_DCM_SW);
	set(c, v, MD_IA_SERIAL, S_DCM_SERIAL);
	set(c, v, MD_IA_MODALITY, S_DCM_MODALITY);
	set(c, v, MD_IA_STATION, S_DCM_STATION);
	md_inv_role(v, MD_IR_EQUIPMENT);
}

static void dicom(struct ctx *c)
{
	if (txt(c, S_DCM_CALLING) || txt(c, S_DCM_CALLED))
		dicom_assoc(c);
	else
		md_inv_flow_devices(c->o);
	dicom_dataset(c);
}

/* ---- HL7 ------------------------------------------------------------- */

static struct md_inv_dev *hl7_app(struct ctx *c, int side, int app, int fac)
{
	char id[MD_INV_KEY];
	if (!txt(c, app) && !txt(c, fac))
		return NULL;
	snprintf(id, sizeof(id), "hl7:%s|%s", txt(c, app) ? txt(c, app) : "",
		 txt(c, fac) ? txt(c, fac) : "");
	struct md_inv_dev *v = bind_side(c, side, "hl7-application", id);
	set(c, v, MD_IA_HL7_APP, app);
	set(c, v, MD_IA_HL7_FAC, fac);
	return v;
}

static void hl7(struct ctx *c)
{
	int s = opener(c->o);
	struct md_inv_dev *v = hl7_app(c, s, S_HL7_SAPP, S_HL7_SFAC);
	md_inv_role(v, MD_IR_SENDER);
	set(c, v, MD_IA_UDI, S_HL7_UDI);
	set(c, v, MD_IA_EQUIPMENT, S_HL7_EQUIP);
	md_inv_role(hl7_app(c, !s, S_HL7_RAPP, S_HL7_RFAC), MD_IR_RECEIVER);
}

/* ---- IEEE 11073-20601 ------------------------------------------------- */

static void x73(struct ctx *c)
{
	const char *inv = txt(c, S_X73_INVOKER), *st = txt(c, S_X73_SYSTYPE);
	int s = opener(c->o), agent = 0;
	char id[MD_INV_KEY];
	if ((inv && !strcmp(inv, "agent")) || (st && !strcmp(st, "agent")))
		agent = s;
	else if ((inv && !strcmp(inv, "manager")) ||
		 (st && !strcmp(st, "manager")))
		agent = !s;
	struct md_inv_dev *v = NULL;
	if (txt(c, S_X73_SYSID)) {
		snprintf(id, sizeof(id), "ieee11073:%s", txt(c, S_X73_SYSID));
		v = bind_side(c, agent, "ieee11073-agent", id);
		set(c, v, MD_IA_SYSTEM_ID, S_X73_SYSID);
	}
	if (txt(c, S_X73_MGR_SYSID)) {
		snprintf(id, sizeof(id), "ieee11073:%s",
			 txt(c, S_X73_MGR_SYSID));
		struct md_inv_dev *m =
		    bind_side(c, !agent, "ieee11073-manager", id);
		set(c, m, MD_IA_SYSTEM_ID, S_X73_MGR_SYSID);
		md_inv_role(m, MD_IR_MANAGER);
	}
	md_inv_flow_devices(c->o);
	v = c->o->dev[agent];
	if (!v || v->kind != md_inv_kind("ieee11073-agent"))
		return;
	md_inv_role(v, MD_IR_AGENT);
	set(c, v, MD_IA_VENDOR, S_X73_MANUF);
	set(c, v, MD_IA_MODEL, S_X73_MODEL);
	set(c, v, MD_IA_SERIAL, S_X73_SERIAL);
	set(c, v, MD_IA_FW, S_X73_FW);
	set(c, v, MD_IA_SW, S_X73_SW);
	set(c, v, MD_IA_HW, S_X73_HW);
	if (c->sv[S_X73_SPEC]) {
		char n[24];
		snprintf(n, sizeof(n), "%llu",
			 (unsigned long long)c->sv[S_X73_SPEC]->u);
		md_inv_set(c->o, v, MD_IA_SPECIALIZATION, (const uint8_t *)n,
			   strlen(n));
	}
}

/* ---- SDC (IEEE 11073-20701, WS-Discovery / SOAP) ----------------------- */

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

/* The provider's side: the sender of discovery announcements and of
 * reports; the HTTP server of every other SOAP exchange. */
static int sdc_provider_side(const struct ctx *c, bool *http)
{
	const char *m = txt(c, S_SDC_MESSAGE), *tr = txt(c, S_SDC_TRANSPORT);
	int s = opener(c->o);
	*http = tr && !strcmp(tr, "http");
	if (!*http || (m && ends_with(m, "Report")))
		return s;
	return !s;
}

static struct md_inv_dev *sdc_by_addr(struct ctx *c, int side)
{
	char ip[64], want[80];
	const struct md_flow *f = c->o->f;
	if (!f)
		return NULL;
	side_ip(c->o, side, ip, sizeof(ip));
	snprintf(want, sizeof(want), f->key.ip_ver == 6 ? "[%s]:%u" : "%s:%u",
		 ip, side ? f->key.bp : f->key.ap);
	for (struct md_inv_dev *v = c->o->inv->head; v; v = v->next)
		if (v->kind == md_inv_kind("sdc-device") &&
		    v->attr[MD_IA_XADDRS] &&
		    strstr(v->attr[MD_IA_XADDRS], want))
			return v;
	return NULL;
}

static void sdc(struct ctx *c)
{
	bool http;
	int ps = sdc_provider_side(c, &http);
	char id[MD_INV_KEY], ip[64];
	struct md_inv_dev *v = NULL;
	const char *m = txt(c, S_SDC_MESSAGE);
	bool announce =
	    !http && m &&
	    (!strcmp(m, "Hello") || !strcmp(m, "Bye") ||
	     !strcmp(m, "ProbeMatches") || !strcmp(m, "ResolveMatches"));
	if (txt(c, S_SDC_EPR) && (http || announce)) {
		snprintf(id, sizeof(id), "sdc:%s", txt(c, S_SDC_EPR));
		v = bind_side(c, ps, "sdc-device", id);
	} else if (http) {
		md_inv_flow_devices(c->o);
		v = c->o->dev[ps];
		if (!v && (v = sdc_by_addr(c, ps)))
			v = bind_side(c, ps, v->kind, v->id);
	}
	if (!v || v->kind != md_inv_kind("sdc-device"))
		return;
	md_inv_role(v, MD_IR_PROVIDER);
	set(c, v, MD_IA_EPR, S_SDC_EPR);
	set(c, v, MD_IA_XADDRS, S_SDC_XADDRS);
	set(c, v, MD_IA_VENDOR, S_SDC_MANUF);
	set(c, v, MD_IA_MODEL,
	    txt(c, S_SDC_MODEL) ? S_SDC_MODEL : S_SDC_MODELNO);
	set(c, v, MD_IA_FW, S_SDC_FW);
	set(c, v, MD_IA_SERIAL, S_SDC_SERIAL);
	set(c, v, MD_IA_FRIENDLY, S_SDC_FRIENDLY);
	if (!http)
		return;
	side_ip(c->o, !ps, ip, sizeof(ip));
	snprintf(id, sizeof(id), "sdc-consumer@%s", ip);
	md_inv_role(bind_side(c, !ps, "sdc-consumer", id), MD_IR_CONSUMER);
}

/* ---- TLS: mark the devices at the flow's addresses -------------------- */

static void tls(struct md_inv_obs *o)
{
	const struct md_flow *f = o->f;
	if (!f)
		return;
	for (struct md_inv_dev *v = o->inv->head; v; v = v->next)
		for (uint8_t i = 0; i < v->n_ip; i++) {
			const struct md_addr *a = &v->ip[i];
			bool srv = !memcmp(a, &f->key.b, sizeof(*a));
			if (v->ipver[i] != f->key.ip_ver ||
			    (!srv && memcmp(a, &f->key.a, sizeof(*a))))
				continue;
			v->tls = true;
			md_inv_proto(v, "tls");
			if (srv && f->key.proto == 6)
				md_inv_port(v, f->key.bp);
			break;
		}
}

/* ---- PHI in clear ---------------------------------------------------- */

/* A patient-data field (MD_FF_PHI) with a value marks its sender: the
 * opener of the transaction, or the responder for DICOM response data
 * sets ("match." fields). */
static void phi(struct ctx *c)
{
	const struct md_parser *pp = c->o->pp;
	for (const struct md_tx_val *v = c->o->tx->vals; v; v = v->next) {
		if (v->is_group || v->field >= pp->n_fields ||
		    !(pp->fields[v->field].flags & MD_FF_PHI) || !v->len)
			continue;
		int s = opener(c->o);
		if (!strncmp(pp->fields[v->field].name, "match.", 6))
			s = !s;
		if (c->o->dev[s])
			c->o->dev[s]->phi_clear = true;
	}
}

void md_inv_extract(struct md_inv_obs *o, int pid)
{
	const struct md_inv_fields *t =
	    pid >= 0 && pid < 32 ? o->inv->fields[pid] : NULL;
	if (!t)
		return;
	if (!strcmp(o->pp->name, "tls")) {
		tls(o);
		return;
	}
	struct ctx c = {.o = o};
	for (const struct md_tx_val *v = o->tx->vals; v; v = v->next) {
		if (v->is_group || v->field >= t->n || t->slot[v->field] < 0)
			continue;
		int s = t->slot[v->field];
		if (c.sv[s])
			continue; /* the first value of a field counts */
		c.sv[s] = v;
		md_inv_clean(c.s[s], sizeof(c.s[s]), md_tx_val_bytes(v),
			     v->len);
	}
	const char *name = o->pp->name;
	if (!strcmp(name, "dicom"))
		dicom(&c);
	else if (!strcmp(name, "hl7"))
		hl7(&c);
	else if (!strcmp(name, "ieee11073"))
		x73(&c);
	else if (!strcmp(name, "sdc"))
		sdc(&c);
	phi(&c);
}
