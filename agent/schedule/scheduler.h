/*
 * scheduler.h - the periodic self-tests (sipDiagFrequency).  sipdiagd
 * schedules them itself: OpenWrt's snmpd has no DISMAN-SCHEDULE-MIB.
 */
#ifndef SIPDIAGD_SCHEDULER_H
#define SIPDIAGD_SCHEDULER_H

#include "model/row.h"

#include <stdint.h>

/* Requests the runs that are due; called by the loop each turn. */
void scheduler_tick(void);
/* Milliseconds until the next due run (the loop sleeps no longer); -1 none. */
long scheduler_wait_ms(void);

#endif /* SIPDIAGD_SCHEDULER_H */
