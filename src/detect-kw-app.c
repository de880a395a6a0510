/* detect-kw-app.c - protocol keywords generated from parser field tables,
 * and app-layer-protocol, app-layer-event, decode-event, file.data,
 * filemagic, dataset and the header keywords ttl, itype, icode.
 *
 * From plugin/md-parser.h field tables:
 *   <proto>.<name>;              sticky buffer (MD_FT_STR / MD_FT_BYTES)
 *   <proto>.<name>:ARG;          sticky buffer with an argument (MD_FF_ARG),
 *                                normalised by the parser's arg_norm
 *   <proto>.<name>:[op]N | A-B;  integer field (MD_FT_UINT), any value of a
 *                                multi field; MD_FF_ARG: ARG,[op]N
 *   <proto>.<name>[:true|false]; boolean field
 * Keyword semantics of the rest follow the Suricata user guide
 * ("App-layer", "Decode-layer", "File Keywords", "Datasets").
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "applayer.h"
#include "config.h"
#include "decode.h"
#include "detect-int.h"
#include "registry.h"

/* A field fixes the rule's direction (unless MD_DIR_BOTH) and the
 * progress from which a transaction can be inspected. */
static void note_field(struct md_pstate *ps, const struct md_field_def *fd)
{
	uint8_t d = fd->dir == MD_DIR_TOSERVER	 ? 1
		    : fd->dir == MD_DIR_TOCLIENT ? 2
						 : 0;
	ps->field_dirs |= d;
	for (int k = 0; k < 2; k++)
		if ((!d || (d & (1 << k))) &&
		    fd->progress > ps->s->need_prog[k])
			ps->s->need_prog[k] = fd->progress;
}

static int set_app(struct md_pstate *ps, int pid)
{
	if (ps->kw_app >= 0 && ps->kw_app != pid)
		return md_derr(ps->err, ps->errlen,
			       "keywords of two protocols in one rule");
	ps->kw_app = (int16_t)pid;
	return 0;
}

static int norm_arg(struct md_pstate *ps, const struct md_parser *pp,
		    unsigned field, const char *kw, char *arg, char *out,
		    size_t outlen)
{
	if (*arg == '"' && md_dunquote(arg, ps->err, ps->errlen))
		return MD_E_INVAL;
	if (!*arg)
		return md_derr(ps->err, ps->errlen, "%s needs an argument", kw);
	if (!pp->arg_norm) {
		snprintf(out, outlen, "%s", arg);
		return 0;
	}
	if (pp->arg_norm(field, arg, out, outlen))
		return md_derr(ps->err, ps->errlen, "%s: bad argument '%s'", kw,
			       arg);
	return 0;
}

static int uint_field(struct md_pstate *ps, const struct md_parser *pp,
		      unsigned fi, const char *kw, char *val)
{
	const struct md_field_def *fd = &pp->fields[fi];
	char arg[256] = "";
	struct md_check c = {.type = MD_CK_UFIELD, .uf.field = (uint16_t)fi};
	if (fd->flags & MD_FF_ARG) {
		char *comma = val ? strchr(val, ',') : NULL;
		if (!comma)
			return md_derr(ps->err, ps->errlen,
				       "%s needs ARG,value", kw);
		*comma = 0;
		if (norm_arg(ps, pp, fi, kw, md_dtrim(val), arg, sizeof(arg)))
			return MD_E_INVAL;
		val = md_dtrim(comma + 1);
	}
	if (fd->type == MD_FT_BOOL && (!val || !strcmp(val, "true"))) {
		c.uf.u.op = MD_UOP_NE;
	} else if (fd->type == MD_FT_BOOL && !strcmp(val, "false")) {
		c.uf.u.op = MD_UOP_EQ;
	} else if (!val) {
		return md_derr(ps->err, ps->errlen, "%s needs a value", kw);
	} else if (md_dparse_umatch(val, &c.uf.u, ps->err, ps->errlen)) {
		return MD_E_INVAL;
	}
	if (*arg && !(c.uf.arg = md_strdup(arg)))
		return MD_E_NOMEM;
	struct md_check *dst = md_dps_check(ps, false);
	if (!dst) {
		md_free(c.uf.arg);
		return MD_E_NOMEM;
	}
	*dst = c;
	ps->has_tx = true;
	return 0;
}

int md_dkw_app_dynamic(struct md_pstate *ps, const char *name, char *val)
{
	const char *dot = strchr(name, '.');
	char proto[64];
	if (!dot || (size_t)(dot - name) >= sizeof(proto))
		return 0;
	memcpy(proto, name, (size_t)(dot - name));
	proto[dot - name] = 0;
	int pid = md_registry_find(proto);
	if (pid < 0)
		return 0;
	const struct md_parser *pp = md_registry_get((size_t)pid);
	size_t fi;
	for (fi = 0; fi < pp->n_fields; fi++) {
		const struct md_field_def *fd = &pp->fields[fi];
		if (fd->type != MD_FT_GROUP && !(fd->flags & MD_FF_NOKEYWORD) &&
		    !strcmp(fd->name, dot + 1))
			break;
	}
	if (fi == pp->n_fields)
		return md_derr(ps->err, ps->errlen, "unknown keyword '%s'",
			       name);
	const struct md_field_def *fd = &pp->fields[fi];
	int rc = set_app(ps, pid);
	if (rc)
		return rc;
	note_field(ps, fd);
	if (fd->type == MD_FT_UINT || fd->type == MD_FT_BOOL) {
		rc = uint_field(ps, pp, (unsigned)fi, name, val);
		return rc ? rc : 1;
	}
	char arg[256] = "";
	if (fd->flags & MD_FF_ARG) {
		if (!val)
			return md_derr(ps->err, ps->errlen,
				       "%s needs an argument", name);
		if (norm_arg(ps, pp, (unsigned)fi, name, val, arg, sizeof(arg)))
			return MD_E_INVAL;
	} else if (val) {
		return md_derr(ps->err, ps->errlen, "%s takes no value", name);
	}
	rc = md_dps_select(ps, MD_BUF_FIELD, (int16_t)pid, (uint16_t)fi,
			   *arg ? arg : NULL);
	return rc ? rc : 1;
}

/* ---- file data and filemagic -------------------------------------- */

static int rule_pid(struct md_pstate *ps)
{
	return ps->s->app >= 0 ? ps->s->app : ps->kw_app;
}

static int kw_file_data(struct md_pstate *ps, char *val)
{
	(void)val;
	int pid = rule_pid(ps);
	if (pid < 0)
		return md_derr(ps->err, ps->errlen,
			       "file.data needs an app-layer protocol");
	const struct md_parser *pp = md_registry_get((size_t)pid);
	bool found = false;
	for (size_t i = 0; i < pp->n_fields; i++) {
		const struct md_field_def *fd = &pp->fields[i];
		if (fd->type == MD_FT_BYTES && (fd->flags & MD_FF_CHUNKED)) {
			note_field(ps, fd);
			found = true;
		}
	}
	if (!found)
		return md_derr(ps->err, ps->errlen,
			       "protocol %s has no file data", pp->name);
	int rc = set_app(ps, pid);
	return rc ? rc
		  : md_dps_select(ps, MD_BUF_FILEDATA, (int16_t)pid, 0, NULL);
}

static int kw_filemagic(struct md_pstate *ps, char *val)
{
	bool neg = *val == '!';
	if (neg)
		val = md_dtrim(val + 1);
	if (md_dunquote(val, ps->err, ps->errlen))
		return MD_E_INVAL;
	if (!*val)
		return md_derr(ps->err, ps->errlen, "empty filemagic");
	if (ps->cur < 0 || ps->s->lists[ps->cur].kind == MD_BUF_PAYLOAD) {
		int rc = kw_file_data(ps, NULL);
		if (rc)
			return rc;
	}
	char *s = md_strdup(val);
	struct md_item *it = s ? md_dps_item(ps, MD_IT_FILEMAGIC) : NULL;
	if (!it) {
		md_free(s);
		return MD_E_NOMEM;
	}
	for (char *p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	it->fm.s = (uint8_t *)s;
	it->fm.len = (uint32_t)strlen(s);
	it->fm.nocase = true;
	it->fm.negated = neg;
	ps->d->need_magic = true;
	ps->s->has_filemagic = true;
	return 0;
}

/* ---- events and protocols ------------------------------------------ */

static int kw_app_proto(struct md_pstate *ps, char *val)
{
	struct md_check c = {.type = MD_CK_APPPROTO, .ap.pid = -1};
	if (*val == '!') {
		c.ap.neg = true;
		val = md_dtrim(val + 1);
	}
	if (!strcmp(val, "unknown")) {
		c.ap.special = 1;
	} else if (!strcmp(val, "failed")) {
		c.ap.special = 2;
	} else {
		int pid = md_registry_find(val);
		if (pid < 0 && md_dkw_known_unsupported(val)) {
			md_derr(ps->err, ps->errlen,
				"protocol '%s' is not supported", val);
			return MD_E_UNSUPPORTED;
		}
		if (pid < 0)
			return md_derr(ps->err, ps->errlen,
				       "unknown app-layer protocol '%s'", val);
		c.ap.pid = (int16_t)pid;
	}
	struct md_check *dst = md_dps_check(ps, false);
	if (!dst)
		return MD_E_NOMEM;
	*dst = c;
	return 0;
}

static int kw_app_event(struct md_pstate *ps, char *val)
{
	char *dot = strchr(val, '.');
	if (!dot)
		return md_derr(ps->err, ps->errlen,
			       "app-layer-event needs <proto>.<event>");
	*dot = 0;
	const char *ev = dot + 1;
	struct md_check c = {.type = MD_CK_APP_EV, .ev.pid = -1};
	bool found = false;
	if (!strcmp(val, "app_layer") || !strcmp(val, "applayer")) {
		for (unsigned i = 0; i < MD_APP_EV_MAX && !found; i++)
			if (!strcmp(md_applayer_event_name(i), ev)) {
				c.ev.ev = (uint16_t)i;
				found = true;
			}
	} else {
		int pid = md_registry_find(val);
		if (pid < 0) {
			if (md_dkw_known_unsupported(val)) {
				md_derr(ps->err, ps->errlen,
					"protocol '%s' is not supported", val);
				return MD_E_UNSUPPORTED;
			}
			return md_derr(ps->err, ps->errlen,
				       "unknown app-layer-event protocol '%s'",
				       val);
		}
		const struct md_parser *pp = md_registry_get((size_t)pid);
		for (size_t i = 0; i < pp->n_events && !found; i++)
			if (!strcmp(pp->events[i].name, ev)) {
				c.ev.ev = (uint16_t)i;
				found = true;
			}
		c.ev.pid = (int16_t)pid;
		if (found && set_app(ps, pid))
			return MD_E_INVAL;
	}
	if (!found)
		return md_derr(ps->err, ps->errlen, "unknown event '%s.%s'",
			       val, ev);
	struct md_check *dst = md_dps_check(ps, false);
	if (!dst)
		return MD_E_NOMEM;
	*dst = c;
	ps->s->has_app_ev = true;
	return 0;
}

static int kw_decode_event(struct md_pstate *ps, char *val)
{
	const char *name = val;
	if (!strncmp(name, "decoder.", 8))
		name += 8;
	for (unsigned i = 0; i < MD_DEV_MAX; i++)
		if (!strcmp(md_decode_event_name(i), name)) {
			struct md_check *c = md_dps_check(ps, false);
			if (!c)
				return MD_E_NOMEM;
			c->type = MD_CK_DECODE_EV;
			c->ev.ev = (uint16_t)i;
			ps->s->has_decode_ev = true;
			return 0;
		}
	return md_derr(ps->err, ps->errlen, "unknown decode event '%s'", val);
}

static int header_int(struct md_pstate *ps, char *val, uint8_t type)
{
	struct md_umatch u;
	if (md_dparse_umatch(val, &u, ps->err, ps->errlen))
		return MD_E_INVAL;
	struct md_check *c = md_dps_check(ps, false);
	if (!c)
		return MD_E_NOMEM;
	c->type = type;
	c->u = u;
	return 0;
}

/* flags:[modifier]FSRPAUCE0[modifier][,ignore]: + all of these (others
 * allowed), * any of these, ! none of these; default exactly these. */
static int tcp_bits(const char *s, uint8_t *out, uint8_t *mod)
{
	static const char names[] = "FSRPAUCE";
	*out = 0;
	for (; *s; s++) {
		const char *k = strchr(names, toupper((unsigned char)*s));
		if (*s == '1' || *s == '2')
			*out |= *s == '1' ? MD_TH_CWR : MD_TH_ECE;
		else if (*s == '+' || *s == '*' || *s == '!')
			*mod = *s == '+'   ? MD_FLM_ALL
			       : *s == '*' ? MD_FLM_ANY
					   : MD_FLM_NONE;
		else if (k && *k)
			*out |= (uint8_t)(1u << (k - names));
		else if (*s != '0')
			return -1;
	}
	return 0;
}

static int kw_flags(struct md_pstate *ps, char *val)
{
	char *comma = strchr(val, ',');
	struct md_check c = {.type = MD_CK_TCPFLAGS};
	uint8_t dummy = 0;
	if (comma)
		*comma = 0;
	if (tcp_bits(md_dtrim(val), &c.tf.set, &c.tf.mod) ||
	    (comma && tcp_bits(md_dtrim(comma + 1), &c.tf.ignore, &dummy)))
		return md_derr(ps->err, ps->errlen, "bad flags '%s'", val);
	struct md_check *dst = md_dps_check(ps, false);
	if (!dst)
		return MD_E_NOMEM;
	*dst = c;
	return 0;
}

static int kw_seq(struct md_pstate *ps, char *v)
{
	return header_int(ps, v, MD_CK_SEQ);
}
static int kw_ack(struct md_pstate *ps, char *v)
{
	return header_int(ps, v, MD_CK_ACK);
}
static int kw_window(struct md_pstate *ps, char *v)
{
	return header_int(ps, v, MD_CK_WINDOW);
}
static int kw_ip_proto(struct md_pstate *ps, char *v)
{
	static const struct {
		const char *n;
		const char *num;
	} names[] = {{"tcp", "6"},	  {"udp", "17"},    {"icmp", "1"},
		     {"ipv6-icmp", "58"}, {"icmpv6", "58"}, {"gre", "47"},
		     {"esp", "50"},	  {"sctp", "132"}};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(v, names[i].n))
			return header_int(ps, (char *)names[i].num,
					  MD_CK_IPPROTO);
	return header_int(ps, v, MD_CK_IPPROTO);
}

static int kw_ttl(struct md_pstate *ps, char *v)
{
	return header_int(ps, v, MD_CK_TTL);
}
static int kw_itype(struct md_pstate *ps, char *v)
{
	return header_int(ps, v, MD_CK_ITYPE);
}
static int kw_icode(struct md_pstate *ps, char *v)
{
	return header_int(ps, v, MD_CK_ICODE);
}

/* ---- dataset ----------------------------------------------------------- */

static char *rel_path(const char *dir, const char *f)
{
	if (*f == '/' || !dir) {
		return md_strdup(f);
	}
	size_t n = strlen(dir) + strlen(f) + 2;
	char *p = md_malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", dir, f);
	return p;
}

static int ds_option(struct md_pstate *ps, char *o, struct md_dataset_opts *d,
		     char **load, char **save)
{
	char *arg = o;
	while (*arg && !isspace((unsigned char)*arg))
		arg++;
	if (*arg)
		*arg++ = 0;
	arg = md_dtrim(arg);
	uint64_t v;
	const char *ddir = ps->d->data_dir ? ps->d->data_dir : ps->d->rule_dir;
	if (!strcmp(o, "type") && md_dataset_type(arg) >= 0)
		d->type = md_dataset_type(arg);
	else if (!strcmp(o, "load") && *arg && !*load)
		*load = rel_path(ps->d->rule_dir, arg);
	else if (!strcmp(o, "save") && *arg && !*save)
		*save = rel_path(ddir, arg);
	else if (!strcmp(o, "state") && *arg && !*load && !*save) {
		*load = rel_path(ddir, arg);
		*save = *load ? md_strdup(*load) : NULL;
		d->load_optional = true;
	} else if (!strcmp(o, "memcap") && !md_parse_size(arg, &v))
		d->memcap = v;
	else if (!strcmp(o, "hashsize") && !md_dparse_u64(arg, &v) &&
		 v <= (1u << 24))
		d->hashsize = (uint32_t)v;
	else
		return md_derr(ps->err, ps->errlen,
			       "dataset: bad option '%s %s'", o, arg);
	return 0;
}

static int kw_dataset(struct md_pstate *ps, char *val)
{
	static const char *const cmds[] = {"set", "isset", "isnotset", "unset"};
	char *parts[10];
	int n = md_dsplit(val, parts, 10);
	if (n < 2)
		return md_derr(ps->err, ps->errlen,
			       "dataset needs a command and a name");
	int cmd;
	for (cmd = 0; cmd < 4 && strcmp(parts[0], cmds[cmd]); cmd++)
		;
	if (cmd == 4)
		return md_derr(ps->err, ps->errlen,
			       "dataset: unknown command '%s'", parts[0]);
	struct md_dataset_opts o = {.name = parts[1], .type = -1};
	char *load = NULL, *save = NULL;
	int rc = 0;
	for (int i = 2; i < n && !rc; i++)
		rc = ds_option(ps, parts[i], &o, &load, &save);
	struct md_dataset *set = NULL;
	if (!rc) {
		o.load = load;
		o.save = save;
		char e[400];
		rc = md_dataset_get(ps->d->ds, &o, &set, e, sizeof(e));
		if (rc && rc != MD_E_NOMEM)
			rc = md_derr(ps->err, ps->errlen, "%s", e);
	}
	md_free(load);
	md_free(save);
	if (rc)
		return rc;
	struct md_item *it = md_dps_item(ps, MD_IT_DATASET);
	if (!it)
		return MD_E_NOMEM;
	it->ds.set = set;
	it->ds.cmd = (uint8_t)cmd;
	return 0;
}

/* ---- keywords of protocols and features medids lacks ------------------ */

static const char *const unsup_exact[] = {
    "http",
    "http1",
    "http2",
    "dns",
    "tls",
    "ssl",
    "smb",
    "dcerpc",
    "ftp",
    "ftp-data",
    "ssh",
    "smtp",
    "imap",
    "pop3",
    "nfs",
    "ntp",
    "tftp",
    "krb5",
    "dhcp",
    "snmp",
    "sip",
    "rfb",
    "mqtt",
    "rdp",
    "modbus",
    "dnp3",
    "enip",
    "ike",
    "ikev2",
    "quic",
    "pgsql",
    "telnet",
    "websocket",
    "ldap",
    "doh2",
    "mdns",
    "bittorrent-dht",
    "sdp",
    "arp",
    "fragbits",
    "fragoffset",
    "ipopts",
    "id",
    "tos",
    "sameip",
    "icmp_id",
    "icmp_seq",
    "stream_size",
    "uricontent",
    "urilen",
    "filename",
    "fileext",
    "filestore",
    "filemd5",
    "filesha1",
    "filesha256",
    "filesize",
    "xbits",
    "hostbits",
    "iprep",
    "datarep",
    "lua",
    "luajit",
    "tag",
    "replace",
    "byte_math",
    "entropy",
    "base64_decode",
    "base64_data",
    "rpc",
    "asn1",
    "bypass",
    "config",
    "pktvar",
    "flowvar",
    "prefilter",
    "to_md5",
    "to_sha1",
    "to_sha256",
    "to_lowercase",
    "to_uppercase",
    "strip_whitespace",
    "compress_whitespace",
    "dotprefix",
    "url_decode",
    "xor",
    "pcrexform",
    "from_base64",
    "requires",
    "absent",
    "ja3_hash",
    "ja3s_hash",
    "ssl_state",
    "ssl_version",
    "tcp.mss",
    "tcp.hdr",
    "stream-event",
    "geoip",
    "frame",
    "file.name",
    "file.magic",
    "file.mime",
    "ip.src",
    "ip.dst",
    "threshold_by_flow",
    "nfq_set_mark",
    "cip_service",
    "enip_command",
    "dnp3_func",
    "dnp3_ind",
    "dnp3_obj",
    "dnp3_data",
    "modbus_func",
    "app-layer-state",
    "flow.age",
    "flow.pkts",
    "flow.bytes",
    "icmpv4.hdr",
    "icmpv6.hdr",
    "ipv4.hdr",
    "ipv6.hdr",
    "udp.hdr",
    "ether.hdr",
    NULL,
};

static const char *const unsup_prefix[] = {
    "http_",  "http.",	"http2.",     "dns.",	    "dns_",    "tls.",
    "tls_",   "ssl_",	"smb.",	      "smb_",	    "ftp.",    "ftpbounce",
    "ssh.",   "ssh_",	"krb5",	      "dhcp.",	    "snmp.",   "sip.",
    "rfb.",   "mqtt.",	"modbus",     "dnp3",	    "enip",    "cip",
    "ike.",   "quic.",	"ja3",	      "ja4",	    "nfs",     "dcerpc",
    "smtp.",  "email.", "pgsql.",     "websocket.", "ldap.",   "rdp.",
    "tftp.",  "ntp.",	"sdp.",	      "file.",	    "file_",   "pop3.",
    "imap.",  "mdns.",	"bittorrent", "vlan.",	    "dce_",    "ftpdata",
    "tcp.",   "udp.",	"ipv4.",      "ipv6.",	    "icmpv4.", "icmpv6.",
    "ether.", "ip.",	"pkt.",	      "stream.",    "flow.",   NULL,
};

bool md_dkw_known_unsupported(const char *name)
{
	for (size_t i = 0; unsup_exact[i]; i++)
		if (!strcasecmp(unsup_exact[i], name))
			return true;
	for (size_t i = 0; unsup_prefix[i]; i++)
		if (!strncasecmp(unsup_prefix[i], name,
				 strlen(unsup_prefix[i])))
			return true;
	return false;
}

const struct md_kw md_dkw_app[] = {
    {"app-layer-protocol", kw_app_proto, MD_KW_VALUE,
     "flow's app-layer protocol [!]name|unknown|failed"},
    {"app-layer-event", kw_app_event, MD_KW_VALUE,
     "app-layer event <proto>.<event> (or app_layer.<event>)"},
    {"decode-event", kw_decode_event, MD_KW_VALUE,
     "decoder event <layer>.<name> on the packet"},
    {"file.data", kw_file_data, MD_KW_NOVALUE,
     "sticky buffer: the protocol's streamed file/body data"},
    {"file_data", kw_file_data, MD_KW_NOVALUE, "alias of file.data"},
    {"filemagic", kw_filemagic, MD_KW_VALUE,
     "libmagic description of the file data contains the string"},
    {"dataset", kw_dataset, MD_KW_VALUE,
     "set|isset|isnotset|unset,name[,type T,load F,save F,state F]"},
    {"ttl", kw_ttl, MD_KW_VALUE, "IP time to live (integer)"},
    {"itype", kw_itype, MD_KW_VALUE, "ICMP type (integer)"},
    {"icode", kw_icode, MD_KW_VALUE, "ICMP code (integer)"},
    {"flags", kw_flags, MD_KW_VALUE,
     "TCP flags FSRPAUCE0 with + * ! modifiers [,ignored]"},
    {"tcp.flags", kw_flags, MD_KW_VALUE, "alias of flags"},
    {"seq", kw_seq, MD_KW_VALUE, "TCP sequence number (integer)"},
    {"ack", kw_ack, MD_KW_VALUE, "TCP acknowledgment number (integer)"},
    {"window", kw_window, MD_KW_VALUE, "TCP window (integer)"},
    {"ip_proto", kw_ip_proto, MD_KW_VALUE,
     "IP protocol number or name (integer)"},
    {NULL, NULL, 0, NULL},
};
