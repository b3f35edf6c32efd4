/*
 * fuzz_sip_response.c - a response from a hostile SIP server, through
 * sofia-sip's own parser (as NTA receives a datagram) and then through
 * every piece of ours that reads it:
 *
 *   sipdiag_response_classify()   the answer kind: 401/407 challenge
 *                                 (sipdiag_auth_take() on WWW-/Proxy-
 *                                 Authenticate), 423 and Min-Expires,
 *                                 other finals, local = silence
 *   sipdiag_auth_answer()         credentials for the kept challenge
 *   sipdiag_judge()               the judging rules, answer after answer
 *   sipdiag_response_note_nat()   Via received/rport (the NAT hint)
 *   sipdiag_result_add_step(), _set_code(), _describe()
 * (a status outside 100-999 is malformedResponse, as diagnosis.c has it)
 *                                 the step and the diagnosis text
 *
 * Input: the bytes of one datagram.  Beyond "no crash": a kept challenge
 * can always be answered, an accepted Min-Expires is within
 * SIPDIAG_MIN_EXPIRES_MAX_S, however the server answers a diagnosis stops
 * within SIPDIAG_MAX_REGISTERS, and every text stays NUL-terminated.
 */
#include "fuzz.h"
#include "sipdiag.h"
#include "verdict.h"
#include "result.h"
#include "auth.h"
#include "response.h"

#include <sofia-sip/su.h>
#include <sofia-sip/msg.h>
#include <sofia-sip/msg_addr.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_util.h>

static msg_t *parse(const uint8_t *data, size_t size)
{
  msg_t *msg = msg_create(sip_default_mclass(), MSG_DO_CANONIC);
  if (!msg)
    return NULL;
  msg_iovec_t iov[2];
  issize_t n = msg_recv_iovec(msg, iov, 2, size, 1);
  if (n < 0 || (size_t)n > 2) {
    msg_destroy(msg);
    return NULL;
  }
  size_t done = 0;
  for (issize_t i = 0; i < n && done < size; i++) {
    size_t part = iov[i].mv_len < size - done ? iov[i].mv_len : size - done;
    memcpy(iov[i].mv_base, data + done, part);
    done += part;
  }
  msg_recv_commit(msg, size, 1);     /* a datagram: end of stream */
  if (msg_extract(msg) <= 0) {
    msg_destroy(msg);
    return NULL;
  }
  return msg;
}

static void check_string(const char *s, size_t size)
{
  if (strnlen(s, size) >= size)
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size == 0 || size > 65535)   /* a UDP datagram */
    return 0;
  msg_t *msg = parse(data, size);
  if (!msg)
    return 0;
  sip_t const *sip = sip_object(msg);
  if (!sip || !sip->sip_status) {
    msg_destroy(msg);
    return 0;
  }
  (void)sip_sanity_check(sip);

  su_home_t *home = su_home_new(sizeof *home);
  static sipdiag_result_t result;      /* large: not on the stack */
  memset(&result, 0, sizeof result);
  sipdiag_auth_t www, proxy;
  memset(&www, 0, sizeof www);
  memset(&proxy, 0, sizeof proxy);
  char detail[SIPDIAG_DIAGNOSIS_MAX] = "";
  sipdiag_response_ctx_t ctx = { home, &www, &proxy, "alice", 3600, false,
                                 detail, sizeof detail };

  int status = sip->sip_status->st_status;
  const char *phrase = sip->sip_status->st_phrase ? sip->sip_status->st_phrase : "";

  sipdiag_response_note_nat(&result, sip);
  check_string(result.nat_seen_as, sizeof result.nat_seen_as);
  check_string(result.nat_local, sizeof result.nat_local);
  result.sip_status = status;
  snprintf(result.sip_reason, sizeof result.sip_reason, "%s", phrase);

  if (status < 100 || status > 999) {
    /* not SIP: diagnosis.c ends the run as malformedResponse, unclassified */
    sipdiag_result_set_code(&result, SIPDIAG_CODE_MALFORMED);
    snprintf(detail, sizeof detail,
             "it answered with status code %d (\"%.40s\"), which is not SIP", status, phrase);
  } else if (status >= 200) {
    sipdiag_result_add_step(&result, SIPDIAG_STEP_RESPONSE, 1, 1, status, false,
                            "%.60s", phrase);
    sipdiag_tally_t tally = { 0 };
    unsigned registers = 1;
    sipdiag_decision_t d;
    /* The same answer again and again: the diagnosis must stop in time. */
    for (;;) {
      sipdiag_answer_t a = sipdiag_response_classify(&ctx, sip, status, false);
      check_string(detail, sizeof detail);
      if (a.kind == SIPDIAG_ANSWER_CHALLENGE && a.answerable) {
        sipdiag_auth_t *auth = status == 407 ? &proxy : &www;
        char out[SIPDIAG_DIGEST_ANSWER_MAX];
        if (!sipdiag_auth_answer(auth, "alice", "secret", "sip:example.com", out, sizeof out))
          abort();                     /* taken, yet not answerable */
        check_string(out, sizeof out);
      }
      if (a.kind == SIPDIAG_ANSWER_TOO_BRIEF && a.answerable &&
          (ctx.expires == 0 || ctx.expires > SIPDIAG_MIN_EXPIRES_MAX_S))
        abort();
      d = sipdiag_judge(&tally, &a, SIPDIAG_DEFAULT_ATTEMPTS, registers);
      if (d.next == SIPDIAG_NEXT_VERDICT || d.next == SIPDIAG_NEXT_SILENCE_VERDICT)
        break;
      if (++registers > SIPDIAG_MAX_REGISTERS)
        abort();                       /* more REGISTERs than the promise */
    }
    if (d.next == SIPDIAG_NEXT_VERDICT) {
      sipdiag_result_set_code(&result, d.code);
      (void)sipdiag_fault_name(result.fault);
    }
    result.registers_sent = registers;
  } else {
    sipdiag_result_add_step(&result, SIPDIAG_STEP_RESPONSE, 1, 1, status, false,
                            "%.60s", phrase);
    snprintf(detail, sizeof detail, "only %d %.40s was received", status, phrase);
  }
  /* a local answer is silence, whatever the message says */
  sipdiag_response_ctx_t local_ctx = ctx;
  sipdiag_answer_t silence = sipdiag_response_classify(&local_ctx, sip, status, true);
  if (silence.kind != SIPDIAG_ANSWER_SILENCE || silence.status != 0)
    abort();

  result.state = SIPDIAG_STATE_COMPLETE;
  sipdiag_result_describe(&result, "sip:registrar.example.com", false, detail);
  check_string(result.diagnosis, sizeof result.diagnosis);
  for (unsigned i = 0; i < result.n_steps; i++)
    check_string(result.steps[i].info, sizeof result.steps[i].info);

  sipdiag_auth_clear(&www);
  sipdiag_auth_clear(&proxy);
  su_home_unref(home);
  msg_destroy(msg);
  return 0;
}
