# shellcheck shell=bash
#
# tests/agent/fleet_lib.sh - helpers for the issue-10 tests (fleet
# monitoring: owner/name rows, schedule, counters, run history,
# failure/recovery notifications), on top of tests/agent/lib.sh.
#
# Source it instead of lib.sh.  It also brings tests/system/lib.sh's
# Kamailio starter (kam_start) for the tests that need a real 200; the agent
# harness is sourced last, so its setup, messages, cleanup and port picker
# are in force (as tests/e2e/lib.sh does).

FLEET_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../system/lib.sh
. "$FLEET_DIR/../system/lib.sh"
# shellcheck source=lib.sh
. "$FLEET_DIR/lib.sh"

# SipDiagFault values used here
F_NONE=1 F_SUCCESS=2 F_CONFIG_INCOMPLETE=3 F_NO_RESPONSE=5 F_AUTH=6 F_NOT_LISTENING=15

# kam_registrar: a scripted Kamailio registrar (tests/kamailio/registrar.cfg.in)
# on 127.0.0.1:$KAM_PORT; alice/$ALICE_PASSWORD registers with 200.  Call
# after setup.  Skips when Kamailio is not installed.
kam_registrar() {
	need_cmd kamailio kamcmd sipsak setsid timeout
	[ -r "$KAM_TEMPLATE" ] || hard_error "missing $KAM_TEMPLATE"
	TEST_TMP=$TMP
	kam_start registrar
	GOOD_REGISTRAR=sip:127.0.0.1:$KAM_PORT
	GOOD_AOR=sip:alice@127.0.0.1
}

# val OID: one value, strings without their quotes.
val() { sget "$1" | sed -e 's/^"//' -e 's/"$//'; }
# rcol COL INDEX: a column of sipDiagEntry of the row with that full index.
rcol() { val "$T.$1.$2"; }

# poll SECONDS CMD...: run CMD every 0.2 s until it succeeds; 1 if it never
# did within SECONDS (bounded: no test waits forever on a slow machine, and
# none asserts that something was fast).
poll() {
	local limit=$(($1 * 5)) i
	shift
	for ((i = 0; i < limit; i++)); do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

# col_ge COL INDEX N: the column reads as a number >= N.
col_ge() {
	local v
	v=$(rcol "$1" "$2")
	case $v in '' | *[!0-9]*) return 1 ;; esac
	[ "$v" -ge "$3" ]
}
col_is() { [ "$(rcol "$1" "$2")" = "$3" ]; }
# not_in_progress INDEX: state neither requested(2) nor running(3).
not_in_progress() {
	local s
	s=$(rcol $C_STATE "$1")
	[ "$s" != 2 ] && [ "$s" != 3 ] && [ -n "$s" ]
}

# run_and_wait INDEX SECONDS WHAT: trigger the row and wait until its
# sipDiagStatsRuns went up by one and it is no longer in progress.
run_and_wait() {
	local idx=$1 secs=$2 what=$3 before err
	before=$(rcol $C_STATS_RUNS "$idx")
	err=$(sset "$T.$C_STATE.$idx" i 2)
	[ -z "$err" ] || { fail "$what: trigger failed: $err"; return 1; }
	if ! poll "$secs" col_ge $C_STATS_RUNS "$idx" $((before + 1)) ||
		! poll "$secs" not_in_progress "$idx"; then
		fail "$what: run did not end within $secs s (runs $(rcol $C_STATS_RUNS "$idx"), state $(rcol $C_STATE "$idx"))"
		return 1
	fi
	return 0
}

# closed_fault_ok INDEX: the row's fault is what a closed UDP port on
# loopback gives (serverNoResponse or serviceNotListening).
closed_fault_ok() {
	case $(rcol $C_FAULT "$1") in $F_NO_RESPONSE | $F_NOT_LISTENING) return 0 ;; esac
	return 1
}

# run_indexes INDEX: the sipDiagRunIndex values of the row's runs in
# sipDiagRunTable, in walk order, one a line.
run_indexes() {
	swalk "$R.2.$1" | awk '{print $1}' | sed "s/^$(printf '%s' "$R.2.$1." | sed 's/\./\\./g')//"
}

# traps_count OID [SUFFIX]: notifications in snmptrapd's log whose
# snmpTrapOID is OID (and, given SUFFIX, which carry a varbind whose
# instance ends in SUFFIX).  snmptrapd -On logs one notification a line.
traps_count() {
	local oid=$1 suffix=${2:-}
	[ -f "$TMP/traps.log" ] || { echo 0; return; }
	grep -F ".1.3.6.1.6.3.1.1.4.1.0 = OID: $oid" "$TMP/traps.log" |
		grep -F -- "${suffix:+$suffix = }" | grep -cF ".1.3.6.1.6.3.1.1.4.1.0 = OID: $oid"
}
traps_ge() { [ "$(traps_count "$@")" -ge "${3:-1}" ]; }

# run_col COL INDEX: "RUN VALUE" lines of one sipDiagRunTable column of the
# row (RUN = sipDiagRunIndex), values as snmpwalk -Oq prints them.
run_col() {
	local pre="$R.$1.$2."
	swalk "$R.$1.$2" | while read -r oid value; do
		printf '%s %s\n' "${oid#"$pre"}" "$value"
	done
}

# dat_seconds: reads "RUN HEX-OCTETS..." lines (DateAndTime as snmpwalk
# prints it) and prints "RUN SECONDS" with SECONDS since the epoch, to the
# decisecond, from the date's own fields (UTC offset applied when present).
dat_seconds() {
	python3 -c '
import sys, calendar
for line in sys.stdin:
    f = line.replace("\"", " ").split()
    if len(f) < 9:
        continue
    run, o = f[0], [int(x, 16) for x in f[1:]]
    t = calendar.timegm((o[0] * 256 + o[1], o[2], o[3], o[4], o[5], o[6], 0, 0, 0)) + o[7] / 10.0
    if len(o) >= 11:
        off = (o[9] * 3600 + o[10] * 60) * (1 if o[8] == ord("+") else -1)
        t -= off
    print(run, "%.1f" % t)
'
}
