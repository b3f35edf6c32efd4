/*
 * agent-snmp.h - the net-snmp headers every agent file needs, in order.
 *
 * config.h comes first (it is included by each .c before this); AC_INIT has
 * no URL, so net-snmp-config.h's PACKAGE_URL does not clash with ours.
 */
#ifndef SIPDIAGD_AGENT_SNMP_H
#define SIPDIAGD_AGENT_SNMP_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/library/large_fd_set.h>

#endif
