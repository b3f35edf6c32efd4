#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Issue 10: counters and run history, through a real Kamailio.  A good
# account run 3 times: StatsRuns 3, Successes 3, Failures 0, Consecutive 0,
# LastGoodTime set, FaultSince zero-length, LastFault success(2).  Then the
# manager writes a wrong password (a config write) and runs it twice:
# Failures 2, Consecutive 2, FaultSince set, LastFault authFailure(6).  With
# sipDiagMaxRuns 3 the run table holds exactly the 3 newest runs (indexes
# 3, 4, 5: increasing, never reused), the history table has steps for each
# of them (owner.name.run.step) and none for the dropped ones, and
# sipDiagResultRunIndex is the newest run's index.
. "$(dirname "$0")/fleet_lib.sh"

setup
printf 'agentxPingInterval 1\nsipdiagMinRerunInterval 0\n' >"$SDCONF"
kam_registrar
start_snmptrapd
start_snmpd
start_sipdiagd

I=$(ix good)
new_row good "$GOOD_REGISTRAR" "$GOOD_AOR" "$T.$C_PASSWORD.$I" s "$ALICE_PASSWORD" \
	"$T.$C_TRANSPORT.$I" i 2 "$T.$C_MAX_RUNS.$I" u 3
check_eq "$(rcol $C_STATS_RUNS "$I")" 0 "before any run: sipDiagStatsRuns 0"
check_eq "$(rcol $C_STATS_LAST_GOOD "$I")" "" "before any run: LastGoodTime zero-length"
check_eq "$(rcol $C_STATS_FAULT_SINCE "$I")" "" "before any run: FaultSince zero-length"
check_eq "$(rcol $C_STATS_LAST_FAULT "$I")" $F_NONE "before any run: LastFault none(1)"
check_eq "$(rcol $C_RUN_INDEX "$I")" 0 "before any run: sipDiagResultRunIndex 0"

for k in 1 2 3; do
	run_and_wait "$I" 40 "good run $k" || finish
	check_eq "$(rcol $C_FAULT "$I")" $F_SUCCESS "good run $k: success(2)"
done
check_eq "$(rcol $C_STATS_RUNS "$I")" 3 "sipDiagStatsRuns"
check_eq "$(rcol $C_STATS_SUCCESSES "$I")" 3 "sipDiagStatsSuccesses"
check_eq "$(rcol $C_STATS_FAILURES "$I")" 0 "sipDiagStatsFailures"
check_eq "$(rcol $C_STATS_CONSECUTIVE "$I")" 0 "sipDiagStatsConsecutiveFailures"
good=$(rcol $C_STATS_LAST_GOOD "$I")
[ -n "$good" ] && [ "$(printf '%s' "$good" | wc -w)" -ge 8 ] || fail "sipDiagStatsLastGoodTime not set: '$good'"
check_eq "$(rcol $C_STATS_FAULT_SINCE "$I")" "" "sipDiagStatsFaultSince zero-length (not failing)"
check_eq "$(rcol $C_STATS_LAST_FAULT "$I")" $F_SUCCESS "sipDiagStatsLastFault success(2)"
check_eq "$(rcol $C_RUN_INDEX "$I")" 3 "sipDiagResultRunIndex after 3 runs"

expect_set "" "wrong password (a config write)" "$T.$C_PASSWORD.$I" s wrong-secret
check_eq "$(rcol $C_STATS_RUNS "$I")" 3 "a config write keeps sipDiagStatsRuns"
for k in 1 2; do
	run_and_wait "$I" 40 "bad run $k" || finish
	check_eq "$(rcol $C_FAULT "$I")" $F_AUTH "bad run $k: authFailure(6)"
done
check_eq "$(rcol $C_STATS_RUNS "$I")" 5 "sipDiagStatsRuns"
check_eq "$(rcol $C_STATS_SUCCESSES "$I")" 3 "sipDiagStatsSuccesses"
check_eq "$(rcol $C_STATS_FAILURES "$I")" 2 "sipDiagStatsFailures"
check_eq "$(rcol $C_STATS_CONSECUTIVE "$I")" 2 "sipDiagStatsConsecutiveFailures"
since=$(rcol $C_STATS_FAULT_SINCE "$I")
[ "$(printf '%s' "$since" | wc -w)" -ge 8 ] || fail "sipDiagStatsFaultSince not set while failing: '$since'"
check_eq "$(rcol $C_STATS_LAST_GOOD "$I")" "$good" "sipDiagStatsLastGoodTime still the last success"
check_eq "$(rcol $C_STATS_LAST_FAULT "$I")" $F_AUTH "sipDiagStatsLastFault authFailure(6)"

# FaultSince is the end of the first failed run of the streak (run 4)
end4=$(run_col 3 "$I" | awk '$1 == 4 {$1 = ""; print}' | sed 's/^ //')
check_eq "$(printf '%s' "$since" | tr -s ' ' | sed 's/ $//')" "$(printf '%s' "$end4" | tr -d '"' | tr -s ' ' | sed 's/ $//')" \
	"sipDiagStatsFaultSince = end time of run 4, the first failure"

runs=$(run_indexes "$I" | tr '\n' ' ')
check_eq "$runs" "3 4 5 " "sipDiagMaxRuns 3: the run table holds the 3 newest runs"
check_eq "$(rcol $C_RUN_INDEX "$I")" 5 "sipDiagResultRunIndex is the newest run"
check_eq "$(run_col 6 "$I" | awk '{print $2}' | tr '\n' ' ')" "2 6 6 " "run faults: success, authFailure, authFailure"
check_eq "$(run_col 5 "$I" | awk '{print $2}' | tr '\n' ' ')" "200 $(rcol $C_CODE "$I") $(rcol $C_CODE "$I") " "run codes"
check_eq "$(run_col 12 "$I" | awk '{print $2}' | sort -u | tr '\n' ' ')" "1 " "every run: trigger manager(1)"
hist_runs=$(swalk "$H.3.$I" | awk '{print $1}' | sed "s/^$(printf '%s' "$H.3.$I." | sed 's/\./\\./g')//" |
	cut -d. -f1 | sort -nu | tr '\n' ' ')
check_eq "$hist_runs" "3 4 5 " "sipDiagHistoryTable has steps of exactly the kept runs"
for r in 3 4 5; do
	n=$(swalk "$H.3.$I.$r" | grep -c "^$H")
	[ "$n" -ge 2 ] || fail "run $r: only $n history steps"
done
log "history steps per run: $(for r in 3 4 5; do printf '%s:%s ' $r "$(swalk "$H.3.$I.$r" | grep -c "^$H")"; done)"

# one more run: index 6, 3 dropped, never reused
expect_set "" "password right again" "$T.$C_PASSWORD.$I" s "$ALICE_PASSWORD"
run_and_wait "$I" 40 "recovery run" || finish
check_eq "$(run_indexes "$I" | tr '\n' ' ')" "4 5 6 " "run table after a 6th run"
check_eq "$(rcol $C_STATS_CONSECUTIVE "$I")" 0 "a success resets sipDiagStatsConsecutiveFailures"
check_eq "$(rcol $C_STATS_FAULT_SINCE "$I")" "" "a success clears sipDiagStatsFaultSince"
[ "$(rcol $C_STATS_LAST_GOOD "$I")" != "$good" ] || fail "sipDiagStatsLastGoodTime did not move with the new success"
finish
