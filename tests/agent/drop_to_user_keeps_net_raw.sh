#!/bin/bash
# sipdiagd started as root with -u nobody: once net-snmp is up it runs as
# nobody:nogroup keeping only CAP_NET_RAW (permitted, effective, bounding),
# no_new_privs set; a diagnosis still reads the ICMP port unreachable from
# its capture and writes the pcap file as nobody; the persistent directory
# (root's, holding only sipdiagd's files) is handed over, so a nonVolatile
# row survives a restart; SIGHUP and an snmpd restart work as nobody.
# A -u naming no user stops it at once with a message naming the user.
# It runs in a network namespace of its own (tests/own-netns): it reads
# ICMP errors from loopback.
[ -n "${SIPDIAG_OWN_NETNS:-}" ] || exec "$(dirname "$0")/../own-netns" bash "$0" "$@"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privileges_lib.sh"
privileges_setup

# ---- a user that does not exist
out=$("$SIPDIAGD" -f -Le -C -c "$SDCONF" -x "unix:$AGENTX" -u no-such-user-sd 2>&1 </dev/null)
rc=$?
if [ "$rc" -ne 0 ]; then log "ok: -u no-such-user-sd exits $rc"; else fail "-u no-such-user-sd exits 0"; fi
case $out in
*no-such-user-sd*"no such user"*) log "ok: message: $out" ;;
*) fail "message for an unknown user: '$out'" ;;
esac

# ---- the switch
start_snmptrapd
start_snmpd
start_sipdiagd -u "$RUN_USER"
check_process "$SIPDIAGD_PID" yes
check_eq "$(stat -c %U "$TMP/sipdiagd-persist")" "$RUN_USER" "the persistent directory was handed over"
check_closed_port_run 1
check_sighup
check_snmpd_restart
check_closed_port_run 2
stop_checked
check_persisted 1

# ---- a restart: the rows come back, and it switches again
start_sipdiagd -u "$RUN_USER" -g "$RUN_GROUP"
check_process "$SIPDIAGD_PID" yes
check_eq "$(sget "$T.$C_REGISTRAR.$(ix 1)")" "\"${REGISTRAR[1]}\"" "row 1 restored from the store"
check_eq "$(sget "$T.$C_ROWSTATUS.$(ix 1)")" 1 "row 1 active after the restart"
stop_checked
finish
