#!/bin/bash
# sipdiagd started as an ordinary user that holds CAP_NET_RAW and nothing
# else (as systemd's User= with AmbientCapabilities=CAP_NET_RAW, here with
# util-linux setpriv): it keeps CAP_NET_RAW, clears the inheritable and
# ambient sets and sets no_new_privs; a diagnosis reads the ICMP port
# unreachable and writes its pcap file; a nonVolatile row survives a
# restart.  The persistent directory and the log file are made the user's
# beforehand, as an administrator does.  It runs in a network namespace of
# its own (tests/own-netns): it reads ICMP errors from loopback.
[ -n "${SIPDIAG_OWN_NETNS:-}" ] || exec "$(dirname "$0")/../own-netns" bash "$0" "$@"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/privileges_lib.sh"
need_cmd setpriv
privileges_setup
setpriv --help 2>&1 | grep -q -- --ambient-caps || skip "setpriv has no --ambient-caps"

chown "$RUN_USER:$RUN_GROUP" "$TMP/sipdiagd-persist"
install -m 0644 -o "$RUN_USER" -g "$RUN_GROUP" /dev/null "$TMP/sipdiagd.log"
REAL_SIPDIAGD=$SIPDIAGD
SIPDIAGD=$TMP/sipdiagd-as-$RUN_USER
cat >"$SIPDIAGD" <<-WRAP
#!/bin/sh
exec setpriv --reuid=$RUN_USER --regid=$RUN_GROUP --clear-groups \
	--inh-caps=+net_raw --ambient-caps=+net_raw "$REAL_SIPDIAGD" "\$@"
WRAP
chmod 0755 "$SIPDIAGD"

start_snmptrapd
start_snmpd
start_sipdiagd
check_process "$SIPDIAGD_PID" no
check_eq "$(status_field "$SIPDIAGD_PID" Groups)" "" "no supplementary groups"
check_closed_port_run 1
check_sighup
stop_checked
check_persisted 1

start_sipdiagd
check_process "$SIPDIAGD_PID" no
check_eq "$(sget "$T.$C_ROWSTATUS.$(ix 1)")" 1 "row 1 restored and active after the restart"
stop_checked
finish
