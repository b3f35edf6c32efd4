/*
 * accounts.h - the terminal's own SIP accounts, from sipdiagd.conf
 * (sipdiagAccount NAME key=value...), as rows under the device owner.
 */
#ifndef SIPDIAGD_ACCOUNTS_H
#define SIPDIAGD_ACCOUNTS_H

void accounts_init(void);
void accounts_shutdown(void);
/* Makes the table's device rows match the accounts just read (after every
 * reading of the configuration).  Never touches a manager's row. */
void accounts_apply(void);

#endif /* SIPDIAGD_ACCOUNTS_H */
