#!/bin/bash
# The terminal's own accounts from sipdiagd.conf: rows under the owner
# "device" (sipDiagDeviceOwner) with the account's name, permanent or
# readOnly, what a manager may change, and SIGHUP re-reading without
# losing results or touching a manager's rows.
. "$(dirname "$0")/lib.sh"
setup
CLOSED=$(closed_udp_port)
cat >>"$SDCONF" <<EOF2
sipdiagAccount 1 registrar=sip:127.0.0.1:$CLOSED aor=sip:line1@127.0.0.1 password=one transport=udp notify=no
sipdiagAccount 2 registrar=sip:127.0.0.1:$CLOSED aor=sip:line2@127.0.0.1 "password=two words" expires=300 notify=yes
sipdiagAccount 3 registrar=sip:127.0.0.1:$CLOSED aor=sip:line3@127.0.0.1
sipdiagAccount trunk registrar=sip:127.0.0.1:$CLOSED aor=sip:trunk@127.0.0.1 auth=none storage=readOnly frequency=3600 traps=failure,recovery failureThreshold=3 maxRuns=2
EOF2
start_snmptrapd
start_snmpd
start_sipdiagd
D1=$(dx 1) D2=$(dx 2) D3=$(dx 3) D4=$(dx 4) DT=$(dx trunk)
# sipDiagTrapGeneration in hex (snmpget prints a printable octet as text)
traps() { snmpget -v2c -c $COMMUNITY -On -Oqvx -t 2 -r 0 "127.0.0.1:$SNMP_PORT" "$T.$C_TRAPS.$1" 2>&1 | tr -d '" '; }
check_eq "$(sget $SC.11.0)" '"device"' "sipDiagDeviceOwner"
check_eq "$(sget $T.$C_STORAGE.$D1)" 4 "storageType permanent"
check_eq "$(sget $T.$C_ROWSTATUS.$D1)" 1 "active"
check_eq "$(sget $T.$C_EXPIRES.$D2)" 300 "expires from the file"
# notify=yes/no is the complete bit of sipDiagTrapGeneration (issue 10)
check_eq "$(traps $D1)" 00 "notify=no: no trap bits"
check_eq "$(traps $D2)" 80 "notify=yes: the complete bit"
check_eq "$(sget $T.$C_STORAGE.$DT)" 5 "storage=readOnly"
check_eq "$(sget $T.$C_FREQUENCY.$DT)" 3600 "frequency from the file"
check_eq "$(traps $DT)" 60 "traps=failure,recovery"
check_eq "$(sget $T.$C_THRESHOLD.$DT)" 3 "failureThreshold from the file"
check_eq "$(sget $T.$C_MAX_RUNS.$DT)" 2 "maxRuns from the file"
check_eq "$(sget $T.$C_ROWSTATUS.$(ix 1))" "No Such Instance currently exists at this OID" \
	"no account under the tests' owner"
expect_set notWritable "registrar of a permanent row" $T.$C_REGISTRAR.$D1 s sip:x
# issue 10 (RFC 2579): a write of StorageType on a permanent row is
# wrongValue (was notWritable)
expect_set wrongValue "storageType of a permanent row" $T.$C_STORAGE.$D1 i 3
expect_set wrongValue "destroy a permanent row" $T.$C_ROWSTATUS.$D1 i 6
# issue 10: on a permanent row only sipDiagState and sipDiagRowStatus
# (active/notInService) are writable; trapGeneration, which replaced the
# writable sipDiagNotifyOnComplete, is notWritable
expect_set notWritable "trapGeneration of a permanent row" $T.$C_TRAPS.$D1 x 80
expect_set notWritable "frequency of a permanent row" $T.$C_FREQUENCY.$D1 u 60
expect_set "" "notInService, then active: a permanent row" $T.$C_ROWSTATUS.$D3 i 2
expect_set "" "active again" $T.$C_ROWSTATUS.$D3 i 1
# readOnly: every column notWritable, StorageType wrongValue
expect_set notWritable "state of a readOnly row" $T.$C_STATE.$DT i 2
expect_set notWritable "rowStatus of a readOnly row" $T.$C_ROWSTATUS.$DT i 2
expect_set notWritable "destroy a readOnly row" $T.$C_ROWSTATUS.$DT i 6
expect_set notWritable "aor of a readOnly row" $T.$C_AOR.$DT s sip:x@y
expect_set wrongValue "storageType of a readOnly row" $T.$C_STORAGE.$DT i 4
expect_set "" "trigger rows 1 and 2" $T.$C_STATE.$D1 i 2 $T.$C_STATE.$D2 i 2
wait_state $D1 4 10
wait_state $D2 4 10
check_closed_port_fault $D1 "account 1"
# a manager's row named 4, then the file gains account 4 and loses 3,
# and account 2 changes
expect_set "" "manager row test/4" $T.$C_ROWSTATUS.$(ix 4) i 4 $T.$C_AOR.$(ix 4) s sip:mgr@127.0.0.1
sed -i -e 's/expires=300/expires=400/' -e '/sipdiagAccount 3 /d' "$SDCONF"
echo "sipdiagAccount 4 registrar=sip:127.0.0.1:$CLOSED aor=sip:line4@127.0.0.1" >>"$SDCONF"
reload_sipdiagd
check_eq "$(sget $T.$C_STATE.$D1)" 4 "unchanged account 1 keeps its result"
check_closed_port_fault $D1 "unchanged account 1 keeps its fault"
check_eq "$(sget $T.$C_STATE.$D2)" 1 "changed account 2 lost its result"
check_eq "$(sget $T.$C_EXPIRES.$D2)" 400 "changed account 2 has the new expires"
check_eq "$(sget $T.$C_ROWSTATUS.$D3)" "No Such Instance currently exists at this OID" "account 3 removed"
check_eq "$(sget $T.$C_STORAGE.$D4)" 4 "account 4 added under the device owner"
# issue 10: a config account never replaces a manager's row any more
# (different owners; the old test expected account 4 to replace it)
check_eq "$(sget $T.$C_STORAGE.$(ix 4))" 3 "the manager's row test/4 is still nonVolatile"
check_eq "$(sget $T.$C_AOR.$(ix 4))" '"sip:mgr@127.0.0.1"' "and unchanged"
kill -0 "$SIPDIAGD_PID" || fail "sipdiagd died on SIGHUP"
finish
