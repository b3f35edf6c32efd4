/*
 * settings.c - the values diagnoses run with (settings.h).
 *
 * Each writable scalar has three layers: the MIB's DEFVAL, a value from
 * sipdiagd's configuration file (sipDiagTimer 32, ...), and a value a
 * manager set over SNMP.  The manager's value wins; it is kept in the
 * persistent store, so it survives restarts and SIGHUP.
 *
 * The text scalars sipDiagTlsCaFile and sipDiagTlsCaDir layer the same
 * way, with "" for "not set": no DEFVAL but the system's default store, a
 * configuration line (sipDiagTlsCaFile FILE|none), and a manager's value;
 * a manager writing "" removes its own value.
 */
#include "config.h"
#include "agent-snmp.h"
#include "config/settings.h"
#include "config/parse.h"
#include "util/fdlimit.h"
#include "model/key.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

#define DEVICE_OWNER_TOKEN "sipdiagDeviceOwner"
#define SCALAR_TOKEN "_sipDiagScalar"
#define TEXT_SCALAR_TOKEN "_sipDiagScalarText"

static char device_owner[SIPDIAG_AGENT_KEY_MAX + 1];   /* "" = the default */

struct scalar {
  const char *name;            /* also the configuration token            */
  unsigned min, max, defval;
  unsigned file_value;         /* 0 = not in the configuration file        */
  unsigned snmp_value;         /* 0 = not set by a manager                 */
};

static struct scalar scalars[SC_COUNT] = {
  [SC_TIMER] = { "sipDiagTimer", SIPDIAG_TIMER_MIN_S, SIPDIAG_TIMER_MAX_S,
                 SIPDIAG_DEFAULT_TIMER_S, 0, 0 },
  [SC_ATTEMPTS] = { "sipDiagAttempts", SIPDIAG_ATTEMPTS_MIN, SIPDIAG_ATTEMPTS_MAX,
                    SIPDIAG_DEFAULT_ATTEMPTS, 0, 0 },
  [SC_PINGS] = { "sipDiagPings", SIPDIAG_PINGS_MIN, SIPDIAG_PINGS_MAX,
                 SIPDIAG_DEFAULT_PINGS, 0, 0 },
  [SC_ATTEMPT_TIMEOUT] = { "sipDiagAttemptTimeout", SIPDIAG_ATTEMPT_TIMEOUT_MIN_MS,
                           SIPDIAG_ATTEMPT_TIMEOUT_MAX_MS,
                           SIPDIAG_DEFAULT_ATTEMPT_TIMEOUT_MS, 0, 0 },
  [SC_MAX_CONCURRENT] = { "sipDiagMaxConcurrent", SIPDIAG_AGENT_MAX_CONCURRENT_MIN,
                          SIPDIAG_AGENT_MAX_CONCURRENT_MAX,
                          SIPDIAG_AGENT_DEFAULT_MAX_CONCURRENT, 0, 0 },
};

/* The names are constant; the values are not initialised, so they cost
 * no flash (bss, not data). */
static const char *const text_names[ST_COUNT] = {  /* also the configuration tokens */
  [ST_CA_FILE] = "sipDiagTlsCaFile",
  [ST_CA_DIR] = "sipDiagTlsCaDir",
};

static struct text_value {
  char file_value[SIPDIAG_CA_PATH_MAX];
  char snmp_value[SIPDIAG_CA_PATH_MAX];
} texts[ST_COUNT];

const char *settings_text(enum text_scalar_id id)
{
  return texts[id].snmp_value[0] ? texts[id].snmp_value : texts[id].file_value;
}

const char *settings_text_name(enum text_scalar_id id)
{
  return text_names[id];
}

bool settings_text_override(enum text_scalar_id id, const char **text)
{
  *text = texts[id].snmp_value;
  return texts[id].snmp_value[0] != '\0';
}

bool settings_set_text_override(enum text_scalar_id id, const char *text)
{
  size_t len = strlen(text);
  if (!ca_path_value_ok(text, len))
    return false;
  memcpy(texts[id].snmp_value, text, len + 1);
  store_changed_now();
  return true;
}

unsigned settings_value(enum scalar_id id)
{
  const struct scalar *s = &scalars[id];
  return s->snmp_value ? s->snmp_value : s->file_value ? s->file_value : s->defval;
}

const char *settings_name(enum scalar_id id)
{
  return scalars[id].name;
}

bool settings_override(enum scalar_id id, unsigned *value)
{
  *value = scalars[id].snmp_value;
  return scalars[id].snmp_value != 0;
}

bool settings_set_override(enum scalar_id id, unsigned value)
{
  if (value < scalars[id].min || value > scalars[id].max)
    return false;
  scalars[id].snmp_value = value;
  store_changed_now();
  return true;
}

void settings_engine(sipdiag_settings_t *settings)
{
  sipdiag_settings_default(settings);
  settings->timer_s = settings_value(SC_TIMER);
  settings->attempts = settings_value(SC_ATTEMPTS);
  settings->pings = settings_value(SC_PINGS);
  settings->attempt_timeout_ms = settings_value(SC_ATTEMPT_TIMEOUT);
  snprintf(settings->ca_file, sizeof settings->ca_file, "%s", settings_text(ST_CA_FILE));
  snprintf(settings->ca_dir, sizeof settings->ca_dir, "%s", settings_text(ST_CA_DIR));
}

unsigned settings_max_concurrent(void)
{
  return fdlimit_fit(settings_value(SC_MAX_CONCURRENT));
}

/* ---- configuration tokens ----------------------------------------------------- */

static void parse_token(const char *token, char *line)
{
  for (int id = 0; id < SC_COUNT; id++) {
    struct scalar *s = &scalars[id];
    if (strcmp(token, s->name) != 0)
      continue;
    unsigned v;
    if (!scalar_line_parse(line, s->min, s->max, &v)) {
      char msg[160];
      snprintf(msg, sizeof msg, "%s: expected a number from %u to %u",
               s->name, s->min, s->max);
      config_perror(msg);
      return;
    }
    s->file_value = v;
  }
}

static void parse_text_token(const char *token, char *line)
{
  for (int id = 0; id < ST_COUNT; id++) {
    if (strcmp(token, text_names[id]) != 0)
      continue;
    char msg[160];
    if (!ca_path_line_parse(token, line, texts[id].file_value, msg, sizeof msg))
      config_perror(msg);
  }
}

static void free_tokens(void)
{
  device_owner[0] = '\0';
  for (int id = 0; id < SC_COUNT; id++)
    scalars[id].file_value = 0;
  for (int id = 0; id < ST_COUNT; id++)
    texts[id].file_value[0] = '\0';
}

unsigned settings_min(enum scalar_id id)
{
  return scalars[id].min;
}

unsigned settings_max(enum scalar_id id)
{
  return scalars[id].max;
}

const char *settings_device_owner(void)
{
  return device_owner[0] ? device_owner : SIPDIAG_AGENT_DEVICE_OWNER;
}

static void parse_device_owner(const char *token, char *line)
{
  char word[SIPDIAG_AGENT_KEY_MAX + 8];
  copy_nword(line, word, sizeof word);
  size_t len = strlen(word);
  if (!len || len > SIPDIAG_AGENT_KEY_MAX || !row_key_part_valid((const unsigned char *)word, len)) {
    char msg[120];
    snprintf(msg, sizeof msg, "%s: expected one word of 1 to %d octets (UTF-8)", token,
             SIPDIAG_AGENT_KEY_MAX);
    config_perror(msg);
    return;
  }
  memcpy(device_owner, word, len + 1);
}

/* ---- the store: values managers set ------------------------------------------------ */

static bool write_overrides(struct store_writer *w)
{
  for (int id = 0; id < SC_COUNT; id++) {
    unsigned v;
    if (settings_override((enum scalar_id)id, &v)) {
      char line[128];
      snprintf(line, sizeof line, "%s %s %u", SCALAR_TOKEN, settings_name((enum scalar_id)id), v);
      if (!store_put(w, line))
        return false;
    }
  }
  for (int id = 0; id < ST_COUNT; id++) {
    const char *text;
    if (settings_text_override((enum text_scalar_id)id, &text)) {
      char line[64 + 2 * SIPDIAG_CA_PATH_MAX + 8];
      size_t len = strlen(text);
      int n = snprintf(line, sizeof line, "%s %s ", TEXT_SCALAR_TOKEN,
                       settings_text_name((enum text_scalar_id)id));
      if (n > 0 && (size_t)n < sizeof line &&
          read_config_store_data(ASN_OCTET_STR, line + n, (u_char **)&text, &len) &&
          !store_put(w, line))
        return false;
    }
  }
  return true;
}

static void read_scalar(const char *token, char *rest, const char *where)
{
  (void)token;
  char name[64];
  unsigned value;
  saved_scalar_parse(rest, name, sizeof name, &value);
  int id = 0;
  while (id < SC_COUNT && strcmp(name, settings_name((enum scalar_id)id)) != 0)
    id++;
  if (id == SC_COUNT)
    snmp_log(LOG_WARNING, "sipdiagd: %s: unknown saved scalar '%.40s' ignored\n", where, name);
  else if (!settings_set_override((enum scalar_id)id, value))
    snmp_log(LOG_WARNING, "sipdiagd: %s: saved %s %u out of range, ignored\n", where, name,
             value);
}

static void read_text_scalar(const char *token, char *rest, const char *where)
{
  char name[64], text[SIPDIAG_CA_PATH_MAX];
  if (!saved_text_scalar_parse(rest, name, sizeof name, text, sizeof text)) {
    snmp_log(LOG_WARNING, "sipdiagd: %s: %s is not a value sipdiagd wrote, ignored\n", where,
             token);
    return;
  }
  int id = 0;
  while (id < ST_COUNT && strcmp(name, settings_text_name((enum text_scalar_id)id)) != 0)
    id++;
  if (id == ST_COUNT)
    snmp_log(LOG_WARNING, "sipdiagd: %s: unknown saved scalar '%.40s' ignored\n", where, name);
  else if (text[0])
    settings_set_text_override((enum text_scalar_id)id, text);
}

void settings_init(void)
{
  for (int id = 0; id < SC_COUNT; id++) {
    char help[80];
    snprintf(help, sizeof help, "%u..%u (default %u)", scalars[id].min, scalars[id].max,
             scalars[id].defval);
    register_app_config_handler(scalars[id].name, parse_token,
                                id == 0 ? free_tokens : NULL, help);
  }
  for (int id = 0; id < ST_COUNT; id++)
    register_app_config_handler(text_names[id], parse_text_token, NULL,
                                id == ST_CA_FILE ? "FILE|none (default: the system's CA store)"
                                                 : "DIR|none (default: the system's CA store)");
  register_app_config_handler(DEVICE_OWNER_TOKEN, parse_device_owner, NULL,
                              "OWNER (sipDiagOwner of the terminal's own accounts; "
                              "default " SIPDIAG_AGENT_DEVICE_OWNER ")");
  store_add_writer(write_overrides);
  store_add_reader(SCALAR_TOKEN, read_scalar, true);
  store_add_reader(TEXT_SCALAR_TOKEN, read_text_scalar, false);
}
