/*
 * account.c - the configuration check (patent step S12) and the settings.
 *
 * Pure functions: no network, no allocation.  The check names every missing
 * or malformed field so the operator can fix them all in one go.
 */
#include "config.h"       /* first: a 64-bit off_t on 32-bit builds */
#include "sipdiag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/url.h>

void sipdiag_settings_default(sipdiag_settings_t *s)
{
  s->timer_s = SIPDIAG_DEFAULT_TIMER_S;
  s->attempts = SIPDIAG_DEFAULT_ATTEMPTS;
  s->attempt_timeout_ms = SIPDIAG_DEFAULT_ATTEMPT_TIMEOUT_MS;
  s->pings = SIPDIAG_DEFAULT_PINGS;
  s->ping_interval_ms = SIPDIAG_DEFAULT_PING_INTERVAL_MS;
  s->ping_wait_ms = SIPDIAG_DEFAULT_PING_WAIT_MS;
  s->capture = true;
  s->capture_dir[0] = '\0';
  s->ca_file[0] = '\0';
  s->ca_dir[0] = '\0';
}

uint64_t sipdiag_settings_needed_ms(const sipdiag_settings_t *s)
{
  return (uint64_t)s->attempts * s->attempt_timeout_ms +
         (uint64_t)(s->pings > 0 ? s->pings - 1 : 0) * s->ping_interval_ms + s->ping_wait_ms;
}

const char *sipdiag_settings_check(const sipdiag_settings_t *s)
{
  if (s->timer_s < SIPDIAG_TIMER_MIN_S || s->timer_s > SIPDIAG_TIMER_MAX_S)
    return "timer out of range";
  if (s->attempts < SIPDIAG_ATTEMPTS_MIN || s->attempts > SIPDIAG_ATTEMPTS_MAX)
    return "attempts out of range";
  if (s->attempt_timeout_ms < SIPDIAG_ATTEMPT_TIMEOUT_MIN_MS ||
      s->attempt_timeout_ms > SIPDIAG_ATTEMPT_TIMEOUT_MAX_MS)
    return "attempt timeout out of range";
  if (s->pings < SIPDIAG_PINGS_MIN || s->pings > SIPDIAG_PINGS_MAX)
    return "pings out of range";
  if (s->ping_interval_ms < 10 || s->ping_interval_ms > 10000 ||
      s->ping_wait_ms < 10 || s->ping_wait_ms > 10000)
    return "ping interval or wait out of range";
  /* A verdict never claims what was not measured: the timer must leave
   * room for every attempt to time out and every ping to be waited for. */
  if ((uint64_t)s->timer_s * 1000 < sipdiag_settings_needed_ms(s))
    return "timer too short: it must cover attempts x attempt timeout + the pings";
  return NULL;
}

/* Accumulates "field: problem; field: problem" into a bounded buffer. */
struct problem_list {
  char *text;
  size_t size;
  unsigned count;
};

static void add_problem(struct problem_list *list, const char *field,
                        const char *fmt, ...)
{
  size_t used = strlen(list->text);
  list->count++;
  if (used + 1 >= list->size)
    return;
  int n = snprintf(list->text + used, list->size - used, "%s%s ",
                   used ? "; " : "", field);
  if (n < 0 || (size_t)n >= list->size - used)
    return;
  used += (size_t)n;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(list->text + used, list->size - used, fmt, ap);
  va_end(ap);
}

static bool is_set(const char *s) { return s && *s; }

static bool has_control_chars(const char *s)
{
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || *s == 0x7f)
      return true;
  return false;
}

/* Checks a sip:/sips: URI.  need_user: the AOR needs one, the registrar
 * and the proxy must not have one.  Returns false after adding a problem. */
static bool check_sip_uri(struct problem_list *list, const char *field,
                          const char *value, int need_user)
{
  char copy[SIPDIAG_URI_MAX];
  url_t url[1];

  if (strlen(value) >= sizeof copy) {
    add_problem(list, field, "is longer than %d characters", SIPDIAG_URI_MAX - 1);
    return false;
  }
  if (has_control_chars(value) || strchr(value, ' ') || strchr(value, '<')) {
    add_problem(list, field, "contains spaces, '<' or control characters");
    return false;
  }
  if (strncasecmp(value, "sip:", 4) && strncasecmp(value, "sips:", 5)) {
    add_problem(list, field, "is not a sip: or sips: URI");
    return false;
  }
  strcpy(copy, value);
  if (url_d(url, copy) < 0 || !url->url_host || !*url->url_host) {
    add_problem(list, field, "is not a valid SIP URI");
    return false;
  }
  if (need_user > 0 && (!url->url_user || !*url->url_user)) {
    add_problem(list, field, "has no user part (expected sip:user@domain)");
    return false;
  }
  if (need_user < 0 && url->url_user) {
    add_problem(list, field, "must not have a user part");
    return false;
  }
  return true;
}

unsigned sipdiag_account_check(const sipdiag_account_t *a,
                               char *problems, size_t problems_size)
{
  static char scratch[1];
  struct problem_list list = { problems, problems_size, 0 };
  if (!problems || !problems_size) {
    list.text = scratch;
    list.size = sizeof scratch;
  }
  list.text[0] = '\0';

  bool secure_registrar = false;
  if (!is_set(a->registrar))
    add_problem(&list, "registrar", "is missing");
  else if (check_sip_uri(&list, "registrar", a->registrar, -1))
    secure_registrar = strncasecmp(a->registrar, "sips:", 5) == 0;

  if (!is_set(a->aor))
    add_problem(&list, "aor", "is missing");
  else
    check_sip_uri(&list, "aor", a->aor, 1);

  if (is_set(a->auth_user)) {
    if (strlen(a->auth_user) >= SIPDIAG_USER_MAX)
      add_problem(&list, "auth user", "is longer than %d characters",
                  SIPDIAG_USER_MAX - 1);
    else if (has_control_chars(a->auth_user) || strchr(a->auth_user, '"'))
      add_problem(&list, "auth user", "contains '\"' or control characters");
  }

  if (a->no_password) {
    if (is_set(a->password))
      add_problem(&list, "password", "is set although the account is declared without one");
  } else if (!is_set(a->password))
    add_problem(&list, "password", "is missing");
  else if (strlen(a->password) >= SIPDIAG_PASSWORD_MAX)
    add_problem(&list, "password", "is longer than %d characters",
                SIPDIAG_PASSWORD_MAX - 1);

  if (is_set(a->outbound_proxy))
    check_sip_uri(&list, "outbound proxy", a->outbound_proxy, -1);

  if (a->transport < SIPDIAG_TRANSPORT_AUTO || a->transport > SIPDIAG_TRANSPORT_TLS)
    add_problem(&list, "transport", "is not one of auto, udp, tcp, tls");
  else if (secure_registrar && (a->transport == SIPDIAG_TRANSPORT_UDP ||
                                a->transport == SIPDIAG_TRANSPORT_TCP))
    add_problem(&list, "transport", "%s cannot reach a sips: registrar",
                sipdiag_transport_name(a->transport));

  if (a->expires == 0)
    add_problem(&list, "expires", "must be greater than 0");
  else if (a->expires > SIPDIAG_EXPIRES_MAX_S)
    add_problem(&list, "expires", "must not exceed %d", SIPDIAG_EXPIRES_MAX_S);

  return list.count;
}
