/*
 * transport_check.h - a TCP (and TLS) connection test on a sofia su_root.
 *
 * Before the engine sends REGISTER over TCP or TLS it opens one connection
 * of its own to the server, so that a failure is named ("TCP connection to
 * 192.0.2.1:5061 refused", "TLS certificate rejected: certificate has
 * expired") instead of being hidden behind sofia's generic local 503.
 *
 * Everything is non-blocking and bounded: a non-blocking connect() watched
 * through su_root, then SSL_connect() driven by the socket's wait events,
 * and one su_timer for the whole check.  Whatever the server does (silence,
 * garbage, a trickle of bytes, a reset) the check ends within timeout_ms,
 * plus the time of one loop iteration.
 *
 * Callback rules (the same as pinger.h's and sipdiag.h's):
 *  - the callback is called exactly once, from the su_root loop, never from
 *    within sipdiag_transport_check_start(), and never after
 *    sipdiag_transport_check_stop();
 *  - before the callback is called the check has already closed its socket,
 *    its TLS state and its timer; the check object itself stays allocated
 *    until sipdiag_transport_check_stop(), which the owner must call
 *    exactly once, either from inside the callback or later;
 *  - the module never touches the check after the callback returns, so
 *    stop() from inside the callback is safe.  Stopping or freeing anything
 *    else that owns a wait or timer on the same root is safe too: sofia's
 *    ports notice a (de)registration made from a callback and end that
 *    round of events (su_epoll_port / su_poll_port "version" checks);
 *  - outcome (and every string in it) is only valid during the callback:
 *    copy what you need.
 */
#ifndef SIPDIAG_TRANSPORT_CHECK_H
#define SIPDIAG_TRANSPORT_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "sipdiag_limits.h"   /* SIPDIAG_TC_*: timeouts and text sizes */
#include "icmp_error.h"

/* ---- the outcome -------------------------------------------------------- */

typedef enum sipdiag_tc_result {
  SIPDIAG_TC_OK = 0,
  SIPDIAG_TC_REFUSED,            /* ECONNREFUSED: the server reset the SYN  */
  SIPDIAG_TC_TIMEOUT,            /* no SYN-ACK within the timeout           */
  SIPDIAG_TC_UNREACHABLE,        /* ENETUNREACH, EHOSTUNREACH, EACCES, EPERM
                                    (a local firewall): see error           */
  SIPDIAG_TC_TLS_HANDSHAKE_FAILED, /* protocol, version, cipher, an alert,
                                    a non-TLS answer, or a handshake that did
                                    not finish in time (error = ETIMEDOUT) */
  SIPDIAG_TC_TLS_CERTIFICATE_REJECTED, /* verification failed: see cert_*  */
  SIPDIAG_TC_TLS_CLOSED,         /* the peer closed or reset the connection
                                    during the handshake                    */
  SIPDIAG_TC_OTHER,              /* anything else (no socket, bad CA file..) */
} sipdiag_tc_result_t;

/* Where the check was when it ended. */
typedef enum sipdiag_tc_stage {
  SIPDIAG_TC_STAGE_SETUP = 0,    /* before any packet: socket, CA file     */
  SIPDIAG_TC_STAGE_TCP,          /* connecting                             */
  SIPDIAG_TC_STAGE_TLS,          /* TCP connected, TLS handshake running   */
  SIPDIAG_TC_STAGE_DONE,         /* everything asked for succeeded         */
} sipdiag_tc_stage_t;

/* Which check rejected the certificate (or would have, with verify off). */
typedef enum sipdiag_tc_cert_problem {
  SIPDIAG_TC_CERT_NONE = 0,
  SIPDIAG_TC_CERT_EXPIRED,
  SIPDIAG_TC_CERT_NOT_YET_VALID,
  SIPDIAG_TC_CERT_SELF_SIGNED,   /* the server's own certificate, or a
                                    self-signed root we do not trust        */
  SIPDIAG_TC_CERT_UNKNOWN_CA,    /* issuer not in the trust store          */
  SIPDIAG_TC_CERT_NAME_MISMATCH, /* host name or IP address not in it      */
  SIPDIAG_TC_CERT_OTHER,         /* revoked, bad signature, purpose...     */
} sipdiag_tc_cert_problem_t;

typedef struct sipdiag_transport_outcome {
  sipdiag_tc_result_t result;
  sipdiag_tc_stage_t stage;
  bool tls;                      /* a TLS check was asked for              */
  int error;                     /* errno value, 0 when none               */
  /* UNREACHABLE: the ICMP error behind it, read from the socket's own error
   * queue (IP_RECVERR, no privilege), which errno values merge (IPv4 admin
   * prohibited reads EHOSTUNREACH); NONE when the kernel queued none. */
  sipdiag_icmp_class_t icmp_class;
  char icmp_text[SIPDIAG_ICMP_TEXT_MAX];    /* "ICMP ... from 192.0.2.1"  */
  unsigned elapsed_ms;           /* from start() to the outcome            */
  unsigned timeout_ms;           /* the bound the check ran under          */
  unsigned connect_ms;           /* TCP connect time; 0 if not connected   */
  char server[SIPDIAG_TC_ENDPOINT_MAX];     /* "127.0.0.1:5061"           */
  char text[SIPDIAG_TC_TEXT_MAX];           /* one human sentence         */

  /* TLS failures. */
  char tls_reason[SIPDIAG_TC_REASON_MAX];   /* OpenSSL's reason, "" none  */
  int alert_received;            /* TLS alert from the server, -1 none     */
  char alert_received_text[SIPDIAG_TC_SHORT_MAX];
  int alert_sent;                /* TLS alert we sent, -1 none             */
  char alert_sent_text[SIPDIAG_TC_SHORT_MAX];
  bool not_tls;                  /* the server's first bytes were not TLS  */
  char first_bytes[SIPDIAG_TC_FIRST_BYTES * 4 + 1]; /* printable, escaped */

  /* Certificate verification (also filled in on OK with verify off: what
   * verification would have said). */
  bool verified;                 /* chain and name verified                */
  bool name_checked;             /* a server name or IP was checked        */
  long verify_result;            /* X509_V_OK (0) or an X509_V_ERR_*       */
  char verify_text[SIPDIAG_TC_REASON_MAX]; /* X509_verify_cert_error_string */
  sipdiag_tc_cert_problem_t cert_problem;
  int cert_depth;                /* chain depth of the failure, -1 none    */

  /* TLS details, on OK (and on certificate rejection, as far as known). */
  char tls_version[SIPDIAG_TC_SHORT_MAX];   /* "TLSv1.3"                  */
  char tls_cipher[SIPDIAG_TC_SHORT_MAX];    /* "TLS_AES_256_GCM_SHA384"   */
  char peer_subject[SIPDIAG_TC_NAME_MAX];   /* "CN=registrar.test"        */
  char peer_issuer[SIPDIAG_TC_NAME_MAX];
  char peer_names[SIPDIAG_TC_NAME_MAX];     /* "DNS:registrar.test, IP:.." */
  char peer_not_after[SIPDIAG_TC_SHORT_MAX];/* "2027-01-31T12:00:00Z"     */
  int64_t peer_not_after_s;      /* the same, seconds since the epoch; 0   */
} sipdiag_transport_outcome_t;

typedef void sipdiag_transport_check_f(void *context,
                                       const sipdiag_transport_outcome_t *outcome);

typedef struct sipdiag_transport_check sipdiag_transport_check_t;
struct su_root_s;

/*
 * Starts a check of server (AF_INET or AF_INET6, with its port).
 *
 * tls             false: TCP only; true: TCP then a TLS handshake.
 * tls_server_name sent as SNI (host names only, never IP literals) and
 *                 checked against the certificate: a host name with
 *                 SSL_set1_host(), an IPv4/IPv6 literal against the
 *                 certificate's IP addresses.  NULL or "": no name check,
 *                 the chain alone is verified (name_checked false).
 * ca_file         PEM file of trusted CAs, or NULL or "";
 * ca_dir          a hashed directory of trusted CAs (c_rehash), or NULL or
 *                 "".  Both given: both are trusted; neither: the system
 *                 store (SSL_CERT_FILE and SSL_CERT_DIR when set, else
 *                 OpenSSL's default paths, /etc/ssl/certs on Debian).
 * verify          true: a certificate that fails verification ends the
 *                 check with TLS_CERTIFICATE_REJECTED; false: the handshake
 *                 goes on and the outcome only reports what failed.
 * timeout_ms      for the whole check; 0 = SIPDIAG_TC_DEFAULT_TIMEOUT_MS.
 *
 * Returns NULL with errno EINVAL (bad address, no callback) or ENOMEM.
 * Any other failure, even one known at once (no socket, unreadable CA file,
 * an immediate ENETUNREACH), is reported through the callback from the loop.
 */
sipdiag_transport_check_t *
sipdiag_transport_check_start(struct su_root_s *root,
                              const struct sockaddr *server, socklen_t len,
                              bool tls, const char *tls_server_name,
                              const char *ca_file, const char *ca_dir, bool verify,
                              unsigned timeout_ms,
                              sipdiag_transport_check_f *callback,
                              void *context);

/* Stops (no callback after this) and frees.  NULL is fine.  Safe from
 * within the callback. */
void sipdiag_transport_check_stop(sipdiag_transport_check_t *check);

/* "ok", "refused", "timeout", "unreachable", "tls-handshake-failed",
 * "tls-certificate-rejected", "tls-closed", "other". */
const char *sipdiag_tc_result_name(sipdiag_tc_result_t result);
/* "none", "expired", "not-yet-valid", "self-signed", "unknown-ca",
 * "name-mismatch", "other". */
const char *sipdiag_tc_cert_problem_name(sipdiag_tc_cert_problem_t problem);

#endif /* SIPDIAG_TRANSPORT_CHECK_H */
