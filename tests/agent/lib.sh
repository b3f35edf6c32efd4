# shellcheck shell=bash
#
# tests/agent/lib.sh - harness for the sipdiagd tests.
#
# Each test gets a private world in its own temp dir: an snmpd master on
# 127.0.0.1:<free port> (own config via -C -c, own AgentX unix socket, own
# SNMP_PERSISTENT_DIR), an snmptrapd on another free port receiving the
# master's trap2sink, and sipdiagd attached to that master.  The system
# snmpd, port 161 and /var/agentx are never touched.  Everything started is
# stopped, and the temp dir removed, by an EXIT trap, also on failure.
#
# Exit codes: 0 pass, 1 fail, 77 skip (reason printed), 99 broken setup.
# SIPDIAGD=path overrides the binary; SIPDIAG_KEEP_TMP=1 keeps the temp dir.

set -u
export LC_ALL=C
TEST_NAME=$(basename "$0" .sh)
PATH=$PATH:/usr/sbin:/sbin
# numeric OIDs everywhere: no MIB files are needed or loaded
export MIBS=
unset SNMPCONFPATH SNMP_PERSISTENT_FILE

B=.1.3.6.1.4.1.8072.9999.9999.5060     # sipDiagMIB
SC=$B.1.1                              # sipDiagScalars.N.0
T=$B.1.4.1                             # sipDiagEntry.COL.OWNER.NAME
R=$B.1.5.1                             # sipDiagRunEntry.COL.OWNER.NAME.RUN
H=$B.1.6.1                             # sipDiagHistoryEntry.COL.OWNER.NAME.RUN.STEP
NOTIF=$B.0.2                           # sipDiagComplete
NOTIF_FAILURE=$B.0.3                   # sipDiagFailure
NOTIF_RECOVERED=$B.0.4                 # sipDiagRecovered
# The owner of the rows the tests create, and of the terminal's own
# accounts (sipDiagDeviceOwner's default).
TEST_OWNER=${TEST_OWNER:-test}
DEVICE_OWNER=device

# Columns of sipDiagEntry, by name (SIP-DIAG-MIB).
C_REGISTRAR=3 C_AOR=4 C_AUTH_USER=5 C_PASSWORD=6 C_TRANSPORT=7 C_EXPIRES=8 C_PROXY=9
C_STATE=10 C_FREQUENCY=11 C_TRAPS=12 C_THRESHOLD=13 C_MAX_RUNS=14 C_STORAGE=15 C_ROWSTATUS=16
C_CODE=20 C_FAULT=21 C_SIP_STATUS=22 C_DIAGNOSIS=23 C_SIP_REASON=24 C_ATTEMPTS=25
C_PINGS_SENT=26 C_PINGS_RECEIVED=27 C_RTT=28 C_ADDR_TYPE=29 C_ADDR=30 C_PORT=31
C_SERVER_TRANSPORT=32 C_START=33 C_END=34 C_DURATION=35 C_BINDING_REMOVED=36
C_REFINES=37 C_ICMP_ERROR=38 C_NAT=39 C_TARGETS=40 C_CAPTURE_PATH=41 C_CAPTURE_NOTE=42
C_CAPTURE_PACKETS=43 C_TRANSPORT_CHECK=44 C_RUN_INDEX=45 C_TRIGGER=46
C_STATS_RUNS=50 C_STATS_SUCCESSES=51 C_STATS_FAILURES=52 C_STATS_CONSECUTIVE=53
C_STATS_LAST_GOOD=54 C_STATS_FAULT_SINCE=55 C_STATS_LAST_FAULT=56
# sipDiagTrapGeneration values (BITS, one octet, for snmpset's x type)
TRAPS_NONE=00 TRAPS_COMPLETE=80 TRAPS_ALL=E0

# oid_text TEXT: a length-prefixed SnmpAdminString index part ("ab" -> 2.97.98).
oid_text() {
	local t=$1 out=${#1} i
	for ((i = 0; i < ${#t}; i++)); do out="$out.$(printf '%d' "'${t:i:1}")"; done
	printf '%s' "$out"
}

# ix NAME [OWNER]: the index of row { OWNER (default $TEST_OWNER), NAME }.
# The tests name their rows 1, 2, ...: "$T.$C_STATE.$(ix 1)".
ix() { printf '%s.%s' "$(oid_text "${2-$TEST_OWNER}")" "$(oid_text "$1")"; }
# dx NAME: the index of the terminal's own account NAME (sipdiagAccount NAME).
dx() { ix "$1" "$DEVICE_OWNER"; }
COMMUNITY=sdtest

log() { printf '[%s] %s\n' "$TEST_NAME" "$*"; }
skip() { printf 'SKIP: %s: %s\n' "$TEST_NAME" "$*"; exit 77; }
hard_error() { printf 'ERROR: %s: %s\n' "$TEST_NAME" "$*" >&2; exit 99; }

_FAILURES=0
fail() { printf 'FAIL: %s: %s\n' "$TEST_NAME" "$*" >&2; _FAILURES=$((_FAILURES + 1)); }
finish() {
	if [ "$_FAILURES" -gt 0 ]; then
		dump_logs
		printf 'FAIL: %s: %d check(s) failed\n' "$TEST_NAME" "$_FAILURES" >&2
		exit 1
	fi
	printf 'PASS: %s\n' "$TEST_NAME"
	exit 0
}
die() { fail "$*"; finish; }

dump_logs() {
	local f
	for f in "$TMP"/sipdiagd.log "$TMP"/snmpd.log "$TMP"/traps.log; do
		[ -f "$f" ] || continue
		echo "---- $(basename "$f") (last 40 lines)"
		tail -n 40 "$f"
	done
}

# ---------------------------------------------------------------- cleanup

_CLEANUPS=()
on_cleanup() { _CLEANUPS+=("$*"); }
_run_cleanups() {
	local rc=$? i
	trap - EXIT INT TERM HUP
	for ((i = ${#_CLEANUPS[@]} - 1; i >= 0; i--)); do
		eval "${_CLEANUPS[$i]}" >/dev/null 2>&1 || true
	done
	exit $rc
}
trap _run_cleanups EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# stop_pid PID: TERM, wait up to 5 s, then KILL; only our own children.
stop_pid() {
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# ---------------------------------------------------------------- setup

need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "'$c' is not installed"
	done
}

find_sipdiagd() {
	if [ -z "${SIPDIAGD:-}" ]; then
		if [ -n "${abs_top_builddir:-}" ]; then
			SIPDIAGD=$abs_top_builddir/agent/sipdiagd
		else
			SIPDIAGD=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/agent/sipdiagd
		fi
	fi
	[ -x "$SIPDIAGD" ] || hard_error "sipdiagd binary '$SIPDIAGD' not found (set SIPDIAGD)"
}

port_is_free() {
	! ss -Hantu 2>/dev/null | awk '{print $5}' | grep -Eq "[:.]$1\$"
}

pick_free_port() {
	local i port
	for i in $(seq 1 200); do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
		if port_is_free "$port"; then echo "$port"; return 0; fi
	done
	hard_error "no free port found"
}

setup() {
	need_cmd snmpd snmptrapd snmpget snmpset snmpwalk ss python3
	find_sipdiagd
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/sipdiagd-$TEST_NAME.XXXXXX") || hard_error "mktemp failed"
	if [ "${SIPDIAG_KEEP_TMP:-0}" = 1 ]; then
		log "keeping $TMP"
	else
		on_cleanup "rm -rf '$TMP'"
	fi
	mkdir -p "$TMP/snmpd-persist" "$TMP/trapd-persist" "$TMP/sipdiagd-persist"
	AGENTX=$TMP/agentx
	SDCONF=$TMP/sipdiagd.conf
	# short runs by default: one REGISTER of 300 ms, one ping
	cat >"$SDCONF" <<-EOF
	agentxPingInterval 1
	sipDiagAttempts 1
	sipDiagAttemptTimeout 300
	sipDiagPings 1
	EOF
}

# ---------------------------------------------------------------- daemons

start_snmptrapd() {
	TRAP_PORT=$(pick_free_port)
	cat >"$TMP/snmptrapd.conf" <<-EOF
	disableAuthorization yes
	EOF
	SNMP_PERSISTENT_DIR=$TMP/trapd-persist snmptrapd -f -X -C -c "$TMP/snmptrapd.conf" \
		-On -Lf "$TMP/traps.log" "udp:127.0.0.1:$TRAP_PORT" </dev/null >/dev/null 2>&1 &
	TRAPD_PID=$!
	on_cleanup "stop_pid $TRAPD_PID"
	local i
	for i in $(seq 1 200); do
		grep -q "NET-SNMP version" "$TMP/traps.log" 2>/dev/null && return 0
		kill -0 "$TRAPD_PID" 2>/dev/null || hard_error "snmptrapd did not start"
		sleep 0.1
	done
	hard_error "snmptrapd did not start"
}

# snmpd_conf_extra: a test's own lines for the master's configuration
# (SNMPv3 users, VACM), printed after the harness's; none by default.
snmpd_conf_extra() { :; }
write_snmpd_conf() {
	{
		cat <<-EOF
		agentaddress udp:127.0.0.1:$SNMP_PORT
		master agentx
		agentXSocket unix:$AGENTX
		view sipdiag included .1.3.6.1.4.1.8072.9999.9999.5060
		view sipdiag included .1.3.6.1.2.1.1
		rwcommunity $COMMUNITY 127.0.0.1 -V sipdiag
		trap2sink 127.0.0.1:${TRAP_PORT:-9} sdtrap
		EOF
		snmpd_conf_extra
	} >"$TMP/snmpd.conf"
}

# start_snmpd: (re)starts the private master on SNMP_PORT (picked once).
start_snmpd() {
	[ -n "${SNMP_PORT:-}" ] || SNMP_PORT=$(pick_free_port)
	write_snmpd_conf
	SNMP_PERSISTENT_DIR=$TMP/snmpd-persist snmpd -f -C -c "$TMP/snmpd.conf" \
		-Lf "$TMP/snmpd.log" </dev/null >/dev/null 2>&1 &
	SNMPD_PID=$!
	on_cleanup "stop_pid $SNMPD_PID"
	local i
	for i in $(seq 1 50); do
		if snmpget -v2c -c $COMMUNITY -t 0.5 -r 0 "127.0.0.1:$SNMP_PORT" \
			.1.3.6.1.2.1.1.3.0 >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$SNMPD_PID" 2>/dev/null || { cat "$TMP/snmpd.log" >&2; hard_error "snmpd did not start"; }
		sleep 0.1
	done
	hard_error "snmpd does not answer on 127.0.0.1:$SNMP_PORT"
}

# start_sipdiagd [EXTRA-ARGS]: starts it and waits until the master serves
# sipDiagTimer.0 (the subagent has registered).
start_sipdiagd() {
	SNMP_PERSISTENT_DIR=$TMP/sipdiagd-persist "$SIPDIAGD" -f -x "unix:$AGENTX" -C -c "$SDCONF" \
		-Lf "$TMP/sipdiagd.log" "$@" </dev/null >>"$TMP/sipdiagd.out" 2>&1 &
	SIPDIAGD_PID=$!
	on_cleanup "stop_pid $SIPDIAGD_PID"
	wait_registered 30 || { dump_logs; hard_error "sipdiagd did not register with the master"; }
}

wait_registered() {
	local limit=$(($1 * 10)) i
	for i in $(seq 1 $limit); do
		if [ "$(sget "$SC.1.0")" != "" ] && ! sget "$SC.1.0" | grep -q 'No Such'; then
			return 0
		fi
		kill -0 "$SIPDIAGD_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

stop_sipdiagd() { stop_pid "$SIPDIAGD_PID"; }

# reload_sipdiagd: SIGHUP, then wait (up to 20 s) until sipdiagd's log says
# it re-reads its configuration.  It logs that just before re-reading, in
# its one thread, so a GET answered after the line is answered after the
# re-reading: one such GET here, and what the re-reading logged is logged.
reload_sipdiagd() {
	local before i
	before=$(grep -c "SIGHUP, re-reading" "$TMP/sipdiagd.log" 2>/dev/null)
	kill -HUP "$SIPDIAGD_PID" || { fail "SIGHUP: sipdiagd is gone"; return 1; }
	for i in $(seq 1 200); do
		if [ "$(grep -c "SIGHUP, re-reading" "$TMP/sipdiagd.log" 2>/dev/null)" -gt "${before:-0}" ]; then
			sget "$SC.1.0" >/dev/null
			return 0
		fi
		kill -0 "$SIPDIAGD_PID" 2>/dev/null || { fail "sipdiagd died on SIGHUP"; return 1; }
		sleep 0.1
	done
	fail "sipdiagd did not log re-reading its configuration within 20 s of a SIGHUP"
	return 1
}

start_all() {
	setup
	start_snmptrapd
	start_snmpd
	start_sipdiagd "$@"
}

# A UDP port on 127.0.0.1 that nothing listens on (the kernel answers with
# ICMP port unreachable; loopback answers ping).
closed_udp_port() {
	local p
	p=$(pick_free_port)
	echo "$p"
}

# start_silent_udp: a UDP socket that swallows everything (a "SIP server"
# that never answers); sets SILENT_PORT.
start_silent_udp() {
	SILENT_PORT=$(pick_free_port)
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
while True:
    s.recvfrom(65535)
' "$SILENT_PORT" </dev/null >/dev/null 2>&1 &
	local pid=$! i
	on_cleanup "stop_pid $pid"
	for i in $(seq 1 200); do
		ss -Hanu 2>/dev/null | awk '{print $4}' | grep -q "^127.0.0.1:$SILENT_PORT\$" && return 0
		sleep 0.1
	done
	hard_error "the silent UDP server did not start"
}

# ---------------------------------------------------------------- SNMP

# sget OID...: values only (one a line); errors as the tools print them.
sget() {
	snmpget -v2c -c $COMMUNITY -On -Oqv -t 2 -r 0 "127.0.0.1:$SNMP_PORT" "$@" 2>&1
}

# sset OID TYPE VALUE...: sets; prints nothing on success, the error
# name (wrongValue, noCreation, genError...) on failure, "timeout" when no
# answer.  net-snmp prints the first SNMPv1 names in parentheses
# ("Reason: (genError) A general failure occured"): those count too.
sset() {
	local out
	out=$(snmpset -v2c -c $COMMUNITY -On -Oq -t 3 -r 0 "127.0.0.1:$SNMP_PORT" "$@" 2>&1)
	if printf '%s' "$out" | grep -q '^Reason:'; then
		printf '%s\n' "$out" | sed -n 's/^Reason: (\{0,1\}\([A-Za-z]*\).*/\1/p'
	elif printf '%s' "$out" | grep -qi 'timeout'; then
		echo timeout
	fi
	return 0
}

# swalk OID: OID VALUE lines, without the tools' end-of-view line.
swalk() {
	snmpwalk -v2c -c $COMMUNITY -On -Oq -t 2 -r 0 "127.0.0.1:$SNMP_PORT" "$@" 2>&1 |
		grep -v 'No more variables left'
}

# expect_set ERROR WHAT OID TYPE VALUE...: the SET fails with ERROR ("" =
# succeeds).
expect_set() {
	local want=$1 what=$2
	shift 2
	local got
	got=$(sset "$@")
	if [ "$got" != "$want" ]; then
		fail "$what: expected ${want:-success}, got ${got:-success}"
	else
		log "ok: $what -> ${want:-success}"
	fi
}

# check_eq ACTUAL EXPECTED WHAT
check_eq() {
	if [ "$1" != "$2" ]; then fail "$3: expected '$2', got '$1'"; else log "ok: $3 = $2"; fi
}

# wait_state NAME STATE SECONDS: until sipDiagState of the test's row NAME
# reads STATE (NAME may also be a full index: owner and name, "6.100...").
row_index() { case $1 in *.*) printf '%s' "$1" ;; *) ix "$1" ;; esac; }
wait_state() {
	local idx want=$2 limit=$(($3 * 10)) i s=""
	idx=$(row_index "$1")
	for i in $(seq 1 $limit); do
		s=$(sget "$T.$C_STATE.$idx")
		[ "$s" = "$want" ] && return 0
		sleep 0.1
	done
	fail "row $1: state $s after $3 s, expected $want"
	return 1
}

# new_row NAME REGISTRAR AOR [EXTRA-SET-ARGS...]: createAndGo of the test's
# row NAME with these and a password (the engine needs one for a complete
# configuration).
new_row() {
	local name=$1 reg=$2 aor=$3 idx
	shift 3
	idx=$(row_index "$name")
	local err
	err=$(sset "$T.$C_ROWSTATUS.$idx" i 4 "$T.$C_REGISTRAR.$idx" s "$reg" \
		"$T.$C_AOR.$idx" s "$aor" "$T.$C_PASSWORD.$idx" s "pw-$name" "$@")
	[ -z "$err" ] || die "could not create row $name: $err"
}

# check_closed_port_fault NAME WHAT: a closed UDP port on loopback is
# serverNoResponse (5, code 3) for an engine that judges by ping alone, or
# serviceNotListening (15, code 20) for one that reads the ICMP port
# unreachable; either is right, anything else is not.
check_closed_port_fault() {
	local f c idx
	idx=$(row_index "$1")
	f=$(sget "$T.$C_FAULT.$idx"); c=$(sget "$T.$C_CODE.$idx")
	case "$f/$c" in
	5/3 | 15/20) log "ok: $2: fault $f code $c" ;;
	*) fail "$2: fault $f code $c, expected serverNoResponse(5)/3 or serviceNotListening(15)/20" ;;
	esac
}
