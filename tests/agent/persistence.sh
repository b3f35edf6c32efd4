#!/bin/bash
# nonVolatile rows and scalars a manager set survive a sipdiagd restart;
# volatile rows and results do not.  Since issue 10 the rows are
# { owner, name } (two owners here) and their counters and run summaries
# survive too (sipDiagStats*, sipDiagRunTable); the steps of those runs
# (sipDiagHistoryTable) and the latest result do not.
. "$(dirname "$0")/lib.sh"
start_all
CLOSED=$(closed_udp_port)
I1=$(ix 1) I2=$(ix 2 noc) I3=$(ix 3)
new_row 1 "sip:127.0.0.1:$CLOSED" sip:frank@127.0.0.1 $T.$C_TRANSPORT.$I1 i 2 \
	$T.$C_EXPIRES.$I1 u 120 $T.$C_PROXY.$I1 s "sip:127.0.0.1:$CLOSED" \
	$T.$C_TRAPS.$I1 x $TRAPS_ALL $T.$C_AUTH_USER.$I1 s frankie \
	$T.$C_THRESHOLD.$I1 u 3 $T.$C_MAX_RUNS.$I1 u 4
expect_set "" "createAndWait row noc/2" $T.$C_ROWSTATUS.$I2 i 5 \
	$T.$C_AOR.$I2 s "sip:gr\xc3\xa9ta@example.net" $T.$C_FREQUENCY.$I2 u 600
expect_set "" "volatile row 3" $T.$C_ROWSTATUS.$I3 i 4 $T.$C_STORAGE.$I3 i 2
expect_set "" "scalars" $SC.1.0 u 9 $SC.5.0 u 40
expect_set "" "trigger row 1" $T.$C_STATE.$I1 i 2
wait_state 1 4 10
COLS="$C_REGISTRAR|$C_AOR|$C_AUTH_USER|$C_PASSWORD|$C_TRANSPORT|$C_EXPIRES|$C_PROXY"
COLS="$COLS|$C_FREQUENCY|$C_TRAPS|$C_THRESHOLD|$C_MAX_RUNS|$C_STORAGE|$C_ROWSTATUS"
before=$(swalk $T | grep -E "^$T\.($COLS)\.")
stats_before=$(sget $T.$C_STATS_RUNS.$I1 $T.$C_STATS_FAILURES.$I1 $T.$C_STATS_CONSECUTIVE.$I1 \
	$T.$C_STATS_FAULT_SINCE.$I1 $T.$C_STATS_LAST_FAULT.$I1)
run_before=$(swalk $R.5.$I1; swalk $R.6.$I1; swalk $R.3.$I1)
[ "$(swalk $H.3.$I1 | grep -c "^$H.3.$I1\.")" -ge 1 ] || fail "row 1 has history steps before the restart"
stop_sipdiagd
STORE=$TMP/sipdiagd-persist/sipdiagd.store
grep -c '^_sipDiagEntry' "$STORE" | grep -qx 2 ||
	fail "two rows saved: $(grep '^_sip' "$STORE" | cut -c 1-40)"
grep -q '^_sipDiagEntry "noc" "2" ' "$STORE" || grep -q '^_sipDiagEntry noc 2 ' "$STORE" ||
	fail "row noc/2 saved with its owner: $(grep '^_sipDiagEntry' "$STORE" | cut -c 1-40)"
grep -q '^_sipDiagRun ' "$STORE" || fail "row 1's run saved"
start_sipdiagd
after=$(swalk $T | grep -E "^$T\.($COLS)\.")
check_eq "$after" "$(printf '%s\n' "$before" | grep -v "\.$I3 ")" "configuration of rows test/1 and noc/2 after the restart"
check_eq "$(sget $T.$C_ROWSTATUS.$I3)" "No Such Instance currently exists at this OID" "volatile row 3 gone"
check_eq "$(sget $SC.1.0)" 9 "sipDiagTimer kept"
check_eq "$(sget $SC.5.0)" 40 "sipDiagMaxConcurrent kept"
check_eq "$(sget $T.$C_STATE.$I1)" 1 "state none after the restart (results are not kept)"
check_eq "$(sget $T.$C_STATS_RUNS.$I1 $T.$C_STATS_FAILURES.$I1 $T.$C_STATS_CONSECUTIVE.$I1 \
	$T.$C_STATS_FAULT_SINCE.$I1 $T.$C_STATS_LAST_FAULT.$I1)" "$stats_before" "counters of row 1 kept"
check_eq "$(swalk $R.5.$I1; swalk $R.6.$I1; swalk $R.3.$I1)" "$run_before" "run summary of row 1 kept"
check_eq "$(swalk $H.3.$I1 | grep -c "^$H.3.$I1\.")" 0 "steps of runs before the restart not kept"
# the saved password still works: the run gets past the configuration check
expect_set "" "trigger row 1 after the restart" $T.$C_STATE.$I1 i 2
wait_state 1 4 10
check_closed_port_fault 1 "row 1 diagnosed again after the restart"
check_eq "$(sget $T.$C_RUN_INDEX.$I1)" 2 "run index never reused: the next run is 2"
check_eq "$(sget $T.$C_STATS_RUNS.$I1)" 2 "sipDiagStatsRuns counts on"
finish
