/*
 * rows_store.h - the rows' part of the store: managers' nonVolatile rows,
 * and the counters and kept runs of every row that is not volatile.
 */
#ifndef SIPDIAGD_ROWS_STORE_H
#define SIPDIAGD_ROWS_STORE_H

/* Adds the rows' writer and readers to the store (before store_load()). */
void rows_store_init(void);

/* After the terminal's accounts are applied at start-up: gives them the
 * counters and runs the store kept for them; drops those of rows gone. */
void rows_store_attach(void);

#endif /* SIPDIAGD_ROWS_STORE_H */
