#!/bin/bash
# sipDiagComplete reaches snmptrapd through the master, with its varbinds;
# rows without the complete bit send nothing.  Since issue 10 the bit is
# complete(0) of sipDiagTrapGeneration (sipDiagNotifyOnComplete is gone),
# sipDiagComplete is $B.0.2 (was .0.1), and every notification carries
# sipDiagAor, sipDiagRegistrar, sipDiagResultCode, sipDiagResultFault,
# sipDiagResultSipStatus, sipDiagStatsConsecutiveFailures,
# sipDiagResultEndTime and sipDiagResultDiagnosis, in this order, each with
# the row's owner.name as instance.  sipDiagFailure is sent once per fall
# into failure, not once per failed run.
. "$(dirname "$0")/lib.sh"
setup
# row 7 runs again at the end: no minimum interval between the runs
echo "sipdiagMinRerunInterval 0" >>"$SDCONF"
start_snmptrapd
start_snmpd
start_sipdiagd
I7=$(ix 7) I8=$(ix 8) I9=$(ix 9 noc)
# notif_lines OID: the lines of snmptrapd's log with that snmpTrapOID
notif_lines() { grep -E "OID: ${1//./\\.}([[:space:]]|\$)" "$TMP/traps.log"; }
expect_set "" "row 7, complete bit" $T.$C_ROWSTATUS.$I7 i 4 $T.$C_TRAPS.$I7 x $TRAPS_COMPLETE \
	$T.$C_AOR.$I7 s sip:erin@example.net
expect_set "" "row 8, no bits (the default)" $T.$C_ROWSTATUS.$I8 i 4
check_eq "$(snmpget -v2c -c $COMMUNITY -Oqvx -t 2 -r 0 "127.0.0.1:$SNMP_PORT" $T.$C_TRAPS.$I8 | tr -d '" ')" 00 \
	"trapGeneration default {} (one octet)"
expect_set "" "trigger both" $T.$C_STATE.$I7 i 2 $T.$C_STATE.$I8 i 2
wait_state 7 4 15
wait_state 8 4 15
for i in $(seq 1 150); do notif_lines $NOTIF >/dev/null && break; sleep 0.1; done
line=$(notif_lines $NOTIF)
[ -n "$line" ] || die "no sipDiagComplete in snmptrapd's log"
log "received: $line"
for vb in "$T.$C_CODE.$I7 = Gauge32: 1" "$T.$C_FAULT.$I7 = INTEGER: 3" \
	"$T.$C_SIP_STATUS.$I7 = Gauge32: 0" "$T.$C_STATS_CONSECUTIVE.$I7 = Gauge32: 1" \
	"$T.$C_DIAGNOSIS.$I7 = STRING: " "$T.$C_AOR.$I7 = STRING: \"sip:erin@example.net\"" \
	"$T.$C_REGISTRAR.$I7 = " "$T.$C_END.$I7 = Hex-STRING: "; do
	printf '%s' "$line" | grep -qF "$vb" || fail "varbind '$vb' missing"
done
# the order of the OBJECTS clause
order=$(printf '%s' "$line" | grep -oE "$T\.[0-9]+\.$I7 " | sed "s/^$T\.\([0-9]*\)\..*/\1/" | tr '\n' ' ')
check_eq "$order" "$C_AOR $C_REGISTRAR $C_CODE $C_FAULT $C_SIP_STATUS $C_STATS_CONSECUTIVE $C_END $C_DIAGNOSIS " \
	"varbinds in the order of the OBJECTS clause"
printf '%s' "$line" | grep -qF ".1.3.6.1.6.3.1.1.4.1.0 = OID: $NOTIF" || fail "snmpTrapOID"
check_eq "$(notif_lines $NOTIF | grep -c .)" 1 "notifications (row 8 sends none)"
notif_lines $B.0.1 >/dev/null && fail "the retired $B.0.1 was sent"

# sipDiagFailure: a row that fails every run (configIncomplete) with all
# bits and threshold 2: complete on each run, failure once, at the second
expect_set "" "row noc/9, all bits, threshold 2" $T.$C_ROWSTATUS.$I9 i 4 \
	$T.$C_TRAPS.$I9 x $TRAPS_ALL $T.$C_THRESHOLD.$I9 u 2
for n in 1 2 3; do
	expect_set "" "trigger row noc/9 (run $n)" $T.$C_STATE.$I9 i 2
	wait_state $I9 4 15
	for i in $(seq 1 100); do
		[ "$(notif_lines $NOTIF | grep -c "\.$I9 ")" -ge $n ] && break
		sleep 0.1
	done
	if [ $n = 1 ]; then
		check_eq "$(notif_lines $NOTIF_FAILURE | grep -c .)" 0 "no sipDiagFailure below the threshold"
	fi
done
sleep 0.5
check_eq "$(notif_lines $NOTIF | grep -c "\.$I9 ")" 3 "sipDiagComplete of each run of noc/9"
check_eq "$(notif_lines $NOTIF_FAILURE | grep -c .)" 1 "sipDiagFailure once, not per failed run"
notif_lines $NOTIF_FAILURE | grep -qF "$T.$C_STATS_CONSECUTIVE.$I9 = Gauge32: 2" ||
	fail "sipDiagFailure carries 2 consecutive failures"
check_eq "$(notif_lines $NOTIF_RECOVERED | grep -c .)" 0 "no sipDiagRecovered without a success"
check_eq "$(sget $T.$C_STATS_CONSECUTIVE.$I9)" 3 "sipDiagStatsConsecutiveFailures"
check_eq "$(sget $T.$C_STATS_FAILURES.$I9)" 3 "sipDiagStatsFailures"
check_eq "$(sget $T.$C_STATS_SUCCESSES.$I9)" 0 "sipDiagStatsSuccesses"
check_eq "$(sget $T.$C_STATS_LAST_FAULT.$I9)" 3 "sipDiagStatsLastFault configIncomplete"
check_eq "$(sget $T.$C_STATS_LAST_GOOD.$I9)" '""' "sipDiagStatsLastGoodTime zero-length (never)"
[ "$(sget $T.$C_STATS_FAULT_SINCE.$I9 | tr -d '"' | wc -w)" = 11 ] ||
	fail "sipDiagStatsFaultSince is a time: $(sget $T.$C_STATS_FAULT_SINCE.$I9)"
expect_set "" "cancel-able long run with the complete bit" $T.$C_STATE.$I7 i 2
finish
