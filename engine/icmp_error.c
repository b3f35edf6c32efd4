/*
 * icmp_error.c - decoding ICMP and ICMPv6 errors about the probe's packets.
 *
 * Every read goes through a length check against the bytes actually
 * present; lengths claimed inside the packet only ever shorten the view.
 */
#include "config.h"       /* first: a 64-bit off_t on 32-bit builds */
#include "icmp_error.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <linux/errqueue.h>

#define ETHERTYPE_IPV4   0x0800
#define ETHERTYPE_IPV6   0x86dd
#define ETHERTYPE_VLAN   0x8100
#define ETHERTYPE_QINQ   0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100
#define VLAN_TAGS_MAX    3      /* stacked 802.1Q/802.1ad tags we skip     */
#define IPV6_EXT_MAX     8      /* extension headers we walk through       */

#define PROTO_ICMP     1
#define PROTO_TCP      6
#define PROTO_UDP      17
#define PROTO_ICMPV6   58

static uint16_t rd16(const uint8_t *p)
{
  return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
         (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void addr_text(int family, const uint8_t *addr, char *out, size_t size)
{
  uint8_t copy[16];  /* inet_ntop wants an in_addr; give it an aligned copy */
  memcpy(copy, addr, family == AF_INET6 ? 16 : 4);
  if (!inet_ntop(family, copy, out, (socklen_t)size))
    out[0] = '\0';
}

/*
 * Parses an IP packet of `version` (4, 6, or 0 for either).  A quoted
 * packet (inside an ICMP error) is usually cut short, so its own length
 * fields are not used to trim it.
 */
static bool parse_ip(const uint8_t *p, size_t len, unsigned version,
                     bool quoted, sipdiag_packet_t *out)
{
  memset(out, 0, sizeof *out);
  if (len < 1)
    return false;
  unsigned v = p[0] >> 4;
  if (version && v != version)
    return false;

  size_t off;
  uint8_t proto;
  out->first_fragment = true;

  if (v == 4) {
    if (len < 20)
      return false;
    size_t ihl = (size_t)(p[0] & 0x0f) * 4;
    if (ihl < 20 || ihl > len)
      return false;
    size_t total = rd16(p + 2);
    if (!quoted && total != 0) {      /* 0: a segmentation-offload packet */
      if (total < ihl)
        return false;
      if (total < len)
        len = total;                   /* drop link-layer padding          */
    }
    out->family = AF_INET;
    out->first_fragment = (rd16(p + 6) & 0x1fff) == 0;
    proto = p[9];
    memcpy(out->src, p + 12, 4);
    memcpy(out->dst, p + 16, 4);
    off = ihl;
  } else if (v == 6) {
    if (len < 40)
      return false;
    size_t payload = rd16(p + 4);
    if (!quoted && payload != 0 && 40 + payload < len)
      len = 40 + payload;
    out->family = AF_INET6;
    memcpy(out->src, p + 8, 16);
    memcpy(out->dst, p + 24, 16);
    proto = p[6];
    off = 40;
    for (int i = 0; i < IPV6_EXT_MAX; i++) {
      size_t hlen;
      if (proto == 0 || proto == 43 || proto == 60) {      /* HBH, RH, DO  */
        if (len - off < 2)
          return false;
        hlen = ((size_t)p[off + 1] + 1) * 8;
      } else if (proto == 51) {                            /* AH           */
        if (len - off < 2)
          return false;
        hlen = ((size_t)p[off + 1] + 2) * 4;
      } else if (proto == 44) {                            /* fragment     */
        if (len - off < 8)
          return false;
        hlen = 8;
        if ((rd16(p + off + 2) & 0xfff8) != 0)
          out->first_fragment = false;
      } else {
        break;
      }
      if (hlen > len - off)
        return false;
      proto = p[off];
      off += hlen;
    }
  } else {
    return false;
  }

  out->proto = proto;
  out->l4 = p + off;
  out->l4_len = len - off;
  if (out->first_fragment && (proto == PROTO_UDP || proto == PROTO_TCP) &&
      out->l4_len >= 4) {
    out->has_ports = true;
    out->sport = rd16(out->l4);
    out->dport = rd16(out->l4 + 2);
  }
  return true;
}

bool sipdiag_packet_parse(const uint8_t *frame, size_t len, int dlt,
                          sipdiag_packet_t *out)
{
  size_t off = 0;
  unsigned version = 0;
  unsigned ethertype;

  memset(out, 0, sizeof *out);
  if (!frame)
    return false;

  switch (dlt) {
  case SIPDIAG_DLT_EN10MB:
    if (len < 14)
      return false;
    ethertype = rd16(frame + 12);
    off = 14;
    for (int i = 0; i < VLAN_TAGS_MAX &&
         (ethertype == ETHERTYPE_VLAN || ethertype == ETHERTYPE_QINQ ||
          ethertype == ETHERTYPE_QINQ_OLD); i++) {
      if (len - off < 4)
        return false;
      ethertype = rd16(frame + off + 2);
      off += 4;
    }
    break;
  case SIPDIAG_DLT_LINUX_SLL:
    if (len < 16)
      return false;
    ethertype = rd16(frame + 14);
    off = 16;
    break;
  case SIPDIAG_DLT_LINUX_SLL2:
    if (len < 20)
      return false;
    ethertype = rd16(frame);
    off = 20;
    break;
  case SIPDIAG_DLT_NULL:
  case SIPDIAG_DLT_LOOP:
    /* The family's value differs between systems (AF_INET6 is 10, 24, 28
     * or 30) and byte orders; the IP version nibble is what we trust. */
    if (len < 4)
      return false;
    return parse_ip(frame + 4, len - 4, 0, false, out);
  case SIPDIAG_DLT_RAW:
  case SIPDIAG_DLT_RAW_OPENBSD:
  case SIPDIAG_LINKTYPE_RAW:
    return parse_ip(frame, len, 0, false, out);
  case SIPDIAG_DLT_IPV4:
    return parse_ip(frame, len, 4, false, out);
  case SIPDIAG_DLT_IPV6:
    return parse_ip(frame, len, 6, false, out);
  default:
    return false;
  }

  if (ethertype == ETHERTYPE_IPV4)
    version = 4;
  else if (ethertype == ETHERTYPE_IPV6)
    version = 6;
  else
    return false;
  return parse_ip(frame + off, len - off, version, false, out);
}

sipdiag_icmp_class_t sipdiag_icmp_classify(int family, uint8_t type,
                                           uint8_t code)
{
  if (family == AF_INET) {
    switch (type) {
    case 3:
      switch (code) {
      case 0: case 6: case 11: return SIPDIAG_ICMP_CLASS_NET_UNREACHABLE;
      case 1: case 7: case 12: return SIPDIAG_ICMP_CLASS_HOST_UNREACHABLE;
      case 3:                  return SIPDIAG_ICMP_CLASS_PORT_UNREACHABLE;
      case 4:                  return SIPDIAG_ICMP_CLASS_FRAG_NEEDED;
      case 9: case 10: case 13: return SIPDIAG_ICMP_CLASS_ADMIN_PROHIBITED;
      default:                 return SIPDIAG_ICMP_CLASS_OTHER;
      }
    case 11:
      return SIPDIAG_ICMP_CLASS_TTL_EXCEEDED;
    case 4:    /* source quench */
    case 12:   /* parameter problem */
      return SIPDIAG_ICMP_CLASS_OTHER;
    default:
      return SIPDIAG_ICMP_CLASS_NONE;
    }
  }
  if (family == AF_INET6) {
    switch (type) {
    case 1:
      switch (code) {
      case 0:                  return SIPDIAG_ICMP_CLASS_NET_UNREACHABLE;
      case 1: case 5: case 6:  return SIPDIAG_ICMP_CLASS_ADMIN_PROHIBITED;
      case 3:                  return SIPDIAG_ICMP_CLASS_HOST_UNREACHABLE;
      case 4:                  return SIPDIAG_ICMP_CLASS_PORT_UNREACHABLE;
      default:                 return SIPDIAG_ICMP_CLASS_OTHER;
      }
    case 2:
      return SIPDIAG_ICMP_CLASS_FRAG_NEEDED;
    case 3:
      return SIPDIAG_ICMP_CLASS_TTL_EXCEEDED;
    case 4:    /* parameter problem */
      return SIPDIAG_ICMP_CLASS_OTHER;
    default:
      return SIPDIAG_ICMP_CLASS_NONE;
    }
  }
  return SIPDIAG_ICMP_CLASS_NONE;
}

const char *sipdiag_icmp_class_name(sipdiag_icmp_class_t klass)
{
  switch (klass) {
  case SIPDIAG_ICMP_CLASS_NONE:             return "";
  case SIPDIAG_ICMP_CLASS_PORT_UNREACHABLE: return "port unreachable";
  case SIPDIAG_ICMP_CLASS_HOST_UNREACHABLE: return "host unreachable";
  case SIPDIAG_ICMP_CLASS_NET_UNREACHABLE:  return "network unreachable";
  case SIPDIAG_ICMP_CLASS_ADMIN_PROHIBITED: return "administratively prohibited";
  case SIPDIAG_ICMP_CLASS_FRAG_NEEDED:      return "fragmentation needed";
  case SIPDIAG_ICMP_CLASS_TTL_EXCEEDED:     return "time exceeded";
  case SIPDIAG_ICMP_CLASS_OTHER:            return "error";
  }
  return "error";
}

static bool is_error_type(int family, uint8_t type)
{
  if (family == AF_INET)
    return type == 3 || type == 4 || type == 11 || type == 12;
  return type >= 1 && type <= 4;
}

static bool quoted_is_ours(const sipdiag_packet_t *q,
                           const sipdiag_icmp_match_t *m)
{
  if (!m || !q->has_ports)
    return false;
  if (q->proto != PROTO_UDP && q->proto != PROTO_TCP)
    return false;
  if (m->local_port && q->sport != m->local_port)
    return false;
  if (m->server_port && q->dport != m->server_port)
    return false;
  if (m->server_family == AF_UNSPEC)
    return true;
  if (m->server_family != q->family)
    return false;
  return memcmp(q->dst, m->server_addr, q->family == AF_INET6 ? 16 : 4) == 0;
}

static void describe(sipdiag_icmp_info_t *info)
{
  const char *proto = info->family == AF_INET6 ? "ICMPv6" : "ICMP";
  char what[64];
  char mtu[24] = "";
  char from[8 + SIPDIAG_ICMP_ADDRSTR_MAX] = "";

  if (info->klass == SIPDIAG_ICMP_CLASS_OTHER)
    snprintf(what, sizeof what, "error type %u code %u",
             (unsigned)info->type, (unsigned)info->code);
  else
    snprintf(what, sizeof what, "%s", sipdiag_icmp_class_name(info->klass));
  if (info->klass == SIPDIAG_ICMP_CLASS_FRAG_NEEDED && info->mtu)
    snprintf(mtu, sizeof mtu, " (MTU %lu)", (unsigned long)info->mtu);
  if (info->reporter[0])
    snprintf(from, sizeof from, " from %s", info->reporter);
  snprintf(info->text, sizeof info->text, "%s %s%s%s", proto, what, mtu, from);
}

/* msg: the ICMP/ICMPv6 message; reporter: its sender's address or NULL. */
static sipdiag_icmp_status_t decode_icmp(int family, const uint8_t *msg,
                                         size_t len, const uint8_t *reporter,
                                         const sipdiag_icmp_match_t *match,
                                         sipdiag_icmp_info_t *info)
{
  memset(info, 0, sizeof *info);
  if (!msg || len < 8 || (family != AF_INET && family != AF_INET6))
    return info->status = SIPDIAG_ICMP_NOT_ICMP;

  info->family = family;
  info->type = msg[0];
  info->code = msg[1];
  if (reporter)
    addr_text(family, reporter, info->reporter, sizeof info->reporter);

  bool v6 = family == AF_INET6;
  if (info->type == (v6 ? 128 : 8) || info->type == (v6 ? 129 : 0)) {
    info->echo_id = rd16(msg + 4);
    info->echo_seq = rd16(msg + 6);
    return info->status = info->type == (v6 ? 128 : 8)
      ? SIPDIAG_ICMP_ECHO_REQUEST : SIPDIAG_ICMP_ECHO_REPLY;
  }
  if (!is_error_type(family, info->type))
    return info->status = SIPDIAG_ICMP_OTHER_MESSAGE;

  info->klass = sipdiag_icmp_classify(family, info->type, info->code);
  if (!v6 && info->type == 3 && info->code == 4)
    info->mtu = rd16(msg + 6);
  else if (v6 && info->type == 2)
    info->mtu = rd32(msg + 4);
  describe(info);

  sipdiag_packet_t quoted;
  if (!parse_ip(msg + 8, len - 8, v6 ? 6 : 4, true, &quoted))
    return info->status = SIPDIAG_ICMP_ERROR_NOT_OURS;
  info->orig_proto = quoted.proto;
  addr_text(family, quoted.dst, info->orig_dst, sizeof info->orig_dst);
  if (quoted.has_ports) {
    info->orig_sport = quoted.sport;
    info->orig_dport = quoted.dport;
  }
  return info->status = quoted_is_ours(&quoted, match)
    ? SIPDIAG_ICMP_ERROR_OURS : SIPDIAG_ICMP_ERROR_NOT_OURS;
}

sipdiag_icmp_status_t sipdiag_icmp_decode_packet(const sipdiag_packet_t *packet,
                                                 const sipdiag_icmp_match_t *match,
                                                 sipdiag_icmp_info_t *info)
{
  memset(info, 0, sizeof *info);
  if (!packet || !packet->first_fragment)
    return info->status = SIPDIAG_ICMP_NOT_ICMP;
  if (!((packet->family == AF_INET && packet->proto == PROTO_ICMP) ||
        (packet->family == AF_INET6 && packet->proto == PROTO_ICMPV6)))
    return info->status = SIPDIAG_ICMP_NOT_ICMP;
  return decode_icmp(packet->family, packet->l4, packet->l4_len, packet->src,
                     match, info);
}

sipdiag_icmp_status_t sipdiag_icmp_decode_frame(const uint8_t *frame,
                                                size_t len, int dlt,
                                                const sipdiag_icmp_match_t *match,
                                                sipdiag_icmp_info_t *info)
{
  sipdiag_packet_t packet;
  if (!sipdiag_packet_parse(frame, len, dlt, &packet)) {
    memset(info, 0, sizeof *info);
    return info->status = SIPDIAG_ICMP_NOT_ICMP;
  }
  return sipdiag_icmp_decode_packet(&packet, match, info);
}

sipdiag_icmp_status_t sipdiag_icmp_decode_message(int family,
                                                  const uint8_t *data,
                                                  size_t len,
                                                  bool with_ip_header,
                                                  const struct sockaddr *from,
                                                  const sipdiag_icmp_match_t *match,
                                                  sipdiag_icmp_info_t *info)
{
  memset(info, 0, sizeof *info);
  if (!data)
    return info->status = SIPDIAG_ICMP_NOT_ICMP;
  if (family == AF_INET && with_ip_header) {
    sipdiag_packet_t packet;
    if (!parse_ip(data, len, 4, false, &packet))
      return info->status = SIPDIAG_ICMP_NOT_ICMP;
    return sipdiag_icmp_decode_packet(&packet, match, info);
  }
  if (with_ip_header)   /* IPv6 raw sockets never pass the header up */
    return info->status = SIPDIAG_ICMP_NOT_ICMP;

  uint8_t reporter[16];
  bool have_reporter = false;
  if (from && from->sa_family == AF_INET && family == AF_INET) {
    struct sockaddr_in sin;
    memcpy(&sin, from, sizeof sin);
    memcpy(reporter, &sin.sin_addr, 4);
    have_reporter = true;
  } else if (from && from->sa_family == AF_INET6 && family == AF_INET6) {
    struct sockaddr_in6 sin6;
    memcpy(&sin6, from, sizeof sin6);
    memcpy(reporter, &sin6.sin6_addr, 16);
    have_reporter = true;
  }
  return decode_icmp(family, data, len, have_reporter ? reporter : NULL,
                     match, info);
}

void sipdiag_icmp_match_init(sipdiag_icmp_match_t *match,
                             const struct sockaddr *server,
                             uint16_t local_port)
{
  memset(match, 0, sizeof *match);
  match->server_family = AF_UNSPEC;
  match->local_port = local_port;
  if (!server)
    return;
  if (server->sa_family == AF_INET) {
    struct sockaddr_in sin;
    memcpy(&sin, server, sizeof sin);
    match->server_family = AF_INET;
    memcpy(match->server_addr, &sin.sin_addr, 4);
    match->server_port = ntohs(sin.sin_port);
  } else if (server->sa_family == AF_INET6) {
    struct sockaddr_in6 sin6;
    memcpy(&sin6, server, sizeof sin6);
    match->server_port = ntohs(sin6.sin6_port);
    if (IN6_IS_ADDR_V4MAPPED(&sin6.sin6_addr)) {
      match->server_family = AF_INET;
      memcpy(match->server_addr, sin6.sin6_addr.s6_addr + 12, 4);
    } else {
      match->server_family = AF_INET6;
      memcpy(match->server_addr, &sin6.sin6_addr, 16);
    }
  }
}

sipdiag_icmp_status_t sipdiag_icmp_decode_errqueue(int level, int type,
                                                   const void *data, size_t len,
                                                   sipdiag_icmp_info_t *info,
                                                   int *error)
{
  struct sock_extended_err ee;
  memset(info, 0, sizeof *info);
  if (error)
    *error = 0;
  bool v4 = level == IPPROTO_IP && type == IP_RECVERR;
  bool v6 = level == IPPROTO_IPV6 && type == IPV6_RECVERR;
  if (!data || (!v4 && !v6) || len < sizeof ee)
    return info->status = SIPDIAG_ICMP_NOT_ICMP;
  memcpy(&ee, data, sizeof ee);   /* cmsg data need not be aligned for it */
  if (error)
    *error = (int)ee.ee_errno;
  if (ee.ee_origin == SO_EE_ORIGIN_ICMP)
    info->family = AF_INET;
  else if (ee.ee_origin == SO_EE_ORIGIN_ICMP6)
    info->family = AF_INET6;
  else   /* a local error (EMSGSIZE, ENOBUFS...), a timestamp, zerocopy */
    return info->status = SIPDIAG_ICMP_NOT_ICMP;

  info->type = ee.ee_type;
  info->code = ee.ee_code;
  info->klass = sipdiag_icmp_classify(info->family, info->type, info->code);
  if (info->klass == SIPDIAG_ICMP_CLASS_FRAG_NEEDED)
    info->mtu = ee.ee_info;
  /* SO_EE_OFFENDER: the sender's address follows the structure, when the
   * kernel knew it (sa_family AF_UNSPEC otherwise). */
  const uint8_t *after = (const uint8_t *)data + sizeof ee;
  size_t left = len - sizeof ee;
  sa_family_t offender_family = AF_UNSPEC;
  if (left >= sizeof offender_family)
    memcpy(&offender_family, after + offsetof(struct sockaddr, sa_family),
           sizeof offender_family);
  if (offender_family == AF_INET && left >= sizeof(struct sockaddr_in)) {
    struct sockaddr_in sin;
    memcpy(&sin, after, sizeof sin);
    addr_text(AF_INET, (const uint8_t *)&sin.sin_addr, info->reporter,
              sizeof info->reporter);
  } else if (offender_family == AF_INET6 && left >= sizeof(struct sockaddr_in6)) {
    struct sockaddr_in6 sin6;
    memcpy(&sin6, after, sizeof sin6);
    if (IN6_IS_ADDR_V4MAPPED(&sin6.sin6_addr))
      addr_text(AF_INET, sin6.sin6_addr.s6_addr + 12, info->reporter,
                sizeof info->reporter);
    else
      addr_text(AF_INET6, sin6.sin6_addr.s6_addr, info->reporter,
                sizeof info->reporter);
  }
  /* The queue is the socket's own: what it quotes is ours by construction. */
  info->status = info->klass == SIPDIAG_ICMP_CLASS_NONE ? SIPDIAG_ICMP_OTHER_MESSAGE
                                                        : SIPDIAG_ICMP_ERROR_OURS;
  if (info->status == SIPDIAG_ICMP_ERROR_OURS)
    describe(info);
  return info->status;
}
