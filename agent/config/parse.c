/*
 * parse.c - sipdiagd's readers and checkers of untrusted text (parse.h),
 * and the UTF-8 helpers they share with the rest of the agent.
 *
 * Moved here unchanged from accounts.c, scalars.c, persist.c, table.c and
 * rows.c so that tests/fuzz/ can drive them without an agent.
 */
#include "config.h"
#include "agent-snmp.h"
#include "config/parse.h"
#include "model/key.h"
#include "util/text.h"

#include <errno.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>

#define ACCOUNT_TOKEN "sipdiagAccount"

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
  out->sched.failure_threshold = SIPDIAG_AGENT_DEFAULT_FAILURE_THRESHOLD;
  out->sched.max_runs = SIPDIAG_AGENT_DEFAULT_MAX_RUNS;
  out->storage = SD_ST_PERMANENT;

  const char *p = copy_nword_const(line, word, sizeof word);
  char *end;
  size_t name_len = strlen(word);
  if (!name_len || name_len > SIPDIAG_AGENT_KEY_MAX || strchr(word, '=') ||
      !row_key_part_valid((const unsigned char *)word, name_len)) {
    snprintf(msg, msg_size, "%s: the first word must be the account's name "
             "(sipDiagName: 1 to %d octets of UTF-8, no '=')", ACCOUNT_TOKEN,
             SIPDIAG_AGENT_KEY_MAX);
    return ACCOUNT_LINE_BAD_NAME;
  }
  memcpy(out->name, word, name_len + 1);
  const char *name = out->name;
  bool ok = true;
  while (ok && p && *p) {
    p = copy_nword_const(p, word, sizeof word);
    char *eq = strchr(word, '=');
    if (!eq) {
      snprintf(msg, msg_size, "%s %s: expected key=value words", ACCOUNT_TOKEN, name);
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
        snprintf(msg, msg_size, "%s %s: transport must be auto, udp, tcp or tls",
                 ACCOUNT_TOKEN, name);
        ok = false;
      }
    } else if (!strcasecmp(key, "expires")) {
      unsigned long v = strtoul(value, &end, 10);
      if (!*value || *end || *value == '-' || v > UINT32_MAX) {
        snprintf(msg, msg_size, "%s %s: expires must be a number of seconds",
                 ACCOUNT_TOKEN, name);
        ok = false;
      }
      out->cfg.expires = (uint32_t)v;
    } else if (!strcasecmp(key, "auth")) {
      if (!strcasecmp(value, "none"))
        out->cfg.no_password = true;
      else if (!strcasecmp(value, "digest"))
        out->cfg.no_password = false;
      else {
        snprintf(msg, msg_size, "%s %s: auth must be digest or none", ACCOUNT_TOKEN, name);
        ok = false;
      }
    } else if (!strcasecmp(key, "notify")) {
      if (!strcasecmp(value, "yes") || !strcasecmp(value, "true"))
        out->sched.traps |= TRAP_COMPLETE;
      else if (!strcasecmp(value, "no") || !strcasecmp(value, "false"))
        out->sched.traps &= ~(unsigned)TRAP_COMPLETE;
      else {
        snprintf(msg, msg_size, "%s %s: notify must be yes or no", ACCOUNT_TOKEN, name);
        ok = false;
      }
    } else if (!strcasecmp(key, "frequency") || !strcasecmp(key, "failureThreshold") ||
               !strcasecmp(key, "maxRuns")) {
      bool freq = !strcasecmp(key, "frequency"), thr = !strcasecmp(key, "failureThreshold");
      unsigned long min = thr ? 1 : 0;
      unsigned long max = freq ? SIPDIAG_AGENT_FREQUENCY_MAX_S
                        : thr ? SIPDIAG_AGENT_FAILURE_THRESHOLD_MAX : SIPDIAG_AGENT_MAX_RUNS_MAX;
      unsigned long v = strtoul(value, &end, 10);
      if (!*value || *end || *value == '-' || v < min || v > max) {
        snprintf(msg, msg_size, "%s %s: %s must be a number from %lu to %lu", ACCOUNT_TOKEN,
                 name, key, min, max);
        ok = false;
      } else if (freq) {
        out->sched.frequency_s = (uint32_t)v;
      } else if (thr) {
        out->sched.failure_threshold = (uint32_t)v;
      } else {
        out->sched.max_runs = (uint32_t)v;
      }
    } else if (!strcasecmp(key, "traps")) {
      /* complete,failure,recovery (any order), or none */
      unsigned traps = 0;
      char list[64];
      snprintf(list, sizeof list, "%s", value);
      char *save = NULL;
      for (char *w = strtok_r(list, ",", &save); ok && w; w = strtok_r(NULL, ",", &save)) {
        if (!strcasecmp(w, "complete"))
          traps |= TRAP_COMPLETE;
        else if (!strcasecmp(w, "failure"))
          traps |= TRAP_FAILURE;
        else if (!strcasecmp(w, "recovery"))
          traps |= TRAP_RECOVERY;
        else if (strcasecmp(w, "none") != 0) {
          snprintf(msg, msg_size, "%s %s: traps must list complete, failure, recovery "
                   "(comma-separated) or be none", ACCOUNT_TOKEN, name);
          ok = false;
        }
      }
      out->sched.traps = traps;
    } else if (!strcasecmp(key, "storage")) {
      if (!strcasecmp(value, "permanent"))
        out->storage = SD_ST_PERMANENT;
      else if (!strcasecmp(value, "readOnly"))
        out->storage = SD_ST_READONLY;
      else {
        snprintf(msg, msg_size, "%s %s: storage must be permanent or readOnly", ACCOUNT_TOKEN,
                 name);
        ok = false;
      }
    } else {
      snprintf(msg, msg_size, "%s %s: unknown key '%.40s'", ACCOUNT_TOKEN, name, key);
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

static bool printable(const char *text, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
      return false;
  return true;
}

/* One word: "none" (*none true, out "") or an absolute path of at most max
 * octets without control characters, trailing slashes dropped, into out
 * (max + 1 octets).  False and msg naming token otherwise (out untouched). */
static bool path_or_none_parse(const char *token, const char *line, size_t max,
                               char *out, bool *none, char *msg, size_t msg_size)
{
  char word[SIPDIAG_PATH_MAX + 1];
  if (!one_word(token, line, word, sizeof word, msg, msg_size))
    return false;
  if (strcmp(word, "none") == 0) {
    *none = true;
    out[0] = '\0';
    return true;
  }
  size_t len = strlen(word);
  while (len > 1 && word[len - 1] == '/')
    word[--len] = '\0';
  if (word[0] != '/' || len > max || !printable(word, len)) {
    snprintf(msg, msg_size, "%s: expected an absolute path of at most %zu octets, or none",
             token, max);
    return false;
  }
  memcpy(out, word, len + 1);
  *none = false;
  return true;
}

bool capture_dir_line_parse(const char *token, const char *line, bool *none, char *dir,
                            char *msg, size_t msg_size)
{
  return path_or_none_parse(token, line, CAPTURE_DIR_MAX, dir, none, msg, msg_size);
}

/* ---- CA file and directory ------------------------------------------------------------ */

bool ca_path_value_ok(const char *text, size_t len)
{
  if (len == 0)
    return true;
  return len < SIPDIAG_CA_PATH_MAX && text[0] == '/' && printable(text, len);
}

bool ca_path_line_parse(const char *token, const char *line, char *out,
                        char *msg, size_t msg_size)
{
  bool none;
  return path_or_none_parse(token, line, SIPDIAG_CA_PATH_MAX - 1, out, &none, msg, msg_size);
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
static const char *text_token = "_sipDiagRow";   /* the line being read, for msg */

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
    snprintf(msg, msg_size, "%s: %s is missing", text_token, field);
    *ok = false;
    return NULL;
  }
  if (strncasecmp(p, "0x", 2) == 0) {
    /* net-snmp's reader restores a hex string longer than the buffer as
     * an empty one (length 0): measure it first and refuse the line */
    size_t digits = 0;
    while (p[2 + digits] && !isspace((unsigned char)p[2 + digits])) {
      if (!isxdigit((unsigned char)p[2 + digits])) {
        snprintf(msg, msg_size, "%s: %s is not a valid hex string", text_token, field);
        *ok = false;
        return NULL;
      }
      digits++;
    }
    if (digits % 2) {
      snprintf(msg, msg_size, "%s: %s is not a valid hex string", text_token, field);
      *ok = false;
      return NULL;
    }
    if (digits / 2 > max) {
      snprintf(msg, msg_size, "%s: %s is longer than %zu octets", text_token, field, max);
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
      snprintf(msg, msg_size, "%s: %s is longer than %zu octets", text_token, field, max);
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
    snprintf(msg, msg_size, "%s: %s is not a text sipdiagd wrote", text_token, field);
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
  text_token = "_sipDiagRow";
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

/* A hex digit's value, or -1. */
static int hex_value(char c)
{
  return c >= '0' && c <= '9' ? c - '0'
       : c >= 'a' && c <= 'f' ? c - 'a' + 10
       : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* ---- the store's lines of this version ------------------------------------------------ */

/* The owner and name at the start of a line: two texts of at most
 * SIPDIAG_AGENT_KEY_MAX octets forming a valid key. */
static char *read_key(char *p, struct row_key *key, bool *ok, char *msg, size_t msg_size)
{
  char owner[SIPDIAG_AGENT_TEXT_MAX + 1], name[SIPDIAG_AGENT_TEXT_MAX + 1];
  p = read_text(p, "owner", owner, SIPDIAG_AGENT_KEY_MAX + 1, ok, msg, msg_size);
  p = read_text(p, "name", name, SIPDIAG_AGENT_KEY_MAX + 1, ok, msg, msg_size);
  if (*ok && !row_key_set(key, (const unsigned char *)owner, strlen(owner),
                          (const unsigned char *)name, strlen(name))) {
    snprintf(msg, msg_size, "%s: the owner or name is not a valid index", text_token);
    *ok = false;
  }
  return *ok ? p : NULL;
}

/* A decimal number of at most 64 bits as one word; false (msg) when not. */
static char *read_u64(char *p, const char *field, uint64_t max, uint64_t *out, bool *ok,
                      char *msg, size_t msg_size)
{
  char word[32], *end;
  *out = 0;
  if (!*ok)
    return NULL;
  if (!p || !*p) {
    snprintf(msg, msg_size, "%s: %s is missing", text_token, field);
    *ok = false;
    return NULL;
  }
  p = copy_nword(p, word, sizeof word);
  errno = 0;
  unsigned long long v = strtoull(word, &end, 10);
  if (!word[0] || *end || word[0] == '-' || errno || v > max) {
    snprintf(msg, msg_size, "%s: %s is not a number from 0 to %llu", text_token, field,
             (unsigned long long)max);
    *ok = false;
    return NULL;
  }
  *out = v;
  return p;
}

#define TIME_MS_MAX 253402300799999ull       /* 9999-12-31 */

bool saved_entry_parse(char *line, struct saved_entry *out, char *msg, size_t msg_size)
{
  memset(out, 0, sizeof *out);
  if (msg_size)
    msg[0] = '\0';
  text_token = "_sipDiagEntry";
  bool ok = true;
  uint64_t storage, rowstatus, traps, frequency, threshold, max_runs, transport, expires;
  char *p = read_key(line, &out->key, &ok, msg, msg_size);
  p = read_u64(p, "storage", 5, &storage, &ok, msg, msg_size);
  p = read_u64(p, "rowStatus", 6, &rowstatus, &ok, msg, msg_size);
  p = read_u64(p, "traps", TRAP_ALL, &traps, &ok, msg, msg_size);
  p = read_u64(p, "frequency", SIPDIAG_AGENT_FREQUENCY_MAX_S, &frequency, &ok, msg, msg_size);
  p = read_u64(p, "failureThreshold", SIPDIAG_AGENT_FAILURE_THRESHOLD_MAX, &threshold, &ok,
               msg, msg_size);
  p = read_u64(p, "maxRuns", SIPDIAG_AGENT_MAX_RUNS_MAX, &max_runs, &ok, msg, msg_size);
  p = read_u64(p, "transport", 4, &transport, &ok, msg, msg_size);
  p = read_u64(p, "expires", UINT32_MAX, &expires, &ok, msg, msg_size);
  if (!ok)
    return false;
  const char *bad = storage != SD_ST_NONVOLATILE ? "the storage type is not nonVolatile"
                  : rowstatus != SD_RS_ACTIVE && rowstatus != SD_RS_NOT_IN_SERVICE
                    ? "the row status is not active or notInService"
                  : threshold < 1 ? "failureThreshold is 0"
                  : transport < 1 ? "the transport is not 1 to 4"
                  : NULL;   /* expires 0 is a value the MIB takes (a run reads it as configIncomplete) */
  if (bad) {
    snprintf(msg, msg_size, "_sipDiagEntry: %s", bad);
    return false;
  }
  p = read_text(p, "registrar", out->cfg.registrar, sizeof out->cfg.registrar, &ok,
                msg, msg_size);
  p = read_text(p, "aor", out->cfg.aor, sizeof out->cfg.aor, &ok, msg, msg_size);
  p = read_text(p, "authUser", out->cfg.auth_user, sizeof out->cfg.auth_user, &ok,
                msg, msg_size);
  p = read_text(p, "password", out->cfg.password, sizeof out->cfg.password, &ok,
                msg, msg_size);
  read_text(p, "outboundProxy", out->cfg.proxy, sizeof out->cfg.proxy, &ok, msg, msg_size);
  out->storage = (int)storage;
  out->rowstatus = (int)rowstatus;
  out->sched.traps = (unsigned)traps;
  out->sched.frequency_s = (uint32_t)frequency;
  out->sched.failure_threshold = (uint32_t)threshold;
  out->sched.max_runs = (uint32_t)max_runs;
  out->cfg.transport = (sipdiag_transport_t)transport;
  out->cfg.expires = (uint32_t)expires;
  return ok;
}

bool saved_stats_parse(char *line, struct row_key *key, struct row_stats *out,
                       char *msg, size_t msg_size)
{
  memset(out, 0, sizeof *out);
  if (msg_size)
    msg[0] = '\0';
  text_token = "_sipDiagStats";
  bool ok = true;
  uint64_t runs, successes, failures, consecutive, last_good, since, fault, in_failure, last;
  char *p = read_key(line, key, &ok, msg, msg_size);
  p = read_u64(p, "runs", UINT32_MAX, &runs, &ok, msg, msg_size);
  p = read_u64(p, "successes", UINT32_MAX, &successes, &ok, msg, msg_size);
  p = read_u64(p, "failures", UINT32_MAX, &failures, &ok, msg, msg_size);
  p = read_u64(p, "consecutiveFailures", UINT32_MAX, &consecutive, &ok, msg, msg_size);
  p = read_u64(p, "lastGoodTime", TIME_MS_MAX, &last_good, &ok, msg, msg_size);
  p = read_u64(p, "faultSince", TIME_MS_MAX, &since, &ok, msg, msg_size);
  p = read_u64(p, "lastFault", SIPDIAG_FAULT_MALFORMED_RESPONSE, &fault, &ok, msg, msg_size);
  p = read_u64(p, "inFailure", 1, &in_failure, &ok, msg, msg_size);
  read_u64(p, "lastRunIndex", UINT32_MAX, &last, &ok, msg, msg_size);
  if (!ok)
    return false;
  out->runs = (uint32_t)runs;
  out->successes = (uint32_t)successes;
  out->failures = (uint32_t)failures;
  out->consecutive_failures = (uint32_t)consecutive;
  out->last_good_ms = (int64_t)last_good;
  out->fault_since_ms = (int64_t)since;
  out->last_fault = fault ? (int)fault : SIPDIAG_FAULT_NONE;
  out->in_failure = in_failure == 1;
  out->last_run_index = (uint32_t)last;
  return true;
}

bool saved_run_parse(char *line, struct row_key *key, struct run_record *out,
                     char *diagnosis, size_t diagnosis_size, char *msg, size_t msg_size)
{
  memset(out, 0, sizeof *out);
  if (msg_size)
    msg[0] = '\0';
  text_token = "_sipDiagRun";
  bool ok = true;
  uint64_t index, start, end, duration, code, fault, status, attempts, port, trigger;
  char *p = read_key(line, key, &ok, msg, msg_size);
  p = read_u64(p, "runIndex", UINT32_MAX, &index, &ok, msg, msg_size);
  p = read_u64(p, "startTime", TIME_MS_MAX, &start, &ok, msg, msg_size);
  p = read_u64(p, "endTime", TIME_MS_MAX, &end, &ok, msg, msg_size);
  p = read_u64(p, "duration", UINT32_MAX, &duration, &ok, msg, msg_size);
  p = read_u64(p, "code", 999, &code, &ok, msg, msg_size);
  p = read_u64(p, "fault", SIPDIAG_FAULT_MALFORMED_RESPONSE, &fault, &ok, msg, msg_size);
  p = read_u64(p, "sipStatus", 999, &status, &ok, msg, msg_size);
  p = read_u64(p, "attempts", UINT32_MAX, &attempts, &ok, msg, msg_size);
  p = read_u64(p, "port", 65535, &port, &ok, msg, msg_size);
  p = read_u64(p, "trigger", TRIGGER_SCHEDULE, &trigger, &ok, msg, msg_size);
  char addr[SIPDIAG_AGENT_TEXT_MAX + 1];
  p = read_text(p, "serverAddress", addr, 17, &ok, msg, msg_size);
  read_text(p, "diagnosis", diagnosis, diagnosis_size, &ok, msg, msg_size);
  if (!ok)
    return false;
  size_t alen = strlen(addr);
  if (index < 1 || fault < 1 || trigger < 1 || (alen != 0 && alen != 8 && alen != 32)) {
    snprintf(msg, msg_size, "_sipDiagRun: a value is out of range");
    return false;
  }
  for (size_t i = 0; i < alen / 2; i++) {
    int hi = hex_value(addr[2 * i]), lo = hex_value(addr[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      snprintf(msg, msg_size, "_sipDiagRun: serverAddress is not hex");
      return false;
    }
    out->addr[i] = (uint8_t)(hi * 16 + lo);
  }
  out->addr_len = (uint8_t)(alen / 2);
  out->index = (uint32_t)index;
  out->start_ms = (int64_t)start;
  out->end_ms = (int64_t)end;
  out->duration_ms = (uint32_t)duration;
  out->code = (uint32_t)code;
  out->fault = (uint8_t)fault;
  out->sip_status = (uint32_t)status;
  out->attempts = (uint32_t)attempts;
  out->server_port = (uint16_t)port;
  out->trigger = (uint8_t)trigger;
  return true;
}

/* ---- the account a diagnosis is for ------------------------------------------------------ */

/* Appends c to out (len so far, size > 0), cutting silently. */
static void put(char *out, size_t size, size_t *len, char c)
{
  if (*len + 1 < size)
    out[(*len)++] = c;
  out[*len] = '\0';
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
