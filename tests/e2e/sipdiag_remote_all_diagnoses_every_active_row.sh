#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves "sipdiag-remote AGENT --all" diagnoses every active row and only
# those: the terminal's own account 9 from sipdiagd.conf ("broken", 500),
# manager rows 1 (alice, success) and 2 (authfail, wrong password), all
# active, run and are reported; row 3, created with createAndWait and left
# notInService, is neither run nor reported.  The exit status is that of the
# last failed account in index order (row 9, serverError(10): 20), and each
# run sends one sipDiagComplete (the traphandle writes one line per row).
. "$(dirname "$0")/lib.sh"

e2e_setup
kam_start registrar
cat >>"$SDCONF" <<EOF2
sipdiagAccount 9 registrar=sip:127.0.0.1:$KAM_PORT aor=sip:broken@127.0.0.1 password=any transport=udp notify=yes
EOF2
e2e_start_snmptrapd
start_snmpd
start_sipdiagd
check_eq "$(sget $T.31.9)" 1 "config account 9 is active"
account_row 1 alice "$ALICE_PASSWORD"
account_row 2 authfail wrong-secret
expect_set "" "row 3 createAndWait (notInService)" $T.31.3 i 5
check_eq "$(sget $T.31.3)" 2 "row 3 is notInService"

log "running: sipdiag-remote -v2c -c $COMMUNITY udp:127.0.0.1:$SNMP_PORT --all"
timeout 60 "$REMOTE" -v2c -c "$COMMUNITY" "udp:127.0.0.1:$SNMP_PORT" --all >"$TMP/remote.out" 2>&1
RC=$?
sed 's/^/    | /' "$TMP/remote.out"
check_eq "$RC" 20 "exit status: last failed account is 9, serverError(10)"
for want in "account 1: complete|class success (code 200)" \
	"account 2: complete|class authFailure (code 401)" \
	"account 9: complete|class serverError (code 500)"; do
	head=${want%%|*} cls=${want#*|}
	# the class line follows the account's own heading
	got=$(sed 's/[[:space:]]\{1,\}/ /g; s/^ //' "$TMP/remote.out" | grep -xF -A1 "$head" | sed -n 2p)
	if [ "$got" = "$cls" ]; then log "ok: $head / $cls"; else fail "sipdiag-remote --all: after '$head' expected '$cls', got '${got:-nothing}'"; fi
done
grep -q "^account 3" "$TMP/remote.out" && fail "sipdiag-remote --all reported row 3, which is notInService"
check_eq "$(grep -c '^account ' "$TMP/remote.out")" 3 "accounts reported"
for i in 1 2 9; do check_eq "$(col $C_STATS_RUNS $i)" 1 "row $i ran once"; done
check_eq "$(col $C_STATS_RUNS 3)" 0 "row 3 (notInService) never ran"
check_eq "$(col $C_STATE 3)" 1 "row 3 state none"
expect_notification 1 200 2 200
expect_notification 2 401 6 401
expect_notification 9 500 10 500
finish
