#!/bin/bash
# createAndGo / createAndWait rows, the trigger, results, history, cancel,
# clearing by a configuration write, destroy while running.
. "$(dirname "$0")/lib.sh"
setup
# row 3 runs again right after its cancel: no minimum interval between the
# runs of one account (rerun_interval_per_account.sh tests it)
echo "sipdiagMinRerunInterval 0" >>"$SDCONF"
start_snmptrapd
start_snmpd
start_sipdiagd
CLOSED=$(closed_udp_port)

# createAndGo with no configuration at all: active, and configIncomplete
expect_set "" "createAndGo, nothing else" $T.31.1 i 4
check_eq "$(sget $T.31.1)" 1 "rowStatus after createAndGo"
check_eq "$(sget $T.30.1)" 3 "storageType default nonVolatile"
check_eq "$(sget $T.10.1)" 1 "state none"
expect_set "" "trigger the empty row" $T.10.1 i 2
wait_state 1 4 15
check_eq "$(sget $T.13.1)" 3 "fault configIncomplete"
check_eq "$(sget $T.12.1)" 1 "code 1"
sget $T.15.1 | grep -q "registrar is missing" || fail "diagnosis names the missing registrar: $(sget $T.15.1)"
check_eq "$(sget $T.29.1)" 1 "run count"

# createAndWait, fill in, activate, trigger: a closed UDP port on loopback
expect_set "" "createAndWait" $T.31.2 i 5
check_eq "$(sget $T.31.2)" 2 "rowStatus after createAndWait (notInService)"
expect_set "" "configure row 2" $T.2.2 s "sip:127.0.0.1:$CLOSED" $T.3.2 s sip:bob@127.0.0.1 \
	$T.5.2 s pw $T.6.2 i 2 $T.7.2 u 600
expect_set inconsistentValue "trigger while notInService" $T.10.2 i 2
expect_set "" "activate" $T.31.2 i 1
t0=$(date +%s%N)
expect_set "" "trigger row 2" $T.10.2 i 2
wait_state 2 4 10
log "row 2 completed within $(( ($(date +%s%N) - t0) / 1000000 )) ms"
check_closed_port_fault 2 "closed UDP port on 127.0.0.1"
if [ "$(sget $T.13.2)" = 5 ]; then
	check_eq "$(sget $T.18.2)" 1 "pings sent"
	check_eq "$(sget $T.19.2)" 1 "pings received"
fi
check_eq "$(sget $T.21.2)" 1 "server address type ipv4"
check_eq "$(sget $T.22.2)" '"7F 00 00 01 "' "server address"
check_eq "$(sget $T.23.2)" "$CLOSED" "server port"
check_eq "$(sget $T.24.2)" 2 "server transport udp"
check_eq "$(sget $T.28.2)" 2 "binding removed false"
[ "$(sget $T.25.2 | tr -d '"' | wc -w)" = 11 ] || fail "start time is 11 octets: $(sget $T.25.2)"
[ "$(sget $T.26.2 | tr -d '"' | wc -w)" = 11 ] || fail "end time is 11 octets: $(sget $T.26.2)"
steps=$(swalk $H.3.2 | grep -c "^$H.3.2\.")
[ "$steps" -ge 2 ] || fail "history of row 2 has $steps steps"
log "history of row 2: $steps steps: $(swalk $H.3.2 | awk '{print $2}' | tr '\n' ' ')"
check_eq "$(sget $H.3.2.1)" 9 "first step is dnsResult (where the registrar resolved to)"
check_eq "$(sget $H.3.2.2)" 1 "second step is registerSent"

# a configuration write clears the results
expect_set "" "change expires of the completed row" $T.7.2 u 700
check_eq "$(sget $T.10.2)" 1 "state none after the change"
check_eq "$(sget $T.12.2)" 0 "code cleared"
check_eq "$(sget $T.25.2)" '"00 00 00 00 00 00 00 00 "' "start time cleared"
check_eq "$(swalk $H.3.2 | grep -c "^$H.3.2\.")" 0 "history cleared"
check_eq "$(sget $T.29.2)" 1 "run count kept"

# running, then canceled; then destroyed while running
start_silent_udp
sset $SC.2.0 u 3 >/dev/null
sset $SC.4.0 u 2000 >/dev/null
new_row 3 "sip:127.0.0.1:$SILENT_PORT" sip:carol@127.0.0.1
expect_set "" "trigger row 3" $T.10.3 i 2
check_eq "$(sget $T.10.3)" 3 "state running"
check_eq "$(sget $SC.6.0)" 1 "sipDiagRunning"
sleep 0.3
d=$(sget $T.27.3)
[ "$d" -gt 0 ] 2>/dev/null || fail "duration grows while running: $d"
check_eq "$(sget $T.26.3)" '"00 00 00 00 00 00 00 00 "' "no end time while running"
expect_set "" "cancel row 3" $T.10.3 i 5
check_eq "$(sget $T.10.3)" 5 "state canceled"
check_eq "$(sget $T.13.3)" 13 "fault canceled"
swalk $H.3.3 | grep -q " 8$" || fail "history records the cancel"
expect_set "" "trigger row 3 again" $T.10.3 i 2
completed=$(sget $SC.8.0)
expect_set "" "destroy row 3 while running" $T.31.3 i 6
check_eq "$(sget $T.31.3)" "No Such Instance currently exists at this OID" "row 3 gone"
check_eq "$(swalk $H.3.3 | grep -c "^$H.3.3\.")" 0 "history of row 3 gone"
check_eq "$(sget $SC.8.0)" $((completed + 1)) "sipDiagCompleted counts the aborted run"
check_eq "$(sget $SC.6.0)" 0 "nothing running"
expect_set "" "destroy a missing row is no error" $T.31.4 i 6
finish
