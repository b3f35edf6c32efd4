#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves the whole chain for a wrong password: a row for "authfail" (the
# registrar wants "right-secret") gets "wrong-secret" over SNMP; triggered by
# snmpset, sipdiagd's diagnosis at the real Kamailio ends with code 401, fault
# authFailure(6), SIP status 401 after 4 REGISTERs (the first 401 asks, three credentials
# are turned down), nothing registered; the
# traphandle line says "owner=test name=2 code=401 fault=authFailure(6)".
. "$(dirname "$0")/lib.sh"

e2e_start_all
kam_log_mark
account_row 2 authfail wrong-secret
trigger 2
wait_row 2 4 20 || finish
expect_result 2 401 6 401 4
expect_col 2 $C_SIP_REASON "Unauthorized" "sipDiagResultSipReason"
expect_col 2 $C_BINDING_REMOVED 2 "sipDiagResultBindingRemoved false(2)"
n=$(server_registers authfail)
[ "$n" = 4 ] || fail "Kamailio received $n REGISTER(s) for authfail, expected 4"
expect_notification 2 401 6 401
finish
