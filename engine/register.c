/*
 * register.c - REGISTER requests and what their answers mean.
 *
 * Sends the diagnosis's REGISTERs (and the removal of the probe's own
 * binding after a 2xx), reads every answer, and asks the judging rules
 * (verdict.h) what to do next.  What a response says is read by response.c;
 * what the network says besides SIP is evidence.c's.
 */
#include "config.h"
#include "run.h"
#include "result.h"
#include "response.h"
#include "address_text.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/msg_addr.h>
#include <sofia-sip/tport.h>
#include <sofia-sip/url.h>

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
    sipdiag_address_text(&run->server.su_sa, r->server_address, sizeof r->server_address);
    r->server_port = ntohs(run->server.su_port);
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

/* The port the agent listens on for one protocol ("udp", "tcp", "tls"),
 * or NULL. */
static const char *listening_port(sipdiag_run_t *run, const char *proto)
{
  for (tport_t *tp = tport_primaries(nta_agent_tports(run->agent)); tp; tp = tport_next(tp)) {
    tp_name_t const *name = tport_name(tp);
    if (name && name->tpn_proto && strcasecmp(name->tpn_proto, proto) == 0)
      return name->tpn_port;
  }
  return NULL;
}

/* The probe's Contact: its own user part, so it never touches the
 * terminal's own binding; the scheme of the Request-URI (RFC 3261
 * 8.1.1.8: sips: asks for sips: Contacts), and the transport the current
 * target is reached with and the port the agent listens on for it. */
void register_build_contact(sipdiag_run_t *run)
{
  static const char *const names[] = { "udp", "tcp", "tls" };
  sip_contact_t const *own = nta_agent_contact(run->agent);
  const url_t *u = own ? own->m_url : NULL;
  if (!run->contact_tag)
    run->contact_tag = (unsigned)random() | 1u;
  int protocol = run->hops[run->current_hop].protocol;
  const char *proto = protocol == TPPROTO_TLS ? names[2] : protocol == TPPROTO_TCP ? names[1]
                                                                                   : names[0];
  const char *port = listening_port(run, proto);
  if (!port)
    port = u && u->url_port ? u->url_port : "5060";
  char host[SIPDIAG_ADDRESS_MAX + 8];
  sipdiag_host_text(u && u->url_host ? u->url_host : "invalid", host, sizeof host);
  bool sips = run->request_uri && run->request_uri->url_type == url_sips;
  /* Over TCP and TLS the transport is named (UDP is the default).  A sips:
   * Contact is TLS by its scheme; RFC 5630 3.2 deprecates transport=tls,
   * so it says transport=tcp (TLS over TCP). */
  const char *transport = protocol == TPPROTO_UDP ? "" :
                          protocol == TPPROTO_TCP || sips ? ";transport=tcp"
                                                          : ";transport=tls";
  snprintf(run->contact, sizeof run->contact, "<%s:sipdiag-%08x@%s:%s%s>",
           sips ? "sips" : "sip", run->contact_tag, host, port, transport);
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

/* The bindings a 2xx lists, the probe's own ("sipdiag-" user part, e.g.
 * left by an interrupted run) not counted. */
static int other_bindings(sip_t const *sip)
{
  int n = 0;
  for (sip_contact_t const *m = sip ? sip->sip_contact : NULL; m; m = m->m_next) {
    const char *user = m->m_url->url_user;
    if (m->m_url->url_type == url_any)   /* "*" is no binding */
      continue;
    if (user && strncmp(user, "sipdiag-", 8) == 0)
      continue;
    n++;
  }
  return n;
}

/* A 2xx to the binding query: the account and password are accepted.  With
 * bindings listed the account is registered already (by the terminal or
 * elsewhere): adding one more could be refused (a registrar's limit of
 * contacts per account) or replace one of them, so the probe stops there.
 * With none, it goes on to add its own binding (and remove it after).
 * True when the run goes on. */
static bool after_query(sipdiag_run_t *run, sip_t const *sip, int status)
{
  sipdiag_result_t *r = &run->result;
  r->bindings = other_bindings(sip);
  (void)status;
  if (r->n_steps > 0 && r->steps[r->n_steps - 1].kind == SIPDIAG_STEP_RESPONSE) {
    sipdiag_step_t *step = &r->steps[r->n_steps - 1];   /* the 2xx's own step */
    size_t used = strlen(step->info);
    snprintf(step->info + used, sizeof step->info - used, " (%d binding%s listed)",
             r->bindings, r->bindings == 1 ? "" : "s");
  }
  if (r->bindings > 0 || r->registers_sent >= SIPDIAG_MAX_REGISTERS)
    return false;
  run->adding_binding = true;
  memset(&run->tally, 0, sizeof run->tally);   /* a new request: judged afresh */
  register_send(run);
  return true;
}

static int on_response(sipdiag_run_t *run, nta_outgoing_t *orq, sip_t const *sip);
static void conclude(sipdiag_run_t *run);

void register_send(sipdiag_run_t *run)
{
  sipdiag_result_t *r = &run->result;
  bool cleanup = run->phase == PHASE_CLEANUP;
  unsigned expires = cleanup ? 0 : run->expires;
  char expires_str[16];
  /* One answer per realm challenged (RFC 3261 22.3), [0] the first. */
  _Static_assert(SIPDIAG_AUTH_REALMS_MAX == 4, "one TAG_IF per realm below");
  char authorization[SIPDIAG_AUTH_REALMS_MAX][SIPDIAG_DIGEST_ANSWER_MAX];
  char proxy_authorization[SIPDIAG_AUTH_REALMS_MAX][SIPDIAG_DIGEST_ANSWER_MAX];
  bool www[SIPDIAG_AUTH_REALMS_MAX] = { false }, proxy[SIPDIAG_AUTH_REALMS_MAX] = { false };

  snprintf(expires_str, sizeof expires_str, "%u", expires);
  for (unsigned i = 0; i < SIPDIAG_AUTH_REALMS_MAX; i++) {
    www[i] = i < sipdiag_auth_realms(&run->auth_www) &&
             sipdiag_auth_answer_realm(&run->auth_www, i, run->auth_user, run->password,
                                       run->request_uri_text, authorization[i],
                                       sizeof authorization[i]);
    proxy[i] = i < sipdiag_auth_realms(&run->auth_proxy) &&
               sipdiag_auth_answer_realm(&run->auth_proxy, i, run->auth_user, run->password,
                                         run->request_uri_text, proxy_authorization[i],
                                         sizeof proxy_authorization[i]);
  }
  bool with_www = www[0] || www[1] || www[2] || www[3];
  bool with_proxy = proxy[0] || proxy[1] || proxy[2] || proxy[3];

  struct run_target *hop = &run->hops[run->current_hop];
  bool tls = hop->protocol == TPPROTO_TLS;
  if ((with_www || with_proxy) &&
      !sipdiag_credentials_allowed(tls, hop->check_done, hop->tls_verified)) {
    /* Never a digest response to a peer whose certificate is unverified:
     * wait for the check, or stop. */
    explicit_bzero(authorization, sizeof authorization);
    explicit_bzero(proxy_authorization, sizeof proxy_authorization);
    if (!hop->check_done) {
      evidence_check_transport(run);   /* unless one runs or ran already */
      if (run->tcheck) {
        run->held = HELD_REGISTER;
        return;
      }
    }
    if (cleanup) {
      conclude(run);
      return;
    }
    snprintf(run->detail, sizeof run->detail,
             "credentials were not sent: the TLS server's certificate was not verified%s%.200s",
             r->transport_check[0] ? " (" : "", r->transport_check);
    if (r->transport_check[0])
      strncat(run->detail, ")", sizeof run->detail - strlen(run->detail) - 1);
    run_verdict(run, sipdiag_unverified_verdict(hop->transport_code));
    return;
  }
  /* A binding query (RFC 3261 10.2.3) carries no Contact: it changes
   * nothing on the registrar, whatever its limit of contacts per account. */
  bool query = !cleanup && !run->adding_binding;
  if (!cleanup)
    register_build_contact(run);
  evidence_before_register(run, cleanup);
  run->orq = nta_outgoing_tcreate(run->leg, on_response, run,
                                  URL_STRING_MAKE(hop->route),
                                  SIP_METHOD_REGISTER,
                                  (url_string_t const *)run->request_uri,
                                  TAG_IF(run->proxy[0], SIPTAG_ROUTE_STR(run->route)),
                                  TAG_IF(!query, SIPTAG_CONTACT_STR(run->contact)),
                                  SIPTAG_EXPIRES_STR(expires_str),
                                  SIPTAG_USER_AGENT_STR(PACKAGE_NAME "/" PACKAGE_VERSION),
                                  TAG_IF(www[0], SIPTAG_AUTHORIZATION_STR(authorization[0])),
                                  TAG_IF(www[1], SIPTAG_AUTHORIZATION_STR(authorization[1])),
                                  TAG_IF(www[2], SIPTAG_AUTHORIZATION_STR(authorization[2])),
                                  TAG_IF(www[3], SIPTAG_AUTHORIZATION_STR(authorization[3])),
                                  TAG_IF(proxy[0],
                                         SIPTAG_PROXY_AUTHORIZATION_STR(proxy_authorization[0])),
                                  TAG_IF(proxy[1],
                                         SIPTAG_PROXY_AUTHORIZATION_STR(proxy_authorization[1])),
                                  TAG_IF(proxy[2],
                                         SIPTAG_PROXY_AUTHORIZATION_STR(proxy_authorization[2])),
                                  TAG_IF(proxy[3],
                                         SIPTAG_PROXY_AUTHORIZATION_STR(proxy_authorization[3])),
                                  TAG_END());
  run->orq_started = su_now();
  evidence_after_register(run);
  run->sent_www_credentials = with_www;
  run->sent_proxy_credentials = with_proxy;
  run->sent_expires = expires;
  if (with_www || with_proxy)
    run->credentials_sent = true;
  explicit_bzero(authorization, sizeof authorization);
  explicit_bzero(proxy_authorization, sizeof proxy_authorization);
  if (cleanup)
    r->cleanup_registers++;
  else
    r->registers_sent++;
  if (!run->orq) {
    sipdiag_result_add_step(r, SIPDIAG_STEP_LOCAL_RESPONSE, run_elapsed_ms(run), 0, 0,
                            cleanup, "REGISTER could not be created");
    if (cleanup) {
      run_finish(run);
      return;
    }
    run_copy_string(run->detail, sizeof run->detail,
                    "the SIP stack could not create a REGISTER for this account");
    run_verdict(run, SIPDIAG_CODE_INTERNAL_ERROR);
    return;
  }
  sipdiag_result_add_step(r, SIPDIAG_STEP_REGISTER_SENT, run_elapsed_ms(run),
                          nta_outgoing_cseq(run->orq), 0, cleanup,
                          "%sexpires=%u%s", query ? "binding query, " : "", expires,
                          with_www || with_proxy ? " with credentials" : "");
  note_server(run, run->orq, false);
}

/* The verdict stands once the certificate of a TLS target is judged: the
 * run ends when the transport check of the current target is over. */
static void conclude(sipdiag_run_t *run)
{
  sipdiag_result_t *r = &run->result;
  struct run_target *hop = &run->hops[run->current_hop];
  if (run->result.n_targets && hop->protocol == TPPROTO_TLS && !hop->check_done && run->tcheck &&
      run->tcheck_hop == run->current_hop) {
    run->held = HELD_VERDICT;
    return;
  }
  unsigned code = sipdiag_certificate_verdict(r->code, hop->transport_code);
  if (code != r->code) {
    snprintf(run->detail, sizeof run->detail,
             "%s; the server answered SIP %u, but a terminal that verifies certificates "
             "cannot register here", r->transport_check, r->code);
    sipdiag_result_set_code(r, code);
  }
  run_finish(run);
}

void register_check_done(sipdiag_run_t *run)
{
  int held = run->held;
  run->held = HELD_NOTHING;
  if (run->phase != PHASE_REGISTERING && run->phase != PHASE_CLEANUP)
    return;
  if (held == HELD_REGISTER)
    register_send(run);   /* sends, or names the unverified certificate */
  else if (held == HELD_VERDICT)
    conclude(run);
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
    register_send(run);
    return;
  }
  conclude(run);
}

/* What a final rejection means beyond its class (RFC 3261 21.4). */
static void explain_final(sipdiag_run_t *run, unsigned code)
{
  const char *why = sipdiag_final_detail(code, run->credentials_sent);
  sipdiag_fault_t fault = sipdiag_fault_for_code(code);
  if (why)
    snprintf(run->detail, sizeof run->detail, "%s", why);
  else if (fault == SIPDIAG_FAULT_SERVER_ANOMALY || fault == SIPDIAG_FAULT_TERMINAL_ERROR ||
           fault == SIPDIAG_FAULT_SERVER_ERROR || fault == SIPDIAG_FAULT_GLOBAL_FAILURE)
    run->detail[0] = '\0';   /* these classes keep no detail of an earlier answer */
}

/* The binding query before was accepted with no binding listed, so a
 * refusal now is about storing a binding, not about the credentials. */
static void explain_refused_binding(sipdiag_run_t *run)
{
  char why[SIPDIAG_DIAGNOSIS_MAX];
  run_copy_string(why, sizeof why, run->detail);
  snprintf(run->detail, sizeof run->detail,
           "a binding query just before was accepted (%s, no binding listed), but the "
           "registrar refused to store a binding for the account%s%.300s",
           run->credentials_sent ? "account and password right" : "no credentials asked",
           why[0] ? "; " : "", why);
}

static sipdiag_answer_t answer_of(sipdiag_run_t *run, sip_t const *sip, int status, bool local)
{
  sipdiag_response_ctx_t ctx = response_ctx(run);
  sipdiag_answer_t a = sipdiag_response_classify(&ctx, sip, status, local);
  run->expires = ctx.expires;
  run->algorithm_unsupported = ctx.algorithm_unsupported;
  if (a.kind == SIPDIAG_ANSWER_CHALLENGE && run->no_password) {
    /* Nothing to answer with: the account is declared without password. */
    sipdiag_auth_clear(status == 407 ? &run->auth_proxy : &run->auth_www);
    run->algorithm_unsupported = false;
    a.answerable = false;
    snprintf(run->detail, sizeof run->detail,
             ": the server asks for credentials the account is declared not to have "
             "(no password: an IP-authenticated account); either the server does not "
             "recognise the terminal's address, or the account needs a password");
  } else if (a.kind == SIPDIAG_ANSWER_CHALLENGE) {
    const sipdiag_auth_t *auth = status == 407 ? &run->auth_proxy : &run->auth_www;
    a.remedied = status == 407 ? run->sent_proxy_credentials : run->sent_www_credentials;
    a.stale = a.answerable && sipdiag_auth_stale(auth);
  }
  else if (a.kind == SIPDIAG_ANSWER_TOO_BRIEF)
    a.remedied = run->expires_raised;
  return a;
}

/* RFC 3263 4.3 / RFC 3261 21.5.4: a 503 from one target sends the request
 * to the next one not yet tried; -1 when none is left. */
static int next_untried_target(const sipdiag_run_t *run)
{
  const sipdiag_result_t *r = &run->result;
  for (unsigned i = 1; i <= r->n_targets; i++) {
    unsigned hop = (run->current_hop + i) % r->n_targets;
    if (!r->targets[hop].tried)
      return (int)hop;
  }
  return -1;
}

/* A status outside 100-999 is not SIP, and a server answering more than
 * SIPDIAG_MAX_RESPONSES times in one run is flooding: either ends the run
 * at once (the flood would otherwise keep the loop busy past the timer). */
static bool malformed_or_flood(sipdiag_run_t *run, uint32_t cseq, int status, const char *phrase)
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
    sipdiag_result_add_step(r, SIPDIAG_STEP_RESPONSE, run_elapsed_ms(run), cseq, 0,
                            run->phase == PHASE_CLEANUP, "status %d: not SIP", status);
    code = SIPDIAG_CODE_MALFORMED;
  }
  if (!code)
    return false;
  if (run->phase == PHASE_CLEANUP) {   /* the verdict (2xx) stands */
    run_finish(run);
    return true;
  }
  r->sip_status = 0;   /* the MIB's range is 0..999: keep only SIP codes */
  run_copy_string(r->sip_reason, sizeof r->sip_reason, phrase);
  run_verdict(run, code);
  return true;
}

/* A response that lacks what RFC 3261 requires of it: a 401 without
 * WWW-Authenticate (21.4.2) or a 407 without Proxy-Authenticate (21.4.8)
 * is no challenge, and a 2xx without any Contact did not store the
 * binding (10.3 step 8).  0 when the response is whole. */
static unsigned incomplete_answer(sipdiag_run_t *run, sip_t const *sip, int status)
{
  if (status == 401 && !sip->sip_www_authenticate) {
    run_copy_string(run->detail, sizeof run->detail,
                    "it answered 401 without the WWW-Authenticate challenge RFC 3261 requires, "
                    "so there was nothing to authenticate against");
    return SIPDIAG_CODE_INCOMPLETE_RESPONSE;
  }
  if (status == 407 && !sip->sip_proxy_authenticate) {
    run_copy_string(run->detail, sizeof run->detail,
                    "it answered 407 without the Proxy-Authenticate challenge RFC 3261 requires, "
                    "so there was nothing to authenticate against");
    return SIPDIAG_CODE_INCOMPLETE_RESPONSE;
  }
  if (status >= 200 && status < 300 && run->adding_binding && !sip->sip_contact) {
    snprintf(run->detail, sizeof run->detail,
             "it answered %d but listed no Contact: the registrar did not store the binding "
             "(RFC 3261 10.3), so the terminal is not registered", status);
    return SIPDIAG_CODE_BINDING_NOT_STORED;
  }
  return 0;
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
  if (!local && malformed_or_flood(run, cseq, status, phrase))
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
    run_copy_string(r->sip_reason, sizeof r->sip_reason, phrase);
  }
  if (status < 200) {
    if (!local) {
      sipdiag_result_add_step(r, SIPDIAG_STEP_RESPONSE, run_elapsed_ms(run), cseq, status,
                              cleanup, "%.60s", phrase);
      if (!cleanup)
        snprintf(run->detail, sizeof run->detail, "only %d %.40s was received", status, phrase);
    }
    return 0;
  }

  sipdiag_result_add_step(r, local ? SIPDIAG_STEP_LOCAL_RESPONSE : SIPDIAG_STEP_RESPONSE,
                          run_elapsed_ms(run), cseq, status, cleanup, "%.60s%s", phrase,
                          local ? (status == 408 ? " (no final answer in time)"
                                                 : " (generated locally)") : "");
  /* The transaction is over; it is destroyed last, since sip lives in it. */
  run->orq = NULL;
  if (cleanup) {
    on_cleanup_answer(run, sip, status, local);
    nta_outgoing_destroy(orq);
    return 0;
  }
  if (local && evidence_local_failure(run, orq)) {
    nta_outgoing_destroy(orq);
    return 0;
  }
  if (!local)
    run->last_final_status = status;

  if (!local && status == 503) {   /* RFC 3261 21.5.4: try the next target */
    int next = next_untried_target(run);
    if (next >= 0 && r->registers_sent < SIPDIAG_MAX_REGISTERS) {
      run->current_hop = (unsigned)next;
      register_send(run);
      nta_outgoing_destroy(orq);
      return 0;
    }
  }

  unsigned incomplete = local ? 0 : incomplete_answer(run, sip, status);
  if (incomplete) {
    run_verdict(run, incomplete);
    nta_outgoing_destroy(orq);
    return 0;
  }

  sipdiag_answer_t answer = answer_of(run, sip, status, local);
  sipdiag_decision_t d = sipdiag_judge(&run->tally, &answer, run->settings.attempts,
                                       r->registers_sent);
  switch (d.next) {
  case SIPDIAG_NEXT_RESEND:
    evidence_start_pings(run);  /* pings may run while the attempts go on */
    if (r->n_targets > 1)       /* RFC 3263: a silent target yields to the next */
      run->current_hop = (run->current_hop + 1) % r->n_targets;
    register_send(run);
    break;
  case SIPDIAG_NEXT_RESEND_WITH_CREDENTIALS:
    register_send(run);
    break;
  case SIPDIAG_NEXT_RESEND_WITH_MIN_EXPIRES:
    run->expires_raised = true;
    register_send(run);
    break;
  case SIPDIAG_NEXT_SILENCE_VERDICT:
    run->silence_exhausted = true;
    evidence_start_pings(run);
    evidence_check_silence(run);
    break;
  case SIPDIAG_NEXT_VERDICT:
    if (answer.kind == SIPDIAG_ANSWER_CHALLENGE && run->algorithm_unsupported)
      d.code = SIPDIAG_CODE_AUTH_ALGORITHM;
    if (d.code >= 200 && d.code < 300 && !run->adding_binding &&
        after_query(run, sip, status))
      break;
    sipdiag_result_set_code(r, d.code);
    explain_final(run, d.code);
    if (run->adding_binding) {
      sipdiag_fault_t fault = sipdiag_fault_for_code(d.code);
      if (fault == SIPDIAG_FAULT_SERVER_ANOMALY || fault == SIPDIAG_FAULT_TERMINAL_ERROR ||
          fault == SIPDIAG_FAULT_SERVER_ERROR || fault == SIPDIAG_FAULT_GLOBAL_FAILURE)
        explain_refused_binding(run);
    }
    if (d.code >= 200 && d.code < 300 && !run->adding_binding) {
      run_finish(run);              /* registered elsewhere: nothing added */
    } else if (d.code >= 200 && d.code < 300) {
      run->phase = PHASE_CLEANUP;   /* leave no trace: remove our binding */
      run->detail[0] = '\0';
      register_send(run);
    } else {
      conclude(run);
    }
    break;
  }
  nta_outgoing_destroy(orq);
  return 0;
}

/* Responses to finished transactions never reach on_response, yet sofia
 * parses each of them (and over TCP at a cost that grows with the backlog):
 * a server flooding them would outlast the timer.  The stack's own count of
 * received responses catches that flood too; the watch repeats for the
 * whole run (su_timer_run). */
static void on_watch(su_root_magic_t *magic, su_timer_t *t, sipdiag_run_t *run)
{
  (void)magic;
  (void)t;
  usize_t received = 0;
  if (run->phase != PHASE_REGISTERING && run->phase != PHASE_CLEANUP)
    return;
  nta_agent_get_stats(run->agent, NTATAG_S_RECV_RESPONSE_REF(received), TAG_END());
  if (received > 2 * SIPDIAG_MAX_RESPONSES) {
    run->responses = SIPDIAG_MAX_RESPONSES;   /* the check below reports it */
    malformed_or_flood(run, 0, 100, "flood");
  }
}

void register_start_watch(sipdiag_run_t *run)
{
  run->watch_timer = su_timer_create(su_root_task(run->engine->root), SIPDIAG_WATCH_INTERVAL_MS);
  if (run->watch_timer)
    su_timer_run(run->watch_timer, on_watch, run);
}
