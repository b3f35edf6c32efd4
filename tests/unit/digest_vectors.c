/*
 * digest_vectors.c - the digest client on known answers and hostile input.
 *
 * Known answers: RFC 7616 section 3.9.1 (MD5 and SHA-256, user Mufasa),
 * RFC 2617 section 3.5 (MD5, qop=auth), and vectors computed independently
 * with python3 hashlib for the legacy form without qop, the -sess
 * algorithms, SHA-512-256 and auth-int (the formula is in each comment).
 * Then the parser on edge cases, every prefix of a challenge in a buffer of
 * exactly that size (so that the address sanitizer sees any over-read), a
 * deterministic mutation fuzz, the answer's buffer limits, and the
 * RFC 8760 section 2.4 choice among several challenges.
 */
#include "check.h"
#include "digest.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static sipdiag_digest_challenge_t ch;
static char out[SIPDIAG_DIGEST_ANSWER_MAX];

static int parse_str(const char *s)
{
  return sipdiag_digest_parse(s, strlen(s), &ch);
}

/* The response="..." of an answer, or "" */
static const char *response_of(const char *answer)
{
  static char r[130];
  const char *p = strstr(answer, "response=\"");
  r[0] = '\0';
  if (p) {
    p += strlen("response=\"");
    size_t n = strcspn(p, "\"");
    if (n < sizeof r) {
      memcpy(r, p, n);
      r[n] = '\0';
    }
  }
  return r;
}

/* Parse value, answer it, compare the response with the expected one. */
static void vector(const char *name, const char *value, const char *user, const char *pw,
                   const char *method, const char *uri, unsigned nc, const char *cnonce,
                   const char *expected)
{
  int rc = parse_str(value);
  CHECK(rc == SIPDIAG_DIGEST_OK, "%s: parse: %s", name, sipdiag_digest_strerror(rc));
  rc = sipdiag_digest_answer(&ch, user, pw, method, uri, nc, cnonce, out, sizeof out);
  CHECK(rc == SIPDIAG_DIGEST_OK, "%s: answer: %s", name, sipdiag_digest_strerror(rc));
  CHECK(strcmp(response_of(out), expected) == 0, "%s: response %s, expected %s (%s)", name,
        response_of(out), expected, out);
  CHECK(strstr(out, pw) == NULL, "%s: password in the answer: %s", name, out);
}

/* ------------------------------------------------------------ known answers */

static void test_rfc7616(void)
{
  static const char *const nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
  static const char *const cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
  /* As printed in the RFC, folded over several lines. */
  static const char *const sha256 =
      "Digest\r\n    realm=\"http-auth@example.org\",\r\n    qop=\"auth, auth-int\",\r\n"
      "    algorithm=SHA-256,\r\n"
      "    nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\",\r\n"
      "    opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
  static const char *const md5 =
      "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=MD5, "
      "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
      "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";

  vector("RFC 7616 SHA-256", sha256, "Mufasa", "Circle of Life", "GET", "/dir/index.html", 1,
         cnonce, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  CHECK(ch.alg == SIPDIAG_DIGEST_ALG_SHA256, "alg %d", (int)ch.alg);
  CHECK(ch.qop_auth && ch.qop_auth_int && ch.has_qop, "qop flags");
  CHECK(strcmp(ch.nonce, nonce) == 0, "nonce '%s'", ch.nonce);
  CHECK(strcmp(out,
               "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", "
               "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", uri=\"/dir/index.html\", "
               "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", "
               "algorithm=SHA-256, cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", "
               "qop=auth, nc=00000001, opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"") == 0,
        "full answer: %s", out);

  vector("RFC 7616 MD5", md5, "Mufasa", "Circle of Life", "GET", "/dir/index.html", 1, cnonce,
         "8ca523f5e9506fed4657c9700eebdbec");
  CHECK(ch.alg == SIPDIAG_DIGEST_ALG_MD5, "alg %d", (int)ch.alg);
  CHECK_CONTAINS(out, ", algorithm=MD5, ");
}

static void test_rfc2617(void)
{
  vector("RFC 2617 MD5 qop=auth",
         "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
         "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
         "Mufasa", "Circle Of Life", "GET", "/dir/index.html", 1, "0a4f113b",
         "6629fae49393a05397450978507c4ef1");
  /* no algorithm in the challenge: none in the answer (MD5 is implied) */
  CHECK(strstr(out, "algorithm") == NULL, "algorithm echoed though absent: %s", out);
  CHECK_CONTAINS(out, ", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
}

/* python3: H=lambda a,s: hashlib.new(a, s.encode()).hexdigest()
 *   HA1 = H(a, "bob:sip.example.com:zanzibar")            (-sess: H(a, HA1:nonce:cnonce))
 *   HA2 = H(a, "REGISTER:sip:sip.example.com")            (auth-int: H(a, m:uri:H(a,"")))
 *   no qop:   H(a, HA1:nonce:HA2)
 *   qop:      H(a, HA1:nonce:nc:cnonce:qop:HA2)
 * with nonce ea9c8e88df84f1cec4341ae6cbe5a359, cnonce 0a4f113b. */
#define BOB_REALM_NONCE "realm=\"sip.example.com\", nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\""

static void bob(const char *name, const char *params, unsigned nc, const char *expected)
{
  char value[512];
  snprintf(value, sizeof value, "Digest " BOB_REALM_NONCE "%s", params);
  vector(name, value, "bob", "zanzibar", "REGISTER", "sip:sip.example.com", nc, "0a4f113b",
         expected);
}

static void test_computed(void)
{
  bob("MD5 without qop (RFC 2617/3261 legacy)", "", 1, "6bac79bc7c54e9de5e3c9e6f815860e0");
  CHECK(strcmp(out, "Digest username=\"bob\", realm=\"sip.example.com\", "
                    "nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", uri=\"sip:sip.example.com\", "
                    "response=\"6bac79bc7c54e9de5e3c9e6f815860e0\"") == 0,
        "legacy answer: %s", out);
  bob("MD5 without qop, explicit algorithm", ", algorithm=MD5", 1,
      "6bac79bc7c54e9de5e3c9e6f815860e0");
  CHECK(strstr(out, "cnonce") == NULL && strstr(out, "qop") == NULL && strstr(out, "nc=") == NULL,
        "legacy answer with qop fields: %s", out);
  bob("SHA-256 without qop", ", algorithm=SHA-256", 1,
      "a9ca5d1c387fb7fbfb09327ef66bb684e5a8e84b97b82ddcba3b25ac318654f0");
  bob("SHA-512-256", ", algorithm=SHA-512-256, qop=\"auth\"", 1,
      "a530e5b3a178d89fc59a36021b5c00cbb43e4bd8fafe517d83e9e3ac5ff588a8");
  CHECK(ch.alg == SIPDIAG_DIGEST_ALG_SHA512_256, "alg %d", (int)ch.alg);
  CHECK_CONTAINS(out, ", algorithm=SHA-512-256, cnonce=\"0a4f113b\", qop=auth, nc=00000001");
  bob("SHA-512-256-sess nc=2", ", algorithm=SHA-512-256-sess, qop=\"auth\"", 2,
      "d18607bb668647fdca1cfa8d1f20acaf531f0432241282f68d2a0a9579f56708");
  CHECK_CONTAINS(out, "nc=00000002");
  bob("SHA-256-sess", ", algorithm=SHA-256-sess, qop=\"auth\"", 1,
      "168ff2dfcfce1c1af2df1133d21c300d96aa260caf7d8e36b511e4bf738f0e28");
  bob("MD5-sess", ", algorithm=MD5-sess, qop=auth", 1, "41d81909e0837bd772f8ee6596940b98");
  bob("SHA-256 auth-int only, nc=10", ", algorithm=SHA-256, qop=\"auth-int\"", 10,
      "f5c14999bd28c73bb1586e6c5c8d548897dbbb477f6cb5415ad6e3117ddf50c5");
  CHECK_CONTAINS(out, "qop=auth-int, nc=0000000a");
  /* algorithm token echoed exactly as the server wrote it */
  bob("lower-case algorithm", ", ALGORITHM=sha-512-256, QOP=\"AUTH\"", 1,
      "a530e5b3a178d89fc59a36021b5c00cbb43e4bd8fafe517d83e9e3ac5ff588a8");
  CHECK_CONTAINS(out, ", algorithm=sha-512-256, ");
  /* quoted algorithm (seen from some servers) is understood, echoed as a token */
  bob("quoted algorithm", ", algorithm=\"SHA-256\"", 1,
      "a9ca5d1c387fb7fbfb09327ef66bb684e5a8e84b97b82ddcba3b25ac318654f0");
  CHECK_CONTAINS(out, ", algorithm=SHA-256");

  /* escaped quotes: the hash sees the unescaped realm, the answer re-escapes it */
  vector("escaped realm",
         "Digest realm=\"say \\\"hi\\\" \\\\ ok\", nonce=n1, qop=auth, algorithm=SHA-256",
         "bob", "zanzibar", "REGISTER", "sip:x", 1, "c1",
         "00f0eb9dbb0887c6f3f58b154f268c9de77e3a70e58040c04b37a7af6807de54");
  CHECK(strcmp(ch.realm, "say \"hi\" \\ ok") == 0, "realm '%s'", ch.realm);
  CHECK_CONTAINS(out, "realm=\"say \\\"hi\\\" \\\\ ok\"");
}

static void test_random_cnonce(void)
{
  char a[SIPDIAG_DIGEST_ANSWER_MAX], b[SIPDIAG_DIGEST_ANSWER_MAX];
  CHECK(parse_str("Digest realm=r, nonce=n, qop=auth, algorithm=SHA-256") == 0, "parse");
  CHECK(sipdiag_digest_answer(&ch, "u", "p", "REGISTER", "sip:r", 1, NULL, a, sizeof a) == 0,
        "answer a");
  CHECK(sipdiag_digest_answer(&ch, "u", "p", "REGISTER", "sip:r", 1, NULL, b, sizeof b) == 0,
        "answer b");
  const char *ca = strstr(a, "cnonce=\""), *cb = strstr(b, "cnonce=\"");
  CHECK(ca && cb, "no cnonce: %s / %s", a, b);
  if (ca && cb) {
    ca += 8, cb += 8;
    size_t n = strspn(ca, "0123456789abcdef");
    CHECK(n == 32 && ca[n] == '"', "cnonce not 32 hex digits: %s", a);
    CHECK(strncmp(ca, cb, 32) != 0, "two random cnonces are equal: %.32s", ca);
  }
}

/* ------------------------------------------------------------------ parser */

static void test_parser(void)
{
  int rc;

  rc = parse_str("Digest realm=\"a, b=c\", nonce=\"x,y\", qop=\"auth\"");
  CHECK(rc == 0 && strcmp(ch.realm, "a, b=c") == 0 && strcmp(ch.nonce, "x,y") == 0,
        "quoted commas: rc %d realm '%s' nonce '%s'", rc, ch.realm, ch.nonce);
  CHECK(ch.alg == SIPDIAG_DIGEST_ALG_MD5 && !ch.has_algorithm, "default algorithm");

  rc = parse_str("digest REALM=\"r\", Nonce=\"n\", AlGoRiThM=Sha-256, STALE=TRUE, Opaque=\"\"");
  CHECK(rc == 0, "case-insensitive names: %s", sipdiag_digest_strerror(rc));
  CHECK(ch.alg == SIPDIAG_DIGEST_ALG_SHA256 && strcmp(ch.algorithm, "Sha-256") == 0,
        "algorithm %d '%s'", (int)ch.alg, ch.algorithm);
  CHECK(ch.stale && ch.has_opaque && ch.opaque[0] == '\0', "stale/opaque");
  CHECK(parse_str("Digest realm=r, nonce=n, stale=false") == 0 && !ch.stale, "stale=false");

  rc = parse_str("Digest realm=\"r\", domain=\"sip:a.example, sip:b.example\", x-foo=bar, "
                 "charset=UTF-8, userhash=false, nonce=\"n\", y=\"\\\"q\\\"\"");
  CHECK(rc == 0 && strcmp(ch.nonce, "n") == 0, "unknown parameters: %s",
        sipdiag_digest_strerror(rc));

  CHECK(parse_str("  Digest  realm = \"r\" ,nonce= n ,, ,qop =\"auth-int , auth\"  ") == 0 &&
            ch.qop_auth && ch.qop_auth_int,
        "white space and empty list elements");

  CHECK(parse_str("Digest realm=\"r\", qop=\"auth\"") == SIPDIAG_DIGEST_E_NO_NONCE, "no nonce");
  CHECK(parse_str("Digest realm=\"r\", nonce=\"\"") == SIPDIAG_DIGEST_E_NO_NONCE, "empty nonce");
  CHECK(parse_str("Digest nonce=\"n\"") == SIPDIAG_DIGEST_E_NO_REALM, "no realm");
  CHECK(parse_str("Digest") == SIPDIAG_DIGEST_E_NO_REALM, "scheme only");
  CHECK(parse_str("") == SIPDIAG_DIGEST_E_SYNTAX, "empty value");
  CHECK(parse_str("   ") == SIPDIAG_DIGEST_E_SYNTAX, "blank value");
  CHECK(parse_str("Basic realm=\"r\"") == SIPDIAG_DIGEST_E_SCHEME, "Basic");
  CHECK(parse_str("Digestrealm=\"r\", nonce=n") == SIPDIAG_DIGEST_E_SCHEME, "glued scheme");
  CHECK(parse_str("Digest realm=\"r, nonce=\"n\"") == SIPDIAG_DIGEST_E_SYNTAX, "quote inside");
  CHECK(parse_str("Digest nonce=n, realm=\"unterminated") == SIPDIAG_DIGEST_E_SYNTAX,
        "unterminated quote");
  CHECK(parse_str("Digest nonce=n, realm=\"ends in backslash\\") == SIPDIAG_DIGEST_E_SYNTAX,
        "backslash at the end");
  CHECK(parse_str("Digest nonce=n, realm=\"a\r\nb\"") == SIPDIAG_DIGEST_E_SYNTAX, "CRLF in quotes");
  CHECK(parse_str("Digest nonce=n, realm=\"a\\\x01\"") == SIPDIAG_DIGEST_E_SYNTAX, "escaped CTL");
  CHECK(parse_str("Digest realm=r nonce=n") == SIPDIAG_DIGEST_E_SYNTAX, "missing comma");
  CHECK(parse_str("Digest realm=\"r\"x, nonce=n") == SIPDIAG_DIGEST_E_SYNTAX, "junk after quote");
  CHECK(parse_str("Digest realm=, nonce=n") == SIPDIAG_DIGEST_E_SYNTAX, "empty token value");
  CHECK(parse_str("Digest realm") == SIPDIAG_DIGEST_E_SYNTAX, "name without value");
  CHECK(parse_str("Digest =r") == SIPDIAG_DIGEST_E_SYNTAX, "value without name");
  CHECK(parse_str("Digest realm=r, nonce=a, nonce=b") == SIPDIAG_DIGEST_E_DUPLICATE, "dup nonce");
  CHECK(parse_str("Digest realm=r, nonce=a, REALM=b") == SIPDIAG_DIGEST_E_DUPLICATE, "dup realm");
  CHECK(ch.realm[0] == '\0' && ch.nonce[0] == '\0', "challenge not zeroed after an error");

  /* embedded NUL inside len */
  CHECK(sipdiag_digest_parse("Digest realm=\"a\0b\", nonce=n", 27, &ch) == SIPDIAG_DIGEST_E_SYNTAX,
        "NUL in quotes");
  /* len is the end: the rest of the buffer is not read */
  const char *longer = "Digest realm=r, nonce=abc, opaque=\"unterminated";
  CHECK(sipdiag_digest_parse(longer, strlen("Digest realm=r, nonce=abc"), &ch) == 0 &&
            strcmp(ch.nonce, "abc") == 0 && !ch.has_opaque,
        "len not honoured");
  CHECK(sipdiag_digest_parse(NULL, 3, &ch) == SIPDIAG_DIGEST_E_ARG, "NULL value");
  CHECK(sipdiag_digest_parse("Digest", 6, NULL) == SIPDIAG_DIGEST_E_ARG, "NULL out");

  /* huge values */
  static char big[10 * 1024 + 64];
  int k = snprintf(big, sizeof big, "Digest realm=\"r\", nonce=\"");
  memset(big + k, 'n', sizeof big - (size_t)k - 2);
  big[sizeof big - 2] = '"';
  big[sizeof big - 1] = '\0';
  CHECK(parse_str(big) == SIPDIAG_DIGEST_E_TOO_LONG, "10 KiB value");
  /* a nonce above its limit, in a value below the value limit */
  k = snprintf(big, sizeof big, "Digest realm=\"r\", nonce=\"");
  memset(big + k, 'n', SIPDIAG_DIGEST_NONCE_MAX);
  snprintf(big + k + SIPDIAG_DIGEST_NONCE_MAX, 4, "\"");
  CHECK(parse_str(big) == SIPDIAG_DIGEST_E_TOO_LONG, "nonce of %d", SIPDIAG_DIGEST_NONCE_MAX);
  /* the longest nonce that fits, as a token */
  k = snprintf(big, sizeof big, "Digest realm=\"r\", nonce=");
  memset(big + k, 'n', SIPDIAG_DIGEST_NONCE_MAX - 1);
  big[k + SIPDIAG_DIGEST_NONCE_MAX - 1] = '\0';
  CHECK(parse_str(big) == 0 && strlen(ch.nonce) == SIPDIAG_DIGEST_NONCE_MAX - 1,
        "nonce of %d", SIPDIAG_DIGEST_NONCE_MAX - 1);
  /* a long unknown parameter is fine while the value is within its limit */
  k = snprintf(big, sizeof big, "Digest realm=\"r\", nonce=n, x=\"");
  memset(big + k, 'x', 3000);
  snprintf(big + k + 3000, 4, "\"");
  CHECK(parse_str(big) == 0, "long unknown parameter");
  /* too many parameters */
  k = snprintf(big, sizeof big, "Digest realm=r, nonce=n");
  for (int i = 0; i < SIPDIAG_DIGEST_PARAMS_MAX; i++)
    k += snprintf(big + k, sizeof big - (size_t)k, ", p%d=v", i);
  CHECK(parse_str(big) == SIPDIAG_DIGEST_E_TOO_MANY, "too many parameters");
  /* a long algorithm name */
  k = snprintf(big, sizeof big, "Digest realm=r, nonce=n, algorithm=");
  memset(big + k, 'A', SIPDIAG_DIGEST_ALG_NAME_MAX);
  big[k + SIPDIAG_DIGEST_ALG_NAME_MAX] = '\0';
  CHECK(parse_str(big) == SIPDIAG_DIGEST_E_TOO_LONG, "long algorithm name");

  /* two challenges folded into one value */
  const char *two = "Digest realm=r, nonce=n1, algorithm=SHA-256, Digest realm=r, nonce=n2";
  CHECK(parse_str(two) == 0 && strcmp(ch.nonce, "n1") == 0 && ch.next > 0, "first of two");
  size_t next = ch.next;
  CHECK(next < strlen(two) && strncmp(two + next, "Digest realm=r, nonce=n2", 24) == 0,
        "next at %zu", next);
  CHECK(sipdiag_digest_parse(two + next, strlen(two + next), &ch) == 0 &&
            strcmp(ch.nonce, "n2") == 0 && ch.next == 0 && ch.alg == SIPDIAG_DIGEST_ALG_MD5,
        "second of two");
  CHECK(parse_str("Digest realm=r, nonce=n, Basic realm=\"b\"") == 0 && ch.next > 0,
        "Digest then Basic");

  /* unknown algorithm or qop: parses, but cannot be answered */
  CHECK(parse_str("Digest realm=r, nonce=n, algorithm=SHA-3-512, qop=auth") == 0 &&
            ch.alg == SIPDIAG_DIGEST_ALG_UNKNOWN &&
            sipdiag_digest_usable(&ch) == SIPDIAG_DIGEST_E_ALGORITHM &&
            sipdiag_digest_answer(&ch, "u", "p", "REGISTER", "sip:r", 1, "c", out, sizeof out) ==
                SIPDIAG_DIGEST_E_ALGORITHM && out[0] == '\0',
        "unknown algorithm");
  CHECK(parse_str("Digest realm=r, nonce=n, algorithm=\"SHA 256\"") == 0 &&
            ch.alg == SIPDIAG_DIGEST_ALG_UNKNOWN, "algorithm that is not a token");
  CHECK(parse_str("Digest realm=r, nonce=n, qop=\"auth-foo\"") == 0 &&
            sipdiag_digest_usable(&ch) == SIPDIAG_DIGEST_E_QOP, "unknown qop");
  CHECK(parse_str("Digest realm=r, nonce=n, algorithm=MD5-sess") == 0 &&
            sipdiag_digest_usable(&ch) == SIPDIAG_DIGEST_E_SESS_NO_QOP, "-sess without qop");
}

/* Every prefix of some challenges, each in a heap buffer of exactly that
 * size: the address sanitizer reports any read past len. */
static void test_prefixes(void)
{
  static const char *const seeds[] = {
    "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, "
    "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", opaque=\"FQhe\\\"/qaU925\", "
    "stale=TRUE, Digest realm=x, nonce=y",
    "  digest   Realm = \"a, \\\\b\" ,, nonce= tok , x=\"\\\"\"",
  };
  int ok = 0;
  for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
    size_t n = strlen(seeds[s]);
    for (size_t len = 0; len <= n; len++) {
      char *buf = malloc(len ? len : 1);
      if (!buf)
        abort();
      memcpy(buf, seeds[s], len);
      int rc = sipdiag_digest_parse(buf, len, &ch);
      if (rc == 0) {
        ok++;
        CHECK(memchr(ch.nonce, '\0', sizeof ch.nonce) && ch.nonce[0], "prefix %zu", len);
      }
      free(buf);
    }
  }
  CHECK(ok > 10, "only %d prefixes parsed", ok);
}

/* Deterministic mutation fuzz (xorshift): no crash, no overflow, and
 * whatever parses holds terminated strings and can be answered or refused. */
static void test_fuzz(void)
{
  static const char *const seeds[] = {
    "Digest realm=\"r\", nonce=\"n\", qop=\"auth,auth-int\", algorithm=SHA-512-256-sess, "
    "opaque=\"o\\\"o\", stale=true",
    "Digest realm=r,nonce=n,algorithm=MD5",
  };
  static const char alphabet[] = "\"\\,= \t\r\nDigestrealmnonceqopauth-int\x01\x7f\xff";
  uint64_t x = 0x9e3779b97f4a7c15u;
  char buf[256];
  int parsed = 0, answered = 0;

  for (int iter = 0; iter < 200000; iter++) {
    const char *seed = seeds[iter % 2];
    size_t n = strlen(seed);
    memcpy(buf, seed, n);
    int edits = 1 + (int)(x % 4);
    for (int e = 0; e < edits; e++) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      size_t at = (size_t)(x >> 8) % n;
      switch (x % 3) {
      case 0:                                  /* replace */
        buf[at] = alphabet[(x >> 20) % (sizeof alphabet - 1)];
        break;
      case 1:                                  /* truncate */
        n = at;
        break;
      default:                                 /* insert */
        if (n + 1 < sizeof buf) {
          memmove(buf + at + 1, buf + at, n - at);
          buf[at] = alphabet[(x >> 20) % (sizeof alphabet - 1)];
          n++;
        }
      }
      if (n == 0)
        break;
    }
    if (sipdiag_digest_parse(buf, n, &ch) != 0)
      continue;
    parsed++;
    if (!memchr(ch.realm, '\0', sizeof ch.realm) || !memchr(ch.nonce, '\0', sizeof ch.nonce) ||
        !memchr(ch.opaque, '\0', sizeof ch.opaque) ||
        !memchr(ch.algorithm, '\0', sizeof ch.algorithm) || ch.nonce[0] == '\0' ||
        ch.next > n) {
      CHECK(0, "fuzz iteration %d broke an invariant", iter);
      break;
    }
    int rc = sipdiag_digest_answer(&ch, "u", "p", "REGISTER", "sip:r", 1, "c", out, sizeof out);
    if (rc == 0)
      answered++;
    else if (rc != sipdiag_digest_usable(&ch)) {
      CHECK(0, "fuzz iteration %d: answer %d, usable %d", iter, rc, sipdiag_digest_usable(&ch));
      break;
    }
  }
  CHECK(parsed > 1000 && answered > 1000, "fuzz: %d parsed, %d answered", parsed, answered);
  printf("fuzz: 200000 mutations, %d parsed, %d answered\n", parsed, answered);
}

/* ------------------------------------------------------------------ answer */

static void test_answer_limits(void)
{
  char small[SIPDIAG_DIGEST_ANSWER_MAX];
  CHECK(parse_str("Digest realm=\"r\", nonce=\"n\", qop=auth, opaque=\"o\", algorithm=SHA-256") ==
            0, "parse");
  CHECK(sipdiag_digest_answer(&ch, "u", "p", "REGISTER", "sip:r", 1, "c", out, sizeof out) == 0,
        "answer");
  size_t need = strlen(out) + 1;
  for (size_t size = 1; size < need; size++) {
    memset(small, 'X', sizeof small);
    int rc = sipdiag_digest_answer(&ch, "u", "p", "REGISTER", "sip:r", 1, "c", small, size);
    if (rc != SIPDIAG_DIGEST_E_NO_SPACE || small[0] != '\0' || small[size] != 'X') {
      CHECK(0, "size %zu: rc %d", size, rc);
      break;
    }
  }
  CHECK(sipdiag_digest_answer(&ch, "u", "p", "REGISTER", "sip:r", 1, "c", small, need) == 0 &&
            strcmp(small, out) == 0, "exact size");
  CHECK(sipdiag_digest_answer(&ch, "u", "p", "REGISTER", "sip:r", 1, "c", small, 0) ==
            SIPDIAG_DIGEST_E_ARG, "size 0");
  CHECK(sipdiag_digest_answer(&ch, "u", "p", "REGISTER", "sip:r", 0, "c", out, sizeof out) ==
            SIPDIAG_DIGEST_E_ARG, "nc 0");
  CHECK(sipdiag_digest_answer(&ch, "u\r\nX: y", "p", "REGISTER", "sip:r", 1, "c", out,
                              sizeof out) == SIPDIAG_DIGEST_E_ARG, "CRLF in user");
  CHECK(sipdiag_digest_answer(&ch, "u", "p", "REG ISTER", "sip:r", 1, "c", out, sizeof out) ==
            SIPDIAG_DIGEST_E_ARG, "space in method");
  CHECK(sipdiag_digest_answer(&ch, "u", "p", "REGISTER", "sip:r x", 1, "c", out, sizeof out) ==
            SIPDIAG_DIGEST_E_ARG, "space in uri");
  CHECK(sipdiag_digest_answer(&ch, "u", "p", "REGISTER", "sip:r", 1, "c\"", out, sizeof out) ==
            SIPDIAG_DIGEST_E_ARG, "quote in cnonce");
  CHECK(sipdiag_digest_answer(&ch, "u", NULL, "REGISTER", "sip:r", 1, "c", out, sizeof out) ==
            SIPDIAG_DIGEST_E_ARG, "NULL password");
  /* a user name with quotes is escaped, and nc above 0xffffffff cannot be */
  CHECK(sipdiag_digest_answer(&ch, "a\"b", "secret-pw", "REGISTER", "sip:r", 0xffffffffu, "c",
                              out, sizeof out) == 0, "quoted user");
  CHECK_CONTAINS(out, "username=\"a\\\"b\"");
  CHECK_CONTAINS(out, "nc=ffffffff");
  CHECK(strstr(out, "secret-pw") == NULL, "password leaked: %s", out);

  /* worst case fits SIPDIAG_DIGEST_ANSWER_MAX: every field full of quotes */
  static char value[SIPDIAG_DIGEST_VALUE_MAX + 1];
  static char user[SIPDIAG_DIGEST_ARG_MAX], uri[SIPDIAG_DIGEST_ARG_MAX];
  static char cn[SIPDIAG_DIGEST_CNONCE_MAX];
  int k = snprintf(value, sizeof value, "Digest qop=auth, algorithm=SHA-512-256-sess");
  static const char *const names[] = { "realm", "nonce", "opaque" };
  static const size_t sizes[] = { SIPDIAG_DIGEST_REALM_MAX, SIPDIAG_DIGEST_NONCE_MAX,
                                  SIPDIAG_DIGEST_OPAQUE_MAX };
  for (int f = 0; f < 3; f++) {
    k += snprintf(value + k, sizeof value - (size_t)k, ", %s=\"", names[f]);
    for (size_t i = 0; i + 1 < sizes[f]; i++)
      k += snprintf(value + k, sizeof value - (size_t)k, "\\\"");
    k += snprintf(value + k, sizeof value - (size_t)k, "\"");
  }
  CHECK((size_t)k < SIPDIAG_DIGEST_VALUE_MAX, "worst-case value is %d bytes", k);
  CHECK(parse_str(value) == 0, "worst-case parse: %s", sipdiag_digest_strerror(parse_str(value)));
  memset(user, '"', sizeof user - 1);
  memset(uri, 'u', sizeof uri - 1);
  memset(cn, 'c', sizeof cn - 1);
  CHECK(sipdiag_digest_answer(&ch, user, "p", "REGISTER", uri, 1, cn, out, sizeof out) == 0,
        "worst case does not fit SIPDIAG_DIGEST_ANSWER_MAX");
  printf("worst-case answer: %zu of %d bytes\n", strlen(out), SIPDIAG_DIGEST_ANSWER_MAX);
}

/* -------------------------------------------------------------------- pick */

#define SHA256_C "Digest realm=\"r\", nonce=\"n1\", qop=\"auth\", algorithm=SHA-256"
#define MD5_C "Digest realm=\"r\", nonce=\"n2\", qop=\"auth\", algorithm=MD5"
#define SHA512_256_C "Digest realm=\"r\", nonce=\"n3\", qop=\"auth\", algorithm=SHA-512-256"
#define UNKNOWN_C "Digest realm=\"r\", nonce=\"n4\", qop=\"auth\", algorithm=SHA3-256"

static void test_pick(void)
{
  char offered[SIPDIAG_DIGEST_OFFERED_MAX];
  int i;

  const char *const a[] = { SHA256_C, MD5_C };
  i = sipdiag_digest_pick(a, 2, offered, sizeof offered);
  CHECK(i == 0, "[SHA-256, MD5] -> %d", i);
  CHECK(strcmp(offered, "SHA-256, MD5") == 0, "offered '%s'", offered);

  const char *const b[] = { MD5_C, SHA256_C };
  i = sipdiag_digest_pick(b, 2, offered, sizeof offered);
  CHECK(i == 0, "[MD5, SHA-256] -> %d (the server prefers MD5: RFC 8760 2.4)", i);

  const char *const c[] = { SHA512_256_C };
  i = sipdiag_digest_pick(c, 1, NULL, 0);
  CHECK(i == 0, "[SHA-512-256] -> %d", i);

  const char *const d[] = { UNKNOWN_C };
  i = sipdiag_digest_pick(d, 1, offered, sizeof offered);
  CHECK(i == -1, "[SHA3-256] -> %d", i);
  CHECK(strcmp(offered, "SHA3-256 (unsupported algorithm)") == 0, "offered '%s'", offered);

  const char *const e[] = { "Basic realm=\"r\"", UNKNOWN_C, "Digest realm=r", NULL,
                            "Digest realm=r, nonce=n, algorithm=MD5-sess",
                            "Digest realm=r, nonce=n, qop=\"auth-foo\"", SHA512_256_C, SHA256_C };
  i = sipdiag_digest_pick(e, 8, offered, sizeof offered);
  CHECK(i == 6, "mixed -> %d", i);
  CHECK(strcmp(offered, "Basic (not a Digest challenge), SHA3-256 (unsupported algorithm), "
                        "Digest (challenge without nonce), MD5-sess (-sess algorithm without qop), "
                        "MD5 (unsupported qop), SHA-512-256, SHA-256") == 0,
        "offered '%s'", offered);
  i = sipdiag_digest_pick(e, 6, offered, sizeof offered);
  CHECK(i == -1, "none usable -> %d", i);

  char tiny[24];
  i = sipdiag_digest_pick(e, 8, tiny, sizeof tiny);
  CHECK(i == 6 && strlen(tiny) < sizeof tiny && strstr(tiny, "...") != NULL,
        "truncated offered '%s'", tiny);
  char one[1] = { 'x' };
  CHECK(sipdiag_digest_pick(d, 1, one, sizeof one) == -1 && one[0] == '\0', "offered of size 1");

  CHECK(sipdiag_digest_pick(NULL, 3, offered, sizeof offered) == -1 && offered[0] == '\0',
        "NULL values");
  CHECK(sipdiag_digest_pick(a, 0, offered, sizeof offered) == -1, "no values");

  /* only the first SIPDIAG_DIGEST_CHALLENGES_MAX are read */
  const char *many[SIPDIAG_DIGEST_CHALLENGES_MAX + 1];
  for (size_t k = 0; k < SIPDIAG_DIGEST_CHALLENGES_MAX; k++)
    many[k] = UNKNOWN_C;
  many[SIPDIAG_DIGEST_CHALLENGES_MAX] = SHA256_C;
  CHECK(sipdiag_digest_pick(many, SIPDIAG_DIGEST_CHALLENGES_MAX + 1, NULL, 0) == -1,
        "challenge beyond the limit was read");
}

int main(void)
{
  test_rfc7616();
  test_rfc2617();
  test_computed();
  test_random_cnonce();
  test_parser();
  test_prefixes();
  test_fuzz();
  test_answer_limits();
  test_pick();
  return check_summary("digest_vectors");
}
