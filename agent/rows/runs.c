/*
 * runs.c - a row's kept runs and counters (runs.h).
 *
 * The runs are a ring of sipDiagMaxRuns compact records: the summary the
 * run table shows and the steps the history table shows, each text in an
 * allocation of its own size, so 100 rows keeping 10 runs cost a few
 * hundred kilobytes, not 100 x 10 full results.
 */
#include "config.h"
#include "rows/runs.h"
#include "util/text.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

unsigned stats_update(struct row_stats *st, int fault, bool canceled, int64_t end_ms,
                      uint32_t failure_threshold)
{
  unsigned events = TRAP_COMPLETE;
  st->runs++;
  st->last_fault = fault;
  if (canceled)
    return events;          /* neither a success nor a failure */
  if (fault == SIPDIAG_FAULT_SUCCESS) {
    st->successes++;
    st->consecutive_failures = 0;
    st->last_good_ms = end_ms;
    st->fault_since_ms = 0;
    if (st->in_failure) {
      st->in_failure = false;
      events |= TRAP_RECOVERY;
    }
    return events;
  }
  st->failures++;
  if (st->consecutive_failures == 0)
    st->fault_since_ms = end_ms;
  if (st->consecutive_failures < UINT32_MAX)
    st->consecutive_failures++;
  if (!st->in_failure && st->consecutive_failures >= (failure_threshold ? failure_threshold : 1)) {
    st->in_failure = true;
    events |= TRAP_FAILURE;
  }
  return events;
}

static void record_free(struct run_record *rec)
{
  free(rec->diagnosis);
  for (uint16_t i = 0; i < rec->n_steps; i++)
    free(rec->steps[i].info);
  free(rec->steps);
  memset(rec, 0, sizeof *rec);
}

static struct run_record *slot(const struct diag_row *row, uint32_t i)
{
  return &row->runs[(row->runs_first + i) % row->runs_capacity];
}

const struct run_record *runs_at(const struct diag_row *row, uint32_t i)
{
  return i < row->runs_count ? slot(row, i) : NULL;
}

const struct run_record *runs_find(const struct diag_row *row, uint32_t run_index)
{
  for (uint32_t i = 0; i < row->runs_count; i++)
    if (slot(row, i)->index == run_index)
      return slot(row, i);
  return NULL;
}

const struct run_record *runs_after(const struct diag_row *row, uint32_t run_index)
{
  for (uint32_t i = 0; i < row->runs_count; i++)   /* oldest first: increasing */
    if (slot(row, i)->index > run_index)
      return slot(row, i);
  return NULL;
}

void runs_free(struct diag_row *row)
{
  for (uint32_t i = 0; i < row->runs_count; i++)
    record_free(slot(row, i));
  free(row->runs);
  row->runs = NULL;
  row->runs_capacity = row->runs_first = row->runs_count = 0;
}

void runs_set_capacity(struct diag_row *row, uint32_t max_runs)
{
  if (max_runs == row->runs_capacity)
    return;
  while (row->runs_count > max_runs) {      /* the oldest go */
    record_free(slot(row, 0));
    row->runs_first = (row->runs_first + 1) % row->runs_capacity;
    row->runs_count--;
  }
  struct run_record *ring = max_runs ? calloc(max_runs, sizeof *ring) : NULL;
  if (max_runs && !ring)
    return;                                  /* keep the old ring */
  for (uint32_t i = 0; i < row->runs_count; i++)
    ring[i] = *slot(row, i);
  free(row->runs);
  row->runs = ring;
  row->runs_capacity = max_runs;
  row->runs_first = 0;
}

/* A free slot at the newest end, the oldest dropped when full; NULL when
 * the row keeps no runs. */
static struct run_record *push(struct diag_row *row)
{
  if (row->runs_capacity != row->sched.max_runs)
    runs_set_capacity(row, row->sched.max_runs);
  if (row->runs_capacity == 0)
    return NULL;
  if (row->runs_count == row->runs_capacity) {
    record_free(slot(row, 0));
    row->runs_first = (row->runs_first + 1) % row->runs_capacity;
    row->runs_count--;
  }
  struct run_record *rec = slot(row, row->runs_count);
  memset(rec, 0, sizeof *rec);
  row->runs_count++;
  return rec;
}

/* A diagnosis as the run table shows it: cut for a reader at 255 octets
 * (the column's size, and what the store reads back). */
static char *copy_diagnosis(const char *s)
{
  s = s ? s : "";
  return strndup(s, text_clip_readable(s, SIPDIAG_AGENT_TEXT_MAX));
}

static void copy_steps(struct run_record *rec, const sipdiag_result_t *r)
{
  unsigned n = r->n_steps > SIPDIAG_MAX_STEPS ? SIPDIAG_MAX_STEPS : r->n_steps;
  rec->first_step = r->steps_dropped + 1;
  if (!n)
    return;
  rec->steps = calloc(n, sizeof *rec->steps);
  if (!rec->steps)
    return;
  for (unsigned i = 0; i < n; i++) {
    const sipdiag_step_t *st = &r->steps[i];
    struct run_step *d = &rec->steps[i];
    d->offset_ms = st->offset_ms;
    d->cseq = st->cseq;
    d->status = st->status;
    d->kind = (uint8_t)st->kind;
    d->info = strndup(st->info, sizeof st->info);
    if (!d->info)
      break;
    rec->n_steps = (uint16_t)(i + 1);
  }
}

unsigned runs_record(struct diag_row *row)
{
  const sipdiag_result_t *r = row->result;
  bool canceled = row->state == SIPDIAG_STATE_CANCELED;
  int fault = r ? (int)r->fault : SIPDIAG_FAULT_INTERNAL_ERROR;
  int64_t end_ms = r && r->end_ms ? r->end_ms : row->start_ms;
  if (row->stats.last_run_index < UINT32_MAX)
    row->stats.last_run_index++;
  row->result_run_index = row->stats.last_run_index;
  unsigned events = stats_update(&row->stats, fault, canceled, end_ms,
                                 row->sched.failure_threshold);
  struct run_record *rec = r ? push(row) : NULL;
  if (!rec)
    return events;
  rec->index = row->result_run_index;
  rec->start_ms = r->start_ms ? r->start_ms : row->start_ms;
  rec->end_ms = end_ms;
  rec->duration_ms = r->duration_ms;
  rec->code = r->code;
  rec->sip_status = r->sip_status > 0 ? (uint32_t)r->sip_status : 0;
  rec->attempts = r->registers_sent + r->cleanup_registers;
  rec->server_port = r->server_port;
  rec->fault = (uint8_t)fault;
  rec->trigger = (uint8_t)row->trigger;
  if (r->server_address[0]) {
    if (inet_pton(AF_INET, r->server_address, rec->addr) == 1)
      rec->addr_len = 4;
    else if (inet_pton(AF_INET6, r->server_address, rec->addr) == 1)
      rec->addr_len = 16;
  }
  rec->diagnosis = copy_diagnosis(r->diagnosis);
  copy_steps(rec, r);
  return events;
}

bool runs_restore(struct diag_row *row, const struct run_record *saved)
{
  if (row->runs_count && slot(row, row->runs_count - 1)->index >= saved->index)
    return false;                       /* out of order: not what we wrote */
  struct run_record *rec = push(row);
  if (!rec)
    return false;
  *rec = *saved;
  rec->steps = NULL;
  rec->n_steps = 0;
  rec->diagnosis = copy_diagnosis(saved->diagnosis);
  return rec->diagnosis != NULL;
}
