/*
 * icmp_error.h - decoding ICMP and ICMPv6 errors about the probe's packets.
 *
 * Pure functions: no allocation, no global state, no system calls; every
 * byte read is bounds-checked, so any input (a captured frame, a raw-socket
 * datagram, fuzzer output) is safe.
 *
 * An ICMP error quotes the start of the packet that caused it.  A router on
 * the way sends it, not the server, so an error is "ours" when the QUOTED
 * packet is ours: destination = the server address, protocol UDP or TCP,
 * source port = our local SIP port, destination port = the server's port.
 */
#ifndef SIPDIAG_ICMP_ERROR_H
#define SIPDIAG_ICMP_ERROR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Link types, with the values pcap_datalink() returns on Linux. */
enum {
  SIPDIAG_DLT_NULL = 0,          /* BSD loopback: 4-byte family, host order */
  SIPDIAG_DLT_EN10MB = 1,        /* Ethernet (and "lo"), 802.1Q/ad tags      */
  SIPDIAG_DLT_RAW = 12,          /* bare IPv4/IPv6 (DLT_RAW on Linux)        */
  SIPDIAG_DLT_RAW_OPENBSD = 14,  /* DLT_RAW's value on OpenBSD               */
  SIPDIAG_LINKTYPE_RAW = 101,    /* the same, as written in pcap files       */
  SIPDIAG_DLT_LOOP = 108,        /* OpenBSD loopback: family, network order  */
  SIPDIAG_DLT_LINUX_SLL = 113,   /* "any" device, cooked v1                  */
  SIPDIAG_DLT_IPV4 = 228,
  SIPDIAG_DLT_IPV6 = 229,
  SIPDIAG_DLT_LINUX_SLL2 = 276,  /* "any" device, cooked v2                  */
};

/* Longest address text (INET6_ADDRSTRLEN) and description. */
#define SIPDIAG_ICMP_ADDRSTR_MAX 46
#define SIPDIAG_ICMP_TEXT_MAX    160

/* What an ICMP error says about the path to the server. */
typedef enum sipdiag_icmp_class {
  SIPDIAG_ICMP_CLASS_NONE = 0,          /* not an error                   */
  SIPDIAG_ICMP_CLASS_PORT_UNREACHABLE,  /* v4 3/3; v6 1/4                  */
  SIPDIAG_ICMP_CLASS_HOST_UNREACHABLE,  /* v4 3/1, 3/7, 3/12; v6 1/3       */
  SIPDIAG_ICMP_CLASS_NET_UNREACHABLE,   /* v4 3/0, 3/6, 3/11; v6 1/0       */
  SIPDIAG_ICMP_CLASS_ADMIN_PROHIBITED,  /* v4 3/9, 3/10, 3/13; v6 1/1,5,6  */
  SIPDIAG_ICMP_CLASS_FRAG_NEEDED,       /* v4 3/4; v6 2 (packet too big)  */
  SIPDIAG_ICMP_CLASS_TTL_EXCEEDED,      /* v4 11/x; v6 3/x                */
  SIPDIAG_ICMP_CLASS_OTHER,             /* any other error (3/2, 12/x...) */
} sipdiag_icmp_class_t;

/* What a decoded packet turned out to be. */
typedef enum sipdiag_icmp_status {
  SIPDIAG_ICMP_NOT_ICMP = 0,      /* not ICMP/ICMPv6, malformed, truncated */
  SIPDIAG_ICMP_OTHER_MESSAGE,     /* ICMP, neither an error nor an echo    */
  SIPDIAG_ICMP_ECHO_REQUEST,      /* echo_id, echo_seq, reporter = sender  */
  SIPDIAG_ICMP_ECHO_REPLY,
  SIPDIAG_ICMP_ERROR_NOT_OURS,    /* an error quoting someone else's packet */
  SIPDIAG_ICMP_ERROR_OURS,        /* an error quoting one of our packets   */
} sipdiag_icmp_status_t;

/*
 * Which quoted packets are ours.  Addresses in network order; ports in host
 * order.  A zero port or an AF_UNSPEC server means "any" (useful while the
 * server address is not known yet).
 */
typedef struct sipdiag_icmp_match {
  int server_family;        /* AF_INET, AF_INET6 or AF_UNSPEC             */
  uint8_t server_addr[16];  /* first 4 octets for AF_INET                 */
  uint16_t server_port;     /* 0: any                                     */
  uint16_t local_port;      /* our SIP port; 0: any                       */
} sipdiag_icmp_match_t;

/* The outcome of one decode.  Fields not applicable stay zero / "". */
typedef struct sipdiag_icmp_info {
  sipdiag_icmp_status_t status;
  int family;               /* AF_INET (ICMP) or AF_INET6 (ICMPv6)         */
  uint8_t type, code;
  sipdiag_icmp_class_t klass;
  char reporter[SIPDIAG_ICMP_ADDRSTR_MAX]; /* who sent the ICMP message;
                                              "" when unknown              */
  /* The quoted (original) packet, for errors. */
  uint8_t orig_proto;       /* IPPROTO_UDP, IPPROTO_TCP, other, 0 unknown */
  uint16_t orig_sport, orig_dport;
  char orig_dst[SIPDIAG_ICMP_ADDRSTR_MAX];
  uint32_t mtu;             /* fragmentation needed / packet too big      */
  /* Echo request/reply. */
  uint16_t echo_id, echo_seq;
  /* "ICMP port unreachable from 127.0.0.1", for errors (ours or not). */
  char text[SIPDIAG_ICMP_TEXT_MAX];
} sipdiag_icmp_info_t;

/* The network and transport headers of one captured frame. */
typedef struct sipdiag_packet {
  int family;               /* AF_INET or AF_INET6                        */
  uint8_t src[16], dst[16]; /* 4 octets used for AF_INET                  */
  uint8_t proto;            /* after IPv6 extension headers               */
  bool first_fragment;      /* false: a later fragment, no L4 header      */
  bool has_ports;           /* UDP or TCP with its ports present          */
  uint16_t sport, dport;    /* host order                                  */
  const uint8_t *l4;        /* transport header (inside the frame)        */
  size_t l4_len;            /* octets of it captured (and inside the IP
                               packet's length)                            */
} sipdiag_packet_t;

/*
 * Fills match from the server's socket address (NULL: unknown) and our
 * local SIP port.  IPv4-mapped IPv6 addresses become AF_INET, because that
 * is what goes on the wire.  The server's port is taken from the address.
 */
void sipdiag_icmp_match_init(sipdiag_icmp_match_t *match,
                             const struct sockaddr *server,
                             uint16_t local_port);

/* Parses one frame of link type dlt.  False when it is no IPv4/IPv6 packet
 * or is truncated before the end of the IP header(s). */
bool sipdiag_packet_parse(const uint8_t *frame, size_t len, int dlt,
                          sipdiag_packet_t *out);

/*
 * Decodes one captured frame.  Returns info->status (also when it is
 * SIPDIAG_ICMP_NOT_ICMP).  match may be NULL: then no error is "ours".
 */
sipdiag_icmp_status_t sipdiag_icmp_decode_frame(const uint8_t *frame,
                                                size_t len, int dlt,
                                                const sipdiag_icmp_match_t *match,
                                                sipdiag_icmp_info_t *info);

/* The same, for a frame already parsed with sipdiag_packet_parse(). */
sipdiag_icmp_status_t sipdiag_icmp_decode_packet(const sipdiag_packet_t *packet,
                                                 const sipdiag_icmp_match_t *match,
                                                 sipdiag_icmp_info_t *info);

/*
 * Decodes one message as a raw socket receives it.  family is AF_INET for
 * ICMP, AF_INET6 for ICMPv6.  with_ip_header: the data starts with the IPv4
 * header (raw IPv4 sockets do that; IPv6 raw sockets never do), which then
 * names the reporter.  Otherwise the reporter comes from `from` (recvfrom's
 * address; NULL: unknown).
 */
sipdiag_icmp_status_t sipdiag_icmp_decode_message(int family,
                                                  const uint8_t *data,
                                                  size_t len,
                                                  bool with_ip_header,
                                                  const struct sockaddr *from,
                                                  const sipdiag_icmp_match_t *match,
                                                  sipdiag_icmp_info_t *info);

/*
 * Decodes one control message that recvmsg(MSG_ERRQUEUE) returned on a
 * socket with IP_RECVERR (level IPPROTO_IP) or IPV6_RECVERR (IPPROTO_IPV6):
 * a struct sock_extended_err, then the offender's address (SO_EE_OFFENDER).
 * No privilege is needed for it: the kernel hands each socket the ICMP
 * errors quoting that socket's own packets.  Returns SIPDIAG_ICMP_ERROR_OURS
 * for an ICMP/ICMPv6 error (type, code, class, reporter, text, mtu filled);
 * SIPDIAG_ICMP_OTHER_MESSAGE for an ICMP origin that is no error;
 * SIPDIAG_ICMP_NOT_ICMP otherwise (another level or type, too short, a
 * local error).  *error (may be NULL) gets ee_errno whenever the structure
 * was read, also for local errors, else 0.  Every byte read is inside len.
 * The class comes from ee_origin, ee_type and ee_code alone, which mean the
 * same on every architecture; ee_errno is in the kernel's errno numbering
 * (under qemu-user the host's, untranslated), so nothing is judged by it.
 */
sipdiag_icmp_status_t sipdiag_icmp_decode_errqueue(int level, int type,
                                                   const void *data, size_t len,
                                                   sipdiag_icmp_info_t *info,
                                                   int *error);

/* The class of an ICMP (family AF_INET) or ICMPv6 (AF_INET6) type and code,
 * SIPDIAG_ICMP_CLASS_NONE for non-errors.  Also usable with IP_RECVERR's
 * ee_type / ee_code. */
sipdiag_icmp_class_t sipdiag_icmp_classify(int family, uint8_t type,
                                           uint8_t code);

/* "port unreachable", "host unreachable", ... ; "" for NONE. */
const char *sipdiag_icmp_class_name(sipdiag_icmp_class_t klass);

#endif /* SIPDIAG_ICMP_ERROR_H */
