/*
 * auth.c - answering a registrar's or proxy's digest challenges.
 */
#include "auth.h"

#include <string.h>

#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>

sipdiag_auth_take_t sipdiag_auth_take(sipdiag_auth_t *auth, su_home_t *home,
                                      msg_auth_t const *headers,
                                      char *offered, size_t offered_size)
{
  const char *values[SIPDIAG_DIGEST_CHALLENGES_MAX];
  size_t n = 0;

  if (offered && offered_size)
    offered[0] = '\0';
  sipdiag_auth_clear(auth);
  if (!headers)
    return SIPDIAG_AUTH_NO_CHALLENGE;

  /* One value per challenge: sofia keeps "Digest ..., Digest ..." written
   * in one header as one entry, so follow each value's further challenges. */
  for (msg_auth_t const *au = headers; au && n < SIPDIAG_DIGEST_CHALLENGES_MAX; au = au->au_next) {
    const char *v = sip_header_as_string(home, (sip_header_t const *)au);
    while (v && *v && n < SIPDIAG_DIGEST_CHALLENGES_MAX) {
      sipdiag_digest_challenge_t c;
      values[n++] = v;
      if (sipdiag_digest_parse(v, strlen(v), &c) != SIPDIAG_DIGEST_OK || !c.next)
        break;
      v += c.next;
    }
  }
  int chosen = sipdiag_digest_pick(values, n, offered, offered_size);
  if (chosen < 0)
    return SIPDIAG_AUTH_UNSUPPORTED;
  if (sipdiag_digest_parse(values[chosen], strlen(values[chosen]), &auth->challenge)
      != SIPDIAG_DIGEST_OK)
    return SIPDIAG_AUTH_UNSUPPORTED;
  auth->active = true;
  auth->nc = 0;
  return SIPDIAG_AUTH_TAKEN;
}

bool sipdiag_auth_answer(sipdiag_auth_t *auth, const char *user, const char *password,
                         const char *uri, char *out, size_t out_size)
{
  if (!auth->active)
    return false;
  auth->nc++;
  return sipdiag_digest_answer(&auth->challenge, user, password, "REGISTER", uri,
                               auth->nc, NULL, out, out_size) == SIPDIAG_DIGEST_OK;
}

void sipdiag_auth_clear(sipdiag_auth_t *auth)
{
  explicit_bzero(auth, sizeof *auth);
}
