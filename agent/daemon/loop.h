/*
 * loop.h - one thread, one loop: sofia's su_root drives sofia and net-snmp.
 */
#ifndef SIPDIAGD_LOOP_H
#define SIPDIAGD_LOOP_H

struct su_root_s;

struct su_root_s *loop_create(void);
/* Runs until *stop becomes true; calls on_reload() when *reload is set. */
void loop_run(volatile int *stop, volatile int *reload, void (*on_reload)(void));
/* Unregisters net-snmp's fds: call before snmp_shutdown(). */
void loop_destroy(void);
/* Destroys the root: after the engine and snmp_shutdown(). */
void loop_free(void);
/* Ends the current turn at once; async-signal-safe. */
void loop_wake(void);

#endif /* SIPDIAGD_LOOP_H */
