/*
 * response.c - what a final answer to a REGISTER means (see response.h).
 *
 * Kept apart from register.c, so that the fuzz target can reach it
 * without a network.
 */
#include "config.h"       /* first: a 64-bit off_t on 32-bit builds */
#include "response.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>

bool sipdiag_response_take_challenge(sipdiag_response_ctx_t *ctx,
                                     sip_t const *sip, int status)
{
  msg_auth_t const *offered = status == 407
    ? (msg_auth_t const *)sip->sip_proxy_authenticate
    : (msg_auth_t const *)sip->sip_www_authenticate;
  sipdiag_auth_t *auth = status == 407 ? ctx->auth_proxy : ctx->auth_www;
  char algorithms[SIPDIAG_DIGEST_OFFERED_MAX];

  /* Credentials are computed from the fresh challenge alone. */
  switch (sipdiag_auth_take(auth, ctx->home, offered, algorithms, sizeof algorithms)) {
  case SIPDIAG_AUTH_NO_CHALLENGE:
    snprintf(ctx->detail, ctx->detail_size, " (the %d carried no challenge)", status);
    return false;
  case SIPDIAG_AUTH_UNSUPPORTED:
    ctx->algorithm_unsupported = true;
    snprintf(ctx->detail, ctx->detail_size,
             " with only digest challenges the terminal cannot answer: %.200s", algorithms);
    return false;
  case SIPDIAG_AUTH_TAKEN:
    break;
  }
  ctx->algorithm_unsupported = false;
  unsigned realms = sipdiag_auth_realms(auth);
  if (realms > 1)
    snprintf(ctx->detail, ctx->detail_size, " for user '%.60s' (digest %.20s, %u realms)",
             ctx->auth_user, sipdiag_digest_alg_name(auth->challenge.alg), realms);
  else
    snprintf(ctx->detail, ctx->detail_size, " for user '%.60s' (digest %.20s)", ctx->auth_user,
             sipdiag_digest_alg_name(auth->challenge.alg));
  return true;
}

sipdiag_answer_t sipdiag_response_classify(sipdiag_response_ctx_t *ctx,
                                           sip_t const *sip, int status, bool local)
{
  sipdiag_answer_t a = { SIPDIAG_ANSWER_FINAL, status, false, false, false };
  if (local) {
    a.kind = SIPDIAG_ANSWER_SILENCE;
    a.status = 0;
  } else if (status == 401 || status == 407) {
    a.kind = SIPDIAG_ANSWER_CHALLENGE;
    a.answerable = sipdiag_response_take_challenge(ctx, sip, status);
  } else if (status == 423) {
    a.kind = SIPDIAG_ANSWER_TOO_BRIEF;
    unsigned min = sip->sip_min_expires ? (unsigned)sip->sip_min_expires->me_delta : 0;
    if (min == 0) {
      snprintf(ctx->detail, ctx->detail_size, "%s", " without a Min-Expires header");
    } else if (min > SIPDIAG_MIN_EXPIRES_MAX_S) {
      snprintf(ctx->detail, ctx->detail_size,
               " with an absurd Min-Expires of %u s", min);
    } else if (min <= ctx->expires) {
      /* Nothing to adjust: the same REGISTER again would meet the same
       * answer (RFC 3261 10.3 step 7 asks for a minimum above what was sent). */
      snprintf(ctx->detail, ctx->detail_size,
               " with a Min-Expires of %u s, which is not above the %u s sent", min,
               ctx->expires);
    } else {
      a.answerable = true;
      ctx->expires = min;
      snprintf(ctx->detail, ctx->detail_size,
               " even with Expires %u (Min-Expires %u)", ctx->expires, min);
    }
  }
  return a;
}

void sipdiag_response_note_nat(sipdiag_result_t *r, sip_t const *sip)
{
  sip_via_t const *via = sip ? sip->sip_via : NULL;
  if (!via || !via->v_host)
    return;
  const char *port = via->v_port ? via->v_port : "5060";
  bool other_address = via->v_received && strcasecmp(via->v_received, via->v_host) != 0;
  bool other_port = via->v_rport && *via->v_rport && strcmp(via->v_rport, port) != 0;
  if (!other_address && !other_port)
    return;
  r->nat_detected = true;
  snprintf(r->nat_seen_as, sizeof r->nat_seen_as, "%.63s:%.7s",
           via->v_received ? via->v_received : via->v_host,
           via->v_rport && *via->v_rport ? via->v_rport : port);
  snprintf(r->nat_local, sizeof r->nat_local, "%.63s:%.7s", via->v_host, port);
}
