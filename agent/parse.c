/*
 * parse.c - sipdiagd's readers and checkers of untrusted text (parse.h),
 * and the UTF-8 helpers they share with the rest of the agent.
 *
 * Moved here unchanged from accounts.c, scalars.c, persist.c, table.c and
 * rows.c so that tests/fuzz/ can drive them without an agent.
 */
#include "config.h"
#include "agent-snmp.h"
#include "sipdiagd.h"
#include "parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>

#define ACCOUNT_TOKEN "sipdiagAccount"

/* ---- UTF-8 ------------------------------------------------------------------------ */

static size_t utf8_seq_len(const unsigned char *s, size_t avail)
{
  unsigned char c = s[0];
  size_t n;
  if (c < 0x80)
    return 1;
  else if (c >= 0xc2 && c <= 0xdf)
    n = 2;
  else if (c >= 0xe0 && c <= 0xef)
    n = 3;
  else if (c >= 0xf0 && c <= 0xf4)
    n = 4;
  else
    return 0;
  if (n > avail)
    return 0;
  for (size_t i = 1; i < n; i++)
    if ((s[i] & 0xc0) != 0x80)
      return 0;
  /* overlongs and surrogates */
  if (n == 3 && c == 0xe0 && s[1] < 0xa0)
    return 0;
  if (n == 3 && c == 0xed && s[1] >= 0xa0)
    return 0;
  if (n == 4 && c == 0xf0 && s[1] < 0x90)
    return 0;
  if (n == 4 && c == 0xf4 && s[1] >= 0x90)
    return 0;
  return n;
}

bool utf8_valid(const unsigned char *s, size_t len)
{
  size_t i = 0;
  while (i < len) {
    size_t n = utf8_seq_len(s + i, len - i);
    if (n == 0)
      return false;
    i += n;
  }
  return true;
}

size_t utf8_clip(const char *s, size_t max)
{
  const unsigned char *u = (const unsigned char *)s;
  size_t len = strlen(s), i = 0;
  while (i < len) {
    size_t n = utf8_seq_len(u + i, len - i);
    if (n == 0)
      n = 1;                 /* the engine cleans text; keep going */
    if (i + n > max)
      break;
    i += n;
  }
  return i;
}

/* ---- sipdiagAccount ------------------------------------------------------------------ */

static bool set_text(char *dst, const char *value, const char *key, bool text,
                     char *msg, size_t msg_size)
{
  size_t len = strlen(value);
  if (len > SIPDIAG_AGENT_TEXT_MAX) {
    snprintf(msg, msg_size, "%s: %s is longer than %d octets", ACCOUNT_TOKEN, key,
             SIPDIAG_AGENT_TEXT_MAX);
    return false;
  }
  if (text && !utf8_valid((const unsigned char *)value, len)) {
    snprintf(msg, msg_size, "%s: %s is not UTF-8", ACCOUNT_TOKEN, key);
    return false;
  }
  memcpy(dst, value, len + 1);
  return true;
}

int account_line_parse(const char *line, struct account_line *out,
                       char *msg, size_t msg_size)
{
  char word[1024];
  memset(out, 0, sizeof *out);
  if (msg_size)
    msg[0] = '\0';
  out->cfg.transport = SIPDIAG_TRANSPORT_AUTO;
  out->cfg.expires = SIPDIAG_DEFAULT_EXPIRES_S;
  out->notify = SD_FALSE;

  const char *p = copy_nword_const(line, word, sizeof word);
  char *end;
  unsigned long index = strtoul(word, &end, 10);
  if (!word[0] || *end || index < 1 || index > 65535) {
    snprintf(msg, msg_size, "%s", ACCOUNT_TOKEN
             ": the first word must be the account index, 1 to 65535");
    return ACCOUNT_LINE_BAD_INDEX;
  }
  out->index = (uint32_t)index;
  bool ok = true;
  while (ok && p && *p) {
    p = copy_nword_const(p, word, sizeof word);
    char *eq = strchr(word, '=');
    if (!eq) {
      snprintf(msg, msg_size, "%s %lu: expected key=value words", ACCOUNT_TOKEN, index);
      ok = false;
      break;
    }
    *eq = '\0';
    const char *key = word, *value = eq + 1;
    if (!strcasecmp(key, "registrar"))
      ok = set_text(out->cfg.registrar, value, key, true, msg, msg_size);
    else if (!strcasecmp(key, "aor"))
      ok = set_text(out->cfg.aor, value, key, true, msg, msg_size);
    else if (!strcasecmp(key, "authUser"))
      ok = set_text(out->cfg.auth_user, value, key, true, msg, msg_size);
    else if (!strcasecmp(key, "password"))
      ok = set_text(out->cfg.password, value, key, false, msg, msg_size);
    else if (!strcasecmp(key, "outboundProxy"))
      ok = set_text(out->cfg.proxy, value, key, true, msg, msg_size);
    else if (!strcasecmp(key, "transport")) {
      out->cfg.transport = sipdiag_transport_parse(value);
      if (!out->cfg.transport) {
        snprintf(msg, msg_size, "%s %lu: transport must be auto, udp, tcp or tls",
                 ACCOUNT_TOKEN, index);
        ok = false;
      }
    } else if (!strcasecmp(key, "expires")) {
      unsigned long v = strtoul(value, &end, 10);
      if (!*value || *end || *value == '-' || v > UINT32_MAX) {
        snprintf(msg, msg_size, "%s %lu: expires must be a number of seconds",
                 ACCOUNT_TOKEN, index);
        ok = false;
      }
      out->cfg.expires = (uint32_t)v;
    } else if (!strcasecmp(key, "auth")) {
      if (!strcasecmp(value, "none"))
        out->cfg.no_password = true;
      else if (!strcasecmp(value, "digest"))
        out->cfg.no_password = false;
      else {
        snprintf(msg, msg_size, "%s %lu: auth must be digest or none", ACCOUNT_TOKEN, index);
        ok = false;
      }
    } else if (!strcasecmp(key, "notify")) {
      if (!strcasecmp(value, "yes") || !strcasecmp(value, "true"))
        out->notify = SD_TRUE;
      else if (!strcasecmp(value, "no") || !strcasecmp(value, "false"))
        out->notify = SD_FALSE;
      else {
        snprintf(msg, msg_size, "%s %lu: notify must be yes or no", ACCOUNT_TOKEN, index);
        ok = false;
      }
    } else {
      snprintf(msg, msg_size, "%s %lu: unknown key '%.40s'", ACCOUNT_TOKEN, index, key);
      ok = false;
    }
  }
  explicit_bzero(word, sizeof word);
  return ok ? ACCOUNT_LINE_OK : ACCOUNT_LINE_BAD;
}

/* ---- scalar configuration tokens ------------------------------------------------------ */

bool scalar_line_parse(const char *line, unsigned min, unsigned max, unsigned *out)
{
  char *end;
  unsigned long v = strtoul(line, &end, 10);
  while (*end == ' ' || *end == '\t')
    end++;
  if (end == line || *end || v < min || v > max)
    return false;
  *out = (unsigned)v;
  return true;
}

/* ---- sipdiagCapture, sipdiagCaptureDir ---------------------------------------------- */

/* One word and nothing after it, or NULL (msg says why). */
static const char *one_word(const char *token, const char *line, char *word, size_t size,
                            char *msg, size_t msg_size)
{
  const char *rest = copy_nword_const(line, word, (int)size);
  if (!word[0] || rest) {
    snprintf(msg, msg_size, "%s: expected one word", token);
    return NULL;
  }
  return word;
}

bool capture_line_parse(const char *token, const char *line, bool *on,
                        char *msg, size_t msg_size)
{
  char word[16];
  if (!one_word(token, line, word, sizeof word, msg, msg_size))
    return false;
  if (strcasecmp(word, "yes") == 0 || strcasecmp(word, "on") == 0)
    *on = true;
  else if (strcasecmp(word, "no") == 0 || strcasecmp(word, "off") == 0)
    *on = false;
  else {
    snprintf(msg, msg_size, "%s", "sipdiagCapture: expected yes or no");
    return false;
  }
  return true;
}

bool capture_dir_line_parse(const char *token, const char *line, bool *none, char *dir,
                            char *msg, size_t msg_size)
{
  char word[SIPDIAG_PATH_MAX + 1];
  if (!one_word(token, line, word, sizeof word, msg, msg_size))
    return false;
  if (strcmp(word, "none") == 0) {
    *none = true;
    dir[0] = '\0';
    return true;
  }
  size_t len = strlen(word);
  while (len > 1 && word[len - 1] == '/')
    word[--len] = '\0';
  if (word[0] != '/') {
    snprintf(msg, msg_size, "%s", "sipdiagCaptureDir: expected an absolute path or none");
    return false;
  }
  if (len > CAPTURE_DIR_MAX) {
    snprintf(msg, msg_size, "sipdiagCaptureDir: the path is longer than %d octets",
             CAPTURE_DIR_MAX);
    return false;
  }
  memcpy(dir, word, len + 1);
  *none = false;
  return true;
}

/* ---- CA file and directory ------------------------------------------------------------ */

bool ca_path_value_ok(const char *text, size_t len)
{
  if (len == 0)
    return true;
  if (len >= SIPDIAG_CA_PATH_MAX || text[0] != '/')
    return false;
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
      return false;
  return true;
}

bool ca_path_line_parse(const char *token, const char *line, char *out,
                        char *msg, size_t msg_size)
{
  char word[SIPDIAG_CA_PATH_MAX + 1];
  if (!one_word(token, line, word, sizeof word, msg, msg_size))
    return false;
  if (strcmp(word, "none") == 0) {
    out[0] = '\0';
    return true;
  }
  size_t len = strlen(word);
  if (!ca_path_value_ok(word, len) || len == 0) {
    snprintf(msg, msg_size, "%s: expected an absolute path of at most %d octets, or none",
             token, SIPDIAG_CA_PATH_MAX - 1);
    return false;
  }
  memcpy(out, word, len + 1);
  return true;
}

bool saved_text_scalar_parse(char *line, char *name, size_t name_size, char *text,
                             size_t text_size)
{
  char *p = copy_nword(line, name, (int)name_size);
  text[0] = '\0';
  if (!p || !*p || text_size < 2)
    return false;
  char buf[SIPDIAG_CA_PATH_MAX + 1];
  size_t len = sizeof buf - 1;
  u_char *dst = (u_char *)buf;
  if (strncasecmp(p, "0x", 2) == 0) {   /* longer than buf reads as empty: measure */
    size_t digits = strspn(p + 2, "0123456789abcdefABCDEF");
    if (digits / 2 >= sizeof buf)
      return false;
  }
  memset(buf, 0, sizeof buf);
  read_config_read_octet_string(p, &dst, &len);
  if (len >= sizeof buf || memchr(buf, '\0', len) || !ca_path_value_ok(buf, len) ||
      len >= text_size)
    return false;
  memcpy(text, buf, len);
  text[len] = '\0';
  return true;
}

/* ---- the persistent store --------------------------------------------------------------- */

/* read_config_read_data() stores ASN_UNSIGNED as an unsigned int. */
static char *read_uint(char *p, unsigned int *out)
{
  size_t len = sizeof *out;
  *out = 0;
  return p ? read_config_read_data(ASN_UNSIGNED, p, out, &len) : NULL;
}

/* One text field of a saved row into buf (size octets: the column's
 * SIPDIAG_AGENT_TEXT_MAX plus the NUL).  Once *ok is false the rest of the
 * line is skipped, so msg names the first bad field. */
static char *read_text(char *p, const char *field, char *buf, size_t size, bool *ok,
                       char *msg, size_t msg_size)
{
  const size_t max = size - 1;             /* octets the column holds */
  size_t len;
  char *next;

  buf[0] = '\0';
  if (!*ok)
    return NULL;
  if (!p || !*p) {
    snprintf(msg, msg_size, "_sipDiagRow: %s is missing", field);
    *ok = false;
    return NULL;
  }
  if (strncasecmp(p, "0x", 2) == 0) {
    /* net-snmp's reader restores a hex string longer than the buffer as
     * an empty one (length 0): measure it first and refuse the line */
    size_t digits = 0;
    while (p[2 + digits] && !isspace((unsigned char)p[2 + digits])) {
      if (!isxdigit((unsigned char)p[2 + digits])) {
        snprintf(msg, msg_size, "_sipDiagRow: %s is not a valid hex string", field);
        *ok = false;
        return NULL;
      }
      digits++;
    }
    if (digits % 2) {
      snprintf(msg, msg_size, "_sipDiagRow: %s is not a valid hex string", field);
      *ok = false;
      return NULL;
    }
    if (digits / 2 > max) {
      snprintf(msg, msg_size, "_sipDiagRow: %s is longer than %zu octets", field, max);
      *ok = false;
      return NULL;
    }
    len = size;                            /* the reader wants room for a NUL */
    next = read_config_read_data(ASN_OCTET_STR, p, &buf, &len);
  } else {
    /* a quoted or plain word, which the reader would cut silently: read
     * one octet more than the column holds to see a longer one */
    char word[SIPDIAG_AGENT_TEXT_MAX + 2];
    char *w = word;
    len = max + 2 <= sizeof word ? max + 2 : sizeof word;
    next = read_config_read_data(ASN_OCTET_STR, p, &w, &len);
    if (len > max) {
      explicit_bzero(word, sizeof word);
      snprintf(msg, msg_size, "_sipDiagRow: %s is longer than %zu octets", field, max);
      *ok = false;
      return NULL;
    }
    memcpy(buf, word, len);
    buf[len] = '\0';
    explicit_bzero(word, sizeof word);
  }
  if (len > max) {
    len = 0;
    *ok = false;
  } else if (strlen(buf) != len) {
    *ok = false;            /* an embedded NUL: not a text we wrote */
  }
  if (!*ok) {
    buf[0] = '\0';
    snprintf(msg, msg_size, "_sipDiagRow: %s is not a text sipdiagd wrote", field);
    return NULL;
  }
  return next;
}

bool saved_row_parse(char *line, struct saved_row *out, char *msg, size_t msg_size)
{
  unsigned int index, storage, rowstatus, notify, transport, expires;
  char *p = line;
  memset(out, 0, sizeof *out);
  if (msg_size)
    msg[0] = '\0';
  p = read_uint(p, &index);
  p = read_uint(p, &storage);
  p = read_uint(p, &rowstatus);
  p = read_uint(p, &notify);
  p = read_uint(p, &transport);
  p = read_uint(p, &expires);
  const char *bad = !p ? "the line ends before the texts"
                  : index < 1 || index > 65535 ? "the index is not 1 to 65535"
                  : storage != SD_ST_NONVOLATILE ? "the storage type is not nonVolatile"
                  : rowstatus != SD_RS_ACTIVE && rowstatus != SD_RS_NOT_IN_SERVICE
                    ? "the row status is not active or notInService"
                  : notify != SD_TRUE && notify != SD_FALSE ? "notify is not a TruthValue"
                  : transport < 1 || transport > 4 ? "the transport is not 1 to 4"
                  : NULL;
  if (bad) {
    snprintf(msg, msg_size, "_sipDiagRow: %s", bad);
    return false;
  }
  bool ok = true;
  p = read_text(p, "registrar", out->cfg.registrar, sizeof out->cfg.registrar, &ok,
                msg, msg_size);
  p = read_text(p, "aor", out->cfg.aor, sizeof out->cfg.aor, &ok, msg, msg_size);
  p = read_text(p, "authUser", out->cfg.auth_user, sizeof out->cfg.auth_user, &ok,
                msg, msg_size);
  p = read_text(p, "password", out->cfg.password, sizeof out->cfg.password, &ok,
                msg, msg_size);
  read_text(p, "outboundProxy", out->cfg.proxy, sizeof out->cfg.proxy, &ok, msg, msg_size);
  out->index = (uint32_t)index;
  out->storage = SD_ST_NONVOLATILE;
  out->rowstatus = (int)rowstatus;
  out->notify = (int)notify;
  out->cfg.transport = (sipdiag_transport_t)transport;
  out->cfg.expires = (uint32_t)expires;
  return ok;
}

void saved_scalar_parse(char *line, char *name, size_t name_size, unsigned *value)
{
  char *p = copy_nword(line, name, (int)name_size);
  unsigned int v;
  read_uint(p, &v);
  *value = v;
}

/* ---- the account a diagnosis is for ------------------------------------------------------ */

/* Appends c to out (len so far, size > 0), cutting silently. */
static void put(char *out, size_t size, size_t *len, char c)
{
  if (*len + 1 < size)
    out[(*len)++] = c;
  out[*len] = '\0';
}

static int hex_value(char c)
{
  return c >= '0' && c <= '9' ? c - '0'
       : c >= 'a' && c <= 'f' ? c - 'a' + 10
       : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Appends the user (with_user) and the host of a SIP URI to out. */
static void put_uri(char *out, size_t size, size_t *len, const char *uri, bool with_user)
{
  const char *p = uri;
  if (strncasecmp(p, "sips:", 5) == 0)
    p += 5;
  else if (strncasecmp(p, "sip:", 4) == 0)
    p += 4;
  /* the userinfo ends at the first '@' (one inside it is escaped) */
  const char *at = strchr(p, '@');
  const char *host = at ? at + 1 : p;
  if (with_user && at) {
    for (const char *u = p; u < at && *u != ':'; u++) {   /* ":password" dropped */
      char c = *u;
      if (c == '%' && u + 2 < at && hex_value(u[1]) >= 0 && hex_value(u[2]) >= 0) {
        c = (char)(hex_value(u[1]) * 16 + hex_value(u[2]));
        u += 2;
      }
      put(out, size, len, (char)tolower((unsigned char)c));
    }
  }
  if (with_user)
    put(out, size, len, '@');
  /* host: up to the port, parameters or headers; an IPv6 reference whole */
  const char *end = host;
  if (*end == '[') {
    while (*end && *end != ']')
      end++;
    if (*end == ']')
      end++;
  } else {
    while (*end && *end != ':' && *end != ';' && *end != '?' && *end != '>')
      end++;
    if (end > host && end[-1] == '.')
      end--;                  /* "example.net." is example.net */
  }
  for (const char *h = host; h < end; h++)
    put(out, size, len, (char)tolower((unsigned char)*h));
}

void account_identity(const struct row_config *cfg, char *out, size_t size)
{
  size_t len = 0;
  out[0] = '\0';
  put_uri(out, size, &len, cfg->registrar, false);
  put(out, size, &len, '\n');
  put_uri(out, size, &len, cfg->aor, true);
}

/* ---- SET on sipDiagTable --------------------------------------------------------------- */

int table_check_value(unsigned col, const netsnmp_variable_list *vb)
{
  switch (col) {
  case COL_REGISTRAR: case COL_AOR: case COL_AUTH_USER: case COL_PROXY:
    if (vb->type != ASN_OCTET_STR)
      return SNMP_ERR_WRONGTYPE;
    if (vb->val_len > SIPDIAG_AGENT_TEXT_MAX)
      return SNMP_ERR_WRONGLENGTH;
    if (!utf8_valid(vb->val.string, vb->val_len) ||
        memchr(vb->val.string, '\0', vb->val_len))
      return SNMP_ERR_WRONGVALUE;
    return 0;
  case COL_PASSWORD:
    if (vb->type != ASN_OCTET_STR)
      return SNMP_ERR_WRONGTYPE;
    if (vb->val_len > SIPDIAG_AGENT_TEXT_MAX)
      return SNMP_ERR_WRONGLENGTH;
    if (memchr(vb->val.string, '\0', vb->val_len))
      return SNMP_ERR_WRONGVALUE;    /* digest passwords are text */
    return 0;
  case COL_TRANSPORT:
    if (vb->type != ASN_INTEGER)
      return SNMP_ERR_WRONGTYPE;
    if (vb->val_len != sizeof(long))
      return SNMP_ERR_WRONGLENGTH;
    return *vb->val.integer >= 1 && *vb->val.integer <= 4 ? 0 : SNMP_ERR_WRONGVALUE;
  case COL_EXPIRES:
    if (vb->type != ASN_UNSIGNED)
      return SNMP_ERR_WRONGTYPE;
    return vb->val_len == sizeof(long) ? 0 : SNMP_ERR_WRONGLENGTH;
  case COL_STATE:
    if (vb->type != ASN_INTEGER)
      return SNMP_ERR_WRONGTYPE;
    if (vb->val_len != sizeof(long))
      return SNMP_ERR_WRONGLENGTH;
    /* only requested(2) and canceled(5) can be written */
    return *vb->val.integer == SIPDIAG_STATE_REQUESTED ||
           *vb->val.integer == SIPDIAG_STATE_CANCELED ? 0 : SNMP_ERR_WRONGVALUE;
  case COL_NOTIFY:
    if (vb->type != ASN_INTEGER)
      return SNMP_ERR_WRONGTYPE;
    if (vb->val_len != sizeof(long))
      return SNMP_ERR_WRONGLENGTH;
    return *vb->val.integer == SD_TRUE || *vb->val.integer == SD_FALSE ? 0 : SNMP_ERR_WRONGVALUE;
  case COL_STORAGE:
    if (vb->type != ASN_INTEGER)
      return SNMP_ERR_WRONGTYPE;
    if (vb->val_len != sizeof(long))
      return SNMP_ERR_WRONGLENGTH;
    /* a manager may choose volatile or nonVolatile; other(1), permanent(4)
     * and readOnly(5) are the agent's to give */
    return *vb->val.integer == SD_ST_VOLATILE || *vb->val.integer == SD_ST_NONVOLATILE
           ? 0 : SNMP_ERR_WRONGVALUE;
  case COL_ROWSTATUS:
    if (vb->type != ASN_INTEGER)
      return SNMP_ERR_WRONGTYPE;
    if (vb->val_len != sizeof(long))
      return SNMP_ERR_WRONGLENGTH;
    return *vb->val.integer >= SD_RS_ACTIVE && *vb->val.integer <= SD_RS_DESTROY &&
           *vb->val.integer != SD_RS_NOT_READY ? 0 : SNMP_ERR_WRONGVALUE;
  default:
    return SNMP_ERR_NOTWRITABLE;
  }
}

void table_copy_text(char *dst, const netsnmp_variable_list *vb)
{
  memcpy(dst, vb->val.string, vb->val_len);
  dst[vb->val_len] = '\0';
}
