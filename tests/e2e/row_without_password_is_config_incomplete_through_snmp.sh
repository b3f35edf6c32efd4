#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves the whole chain for an incomplete account: a manager creates an
# active row for alice with registrar and AOR but no password; triggered by
# snmpset, the run ends at once with code 1, fault configIncomplete(3), SIP
# status 0, 0 REGISTERs, a diagnosis naming the password, and Kamailio
# receives nothing; the traphandle line says
# "owner=test name=5 code=1 fault=configIncomplete(3)".
. "$(dirname "$0")/lib.sh"

e2e_start_all
kam_log_mark
account_row 5 alice
trigger 5
wait_row 5 4 10 || finish
expect_result 5 1 3 0 0
col $C_DIAGNOSIS 5 | grep -qi password ||
	fail "row 5: sipDiagResultDiagnosis does not name the missing password: $(col $C_DIAGNOSIS 5)"
sleep 0.5   # anything sent would have reached Kamailio by now
n=$(server_registers alice)
[ "$n" = 0 ] || fail "Kamailio received $n REGISTER(s) for alice from an incomplete row, expected none"
expect_notification 5 1 3 0
finish
