#!/bin/bash
# Many silent diagnoses under a low open-files limit: sipdiagd fits its
# concurrency to the descriptors it has, so no diagnosis runs out of them
# and none is judged "needs root or CAP_NET_RAW" (code 4) for want of a
# descriptor.
#
#  1. hard limit 200 (ulimit -n 200): sipdiagd cannot raise it; with
#     sipDiagMaxConcurrent 400 it says in its log how many it allows (the
#     figure from SIPDIAG_AGENT_FDS_BASE and SIPDIAG_FDS_PER_DIAGNOSIS),
#     triggers beyond that fail with resourceUnavailable (the runs last
#     15 s, so the cap is reached), and every run that started ends
#     serverNoResponse (code 3), never code 4 or 99.
#  2. soft limit 100, hard 4096: sipdiagd raises the soft limit for
#     sipDiagMaxConcurrent 300 (/proc/PID/limits shows it) and 60
#     diagnoses at once - more descriptors than 100 - all end code 3.
. "$(dirname "$0")/lib.sh"
setup
start_snmptrapd
start_snmpd
start_silent_udp
REAL_SIPDIAGD=$SIPDIAGD

# limits_for SOFT HARD: sipdiagd runs through a wrapper that sets them
# (exec: the pid stays the daemon's).
limits_for() {
	cat >"$TMP/sipdiagd-limited" <<-EOF
	#!/bin/bash
	ulimit -Sn $1 || exit 98
	ulimit -Hn $2 || exit 98
	exec "$REAL_SIPDIAGD" "\$@"
	EOF
	chmod +x "$TMP/sipdiagd-limited"
	SIPDIAGD=$TMP/sipdiagd-limited
}

# Soft and hard "Max open files" of the daemon.
daemon_limits() {
	awk '/^Max open files/ { print $4, $5 }' "/proc/$SIPDIAGD_PID/limits"
}

# create_rows FROM TO: rows to the silent registrar, 10 per SET.
create_rows() {
	local args=() i
	for i in $(seq "$1" "$2"); do
		args+=("$T.$C_ROWSTATUS.$(ix "$i")" i 4 "$T.$C_REGISTRAR.$(ix "$i")" s "sip:127.0.0.1:$SILENT_PORT"
			"$T.$C_AOR.$(ix "$i")" s "sip:fd$i@127.0.0.1" "$T.$C_PASSWORD.$(ix "$i")" s pw)
		if [ $(((i - $1 + 1) % 10)) = 0 ] || [ "$i" = "$2" ]; then
			err=$(sset "${args[@]}"); [ -z "$err" ] || die "creating rows: $err"
			args=()
		fi
	done
}

# wait_rows_done ROWS SECONDS: until none of ROWS is requested or running.
wait_rows_done() {
	local rows=$1 limit=$(($2 * 10)) k i s busy
	for k in $(seq 1 "$limit"); do
		busy=0
		for i in $rows; do
			s=$(sget "$T.$C_STATE.$(ix "$i")")
			case "$s" in 2 | 3) busy=1; break ;; esac
		done
		[ $busy = 0 ] && return 0
		sleep 0.1
	done
	fail "diagnoses still running after $2 s"
	return 1
}

# check_no_false_privilege ROWS WHAT: each ended code 3, none blames a
# privilege or a descriptor.
check_rows_silent() {
	local rows=$1 what=$2 i code diag bad=0
	for i in $rows; do
		code=$(sget "$T.$C_CODE.$(ix "$i")")
		diag=$(sget "$T.$C_DIAGNOSIS.$(ix "$i")")
		if [ "$code" = 4 ] || printf '%s' "$diag" | grep -q 'CAP_NET_RAW'; then
			fail "$what: row $i claims a missing privilege: code $code: $diag"
			bad=1
		elif [ "$code" != 3 ]; then
			fail "$what: row $i: code $code, expected 3 (serverNoResponse): $diag"
			bad=1
		fi
	done
	[ $bad = 0 ] && log "ok: $what: $(echo $rows | wc -w) diagnoses, all code 3, none claims CAP_NET_RAW"
}

# Part 1's runs last long (3 silent attempts of 5 s): the cap is reached
# and stays reached while the triggers go on, however slow snmpset is.
cat >>"$SDCONF" <<-EOF
sipdiagMinRerunInterval 0
sipDiagMaxConcurrent 400
sipDiagAttempts 3
sipDiagAttemptTimeout 5000
EOF

# ---- 1. the hard limit is too low: the concurrency is capped
limits_for 200 200
start_sipdiagd
check_eq "$(daemon_limits)" "200 200" "open-files limit under ulimit -n 200"
# SIPDIAG_AGENT_FDS_BASE 64, SIPDIAG_FDS_PER_DIAGNOSIS 12: (200 - 64) / 12
base=$(sed -n 's/^#define SIPDIAG_AGENT_FDS_BASE *\([0-9]*\).*/\1/p' "$top_srcdir/engine/sipdiag_limits.h")
per=$(sed -n 's/^#define SIPDIAG_FDS_PER_DIAGNOSIS *\([0-9]*\).*/\1/p' "$top_srcdir/engine/sipdiag_limits.h")
[ -n "$base" ] && [ -n "$per" ] || hard_error "limits not found in sipdiag_limits.h"
allowed=$(((200 - base) / per))
log "the limit allows $allowed diagnoses ($base + $allowed x $per <= 200)"
grep -q "allows $allowed concurrent diagnoses, not the 400 of sipDiagMaxConcurrent" "$TMP/sipdiagd.log" ||
	fail "no log line naming the cap of $allowed"
grep -q "at most $allowed diagnoses at once" "$TMP/sipdiagd.log" ||
	fail "the start line does not give the effective concurrency $allowed"
check_eq "$(sget "$SC.5.0")" 400 "sipDiagMaxConcurrent still reads as configured"

n1=$((allowed + 6))
create_rows 1 "$n1"
accepted="" refused=0 other=0
for i in $(seq 1 "$n1"); do
	err=$(sset "$T.$C_STATE.$(ix "$i")" i 2)
	case "$err" in
	"") accepted="$accepted $i" ;;
	resourceUnavailable) refused=$((refused + 1)) ;;
	*) other=$((other + 1)); fail "trigger of row $i: $err" ;;
	esac
done
n_acc=$(echo $accepted | wc -w)
log "$n1 triggers: $n_acc accepted, $refused refused (resourceUnavailable)"
# At least the cap accepted, and the rest refused while it was reached.
[ "$n_acc" -ge "$allowed" ] || fail "only $n_acc triggers accepted, the cap is $allowed"
[ "$refused" -gt 0 ] || fail "no trigger refused: the cap of $allowed did not apply"
wait_rows_done "$accepted" 180
check_rows_silent "$accepted" "hard limit 200"
check_eq "$(daemon_limits)" "200 200" "the limit was not changed"
stop_sipdiagd

# ---- 2. the soft limit is low, the hard one is not: it is raised
sed -i -e 's/^sipDiagMaxConcurrent .*/sipDiagMaxConcurrent 300/' \
	-e '/^sipDiagAttempts 3$/d' -e '/^sipDiagAttemptTimeout 5000$/d' "$SDCONF"
need=$((base + 300 * per))
limits_for 100 4096
start_sipdiagd
check_eq "$(daemon_limits)" "$need 4096" "soft open-files limit raised for 300 diagnoses"
grep -q "open-files limit raised from 100 to $need" "$TMP/sipdiagd.log" ||
	fail "no log line for the raised limit"

n2=60
first=$((n1 + 1)) last=$((n1 + n2))
create_rows "$first" "$last"
trig=() rows=""
for i in $(seq "$first" "$last"); do trig+=("$T.$C_STATE.$(ix "$i")" i 2); rows="$rows $i"; done
err=$(sset "${trig[@]}"); [ -z "$err" ] || fail "triggering $n2 at once: $err"
peak=0
for k in $(seq 1 50); do
	c=$(ls "/proc/$SIPDIAGD_PID/fd" 2>/dev/null | wc -l)
	[ "$c" -gt "$peak" ] && peak=$c
	[ "$(sget "$SC.6.0")" = 0 ] && break
	sleep 0.05
done
log "peak of $peak descriptors with $n2 diagnoses triggered (the soft limit was 100)"
wait_rows_done "$rows" 120
check_rows_silent "$rows" "soft limit raised"
finish
