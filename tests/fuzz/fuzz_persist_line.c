/*
 * fuzz_persist_line.c - the persistent store's lines (agent/parse.c):
 *
 *   _sipDiagRow INDEX STORAGE ROWSTATUS NOTIFY TRANSPORT EXPIRES
 *               REGISTRAR AOR AUTHUSER PASSWORD PROXY    saved_row_parse()
 *               (the old line, read once for the upgrade to owner "")
 *   _sipDiagEntry OWNER NAME STORAGE ROWSTATUS TRAPS FREQUENCY THRESHOLD
 *                 MAXRUNS TRANSPORT EXPIRES REGISTRAR AOR AUTHUSER
 *                 PASSWORD PROXY                         saved_entry_parse()
 *   _sipDiagStats OWNER NAME RUNS SUCC FAIL CONSEC LASTGOOD FAULTSINCE
 *                 LASTFAULT INFAILURE LASTRUNINDEX       saved_stats_parse()
 *   _sipDiagRun OWNER NAME INDEX START END DURATION CODE FAULT SIPSTATUS
 *               ATTEMPTS PORT TRIGGER ADDRHEX DIAG       saved_run_parse()
 *   _sipDiagScalar NAME VALUE                             saved_scalar_parse()
 *
 * Input: one line of the store (sipdiagd.store) or of net-snmp's
 * <persistentDir>/sipdiagd.conf.  The first word picks the reader; any
 * other word feeds the rest to all of them.  An old row that is
 * accepted must hold only what a SET could have written: index 1-65535,
 * nonVolatile, active or notInService, a TruthValue, transport 1-4, and
 * NUL-terminated texts of at most SIPDIAG_AGENT_TEXT_MAX octets; a new
 * entry the same with a valid owner/name key and the schedule columns in
 * the MIB's ranges; a run a run index from 1, a 0/4/16-octet address and a
 * trigger manager or schedule.  A refused line comes with a message; an
 * accepted one without.
 */
#include "config.h"
#include "agent-snmp.h"
#include "config/parse.h"
#include "model/key.h"
#include "fuzz.h"

#include <strings.h>

static void check_text(const char *s)
{
  if (strnlen(s, SIPDIAG_AGENT_TEXT_MAX + 1) > SIPDIAG_AGENT_TEXT_MAX)
    abort();
}

static void row(char *rest)
{
  struct saved_row r;
  char msg[160];
  bool ok = saved_row_parse(rest, &r, msg, sizeof msg);
  /* a refused line says why; an accepted one says nothing */
  if (strnlen(msg, sizeof msg) >= sizeof msg || (ok ? msg[0] != '\0' : msg[0] == '\0'))
    abort();
  if (ok) {
    if (r.index < 1 || r.index > 65535 || r.storage != SD_ST_NONVOLATILE ||
        (r.rowstatus != SD_RS_ACTIVE && r.rowstatus != SD_RS_NOT_IN_SERVICE) ||
        (r.notify != SD_TRUE && r.notify != SD_FALSE) ||
        r.cfg.transport < SIPDIAG_TRANSPORT_AUTO || r.cfg.transport > SIPDIAG_TRANSPORT_TLS)
      abort();
    check_text(r.cfg.registrar);
    check_text(r.cfg.aor);
    check_text(r.cfg.auth_user);
    check_text(r.cfg.password);
    check_text(r.cfg.proxy);
  }
  explicit_bzero(&r, sizeof r);
}

static void check_key(const struct row_key *k)
{
  size_t o = strnlen(k->owner, sizeof k->owner), n = strnlen(k->name, sizeof k->name);
  if (o > SIPDIAG_AGENT_KEY_MAX || n > SIPDIAG_AGENT_KEY_MAX ||
      !row_key_part_valid((const unsigned char *)k->owner, o) ||
      !row_key_part_valid((const unsigned char *)k->name, n))
    abort();
}

static void said_why(bool ok, const char *msg, size_t size)
{
  if (strnlen(msg, size) >= size || (ok ? msg[0] != '\0' : msg[0] == '\0'))
    abort();
}

static void entry(char *rest)
{
  struct saved_entry e;
  char msg[160];
  bool ok = saved_entry_parse(rest, &e, msg, sizeof msg);
  said_why(ok, msg, sizeof msg);
  if (ok) {
    check_key(&e.key);
    if (e.storage != SD_ST_NONVOLATILE ||
        (e.rowstatus != SD_RS_ACTIVE && e.rowstatus != SD_RS_NOT_IN_SERVICE) ||
        e.cfg.transport < SIPDIAG_TRANSPORT_AUTO || e.cfg.transport > SIPDIAG_TRANSPORT_TLS ||
        e.cfg.expires < 1 || (e.sched.traps & ~(unsigned)TRAP_ALL) ||
        e.sched.frequency_s > SIPDIAG_AGENT_FREQUENCY_MAX_S || e.sched.failure_threshold < 1 ||
        e.sched.failure_threshold > SIPDIAG_AGENT_FAILURE_THRESHOLD_MAX ||
        e.sched.max_runs > SIPDIAG_AGENT_MAX_RUNS_MAX)
      abort();
    check_text(e.cfg.registrar);
    check_text(e.cfg.aor);
    check_text(e.cfg.auth_user);
    check_text(e.cfg.password);
    check_text(e.cfg.proxy);
  }
  explicit_bzero(&e, sizeof e);
}

static void stats(char *rest)
{
  struct row_key key;
  struct row_stats st;
  char msg[160];
  bool ok = saved_stats_parse(rest, &key, &st, msg, sizeof msg);
  said_why(ok, msg, sizeof msg);
  if (ok)
    check_key(&key);
}

static void run(char *rest)
{
  struct row_key key;
  struct run_record r;
  char msg[160], diag[SIPDIAG_AGENT_TEXT_MAX + 1];
  bool ok = saved_run_parse(rest, &key, &r, diag, sizeof diag, msg, sizeof msg);
  said_why(ok, msg, sizeof msg);
  if (ok) {
    check_key(&key);
    if (r.index < 1 || (r.addr_len != 0 && r.addr_len != 4 && r.addr_len != 16) ||
        (r.trigger != TRIGGER_MANAGER && r.trigger != TRIGGER_SCHEDULE) || r.fault < 1 ||
        r.diagnosis || strnlen(diag, sizeof diag) > SIPDIAG_AGENT_TEXT_MAX)
      abort();
  }
}

static void scalar(char *rest)
{
  char name[64];
  unsigned v;
  saved_scalar_parse(rest, name, sizeof name, &v);
  if (strnlen(name, sizeof name) >= sizeof name)
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > 8192)
    return 0;
  char *line = fuzz_strndup(data, size);
  char *copy = fuzz_strndup(data, size);
  char *c2 = fuzz_strndup(data, size), *c3 = fuzz_strndup(data, size);
  char *c4 = fuzz_strndup(data, size);
  if (!line || !copy || !c2 || !c3 || !c4) {
    free(line);
    free(copy);
    free(c2);
    free(c3);
    free(c4);
    return 0;
  }
  char token[64];
  char *rest = copy_nword(line, token, sizeof token);
  if (!rest)
    rest = line + strlen(line);
  if (!strcmp(token, "_sipDiagRow")) {
    row(rest);
  } else if (!strcmp(token, "_sipDiagEntry")) {
    entry(rest);
  } else if (!strcmp(token, "_sipDiagStats")) {
    stats(rest);
  } else if (!strcmp(token, "_sipDiagRun")) {
    run(rest);
  } else if (!strcmp(token, "_sipDiagScalar")) {
    scalar(rest);
  } else {
    /* each reader gets its own copy: they cut words in place */
    row(line);
    scalar(copy);
    entry(c2);
    stats(c3);
    run(c4);
  }
  free(line);
  free(copy);
  free(c2);
  free(c3);
  free(c4);
  return 0;
}
