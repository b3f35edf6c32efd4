/*
 * auth.c - answering a registrar's or proxy's digest challenges.
 */
#include "config.h"       /* first: a 64-bit off_t on 32-bit builds */
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
  /* For the diagnosis: what was offered, when nothing at all is usable. */
  if (sipdiag_digest_pick(values, n, offered, offered_size) < 0)
    return SIPDIAG_AUTH_UNSUPPORTED;

  /* RFC 3261 22.3: one answer per realm; RFC 8760 within each realm. */
  char realms[SIPDIAG_AUTH_REALMS_MAX][SIPDIAG_DIGEST_REALM_MAX];
  unsigned n_realms = 0;
  for (size_t i = 0; i < n; i++) {
    sipdiag_digest_challenge_t c;
    if (sipdiag_digest_parse(values[i], strlen(values[i]), &c) != SIPDIAG_DIGEST_OK)
      continue;
    bool known = false;
    for (unsigned k = 0; k < n_realms && !known; k++)
      known = strcmp(realms[k], c.realm) == 0;
    if (!known && n_realms < SIPDIAG_AUTH_REALMS_MAX)
      memcpy(realms[n_realms++], c.realm, sizeof c.realm);
    explicit_bzero(&c, sizeof c);
  }
  for (unsigned k = 0; k < n_realms; k++) {
    const char *of_realm[SIPDIAG_DIGEST_CHALLENGES_MAX];
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
      sipdiag_digest_challenge_t c;
      if (sipdiag_digest_parse(values[i], strlen(values[i]), &c) == SIPDIAG_DIGEST_OK &&
          strcmp(c.realm, realms[k]) == 0)
        of_realm[m++] = values[i];
      explicit_bzero(&c, sizeof c);
    }
    int chosen = sipdiag_digest_pick(of_realm, m, NULL, 0);
    if (chosen < 0)
      continue;   /* a realm we cannot answer: the others still are */
    sipdiag_digest_challenge_t *slot = !auth->active ? &auth->challenge
                                                     : &auth->more[auth->n_more];
    if (sipdiag_digest_parse(of_realm[chosen], strlen(of_realm[chosen]), slot)
        != SIPDIAG_DIGEST_OK)
      continue;
    if (!auth->active)
      auth->active = true;
    else
      auth->n_more++;
  }
  explicit_bzero(realms, sizeof realms);
  return auth->active ? SIPDIAG_AUTH_TAKEN : SIPDIAG_AUTH_UNSUPPORTED;
}

unsigned sipdiag_auth_realms(const sipdiag_auth_t *auth)
{
  return auth->active ? 1 + auth->n_more : 0;
}

bool sipdiag_auth_answer_realm(sipdiag_auth_t *auth, unsigned i, const char *user,
                               const char *password, const char *uri,
                               char *out, size_t out_size)
{
  if (i == 0)
    return sipdiag_auth_answer(auth, user, password, uri, out, out_size);
  if (!auth->active || i > auth->n_more)
    return false;
  auth->more_nc[i - 1]++;
  return sipdiag_digest_answer(&auth->more[i - 1], user, password, "REGISTER", uri,
                               auth->more_nc[i - 1], NULL, out, out_size) == SIPDIAG_DIGEST_OK;
}

bool sipdiag_auth_stale(const sipdiag_auth_t *auth)
{
  if (!auth->active)
    return false;
  bool stale = auth->challenge.stale;
  for (unsigned i = 0; i < auth->n_more; i++)
    stale |= auth->more[i].stale;
  return stale;
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
