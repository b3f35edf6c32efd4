/*
 * scalars.c - sipDiagScalars (.1.1): the engine parameters and counters.
 *
 * The values and their layers (DEFVAL, configuration file, manager) are
 * config/settings.c's; this file serves them and the activity counters.
 */
#include "config.h"
#include "agent-snmp.h"
#include "mib/scalars.h"
#include "mib/mib.h"
#include "config/settings.h"
#include "config/parse.h"
#include "rows/rows.h"

#include <stdlib.h>
#include <string.h>

static const oid scalars_oid[] = { SIPDIAG_MIB_OID, 1, 1 };

enum { S_TIMER = 1, S_ATTEMPTS, S_PINGS, S_ATTEMPT_TIMEOUT, S_MAX_CONCURRENT,
       S_RUNNING, S_STARTED, S_COMPLETED, S_TLS_CA_FILE, S_TLS_CA_DIR,
       S_DEVICE_OWNER, S_MAX_ROWS };

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
    settings_set_text_override(id, text);   /* checked in RESERVE1; stored */
  }
}

/* ---- SNMP ------------------------------------------------------------------------ */

/* The settings the diagnoses would run with once every scalar of this SET
 * is applied, checked by the engine's own rule: NULL when consistent. */
static const char *pdu_settings_problem(netsnmp_agent_request_info *reqinfo)
{
  unsigned value[SC_COUNT];
  for (int id = 0; id < SC_COUNT; id++)
    value[id] = settings_value((enum scalar_id)id);
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
        const char *text = settings_text(tid);
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
      case S_DEVICE_OWNER: {
        const char *owner = settings_device_owner();
        snmp_set_var_typed_value(vb, ASN_OCTET_STR, (const u_char *)owner, strlen(owner));
        break;
      }
      case S_MAX_ROWS:
        snmp_set_var_typed_integer(vb, ASN_UNSIGNED, SIPDIAG_AGENT_MAX_ROWS);
        break;
      default:
        if (id < 0)
          netsnmp_set_request_error(reqinfo, r, SNMP_NOSUCHOBJECT);
        else
          snmp_set_var_typed_integer(vb, ASN_UNSIGNED, (long)settings_value((enum scalar_id)id));
      }
      break;
    case MODE_SET_RESERVE1:
      if (id < 0)
        netsnmp_set_request_error(reqinfo, r, SNMP_ERR_NOTWRITABLE);
      else if (vb->type != ASN_UNSIGNED)
        netsnmp_set_request_error(reqinfo, r, SNMP_ERR_WRONGTYPE);
      else if (vb->val_len != sizeof(long))
        netsnmp_set_request_error(reqinfo, r, SNMP_ERR_WRONGLENGTH);
      else if ((unsigned long)*vb->val.integer < settings_min((enum scalar_id)id) ||
               (unsigned long)*vb->val.integer > settings_max((enum scalar_id)id))
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
      if (id >= 0 && settings_set_override((enum scalar_id)id,
                                          (unsigned)*vb->val.integer)) {   /* stored */
        if (id == SC_MAX_CONCURRENT)
          (void)settings_max_concurrent();   /* fit the descriptor limit now */
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
  netsnmp_handler_registration *reg =
    netsnmp_create_handler_registration("sipDiagScalars", handler, scalars_oid,
                                        OID_LENGTH(scalars_oid), HANDLER_CAN_RWRITE);
  if (!reg)
    return -1;
  return netsnmp_register_scalar_group(reg, S_TIMER, S_MAX_ROWS) == SNMPERR_SUCCESS ? 0 : -1;
}
