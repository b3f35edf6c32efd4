#!/bin/bash
# snmpd goes away and comes back while a diagnosis runs: sipdiagd
# reconnects, re-registers, and the row completes and is readable.
. "$(dirname "$0")/lib.sh"
start_all
start_silent_udp
sset $SC.2.0 u 3 >/dev/null
sset $SC.4.0 u 1500 >/dev/null
new_row 1 "sip:127.0.0.1:$SILENT_PORT" sip:gina@127.0.0.1
expect_set "" "trigger" $T.10.1 i 2
check_eq "$(sget $T.10.1)" 3 "running"
stop_pid "$SNMPD_PID"
log "snmpd stopped"
sleep 1.5
start_snmpd
log "snmpd restarted"
t0=$(date +%s%N)
wait_registered 30 || die "sipdiagd did not register again"
log "re-registered $(( ($(date +%s%N) - t0) / 1000000 )) ms after snmpd came back"
wait_state 1 4 20
check_eq "$(sget $T.13.1)" 5 "fault serverNoResponse"
check_eq "$(sget $T.17.1)" 3 "three REGISTERs"
check_eq "$(sget $T.2.1)" "\"sip:127.0.0.1:$SILENT_PORT\"" "configuration kept"
grep -q "AgentX subagent connected" "$TMP/sipdiagd.log" || fail "log of the connection"
check_eq "$(grep -c 'AgentX subagent connected' "$TMP/sipdiagd.log")" 2 "connections logged"
# and a second restart, idle this time
stop_pid "$SNMPD_PID"; sleep 0.5; start_snmpd
wait_registered 30 || fail "no registration after the second restart"
expect_set "" "SET after the second restart" $T.11.1 i 1
finish
