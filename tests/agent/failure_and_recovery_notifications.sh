#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Issue 10: sipDiagTrapGeneration and sipDiagFailureThreshold.  A row with
# failure+recovery bits and threshold 2, switched between a closed port
# (fails) and Kamailio (succeeds) by writing its registrar between runs:
# fail, fail -> exactly one sipDiagFailure (.0.3) carrying the row's
# owner.name in every varbind and AOR, registrar, code, fault, sipStatus,
# consecutive failures 2, end time, diagnosis; fail -> no second one;
# success -> exactly one sipDiagRecovered (.0.4); success -> none.  A row
# that flaps (threshold 1) sends one notification per state change.  With the
# complete bit only: one sipDiagComplete (.0.2) per run, nothing else.
. "$(dirname "$0")/fleet_lib.sh"

setup
printf 'agentxPingInterval 1\nsipdiagMinRerunInterval 0\n' >"$SDCONF"
kam_registrar
CLOSED=$(closed_udp_port)
BAD=sip:127.0.0.1:$CLOSED
start_snmptrapd
start_snmpd
start_sipdiagd

# ntraps OID INDEX: notifications OID about row INDEX (its AOR varbind)
ntraps() {
	grep -F "OID: $1	" "$TMP/traps.log" | grep -cF "$T.$C_AOR.$2 = "
}
# settle: notifications are sent when a run ends; give the last one time to
# reach snmptrapd before counting that none came (a bounded wait: a late
# notification can only make a test fail that should fail)
settle() { sleep 2; }
# step INDEX fail|ok WHAT
step() {
	local reg=$GOOD_REGISTRAR
	[ "$2" = fail ] && reg=$BAD
	expect_set "" "$3: registrar := $reg" "$T.$C_REGISTRAR.$1" s "$reg" >/dev/null
	run_and_wait "$1" 40 "$3" || finish
	if [ "$2" = fail ]; then
		closed_fault_ok "$1" || fail "$3: fault $(rcol $C_FAULT "$1"), expected a failure"
	else
		check_eq "$(rcol $C_FAULT "$1")" $F_SUCCESS "$3: success"
	fi
}
# expect_traps WHAT INDEX COMPLETE FAILURE RECOVERED: the counts so far
expect_traps() {
	local want="$3/$4/$5"
	poll 15 eval '[ "$(ntraps $NOTIF $2)/$(ntraps $NOTIF_FAILURE $2)/$(ntraps $NOTIF_RECOVERED $2)" = "$want" ]' ||
		true
	settle
	check_eq "$(ntraps $NOTIF "$2")/$(ntraps $NOTIF_FAILURE "$2")/$(ntraps $NOTIF_RECOVERED "$2")" "$want" \
		"$1: notifications complete/failure/recovered"
}

I=$(ix 1)
new_row 1 "$BAD" "$GOOD_AOR" "$T.$C_PASSWORD.$I" s "$ALICE_PASSWORD" "$T.$C_TRANSPORT.$I" i 2 \
	"$T.$C_TRAPS.$I" x 60 "$T.$C_THRESHOLD.$I" u 2
check_eq "$(snmpget -v2c -c $COMMUNITY -On -Oqvx -t 2 -r 0 "127.0.0.1:$SNMP_PORT" "$T.$C_TRAPS.$I" | tr -d ' "')" 60 "sipDiagTrapGeneration failure+recovery"
check_eq "$(rcol $C_THRESHOLD "$I")" 2 "sipDiagFailureThreshold 2"
step "$I" fail "run 1 (fail)"
expect_traps "after 1 failure (threshold 2)" "$I" 0 0 0
step "$I" fail "run 2 (fail)"
expect_traps "after 2 failures" "$I" 0 1 0

# the failure notification's varbinds, in the MIB's order, each with the
# row's owner.name suffix
line=$(grep -F "OID: $NOTIF_FAILURE	" "$TMP/traps.log" | grep -F "$T.$C_AOR.$I = " | head -n 1)
vbs=$(printf '%s\n' "$line" | tr '\t' '\n' | grep "^$B\\.1\\.4\\.1\\.")
check_eq "$(printf '%s\n' "$vbs" | sed 's/ = .*//' | tr '\n' ' ')" \
	"$(for c in $C_AOR $C_REGISTRAR $C_CODE $C_FAULT $C_SIP_STATUS $C_STATS_CONSECUTIVE $C_END $C_DIAGNOSIS; do printf '%s ' "$T.$c.$I"; done)" \
	"sipDiagFailure varbinds: AOR, registrar, code, fault, sipStatus, consecutive failures, end time, diagnosis of test.1"
vb() { printf '%s\n' "$vbs" | grep "^$T\\.$1\\.$I = " | sed 's/^[^=]*= [A-Za-z0-9-]*: //'; }
check_eq "$(vb $C_AOR)" "\"$GOOD_AOR\"" "failure varbind AOR"
check_eq "$(vb $C_REGISTRAR)" "\"$BAD\"" "failure varbind registrar"
check_eq "$(vb $C_CODE)" "$(rcol $C_CODE "$I")" "failure varbind code"
check_eq "$(vb $C_FAULT)" "$(rcol $C_FAULT "$I")" "failure varbind fault"
check_eq "$(vb $C_STATS_CONSECUTIVE)" 2 "failure varbind consecutive failures"
[ -n "$(vb $C_END | tr -d ' "')" ] || fail "failure varbind end time is empty"
d=$(vb $C_DIAGNOSIS)
[ ${#d} -gt 10 ] || fail "failure varbind diagnosis is empty: '$d'"

step "$I" fail "run 3 (fail)"
expect_traps "after 3 failures" "$I" 0 1 0
step "$I" ok "run 4 (success)"
expect_traps "after the first success" "$I" 0 1 1
rline=$(grep -F "OID: $NOTIF_RECOVERED	" "$TMP/traps.log" | grep -F "$T.$C_AOR.$I = " | head -n 1)
printf '%s\n' "$rline" | grep -qF "$T.$C_CODE.$I = Gauge32: 200" || fail "sipDiagRecovered does not carry code 200: $rline"
printf '%s\n' "$rline" | grep -qF "$T.$C_STATS_CONSECUTIVE.$I = Gauge32: 0" || fail "sipDiagRecovered does not carry consecutive failures 0"
step "$I" ok "run 5 (success)"
expect_traps "after a second success" "$I" 0 1 1

# flapping, threshold 1: one notification per state change
F=$(ix flap)
new_row flap "$BAD" "$GOOD_AOR" "$T.$C_PASSWORD.$F" s "$ALICE_PASSWORD" "$T.$C_TRANSPORT.$F" i 2 \
	"$T.$C_TRAPS.$F" x 60 "$T.$C_THRESHOLD.$F" u 1
step "$F" fail "flap 1 (fail)"
expect_traps "flap after fail" "$F" 0 1 0
step "$F" ok "flap 2 (success)"
expect_traps "flap after success" "$F" 0 1 1
step "$F" fail "flap 3 (fail)"
expect_traps "flap after fail again" "$F" 0 2 1
step "$F" ok "flap 4 (success)"
expect_traps "flap after success again" "$F" 0 2 2

# complete bit only
C=$(ix comp)
new_row comp "$BAD" "$GOOD_AOR" "$T.$C_PASSWORD.$C" s "$ALICE_PASSWORD" "$T.$C_TRANSPORT.$C" i 2 \
	"$T.$C_TRAPS.$C" x 80
step "$C" fail "complete-only run 1 (fail)"
step "$C" ok "complete-only run 2 (success)"
step "$C" fail "complete-only run 3 (fail)"
expect_traps "complete bit only, 3 runs" "$C" 3 0 0
finish
