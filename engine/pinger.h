/*
 * pinger.h - ICMP echo (IPv4 and IPv6) on a sofia su_root.
 *
 * Sends a bounded series of echo requests to one address and reports each
 * request, reply and error through one callback.  Uses the unprivileged
 * ICMP socket where the system allows it, else a raw socket.
 */
#ifndef SIPDIAG_PINGER_H
#define SIPDIAG_PINGER_H

#include <sys/socket.h>

struct su_root_s;
typedef struct sipdiag_pinger sipdiag_pinger_t;

typedef enum sipdiag_ping_event {
  SIPDIAG_PING_SENT = 1,   /* seq; info empty                             */
  SIPDIAG_PING_REPLY,      /* seq, rtt_ms                                  */
  SIPDIAG_PING_ERROR,      /* seq (0: no socket at all), info = reason;
                            * sipdiag_pinger_error() gives its errno       */
  SIPDIAG_PING_DONE,       /* every request sent and its wait over         */
} sipdiag_ping_event_t;

typedef void sipdiag_ping_f(void *context, sipdiag_ping_event_t event,
                            unsigned seq, unsigned rtt_ms, const char *info);

/*
 * Starts pinging at once.  Returns NULL only on allocation failure (errno
 * ENOMEM); a socket that cannot be opened is reported as SIPDIAG_PING_ERROR
 * with seq 0 and then SIPDIAG_PING_DONE, from the loop, never from within
 * this call.  Its info names the cause from the errno:
 *   EPERM, EACCES  "cannot open an ICMP socket (needs root or CAP_NET_RAW)"
 *   EMFILE, ENFILE "cannot open an ICMP socket: too many open files (EMFILE)"
 *   others         "cannot open an ICMP socket: <errno text>"
 */
sipdiag_pinger_t *sipdiag_pinger_start(struct su_root_s *root,
                                       const struct sockaddr *target,
                                       socklen_t target_len,
                                       unsigned count, unsigned interval_ms,
                                       unsigned wait_ms,
                                       sipdiag_ping_f *callback, void *context);

/* The echo identifier on the wire (for packet capture filters); -1 when
 * not known (no socket). */
int sipdiag_pinger_ident(const sipdiag_pinger_t *pinger);

/*
 * The errno behind the last SIPDIAG_PING_ERROR (the socket that could not
 * be opened, or a request that could not be sent); 0 when there was none.
 * Valid from within the callback too.  sipdiag_syserr_kind() (syserr.h)
 * tells a missing privilege from a descriptor limit.  0 for NULL.
 */
int sipdiag_pinger_error(const sipdiag_pinger_t *pinger);

/* Stops and frees; no callback after this.  NULL is fine. */
void sipdiag_pinger_stop(sipdiag_pinger_t *pinger);

#endif /* SIPDIAG_PINGER_H */
