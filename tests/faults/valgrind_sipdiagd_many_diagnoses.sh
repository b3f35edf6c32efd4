#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# sipdiagd under valgrind (memcheck) for a few hundred diagnoses through
# SNMP against a real Kamailio: short answered classes (success, authFailure,
# 403 terminalError, 500 serverError) and a closed UDP port (ICMP port
# unreachable: serviceNotListening), all rows triggered together, round
# after round.  Then sipdiagd is stopped cleanly (SIGTERM) and valgrind must
# report no error and no definite leak.  tests/faults/valgrind.supp holds
# the few library-internal reports that are not sipdiag's (see there).
#
# SKIPs (77) in a sanitizer build: valgrind and ASan do not mix.
# SIPDIAG_VALGRIND_ROUNDS (default 100; 5 diagnoses a round) sets the length.
# Runs in a network namespace of its own: it reads ICMP errors from loopback.
[ -n "${SIPDIAG_OWN_NETNS:-}" ] || exec "$(dirname "$0")/../own-netns" bash "$0" "$@"
FAULTS_DIR=$(cd "$(dirname "$0")" && pwd)
. "$FAULTS_DIR/../e2e/lib.sh"

ROUNDS=${SIPDIAG_VALGRIND_ROUNDS:-100}
need_cmd valgrind nm
find_sipdiagd
if nm -D "$SIPDIAGD" 2>/dev/null | grep -q '__asan_init\|__ubsan_handle' ||
	ldd "$SIPDIAGD" 2>/dev/null | grep -q 'libasan\|libubsan'; then
	skip "sipdiagd is a sanitizer build (valgrind and ASan do not mix)"
fi

e2e_setup
# rounds follow each other at once: no minimum interval between runs of an account
echo "sipdiagMinRerunInterval 0" >>"$SDCONF"
kam_start registrar
start_snmpd
CLOSED_PORT=$(closed_udp_port)

# sipdiagd under valgrind; its pid is valgrind's (same process, the guest
# gets our SIGTERM).  Startup under valgrind is slow: wait generously.
VG_LOG=$TMP/valgrind.log
SNMP_PERSISTENT_DIR=$TMP/sipdiagd-persist valgrind --tool=memcheck \
	--leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \
	--error-exitcode=42 --track-fds=no --num-callers=30 \
	--suppressions="$FAULTS_DIR/valgrind.supp" --log-file="$VG_LOG" \
	"$SIPDIAGD" -f -x "unix:$AGENTX" -C -c "$SDCONF" -Lf "$TMP/sipdiagd.log" \
	</dev/null >>"$TMP/sipdiagd.out" 2>&1 &
SIPDIAGD_PID=$!
on_cleanup "stop_pid $SIPDIAGD_PID"
wait_registered 90 || { dump_logs; cat "$VG_LOG" >&2; hard_error "sipdiagd under valgrind did not register"; }
log "sipdiagd under valgrind (pid $SIPDIAGD_PID) registered"

# short runs: at most 2 REGISTERs of 1 s per kind of answer, one ping
for s in "$SC.2.0 u 2" "$SC.4.0 u 1000" "$SC.3.0 u 1" "$SC.5.0 u 16"; do
	# shellcheck disable=SC2086
	err=$(sset $s)
	[ -z "$err" ] || die "setting scalar $s: $err"
done

account_row 1 alice "$ALICE_PASSWORD"
account_row 2 authfail wrong-password
account_row 3 forbidden any-password
account_row 4 broken any-password
err=$(sset "$T.$C_ROWSTATUS.$(ix 5)" i 4 "$T.$C_REGISTRAR.$(ix 5)" s "sip:127.0.0.1:$CLOSED_PORT" "$T.$C_AOR.$(ix 5)" s sip:closed@127.0.0.1 \
	"$T.$C_TRANSPORT.$(ix 5)" i 2 "$T.$C_PASSWORD.$(ix 5)" s pw)
[ -z "$err" ] || die "row 5 (closed port): $err"
# no notifications (sipDiagTrapGeneration {}, the default since issue 10)
sset "$T.$C_TRAPS.$(ix 1)" x 00 "$T.$C_TRAPS.$(ix 2)" x 00 "$T.$C_TRAPS.$(ix 3)" x 00 "$T.$C_TRAPS.$(ix 4)" x 00 >/dev/null
ROWS="1 2 3 4 5"
# the fault class each row must end with
declare -A WANT=([1]=2 [2]=6 [3]=9 [4]=10 [5]=15)

completed() { sget "$SC.8.0"; }

t0=$(date +%s)
base=$(completed)
done_runs=0
for round in $(seq 1 "$ROUNDS"); do
	args=()
	for r in $ROWS; do args+=("$T.$C_STATE.$(ix "$r")" i 2); done
	err=$(sset "${args[@]}")
	[ -z "$err" ] || die "round $round: trigger failed: $err"
	target=$((base + round * 5))
	for i in $(seq 1 600); do
		n=$(completed)
		[[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge "$target" ] && break
		kill -0 "$SIPDIAGD_PID" 2>/dev/null || die "sipdiagd died in round $round"
		sleep 0.1
	done
	[ "$n" -ge "$target" ] 2>/dev/null || die "round $round: only $n of $target runs completed in 60 s"
	done_runs=$((done_runs + 5))
	# check the verdicts now and then (reading costs valgrind time too)
	if [ "$round" = 1 ] || [ $((round % 20)) = 0 ]; then
		for r in $ROWS; do
			f=$(sget "$T.$C_FAULT.$(ix "$r")")
			[ "$f" = "${WANT[$r]}" ] ||
				fail "round $round row $r: fault $f, expected ${WANT[$r]} (${FAULT_NAMES[${WANT[$r]}]})"
		done
	fi
done
t1=$(date +%s)
log "$done_runs diagnoses in $((t1 - t0)) s under valgrind"

# clean stop: valgrind's exit status carries its verdict
kill -TERM "$SIPDIAGD_PID"
for i in $(seq 1 600); do
	kill -0 "$SIPDIAGD_PID" 2>/dev/null || break
	sleep 0.1
done
wait "$SIPDIAGD_PID"
rc=$?
log "valgrind exit status $rc; its summary:"
sed -n '/HEAP SUMMARY/,$p' "$VG_LOG"
case $rc in
0) ;;
42) fail "valgrind found errors or definite leaks (report above)" ;;
*) fail "sipdiagd under valgrind ended with status $rc" ;;
esac
grep -q 'ERROR SUMMARY: 0 errors' "$VG_LOG" ||
	{ cat "$VG_LOG"; fail "valgrind's summary does not say 0 errors (full report above)"; }
grep -q 'definitely lost: [1-9]' "$VG_LOG" && fail "definite leaks (report above)"
grep -qE 'LEAK SUMMARY|All heap blocks were freed' "$VG_LOG" ||
	fail "valgrind made no leak check (sipdiagd did not exit normally?)"
finish
