#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Kamailio dies (SIGKILL, no goodbye) in the middle of a diagnosis: the
# registrar has received the first REGISTER (user "trying": it answered
# "100 Trying" and then nothing; user "silent": nothing at all), so the probe
# is still waiting when the process vanishes.  A user would expect a verdict
# that says the server is gone - serviceNotListening (the retransmissions
# meet ICMP port unreachable) or serverNoResponse - within the timer, no
# crash and no hang.  Afterwards a new Kamailio on the same port serves a
# healthy diagnosis again.
# It runs in a network namespace of its own (tests/own-netns): it reads ICMP
# errors from loopback.
[ -n "${SIPDIAG_OWN_NETNS:-}" ] || exec "$(dirname "$0")/../own-netns" bash "$0" "$@"
. "$(dirname "$0")/../system/lib.sh"

setup
TIMER=30

# probe_in_background USER: starts a diagnosis of USER, bounded by a
# timeout far above the timer; sets PROBE_PID, PROBE_OUT, PROBE_ERR.
probe_in_background() {
	local user=$1
	PROBE_OUT=$TEST_TMP/probe-$user.json
	PROBE_ERR=$TEST_TMP/probe-$user.err
	PROBE_CMD="$SIPDIAG_PROBE --json $(reg_args "$user") --attempts 3 --attempt-timeout 2 --timer $TIMER --capture-dir $TEST_TMP/captures"
	log "running: $PROBE_CMD"
	# shellcheck disable=SC2086
	timeout -k 5 $((TIMER + 60)) $PROBE_CMD \
		--password-file "$(password_file "$user" any-password)" \
		>"$PROBE_OUT" 2>"$PROBE_ERR" </dev/null &
	PROBE_PID=$!
	on_cleanup "kill -TERM $PROBE_PID"
}

# wait_first_register USER SECONDS: Kamailio logged a REGISTER for USER.
wait_first_register() {
	for _ in $(seq 1 $(($2 * 10))); do
		[ "$(server_registers "$1")" -ge 1 ] && return 0
		sleep 0.1
	done
	return 1
}

for user in trying silent; do
	kam_start "$user"
	kam_log_mark
	t0=$(date +%s)
	probe_in_background "$user"
	wait_first_register "$user" 20 || die "Kamailio never saw the first REGISTER of $user"
	kill -KILL -- "-$KAM_PGID"
	log "kamailio ($user) killed with SIGKILL after the first REGISTER"
	wait "$PROBE_PID"
	PROBE_RC=$?
	wall=$(($(date +%s) - t0))
	log "probe for $user: exit status $PROBE_RC after ${wall} s"
	case $PROBE_RC in
	124 | 137) fail "$user: the probe hung (killed by the test's timeout)"; continue ;;
	esac
	[ "$PROBE_RC" -gt 128 ] && { fail "$user: the probe crashed (signal $((PROBE_RC - 128)))"; continue; }
	jq -e -s 'length == 1' "$PROBE_OUT" >/dev/null 2>&1 ||
		{ fail "$user: output is not one JSON object"; cat "$PROBE_OUT" "$PROBE_ERR" >&2; continue; }
	assert_result_shape
	assert_exit 1
	assert_jq '.fault == "serviceNotListening" or .fault == "serverNoResponse"' \
		"$user: the verdict says the server is gone"
	assert_jq '.sip_status == 0 or .sip_status == 100' "$user: no final SIP answer is reported"
	# the timer bounds the run (plus slack for a loaded machine)
	[ "$wall" -le $((TIMER + 15)) ] || fail "$user: the run took $wall s, the timer is $TIMER s"
	log "$user: verdict $(jq -r '"\(.fault) (code \(.code)): \(.diagnosis)"' "$PROBE_OUT")"
done

# the world recovers: a new Kamailio, a healthy account
kam_start again
run_probe -- $(reg_args alice) --capture-dir "$TEST_TMP/captures" --password-file "$(password_file alice "$ALICE_PASSWORD")"
assert_verdict 200 success 0
finish
