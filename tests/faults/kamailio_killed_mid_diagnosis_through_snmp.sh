#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# The SNMP side of kamailio_killed_mid_diagnosis.sh: a diagnosis triggered
# through snmpd -> sipdiagd, user "trying" (Kamailio answers "100 Trying",
# then nothing), and Kamailio killed with SIGKILL once it has logged the
# first REGISTER.  A manager expects the row to reach complete(4) within
# sipDiagTimer with fault serviceNotListening(15) or serverNoResponse(5),
# sipdiagd to stay up and serve the result, and a new diagnosis against a
# restarted Kamailio to succeed.
# Runs in a network namespace of its own: it reads ICMP errors from loopback.
[ -n "${SIPDIAG_OWN_NETNS:-}" ] || exec "$(dirname "$0")/../own-netns" bash "$0" "$@"
. "$(dirname "$0")/../e2e/lib.sh"

e2e_setup
echo "sipdiagMinRerunInterval 0" >>"$SDCONF"
kam_start trying
start_snmpd
start_sipdiagd
TIMER=30
sset $SC.1.0 u $TIMER $SC.2.0 u 3 $SC.4.0 u 2000 $SC.3.0 u 1 >/dev/null

account_row 1 trying any-password
kam_log_mark
t0=$(date +%s)
trigger 1
for i in $(seq 1 200); do
	[ "$(server_registers trying)" -ge 1 ] && break
	sleep 0.1
done
[ "$(server_registers trying)" -ge 1 ] || die "Kamailio never saw the first REGISTER"
check_eq "$(sget "$T.$C_STATE.$(ix 1)")" 3 "the row is still running when Kamailio dies"
kill -KILL -- "-$KAM_PGID"
log "kamailio killed with SIGKILL after the first REGISTER"
wait_state 1 4 $((TIMER + 20)) || finish
wall=$(($(date +%s) - t0))
f=$(sget "$T.$C_FAULT.$(ix 1)")
case $f in
15 | 5) log "ok: fault ${FAULT_NAMES[$f]}($f) after $wall s: $(col $C_DIAGNOSIS 1)" ;;
*) fail "fault $f (${FAULT_NAMES[$f]:-?}), expected serviceNotListening(15) or serverNoResponse(5)" ;;
esac
[ "$wall" -le $((TIMER + 15)) ] || fail "the run took $wall s, sipDiagTimer is $TIMER s"
kill -0 "$SIPDIAGD_PID" 2>/dev/null || fail "sipdiagd died"

# the world recovers
kam_start again
account_row 2 alice "$ALICE_PASSWORD"
trigger 2
wait_state 2 4 40 && expect_col 2 $C_FAULT 2 "fault success against the restarted Kamailio"
grep -qE 'AddressSanitizer|runtime error' "$TMP/sipdiagd.out" && fail "sipdiagd reported a memory or UB error"
finish
