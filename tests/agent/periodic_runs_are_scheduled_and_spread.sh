#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Issue 10: sipDiagFrequency.  sipdiagd schedules the runs itself: 10
# manager rows at frequency 5 s against a closed UDP port (each run fails
# fast) all run again and again, every run of the schedule has
# sipDiagRunTrigger schedule(2), and the rows do not all fire in the same
# second (spread).  With sipDiagMaxConcurrent 1 every row still runs.  A row
# with an incomplete configuration (no registrar) runs each period, ends
# configIncomplete and sends nothing (attempts 0).  Frequency 0 stops the
# schedule.  Two rows naming the same account with sipdiagMinRerunInterval
# 3000 never start closer than 3 s (run start times).
. "$(dirname "$0")/fleet_lib.sh"

setup
CLOSED=$(closed_udp_port)
echo "sipdiagMinRerunInterval 0" >>"$SDCONF"
start_snmptrapd
start_snmpd
start_sipdiagd

NAMES="r1 r2 r3 r4 r5 r6 r7 r8 r9 r10"
for n in $NAMES; do
	new_row "$n" "sip:127.0.0.1:$CLOSED" "sip:$n@127.0.0.1" "$T.$C_FREQUENCY.$(ix "$n")" u 5
done
INC=$(ix inc)
err=$(sset "$T.$C_ROWSTATUS.$INC" i 4 "$T.$C_AOR.$INC" s sip:inc@127.0.0.1 \
	"$T.$C_PASSWORD.$INC" s pw "$T.$C_FREQUENCY.$INC" u 5)
check_eq "$err" "" "a row without registrar, frequency 5 (createAndGo)"
check_eq "$(rcol $C_FREQUENCY "$(ix r1)")" 5 "sipDiagFrequency reads 5"

all_ge() { # N: every row r1..r10 and inc has sipDiagStatsRuns >= N
	local n
	for n in $NAMES inc; do col_ge $C_STATS_RUNS "$(ix "$n")" "$1" || return 1; done
}
t0=$SECONDS
poll 90 all_ge 3 || fail "not every row ran 3 times on its schedule within 90 s"
log "every row ran >= 3 times after $((SECONDS - t0)) s (frequency 5)"

firsts=""
for n in $NAMES; do
	I=$(ix "$n")
	trig=$(run_col 12 "$I" | awk '{print $2}' | sort -u | tr '\n' ' ')
	check_eq "$trig" "2 " "row $n: every run in sipDiagRunTable has trigger schedule(2)"
	check_eq "$(rcol $C_TRIGGER "$I")" 2 "row $n: sipDiagResultTrigger schedule(2)"
	first=$(run_col 2 "$I" | dat_seconds | head -n 1 | awk '{print int($2)}')
	firsts="$firsts $first"
done
distinct=$(printf '%s\n' $firsts | sort -u | wc -l)
log "first run start seconds of the 10 rows:$firsts ($distinct distinct)"
[ "$distinct" -ge 2 ] || fail "all 10 rows of frequency 5 started their runs in the same second: not spread"

# the incomplete row: configIncomplete each period, nothing sent
faults=$(run_col 6 "$INC" | awk '{print $2}' | sort -u | tr '\n' ' ')
check_eq "$faults" "$F_CONFIG_INCOMPLETE " "row inc: every run configIncomplete(3)"
atts=$(run_col 13 "$INC" | awk '{print $2}' | sort -u | tr '\n' ' ')
check_eq "$atts" "0 " "row inc: every run sent nothing (sipDiagRunAttempts 0)"
check_eq "$(rcol $C_ATTEMPTS "$INC")" 0 "row inc: sipDiagResultAttempts 0"
check_eq "$(rcol $C_FAULT "$INC")" $F_CONFIG_INCOMPLETE "row inc: sipDiagResultFault configIncomplete(3)"

# sipDiagMaxConcurrent 1: still every row runs
expect_set "" "sipDiagMaxConcurrent := 1" "$SC.5.0" u 1
declare -A before
for n in $NAMES inc; do before[$n]=$(rcol $C_STATS_RUNS "$(ix "$n")"); done
all_more() {
	local n
	for n in $NAMES inc; do col_ge $C_STATS_RUNS "$(ix "$n")" $((before[$n] + 2)) || return 1; done
}
t0=$SECONDS
poll 90 all_more || fail "with sipDiagMaxConcurrent 1 not every row ran twice more within 90 s"
log "with sipDiagMaxConcurrent 1 every row ran twice more after $((SECONDS - t0)) s"

# frequency 0: the schedule stops
for n in $NAMES inc; do
	expect_set "" "row $n: sipDiagFrequency := 0" "$T.$C_FREQUENCY.$(ix "$n")" u 0
done
all_idle() { local n; for n in $NAMES inc; do not_in_progress "$(ix "$n")" || return 1; done; }
poll 30 all_idle || fail "rows still in progress after frequency 0"
for n in $NAMES inc; do before[$n]=$(rcol $C_STATS_RUNS "$(ix "$n")"); done
sleep 12
for n in $NAMES inc; do
	check_eq "$(rcol $C_STATS_RUNS "$(ix "$n")")" "${before[$n]}" "row $n: no run for 12 s after frequency 0"
done

# the per-account minimum interval: two rows, one account, frequency 1
expect_set "" "sipDiagMaxConcurrent := 32" "$SC.5.0" u 32
stop_sipdiagd
sed -i 's/^sipdiagMinRerunInterval .*/sipdiagMinRerunInterval 3000/' "$SDCONF"
start_sipdiagd
for n in a1 a2; do
	new_row "$n" "sip:127.0.0.1:$CLOSED" sip:same@127.0.0.1 "$T.$C_FREQUENCY.$(ix "$n")" u 1
done
both_runs() { [ $(($(rcol $C_STATS_RUNS "$(ix a1)") + $(rcol $C_STATS_RUNS "$(ix a2)"))) -ge "$1" ]; }
poll 60 both_runs 5 || fail "the two rows of one account did not run 5 times together within 60 s"
for n in a1 a2; do expect_set "" "row $n: frequency 0" "$T.$C_FREQUENCY.$(ix "$n")" u 0; done
starts=$( (run_col 2 "$(ix a1)"; run_col 2 "$(ix a2)") | dat_seconds | awk '{print $2}' | sort -n)
log "run starts of the account's two rows: $(printf '%s\n' "$starts" | tr '\n' ' ')"
check_eq "$(printf '%s\n' "$starts" | awk 'NR > 1 && $1 - p < 2.9 {bad++} {p = $1} END {print bad + 0}')" 0 \
	"runs of one account closer than 3 s (sipdiagMinRerunInterval 3000)"
for n in a1 a2; do
	[ "$(run_col 2 "$(ix "$n")" | wc -l)" -ge 1 ] || fail "row $n never ran (the other one took every turn)"
done
finish
