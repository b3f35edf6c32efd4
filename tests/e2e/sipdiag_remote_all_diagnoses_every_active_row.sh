#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves "sipdiag-remote AGENT --all" diagnoses every active row of every
# owner and only those: the terminal's own account 9 from sipdiagd.conf
# (row device/9, "broken", 500), the manager's rows test/1 (alice, success)
# and test/2 (authfail, wrong password), all active, run and are reported;
# test/3, created with createAndWait and left notInService, is neither run
# nor reported.  The exit status is that of the last failed account in
# index order (owner "test" sorts before "device", being shorter: device/9,
# serverError(10): 20), and each run sends one sipDiagComplete (the
# traphandle writes one line per row).  With --owner test, only test/1 and
# test/2 are run.
. "$(dirname "$0")/lib.sh"

e2e_setup
kam_start registrar
# (no quiet time between two runs of one account: the rows run twice)
cat >>"$SDCONF" <<EOF2
sipdiagMinRerunInterval 0
sipdiagAccount 9 registrar=sip:127.0.0.1:$KAM_PORT aor=sip:broken@127.0.0.1 password=any transport=udp notify=yes
EOF2
e2e_start_snmptrapd
start_snmpd
start_sipdiagd
check_eq "$(col $C_ROWSTATUS device/9)" 1 "config account 9 (device/9) is active"
account_row 1 alice "$ALICE_PASSWORD"
account_row 2 authfail wrong-secret
expect_set "" "row 3 createAndWait (notInService)" "$T.$C_ROWSTATUS.$(rix 3)" i 5
check_eq "$(col $C_ROWSTATUS 3)" 2 "row 3 is notInService"

log "running: sipdiag-remote -v2c -c $COMMUNITY udp:127.0.0.1:$SNMP_PORT --all"
timeout 60 "$REMOTE" -v2c -c "$COMMUNITY" "udp:127.0.0.1:$SNMP_PORT" --all >"$TMP/remote.out" 2>&1
RC=$?
sed 's/^/    | /' "$TMP/remote.out"
check_eq "$RC" 20 "exit status: last failed account is device/9, serverError(10)"
for want in "account test/1: complete|class success (code 200)" \
	"account test/2: complete|class authFailure (code 401)" \
	"account device/9: complete|class serverError (code 500)"; do
	head=${want%%|*} cls=${want#*|}
	# the class line follows the account's own heading
	got=$(sed 's/[[:space:]]\{1,\}/ /g; s/^ //' "$TMP/remote.out" | grep -xF -A1 "$head" | sed -n 2p)
	if [ "$got" = "$cls" ]; then log "ok: $head / $cls"; else fail "sipdiag-remote --all: after '$head' expected '$cls', got '${got:-nothing}'"; fi
done
grep -q "^account test/3" "$TMP/remote.out" && fail "sipdiag-remote --all reported row 3, which is notInService"
check_eq "$(grep -c '^account ' "$TMP/remote.out")" 3 "accounts reported"
for i in 1 2 device/9; do check_eq "$(col $C_STATS_RUNS $i)" 1 "row $i ran once"; done
check_eq "$(col $C_STATS_RUNS 3)" 0 "row 3 (notInService) never ran"
check_eq "$(col $C_STATE 3)" 1 "row 3 state none"
expect_notification 1 200 2 200
expect_notification 2 401 6 401
expect_notification device/9 500 10 500

log "running: sipdiag-remote -v2c -c $COMMUNITY --owner test udp:127.0.0.1:$SNMP_PORT --all"
timeout 60 "$REMOTE" -v2c -c "$COMMUNITY" --owner test "udp:127.0.0.1:$SNMP_PORT" --all >"$TMP/remote.out" 2>&1
RC=$?
sed 's/^/    | /' "$TMP/remote.out"
check_eq "$RC" 16 "exit status with --owner test: last failed account is test/2, authFailure(6)"
check_eq "$(grep '^account ' "$TMP/remote.out" | tr '\n' ' ')" "account test/1: complete account test/2: complete " \
	"accounts reported with --owner test"
for i in 1 2; do check_eq "$(col $C_STATS_RUNS $i)" 2 "row $i ran twice"; done
check_eq "$(col $C_STATS_RUNS device/9)" 1 "device/9 not run again"
finish
