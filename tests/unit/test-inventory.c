/* test-inventory.c - the asset inventory: data files (implementer roots,
 * advisories), device lifecycle from DICOM and HL7 transactions built with
 * the real parsers' field tables (new, changed, vulnerable, gone), the
 * max-devices bound, the state file across a restart, the field-use
 * declaration, the "device" protocol table, and the SIGUSR1 snapshot
 * polled by the replay loop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture.h"
#include "detect.h"
#include "engine.h"
#include "inventory-int.h"
#include "progress.h"
#include "registry.h"
#include "signals.h"

static char dir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/md-test-inventory-XXXXXX");
	assert_non_null(mkdtemp(dir));
	md_registry_init();
	assert_int_equal(md_inventory_register(), 0);
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *name, const char *text)
{
	char p[400];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *fp = fopen(p, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* ---- data files ----------------------------------------------------- */

static void test_implementers(void **state)
{
	struct md_inv_data d = {0};
	char err[256], p[400];
	(void)state;
	write_file("impl.txt", "# c\n1.2.276.0.7230010.3 OFFIS DCMTK\n"
			       "1.2.276.0.7230010.3.9 Longer Root\n\n");
	snprintf(p, sizeof(p), "%s/impl.txt", dir);
	assert_int_equal(md_inv_data_implementers(&d, p, err, sizeof(err)), 0);
	assert_int_equal(d.n_impl, 2);
	assert_string_equal(
	    md_inv_implementer(&d, "1.2.276.0.7230010.3.0.3.6.7"),
	    "OFFIS DCMTK");
	assert_string_equal(md_inv_implementer(&d, "1.2.276.0.7230010.3.9.1"),
			    "Longer Root");
	/* a root matches at a component boundary only */
	assert_null(md_inv_implementer(&d, "1.2.276.0.72300101"));
	md_inv_data_fini(&d);
	write_file("bad.txt", "1.2.3\n");
	snprintf(p, sizeof(p), "%s/bad.txt", dir);
	assert_int_equal(md_inv_data_implementers(&d, p, err, sizeof(err)),
			 MD_E_INVAL);
	assert_non_null(strstr(err, "bad.txt:1:"));
	md_inv_data_fini(&d);
}

static void test_advisories(void **state)
{
	struct md_inv_data d = {0};
	struct md_inv_dev v = {0};
	char err[256], p[400];
	(void)state;
	write_file("adv.yaml", "advisories:\n"
			       "  - {id: A-1, field: implementation_version,"
			       " prefix: OFFIS_DCMTK_, below: 367}\n"
			       "  - {id: A-2, field: software_version,"
			       " equals: 'SYN 3.1.4'}\n");
	snprintf(p, sizeof(p), "%s/adv.yaml", dir);
	assert_int_equal(md_inv_data_advisories(&d, p, err, sizeof(err)), 0);
	assert_int_equal(d.n_adv, 2);
	v.attr[MD_IA_IMPL_VERSION] = "OFFIS_DCMTK_366";
	assert_true(md_inv_advisory_match(&d.adv[0], &v));
	v.attr[MD_IA_IMPL_VERSION] = "OFFIS_DCMTK_367";
	assert_false(md_inv_advisory_match(&d.adv[0], &v));
	v.attr[MD_IA_IMPL_VERSION] = "OFFIS_DCMTK_";
	assert_false(md_inv_advisory_match(&d.adv[0], &v));
	v.attr[MD_IA_SW] = "SYN 3.1.4";
	assert_true(md_inv_advisory_match(&d.adv[1], &v));
	v.attr[MD_IA_SW] = "SYN 3.1.40";
	assert_false(md_inv_advisory_match(&d.adv[1], &v));
	md_inv_data_fini(&d);
	write_file("bad.yaml", "advisories:\n  - {id: B, field: nosuch, "
			       "equals: x}\n");
	snprintf(p, sizeof(p), "%s/bad.yaml", dir);
	assert_int_equal(md_inv_data_advisories(&d, p, err, sizeof(err)),
			 MD_E_INVAL);
	assert_non_null(strstr(err, "bad.yaml:2:"));
	md_inv_data_fini(&d);
}

/* ---- transactions built with the parsers' own field tables ----------- */

static struct md_memcap mc;

static int field_of(const struct md_parser *pp, const char *name)
{
	for (size_t i = 0; i < pp->n_fields; i++)
		if (!strcmp(pp->fields[i].name, name))
			return (int)i;
	fail_msg("no field %s in %s", name, pp->name);
	return -1;
}

/* A completed transaction of proto: NAME, VALUE pairs, NULL-terminated;
 * a value "#N" is an unsigned. */
static struct md_tx *mk_tx(const char *proto, uint8_t dir_, ...)
{
	int pid = md_registry_find(proto);
	assert_true(pid >= 0);
	const struct md_parser *pp = md_registry_get((size_t)pid);
	struct md_tx *tx = md_tx_new(&mc, 0, dir_);
	assert_non_null(tx);
	tx->pid = (uint8_t)pid;
	tx->complete = true;
	va_list ap;
	va_start(ap, dir_);
	for (const char *n; (n = va_arg(ap, const char *));) {
		const char *v = va_arg(ap, const char *);
		int f = field_of(pp, n);
		if (v[0] == '#')
			md_tx_add(&mc, tx, (uint16_t)f, false, NULL, 0,
				  strtoull(v + 1, NULL, 10));
		else
			md_tx_add(&mc, tx, (uint16_t)f, false,
				  (const uint8_t *)v, (uint32_t)strlen(v), 0);
	}
	va_end(ap);
	return tx;
}

static void mk_flow(struct md_flow *f, uint64_t id, uint8_t b_last, uint16_t bp)
{
	memset(f, 0, sizeof(*f));
	f->flow_id = id;
	f->key.ip_ver = 4;
	f->key.proto = 6;
	f->key.a.b[0] = 10, f->key.a.b[3] = 1;
	f->key.b.b[0] = 10, f->key.b.b[3] = b_last;
	f->key.ap = 40000;
	f->key.bp = bp;
}

struct fx {
	struct md_eve *eve;
	struct md_inventory *inv;
	char eve_path[400];
};

static void fx_open(struct fx *x, const struct md_inventory_cfg *cfg)
{
	char err[256];
	snprintf(x->eve_path, sizeof(x->eve_path), "%s/eve.json", dir);
	unlink(x->eve_path);
	assert_int_equal(
	    md_eve_open(&x->eve, x->eve_path, MD_EVE_ALL, err, sizeof(err)), 0);
	int rc = md_inventory_new(&x->inv, cfg, dir, MD_TOP_SRCDIR "/rules",
				  x->eve, err, sizeof(err));
	if (rc)
		fail_msg("md_inventory_new: %s", err);
}

static void fx_close(struct fx *x)
{
	md_inventory_free(x->inv);
	md_eve_close(x->eve);
}

/* Number of EVE lines holding all of the given substrings. */
static int count_lines(struct fx *x, const char *a, const char *b)
{
	char line[16384];
	int n = 0;
	md_eve_flush(x->eve);
	FILE *fp = fopen(x->eve_path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp))
		n += strstr(line, a) && (!b || strstr(line, b));
	fclose(fp);
	return n;
}

static void feed(struct fx *x, const struct md_flow *f, struct md_tx *tx,
		 uint64_t now, unsigned want_emit)
{
	struct md_inv_emit out = {0};
	md_inventory_tx(x->inv, f, NULL, md_registry_get(tx->pid), tx, now,
			&out);
	assert_int_equal(out.n, want_emit);
	md_inventory_emit_free(x->inv, &out);
	md_tx_free(&mc, tx);
}

static struct md_tx *assoc(const char *calling, const char *ver)
{
	return mk_tx("dicom", 0, "calling_ae", calling, "called_ae", "PACS",
		     "implementation_class_uid", "1.2.276.0.7230010.3.0.3.6.6",
		     "implementation_version", ver, "ac.result", "accepted",
		     "ac.implementation_version", "PACS_1", NULL);
}

#define T0 1700000000000000ull

static void test_lifecycle(void **state)
{
	struct md_inventory_cfg cfg;
	struct md_flow f;
	struct fx x;
	(void)state;
	md_inventory_cfg_defaults(&cfg);
	cfg.state_file[0] = 0;
	fx_open(&x, &cfg);
	mk_flow(&f, 1, 2, 104);
	/* new for both ends; the DCMTK 3.6.6 SCU is vulnerable */
	feed(&x, &f, assoc("MODALITY", "OFFIS_DCMTK_366"), T0, 3);
	assert_int_equal(count_lines(&x, "\"event\":\"new\"", NULL), 2);
	assert_int_equal(
	    count_lines(&x, "\"event\":\"vulnerable\"", "CVE-2022-2119"), 1);
	assert_int_equal(count_lines(&x, "dicom:MODALITY@10.0.0.1",
				     "\"implementer\":\"OFFIS DCMTK\""),
			 2);
	assert_int_equal(
	    count_lines(&x, "dicom:PACS@10.0.0.2", "\"ports\":[104]"), 1);
	/* the same again: nothing */
	feed(&x, &f, assoc("MODALITY", "OFFIS_DCMTK_366"), T0 + 1, 0);
	/* an upgrade: changed; 3.6.8 keeps the 2024 advisories only */
	feed(&x, &f, assoc("MODALITY", "OFFIS_DCMTK_368"), T0 + 2, 1);
	assert_int_equal(
	    count_lines(&x, "\"event\":\"changed\"",
			"{\"field\":\"implementation_version\",\"old\":"
			"\"OFFIS_DCMTK_366\",\"new\":\"OFFIS_DCMTK_368\"}"),
	    1);
	assert_int_equal(
	    count_lines(&x, "\"event\":\"changed\"", "CVE-2022-2119"), 0);
	/* a C-STORE with patient data on the same flow: the SCU sent PHI in
	 * clear (a change), the data set's equipment is a device */
	struct md_tx *st = mk_tx("dicom", 0, "rq.manufacturer", "ACME",
				 "rq.device_serial_number", "SN1",
				 "rq.patient_name", "DOE^J", NULL);
	feed(&x, &f, st, T0 + 3, 2);
	assert_int_equal(count_lines(&x, "\"field\":\"phi_in_clear\"", NULL),
			 1);
	assert_int_equal(
	    count_lines(&x, "dicom-equipment:ACME||SN1", "\"event\":\"new\""),
	    1);
	/* HL7: sender and receiver by application|facility */
	struct md_flow h;
	mk_flow(&h, 2, 3, 2575);
	feed(&x, &h,
	     mk_tx("hl7", 0, "sending_application", "LAB", "sending_facility",
		   "H", "receiving_application", "EMR", "receiving_facility",
		   "H", NULL),
	     T0 + 4, 2);
	assert_int_equal(count_lines(&x, "hl7:LAB|H", "\"roles\":[\"sender\"]"),
			 1);
	/* gone: after gone-after seconds of packet time, once */
	struct md_inv_emit out = {0};
	md_inventory_tick(x.inv, T0 + 4 + (cfg.gone_after + 61) * 1000000ull,
			  &out);
	assert_int_equal(out.n, 5);
	md_inventory_emit_free(x.inv, &out);
	md_inventory_tick(x.inv, T0 + 4 + (cfg.gone_after + 200) * 1000000ull,
			  &out);
	assert_int_equal(out.n, 0);
	assert_int_equal(count_lines(&x, "\"event\":\"gone\"", NULL), 5);
	assert_int_equal(md_inventory_count(x.inv), 5);
	fx_close(&x);
}

static void test_device_tx(void **state)
{
	struct md_inventory_cfg cfg;
	struct md_flow f;
	struct fx x;
	(void)state;
	for (int a = 0; a < MD_IA_MAX; a++)
		assert_string_equal(md_inventory_parser.fields[a].name,
				    md_inv_attrs[a].name);
	md_inventory_cfg_defaults(&cfg);
	cfg.state_file[0] = 0;
	fx_open(&x, &cfg);
	mk_flow(&f, 1, 2, 104);
	struct md_tx *tx = assoc("M", "OFFIS_DCMTK_360");
	struct md_inv_emit out = {0};
	md_inventory_tx(x.inv, &f, NULL, md_registry_get(tx->pid), tx, T0,
			&out);
	md_tx_free(&mc, tx);
	assert_int_equal(out.n, 3);
	/* the first is the SCU's `new`: device fields by name */
	const struct md_parser *dp = &md_inventory_parser;
	int f_new = field_of(dp, "new"),
	    f_ver = field_of(dp, "implementation_version");
	bool is_new = false, ver = false;
	for (const struct md_tx_val *v = out.tx[0]->vals; v; v = v->next) {
		is_new |= v->field == f_new && v->u == 1;
		ver |= v->field == f_ver && v->len == 15 &&
		       !memcmp(md_tx_val_bytes(v), "OFFIS_DCMTK_360", 15);
	}
	assert_true(is_new && ver);
	assert_int_equal(out.tx[0]->pid, md_registry_find("device"));
	assert_true(out.tx[0]->complete);
	md_inventory_emit_free(x.inv, &out);
	fx_close(&x);
}

static void test_max_devices_and_restart(void **state)
{
	struct md_inventory_cfg cfg;
	struct md_flow f;
	struct fx x;
	(void)state;
	md_inventory_cfg_defaults(&cfg);
	cfg.max_devices = 1;
	fx_open(&x, &cfg);
	mk_flow(&f, 1, 2, 104);
	feed(&x, &f, assoc("ONE", "X_1"), T0, 1);
	assert_int_equal(md_inventory_count(x.inv), 1);
	assert_int_equal(md_inventory_dropped(x.inv), 1); /* the SCP */
	assert_int_equal(md_inventory_save(x.inv), 0);
	assert_int_equal(md_inventory_snapshot(x.inv), 0);
	fx_close(&x);
	/* restart with the state file: known, no `new` */
	cfg.max_devices = 100;
	fx_open(&x, &cfg);
	assert_int_equal(md_inventory_count(x.inv), 1);
	feed(&x, &f, assoc("ONE", "X_1"), T0 + 5, 1); /* only PACS is new */
	assert_int_equal(
	    count_lines(&x, "\"event\":\"new\"", "\"id\":\"dicom:ONE@"), 0);
	assert_int_equal(
	    count_lines(&x, "\"event\":\"new\"", "\"id\":\"dicom:PACS@"), 1);
	fx_close(&x);
	char p[400];
	snprintf(p, sizeof(p), "%s/inventory.json", dir);
	assert_int_equal(access(p, R_OK), 0);
	/* a damaged state file: kept aside, the inventory starts empty */
	write_file("inventory.state", "{\"devices\": [");
	fx_open(&x, &cfg);
	assert_int_equal(md_inventory_count(x.inv), 0);
	fx_close(&x);
	snprintf(p, sizeof(p), "%s/inventory.state.bad", dir);
	assert_int_equal(access(p, R_OK), 0);
	unlink(p);
}

static void test_field_use(void **state)
{
	struct md_inventory_cfg cfg;
	struct fx x;
	(void)state;
	md_inventory_cfg_defaults(&cfg);
	cfg.state_file[0] = 0;
	fx_open(&x, &cfg);
	const struct md_parser *pp =
	    md_registry_get((size_t)md_registry_find("dicom"));
	struct md_field_use *u = calloc(pp->n_fields, sizeof(*u));
	md_inventory_field_use(x.inv, pp, u);
	assert_true(u[field_of(pp, "calling_ae")].used);
	assert_true(u[field_of(pp, "rq.software_versions")].used);
	assert_true(u[field_of(pp, "rq.patient_name")].used); /* PHI */
	assert_false(u[field_of(pp, "abstract_syntax")].used);
	free(u);
	fx_close(&x);
}

/* SIGUSR1: the replay loop writes inventory.json at the next packet. */
static void test_sigusr1_snapshot(void **state)
{
	struct md_engine_cfg cfg;
	struct md_engine *e;
	struct md_worker w;
	struct md_progress pr;
	char err[256], p[400];
	char *files[] = {MD_TOP_SRCDIR "/pcaps/dicom-echo.pcap"};
	volatile sig_atomic_t stop = 0;
	(void)state;
	md_engine_cfg_defaults(&cfg);
	snprintf(cfg.log_dir, sizeof(cfg.log_dir), "%s", dir);
	snprintf(cfg.rule_path, sizeof(cfg.rule_path), "%s",
		 MD_TOP_SRCDIR "/rules");
	cfg.csum_mode = MD_CSUM_NONE;
	cfg.inv.state_file[0] = 0;
	assert_int_equal(md_engine_new(&e, &cfg, NULL, err, sizeof(err)), 0);
	assert_int_equal(md_worker_init(&w, e), 0);
	md_progress_init(&pr, 1, false);
	snprintf(p, sizeof(p), "%s/inventory.json", dir);
	unlink(p);
	assert_int_equal(md_capture_replay(&w, files, 1, &pr, &stop), 0);
	assert_int_not_equal(access(p, F_OK), 0); /* not yet */
	md_signal_raise(MD_SIG_USR1);
	assert_int_equal(md_capture_replay(&w, files, 1, &pr, &stop), 0);
	assert_int_equal(access(p, F_OK), 0);
	FILE *fp = fopen(p, "r");
	char buf[8192] = {0};
	assert_true(fread(buf, 1, sizeof(buf) - 1, fp) > 0);
	fclose(fp);
	assert_non_null(strstr(buf, "\"devices_total\":2"));
	assert_non_null(strstr(buf, "dicom:ECHOSCU@127.0.0.1"));
	md_worker_fini(&w);
	md_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_implementers),
	    cmocka_unit_test(test_advisories),
	    cmocka_unit_test(test_lifecycle),
	    cmocka_unit_test(test_device_tx),
	    cmocka_unit_test(test_max_devices_and_restart),
	    cmocka_unit_test(test_field_use),
	    cmocka_unit_test(test_sigusr1_snapshot),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
