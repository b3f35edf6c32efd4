/*
 * digest.h - SIP digest authentication client (RFC 3261, RFC 7616, RFC 8760).
 *
 * sipdiag answers 401/407 challenges itself instead of relying on sofia-sip's
 * auth_client, which (Debian's 1.12.11) knows only MD5 and MD5-sess and
 * refuses a challenge set that also offers SHA-256.
 *
 * Algorithms: MD5, MD5-sess, SHA-256, SHA-256-sess, SHA-512-256,
 * SHA-512-256-sess (SHA-512/256 of FIPS 180-4; OpenSSL's EVP_sha512_256).
 * Quality of protection: qop=auth; qop=auth-int for an empty body (a
 * REGISTER has none), used only when the server does not offer auth; and
 * the legacy RFC 2617/3261 form without qop when the challenge has none
 * (refused for the -sess algorithms, whose HA1 needs a cnonce the server
 * could not learn).  userhash is not used: username is always sent in clear.
 *
 * Choosing among several challenges (RFC 8760 section 2.4): a server lists
 * its challenges in order of preference, most preferred first, and the UAC
 * SHOULD use the topmost one it supports, ignoring those it does not.
 * sipdiag_digest_pick() does exactly that: the first challenge in header
 * order that parses and that sipdiag_digest_answer() can answer wins.  No
 * local policy (such as "never MD5") reorders them; the realm is not
 * compared (a REGISTER is challenged by one registrar).
 *
 * Every function here is pure apart from the random cnonce: no logging, no
 * global state, thread-safe.  The password never leaves
 * sipdiag_digest_answer(); buffers holding HA1 are wiped with
 * explicit_bzero() before it returns.  Link with libcrypto ($(CRYPTO_LIBS)).
 */
#ifndef SIPDIAG_DIGEST_H
#define SIPDIAG_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

/* --- limits: move to sipdiag_limits.h ------------------------------------
 * Buffer sizes include the terminating NUL, as in sipdiag_limits.h.  A
 * challenge whose field does not fit is refused (SIPDIAG_DIGEST_E_TOO_LONG),
 * never truncated: a truncated nonce would only earn another 401. */
#define SIPDIAG_DIGEST_VALUE_MAX      4096  /* one WWW-/Proxy-Authenticate value */
#define SIPDIAG_DIGEST_PARAMS_MAX     32    /* auth-params in one challenge      */
#define SIPDIAG_DIGEST_REALM_MAX      256
#define SIPDIAG_DIGEST_NONCE_MAX      512
#define SIPDIAG_DIGEST_OPAQUE_MAX     512
#define SIPDIAG_DIGEST_ALG_NAME_MAX   64    /* "SHA-512-256-sess" is 16 + NUL    */
#define SIPDIAG_DIGEST_CNONCE_MAX     128   /* a caller's cnonce; ours is 32 hex */
#define SIPDIAG_DIGEST_ARG_MAX        1024  /* user, password, method, uri       */
#define SIPDIAG_DIGEST_CHALLENGES_MAX 16    /* challenges sipdiag_digest_pick reads */
/* Enough for any Authorization value built from a challenge that parsed and
 * arguments within SIPDIAG_DIGEST_ARG_MAX (quoted strings may double when
 * every character needs a backslash). */
#define SIPDIAG_DIGEST_ANSWER_MAX     (2 * (SIPDIAG_DIGEST_REALM_MAX +        \
                                            SIPDIAG_DIGEST_NONCE_MAX +        \
                                            SIPDIAG_DIGEST_OPAQUE_MAX +       \
                                            SIPDIAG_DIGEST_CNONCE_MAX +       \
                                            2 * SIPDIAG_DIGEST_ARG_MAX) + 512)
/* Text sipdiag_digest_pick() writes about the challenges it saw. */
#define SIPDIAG_DIGEST_OFFERED_MAX    256

/* --- results ------------------------------------------------------------ */

enum {
  SIPDIAG_DIGEST_OK = 0,
  SIPDIAG_DIGEST_E_ARG = -1,            /* NULL pointer, nc 0, CTL in an argument */
  SIPDIAG_DIGEST_E_SYNTAX = -2,         /* not a well-formed challenge            */
  SIPDIAG_DIGEST_E_SCHEME = -3,         /* scheme is not Digest (e.g. Basic)      */
  SIPDIAG_DIGEST_E_TOO_LONG = -4,       /* value or one field above its limit     */
  SIPDIAG_DIGEST_E_TOO_MANY = -5,       /* more than SIPDIAG_DIGEST_PARAMS_MAX    */
  SIPDIAG_DIGEST_E_DUPLICATE = -6,      /* a known parameter given twice          */
  SIPDIAG_DIGEST_E_NO_REALM = -7,
  SIPDIAG_DIGEST_E_NO_NONCE = -8,       /* missing or empty                       */
  SIPDIAG_DIGEST_E_ALGORITHM = -9,      /* algorithm not supported                */
  SIPDIAG_DIGEST_E_QOP = -10,           /* qop offered, but neither auth nor auth-int */
  SIPDIAG_DIGEST_E_SESS_NO_QOP = -11,   /* -sess algorithm without qop            */
  SIPDIAG_DIGEST_E_NO_SPACE = -12,      /* output buffer too small                */
  SIPDIAG_DIGEST_E_CRYPTO = -13,        /* libcrypto failed (e.g. MD5 under FIPS) */
  SIPDIAG_DIGEST_E_RANDOM = -14,        /* no random bytes for the cnonce         */
};

/* A short English phrase for a result above ("unsupported algorithm"). */
const char *sipdiag_digest_strerror(int err);

typedef enum sipdiag_digest_alg {
  SIPDIAG_DIGEST_ALG_UNKNOWN = 0,       /* named, but not one of the below */
  SIPDIAG_DIGEST_ALG_MD5,
  SIPDIAG_DIGEST_ALG_MD5_SESS,
  SIPDIAG_DIGEST_ALG_SHA256,
  SIPDIAG_DIGEST_ALG_SHA256_SESS,
  SIPDIAG_DIGEST_ALG_SHA512_256,
  SIPDIAG_DIGEST_ALG_SHA512_256_SESS,
} sipdiag_digest_alg_t;

/* One parsed challenge.  Strings are unquoted and unescaped, NUL-terminated
 * and free of control characters other than HTAB. */
typedef struct sipdiag_digest_challenge {
  char realm[SIPDIAG_DIGEST_REALM_MAX];
  char nonce[SIPDIAG_DIGEST_NONCE_MAX];
  char opaque[SIPDIAG_DIGEST_OPAQUE_MAX];      /* valid if has_opaque */
  /* The algorithm token exactly as the server wrote it (echoed in the
   * answer); "" when the challenge names none, which means MD5. */
  char algorithm[SIPDIAG_DIGEST_ALG_NAME_MAX];
  sipdiag_digest_alg_t alg;                    /* parsed, case-insensitively */
  bool has_opaque;
  bool has_algorithm;
  bool has_qop;                                /* a qop parameter was present */
  bool qop_auth;                               /* ... and lists "auth"        */
  bool qop_auth_int;                           /* ... and lists "auth-int"    */
  bool stale;                                  /* stale=true                  */
  /* Offset in the value where a further challenge begins ("Digest ...,
   * Digest ..." folded into one header), 0 when none does.  Parse again
   * from there to read it. */
  size_t next;
} sipdiag_digest_challenge_t;

/* Parse the first challenge of ONE WWW-Authenticate / Proxy-Authenticate
 * header field value (without the header name), e.g.
 *   Digest realm="x", nonce="y", qop="auth,auth-int", algorithm=SHA-256
 * len bytes of value are read, no more; value need not be NUL-terminated.
 * Unknown parameters are ignored; names and the scheme are case-insensitive.
 * Returns SIPDIAG_DIGEST_OK, or an error above with *out zeroed.  An
 * unknown algorithm or qop is not a parse error: see alg and
 * sipdiag_digest_usable(). */
int sipdiag_digest_parse(const char *value, size_t len,
                         sipdiag_digest_challenge_t *out);

/* SIPDIAG_DIGEST_OK if sipdiag_digest_answer() can answer c, else the
 * reason (E_ALGORITHM, E_QOP, E_SESS_NO_QOP). */
int sipdiag_digest_usable(const sipdiag_digest_challenge_t *c);

/* The canonical name of a supported algorithm ("SHA-512-256-sess"), NULL
 * for SIPDIAG_DIGEST_ALG_UNKNOWN. */
const char *sipdiag_digest_alg_name(sipdiag_digest_alg_t alg);

/* Choose the challenge to answer among n header values in header order
 * (RFC 8760 section 2.4: the topmost usable one; see the top of this file).
 * NULL entries are skipped; at most SIPDIAG_DIGEST_CHALLENGES_MAX are read.
 * Each value is one challenge: only its first is considered.  sofia-sip
 * keeps "Digest ..., Digest ..." folded into one header as ONE msg_auth_t,
 * so flatten first: for a value v that parses with c.next != 0, add
 * v + c.next as a further entry (it is a C string that starts at the next
 * challenge), and repeat.  From sofia, sip_header_as_string(home,
 * (sip_header_t const *)au) gives exactly the value this parser wants.
 * Returns the index into values, or -1 when none is usable.
 * If offered is not NULL, writes (always, NUL-terminated, truncated with
 * "..." if need be) the list of what was offered, for the diagnosis text:
 *   "SHA-512 (unsupported algorithm), MD5-sess (-sess algorithm without qop)"
 * one entry per value read: the algorithm as the server wrote it ("MD5"
 * when absent), "Digest" for a Digest challenge that did not parse, or the
 * scheme of a non-Digest challenge ("Basic"), each followed by the
 * sipdiag_digest_strerror() reason in parentheses when it was skipped. */
int sipdiag_digest_pick(const char *const values[], size_t n,
                        char *offered, size_t offered_size);

/* Write the Authorization (or Proxy-Authorization) header field VALUE that
 * answers c for this request:
 *   Digest username="..", realm="..", nonce="..", uri="..", response="..",
 *     algorithm=.., cnonce="..", qop=auth, nc=00000001, opaque=".."
 * algorithm appears only when the challenge named one (as it named it);
 * cnonce, qop and nc only when the challenge offered qop; opaque only when
 * it had one.  nc is the nonce count (>= 1) for this nonce; cnonce NULL
 * draws 16 random bytes (getrandom) and writes them as 32 hex digits.
 * method and uri are those of the request line (e.g. "REGISTER",
 * "sip:example.com").  Returns SIPDIAG_DIGEST_OK, or an error with out set
 * to "" (when out_size > 0).  SIPDIAG_DIGEST_ANSWER_MAX is always enough. */
int sipdiag_digest_answer(const sipdiag_digest_challenge_t *c,
                          const char *user, const char *password,
                          const char *method, const char *uri,
                          unsigned nc, const char *cnonce,
                          char *out, size_t out_size);

#endif /* SIPDIAG_DIGEST_H */
