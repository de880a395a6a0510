/* eve.c - EVE writer, common header and JSON helpers (see eve.h). */
#include "eve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "applayer.h"
#include "jb.h"
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

static void addr_str(char *buf, size_t len, const struct md_addr *a,
		     uint8_t ver)
{
	if (!inet_ntop(ver == 6 ? AF_INET6 : AF_INET, a->b, buf,
		       (socklen_t)len))
		snprintf(buf, len, "?");
}

static const char *proto_name(uint8_t proto, char *buf, size_t len)
{
	switch (proto) {
	case 6:
		return "TCP";
	case 17:
		return "UDP";
	case 1:
		return "ICMP";
	case 58:
		return "IPv6-ICMP";
	default:
		snprintf(buf, len, "%u", proto);
		return buf;
	}
}

static void endpoints(struct md_jb *jb, const struct md_addr *s, uint16_t sp,
		      const struct md_addr *d, uint16_t dp, uint8_t ver,
		      uint8_t proto, const uint16_t *vlan)
{
	char a[64], b[64], pn[8];
	if (vlan[0]) {
		md_jb_open_array(jb, "vlan");
		for (int i = 0; i < MD_MAX_VLAN && vlan[i]; i++)
			md_jb_uint(jb, NULL, vlan[i]);
		md_jb_close_array(jb);
	}
	addr_str(a, sizeof(a), s, ver);
	addr_str(b, sizeof(b), d, ver);
	bool ports = proto == 6 || proto == 17;
	md_jb_str(jb, "src_ip", a);
	if (ports)
		md_jb_uint(jb, "src_port", sp);
	md_jb_str(jb, "dest_ip", b);
	if (ports)
		md_jb_uint(jb, "dest_port", dp);
	md_jb_str(jb, "proto", proto_name(proto, pn, sizeof(pn)));
}

void md_eve_jb_header(struct md_jb *jb, const char *event_type,
		      uint64_t ts_usec, const struct md_flow *f,
		      const struct md_packet *p, int dir)
{
	char ts[MD_TS_LEN];
	md_jb_open(jb, NULL);
	md_jb_str(jb, "timestamp", md_time_format(ts, ts_usec));
	if (f)
		md_jb_uint(jb, "flow_id", f->flow_id);
	if (p && p->pcap_cnt)
		md_jb_uint(jb, "pcap_cnt", p->pcap_cnt);
	if (p && p->iface)
		md_jb_str(jb, "in_iface", p->iface);
	md_jb_str(jb, "event_type", event_type);
	if (f) {
		const struct md_flow_key *k = &f->key;
		if (dir == 1)
			endpoints(jb, &k->b, k->bp, &k->a, k->ap, k->ip_ver,
				  k->proto, k->vlan);
		else
			endpoints(jb, &k->a, k->ap, &k->b, k->bp, k->ip_ver,
				  k->proto, k->vlan);
	} else if (p && p->ip_ver) {
		endpoints(jb, &p->src, p->sp, &p->dst, p->dp, p->ip_ver,
			  p->proto, p->vlan);
	}
	if (p)
		md_jb_str(jb, "pkt_src",
			  p->flags & MD_PKT_REASSEMBLED ? "defrag"
							: "wire/pcap");
	if (f) {
		const char *ap = md_applayer_proto(f);
		if (ap)
			md_jb_str(jb, "app_proto", ap);
		if (dir >= 0)
			md_jb_str(jb, "direction",
				  dir ? "to_client" : "to_server");
	}
}

int md_eve_write_jb(struct md_eve *eve, unsigned type, struct md_jb *jb)
{
	int rc = 0;
	if (!eve || !(eve->types & type))
		return 0;
	if (jb->err) {
		eve->errors++;
		return MD_E_NOMEM;
	}
	pthread_mutex_lock(&eve->lock);
	if (fwrite(jb->buf, 1, jb->len, eve->fp) != jb->len ||
	    fputc('\n', eve->fp) == EOF) {
		eve->errors++;
		rc = MD_E_IO;
	} else {
		eve->written++;
	}
	pthread_mutex_unlock(&eve->lock);
	return rc;
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
			return json_object_set_new(obj, part, val) ? MD_E_INVAL
								   : 0;
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
