/*
 * digest.c - SIP digest authentication client (RFC 3261, RFC 7616, RFC 8760).
 *
 * See digest.h for what is supported and the rule for choosing among
 * several challenges.  The parser reads at most len bytes of an untrusted
 * header value, writes only inside the fixed buffers of the challenge
 * structure and refuses (never truncates) what does not fit.
 */
#include "config.h"       /* first: a 64-bit off_t on 32-bit builds */
#include "digest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include <openssl/evp.h>

/* Longest digest output of the supported algorithms (SHA-256, SHA-512/256:
 * 32 bytes) and its hex form with NUL. */
#define DIGEST_RAW_MAX 32
#define DIGEST_HEX_MAX (2 * DIGEST_RAW_MAX + 1)
/* Random bytes of a generated cnonce (written as twice as many hex digits). */
#define CNONCE_RANDOM_BYTES 16
/* Buffer for a qop list, e.g. "auth,auth-int". */
#define QOP_TEXT_MAX 128

/* ------------------------------------------------------------------ names */

const char *sipdiag_digest_strerror(int err)
{
  switch (err) {
  case SIPDIAG_DIGEST_OK:            return "ok";
  case SIPDIAG_DIGEST_E_ARG:         return "invalid argument";
  case SIPDIAG_DIGEST_E_SYNTAX:      return "malformed challenge";
  case SIPDIAG_DIGEST_E_SCHEME:      return "not a Digest challenge";
  case SIPDIAG_DIGEST_E_TOO_LONG:    return "challenge too long";
  case SIPDIAG_DIGEST_E_TOO_MANY:    return "too many challenge parameters";
  case SIPDIAG_DIGEST_E_DUPLICATE:   return "duplicate challenge parameter";
  case SIPDIAG_DIGEST_E_NO_REALM:    return "challenge without realm";
  case SIPDIAG_DIGEST_E_NO_NONCE:    return "challenge without nonce";
  case SIPDIAG_DIGEST_E_ALGORITHM:   return "unsupported algorithm";
  case SIPDIAG_DIGEST_E_QOP:         return "unsupported qop";
  case SIPDIAG_DIGEST_E_SESS_NO_QOP: return "-sess algorithm without qop";
  case SIPDIAG_DIGEST_E_NO_SPACE:    return "answer does not fit";
  case SIPDIAG_DIGEST_E_CRYPTO:      return "hash function unavailable";
  case SIPDIAG_DIGEST_E_RANDOM:      return "no random bytes for the cnonce";
  default:                           return "unknown digest error";
  }
}

static const struct {
  const char *name;
  sipdiag_digest_alg_t alg;
} alg_names[] = {
  { "MD5", SIPDIAG_DIGEST_ALG_MD5 },
  { "MD5-sess", SIPDIAG_DIGEST_ALG_MD5_SESS },
  { "SHA-256", SIPDIAG_DIGEST_ALG_SHA256 },
  { "SHA-256-sess", SIPDIAG_DIGEST_ALG_SHA256_SESS },
  { "SHA-512-256", SIPDIAG_DIGEST_ALG_SHA512_256 },
  { "SHA-512-256-sess", SIPDIAG_DIGEST_ALG_SHA512_256_SESS },
};

const char *sipdiag_digest_alg_name(sipdiag_digest_alg_t alg)
{
  for (size_t i = 0; i < sizeof alg_names / sizeof alg_names[0]; i++)
    if (alg_names[i].alg == alg)
      return alg_names[i].name;
  return NULL;
}

static sipdiag_digest_alg_t alg_from_name(const char *name)
{
  for (size_t i = 0; i < sizeof alg_names / sizeof alg_names[0]; i++)
    if (strcasecmp(alg_names[i].name, name) == 0)
      return alg_names[i].alg;
  return SIPDIAG_DIGEST_ALG_UNKNOWN;
}

static bool alg_is_sess(sipdiag_digest_alg_t alg)
{
  return alg == SIPDIAG_DIGEST_ALG_MD5_SESS || alg == SIPDIAG_DIGEST_ALG_SHA256_SESS ||
         alg == SIPDIAG_DIGEST_ALG_SHA512_256_SESS;
}

static const EVP_MD *alg_md(sipdiag_digest_alg_t alg)
{
  switch (alg) {
  case SIPDIAG_DIGEST_ALG_MD5:
  case SIPDIAG_DIGEST_ALG_MD5_SESS:
    return EVP_md5();
  case SIPDIAG_DIGEST_ALG_SHA256:
  case SIPDIAG_DIGEST_ALG_SHA256_SESS:
    return EVP_sha256();
  case SIPDIAG_DIGEST_ALG_SHA512_256:
  case SIPDIAG_DIGEST_ALG_SHA512_256_SESS:
    return EVP_sha512_256();
  case SIPDIAG_DIGEST_ALG_UNKNOWN:
  default:
    return NULL;
  }
}

/* ------------------------------------------------------------- characters */

/* RFC 7230 tchar */
static bool is_tchar(unsigned char c)
{
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
    return true;
  return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* A control character other than HTAB (which quoted-string allows). */
static bool is_bad_ctl(unsigned char c)
{
  return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* Linear white space inside a header value: SP, HTAB, and CR/LF left over
 * from line folding. */
static bool is_lws(unsigned char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* ----------------------------------------------------------------- parser */

typedef struct {
  const unsigned char *s;
  size_t len, pos;
} cursor_t;

static void skip_lws(cursor_t *cur)
{
  while (cur->pos < cur->len && is_lws(cur->s[cur->pos]))
    cur->pos++;
}

/* Advance over a token; return its length (0: none here). */
static size_t scan_token(cursor_t *cur)
{
  size_t start = cur->pos;
  while (cur->pos < cur->len && is_tchar(cur->s[cur->pos]))
    cur->pos++;
  return cur->pos - start;
}

static bool token_is(const unsigned char *tok, size_t n, const char *word)
{
  return strlen(word) == n && strncasecmp((const char *)tok, word, n) == 0;
}

/* Read a parameter value (token or quoted-string) at the cursor.  The
 * unescaped text goes to dst (dst_size bytes with NUL) when dst is not
 * NULL, else it is only checked.  *is_token tells which form it had. */
static int read_value(cursor_t *cur, char *dst, size_t dst_size, bool *is_token)
{
  size_t n = 0;

  if (cur->pos < cur->len && cur->s[cur->pos] == '"') {
    *is_token = false;
    cur->pos++;
    for (;;) {
      if (cur->pos >= cur->len)
        return SIPDIAG_DIGEST_E_SYNTAX;          /* unterminated */
      unsigned char c = cur->s[cur->pos++];
      if (c == '"')
        break;
      if (c == '\\') {                           /* quoted-pair */
        if (cur->pos >= cur->len)
          return SIPDIAG_DIGEST_E_SYNTAX;
        c = cur->s[cur->pos++];
      }
      if (is_bad_ctl(c))
        return SIPDIAG_DIGEST_E_SYNTAX;
      if (dst) {
        if (n + 1 >= dst_size)
          return SIPDIAG_DIGEST_E_TOO_LONG;
        dst[n] = (char)c;
      }
      n++;
    }
  } else {
    *is_token = true;
    size_t start = cur->pos;
    n = scan_token(cur);
    if (n == 0)
      return SIPDIAG_DIGEST_E_SYNTAX;
    if (dst) {
      if (n + 1 > dst_size)
        return SIPDIAG_DIGEST_E_TOO_LONG;
      memcpy(dst, cur->s + start, n);
    }
  }
  if (dst)
    dst[n] = '\0';
  return SIPDIAG_DIGEST_OK;
}

/* Parse a qop-options list ("auth,auth-int", possibly with spaces). */
static void parse_qop_list(const char *list, sipdiag_digest_challenge_t *out)
{
  const char *p = list;
  while (*p) {
    while (*p == ',' || is_lws((unsigned char)*p))
      p++;
    const char *start = p;
    while (*p && *p != ',' && !is_lws((unsigned char)*p))
      p++;
    size_t n = (size_t)(p - start);
    if (token_is((const unsigned char *)start, n, "auth"))
      out->qop_auth = true;
    else if (token_is((const unsigned char *)start, n, "auth-int"))
      out->qop_auth_int = true;
  }
}

enum { SEEN_REALM = 1, SEEN_NONCE = 2, SEEN_OPAQUE = 4, SEEN_ALG = 8, SEEN_QOP = 16,
       SEEN_STALE = 32 };

static int parse_challenge(cursor_t *cur, sipdiag_digest_challenge_t *out)
{
  unsigned seen = 0;
  size_t nparams = 0;
  bool is_token;
  int rc;

  skip_lws(cur);
  size_t scheme_at = cur->pos;
  size_t n = scan_token(cur);
  if (n == 0)
    return SIPDIAG_DIGEST_E_SYNTAX;
  if (!token_is(cur->s + scheme_at, n, "Digest"))
    return SIPDIAG_DIGEST_E_SCHEME;
  if (cur->pos < cur->len && !is_lws(cur->s[cur->pos]))
    return SIPDIAG_DIGEST_E_SYNTAX;

  for (;;) {
    skip_lws(cur);
    if (cur->pos >= cur->len)
      break;
    if (cur->s[cur->pos] == ',') {               /* empty list element */
      cur->pos++;
      continue;
    }
    size_t name_at = cur->pos;
    size_t name_len = scan_token(cur);
    if (name_len == 0)
      return SIPDIAG_DIGEST_E_SYNTAX;
    skip_lws(cur);
    if (cur->pos >= cur->len || cur->s[cur->pos] != '=') {
      /* A token not followed by "=": the scheme of a further challenge in
       * the same header value; it may only follow a comma. */
      if (nparams == 0)
        return SIPDIAG_DIGEST_E_SYNTAX;
      out->next = name_at;
      break;
    }
    cur->pos++;
    skip_lws(cur);
    if (++nparams > SIPDIAG_DIGEST_PARAMS_MAX)
      return SIPDIAG_DIGEST_E_TOO_MANY;

    const unsigned char *name = cur->s + name_at;
    unsigned flag = 0;
    char *dst = NULL;
    size_t dst_size = 0;
    char small[QOP_TEXT_MAX];

    if (token_is(name, name_len, "realm")) {
      flag = SEEN_REALM, dst = out->realm, dst_size = sizeof out->realm;
    } else if (token_is(name, name_len, "nonce")) {
      flag = SEEN_NONCE, dst = out->nonce, dst_size = sizeof out->nonce;
    } else if (token_is(name, name_len, "opaque")) {
      flag = SEEN_OPAQUE, dst = out->opaque, dst_size = sizeof out->opaque;
    } else if (token_is(name, name_len, "algorithm")) {
      flag = SEEN_ALG, dst = out->algorithm, dst_size = sizeof out->algorithm;
    } else if (token_is(name, name_len, "qop")) {
      flag = SEEN_QOP, dst = small, dst_size = sizeof small;
    } else if (token_is(name, name_len, "stale")) {
      flag = SEEN_STALE, dst = small, dst_size = sizeof small;
    }
    if (flag && (seen & flag))
      return SIPDIAG_DIGEST_E_DUPLICATE;
    seen |= flag;

    rc = read_value(cur, dst, dst_size, &is_token);
    if (rc != SIPDIAG_DIGEST_OK)
      return rc;

    switch (flag) {
    case SEEN_QOP:
      out->has_qop = true;
      parse_qop_list(small, out);
      break;
    case SEEN_STALE:
      out->stale = strcasecmp(small, "true") == 0;
      break;
    case SEEN_OPAQUE:
      out->has_opaque = true;
      break;
    case SEEN_ALG:
      out->has_algorithm = true;
      break;
    default:
      break;
    }

    skip_lws(cur);
    if (cur->pos < cur->len && cur->s[cur->pos] != ',')
      return SIPDIAG_DIGEST_E_SYNTAX;            /* junk after a value */
  }

  if (!(seen & SEEN_REALM))
    return SIPDIAG_DIGEST_E_NO_REALM;
  if (!(seen & SEEN_NONCE) || out->nonce[0] == '\0')
    return SIPDIAG_DIGEST_E_NO_NONCE;

  if (!out->has_algorithm) {
    out->alg = SIPDIAG_DIGEST_ALG_MD5;           /* RFC 2617: absent means MD5 */
  } else {
    /* Only a plain token can be echoed unquoted; anything else (a quoted
     * name with spaces, say) is simply not an algorithm we know. */
    bool plain = out->algorithm[0] != '\0';
    for (const char *p = out->algorithm; *p; p++)
      if (!is_tchar((unsigned char)*p))
        plain = false;
    out->alg = plain ? alg_from_name(out->algorithm) : SIPDIAG_DIGEST_ALG_UNKNOWN;
  }
  return SIPDIAG_DIGEST_OK;
}

int sipdiag_digest_parse(const char *value, size_t len, sipdiag_digest_challenge_t *out)
{
  if (!out)
    return SIPDIAG_DIGEST_E_ARG;
  memset(out, 0, sizeof *out);
  if (!value)
    return SIPDIAG_DIGEST_E_ARG;
  if (len > SIPDIAG_DIGEST_VALUE_MAX)
    return SIPDIAG_DIGEST_E_TOO_LONG;

  cursor_t cur = { (const unsigned char *)value, len, 0 };
  int rc = parse_challenge(&cur, out);
  if (rc != SIPDIAG_DIGEST_OK)
    memset(out, 0, sizeof *out);
  return rc;
}

int sipdiag_digest_usable(const sipdiag_digest_challenge_t *c)
{
  if (!c)
    return SIPDIAG_DIGEST_E_ARG;
  if (!alg_md(c->alg))
    return SIPDIAG_DIGEST_E_ALGORITHM;
  if (c->has_qop && !c->qop_auth && !c->qop_auth_int)
    return SIPDIAG_DIGEST_E_QOP;
  if (!c->has_qop && alg_is_sess(c->alg))
    return SIPDIAG_DIGEST_E_SESS_NO_QOP;
  return SIPDIAG_DIGEST_OK;
}

/* ------------------------------------------------------------------- pick */

typedef struct {
  char *p;
  size_t size, n;
  bool overflow;
} wbuf_t;

static void w_mem(wbuf_t *w, const char *s, size_t n)
{
  if (w->overflow)
    return;
  if (w->size == 0 || n >= w->size - w->n) {
    w->overflow = true;
    return;
  }
  memcpy(w->p + w->n, s, n);
  w->n += n;
  w->p[w->n] = '\0';
}

static void w_str(wbuf_t *w, const char *s)
{
  w_mem(w, s, strlen(s));
}

/* s as the inside of a quoted-string: '"' and '\' get a backslash. */
static void w_quoted(wbuf_t *w, const char *s)
{
  w_mem(w, "\"", 1);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\')
      w_mem(w, "\\", 1);
    w_mem(w, s, 1);
  }
  w_mem(w, "\"", 1);
}

/* Append one entry to the "offered" text, ending it with "..." when the
 * buffer is full (the text stays NUL-terminated either way). */
static void offered_add(char *buf, size_t size, const char *name, const char *why)
{
  char entry[SIPDIAG_DIGEST_ALG_NAME_MAX + 64];
  size_t used = strlen(buf);
  int k;

  if (why)
    k = snprintf(entry, sizeof entry, "%s%s (%s)", used ? ", " : "", name, why);
  else
    k = snprintf(entry, sizeof entry, "%s%s", used ? ", " : "", name);
  if (k < 0 || (size_t)k >= sizeof entry)
    return;
  if ((size_t)k < size - used) {
    memcpy(buf + used, entry, (size_t)k + 1);
    return;
  }
  if (used >= 3 && strcmp(buf + used - 3, "...") == 0)
    return;                                      /* already marked */
  size_t cut = size >= 4 ? size - 4 : 0;
  if (cut > used)
    cut = used;
  if (size >= 4)
    memcpy(buf + cut, "...", 4);
}

int sipdiag_digest_pick(const char *const values[], size_t n, char *offered,
                        size_t offered_size)
{
  int chosen = -1;

  if (offered && offered_size)
    offered[0] = '\0';
  else
    offered = NULL;
  if (!values)
    return -1;
  if (n > SIPDIAG_DIGEST_CHALLENGES_MAX)
    n = SIPDIAG_DIGEST_CHALLENGES_MAX;

  for (size_t i = 0; i < n; i++) {
    if (!values[i])
      continue;
    sipdiag_digest_challenge_t c;
    size_t len = strnlen(values[i], SIPDIAG_DIGEST_VALUE_MAX + 1);
    int prc = sipdiag_digest_parse(values[i], len, &c);
    int rc = prc == SIPDIAG_DIGEST_OK ? sipdiag_digest_usable(&c) : prc;
    if (rc == SIPDIAG_DIGEST_OK && chosen < 0)
      chosen = (int)i;
    if (!offered)
      continue;

    char name[SIPDIAG_DIGEST_ALG_NAME_MAX];
    const char *why = rc == SIPDIAG_DIGEST_OK ? NULL : sipdiag_digest_strerror(rc);
    if (prc == SIPDIAG_DIGEST_E_SCHEME) {
      /* name the scheme the server used instead ("Basic") */
      cursor_t cur = { (const unsigned char *)values[i], len, 0 };
      skip_lws(&cur);
      size_t at = cur.pos, k = scan_token(&cur);
      if (k >= sizeof name)
        k = sizeof name - 1;
      memcpy(name, values[i] + at, k);
      name[k] = '\0';
    } else if (prc != SIPDIAG_DIGEST_OK) {
      snprintf(name, sizeof name, "Digest");
    } else {                                     /* as the server wrote it */
      snprintf(name, sizeof name, "%s", c.has_algorithm ? c.algorithm : "MD5");
    }
    offered_add(offered, offered_size, name, why);
  }
  return chosen;
}

/* ----------------------------------------------------------------- answer */

/* hex_out = lowercase hex of H(parts[0] ":" parts[1] ":" ... parts[n-1]). */
static int hash_join(const EVP_MD *md, const char *const parts[], size_t n,
                     char hex_out[DIGEST_HEX_MAX])
{
  static const char hexdig[] = "0123456789abcdef";
  unsigned char raw[EVP_MAX_MD_SIZE];
  unsigned int raw_len = 0;
  int ok = 0;

  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  if (ctx && EVP_DigestInit_ex(ctx, md, NULL) == 1) {
    ok = 1;
    for (size_t i = 0; ok && i < n; i++) {
      if (i > 0 && EVP_DigestUpdate(ctx, ":", 1) != 1)
        ok = 0;
      if (ok && EVP_DigestUpdate(ctx, parts[i], strlen(parts[i])) != 1)
        ok = 0;
    }
    if (ok && EVP_DigestFinal_ex(ctx, raw, &raw_len) != 1)
      ok = 0;
  }
  EVP_MD_CTX_free(ctx);                  /* cleanses the hash state */
  if (!ok || raw_len == 0 || raw_len > DIGEST_RAW_MAX) {
    explicit_bzero(raw, sizeof raw);
    return SIPDIAG_DIGEST_E_CRYPTO;
  }
  for (unsigned i = 0; i < raw_len; i++) {
    hex_out[2 * i] = hexdig[raw[i] >> 4];
    hex_out[2 * i + 1] = hexdig[raw[i] & 0xf];
  }
  hex_out[2 * raw_len] = '\0';
  explicit_bzero(raw, sizeof raw);
  return SIPDIAG_DIGEST_OK;
}

static int make_cnonce(char out[2 * CNONCE_RANDOM_BYTES + 1])
{
  static const char hexdig[] = "0123456789abcdef";
  unsigned char r[CNONCE_RANDOM_BYTES];
  size_t got = 0;

  while (got < sizeof r) {
    ssize_t k = getrandom(r + got, sizeof r - got, 0);
    if (k > 0) {
      got += (size_t)k;
      continue;
    }
    if (k < 0 && errno == EINTR)
      continue;
    break;
  }
  if (got < sizeof r) {                          /* no getrandom: the device */
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return SIPDIAG_DIGEST_E_RANDOM;
    while (got < sizeof r) {
      ssize_t k = read(fd, r + got, sizeof r - got);
      if (k > 0)
        got += (size_t)k;
      else if (!(k < 0 && errno == EINTR))
        break;
    }
    close(fd);
    if (got < sizeof r)
      return SIPDIAG_DIGEST_E_RANDOM;
  }
  for (size_t i = 0; i < sizeof r; i++) {
    out[2 * i] = hexdig[r[i] >> 4];
    out[2 * i + 1] = hexdig[r[i] & 0xf];
  }
  out[2 * sizeof r] = '\0';
  return SIPDIAG_DIGEST_OK;
}

/* A caller's string: at most max - 1 bytes, none of them a control
 * character (nor, with no_space, a space). */
static bool arg_ok(const char *s, size_t max, bool no_space)
{
  size_t n = strnlen(s, max);
  if (n >= max)
    return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == 0x7f || (no_space && c == ' '))
      return false;
  }
  return true;
}

int sipdiag_digest_answer(const sipdiag_digest_challenge_t *c, const char *user,
                          const char *password, const char *method, const char *uri,
                          unsigned nc, const char *cnonce, char *out, size_t out_size)
{
  char ha1[DIGEST_HEX_MAX], ha2[DIGEST_HEX_MAX], resp[DIGEST_HEX_MAX];
  char body_hash[DIGEST_HEX_MAX];
  char cn[SIPDIAG_DIGEST_CNONCE_MAX], ncs[9];
  int rc;

  if (out && out_size)
    out[0] = '\0';
  if (!c || !user || !password || !method || !uri || !out || out_size == 0 || nc == 0)
    return SIPDIAG_DIGEST_E_ARG;
  if (!arg_ok(user, SIPDIAG_DIGEST_ARG_MAX, false) ||
      strnlen(password, SIPDIAG_DIGEST_ARG_MAX) >= SIPDIAG_DIGEST_ARG_MAX ||
      !arg_ok(uri, SIPDIAG_DIGEST_ARG_MAX, true) || uri[0] == '\0' ||
      strnlen(method, SIPDIAG_DIGEST_ARG_MAX) >= SIPDIAG_DIGEST_ARG_MAX || method[0] == '\0')
    return SIPDIAG_DIGEST_E_ARG;
  for (const char *p = method; *p; p++)
    if (!is_tchar((unsigned char)*p))
      return SIPDIAG_DIGEST_E_ARG;
  /* The challenge may come from a caller, not from our parser. */
  if (memchr(c->realm, '\0', sizeof c->realm) == NULL ||
      memchr(c->nonce, '\0', sizeof c->nonce) == NULL ||
      memchr(c->opaque, '\0', sizeof c->opaque) == NULL ||
      memchr(c->algorithm, '\0', sizeof c->algorithm) == NULL || c->nonce[0] == '\0')
    return SIPDIAG_DIGEST_E_ARG;
  if ((rc = sipdiag_digest_usable(c)) != SIPDIAG_DIGEST_OK)
    return rc;

  const EVP_MD *md = alg_md(c->alg);
  const char *qop = !c->has_qop ? NULL : c->qop_auth ? "auth" : "auth-int";

  if (qop || alg_is_sess(c->alg)) {
    if (cnonce) {
      if (!arg_ok(cnonce, sizeof cn, true) || cnonce[0] == '\0' || strchr(cnonce, '"') ||
          strchr(cnonce, '\\'))
        return SIPDIAG_DIGEST_E_ARG;
      snprintf(cn, sizeof cn, "%s", cnonce);
    } else if ((rc = make_cnonce(cn)) != SIPDIAG_DIGEST_OK) {
      return rc;
    }
  }
  snprintf(ncs, sizeof ncs, "%08x", nc);

  /* HA1 = H(user:realm:password), for -sess H(H(user:realm:password):nonce:cnonce) */
  rc = hash_join(md, (const char *const[]){ user, c->realm, password }, 3, ha1);
  if (rc == SIPDIAG_DIGEST_OK && alg_is_sess(c->alg)) {
    char base[DIGEST_HEX_MAX];
    memcpy(base, ha1, sizeof base);
    rc = hash_join(md, (const char *const[]){ base, c->nonce, cn }, 3, ha1);
    explicit_bzero(base, sizeof base);
  }
  /* HA2 = H(method:uri), for auth-int H(method:uri:H(body)) with an empty body */
  if (rc == SIPDIAG_DIGEST_OK) {
    if (qop && strcmp(qop, "auth-int") == 0) {
      rc = hash_join(md, (const char *const[]){ "" }, 1, body_hash);
      if (rc == SIPDIAG_DIGEST_OK)
        rc = hash_join(md, (const char *const[]){ method, uri, body_hash }, 3, ha2);
    } else {
      rc = hash_join(md, (const char *const[]){ method, uri }, 2, ha2);
    }
  }
  if (rc == SIPDIAG_DIGEST_OK) {
    if (qop)
      rc = hash_join(md, (const char *const[]){ ha1, c->nonce, ncs, cn, qop, ha2 }, 6, resp);
    else
      rc = hash_join(md, (const char *const[]){ ha1, c->nonce, ha2 }, 3, resp);
  }
  explicit_bzero(ha1, sizeof ha1);
  if (rc != SIPDIAG_DIGEST_OK)
    return rc;

  wbuf_t w = { out, out_size, 0, false };
  w_str(&w, "Digest username=");
  w_quoted(&w, user);
  w_str(&w, ", realm=");
  w_quoted(&w, c->realm);
  w_str(&w, ", nonce=");
  w_quoted(&w, c->nonce);
  w_str(&w, ", uri=");
  w_quoted(&w, uri);
  w_str(&w, ", response=");
  w_quoted(&w, resp);
  if (c->has_algorithm) {
    w_str(&w, ", algorithm=");
    w_str(&w, c->algorithm);
  }
  if (qop) {
    w_str(&w, ", cnonce=");
    w_quoted(&w, cn);
    w_str(&w, ", qop=");
    w_str(&w, qop);
    w_str(&w, ", nc=");
    w_str(&w, ncs);
  }
  if (c->has_opaque) {
    w_str(&w, ", opaque=");
    w_quoted(&w, c->opaque);
  }
  if (w.overflow) {
    out[0] = '\0';
    return SIPDIAG_DIGEST_E_NO_SPACE;
  }
  return SIPDIAG_DIGEST_OK;
}
