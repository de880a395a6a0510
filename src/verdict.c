/* verdict.c - verdict bookkeeping: exception policy names, ips counters,
 * the exception `anomaly` record and the per-worker held-packet state
 * (see verdict.h). The decisions themselves are taken in engine-inline.c.
 */
#include "verdict.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mem.h"

static const char *const policy_names[] = {"pass-flow", "drop-flow", "ignore"};
static const char *const target_names[MD_EXC_MAX] = {
    "flow.memcap", "tcp.ssn_memcap", "tcp.reassembly", "app_layer.memcap",
    "app_layer.error"};

void md_inline_cfg_defaults(struct md_inline_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (int i = 0; i < MD_EXC_MAX; i++)
		cfg->policy[i] = MD_EXC_PASS_FLOW;
	cfg->max_held = 512;
	cfg->hold_timeout_ms = 1000;
}

int md_exc_policy_parse(const char *s)
{
	for (int i = 0; i < 3; i++)
		if (s && !strcmp(s, policy_names[i]))
			return i;
	return -1;
}

const char *md_exc_policy_name(enum md_exc_policy p)
{
	return (unsigned)p < 3 ? policy_names[p] : "unknown";
}

const char *md_exc_target_name(enum md_exc_target t)
{
	return (unsigned)t < MD_EXC_MAX ? target_names[t] : "unknown";
}

int md_vstate_init(struct md_vstate *vs, const struct md_inline_cfg *cfg,
		   const struct md_verdict_ops *ops)
{
	memset(vs, 0, sizeof(*vs));
	vs->cfg = *cfg;
	if (ops)
		vs->ops = *ops;
	if (!vs->cfg.max_held)
		return 0;
	vs->held = md_calloc(vs->cfg.max_held, sizeof(*vs->held));
	return vs->held ? 0 : MD_E_NOMEM;
}

void md_vstate_fini(struct md_vstate *vs)
{
	md_free(vs->held);
	vs->held = NULL;
	vs->n_held = 0;
}

void md_verdict_count(struct md_counters *c, enum md_verdict v, int reason)
{
	switch (v) {
	case MD_VERDICT_ACCEPT:
		MD_INC(c, IPS_ACCEPTED);
		return;
	case MD_VERDICT_REJECT:
		MD_INC(c, IPS_REJECTED);
		break;
	default:
		MD_INC(c, IPS_BLOCKED);
		break;
	}
	if (reason >= 0 && reason < MD_CTR_MAX)
		c->v[reason]++;
}

void md_eve_exception(struct md_eve *eve, const struct md_flow *f,
		      const struct md_packet *p, enum md_exc_target t,
		      enum md_exc_policy pol, uint64_t ts_usec)
{
	char name[96], stack[1024];
	struct md_jb jb;
	if (!eve || !(eve->types & MD_EVE_ANOMALY))
		return;
	md_jb_init_buf(&jb, stack, sizeof(stack));
	md_eve_jb_header(&jb, "anomaly", ts_usec, f, p, p && f ? p->dir : -1);
	md_jb_open(&jb, "anomaly");
	md_jb_str(&jb, "type", "exception_policy");
	snprintf(name, sizeof(name), "exception_policy.%s",
		 md_exc_target_name(t));
	md_jb_str(&jb, "event", name);
	md_jb_str(&jb, "layer", md_exc_policy_name(pol));
	md_jb_close(&jb);
	md_jb_close(&jb);
	md_eve_write_jb(eve, MD_EVE_ANOMALY, &jb);
	md_jb_free(&jb);
}

/* ---- reject: resets and ICMP errors ----------------------------------------
 *
 * A reset to the packet's source comes from its destination's address and
 * port, with seq = the packet's ACK (RFC 9293 3.10.7: acceptable) and
 * ACK = the end of the packet's sequence space; a reset to the
 * destination continues the packet's own sequence (seq = its SEQ, which
 * the destination expects next since the packet was dropped):
 *
 *   client --[seq S ack A len L]--> medids (drop) -x-> server
 *   client <--RST|ACK seq A ack S+L--  medids  --RST|ACK seq S ack A--> server
 */

int md_reject_open(struct md_reject *r)
{
	r->raw4 = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	r->raw6 = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	r->icmp4 = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	r->icmp6 = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	return r->raw4 >= 0 ? 0 : MD_E_IO;
}

void md_reject_close(struct md_reject *r)
{
	int *fds[] = {&r->raw4, &r->raw6, &r->icmp4, &r->icmp6};
	for (size_t i = 0; i < 4; i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
}

static uint32_t sum16(uint32_t s, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void put32(uint8_t *b, uint32_t v)
{
	put16(b, (uint16_t)(v >> 16));
	put16(b + 2, (uint16_t)v);
}

/* One reset from (sa:sp) to (da:dp) through the raw socket. */
static unsigned send_rst(const struct md_reject *r, int ver,
			 const struct md_addr *sa, const struct md_addr *da,
			 uint16_t sp, uint16_t dp, uint32_t seq, uint32_t ack)
{
	uint8_t b[60] = {0};
	size_t ipl = ver == 4 ? 20 : 40, alen = ver == 4 ? 4 : 16;
	uint8_t *t = b + ipl;
	int fd = ver == 4 ? r->raw4 : r->raw6;
	if (fd < 0)
		return 0;
	if (ver == 4) {
		b[0] = 0x45;
		put16(b + 2, 40);
		b[6] = 0x40; /* DF */
		b[8] = 64;
		b[9] = 6;
		memcpy(b + 12, sa->b, 4);
		memcpy(b + 16, da->b, 4);
		put16(b + 10, fold(sum16(0, b, 20)));
	} else {
		b[0] = 0x60;
		put16(b + 4, 20);
		b[6] = 6;
		b[7] = 64;
		memcpy(b + 8, sa->b, 16);
		memcpy(b + 24, da->b, 16);
	}
	put16(t, sp);
	put16(t + 2, dp);
	put32(t + 4, seq);
	put32(t + 8, ack);
	t[12] = 5 << 4;
	t[13] = MD_TH_RST | MD_TH_ACK;
	uint32_t s = sum16(0, sa->b, alen);
	s = sum16(s, da->b, alen) + 6 + 20;
	put16(t + 16, fold(sum16(s, t, 20)));

	struct sockaddr_storage ss = {0};
	socklen_t sl;
	if (ver == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, da->b, 4);
		sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, da->b, 16);
		sl = sizeof(*s6);
	}
	return sendto(fd, b, ipl + 20, 0, (struct sockaddr *)&ss, sl) > 0;
}

/* ICMP port unreachable to the source of a UDP datagram, quoting it. */
static unsigned send_unreach(const struct md_reject *r,
			     const struct md_packet *p, const uint8_t *ip,
			     uint32_t iplen)
{
	uint8_t b[8 + 40 + 8 + 512] = {0};
	size_t q = p->ip_ver == 4
		       ? (size_t)(p->l4 && p->l4 >= ip ? p->l4 - ip + 8 : 28)
		       : 512;
	int fd = p->ip_ver == 4 ? r->icmp4 : r->icmp6;
	if (fd < 0 || !ip || !iplen)
		return 0;
	if (q > iplen)
		q = iplen;
	if (q > sizeof(b) - 8)
		q = sizeof(b) - 8;
	b[0] = p->ip_ver == 4 ? 3 : 1; /* destination unreachable */
	b[1] = p->ip_ver == 4 ? 3 : 4; /* port unreachable */
	memcpy(b + 8, ip, q);
	if (p->ip_ver == 4)
		put16(b + 2, fold(sum16(0, b, 8 + q)));
	/* ICMPv6: the kernel fills the checksum of raw ICMPv6 sockets */
	struct sockaddr_storage ss = {0};
	socklen_t sl;
	if (p->ip_ver == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, p->src.b, 4);
		sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, p->src.b, 16);
		sl = sizeof(*s6);
	}
	return sendto(fd, b, 8 + q, 0, (struct sockaddr *)&ss, sl) > 0;
}

unsigned md_reject_send(const struct md_reject *r, const struct md_packet *p,
			const uint8_t *ip, uint32_t iplen, uint8_t to)
{
	if (p->ip_ver != 4 && p->ip_ver != 6)
		return 0;
	if (p->proto == 17)
		return (to & 1) ? send_unreach(r, p, ip, iplen) : 0;
	if (p->proto != 6 || !(p->flags & MD_PKT_L4) ||
	    (p->tcp_flags & MD_TH_RST))
		return 0;
	uint32_t len = p->payload_len + ((p->tcp_flags & MD_TH_SYN) ? 1u : 0u) +
		       ((p->tcp_flags & MD_TH_FIN) ? 1u : 0u);
	unsigned n = 0;
	if (to & 1)
		n += send_rst(r, p->ip_ver, &p->dst, &p->src, p->dp, p->sp,
			      (p->tcp_flags & MD_TH_ACK) ? p->tcp_ack : 0,
			      p->tcp_seq + len);
	if ((to & 2) && (p->tcp_flags & MD_TH_ACK))
		n += send_rst(r, p->ip_ver, &p->src, &p->dst, p->sp, p->dp,
			      p->tcp_seq, p->tcp_ack);
	return n;
}
