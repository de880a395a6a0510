/* test-decode.c - unit tests of the link, IP and transport decoders.
 *
 * Packets are built by hand (Ethernet, VLAN tags, SLL/SLL2, NULL/LOOP,
 * IPv4 with options, IPv6 with each extension header, TCP/UDP/ICMP) with
 * checksums from an independent reference sum, then copied into a heap
 * buffer of exactly caplen bytes so any read past the end trips the
 * address sanitizer. Every decode event is produced by at least one test;
 * a fuzz test mutates valid packets (truncation, bit flips).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/dlt.h>

#include "decode.h"
#include "harness.h"
#include "md-parser.h"
#include "mem.h"

/* ---- packet building ---------------------------------------------- */

struct buf {
	uint8_t b[4096];
	uint32_t n;
};

static const uint8_t src4[4] = {10, 0, 0, 1}, dst4[4] = {10, 0, 0, 2};
static const uint8_t src6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t dst6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
static const uint8_t mac_dst[6] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
static const uint8_t mac_src[6] = {0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};

static void put(struct buf *k, const void *d, uint32_t n)
{
	if (n)
		memcpy(k->b + k->n, d, n);
	k->n += n;
}

static void put8(struct buf *k, uint8_t v)
{
	k->b[k->n++] = v;
}

static void put16(struct buf *k, uint16_t v)
{
	put8(k, (uint8_t)(v >> 8));
	put8(k, (uint8_t)v);
}

static void put32(struct buf *k, uint32_t v)
{
	put16(k, (uint16_t)(v >> 16));
	put16(k, (uint16_t)v);
}

static void set16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

/* Reference one's-complement sum, written independently of the code
 * under test: byte by byte, high byte at even positions. */
static uint32_t ref_sum(const uint8_t *a, size_t n, uint32_t s)
{
	for (size_t i = 0; i < n; i++)
		s += (i & 1) ? a[i] : (uint32_t)a[i] << 8;
	return s;
}

static uint16_t ref_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static int csum_off(uint8_t proto)
{
	return proto == 6		     ? 16
	       : proto == 17		     ? 6
	       : (proto == 1 || proto == 58) ? 2
					     : -1;
}

static void l4_csum(uint8_t *l4, uint32_t n, uint8_t proto, int ver)
{
	int off = csum_off(proto);
	uint32_t s = 0;
	uint16_t v;

	if (off < 0 || n < (uint32_t)off + 2)
		return;
	l4[off] = l4[off + 1] = 0;
	if (ver == 4 && proto != 1)
		s = ref_sum(dst4, 4, ref_sum(src4, 4, 0)) + proto + n;
	else if (ver == 6)
		s = ref_sum(dst6, 16, ref_sum(src6, 16, 0)) + proto + n;
	v = ref_fold(ref_sum(l4, n, s));
	if (proto == 17 && v == 0)
		v = 0xffff;
	set16(l4 + off, v);
}

static void eth(struct buf *k, uint16_t type)
{
	put(k, mac_dst, 6);
	put(k, mac_src, 6);
	put16(k, type);
}

static void tag(struct buf *k, uint16_t tci, uint16_t type)
{
	put16(k, tci);
	put16(k, type);
}

static void tcp(struct buf *s, uint8_t flags, const uint8_t *opt,
		uint32_t optlen, const char *pl)
{
	put16(s, 40000);
	put16(s, 104);
	put32(s, 0x01020304);
	put32(s, 0x0a0b0c0d);
	put8(s, (uint8_t)(((20 + optlen) / 4) << 4));
	put8(s, flags);
	put16(s, 0x7210);
	put32(s, 0); /* checksum, urgent */
	put(s, opt, optlen);
	put(s, pl, (uint32_t)strlen(pl));
}

static void udp(struct buf *s, const char *pl)
{
	put16(s, 5353);
	put16(s, 2575);
	put16(s, (uint16_t)(8 + strlen(pl)));
	put16(s, 0);
	put(s, pl, (uint32_t)strlen(pl));
}

static void icmp(struct buf *s, uint8_t type, const char *pl)
{
	put8(s, type);
	put8(s, 0);
	put16(s, 0);
	put32(s, 0x00010002);
	put(s, pl, (uint32_t)strlen(pl));
}

/* IPv4 header (with options), then seg; checksums filled in. */
static uint8_t *ip4(struct buf *k, uint8_t proto, const struct buf *seg,
		    const uint8_t *opt, uint32_t optlen)
{
	uint8_t *h = k->b + k->n;
	uint32_t hl = 20 + optlen;

	put8(k, (uint8_t)(0x40 | hl / 4));
	put8(k, 0);
	put16(k, (uint16_t)(hl + seg->n));
	put16(k, 0x1234);
	put16(k, 0x4000);
	put8(k, 64);
	put8(k, proto);
	put16(k, 0);
	put(k, src4, 4);
	put(k, dst4, 4);
	put(k, opt, optlen);
	put(k, seg->b, seg->n);
	l4_csum(h + hl, seg->n, proto, 4);
	set16(h + 10, ref_fold(ref_sum(h, hl, 0)));
	return h;
}

/* IPv6 header, extension headers ext (first type nh), final protocol
 * proto carried in seg. */
static uint8_t *ip6(struct buf *k, uint8_t nh, const uint8_t *ext,
		    uint32_t extlen, uint8_t proto, const struct buf *seg)
{
	uint8_t *h = k->b + k->n;

	put32(k, 0x60000000);
	put16(k, (uint16_t)(extlen + seg->n));
	put8(k, nh);
	put8(k, 63);
	put(k, src6, 16);
	put(k, dst6, 16);
	put(k, ext, extlen);
	put(k, seg->b, seg->n);
	l4_csum(h + 40 + extlen, seg->n, proto, 6);
	return h;
}

/* ---- decoding ------------------------------------------------------- */

static struct md_counters ctr;
static struct md_decode_ctx ctx;
static struct md_packet pk;
static uint8_t *cur; /* the packet being decoded, on a guard page */
static void *guard;

#define CTR(id) (ctr.v[MD_CTR_##id])

static void reinit(const struct md_decode_cfg *cfg)
{
	md_decode_fini(&ctx);
	memset(&ctr, 0, sizeof(ctr));
	assert_int_equal(md_decode_init(&ctx, cfg, &ctr), 0);
}

static void reinit_csum(void)
{
	struct md_decode_cfg cfg = {.csum_check = true};

	reinit(&cfg);
}

static int setup(void **state)
{
	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	reinit(NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	md_packet_release(&pk);
	md_decode_fini(&ctx);
	md_guard_free(guard);
	guard = NULL;
	return 0;
}

/* Decode a copy of b that ends right before an unmapped page. */
static int run_bytes(const uint8_t *b, uint32_t n, int linktype)
{
	md_packet_release(&pk);
	md_guard_free(guard);
	cur = md_guard_copy(b, n, &guard);
	memset(&pk, 0, sizeof(pk));
	pk.data = cur;
	pk.caplen = pk.wirelen = n;
	pk.linktype = linktype;
	pk.ts_usec = 1000000;
	return md_decode(&ctx, &pk);
}

static int run(const struct buf *k, int linktype)
{
	return run_bytes(k->b, k->n, linktype);
}

static bool has_ev(unsigned ev)
{
	for (unsigned i = 0; i < pk.n_events; i++)
		if (pk.events[i] == ev)
			return true;
	return false;
}

#define EXPECT_EV(id)                                                          \
	do {                                                                   \
		assert_true(has_ev(MD_DEV_##id));                              \
		assert_int_equal(CTR(DEV_##id), 1);                            \
	} while (0)

/* Expect rc and exactly the one event ev. */
static void expect_only(int rc_got, int rc, unsigned ev)
{
	assert_int_equal(rc_got, rc);
	assert_int_equal(pk.n_events, 1);
	assert_int_equal(pk.events[0], ev);
	if (rc == MD_DECODE_INVALID)
		assert_true(pk.flags & MD_PKT_INVALID);
}

static const uint8_t tcp_opts[] = {
    2, 4, 0x05, 0xb4,			      /* MSS 1460 */
    1, 3, 3,	7,			      /* NOP, window scale 7 */
    4, 2, 8,	10,   0, 0, 0, 1, 0, 0, 0, 2, /* SACK-permitted, timestamps */
};

/* Ethernet + IPv4 + TCP with options, the base of many tests. */
static void build_eth_v4_tcp(struct buf *k)
{
	struct buf s = {.n = 0};

	tcp(&s, 0x18, tcp_opts, sizeof(tcp_opts), "hello");
	eth(k, 0x0800);
	ip4(k, 6, &s, NULL, 0);
}

/* ---- link layers ---------------------------------------------------- */

static void t_eth_ipv4_tcp(void **state)
{
	struct buf k = {.n = 0};

	(void)state;
	build_eth_v4_tcp(&k);
	assert_int_equal(run(&k, DLT_EN10MB), MD_DECODE_OK);
	assert_int_equal(pk.n_events, 0);
	assert_int_equal(pk.flags, MD_PKT_HAS_ETH | MD_PKT_IPV4 | MD_PKT_L4);
	assert_memory_equal(pk.dst_mac, mac_dst, 6);
	assert_memory_equal(pk.src_mac, mac_src, 6);
	assert_int_equal(pk.ip_ver, 4);
	assert_int_equal(pk.proto, 6);
	assert_int_equal(pk.ttl, 64);
	assert_memory_equal(pk.src.b, src4, 4);
	assert_memory_equal(pk.dst.b, dst4, 4);
	assert_int_equal(pk.src.b[4] | pk.dst.b[15], 0);
	assert_ptr_equal(pk.l3, cur + 14);
	assert_int_equal(pk.l3_len, 20 + 20 + sizeof(tcp_opts) + 5);
	assert_ptr_equal(pk.l4, cur + 34);
	assert_int_equal(pk.l4_len, 20 + sizeof(tcp_opts) + 5);
	assert_int_equal(pk.sp, 40000);
	assert_int_equal(pk.dp, 104);
	assert_int_equal(pk.tcp_seq, 0x01020304);
	assert_int_equal(pk.tcp_ack, 0x0a0b0c0d);
	assert_int_equal(pk.tcp_flags, MD_TH_PSH | MD_TH_ACK);
	assert_int_equal(pk.tcp_win, 0x7210);
	assert_int_equal(pk.tcp_mss, 1460);
	assert_int_equal(pk.tcp_wscale, 7);
	assert_true(pk.tcp_sackok);
	assert_int_equal(pk.payload_len, 5);
	assert_memory_equal(pk.payload, "hello", 5);
	assert_int_equal(CTR(DEC_PKTS), 1);
	assert_int_equal(CTR(DEC_BYTES), k.n);
	assert_int_equal(CTR(DEC_MAX_PKT_SIZE), k.n);
	assert_int_equal(CTR(DEC_ETHERNET), 1);
	assert_int_equal(CTR(DEC_IPV4), 1);
	assert_int_equal(CTR(DEC_TCP), 1);
	assert_int_equal(CTR(DEC_INVALID), 0);
}

/* Ethernet pads frames to 60 bytes: the IP length decides. */
static void t_eth_padding_trimmed(void **state)
{
	struct buf k = {.n = 0}, s = {.n = 0}, none = {.n = 0};

	(void)state;
	udp(&s, "hi");
	eth(&k, 0x0800);
	ip4(&k, 17, &s, NULL, 0);
	k.n = 60;
	assert_int_equal(run(&k, DLT_EN10MB), MD_DECODE_OK);
	assert_int_equal(pk.n_events, 0);
	assert_int_equal(pk.l3_len, 30);
	assert_int_equal(pk.payload_len, 2);
	k.n = 0;
	eth(&k, 0x86dd);
	ip6(&k, 59, NULL, 0, 59, &none); /* no next header, then padding */
	k.n = 60;
	assert_int_equal(run(&k, DLT_EN10MB), MD_DECODE_OK);
	assert_int_equal(pk.n_events, 0);
	assert_int_equal(pk.l3_len, 40);
}

static void t_eth_nonip(void **state)
{
	struct buf k = {.n = 0};

	(void)state;
	eth(&k, 0x0806);
	put(&k, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
	assert_int_equal(run(&k, DLT_EN10MB), MD_DECODE_NONIP);
	assert_int_equal(CTR(DEC_ARP), 1);
	assert_true(pk.flags & MD_PKT_HAS_ETH);
	assert_int_equal(pk.ip_ver, 0);
	k.n = 0;
	eth(&k, 0x88cc); /* LLDP */
	assert_int_equal(run(&k, DLT_EN10MB), MD_DECODE_NONIP);
	k.n = 0;
	eth(&k, 0x0026); /* 802.3 length field */
	assert_int_equal(run(&k, DLT_EN10MB), MD_DECODE_NONIP);
	assert_int_equal(CTR(DEC_UNKNOWN_ETHERTYPE), 2);
	assert_int_equal(pk.n_events, 0);
}

/* Up to two tags; PCP and DEI bits are not part of the id. */
static void vlan_case(uint16_t outer, uint16_t inner, unsigned n)
{
	struct buf k = {.n = 0}, s = {.n = 0};

	udp(&s, "vlan");
	eth(&k, outer);
	if (n == 3)
		tag(&k, 5, 0x8100);
	if (n >= 2)
		tag(&k, 0x2000 | 10, inner);
	tag(&k, 0xf000 | 20, 0x0800);
	ip4(&k, 17, &s, NULL, 0);
	if (n == 3) {
		expect_only(run(&k, DLT_EN10MB), MD_DECODE_INVALID,
			    MD_DEV_VLAN_TOO_MANY_LAYERS);
		return;
	}
	assert_int_equal(run(&k, DLT_EN10MB), MD_DECODE_OK);
	assert_int_equal(pk.n_events, 0);
	assert_int_equal(pk.vlan_cnt, n);
	assert_int_equal(pk.vlan[0], n == 2 ? 10 : 20);
	assert_int_equal(pk.vlan[1], n == 2 ? 20 : 0);
	assert_int_equal(pk.payload_len, 4);
}

static void t_vlan(void **state)
{
	(void)state;
	vlan_case(0x8100, 0, 1);
	assert_int_equal(CTR(DEC_VLAN), 1);
	assert_int_equal(CTR(DEC_VLAN_QINQ), 0);
	vlan_case(0x88a8, 0x8100, 2);
	vlan_case(0x9100, 0x8100, 2);
	vlan_case(0x8100, 0x8100, 2);
	assert_int_equal(CTR(DEC_VLAN), 4);
	assert_int_equal(CTR(DEC_VLAN_QINQ), 3);
	vlan_case(0x88a8, 0x8100, 3);
	assert_int_equal(CTR(DEV_VLAN_TOO_MANY_LAYERS), 1);
}

/* Link headers before an IP packet, and what decoding them must give. */
struct link_case {
	int lt;
	const char *hdr;
	unsigned hlen;
	int ver;       /* IP version carried */
	unsigned ctr;  /* link counter */
	uint16_t vlan; /* id of the one tag, 0 = none */
};

#define MAC8	"\x66\x77\x88\x99\xaa\xbb\0\0"
#define SLL_MAC "\x00\x01\x00\x06" MAC8 /* ARPHRD_ETHER, 6 */

static const struct link_case links[] = {
    {DLT_LINUX_SLL, "\x00\x00" SLL_MAC "\x08\x00", 16, 4, MD_CTR_DEC_SLL, 0},
    {DLT_LINUX_SLL, "\x00\x00" SLL_MAC "\x81\x00\x00\x07\x86\xdd", 20, 6,
     MD_CTR_DEC_SLL, 7},
    {DLT_LINUX_SLL2, "\x86\xdd\0\0\0\0\0\3\0\1\4\6" MAC8, 20, 6,
     MD_CTR_DEC_SLL2, 0},
    {DLT_RAW, "", 0, 4, MD_CTR_DEC_RAW, 0},
    {DLT_RAW, "", 0, 6, MD_CTR_DEC_RAW, 0},
    {101, "", 0, 4, MD_CTR_DEC_RAW, 0}, /* LINKTYPE_RAW */
    {101, "", 0, 6, MD_CTR_DEC_RAW, 0},
    {DLT_IPV4, "", 0, 4, MD_CTR_DEC_RAW, 0},
    {DLT_IPV6, "", 0, 6, MD_CTR_DEC_RAW, 0},
    {DLT_NULL, "\x02\0\0\0", 4, 4, MD_CTR_DEC_NULL, 0},
    {DLT_NULL, "\0\0\0\x02", 4, 4, MD_CTR_DEC_NULL, 0}, /* big-endian host */
    {DLT_NULL, "\x18\0\0\0", 4, 6, MD_CTR_DEC_NULL, 0}, /* NetBSD, OpenBSD */
    {DLT_NULL, "\x1c\0\0\0", 4, 6, MD_CTR_DEC_NULL, 0}, /* FreeBSD */
    {DLT_NULL, "\x1e\0\0\0", 4, 6, MD_CTR_DEC_NULL, 0}, /* Darwin */
    {DLT_LOOP, "\0\0\0\x02", 4, 4, MD_CTR_DEC_NULL, 0},
    {DLT_LOOP, "\0\0\0\x1e", 4, 6, MD_CTR_DEC_NULL, 0},
};

static void t_links(void **state)
{
	struct buf s = {.n = 0};

	(void)state;
	udp(&s, "link");
	for (unsigned i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		const struct link_case *c = &links[i];
		struct buf k = {.n = 0};

		put(&k, c->hdr, c->hlen);
		if (c->ver == 4)
			ip4(&k, 17, &s, NULL, 0);
		else
			ip6(&k, 17, NULL, 0, 17, &s);
		reinit(NULL);
		assert_int_equal(run(&k, c->lt), MD_DECODE_OK);
		assert_int_equal(pk.n_events, 0);
		assert_int_equal(pk.ip_ver, c->ver);
		assert_int_equal(pk.vlan_cnt, c->vlan ? 1 : 0);
		assert_int_equal(pk.vlan[0], c->vlan);
		assert_false(pk.flags & MD_PKT_HAS_ETH);
		assert_ptr_equal(pk.l3, cur + c->hlen);
		assert_int_equal(pk.payload_len, 4);
		assert_int_equal(ctr.v[c->ctr], 1);
		assert_int_equal(CTR(DEC_UDP), 1);
	}
}

/* ---- malformed packets ---------------------------------------------- */

/* Base packets the table below damages. IP offsets: IPv4 header at 0,
 * transport at 20; IPv6 header at 0, transport at 40. */
enum base {
	B_ETH4U, /* Ethernet, IPv4, UDP "0123456789" (14 + 38 bytes) */
	B_SLL4U, /* Linux SLL, same IPv4 packet */
	B_SLL2_4U,
	B_NULL4U, /* DLT_NULL, same IPv4 packet */
	B_RAW4U,  /* raw IPv4 + UDP: UDP length at 24 */
	B_RAW4O,  /* raw IPv4 with options NOP x4 (20..23), UDP at 24 */
	B_RAW4T,  /* raw IPv4 + TCP, offset byte at 32, NOP x8 at 40..47 */
	B_RAW4I,  /* raw IPv4 + ICMP echo "ping" */
	B_RAW6U,  /* raw IPv6 + UDP "0123456789" */
	B_RAW6I,  /* raw IPv6 + ICMPv6 echo "ping" */
	B_MAX
};

static struct buf bases[B_MAX];
static const int base_lt[B_MAX] = {
    [B_ETH4U] = DLT_EN10MB,	  [B_SLL4U] = DLT_LINUX_SLL,
    [B_SLL2_4U] = DLT_LINUX_SLL2, [B_NULL4U] = DLT_NULL,
    [B_RAW4U] = DLT_RAW,	  [B_RAW4O] = DLT_RAW,
    [B_RAW4T] = DLT_RAW,	  [B_RAW4I] = DLT_RAW,
    [B_RAW6U] = DLT_RAW,	  [B_RAW6I] = DLT_RAW,
};

static void build_bases(void)
{
	static const uint8_t nops[8] = {1, 1, 1, 1, 1, 1, 1, 1};
	struct buf u = {.n = 0}, t = {.n = 0}, i4 = {.n = 0}, i6 = {.n = 0};

	memset(bases, 0, sizeof(bases));
	udp(&u, "0123456789");
	tcp(&t, 0x10, nops, 8, "data");
	icmp(&i4, 8, "ping");
	icmp(&i6, 128, "ping");
	eth(&bases[B_ETH4U], 0x0800);
	put(&bases[B_SLL4U], "\x00\x00" SLL_MAC "\x08\x00", 16);
	put(&bases[B_SLL2_4U], "\x08\x00\0\0\0\0\0\3\0\1\4\6" MAC8, 20);
	put(&bases[B_NULL4U], "\x02\0\0\0", 4);
	for (unsigned b = B_ETH4U; b <= B_RAW4U; b++)
		ip4(&bases[b], 17, &u, NULL, 0);
	ip4(&bases[B_RAW4O], 17, &u, nops, 4);
	ip4(&bases[B_RAW4T], 6, &t, NULL, 0);
	ip4(&bases[B_RAW4I], 1, &i4, NULL, 0);
	ip6(&bases[B_RAW6U], 17, NULL, 0, 17, &u);
	ip6(&bases[B_RAW6I], 58, NULL, 0, 58, &i6);
}

struct mal {
	const char *what;
	uint8_t base;
	int16_t lt;  /* LT: the base's link type */
	int16_t cut; /* bytes kept; ALL: every byte */
	uint8_t np;
	struct {
		uint8_t at, v;
	} p[4]; /* bytes replaced */
	int rc;
	uint16_t ev; /* the one event raised */
};

#define LT  -1
#define ALL -1
/* clang-format off */
#define P0                   0, {{0, 0}}
#define P1(a, x)             1, {{a, x}}
#define P2(a, x, b, y)       2, {{a, x}, {b, y}}
#define P3(a, x, b, y, c, z) 3, {{a, x}, {b, y}, {c, z}}
/* clang-format on */
#define INV(e) MD_DECODE_INVALID, MD_DEV_##e
#define EVT(e) MD_DECODE_OK, MD_DEV_##e

static const struct mal mals[] = {
    {"eth 13 bytes", B_ETH4U, LT, 13, P0, INV(ETH_PKT_TOO_SMALL)},
    {"eth empty", B_ETH4U, LT, 0, P0, INV(ETH_PKT_TOO_SMALL)},
    {"vlan tag cut", B_ETH4U, LT, 16, P1(12, 0x81), INV(VLAN_HDR_TOO_SMALL)},
    {"sll 15 bytes", B_SLL4U, LT, 15, P0, INV(SLL_PKT_TOO_SMALL)},
    {"sll2 19 bytes", B_SLL2_4U, LT, 19, P0, INV(SLL2_PKT_TOO_SMALL)},
    {"null 3 bytes", B_NULL4U, LT, 3, P0, INV(NULL_PKT_TOO_SMALL)},
    {"null family 7", B_NULL4U, LT, ALL, P1(0, 7), MD_DECODE_NONIP,
     MD_DEV_NULL_UNSUPPORTED_TYPE},
    {"loop family LE", B_NULL4U, DLT_LOOP, ALL, P0, MD_DECODE_NONIP,
     MD_DEV_NULL_UNSUPPORTED_TYPE},
    {"null, no IP", B_NULL4U, LT, 4, P0, INV(IPV4_PKT_TOO_SMALL)},
    {"raw version 5", B_RAW4U, LT, ALL, P1(0, 0x55),
     INV(RAW_INVALID_IP_VERSION)},
    {"raw empty", B_RAW4U, LT, 0, P0, INV(RAW_INVALID_IP_VERSION)},
    {"linktype 9999", B_RAW4U, 9999, ALL, P0, INV(LINK_UNSUPPORTED_TYPE)},
    {"ipv4 19 bytes", B_RAW4U, LT, 19, P0, INV(IPV4_PKT_TOO_SMALL)},
    {"ipv4 IHL 4", B_RAW4U, LT, ALL, P1(0, 0x44), INV(IPV4_HLEN_TOO_SMALL)},
    {"ipv4 len 16", B_RAW4U, LT, ALL, P1(3, 16),
     INV(IPV4_IPLEN_SMALLER_THAN_HLEN)},
    {"ipv4 len > cap", B_RAW4U, LT, ALL, P1(3, 39), INV(IPV4_TRUNC_PKT)},
    {"ipv4 snaplen", B_ETH4U, LT, 51, P0, INV(IPV4_TRUNC_PKT)},
    {"ipv4 IHL 15", B_RAW4U, LT, ALL, P2(0, 0x4f, 3, 60), INV(IPV4_TRUNC_PKT)},
    {"ipv6 on DLT_IPV4", B_RAW6U, DLT_IPV4, ALL, P0,
     INV(IPV4_WRONG_IP_VERSION)},
    {"ipv4 opt len 0", B_RAW4O, LT, ALL, P2(21, 0x44, 22, 0),
     EVT(IPV4_OPT_INVALID_LEN)},
    {"ipv4 opt no len", B_RAW4O, LT, ALL, P1(23, 0x83),
     EVT(IPV4_OPT_INVALID_LEN)},
    {"ipv4 opt past", B_RAW4O, LT, ALL, P2(20, 0x44, 21, 8),
     EVT(IPV4_OPT_INVALID_LEN)},
    {"icmpv6 in ipv4", B_RAW4I, LT, ALL, P1(9, 58), EVT(IPV4_ICMPV6)},
    {"ipv6 39 bytes", B_RAW6U, LT, 39, P0, INV(IPV6_PKT_TOO_SMALL)},
    {"ipv4 on DLT_IPV6", B_RAW4U, DLT_IPV6, ALL, P0, INV(IPV6_PKT_TOO_SMALL)},
    {"ipv6 plen > cap", B_RAW6U, LT, 57, P0, INV(IPV6_TRUNC_PKT)},
    {"ipv6 version 4", B_RAW6U, DLT_IPV6, ALL, P1(0, 0x40),
     INV(IPV6_WRONG_IP_VERSION)},
    {"hbh 24 > 18", B_RAW6U, LT, ALL, P3(6, 0, 40, 17, 41, 2),
     INV(IPV6_TRUNC_EXTHDR)},
    {"frag hdr 3 bytes", B_RAW6U, LT, 43, P3(4, 0, 5, 3, 6, 44),
     INV(IPV6_TRUNC_EXTHDR)},
    {"dstopts 3 bytes", B_RAW6U, LT, 43, P3(4, 0, 5, 3, 6, 60),
     INV(IPV6_TRUNC_EXTHDR)},
    {"icmpv4 in ipv6", B_RAW6I, LT, ALL, P1(6, 1), EVT(IPV6_ICMPV4)},
    {"data after none", B_RAW6U, LT, ALL, P1(6, 59),
     EVT(IPV6_DATA_AFTER_NONE_HEADER)},
    {"tcp 19 bytes", B_RAW4T, LT, 39, P1(3, 39), INV(TCP_PKT_TOO_SMALL)},
    {"tcp offset 4", B_RAW4T, LT, ALL, P1(32, 0x40), INV(TCP_HLEN_TOO_SMALL)},
    {"tcp offset 9", B_RAW4T, LT, ALL, P1(32, 0x90), INV(TCP_PKT_TOO_SMALL)},
    {"tcp offset 15", B_RAW4T, LT, ALL, P1(32, 0xf0), INV(TCP_PKT_TOO_SMALL)},
    {"tcp opt past", B_RAW4T, LT, ALL, P2(40, 2, 41, 10),
     EVT(TCP_INVALID_OPTLEN)},
    {"tcp opt len 0", B_RAW4T, LT, ALL, P2(40, 8, 41, 0),
     EVT(TCP_INVALID_OPTLEN)},
    {"tcp opt no len", B_RAW4T, LT, ALL, P1(47, 30), EVT(TCP_INVALID_OPTLEN)},
    {"tcp mss len 3", B_RAW4T, LT, ALL, P2(40, 2, 41, 3),
     EVT(TCP_OPT_INVALID_LEN)},
    {"tcp sack len 7", B_RAW4T, LT, ALL, P2(40, 5, 41, 7),
     EVT(TCP_OPT_INVALID_LEN)},
    {"tcp ts len 8", B_RAW4T, LT, ALL, P2(40, 8, 41, 8),
     EVT(TCP_OPT_INVALID_LEN)},
    {"udp 7 bytes", B_RAW4U, LT, 27, P1(3, 27), INV(UDP_HLEN_TOO_SMALL)},
    {"udp len 4", B_RAW4U, LT, ALL, P1(25, 4), INV(UDP_LEN_INVALID)},
    {"udp len 19", B_RAW4U, LT, ALL, P1(25, 19), INV(UDP_PKT_TOO_SMALL)},
    {"udp len 10", B_RAW4U, LT, ALL, P1(25, 10), EVT(UDP_HLEN_INVALID)},
    {"icmp 7 bytes", B_RAW4I, LT, 27, P1(3, 27), INV(ICMPV4_PKT_TOO_SMALL)},
    {"icmpv6 7 bytes", B_RAW6I, LT, 47, P1(5, 7), INV(ICMPV6_PKT_TOO_SMALL)},
};

/* Each damaged packet gives its rc and exactly its one event, counted
 * once; invalid ones are flagged and counted as decoder.invalid. */
static void t_malformed(void **state)
{
	uint8_t x[256];

	(void)state;
	build_bases();
	for (unsigned i = 0; i < sizeof(mals) / sizeof(mals[0]); i++) {
		const struct mal *m = &mals[i];
		const struct buf *b = &bases[m->base];
		int rc;

		memcpy(x, b->b, b->n);
		for (unsigned j = 0; j < m->np; j++)
			x[m->p[j].at] = m->p[j].v;
		reinit(NULL);
		rc = run_bytes(x, m->cut == ALL ? b->n : (uint32_t)m->cut,
			       m->lt == LT ? base_lt[m->base] : m->lt);
		if (rc != m->rc || pk.n_events != 1 || pk.events[0] != m->ev)
			fail_msg("%s: rc %d, %u events, first %s", m->what, rc,
				 pk.n_events,
				 md_decode_event_name(pk.events[0]));
		assert_int_equal(ctr.v[MD_CTR_DEV_ETH_PKT_TOO_SMALL + m->ev],
				 1);
		assert_int_equal(CTR(DEC_INVALID), rc == MD_DECODE_INVALID);
		assert_int_equal(!!(pk.flags & MD_PKT_INVALID),
				 rc == MD_DECODE_INVALID);
	}
}

/* ---- IPv4 and IPv6 -------------------------------------------------- */

static void t_ipv4_options(void **state)
{
	/* NOP, NOP, record route (len 7, ptr 4, one slot), EOL */
	static const uint8_t opt[12] = {1, 1, 7, 7, 4, 0, 0, 0, 0, 0, 0, 0};
	struct buf k = {.n = 0}, s = {.n = 0};

	(void)state;
	reinit_csum();
	tcp(&s, 0x02, NULL, 0, "");
	ip4(&k, 6, &s, opt, sizeof(opt));
	assert_int_equal(run(&k, DLT_RAW), MD_DECODE_OK);
	assert_int_equal(pk.n_events, 0);
	assert_ptr_equal(pk.l4, cur + 32);
	assert_int_equal(pk.tcp_flags, MD_TH_SYN);
	assert_int_equal(pk.tcp_wscale, 0xff); /* options absent */
	assert_int_equal(pk.tcp_mss, 0);
	assert_false(pk.tcp_sackok);
	assert_int_equal(pk.payload_len, 0);
	k.n = 0;
	ip4(&k, 47, &s, NULL, 0); /* GRE: not decoded further */
	assert_int_equal(run(&k, DLT_RAW), MD_DECODE_OK);
	assert_int_equal(pk.proto, 47);
	assert_int_equal(pk.n_events, 0);
	assert_false(pk.flags & MD_PKT_L4);
	assert_int_equal(pk.l3_len, 20 + s.n);
}

static void t_ipv4_checksum(void **state)
{
	struct buf k = {.n = 0}, s = {.n = 0};

	(void)state;
	udp(&s, "csum");
	ip4(&k, 17, &s, NULL, 0);
	reinit_csum();
	assert_int_equal(run(&k, DLT_RAW), MD_DECODE_OK);
	assert_int_equal(pk.n_events, 0);
	assert_false(pk.flags & MD_PKT_CSUM_BAD);
	k.b[10] ^= 0x01;
	expect_only(run(&k, DLT_RAW), MD_DECODE_OK, MD_DEV_IPV4_CSUM_INVALID);
	assert_true(pk.flags & MD_PKT_CSUM_BAD);
	assert_true(pk.flags & MD_PKT_L4); /* still decoded, caller decides */
	EXPECT_EV(IPV4_CSUM_INVALID);
	reinit(NULL);
	assert_int_equal(run(&k, DLT_RAW), MD_DECODE_OK);
	assert_int_equal(pk.n_events, 0);
	assert_false(pk.flags & MD_PKT_CSUM_BAD);
}

/* Extension headers; byte 0 (next header) is set by chain(). */
static const uint8_t hbh[8] = {0, 0, 1, 4, 0, 0, 0, 0};	 /* PadN 4 */
static const uint8_t dsto[8] = {0, 0, 0, 0, 1, 2, 0, 0}; /* 2 Pad1, PadN */
static const uint8_t rh2[24] = {0, 2, 2, 1};		 /* type 2 */
static const uint8_t ah[24] = {0, 4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
static const uint8_t fh_atomic[8] = {0, 0, 0, 0, 0, 0, 0, 9};
static const uint8_t rh0[24] = {0, 2, 0, 1};	/* type 0 */
static const uint8_t ah_res[24] = {0, 4, 0, 1}; /* reserved set */
static const uint8_t badopt[8] = {0, 0, 1, 5};	/* PadN too long */
static const uint8_t fh_res[8] = {0, 1, 0, 0};	/* reserved set */

struct ext {
	uint8_t type;
	const uint8_t *h;
	uint32_t len;
};

/* clang-format off */
#define XH  {0, hbh, 8}
#define XD  {60, dsto, 8}
#define XR  {43, rh2, 24}
#define XA  {51, ah, 24}
#define XF  {44, fh_atomic, 8}
#define XR0 {43, rh0, 24}
#define XAR {51, ah_res, 24}
#define XBO {60, badopt, 8}
#define XFR {44, fh_res, 8}
/* clang-format on */

/* Chain n extension headers before proto; returns the first type. */
static uint8_t chain(uint8_t *out, uint32_t *outlen, const struct ext *e,
		     unsigned n, uint8_t proto)
{
	uint32_t off = 0;

	for (unsigned i = 0; i < n; i++) {
		memcpy(out + off, e[i].h, e[i].len);
		out[off] = i + 1 < n ? e[i + 1].type : proto;
		off += e[i].len;
	}
	*outlen = off;
	return n ? e[0].type : proto;
}

/* Ethernet, IPv6, the chain, then seg (NULL: nothing) of type proto. */
static int run_v6_chain(const struct ext *e, unsigned n, uint8_t proto,
			const struct buf *seg)
{
	static const struct buf empty = {.n = 0};
	struct buf k = {.n = 0};
	uint8_t x[1024];
	uint32_t xl;
	uint8_t first = chain(x, &xl, e, n, proto);

	eth(&k, 0x86dd);
	ip6(&k, first, x, xl, proto, seg ? seg : &empty);
	return run(&k, DLT_EN10MB);
}

static void t_ipv6_exthdrs(void **state)
{
	const struct ext all[] = {XH, XD, XR, XA, XF, XD};
	struct buf s = {.n = 0}, k = {.n = 0};
	uint8_t x[24];
	uint32_t xl;

	(void)state;
	reinit_csum();
	udp(&s, "ext");
	for (unsigned i = 0; i < 6; i++) { /* each alone */
		assert_int_equal(run_v6_chain(&all[i], 1, 17, &s),
				 MD_DECODE_OK);
		assert_int_equal(pk.proto, 17);
		assert_int_equal(pk.payload_len, 3);
		assert_memory_equal(pk.payload, "ext", 3);
		assert_int_equal(pk.n_events, i == 4 ? 1 : 0);
		if (i == 4)
			EXPECT_EV(IPV6_EXTHDR_USELESS_FH);
	}
	assert_int_equal(run_v6_chain(all, 6, 17, &s), MD_DECODE_OK);
	assert_int_equal(pk.l3_len, 40 + 80 + 11);
	assert_ptr_equal(pk.l4, cur + 14 + 40 + 80);
	assert_int_equal(pk.sp, 5353);
	assert_int_equal(pk.ttl, 63);
	assert_memory_equal(pk.src.b, src6, 16);
	assert_memory_equal(pk.dst.b, dst6, 16);
	assert_int_equal(pk.n_events, 1); /* useless fh only */
	assert_int_equal(CTR(DEC_IPV6), 7);
	assert_int_equal(run_v6_chain(all, 2, 50, &s), MD_DECODE_OK); /* ESP */
	assert_int_equal(pk.proto, 50);
	assert_false(pk.flags & MD_PKT_L4);
	/* segments left: the pseudo-header needs the final destination from
	 * the routing header, so a bad checksum is not judged */
	k.n = 0;
	eth(&k, 0x86dd);
	ip6(&k, chain(x, &xl, &all[2], 1, 17), x, 24, 17, &s);
	k.b[k.n - 1] ^= 1;
	assert_int_equal(run(&k, DLT_EN10MB), MD_DECODE_OK);
	assert_int_equal(pk.n_events, 0);
	k.b[14 + 40 + 3] = 0; /* no segment left: judged */
	expect_only(run(&k, DLT_EN10MB), MD_DECODE_OK, MD_DEV_UDP_CSUM_INVALID);
}

/* Chains that raise one event each (and stay decodable). */
static const struct chain_case {
	struct ext e[3];
	unsigned n;
	uint16_t ev;
} chains[] = {
    {{XH, XH}, 2, MD_DEV_IPV6_EXTHDR_DUPL_HH},
    {{XD, XH}, 2, MD_DEV_IPV6_EXTHDR_DUPL_HH}, /* hop-by-hop not first */
    {{XR, XR}, 2, MD_DEV_IPV6_EXTHDR_DUPL_RH},
    {{XD, XD, XD}, 3, MD_DEV_IPV6_EXTHDR_DUPL_DH},
    {{XA, XA}, 2, MD_DEV_IPV6_EXTHDR_DUPL_AH},
    {{XF, XF}, 2, MD_DEV_IPV6_EXTHDR_DUPL_FH},
    {{XR0}, 1, MD_DEV_IPV6_RH_TYPE_0},
    {{XAR}, 1, MD_DEV_IPV6_EXTHDR_AH_RES_NOT_NULL},
    {{XBO}, 1, MD_DEV_IPV6_EXTHDR_INVALID_OPTLEN},
    {{XFR}, 1, MD_DEV_IPV6_FH_NON_ZERO_RES},
    {{XD, XD}, 2, MD_DEV_MAX}, /* twice is allowed: nothing */
};

static void t_ipv6_exthdr_events(void **state)
{
	struct ext e[17];
	struct buf s = {.n = 0};

	(void)state;
	udp(&s, "dup");
	for (unsigned i = 0; i < sizeof(chains) / sizeof(chains[0]); i++) {
		const struct chain_case *c = &chains[i];

		reinit(NULL);
		assert_int_equal(run_v6_chain(c->e, c->n, 17, &s),
				 MD_DECODE_OK);
		assert_true(pk.flags & MD_PKT_L4);
		if (c->ev == MD_DEV_MAX) {
			assert_int_equal(pk.n_events, 0);
			continue;
		}
		if (!has_ev(c->ev))
			fail_msg("chain %u: no %s", i,
				 md_decode_event_name(c->ev));
		assert_int_equal(ctr.v[MD_CTR_DEV_ETH_PKT_TOO_SMALL + c->ev],
				 1);
	}
	for (unsigned i = 0; i < 17; i++)
		e[i] = (struct ext){i & 1 ? 43 : 51, i & 1 ? rh2 : ah, 24};
	assert_int_equal(run_v6_chain(e, 17, 59, NULL), MD_DECODE_INVALID);
	EXPECT_EV(IPV6_EXTHDR_TOO_MANY);
	assert_int_equal(run_v6_chain(e, 16, 59, NULL), MD_DECODE_OK);
}

/* ---- transport ------------------------------------------------------ */

static int run_v4_seg(const struct buf *s, uint8_t proto)
{
	struct buf k = {.n = 0};

	ip4(&k, proto, s, NULL, 0);
	return run(&k, DLT_RAW);
}

static int run_tcp_opts(const uint8_t *opt, uint32_t n)
{
	struct buf s = {.n = 0};

	tcp(&s, 0x10, opt, n, "data");
	return run_v4_seg(&s, 6);
}

static void t_transport_fields(void **state)
{
	static const uint8_t ws20[4] = {3, 3, 20, 0};
	static const uint8_t sack[12] = {1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2};
	static const uint8_t dup[8] = {2, 4, 1, 0, 2, 4, 2, 0};
	struct buf s = {.n = 0}, k = {.n = 0};

	(void)state;
	assert_int_equal(run_tcp_opts(ws20, 4), MD_DECODE_OK);
	assert_int_equal(pk.tcp_wscale, 14); /* RFC 7323: at most 14 */
	assert_int_equal(pk.n_events, 0);
	assert_int_equal(run_tcp_opts(sack, 12), MD_DECODE_OK);
	assert_int_equal(pk.n_events, 0);
	assert_memory_equal(pk.payload, "data", 4);
	expect_only(run_tcp_opts(dup, 8), MD_DECODE_OK,
		    MD_DEV_TCP_OPT_DUPLICATE);
	assert_int_equal(pk.tcp_mss, 256); /* the first one counts */
	udp(&s, "abcdef");
	set16(s.b + 4, 10); /* UDP length below the IP payload: trimmed */
	expect_only(run_v4_seg(&s, 17), MD_DECODE_OK, MD_DEV_UDP_HLEN_INVALID);
	assert_int_equal(pk.l4_len, 10);
	assert_int_equal(pk.payload_len, 2);
	assert_memory_equal(pk.payload, "ab", 2);
	s.n = 0;
	icmp(&s, 8, "ping");
	assert_int_equal(run_v4_seg(&s, 1), MD_DECODE_OK);
	assert_int_equal(pk.icmp_type, 8);
	assert_int_equal(pk.sp | pk.dp, 0);
	assert_int_equal(pk.payload_len, 4);
	assert_true(pk.flags & MD_PKT_L4);
	s.n = 0;
	icmp(&s, 128, "ping6");
	ip6(&k, 58, NULL, 0, 58, &s);
	assert_int_equal(run(&k, DLT_RAW), MD_DECODE_OK);
	assert_int_equal(pk.icmp_type, 128);
	assert_int_equal(pk.payload_len, 5);
	assert_int_equal(CTR(DEC_ICMPV4), 1);
	assert_int_equal(CTR(DEC_ICMPV6), 1);
	assert_int_equal(CTR(DEC_TCP), 3);
}

/* ---- checksums ------------------------------------------------------ */

static void t_csum_vectors(void **state)
{
	/* a commonly used worked example: header checksum 0xb861 */
	uint8_t h[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40,
			 0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8,
			 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
	struct md_packet p;

	(void)state;
	assert_int_equal(md_csum_ipv4_hdr(h, 20), 0);
	h[10] = h[11] = 0;
	assert_int_equal(md_csum_ipv4_hdr(h, 20), 0xb861);
	memset(&p, 0, sizeof(p));
	assert_int_equal(md_csum_l4(&p), 0xffff);
}

/* Checksum events for one transport over one IP version. */
static void csum_case(int ver, uint8_t proto, unsigned ev)
{
	struct buf s = {.n = 0}, k = {.n = 0};
	uint32_t l4off = ver == 4 ? 20 : 40;

	if (proto == 6)
		tcp(&s, 0x18, tcp_opts, sizeof(tcp_opts), "odd");
	else if (proto == 17)
		udp(&s, "odd");
	else
		icmp(&s, proto == 1 ? 0 : 129, "odd");
	if (ver == 4)
		ip4(&k, proto, &s, NULL, 0);
	else
		ip6(&k, proto, NULL, 0, proto, &s);
	reinit_csum();
	assert_int_equal(run(&k, DLT_RAW), MD_DECODE_OK);
	assert_int_equal(pk.n_events, 0);
	assert_int_equal(md_csum_l4(&pk), 0);
	k.b[k.n - 1] ^= 0x40;
	expect_only(run(&k, DLT_RAW), MD_DECODE_OK, ev);
	assert_true(pk.flags & MD_PKT_CSUM_BAD);
	assert_int_equal(ctr.v[MD_CTR_DEV_ETH_PKT_TOO_SMALL + ev], 1);
	reinit(NULL);
	assert_int_equal(run(&k, DLT_RAW), MD_DECODE_OK);
	assert_int_equal(pk.n_events, 0);
	if (proto == 17) { /* zero: none over IPv4, invalid over IPv6 */
		memset(k.b + l4off + 6, 0, 2);
		reinit_csum();
		if (ver == 4)
			assert_int_equal(run(&k, DLT_RAW), MD_DECODE_OK);
		else
			expect_only(run(&k, DLT_RAW), MD_DECODE_OK, ev);
		assert_int_equal(pk.n_events, ver == 4 ? 0 : 1);
	}
}

static void t_l4_checksums(void **state)
{
	(void)state;
	csum_case(4, 6, MD_DEV_TCP_CSUM_INVALID);
	csum_case(6, 6, MD_DEV_TCP_CSUM_INVALID);
	csum_case(4, 17, MD_DEV_UDP_CSUM_INVALID);
	csum_case(6, 17, MD_DEV_UDP_CSUM_INVALID);
	csum_case(4, 1, MD_DEV_ICMPV4_CSUM_INVALID);
	csum_case(6, 58, MD_DEV_ICMPV6_CSUM_INVALID);
}

/* ---- events, reuse, set-up ------------------------------------------ */

static void t_event_names(void **state)
{
	char want[128];

	(void)state;
	for (unsigned i = 0; i < MD_DEV_MAX; i++) {
		const char *n = md_decode_event_name(i);

		assert_non_null(strchr(n, '.'));
		for (unsigned j = 0; j < i; j++)
			assert_string_not_equal(n, md_decode_event_name(j));
		snprintf(want, sizeof(want), "decoder.event.%s", n);
		assert_string_equal(
		    md_counter_name(MD_CTR_DEV_ETH_PKT_TOO_SMALL + i), want);
	}
	assert_string_equal(md_decode_event_name(MD_DEV_MAX), "");
	assert_string_equal(md_decode_event_name(MD_DEV_IPV4_TRUNC_PKT),
			    "ipv4.trunc_pkt");
	assert_string_equal(md_counter_name(MD_CTR_DEC_PKTS), "decoder.pkts");
	assert_string_equal(md_counter_name(MD_CTR_DEFRAG_MEMCAP),
			    "defrag.memcap");
}

/* More distinct events than a packet keeps: all counted, 8 kept, none
 * twice. */
static void t_event_bound(void **state)
{
	const struct ext e[] = {XD, XH, XBO, XR0, XR0, XAR, XAR, XFR, XFR, XD};
	struct buf s = {.n = 0};

	(void)state;
	icmp(&s, 8, "");
	assert_int_equal(run_v6_chain(e, 10, 1, &s), MD_DECODE_OK);
	assert_int_equal(pk.n_events, MD_MAX_PKT_EVENTS);
	for (unsigned i = 0; i < pk.n_events; i++)
		for (unsigned j = 0; j < i; j++)
			assert_int_not_equal(pk.events[i], pk.events[j]);
	assert_int_equal(CTR(DEV_IPV6_EXTHDR_DUPL_HH), 1);
	assert_int_equal(CTR(DEV_IPV6_EXTHDR_INVALID_OPTLEN), 1);
	assert_int_equal(CTR(DEV_IPV6_EXTHDR_DUPL_RH), 1);
	assert_int_equal(CTR(DEV_IPV6_RH_TYPE_0), 1);
	assert_int_equal(CTR(DEV_IPV6_EXTHDR_DUPL_AH), 1);
	assert_int_equal(CTR(DEV_IPV6_EXTHDR_AH_RES_NOT_NULL), 1);
	assert_int_equal(CTR(DEV_IPV6_FH_NON_ZERO_RES), 1);
	assert_int_equal(CTR(DEV_IPV6_EXTHDR_USELESS_FH), 1);
	assert_int_equal(CTR(DEV_IPV6_EXTHDR_DUPL_FH), 1);
	assert_int_equal(CTR(DEV_IPV6_EXTHDR_DUPL_DH), 1);
	assert_int_equal(CTR(DEV_IPV6_ICMPV4), 1);
}

static void t_packet_reuse(void **state)
{
	struct buf k = {.n = 0}, s = {.n = 0};

	(void)state;
	udp(&s, "1");
	eth(&k, 0x8100);
	tag(&k, 9, 0x0800);
	ip4(&k, 17, &s, NULL, 0);
	assert_int_equal(run(&k, DLT_EN10MB), MD_DECODE_OK);
	assert_int_equal(pk.vlan_cnt, 1);
	/* decode again on the same struct: decoder fields reset, an owned
	 * buffer left behind is freed */
	pk.owned = md_malloc(16);
	pk.n_events = 3;
	pk.tcp_mss = 99;
	k.n = 0;
	eth(&k, 0x0800);
	ip4(&k, 17, &s, NULL, 0);
	pk.data = k.b;
	pk.caplen = k.n;
	assert_int_equal(md_decode(&ctx, &pk), MD_DECODE_OK);
	assert_null(pk.owned);
	assert_int_equal(pk.vlan_cnt, 0);
	assert_int_equal(pk.vlan[0], 0);
	assert_int_equal(pk.n_events, 0);
	assert_int_equal(pk.tcp_mss, 0);
	assert_int_equal(pk.tcp_wscale, 0xff);
	pk.data = NULL; /* NULL data with a length: nothing read */
	pk.caplen = 100;
	assert_int_equal(md_decode(&ctx, &pk), MD_DECODE_INVALID);
}

static void t_init_fini(void **state)
{
	struct md_decode_ctx c;
	struct md_counters cc;

	(void)state;
	memset(&c, 0, sizeof(c));
	md_decode_fini(&c); /* zeroed: safe */
	md_decode_fini(NULL);
	assert_int_equal(md_decode_init(&c, NULL, NULL), MD_E_INVAL);
	md_mem_fail_after(1);
	assert_int_equal(md_decode_init(&c, NULL, &cc), MD_E_NOMEM);
	md_mem_fail_after(2);
	assert_int_equal(md_decode_init(&c, NULL, &cc), MD_E_NOMEM);
	md_mem_fail_after(0);
	assert_int_equal(md_decode_init(&c, NULL, &cc), 0);
	assert_true(c.cfg.defrag_timeout > 0);
	md_decode_timeout(&c, 0);
	md_decode_fini(&c);
	md_decode_fini(&c); /* twice: safe */
}

/* ---- fuzz ----------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

static bool within(const uint8_t *p, uint32_t n, const uint8_t *b, uint32_t bn)
{
	return p >= b && p + n <= b + bn;
}

/* After any decode, every span the decoder handed out lies inside the
 * captured bytes or the rebuilt datagram. */
static void check_spans(void)
{
	const uint8_t *b = pk.owned ? pk.owned : cur;
	uint32_t bn = pk.owned ? 65535 + 60 : pk.caplen;

	if (pk.l3)
		assert_true(within(pk.l3, pk.l3_len, b, bn));
	if (pk.flags & MD_PKT_L4) {
		assert_true(within(pk.l4, pk.l4_len, b, bn));
		assert_true(within(pk.payload, pk.payload_len, b, bn));
	}
	assert_true(pk.n_events <= MD_MAX_PKT_EVENTS);
}

/* Truncations, bit flips and random bytes over valid packets of every
 * kind: whatever comes back, nothing is read outside the packet. */
static void t_fuzz(void **state)
{
	const struct ext e[] = {XH, XR, XA, XD};
	struct buf more[3], s = {.n = 0};
	const struct buf *pkts[B_MAX + 3];
	int lts[B_MAX + 3];
	uint8_t x[256], m[4096], first;
	uint32_t xl;

	(void)state;
	reinit_csum();
	build_bases();
	memset(more, 0, sizeof(more));
	build_eth_v4_tcp(&more[0]);
	udp(&s, "fuzzing the decoder");
	eth(&more[1], 0x88a8);
	tag(&more[1], 1, 0x8100);
	tag(&more[1], 2, 0x86dd);
	first = chain(x, &xl, e, 4, 17);
	ip6(&more[1], first, x, xl, 17, &s);
	ip4(&more[2], 17, &s, NULL, 0);
	more[2].b[6] = 0x20; /* MF: goes to defrag */
	for (unsigned i = 0; i < B_MAX + 3; i++) {
		pkts[i] = i < B_MAX ? &bases[i] : &more[i - B_MAX];
		lts[i] = i < B_MAX	  ? base_lt[i]
			 : i == B_MAX + 2 ? DLT_RAW
					  : DLT_EN10MB;
	}
	for (unsigned it = 0; it < 20000; it++) {
		unsigned w = rnd(B_MAX + 3), flips = rnd(5);
		uint32_t n = pkts[w]->n, at;
		int rc;

		memcpy(m, pkts[w]->b, n);
		if (rnd(3) == 0)
			n = rnd(n + 1);
		for (unsigned f = 0; f < flips && n; f++) {
			at = rnd(n);
			m[at] ^= (uint8_t)(1u << rnd(8));
		}
		if (rnd(8) == 0 && n) { /* a random length or count byte */
			at = rnd(n);
			m[at] = (uint8_t)rnd(256);
		}
		rc = run_bytes(m, n, lts[w]);
		assert_true(rc >= MD_DECODE_OK && rc <= MD_DECODE_NONIP);
		check_spans();
		if (it % 4096 == 0)
			md_decode_timeout(&ctx, 1000000000ull);
	}
	assert_int_equal(CTR(DEC_PKTS), 20000);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(t_eth_ipv4_tcp),
	    T(t_eth_padding_trimmed),
	    T(t_eth_nonip),
	    T(t_vlan),
	    T(t_links),
	    T(t_malformed),
	    T(t_ipv4_options),
	    T(t_ipv4_checksum),
	    T(t_ipv6_exthdrs),
	    T(t_ipv6_exthdr_events),
	    T(t_transport_fields),
	    T(t_csum_vectors),
	    T(t_l4_checksums),
	    T(t_event_names),
	    T(t_event_bound),
	    T(t_packet_reuse),
	    T(t_init_fini),
	    T(t_fuzz),
	};

	return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
