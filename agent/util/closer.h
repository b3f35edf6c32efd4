/*
 * closer.h - closes descriptors on a thread of its own.
 *
 * The last close() of a packet socket waits for a kernel grace period
 * (12-17 ms).  sipdiagd's loop answers SNMP; 1000 diagnoses ending at once
 * would keep it 15 s in close().  The engine hands those sockets here
 * (sipdiag_set_socket_closer()); a thread that does nothing else closes
 * them.  It touches no other state.
 */
#ifndef SIPDIAGD_CLOSER_H
#define SIPDIAGD_CLOSER_H

#include <stdbool.h>

/* Starts the thread; false (logged) when it cannot: closes happen in place. */
bool closer_start(void);
/* Closes fd on the thread (in place when the thread is not running or its
 * queue is full).  From one thread only. */
void closer_close(int fd);
/* Closes what is queued and ends the thread. */
void closer_stop(void);

#endif /* SIPDIAGD_CLOSER_H */
