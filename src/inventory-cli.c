/* inventory-cli.c - `medids inventory [--csv|--json] FILE...`: the devices
 * described by the `inventory` records of EVE files (any run's), or by
 * inventory.json snapshots, as a table, CSV (RFC 4180) or JSON.
 *
 * The latest record of a device wins (records are read in file order),
 * so a `gone` event after a `new` one shows the device as gone.
 */
#include "inventory.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MD_INV_CLI_MAX 100000 /* devices listed */

static const char *const csv_cols[] = {
    "id",
    "kind",
    "status",
    "ip",
    "mac",
    "vendor",
    "model",
    "software_version",
    "firmware_version",
    "serial_number",
    "modality",
    "implementation_version",
    "implementer",
    "ae_title",
    "hl7_application",
    "hl7_facility",
    "system_id",
    "epr",
    "roles",
    "protocols",
    "ports",
    "peers",
    "tls",
    "credentials_in_clear",
    "phi_in_clear",
    "vulnerabilities",
    "first_seen",
    "last_seen",
    NULL,
};

/* A device member as text: arrays joined with ' ', vulnerabilities by
 * id. Returns a malloc'd string. */
static char *member_text(const json_t *d, const char *key)
{
	const json_t *v = json_object_get(d, key);
	char buf[2048];
	size_t n = 0;
	buf[0] = 0;
	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (json_is_boolean(v))
		return strdup(json_is_true(v) ? "yes" : "no");
	if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%lld",
			 (long long)json_integer_value(v));
		return strdup(buf);
	}
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e)
	{
		char one[256];
		if (json_is_object(e))
			e = json_object_get(e, "id");
		if (json_is_string(e))
			snprintf(one, sizeof(one), "%s", json_string_value(e));
		else if (json_is_integer(e))
			snprintf(one, sizeof(one), "%lld",
				 (long long)json_integer_value(e));
		else
			continue;
		int w = snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? " " : "",
				 one);
		if (w < 0 || (size_t)w >= sizeof(buf) - n)
			break;
		n += (size_t)w;
	}
	return strdup(buf);
}

static void csv_field(FILE *fp, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

static void print_csv(FILE *fp, json_t *devs)
{
	for (size_t c = 0; csv_cols[c]; c++)
		fprintf(fp, "%s%s", c ? "," : "", csv_cols[c]);
	fputc('\n', fp);
	size_t i;
	json_t *d;
	json_array_foreach(devs, i, d)
	{
		for (size_t c = 0; csv_cols[c]; c++) {
			char *t = member_text(d, csv_cols[c]);
			if (c)
				fputc(',', fp);
			csv_field(fp, t ? t : "");
			free(t);
		}
		fputc('\n', fp);
	}
}

/* The table: one line a device, columns cut to their width. */
static void print_table(FILE *fp, json_t *devs)
{
	static const struct {
		const char *head, *key;
		int w;
	} cols[] = {
	    {"DEVICE", "id", 52},
	    {"STATUS", "status", 6},
	    {"IP", "ip", 15},
	    {"VENDOR", "vendor", 18},
	    {"MODEL", "model", 14},
	    {"VERSION", NULL, 16},
	    {"ROLES", "roles", 12},
	    {"PROTOCOLS", "protocols", 12},
	    {"VULNERABILITIES", "vulnerabilities", 30},
	};
	const size_t nc = sizeof(cols) / sizeof(cols[0]);
	for (size_t c = 0; c < nc; c++)
		fprintf(fp, "%-*s%s", cols[c].w, cols[c].head,
			c + 1 < nc ? " " : "\n");
	size_t i;
	json_t *d;
	json_array_foreach(devs, i, d)
	{
		for (size_t c = 0; c < nc; c++) {
			char *t;
			if (cols[c].key) {
				t = member_text(d, cols[c].key);
			} else {
				t = member_text(d, "software_version");
				if (t && !*t) {
					free(t);
					t = member_text(d, "firmware_version");
				}
				if (t && !*t) {
					free(t);
					t = member_text(
					    d, "implementation_version");
				}
			}
			const char *s = t && *t ? t : "-";
			fprintf(fp, "%-*.*s%s", cols[c].w, cols[c].w, s,
				c + 1 < nc ? " " : "\n");
			free(t);
		}
	}
	fprintf(fp, "%zu device(s)\n", json_array_size(devs));
}

/* Keep device d (latest wins, first-seen order kept). */
static void keep(json_t *by_id, json_t *order, json_t *d)
{
	const char *id = json_string_value(json_object_get(d, "id"));
	if (!id)
		return;
	if (!json_object_get(by_id, id)) {
		if (json_array_size(order) >= MD_INV_CLI_MAX)
			return;
		json_array_append_new(order, json_string(id));
	}
	json_object_set(by_id, id, d);
}

static int read_file(const char *path, json_t *by_id, json_t *order)
{
	FILE *fp = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!fp) {
		perror(path);
		return 1;
	}
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, fp) > 0) {
		json_t *r = json_loads(line, 0, NULL);
		const char *et =
		    json_string_value(json_object_get(r, "event_type"));
		json_t *inv = json_object_get(r, "inventory");
		if (et && !strcmp(et, "inventory") &&
		    json_is_object(json_object_get(inv, "device"))) {
			keep(by_id, order, json_object_get(inv, "device"));
		} else if (!et &&
			   json_is_array(json_object_get(r, "devices"))) {
			size_t i;
			json_t *d;
			json_array_foreach(json_object_get(r, "devices"), i, d)
			{
				keep(by_id, order, d);
			}
		}
		json_decref(r);
	}
	free(line);
	if (fp != stdin)
		fclose(fp);
	return 0;
}

static void cli_usage(FILE *fp)
{
	fprintf(fp, "Usage: medids inventory [--csv|--json] EVE_FILE...\n"
		    "Print the devices the inventory records of EVE files "
		    "(or inventory.json\nsnapshots) describe: a table, CSV or "
		    "JSON. '-' reads standard input.\n");
}

int md_inventory_cli(int argc, char **argv)
{
	int fmt = 0, rc = 0, nfiles = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--csv"))
			fmt = 1;
		else if (!strcmp(argv[i], "--json"))
			fmt = 2;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			cli_usage(stdout);
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "medids inventory: unknown option %s\n",
				argv[i]);
			cli_usage(stderr);
			return 2;
		} else {
			nfiles++;
		}
	}
	if (!nfiles) {
		cli_usage(stderr);
		return 2;
	}
	json_t *by_id = json_object(), *order = json_array();
	for (int i = 1; i < argc; i++)
		if (argv[i][0] != '-' || !argv[i][1])
			rc |= read_file(argv[i], by_id, order);
	json_t *devs = json_array();
	size_t i;
	json_t *id;
	json_array_foreach(order, i, id)
	{
		json_array_append(
		    devs, json_object_get(by_id, json_string_value(id)));
	}
	if (fmt == 1) {
		print_csv(stdout, devs);
	} else if (fmt == 2) {
		json_t *o = json_pack("{s:O}", "devices", devs);
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(o);
	} else {
		print_table(stdout, devs);
	}
	json_decref(devs);
	json_decref(order);
	json_decref(by_id);
	return rc;
}
