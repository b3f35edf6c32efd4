#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a verdict never rests on what was not measured: a 2 s timer with
# 1.5 s attempts could fire before any ping (it used to give
# networkUnreachable with "0 of 0 pings were answered").  Such settings are
# refused before anything is sent: exit status 2, a message naming --timer
# and what it must cover, no JSON, no REGISTER at the registrar.  Settings
# that fit (3 x 0.5 s + the pings within 4 s) run and reach the patent's
# verdict with the pings over.
. "$(dirname "$0")/lib.sh"

setup
kam_start main
kam_log_mark
"$SIPDIAG_PROBE" --json $(reg_args silent) --timer 2 --attempt-timeout 1.5 \
	--password-file "$(password_file silent any-password)" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
rc=$?
[ "$rc" = 2 ] || fail "expected exit status 2 (usage error), got $rc"
grep -q -- "--timer 2 s cannot cover 3 attempts" "$TEST_TMP/err" ||
	fail "the error does not name the timer and the attempts: $(cat "$TEST_TMP/err")"
[ ! -s "$TEST_TMP/out" ] || fail "a refused run printed a result: $(cat "$TEST_TMP/out")"
sleep 1
assert_server_saw silent 0

run_probe -- $(reg_args silent) --timer 4 --attempt-timeout 0.5 \
	--password-file "$(password_file silent any-password)"
assert_result_shape
assert_verdict 3 serverNoResponse 1
assert_json '.attempts' 3
assert_json '.pings_sent' 3
assert_json_num '.pings_received' -ge 1
jq -r .diagnosis "$PROBE_OUT" | grep -q "self-diagnosis timer expired" &&
	fail "the timer fired although the settings fit: $(jq -r .diagnosis "$PROBE_OUT")"
finish
