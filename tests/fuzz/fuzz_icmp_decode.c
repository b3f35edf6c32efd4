/*
 * fuzz_icmp_decode.c - the packet and ICMP/ICMPv6 decoding of
 * engine/icmp_error.c: sipdiag_packet_parse(), sipdiag_icmp_decode_frame()
 * for every link type, sipdiag_icmp_decode_packet() and
 * sipdiag_icmp_decode_message() as raw sockets receive messages.
 *
 * Input: a 22-octet header, then the frame or message.
 *   octet 0     what to decode (modulo 14): 0-9 a frame of link type
 *               NULL, EN10MB, RAW, RAW(OpenBSD), LINKTYPE_RAW, LOOP,
 *               LINUX_SLL, IPV4, IPV6, LINUX_SLL2; 10 an ICMP message with
 *               its IPv4 header; 11 an ICMP message without it; 12 an
 *               ICMPv6 message; 13 a frame of an unknown link type
 *   octet 1     the match (modulo 4): none, any server, the IPv4 server,
 *               the IPv6 server; also the sender of a message (bit 2: IPv6)
 *   octets 2-17 the server's address (IPv4: the first 4)
 *   octets 18-19, 20-21  the server's and our local port (network order)
 * Beyond "no crash": the frame decode agrees with parse + decode_packet,
 * the transport header lies inside the frame, texts are NUL-terminated.
 */
#include "fuzz.h"
#include "icmp_error.h"

#include <arpa/inet.h>
#include <netinet/in.h>

static const int dlts[] = {
  SIPDIAG_DLT_NULL, SIPDIAG_DLT_EN10MB, SIPDIAG_DLT_RAW, SIPDIAG_DLT_RAW_OPENBSD,
  SIPDIAG_LINKTYPE_RAW, SIPDIAG_DLT_LOOP, SIPDIAG_DLT_LINUX_SLL, SIPDIAG_DLT_IPV4,
  SIPDIAG_DLT_IPV6, SIPDIAG_DLT_LINUX_SLL2,
};

#define HEADER 22

static void check_info(const sipdiag_icmp_info_t *info, sipdiag_icmp_status_t st)
{
  if (info->status != st)
    abort();
  if (strnlen(info->reporter, sizeof info->reporter) >= sizeof info->reporter ||
      strnlen(info->orig_dst, sizeof info->orig_dst) >= sizeof info->orig_dst ||
      strnlen(info->text, sizeof info->text) >= sizeof info->text)
    abort();
  if ((unsigned)st > SIPDIAG_ICMP_ERROR_OURS || (unsigned)info->klass > SIPDIAG_ICMP_CLASS_OTHER)
    abort();
  (void)sipdiag_icmp_class_name(info->klass);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < HEADER)
    return 0;
  unsigned what = data[0] % 14u;
  unsigned match_kind = data[1] % 4u;
  struct sockaddr_in sin;
  struct sockaddr_in6 sin6;
  memset(&sin, 0, sizeof sin);
  memset(&sin6, 0, sizeof sin6);
  sin.sin_family = AF_INET;
  memcpy(&sin.sin_addr, data + 2, 4);
  memcpy(&sin.sin_port, data + 18, 2);
  sin6.sin6_family = AF_INET6;
  memcpy(&sin6.sin6_addr, data + 2, 16);
  memcpy(&sin6.sin6_port, data + 18, 2);
  uint16_t local_port = (uint16_t)(data[20] << 8 | data[21]);

  sipdiag_icmp_match_t match;
  const sipdiag_icmp_match_t *m = &match;
  switch (match_kind) {
  case 0: m = NULL; break;
  case 1: sipdiag_icmp_match_init(&match, NULL, local_port); break;
  case 2: sipdiag_icmp_match_init(&match, (const struct sockaddr *)&sin, local_port); break;
  default: sipdiag_icmp_match_init(&match, (const struct sockaddr *)&sin6, local_port); break;
  }

  /* an exact copy, so reads past the end show */
  size_t len = size - HEADER;
  uint8_t *frame = malloc(len ? len : 1);
  if (!frame)
    return 0;
  memcpy(frame, data + HEADER, len);

  sipdiag_icmp_info_t info;
  if (what <= 9 || what == 13) {
    int dlt = what == 13 ? 0x7fff : dlts[what];
    sipdiag_icmp_status_t st = sipdiag_icmp_decode_frame(frame, len, dlt, m, &info);
    check_info(&info, st);
    sipdiag_packet_t pkt;
    if (sipdiag_packet_parse(frame, len, dlt, &pkt)) {
      if (pkt.family != AF_INET && pkt.family != AF_INET6)
        abort();
      if (pkt.l4 && (pkt.l4 < frame || pkt.l4 > frame + len || pkt.l4_len > len ||
                     (size_t)(pkt.l4 - frame) + pkt.l4_len > len))
        abort();
      sipdiag_icmp_info_t again;
      sipdiag_icmp_status_t st2 = sipdiag_icmp_decode_packet(&pkt, m, &again);
      check_info(&again, st2);
      if (st2 != st || again.type != info.type || again.code != info.code ||
          strcmp(again.text, info.text) != 0)
        abort();
    } else if (st != SIPDIAG_ICMP_NOT_ICMP) {
      abort();
    }
  } else {
    int family = what == 12 ? AF_INET6 : AF_INET;
    bool with_ip = what == 10;
    const struct sockaddr *from = data[1] & 4 ? (const struct sockaddr *)&sin6
                                              : (const struct sockaddr *)&sin;
    if (data[1] & 8)
      from = NULL;
    sipdiag_icmp_status_t st = sipdiag_icmp_decode_message(family, frame, len, with_ip,
                                                           from, m, &info);
    check_info(&info, st);
  }
  for (uint8_t t = 0; t < 4; t++)
    (void)sipdiag_icmp_classify(AF_INET, (uint8_t)(data[0] + t), data[1]);
  (void)sipdiag_icmp_classify(AF_INET6, data[0], data[1]);
  free(frame);
  return 0;
}
