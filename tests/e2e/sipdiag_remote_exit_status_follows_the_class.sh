#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves scripts/sipdiag-remote, the manager's one-account command, against
# the real chain (private snmpd + sipdiagd + Kamailio), with SNMP options
# passed through (-v2c -c COMMUNITY):
#  - index 2, "authfail" with a wrong password: it starts the run, waits, and
#    exits 16 (10 + authFailure(6)); its output names the state complete, the
#    class authFailure with code 401, the terminal's diagnosis as snmpget
#    reads it, and the recommended action for authFailure;
#  - index 1, "alice" with her password: exit 0, class success (code 200).
. "$(dirname "$0")/lib.sh"

e2e_start_all
account_row 1 alice "$ALICE_PASSWORD"
account_row 2 authfail wrong-secret
AGENT=udp:127.0.0.1:$SNMP_PORT

# run_remote ARGS...: sets RC and OUT (stdout+stderr in $TMP/remote.out).
run_remote() {
	log "running: sipdiag-remote $*"
	timeout 60 "$REMOTE" "$@" >"$TMP/remote.out" 2>&1
	RC=$?
	OUT=$(cat "$TMP/remote.out")
	printf '%s\n' "$OUT" | sed 's/^/    | /'
}
# expect_out WHAT TEXT: the output holds TEXT as one line (spacing ignored).
expect_out() {
	if printf '%s\n' "$OUT" | sed 's/[[:space:]]\{1,\}/ /g; s/^ //' | grep -qxF "$2"; then
		log "ok: output has $1"
	else
		fail "sipdiag-remote output lacks $1: '$2'"
	fi
}

run_remote -v2c -c "$COMMUNITY" "$AGENT" 2
check_eq "$RC" 16 "exit status for authFailure (10 + 6)"
expect_out "the state" "account 2: complete"
expect_out "the class and code" "class authFailure (code 401)"
expect_out "the diagnosis" "diagnosis $(col $C_DIAGNOSIS 2)"
expect_out "the action" "action check the account's user name, authentication user and password"
check_eq "$(col $C_STATE 2)" 4 "row 2 state after sipdiag-remote"
check_eq "$(col $C_STATS_RUNS 2)" 1 "row 2 ran once"

run_remote -v2c -c "$COMMUNITY" "$AGENT" 1
check_eq "$RC" 0 "exit status for success"
expect_out "the state" "account 1: complete"
expect_out "the class and code" "class success (code 200)"
expect_out "the diagnosis" "diagnosis $(col $C_DIAGNOSIS 1)"
expect_out "the action" "action nothing: registration works; if calls still fail, look beyond registration"
finish
