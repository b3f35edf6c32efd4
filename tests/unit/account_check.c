/*
 * account_check.c - the configuration check names every missing or
 * malformed field, never copies the password out, and accepts a complete
 * account.
 */
#include "sipdiag.h"
#include "check.h"

static sipdiag_account_t complete_account(void)
{
  sipdiag_account_t a = {
    .registrar = "sip:registrar.example.net:5070",
    .aor = "sip:alice@example.net",
    .password = "s3cret-Pw",
    .transport = SIPDIAG_TRANSPORT_AUTO,
    .expires = 3600,
  };
  return a;
}

static void complete_account_passes(void)
{
  char problems[512];
  sipdiag_account_t a = complete_account();
  CHECK(sipdiag_account_check(&a, problems, sizeof problems) == 0, "problems: %s", problems);
  CHECK(problems[0] == '\0', "problems: %s", problems);

  a.registrar = "sips:registrar.example.net";
  a.transport = SIPDIAG_TRANSPORT_TLS;
  a.outbound_proxy = "sip:proxy.example.net;lr";
  a.auth_user = "alice-auth";
  CHECK(sipdiag_account_check(&a, problems, sizeof problems) == 0, "problems: %s", problems);
}

static void every_missing_field_is_named(void)
{
  char problems[512];
  sipdiag_account_t a = { .transport = SIPDIAG_TRANSPORT_AUTO, .expires = 0 };
  unsigned n = sipdiag_account_check(&a, problems, sizeof problems);
  CHECK(n == 4, "expected 4 problems, got %u: %s", n, problems);
  CHECK_CONTAINS(problems, "registrar is missing");
  CHECK_CONTAINS(problems, "aor is missing");
  CHECK_CONTAINS(problems, "password is missing");
  CHECK_CONTAINS(problems, "expires must be greater than 0");
}

static void malformed_fields_are_named(void)
{
  char problems[512];
  sipdiag_account_t a = complete_account();
  a.registrar = "http://registrar.example.net";
  CHECK(sipdiag_account_check(&a, problems, sizeof problems) == 1, "%s", problems);
  CHECK_CONTAINS(problems, "registrar is not a sip: or sips: URI");

  a = complete_account();
  a.aor = "sip:example.net";
  CHECK(sipdiag_account_check(&a, problems, sizeof problems) == 1, "%s", problems);
  CHECK_CONTAINS(problems, "aor has no user part");

  a = complete_account();
  a.registrar = "sip:bob@registrar.example.net";
  CHECK(sipdiag_account_check(&a, problems, sizeof problems) == 1, "%s", problems);
  CHECK_CONTAINS(problems, "registrar must not have a user part");

  a = complete_account();
  a.aor = "sip:alice@example.net\r\nX-Injected: 1";
  CHECK(sipdiag_account_check(&a, problems, sizeof problems) == 1, "%s", problems);
  CHECK_CONTAINS(problems, "aor contains spaces");

  a = complete_account();
  a.transport = (sipdiag_transport_t)7;
  CHECK(sipdiag_account_check(&a, problems, sizeof problems) == 1, "%s", problems);
  CHECK_CONTAINS(problems, "transport is not one of");

  a = complete_account();
  a.registrar = "sips:registrar.example.net";
  a.transport = SIPDIAG_TRANSPORT_UDP;
  CHECK(sipdiag_account_check(&a, problems, sizeof problems) == 1, "%s", problems);
  CHECK_CONTAINS(problems, "transport udp cannot reach a sips: registrar");

  a = complete_account();
  a.outbound_proxy = "proxy.example.net";
  CHECK(sipdiag_account_check(&a, problems, sizeof problems) == 1, "%s", problems);
  CHECK_CONTAINS(problems, "outbound proxy is not a sip: or sips: URI");

  a = complete_account();
  a.expires = SIPDIAG_EXPIRES_MAX_S + 1;
  CHECK(sipdiag_account_check(&a, problems, sizeof problems) == 1, "%s", problems);
  CHECK_CONTAINS(problems, "expires must not exceed");
}

static void overlong_values_are_named_not_truncated(void)
{
  char problems[512], longuri[SIPDIAG_URI_MAX + 10], longpw[SIPDIAG_PASSWORD_MAX + 1];
  memset(longuri, 'a', sizeof longuri);
  memcpy(longuri, "sip:", 4);
  longuri[sizeof longuri - 1] = '\0';
  memset(longpw, 'p', sizeof longpw);
  longpw[sizeof longpw - 1] = '\0';
  sipdiag_account_t a = complete_account();
  a.registrar = longuri;
  a.password = longpw;
  CHECK(sipdiag_account_check(&a, problems, sizeof problems) == 2, "%s", problems);
  CHECK_CONTAINS(problems, "registrar is longer than");
  CHECK_CONTAINS(problems, "password is longer than");
}

static void password_never_appears_in_problems(void)
{
  char problems[512];
  sipdiag_account_t a = complete_account();
  a.registrar = NULL;
  a.password = "TopSecretValue";
  sipdiag_account_check(&a, problems, sizeof problems);
  CHECK(strstr(problems, "TopSecretValue") == NULL, "password leaked: %s", problems);
}

static void small_buffers_are_safe(void)
{
  char problems[8];
  sipdiag_account_t a = { 0 };
  unsigned n = sipdiag_account_check(&a, problems, sizeof problems);
  CHECK(n >= 4, "count must not depend on the buffer: %u", n);
  CHECK(strlen(problems) < sizeof problems, "overflow");
  CHECK(sipdiag_account_check(&a, NULL, 0) == n, "NULL buffer");
}

static void settings_ranges(void)
{
  sipdiag_settings_t s;
  sipdiag_settings_default(&s);
  CHECK(sipdiag_settings_check(&s) == NULL, "defaults must be valid");
  CHECK(s.timer_s == 32 && s.attempts == 3 && s.pings == 3, "patent defaults");
  CHECK(s.attempts * s.attempt_timeout_ms + 1000 < s.timer_s * 1000,
        "silence must be diagnosed inside the timer");
  s.attempts = 0;
  CHECK(sipdiag_settings_check(&s) != NULL, "0 attempts accepted");
  sipdiag_settings_default(&s);
  s.pings = SIPDIAG_PINGS_MAX + 1;
  CHECK(sipdiag_settings_check(&s) != NULL, "too many pings accepted");
}

int main(void)
{
  complete_account_passes();
  every_missing_field_is_named();
  malformed_fields_are_named();
  overlong_values_are_named_not_truncated();
  password_never_appears_in_problems();
  small_buffers_are_safe();
  settings_ranges();
  return check_summary("account_check");
}
