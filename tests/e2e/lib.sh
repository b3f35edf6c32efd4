# shellcheck shell=bash
#
# tests/e2e/lib.sh - the whole chain with real parts, for the end-to-end tests:
#
#   snmpset -> private snmpd master -> sipdiagd (AgentX) -> Kamailio
#   -> result read back with snmpget
#   -> sipDiagComplete -> private snmptrapd -> scripts/sipdiag-traphandle
#      -> one line in $TRAPLOG
#
# Glue only: the SNMP side comes from tests/agent/lib.sh (snmpd, sipdiagd,
# sget/sset/swalk, fail/finish), the registrar from tests/system/lib.sh
# (kam_start and the scripted Kamailio of tests/kamailio/registrar.cfg.in).
# The agent harness is sourced last, so its messages, cleanup trap and port
# picker are the ones in force; kam_start registers its cleanup in that
# same list.  Everything runs on 127.0.0.1 on free ports; the system snmpd,
# ports 161/162 and /var/agentx are never touched.
#
# Environment (besides the two harnesses' own): top_srcdir (where
# scripts/sipdiag-traphandle and mibs/ are), SIPDIAGD, SIPDIAG_KEEP_TMP=1.

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../system/lib.sh
. "$E2E_DIR/../system/lib.sh"
# shellcheck source=../agent/lib.sh
. "$E2E_DIR/../agent/lib.sh"

: "${top_srcdir:=$(cd "$E2E_DIR/../.." && pwd)}"
# (these names are used by the test scripts that source this file)
# shellcheck disable=SC2034
TRAPHANDLE=${SIPDIAG_TRAPHANDLE:-$top_srcdir/scripts/sipdiag-traphandle}
# shellcheck disable=SC2034
REMOTE=$top_srcdir/scripts/sipdiag-remote

# Fault names of SipDiagFault, by value (as sipdiag-traphandle prints them).
FAULT_NAMES=(invalid none success configIncomplete networkUnreachable serverNoResponse
	authFailure intervalTooBrief serverAnomaly terminalError serverError globalFailure
	internalError canceled dnsFailure serviceNotListening adminProhibited tlsFailure
	authAlgorithmUnsupported malformedResponse)

# Column numbers: the C_* names of tests/agent/lib.sh (see agent/sipdiag-mib.7).

# Rows are named as the tests write them: NAME is the row { $TEST_OWNER
# ("test"), NAME } a manager creates; OWNER/NAME any other row, e.g.
# device/1 for the terminal's own account `sipdiagAccount 1` (owner
# sipDiagDeviceOwner, "device").
row_owner() { case $1 in */*) printf '%s' "${1%%/*}" ;; *) printf '%s' "$TEST_OWNER" ;; esac; }
row_name() { printf '%s' "${1#*/}"; }
# rix ROW: the OID index of ROW (length-prefixed owner and name).
rix() { ix "$(row_name "$1")" "$(row_owner "$1")"; }

# ---------------------------------------------------------------- setup

# e2e_setup: the agent harness's setup (temp dir, tools, sipdiagd binary)
# plus what the registrar needs.  sipdiagd gets the engine's defaults for
# the scalars (3 attempts, 4000 ms, 3 pings, 32 s timer): a test that wants
# shorter runs sets the scalars over SNMP.
e2e_setup() {
	setup
	need_cmd kamailio kamcmd sipsak setsid timeout
	[ -r "$KAM_TEMPLATE" ] || hard_error "missing $KAM_TEMPLATE"
	[ -x "$TRAPHANDLE" ] || hard_error "missing or not executable: $TRAPHANDLE"
	TEST_TMP=$TMP
	echo "agentxPingInterval 1" >"$SDCONF"
	TRAPLOG=$TMP/traphandle.log
}

# e2e_start_snmptrapd [--mib]: a private snmptrapd on a free port whose
# traphandle for sipDiagComplete, sipDiagFailure and sipDiagRecovered is scripts/sipdiag-traphandle writing to
# $TRAPLOG.  Its own log (every notification) is $TMP/traps.log.  Without
# --mib no MIB is loaded and the traphandle reads numeric OIDs and values;
# with --mib (see need_mibs) it reads SIP-DIAG-MIB names and enum labels.
# shellcheck disable=SC2120
e2e_start_snmptrapd() {
	local fmt=(-On)
	[ "${1:-}" = --mib ] && fmt=("${MIB_OPTS[@]}")
	TRAP_PORT=$(pick_free_port)
	cat >"$TMP/snmptrapd.conf" <<-EOF
	disableAuthorization yes
	traphandle $NOTIF $TRAPHANDLE $TRAPLOG
	traphandle $NOTIF_FAILURE $TRAPHANDLE $TRAPLOG
	traphandle $NOTIF_RECOVERED $TRAPHANDLE $TRAPLOG
	EOF
	SNMP_PERSISTENT_DIR=$TMP/trapd-persist snmptrapd -f -C -c "$TMP/snmptrapd.conf" \
		"${fmt[@]}" -Lf "$TMP/traps.log" "udp:127.0.0.1:$TRAP_PORT" </dev/null >/dev/null 2>&1 &
	TRAPD_PID=$!
	on_cleanup "stop_pid $TRAPD_PID"
	local i
	for i in $(seq 1 200); do
		grep -q "NET-SNMP version" "$TMP/traps.log" 2>/dev/null && return 0
		kill -0 "$TRAPD_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$TMP/traps.log" >&2 2>/dev/null
	hard_error "snmptrapd did not start"
}

# e2e_start_all [SIPDIAGD-ARGS]: Kamailio, snmptrapd, snmpd, sipdiagd.
e2e_start_all() {
	e2e_setup
	kam_start registrar
	e2e_start_snmptrapd
	start_snmpd
	start_sipdiagd "$@"
	log "snmpd 127.0.0.1:$SNMP_PORT, snmptrapd 127.0.0.1:$TRAP_PORT, registrar 127.0.0.1:$KAM_PORT"
}

# Evidence on failure: the agent harness's logs, then Kamailio's and the
# traphandle's.
dump_logs() {
	local f
	for f in "$TMP"/sipdiagd.log "$TMP"/sipdiagd.out "$TMP"/snmpd.log "$TMP"/traps.log \
		"${TRAPLOG:-/nonexistent}" "$TMP"/kamailio-*.log "$TMP"/remote.out; do
		[ -f "$f" ] || continue
		echo "---- $(basename "$f") (last 40 lines)"
		tail -n 40 "$f"
	done
}

# ---------------------------------------------------------------- MIB names

# need_mibs: SIP-DIAG-MIB and its base modules (../shared/mibs next to the
# repository; SIPDIAG_SHARED_MIBS overrides) or skip, with the reason.  Sets MIB_OPTS: exactly these two
# directories and this module (with its imports), so no MIB of the host is
# read and nothing else is needed.
SHARED_MIBS=${SIPDIAG_SHARED_MIBS:-$top_srcdir/../shared/mibs}
MIB_OPTS=(-M "$SHARED_MIBS:$top_srcdir/mibs" -m SIP-DIAG-MIB)
need_mibs() {
	[ -r "$SHARED_MIBS/SNMPv2-SMI.txt" ] ||
		skip "base MIB modules not found in $SHARED_MIBS (needed to load SIP-DIAG-MIB by name)"
	[ -r "$top_srcdir/mibs/SIP-DIAG-MIB.txt" ] || hard_error "missing $top_srcdir/mibs/SIP-DIAG-MIB.txt"
	local out
	out=$(snmptranslate "${MIB_OPTS[@]}" -On SIP-DIAG-MIB::sipDiagComplete 2>&1)
	[ "$out" = "$NOTIF" ] || hard_error "snmptranslate cannot load SIP-DIAG-MIB: $out"
}

# mget NAME...: snmpget with MIB names; values only, enum labels as labels.
mget() {
	snmpget -v2c -c $COMMUNITY "${MIB_OPTS[@]}" -Oqv -t 2 -r 0 "127.0.0.1:$SNMP_PORT" "$@" 2>&1 |
		sed -e 's/^"//' -e 's/"$//'
}

# mset NAME TYPE VALUE...: snmpset with MIB names; like sset, prints nothing
# on success and the error name on failure.
mset() {
	local out
	out=$(snmpset -v2c -c $COMMUNITY "${MIB_OPTS[@]}" -Oq -t 3 -r 0 "127.0.0.1:$SNMP_PORT" "$@" 2>&1)
	if printf '%s' "$out" | grep -q '^Reason:'; then
		printf '%s\n' "$out" | sed -n 's/^Reason: (\{0,1\}\([A-Za-z]*\).*/\1/p'
	elif printf '%s' "$out" | grep -qi 'timeout'; then
		echo timeout
	elif ! printf '%s' "$out" | grep -q '^SIP-DIAG-MIB::'; then
		printf 'error: %s\n' "$out" | head -n 1
	fi
	return 0
}

# ---------------------------------------------------------------- rows

# account_row ROW USER [PASSWORD]: createAndGo a row for USER at the
# private registrar (UDP, sipDiagTrapGeneration complete), all in one SET
# as an NMS would; without PASSWORD the password column is not set at all.
account_row() {
	local idx args err
	idx=$(rix "$1")
	local user=$2
	args=("$T.$C_ROWSTATUS.$idx" i 4
		"$T.$C_REGISTRAR.$idx" s "sip:127.0.0.1:$KAM_PORT"
		"$T.$C_AOR.$idx" s "sip:$user@127.0.0.1"
		"$T.$C_TRANSPORT.$idx" i 2
		"$T.$C_TRAPS.$idx" x "$TRAPS_COMPLETE")
	[ $# -ge 3 ] && args+=("$T.$C_PASSWORD.$idx" s "$3")
	err=$(sset "${args[@]}")
	[ -z "$err" ] || die "row $1 ($user): createAndGo failed: $err"
	log "row $1: $user at sip:127.0.0.1:$KAM_PORT${3:+, password set over SNMP}"
}

# trigger ROW: sipDiagState = requested(2).
trigger() {
	local err
	err=$(sset "$T.$C_STATE.$(rix "$1")" i 2)
	[ -z "$err" ] || die "row $1: writing sipDiagState = requested(2) failed: $err"
}

# wait_row ROW STATE SECONDS: wait_state for a ROW as named here.
wait_row() { wait_state "$(rix "$1")" "$2" "$3"; }

# col COLUMN ROW: one column's value (strings without their quotes).
col() { sget "$T.$1.$(rix "$2")" | sed -e 's/^"//' -e 's/"$//'; }

# expect_col ROW COLUMN EXPECTED WHAT: precise message on mismatch.
expect_col() {
	local got
	got=$(col "$2" "$1")
	if [ "$got" != "$3" ]; then
		fail "row $1: $4 (column $2) is '$got', expected '$3'"
	else
		log "ok: row $1: $4 = $3"
	fi
}

# expect_result ROW CODE FAULT SIPSTATUS ATTEMPTS: state complete and the
# result columns; ATTEMPTS "-" skips that check.
expect_result() {
	local row=$1 code=$2 fault=$3 sip=$4 attempts=$5
	expect_col "$row" $C_STATE 4 "sipDiagState complete(4)"
	expect_col "$row" $C_CODE "$code" "sipDiagResultCode"
	expect_col "$row" $C_FAULT "$fault" "sipDiagResultFault ${FAULT_NAMES[$fault]}($fault)"
	expect_col "$row" $C_SIP_STATUS "$sip" "sipDiagResultSipStatus"
	[ "$attempts" = - ] || expect_col "$row" $C_ATTEMPTS "$attempts" "sipDiagResultAttempts (REGISTERs sent)"
	local d
	d=$(col $C_DIAGNOSIS "$row")
	if [ -z "$d" ]; then fail "row $row: sipDiagResultDiagnosis is empty"; else log "row $row: diagnosis: $d"; fi
}

# ---------------------------------------------------------------- notifications

# note_lines ROW [EVENT]: the traphandle's lines for ROW (of EVENT: complete,
# failure, recovered; default complete).
note_lines() {
	grep -E " event=${2:-complete} owner=$(row_owner "$1") name=$(row_name "$1")( |\$)" "$TRAPLOG" 2>/dev/null
}

# wait_notification ROW SECONDS [EVENT]: until sipdiag-traphandle wrote a
# line for ROW; sets NOTE_LINE.
wait_notification() {
	local row=$1 limit=$(($2 * 10)) i
	NOTE_LINE=
	for i in $(seq 1 $limit); do
		NOTE_LINE=$(note_lines "$row" "${3:-}" | tail -n 1)
		[ -n "$NOTE_LINE" ] && return 0
		sleep 0.1
	done
	fail "row $row: no ${3:-complete} line from sipdiag-traphandle within $2 s (notification not received or not handled)"
	return 1
}

# expect_notification ROW CODE FAULT SIPSTATUS: the traphandle's line for
# ROW's sipDiagComplete says owner= name= code=CODE fault=NAME(FAULT)
# sip=SIPSTATUS, from 127.0.0.1.
expect_notification() {
	local row=$1 code=$2 fault=$3 sip=$4 field want
	wait_notification "$row" 10 || return
	log "traphandle: $NOTE_LINE"
	for want in "agent=127.0.0.1" "event=complete" "owner=$(row_owner "$row")" "name=$(row_name "$row")" \
		"code=$code" "fault=${FAULT_NAMES[$fault]}($fault)" "sip=$sip"; do
		field=$(printf '%s\n' "$NOTE_LINE" | tr ' ' '\n' | grep -m1 "^${want%%=*}=")
		[ "$field" = "$want" ] || fail "row $row: notification line has '$field', expected '$want'"
	done
	printf '%s' "$NOTE_LINE" | grep -q 'diagnosis="[^"]' ||
		fail "row $row: notification line carries no diagnosis"
	local n
	n=$(note_lines "$row" | wc -l)
	[ "$n" = 1 ] || fail "row $row: $n notification lines, expected 1 per run"
}
