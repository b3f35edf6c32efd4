/*
 * runs.h - the runs a row keeps (sipDiagRunTable, sipDiagHistoryTable) and
 * its counters (sipDiagStats...).
 */
#ifndef SIPDIAGD_RUNS_H
#define SIPDIAGD_RUNS_H

#include "model/row.h"

/* What a run's end means for the notifications: TRAP_* bits of the events
 * that happened (the row's sipDiagTrapGeneration decides which are sent). */
unsigned stats_update(struct row_stats *st, int fault, bool canceled, int64_t end_ms,
                      uint32_t failure_threshold);

/* The run of row->result ended: gives it the next sipDiagRunIndex, keeps
 * it (dropping the oldest beyond sipDiagMaxRuns) and updates the
 * counters.  Returns stats_update()'s events. */
unsigned runs_record(struct diag_row *row);

/* Puts a run read from the store back (its steps are not stored); false
 * when out of memory.  rec->diagnosis is copied. */
bool runs_restore(struct diag_row *row, const struct run_record *rec);

/* sipDiagMaxRuns changed: keeps the newest runs that fit. */
void runs_set_capacity(struct diag_row *row, uint32_t max_runs);

/* The i-th kept run, oldest first (i < row->runs_count). */
const struct run_record *runs_at(const struct diag_row *row, uint32_t i);

/* The kept run with this sipDiagRunIndex, or NULL. */
const struct run_record *runs_find(const struct diag_row *row, uint32_t run_index);

/* The first kept run whose index is above run_index, or NULL. */
const struct run_record *runs_after(const struct diag_row *row, uint32_t run_index);

/* Frees every kept run. */
void runs_free(struct diag_row *row);

#endif /* SIPDIAGD_RUNS_H */
