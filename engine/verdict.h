/*
 * verdict.h - the patent's judging rules, as pure functions.
 *
 * After every answer to a REGISTER the diagnosis asks sipdiag_judge() what
 * to do next: send again (plain, with credentials, with Min-Expires), ping,
 * or stop with a code.  No network here, so the rules are unit-tested alone.
 */
#ifndef SIPDIAG_VERDICT_H
#define SIPDIAG_VERDICT_H

#include <stdbool.h>

#include "icmp_error.h"
#include "transport_check.h"

/* What one REGISTER transaction ended with. */
typedef enum sipdiag_answer_kind {
  SIPDIAG_ANSWER_SILENCE = 1, /* no final answer: timeout, only 1xx, transport */
  SIPDIAG_ANSWER_CHALLENGE,   /* 401 or 407                                   */
  SIPDIAG_ANSWER_TOO_BRIEF,   /* 423                                          */
  SIPDIAG_ANSWER_FINAL,       /* any other final status                       */
} sipdiag_answer_kind_t;

typedef struct sipdiag_answer {
  sipdiag_answer_kind_t kind;
  int status;        /* the SIP status for every kind but silence          */
  bool answerable;   /* challenge: credentials could be computed;
                        423: a Min-Expires above what was sent was given    */
  /* The REGISTER answered already carried the remedy: credentials for this
   * kind of challenge, or an Expires raised to an earlier Min-Expires.  Only
   * such answers count as failed attempts: the first 401 asks for
   * credentials, it does not reject any. */
  bool remedied;
  bool stale;        /* challenge: stale=true (RFC 7616 3.3): new nonce   */
} sipdiag_answer_t;

typedef enum sipdiag_next {
  SIPDIAG_NEXT_RESEND = 1,             /* a new attempt, same request       */
  SIPDIAG_NEXT_RESEND_WITH_CREDENTIALS,
  SIPDIAG_NEXT_RESEND_WITH_MIN_EXPIRES,
  SIPDIAG_NEXT_SILENCE_VERDICT,        /* attempts exhausted: ask the pings */
  SIPDIAG_NEXT_VERDICT,                /* stop; code is the result          */
} sipdiag_next_t;

/* Counts consecutive answers of one kind ("judged afresh" on a change). */
typedef struct sipdiag_tally {
  sipdiag_answer_kind_t kind;
  int status;
  unsigned count;    /* failed attempts (remedied answers) of this kind    */
  unsigned stale;    /* stale challenges answered, bounded                 */
} sipdiag_tally_t;

typedef struct sipdiag_decision {
  sipdiag_next_t next;
  unsigned code;     /* with SIPDIAG_NEXT_VERDICT */
} sipdiag_decision_t;

/*
 * attempts: the configured attempts per kind of answer; registers_sent: how
 * many REGISTERs the diagnosis has sent so far (capped by
 * SIPDIAG_MAX_REGISTERS whatever the server does).
 */
sipdiag_decision_t sipdiag_judge(sipdiag_tally_t *tally,
                                 const sipdiag_answer_t *answer,
                                 unsigned attempts, unsigned registers_sent);

/* ---- silence: what the network says besides SIP ------------------------- */

/* The evidence about the target a silent run is judged on. */
typedef struct sipdiag_evidence {
  /* Our own TCP/TLS check of the target named a cause (20-23, 30, 31). */
  unsigned transport_code;
  /* The ICMP error our own UDP check's socket read (IP_RECVERR): no
   * privilege and no capture needed.  Never from the packet capture. */
  sipdiag_icmp_class_t icmp_class;
  /* Our own check of the target (the UDP check, or the TCP/TLS transport
   * check, which reads its socket's error queue too) still runs: an errno
   * alone does not tell every ICMP code apart (IPv4 3/13 "administratively
   * prohibited" reads EHOSTUNREACH), so a socket error waits for it.  The
   * timer's verdict does not wait. */
  bool icmp_check_pending;
  /* The socket error our own REGISTER met (sofia's transport), 0 none. */
  int socket_error;
  bool pings_done;       /* every echo request answered or waited for     */
  bool ping_unavailable; /* no echo request could be sent at all          */
  int ping_error;        /* why not: EPERM/EACCES (privilege), EMFILE...  */
  unsigned pings_sent;
  unsigned pings_received;
} sipdiag_evidence_t;

/* What an ICMP error class says: 20-23, or 0 (TTL, MTU...: no verdict). */
unsigned sipdiag_icmp_code(sipdiag_icmp_class_t klass);

/* What a socket or connect() error says about the path: ECONNREFUSED 20,
 * ENETUNREACH/ENETDOWN 21, EHOSTUNREACH/EHOSTDOWN 22, EACCES/EPERM 23;
 * else 0.  The one errno table: the transport check classifies with it. */
unsigned sipdiag_errno_code(int error);

/* The code our own TCP/TLS check's outcome stands for: refused 20, an
 * unreachable path by its ICMP error (else its errno), a failed handshake
 * 30, a rejected certificate 31; 0 when it names no cause (success, or a
 * timeout, which the patent's silence rule diagnoses). */
unsigned sipdiag_transport_check_code(sipdiag_tc_result_t result,
                                      sipdiag_icmp_class_t icmp_class, int error);

/* The cause the evidence names, whatever the pings say: the transport
 * check first, then an ICMP error, then our REGISTER's socket error (not
 * while the ICMP check is pending); 0 none. */
unsigned sipdiag_evidence_code(const sipdiag_evidence_t *e);

/* The patent's verdict on pings alone: 2 no echo reply, 3 replies. */
unsigned sipdiag_silence_code(unsigned pings_received);

/* The verdict once the attempts met only silence; 0 while pings or the
 * ICMP check are still outstanding (wait for them).  No echo sent at all is
 * code 4 when a privilege was missing (or the reason is unknown), 99 when
 * the terminal ran out of descriptors or memory. */
unsigned sipdiag_silence_verdict(const sipdiag_evidence_t *e);

/* The verdict when the self-diagnosis timer fires first: the last final
 * status the server sent, else what the evidence says; when nothing was
 * measured (no ping over), SIPDIAG_CODE_INTERNAL_ERROR, never a claim. */
unsigned sipdiag_timer_verdict(int last_network_status, const sipdiag_evidence_t *e);

/* ---- TLS: the server's certificate ---------------------------------------- */

/* The verdict once the certificate of the target is judged: a certificate
 * our transport check rejected (transport_code 31) is the verdict whatever
 * SIP answered, even 2xx: a terminal that verifies certificates fails
 * there.  Any other code stands. */
unsigned sipdiag_certificate_verdict(unsigned code, unsigned transport_code);

/* Whether a REGISTER carrying credentials may leave for a target: always
 * over UDP and TCP; over TLS only once the transport check verified the
 * certificate's chain and name (check_done and verified). */
bool sipdiag_credentials_allowed(bool tls, bool check_done, bool verified);

/* The verdict when credentials were withheld because the check ended
 * without verifying the certificate: the cause it named (30, 31...), or
 * 31 when it named none. */
unsigned sipdiag_unverified_verdict(unsigned transport_code);

/* ---- final answers ----------------------------------------------------- */

/* What a final rejection means beyond its class (RFC 3261 21.4), or NULL. */
const char *sipdiag_final_detail(unsigned code, bool credentials_sent);

#endif /* SIPDIAG_VERDICT_H */
