/*
 * rows.c - the rows of sipDiagTable and the diagnosis each one runs.
 *
 * The table lives in a net-snmp tdata container (sorted by index), which
 * the SNMP handlers read.  This file alone changes rows' run state: it
 * starts runs from the loop (never from inside a SET), receives the
 * engine's results, cancels, and keeps the activity counters.
 *
 * It also remembers, per SIP account (registrar host + AOR, whichever row
 * names it), whether a diagnosis runs and when the last one ended, so that
 * a manager cannot make the terminal hammer a provider
 * (sipdiagMinRerunInterval, SIPDIAG_AGENT_MIN_RERUN_INTERVAL_MS).
 */
#include "config.h"
#include "agent-snmp.h"
#include "sipdiagd.h"
#include "parse.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sofia-sip/su_wait.h>

static netsnmp_tdata *table;
static sipdiag_engine_t *engine;
static uint32_t started_total, completed_total;
static bool starts_pending;

/* ---- the minimum interval between two diagnoses of one account ------------- */

#define RERUN_TOKEN "sipdiagMinRerunInterval"

struct account_memory {
  uint64_t key;               /* rows_account_key()                       */
  unsigned running;           /* diagnoses requested or running            */
  struct timespec ended;      /* CLOCK_MONOTONIC end of the last one       */
  bool used;
};

static struct account_memory memory[SIPDIAG_AGENT_RERUN_MEMORY];
static unsigned rerun_interval_ms = SIPDIAG_AGENT_MIN_RERUN_INTERVAL_MS;

static int64_t ms_between(const struct timespec *a, const struct timespec *b)
{
  return (int64_t)(b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

/* Still counts: a diagnosis runs, or the last one ended within the interval. */
static bool memory_live(const struct account_memory *m, const struct timespec *now)
{
  return m->used && (m->running || ms_between(&m->ended, now) < (int64_t)rerun_interval_ms);
}

static struct account_memory *memory_find(uint64_t key)
{
  for (unsigned i = 0; i < SIPDIAG_AGENT_RERUN_MEMORY; i++)
    if (memory[i].used && memory[i].key == key)
      return &memory[i];
  return NULL;
}

uint64_t rows_account_key(const struct row_config *cfg)
{
  char id[2 * SIPDIAG_AGENT_TEXT_MAX + 8];
  account_identity(cfg, id, sizeof id);
  uint64_t h = 0xcbf29ce484222325u;           /* FNV-1a */
  for (const unsigned char *p = (const unsigned char *)id; *p; p++)
    h = (h ^ *p) * 0x100000001b3u;
  return h;
}

bool rows_rerun_limited(void)
{
  return rerun_interval_ms != 0;
}

enum rerun_verdict rows_rerun_check(uint64_t key, unsigned new_slots, bool *new_slot)
{
  *new_slot = false;
  if (rerun_interval_ms == 0)
    return RERUN_OK;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  struct account_memory *m = memory_find(key);
  if (m && m->running)
    return RERUN_BUSY;
  if (m && memory_live(m, &now))
    return RERUN_TOO_SOON;
  if (m)
    return RERUN_OK;                          /* its entry is reused */
  unsigned room = 0;
  for (unsigned i = 0; i < SIPDIAG_AGENT_RERUN_MEMORY; i++)
    if (!memory_live(&memory[i], &now))
      room++;
  if (room <= new_slots)
    return RERUN_NO_ROOM;
  *new_slot = true;
  return RERUN_OK;
}

/* A diagnosis of the row's account is requested. */
static void memory_start(const struct diag_row *row)
{
  uint64_t key = rows_account_key(&row->cfg);
  struct account_memory *m = memory_find(key);
  if (!m) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    for (unsigned i = 0; i < SIPDIAG_AGENT_RERUN_MEMORY && !m; i++)
      if (!memory_live(&memory[i], &now))
        m = &memory[i];
    if (!m)
      return;                 /* full: only when the limit is off (0) */
    memset(m, 0, sizeof *m);
    m->key = key;
    m->used = true;
  }
  m->running++;
}

/* The diagnosis of the row's account ended (complete, canceled, aborted);
 * the row's configuration cannot change while one runs. */
static void memory_end(const struct diag_row *row)
{
  struct account_memory *m = memory_find(rows_account_key(&row->cfg));
  if (!m)
    return;
  if (m->running)
    m->running--;
  clock_gettime(CLOCK_MONOTONIC, &m->ended);
}

static void parse_rerun_interval(const char *token, char *line)
{
  (void)token;
  unsigned v;
  if (scalar_line_parse(line, 0, SIPDIAG_AGENT_MIN_RERUN_INTERVAL_MAX_MS, &v))
    rerun_interval_ms = v;
  else
    config_perror(RERUN_TOKEN ": expected milliseconds, 0 to 3600000 (0: no limit)");
}

/* Read again on SIGHUP: a line removed gives the default back. */
static void release_rerun_interval(void)
{
  rerun_interval_ms = SIPDIAG_AGENT_MIN_RERUN_INTERVAL_MS;
}

int rows_init(su_root_t *root)
{
  register_app_config_handler(RERUN_TOKEN, parse_rerun_interval, release_rerun_interval,
                              "MILLISECONDS (between two diagnoses of one account; 0: no limit)");
  table = netsnmp_tdata_create_table("sipDiagTable", 0);
  engine = sipdiag_engine_create(root);
  return table && engine ? 0 : -1;
}

void rows_shutdown(void)
{
  struct diag_row *row;
  while ((row = rows_first()) != NULL)
    rows_destroy(row);
  sipdiag_engine_destroy(engine);
  engine = NULL;
  /* the tdata table itself belongs to its registration */
}

netsnmp_tdata *rows_tdata(void)
{
  return table;
}

struct diag_row *rows_find(uint32_t index)
{
  oid key[1] = { index };
  netsnmp_tdata_row *t = netsnmp_tdata_row_get_byoid(table, key, 1);
  return t ? t->data : NULL;
}

struct diag_row *rows_first(void)
{
  netsnmp_tdata_row *t = netsnmp_tdata_row_first(table);
  return t ? t->data : NULL;
}

struct diag_row *rows_next(const struct diag_row *row)
{
  netsnmp_tdata_row *t = netsnmp_tdata_row_next(table, row->trow);
  return t ? t->data : NULL;
}

unsigned rows_count(void)
{
  return (unsigned)netsnmp_tdata_row_count(table);
}

unsigned rows_in_progress(void)
{
  unsigned n = 0;
  for (struct diag_row *row = rows_first(); row; row = rows_next(row))
    if (row->state == SIPDIAG_STATE_REQUESTED || row->state == SIPDIAG_STATE_RUNNING)
      n++;
  return n;
}

uint32_t rows_started_total(void)
{
  return started_total;
}

uint32_t rows_completed_total(void)
{
  return completed_total;
}

/* ---- life of a row ---------------------------------------------------------- */

struct diag_row *row_alloc(uint32_t index)
{
  struct diag_row *row = calloc(1, sizeof *row);
  if (!row)
    return NULL;
  row->index = index;
  row->cfg.transport = SIPDIAG_TRANSPORT_AUTO;
  row->cfg.expires = SIPDIAG_DEFAULT_EXPIRES_S;
  row->notify = SD_FALSE;
  row->storage = SD_ST_NONVOLATILE;
  row->rowstatus = SD_RS_NOT_IN_SERVICE;
  row->state = SIPDIAG_STATE_NONE;
  return row;
}

bool row_prepare(struct diag_row *row)
{
  if (row->trow)
    return true;
  netsnmp_tdata_row *t = netsnmp_tdata_create_row();
  if (!t)
    return false;
  u_long index = row->index;
  if (!netsnmp_tdata_row_add_index(t, ASN_UNSIGNED, &index, sizeof index)) {
    netsnmp_tdata_delete_row(t);
    return false;
  }
  t->data = row;
  row->trow = t;
  return true;
}

bool rows_insert(struct diag_row *row)
{
  return row->trow && netsnmp_tdata_add_row(table, row->trow) == SNMPERR_SUCCESS;
}

void rows_unlink(struct diag_row *row)
{
  if (row->trow)
    netsnmp_tdata_remove_row(table, row->trow);
}

void row_free(struct diag_row *row)
{
  if (!row)
    return;
  history_clear(row);
  if (row->trow) {
    row->trow->data = NULL;
    netsnmp_tdata_delete_row(row->trow);
  }
  free(row->result);
  explicit_bzero(row->cfg.password, sizeof row->cfg.password);
  free(row);
}

static void abort_run(struct diag_row *row)
{
  if (row->run) {
    sipdiag_cancel(row->run, NULL);
    row->run = NULL;
    completed_total++;
    memory_end(row);
  } else if (row->state == SIPDIAG_STATE_REQUESTED) {
    completed_total++;       /* it was counted as started when requested */
    memory_end(row);
  }
}

void row_abort(struct diag_row *row)
{
  abort_run(row);
  row_clear_results(row);
}

void rows_destroy(struct diag_row *row)
{
  abort_run(row);
  rows_unlink(row);
  row_free(row);
}

/* ---- results ------------------------------------------------------------------ */

void row_clear_results(struct diag_row *row)
{
  history_clear(row);
  free(row->result);
  row->result = NULL;
  row->state = SIPDIAG_STATE_NONE;
  row->start_ms = 0;
}

uint32_t row_elapsed_ms(const struct diag_row *row)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  int64_t ms = (int64_t)(now.tv_sec - row->start_mono.tv_sec) * 1000 +
               (now.tv_nsec - row->start_mono.tv_nsec) / 1000000;
  return ms < 0 ? 0 : (uint32_t)ms;
}

void row_request(struct diag_row *row, sipdiag_result_t *buf)
{
  history_clear(row);
  free(row->result);
  memset(buf, 0, sizeof *buf);
  row->result = buf;
  row->state = SIPDIAG_STATE_REQUESTED;
  row->start_ms = 0;
  started_total++;
  memory_start(row);
  starts_pending = true;
}

/* The end of a run, complete or canceled. */
static void finish(struct diag_row *row)
{
  row->run = NULL;
  row->run_count++;
  completed_total++;
  memory_end(row);
  history_update(row);
  if (row->notify == SD_TRUE)
    notify_complete(row);
}

/* Says why there is no file when the engine left nothing to say: capture
 * ran for ICMP errors only, as configured. */
static void note_capture(const struct diag_row *row, sipdiag_result_t *r)
{
  if (row->capture_files_off && !r->capture_path[0] && !r->capture_note[0])
    snprintf(r->capture_note, sizeof r->capture_note, "%s",
             "no capture file: no capture directory configured (sipdiagCaptureDir)");
}

static void on_done(void *context, const sipdiag_result_t *result)
{
  struct diag_row *row = context;
  *row->result = *result;
  note_capture(row, row->result);
  row->state = SIPDIAG_STATE_COMPLETE;
  finish(row);
}

void row_cancel(struct diag_row *row)
{
  if (row->state == SIPDIAG_STATE_RUNNING && row->run) {
    sipdiag_cancel(row->run, row->result);
    note_capture(row, row->result);
  } else {
    /* requested but not started: a result of its own */
    sipdiag_result_t *r = row->result;
    memset(r, 0, sizeof *r);
    r->state = SIPDIAG_STATE_CANCELED;
    r->rtt_ms = -1;
    r->server_transport = SIPDIAG_TRANSPORT_AUTO;
    snprintf(r->diagnosis, sizeof r->diagnosis,
             "The diagnosis of account %u was canceled before it started.",
             (unsigned)row->index);
  }
  row->result->state = SIPDIAG_STATE_CANCELED;
  row->result->fault = SIPDIAG_FAULT_CANCELED;
  row->state = SIPDIAG_STATE_CANCELED;
  finish(row);
}

static void start_one(struct diag_row *row)
{
  sipdiag_account_t account = {
    .registrar = row->cfg.registrar,
    .aor = row->cfg.aor,
    .auth_user = row->cfg.auth_user,
    .password = row->cfg.password,
    .outbound_proxy = row->cfg.proxy,
    .transport = row->cfg.transport,
    .expires = row->cfg.expires,
    .no_password = row->cfg.no_password,
  };
  sipdiag_settings_t settings;
  scalars_settings(&settings);
  evidence_settings(&settings);
  row->capture_files_off = settings.capture && !settings.capture_dir[0];

  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  row->start_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
  clock_gettime(CLOCK_MONOTONIC, &row->start_mono);

  int err = sipdiag_start(engine, &account, &settings, on_done, row, &row->run);
  if (err == 0) {
    row->state = SIPDIAG_STATE_RUNNING;
    return;
  }
  /* Could not even start: an internalError result, like the engine's. */
  sipdiag_result_t *r = row->result;
  memset(r, 0, sizeof *r);
  r->state = SIPDIAG_STATE_COMPLETE;
  r->code = SIPDIAG_CODE_INTERNAL_ERROR;
  r->fault = SIPDIAG_FAULT_INTERNAL_ERROR;
  r->rtt_ms = -1;
  r->server_transport = SIPDIAG_TRANSPORT_AUTO;
  r->start_ms = r->end_ms = row->start_ms;
  snprintf(r->diagnosis, sizeof r->diagnosis,
           "The terminal could not start the diagnosis of account %u (%s); "
           "check its resources and retry.",
           (unsigned)row->index, strerror(err));
  snmp_log(LOG_ERR, "sipdiagd: row %u: cannot start a diagnosis: %s\n",
           (unsigned)row->index, strerror(err));
  row->run = NULL;
  row->state = SIPDIAG_STATE_COMPLETE;
  finish(row);
}

void rows_start_pending(void)
{
  if (!starts_pending)
    return;
  starts_pending = false;
  /* A bounded number per loop turn: starting a diagnosis opens sockets and
   * a packet capture, and a manager triggering hundreds of rows at once
   * must not keep SNMP requests waiting (the master gives 1 s). */
  unsigned started = 0;
  for (struct diag_row *row = rows_first(); row; row = rows_next(row)) {
    if (row->state != SIPDIAG_STATE_REQUESTED)
      continue;
    if (started == SIPDIAG_AGENT_STARTS_PER_TURN) {
      starts_pending = true;   /* the rest next turn */
      break;
    }
    start_one(row);
    started++;
  }
}

bool rows_starts_pending(void)
{
  return starts_pending;
}

/* ---- text helpers -------------------------------------------------------------- */

/* utf8_valid() and utf8_clip() live in parse.c. */

size_t date_and_time(int64_t ms, unsigned char out[11])
{
  if (ms <= 0) {
    memset(out, 0, 8);
    return 8;
  }
  time_t secs = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  unsigned year = (unsigned)tm.tm_year + 1900;
  out[0] = (unsigned char)(year >> 8);
  out[1] = (unsigned char)(year & 0xff);
  out[2] = (unsigned char)(tm.tm_mon + 1);
  out[3] = (unsigned char)tm.tm_mday;
  out[4] = (unsigned char)tm.tm_hour;
  out[5] = (unsigned char)tm.tm_min;
  out[6] = (unsigned char)(tm.tm_sec > 59 ? 59 : tm.tm_sec);
  out[7] = (unsigned char)((ms % 1000) / 100);
  out[8] = '+';
  out[9] = 0;
  out[10] = 0;
  return 11;
}
