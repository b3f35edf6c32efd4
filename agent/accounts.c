/*
 * accounts.c - the terminal's own SIP accounts, from sipdiagd.conf:
 *
 *   sipdiagAccount INDEX registrar=URI aor=URI [authUser=NAME]
 *                  [password=SECRET] [transport=auto|udp|tcp|tls]
 *                  [expires=SECONDS] [outboundProxy=URI] [notify=yes|no]
 *
 * A value with blanks is written as one quoted word: "password=a b".
 * These rows read sipDiagStorageType permanent(4).  A manager may trigger
 * and cancel them (sipDiagState), change sipDiagNotifyOnComplete and
 * sipDiagRowStatus active/notInService (in memory only); the configuration
 * columns and the storage type are notWritable, and destroy is refused
 * (wrongValue): the device's accounts are changed in its configuration.
 *
 * On SIGHUP the file is read again; rows whose account did not change keep
 * their results, changed ones lose them (a run in progress is stopped),
 * removed ones disappear.  An account replaces a manager's row that has
 * the same index.  Nothing here ever logs a password.
 */
#include "config.h"
#include "agent-snmp.h"
#include "sipdiagd.h"
#include "parse.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ACCOUNT_TOKEN "sipdiagAccount"

struct account {
  struct account *next;
  uint32_t index;
  struct row_config cfg;
  int notify;
};

static struct account *pending;   /* read since the last accounts_apply() */

static void free_pending(void)
{
  while (pending) {
    struct account *a = pending;
    pending = a->next;
    explicit_bzero(a, sizeof *a);
    free(a);
  }
}

static void parse_account(const char *token, char *line)
{
  (void)token;
  char msg[200];
  struct account *a = calloc(1, sizeof *a);
  if (!a)
    return;
  struct account_line parsed;
  int err = account_line_parse(line, &parsed, msg, sizeof msg);
  unsigned long index = parsed.index;
  a->index = parsed.index;
  a->cfg = parsed.cfg;
  a->notify = parsed.notify;
  explicit_bzero(&parsed, sizeof parsed);
  if (err == ACCOUNT_LINE_BAD_INDEX) {
    config_perror(msg);
    explicit_bzero(a, sizeof *a);
    free(a);
    return;
  }
  if (err != ACCOUNT_LINE_OK) {
    config_perror(msg);
    snprintf(msg, sizeof msg, "%s %lu ignored", ACCOUNT_TOKEN, index);
    config_perror(msg);
    explicit_bzero(a, sizeof *a);
    free(a);
    return;
  }
  /* a later line for the same index wins */
  for (struct account **pp = &pending; *pp; pp = &(*pp)->next)
    if ((*pp)->index == a->index) {
      struct account *old = *pp;
      *pp = old->next;
      explicit_bzero(old, sizeof *old);
      free(old);
      snprintf(msg, sizeof msg, "%s %lu given twice, the later line wins", ACCOUNT_TOKEN, index);
      config_perror(msg);
      break;
    }
  a->next = pending;
  pending = a;
}

/* The configuration is read again (SIGHUP): start a fresh list. */
static void release_accounts(void)
{
  free_pending();
}

static bool same_config(const struct row_config *a, const struct row_config *b)
{
  return !strcmp(a->registrar, b->registrar) && !strcmp(a->aor, b->aor) &&
         !strcmp(a->auth_user, b->auth_user) && !strcmp(a->password, b->password) &&
         !strcmp(a->proxy, b->proxy) && a->transport == b->transport &&
         a->expires == b->expires;
}

static struct account *pending_find(uint32_t index)
{
  for (struct account *a = pending; a; a = a->next)
    if (a->index == index)
      return a;
  return NULL;
}

void accounts_apply(void)
{
  /* accounts gone from the file */
  struct diag_row *row = rows_first();
  while (row) {
    struct diag_row *next = rows_next(row);
    if (row->from_config && !pending_find(row->index)) {
      snmp_log(LOG_INFO, "sipdiagd: account %u removed from the configuration\n",
               (unsigned)row->index);
      rows_destroy(row);
    }
    row = next;
  }
  for (struct account *a = pending; a; a = a->next) {
    row = rows_find(a->index);
    if (row && row->from_config) {
      if (!same_config(&row->cfg, &a->cfg)) {
        snmp_log(LOG_INFO, "sipdiagd: account %u changed; its results are cleared\n",
                 (unsigned)a->index);
        row_abort(row);
        row->cfg = a->cfg;
      }
      if (row->file_notify != a->notify)
        row->notify = row->file_notify = a->notify;
      continue;
    }
    if (row) {
      snmp_log(LOG_WARNING, "sipdiagd: account %u of the configuration replaces the "
               "manager-created row with the same index\n", (unsigned)a->index);
      if (row->storage == SD_ST_NONVOLATILE)
        persist_changed();
      rows_destroy(row);
    }
    if (rows_count() >= SIPDIAG_AGENT_MAX_ROWS) {
      snmp_log(LOG_ERR, "sipdiagd: account %u ignored: the table is full (%d rows)\n",
               (unsigned)a->index, SIPDIAG_AGENT_MAX_ROWS);
      continue;
    }
    row = row_alloc(a->index);
    if (!row || !row_prepare(row) || !rows_insert(row)) {
      snmp_log(LOG_ERR, "sipdiagd: account %u ignored: out of memory\n", (unsigned)a->index);
      row_free(row);
      continue;
    }
    row->from_config = true;
    row->cfg = a->cfg;
    row->storage = SD_ST_PERMANENT;
    row->rowstatus = SD_RS_ACTIVE;
    row->notify = row->file_notify = a->notify;
  }
  free_pending();
}

void accounts_init(void)
{
  register_app_config_handler(ACCOUNT_TOKEN, parse_account, release_accounts,
                              "INDEX registrar=URI aor=URI [authUser=NAME] [password=SECRET] "
                              "[transport=auto|udp|tcp|tls] [expires=SECONDS] "
                              "[outboundProxy=URI] [notify=yes|no]");
}

void accounts_shutdown(void)
{
  free_pending();
}
