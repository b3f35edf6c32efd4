/*
 * grid.h - when a periodic row is due: pure functions (scheduler.c).
 */
#ifndef SIPDIAGD_GRID_H
#define SIPDIAGD_GRID_H

#include "model/row.h"

#include <stdint.h>

/* The first due time at or after now_ms on a row's grid: the multiples of
 * period_ms shifted by phase_ms (phase_ms < period_ms).  Pure. */
int64_t schedule_next_due(int64_t now_ms, int64_t period_ms, int64_t phase_ms);

/* The phase of a row on its grid: FNV-1a of owner and name, modulo the
 * period, so rows with one frequency spread over the period. */
int64_t schedule_phase(const struct row_key *key, int64_t period_ms);

#endif /* SIPDIAGD_GRID_H */
