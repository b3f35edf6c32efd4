/*
 * run.c - the lifecycle of one diagnosis: start, the self-diagnosis timer,
 * the verdict, teardown and cancel (see run.h for the other modules).
 *
 * Each run owns its own NTA agent (own sockets, own Call-ID, own timers), so
 * runs never disturb each other and destroying a run stops every packet it
 * would still send.  Every end of a run goes through run_finish(), which
 * defers the real teardown to a zero timer: sofia objects are never
 * destroyed from their own callbacks.
 */
#include "config.h"
#include "run.h"
#include "result.h"
#include "clock.h"
#include "tls_trust.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/url.h>

uint32_t run_elapsed_ms(const sipdiag_run_t *run)
{
  return sipdiag_ms_since(run->started);
}

void run_copy_string(char *dst, size_t size, const char *src)
{
  snprintf(dst, size, "%s", src ? src : "");
}

/* ---- teardown ------------------------------------------------------------ */

static void release(sipdiag_run_t *run)
{
  evidence_release(run);
  targets_release(run);
  if (run->orq)
    nta_outgoing_destroy(run->orq);
  run->orq = NULL;
  if (run->leg)
    nta_leg_destroy(run->leg);
  run->leg = NULL;
  if (run->agent)
    nta_agent_destroy(run->agent);
  run->agent = NULL;
  sipdiag_tls_trust_remove(run->tls_trust);
  run->tls_trust[0] = '\0';
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
  /* The capture drains its socket once more as it stops: what it decodes
   * there (an ICMP error that came with the verdict) is evidence for the
   * result, never a new verdict. */
  evidence_stop_capture(run);
  r->state = SIPDIAG_STATE_COMPLETE;
  sipdiag_result_describe(r, run->registrar, run->timer_expired, run->detail);

  sipdiag_done_f *done = run->done;
  void *context = run->context;
  release(run);
  if (done)
    done(context, r);
  su_home_unref(run->home);
}

void run_finish(sipdiag_run_t *run)
{
  if (run->phase == PHASE_FINISHING)
    return;
  run->phase = PHASE_FINISHING;
  run->result.end_ms = sipdiag_wall_clock_ms();
  run->result.duration_ms = run_elapsed_ms(run);
  su_timer_reset(run->self_timer);
  /* In immediate mode the capture socket holds every packet of the run by
   * now (it is drained once more when the capture stops); a buffered
   * capture hands over its last packets only after a timeout. */
  su_timer_set_interval(run->step_timer, complete, run,
                        run->capture && !SIPDIAG_CAPTURE_IMMEDIATE
                        ? 10 * SIPDIAG_CAPTURE_TIMEOUT_MS : 0);
}

void run_verdict(sipdiag_run_t *run, unsigned code)
{
  sipdiag_result_set_code(&run->result, code);
  run_finish(run);
}

/* ---- the self-diagnosis timer -------------------------------------------- */

static void on_self_timer(su_root_magic_t *magic, su_timer_t *t, sipdiag_run_t *run)
{
  (void)magic;
  (void)t;
  if (run->phase == PHASE_FINISHING)
    return;
  run->timer_expired = true;
  sipdiag_result_add_step(&run->result, SIPDIAG_STEP_TIMER_EXPIRED, run_elapsed_ms(run),
                          0, 0, run->phase == PHASE_CLEANUP,
                          "%u s self-diagnosis timer", run->settings.timer_s);
  if (run->phase == PHASE_CLEANUP) {  /* verdict known; removal unfinished */
    run_finish(run);
    return;
  }
  if (run->phase == PHASE_RESOLVING) {
    run_copy_string(run->detail, sizeof run->detail, "no DNS answer before the timer expired");
    run_verdict(run, SIPDIAG_CODE_DNS_NO_ANSWER);
    return;
  }
  sipdiag_evidence_t e = evidence_gathered(run);
  unsigned code = sipdiag_timer_verdict(run->last_final_status, &e);
  if (code == SIPDIAG_CODE_INTERNAL_ERROR)
    run_copy_string(run->detail, sizeof run->detail,
                    run->pings_started
                    ? "the timer expired before the pings were over, so the network was not checked"
                    : "the timer expired before any ping could be sent, so the network was not checked");
  run_verdict(run, code);
}

/* ---- starting ------------------------------------------------------------ */

static void begin(su_root_magic_t *magic, su_timer_t *t, sipdiag_run_t *run)
{
  (void)magic;
  (void)t;
  if (run->config_incomplete) {   /* the patent's S13: nothing is sent */
    run_verdict(run, SIPDIAG_CODE_CONFIG_INCOMPLETE);
    return;
  }

  url_t *aor = url_make(run->home, run->aor);
  if (!run->auth_user[0] && aor && aor->url_user)
    run_copy_string(run->auth_user, sizeof run->auth_user, aor->url_user);
  run->request_uri = url_make(run->home, run->registrar);
  if (run->request_uri) {
    char *text = url_as_string(run->home, run->request_uri);
    run_copy_string(run->request_uri_text, sizeof run->request_uri_text, text);
  }
  if (!run->request_uri) {
    run_copy_string(run->detail, sizeof run->detail, "the registrar URI could not be parsed");
    run_verdict(run, SIPDIAG_CODE_INTERNAL_ERROR);
    return;
  }
  su_timer_set_interval(run->self_timer, on_self_timer, run, run->settings.timer_s * 1000);
  targets_start_resolution(run);
}

sipdiag_engine_t *sipdiag_engine_create(su_root_t *root)
{
  sipdiag_engine_t *engine = calloc(1, sizeof *engine);
  if (!engine)
    return NULL;
  engine->root = root;
  srandom((unsigned)(sipdiag_wall_clock_ms() ^ (int64_t)(uintptr_t)engine));
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
  run_copy_string(run->registrar, sizeof run->registrar, account->registrar);
  run_copy_string(run->aor, sizeof run->aor, account->aor);
  run_copy_string(run->auth_user, sizeof run->auth_user, account->auth_user);
  run_copy_string(run->proxy, sizeof run->proxy, account->outbound_proxy);
  run_copy_string(run->password, sizeof run->password, account->password);
  run->no_password = account->no_password;
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
  r->bindings = -1;
  r->server_transport = SIPDIAG_TRANSPORT_AUTO;
  run_copy_string(r->account, sizeof r->account, run->aor);
  r->start_ms = sipdiag_wall_clock_ms();
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
  sipdiag_result_add_step(r, SIPDIAG_STEP_CANCELED, run_elapsed_ms(run), 0, 0,
                          run->phase == PHASE_CLEANUP, "canceled by the caller");
  release(run);
  if (partial) {
    *partial = *r;
    partial->state = SIPDIAG_STATE_CANCELED;
    partial->fault = SIPDIAG_FAULT_CANCELED;
    partial->code = SIPDIAG_CODE_NONE;
    partial->end_ms = sipdiag_wall_clock_ms();
    partial->duration_ms = run_elapsed_ms(run);
    sipdiag_result_describe(partial, run->registrar, false, "");
  }
  su_home_unref(run->home);
}
