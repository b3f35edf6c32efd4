/*
 * values.h - type, length and value of one varbind written to a column of
 * sipDiagTable, on its own; sipDiagTrapGeneration's BITS.
 */
#ifndef SIPDIAGD_VALUES_H
#define SIPDIAGD_VALUES_H

#include "model/row.h"

#include <stddef.h>

struct variable_list;          /* netsnmp_variable_list */

/* ---- SET on sipDiagTable (table.c) --------------------------------------------- */

/* Type, length and value of one varbind for column col, on its own: 0 or
 * an SNMP error (wrongType, wrongLength, wrongValue, notWritable). */
int table_check_value(unsigned col, const struct variable_list *vb);

/* Copies an OCTET STRING value that table_check_value() accepted into a
 * text column of struct row_config (SIPDIAG_AGENT_TEXT_MAX + 1 octets). */
void table_copy_text(char *dst, const struct variable_list *vb);

/* sipDiagTrapGeneration as BITS octets and back (TRAP_* bits). */
unsigned traps_from_bits(const unsigned char *octets, size_t len);
size_t traps_to_bits(unsigned traps, unsigned char *octet);   /* 1 octet */

#endif /* SIPDIAGD_VALUES_H */
