#!/bin/bash
# Every SET error of SIP-DIAG-MIB (RFC 3416 4.2.5), and no half-applied row.
# Rows are { "test", NAME } (ix NAME), columns by name (lib.sh).
. "$(dirname "$0")/lib.sh"
start_all
start_silent_udp
# long runs for the "while running" cases: 3 x 2 s without an answer
sset $SC.2.0 u 3 >/dev/null
sset $SC.4.0 u 10000 >/dev/null   # runs must outlast the SETs below, even on a loaded machine
I1=$(ix 1) I2=$(ix 2) I3=$(ix 3) I5=$(ix 5)

new_row 1 "sip:127.0.0.1:$SILENT_PORT" sip:alice@127.0.0.1
expect_set notWritable "result column (sipDiagResultCode)" $T.$C_CODE.$I1 u 5
expect_set notWritable "stats column (sipDiagStatsRuns)" $T.$C_STATS_RUNS.$I1 u 5
expect_set notWritable "read-only scalar sipDiagRunning" $SC.6.0 u 1
expect_set notWritable "read-only scalar sipDiagMaxRows" $SC.12.0 u 1
expect_set notWritable "run table column" $R.5.$I1.1 u 1
expect_set wrongType "registrar as INTEGER" $T.$C_REGISTRAR.$I1 i 1
expect_set wrongType "transport as STRING" $T.$C_TRANSPORT.$I1 s udp
expect_set wrongType "expires as INTEGER" $T.$C_EXPIRES.$I1 i 60
expect_set wrongType "frequency as INTEGER" $T.$C_FREQUENCY.$I1 i 60
expect_set wrongType "trapGeneration as INTEGER" $T.$C_TRAPS.$I1 i 1
expect_set wrongType "scalar as INTEGER" $SC.1.0 i 5
expect_set wrongLength "registrar of 256 octets" $T.$C_REGISTRAR.$I1 s "$(printf 'x%.0s' $(seq 1 256))"
expect_set wrongLength "password of 256 octets" $T.$C_PASSWORD.$I1 s "$(printf 'y%.0s' $(seq 1 256))"
expect_set wrongLength "trapGeneration of 2 octets" $T.$C_TRAPS.$I1 x "80 00"
expect_set wrongValue "transport 7" $T.$C_TRANSPORT.$I1 i 7
expect_set wrongValue "aor not UTF-8" $T.$C_AOR.$I1 x "C3 28"
for s in 1 3 4 0 6; do expect_set wrongValue "state $s" $T.$C_STATE.$I1 i $s; done
expect_set wrongValue "rowStatus notReady" $T.$C_ROWSTATUS.$I1 i 3
expect_set wrongValue "rowStatus 7" $T.$C_ROWSTATUS.$I1 i 7
expect_set wrongValue "storageType permanent" $T.$C_STORAGE.$I1 i 4
expect_set wrongValue "storageType readOnly" $T.$C_STORAGE.$I1 i 5
expect_set wrongValue "storageType other" $T.$C_STORAGE.$I1 i 1
# sipDiagNotifyOnComplete (old column 11) is gone: its bit is
# sipDiagTrapGeneration's complete(0); a bit beyond recovery(2) is wrongValue
expect_set wrongValue "trapGeneration bit 3" $T.$C_TRAPS.$I1 x 10
expect_set wrongValue "frequency 86401" $T.$C_FREQUENCY.$I1 u 86401
expect_set wrongValue "failureThreshold 0" $T.$C_THRESHOLD.$I1 u 0
expect_set wrongValue "failureThreshold 16" $T.$C_THRESHOLD.$I1 u 16
expect_set wrongValue "maxRuns 51" $T.$C_MAX_RUNS.$I1 u 51
expect_set wrongValue "sipDiagTimer 0" $SC.1.0 u 0
expect_set wrongValue "sipDiagAttemptTimeout 99" $SC.4.0 u 99
expect_set wrongValue "sipDiagMaxConcurrent 1025" $SC.5.0 u 1025
expect_set noCreation "column of a missing row" $T.$C_REGISTRAR.$(ix 77) s sip:x
# the index is { owner, name }: an index that is not two SnmpAdminStrings
# of at most 32 octets of UTF-8 names no row that could exist
expect_set inconsistentName "owner of 33 octets" \
	$T.$C_ROWSTATUS.$(ix 1 "$(printf 'o%.0s' $(seq 1 33))") i 4
expect_set inconsistentName "name of 33 octets" \
	$T.$C_ROWSTATUS.$(ix "$(printf 'n%.0s' $(seq 1 33))") i 4
expect_set inconsistentName "name not UTF-8" $T.$C_ROWSTATUS.4.116.101.115.116.2.195.40 i 4
expect_set inconsistentName "a row under the device owner" $T.$C_ROWSTATUS.$(dx 1) i 4
expect_set inconsistentValue "active on a missing row" $T.$C_ROWSTATUS.$(ix 78) i 1
expect_set inconsistentValue "createAndGo on an existing row" $T.$C_ROWSTATUS.$I1 i 4
expect_set inconsistentValue "cancel when nothing runs" $T.$C_STATE.$I1 i 5
sset $T.$C_ROWSTATUS.$I2 i 5 >/dev/null
expect_set inconsistentValue "requested on a notInService row" $T.$C_STATE.$I2 i 2

# while running
expect_set "" "trigger row 1" $T.$C_STATE.$I1 i 2
check_eq "$(sget $T.$C_STATE.$I1)" 3 "state right after the trigger"
# issue 10: a retransmitted trigger is noError and starts nothing new (was
# inconsistentValue)
started=$(sget $SC.7.0)
expect_set "" "requested while running (a retransmission)" $T.$C_STATE.$I1 i 2
check_eq "$(sget $SC.7.0)" "$started" "sipDiagStarted: nothing new started"
check_eq "$(sget $SC.6.0)" 1 "sipDiagRunning: one run"
expect_set inconsistentValue "registrar while running" $T.$C_REGISTRAR.$I1 s sip:other
expect_set inconsistentValue "password while running" $T.$C_PASSWORD.$I1 s pw
expect_set inconsistentValue "notInService while running" $T.$C_ROWSTATUS.$I1 i 2
expect_set "" "trapGeneration while running is allowed" $T.$C_TRAPS.$I1 x $TRAPS_COMPLETE

# sipDiagMaxConcurrent
expect_set "" "sipDiagMaxConcurrent 1" $SC.5.0 u 1
new_row 3 "sip:127.0.0.1:$SILENT_PORT" sip:bob@127.0.0.1
expect_set resourceUnavailable "second run beyond sipDiagMaxConcurrent" $T.$C_STATE.$I3 i 2
expect_set "" "cancel row 1" $T.$C_STATE.$I1 i 5
check_eq "$(sget $T.$C_STATE.$I1)" 5 "state after cancel"
check_eq "$(sget $T.$C_FAULT.$I1)" 13 "fault after cancel"
expect_set "" "sipDiagMaxConcurrent 32" $SC.5.0 u 32

# never half-applied: one bad varbind spoils the whole PDU
expect_set wrongValue "registrar + bad transport" $T.$C_REGISTRAR.$I1 s sip:changed $T.$C_TRANSPORT.$I1 i 9
check_eq "$(sget $T.$C_REGISTRAR.$I1)" "\"sip:127.0.0.1:$SILENT_PORT\"" "registrar unchanged"
expect_set wrongValue "createAndGo + bad transport" $T.$C_ROWSTATUS.$I5 i 4 $T.$C_TRANSPORT.$I5 i 9
check_eq "$(sget $T.$C_ROWSTATUS.$I5)" "No Such Instance currently exists at this OID" "row 5 not created"
expect_set wrongValue "createAndGo + bad maxRuns" $T.$C_ROWSTATUS.$I5 i 4 $T.$C_MAX_RUNS.$I5 u 99
check_eq "$(sget $T.$C_ROWSTATUS.$I5)" "No Such Instance currently exists at this OID" "row 5 still not created"
expect_set inconsistentValue "two rows, one bad" $T.$C_REGISTRAR.$I3 s sip:three $T.$C_ROWSTATUS.$I1 i 4
check_eq "$(sget $T.$C_REGISTRAR.$I3)" "\"sip:127.0.0.1:$SILENT_PORT\"" "row 3 unchanged"

# the row limit: sipDiagMaxRows (1024, was 256)
MAX=$(sget $SC.12.0)
check_eq "$MAX" 1024 "sipDiagMaxRows"
sset $T.$C_ROWSTATUS.$I2 i 6 $T.$C_ROWSTATUS.$I3 i 6 >/dev/null
have=$(swalk $T.$C_ROWSTATUS | grep -c "^$T.$C_ROWSTATUS\.")
n=100
while [ "$have" -lt "$MAX" ]; do
	args=()
	for _ in $(seq 1 40); do
		[ "$have" -lt "$MAX" ] || break
		args+=("$T.$C_ROWSTATUS.$(ix $n)" i 5)
		n=$((n + 1)); have=$((have + 1))
	done
	err=$(sset "${args[@]}")
	[ -z "$err" ] || die "filling the table: $err"
done
check_eq "$(swalk $T.$C_ROWSTATUS | grep -c "^$T.$C_ROWSTATUS\.")" "$MAX" "rows in the full table"
expect_set resourceUnavailable "row $((MAX + 1))" $T.$C_ROWSTATUS.$(ix 9999) i 5
expect_set "" "destroy one" $T.$C_ROWSTATUS.$(ix 100) i 6
expect_set "" "then create again" $T.$C_ROWSTATUS.$(ix 9999) i 5
grep -q 'Segmentation\|assert' "$TMP/sipdiagd.out" && fail "sipdiagd crashed"
kill -0 "$SIPDIAGD_PID" || fail "sipdiagd is gone"
finish
