# shellcheck shell=bash
#
# tests/nms/lib.sh - the monitoring systems' tests (Prometheus, snmptt,
# Icinga 2): the real chain, with a real engine of the operator on top.
#
#   Kamailio (tests/system/lib.sh: kam_start) <- sipdiagd (periodic rows)
#   -> AgentX -> private snmpd master (tests/agent/lib.sh) -> NMS under test
#
# Glue only, like tests/e2e/lib.sh: the registrar from the system harness,
# the SNMP side (setup, start_snmpd, start_sipdiagd, sget/sset, ix, C_*,
# fail/finish, the cleanup trap, free ports) from the agent harness, sourced
# last so its definitions are in force.  Everything listens on 127.0.0.1,
# on free ports; every file is under the test's temp dir ($TMP).
#
# Environment: top_srcdir, abs_top_builddir, SIPDIAGD (as the other
# suites), SIPDIAG_KEEP_TMP=1, SIPDIAG_NMS_TEST=1 (the heavy tests, see
# nms_heavy).

NMS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../system/lib.sh
. "$NMS_DIR/../system/lib.sh"
# shellcheck source=../agent/lib.sh
. "$NMS_DIR/../agent/lib.sh"

: "${top_srcdir:=$(cd "$NMS_DIR/../.." && pwd)}"
CONTRIB=$top_srcdir/contrib
SHARED_MIBS=${SIPDIAG_SHARED_MIBS:-$top_srcdir/../shared/mibs}
MIB_DIRS=$SHARED_MIBS:$top_srcdir/mibs

# Fault names of SipDiagFault, by value.
FAULT_NAMES=(invalid none success configIncomplete networkUnreachable serverNoResponse
	authFailure intervalTooBrief serverAnomaly terminalError serverError globalFailure
	internalError canceled dnsFailure serviceNotListening adminProhibited tlsFailure
	authAlgorithmUnsupported malformedResponse)

# nms_heavy SECONDS: this test needs about SECONDS; it runs only with
# SIPDIAG_NMS_TEST=1 (skip otherwise, with the reason).
nms_heavy() {
	[ "${SIPDIAG_NMS_TEST:-0}" = 1 ] ||
		skip "takes about $1 s with real daemons; run with SIPDIAG_NMS_TEST=1"
}

# need_mibs: the base modules SIP-DIAG-MIB imports, or skip.
need_mibs() {
	[ -r "$SHARED_MIBS/SNMPv2-SMI.txt" ] ||
		skip "base MIB modules not found in $SHARED_MIBS (set SIPDIAG_SHARED_MIBS)"
}

# nms_setup: the agent harness's setup plus Kamailio's needs.  Config lines
# for sipdiagd may be appended to $SDCONF before nms_start_daemons.
nms_setup() {
	setup
	need_cmd kamailio kamcmd sipsak setsid timeout curl
	TEST_TMP=$TMP
}

# nms_start_daemons: Kamailio, snmptrapd, snmpd, sipdiagd.
nms_start_daemons() {
	kam_start registrar
	start_snmptrapd
	start_snmpd
	start_sipdiagd
	log "snmpd 127.0.0.1:$SNMP_PORT, snmptrapd 127.0.0.1:$TRAP_PORT, registrar 127.0.0.1:$KAM_PORT"
}

# periodic_row NAME REGISTRAR USER PASSWORD FREQUENCY [EXTRA-SET-ARGS...]:
# createAndGo of row { test, NAME } for USER@127.0.0.1 at REGISTRAR over
# UDP, run every FREQUENCY s, every notification on.
periodic_row() {
	local name=$1 reg=$2 user=$3 pw=$4 freq=$5 idx err
	shift 5
	idx=$(ix "$name")
	err=$(sset "$T.$C_ROWSTATUS.$idx" i 4 "$T.$C_REGISTRAR.$idx" s "$reg" \
		"$T.$C_AOR.$idx" s "sip:$user@127.0.0.1" "$T.$C_PASSWORD.$idx" s "$pw" \
		"$T.$C_TRANSPORT.$idx" i 2 "$T.$C_FREQUENCY.$idx" u "$freq" \
		"$T.$C_TRAPS.$idx" x "$TRAPS_ALL" "$@")
	[ -z "$err" ] || die "could not create row $name: $err"
	log "row test/$name: $user at $reg every $freq s"
}

# healthy_row NAME [FREQUENCY]: alice at the private Kamailio.
healthy_row() { periodic_row "$1" "sip:127.0.0.1:$KAM_PORT" alice "$ALICE_PASSWORD" "${2:-5}"; }
# closed_port_row NAME [FREQUENCY]: bob at a UDP port nobody listens on.
closed_port_row() {
	CLOSED_PORT=$(closed_udp_port)
	periodic_row "$1" "sip:127.0.0.1:$CLOSED_PORT" bob bob-secret "${2:-5}"
}
# wrong_password_row NAME [FREQUENCY]: authfail with a wrong password.
wrong_password_row() { periodic_row "$1" "sip:127.0.0.1:$KAM_PORT" authfail wrong-secret "${2:-5}"; }

# wait_runs NAME N SECONDS: until sipDiagStatsRuns of row NAME >= N.
wait_runs() {
	local idx limit=$(($3 * 10)) i n=0
	idx=$(ix "$1")
	for i in $(seq 1 $limit); do
		n=$(sget "$T.$C_STATS_RUNS.$idx")
		case $n in '' | *[!0-9]*) n=0 ;; esac
		[ "$n" -ge "$2" ] && return 0
		sleep 0.1
	done
	fail "row $1: $n run(s) after $3 s, expected $2"
	return 1
}

# fault_of NAME: the name of sipDiagResultFault of row NAME.
fault_of() {
	local f
	f=$(sget "$T.$C_FAULT.$(ix "$1")")
	case $f in '' | *[!0-9]*) echo "?$f" ;; *) echo "${FAULT_NAMES[$f]:-?$f}" ;; esac
}

# wait_until SECONDS WHAT CMD...: until CMD succeeds (every 0.5 s).
wait_until() {
	local limit=$(($1 * 2)) what=$2 i
	shift 2
	for i in $(seq 1 $limit); do
		"$@" && return 0
		sleep 0.5
	done
	fail "$what: not within $((limit / 2)) s"
	return 1
}

# wait_port PORT SECONDS: until something listens on 127.0.0.1:PORT (TCP).
wait_port() {
	local i
	for i in $(seq 1 $(($2 * 10))); do
		ss -Hlnt 2>/dev/null | awk '{print $4}' | grep -q "^127.0.0.1:$1\$" && return 0
		sleep 0.1
	done
	return 1
}

# nms_snmpv3_user: the private snmpd also gets an SNMPv3 user (USM):
# $V3_USER, SHA/$V3_AUTH, AES/$V3_PRIV, read-write on the sipdiag view.
# Call before start_snmpd (the agent harness's snmpd_conf_extra hook).
V3_USER=sdv3 V3_AUTH=sdv3-auth-secret V3_PRIV=sdv3-priv-secret
nms_snmpv3_user() {
	snmpd_conf_extra() {
		cat <<-CONF
		createUser $V3_USER SHA "$V3_AUTH" AES "$V3_PRIV"
		rwuser $V3_USER priv -V sipdiag
		CONF
	}
}

dump_logs() {
	local f
	for f in "$TMP"/sipdiagd.log "$TMP"/sipdiagd.out "$TMP"/snmpd.log "$TMP"/traps.log \
		"$TMP"/kamailio-*.log "$TMP"/*.nmslog; do
		[ -f "$f" ] || continue
		echo "---- $(basename "$f") (last 40 lines)"
		tail -n 40 "$f"
	done
}
