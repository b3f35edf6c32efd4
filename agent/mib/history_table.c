/*
 * history_table.c - sipDiagHistoryTable, read-only: the steps of each kept
 * run, indexed { sipDiagOwner, sipDiagName, sipDiagRunIndex,
 * sipDiagHistoryStep }.
 *
 * Step numbers continue past dropped steps, so the first number tells how
 * many the engine had to drop.  Runs read back from the store after a
 * restart have no steps.  The engine never puts credentials into a step;
 * nothing here adds any.
 */
#include "config.h"
#include "agent-snmp.h"
#include "mib/history_table.h"
#include "mib/mib.h"
#include "mib/walk.h"
#include "rows/runs.h"
#include "util/text.h"

#include <string.h>

static const oid entry_oid[] = { SIPDIAG_MIB_OID, 1, ARC_HISTORY_TABLE, 1 };

static size_t next_in_row(const struct diag_row *row, const oid *after, size_t after_len,
                          oid suffix[WALK_SUFFIX_MAX])
{
  for (uint32_t i = 0; i < row->runs_count; i++) {
    const struct run_record *rec = runs_at(row, i);
    if (after_len && rec->index < after[0])
      continue;
    for (uint16_t s = 0; s < rec->n_steps; s++) {
      oid candidate[2] = { rec->index, rec->first_step + s };
      if (!after_len || snmp_oid_compare(candidate, 2, after, after_len) > 0) {
        memcpy(suffix, candidate, sizeof candidate);
        return 2;
      }
    }
  }
  return 0;
}

static const struct run_step *step_of(const struct diag_row *row, const oid *suffix, size_t len)
{
  if (len != 2 || suffix[0] > UINT32_MAX)
    return NULL;
  const struct run_record *rec = runs_find(row, (uint32_t)suffix[0]);
  if (!rec || suffix[1] < rec->first_step || suffix[1] - rec->first_step >= rec->n_steps)
    return NULL;
  return &rec->steps[suffix[1] - rec->first_step];
}

static bool exact_in_row(const struct diag_row *row, const oid *suffix, size_t len)
{
  return step_of(row, suffix, len) != NULL;
}

static void get(netsnmp_variable_list *vb, const struct diag_row *row, const oid *suffix,
                size_t len, unsigned col)
{
  const struct run_step *st = step_of(row, suffix, len);
  switch (col) {
  case HCOL_OFFSET:
    snmp_set_var_typed_integer(vb, ASN_UNSIGNED, (long)st->offset_ms);
    break;
  case HCOL_EVENT:
    snmp_set_var_typed_integer(vb, ASN_INTEGER, st->kind);
    break;
  case HCOL_CSEQ: {
    /* ping events carry their echo sequence in status */
    bool ping = st->kind == SIPDIAG_STEP_PING_SENT || st->kind == SIPDIAG_STEP_PING_REPLY ||
                st->kind == SIPDIAG_STEP_PING_ERROR;
    unsigned long v = ping ? (unsigned long)(st->status > 0 ? st->status : 0) : st->cseq;
    snmp_set_var_typed_integer(vb, ASN_UNSIGNED, (long)v);
    break;
  }
  case HCOL_SIP_STATUS: {
    bool sip = st->kind == SIPDIAG_STEP_RESPONSE || st->kind == SIPDIAG_STEP_LOCAL_RESPONSE;
    long v = sip && st->status > 0 && st->status <= 999 ? st->status : 0;
    snmp_set_var_typed_integer(vb, ASN_UNSIGNED, v);
    break;
  }
  case HCOL_INFO:
    snmp_set_var_typed_value(vb, ASN_OCTET_STR, st->info,
                             utf8_clip(st->info, SIPDIAG_AGENT_TEXT_MAX));
    break;
  }
}

static const struct walk_table steps_table = {
  entry_oid, OID_LENGTH(entry_oid), HCOL_OFFSET, HCOL_INFO, next_in_row, exact_in_row, get,
};

int history_table_init(void)
{
  static const oid table_oid[] = { SIPDIAG_MIB_OID, 1, ARC_HISTORY_TABLE };
  return walk_register("sipDiagHistoryTable", table_oid, OID_LENGTH(table_oid), &steps_table);
}
