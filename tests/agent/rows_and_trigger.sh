#!/bin/bash
# createAndGo / createAndWait rows, the trigger, results, history, cancel,
# clearing by a configuration write, destroy while running.
# Rows are { owner "test", name "1".. } (ix NAME); columns by name (lib.sh).
. "$(dirname "$0")/lib.sh"
setup
# row 3 runs again right after its cancel: no minimum interval between the
# runs of one account (rerun_interval_per_account.sh tests it)
echo "sipdiagMinRerunInterval 0" >>"$SDCONF"
start_snmptrapd
start_snmpd
start_sipdiagd
CLOSED=$(closed_udp_port)
I1=$(ix 1) I2=$(ix 2) I3=$(ix 3)

# createAndGo with no configuration at all: active, and configIncomplete
expect_set "" "createAndGo, nothing else" $T.$C_ROWSTATUS.$I1 i 4
check_eq "$(sget $T.$C_ROWSTATUS.$I1)" 1 "rowStatus after createAndGo"
check_eq "$(sget $T.$C_STORAGE.$I1)" 3 "storageType default nonVolatile"
check_eq "$(sget $T.$C_STATE.$I1)" 1 "state none"
# issue 10: "never" times are zero-length (were 8 zero octets)
check_eq "$(sget $T.$C_START.$I1)" '""' "start time zero-length before any run"
check_eq "$(sget $T.$C_RUN_INDEX.$I1)" 0 "no run index before any run"
expect_set "" "trigger the empty row" $T.$C_STATE.$I1 i 2
wait_state 1 4 15
check_eq "$(sget $T.$C_FAULT.$I1)" 3 "fault configIncomplete"
check_eq "$(sget $T.$C_CODE.$I1)" 1 "code 1"
sget $T.$C_DIAGNOSIS.$I1 | grep -q "registrar is missing" ||
	fail "diagnosis names the missing registrar: $(sget $T.$C_DIAGNOSIS.$I1)"
# issue 10: sipDiagResultRunCount is gone; sipDiagStatsRuns counts ended runs
check_eq "$(sget $T.$C_STATS_RUNS.$I1)" 1 "sipDiagStatsRuns"
check_eq "$(sget $T.$C_RUN_INDEX.$I1)" 1 "sipDiagResultRunIndex of the first run"
check_eq "$(sget $T.$C_TRIGGER.$I1)" 1 "sipDiagResultTrigger manager"

# createAndWait, fill in, activate, trigger: a closed UDP port on loopback
expect_set "" "createAndWait" $T.$C_ROWSTATUS.$I2 i 5
check_eq "$(sget $T.$C_ROWSTATUS.$I2)" 2 "rowStatus after createAndWait (notInService)"
expect_set "" "configure row 2" $T.$C_REGISTRAR.$I2 s "sip:127.0.0.1:$CLOSED" \
	$T.$C_AOR.$I2 s sip:bob@127.0.0.1 $T.$C_PASSWORD.$I2 s pw \
	$T.$C_TRANSPORT.$I2 i 2 $T.$C_EXPIRES.$I2 u 600
expect_set inconsistentValue "trigger while notInService" $T.$C_STATE.$I2 i 2
expect_set "" "activate" $T.$C_ROWSTATUS.$I2 i 1
t0=$(date +%s%N)
expect_set "" "trigger row 2" $T.$C_STATE.$I2 i 2
wait_state 2 4 10
log "row 2 completed within $(( ($(date +%s%N) - t0) / 1000000 )) ms"
check_closed_port_fault 2 "closed UDP port on 127.0.0.1"
if [ "$(sget $T.$C_FAULT.$I2)" = 5 ]; then
	check_eq "$(sget $T.$C_PINGS_SENT.$I2)" 1 "pings sent"
	check_eq "$(sget $T.$C_PINGS_RECEIVED.$I2)" 1 "pings received"
fi
check_eq "$(sget $T.$C_ADDR_TYPE.$I2)" 1 "server address type ipv4"
check_eq "$(sget $T.$C_ADDR.$I2)" '"7F 00 00 01 "' "server address"
check_eq "$(sget $T.$C_PORT.$I2)" "$CLOSED" "server port"
check_eq "$(sget $T.$C_SERVER_TRANSPORT.$I2)" 2 "server transport udp"
check_eq "$(sget $T.$C_BINDING_REMOVED.$I2)" 2 "binding removed false"
[ "$(sget $T.$C_START.$I2 | tr -d '"' | wc -w)" = 11 ] || fail "start time is 11 octets: $(sget $T.$C_START.$I2)"
[ "$(sget $T.$C_END.$I2 | tr -d '"' | wc -w)" = 11 ] || fail "end time is 11 octets: $(sget $T.$C_END.$I2)"
# the history is indexed by owner.name.RUN.STEP; row 2's first run is run 1
RUN=$(sget $T.$C_RUN_INDEX.$I2)
check_eq "$RUN" 1 "row 2's run index"
steps=$(swalk $H.3.$I2 | grep -c "^$H.3.$I2\.")
[ "$steps" -ge 2 ] || fail "history of row 2 has $steps steps"
log "history of row 2: $steps steps: $(swalk $H.3.$I2 | awk '{print $2}' | tr '\n' ' ')"
check_eq "$(sget $H.3.$I2.$RUN.1)" 9 "first step is dnsResult (where the registrar resolved to)"
check_eq "$(sget $H.3.$I2.$RUN.2)" 1 "second step is registerSent"
# the run table has the run's summary
check_eq "$(sget $R.5.$I2.$RUN)" "$(sget $T.$C_CODE.$I2)" "run table: code of run 1"
check_eq "$(sget $R.6.$I2.$RUN)" "$(sget $T.$C_FAULT.$I2)" "run table: fault of run 1"
check_eq "$(sget $R.12.$I2.$RUN)" 1 "run table: trigger manager"

# a configuration write clears the results
expect_set "" "change expires of the completed row" $T.$C_EXPIRES.$I2 u 700
check_eq "$(sget $T.$C_STATE.$I2)" 1 "state none after the change"
check_eq "$(sget $T.$C_CODE.$I2)" 0 "code cleared"
check_eq "$(sget $T.$C_START.$I2)" '""' "start time cleared (zero-length, issue 10)"
# issue 10: a configuration write clears the result but keeps the stats and
# the runs (with their steps): the history is no longer cleared
check_eq "$(swalk $H.3.$I2 | grep -c "^$H.3.$I2\.")" "$steps" "history of the kept run kept"
check_eq "$(sget $T.$C_STATS_RUNS.$I2)" 1 "sipDiagStatsRuns kept"
check_eq "$(swalk $R.5.$I2 | grep -c "^$R.5.$I2\.")" 1 "run table keeps run 1"

# running, then canceled; then destroyed while running
start_silent_udp
sset $SC.2.0 u 3 >/dev/null
sset $SC.4.0 u 2000 >/dev/null
new_row 3 "sip:127.0.0.1:$SILENT_PORT" sip:carol@127.0.0.1
expect_set "" "trigger row 3" $T.$C_STATE.$I3 i 2
check_eq "$(sget $T.$C_STATE.$I3)" 3 "state running"
check_eq "$(sget $SC.6.0)" 1 "sipDiagRunning"
# issue 10: a retransmitted trigger while running is noError (was
# inconsistentValue) and starts nothing new
expect_set "" "trigger row 3 again while it runs" $T.$C_STATE.$I3 i 2
check_eq "$(sget $SC.6.0)" 1 "still one run"
sleep 0.3
d=$(sget $T.$C_DURATION.$I3)
[ "$d" -gt 0 ] 2>/dev/null || fail "duration grows while running: $d"
check_eq "$(sget $T.$C_END.$I3)" '""' "no end time while running (zero-length)"
expect_set "" "cancel row 3" $T.$C_STATE.$I3 i 5
check_eq "$(sget $T.$C_STATE.$I3)" 5 "state canceled"
check_eq "$(sget $T.$C_FAULT.$I3)" 13 "fault canceled"
RUN3=$(sget $T.$C_RUN_INDEX.$I3)
check_eq "$RUN3" 1 "row 3's canceled run is its run 1"
swalk $H.3.$I3 | grep -q " 8$" || fail "history records the cancel"
check_eq "$(sget $T.$C_STATS_RUNS.$I3)" 1 "a canceled run counts in sipDiagStatsRuns"
expect_set "" "trigger row 3 again" $T.$C_STATE.$I3 i 2
completed=$(sget $SC.8.0)
expect_set "" "destroy row 3 while running" $T.$C_ROWSTATUS.$I3 i 6
check_eq "$(sget $T.$C_ROWSTATUS.$I3)" "No Such Instance currently exists at this OID" "row 3 gone"
check_eq "$(swalk $H.3.$I3 | grep -c "^$H.3.$I3\.")" 0 "history of row 3 gone"
check_eq "$(swalk $R.2.$I3 | grep -c "^$R.2.$I3\.")" 0 "runs of row 3 gone"
check_eq "$(sget $SC.8.0)" $((completed + 1)) "sipDiagCompleted counts the aborted run"
check_eq "$(sget $SC.6.0)" 0 "nothing running"
expect_set "" "destroy a missing row is no error" $T.$C_ROWSTATUS.$(ix 4) i 6
finish
