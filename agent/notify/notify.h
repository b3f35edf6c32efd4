/*
 * notify.h - sipDiagComplete, sipDiagFailure and sipDiagRecovered, sent
 * through the AgentX master as a row's sipDiagTrapGeneration asks.
 */
#ifndef SIPDIAGD_NOTIFY_H
#define SIPDIAGD_NOTIFY_H

#include "model/row.h"

#include <stdbool.h>

/* A run of row ended with these events (runs.h): queues what the row's
 * sipDiagTrapGeneration asks for.  Register with rows_on_run_end(). */
void notify_run_end(struct diag_row *row, unsigned events);

/* Sends queued notifications, SIPDIAG_AGENT_NOTIFICATIONS_PER_TURN at
 * most and within SIPDIAG_AGENT_NOTIFICATIONS_PER_SECOND; called by the
 * loop each turn. */
void notify_send_pending(void);
/* Milliseconds until one may be sent (0: now); -1 when none waits. */
long notify_wait_ms(void);
void notify_shutdown(void);

#endif /* SIPDIAGD_NOTIFY_H */
