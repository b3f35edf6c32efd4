/*
 * udp_check.h - which ICMP error the path to a UDP server returns, without
 * privilege, on a sofia su_root.
 *
 * sofia's UDP transport reads its own socket's error queue, so all the
 * engine learns from it is an errno, and errno values merge ICMP codes
 * (IPv4 "administratively prohibited", 3/13, reads EHOSTUNREACH like a
 * host unreachable).  This check has a socket of its own: a connected UDP
 * socket to the server's address and port with IP_RECVERR (IPV6_RECVERR
 * for IPv6), from which it sends a CRLF keep-alive ("\r\n\r\n", RFC 5626
 * 4.4.1; a SIP server ignores it or answers "\r\n") a few times, and reads
 * the socket's error queue: the ICMP type, code and the offender, which the
 * kernel hands to the sending socket with no capability at all.
 *
 * Callback rules (as transport_check.h's): called exactly once, from the
 * loop, never from start() and never after stop(); the check's socket and
 * timer are closed before it; stop() must be called exactly once, from the
 * callback or later; the outcome is valid during the callback only.
 */
#ifndef SIPDIAG_UDP_CHECK_H
#define SIPDIAG_UDP_CHECK_H

#include <stdbool.h>
#include <sys/socket.h>

#include "icmp_error.h"
#include "sipdiag_limits.h"

typedef struct sipdiag_udp_outcome {
  /* The first ICMP error (status SIPDIAG_ICMP_ERROR_OURS), else status
   * SIPDIAG_ICMP_NOT_ICMP. */
  sipdiag_icmp_info_t icmp;
  /* errno of the ICMP error, or of a local failure (socket, connect, send:
   * ENETUNREACH with no route at all); 0 when none. */
  int error;
  bool local;          /* error is a local failure, no ICMP came          */
  bool unavailable;    /* no socket could be made: nothing was measured   */
  bool answered;       /* a datagram came back (the server's "\r\n")      */
  unsigned sent;       /* keep-alives sent                                */
  unsigned elapsed_ms;
} sipdiag_udp_outcome_t;

typedef void sipdiag_udp_check_f(void *context, const sipdiag_udp_outcome_t *outcome);

typedef struct sipdiag_udp_check sipdiag_udp_check_t;
struct su_root_s;

/* Starts a check of server (AF_INET, AF_INET6, IPv4-mapped is sent as
 * IPv4).  It ends at the first ICMP error or local failure, or after
 * timeout_ms (0: SIPDIAG_TC_DEFAULT_TIMEOUT_MS).  NULL with errno EINVAL or
 * ENOMEM; any other failure comes through the callback. */
sipdiag_udp_check_t *sipdiag_udp_check_start(struct su_root_s *root,
                                             const struct sockaddr *server,
                                             socklen_t len, unsigned timeout_ms,
                                             sipdiag_udp_check_f *callback,
                                             void *context);

/* The REGISTER's own socket already met an ICMP error: send no more and
 * end within ms (the check's keep-alive left first, its error is due). */
void sipdiag_udp_check_hurry(sipdiag_udp_check_t *check, unsigned ms);

/* Stops (no callback after this) and frees; NULL is fine. */
void sipdiag_udp_check_stop(sipdiag_udp_check_t *check);

#endif /* SIPDIAG_UDP_CHECK_H */
