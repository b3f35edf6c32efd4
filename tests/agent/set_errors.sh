#!/bin/bash
# Every SET error of SIP-DIAG-MIB (RFC 3416 4.2.5), and no half-applied row.
. "$(dirname "$0")/lib.sh"
start_all
start_silent_udp
# long runs for the "while running" cases: 3 x 2 s without an answer
sset $SC.2.0 u 3 >/dev/null
sset $SC.4.0 u 10000 >/dev/null   # runs must outlast the SETs below, even on a loaded machine

new_row 1 "sip:127.0.0.1:$SILENT_PORT" sip:alice@127.0.0.1
expect_set notWritable "result column (12)" $T.12.1 u 5
expect_set notWritable "read-only scalar sipDiagRunning" $SC.6.0 u 1
expect_set wrongType "registrar as INTEGER" $T.2.1 i 1
expect_set wrongType "transport as STRING" $T.6.1 s udp
expect_set wrongType "expires as INTEGER" $T.7.1 i 60
expect_set wrongType "scalar as INTEGER" $SC.1.0 i 5
expect_set wrongLength "registrar of 256 octets" $T.2.1 s "$(printf 'x%.0s' $(seq 1 256))"
expect_set wrongLength "password of 256 octets" $T.5.1 s "$(printf 'y%.0s' $(seq 1 256))"
expect_set wrongValue "transport 7" $T.6.1 i 7
expect_set wrongValue "aor not UTF-8" $T.3.1 x "C3 28"
for s in 1 3 4 0 6; do expect_set wrongValue "state $s" $T.10.1 i $s; done
expect_set wrongValue "rowStatus notReady" $T.31.1 i 3
expect_set wrongValue "rowStatus 7" $T.31.1 i 7
expect_set wrongValue "storageType permanent" $T.30.1 i 4
expect_set wrongValue "notify 3" $T.11.1 i 3
expect_set wrongValue "sipDiagTimer 0" $SC.1.0 u 0
expect_set wrongValue "sipDiagAttemptTimeout 99" $SC.4.0 u 99
expect_set wrongValue "sipDiagMaxConcurrent 1025" $SC.5.0 u 1025
expect_set noCreation "column of a missing row" $T.2.77 s sip:x
expect_set noCreation "index 0" $T.31.0 i 4
expect_set noCreation "index 65536" $T.31.65536 i 4
expect_set inconsistentValue "active on a missing row" $T.31.78 i 1
expect_set inconsistentValue "createAndGo on an existing row" $T.31.1 i 4
expect_set inconsistentValue "cancel when nothing runs" $T.10.1 i 5
sset $T.31.2 i 5 >/dev/null
expect_set inconsistentValue "requested on a notInService row" $T.10.2 i 2

# while running
expect_set "" "trigger row 1" $T.10.1 i 2
check_eq "$(sget $T.10.1)" 3 "state right after the trigger"
expect_set inconsistentValue "requested while running" $T.10.1 i 2
expect_set inconsistentValue "registrar while running" $T.2.1 s sip:other
expect_set inconsistentValue "password while running" $T.5.1 s pw
expect_set inconsistentValue "notInService while running" $T.31.1 i 2
expect_set "" "notify while running is allowed" $T.11.1 i 1

# sipDiagMaxConcurrent
expect_set "" "sipDiagMaxConcurrent 1" $SC.5.0 u 1
new_row 3 "sip:127.0.0.1:$SILENT_PORT" sip:bob@127.0.0.1
expect_set resourceUnavailable "second run beyond sipDiagMaxConcurrent" $T.10.3 i 2
expect_set "" "cancel row 1" $T.10.1 i 5
check_eq "$(sget $T.10.1)" 5 "state after cancel"
check_eq "$(sget $T.13.1)" 13 "fault after cancel"
expect_set "" "sipDiagMaxConcurrent 32" $SC.5.0 u 32

# never half-applied: one bad varbind spoils the whole PDU
expect_set wrongValue "registrar + bad transport" $T.2.1 s sip:changed $T.6.1 i 9
check_eq "$(sget $T.2.1)" "\"sip:127.0.0.1:$SILENT_PORT\"" "registrar unchanged"
expect_set wrongValue "createAndGo + bad transport" $T.31.5 i 4 $T.6.5 i 9
check_eq "$(sget $T.31.5)" "No Such Instance currently exists at this OID" "row 5 not created"
expect_set inconsistentValue "two rows, one bad" $T.2.3 s sip:three $T.31.1 i 4
check_eq "$(sget $T.2.3)" "\"sip:127.0.0.1:$SILENT_PORT\"" "row 3 unchanged"

# the row limit
sset $T.31.2 i 6 $T.31.3 i 6 >/dev/null
have=$(swalk $T.31 | grep -c "^$T.31\.")
idx=100
while [ "$have" -lt 256 ]; do
	args=()
	for _ in $(seq 1 40); do
		[ "$have" -lt 256 ] || break
		args+=("$T.31.$idx" i 5)
		idx=$((idx + 1)); have=$((have + 1))
	done
	err=$(sset "${args[@]}")
	[ -z "$err" ] || die "filling the table: $err"
done
check_eq "$(swalk $T.31 | grep -c "^$T.31\.")" 256 "rows in the full table"
expect_set resourceUnavailable "row 257" $T.31.9999 i 5
expect_set "" "destroy one" $T.31.100 i 6
expect_set "" "then create again" $T.31.9999 i 5
grep -q 'Segmentation\|assert' "$TMP/sipdiagd.out" && fail "sipdiagd crashed"
kill -0 "$SIPDIAGD_PID" || fail "sipdiagd is gone"
finish
