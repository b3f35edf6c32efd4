/* fdlimit.h - RLIMIT_NOFILE for the concurrent diagnoses. */
#ifndef SIPDIAGD_FDLIMIT_H
#define SIPDIAGD_FDLIMIT_H

/* Raises the soft open-files limit (up to the hard one) for wanted
 * concurrent diagnoses; returns how many the limit allows (1..wanted) and
 * logs when that is fewer.  Cheap when wanted has not changed. */
unsigned fdlimit_fit(unsigned wanted);
/* Diagnoses a soft limit of this many descriptors allows (at least 1). */
unsigned fdlimit_capacity(unsigned long long soft_limit);

#endif /* SIPDIAGD_FDLIMIT_H */
