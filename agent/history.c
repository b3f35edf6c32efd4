/*
 * history.c - sipDiagHistoryTable, read-only: the steps of each row's
 * latest run, indexed { sipDiagIndex, sipDiagHistoryStep }.
 *
 * The rows are rebuilt from the result whenever a run ends and removed when
 * results are cleared.  Step numbers continue past dropped steps, so the
 * first number tells how many the engine had to drop.  The engine never
 * puts credentials into a step; nothing here adds any.
 */
#include "config.h"
#include "agent-snmp.h"
#include "sipdiagd.h"

#include <string.h>

enum {
  HCOL_STEP = 1, HCOL_OFFSET = 2, HCOL_EVENT = 3, HCOL_CSEQ = 4,
  HCOL_SIP_STATUS = 5, HCOL_INFO = 6,
};

static const oid history_oid[] = { SIPDIAG_MIB_OID, 1, 3 };
static netsnmp_tdata *history;

/* What a history tdata row points at. */
struct step_ref {
  const struct diag_row *row;
  unsigned step;                /* index into row->result->steps */
};

void history_clear(struct diag_row *row)
{
  for (unsigned i = 0; i < row->n_hist; i++) {
    netsnmp_tdata_row *t = row->hist[i];
    if (history)
      netsnmp_tdata_remove_row(history, t);
    free(t->data);
    netsnmp_tdata_delete_row(t);
    row->hist[i] = NULL;
  }
  row->n_hist = 0;
}

void history_update(struct diag_row *row)
{
  history_clear(row);
  const sipdiag_result_t *r = row->result;
  if (!r || !history)
    return;
  unsigned n = r->n_steps > SIPDIAG_MAX_STEPS ? SIPDIAG_MAX_STEPS : r->n_steps;
  for (unsigned i = 0; i < n; i++) {
    netsnmp_tdata_row *t = netsnmp_tdata_create_row();
    struct step_ref *ref = malloc(sizeof *ref);
    u_long index = row->index, step = (u_long)r->steps_dropped + i + 1;
    if (!t || !ref ||
        !netsnmp_tdata_row_add_index(t, ASN_UNSIGNED, &index, sizeof index) ||
        !netsnmp_tdata_row_add_index(t, ASN_UNSIGNED, &step, sizeof step)) {
      free(ref);
      if (t)
        netsnmp_tdata_delete_row(t);
      snmp_log(LOG_WARNING, "sipdiagd: row %u: history incomplete (out of memory)\n",
               (unsigned)row->index);
      return;
    }
    ref->row = row;
    ref->step = i;
    t->data = ref;
    if (netsnmp_tdata_add_row(history, t) != SNMPERR_SUCCESS) {
      free(ref);
      netsnmp_tdata_delete_row(t);
      return;
    }
    row->hist[row->n_hist++] = t;
  }
}

static int handler(netsnmp_mib_handler *h, netsnmp_handler_registration *reg,
                   netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
  (void)h;
  (void)reg;
  if (reqinfo->mode != MODE_GET)
    return SNMP_ERR_NOERROR;      /* HANDLER_CAN_RONLY: SETs never get here */
  for (netsnmp_request_info *r = requests; r; r = r->next) {
    if (r->processed)
      continue;
    netsnmp_table_request_info *ti = netsnmp_extract_table_info(r);
    const struct step_ref *ref = netsnmp_tdata_extract_entry(r);
    if (!ti || !ref || !ref->row->result) {
      netsnmp_set_request_error(reqinfo, r, SNMP_NOSUCHINSTANCE);
      continue;
    }
    const sipdiag_step_t *st = &ref->row->result->steps[ref->step];
    netsnmp_variable_list *vb = r->requestvb;
    switch (ti->colnum) {
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
    case HCOL_INFO: {
      size_t len = utf8_clip(st->info, SIPDIAG_AGENT_TEXT_MAX);
      snmp_set_var_typed_value(vb, ASN_OCTET_STR, st->info, len);
      break;
    }
    default:
      netsnmp_set_request_error(reqinfo, r, SNMP_NOSUCHOBJECT);
    }
  }
  return SNMP_ERR_NOERROR;
}

int history_init(void)
{
  history = netsnmp_tdata_create_table("sipDiagHistoryTable", 0);
  netsnmp_handler_registration *reg =
    netsnmp_create_handler_registration("sipDiagHistoryTable", handler, history_oid,
                                        OID_LENGTH(history_oid), HANDLER_CAN_RONLY);
  netsnmp_table_registration_info *ti = SNMP_MALLOC_TYPEDEF(netsnmp_table_registration_info);
  if (!history || !reg || !ti)
    return -1;
  netsnmp_table_helper_add_indexes(ti, ASN_UNSIGNED, ASN_UNSIGNED, 0);
  ti->min_column = HCOL_OFFSET;
  ti->max_column = HCOL_INFO;
  return netsnmp_tdata_register(reg, history, ti) == SNMPERR_SUCCESS ? 0 : -1;
}

void history_shutdown(void)
{
  history = NULL;     /* rows are freed with their sipDiagTable rows */
}
