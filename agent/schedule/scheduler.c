/*
 * scheduler.c - the periodic self-tests (scheduler.h).
 *
 * Each active row with sipDiagFrequency F > 0 is due on a grid: every F
 * seconds of the monotonic clock, shifted by a phase taken from a hash of
 * its owner and name, so 100 rows at F = 10 s start about 0.1 s apart
 * rather than together.  A due row starts when it may: not while it runs
 * already (a manager's trigger during the period counts as the period's
 * run), not beyond sipDiagMaxConcurrent, not sooner than the account's
 * minimum interval (sipdiagMinRerunInterval).  It waits for that, and the
 * next due time is the next point of its grid after the start: a row held
 * back for several periods runs once, never a burst of catch-up runs.  A
 * row whose configuration is incomplete runs and ends at once as
 * configIncomplete, sending nothing.
 */
#include "config.h"
#include "agent-snmp.h"
#include "schedule/scheduler.h"
#include "schedule/grid.h"
#include "rows/rows.h"
#include "rows/rerun.h"
#include "config/settings.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* How often the rows are looked at when nothing is due sooner. */
#define SCHEDULER_IDLE_WAIT_MS 1000

static int64_t next_wake_ms = -1;

static int64_t now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whether a run of the row may start now. */
static bool may_start(const struct diag_row *row)
{
  if (rows_in_progress() >= settings_max_concurrent())
    return false;
  bool new_slot;
  return rerun_check(rerun_account_key(&row->cfg), 0, &new_slot) == RERUN_OK;
}

void scheduler_tick(void)
{
  int64_t now = now_ms();
  if (next_wake_ms >= 0 && now < next_wake_ms)
    return;
  int64_t wake = now + SCHEDULER_IDLE_WAIT_MS;
  for (struct diag_row *row = rows_first(); row; row = rows_next(row)) {
    if (row->sched.frequency_s == 0 || row->rowstatus != SD_RS_ACTIVE) {
      row->next_due_ms = 0;
      continue;
    }
    int64_t period = (int64_t)row->sched.frequency_s * 1000;
    if (row->next_due_ms == 0)
      row->next_due_ms = schedule_next_due(now, period, schedule_phase(&row->key, period));
    if (now >= row->next_due_ms) {
      if (row_in_progress(row)) {
        row->next_due_ms = schedule_next_due(now + 1, period, schedule_phase(&row->key, period));
      } else if (may_start(row)) {
        sipdiag_result_t *buf = calloc(1, sizeof *buf);
        if (buf) {
          row_request(row, buf, TRIGGER_SCHEDULE);
          row->next_due_ms = schedule_next_due(now + 1, period,
                                               schedule_phase(&row->key, period));
        }
      } else {
        continue;              /* waits for a slot: looked at each idle wait */
      }
    }
    if (row->next_due_ms < wake)
      wake = row->next_due_ms;
  }
  next_wake_ms = wake;
}

long scheduler_wait_ms(void)
{
  if (next_wake_ms < 0)
    return 0;
  int64_t d = next_wake_ms - now_ms();
  return d < 0 ? 0 : (long)d;
}
