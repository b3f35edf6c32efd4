/*
 * rows.c - the rows of sipDiagTable and the diagnosis each one runs
 * (rows.h).
 *
 * The table lives in a net-snmp tdata container sorted by the index OID
 * (owner, name), which the SNMP handlers read.  This file alone changes a
 * row's run state: it starts runs from the loop, receives the engine's
 * results, records them (runs.c), cancels, and keeps the activity
 * counters.  It knows nothing of the MIB's handlers or notifications: the
 * end of a run is told to whoever registered with rows_on_run_end().
 */
#include "config.h"
#include "agent-snmp.h"
#include "rows/rows.h"
#include "model/key.h"
#include "rows/rerun.h"
#include "rows/runs.h"
#include "config/settings.h"
#include "config/capture.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sofia-sip/su_wait.h>

static netsnmp_tdata *table;
static sipdiag_engine_t *engine;
static uint32_t started_total, completed_total;
static bool starts_pending;
static rows_run_end_f *run_end_callback;

void rows_on_run_end(rows_run_end_f *callback)
{
  run_end_callback = callback;
}

bool row_config_is_stored(const struct diag_row *row)
{
  return !row->from_config && row->storage == SD_ST_NONVOLATILE;
}

bool row_results_are_stored(const struct diag_row *row)
{
  return row->from_config || row->storage == SD_ST_NONVOLATILE;
}

void rows_config_changed(void)
{
  store_changed_now();
}

void rows_results_changed(const struct diag_row *row)
{
  if (row_results_are_stored(row))
    store_changed_soon();
}

int rows_init(su_root_t *root)
{
  rerun_init();
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

struct diag_row *rows_find(const struct row_key *key)
{
  oid idx[ROW_KEY_OID_MAX];
  size_t len = row_key_to_oid(key, idx);
  netsnmp_tdata_row *t = netsnmp_tdata_row_get_byoid(table, idx, len);
  return t ? t->data : NULL;
}

struct diag_row *rows_after_oid(const oid *idx, size_t len)
{
  netsnmp_tdata_row *t = netsnmp_tdata_row_next_byoid(table, (oid *)idx, len);
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
    if (row_in_progress(row))
      n++;
  return n;
}

bool row_in_progress(const struct diag_row *row)
{
  return row && (row->state == SIPDIAG_STATE_REQUESTED || row->state == SIPDIAG_STATE_RUNNING);
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

struct diag_row *row_alloc(const struct row_key *key)
{
  struct diag_row *row = calloc(1, sizeof *row);
  if (!row)
    return NULL;
  row->key = *key;
  row->cfg.transport = SIPDIAG_TRANSPORT_AUTO;
  row->cfg.expires = SIPDIAG_DEFAULT_EXPIRES_S;
  row->sched.failure_threshold = SIPDIAG_AGENT_DEFAULT_FAILURE_THRESHOLD;
  row->sched.max_runs = SIPDIAG_AGENT_DEFAULT_MAX_RUNS;
  row->stats.last_fault = SIPDIAG_FAULT_NONE;
  row->trigger = TRIGGER_MANAGER;
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
  if (!netsnmp_tdata_row_add_index(t, ASN_OCTET_STR, row->key.owner, strlen(row->key.owner)) ||
      !netsnmp_tdata_row_add_index(t, ASN_OCTET_STR, row->key.name, strlen(row->key.name))) {
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
  runs_free(row);
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
    rerun_ended(&row->cfg);
  } else if (row->state == SIPDIAG_STATE_REQUESTED) {
    completed_total++;       /* it was counted as started when requested */
    rerun_ended(&row->cfg);
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
  free(row->result);
  row->result = NULL;
  row->result_run_index = 0;
  row->state = SIPDIAG_STATE_NONE;
  row->start_ms = 0;
}

void row_reset(struct diag_row *row)
{
  row_clear_results(row);
  runs_free(row);
  uint32_t last_index = row->stats.last_run_index;   /* never reused */
  memset(&row->stats, 0, sizeof row->stats);
  row->stats.last_run_index = last_index;
  row->stats.last_fault = SIPDIAG_FAULT_NONE;
}

uint32_t row_elapsed_ms(const struct diag_row *row)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  int64_t ms = (int64_t)(now.tv_sec - row->start_mono.tv_sec) * 1000 +
               (now.tv_nsec - row->start_mono.tv_nsec) / 1000000;
  return ms < 0 ? 0 : (uint32_t)ms;
}

void row_request(struct diag_row *row, sipdiag_result_t *buf, enum run_trigger trigger)
{
  free(row->result);
  memset(buf, 0, sizeof *buf);
  row->result = buf;
  row->result_run_index = 0;
  row->trigger = trigger;
  row->state = SIPDIAG_STATE_REQUESTED;
  row->start_ms = 0;
  started_total++;
  rerun_started(&row->cfg);
  starts_pending = true;
}

/* The end of a run, complete or canceled. */
static void finish(struct diag_row *row)
{
  row->run = NULL;
  completed_total++;
  rerun_ended(&row->cfg);
  unsigned events = runs_record(row);
  rows_results_changed(row);
  if (run_end_callback)
    run_end_callback(row, events);
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
             "The diagnosis of account %s was canceled before it started.", row->cfg.aor);
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
  settings_engine(&settings);
  capture_settings(&settings);
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
           "The terminal could not start the diagnosis of account %s (%s); "
           "check its resources and retry.", row->cfg.aor, strerror(err));
  char key[2 * SIPDIAG_AGENT_KEY_MAX + 2];
  snmp_log(LOG_ERR, "sipdiagd: row %s: cannot start a diagnosis: %s\n",
           row_key_text(&row->key, key, sizeof key), strerror(err));
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
