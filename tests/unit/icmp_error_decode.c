/*
 * icmp_error_decode.c - the ICMP error decoder on hand-built frames.
 *
 * Every link type and every class, quoted packets that are and are not
 * ours, IPv4 options, IPv6 extension headers, and every prefix of every
 * frame (each copied into a buffer of exactly that size, so that the
 * address sanitizer catches any read past the end).
 */
#include "check.h"
#include "icmp_error.h"
#include "sipdiag.h"
#include "verdict.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pcap/dlt.h>
#include <linux/errqueue.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(SIPDIAG_DLT_NULL == DLT_NULL, "DLT_NULL");
_Static_assert(SIPDIAG_DLT_EN10MB == DLT_EN10MB, "DLT_EN10MB");
_Static_assert(SIPDIAG_DLT_RAW == DLT_RAW, "DLT_RAW");
_Static_assert(SIPDIAG_DLT_LOOP == DLT_LOOP, "DLT_LOOP");
_Static_assert(SIPDIAG_DLT_LINUX_SLL == DLT_LINUX_SLL, "DLT_LINUX_SLL");
_Static_assert(SIPDIAG_DLT_LINUX_SLL2 == DLT_LINUX_SLL2, "DLT_LINUX_SLL2");
_Static_assert(SIPDIAG_DLT_IPV4 == DLT_IPV4, "DLT_IPV4");
_Static_assert(SIPDIAG_DLT_IPV6 == DLT_IPV6, "DLT_IPV6");

#define BUF 2048

typedef struct {
  uint8_t b[BUF];
  size_t n;
} pkt_t;

static const char *LOCAL4 = "10.0.0.5", *SERVER4 = "192.0.2.10",
                  *ROUTER4 = "198.51.100.1", *OTHER4 = "192.0.2.99";
static const char *LOCAL6 = "2001:db8::5", *SERVER6 = "2001:db8:1::10",
                  *ROUTER6 = "2001:db8:ff::1", *OTHER6 = "2001:db8:1::99";
enum { LPORT = 5070, SPORT = 5060 };

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v & 0xffff); }

static void append(pkt_t *p, const void *data, size_t n)
{
  memcpy(p->b + p->n, data, n);
  p->n += n;
}

static void prepend(pkt_t *p, const void *data, size_t n)
{
  memmove(p->b + n, p->b, p->n);
  memcpy(p->b, data, n);
  p->n += n;
}

/* A UDP (or TCP, header only) segment with a small payload. */
static pkt_t l4(uint8_t proto, unsigned sport, unsigned dport)
{
  pkt_t p = {0};
  uint8_t h[20] = {0};
  put16(h, sport);
  put16(h + 2, dport);
  if (proto == IPPROTO_UDP) {
    const char *payload = "REGISTER sip:example.com SIP/2.0\r\n\r\n";
    put16(h + 4, 8 + strlen(payload));
    append(&p, h, 8);
    append(&p, payload, strlen(payload));
  } else {
    h[12] = 5 << 4;
    append(&p, h, 20);
  }
  return p;
}

/* Wraps p in an IPv4 header with `optwords` 32-bit words of options. */
static void ip4(pkt_t *p, uint8_t proto, const char *src, const char *dst,
                unsigned optwords)
{
  uint8_t h[60] = {0};
  size_t hl = 20 + 4 * optwords;
  h[0] = (uint8_t)(0x40 | (hl / 4));
  put16(h + 2, hl + p->n);
  h[8] = 64;
  h[9] = proto;
  inet_pton(AF_INET, src, h + 12);
  inet_pton(AF_INET, dst, h + 16);
  for (size_t i = 20; i < hl; i++)
    h[i] = 1;  /* NOP options */
  prepend(p, h, hl);
}

/* Wraps p in an IPv6 header, optionally behind a hop-by-hop header. */
static void ip6(pkt_t *p, uint8_t proto, const char *src, const char *dst,
                bool hop_by_hop)
{
  uint8_t h[48] = {0};
  size_t hl = 40;
  h[0] = 0x60;
  h[6] = proto;
  h[7] = 64;
  inet_pton(AF_INET6, src, h + 8);
  inet_pton(AF_INET6, dst, h + 24);
  if (hop_by_hop) {
    h[6] = 0;
    h[40] = proto;   /* next header */
    h[41] = 0;       /* 8 octets    */
    h[42] = 1;       /* PadN        */
    h[43] = 4;
    hl = 48;
  }
  put16(h + 4, hl - 40 + p->n);
  prepend(p, h, hl);
}

/* An ICMP(v6) error quoting `quoted`, cut to `quote_max` octets. */
static pkt_t icmp_error(uint8_t type, uint8_t code, uint32_t rest,
                        const pkt_t *quoted, size_t quote_max)
{
  pkt_t p = {0};
  uint8_t h[8] = {type, code, 0, 0, 0, 0, 0, 0};
  put32(h + 4, rest);
  append(&p, h, 8);
  append(&p, quoted->b, quoted->n < quote_max ? quoted->n : quote_max);
  return p;
}

/* Our REGISTER as the error quotes it. */
static pkt_t our4(uint8_t proto, unsigned optwords)
{
  pkt_t q = l4(proto, LPORT, SPORT);
  ip4(&q, proto, LOCAL4, SERVER4, optwords);
  return q;
}

static pkt_t our6(uint8_t proto, bool hbh)
{
  pkt_t q = l4(proto, LPORT, SPORT);
  ip6(&q, proto, LOCAL6, SERVER6, hbh);
  return q;
}

/* The full IPv4 frame (no link layer) of an ICMP error from the router. */
static pkt_t err4(uint8_t type, uint8_t code, uint32_t rest, const pkt_t *q)
{
  pkt_t p = icmp_error(type, code, rest, q, 548);
  ip4(&p, IPPROTO_ICMP, ROUTER4, LOCAL4, 0);
  return p;
}

static pkt_t err6(uint8_t type, uint8_t code, uint32_t rest, const pkt_t *q)
{
  pkt_t p = icmp_error(type, code, rest, q, 1232);
  ip6(&p, IPPROTO_ICMPV6, ROUTER6, LOCAL6, false);
  return p;
}

/* Puts a link-layer header in front of an IP packet. */
static pkt_t with_link(const pkt_t *ip, int dlt, bool vlan)
{
  pkt_t p = *ip;
  bool v6 = (ip->b[0] >> 4) == 6;
  unsigned et = v6 ? 0x86dd : 0x0800;
  switch (dlt) {
  case DLT_EN10MB: {
    uint8_t h[18] = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2};
    if (vlan) {
      put16(h + 12, 0x8100);
      put16(h + 14, 42);
      put16(h + 16, et);
      prepend(&p, h, 18);
    } else {
      put16(h + 12, et);
      prepend(&p, h, 14);
    }
    break;
  }
  case DLT_LINUX_SLL: {
    uint8_t h[16] = {0};
    put16(h + 2, 772);  /* ARPHRD_LOOPBACK */
    put16(h + 4, 6);
    put16(h + 14, et);
    prepend(&p, h, 16);
    break;
  }
  case DLT_LINUX_SLL2: {
    uint8_t h[20] = {0};
    put16(h, et);
    put32(h + 4, 1);
    put16(h + 8, 772);
    h[11] = 6;
    prepend(&p, h, 20);
    break;
  }
  case DLT_NULL: {
    uint32_t fam = v6 ? 10 : 2;  /* host order, as on Linux */
    prepend(&p, &fam, 4);
    break;
  }
  case DLT_LOOP: {
    uint8_t h[4] = {0, 0, 0, v6 ? 24 : 2};
    prepend(&p, h, 4);
    break;
  }
  default:  /* DLT_RAW, DLT_IPV4, DLT_IPV6 */
    break;
  }
  return p;
}

static sipdiag_icmp_match_t match4(void)
{
  struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(SPORT)};
  inet_pton(AF_INET, SERVER4, &sin.sin_addr);
  sipdiag_icmp_match_t m;
  sipdiag_icmp_match_init(&m, (struct sockaddr *)&sin, LPORT);
  return m;
}

static sipdiag_icmp_match_t match6(void)
{
  struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons(SPORT)};
  inet_pton(AF_INET6, SERVER6, &sin6.sin6_addr);
  sipdiag_icmp_match_t m;
  sipdiag_icmp_match_init(&m, (struct sockaddr *)&sin6, LPORT);
  return m;
}

/* Decodes from a heap buffer of exactly n octets (ASan sees overreads). */
static sipdiag_icmp_status_t decode_exact(const uint8_t *data, size_t n, int dlt,
                                          const sipdiag_icmp_match_t *m,
                                          sipdiag_icmp_info_t *info)
{
  uint8_t *copy = malloc(n ? n : 1);
  memcpy(copy, data, n);
  sipdiag_icmp_status_t s = sipdiag_icmp_decode_frame(copy, n, dlt, m, info);
  free(copy);
  return s;
}

/* Every prefix of a frame: no overread, and "ours" only once the quoted
 * ports are all there. */
static void every_prefix(const pkt_t *f, int dlt, const sipdiag_icmp_match_t *m,
                         size_t ports_end, const char *what)
{
  sipdiag_icmp_info_t info;
  unsigned bad = 0;
  for (size_t n = 0; n <= f->n; n++) {
    sipdiag_icmp_status_t s = decode_exact(f->b, n, dlt, m, &info);
    if ((s == SIPDIAG_ICMP_ERROR_OURS) != (n >= ports_end))
      bad++;
  }
  CHECK(bad == 0, "%s: %u prefixes of %zu misjudged (ports end at %zu)",
        what, bad, f->n, ports_end);
}

static const int dlts[] = {DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW,
                           DLT_NULL, DLT_LOOP};
static const char *dlt_names[] = {"EN10MB", "LINUX_SLL", "LINUX_SLL2", "RAW",
                                  "NULL", "LOOP"};

static size_t link_len(int dlt)
{
  switch (dlt) {
  case DLT_EN10MB: return 14;
  case DLT_LINUX_SLL: return 16;
  case DLT_LINUX_SLL2: return 20;
  case DLT_NULL: case DLT_LOOP: return 4;
  default: return 0;
  }
}

static void test_every_linktype(void)
{
  sipdiag_icmp_match_t m4 = match4(), m6 = match6();
  pkt_t q4 = our4(IPPROTO_UDP, 0), q6 = our6(IPPROTO_UDP, false);
  pkt_t e4 = err4(3, 3, 0, &q4), e6 = err6(1, 4, 0, &q6);

  for (size_t i = 0; i < sizeof dlts / sizeof dlts[0]; i++) {
    sipdiag_icmp_info_t info;
    pkt_t f = with_link(&e4, dlts[i], false);
    sipdiag_icmp_status_t s = decode_exact(f.b, f.n, dlts[i], &m4, &info);
    CHECK(s == SIPDIAG_ICMP_ERROR_OURS, "%s v4: status %d", dlt_names[i], s);
    CHECK(info.family == AF_INET && info.type == 3 && info.code == 3,
          "%s v4: %d %u/%u", dlt_names[i], info.family, info.type, info.code);
    CHECK(info.klass == SIPDIAG_ICMP_CLASS_PORT_UNREACHABLE, "%s: class %d",
          dlt_names[i], info.klass);
    CHECK(strcmp(info.reporter, ROUTER4) == 0, "%s: reporter %s", dlt_names[i],
          info.reporter);
    CHECK(info.orig_proto == IPPROTO_UDP && info.orig_sport == LPORT &&
          info.orig_dport == SPORT, "%s: %u %u %u", dlt_names[i],
          info.orig_proto, info.orig_sport, info.orig_dport);
    CHECK(strcmp(info.orig_dst, SERVER4) == 0, "%s: orig dst %s",
          dlt_names[i], info.orig_dst);
    CHECK(strcmp(info.text, "ICMP port unreachable from 198.51.100.1") == 0,
          "%s: text '%s'", dlt_names[i], info.text);
    /* 20 outer IP + 8 ICMP + 20 quoted IP + 4 ports */
    every_prefix(&f, dlts[i], &m4, link_len(dlts[i]) + 52, dlt_names[i]);

    f = with_link(&e6, dlts[i], false);
    s = decode_exact(f.b, f.n, dlts[i], &m6, &info);
    CHECK(s == SIPDIAG_ICMP_ERROR_OURS, "%s v6: status %d", dlt_names[i], s);
    CHECK(info.family == AF_INET6 && info.klass == SIPDIAG_ICMP_CLASS_PORT_UNREACHABLE,
          "%s v6: family %d class %d", dlt_names[i], info.family, info.klass);
    CHECK(strcmp(info.reporter, ROUTER6) == 0, "%s v6: reporter %s",
          dlt_names[i], info.reporter);
    CHECK(strcmp(info.text, "ICMPv6 port unreachable from 2001:db8:ff::1") == 0,
          "%s v6: text '%s'", dlt_names[i], info.text);
    every_prefix(&f, dlts[i], &m6, link_len(dlts[i]) + 40 + 8 + 40 + 4,
                 dlt_names[i]);
  }

  /* DLT_IPV4 / DLT_IPV6 insist on their version. */
  sipdiag_icmp_info_t info;
  CHECK(decode_exact(e4.b, e4.n, DLT_IPV4, &m4, &info) == SIPDIAG_ICMP_ERROR_OURS, "IPV4");
  CHECK(decode_exact(e6.b, e6.n, DLT_IPV6, &m6, &info) == SIPDIAG_ICMP_ERROR_OURS, "IPV6");
  CHECK(decode_exact(e4.b, e4.n, DLT_IPV6, &m4, &info) == SIPDIAG_ICMP_NOT_ICMP, "v4 as IPV6");
  CHECK(decode_exact(e6.b, e6.n, DLT_IPV4, &m6, &info) == SIPDIAG_ICMP_NOT_ICMP, "v6 as IPV4");
  /* The pcap-file value of raw IP, and an unknown link type. */
  CHECK(decode_exact(e4.b, e4.n, 101, &m4, &info) == SIPDIAG_ICMP_ERROR_OURS, "LINKTYPE_RAW");
  CHECK(decode_exact(e4.b, e4.n, 9999, &m4, &info) == SIPDIAG_ICMP_NOT_ICMP, "unknown dlt");

  /* 802.1Q-tagged Ethernet. */
  pkt_t f = with_link(&e4, DLT_EN10MB, true);
  CHECK(decode_exact(f.b, f.n, DLT_EN10MB, &m4, &info) == SIPDIAG_ICMP_ERROR_OURS,
        "VLAN: %d", info.status);
  every_prefix(&f, DLT_EN10MB, &m4, 18 + 52, "VLAN");

  /* Ethernet padding after the IP packet does not disturb. */
  pkt_t padded = with_link(&e4, DLT_EN10MB, false);
  memset(padded.b + padded.n, 0xee, 30);
  padded.n += 30;
  CHECK(decode_exact(padded.b, padded.n, DLT_EN10MB, &m4, &info) == SIPDIAG_ICMP_ERROR_OURS,
        "padded: %d", info.status);
}

static void test_classes(void)
{
  static const struct { int v6; uint8_t type, code; sipdiag_icmp_class_t klass; } cases[] = {
    {0, 3, 0, SIPDIAG_ICMP_CLASS_NET_UNREACHABLE},
    {0, 3, 6, SIPDIAG_ICMP_CLASS_NET_UNREACHABLE},
    {0, 3, 1, SIPDIAG_ICMP_CLASS_HOST_UNREACHABLE},
    {0, 3, 7, SIPDIAG_ICMP_CLASS_HOST_UNREACHABLE},
    {0, 3, 3, SIPDIAG_ICMP_CLASS_PORT_UNREACHABLE},
    {0, 3, 4, SIPDIAG_ICMP_CLASS_FRAG_NEEDED},
    {0, 3, 9, SIPDIAG_ICMP_CLASS_ADMIN_PROHIBITED},
    {0, 3, 10, SIPDIAG_ICMP_CLASS_ADMIN_PROHIBITED},
    {0, 3, 13, SIPDIAG_ICMP_CLASS_ADMIN_PROHIBITED},
    {0, 3, 2, SIPDIAG_ICMP_CLASS_OTHER},
    {0, 11, 0, SIPDIAG_ICMP_CLASS_TTL_EXCEEDED},
    {0, 11, 1, SIPDIAG_ICMP_CLASS_TTL_EXCEEDED},
    {0, 12, 0, SIPDIAG_ICMP_CLASS_OTHER},
    {1, 1, 0, SIPDIAG_ICMP_CLASS_NET_UNREACHABLE},
    {1, 1, 1, SIPDIAG_ICMP_CLASS_ADMIN_PROHIBITED},
    {1, 1, 3, SIPDIAG_ICMP_CLASS_HOST_UNREACHABLE},
    {1, 1, 4, SIPDIAG_ICMP_CLASS_PORT_UNREACHABLE},
    {1, 1, 5, SIPDIAG_ICMP_CLASS_ADMIN_PROHIBITED},
    {1, 1, 6, SIPDIAG_ICMP_CLASS_ADMIN_PROHIBITED},
    {1, 1, 2, SIPDIAG_ICMP_CLASS_OTHER},
    {1, 2, 0, SIPDIAG_ICMP_CLASS_FRAG_NEEDED},
    {1, 3, 0, SIPDIAG_ICMP_CLASS_TTL_EXCEEDED},
    {1, 4, 0, SIPDIAG_ICMP_CLASS_OTHER},
  };
  sipdiag_icmp_match_t m4 = match4(), m6 = match6();
  pkt_t q4 = our4(IPPROTO_UDP, 0), q6 = our6(IPPROTO_UDP, false);

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    bool v6 = cases[i].v6;
    bool frag = cases[i].klass == SIPDIAG_ICMP_CLASS_FRAG_NEEDED;
    uint32_t rest = frag ? (v6 ? 1280 : 1400) : 0;
    pkt_t e = v6 ? err6(cases[i].type, cases[i].code, rest, &q6)
                 : err4(cases[i].type, cases[i].code, rest, &q4);
    pkt_t f = with_link(&e, DLT_LINUX_SLL, false);
    sipdiag_icmp_info_t info;
    sipdiag_icmp_status_t s = decode_exact(f.b, f.n, DLT_LINUX_SLL,
                                           v6 ? &m6 : &m4, &info);
    CHECK(s == SIPDIAG_ICMP_ERROR_OURS, "v%d %u/%u: status %d", v6 ? 6 : 4,
          cases[i].type, cases[i].code, s);
    CHECK(info.klass == cases[i].klass, "v%d %u/%u: class %d, want %d",
          v6 ? 6 : 4, cases[i].type, cases[i].code, info.klass, cases[i].klass);
    CHECK(sipdiag_icmp_classify(v6 ? AF_INET6 : AF_INET, cases[i].type,
                                cases[i].code) == cases[i].klass, "classify");
    if (frag) {
      CHECK(info.mtu == rest, "mtu %u", (unsigned)info.mtu);
      char want[64];
      snprintf(want, sizeof want, "fragmentation needed (MTU %u)", (unsigned)rest);
      CHECK_CONTAINS(info.text, want);
    }
    if (cases[i].klass == SIPDIAG_ICMP_CLASS_OTHER)
      CHECK_CONTAINS(info.text, "error type");
    CHECK(strncmp(info.text, v6 ? "ICMPv6 " : "ICMP ", v6 ? 7 : 5) == 0,
          "text '%s'", info.text);
  }
  CHECK_CONTAINS(sipdiag_icmp_class_name(SIPDIAG_ICMP_CLASS_ADMIN_PROHIBITED),
                 "administratively prohibited");
  CHECK(sipdiag_icmp_classify(AF_INET, 8, 0) == SIPDIAG_ICMP_CLASS_NONE, "echo");
  CHECK(sipdiag_icmp_classify(AF_INET6, 128, 0) == SIPDIAG_ICMP_CLASS_NONE, "echo6");
}

static void expect_not_ours(const pkt_t *quoted, bool v6,
                            const sipdiag_icmp_match_t *m, const char *what)
{
  pkt_t e = v6 ? err6(1, 4, 0, quoted) : err4(3, 3, 0, quoted);
  sipdiag_icmp_info_t info;
  sipdiag_icmp_status_t s = decode_exact(e.b, e.n, DLT_RAW, m, &info);
  CHECK(s == SIPDIAG_ICMP_ERROR_NOT_OURS, "%s: status %d", what, s);
  CHECK(info.klass == SIPDIAG_ICMP_CLASS_PORT_UNREACHABLE, "%s: class %d",
        what, info.klass);
}

static void test_not_ours(void)
{
  sipdiag_icmp_match_t m4 = match4(), m6 = match6();
  pkt_t q;

  q = l4(IPPROTO_UDP, LPORT + 1, SPORT);
  ip4(&q, IPPROTO_UDP, LOCAL4, SERVER4, 0);
  expect_not_ours(&q, false, &m4, "v4 other source port");
  q = l4(IPPROTO_UDP, LPORT, SPORT + 1);
  ip4(&q, IPPROTO_UDP, LOCAL4, SERVER4, 0);
  expect_not_ours(&q, false, &m4, "v4 other destination port");
  q = l4(IPPROTO_UDP, LPORT, SPORT);
  ip4(&q, IPPROTO_UDP, LOCAL4, OTHER4, 0);
  expect_not_ours(&q, false, &m4, "v4 other destination");
  q = l4(IPPROTO_UDP, LPORT, SPORT);
  ip4(&q, 132 /* SCTP */, LOCAL4, SERVER4, 0);
  expect_not_ours(&q, false, &m4, "v4 SCTP");
  q = l4(IPPROTO_UDP, LPORT, SPORT);
  ip6(&q, IPPROTO_UDP, LOCAL6, OTHER6, false);
  expect_not_ours(&q, true, &m6, "v6 other destination");
  q = l4(IPPROTO_UDP, LPORT + 1, SPORT);
  ip6(&q, IPPROTO_UDP, LOCAL6, SERVER6, false);
  expect_not_ours(&q, true, &m6, "v6 other source port");
  /* An IPv6 server never matches an IPv4 quote. */
  q = our4(IPPROTO_UDP, 0);
  expect_not_ours(&q, false, &m6, "v4 quote, v6 server");
  /* No match at all: nothing is ours. */
  q = our4(IPPROTO_UDP, 0);
  expect_not_ours(&q, false, NULL, "no match");

  /* A later fragment quoted: no ports, so not ours. */
  q = our4(IPPROTO_UDP, 0);
  put16(q.b + 6, 100);
  expect_not_ours(&q, false, &m4, "v4 quoted later fragment");

  /* An ICMPv4 error quoting an IPv6 packet is nonsense. */
  q = our6(IPPROTO_UDP, false);
  expect_not_ours(&q, false, &m6, "v6 inside ICMPv4");
}

static void test_variants(void)
{
  sipdiag_icmp_match_t m4 = match4(), m6 = match6();
  sipdiag_icmp_info_t info;

  /* IPv4 options in the quoted header, and in the outer header. */
  for (unsigned words = 1; words <= 10; words++) {
    pkt_t q = our4(IPPROTO_UDP, words);
    pkt_t e = icmp_error(3, 3, 0, &q, 548);
    ip4(&e, IPPROTO_ICMP, ROUTER4, LOCAL4, words % 3);
    pkt_t f = with_link(&e, DLT_EN10MB, false);
    CHECK(decode_exact(f.b, f.n, DLT_EN10MB, &m4, &info) == SIPDIAG_ICMP_ERROR_OURS,
          "options %u: status %d", words, info.status);
    CHECK(info.orig_sport == LPORT && info.orig_dport == SPORT, "options %u: ports", words);
    every_prefix(&f, DLT_EN10MB, &m4, 14 + 20 + 4 * (words % 3) + 8 + 20 + 4 * words + 4,
                 "IPv4 options");
  }

  /* TCP quoted. */
  pkt_t q = our4(IPPROTO_TCP, 0);
  pkt_t e = err4(3, 1, 0, &q);
  CHECK(decode_exact(e.b, e.n, DLT_RAW, &m4, &info) == SIPDIAG_ICMP_ERROR_OURS &&
        info.orig_proto == IPPROTO_TCP && info.klass == SIPDIAG_ICMP_CLASS_HOST_UNREACHABLE,
        "TCP: %d %u %d", info.status, info.orig_proto, info.klass);
  CHECK(strcmp(info.text, "ICMP host unreachable from 198.51.100.1") == 0, "'%s'", info.text);

  /* A quote of only 8 octets of transport header (RFC 792 minimum). */
  q = our4(IPPROTO_UDP, 0);
  pkt_t e8 = icmp_error(3, 3, 0, &q, 28);
  ip4(&e8, IPPROTO_ICMP, ROUTER4, LOCAL4, 0);
  CHECK(decode_exact(e8.b, e8.n, DLT_RAW, &m4, &info) == SIPDIAG_ICMP_ERROR_OURS,
        "28-octet quote: %d", info.status);

  /* IPv6 with a hop-by-hop header in the quote and none outside. */
  q = our6(IPPROTO_UDP, true);
  e = err6(1, 3, 0, &q);
  pkt_t f = with_link(&e, DLT_LINUX_SLL2, false);
  CHECK(decode_exact(f.b, f.n, DLT_LINUX_SLL2, &m6, &info) == SIPDIAG_ICMP_ERROR_OURS,
        "v6 hop-by-hop quote: %d", info.status);
  every_prefix(&f, DLT_LINUX_SLL2, &m6, 20 + 40 + 8 + 48 + 4, "v6 hbh");

  /* An outer IPv6 header with hop-by-hop too. */
  q = our6(IPPROTO_UDP, false);
  e = icmp_error(1, 1, 0, &q, 1232);
  ip6(&e, IPPROTO_ICMPV6, ROUTER6, LOCAL6, true);
  CHECK(decode_exact(e.b, e.n, DLT_RAW, &m6, &info) == SIPDIAG_ICMP_ERROR_OURS &&
        info.klass == SIPDIAG_ICMP_CLASS_ADMIN_PROHIBITED,
        "v6 outer hop-by-hop: %d %d", info.status, info.klass);

  /* Unknown server: any destination, local port still checked. */
  sipdiag_icmp_match_t any;
  sipdiag_icmp_match_init(&any, NULL, LPORT);
  q = our4(IPPROTO_UDP, 0);
  e = err4(3, 3, 0, &q);
  CHECK(decode_exact(e.b, e.n, DLT_RAW, &any, &info) == SIPDIAG_ICMP_ERROR_OURS,
        "unknown server: %d", info.status);
  sipdiag_icmp_match_init(&any, NULL, LPORT + 1);
  CHECK(decode_exact(e.b, e.n, DLT_RAW, &any, &info) == SIPDIAG_ICMP_ERROR_NOT_OURS,
        "unknown server, other port: %d", info.status);

  /* An IPv4-mapped server address matches IPv4 quotes. */
  struct sockaddr_in6 mapped = {.sin6_family = AF_INET6, .sin6_port = htons(SPORT)};
  inet_pton(AF_INET6, "::ffff:192.0.2.10", &mapped.sin6_addr);
  sipdiag_icmp_match_t mm;
  sipdiag_icmp_match_init(&mm, (struct sockaddr *)&mapped, LPORT);
  CHECK(mm.server_family == AF_INET && mm.server_port == SPORT, "mapped: %d %u",
        mm.server_family, mm.server_port);
  CHECK(decode_exact(e.b, e.n, DLT_RAW, &mm, &info) == SIPDIAG_ICMP_ERROR_OURS,
        "mapped: %d", info.status);

  /* Echo request and reply. */
  uint8_t echo[16] = {0, 0, 0, 0, 0x12, 0x34, 0, 7, 'h', 'i'};
  pkt_t ep = {0};
  append(&ep, echo, sizeof echo);
  ip4(&ep, IPPROTO_ICMP, SERVER4, LOCAL4, 0);
  CHECK(decode_exact(ep.b, ep.n, DLT_RAW, &m4, &info) == SIPDIAG_ICMP_ECHO_REPLY &&
        info.echo_id == 0x1234 && info.echo_seq == 7 && strcmp(info.reporter, SERVER4) == 0,
        "echo reply: %d %x %u %s", info.status, info.echo_id, info.echo_seq, info.reporter);
  echo[0] = 128;
  ep.n = 0;
  append(&ep, echo, sizeof echo);
  ip6(&ep, IPPROTO_ICMPV6, LOCAL6, SERVER6, false);
  CHECK(decode_exact(ep.b, ep.n, DLT_RAW, &m6, &info) == SIPDIAG_ICMP_ECHO_REQUEST,
        "echo6 request: %d", info.status);
  echo[0] = 135;  /* neighbour solicitation */
  ep.n = 0;
  append(&ep, echo, sizeof echo);
  ip6(&ep, IPPROTO_ICMPV6, LOCAL6, SERVER6, false);
  CHECK(decode_exact(ep.b, ep.n, DLT_RAW, &m6, &info) == SIPDIAG_ICMP_OTHER_MESSAGE,
        "NS: %d", info.status);

  /* A SIP datagram is no ICMP, but parses with its ports. */
  pkt_t sip = our4(IPPROTO_UDP, 0);
  f = with_link(&sip, DLT_LINUX_SLL, false);
  sipdiag_packet_t pk;
  CHECK(sipdiag_packet_parse(f.b, f.n, DLT_LINUX_SLL, &pk) && pk.has_ports &&
        pk.proto == IPPROTO_UDP && pk.sport == LPORT && pk.dport == SPORT &&
        pk.family == AF_INET, "SIP packet parse");
  CHECK(pk.l4_len == sip.n - 20, "l4_len %zu", pk.l4_len);
  CHECK(decode_exact(f.b, f.n, DLT_LINUX_SLL, &m4, &info) == SIPDIAG_ICMP_NOT_ICMP,
        "SIP: %d", info.status);
}

static void test_raw_socket(void)
{
  sipdiag_icmp_match_t m4 = match4(), m6 = match6();
  sipdiag_icmp_info_t info;
  pkt_t q4 = our4(IPPROTO_UDP, 0), q6 = our6(IPPROTO_UDP, false);

  /* IPv4 raw socket: the IP header comes along and names the reporter. */
  pkt_t e = err4(3, 13, 0, &q4);
  CHECK(sipdiag_icmp_decode_message(AF_INET, e.b, e.n, true, NULL, &m4, &info) ==
        SIPDIAG_ICMP_ERROR_OURS && info.klass == SIPDIAG_ICMP_CLASS_ADMIN_PROHIBITED &&
        strcmp(info.reporter, ROUTER4) == 0, "raw v4 with header: %d %d '%s'",
        info.status, info.klass, info.reporter);

  /* Bare ICMP with recvfrom's address. */
  pkt_t bare = icmp_error(3, 0, 0, &q4, 548);
  struct sockaddr_in from = {.sin_family = AF_INET};
  inet_pton(AF_INET, ROUTER4, &from.sin_addr);
  CHECK(sipdiag_icmp_decode_message(AF_INET, bare.b, bare.n, false,
                                    (struct sockaddr *)&from, &m4, &info) ==
        SIPDIAG_ICMP_ERROR_OURS && info.klass == SIPDIAG_ICMP_CLASS_NET_UNREACHABLE,
        "bare v4: %d", info.status);
  CHECK(strcmp(info.text, "ICMP network unreachable from 198.51.100.1") == 0,
        "'%s'", info.text);
  CHECK(sipdiag_icmp_decode_message(AF_INET, bare.b, bare.n, false, NULL, &m4, &info) ==
        SIPDIAG_ICMP_ERROR_OURS && strcmp(info.text, "ICMP network unreachable") == 0,
        "no reporter: '%s'", info.text);

  /* ICMPv6 raw socket. */
  pkt_t bare6 = icmp_error(3, 0, 0, &q6, 1232);
  struct sockaddr_in6 from6 = {.sin6_family = AF_INET6};
  inet_pton(AF_INET6, ROUTER6, &from6.sin6_addr);
  CHECK(sipdiag_icmp_decode_message(AF_INET6, bare6.b, bare6.n, false,
                                    (struct sockaddr *)&from6, &m6, &info) ==
        SIPDIAG_ICMP_ERROR_OURS && info.klass == SIPDIAG_ICMP_CLASS_TTL_EXCEEDED &&
        strcmp(info.reporter, ROUTER6) == 0, "bare v6: %d", info.status);
  CHECK(sipdiag_icmp_decode_message(AF_INET6, bare6.b, bare6.n, true, NULL, &m6, &info) ==
        SIPDIAG_ICMP_NOT_ICMP, "v6 with header is refused");

  /* Every prefix of the raw-socket forms. */
  unsigned bad = 0;
  for (size_t n = 0; n <= e.n; n++) {
    uint8_t *c = malloc(n ? n : 1);
    memcpy(c, e.b, n);
    sipdiag_icmp_status_t s = sipdiag_icmp_decode_message(AF_INET, c, n, true, NULL, &m4, &info);
    bad += (s == SIPDIAG_ICMP_ERROR_OURS) != (n >= 52);
    free(c);
  }
  for (size_t n = 0; n <= bare6.n; n++) {
    uint8_t *c = malloc(n ? n : 1);
    memcpy(c, bare6.b, n);
    sipdiag_icmp_status_t s = sipdiag_icmp_decode_message(AF_INET6, c, n, false,
                                                          (struct sockaddr *)&from6, &m6, &info);
    bad += (s == SIPDIAG_ICMP_ERROR_OURS) != (n >= 52);
    free(c);
  }
  CHECK(bad == 0, "%u raw-socket prefixes misjudged", bad);
}

/* Random and mutated input: must never crash nor read out of bounds. */
static void test_fuzz(void)
{
  sipdiag_icmp_match_t m4 = match4(), m6 = match6();
  sipdiag_icmp_info_t info;
  uint32_t seed = 12345;
  pkt_t q4 = our4(IPPROTO_UDP, 2), q6 = our6(IPPROTO_UDP, true);
  pkt_t seeds[2] = {err4(3, 3, 0, &q4), err6(1, 4, 0, &q6)};
  unsigned decoded = 0;

  for (int round = 0; round < 200000; round++) {
    seed = seed * 1103515245u + 12345u;
    int di = (int)((seed >> 8) % (sizeof dlts / sizeof dlts[0]));
    pkt_t f = with_link(&seeds[round & 1], dlts[di], (round & 2) != 0);
    unsigned flips = 1 + (seed >> 20) % 4;
    for (unsigned k = 0; k < flips; k++) {
      seed = seed * 1103515245u + 12345u;
      f.b[(seed >> 8) % f.n] = (uint8_t)(seed >> 24);
    }
    seed = seed * 1103515245u + 12345u;
    size_t n = (seed >> 8) % (f.n + 1);
    if (decode_exact(f.b, n, dlts[di], (round & 1) ? &m6 : &m4, &info) != SIPDIAG_ICMP_NOT_ICMP)
      decoded++;
    CHECK(memchr(info.text, 0, sizeof info.text) != NULL, "text unterminated");
    if (check_failures > 20)
      break;
  }
  CHECK(decoded > 0, "fuzz decoded nothing");
}

/* ---- the socket error queue (IP_RECVERR / IPV6_RECVERR) ----------------- */

/* A control message's data as the kernel writes it: the extended error,
 * then the offender's address. */
static size_t errqueue_data(uint8_t *out, uint8_t origin, uint8_t type, uint8_t code,
                            uint32_t errnum, uint32_t info, int offender_family,
                            const char *offender)
{
  struct sock_extended_err ee;
  memset(&ee, 0, sizeof ee);
  ee.ee_errno = errnum;
  ee.ee_origin = origin;
  ee.ee_type = type;
  ee.ee_code = code;
  ee.ee_info = info;
  memcpy(out, &ee, sizeof ee);
  size_t n = sizeof ee;
  if (offender_family == AF_INET) {
    struct sockaddr_in sin = { .sin_family = AF_INET };
    inet_pton(AF_INET, offender, &sin.sin_addr);
    memcpy(out + n, &sin, sizeof sin);
    n += sizeof sin;
  } else if (offender_family == AF_INET6) {
    struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
    inet_pton(AF_INET6, offender, &sin6.sin6_addr);
    memcpy(out + n, &sin6, sizeof sin6);
    n += sizeof sin6;
  } else {
    struct sockaddr_in none = { .sin_family = AF_UNSPEC };
    memcpy(out + n, &none, sizeof none);
    n += sizeof none;
  }
  return n;
}

/* Decodes data from a buffer of exactly its size (for the sanitizer). */
static sipdiag_icmp_status_t decode_errq_exact(int level, int type, const uint8_t *data, size_t n,
                                          sipdiag_icmp_info_t *info, int *error)
{
  uint8_t *copy = malloc(n ? n : 1);
  memcpy(copy, data, n);
  sipdiag_icmp_status_t st = sipdiag_icmp_decode_errqueue(level, type, copy, n, info, error);
  free(copy);
  return st;
}

static void test_errqueue(void)
{
  uint8_t d[128];
  sipdiag_icmp_info_t info;
  int error;
  static const struct {
    int v6;
    uint8_t type, code;
    int errnum;
    sipdiag_icmp_class_t klass;
    const char *text;
  } cases[] = {
    { 0, 3, 3, ECONNREFUSED, SIPDIAG_ICMP_CLASS_PORT_UNREACHABLE,
      "ICMP port unreachable from 198.51.100.1" },
    { 0, 3, 0, ENETUNREACH, SIPDIAG_ICMP_CLASS_NET_UNREACHABLE,
      "ICMP network unreachable from 198.51.100.1" },
    { 0, 3, 1, EHOSTUNREACH, SIPDIAG_ICMP_CLASS_HOST_UNREACHABLE,
      "ICMP host unreachable from 198.51.100.1" },
    /* the errno merges these with host/net unreachable; the code does not */
    { 0, 3, 13, EHOSTUNREACH, SIPDIAG_ICMP_CLASS_ADMIN_PROHIBITED,
      "ICMP administratively prohibited from 198.51.100.1" },
    { 0, 3, 10, EHOSTUNREACH, SIPDIAG_ICMP_CLASS_ADMIN_PROHIBITED, NULL },
    { 0, 3, 9, ENETUNREACH, SIPDIAG_ICMP_CLASS_ADMIN_PROHIBITED, NULL },
    { 0, 11, 0, EHOSTUNREACH, SIPDIAG_ICMP_CLASS_TTL_EXCEEDED, NULL },
    { 1, 1, 4, ECONNREFUSED, SIPDIAG_ICMP_CLASS_PORT_UNREACHABLE,
      "ICMPv6 port unreachable from 2001:db8:ff::1" },
    { 1, 1, 0, ENETUNREACH, SIPDIAG_ICMP_CLASS_NET_UNREACHABLE, NULL },
    { 1, 1, 3, EHOSTUNREACH, SIPDIAG_ICMP_CLASS_HOST_UNREACHABLE, NULL },
    { 1, 1, 1, EACCES, SIPDIAG_ICMP_CLASS_ADMIN_PROHIBITED, NULL },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int v6 = cases[i].v6;
    size_t n = errqueue_data(d, v6 ? SO_EE_ORIGIN_ICMP6 : SO_EE_ORIGIN_ICMP, cases[i].type,
                             cases[i].code, (uint32_t)cases[i].errnum, 0,
                             v6 ? AF_INET6 : AF_INET, v6 ? ROUTER6 : ROUTER4);
    int level = v6 ? IPPROTO_IPV6 : IPPROTO_IP, type = v6 ? IPV6_RECVERR : IP_RECVERR;
    CHECK(decode_errq_exact(level, type, d, n, &info, &error) == SIPDIAG_ICMP_ERROR_OURS, "case %zu", i);
    CHECK(info.klass == cases[i].klass, "case %zu: class %d", i, info.klass);
    CHECK(info.type == cases[i].type && info.code == cases[i].code, "case %zu", i);
    CHECK(info.family == (v6 ? AF_INET6 : AF_INET), "case %zu", i);
    CHECK(error == cases[i].errnum, "case %zu: errno %d", i, error);
    CHECK(strcmp(info.reporter, v6 ? ROUTER6 : ROUTER4) == 0, "case %zu: %s", i, info.reporter);
    if (cases[i].text)
      CHECK(strcmp(info.text, cases[i].text) == 0, "case %zu: %s", i, info.text);
    /* every prefix: never a read past it; the offender needs all of it */
    for (size_t k = 0; k < n; k++) {
      sipdiag_icmp_status_t st = decode_errq_exact(level, type, d, k, &info, &error);
      if (k < sizeof(struct sock_extended_err))
        CHECK(st == SIPDIAG_ICMP_NOT_ICMP && error == 0, "case %zu prefix %zu", i, k);
      else
        CHECK(st == SIPDIAG_ICMP_ERROR_OURS && info.reporter[0] == '\0',
              "case %zu prefix %zu: %s", i, k, info.reporter);
    }
  }

  /* The class comes from ee_origin, ee_type and ee_code, which mean the
   * same on every architecture, never from ee_errno, whose numbering is the
   * kernel's: under qemu-user 7.2 a MIPS guest on an x86 host reads x86's
   * 111 for ECONNREFUSED (MIPS: 146), and ARM would read MIPS's 146 as
   * "Unknown error".  Another numbering's value, 0 or garbage in ee_errno
   * changes nothing but the errno passed through. */
  static const uint32_t foreign_errnos[] = { 0, 111, 146, 148, 0xffffffffu };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int v6 = cases[i].v6;
    int level = v6 ? IPPROTO_IPV6 : IPPROTO_IP, type = v6 ? IPV6_RECVERR : IP_RECVERR;
    for (size_t f = 0; f < sizeof foreign_errnos / sizeof foreign_errnos[0]; f++) {
      size_t n = errqueue_data(d, v6 ? SO_EE_ORIGIN_ICMP6 : SO_EE_ORIGIN_ICMP, cases[i].type,
                               cases[i].code, foreign_errnos[f], 0,
                               v6 ? AF_INET6 : AF_INET, v6 ? ROUTER6 : ROUTER4);
      CHECK(decode_errq_exact(level, type, d, n, &info, &error) == SIPDIAG_ICMP_ERROR_OURS,
            "case %zu ee_errno %u", i, (unsigned)foreign_errnos[f]);
      CHECK(info.klass == cases[i].klass, "case %zu ee_errno %u: class %d", i,
            (unsigned)foreign_errnos[f], info.klass);
      CHECK(error == (int)foreign_errnos[f], "case %zu: errno %d", i, error);
      if (cases[i].text)
        CHECK(strcmp(info.text, cases[i].text) == 0, "case %zu ee_errno %u: %s", i,
              (unsigned)foreign_errnos[f], info.text);
    }
  }
  /* what sipdiag-probe on MIPS under qemu-user read in tests/cross: 3/3,
   * x86's errno, and no offender (qemu 7.2 leaves SO_EE_OFFENDER zeroed) */
  size_t n = errqueue_data(d, SO_EE_ORIGIN_ICMP, 3, 3, 111, 0, AF_UNSPEC, NULL);
  CHECK(decode_errq_exact(IPPROTO_IP, IP_RECVERR, d, n, &info, &error) == SIPDIAG_ICMP_ERROR_OURS &&
        info.klass == SIPDIAG_ICMP_CLASS_PORT_UNREACHABLE &&
        sipdiag_icmp_code(info.klass) == SIPDIAG_CODE_PORT_UNREACHABLE,
        "qemu's entry: class %d", info.klass);
  CHECK(strcmp(info.text, "ICMP port unreachable") == 0, "qemu's entry: %s", info.text);

  /* an IPv4-mapped offender (a dual-stack socket) reads as IPv4 */
  n = errqueue_data(d, SO_EE_ORIGIN_ICMP, 3, 3, ECONNREFUSED, 0, AF_INET6,
                           "::ffff:192.0.2.10");
  CHECK(decode_errq_exact(IPPROTO_IP, IP_RECVERR, d, n, &info, &error) == SIPDIAG_ICMP_ERROR_OURS, "mapped");
  CHECK(strcmp(info.reporter, SERVER4) == 0, "mapped offender: %s", info.reporter);
  /* no offender known */
  n = errqueue_data(d, SO_EE_ORIGIN_ICMP, 3, 1, EHOSTUNREACH, 0, AF_UNSPEC, NULL);
  CHECK(decode_errq_exact(IPPROTO_IP, IP_RECVERR, d, n, &info, &error) == SIPDIAG_ICMP_ERROR_OURS, "anon");
  CHECK(info.reporter[0] == '\0' && strcmp(info.text, "ICMP host unreachable") == 0, "%s", info.text);
  /* fragmentation needed carries the MTU in ee_info */
  n = errqueue_data(d, SO_EE_ORIGIN_ICMP, 3, 4, EMSGSIZE, 1400, AF_INET, ROUTER4);
  decode_errq_exact(IPPROTO_IP, IP_RECVERR, d, n, &info, &error);
  CHECK(info.klass == SIPDIAG_ICMP_CLASS_FRAG_NEEDED && info.mtu == 1400, "mtu %u", (unsigned)info.mtu);
  /* a local error: no ICMP, but the errno is given */
  n = errqueue_data(d, SO_EE_ORIGIN_LOCAL, 0, 0, EMSGSIZE, 0, AF_UNSPEC, NULL);
  CHECK(decode_errq_exact(IPPROTO_IP, IP_RECVERR, d, n, &info, &error) == SIPDIAG_ICMP_NOT_ICMP &&
        error == EMSGSIZE, "local error");
  /* an ICMP origin that is no error (an echo reply) */
  n = errqueue_data(d, SO_EE_ORIGIN_ICMP, 0, 0, 0, 0, AF_INET, ROUTER4);
  CHECK(decode_errq_exact(IPPROTO_IP, IP_RECVERR, d, n, &info, &error) == SIPDIAG_ICMP_OTHER_MESSAGE,
        "not an error");
  /* another control message */
  n = errqueue_data(d, SO_EE_ORIGIN_ICMP, 3, 3, ECONNREFUSED, 0, AF_INET, ROUTER4);
  CHECK(decode_errq_exact(SOL_SOCKET, IP_RECVERR, d, n, &info, &error) == SIPDIAG_ICMP_NOT_ICMP, "level");
  CHECK(decode_errq_exact(IPPROTO_IP, IP_PKTINFO, d, n, &info, &error) == SIPDIAG_ICMP_NOT_ICMP, "type");
  CHECK(sipdiag_icmp_decode_errqueue(IPPROTO_IP, IP_RECVERR, NULL, 0, &info, NULL) ==
        SIPDIAG_ICMP_NOT_ICMP, "NULL");
}

int main(void)
{
  test_every_linktype();
  test_classes();
  test_not_ours();
  test_variants();
  test_raw_socket();
  test_fuzz();
  test_errqueue();
  return check_summary("icmp_error_decode");
}
