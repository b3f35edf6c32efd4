# shellcheck shell=bash
#
# tests/hostile/lib.sh - harness for the hostile-registrar tests.
#
# Sourced by every tests/hostile/*.sh.  It reuses tests/system/lib.sh (its
# cleanup traps, run_probe, fail/finish and assert_* helpers) but needs no
# Kamailio: the "registrar" is tests/hostile/hostile-registrar, a small
# server of ours that misbehaves on purpose (see README.md here).
#
# Environment, besides tests/system/lib.sh's:
#   HOSTILE_REGISTRAR   the server binary (default: $abs_top_builddir/
#                       tests/hostile/hostile-registrar, else next to this file)
#
# Every server is started on 127.0.0.1 with --port 0 (the kernel picks a free
# port), a bounded run time, and killed by the EXIT trap.

. "$(dirname "${BASH_SOURCE[0]}")/../system/lib.sh"

HOSTILE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# What every scenario gives the probe: a 10 s self-diagnosis timer and 0.5 s
# per attempt, so that a silent server is diagnosed in about 2 s.
HOSTILE_TIMER=10
HOSTILE_ATTEMPT_TIMEOUT=1.5   # a slow (sanitizer) probe on a loaded machine still gets its answers in time
# Whatever the server does (engine/sipdiag_limits.h).
MAX_REGISTERS=10
MAX_CLEANUP_REGISTERS=2

find_hostile() {
	if [ -z "${HOSTILE_REGISTRAR:-}" ]; then
		if [ -n "${abs_top_builddir:-}" ] && [ -x "$abs_top_builddir/tests/hostile/hostile-registrar" ]; then
			HOSTILE_REGISTRAR=$abs_top_builddir/tests/hostile/hostile-registrar
		else
			HOSTILE_REGISTRAR=$HOSTILE_DIR/hostile-registrar
		fi
	fi
	[ -x "$HOSTILE_REGISTRAR" ] ||
		hard_error "server binary '$HOSTILE_REGISTRAR' not found (build it: make tests/hostile/hostile-registrar, or set HOSTILE_REGISTRAR)"
}

# hostile_setup: preconditions and $TEST_TMP (no Kamailio needed).
hostile_setup() {
	need_cmd jq timeout
	find_probe
	find_hostile
	TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sipdiag-$TEST_NAME.XXXXXX") ||
		hard_error "mktemp failed"
	if [ "${SIPDIAG_KEEP_TMP:-0}" = 1 ]; then
		log "keeping temp dir $TEST_TMP"
	else
		on_cleanup "rm -rf '$TEST_TMP'"
	fi
	HOSTILE_PASSWORD_FILE=$(password_file hostile any-password)
	HR_SEQ=0
}

# The evidence on failure: the probe's output and the server's log.
dump_evidence() {
	if [ -n "${PROBE_OUT:-}" ] && [ -f "$PROBE_OUT" ]; then
		echo "---- probe command: ${PROBE_CMD:-?}"
		echo "---- probe exit status: ${PROBE_RC:-?} after ${PROBE_WALL_MS:-?} ms"
		echo "---- probe stdout:"
		cat "$PROBE_OUT"
		echo "---- probe stderr (first 60 lines):"
		head -n 60 "$PROBE_ERR" 2>/dev/null
	fi
	if [ -n "${HR_LOG:-}" ] && [ -f "$HR_LOG" ]; then
		echo "---- hostile-registrar log $(basename "$HR_LOG") (last 40 lines):"
		tail -n 40 "$HR_LOG"
	fi
	echo "----"
}

# hostile_start MODE [SERVER-OPTIONS...]: start a server; sets HR_PORT,
# HR_LOG, HR_PID, HR_MODE.  Each call gets its own log.
hostile_start() {
	local mode=$1
	shift
	HR_SEQ=$((HR_SEQ + 1))
	HR_MODE=$mode
	HR_LOG=$TEST_TMP/hostile-$HR_SEQ.log
	local portfile=$TEST_TMP/hostile-$HR_SEQ.port i
	"$HOSTILE_REGISTRAR" --mode "$mode" --port 0 --max-seconds "${HOSTILE_MAX_SECONDS:-60}" \
		--log "$HR_LOG" "$@" >"$portfile" 2>>"$HR_LOG" </dev/null &
	HR_PID=$!
	on_cleanup "kill $HR_PID"
	for i in $(seq 1 200); do
		if [ -s "$portfile" ]; then
			HR_PORT=$(head -n 1 "$portfile")
			[[ "$HR_PORT" =~ ^[0-9]+$ ]] || hard_error "hostile-registrar printed '$HR_PORT'"
			return 0
		fi
		kill -0 "$HR_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$HR_LOG" >&2
	hard_error "hostile-registrar --mode $mode did not start"
}

# hostile_stop: end the last server (it flushes its summary line).
hostile_stop() {
	kill -TERM "$HR_PID" 2>/dev/null
	wait "$HR_PID" 2>/dev/null
	return 0
}

# hostile_probe TRANSPORT [PROBE-OPTIONS...]: the probe against the last
# server, with this suite's fast settings (later options win).
hostile_probe() {
	local tp=$1
	shift
	run_probe -- --registrar "sip:127.0.0.1:$HR_PORT" --aor sip:hostile@127.0.0.1 \
		--transport "$tp" --timer "$HOSTILE_TIMER" --attempt-timeout "$HOSTILE_ATTEMPT_TIMEOUT" \
		--password-file "$HOSTILE_PASSWORD_FILE" --capture-dir "$TEST_TMP/capture" "$@"
}

# server_registers [main|cleanup|all] [PORT]: distinct REGISTERs (Call-ID and
# CSeq; UDP retransmissions count once) the last server received; "main" are
# those with Expires other than 0, "cleanup" those with Expires 0.
server_registers() {
	local which=${1:-all} port=${2:-}
	grep -F 'HOSTILE-REQ ' "$HR_LOG" | grep -F ' method=REGISTER ' |
		{ if [ -n "$port" ]; then grep -F " port=$port "; else cat; fi; } |
		case $which in
		main) grep -v ' expires=0 ' ;;
		cleanup) grep -F ' expires=0 ' ;;
		*) cat ;;
		esac |
		sed -n 's/.* cseq=\([0-9]*\) callid=\([^ ]*\) .*/\2 \1/p' | sort -u | wc -l
}

# assert_bounded: what must hold whatever the server did.
#  - the probe finished (run_probe checked: no timeout, no signal, one JSON
#    object), with exit status 0 or 1 and a complete result;
#  - within its self-diagnosis timer;
#  - the server received at most 10 REGISTERs + 2 removing the binding, and
#    exactly as many as the probe says it sent;
#  - no sanitizer report.
assert_bounded() {
	local main cleanup
	case $PROBE_RC in
	0 | 1) ;;
	*) fail "probe exit status $PROBE_RC, expected 0 or 1" ;;
	esac
	assert_result_shape
	assert_json_num '.duration_ms' -le $((HOSTILE_TIMER * 1000)) "the self-diagnosis timer bounds a diagnosis"
	# Wall clock: the timer, plus start-up and the capture's last drain.
	if [ "$PROBE_WALL_MS" -gt $((HOSTILE_TIMER * 1000 + 5000)) ]; then
		fail "the probe ran ${PROBE_WALL_MS} ms, more than the ${HOSTILE_TIMER} s timer + 5 s"
	fi
	hostile_stop
	main=$(server_registers main)
	cleanup=$(server_registers cleanup)
	if [ "$main" -gt "$MAX_REGISTERS" ]; then
		fail "the server received $main REGISTERs, more than $MAX_REGISTERS"
	fi
	if [ "$cleanup" -gt "$MAX_CLEANUP_REGISTERS" ]; then
		fail "the server received $cleanup REGISTERs removing the binding, more than $MAX_CLEANUP_REGISTERS"
	fi
	assert_json '.attempts' "$main" "the probe's count matches the REGISTERs the server received"
	assert_json '.cleanup_registers' "$cleanup" "the probe's count of removals matches the server's"
	if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:|ERROR: |Segmentation' "$PROBE_ERR" 2>/dev/null; then
		fail "the probe reported a memory or undefined-behaviour error (stderr)"
	fi
	log "$HR_MODE: code $(jq -r .code "$PROBE_OUT") $(jq -r .fault "$PROBE_OUT"), server saw $main+$cleanup REGISTERs, ${PROBE_WALL_MS} ms"
}

# hostile_case TRANSPORT MODE [SERVER-OPTIONS...] [-- PROBE-OPTIONS...]:
# a fresh server, one probe run, the bounds checked.
hostile_case() {
	local tp=$1 mode=$2
	shift 2
	local sargs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		sargs+=("$1")
		shift
	done
	[ "${1:-}" = -- ] && shift
	log "---- $tp $mode ${sargs[*]+${sargs[*]}} $*"
	hostile_start "$mode" ${sargs[@]+"${sargs[@]}"}
	hostile_probe "$tp" "$@"
	assert_bounded
}

# expect CODE FAULT MAIN-REGISTERS [CLEANUP-REGISTERS]: the verdict of the
# last case, and what the server saw.
expect() {
	local code=$1 fault=$2 main=$3 cleanup=${4:-0} rc=1
	[ "$fault" = success ] && rc=0
	assert_json '.code' "$code" "$HR_MODE"
	assert_json '.fault' "$fault" "$HR_MODE"
	assert_exit "$rc"
	assert_eq "$(server_registers main)" "$main" "$HR_MODE: REGISTERs the server received"
	assert_eq "$(server_registers cleanup)" "$cleanup" "$HR_MODE: removals the server received"
}

# expect_silence [REGISTERS]: the server's hostile answers were dropped by
# the stack: the verdict is the one for a silent server (code 3 with ping,
# code 4 where ICMP echo is not permitted), after the 3 attempts.
expect_silence() {
	local n=${1:-3} code
	code=$(jq -r .code "$PROBE_OUT")
	case $code in
	3) assert_json '.fault' serverNoResponse ;;
	4) assert_json '.fault' internalError ;;
	*) fail "$HR_MODE: expected the silence verdict (code 3, or 4 without ICMP), got code $code" ;;
	esac
	assert_exit 1
	assert_eq "$(server_registers main)" "$n" "$HR_MODE: REGISTERs the server received"
	assert_eq "$(server_registers cleanup)" 0 "$HR_MODE: removals the server received"
}
