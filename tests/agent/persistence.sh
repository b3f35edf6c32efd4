#!/bin/bash
# nonVolatile rows and scalars a manager set survive a sipdiagd restart;
# volatile rows and results do not.
. "$(dirname "$0")/lib.sh"
start_all
CLOSED=$(closed_udp_port)
new_row 1 "sip:127.0.0.1:$CLOSED" sip:frank@127.0.0.1 $T.6.1 i 2 $T.7.1 u 120 \
	$T.8.1 s "sip:127.0.0.1:$CLOSED" $T.11.1 i 1 $T.4.1 s frankie
expect_set "" "createAndWait row 2" $T.31.2 i 5 $T.3.2 s "sip:gr\xc3\xa9ta@example.net"
expect_set "" "volatile row 3" $T.31.3 i 4 $T.30.3 i 2
expect_set "" "scalars" $SC.1.0 u 9 $SC.5.0 u 40
expect_set "" "trigger row 1" $T.10.1 i 2
wait_state 1 4 10
before=$(swalk $T | grep -E "^$T\.(2|3|4|5|6|7|8|11|30|31)\.")
stop_sipdiagd
grep -c '^_sipDiagRow' "$TMP/sipdiagd-persist/sipdiagd.store" | grep -qx 2 ||
	fail "two rows saved: $(grep '^_sip' "$TMP/sipdiagd-persist/sipdiagd.store" | cut -c 1-40)"
start_sipdiagd
after=$(swalk $T | grep -E "^$T\.(2|3|4|5|6|7|8|11|30|31)\.")
check_eq "$after" "$(printf '%s\n' "$before" | grep -v "^$T\.[0-9]*\.3 ")" "configuration of rows 1 and 2 after the restart"
check_eq "$(sget $T.31.3)" "No Such Instance currently exists at this OID" "volatile row 3 gone"
check_eq "$(sget $SC.1.0)" 9 "sipDiagTimer kept"
check_eq "$(sget $SC.5.0)" 40 "sipDiagMaxConcurrent kept"
check_eq "$(sget $T.10.1)" 1 "state none after the restart (results are not kept)"
# the saved password still works: the run gets past the configuration check
expect_set "" "trigger row 1 after the restart" $T.10.1 i 2
wait_state 1 4 10
check_closed_port_fault 1 "row 1 diagnosed again after the restart"
finish
