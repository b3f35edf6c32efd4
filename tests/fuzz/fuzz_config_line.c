/*
 * fuzz_config_line.c - sipdiagd's configuration lines (agent/parse.c):
 *
 *   sipdiagAccount NAME key=value...       account_line_parse()
 *   sipDiagTimer N (and the other scalars) scalar_line_parse()
 *   sipdiagCapture yes|no                  capture_line_parse()
 *   sipdiagCaptureDir DIR|none             capture_dir_line_parse()
 *
 * Input: one line as it stands in sipdiagd.conf.  The first word picks the
 * parser as net-snmp's reader would (case-insensitively); any other first
 * word feeds the rest to every parser (and, since the store's lines of
 * issue 10 share its text readers, to saved_entry_parse(),
 * saved_stats_parse() and saved_run_parse()).  Checks beyond "no crash":
 * an accepted account has a valid name (sipDiagName: 1..32 octets of
 * UTF-8), transport, storage (permanent or readOnly) and schedule in the
 * MIB's ranges, every text column fits and is NUL-terminated, and the
 * configuration texts are UTF-8.
 */
#include "config.h"
#include "agent-snmp.h"
#include "config/parse.h"
#include "model/key.h"
#include "util/text.h"
#include "fuzz.h"

#include <strings.h>

static void check_text(const char *s, bool text)
{
  size_t len = strnlen(s, SIPDIAG_AGENT_TEXT_MAX + 1);
  if (len > SIPDIAG_AGENT_TEXT_MAX)
    abort();
  if (text && !utf8_valid((const unsigned char *)s, len))
    abort();
}

static void check_name(const char *name)
{
  size_t len = strnlen(name, SIPDIAG_AGENT_KEY_MAX + 1);
  if (len < 1 || len > SIPDIAG_AGENT_KEY_MAX ||
      !row_key_part_valid((const unsigned char *)name, len))
    abort();
}

static void check_schedule(const struct row_schedule *s)
{
  if (s->frequency_s > SIPDIAG_AGENT_FREQUENCY_MAX_S || (s->traps & ~(unsigned)TRAP_ALL) ||
      s->failure_threshold < 1 || s->failure_threshold > SIPDIAG_AGENT_FAILURE_THRESHOLD_MAX ||
      s->max_runs > SIPDIAG_AGENT_MAX_RUNS_MAX)
    abort();
}

static void account(const char *rest)
{
  struct account_line a;
  char msg[200];
  int err = account_line_parse(rest, &a, msg, sizeof msg);
  if (strnlen(msg, sizeof msg) >= sizeof msg)
    abort();
  if (err == ACCOUNT_LINE_OK) {
    check_name(a.name);
    if (a.cfg.transport < SIPDIAG_TRANSPORT_AUTO || a.cfg.transport > SIPDIAG_TRANSPORT_TLS)
      abort();
    if (a.storage != SD_ST_PERMANENT && a.storage != SD_ST_READONLY)
      abort();
    check_schedule(&a.sched);
    check_text(a.cfg.registrar, true);
    check_text(a.cfg.aor, true);
    check_text(a.cfg.auth_user, true);
    check_text(a.cfg.password, false);
    check_text(a.cfg.proxy, true);
    /* what the engine would then be given */
    sipdiag_account_t e = { a.cfg.registrar, a.cfg.aor, a.cfg.auth_user, a.cfg.password,
                            a.cfg.proxy, a.cfg.transport, a.cfg.expires, a.cfg.no_password };
    char problems[512];
    sipdiag_account_check(&e, problems, sizeof problems);
  } else if (err == ACCOUNT_LINE_BAD) {
    check_name(a.name);
    if (!msg[0])
      abort();
  } else if (err != ACCOUNT_LINE_BAD_NAME) {
    abort();
  }
  explicit_bzero(&a, sizeof a);
}

/* The store's lines of issue 10 (the texts are read by the same helpers
 * as the configuration's): accepted lines hold valid keys and values in
 * range; refused lines say why. */
static void store_lines(const char *rest)
{
  size_t n = strlen(rest);
  char *copy = malloc(n + 1), msg[160];
  if (!copy)
    return;
  memcpy(copy, rest, n + 1);
  struct saved_entry e;
  bool ok = saved_entry_parse(copy, &e, msg, sizeof msg);
  if (strnlen(msg, sizeof msg) >= sizeof msg || (!ok && !msg[0]))
    abort();
  if (ok) {
    check_name(e.key.name[0] ? e.key.name : "x");
    check_schedule(&e.sched);
    check_text(e.cfg.registrar, true);
    check_text(e.cfg.password, false);
  }
  explicit_bzero(&e, sizeof e);

  memcpy(copy, rest, n + 1);
  struct row_key key;
  struct row_stats st;
  ok = saved_stats_parse(copy, &key, &st, msg, sizeof msg);
  if (strnlen(msg, sizeof msg) >= sizeof msg || (!ok && !msg[0]))
    abort();

  memcpy(copy, rest, n + 1);
  struct run_record run;
  char diag[SIPDIAG_AGENT_TEXT_MAX + 1];
  ok = saved_run_parse(copy, &key, &run, diag, sizeof diag, msg, sizeof msg);
  if (strnlen(msg, sizeof msg) >= sizeof msg || (!ok && !msg[0]))
    abort();
  if (ok && (run.index < 1 || (run.addr_len != 0 && run.addr_len != 4 && run.addr_len != 16) ||
             strnlen(diag, sizeof diag) >= sizeof diag))
    abort();
  free(copy);
}

static const struct { const char *name; unsigned min, max; } scalar_tokens[] = {
  { "sipDiagTimer", SIPDIAG_TIMER_MIN_S, SIPDIAG_TIMER_MAX_S },
  { "sipDiagAttempts", SIPDIAG_ATTEMPTS_MIN, SIPDIAG_ATTEMPTS_MAX },
  { "sipDiagPings", SIPDIAG_PINGS_MIN, SIPDIAG_PINGS_MAX },
  { "sipDiagAttemptTimeout", SIPDIAG_ATTEMPT_TIMEOUT_MIN_MS, SIPDIAG_ATTEMPT_TIMEOUT_MAX_MS },
  { "sipDiagMaxConcurrent", SIPDIAG_AGENT_MAX_CONCURRENT_MIN, SIPDIAG_AGENT_MAX_CONCURRENT_MAX },
};

static void scalar(unsigned i, const char *rest)
{
  unsigned v = 0;
  if (scalar_line_parse(rest, scalar_tokens[i].min, scalar_tokens[i].max, &v) &&
      (v < scalar_tokens[i].min || v > scalar_tokens[i].max))
    abort();
}

static void capture(const char *token, const char *rest)
{
  char msg[128];
  bool on = true;
  if (!capture_line_parse(token, rest, &on, msg, sizeof msg) &&
      strnlen(msg, sizeof msg) >= sizeof msg)
    abort();
  bool none = false;
  char dir[CAPTURE_DIR_MAX + 1];
  memset(dir, 'x', sizeof dir);
  if (capture_dir_line_parse(token, rest, &none, dir, msg, sizeof msg)) {
    size_t len = strnlen(dir, sizeof dir);
    if (len >= sizeof dir)
      abort();
    if (!none && (dir[0] != '/' || (len > 1 && dir[len - 1] == '/')))
      abort();
    if (none && dir[0])
      abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  /* net-snmp hands a handler one line, without its newline, at most
   * STRINGMAX (1024) octets; sipdiagd's own limits must hold anyway. */
  if (size > 4096)
    return 0;
  char *line = fuzz_strndup(data, size);
  if (!line)
    return 0;
  char token[64];
  const char *rest = copy_nword_const(line, token, sizeof token);
  if (!rest)
    rest = "";
  size_t n_scalars = sizeof scalar_tokens / sizeof scalar_tokens[0];
  if (!strcasecmp(token, "sipdiagAccount")) {
    account(rest);
  } else if (!strcasecmp(token, "sipdiagCapture") || !strcasecmp(token, "sipdiagCaptureDir")) {
    capture(token, rest);
  } else {
    bool known = false;
    for (size_t i = 0; i < n_scalars; i++)
      if (!strcasecmp(token, scalar_tokens[i].name)) {
        scalar((unsigned)i, rest);
        known = true;
      }
    if (!known) {
      account(line);
      store_lines(line);
      capture("sipdiagCapture", line);
      for (size_t i = 0; i < n_scalars; i++)
        scalar((unsigned)i, line);
    }
  }
  free(line);
  return 0;
}
