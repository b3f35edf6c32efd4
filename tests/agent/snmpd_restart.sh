#!/bin/bash
# snmpd goes away and comes back while a diagnosis runs: sipdiagd
# reconnects, re-registers, and the row completes and is readable.
. "$(dirname "$0")/lib.sh"
start_all
start_silent_udp
sset $SC.2.0 u 3 >/dev/null
sset $SC.4.0 u 1500 >/dev/null
I1=$(ix 1)
new_row 1 "sip:127.0.0.1:$SILENT_PORT" sip:gina@127.0.0.1
expect_set "" "trigger" $T.$C_STATE.$I1 i 2
check_eq "$(sget $T.$C_STATE.$I1)" 3 "running"
stop_pid "$SNMPD_PID"
log "snmpd stopped"
sleep 1.5
start_snmpd
log "snmpd restarted"
t0=$(date +%s%N)
wait_registered 30 || die "sipdiagd did not register again"
log "re-registered $(( ($(date +%s%N) - t0) / 1000000 )) ms after snmpd came back"
wait_state 1 4 20
check_eq "$(sget $T.$C_FAULT.$I1)" 5 "fault serverNoResponse"
check_eq "$(sget $T.$C_ATTEMPTS.$I1)" 3 "three REGISTERs"
check_eq "$(sget $T.$C_REGISTRAR.$I1)" "\"sip:127.0.0.1:$SILENT_PORT\"" "configuration kept"
# the run and its steps are in the run and history tables (registered again)
check_eq "$(sget $R.6.$I1.1)" 5 "run table: run 1 serverNoResponse"
[ "$(swalk $H.3.$I1.1 | grep -c "^$H.3.$I1.1\.")" -ge 3 ] || fail "history of run 1 readable"
grep -q "AgentX subagent connected" "$TMP/sipdiagd.log" || fail "log of the connection"
check_eq "$(grep -c 'AgentX subagent connected' "$TMP/sipdiagd.log")" 2 "connections logged"
# and a second restart, idle this time
stop_pid "$SNMPD_PID"; sleep 0.5; start_snmpd
wait_registered 30 || fail "no registration after the second restart"
# sipDiagNotifyOnComplete is gone: its bit is in sipDiagTrapGeneration
expect_set "" "SET after the second restart" $T.$C_TRAPS.$I1 x $TRAPS_COMPLETE
finish
