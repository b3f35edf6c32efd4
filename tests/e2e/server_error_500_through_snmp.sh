#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves the whole chain for a 5xx: Kamailio answers every REGISTER of
# "broken" with "500 Server Internal Error"; triggered by snmpset, the run
# ends after 1 REGISTER with code 500, fault serverError(10), SIP status 500,
# reason "Server Internal Error"; the traphandle line says
# "owner=test name=6 code=500 fault=serverError(10)".
. "$(dirname "$0")/lib.sh"

e2e_start_all
kam_log_mark
account_row 6 broken any-password
trigger 6
wait_row 6 4 20 || finish
expect_result 6 500 10 500 1
expect_col 6 $C_SIP_REASON "Server Internal Error" "sipDiagResultSipReason"
n=$(server_registers broken)
[ "$n" = 1 ] || fail "Kamailio received $n REGISTER(s) for broken, expected 1"
expect_notification 6 500 10 500
finish
