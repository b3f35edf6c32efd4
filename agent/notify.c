/*
 * notify.c - sipDiagComplete (.0.1), sent through the AgentX master.
 *
 * The master adds sysUpTime.0 and sends it to its own sinks (trap2sink,
 * informsink, trapsess in snmpd.conf).  While the master is away the
 * notification is lost; the row keeps the result, so a manager that
 * missed it can still read it.
 */
#include "config.h"
#include "agent-snmp.h"
#include "sipdiagd.h"

#include <string.h>

static const oid snmptrap_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };
static const oid complete_oid[] = { SIPDIAG_MIB_OID, 0, 1 };

/* sipDiagEntry.col.index */
static void add_column(netsnmp_variable_list **vars, const struct diag_row *row,
                       unsigned col, u_char type, const void *value, size_t len)
{
  oid name[] = { SIPDIAG_MIB_OID, 1, 2, 1, col, row->index };
  snmp_varlist_add_variable(vars, name, OID_LENGTH(name), type, value, len);
}

void notify_complete(const struct diag_row *row)
{
  const sipdiag_result_t *r = row->result;
  if (!r)
    return;
  netsnmp_variable_list *vars = NULL;
  u_long code = r->code, status = r->sip_status > 0 ? (u_long)r->sip_status : 0;
  long fault = r->fault;

  snmp_varlist_add_variable(&vars, snmptrap_oid, OID_LENGTH(snmptrap_oid),
                            ASN_OBJECT_ID, complete_oid, sizeof complete_oid);
  add_column(&vars, row, COL_RESULT_CODE, ASN_UNSIGNED, &code, sizeof code);
  add_column(&vars, row, COL_RESULT_FAULT, ASN_INTEGER, &fault, sizeof fault);
  add_column(&vars, row, COL_RESULT_SIP_STATUS, ASN_UNSIGNED, &status, sizeof status);
  add_column(&vars, row, COL_RESULT_DIAGNOSIS, ASN_OCTET_STR, r->diagnosis,
             utf8_clip(r->diagnosis, SIPDIAG_AGENT_TEXT_MAX));
  add_column(&vars, row, COL_AOR, ASN_OCTET_STR, row->cfg.aor, strlen(row->cfg.aor));
  send_v2trap(vars);
  snmp_free_varbind(vars);
}
