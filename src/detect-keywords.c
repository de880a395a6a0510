/* detect-keywords.c - `--list-keywords`: every rule keyword with a
 * one-line description, then the keywords of each registered parser
 * (from its field table) and its app-layer events.
 */
#include <stdio.h>
#include <string.h>

#include "detect-int.h"
#include "registry.h"

static const char *field_kind(const struct md_field_def *fd)
{
	switch (fd->type) {
	case MD_FT_UINT:
		return "integer";
	case MD_FT_BOOL:
		return "boolean";
	case MD_FT_BYTES:
		return "sticky buffer (bytes)";
	default:
		return "sticky buffer";
	}
}

static const char *dir_name(uint8_t dir)
{
	return dir == MD_DIR_TOSERVER	? "to_server"
	       : dir == MD_DIR_TOCLIENT ? "to_client"
					: "both";
}

static void list_parser(FILE *fp, const struct md_parser *pp)
{
	for (size_t i = 0; i < pp->n_fields; i++) {
		const struct md_field_def *fd = &pp->fields[i];
		char kw[128];
		if (fd->type == MD_FT_GROUP || (fd->flags & MD_FF_NOKEYWORD))
			continue;
		snprintf(kw, sizeof(kw), "%s.%s%s", pp->name, fd->name,
			 (fd->flags & MD_FF_ARG) ? ":ARG" : "");
		fprintf(fp, "%-28s %s [%s, %s%s%s]\n", kw,
			fd->desc ? fd->desc : "", field_kind(fd),
			dir_name(fd->dir),
			(fd->flags & MD_FF_MULTI) ? ", multi" : "",
			(fd->flags & MD_FF_CHUNKED) ? ", file data" : "");
	}
	for (size_t i = 0; i < pp->n_events; i++) {
		char kw[160];
		snprintf(kw, sizeof(kw), "app-layer-event:%s.%s", pp->name,
			 pp->events[i].name);
		fprintf(fp, "%-28s %s\n", kw,
			pp->events[i].desc ? pp->events[i].desc : "");
	}
}

void md_detect_list_keywords(FILE *fp)
{
	static const struct md_kw *const tables[] = {
	    md_dkw_meta, md_dkw_payload, md_dkw_byte, md_dkw_flow, md_dkw_app,
	};
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct md_kw *k = tables[t]; k->name; k++)
			fprintf(fp, "%-28s %s\n", k->name, k->desc);
	for (size_t i = 0; i < md_registry_count(); i++)
		list_parser(fp, md_registry_get(i));
}
