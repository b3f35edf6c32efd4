/*
 * scheduler.h - the periodic self-tests (sipDiagFrequency).  sipdiagd
 * schedules them itself: OpenWrt's snmpd has no DISMAN-SCHEDULE-MIB.
 */
#ifndef SIPDIAGD_SCHEDULER_H
#define SIPDIAGD_SCHEDULER_H

#include "rows/row.h"

#include <stdint.h>

/* The first due time at or after now_ms on a row's grid: the multiples of
 * period_ms shifted by phase_ms (phase_ms < period_ms).  Pure. */
int64_t schedule_next_due(int64_t now_ms, int64_t period_ms, int64_t phase_ms);

/* The phase of a row on its grid: FNV-1a of owner and name, modulo the
 * period, so rows with one frequency spread over the period. */
int64_t schedule_phase(const struct row_key *key, int64_t period_ms);

/* Requests the runs that are due; called by the loop each turn. */
void scheduler_tick(void);
/* Milliseconds until the next due run (the loop sleeps no longer); -1 none. */
long scheduler_wait_ms(void);

#endif /* SIPDIAGD_SCHEDULER_H */
