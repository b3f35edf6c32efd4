/* scalars.h - sipDiagScalars: the engine parameters and counters. */
#ifndef SIPDIAGD_SCALARS_H
#define SIPDIAGD_SCALARS_H
int scalars_init(void);
#endif
