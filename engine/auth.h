/*
 * auth.h - answering a registrar's or proxy's digest challenges.
 *
 * Glue between sofia's parsed WWW-/Proxy-Authenticate headers and our own
 * RFC 7616 / RFC 8760 digest client (digest.c), which answers MD5, SHA-256
 * and SHA-512-256 where Debian's sofia-sip answers MD5 alone.
 */
#ifndef SIPDIAG_AUTH_H
#define SIPDIAG_AUTH_H

#include <stdbool.h>
#include "digest.h"

struct msg_auth_s;
struct su_home_s;

/* Realms of one 401/407 answered at once (RFC 3261 22.3: a request may
 * need credentials for several, e.g. forking proxies or a registrar that
 * names two); further ones are ignored. */
#define SIPDIAG_AUTH_REALMS_MAX 4

/* The challenges being answered, one per realm, and their nonce counts:
 * challenge is the first realm's (the topmost in the response), more[]
 * those of the other realms, in the order they came. */
typedef struct sipdiag_auth {
  bool active;
  unsigned nc;
  sipdiag_digest_challenge_t challenge;
  unsigned n_more;
  unsigned more_nc[SIPDIAG_AUTH_REALMS_MAX - 1];
  sipdiag_digest_challenge_t more[SIPDIAG_AUTH_REALMS_MAX - 1];
} sipdiag_auth_t;

typedef enum sipdiag_auth_take {
  SIPDIAG_AUTH_TAKEN = 0,       /* a challenge we can answer is kept      */
  SIPDIAG_AUTH_NO_CHALLENGE,    /* the 401/407 carried none               */
  SIPDIAG_AUTH_UNSUPPORTED,     /* none we can answer: see offered        */
} sipdiag_auth_take_t;

/*
 * Keeps the challenges to answer among headers, one per realm (RFC 8760:
 * of a realm's challenges the topmost one we support), replacing any
 * earlier ones of this auth.  Taken when at least one realm can be
 * answered.  offered receives, for the diagnosis, what the server offered
 * when nothing was usable.
 */
sipdiag_auth_take_t sipdiag_auth_take(sipdiag_auth_t *auth, struct su_home_s *home,
                                      struct msg_auth_s const *headers,
                                      char *offered, size_t offered_size);

/* The header value answering the kept challenge for one more request
 * (the nonce count goes up); false when there is none or on error. */
bool sipdiag_auth_answer(sipdiag_auth_t *auth, const char *user, const char *password,
                         const char *uri, char *out, size_t out_size);

/* Realms kept (0 when none); sipdiag_auth_answer_realm answers realm
 * index i (0: the same as sipdiag_auth_answer). */
unsigned sipdiag_auth_realms(const sipdiag_auth_t *auth);
bool sipdiag_auth_answer_realm(sipdiag_auth_t *auth, unsigned i, const char *user,
                               const char *password, const char *uri,
                               char *out, size_t out_size);
/* Some kept challenge says stale=true. */
bool sipdiag_auth_stale(const sipdiag_auth_t *auth);

/* Forgets the challenge; the stored nonce and realm are wiped. */
void sipdiag_auth_clear(sipdiag_auth_t *auth);

#endif /* SIPDIAG_AUTH_H */
