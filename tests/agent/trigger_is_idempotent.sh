#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Issue 10: the trigger is idempotent.  Against a registrar that never
# answers (the run lasts), SET sipDiagState = requested twice while the row
# runs: both noError (a retransmitted SET is not an error), and only one run
# happened: sipDiagStatsRuns and sipDiagStarted (sipDiagScalars.7) each go
# up by exactly one; the run table holds one run.
. "$(dirname "$0")/fleet_lib.sh"

setup
cat >>"$SDCONF" <<EOF2
sipdiagMinRerunInterval 0
sipDiagAttempts 2
sipDiagAttemptTimeout 1500
EOF2
start_silent_udp
start_snmptrapd
start_snmpd
start_sipdiagd

I=$(ix 1)
new_row 1 "sip:127.0.0.1:$SILENT_PORT" sip:silent@127.0.0.1
started0=$(val "$SC.7.0")
check_eq "$(rcol $C_STATS_RUNS "$I")" 0 "no run yet"
expect_set "" "trigger" "$T.$C_STATE.$I" i 2
poll 10 col_is $C_STATE "$I" 3 || fail "row not running (state $(rcol $C_STATE "$I"))"
expect_set "" "trigger again while running (retransmission)" "$T.$C_STATE.$I" i 2
expect_set "" "and a third time" "$T.$C_STATE.$I" i 2
check_eq "$(rcol $C_STATE "$I")" 3 "still running the one run"
poll 30 col_ge $C_STATS_RUNS "$I" 1 || fail "the run did not end"
poll 10 not_in_progress "$I" || fail "row still in progress"
# give a (wrong) second run every chance to show up
sleep 1
poll 10 not_in_progress "$I" || fail "a second run started"
check_eq "$(rcol $C_STATS_RUNS "$I")" 1 "sipDiagStatsRuns went up by exactly one"
check_eq "$(val "$SC.7.0")" $((started0 + 1)) "sipDiagStarted went up by exactly one"
check_eq "$(run_indexes "$I" | wc -l)" 1 "one run in sipDiagRunTable"
check_eq "$(rcol $C_STATE "$I")" 4 "state complete(4)"
check_eq "$(rcol $C_FAULT "$I")" $F_NO_RESPONSE "fault serverNoResponse(5)"
finish
