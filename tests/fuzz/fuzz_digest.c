/*
 * fuzz_digest.c - the digest client of engine/digest.c:
 * sipdiag_digest_parse(), _usable(), _pick() and _answer().
 *
 * Input: octet 0 holds options, the rest is text split at newlines.
 *   bit 0 of octet 0 clear: every line is one WWW-Authenticate value;
 *   bit 0 set: the last four lines are user, password, uri and cnonce
 *   (an empty cnonce line means a random one), the others are values.
 *   Bits 1-7: the nonce count (0 is refused, as it must be) and, times 37,
 *   the size of the output buffer when bit 7 is set (else the documented
 *   SIPDIAG_DIGEST_ANSWER_MAX).
 * Each value is parsed, every further challenge in it (c.next) is
 * followed as auth.c does, pick chooses one and answer answers it.  Beyond
 * "no crash": results are documented codes, a failed parse leaves the
 * challenge zeroed, strings are NUL-terminated and inside their limits,
 * next points inside the value, a usable pick answers with OK when the
 * buffer is the documented size, and the answer never holds the password.
 */
#include "fuzz.h"
#include "digest.h"

#include <stdbool.h>

#define MAX_VALUES (SIPDIAG_DIGEST_CHALLENGES_MAX + 4)

static void check_challenge(const sipdiag_digest_challenge_t *c, size_t len, int err)
{
  if (err > 0 || err < SIPDIAG_DIGEST_E_RANDOM)
    abort();
  if (err != SIPDIAG_DIGEST_OK) {
    static const sipdiag_digest_challenge_t zero;
    if (memcmp(c, &zero, sizeof zero) != 0)
      abort();                           /* "with *out zeroed" */
    return;
  }
  if (strnlen(c->realm, sizeof c->realm) >= sizeof c->realm ||
      strnlen(c->nonce, sizeof c->nonce) >= sizeof c->nonce ||
      strnlen(c->opaque, sizeof c->opaque) >= sizeof c->opaque ||
      strnlen(c->algorithm, sizeof c->algorithm) >= sizeof c->algorithm)
    abort();
  if (!c->nonce[0])
    abort();                             /* E_NO_NONCE: missing or empty */
  if (c->next >= len && c->next != 0)
    abort();
  for (const char *s = c->realm; *s; s++)
    if ((unsigned char)*s < 0x20 && *s != '\t')
      abort();
  for (const char *s = c->nonce; *s; s++)
    if ((unsigned char)*s < 0x20 && *s != '\t')
      abort();
  (void)sipdiag_digest_alg_name(c->alg);
  (void)sipdiag_digest_strerror(sipdiag_digest_usable(c));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 1 || size > 3 * SIPDIAG_DIGEST_VALUE_MAX)
    return 0;
  uint8_t opt = data[0];
  char *text = fuzz_strndup(data + 1, size - 1);
  if (!text)
    return 0;
  char *lines[MAX_VALUES + 4];
  size_t n = fuzz_split(text, '\n', lines, MAX_VALUES + 4);
  const char *user = "alice", *password = "s3cr3t-pa55word", *uri = "sip:example.com";
  const char *cnonce = "0a4f113b";
  if ((opt & 1) && n >= 5) {
    user = lines[n - 4];
    password = lines[n - 3];
    uri = lines[n - 2];
    cnonce = lines[n - 1][0] ? lines[n - 1] : NULL;
    n -= 4;
  }
  unsigned nc = (opt >> 1) & 0x3f;
  size_t out_size = opt & 0x80 ? (size_t)((opt >> 1) & 0x3f) * 37u : SIPDIAG_DIGEST_ANSWER_MAX;

  /* values and their further challenges, as sipdiag_auth_take() does */
  const char *values[MAX_VALUES];
  size_t nv = 0;
  for (size_t i = 0; i < n && nv < MAX_VALUES; i++) {
    const char *v = lines[i];
    while (v && *v && nv < MAX_VALUES) {
      sipdiag_digest_challenge_t c;
      size_t len = strlen(v);
      int err = sipdiag_digest_parse(v, len, &c);
      check_challenge(&c, len, err);
      values[nv++] = v;
      if (err != SIPDIAG_DIGEST_OK || !c.next)
        break;
      v += c.next;
    }
  }
  /* a value need not be NUL-terminated: parse a bounded prefix too */
  if (n > 0) {
    size_t len = strlen(lines[0]);
    sipdiag_digest_challenge_t c;
    int err = sipdiag_digest_parse(lines[0], len / 2, &c);
    check_challenge(&c, len / 2, err);
  }

  char offered[SIPDIAG_DIGEST_OFFERED_MAX];
  int chosen = sipdiag_digest_pick(values, nv, offered, (size_t)(opt % 7 == 0 ? 8 : sizeof offered));
  if (strnlen(offered, sizeof offered) >= sizeof offered)
    abort();
  if (chosen >= (int)nv || chosen < -1)
    abort();
  if (chosen >= 0) {
    sipdiag_digest_challenge_t c;
    size_t len = strlen(values[chosen]);
    int err = sipdiag_digest_parse(values[chosen], len, &c);
    if (err != SIPDIAG_DIGEST_OK || sipdiag_digest_usable(&c) != SIPDIAG_DIGEST_OK)
      abort();                            /* pick chose what it should not */
    char *out = malloc(out_size ? out_size : 1);
    if (!out) {
      free(text);
      return 0;
    }
    err = sipdiag_digest_answer(&c, user, password, "REGISTER", uri, nc, cnonce, out, out_size);
    if (err > 0 || err < SIPDIAG_DIGEST_E_RANDOM)
      abort();
    if (out_size) {
      size_t alen = strnlen(out, out_size);
      if (alen >= out_size)
        abort();
      if (err != SIPDIAG_DIGEST_OK && alen != 0)
        abort();                          /* "out set to """ */
      /* a password that cannot be part of the syntax or a hash by chance */
      if (err == SIPDIAG_DIGEST_OK && strlen(password) >= 12 &&
          !strpbrk(password, "\",= ") && strstr(out, password) &&
          !strstr(values[chosen], password) && !strstr(user, password) &&
          !strstr(uri, password) && !(cnonce && strstr(cnonce, password)))
        abort();                          /* the password leaked into the answer */
    }
    /* the documented size is always enough for sane arguments */
    if (out_size == SIPDIAG_DIGEST_ANSWER_MAX && nc > 0 && err == SIPDIAG_DIGEST_E_NO_SPACE &&
        strlen(user) < SIPDIAG_DIGEST_ARG_MAX && strlen(password) < SIPDIAG_DIGEST_ARG_MAX &&
        strlen(uri) < SIPDIAG_DIGEST_ARG_MAX && (!cnonce || strlen(cnonce) < SIPDIAG_DIGEST_CNONCE_MAX))
      abort();
    free(out);
  }
  free(text);
  return 0;
}
