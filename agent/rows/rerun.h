/*
 * rerun.h - the minimum interval between two diagnoses of one SIP account
 * (sipdiagMinRerunInterval, SIPDIAG_AGENT_MIN_RERUN_INTERVAL_MS): per
 * account (registrar host + AOR, whichever row names it), not while one
 * runs, not sooner than the interval after the last one ended.
 */
#ifndef SIPDIAGD_RERUN_H
#define SIPDIAGD_RERUN_H

#include "model/row.h"

void rerun_init(void);          /* the configuration token */

/* The SIP account a configuration names, hashed (FNV-1a, 64 bits). */
uint64_t rerun_account_key(const struct row_config *cfg);

enum rerun_verdict { RERUN_OK, RERUN_BUSY, RERUN_TOO_SOON, RERUN_NO_ROOM };
/* Whether a diagnosis of that account may be requested now.  new_slots:
 * accounts the same SET requests that take a new entry (*new_slot: this
 * one does too). */
enum rerun_verdict rerun_check(uint64_t key, unsigned new_slots, bool *new_slot);
/* False when sipdiagMinRerunInterval is 0: no limit of any kind. */
bool rerun_limited(void);
/* Milliseconds until a diagnosis of the account may start (0: now). */
uint32_t rerun_wait_ms(uint64_t key);

/* A diagnosis of the account was requested; it ended. */
void rerun_started(const struct row_config *cfg);
void rerun_ended(const struct row_config *cfg);

#endif /* SIPDIAGD_RERUN_H */
