/*
 * verdict.c - the patent's judging rules (claims 4-10, fig. 3-12).
 */
#include "verdict.h"
#include "sipdiag.h"

sipdiag_decision_t sipdiag_judge(sipdiag_tally_t *tally,
                                 const sipdiag_answer_t *answer,
                                 unsigned attempts, unsigned registers_sent)
{
  sipdiag_decision_t d = { SIPDIAG_NEXT_VERDICT, (unsigned)answer->status };

  /* A different answer than last time is judged afresh. */
  if (tally->kind != answer->kind || tally->status != answer->status) {
    tally->kind = answer->kind;
    tally->status = answer->status;
    tally->count = 0;
  }
  tally->count++;

  bool exhausted = tally->count >= attempts ||
                   registers_sent >= SIPDIAG_MAX_REGISTERS;

  switch (answer->kind) {
  case SIPDIAG_ANSWER_SILENCE:
    d.next = exhausted ? SIPDIAG_NEXT_SILENCE_VERDICT : SIPDIAG_NEXT_RESEND;
    d.code = 0;
    break;
  case SIPDIAG_ANSWER_CHALLENGE:
    if (!exhausted && answer->answerable)
      d.next = SIPDIAG_NEXT_RESEND_WITH_CREDENTIALS;
    break;
  case SIPDIAG_ANSWER_TOO_BRIEF:
    if (!exhausted && answer->answerable)
      d.next = SIPDIAG_NEXT_RESEND_WITH_MIN_EXPIRES;
    break;
  case SIPDIAG_ANSWER_FINAL:
    break;
  }
  return d;
}

unsigned sipdiag_silence_code(unsigned pings_received)
{
  return pings_received > 0 ? SIPDIAG_CODE_SERVER_NO_RESPONSE
                            : SIPDIAG_CODE_NETWORK_UNREACHABLE;
}

unsigned sipdiag_timer_code(int last_network_status, unsigned pings_received)
{
  if (last_network_status >= 200)
    return (unsigned)last_network_status;
  return sipdiag_silence_code(pings_received);
}
