/*
 * walk.h - GET and GETNEXT for a read-only table whose rows hang below the
 * rows of sipDiagTable: its index is sipDiagOwner, sipDiagName and one or
 * more sub-identifiers of its own (a run, a step).  The instances are not
 * copied into a net-snmp container; they are found in the rows' kept runs
 * on each request (rows are looked up in sipDiagTable's sorted container,
 * runs and steps are few per row).
 */
#ifndef SIPDIAGD_WALK_H
#define SIPDIAGD_WALK_H

#include "agent-snmp.h"
#include "model/row.h"

#define WALK_SUFFIX_MAX 2

struct walk_table {
  const oid *entry;            /* the table's Entry OID                      */
  size_t entry_len;
  unsigned min_col, max_col;   /* accessible columns, no gaps                */
  /* The first instance of row whose suffix is greater than after (len
   * sub-ids; 0: the row's first): its length, 0 when none. */
  size_t (*next_in_row)(const struct diag_row *row, const oid *after, size_t after_len,
                        oid suffix[WALK_SUFFIX_MAX]);
  /* Whether suffix names an instance of row. */
  bool (*exact_in_row)(const struct diag_row *row, const oid *suffix, size_t len);
  /* Sets vb's value: column col of the instance. */
  void (*get)(netsnmp_variable_list *vb, const struct diag_row *row, const oid *suffix,
              size_t len, unsigned col);
};

/* Registers the read-only table at table_oid (t must stay valid). */
int walk_register(const char *name, const oid *table_oid, size_t len,
                  const struct walk_table *t);

#endif /* SIPDIAGD_WALK_H */
