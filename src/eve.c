/* eve.c - EVE writer, common header and JSON helpers (see eve.h). */
#include "eve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "applayer.h"
#include "mem.h"
#include "util-time.h"

#define MD_EVE_BUFSZ (256u * 1024u)

int md_eve_open(struct md_eve **out, const char *path, unsigned types,
		char *err, size_t errlen)
{
	struct md_eve *eve = md_calloc(1, sizeof(*eve));
	*out = NULL;
	if (!eve || !(eve->path = md_strdup(path))) {
		md_free(eve);
		snprintf(err, errlen, "%s: out of memory", path);
		return MD_E_NOMEM;
	}
	eve->fp = fopen(path, "a");
	if (!eve->fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		md_free(eve->path);
		md_free(eve);
		return MD_E_IO;
	}
	setvbuf(eve->fp, NULL, _IOFBF, MD_EVE_BUFSZ);
	pthread_mutex_init(&eve->lock, NULL);
	eve->types = types;
	*out = eve;
	return 0;
}

void md_eve_flush(struct md_eve *eve)
{
	if (!eve)
		return;
	pthread_mutex_lock(&eve->lock);
	if (fflush(eve->fp) != 0)
		eve->errors++;
	pthread_mutex_unlock(&eve->lock);
}

void md_eve_close(struct md_eve *eve)
{
	if (!eve)
		return;
	if (fclose(eve->fp) != 0)
		eve->errors++;
	pthread_mutex_destroy(&eve->lock);
	md_free(eve->path);
	md_free(eve);
}

int md_eve_write(struct md_eve *eve, unsigned type, json_t *rec)
{
	int rc = 0;
	if (!rec)
		return MD_E_NOMEM;
	if (!eve || !(eve->types & type)) {
		json_decref(rec);
		return 0;
	}
	char *s = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(rec);
	pthread_mutex_lock(&eve->lock);
	if (!s || fputs(s, eve->fp) == EOF || fputc('\n', eve->fp) == EOF) {
		eve->errors++;
		rc = MD_E_IO;
	} else {
		eve->written++;
	}
	pthread_mutex_unlock(&eve->lock);
	free(s);
	return rc;
}

static void addr_str(char *buf, size_t len, const struct md_addr *a,
		     uint8_t ver)
{
	if (!inet_ntop(ver == 6 ? AF_INET6 : AF_INET, a->b, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

static const char *proto_name(uint8_t proto, char *buf, size_t len)
{
	switch (proto) {
	case 6: return "TCP";
	case 17: return "UDP";
	case 1: return "ICMP";
	case 58: return "IPv6-ICMP";
	default: snprintf(buf, len, "%u", proto); return buf;
	}
}

static void set_endpoints(json_t *o, const struct md_addr *s, uint16_t sp,
			  const struct md_addr *d, uint16_t dp, uint8_t ver,
			  uint8_t proto)
{
	char a[64], b[64], pn[8];
	addr_str(a, sizeof(a), s, ver);
	addr_str(b, sizeof(b), d, ver);
	json_object_set_new(o, "src_ip", json_string(a));
	if (proto == 6 || proto == 17)
		json_object_set_new(o, "src_port", json_integer(sp));
	json_object_set_new(o, "dest_ip", json_string(b));
	if (proto == 6 || proto == 17)
		json_object_set_new(o, "dest_port", json_integer(dp));
	json_object_set_new(o, "proto", json_string(proto_name(proto, pn, sizeof(pn))));
}

static void set_vlan(json_t *o, const uint16_t *vlan)
{
	if (!vlan[0])
		return;
	json_t *a = json_array();
	for (int i = 0; i < MD_MAX_VLAN && vlan[i]; i++)
		json_array_append_new(a, json_integer(vlan[i]));
	json_object_set_new(o, "vlan", a);
}

json_t *md_eve_header(const char *event_type, uint64_t ts_usec,
		      const struct md_flow *f, const struct md_packet *p,
		      int dir)
{
	char ts[MD_TS_LEN];
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "timestamp", json_string(md_time_format(ts, ts_usec)));
	if (f)
		json_object_set_new(o, "flow_id", json_integer((json_int_t)f->flow_id));
	if (p && p->pcap_cnt)
		json_object_set_new(o, "pcap_cnt", json_integer((json_int_t)p->pcap_cnt));
	if (p && p->iface)
		json_object_set_new(o, "in_iface", json_string(p->iface));
	json_object_set_new(o, "event_type", json_string(event_type));
	if (f) {
		const struct md_flow_key *k = &f->key;
		set_vlan(o, k->vlan);
		if (dir == 1)
			set_endpoints(o, &k->b, k->bp, &k->a, k->ap, k->ip_ver, k->proto);
		else
			set_endpoints(o, &k->a, k->ap, &k->b, k->bp, k->ip_ver, k->proto);
	} else if (p && p->ip_ver) {
		set_vlan(o, p->vlan);
		set_endpoints(o, &p->src, p->sp, &p->dst, p->dp, p->ip_ver, p->proto);
	}
	if (p)
		json_object_set_new(o, "pkt_src", json_string(p->flags & MD_PKT_REASSEMBLED
								       ? "defrag"
								       : "wire/pcap"));
	if (f) {
		const char *ap = md_applayer_proto(f);
		if (ap)
			json_object_set_new(o, "app_proto", json_string(ap));
		if (dir >= 0)
			json_object_set_new(o, "direction", json_string(dir ? "to_client" : "to_server"));
	}
	return o;
}

/* Length of a valid UTF-8 sequence at p (2..4), or 0. */
static size_t utf8_len(const uint8_t *p, size_t left)
{
	size_t n;
	uint32_t cp;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

json_t *md_json_bytes(const uint8_t *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char *out = md_malloc(len * 4 + 1);
	size_t o = 0;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len;) {
		uint8_t c = p[i];
		size_t n;
		if ((c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n' || c == '\r') {
			out[o++] = (char)c;
			i++;
		} else if (c >= 0x80 && (n = utf8_len(p + i, len - i))) {
			memcpy(out + o, p + i, n);
			o += n;
			i += n;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
			i++;
		}
	}
	json_t *s = json_stringn(out, o);
	md_free(out);
	return s;
}

int md_json_set_path(json_t *obj, const char *path, json_t *val)
{
	char part[128];
	if (!val)
		return MD_E_NOMEM;
	for (;;) {
		size_t len = strcspn(path, ".");
		if (len == 0 || len >= sizeof(part)) {
			json_decref(val);
			return MD_E_INVAL;
		}
		memcpy(part, path, len);
		part[len] = 0;
		if (!path[len])
			return json_object_set_new(obj, part, val) ? MD_E_INVAL : 0;
		json_t *next = json_object_get(obj, part);
		if (!json_is_object(next)) {
			next = json_object();
			if (json_object_set_new(obj, part, next)) {
				json_decref(val);
				return MD_E_NOMEM;
			}
		}
		obj = next;
		path += len + 1;
	}
}
