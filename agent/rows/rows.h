/*
 * rows.h - the rows of sipDiagTable and the diagnosis each one runs.
 *
 * One thread: the loop.  The SNMP handlers read rows and, for SETs, stage
 * changes and hand them over here in COMMIT; the scheduler asks for runs;
 * the engine's results arrive here.  A run never starts inside a SET: a
 * requested row is started by rows_start_pending() from the loop.
 */
#ifndef SIPDIAGD_ROWS_H
#define SIPDIAGD_ROWS_H

#include "model/row.h"
#include "agent-snmp.h"

struct su_root_s;

int rows_init(struct su_root_s *root);      /* 0 or -1 */
void rows_shutdown(void);
struct netsnmp_tdata_s *rows_tdata(void);

struct diag_row *rows_find(const struct row_key *key);
struct diag_row *rows_first(void);
struct diag_row *rows_next(const struct diag_row *row);
/* The first row whose index OID is greater than idx (len sub-ids). */
struct diag_row *rows_after_oid(const oid *idx, size_t len);
unsigned rows_count(void);
unsigned rows_in_progress(void);            /* requested + running          */
uint32_t rows_started_total(void);
uint32_t rows_completed_total(void);

/* A detached row with the MIB's defaults (NULL on ENOMEM). */
struct diag_row *row_alloc(const struct row_key *key);
/* Prepares the tdata row of a detached row (false on ENOMEM). */
bool row_prepare(struct diag_row *row);
/* Puts a prepared row into the table (false when the container refuses). */
bool rows_insert(struct diag_row *row);
/* Takes a row out of the table again (undo of rows_insert). */
void rows_unlink(struct diag_row *row);
/* Frees a detached row. */
void row_free(struct diag_row *row);
/* Aborts its run (no notification), removes it from the table, frees it. */
void rows_destroy(struct diag_row *row);

/* Discards the latest result (state none); kept runs and counters stay. */
void row_clear_results(struct diag_row *row);
/* Discards the latest result, the kept runs and the counters. */
void row_reset(struct diag_row *row);
/* Marks the row requested; buf (owned by the row from now on) receives
 * the result. */
void row_request(struct diag_row *row, sipdiag_result_t *buf, enum run_trigger trigger);
/* Stops a run without a result or notification, and clears results. */
void row_abort(struct diag_row *row);
/* Stops a requested or running run: state canceled, fault canceled. */
void row_cancel(struct diag_row *row);
bool row_in_progress(const struct diag_row *row);
/* Starts requested rows, a bounded number per call (the loop's turn). */
void rows_start_pending(void);
bool rows_starts_pending(void);
/* Elapsed milliseconds of the run in progress. */
uint32_t row_elapsed_ms(const struct diag_row *row);

/* Told when a run ends (complete or canceled, never for an abort), after
 * the row's counters and kept runs took it in: events are runs.h's. */
typedef void rows_run_end_f(struct diag_row *row, unsigned events);
void rows_on_run_end(rows_run_end_f *callback);

/* Something the store keeps changed: a manager's configuration (written
 * soon), or results only (written within SIPDIAG_AGENT_STORE_RESULTS_DELAY_S). */
void rows_config_changed(void);
void rows_results_changed(const struct diag_row *row);
/* Whether the store keeps this row's configuration / its runs and counters. */
bool row_config_is_stored(const struct diag_row *row);
bool row_results_are_stored(const struct diag_row *row);

#endif /* SIPDIAGD_ROWS_H */
