#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves the whole chain for a healthy account: a manager creates the row
# and sets its password over SNMP (snmpset -> private snmpd -> sipdiagd over
# AgentX), triggers it, and sipdiagd registers alice at a real Kamailio.
# snmpget then reads state complete(4), code 200, fault success(2), SIP
# status 200, 4 REGISTERs as sipDiagResultAttempts counts them (the binding
# query: challenge, then credentials; the probe's own binding; its removal),
# BindingRemoved true;
# Kamailio keeps no binding of the probe; and sipDiagComplete reaches a
# private snmptrapd whose traphandle (scripts/sipdiag-traphandle) writes
# "owner=test name=1 code=200 fault=success(2)".
. "$(dirname "$0")/lib.sh"

e2e_start_all
kam_log_mark
account_row 1 alice "$ALICE_PASSWORD"
expect_col 1 $C_PASSWORD "" "sipDiagPassword reads as zero-length"
trigger 1
wait_row 1 4 20 || finish
expect_result 1 200 2 200 4
expect_col 1 $C_SIP_REASON "OK" "sipDiagResultSipReason"
expect_col 1 $C_BINDING_REMOVED 1 "sipDiagResultBindingRemoved true(1)"
expect_col 1 $C_PINGS_SENT 0 "sipDiagResultPingsSent (the server answered)"
expect_col 1 $C_STATS_RUNS 1 "sipDiagStatsRuns (runs that ended)"
n=$(server_registers alice)
[ "$n" = 4 ] || fail "Kamailio received $n REGISTER(s) for alice, expected 4 (sipDiagResultAttempts says $(col $C_ATTEMPTS 1))"
assert_no_probe_binding alice
expect_notification 1 200 2 200
finish
