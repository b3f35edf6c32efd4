#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Issue 10: counters, run summaries and last-good time of nonVolatile rows
# and of the terminal's own accounts survive a sipdiagd restart (the store)
# and a master snmpd restart.  A manager's nonVolatile row and a device
# account, each with successes (Kamailio) and a failure (closed port); after
# a sipdiagd stop/start every counter, LastGoodTime, FaultSince, LastFault
# and every sipDiagRunTable column read the same, and the next run gets the
# next sipDiagRunIndex; after a restart of snmpd the same values are read.
. "$(dirname "$0")/fleet_lib.sh"

setup
printf 'agentxPingInterval 1\nsipdiagMinRerunInterval 0\n' >"$SDCONF"
kam_registrar
CLOSED=$(closed_udp_port)
cat >>"$SDCONF" <<EOF2
sipdiagAccount acct registrar=$GOOD_REGISTRAR aor=$GOOD_AOR password=$ALICE_PASSWORD transport=udp
sipdiagAccount bad registrar=sip:127.0.0.1:$CLOSED aor=sip:bad@127.0.0.1 password=x transport=udp
EOF2
start_snmptrapd
start_snmpd
start_sipdiagd

M=$(ix m) D=$(dx acct) X=$(dx bad)
new_row m "$GOOD_REGISTRAR" "$GOOD_AOR" "$T.$C_PASSWORD.$M" s "$ALICE_PASSWORD" "$T.$C_TRANSPORT.$M" i 2
check_eq "$(rcol $C_STORAGE "$M")" 3 "manager row nonVolatile"
run_and_wait "$M" 40 "manager good run 1" || finish
run_and_wait "$M" 40 "manager good run 2" || finish
expect_set "" "manager row: registrar a closed port" "$T.$C_REGISTRAR.$M" s "sip:127.0.0.1:$CLOSED"
run_and_wait "$M" 40 "manager failing run" || finish
closed_fault_ok "$M" || fail "manager failing run: fault $(rcol $C_FAULT "$M")"
run_and_wait "$D" 40 "account good run 1" || finish
run_and_wait "$D" 40 "account good run 2" || finish
run_and_wait "$X" 40 "failing account run" || finish

STATS="$C_STATS_RUNS $C_STATS_SUCCESSES $C_STATS_FAILURES $C_STATS_CONSECUTIVE $C_STATS_LAST_GOOD $C_STATS_FAULT_SINCE $C_STATS_LAST_FAULT"
snapshot() { # INDEX: the counters and every run table column
	local c
	for c in $STATS; do printf 'col %s = %s\n' "$c" "$(rcol "$c" "$1")"; done
	swalk "$R.2.$1" | grep -q . || echo "run table empty"
	for c in 2 3 4 5 6 7 8 9 10 11 12 13; do run_col "$c" "$1" | sed "s/^/run col $c: /"; done
}
compare() { # WHAT INDEX BEFORE
	local now
	now=$(snapshot "$2")
	if [ "$now" = "$3" ]; then
		log "ok: $1: row $2: counters and run table unchanged ($(printf '%s\n' "$3" | grep -c '^run col') run values)"
	else
		fail "$1: row $2 differs: $(diff <(printf '%s\n' "$3") <(printf '%s\n' "$now") | grep '^[<>]' | head -n 12 | tr '\n' '|')"
	fi
}
for v in M D X; do eval "snap_$v=\$(snapshot \"\$$v\")"; done
check_eq "$(rcol $C_STATS_RUNS "$M")/$(rcol $C_STATS_SUCCESSES "$M")/$(rcol $C_STATS_FAILURES "$M")" 3/2/1 "manager row runs/successes/failures"
check_eq "$(rcol $C_STATS_RUNS "$D")/$(rcol $C_STATS_SUCCESSES "$D")" 2/2 "account runs/successes"
last_m=$(run_indexes "$M" | tail -n 1) last_d=$(run_indexes "$D" | tail -n 1)
check_eq "$last_m/$last_d" 3/2 "last run indexes"

stop_sipdiagd
start_sipdiagd
compare "after a sipdiagd restart" "$M" "$snap_M"
compare "after a sipdiagd restart" "$D" "$snap_D"
compare "after a sipdiagd restart" "$X" "$snap_X"
grep -i "not restored\|ignored" "$TMP/sipdiagd.log" | sed 's/^/sipdiagd.log: /'

stop_pid "$SNMPD_PID"
start_snmpd
wait_registered 30 || fail "sipdiagd did not register again with the restarted snmpd"
compare "after an snmpd restart" "$M" "$snap_M"
compare "after an snmpd restart" "$D" "$snap_D"
compare "after an snmpd restart" "$X" "$snap_X"

run_and_wait "$M" 40 "manager run after the restarts" || finish
check_eq "$(rcol $C_RUN_INDEX "$M")" $((last_m + 1)) "the manager row's next run gets index $((last_m + 1))"
check_eq "$(run_indexes "$M" | tail -n 1)" $((last_m + 1)) "and it is the newest in the run table"
run_and_wait "$D" 40 "account run after the restarts" || finish
check_eq "$(rcol $C_RUN_INDEX "$D")" $((last_d + 1)) "the account's next run gets index $((last_d + 1))"
check_eq "$(rcol $C_STATS_RUNS "$M")" 4 "manager row's sipDiagStatsRuns counts on"
finish
