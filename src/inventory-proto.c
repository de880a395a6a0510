/* inventory-proto.c - the "device" protocol: inventory facts as rule
 * keywords (device.vendor, device.software_version, device.new, ...).
 *
 * It has no wire format: its parser never claims a flow (no transport,
 * probe says no). When the inventory writes a lifecycle event it builds a
 * transaction of this protocol for the device and the engine runs the
 * transaction rules on it with the flow that revealed the device (no flow
 * for `gone`); alerts carry the device object, no "device" app record is
 * written. Field i < MD_IA_MAX is attribute i of md_inv_attrs.
 */
#include "inventory-int.h"

#include <string.h>

#include "registry.h"

enum {
	DF_EVENT = MD_IA_MAX,
	DF_NEW,
	DF_CHANGED,
	DF_GONE,
	DF_VULNERABLE,
	DF_ID,
	DF_KIND,
	DF_ADVISORY,
	DF_CHANGED_FIELD,
	DF_ROLE,
	DF_PROTOCOL,
	DF_TLS,
	DF_CREDS,
	DF_PHI,
	DF_MAX
};

#define B		  MD_DIR_BOTH
#define S		  MD_FT_STR
#define BOOLF		  MD_FT_BOOL
#define M		  MD_FF_MULTI
#define A(id, name, desc) [MD_IA_##id] = {name, NULL, S, B, 0, -1, 0, desc}

static const struct md_field_def fields[DF_MAX] = {
    A(VENDOR, "vendor", "manufacturer (DICOM, 11073, DPWS)"),
    A(MODEL, "model", "model name"),
    A(SW, "software_version",
      "software version (DICOM SoftwareVersions, 11073 sw-revision)"),
    A(FW, "firmware_version", "firmware version (11073, DPWS)"),
    A(HW, "hardware_version", "hardware revision (11073)"),
    A(SERIAL, "serial_number", "serial number"),
    A(MODALITY, "modality", "DICOM modality"),
    A(SPECIALIZATION, "specialization", "11073 device specialization code"),
    A(STATION, "station_name", "DICOM station name"),
    A(FRIENDLY, "friendly_name", "DPWS friendly name"),
    A(AE, "ae_title", "DICOM AE title"),
    A(IMPL_UID, "implementation_class_uid", "DICOM implementation class UID"),
    A(IMPL_VERSION, "implementation_version",
      "DICOM implementation version name"),
    A(IMPLEMENTER, "implementer",
      "implementer of the class UID (rules/dicom-implementers)"),
    A(HL7_APP, "hl7_application", "HL7 application (MSH-3 or MSH-5)"),
    A(HL7_FAC, "hl7_facility", "HL7 facility (MSH-4 or MSH-6)"),
    A(SYSTEM_ID, "system_id", "11073 system-id (EUI-64)"),
    A(EPR, "epr", "SDC endpoint reference"),
    A(UDI, "udi", "HL7 PRT-16 UDI"),
    A(EQUIPMENT, "equipment_id", "HL7 OBX-18 equipment instance identifier"),
    A(XADDRS, "xaddrs", "SDC transport addresses"),
    [DF_EVENT] = {"event", NULL, S, B, 0, -1, 0,
		  "new, changed, gone or vulnerable"},
    [DF_NEW] = {"new", NULL, BOOLF, B, 0, -1, 0, "first time seen"},
    [DF_CHANGED] = {"changed", NULL, BOOLF, B, 0, -1, 0,
		    "a version, model or address changed"},
    [DF_GONE] = {"gone", NULL, BOOLF, B, 0, -1, 0,
		 "silent for inventory.gone-after"},
    [DF_VULNERABLE] = {"vulnerable", NULL, BOOLF, B, 0, -1, 0,
		       "an advisory newly applies"},
    [DF_ID] = {"id", NULL, S, B, 0, -1, 0, "device id"},
    [DF_KIND] = {"kind", NULL, S, B, 0, -1, 0,
		 "dicom-ae, dicom-equipment, hl7-application, ..."},
    [DF_ADVISORY] = {"advisory", "advisories", S, B, M, -1, 0,
		     "advisories (CVE ids) that apply"},
    [DF_CHANGED_FIELD] = {"changed_field", "changed_fields", S, B, M, -1, 0,
			  "attributes a `changed` event reports"},
    [DF_ROLE] = {"role", "roles", S, B, M, -1, 0,
		 "scu, scp, sender, receiver, agent, manager, ..."},
    [DF_PROTOCOL] = {"protocol", "protocols", S, B, M, -1, 0,
		     "protocols the device was seen with"},
    [DF_TLS] = {"tls", NULL, BOOLF, B, 0, -1, 0, "the device used TLS"},
    [DF_CREDS] = {"credentials_in_clear", NULL, BOOLF, B, 0, -1, 0,
		  "it sent credentials without TLS"},
    [DF_PHI] = {"phi_in_clear", NULL, BOOLF, B, 0, -1, 0,
		"it sent patient data without TLS"},
};

static enum md_probe_rc never(const uint8_t *buf, size_t len, enum md_dir d)
{
	(void)buf;
	(void)len;
	(void)d;
	return MD_PROBE_NO;
}

static enum md_parse_rc no_wire(void *state, enum md_dir dir,
				const uint8_t *buf, size_t len,
				size_t *consumed, const struct md_sink *sink)
{
	(void)state;
	(void)dir;
	(void)buf;
	(void)len;
	(void)sink;
	*consumed = 0;
	return MD_PARSE_BAD;
}

const struct md_parser md_inventory_parser = {
    .abi = MD_PARSER_ABI,
    .name = "device",
    .desc = "inventory facts for rules (no wire protocol)",
    .ipproto = 0,
    .state_size = 0,
    .tx_done_progress = 1,
    .probe = never,
    .parse = no_wire,
    .fields = fields,
    .n_fields = DF_MAX,
};

int md_inventory_register(void)
{
	char msg[160];
	if (md_registry_find(md_inventory_parser.name) >= 0)
		return 0;
	int rc = md_registry_add(&md_inventory_parser, msg, sizeof(msg));
	return rc < 0 ? rc : 0;
}

static int add_str(struct md_inventory *inv, struct md_tx *tx, unsigned f,
		   const char *s)
{
	if (!s)
		return 0;
	return md_tx_add(&inv->tx_mc, tx, (uint16_t)f, false,
			 (const uint8_t *)s, (uint32_t)strlen(s), 0);
}

static int add_bool(struct md_inventory *inv, struct md_tx *tx, unsigned f,
		    bool b)
{
	return md_tx_add(&inv->tx_mc, tx, (uint16_t)f, false, NULL, 0, b);
}

struct md_tx *md_inv_device_tx(struct md_inventory *inv,
			       const struct md_inv_dev *v, const char *ev,
			       const struct md_inv_change *ch, unsigned n_ch)
{
	int pid = md_registry_find(md_inventory_parser.name);
	if (pid < 0)
		return NULL;
	struct md_tx *tx = md_tx_new(&inv->tx_mc, inv->next_txid++, 0);
	if (!tx)
		return NULL;
	tx->pid = (uint8_t)pid;
	tx->complete = true;
	tx->progress[0] = tx->progress[1] = 1;
	int rc = add_str(inv, tx, DF_EVENT, ev) |
		 add_str(inv, tx, DF_ID, v->id) |
		 add_str(inv, tx, DF_KIND, v->kind) |
		 add_bool(inv, tx, DF_NEW, !strcmp(ev, "new")) |
		 add_bool(inv, tx, DF_CHANGED, !strcmp(ev, "changed")) |
		 add_bool(inv, tx, DF_GONE, !strcmp(ev, "gone")) |
		 add_bool(inv, tx, DF_VULNERABLE, !strcmp(ev, "vulnerable"));
	for (int a = 0; a < MD_IA_MAX; a++)
		rc |= add_str(inv, tx, (unsigned)a, v->attr[a]);
	for (uint8_t i = 0; i < v->n_vulns; i++)
		rc |= add_str(inv, tx, DF_ADVISORY, v->vulns[i].id);
	for (unsigned i = 0; i < n_ch; i++)
		rc |= add_str(inv, tx, DF_CHANGED_FIELD, ch[i].field);
	for (unsigned r = 0; r < MD_IR_COUNT; r++)
		if (v->roles & (1u << r))
			rc |= add_str(inv, tx, DF_ROLE, md_inv_role_names[r]);
	for (uint8_t i = 0; i < v->n_protos; i++)
		rc |= add_str(inv, tx, DF_PROTOCOL, v->protos[i]);
	rc |= add_bool(inv, tx, DF_TLS, v->tls) |
	      add_bool(inv, tx, DF_CREDS, v->creds_clear) |
	      add_bool(inv, tx, DF_PHI, v->phi_clear);
	if (rc) {
		md_tx_free(&inv->tx_mc, tx);
		return NULL;
	}
	return tx;
}
