/*
 * store.h - what sipdiagd keeps across restarts, in one file of its own,
 * <persistentDir>/sipdiagd.store, written whole or not at all.
 *
 * The store knows lines, not rows: each module that keeps something adds
 * a writer (its lines, whenever the store is written) and readers (one
 * per token, called at start-up for each line with that token).  So the
 * dependencies run one way: rows and settings use the store, the store
 * uses neither.
 */
#ifndef SIPDIAGD_STORE_H
#define SIPDIAGD_STORE_H

#include <stdbool.h>

struct store_writer;

/* Writes one line (no newline in it); false when writing failed: the
 * writer returns false at once, the old file stays. */
bool store_put(struct store_writer *w, const char *line);

typedef bool store_write_f(struct store_writer *w);
/* rest: the line after the token; where: "FILE:LINE" for messages. */
typedef void store_read_f(const char *token, char *rest, const char *where);

void store_add_writer(store_write_f *write);
/* legacy: the token may also be found in net-snmp's own file of older
 * versions (read there once, when sipdiagd.store does not exist yet). */
void store_add_reader(const char *token, store_read_f *read, bool legacy);

void store_init(void);
/* Reads the store (or the legacy lines) once, calling the readers. */
void store_load(void);

/* What the store keeps changed: written at net-snmp's next store
 * (snmp_store_if_needed() in the loop), or within
 * SIPDIAG_AGENT_STORE_RESULTS_DELAY_S for results only. */
void store_changed_now(void);
void store_changed_soon(void);
/* From the loop: turns a due "soon" into "now". */
void store_poll(void);

#endif /* SIPDIAGD_STORE_H */
