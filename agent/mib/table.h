/* table.h - sipDiagTable: GET and the four-phase SET. */
#ifndef SIPDIAGD_TABLE_H
#define SIPDIAGD_TABLE_H

#include "sipdiag.h"

#include <stddef.h>

int table_init(void);
void table_shutdown(void);
/* sipDiagResultTargets: "udp 192.0.2.1:5060 (answered); tcp ... (tried)",
 * at most SIPDIAG_AGENT_TEXT_MAX octets ("; +N more" when cut); size must
 * be more than SIPDIAG_AGENT_TEXT_MAX. */
void format_targets(const sipdiag_result_t *r, char *out, size_t size);
/* sipDiagResultNat: "seen as A:P, sent from B:Q", or "". */
void format_nat(const sipdiag_result_t *r, char *out, size_t size);

#endif /* SIPDIAGD_TABLE_H */
