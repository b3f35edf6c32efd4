/*
 * walk.c - GET and GETNEXT of the tables below sipDiagTable's rows
 * (walk.h).
 */
#include "config.h"
#include "agent-snmp.h"
#include "mib/walk.h"
#include "rows/rows.h"
#include "model/key.h"

#include <string.h>

#define NAME_MAX_SUBIDS (MAX_OID_LEN)

/* The first instance after idx (len sub-ids after the column). */
static const struct diag_row *next_instance(const struct walk_table *t, const oid *idx,
                                            size_t len, oid *suffix, size_t *slen)
{
  struct row_key key;
  size_t n = len ? row_key_from_oid(idx, len, &key) : 0;
  const struct diag_row *row;
  if (n) {
    row = rows_find(&key);
    if (row && (*slen = t->next_in_row(row, idx + n, len - n, suffix)))
      return row;
    row = rows_after_oid(idx, n);
  } else {
    row = len ? rows_after_oid(idx, len) : rows_first();
  }
  for (; row; row = rows_next(row))
    if ((*slen = t->next_in_row(row, NULL, 0, suffix)))
      return row;
  return NULL;
}

static void answer(const struct walk_table *t, netsnmp_variable_list *vb, unsigned col,
                   const struct diag_row *row, const oid *suffix, size_t slen)
{
  oid name[NAME_MAX_SUBIDS];
  size_t n = t->entry_len;
  memcpy(name, t->entry, n * sizeof *name);
  name[n++] = col;
  n += row_key_to_oid(&row->key, name + n);
  memcpy(name + n, suffix, slen * sizeof *suffix);
  n += slen;
  snmp_set_var_objid(vb, name, n);
  t->get(vb, row, suffix, slen, col);
}

static void get_next(const struct walk_table *t, netsnmp_variable_list *vb)
{
  const oid *q = vb->name;
  size_t qlen = vb->name_length, e = t->entry_len;
  unsigned col = t->min_col;
  const oid *after = NULL;
  size_t after_len = 0;
  size_t m = qlen < e ? qlen : e;
  int cmp = snmp_oid_compare(q, m, t->entry, m);
  if (cmp > 0)
    return;                                       /* beyond this table */
  if (cmp == 0 && qlen > e) {
    if (q[e] > t->max_col)
      return;
    if (q[e] >= t->min_col) {
      col = (unsigned)q[e];
      after = q + e + 1;
      after_len = qlen - e - 1;
    }
  }
  for (; col <= t->max_col; col++, after = NULL, after_len = 0) {
    oid suffix[WALK_SUFFIX_MAX];
    size_t slen;
    const struct diag_row *row = next_instance(t, after, after_len, suffix, &slen);
    if (row) {
      answer(t, vb, col, row, suffix, slen);
      return;
    }
  }
}

static int get_exact(const struct walk_table *t, netsnmp_variable_list *vb)
{
  size_t e = t->entry_len;
  if (vb->name_length <= e + 1 || snmp_oid_compare(vb->name, e, t->entry, e) != 0 ||
      vb->name[e] < t->min_col || vb->name[e] > t->max_col)
    return SNMP_NOSUCHOBJECT;
  const oid *idx = vb->name + e + 1;
  size_t len = vb->name_length - e - 1;
  struct row_key key;
  size_t n = row_key_from_oid(idx, len, &key);
  const struct diag_row *row = n ? rows_find(&key) : NULL;
  if (!row || !t->exact_in_row(row, idx + n, len - n))
    return SNMP_NOSUCHINSTANCE;
  t->get(vb, row, idx + n, len - n, (unsigned)vb->name[e]);
  return 0;
}

static int handler(netsnmp_mib_handler *h, netsnmp_handler_registration *reg,
                   netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
  (void)reg;
  const struct walk_table *t = h->myvoid;
  for (netsnmp_request_info *r = requests; r; r = r->next) {
    if (r->processed)
      continue;
    if (reqinfo->mode == MODE_GET) {
      int err = get_exact(t, r->requestvb);
      if (err)
        netsnmp_set_request_error(reqinfo, r, err);
    } else if (reqinfo->mode == MODE_GETNEXT) {
      get_next(t, r->requestvb);
    }
  }
  return SNMP_ERR_NOERROR;
}

int walk_register(const char *name, const oid *table_oid, size_t len,
                  const struct walk_table *t)
{
  netsnmp_handler_registration *reg =
    netsnmp_create_handler_registration(name, handler, table_oid, len, HANDLER_CAN_RONLY);
  if (!reg)
    return -1;
  reg->handler->myvoid = (void *)t;
  return netsnmp_register_handler(reg) == SNMPERR_SUCCESS ? 0 : -1;
}
