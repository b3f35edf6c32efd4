/* history_table.h - sipDiagHistoryTable: the steps of each kept run. */
#ifndef SIPDIAGD_HISTORY_TABLE_H
#define SIPDIAGD_HISTORY_TABLE_H
int history_table_init(void);
#endif
