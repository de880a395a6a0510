/* output.c - defaults and names of the EVE output kinds (output.h). The
 * values here are the ones medids.yaml and doc/outputs.md document. */
#include <stdio.h>
#include <string.h>

#include "eve.h"
#include "output.h"

void md_out_cfg_defaults(struct md_out_cfg *c, int kind)
{
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->types = MD_EVE_ALL;
	snprintf(c->name, sizeof(c->name), "%s",
		 kind == MD_OUT_FILE ? "file" : md_out_kind_name(kind));
	snprintf(c->filename, sizeof(c->filename), "%s",
		 kind == MD_OUT_SYSLOG ? "/dev/log"
		 : kind == MD_OUT_FILE ? "eve.json"
				       : "eve.sock");
	c->buffer_size = 64u << 10;
	c->flush_interval = 1000;
	c->filemode = 0640;
	c->queue_max = 100000;
	c->queue_memcap = 64u << 20;
	c->backoff_min = 100;
	c->backoff_max = 5000;
	c->drain_timeout = 2000;
	c->timeout = 2000;
	c->facility = 21; /* local5 */
	c->level = 6;	  /* info */
	snprintf(c->ident, sizeof(c->ident), "medids");
	snprintf(c->server, sizeof(c->server), "127.0.0.1");
	c->port = 6379;
	snprintf(c->key, sizeof(c->key), "medids");
	c->redis_mode = MD_REDIS_LPUSH;
	c->batch = 64;
}

const char *md_out_kind_name(int kind)
{
	static const char *const names[] = {"regular", "unix_dgram",
					    "unix_stream", "syslog", "redis"};
	return kind >= 0 && kind <= MD_OUT_REDIS ? names[kind] : "?";
}
