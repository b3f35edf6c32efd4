/*
 * accounts.c - the terminal's own SIP accounts, from sipdiagd.conf:
 *
 *   sipdiagAccount NAME registrar=URI aor=URI [authUser=NAME]
 *                  [password=SECRET | auth=none] [transport=auto|udp|tcp|tls]
 *                  [expires=SECONDS] [outboundProxy=URI]
 *                  [frequency=SECONDS] [traps=complete,failure,recovery|none]
 *                  [failureThreshold=N] [maxRuns=N] [storage=permanent|readOnly]
 *                  [notify=yes|no]   (the complete bit of traps)
 *
 * A value with blanks is written as one quoted word: "password=a b".
 * These rows are { sipDiagDeviceOwner, NAME }.  permanent(4), the default:
 * a manager may trigger and cancel them (sipDiagState) and set
 * sipDiagRowStatus active/notInService (in memory only); every other
 * column is notWritable, sipDiagStorageType wrongValue (RFC 2579), and
 * destroy is refused (wrongValue).  readOnly(5): nothing is writable, the
 * terminal runs them on its own schedule only.
 *
 * On SIGHUP the file is read again; rows whose SIP account did not change
 * keep their results, counters and runs; changed ones lose them (a run in
 * progress is stopped), removed ones disappear.  A manager's row is never
 * touched: an account whose key a manager's row holds is ignored.  Nothing
 * here ever logs a password.
 */
#include "config.h"
#include "agent-snmp.h"
#include "rows/accounts.h"
#include "config/parse.h"
#include "config/settings.h"
#include "rows/rows.h"
#include "model/key.h"
#include "rows/runs.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ACCOUNT_TOKEN "sipdiagAccount"

struct account {
  struct account *next;
  struct account_line line;
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
  int err = account_line_parse(line, &a->line, msg, sizeof msg);
  if (err != ACCOUNT_LINE_OK) {
    config_perror(msg);
    if (err != ACCOUNT_LINE_BAD_NAME) {
      snprintf(msg, sizeof msg, "%s %s ignored", ACCOUNT_TOKEN, a->line.name);
      config_perror(msg);
    }
    explicit_bzero(a, sizeof *a);
    free(a);
    return;
  }
  /* a later line for the same name wins */
  for (struct account **pp = &pending; *pp; pp = &(*pp)->next)
    if (!strcmp((*pp)->line.name, a->line.name)) {
      struct account *old = *pp;
      *pp = old->next;
      explicit_bzero(old, sizeof *old);
      free(old);
      snprintf(msg, sizeof msg, "%s %s given twice, the later line wins", ACCOUNT_TOKEN,
               a->line.name);
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
         a->expires == b->expires && a->no_password == b->no_password;
}

static struct account *pending_find(const struct row_key *key)
{
  if (strcmp(key->owner, settings_device_owner()) != 0)
    return NULL;
  for (struct account *a = pending; a; a = a->next)
    if (!strcmp(a->line.name, key->name))
      return a;
  return NULL;
}

static void account_key(const struct account *a, struct row_key *key)
{
  memset(key, 0, sizeof *key);
  snprintf(key->owner, sizeof key->owner, "%s", settings_device_owner());
  snprintf(key->name, sizeof key->name, "%s", a->line.name);
}

static void apply_schedule(struct diag_row *row, const struct account_line *line)
{
  row->sched = line->sched;
  runs_set_capacity(row, row->sched.max_runs);
  row->storage = line->storage;
}

void accounts_apply(void)
{
  char text[2 * SIPDIAG_AGENT_KEY_MAX + 2];
  /* accounts gone from the file (or from under a changed device owner) */
  struct diag_row *row = rows_first();
  while (row) {
    struct diag_row *next = rows_next(row);
    if (row->from_config && !pending_find(&row->key)) {
      snmp_log(LOG_INFO, "sipdiagd: account %s removed from the configuration\n",
               row_key_text(&row->key, text, sizeof text));
      rows_destroy(row);
    }
    row = next;
  }
  for (struct account *a = pending; a; a = a->next) {
    struct row_key key;
    account_key(a, &key);
    row = rows_find(&key);
    if (row && row->from_config) {
      if (!same_config(&row->cfg, &a->line.cfg)) {
        snmp_log(LOG_INFO, "sipdiagd: account %s changed; its results are cleared\n",
                 row_key_text(&key, text, sizeof text));
        row_abort(row);
        row_reset(row);
        row->cfg = a->line.cfg;
      }
      apply_schedule(row, &a->line);
      continue;
    }
    if (row) {
      snmp_log(LOG_ERR, "sipdiagd: account %s ignored: a manager's row has that owner and "
               "name\n", row_key_text(&key, text, sizeof text));
      continue;
    }
    if (rows_count() >= SIPDIAG_AGENT_MAX_ROWS) {
      snmp_log(LOG_ERR, "sipdiagd: account %s ignored: the table is full (%d rows)\n",
               row_key_text(&key, text, sizeof text), SIPDIAG_AGENT_MAX_ROWS);
      continue;
    }
    row = row_alloc(&key);
    if (!row || !row_prepare(row) || !rows_insert(row)) {
      snmp_log(LOG_ERR, "sipdiagd: account %s ignored: out of memory\n",
               row_key_text(&key, text, sizeof text));
      row_free(row);
      continue;
    }
    row->from_config = true;
    row->cfg = a->line.cfg;
    row->rowstatus = SD_RS_ACTIVE;
    apply_schedule(row, &a->line);
  }
  free_pending();
}

void accounts_init(void)
{
  register_app_config_handler(ACCOUNT_TOKEN, parse_account, release_accounts,
                              "NAME registrar=URI aor=URI [authUser=NAME] [password=SECRET|"
                              "auth=none] [transport=auto|udp|tcp|tls] [expires=SECONDS] "
                              "[outboundProxy=URI] [frequency=SECONDS] "
                              "[traps=complete,failure,recovery|none] [failureThreshold=N] "
                              "[maxRuns=N] [storage=permanent|readOnly]");
}

void accounts_shutdown(void)
{
  free_pending();
}
