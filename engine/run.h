/*
 * run.h - the state of one diagnosis, shared by the engine's own modules.
 *
 * Private to engine/: the public interface is sipdiag.h.  A run is split
 * over four modules, each with one job, and this header is their contract:
 *
 *   run.c       the lifecycle: start, the self-diagnosis timer, the flood
 *               watch, the verdict, teardown, cancel;
 *   targets.c   RFC 3263: where the first hop lives, and the local
 *               transport that reaches it;
 *   register.c  REGISTER requests and what their answers mean;
 *   evidence.c  what the network says besides SIP: pings, ICMP errors
 *               (our own UDP check's error queue), the TCP/TLS transport
 *               check; and the packet capture, which is evidence only and
 *               never decides a verdict.
 *
 * Every decision (what an answer, an ICMP error or silence means) is a pure
 * function of verdict.h, unit-tested on its own.
 */
#ifndef SIPDIAG_RUN_H
#define SIPDIAG_RUN_H

#include "sipdiag.h"
#include "verdict.h"
#include "auth.h"
#include "capture.h"
#include "pinger.h"
#include "transport_check.h"
#include "udp_check.h"
#include "icmp_error.h"

#include <sys/socket.h>

#define SU_ROOT_MAGIC_T      void
#define SU_TIMER_ARG_T       struct sipdiag_run
#define NTA_OUTGOING_MAGIC_T struct sipdiag_run
#define SRES_SIP_MAGIC_T     struct sipdiag_run
#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/su_time.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/nta_tport.h>
#include <sofia-sip/sresolv.h>
#include <sofia-sip/sres_sip.h>

enum run_phase {
  PHASE_STARTING,     /* waiting for the first loop turn                   */
  PHASE_RESOLVING,    /* RFC 3263: where does the first hop live?          */
  PHASE_REGISTERING,  /* the diagnosis proper                              */
  PHASE_CLEANUP,      /* verdict 2xx known; removing the probe's binding   */
  PHASE_FINISHING,    /* teardown scheduled                                */
};

struct sipdiag_engine {
  su_root_t *root;
  sres_resolver_t *resolver; /* shared by every run, made on first use    */
  unsigned captures;         /* captures running, <= SIPDIAG_CAPTURE_MAX_CONCURRENT */
  sipdiag_run_t *runs;        /* doubly linked list of live runs          */
  unsigned running;
};

/* One place REGISTERs go, in RFC 3263 order, and what it showed. */
struct run_target {
  char route[SIPDIAG_ADDRESS_MAX + 40];
  int protocol;             /* TPPROTO_UDP, _TCP, _TLS                  */
  su_sockaddr_t address;
  socklen_t address_len;
  bool checked;             /* our own check of it ran: the TCP/TLS
                               transport check, or the UDP path check   */
  unsigned transport_code;  /* what the TCP/TLS check found (20-23, 30, 31) */
  /* The ICMP error our own UDP check's socket read from its error queue
   * (never the capture: pcap is evidence only), and its text. */
  sipdiag_icmp_class_t icmp_class;
  char icmp_text[SIPDIAG_ICMP_TEXT_MAX];
  bool check_done;          /* the TCP/TLS check has ended              */
  bool tls_verified;        /* it verified the certificate (chain, name) */
  int socket_error;         /* errno our REGISTER to it met (sofia's)    */
};

struct sipdiag_run {
  su_home_t home[1];          /* first: the run is a sofia home           */
  sipdiag_engine_t *engine;
  sipdiag_run_t *next, **prev;

  /* The account, copied. */
  char registrar[SIPDIAG_URI_MAX];
  char aor[SIPDIAG_URI_MAX];
  char auth_user[SIPDIAG_USER_MAX];
  char password[SIPDIAG_PASSWORD_MAX];
  bool no_password;           /* declared without one: never answer a challenge */
  char proxy[SIPDIAG_URI_MAX];
  sipdiag_transport_t transport;
  sipdiag_settings_t settings;

  sipdiag_done_f *done;
  void *context;
  sipdiag_result_t result;
  char detail[SIPDIAG_DIAGNOSIS_MAX]; /* for the diagnosis sentence */

  bool config_incomplete;     /* detail holds the problems                */
  enum run_phase phase;
  su_time_t started;
  su_timer_t *self_timer;     /* the patent's self-diagnosis timer        */
  su_timer_t *step_timer;     /* zero-delay: start and teardown           */
  su_timer_t *watch_timer;    /* counts what the SIP stack receives       */
  bool timer_expired;

  nta_agent_t *agent;
  nta_leg_t *leg;
  nta_outgoing_t *orq;
  url_t *request_uri;
  char contact[SIPDIAG_URI_MAX + 64];
  unsigned contact_tag;       /* the probe's own user part, per run       */
  char first_hop[SIPDIAG_URI_MAX + 32]; /* what RFC 3263 resolves       */
  char route[SIPDIAG_URI_MAX + 32];     /* Route header for a proxy      */
  sipdiag_auth_t auth_www;    /* answers the registrar's 401 challenges  */
  sipdiag_auth_t auth_proxy;  /* answers a proxy's 407 challenges        */
  bool algorithm_unsupported; /* a challenge offered nothing we answer   */
  char request_uri_text[SIPDIAG_URI_MAX]; /* as sent: the digest uri     */
  unsigned expires;
  bool first_response_seen;
  bool credentials_sent;      /* some REGISTER carried an Authorization  */
  /* What the last REGISTER carried: answers to it are judged on it. */
  bool sent_www_credentials, sent_proxy_credentials;
  unsigned sent_expires;
  bool expires_raised;        /* Expires was raised to a Min-Expires      */
  /* The safe sequence (README "The probe's own binding"): the REGISTERs
   * first query the bindings (no Contact, RFC 3261 10.2.3); only when the
   * account has none does the probe add (and then remove) its own. */
  bool adding_binding;
  unsigned responses;         /* from the network, this run              */
  int last_final_status;      /* for the timer: the server's last verdict */
  su_time_t orq_started;

  sipdiag_tally_t tally;
  bool silence_exhausted;     /* attempts met only silence: ask the pings */

  sres_sip_t *srs;            /* the running RFC 3263 resolution          */
  struct run_target hops[SIPDIAG_MAX_TARGETS];
  unsigned current_hop;

  su_sockaddr_t server;       /* where the last REGISTER went             */
  socklen_t server_len;
  sipdiag_capture_t *capture;  /* packet evidence, or NULL                 */
  sipdiag_transport_check_t *tcheck; /* our own TCP/TLS connection test  */
  char tls_trust[SIPDIAG_PATH_MAX]; /* sofia's CA directory (tls_trust.h) */
  /* What waits for the TLS check of the current target: a REGISTER with
   * credentials (never sent before the certificate is verified), or the
   * verdict (or the end of the cleanup). */
  enum { HELD_NOTHING = 0, HELD_REGISTER, HELD_VERDICT } held;
  unsigned tcheck_hop;        /* the target it tests                      */
  sipdiag_udp_check_t *ucheck; /* our own UDP path check (ICMP type/code) */
  unsigned ucheck_hop;        /* the target it tests                      */
  sipdiag_pinger_t *pinger;
  bool pings_started, pings_done, ping_unavailable;
  unsigned ping_hop;          /* the target the pings are about           */
  int ping_errno;             /* why the pinger had no socket, 0 none     */
};

/* ---- run.c: lifecycle ---------------------------------------------------- */

/* Milliseconds since the run started. */
uint32_t run_elapsed_ms(const sipdiag_run_t *run);
/* Sets the code and ends the run (teardown on the next loop turn). */
void run_verdict(sipdiag_run_t *run, unsigned code);
/* Ends the run with the code already set (a 2xx after its cleanup...). */
void run_finish(sipdiag_run_t *run);
void run_copy_string(char *dst, size_t size, const char *src);

/* ---- targets.c: RFC 3263 ------------------------------------------------- */

/* Resolves the first hop; calls targets_resolved() (at once when numeric). */
void targets_start_resolution(sipdiag_run_t *run);
/* Stops a resolution still running. */
void targets_release(sipdiag_run_t *run);
/* true once a REGISTER went to every target. */
bool targets_all_tried(const sipdiag_run_t *run);

/* ---- register.c: REGISTER ------------------------------------------------ */

/* Sends the next REGISTER (the diagnosis proper, or the binding removal
 * when phase is PHASE_CLEANUP) to the current target. */
void register_send(sipdiag_run_t *run);
/* The Contact of the probe's own binding, once the transport is open. */
void register_build_contact(sipdiag_run_t *run);
/* The transport check of the current target ended: sends a REGISTER held
 * for it, or ends the run that waited for it. */
void register_check_done(sipdiag_run_t *run);
/* Starts the flood watch: every SIPDIAG_WATCH_INTERVAL_MS for the rest of
 * the run, the stack's own count of received responses is checked. */
void register_start_watch(sipdiag_run_t *run);

/* ---- evidence.c: pings, ICMP, transport check, capture ------------------- */

void evidence_start_capture(sipdiag_run_t *run);
void evidence_stop_capture(sipdiag_run_t *run);
/* Before a REGISTER to the current target leaves (capture filter, sockets
 * to follow, the TCP/TLS check) and right after (new sockets). */
void evidence_before_register(sipdiag_run_t *run, bool cleanup);
void evidence_after_register(sipdiag_run_t *run);
void evidence_start_pings(sipdiag_run_t *run);
/* Starts the TCP/TLS check of the current target, unless it ran already or
 * a check (of another target) is running. */
void evidence_check_transport(sipdiag_run_t *run);
/* sofia ended a REGISTER itself (timeout, transport error): keeps the
 * socket error our request met, and ends the run when it names a cause
 * and every target was tried.  Also true (no new attempt) when the cause
 * waits for our own UDP check's ICMP type and code, which end the run. */
bool evidence_local_failure(sipdiag_run_t *run, nta_outgoing_t *orq);
/* The patent's verdict on silence, once the evidence is in; does nothing
 * while pings are outstanding. */
void evidence_check_silence(sipdiag_run_t *run);
/* What the evidence gathered so far says (for the timer's verdict). */
sipdiag_evidence_t evidence_gathered(sipdiag_run_t *run);
void evidence_release(sipdiag_run_t *run);

#endif /* SIPDIAG_RUN_H */
