#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# A few thousand random and malformed SNMPv2c SETs (tests/faults/snmp-garbage:
# random OIDs under sipDiagMIB, every ASN.1 type with wrong types, lengths
# and values, truncated and garbled BER) go through a private snmpd to
# sipdiagd.  Afterwards a user expects:
#   - snmpd and sipdiagd alive and answering;
#   - the row created before ({ "test", "4242" }, which the generator never
#     names) unchanged, column by column;
#   - no half-created row: every row the garbage created reads a RowStatus
#     of active, notInService or notReady and all its configuration columns;
#   - the agent still accepts valid SETs and runs a diagnosis to the end.
# The counts (messages sent, responses by error-status) are printed.
# (BIT STRING and NsapAddress values are not sent: they wedge Debian's
# snmpd 5.9.3 as an AgentX master; see tests/faults/snmp-garbage.)
# SIPDIAG_FUZZ_SEED reproduces a run; SIPDIAG_FUZZ_SECONDS (default 45)
# bounds it.  Runs in a network namespace of its own: rows the garbage
# creates and triggers may name any registrar, and no packet of theirs may
# leave this test (nor reach a resolver).
[ -n "${SIPDIAG_OWN_NETNS:-}" ] || exec "$(dirname "$0")/../own-netns" bash "$0" "$@"
FAULTS_DIR=$(cd "$(dirname "$0")" && pwd)
. "$FAULTS_DIR/../agent/lib.sh"

start_all
start_silent_udp
KEEP=4242
K=$(ix $KEEP)
new_row $KEEP "sip:127.0.0.1:$SILENT_PORT" sip:keeper@127.0.0.1 \
	"$T.$C_AUTH_USER.$K" s keeper-auth "$T.$C_TRANSPORT.$K" i 2 "$T.$C_EXPIRES.$K" u 600 \
	"$T.$C_TRAPS.$K" x $TRAPS_NONE "$T.$C_THRESHOLD.$K" u 2 "$T.$C_MAX_RUNS.$K" u 3
CONFIG_COLS="$C_REGISTRAR $C_AOR $C_AUTH_USER $C_TRANSPORT $C_EXPIRES $C_PROXY $C_STATE $C_FREQUENCY"
CONFIG_COLS="$CONFIG_COLS $C_TRAPS $C_THRESHOLD $C_MAX_RUNS $C_STORAGE $C_ROWSTATUS"
# row_config INDEX
row_config() {
	local c
	for c in $CONFIG_COLS; do printf '%s=%s\n' "$c" "$(sget "$T.$c.$1")"; done
}
before=$(row_config $K)
log "row $KEEP before: $(printf '%s' "$before" | tr '\n' ' ')"

seed_args=()
[ -n "${SIPDIAG_FUZZ_SEED:-}" ] && seed_args=(--seed "$SIPDIAG_FUZZ_SEED")
t0=$(date +%s)
report=$(timeout -k 5 120 python3 "$FAULTS_DIR/snmp-garbage" 127.0.0.1 "$SNMP_PORT" "$COMMUNITY" \
	--protect $KEEP --count 4000 --seconds "${SIPDIAG_FUZZ_SECONDS:-45}" ${seed_args[@]+"${seed_args[@]}"})
rc=$?
log "garbage run: exit $rc after $(($(date +%s) - t0)) s: $report"
[ "$rc" = 0 ] || fail "the garbage generator failed (exit $rc)"
field() { printf '%s' "$report" | python3 -c "import json,sys; print(json.dumps(json.load(sys.stdin)$1))" 2>/dev/null; }
sent=$(field '["counts"]["sent"]')
[ "${sent:-0}" -ge 500 ] 2>/dev/null || fail "only ${sent:-0} messages were sent (want 500+; about 4000 on an idle machine)"
wedged=$(field '["snmpdWedged"]')
[ "$wedged" = null ] || die "snmpd stopped answering during the garbage run: $wedged"

# both daemons alive and answering
kill -0 "$SNMPD_PID" 2>/dev/null || fail "snmpd died"
kill -0 "$SIPDIAGD_PID" 2>/dev/null || fail "sipdiagd died"
[ "$_FAILURES" = 0 ] || finish
up=$(sget .1.3.6.1.2.1.1.3.0)
case $up in *Timeticks* | [0-9]*) log "ok: snmpd answers (sysUpTime $up)" ;;
*) fail "snmpd does not answer a GET: $up" ;; esac
wait_registered 10 || fail "sipDiagTimer.0 is no longer served (sipdiagd detached?)"

# the protected row is unchanged
after=$(row_config $K)
[ "$after" = "$before" ] ||
	fail "row $KEEP changed: before $(printf '%s' "$before" | tr '\n' ' '), after $(printf '%s' "$after" | tr '\n' ' ')"

# no half-created row
# (rows are listed by their owner.name index)
rows=$(swalk "$T.$C_ROWSTATUS" | sed -n "s/^$T\.$C_ROWSTATUS\.\([0-9.]*\) .*/\1/p")
nrows=$(printf '%s\n' "$rows" | grep -c .)
log "$nrows rows in the table after the garbage"
MAXROWS=$(sget $SC.12.0)
[ "$nrows" -le "$MAXROWS" ] || fail "$nrows rows, more than the limit $MAXROWS"
for r in $rows; do
	st=$(sget "$T.$C_ROWSTATUS.$r")
	case $st in 1 | 2 | 3) ;; *) fail "row $r: RowStatus '$st'" ;; esac
	vals=$(sget "$T.$C_REGISTRAR.$r" "$T.$C_AOR.$r" "$T.$C_PASSWORD.$r" "$T.$C_TRANSPORT.$r" \
		"$T.$C_EXPIRES.$r" "$T.$C_STATE.$r" "$T.$C_STORAGE.$r" "$T.$C_TRAPS.$r" \
		"$T.$C_THRESHOLD.$r" "$T.$C_MAX_RUNS.$r" "$T.$C_FREQUENCY.$r")
	if printf '%s' "$vals" | grep -qiE 'No Such|Timeout|error'; then
		fail "row $r (RowStatus $st) is incomplete: $(printf '%s' "$vals" | tr '\n' '|')"
	fi
done

# valid SETs are accepted: the scalars back to short runs, a column of the
# kept row, a new row (room made if the garbage filled the table)
expect_set "" "scalars back to short runs" $SC.1.0 u 30 $SC.2.0 u 1 $SC.3.0 u 1 \
	$SC.4.0 u 300 $SC.5.0 u 64
expect_set "" "expires of row $KEEP" "$T.$C_EXPIRES.$K" u 120
check_eq "$(sget "$T.$C_EXPIRES.$K")" 120 "expires of row $KEEP read back"
if [ "$nrows" -ge "$MAXROWS" ]; then
	victim=$(printf '%s\n' "$rows" | grep -vxF "$K" | head -n 1)
	expect_set "" "destroy row $victim to make room" "$T.$C_ROWSTATUS.$victim" i 6
fi
N=$(ix 4343)
expect_set "" "createAndGo of a new row" "$T.$C_ROWSTATUS.$N" i 4 "$T.$C_REGISTRAR.$N" s "sip:127.0.0.1:$SILENT_PORT" \
	"$T.$C_AOR.$N" s sip:new@127.0.0.1 "$T.$C_PASSWORD.$N" s pw
check_eq "$(sget "$T.$C_ROWSTATUS.$N")" 1 "the new row is active"
# and a diagnosis runs to the end (silent server: serverNoResponse)
expect_set "" "trigger row $KEEP" "$T.$C_STATE.$K" i 2
wait_state $KEEP 4 60 && check_eq "$(sget "$T.$C_FAULT.$K")" 5 "row $KEEP fault serverNoResponse(5)"

kill -0 "$SIPDIAGD_PID" 2>/dev/null || fail "sipdiagd died at the end"
if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error|Segmentation|Assertion' "$TMP/sipdiagd.out"; then
	grep -E -A5 'AddressSanitizer|runtime error|Segmentation|Assertion' "$TMP/sipdiagd.out" | head -40
	fail "sipdiagd reported a memory or undefined-behaviour error"
fi
finish
