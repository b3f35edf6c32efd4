/*
 * evidence.c - what the network says besides SIP: ICMP echo, ICMP errors
 * about our packets, the socket errors our REGISTERs met, our own TCP/TLS
 * connection test, and the packet capture.
 *
 * Only our own sockets decide: the ICMP type and code come from the error
 * queue of the UDP check's socket (udp_check.h), which needs no privilege.
 * The capture records packets and may name an ICMP error in the result's
 * text, but never sets a finding, so --no-capture, a missing CAP_NET_RAW
 * or no free capture slot changes no verdict.
 *
 * Findings are kept per RFC 3263 target: what one target showed never
 * decides the verdict about another.  What they mean is decided by the
 * pure functions of verdict.h.
 */
#include "config.h"
#include "run.h"
#include "result.h"
#include "syserr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sofia-sip/msg_addr.h>
#include <sofia-sip/url.h>

static struct run_target *current_target(sipdiag_run_t *run)
{
  return &run->hops[run->current_hop];
}

sipdiag_evidence_t evidence_gathered(sipdiag_run_t *run)
{
  const struct run_target *hop = current_target(run);
  sipdiag_evidence_t e = {
    .transport_code = hop->transport_code,
    .icmp_class = hop->icmp_class,
    /* our own check of this target (UDP or TCP/TLS) has yet to report */
    .icmp_check_pending = (run->ucheck && run->ucheck_hop == run->current_hop) ||
                          (run->tcheck && run->tcheck_hop == run->current_hop),
    .socket_error = hop->socket_error,
    .pings_done = run->pings_done,
    .ping_unavailable = run->ping_unavailable,
    .ping_error = run->ping_errno,
    .pings_sent = run->result.pings_sent,
    .pings_received = run->result.pings_received,
  };
  if (run->result.n_targets == 0)
    memset(&e, 0, sizeof e);
  return e;
}

/* The detail sentence for a code the evidence named. */
static void describe_cause(sipdiag_run_t *run, unsigned code)
{
  sipdiag_result_t *r = &run->result;
  const struct run_target *hop = current_target(run);
  const char *what = hop->icmp_text[0] ? hop->icmp_text : NULL;
  char from_socket[SIPDIAG_STEP_INFO_MAX];
  if (hop->transport_code) {
    snprintf(run->detail, sizeof run->detail, "%s", r->transport_check);
    return;
  }
  if (!what || !sipdiag_icmp_code(hop->icmp_class)) {
    snprintf(from_socket, sizeof from_socket, "the REGISTER met \"%s\"",
             strerror(hop->socket_error));
    what = from_socket;
  }
  switch (code) {
  case SIPDIAG_CODE_PORT_UNREACHABLE:
    snprintf(run->detail, sizeof run->detail,
             "%.150s: the host is up but refuses %s port %u (nothing listens there, or a firewall rejects it)",
             what, sipdiag_transport_name(r->server_transport), r->server_port);
    break;
  case SIPDIAG_CODE_NET_UNREACHABLE:
    snprintf(run->detail, sizeof run->detail, "%s: no route to the server's network", what);
    break;
  case SIPDIAG_CODE_HOST_UNREACHABLE:
    snprintf(run->detail, sizeof run->detail, "%s: the server's host does not answer on its network",
             what);
    break;
  case SIPDIAG_CODE_ADMIN_PROHIBITED:
    snprintf(run->detail, sizeof run->detail, "%s", what);
    break;
  default:
    break;
  }
}

static void verdict_from_evidence(sipdiag_run_t *run, unsigned code)
{
  char why[SIPDIAG_SYSERR_TEXT_MAX];
  if (code == SIPDIAG_CODE_PING_UNAVAILABLE)
    run_copy_string(run->detail, sizeof run->detail,
                    "ICMP echo is not permitted to this process, so the network could not be checked");
  else if (code == SIPDIAG_CODE_INTERNAL_ERROR && run->ping_unavailable)
    snprintf(run->detail, sizeof run->detail,
             "no ICMP socket could be opened to check the network: %s",
             sipdiag_syserr_text(run->ping_errno, why, sizeof why));
  else if (code != SIPDIAG_CODE_SERVER_NO_RESPONSE && code != SIPDIAG_CODE_NETWORK_UNREACHABLE)
    describe_cause(run, code);
  run_verdict(run, code);
}

void evidence_check_silence(sipdiag_run_t *run)
{
  if (!run->silence_exhausted || run->phase != PHASE_REGISTERING)
    return;
  sipdiag_evidence_t e = evidence_gathered(run);
  unsigned code = sipdiag_silence_verdict(&e);
  if (code)
    verdict_from_evidence(run, code);
}

/* An error that names an unreachable net, host or port, or a prohibition,
 * about our own REGISTER is solid evidence: the verdict comes at once, once
 * no other target is left to try.  Waiting for the other attempts gains
 * nothing and loses seconds: routers rate-limit ICMP, so the next attempts
 * may meet only silence. */
static bool verdict_on_named_cause(sipdiag_run_t *run)
{
  if (run->phase != PHASE_REGISTERING || !targets_all_tried(run))
    return false;
  sipdiag_evidence_t e = evidence_gathered(run);
  unsigned code = sipdiag_evidence_code(&e);
  if (!code)
    return false;
  verdict_from_evidence(run, code);
  return true;
}

bool evidence_local_failure(sipdiag_run_t *run, nta_outgoing_t *orq)
{
  msg_t *request = nta_outgoing_getrequest(orq);
  int error = request ? msg_errno(request) : 0;
  if (request)
    msg_destroy(request);
  if (!error || run->phase != PHASE_REGISTERING)
    return false;
  current_target(run)->socket_error = error;
  if (verdict_on_named_cause(run))
    return true;
  /* The errno names a cause but our own check of this target still runs:
   * its keep-alive left before the REGISTER, so the ICMP type and code are
   * due any moment and tell apart what the errno merges.  Hold the run for
   * them (the check ends the wait, bounded by its timeout) rather than
   * send again; with the check over the errno alone still gives a code. */
  sipdiag_evidence_t e = evidence_gathered(run);
  if (!e.icmp_check_pending || !sipdiag_errno_code(error))
    return false;
  sipdiag_udp_check_hurry(run->ucheck, SIPDIAG_UDP_CHECK_GRACE_MS);
  return targets_all_tried(run);
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
    sipdiag_result_add_step(r, SIPDIAG_STEP_PING_SENT, run_elapsed_ms(run), 0, (int)seq,
                            false, "echo request to %s", r->server_address);
    break;
  case SIPDIAG_PING_REPLY:
    r->pings_received++;
    sipdiag_result_add_step(r, SIPDIAG_STEP_PING_REPLY, run_elapsed_ms(run), 0, (int)seq,
                            false, "echo reply after %u ms", rtt_ms);
    break;
  case SIPDIAG_PING_ERROR:
    if (seq > 0) {
      r->pings_sent++;
    } else {
      run->ping_unavailable = true;
      run->ping_errno = sipdiag_pinger_error(run->pinger);
    }
    sipdiag_result_add_step(r, SIPDIAG_STEP_PING_ERROR, run_elapsed_ms(run), 0, (int)seq,
                            false, "%s", info);
    break;
  case SIPDIAG_PING_DONE:
    run->pings_done = true;
    break;
  }
  evidence_check_silence(run);
}

/* Pings go to the target the verdict is about: the one of the last silent
 * attempt.  Pings started for another target (the attempts went on to the
 * next one) are stopped and their count forgotten. */
void evidence_start_pings(sipdiag_run_t *run)
{
  sipdiag_result_t *r = &run->result;
  if (run->pings_started && run->ping_hop == run->current_hop)
    return;
  if (run->pings_started) {
    sipdiag_pinger_stop(run->pinger);
    run->pinger = NULL;
    r->pings_sent = r->pings_received = 0;
    run->pings_done = run->ping_unavailable = false;
  }
  run->pings_started = true;
  run->ping_hop = run->current_hop;
  if (r->n_targets == 0) {
    sipdiag_result_add_step(r, SIPDIAG_STEP_PING_ERROR, run_elapsed_ms(run),
                            0, 0, false, "no server address to ping: %s was never resolved",
                            run->registrar);
    run_copy_string(run->detail, sizeof run->detail, "the registrar's address could not be resolved");
    run->pings_done = true;
    return;
  }
  const struct run_target *hop = current_target(run);
  run->pinger = sipdiag_pinger_start(run->engine->root, &hop->address.su_sa,
                                     hop->address_len, run->settings.pings,
                                     run->settings.ping_interval_ms,
                                     run->settings.ping_wait_ms, on_ping, run);
  if (!run->pinger) {
    run->ping_unavailable = true;
    run->ping_errno = errno ? errno : ENOMEM;   /* start fails on memory only */
    run->pings_done = true;
  } else if (run->capture) {
    int ident = sipdiag_pinger_ident(run->pinger);
    if (ident >= 0)
      sipdiag_capture_set_echo_id(run->capture, ident, NULL, 0);
  }
}

/* ---- ICMP errors seen by the capture: evidence only --------------------- */

/* Recorded (a step, and the result's text when our own check named none),
 * never judged: what pcap sees depends on privilege and a free slot. */
static void on_icmp(void *context, const sipdiag_icmp_info_t *info)
{
  sipdiag_run_t *run = context;
  sipdiag_result_t *r = &run->result;
  if (info->status != SIPDIAG_ICMP_ERROR_OURS)
    return;
  if (!r->icmp_error[0])
    run_copy_string(r->icmp_error, sizeof r->icmp_error, info->text);
  sipdiag_result_add_step(r, SIPDIAG_STEP_ICMP_ERROR, run_elapsed_ms(run), 0,
                          info->type * 256 + info->code, run->phase == PHASE_CLEANUP,
                          "%s (captured)", info->text);
}

/* ---- UDP: our own path check, the ICMP error from its error queue ------- */

static void on_udp_check(void *context, const sipdiag_udp_outcome_t *o)
{
  sipdiag_run_t *run = context;
  sipdiag_result_t *r = &run->result;
  unsigned hop_index = run->ucheck_hop;
  sipdiag_udp_check_stop(run->ucheck);   /* allowed from its callback */
  run->ucheck = NULL;
  if (run->phase == PHASE_FINISHING || hop_index >= SIPDIAG_MAX_TARGETS)
    return;
  struct run_target *hop = &run->hops[hop_index];
  if (o->icmp.status == SIPDIAG_ICMP_ERROR_OURS) {
    hop->icmp_class = o->icmp.klass;
    run_copy_string(hop->icmp_text, sizeof hop->icmp_text, o->icmp.text);
    run_copy_string(r->icmp_error, sizeof r->icmp_error, o->icmp.text);
    sipdiag_result_add_step(r, SIPDIAG_STEP_ICMP_ERROR, run_elapsed_ms(run), 0,
                            o->icmp.type * 256 + o->icmp.code, run->phase == PHASE_CLEANUP,
                            "%s", o->icmp.text);
  } else if (o->local && !o->unavailable && !hop->socket_error) {
    hop->socket_error = o->error;   /* connect/send failed: no route... */
  }
  if (!verdict_on_named_cause(run))
    evidence_check_silence(run);
}

/* Runs once per UDP target, beside the first REGISTER to it: sofia reads
 * its own socket's error queue and leaves us an errno, which merges ICMP
 * codes; this check's socket reads the type and code themselves. */
static void start_udp_check(sipdiag_run_t *run)
{
  struct run_target *hop = current_target(run);
  if (hop->protocol != TPPROTO_UDP || hop->checked)
    return;
  if (run->ucheck) {   /* the attempts moved on: that target is left */
    sipdiag_udp_check_stop(run->ucheck);
    run->ucheck = NULL;
  }
  hop->checked = true;
  run->ucheck_hop = run->current_hop;
  run->ucheck = sipdiag_udp_check_start(run->engine->root, &hop->address.su_sa,
                                        hop->address_len, run->settings.attempt_timeout_ms,
                                        on_udp_check, run);
}

/* ---- TCP and TLS: our own connection test ------------------------------- */

static void on_transport_check(void *context, const sipdiag_transport_outcome_t *o)
{
  sipdiag_run_t *run = context;
  sipdiag_result_t *r = &run->result;
  sipdiag_transport_check_stop(run->tcheck);   /* allowed from its callback */
  run->tcheck = NULL;
  if (run->phase == PHASE_FINISHING)
    return;
  sipdiag_result_add_step(r, SIPDIAG_STEP_TRANSPORT_CHECK, run_elapsed_ms(run), 0, 0, false,
                          "%s %s %s in %u ms", o->tls ? "TLS" : "TCP", o->server,
                          sipdiag_tc_result_name(o->result), o->elapsed_ms);
  run_copy_string(r->transport_check, sizeof r->transport_check, o->text);
  struct run_target *hop = &run->hops[run->tcheck_hop];
  hop->transport_code = sipdiag_transport_check_code(o->result, o->icmp_class, o->error);
  if (o->icmp_class != SIPDIAG_ICMP_CLASS_NONE) {   /* from its own socket */
    hop->icmp_class = o->icmp_class;
    run_copy_string(hop->icmp_text, sizeof hop->icmp_text, o->icmp_text);
    run_copy_string(r->icmp_error, sizeof r->icmp_error, o->icmp_text);
  }
  hop->check_done = true;
  hop->tls_verified = o->tls && o->verified;
  /* A rejected certificate is the verdict at once: nothing a REGISTER
   * could still show changes it (sofia's own TLS refuses the peer too). */
  unsigned code = run->tcheck_hop == run->current_hop && run->phase == PHASE_REGISTERING
                  ? sipdiag_certificate_verdict(0, hop->transport_code) : 0;
  if (code) {
    verdict_from_evidence(run, code);
    return;
  }
  /* sofia's REGISTER already failed and waited for this check */
  if (hop->socket_error && verdict_on_named_cause(run))
    return;
  register_check_done(run);
  evidence_check_silence(run);
}

/* Runs once per connection-oriented target, beside the REGISTER sofia
 * sends (so it costs no time): sofia folds refused connections, TLS and
 * certificate failures into one local 503; this check names them. */
void evidence_check_transport(sipdiag_run_t *run)
{
  struct run_target *hop = current_target(run);
  if (hop->protocol == TPPROTO_UDP || run->tcheck || hop->checked)
    return;
  hop->checked = true;
  run->tcheck_hop = run->current_hop;
  /* The name the certificate must carry: the first hop's host (RFC 5922). */
  url_t *first = url_make(run->home, run->first_hop);
  run->tcheck = sipdiag_transport_check_start(run->engine->root, &hop->address.su_sa,
                                              hop->address_len,
                                              hop->protocol == TPPROTO_TLS,
                                              first ? first->url_host : NULL,
                                              run->settings.ca_file, run->settings.ca_dir, true,
                                              run->settings.attempt_timeout_ms,
                                              on_transport_check, run);
}

/* ---- the packet capture ------------------------------------------------- */

void evidence_before_register(sipdiag_run_t *run, bool cleanup)
{
  struct run_target *hop = current_target(run);
  bool connects = run->capture && hop->protocol != TPPROTO_UDP;
  if (run->capture)   /* before sending: a new hop changes the filter */
    sipdiag_capture_set_server(run->capture, &hop->address.su_sa, NULL, 0);
  if (connects)
    sipdiag_capture_mark_sockets(run->capture);
  if (!cleanup && run->current_hop < run->result.n_targets) {
    run->result.targets[run->current_hop].tried = true;
    start_udp_check(run);   /* before sofia sends: its ICMP error comes first */
    evidence_check_transport(run);
  }
}

void evidence_after_register(sipdiag_run_t *run)
{
  if (run->capture && current_target(run)->protocol != TPPROTO_UDP)
    sipdiag_capture_follow_new_sockets(run->capture);   /* the check's and sofia's */
}

/* Packet evidence: a pcap file of this run's own packets (when a directory
 * is set) and, either way, ICMP errors about them. */
void evidence_start_capture(sipdiag_run_t *run)
{
  sipdiag_result_t *r = &run->result;
  sip_contact_t const *own = nta_agent_contact(run->agent);
  unsigned local_port = own && own->m_url->url_port ? (unsigned)atoi(own->m_url->url_port) : 0;
  char reason[SIPDIAG_CAPTURE_REASON_MAX] = "";

  if (!run->settings.capture) {
    run_copy_string(r->capture_note, sizeof r->capture_note, "capture disabled");
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
    run_copy_string(r->capture_note, sizeof r->capture_note, reason);
  }
}

void evidence_stop_capture(sipdiag_run_t *run)
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

void evidence_release(sipdiag_run_t *run)
{
  sipdiag_transport_check_stop(run->tcheck);
  run->tcheck = NULL;
  sipdiag_udp_check_stop(run->ucheck);
  run->ucheck = NULL;
  sipdiag_pinger_stop(run->pinger);
  run->pinger = NULL;
  evidence_stop_capture(run);
}
