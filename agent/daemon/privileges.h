/*
 * privileges.h - sipdiagd keeps one privilege, CAP_NET_RAW, and no other.
 *
 * Every diagnosis opens, while it runs, an ICMP socket for its pings and a
 * libpcap capture of its own packets; both need CAP_NET_RAW.  Nothing else
 * the daemon does needs a privilege.  So instead of opening privileged
 * sockets once and dropping everything, sipdiagd switches to an ordinary
 * user and keeps exactly CAP_NET_RAW (permitted and effective), with
 * no_new_privs set and every other capability gone, bounding set included.
 *
 * Two ways in:
 *   - started as root with -u USER [-g GROUP]: privileges_switch() after
 *     net-snmp's start (configuration and persistent store read, AgentX
 *     session opened);
 *   - started as an ordinary user holding CAP_NET_RAW (file capability or
 *     ambient, e.g. systemd AmbientCapabilities=): privileges_restrict()
 *     sheds whatever else it was given.
 */
#ifndef SIPDIAGD_PRIVILEGES_H
#define SIPDIAGD_PRIVILEGES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct privileges_target {
  bool wanted;                /* -u was given                                 */
  uid_t uid;
  gid_t gid;
  char user[64];              /* for messages                                */
  char group[64];
};

/* Looks up -u USER and -g GROUP (names or numbers; GROUP defaults to the
 * user's primary group).  false with a message naming what is wrong. */
bool privileges_lookup(const char *user, const char *group,
                       struct privileges_target *target, char *msg, size_t msg_len);

/* As root, before the switch: a directory sipdiagd writes (the persistent
 * directory, the capture directory) that root owns, that no one else may
 * write, and that holds nothing but sipdiagd's own files is given to the
 * target user, so the store and
 * the captures keep working after the switch.  Any other directory is left
 * alone (it may be shared, e.g. /var/lib/snmp); privileges_check_writable()
 * then says so. */
void privileges_adopt_dir(const struct privileges_target *target, const char *dir);

/* Switches to the target user and group (supplementary groups: only the
 * group), keeping CAP_NET_RAW when the process has it; 0, or -1 after
 * logging why (the caller must then exit). */
int privileges_switch(const struct privileges_target *target);

/* Not root and no -u: drops every capability but CAP_NET_RAW, clears the
 * inheritable and ambient sets, sets no_new_privs; 0 or -1 (logged). */
int privileges_restrict(void);

/* After the switch: warns (once each) when the user cannot write DIR. */
void privileges_check_writable(const char *dir, const char *what);

/* After the switch: warns when the user cannot read FILE, which a SIGHUP
 * reads again. */
void privileges_check_readable(const char *file);

/* Logs the user, group and capabilities the daemon now runs with. */
void privileges_log(void);

#endif
