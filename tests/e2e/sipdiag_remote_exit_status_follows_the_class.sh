#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves scripts/sipdiag-remote, the manager's one-account command, against
# the real chain (private snmpd + sipdiagd + Kamailio), with SNMP options
# passed through (-v2c -c COMMUNITY):
#  - the manager's row test/2 (sipdiag-remote --owner test 2), "authfail"
#    with a wrong password: it starts the run, waits, and
#    exits 16 (10 + authFailure(6)); its output names the state complete, the
#    class authFailure with code 401, the terminal's diagnosis as snmpget
#    reads it, and the recommended action for authFailure;
#  - row test/1, "alice" with her password: exit 0, class success (code 200);
#  - a row that does not exist (test/8): not started, exit 1;
#  - the terminal's own account device/9 by NAME alone (the default owner).
. "$(dirname "$0")/lib.sh"

e2e_setup
kam_start registrar
cat >>"$SDCONF" <<EOF2
sipdiagAccount 9 registrar=sip:127.0.0.1:$KAM_PORT aor=sip:broken@127.0.0.1 password=any transport=udp
EOF2
e2e_start_snmptrapd
start_snmpd
start_sipdiagd
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

run_remote -v2c -c "$COMMUNITY" --owner test "$AGENT" 2
check_eq "$RC" 16 "exit status for authFailure (10 + 6)"
expect_out "the state" "account test/2: complete"
expect_out "the class and code" "class authFailure (code 401)"
expect_out "the diagnosis" "diagnosis $(col $C_DIAGNOSIS 2)"
expect_out "the action" "action check the account's user name, authentication user and password"
check_eq "$(col $C_STATE 2)" 4 "row 2 state after sipdiag-remote"
check_eq "$(col $C_STATS_RUNS 2)" 1 "row 2 ran once"
expect_out "the counters" "runs 1 ended: 0 successful, 1 failed, 1 failed in a row"

run_remote -v2c -c "$COMMUNITY" "$AGENT" --owner test 1
check_eq "$RC" 0 "exit status for success"
expect_out "the state" "account test/1: complete"
expect_out "the class and code" "class success (code 200)"
expect_out "the diagnosis" "diagnosis $(col $C_DIAGNOSIS 1)"
expect_out "the action" "action nothing: registration works; if calls still fail, look beyond registration"

run_remote -v2c -c "$COMMUNITY" --owner test --wait 5 "$AGENT" 8
check_eq "$RC" 1 "exit status for a row that does not exist"
expect_out "the refusal" "account test/8: not started: noCreation (That table does not support row creation or that object can not ever be created)"

run_remote -v2c -c "$COMMUNITY" "$AGENT" 9
check_eq "$RC" 20 "exit status for the device's own account 9 (serverError, 10 + 10)"
expect_out "the state" "account device/9: complete"
expect_out "the class and code" "class serverError (code 500)"
check_eq "$(col $C_STATS_RUNS device/9)" 1 "device/9 ran once"
finish
