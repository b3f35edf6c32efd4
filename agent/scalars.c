/*
 * scalars.c - sipDiagScalars (.1.1): the engine parameters and counters.
 *
 * Each writable scalar has three layers: the MIB's DEFVAL, a value from
 * sipdiagd's configuration file (sipDiagTimer 32, ...), and a value a
 * manager set over SNMP.  The manager's value wins; it is kept in the
 * persistent store (persist.c), so it survives restarts and SIGHUP.
 *
 * The text scalars sipDiagTlsCaFile and sipDiagTlsCaDir layer the same
 * way, with "" for "not set": no DEFVAL but the system's default store, a
 * configuration line (sipDiagTlsCaFile FILE|none), and a manager's value;
 * a manager writing "" removes its own value.
 */
#include "config.h"
#include "agent-snmp.h"
#include "sipdiagd.h"
#include "parse.h"

#include <stdlib.h>
#include <string.h>

static const oid scalars_oid[] = { SIPDIAG_MIB_OID, 1, 1 };

enum { S_TIMER = 1, S_ATTEMPTS, S_PINGS, S_ATTEMPT_TIMEOUT, S_MAX_CONCURRENT,
       S_RUNNING, S_STARTED, S_COMPLETED, S_TLS_CA_FILE, S_TLS_CA_DIR };

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

struct text_scalar {
  const char *name;            /* also the configuration token            */
  char file_value[SIPDIAG_CA_PATH_MAX];
  char snmp_value[SIPDIAG_CA_PATH_MAX];
};

static struct text_scalar texts[ST_COUNT] = {
  [ST_CA_FILE] = { "sipDiagTlsCaFile", "", "" },
  [ST_CA_DIR] = { "sipDiagTlsCaDir", "", "" },
};

static const char *text_of(enum text_scalar_id id)
{
  return texts[id].snmp_value[0] ? texts[id].snmp_value : texts[id].file_value;
}

const char *scalars_text_name(enum text_scalar_id id)
{
  return texts[id].name;
}

bool scalars_text_override(enum text_scalar_id id, const char **text)
{
  *text = texts[id].snmp_value;
  return texts[id].snmp_value[0] != '\0';
}

bool scalars_set_text_override(enum text_scalar_id id, const char *text)
{
  size_t len = strlen(text);
  if (!ca_path_value_ok(text, len))
    return false;
  memcpy(texts[id].snmp_value, text, len + 1);
  return true;
}

static unsigned value_of(enum scalar_id id)
{
  const struct scalar *s = &scalars[id];
  return s->snmp_value ? s->snmp_value : s->file_value ? s->file_value : s->defval;
}

const char *scalars_name(enum scalar_id id)
{
  return scalars[id].name;
}

bool scalars_override(enum scalar_id id, unsigned *value)
{
  *value = scalars[id].snmp_value;
  return scalars[id].snmp_value != 0;
}

bool scalars_set_override(enum scalar_id id, unsigned value)
{
  if (value < scalars[id].min || value > scalars[id].max)
    return false;
  scalars[id].snmp_value = value;
  return true;
}

void scalars_settings(sipdiag_settings_t *settings)
{
  sipdiag_settings_default(settings);
  settings->timer_s = value_of(SC_TIMER);
  settings->attempts = value_of(SC_ATTEMPTS);
  settings->pings = value_of(SC_PINGS);
  settings->attempt_timeout_ms = value_of(SC_ATTEMPT_TIMEOUT);
  snprintf(settings->ca_file, sizeof settings->ca_file, "%s", text_of(ST_CA_FILE));
  snprintf(settings->ca_dir, sizeof settings->ca_dir, "%s", text_of(ST_CA_DIR));
}

unsigned scalars_max_concurrent(void)
{
  return fdlimit_fit(value_of(SC_MAX_CONCURRENT));
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
    if (strcmp(token, texts[id].name) != 0)
      continue;
    char msg[160];
    if (!ca_path_line_parse(token, line, texts[id].file_value, msg, sizeof msg))
      config_perror(msg);
  }
}

static void free_tokens(void)
{
  for (int id = 0; id < SC_COUNT; id++)
    scalars[id].file_value = 0;
  for (int id = 0; id < ST_COUNT; id++)
    texts[id].file_value[0] = '\0';
}

/* SET on a text scalar: its own checks and commit. */
static void set_text(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *r,
                     enum text_scalar_id id)
{
  netsnmp_variable_list *vb = r->requestvb;
  if (reqinfo->mode == MODE_SET_RESERVE1) {
    if (vb->type != ASN_OCTET_STR)
      netsnmp_set_request_error(reqinfo, r, SNMP_ERR_WRONGTYPE);
    else if (vb->val_len >= SIPDIAG_CA_PATH_MAX)
      netsnmp_set_request_error(reqinfo, r, SNMP_ERR_WRONGLENGTH);
    else if (!ca_path_value_ok((const char *)vb->val.string, vb->val_len))
      netsnmp_set_request_error(reqinfo, r, SNMP_ERR_WRONGVALUE);
  } else if (reqinfo->mode == MODE_SET_COMMIT) {
    char text[SIPDIAG_CA_PATH_MAX];
    memcpy(text, vb->val.string, vb->val_len);
    text[vb->val_len] = '\0';
    if (scalars_set_text_override(id, text))
      persist_changed();
  }
}

/* ---- SNMP ------------------------------------------------------------------------ */

/* The settings the diagnoses would run with once every scalar of this SET
 * is applied, checked by the engine's own rule: NULL when consistent. */
static const char *pdu_settings_problem(netsnmp_agent_request_info *reqinfo)
{
  unsigned value[SC_COUNT];
  for (int id = 0; id < SC_COUNT; id++)
    value[id] = value_of((enum scalar_id)id);
  size_t at = OID_LENGTH(scalars_oid);
  /* The whole PDU: the scalar helper hands each varbind over on its own. */
  netsnmp_variable_list *vbs = reqinfo && reqinfo->asp && reqinfo->asp->pdu
                               ? reqinfo->asp->pdu->variables : NULL;
  for (netsnmp_variable_list *vb = vbs; vb; vb = vb->next_variable) {
    if (vb->name_length != at + 2 || vb->type != ASN_UNSIGNED || !vb->val.integer ||
        snmp_oid_compare(vb->name, at, scalars_oid, at) != 0)
      continue;
    unsigned subid = (unsigned)vb->name[at];
    if (subid >= S_TIMER && subid <= S_MAX_CONCURRENT)
      value[subid - 1] = (unsigned)*vb->val.integer;
  }
  sipdiag_settings_t settings;
  sipdiag_settings_default(&settings);
  settings.timer_s = value[SC_TIMER];
  settings.attempts = value[SC_ATTEMPTS];
  settings.pings = value[SC_PINGS];
  settings.attempt_timeout_ms = value[SC_ATTEMPT_TIMEOUT];
  return sipdiag_settings_check(&settings);
}

static int handler(netsnmp_mib_handler *h, netsnmp_handler_registration *reg,
                   netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
  (void)h;
  (void)reg;
  for (netsnmp_request_info *r = requests; r; r = r->next) {
    if (r->processed)
      continue;
    netsnmp_variable_list *vb = r->requestvb;
    /* the scalar helpers have checked the name: sipDiagScalars.N.0 */
    size_t at = OID_LENGTH(scalars_oid);
    if (vb->name_length != at + 2) {
      netsnmp_set_request_error(reqinfo, r, SNMP_NOSUCHOBJECT);
      continue;
    }
    unsigned subid = (unsigned)vb->name[at];
    int id = subid >= S_TIMER && subid <= S_MAX_CONCURRENT ? (int)subid - 1 : -1;
    if (subid == S_TLS_CA_FILE || subid == S_TLS_CA_DIR) {
      enum text_scalar_id tid = subid == S_TLS_CA_FILE ? ST_CA_FILE : ST_CA_DIR;
      if (reqinfo->mode == MODE_GET) {
        const char *text = text_of(tid);
        snmp_set_var_typed_value(vb, ASN_OCTET_STR, (const u_char *)text, strlen(text));
      } else {
        set_text(reqinfo, r, tid);
      }
      continue;
    }

    switch (reqinfo->mode) {
    case MODE_GET:
      switch (subid) {
      case S_RUNNING:
        snmp_set_var_typed_integer(vb, ASN_GAUGE, (long)rows_in_progress());
        break;
      case S_STARTED:
        snmp_set_var_typed_integer(vb, ASN_COUNTER, (long)rows_started_total());
        break;
      case S_COMPLETED:
        snmp_set_var_typed_integer(vb, ASN_COUNTER, (long)rows_completed_total());
        break;
      default:
        if (id < 0)
          netsnmp_set_request_error(reqinfo, r, SNMP_NOSUCHOBJECT);
        else
          snmp_set_var_typed_integer(vb, ASN_UNSIGNED, (long)value_of((enum scalar_id)id));
      }
      break;
    case MODE_SET_RESERVE1:
      if (id < 0)
        netsnmp_set_request_error(reqinfo, r, SNMP_ERR_NOTWRITABLE);
      else if (vb->type != ASN_UNSIGNED)
        netsnmp_set_request_error(reqinfo, r, SNMP_ERR_WRONGTYPE);
      else if (vb->val_len != sizeof(long))
        netsnmp_set_request_error(reqinfo, r, SNMP_ERR_WRONGLENGTH);
      else if ((unsigned long)*vb->val.integer < scalars[id].min ||
               (unsigned long)*vb->val.integer > scalars[id].max)
        netsnmp_set_request_error(reqinfo, r, SNMP_ERR_WRONGVALUE);
      break;
    case MODE_SET_RESERVE2:
      /* Each value was in range (RESERVE1); together they must still let a
       * silent server's attempts and the pings end before the timer, or no
       * diagnosis could start (sipdiag_settings_check). */
      if (id == SC_TIMER || id == SC_ATTEMPTS || id == SC_PINGS || id == SC_ATTEMPT_TIMEOUT) {
        const char *why = pdu_settings_problem(reqinfo);
        if (why)
          netsnmp_set_request_error(reqinfo, r, SNMP_ERR_INCONSISTENTVALUE);
      }
      break;
    case MODE_SET_COMMIT:
      /* checked in RESERVE1: a plain assignment, cannot fail */
      if (id >= 0 && scalars_set_override((enum scalar_id)id,
                                          (unsigned)*vb->val.integer)) {
        persist_changed();
        if (id == SC_MAX_CONCURRENT)
          (void)scalars_max_concurrent();   /* fit the descriptor limit now */
      }
      break;
    default:
      break;
    }
  }
  return SNMP_ERR_NOERROR;
}

int scalars_init(void)
{
  for (int id = 0; id < SC_COUNT; id++) {
    char help[80];
    snprintf(help, sizeof help, "%u..%u (default %u)", scalars[id].min, scalars[id].max,
             scalars[id].defval);
    register_app_config_handler(scalars[id].name, parse_token,
                                id == 0 ? free_tokens : NULL, help);
  }
  for (int id = 0; id < ST_COUNT; id++)
    register_app_config_handler(texts[id].name, parse_text_token, NULL,
                                id == ST_CA_FILE ? "FILE|none (default: the system's CA store)"
                                                 : "DIR|none (default: the system's CA store)");
  netsnmp_handler_registration *reg =
    netsnmp_create_handler_registration("sipDiagScalars", handler, scalars_oid,
                                        OID_LENGTH(scalars_oid), HANDLER_CAN_RWRITE);
  if (!reg)
    return -1;
  return netsnmp_register_scalar_group(reg, S_TIMER, S_TLS_CA_DIR) == SNMPERR_SUCCESS ? 0 : -1;
}
