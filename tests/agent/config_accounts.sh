#!/bin/bash
# The terminal's own accounts from sipdiagd.conf: permanent rows, what a
# manager may change, and SIGHUP re-reading without losing results.
. "$(dirname "$0")/lib.sh"
setup
CLOSED=$(closed_udp_port)
cat >>"$SDCONF" <<EOF2
sipdiagAccount 1 registrar=sip:127.0.0.1:$CLOSED aor=sip:line1@127.0.0.1 password=one transport=udp notify=no
sipdiagAccount 2 registrar=sip:127.0.0.1:$CLOSED aor=sip:line2@127.0.0.1 "password=two words" expires=300
sipdiagAccount 3 registrar=sip:127.0.0.1:$CLOSED aor=sip:line3@127.0.0.1
EOF2
start_snmptrapd
start_snmpd
start_sipdiagd
check_eq "$(sget $T.30.1)" 4 "storageType permanent"
check_eq "$(sget $T.31.1)" 1 "active"
check_eq "$(sget $T.7.2)" 300 "expires from the file"
expect_set notWritable "registrar of a permanent row" $T.2.1 s sip:x
expect_set notWritable "storageType of a permanent row" $T.30.1 i 3
expect_set wrongValue "destroy a permanent row" $T.31.1 i 6
expect_set "" "notify of a permanent row" $T.11.1 i 1
expect_set "" "trigger rows 1 and 2" $T.10.1 i 2 $T.10.2 i 2
wait_state 1 4 10
wait_state 2 4 10
check_closed_port_fault 1 "account 1"
# a manager's row with index 4, then the file gains account 4 and loses 3,
# and account 2 changes
expect_set "" "manager row 4" $T.31.4 i 4
sed -i -e 's/expires=300/expires=400/' -e '/sipdiagAccount 3 /d' "$SDCONF"
echo "sipdiagAccount 4 registrar=sip:127.0.0.1:$CLOSED aor=sip:line4@127.0.0.1" >>"$SDCONF"
reload_sipdiagd
check_eq "$(sget $T.10.1)" 4 "unchanged account 1 keeps its result"
check_closed_port_fault 1 "unchanged account 1 keeps its fault"
check_eq "$(sget $T.11.1)" 1 "and the notify flag the manager set"
check_eq "$(sget $T.10.2)" 1 "changed account 2 lost its result"
check_eq "$(sget $T.7.2)" 400 "changed account 2 has the new expires"
check_eq "$(sget $T.31.3)" "No Such Instance currently exists at this OID" "account 3 removed"
check_eq "$(sget $T.30.4)" 4 "account 4 replaced the manager's row"
kill -0 "$SIPDIAGD_PID" || fail "sipdiagd died on SIGHUP"
finish
