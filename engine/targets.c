/*
 * targets.c - RFC 3263: where the first hop (the outbound proxy, or the
 * registrar) lives, and the local transport that reaches it.
 */
#include "config.h"
#include "run.h"
#include "result.h"
#include "address_text.h"
#include "syserr.h"
#include "tls_trust.h"

#include <errno.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/url.h>
#include <sofia-sip/hostdomain.h>
#include <sofia-sip/tport_tag.h>

/* Exported by libsofia-sip-ua 1.12.11 but missing from its header: stops
 * the resolver's pending queries from calling back. */
void sres_sip_cancel_resolver(sres_sip_t *srs);

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
    char addr[SIPDIAG_ADDRESS_MAX], hostport[SIPDIAG_ADDRESS_MAX + 8];
    if (!proto || !su || (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
        (only && ai->ai_protocol != only) || !sipdiag_address_text(&su->su_sa, addr, sizeof addr))
      continue;
    unsigned port = ntohs(su->su_port);
    if (port == 0)
      port = url_port ? url_port : ai->ai_protocol == TPPROTO_TLS ? 5061 : 5060;
    sipdiag_hostport_text(addr, port, hostport, sizeof hostport);
    struct run_target *hop = &run->hops[r->n_targets];
    memset(hop, 0, sizeof *hop);
    snprintf(hop->route, sizeof hop->route, "sip:%s;transport=%s", hostport, proto);
    hop->protocol = ai->ai_protocol;
    hop->address_len = ai->ai_addrlen < sizeof hop->address ? (socklen_t)ai->ai_addrlen
                                                             : (socklen_t)sizeof hop->address;
    memcpy(&hop->address, su, hop->address_len);
    hop->address.su_port = htons((uint16_t)port);
    snprintf(r->targets[r->n_targets].text, sizeof r->targets[0].text, "%s %s", proto, hostport);
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
  char addr[SIPDIAG_ADDRESS_MAX];
  snprintf(out, size, "*");
  if (!probe.su_port)
    probe.su_port = htons(5060);
  int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return;
  if (connect(fd, &probe.su_sa, len) == 0 &&
      getsockname(fd, &local.su_sa, &local_len) == 0 &&
      sipdiag_address_text(&local.su_sa, addr, sizeof addr)) {
    bool scoped = family == AF_INET6 && local.su_sin6.sin6_scope_id;
    if (!scoped)   /* link-local needs a zone sofia cannot take: use "*" */
      sipdiag_host_text(addr, out, size);
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
                                /* Timer F = the attempt timeout: why, in sipdiag_limits.h */
                                NTATAG_SIP_T1X64(run->settings.attempt_timeout_ms),
                                NTATAG_GRAYLIST(0),
                                NTATAG_CLIENT_RPORT(1),
                                TAG_END());
  if (!run->agent)
    return false;
  if (tls) {
    /* The stack's own TLS verifies the server before any SIP leaves: a
     * connection whose certificate does not chain to the configured CAs
     * is closed after the handshake (sofia's tls_post_connection_check).
     * The name is checked by our transport check, which knows the first
     * hop's name (sofia only knows the resolved address). */
    if (!sipdiag_tls_trust_make(run->settings.ca_file, run->settings.ca_dir,
                                run->tls_trust, sizeof run->tls_trust)) {
      snprintf(run->detail, sizeof run->detail, "the TLS trust store (%.120s%s%.120s) cannot be read: %s",
               run->settings.ca_file[0] ? run->settings.ca_file : "",
               run->settings.ca_file[0] && run->settings.ca_dir[0] ? ", " : "",
               run->settings.ca_dir[0] ? run->settings.ca_dir :
               run->settings.ca_file[0] ? "" : "the system's", strerror(errno));
      return false;
    }
    snprintf(url, sizeof url, "sips:%s:*", host);
    if (nta_agent_add_tport(run->agent, (url_string_t const *)url,
                            TPTAG_CERTIFICATE(run->tls_trust),
                            TPTAG_TLS_VERSION(0),   /* negotiate, not TLS 1.0 only */
                            TPTAG_TLS_VERIFY_POLICY(TPTLS_VERIFY_OUTGOING),
                            TPTAG_TLS_VERIFY_DATE(1),
                            TAG_END()) < 0) {
      run_copy_string(run->detail, sizeof run->detail,
                      "the SIP stack could not open its TLS transport with this trust store");
      return false;
    }
  }
  if (other_family)
    nta_agent_add_tport(run->agent, URL_STRING_MAKE(family == AF_INET ? "sip:[::]:*"
                                                                      : "sip:0.0.0.0:*"),
                        TAG_END());
  run->leg = nta_leg_tcreate(run->agent, NULL, NULL,
                             SIPTAG_FROM_STR(run->aor), SIPTAG_TO_STR(run->aor), TAG_END());
  if (!run->leg)
    return false;
  register_build_contact(run);
  evidence_start_capture(run);
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
    sipdiag_result_add_step(r, SIPDIAG_STEP_DNS_RESULT, run_elapsed_ms(run), 0, 0, false,
                            "%.40s: %s", run->first_hop, run->detail);
    run_verdict(run, no_answer ? SIPDIAG_CODE_DNS_NO_ANSWER : SIPDIAG_CODE_DNS_NO_NAME);
    return;
  }
  sipdiag_result_add_step(r, SIPDIAG_STEP_DNS_RESULT, run_elapsed_ms(run), 0, 0, false,
                          "%u target%s, first %s", r->n_targets, r->n_targets == 1 ? "" : "s",
                          r->targets[0].text);
  errno = 0;
  if (!open_transport(run)) {
    char why[SIPDIAG_SYSERR_TEXT_MAX];
    int error = errno;   /* best effort: what sofia's last call left */
    if (!run->detail[0])
      snprintf(run->detail, sizeof run->detail, "the SIP stack could not open a local transport%s%s",
               error ? ": " : "", error ? sipdiag_syserr_text(error, why, sizeof why) : "");
    run_verdict(run, SIPDIAG_CODE_INTERNAL_ERROR);
    return;
  }
  run->phase = PHASE_REGISTERING;
  register_start_watch(run);
  register_send(run);
}

static void on_resolved(sipdiag_run_t *run, sres_sip_t *srs, int final)
{
  (void)srs;
  if (final && run->phase == PHASE_RESOLVING)
    resolved(run);
}

void targets_start_resolution(sipdiag_run_t *run)
{
  sipdiag_engine_t *engine = run->engine;
  su_addrinfo_t hints;
  build_first_hop(run);
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
    run_copy_string(run->detail, sizeof run->detail, "the DNS resolver could not be started");
    run_verdict(run, SIPDIAG_CODE_INTERNAL_ERROR);
    return;
  }
  if (!sres_sip_next_step(run->srs))   /* numeric or cached: done already */
    resolved(run);
}

void targets_release(sipdiag_run_t *run)
{
  if (run->srs) {
    sres_sip_cancel_resolver(run->srs);
    sres_sip_unref(run->srs);
  }
  run->srs = NULL;
}

bool targets_all_tried(const sipdiag_run_t *run)
{
  const sipdiag_result_t *r = &run->result;
  for (unsigned i = 0; i < r->n_targets; i++)
    if (!r->targets[i].tried)
      return false;
  return true;
}
