#!/bin/bash
# sipDiagComplete reaches snmptrapd through the master, with its varbinds;
# rows with sipDiagNotifyOnComplete false send nothing.
. "$(dirname "$0")/lib.sh"
setup
# row 7 runs again at the end: no minimum interval between the runs
echo "sipdiagMinRerunInterval 0" >>"$SDCONF"
start_snmptrapd
start_snmpd
start_sipdiagd
expect_set "" "row 7, notify true" $T.31.7 i 4 $T.11.7 i 1 $T.3.7 s sip:erin@example.net
expect_set "" "row 8, notify false" $T.31.8 i 4
expect_set "" "trigger both" $T.10.7 i 2 $T.10.8 i 2
wait_state 7 4 15
wait_state 8 4 15
for i in $(seq 1 150); do grep -qF "$NOTIF" "$TMP/traps.log" && break; sleep 0.1; done
line=$(grep -F "$NOTIF" "$TMP/traps.log")
[ -n "$line" ] || die "no sipDiagComplete in snmptrapd's log"
log "received: $line"
for vb in "$T.12.7 = Gauge32: 1" "$T.13.7 = INTEGER: 3" "$T.14.7 = Gauge32: 0" \
	"$T.15.7 = STRING: " "$T.3.7 = STRING: \"sip:erin@example.net\""; do
	printf '%s' "$line" | grep -qF "$vb" || fail "varbind '$vb' missing"
done
printf '%s' "$line" | grep -qF ".1.3.6.1.6.3.1.1.4.1.0 = OID: $NOTIF" || fail "snmpTrapOID"
check_eq "$(grep -cF "$NOTIF" "$TMP/traps.log")" 1 "notifications (row 8 sends none)"
expect_set "" "cancel-able long run with notify" $T.10.7 i 2
finish
