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

static bool set_text(char *dst, const char *value, const char *key, bool text)
{
  size_t len = strlen(value);
  if (len > SIPDIAG_AGENT_TEXT_MAX) {
    char msg[128];
    snprintf(msg, sizeof msg, "%s: %s is longer than %d octets", ACCOUNT_TOKEN, key,
             SIPDIAG_AGENT_TEXT_MAX);
    config_perror(msg);
    return false;
  }
  if (text && !utf8_valid((const unsigned char *)value, len)) {
    char msg[128];
    snprintf(msg, sizeof msg, "%s: %s is not UTF-8", ACCOUNT_TOKEN, key);
    config_perror(msg);
    return false;
  }
  memcpy(dst, value, len + 1);
  return true;
}

static void parse_account(const char *token, char *line)
{
  (void)token;
  char word[1024];
  char msg[200];
  struct account *a = calloc(1, sizeof *a);
  if (!a)
    return;
  a->cfg.transport = SIPDIAG_TRANSPORT_AUTO;
  a->cfg.expires = SIPDIAG_DEFAULT_EXPIRES_S;
  a->notify = SD_FALSE;

  char *p = copy_nword(line, word, sizeof word);
  char *end;
  unsigned long index = strtoul(word, &end, 10);
  if (!word[0] || *end || index < 1 || index > 65535) {
    config_perror(ACCOUNT_TOKEN ": the first word must be the account index, 1 to 65535");
    free(a);
    return;
  }
  a->index = (uint32_t)index;
  bool ok = true;
  while (ok && p && *p) {
    p = copy_nword(p, word, sizeof word);
    char *eq = strchr(word, '=');
    if (!eq) {
      snprintf(msg, sizeof msg, "%s %lu: expected key=value words", ACCOUNT_TOKEN, index);
      config_perror(msg);
      ok = false;
      break;
    }
    *eq = '\0';
    const char *key = word, *value = eq + 1;
    if (!strcasecmp(key, "registrar"))
      ok = set_text(a->cfg.registrar, value, key, true);
    else if (!strcasecmp(key, "aor"))
      ok = set_text(a->cfg.aor, value, key, true);
    else if (!strcasecmp(key, "authUser"))
      ok = set_text(a->cfg.auth_user, value, key, true);
    else if (!strcasecmp(key, "password"))
      ok = set_text(a->cfg.password, value, key, false);
    else if (!strcasecmp(key, "outboundProxy"))
      ok = set_text(a->cfg.proxy, value, key, true);
    else if (!strcasecmp(key, "transport")) {
      a->cfg.transport = sipdiag_transport_parse(value);
      if (!a->cfg.transport) {
        snprintf(msg, sizeof msg, "%s %lu: transport must be auto, udp, tcp or tls",
                 ACCOUNT_TOKEN, index);
        config_perror(msg);
        ok = false;
      }
    } else if (!strcasecmp(key, "expires")) {
      unsigned long v = strtoul(value, &end, 10);
      if (!*value || *end || *value == '-' || v > UINT32_MAX) {
        snprintf(msg, sizeof msg, "%s %lu: expires must be a number of seconds",
                 ACCOUNT_TOKEN, index);
        config_perror(msg);
        ok = false;
      }
      a->cfg.expires = (uint32_t)v;
    } else if (!strcasecmp(key, "notify")) {
      if (!strcasecmp(value, "yes") || !strcasecmp(value, "true"))
        a->notify = SD_TRUE;
      else if (!strcasecmp(value, "no") || !strcasecmp(value, "false"))
        a->notify = SD_FALSE;
      else {
        snprintf(msg, sizeof msg, "%s %lu: notify must be yes or no", ACCOUNT_TOKEN, index);
        config_perror(msg);
        ok = false;
      }
    } else {
      snprintf(msg, sizeof msg, "%s %lu: unknown key '%.40s'", ACCOUNT_TOKEN, index, key);
      config_perror(msg);
      ok = false;
    }
  }
  explicit_bzero(word, sizeof word);
  if (!ok) {
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
