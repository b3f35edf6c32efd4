#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves the self-diagnosis timer bounds a diagnosis: against a silent
# registrar, with a 2 s timer and 1.5 s attempts, the timer fires during the
# second attempt.  No final status came from the server, so the pings already
# answered decide: code 3, fault serverNoResponse; the history ends with the
# timer, the transactions stop (Kamailio sees no third REGISTER) and the run
# takes about 2 s, not the 3 x 1.5 s the attempts would need.
. "$(dirname "$0")/lib.sh"

setup
kam_start main
kam_log_mark
run_probe -- $(reg_args silent) --timer 2 --attempt-timeout 1.5 \
	--password-file "$(password_file silent any-password)"

assert_result_shape
assert_verdict 3 serverNoResponse 1
assert_json '.sip_status' 0
assert_json '.attempts' 2 "the timer fired during the second attempt"
assert_jq '[.steps[] | select(.kind == "timer_expired")] | length == 1' "one timer step"
assert_jq '.steps | last | .kind == "timer_expired"' "the timer step ends the history"
assert_json_num '.pings_received' -ge 1 "pings began after the first silent attempt"
assert_json_num '.duration_ms' -ge 1900
# the timer, not the attempts (3 x 1.5 s), ended it; the rest of the gap
# is room for a loaded machine
assert_json_num '.duration_ms' -lt 4500 "ended by the 2 s timer, not by the attempts"
jq -r .diagnosis "$PROBE_OUT" | grep -q "self-diagnosis timer expired" ||
	fail "the diagnosis does not say the timer expired: $(jq -r .diagnosis "$PROBE_OUT")"
sleep 1   # a stopped transaction must not go on retransmitting
assert_server_saw silent 2
finish
