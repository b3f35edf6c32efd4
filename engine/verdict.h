/*
 * verdict.h - the patent's judging rules, as pure functions.
 *
 * After every answer to a REGISTER the diagnosis asks sipdiag_judge() what
 * to do next: send again (plain, with credentials, with Min-Expires), ping,
 * or stop with a code.  No network here, so the rules are unit-tested alone.
 */
#ifndef SIPDIAG_VERDICT_H
#define SIPDIAG_VERDICT_H

#include <stdbool.h>

/* What one REGISTER transaction ended with. */
typedef enum sipdiag_answer_kind {
  SIPDIAG_ANSWER_SILENCE = 1, /* no final answer: timeout, only 1xx, transport */
  SIPDIAG_ANSWER_CHALLENGE,   /* 401 or 407                                   */
  SIPDIAG_ANSWER_TOO_BRIEF,   /* 423                                          */
  SIPDIAG_ANSWER_FINAL,       /* any other final status                       */
} sipdiag_answer_kind_t;

typedef struct sipdiag_answer {
  sipdiag_answer_kind_t kind;
  int status;        /* the SIP status for every kind but silence          */
  bool answerable;   /* challenge: credentials could be computed;
                        423: a usable Min-Expires was given                 */
} sipdiag_answer_t;

typedef enum sipdiag_next {
  SIPDIAG_NEXT_RESEND = 1,             /* a new attempt, same request       */
  SIPDIAG_NEXT_RESEND_WITH_CREDENTIALS,
  SIPDIAG_NEXT_RESEND_WITH_MIN_EXPIRES,
  SIPDIAG_NEXT_SILENCE_VERDICT,        /* attempts exhausted: ask the pings */
  SIPDIAG_NEXT_VERDICT,                /* stop; code is the result          */
} sipdiag_next_t;

/* Counts consecutive answers of one kind ("judged afresh" on a change). */
typedef struct sipdiag_tally {
  sipdiag_answer_kind_t kind;
  int status;
  unsigned count;
} sipdiag_tally_t;

typedef struct sipdiag_decision {
  sipdiag_next_t next;
  unsigned code;     /* with SIPDIAG_NEXT_VERDICT */
} sipdiag_decision_t;

/*
 * attempts: the configured attempts per kind of answer; registers_sent: how
 * many REGISTERs the diagnosis has sent so far (capped by
 * SIPDIAG_MAX_REGISTERS whatever the server does).
 */
sipdiag_decision_t sipdiag_judge(sipdiag_tally_t *tally,
                                 const sipdiag_answer_t *answer,
                                 unsigned attempts, unsigned registers_sent);

/* The patent's verdict once the attempts met only silence. */
unsigned sipdiag_silence_code(unsigned pings_received);

/* The verdict when the self-diagnosis timer fires first: the last final
 * status the server sent, else what the pings say. */
unsigned sipdiag_timer_code(int last_network_status, unsigned pings_received);

#endif /* SIPDIAG_VERDICT_H */
