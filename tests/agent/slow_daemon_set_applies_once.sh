#!/bin/bash
# A SET reaches a sipdiagd that is too slow to answer within the master's
# AgentX timeout (1 s): snmpd sends the same TestSet again, and the daemon
# reads both copies.  The manager must still get the SET's true answer, and
# the SET must be applied exactly once: rows created once, a diagnosis
# started once, a bad SET refused with nothing applied.
#
# The slowness is made with SIGSTOP/SIGCONT around the SET.
. "$(dirname "$0")/lib.sh"
start_all
start_silent_udp

# slow_set SECONDS OID TYPE VALUE...: the SET, sent while sipdiagd is
# stopped for SECONDS; prints the error name, nothing on success.
slow_set() {
	local pause=$1 out
	shift
	kill -STOP "$SIPDIAGD_PID"
	(sleep "$pause"; kill -CONT "$SIPDIAGD_PID") &
	local waker=$!
	out=$(snmpset -v2c -c $COMMUNITY -On -Oq -t 15 -r 0 "127.0.0.1:$SNMP_PORT" "$@" 2>&1)
	wait "$waker"
	if printf '%s' "$out" | grep -q '^Reason:'; then
		printf '%s\n' "$out" | sed -n 's/^Reason: (\{0,1\}\([A-Za-z]*\).*/\1/p'
	elif printf '%s' "$out" | grep -qi 'timeout'; then
		echo timeout
	fi
}

# 1. forty rows created in one SET, the daemon stopped for 2.5 s
args=()
for i in $(seq 100 139); do args+=("$T.$C_ROWSTATUS.$(ix "$i")" i 5); done
check_eq "$(slow_set 2.5 "${args[@]}")" "" "40 rows in one slow SET"
check_eq "$(swalk $T.$C_ROWSTATUS | grep -c "^$T.$C_ROWSTATUS\.")" 40 "rows after the slow SET"
check_eq "$(swalk $T.$C_ROWSTATUS | grep -vc ' 2$')" 0 "rows not notInService"

# 2. a bad slow SET is refused whole: createAndGo on an existing row
check_eq "$(slow_set 2.5 $T.$C_ROWSTATUS.$(ix 200) i 5 $T.$C_ROWSTATUS.$(ix 100) i 4)" inconsistentValue "slow SET with a bad row"
check_eq "$(sget $T.$C_ROWSTATUS.$(ix 200))" "No Such Instance currently exists at this OID" "row 200 not created"

# 3. a slow trigger starts one diagnosis
new_row 1 "sip:127.0.0.1:$SILENT_PORT" sip:alice@127.0.0.1
started=$(sget $SC.7.0)
check_eq "$(slow_set 2.5 $T.$C_STATE.$(ix 1) i 2)" "" "slow trigger"
check_eq "$(sget $SC.7.0)" "$((started + 1))" "diagnoses started by the slow trigger"
wait_state 1 4 20 && check_closed_port_fault 1 "the slowly triggered diagnosis"

kill -0 "$SIPDIAGD_PID" || fail "sipdiagd is gone"
finish
