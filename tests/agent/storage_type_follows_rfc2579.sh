#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Issue 10: StorageType follows RFC 2579.  A manager's row may go
# volatile <-> nonVolatile; other(1), permanent(4), readOnly(5) are
# wrongValue.  The terminal's own accounts (owner "device"): permanent - its
# StorageType is wrongValue (never notWritable), its registrar notWritable,
# destroy wrongValue, the trigger works; readOnly (storage=readOnly) - even
# the trigger is notWritable, StorageType wrongValue.  A GET on an OID
# without a column (17, 47) answers that same OID with noSuchObject, and a
# manager cannot create a row under the device owner (inconsistentName).
. "$(dirname "$0")/fleet_lib.sh"

setup
CLOSED=$(closed_udp_port)
cat >>"$SDCONF" <<EOF2
sipdiagMinRerunInterval 0
sipdiagAccount perm registrar=sip:127.0.0.1:$CLOSED aor=sip:perm@127.0.0.1 password=one
sipdiagAccount ro registrar=sip:127.0.0.1:$CLOSED aor=sip:ro@127.0.0.1 password=two storage=readOnly
EOF2
start_snmptrapd
start_snmpd
start_sipdiagd

M=$(ix 1)
new_row 1 "sip:127.0.0.1:$CLOSED" sip:m@127.0.0.1
check_eq "$(rcol $C_STORAGE "$M")" 3 "a manager's row is nonVolatile(3) by default"
expect_set "" "manager row nonVolatile -> volatile" "$T.$C_STORAGE.$M" i 2
check_eq "$(rcol $C_STORAGE "$M")" 2 "manager row now volatile(2)"
expect_set "" "manager row volatile -> nonVolatile" "$T.$C_STORAGE.$M" i 3
check_eq "$(rcol $C_STORAGE "$M")" 3 "manager row nonVolatile(3) again"
expect_set wrongValue "manager row -> permanent(4)" "$T.$C_STORAGE.$M" i 4
expect_set wrongValue "manager row -> readOnly(5)" "$T.$C_STORAGE.$M" i 5
expect_set wrongValue "manager row -> other(1)" "$T.$C_STORAGE.$M" i 1
check_eq "$(rcol $C_STORAGE "$M")" 3 "manager row still nonVolatile after the refused changes"
# createAndWait with StorageType permanent in the same PDU: wrongValue too
expect_set wrongValue "creating a manager row as permanent" \
	"$T.$C_ROWSTATUS.$(ix 2)" i 5 "$T.$C_STORAGE.$(ix 2)" i 4
check_eq "$(sget "$T.$C_ROWSTATUS.$(ix 2)" | grep -c 'No Such')" 1 "and no row 2 was created"

P=$(dx perm) RO=$(dx ro)
check_eq "$(rcol $C_STORAGE "$P")" 4 "account perm: permanent(4)"
check_eq "$(rcol $C_STORAGE "$RO")" 5 "account ro: readOnly(5)"
for st in 1 2 3 4 5; do
	expect_set wrongValue "permanent account: StorageType := $st" "$T.$C_STORAGE.$P" i $st
	expect_set wrongValue "readOnly account: StorageType := $st" "$T.$C_STORAGE.$RO" i $st
done
expect_set notWritable "permanent account: registrar" "$T.$C_REGISTRAR.$P" s sip:x@127.0.0.1
expect_set notWritable "permanent account: frequency" "$T.$C_FREQUENCY.$P" u 60
expect_set wrongValue "permanent account: destroy" "$T.$C_ROWSTATUS.$P" i 6
expect_set notWritable "readOnly account: registrar" "$T.$C_REGISTRAR.$RO" s sip:x@127.0.0.1
expect_set notWritable "readOnly account: trigger" "$T.$C_STATE.$RO" i 2
got=$(sset "$T.$C_ROWSTATUS.$RO" i 6)
case $got in
notWritable | wrongValue) log "ok: readOnly account: destroy -> $got" ;;
*) fail "readOnly account: destroy: expected notWritable or wrongValue, got ${got:-success}" ;;
esac
check_eq "$(rcol $C_REGISTRAR "$P")" "sip:127.0.0.1:$CLOSED" "permanent account's registrar unchanged"
check_eq "$(rcol $C_ROWSTATUS "$P")" 1 "permanent account still active"
check_eq "$(rcol $C_ROWSTATUS "$RO")" 1 "readOnly account still active"
check_eq "$(rcol $C_STATE "$RO")" 1 "readOnly account not triggered"
expect_set "" "permanent account: trigger" "$T.$C_STATE.$P" i 2
poll 20 col_ge $C_STATS_RUNS "$P" 1 || fail "the permanent account's run did not end"
check_eq "$(rcol $C_STATE "$P")" 4 "permanent account's run complete(4)"

# no column 17..19, 47..49: noSuchObject, with the OID asked for echoed
for c in 17 47; do
	for idx in "$M" "$P"; do
		out=$(snmpget -v2c -c $COMMUNITY -On -t 2 -r 0 "127.0.0.1:$SNMP_PORT" "$T.$c.$idx" 2>&1)
		check_eq "$out" "$T.$c.$idx = No Such Object available on this agent at this OID" \
			"GET of column $c of row $idx"
	done
done

# the device owner is reserved
expect_set inconsistentName "createAndGo under owner device" "$T.$C_ROWSTATUS.$(dx new)" i 4
expect_set inconsistentName "createAndWait under owner device" "$T.$C_ROWSTATUS.$(dx new)" i 5
check_eq "$(sget "$T.$C_ROWSTATUS.$(dx new)" | grep -c 'No Such')" 1 "no row device.new"
check_eq "$(val "$SC.11.0")" device "sipDiagDeviceOwner reads device"
finish
