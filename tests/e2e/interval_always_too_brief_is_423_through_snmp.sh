#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves the whole chain for a registration interval the server always
# rejects: "toobrief" is answered 423 (Min-Expires: 120) whatever Expires
# says.  The manager sets sipDiagExpires to 30 s over SNMP; triggered by
# snmpset, the first REGISTER asks for 30 s, the retry for the 120 s of
# Min-Expires; the second 423 asks for no more than was sent, so nothing is
# repeated: the run ends with code 423, fault intervalTooBrief(7), SIP
# status 423 after 2 REGISTERs; the traphandle line says
# "owner=test name=3 code=423 fault=intervalTooBrief(7)".
. "$(dirname "$0")/lib.sh"

e2e_start_all
kam_log_mark
account_row 3 toobrief any-password
expect_set "" "sipDiagExpires of row 3 = 30 s" "$T.$C_EXPIRES.$(rix 3)" u 30
trigger 3
wait_row 3 4 20 || finish
expect_result 3 423 7 423 2
expect_col 3 $C_SIP_REASON "Interval Too Brief" "sipDiagResultSipReason"
n=$(server_registers toobrief)
[ "$n" = 2 ] || fail "Kamailio received $n REGISTER(s) for toobrief, expected 2"
n=$(server_registers_asking toobrief 30)
[ "$n" = 1 ] || fail "$n REGISTER(s) for toobrief asked for sipDiagExpires (30 s), expected 1"
n=$(server_registers_asking toobrief 120)
[ "$n" = 1 ] || fail "$n REGISTER(s) for toobrief asked for the 423's Min-Expires (120 s), expected 1"
expect_notification 3 423 7 423
finish
