/*
 * result.h - filling a sipdiag_result_t: steps and the diagnosis sentence.
 */
#ifndef SIPDIAG_RESULT_H
#define SIPDIAG_RESULT_H

#include "sipdiag.h"

/* Appends a step; when the history is full the oldest step is dropped. */
void sipdiag_result_add_step(sipdiag_result_t *r, sipdiag_step_kind_t kind,
                             uint32_t offset_ms, uint32_t cseq, int status,
                             bool cleanup, const char *fmt, ...)
  __attribute__((format(printf, 7, 8)));

/* Sets code and fault together. */
void sipdiag_result_set_code(sipdiag_result_t *r, unsigned code);

/*
 * Writes r->diagnosis: one sentence naming the account, what was found and
 * what to check.  detail: what the engine knows beyond the result fields
 * (the configuration problems, a local error...), may be "".
 */
void sipdiag_result_describe(sipdiag_result_t *r, const char *registrar,
                             bool timer_expired, const char *detail);

#endif /* SIPDIAG_RESULT_H */
