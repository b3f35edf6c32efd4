/*
 * run_table.c - sipDiagRunTable, read-only: the runs each row keeps,
 * indexed { sipDiagOwner, sipDiagName, sipDiagRunIndex }.
 */
#include "config.h"
#include "agent-snmp.h"
#include "mib/run_table.h"
#include "mib/mib.h"
#include "mib/walk.h"
#include "rows/runs.h"
#include "util/text.h"

#include <string.h>

static const oid entry_oid[] = { SIPDIAG_MIB_OID, 1, ARC_RUN_TABLE, 1 };

static size_t next_in_row(const struct diag_row *row, const oid *after, size_t after_len,
                          oid suffix[WALK_SUFFIX_MAX])
{
  for (uint32_t i = 0; i < row->runs_count; i++) {
    oid candidate = runs_at(row, i)->index;
    if (!after_len || snmp_oid_compare(&candidate, 1, after, after_len) > 0) {
      suffix[0] = candidate;
      return 1;
    }
  }
  return 0;
}

static bool exact_in_row(const struct diag_row *row, const oid *suffix, size_t len)
{
  return len == 1 && suffix[0] <= UINT32_MAX && runs_find(row, (uint32_t)suffix[0]);
}

static void get(netsnmp_variable_list *vb, const struct diag_row *row, const oid *suffix,
                size_t len, unsigned col)
{
  (void)len;
  const struct run_record *rec = runs_find(row, (uint32_t)suffix[0]);
  unsigned char dt[11];
  switch (col) {
  case RCOL_START:
    snmp_set_var_typed_value(vb, ASN_OCTET_STR, dt, date_and_time(rec->start_ms, dt));
    break;
  case RCOL_END:
    snmp_set_var_typed_value(vb, ASN_OCTET_STR, dt, date_and_time(rec->end_ms, dt));
    break;
  case RCOL_DURATION: snmp_set_var_typed_integer(vb, ASN_UNSIGNED, rec->duration_ms); break;
  case RCOL_CODE: snmp_set_var_typed_integer(vb, ASN_UNSIGNED, rec->code); break;
  case RCOL_FAULT: snmp_set_var_typed_integer(vb, ASN_INTEGER, rec->fault); break;
  case RCOL_SIP_STATUS: snmp_set_var_typed_integer(vb, ASN_UNSIGNED, rec->sip_status); break;
  case RCOL_ADDR_TYPE:
    snmp_set_var_typed_integer(vb, ASN_INTEGER,
                               rec->addr_len == 4 ? 1 : rec->addr_len == 16 ? 2 : 0);
    break;
  case RCOL_ADDR: snmp_set_var_typed_value(vb, ASN_OCTET_STR, rec->addr, rec->addr_len); break;
  case RCOL_PORT: snmp_set_var_typed_integer(vb, ASN_UNSIGNED, rec->server_port); break;
  case RCOL_DIAGNOSIS: {
    const char *d = rec->diagnosis ? rec->diagnosis : "";
    snmp_set_var_typed_value(vb, ASN_OCTET_STR, d, text_clip_readable(d, SIPDIAG_AGENT_TEXT_MAX));
    break;
  }
  case RCOL_TRIGGER: snmp_set_var_typed_integer(vb, ASN_INTEGER, rec->trigger); break;
  case RCOL_ATTEMPTS: snmp_set_var_typed_integer(vb, ASN_UNSIGNED, rec->attempts); break;
  }
}

static const struct walk_table runs_table = {
  entry_oid, OID_LENGTH(entry_oid), RCOL_START, RCOL_ATTEMPTS, next_in_row, exact_in_row, get,
};

int run_table_init(void)
{
  static const oid table_oid[] = { SIPDIAG_MIB_OID, 1, ARC_RUN_TABLE };
  return walk_register("sipDiagRunTable", table_oid, OID_LENGTH(table_oid), &runs_table);
}
