#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a TCP server sending thousands of responses per REGISTER cannot
# stall the probe past its timer: sofia's stream parser copies the unread
# backlog for every message it takes out (quadratic), so before the engine
# capped the responses one run accepts (SIPDIAG_MAX_RESPONSES, 64) a flood
# of 5000 kept the loop busy for tens of seconds, the timers and the echo
# replies waiting behind it.  Now the run ends at once with code 51
# (malformedResponse: a flood), within the timer, after 1 REGISTER, for a
# flood of provisional responses and for a flood of 401s alike.
. "$(dirname "$0")/lib.sh"

# Responses to finished transactions are absorbed by sofia (they never
# reach the engine); the run's watch on the stack's own count, which now
# repeats every 100 ms for the whole run (it used to fire once), sees the
# flood between two reads of the stream and ends the run before sofia's
# quadratic parsing of the backlog can hold the loop.
hostile_setup
hostile_case tcp trying-flood --count 5000
expect 51 malformedResponse 1
assert_json_num '.duration_ms' -lt 5000 "a flood ends the run long before the 10 s timer"
# 401s to an answered REGISTER never reach the engine's callback (the stack
# absorbs them as strays), so the run's watch on the stack's own count ends
# it, within the REGISTERs an endless 401 would draw anyway (4), never more.
# The flood's own answer (401 to each REGISTER) may also end the attempts
# first: authFailure after 3 rejected credentials is as true (the server
# does reject them), so either verdict, bounded.
hostile_case tcp flood --count 3000
assert_jq '(.code == 401 and .fault == "authFailure" and .attempts == 4) or (.code == 51 and .fault == "malformedResponse" and .attempts <= 4)' \
	"tcp flood of 401: authFailure after 3 rejected credentials, or the flood named"
assert_json_num '.duration_ms' -lt 5000 "a flood ends the run long before the 10 s timer"
finish
