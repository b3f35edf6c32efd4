/*
 * fuzz_persist_line.c - the persistent store's lines (agent/parse.c):
 *
 *   _sipDiagRow INDEX STORAGE ROWSTATUS NOTIFY TRANSPORT EXPIRES
 *               REGISTRAR AOR AUTHUSER PASSWORD PROXY    saved_row_parse()
 *   _sipDiagScalar NAME VALUE                             saved_scalar_parse()
 *
 * Input: one line of <persistentDir>/sipdiagd.conf.  The first word picks
 * the reader; any other word feeds the rest to both.  A row that is
 * accepted must hold only what a SET could have written: index 1-65535,
 * nonVolatile, active or notInService, a TruthValue, transport 1-4, and
 * NUL-terminated texts of at most SIPDIAG_AGENT_TEXT_MAX octets.  A
 * refused line comes with a message; an accepted one without.
 */
#include "config.h"
#include "agent-snmp.h"
#include "config/parse.h"
#include "parse.h"
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
  if (!line || !copy) {
    free(line);
    free(copy);
    return 0;
  }
  char token[64];
  char *rest = copy_nword(line, token, sizeof token);
  if (!rest)
    rest = line + strlen(line);
  if (!strcmp(token, "_sipDiagRow")) {
    row(rest);
  } else if (!strcmp(token, "_sipDiagScalar")) {
    scalar(rest);
  } else {
    row(line);
    scalar(copy);
  }
  free(line);
  free(copy);
  return 0;
}
