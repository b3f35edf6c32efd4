/*
 * diagnosis.c - one diagnosis of one SIP account, on sofia NTA.
 *
 * Each run owns its own NTA agent (own sockets, own Call-ID, own timers), so
 * runs never disturb each other and destroying a run stops every packet it
 * would still send.  The judging rules live in verdict.c; this file only
 * moves messages and records what happened.
 *
 * Every end of a run goes through finish(), which defers the real teardown
 * to a zero timer: sofia objects are never destroyed from their own
 * callbacks.
 */
#include "config.h"
#include "sipdiag.h"
#include "verdict.h"
#include "result.h"
#include "pinger.h"
#include "capture.h"
#include "auth.h"
#include "response.h"
#include "transport_check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define SU_ROOT_MAGIC_T      void
#define SU_TIMER_ARG_T       struct sipdiag_run
#define NTA_OUTGOING_MAGIC_T struct sipdiag_run
#define SRES_SIP_MAGIC_T     struct sipdiag_run
#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/su_time.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/nta_tport.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/msg_addr.h>
#include <sofia-sip/url.h>
#include <sofia-sip/sresolv.h>
#include <sofia-sip/sres_sip.h>
#include <sofia-sip/hostdomain.h>

/* Exported by libsofia-sip-ua 1.12.11 but missing from its header: stops
 * the resolver's pending queries from calling back. */
void sres_sip_cancel_resolver(sres_sip_t *srs);

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

struct sipdiag_run {
  su_home_t home[1];          /* first: the run is a sofia home           */
  sipdiag_engine_t *engine;
  sipdiag_run_t *next, **prev;

  /* The account, copied. */
  char registrar[SIPDIAG_URI_MAX];
  char aor[SIPDIAG_URI_MAX];
  char auth_user[SIPDIAG_USER_MAX];
  char password[SIPDIAG_PASSWORD_MAX];
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
  char first_hop[SIPDIAG_URI_MAX + 32]; /* what RFC 3263 resolves       */
  char route[SIPDIAG_URI_MAX + 32];     /* Route header for a proxy      */
  sipdiag_auth_t auth_www;    /* answers the registrar's 401 challenges  */
  sipdiag_auth_t auth_proxy;  /* answers a proxy's 407 challenges        */
  bool algorithm_unsupported; /* a challenge offered nothing we answer   */
  char request_uri_text[SIPDIAG_URI_MAX]; /* as sent: the digest uri     */
  unsigned expires;
  bool first_response_seen;
  bool credentials_sent;      /* some REGISTER carried an Authorization  */
  unsigned responses;         /* from the network, this run              */
  int last_final_status;      /* for the timer: the server's last verdict */
  su_time_t orq_started;

  sipdiag_tally_t tally;
  bool silence_exhausted;     /* attempts met only silence: ask the pings */

  sres_sip_t *srs;            /* the running RFC 3263 resolution          */
  struct run_target {         /* where REGISTERs go, in RFC 3263 order    */
    char route[SIPDIAG_ADDRESS_MAX + 40];
    int protocol;             /* TPPROTO_UDP, _TCP, _TLS                  */
    su_sockaddr_t address;
  } hops[SIPDIAG_MAX_TARGETS];
  unsigned current_hop;

  su_sockaddr_t server;
  socklen_t server_len;
  sipdiag_capture_t *capture;  /* packet evidence and ICMP errors, or NULL */
  sipdiag_transport_check_t *tcheck; /* our own TCP/TLS connection test  */
  unsigned tcheck_done;       /* bit per hop: checked already            */
  unsigned transport_code;    /* what the check found (20-23, 30, 31), 0 */
  sipdiag_icmp_class_t icmp_class; /* the last ICMP error about our packets */
  sipdiag_pinger_t *pinger;
  bool pings_started, pings_done, ping_unavailable;
};

/* ---- small helpers ---------------------------------------------------- */

static uint32_t elapsed_ms(const sipdiag_run_t *run)
{
  return (uint32_t)su_duration(su_now(), run->started);
}

static int64_t wall_clock_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void copy_string(char *dst, size_t size, const char *src)
{
  snprintf(dst, size, "%s", src ? src : "");
}

static void schedule_finish(sipdiag_run_t *run);
static void verdict(sipdiag_run_t *run, unsigned code);
static void build_contact(sipdiag_run_t *run);
static void start_capture(sipdiag_run_t *run);
static void send_register(sipdiag_run_t *run);
static void check_silence_verdict(sipdiag_run_t *run);
static bool malformed_or_flood(sipdiag_run_t *run, nta_outgoing_t *orq, int status,
                               const char *phrase);
static void on_watch(su_root_magic_t *magic, su_timer_t *t, sipdiag_run_t *run);

/* ---- where the requests go -------------------------------------------- */

/* Records the server address the transaction used, once known. */
static void note_server(sipdiag_run_t *run, nta_outgoing_t *orq, bool from_network)
{
  msg_t *msg = from_network ? nta_outgoing_getresponse(orq)
                            : nta_outgoing_getrequest(orq);
  su_addrinfo_t *ai = msg ? msg_addrinfo(msg) : NULL;
  bool usable = ai && ai->ai_addr && ai->ai_addrlen <= sizeof run->server &&
                (ai->ai_family == AF_INET || ai->ai_family == AF_INET6);

  if (usable) {
    memcpy(&run->server, ai->ai_addr, ai->ai_addrlen);
    run->server_len = (socklen_t)ai->ai_addrlen;
    sipdiag_result_t *r = &run->result;
    const void *addr = ai->ai_family == AF_INET
      ? (const void *)&run->server.su_sin.sin_addr
      : (const void *)&run->server.su_sin6.sin6_addr;
    inet_ntop(ai->ai_family, addr, r->server_address, sizeof r->server_address);
    r->server_port = ntohs(run->server.su_port);
    if (run->capture)
      sipdiag_capture_set_server(run->capture, &run->server.su_sa, NULL, 0);
    if (ai->ai_protocol == IPPROTO_UDP)
      r->server_transport = SIPDIAG_TRANSPORT_UDP;
    else
      r->server_transport = run->transport == SIPDIAG_TRANSPORT_TLS ||
                            strncasecmp(run->registrar, "sips:", 5) == 0
                            ? SIPDIAG_TRANSPORT_TLS : SIPDIAG_TRANSPORT_TCP;
  }
  if (msg)
    msg_destroy(msg);
}

/* The first hop to resolve: the outbound proxy, or the registrar itself,
 * with the transport forced when the account names one; and the Route
 * header an outbound proxy gets. */
static void build_first_hop(sipdiag_run_t *run)
{
  const char *hop = run->proxy[0] ? run->proxy : run->registrar;
  const char *t = NULL;
  switch (run->transport) {
  case SIPDIAG_TRANSPORT_UDP: t = "udp"; break;
  case SIPDIAG_TRANSPORT_TCP: t = "tcp"; break;
  case SIPDIAG_TRANSPORT_TLS: t = "tls"; break;
  default: break;
  }
  if (t && !strstr(hop, ";transport="))
    snprintf(run->first_hop, sizeof run->first_hop, "%s;transport=%s", hop, t);
  else
    snprintf(run->first_hop, sizeof run->first_hop, "%s", hop);
  run->route[0] = '\0';
  if (run->proxy[0])
    snprintf(run->route, sizeof run->route, "<%s%s>", run->proxy,
             strstr(run->proxy, ";lr") ? "" : ";lr");
}

/* ---- RFC 3263: where the first hop lives --------------------------------- */

static const char *tpproto_name(int protocol)
{
  switch (protocol) {
  case TPPROTO_UDP: return "udp";
  case TPPROTO_TCP: return "tcp";
  case TPPROTO_TLS: return "tls";
  default: return NULL;   /* SCTP and others: not used by the probe */
  }
}

/* RFC 3263 4.1: without a transport parameter, a numeric host or an
 * explicit port means UDP for sip: and TLS for sips:; 0 = any. */
static int implied_protocol(const url_t *url)
{
  char transport[16];
  if (url_param(url->url_params, "transport", transport, sizeof transport) > 0)
    return 0;
  if (!url->url_port && !host_is_ip_address(url->url_host))
    return 0;
  return url->url_type == url_sips ? TPPROTO_TLS : TPPROTO_UDP;
}

/* Turns the resolver's answers into hops and result targets; false when
 * there is none. */
static bool collect_targets(sipdiag_run_t *run)
{
  sipdiag_result_t *r = &run->result;
  url_t *url = url_make(run->home, run->first_hop);
  int only = url ? implied_protocol(url) : 0;
  /* The 1.12.11 resolver leaves the port of numeric hosts at 0. */
  unsigned url_port = url && url->url_port ? (unsigned)atoi(url->url_port) : 0;
  r->n_targets = 0;
  for (su_addrinfo_t const *ai = sres_sip_results(run->srs);
       ai && r->n_targets < SIPDIAG_MAX_TARGETS; ai = ai->ai_next) {
    const char *proto = tpproto_name(ai->ai_protocol);
    su_sockaddr_t const *su = (su_sockaddr_t const *)ai->ai_addr;
    char addr[SIPDIAG_ADDRESS_MAX];
    if (!proto || !su || (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
        (only && ai->ai_protocol != only))
      continue;
    inet_ntop(ai->ai_family, ai->ai_family == AF_INET ? (void const *)&su->su_sin.sin_addr
                                                      : (void const *)&su->su_sin6.sin6_addr,
              addr, sizeof addr);
    bool v6 = ai->ai_family == AF_INET6;
    unsigned port = ntohs(su->su_port);
    if (port == 0)
      port = url_port ? url_port : ai->ai_protocol == TPPROTO_TLS ? 5061 : 5060;
    struct run_target *hop = &run->hops[r->n_targets];
    snprintf(hop->route, sizeof hop->route, "sip:%s%s%s:%u;transport=%s",
             v6 ? "[" : "", addr, v6 ? "]" : "", port, proto);
    hop->protocol = ai->ai_protocol;
    memcpy(&hop->address, su, ai->ai_addrlen < sizeof hop->address ? ai->ai_addrlen
                                                                    : sizeof hop->address);
    hop->address.su_port = htons((uint16_t)port);
    snprintf(r->targets[r->n_targets].text, sizeof r->targets[0].text, "%s %s%s%s:%u",
             proto, v6 ? "[" : "", addr, v6 ? "]" : "", port);
    r->n_targets++;
  }
  return r->n_targets > 0;
}

/* The local address the kernel would send from to reach target: the
 * probe binds there, so its Via and Contact name the interface that faces
 * the server (not, say, the WAN address of a terminal talking to a LAN
 * registrar).  "*" when it cannot be told. */
static void source_address(const su_sockaddr_t *target, char *out, size_t size)
{
  int family = target->su_family;
  socklen_t len = family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
  su_sockaddr_t probe = *target, local;
  socklen_t local_len = sizeof local;
  snprintf(out, size, "*");
  if (!probe.su_port)
    probe.su_port = htons(5060);
  int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return;
  if (connect(fd, &probe.su_sa, len) == 0 &&
      getsockname(fd, &local.su_sa, &local_len) == 0) {
    char addr[SIPDIAG_ADDRESS_MAX];
    if (inet_ntop(family, family == AF_INET6 ? (void const *)&local.su_sin6.sin6_addr
                                             : (void const *)&local.su_sin.sin_addr,
                  addr, sizeof addr)) {
      bool scoped = family == AF_INET6 && local.su_sin6.sin6_scope_id;
      if (!scoped)   /* link-local needs a zone sofia cannot take: use "*" */
        snprintf(out, size, family == AF_INET6 ? "[%s]" : "%s", addr);
    }
  }
  close(fd);
}

/* One NTA agent per run, bound where the first target is reached from,
 * plus TLS and the other address family when targets need them. */
static bool open_transport(sipdiag_run_t *run)
{
  sipdiag_result_t *r = &run->result;
  char host[SIPDIAG_ADDRESS_MAX + 2], url[SIPDIAG_ADDRESS_MAX + 16];
  bool tls = false, other_family = false;
  int family = run->hops[0].address.su_family;
  for (unsigned i = 0; i < r->n_targets; i++) {
    tls |= run->hops[i].protocol == TPPROTO_TLS;
    other_family |= run->hops[i].address.su_family != family;
  }
  source_address(&run->hops[0].address, host, sizeof host);
  snprintf(url, sizeof url, "sip:%s:*", host);
  run->agent = nta_agent_create(run->engine->root, (url_string_t const *)url, NULL, NULL,
                                NTATAG_PASS_100(1),
                                NTATAG_SIP_T1X64(run->settings.attempt_timeout_ms),
                                NTATAG_GRAYLIST(0),
                                NTATAG_CLIENT_RPORT(1),
                                TAG_END());
  if (!run->agent)
    return false;
  if (tls) {
    snprintf(url, sizeof url, "sips:%s:*", host);
    nta_agent_add_tport(run->agent, (url_string_t const *)url, TAG_END());
  }
  if (other_family)
    nta_agent_add_tport(run->agent, URL_STRING_MAKE(family == AF_INET ? "sip:[::]:*"
                                                                      : "sip:0.0.0.0:*"),
                        TAG_END());
  run->leg = nta_leg_tcreate(run->agent, NULL, NULL,
                             SIPTAG_FROM_STR(run->aor), SIPTAG_TO_STR(run->aor), TAG_END());
  if (!run->leg)
    return false;
  build_contact(run);
  start_capture(run);
  return true;
}

static void resolved(sipdiag_run_t *run)
{
  sipdiag_result_t *r = &run->result;
  if (!collect_targets(run)) {
    int error = sres_sip_error(run->srs);
    bool no_answer = error == SRES_SIP_ERR_AGAIN || error == SRES_SIP_ERR_FAIL;
    snprintf(run->detail, sizeof run->detail, "%s",
             error == SRES_SIP_ERR_NO_NAME ? "the name does not exist" :
             error == SRES_SIP_ERR_NO_DATA ? "no NAPTR, SRV or address records for it" :
             error == SRES_SIP_ERR_NO_TPORT ? "no record for a transport the terminal uses" :
             no_answer ? "no DNS server answered" : "the DNS lookup failed");
    sipdiag_result_add_step(r, SIPDIAG_STEP_DNS_RESULT, elapsed_ms(run), 0, 0, false,
                            "%.40s: %s", run->first_hop, run->detail);
    verdict(run, no_answer ? SIPDIAG_CODE_DNS_NO_ANSWER : SIPDIAG_CODE_DNS_NO_NAME);
    return;
  }
  sipdiag_result_add_step(r, SIPDIAG_STEP_DNS_RESULT, elapsed_ms(run), 0, 0, false,
                          "%u target%s, first %s", r->n_targets, r->n_targets == 1 ? "" : "s",
                          r->targets[0].text);
  if (!open_transport(run)) {
    copy_string(run->detail, sizeof run->detail,
                "the SIP stack could not open a local transport");
    verdict(run, SIPDIAG_CODE_INTERNAL_ERROR);
    return;
  }
  run->phase = PHASE_REGISTERING;
  run->watch_timer = su_timer_create(su_root_task(run->engine->root), SIPDIAG_WATCH_INTERVAL_MS);
  if (run->watch_timer)
    su_timer_set_interval(run->watch_timer, on_watch, run, SIPDIAG_WATCH_INTERVAL_MS);
  send_register(run);
}

static void on_resolved(sipdiag_run_t *run, sres_sip_t *srs, int final)
{
  (void)srs;
  if (final && run->phase == PHASE_RESOLVING)
    resolved(run);
}

static void start_resolution(sipdiag_run_t *run)
{
  sipdiag_engine_t *engine = run->engine;
  su_addrinfo_t hints;
  memset(&hints, 0, sizeof hints);
  hints.ai_protocol = run->transport == SIPDIAG_TRANSPORT_UDP ? TPPROTO_UDP :
                      run->transport == SIPDIAG_TRANSPORT_TCP ? TPPROTO_TCP :
                      run->transport == SIPDIAG_TRANSPORT_TLS ? TPPROTO_TLS : 0;
  if (!engine->resolver)
    engine->resolver = sres_resolver_create(engine->root, NULL, TAG_END());
  run->phase = PHASE_RESOLVING;
  if (engine->resolver)
    run->srs = sres_sip_new(engine->resolver, URL_STRING_MAKE(run->first_hop), &hints,
                            1, 1, on_resolved, run);
  if (!run->srs) {
    copy_string(run->detail, sizeof run->detail, "the DNS resolver could not be started");
    verdict(run, SIPDIAG_CODE_INTERNAL_ERROR);
    return;
  }
  if (!sres_sip_next_step(run->srs))   /* numeric or cached: done already */
    resolved(run);
}

/* The probe's Contact: its own user part, so it never touches the
 * terminal's own binding. */
static void build_contact(sipdiag_run_t *run)
{
  sip_contact_t const *own = nta_agent_contact(run->agent);
  const url_t *u = own ? own->m_url : NULL;
  unsigned tag = (unsigned)random();
  const char *host = u && u->url_host ? u->url_host : "invalid";
  const char *port = u && u->url_port ? u->url_port : "5060";
  const char *transport =
    run->transport == SIPDIAG_TRANSPORT_TCP ? ";transport=tcp" :
    run->transport == SIPDIAG_TRANSPORT_TLS ? ";transport=tls" : "";
  snprintf(run->contact, sizeof run->contact, "<sip:sipdiag-%08x@%s%s%s:%s%s>",
           tag, strchr(host, ':') && host[0] != '[' ? "[" : "", host,
           strchr(host, ':') && host[0] != '[' ? "]" : "", port, transport);
}

/* ---- the self-diagnosis timer and teardown ---------------------------- */

static void stop_capture(sipdiag_run_t *run)
{
  if (!run->capture)
    return;
  sipdiag_capture_stats_t stats;
  sipdiag_capture_stop(run->capture, &stats);
  run->capture = NULL;
  run->engine->captures--;
  run->result.capture_packets = (unsigned)stats.packets_written;
  /* The count is of packets handed to stdio: a write that failed later
   * (a full disk) leaves fewer on disk, possibly none. */
  if (stats.write_error)
    snprintf(run->result.capture_note, sizeof run->result.capture_note, "%s",
             "writing the capture file failed (disk full or I/O error): it holds "
             "fewer packets than counted, or none");
  else if (stats.limit_reached)
    snprintf(run->result.capture_note, sizeof run->result.capture_note,
             "the file reached its %u-byte limit; later packets were not written",
             SIPDIAG_CAPTURE_DEFAULT_MAX_BYTES);
  if (run->result.capture_path[0])
    sipdiag_capture_prune(run->settings.capture_dir, run->aor, SIPDIAG_CAPTURE_DEFAULT_KEEP);
}

static void release(sipdiag_run_t *run)
{
  sipdiag_transport_check_stop(run->tcheck);
  run->tcheck = NULL;
  sipdiag_pinger_stop(run->pinger);
  run->pinger = NULL;
  stop_capture(run);
  if (run->srs) {
    sres_sip_cancel_resolver(run->srs);
    sres_sip_unref(run->srs);
  }
  run->srs = NULL;
  if (run->orq)
    nta_outgoing_destroy(run->orq);
  run->orq = NULL;
  if (run->leg)
    nta_leg_destroy(run->leg);
  run->leg = NULL;
  if (run->agent)
    nta_agent_destroy(run->agent);
  run->agent = NULL;
  su_timer_destroy(run->self_timer);
  run->self_timer = NULL;
  su_timer_destroy(run->step_timer);
  run->step_timer = NULL;
  su_timer_destroy(run->watch_timer);
  run->watch_timer = NULL;
  if (run->next)
    run->next->prev = run->prev;
  *run->prev = run->next;
  run->engine->running--;
  /* The password and the challenges leave memory with the run. */
  explicit_bzero(run->password, sizeof run->password);
  sipdiag_auth_clear(&run->auth_www);
  sipdiag_auth_clear(&run->auth_proxy);
}

static void complete(su_root_magic_t *magic, su_timer_t *t, sipdiag_run_t *run)
{
  (void)magic;
  (void)t;
  sipdiag_result_t *r = &run->result;
  r->state = SIPDIAG_STATE_COMPLETE;
  sipdiag_result_describe(r, run->registrar, run->timer_expired, run->detail);

  sipdiag_done_f *done = run->done;
  void *context = run->context;
  release(run);
  if (done)
    done(context, r);
  su_home_unref(run->home);
}

static void schedule_finish(sipdiag_run_t *run)
{
  if (run->phase == PHASE_FINISHING)
    return;
  run->phase = PHASE_FINISHING;
  run->result.end_ms = wall_clock_ms();
  run->result.duration_ms = elapsed_ms(run);
  su_timer_reset(run->self_timer);
  /* In immediate mode the ring holds every packet of the run by now (the
   * capture reads it once more when it stops); a buffered ring hands over
   * its last block only after a timeout. */
  su_timer_set_interval(run->step_timer, complete, run,
                        run->capture && !SIPDIAG_CAPTURE_IMMEDIATE
                        ? 10 * SIPDIAG_CAPTURE_TIMEOUT_MS : 0);
}

static void verdict(sipdiag_run_t *run, unsigned code)
{
  sipdiag_result_set_code(&run->result, code);
  schedule_finish(run);
}

static void on_self_timer(su_root_magic_t *magic, su_timer_t *t, sipdiag_run_t *run)
{
  (void)magic;
  (void)t;
  if (run->phase == PHASE_FINISHING)
    return;
  run->timer_expired = true;
  sipdiag_result_add_step(&run->result, SIPDIAG_STEP_TIMER_EXPIRED, elapsed_ms(run),
                          0, 0, run->phase == PHASE_CLEANUP,
                          "%u s self-diagnosis timer", run->settings.timer_s);
  if (run->phase == PHASE_CLEANUP) {  /* verdict known; removal unfinished */
    schedule_finish(run);
    return;
  }
  if (run->phase == PHASE_RESOLVING) {
    copy_string(run->detail, sizeof run->detail, "no DNS answer before the timer expired");
    verdict(run, SIPDIAG_CODE_DNS_NO_ANSWER);
    return;
  }
  if (run->last_final_status < 200 && !run->pings_started)
    copy_string(run->detail, sizeof run->detail, "no ping could be sent in time");
  verdict(run, sipdiag_timer_code(run->last_final_status, run->result.pings_received));
}

/* ---- pings ------------------------------------------------------------- */

static void on_ping(void *context, sipdiag_ping_event_t event, unsigned seq,
                    unsigned rtt_ms, const char *info)
{
  sipdiag_run_t *run = context;
  sipdiag_result_t *r = &run->result;
  if (run->phase == PHASE_FINISHING)
    return;
  switch (event) {
  case SIPDIAG_PING_SENT:
    r->pings_sent++;
    sipdiag_result_add_step(r, SIPDIAG_STEP_PING_SENT, elapsed_ms(run), 0, (int)seq,
                            false, "echo request to %s", r->server_address);
    break;
  case SIPDIAG_PING_REPLY:
    r->pings_received++;
    sipdiag_result_add_step(r, SIPDIAG_STEP_PING_REPLY, elapsed_ms(run), 0, (int)seq,
                            false, "echo reply after %u ms", rtt_ms);
    break;
  case SIPDIAG_PING_ERROR:
    if (seq > 0)
      r->pings_sent++;
    else
      run->ping_unavailable = true;
    sipdiag_result_add_step(r, SIPDIAG_STEP_PING_ERROR, elapsed_ms(run), 0, (int)seq,
                            false, "%s", info);
    break;
  case SIPDIAG_PING_DONE:
    run->pings_done = true;
    break;
  }
  check_silence_verdict(run);
}

static void start_pings(sipdiag_run_t *run)
{
  if (run->pings_started)
    return;
  run->pings_started = true;
  if (!run->server_len) {
    sipdiag_result_add_step(&run->result, SIPDIAG_STEP_PING_ERROR, elapsed_ms(run),
                            0, 0, false, "no server address to ping: %s was never resolved",
                            run->registrar);
    copy_string(run->detail, sizeof run->detail, "the registrar's address could not be resolved");
    run->pings_done = true;
    return;
  }
  run->pinger = sipdiag_pinger_start(run->engine->root, &run->server.su_sa,
                                     run->server_len, run->settings.pings,
                                     run->settings.ping_interval_ms,
                                     run->settings.ping_wait_ms, on_ping, run);
  if (!run->pinger) {
    run->ping_unavailable = true;
    run->pings_done = true;
  } else if (run->capture) {
    int ident = sipdiag_pinger_ident(run->pinger);
    if (ident >= 0)
      sipdiag_capture_set_echo_id(run->capture, ident, NULL, 0);
  }
}

/* The finer verdict an ICMP error about our REGISTERs gives, or 0. */
static unsigned icmp_verdict(sipdiag_run_t *run)
{
  sipdiag_result_t *r = &run->result;
  switch (run->icmp_class) {
  case SIPDIAG_ICMP_CLASS_PORT_UNREACHABLE:
    snprintf(run->detail, sizeof run->detail,
             "%.150s: the host is up but refuses %s port %u (nothing listens there, or a firewall rejects it)",
             r->icmp_error, sipdiag_transport_name(r->server_transport), r->server_port);
    return SIPDIAG_CODE_PORT_UNREACHABLE;
  case SIPDIAG_ICMP_CLASS_NET_UNREACHABLE:
    snprintf(run->detail, sizeof run->detail, "%s: no route to the server's network", r->icmp_error);
    return SIPDIAG_CODE_NET_UNREACHABLE;
  case SIPDIAG_ICMP_CLASS_HOST_UNREACHABLE:
    snprintf(run->detail, sizeof run->detail, "%s: the server's host does not answer on its network",
             r->icmp_error);
    return SIPDIAG_CODE_HOST_UNREACHABLE;
  case SIPDIAG_ICMP_CLASS_ADMIN_PROHIBITED:
    snprintf(run->detail, sizeof run->detail, "%s", r->icmp_error);
    return SIPDIAG_CODE_ADMIN_PROHIBITED;
  default:           /* TTL, MTU and others: the pings decide */
    return 0;
  }
}

/* True once a REGISTER went to every RFC 3263 target: an ICMP error about
 * one target must not stop the failover to the next (the engine moves on
 * after a silent attempt). */
static bool all_targets_tried(const sipdiag_run_t *run)
{
  const sipdiag_result_t *r = &run->result;
  for (unsigned i = 0; i < r->n_targets; i++)
    if (!r->targets[i].tried)
      return false;
  return true;
}

static void on_icmp(void *context, const sipdiag_icmp_info_t *info)
{
  sipdiag_run_t *run = context;
  sipdiag_result_t *r = &run->result;
  if (info->status != SIPDIAG_ICMP_ERROR_OURS || run->phase == PHASE_FINISHING)
    return;
  run->icmp_class = info->klass;
  copy_string(r->icmp_error, sizeof r->icmp_error, info->text);
  sipdiag_result_add_step(r, SIPDIAG_STEP_ICMP_ERROR, elapsed_ms(run), 0,
                          info->type * 256 + info->code, run->phase == PHASE_CLEANUP,
                          "%s", info->text);
  /* An error that quotes our own REGISTER (our port, the server's address
   * and port) and names an unreachable net, host or port, or a
   * prohibition, is solid evidence: the verdict comes at once, once no
   * other target is left to try.  Waiting for the other attempts gains
   * nothing and loses seconds: routers rate-limit ICMP, so the next
   * attempts may meet only silence. */
  if (run->phase == PHASE_REGISTERING && all_targets_tried(run)) {
    unsigned code = icmp_verdict(run);
    if (code) {
      verdict(run, code);
      return;
    }
  }
  check_silence_verdict(run);
}

/* ---- TCP and TLS: our own connection test ------------------------------- */

/* The code a failed check stands for; 0 when it names no cause (success,
 * or a timeout, which the patent's flow diagnoses). */
static unsigned transport_code_of(const sipdiag_transport_outcome_t *o)
{
  switch (o->result) {
  case SIPDIAG_TC_REFUSED: return SIPDIAG_CODE_PORT_UNREACHABLE;
  case SIPDIAG_TC_UNREACHABLE:
    return o->error == ENETUNREACH ? SIPDIAG_CODE_NET_UNREACHABLE :
           o->error == EHOSTUNREACH ? SIPDIAG_CODE_HOST_UNREACHABLE :
           o->error == EACCES || o->error == EPERM ? SIPDIAG_CODE_ADMIN_PROHIBITED : 0;
  case SIPDIAG_TC_TLS_HANDSHAKE_FAILED:
  case SIPDIAG_TC_TLS_CLOSED: return SIPDIAG_CODE_TLS_HANDSHAKE;
  case SIPDIAG_TC_TLS_CERTIFICATE_REJECTED: return SIPDIAG_CODE_TLS_CERTIFICATE;
  default: return 0;
  }
}

static void on_transport_check(void *context, const sipdiag_transport_outcome_t *o)
{
  sipdiag_run_t *run = context;
  sipdiag_result_t *r = &run->result;
  sipdiag_transport_check_stop(run->tcheck);   /* allowed from its callback */
  run->tcheck = NULL;
  if (run->phase == PHASE_FINISHING)
    return;
  sipdiag_result_add_step(r, SIPDIAG_STEP_TRANSPORT_CHECK, elapsed_ms(run), 0, 0, false,
                          "%s %s %s in %u ms", o->tls ? "TLS" : "TCP", o->server,
                          sipdiag_tc_result_name(o->result), o->elapsed_ms);
  copy_string(r->transport_check, sizeof r->transport_check, o->text);
  run->transport_code = transport_code_of(o);
  check_silence_verdict(run);
}

/* Runs once per connection-oriented target, beside the REGISTER sofia
 * sends (so it costs no time): sofia folds refused connections, TLS and
 * certificate failures into one local 503; this check names them. */
static void start_transport_check(sipdiag_run_t *run)
{
  struct run_target *hop = &run->hops[run->current_hop];
  if (hop->protocol == TPPROTO_UDP || run->tcheck || run->current_hop >= 32 ||
      (run->tcheck_done & (1u << run->current_hop)))
    return;
  run->tcheck_done |= 1u << run->current_hop;
  /* The name the certificate must carry: the first hop's host (RFC 5922). */
  url_t *first = url_make(run->home, run->first_hop);
  socklen_t len = hop->address.su_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                     : sizeof(struct sockaddr_in);
  run->tcheck = sipdiag_transport_check_start(run->engine->root, &hop->address.su_sa, len,
                                              hop->protocol == TPPROTO_TLS,
                                              first ? first->url_host : NULL, NULL, true,
                                              run->settings.attempt_timeout_ms,
                                              on_transport_check, run);
}

/* Packet evidence: a pcap file of this run's own packets (when a directory
 * is set) and, either way, ICMP errors about them. */
static void start_capture(sipdiag_run_t *run)
{
  sipdiag_result_t *r = &run->result;
  sip_contact_t const *own = nta_agent_contact(run->agent);
  unsigned local_port = own && own->m_url->url_port ? (unsigned)atoi(own->m_url->url_port) : 0;
  char reason[SIPDIAG_CAPTURE_REASON_MAX] = "";

  if (!run->settings.capture) {
    copy_string(r->capture_note, sizeof r->capture_note, "capture disabled");
    return;
  }
  if (run->engine->captures >= SIPDIAG_CAPTURE_MAX_CONCURRENT) {
    snprintf(r->capture_note, sizeof r->capture_note,
             "no capture: %u diagnoses were already capturing (the limit)",
             SIPDIAG_CAPTURE_MAX_CONCURRENT);
    return;
  }
  if (run->settings.capture_dir[0]) {
    mkdir(run->settings.capture_dir, 0700);   /* one level; may exist */
    if (sipdiag_capture_make_path(run->settings.capture_dir, run->aor, time(NULL),
                                  r->capture_path, sizeof r->capture_path) != 0)
      r->capture_path[0] = '\0';
  }
  sipdiag_capture_config_t config = {
    .local_port = (uint16_t)local_port,
    /* The first hop, before anything is sent: a later change of the
     * kernel filter would lose the packets that arrive meanwhile. */
    .server = &run->hops[0].address.su_sa,
    .path = r->capture_path[0] ? r->capture_path : NULL,
    .max_bytes = SIPDIAG_CAPTURE_DEFAULT_MAX_BYTES,
    .on_icmp = on_icmp,
    .context = run,
  };
  run->capture = sipdiag_capture_start(run->engine->root, &config, reason, sizeof reason);
  if (run->capture)
    run->engine->captures++;
  if (!run->capture) {
    r->capture_path[0] = '\0';
    copy_string(r->capture_note, sizeof r->capture_note, reason);
  }
}

/* The patent's verdict on silence, once the attempts are over and every
 * ping has been sent and answered or waited for. */
static void check_silence_verdict(sipdiag_run_t *run)
{
  sipdiag_result_t *r = &run->result;
  if (!run->silence_exhausted || run->phase != PHASE_REGISTERING)
    return;
  if (run->transport_code) {  /* our own TCP/TLS check named the cause */
    snprintf(run->detail, sizeof run->detail, "%s", r->transport_check);
    verdict(run, run->transport_code);
    return;
  }
  unsigned icmp_code = icmp_verdict(run);
  if (icmp_code) {   /* an ICMP error names the cause: no need to wait */
    verdict(run, icmp_code);
    return;
  }
  if (!run->pings_done)
    return;
  if (r->pings_received > 0) {
    verdict(run, SIPDIAG_CODE_SERVER_NO_RESPONSE);
  } else {
    if (run->ping_unavailable && r->pings_sent == 0) {
      copy_string(run->detail, sizeof run->detail,
                  "ICMP echo is not permitted to this process, so the network could not be checked");
      verdict(run, SIPDIAG_CODE_PING_UNAVAILABLE);
    } else {
      verdict(run, SIPDIAG_CODE_NETWORK_UNREACHABLE);
    }
  }
}

/* ---- digest authentication -------------------------------------------- */

/* The classification of answers (response.c) reads and updates these. */
static sipdiag_response_ctx_t response_ctx(sipdiag_run_t *run)
{
  sipdiag_response_ctx_t ctx = { run->home, &run->auth_www, &run->auth_proxy, run->auth_user,
                                 run->expires, run->algorithm_unsupported,
                                 run->detail, sizeof run->detail };
  return ctx;
}

/* Keeps a 401/407 challenge to answer with the next REGISTER; false when
 * the terminal cannot answer it (the reason goes into the detail). */
static bool take_challenge(sipdiag_run_t *run, sip_t const *sip, int status)
{
  sipdiag_response_ctx_t ctx = response_ctx(run);
  bool taken = sipdiag_response_take_challenge(&ctx, sip, status);
  run->algorithm_unsupported = ctx.algorithm_unsupported;
  return taken;
}

/* ---- REGISTER ----------------------------------------------------------- */

static int on_response(sipdiag_run_t *run, nta_outgoing_t *orq, sip_t const *sip);

static void send_register(sipdiag_run_t *run)
{
  sipdiag_result_t *r = &run->result;
  bool cleanup = run->phase == PHASE_CLEANUP;
  unsigned expires = cleanup ? 0 : run->expires;
  char expires_str[16];
  char authorization[SIPDIAG_DIGEST_ANSWER_MAX], proxy_authorization[SIPDIAG_DIGEST_ANSWER_MAX];

  snprintf(expires_str, sizeof expires_str, "%u", expires);
  bool with_www = sipdiag_auth_answer(&run->auth_www, run->auth_user, run->password,
                                      run->request_uri_text, authorization, sizeof authorization);
  bool with_proxy = sipdiag_auth_answer(&run->auth_proxy, run->auth_user, run->password,
                                        run->request_uri_text, proxy_authorization,
                                        sizeof proxy_authorization);

  struct run_target *hop = &run->hops[run->current_hop];
  bool connects = run->capture && hop->protocol != TPPROTO_UDP;
  if (run->capture)   /* before sending: a new hop changes the filter */
    sipdiag_capture_set_server(run->capture, &hop->address.su_sa, NULL, 0);
  if (connects)
    sipdiag_capture_mark_sockets(run->capture);
  if (!cleanup && run->current_hop < run->result.n_targets) {
    run->result.targets[run->current_hop].tried = true;
    start_transport_check(run);
  }
  run->orq = nta_outgoing_tcreate(run->leg, on_response, run,
                                  URL_STRING_MAKE(hop->route),
                                  SIP_METHOD_REGISTER,
                                  (url_string_t const *)run->request_uri,
                                  TAG_IF(run->proxy[0], SIPTAG_ROUTE_STR(run->route)),
                                  SIPTAG_CONTACT_STR(run->contact),
                                  SIPTAG_EXPIRES_STR(expires_str),
                                  SIPTAG_USER_AGENT_STR(PACKAGE_NAME "/" PACKAGE_VERSION),
                                  TAG_IF(with_www, SIPTAG_AUTHORIZATION_STR(authorization)),
                                  TAG_IF(with_proxy,
                                         SIPTAG_PROXY_AUTHORIZATION_STR(proxy_authorization)),
                                  TAG_END());
  run->orq_started = su_now();
  if (connects)   /* the check's connection and sofia's, if new */
    sipdiag_capture_follow_new_sockets(run->capture);
  if (with_www || with_proxy)
    run->credentials_sent = true;
  explicit_bzero(authorization, sizeof authorization);
  explicit_bzero(proxy_authorization, sizeof proxy_authorization);
  if (cleanup)
    r->cleanup_registers++;
  else
    r->registers_sent++;
  if (!run->orq) {
    sipdiag_result_add_step(r, SIPDIAG_STEP_LOCAL_RESPONSE, elapsed_ms(run), 0, 0,
                            cleanup, "REGISTER could not be created");
    if (cleanup) {
      schedule_finish(run);
      return;
    }
    copy_string(run->detail, sizeof run->detail,
                "the SIP stack could not create a REGISTER for this account");
    verdict(run, SIPDIAG_CODE_INTERNAL_ERROR);
    return;
  }
  sipdiag_result_add_step(r, SIPDIAG_STEP_REGISTER_SENT, elapsed_ms(run),
                          nta_outgoing_cseq(run->orq), 0, cleanup,
                          "expires=%u%s", expires,
                          with_www || with_proxy ? " with credentials" : "");
  note_server(run, run->orq, false);
}

static void on_cleanup_answer(sipdiag_run_t *run, sip_t const *sip, int status, bool local)
{
  sipdiag_result_t *r = &run->result;
  if (status >= 200 && status < 300 && !local) {
    r->binding_removed = true;
  } else if (!local && (status == 401 || status == 407) &&
             r->cleanup_registers < SIPDIAG_MAX_CLEANUP_REGISTERS &&
             take_challenge(run, sip, status)) {
    run->detail[0] = '\0';
    send_register(run);
    return;
  }
  schedule_finish(run);
}

/* What a final rejection means beyond its class (RFC 3261 21.4). */
static void explain_final(sipdiag_run_t *run, unsigned code)
{
  const char *why = NULL;
  switch (code) {
  case 403:
    why = run->credentials_sent
      ? "even with credentials: the account is barred or not provisioned, not a password typo"
      : "before any credentials were asked for: the server refuses this terminal or address";
    break;
  case 404: why = "the registrar does not know this user: check the AOR's user part and domain"; break;
  case 400: why = "the server could not parse the request"; break;
  case 408: why = "the server itself timed out (a network answer, not a local timeout)"; break;
  case 420: case 421: why = "the server requires a SIP extension the terminal lacks"; break;
  case 480: why = "the server holds the account as temporarily unavailable"; break;
  default: break;
  }
  sipdiag_fault_t fault = sipdiag_fault_for_code(code);
  if (why)
    snprintf(run->detail, sizeof run->detail, "%s", why);
  else if (fault == SIPDIAG_FAULT_SERVER_ANOMALY || fault == SIPDIAG_FAULT_TERMINAL_ERROR ||
           fault == SIPDIAG_FAULT_SERVER_ERROR || fault == SIPDIAG_FAULT_GLOBAL_FAILURE)
    run->detail[0] = '\0';   /* these classes keep no detail of an earlier answer */
}

static sipdiag_answer_t answer_of(sipdiag_run_t *run, sip_t const *sip, int status, bool local)
{
  sipdiag_response_ctx_t ctx = response_ctx(run);
  sipdiag_answer_t a = sipdiag_response_classify(&ctx, sip, status, local);
  run->expires = ctx.expires;
  run->algorithm_unsupported = ctx.algorithm_unsupported;
  return a;
}

static int on_response(sipdiag_run_t *run, nta_outgoing_t *orq, sip_t const *sip)
{
  sipdiag_result_t *r = &run->result;
  int status = sip && sip->sip_status ? sip->sip_status->st_status : 408;
  const char *phrase = sip && sip->sip_status && sip->sip_status->st_phrase
                       ? sip->sip_status->st_phrase : "";
  bool cleanup = run->phase == PHASE_CLEANUP;
  msg_t *response = nta_outgoing_getresponse(orq);
  su_addrinfo_t *ai = response ? msg_addrinfo(response) : NULL;
  /* sofia's own 408 and 503 carry no source address: never the server's. */
  bool local = !sip || nta_sip_is_internal(sip) || !ai || ai->ai_family == AF_UNSPEC;
  uint32_t cseq = sip && sip->sip_cseq ? sip->sip_cseq->cs_seq : nta_outgoing_cseq(orq);
  if (response)
    msg_destroy(response);

  if (run->phase != PHASE_REGISTERING && run->phase != PHASE_CLEANUP)
    return 0;
  note_server(run, orq, !local);
  if (!local && malformed_or_flood(run, orq, status, phrase))
    return 0;

  if (!local && !r->nat_detected)
    sipdiag_response_note_nat(r, sip);
  if (!local && run->current_hop < r->n_targets)
    r->targets[run->current_hop].answered = true;
  if (!local && !run->first_response_seen) {
    run->first_response_seen = true;
    r->rtt_ms = (int)su_duration(su_now(), run->orq_started);
  }
  if (!local && !cleanup) {   /* the last status from the network, 1xx too */
    r->sip_status = status;
    copy_string(r->sip_reason, sizeof r->sip_reason, phrase);
  }
  if (status < 200) {
    if (!local) {
      sipdiag_result_add_step(r, SIPDIAG_STEP_RESPONSE, elapsed_ms(run), cseq, status,
                              cleanup, "%.60s", phrase);
      if (!cleanup)
        snprintf(run->detail, sizeof run->detail, "only %d %.40s was received", status, phrase);
    }
    return 0;
  }

  sipdiag_result_add_step(r, local ? SIPDIAG_STEP_LOCAL_RESPONSE : SIPDIAG_STEP_RESPONSE,
                          elapsed_ms(run), cseq, status, cleanup, "%.60s%s", phrase,
                          local ? (status == 408 ? " (no final answer in time)"
                                                 : " (generated locally)") : "");
  /* The transaction is over; it is destroyed last, since sip lives in it. */
  run->orq = NULL;
  if (cleanup) {
    on_cleanup_answer(run, sip, status, local);
    nta_outgoing_destroy(orq);
    return 0;
  }
  if (!local)
    run->last_final_status = status;

  sipdiag_answer_t answer = answer_of(run, sip, status, local);
  sipdiag_decision_t d = sipdiag_judge(&run->tally, &answer, run->settings.attempts,
                                       r->registers_sent);
  switch (d.next) {
  case SIPDIAG_NEXT_RESEND:
    start_pings(run);      /* pings may run while the attempts go on */
    if (r->n_targets > 1)  /* RFC 3263: a silent target yields to the next */
      run->current_hop = (run->current_hop + 1) % r->n_targets;
    send_register(run);
    break;
  case SIPDIAG_NEXT_RESEND_WITH_CREDENTIALS:
  case SIPDIAG_NEXT_RESEND_WITH_MIN_EXPIRES:
    send_register(run);
    break;
  case SIPDIAG_NEXT_SILENCE_VERDICT:
    run->silence_exhausted = true;
    start_pings(run);
    check_silence_verdict(run);
    break;
  case SIPDIAG_NEXT_VERDICT:
    if (answer.kind == SIPDIAG_ANSWER_CHALLENGE && run->algorithm_unsupported)
      d.code = SIPDIAG_CODE_AUTH_ALGORITHM;
    sipdiag_result_set_code(r, d.code);
    explain_final(run, d.code);
    if (d.code >= 200 && d.code < 300) {
      run->phase = PHASE_CLEANUP;   /* leave no trace: remove our binding */
      run->detail[0] = '\0';
      send_register(run);
    } else {
      schedule_finish(run);
    }
    break;
  }
  nta_outgoing_destroy(orq);
  return 0;
}

/* Responses to finished transactions never reach on_response, yet sofia
 * parses each of them (and over TCP at a cost that grows with the backlog):
 * a server flooding them would outlast the timer.  The stack's own count of
 * received responses catches that flood too. */
static void on_watch(su_root_magic_t *magic, su_timer_t *t, sipdiag_run_t *run)
{
  (void)magic;
  (void)t;
  usize_t received = 0;
  if (run->phase != PHASE_REGISTERING && run->phase != PHASE_CLEANUP)
    return;
  nta_agent_get_stats(run->agent, NTATAG_S_RECV_RESPONSE_REF(received), TAG_END());
  if (received > 2 * SIPDIAG_MAX_RESPONSES && run->orq) {
    run->responses = SIPDIAG_MAX_RESPONSES;   /* the next check reports it */
    malformed_or_flood(run, run->orq, 100, "flood");
  }
}

/* A status outside 100-999 is not SIP, and a server answering more than
 * SIPDIAG_MAX_RESPONSES times in one run is flooding: either ends the run
 * at once (the flood would otherwise keep the loop busy past the timer). */
static bool malformed_or_flood(sipdiag_run_t *run, nta_outgoing_t *orq, int status,
                               const char *phrase)
{
  sipdiag_result_t *r = &run->result;
  unsigned code = 0;
  if (++run->responses > SIPDIAG_MAX_RESPONSES) {
    snprintf(run->detail, sizeof run->detail,
             "it sent more than %d responses to this diagnosis's REGISTERs (a flood)",
             SIPDIAG_MAX_RESPONSES);
    code = SIPDIAG_CODE_FLOOD;
  } else if (status < 100 || status > 999) {
    snprintf(run->detail, sizeof run->detail,
             "it answered with status code %d (\"%.40s\"), which is not SIP", status, phrase);
    sipdiag_result_add_step(r, SIPDIAG_STEP_RESPONSE, elapsed_ms(run),
                            nta_outgoing_cseq(orq), 0, run->phase == PHASE_CLEANUP,
                            "status %d: not SIP", status);
    code = SIPDIAG_CODE_MALFORMED;
  }
  if (!code)
    return false;
  if (run->phase == PHASE_CLEANUP) {   /* the verdict (2xx) stands */
    schedule_finish(run);
    return true;
  }
  r->sip_status = 0;   /* the MIB's range is 0..999: keep only SIP codes */
  copy_string(r->sip_reason, sizeof r->sip_reason, phrase);
  verdict(run, code);
  return true;
}

/* ---- starting ------------------------------------------------------------ */

static void begin(su_root_magic_t *magic, su_timer_t *t, sipdiag_run_t *run)
{
  (void)magic;
  (void)t;
  if (run->config_incomplete) {   /* the patent's S13: nothing is sent */
    verdict(run, SIPDIAG_CODE_CONFIG_INCOMPLETE);
    return;
  }

  url_t *aor = url_make(run->home, run->aor);
  if (!run->auth_user[0] && aor && aor->url_user)
    copy_string(run->auth_user, sizeof run->auth_user, aor->url_user);
  run->request_uri = url_make(run->home, run->registrar);
  if (run->request_uri) {
    char *text = url_as_string(run->home, run->request_uri);
    copy_string(run->request_uri_text, sizeof run->request_uri_text, text);
  }
  if (!run->request_uri) {
    copy_string(run->detail, sizeof run->detail, "the registrar URI could not be parsed");
    verdict(run, SIPDIAG_CODE_INTERNAL_ERROR);
    return;
  }
  build_first_hop(run);
  su_timer_set_interval(run->self_timer, on_self_timer, run, run->settings.timer_s * 1000);
  start_resolution(run);
}

sipdiag_engine_t *sipdiag_engine_create(su_root_t *root)
{
  sipdiag_engine_t *engine = calloc(1, sizeof *engine);
  if (!engine)
    return NULL;
  engine->root = root;
  srandom((unsigned)(wall_clock_ms() ^ (int64_t)(uintptr_t)engine));
  return engine;
}

void sipdiag_engine_destroy(sipdiag_engine_t *engine)
{
  if (!engine)
    return;
  while (engine->runs)
    sipdiag_cancel(engine->runs, NULL);
  if (engine->resolver)
    sres_resolver_destroy(engine->resolver);
  free(engine);
}

unsigned sipdiag_engine_running(const sipdiag_engine_t *engine)
{
  return engine->running;
}

int sipdiag_start(sipdiag_engine_t *engine, const sipdiag_account_t *account,
                  const sipdiag_settings_t *settings, sipdiag_done_f *done,
                  void *context, sipdiag_run_t **run_out)
{
  if (!engine || !account || !settings || sipdiag_settings_check(settings))
    return EINVAL;
  sipdiag_run_t *run = su_home_new(sizeof *run);
  if (!run)
    return ENOMEM;
  run->engine = engine;
  run->settings = *settings;
  run->done = done;
  run->context = context;
  copy_string(run->registrar, sizeof run->registrar, account->registrar);
  copy_string(run->aor, sizeof run->aor, account->aor);
  copy_string(run->auth_user, sizeof run->auth_user, account->auth_user);
  copy_string(run->proxy, sizeof run->proxy, account->outbound_proxy);
  copy_string(run->password, sizeof run->password, account->password);
  run->transport = account->transport;
  run->expires = account->expires;
  /* The check runs on the caller's strings: a value too long to copy is
   * named as such, and a complete account fits its copies whole. */
  run->config_incomplete =
    sipdiag_account_check(account, run->detail, sizeof run->detail) > 0;

  sipdiag_result_t *r = &run->result;
  r->state = SIPDIAG_STATE_RUNNING;
  r->fault = SIPDIAG_FAULT_NONE;
  r->rtt_ms = -1;
  r->server_transport = SIPDIAG_TRANSPORT_AUTO;
  copy_string(r->account, sizeof r->account, run->aor);
  r->start_ms = wall_clock_ms();
  run->started = su_now();
  run->phase = PHASE_STARTING;

  run->self_timer = su_timer_create(su_root_task(engine->root), 0);
  run->step_timer = su_timer_create(su_root_task(engine->root), 0);
  if (!run->self_timer || !run->step_timer) {
    su_timer_destroy(run->self_timer);
    su_timer_destroy(run->step_timer);
    su_home_unref(run->home);
    return ENOMEM;
  }
  run->next = engine->runs;
  if (run->next)
    run->next->prev = &run->next;
  run->prev = &engine->runs;
  engine->runs = run;
  engine->running++;

  su_timer_set_interval(run->step_timer, begin, run, 0);
  if (run_out)
    *run_out = run;
  return 0;
}

void sipdiag_cancel(sipdiag_run_t *run, sipdiag_result_t *partial)
{
  if (!run)
    return;
  sipdiag_result_t *r = &run->result;
  sipdiag_result_add_step(r, SIPDIAG_STEP_CANCELED, elapsed_ms(run), 0, 0,
                          run->phase == PHASE_CLEANUP, "canceled by the caller");
  release(run);
  if (partial) {
    *partial = *r;
    partial->state = SIPDIAG_STATE_CANCELED;
    partial->fault = SIPDIAG_FAULT_CANCELED;
    partial->code = SIPDIAG_CODE_NONE;
    partial->end_ms = wall_clock_ms();
    partial->duration_ms = elapsed_ms(run);
    sipdiag_result_describe(partial, run->registrar, false, "");
  }
  su_home_unref(run->home);
}
