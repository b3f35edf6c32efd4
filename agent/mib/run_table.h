/* run_table.h - sipDiagRunTable: the runs each row keeps. */
#ifndef SIPDIAGD_RUN_TABLE_H
#define SIPDIAGD_RUN_TABLE_H
int run_table_init(void);
#endif
