#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# contrib/nagios/check_sipdiag against the real chain (private snmpd +
# sipdiagd + Kamailio): exit codes, the status line and its perfdata.
#   test/1 alice, every 5 s            -> 0, "SIPDIAG OK - success: ..."
#   test/3 authfail wrong password     -> 2, "SIPDIAG CRITICAL - authFailure: <diagnosis>"
#     -w 2 -c 50 once 2 runs failed    -> 1 WARNING; -w 50 -c 60 -> 0 (below the thresholds)
#   test/4 alice, no schedule: --run   -> 0, one more run; then --max-age 1 after 3 s -> 3
#   a row that does not exist          -> 3; no agent on the port -> 3; bad option -> 3
#   SNMPv3 authPriv (-P 3 -U -L -a -A -x -X) -> 2 for test/3; a wrong auth password -> 3
. "$(dirname "$0")/lib.sh"

PLUGIN=$top_srcdir/contrib/nagios/check_sipdiag
[ -x "$PLUGIN" ] || hard_error "missing $PLUGIN"
nms_setup
nms_snmpv3_user
nms_start_daemons
healthy_row 1 5
wrong_password_row 3 5
periodic_row 4 "sip:127.0.0.1:$KAM_PORT" replace "$ALICE_PASSWORD" 0
wait_runs 1 1 30 || finish
wait_runs 3 2 30 || finish

# plugin EXPECTED-RC PATTERN ARGS...: runs it, checks the exit code and
# that the one output line matches the grep -E PATTERN.
plugin() {
	local want=$1 pat=$2 out rc
	shift 2
	out=$(sh "$PLUGIN" "$@" 2>&1); rc=$?
	log "check_sipdiag $*: rc $rc: $out"
	[ "$rc" = "$want" ] || fail "check_sipdiag $*: exit $rc, expected $want"
	[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || fail "check_sipdiag $*: more than one output line"
	printf '%s\n' "$out" | grep -Eq -- "$pat" || fail "check_sipdiag $*: output does not match /$pat/"
	LAST_OUT=$out
}
H=(-H "127.0.0.1:$SNMP_PORT" -C "$COMMUNITY" --owner test)
PERF='\| duration=[0-9]+ms;;;0 attempts=[0-9]+;;;0 consecutive_failures=[0-9]+;[0-9]*;[0-9]*;0$'

plugin 0 "^SIPDIAG OK - success: Account sip:alice@127.0.0.1: .*accepted.* $PERF" "${H[@]}" --name 1
plugin 2 "^SIPDIAG CRITICAL - authFailure: Account sip:authfail@127.0.0.1: .*401 Unauthorized.* $PERF" \
	"${H[@]}" --name 3
plugin 1 "^SIPDIAG WARNING - authFailure: .*consecutive_failures=[0-9]+;2;50;0\$" "${H[@]}" --name 3 -w 2 -c 50
plugin 0 "^SIPDIAG OK - authFailure: " "${H[@]}" --name=3 --warning=50 --critical=60
plugin 3 "^SIPDIAG UNKNOWN - no row owner 'test' name 'nosuch'" "${H[@]}" --name nosuch
plugin 3 "^SIPDIAG UNKNOWN - (SNMP error|no SNMP answer)" -H "127.0.0.1:$(closed_udp_port)" -t 1 --owner test --name 1
plugin 3 "^SIPDIAG UNKNOWN - unknown option" "${H[@]}" --name 1 --bogus
plugin 3 "^SIPDIAG UNKNOWN - --name is required" "${H[@]}"

runs=$(sget "$T.$C_STATS_RUNS.$(ix 4)")
plugin 0 "^SIPDIAG OK - success: .*$PERF" "${H[@]}" --name 4 --run -t 30
check_eq "$(sget "$T.$C_STATS_RUNS.$(ix 4)")" $((runs + 1)) "--run: test/4 ran once more"
plugin 0 "^SIPDIAG OK - success" "${H[@]}" --name 4 --max-age 60
sleep 3
plugin 3 "^SIPDIAG UNKNOWN - test/4: the latest result is [0-9]+ s old \(--max-age 1\)" "${H[@]}" --name 4 --max-age 1

V3=(-H "127.0.0.1:$SNMP_PORT" -P 3 -U "$V3_USER" -L authPriv -a SHA -A "$V3_AUTH" -x AES -X "$V3_PRIV" --owner test)
plugin 2 "^SIPDIAG CRITICAL - authFailure: " "${V3[@]}" --name 3
plugin 3 "^SIPDIAG UNKNOWN - SNMP error" -H "127.0.0.1:$SNMP_PORT" -P 3 -U "$V3_USER" -L authPriv \
	-a SHA -A wrong-auth-secret -x AES -X "$V3_PRIV" --owner test --name 3 -t 2
finish
