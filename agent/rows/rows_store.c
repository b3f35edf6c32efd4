/*
 * rows_store.c - the rows' lines in sipdiagd.store:
 *
 *   _sipDiagEntry OWNER NAME STORAGE ROWSTATUS TRAPS FREQUENCY THRESHOLD
 *                 MAXRUNS TRANSPORT EXPIRES REGISTRAR AOR AUTHUSER PASSWORD PROXY
 *       a manager's nonVolatile row (texts in net-snmp's quoted-or-hex
 *       octet-string notation);
 *   _sipDiagStats OWNER NAME RUNS SUCCESSES FAILURES CONSECUTIVE LASTGOOD
 *                 FAULTSINCE LASTFAULT INFAILURE LASTRUNINDEX
 *   _sipDiagRun OWNER NAME INDEX START END DURATION CODE FAULT SIPSTATUS
 *               ATTEMPTS PORT TRIGGER ADDRESS DIAGNOSIS
 *       the counters and kept runs of a nonVolatile row or of one of the
 *       terminal's own accounts (times in ms since 1970; the steps of a
 *       run are not kept: a run read back has no history rows);
 *   _sipDiagRow INDEX ...
 *       a row of the versions indexed by a number: read once, it becomes
 *       owner "" and the number as its name.
 *
 * The store is read before the terminal's accounts are applied, so a
 * manager's row holds its key against an account that would take the same
 * one.  Counters and runs of a row that does not exist yet wait until
 * rows_store_attach() (after the accounts are applied), then those of rows
 * that are gone are dropped.
 */
#include "config.h"
#include "agent-snmp.h"
#include "rows/rows_store.h"
#include "rows/rows.h"
#include "model/key.h"
#include "rows/runs.h"
#include "config/parse.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>

#define ENTRY_TOKEN "_sipDiagEntry"
#define STATS_TOKEN "_sipDiagStats"
#define RUN_TOKEN "_sipDiagRun"
#define LEGACY_ROW_TOKEN "_sipDiagRow"

/* Appends text in the store's octet-string notation, then a blank. */
static bool put_text(char **p, size_t *room, const char *text)
{
  size_t len = strlen(text);
  if (*room < 2 * len + 8)
    return false;
  char *start = *p;
  *p = read_config_store_data(ASN_OCTET_STR, *p, (u_char **)&text, &len);
  if (!*p)
    return false;
  *room -= (size_t)(*p - start);
  return true;
}

static bool put_key(char **p, size_t *room, const struct row_key *key)
{
  return put_text(p, room, key->owner) && put_text(p, room, key->name);
}

static bool put_numbers(char **p, size_t *room, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));

static bool put_numbers(char **p, size_t *room, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(*p, *room, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= *room)
    return false;
  *p += n;
  *room -= (size_t)n;
  return true;
}

#define LINE_MAX_OCTETS (64 + 16 * 22 + 7 * (2 * SIPDIAG_AGENT_TEXT_MAX + 8))

static bool write_entry(struct store_writer *w, const struct diag_row *row, char *line)
{
  char *p = line;
  size_t room = LINE_MAX_OCTETS;
  bool ok = put_numbers(&p, &room, "%s", ENTRY_TOKEN) && put_key(&p, &room, &row->key) &&
            put_numbers(&p, &room, " %d %d %u %u %u %u %d %u", row->storage, row->rowstatus,
                        row->sched.traps, (unsigned)row->sched.frequency_s,
                        (unsigned)row->sched.failure_threshold, (unsigned)row->sched.max_runs,
                        (int)row->cfg.transport, (unsigned)row->cfg.expires) &&
            put_text(&p, &room, row->cfg.registrar) && put_text(&p, &room, row->cfg.aor) &&
            put_text(&p, &room, row->cfg.auth_user) && put_text(&p, &room, row->cfg.password) &&
            put_text(&p, &room, row->cfg.proxy);
  bool written = ok && store_put(w, line);
  explicit_bzero(line, LINE_MAX_OCTETS);
  return !ok || written;        /* a row that does not fit is skipped */
}

static bool write_stats(struct store_writer *w, const struct diag_row *row, char *line)
{
  const struct row_stats *st = &row->stats;
  char *p = line;
  size_t room = LINE_MAX_OCTETS;
  if (!(put_numbers(&p, &room, "%s", STATS_TOKEN) && put_key(&p, &room, &row->key) &&
        put_numbers(&p, &room, " %u %u %u %u %lld %lld %d %d %u", (unsigned)st->runs,
                    (unsigned)st->successes, (unsigned)st->failures,
                    (unsigned)st->consecutive_failures, (long long)st->last_good_ms,
                    (long long)st->fault_since_ms, st->last_fault, st->in_failure ? 1 : 0,
                    (unsigned)st->last_run_index)))
    return true;
  return store_put(w, line);
}

static bool write_run(struct store_writer *w, const struct diag_row *row,
                      const struct run_record *rec, char *line)
{
  char addr[33] = "";
  for (unsigned i = 0; i < rec->addr_len && i < 16; i++)
    snprintf(addr + 2 * i, 3, "%02x", rec->addr[i]);
  char *p = line;
  size_t room = LINE_MAX_OCTETS;
  if (!(put_numbers(&p, &room, "%s", RUN_TOKEN) && put_key(&p, &room, &row->key) &&
        put_numbers(&p, &room, " %u %lld %lld %u %u %u %u %u %u %u", (unsigned)rec->index,
                    (long long)rec->start_ms, (long long)rec->end_ms,
                    (unsigned)rec->duration_ms, (unsigned)rec->code, (unsigned)rec->fault,
                    (unsigned)rec->sip_status, (unsigned)rec->attempts,
                    (unsigned)rec->server_port, (unsigned)rec->trigger) &&
        put_text(&p, &room, addr) && put_text(&p, &room, rec->diagnosis ? rec->diagnosis : "")))
    return true;
  return store_put(w, line);
}

static bool write_rows(struct store_writer *w)
{
  char *line = malloc(LINE_MAX_OCTETS);
  if (!line)
    return false;
  bool ok = true;
  for (struct diag_row *row = rows_first(); ok && row; row = rows_next(row)) {
    if (row_config_is_stored(row))
      ok = write_entry(w, row, line);
    if (ok && row_results_are_stored(row)) {
      ok = write_stats(w, row, line);
      for (uint32_t i = 0; ok && i < row->runs_count; i++)
        ok = write_run(w, row, runs_at(row, i), line);
    }
  }
  free(line);
  return ok;
}

/* ---- reading ------------------------------------------------------------------------- */

static void restore_row(const struct row_key *key, const struct saved_entry *e,
                        const char *where)
{
  char text[2 * SIPDIAG_AGENT_KEY_MAX + 2];
  if (rows_find(key) || rows_count() >= SIPDIAG_AGENT_MAX_ROWS) {
    snmp_log(LOG_WARNING, "sipdiagd: %s: saved row %s not restored (duplicate or no room)\n",
             where, row_key_text(key, text, sizeof text));
    return;
  }
  struct diag_row *row = row_alloc(key);
  if (!row)
    return;
  row->cfg = e->cfg;
  row->sched = e->sched;
  row->storage = e->storage;
  row->rowstatus = e->rowstatus;
  if (!row_prepare(row) || !rows_insert(row)) {
    snmp_log(LOG_WARNING, "sipdiagd: %s: saved row %s not restored (no memory)\n", where,
             row_key_text(key, text, sizeof text));
    row_free(row);
  }
}

static void read_entry(const char *token, char *rest, const char *where)
{
  (void)token;
  char msg[160];
  struct saved_entry e;
  if (saved_entry_parse(rest, &e, msg, sizeof msg))
    restore_row(&e.key, &e, where);
  else
    snmp_log(LOG_ERR, "sipdiagd: %s: %s; row not restored\n", where, msg);
  explicit_bzero(&e, sizeof e);
}

static void read_legacy_row(const char *token, char *rest, const char *where)
{
  (void)token;
  char msg[160];
  struct saved_row old;
  if (saved_row_parse(rest, &old, msg, sizeof msg)) {
    struct saved_entry e = { .storage = old.storage, .rowstatus = old.rowstatus,
                             .cfg = old.cfg };
    e.sched.traps = old.notify == SD_TRUE ? TRAP_COMPLETE : 0;
    e.sched.failure_threshold = SIPDIAG_AGENT_DEFAULT_FAILURE_THRESHOLD;
    e.sched.max_runs = SIPDIAG_AGENT_DEFAULT_MAX_RUNS;
    snprintf(e.key.name, sizeof e.key.name, "%u", (unsigned)old.index);
    restore_row(&e.key, &e, where);
    explicit_bzero(&e, sizeof e);
  } else {
    snmp_log(LOG_ERR, "sipdiagd: %s: %s; row not restored\n", where, msg);
  }
  explicit_bzero(&old, sizeof old);
}

static struct diag_row *stored_row(const struct row_key *key)
{
  struct diag_row *row = rows_find(key);
  return row && row_results_are_stored(row) ? row : NULL;
}

/* Counters and runs read for rows that do not exist yet. */
struct waiting {
  struct waiting *next;
  struct row_key key;
  bool is_run;
  struct row_stats stats;
  struct run_record run;      /* run.diagnosis owned */
};
static struct waiting *waiting_first, **waiting_last = &waiting_first;

static void wait_for_row(const struct row_key *key, const struct row_stats *st,
                         const struct run_record *run)
{
  struct waiting *w = calloc(1, sizeof *w);
  if (!w)
    return;
  w->key = *key;
  if (st) {
    w->stats = *st;
  } else {
    w->is_run = true;
    w->run = *run;
    w->run.diagnosis = strdup(run->diagnosis ? run->diagnosis : "");
    if (!w->run.diagnosis) {
      free(w);
      return;
    }
  }
  *waiting_last = w;
  waiting_last = &w->next;
}

static void restore_run(struct diag_row *row, const struct run_record *rec, const char *where)
{
  if (!runs_restore(row, rec))
    snmp_log(LOG_WARNING, "sipdiagd: %s: run %u not restored\n", where, (unsigned)rec->index);
  if (rec->index > row->stats.last_run_index)
    row->stats.last_run_index = rec->index;     /* never reuse an index */
}

void rows_store_attach(void)
{
  while (waiting_first) {
    struct waiting *w = waiting_first;
    waiting_first = w->next;
    struct diag_row *row = stored_row(&w->key);
    if (row && !w->is_run)
      row->stats = w->stats;
    else if (row)
      restore_run(row, &w->run, "sipdiagd.store");
    free(w->run.diagnosis);
    free(w);
  }
  waiting_last = &waiting_first;
}

static void read_stats(const char *token, char *rest, const char *where)
{
  (void)token;
  char msg[160];
  struct row_key key;
  struct row_stats st;
  if (!saved_stats_parse(rest, &key, &st, msg, sizeof msg)) {
    snmp_log(LOG_ERR, "sipdiagd: %s: %s; counters not restored\n", where, msg);
    return;
  }
  struct diag_row *row = stored_row(&key);
  if (row)
    row->stats = st;
  else if (!rows_find(&key))
    wait_for_row(&key, &st, NULL);
}

static void read_run(const char *token, char *rest, const char *where)
{
  (void)token;
  char msg[160], diagnosis[SIPDIAG_AGENT_TEXT_MAX + 1];
  struct row_key key;
  struct run_record rec;
  if (!saved_run_parse(rest, &key, &rec, diagnosis, sizeof diagnosis, msg, sizeof msg)) {
    snmp_log(LOG_ERR, "sipdiagd: %s: %s; run not restored\n", where, msg);
    return;
  }
  struct diag_row *row = stored_row(&key);
  rec.diagnosis = diagnosis;
  if (row)
    restore_run(row, &rec, where);
  else if (!rows_find(&key))
    wait_for_row(&key, NULL, &rec);
}

void rows_store_init(void)
{
  store_add_writer(write_rows);
  store_add_reader(ENTRY_TOKEN, read_entry, false);
  store_add_reader(STATS_TOKEN, read_stats, false);
  store_add_reader(RUN_TOKEN, read_run, false);
  store_add_reader(LEGACY_ROW_TOKEN, read_legacy_row, true);
}
