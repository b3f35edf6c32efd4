/*
 * render.h - printing a diagnosis result: readable text or JSON.
 */
#ifndef SIPDIAG_RENDER_H
#define SIPDIAG_RENDER_H

#include <stdio.h>
#include "sipdiag.h"

void sipdiag_render_text(FILE *out, const sipdiag_result_t *r, const char *registrar);
void sipdiag_render_json(FILE *out, const sipdiag_result_t *r, const char *registrar);
/* One line per fault class: MIB value, name, codes, meaning, advice (TSV). */
void sipdiag_render_fault_table(FILE *out);

#endif /* SIPDIAG_RENDER_H */
